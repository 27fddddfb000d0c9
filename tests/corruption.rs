//! Property: no corruption of any corpus file makes the reader panic or
//! hang. Every readable 3.0+ generation is copied, one component is
//! truncated, bit-flipped, overwritten or extended, and the copy is read to
//! the end; the uncompressed Data.db stream is also mutated and fed straight
//! to the row decoder, where no checksum stands in the way. The outcome may
//! be an error (it must then name the file) or data; it must never be a
//! panic, and never take more than a few seconds.
//!
//! Deterministic (seeded). `CASSCADE_CORRUPTION_ITERS` scales the number of
//! mutations per generation (default 6 file + 24 stream mutations).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use casscade::sstable::{Descriptor, SSTable, Unfiltered};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng) -> String {
    if bytes.is_empty() {
        bytes.extend((0..8).map(|_| rng.next() as u8));
        return "filled an empty file".into();
    }
    match rng.below(5) {
        0 => {
            let at = rng.below(bytes.len());
            bytes.truncate(at);
            format!("truncated at {at}")
        }
        1 | 2 => {
            let flips = 1 + rng.below(4);
            let mut at = Vec::new();
            for _ in 0..flips {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
                at.push(i);
            }
            format!("flipped bits at {at:?}")
        }
        3 => {
            let at = rng.below(bytes.len());
            let n = (1 + rng.below(16)).min(bytes.len() - at);
            for b in &mut bytes[at..at + n] {
                *b = rng.next() as u8;
            }
            format!("overwrote {n} bytes at {at}")
        }
        _ => {
            let n = 1 + rng.below(32);
            bytes.extend((0..n).map(|_| rng.next() as u8));
            format!("appended {n} bytes")
        }
    }
}

/// Reads every cell; returns the error text, if any.
fn read_all(mut r: casscade::sstable::DataReader) -> Option<String> {
    let mut run = || -> casscade::Result<()> {
        while r.next_partition()?.is_some() {
            while let Some(u) = r.next_unfiltered()? {
                if let Unfiltered::Row(row) = u {
                    for c in row.columns() {
                        for cell in c.cells() {
                            std::hint::black_box(cell.value);
                        }
                    }
                }
            }
        }
        Ok(())
    };
    run().err().map(|e| e.to_string())
}

/// Runs `f` on a watchdog thread: a panic or a hang fails with `what`.
fn guarded(what: String, f: impl FnOnce() + Send + 'static) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = catch_unwind(AssertUnwindSafe(f));
        let _ = tx.send(r.is_ok());
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("PANIC: {what}")),
        Err(_) => Err(format!("HANG (>20 s): {what}")),
    }
}

fn readable_generations(corpus: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus.join("real")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with("-Data.db") {
                // Only generations that read cleanly: mutating a broken file
                // proves nothing new.
                let clean = SSTable::open(&p).ok().is_some_and(|t| {
                    t.reader().ok().is_some_and(|r| read_all(r).is_none())
                        && t.read_uncompressed_data().is_ok()
                });
                if clean {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

fn iterations() -> usize {
    std::env::var("CASSCADE_CORRUPTION_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1)
}

#[test]
fn corrupted_component_files_never_panic() {
    let corpus = corpus_or_skip!();
    let gens = readable_generations(&corpus);
    assert!(gens.len() > 150, "{} readable generations", gens.len());
    let scratch = std::env::temp_dir().join(format!("casscade-corrupt-{}", std::process::id()));
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut failures = Vec::new();
    let mut runs = 0;
    for data in &gens {
        let d = Descriptor::from_path(data).unwrap();
        let dir = data.parent().unwrap();
        let mut components: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(d.prefix()))
            .collect();
        components.sort();
        let size: u64 = components.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
        let rounds = if size > 2_000_000 { 1 } else { 6 * iterations() };
        for _ in 0..rounds {
            std::fs::create_dir_all(&scratch).unwrap();
            for c in &components {
                let to = scratch.join(c.file_name().unwrap());
                std::fs::write(&to, std::fs::read(c).unwrap()).unwrap();
            }
            let victim = &components[rng.below(components.len())];
            let vpath = scratch.join(victim.file_name().unwrap());
            let mut bytes = std::fs::read(&vpath).unwrap();
            let how = mutate(&mut bytes, &mut rng);
            std::fs::write(&vpath, &bytes).unwrap();
            let target = scratch.join(data.file_name().unwrap());
            let what = format!(
                "{} with {} {how}",
                data.display(),
                victim.file_name().unwrap().to_string_lossy()
            );
            let t2 = target.clone();
            let named = std::sync::Arc::new(std::sync::Mutex::new(None));
            let named2 = named.clone();
            let r = guarded(what.clone(), move || {
                let err = match SSTable::open(&t2) {
                    Err(e) => Some(e.to_string()),
                    Ok(t) => match t.reader() {
                        Err(e) => Some(e.to_string()),
                        Ok(r) => read_all(r),
                    },
                };
                *named2.lock().unwrap() = err;
            });
            runs += 1;
            if let Err(e) = r {
                failures.push(e);
            } else if let Some(err) = named.lock().unwrap().as_ref()
                && !err.contains(&scratch.to_string_lossy().to_string())
                && !err.contains(d.prefix())
            {
                failures.push(format!("error does not name the file: {err} ({what})"));
            }
            std::fs::remove_dir_all(&scratch).unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} corruptions misbehaved:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corrupted_data_streams_never_panic_the_decoder() {
    let corpus = corpus_or_skip!();
    let gens = readable_generations(&corpus);
    let mut rng = Rng(0x5eed_cafe_f00d_0002);
    let mut failures = Vec::new();
    let mut runs = 0;
    for data in &gens {
        let t = std::sync::Arc::new(SSTable::open(data).unwrap());
        let clean = t.read_uncompressed_data().unwrap();
        let rounds = if clean.len() > 1_000_000 { 2 } else { 24 * iterations() };
        for _ in 0..rounds {
            let mut bytes = clean.clone();
            let how = mutate(&mut bytes, &mut rng);
            let t2 = t.clone();
            runs += 1;
            if let Err(e) = guarded(format!("{} stream {how}", data.display()), move || {
                let _ = read_all(t2.reader_from_bytes(bytes));
            }) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} corruptions misbehaved:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
