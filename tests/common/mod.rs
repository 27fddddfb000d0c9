//! Helpers shared by the integration tests: where the shared corpus is,
//! running the `casscade` binary, and comparing JSON documents.
#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test on error"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The shared fixture corpus (`$CASSCADE_CORPUS`, else `../shared/fixtures`).
/// Returns `None` (and says so) when it is absent; under CI (`CI=true`) an
/// absent corpus is a failure, so a misconfigured CI cannot pass vacuously.
pub fn corpus() -> Option<PathBuf> {
    let root = std::env::var_os("CASSCADE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    if root.join("real").is_dir() {
        return Some(root);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "CI=true but the SSTable corpus is missing at {} (set CASSCADE_CORPUS)",
        root.display()
    );
    eprintln!(
        "SKIPPED: the SSTable corpus is not at {} (set CASSCADE_CORPUS to run corpus tests)",
        root.display()
    );
    None
}

/// Returns the corpus or returns from the test early.
#[macro_export]
macro_rules! corpus_or_skip {
    () => {
        match common::corpus() {
            Some(c) => c,
            None => return,
        }
    };
}

/// A path under `real/` of the corpus.
pub fn real(corpus: &Path, rel: &str) -> PathBuf {
    corpus.join("real").join(rel)
}

/// Output of one `casscade` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args`.
pub fn casscade(args: &[&str]) -> Run {
    let out =
        Command::new(env!("CARGO_BIN_EXE_casscade")).args(args).output().expect("running casscade");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `casscade dump --timestamps raw --now <now> [extra…] path`, parsed into
/// one JSON value per line; panics with stderr when it fails.
pub fn dump_json(path: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let p = path.to_str().unwrap();
    let mut args = vec!["dump", "--timestamps", "raw", "--now", "1600000000"];
    args.extend_from_slice(extra);
    args.push(p);
    let r = casscade(&args);
    assert_eq!(r.code, 0, "dump of {} failed: {}", path.display(), r.stderr);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// Removes every `"position"` member, recursively (positions are byte
/// offsets the oracles do not state).
pub fn strip_positions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("position");
            for (_, x) in m.iter_mut() {
                strip_positions(x);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_positions),
        _ => {}
    }
}

/// A fresh, empty scratch directory for one test (under the system temp
/// directory, unique per process and name).
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casscade-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every `*-Data.db` under `dir`, recursively, sorted.
pub fn data_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.to_string_lossy().ends_with("-Data.db") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// A dataset version's rows: its `part-*.jsonl` files concatenated in name
/// (token-range) order.
pub fn dataset_text(version_dir: &Path) -> String {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(version_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    parts.sort();
    parts.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}
