//! A bounds-checked, big-endian reading cursor over a byte slice, with
//! Cassandra's variable-length integers (SSTABLE_FORMAT.md §0, §2). Used by
//! the SSTable decoders and by value decoding (durations, vectors).
//!
//! Every primitive read either returns the value and advances, or returns
//! [`Short`] and leaves the cursor where it was (a compound read such as
//! [`Cursor::short_bytes`] may have consumed its length prefix). Nothing here
//! indexes past the end of the slice, so a truncated or corrupt input can only
//! produce `Short`.
//!
//! Cassandra's unsigned vint is not LEB128: the number of leading 1-bits in
//! the first byte says how many bytes follow, most significant first.

/// The input ended before the value being read was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Short;

/// A reading position in a byte slice.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor { data, pos: 0 }
    }

    /// Bytes consumed so far.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Whether every byte has been consumed.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The unread bytes.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// The whole underlying slice.
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Reads `n` bytes.
    #[inline]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Short> {
        let end = self.pos.checked_add(n).ok_or(Short)?;
        let out = self.data.get(self.pos..end).ok_or(Short)?;
        self.pos = end;
        Ok(out)
    }

    /// Skips `n` bytes.
    #[inline]
    pub fn skip(&mut self, n: usize) -> Result<(), Short> {
        if n > self.remaining() {
            return Err(Short);
        }
        self.pos += n;
        Ok(())
    }

    /// Reads a fixed-size array.
    #[inline]
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// Reads one byte.
    #[inline]
    pub fn u8(&mut self) -> Result<u8, Short> {
        let b = *self.data.get(self.pos).ok_or(Short)?;
        self.pos += 1;
        Ok(b)
    }

    /// Looks at the next byte without consuming it.
    #[inline]
    pub fn peek_u8(&self) -> Result<u8, Short> {
        self.data.get(self.pos).copied().ok_or(Short)
    }

    /// Reads a big-endian `u16`.
    #[inline]
    pub fn u16(&mut self) -> Result<u16, Short> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `i32`.
    #[inline]
    pub fn i32(&mut self) -> Result<i32, Short> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u32`.
    #[inline]
    pub fn u32(&mut self) -> Result<u32, Short> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `i64`.
    #[inline]
    pub fn i64(&mut self) -> Result<i64, Short> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian IEEE-754 `f64`.
    #[inline]
    pub fn f64(&mut self) -> Result<f64, Short> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// Reads a boolean byte (anything but 0 is true).
    #[inline]
    pub fn bool(&mut self) -> Result<bool, Short> {
        Ok(self.u8()? != 0)
    }

    /// Reads a Cassandra unsigned vint (1 to 9 bytes).
    #[inline]
    pub fn uvint(&mut self) -> Result<u64, Short> {
        // One-byte values (0..127) are most sizes, deltas and counts: keep
        // them on a short inline path and the multi-byte forms out of line.
        match self.data.get(self.pos) {
            Some(&b) if b < 0x80 => {
                self.pos += 1;
                Ok(u64::from(b))
            }
            _ => self.uvint_long(),
        }
    }

    #[inline]
    fn uvint_long(&mut self) -> Result<u64, Short> {
        let (value, len) = decode_uvint(self.rest())?;
        self.pos += len;
        Ok(value)
    }

    /// Reads a zigzag-encoded signed vint.
    #[inline]
    pub fn svint(&mut self) -> Result<i64, Short> {
        let u = self.uvint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// Reads a vint that carries a 32-bit value. Cassandra sign-extends
    /// negative values to 64 bits before writing; ScyllaDB sometimes writes
    /// over-long forms. Either way the low 32 bits are the value.
    #[inline]
    pub fn vint32(&mut self) -> Result<u32, Short> {
        Ok(self.uvint()? as u32)
    }

    /// Reads a `u16`-length-prefixed byte string (Java `writeWithShortLength`).
    #[inline]
    pub fn short_bytes(&mut self) -> Result<&'a [u8], Short> {
        let n = self.u16()? as usize;
        self.bytes(n)
    }

    /// Reads an `i32`-length-prefixed byte string. A negative length is
    /// returned as `Ok(None)` (Cassandra's null).
    #[inline]
    pub fn int_bytes(&mut self) -> Result<Option<&'a [u8]>, Short> {
        let n = self.i32()?;
        if n < 0 { Ok(None) } else { self.bytes(n as usize).map(Some) }
    }

    /// Reads a vint-length-prefixed byte string.
    #[inline]
    pub fn vint_bytes(&mut self) -> Result<&'a [u8], Short> {
        let n = self.uvint()?;
        let n = usize::try_from(n).map_err(|_| Short)?;
        self.bytes(n)
    }
}

/// Decodes an unsigned vint from the start of `src`, returning the value and
/// its encoded length.
#[inline]
pub fn decode_uvint(src: &[u8]) -> Result<(u64, usize), Short> {
    let first = *src.first().ok_or(Short)?;
    if first < 0x80 {
        return Ok((u64::from(first), 1));
    }
    let extra = first.leading_ones() as usize;
    if let Some(word) = src.get(1..9) {
        // Nine bytes at hand: one big-endian load instead of a byte loop.
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let word = u64::from_be_bytes(w);
        let value = if extra >= 8 {
            word
        } else {
            let shift = 8 * (8 - extra) as u32;
            (u64::from(first & (0xff >> extra)) << (8 * extra as u32)) | (word >> shift)
        };
        return Ok((value, 1 + extra));
    }
    let tail = src.get(1..1 + extra).ok_or(Short)?;
    let mask: u8 = if extra >= 8 { 0 } else { 0xff >> extra };
    let mut value = u64::from(first & mask);
    for &b in tail {
        value = (value << 8) | u64::from(b);
    }
    Ok((value, 1 + extra))
}

/// Appends the shortest encoding of `value` as an unsigned vint.
pub fn encode_uvint(value: u64, out: &mut Vec<u8>) {
    if value < 0x80 {
        out.push(value as u8);
        return;
    }
    // Number of bytes after the first: the smallest n such that the value
    // fits in 7 - n + 8n = 7n + 7 bits (n = 8 holds all 64 bits).
    let bits = 64 - value.leading_zeros() as usize;
    let extra = if bits > 56 { 8 } else { (bits - 1) / 7 };
    if extra == 8 {
        out.push(0xff);
        out.extend_from_slice(&value.to_be_bytes());
        return;
    }
    // The value's extra + 1 low bytes, big-endian, at the front of eight
    // (its top extra + 1 bits are zero: room for the length prefix), then
    // a fixed-size append cut back: no variable-length copy.
    let mut b = (value << (8 * (7 - extra))).to_be_bytes();
    b[0] |= !(0xffu8 >> extra);
    let len = out.len();
    out.extend_from_slice(&b);
    out.truncate(len + extra + 1);
}

/// Zigzag-encodes a signed value for [`encode_uvint`].
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> u64 {
        let mut c = Cursor::new(bytes);
        let v = c.uvint().unwrap();
        assert!(c.is_empty(), "{bytes:02x?} left bytes");
        v
    }

    #[test]
    fn uvint_boundaries_from_the_format_reference() {
        let cases: &[(&[u8], u64)] = &[
            (&[0x00], 0),
            (&[0x7f], 127),
            (&[0x80, 0x80], 128),
            (&[0xbf, 0xff], 16383),
            (&[0xc0, 0x40, 0x00], 16384),
            (&[0xc1, 0x01, 0xd0], 66000),
            (&[0xff; 9], u64::MAX),
            (&[0xff, 0xff, 0xff, 0xff, 0xff, 0xda, 0x67, 0xfa, 0x00], 0xffff_ffff_da67_fa00),
        ];
        for &(bytes, value) in cases {
            assert_eq!(dec(bytes), value, "{bytes:02x?}");
            // With bytes following (the one-load path), the same value and length.
            let mut padded = bytes.to_vec();
            padded.extend_from_slice(&[0xa5; 9]);
            let mut c = Cursor::new(&padded);
            assert_eq!(c.uvint(), Ok(value), "{bytes:02x?} followed by more bytes");
            assert_eq!(c.pos(), bytes.len(), "{bytes:02x?} followed by more bytes");
            let mut enc = Vec::new();
            encode_uvint(value, &mut enc);
            assert_eq!(enc, bytes, "encoding {value}");
        }
    }

    #[test]
    fn nine_byte_negative_i32_truncates() {
        let mut c = Cursor::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xda, 0x67, 0xfa, 0x00]);
        assert_eq!(c.vint32().unwrap() as i32, -630_720_000);
    }

    #[test]
    fn overlong_forms_decode() {
        // ScyllaDB writes over-long vints; the value is what counts.
        assert_eq!(dec(&[0x80, 0x05]), 5);
        assert_eq!(dec(&[0xc0, 0x00, 0x05]), 5);
    }

    #[test]
    fn roundtrip_many_values() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for shift in 0..64 {
            for _ in 0..50 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = x >> shift;
                // Appended after existing bytes, in the shortest form:
                // n bytes hold 7n bits up to 8 bytes (56 bits), else 9.
                let mut enc = vec![0x5a];
                encode_uvint(v, &mut enc);
                let shortest = (1..=8).find(|&n| v < 1u64 << (7 * n)).unwrap_or(9);
                assert_eq!((enc[0], enc.len() - 1), (0x5a, shortest), "{v}");
                assert_eq!(dec(&enc[1..]), v);
                let s = v as i64;
                let mut enc = Vec::new();
                encode_uvint(zigzag(s), &mut enc);
                assert_eq!(Cursor::new(&enc).svint().unwrap(), s);
            }
        }
    }

    #[test]
    fn short_input_is_reported_and_nothing_consumed() {
        for bytes in [&[][..], &[0x80], &[0xc0, 0x00], &[0xff, 0, 0, 0, 0, 0, 0, 0]] {
            let mut c = Cursor::new(bytes);
            assert_eq!(c.uvint(), Err(Short));
            assert_eq!(c.pos(), 0);
        }
        let mut c = Cursor::new(&[0, 5, 1, 2]);
        assert_eq!(c.short_bytes(), Err(Short));
        assert_eq!(c.pos(), 2, "length consumed, bytes not");
    }
}
