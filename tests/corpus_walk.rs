//! Walks the whole shared corpus: every SSTable generation written by
//! Cassandra 3.0+ or ScyllaDB decodes completely, or is a listed expected
//! failure that fails the way its oracle says, and every pre-3.0 generation
//! is refused by version. A generation that is neither (a new fixture, or a
//! regression) fails the guard.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use casscade::ErrorKind;
use casscade::sstable::{Descriptor, SSTable, Unfiltered};

/// Generations that must fail, with the error kind, a fragment of the
/// message, and why (the oracle's words).
const EXPECTED_FAILURES: &[(&str, &str, ErrorKind, &str, &str)] = &[
    (
        "scylladb/test/resource/sstables/3.x/lz4/integrity_check/invalid_checksums",
        "me-1-big-",
        ErrorKind::Checksum,
        "chunk 2 CRC32",
        "scrub_test.cc: deliberately corrupted chunk",
    ),
    (
        "scylladb/test/resource/sstables/3.x/lz4/integrity_check/invalid_digest",
        "me-1-big-",
        ErrorKind::Checksum,
        "Digest.crc32 says",
        "scrub_test.cc: wrong digest",
    ),
    (
        "scylladb/test/resource/sstables/3.x/uncompressed/integrity_check/invalid_checksums",
        "me-1-big-",
        ErrorKind::Checksum,
        "CRC.db says",
        "scrub_test.cc: deliberately corrupted data",
    ),
    (
        "scylladb/test/resource/sstables/3.x/uncompressed/integrity_check/invalid_digest",
        "me-1-big-",
        ErrorKind::Checksum,
        "Digest.crc32 says",
        "scrub_test.cc: wrong digest",
    ),
    (
        "scylladb/test/resource/sstables/broken_close_tombstone",
        "mc-122-big-",
        ErrorKind::Checksum,
        "CRC.db says",
        "broken_sstable_test.cc: closing a range tombstone that was not opened (also caught without CRC.db)",
    ),
    (
        "scylladb/test/resource/sstables/broken_open_tombstone",
        "mc-122-big-",
        ErrorKind::Checksum,
        "CRC.db says",
        "broken_sstable_test.cc: overlapping range tombstones",
    ),
    (
        "scylladb/test/resource/sstables/mismatched_timestamp",
        "mc-122-big-",
        ErrorKind::Checksum,
        "CRC.db says",
        "broken_sstable_test.cc: range tombstone ends differ",
    ),
    (
        "scylladb/test/resource/sstables/invalid_boundary",
        "mc-33-big-",
        ErrorKind::Checksum,
        "CRC.db says",
        "broken_sstable_test.cc: boundary kind static_clustering",
    ),
    (
        "scylladb/test/resource/sstables/broken_non_compound_pi_and_range_tombstone/ks/test-1c6ace40fad111e7b9cf000000000002",
        "mc-1-big-",
        ErrorKind::Corrupt,
        "uncompressed Data.db byte 42",
        "a buggy ScyllaDB wrote range-tombstone bounds in the pre-3.0 composite layout",
    ),
    (
        "scylladb/test/resource/sstables/broken_non_compound_pi_and_range_tombstone/ks/test-1c6ace40fad111e7b9cf000000000002",
        "md-1-big-",
        ErrorKind::Corrupt,
        "uncompressed Data.db byte 42",
        "same bug as the mc generation",
    ),
    (
        "scylladb/test/resource/sstables/compression-premature-eof",
        "mc-1-big-",
        ErrorKind::Corrupt,
        "Data.db has only 0 bytes",
        "Data.db is empty while CompressionInfo.db describes chunks",
    ),
    (
        "scylladb/test/resource/sstables/empty_index",
        "mc-36-big-",
        ErrorKind::Truncated,
        "Index.db",
        "broken_sstable_test.cc: missing index entry",
    ),
    (
        "cassandra-trunk/test/data/negative-ldts-invalid-deletions-test/invalid_partition_deletion",
        "nc-1-big-",
        ErrorKind::Corrupt,
        "partition deletion has a negative local deletion time (-1)",
        "CompactionsCQLTest: corrupt tombstone",
    ),
    (
        "cassandra-trunk/test/data/negative-ldts-invalid-deletions-test/invalid_range_tombstone_compaction",
        "nb-1-big-",
        ErrorKind::Corrupt,
        "range tombstone has a negative local deletion time (-1)",
        "CompactionsCQLTest: corrupt tombstone",
    ),
    (
        "cassandra-trunk/test/data/negative-ldts-invalid-deletions-test/invalid_range_tombstone_reader",
        "nb-1-big-",
        ErrorKind::Corrupt,
        "range tombstone has a negative local deletion time (-1)",
        "CompactionsCQLTest: corrupt tombstone",
    ),
    (
        "cassandra-trunk/test/data/negative-ldts-invalid-deletions-test/invalid_tombstones",
        "nc-1-big-",
        ErrorKind::Corrupt,
        "cell tombstone has a negative local deletion time (-1)",
        "CompactionsCQLTest: corrupt tombstone",
    ),
];

/// MANIFEST negative tests that are not failures for a reader of this
/// kind, with why; each is covered by a test elsewhere.
const NEGATIVE_ONLY_ELSEWHERE: &[(&str, &str)] = &[
    (
        "scylladb/test/resource/sstables/3.x/uncompressed/random_partitioner",
        "negative only for ScyllaDB, which refuses RandomPartitioner; Cassandra reads it (oracle rows checked in corpus_content)",
    ),
    (
        "scylladb/test/resource/sstables/incompatible_serialized_type",
        "a schema mismatch: refused when dumped with the oracle's schema (corpus_content::incompatible_serialized_type)",
    ),
];

fn is_3x(version: &str) -> bool {
    matches!(
        version,
        "ma" | "mb" | "mc" | "md" | "me" | "ms" | "mt" | "na" | "nb" | "nc" | "oa" | "da"
    )
}

/// Every generation (directory, name prefix) in the corpus.
fn generations(root: &Path) -> BTreeMap<(PathBuf, String), Descriptor> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(d) = Descriptor::from_path(&p) {
                out.entry((dir.clone(), d.prefix().to_string())).or_insert(d);
            }
        }
    }
    out
}

/// Opens and reads every cell of one SSTable; returns (partitions, rows).
fn read_all(data: &Path) -> casscade::Result<(u64, u64)> {
    let t = SSTable::open(data)?;
    let mut r = t.reader()?;
    let (mut partitions, mut rows) = (0, 0);
    while r.next_partition()?.is_some() {
        partitions += 1;
        while let Some(u) = r.next_unfiltered()? {
            if let Unfiltered::Row(row) = u {
                rows += 1;
                for c in row.columns() {
                    for cell in c.cells() {
                        std::hint::black_box(cell.value);
                    }
                }
            }
        }
    }
    Ok((partitions, rows))
}

#[test]
fn every_generation_decodes_or_fails_as_its_oracle_says() {
    let corpus = corpus_or_skip!();
    let real = corpus.join("real");
    let gens = generations(&real);
    assert!(gens.len() > 300, "only {} generations found under {}", gens.len(), real.display());
    let mut decoded = 0;
    let mut problems = Vec::new();
    for ((dir, prefix), d) in &gens {
        let rel = dir.strip_prefix(&real).unwrap().to_str().unwrap();
        let data = d.data_path();
        let expected = EXPECTED_FAILURES.iter().find(|e| e.0 == rel && e.1 == prefix);
        if !is_3x(d.version()) {
            // ka/la are read given a schema (tests/legacy.rs); without one,
            // and for older versions, opening names the version.
            let kind = if matches!(d.version(), "ka" | "la") {
                ErrorKind::Schema
            } else {
                ErrorKind::UnsupportedVersion
            };
            match SSTable::open(&data) {
                Err(e)
                    if e.kind() == kind
                        && e.to_string().contains(&format!("'{}'", d.version())) => {}
                other => problems.push(format!(
                    "{rel}/{prefix}: pre-3.0 version not refused by name: {other:?}"
                )),
            }
            continue;
        }
        match (read_all(&data), expected) {
            (Ok((partitions, _)), None) => {
                decoded += 1;
                let size = std::fs::metadata(&data).map(|m| m.len()).unwrap_or(0);
                if size > 0 && partitions == 0 {
                    problems.push(format!(
                        "{rel}/{prefix}: {size}-byte Data.db decoded to no partition"
                    ));
                }
            }
            (Ok(_), Some(e)) => {
                problems.push(format!("{rel}/{prefix}: decoded, but must fail ({})", e.4))
            }
            (Err(err), None) => problems.push(format!("{rel}/{prefix}: unexpected failure: {err}")),
            (Err(err), Some(&(_, _, kind, fragment, why))) => {
                let text = err.to_string();
                if err.kind() != kind || !text.contains(fragment) {
                    problems.push(format!("{rel}/{prefix}: expected {kind:?} containing {fragment:?} ({why}), got {text}"));
                }
                if !text.contains(rel.rsplit('/').next().unwrap()) {
                    problems
                        .push(format!("{rel}/{prefix}: the error does not name the file: {text}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(decoded >= 180, "only {decoded} 3.0+ generations decoded");
    // Every expected failure exists in the corpus (no stale entries).
    for e in EXPECTED_FAILURES {
        assert!(
            gens.contains_key(&(real.join(e.0), e.1.to_string())),
            "stale expected failure {}/{}",
            e.0,
            e.1
        );
    }
}

#[test]
fn every_manifest_negative_test_is_accounted_for() {
    let corpus = corpus_or_skip!();
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.md")).unwrap();
    let mut missing = Vec::new();
    for line in manifest.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").map(str::trim).collect();
        // The last column is the oracle strength.
        if !cells.last().is_some_and(|s| s.contains("negative-test") || s.contains("negative test"))
        {
            continue;
        }
        let (Some(dir), Some(generation)) = (cells.first(), cells.get(1)) else { continue };
        let version = generation.split('-').next().unwrap_or("");
        if !is_3x(version) {
            continue;
        }
        let prefix = format!("{generation}-");
        let listed = EXPECTED_FAILURES.iter().any(|e| e.0 == *dir && e.1 == prefix)
            || NEGATIVE_ONLY_ELSEWHERE.iter().any(|e| e.0 == *dir);
        if !listed {
            missing.push(format!("{dir} {generation}"));
        }
    }
    assert!(missing.is_empty(), "negative tests with no expected outcome:\n{}", missing.join("\n"));
}
