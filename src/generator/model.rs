//! The generator's model of one partition: logical writes applied with
//! Cassandra's rules, written independently of the exporter's reconciler
//! (the truth it computes is what that reconciler is judged against).
//!
//! One model serves twice. Fed the writes one replica received during one
//! flush window it is a memtable, and [`PartitionModel::to_partition`] is
//! what that replica flushes: tombstones kept, data they shadow dropped,
//! range tombstones normalized into bounds and boundaries. Fed every write
//! up to a day's end it is the logical table, and
//! [`PartitionModel::live_rows`] gives the rows a `SELECT` at that moment
//! returns.
//!
//! Rules (SSTABLE_FORMAT.md §14, Cassandra 4.0+): a newer timestamp wins;
//! on equal timestamps a cell with a deletion time beats one without, a
//! tombstone beats an expiring cell, then the later deletion time, then
//! the larger value. A deletion removes everything with a timestamp at or
//! below its own. An expiring cell is live while `now < expiry`. Counter
//! shards merge per counter id by the higher clock; a counter tombstone
//! always wins.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use smallvec::smallvec;

use crate::sstable::clustering::{BoundKind, ROW_KIND, compare_prefixes};
use crate::sstable::content::{Cell, CellKind, Cells, Column, Item, Marker, Partition, Row};
use crate::sstable::{DeletionTime, Expiration, LivenessInfo};
use crate::types::CqlType;
use crate::types::compare::{compare_values, order_key};

/// What the model needs to know of a table's columns.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// Clustering types (reversed where descending).
    pub clustering: Vec<CqlType>,
    /// Static columns, in header order.
    pub statics: Vec<ColumnSpec>,
    /// Regular columns, in header order.
    pub regulars: Vec<ColumnSpec>,
}

impl TableSpec {
    /// Orders row writes the way a model keeps its rows (by the first
    /// clustering value; ascending time for a DESC time column), so that a
    /// batch applied in this order mostly appends rows. `None` for writes
    /// that touch no row (partition and range deletions, static updates).
    /// The model's result does not depend on the order writes arrive in.
    pub fn row_order_key(&self, m: &Mutation) -> Option<u64> {
        let clustering = match &m.kind {
            MutationKind::Write { clustering, marker, columns }
                if *marker || columns.iter().any(|(c, _)| !c.is_static) =>
            {
                clustering
            }
            MutationKind::DeleteRow { clustering } => clustering,
            _ => return None,
        };
        let ty = self.clustering.first()?;
        let k = order_key(ty, clustering.first()?)?;
        Some(if matches!(ty, CqlType::Reversed(_)) { !k } else { k })
    }
}

/// One static or regular column.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: CqlType,
    /// Multi-cell (non-frozen collection or UDT).
    pub complex: bool,
}

impl ColumnSpec {
    /// The type cell paths of this column sort by.
    fn path_type(&self) -> &CqlType {
        static TIMEUUID: CqlType = CqlType::TimeUuid;
        static FIELD: CqlType = CqlType::Blob;
        match &self.ty {
            CqlType::List(_) => &TIMEUUID,
            CqlType::Set(e) | CqlType::Map(e, _) => e,
            _ => &FIELD,
        }
    }
}

/// A column operation of a write.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Sets a simple column.
    Set(Vec<u8>),
    /// Deletes a column (a cell tombstone, or a whole collection).
    Delete,
    /// Overwrites a collection: a deletion just before, then these elements.
    Replace(Vec<(Vec<u8>, Vec<u8>)>),
    /// Adds or overwrites elements (path, value).
    Add(Vec<(Vec<u8>, Vec<u8>)>),
    /// Removes elements by path.
    Remove(Vec<Vec<u8>>),
    /// A counter shard's new state: counter id, clock, running total.
    CounterShard([u8; 16], i64, i64),
}

/// Which column: static or regular, and its header index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColRef {
    /// A static column.
    pub is_static: bool,
    /// Index in the header's static or regular columns.
    pub index: usize,
}

/// A logical write.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutation {
    /// Write timestamp (µs).
    pub ts: i64,
    /// The coordinator's clock in seconds: deletion times and TTL bases.
    pub now: i64,
    /// `USING TTL`.
    pub ttl: Option<i32>,
    /// What it does.
    pub kind: MutationKind,
}

/// The kinds of writes.
#[derive(Debug, Clone, PartialEq)]
pub enum MutationKind {
    /// INSERT (with `marker`) or UPDATE of one row, or of static columns
    /// only (`clustering` ignored then when all columns are static).
    Write {
        /// The row's clustering.
        clustering: Vec<Vec<u8>>,
        /// INSERT: sets the row's primary-key liveness.
        marker: bool,
        /// Column operations.
        columns: Vec<(ColRef, Op)>,
    },
    /// DELETE of one row.
    DeleteRow {
        /// The row's clustering.
        clustering: Vec<Vec<u8>>,
    },
    /// DELETE of a clustering range.
    DeleteRange {
        /// Start bound.
        start: (BoundKind, Vec<Vec<u8>>),
        /// End bound.
        end: (BoundKind, Vec<Vec<u8>>),
    },
    /// DELETE of the whole partition.
    DeletePartition,
}

#[derive(Debug, Clone, Default)]
struct RowModel {
    liveness: Option<LivenessInfo>,
    deletion: Option<DeletionTime>,
    /// Simple and multi-cell columns already in flushed form, by ascending
    /// header index: a simple column's one cell; a multi-cell column's
    /// deletion and its cells (with their paths) in path order. A flush
    /// moves them into the row as they are.
    columns: Vec<Column>,
    /// Counter columns by ascending header index (shards merge at flush).
    counters: Vec<(usize, CounterModel)>,
}

#[derive(Debug, Clone)]
struct CounterModel {
    ts: i64,
    shards: BTreeMap<[u8; 16], (i64, i64)>,
    tombstone: Option<Cell>,
}

impl RowModel {
    fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.counters.is_empty()
    }

    fn column(&self, index: usize) -> Option<&Column> {
        let k = self.columns.binary_search_by_key(&index, |c| c.index).ok()?;
        self.columns.get(k)
    }

    /// The column at `index`, created empty if absent.
    fn column_mut(&mut self, index: usize) -> &mut Column {
        let k = match self.columns.binary_search_by_key(&index, |c| c.index) {
            Ok(k) => k,
            Err(k) => {
                let c = Column { index, complex_deletion: None, cells: Cells::new() };
                self.columns.insert(k, c);
                k
            }
        };
        &mut self.columns[k]
    }

    fn counter_mut(&mut self, index: usize) -> &mut CounterModel {
        let k = match self.counters.binary_search_by_key(&index, |c| c.0) {
            Ok(k) => k,
            Err(k) => {
                let c = CounterModel { ts: i64::MIN, shards: BTreeMap::new(), tombstone: None };
                self.counters.insert(k, (index, c));
                k
            }
        };
        &mut self.counters[k].1
    }
}

#[derive(Debug, Clone)]
struct RangeDeletion {
    start: (u8, Vec<Option<Vec<u8>>>),
    end: (u8, Vec<Option<Vec<u8>>>),
    deletion: DeletionTime,
}

/// One partition's state.
#[derive(Debug, Clone)]
pub struct PartitionModel<'s> {
    spec: &'s TableSpec,
    deletion: Option<DeletionTime>,
    ranges: Vec<RangeDeletion>,
    static_row: RowModel,
    /// Rows in the order first written; `order` lists them by clustering.
    rows: Vec<(Vec<Vec<u8>>, RowModel)>,
    /// Row indexes by clustering, with each row's first-value order key;
    /// in descending clustering order when the first clustering column is
    /// DESC, so that time-ordered writes append instead of inserting in
    /// front (see [`PartitionModel::in_clustering_order`]).
    order: Vec<(Option<u64>, u32)>,
}

/// A live row as a `SELECT` returns it: clustering values, then each
/// static and regular column's value in frozen form (header order,
/// statics first), `None` for null. Borrowed from the model where the
/// value is stored as is (clustering, simple cells).
pub type LiveRow<'m> = (Option<&'m [Vec<u8>]>, Vec<Option<Cow<'m, [u8]>>>);

/// `d` shadows timestamp `ts`.
fn shadows(d: Option<DeletionTime>, ts: i64) -> bool {
    d.is_some_and(|d| ts <= d.marked_for_delete_at)
}

fn later(a: Option<DeletionTime>, b: Option<DeletionTime>) -> Option<DeletionTime> {
    match (a, b) {
        (Some(x), Some(y)) => Some(
            if (y.marked_for_delete_at, y.local_deletion_time)
                > (x.marked_for_delete_at, x.local_deletion_time)
            {
                y
            } else {
                x
            },
        ),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Cell reconciliation (4.0+): `true` when `new` replaces `old`.
fn cell_wins(new: &Cell, old: &Cell) -> bool {
    if new.timestamp != old.timestamp {
        return new.timestamp > old.timestamp;
    }
    let ldt = |c: &Cell| c.local_deletion_time();
    match (ldt(new), ldt(old)) {
        (Some(_), None) => return true,
        (None, Some(_)) => return false,
        (Some(a), Some(b)) => {
            if new.is_tombstone() != old.is_tombstone() {
                return new.is_tombstone();
            }
            if a != b {
                return a > b;
            }
        }
        (None, None) => {}
    }
    new.value > old.value
}

/// Liveness precedence: `true` when `new` replaces `old`.
fn liveness_wins(new: &LivenessInfo, old: &LivenessInfo) -> bool {
    if new.timestamp != old.timestamp {
        return new.timestamp > old.timestamp;
    }
    let expired_marker = |l: &LivenessInfo| l.expiration.is_some_and(|e| e.ttl == i32::MAX);
    if expired_marker(new) != expired_marker(old) {
        return expired_marker(new);
    }
    match (new.expiration, old.expiration) {
        (Some(a), Some(b)) => a.local_expiration_time > b.local_expiration_time,
        (None, None) => false,
        (a, _) => a.is_some(),
    }
}

fn cell_live(c: &Cell, now: i64) -> bool {
    match c.kind {
        CellKind::Live => true,
        CellKind::Expiring { local_expiration_time, .. } => now < local_expiration_time,
        CellKind::Tombstone { .. } => false,
    }
}

fn liveness_live(l: &LivenessInfo, now: i64) -> bool {
    l.expiration.is_none_or(|e| e.ttl != i32::MAX && now < e.local_expiration_time)
}

/// Compares two full clusterings (no nulls).
fn compare_full(types: &[CqlType], a: &[Vec<u8>], b: &[Vec<u8>]) -> Ordering {
    for ((t, x), y) in types.iter().zip(a).zip(b) {
        let c = compare_values(t, x, y);
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

fn opt_values(v: &[Vec<u8>]) -> Vec<Option<Vec<u8>>> {
    v.iter().map(|x| Some(x.clone())).collect()
}

/// Counter context of global shards, sorted by counter id.
fn counter_context(shards: &BTreeMap<[u8; 16], (i64, i64)>) -> Vec<u8> {
    let n = shards.len() as i16;
    let mut out = n.to_be_bytes().to_vec();
    for i in 0..n {
        out.extend_from_slice(&(i.wrapping_add(i16::MIN)).to_be_bytes());
    }
    for (id, (clock, count)) in shards {
        out.extend_from_slice(id);
        out.extend_from_slice(&clock.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
    }
    out
}

impl<'s> PartitionModel<'s> {
    /// An empty partition.
    pub fn new(spec: &'s TableSpec) -> Self {
        PartitionModel {
            spec,
            deletion: None,
            ranges: Vec::new(),
            static_row: RowModel::default(),
            rows: Vec::new(),
            order: Vec::new(),
        }
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.deletion.is_none()
            && self.ranges.is_empty()
            && self.rows.is_empty()
            && self.static_row.liveness.is_none()
            && self.static_row.is_empty()
    }

    /// Row indexes in clustering order.
    fn in_clustering_order(&self) -> Vec<u32> {
        let it = self.order.iter().map(|&(_, i)| i);
        if matches!(self.spec.clustering.first(), Some(CqlType::Reversed(_))) {
            it.rev().collect()
        } else {
            it.collect()
        }
    }

    fn row_mut(&mut self, clustering: &[Vec<u8>]) -> &mut RowModel {
        let i = self.row_index(clustering);
        &mut self.rows[i].1
    }

    /// The index in `rows` of the row at `clustering`, created if new.
    fn row_index(&mut self, clustering: &[Vec<u8>]) -> usize {
        let types = &self.spec.clustering;
        let rows = &self.rows;
        let key = types.first().zip(clustering.first()).and_then(|(t, v)| order_key(t, v));
        let descending = matches!(types.first(), Some(CqlType::Reversed(_)));
        let cmp = |&(k, i): &(Option<u64>, u32)| {
            let o = match (k, key) {
                (Some(a), Some(b)) if a != b => a.cmp(&b),
                _ => compare_full(types, &rows[i as usize].0, clustering),
            };
            if descending { o.reverse() } else { o }
        };
        // Time series write mostly at or past the newest row: try the end
        // before searching.
        let at = match self.order.last().map(cmp) {
            Some(Ordering::Less) | None => Err(self.order.len()),
            Some(Ordering::Equal) => Ok(self.order.len() - 1),
            Some(Ordering::Greater) => self.order.binary_search_by(cmp),
        };
        match at {
            Ok(k) => self.order[k].1 as usize,
            Err(k) => {
                self.rows.push((clustering.to_vec(), RowModel::default()));
                self.order.insert(k, (key, (self.rows.len() - 1) as u32));
                self.rows.len() - 1
            }
        }
    }

    /// Applies one write.
    pub fn apply(&mut self, m: &Mutation) {
        let deletion = DeletionTime { marked_for_delete_at: m.ts, local_deletion_time: m.now };
        match &m.kind {
            MutationKind::DeletePartition => self.deletion = later(self.deletion, Some(deletion)),
            MutationKind::DeleteRow { clustering } => {
                let r = self.row_mut(clustering);
                r.deletion = later(r.deletion, Some(deletion));
            }
            MutationKind::DeleteRange { start, end } => self.ranges.push(RangeDeletion {
                start: (crate::sstable::write::data::bound_byte(start.0), opt_values(&start.1)),
                end: (crate::sstable::write::data::bound_byte(end.0), opt_values(&end.1)),
                deletion,
            }),
            MutationKind::Write { clustering, marker, columns } => {
                let expiring = |ttl: i32| CellKind::Expiring {
                    ttl,
                    local_expiration_time: m.now + i64::from(ttl),
                };
                let kind = m.ttl.map_or(CellKind::Live, expiring);
                let only_static = columns.iter().all(|(c, _)| c.is_static) && !marker;
                // The row is looked up once per write (created when first
                // needed), not once per column.
                let mut row_at = None;
                if *marker {
                    let l = LivenessInfo {
                        timestamp: m.ts,
                        expiration: m.ttl.map(|ttl| Expiration {
                            ttl,
                            local_expiration_time: m.now + i64::from(ttl),
                        }),
                    };
                    let i = self.row_index(clustering);
                    row_at = Some(i);
                    let r = &mut self.rows[i].1;
                    if r.liveness.as_ref().is_none_or(|old| liveness_wins(&l, old)) {
                        r.liveness = Some(l);
                    }
                }
                let table: &'s TableSpec = self.spec;
                for (col, op) in columns {
                    let spec = if col.is_static { &table.statics } else { &table.regulars };
                    let Some(cs) = spec.get(col.index) else { continue };
                    let row = if col.is_static {
                        &mut self.static_row
                    } else if only_static {
                        continue;
                    } else {
                        let i = match row_at {
                            Some(i) => i,
                            None => *row_at.insert(self.row_index(clustering)),
                        };
                        &mut self.rows[i].1
                    };
                    apply_op(row, col.index, cs, op, m.ts, kind, deletion);
                }
            }
        }
    }

    /// The covering deletion of a row (partition deletion or a range).
    fn covering(&self, clustering: &[Vec<u8>]) -> Option<DeletionTime> {
        let types = &self.spec.clustering;
        let mut d = self.deletion;
        for r in &self.ranges {
            let inside = compare_prefixes(types, (r.start.0, &r.start.1), (ROW_KIND, clustering))
                .is_lt()
                && compare_prefixes(types, (ROW_KIND, clustering), (r.end.0, &r.end.1)).is_lt();
            if inside {
                d = later(d, Some(r.deletion));
            }
        }
        d
    }

    /// What a replica flushes: the partition in SSTable form, with data
    /// shadowed by a deletion of the same memtable removed.
    pub fn to_partition(&self, key: &[u8]) -> Partition {
        self.clone().into_partition(key)
    }

    /// [`PartitionModel::to_partition`], consuming the model.
    pub fn into_partition(self, key: &[u8]) -> Partition {
        let mut p = Partition { key: key.to_vec(), deletion: self.deletion, ..Default::default() };
        let markers = self.markers();
        let order = self.in_clustering_order();
        let covers: Vec<Option<DeletionTime>> =
            order.iter().map(|&i| self.covering(&self.rows[i as usize].0)).collect();
        let PartitionModel { spec, static_row, rows, deletion, .. } = self;
        let st = flush_row(static_row, deletion, Vec::new());
        if !st.is_empty() {
            p.static_row = Some(st);
        }
        let mut slots: Vec<Option<(Vec<Vec<u8>>, RowModel)>> = rows.into_iter().map(Some).collect();
        let mut items: Vec<Item> = Vec::with_capacity(order.len() + markers.len());
        for (&i, cover) in order.iter().zip(covers) {
            let Some((c, r)) = slots[i as usize].take() else { continue };
            let row = flush_row(r, cover, c.into_iter().map(Some).collect());
            if !row.is_empty() {
                items.push(Item::Row(row));
            }
        }
        if !markers.is_empty() {
            let types = &spec.clustering;
            fn key_of(i: &Item) -> (u8, &[Option<Vec<u8>>]) {
                match i {
                    Item::Row(r) => (ROW_KIND, r.clustering.as_slice()),
                    Item::Marker(m) => {
                        (crate::sstable::write::data::bound_byte(m.kind), m.clustering.as_slice())
                    }
                }
            }
            items.extend(markers.into_iter().map(Item::Marker));
            items.sort_by(|a, b| compare_prefixes(types, key_of(a), key_of(b)));
        }
        p.items = items;
        p
    }

    /// Range tombstones not shadowed by the partition deletion, as
    /// non-overlapping bounds and boundaries.
    fn markers(&self) -> Vec<Marker> {
        let types = &self.spec.clustering;
        let ranges: Vec<&RangeDeletion> = self
            .ranges
            .iter()
            .filter(|r| !shadows(self.deletion, r.deletion.marked_for_delete_at))
            .collect();
        if ranges.is_empty() {
            return Vec::new();
        }
        let cmp = |a: &(u8, Vec<Option<Vec<u8>>>), b: &(u8, Vec<Option<Vec<u8>>>)| {
            compare_prefixes(types, (a.0, &a.1), (b.0, &b.1))
        };
        let mut points: Vec<(u8, Vec<Option<Vec<u8>>>)> =
            ranges.iter().flat_map(|r| [r.start.clone(), r.end.clone()]).collect();
        points.sort_by(cmp);
        points.dedup_by(|a, b| cmp(a, b) == Ordering::Equal);
        let mut out = Vec::new();
        let mut active: Option<DeletionTime> = None;
        for (i, p) in points.iter().enumerate() {
            let next = points.get(i + 1);
            let now_active = next.and_then(|n| {
                ranges
                    .iter()
                    .filter(|r| cmp(&r.start, p).is_le() && cmp(&r.end, n).is_ge())
                    .map(|r| Some(r.deletion))
                    .fold(None, later)
            });
            if now_active == active {
                continue;
            }
            // A point sits before its prefix (kinds 0-2) or after it (5-7).
            let after = p.0 >= 5;
            let kind = match (active, now_active) {
                (None, Some(_)) => {
                    if after {
                        BoundKind::ExclStart
                    } else {
                        BoundKind::InclStart
                    }
                }
                (Some(_), None) => {
                    if after {
                        BoundKind::InclEnd
                    } else {
                        BoundKind::ExclEnd
                    }
                }
                _ => {
                    if after {
                        BoundKind::InclEndExclStart
                    } else {
                        BoundKind::ExclEndInclStart
                    }
                }
            };
            let (deletion, open) = match (active, now_active) {
                (None, Some(d)) => (d, None),
                (Some(d), None) => (d, None),
                (Some(a), Some(b)) => (a, Some(b)),
                (None, None) => continue,
            };
            out.push(Marker { kind, clustering: p.1.clone(), deletion, open });
            active = now_active;
        }
        out
    }

    /// The rows a `SELECT` returns at `now` (seconds), in clustering order;
    /// a partition with live static columns but no live row gives one row
    /// without clustering.
    pub fn live_rows(&self, now: i64) -> Vec<LiveRow<'_>> {
        let statics = live_columns(&self.static_row, &self.spec.statics, self.deletion, now);
        let mut out = Vec::new();
        for i in self.in_clustering_order() {
            let (c, r) = &self.rows[i as usize];
            let cover = later(self.covering(c), r.deletion);
            let liveness =
                r.liveness.filter(|l| !shadows(cover, l.timestamp) && liveness_live(l, now));
            let regulars = live_columns(r, &self.spec.regulars, cover, now);
            if liveness.is_none() && regulars.iter().all(Option::is_none) {
                continue;
            }
            let mut values = statics.clone();
            values.extend(regulars);
            out.push((Some(c.as_slice()), values));
        }
        if out.is_empty() && statics.iter().any(Option::is_some) {
            let mut values = statics;
            values.extend(std::iter::repeat_n(None, self.spec.regulars.len()));
            out.push((None, values));
        }
        out
    }
}

fn apply_op(
    row: &mut RowModel,
    index: usize,
    spec: &ColumnSpec,
    op: &Op,
    ts: i64,
    kind: CellKind,
    deletion: DeletionTime,
) {
    let path_type = spec.path_type();
    let tombstone = |ts: i64| Cell {
        timestamp: ts,
        kind: CellKind::Tombstone { local_deletion_time: deletion.local_deletion_time },
        path: None,
        value: Vec::new(),
    };
    // A multi-cell column's element: replaced when the new cell wins (the
    // path stays), inserted in path order when new.
    let put = |cells: &mut Cells, path: &[u8], cell: Cell| match cells.binary_search_by(|c| {
        compare_values(path_type, c.path.as_deref().unwrap_or_default(), path)
    }) {
        Ok(i) => {
            if cell_wins(&cell, &cells[i]) {
                let p = cells[i].path.take();
                cells[i] = Cell { path: p, ..cell };
            }
        }
        Err(i) => cells.insert(i, Cell { path: Some(path.to_vec()), ..cell }),
    };
    match op {
        Op::Set(v) => {
            let cell = Cell { timestamp: ts, kind, path: None, value: v.clone() };
            merge_simple(row, index, cell);
        }
        Op::Delete if spec.complex => {
            let col = row.column_mut(index);
            col.complex_deletion = later(col.complex_deletion, Some(deletion));
        }
        Op::Delete if spec.ty == CqlType::Counter => {
            let t = &mut row.counter_mut(index).tombstone;
            let new = tombstone(ts);
            if t.as_ref().is_none_or(|old| cell_wins(&new, old)) {
                *t = Some(new);
            }
        }
        Op::Delete => merge_simple(row, index, tombstone(ts)),
        Op::Replace(items) | Op::Add(items) => {
            let col = row.column_mut(index);
            if matches!(op, Op::Replace(_)) {
                let before = DeletionTime { marked_for_delete_at: ts - 1, ..deletion };
                col.complex_deletion = later(col.complex_deletion, Some(before));
            }
            for (path, value) in items {
                let cell = Cell { timestamp: ts, kind, path: None, value: value.clone() };
                put(&mut col.cells, path, cell);
            }
        }
        Op::Remove(paths) => {
            let col = row.column_mut(index);
            for path in paths {
                put(&mut col.cells, path, tombstone(ts));
            }
        }
        Op::CounterShard(id, clock, count) => {
            let c = row.counter_mut(index);
            c.ts = c.ts.max(ts);
            let e = c.shards.entry(*id).or_insert((*clock, *count));
            if (*clock, *count) > *e {
                *e = (*clock, *count);
            }
        }
    }
}

fn merge_simple(row: &mut RowModel, index: usize, cell: Cell) {
    match row.columns.binary_search_by_key(&index, |c| c.index) {
        Ok(k) => {
            let col = &mut row.columns[k];
            match col.cells.first_mut() {
                Some(old) if is_simple(col.complex_deletion, old) => {
                    if cell_wins(&cell, old) {
                        *old = cell;
                    }
                }
                _ => *col = Column { index, complex_deletion: None, cells: smallvec![cell] },
            }
        }
        Err(k) => {
            row.columns.insert(k, Column { index, complex_deletion: None, cells: smallvec![cell] })
        }
    }
}

/// Whether a column holding `first` (and a complex deletion `d`) is a
/// simple column's single cell (multi-cell elements have paths).
fn is_simple(d: Option<DeletionTime>, first: &Cell) -> bool {
    d.is_none() && first.path.is_none()
}

/// A memtable row as flushed: data at or below a covering deletion gone.
fn flush_row(r: RowModel, cover: Option<DeletionTime>, clustering: Vec<Option<Vec<u8>>>) -> Row {
    let row_deletion = r.deletion.filter(|d| !shadows(cover, d.marked_for_delete_at));
    let cover = later(cover, row_deletion);
    let RowModel { liveness, columns, counters, .. } = r;
    let mut columns = columns;
    // Simple columns are a multi-cell column without a deletion holding
    // one cell: one rule serves both.
    columns.retain_mut(|c| {
        c.complex_deletion = c.complex_deletion.filter(|d| !shadows(cover, d.marked_for_delete_at));
        let cover = later(cover, c.complex_deletion);
        if c.cells.iter().any(|x| shadows(cover, x.timestamp)) {
            c.cells.retain(|x| !shadows(cover, x.timestamp));
        }
        c.complex_deletion.is_some() || !c.cells.is_empty()
    });
    if !counters.is_empty() {
        for (index, c) in counters {
            let cell = match c.tombstone {
                Some(t) => t,
                None if !shadows(cover, c.ts) && !c.shards.is_empty() => Cell {
                    timestamp: c.ts,
                    kind: CellKind::Live,
                    path: None,
                    value: counter_context(&c.shards),
                },
                None => continue,
            };
            columns.push(Column { index, complex_deletion: None, cells: smallvec![cell] });
        }
        columns.sort_by_key(|c| c.index);
    }
    Row {
        clustering,
        liveness: liveness.filter(|l| !shadows(cover, l.timestamp)),
        deletion: row_deletion,
        columns,
        ..Default::default()
    }
}

/// Each column's live value at `now` in frozen form.
fn live_columns<'m>(
    r: &'m RowModel,
    specs: &[ColumnSpec],
    cover: Option<DeletionTime>,
    now: i64,
) -> Vec<Option<Cow<'m, [u8]>>> {
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            if let Ok(k) = r.counters.binary_search_by_key(&i, |c| c.0) {
                let c = &r.counters[k].1;
                if c.tombstone.is_some() || shadows(cover, c.ts) || c.shards.is_empty() {
                    return None;
                }
                return Some(Cow::Owned(counter_context(&c.shards)));
            }
            let col = r.column(i)?;
            match col.cells.as_slice() {
                [c] if is_simple(col.complex_deletion, c) => (!shadows(cover, c.timestamp)
                    && cell_live(c, now))
                .then_some(Cow::Borrowed(c.value.as_slice())),
                cells => {
                    let cover = later(cover, col.complex_deletion);
                    let live: Vec<(&[u8], &[u8])> = cells
                        .iter()
                        .filter(|c| !shadows(cover, c.timestamp) && cell_live(c, now))
                        .map(|c| (c.path.as_deref().unwrap_or_default(), c.value.as_slice()))
                        .collect();
                    crate::output::dataset_row::frozen_from_cells(&spec.ty, &live).map(Cow::Owned)
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TableSpec {
        TableSpec {
            clustering: vec![CqlType::Int],
            statics: vec![ColumnSpec { name: "s".into(), ty: CqlType::Text, complex: false }],
            regulars: vec![
                ColumnSpec { name: "v".into(), ty: CqlType::Text, complex: false },
                ColumnSpec {
                    name: "l".into(),
                    ty: CqlType::List(Box::new(CqlType::Int)),
                    complex: true,
                },
                ColumnSpec { name: "c".into(), ty: CqlType::Counter, complex: false },
            ],
        }
    }

    fn ck(i: i32) -> Vec<Vec<u8>> {
        vec![i.to_be_bytes().to_vec()]
    }

    fn write(ts: i64, ck_: i32, marker: bool, col: usize, op: Op) -> Mutation {
        Mutation {
            ts,
            now: ts / 1_000_000,
            ttl: None,
            kind: MutationKind::Write {
                clustering: ck(ck_),
                marker,
                columns: vec![(ColRef { is_static: false, index: col }, op)],
            },
        }
    }

    fn v_of(rows: &[LiveRow<'_>], i: usize) -> Option<Vec<u8>> {
        rows[i].1[1].as_deref().map(<[u8]>::to_vec)
    }

    #[test]
    fn equal_timestamps_tombstone_then_larger_value_wins() {
        let s = spec();
        let mut m = PartitionModel::new(&s);
        m.apply(&write(10_000_000, 1, true, 0, Op::Set(b"b".to_vec())));
        m.apply(&write(10_000_000, 1, false, 0, Op::Set(b"a".to_vec())));
        assert_eq!(v_of(&m.live_rows(100), 0), Some(b"b".to_vec()));
        m.apply(&write(10_000_000, 1, false, 0, Op::Delete));
        // The row marker keeps the row; the value is gone.
        let rows = m.live_rows(100);
        assert_eq!(rows.len(), 1);
        assert_eq!(v_of(&rows, 0), None);
    }

    #[test]
    fn deletions_shadow_older_data_only() {
        let s = spec();
        let mut m = PartitionModel::new(&s);
        m.apply(&write(1_000_000, 1, true, 0, Op::Set(b"x".to_vec())));
        m.apply(&write(3_000_000, 2, true, 0, Op::Set(b"y".to_vec())));
        m.apply(&Mutation {
            ts: 2_000_000,
            now: 2,
            ttl: None,
            kind: MutationKind::DeletePartition,
        });
        let rows = m.live_rows(100);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, Some(ck(2).as_slice()));
        // The flushed partition keeps the deletion and drops row 1.
        let p = m.to_partition(b"k");
        assert_eq!(p.deletion.map(|d| d.marked_for_delete_at), Some(2_000_000));
        assert_eq!(p.items.len(), 1);
    }

    #[test]
    fn ttl_expires_cells_and_row_markers() {
        let s = spec();
        let mut m = PartitionModel::new(&s);
        let mut w = write(1_000_000, 1, true, 0, Op::Set(b"x".to_vec()));
        w.ttl = Some(10);
        m.apply(&w);
        assert_eq!(m.live_rows(10).len(), 1);
        assert_eq!(m.live_rows(11).len(), 0);
    }

    #[test]
    fn overlapping_ranges_become_bounds_and_a_boundary() {
        let s = spec();
        let mut m = PartitionModel::new(&s);
        let range = |ts: i64, a: i32, b: i32| Mutation {
            ts,
            now: 5,
            ttl: None,
            kind: MutationKind::DeleteRange {
                start: (BoundKind::InclStart, ck(a)),
                end: (BoundKind::ExclEnd, ck(b)),
            },
        };
        m.apply(&range(100, 1, 5));
        m.apply(&range(200, 3, 8));
        let p = m.to_partition(b"k");
        let kinds: Vec<(BoundKind, i64, Option<i64>)> = p
            .items
            .iter()
            .map(|i| match i {
                Item::Marker(m) => (
                    m.kind,
                    m.deletion.marked_for_delete_at,
                    m.open.map(|d| d.marked_for_delete_at),
                ),
                Item::Row(_) => panic!("no rows"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (BoundKind::InclStart, 100, None),
                (BoundKind::ExclEndInclStart, 100, Some(200)),
                (BoundKind::ExclEnd, 200, None)
            ]
        );
        // A row at 4 written at ts 150 is shadowed by the newer range.
        m.apply(&write(150, 4, true, 0, Op::Set(b"z".to_vec())));
        assert!(m.live_rows(10).is_empty());
        m.apply(&write(250, 4, true, 0, Op::Set(b"z".to_vec())));
        assert_eq!(m.live_rows(10).len(), 1);
    }

    #[test]
    fn collections_replace_add_remove_and_counters_merge() {
        let s = spec();
        let mut m = PartitionModel::new(&s);
        let p1 = vec![1u8; 16];
        let p2 = vec![2u8; 16];
        m.apply(&write(10, 1, false, 1, Op::Add(vec![(p1.clone(), 1i32.to_be_bytes().to_vec())])));
        m.apply(&write(
            20,
            1,
            false,
            1,
            Op::Replace(vec![(p2.clone(), 2i32.to_be_bytes().to_vec())]),
        ));
        let rows = m.live_rows(1);
        let l = rows[0].1[2].clone().unwrap();
        assert_eq!(l, [&1i32.to_be_bytes()[..], &4i32.to_be_bytes(), &2i32.to_be_bytes()].concat());
        m.apply(&write(30, 1, false, 1, Op::Remove(vec![p2])));
        assert!(m.live_rows(1).is_empty());
        let id_a = [0xaa; 16];
        let id_b = [0xbb; 16];
        m.apply(&write(40, 2, false, 2, Op::CounterShard(id_a, 1, 5)));
        m.apply(&write(41, 2, false, 2, Op::CounterShard(id_a, 2, 7)));
        m.apply(&write(39, 2, false, 2, Op::CounterShard(id_b, 1, -2)));
        m.apply(&write(42, 2, false, 2, Op::CounterShard(id_a, 1, 5)));
        let rows = m.live_rows(1);
        let ctx = rows[0].1[3].clone().unwrap();
        assert_eq!(crate::output::cql_json::counter_total(&CqlType::Counter, &ctx).unwrap(), 5);
    }
}
