//! JSON text primitives: string escaping exactly as Jackson's
//! `JsonStringEncoder` does it (CQL_JSON.md §5), which Cassandra uses for
//! every string it emits.
//!
//! `"` and `\` are backslash-escaped; U+0008/9/A/C/D use their short forms;
//! other control characters below U+0020 become `\u00XX` with *upper-case*
//! hex (serde_json would write lower case); everything else, including
//! U+007F, U+2028 and astral characters, is written as raw UTF-8.

/// Whether a byte needs escaping inside a JSON string.
#[inline]
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends `s` (valid UTF-8) as the body of a JSON string, without quotes.
#[inline]
pub fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
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

/// Appends `text` as a quoted JSON string, checking in the same pass that
/// it is UTF-8. Returns the offset of the first invalid byte on error (the
/// output is then incomplete).
#[inline]
pub fn write_text(out: &mut Vec<u8>, text: &[u8]) -> Result<(), usize> {
    // Fast path: printable ASCII with nothing to escape (one vectorisable
    // scan, then a single copy).
    if text.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\') {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text);
        out.push(b'"');
        return Ok(());
    }
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if b >= 0x80 {
            // Non-ASCII: validate the rest at once, then escape the rest.
            return match std::str::from_utf8(&text[i..]) {
                Ok(_) => {
                    out.extend_from_slice(&text[start..i]);
                    escape_into(out, &text[i..]);
                    out.push(b'"');
                    Ok(())
                }
                Err(e) => Err(i + e.valid_up_to()),
            };
        }
        if needs_escape(b) {
            out.extend_from_slice(&text[start..i]);
            escape_into(out, &text[i..i + 1]);
            start = i + 1;
        }
    }
    out.extend_from_slice(&text[start..]);
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
    // memmove call, several per row in a dump.
    let mut buf = [0u8; 24];
    let len = fmt_i64(&mut buf, v);
    let end = out.len() + len;
    out.extend_from_slice(&buf);
    out.truncate(end);
}

/// Decimal digits of `n` (1 for 0).
fn decimal_len(n: u64) -> usize {
    let mut len = 1;
    let mut p = 10u64;
    while len < 20 && n >= p {
        len += 1;
        p = p.wrapping_mul(10);
    }
    len
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
