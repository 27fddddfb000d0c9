//! Filter.db: the partition-key bloom filter (SSTABLE_FORMAT.md §12).
//!
//! Sized as `BloomFilter.getFilter(keys, fpChance)` sizes it: the fewest
//! buckets per key (at most 20) whose optimal hash count reaches the false
//! positive chance, then the fewest hashes that still do; `keys × buckets +
//! 20` bits rounded up to 64-bit words. Key `k` sets bits `|base % bits|`
//! for `base = h2, h2 + h1, …` with `(h1, h2)` its Murmur3 x64_128.

/// A bloom filter under construction.
#[derive(Debug, Clone)]
pub(crate) struct BloomFilter {
    hashes: u32,
    bits: Vec<u64>,
}

/// False-positive probability of `k` hashes with `b` buckets per element.
fn fp(b: u32, k: u32) -> f64 {
    (1.0 - (-(f64::from(k)) / f64::from(b)).exp()).powi(k as i32)
}

/// The `k` that minimises the false-positive rate for `b` buckets.
fn optimal_k(b: u32) -> u32 {
    (1..=b.max(1)).min_by(|&x, &y| fp(b, x).total_cmp(&fp(b, y))).unwrap_or(1)
}

/// `BloomCalculations.computeBloomSpec`: (hash count, buckets per element).
pub(crate) fn bloom_spec(fp_chance: f64) -> (u32, u32) {
    let mut b = 2;
    let mut k = optimal_k(b);
    while fp(b, k) > fp_chance && b < 20 {
        b += 1;
        k = optimal_k(b);
    }
    while k > 1 && fp(b, k - 1) <= fp_chance {
        k -= 1;
    }
    (k, b)
}

impl BloomFilter {
    /// A filter for `keys` keys at `fp_chance`.
    pub fn new(keys: u64, fp_chance: f64) -> BloomFilter {
        let (hashes, buckets) = bloom_spec(fp_chance);
        let bits = keys.saturating_mul(u64::from(buckets)).saturating_add(20);
        BloomFilter { hashes, bits: vec![0; bits.div_ceil(64) as usize] }
    }

    /// Adds a key given its Murmur3 halves.
    pub fn add_hash(&mut self, (h1, h2): (u64, u64)) {
        let n = (self.bits.len() * 64) as i64;
        let mut base = h2 as i64;
        for _ in 0..self.hashes {
            let i = (base % n).unsigned_abs() as usize;
            self.bits[i / 64] |= 1 << (i % 64);
            base = base.wrapping_add(h1 as i64);
        }
    }

    /// Adds a key.
    #[cfg(test)]
    pub fn add(&mut self, key: &[u8]) {
        self.add_hash(crate::types::token::murmur3_x64_128(key, 0));
    }

    /// The serialized filter: `m*` versions store big-endian 64-bit words,
    /// `na`+ the bytes least significant bit first.
    pub fn to_bytes(&self, byte_layout: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.bits.len() * 8);
        out.extend_from_slice(&self.hashes.to_be_bytes());
        out.extend_from_slice(&(self.bits.len() as u32).to_be_bytes());
        for w in &self.bits {
            if byte_layout {
                out.extend_from_slice(&w.to_le_bytes());
            } else {
                out.extend_from_slice(&w.to_be_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_percent_gives_ten_buckets_and_five_hashes() {
        assert_eq!(bloom_spec(0.01), (5, 10));
        assert_eq!(bloom_spec(0.1), (3, 5));
    }

    #[test]
    fn reproduces_the_legacy_filters() {
        // SSTABLE_FORMAT.md §12: keys '0'..'4' of LEG/{ma,nb}/simple.
        let mut f = BloomFilter::new(5, 0.01);
        for k in ["0", "1", "2", "3", "4"] {
            f.add(k.as_bytes());
        }
        let ma = [
            0, 0, 0, 5, 0, 0, 0, 2, 0x00, 0x04, 0x01, 0x00, 0x06, 0x21, 0x42, 0x84, 0x08, 0xc0,
            0x00, 0x04, 0x20, 0x02, 0xa6, 0x00,
        ];
        assert_eq!(f.to_bytes(false), ma);
        let nb = [
            0, 0, 0, 5, 0, 0, 0, 2, 0x84, 0x42, 0x21, 0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0xa6,
            0x02, 0x20, 0x04, 0x00, 0xc0, 0x08,
        ];
        assert_eq!(f.to_bytes(true), nb);
    }
}
