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

/// `s[i..i + 8]` as a word (the caller checks the bounds).
#[inline]
fn word_at(s: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(b)
}

/// The bytes of `s` (shorter than eight) as a word, zero-padded: two
/// overlapping loads instead of a loop.
#[inline]
fn short_word(s: &[u8]) -> u64 {
    let n = s.len();
    match s {
        [a, b, c, d, ..] => {
            let lo = u32::from_le_bytes([*a, *b, *c, *d]);
            let hi = u32::from_le_bytes([s[n - 4], s[n - 3], s[n - 2], s[n - 1]]);
            u64::from(lo) | (u64::from(hi) << (8 * (n - 4)))
        }
        [a, b, ..] => {
            let lo = u16::from_le_bytes([*a, *b]);
            let hi = u16::from_le_bytes([s[n - 2], s[n - 1]]);
            u64::from(lo) | (u64::from(hi) << (8 * (n - 2)))
        }
        [a] => u64::from(*a),
        [] => 0,
    }
}

/// A constant text in a zero-padded array of a fixed size, appended by
/// one fixed-size copy and a cut. Choosing between two texts of different
/// lengths (`true` or `false`) and appending the slice compiles to a
/// `memcpy` call; choosing between two of these does not.
#[derive(Debug)]
pub struct Padded<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Padded<N> {
    /// `text`, which must fit in `N` bytes (checked at compile time when
    /// used in a constant).
    pub const fn new(text: &[u8]) -> Padded<N> {
        assert!(text.len() <= N, "text longer than its padded array");
        let mut bytes = [0u8; N];
        let mut i = 0;
        while i < text.len() {
            bytes[i] = text[i];
            i += 1;
        }
        Padded { bytes, len: text.len() }
    }

    /// Appends the text.
    #[inline]
    pub fn put(&self, out: &mut Vec<u8>) {
        let at = out.len();
        out.extend_from_slice(&self.bytes);
        out.truncate(at + self.len);
    }
}

/// Appends the escape sequence of `b` (a byte that needs one).
#[inline]
fn escape_byte(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Every sequence as one fixed-size copy and a cut.
    let (seq, len): ([u8; 8], usize) = match b {
        b'"' => (*b"\\\"\0\0\0\0\0\0", 2),
        b'\\' => (*b"\\\\\0\0\0\0\0\0", 2),
        0x08 => (*b"\\b\0\0\0\0\0\0", 2),
        0x09 => (*b"\\t\0\0\0\0\0\0", 2),
        0x0a => (*b"\\n\0\0\0\0\0\0", 2),
        0x0c => (*b"\\f\0\0\0\0\0\0", 2),
        0x0d => (*b"\\r\0\0\0\0\0\0", 2),
        _ => {
            let (hi, lo) = (HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]);
            ([b'\\', b'u', b'0', b'0', hi, lo, 0, 0], 6)
        }
    };
    let at = out.len();
    out.extend_from_slice(&seq);
    out.truncate(at + len);
}

/// Appends `s` as the body of a JSON string, without quotes, and returns
/// whether any byte is non-ASCII. Eight bytes at a time: a clean word is
/// copied whole; in a word with a byte to escape, the bytes before it are
/// copied by writing the whole word and cutting it, so no variable-length
/// copy (a `memmove` call) is made.
#[inline]
fn escape_words(out: &mut Vec<u8>, s: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // In long text, the clean ASCII prefix (often all of it) is found a
    // word at a time and copied at once.
    let mut i = 0;
    if s.len() >= 32 {
        while i + 8 <= s.len() && (word_at(s, i) & HIGH) | escape_mask(word_at(s, i)) == 0 {
            i += 8;
        }
        out.extend_from_slice(&s[..i]);
    }
    let mut high = 0u64;
    while i + 8 <= s.len() {
        let w = word_at(s, i);
        high |= w & HIGH;
        let m = escape_mask(w);
        let at = out.len();
        out.extend_from_slice(&w.to_le_bytes());
        if m == 0 {
            i += 8;
            continue;
        }
        let k = (m.trailing_zeros() / 8) as usize;
        out.truncate(at + k);
        escape_byte(out, s[i + k]);
        i += k + 1;
    }
    // The last 0-7 bytes, gathered into a word and handled the same way
    // (the zero padding above them is cut off, and flags there are masked).
    let mut n = s.len() - i;
    let mut w = match s.len() {
        _ if n == 0 => 0,
        // The last word, overlapping bytes already copied, shifted down.
        8.. => word_at(s, s.len() - 8) >> (8 * (8 - n)),
        _ => short_word(s),
    };
    high |= w & HIGH;
    while n > 0 {
        let m = escape_mask(w) & ((1u64 << (8 * n)) - 1);
        let at = out.len();
        out.extend_from_slice(&w.to_le_bytes());
        if m == 0 {
            out.truncate(at + n);
            break;
        }
        let k = (m.trailing_zeros() / 8) as usize;
        out.truncate(at + k);
        escape_byte(out, (w >> (8 * k)) as u8);
        // k < n < 8: the shift stays below 64.
        w >>= 8 * (k + 1);
        n -= k + 1;
    }
    high != 0
}

/// Appends `s` (valid UTF-8) as the body of a JSON string, without quotes.
#[inline]
pub fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    escape_words(out, s);
}

/// Appends `text` as a quoted JSON string, checking that it is UTF-8.
/// Returns the offset of the first invalid byte on error (nothing is
/// appended then).
#[inline]
pub fn write_text(out: &mut Vec<u8>, text: &[u8]) -> Result<(), usize> {
    let at = out.len();
    let n = text.len();
    if n < 8 {
        // Short and plain ASCII (the usual key, path or code): quotes and
        // text composed in one register, appended by one fixed-size copy.
        let w = short_word(text);
        let valid = (1u64 << (8 * n)) - 1;
        if (w | escape_mask(w)) & valid & 0x8080_8080_8080_8080 == 0 {
            let q = (u128::from(w) << 8) | 0x22 | (0x22u128 << (8 * (n + 1)));
            out.extend_from_slice(&q.to_le_bytes());
            out.truncate(at + n + 2);
            return Ok(());
        }
    }
    out.reserve(text.len() + 10);
    out.push(b'"');
    // Escaped and copied in one pass; validated only when a byte is not
    // ASCII.
    if escape_words(out, text)
        && let Some(bad) = utf8_error(text)
    {
        out.truncate(at);
        return Err(bad);
    }
    out.push(b'"');
    Ok(())
}

/// Where `s` stops being UTF-8 (what `Utf8Error::valid_up_to` says), or
/// `None` when all of it is. ASCII is skipped a word at a time from the
/// first byte (the standard library first walks byte by byte to an
/// aligned address). On the generated narrow table, whose short strings
/// are mostly non-ASCII, `str::from_utf8` took 6% of the dump; this one,
/// inlined, cut the dump's CPU time by 2%.
#[inline]
pub(crate) fn utf8_error(s: &[u8]) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let n = s.len();
    let cont = |j: usize| s.get(j).is_some_and(|&c| c & 0xc0 == 0x80);
    let within = |j: usize, lo: u8, hi: u8| s.get(j).is_some_and(|&c| (lo..=hi).contains(&c));
    let mut i = 0;
    while i < n {
        if i + 8 <= n {
            let h = word_at(s, i) & HIGH;
            if h == 0 {
                i += 8;
                continue;
            }
            i += (h.trailing_zeros() / 8) as usize;
        } else if s[i] < 0x80 {
            i += 1;
            continue;
        }
        // A lead byte and its continuations (RFC 3629: no overlong forms,
        // no surrogates, nothing above U+10FFFF).
        let width = match s[i] {
            0xc2..=0xdf if cont(i + 1) => 2,
            0xe0 if within(i + 1, 0xa0, 0xbf) && cont(i + 2) => 3,
            0xe1..=0xec | 0xee | 0xef if cont(i + 1) && cont(i + 2) => 3,
            0xed if within(i + 1, 0x80, 0x9f) && cont(i + 2) => 3,
            0xf0 if within(i + 1, 0x90, 0xbf) && cont(i + 2) && cont(i + 3) => 4,
            0xf1..=0xf3 if cont(i + 1) && cont(i + 2) && cont(i + 3) => 4,
            0xf4 if within(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) => 4,
            _ => return Some(i),
        };
        i += width;
    }
    None
}

/// Appends `s` as a quoted JSON string.
#[inline]
pub fn write_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    escape_into(out, s);
    out.push(b'"');
}

/// Appends a signed integer.
///
/// Up to sixteen digits are made at once, eight per word by [`digits8`]
/// (multiplications by reciprocals, no loop), the leading zero digits
/// shifted out, the sign shifted in without a branch, and the text
/// appended by one fixed-size copy then cut to length. The length comes
/// from [`decimal_len`] (a bit count and one comparison), not from the
/// digits: the next append's position waits on it, and the digits are a
/// chain of five multiplications (counting them off the digit word made
/// the time-series dump slower despite fewer instructions). The earlier
/// two-digits-per-iteration loop cost about 90 instructions for a file
/// offset of nine digits; this costs about 40.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let n = v.unsigned_abs();
    let neg = usize::from(v < 0);
    let at = out.len();
    if n >= 10_000_000_000_000_000 {
        let mut buf = [0u8; 24];
        let len = fmt_i64(&mut buf, v);
        out.extend_from_slice(&buf);
        out.truncate(at + len);
        return;
    }
    let len = decimal_len(n);
    let text = if n < 100_000_000 {
        u128::from((digits8(n) | ASCII_ZEROS) >> (8 * (8 - len)))
    } else {
        let (hi, lo) = (n / 100_000_000, n % 100_000_000);
        let word =
            u128::from(digits8(hi) | ASCII_ZEROS) | u128::from(digits8(lo) | ASCII_ZEROS) << 64;
        word >> (8 * (16 - len))
    };
    // Sixteen digits and a sign do not fit a u128: the sign goes first,
    // in its own byte, and the digits after it.
    out.push(b'-');
    out.truncate(at + neg);
    out.extend_from_slice(&text.to_le_bytes());
    out.truncate(at + neg + len);
}

/// Added to a word of digit values 0–9, their ASCII bytes.
const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

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
                // After existing output, which must stay as it was.
                let mut text = b"x".to_vec();
                match std::str::from_utf8(&s) {
                    Ok(_) => {
                        assert_eq!(write_text(&mut text, &s), Ok(()));
                        assert_eq!(text[..2], *b"x\"", "{s:02x?}");
                        assert_eq!(text[2..text.len() - 1], want[..], "{s:02x?}");
                        assert_eq!(text.last(), Some(&b'"'), "{s:02x?}");
                    }
                    Err(e) => {
                        assert_eq!(write_text(&mut text, &s), Err(e.valid_up_to()));
                        assert_eq!(text, b"x", "nothing appended on error: {s:02x?}");
                    }
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
        // every magnitude (shifted xorshift) and both signs, against the
        // standard library.
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
            let v = if i % 2 == 1 { (v as i64).wrapping_neg() } else { v as i64 };
            out.clear();
            write_i64(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes(), "{v}");
        }
    }

    #[test]
    fn utf8_errors_match_the_standard_library() {
        // Random mixes of ASCII, valid sequences of every width, and
        // damaged or stray bytes, at every length up to 40.
        let pieces: &[&[u8]] = &[
            b"a",
            b"plain ",
            b"\\",
            "é".as_bytes(),
            "東".as_bytes(),
            "😀".as_bytes(),
            "\u{7ff}".as_bytes(),
            "\u{ffff}".as_bytes(),
            "\u{10ffff}".as_bytes(),
            &[0x80],
            &[0xc0, 0x80],
            &[0xc2],
            &[0xe0, 0x80, 0x80],
            &[0xed, 0xa0, 0x80],
            &[0xf4, 0x90, 0x80, 0x80],
            &[0xf5],
            &[0xff],
            &[0xe2, 0x82],
            &[0xf0, 0x9f, 0x98],
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            let mut s = Vec::new();
            while s.len() < 40 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly valid pieces, so errors come at every position.
                let k = (x % 100) as usize;
                let p = if k < 97 { pieces[k % 9] } else { pieces[9 + (x >> 32) as usize % 10] };
                s.extend_from_slice(p);
                let want = std::str::from_utf8(&s).err().map(|e| e.valid_up_to());
                assert_eq!(utf8_error(&s), want, "{s:02x?}");
            }
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
