//! Random but valid serialized values of every CQL type, for generated
//! content. Texts include quotes, backslashes, control characters and
//! non-ASCII; numbers span their whole range; frozen sets and map keys are
//! sorted and unique by the type's comparator, as Cassandra stores them.

use std::cmp::Ordering;

use crate::types::CqlType;
use crate::types::compare::compare_values;
use crate::types::cursor::{encode_uvint, zigzag};

use super::rng::Rng;

const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "Ωmega",
    "naïve",
    "東京",
    "quote\"d",
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "emoji😀",
    "",
    "x",
    "Zürich",
    "bell\u{7}",
];

/// A random text of a few words.
pub fn text(r: &mut Rng) -> String {
    let n = r.below(4) as usize + 1;
    (0..n).map(|_| *r.pick(WORDS)).collect::<Vec<_>>().join(" ")
}

/// A random ASCII word.
pub fn ascii(r: &mut Rng) -> String {
    let n = r.below(12) as usize + 1;
    (0..n).map(|_| (b'a' + r.below(26) as u8) as char).collect()
}

fn int_of_width(r: &mut Rng, bits: u32) -> i64 {
    // Mostly small values, sometimes the extremes.
    match r.below(8) {
        0 => i64::MIN >> (64 - bits),
        1 => i64::MAX >> (64 - bits),
        2 | 3 => r.range(-1000, 1000),
        _ => (r.next_u64() as i64) >> (64 - bits),
    }
}

/// Minimal two's-complement bytes of an i128.
fn varint_bytes(v: i128) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut i = 0;
    while i < 15 && ((b[i] == 0 && b[i + 1] & 0x80 == 0) || (b[i] == 0xff && b[i + 1] & 0x80 != 0))
    {
        i += 1;
    }
    b[i..].to_vec()
}

/// A version-1 UUID whose timestamp is `micros` (µs since the Unix epoch).
pub fn timeuuid(r: &mut Rng, micros: i64) -> [u8; 16] {
    // 100-ns intervals since 1582-10-15.
    let t = (micros as u64).wrapping_mul(10).wrapping_add(0x01b2_1dd2_1381_4000) + r.below(10);
    let mut v = [0u8; 16];
    v[..4].copy_from_slice(&(t as u32).to_be_bytes());
    v[4..6].copy_from_slice(&((t >> 32) as u16).to_be_bytes());
    v[6..8].copy_from_slice(&((((t >> 48) as u16) & 0x0fff) | 0x1000).to_be_bytes());
    let clock = r.next_u64();
    v[8] = (clock as u8 & 0x3f) | 0x80;
    v[9..16].copy_from_slice(&clock.to_be_bytes()[1..8]);
    v
}

/// A random value of `ty` (never an empty value; `micros` anchors
/// timestamps and time-based UUIDs).
pub fn value(r: &mut Rng, ty: &CqlType, micros: i64) -> Vec<u8> {
    match ty {
        CqlType::Ascii => ascii(r).into_bytes(),
        CqlType::Text => text(r).into_bytes(),
        CqlType::Blob | CqlType::Custom(_) => {
            let n = r.below(24) as usize + 1;
            r.bytes(n)
        }
        CqlType::Boolean => vec![r.below(2) as u8],
        CqlType::TinyInt => vec![int_of_width(r, 8) as u8],
        CqlType::SmallInt => (int_of_width(r, 16) as i16).to_be_bytes().to_vec(),
        CqlType::Int => (int_of_width(r, 32) as i32).to_be_bytes().to_vec(),
        CqlType::BigInt | CqlType::Counter => int_of_width(r, 64).to_be_bytes().to_vec(),
        CqlType::VarInt => {
            let v = (i128::from(r.next_u64() as i64) << r.below(60)) + i128::from(r.range(-9, 9));
            varint_bytes(v)
        }
        CqlType::Float => {
            let f = match r.below(16) {
                0 => f32::NAN,
                1 => f32::INFINITY,
                2 => -0.0,
                3 => f32::MIN_POSITIVE,
                _ => (r.range(-1_000_000, 1_000_000) as f32) / 64.0,
            };
            f.to_be_bytes().to_vec()
        }
        CqlType::Double => {
            let d = match r.below(16) {
                0 => f64::NEG_INFINITY,
                1 => 1e-300,
                2 => 0.1 + 0.2,
                _ => (r.next_u64() >> 12) as f64 / 1e6 * if r.chance(0.5) { -1.0 } else { 1.0 },
            };
            d.to_be_bytes().to_vec()
        }
        CqlType::Decimal => {
            let scale = r.range(-5, 12) as i32;
            let mut v = scale.to_be_bytes().to_vec();
            v.extend(varint_bytes(i128::from(r.next_u64() as i64 >> r.below(50))));
            v
        }
        CqlType::Uuid | CqlType::LexicalUuid => {
            let mut b = r.bytes(16);
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            b
        }
        CqlType::TimeUuid => timeuuid(r, micros).to_vec(),
        CqlType::Timestamp | CqlType::LegacyDate => {
            let ms = micros / 1000 + r.range(-5 * 365 * 86_400_000, 86_400_000);
            ms.to_be_bytes().to_vec()
        }
        CqlType::Date => {
            ((1u32 << 31).wrapping_add(r.range(-40_000, 40_000) as u32)).to_be_bytes().to_vec()
        }
        CqlType::Time => r.range(0, 86_400_000_000_000 - 1).to_be_bytes().to_vec(),
        CqlType::Duration => {
            let sign = if r.chance(0.2) { -1 } else { 1 };
            let mut v = Vec::new();
            for x in [r.range(0, 24), r.range(0, 40), r.range(0, 86_400_000_000_000)] {
                encode_uvint(zigzag(sign * x), &mut v);
            }
            v
        }
        CqlType::Inet => {
            if r.chance(0.7) {
                vec![10, r.below(256) as u8, r.below(256) as u8, r.below(256) as u8]
            } else {
                let mut b = r.bytes(16);
                b[0] = 0xfe;
                b[1] = 0x80;
                b
            }
        }
        CqlType::Empty => Vec::new(),
        CqlType::List(e) => {
            let items: Vec<Vec<u8>> = (0..r.below(4)).map(|_| value(r, e, micros)).collect();
            frozen_items(items.iter().map(|i| vec![i.as_slice()]))
        }
        CqlType::Set(e) => {
            let items = sorted_unique(r, e, micros, 4);
            frozen_items(items.iter().map(|i| vec![i.as_slice()]))
        }
        CqlType::Map(k, v) => {
            let keys = sorted_unique(r, k, micros, 4);
            let vals: Vec<Vec<u8>> = keys.iter().map(|_| value(r, v, micros)).collect();
            frozen_items(keys.iter().zip(&vals).map(|(a, b)| vec![a.as_slice(), b.as_slice()]))
        }
        CqlType::Tuple(ts) => tuple(r, ts.iter(), micros),
        CqlType::Udt(u) => tuple(r, u.fields.iter().map(|(_, t)| t), micros),
        CqlType::Vector(e, n) => {
            let mut out = Vec::new();
            for _ in 0..*n {
                let v = value(r, e, micros);
                if e.fixed_len().is_none() {
                    encode_uvint(v.len() as u64, &mut out);
                }
                out.extend(v);
            }
            out
        }
        CqlType::Composite(ts) => {
            let mut out = Vec::new();
            for t in ts {
                let v = value(r, t, micros);
                out.extend_from_slice(&(v.len() as u16).to_be_bytes());
                out.extend(v);
                out.push(0);
            }
            out
        }
        CqlType::Reversed(t) => value(r, t, micros),
    }
}

/// Up to `max` distinct values of `ty`, in comparator order.
pub fn sorted_unique(r: &mut Rng, ty: &CqlType, micros: i64, max: u64) -> Vec<Vec<u8>> {
    let mut items: Vec<Vec<u8>> = (0..r.below(max + 1)).map(|_| value(r, ty, micros)).collect();
    items.sort_by(|a, b| compare_values(ty, a, b));
    items.dedup_by(|a, b| compare_values(ty, a, b) == Ordering::Equal);
    items
}

fn frozen_items<'a>(items: impl Iterator<Item = Vec<&'a [u8]>>) -> Vec<u8> {
    let items: Vec<Vec<&[u8]>> = items.collect();
    let mut out = (items.len() as i32).to_be_bytes().to_vec();
    for group in items {
        for v in group {
            out.extend_from_slice(&(v.len() as i32).to_be_bytes());
            out.extend_from_slice(v);
        }
    }
    out
}

fn tuple<'t>(r: &mut Rng, types: impl Iterator<Item = &'t CqlType>, micros: i64) -> Vec<u8> {
    let mut out = Vec::new();
    for t in types {
        if r.chance(0.1) {
            out.extend_from_slice(&(-1i32).to_be_bytes());
        } else {
            let v = value(r, t, micros);
            out.extend_from_slice(&(v.len() as i32).to_be_bytes());
            out.extend(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::cql_json::write_json;

    #[test]
    fn every_value_renders_as_json() {
        let types = [
            CqlType::Ascii,
            CqlType::Text,
            CqlType::Blob,
            CqlType::Boolean,
            CqlType::TinyInt,
            CqlType::SmallInt,
            CqlType::Int,
            CqlType::BigInt,
            CqlType::VarInt,
            CqlType::Float,
            CqlType::Double,
            CqlType::Decimal,
            CqlType::Uuid,
            CqlType::TimeUuid,
            CqlType::Timestamp,
            CqlType::Date,
            CqlType::Time,
            CqlType::Duration,
            CqlType::Inet,
            CqlType::List(Box::new(CqlType::Text)),
            CqlType::Set(Box::new(CqlType::Int)),
            CqlType::Map(Box::new(CqlType::TimeUuid), Box::new(CqlType::Double)),
            CqlType::Tuple(vec![CqlType::Int, CqlType::Text]),
            CqlType::Vector(Box::new(CqlType::Float), 3),
        ];
        let mut r = Rng::new(7);
        for ty in &types {
            for _ in 0..200 {
                let v = value(&mut r, ty, 1_700_000_000_000_000);
                let mut out = Vec::new();
                write_json(&mut out, ty, &v).unwrap_or_else(|e| panic!("{ty:?} {v:02x?}: {e:?}"));
                serde_json::from_slice::<serde_json::Value>(&out).unwrap_or_else(|e| {
                    panic!("{ty:?}: {} is not JSON: {e}", String::from_utf8_lossy(&out))
                });
            }
        }
    }
}
