//! The checksums Data.db is verified with: CRC32 from 3.0 on, Adler-32
//! before (`ka`/`la` compressed chunks, CRC.db and the whole-file digest,
//! which 2.x stores in decimal in `Digest.sha1` despite the name).

/// A whole-file digest being accumulated, and the per-chunk checksum of the
/// same algorithm.
#[derive(Debug, Clone)]
pub(crate) enum Digest {
    Crc32(crc32fast::Hasher),
    Adler32(Adler32),
}

impl Digest {
    /// A fresh digest: Adler-32 for pre-3.0 files.
    pub(crate) fn new(legacy: bool) -> Digest {
        if legacy {
            Digest::Adler32(Adler32::default())
        } else {
            Digest::Crc32(crc32fast::Hasher::new())
        }
    }

    /// The algorithm's name, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Digest::Crc32(_) => "CRC32",
            Digest::Adler32(_) => "Adler-32",
        }
    }

    /// The checksum of `piece` alone, which is also added to the digest.
    pub(crate) fn chunk(&mut self, piece: &[u8]) -> u32 {
        match self {
            Digest::Crc32(d) => {
                let mut h = crc32fast::Hasher::new();
                h.update(piece);
                let v = h.clone().finalize();
                d.combine(&h);
                v
            }
            Digest::Adler32(d) => {
                d.update(piece);
                let mut h = Adler32::default();
                h.update(piece);
                h.value()
            }
        }
    }

    /// Adds bytes to the digest.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Digest::Crc32(d) => d.update(bytes),
            Digest::Adler32(d) => d.update(bytes),
        }
    }

    /// The digest of everything added.
    pub(crate) fn value(&self) -> u32 {
        match self {
            Digest::Crc32(d) => d.clone().finalize(),
            Digest::Adler32(d) => d.value(),
        }
    }
}

/// Adler-32 (RFC 1950), as `java.util.zip.Adler32`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Self {
        Adler32 { a: 1, b: 0 }
    }
}

const MOD: u32 = 65_521;
/// Bytes that can be summed before `b` could overflow 32 bits.
const NMAX: usize = 5_552;

impl Adler32 {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        for block in bytes.chunks(NMAX) {
            for &x in block {
                self.a += u32::from(x);
                self.b += self.a;
            }
            self.a %= MOD;
            self.b %= MOD;
        }
    }

    pub(crate) fn value(&self) -> u32 {
        (self.b << 16) | self.a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        // RFC 1950 / zlib: "Wikipedia" -> 0x11E60398.
        let mut a = Adler32::default();
        a.update(b"Wikipedia");
        assert_eq!(a.value(), 0x11E6_0398);
        assert_eq!(Adler32::default().value(), 1);
        // Long input, split anywhere, crosses the modulo blocks.
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut whole = Adler32::default();
        whole.update(&data);
        let mut parts = Adler32::default();
        parts.update(&data[..12_345]);
        parts.update(&data[12_345..]);
        assert_eq!(whole.value(), parts.value());
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &data {
            a = (a + u64::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(whole.value() as u64, (b << 16) | a);
    }
}
