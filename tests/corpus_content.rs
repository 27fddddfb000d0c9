//! What the decoder reads from each oracle-backed fixture, asserted against
//! the oracle: the expected files under `fixtures/expected/` (written by
//! `scripts/expected/*.py` from the oracle tests, see fixtures/expected/README.md)
//! and programmatic checks for fixtures whose oracle is generative code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};

use common::{dump_json, real, strip_positions};
use serde_json::Value;

const SCYLLA_3X: &str = "scylladb/test/resource/sstables/3.x";

/// Exact structural match, where the expected string "?" matches anything.
/// Numbers compare by their text (serde_json's arbitrary_precision), so
/// `1.0E10` and `10000000000` differ, as Cassandra's renderings do.
fn check(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(s), _) if s == "?" => Ok(()),
        (Value::Object(e), Value::Object(a)) => {
            let mut ek: Vec<_> = e.keys().collect();
            let mut ak: Vec<_> = a.keys().collect();
            ek.sort();
            ak.sort();
            if ek != ak {
                return Err(format!("{path}: keys {ak:?}, expected {ek:?}"));
            }
            e.iter().try_for_each(|(k, v)| check(v, &a[k], &format!("{path}.{k}")))
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: {} elements, expected {}", a.len(), e.len()));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .try_for_each(|(i, (x, y))| check(x, y, &format!("{path}[{i}]")))
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: {actual}, expected {expected}")),
    }
}

fn expected_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn scylla_3x_fixtures_match_their_oracles() {
    let corpus = corpus_or_skip!();
    let expected_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/expected/scylla-3x");
    let files = expected_files(&expected_dir);
    assert!(files.len() >= 50, "only {} expected files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&expected_dir).unwrap().with_extension("");
        let fixture = real(&corpus, SCYLLA_3X).join(&rel);
        let expected: Vec<Value> = std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut actual = dump_json(&fixture, &[]);
        actual.iter_mut().for_each(strip_positions);
        let result = if expected.len() != actual.len() {
            Err(format!("{} partitions, expected {}", actual.len(), expected.len()))
        } else {
            expected
                .iter()
                .zip(&actual)
                .enumerate()
                .try_for_each(|(i, (e, a))| check(e, a, &format!("partition[{i}]")))
        };
        if let Err(e) = result {
            failures.push(format!("{}: {e}", rel.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ from their oracle:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

// ------------------------------------------------------------------------
// Cassandra's legacy tables: LegacySSTableTest.java writes the same content
// in every release (EXPECTED.md in legacy-sstables): keys '0'..'4' (stored in
// ByteOrderedPartitioner order), simple: val = 'foo bar baz'; counters: 1;
// clust: 50 rows ck = str(i) + LONG, one random 128-letter val per sstable.

const LEGACY_VERSIONS: &[&str] = &["ma", "mb", "mc", "md", "me", "na", "nb", "nc", "oa", "da"];
const COMPACT_VERSIONS: &[&str] = &["ma", "mb", "mc", "md", "me", "na"];

fn legacy_dir(corpus: &Path, v: &str, table: &str) -> PathBuf {
    real(
        corpus,
        &format!("cassandra-trunk/test/data/legacy-sstables/{v}/legacy_tables/legacy_{v}_{table}"),
    )
}

fn keys(parts: &[Value]) -> Vec<String> {
    parts.iter().map(|p| p["partition"]["key"][0].as_str().unwrap().to_string()).collect()
}

fn cells_of(row: &Value) -> &Vec<Value> {
    row["cells"].as_array().unwrap()
}

/// The clustering keys LegacySSTableTest writes, in unsigned byte order.
fn legacy_clusterings() -> Vec<String> {
    let long = "0123456789".repeat(120);
    let mut cks: Vec<String> = (0..50).map(|i| format!("{i}{long}")).collect();
    cks.sort();
    cks
}

#[test]
fn cassandra_legacy_tables_of_every_version() {
    let corpus = corpus_or_skip!();
    let five: Vec<String> = (0..5).map(|i| i.to_string()).collect();
    let cks = legacy_clusterings();
    for &v in LEGACY_VERSIONS {
        let ctx = |t: &str| format!("legacy_{v}_{t}");
        // simple
        let p = dump_json(&legacy_dir(&corpus, v, "simple"), &[]);
        assert_eq!(keys(&p), five, "{}", ctx("simple"));
        for part in &p {
            let rows = part["rows"].as_array().unwrap();
            assert_eq!(rows.len(), 1, "{}", ctx("simple"));
            assert!(
                rows[0]["liveness_info"]["tstamp"].is_string()
                    && rows[0].get("clustering").is_none()
            );
            assert_eq!(
                cells_of(&rows[0]),
                &vec![serde_json::json!({"name": "val", "value": "foo bar baz"})],
                "{}",
                ctx("simple")
            );
        }
        // simple_counter: one increment per key, no row marker
        let p = dump_json(&legacy_dir(&corpus, v, "simple_counter"), &[]);
        assert_eq!(keys(&p), five, "{}", ctx("simple_counter"));
        for part in &p {
            let row = &part["rows"][0];
            assert!(row.get("liveness_info").is_none());
            let c = &cells_of(row)[0];
            assert_eq!(
                (c["name"].as_str(), c["value"].to_string()),
                (Some("val"), "1".to_string()),
                "{}",
                ctx("simple_counter")
            );
        }
        // clust and clust_counter: 5 x 50 rows in clustering byte order
        for table in ["clust", "clust_counter"] {
            let p = dump_json(&legacy_dir(&corpus, v, table), &[]);
            assert_eq!(keys(&p), five, "{}", ctx(table));
            let mut vals = std::collections::BTreeSet::new();
            for part in &p {
                let rows = part["rows"].as_array().unwrap();
                let got: Vec<&str> =
                    rows.iter().map(|r| r["clustering"][0].as_str().unwrap()).collect();
                assert_eq!(
                    got,
                    cks.iter().map(String::as_str).collect::<Vec<_>>(),
                    "{}",
                    ctx(table)
                );
                for r in rows {
                    let c = &cells_of(r)[0];
                    if table == "clust" {
                        let s = c["value"].as_str().unwrap();
                        assert!(
                            s.len() == 128 && s.bytes().all(|b| b.is_ascii_lowercase()),
                            "{}: {s}",
                            ctx(table)
                        );
                        vals.insert(s.to_string());
                    } else {
                        assert_eq!(c["value"].to_string(), "1", "{}", ctx(table));
                    }
                }
            }
            if table == "clust" {
                assert_eq!(vals.len(), 1, "{}: one random value per sstable", ctx(table));
            }
        }
    }
    // COMPACT STORAGE variants (3.0 to pre-release 4.0).
    for &v in COMPACT_VERSIONS {
        // Static compact: the value lives in the static row.
        let p = dump_json(&legacy_dir(&corpus, v, "simple_compact"), &[]);
        assert_eq!(keys(&p), five);
        for part in &p {
            let rows = part["rows"].as_array().unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0]["type"], "static_block", "legacy_{v}_simple_compact");
            assert_eq!(cells_of(&rows[0])[0]["value"], "foo bar baz");
        }
        let p = dump_json(&legacy_dir(&corpus, v, "simple_counter_compact"), &[]);
        assert_eq!(keys(&p), five);
        assert!(p.iter().all(|part| cells_of(&part["rows"][0])[0]["value"].as_i64() == Some(1)));
        for table in ["clust_compact", "clust_counter_compact"] {
            let p = dump_json(&legacy_dir(&corpus, v, table), &[]);
            assert_eq!(keys(&p), five, "legacy_{v}_{table}");
            for part in &p {
                let rows = part["rows"].as_array().unwrap();
                let got: Vec<&str> =
                    rows.iter().map(|r| r["clustering"][0].as_str().unwrap()).collect();
                assert_eq!(got.len(), 50, "legacy_{v}_{table}");
                assert_eq!(
                    got,
                    cks.iter().map(String::as_str).collect::<Vec<_>>(),
                    "legacy_{v}_{table}"
                );
                // Dense compact rows carry no primary-key liveness.
                assert!(
                    rows.iter().all(|r| r.get("liveness_info").is_none()),
                    "legacy_{v}_{table}"
                );
            }
        }
    }
}

#[test]
fn cassandra_legacy_inaccurate_min_max() {
    // LegacySSTableTest L318-337: INSERT (100,4,4,4,4); DELETE WHERE k=100 AND c1 < 3.
    let corpus = corpus_or_skip!();
    let p = dump_json(&legacy_dir(&corpus, "mc", "inaccurate_min_max"), &[]);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["partition"]["key"][0], "100");
    let rows = p[0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["type"], "range_tombstone_bound");
    assert_eq!(rows[0]["start"]["type"], "inclusive");
    assert!(rows[0]["start"].get("clustering").is_none(), "opens at the partition start");
    assert_eq!(rows[1]["end"]["type"], "exclusive");
    assert_eq!(rows[1]["end"]["clustering"], serde_json::json!([3, "*", "*"]));
    assert_eq!(rows[0]["start"]["deletion_info"], rows[1]["end"]["deletion_info"]);
    assert_eq!(rows[2]["clustering"], serde_json::json!([4, 4, 4]));
    assert_eq!(cells_of(&rows[2]), &vec![serde_json::json!({"name": "v", "value": 4})]);
}

// ------------------------------------------------------------------------
// ScyllaDB fixtures whose oracle is generative code (too large to list).

const WT: i64 = 1_525_385_507_816_568;
const WTP: i64 = 1_525_385_507;

fn s3x(corpus: &Path, rel: &str) -> PathBuf {
    real(corpus, &format!("{SCYLLA_3X}/{rel}"))
}

#[test]
fn write_many_partitions_live_and_deleted() {
    // test_write_many_partitions: keys 0..65535, with or without a
    // partition tombstone {write_timestamp, write_time_point}; no rows.
    let corpus = corpus_or_skip!();
    for (dir, deleted) in [
        ("uncompressed/write_many_live_partitions", false),
        ("uncompressed/write_many_deleted_partitions", true),
    ] {
        let p = dump_json(&s3x(&corpus, dir), &[]);
        assert_eq!(p.len(), 65536, "{dir}");
        let mut seen: Vec<i64> =
            p.iter().map(|x| x["partition"]["key"][0].as_str().unwrap().parse().unwrap()).collect();
        seen.sort();
        assert_eq!(seen, (0..65536).collect::<Vec<i64>>(), "{dir}: every key once");
        for x in &p {
            assert_eq!(x["rows"].as_array().unwrap().len(), 0, "{dir}");
            let d = x["partition"].get("deletion_info");
            if deleted {
                let d = d.unwrap();
                assert_eq!(
                    (d["marked_deleted"].as_str(), d["local_delete_time"].as_str()),
                    (Some(&*WT.to_string()), Some(&*WTP.to_string()))
                );
            } else {
                assert!(d.is_none(), "{dir}");
            }
        }
    }
}

#[test]
fn write_many_range_tombstones() {
    // test_write_many_range_tombstones: pk 'key1'; for idx in 1000..1100 an
    // RT (base+2idx, base+2idx+1) exclusive, base = 650 'a'; ts WT, tp 1528226962.
    let corpus = corpus_or_skip!();
    let p = dump_json(&s3x(&corpus, "uncompressed/write_many_range_tombstones"), &[]);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["partition"]["key"][0], "key1");
    let rows = p[0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 200);
    let base = "a".repeat(650);
    let d =
        serde_json::json!({"marked_deleted": WT.to_string(), "local_delete_time": "1528226962"});
    for (i, idx) in (1000..1100).enumerate() {
        let (s, e) = (&rows[2 * i], &rows[2 * i + 1]);
        assert_eq!(
            s["start"],
            serde_json::json!({"type": "exclusive", "clustering": [format!("{base}{}", 2 * idx), "*"], "deletion_info": d})
        );
        assert_eq!(
            e["end"],
            serde_json::json!({"type": "exclusive", "clustering": [format!("{base}{}", 2 * idx + 1), "*"], "deletion_info": d})
        );
    }
}

#[test]
fn skip_using_index_rows() {
    // L337-405: pk 1: st 777 at ts WT, rows ck 0..1023 rc = 'b'*1024 + str(ck);
    // pk 2: st 999 and the same rows at ts WT+10.
    let corpus = corpus_or_skip!();
    let p = dump_json(&s3x(&corpus, "uncompressed/skip_using_index_rows"), &[]);
    assert_eq!(p.len(), 2);
    for part in &p {
        let pk = part["partition"]["key"][0].as_str().unwrap();
        let (st, ts) = match pk {
            "1" => (777, WT),
            "2" => (999, WT + 10),
            k => panic!("unexpected key {k}"),
        };
        let rows = part["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1025, "static + 1024 rows");
        assert_eq!(
            rows[0],
            serde_json::json!({"type": "static_block", "position": rows[0]["position"], "cells": [{"name": "st", "value": st, "tstamp": ts.to_string()}]})
        );
        for (ck, r) in rows[1..].iter().enumerate() {
            assert_eq!(r["clustering"], serde_json::json!([ck]));
            assert_eq!(r["liveness_info"]["tstamp"], ts.to_string());
            assert_eq!(cells_of(r)[0]["value"], format!("{}{ck}", "b".repeat(1024)));
        }
    }
}

/// Checks a partition of the filtering/slicing RT fixtures: rows (k, k, rc=k)
/// for k in `rows`, covered by RTs over ck1 in `rts` (inclusive ranges).
fn check_rows_and_rts(
    part: &Value,
    static_value: i64,
    rows: &[i64],
    rts: &[(i64, i64)],
    row_ts: i64,
    rt_ts: i64,
) {
    let items = part["rows"].as_array().unwrap();
    assert_eq!(items[0]["type"], "static_block");
    assert_eq!(cells_of(&items[0])[0]["value"].to_string(), static_value.to_string());
    let got_rows: Vec<i64> = items
        .iter()
        .filter(|r| r["type"] == "row")
        .map(|r| r["clustering"][0].as_i64().unwrap())
        .collect();
    assert_eq!(got_rows, rows);
    for r in items.iter().filter(|r| r["type"] == "row") {
        let k = r["clustering"][0].as_i64().unwrap();
        assert_eq!(r["clustering"], serde_json::json!([k, k]));
        assert_eq!(cells_of(r)[0]["value"].as_i64(), Some(k));
        assert_eq!(r["liveness_info"]["tstamp"], row_ts.to_string());
    }
    // Each RT [a, b] on ck1 appears as an inclusive start at (a) and an
    // inclusive end at (b), with the deletion's timestamp.
    let bounds: Vec<(&str, i64)> = items
        .iter()
        .filter(|r| r["type"] == "range_tombstone_bound")
        .map(|r| {
            let (side, b) =
                if r.get("start").is_some() { ("start", &r["start"]) } else { ("end", &r["end"]) };
            assert_eq!(b["type"], "inclusive");
            assert_eq!(b["deletion_info"]["marked_deleted"], rt_ts.to_string());
            assert_eq!(b["clustering"][1], "*");
            (side, b["clustering"][0].as_i64().unwrap())
        })
        .collect();
    let want: Vec<(&str, i64)> =
        rts.iter().flat_map(|&(a, b)| [("start", a), ("end", b)]).collect();
    assert_eq!(bounds, want);
}

#[test]
fn filtering_and_forwarding_range_tombstones() {
    // L601-652: for i in range(1, 131072, 3): row (i, i, rc=i), then
    // DELETE ck1 >= i+1 AND ck1 <= i+2; all at ts WT; static st 777 / 999.
    let corpus = corpus_or_skip!();
    let p = dump_json(&s3x(&corpus, "uncompressed/filtering_and_forwarding_range_tombstones"), &[]);
    assert_eq!(p.len(), 2);
    let rows: Vec<i64> = (1..131072).step_by(3).collect();
    let rts: Vec<(i64, i64)> = rows.iter().map(|&i| (i + 1, i + 2)).collect();
    for part in &p {
        let st = if part["partition"]["key"][0] == "1" { 777 } else { 999 };
        check_rows_and_rts(part, st, &rows, &rts, WT, WT);
    }
}

#[test]
fn slicing_interleaved_rows_and_rts() {
    // L898-943: DELETE ck1 in [i, i+4] at ts WT for i in range(1, 131072, 5),
    // rows (i+3, i+3, rc=i+3) at ts WT+10 (so they survive); static st 555.
    let corpus = corpus_or_skip!();
    let p = dump_json(&s3x(&corpus, "uncompressed/slicing_interleaved_rows_and_rts"), &[]);
    assert_eq!(p.len(), 1);
    let starts: Vec<i64> = (1..131072).step_by(5).collect();
    let rows: Vec<i64> = starts.iter().map(|i| i + 3).collect();
    let rts: Vec<(i64, i64)> = starts.iter().map(|&i| (i, i + 4)).collect();
    let items = p[0]["rows"].as_array().unwrap();
    // Markers and rows interleave: start(i), row(i+3), end(i+4).
    assert_eq!(items[1]["start"]["clustering"][0].as_i64(), Some(1));
    assert_eq!(items[2]["clustering"][0].as_i64(), Some(4));
    assert_eq!(items[3]["end"]["clustering"][0].as_i64(), Some(5));
    check_rows_and_rts(&p[0], 555, &rows, &rts, WT + 10, WT);
}

#[test]
fn zstd_multiple_chunks() {
    // L1746-1796: one partition val1=0, rows val2 = 1..2000, row markers only,
    // Zstd level 5 with 4 KiB chunks.
    let corpus = corpus_or_skip!();
    let p = dump_json(&s3x(&corpus, "zstd/multiple_chunks"), &[]);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["partition"]["key"][0], "0");
    let rows = p[0]["rows"].as_array().unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r["clustering"][0].as_i64().unwrap()).collect();
    assert_eq!(got, (1..=2000).collect::<Vec<_>>());
    assert!(
        rows.iter().all(|r| cells_of(r).is_empty() && r["liveness_info"]["tstamp"].is_string())
    );
}

#[test]
fn read_empty_index() {
    // L4547-4569: INSERT INTO empty_index (pk) VALUES ('привет').
    let corpus = corpus_or_skip!();
    let p = dump_json(&s3x(&corpus, "uncompressed/read_empty_index"), &[]);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["partition"]["key"], serde_json::json!(["привет"]));
    assert_eq!(cells_of(&p[0]["rows"][0]).len(), 0);
}

// ------------------------------------------------------------------------
// Cassandra negative-local-expiration fixtures (NLE/EXPECTED.md, TTLTest):
// every value written USING TTL 630720000 before CASSANDRA-14092, so its
// expiration overflowed int32 and is stored negative.

#[test]
fn negative_local_expiration_is_surfaced() {
    let corpus = corpus_or_skip!();
    for (t, has_set) in [("table1", false), ("table2", false), ("table3", true), ("table4", true)] {
        let dir =
            real(&corpus, &format!("cassandra-trunk/test/data/negative-local-expiration-test/{t}"));
        let p = dump_json(&dir, &[]);
        assert_eq!(keys(&p).iter().map(String::as_str).collect::<Vec<_>>(), ["1", "2"], "{t}");
        let mut expiring = 0;
        let mut check = |o: &Value| {
            if let Some(ttl) = o.get("ttl") {
                assert_eq!(ttl.to_string(), "630720000", "{t}");
                let exp: i64 = o["expires_at"].as_str().unwrap().parse().unwrap();
                assert!(
                    (-2_147_483_648..0).contains(&exp),
                    "{t}: expiration {exp} should be the overflowed negative value"
                );
                expiring += 1;
            }
        };
        for part in &p {
            for row in part["rows"].as_array().unwrap() {
                if let Some(l) = row.get("liveness_info") {
                    check(l);
                }
                cells_of(row).iter().for_each(&mut check);
            }
        }
        assert!(expiring >= 2, "{t}: expiring values found: {expiring}");
        // table1/2 write a=k for k=1,2; table3/4 sets {'vk1'..'vk4'}.
        let p1 = &p.iter().find(|x| x["partition"]["key"][0] == "1").unwrap()["rows"][0];
        if has_set {
            let elems: Vec<&str> = cells_of(p1)
                .iter()
                .filter_map(|c| c.get("path"))
                .map(|p| p[0].as_str().unwrap())
                .collect();
            assert_eq!(elems, ["v11", "v12", "v13", "v14"], "{t}");
        }
    }
}

// ------------------------------------------------------------------------
// Multi-SSTable and schema fixtures.

#[test]
fn counter_shards_of_counter_test() {
    // sstable_datafile_test.cc test_counter_read: c1 on (0,0) = 13 from two
    // shards [node1: 11, clock 2], [node2: 2, clock 1]; c2 = -92; (0,1) c1 deleted.
    use casscade::sstable::{SSTable, Unfiltered};
    let corpus = corpus_or_skip!();
    let dir = real(
        &corpus,
        "scylladb/test/resource/sstables/counter_test/ks/counter_test-1c6ace40fad111e7b9cf000000000002",
    );
    for v in ["mc", "md", "me", "ms", "mt"] {
        let t = SSTable::open(&dir.join(format!("{v}-5-big-Data.db"))).unwrap();
        let mut r = t.reader().unwrap();
        r.next_partition().unwrap().unwrap();
        let Some(Unfiltered::Row(row)) = r.next_unfiltered().unwrap() else {
            panic!("{v}: no row")
        };
        let c1 = row.columns().find(|c| c.def.name == "c1").unwrap().cells().next().unwrap();
        let ctx = c1.value;
        let headers = i16::from_be_bytes([ctx[0], ctx[1]]).unsigned_abs() as usize;
        let shards: Vec<(String, i64, i64)> = ctx[2 + 2 * headers..]
            .chunks(32)
            .map(|s| {
                let id = casscade::output::cql_json::uuid_string(s[..16].try_into().unwrap());
                (
                    id,
                    i64::from_be_bytes(s[16..24].try_into().unwrap()),
                    i64::from_be_bytes(s[24..32].try_into().unwrap()),
                )
            })
            .collect();
        assert_eq!(
            shards,
            vec![
                ("8379ab99-4507-4ab1-805d-ac85a863092b".to_string(), 2, 11),
                ("b8a6c3f3-e222-433f-9ce9-de56a8466e07".to_string(), 1, 2)
            ],
            "{v}"
        );
        let p = dump_json(&dir.join(format!("{v}-5-big-Data.db")), &[]);
        let rows = p[0]["rows"].as_array().unwrap();
        assert_eq!(
            cells_of(&rows[0]).iter().map(|c| c["value"].to_string()).collect::<Vec<_>>(),
            ["13", "-92"],
            "{v}"
        );
        assert!(
            cells_of(&rows[1])[0].get("deletion_info").is_some(),
            "{v}: c1 of (0,1) is a tombstone"
        );
    }
}

#[test]
fn mixed_generation_type_union() {
    // cql_query_test.cc L6319-6357: me-3, me-5 and a UUID-id generation hold
    // exactly rows {(0,0), (1,1), (2,2)} between them.
    let corpus = corpus_or_skip!();
    let p = dump_json(&real(&corpus, "scylladb/test/resource/sstables/mixed_generation_type"), &[]);
    let mut rows: Vec<(String, String)> = p
        .iter()
        .map(|x| {
            (
                x["partition"]["key"][0].as_str().unwrap().to_string(),
                cells_of(&x["rows"][0])[0]["value"].to_string(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [("0", "0"), ("1", "1"), ("2", "2")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn incompatible_serialized_type_is_refused_with_the_oracle_schema() {
    // broken_sstable_test.cc: with val declared int, the header's text type is
    // "val definition in serialization header does not match schema".
    let corpus = corpus_or_skip!();
    let dir = real(&corpus, "scylladb/test/resource/sstables/incompatible_serialized_type");
    let schema =
        std::env::temp_dir().join(format!("casscade-incompatible-{}.cql", std::process::id()));
    std::fs::write(&schema, "CREATE TABLE test_ks.test_table (key1 text, key2 text, key3 text, val int, PRIMARY KEY (key1, key2, key3));").unwrap();
    let r =
        common::casscade(&["dump", "--schema", schema.to_str().unwrap(), dir.to_str().unwrap()]);
    std::fs::remove_file(&schema).unwrap();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("column val") && r.stderr.contains("text") && r.stderr.contains("int"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("mc-122-big-Data.db"), "names the file: {}", r.stderr);
    // The same file with the schema the data was written with is fine.
    let schema =
        std::env::temp_dir().join(format!("casscade-compatible-{}.cql", std::process::id()));
    std::fs::write(&schema, "CREATE TABLE test_ks.test_table (key1 text, key2 text, key3 text, val text, PRIMARY KEY (key1, key2, key3));").unwrap();
    let p = dump_json(&dir, &["--schema", schema.to_str().unwrap()]);
    std::fs::remove_file(&schema).unwrap();
    assert_eq!(p[0]["partition"]["key_columns"], serde_json::json!(["key1"]));
    assert_eq!(p[0]["partition"]["clustering_columns"], serde_json::json!(["key2", "key3"]));
}
