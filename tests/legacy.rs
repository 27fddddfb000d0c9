//! Pre-3.0 SSTables (`ka` = Cassandra 2.1, `la` = 2.2) read with their
//! table's schema, checked against the oracles of ScyllaDB's
//! `sstable_mutation_test.cc`: overlapping and nested range tombstones
//! (`tombstone_overlap`, sstable2json quoted in the test) and three
//! generations of collections, statics, TTLs and deletions merged
//! (`complex`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};

use casscade::ErrorKind;
use casscade::pipeline::export::{ExportRequest, export};
use casscade::pipeline::schema_check::open_sstable;
use casscade::schema::Schema;
use casscade::sstable::clustering::BoundKind;
use casscade::sstable::content::{CellKind, Item, Partition, read_partitions};

const OVERLAP_SCHEMA: &str = "
CREATE TABLE try1.tab (pk text, ck1 text, ck2 text, data text, PRIMARY KEY (pk, ck1, ck2));
CREATE TABLE try1.tab2 (pk text, ck1 text, ck2 text, ck3 text, data text, PRIMARY KEY (pk, ck1, ck2, ck3));";

/// sstable_test.hh L142-163 (the test types every column as blob).
const COMPLEX_SCHEMA: &str = "CREATE TABLE tests.complex_schema (key blob, clust1 blob, \
    clust2 blob, reg_set set<blob>, reg_list list<blob>, reg_map map<blob,blob>, \
    reg_fset frozen<set<blob>>, reg blob, static_obj blob static, \
    static_collection set<blob> static, PRIMARY KEY (key, clust1, clust2));";

fn sstables(corpus: &Path, dir: &str) -> PathBuf {
    common::real(corpus, &format!("scylladb/test/resource/sstables/{dir}"))
}

fn partitions(data: &Path, schema: &str) -> Vec<Partition> {
    let schema = Schema::parse(schema).unwrap();
    let t = open_sstable(data, Some(&schema)).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    read_partitions(&mut t.reader().unwrap()).unwrap_or_else(|e| panic!("{}: {e}", data.display()))
}

/// An item as (marker kind or "row", clustering, deletion timestamp,
/// opened deletion timestamp).
type Shape = (Option<BoundKind>, Vec<String>, i64, Option<i64>);

fn shapes(p: &Partition) -> Vec<Shape> {
    let text = |v: &[Option<Vec<u8>>]| {
        v.iter().map(|x| String::from_utf8(x.clone().unwrap()).unwrap()).collect::<Vec<_>>()
    };
    p.items
        .iter()
        .map(|i| match i {
            Item::Marker(m) => (
                Some(m.kind),
                text(&m.clustering),
                m.deletion.marked_for_delete_at,
                m.open.map(|d| d.marked_for_delete_at),
            ),
            Item::Row(r) => {
                (None, text(&r.clustering), r.deletion.unwrap().marked_for_delete_at, None)
            }
        })
        .collect()
}

fn ck(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn overlapping_range_tombstones_as_the_oracle_states() {
    use BoundKind::*;
    let corpus = corpus_or_skip!();
    let dir = sstables(&corpus, "tombstone_overlap");
    // L500-556: [aaa, (aaa,bbb)) and ((aaa,bbb), aaa] @…228103 around the
    // row (aaa,bbb) deleted @…244989; ldt 1459334681 (sstable2json).
    let p = partitions(&dir.join("try1-tab-ka-1-Data.db"), OVERLAP_SCHEMA);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].key, b"pk");
    let (a, r) = (1_459_334_681_228_103, 1_459_334_681_244_989);
    assert_eq!(
        shapes(&p[0]),
        vec![
            (Some(InclStart), ck(&["aaa"]), a, None),
            (Some(ExclEnd), ck(&["aaa", "bbb"]), a, None),
            (None, ck(&["aaa", "bbb"]), r, None),
            (Some(ExclStart), ck(&["aaa", "bbb"]), a, None),
            (Some(InclEnd), ck(&["aaa"]), a, None),
        ]
    );
    for i in &p[0].items {
        let d = match i {
            Item::Marker(m) => m.deletion,
            Item::Row(r) => r.deletion.unwrap(),
        };
        assert_eq!(d.local_deletion_time, 1_459_334_681);
    }
    // L558-612: four adjacent pieces with one deletion are one range.
    let p = partitions(&dir.join("try1-tab-ka-4-Data.db"), OVERLAP_SCHEMA);
    assert_eq!(
        shapes(&p[0]),
        vec![(Some(InclStart), ck(&["aaa"]), a, None), (Some(InclEnd), ck(&["aaa"]), a, None)]
    );
    // L640-686: nested deletions of ck1, (ck1, ck2) and one row.
    let p = partitions(&dir.join("try1-tab2-ka-3-Data.db"), OVERLAP_SCHEMA);
    let (o, m, r) = (1_459_438_519_943_668, 1_459_438_519_950_348, 1_459_438_519_958_850);
    assert_eq!(
        shapes(&p[0]),
        vec![
            (Some(InclStart), ck(&["aaa"]), o, None),
            (Some(ExclEndInclStart), ck(&["aaa", "bbb"]), o, Some(m)),
            (Some(ExclEnd), ck(&["aaa", "bbb", "ccc"]), m, None),
            (None, ck(&["aaa", "bbb", "ccc"]), r, None),
            (Some(ExclStart), ck(&["aaa", "bbb", "ccc"]), m, None),
            (Some(InclEndExclStart), ck(&["aaa", "bbb"]), m, Some(o)),
            (Some(InclEnd), ck(&["aaa"]), o, None),
        ]
    );
}

fn export_lines(inputs: &[PathBuf], schema: &str, table: Option<&str>, now: i64) -> Vec<String> {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = common::scratch_dir(&format!("legacy-export-{n}"));
    let req = ExportRequest {
        inputs: inputs.to_vec(),
        out: out.clone(),
        schema: Some(Schema::parse(schema).unwrap()),
        table: table.map(str::to_string),
        now,
        jobs: 1,
        ..ExportRequest::default()
    };
    let report = export(&req, &mut ()).unwrap();
    let lines = common::dataset_text(&report.dir).lines().map(str::to_string).collect();
    std::fs::remove_dir_all(&out).unwrap();
    lines
}

#[test]
fn overlapping_tombstones_of_two_generations_leave_no_row() {
    let corpus = corpus_or_skip!();
    let dir = sstables(&corpus, "tombstone_overlap");
    // Generations 1 and 4 of try1.tab hold only deletions.
    let rows = export_lines(&[dir], OVERLAP_SCHEMA, Some("try1.tab"), 1_600_000_000);
    assert!(rows.is_empty(), "{rows:?}");
}

fn hex(s: &str) -> String {
    format!("\"0x{}\"", s.bytes().map(|b| format!("{b:02x}")).collect::<String>())
}

#[test]
fn complex_generations_read_as_the_oracle_states() {
    let corpus = corpus_or_skip!();
    let dir = sstables(&corpus, "complex");
    // Generation 1, L142-200: key1's row (cl1.1, cl2.1) has reg_set with a
    // collection tombstone at 1431451390209521 (ldt 1431451390).
    let g1 = partitions(&dir.join("la-1-big-Data.db"), COMPLEX_SCHEMA);
    let key1 = g1.iter().find(|p| p.key == b"key1").unwrap();
    let Item::Row(row) = &key1.items[0] else { panic!("a row first") };
    assert_eq!(row.clustering, [Some(b"cl1.1".to_vec()), Some(b"cl2.1".to_vec())]);
    let set =
        row.columns.iter().find(|c| !c.cells.is_empty() && c.cells[0].path.is_some()).unwrap();
    let d = set.complex_deletion.unwrap();
    assert_eq!(
        (d.marked_for_delete_at, d.local_deletion_time),
        (1_431_451_390_209_521, 1_431_451_390)
    );
    let elems: Vec<&[u8]> = set.cells.iter().map(|c| c.path.as_deref().unwrap()).collect();
    assert_eq!(elems, [b"1", b"2"]);
    // Generation 2, L201-260: key3's static cell and row, TTL 86400,
    // written at 1431451394597062, expiring at 1431537794.
    let g2 = partitions(&dir.join("la-2-big-Data.db"), COMPLEX_SCHEMA);
    let key3 = g2.iter().find(|p| p.key == b"key3").unwrap();
    let st = key3.static_row.as_ref().unwrap();
    let cell = &st.columns[0].cells[0];
    assert_eq!(cell.value, b"static_value_3");
    assert_eq!(cell.timestamp, 1_431_451_394_597_062);
    assert_eq!(cell.kind, CellKind::Expiring { ttl: 86_400, local_expiration_time: 1_431_537_794 });
    let Item::Row(row) = &key3.items[0] else { panic!("a row") };
    let l = row.liveness.unwrap();
    assert_eq!(l.timestamp, 1_431_451_394_597_062);
    assert_eq!(
        l.expiration.map(|e| (e.ttl, e.local_expiration_time)),
        Some((86_400, 1_431_537_794))
    );
    // key1's range tombstone covers clust1 = 'cl1.1' at 1431451394600754.
    let key1 = g2.iter().find(|p| p.key == b"key1").unwrap();
    let Item::Marker(m) = &key1.items[0] else { panic!("a marker first") };
    assert_eq!(
        (m.kind, m.clustering.clone()),
        (BoundKind::InclStart, vec![Some(b"cl1.1".to_vec())])
    );
    assert_eq!(m.deletion.marked_for_delete_at, 1_431_451_394_600_754);
}

#[test]
fn complex_generations_merge_as_cassandra_would() {
    let corpus = corpus_or_skip!();
    let dir = sstables(&corpus, "complex");
    // The merged result of EXPECTED.md (L98-124's CQL history), in
    // Murmur3 order key1, key3, key2; columns as the dataset lists them.
    let row = |key: &str, c1: &str, c2: &str, rest: &str| {
        format!(
            "{{\"key\": {}, \"clust1\": {}, \"clust2\": {}, {rest}}}",
            hex(key),
            hex(c1),
            hex(c2)
        )
    };
    let key1 = row(
        "key1",
        "cl1.2",
        "cl2.2",
        &format!(
            "\"static_collection\": null, \"static_obj\": {}, \"reg\": {}, \"reg_fset\": null, \
             \"reg_list\": [{}, {}], \"reg_map\": null, \"reg_set\": [{}]",
            hex("static_value"),
            hex("v2"),
            hex("1"),
            hex("6"),
            hex("6")
        ),
    );
    let key3 = row(
        "key3",
        "tcl1.1",
        "tcl2.1",
        &format!(
            "\"static_collection\": null, \"static_obj\": {}, \"reg\": {}, \"reg_fset\": null, \
             \"reg_list\": null, \"reg_map\": null, \"reg_set\": null",
            hex("static_value_3"),
            hex("v5")
        ),
    );
    let key2_statics = format!(
        "\"static_collection\": [{}, {}, {}], \"static_obj\": {}",
        hex("2"),
        hex("3"),
        hex("4"),
        hex("final_static")
    );
    let key2a = row(
        "key2",
        "kcl1.1",
        "kcl2.1",
        &format!(
            "{key2_statics}, \"reg\": {}, \"reg_fset\": null, \"reg_list\": null, \
             \"reg_map\": {{{}: {}, {}: {}}}, \"reg_set\": null",
            hex("v3"),
            hex("4"),
            hex("2"),
            hex("6"),
            hex("1")
        ),
    );
    let key2b = row(
        "key2",
        "kcl1.2",
        "kcl2.2",
        &format!(
            "{key2_statics}, \"reg\": null, \"reg_fset\": null, \"reg_list\": null, \
             \"reg_map\": null, \"reg_set\": null"
        ),
    );
    // Before key3's TTL runs out, and after.
    let before = export_lines(std::slice::from_ref(&dir), COMPLEX_SCHEMA, None, 1_431_537_793);
    assert_eq!(before, [key1.clone(), key3, key2a.clone(), key2b.clone()]);
    let after = export_lines(&[dir], COMPLEX_SCHEMA, None, 1_431_537_794);
    assert_eq!(after, [key1, key2a, key2b]);
}

#[test]
fn legacy_sstables_need_a_schema_and_compact_storage_is_refused() {
    let corpus = corpus_or_skip!();
    let dir = sstables(&corpus, "complex");
    let e = open_sstable(&dir.join("la-1-big-Data.db"), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Schema);
    assert!(e.to_string().contains("'la'") && e.to_string().contains("--schema"), "{e}");
    let compact = common::real(
        &corpus,
        "cassandra-3.11/test/data/legacy-sstables/ka/legacy_tables/legacy_ka_simple_compact",
    );
    let schema = Schema::parse(
        "CREATE TABLE legacy_tables.legacy_ka_simple_compact (pk text PRIMARY KEY, val text) WITH COMPACT STORAGE;",
    )
    .unwrap();
    let data = std::fs::read_dir(&compact)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-Data.db"))
        .unwrap();
    let e = open_sstable(&data, Some(&schema)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("COMPACT STORAGE"), "{e}");
}

#[test]
fn damaged_legacy_files_fail_cleanly() {
    let corpus = corpus_or_skip!();
    let src = sstables(&corpus, "complex");
    let tmp = common::scratch_dir("legacy-damage");
    let schema = Schema::parse(COMPLEX_SCHEMA).unwrap();
    let data = std::fs::read(src.join("la-1-big-Data.db")).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with("la-1-")
            && !name.ends_with("Data.db")
            && !name.ends_with("CRC.db")
            && !name.ends_with("Digest.sha1")
        {
            std::fs::copy(&p, tmp.join(&name)).unwrap();
        }
    }
    // Every truncation is an error (the decoder meets a partition cut
    // short, or Digest.sha1's Adler-32 of the whole file disagrees).
    let target = tmp.join("la-1-big-Data.db");
    std::fs::copy(src.join("la-1-big-Digest.sha1"), tmp.join("la-1-big-Digest.sha1")).unwrap();
    for cut in 0..data.len() {
        std::fs::write(&target, &data[..cut]).unwrap();
        let t = open_sstable(&target, Some(&schema)).unwrap();
        let result = read_partitions(&mut t.reader().unwrap());
        assert!(result.is_err(), "truncated at {cut} read cleanly");
    }
    // Without any checksum, the decoder itself meets flipped bytes: an
    // error or a read, never a panic.
    std::fs::remove_file(tmp.join("la-1-big-Digest.sha1")).unwrap();
    for at in (0..data.len()).step_by(3) {
        let mut bad = data.clone();
        bad[at] ^= 0x5a;
        std::fs::write(&target, &bad).unwrap();
        if let Ok(t) = open_sstable(&target, Some(&schema))
            && let Ok(mut r) = t.reader()
        {
            let _ = read_partitions(&mut r);
        }
    }
    // With CRC.db, a flipped byte is a checksum error naming Adler-32.
    std::fs::copy(src.join("la-1-big-CRC.db"), tmp.join("la-1-big-CRC.db")).unwrap();
    let mut bad = data.clone();
    bad[40] ^= 1;
    std::fs::write(&target, &bad).unwrap();
    let t = open_sstable(&target, Some(&schema)).unwrap();
    let e = read_partitions(&mut t.reader().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Checksum, "{e}");
    assert!(e.to_string().contains("Adler-32"), "{e}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// LegacySSTableTest (3.11) tables of version `ka`, with the CQL each
/// test creates.
const KA_SCHEMA: &str = "
CREATE TABLE legacy_tables.legacy_ka_14766 (pk int, ck int, value text, PRIMARY KEY (pk, ck));
CREATE TABLE legacy_tables.legacy_ka_14803 (k int, c int, v1 blob, v2 blob, PRIMARY KEY (k, c));
CREATE TABLE legacy_tables.legacy_ka_14873 (pkc int, cc int, sc int static, rc text, PRIMARY KEY (pkc, cc)) WITH CLUSTERING ORDER BY (cc DESC);
CREATE TABLE legacy_tables.legacy_ka_14912 (k int PRIMARY KEY, v1 set<text>, v2 text);
CREATE TABLE legacy_tables.legacy_ka_15081 (id int primary key, payload text);
CREATE TABLE legacy_tables.legacy_ka_flushed_multi_block_rt (k int, c1 int, c2 int, v1 blob, v2 blob, PRIMARY KEY (k, c1, c2));
CREATE TABLE legacy_tables.legacy_ka_compacted_multi_block_rt (k int, c1 int, c2 int, v1 blob, v2 blob, PRIMARY KEY (k, c1, c2));
CREATE TABLE legacy_tables.legacy_ka_indexed (p int, c int, v1 int, v2 int, PRIMARY KEY(p, c));
CREATE TABLE legacy_tables.legacy_ka_indexed_static (p int, c int, v1 int, v2 int, s1 int static, s2 int static, PRIMARY KEY(p, c));
CREATE TABLE legacy_tables.legacy_ka_with_illegal_cell_names (pk int, c1 text, c2 text, v1 text, PRIMARY KEY(pk, c1, c2));
CREATE TABLE legacy_tables.legacy_ka_with_illegal_cell_names_2 (pk int, c1 text, c2 text, v1 text, PRIMARY KEY(pk, c1, c2));
CREATE TABLE legacy_tables.legacy_ka_with_illegal_cell_names_indexed (a text, b text, z text, c text, PRIMARY KEY(a, b, z));";

fn ka_table(corpus: &Path, t: &str) -> PathBuf {
    common::real(
        corpus,
        &format!("cassandra-3.11/test/data/legacy-sstables/ka/legacy_tables/legacy_ka_{t}"),
    )
}

fn ka_rows(corpus: &Path, t: &str) -> Vec<serde_json::Value> {
    export_lines(&[ka_table(corpus, t)], KA_SCHEMA, None, 1_600_000_000)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ka_tables_read_as_legacy_sstable_test_states() {
    let corpus = corpus_or_skip!();
    // L439-448: exactly (1, 'hello world'); the file also holds a cell of
    // an unknown column 'paylo!d', which Cassandra skips.
    assert_eq!(
        export_lines(&[ka_table(&corpus, "15081")], KA_SCHEMA, None, 1_600_000_000),
        [r#"{"id": 1, "payload": "hello world"}"#]
    );
    // L450-487: cells named after key columns are ignored, yet the second
    // SSTable's only (illegal) cell keeps row 3 alive.
    assert_eq!(
        export_lines(
            &[ka_table(&corpus, "with_illegal_cell_names")],
            KA_SCHEMA,
            None,
            1_600_000_000
        ),
        [
            r#"{"pk": 1, "c1": "a", "c2": "aa", "v1": "aaa"}"#,
            r#"{"pk": 2, "c1": "b", "c2": "bb", "v1": "bbb"}"#,
            r#"{"pk": 3, "c1": "a", "c2": "aa", "v1": null}"#,
        ]
    );
    // L489-545: the row marker (ts 100) is the liveness, not the illegal
    // cell (ts 200).
    let dir = ka_table(&corpus, "with_illegal_cell_names_2");
    let data = dir.join("legacy_tables-legacy_ka_with_illegal_cell_names_2-ka-1-Data.db");
    let p = partitions(&data, KA_SCHEMA);
    let Item::Row(row) = &p[0].items[0] else { panic!("a row") };
    assert_eq!(row.liveness.unwrap().timestamp, 100);
    assert!(row.columns.is_empty());
    // L547-605: 11 rows, cells across index-block edges.
    assert_eq!(ka_rows(&corpus, "with_illegal_cell_names_indexed").len(), 11);
    // L188-226: 5000 rows in one indexed partition, with and without statics.
    for t in ["indexed", "indexed_static"] {
        let rows = ka_rows(&corpus, t);
        assert_eq!(rows.len(), 5000, "{t}");
        assert!(rows.iter().all(|r| r["p"] == 1), "{t}");
    }
    // L228-251: pk=0 has 4 rows.
    assert_eq!(ka_rows(&corpus, "14766").len(), 4);
    // L253-271 and L311-335: k=100 is not empty.
    for t in ["14803", "flushed_multi_block_rt", "compacted_multi_block_rt"] {
        let rows = ka_rows(&corpus, t);
        assert!(!rows.is_empty() && rows.iter().all(|r| r["k"] == 100), "{t}: {rows:?}");
    }
    // L273-309: static sc = 0; rows cc = 5..1 (DESC), rc the digit 256 times.
    let rows = ka_rows(&corpus, "14873");
    assert_eq!(rows.len(), 5);
    for (row, cc) in rows.iter().zip((1..=5).rev()) {
        assert_eq!(
            (row["pkc"].clone(), row["cc"].clone(), row["sc"].clone()),
            (0.into(), cc.into(), 0.into())
        );
        assert_eq!(row["rc"], cc.to_string().repeat(256));
    }
}

#[test]
fn a_stale_digest_is_refused_and_the_data_reads_without_it() {
    let corpus = corpus_or_skip!();
    // legacy_ka_14912 was edited after it was written (CASSANDRA-14912's
    // hand-made collection tombstones): its Digest.sha1 no longer matches.
    let dir = ka_table(&corpus, "14912");
    let data = dir.join("legacy_tables-legacy_ka_14912-ka-1-Data.db");
    let schema = Schema::parse(KA_SCHEMA).unwrap();
    let t = open_sstable(&data, Some(&schema)).unwrap();
    let e = read_partitions(&mut t.reader().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Checksum, "{e}");
    assert!(e.to_string().contains("Digest.sha1"), "{e}");
    let copy = common::scratch_dir("legacy-14912");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if !p.to_string_lossy().ends_with("Digest.sha1") {
            std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
        }
    }
    // L375-437: k=0 holds only a collection tombstone for v1; k=1 {'abc'}.
    let rows = export_lines(
        std::slice::from_ref(&copy),
        KA_SCHEMA,
        Some("legacy_tables.legacy_ka_14912"),
        1_600_000_000,
    );
    assert_eq!(
        rows,
        [r#"{"k": 0, "v1": null, "v2": "abc"}"#, r#"{"k": 1, "v1": ["abc"], "v2": "abc"}"#]
    );
    std::fs::remove_dir_all(&copy).unwrap();
}
