//! Decoded rows, cells and range-tombstone markers, as borrowed views over
//! the reader's buffer (SSTABLE_FORMAT.md §4.4–§4.9).
//!
//! The decoder fills reusable record vectors with offsets into the bytes of
//! the current unfiltered; the views here pair those records with the bytes
//! and the header, so reading a row allocates nothing. A view lives until
//! the next call on the reader.

use super::clustering::{BoundKind, ValueSpan};
use super::header::{ColumnDef, Columns};
use super::unfiltered::UnfilteredDecoder;

/// "No local deletion time": the cell is neither a tombstone nor expiring.
pub const NO_LDT: i64 = i64::MAX;

/// A deletion: everything with a timestamp `<= marked_for_delete_at` is
/// shadowed. `local_deletion_time` is when it happened (seconds), used for
/// gc_grace purging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeletionTime {
    /// Timestamp of the deletion (µs by convention).
    pub marked_for_delete_at: i64,
    /// Local deletion time in seconds since the epoch: a signed 32-bit value
    /// before `oa` (negative when it overflowed), unsigned from `oa` on.
    pub local_deletion_time: i64,
}

/// Expiry of a row's primary-key liveness or of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Expiration {
    /// Time to live, in seconds.
    pub ttl: i32,
    /// When it expires, in seconds since the epoch.
    pub local_expiration_time: i64,
}

/// A row's primary-key liveness (the "row marker" an INSERT writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LivenessInfo {
    /// Write timestamp (µs).
    pub timestamp: i64,
    /// Expiry, when written with a TTL.
    pub expiration: Option<Expiration>,
}

/// A byte range within the current unfiltered's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    #[inline]
    pub fn get<'a>(&self, data: &'a [u8]) -> &'a [u8] {
        data.get(self.start as usize..(self.start + self.len) as usize).unwrap_or_default()
    }
}

/// Cell flag bits (§4.8).
pub(crate) mod cell_flags {
    pub const IS_DELETED: u8 = 0x01;
    pub const IS_EXPIRING: u8 = 0x02;
    pub const HAS_EMPTY_VALUE: u8 = 0x04;
    pub const USE_ROW_TIMESTAMP: u8 = 0x08;
    pub const USE_ROW_TTL: u8 = 0x10;
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CellRec {
    pub flags: u8,
    pub timestamp: i64,
    pub ldt: i64,
    pub ttl: i32,
    pub path: Span,
    pub value: Span,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnRec {
    pub index: u16,
    pub complex_deletion: Option<DeletionTime>,
    pub cells: std::ops::Range<u32>,
}

/// A row's own fields. Liveness is kept as plain scalars (see
/// [`RowLiveness`]) so the decoder stores each one once, in place.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowRec {
    pub is_static: bool,
    pub live: RowLiveness,
    pub deletion: Option<DeletionTime>,
    pub shadowable: bool,
    pub scylla_shadowable: Option<DeletionTime>,
}

/// Primary-key liveness flattened, and what a cell flagged "use the row's
/// timestamp/TTL" inherits: with no liveness, timestamp `i64::MIN`; with
/// no TTL, `ttl` 0 and `ldt` [`NO_LDT`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowLiveness {
    pub present: bool,
    pub expiring: bool,
    pub timestamp: i64,
    pub ttl: i32,
    pub ldt: i64,
}

impl Default for RowLiveness {
    fn default() -> RowLiveness {
        RowLiveness { present: false, expiring: false, timestamp: i64::MIN, ttl: 0, ldt: NO_LDT }
    }
}

impl RowLiveness {
    /// The liveness as the public type.
    #[inline]
    pub fn get(&self) -> Option<LivenessInfo> {
        self.present.then_some(LivenessInfo {
            timestamp: self.timestamp,
            expiration: self
                .expiring
                .then_some(Expiration { ttl: self.ttl, local_expiration_time: self.ldt }),
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct MarkerRec {
    pub kind: BoundKind,
    /// The bound's deletion, or for a boundary the closing (end) deletion.
    pub first: DeletionTime,
    /// For a boundary: the opening (start) deletion.
    pub second: Option<DeletionTime>,
}

/// One cell.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    flags: u8,
    /// Write timestamp (µs).
    pub timestamp: i64,
    ldt: i64,
    ttl: i32,
    /// The cell path of a multi-cell column: list timeuuid, set element,
    /// map key or UDT field index. `None` for single-cell columns.
    pub path: Option<&'a [u8]>,
    /// The value bytes (empty for tombstones and set elements).
    pub value: &'a [u8],
}

impl<'a> Cell<'a> {
    /// Whether this is a tombstone (a deleted cell).
    pub fn is_tombstone(&self) -> bool {
        self.flags & cell_flags::IS_DELETED != 0
    }

    /// Whether this cell was written with a TTL.
    pub fn is_expiring(&self) -> bool {
        self.flags & cell_flags::IS_EXPIRING != 0
    }

    /// Local deletion time (tombstones) or expiration time (expiring
    /// cells), in seconds; `None` for plain live cells.
    pub fn local_deletion_time(&self) -> Option<i64> {
        (self.ldt != NO_LDT).then_some(self.ldt)
    }

    /// TTL in seconds for expiring cells.
    pub fn ttl(&self) -> Option<i32> {
        self.is_expiring().then_some(self.ttl)
    }

    /// Whether the stored value was empty (flag HAS_EMPTY_VALUE).
    pub fn has_empty_value(&self) -> bool {
        self.flags & cell_flags::HAS_EMPTY_VALUE != 0
    }
}

/// One column's data in a row: one cell for a simple column; for a
/// multi-cell column an optional collection deletion and its cells.
#[derive(Debug, Clone, Copy)]
pub struct ColumnData<'a> {
    /// The column.
    pub def: &'a ColumnDef,
    /// Index of the column in the header's column list (column order).
    pub index: usize,
    /// For a multi-cell column: the deletion of the whole collection/UDT
    /// (written on overwrite), if any.
    pub complex_deletion: Option<DeletionTime>,
    cells: &'a [CellRec],
    data: &'a [u8],
}

impl<'a> ColumnData<'a> {
    /// The cells, in cell-path order.
    pub fn cells(&self) -> impl ExactSizeIterator<Item = Cell<'a>> + 'a {
        let complex = self.def.ty.multi_cell;
        let data = self.data;
        self.cells.iter().map(move |c| Cell {
            flags: c.flags,
            timestamp: c.timestamp,
            ldt: c.ldt,
            ttl: c.ttl,
            path: complex.then(|| c.path.get(data)),
            value: c.value.get(data),
        })
    }

    /// Number of cells.
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Cell `i`.
    pub fn cell(&self, i: usize) -> Option<Cell<'a>> {
        let c = self.cells.get(i)?;
        Some(Cell {
            flags: c.flags,
            timestamp: c.timestamp,
            ldt: c.ldt,
            ttl: c.ttl,
            path: self.def.ty.multi_cell.then(|| c.path.get(self.data)),
            value: c.value.get(self.data),
        })
    }
}

/// A row (regular or static).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub(crate) data: &'a [u8],
    /// The decoder's records of this row, borrowed rather than copied:
    /// copying the slices right after the decoder wrote them stalls on
    /// store-to-load forwarding (measured: ~20% of decode time on tiny rows).
    pub(crate) dec: &'a UnfilteredDecoder,
    pub(crate) defs: &'a Columns,
    /// Offset of the row's first byte in the uncompressed Data.db.
    pub position: u64,
}

impl<'a> Row<'a> {
    #[inline]
    fn rec(&self) -> &'a RowRec {
        &self.dec.row
    }

    #[inline]
    pub(crate) fn clustering_spans(&self) -> &'a [ValueSpan] {
        &self.dec.clustering
    }

    /// Whether this is the partition's static row.
    pub fn is_static(&self) -> bool {
        self.rec().is_static
    }

    /// Number of clustering values (0 for the static row).
    pub fn clustering_len(&self) -> usize {
        self.clustering_spans().len()
    }

    /// The clustering values in order; `None` is a null component (only
    /// possible in COMPACT STORAGE prefixes).
    pub fn clustering(&self) -> impl ExactSizeIterator<Item = Option<&'a [u8]>> + 'a {
        let data = self.data;
        self.clustering_spans().iter().map(move |v| v.get(data))
    }

    /// Clustering value `i` (`Some(None)` for a null component).
    #[inline]
    pub fn clustering_at(&self, i: usize) -> Option<Option<&'a [u8]>> {
        self.clustering_spans().get(i).map(|v| v.get(self.data))
    }

    /// Primary-key liveness, if the row has it.
    pub fn liveness(&self) -> Option<LivenessInfo> {
        self.rec().live.get()
    }

    /// The row deletion, if any.
    pub fn deletion(&self) -> Option<DeletionTime> {
        self.rec().deletion
    }

    /// Whether the row deletion is shadowable (materialized views; Cassandra
    /// extended flag 0x02).
    pub fn deletion_is_shadowable(&self) -> bool {
        self.rec().shadowable
    }

    /// ScyllaDB's separately encoded shadowable deletion (extended flag 0x80).
    pub fn scylla_shadowable_deletion(&self) -> Option<DeletionTime> {
        self.rec().scylla_shadowable
    }

    /// The columns present in the row, in column order.
    pub fn columns(&self) -> impl Iterator<Item = ColumnData<'a>> + 'a {
        let (defs, cells, data) = (self.defs, &self.dec.cells[..], self.data);
        self.dec.columns.iter().filter_map(move |c| {
            let def = defs.defs().get(c.index as usize)?;
            let cells = cells.get(c.cells.start as usize..c.cells.end as usize)?;
            Some(ColumnData {
                def,
                index: c.index as usize,
                complex_deletion: c.complex_deletion,
                cells,
                data,
            })
        })
    }

    /// Number of columns present.
    pub fn column_count(&self) -> usize {
        self.dec.columns.len()
    }

    /// The `i`-th column present (in column order).
    pub fn column(&self, i: usize) -> Option<ColumnData<'a>> {
        let c = self.dec.columns.get(i)?;
        Some(ColumnData {
            def: self.defs.defs().get(c.index as usize)?,
            index: c.index as usize,
            complex_deletion: c.complex_deletion,
            cells: self.dec.cells.get(c.cells.start as usize..c.cells.end as usize)?,
            data: self.data,
        })
    }

    /// Whether the row carries nothing (no liveness, deletion or column).
    pub fn is_empty(&self) -> bool {
        !self.rec().live.present
            && self.rec().deletion.is_none()
            && self.rec().scylla_shadowable.is_none()
            && self.dec.columns.is_empty()
    }
}

/// A range-tombstone bound or boundary marker.
#[derive(Debug, Clone, Copy)]
pub struct Marker<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) rec: &'a MarkerRec,
    pub(crate) clustering: &'a [ValueSpan],
    /// Offset of the marker's first byte in the uncompressed Data.db.
    pub position: u64,
}

impl<'a> Marker<'a> {
    /// The bound kind.
    pub fn kind(&self) -> BoundKind {
        self.rec.kind
    }

    /// The clustering prefix (may be shorter than the clustering; empty for
    /// the start or end of the whole partition).
    pub fn clustering(&self) -> impl ExactSizeIterator<Item = Option<&'a [u8]>> + 'a {
        let data = self.data;
        self.clustering.iter().map(move |v| v.get(data))
    }

    /// Number of values in the prefix.
    pub fn clustering_len(&self) -> usize {
        self.clustering.len()
    }

    /// Prefix value `i` (`Some(None)` for a null component).
    #[inline]
    pub fn clustering_at(&self, i: usize) -> Option<Option<&'a [u8]>> {
        self.clustering.get(i).map(|v| v.get(self.data))
    }

    /// For a bound: its deletion. For a boundary: the deletion it closes.
    pub fn deletion(&self) -> DeletionTime {
        self.rec.first
    }

    /// For a boundary: the deletion it opens.
    pub fn open_deletion(&self) -> Option<DeletionTime> {
        self.rec.second
    }
}

/// A row or a marker.
#[derive(Debug, Clone, Copy)]
pub enum Unfiltered<'a> {
    /// A row.
    Row(Row<'a>),
    /// A range-tombstone marker.
    Marker(Marker<'a>),
}
