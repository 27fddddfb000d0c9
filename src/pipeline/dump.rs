//! `casscade dump`: each SSTable's partitions as sstabledump-shaped JSON
//! lines, streamed (one row at a time is rendered; nothing accumulates).
//!
//! A bad SSTable (corrupt, truncated, unsupported version, schema mismatch)
//! stops the dump with an error naming the file and offset, unless the
//! caller asks to skip bad SSTables, in which case each skip is reported.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::discover::find_sstables;
use super::dump_doc::{DumpOptions, DumpWriter, TimestampFormat};
use super::schema_check::{fit, open_sstable};
use crate::error::{Error, ErrorKind, Offset, Result};
use crate::output::cql_json::ValueError;
use crate::schema::Schema;
use crate::sstable::{OpenOptions, SSTable, Unfiltered};

/// What to dump and how.
#[derive(Debug, Clone, Default)]
pub struct DumpRequest {
    /// SSTable component files or directories.
    pub inputs: Vec<PathBuf>,
    /// Optional schema (key column names, type checks).
    pub schema: Option<Schema>,
    /// Timestamp format.
    pub timestamps: TimestampFormat,
    /// "Now" in seconds, for `expired` flags.
    pub now: i64,
    /// Report and skip SSTables that cannot be read instead of stopping.
    pub skip_bad: bool,
}

/// What a dump did.
#[derive(Debug, Default)]
pub struct DumpReport {
    /// SSTables dumped completely.
    pub sstables: u64,
    /// Partitions written.
    pub partitions: u64,
    /// Rows (including static rows) written.
    pub rows: u64,
    /// Range-tombstone markers written.
    pub markers: u64,
    /// Data.db bytes read from disk.
    pub bytes_read: u64,
    /// Uncompressed Data.db bytes decoded.
    pub data_bytes: u64,
    /// SSTables skipped, with why.
    pub skipped: Vec<Error>,
}

/// Output is handed to the writer in chunks of about this size, so `out`
/// needs no buffering of its own (a buffered writer would copy every byte
/// once more).
const FLUSH_AT: usize = 256 * 1024;

/// Dumps every SSTable of the request to `out`, in large chunks of whole
/// lines where possible.
pub fn dump(req: &DumpRequest, out: &mut dyn Write) -> Result<DumpReport> {
    let sstables = find_sstables(&req.inputs)?;
    if sstables.is_empty() {
        return Err(Error::new(
            ErrorKind::Usage,
            "no SSTable (*-Data.db) found in the given paths",
        ));
    }
    let mut report = DumpReport::default();
    // One output buffer for every SSTable: a fresh one each time cost page
    // faults on its first touch.
    let mut buf = Vec::with_capacity(FLUSH_AT + 64 * 1024);
    for data in &sstables {
        buf.clear();
        match dump_one(req, data, out, &mut buf, &mut report) {
            Ok(()) => report.sstables += 1,
            Err(e) if req.skip_bad && e.kind() != ErrorKind::Io => report.skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

fn table_kind(dir: &Path) -> &'static str {
    // Secondary-index SSTables live in a `.<index name>` subdirectory.
    match dir.file_name().and_then(|n| n.to_str()) {
        Some(n) if n.starts_with('.') => "INDEX",
        _ => "REGULAR",
    }
}

fn dump_one(
    req: &DumpRequest,
    data: &Path,
    out: &mut dyn Write,
    buf: &mut Vec<u8>,
    report: &mut DumpReport,
) -> Result<()> {
    let mut sstable = open_sstable(data, req.schema.as_ref())?;
    let mut options = DumpOptions {
        timestamps: req.timestamps,
        now: req.now,
        table_kind: table_kind(sstable.descriptor().dir()).to_string(),
        key_names: None,
        clustering_names: None,
    };
    if let Some(schema) = &req.schema {
        let table =
            schema.table_for_sstable(sstable.descriptor()).map_err(|e| e.with_path(data))?;
        let f = fit(table, &sstable.statistics().header)
            .map_err(|e| e.context(format!("table {}", table.qualified_name())).with_path(data))?;
        if !f.frozen_columns.is_empty() {
            sstable = SSTable::open_with(
                data,
                &OpenOptions { frozen_columns: f.frozen_columns.clone(), ..OpenOptions::default() },
            )?;
        }
        options.key_names = Some(f.key_names);
        options.clustering_names = Some(f.clustering_names);
    }
    let header = sstable.header().clone();
    let mut reader = sstable.reader()?;
    let mut writer = DumpWriter::new(&header, options);
    let write_err = |e: std::io::Error| Error::io("writing the dump", e);
    let mut key = Vec::new();
    while let Some(p) = reader.next_partition()? {
        let header_end = p.header_end;
        let at = p.position;
        key.clear();
        key.extend_from_slice(p.key);
        // Only an error needs the key as text.
        let locate = |e: ValueError, key: &[u8], pos: u64, what: &str| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("partition key 0x{}, {what}: {}", hex(key), e.message),
            )
            .with_path(data)
            .with_offset(Offset::Data(pos))
        };
        writer.start_partition(buf, &p).map_err(|e| locate(e, &key, at, "partition key"))?;
        report.partitions += 1;
        while let Some(u) = reader.next_unfiltered()? {
            match u {
                Unfiltered::Row(row) => {
                    writer
                        .row(buf, &row, header_end)
                        .map_err(|e| locate(e, &key, row.position, "row"))?;
                    report.rows += 1;
                }
                Unfiltered::Marker(m) => {
                    writer
                        .marker(buf, &m)
                        .map_err(|e| locate(e, &key, m.position, "range tombstone"))?;
                    report.markers += 1;
                }
            }
            if buf.len() >= FLUSH_AT {
                out.write_all(buf).map_err(write_err)?;
                buf.clear();
            }
        }
        writer.end_partition(buf);
        if buf.len() >= FLUSH_AT {
            out.write_all(buf).map_err(write_err)?;
            buf.clear();
        }
    }
    out.write_all(buf).map_err(write_err)?;
    report.bytes_read += reader.bytes_read();
    report.data_bytes += reader.total_len();
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
