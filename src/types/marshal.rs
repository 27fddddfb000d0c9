//! Parser for Cassandra's marshal type strings, as stored in the
//! serialization header (`org.apache.cassandra.db.marshal.MapType(...)`).
//!
//! Grammar (SSTABLE_FORMAT.md §6.2, `db/marshal/TypeParser.java`):
//!
//! ```text
//! type    := class [ '(' params ')' ]
//! params  := type (',' type)*                         most parameterized types
//!          | keyspace ',' hexname (',' hexfield ':' type)*   UserType
//!          | type ',' dimension                        VectorType (spaces allowed)
//! ```
//!
//! Class names may be fully qualified or short. `FrozenType(T)` is accepted at
//! any depth; only the outermost wrapper matters (it makes a collection or UDT
//! column single-cell). Unknown classes become [`CqlType::Custom`] so that a
//! table with an exotic column can still be read as blobs.

use super::cql_type::{ColumnType, CqlType, UdtDef};

const PACKAGE: &str = "org.apache.cassandra.db.marshal.";

/// Why a type string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeParseError {
    /// Byte position in the string.
    pub at: usize,
    /// What was expected there.
    pub expected: String,
}

impl std::fmt::Display for TypeParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: expected {}", self.at, self.expected)
    }
}

/// Parses a column's type string into its type and multi-cell-ness.
pub fn parse_column_type(s: &str) -> Result<ColumnType, TypeParseError> {
    let mut p = Parser { s: s.as_bytes(), pos: 0 };
    let (ty, frozen) = p.parse_type()?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(p.err("end of type string"));
    }
    let multi_cell = !frozen && ty.can_be_multi_cell();
    Ok(ColumnType { ty, multi_cell })
}

/// Parses a type string, ignoring frozen-ness (for keys and clusterings).
pub fn parse_type(s: &str) -> Result<CqlType, TypeParseError> {
    parse_column_type(s).map(|c| c.ty)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, expected: &str) -> TypeParseError {
        TypeParseError { at: self.pos, expected: expected.to_string() }
    }

    fn skip_ws(&mut self) {
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), TypeParseError> {
        if self.eat(c) { Ok(()) } else { Err(self.err(&format!("'{}'", c as char))) }
    }

    /// An identifier: class names, keyspaces, hex names, numbers.
    fn ident(&mut self) -> Result<&str, TypeParseError> {
        self.skip_ws();
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(|&c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'$' | b'-' | b'+')
        }) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("a name"));
        }
        std::str::from_utf8(&self.s[start..self.pos]).map_err(|_| self.err("an ASCII name"))
    }

    /// Returns the type and whether it was wrapped in `FrozenType`.
    fn parse_type(&mut self) -> Result<(CqlType, bool), TypeParseError> {
        let name_at = self.pos;
        let full = self.ident()?.to_string();
        let name = full.strip_prefix(PACKAGE).unwrap_or(&full);
        let simple = match name {
            "AsciiType" => Some(CqlType::Ascii),
            "UTF8Type" => Some(CqlType::Text),
            "BytesType" => Some(CqlType::Blob),
            "BooleanType" => Some(CqlType::Boolean),
            "ByteType" => Some(CqlType::TinyInt),
            "ShortType" => Some(CqlType::SmallInt),
            "Int32Type" => Some(CqlType::Int),
            "LongType" => Some(CqlType::BigInt),
            "IntegerType" => Some(CqlType::VarInt),
            "FloatType" => Some(CqlType::Float),
            "DoubleType" => Some(CqlType::Double),
            "DecimalType" => Some(CqlType::Decimal),
            "UUIDType" => Some(CqlType::Uuid),
            "TimeUUIDType" => Some(CqlType::TimeUuid),
            "LexicalUUIDType" => Some(CqlType::LexicalUuid),
            "TimestampType" => Some(CqlType::Timestamp),
            "DateType" => Some(CqlType::LegacyDate),
            "SimpleDateType" => Some(CqlType::Date),
            "TimeType" => Some(CqlType::Time),
            "DurationType" => Some(CqlType::Duration),
            "InetAddressType" => Some(CqlType::Inet),
            "CounterColumnType" => Some(CqlType::Counter),
            "EmptyType" => Some(CqlType::Empty),
            _ => None,
        };
        if let Some(t) = simple {
            // Parameterless types may still carry "()" in some writers.
            if self.eat(b'(') {
                self.expect(b')')?;
            }
            return Ok((t, false));
        }
        match name {
            "FrozenType" => {
                self.expect(b'(')?;
                let (inner, _) = self.parse_type()?;
                self.expect(b')')?;
                Ok((inner, true))
            }
            "ReversedType" => {
                let (inner, frozen) = self.one_param()?;
                Ok((CqlType::Reversed(Box::new(inner)), frozen))
            }
            "ListType" => Ok((CqlType::List(Box::new(self.one_param()?.0)), false)),
            "SetType" => Ok((CqlType::Set(Box::new(self.one_param()?.0)), false)),
            "MapType" => {
                let mut ps = self.params()?;
                if ps.len() != 2 {
                    return Err(TypeParseError { at: name_at, expected: "MapType(K,V)".into() });
                }
                let v = ps.pop().map(|p| p.0).unwrap_or(CqlType::Empty);
                let k = ps.pop().map(|p| p.0).unwrap_or(CqlType::Empty);
                Ok((CqlType::Map(Box::new(k), Box::new(v)), false))
            }
            "TupleType" => {
                let ps = self.params()?;
                Ok((CqlType::Tuple(ps.into_iter().map(|p| p.0).collect()), false))
            }
            "CompositeType" => {
                let ps = self.params()?;
                Ok((CqlType::Composite(ps.into_iter().map(|p| p.0).collect()), false))
            }
            "UserType" => self.user_type().map(|t| (t, false)),
            "VectorType" => {
                self.expect(b'(')?;
                let (elem, _) = self.parse_type()?;
                self.expect(b',')?;
                let at = self.pos;
                let dim = self.ident()?;
                let dim: u32 = dim
                    .parse()
                    .map_err(|_| TypeParseError { at, expected: "a vector dimension".into() })?;
                self.expect(b')')?;
                Ok((CqlType::Vector(Box::new(elem), dim), false))
            }
            _ => {
                // Unknown or unmodelled class: keep the whole text, skipping a
                // balanced parameter list if present.
                self.skip_ws();
                let start = name_at;
                if self.s.get(self.pos) == Some(&b'(') {
                    let mut depth = 0usize;
                    while let Some(&c) = self.s.get(self.pos) {
                        self.pos += 1;
                        match c {
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    if depth != 0 {
                        return Err(self.err("')'"));
                    }
                }
                let text = String::from_utf8_lossy(&self.s[start..self.pos]).trim().to_string();
                Ok((CqlType::Custom(text), false))
            }
        }
    }

    fn one_param(&mut self) -> Result<(CqlType, bool), TypeParseError> {
        self.expect(b'(')?;
        let t = self.parse_type()?;
        self.expect(b')')?;
        Ok(t)
    }

    fn params(&mut self) -> Result<Vec<(CqlType, bool)>, TypeParseError> {
        self.expect(b'(')?;
        let mut out = Vec::new();
        if self.eat(b')') {
            return Ok(out);
        }
        loop {
            out.push(self.parse_type()?);
            if self.eat(b')') {
                return Ok(out);
            }
            self.expect(b',')?;
        }
    }

    fn user_type(&mut self) -> Result<CqlType, TypeParseError> {
        self.expect(b'(')?;
        let keyspace = self.ident()?.to_string();
        self.expect(b',')?;
        let name = self.hex_name()?;
        let mut fields = Vec::new();
        while self.eat(b',') {
            let field = self.hex_name()?;
            self.expect(b':')?;
            let (t, _) = self.parse_type()?;
            fields.push((field, t));
        }
        self.expect(b')')?;
        Ok(CqlType::Udt(Box::new(UdtDef { keyspace, name, fields })))
    }

    fn hex_name(&mut self) -> Result<String, TypeParseError> {
        self.skip_ws();
        let at = self.pos;
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let hex = &self.s[start..self.pos];
        if !hex.len().is_multiple_of(2) {
            return Err(TypeParseError { at, expected: "an even number of hex digits".into() });
        }
        let bytes: Vec<u8> =
            hex.chunks(2).map(|p| (hex_digit(p[0]) << 4) | hex_digit(p[1])).collect();
        String::from_utf8(bytes)
            .map_err(|_| TypeParseError { at, expected: "hex of a UTF-8 name".into() })
    }
}

/// Renders a column type as Cassandra writes it in the serialization
/// header (`AbstractType.toString()`): a frozen collection or UDT wrapped in
/// `FrozenType`, elements of a multi-cell collection frozen (and wrapped),
/// nothing inside a frozen type wrapped again; tuples are never wrapped.
pub fn render_column_type(ct: &ColumnType) -> String {
    let mut out = String::new();
    render(&mut out, &ct.ty, !ct.multi_cell, false);
    out
}

/// Renders a key or clustering type (always frozen).
pub fn render_type(ty: &CqlType) -> String {
    let mut out = String::new();
    render(&mut out, ty, true, false);
    out
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn render(out: &mut String, ty: &CqlType, frozen: bool, inside_frozen: bool) {
    let simple = match ty {
        CqlType::Ascii => Some("AsciiType"),
        CqlType::Text => Some("UTF8Type"),
        CqlType::Blob => Some("BytesType"),
        CqlType::Boolean => Some("BooleanType"),
        CqlType::TinyInt => Some("ByteType"),
        CqlType::SmallInt => Some("ShortType"),
        CqlType::Int => Some("Int32Type"),
        CqlType::BigInt => Some("LongType"),
        CqlType::VarInt => Some("IntegerType"),
        CqlType::Float => Some("FloatType"),
        CqlType::Double => Some("DoubleType"),
        CqlType::Decimal => Some("DecimalType"),
        CqlType::Uuid => Some("UUIDType"),
        CqlType::TimeUuid => Some("TimeUUIDType"),
        CqlType::LexicalUuid => Some("LexicalUUIDType"),
        CqlType::Timestamp => Some("TimestampType"),
        CqlType::LegacyDate => Some("DateType"),
        CqlType::Date => Some("SimpleDateType"),
        CqlType::Time => Some("TimeType"),
        CqlType::Duration => Some("DurationType"),
        CqlType::Inet => Some("InetAddressType"),
        CqlType::Counter => Some("CounterColumnType"),
        CqlType::Empty => Some("EmptyType"),
        _ => None,
    };
    if let Some(name) = simple {
        out.push_str(PACKAGE);
        out.push_str(name);
        return;
    }
    let wrap = frozen && !inside_frozen && ty.can_be_multi_cell();
    if wrap {
        out.push_str(PACKAGE);
        out.push_str("FrozenType(");
    }
    // Parameters of a frozen type are not wrapped again; those of a
    // multi-cell one are frozen types in their own right.
    let inner_inside = frozen || inside_frozen;
    let param = |out: &mut String, t: &CqlType| render(out, t, true, inner_inside);
    match ty {
        CqlType::List(e) | CqlType::Set(e) => {
            out.push_str(PACKAGE);
            out.push_str(if matches!(ty, CqlType::List(_)) { "ListType(" } else { "SetType(" });
            param(out, e);
            out.push(')');
        }
        CqlType::Map(k, v) => {
            out.push_str(PACKAGE);
            out.push_str("MapType(");
            param(out, k);
            out.push(',');
            param(out, v);
            out.push(')');
        }
        CqlType::Udt(u) => {
            out.push_str(PACKAGE);
            out.push_str("UserType(");
            out.push_str(&u.keyspace);
            out.push(',');
            out.push_str(&hex_of(&u.name));
            for (name, t) in &u.fields {
                out.push(',');
                out.push_str(&hex_of(name));
                out.push(':');
                param(out, t);
            }
            out.push(')');
        }
        CqlType::Tuple(ts) | CqlType::Composite(ts) => {
            out.push_str(PACKAGE);
            out.push_str(if matches!(ty, CqlType::Tuple(_)) {
                "TupleType("
            } else {
                "CompositeType("
            });
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render(out, t, true, true);
            }
            out.push(')');
        }
        CqlType::Vector(e, n) => {
            out.push_str(PACKAGE);
            out.push_str("VectorType(");
            render(out, e, true, true);
            out.push_str(&format!(",{n})"));
        }
        CqlType::Reversed(t) => {
            out.push_str(PACKAGE);
            out.push_str("ReversedType(");
            render(out, t, frozen, inside_frozen);
            out.push(')');
        }
        CqlType::Custom(s) => out.push_str(s),
        _ => {}
    }
    if wrap {
        out.push(')');
    }
}

fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ColumnType {
        parse_column_type(s).unwrap()
    }

    #[test]
    fn simple_types_full_and_short_names() {
        assert_eq!(p("org.apache.cassandra.db.marshal.Int32Type").ty, CqlType::Int);
        assert_eq!(p("UTF8Type").ty, CqlType::Text);
    }

    #[test]
    fn frozen_only_matters_at_the_top() {
        let c = p(
            "org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)",
        );
        assert!(c.multi_cell);
        let c = p(
            "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.MapType(\
                   org.apache.cassandra.db.marshal.Int32Type,org.apache.cassandra.db.marshal.FrozenType(\
                   org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.Int32Type,\
                   org.apache.cassandra.db.marshal.Int32Type))))",
        );
        assert!(!c.multi_cell);
        assert_eq!(c.to_string(), "frozen<map<int, frozen<map<int, int>>>>");
    }

    #[test]
    fn user_type_from_the_format_reference() {
        let c = p(
            "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.UserType(\
                   sst3,7574,6d795f696e74:org.apache.cassandra.db.marshal.Int32Type,\
                   6d795f626f6f6c65616e:org.apache.cassandra.db.marshal.BooleanType,\
                   6d795f74657874:org.apache.cassandra.db.marshal.UTF8Type))",
        );
        assert!(!c.multi_cell);
        let CqlType::Udt(u) = c.ty else { panic!("not a UDT") };
        assert_eq!(u.keyspace, "sst3");
        assert_eq!(u.name, "ut");
        let names: Vec<_> = u.fields.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["my_int", "my_boolean", "my_text"]);
        assert_eq!(u.fields[1].1, CqlType::Boolean);
    }

    #[test]
    fn vector_with_spaces() {
        let c = p(
            "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType , 3)",
        );
        assert_eq!(c.ty, CqlType::Vector(Box::new(CqlType::Float), 3));
        assert!(!c.multi_cell);
    }

    #[test]
    fn reversed_and_composite() {
        let t = parse_type("org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.TimeUUIDType)").unwrap();
        assert_eq!(t, CqlType::Reversed(Box::new(CqlType::TimeUuid)));
        let t = parse_type("CompositeType(Int32Type,UTF8Type,BooleanType)").unwrap();
        assert_eq!(t, CqlType::Composite(vec![CqlType::Int, CqlType::Text, CqlType::Boolean]));
    }

    #[test]
    fn unknown_classes_are_kept() {
        let t = parse_type("org.apache.cassandra.db.marshal.DynamicCompositeType(a=>Int32Type)");
        assert!(t.is_err() || matches!(t, Ok(CqlType::Custom(_))));
        let t = parse_type("com.example.MyType").unwrap();
        assert_eq!(t, CqlType::Custom("com.example.MyType".into()));
    }

    #[test]
    fn malformed_strings_are_errors_not_panics() {
        for s in ["", "ListType(", "MapType(Int32Type)", "UserType(ks,7)", "Int32Type junk", "((("]
        {
            assert!(parse_column_type(s).is_err(), "{s:?} parsed");
        }
    }
}
