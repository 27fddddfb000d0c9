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
    let mut buf = itoa_buf();
    out.extend_from_slice(fmt_i64(&mut buf, v));
}

fn itoa_buf() -> [u8; 20] {
    [0u8; 20]
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

/// Formats `v` into the end of `buf` and returns the digits.
#[inline]
fn fmt_i64(buf: &mut [u8; 20], v: i64) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
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
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
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
        for v in [0i64, -1, 42, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }
}
