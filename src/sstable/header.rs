//! The serialization header, decoded: the types every Data.db value is
//! written with, and the delta bases (SSTABLE_FORMAT.md §4.2, §4.6.2, §8.6).
//!
//! Column order matters: bitmaps, index lists and the order of cells in a
//! row follow Cassandra's column order, which the reader computes itself —
//! simple (single-cell) columns first, then complex (multi-cell) ones, each
//! group by name bytes with the top bit of the first byte flipped. Cassandra
//! writes the header in that order already; ScyllaDB does not.

use std::cmp::Ordering;

use crate::error::{Error, ErrorKind, Result};
use crate::types::marshal::{parse_column_type, parse_type};
use crate::types::{ColumnType, CqlType};

use super::statistics::RawHeader;

/// A static or regular column as the SSTable's header declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name.
    pub name: String,
    /// Column type.
    pub ty: ColumnType,
}

/// One kind of columns (static or regular), in Cassandra's column order.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    defs: Vec<ColumnDef>,
    fixed: Vec<Option<usize>>,
}

impl Columns {
    fn new(mut defs: Vec<ColumnDef>) -> Columns {
        defs.sort_by(column_order);
        let fixed = defs.iter().map(|d| d.ty.cell_fixed_len()).collect();
        Columns { defs, fixed }
    }

    /// The columns, in column order.
    pub fn defs(&self) -> &[ColumnDef] {
        &self.defs
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The fixed cell-value width of column `i`.
    #[inline]
    pub fn fixed_len(&self, i: usize) -> Option<usize> {
        self.fixed.get(i).copied().flatten()
    }

    /// Whether column `i` is multi-cell.
    #[inline]
    pub fn is_complex(&self, i: usize) -> bool {
        self.defs.get(i).is_some_and(|d| d.ty.multi_cell)
    }

    /// Finds a column by name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.name == name)
    }
}

/// Cassandra's column order (`ColumnMetadata.compareTo`).
fn column_order(a: &ColumnDef, b: &ColumnDef) -> Ordering {
    a.ty.multi_cell
        .cmp(&b.ty.multi_cell)
        .then_with(|| name_order(a.name.as_bytes(), b.name.as_bytes()))
}

/// Name comparison with the first byte's top bit flipped, as Cassandra's
/// prefix comparison does.
fn name_order(a: &[u8], b: &[u8]) -> Ordering {
    let flip = |s: &[u8]| s.first().map(|b| b ^ 0x80);
    flip(a).cmp(&flip(b)).then_with(|| a.get(1..).cmp(&b.get(1..)))
}

/// The decoded serialization header of one SSTable.
#[derive(Debug, Clone)]
pub struct SerializationHeader {
    /// Base of timestamp deltas (µs).
    pub min_timestamp: i64,
    /// Base of local-deletion-time deltas (raw 32 bits).
    pub min_local_deletion_time: u32,
    /// Base of TTL deltas.
    pub min_ttl: i32,
    /// The partition key type (a `Composite` for multi-column keys).
    pub key_type: CqlType,
    /// Clustering column types, in order.
    pub clustering: Vec<CqlType>,
    clustering_fixed: Vec<Option<usize>>,
    /// Static columns.
    pub statics: Columns,
    /// Regular columns.
    pub regulars: Columns,
}

impl SerializationHeader {
    /// Parses the raw header's type strings. `frozen_override` names columns
    /// a schema declares frozen although the header says multi-cell (the
    /// Cassandra 3.0 frozen-UDT header bug, §6.2).
    pub fn from_raw(raw: &RawHeader, frozen_override: &[String]) -> Result<SerializationHeader> {
        let ty = |what: &str, s: &str| {
            parse_type(s).map_err(|e| {
                Error::new(
                    ErrorKind::Corrupt,
                    format!("Statistics.db HEADER {what} type '{s}': {e}"),
                )
            })
        };
        let key_type = ty("partition key", &raw.key_type)?;
        let clustering = raw
            .clustering_types
            .iter()
            .enumerate()
            .map(|(i, s)| ty(&format!("clustering column {i}"), s))
            .collect::<Result<Vec<_>>>()?;
        let clustering_fixed = clustering.iter().map(CqlType::fixed_len).collect();
        let columns = |list: &[(String, String)]| -> Result<Vec<ColumnDef>> {
            list.iter()
                .map(|(name, s)| {
                    let mut ct = parse_column_type(s).map_err(|e| {
                        Error::new(
                            ErrorKind::Corrupt,
                            format!("Statistics.db HEADER column '{name}' type '{s}': {e}"),
                        )
                    })?;
                    if ct.multi_cell && frozen_override.iter().any(|n| n == name) {
                        ct.multi_cell = false;
                    }
                    Ok(ColumnDef { name: name.clone(), ty: ct })
                })
                .collect()
        };
        let statics = columns(&raw.static_columns)?;
        let regulars = columns(&raw.regular_columns)?;
        if statics.len() > u16::MAX as usize || regulars.len() > u16::MAX as usize {
            return Err(Error::corrupt("Statistics.db HEADER lists more than 65535 columns"));
        }
        Ok(SerializationHeader {
            min_timestamp: raw.min_timestamp,
            min_local_deletion_time: raw.min_local_deletion_time,
            min_ttl: raw.min_ttl,
            key_type,
            clustering,
            clustering_fixed,
            statics: Columns::new(statics),
            regulars: Columns::new(regulars),
        })
    }

    /// Fixed widths of the clustering types.
    #[inline]
    pub fn clustering_fixed(&self) -> &[Option<usize>] {
        &self.clustering_fixed
    }

    /// Whether partitions carry a static row.
    pub fn has_statics(&self) -> bool {
        !self.statics.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INT: &str = "org.apache.cassandra.db.marshal.Int32Type";
    const SET: &str =
        "org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal.Int32Type)";

    fn raw(statics: &[(&str, &str)]) -> RawHeader {
        RawHeader {
            min_timestamp: 0,
            min_local_deletion_time: 0,
            min_ttl: 0,
            key_type: INT.into(),
            clustering_types: vec![],
            static_columns: statics.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            regular_columns: vec![],
        }
    }

    #[test]
    fn scylla_interleaved_columns_are_sorted_simple_first() {
        // S3X/uncompressed/write_static_interleaved_atomic_and_collection_columns
        let h = SerializationHeader::from_raw(
            &raw(&[
                ("st1", INT),
                ("st2", SET),
                ("st3", INT),
                ("st4", SET),
                ("st5", INT),
                ("st6", SET),
            ]),
            &[],
        )
        .unwrap();
        let names: Vec<_> = h.statics.defs().iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["st1", "st3", "st5", "st2", "st4", "st6"]);
        assert!(h.statics.is_complex(3) && !h.statics.is_complex(2));
    }

    #[test]
    fn high_first_byte_sorts_first() {
        assert_eq!(name_order("é".as_bytes(), b"a"), Ordering::Less);
        assert_eq!(name_order(b"ab", b"b"), Ordering::Less);
        assert_eq!(name_order(b"a", b"ab"), Ordering::Less);
    }

    #[test]
    fn schema_can_freeze_a_udt_the_header_left_bare() {
        let udt = "org.apache.cassandra.db.marshal.UserType(ks,7574,61:org.apache.cassandra.db.marshal.Int32Type)";
        let h = SerializationHeader::from_raw(&raw(&[("u", udt)]), &["u".to_string()]).unwrap();
        assert!(!h.statics.is_complex(0));
        let h = SerializationHeader::from_raw(&raw(&[("u", udt)]), &[]).unwrap();
        assert!(h.statics.is_complex(0));
    }
}
