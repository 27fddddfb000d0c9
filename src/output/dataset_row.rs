//! One dataset row, rendered exactly as Cassandra's `SELECT JSON *` renders
//! it (CQL_JSON.md §1): `{"k": 1, "v": [1, 2], "m": null}` — every column,
//! `", "` between entries and `": "` after each key, keys quoted the way
//! `Selection.rowToJson` quotes them, `null` for an absent value.
//!
//! Multi-cell (non-frozen) collections and UDTs are first turned into
//! their frozen form ([`frozen_from_cells`]), which is what Cassandra does
//! before rendering, so frozen and non-frozen columns render alike.

use crate::types::CqlType;
pub use crate::types::frozen::frozen_from_cells;

use super::cql_json::{ValueError, write_json};
use super::json::write_str;
use super::names::json_key;

/// The output columns of a table, in `SELECT *` order.
#[derive(Debug, Clone)]
pub struct RowLayout {
    keys: Vec<Vec<u8>>,
    types: Vec<CqlType>,
    names: Vec<String>,
}

impl RowLayout {
    /// A layout for columns already in output order: partition key and
    /// clustering columns as declared, then static and then regular
    /// columns, each sorted by name ([`RowLayout::select_order`]).
    pub fn new(columns: impl IntoIterator<Item = (String, CqlType)>) -> RowLayout {
        let mut keys = Vec::new();
        let mut types = Vec::new();
        let mut names = Vec::new();
        for (name, ty) in columns {
            let mut k = Vec::new();
            write_str(&mut k, json_key(&name).as_bytes());
            k.extend_from_slice(b": ");
            keys.push(k);
            types.push(ty);
            names.push(name);
        }
        RowLayout { keys, types, names }
    }

    /// Orders static and regular column names as `SELECT *` does.
    pub fn select_order(names: &mut [(String, CqlType)]) {
        names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    }

    /// The column names, in output order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column types, in output order.
    pub fn types(&self) -> &[CqlType] {
        &self.types
    }

    /// Appends one row (without a line break); `values` follows the
    /// layout's order, frozen form, `None` for null.
    pub fn write(&self, out: &mut Vec<u8>, values: &[Option<&[u8]>]) -> Result<(), ValueError> {
        out.push(b'{');
        for (i, (key, ty)) in self.keys.iter().zip(&self.types).enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend_from_slice(key);
            match values.get(i).copied().flatten() {
                Some(v) => write_json(out, ty, v).map_err(|e| e.context(&self.names[i]))?,
                None => out.extend_from_slice(b"null"),
            }
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UdtDef;

    #[test]
    fn select_json_shape() {
        let layout = RowLayout::new([
            ("k".to_string(), CqlType::Int),
            ("MyCol".to_string(), CqlType::Text),
            ("l".to_string(), CqlType::List(Box::new(CqlType::Int))),
            ("m".to_string(), CqlType::Map(Box::new(CqlType::Text), Box::new(CqlType::Int))),
        ]);
        let l = frozen_from_cells(
            &CqlType::List(Box::new(CqlType::Int)),
            &[(b"t1", &[0, 0, 0, 1]), (b"t2", &[0, 0, 0, 2])],
        )
        .unwrap();
        let m = frozen_from_cells(
            &CqlType::Map(Box::new(CqlType::Text), Box::new(CqlType::Int)),
            &[(b"a", &[0, 0, 0, 1])],
        )
        .unwrap();
        let mut out = Vec::new();
        layout.write(&mut out, &[Some(&1i32.to_be_bytes()), None, Some(&l), Some(&m)]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"k": 1, "\"MyCol\"": null, "l": [1, 2], "m": {"a": 1}}"#
        );
    }

    #[test]
    fn udt_cells_fill_missing_fields_with_null() {
        let udt = CqlType::Udt(Box::new(UdtDef {
            keyspace: "ks".into(),
            name: "u".into(),
            fields: vec![("a".into(), CqlType::Int), ("b".into(), CqlType::Text)],
        }));
        let v = frozen_from_cells(&udt, &[(&[0, 1], b"x")]).unwrap();
        let layout = RowLayout::new([("u".to_string(), udt.clone())]);
        let mut out = Vec::new();
        layout.write(&mut out, &[Some(&v)]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"u": {"a": null, "b": "x"}}"#);
        assert_eq!(frozen_from_cells(&udt, &[]), None);
    }
}
