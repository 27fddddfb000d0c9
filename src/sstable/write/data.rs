//! Data.db serialization of one partition: the exact inverse of the
//! decoder (SSTABLE_FORMAT.md §4), making the choices Cassandra's
//! `UnfilteredSerializer` and `ColumnIndex` make, so that the same content
//! gives the same bytes:
//!
//! - a row lists all header columns (flag `HAS_ALL_COLUMNS`) or encodes the
//!   subset (bitmap of missing columns below 64 columns, else an index list
//!   of the present or of the missing columns, whichever is shorter);
//! - a cell borrows the row's timestamp / TTL when equal (`USE_ROW_*`);
//! - every unfiltered records the distance back to the previous one, the
//!   first row measuring from the partition start and the static row 0;
//! - index blocks close after the first unfiltered that takes a block past
//!   `column_index_size` bytes, and the last one includes the end byte.

use crate::error::{Error, ErrorKind, Result};
use crate::types::cursor::encode_uvint;

use super::super::clustering::BoundKind;
use super::super::content::{
    Cell, CellKind, ClusteringValue, Column, Item, Marker, Partition, Row,
};
use super::super::flags::{
    END_OF_PARTITION, EXTENSION, HAS_ALL_COLUMNS, HAS_COMPLEX_DELETION, HAS_DELETION,
    HAS_SHADOWABLE_DELETION, HAS_TIMESTAMP, HAS_TTL, IS_MARKER, IS_STATIC,
    SCYLLA_SHADOWABLE_DELETION,
};
use super::super::header::{Columns, SerializationHeader};
use super::super::row::{DeletionTime, LivenessInfo, cell_flags as cf};

/// The clustering kind byte of a row's clustering in an index block name.
pub(crate) const CLUSTERING_KIND: u8 = 4;

/// A clustering prefix as an index block names it: a row's clustering
/// (kind 4) or a marker's bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockName {
    /// Kind byte (`ClusteringPrefix.Kind` ordinal).
    pub kind: u8,
    /// The values.
    pub values: Vec<ClusteringValue>,
}

/// One block of a partition's row index (an `IndexInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexBlock {
    /// First unfiltered's clustering.
    pub first: BlockName,
    /// Last unfiltered's clustering.
    pub last: BlockName,
    /// Block start, relative to the partition start.
    pub offset: u64,
    /// Block length in bytes.
    pub width: u64,
    /// The range deletion still open at the end of the block.
    pub end_open: Option<DeletionTime>,
}

/// Where a written partition's parts are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartitionLayout {
    /// Bytes of key, deletion and static row.
    pub header_length: u64,
    /// Total bytes, end-of-partition flag included.
    pub length: u64,
    /// Index blocks (an Index.db entry lists them when there are ≥ 2).
    pub blocks: Vec<IndexBlock>,
    /// Rows written (static row excluded).
    pub rows: u64,
    /// Cells written (static row included).
    pub cells: u64,
}

/// Serializes partitions against one serialization header.
#[derive(Debug)]
pub(crate) struct PartitionSerializer<'h> {
    header: &'h SerializationHeader,
    oa: bool,
    column_index_size: u64,
    body: Vec<u8>,
}

/// `out.extend_from_slice(b)`, with the common fixed widths (int, bigint,
/// double, timestamp, uuid) as fixed-size copies rather than a call to
/// `memmove`.
#[inline]
fn append(out: &mut Vec<u8>, b: &[u8]) {
    match b.len() {
        4 => out.extend_from_slice(&<[u8; 4]>::try_from(b).unwrap_or_default()),
        8 => out.extend_from_slice(&<[u8; 8]>::try_from(b).unwrap_or_default()),
        16 => out.extend_from_slice(&<[u8; 16]>::try_from(b).unwrap_or_default()),
        _ => out.extend_from_slice(b),
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, msg)
}

impl<'h> PartitionSerializer<'h> {
    pub fn new(header: &'h SerializationHeader, oa: bool, column_index_size: u64) -> Self {
        PartitionSerializer { header, oa, column_index_size, body: Vec::with_capacity(1024) }
    }

    /// Appends partition `p` to `out` (whose length is the partition's
    /// position in Data.db) and returns its layout.
    pub fn write(&mut self, p: &Partition, out: &mut Vec<u8>) -> Result<PartitionLayout> {
        let start = out.len();
        let key_len = u16::try_from(p.key.len())
            .map_err(|_| invalid(format!("partition key of {} bytes (max 65535)", p.key.len())))?;
        out.extend_from_slice(&key_len.to_be_bytes());
        out.extend_from_slice(&p.key);
        self.partition_deletion_bytes(p.deletion, out);
        let mut layout = PartitionLayout::default();
        if p.static_row.is_some() && !self.header.has_statics() {
            return Err(invalid("a static row in a table without static columns"));
        }
        // Cassandra 3.x/4.x write the static row whenever the table has
        // static columns, empty or not; 5.0 only when it has content.
        let empty = Row::default();
        let static_row = match &p.static_row {
            Some(s) if !(self.oa && s.is_empty()) => Some(s),
            None if self.header.has_statics() && !self.oa => Some(&empty),
            _ => None,
        };
        if let Some(s) = static_row {
            if !s.clustering.is_empty() {
                return Err(invalid("the static row has clustering values"));
            }
            layout.cells += self.row(s, true, 0, out)?;
        }
        layout.header_length = (out.len() - start) as u64;

        // Blocks are tracked by item index; names are built only when a
        // block closes (a clone per row was an allocation per value).
        let name = |i: usize| match &p.items[i] {
            Item::Row(r) => BlockName { kind: CLUSTERING_KIND, values: r.clustering.clone() },
            Item::Marker(m) => BlockName { kind: bound_byte(m.kind), values: m.clustering.clone() },
        };
        let mut block: Option<(usize, u64)> = None;
        let mut open: Option<DeletionTime> = None;
        let mut previous = 0u64;
        for (i, item) in p.items.iter().enumerate() {
            let pos = (out.len() - start) as u64;
            if block.is_none() {
                block = Some((i, pos));
            }
            match item {
                Item::Row(r) => {
                    if r.clustering.len() != self.header.clustering.len() {
                        return Err(invalid(format!(
                            "row has {} clustering values, the table has {}",
                            r.clustering.len(),
                            self.header.clustering.len()
                        )));
                    }
                    layout.cells += self.row(r, false, pos - previous, out)?;
                    layout.rows += 1;
                }
                Item::Marker(m) => {
                    self.marker(m, pos - previous, out)?;
                    open = match m.kind {
                        BoundKind::InclStart | BoundKind::ExclStart => Some(m.deletion),
                        BoundKind::ExclEndInclStart | BoundKind::InclEndExclStart => m.open,
                        BoundKind::InclEnd | BoundKind::ExclEnd => None,
                    };
                }
            }
            previous = pos;
            let end = (out.len() - start) as u64;
            if let Some((first, block_start)) = block
                && end - block_start >= self.column_index_size
            {
                layout.blocks.push(IndexBlock {
                    first: name(first),
                    last: name(i),
                    offset: block_start,
                    width: end - block_start,
                    end_open: open,
                });
                block = None;
            }
        }
        out.push(END_OF_PARTITION);
        let end = (out.len() - start) as u64;
        if let Some((first, block_start)) = block {
            layout.blocks.push(IndexBlock {
                first: name(first),
                last: name(p.items.len() - 1),
                offset: block_start,
                width: end - block_start,
                end_open: open,
            });
        }
        layout.length = end;
        Ok(layout)
    }

    /// The partition-level DeletionTime (§4.3): not delta-encoded.
    pub(crate) fn partition_deletion_bytes(&self, d: Option<DeletionTime>, out: &mut Vec<u8>) {
        match (self.oa, d) {
            (false, None) => {
                out.extend_from_slice(&i32::MAX.to_be_bytes());
                out.extend_from_slice(&i64::MIN.to_be_bytes());
            }
            (false, Some(d)) => {
                out.extend_from_slice(&(d.local_deletion_time as i32).to_be_bytes());
                out.extend_from_slice(&d.marked_for_delete_at.to_be_bytes());
            }
            (true, None) => out.push(0x80),
            (true, Some(d)) => {
                out.extend_from_slice(&d.marked_for_delete_at.to_be_bytes());
                out.extend_from_slice(&(d.local_deletion_time as u32).to_be_bytes());
            }
        }
    }

    fn timestamp(&self, ts: i64, out: &mut Vec<u8>) {
        encode_uvint(ts.wrapping_sub(self.header.min_timestamp) as u64, out);
    }

    fn ldt(&self, ldt: i64, out: &mut Vec<u8>) {
        let min = self.header.min_local_deletion_time;
        let delta = if self.oa {
            u64::from((ldt as u32).wrapping_sub(min))
        } else {
            // Java int arithmetic, then widened with sign extension.
            i64::from((ldt as i32).wrapping_sub(min as i32)) as u64
        };
        encode_uvint(delta, out);
    }

    fn ttl(&self, ttl: i32, out: &mut Vec<u8>) {
        encode_uvint(i64::from(ttl.wrapping_sub(self.header.min_ttl)) as u64, out);
    }

    fn deletion(&self, d: DeletionTime, out: &mut Vec<u8>) {
        self.timestamp(d.marked_for_delete_at, out);
        self.ldt(d.local_deletion_time, out);
    }

    /// `DeletionTime.LIVE`, as a complex column without a deletion writes it
    /// when another column of the row has one.
    fn live_deletion(&self, out: &mut Vec<u8>) {
        self.timestamp(i64::MIN, out);
        self.ldt(if self.oa { i64::from(u32::MAX) } else { i64::from(i32::MAX) }, out);
    }

    /// Writes a row; returns the number of cells.
    fn row(&mut self, r: &Row, is_static: bool, previous: u64, out: &mut Vec<u8>) -> Result<u64> {
        let cols = if is_static { &self.header.statics } else { &self.header.regulars };
        check_columns(r, cols)?;
        let mut flags = 0u8;
        let mut ext = 0u8;
        if is_static {
            ext |= IS_STATIC;
        }
        if let Some(l) = &r.liveness {
            flags |= HAS_TIMESTAMP;
            if l.expiration.is_some() {
                flags |= HAS_TTL;
            }
        }
        if r.deletion.is_some() {
            flags |= HAS_DELETION;
            if r.shadowable {
                ext |= HAS_SHADOWABLE_DELETION;
            }
        }
        if r.scylla_shadowable.is_some() {
            ext |= SCYLLA_SHADOWABLE_DELETION;
        }
        let has_complex_deletion = r.columns.iter().any(|c| c.complex_deletion.is_some());
        if has_complex_deletion {
            flags |= HAS_COMPLEX_DELETION;
        }
        if r.columns.len() == cols.len() {
            flags |= HAS_ALL_COLUMNS;
        }
        if ext != 0 {
            flags |= EXTENSION;
        }
        out.push(flags);
        if ext != 0 {
            out.push(ext);
        }
        if !is_static {
            self.clustering_values(&r.clustering, out)?;
        }

        // The body is written in place after room for its size (one byte
        // guessed), which is filled in (and the body moved, if the guess
        // was short) at the end: no copy of every row through a buffer.
        let header_at = out.len();
        out.push(0);
        encode_uvint(previous, out);
        let body_at = out.len();
        let body = &mut *out;
        if let Some(l) = &r.liveness {
            self.timestamp(l.timestamp, body);
            if let Some(e) = l.expiration {
                self.ttl(e.ttl, body);
                self.ldt(e.local_expiration_time, body);
            }
        }
        if let Some(d) = r.deletion {
            self.deletion(d, body);
        }
        if let Some(d) = r.scylla_shadowable {
            self.deletion(d, body);
        }
        if flags & HAS_ALL_COLUMNS == 0 {
            subset(&r.columns, cols.len(), body);
        }
        let mut cells = 0u64;
        for c in &r.columns {
            if cols.is_complex(c.index) {
                if has_complex_deletion {
                    match c.complex_deletion {
                        Some(d) => self.deletion(d, body),
                        None => self.live_deletion(body),
                    }
                }
                encode_uvint(c.cells.len() as u64, body);
                for cell in &c.cells {
                    let path = cell.path.as_deref().ok_or_else(|| {
                        invalid(format!("a cell of multi-cell column {} has no path", c.index))
                    })?;
                    self.cell(cell, Some(path), None, r.liveness.as_ref(), body);
                }
            } else {
                let [cell] = c.cells.as_slice() else {
                    return Err(invalid(format!(
                        "simple column {} has {} cells",
                        cols.defs()[c.index].name,
                        c.cells.len()
                    )));
                };
                let fixed = cols.fixed_len(c.index);
                if let Some(w) = fixed
                    && !cell.value.is_empty()
                    && cell.value.len() != w
                {
                    return Err(invalid(format!(
                        "column {}: {}-byte value for a {w}-byte type",
                        cols.defs()[c.index].name,
                        cell.value.len()
                    )));
                }
                self.cell(cell, None, fixed, r.liveness.as_ref(), body);
            }
            cells += c.cells.len() as u64;
        }
        let size = (out.len() - body_at) as u64 + uvint_len(previous);
        if size < 0x80 {
            out[header_at] = size as u8;
        } else {
            let mut size_bytes = Vec::new();
            encode_uvint(size, &mut size_bytes);
            out.splice(header_at..header_at + 1, size_bytes);
        }
        Ok(cells)
    }

    fn cell(
        &self,
        cell: &Cell,
        path: Option<&[u8]>,
        fixed: Option<usize>,
        row: Option<&LivenessInfo>,
        out: &mut Vec<u8>,
    ) {
        let mut flags = 0u8;
        if cell.value.is_empty() {
            flags |= cf::HAS_EMPTY_VALUE;
        }
        let use_row_ts = row.is_some_and(|l| l.timestamp == cell.timestamp);
        let use_row_ttl = match (cell.kind, row.and_then(|l| l.expiration)) {
            (CellKind::Expiring { ttl, local_expiration_time }, Some(e)) => {
                e.ttl == ttl && e.local_expiration_time == local_expiration_time
            }
            _ => false,
        };
        match cell.kind {
            CellKind::Tombstone { .. } => flags |= cf::IS_DELETED,
            CellKind::Expiring { .. } => flags |= cf::IS_EXPIRING,
            CellKind::Live => {}
        }
        if use_row_ts {
            flags |= cf::USE_ROW_TIMESTAMP;
        }
        if use_row_ttl {
            flags |= cf::USE_ROW_TTL;
        }
        out.push(flags);
        if !use_row_ts {
            self.timestamp(cell.timestamp, out);
        }
        if !use_row_ttl {
            match cell.kind {
                CellKind::Tombstone { local_deletion_time } => self.ldt(local_deletion_time, out),
                CellKind::Expiring { ttl, local_expiration_time } => {
                    self.ldt(local_expiration_time, out);
                    self.ttl(ttl, out);
                }
                CellKind::Live => {}
            }
        }
        if let Some(p) = path {
            encode_uvint(p.len() as u64, out);
            append(out, p);
        }
        if !cell.value.is_empty() {
            if fixed.is_none() {
                encode_uvint(cell.value.len() as u64, out);
            }
            append(out, &cell.value);
        }
    }

    fn marker(&mut self, m: &Marker, previous: u64, out: &mut Vec<u8>) -> Result<()> {
        out.push(IS_MARKER);
        out.push(bound_byte(m.kind));
        self.prefix_with_size(&m.clustering, out)?;
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        self.deletion(m.deletion, &mut body);
        if m.kind.is_boundary() {
            let open = m.open.ok_or_else(|| {
                invalid("a range-tombstone boundary without the deletion it opens")
            })?;
            self.deletion(open, &mut body);
        }
        encode_uvint(body.len() as u64 + uvint_len(previous), out);
        encode_uvint(previous, out);
        out.extend_from_slice(&body);
        self.body = body;
        Ok(())
    }

    /// A bound's `u16` value count, then its values.
    pub(crate) fn prefix_with_size(
        &self,
        values: &[ClusteringValue],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if values.len() > self.header.clustering.len() {
            return Err(invalid(format!(
                "a clustering prefix of {} values, the table has {}",
                values.len(),
                self.header.clustering.len()
            )));
        }
        out.extend_from_slice(&(values.len() as u16).to_be_bytes());
        self.clustering_values(values, out)
    }

    /// `serializeValuesWithoutSize` (§4.6) with the header's widths.
    pub(crate) fn clustering_values(
        &self,
        values: &[ClusteringValue],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let fixed = self.header.clustering_fixed();
        write_values_without_size(values, |i| fixed.get(i).copied().flatten(), out)
    }
}

/// `serializeValuesWithoutSize` (§4.6): per 32 values a vint header of
/// empty/null bits, then each non-empty value, raw when its type (`fixed`
/// of its index) is fixed-width, else with a vint length.
pub(crate) fn write_values_without_size(
    values: &[ClusteringValue],
    fixed: impl Fn(usize) -> Option<usize>,
    out: &mut Vec<u8>,
) -> Result<()> {
    for (batch_no, batch) in values.chunks(32).enumerate() {
        let mut bits = 0u64;
        for (i, v) in batch.iter().enumerate() {
            match v {
                None => bits |= 1 << (2 * i + 1),
                Some(b) if b.is_empty() => bits |= 1 << (2 * i),
                Some(_) => {}
            }
        }
        encode_uvint(bits, out);
        for (i, v) in batch.iter().enumerate() {
            let Some(b) = v else { continue };
            if b.is_empty() {
                continue;
            }
            match fixed(batch_no * 32 + i) {
                Some(w) if w != b.len() => {
                    return Err(invalid(format!(
                        "clustering value {}: {} bytes for a {w}-byte type",
                        batch_no * 32 + i,
                        b.len()
                    )));
                }
                Some(_) => {}
                None => encode_uvint(b.len() as u64, out),
            }
            append(out, b);
        }
    }
    Ok(())
}

/// The kind byte of a bound (`ClusteringPrefix.Kind` ordinal).
pub(crate) fn bound_byte(k: BoundKind) -> u8 {
    match k {
        BoundKind::ExclEnd => 0,
        BoundKind::InclStart => 1,
        BoundKind::ExclEndInclStart => 2,
        BoundKind::InclEndExclStart => 5,
        BoundKind::InclEnd => 6,
        BoundKind::ExclStart => 7,
    }
}

/// Size of an unsigned vint.
pub(crate) fn uvint_len(v: u64) -> u64 {
    let bits = 64 - (v | 1).leading_zeros() as u64;
    if bits > 56 { 9 } else { bits.div_ceil(7) }
}

/// Columns must be valid header indexes in ascending order.
fn check_columns(r: &Row, cols: &Columns) -> Result<()> {
    let mut prev = None;
    for c in &r.columns {
        if c.index >= cols.len() {
            return Err(invalid(format!(
                "column index {} beyond the {} header columns",
                c.index,
                cols.len()
            )));
        }
        if prev.is_some_and(|p| p >= c.index) {
            return Err(invalid("row columns not in ascending header order"));
        }
        if c.complex_deletion.is_some() && !cols.is_complex(c.index) {
            return Err(invalid(format!(
                "simple column {} has a collection deletion",
                cols.defs()[c.index].name
            )));
        }
        prev = Some(c.index);
    }
    Ok(())
}

/// `Columns.serializeSubset` for a row that lacks some columns.
fn subset(present: &[Column], n: usize, out: &mut Vec<u8>) {
    if n < 64 {
        let mut missing = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        for c in present {
            missing &= !(1 << c.index);
        }
        encode_uvint(missing, out);
        return;
    }
    encode_uvint((n - present.len()) as u64, out);
    if present.len() < n / 2 {
        for c in present {
            encode_uvint(c.index as u64, out);
        }
    } else {
        let mut next = 0usize;
        for c in present {
            for m in next..c.index {
                encode_uvint(m as u64, out);
            }
            next = c.index + 1;
        }
        for m in next..n {
            encode_uvint(m as u64, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uvint_lengths() {
        for v in [0u64, 1, 127, 128, 16383, 16384, 1 << 56, u64::MAX] {
            let mut b = Vec::new();
            encode_uvint(v, &mut b);
            assert_eq!(uvint_len(v), b.len() as u64, "{v}");
        }
    }
}
