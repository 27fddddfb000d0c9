//! Exporting a generated backup gives exactly the generator's ground truth:
//! for every profile, the full snapshot plus the incrementals up to day D
//! of a multi-node RF=3 cluster, exported at that day's `--now`, equals
//! `truth/day-D/rows.jsonl` byte for byte. Also: a rerun publishes an
//! identical version made of hard links, and bad input mixes are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::Path;

use casscade::ErrorKind;
use casscade::generator::{GenRequest, Profile, generate};
use casscade::pipeline::export::{ExportRequest, export};
use casscade::schema::Schema;
use casscade::sstable::Compressor;

fn now_of(backup: &Path, day: u32) -> i64 {
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(backup.join(format!("truth/day-{day:02}/meta.json"))).unwrap(),
    )
    .unwrap();
    meta["now"].as_i64().unwrap()
}

fn export_days(backup: &Path, day: u32, out: &Path) -> casscade::pipeline::export::ExportReport {
    let mut inputs = vec![backup.join("snapshot")];
    inputs.extend((1..=day).map(|d| backup.join(format!("incremental/day-{d:02}"))));
    let req = ExportRequest {
        inputs,
        out: out.to_path_buf(),
        schema: Some(Schema::load(&backup.join("schema.cql")).unwrap()),
        now: now_of(backup, day),
        buckets: Some(8),
        ..ExportRequest::default()
    };
    export(&req, &mut ()).unwrap()
}

#[test]
fn every_profile_matches_the_generators_truth() {
    for (i, profile) in Profile::ALL.into_iter().enumerate() {
        let backup = common::scratch_dir(&format!("truth-gen-{}", profile.name()));
        std::fs::remove_dir(&backup).unwrap();
        let format = ["mc", "nb", "oa"][i % 3];
        generate(&GenRequest {
            out: backup.clone(),
            profile,
            seed: 100 + i as u64,
            nodes: 4,
            rf: 3,
            days: 3,
            partitions: 150,
            format: format.into(),
            compression: Some(Compressor::Lz4),
            ..GenRequest::default()
        })
        .unwrap();
        for day in [0, 1, 3] {
            let out = common::scratch_dir(&format!("truth-out-{}-{day}", profile.name()));
            let r = export_days(&backup, day, &out);
            let truth =
                std::fs::read_to_string(backup.join(format!("truth/day-{day:02}/rows.jsonl")))
                    .unwrap();
            assert!(!truth.is_empty(), "{} day {day}: empty truth", profile.name());
            let got = common::dataset_text(&r.dir);
            assert!(
                got == truth,
                "{} ({format}) day {day}: export differs from the truth",
                profile.name()
            );
            assert_eq!(r.rows as usize, truth.lines().count());
            std::fs::remove_dir_all(&out).unwrap();
        }
        std::fs::remove_dir_all(&backup).unwrap();
    }
}

#[test]
fn a_rerun_publishes_an_identical_linked_version() {
    let backup = common::scratch_dir("rerun-gen");
    std::fs::remove_dir(&backup).unwrap();
    generate(&GenRequest {
        out: backup.clone(),
        profile: Profile::AllTypes,
        partitions: 80,
        days: 1,
        ..GenRequest::default()
    })
    .unwrap();
    let out = common::scratch_dir("rerun-out");
    let first = export_days(&backup, 1, &out);
    let second = export_days(&backup, 1, &out);
    assert_eq!((first.version.as_str(), second.version.as_str()), ("v000001", "v000002"));
    assert_eq!(std::fs::read_to_string(out.join("CURRENT")).unwrap().trim(), "v000002");
    assert_eq!(second.linked_parts, second.parts, "every part is unchanged");
    assert_eq!(common::dataset_text(&first.dir), common::dataset_text(&second.dir));
    let m1 = std::fs::read_to_string(first.dir.join("manifest.json")).unwrap();
    let m2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(second.dir.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m2["parent"], "v000001");
    let m1: serde_json::Value = serde_json::from_str(&m1).unwrap();
    assert_eq!(m1["parts"], m2["parts"], "same token ranges, rows, bytes and sha256");
    assert_eq!(m1["inputs"].as_array().unwrap().len() as u64, first.sstables);
    // Each part's sha256 is that of its bytes.
    for p in m2["parts"].as_array().unwrap() {
        use sha2::Digest as _;
        let bytes = std::fs::read(second.dir.join(p["file"].as_str().unwrap())).unwrap();
        let hex: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(p["sha256"], hex);
        assert_eq!(p["bytes"].as_u64().unwrap(), bytes.len() as u64);
    }
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&backup).unwrap();
}

#[test]
fn mixed_tables_need_table_and_conflicting_types_are_refused() {
    // Two generated tables side by side.
    let root = common::scratch_dir("mixed-tables");
    for p in [Profile::Narrow, Profile::Counters] {
        generate(&GenRequest {
            out: root.join(p.name()),
            profile: p,
            partitions: 20,
            days: 0,
            ..GenRequest::default()
        })
        .unwrap();
    }
    let out = root.join("out");
    let req = |table: Option<&str>| ExportRequest {
        inputs: vec![root.join("narrow/snapshot"), root.join("counters/snapshot")],
        out: out.clone(),
        table: table.map(str::to_string),
        now: 1_800_000_000,
        ..ExportRequest::default()
    };
    let e = export(&req(None), &mut ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    let msg = e.to_string();
    assert!(
        msg.contains("casscade_gen.narrow")
            && msg.contains("casscade_gen.counters")
            && msg.contains("--table"),
        "{msg}"
    );
    let r = export(&req(Some("casscade_gen.counters")), &mut ()).unwrap();
    assert_eq!(r.table, "casscade_gen.counters");
    assert!(r.rows > 0);

    // A column whose type differs between two SSTables of one table.
    use casscade::sstable::content::{Cell, Column, Item, Partition, Row};
    use casscade::sstable::statistics::RawHeader;
    use casscade::sstable::write::{SSTableWriter, WriteOptions};
    let dir = root.join("ks/t-00000000000000000000000000000000");
    std::fs::create_dir_all(&dir).unwrap();
    for (generation, ty, value) in
        [(1u64, "Int32Type", vec![0, 0, 0, 1]), (2, "UTF8Type", b"x".to_vec())]
    {
        let raw = RawHeader {
            min_timestamp: 0,
            min_local_deletion_time: 0,
            min_ttl: 0,
            key_type: "org.apache.cassandra.db.marshal.Int32Type".into(),
            clustering_types: vec![],
            static_columns: vec![],
            regular_columns: vec![("v".into(), format!("org.apache.cassandra.db.marshal.{ty}"))],
        };
        let mut w = SSTableWriter::create(&dir, generation, &raw, WriteOptions::default()).unwrap();
        w.append(&Partition {
            key: 1i32.to_be_bytes().to_vec(),
            items: vec![Item::Row(Row {
                columns: vec![Column {
                    index: 0,
                    complex_deletion: None,
                    cells: vec![Cell::live(5, value)].into(),
                }],
                ..Row::default()
            })],
            ..Partition::default()
        })
        .unwrap();
        w.finish().unwrap();
    }
    let req = ExportRequest {
        inputs: vec![dir],
        out: root.join("out2"),
        now: 1_800_000_000,
        ..ExportRequest::default()
    };
    let e = export(&req, &mut ()).unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.kind(), ErrorKind::Schema, "{msg}");
    assert!(
        msg.contains("column v")
            && msg.contains("nb-1-big-Data.db")
            && msg.contains("nb-2-big-Data.db"),
        "{msg}"
    );
    assert!(msg.contains("int") && msg.contains("text"), "{msg}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn any_number_of_jobs_writes_the_same_bytes() {
    let backup = common::scratch_dir("jobs-gen");
    std::fs::remove_dir(&backup).unwrap();
    generate(&GenRequest {
        out: backup.clone(),
        profile: Profile::TimeSeries,
        partitions: 120,
        days: 2,
        ..GenRequest::default()
    })
    .unwrap();
    let mut versions = Vec::new();
    for jobs in [1, 2, 3, 7] {
        let out = common::scratch_dir(&format!("jobs-out-{jobs}"));
        let req = ExportRequest {
            inputs: vec![backup.join("snapshot"), backup.join("incremental")],
            out: out.clone(),
            schema: Some(Schema::load(&backup.join("schema.cql")).unwrap()),
            now: now_of(&backup, 2),
            buckets: Some(10),
            jobs,
            ..ExportRequest::default()
        };
        let r = export(&req, &mut ()).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&r.dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
            })
            .collect();
        files.sort();
        assert_eq!(files.len(), 11, "10 parts and the manifest");
        versions.push(files);
        std::fs::remove_dir_all(&out).unwrap();
    }
    for v in &versions[1..] {
        assert!(v == &versions[0], "a different job count changed the output");
    }
    std::fs::remove_dir_all(&backup).unwrap();
}
