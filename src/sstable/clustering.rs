//! Clustering prefix values (SSTABLE_FORMAT.md §4.6,
//! `db/ClusteringPrefix.java` `serializeValuesWithoutSize`).
//!
//! Values come in batches of up to 32; each batch starts with a vint header
//! holding two bits per value: bit `2i` = empty (no bytes follow), bit
//! `2i+1` = null (no bytes follow). Otherwise the value follows, raw if its
//! type is fixed-width, else with a vint length.

use crate::types::CqlType;
use crate::types::cursor::{Cursor, Short};

/// One clustering value as located in the input: null, or a byte range
/// `[start, start + len)` of the cursor's underlying slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSpan {
    /// A null component (only in COMPACT STORAGE prefixes).
    Null,
    /// The value's bytes (possibly empty).
    Bytes {
        /// Offset in the slice the cursor reads.
        start: u32,
        /// Length in bytes.
        len: u32,
    },
}

impl ValueSpan {
    /// The value's bytes within `data`, or `None` for null.
    #[inline]
    pub fn get<'a>(&self, data: &'a [u8]) -> Option<&'a [u8]> {
        match *self {
            ValueSpan::Null => None,
            ValueSpan::Bytes { start, len } => {
                Some(data.get(start as usize..start as usize + len as usize).unwrap_or_default())
            }
        }
    }
}

/// Failure to read clustering values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusteringError {
    /// The input ended.
    Short,
    /// More values than clustering columns.
    TooManyValues,
    /// A value's length does not fit in memory.
    TooLong,
}

impl From<Short> for ClusteringError {
    fn from(_: Short) -> Self {
        ClusteringError::Short
    }
}

/// Reads `count` values whose fixed widths are given by `fixed` (one entry
/// per clustering column), calling `sink` with each value's span.
#[inline]
pub fn read_values(
    c: &mut Cursor<'_>,
    fixed: &[Option<usize>],
    count: usize,
    mut sink: impl FnMut(ValueSpan),
) -> Result<(), ClusteringError> {
    let Some(fixed) = fixed.get(..count) else {
        return Err(ClusteringError::TooManyValues);
    };
    let mut header = 0u64;
    for (i, width) in fixed.iter().enumerate() {
        if i % 32 == 0 {
            header = c.uvint()?;
        }
        let shift = (i % 32) * 2;
        if header & (1 << (shift + 1)) != 0 {
            sink(ValueSpan::Null);
        } else if header & (1 << shift) != 0 {
            sink(ValueSpan::Bytes { start: c.pos() as u32, len: 0 });
        } else {
            let len = match width {
                Some(w) => *w,
                None => usize::try_from(c.uvint()?).map_err(|_| ClusteringError::TooLong)?,
            };
            let start = c.pos();
            c.skip(len)?;
            let len = u32::try_from(len).map_err(|_| ClusteringError::TooLong)?;
            sink(ValueSpan::Bytes { start: start as u32, len });
        }
    }
    Ok(())
}

/// Skips `count` values of the given types (used for STATS bounds).
pub fn skip_values(c: &mut Cursor<'_>, types: &[CqlType], count: usize) -> Result<(), Short> {
    let fixed: Vec<Option<usize>> = types.iter().map(CqlType::fixed_len).collect();
    read_values(c, &fixed, count, |_| {}).map_err(|_| Short)
}

/// The kind byte of a clustering bound or boundary (§4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoundKind {
    /// 0: end of a range, excluding the prefix.
    ExclEnd,
    /// 1: start of a range, including the prefix.
    InclStart,
    /// 2: closes a range excluding the prefix and opens one including it.
    ExclEndInclStart,
    /// 5: closes a range including the prefix and opens one excluding it.
    InclEndExclStart,
    /// 6: end of a range, including the prefix.
    InclEnd,
    /// 7: start of a range, excluding the prefix.
    ExclStart,
}

impl BoundKind {
    /// Decodes a kind byte; 3 (static), 4 (row), 8/9 (sstable bounds) are not
    /// valid for range-tombstone markers.
    pub fn from_byte(b: u8) -> Option<BoundKind> {
        Some(match b {
            0 => BoundKind::ExclEnd,
            1 => BoundKind::InclStart,
            2 => BoundKind::ExclEndInclStart,
            5 => BoundKind::InclEndExclStart,
            6 => BoundKind::InclEnd,
            7 => BoundKind::ExclStart,
            _ => return None,
        })
    }

    /// Whether this marker is a boundary (closes one deletion, opens another).
    pub fn is_boundary(self) -> bool {
        matches!(self, BoundKind::ExclEndInclStart | BoundKind::InclEndExclStart)
    }

    /// For a bound: whether it starts a range.
    pub fn is_start(self) -> bool {
        matches!(self, BoundKind::InclStart | BoundKind::ExclStart)
    }

    /// For a bound: whether the prefix itself is included.
    pub fn is_inclusive(self) -> bool {
        matches!(self, BoundKind::InclStart | BoundKind::InclEnd)
    }
}

/// `ClusteringPrefix.Kind` ordinal of a row's clustering.
pub const ROW_KIND: u8 = 4;

/// The clustering prefix of a reader's current row or marker, with its
/// kind: what a merge compares, without building the whole item view.
#[derive(Debug, Clone, Copy)]
pub struct ClusteringRef<'a> {
    /// `ClusteringPrefix.Kind` ordinal ([`ROW_KIND`] for rows).
    pub kind: u8,
    pub(crate) spans: &'a [ValueSpan],
    pub(crate) data: &'a [u8],
}

impl<'a> ClusteringRef<'a> {
    /// Number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the prefix is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Value `i`, `None` for null (or beyond the prefix).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.spans.get(i).and_then(|v| v.get(self.data))
    }

    /// `ClusteringComparator.compare`.
    pub fn compare(&self, other: &ClusteringRef<'_>, types: &[CqlType]) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let (la, lb) = (self.len(), other.len());
        for (i, ty) in types.iter().enumerate().take(la.min(lb)) {
            let c = crate::types::compare::compare_nullable(ty, self.get(i), other.get(i));
            if c != Ordering::Equal {
                return c;
            }
        }
        match la.cmp(&lb) {
            Ordering::Equal => kind_rank(self.kind).0.cmp(&kind_rank(other.kind).0),
            Ordering::Less => kind_rank(self.kind).1.cmp(&0),
            Ordering::Greater => 0.cmp(&kind_rank(other.kind).1),
        }
    }
}

/// `(comparison, comparedToClustering)` of a `ClusteringPrefix.Kind` ordinal.
fn kind_rank(kind: u8) -> (i8, i8) {
    match kind {
        0..=2 => (0, -1),
        3 => (1, -1),
        4 => (2, 0),
        _ => (3, 1),
    }
}

/// `ClusteringComparator.compare` over prefixes carrying their kind
/// ([`ROW_KIND`] for rows, a bound's byte for markers): values first; a
/// shorter prefix sorts before or after the longer one as its kind says;
/// equal values order by kind.
pub fn compare_prefixes<A: crate::types::compare::ValueRef, B: crate::types::compare::ValueRef>(
    types: &[CqlType],
    (ka, a): (u8, &[A]),
    (kb, b): (u8, &[B]),
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let n = a.len().min(b.len());
    let c = crate::types::compare::compare_clustering(types, &a[..n], &b[..n]);
    if c != Ordering::Equal {
        return c;
    }
    match a.len().cmp(&b.len()) {
        Ordering::Equal => kind_rank(ka).0.cmp(&kind_rank(kb).0),
        Ordering::Less => kind_rank(ka).1.cmp(&0),
        Ordering::Greater => 0.cmp(&kind_rank(kb).1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(bytes: &[u8], fixed: &[Option<usize>], count: usize) -> Vec<Option<Vec<u8>>> {
        let mut c = Cursor::new(bytes);
        let mut out = Vec::new();
        read_values(&mut c, fixed, count, |v| out.push(v.get(bytes).map(<[u8]>::to_vec))).unwrap();
        assert!(c.is_empty());
        out
    }

    #[test]
    fn fixed_variable_empty_and_null() {
        // header: value 1 empty (bit 2), value 2 null (bit 5)
        let bytes = [0x24, 0, 0, 0, 7];
        let v = values(&bytes, &[Some(4), None, None], 3);
        assert_eq!(v, vec![Some(vec![0, 0, 0, 7]), Some(vec![]), None]);
        let bytes = [0x00, 0x02, b'h', b'i'];
        assert_eq!(values(&bytes, &[None], 1), vec![Some(b"hi".to_vec())]);
    }

    #[test]
    fn second_batch_header_before_value_32() {
        let fixed = vec![None; 35];
        let mut bytes = vec![0x00];
        for i in 0..35u8 {
            if i == 32 {
                bytes.push(0x00);
            }
            bytes.extend_from_slice(&[1, i]);
        }
        let v = values(&bytes, &fixed, 35);
        assert_eq!(v[33], Some(vec![33]));
    }

    #[test]
    fn too_many_values_is_an_error() {
        let mut c = Cursor::new(&[0]);
        assert_eq!(read_values(&mut c, &[None], 2, |_| {}), Err(ClusteringError::TooManyValues));
    }
}
