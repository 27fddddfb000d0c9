//! Checking a user's schema against an SSTable's serialization header.
//!
//! The header decides how bytes are decoded; the schema adds what the header
//! lacks (key column names, which UDT columns Cassandra 3.0 wrongly wrote as
//! non-frozen) and must agree with it on every type: a column whose type
//! differs is an error naming both types, as Cassandra and ScyllaDB refuse
//! such an SSTable. Header columns the schema does not define are allowed:
//! they are dropped columns whose cells remain in old SSTables.

use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::schema::{Schema, TableSchema};
use crate::sstable::statistics::RawHeader;
use crate::sstable::{Descriptor, LegacyTable, OpenOptions, SSTable, Version};
use crate::types::marshal::{parse_column_type, parse_type};
use crate::types::{ColumnType, CqlType};

/// Opens an SSTable; a pre-3.0 one is given its table's columns from
/// `schema` (it records none itself).
pub fn open_sstable(path: &Path, schema: Option<&Schema>) -> Result<SSTable> {
    let d = Descriptor::from_path(path)?;
    let legacy = Version::parse(d.version(), d.format()).is_ok_and(|v| v.is_legacy());
    let legacy_table = match schema {
        Some(s) if legacy => {
            let t = s.table_for_sstable(&d).map_err(|e| e.with_path(path))?;
            Some(LegacyTable {
                header: t.raw_header(),
                compact_storage: t.compact_storage,
                primary_key: t
                    .partition_key
                    .iter()
                    .chain(&t.clustering)
                    .map(|c| c.name.clone())
                    .collect(),
            })
        }
        _ => None,
    };
    SSTable::open_with(path, &OpenOptions { legacy_table, ..OpenOptions::default() })
}

/// What a schema contributes to reading one SSTable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaFit {
    /// Columns to decode as frozen although the header says multi-cell.
    pub frozen_columns: Vec<String>,
    /// Partition key column names.
    pub key_names: Vec<String>,
    /// Clustering column names.
    pub clustering_names: Vec<String>,
}

/// Whether two types are the same, ignoring UDT keyspaces (a schema file may
/// leave types unqualified).
pub fn same_type(a: &CqlType, b: &CqlType) -> bool {
    match (a, b) {
        (CqlType::Udt(x), CqlType::Udt(y)) => {
            x.name == y.name
                && x.fields.len() == y.fields.len()
                && x.fields.iter().zip(&y.fields).all(|(f, g)| f.0 == g.0 && same_type(&f.1, &g.1))
        }
        (CqlType::List(x), CqlType::List(y))
        | (CqlType::Set(x), CqlType::Set(y))
        | (CqlType::Reversed(x), CqlType::Reversed(y)) => same_type(x, y),
        (CqlType::Map(k1, v1), CqlType::Map(k2, v2)) => same_type(k1, k2) && same_type(v1, v2),
        (CqlType::Tuple(x), CqlType::Tuple(y)) | (CqlType::Composite(x), CqlType::Composite(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_type(p, q))
        }
        (CqlType::Vector(x, n), CqlType::Vector(y, m)) => n == m && same_type(x, y),
        _ => a == b,
    }
}

fn mismatch(what: &str, header: &dyn std::fmt::Display, schema: &dyn std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Schema,
        format!(
            "{what}: the SSTable's serialization header says {header} but the schema says {schema}"
        ),
    )
}

/// Checks `table` against the header, returning what the schema adds.
pub fn fit(table: &TableSchema, header: &RawHeader) -> Result<SchemaFit> {
    let parse =
        |s: &str| parse_type(s).map_err(|e| Error::corrupt(format!("header type '{s}': {e}")));
    let key = parse(&header.key_type)?;
    if !same_type(&key, &table.key_type()) {
        return Err(mismatch("the partition key", &key, &table.key_type()));
    }
    let clustering =
        header.clustering_types.iter().map(|s| parse(s)).collect::<Result<Vec<_>>>()?;
    let schema_clustering = table.clustering_types();
    if clustering.len() != schema_clustering.len() {
        return Err(Error::new(
            ErrorKind::Schema,
            format!(
                "the SSTable has {} clustering columns but the schema of {} has {}",
                clustering.len(),
                table.qualified_name(),
                schema_clustering.len()
            ),
        ));
    }
    for (i, (h, s)) in clustering.iter().zip(&schema_clustering).enumerate() {
        if !same_type(h, s) {
            let name = &table.clustering[i].name;
            return Err(mismatch(&format!("clustering column {name}"), h, s));
        }
    }
    let mut fit = SchemaFit {
        key_names: table.partition_key.iter().map(|c| c.name.clone()).collect(),
        clustering_names: table.clustering.iter().map(|c| c.name.clone()).collect(),
        ..SchemaFit::default()
    };
    for (name, ty) in header.static_columns.iter().chain(&header.regular_columns) {
        let h = parse_column_type(ty)
            .map_err(|e| Error::corrupt(format!("header type '{ty}': {e}")))?;
        let Some(col) = table.statics.iter().chain(&table.regulars).find(|c| &c.name == name)
        else {
            continue; // a dropped column
        };
        let s: &ColumnType = &col.ty;
        if !same_type(&h.ty, &s.ty) {
            return Err(mismatch(&format!("column {name}"), &h, s));
        }
        if h.multi_cell != s.multi_cell {
            // Cassandra 3.0 wrote frozen UDTs as bare UserType (§6.2).
            if h.multi_cell && matches!(h.ty, CqlType::Udt(_)) {
                fit.frozen_columns.push(name.clone());
            } else {
                return Err(mismatch(&format!("column {name}"), &h, s));
            }
        }
    }
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn header(key: &str, cols: &[(&str, &str)]) -> RawHeader {
        RawHeader {
            min_timestamp: 0,
            min_local_deletion_time: 0,
            min_ttl: 0,
            key_type: key.into(),
            clustering_types: vec![],
            static_columns: vec![],
            regular_columns: cols.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        }
    }

    #[test]
    fn type_mismatch_names_both_types() {
        let s = Schema::parse("CREATE TABLE t (k int PRIMARY KEY, val int);").unwrap();
        let e = fit(&s.tables[0], &header("Int32Type", &[("val", "UTF8Type")])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Schema);
        assert!(
            e.to_string().contains("column val")
                && e.to_string().contains("text")
                && e.to_string().contains("int"),
            "{e}"
        );
    }

    #[test]
    fn dropped_columns_pass_and_bare_udts_are_frozen_by_the_schema() {
        let s = Schema::parse(
            "CREATE TYPE ks.ut (a int); CREATE TABLE ks.t (k int PRIMARY KEY, u frozen<ut>);",
        )
        .unwrap();
        let f = fit(
            &s.tables[0],
            &header("Int32Type", &[("u", "UserType(ks,7574,61:Int32Type)"), ("gone", "UTF8Type")]),
        )
        .unwrap();
        assert_eq!(f.frozen_columns, ["u"]);
        assert_eq!(f.key_names, ["k"]);
    }

    #[test]
    fn key_type_must_match() {
        let s = Schema::parse("CREATE TABLE t (a int, b text, PRIMARY KEY ((a, b)));").unwrap();
        assert!(fit(&s.tables[0], &header("CompositeType(Int32Type,UTF8Type)", &[])).is_ok());
        assert!(fit(&s.tables[0], &header("Int32Type", &[])).is_err());
    }
}
