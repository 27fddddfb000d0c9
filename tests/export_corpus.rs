//! `casscade export` on real SSTables whose merged content the fixtures'
//! oracles state: multi-SSTable merges with row and cell deletions,
//! counters with local and remote shards, a UUID-generation union,
//! Cassandra's legacy tables of every version, TTLs that overflowed (read
//! as expired, as Cassandra does), and corrupt tombstones (refused).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};

use casscade::ErrorKind;
use casscade::pipeline::export::{ExportReport, ExportRequest, export};
use casscade::schema::Schema;

fn run(
    inputs: &[PathBuf],
    schema: Option<&str>,
    table: Option<&str>,
    name: &str,
) -> (ExportReport, Vec<String>) {
    let out = common::scratch_dir(&format!("export-{name}"));
    let req = ExportRequest {
        inputs: inputs.to_vec(),
        out: out.clone(),
        schema: schema.map(|s| Schema::parse(s).unwrap()),
        table: table.map(str::to_string),
        now: 1_600_000_000,
        ..ExportRequest::default()
    };
    let report = export(&req, &mut ()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let lines = common::dataset_text(&report.dir).lines().map(str::to_string).collect();
    std::fs::remove_dir_all(&out).unwrap();
    (report, lines)
}

fn s3x(corpus: &Path, t: &str) -> PathBuf {
    common::real(corpus, &format!("scylladb/test/resource/sstables/3.x/uncompressed/{t}"))
}

#[test]
fn merges_with_row_and_cell_deletions() {
    let corpus = corpus_or_skip!();
    // sstable_3_x_test.cc L3018-3088: INSERT rc1; flush; DELETE row; INSERT rc2; flush.
    let schema = "CREATE TABLE test_deleted_row (pk text, ck text, rc1 text, rc2 text, PRIMARY KEY (pk, ck));";
    let (r, rows) = run(&[s3x(&corpus, "compact_deleted_row")], Some(schema), None, "deleted-row");
    assert_eq!(rows, [r#"{"pk": "key", "ck": "ck", "rc1": null, "rc2": "rc2"}"#]);
    assert_eq!(r.sstables, 2);
    assert_eq!(r.merge.shadowed, 1, "rc1 is shadowed by the row deletion: {:?}", r.merge);
    // L3089-3156: INSERT rc; flush; DELETE rc; flush.
    let schema =
        "CREATE TABLE compact_deleted_cell (pk text, ck text, rc text, PRIMARY KEY (pk, ck));";
    let (_, rows) =
        run(&[s3x(&corpus, "compact_deleted_cell")], Some(schema), None, "deleted-cell");
    assert_eq!(rows, [r#"{"pk": "key", "ck": "ck", "rc": null}"#]);
}

#[test]
fn counters_with_local_and_remote_shards() {
    let corpus = corpus_or_skip!();
    // sstable_datafile_test.cc L748-840: SELECT -> (0, 0, 13, -92).
    let dir = common::real(
        &corpus,
        "scylladb/test/resource/sstables/counter_test/ks/counter_test-1c6ace40fad111e7b9cf000000000002",
    );
    let schema = "CREATE TABLE ks.counter_test (pk int, ck int, c1 counter, c2 counter, PRIMARY KEY (pk, ck));";
    for v in ["mc", "md", "me", "ms", "mt"] {
        let (_, rows) = run(
            &[dir.join(format!("{v}-5-big-Data.db"))],
            Some(schema),
            None,
            &format!("counter-{v}"),
        );
        assert_eq!(rows, [r#"{"pk": 0, "ck": 0, "c1": 13, "c2": -92}"#], "{v}");
    }
}

#[test]
fn union_of_generations_in_token_order() {
    let corpus = corpus_or_skip!();
    // cql_query_test.cc L6319-6357: {(0,0),(1,1),(2,2)}; Murmur3 orders 1, 0, 2.
    let dir = common::real(&corpus, "scylladb/test/resource/sstables/mixed_generation_type");
    let (r, rows) =
        run(&[dir], Some("CREATE TABLE ks.test (k int PRIMARY KEY, v int);"), None, "mixed");
    assert_eq!(rows, [r#"{"k": 1, "v": 1}"#, r#"{"k": 0, "v": 0}"#, r#"{"k": 2, "v": 2}"#]);
    assert_eq!(r.sstables, 3);
}

/// Clustering keys of LegacySSTableTest, in byte order.
fn legacy_clusterings() -> Vec<String> {
    let long = "0123456789".repeat(120);
    let mut cks: Vec<String> = (0..50).map(|i| format!("{i}{long}")).collect();
    cks.sort();
    cks
}

/// LegacySSTableTest's four tables of version `v` in `dir(table)`: five
/// partitions (ByteOrderedPartitioner: keys in byte order) of one row or 50
/// rows, text or counter values. Key columns are named `pk`/`ck` when
/// `schema` is given (required before 3.0), else from the header.
fn check_legacy_tables(v: &str, dir: &dyn Fn(&str) -> PathBuf, schema: Option<&str>) {
    let cks = legacy_clusterings();
    let (pk, ck) = if schema.is_some() { ("pk", "ck") } else { ("pk0", "ck0") };
    let (_, rows) = run(&[dir("simple")], schema, None, &format!("leg-{v}-simple"));
    let want: Vec<String> =
        (0..5).map(|k| format!(r#"{{"{pk}": "{k}", "val": "foo bar baz"}}"#)).collect();
    assert_eq!(rows, want, "{v} simple");
    let (_, rows) = run(&[dir("simple_counter")], schema, None, &format!("leg-{v}-sc"));
    let want: Vec<String> = (0..5).map(|k| format!(r#"{{"{pk}": "{k}", "val": 1}}"#)).collect();
    assert_eq!(rows, want, "{v} simple_counter");
    let (_, rows) = run(&[dir("clust_counter")], schema, None, &format!("leg-{v}-cc"));
    let want: Vec<String> = (0..5)
        .flat_map(|k| {
            cks.iter().map(move |c| format!(r#"{{"{pk}": "{k}", "{ck}": "{c}", "val": 1}}"#))
        })
        .collect();
    assert_eq!(rows, want, "{v} clust_counter");
    let (_, rows) = run(&[dir("clust")], schema, None, &format!("leg-{v}-clust"));
    assert_eq!(rows.len(), 250, "{v} clust");
    for (i, row) in rows.iter().enumerate() {
        let j: serde_json::Value = serde_json::from_str(row).unwrap();
        assert_eq!(j[pk], (i / 50).to_string());
        assert_eq!(j[ck], cks[i % 50]);
        let val = j["val"].as_str().unwrap();
        assert!(val.len() == 128 && val.bytes().all(|b| b.is_ascii_lowercase()), "{v}: {val}");
    }
}

#[test]
fn legacy_tables_of_every_version() {
    let corpus = corpus_or_skip!();
    for v in ["ma", "mb", "mc", "md", "me", "na", "nb", "nc", "oa", "da"] {
        let dir = |t: &str| {
            common::real(
                &corpus,
                &format!(
                    "cassandra-trunk/test/data/legacy-sstables/{v}/legacy_tables/legacy_{v}_{t}"
                ),
            )
        };
        check_legacy_tables(v, &dir, None);
    }
    // 2.1 and 2.2 record no columns: LegacySSTableTest's CQL gives them.
    for v in ["ka", "la"] {
        let dir = |t: &str| {
            common::real(
                &corpus,
                &format!(
                    "cassandra-3.11/test/data/legacy-sstables/{v}/legacy_tables/legacy_{v}_{t}"
                ),
            )
        };
        let schema = format!(
            "CREATE TABLE legacy_tables.legacy_{v}_simple (pk text PRIMARY KEY, val text);
             CREATE TABLE legacy_tables.legacy_{v}_simple_counter (pk text PRIMARY KEY, val counter);
             CREATE TABLE legacy_tables.legacy_{v}_clust (pk text, ck text, val text, PRIMARY KEY (pk, ck));
             CREATE TABLE legacy_tables.legacy_{v}_clust_counter (pk text, ck text, val counter, PRIMARY KEY (pk, ck));"
        );
        check_legacy_tables(v, &dir, Some(&schema));
    }
}

#[test]
fn overflowed_ttls_read_as_expired_and_corrupt_tombstones_are_refused() {
    let corpus = corpus_or_skip!();
    // TTLTest (CASSANDRA-14092): a TTL of 20 years overflowed the local
    // expiration time to a negative int; Cassandra reads such data as
    // expired unless it is scrubbed with reinsert-overflowed-ttl.
    for t in ["table1", "table2", "table3", "table4"] {
        let dir = common::real(
            &corpus,
            &format!("cassandra-trunk/test/data/negative-local-expiration-test/{t}"),
        );
        let (r, rows) = run(&[dir], None, None, &format!("nle-{t}"));
        assert!(rows.is_empty(), "{t}: {rows:?}");
        assert!(r.merge.expired > 0, "{t}: {:?}", r.merge);
    }
    // CompactionsCQLTest: tombstones with a negative deletion time are corrupt.
    for t in
        ["invalid_partition_deletion", "invalid_range_tombstone_compaction", "invalid_tombstones"]
    {
        let dir = common::real(
            &corpus,
            &format!("cassandra-trunk/test/data/negative-ldts-invalid-deletions-test/{t}"),
        );
        let out = common::scratch_dir(&format!("nldt-{t}"));
        let req = ExportRequest {
            inputs: vec![dir],
            out: out.clone(),
            now: 1_600_000_000,
            ..ExportRequest::default()
        };
        let e = export(&req, &mut ()).expect_err(t);
        assert_eq!(e.kind(), ErrorKind::Corrupt, "{t}: {e}");
        assert!(e.to_string().contains("negative local deletion time"), "{t}: {e}");
        assert!(e.to_string().contains("Data.db"), "{t}: names the file: {e}");
        // Nothing was published.
        assert!(!out.join("CURRENT").exists());
        std::fs::remove_dir_all(&out).unwrap();
    }
}
