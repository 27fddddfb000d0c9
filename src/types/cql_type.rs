//! CQL data types, as the serialization header names them (SSTABLE_FORMAT.md §6).
//!
//! A [`CqlType`] describes how a value's bytes are laid out and how they are
//! rendered; it carries no "frozen" flag. Whether a *column* is multi-cell
//! (a non-frozen collection or UDT, stored one cell per element) is decided
//! by the outermost type only and lives in [`ColumnType`]; every type nested
//! inside a collection, tuple or UDT is serialized in frozen form whatever
//! its wrapper says (§6.2 reader rule).

use std::fmt;

/// A user-defined type's definition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UdtDef {
    /// Keyspace the type belongs to.
    pub keyspace: String,
    /// The type's name.
    pub name: String,
    /// Field names and types, in declaration order.
    pub fields: Vec<(String, CqlType)>,
}

/// A CQL value type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CqlType {
    /// `ascii` (AsciiType).
    Ascii,
    /// `text`/`varchar` (UTF8Type).
    Text,
    /// `blob` (BytesType).
    Blob,
    /// `boolean` (BooleanType).
    Boolean,
    /// `tinyint` (ByteType).
    TinyInt,
    /// `smallint` (ShortType).
    SmallInt,
    /// `int` (Int32Type).
    Int,
    /// `bigint` (LongType).
    BigInt,
    /// `varint` (IntegerType).
    VarInt,
    /// `float` (FloatType).
    Float,
    /// `double` (DoubleType).
    Double,
    /// `decimal` (DecimalType).
    Decimal,
    /// `uuid` (UUIDType).
    Uuid,
    /// `timeuuid` (TimeUUIDType).
    TimeUuid,
    /// LexicalUUIDType (custom, legacy).
    LexicalUuid,
    /// `timestamp` (TimestampType).
    Timestamp,
    /// DateType: the pre-2.0 timestamp; same bytes, unsigned compare.
    LegacyDate,
    /// `date` (SimpleDateType).
    Date,
    /// `time` (TimeType).
    Time,
    /// `duration` (DurationType).
    Duration,
    /// `inet` (InetAddressType).
    Inet,
    /// `counter` (CounterColumnType).
    Counter,
    /// EmptyType: a value that is always empty (compact storage).
    Empty,
    /// `list<T>`.
    List(Box<CqlType>),
    /// `set<T>`.
    Set(Box<CqlType>),
    /// `map<K, V>`.
    Map(Box<CqlType>, Box<CqlType>),
    /// `tuple<...>`.
    Tuple(Vec<CqlType>),
    /// A user-defined type.
    Udt(Box<UdtDef>),
    /// `vector<T, n>`.
    Vector(Box<CqlType>, u32),
    /// A multi-column partition key (CompositeType).
    Composite(Vec<CqlType>),
    /// A clustering column declared `DESC` (ReversedType).
    Reversed(Box<CqlType>),
    /// Any type this reader does not model (DynamicCompositeType, custom
    /// classes): kept as its class string, rendered as a blob.
    Custom(String),
}

impl CqlType {
    /// The byte width of a value when the type is fixed-width, as Cassandra's
    /// `valueLengthIfFixed` says. Fixed-width values are stored without a
    /// length prefix in cells and clusterings.
    pub fn fixed_len(&self) -> Option<usize> {
        match self {
            CqlType::Boolean => Some(1),
            CqlType::Int | CqlType::Float => Some(4),
            CqlType::BigInt | CqlType::Double | CqlType::Timestamp | CqlType::LegacyDate => Some(8),
            CqlType::Uuid | CqlType::TimeUuid | CqlType::LexicalUuid => Some(16),
            CqlType::Empty => Some(0),
            CqlType::Reversed(t) => t.fixed_len(),
            CqlType::Vector(e, n) => e.fixed_len().map(|l| l * *n as usize),
            _ => None,
        }
    }

    /// The type without any `ReversedType` wrapper.
    pub fn unreversed(&self) -> &CqlType {
        match self {
            CqlType::Reversed(t) => t.unreversed(),
            t => t,
        }
    }

    /// Whether this is a collection (list, set or map).
    pub fn is_collection(&self) -> bool {
        matches!(self, CqlType::List(_) | CqlType::Set(_) | CqlType::Map(..))
    }

    /// Whether this type can be multi-cell when unfrozen (collections, UDTs).
    pub fn can_be_multi_cell(&self) -> bool {
        self.is_collection() || matches!(self, CqlType::Udt(_))
    }

    /// For a multi-cell column of this type: the type of each cell's path
    /// (list: timeuuid; set: the element; map: the key; UDT: the 2-byte field
    /// index, modelled as `smallint`).
    pub fn cell_path_type(&self) -> Option<&CqlType> {
        match self {
            CqlType::List(_) => Some(&CqlType::TimeUuid),
            CqlType::Set(e) => Some(e),
            CqlType::Map(k, _) => Some(k),
            CqlType::Udt(_) => Some(&CqlType::SmallInt),
            _ => None,
        }
    }
}

/// A column's type: the value type plus whether the column is multi-cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnType {
    /// The value type (for a multi-cell column, the whole collection/UDT).
    pub ty: CqlType,
    /// True for non-frozen collections and UDTs (one cell per element).
    pub multi_cell: bool,
}

impl ColumnType {
    /// A single-cell column of `ty`.
    pub fn frozen(ty: CqlType) -> ColumnType {
        ColumnType { ty, multi_cell: false }
    }

    /// The width of each stored cell value when fixed. Multi-cell columns use
    /// the collection type to write values, and collections are variable
    /// width, so their element values always carry a length.
    pub fn cell_fixed_len(&self) -> Option<usize> {
        if self.multi_cell { None } else { self.ty.fixed_len() }
    }

    /// The type of one cell's value: the column type itself for single-cell
    /// columns; the element (list/set) or value (map) type, or the UDT field
    /// type for multi-cell columns (`None` for a UDT: it depends on the path).
    pub fn cell_value_type(&self) -> Option<&CqlType> {
        if !self.multi_cell {
            return Some(&self.ty);
        }
        match &self.ty {
            CqlType::List(e) => Some(e),
            CqlType::Set(_) => Some(&CqlType::Empty),
            CqlType::Map(_, v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for CqlType {
    /// The CQL spelling, with nested collections and UDTs shown `frozen<..>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_cql(self, f, false)
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ty.can_be_multi_cell() && !self.multi_cell {
            write!(f, "frozen<")?;
            write_cql(&self.ty, f, false)?;
            write!(f, ">")
        } else {
            write_cql(&self.ty, f, false)
        }
    }
}

fn write_nested(t: &CqlType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write_cql(t, f, true)
}

fn write_cql(t: &CqlType, f: &mut fmt::Formatter<'_>, nested: bool) -> fmt::Result {
    let frozen = nested && t.can_be_multi_cell();
    if frozen {
        write!(f, "frozen<")?;
    }
    match t {
        CqlType::Ascii => write!(f, "ascii")?,
        CqlType::Text => write!(f, "text")?,
        CqlType::Blob => write!(f, "blob")?,
        CqlType::Boolean => write!(f, "boolean")?,
        CqlType::TinyInt => write!(f, "tinyint")?,
        CqlType::SmallInt => write!(f, "smallint")?,
        CqlType::Int => write!(f, "int")?,
        CqlType::BigInt => write!(f, "bigint")?,
        CqlType::VarInt => write!(f, "varint")?,
        CqlType::Float => write!(f, "float")?,
        CqlType::Double => write!(f, "double")?,
        CqlType::Decimal => write!(f, "decimal")?,
        CqlType::Uuid => write!(f, "uuid")?,
        CqlType::TimeUuid => write!(f, "timeuuid")?,
        CqlType::LexicalUuid => write!(f, "'org.apache.cassandra.db.marshal.LexicalUUIDType'")?,
        CqlType::Timestamp => write!(f, "timestamp")?,
        CqlType::LegacyDate => write!(f, "'org.apache.cassandra.db.marshal.DateType'")?,
        CqlType::Date => write!(f, "date")?,
        CqlType::Time => write!(f, "time")?,
        CqlType::Duration => write!(f, "duration")?,
        CqlType::Inet => write!(f, "inet")?,
        CqlType::Counter => write!(f, "counter")?,
        CqlType::Empty => write!(f, "'org.apache.cassandra.db.marshal.EmptyType'")?,
        CqlType::List(e) => {
            write!(f, "list<")?;
            write_nested(e, f)?;
            write!(f, ">")?;
        }
        CqlType::Set(e) => {
            write!(f, "set<")?;
            write_nested(e, f)?;
            write!(f, ">")?;
        }
        CqlType::Map(k, v) => {
            write!(f, "map<")?;
            write_nested(k, f)?;
            write!(f, ", ")?;
            write_nested(v, f)?;
            write!(f, ">")?;
        }
        CqlType::Tuple(ts) => {
            write!(f, "tuple<")?;
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write_nested(t, f)?;
            }
            write!(f, ">")?;
        }
        CqlType::Udt(u) => write!(f, "{}.{}", u.keyspace, u.name)?,
        CqlType::Vector(e, n) => {
            write!(f, "vector<")?;
            write_nested(e, f)?;
            write!(f, ", {n}>")?;
        }
        CqlType::Composite(ts) => {
            write!(f, "composite<")?;
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write_nested(t, f)?;
            }
            write!(f, ">")?;
        }
        CqlType::Reversed(t) => write_cql(t, f, nested)?,
        CqlType::Custom(c) => write!(f, "'{c}'")?,
    }
    if frozen {
        write!(f, ">")?;
    }
    Ok(())
}

impl CqlType {
    /// The CQL spelling of the type (`map<text, int>`, `frozen<…>` inside
    /// collections, a UDT by its name).
    pub fn cql(&self) -> String {
        let inner = |t: &CqlType| match t {
            CqlType::List(_) | CqlType::Set(_) | CqlType::Map(..) | CqlType::Udt(_) => {
                format!("frozen<{}>", t.cql())
            }
            _ => t.cql(),
        };
        match self {
            CqlType::Ascii => "ascii".into(),
            CqlType::Text => "text".into(),
            CqlType::Blob => "blob".into(),
            CqlType::Boolean => "boolean".into(),
            CqlType::TinyInt => "tinyint".into(),
            CqlType::SmallInt => "smallint".into(),
            CqlType::Int => "int".into(),
            CqlType::BigInt => "bigint".into(),
            CqlType::VarInt => "varint".into(),
            CqlType::Float => "float".into(),
            CqlType::Double => "double".into(),
            CqlType::Decimal => "decimal".into(),
            CqlType::Uuid => "uuid".into(),
            CqlType::TimeUuid => "timeuuid".into(),
            CqlType::Timestamp => "timestamp".into(),
            CqlType::Date => "date".into(),
            CqlType::Time => "time".into(),
            CqlType::Duration => "duration".into(),
            CqlType::Inet => "inet".into(),
            CqlType::Counter => "counter".into(),
            CqlType::LexicalUuid => "'org.apache.cassandra.db.marshal.LexicalUUIDType'".into(),
            CqlType::LegacyDate => "'org.apache.cassandra.db.marshal.DateType'".into(),
            CqlType::Empty => "'org.apache.cassandra.db.marshal.EmptyType'".into(),
            CqlType::List(e) => format!("list<{}>", inner(e)),
            CqlType::Set(e) => format!("set<{}>", inner(e)),
            CqlType::Map(k, v) => format!("map<{}, {}>", inner(k), inner(v)),
            CqlType::Tuple(ts) => {
                format!("tuple<{}>", ts.iter().map(inner).collect::<Vec<_>>().join(", "))
            }
            CqlType::Udt(u) => u.name.clone(),
            CqlType::Vector(e, n) => format!("vector<{}, {n}>", inner(e)),
            CqlType::Composite(ts) => {
                format!(
                    "'CompositeType({})'",
                    ts.iter().map(CqlType::cql).collect::<Vec<_>>().join(", ")
                )
            }
            CqlType::Reversed(t) => t.cql(),
            CqlType::Custom(c) => format!("'{c}'"),
        }
    }
}

impl ColumnType {
    /// The CQL spelling, `frozen<…>` when a collection or UDT is frozen.
    pub fn cql(&self) -> String {
        if !self.multi_cell && self.ty.can_be_multi_cell() {
            format!("frozen<{}>", self.ty.cql())
        } else {
            self.ty.cql()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_widths_follow_value_length_if_fixed() {
        assert_eq!(CqlType::Int.fixed_len(), Some(4));
        assert_eq!(CqlType::SmallInt.fixed_len(), None, "smallint is vbytes on disk");
        assert_eq!(CqlType::Date.fixed_len(), None, "date is vbytes on disk");
        assert_eq!(CqlType::Reversed(Box::new(CqlType::TimeUuid)).fixed_len(), Some(16));
        assert_eq!(CqlType::Vector(Box::new(CqlType::Float), 3).fixed_len(), Some(12));
        assert_eq!(CqlType::Vector(Box::new(CqlType::Text), 3).fixed_len(), None);
        let list = ColumnType { ty: CqlType::List(Box::new(CqlType::Int)), multi_cell: true };
        assert_eq!(list.cell_fixed_len(), None);
    }

    #[test]
    fn display_is_cql() {
        let t = ColumnType {
            ty: CqlType::Map(
                Box::new(CqlType::Int),
                Box::new(CqlType::List(Box::new(CqlType::Text))),
            ),
            multi_cell: true,
        };
        assert_eq!(t.to_string(), "map<int, frozen<list<text>>>");
        let t = ColumnType::frozen(CqlType::Set(Box::new(CqlType::Int)));
        assert_eq!(t.to_string(), "frozen<set<int>>");
    }
}
