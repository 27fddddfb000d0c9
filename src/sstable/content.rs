//! Owned partition content: what a partition holds, independent of any
//! file. The writer serializes it, the generator builds it, and
//! [`read_partitions`] collects it from a reader (for round trips and
//! tests). Columns are referred to by their index in the header's
//! (static or regular) column list, in Cassandra's column order.

use crate::error::Result;

use super::clustering::BoundKind;
use super::reader::DataReader;
use super::row::{DeletionTime, LivenessInfo, Row as RowView, Unfiltered};

/// One clustering value: `None` is null (only in bound prefixes of COMPACT
/// STORAGE tables), `Some(empty)` an empty value.
pub type ClusteringValue = Option<Vec<u8>>;

/// A partition and everything in it, in clustering order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Partition {
    /// The serialized partition key.
    pub key: Vec<u8>,
    /// The partition deletion, if any.
    pub deletion: Option<DeletionTime>,
    /// The static row (only for tables with static columns).
    pub static_row: Option<Row>,
    /// Rows and range-tombstone markers in clustering order.
    pub items: Vec<Item>,
}

/// A row or a range-tombstone marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A row.
    Row(Row),
    /// A range-tombstone bound or boundary.
    Marker(Marker),
}

/// A row (or the static row, whose clustering is empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// Clustering values (empty for the static row).
    pub clustering: Vec<ClusteringValue>,
    /// Primary-key liveness (the row marker of an INSERT).
    pub liveness: Option<LivenessInfo>,
    /// Row deletion.
    pub deletion: Option<DeletionTime>,
    /// Whether the row deletion is shadowable (materialized views).
    pub shadowable: bool,
    /// ScyllaDB's separately stored shadowable deletion.
    pub scylla_shadowable: Option<DeletionTime>,
    /// Columns with data, by ascending header index.
    pub columns: Vec<Column>,
}

/// One column's data in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Index in the header's static or regular columns.
    pub index: usize,
    /// Deletion of the whole collection/UDT (multi-cell columns only).
    pub complex_deletion: Option<DeletionTime>,
    /// One cell for a simple column; the elements of a multi-cell one, in
    /// cell-path order. Inline when there is one (most columns are
    /// simple: a separate allocation each cost the generator ~5%).
    pub cells: Cells,
}

/// A column's cells: one inline, more on the heap.
pub type Cells = smallvec::SmallVec<[Cell; 1]>;

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Write timestamp (µs).
    pub timestamp: i64,
    /// Live, expiring or deleted.
    pub kind: CellKind,
    /// Cell path of a multi-cell column's element.
    pub path: Option<Vec<u8>>,
    /// The value (empty for tombstones and set elements).
    pub value: Vec<u8>,
}

/// What a cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// A plain live cell.
    Live,
    /// A cell written with a TTL.
    Expiring {
        /// TTL in seconds.
        ttl: i32,
        /// When it expires (seconds since the epoch).
        local_expiration_time: i64,
    },
    /// A deleted cell.
    Tombstone {
        /// When the deletion happened (seconds since the epoch).
        local_deletion_time: i64,
    },
}

/// A range-tombstone marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// Bound or boundary kind.
    pub kind: BoundKind,
    /// The clustering prefix.
    pub clustering: Vec<ClusteringValue>,
    /// A bound's deletion; for a boundary, the deletion it closes.
    pub deletion: DeletionTime,
    /// For a boundary: the deletion it opens.
    pub open: Option<DeletionTime>,
}

impl Row {
    /// Whether the row carries nothing at all.
    pub fn is_empty(&self) -> bool {
        self.liveness.is_none()
            && self.deletion.is_none()
            && self.scylla_shadowable.is_none()
            && self.columns.is_empty()
    }

    /// Copies a decoded row view.
    pub fn from_view(r: &RowView<'_>) -> Row {
        Row {
            clustering: r.clustering().map(|v| v.map(<[u8]>::to_vec)).collect(),
            liveness: r.liveness(),
            deletion: r.deletion(),
            shadowable: r.deletion_is_shadowable(),
            scylla_shadowable: r.scylla_shadowable_deletion(),
            columns: r
                .columns()
                .map(|c| Column {
                    index: c.index,
                    complex_deletion: c.complex_deletion,
                    cells: c
                        .cells()
                        .map(|cell| Cell {
                            timestamp: cell.timestamp,
                            kind: if cell.is_tombstone() {
                                CellKind::Tombstone {
                                    local_deletion_time: cell
                                        .local_deletion_time()
                                        .unwrap_or(i64::from(i32::MAX)),
                                }
                            } else if let Some(ttl) = cell.ttl() {
                                CellKind::Expiring {
                                    ttl,
                                    local_expiration_time: cell
                                        .local_deletion_time()
                                        .unwrap_or(i64::from(i32::MAX)),
                                }
                            } else {
                                CellKind::Live
                            },
                            path: cell.path.map(<[u8]>::to_vec),
                            value: cell.value.to_vec(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl Cell {
    /// A live cell.
    pub fn live(timestamp: i64, value: impl Into<Vec<u8>>) -> Cell {
        Cell { timestamp, kind: CellKind::Live, path: None, value: value.into() }
    }

    /// Whether it is a tombstone.
    pub fn is_tombstone(&self) -> bool {
        matches!(self.kind, CellKind::Tombstone { .. })
    }

    /// Its local deletion or expiration time, if any.
    pub fn local_deletion_time(&self) -> Option<i64> {
        match self.kind {
            CellKind::Live => None,
            CellKind::Expiring { local_expiration_time, .. } => Some(local_expiration_time),
            CellKind::Tombstone { local_deletion_time } => Some(local_deletion_time),
        }
    }

    /// Its TTL, if expiring.
    pub fn ttl(&self) -> Option<i32> {
        match self.kind {
            CellKind::Expiring { ttl, .. } => Some(ttl),
            _ => None,
        }
    }
}

/// Reads every partition of a reader into owned content (whole file in
/// memory: for tests, tools and small files).
pub fn read_partitions(reader: &mut DataReader) -> Result<Vec<Partition>> {
    let mut out = Vec::new();
    while let Some(p) = reader.next_partition()? {
        let mut part =
            Partition { key: p.key.to_vec(), deletion: p.deletion, ..Default::default() };
        while let Some(u) = reader.next_unfiltered()? {
            match u {
                Unfiltered::Row(r) if r.is_static() => part.static_row = Some(Row::from_view(&r)),
                Unfiltered::Row(r) => part.items.push(Item::Row(Row::from_view(&r))),
                Unfiltered::Marker(m) => part.items.push(Item::Marker(Marker {
                    kind: m.kind(),
                    clustering: m.clustering().map(|v| v.map(<[u8]>::to_vec)).collect(),
                    deletion: m.deletion(),
                    open: m.open_deletion(),
                })),
            }
        }
        out.push(part);
    }
    Ok(out)
}
