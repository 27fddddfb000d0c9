//! Pre-3.0 Data.db (`ka` = Cassandra 2.1, `la` = 2.2; SSTABLE_FORMAT.md
//! §16): partitions of cells ("atoms") turned into 3.0 partitions.
//!
//! A legacy partition is its key, its deletion and a sorted run of atoms,
//! each a composite cell name and a cell or a range tombstone. There is no
//! schema in the file, so the table's columns come from outside (the
//! serialization header a schema file gives). Cells are grouped into rows by
//! their clustering prefix; the row marker (empty column name) becomes the
//! row's primary-key liveness; static cells (names starting `FFFF`) the
//! static row; a collection key becomes a cell path. Range tombstones are
//! sorted out the way Cassandra 3.0's `LegacyLayout` does: one covering
//! exactly a row is a row deletion, one covering a collection column of a
//! row a complex deletion, and the rest, which may overlap or repeat, are
//! flattened into non-overlapping ranges (the newest deletion wins where
//! they overlap; touching ranges with the same deletion join) and emitted
//! as bound and boundary markers.
//!
//! Cells of columns the schema does not have are skipped, as Cassandra 3.0
//! skips them: dropped columns, and the illegal cell names 2.x could write.
//!
//! [`Transcoder`] streams a legacy Data.db as the 3.0 (`mc`) encoding of
//! those partitions, so the rest of the reader, `dump` and the merge see an
//! ordinary SSTable; memory is one partition. COMPACT STORAGE tables, whose
//! cell names have another layout, are refused when opened.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Offset, Result};
use crate::types::CqlType;
use crate::types::cursor::{Cursor, Short};

use super::clustering::{BoundKind, ROW_KIND, compare_prefixes};
use super::content::{Cell, CellKind, Cells, Column, Item, Marker, Partition, Row};
use super::data_source::{DataSource, Window};
use super::header::SerializationHeader;
use super::reader::hex;
use super::row::{DeletionTime, Expiration, LivenessInfo};
use super::write::data::{PartitionSerializer, bound_byte};

const DELETION_MASK: u8 = 0x01;
const EXPIRATION_MASK: u8 = 0x02;
const COUNTER_MASK: u8 = 0x04;
const COUNTER_UPDATE_MASK: u8 = 0x08;
const RANGE_TOMBSTONE_MASK: u8 = 0x10;

/// Why a partition could not be decoded.
#[derive(Debug)]
enum Fail {
    /// The bytes end inside it.
    Short,
    /// At this offset within the partition, this is wrong.
    Corrupt(usize, String),
}

impl From<Short> for Fail {
    fn from(_: Short) -> Fail {
        Fail::Short
    }
}

/// A legacy DeletionTime: `i32 localDeletionTime, i64 markedForDeleteAt`;
/// "live" is `(i32::MAX, i64::MIN)`.
fn deletion_time(c: &mut Cursor<'_>) -> std::result::Result<Option<DeletionTime>, Short> {
    let ldt = c.i32()?;
    let mfda = c.i64()?;
    Ok((ldt != i32::MAX || mfda != i64::MIN).then_some(DeletionTime {
        marked_for_delete_at: mfda,
        local_deletion_time: i64::from(ldt),
    }))
}

/// Whether `a` supersedes `b` (`DeletionTime.supersedes`).
fn supersedes(a: &DeletionTime, b: &DeletionTime) -> bool {
    (a.marked_for_delete_at, a.local_deletion_time)
        > (b.marked_for_delete_at, b.local_deletion_time)
}

fn newest(a: Option<DeletionTime>, b: DeletionTime) -> Option<DeletionTime> {
    match a {
        Some(a) if !supersedes(&b, &a) => Some(a),
        _ => Some(b),
    }
}

/// A composite cell name: whether it is static, and its components with
/// their end-of-component bytes.
struct Name<'a> {
    is_static: bool,
    parts: Vec<(&'a [u8], i8)>,
}

fn split_name(name: &[u8]) -> std::result::Result<Name<'_>, String> {
    let is_static = name.len() >= 2 && name[0] == 0xFF && name[1] == 0xFF;
    let mut c = Cursor::new(if is_static { &name[2..] } else { name });
    let mut parts = Vec::new();
    while !c.is_empty() {
        let part = c
            .short_bytes()
            .map_err(|_| format!("cell name 0x{} ends inside a component", hex(name)))?;
        let eoc = c.u8().map_err(|_| {
            format!("cell name 0x{} ends before an end-of-component byte", hex(name))
        })? as i8;
        parts.push((part, eoc));
    }
    Ok(Name { is_static, parts })
}

/// Where a range-tombstone bound lies: just before or just after every
/// clustering starting with `prefix`.
#[derive(Debug, Clone)]
struct Point {
    prefix: Vec<Vec<u8>>,
    after: bool,
}

impl Point {
    /// A kind byte that sorts like this point.
    fn kind(&self) -> u8 {
        if self.after { bound_byte(BoundKind::InclEnd) } else { bound_byte(BoundKind::InclStart) }
    }

    fn cmp(&self, other: &Point, types: &[CqlType]) -> Ordering {
        compare_prefixes(types, (self.kind(), &self.prefix), (other.kind(), &other.prefix))
    }
}

/// A range tombstone of the file, read as two points.
struct Range {
    start: Point,
    end: Point,
    deletion: DeletionTime,
}

/// The table's columns, as the schema gives them.
pub(crate) struct Layout {
    header: Arc<SerializationHeader>,
    clustering: usize,
    /// Names of the partition-key and clustering columns.
    primary_key: Vec<String>,
}

impl Layout {
    pub(crate) fn new(header: Arc<SerializationHeader>, primary_key: Vec<String>) -> Layout {
        let clustering = header.clustering.len();
        Layout { header, clustering, primary_key }
    }

    fn column(&self, is_static: bool, name: &[u8]) -> Option<(usize, bool)> {
        let cols = if is_static { &self.header.statics } else { &self.header.regulars };
        cols.defs().iter().position(|d| d.name.as_bytes() == name).map(|i| (i, cols.is_complex(i)))
    }
}

/// Everything of one partition being assembled.
struct Builder<'l> {
    layout: &'l Layout,
    static_row: Row,
    rows: Vec<Row>,
    ranges: Vec<Range>,
}

impl Builder<'_> {
    fn row(&mut self, is_static: bool, clustering: &[(&[u8], i8)]) -> &mut Row {
        if is_static {
            return &mut self.static_row;
        }
        let same = self.rows.last().is_some_and(|r| {
            r.clustering.len() == clustering.len()
                && r.clustering.iter().zip(clustering).all(|(a, b)| a.as_deref() == Some(b.0))
        });
        if !same {
            self.rows.push(Row {
                clustering: clustering.iter().map(|p| Some(p.0.to_vec())).collect(),
                ..Row::default()
            });
        }
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    fn column(row: &mut Row, index: usize) -> &mut Column {
        let at = match row.columns.iter().position(|c| c.index == index) {
            Some(i) => i,
            None => {
                row.columns.push(Column { index, complex_deletion: None, cells: Cells::new() });
                row.columns.len() - 1
            }
        };
        &mut row.columns[at]
    }

    /// Files one cell under its row and column.
    fn cell(&mut self, name: &Name<'_>, cell: Cell) -> std::result::Result<(), String> {
        let ck = self.layout.clustering;
        if name.parts.len() < ck + 1 {
            return Err(format!(
                "a cell name with {} components; this table's names have at least {}",
                name.parts.len(),
                ck + 1
            ));
        }
        let (clustering, rest) = name.parts.split_at(ck);
        let column = rest[0].0;
        let layout = self.layout;
        let found = layout.column(name.is_static, column);
        if found.is_none() && !column.is_empty() {
            if !name.is_static && layout.primary_key.iter().any(|k| k.as_bytes() == column) {
                // A cell named after a primary-key column, which 2.x tools
                // could write (CASSANDRA-15086): Cassandra 3.x keeps the
                // row alive by it when it has no row marker of its own
                // (LegacySSTableTest: `…illegal_cell_names` and `…_2`).
                let row = self.row(false, clustering);
                if row.liveness.is_none() && !cell.is_tombstone() {
                    row.liveness = Some(LivenessInfo {
                        timestamp: cell.timestamp,
                        expiration: cell.ttl().zip(cell.local_deletion_time()).map(
                            |(ttl, local_expiration_time)| Expiration {
                                ttl,
                                local_expiration_time,
                            },
                        ),
                    });
                }
            }
            // Otherwise, as Cassandra 3.x does (`UnknownColumnException`):
            // a dropped column's cell, skipped (CASSANDRA-15081).
            return Ok(());
        }
        let row = self.row(name.is_static, clustering);
        if column.is_empty() {
            // The row marker: the row's primary-key liveness.
            if rest.len() != 1 {
                return Err("a row marker with a collection key".into());
            }
            match cell.kind {
                CellKind::Live => {
                    row.liveness =
                        Some(LivenessInfo { timestamp: cell.timestamp, expiration: None })
                }
                CellKind::Expiring { ttl, local_expiration_time } => {
                    row.liveness = Some(LivenessInfo {
                        timestamp: cell.timestamp,
                        expiration: Some(Expiration { ttl, local_expiration_time }),
                    })
                }
                // A deleted row marker has no 3.0 form: a row deletion
                // would also shadow the row's cells.
                CellKind::Tombstone { .. } => {}
            }
            return Ok(());
        }
        let Some((index, complex)) = found else { return Ok(()) };
        let path = match (complex, rest.len()) {
            (false, 1) => None,
            (true, 2) => Some(rest[1].0.to_vec()),
            (false, _) => {
                return Err(format!(
                    "column '{}' is not a collection but its cell has a collection key",
                    String::from_utf8_lossy(column)
                ));
            }
            (true, _) => {
                return Err(format!(
                    "collection column '{}' has a cell without exactly one collection key",
                    String::from_utf8_lossy(column)
                ));
            }
        };
        let col = Self::column(row, index);
        if !complex && !col.cells.is_empty() {
            return Err(format!("column '{}' appears twice", String::from_utf8_lossy(column)));
        }
        col.cells.push(Cell { path, ..cell });
        Ok(())
    }

    /// Files a range tombstone: a row deletion, a collection deletion or a
    /// range.
    fn tombstone(
        &mut self,
        start: &Name<'_>,
        end: &Name<'_>,
        deletion: DeletionTime,
    ) -> std::result::Result<(), String> {
        let ck = self.layout.clustering;
        fn values<'a>(n: &Name<'a>) -> Vec<&'a [u8]> {
            n.parts.iter().map(|p| p.0).collect()
        }
        let (sv, ev) = (values(start), values(end));
        let start_eoc = start.parts.last().map_or(0, |p| p.1);
        let end_eoc = end.parts.last().map_or(0, |p| p.1);
        let start_incl = start_eoc <= 0;
        let end_incl = end_eoc >= 0;
        if start.is_static != end.is_static {
            return Err("a range tombstone from a static name to a regular one".into());
        }
        if sv == ev && start_incl && end_incl && sv.len() == ck + 1 {
            // A whole collection: clustering, then the column name.
            let (clustering, column) = start.parts.split_at(ck);
            let (index, complex) = match self.layout.column(start.is_static, column[0].0) {
                Some(found) => found,
                None => return Ok(()), // a dropped column's, as for cells
            };
            if !complex {
                return Err(format!(
                    "a collection tombstone of column '{}', which is not a collection",
                    String::from_utf8_lossy(column[0].0)
                ));
            }
            let row = self.row(start.is_static, clustering);
            let col = Self::column(row, index);
            col.complex_deletion = newest(col.complex_deletion, deletion);
            return Ok(());
        }
        if start.is_static {
            return Err("a range tombstone over static names that is not a collection's".into());
        }
        if sv.len() > ck || ev.len() > ck {
            return Err(format!(
                "a range tombstone bound with {} components; this table has {ck} clustering columns",
                sv.len().max(ev.len())
            ));
        }
        if ck > 0 && sv == ev && sv.len() == ck && start_incl && end_incl {
            let row = self.row(false, &start.parts);
            row.deletion = newest(row.deletion, deletion);
            return Ok(());
        }
        let owned = |v: &[&[u8]]| v.iter().map(|x| x.to_vec()).collect::<Vec<_>>();
        self.ranges.push(Range {
            start: Point { prefix: owned(&sv), after: !start_incl },
            end: Point { prefix: owned(&ev), after: end_incl },
            deletion,
        });
        Ok(())
    }

    /// The partition's items: rows, and the ranges flattened into markers,
    /// in clustering order.
    fn finish(self, key: Vec<u8>, deletion: Option<DeletionTime>) -> Partition {
        let types = &self.layout.header.clustering;
        let markers = flatten(self.ranges, types);
        let mut rows = self.rows;
        rows.sort_by(|a, b| {
            compare_prefixes(types, (ROW_KIND, &a.clustering), (ROW_KIND, &b.clustering))
        });
        // A range tombstone repeated at an index-block boundary can name a
        // row again after its cells: one row per clustering.
        let mut merged: Vec<Row> = Vec::with_capacity(rows.len());
        for row in rows {
            match merged.last_mut() {
                Some(last) if last.clustering == row.clustering => absorb(last, row),
                _ => merged.push(row),
            }
        }
        let mut rows = merged;
        for r in &mut rows {
            r.columns.sort_by_key(|c| c.index);
        }
        let mut items = Vec::with_capacity(rows.len() + markers.len());
        let mut markers = markers.into_iter().peekable();
        for row in rows {
            while let Some(m) = markers.next_if(|m| {
                compare_prefixes(
                    types,
                    (bound_byte(m.kind), &m.clustering),
                    (ROW_KIND, &row.clustering),
                ) == Ordering::Less
            }) {
                items.push(Item::Marker(m));
            }
            items.push(Item::Row(row));
        }
        items.extend(markers.map(Item::Marker));
        let mut static_row = self.static_row;
        static_row.columns.sort_by_key(|c| c.index);
        let static_row = (!static_row.is_empty()).then_some(static_row);
        Partition { key, deletion, static_row, items }
    }
}

/// Adds `other`'s content (the same clustering) to `row`.
fn absorb(row: &mut Row, other: Row) {
    if let Some(l) = other.liveness
        && row.liveness.is_none_or(|r| r.timestamp < l.timestamp)
    {
        row.liveness = Some(l);
    }
    if let Some(d) = other.deletion {
        row.deletion = newest(row.deletion, d);
    }
    for col in other.columns {
        let into = Builder::column(row, col.index);
        if let Some(d) = col.complex_deletion {
            into.complex_deletion = newest(into.complex_deletion, d);
        }
        for cell in col.cells {
            if !into.cells.contains(&cell) {
                into.cells.push(cell);
            }
        }
    }
}

/// Non-overlapping markers for possibly overlapping ranges: between each
/// two consecutive bound points the newest covering deletion applies.
fn flatten(ranges: Vec<Range>, types: &[CqlType]) -> Vec<Marker> {
    // (point, +1 opens / -1 closes, range index)
    let mut events: Vec<(&Point, bool, usize)> = Vec::with_capacity(ranges.len() * 2);
    for (i, r) in ranges.iter().enumerate() {
        if r.start.cmp(&r.end, types) == Ordering::Less {
            events.push((&r.start, true, i));
            events.push((&r.end, false, i));
        }
    }
    events.sort_by(|a, b| a.0.cmp(b.0, types));
    // Segments (from, to, deletion) of constant, present deletion.
    let mut segments: Vec<(Point, Point, DeletionTime)> = Vec::new();
    let mut active: Vec<usize> = Vec::new();
    let mut k = 0;
    while k < events.len() {
        let here = events[k].0;
        while k < events.len() && events[k].0.cmp(here, types) == Ordering::Equal {
            let (_, opens, i) = events[k];
            if opens {
                active.push(i);
            } else if let Some(j) = active.iter().position(|&a| a == i) {
                active.swap_remove(j);
            }
            k += 1;
        }
        let Some(next) = events.get(k) else { break };
        let covering = active
            .iter()
            .map(|&i| ranges[i].deletion)
            .reduce(|a, b| if supersedes(&b, &a) { b } else { a });
        if let Some(d) = covering {
            match segments.last_mut() {
                Some(last) if last.2 == d && last.1.cmp(here, types) == Ordering::Equal => {
                    last.1 = next.0.clone();
                }
                _ => segments.push((here.clone(), next.0.clone(), d)),
            }
        }
    }
    let values = |p: &Point| p.prefix.iter().map(|v| Some(v.clone())).collect::<Vec<_>>();
    let mut markers: Vec<Marker> = Vec::with_capacity(segments.len() * 2);
    for (i, (from, to, d)) in segments.iter().enumerate() {
        let touches_previous = i > 0 && segments[i - 1].1.cmp(from, types) == Ordering::Equal;
        // The previous segment's end bound becomes a boundary.
        if let Some(last) = markers.last_mut().filter(|_| touches_previous) {
            last.kind =
                if from.after { BoundKind::InclEndExclStart } else { BoundKind::ExclEndInclStart };
            last.open = Some(*d);
        } else {
            markers.push(Marker {
                kind: if from.after { BoundKind::ExclStart } else { BoundKind::InclStart },
                clustering: values(from),
                deletion: *d,
                open: None,
            });
        }
        markers.push(Marker {
            kind: if to.after { BoundKind::InclEnd } else { BoundKind::ExclEnd },
            clustering: values(to),
            deletion: *d,
            open: None,
        });
    }
    markers
}

/// Decodes the partition at the start of `bytes`: the partition and the
/// bytes it took.
fn decode_partition(
    bytes: &[u8],
    layout: &Layout,
) -> std::result::Result<(Partition, usize), Fail> {
    let mut c = Cursor::new(bytes);
    let key = c.short_bytes()?.to_vec();
    let deletion = deletion_time(&mut c)?;
    let mut b =
        Builder { layout, static_row: Row::default(), rows: Vec::new(), ranges: Vec::new() };
    loop {
        let at = c.pos();
        let name = c.short_bytes()?;
        if name.is_empty() {
            break;
        }
        let corrupt = |msg: String| Fail::Corrupt(at, msg);
        let parsed = split_name(name).map_err(corrupt)?;
        let flags = c.u8()?;
        if flags & RANGE_TOMBSTONE_MASK != 0 {
            let end = c.short_bytes()?;
            let Some(d) = deletion_time(&mut c)? else {
                return Err(corrupt("a range tombstone with a live deletion time".into()));
            };
            let end = split_name(end).map_err(corrupt)?;
            b.tombstone(&parsed, &end, d).map_err(corrupt)?;
            continue;
        }
        if flags & COUNTER_UPDATE_MASK != 0 {
            return Err(corrupt("a counter update cell, which is never written to disk".into()));
        }
        let cell = if flags & COUNTER_MASK != 0 {
            let _timestamp_of_last_delete = c.i64()?;
            let timestamp = c.i64()?;
            let value = c.int_bytes()?.unwrap_or_default().to_vec();
            Cell { timestamp, kind: CellKind::Live, path: None, value }
        } else if flags & EXPIRATION_MASK != 0 {
            let ttl = c.i32()?;
            let expires = c.i32()?;
            let timestamp = c.i64()?;
            let value = c.int_bytes()?.unwrap_or_default().to_vec();
            let kind = CellKind::Expiring { ttl, local_expiration_time: i64::from(expires) };
            Cell { timestamp, kind, path: None, value }
        } else {
            let timestamp = c.i64()?;
            let value = c.int_bytes()?.unwrap_or_default();
            if flags & DELETION_MASK != 0 {
                let Ok(ldt) = <[u8; 4]>::try_from(value) else {
                    return Err(corrupt(format!(
                        "a deleted cell's value should be its 4-byte deletion time, found {} bytes",
                        value.len()
                    )));
                };
                let local_deletion_time = i64::from(i32::from_be_bytes(ldt));
                Cell {
                    timestamp,
                    kind: CellKind::Tombstone { local_deletion_time },
                    path: None,
                    value: Vec::new(),
                }
            } else {
                Cell { timestamp, kind: CellKind::Live, path: None, value: value.to_vec() }
            }
        };
        b.cell(&parsed, cell).map_err(corrupt)?;
    }
    Ok((b.finish(key, deletion), c.pos()))
}

/// Streams a legacy Data.db as the `mc` encoding of its partitions.
pub(crate) struct Transcoder {
    path: PathBuf,
    inner: DataSource,
    legacy: Window,
    /// Legacy stream offset of the next partition.
    pos: u64,
    layout: Layout,
    out: Vec<u8>,
    ended: bool,
}

impl std::fmt::Debug for Transcoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcoder").field("path", &self.path).field("pos", &self.pos).finish()
    }
}

impl Transcoder {
    pub(crate) fn new(
        path: &Path,
        inner: DataSource,
        header: Arc<SerializationHeader>,
        primary_key: Vec<String>,
    ) -> Self {
        Transcoder {
            path: path.to_path_buf(),
            inner,
            legacy: Window::default(),
            pos: 0,
            layout: Layout::new(header, primary_key),
            out: Vec::new(),
            ended: false,
        }
    }

    /// The Data.db path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The source of the legacy bytes (for byte counts).
    pub(crate) fn inner(&self) -> &DataSource {
        &self.inner
    }

    /// Appends the next partition's 3.0 bytes to `window`; 0 at the end.
    pub(crate) fn fill(&mut self, window: &mut Window) -> Result<usize> {
        loop {
            if self.ended {
                return Ok(0);
            }
            let bytes = self.legacy.from(self.pos);
            if !bytes.is_empty() {
                match decode_partition(bytes, &self.layout) {
                    Ok((p, used)) => {
                        self.pos += used as u64;
                        self.out.clear();
                        PartitionSerializer::new(&self.layout.header, false, u64::MAX)
                            .write(&p, &mut self.out)
                            .map_err(|e| {
                                e.context(format!(
                                    "re-encoding the legacy partition at byte {}",
                                    self.pos - used as u64
                                ))
                                .with_path(&self.path)
                            })?;
                        let n = self.out.len();
                        window.tail(n).copy_from_slice(&self.out);
                        window.commit(n);
                        return Ok(n);
                    }
                    Err(Fail::Corrupt(at, msg)) => {
                        return Err(Error::corrupt(format!("pre-3.0 partition: {msg}"))
                            .with_path(&self.path)
                            .with_offset(Offset::Data(self.pos + at as u64)));
                    }
                    Err(Fail::Short) => {}
                }
            }
            self.legacy.release_before(self.pos);
            if self.inner.fill(&mut self.legacy)? == 0 {
                self.ended = true;
                if !self.legacy.from(self.pos).is_empty() {
                    return Err(Error::new(
                        ErrorKind::Truncated,
                        "Data.db ends inside a pre-3.0 partition",
                    )
                    .with_path(&self.path)
                    .with_offset(Offset::Data(self.pos)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(prefix: &[&str], after: bool) -> Point {
        Point { prefix: prefix.iter().map(|s| s.as_bytes().to_vec()).collect(), after }
    }

    fn dt(ts: i64) -> DeletionTime {
        DeletionTime { marked_for_delete_at: ts, local_deletion_time: 1 }
    }

    fn kinds(m: &[Marker]) -> Vec<(BoundKind, Vec<String>, i64, Option<i64>)> {
        m.iter()
            .map(|m| {
                (
                    m.kind,
                    m.clustering
                        .iter()
                        .map(|v| String::from_utf8(v.clone().unwrap()).unwrap())
                        .collect(),
                    m.deletion.marked_for_delete_at,
                    m.open.map(|d| d.marked_for_delete_at),
                )
            })
            .collect()
    }

    #[test]
    fn nested_ranges_become_boundaries_and_the_newest_wins() {
        // [a .. a] @1 containing [(a,b) .. (a,b)) @2: the inner one splits
        // the outer into two, joined by boundaries.
        let types = [CqlType::Text, CqlType::Text];
        let ranges = vec![
            Range { start: point(&["a"], false), end: point(&["a"], true), deletion: dt(1) },
            Range {
                start: point(&["a", "b"], false),
                end: point(&["a", "c"], false),
                deletion: dt(2),
            },
        ];
        let m = flatten(ranges, &types);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            kinds(&m),
            vec![
                (BoundKind::InclStart, s(&["a"]), 1, None),
                (BoundKind::ExclEndInclStart, s(&["a", "b"]), 1, Some(2)),
                (BoundKind::ExclEndInclStart, s(&["a", "c"]), 2, Some(1)),
                (BoundKind::InclEnd, s(&["a"]), 1, None),
            ]
        );
    }

    #[test]
    fn touching_ranges_with_one_deletion_join_and_older_ones_hide() {
        let types = [CqlType::Text, CqlType::Text];
        let ranges = vec![
            Range { start: point(&["a"], false), end: point(&["a", "b"], false), deletion: dt(5) },
            Range {
                start: point(&["a", "b"], false),
                end: point(&["a", "c"], true),
                deletion: dt(5),
            },
            Range { start: point(&["a", "c"], true), end: point(&["a"], true), deletion: dt(5) },
            // Entirely under a newer deletion: leaves no trace.
            Range {
                start: point(&["a", "x"], false),
                end: point(&["a", "y"], true),
                deletion: dt(3),
            },
        ];
        let m = flatten(ranges, &types);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            kinds(&m),
            vec![
                (BoundKind::InclStart, s(&["a"]), 5, None),
                (BoundKind::InclEnd, s(&["a"]), 5, None)
            ]
        );
    }
}
