//! `casscade gen`: arguments for the backup simulator.

use std::io::Write;
use std::path::PathBuf;

use casscade::Error;
use casscade::generator::{GenRequest, Profile, generate};
use casscade::sstable::Compressor;

use super::{arg_err, usage};

pub const GEN_HELP: &str = "\
Simulate a Cassandra cluster and write what its backups would hold: a full
snapshot per node, each day's incremental SSTables per node, and the ground
truth (the table's rows after each day, as SELECT JSON renders them).

Usage: casscade gen --out DIR [OPTIONS]

Output:
  DIR/schema.cql                              the table
  DIR/snapshot/nodeN/<ks>/<table>-<id>/       full snapshot, several generations per node
  DIR/incremental/day-DD/nodeN/<ks>/<table>-<id>/   SSTables flushed on day DD
  DIR/truth/day-DD/rows.jsonl, meta.json      rows after day DD, and the --now / gc_grace assumed

Options:
      --out DIR              Output directory (must be empty or absent)
      --profile NAME         narrow (default), timeseries, alltypes, counters
      --seed N               Random seed; the output depends on nothing else [default: 1]
      --nodes N              Nodes [default: 3]
      --rf N                 Replication factor [default: 3]
      --days N               Days of incremental backups after the snapshot [default: 3]
      --partitions N         Partitions [default: 1000]
      --size BYTES           Aim for this much uncompressed Data.db in total instead
                             (suffixes K, M, G: 500M, 1G)
      --format mc|nb|oa      SSTable format: Cassandra 3.x, 4.x or 5.0 [default: nb]
      --compression C        lz4 (default), zstd, deflate, snappy or none
      --truth all|last       Truth for every day (default) or the last day only
      --miss-rate P          Chance a replica misses a write [default: 0.05]
  -h, --help                 Print help
";

fn number<T: std::str::FromStr>(p: &mut lexopt::Parser, what: &str) -> Result<T, Error> {
    let v = p.value().map_err(arg_err)?;
    v.to_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| usage(format!("{what} takes a number, not {v:?}")))
}

/// "500M", "1G", "64K", "12345".
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim().trim_end_matches(['B', 'b']);
    let (num, mult) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1u64 << 10),
        'M' | 'm' => (&s[..s.len() - 1], 1 << 20),
        'G' | 'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<f64>().ok().map(|n| (n * mult as f64) as u64)
}

pub fn cmd_gen(mut p: lexopt::Parser) -> Result<i32, Error> {
    use lexopt::prelude::*;
    let mut req = GenRequest::default();
    let mut out: Option<PathBuf> = None;
    while let Some(arg) = p.next().map_err(arg_err)? {
        match arg {
            Short('h') | Long("help") => {
                print!("{GEN_HELP}");
                return Ok(0);
            }
            Long("out") => out = Some(p.value().map_err(arg_err)?.into()),
            Long("profile") => {
                let v = p.value().map_err(arg_err)?;
                req.profile = Profile::from_name(&v.to_string_lossy())?;
            }
            Long("seed") => req.seed = number(&mut p, "--seed")?,
            Long("nodes") => req.nodes = number(&mut p, "--nodes")?,
            Long("rf") => req.rf = number(&mut p, "--rf")?,
            Long("days") => req.days = number(&mut p, "--days")?,
            Long("partitions") => req.partitions = number(&mut p, "--partitions")?,
            Long("miss-rate") => req.miss_rate = number(&mut p, "--miss-rate")?,
            Long("size") => {
                let v = p.value().map_err(arg_err)?;
                req.size = Some(v.to_str().and_then(parse_size).ok_or_else(|| {
                    usage(format!("--size takes a byte count like 500M, not {v:?}"))
                })?);
            }
            Long("format") => {
                req.format = p.value().map_err(arg_err)?.to_string_lossy().into_owned()
            }
            Long("compression") => {
                let v = p.value().map_err(arg_err)?;
                req.compression = match v.to_str() {
                    Some("lz4") => Some(Compressor::Lz4),
                    Some("zstd") => Some(Compressor::Zstd),
                    Some("deflate") => Some(Compressor::Deflate),
                    Some("snappy") => Some(Compressor::Snappy),
                    Some("none") => None,
                    _ => {
                        return Err(usage(format!(
                            "--compression takes lz4, zstd, deflate, snappy or none, not {v:?}"
                        )));
                    }
                };
            }
            Long("truth") => {
                let v = p.value().map_err(arg_err)?;
                req.truth_every_day = match v.to_str() {
                    Some("all") => true,
                    Some("last") => false,
                    _ => return Err(usage(format!("--truth takes all or last, not {v:?}"))),
                };
            }
            other => return Err(usage(other.unexpected().to_string())),
        }
    }
    req.out = out.ok_or_else(|| usage("gen needs --out DIR"))?;
    let started = std::time::Instant::now();
    let r = generate(&req)?;
    let secs = started.elapsed().as_secs_f64();
    let _ = writeln!(
        std::io::stderr(),
        "casscade gen: {} partitions, {} SSTables, {:.1} MB of Data.db ({:.1} MB on disk) in {secs:.2} s \
         ({:.0} MB/s); {} rows after day {} (--now {}, gc_grace {} s)",
        r.partitions,
        r.sstables,
        r.data_bytes as f64 / 1e6,
        r.stored_bytes as f64 / 1e6,
        r.data_bytes as f64 / 1e6 / secs.max(1e-9),
        r.final_rows,
        req.days,
        r.final_now,
        r.gc_grace_seconds,
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("500MB"), Some(500 << 20));
        assert_eq!(parse_size("1234"), Some(1234));
        assert_eq!(parse_size("x"), None);
    }
}
