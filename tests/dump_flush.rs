//! The dump renderer remembers repeated pieces (a row's liveness, deletions,
//! cell timestamps) by where it last wrote them in the output buffer, until
//! the end of each row or marker. A caller may flush and clear the buffer
//! between any two calls: the output must not change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::path::Path;

use casscade::pipeline::dump_doc::{DumpOptions, DumpWriter};
use casscade::sstable::{SSTable, Unfiltered};

/// The dump of `path`, with the buffer flushed after every call when
/// `flush_each` (else once, at the end).
fn render(path: &Path, flush_each: bool) -> Vec<u8> {
    let t = SSTable::open(path).unwrap();
    let header = t.header().clone();
    let mut r = t.reader().unwrap();
    let mut w = DumpWriter::new(
        &header,
        DumpOptions { now: 1_600_000_000, table_kind: "REGULAR".into(), ..Default::default() },
    );
    let (mut all, mut buf) = (Vec::new(), Vec::new());
    let flush = |buf: &mut Vec<u8>, all: &mut Vec<u8>| {
        if flush_each {
            all.extend_from_slice(buf);
            // Overwrite what was there, so a stale position shows.
            buf.iter_mut().for_each(|b| *b = b'#');
            buf.clear();
        }
    };
    while let Some(p) = r.next_partition().unwrap() {
        let header_end = p.header_end;
        w.start_partition(&mut buf, &p).unwrap();
        flush(&mut buf, &mut all);
        while let Some(u) = r.next_unfiltered().unwrap() {
            match u {
                Unfiltered::Row(row) => w.row(&mut buf, &row, header_end).unwrap(),
                Unfiltered::Marker(m) => w.marker(&mut buf, &m).unwrap(),
            }
            flush(&mut buf, &mut all);
        }
        w.end_partition(&mut buf);
        flush(&mut buf, &mut all);
    }
    all.extend_from_slice(&buf);
    all
}

#[test]
fn flushing_between_rows_changes_nothing() {
    let corpus = corpus_or_skip!();
    for rel in [
        // Repeated row liveness and range-tombstone deletions.
        "scylladb/test/resource/sstables/3.x/uncompressed/filtering_and_forwarding_range_tombstones/mc-1-big-Data.db",
        // A different liveness on every row.
        "scylladb/test/resource/sstables/large_partition/try1/data-1c6ace40fad111e7b9cf000000000002/mc-3-big-Data.db",
    ] {
        let path = common::real(&corpus, rel);
        let whole = render(&path, false);
        assert!(whole.len() > 100_000, "{rel}: {} bytes", whole.len());
        assert_eq!(render(&path, true), whole, "{rel}");
    }
}

#[test]
fn flushing_between_rows_changes_nothing_on_generated_data() {
    // Cells with timestamps and TTLs of their own (shared by the cells of a
    // row), cell and partition deletions: the generator's narrow table.
    use casscade::generator::{GenRequest, Profile, generate};
    let out = common::scratch_dir("dump-flush-gen");
    let req = GenRequest {
        out: out.clone(),
        profile: Profile::Narrow,
        seed: 11,
        days: 2,
        size: Some(1 << 20),
        ..GenRequest::default()
    };
    generate(&req).unwrap();
    let files = common::data_files(&out);
    assert!(!files.is_empty());
    let (mut cell_times, mut ttls) = (0, 0);
    for f in files {
        let whole = render(&f, false);
        let text = String::from_utf8_lossy(&whole);
        // `,"tstamp"` is a cell's (a liveness's follows `{`).
        cell_times += text.matches(",\"tstamp\"").count();
        ttls += text.matches(",\"ttl\"").count();
        assert_eq!(render(&f, true), whole, "{}", f.display());
    }
    assert!(cell_times > 100 && ttls > 100, "{cell_times} timestamps, {ttls} TTLs");
    std::fs::remove_dir_all(&out).unwrap();
}
