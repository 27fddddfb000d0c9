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

use std::cmp::Ordering;

use crate::error::{Error, Result};
use crate::sstable::clustering::BoundKind;
use crate::sstable::{ColumnData, DataReader, DeletionTime, Row, Unfiltered};
use crate::types::compare::{compare_values, order_key};
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
    /// The current partition's token, and as an order-preserving u128.
    token: Option<Token>,
    token_key: u128,
    /// The current key's first 8 bytes, big-endian, zero-padded, and its
    /// length: most same-token comparisons end with these.
    key_word: u64,
    key_len: usize,
}

/// Merges a table's SSTables.
pub struct Merger {
    layout: TableLayout,
    sources: Vec<Source>,
    now: i64,
    gc_grace: i64,
    /// Sources by their current partition's (token, key).
    heap: Vec<usize>,
    /// Under LocalPartitioner, the partition key type that orders them.
    local_key_type: Option<CqlType>,
    /// What the merge counted.
    pub stats: MergeStats,
    /// One clustering column whose [`order_key`] is the whole value: item
    /// keys then decide every comparison but ties of equal items.
    head_exact: bool,
    /// Per source: the current item's sort key (see [`ItemKey`]). Kept
    /// apart from the sources for locality.
    keys: Vec<u128>,
    start: Option<Token>,
    end: Option<Token>,
    arena: Vec<u8>,
    static_arena: Vec<u8>,
    static_spans: Vec<Option<(usize, usize)>>,
    spans: Vec<Option<(usize, usize)>>,
    entries: Vec<u64>,
    bufs: Buffers,
    scratch: Scratch,
}

/// Allocations reused from row to row (see [`recycle`]); always empty.
#[derive(Default)]
struct Buffers {
    rows: Vec<Row<'static>>,
    maps: Vec<&'static [Option<usize>]>,
    clustering: Vec<Option<&'static [u8]>>,
    values: Vec<Option<&'static [u8]>>,
}

/// Empties `v` and hands its allocation over as a vector of another type —
/// here the same type with another lifetime, whose identical layout lets
/// the collect reuse the allocation in place: the per-row vectors of
/// borrowed views then cost no allocation.
fn recycle<A, B>(mut v: Vec<A>) -> Vec<B> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merger").field("sources", &self.sources.len()).finish()
    }
}

fn column_map(defs: &[crate::sstable::ColumnDef], table: &[TableColumn]) -> Vec<Option<usize>> {
    defs.iter().map(|d| table.iter().position(|c| c.name == d.name)).collect()
}

/// Sort keys of a source's current item within a partition, so that most
/// heap comparisons are one integer comparison. A key is built from the
/// [`order_key`] digest of the first clustering value: if two keys differ
/// (and neither is [`ItemKey::UNKNOWN`]), they order the items; equal keys
/// say nothing unless the merge is `head_exact`, where they mean equal
/// items. In a heap entry the key sits above the source index (low 32 bits).
struct ItemKey;

impl ItemKey {
    /// An empty-prefix start bound: before everything.
    const BOTTOM: u128 = 0;
    /// An empty-prefix end bound: after everything.
    const TOP: u128 = 1 << 68;
    /// No digest: compare the items themselves.
    const UNKNOWN: u128 = u128::MAX >> 32;

    /// A prefix whose first value has `digest` (`None`: the empty value,
    /// which sorts before every other, or after every other when the type
    /// is reversed), with `rank` its kind's place among items of equal
    /// values (0 opens/closes before the row, 2 the row, 3 after it; always
    /// 0 when keys are not exact).
    fn item(digest: Option<u64>, reversed: bool, rank: u8) -> u128 {
        let d = match digest {
            Some(d) => u128::from(d) + 2,
            None if reversed => u128::from(u64::MAX) + 3,
            None => 1,
        };
        (d << 2) | u128::from(rank)
    }

    /// The key of an item of kind `kind` (a `ClusteringPrefix.Kind`
    /// ordinal) with `len` clustering values, the first being `first`
    /// (`None`: null), whose first clustering type is `ty`.
    fn of(exact: bool, ty: &CqlType, kind: u8, len: usize, first: Option<&[u8]>) -> u128 {
        match (len, kind) {
            (0, 0..=2) => ItemKey::BOTTOM,
            (0, 5..=7) => ItemKey::TOP,
            (0, _) => ItemKey::UNKNOWN,
            _ => match first {
                Some([]) => {
                    ItemKey::item(None, matches!(ty, CqlType::Reversed(_)), rank(exact, kind))
                }
                Some(v) => match order_key(ty, v) {
                    Some(d) => ItemKey::item(Some(d), false, rank(exact, kind)),
                    None => ItemKey::UNKNOWN,
                },
                None => ItemKey::UNKNOWN,
            },
        }
    }
}

/// An item kind's place among items of equal exact keys, as
/// `ClusteringComparator` orders kinds; 0 when keys are not exact.
#[inline]
fn rank(exact: bool, kind: u8) -> u8 {
    match (exact, kind) {
        (false, _) => 0,
        (_, 0..=2) => 0,
        (_, 3) => 1,
        (_, 4) => 2,
        _ => 3,
    }
}

/// Pushes onto a binary min-heap ordered by `less` (moving parents down
/// into a hole rather than swapping).
fn heap_push<T: Copy>(h: &mut Vec<T>, x: T, less: impl Fn(T, T) -> bool) {
    h.push(x);
    let mut i = h.len() - 1;
    while i > 0 {
        let parent = (i - 1) / 2;
        if !less(x, h[parent]) {
            break;
        }
        h[i] = h[parent];
        i = parent;
    }
    h[i] = x;
}

/// Pops the least element of a binary min-heap ordered by `less`.
fn heap_pop<T: Copy>(h: &mut Vec<T>, less: impl Fn(T, T) -> bool) -> Option<T> {
    let top = *h.first()?;
    let x = h.pop()?;
    let n = h.len();
    if n > 0 {
        let mut i = 0;
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let c = if l + 1 < n && less(h[l + 1], h[l]) { l + 1 } else { l };
            if !less(h[c], x) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = x;
    }
    Some(top)
}

/// A tombstone's deletion time and whether it is past gc_grace.
fn purgeable(ldt: i64, now: i64, gc_grace: i64) -> bool {
    ldt.saturating_add(gc_grace) < now
}

impl Merger {
    /// A merge of `readers` (fresh, each positioned before its first
    /// partition) into rows of `layout`, live at `now` (seconds).
    pub fn new(layout: TableLayout, readers: Vec<DataReader>, now: i64, gc_grace: i64) -> Merger {
        let sources: Vec<Source> = readers
            .into_iter()
            .map(|reader| {
                let h = reader.header().clone();
                Source {
                    statics: column_map(h.statics.defs(), &layout.statics),
                    regulars: column_map(h.regulars.defs(), &layout.regulars),
                    reader,
                    open: None,
                    token: None,
                    token_key: 0,
                    key_word: 0,
                    key_len: 0,
                }
            })
            .collect();
        let head_exact = matches!(
            layout.clustering.as_slice(),
            [t] if matches!(t.unreversed(), CqlType::TinyInt | CqlType::SmallInt | CqlType::Int | CqlType::BigInt | CqlType::Timestamp)
        );
        let local_key_type = match layout.partitioner {
            Partitioner::Local => sources.first().map(|s| s.reader.header().key_type.clone()),
            _ => None,
        };
        Merger {
            local_key_type,
            keys: vec![ItemKey::UNKNOWN; sources.len()],
            head_exact,
            start: None,
            end: None,
            static_spans: vec![None; layout.statics.len()],
            spans: vec![None; layout.statics.len() + layout.regulars.len()],
            layout,
            sources,
            now,
            gc_grace,
            heap: Vec::new(),
            stats: MergeStats::default(),
            arena: Vec::with_capacity(4096),
            static_arena: Vec::with_capacity(1024),
            entries: Vec::new(),
            bufs: Buffers::default(),
            scratch: Scratch::default(),
        }
    }

    fn push_next(&mut self, s: usize) -> Result<()> {
        while let Some(p) = self.sources[s].reader.next_partition()? {
            if self.start.is_some_and(|start| p.token < start) {
                continue;
            }
            if self.end.is_some_and(|end| p.token >= end) {
                break;
            }
            let token = p.token;
            let mut word = [0u8; 8];
            let n = p.key.len().min(8);
            word[..n].copy_from_slice(&p.key[..n]);
            let key_len = p.key.len();
            self.sources[s].key_word = u64::from_be_bytes(word);
            self.sources[s].key_len = key_len;
            self.sources[s].token = Some(token);
            self.sources[s].token_key = match token {
                Token::Murmur3(t) => (t as u64 ^ (1 << 63)) as u128,
                Token::Random(t) => t,
                Token::Bytes => 0,
            };
            let mut heap = std::mem::take(&mut self.heap);
            heap_push(&mut heap, s, |a, b| self.partition_less(a, b));
            self.heap = heap;
            break;
        }
        Ok(())
    }

    /// Restricts the merge to partitions with `start <= token < end`
    /// (readers may start earlier: what precedes `start` is skipped).
    pub fn with_range(mut self, start: Option<Token>, end: Option<Token>) -> Merger {
        self.start = start;
        self.end = end;
        self
    }

    /// Runs the merge to the end, handing every live row to `sink`.
    pub fn run(&mut self, sink: &mut dyn RowSink) -> Result<()> {
        for s in 0..self.sources.len() {
            self.push_next(s)?;
        }
        let mut group = Vec::new();
        let mut key = Vec::new();
        loop {
            let mut heap = std::mem::take(&mut self.heap);
            let Some(s) = heap_pop(&mut heap, |a, b| self.partition_less(a, b)) else { break };
            let Some(p) = self.sources[s].reader.current_partition() else { break };
            let token = p.token;
            key.clear();
            key.extend_from_slice(p.key);
            group.clear();
            group.push(s);
            while let Some(&top) = heap.first() {
                let same = self.sources[top].token == Some(token)
                    && self.sources[top].reader.current_key() == key.as_slice();
                if !same {
                    break;
                }
                heap_pop(&mut heap, |a, b| self.partition_less(a, b));
                group.push(top);
            }
            self.heap = heap;
            self.partition(&group, &key, token, sink)?;
            for &s in &group {
                self.push_next(s)?;
            }
        }
        Ok(())
    }

    /// Whether source `a`'s current partition sorts before source `b`'s.
    fn partition_less(&self, a: usize, b: usize) -> bool {
        if let Some(key_type) = &self.local_key_type {
            // LocalPartitioner: the key in its type's order is the token.
            let (ka, kb) =
                (self.sources[a].reader.current_key(), self.sources[b].reader.current_key());
            return compare_values(key_type, ka, kb).then(a.cmp(&b)) == Ordering::Less;
        }
        let (ta, tb) = (self.sources[a].token_key, self.sources[b].token_key);
        if ta != tb {
            return ta < tb;
        }
        // Equal tokens: the key decides (byte-ordered partitioners, and
        // the same partition in several SSTables), then the source. Keys
        // of at most 8 bytes are whole in their words.
        let (sa, sb) = (&self.sources[a], &self.sources[b]);
        if sa.key_word != sb.key_word {
            return sa.key_word < sb.key_word;
        }
        if sa.key_len == sb.key_len && sa.key_len <= 8 {
            return a < b;
        }
        let (ka, kb) = (sa.reader.current_key(), sb.reader.current_key());
        ka.cmp(kb).then(a.cmp(&b)) == Ordering::Less
    }

    /// The heap entry of source `s`'s current item.
    #[inline]
    fn entry(&self, s: usize) -> u128 {
        (self.keys[s] << 32) | s as u128
    }

    /// Whether heap entry `x`'s item sorts before `y`'s (ties by source).
    #[inline]
    fn item_less(&self, types: &[CqlType], x: u128, y: u128) -> bool {
        const UNKNOWN: u128 = ItemKey::UNKNOWN << 32;
        if x < UNKNOWN && y < UNKNOWN {
            // Known keys: differing keys decide; equal ones too when exact
            // (or without clustering, where every key is BOTTOM), by
            // source. The entry layout makes both one comparison.
            if self.head_exact || types.is_empty() || (x >> 32) != (y >> 32) {
                return x < y;
            }
        }
        self.item_less_slow(types, x as u32 as usize, y as u32 as usize)
    }

    /// [`Self::item_less`] by the clustering comparator.
    #[cold]
    fn item_less_slow(&self, types: &[CqlType], a: usize, b: usize) -> bool {
        match (
            self.sources[a].reader.current_clustering(),
            self.sources[b].reader.current_clustering(),
        ) {
            (Some(x), Some(y)) => x.compare(&y, types).then(a.cmp(&b)) == Ordering::Less,
            (Some(_), None) => true,
            _ => false,
        }
    }

    fn advance(&mut self, s: usize) -> Result<()> {
        self.sources[s].reader.next_unfiltered()?;
        let Some(c) = self.sources[s].reader.current_clustering() else { return Ok(()) };
        let Some(ty) = self.layout.clustering.first() else {
            self.keys[s] = ItemKey::BOTTOM;
            return Ok(());
        };
        self.keys[s] = ItemKey::of(self.head_exact, ty, c.kind, c.len(), c.get(0));
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
                scratch: &mut self.scratch,
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
        // A heap of the group's sources by their current item (ties by
        // source order, for a deterministic merge).
        let mut heap: Vec<u128> = Vec::with_capacity(group.len());
        let mut open_count = 0usize;
        let mut open_cover: Option<Option<DeletionTime>> = None;
        for &s in group {
            if self.sources[s].reader.has_current() {
                heap_push(&mut heap, self.entry(s), |a, b| self.item_less(&types, a, b));
            }
        }
        // `carry`: the source just advanced, when it still sorts first —
        // runs of one SSTable (often disjoint time ranges) then skip the heap.
        let mut carry: Option<usize> = None;
        loop {
            let m = match carry.take() {
                Some(m) => m,
                None => match heap_pop(&mut heap, |a, b| self.item_less(&types, a, b)) {
                    Some(e) => e as u32 as usize,
                    None => break,
                },
            };
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
                match (self.sources[m].open.is_some(), open.is_some()) {
                    (false, true) => open_count += 1,
                    (true, false) => open_count -= 1,
                    _ => {}
                }
                self.sources[m].open = open;
                open_cover = None;
                self.advance(m)?;
                if self.sources[m].reader.has_current() {
                    let e = self.entry(m);
                    if heap.first().is_none_or(|&top| self.item_less(&types, e, top)) {
                        carry = Some(m);
                    } else {
                        heap_push(&mut heap, e, |a, b| self.item_less(&types, a, b));
                    }
                }
                continue;
            }
            // Every source whose current item is a row at the same clustering.
            same.clear();
            same.push(m);
            while let Some(&top_entry) = heap.first() {
                let top = top_entry as u32 as usize;
                let (kt, km) = (self.keys[top], self.keys[m]);
                if self.head_exact && kt != ItemKey::UNKNOWN && km != ItemKey::UNKNOWN {
                    // m is a row: an equal exact key is a row at its clustering.
                    if kt != km {
                        break;
                    }
                    heap_pop(&mut heap, |a, b| self.item_less(&types, a, b));
                    same.push(top);
                    continue;
                }
                let equal = match (
                    self.sources[top].reader.current_clustering(),
                    self.sources[m].reader.current_clustering(),
                ) {
                    (Some(x), Some(first)) if x.kind == crate::sstable::clustering::ROW_KIND => {
                        x.compare(&first, &types) == Ordering::Equal
                    }
                    _ => false,
                };
                if !equal {
                    break;
                }
                heap_pop(&mut heap, |a, b| self.item_less(&types, a, b));
                same.push(top);
            }
            // The open range deletions change only at markers: fold them
            // once per change, not once per row.
            let cover = if open_count == 0 {
                pd
            } else {
                *open_cover.get_or_insert_with(|| {
                    group.iter().fold(pd, |d, &s| later_deletion(d, self.sources[s].open))
                })
            };
            self.stats.rows_read += same.len() as u64;
            let mut rows = recycle(std::mem::take(&mut self.bufs.rows));
            for &s in &same {
                if let Some(r) = self.sources[s].reader.current_row() {
                    rows.push(r);
                }
            }
            let mut maps = recycle(std::mem::take(&mut self.bufs.maps));
            maps.extend(same.iter().map(|&s| self.sources[s].regulars.as_slice()));
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
                    scratch: &mut self.scratch,
                };
                ctx.merge(&rows, &maps, cover)?
            };
            if live {
                let mut clustering = recycle(std::mem::take(&mut self.bufs.clustering));
                clustering.extend(rows[0].clustering());
                let mut values = recycle(std::mem::take(&mut self.bufs.values));
                values.extend(
                    self.static_spans.iter().map(|s| s.map(|(a, b)| &self.static_arena[a..b])),
                );
                values.extend(
                    self.spans[nstatic..].iter().map(|s| s.map(|(a, b)| &self.arena[a..b])),
                );
                sink.row(key, token, Some(&clustering), &values)?;
                self.stats.rows_out += 1;
                emitted = true;
                self.bufs.clustering = recycle(clustering);
                self.bufs.values = recycle(values);
            }
            self.bufs.rows = recycle(rows);
            self.bufs.maps = recycle(maps);
            for &s in &same {
                self.advance(s)?;
                if self.sources[s].reader.has_current() {
                    let e = self.entry(s);
                    if same.len() == 1
                        && heap.first().is_none_or(|&top| self.item_less(&types, e, top))
                    {
                        carry = Some(s);
                    } else {
                        heap_push(&mut heap, e, |a, b| self.item_less(&types, a, b));
                    }
                }
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
    entries: &'m mut Vec<u64>,
    scratch: &'m mut Scratch,
}

/// Vectors [`RowMerge`] reuses from row to row (always empty between uses).
#[derive(Default)]
struct Scratch {
    counts: Vec<u32>,
    sorted: Vec<u64>,
    group: Vec<(usize, usize, usize)>,
    columns: Vec<(ColumnData<'static>, usize)>,
    live: Vec<(&'static [u8], &'static [u8])>,
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
                    // (layout column, version, position), packed to sort fast.
                    self.entries.push(((*t as u64) << 32) | ((i as u64) << 16) | pos as u64);
                }
            }
        }
        // A stable counting sort by layout column: within a column the
        // entries were pushed in (version, position) order already, so this
        // is the full sort's order without its comparisons.
        let counts = &mut self.scratch.counts;
        counts.clear();
        counts.resize(self.columns.len() + 1, 0);
        for &e in self.entries.iter() {
            if let Some(c) = counts.get_mut((e >> 32) as usize + 1) {
                *c += 1;
            }
        }
        for t in 1..counts.len() {
            counts[t] += counts[t - 1];
        }
        let mut entries = std::mem::take(&mut self.scratch.sorted);
        entries.clear();
        entries.resize(self.entries.len(), 0);
        for &e in self.entries.iter() {
            let slot = &mut counts[(e >> 32) as usize];
            entries[*slot as usize] = e;
            *slot += 1;
        }
        let mut any = false;
        let mut k = 0;
        let mut group = std::mem::take(&mut self.scratch.group);
        while k < entries.len() {
            let t = (entries[k] >> 32) as usize;
            let end = k + entries[k..].iter().take_while(|&&e| (e >> 32) as usize == t).count();
            group.clear();
            group.extend(
                entries[k..end]
                    .iter()
                    .map(|&e| (t, ((e >> 16) & 0xffff) as usize, (e & 0xffff) as usize)),
            );
            let group = &group[..];
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
        self.scratch.sorted = entries;
        group.clear();
        self.scratch.group = group;
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
        let mut columns: Vec<(ColumnData<'_>, usize)> =
            recycle(std::mem::take(&mut self.scratch.columns));
        for &(_, i, pos) in group {
            let Some(c) = rows[i].column(pos) else { continue };
            if let Some(d) = c.complex_deletion {
                self.count_tombstone(d.local_deletion_time);
            }
            cover = later_deletion(cover, c.complex_deletion);
            columns.push((c, 0usize));
        }
        // A k-way merge of the versions' cells by path.
        let mut live: Vec<(&[u8], &[u8])> = recycle(std::mem::take(&mut self.scratch.live));
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
        let written = write_frozen(ty, live.iter().copied(), self.arena);
        self.scratch.columns = recycle(columns);
        self.scratch.live = recycle(live);
        Ok(written)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_keys_agree_with_the_clustering_comparator() {
        use crate::sstable::clustering::compare_prefixes;
        // Exact single-column clusterings: keys decide every pair, and equal
        // keys are equal items; bounds, boundaries and rows of every kind,
        // the empty value and the extremes included.
        let int = |v: i64| v.to_be_bytes().to_vec();
        for ty in
            [CqlType::BigInt, CqlType::Timestamp, CqlType::Reversed(Box::new(CqlType::BigInt))]
        {
            let values: Vec<Vec<u8>> = [i64::MIN, i64::MIN + 1, -2, -1, 0, 1, 255, 256, i64::MAX]
                .into_iter()
                .map(int)
                .chain([Vec::new()])
                .collect();
            let mut items: Vec<(u8, Vec<Option<Vec<u8>>>)> = Vec::new();
            for kind in [0u8, 1, 2, 4, 5, 6, 7] {
                if kind != 4 {
                    items.push((kind, vec![]));
                }
                for v in &values {
                    items.push((kind, vec![Some(v.clone())]));
                }
            }
            let types = [ty.clone()];
            for (ka, a) in &items {
                for (kb, b) in &items {
                    let key = |k: u8, p: &[Option<Vec<u8>>]| {
                        ItemKey::of(true, &ty, k, p.len(), p.first().and_then(|v| v.as_deref()))
                    };
                    let (x, y) = (key(*ka, a), key(*kb, b));
                    let want = compare_prefixes(&types, (*ka, a), (*kb, b));
                    assert_ne!(x, ItemKey::UNKNOWN);
                    assert_eq!(x.cmp(&y), want, "{ty:?}: {ka} {a:?} vs {kb} {b:?}");
                }
            }
        }
    }

    #[test]
    fn inexact_item_keys_never_contradict_the_comparator() {
        use crate::sstable::clustering::compare_prefixes;
        let texts: Vec<Vec<u8>> = ["", "a", "a\0", "ab", "abcdefgh", "abcdefghi", "abcdefgz", "b"]
            .iter()
            .map(|t| t.as_bytes().to_vec())
            .collect();
        for ty in [CqlType::Text, CqlType::Reversed(Box::new(CqlType::Text))] {
            let types = [ty.clone(), CqlType::Int];
            let mut items: Vec<(u8, Vec<Option<Vec<u8>>>)> = Vec::new();
            for kind in [0u8, 1, 2, 4, 5, 6, 7] {
                items.push((kind, vec![]));
                for t in &texts {
                    items.push((kind, vec![Some(t.clone())]));
                    items.push((kind, vec![Some(t.clone()), Some(7i32.to_be_bytes().to_vec())]));
                }
            }
            items.retain(|(k, p)| *k != 4 || p.len() == 2);
            for (ka, a) in &items {
                for (kb, b) in &items {
                    let key = |k: u8, p: &[Option<Vec<u8>>]| {
                        ItemKey::of(false, &ty, k, p.len(), p.first().and_then(|v| v.as_deref()))
                    };
                    let (x, y) = (key(*ka, a), key(*kb, b));
                    if x != y && x != ItemKey::UNKNOWN && y != ItemKey::UNKNOWN {
                        let want = compare_prefixes(&types, (*ka, a), (*kb, b));
                        assert_eq!(x.cmp(&y), want, "{ty:?}: {ka} {a:?} vs {kb} {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn recycled_vectors_keep_their_allocation() {
        let mut v: Vec<&'static [u8]> = Vec::with_capacity(64);
        v.push(b"x");
        let w: Vec<&[u8]> = recycle(v);
        assert!(w.is_empty());
        assert_eq!(w.capacity(), 64);
    }

    #[test]
    fn head_keys_never_contradict_the_comparators() {
        let types = [
            CqlType::Int,
            CqlType::BigInt,
            CqlType::SmallInt,
            CqlType::TinyInt,
            CqlType::Timestamp,
            CqlType::Text,
            CqlType::Blob,
            CqlType::TimeUuid,
            CqlType::Reversed(Box::new(CqlType::Timestamp)),
            CqlType::Reversed(Box::new(CqlType::Text)),
        ];
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for ty in &types {
            let width = match ty.unreversed() {
                CqlType::TinyInt => Some(1),
                CqlType::SmallInt => Some(2),
                t => t.fixed_len(),
            };
            let values: Vec<Vec<u8>> = (0..300)
                .map(|i| {
                    let n = width.unwrap_or((next() % 12) as usize);
                    let mut v: Vec<u8> = next()
                        .to_be_bytes()
                        .iter()
                        .chain(&next().to_be_bytes())
                        .copied()
                        .take(n)
                        .collect();
                    if i % 7 == 0 && width.is_none() {
                        v.truncate(1); // shared prefixes
                    }
                    if matches!(ty.unreversed(), CqlType::TimeUuid) {
                        v[6] = (v[6] & 0x0f) | 0x10;
                    }
                    v
                })
                .chain([Vec::new()])
                .collect();
            for a in &values {
                for b in &values {
                    if let (Some(ka), Some(kb)) = (order_key(ty, a), order_key(ty, b))
                        && ka < kb
                    {
                        assert_eq!(
                            compare_values(ty, a, b),
                            Ordering::Less,
                            "{ty:?} {a:02x?} {b:02x?}"
                        );
                    }
                }
            }
        }
    }
}
