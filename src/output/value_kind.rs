//! Direct rendering of the common scalar types, chosen once per column.
//!
//! [`write_json`] dispatches on the full [`CqlType`] for every value; a
//! dump or export renders millions of values of the same few columns. A
//! [`ValueKind`] is that dispatch done once: [`write_value`] renders the
//! usual case (a value of the exact width, valid text) directly and hands
//! everything else — empty values, wrong widths, invalid text, other types
//! — to [`write_json`], so output and errors are the same as its own.

use super::cql_json::{ValueError, write_json};
use super::javafloat::write_double;
use super::json::{Padded, write_i64, write_text};
use super::temporal::{DateCache, write_timestamp_json};
use crate::types::CqlType;

/// How values of one type are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `int`.
    Int,
    /// `bigint`.
    BigInt,
    /// `double`.
    Double,
    /// `text` / `varchar`.
    Text,
    /// `boolean`.
    Boolean,
    /// `timestamp`.
    Timestamp,
    /// The value type of a set's cells (always `""`).
    Empty,
    /// Anything else: [`write_json`].
    Other,
}

impl ValueKind {
    /// The kind of `ty` (a reversed type renders as its base type).
    pub fn of(ty: &CqlType) -> ValueKind {
        match ty {
            CqlType::Reversed(t) => ValueKind::of(t),
            CqlType::Int => ValueKind::Int,
            CqlType::BigInt => ValueKind::BigInt,
            CqlType::Double => ValueKind::Double,
            CqlType::Text => ValueKind::Text,
            CqlType::Boolean => ValueKind::Boolean,
            CqlType::Timestamp => ValueKind::Timestamp,
            CqlType::Empty => ValueKind::Empty,
            _ => ValueKind::Other,
        }
    }
}

/// Appends `v` (a value of `ty`, whose kind is `kind`) as [`write_json`]
/// does. `dates` caches timestamp dates.
#[inline]
pub fn write_value(
    out: &mut Vec<u8>,
    kind: ValueKind,
    ty: &CqlType,
    v: &[u8],
    dates: &mut DateCache,
) -> Result<(), ValueError> {
    match kind {
        ValueKind::Int => {
            if let Ok(b) = <[u8; 4]>::try_from(v) {
                write_i64(out, i64::from(i32::from_be_bytes(b)));
                return Ok(());
            }
        }
        ValueKind::BigInt => {
            if let Ok(b) = <[u8; 8]>::try_from(v) {
                write_i64(out, i64::from_be_bytes(b));
                return Ok(());
            }
        }
        ValueKind::Double => {
            if let Ok(b) = <[u8; 8]>::try_from(v) {
                let d = f64::from_be_bytes(b);
                if d.is_finite() {
                    write_double(out, d);
                } else {
                    out.extend_from_slice(b"null");
                }
                return Ok(());
            }
        }
        // On invalid UTF-8 nothing was appended; write_json reports it.
        ValueKind::Text => {
            if write_text(out, v).is_ok() {
                return Ok(());
            }
        }
        ValueKind::Boolean => {
            if let [b] = v {
                const TRUE: Padded<8> = Padded::new(b"true");
                const FALSE: Padded<8> = Padded::new(b"false");
                if *b != 0 { &TRUE } else { &FALSE }.put(out);
                return Ok(());
            }
        }
        ValueKind::Timestamp => {
            if let Ok(b) = <[u8; 8]>::try_from(v) {
                out.push(b'"');
                write_timestamp_json(out, dates, i64::from_be_bytes(b));
                out.push(b'"');
                return Ok(());
            }
        }
        ValueKind::Empty => {
            out.extend_from_slice(b"\"\"");
            return Ok(());
        }
        ValueKind::Other => {}
    }
    write_json(out, ty, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::marshal::parse_type;

    /// Every kind, on values of every width from 0 to 9 bytes and on
    /// invalid text, renders (or fails) exactly as write_json.
    #[test]
    fn same_output_and_errors_as_write_json() {
        let types = [
            "Int32Type",
            "LongType",
            "DoubleType",
            "UTF8Type",
            "BooleanType",
            "TimestampType",
            "EmptyType",
            "ReversedType(TimestampType)",
            "ReversedType(Int32Type)",
            "AsciiType",
            "DecimalType",
        ];
        let mut values: Vec<Vec<u8>> = (0..=9u8)
            .flat_map(|n| {
                [
                    (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect::<Vec<u8>>(),
                    vec![0xff; usize::from(n)],
                    vec![0; usize::from(n)],
                ]
            })
            .collect();
        values.push(b"tab\there \"q\" \xc3\xa9".to_vec());
        values.push(b"bad \xc3".to_vec());
        values.push(1.5f64.to_be_bytes().to_vec());
        values.push(f64::NAN.to_be_bytes().to_vec());
        values.push(1_700_000_000_123i64.to_be_bytes().to_vec());
        for t in types {
            let ty = parse_type(t).unwrap();
            let kind = ValueKind::of(&ty);
            for v in &values {
                let (mut a, mut b) = (b"x".to_vec(), b"x".to_vec());
                let ra = write_value(&mut a, kind, &ty, v, &mut DateCache::default());
                let rb = write_json(&mut b, &ty, v);
                assert_eq!(ra, rb, "{t} {v:02x?}");
                if ra.is_ok() {
                    assert_eq!(a, b, "{t} {v:02x?}");
                }
            }
        }
        assert_eq!(
            ValueKind::of(&parse_type("ReversedType(DoubleType)").unwrap()),
            ValueKind::Double
        );
        assert_eq!(ValueKind::of(&parse_type("AsciiType").unwrap()), ValueKind::Other);
    }
}
