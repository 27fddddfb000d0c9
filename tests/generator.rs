//! `casscade gen`: deterministic, readable output for every profile,
//! format and codec, and a truth file per day whose rows are valid JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};

use casscade::generator::{GenRequest, Profile, generate};
use casscade::sstable::content::read_partitions;
use casscade::sstable::{Compressor, SSTable};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn request(
    out: &Path,
    profile: Profile,
    format: &str,
    compression: Option<Compressor>,
) -> GenRequest {
    GenRequest {
        out: out.to_path_buf(),
        profile,
        seed: 7,
        nodes: 4,
        rf: 3,
        days: 2,
        partitions: 60,
        format: format.into(),
        compression,
        ..GenRequest::default()
    }
}

#[test]
fn same_seed_same_bytes() {
    let a = common::scratch_dir("gen-det-a");
    let b = common::scratch_dir("gen-det-b");
    std::fs::remove_dir(&a).unwrap();
    std::fs::remove_dir(&b).unwrap();
    generate(&request(&a, Profile::AllTypes, "nb", Some(Compressor::Lz4))).unwrap();
    generate(&request(&b, Profile::AllTypes, "nb", Some(Compressor::Lz4))).unwrap();
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    files(&a, &mut fa);
    files(&b, &mut fb);
    assert!(fa.len() > 50, "{} files", fa.len());
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.strip_prefix(&a).unwrap(), y.strip_prefix(&b).unwrap());
        assert!(std::fs::read(x).unwrap() == std::fs::read(y).unwrap(), "{} differs", x.display());
    }
    // A different seed gives different data.
    let c = common::scratch_dir("gen-det-c");
    std::fs::remove_dir(&c).unwrap();
    generate(&GenRequest {
        seed: 8,
        ..request(&c, Profile::AllTypes, "nb", Some(Compressor::Lz4))
    })
    .unwrap();
    let truth = |d: &Path| std::fs::read(d.join("truth/day-02/rows.jsonl")).unwrap();
    assert_ne!(truth(&a), truth(&c));
    for d in [a, b, c] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn every_profile_format_and_codec_reads_back() {
    let codecs = [
        Some(Compressor::Lz4),
        Some(Compressor::Zstd),
        Some(Compressor::Deflate),
        Some(Compressor::Snappy),
        None,
    ];
    let mut combos = 0;
    for (i, profile) in Profile::ALL.into_iter().enumerate() {
        for (j, format) in ["mc", "nb", "oa"].into_iter().enumerate() {
            let codec = codecs[(i + j) % codecs.len()];
            let out = common::scratch_dir(&format!("gen-read-{}-{format}", profile.name()));
            std::fs::remove_dir(&out).unwrap();
            let report = generate(&request(&out, profile, format, codec)).unwrap();
            let mut all = Vec::new();
            files(&out, &mut all);
            let data: Vec<&PathBuf> =
                all.iter().filter(|p| p.to_string_lossy().ends_with("-Data.db")).collect();
            assert_eq!(data.len() as u64, report.sstables);
            // Snapshot: several generations per node; one SSTable set per day.
            assert!(data.iter().any(|p| p.to_string_lossy().contains("/snapshot/node")));
            assert!(data.iter().any(|p| p.to_string_lossy().contains("/incremental/day-02/node")));
            let mut partitions = 0;
            for d in &data {
                let t = SSTable::open(d).unwrap();
                assert_eq!(t.version().as_str(), format);
                assert_eq!(t.compression().map(|c| c.compressor), codec, "{}", d.display());
                let parts = read_partitions(&mut t.reader().unwrap()).unwrap();
                assert!(!parts.is_empty());
                partitions += parts.len();
            }
            assert!(partitions as u64 >= report.partitions, "every partition is on some replica");
            for day in 0..=2 {
                let dir = out.join(format!("truth/day-{day:02}"));
                let meta: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
                let rows = std::fs::read_to_string(dir.join("rows.jsonl")).unwrap();
                assert_eq!(rows.lines().count() as u64, meta["rows"].as_u64().unwrap());
                for line in rows.lines() {
                    let v: serde_json::Value =
                        serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
                    assert!(v.is_object());
                }
                assert_eq!(meta["now"].as_i64().unwrap(), 1_767_225_600 + 86_400 * (day + 1));
            }
            std::fs::remove_dir_all(&out).unwrap();
            combos += 1;
        }
    }
    assert_eq!(combos, 12);
}
