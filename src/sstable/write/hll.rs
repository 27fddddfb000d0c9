//! The partition-count sketch of Statistics.db's COMPACTION component:
//! stream-lib's `HyperLogLogPlus(13, 25)` (§8.3), fed each partition key's
//! `MurmurHash.hash2_64` as Cassandra's `MetadataCollector.addKey` does, and
//! serialized by `getBytes()`.
//!
//! ```text
//! i32 -2 (version) | varint p | varint sp | varint format
//! SPARSE (0x01): varint n | n × varint delta of the sorted encoded hashes
//! NORMAL (0x00): varint 4·words | words × i32 (registers, 5 bits, 6 per word)
//! ```
//! Varints here are stream-lib's LEB128, not Cassandra's vints. The sparse
//! form holds up to ¾·2^p entries; past that the registers are written.
//! Checked byte for byte against Cassandra-written sketches (sparse form);
//! the register form follows the same library's layout.

const P: u32 = 13;
const SP: u32 = 25;
const SPARSE_LIMIT: usize = (1 << P) * 3 / 4;
const REGISTERS: usize = 1 << P;
/// `RegisterSet.getSizeForCount`: 6 five-bit registers per 32-bit word.
const WORDS: usize = REGISTERS / 6 + 1;

/// A HyperLogLog++ sketch of partition keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cardinality {
    sparse: Vec<u32>,
    registers: Option<Vec<u32>>,
}

/// Cassandra's `MurmurHash.hash2_64` (MurmurHash64A) with seed 0, tail
/// bytes sign-extended as Java's `(long) byte` does.
pub(crate) fn murmur2_64(key: &[u8]) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes(c.try_into().unwrap_or_default());
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (i64::from(b as i8) as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The sparse encoding of a hash: the top `sp` bits, then (when the bits
/// between `p` and `sp` are all zero) the run of zeros after `sp`.
fn encode(h: u64) -> u32 {
    let idx = (h >> (64 - SP)) as u32;
    if idx & ((1 << (SP - P)) - 1) == 0 {
        let zeros = ((h << SP) | (1 << (SP - 1))).leading_zeros() + 1;
        (idx << 7) | (zeros << 1) | 1
    } else {
        idx << 1
    }
}

fn sparse_index(k: u32) -> u32 {
    if k & 1 == 1 { k >> 7 } else { k >> 1 }
}

/// The `p`-bit register index and run length a sparse entry stands for.
fn register_of(k: u32) -> (usize, u32) {
    if k & 1 == 1 {
        ((k >> (32 - P)) as usize, ((k >> 1) & 63) + (SP - P))
    } else {
        ((k >> (32 - P - 6)) as usize, (k << (P + 31 - SP)).leading_zeros() + 1)
    }
}

fn set_register(words: &mut [u32], i: usize, run: u32) {
    let (w, shift) = (i / 6, 5 * (i % 6) as u32);
    let cur = (words[w] >> shift) & 0x1f;
    let run = run.min(0x1f);
    if run > cur {
        words[w] = (words[w] & !(0x1f << shift)) | (run << shift);
    }
}

fn write_varint(mut v: u32, out: &mut Vec<u8>) {
    while v & !0x7f != 0 {
        out.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Cardinality {
    /// Offers one partition key.
    pub fn offer_key(&mut self, key: &[u8]) {
        let h = murmur2_64(key);
        match &mut self.registers {
            Some(words) => {
                let idx = (h >> (64 - P)) as usize;
                let run = ((h << P) | (1 << (P - 1))).leading_zeros() + 1;
                set_register(words, idx, run);
            }
            None => {
                self.sparse.push(encode(h));
                if self.sparse.len() > 4 * SPARSE_LIMIT {
                    self.merge();
                }
            }
        }
    }

    /// Sorts and deduplicates the sparse entries, switching to registers
    /// past the sparse limit.
    fn merge(&mut self) {
        self.sparse.sort_unstable_by_key(|&k| (sparse_index(k), std::cmp::Reverse(k)));
        self.sparse.dedup_by_key(|k| sparse_index(*k));
        if self.sparse.len() > SPARSE_LIMIT {
            let mut words = vec![0u32; WORDS];
            for &k in &self.sparse {
                let (i, run) = register_of(k);
                set_register(&mut words, i, run);
            }
            self.registers = Some(words);
            self.sparse = Vec::new();
        }
    }

    /// `HyperLogLogPlus.getBytes()`.
    pub fn finish_bytes(&mut self) -> Vec<u8> {
        if self.registers.is_none() {
            self.merge();
        }
        let mut out = (-2i32).to_be_bytes().to_vec();
        write_varint(P, &mut out);
        write_varint(SP, &mut out);
        match &self.registers {
            Some(words) => {
                write_varint(0, &mut out);
                write_varint((words.len() * 4) as u32, &mut out);
                for w in words {
                    out.extend_from_slice(&w.to_be_bytes());
                }
            }
            None => {
                write_varint(1, &mut out);
                write_varint(self.sparse.len() as u32, &mut out);
                let mut prev = 0u32;
                for &k in &self.sparse {
                    write_varint(k.wrapping_sub(prev), &mut out);
                    prev = k;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_sketch_cassandra_wrote_for_five_text_keys() {
        // LEG/oa/simple Statistics.db COMPACTION body (after its i32 length):
        // keys '0'..'4'.
        let want = [
            0xff, 0xff, 0xff, 0xfe, 0x0d, 0x19, 0x01, 0x05, 0x92, 0xf2, 0x85, 0x01, 0x90, 0xf6,
            0x1f, 0xf4, 0xb3, 0xaa, 0x02, 0xb2, 0xbd, 0xfc, 0x05, 0xe0, 0xfc, 0xdd, 0x10,
        ];
        let mut c = Cardinality::default();
        for k in ["3", "0", "4", "1", "2", "0"] {
            c.offer_key(k.as_bytes());
        }
        assert_eq!(c.finish_bytes(), want);
    }

    #[test]
    fn many_keys_switch_to_registers() {
        let mut c = Cardinality::default();
        for i in 0..20_000u32 {
            c.offer_key(&i.to_be_bytes());
        }
        let b = c.finish_bytes();
        assert_eq!(&b[4..9], &[13, 25, 0, 0xd8, 0x2a]); // format 0, 5464 bytes
        assert_eq!(b.len(), 9 + WORDS * 4);
        // Most registers are set with 20k keys in 8192 registers.
        let set = (0..REGISTERS)
            .filter(|&i| {
                let w =
                    u32::from_be_bytes(b[9 + 4 * (i / 6)..13 + 4 * (i / 6)].try_into().unwrap());
                (w >> (5 * (i % 6))) & 0x1f != 0
            })
            .count();
        assert!(set > 7000, "{set}");
    }
}
