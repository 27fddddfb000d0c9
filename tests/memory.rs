//! Memory is bounded by the widest row, not by the file: dumping an
//! SSTable four times larger must not need more memory.
//!
//! The SSTables are synthesized for the schema of the corpus's
//! `3.x/uncompressed/simple` fixture (pk int, ck int, val int; its
//! Statistics.db is copied): N partitions in Murmur3 order, each with 100
//! rows `(ck, val)`. Data.db is written in the `mc` row format by hand (no
//! CRC.db, Digest or Index, which are optional).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};

use casscade::sstable::{SSTable, Unfiltered};
use casscade::types::token::murmur3_token;

const ROWS: i32 = 100;

/// Writes an SSTable of `partitions` partitions into a fresh directory.
fn synthesize(corpus: &Path, tag: &str, partitions: i32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casscade-mem-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let simple = common::real(
        corpus,
        "scylladb/test/resource/sstables/3.x/uncompressed/simple/mc-1-big-Statistics.db",
    );
    std::fs::copy(simple, dir.join("mc-1-big-Statistics.db")).unwrap();
    std::fs::write(dir.join("mc-1-big-TOC.txt"), "Data.db\nStatistics.db\nTOC.txt\n").unwrap();
    let mut keys: Vec<i32> = (0..partitions).collect();
    keys.sort_by_key(|k| (murmur3_token(&k.to_be_bytes()), k.to_be_bytes()));
    let mut data = Vec::with_capacity(partitions as usize * (17 + 13 * ROWS as usize));
    for k in keys {
        data.extend_from_slice(&[0, 4]);
        data.extend_from_slice(&k.to_be_bytes());
        data.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0]); // LIVE
        for ck in 0..ROWS {
            // flags HAS_TIMESTAMP|HAS_ALL_COLUMNS, clustering (header 0 + int),
            // size 7 = prev(0) + ts delta(0) + cell(flags 0x08 + 4-byte int)
            data.extend_from_slice(&[0x24, 0x00]);
            data.extend_from_slice(&ck.to_be_bytes());
            data.extend_from_slice(&[0x07, 0x00, 0x00, 0x08]);
            data.extend_from_slice(&(k ^ ck).to_be_bytes());
        }
        data.push(0x01);
    }
    std::fs::write(dir.join("mc-1-big-Data.db"), &data).unwrap();
    dir
}

/// Peak memory (MiB) `casscade dump --stats` reports for `dir`.
fn dump_peak_mib(dir: &Path) -> f64 {
    let r = common::casscade(&["dump", "--stats", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("peak memory"))
        .unwrap_or_else(|| panic!("no stats: {}", r.stderr));
    line.rsplit("peak memory ").next().unwrap().trim_end_matches(" MiB").parse().unwrap()
}

#[test]
fn reader_window_does_not_grow_with_the_file() {
    let corpus = corpus_or_skip!();
    let dir = synthesize(&corpus, "window", 20_000);
    let t = SSTable::open(&dir.join("mc-1-big-Data.db")).unwrap();
    let mut r = t.reader().unwrap();
    let (mut rows, mut max_window) = (0u64, 0usize);
    while r.next_partition().unwrap().is_some() {
        while let Some(u) = r.next_unfiltered().unwrap() {
            if let Unfiltered::Row(row) = u {
                rows += 1;
                let c = row.columns().next().unwrap().cells().next().unwrap();
                std::hint::black_box(c.value);
            }
            max_window = max_window.max(r.buffer_capacity());
        }
    }
    assert_eq!(rows, 20_000 * ROWS as u64);
    let size = std::fs::metadata(dir.join("mc-1-big-Data.db")).unwrap().len();
    assert!(size > 20_000_000, "file is {size} bytes");
    // One read block (256 KiB) plus the unconsumed tail of the previous one.
    assert!(max_window <= 1 << 20, "window grew to {max_window} bytes for a {size}-byte file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dump_peak_memory_is_flat_across_a_fourfold_size_increase() {
    let corpus = corpus_or_skip!();
    let small = synthesize(&corpus, "small", 5_000);
    let large = synthesize(&corpus, "large", 20_000);
    let (a, b) = (dump_peak_mib(&small), dump_peak_mib(&large));
    assert!(b < a + 4.0, "peak memory grew from {a:.1} MiB to {b:.1} MiB for a 4x larger SSTable");
    assert!(b < 64.0, "peak memory {b:.1} MiB");
    std::fs::remove_dir_all(&small).unwrap();
    std::fs::remove_dir_all(&large).unwrap();
}
