//! Statistics.db: what Cassandra's `MetadataCollector` gathers while an
//! SSTable is written, and its serialization for `mc`, `nb` and `oa`
//! (SSTABLE_FORMAT.md §8).
//!
//! The trackers follow Cassandra 4.0's semantics: every liveness, cell and
//! deletion updates the timestamp, TTL and deletion-time ranges (a live
//! cell counts as TTL 0 and "no deletion time"), real deletion times feed
//! the tombstone drop-time histogram rounded up to the minute, and the
//! histograms bucket partition sizes and cells per partition. The parts a
//! reader never needs but Cassandra stores (commit-log positions, the
//! originating host) come from [`WriterInfo`].

use crate::types::CqlType;
use crate::types::cursor::encode_uvint;

use super::super::clustering::{ROW_KIND, compare_prefixes};
use super::super::content::{Cell, ClusteringValue, Item, Partition, Row};
use super::super::row::{DeletionTime, LivenessInfo};
use super::super::statistics::{DELETION_TIME_EPOCH, RawHeader, TIMESTAMP_EPOCH};
use super::data::PartitionLayout;
use super::hll::Cardinality;

/// A commit-log position: segment id and offset.
pub type CommitLogPosition = (i64, i32);

/// Facts about the writer that Statistics.db records but content does not
/// determine.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterInfo {
    /// Commit-log lower and upper bounds covered by the data.
    pub commit_log_bounds: (CommitLogPosition, CommitLogPosition),
    /// Commit-log intervals (`mc`+).
    pub commit_log_intervals: Vec<(CommitLogPosition, CommitLogPosition)>,
    /// The host that wrote the SSTable (`nb`+).
    pub originating_host_id: Option<[u8; 16]>,
    /// `oa`+: share of the token ring the SSTable covers (NaN if unknown).
    pub token_space_coverage: f64,
}

impl Default for WriterInfo {
    fn default() -> Self {
        WriterInfo {
            commit_log_bounds: ((-1, 0), (-1, 0)),
            commit_log_intervals: Vec::new(),
            originating_host_id: None,
            token_space_coverage: f64::NAN,
        }
    }
}

/// `EstimatedHistogram`: buckets `(offset[i-1], offset[i]]`, growing by 1.2.
#[derive(Debug, Clone)]
struct Histogram {
    offsets: Vec<u64>,
    counts: Vec<u64>,
}

impl Histogram {
    fn new(size: usize) -> Histogram {
        let mut offsets = Vec::with_capacity(size);
        let mut last = 1u64;
        offsets.push(last);
        while offsets.len() < size {
            let mut next = (last as f64 * 1.2).round() as u64;
            if next == last {
                next += 1;
            }
            offsets.push(next);
            last = next;
        }
        Histogram { counts: vec![0; size + 1], offsets }
    }

    fn add(&mut self, v: u64) {
        let i = self.offsets.partition_point(|&o| o < v);
        self.counts[i] += 1;
    }

    fn serialize(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.counts.len() as i32).to_be_bytes());
        for (i, c) in self.counts.iter().enumerate() {
            let offset = self.offsets[i.saturating_sub(1)];
            out.extend_from_slice(&offset.to_be_bytes());
            out.extend_from_slice(&c.to_be_bytes());
        }
    }
}

/// The tombstone drop-time histogram (`StreamingTombstoneHistogramBuilder`):
/// points rounded up to the minute are counted exactly in a spool of up to
/// 100,000 distinct points, and reduced to at most 100 bins by merging the
/// two closest bins (their count-weighted mean) when the spool fills and
/// when the histogram is written.
#[derive(Debug, Clone, Default)]
struct DropTimes {
    /// Minute points near the first one seen, counted by minute offset from
    /// `base` (a direct index: hashing every point was ~8% of `gen` on
    /// TTL-heavy data). Allocated on the first point.
    dense: Vec<u64>,
    /// The minute (`point / 60`) that `dense[0]` counts.
    base: i64,
    /// Non-zero entries of `dense` (not counting `pending`).
    dense_points: usize,
    /// Increments of `dense` not applied yet, `(n << DENSE_BITS) | slot`:
    /// a writer's `dense` is rarely in cache when its next cell comes
    /// (a flush feeds dozens of writers in turn), so slots are gathered and
    /// applied in batches (a cache miss per cell was ~6% of `gen`).
    pending: Vec<u64>,
    /// Every other point: minutes outside `dense`'s span and merged bins
    /// (count-weighted means, not minute-aligned). A point is never in both.
    bins: std::collections::HashMap<i64, u64, BuildMinuteHasher>,
    /// The last point counted: consecutive cells often share a minute.
    last: Option<(i64, u64)>,
}

/// A multiplicative hash for the spool's minute keys: SipHash, the
/// default, cost ~5% of `gen` (one lookup per expiring or deleted cell),
/// and the keys are not attacker-chosen.
#[derive(Default, Clone, Copy)]
struct MinuteHasher(u64);

impl std::hash::Hasher for MinuteHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(26);
    }
}

type BuildMinuteHasher = std::hash::BuildHasherDefault<MinuteHasher>;

const MAX_BINS: usize = 100;
const SPOOL: usize = 100_000;
/// Minutes counted directly (about 11 days), and how many of them precede
/// the first point seen: half, since the first point may be a TTL's expiry
/// days ahead of the deletions that follow (with 1.4 days before it, ~4%
/// of `gen`'s time went to hashing those deletions).
const DENSE_BITS: u32 = 14;
const DENSE_MINUTES: usize = 1 << DENSE_BITS;
/// Pending dense increments applied at once.
const PENDING: usize = 4096;
const DENSE_BEFORE: i64 = 1 << 13;

impl DropTimes {
    fn add(&mut self, ldt: i64) {
        let rounded = match ldt.rem_euclid(60) {
            0 => ldt,
            d => ldt + (60 - d),
        };
        match &mut self.last {
            Some((p, n)) if *p == rounded => {
                *n += 1;
                return;
            }
            _ => {}
        }
        self.flush_last();
        self.last = Some((rounded, 1));
        if self.bins.len() + self.dense_points + self.pending.len() > SPOOL {
            // Pending increments may add dense points: the exact count decides.
            self.apply_pending();
            if self.bins.len() + self.dense_points > SPOOL {
                self.reduce();
            }
        }
    }

    /// Where `dense` counts `point`, if it does.
    fn dense_slot(&self, point: i64) -> Option<usize> {
        if point.rem_euclid(60) != 0 {
            return None;
        }
        let i = usize::try_from((point / 60).checked_sub(self.base)?).ok()?;
        (i < self.dense.len()).then_some(i)
    }

    fn count(&mut self, point: i64, n: u64) {
        if self.dense.is_empty() && point.rem_euclid(60) == 0 {
            self.dense = vec![0; DENSE_MINUTES];
            self.base = point / 60 - DENSE_BEFORE;
        }
        match self.dense_slot(point) {
            // Counts beyond 2^50 per minute are not reachable in one SSTable.
            Some(i) if n < 1 << (64 - DENSE_BITS) => {
                self.pending.push((n << DENSE_BITS) | i as u64);
                if self.pending.len() >= PENDING {
                    self.apply_pending();
                }
            }
            Some(i) => self.count_dense(i, n),
            None => *self.bins.entry(point).or_insert(0) += n,
        }
    }

    fn count_dense(&mut self, i: usize, n: u64) {
        if let Some(c) = self.dense.get_mut(i) {
            self.dense_points += usize::from(*c == 0);
            *c += n;
        }
    }

    fn apply_pending(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        for &e in &pending {
            self.count_dense((e & ((1 << DENSE_BITS) - 1)) as usize, e >> DENSE_BITS);
        }
        pending.clear();
        self.pending = pending;
    }

    fn flush_last(&mut self) {
        if let Some((p, n)) = self.last.take() {
            self.count(p, n);
        }
    }

    /// Every point counted, by point.
    fn points(&mut self) -> Vec<(i64, u64)> {
        self.apply_pending();
        let mut pts: Vec<(i64, u64)> = self.bins.iter().map(|(&p, &c)| (p, c)).collect();
        pts.extend(
            self.dense
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c != 0)
                .map(|(i, &c)| ((self.base + i as i64) * 60, c)),
        );
        pts.sort_unstable();
        pts
    }

    /// Merges closest neighbours until at most [`MAX_BINS`] remain.
    fn reduce(&mut self) {
        self.flush_last();
        self.apply_pending();
        if self.bins.len() + self.dense_points <= MAX_BINS {
            return;
        }
        // Bins as a list with a heap of neighbour gaps; merged-away entries
        // are skipped lazily.
        let mut pts: Vec<(i64, u64, bool)> =
            self.points().into_iter().map(|(p, c)| (p, c, true)).collect();
        let n = pts.len();
        let mut next: Vec<usize> = (1..=n).collect();
        let mut prev: Vec<usize> = (0..n).map(|i| i.wrapping_sub(1)).collect();
        let mut heap = std::collections::BinaryHeap::new();
        for i in 0..n - 1 {
            heap.push(std::cmp::Reverse((pts[i + 1].0 - pts[i].0, i, pts[i].0, pts[i + 1].0)));
        }
        let mut alive = n;
        while alive > MAX_BINS {
            let Some(std::cmp::Reverse((_, i, pi, pj))) = heap.pop() else { break };
            let j = next[i];
            if j >= n || !pts[i].2 || !pts[j].2 || pts[i].0 != pi || pts[j].0 != pj {
                continue;
            }
            let (c1, c2) = (pts[i].1, pts[j].1);
            let total = c1 + c2;
            let p = ((i128::from(pts[i].0) * i128::from(c1)
                + i128::from(pts[j].0) * i128::from(c2))
                / i128::from(total)) as i64;
            pts[i] = (p, total, true);
            pts[j].2 = false;
            next[i] = next[j];
            if next[i] < n {
                prev[next[i]] = i;
                heap.push(std::cmp::Reverse((pts[next[i]].0 - p, i, p, pts[next[i]].0)));
            }
            let pi_ = prev[i];
            if pi_ < n {
                heap.push(std::cmp::Reverse((p - pts[pi_].0, pi_, pts[pi_].0, p)));
            }
            alive -= 1;
        }
        self.bins.clear();
        self.dense.fill(0);
        self.dense_points = 0;
        for (p, c, live) in pts {
            if live {
                self.count(p, c);
            }
        }
    }

    /// The histogram as written: at most [`MAX_BINS`] bins, by point.
    fn reduced(&self) -> std::collections::BTreeMap<i64, u64> {
        let mut d = self.clone();
        d.reduce();
        d.points().into_iter().collect()
    }
}

/// Gathers everything STATS and COMPACTION record.
#[derive(Debug, Clone)]
pub(crate) struct Collector {
    oa: bool,
    partition_sizes: Histogram,
    cells_per_partition: Histogram,
    ts: Option<(i64, i64)>,
    ldt: Option<(i64, i64)>,
    ttl: Option<(i32, i32)>,
    drop_times: DropTimes,
    clustering_types: Vec<CqlType>,
    /// `m*`/`n*`: per-component minimum and maximum values.
    min_values: Vec<Option<Vec<u8>>>,
    max_values: Vec<Option<Vec<u8>>>,
    /// `oa`: the smallest and largest clustering prefix (kind, values).
    min_prefix: Option<(u8, Vec<ClusteringValue>)>,
    max_prefix: Option<(u8, Vec<ClusteringValue>)>,
    total_cells: i64,
    total_rows: i64,
    partition_deletions: bool,
    first_key: Option<Vec<u8>>,
    last_key: Vec<u8>,
    pub(crate) cardinality: Cardinality,
}

/// `dst = src`, reusing `dst`'s allocations.
fn assign(dst: &mut Vec<ClusteringValue>, src: &[ClusteringValue]) {
    dst.truncate(src.len());
    let n = dst.len();
    for (d, v) in dst.iter_mut().zip(src) {
        d.clone_from(v);
    }
    dst.extend_from_slice(&src[n..]);
}

impl Collector {
    pub fn new(oa: bool, clustering_types: Vec<CqlType>) -> Collector {
        let n = clustering_types.len();
        Collector {
            oa,
            partition_sizes: Histogram::new(if oa { 155 } else { 150 }),
            cells_per_partition: Histogram::new(118),
            ts: None,
            ldt: None,
            ttl: None,
            drop_times: DropTimes::default(),
            clustering_types,
            min_values: vec![None; n],
            max_values: vec![None; n],
            min_prefix: None,
            max_prefix: None,
            total_cells: 0,
            total_rows: 0,
            partition_deletions: false,
            first_key: None,
            last_key: Vec::new(),
            cardinality: Cardinality::default(),
        }
    }

    fn no_ldt(&self) -> i64 {
        if self.oa { i64::from(u32::MAX) } else { i64::from(i32::MAX) }
    }

    fn timestamp(&mut self, t: i64) {
        self.ts = Some(self.ts.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
    }

    fn local_deletion_time(&mut self, l: i64) {
        self.ldt = Some(self.ldt.map_or((l, l), |(a, b)| (a.min(l), b.max(l))));
        if l != self.no_ldt() {
            self.drop_times.add(l);
        }
    }

    fn ttl_value(&mut self, t: i32) {
        self.ttl = Some(self.ttl.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
    }

    fn deletion(&mut self, d: &DeletionTime) {
        self.timestamp(d.marked_for_delete_at);
        self.local_deletion_time(d.local_deletion_time);
    }

    fn liveness(&mut self, l: &LivenessInfo) {
        self.timestamp(l.timestamp);
        match l.expiration {
            Some(e) => {
                self.ttl_value(e.ttl);
                self.local_deletion_time(e.local_expiration_time);
            }
            None => {
                self.ttl_value(0);
                let none = self.no_ldt();
                self.local_deletion_time(none);
            }
        }
    }

    fn cell(&mut self, c: &Cell) {
        self.timestamp(c.timestamp);
        self.ttl_value(c.ttl().unwrap_or(0));
        let ldt = c.local_deletion_time().unwrap_or_else(|| self.no_ldt());
        self.local_deletion_time(ldt);
    }

    fn row(&mut self, r: &Row) {
        if let Some(l) = &r.liveness {
            self.liveness(l);
        }
        if let Some(d) = &r.deletion {
            self.deletion(d);
        }
        if let Some(d) = &r.scylla_shadowable {
            self.deletion(d);
        }
        for c in &r.columns {
            if let Some(d) = &c.complex_deletion {
                self.deletion(d);
            }
            for cell in &c.cells {
                self.cell(cell);
            }
        }
    }

    fn clustering(&mut self, kind: u8, values: &[ClusteringValue]) {
        let types = &self.clustering_types;
        if !self.oa {
            for (i, v) in values.iter().enumerate() {
                let (Some(v), Some(ty)) = (v, types.get(i)) else { continue };
                let less =
                    |a: &[u8], b: &[u8]| crate::types::compare::compare_values(ty, a, b).is_lt();
                // Replaced in place: a time series sets a new maximum with
                // nearly every row.
                let set = |slot: &mut Option<Vec<u8>>| {
                    let s = slot.get_or_insert_with(Vec::new);
                    s.clear();
                    s.extend_from_slice(v);
                };
                if self.min_values[i].as_deref().is_none_or(|m| less(v, m)) {
                    set(&mut self.min_values[i]);
                }
                if self.max_values[i].as_deref().is_none_or(|m| less(m, v)) {
                    set(&mut self.max_values[i]);
                }
            }
            return;
        }
        let cmp =
            |p: &(u8, Vec<ClusteringValue>)| compare_prefixes(types, (kind, values), (p.0, &p.1));
        let set = |slot: &mut Option<(u8, Vec<ClusteringValue>)>| {
            let s = slot.get_or_insert_with(|| (kind, Vec::new()));
            s.0 = kind;
            assign(&mut s.1, values);
        };
        if self.min_prefix.as_ref().is_none_or(|p| cmp(p).is_lt()) {
            set(&mut self.min_prefix);
        }
        if self.max_prefix.as_ref().is_none_or(|p| cmp(p).is_gt()) {
            set(&mut self.max_prefix);
        }
    }

    /// Records one written partition.
    pub fn partition(&mut self, p: &Partition, layout: &PartitionLayout) {
        if self.first_key.is_none() {
            self.first_key = Some(p.key.clone());
        }
        self.last_key.clear();
        self.last_key.extend_from_slice(&p.key);
        self.cardinality.offer_key(&p.key);
        if let Some(d) = &p.deletion {
            self.partition_deletions = true;
            self.deletion(d);
        }
        if let Some(s) = &p.static_row {
            self.row(s);
        }
        for item in &p.items {
            match item {
                Item::Row(r) => {
                    self.row(r);
                    self.clustering(ROW_KIND, &r.clustering);
                }
                Item::Marker(m) => {
                    self.deletion(&m.deletion);
                    if let Some(d) = &m.open {
                        self.deletion(d);
                    }
                    self.clustering(super::data::bound_byte(m.kind), &m.clustering);
                }
            }
        }
        self.partition_sizes.add(layout.length);
        self.cells_per_partition.add(layout.cells);
        self.total_cells += layout.cells as i64;
        self.total_rows += layout.rows as i64;
    }
}

/// `EncodingStats.Collector`: only expiring/deleted values count for the
/// deletion time and TTL bases.
#[derive(Debug, Clone, Default)]
pub struct EncodingStats {
    ts: Option<i64>,
    ldt: Option<i64>,
    ttl: Option<i32>,
}

impl EncodingStats {
    fn ts(&mut self, t: i64) {
        self.ts = Some(self.ts.map_or(t, |m| m.min(t)));
    }

    fn ldt(&mut self, l: i64) {
        self.ldt = Some(self.ldt.map_or(l, |m| m.min(l)));
    }

    fn ttl(&mut self, t: i32) {
        self.ttl = Some(self.ttl.map_or(t, |m| m.min(t)));
    }

    fn deletion(&mut self, d: &DeletionTime) {
        self.ts(d.marked_for_delete_at);
        self.ldt(d.local_deletion_time);
    }

    fn row(&mut self, r: &Row) {
        if let Some(l) = &r.liveness {
            self.ts(l.timestamp);
            if let Some(e) = l.expiration {
                self.ttl(e.ttl);
                self.ldt(e.local_expiration_time);
            }
        }
        if let Some(d) = &r.deletion {
            self.deletion(d);
        }
        if let Some(d) = &r.scylla_shadowable {
            self.deletion(d);
        }
        for c in &r.columns {
            if let Some(d) = &c.complex_deletion {
                self.deletion(d);
            }
            for cell in &c.cells {
                self.ts(cell.timestamp);
                if let Some(t) = cell.ttl() {
                    self.ttl(t);
                }
                if let Some(l) = cell.local_deletion_time() {
                    self.ldt(l);
                }
            }
        }
    }

    /// Adds a partition's content.
    pub fn partition(&mut self, p: &Partition) {
        if let Some(d) = &p.deletion {
            self.deletion(d);
        }
        if let Some(s) = &p.static_row {
            self.row(s);
        }
        for item in &p.items {
            match item {
                Item::Row(r) => self.row(r),
                Item::Marker(m) => {
                    self.deletion(&m.deletion);
                    if let Some(d) = &m.open {
                        self.deletion(d);
                    }
                }
            }
        }
    }

    /// (min timestamp, min local deletion time as raw 32 bits, min TTL).
    pub fn get(&self) -> (i64, u32, i32) {
        (
            self.ts.unwrap_or(TIMESTAMP_EPOCH),
            self.ldt.map_or(DELETION_TIME_EPOCH as u32, |l| l as u32),
            self.ttl.unwrap_or(0),
        )
    }
}

/// Which STATS layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Mc,
    Nb,
    Oa,
}

fn clp(p: CommitLogPosition, out: &mut Vec<u8>) {
    out.extend_from_slice(&p.0.to_be_bytes());
    out.extend_from_slice(&p.1.to_be_bytes());
}

fn vbytes(b: &[u8], out: &mut Vec<u8>) {
    encode_uvint(b.len() as u64, out);
    out.extend_from_slice(b);
}

/// Java `writeUTF` of an ASCII string.
fn java_utf(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The serialized HEADER component.
pub(crate) fn header_bytes(h: &RawHeader, out: &mut Vec<u8>) {
    encode_uvint(h.min_timestamp.wrapping_sub(TIMESTAMP_EPOCH) as u64, out);
    encode_uvint(
        i64::from((h.min_local_deletion_time as i32).wrapping_sub(DELETION_TIME_EPOCH)) as u64,
        out,
    );
    encode_uvint(i64::from(h.min_ttl) as u64, out);
    vbytes(h.key_type.as_bytes(), out);
    encode_uvint(h.clustering_types.len() as u64, out);
    for t in &h.clustering_types {
        vbytes(t.as_bytes(), out);
    }
    for cols in [&h.static_columns, &h.regular_columns] {
        encode_uvint(cols.len() as u64, out);
        for (name, ty) in cols {
            vbytes(name.as_bytes(), out);
            vbytes(ty.as_bytes(), out);
        }
    }
}

impl Collector {
    /// The STATS component.
    pub fn stats_bytes(
        &self,
        layout: Layout,
        compression_ratio: f64,
        clustering_type_strings: &[String],
        info: &WriterInfo,
        out: &mut Vec<u8>,
    ) {
        let none = self.no_ldt();
        self.partition_sizes.serialize(out);
        self.cells_per_partition.serialize(out);
        clp(info.commit_log_bounds.1, out);
        let (min_ts, max_ts) = self.ts.unwrap_or((i64::MIN, i64::MAX));
        out.extend_from_slice(&min_ts.to_be_bytes());
        out.extend_from_slice(&max_ts.to_be_bytes());
        let (min_ldt, max_ldt) = self.ldt.unwrap_or((none, none));
        out.extend_from_slice(&(min_ldt as u32).to_be_bytes());
        out.extend_from_slice(&(max_ldt as u32).to_be_bytes());
        let (min_ttl, max_ttl) = self.ttl.unwrap_or((0, 0));
        out.extend_from_slice(&min_ttl.to_be_bytes());
        out.extend_from_slice(&max_ttl.to_be_bytes());
        out.extend_from_slice(&compression_ratio.to_be_bytes());
        let bins = &self.drop_times.reduced();
        let max_bins = if layout == Layout::Mc { MAX_BINS as i32 } else { bins.len() as i32 };
        out.extend_from_slice(&max_bins.to_be_bytes());
        out.extend_from_slice(&(bins.len() as i32).to_be_bytes());
        for (&p, &c) in bins {
            if layout == Layout::Oa {
                out.extend_from_slice(&p.to_be_bytes());
                out.extend_from_slice(&(c.min(i32::MAX as u64) as i32).to_be_bytes());
            } else {
                out.extend_from_slice(&(p as f64).to_be_bytes());
                out.extend_from_slice(&(c as i64).to_be_bytes());
            }
        }
        out.extend_from_slice(&0i32.to_be_bytes()); // sstable level
        out.extend_from_slice(&0i64.to_be_bytes()); // repairedAt
        if layout == Layout::Oa {
            encode_uvint(clustering_type_strings.len() as u64, out);
            for t in clustering_type_strings {
                vbytes(t.as_bytes(), out);
            }
            self.covered_slice(out);
        } else {
            for values in [&self.min_values, &self.max_values] {
                let set: Vec<&Vec<u8>> = values.iter().map_while(|v| v.as_ref()).collect();
                out.extend_from_slice(&(set.len() as i32).to_be_bytes());
                for v in set {
                    out.extend_from_slice(&(v.len() as u16).to_be_bytes());
                    out.extend_from_slice(v);
                }
            }
        }
        out.push(0); // hasLegacyCounterShards
        out.extend_from_slice(&self.total_cells.to_be_bytes());
        out.extend_from_slice(&self.total_rows.to_be_bytes());
        clp(info.commit_log_bounds.0, out);
        out.extend_from_slice(&(info.commit_log_intervals.len() as i32).to_be_bytes());
        for &(a, b) in &info.commit_log_intervals {
            clp(a, out);
            clp(b, out);
        }
        if layout == Layout::Mc {
            return;
        }
        out.push(0); // no pending repair
        out.push(0); // not transient
        match &info.originating_host_id {
            Some(id) => {
                out.push(1);
                out.extend_from_slice(id);
            }
            None => out.push(0),
        }
        if layout == Layout::Oa {
            out.push(u8::from(self.partition_deletions));
            vbytes(self.first_key.as_deref().unwrap_or_default(), out);
            vbytes(&self.last_key, out);
            out.extend_from_slice(&info.token_space_coverage.to_be_bytes());
        }
    }

    /// `oa`: the clustering slice the SSTable covers, as a start and an end
    /// bound (the whole range when it has no clustered content).
    fn covered_slice(&self, out: &mut Vec<u8>) {
        let bound = |kind: u8, values: &[ClusteringValue], out: &mut Vec<u8>| {
            out.push(kind);
            out.extend_from_slice(&(values.len() as u16).to_be_bytes());
            // The data writer has already checked these values' widths.
            let types = &self.clustering_types;
            let _ = super::data::write_values_without_size(
                values,
                |i| types.get(i).and_then(CqlType::fixed_len),
                out,
            );
        };
        match (&self.min_prefix, &self.max_prefix) {
            (Some((kmin, vmin)), Some((kmax, vmax))) => {
                // Rows become inclusive bounds; markers keep their side.
                let start = match *kmin {
                    7 | 5 => 7,
                    _ => 1,
                };
                let end = match *kmax {
                    0 | 2 => 0,
                    _ => 6,
                };
                bound(start, vmin, out);
                bound(end, vmax, out);
            }
            _ => {
                bound(1, &[], out);
                bound(6, &[], out);
            }
        }
    }
}

/// Assembles Statistics.db from its four components.
pub(crate) fn statistics_file(
    layout: Layout,
    partitioner: &str,
    fp_chance: f64,
    compaction: &[u8],
    stats: &[u8],
    header: &[u8],
) -> Vec<u8> {
    let mut validation = Vec::new();
    java_utf(partitioner, &mut validation);
    validation.extend_from_slice(&fp_chance.to_be_bytes());
    let mut compaction_body = (compaction.len() as i32).to_be_bytes().to_vec();
    compaction_body.extend_from_slice(compaction);
    let bodies = [validation, compaction_body, stats.to_vec(), header.to_vec()];
    let checksummed = layout != Layout::Mc;
    let extra = if checksummed { 4 } else { 0 };
    let toc_len = 4 + extra + 8 * bodies.len() + extra;
    let mut out = Vec::with_capacity(toc_len + bodies.iter().map(Vec::len).sum::<usize>() + 16);
    out.extend_from_slice(&(bodies.len() as i32).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&out);
    if checksummed {
        out.extend_from_slice(&crc.clone().finalize().to_be_bytes());
    }
    let mut offset = toc_len;
    let pairs_start = out.len();
    for (kind, body) in bodies.iter().enumerate() {
        out.extend_from_slice(&(kind as i32).to_be_bytes());
        out.extend_from_slice(&(offset as i32).to_be_bytes());
        offset += body.len() + extra;
    }
    if checksummed {
        crc.update(&out[pairs_start..]);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    for body in &bodies {
        out.extend_from_slice(body);
        if checksummed {
            out.extend_from_slice(&crc32fast::hash(body).to_be_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_offsets_and_buckets() {
        let mut h = Histogram::new(150);
        assert_eq!(&h.offsets[..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
        // LEG/nb/clust: 61214-byte partitions land in the bucket whose pair
        // carries offset 61214 at index 57 (the pair holds offset[i - 1]).
        h.add(61_215);
        let mut b = Vec::new();
        h.serialize(&mut b);
        assert_eq!(i32::from_be_bytes(b[..4].try_into().unwrap()), 151);
        let pair = |i: usize| {
            let at = 4 + 16 * i;
            (
                u64::from_be_bytes(b[at..at + 8].try_into().unwrap()),
                u64::from_be_bytes(b[at + 8..at + 16].try_into().unwrap()),
            )
        };
        assert_eq!(pair(57), (61214, 1));
        assert_eq!(pair(0), (1, 0));
        assert_eq!(pair(1), (1, 0));
    }

    #[test]
    fn drop_times_round_up_to_the_minute_and_merge_past_100_bins() {
        let mut d = DropTimes::default();
        d.add(61);
        d.add(120);
        assert_eq!(d.reduced().into_iter().collect::<Vec<_>>(), [(120, 2)]);
        for i in 0..200 {
            d.add(10_000 + i * 60);
        }
        // Far from the rest, 120 keeps its own bin; the evenly spaced
        // points pair up.
        let r = d.reduced();
        assert_eq!(r.len(), MAX_BINS);
        assert_eq!(r.values().sum::<u64>(), 202);
        assert_eq!(r.get(&120), Some(&2));
    }

    #[test]
    fn drop_times_count_the_same_in_and_out_of_the_direct_span() {
        // Points far apart (outside the direct span of the first) and
        // merged, unaligned bins must count exactly as one map would.
        let mut d = DropTimes::default();
        let far = 60 * (DENSE_MINUTES as i64) * 3;
        let mut expected = std::collections::BTreeMap::new();
        for i in 0..60i64 {
            for p in [i * 60, far + i * 60, -far - i * 60] {
                d.add(p);
                *expected.entry(p).or_insert(0u64) += 1;
            }
            d.add(i * 60);
            *expected.get_mut(&(i * 60)).unwrap() += 1;
        }
        assert_eq!(d.reduced().into_iter().collect::<Vec<_>>().len(), MAX_BINS);
        assert_eq!(d.reduced().values().sum::<u64>(), 240);
        let mut few = DropTimes::default();
        for (&p, &c) in expected.iter().take(MAX_BINS) {
            for _ in 0..c {
                few.add(p);
            }
        }
        assert_eq!(few.reduced(), expected.into_iter().take(MAX_BINS).collect());
    }
}
