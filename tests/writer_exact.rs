//! The writer reproduces real files byte for byte: decoding a fixture and
//! writing its content back gives the same uncompressed Data.db. The
//! fixtures are the ones whose bytes their writers' own tests pin down
//! (ScyllaDB's `3.x/uncompressed/write_*`, whose tests compare against these
//! exact files) and Cassandra's legacy `mc`…`oa` tables.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::Path;

use casscade::sstable::SSTable;
use casscade::sstable::content::read_partitions;
use casscade::sstable::write::{DEFAULT_COLUMN_INDEX_SIZE, serialize_data};

/// Rewrites one fixture and returns a description of the first difference.
fn rewrite(path: &Path, column_index_size: u64) -> Result<(), String> {
    let t = SSTable::open(path).map_err(|e| e.to_string())?;
    let original = t.read_uncompressed_data().map_err(|e| e.to_string())?;
    let parts = read_partitions(&mut t.reader().unwrap()).map_err(|e| e.to_string())?;
    let (bytes, _) = serialize_data(t.header(), t.version(), &parts, column_index_size)
        .map_err(|e| e.to_string())?;
    if bytes == original {
        return Ok(());
    }
    let at = bytes
        .iter()
        .zip(&original)
        .position(|(a, b)| a != b)
        .unwrap_or(bytes.len().min(original.len()));
    let lo = at.saturating_sub(16);
    Err(format!(
        "{} bytes written vs {} in the file; first difference at {at}:\n  ours  {:02x?}\n  file  {:02x?}",
        bytes.len(),
        original.len(),
        &bytes[lo..(at + 16).min(bytes.len())],
        &original[lo..(at + 16).min(original.len())],
    ))
}

#[test]
fn scylla_write_fixtures_are_reproduced_exactly() {
    let corpus = corpus_or_skip!();
    let root = common::real(&corpus, "scylladb/test/resource/sstables/3.x/uncompressed");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("write_") {
            files.extend(common::data_files(&p));
        }
    }
    assert!(files.len() >= 33, "only {} write_* fixtures found", files.len());
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = rewrite(f, DEFAULT_COLUMN_INDEX_SIZE) {
            failures.push(format!("{}: {e}", f.strip_prefix(&root).unwrap().display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn cassandra_legacy_tables_are_reproduced_exactly() {
    let corpus = corpus_or_skip!();
    let mut files = Vec::new();
    for v in ["mc", "md", "me", "na", "nb", "oa"] {
        let dir = common::real(
            &corpus,
            &format!("cassandra-trunk/test/data/legacy-sstables/{v}/legacy_tables"),
        );
        files.extend(common::data_files(&dir));
    }
    assert!(files.len() >= 30, "only {} legacy tables found", files.len());
    let mut failures = Vec::new();
    for f in &files {
        // The legacy test lowered column_index_size to 4 KiB.
        if let Err(e) = rewrite(f, 4096) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Beyond the fixtures the writers' tests pin: every 3.0+ generation in the
/// corpus that reads cleanly (190 of them, Cassandra 3.0 to 5.0 and
/// ScyllaDB, compressed or not) is rewritten to its exact Data.db bytes.
#[test]
fn every_readable_corpus_generation_is_reproduced_exactly() {
    let corpus = corpus_or_skip!();
    let files = common::data_files(&corpus.join("real"));
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in &files {
        let Ok(t) = SSTable::open(f) else { continue };
        let Ok(original) = t.read_uncompressed_data() else { continue };
        if read_partitions(&mut t.reader().unwrap()).is_err() {
            continue;
        }
        drop(original);
        checked += 1;
        if let Err(e) = rewrite(f, DEFAULT_COLUMN_INDEX_SIZE) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(checked >= 180, "only {checked} readable generations");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The type strings the writer puts in serialization headers are the ones
/// Cassandra writes: every header type string of the corpus renders back
/// to itself, except ScyllaDB's deliberate imitation of the Cassandra 3.0
/// bug that left UDTs inside collections without `FrozenType`.
#[test]
fn header_type_strings_render_as_cassandra_writes_them() {
    use casscade::types::marshal::{
        parse_column_type, parse_type, render_column_type, render_type,
    };
    let corpus = corpus_or_skip!();
    let files = common::data_files(&corpus.join("real"));
    let (mut same, mut failures) = (0, Vec::new());
    for f in &files {
        let Ok(t) = SSTable::open(f) else { continue };
        let h = &t.statistics().header;
        let quirk = f.to_string_lossy().contains("legacy_udt_in_collection");
        let keys = h.clustering_types.iter().chain([&h.key_type]);
        let rendered_keys = keys.map(|s| (s.clone(), render_type(&parse_type(s).unwrap())));
        let columns = h.static_columns.iter().chain(&h.regular_columns);
        let rendered_columns =
            columns.map(|(_, s)| (s.clone(), render_column_type(&parse_column_type(s).unwrap())));
        for (s, r) in rendered_keys.chain(rendered_columns) {
            // Short class names (some ScyllaDB files) compare without the package.
            let short = |x: &str| x.replace("org.apache.cassandra.db.marshal.", "");
            if r == s || (!s.contains("org.apache") && short(&r) == s) {
                same += 1;
            } else if !quirk {
                failures.push(format!("{}: {s} rendered as {r}", f.display()));
            }
        }
    }
    assert!(same > 900, "only {same} type strings checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
