//! An export killed at any moment leaves the dataset as it was: CURRENT
//! names a complete version (or does not exist yet), every published
//! version has all its parts with the digests its manifest states, and the
//! next run removes the leftovers and publishes the same data a clean run
//! does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use casscade::generator::{GenRequest, Profile, generate};
use sha2::Digest as _;

fn export_cmd(backup: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casscade"));
    c.args(["export", "--jobs", "2", "--buckets", "8", "--now", "1767571200", "--schema"])
        .arg(backup.join("schema.cql"))
        .arg("--out")
        .arg(out)
        .arg(backup.join("snapshot"))
        .arg(backup.join("incremental"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Checks every published version; returns CURRENT's parts' bytes.
fn check_published(out: &Path) -> Option<Vec<Vec<u8>>> {
    let mut current_parts = None;
    let current = std::fs::read_to_string(out.join("CURRENT")).ok().map(|s| s.trim().to_string());
    for e in std::fs::read_dir(out).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with('v') {
            continue;
        }
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(p.join("manifest.json")).expect("a published version has its manifest"),
        )
        .unwrap();
        let mut parts = Vec::new();
        for part in manifest["parts"].as_array().unwrap() {
            let bytes = std::fs::read(p.join(part["file"].as_str().unwrap()))
                .expect("every part of a published version");
            let hex: String =
                sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(part["sha256"], hex, "{name}: part digest");
            parts.push(bytes);
        }
        if current.as_deref() == Some(name.as_str()) {
            current_parts = Some(parts);
        }
    }
    if let Some(c) = &current {
        assert!(current_parts.is_some(), "CURRENT names {c}, which does not exist");
    }
    current_parts
}

#[test]
fn killed_exports_never_expose_a_partial_version() {
    let backup = common::scratch_dir("crash-gen");
    std::fs::remove_dir(&backup).unwrap();
    generate(&GenRequest {
        out: backup.clone(),
        profile: Profile::TimeSeries,
        partitions: 300,
        days: 3,
        ..GenRequest::default()
    })
    .unwrap();
    // A clean run: the reference, and how long a run takes.
    let reference_dir = common::scratch_dir("crash-ref");
    let t = Instant::now();
    assert!(export_cmd(&backup, &reference_dir).status().unwrap().success());
    let full = t.elapsed();
    let reference = check_published(&reference_dir).unwrap();

    let out: PathBuf = common::scratch_dir("crash-out");
    let mut killed_midway = 0;
    for i in 0..12u32 {
        let mut child = export_cmd(&backup, &out).spawn().unwrap();
        std::thread::sleep(full.mul_f64(f64::from(i) / 12.0 + 0.01));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        killed_midway += u32::from(!finished);
        // Whatever happened, what is published is whole.
        if let Some(parts) = check_published(&out) {
            assert_eq!(parts, reference, "a published version differs from a clean run's");
        }
    }
    assert!(killed_midway >= 6, "only {killed_midway} runs were interrupted");
    // The next run cleans up and converges.
    assert!(export_cmd(&backup, &out).status().unwrap().success());
    assert_eq!(check_published(&out).unwrap(), reference);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-") || n.starts_with(".CURRENT."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for d in [backup, reference_dir, out] {
        std::fs::remove_dir_all(d).unwrap();
    }
}
