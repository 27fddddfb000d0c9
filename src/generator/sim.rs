//! The simulated cluster: nodes on a token ring, writes replicated to RF
//! replicas (some miss some writes), per-node clock skew, memtables flushed
//! into SSTables — several generations on day 0 (the full snapshot), then
//! one per node per day (the incremental backups) — and the logical table
//! after each day (the ground truth).
//!
//! Partitions are independent, so the simulation runs one partition at a
//! time, in token order, over the whole period: every writer receives its
//! partitions in order, and memory holds one partition's history.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::output::dataset_row::RowLayout;
use crate::schema::{Schema, TableSchema};
use crate::sstable::compression::Compressor;
use crate::sstable::header::SerializationHeader;
use crate::sstable::statistics::RawHeader;
use crate::sstable::write::{SSTableWriter, WriteOptions, WriterInfo};
use crate::types::CqlType;
use crate::types::token::{Partitioner, Token, murmur3_token};

use super::model::{ColRef, ColumnSpec, Mutation, MutationKind, Op, PartitionModel, TableSpec};
use super::profile::{self, Columns, PartitionState, Profile, Write};
use super::rng::Rng;

/// 2026-01-01T00:00:00Z: day 0 of every simulation.
pub const EPOCH_DAY0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenRequest {
    /// Output directory (created; must be empty or absent).
    pub out: PathBuf,
    /// Workload.
    pub profile: Profile,
    /// Seed: the output depends on nothing else.
    pub seed: u64,
    /// Nodes in the cluster.
    pub nodes: u32,
    /// Replication factor.
    pub rf: u32,
    /// Days of incremental backups after the snapshot.
    pub days: u32,
    /// Partitions (when `size` is not given).
    pub partitions: u64,
    /// Approximate total uncompressed Data.db bytes to aim for.
    pub size: Option<u64>,
    /// SSTable format version: mc, nb or oa.
    pub format: String,
    /// Codec, or `None` for uncompressed.
    pub compression: Option<Compressor>,
    /// Memtable flushes per node in the snapshot.
    pub snapshot_generations: u32,
    /// Write the truth of every day, or only of the last.
    pub truth_every_day: bool,
    /// Chance that a replica misses a write.
    pub miss_rate: f64,
}

impl Default for GenRequest {
    fn default() -> Self {
        GenRequest {
            out: PathBuf::from("gen-out"),
            profile: Profile::Narrow,
            seed: 1,
            nodes: 3,
            rf: 3,
            days: 3,
            partitions: 1000,
            size: None,
            format: "nb".into(),
            compression: Some(Compressor::Lz4),
            snapshot_generations: 3,
            truth_every_day: true,
            miss_rate: 0.05,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct GenReport {
    /// Partitions simulated.
    pub partitions: u64,
    /// SSTables written.
    pub sstables: u64,
    /// Uncompressed Data.db bytes, all SSTables.
    pub data_bytes: u64,
    /// Bytes of every SSTable component written.
    pub stored_bytes: u64,
    /// Live rows in the truth after the last day.
    pub final_rows: u64,
    /// The `--now` (epoch seconds) the last day's truth assumes.
    pub final_now: i64,
    /// The table's gc_grace_seconds.
    pub gc_grace_seconds: u32,
}

fn usage(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, msg)
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{}: {e}", path.display()))
}

/// Everything derived from a profile's schema.
#[derive(Debug, Clone)]
pub struct Table {
    /// The parsed schema.
    pub schema: TableSchema,
    /// The serialization header (delta bases zero).
    pub raw: RawHeader,
    /// What the model needs.
    pub spec: TableSpec,
    /// Column references for the profile's writes.
    pub columns: Columns,
    layout: RowLayout,
    /// For each layout column after the key and clustering: its index in
    /// the model's value list (statics then regulars, header order).
    value_slots: Vec<usize>,
}

/// The table of a profile.
pub fn table(profile: Profile) -> Result<Table> {
    let schema = Schema::parse(&profile.cql())?;
    let schema = schema
        .tables
        .into_iter()
        .next()
        .ok_or_else(|| Error::new(ErrorKind::Schema, "profile defines no table"))?;
    let raw = schema.raw_header();
    let header = SerializationHeader::from_raw(&raw, &[])?;
    let spec_of = |defs: &[crate::sstable::ColumnDef]| -> Vec<ColumnSpec> {
        defs.iter()
            .map(|d| ColumnSpec {
                name: d.name.clone(),
                ty: d.ty.ty.clone(),
                complex: d.ty.multi_cell,
            })
            .collect()
    };
    let spec = TableSpec {
        clustering: header.clustering.clone(),
        statics: spec_of(header.statics.defs()),
        regulars: spec_of(header.regulars.defs()),
    };
    let mut all = Vec::new();
    for (is_static, defs) in [(true, &spec.statics), (false, &spec.regulars)] {
        for (index, c) in defs.iter().enumerate() {
            all.push((c.name.clone(), ColRef { is_static, index }, c.ty.clone(), c.complex));
        }
    }
    let columns = Columns { all };
    // SELECT * order: keys as declared, then statics and regulars by name.
    let mut cols: Vec<(String, CqlType)> = schema
        .partition_key
        .iter()
        .chain(&schema.clustering)
        .map(|c| (c.name.clone(), c.ty.ty.clone()))
        .collect();
    let mut statics: Vec<(String, CqlType)> =
        spec.statics.iter().map(|c| (c.name.clone(), c.ty.clone())).collect();
    let mut regulars: Vec<(String, CqlType)> =
        spec.regulars.iter().map(|c| (c.name.clone(), c.ty.clone())).collect();
    RowLayout::select_order(&mut statics);
    RowLayout::select_order(&mut regulars);
    let slot = |name: &str| -> usize {
        spec.statics
            .iter()
            .position(|c| c.name == name)
            .or_else(|| {
                spec.regulars.iter().position(|c| c.name == name).map(|i| i + spec.statics.len())
            })
            .unwrap_or(0)
    };
    let value_slots = statics.iter().chain(&regulars).map(|(n, _)| slot(n)).collect();
    cols.extend(statics);
    cols.extend(regulars);
    Ok(Table { layout: RowLayout::new(cols), schema, raw, spec, columns, value_slots })
}

/// The serialized partition key.
fn partition_key(components: &[Vec<u8>]) -> Vec<u8> {
    match components {
        [one] => one.clone(),
        many => {
            let mut k = Vec::new();
            for c in many {
                k.extend_from_slice(&(c.len() as u16).to_be_bytes());
                k.extend_from_slice(c);
                k.push(0);
            }
            k
        }
    }
}

/// A counter shard: (row clustering, column, leader node).
type ShardKey = (Vec<Vec<u8>>, usize, u32);

/// A node's 16-byte counter id.
fn counter_id(node: u32) -> [u8; 16] {
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(b"node");
    id[12..].copy_from_slice(&node.to_be_bytes());
    id
}

/// Token-range splits: each flush writes one SSTable per half of the ring,
/// as a node with two data directories does, and the halves are simulated
/// in parallel. Fixed, so that the output does not depend on the machine.
const SPLITS: u32 = 2;

/// The simulation of one token range of one backup.
struct Sim<'a> {
    req: &'a GenRequest,
    split: u32,
    t: &'a Table,
    skew_us: Vec<i64>,
    /// writers[node][window]
    writers: Vec<BTreeMap<u32, SSTableWriter>>,
    truth: BTreeMap<u32, BufWriter<File>>,
    truth_rows: BTreeMap<u32, u64>,
    table_dir: String,
    report: GenReport,
    line: Vec<u8>,
}

impl Sim<'_> {
    fn window_of(&self, day: u32, t_us: i64) -> u32 {
        if day == 0 {
            let into = t_us - EPOCH_DAY0 * 1_000_000;
            let per = DAY * 1_000_000 / i64::from(self.req.snapshot_generations);
            ((into / per) as u32).min(self.req.snapshot_generations - 1)
        } else {
            self.req.snapshot_generations + day - 1
        }
    }

    fn sstable_dir(&self, node: u32, window: u32) -> PathBuf {
        let base = if window < self.req.snapshot_generations {
            self.req.out.join("snapshot")
        } else {
            let day = window - self.req.snapshot_generations + 1;
            self.req.out.join("incremental").join(format!("day-{day:02}"))
        };
        base.join(format!("node{}", node + 1)).join(profile::KEYSPACE).join(&self.table_dir)
    }

    /// Lower bounds of every timestamp and deletion time in a window: the
    /// serialization header's delta bases.
    fn window_start(&self, window: u32) -> i64 {
        if window < self.req.snapshot_generations {
            EPOCH_DAY0 * 1_000_000
                + i64::from(window) * DAY * 1_000_000 / i64::from(self.req.snapshot_generations)
        } else {
            (EPOCH_DAY0 + i64::from(window - self.req.snapshot_generations + 1) * DAY) * 1_000_000
        }
    }

    fn writer(&mut self, node: u32, window: u32) -> Result<&mut SSTableWriter> {
        if !self.writers[node as usize].contains_key(&window) {
            let dir = self.sstable_dir(node, window);
            std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
            let start = self.window_start(window) - 1_000_000;
            let raw = RawHeader {
                min_timestamp: start,
                min_local_deletion_time: (start / 1_000_000) as u32,
                min_ttl: 0,
                ..self.t.raw.clone()
            };
            let mut host = [0u8; 16];
            host[..8].copy_from_slice(&self.req.seed.to_be_bytes());
            host[12..].copy_from_slice(&(node + 1).to_be_bytes());
            let options = WriteOptions {
                version: self.req.format.clone(),
                compression: self
                    .req
                    .compression
                    .map(|c| (c, if self.req.format == "mc" { 64 * 1024 } else { 16 * 1024 })),
                info: WriterInfo {
                    originating_host_id: (self.req.format != "mc").then_some(host),
                    ..WriterInfo::default()
                },
                ..WriteOptions::default()
            };
            let generation = u64::from(window) * u64::from(SPLITS) + u64::from(self.split) + 1;
            let w = SSTableWriter::create(&dir, generation, &raw, options)?;
            self.writers[node as usize].insert(window, w);
        }
        self.writers[node as usize]
            .get_mut(&window)
            .ok_or_else(|| Error::new(ErrorKind::Io, "writer vanished"))
    }

    fn truth_day(&mut self, day: u32) -> Result<Option<&mut BufWriter<File>>> {
        if !self.req.truth_every_day && day != self.req.days {
            return Ok(None);
        }
        if !self.truth.contains_key(&day) {
            let dir = self.req.out.join("truth").join(format!("day-{day:02}"));
            std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
            let p = dir.join(format!(".rows-{}.part", self.split));
            let f = File::create(&p).map_err(|e| io(&p, e))?;
            self.truth.insert(day, BufWriter::with_capacity(1 << 20, f));
        }
        Ok(self.truth.get_mut(&day))
    }

    /// Simulates partition `i` over the whole period.
    fn partition(&mut self, i: u64, key_values: &[Vec<u8>], key: &[u8]) -> Result<()> {
        let req = self.req;
        let t = self.t;
        let mut r = Rng::derive(req.seed, i);
        let token = Partitioner::Murmur3.token(key);
        let Token::Murmur3(tok) = token else { return Ok(()) };
        let primary =
            (((tok as i128 - i64::MIN as i128) as u128 * u128::from(req.nodes)) >> 64) as u32;
        let replicas: Vec<u32> = (0..req.rf).map(|j| (primary + j) % req.nodes).collect();
        let mut state = PartitionState::default();
        let mut truth = PartitionModel::new(&t.spec);
        // Per (node, window), in that order: a flat table rather than a map,
        // whose inserts moved whole models around (perf: 1.3% of gen).
        let windows = req.snapshot_generations + req.days;
        let mut memtables: Vec<Option<PartitionModel<'_>>> =
            (0..req.nodes * windows).map(|_| None).collect();
        let mut shards: BTreeMap<ShardKey, (i64, i64)> = BTreeMap::new();
        let skew = self.skew_us.clone();
        let (mut batch, mut order) = (Vec::new(), Vec::new());
        for day in 0..=req.days {
            let day_start = (EPOCH_DAY0 + i64::from(day) * DAY) * 1_000_000;
            let nodes = req.nodes;
            let mut times = Vec::new();
            let writes = profile::writes(req.profile, &t.columns, &mut state, &mut r, day, |r| {
                let at = day_start + r.below(DAY as u64 * 1_000_000) as i64;
                let coordinator = r.below(u64::from(nodes)) as usize;
                times.push(at);
                let ts = at + skew[coordinator];
                (ts, ts.div_euclid(1_000_000))
            });
            for (w, at) in writes.into_iter().zip(times) {
                let window = self.window_of(day, at);
                let (m, must_reach) = match w {
                    // Counters cannot be incremented after a delete, so a
                    // counter row's deletion comes after every increment of
                    // its day (and the profile increments it no more).
                    Write::Plain(mut m)
                        if req.profile == Profile::Counters
                            && matches!(m.kind, MutationKind::DeleteRow { .. }) =>
                    {
                        m.ts = day_start + DAY * 1_000_000 + 10_000;
                        m.now = m.ts / 1_000_000;
                        (m, None)
                    }
                    Write::Plain(m) => (m, None),
                    Write::Counter { ts, now, clustering, column, delta } => {
                        let leader = replicas[r.below(replicas.len() as u64) as usize];
                        let s = shards
                            .entry((clustering.clone(), column.index, leader))
                            .or_insert((0, 0));
                        s.0 += 1;
                        s.1 = s.1.wrapping_add(delta);
                        let op = Op::CounterShard(counter_id(leader), s.0, s.1);
                        let kind = MutationKind::Write {
                            clustering,
                            marker: false,
                            columns: vec![(column, op)],
                        };
                        (Mutation { ts, now, ttl: None, kind }, Some(leader))
                    }
                };
                let mut reached: Vec<u32> = replicas
                    .iter()
                    .copied()
                    .filter(|n| Some(*n) == must_reach || !r.chance(req.miss_rate))
                    .collect();
                if reached.is_empty() {
                    reached.push(replicas[0]);
                }
                order.push((t.spec.row_order_key(&m), batch.len() as u32));
                batch.push((m, window, reached));
            }
            // Applied in the models' row order (writes to one row keep their
            // order), so rows are mostly appended and touched in memory
            // order; the models' content does not depend on it.
            order.sort_unstable();
            for &(_, i) in &order {
                let (m, window, reached) = &batch[i as usize];
                for &n in reached {
                    memtables[(n * windows + window) as usize]
                        .get_or_insert_with(|| PartitionModel::new(&t.spec))
                        .apply(m);
                }
                truth.apply(m);
            }
            order.clear();
            batch.clear();
            // A day's windows receive no later writes: flush them now, so
            // that only one day's memtables are in memory (and in cache)
            // at a time. Each writer still gets its partitions in order.
            let days_windows = match day {
                0 => 0..req.snapshot_generations,
                d => self.window_of(d, 0)..self.window_of(d, 0) + 1,
            };
            for window in days_windows {
                for node in 0..req.nodes {
                    let slot = (node * windows + window) as usize;
                    let Some(model) = memtables[slot].take() else { continue };
                    if !model.is_empty() {
                        let p = model.into_partition(key);
                        self.writer(node, window)?.append(&p)?;
                    }
                }
            }
            let now = EPOCH_DAY0 + i64::from(day + 1) * DAY;
            if self.truth_day(day)?.is_none() {
                continue;
            }
            let rows = truth.live_rows(now);
            let mut line = std::mem::take(&mut self.line);
            let mut cells: Vec<Option<&[u8]>> = Vec::new();
            for (clustering, values) in &rows {
                cells.clear();
                cells.extend(key_values.iter().map(|v| Some(v.as_slice())));
                match clustering {
                    Some(c) => cells.extend(c.iter().map(|v| Some(v.as_slice()))),
                    None => cells.extend(std::iter::repeat_n(None, t.schema.clustering.len())),
                }
                cells.extend(t.value_slots.iter().map(|&s| values[s].as_deref()));
                line.clear();
                t.layout
                    .write(&mut line, &cells)
                    .map_err(|e| Error::new(ErrorKind::InvalidValue, e.message))?;
                line.push(b'\n');
                if let Some(f) = self.truth_day(day)? {
                    f.write_all(&line).map_err(|e| io(&req.out, e))?;
                }
            }
            self.line = line;
            *self.truth_rows.entry(day).or_insert(0) += rows.len() as u64;
        }
        debug_assert!(memtables.iter().all(Option::is_none), "every window flushed");
        Ok(())
    }
}

/// A deterministic table id for the data directory name.
fn table_id(seed: u64, profile: Profile) -> String {
    let mut r = Rng::derive(seed, 0x0074_6162_6c65 ^ profile.name().len() as u64);
    format!("{:016x}{:016x}", r.next_u64(), r.next_u64())
}

/// Runs a simulation.
pub fn generate(req: &GenRequest) -> Result<GenReport> {
    if req.nodes == 0 || req.rf == 0 || req.rf > req.nodes {
        return Err(usage(format!("--rf {} needs 1 ≤ rf ≤ nodes ({})", req.rf, req.nodes)));
    }
    if req.days > 99 || req.snapshot_generations == 0 {
        return Err(usage("--days must be at most 99"));
    }
    if !matches!(req.format.as_str(), "mc" | "nb" | "oa") {
        return Err(usage(format!("--format {}: choose mc, nb or oa", req.format)));
    }
    if req.out.exists()
        && std::fs::read_dir(&req.out).map_err(|e| io(&req.out, e))?.next().is_some()
    {
        return Err(usage(format!("{} is not empty", req.out.display())));
    }
    let t = table(req.profile)?;
    let partitions = match req.size {
        Some(size) => (size / estimate_bytes_per_partition(req, &t)?).max(1),
        None => req.partitions,
    };
    std::fs::create_dir_all(&req.out).map_err(|e| io(&req.out, e))?;
    let schema_path = req.out.join("schema.cql");
    std::fs::write(&schema_path, format!("CREATE KEYSPACE {} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': {}}};\n{}", profile::KEYSPACE, req.rf, req.profile.cql()))
        .map_err(|e| io(&schema_path, e))?;

    // (token, partition number) only: the key bytes are rebuilt from the
    // number when needed, so this list costs 16 bytes a partition.
    let key_of = |i: u64| partition_key(&req.profile.key_values(i));
    let mut keys: Vec<(i64, u64)> =
        (0..partitions).map(|i| (murmur3_token(&key_of(i)), i)).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| key_of(a.1).cmp(&key_of(b.1))));
    keys.dedup_by(|a, b| a.0 == b.0 && key_of(a.1) == key_of(b.1));

    let mut skew_rng = Rng::derive(req.seed, u64::MAX);
    let skew_us: Vec<i64> = (0..req.nodes).map(|_| skew_rng.range(-3_000, 3_000)).collect();
    let table_dir = format!("{}-{}", req.profile.name(), table_id(req.seed, req.profile));
    let chunk = keys.len().div_ceil(SPLITS as usize).max(1);
    let parts: Vec<&[(i64, u64)]> = keys.chunks(chunk).collect();
    let results: Vec<Result<(GenReport, BTreeMap<u32, u64>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .enumerate()
            .map(|(split, part)| {
                let (t, skew_us, table_dir) = (&t, skew_us.clone(), table_dir.clone());
                scope.spawn(move || -> Result<(GenReport, BTreeMap<u32, u64>)> {
                    let mut sim = Sim {
                        req,
                        split: split as u32,
                        t,
                        skew_us,
                        writers: (0..req.nodes).map(|_| BTreeMap::new()).collect(),
                        truth: BTreeMap::new(),
                        truth_rows: BTreeMap::new(),
                        table_dir,
                        report: GenReport::default(),
                        line: Vec::new(),
                    };
                    for &(_, i) in part.iter() {
                        let key_values = req.profile.key_values(i);
                        sim.partition(i, &key_values, &partition_key(&key_values))?;
                    }
                    let mut report = std::mem::take(&mut sim.report);
                    for node in std::mem::take(&mut sim.writers) {
                        for (_, w) in node {
                            let done = w.finish()?;
                            report.sstables += 1;
                            report.data_bytes += done.data_len;
                            for f in &done.files {
                                report.stored_bytes +=
                                    std::fs::metadata(f).map_err(|e| io(f, e))?.len();
                            }
                        }
                    }
                    for (_, mut f) in std::mem::take(&mut sim.truth) {
                        f.flush().map_err(|e| io(&req.out, e))?;
                    }
                    Ok((report, sim.truth_rows))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::new(ErrorKind::Io, "a generator thread panicked"))
                })
            })
            .collect()
    });
    let mut report = GenReport { partitions: keys.len() as u64, ..GenReport::default() };
    let mut truth_rows: BTreeMap<u32, u64> = BTreeMap::new();
    for r in results {
        let (part, rows) = r?;
        report.sstables += part.sstables;
        report.data_bytes += part.data_bytes;
        report.stored_bytes += part.stored_bytes;
        for (day, n) in rows {
            *truth_rows.entry(day).or_insert(0) += n;
        }
    }
    let gc = t.schema.gc_grace_seconds.unwrap_or(864_000);
    for (&day, &rows) in &truth_rows {
        // The splits' rows, concatenated in token order.
        let dir = req.out.join("truth").join(format!("day-{day:02}"));
        let target = dir.join("rows.jsonl");
        let mut out = BufWriter::new(File::create(&target).map_err(|e| io(&target, e))?);
        for split in 0..SPLITS {
            let part = dir.join(format!(".rows-{split}.part"));
            if let Ok(mut f) = File::open(&part) {
                std::io::copy(&mut f, &mut out).map_err(|e| io(&target, e))?;
                std::fs::remove_file(&part).map_err(|e| io(&part, e))?;
            }
        }
        out.flush().map_err(|e| io(&target, e))?;
        let now = EPOCH_DAY0 + i64::from(day + 1) * DAY;
        let meta = format!(
            "{{\"day\": {day}, \"now\": {now}, \"gc_grace_seconds\": {gc}, \"rows\": {rows}}}\n"
        );
        let p = dir.join("meta.json");
        std::fs::write(&p, meta).map_err(|e| io(&p, e))?;
        if day == req.days {
            report.final_rows = rows;
            report.final_now = now;
        }
    }
    report.gc_grace_seconds = gc;
    Ok(report)
}

/// Average uncompressed Data.db bytes one partition contributes, over a
/// sample of partitions serialized in memory.
fn estimate_bytes_per_partition(req: &GenRequest, t: &Table) -> Result<u64> {
    let raw = RawHeader {
        min_timestamp: EPOCH_DAY0 * 1_000_000,
        min_local_deletion_time: EPOCH_DAY0 as u32,
        ..t.raw.clone()
    };
    let header = SerializationHeader::from_raw(&raw, &[])?;
    let version = crate::sstable::Version::parse(&req.format, crate::sstable::Format::Big)?;
    let sample = 64u64;
    let mut total = 0u64;
    for i in 0..sample {
        let i = u64::MAX / 2 + i;
        let key = partition_key(&req.profile.key_values(i));
        let mut r = Rng::derive(req.seed, i);
        let mut state = PartitionState::default();
        let mut parts = Vec::new();
        for day in 0..=req.days {
            let mut model = PartitionModel::new(&t.spec);
            let day_start = (EPOCH_DAY0 + i64::from(day) * DAY) * 1_000_000;
            let writes = profile::writes(req.profile, &t.columns, &mut state, &mut r, day, |r| {
                let ts = day_start + r.below(DAY as u64 * 1_000_000) as i64;
                (ts, ts / 1_000_000)
            });
            for w in writes {
                if let Write::Plain(m) = w {
                    model.apply(&m);
                } else if let Write::Counter { ts, now, clustering, column, delta } = w {
                    let op = Op::CounterShard(counter_id(0), 1, delta);
                    model.apply(&Mutation {
                        ts,
                        now,
                        ttl: None,
                        kind: MutationKind::Write {
                            clustering,
                            marker: false,
                            columns: vec![(column, op)],
                        },
                    });
                }
            }
            parts.push(model.into_partition(&key));
        }
        let (bytes, _) =
            crate::sstable::write::serialize_data(&header, &version, &parts, 64 * 1024)?;
        total += bytes.len() as u64;
    }
    // Each write lands on about RF·(1 − miss) replicas.
    let per = total as f64 / sample as f64 * f64::from(req.rf) * (1.0 - req.miss_rate);
    Ok((per as u64).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::model::Mutation;

    /// The simulation applies a day's writes in row order, not in the order
    /// they were made: sound only because a model's content (what a replica
    /// flushes, what a SELECT returns) does not depend on the order.
    #[test]
    fn models_do_not_depend_on_write_order() {
        for profile in [Profile::Narrow, Profile::TimeSeries, Profile::AllTypes] {
            let t = table(profile).unwrap();
            let mut rows = 0;
            for i in 0..30u64 {
                let mut r = Rng::derive(7, i);
                let mut st = PartitionState::default();
                let mut writes: Vec<Mutation> = Vec::new();
                for day in 0..4u32 {
                    let start = (EPOCH_DAY0 + i64::from(day) * DAY) * 1_000_000;
                    let time = |r: &mut Rng| {
                        let ts = start + r.below(DAY as u64 * 1_000_000) as i64;
                        (ts, ts / 1_000_000)
                    };
                    for w in profile::writes(profile, &t.columns, &mut st, &mut r, day, time) {
                        if let Write::Plain(m) = w {
                            writes.push(m);
                        }
                    }
                }
                let (mut made, mut reversed, mut sorted) = (
                    PartitionModel::new(&t.spec),
                    PartitionModel::new(&t.spec),
                    PartitionModel::new(&t.spec),
                );
                writes.iter().for_each(|m| made.apply(m));
                writes.iter().rev().for_each(|m| reversed.apply(m));
                let mut by_row: Vec<&Mutation> = writes.iter().collect();
                by_row.sort_by_key(|m| t.spec.row_order_key(m));
                by_row.into_iter().for_each(|m| sorted.apply(m));
                let now = EPOCH_DAY0 + 4 * DAY;
                let want = (made.to_partition(b"k"), made.live_rows(now));
                rows += want.1.len();
                for (order, m) in [("reversed", &reversed), ("row order", &sorted)] {
                    assert_eq!(
                        (m.to_partition(b"k"), m.live_rows(now)),
                        want,
                        "{profile:?} partition {i}, {order}"
                    );
                }
            }
            assert!(rows >= 10, "{profile:?}: only {rows} live rows to compare");
        }
    }
}
