//! `varint` and `decimal` as exact decimal text (CQL_JSON.md §2, §7):
//! `BigInteger.toString` and `BigDecimal.toString`.

use crate::types::bignum::BigUint;

/// Sign and magnitude of a big-endian two's-complement integer.
fn sign_magnitude(bytes: &[u8]) -> (bool, BigUint) {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    if !negative {
        return (false, BigUint::from_be_bytes(bytes));
    }
    // Two's complement negation: invert and add one.
    let mut inv: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for b in inv.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    (true, BigUint::from_be_bytes(&inv))
}

/// Appends a `varint` (big-endian two's complement, any length) in decimal.
/// The empty value is not handled here.
pub fn write_varint(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= 8 {
        let mut v: i64 = if bytes.first().is_some_and(|b| b & 0x80 != 0) { -1 } else { 0 };
        for &b in bytes {
            v = (v << 8) | i64::from(b);
        }
        out.extend_from_slice(v.to_string().as_bytes());
        return;
    }
    let (negative, mag) = sign_magnitude(bytes);
    if negative {
        out.push(b'-');
    }
    out.extend_from_slice(mag.to_decimal().as_bytes());
}

/// Appends `BigDecimal.toString` of (unscaled, scale). `unscaled` is
/// big-endian two's complement and must be non-empty.
pub fn write_decimal(out: &mut Vec<u8>, scale: i32, unscaled: &[u8]) {
    let (negative, mag) = sign_magnitude(unscaled);
    let coeff = mag.to_decimal();
    let scale = i64::from(scale);
    let adjusted = -scale + (coeff.len() as i64 - 1);
    if negative && !mag.is_zero() {
        out.push(b'-');
    }
    if scale >= 0 && adjusted >= -6 {
        if scale == 0 {
            out.extend_from_slice(coeff.as_bytes());
        } else {
            let scale = scale as usize;
            if coeff.len() > scale {
                let (int, frac) = coeff.split_at(coeff.len() - scale);
                out.extend_from_slice(int.as_bytes());
                out.push(b'.');
                out.extend_from_slice(frac.as_bytes());
            } else {
                out.extend_from_slice(b"0.");
                out.extend(std::iter::repeat_n(b'0', scale - coeff.len()));
                out.extend_from_slice(coeff.as_bytes());
            }
        }
    } else {
        let (first, rest) = coeff.split_at(1);
        out.extend_from_slice(first.as_bytes());
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest.as_bytes());
        }
        out.push(b'E');
        if adjusted >= 0 {
            out.push(b'+');
        }
        out.extend_from_slice(adjusted.to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(unscaled: i128, scale: i32) -> String {
        let bytes = unscaled.to_be_bytes();
        // Minimal two's-complement encoding.
        let mut start = 0;
        while start < 15
            && ((bytes[start] == 0 && bytes[start + 1] & 0x80 == 0)
                || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
        {
            start += 1;
        }
        let mut out = Vec::new();
        write_decimal(&mut out, scale, &bytes[start..]);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn big_decimal_table_from_cql_json_7() {
        let cases: &[(i128, i32, &str)] = &[
            (0, 0, "0"),
            (0, 5, "0.00000"),
            (0, 7, "0E-7"),
            (0, -1, "0E+1"),
            (1, -1, "1E+1"),
            (10, -1, "1.0E+2"),
            (-1, 1, "-0.1"),
            (150, 2, "1.50"),
            (1000, -3, "1.000E+6"),
            (1000, 3, "1.000"),
            (12345, -2, "1.2345E+6"),
            (123, 8, "0.00000123"),
            (123, 9, "1.23E-7"),
            (7, 6, "0.000007"),
            (7, 7, "7E-7"),
            (10, 7, "0.0000010"),
            (123456789012345678901234567890, 10, "12345678901234567890.1234567890"),
            (123456789012345678901234567890, -10, "1.23456789012345678901234567890E+39"),
            (25, i32::MIN, "2.5E+2147483649"),
            (25, i32::MAX, "2.5E-2147483646"),
            (545, 2, "5.45"),
        ];
        for &(u, s, want) in cases {
            assert_eq!(dec(u, s), want, "({u}, {s})");
        }
    }

    #[test]
    fn varints() {
        let cases: &[(&[u8], &str)] = &[
            (&[0xff], "-1"),
            (&[0x00, 0xff], "255"),
            (&[0x00, 0x00, 0x00, 0x01], "1"),
            (&[0x80, 0, 0, 0, 0, 0, 0, 0], "-9223372036854775808"),
            (&[0x80, 0, 0, 0, 0, 0, 0, 0, 0], "-2361183241434822606848"),
            (&[0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "-9223372036854775809"),
            (&[0x01, 0, 0, 0, 0, 0, 0, 0, 0], "18446744073709551616"),
            (&[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05], "5"),
        ];
        for &(b, want) in cases {
            let mut out = Vec::new();
            write_varint(&mut out, b);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{b:02x?}");
        }
    }
}
