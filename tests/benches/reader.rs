//! Reader and renderer throughput on the largest corpus SSTables, plus
//! micro-benchmarks of the hot paths (vints, LZ4 chunks, JSON numbers and
//! strings). Throughput is in bytes of *uncompressed* Data.db.
//!
//! `cargo bench --bench reader` (needs the corpus at ../shared/fixtures or
//! $CASSCADE_CORPUS; without it only the micro-benchmarks run).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark harness"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use casscade::output::javafloat::write_double;
use casscade::output::json::write_str;
use casscade::pipeline::dump_doc::{DumpOptions, DumpWriter};
use casscade::sstable::compression::{Compressor, Decompressor};
use casscade::sstable::{DataReader, SSTable, Unfiltered};
use casscade::types::cursor::{Cursor, encode_uvint};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const FIXTURES: &[(&str, &str)] = &[
    (
        "rows_and_rts_4MB",
        "scylladb/test/resource/sstables/3.x/uncompressed/filtering_and_forwarding_range_tombstones/mc-1-big-Data.db",
    ),
    (
        "wide_text_rows_2MB",
        "scylladb/test/resource/sstables/3.x/uncompressed/skip_using_index_rows/mc-1-big-Data.db",
    ),
    (
        "tiny_partitions_1MB",
        "scylladb/test/resource/sstables/3.x/uncompressed/write_many_live_partitions/mc-1-big-Data.db",
    ),
    (
        "lz4_large_partition",
        "scylladb/test/resource/sstables/large_partition/try1/data-1c6ace40fad111e7b9cf000000000002/mc-3-big-Data.db",
    ),
];

fn corpus() -> Option<PathBuf> {
    let root = std::env::var_os("CASSCADE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    root.join("real").is_dir().then_some(root)
}

/// Decodes every cell of a reader.
fn consume(mut r: DataReader) -> u64 {
    let mut cells = 0u64;
    while r.next_partition().unwrap().is_some() {
        while let Some(u) = r.next_unfiltered().unwrap() {
            if let Unfiltered::Row(row) = u {
                for c in row.columns() {
                    for cell in c.cells() {
                        cells += 1;
                        std::hint::black_box(cell.value);
                    }
                }
            }
        }
    }
    cells
}

/// Decodes and renders every partition into a reused buffer.
fn render(mut r: DataReader, header: &casscade::sstable::SerializationHeader, out: &mut Vec<u8>) {
    let mut w = DumpWriter::new(
        header,
        DumpOptions { now: 1_600_000_000, table_kind: "REGULAR".into(), ..Default::default() },
    );
    while let Some(p) = r.next_partition().unwrap() {
        out.clear();
        let header_end = p.header_end;
        w.start_partition(out, &p).unwrap();
        while let Some(u) = r.next_unfiltered().unwrap() {
            match u {
                Unfiltered::Row(row) => w.row(out, &row, header_end).unwrap(),
                Unfiltered::Marker(m) => w.marker(out, &m).unwrap(),
            }
            if out.len() > 1 << 16 {
                std::hint::black_box(&out);
                out.clear();
            }
        }
        w.end_partition(out);
        std::hint::black_box(&out);
    }
}

fn sstables(c: &mut Criterion) {
    let Some(corpus) = corpus() else {
        eprintln!("SKIPPED: corpus not found; set CASSCADE_CORPUS for the SSTable benchmarks");
        return;
    };
    for &(name, rel) in FIXTURES {
        let path = corpus.join("real").join(rel);
        let t = Arc::new(SSTable::open(&path).unwrap());
        let bytes = t.read_uncompressed_data().unwrap();
        let len = bytes.len() as u64;
        let header = t.header().clone();

        let mut g = c.benchmark_group(format!("decode/{name}"));
        g.throughput(Throughput::Bytes(len));
        g.bench_function("memory", |b| {
            b.iter_batched(
                || bytes.clone(),
                |data| consume(t.reader_from_bytes(data)),
                BatchSize::LargeInput,
            )
        });
        g.bench_function("file", |b| b.iter(|| consume(t.reader().unwrap())));
        g.finish();

        let mut g = c.benchmark_group(format!("dump/{name}"));
        g.throughput(Throughput::Bytes(len));
        let mut out = Vec::with_capacity(1 << 17);
        g.bench_function("memory", |b| {
            b.iter_batched(
                || bytes.clone(),
                |data| render(t.reader_from_bytes(data), &header, &mut out),
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

fn micro(c: &mut Criterion) {
    let mut g = c.benchmark_group("micro");
    let mut vints = Vec::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        encode_uvint(x >> (i % 64), &mut vints);
    }
    g.throughput(Throughput::Bytes(vints.len() as u64));
    g.bench_function("vint_decode", |b| {
        b.iter(|| {
            let mut c = Cursor::new(&vints);
            let mut s = 0u64;
            while let Ok(v) = c.uvint() {
                s = s.wrapping_add(v);
            }
            s
        })
    });
    // One 64 KiB LZ4 chunk of row-like data.
    let raw: Vec<u8> = (0..65536u32).map(|i| (i % 251) as u8 ^ (i / 4096) as u8).collect();
    let mut chunk = (raw.len() as u32).to_le_bytes().to_vec();
    chunk.extend_from_slice(&lz4_flex::block::compress(&raw));
    let mut d = Decompressor::default();
    let mut dst = vec![0u8; raw.len()];
    g.throughput(Throughput::Bytes(raw.len() as u64));
    g.bench_function("lz4_chunk_64k", |b| {
        b.iter(|| d.decompress(Compressor::Lz4, &chunk, &mut dst).unwrap())
    });
    let doubles: Vec<f64> = (0..1000).map(|i| (i as f64) * 1.1 + 0.001 * i as f64).collect();
    let mut out = Vec::with_capacity(1 << 16);
    g.throughput(Throughput::Elements(doubles.len() as u64));
    g.bench_function("java_double_1000", |b| {
        b.iter(|| {
            out.clear();
            for &v in &doubles {
                write_double(&mut out, v);
            }
        })
    });
    // Full-precision doubles of everyday magnitudes (what generated and
    // real measurements hold): 16–17 digits each.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let random: Vec<f64> = (0..1000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f64::from_bits((x & ((1 << 52) - 1)) | ((1023 - 10 + x % 40) << 52))
        })
        .collect();
    g.bench_function("java_double_random_1000", |b| {
        b.iter(|| {
            out.clear();
            for &v in &random {
                write_double(&mut out, v);
            }
        })
    });
    let text = "Санкт-Петербург \"quoted\" and plain ascii text of moderate length".repeat(4);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("json_string", |b| {
        b.iter(|| {
            out.clear();
            write_str(&mut out, text.as_bytes());
        })
    });
    g.finish();
}

/// Every Data.db under `dir`.
fn data_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            data_files(&p, out);
        } else if p.to_string_lossy().ends_with("-Data.db") {
            out.push(p);
        }
    }
}

/// Generates a backup and opens each of its SSTables.
fn generated_tables(req: casscade::generator::GenRequest) -> Vec<Arc<SSTable>> {
    casscade::generator::generate(&req).unwrap();
    let mut files = Vec::new();
    data_files(&req.out, &mut files);
    files.iter().map(|f| Arc::new(SSTable::open(f).unwrap())).collect()
}

/// Decoding generated backups in each format and codec (file path: read,
/// decompress, verify, decode), and the ceiling: LZ4 decompression alone
/// of the same chunks.
fn generated(c: &mut Criterion) {
    use casscade::generator::{GenRequest, Profile};
    // Generating the backups takes a while: skip it when a benchmark filter
    // on the command line leaves this group out.
    const VALUED: &[&str] = &[
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--profile-time",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--significance-level",
        "--noise-threshold",
        "--confidence-level",
        "--nresamples",
        "--output-format",
        "--color",
        "--format",
        "--plotting-backend",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args
        .iter()
        .enumerate()
        .find(|&(i, a)| !a.starts_with('-') && (i == 0 || !VALUED.contains(&args[i - 1].as_str())))
        .map(|(_, a)| a.clone());
    if filter
        .as_deref()
        .is_some_and(|f| !"generated/decode/lz4_ceiling".contains(f) && !f.contains("generated"))
    {
        return;
    }
    let root = std::env::temp_dir().join(format!("casscade-bench-gen-{}", std::process::id()));
    let mut g = c.benchmark_group("generated");
    g.sample_size(10);
    let codecs = [
        ("lz4", Some(Compressor::Lz4)),
        ("zstd", Some(Compressor::Zstd)),
        ("deflate", Some(Compressor::Deflate)),
        ("snappy", Some(Compressor::Snappy)),
        ("none", None),
    ];
    for format in ["mc", "nb", "oa"] {
        for (name, codec) in codecs {
            let out = root.join(format!("{format}-{name}"));
            let _ = std::fs::remove_dir_all(&out);
            let tables = generated_tables(GenRequest {
                out: out.clone(),
                profile: Profile::TimeSeries,
                seed: 3,
                days: 2,
                size: Some(24 << 20),
                format: format.into(),
                compression: codec,
                truth_every_day: false,
                ..GenRequest::default()
            });
            let bytes: u64 =
                tables.iter().map(|t| t.read_uncompressed_data().unwrap().len() as u64).sum();
            g.throughput(Throughput::Bytes(bytes));
            g.bench_function(format!("decode/{format}-{name}"), |b| {
                b.iter(|| tables.iter().map(|t| consume(t.reader().unwrap())).sum::<u64>())
            });
            if format == "nb" && name == "lz4" {
                // The same chunks, LZ4-decompressed and nothing else.
                let mut chunks = Vec::new();
                for t in &tables {
                    let ci = t.compression().unwrap().clone();
                    let raw = std::fs::read(t.data_path()).unwrap();
                    for i in 0..ci.offsets.len() {
                        let start = ci.offsets[i] as usize;
                        let len = ci.chunk_stored_len(i, raw.len() as u64) as usize - 4;
                        chunks
                            .push((raw[start..start + len].to_vec(), ci.chunk_uncompressed_len(i)));
                    }
                }
                let mut d = Decompressor::default();
                let mut dst = vec![0u8; 64 * 1024];
                g.bench_function("lz4_ceiling/nb-lz4", |b| {
                    b.iter(|| {
                        for (src, n) in &chunks {
                            d.decompress(Compressor::Lz4, src, &mut dst[..*n]).unwrap();
                        }
                    })
                });
            }
            std::fs::remove_dir_all(&out).unwrap();
        }
    }
    // Dumping generated backups to JSON (nb, LZ4, the generator's default):
    // from the files (read, decompress, verify, decode, render: what
    // `casscade dump` does per core, less process start-up and stdout) and
    // from memory (decode and render alone).
    for (name, profile) in [("timeseries", Profile::TimeSeries), ("narrow", Profile::Narrow)] {
        let out = root.join(format!("dump-{name}"));
        let _ = std::fs::remove_dir_all(&out);
        let tables = generated_tables(GenRequest {
            out: out.clone(),
            profile,
            seed: 42,
            days: 2,
            size: Some(48 << 20),
            truth_every_day: false,
            ..GenRequest::default()
        });
        let data: Vec<Vec<u8>> =
            tables.iter().map(|t| t.read_uncompressed_data().unwrap()).collect();
        g.throughput(Throughput::Bytes(data.iter().map(|d| d.len() as u64).sum()));
        let mut buf = Vec::with_capacity(1 << 17);
        g.bench_function(format!("dump/{name}-nb-lz4/file"), |b| {
            b.iter(|| {
                for t in &tables {
                    render(t.reader().unwrap(), t.header(), &mut buf);
                }
            })
        });
        g.bench_function(format!("dump/{name}-nb-lz4/memory"), |b| {
            b.iter_batched(
                || data.clone(),
                |data| {
                    for (t, d) in tables.iter().zip(data) {
                        render(t.reader_from_bytes(d), t.header(), &mut buf);
                    }
                },
                BatchSize::LargeInput,
            )
        });
        std::fs::remove_dir_all(&out).unwrap();
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, sstables, micro, generated);
criterion_main!(benches);
