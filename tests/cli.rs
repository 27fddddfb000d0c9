//! The `casscade` command as a user runs it: exit codes, error messages that
//! locate the problem, `--skip-bad-sstables`, `--schema`, usage errors.
//! Bad SSTables are synthesized from a corpus fixture's Statistics.db
//! (`3.x/uncompressed/read_missing_summary`: pk text, ck text, rc text) and
//! a hand-written Data.db.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::{Path, PathBuf};

use common::casscade;

const LIVE: [u8; 12] = [0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0];

/// One partition with key `key` and one row (ck, rc) in the `mc` layout.
fn partition(key: &[u8], ck: &[u8], rc: &[u8]) -> Vec<u8> {
    let mut p = vec![0, key.len() as u8];
    p.extend_from_slice(key);
    p.extend_from_slice(&LIVE);
    p.extend_from_slice(&[0x24, 0x00, ck.len() as u8]); // flags, clustering header, ck length
    p.extend_from_slice(ck);
    p.push((4 + rc.len()) as u8); // size: prev, ts delta, cell flags, value length
    p.extend_from_slice(&[0x00, 0x00, 0x08, rc.len() as u8]);
    p.extend_from_slice(rc);
    p.push(0x01);
    p
}

/// An SSTable directory holding `data` as Data.db.
fn sstable(corpus: &Path, name: &str, generation: u32, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casscade-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stats = common::real(
        corpus,
        "scylladb/test/resource/sstables/3.x/uncompressed/read_missing_summary/mc-1-big-Statistics.db",
    );
    std::fs::copy(stats, dir.join(format!("mc-{generation}-big-Statistics.db"))).unwrap();
    std::fs::write(dir.join(format!("mc-{generation}-big-Data.db")), data).unwrap();
    dir
}

#[test]
fn an_invalid_value_is_reported_with_its_location() {
    let corpus = corpus_or_skip!();
    let data = partition(b"k", b"c", &[b'o', b'k', 0xff, 0xfe]);
    let dir = sstable(&corpus, "badutf8", 1, &data);
    let r = casscade(&["dump", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for needle in [
        "mc-1-big-Data.db",
        "at uncompressed Data.db byte 15",
        "invalid value",
        "partition key 0x6b",
        "column rc",
        "not UTF-8 at byte 2",
    ] {
        assert!(r.stderr.contains(needle), "missing {needle:?} in: {}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn partitions_out_of_token_order_are_refused() {
    let corpus = corpus_or_skip!();
    let a = partition(b"a", b"c", b"x");
    let b = partition(b"b", b"c", b"y");
    let (ta, tb) =
        (casscade::types::token::murmur3_token(b"a"), casscade::types::token::murmur3_token(b"b"));
    let mut data = Vec::new();
    // Write them in the wrong order.
    if ta < tb {
        data.extend_from_slice(&b);
        data.extend_from_slice(&a);
    } else {
        data.extend_from_slice(&a);
        data.extend_from_slice(&b);
    }
    let dir = sstable(&corpus, "order", 1, &data);
    let r = casscade(&["dump", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("partitions out of order"), "{}", r.stderr);
    assert!(r.stderr.contains("at uncompressed Data.db byte 26"), "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn skip_bad_sstables_reports_and_continues_with_exit_code_1() {
    let corpus = corpus_or_skip!();
    let mut truncated = partition(b"k", b"c", b"fine");
    truncated.truncate(truncated.len() - 3);
    let dir = sstable(&corpus, "skip", 1, &truncated);
    // A good SSTable in the same directory.
    let good = partition(b"k", b"c", b"fine");
    std::fs::copy(dir.join("mc-1-big-Statistics.db"), dir.join("mc-2-big-Statistics.db")).unwrap();
    std::fs::write(dir.join("mc-2-big-Data.db"), &good).unwrap();

    let r = casscade(&["dump", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2, "without the flag the bad SSTable stops the dump");
    assert!(
        r.stderr.contains("a truncated file") && r.stderr.contains("mc-1-big-Data.db"),
        "{}",
        r.stderr
    );

    let r = casscade(&["dump", "--skip-bad-sstables", dir.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("skipped") && r.stderr.contains("mc-1-big-Data.db"), "{}", r.stderr);
    assert!(r.stdout.lines().any(|l| l.contains("\"value\":\"fine\"")), "{}", r.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pre_3_0_sstables_need_a_schema_and_dump_with_one() {
    let corpus = corpus_or_skip!();
    let ka = common::real(
        &corpus,
        "cassandra-3.11/test/data/legacy-sstables/ka/legacy_tables/legacy_ka_simple",
    );
    let r = casscade(&["dump", ka.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("'ka'") && r.stderr.contains("--schema"), "{}", r.stderr);
    // LegacySSTableTest's CQL: five partitions, val 'foo bar baz'.
    let dir = common::scratch_dir("cli-ka-schema");
    let schema = dir.join("schema.cql");
    std::fs::write(
        &schema,
        "CREATE TABLE legacy_tables.legacy_ka_simple (pk text PRIMARY KEY, val text);",
    )
    .unwrap();
    let r = casscade(&["dump", "--schema", schema.to_str().unwrap(), ka.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 5, "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .all(|l| l.contains(r#""key_columns":["pk"]"#) && l.contains("foo bar baz")),
        "{}",
        r.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let r = casscade(&["dump"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at least one PATH"), "{}", r.stderr);
    let r = casscade(&["dump", "--timestamps", "utc", "x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("iso or raw"), "{}", r.stderr);
    let r = casscade(&["frobnicate"]);
    assert_eq!(r.code, 2);
    let r = casscade(&["dump", "/nonexistent/path"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/path"), "{}", r.stderr);
    let r = casscade(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("dump"));
    let r = casscade(&["dump", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--schema"));
    let r = casscade(&["--version"]);
    assert!(r.stdout.starts_with("casscade "));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let corpus = corpus_or_skip!();
    let dir = common::real(
        &corpus,
        "scylladb/test/resource/sstables/3.x/uncompressed/write_many_live_partitions",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_casscade"))
        .args(["dump", dir.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe (like `| head -1`).
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
