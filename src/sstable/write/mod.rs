//! Writing SSTables: the inverse of the reader, producing every component
//! Cassandra loads for BIG-format `mc` (3.x), `nb` (4.x) and `oa` (5.0):
//! Data.db ([`data`]), Index.db and Summary.db, Filter.db, Statistics.db,
//! CompressionInfo.db or CRC.db, Digest.crc32 and TOC.txt.
//!
//! [`SSTableWriter`] streams: partitions are appended in token order and
//! only the current one is held in memory (plus 16 bytes per partition for
//! the bloom filter, sized when the key count is known). Components are
//! written under a temporary directory and moved into place at
//! [`SSTableWriter::finish`], Data.db last, so that an interrupted write
//! never leaves a Data.db that discovery could pick up.

pub mod data;
mod filter;
mod hll;
mod index;
mod sink;
pub mod stats;

pub use data::{BlockName, IndexBlock, PartitionLayout};
pub use stats::{EncodingStats, WriterInfo};

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::types::token::{Partitioner, Token, murmur3_x64_128};

use super::compression::Compressor;
use super::content::Partition;
use super::header::SerializationHeader;
use super::statistics::RawHeader;
use super::version::{Format, Version};

/// Cassandra's default `column_index_size`: 64 KiB.
pub const DEFAULT_COLUMN_INDEX_SIZE: u64 = 64 * 1024;

/// How to write an SSTable.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Format version: `mc`, `nb` or `oa`.
    pub version: String,
    /// Codec and chunk length, or `None` for uncompressed with CRC.db.
    pub compression: Option<(Compressor, usize)>,
    /// Row index block size.
    pub column_index_size: u64,
    /// The partitioner's class name.
    pub partitioner: String,
    /// Bloom filter false-positive chance.
    pub bloom_filter_fp_chance: f64,
    /// Summary.db sampling interval.
    pub min_index_interval: u32,
    /// Commit-log positions and host id for Statistics.db.
    pub info: WriterInfo,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            version: "nb".into(),
            compression: Some((Compressor::Lz4, 16 * 1024)),
            column_index_size: DEFAULT_COLUMN_INDEX_SIZE,
            partitioner: "org.apache.cassandra.dht.Murmur3Partitioner".into(),
            bloom_filter_fp_chance: 0.01,
            min_index_interval: 128,
            info: WriterInfo::default(),
        }
    }
}

/// What [`SSTableWriter::finish`] produced.
#[derive(Debug, Clone)]
pub struct WrittenSSTable {
    /// The Data.db path.
    pub data_path: PathBuf,
    /// Every component written.
    pub files: Vec<PathBuf>,
    /// Partitions written.
    pub partitions: u64,
    /// Uncompressed Data.db bytes.
    pub data_len: u64,
    /// Data.db bytes as stored.
    pub stored_len: u64,
}

/// Serializes partitions (already in token order) into an uncompressed
/// Data.db byte stream, with each partition's layout.
pub fn serialize_data(
    header: &SerializationHeader,
    version: &Version,
    partitions: &[Partition],
    column_index_size: u64,
) -> Result<(Vec<u8>, Vec<PartitionLayout>)> {
    let mut s = data::PartitionSerializer::new(header, version.is_oa(), column_index_size);
    let mut out = Vec::new();
    let mut layouts = Vec::with_capacity(partitions.len());
    for p in partitions {
        layouts.push(s.write(p, &mut out)?);
    }
    Ok((out, layouts))
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{}: {e}", path.display()))
}

/// Streams one SSTable to disk.
pub struct SSTableWriter {
    dir: PathBuf,
    tmp: PathBuf,
    prefix: String,
    layout: stats::Layout,
    version: Version,
    header: SerializationHeader,
    raw: RawHeader,
    options: WriteOptions,
    partitioner: Partitioner,
    data: sink::DataSink,
    index: BufWriter<File>,
    index_pos: u64,
    summary: index::SummaryBuilder,
    collector: stats::Collector,
    buf: Vec<u8>,
    index_buf: Vec<u8>,
    last: Option<(Token, Vec<u8>)>,
    partitions: u64,
}

impl std::fmt::Debug for SSTableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SSTableWriter")
            .field("dir", &self.dir)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl SSTableWriter {
    /// Starts SSTable `<version>-<generation>-big` in `dir`. The header's
    /// minimum timestamp, deletion time and TTL are the delta bases every
    /// value is encoded against ([`EncodingStats`] computes them).
    pub fn create(
        dir: &Path,
        generation: u64,
        raw: &RawHeader,
        options: WriteOptions,
    ) -> Result<SSTableWriter> {
        let layout = match options.version.as_str() {
            "mc" => stats::Layout::Mc,
            "nb" => stats::Layout::Nb,
            "oa" => stats::Layout::Oa,
            v => {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("cannot write format version '{v}': choose mc, nb or oa"),
                ));
            }
        };
        let version = Version::parse(&options.version, Format::Big)?;
        let header = SerializationHeader::from_raw(raw, &[])?;
        // The header as Cassandra writes it: columns in column order.
        let ordered = |defs: &[super::header::ColumnDef], list: &[(String, String)]| {
            defs.iter()
                .filter_map(|d| list.iter().find(|(n, _)| *n == d.name).cloned())
                .collect::<Vec<_>>()
        };
        let raw = RawHeader {
            static_columns: ordered(header.statics.defs(), &raw.static_columns),
            regular_columns: ordered(header.regulars.defs(), &raw.regular_columns),
            ..raw.clone()
        };
        let prefix = format!("{}-{generation}-big", options.version);
        if dir.join(format!("{prefix}-Data.db")).exists() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("{} already holds SSTable {prefix}", dir.display()),
            ));
        }
        let tmp = dir.join(format!(".tmp-{prefix}"));
        std::fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
        let data =
            sink::DataSink::create(&tmp.join(format!("{prefix}-Data.db")), options.compression)?;
        let index_path = tmp.join(format!("{prefix}-Index.db"));
        let index = BufWriter::with_capacity(
            128 * 1024,
            File::create(&index_path).map_err(|e| io(&index_path, e))?,
        );
        let partitioner = Partitioner::from_class(&options.partitioner);
        Ok(SSTableWriter {
            dir: dir.to_path_buf(),
            tmp,
            prefix,
            layout,
            collector: stats::Collector::new(version.is_oa(), header.clustering.clone()),
            version,
            header,
            raw,
            summary: index::SummaryBuilder::new(options.min_index_interval),
            options,
            partitioner,
            data,
            index,
            index_pos: 0,
            buf: Vec::with_capacity(64 * 1024),
            index_buf: Vec::with_capacity(1024),
            last: None,
            partitions: 0,
        })
    }

    /// Appends the next partition; partitions must come in token order.
    pub fn append(&mut self, p: &Partition) -> Result<()> {
        let token = self.partitioner.token(&p.key);
        if let Some((t, k)) = &self.last
            && self.partitioner.compare(&self.header.key_type, (*t, k), (token, &p.key))
                != std::cmp::Ordering::Less
        {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "partition {} appended out of token order (after {})",
                    super::reader::hex(&p.key),
                    super::reader::hex(k)
                ),
            ));
        }
        let position = self.data.position();
        self.buf.clear();
        let mut s = data::PartitionSerializer::new(
            &self.header,
            self.version.is_oa(),
            self.options.column_index_size,
        );
        let layout = s.write(p, &mut self.buf)?;
        self.index_buf.clear();
        index::write_entry(&s, &p.key, position, p.deletion, &layout, &mut self.index_buf)?;
        self.data.write(&self.buf)?;
        self.summary.add(&p.key, self.index_pos);
        self.index.write_all(&self.index_buf).map_err(|e| io(&self.tmp, e))?;
        self.index_pos += self.index_buf.len() as u64;
        self.collector.partition(p, &layout);
        match &mut self.last {
            Some((t, k)) => {
                *t = token;
                k.clear();
                k.extend_from_slice(&p.key);
            }
            None => self.last = Some((token, p.key.clone())),
        }
        self.partitions += 1;
        Ok(())
    }

    /// Writes the remaining components and moves the SSTable into place.
    pub fn finish(mut self) -> Result<WrittenSSTable> {
        self.index.flush().map_err(|e| io(&self.tmp, e))?;
        self.index.get_ref().sync_all().map_err(|e| io(&self.tmp, e))?;
        let compressed = self.options.compression.is_some();
        let summary = self.data.finish(self.layout != stats::Layout::Mc)?;
        let name = |c: &str| format!("{}-{c}", self.prefix);
        let write = |c: &str, bytes: &[u8]| -> Result<()> {
            let p = self.tmp.join(name(c));
            let mut f = File::create(&p).map_err(|e| io(&p, e))?;
            f.write_all(bytes).map_err(|e| io(&p, e))?;
            f.sync_all().map_err(|e| io(&p, e))
        };
        let mut components = vec!["Data.db", "Index.db"];
        if compressed {
            write("CompressionInfo.db", &summary.side_file)?;
            components.push("CompressionInfo.db");
        } else {
            write("CRC.db", &summary.side_file)?;
            components.push("CRC.db");
        }
        // The filter is sized by the final key count, as Cassandra's flush
        // sizes it; its keys are read back from the Index.db just written
        // rather than held in memory (a hash per partition was most of
        // `gen`'s peak memory).
        let mut filter =
            filter::BloomFilter::new(self.partitions, self.options.bloom_filter_fp_chance);
        let mut index = super::index::IndexVerifier::open(&self.tmp.join(name("Index.db")))?;
        while let Some(key) = index.next_key()? {
            filter.add_hash(murmur3_x64_128(key, 0));
        }
        write("Filter.db", &filter.to_bytes(self.layout != stats::Layout::Mc))?;
        write("Summary.db", &self.summary.to_bytes())?;
        write("Digest.crc32", summary.digest.to_string().as_bytes())?;
        let ratio = if compressed && summary.data_len > 0 {
            summary.stored_len as f64 / summary.data_len as f64
        } else {
            -1.0
        };
        let mut stats_body = Vec::new();
        self.collector.stats_bytes(
            self.layout,
            ratio,
            &self.raw.clustering_types,
            &self.options.info,
            &mut stats_body,
        );
        let mut header_body = Vec::new();
        stats::header_bytes(&self.raw, &mut header_body);
        let compaction = self.collector.cardinality.finish_bytes();
        write(
            "Statistics.db",
            &stats::statistics_file(
                self.layout,
                &self.options.partitioner,
                self.options.bloom_filter_fp_chance,
                &compaction,
                &stats_body,
                &header_body,
            ),
        )?;
        components.extend(["Filter.db", "Summary.db", "Digest.crc32", "Statistics.db", "TOC.txt"]);
        let toc: String = components.iter().map(|c| format!("{c}\n")).collect();
        write("TOC.txt", toc.as_bytes())?;

        // Data.db moves last: until then the SSTable is invisible.
        let mut files = Vec::new();
        components.sort_by_key(|c| *c == "Data.db");
        for c in &components {
            let (from, to) = (self.tmp.join(name(c)), self.dir.join(name(c)));
            std::fs::rename(&from, &to).map_err(|e| io(&to, e))?;
            files.push(to);
        }
        std::fs::remove_dir(&self.tmp).map_err(|e| io(&self.tmp, e))?;
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(WrittenSSTable {
            data_path: self.dir.join(name("Data.db")),
            files,
            partitions: self.partitions,
            data_len: summary.data_len,
            stored_len: summary.stored_len,
        })
    }
}
