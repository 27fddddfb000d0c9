//! The k-way merge of every SSTable of a table into its live rows.
//!
//! Partitions are merged in (token, key) order with a heap over the
//! readers; within a partition the readers' rows and range-tombstone
//! markers are merged in clustering order, holding only each reader's
//! current item, so memory is bounded by a row, not a partition. Versions
//! of the same row are reconciled with [`super::rules`]: the newest cell
//! wins, the partition deletion, any open range tombstone, the row
//! deletion and a collection's deletion shadow what is at or below them,
//! and at `now` expired cells are gone. A row is live when its primary-key
//! liveness or one of its cells is; a partition whose only live data is
//! static yields one row without clustering.
//!
//! Each SSTable maps its header's columns to the table's by name, so
//! SSTables written before and after a column was added merge together.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::error::{Error, Result};
use crate::sstable::clustering::BoundKind;
use crate::sstable::{DataReader, DeletionTime, Row, Unfiltered};
use crate::types::compare::compare_values;
use crate::types::frozen::write_frozen;
use crate::types::token::{Partitioner, Token};
use crate::types::{ColumnType, CqlType};

use super::rules::{
    CellFacts, cell_live, compare_cells, compare_liveness, later_deletion, liveness_live,
    merge_counter_contexts, shadows,
};

/// A static or regular column of the merged table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ColumnType,
}

/// The merged table's shape: what rows are made of.
#[derive(Debug, Clone)]
pub struct TableLayout {
    /// The partitioner every SSTable uses.
    pub partitioner: Partitioner,
    /// Clustering types (reversed where descending).
    pub clustering: Vec<CqlType>,
    /// Static columns.
    pub statics: Vec<TableColumn>,
    /// Regular columns.
    pub regulars: Vec<TableColumn>,
}

/// Counts of what the merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Distinct partitions.
    pub partitions: u64,
    /// Row versions read (all SSTables, static rows included).
    pub rows_read: u64,
    /// Live rows produced.
    pub rows_out: u64,
    /// Deletions read: partition, row, range and cell tombstones.
    pub tombstones: u64,
    /// Of those, past `gc_grace` at `now` (Cassandra would purge them).
    pub purgeable: u64,
    /// Cells and row markers that had expired at `now`.
    pub expired: u64,
    /// Cell and row-marker versions removed by a deletion.
    pub shadowed: u64,
}

/// Receives the merged rows in token, then clustering order.
pub trait RowSink {
    /// One live row: the partition key and token, the clustering values
    /// (`None` for a partition's static-only row), then every static and
    /// regular column of the layout in order (frozen form; `None` = null).
    fn row(
        &mut self,
        key: &[u8],
        token: Token,
        clustering: Option<&[Option<&[u8]>]>,
        values: &[Option<&[u8]>],
    ) -> Result<()>;
}

struct Source {
    reader: DataReader,
    /// Header static/regular index → layout index.
    statics: Vec<Option<usize>>,
    regulars: Vec<Option<usize>>,
    /// The range deletion open at this source's current position.
    open: Option<DeletionTime>,
}

/// Merges a table's SSTables.
pub struct Merger {
    layout: TableLayout,
    sources: Vec<Source>,
    now: i64,
    gc_grace: i64,
    heap: BinaryHeap<Reverse<(Token, Vec<u8>, usize)>>,
    /// What the merge counted.
    pub stats: MergeStats,
    arena: Vec<u8>,
    static_arena: Vec<u8>,
    static_spans: Vec<Option<(usize, usize)>>,
    spans: Vec<Option<(usize, usize)>>,
    entries: Vec<(usize, usize, usize)>,
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merger").field("sources", &self.sources.len()).finish()
    }
}

fn column_map(defs: &[crate::sstable::ColumnDef], table: &[TableColumn]) -> Vec<Option<usize>> {
    defs.iter().map(|d| table.iter().position(|c| c.name == d.name)).collect()
}

/// The kind byte a row or marker sorts by (`ClusteringPrefix.Kind`).
fn kind_of(u: &Unfiltered<'_>) -> u8 {
    match u {
        Unfiltered::Row(_) => crate::sstable::clustering::ROW_KIND,
        Unfiltered::Marker(m) => crate::sstable::write::data::bound_byte(m.kind()),
    }
}

fn clustering_len(u: &Unfiltered<'_>) -> usize {
    match u {
        Unfiltered::Row(r) => r.clustering_len(),
        Unfiltered::Marker(m) => m.clustering_len(),
    }
}

fn clustering_at<'a>(u: &Unfiltered<'a>, i: usize) -> Option<&'a [u8]> {
    match u {
        Unfiltered::Row(r) => r.clustering_at(i).flatten(),
        Unfiltered::Marker(m) => m.clustering_at(i).flatten(),
    }
}

/// `ClusteringComparator.compare` on two items' clustering prefixes: the
/// common components, then the shorter prefix before or after the longer
/// as its kind says, equal prefixes by kind.
fn compare_items(types: &[CqlType], a: &Unfiltered<'_>, b: &Unfiltered<'_>) -> Ordering {
    let (la, lb) = (clustering_len(a), clustering_len(b));
    for (i, ty) in types.iter().enumerate().take(la.min(lb)) {
        let c = match (clustering_at(a, i), clustering_at(b, i)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => compare_values(ty, x, y),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    let rank = |k: u8| -> (i8, i8) {
        match k {
            0..=2 => (0, -1),
            3 => (1, -1),
            4 => (2, 0),
            _ => (3, 1),
        }
    };
    let (ka, kb) = (kind_of(a), kind_of(b));
    match la.cmp(&lb) {
        Ordering::Equal => rank(ka).0.cmp(&rank(kb).0),
        Ordering::Less => rank(ka).1.cmp(&0),
        Ordering::Greater => 0.cmp(&rank(kb).1),
    }
}

/// A tombstone's deletion time and whether it is past gc_grace.
fn purgeable(ldt: i64, now: i64, gc_grace: i64) -> bool {
    ldt.saturating_add(gc_grace) < now
}

impl Merger {
    /// A merge of `readers` (fresh, each positioned before its first
    /// partition) into rows of `layout`, live at `now` (seconds).
    pub fn new(layout: TableLayout, readers: Vec<DataReader>, now: i64, gc_grace: i64) -> Merger {
        let sources = readers
            .into_iter()
            .map(|reader| {
                let h = reader.header().clone();
                Source {
                    statics: column_map(h.statics.defs(), &layout.statics),
                    regulars: column_map(h.regulars.defs(), &layout.regulars),
                    reader,
                    open: None,
                }
            })
            .collect();
        Merger {
            static_spans: vec![None; layout.statics.len()],
            spans: vec![None; layout.statics.len() + layout.regulars.len()],
            layout,
            sources,
            now,
            gc_grace,
            heap: BinaryHeap::new(),
            stats: MergeStats::default(),
            arena: Vec::with_capacity(4096),
            static_arena: Vec::with_capacity(1024),
            entries: Vec::new(),
        }
    }

    fn push_next(&mut self, s: usize) -> Result<()> {
        if let Some(p) = self.sources[s].reader.next_partition()? {
            let (token, key) = (p.token, p.key.to_vec());
            self.heap.push(Reverse((token, key, s)));
        }
        Ok(())
    }

    /// Runs the merge to the end, handing every live row to `sink`.
    pub fn run(&mut self, sink: &mut dyn RowSink) -> Result<()> {
        for s in 0..self.sources.len() {
            self.push_next(s)?;
        }
        let mut group = Vec::new();
        while let Some(Reverse((token, key, s))) = self.heap.pop() {
            group.clear();
            group.push(s);
            while self.heap.peek().is_some_and(|Reverse((t, k, _))| *t == token && *k == key) {
                if let Some(Reverse((_, _, s))) = self.heap.pop() {
                    group.push(s);
                }
            }
            self.partition(&group, &key, token, sink)?;
            for &s in &group {
                self.push_next(s)?;
            }
        }
        Ok(())
    }

    fn advance(&mut self, s: usize) -> Result<()> {
        self.sources[s].reader.next_unfiltered()?;
        Ok(())
    }

    fn partition(
        &mut self,
        group: &[usize],
        key: &[u8],
        token: Token,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        self.stats.partitions += 1;
        let mut pd = None;
        for &s in group {
            let d = self.sources[s].reader.current_partition().and_then(|p| p.deletion);
            if let Some(d) = d {
                self.stats.tombstones += 1;
                if purgeable(d.local_deletion_time, self.now, self.gc_grace) {
                    self.stats.purgeable += 1;
                }
            }
            pd = later_deletion(pd, d);
            self.sources[s].open = None;
            self.advance(s)?;
        }
        // Static rows come first.
        let statics: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&s| {
                matches!(self.sources[s].reader.current_unfiltered(), Some(Unfiltered::Row(r)) if r.is_static())
            })
            .collect();
        self.static_arena.clear();
        self.static_spans.iter_mut().for_each(|v| *v = None);
        let mut static_live = false;
        if !statics.is_empty() {
            self.stats.rows_read += statics.len() as u64;
            let rows: Vec<Row<'_>> = statics
                .iter()
                .filter_map(|&s| match self.sources[s].reader.current_unfiltered() {
                    Some(Unfiltered::Row(r)) => Some(r),
                    _ => None,
                })
                .collect();
            let maps: Vec<&[Option<usize>]> =
                statics.iter().map(|&s| self.sources[s].statics.as_slice()).collect();
            let mut ctx = RowMerge {
                columns: &self.layout.statics,
                now: self.now,
                gc_grace: self.gc_grace,
                stats: &mut self.stats,
                arena: &mut self.static_arena,
                spans: &mut self.static_spans,
                entries: &mut self.entries,
            };
            let (_, any) = ctx.merge(&rows, &maps, pd)?;
            static_live = any;
            for s in statics {
                self.advance(s)?;
            }
        }

        let types = self.layout.clustering.clone();
        let mut emitted = false;
        let mut same: Vec<usize> = Vec::new();
        loop {
            // The smallest current item of the group.
            let mut min: Option<usize> = None;
            for &s in group {
                let Some(u) = self.sources[s].reader.current_unfiltered() else { continue };
                min = match min {
                    None => Some(s),
                    Some(m) => {
                        let cur = self.sources[m].reader.current_unfiltered();
                        match cur {
                            Some(c) if compare_items(&types, &u, &c) == Ordering::Less => Some(s),
                            _ => Some(m),
                        }
                    }
                };
            }
            let Some(m) = min else { break };
            let item = self.sources[m].reader.current_unfiltered();
            if let Some(Unfiltered::Marker(mk)) = item {
                let (kind, first, second) = (mk.kind(), mk.deletion(), mk.open_deletion());
                self.stats.tombstones += u64::from(kind.is_start() || kind.is_boundary());
                let open = match kind {
                    BoundKind::InclStart | BoundKind::ExclStart => Some(first),
                    BoundKind::ExclEndInclStart | BoundKind::InclEndExclStart => second,
                    BoundKind::ExclEnd | BoundKind::InclEnd => None,
                };
                if let Some(d) = open
                    && purgeable(d.local_deletion_time, self.now, self.gc_grace)
                {
                    self.stats.purgeable += 1;
                }
                self.sources[m].open = open;
                self.advance(m)?;
                continue;
            }
            // Every source whose current item is a row at the same clustering.
            same.clear();
            {
                let Some(first) = self.sources[m].reader.current_unfiltered() else { break };
                for &s in group {
                    if let Some(u @ Unfiltered::Row(_)) =
                        self.sources[s].reader.current_unfiltered()
                        && compare_items(&types, &u, &first) == Ordering::Equal
                    {
                        same.push(s);
                    }
                }
            }
            let cover = group.iter().fold(pd, |d, &s| later_deletion(d, self.sources[s].open));
            self.stats.rows_read += same.len() as u64;
            let rows: Vec<Row<'_>> = same
                .iter()
                .filter_map(|&s| match self.sources[s].reader.current_unfiltered() {
                    Some(Unfiltered::Row(r)) => Some(r),
                    _ => None,
                })
                .collect();
            let maps: Vec<&[Option<usize>]> =
                same.iter().map(|&s| self.sources[s].regulars.as_slice()).collect();
            self.arena.clear();
            let nstatic = self.layout.statics.len();
            let (live, _) = {
                let mut ctx = RowMerge {
                    columns: &self.layout.regulars,
                    now: self.now,
                    gc_grace: self.gc_grace,
                    stats: &mut self.stats,
                    arena: &mut self.arena,
                    spans: &mut self.spans[nstatic..],
                    entries: &mut self.entries,
                };
                ctx.merge(&rows, &maps, cover)?
            };
            if live {
                let clustering: Vec<Option<&[u8]>> = rows[0].clustering().collect();
                let mut values: Vec<Option<&[u8]>> = Vec::with_capacity(self.spans.len());
                values.extend(
                    self.static_spans.iter().map(|s| s.map(|(a, b)| &self.static_arena[a..b])),
                );
                values.extend(
                    self.spans[nstatic..].iter().map(|s| s.map(|(a, b)| &self.arena[a..b])),
                );
                sink.row(key, token, Some(&clustering), &values)?;
                self.stats.rows_out += 1;
                emitted = true;
            }
            drop(rows);
            for &s in &same {
                self.advance(s)?;
            }
        }
        if !emitted && static_live {
            let mut values: Vec<Option<&[u8]>> = self
                .static_spans
                .iter()
                .map(|s| s.map(|(a, b)| &self.static_arena[a..b]))
                .collect();
            values.extend(std::iter::repeat_n(None, self.layout.regulars.len()));
            sink.row(key, token, None, &values)?;
            self.stats.rows_out += 1;
        }
        Ok(())
    }
}

/// Merging the versions of one row.
struct RowMerge<'m> {
    columns: &'m [TableColumn],
    now: i64,
    gc_grace: i64,
    stats: &'m mut MergeStats,
    arena: &'m mut Vec<u8>,
    spans: &'m mut [Option<(usize, usize)>],
    entries: &'m mut Vec<(usize, usize, usize)>,
}

impl RowMerge<'_> {
    fn count_tombstone(&mut self, ldt: i64) {
        self.stats.tombstones += 1;
        if purgeable(ldt, self.now, self.gc_grace) {
            self.stats.purgeable += 1;
        }
    }

    /// Reconciles `rows` (versions of one row; `maps[i]` maps row `i`'s
    /// header columns to the layout's) under `cover`, the partition or
    /// range deletion over it. Fills `spans` with each column's live value
    /// in the arena; returns (row is live, some column is live).
    fn merge(
        &mut self,
        rows: &[Row<'_>],
        maps: &[&[Option<usize>]],
        cover: Option<DeletionTime>,
    ) -> Result<(bool, bool)> {
        let now = self.now;
        self.spans.iter_mut().for_each(|v| *v = None);
        // Row deletion (a shadowable one yields to a newer liveness).
        let mut liveness = None;
        for r in rows {
            if let Some(l) = r.liveness()
                && liveness
                    .as_ref()
                    .is_none_or(|old| compare_liveness(&l, old) == Ordering::Greater)
            {
                liveness = Some(l);
            }
        }
        let mut row_deletion = None;
        for r in rows {
            for (d, shadowable) in
                [(r.deletion(), r.deletion_is_shadowable()), (r.scylla_shadowable_deletion(), true)]
            {
                let Some(d) = d else { continue };
                self.count_tombstone(d.local_deletion_time);
                if shadowable && liveness.is_some_and(|l| l.timestamp > d.marked_for_delete_at) {
                    continue;
                }
                row_deletion = later_deletion(row_deletion, Some(d));
            }
        }
        let deletion = later_deletion(cover, row_deletion);
        let live_marker = match liveness {
            Some(l) if shadows(deletion, l.timestamp) => {
                self.stats.shadowed += 1;
                false
            }
            Some(l) if !liveness_live(&l, now) => {
                self.stats.expired += 1;
                false
            }
            Some(_) => true,
            None => false,
        };

        // Columns of every version, grouped by layout column.
        self.entries.clear();
        for (i, r) in rows.iter().enumerate() {
            for pos in 0..r.column_count() {
                let Some(c) = r.column(pos) else { continue };
                if let Some(Some(t)) = maps[i].get(c.index) {
                    self.entries.push((*t, i, pos));
                }
            }
        }
        self.entries.sort_unstable();
        let entries = std::mem::take(self.entries);
        let mut any = false;
        let mut k = 0;
        while k < entries.len() {
            let t = entries[k].0;
            let end = k + entries[k..].iter().take_while(|e| e.0 == t).count();
            let group = &entries[k..end];
            k = end;
            let col = &self.columns[t];
            let start = self.arena.len();
            let live = if col.ty.ty == CqlType::Counter {
                self.counter(rows, group, deletion)?
            } else if col.ty.multi_cell {
                self.complex(rows, group, deletion, &col.ty.ty)?
            } else {
                self.simple(rows, group, deletion)
            };
            if live {
                self.spans[t] = Some((start, self.arena.len()));
                any = true;
            }
        }
        *self.entries = entries;
        Ok((live_marker || any, any))
    }

    fn simple(
        &mut self,
        rows: &[Row<'_>],
        group: &[(usize, usize, usize)],
        deletion: Option<DeletionTime>,
    ) -> bool {
        let mut best: Option<CellFacts<'_>> = None;
        for &(_, i, pos) in group {
            let Some(cell) = rows[i].column(pos).and_then(|c| c.cell(0)) else { continue };
            let f = CellFacts::from(&cell);
            if f.tombstone {
                self.count_tombstone(f.ldt.unwrap_or(i64::MAX));
            }
            if best.as_ref().is_none_or(|b| compare_cells(&f, b) == Ordering::Greater) {
                best = Some(f);
            }
        }
        let Some(b) = best else { return false };
        if shadows(deletion, b.timestamp) {
            self.stats.shadowed += 1;
            return false;
        }
        if !cell_live(&b, self.now) {
            self.stats.expired += u64::from(!b.tombstone);
            return false;
        }
        self.arena.extend_from_slice(b.value);
        true
    }

    fn complex(
        &mut self,
        rows: &[Row<'_>],
        group: &[(usize, usize, usize)],
        deletion: Option<DeletionTime>,
        ty: &CqlType,
    ) -> Result<bool> {
        let path_type = match ty {
            CqlType::List(_) => CqlType::TimeUuid,
            CqlType::Set(e) | CqlType::Map(e, _) => (**e).clone(),
            _ => CqlType::Blob,
        };
        let mut cover = deletion;
        let mut columns = Vec::with_capacity(group.len());
        for &(_, i, pos) in group {
            let Some(c) = rows[i].column(pos) else { continue };
            if let Some(d) = c.complex_deletion {
                self.count_tombstone(d.local_deletion_time);
            }
            cover = later_deletion(cover, c.complex_deletion);
            columns.push((c, 0usize));
        }
        // A k-way merge of the versions' cells by path.
        let mut live: Vec<(&[u8], &[u8])> = Vec::new();
        loop {
            let mut min: Option<&[u8]> = None;
            for (c, at) in &columns {
                if let Some(p) = c.cell(*at).and_then(|x| x.path)
                    && min.is_none_or(|m| compare_values(&path_type, p, m) == Ordering::Less)
                {
                    min = Some(p);
                }
            }
            let Some(path) = min else { break };
            let mut best: Option<(CellFacts<'_>, &[u8])> = None;
            for (c, at) in columns.iter_mut() {
                let Some(cell) = c.cell(*at) else { continue };
                if cell.path.is_none_or(|p| compare_values(&path_type, p, path) != Ordering::Equal)
                {
                    continue;
                }
                *at += 1;
                let f = CellFacts::from(&cell);
                if f.tombstone {
                    self.count_tombstone(f.ldt.unwrap_or(i64::MAX));
                }
                if best.as_ref().is_none_or(|(b, _)| compare_cells(&f, b) == Ordering::Greater) {
                    best = Some((f, cell.path.unwrap_or_default()));
                }
            }
            let Some((b, p)) = best else { break };
            if shadows(cover, b.timestamp) {
                self.stats.shadowed += 1;
            } else if !cell_live(&b, self.now) {
                self.stats.expired += u64::from(!b.tombstone);
            } else {
                live.push((p, b.value));
            }
        }
        Ok(write_frozen(ty, live.into_iter(), self.arena))
    }

    fn counter(
        &mut self,
        rows: &[Row<'_>],
        group: &[(usize, usize, usize)],
        deletion: Option<DeletionTime>,
    ) -> Result<bool> {
        let mut contexts: Vec<&[u8]> = Vec::with_capacity(group.len());
        let mut dead = false;
        for &(_, i, pos) in group {
            let Some(cell) = rows[i].column(pos).and_then(|c| c.cell(0)) else { continue };
            if shadows(deletion, cell.timestamp) {
                self.stats.shadowed += 1;
                continue;
            }
            if cell.is_tombstone() {
                // A counter tombstone wins whatever the timestamps.
                self.count_tombstone(cell.local_deletion_time().unwrap_or(i64::MAX));
                dead = true;
            } else {
                contexts.push(cell.value);
            }
        }
        if dead || contexts.is_empty() {
            return Ok(false);
        }
        merge_counter_contexts(contexts.into_iter(), self.arena).map_err(Error::corrupt)?;
        Ok(true)
    }
}
