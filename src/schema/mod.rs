//! Table schemas from CQL files (`--schema`): the model, the file loader and
//! the choice of which table an SSTable belongs to.
//!
//! A schema file may hold many statements (Medusa's `schema.cql`, a
//! `DESCRIBE KEYSPACE` dump); only `CREATE TYPE` and `CREATE TABLE` matter.
//! An SSTable is matched to a table by its data directory
//! (`<keyspace>/<table>-<uuid>/`), or by being the only table in the file.

mod lexer;
mod parser;

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::sstable::Descriptor;
use crate::sstable::statistics::RawHeader;
use crate::types::marshal::{render_column_type, render_type};
use crate::types::{ColumnType, CqlType};

/// A column of a table schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaColumn {
    /// The column name (case preserved when quoted in the CQL).
    pub name: String,
    /// Its type.
    pub ty: ColumnType,
    /// For clustering columns: `CLUSTERING ORDER BY (… DESC)`.
    pub descending: bool,
}

/// One table's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    /// Keyspace, when the statement names it.
    pub keyspace: Option<String>,
    /// Table name.
    pub name: String,
    /// Partition key columns, in order.
    pub partition_key: Vec<SchemaColumn>,
    /// Clustering columns, in order.
    pub clustering: Vec<SchemaColumn>,
    /// Static columns.
    pub statics: Vec<SchemaColumn>,
    /// Regular columns.
    pub regulars: Vec<SchemaColumn>,
    /// `gc_grace_seconds`, when the statement sets it.
    pub gc_grace_seconds: Option<u32>,
    /// `WITH COMPACT STORAGE`.
    pub compact_storage: bool,
}

impl TableSchema {
    /// The partition key's type as Cassandra stores it: the column type, or
    /// a CompositeType of them for a multi-column key.
    pub fn key_type(&self) -> CqlType {
        match self.partition_key.as_slice() {
            [one] => one.ty.ty.clone(),
            many => CqlType::Composite(many.iter().map(|c| c.ty.ty.clone()).collect()),
        }
    }

    /// The clustering types as the serialization header writes them
    /// (`DESC` columns wrapped in ReversedType).
    pub fn clustering_types(&self) -> Vec<CqlType> {
        self.clustering
            .iter()
            .map(|c| {
                if c.descending {
                    CqlType::Reversed(Box::new(c.ty.ty.clone()))
                } else {
                    c.ty.ty.clone()
                }
            })
            .collect()
    }

    /// The serialization header a 3.0+ SSTable of this table would carry
    /// (delta bases zero): how pre-3.0 SSTables are decoded, and what the
    /// generator writes.
    pub fn raw_header(&self) -> RawHeader {
        RawHeader {
            key_type: render_type(&self.key_type()),
            clustering_types: self.clustering_types().iter().map(render_type).collect(),
            static_columns: self
                .statics
                .iter()
                .map(|c| (c.name.clone(), render_column_type(&c.ty)))
                .collect(),
            regular_columns: self
                .regulars
                .iter()
                .map(|c| (c.name.clone(), render_column_type(&c.ty)))
                .collect(),
            ..RawHeader::default()
        }
    }

    /// `keyspace.table`, or `table`.
    pub fn qualified_name(&self) -> String {
        match &self.keyspace {
            Some(ks) => format!("{ks}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The tables of a schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// Every table defined, in file order.
    pub tables: Vec<TableSchema>,
    /// The file it came from.
    pub source: Option<PathBuf>,
}

impl Schema {
    /// Parses CQL text.
    pub fn parse(text: &str) -> Result<Schema> {
        Ok(Schema { tables: parser::parse(text)?, source: None })
    }

    /// Reads and parses a schema file.
    pub fn load(path: &Path) -> Result<Schema> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io("reading the schema file", e).with_path(path))?;
        let mut s = Schema::parse(&text).map_err(|e| e.with_path(path))?;
        if s.tables.is_empty() {
            return Err(Error::new(
                ErrorKind::Schema,
                "no CREATE TABLE statement in the schema file",
            )
            .with_path(path));
        }
        s.source = Some(path.to_path_buf());
        Ok(s)
    }

    /// The table an SSTable in `sstable_dir` belongs to: the only table, or
    /// the one named by the directory (`<keyspace>/<table>[-<uuid>]`).
    pub fn table_for(&self, sstable_dir: &Path) -> Result<&TableSchema> {
        self.table_named(names_from_dir(sstable_dir), sstable_dir)
    }

    /// The table an SSTable belongs to: as [`Schema::table_for`], or by
    /// the keyspace and table of a 2.1-style file name.
    pub fn table_for_sstable(&self, d: &Descriptor) -> Result<&TableSchema> {
        match d.legacy_names() {
            Some((ks, t)) => self.table_named((Some(ks.to_string()), Some(t.to_string())), d.dir()),
            None => self.table_for(d.dir()),
        }
    }

    fn table_named(
        &self,
        (ks, table): (Option<String>, Option<String>),
        sstable_dir: &Path,
    ) -> Result<&TableSchema> {
        if let [only] = self.tables.as_slice() {
            return Ok(only);
        }
        let matches: Vec<&TableSchema> = self
            .tables
            .iter()
            .filter(|t| Some(t.name.as_str()) == table.as_deref())
            .filter(|t| t.keyspace.is_none() || ks.is_none() || t.keyspace == ks)
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::new(
                ErrorKind::Schema,
                format!(
                    "the schema defines {} tables and none matches the SSTable directory {} (tables: {})",
                    self.tables.len(),
                    sstable_dir.display(),
                    self.tables
                        .iter()
                        .map(TableSchema::qualified_name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            many => Err(Error::new(
                ErrorKind::Schema,
                format!(
                    "several tables match {}: {}",
                    sstable_dir.display(),
                    many.iter().map(|t| t.qualified_name()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
}

/// Keyspace and table names from a data directory: `…/<ks>/<table>-<32 hex>`
/// (or `…/<ks>/<table>`), skipping `snapshots/<name>` and `backups` levels.
pub fn names_from_dir(dir: &Path) -> (Option<String>, Option<String>) {
    let parts: Vec<&str> = dir.components().filter_map(|c| c.as_os_str().to_str()).collect();
    let mut i = parts.len();
    // Skip snapshots/<tag> and backups under a table directory.
    if i >= 2 && parts[i - 2] == "snapshots" {
        i -= 2;
    } else if i >= 1 && parts[i - 1] == "backups" {
        i -= 1;
    }
    let Some(table_dir) = i.checked_sub(1).and_then(|j| parts.get(j)) else { return (None, None) };
    let table = match table_dir.rsplit_once('-') {
        Some((name, id)) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => name,
        _ => table_dir,
    };
    let ks = i.checked_sub(2).and_then(|j| parts.get(j)).map(|s| s.to_string());
    (ks, Some(table.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEDUSA: &str = r#"
        CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3'} AND durable_writes = true;
        CREATE TYPE ks.address (street text, "Zip" int);
        CREATE TABLE ks.users (
            id uuid,
            bucket int,
            "Name" text,
            tags set<text>,
            addr frozen<address>,
            home address,
            seen timestamp static,
            PRIMARY KEY ((id, bucket), "Name", seen2)
        ) WITH CLUSTERING ORDER BY ("Name" DESC, seen2 ASC)
            AND compaction = {'class': 'SizeTieredCompactionStrategy', 'max_threshold': '32'}
            AND gc_grace_seconds = 3600
            AND speculative_retry = '99p';
        CREATE INDEX users_tags ON ks.users (values(tags));
        CREATE TABLE ks.simple (k int PRIMARY KEY, v text) WITH COMPACT STORAGE;
    "#;

    #[test]
    fn medusa_style_file() {
        // seen2 is not defined: the first table is an error.
        let e = Schema::parse(MEDUSA).unwrap_err();
        assert!(e.to_string().contains("seen2"), "{e}");
        let fixed = MEDUSA.replace("seen timestamp static,", "seen timestamp static, seen2 int,");
        let s = Schema::parse(&fixed).unwrap();
        assert_eq!(s.tables.len(), 2);
        let t = &s.tables[0];
        assert_eq!(t.qualified_name(), "ks.users");
        assert_eq!(
            t.partition_key.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["id", "bucket"]
        );
        assert_eq!(t.key_type(), CqlType::Composite(vec![CqlType::Uuid, CqlType::Int]));
        assert_eq!(t.clustering[0].name, "Name");
        assert!(t.clustering[0].descending && !t.clustering[1].descending);
        assert_eq!(t.gc_grace_seconds, Some(3600));
        assert_eq!(t.statics.len(), 1);
        let reg: Vec<_> = t.regulars.iter().map(|c| (c.name.as_str(), c.ty.multi_cell)).collect();
        assert_eq!(reg, [("tags", true), ("addr", false), ("home", true)]);
        let CqlType::Udt(u) = &t.regulars[1].ty.ty else { panic!() };
        assert_eq!(u.fields[1].0, "Zip");
        assert!(s.tables[1].compact_storage);
    }

    #[test]
    fn table_matching_by_directory() {
        let s = Schema::parse(
            "CREATE TABLE a.t1 (k int PRIMARY KEY); CREATE TABLE a.t2 (k int PRIMARY KEY); CREATE TABLE b.t2 (k text PRIMARY KEY);",
        )
        .unwrap();
        let dir = Path::new("/data/b/t2-0123456789abcdef0123456789abcdef");
        assert_eq!(s.table_for(dir).unwrap().qualified_name(), "b.t2");
        let dir = Path::new("/data/a/t1-0123456789abcdef0123456789abcdef/snapshots/snap1");
        assert_eq!(s.table_for(dir).unwrap().qualified_name(), "a.t1");
        assert!(s.table_for(Path::new("/x/y")).is_err());
    }

    #[test]
    fn errors_name_the_line() {
        let e =
            Schema::parse("CREATE TABLE t (\n k int,\n v list<int PRIMARY KEY (k));").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = Schema::parse("CREATE TABLE t (k nosuchtype PRIMARY KEY);").unwrap_err();
        assert!(e.to_string().contains("nosuchtype"), "{e}");
    }
}
