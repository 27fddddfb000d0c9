//! JSON text primitives: string escaping exactly as Jackson's
//! `JsonStringEncoder` does it (CQL_JSON.md §5), which Cassandra uses for
//! every string it emits.
//!
//! `"` and `\` are backslash-escaped; U+0008/9/A/C/D use their short forms;
//! other control characters below U+0020 become `\u00XX` with *upper-case*
//! hex (serde_json would write lower case); everything else, including
//! U+007F, U+2028 and astral characters, is written as raw UTF-8.

/// Flags (top bit of each byte) the bytes of `x` that need escaping:
/// below 0x20, `"` or `\`. Borrows can flag a byte above a flagged one,
/// never below it, so the lowest flag is exact.
#[inline]
fn escape_mask(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    (x.wrapping_sub(ONES * 0x20) & !x & HIGH) | zero(x ^ (ONES * 0x22)) | zero(x ^ (ONES * 0x5c))
}

/// Whether a byte needs escaping inside a JSON string.
#[inline]
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// `s[i..i + 8]` as a word (the caller checks the bounds).
#[inline]
fn word_at(s: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(b)
}

/// The index of the first byte of `s` at or after `from` that needs
/// escaping: eight bytes at a time, the last few byte by byte.
#[inline]
fn next_escape(s: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 8 <= s.len() {
        let m = escape_mask(word_at(s, i));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..].iter().position(|&b| needs_escape(b)).map(|k| i + k)
}

/// Whether `text` is printable ASCII with nothing to escape.
#[inline]
fn plain_ascii(text: &[u8]) -> bool {
    if text.len() < 8 {
        return text.iter().all(|&b| b < 0x80 && !needs_escape(b));
    }
    let dirty = |x: u64| (x & 0x8080_8080_8080_8080) | escape_mask(x) != 0;
    let mut i = 0;
    while i + 8 <= text.len() {
        if dirty(word_at(text, i)) {
            return false;
        }
        i += 8;
    }
    // The last word, overlapping what was checked.
    !dirty(word_at(text, text.len() - 8))
}

/// Appends `s` (valid UTF-8) as the body of a JSON string, without quotes.
#[inline]
pub fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    while let Some(i) = next_escape(s, start) {
        let b = s[i];
        out.extend_from_slice(&s[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

/// Appends `text` as a quoted JSON string, checking that it is UTF-8.
/// Returns the offset of the first invalid byte on error (nothing is
/// appended then).
#[inline]
pub fn write_text(out: &mut Vec<u8>, text: &[u8]) -> Result<(), usize> {
    // Fast path: printable ASCII with nothing to escape (checked eight
    // bytes at a time, then a single copy).
    if plain_ascii(text) {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text);
        out.push(b'"');
        return Ok(());
    }
    // Otherwise validate once (the standard library skips ASCII a word at
    // a time), then escape.
    std::str::from_utf8(text).map_err(|e| e.valid_up_to())?;
    out.push(b'"');
    escape_into(out, text);
    out.push(b'"');
    Ok(())
}

/// Appends `s` as a quoted JSON string.
#[inline]
pub fn write_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    escape_into(out, s);
    out.push(b'"');
}

/// Appends a signed integer.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    // Digits laid out from the left of a fixed buffer, appended by a
    // fixed-size copy and a truncation: a variable-length copy is a
    // memmove call, several per row in a dump. (Digit pairs, not the
    // eight-digit word routine: its longer dependency chain was slower on
    // the small numbers most are, and no faster on ten-digit ones.)
    let mut buf = [0u8; 24];
    let len = fmt_i64(&mut buf, v);
    let end = out.len() + len;
    out.extend_from_slice(&buf);
    out.truncate(end);
}

/// Decimal digits of `n` (1 for 0): floor(log10(2) · bits) is the count
/// or one less, and one comparison decides.
pub(crate) fn decimal_len(n: u64) -> usize {
    const POW10: [u64; 20] = {
        let mut t = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            t[i] = t[i - 1] * 10;
            i += 1;
        }
        t
    };
    let approx = (((64 - (n | 1).leading_zeros()) * 1233) >> 12) as usize;
    (approx + usize::from(approx < 20 && n >= POW10[approx])).max(1)
}

/// The eight decimal digits of `n` (< 10^8) as byte values 0–9, most
/// significant first in memory order (little-endian): split in halves of
/// four digits, then in lanes of two, then of one, each by multiplying
/// with a reciprocal (exact for these ranges).
#[inline]
pub(crate) fn digits8(n: u64) -> u64 {
    let x = (n / 10_000) | ((n % 10_000) << 32);
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let x = hundreds | ((x - hundreds * 100) << 16);
    let tens = ((x * 103) >> 10) & 0x000f_000f_000f_000f;
    tens | ((x - tens * 10) << 8)
}

/// "00".."99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two digits of `v % 100`.
#[inline]
pub(crate) fn pair(v: u64) -> [u8; 2] {
    let i = (v % 100) as usize * 2;
    [PAIRS[i], PAIRS[i + 1]]
}

/// Formats `v` at the start of `buf` and returns its length.
#[inline]
fn fmt_i64(buf: &mut [u8; 24], v: i64) -> usize {
    let mut n = v.unsigned_abs();
    let sign = usize::from(v < 0);
    buf[0] = b'-';
    let len = sign + decimal_len(n);
    let mut i = len;
    while n >= 100 {
        let p = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i] = PAIRS[p];
        buf[i + 1] = PAIRS[p + 1];
    }
    if n >= 10 {
        let p = n as usize * 2;
        i -= 2;
        buf[i] = PAIRS[p];
        buf[i + 1] = PAIRS[p + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s.as_bytes());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn jackson_escaping() {
        assert_eq!(esc("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(esc("\u{8}\t\n\u{c}\r"), r#""\b\t\n\f\r""#);
        assert_eq!(esc("\u{1b}\u{b}\u{0}"), r#""\u001B\u000B\u0000""#);
        assert_eq!(esc("/\u{7f}é😀\u{2028}"), "\"/\u{7f}é😀\u{2028}\"");
    }

    #[test]
    fn text_is_validated_while_escaped() {
        let mut out = Vec::new();
        write_text(&mut out, "a\"b\né".as_bytes()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\né""#);
        assert_eq!(write_text(&mut Vec::new(), b"ok\xff"), Err(2));
        assert_eq!(write_text(&mut Vec::new(), b"\xe2\x82"), Err(0));
    }

    #[test]
    fn escaping_matches_a_byte_loop() {
        // Strings of every length up to 40 from an alphabet heavy in the
        // bytes that matter (controls, quote, backslash, their neighbours,
        // high bytes), escaped eight at a time vs one at a time.
        let alphabet = [
            0x00, 0x08, 0x1f, 0x20, b'!', b'"', b'#', b'[', b'\\', b']', b'a', 0x7f, 0x80, 0xc3,
            0xa9, 0xff,
        ];
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for len in 0..=40 {
            for _ in 0..500 {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        alphabet[(x % 16) as usize]
                    })
                    .collect();
                let mut want = Vec::new();
                for &b in &s {
                    match b {
                        b'"' => want.extend_from_slice(b"\\\""),
                        b'\\' => want.extend_from_slice(b"\\\\"),
                        0x08 => want.extend_from_slice(b"\\b"),
                        0x09 => want.extend_from_slice(b"\\t"),
                        0x0a => want.extend_from_slice(b"\\n"),
                        0x0c => want.extend_from_slice(b"\\f"),
                        0x0d => want.extend_from_slice(b"\\r"),
                        b if b < 0x20 => want.extend_from_slice(format!("\\u{b:04X}").as_bytes()),
                        b => want.push(b),
                    }
                }
                let mut got = Vec::new();
                escape_into(&mut got, &s);
                assert_eq!(got, want, "{s:02x?}");
                let mut text = Vec::new();
                match std::str::from_utf8(&s) {
                    Ok(_) => {
                        assert_eq!(write_text(&mut text, &s), Ok(()));
                        assert_eq!(text[1..text.len() - 1], want[..], "{s:02x?}");
                    }
                    Err(e) => assert_eq!(write_text(&mut text, &s), Err(e.valid_up_to())),
                }
            }
        }
    }

    #[test]
    fn eight_digit_words() {
        for n in (0..100_000_000u64).step_by(997).chain([0, 9, 10, 99_999_999]) {
            let ascii = (digits8(n) | 0x3030_3030_3030_3030).to_le_bytes();
            assert_eq!(ascii, format!("{n:08}").as_bytes(), "{n}");
        }
    }

    #[test]
    fn integers_random_and_dense() {
        // Every value below 10^6, then a million pseudo-random ones of
        // every magnitude (shifted xorshift), against the standard library.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut out = Vec::new();
        for i in 0..2_000_000u64 {
            let v = if i < 1_000_000 {
                i
            } else {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x >> (i % 64)
            };
            let v = v as i64;
            out.clear();
            write_i64(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes(), "{v}");
        }
    }

    #[test]
    fn integers() {
        let mut cases = vec![0i64, -1, 42, i64::MIN, i64::MAX, i64::MIN + 1];
        // Every digit count and its edges, both signs.
        let mut p = 1i64;
        for _ in 0..19 {
            cases.extend([p - 1, p, p + 1, -(p - 1), -p, -(p + 1)]);
            p = p.saturating_mul(10);
        }
        let mut out = b"x".to_vec();
        for v in cases {
            out.truncate(1);
            write_i64(&mut out, v);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), format!("x{v}"));
        }
    }
}
