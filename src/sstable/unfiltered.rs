//! Decoding of one unfiltered — a row or a range-tombstone marker — from
//! the uncompressed Data.db stream (SSTABLE_FORMAT.md §4.4–§4.9,
//! `db/rows/UnfilteredSerializer.java`, `db/rows/Cell.java`).
//!
//! Row layout:
//! ```text
//! flags [ext] | clustering (not static) | uvint size | uvint prev size
//! | [ts] [ttl ldt] [deletion] [scylla shadowable] | [column subset]
//! | per present column: cell, or [complex deletion] uvint n + n cells
//! ```
//! `size` counts the bytes after itself. The decoder uses it twice: when the
//! buffer holds fewer bytes the record is incomplete (ask for more input);
//! once the buffer holds them, every read inside is bounded by it, so a short
//! read there is corruption, and the bytes consumed must equal it exactly.

use super::clustering::{self, BoundKind, ClusteringError, ValueSpan};
use super::header::{Columns, SerializationHeader};
use super::row::{
    CellRec, ColumnRec, DeletionTime, MarkerRec, NO_LDT, RowLiveness, RowRec, Span,
    cell_flags as cf,
};
use crate::types::cursor::{Cursor, Short};

pub(crate) use super::flags::{END_OF_PARTITION, EXTENSION, IS_MARKER, IS_STATIC};
use super::flags::{
    HAS_ALL_COLUMNS, HAS_COMPLEX_DELETION, HAS_DELETION, HAS_SHADOWABLE_DELETION, HAS_TIMESTAMP,
    HAS_TTL, KNOWN_EXT, SCYLLA_SHADOWABLE_DELETION,
};

/// Why a decode attempt stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// The buffer ends before the record does: supply more input and retry.
    Short,
    /// The bytes are not valid (boxed: errors are cold, and a small `Fail`
    /// keeps every decoding `Result` small).
    Corrupt(Box<Corruption>),
}

/// Where and why a record is corrupt; `at` is relative to its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Corruption {
    pub at: usize,
    pub msg: String,
}

impl From<Short> for Fail {
    fn from(_: Short) -> Fail {
        Fail::Short
    }
}

#[cold]
pub(crate) fn corrupt(at: usize, msg: impl Into<String>) -> Fail {
    Fail::Corrupt(Box::new(Corruption { at, msg: msg.into() }))
}

/// Turns a short read inside a sized body into corruption.
trait InBody<T> {
    fn inside(self, c: &Cursor<'_>, what: &'static str) -> Result<T, Fail>;
}

impl<T> InBody<T> for Result<T, Short> {
    #[inline]
    fn inside(self, c: &Cursor<'_>, what: &'static str) -> Result<T, Fail> {
        self.map_err(|_| corrupt(c.pos(), format!("the record's size field ends it inside {what}")))
    }
}

/// What a successful decode found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// The end-of-partition byte.
    EndOfPartition,
    /// A row of this many bytes (records filled).
    Row(usize),
    /// A marker of this many bytes (records filled).
    Marker(usize),
}

/// Delta bases and version rules for one SSTable.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bases {
    pub min_timestamp: i64,
    pub min_ldt: u32,
    pub min_ttl: i32,
    /// `oa`/`da`: local deletion times are unsigned.
    pub unsigned_ldt: bool,
}

impl Bases {
    pub fn new(h: &SerializationHeader, unsigned_ldt: bool) -> Bases {
        Bases {
            min_timestamp: h.min_timestamp,
            min_ldt: h.min_local_deletion_time,
            min_ttl: h.min_ttl,
            unsigned_ldt,
        }
    }

    #[inline]
    fn timestamp(&self, delta: u64) -> i64 {
        self.min_timestamp.wrapping_add(delta as i64)
    }

    #[inline]
    fn ldt(&self, delta: u32) -> i64 {
        let x = delta.wrapping_add(self.min_ldt);
        if self.unsigned_ldt { i64::from(x) } else { i64::from(x as i32) }
    }

    #[inline]
    fn ttl(&self, delta: u32) -> i32 {
        (delta as i32).wrapping_add(self.min_ttl)
    }

    /// A row/marker/complex DeletionTime: timestamp delta, then LDT delta.
    #[inline]
    fn deletion(&self, c: &mut Cursor<'_>) -> Result<DeletionTime, Short> {
        let marked_for_delete_at = self.timestamp(c.uvint()?);
        let local_deletion_time = self.ldt(c.vint32()?);
        Ok(DeletionTime { marked_for_delete_at, local_deletion_time })
    }

    /// Reads a tombstone's DeletionTime and refuses a negative local
    /// deletion time, which no Cassandra writes for a deletion (only an
    /// overflowed TTL expiry can be negative; §4.8). Cassandra itself rejects
    /// such tombstones (`corrupted_tombstone_strategy`).
    #[inline(always)]
    fn tombstone(&self, c: &mut Cursor<'_>, what: &'static str) -> Result<DeletionTime, Fail> {
        let at = c.pos();
        let d = self.deletion(c).inside(c, what)?;
        check_tombstone_ldt(at, d, what)?;
        Ok(d)
    }
}

/// Refuses a deletion whose local deletion time is negative.
pub(crate) fn check_tombstone_ldt(at: usize, d: DeletionTime, what: &str) -> Result<(), Fail> {
    if d.local_deletion_time < 0 && d.marked_for_delete_at != i64::MIN {
        return Err(corrupt(
            at,
            format!(
                "{what} has a negative local deletion time ({}) at timestamp {}: a corrupt tombstone",
                d.local_deletion_time, d.marked_for_delete_at
            ),
        ));
    }
    Ok(())
}

/// Whether a DeletionTime means "no deletion" (§4.2: any LIVE-timestamped
/// deletion, whatever its LDT decodes to).
#[inline]
fn live_to_none(d: DeletionTime) -> Option<DeletionTime> {
    (d.marked_for_delete_at != i64::MIN).then_some(d)
}

/// Which header columns a row has.
enum Present {
    All,
    /// Bitmap of *missing* columns (fewer than 64 columns).
    Missing(u64),
    /// Explicit list of present column indexes (64 or more columns).
    List,
}

/// Reusable decoding state: the records of the last decoded unfiltered.
#[derive(Debug, Default)]
pub(crate) struct UnfilteredDecoder {
    pub clustering: Vec<ValueSpan>,
    pub columns: Vec<ColumnRec>,
    pub cells: Vec<CellRec>,
    pub row: RowRec,
    pub marker: Option<MarkerRec>,
    present: Vec<u16>,
}

impl UnfilteredDecoder {
    /// Decodes the unfiltered at the start of `src`. `max_len` is how many
    /// bytes the stream still holds from there, so that a corrupt size can
    /// be told apart from a record that continues in the next block.
    pub fn decode(
        &mut self,
        h: &SerializationHeader,
        bases: &Bases,
        src: &[u8],
        max_len: u64,
        want_static: bool,
    ) -> Result<Decoded, Fail> {
        let mut c = Cursor::new(src);
        let flags = c.u8()?;
        if flags & END_OF_PARTITION != 0 {
            if flags != END_OF_PARTITION {
                return Err(corrupt(
                    0,
                    format!("flags byte {flags:#04x} mixes end-of-partition with other bits"),
                ));
            }
            return Ok(Decoded::EndOfPartition);
        }
        let ext = if flags & EXTENSION != 0 { c.u8()? } else { 0 };
        if ext & !KNOWN_EXT != 0 {
            return Err(corrupt(1, format!("unknown extended flags {ext:#04x}")));
        }
        if flags & IS_MARKER != 0 {
            if want_static || ext != 0 {
                return Err(corrupt(
                    0,
                    format!("range tombstone marker with flags {flags:#04x}/{ext:#04x}"),
                ));
            }
            return self.marker(h, bases, &mut c, max_len);
        }
        let is_static = ext & IS_STATIC != 0;
        if is_static != want_static {
            return Err(corrupt(
                0,
                if is_static {
                    "a static row after the first row of a partition"
                } else {
                    "expected the static row"
                },
            ));
        }
        self.row(h, bases, &mut c, flags, ext, max_len)
    }

    /// Reads the size field and returns a cursor over exactly the sized body.
    #[inline(always)]
    fn sized_body<'a>(c: &mut Cursor<'a>, max_len: u64, what: &str) -> Result<Cursor<'a>, Fail> {
        let size_at = c.pos();
        let size = c.uvint()?;
        let body_start = c.pos();
        if size > max_len.saturating_sub(body_start as u64) {
            return Err(corrupt(
                size_at,
                format!(
                    "the {what}'s size field says {size} bytes follow, but Data.db ends {} bytes later \
                     (a truncated file, or a corrupt size)",
                    max_len.saturating_sub(body_start as u64)
                ),
            ));
        }
        let end = body_start + size as usize;
        let data = c.data();
        if end > data.len() {
            return Err(Fail::Short);
        }
        let mut body = Cursor::new(&data[..end]);
        body.skip(body_start).map_err(|_| Fail::Short)?;
        c.skip(size as usize).map_err(|_| Fail::Short)?;
        Ok(body)
    }

    #[inline(always)]
    fn row(
        &mut self,
        h: &SerializationHeader,
        bases: &Bases,
        c: &mut Cursor<'_>,
        flags: u8,
        ext: u8,
        max_len: u64,
    ) -> Result<Decoded, Fail> {
        let is_static = ext & IS_STATIC != 0;
        self.clustering.clear();
        self.columns.clear();
        self.cells.clear();
        self.marker = None;
        if !is_static {
            let at = c.pos();
            let clust = &mut self.clustering;
            clustering::read_values(c, h.clustering_fixed(), h.clustering.len(), |v| clust.push(v))
                .map_err(|e| match e {
                    ClusteringError::Short => Fail::Short,
                    _ => corrupt(at, "clustering value too long"),
                })?;
        }
        let mut b = Self::sized_body(c, max_len, "row")?;
        b.uvint().inside(&b, "the previous-row size")?;
        // Written in place field by field, and read back by the cells field
        // by field: a RowLiveness assembled on the stack and copied whole
        // made the copy's wide loads wait on narrow stores (a
        // store-to-load forwarding stall, ~20% of decode time on tiny rows).
        let live = &mut self.row.live;
        *live = RowLiveness::default();
        if flags & HAS_TIMESTAMP != 0 {
            live.present = true;
            live.timestamp = bases.timestamp(b.uvint().inside(&b, "the row timestamp")?);
            if flags & HAS_TTL != 0 {
                live.expiring = true;
                live.ttl = bases.ttl(b.vint32().inside(&b, "the row TTL")?);
                live.ldt = bases.ldt(b.vint32().inside(&b, "the row expiration time")?);
            }
        }
        let deletion = if flags & HAS_DELETION != 0 {
            live_to_none(bases.tombstone(&mut b, "the row deletion")?)
        } else {
            None
        };
        let scylla_shadowable = if ext & SCYLLA_SHADOWABLE_DELETION != 0 {
            live_to_none(bases.tombstone(&mut b, "the shadowable deletion")?)
        } else {
            None
        };
        let rec = &mut self.row;
        rec.is_static = is_static;
        rec.deletion = deletion;
        rec.shadowable = ext & HAS_SHADOWABLE_DELETION != 0 && deletion.is_some();
        rec.scylla_shadowable = scylla_shadowable;
        let cols = if is_static { &h.statics } else { &h.regulars };
        let present =
            if flags & HAS_ALL_COLUMNS != 0 { Present::All } else { self.subset(&mut b, cols)? };
        let n = cols.len();
        match present {
            Present::All => {
                for i in 0..n {
                    self.column(&mut b, bases, cols, i, flags)?;
                }
            }
            Present::Missing(missing) => {
                for i in 0..n {
                    if missing & (1 << i) == 0 {
                        self.column(&mut b, bases, cols, i, flags)?;
                    }
                }
            }
            Present::List => {
                let present = std::mem::take(&mut self.present);
                let r = present
                    .iter()
                    .try_for_each(|&i| self.column(&mut b, bases, cols, i as usize, flags));
                self.present = present;
                r?;
            }
        }
        if !b.is_empty() {
            return Err(corrupt(
                b.pos(),
                format!("row has {} bytes left over after its last column", b.remaining()),
            ));
        }
        Ok(Decoded::Row(c.pos()))
    }

    /// Columns.deserializeSubset (§4.6.2).
    fn subset(&mut self, b: &mut Cursor<'_>, cols: &Columns) -> Result<Present, Fail> {
        let at = b.pos();
        let encoded = b.uvint().inside(b, "the column subset")?;
        let n = cols.len();
        if encoded == 0 {
            return Ok(Present::All);
        }
        if n < 64 {
            if n < 64 && encoded >> n != 0 {
                return Err(corrupt(
                    at,
                    format!(
                        "column bitmap {encoded:#x} names columns beyond the {n} in the header"
                    ),
                ));
            }
            return Ok(Present::Missing(encoded));
        }
        let missing = usize::try_from(encoded)
            .ok()
            .filter(|&m| m <= n)
            .ok_or_else(|| corrupt(at, format!("{encoded} missing columns out of {n}")))?;
        let present_count = n - missing;
        self.present.clear();
        if present_count < n / 2 {
            let mut last = None;
            for _ in 0..present_count {
                let at = b.pos();
                let i = b.uvint().inside(b, "the present-column list")?;
                if i >= n as u64 || last.is_some_and(|l| i <= l) {
                    return Err(corrupt(
                        at,
                        format!("present column index {i} out of order or beyond {n}"),
                    ));
                }
                last = Some(i);
                self.present.push(i as u16);
            }
        } else {
            let mut next = 0u64;
            for _ in 0..missing {
                let at = b.pos();
                let m = b.uvint().inside(b, "the missing-column list")?;
                if m >= n as u64 || m < next {
                    return Err(corrupt(
                        at,
                        format!("missing column index {m} out of order or beyond {n}"),
                    ));
                }
                while next < m {
                    self.present.push(next as u16);
                    next += 1;
                }
                next = m + 1;
            }
            while next < n as u64 {
                self.present.push(next as u16);
                next += 1;
            }
        }
        Ok(Present::List)
    }

    #[inline(always)]
    fn column(
        &mut self,
        b: &mut Cursor<'_>,
        bases: &Bases,
        cols: &Columns,
        i: usize,
        row_flags: u8,
    ) -> Result<(), Fail> {
        let first = self.cells.len() as u32;
        let fixed = cols.fixed_len(i);
        if !cols.is_complex(i) {
            self.cell(b, bases, fixed, false)?;
            self.columns.push(ColumnRec {
                index: i as u16,
                complex_deletion: None,
                cells: first..first + 1,
            });
            return Ok(());
        }
        let complex_deletion = if row_flags & HAS_COMPLEX_DELETION != 0 {
            live_to_none(bases.tombstone(b, "a collection deletion")?)
        } else {
            None
        };
        let at = b.pos();
        let count = b.uvint().inside(b, "a collection's cell count")?;
        // Every cell takes at least two bytes (flags and a path length).
        if count > (b.remaining() / 2) as u64 {
            return Err(corrupt(
                at,
                format!("{count} cells cannot fit in the {} bytes left in the row", b.remaining()),
            ));
        }
        for _ in 0..count {
            self.cell(b, bases, None, true)?;
        }
        self.columns.push(ColumnRec {
            index: i as u16,
            complex_deletion,
            cells: first..first + count as u32,
        });
        Ok(())
    }

    #[inline(always)]
    fn cell(
        &mut self,
        b: &mut Cursor<'_>,
        bases: &Bases,
        fixed: Option<usize>,
        complex: bool,
    ) -> Result<(), Fail> {
        let at = b.pos();
        let flags = b.u8().inside(b, "a cell")?;
        if flags & 0xe0 != 0 {
            return Err(corrupt(at, format!("cell flags {flags:#04x} has unknown bits")));
        }
        let timestamp = if flags & cf::USE_ROW_TIMESTAMP != 0 {
            self.row.live.timestamp
        } else {
            bases.timestamp(b.uvint().inside(b, "a cell timestamp")?)
        };
        let use_row_ttl = flags & cf::USE_ROW_TTL != 0;
        let ldt = if use_row_ttl {
            self.row.live.ldt
        } else if flags & (cf::IS_DELETED | cf::IS_EXPIRING) != 0 {
            bases.ldt(b.vint32().inside(b, "a cell deletion time")?)
        } else {
            NO_LDT
        };
        if flags & (cf::IS_DELETED | cf::IS_EXPIRING) == cf::IS_DELETED {
            check_tombstone_ldt(
                at,
                DeletionTime { marked_for_delete_at: timestamp, local_deletion_time: ldt },
                "a cell tombstone",
            )?;
        }
        let ttl = if use_row_ttl {
            self.row.live.ttl
        } else if flags & cf::IS_EXPIRING != 0 {
            bases.ttl(b.vint32().inside(b, "a cell TTL")?)
        } else {
            0
        };
        let path = if complex {
            let len = b.uvint().inside(b, "a cell path length")?;
            let start = b.pos();
            let len = usize::try_from(len).map_err(|_| corrupt(start, "cell path too long"))?;
            b.skip(len).inside(b, "a cell path")?;
            Span { start: start as u32, len: len as u32 }
        } else {
            Span::default()
        };
        let value = if flags & cf::HAS_EMPTY_VALUE != 0 {
            Span { start: b.pos() as u32, len: 0 }
        } else {
            let len = match fixed {
                Some(w) => w,
                None => {
                    let l = b.uvint().inside(b, "a cell value length")?;
                    usize::try_from(l).map_err(|_| corrupt(b.pos(), "cell value too long"))?
                }
            };
            let start = b.pos();
            b.skip(len).inside(b, "a cell value")?;
            Span { start: start as u32, len: len as u32 }
        };
        self.cells.push(CellRec { flags, timestamp, ldt, ttl, path, value });
        Ok(())
    }

    fn marker(
        &mut self,
        h: &SerializationHeader,
        bases: &Bases,
        c: &mut Cursor<'_>,
        max_len: u64,
    ) -> Result<Decoded, Fail> {
        self.clustering.clear();
        self.columns.clear();
        self.cells.clear();
        let at = c.pos();
        let kind_byte = c.u8()?;
        let kind = BoundKind::from_byte(kind_byte).ok_or_else(|| {
            corrupt(
                at,
                format!("range tombstone bound kind {kind_byte} is not a bound or boundary"),
            )
        })?;
        let size_at = c.pos();
        let size = c.u16()? as usize;
        if size > h.clustering.len() {
            return Err(corrupt(
                size_at,
                format!(
                    "bound has {size} clustering values but the table has {}",
                    h.clustering.len()
                ),
            ));
        }
        let clust = &mut self.clustering;
        clustering::read_values(c, h.clustering_fixed(), size, |v| clust.push(v)).map_err(|e| {
            match e {
                ClusteringError::Short => Fail::Short,
                _ => corrupt(size_at, "clustering value too long"),
            }
        })?;
        let mut b = Self::sized_body(c, max_len, "range tombstone marker")?;
        b.uvint().inside(&b, "the previous-row size")?;
        let first = bases.tombstone(&mut b, "the range tombstone")?;
        let second = if kind.is_boundary() {
            Some(bases.tombstone(&mut b, "the range tombstone")?)
        } else {
            None
        };
        if !b.is_empty() {
            return Err(corrupt(b.pos(), format!("marker has {} bytes left over", b.remaining())));
        }
        self.marker = Some(MarkerRec { kind, first, second });
        Ok(Decoded::Marker(c.pos()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sstable::statistics::RawHeader;

    fn header(clustering: &[&str], regular: &[(&str, &str)]) -> SerializationHeader {
        let raw = RawHeader {
            min_timestamp: 1_000,
            min_local_deletion_time: 100,
            min_ttl: 0,
            key_type: "Int32Type".into(),
            clustering_types: clustering.iter().map(|s| s.to_string()).collect(),
            static_columns: vec![],
            regular_columns: regular.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        };
        SerializationHeader::from_raw(&raw, &[]).unwrap()
    }

    fn decode(h: &SerializationHeader, bytes: &[u8]) -> (UnfilteredDecoder, Result<Decoded, Fail>) {
        let mut d = UnfilteredDecoder::default();
        let bases = Bases::new(h, false);
        let r = d.decode(h, &bases, bytes, bytes.len() as u64 + 1000, false);
        (d, r)
    }

    #[test]
    fn derived_example_row_decodes() {
        // §15.2 (as nb): row flags 24, size 6, prev 18, ts delta 0, cell 08 "hi".
        let h = header(&[], &[("v", "UTF8Type")]);
        let (d, r) = decode(&h, &[0x24, 0x06, 0x12, 0x00, 0x08, 0x02, b'h', b'i']);
        assert_eq!(r, Ok(Decoded::Row(8)));
        assert_eq!(d.row.live.get().unwrap().timestamp, 1_000);
        assert_eq!(d.cells.len(), 1);
        assert_eq!(d.cells[0].timestamp, 1_000);
        assert_eq!(d.cells[0].value, Span { start: 6, len: 2 });
    }

    #[test]
    fn incomplete_rows_ask_for_more_and_bad_sizes_are_corrupt() {
        let h = header(&[], &[("v", "UTF8Type")]);
        let row = [0x24, 0x06, 0x12, 0x00, 0x08, 0x02, b'h', b'i'];
        for cut in 0..row.len() {
            let (_, r) = decode(&h, &row[..cut]);
            assert_eq!(r, Err(Fail::Short), "cut at {cut}");
        }
        // Size one byte too small: the cell value no longer fits.
        let (_, r) = decode(&h, &[0x24, 0x05, 0x12, 0x00, 0x08, 0x02, b'h', b'i']);
        assert!(matches!(r, Err(Fail::Corrupt(_))), "{r:?}");
        // Size one byte too large: a byte is left over.
        let (_, r) = decode(&h, &[0x24, 0x07, 0x12, 0x00, 0x08, 0x02, b'h', b'i', 0x01]);
        assert!(matches!(r, Err(Fail::Corrupt(_))), "{r:?}");
        // A size beyond the end of the stream is corruption, not a wait.
        let mut d = UnfilteredDecoder::default();
        let r =
            d.decode(&h, &Bases::new(&h, false), &[0x24, 0xf0, 0xff, 0xff, 0xff, 0xff], 6, false);
        assert!(matches!(r, Err(Fail::Corrupt(_))), "{r:?}");
    }

    #[test]
    fn boundary_marker_has_end_then_start_deletion() {
        // kind 2 (EXCL_END_INCL_START), one int value 104, size 5, prev 0,
        // first deletion ts delta 1 ldt 0, second ts delta 2 ldt 0.
        let h = header(&["Int32Type"], &[("v", "Int32Type")]);
        let bytes =
            [0x02, 0x02, 0x00, 0x01, 0x00, 0, 0, 0, 104, 0x05, 0x00, 0x01, 0x00, 0x02, 0x00];
        let (d, r) = decode(&h, &bytes);
        assert_eq!(r, Ok(Decoded::Marker(bytes.len())));
        let m = d.marker.unwrap();
        assert_eq!(m.kind, BoundKind::ExclEndInclStart);
        assert_eq!(m.first.marked_for_delete_at, 1_001);
        assert_eq!(m.second.unwrap().marked_for_delete_at, 1_002);
        assert_eq!(m.first.local_deletion_time, 100);
    }

    #[test]
    fn missing_column_bitmap() {
        // Two int columns a, b; bitmap 01 = column a missing; cell b = 7.
        let h = header(&[], &[("a", "Int32Type"), ("b", "Int32Type")]);
        let bytes = [0x04, 0x08, 0x00, 0x00, 0x01, 0x08, 0, 0, 0, 7];
        let (d, r) = decode(&h, &bytes);
        assert_eq!(r, Ok(Decoded::Row(bytes.len())));
        assert_eq!(d.columns.len(), 1);
        assert_eq!(d.columns[0].index, 1);
        // A bitmap naming a third column is corrupt.
        let (_, r) = decode(&h, &[0x04, 0x08, 0x00, 0x00, 0x04, 0x08, 0, 0, 0, 7]);
        assert!(matches!(r, Err(Fail::Corrupt(_))));
    }
}
