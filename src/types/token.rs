//! Partitioners and tokens: the order partitions are stored in
//! (SSTABLE_FORMAT.md §3, `dht/*Partitioner.java`).
//!
//! Partitions are sorted by (token, key bytes). The token depends on the
//! partitioner named in Statistics.db:
//! - Murmur3Partitioner: the first 64 bits of Cassandra's MurmurHash3 x64_128
//!   (seed 0), whose tail step sign-extends each byte — a quirk that must be
//!   reproduced; `i64::MIN` becomes `i64::MAX`; an empty key is `i64::MIN`.
//! - RandomPartitioner: `abs(BigInteger(md5(key)))`, a 0..=2^127 integer.
//! - ByteOrderedPartitioner: the key bytes themselves.
//! - LocalPartitioner: the key compared with its type's comparator.

use std::cmp::Ordering;

use md5::{Digest, Md5};

/// A partitioner, as named in Statistics.db.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitioner {
    /// `org.apache.cassandra.dht.Murmur3Partitioner`.
    Murmur3,
    /// `org.apache.cassandra.dht.RandomPartitioner`.
    Random,
    /// `org.apache.cassandra.dht.ByteOrderedPartitioner`.
    ByteOrdered,
    /// `org.apache.cassandra.dht.LocalPartitioner` (secondary indexes,
    /// system tables): ordered by the key type.
    Local,
    /// Anything else (OrderPreservingPartitioner, custom classes): its order
    /// is not modelled.
    Other(String),
}

impl Partitioner {
    /// Recognizes a partitioner class name (fully qualified or short).
    pub fn from_class(name: &str) -> Partitioner {
        let short = name.rsplit('.').next().unwrap_or(name);
        // LocalPartitioner is printed with its key type in parentheses.
        let short = short.split('(').next().unwrap_or(short);
        match short {
            "Murmur3Partitioner" => Partitioner::Murmur3,
            "RandomPartitioner" => Partitioner::Random,
            "ByteOrderedPartitioner" => Partitioner::ByteOrdered,
            "LocalPartitioner" => Partitioner::Local,
            _ if name.contains("LocalPartitioner") => Partitioner::Local,
            _ => Partitioner::Other(name.to_string()),
        }
    }

    /// The token of a partition key, for the partitioners whose order does
    /// not depend on the key type.
    #[inline]
    pub fn token(&self, key: &[u8]) -> Token {
        match self {
            Partitioner::Murmur3 => Token::Murmur3(murmur3_token(key)),
            Partitioner::Random => Token::Random(random_token(key)),
            Partitioner::ByteOrdered | Partitioner::Local | Partitioner::Other(_) => Token::Bytes,
        }
    }
}

/// A partition's token. For byte-ordered partitioners the token is the key
/// itself, so it carries no data and comparisons fall through to the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Token {
    /// Murmur3 token, compared as a signed 64-bit integer.
    Murmur3(i64),
    /// RandomPartitioner token (0..=2^127).
    Random(u128),
    /// The key bytes are the token.
    Bytes,
}

impl Token {
    /// Compares two (token, key) pairs in partition order for the byte-based
    /// partitioners.
    pub fn cmp_with_keys(a: (Token, &[u8]), b: (Token, &[u8])) -> Ordering {
        a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1))
    }
}

impl Partitioner {
    /// The order of two partitions in an SSTable: by token then key bytes,
    /// except under LocalPartitioner, whose token is the key itself in its
    /// type's order (`key_type`, the serialization header's key type).
    pub fn compare(
        &self,
        key_type: &crate::types::CqlType,
        a: (Token, &[u8]),
        b: (Token, &[u8]),
    ) -> Ordering {
        match self {
            Partitioner::Local => crate::types::compare::compare_values(key_type, a.1, b.1),
            _ => Token::cmp_with_keys(a, b),
        }
    }
}

/// Cassandra's Murmur3 token of a key.
#[inline]
pub fn murmur3_token(key: &[u8]) -> i64 {
    if key.is_empty() {
        return i64::MIN;
    }
    let h = murmur3_x64_128(key, 0).0 as i64;
    if h == i64::MIN { i64::MAX } else { h }
}

#[inline]
fn fmix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// MurmurHash3 x64_128 as Cassandra computes it (`utils/MurmurHash.java`),
/// with the sign-extending tail. Returns (h1, h2).
pub fn murmur3_x64_128(key: &[u8], seed: u64) -> (u64, u64) {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    let mut h1 = seed;
    let mut h2 = seed;
    let mut blocks = key.chunks_exact(16);
    for block in &mut blocks {
        let (a, b) = block.split_at(8);
        let mut k1 = u64::from_le_bytes(a.try_into().unwrap_or_default());
        let mut k2 = u64::from_le_bytes(b.try_into().unwrap_or_default());
        k1 = k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 ^= k1;
        h1 = h1.rotate_left(27).wrapping_add(h2).wrapping_mul(5).wrapping_add(0x52dc_e729);
        k2 = k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 ^= k2;
        h2 = h2.rotate_left(31).wrapping_add(h1).wrapping_mul(5).wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    // Java's `(long) key.get(i)` sign-extends each tail byte (the quirk).
    let (lo, hi) = tail.split_at(tail.len().min(8));
    if !hi.is_empty() {
        let k2 = sign_extended_le(hi).wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 ^= k2;
    }
    if !lo.is_empty() {
        let k1 = sign_extended_le(lo).wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 ^= k1;
    }
    let len = key.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

/// XOR of `(long) b[i] << 8*i` over up to 8 bytes, with Java's sign
/// extension of each byte.
#[inline]
fn sign_extended_le(b: &[u8]) -> u64 {
    if let Ok(w) = <[u8; 8]>::try_from(b) {
        // Eight bytes (bigint and timestamp keys) at once: the bytes
        // themselves, and over each the XOR of the sign extensions of the
        // bytes below it — all ones where an odd number of those are
        // negative (a prefix parity of the high bits).
        let w = u64::from_le_bytes(w);
        let mut p = ((w >> 7) & 0x0101_0101_0101_0101) << 8;
        p ^= p << 8;
        p ^= p << 16;
        p ^= p << 32;
        return w ^ ((p & 0x0101_0101_0101_0101) * 0xff);
    }
    b.iter().enumerate().fold(0, |k, (i, &x)| k ^ ((i64::from(x as i8) as u64) << (8 * i)))
}

/// RandomPartitioner's token: `abs(new BigInteger(md5(key)))`.
pub fn random_token(key: &[u8]) -> u128 {
    let digest = Md5::digest(key);
    let v = i128::from_be_bytes(digest.into());
    v.unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_byte_sign_extension_matches_the_byte_fold() {
        let fold = |b: &[u8]| {
            b.iter()
                .enumerate()
                .fold(0u64, |k, (i, &x)| k ^ ((i64::from(x as i8) as u64) << (8 * i)))
        };
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..100_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Every pattern of high bits in the first 256, then random.
            let w = if i < 256 {
                (0..8).fold(0u64, |w, b| w | ((i >> b) & 1) << (8 * b + 7)) | 0x0102_0304_0506_0708
            } else {
                x
            };
            let b = w.to_le_bytes();
            assert_eq!(sign_extended_le(&b), fold(&b), "{b:02x?}");
        }
    }

    #[test]
    fn murmur3_vectors_from_the_format_reference() {
        let cases: &[(&[u8], i64, u64)] = &[
            (&[0, 0, 0, 1], -4069959284402364209, 0x798c_330c_bcdf_e0e6),
            (b"hello", -3758069500696749310, 0x5b1e_906a_48ae_1d19),
            (&[0x80, 0xff, 0x01], -7090167600805946407, 0x3959_d46b_e803_9ac6),
        ];
        for &(key, token, h2) in cases {
            assert_eq!(murmur3_token(key), token, "{key:02x?}");
            assert_eq!(murmur3_x64_128(key, 0).1, h2, "{key:02x?}");
        }
        assert_eq!(murmur3_token(&[]), i64::MIN);
    }

    #[test]
    fn murmur3_tails_of_every_length_match_the_python_oracle() {
        // From fixtures/tools/murmur3_token.py (a line-by-line port of
        // MurmurHash.hash3_x64_128): keys of 1..33 bytes whose tails hold
        // bytes with the top bit set, so the sign-extension quirk matters.
        let cases: &[(&str, i64)] = &[
            ("70717273747576", 1156654401445797972),
            ("7071727374757677", 2088356438081826533),
            ("707172737475767778", 8220356281497252989),
            ("707172737475767778797a7b7c7d7e", -508656383252457381),
            ("707172737475767778797a7b7c7d7e7f", -6230958444999357347),
            ("707172737475767778797a7b7c7d7e7f80", 7183477053543731154),
            ("707172737475767778797a7b7c7d7e7f80818283848586", -4547777067716037372),
            ("707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e", 3418922686179499581),
            (
                "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90",
                3355624033672326391,
            ),
            ("ff", -4442228696663692417),
            ("ffffffffffffffff", 7071048584287372947),
            ("ffffffffffffffffffffffff", 5441275315642417349),
            ("ffffffffffffffffffffffffffffff", -2195530867418009455),
            ("8001800180018001800180018001", -2067399671720687337),
        ];
        for &(hex, token) in cases {
            let key: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            assert_eq!(murmur3_token(&key), token, "{hex}");
        }
    }

    #[test]
    fn int_keys_one_to_five_sort_as_5_1_2_4_3() {
        let mut keys: Vec<i32> = (1..=5).collect();
        keys.sort_by_key(|k| murmur3_token(&k.to_be_bytes()));
        assert_eq!(keys, [5, 1, 2, 4, 3]);
    }

    #[test]
    fn random_partitioner_token_is_abs_of_signed_md5() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e: top bit set, so negative.
        let t = random_token(b"");
        let raw = 0xd41d_8cd9_8f00_b204_e980_0998_ecf8_427e_u128 as i128;
        assert_eq!(t, raw.unsigned_abs());
        assert!(t < (1u128 << 127));
    }

    #[test]
    fn partitioner_names() {
        assert_eq!(
            Partitioner::from_class("org.apache.cassandra.dht.Murmur3Partitioner"),
            Partitioner::Murmur3
        );
        assert_eq!(
            Partitioner::from_class(
                "org.apache.cassandra.dht.LocalPartitioner(org.apache.cassandra.db.marshal.Int32Type)"
            ),
            Partitioner::Local
        );
        assert!(matches!(
            Partitioner::from_class("org.apache.cassandra.dht.OrderPreservingPartitioner"),
            Partitioner::Other(_)
        ));
    }
}
