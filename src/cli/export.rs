//! `casscade export`: arguments, progress on a terminal, the summary.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use casscade::Error;
use casscade::pipeline::export::{ExportRequest, Progress, export};
use casscade::schema::Schema;

use super::{arg_err, peak_rss_kib, time, usage};

pub const EXPORT_HELP: &str = "\
Merge every SSTable of a table, from every node of a backup, into one dataset
version: JSON lines, one live CQL row per line as SELECT JSON renders it, in
token-range parts, with a manifest tracing it back to its inputs.

Usage: casscade export --out DIR [OPTIONS] INPUT...

INPUT is any mix of SSTable component files and directories searched
recursively for *-Data.db (data directories, nodetool snapshots, Medusa and
Priam trees). Replicas are reconciled with Cassandra 4.0+'s rules.

Output:
  DIR/CURRENT                  the newest complete version, e.g. v000001
  DIR/v000001/manifest.json    settings, lineage, and per part: token range, rows, bytes, sha256
  DIR/v000001/part-00000.jsonl rows of one token range, token then clustering order

Options:
      --out DIR              The dataset directory
      --schema FILE          CQL with CREATE TABLE (Medusa's schema.cql works): column names,
                             types checked, gc_grace_seconds [default: from the SSTable headers,
                             key columns named pk0…, ck0…]
      --table KS.NAME        Which table, when the inputs hold several
      --now TIME             The clock for TTL expiry and tombstone purging: RFC 3339 or
                             epoch seconds [default: now]
      --gc-grace SECONDS     Override the table's gc_grace_seconds [default: schema, else 864000]
      --buckets N            Token-range parts of the first version [default: 16]
      --jobs N               Token ranges merged in parallel [default: all cores]
      --skip-bad-sstables    Leave out SSTables that cannot be opened (unsupported version,
                             damaged metadata), report them, and exit with code 1
  -h, --help                 Print help
";

/// A one-line progress display on a terminal.
struct Bar {
    started: Instant,
    last: Instant,
}

impl Progress for Bar {
    fn rows(&mut self, rows: u64, partitions: u64) {
        if self.last.elapsed().as_millis() < 200 {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64();
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2K  {rows} rows, {partitions} partitions, {:.0} rows/s",
            rows as f64 / secs.max(1e-9)
        );
    }
}

pub fn cmd_export(mut p: lexopt::Parser) -> Result<i32, Error> {
    use lexopt::prelude::*;
    let mut req = ExportRequest::default();
    let mut out: Option<PathBuf> = None;
    let mut schema: Option<PathBuf> = None;
    let mut now: Option<i64> = None;
    while let Some(arg) = p.next().map_err(arg_err)? {
        match arg {
            Short('h') | Long("help") => {
                print!("{EXPORT_HELP}");
                return Ok(0);
            }
            Long("out") => out = Some(p.value().map_err(arg_err)?.into()),
            Long("schema") => schema = Some(p.value().map_err(arg_err)?.into()),
            Long("table") => {
                req.table = Some(p.value().map_err(arg_err)?.to_string_lossy().into_owned())
            }
            Long("now") => {
                let v = p.value().map_err(arg_err)?;
                let s = v.to_str().ok_or_else(|| usage("--now is not valid text"))?;
                now = Some(time::parse_time(s).map_err(usage)?);
            }
            Long("gc-grace") => {
                let v = p.value().map_err(arg_err)?;
                req.gc_grace = Some(
                    v.to_str()
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| usage("--gc-grace takes seconds"))?,
                );
            }
            Long("buckets") => {
                let v = p.value().map_err(arg_err)?;
                let n: u32 = v
                    .to_str()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| usage("--buckets takes a number"))?;
                if n == 0 || n > 65_536 {
                    return Err(usage("--buckets takes 1 to 65536"));
                }
                req.buckets = Some(n);
            }
            Long("jobs") => {
                let v = p.value().map_err(arg_err)?;
                req.jobs = v
                    .to_str()
                    .and_then(|s| s.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| usage("--jobs takes a positive number"))?;
            }
            Long("skip-bad-sstables") => req.skip_bad = true,
            Value(v) => req.inputs.push(v.into()),
            other => return Err(usage(other.unexpected().to_string())),
        }
    }
    req.out = out.ok_or_else(|| usage("export needs --out DIR"))?;
    if req.inputs.is_empty() {
        return Err(usage("export needs at least one INPUT"));
    }
    if let Some(path) = schema {
        req.schema = Some(Schema::load(&path)?);
    }
    req.now = now.unwrap_or_else(time::wall_clock_seconds);
    let started = Instant::now();
    let r = if std::io::stderr().is_terminal() {
        let mut bar = Bar { started, last: started };
        let r = export(&req, &mut bar);
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
        r?
    } else {
        export(&req, &mut ())?
    };
    let secs = started.elapsed().as_secs_f64();
    let mb = r.data_bytes as f64 / 1e6;
    let peak = peak_rss_kib()
        .map(|k| format!(", peak memory {:.0} MiB", k as f64 / 1024.0))
        .unwrap_or_default();
    let s = &r.merge;
    let _ = writeln!(
        std::io::stderr(),
        "casscade export: {} {} → {} ({} rows in {} parts{}, {:.1} MB of JSON)\n  \
         {} SSTables, {mb:.1} MB of Data.db, {} partitions, {} row versions read; \
         {} tombstones ({} past gc_grace {} s), {} expired, {} shadowed; {secs:.2} s ({:.0} MB/s{peak})",
        r.table,
        req.out.display(),
        r.version,
        r.rows,
        r.parts,
        if r.linked_parts > 0 { format!(", {} unchanged", r.linked_parts) } else { String::new() },
        r.bytes as f64 / 1e6,
        r.sstables,
        s.partitions,
        s.rows_read,
        s.tombstones,
        s.purgeable,
        r.gc_grace,
        s.expired,
        s.shadowed,
        mb / secs.max(1e-9),
    );
    for e in &r.skipped {
        let _ = writeln!(std::io::stderr(), "casscade: skipped: {e}");
    }
    Ok(if r.skipped.is_empty() { 0 } else { 1 })
}
