//! CQL values as JSON, exactly as Cassandra renders them (CQL_JSON.md).
//!
//! - [`write_json`] is `AbstractType.toJSONString`: what `SELECT JSON` and
//!   sstabledump use for values and clusterings.
//! - [`write_string`] is `AbstractType.getString`: what sstabledump uses for
//!   partition keys and cell paths (plain text, JSON-escaped by the caller).
//!
//! Deliberate deviations, where Cassandra's output is meaningless:
//! - `counter`: the total of all shards (sstabledump prints the first eight
//!   bytes of the context as a number).
//! - empty `boolean`/DateType (Cassandra throws): `""`, like other scalars.
//! - CompositeType/custom types: `"0x<hex>"` (Cassandra prints a Java object
//!   description).
//! - a tuple with missing trailing components: those components are `null`.
//!
//! A value that is not valid for its type (wrong length, invalid UTF-8, an
//! ascii byte ≥ 0x80, an out-of-range `time`) is an error, never silently
//! rendered.

use std::fmt;

use super::javafloat::{write_double, write_float};
use super::json::{escape_into, write_i64, write_str, write_text};
use super::numbers::{write_decimal, write_varint};
use super::temporal::{
    DateCache, date_string, duration_string, time_string, timestamp_string, write_timestamp_json,
};
use crate::types::cursor::Cursor;
use crate::types::{CqlType, UdtDef};

/// A value that is not valid for its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// What is wrong.
    pub message: String,
}

impl ValueError {
    /// Prefixes the message with where the value was ("column v").
    pub fn context(self, what: impl fmt::Display) -> ValueError {
        ValueError { message: format!("{what}: {}", self.message) }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn invalid(ty: &CqlType, msg: impl fmt::Display) -> ValueError {
    ValueError { message: format!("invalid {ty} value: {msg}") }
}

fn exact<'a, const N: usize>(ty: &CqlType, v: &'a [u8]) -> Result<&'a [u8; N], ValueError> {
    v.try_into().map_err(|_| invalid(ty, format!("{} bytes, expected {N}", v.len())))
}

thread_local! {
    static DATES: std::cell::RefCell<DateCache> = std::cell::RefCell::new(DateCache::default());
}

/// Appends the JSON rendering of `v` as a value of `ty`
/// (`type.toJSONString(v)`, CQL_JSON.md §2).
pub fn write_json(out: &mut Vec<u8>, ty: &CqlType, v: &[u8]) -> Result<(), ValueError> {
    // Zero-length values of scalar types (§3).
    if v.is_empty() {
        return write_empty_json(out, ty);
    }
    match ty {
        CqlType::Ascii => {
            if let Some(i) = v.iter().position(|b| *b >= 0x80) {
                return Err(invalid(ty, format!("byte {:#04x} at {i} is not ASCII", v[i])));
            }
            write_str(out, v);
        }
        CqlType::Text => {
            write_text(out, v).map_err(|at| invalid(ty, format!("not UTF-8 at byte {at}")))?;
        }
        CqlType::Blob | CqlType::Custom(_) | CqlType::Composite(_) => {
            out.extend_from_slice(b"\"0x");
            write_hex(out, v);
            out.push(b'"');
        }
        CqlType::Boolean => {
            // Only the first byte is read; the validator allows 0 or 1 byte.
            if v.len() > 1 {
                return Err(invalid(ty, format!("{} bytes, expected 1", v.len())));
            }
            out.extend_from_slice(if v[0] != 0 { b"true" } else { b"false" });
        }
        CqlType::TinyInt => write_i64(out, i64::from(exact::<1>(ty, v)?[0] as i8)),
        CqlType::SmallInt => write_i64(out, i64::from(i16::from_be_bytes(*exact(ty, v)?))),
        CqlType::Int => write_i64(out, i64::from(i32::from_be_bytes(*exact(ty, v)?))),
        CqlType::BigInt => write_i64(out, i64::from_be_bytes(*exact(ty, v)?)),
        CqlType::Counter => write_i64(out, counter_total(ty, v)?),
        CqlType::VarInt => write_varint(out, v),
        CqlType::Decimal => {
            if v.len() < 5 {
                return Err(invalid(
                    ty,
                    format!("{} bytes: needs a 4-byte scale and an unscaled value", v.len()),
                ));
            }
            let scale = i32::from_be_bytes([v[0], v[1], v[2], v[3]]);
            write_decimal(out, scale, &v[4..]);
        }
        CqlType::Float => {
            let f = f32::from_be_bytes(*exact(ty, v)?);
            if f.is_finite() { write_float(out, f) } else { out.extend_from_slice(b"null") }
        }
        CqlType::Double => {
            let d = f64::from_be_bytes(*exact(ty, v)?);
            if d.is_finite() { write_double(out, d) } else { out.extend_from_slice(b"null") }
        }
        CqlType::Timestamp | CqlType::LegacyDate => {
            let ms = i64::from_be_bytes(*exact(ty, v)?);
            out.push(b'"');
            // Dates repeat: keep the per-thread cache of their text.
            DATES.with(|c| write_timestamp_json(out, &mut c.borrow_mut(), ms));
            out.push(b'"');
        }
        CqlType::Uuid | CqlType::TimeUuid | CqlType::LexicalUuid => {
            out.push(b'"');
            write_uuid(out, exact(ty, v)?);
            out.push(b'"');
        }
        CqlType::Date | CqlType::Time | CqlType::Duration | CqlType::Inet => {
            out.push(b'"');
            write_string_unescaped(out, ty, v)?;
            out.push(b'"');
        }
        CqlType::Empty => out.extend_from_slice(b"\"\""),
        CqlType::Reversed(t) => write_json(out, t, v)?,
        CqlType::List(e) | CqlType::Set(e) => {
            let mut c = Cursor::new(v);
            let n = count(ty, &mut c)?;
            out.push(b'[');
            for i in 0..n {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                let elem = element(ty, &mut c)?.ok_or_else(|| invalid(ty, "null element"))?;
                write_json(out, e, elem)?;
            }
            out.push(b']');
            done(ty, &c)?;
        }
        CqlType::Map(k, val) => {
            let mut c = Cursor::new(v);
            let n = count(ty, &mut c)?;
            out.push(b'{');
            for i in 0..n {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                let key = element(ty, &mut c)?.ok_or_else(|| invalid(ty, "null key"))?;
                write_map_key(out, k, key)?;
                out.extend_from_slice(b": ");
                let value = element(ty, &mut c)?.ok_or_else(|| invalid(ty, "null value"))?;
                write_json(out, val, value)?;
            }
            out.push(b'}');
            done(ty, &c)?;
        }
        CqlType::Tuple(ts) => {
            let mut c = Cursor::new(v);
            out.push(b'[');
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                match if c.is_empty() { None } else { element(ty, &mut c)? } {
                    Some(f) => write_json(out, t, f)?,
                    None => out.extend_from_slice(b"null"),
                }
            }
            out.push(b']');
            done(ty, &c)?;
        }
        CqlType::Udt(u) => write_udt(out, ty, u, v)?,
        CqlType::Vector(e, n) => {
            let mut c = Cursor::new(v);
            out.push(b'[');
            for i in 0..*n {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                let elem = vector_element(ty, e, &mut c)?;
                write_json(out, e, elem)?;
            }
            out.push(b']');
            done(ty, &c)?;
        }
    }
    Ok(())
}

/// JSON for a zero-length value (§3).
fn write_empty_json(out: &mut Vec<u8>, ty: &CqlType) -> Result<(), ValueError> {
    match ty {
        CqlType::Blob | CqlType::Custom(_) | CqlType::Composite(_) => {
            out.extend_from_slice(b"\"0x\"")
        }
        CqlType::Time => out.extend_from_slice(b"\"null\""),
        CqlType::Udt(u) => {
            out.push(b'{');
            for (i, (name, _)) in u.fields.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_field_name(out, name);
                out.extend_from_slice(b": null");
            }
            out.push(b'}');
        }
        CqlType::Reversed(t) => write_empty_json(out, t)?,
        CqlType::List(_)
        | CqlType::Set(_)
        | CqlType::Map(..)
        | CqlType::Vector(..)
        | CqlType::Tuple(_) => {
            return Err(invalid(ty, "zero-length value"));
        }
        CqlType::TinyInt | CqlType::Counter => return Err(invalid(ty, "zero-length value")),
        // Text-like and numeric scalars: "" (a string even in numeric slots);
        // boolean and DateType too, where Cassandra itself throws.
        _ => out.extend_from_slice(b"\"\""),
    }
    Ok(())
}

/// A UDT field name as a JSON key: wrapped in literal quotes when it is not
/// all lower case (§4).
fn write_field_name(out: &mut Vec<u8>, name: &str) {
    if name.to_lowercase() != name {
        let quoted = format!("\"{name}\"");
        write_str(out, quoted.as_bytes());
    } else {
        write_str(out, name.as_bytes());
    }
}

fn write_udt(out: &mut Vec<u8>, ty: &CqlType, u: &UdtDef, v: &[u8]) -> Result<(), ValueError> {
    let mut c = Cursor::new(v);
    out.push(b'{');
    for (i, (name, t)) in u.fields.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        write_field_name(out, name);
        out.extend_from_slice(b": ");
        match if c.is_empty() { None } else { element(ty, &mut c)? } {
            Some(f) => write_json(out, t, f)?,
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
    done(ty, &c)
}

/// A map key: its own JSON text if that is a string, else that text quoted.
fn write_map_key(out: &mut Vec<u8>, k: &CqlType, v: &[u8]) -> Result<(), ValueError> {
    let mut tmp = Vec::new();
    write_json(&mut tmp, k, v)?;
    if tmp.first() == Some(&b'"') {
        out.extend_from_slice(&tmp);
    } else {
        write_str(out, &tmp);
    }
    Ok(())
}

fn count(ty: &CqlType, c: &mut Cursor<'_>) -> Result<usize, ValueError> {
    let n = c.i32().map_err(|_| invalid(ty, "truncated element count"))?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= c.remaining() / 4)
        .ok_or_else(|| invalid(ty, format!("element count {n} does not fit the value")))
}

/// An `i32`-length-prefixed element; `None` for a null (length < 0).
fn element<'a>(ty: &CqlType, c: &mut Cursor<'a>) -> Result<Option<&'a [u8]>, ValueError> {
    c.int_bytes().map_err(|_| invalid(ty, "truncated element"))
}

fn vector_element<'a>(
    ty: &CqlType,
    e: &CqlType,
    c: &mut Cursor<'a>,
) -> Result<&'a [u8], ValueError> {
    match e.fixed_len() {
        Some(n) => c.bytes(n),
        None => c.vint_bytes(),
    }
    .map_err(|_| invalid(ty, "truncated element"))
}

fn done(ty: &CqlType, c: &Cursor<'_>) -> Result<(), ValueError> {
    if c.is_empty() {
        Ok(())
    } else {
        Err(invalid(ty, format!("{} bytes left over", c.remaining())))
    }
}

fn utf8<'a>(ty: &CqlType, v: &'a [u8]) -> Result<&'a str, ValueError> {
    std::str::from_utf8(v)
        .map_err(|e| invalid(ty, format!("not UTF-8 at byte {}", e.valid_up_to())))
}

fn write_hex(out: &mut Vec<u8>, v: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(v.len() * 2);
    for b in v {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

/// Appends the lower-case 8-4-4-4-12 text of 16 UUID bytes.
pub fn write_uuid(out: &mut Vec<u8>, b: &[u8; 16]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push(b'-');
        }
        out.push(HEX[(x >> 4) as usize]);
        out.push(HEX[(x & 15) as usize]);
    }
}

/// Lower-case 8-4-4-4-12 text of 16 UUID bytes.
pub fn uuid_string(b: &[u8; 16]) -> String {
    let mut out = Vec::with_capacity(36);
    write_uuid(&mut out, b);
    String::from_utf8(out).unwrap_or_default()
}

/// `InetAddress.getHostAddress`: dotted IPv4, IPv4-mapped IPv6 as IPv4,
/// other IPv6 as 8 uncompressed lower-case groups.
fn inet_string(ty: &CqlType, v: &[u8]) -> Result<String, ValueError> {
    match v.len() {
        4 => Ok(format!("{}.{}.{}.{}", v[0], v[1], v[2], v[3])),
        16 => {
            if v[..10].iter().all(|b| *b == 0) && v[10] == 0xff && v[11] == 0xff {
                return Ok(format!("{}.{}.{}.{}", v[12], v[13], v[14], v[15]));
            }
            let groups: Vec<String> =
                v.chunks(2).map(|g| format!("{:x}", u16::from_be_bytes([g[0], g[1]]))).collect();
            Ok(groups.join(":"))
        }
        n => Err(invalid(ty, format!("{n} bytes, expected 4 or 16"))),
    }
}

/// Sum of a counter context's shards (§7); validates its layout.
pub fn counter_total(ty: &CqlType, v: &[u8]) -> Result<i64, ValueError> {
    let mut c = Cursor::new(v);
    let h = c.u16().map_err(|_| invalid(ty, "counter context without a header"))? as i16;
    let headers = h.unsigned_abs() as usize;
    c.skip(headers * 2).map_err(|_| invalid(ty, "counter context header truncated"))?;
    if !c.remaining().is_multiple_of(32) {
        return Err(invalid(
            ty,
            format!("counter shards take {} bytes, not a multiple of 32", c.remaining()),
        ));
    }
    let mut total = 0i64;
    while !c.is_empty() {
        c.skip(24).map_err(|_| invalid(ty, "truncated shard"))?;
        total = total.wrapping_add(c.i64().map_err(|_| invalid(ty, "truncated shard"))?);
    }
    Ok(total)
}

/// Appends `getString` of `v` as a JSON string (with quotes).
pub fn write_string(out: &mut Vec<u8>, ty: &CqlType, v: &[u8]) -> Result<(), ValueError> {
    // Fast paths for the usual key and path types: no temporary buffer.
    match ty {
        CqlType::Int | CqlType::BigInt | CqlType::SmallInt | CqlType::TinyInt if !v.is_empty() => {
            out.push(b'"');
            write_json(out, ty, v)?;
            out.push(b'"');
        }
        CqlType::Text => {
            write_text(out, v).map_err(|at| invalid(ty, format!("not UTF-8 at byte {at}")))?
        }
        CqlType::Uuid | CqlType::TimeUuid | CqlType::LexicalUuid if v.len() == 16 => {
            write_json(out, ty, v)?;
        }
        _ => {
            let mut tmp = Vec::new();
            write_string_unescaped(&mut tmp, ty, v)?;
            write_str(out, &tmp);
        }
    }
    Ok(())
}

/// Appends `getString` of `v`, unescaped (§9.4).
pub fn write_string_unescaped(out: &mut Vec<u8>, ty: &CqlType, v: &[u8]) -> Result<(), ValueError> {
    if v.is_empty() && !matches!(ty, CqlType::Udt(_) | CqlType::Tuple(_) | CqlType::Reversed(_)) {
        return Ok(());
    }
    match ty {
        CqlType::Ascii => {
            if let Some(i) = v.iter().position(|b| *b >= 0x80) {
                return Err(invalid(ty, format!("byte {:#04x} at {i} is not ASCII", v[i])));
            }
            out.extend_from_slice(v);
        }
        CqlType::Text => out.extend_from_slice(utf8(ty, v)?.as_bytes()),
        CqlType::Blob
        | CqlType::Custom(_)
        | CqlType::Composite(_)
        | CqlType::Counter
        | CqlType::List(_)
        | CqlType::Set(_)
        | CqlType::Map(..)
        | CqlType::Vector(..) => {
            // Collections and vectors: hex of the serialized bytes.
            write_hex(out, v)
        }
        CqlType::Float => {
            let f = f32::from_be_bytes(*exact(ty, v)?);
            write_float(out, f);
        }
        CqlType::Double => {
            let d = f64::from_be_bytes(*exact(ty, v)?);
            write_double(out, d);
        }
        CqlType::Timestamp | CqlType::LegacyDate => {
            let ms = i64::from_be_bytes(*exact(ty, v)?);
            out.extend_from_slice(timestamp_string(ms).as_bytes());
        }
        CqlType::Date => {
            let raw = u32::from_be_bytes(*exact(ty, v)?);
            out.extend_from_slice(date_string(raw).as_bytes());
        }
        CqlType::Time => {
            let ns = i64::from_be_bytes(*exact(ty, v)?);
            let s = time_string(ns)
                .ok_or_else(|| invalid(ty, format!("{ns} ns is not within a day")))?;
            out.extend_from_slice(s.as_bytes());
        }
        CqlType::Duration => {
            let mut c = Cursor::new(v);
            let bad = |_| invalid(ty, "truncated duration");
            let months = c.svint().map_err(bad)?;
            let days = c.svint().map_err(bad)?;
            let nanos = c.svint().map_err(bad)?;
            done(ty, &c)?;
            let (Ok(months), Ok(days)) = (i32::try_from(months), i32::try_from(days)) else {
                return Err(invalid(ty, "months or days out of the 32-bit range"));
            };
            if !((months >= 0 && days >= 0 && nanos >= 0)
                || (months <= 0 && days <= 0 && nanos <= 0))
            {
                return Err(invalid(ty, "components of different signs"));
            }
            out.extend_from_slice(duration_string(months, days, nanos).as_bytes());
        }
        CqlType::Inet => out.extend_from_slice(inet_string(ty, v)?.as_bytes()),
        CqlType::Empty => {}
        CqlType::Reversed(t) => write_string_unescaped(out, t, v)?,
        CqlType::Tuple(ts) => write_components(out, ty, ts.iter(), v)?,
        CqlType::Udt(u) => write_components(out, ty, u.fields.iter().map(|f| &f.1), v)?,
        // Numbers, booleans, uuids: the same text as their JSON.
        _ => {
            let mut tmp = Vec::new();
            write_json(&mut tmp, ty, v)?;
            let trimmed =
                tmp.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")).unwrap_or(&tmp);
            out.extend_from_slice(trimmed);
        }
    }
    Ok(())
}

/// Tuple/UDT `getString`: components joined by `:`, with `:` and `@`
/// escaped inside them and `@` for null; stops at the end of the value.
fn write_components<'t>(
    out: &mut Vec<u8>,
    ty: &CqlType,
    types: impl Iterator<Item = &'t CqlType>,
    v: &[u8],
) -> Result<(), ValueError> {
    let mut c = Cursor::new(v);
    for (i, t) in types.enumerate() {
        if c.is_empty() {
            break;
        }
        if i > 0 {
            out.push(b':');
        }
        match element(ty, &mut c)? {
            None => out.push(b'@'),
            Some(f) => {
                let mut tmp = Vec::new();
                write_string_unescaped(&mut tmp, t, f)?;
                for b in tmp {
                    if b == b':' || b == b'@' {
                        out.push(b'\\');
                    }
                    out.push(b);
                }
            }
        }
    }
    done(ty, &c)
}

/// Escapes already-rendered text into a JSON string body.
pub fn escape_text(out: &mut Vec<u8>, text: &[u8]) {
    escape_into(out, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::marshal::parse_type;

    fn json(ty: &str, v: &[u8]) -> String {
        let t = parse_type(ty).unwrap();
        let mut out = Vec::new();
        write_json(&mut out, &t, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn string(ty: &str, v: &[u8]) -> String {
        let t = parse_type(ty).unwrap();
        let mut out = Vec::new();
        write_string_unescaped(&mut out, &t, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn frozen(elems: &[&[u8]]) -> Vec<u8> {
        frozen_n(elems.len(), elems)
    }

    /// A frozen collection of `n` entries (a map entry is two elements).
    fn frozen_n(n: usize, elems: &[&[u8]]) -> Vec<u8> {
        let mut v = (n as i32).to_be_bytes().to_vec();
        for e in elems {
            v.extend_from_slice(&(e.len() as i32).to_be_bytes());
            v.extend_from_slice(e);
        }
        v
    }

    #[test]
    fn scalars_per_cql_json_2() {
        assert_eq!(json("AsciiType", b"a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(json("UTF8Type", "é😀".as_bytes()), "\"é😀\"");
        assert_eq!(json("BytesType", &[0xca, 0xfe]), r#""0xcafe""#);
        assert_eq!(json("BooleanType", &[1]), "true");
        assert_eq!(json("BooleanType", &[0]), "false");
        assert_eq!(json("ByteType", &[0x80]), "-128");
        assert_eq!(json("ShortType", &[0xff, 0xff]), "-1");
        assert_eq!(json("Int32Type", &[0x7f, 0xff, 0xff, 0xff]), "2147483647");
        assert_eq!(json("LongType", &i64::MIN.to_be_bytes()), "-9223372036854775808");
        assert_eq!(json("IntegerType", &[0x00, 0xff]), "255");
        assert_eq!(json("FloatType", &0x7fc00000u32.to_be_bytes()), "null");
        assert_eq!(json("DoubleType", &0x3fd3333333333334u64.to_be_bytes()), "0.30000000000000004");
        assert_eq!(json("DecimalType", &[0, 0, 0, 2, 0x00, 0x96]), "1.50");
        let uuid = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ];
        assert_eq!(json("UUIDType", &uuid), r#""01234567-89ab-cdef-fedc-ba9876543210""#);
        assert_eq!(
            json("TimestampType", &1_700_000_000_123i64.to_be_bytes()),
            r#""2023-11-14 22:13:20.123Z""#
        );
        assert_eq!(json("SimpleDateType", &(1u32 << 31).to_be_bytes()), r#""1970-01-01""#);
        assert_eq!(
            json("TimeType", &45_296_789_000_000i64.to_be_bytes()),
            r#""12:34:56.789000000""#
        );
        assert_eq!(json("InetAddressType", &[127, 0, 0, 1]), r#""127.0.0.1""#);
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(json("InetAddressType", &v6), r#""0:0:0:0:0:0:0:1""#);
        v6[10] = 0xff;
        v6[11] = 0xff;
        v6[12] = 1;
        v6[13] = 2;
        v6[14] = 3;
        v6[15] = 4;
        assert_eq!(json("InetAddressType", &v6), r#""1.2.3.4""#);
    }

    #[test]
    fn empty_values_per_cql_json_3() {
        assert_eq!(json("Int32Type", &[]), r#""""#);
        assert_eq!(json("BytesType", &[]), r#""0x""#);
        assert_eq!(json("TimeType", &[]), r#""null""#);
        assert_eq!(
            json("UserType(ks,7574,61:Int32Type,5a6970:Int32Type)", &[]),
            r#"{"a": null, "\"Zip\"": null}"#
        );
    }

    #[test]
    fn collections_tuples_udts() {
        let one = 1i32.to_be_bytes();
        let two = 2i32.to_be_bytes();
        assert_eq!(json("ListType(Int32Type)", &frozen(&[&one, &two])), "[1, 2]");
        assert_eq!(
            json("MapType(Int32Type,UTF8Type)", &frozen_n(2, &[&one, b"a", &two, b"b"])),
            r#"{"1": "a", "2": "b"}"#
        );
        assert_eq!(json("MapType(UTF8Type,Int32Type)", &frozen_n(1, &[b"x", &one])), r#"{"x": 1}"#);
        let mut tuple = Vec::new();
        tuple.extend_from_slice(&4i32.to_be_bytes());
        tuple.extend_from_slice(&one);
        tuple.extend_from_slice(&(-1i32).to_be_bytes());
        tuple.extend_from_slice(&1i32.to_be_bytes());
        tuple.push(b'x');
        assert_eq!(json("TupleType(Int32Type,Int32Type,UTF8Type)", &tuple), r#"[1, null, "x"]"#);
        assert_eq!(string("TupleType(Int32Type,Int32Type,UTF8Type)", &tuple), "1:@:x");
        // Frozen list as a map key: its JSON text, quoted and escaped.
        let key = frozen(&[&one, &two]);
        let mut m = 1i32.to_be_bytes().to_vec();
        m.extend_from_slice(&(key.len() as i32).to_be_bytes());
        m.extend_from_slice(&key);
        m.extend_from_slice(&4i32.to_be_bytes());
        m.extend_from_slice(&one);
        assert_eq!(
            json("MapType(FrozenType(ListType(Int32Type)),Int32Type)", &m),
            r#"{"[1, 2]": 1}"#
        );
        let mut vec = Vec::new();
        for f in [1.0f32, 2.5, -3.0] {
            vec.extend_from_slice(&f.to_be_bytes());
        }
        assert_eq!(json("VectorType(FloatType, 3)", &vec), "[1.0, 2.5, -3.0]");
    }

    #[test]
    fn get_string_forms() {
        assert_eq!(string("BytesType", &[0xca, 0xfe]), "cafe");
        assert_eq!(string("Int32Type", &1i32.to_be_bytes()), "1");
        assert_eq!(string("DoubleType", &f64::NAN.to_be_bytes()), "NaN");
        assert_eq!(
            string("TimestampType", &1_700_000_000_123i64.to_be_bytes()),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(string("BooleanType", &[1]), "true");
    }

    #[test]
    fn invalid_values_are_errors() {
        for (ty, v) in [
            ("Int32Type", &[1u8, 2, 3][..]),
            ("UTF8Type", &[0xff][..]),
            ("AsciiType", &[0x80][..]),
            ("UUIDType", &[1][..]),
            ("ListType(Int32Type)", &[0, 0, 0, 5][..]),
            ("DecimalType", &[0, 0, 0, 1][..]),
            ("InetAddressType", &[1, 2, 3][..]),
        ] {
            let t = parse_type(ty).unwrap();
            assert!(write_json(&mut Vec::new(), &t, v).is_err(), "{ty} {v:02x?}");
        }
    }

    #[test]
    fn counter_totals_shards() {
        // One global shard: header 1 entry (index 0x8000), id, clock 1, count 5.
        let mut v = vec![0, 1, 0x80, 0];
        v.extend_from_slice(&[7u8; 16]);
        v.extend_from_slice(&1i64.to_be_bytes());
        v.extend_from_slice(&5i64.to_be_bytes());
        v.extend_from_slice(&[8u8; 16]);
        v.extend_from_slice(&1i64.to_be_bytes());
        v.extend_from_slice(&(-2i64).to_be_bytes());
        assert_eq!(json("CounterColumnType", &v), "3");
        assert_eq!(json("CounterColumnType", &[0, 0]), "0");
    }
}
