//! Cassandra's value comparators (SSTABLE_FORMAT.md §6.6): the order of
//! clustering values, which decides how rows of several SSTables merge and
//! what STATS' minimum and maximum clustering are. Each arm follows the
//! type's `compareCustom` in Cassandra 4.0+.
//!
//! Empty values sort before any other value of their type; a null
//! clustering component sorts before an empty one. Malformed values (a
//! wrong fixed width, a truncated collection) fall back to unsigned byte
//! order so that comparison stays total and never fails.

use std::cmp::Ordering;

use super::bignum::BigUint;
use super::cql_type::CqlType;

/// Compares two values that may be null: null sorts before any value.
#[inline]
pub fn compare_nullable(ty: &CqlType, a: Option<&[u8]>, b: Option<&[u8]>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare_values(ty, x, y),
    }
}

/// Compares two serialized values of type `ty`.
pub fn compare_values(ty: &CqlType, a: &[u8], b: &[u8]) -> Ordering {
    if let CqlType::Reversed(inner) = ty {
        return compare_values(inner, a, b).reverse();
    }
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    match ty {
        CqlType::TinyInt
        | CqlType::SmallInt
        | CqlType::Int
        | CqlType::BigInt
        | CqlType::Counter
        | CqlType::Timestamp => signed(a, b),
        CqlType::Float => match (<[u8; 4]>::try_from(a), <[u8; 4]>::try_from(b)) {
            (Ok(x), Ok(y)) => {
                java_float_cmp(f32::from_be_bytes(x).into(), f32::from_be_bytes(y).into())
            }
            _ => a.cmp(b),
        },
        CqlType::Double => match (<[u8; 8]>::try_from(a), <[u8; 8]>::try_from(b)) {
            (Ok(x), Ok(y)) => java_float_cmp(f64::from_be_bytes(x), f64::from_be_bytes(y)),
            _ => a.cmp(b),
        },
        CqlType::VarInt => varint(a, b),
        CqlType::Decimal => decimal(a, b),
        CqlType::Uuid => uuid(a, b),
        CqlType::TimeUuid => timeuuid(a, b),
        CqlType::LexicalUuid => match (<[u8; 16]>::try_from(a), <[u8; 16]>::try_from(b)) {
            // java.util.UUID.compareTo: signed msb, then signed lsb.
            (Ok(x), Ok(y)) => {
                i128::from_be_bytes(flip_lsb_sign(x)).cmp(&i128::from_be_bytes(flip_lsb_sign(y)))
            }
            _ => a.cmp(b),
        },
        CqlType::List(e) | CqlType::Set(e) => {
            frozen_collection(a, b, |x, y| compare_values(e, x, y), 1)
        }
        CqlType::Map(k, v) => {
            let types = [k.as_ref(), v.as_ref()];
            let mut i = 0usize;
            frozen_collection(
                a,
                b,
                |x, y| {
                    let t = types[i % 2];
                    i += 1;
                    compare_values(t, x, y)
                },
                2,
            )
        }
        CqlType::Tuple(types) => tuple(types.iter(), a, b),
        CqlType::Udt(u) => tuple(u.fields.iter().map(|(_, t)| t), a, b),
        CqlType::Composite(types) => composite(types, a, b),
        CqlType::Empty => Ordering::Equal,
        // Unsigned bytes: ascii, text, blob, boolean, inet, date, time,
        // duration, legacy date, vectors and custom types.
        _ => a.cmp(b),
    }
}

/// A clustering component as a container holds it: `None` is null.
pub trait ValueRef {
    /// The value's bytes, or `None` for null.
    fn value(&self) -> Option<&[u8]>;
}

impl ValueRef for Option<&[u8]> {
    fn value(&self) -> Option<&[u8]> {
        *self
    }
}

impl ValueRef for Option<Vec<u8>> {
    fn value(&self) -> Option<&[u8]> {
        self.as_deref()
    }
}

impl ValueRef for Vec<u8> {
    fn value(&self) -> Option<&[u8]> {
        Some(self)
    }
}

/// Compares two clustering prefixes component by component; when one is a
/// prefix of the other, the shorter first.
pub fn compare_clustering<A: ValueRef, B: ValueRef>(
    types: &[CqlType],
    a: &[A],
    b: &[B],
) -> Ordering {
    for ((ty, x), y) in types.iter().zip(a).zip(b) {
        let c = compare_nullable(ty, x.value(), y.value());
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

/// An order-preserving 64-bit digest of a clustering value: if
/// `order_key(a) < order_key(b)` then `a < b` by the type's comparator
/// (equal digests say nothing). Integers and timestamps map exactly (sign
/// bit flipped), byte-ordered types by their first 8 bytes, time UUIDs by
/// their timestamp; reversed types invert the digest.
pub fn order_key(ty: &CqlType, v: &[u8]) -> Option<u64> {
    let be = |v: &[u8]| {
        let mut b = [0u8; 8];
        let n = v.len().min(8);
        b[..n].copy_from_slice(&v[..n]);
        u64::from_be_bytes(b)
    };
    match ty {
        CqlType::Reversed(t) => order_key(t, v).map(|k| !k),
        CqlType::TinyInt
        | CqlType::SmallInt
        | CqlType::Int
        | CqlType::BigInt
        | CqlType::Timestamp => match v.len() {
            0 => Some(0),
            8 => Some(be(v) ^ (1 << 63)),
            4 => Some((i64::from(i32::from_be_bytes([v[0], v[1], v[2], v[3]])) as u64) ^ (1 << 63)),
            2 => Some((i64::from(i16::from_be_bytes([v[0], v[1]])) as u64) ^ (1 << 63)),
            1 => Some((i64::from(v[0] as i8) as u64) ^ (1 << 63)),
            _ => None,
        },
        CqlType::Ascii
        | CqlType::Text
        | CqlType::Blob
        | CqlType::Inet
        | CqlType::Date
        | CqlType::Time => Some(be(v)),
        CqlType::TimeUuid if v.len() == 16 => {
            let msb = be(&v[..8]);
            let ts = (msb << 48) | ((msb << 16) & 0xFFFF_0000_0000) | (msb >> 32);
            Some(ts ^ (1 << 63))
        }
        _ => None,
    }
}

/// `CompositeType.compareCustom`: component by component (`u16` length,
/// value, end-of-component byte), each value by its type, then the
/// end-of-component bytes (signed); a composite that ends first sorts
/// first. A malformed composite falls back to byte order.
fn composite(types: &[CqlType], a: &[u8], b: &[u8]) -> Ordering {
    fn component(v: &[u8]) -> Option<(&[u8], i8, &[u8])> {
        let (len, rest) = v.split_first_chunk::<2>()?;
        let n = usize::from(u16::from_be_bytes(*len));
        let value = rest.get(..n)?;
        let (&eoc, rest) = rest.get(n..)?.split_first()?;
        Some((value, eoc as i8, rest))
    }
    let (mut x, mut y) = (a, b);
    let mut i = 0;
    while !x.is_empty() && !y.is_empty() {
        let (Some((vx, ex, rx)), Some((vy, ey, ry))) = (component(x), component(y)) else {
            return a.cmp(b);
        };
        let c = match types.get(i) {
            Some(t) => compare_values(t, vx, vy),
            None => vx.cmp(vy),
        };
        if c != Ordering::Equal {
            return c;
        }
        if ex != ey {
            return ex.cmp(&ey);
        }
        (x, y, i) = (rx, ry, i + 1);
    }
    x.len().min(1).cmp(&y.len().min(1))
}

/// Two's-complement integers of the same width: the first byte signed.
#[inline]
fn signed(a: &[u8], b: &[u8]) -> Ordering {
    match (a, b) {
        (&[..], &[..]) if a.len() != b.len() => a.cmp(b),
        _ => match (<[u8; 8]>::try_from(a), <[u8; 8]>::try_from(b)) {
            (Ok(x), Ok(y)) => i64::from_be_bytes(x).cmp(&i64::from_be_bytes(y)),
            _ => match (<[u8; 4]>::try_from(a), <[u8; 4]>::try_from(b)) {
                (Ok(x), Ok(y)) => i32::from_be_bytes(x).cmp(&i32::from_be_bytes(y)),
                _ => ((a[0] as i8).cmp(&(b[0] as i8))).then_with(|| a[1..].cmp(&b[1..])),
            },
        },
    }
}

/// `Float.compare` / `Double.compare`: -0.0 < 0.0, and every NaN is one
/// value above +∞ (`total_cmp` alone would put negative NaNs first).
fn java_float_cmp(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.total_cmp(&y),
    }
}

/// Strips redundant sign-extension bytes of a two's-complement integer.
fn minimal(v: &[u8]) -> &[u8] {
    let mut s = v;
    while s.len() > 1 && ((s[0] == 0 && s[1] & 0x80 == 0) || (s[0] == 0xff && s[1] & 0x80 != 0)) {
        s = &s[1..];
    }
    s
}

/// `BigInteger.compareTo` on two's-complement bytes.
fn varint(a: &[u8], b: &[u8]) -> Ordering {
    let (a, b) = (minimal(a), minimal(b));
    let (na, nb) = (a[0] & 0x80 != 0, b[0] & 0x80 != 0);
    match (na, nb) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        // Same sign: a longer minimal encoding is further from zero; equal
        // lengths compare as unsigned bytes.
        (false, false) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, true) => b.len().cmp(&a.len()).then_with(|| a.cmp(b)),
    }
}

/// Sign (-1, 0, 1) and magnitude of a two's-complement integer.
fn sign_magnitude(v: &[u8]) -> (i8, BigUint) {
    if v.is_empty() {
        return (0, BigUint::default());
    }
    if v[0] & 0x80 == 0 {
        let m = BigUint::from_be_bytes(v);
        return (if m.is_zero() { 0 } else { 1 }, m);
    }
    // Negate: invert and add one.
    let inv: Vec<u8> = v.iter().map(|b| !b).collect();
    let m = BigUint::from_be_bytes(&inv).add(&BigUint::from_u64(1));
    (-1, m)
}

/// `BigDecimal.compareTo`: numeric value, scale ignored (1.0 == 1.00).
fn decimal(a: &[u8], b: &[u8]) -> Ordering {
    let (Some((sa, ua)), Some((sb, ub))) = (split_decimal(a), split_decimal(b)) else {
        return a.cmp(b);
    };
    let (sign_a, ma) = sign_magnitude(ua);
    let (sign_b, mb) = sign_magnitude(ub);
    if sign_a != sign_b || sign_a == 0 {
        return sign_a.cmp(&sign_b);
    }
    // Orders of magnitude first (digits − scale), so that a huge scale
    // difference never needs a huge multiplication.
    let digits = |m: &BigUint| m.to_decimal().len() as i64;
    let (oa, ob) = (digits(&ma) - i64::from(sa), digits(&mb) - i64::from(sb));
    let by_magnitude = if oa != ob {
        oa.cmp(&ob)
    } else {
        let (mut ma, mut mb) = (ma, mb);
        let k = sa.max(sb);
        scale_up(&mut ma, (i64::from(k) - i64::from(sa)) as u32);
        scale_up(&mut mb, (i64::from(k) - i64::from(sb)) as u32);
        ma.cmp(&mb)
    };
    if sign_a < 0 { by_magnitude.reverse() } else { by_magnitude }
}

fn scale_up(m: &mut BigUint, mut pow10: u32) {
    while pow10 > 0 {
        let step = pow10.min(9);
        m.mul_small(10u32.pow(step));
        pow10 -= step;
    }
}

fn split_decimal(v: &[u8]) -> Option<(i32, &[u8])> {
    let (scale, unscaled) = v.split_first_chunk::<4>()?;
    (!unscaled.is_empty()).then_some((i32::from_be_bytes(*scale), unscaled))
}

/// A v1 UUID's timestamp, from its most significant 64 bits.
fn reorder_timestamp(msb: u64) -> u64 {
    (msb << 48) | ((msb << 16) & 0xFFFF_0000_0000) | (msb >> 32)
}

fn halves(v: &[u8]) -> Option<(u64, u64)> {
    let (m, l) = v.split_first_chunk::<8>()?;
    let l: [u8; 8] = l.try_into().ok()?;
    Some((u64::from_be_bytes(*m), u64::from_be_bytes(l)))
}

/// `UUIDType`: version, then v1 timestamps, then unsigned bytes.
fn uuid(a: &[u8], b: &[u8]) -> Ordering {
    let (Some((ma, la)), Some((mb, lb))) = (halves(a), halves(b)) else { return a.cmp(b) };
    let (va, vb) = ((ma >> 12) & 0xf, (mb >> 12) & 0xf);
    if va != vb {
        return va.cmp(&vb);
    }
    let by_msb = if va == 1 {
        (reorder_timestamp(ma) as i64).cmp(&(reorder_timestamp(mb) as i64))
    } else {
        ma.cmp(&mb)
    };
    by_msb.then_with(|| la.cmp(&lb))
}

/// `TimeUUIDType`: timestamp, then the low half as *signed* bytes.
fn timeuuid(a: &[u8], b: &[u8]) -> Ordering {
    let (Some((ma, la)), Some((mb, lb))) = (halves(a), halves(b)) else { return a.cmp(b) };
    // The top byte is already signed in an i64 comparison; flip the rest.
    let signed_bytes = |x: u64| (x ^ 0x0080_8080_8080_8080) as i64;
    (reorder_timestamp(ma) as i64)
        .cmp(&(reorder_timestamp(mb) as i64))
        .then_with(|| signed_bytes(la).cmp(&signed_bytes(lb)))
}

fn flip_lsb_sign(mut x: [u8; 16]) -> [u8; 16] {
    // i128 comparison is signed on the msb; make the lsb's sign count next.
    x[8] ^= 0x80;
    x
}

/// Reads a frozen-encoding `i32` length and the bytes after it.
fn frozen_item(v: &[u8]) -> Option<(Option<&[u8]>, &[u8])> {
    let (len, rest) = v.split_first_chunk::<4>()?;
    let len = i32::from_be_bytes(*len);
    if len < 0 {
        return Some((None, rest));
    }
    let len = len as usize;
    (rest.len() >= len).then(|| (Some(&rest[..len]), &rest[len..]))
}

fn collection_size(v: &[u8]) -> Option<(usize, &[u8])> {
    let (n, rest) = v.split_first_chunk::<4>()?;
    Some((i32::from_be_bytes(*n).max(0) as usize, rest))
}

/// Frozen list/set/map: `i32 n`, then `n × per` items, compared in order,
/// then by size.
fn frozen_collection(
    a: &[u8],
    b: &[u8],
    mut cmp: impl FnMut(&[u8], &[u8]) -> Ordering,
    per: usize,
) -> Ordering {
    let (Some((na, mut ra)), Some((nb, mut rb))) = (collection_size(a), collection_size(b)) else {
        return a.cmp(b);
    };
    for _ in 0..na.min(nb) * per {
        let (Some((x, xa)), Some((y, yb))) = (frozen_item(ra), frozen_item(rb)) else {
            return a.cmp(b);
        };
        let c = cmp(x.unwrap_or_default(), y.unwrap_or_default());
        if c != Ordering::Equal {
            return c;
        }
        ra = xa;
        rb = yb;
    }
    na.cmp(&nb)
}

/// Tuples and UDTs: fields in order, a null field first; when one value
/// runs out of fields, the other is greater unless its remaining fields are
/// all null.
fn tuple<'t>(types: impl Iterator<Item = &'t CqlType>, a: &[u8], b: &[u8]) -> Ordering {
    let (mut ra, mut rb) = (a, b);
    for ty in types {
        match (ra.is_empty(), rb.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return if all_null(rb) { Ordering::Equal } else { Ordering::Less },
            (false, true) => return if all_null(ra) { Ordering::Equal } else { Ordering::Greater },
            _ => {}
        }
        let (Some((x, xa)), Some((y, yb))) = (frozen_item(ra), frozen_item(rb)) else {
            return a.cmp(b);
        };
        let c = compare_nullable(ty, x, y);
        if c != Ordering::Equal {
            return c;
        }
        ra = xa;
        rb = yb;
    }
    Ordering::Equal
}

fn all_null(mut v: &[u8]) -> bool {
    while !v.is_empty() {
        match frozen_item(v) {
            Some((None, rest)) => v = rest,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composites_compare_component_by_component() {
        let comp = |parts: &[&[u8]]| {
            let mut v = Vec::new();
            for p in parts {
                v.extend_from_slice(&(p.len() as u16).to_be_bytes());
                v.extend_from_slice(p);
                v.push(0);
            }
            v
        };
        let ty = CqlType::Composite(vec![CqlType::Int, CqlType::Text]);
        let (m5, p1) = ((-5i32).to_be_bytes(), 1i32.to_be_bytes());
        // Int order, not byte order, decides the first component.
        assert_eq!(compare_values(&ty, &comp(&[&m5, b"z"]), &comp(&[&p1, b"a"])), Ordering::Less);
        assert_eq!(
            compare_values(&ty, &comp(&[&p1, b"b"]), &comp(&[&p1, b"a"])),
            Ordering::Greater
        );
        assert_eq!(compare_values(&ty, &comp(&[&p1, b"a"]), &comp(&[&p1, b"a"])), Ordering::Equal);
        // A prefix sorts first.
        assert_eq!(compare_values(&ty, &comp(&[&p1]), &comp(&[&p1, b"a"])), Ordering::Less);
    }

    fn cmp(ty: CqlType, a: &[u8], b: &[u8]) -> Ordering {
        compare_values(&ty, a, b)
    }

    #[test]
    fn integers_are_signed_and_empty_sorts_first() {
        assert_eq!(cmp(CqlType::Int, &(-1i32).to_be_bytes(), &1i32.to_be_bytes()), Ordering::Less);
        assert_eq!(
            cmp(CqlType::BigInt, &i64::MAX.to_be_bytes(), &i64::MIN.to_be_bytes()),
            Ordering::Greater
        );
        assert_eq!(cmp(CqlType::Int, &[], &i32::MIN.to_be_bytes()), Ordering::Less);
        let rev = CqlType::Reversed(Box::new(CqlType::Int));
        assert_eq!(cmp(rev, &1i32.to_be_bytes(), &2i32.to_be_bytes()), Ordering::Greater);
    }

    #[test]
    fn floats_follow_java_compare() {
        let d = |x: f64| x.to_be_bytes();
        assert_eq!(cmp(CqlType::Double, &d(-0.0), &d(0.0)), Ordering::Less);
        assert_eq!(cmp(CqlType::Double, &d(f64::NAN), &d(f64::INFINITY)), Ordering::Greater);
        assert_eq!(cmp(CqlType::Double, &d(-f64::NAN), &d(f64::NAN)), Ordering::Equal);
        assert_eq!(cmp(CqlType::Double, &d(-2.5), &d(1.0)), Ordering::Less);
    }

    #[test]
    fn varints_and_decimals_compare_by_value() {
        // 255 (00 ff) > 127 (7f); -1 (ff) > -256 (ff 00); redundant sign bytes.
        assert_eq!(cmp(CqlType::VarInt, &[0x00, 0xff], &[0x7f]), Ordering::Greater);
        assert_eq!(cmp(CqlType::VarInt, &[0xff], &[0xff, 0x00]), Ordering::Greater);
        assert_eq!(cmp(CqlType::VarInt, &[0x00, 0x01], &[0x01]), Ordering::Equal);
        assert_eq!(cmp(CqlType::VarInt, &[0x80], &[0x01]), Ordering::Less);
        // 1.0 (10 scale 1) == 1.00 (100 scale 2) < 1.5 (15 scale 1); -2 < -1.5
        let dec = |scale: i32, u: &[u8]| [scale.to_be_bytes().as_slice(), u].concat();
        assert_eq!(cmp(CqlType::Decimal, &dec(1, &[10]), &dec(2, &[100])), Ordering::Equal);
        assert_eq!(cmp(CqlType::Decimal, &dec(2, &[100]), &dec(1, &[15])), Ordering::Less);
        assert_eq!(cmp(CqlType::Decimal, &dec(0, &[0xfe]), &dec(1, &[0xf1])), Ordering::Less);
        assert_eq!(cmp(CqlType::Decimal, &dec(-1000, &[1]), &dec(0, &[0x7f])), Ordering::Greater);
    }

    #[test]
    fn timeuuids_order_by_time_then_signed_bytes() {
        // Same node/clock, timestamps 1 and 2 (time_low is the last field of
        // the msb in timestamp order, so reordering matters).
        let t = |time_low: u32, time_hi: u16, lsb0: u8| {
            let mut v = [0u8; 16];
            v[..4].copy_from_slice(&time_low.to_be_bytes());
            v[6..8].copy_from_slice(&(0x1000 | time_hi).to_be_bytes());
            v[8] = lsb0;
            v
        };
        assert_eq!(cmp(CqlType::TimeUuid, &t(0xffff_ffff, 0, 0), &t(0, 1, 0)), Ordering::Less);
        assert_eq!(cmp(CqlType::TimeUuid, &t(5, 0, 0x80), &t(5, 0, 0x7f)), Ordering::Less);
        assert_eq!(cmp(CqlType::Uuid, &t(5, 0, 0x80), &t(5, 0, 0x7f)), Ordering::Greater);
    }

    #[test]
    fn frozen_collections_and_tuples_elementwise() {
        let list = |xs: &[i32]| {
            let mut v = (xs.len() as i32).to_be_bytes().to_vec();
            for x in xs {
                v.extend_from_slice(&4i32.to_be_bytes());
                v.extend_from_slice(&x.to_be_bytes());
            }
            v
        };
        let ty = CqlType::List(Box::new(CqlType::Int));
        assert_eq!(cmp(ty.clone(), &list(&[1, 2]), &list(&[1, 2, 0])), Ordering::Less);
        assert_eq!(cmp(ty.clone(), &list(&[-1, 9]), &list(&[1])), Ordering::Less);
        let tup = CqlType::Tuple(vec![CqlType::Int, CqlType::Text]);
        let null_then_a = [(-1i32).to_be_bytes().as_slice(), &1i32.to_be_bytes(), b"a"].concat();
        let zero_then_a =
            [4i32.to_be_bytes().as_slice(), &0i32.to_be_bytes(), &1i32.to_be_bytes(), b"a"]
                .concat();
        assert_eq!(cmp(tup, &null_then_a, &zero_then_a), Ordering::Less);
    }

    #[test]
    fn clustering_null_before_empty_before_values() {
        let types = [CqlType::Text];
        let c = |v: Option<&'static [u8]>| [v];
        assert_eq!(compare_clustering(&types, &c(None), &c(Some(b""))), Ordering::Less);
        assert_eq!(compare_clustering(&types, &c(Some(b"")), &c(Some(b"a"))), Ordering::Less);
    }
}
