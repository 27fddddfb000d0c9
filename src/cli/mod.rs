//! The command line: arguments in, a library call, an exit code out. This
//! module belongs to the binary; the library knows nothing of it.
//!
//! Exit codes: 0 success; 1 finished but skipped bad input (reported on
//! stderr); 2 error. A closed stdout (`| head`) ends quietly with 0.

mod export;
mod generate;
mod time;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use casscade::pipeline::dump::{DumpRequest, dump};
use casscade::pipeline::dump_doc::TimestampFormat;
use casscade::schema::Schema;
use casscade::{Error, ErrorKind};

const VERSION: &str = env!("CARGO_PKG_VERSION");

const HELP: &str = "\
casscade — Cassandra SSTable backups to a clean JSON-lines dataset

Usage: casscade <COMMAND> [OPTIONS]

Commands:
  dump     Print SSTables as JSON lines, one partition per line (sstabledump -l shape)
  export   Merge a table's SSTables from every node into a JSON-lines dataset version
  gen      Simulate a cluster's backups (snapshot, daily incrementals) with their ground truth
  help     Print this help, or a command's help (casscade help dump)

Options:
  -h, --help       Print help
  -V, --version    Print the version
";

const DUMP_HELP: &str = "\
Print SSTables as JSON lines, one partition per line, in the shape of
Cassandra 5.0's `sstabledump -l`.

Usage: casscade dump [OPTIONS] PATH...

PATH is any component file of an SSTable (nb-1-big-Data.db, …-TOC.txt, …) or a
directory, searched recursively for *-Data.db. Cassandra 3.0 to 5.0 formats
(ma, mb, mc, md, me, na, nb, oa, da) and ScyllaDB's are read; checksums,
Digest.crc32 and Index.db are verified while reading.

Options:
      --schema FILE          A CQL file with CREATE TABLE (Medusa's schema.cql works):
                             key columns get their names, types are checked
      --timestamps iso|raw   ISO-8601 timestamps (default) or raw integers (sstabledump -t)
      --now TIME             The time `expired` flags compare with: RFC 3339
                             (2024-05-01T00:00:00Z) or epoch seconds [default: now]
      --skip-bad-sstables    Report unreadable SSTables on stderr and go on (exit code 1)
      --stats                Print a summary to stderr: counts, bytes, time, peak memory
  -h, --help                 Print help
";

/// Runs the command line; returns the process exit code.
pub fn main_with(args: Vec<OsString>) -> i32 {
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return 0;
            }
            let _ = writeln!(io::stderr(), "casscade: error: {e}");
            2
        }
    }
}

fn is_broken_pipe(e: &Error) -> bool {
    std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<io::Error>())
        .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

fn usage(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, format!("{} (see casscade --help)", msg.into()))
}

fn arg_err(e: lexopt::Error) -> Error {
    usage(e.to_string())
}

fn run(args: Vec<OsString>) -> Result<i32, Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let Some(first) = p.next().map_err(arg_err)? else {
        print!("{HELP}");
        return Ok(2);
    };
    match first {
        Short('h') | Long("help") => {
            print!("{HELP}");
            Ok(0)
        }
        Short('V') | Long("version") => {
            println!("casscade {VERSION}");
            Ok(0)
        }
        Value(cmd) => match cmd.to_str() {
            Some("dump") => cmd_dump(p),
            Some("gen") => generate::cmd_gen(p),
            Some("export") => export::cmd_export(p),
            Some("help") => {
                match p.next().map_err(arg_err)? {
                    Some(Value(c)) if c == "dump" => print!("{DUMP_HELP}"),
                    Some(Value(c)) if c == "gen" => print!("{}", generate::GEN_HELP),
                    Some(Value(c)) if c == "export" => print!("{}", export::EXPORT_HELP),
                    _ => print!("{HELP}"),
                }
                Ok(0)
            }
            _ => Err(usage(format!("unknown command {:?}", cmd))),
        },
        other => Err(usage(other.unexpected().to_string())),
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cmd_dump(mut p: lexopt::Parser) -> Result<i32, Error> {
    use lexopt::prelude::*;
    let mut req = DumpRequest::default();
    let mut schema_path: Option<PathBuf> = None;
    let mut now: Option<i64> = None;
    let mut stats = false;
    while let Some(arg) = p.next().map_err(arg_err)? {
        match arg {
            Short('h') | Long("help") => {
                print!("{DUMP_HELP}");
                return Ok(0);
            }
            Long("schema") => schema_path = Some(p.value().map_err(arg_err)?.into()),
            Long("timestamps") => {
                let v = p.value().map_err(arg_err)?;
                req.timestamps = match v.to_str() {
                    Some("iso") => TimestampFormat::Iso,
                    Some("raw") => TimestampFormat::Raw,
                    _ => return Err(usage(format!("--timestamps takes iso or raw, not {v:?}"))),
                };
            }
            Long("now") => {
                let v = p.value().map_err(arg_err)?;
                let s = v.to_str().ok_or_else(|| usage("--now is not valid text"))?;
                now = Some(time::parse_time(s).map_err(usage)?);
            }
            Long("skip-bad-sstables") => req.skip_bad = true,
            Long("stats") => stats = true,
            Value(v) => req.inputs.push(v.into()),
            other => return Err(usage(other.unexpected().to_string())),
        }
    }
    if req.inputs.is_empty() {
        return Err(usage("dump needs at least one PATH"));
    }
    if let Some(path) = schema_path {
        req.schema = Some(Schema::load(&path)?);
    }
    req.now = now.unwrap_or_else(time::wall_clock_seconds);
    let started = std::time::Instant::now();
    let stdout = io::stdout();
    // Unbuffered here: `dump` already writes in 256 KiB chunks of whole lines,
    // which stdout's line writer passes straight through.
    let mut out = stdout.lock();
    let report = dump(&req, &mut out)?;
    out.flush().map_err(|e| Error::io("writing the dump", e))?;
    for e in &report.skipped {
        let _ = writeln!(io::stderr(), "casscade: skipped: {e}");
    }
    if stats {
        let secs = started.elapsed().as_secs_f64();
        let mb = report.data_bytes as f64 / 1e6;
        let stored = report.bytes_read as f64 / 1e6;
        let peak = peak_rss_kib()
            .map(|k| format!("; peak memory {:.1} MiB", k as f64 / 1024.0))
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "casscade dump: {} SSTables, {} partitions, {} rows, {} range tombstone markers, \
             {mb:.1} MB of Data.db ({stored:.1} MB stored) in {secs:.2} s ({:.0} MB/s){peak}",
            report.sstables,
            report.partitions,
            report.rows,
            report.markers,
            mb / secs.max(1e-9)
        );
    }
    Ok(if report.skipped.is_empty() { 0 } else { 1 })
}
