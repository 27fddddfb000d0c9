//! `casscade export`: every SSTable of a table, from every node, merged
//! into one dataset version (DESIGN.md "Dataset layout").
//!
//! ```text
//! OUT/CURRENT                  the newest complete version ("v000003")
//! OUT/v000003/manifest.json    lineage, settings, and per part its token range, rows, bytes, sha256
//! OUT/v000003/part-00000.jsonl rows of one token range, in token then clustering order
//! ```
//! A version is written under a temporary name and renamed into place, and
//! CURRENT is replaced after it, so a crash never exposes a partial
//! version. A part identical to the parent version's is a hard link to it.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::output::dataset_row::RowLayout;
use crate::output::json::write_str;
use crate::reconcile::{MergeStats, Merger, RowSink, TableColumn, TableLayout};
use crate::schema::{Schema, TableSchema, names_from_dir};
use crate::sstable::{OpenOptions, SSTable};
use crate::types::token::{Partitioner, Token};
use crate::types::{ColumnType, CqlType};

use super::discover::find_sstables;
use super::schema_check::{fit, open_sstable, same_type};

/// What to export.
#[derive(Debug, Default)]
pub struct ExportRequest {
    /// SSTable files or directories.
    pub inputs: Vec<PathBuf>,
    /// The dataset directory.
    pub out: PathBuf,
    /// A schema file's tables (`--schema`).
    pub schema: Option<Schema>,
    /// `--table ks.name`: which table, when the inputs hold several.
    pub table: Option<String>,
    /// The clock for expiry and purging (epoch seconds).
    pub now: i64,
    /// `--gc-grace`, overriding the schema's.
    pub gc_grace: Option<i64>,
    /// `--buckets`: token-range parts (first version only).
    pub buckets: Option<u32>,
    /// Token ranges merged in parallel (0: one per core).
    pub jobs: usize,
    /// Leave out SSTables that cannot be opened (unknown or pre-3.0
    /// versions, damaged metadata), reporting them, instead of failing.
    pub skip_bad: bool,
}

/// What an export did.
#[derive(Debug, Default)]
pub struct ExportReport {
    /// The version written (`v000001`).
    pub version: String,
    /// Its directory.
    pub dir: PathBuf,
    /// The table (`ks.name`, or the directory's name).
    pub table: String,
    /// SSTables merged.
    pub sstables: u64,
    /// Uncompressed Data.db bytes read.
    pub data_bytes: u64,
    /// Rows written.
    pub rows: u64,
    /// Bytes of JSON written.
    pub bytes: u64,
    /// Parts (token ranges).
    pub parts: u32,
    /// Parts hard-linked from the parent version.
    pub linked_parts: u32,
    /// The merge's counts.
    pub merge: MergeStats,
    /// gc_grace_seconds applied.
    pub gc_grace: i64,
    /// SSTables left out (`skip_bad`), with why.
    pub skipped: Vec<Error>,
}

/// Progress callbacks (rows written so far), e.g. for a terminal bar.
pub trait Progress {
    /// Called every few thousand rows.
    fn rows(&mut self, rows: u64, partitions: u64);
}

impl Progress for () {
    fn rows(&mut self, _: u64, _: u64) {}
}

const DEFAULT_GC_GRACE: i64 = 864_000;
const DEFAULT_BUCKETS: u32 = 16;

fn usage(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, msg)
}

fn io(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::io(what, e).with_path(path)
}

/// One input SSTable.
struct Input {
    path: PathBuf,
    table: TableKey,
    sstable: SSTable,
}

type TableKey = (Option<String>, Option<String>);

fn table_name(k: &TableKey) -> String {
    match k {
        (Some(ks), Some(t)) => format!("{ks}.{t}"),
        (None, Some(t)) => t.clone(),
        _ => "(unnamed)".into(),
    }
}

/// Groups SSTables by table and picks the one to export.
fn pick_table(inputs: Vec<Input>, wanted: Option<&str>) -> Result<(TableKey, Vec<Input>)> {
    let mut tables: Vec<TableKey> = inputs.iter().map(|i| i.table.clone()).collect();
    tables.sort();
    tables.dedup();
    let chosen = match wanted {
        Some(w) => tables
            .iter()
            .find(|k| table_name(k) == w || k.1.as_deref() == Some(w))
            .cloned()
            .ok_or_else(|| {
                usage(format!(
                    "--table {w}: no SSTable of that table among the inputs (tables: {})",
                    tables.iter().map(table_name).collect::<Vec<_>>().join(", ")
                ))
            })?,
        None if tables.len() == 1 => tables[0].clone(),
        None => {
            return Err(usage(format!(
                "the inputs hold SSTables of {} tables ({}); pick one with --table ks.name",
                tables.len(),
                tables.iter().map(table_name).collect::<Vec<_>>().join(", ")
            )));
        }
    };
    let picked = inputs.into_iter().filter(|i| i.table == chosen).collect();
    Ok((chosen, picked))
}

/// The table layout from a schema, checked against every SSTable.
fn layout_from_schema(
    t: &TableSchema,
    inputs: &mut [Input],
) -> Result<(TableLayout, Vec<(String, CqlType)>)> {
    for input in inputs.iter_mut() {
        let f = fit(t, &input.sstable.statistics().header).map_err(|e| {
            e.context(format!("table {}", t.qualified_name())).with_path(&input.path)
        })?;
        if !f.frozen_columns.is_empty() {
            input.sstable = SSTable::open_with(
                &input.path,
                &OpenOptions { frozen_columns: f.frozen_columns, ..OpenOptions::default() },
            )?;
        }
    }
    let first =
        inputs.first().map(|i| i.sstable.partitioner().clone()).unwrap_or(Partitioner::Murmur3);
    let sorted = |cols: &[crate::schema::SchemaColumn]| {
        let mut v: Vec<TableColumn> =
            cols.iter().map(|c| TableColumn { name: c.name.clone(), ty: c.ty.clone() }).collect();
        v.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        v
    };
    let keys = t
        .partition_key
        .iter()
        .chain(&t.clustering)
        .map(|c| (c.name.clone(), c.ty.ty.clone()))
        .collect();
    Ok((
        TableLayout {
            partitioner: first,
            clustering: t.clustering_types(),
            statics: sorted(&t.statics),
            regulars: sorted(&t.regulars),
        },
        keys,
    ))
}

/// The table layout from the SSTables' headers: the union of their columns,
/// which must agree on every type; keys named `pk0…`, `ck0…`.
fn layout_from_headers(inputs: &[Input]) -> Result<(TableLayout, Vec<(String, CqlType)>)> {
    let first = inputs.first().ok_or_else(|| usage("no SSTable"))?;
    let h0 = first.sstable.header();
    let mut statics: Vec<(TableColumn, &Path)> = Vec::new();
    let mut regulars: Vec<(TableColumn, &Path)> = Vec::new();
    for input in inputs {
        let h = input.sstable.header();
        if !same_type(&h.key_type, &h0.key_type)
            || h.clustering.len() != h0.clustering.len()
            || h.clustering.iter().zip(&h0.clustering).any(|(a, b)| !same_type(a, b))
        {
            return Err(Error::new(
                ErrorKind::Schema,
                format!(
                    "{} and {} disagree on the primary key (key {} / {}, clustering {:?} / {:?})",
                    first.path.display(),
                    input.path.display(),
                    h0.key_type.cql(),
                    h.key_type.cql(),
                    h0.clustering.iter().map(CqlType::cql).collect::<Vec<_>>(),
                    h.clustering.iter().map(CqlType::cql).collect::<Vec<_>>()
                ),
            ));
        }
        for (defs, into) in [(h.statics.defs(), &mut statics), (h.regulars.defs(), &mut regulars)] {
            for d in defs {
                match into.iter().find(|(c, _)| c.name == d.name) {
                    Some((c, seen_in)) => {
                        if !same_type(&c.ty.ty, &d.ty.ty) || c.ty.multi_cell != d.ty.multi_cell {
                            return Err(Error::new(
                                ErrorKind::Schema,
                                format!(
                                    "column {}: {} in {} but {} in {}",
                                    d.name,
                                    c.ty.cql(),
                                    seen_in.display(),
                                    d.ty.cql(),
                                    input.path.display()
                                ),
                            ));
                        }
                    }
                    None => into.push((
                        TableColumn { name: d.name.clone(), ty: d.ty.clone() },
                        &input.path,
                    )),
                }
            }
        }
    }
    let sorted = |v: Vec<(TableColumn, &Path)>| {
        let mut v: Vec<TableColumn> = v.into_iter().map(|(c, _)| c).collect();
        v.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        v
    };
    let key_parts = match &h0.key_type {
        CqlType::Composite(ts) => ts.clone(),
        t => vec![t.clone()],
    };
    let mut keys: Vec<(String, CqlType)> =
        key_parts.into_iter().enumerate().map(|(i, t)| (format!("pk{i}"), t)).collect();
    keys.extend(
        h0.clustering.iter().enumerate().map(|(i, t)| (format!("ck{i}"), t.unreversed().clone())),
    );
    Ok((
        TableLayout {
            partitioner: first.sstable.partitioner().clone(),
            clustering: h0.clustering.clone(),
            statics: sorted(statics),
            regulars: sorted(regulars),
        },
        keys,
    ))
}

/// Splits a partition key into its components.
fn key_components(key: &[u8], composite: bool) -> Vec<&[u8]> {
    if !composite {
        return vec![key];
    }
    let mut out = Vec::new();
    let mut rest = key;
    while rest.len() >= 2 {
        let n = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        let Some(v) = rest.get(2..2 + n) else { break };
        out.push(v);
        rest = rest.get(3 + n..).unwrap_or_default();
    }
    out
}

/// The bucket of a token among `n` equal token ranges.
fn bucket_of(token: Token, n: u32) -> u32 {
    match token {
        Token::Murmur3(t) => {
            (((t as i128 - i64::MIN as i128) as u128 * u128::from(n)) >> 64) as u32
        }
        Token::Random(t) => ((t / ((1u128 << 127) / u128::from(n) + 1)) as u32).min(n - 1),
        Token::Bytes => 0,
    }
}

/// The first Murmur3 token of bucket `b` of `n`: the least `t` with
/// `bucket_of(t) = b`, i.e. `MIN + ⌈b·2⁶⁴/n⌉`.
fn murmur3_bucket_start(b: u32, n: u32) -> i128 {
    i64::MIN as i128 + ((u128::from(b) << 64).div_ceil(u128::from(n))) as i128
}

/// The first token of bucket `b` (`None` for partitioners without ranges).
fn bucket_start(b: u32, n: u32, partitioner: &Partitioner) -> Option<Token> {
    match partitioner {
        Partitioner::Murmur3 => Some(Token::Murmur3(murmur3_bucket_start(b, n) as i64)),
        Partitioner::Random => {
            Some(Token::Random(((1u128 << 127) / u128::from(n) + 1) * u128::from(b)))
        }
        _ => None,
    }
}

/// The token range of bucket `b` as text (inclusive start, inclusive end).
fn bucket_range(b: u32, n: u32, partitioner: &Partitioner) -> (String, String) {
    match partitioner {
        Partitioner::Murmur3 => {
            let start = |b: u32| murmur3_bucket_start(b, n);
            let s = start(b);
            let e = if b + 1 == n { i64::MAX as i128 } else { start(b + 1) - 1 };
            (s.to_string(), e.to_string())
        }
        Partitioner::Random => {
            let width = (1u128 << 127) / u128::from(n) + 1;
            let s = width * u128::from(b);
            let e = if b + 1 == n { 1u128 << 127 } else { s + width - 1 };
            (s.to_string(), e.to_string())
        }
        _ => ("".into(), "".into()),
    }
}

/// One finished part.
#[derive(Debug, Clone)]
struct Part {
    file: String,
    rows: u64,
    bytes: u64,
    sha256: String,
    linked: bool,
}

/// Writes rows into per-bucket part files.
struct PartWriter<'a> {
    dir: PathBuf,
    parent: Option<PathBuf>,
    layout: &'a RowLayout,
    composite_key: bool,
    clustering_len: usize,
    buckets: u32,
    /// This writer's buckets: `first..end`.
    first: u32,
    end: u32,
    current: Option<(u32, BufWriter<File>, Sha256, u64, u64)>,
    parts: Vec<(u32, Part)>,
    line: Vec<u8>,
    counters: &'a Counters,
    rows: u64,
    last_key: Vec<u8>,
}

/// One job's parts (by bucket), merge counts and rows.
type JobResult = (Vec<(u32, Part)>, MergeStats, u64);

/// Rows and partitions written so far, shared by the jobs.
#[derive(Debug, Default)]
struct Counters {
    rows: AtomicU64,
    partitions: AtomicU64,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl PartWriter<'_> {
    fn part_name(b: u32) -> String {
        format!("part-{b:05}.jsonl")
    }

    fn open(&mut self, b: u32) -> Result<()> {
        let p = self.dir.join(Self::part_name(b));
        let f = File::create(&p).map_err(|e| io("creating a part", &p, e))?;
        self.current = Some((b, BufWriter::with_capacity(1 << 20, f), Sha256::new(), 0, 0));
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        let Some((b, mut w, sha, rows, bytes)) = self.current.take() else { return Ok(()) };
        let name = Self::part_name(b);
        let path = self.dir.join(&name);
        w.flush().map_err(|e| io("writing a part", &path, e))?;
        let f = w.into_inner().map_err(|e| io("writing a part", &path, e.into_error()))?;
        f.sync_all().map_err(|e| io("syncing a part", &path, e))?;
        let sha256 = hex(&sha.finalize());
        let linked = self.link_to_parent(&name, bytes, &sha256)?;
        self.parts.push((b, Part { file: name, rows, bytes, sha256, linked }));
        Ok(())
    }

    /// Replaces a part by a hard link to the parent version's identical one.
    fn link_to_parent(&self, name: &str, bytes: u64, sha256: &str) -> Result<bool> {
        let Some(parent) = &self.parent else { return Ok(false) };
        let old = parent.join(name);
        if std::fs::metadata(&old).map(|m| m.len()).ok() != Some(bytes) {
            return Ok(false);
        }
        let mut h = Sha256::new();
        let mut f = File::open(&old).map_err(|e| io("reading the parent version", &old, e))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf).map_err(|e| io("reading the parent version", &old, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        if hex(&h.finalize()) != sha256 {
            return Ok(false);
        }
        let new = self.dir.join(name);
        std::fs::remove_file(&new).map_err(|e| io("replacing a part", &new, e))?;
        std::fs::hard_link(&old, &new).map_err(|e| io("linking a part", &new, e))?;
        Ok(true)
    }

    /// Moves on to bucket `b`, writing empty parts for buckets skipped.
    fn switch_to(&mut self, b: u32) -> Result<()> {
        let next = match &self.current {
            Some((cur, ..)) if *cur == b => return Ok(()),
            Some((cur, ..)) => cur + 1,
            None => self.parts.last().map_or(self.first, |(b, _)| b + 1),
        };
        self.close()?;
        for empty in next..b {
            self.open(empty)?;
            self.close()?;
        }
        self.open(b)
    }

    fn finish(&mut self) -> Result<()> {
        self.close()?;
        let next = self.parts.last().map_or(self.first, |(b, _)| b + 1);
        for b in next..self.end {
            self.open(b)?;
            self.close()?;
        }
        Ok(())
    }
}

impl RowSink for PartWriter<'_> {
    fn row(
        &mut self,
        key: &[u8],
        token: Token,
        clustering: Option<&[Option<&[u8]>]>,
        values: &[Option<&[u8]>],
    ) -> Result<()> {
        self.switch_to(bucket_of(token, self.buckets))?;
        if key != self.last_key.as_slice() {
            self.counters.partitions.fetch_add(1, Relaxed);
            self.last_key.clear();
            self.last_key.extend_from_slice(key);
        }
        let mut cells: Vec<Option<&[u8]>> =
            key_components(key, self.composite_key).into_iter().map(Some).collect();
        match clustering {
            Some(c) => cells.extend_from_slice(c),
            None => cells.extend(std::iter::repeat_n(None, self.clustering_len)),
        }
        cells.extend_from_slice(values);
        self.line.clear();
        self.layout.write(&mut self.line, &cells).map_err(|e| {
            Error::new(ErrorKind::InvalidValue, e.message)
                .context(format!("partition 0x{}", hex(key)))
        })?;
        self.line.push(b'\n');
        if let Some((_, w, sha, rows, bytes)) = &mut self.current {
            w.write_all(&self.line).map_err(|e| Error::io("writing a part", e))?;
            sha.update(&self.line);
            *rows += 1;
            *bytes += self.line.len() as u64;
        }
        self.rows += 1;
        if self.rows.is_multiple_of(1024) {
            self.counters.rows.fetch_add(1024, Relaxed);
        }
        Ok(())
    }
}

/// The next version name and the current one (the parent), if any.
fn versions(out: &Path) -> Result<(String, Option<String>)> {
    let mut max = 0u32;
    if out.exists() {
        for e in std::fs::read_dir(out).map_err(|e| io("listing the dataset", out, e))? {
            let e = e.map_err(|e| io("listing the dataset", out, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(n) = name.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) {
                max = max.max(n);
            }
        }
    }
    let current = std::fs::read_to_string(out.join("CURRENT")).ok().map(|s| s.trim().to_string());
    Ok((format!("v{:06}", max + 1), current.filter(|c| !c.is_empty())))
}

/// `"buckets": N` of a manifest.
fn manifest_buckets(manifest: &str) -> Option<u32> {
    let at = manifest.find("\"buckets\": ")?;
    manifest[at + 11..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

fn json_string(out: &mut Vec<u8>, s: &str) {
    write_str(out, s.as_bytes());
}

/// Runs an export.
pub fn export(req: &ExportRequest, progress: &mut dyn Progress) -> Result<ExportReport> {
    let paths = find_sstables(&req.inputs)?;
    if paths.is_empty() {
        return Err(usage("no SSTable (*-Data.db) found in the given paths"));
    }
    let mut inputs = Vec::with_capacity(paths.len());
    let mut skipped = Vec::new();
    for p in paths {
        let sstable = match open_sstable(&p, req.schema.as_ref()) {
            Ok(t) => t,
            Err(e) if req.skip_bad && e.kind() != ErrorKind::Io => {
                skipped.push(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let table = match sstable.descriptor().legacy_names() {
            Some((ks, t)) => (Some(ks.to_string()), Some(t.to_string())),
            None => names_from_dir(sstable.descriptor().dir()),
        };
        inputs.push(Input { path: p, table, sstable });
    }
    if inputs.is_empty() {
        return Err(usage(format!("none of the {} SSTables found could be opened", skipped.len())));
    }
    let (table_key, mut inputs) = pick_table(inputs, req.table.as_deref())?;
    let partitioner = inputs[0].sstable.partitioner().clone();
    if let Some(other) = inputs.iter().find(|i| *i.sstable.partitioner() != partitioner) {
        return Err(Error::new(
            ErrorKind::Schema,
            format!(
                "{} uses {:?} but {} uses {:?}",
                inputs[0].path.display(),
                partitioner,
                other.path.display(),
                other.sstable.partitioner()
            ),
        ));
    }
    let schema_table = match &req.schema {
        Some(s) => Some(s.table_for_sstable(inputs[0].sstable.descriptor())?.clone()),
        None => None,
    };
    let (layout, keys) = match &schema_table {
        Some(t) => layout_from_schema(t, &mut inputs)?,
        None => layout_from_headers(&inputs)?,
    };
    let gc_grace = req
        .gc_grace
        .or_else(|| schema_table.as_ref().and_then(|t| t.gc_grace_seconds).map(i64::from))
        .unwrap_or(DEFAULT_GC_GRACE);
    let composite_key = matches!(inputs[0].sstable.header().key_type, CqlType::Composite(_));
    let clustering_len = layout.clustering.len();

    // The version directory, under a temporary name until complete. One
    // writer at a time: the lock also makes leftovers of a killed run safe
    // to remove.
    std::fs::create_dir_all(&req.out).map_err(|e| io("creating the dataset", &req.out, e))?;
    let _lock = lock_dataset(&req.out)?;
    let (version, parent) = versions(&req.out)?;
    let parent_dir = parent.as_ref().map(|p| req.out.join(p));
    let parent_buckets = parent_dir
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("manifest.json")).ok())
        .and_then(|m| manifest_buckets(&m));
    let buckets = match partitioner {
        Partitioner::Murmur3 | Partitioner::Random => {
            parent_buckets.or(req.buckets).unwrap_or(DEFAULT_BUCKETS).max(1)
        }
        _ => 1,
    };
    let tmp = req.out.join(format!(".tmp-{version}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| io("creating the version", &tmp, e))?;

    let mut columns: Vec<(String, CqlType)> = keys.clone();
    columns.extend(
        layout.statics.iter().chain(&layout.regulars).map(|c| (c.name.clone(), c.ty.ty.clone())),
    );
    let row_layout = RowLayout::new(columns);
    let mut report = ExportReport {
        version: version.clone(),
        table: table_name(&table_key),
        sstables: inputs.len() as u64,
        gc_grace,
        skipped,
        ..ExportReport::default()
    };
    // Jobs take contiguous runs of buckets; each reads its token range only.
    let jobs = match req.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, buckets as usize);
    let counters = Counters::default();
    let results: Vec<Result<JobResult>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|j| {
                let (first, end) = (
                    (j * buckets as usize / jobs) as u32,
                    ((j + 1) * buckets as usize / jobs) as u32,
                );
                let (inputs, layout, row_layout, counters) =
                    (&inputs, &layout, &row_layout, &counters);
                let (tmp, parent_dir, partitioner) =
                    (tmp.clone(), parent_dir.clone(), partitioner.clone());
                scope.spawn(move || -> Result<JobResult> {
                    let start =
                        (first > 0).then(|| bucket_start(first, buckets, &partitioner)).flatten();
                    let stop =
                        (end < buckets).then(|| bucket_start(end, buckets, &partitioner)).flatten();
                    let mut readers = Vec::with_capacity(inputs.len());
                    for i in inputs.iter() {
                        let r = match start {
                            Some(t) => i.sstable.reader_from(t)?,
                            None => Some(i.sstable.reader()?),
                        };
                        readers.extend(r);
                    }
                    let mut merger = Merger::new(layout.clone(), readers, req.now, gc_grace)
                        .with_range(start, stop);
                    let mut parts = PartWriter {
                        dir: tmp,
                        parent: parent_dir,
                        layout: row_layout,
                        composite_key,
                        clustering_len,
                        buckets,
                        first,
                        end,
                        current: None,
                        parts: Vec::new(),
                        line: Vec::with_capacity(4096),
                        counters,
                        rows: 0,
                        last_key: Vec::new(),
                    };
                    merger.run(&mut parts)?;
                    parts.finish()?;
                    Ok((parts.parts, merger.stats.clone(), parts.rows))
                })
            })
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            std::thread::sleep(std::time::Duration::from_millis(100));
            progress.rows(counters.rows.load(Relaxed), counters.partitions.load(Relaxed));
        }
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "an export job panicked")))
            })
            .collect()
    });
    let mut all_parts: Vec<(u32, Part)> = Vec::with_capacity(buckets as usize);
    for r in results {
        let (parts, stats, rows) = r?;
        all_parts.extend(parts);
        let m = &mut report.merge;
        m.partitions += stats.partitions;
        m.rows_read += stats.rows_read;
        m.rows_out += stats.rows_out;
        m.tombstones += stats.tombstones;
        m.purgeable += stats.purgeable;
        m.expired += stats.expired;
        m.shadowed += stats.shadowed;
        report.rows += rows;
    }
    all_parts.sort_by_key(|(b, _)| *b);
    let parts: Vec<Part> = all_parts.into_iter().map(|(_, p)| p).collect();
    report.bytes = parts.iter().map(|p| p.bytes).sum();
    report.parts = parts.len() as u32;
    report.linked_parts = parts.iter().filter(|p| p.linked).count() as u32;
    report.data_bytes = inputs.iter().map(|i| i.sstable.data_length()).sum();

    // The manifest.
    let mut m = Vec::new();
    m.extend_from_slice(b"{\n  \"format\": \"casscade-dataset/1\",\n  \"version\": ");
    json_string(&mut m, &version);
    m.extend_from_slice(b",\n  \"parent\": ");
    match &parent {
        Some(p) => json_string(&mut m, p),
        None => m.extend_from_slice(b"null"),
    }
    m.extend_from_slice(b",\n  \"created_by\": ");
    json_string(&mut m, &format!("casscade {}", env!("CARGO_PKG_VERSION")));
    m.extend_from_slice(b",\n  \"table\": ");
    json_string(&mut m, &report.table);
    m.extend_from_slice(format!(",\n  \"now\": {},\n  \"now_utc\": ", req.now).as_bytes());
    json_string(
        &mut m,
        &crate::output::temporal::instant_string(crate::output::temporal::Unit::Seconds, req.now),
    );
    m.extend_from_slice(
        format!(",\n  \"gc_grace_seconds\": {gc_grace},\n  \"partitioner\": ").as_bytes(),
    );
    json_string(&mut m, &inputs[0].sstable.statistics().partitioner);
    m.extend_from_slice(b",\n  \"schema\": {\"source\": ");
    match req.schema.as_ref().and_then(|s| s.source.as_ref()) {
        Some(p) => json_string(&mut m, &p.display().to_string()),
        None if req.schema.is_some() => json_string(&mut m, "(inline)"),
        None => m.extend_from_slice(b"null"),
    }
    m.extend_from_slice(b", \"columns\": [");
    let kinds = keys
        .iter()
        .enumerate()
        .map(|(i, (n, t))| {
            let kind = if i < keys.len() - clustering_len { "partition_key" } else { "clustering" };
            (n.clone(), ColumnType::frozen(t.clone()).cql(), kind)
        })
        .chain(layout.statics.iter().map(|c| (c.name.clone(), c.ty.cql(), "static")))
        .chain(layout.regulars.iter().map(|c| (c.name.clone(), c.ty.cql(), "regular")));
    for (i, (name, ty, kind)) in kinds.enumerate() {
        m.extend_from_slice(if i == 0 { b"\n    {\"name\": " } else { b",\n    {\"name\": " });
        json_string(&mut m, &name);
        m.extend_from_slice(b", \"type\": ");
        json_string(&mut m, &ty);
        m.extend_from_slice(b", \"kind\": ");
        json_string(&mut m, kind);
        m.push(b'}');
    }
    m.extend_from_slice(
        format!(
            "\n  ]}},\n  \"buckets\": {buckets},\n  \"rows\": {},\n  \"parts\": [",
            report.rows
        )
        .as_bytes(),
    );
    for (i, p) in parts.iter().enumerate() {
        let (start, end) = bucket_range(i as u32, buckets, &partitioner);
        m.extend_from_slice(if i == 0 { b"\n    {\"file\": " } else { b",\n    {\"file\": " });
        json_string(&mut m, &p.file);
        m.extend_from_slice(b", \"token_range\": [");
        json_string(&mut m, &start);
        m.extend_from_slice(b", ");
        json_string(&mut m, &end);
        m.extend_from_slice(
            format!("], \"rows\": {}, \"bytes\": {}, \"sha256\": ", p.rows, p.bytes).as_bytes(),
        );
        json_string(&mut m, &p.sha256);
        m.push(b'}');
    }
    m.extend_from_slice(b"\n  ],\n  \"inputs\": [");
    for (i, input) in inputs.iter().enumerate() {
        let size = std::fs::metadata(&input.path).map(|md| md.len()).unwrap_or(0);
        let digest = std::fs::read_to_string(
            input.sstable.descriptor().path_of(crate::sstable::Component::Digest),
        )
        .ok()
        .map(|d| format!("crc32:{}", d.trim()));
        m.extend_from_slice(if i == 0 { b"\n    {\"path\": " } else { b",\n    {\"path\": " });
        json_string(&mut m, &input.path.display().to_string());
        m.extend_from_slice(format!(", \"size\": {size}, \"digest\": ").as_bytes());
        match digest {
            Some(d) => json_string(&mut m, &d),
            None => m.extend_from_slice(b"null"),
        }
        m.extend_from_slice(b", \"format\": ");
        json_string(&mut m, input.sstable.version().as_str());
        m.push(b'}');
    }
    let s = &report.merge;
    m.extend_from_slice(
        format!(
            "\n  ],\n  \"stats\": {{\"partitions\": {}, \"row_versions_read\": {}, \"tombstones\": {}, \
             \"tombstones_past_gc_grace\": {}, \"expired\": {}, \"shadowed\": {}}}\n}}\n",
            s.partitions, s.rows_read, s.tombstones, s.purgeable, s.expired, s.shadowed
        )
        .as_bytes(),
    );
    let mpath = tmp.join("manifest.json");
    let mut f = File::create(&mpath).map_err(|e| io("writing the manifest", &mpath, e))?;
    f.write_all(&m).map_err(|e| io("writing the manifest", &mpath, e))?;
    f.sync_all().map_err(|e| io("writing the manifest", &mpath, e))?;
    sync_dir(&tmp)?;

    // Publish: the version, then CURRENT.
    let dir = req.out.join(&version);
    std::fs::rename(&tmp, &dir).map_err(|e| io("publishing the version", &dir, e))?;
    sync_dir(&req.out)?;
    let cur_tmp = req.out.join(format!(".CURRENT.{}", std::process::id()));
    std::fs::write(&cur_tmp, format!("{version}\n"))
        .map_err(|e| io("writing CURRENT", &cur_tmp, e))?;
    File::open(&cur_tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("writing CURRENT", &cur_tmp, e))?;
    std::fs::rename(&cur_tmp, req.out.join("CURRENT"))
        .map_err(|e| io("writing CURRENT", &req.out, e))?;
    sync_dir(&req.out)?;
    report.dir = dir;
    Ok(report)
}

/// Takes the dataset's exclusive lock and removes what an interrupted run
/// left behind (temporary version directories and CURRENT files).
fn lock_dataset(out: &Path) -> Result<File> {
    let path = out.join(".lock");
    let f = File::create(&path).map_err(|e| io("creating the dataset lock", &path, e))?;
    f.try_lock().map_err(|_| {
        usage(format!(
            "another casscade run is writing {} (it holds {})",
            out.display(),
            path.display()
        ))
    })?;
    for e in std::fs::read_dir(out).map_err(|e| io("listing the dataset", out, e))? {
        let e = e.map_err(|e| io("listing the dataset", out, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") {
            std::fs::remove_dir_all(e.path())
                .map_err(|err| io("removing a leftover", &e.path(), err))?;
        } else if name.starts_with(".CURRENT.") {
            std::fs::remove_file(e.path())
                .map_err(|err| io("removing a leftover", &e.path(), err))?;
        }
    }
    Ok(f)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io("syncing a directory", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_split_the_murmur3_ring_evenly() {
        assert_eq!(bucket_of(Token::Murmur3(i64::MIN), 16), 0);
        assert_eq!(bucket_of(Token::Murmur3(-1), 16), 7);
        assert_eq!(bucket_of(Token::Murmur3(0), 16), 8);
        assert_eq!(bucket_of(Token::Murmur3(i64::MAX), 16), 15);
        let (s, e) = bucket_range(0, 16, &Partitioner::Murmur3);
        assert_eq!((s.as_str(), e.as_str()), ("-9223372036854775808", "-8070450532247928833"));
        let (s, e) = bucket_range(15, 16, &Partitioner::Murmur3);
        assert_eq!((s.as_str(), e.as_str()), ("8070450532247928832", "9223372036854775807"));
        for b in 0..16 {
            let (s, e) = bucket_range(b, 16, &Partitioner::Murmur3);
            assert_eq!(bucket_of(Token::Murmur3(s.parse().unwrap()), 16), b);
            assert_eq!(bucket_of(Token::Murmur3(e.parse().unwrap()), 16), b);
        }
        assert_eq!(bucket_of(Token::Random(1u128 << 127), 4), 3);
        // Uneven splits: each bucket's first and last token map back to it.
        for n in [3u32, 7, 100] {
            for b in 0..n {
                let (s, e) = bucket_range(b, n, &Partitioner::Murmur3);
                let (s, e): (i64, i64) = (s.parse().unwrap(), e.parse().unwrap());
                assert_eq!(bucket_of(Token::Murmur3(s), n), b);
                assert_eq!(bucket_of(Token::Murmur3(e), n), b);
                if b > 0 {
                    assert_eq!(bucket_of(Token::Murmur3(s - 1), n), b - 1);
                    assert_eq!(bucket_start(b, n, &Partitioner::Murmur3), Some(Token::Murmur3(s)));
                }
            }
        }
    }

    #[test]
    fn composite_keys_split() {
        let k = [0, 1, b'a', 0, 0, 2, b'b', b'c', 0];
        assert_eq!(key_components(&k, true), vec![&b"a"[..], b"bc"]);
    }
}
