//! Statistics.db: the SSTable's metadata (SSTABLE_FORMAT.md §8).
//!
//! ```text
//! ma..me:  i32 count | count × (i32 type, i32 offset) | bodies…
//! na+:     i32 count | i32 crc(count) | pairs | i32 crc(count, pairs continued)
//!          | each body followed by i32 crc(body)
//! ```
//! Component types: 0 VALIDATION (partitioner), 1 COMPACTION (skipped),
//! 2 STATS (timestamps, deletion times, histograms…), 3 HEADER (the
//! serialization header: key, clustering and column types, delta bases).
//! Components are found by type, and each ends at the smallest offset
//! greater than its own, because ScyllaDB writes the TOC out of order.

use crate::error::{Error, ErrorKind, Offset, Result};

use super::version::Version;
use crate::types::cursor::{Cursor, Short};

/// Base of the header's minimum timestamp delta: 2015-09-22T00:00:00Z in µs.
pub const TIMESTAMP_EPOCH: i64 = 1_442_880_000_000_000;
/// Base of the header's minimum local deletion time delta, in seconds.
pub const DELETION_TIME_EPOCH: i32 = 1_442_880_000;

/// The serialization header as stored: type strings not yet parsed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawHeader {
    /// Minimum timestamp: the base of every timestamp delta in Data.db.
    pub min_timestamp: i64,
    /// Minimum local deletion time (raw 32 bits): the base of LDT deltas.
    pub min_local_deletion_time: u32,
    /// Minimum TTL: the base of TTL deltas.
    pub min_ttl: i32,
    /// The partition key type string.
    pub key_type: String,
    /// The clustering column type strings, in order.
    pub clustering_types: Vec<String>,
    /// Static columns (name, type string), as listed.
    pub static_columns: Vec<(String, String)>,
    /// Regular columns (name, type string), as listed.
    pub regular_columns: Vec<(String, String)>,
}

impl RawHeader {
    /// Parses a HEADER component's bytes (without the `na`+ CRC). Errors
    /// carry the offset within those bytes.
    pub fn parse(bytes: &[u8]) -> Result<RawHeader> {
        parse_header(bytes).map_err(|(at, e)| e.with_offset(Offset::File(at as u64)))
    }
}

/// The STATS component (the fields a reader may use; histograms skipped).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    /// Smallest cell/row/deletion timestamp in the SSTable (µs).
    pub min_timestamp: i64,
    /// Largest timestamp (µs).
    pub max_timestamp: i64,
    /// Smallest local deletion time (raw 32 bits; "none" is 0x7FFFFFFF
    /// before `oa` and 0xFFFFFFFF in `oa`).
    pub min_local_deletion_time: u32,
    /// Largest local deletion time (raw 32 bits).
    pub max_local_deletion_time: u32,
    /// Smallest TTL.
    pub min_ttl: i32,
    /// Largest TTL.
    pub max_ttl: i32,
    /// Compression ratio (−1 when unknown).
    pub compression_ratio: f64,
    /// Number of entries in the tombstone drop-time histogram.
    pub tombstone_histogram_entries: u32,
    /// Leveled-compaction level.
    pub sstable_level: i32,
    /// When the data was repaired (0 = unrepaired).
    pub repaired_at: i64,
    /// Whether pre-2.1 local/remote counter shards may be present.
    pub has_legacy_counter_shards: bool,
    /// Cells written.
    pub total_columns_set: i64,
    /// Rows written.
    pub total_rows: i64,
    /// Pending incremental repair session, if any.
    pub pending_repair: Option<[u8; 16]>,
    /// Whether the SSTable holds transient-replica data.
    pub is_transient: bool,
    /// Host that wrote the SSTable, when recorded.
    pub originating_host_id: Option<[u8; 16]>,
    /// `oa`+: whether any partition-level deletion is present.
    pub has_partition_level_deletions: Option<bool>,
    /// `oa`+: first partition key.
    pub first_key: Option<Vec<u8>>,
    /// `oa`+: last partition key.
    pub last_key: Option<Vec<u8>>,
    /// Commit-log upper bound: (segment id, position).
    pub commit_log_upper_bound: (i64, i32),
    /// Commit-log lower bound (`mb`+).
    pub commit_log_lower_bound: Option<(i64, i32)>,
    /// Commit-log intervals covered (`mc`+).
    pub commit_log_intervals: Vec<((i64, i32), (i64, i32))>,
    /// `oa`+: share of the token ring covered.
    pub token_space_coverage: Option<f64>,
}

/// The parsed Statistics.db.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    /// Partitioner class name (VALIDATION).
    pub partitioner: String,
    /// Bloom filter false-positive chance (VALIDATION).
    pub bloom_filter_fp_chance: f64,
    /// The STATS component.
    pub stats: Stats,
    /// The serialization header (HEADER).
    pub header: RawHeader,
}

const VALIDATION: i32 = 0;
const STATS: i32 = 2;
const HEADER: i32 = 3;

impl Statistics {
    /// Parses a whole Statistics.db file. Offsets in errors are file offsets.
    pub fn parse(bytes: &[u8], version: &Version) -> Result<Statistics> {
        let checksummed = version.has_checksummed_statistics();
        let toc = read_toc(bytes, checksummed)?;
        let body = |kind: i32, name: &str| -> Result<(&[u8], u64)> {
            let Some(&(_, start)) = toc.iter().find(|(t, _)| *t == kind) else {
                return Err(Error::corrupt(format!("Statistics.db has no {name} component")));
            };
            let end =
                toc.iter().map(|&(_, o)| o).filter(|&o| o > start).min().unwrap_or(bytes.len());
            let mut body = bytes
                .get(start..end)
                .ok_or_else(|| Error::corrupt(format!("{name} component runs past end of file")))?;
            if checksummed {
                let (data, crc) = body.split_at(body.len().saturating_sub(4));
                if crc.len() != 4 {
                    return Err(Error::corrupt(format!("{name} component too short for its CRC"))
                        .with_offset(Offset::File(start as u64)));
                }
                let stored = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
                let actual = crc32fast::hash(data);
                if stored != actual {
                    return Err(Error::new(
                        ErrorKind::Checksum,
                        format!(
                            "{name} component CRC32: stored {stored:#010x}, computed {actual:#010x}"
                        ),
                    )
                    .with_offset(Offset::File(end as u64 - 4)));
                }
                body = data;
            }
            Ok((body, start as u64))
        };

        let (validation, vstart) = body(VALIDATION, "VALIDATION")?;
        let mut c = Cursor::new(validation);
        let partitioner =
            read_java_utf(&mut c).map_err(|_| short("VALIDATION partitioner", vstart))?;
        let bloom_filter_fp_chance = c.f64().map_err(|_| short("VALIDATION fp chance", vstart))?;
        if version.is_legacy() {
            // Pre-3.0: no HEADER (the schema comes from outside) and a STATS
            // layout of its own that nothing here needs.
            return Ok(Statistics {
                partitioner,
                bloom_filter_fp_chance,
                stats: Stats::default(),
                header: RawHeader::default(),
            });
        }

        let (header_bytes, hstart) = body(HEADER, "HEADER")?;
        let header = parse_header(header_bytes)
            .map_err(|(at, e)| e.with_offset(Offset::File(hstart + at as u64)))?;

        let (stats_bytes, sstart) = body(STATS, "STATS")?;
        let stats = parse_stats(stats_bytes, version)
            .map_err(|(at, e)| e.with_offset(Offset::File(sstart + at as u64)))?;

        Ok(Statistics { partitioner, bloom_filter_fp_chance, stats, header })
    }
}

fn short(what: &str, at: u64) -> Error {
    Error::new(ErrorKind::Truncated, format!("Statistics.db ends inside {what}"))
        .with_offset(Offset::File(at))
}

/// Reads the table of contents: (component type, absolute offset) pairs.
fn read_toc(bytes: &[u8], checksummed: bool) -> Result<Vec<(i32, usize)>> {
    let mut c = Cursor::new(bytes);
    let count = c.i32().map_err(|_| short("the table of contents", 0))?;
    if !(1..=16).contains(&count) {
        return Err(Error::corrupt(format!(
            "Statistics.db table of contents: expected 1 to 16 components, found {count}"
        ))
        .with_offset(Offset::File(0)));
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes[..4]);
    if checksummed {
        let stored = c.u32().map_err(|_| short("the table of contents", 4))?;
        let actual = crc.clone().finalize();
        if stored != actual {
            return Err(Error::new(
                ErrorKind::Checksum,
                format!("Statistics.db component count CRC32: stored {stored:#010x}, computed {actual:#010x}"),
            )
            .with_offset(Offset::File(4)));
        }
    }
    let pairs_start = c.pos();
    let mut toc = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let at = c.pos() as u64;
        let kind = c.i32().map_err(|_| short("the table of contents", at))?;
        let offset = c.i32().map_err(|_| short("the table of contents", at))?;
        let offset =
            usize::try_from(offset).ok().filter(|&o| o <= bytes.len()).ok_or_else(|| {
                Error::corrupt(format!(
                    "Statistics.db component {kind} at offset {offset}, outside the {}-byte file",
                    bytes.len()
                ))
                .with_offset(Offset::File(at))
            })?;
        toc.push((kind, offset));
    }
    if checksummed {
        crc.update(&bytes[pairs_start..c.pos()]);
        let at = c.pos() as u64;
        let stored = c.u32().map_err(|_| short("the table of contents CRC", at))?;
        let actual = crc.finalize();
        if stored != actual {
            return Err(Error::new(
                ErrorKind::Checksum,
                format!("Statistics.db table of contents CRC32: stored {stored:#010x}, computed {actual:#010x}"),
            )
            .with_offset(Offset::File(at)));
        }
    }
    Ok(toc)
}

/// Java `writeUTF`: u16 length + modified UTF-8 (plain UTF-8 for our names).
fn read_java_utf(c: &mut Cursor<'_>) -> Result<String, Short> {
    let b = c.short_bytes()?;
    Ok(String::from_utf8_lossy(b).into_owned())
}

type FieldResult<T> = std::result::Result<T, (usize, Error)>;

fn field<T>(c: &Cursor<'_>, what: &str, r: Result<T, Short>) -> FieldResult<T> {
    r.map_err(|_| {
        (c.pos(), Error::new(ErrorKind::Truncated, format!("Statistics.db ends inside {what}")))
    })
}

fn utf8_string(c: &Cursor<'_>, what: &str, bytes: &[u8]) -> FieldResult<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| (c.pos(), Error::corrupt(format!("{what} is not valid UTF-8"))))
}

/// Bounds a count read from the file by what the remaining bytes can hold.
fn count(c: &Cursor<'_>, what: &str, n: u64, min_entry: usize) -> FieldResult<usize> {
    let max = c.remaining() / min_entry.max(1);
    usize::try_from(n).ok().filter(|&n| n <= max).ok_or_else(|| {
        (
            c.pos(),
            Error::corrupt(format!(
                "{what}: count {n} exceeds what the remaining {} bytes can hold",
                c.remaining()
            )),
        )
    })
}

/// Reads one field, turning a short read into a located error.
macro_rules! read {
    ($c:ident, $what:expr, $m:ident) => {{
        let r = $c.$m();
        field(&$c, $what, r)?
    }};
}

fn parse_header(bytes: &[u8]) -> FieldResult<RawHeader> {
    let mut c = Cursor::new(bytes);
    let ts = read!(c, "HEADER minTimestamp", uvint);
    let min_timestamp = TIMESTAMP_EPOCH.wrapping_add(ts as i64);
    let ldt = read!(c, "HEADER minLocalDeletionTime", vint32);
    let min_local_deletion_time = (ldt as i32).wrapping_add(DELETION_TIME_EPOCH) as u32;
    let min_ttl = read!(c, "HEADER minTTL", vint32) as i32;
    let key = read!(c, "HEADER key type", vint_bytes);
    let key_type = utf8_string(&c, "HEADER key type", key)?;

    let n = read!(c, "HEADER clustering count", uvint);
    let n = count(&c, "HEADER clustering types", n, 1)?;
    let mut clustering_types = Vec::with_capacity(n);
    for _ in 0..n {
        let t = read!(c, "HEADER clustering type", vint_bytes);
        clustering_types.push(utf8_string(&c, "HEADER clustering type", t)?);
    }
    let mut columns = |what: &str| -> FieldResult<Vec<(String, String)>> {
        let n = read!(c, what, uvint);
        let n = count(&c, what, n, 2)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let name = read!(c, what, vint_bytes);
            let name = utf8_string(&c, "column name", name)?;
            let ty = read!(c, what, vint_bytes);
            out.push((name, utf8_string(&c, "column type", ty)?));
        }
        Ok(out)
    };
    let static_columns = columns("HEADER static columns")?;
    let regular_columns = columns("HEADER regular columns")?;
    if !c.is_empty() {
        return Err((
            c.pos(),
            Error::corrupt(format!("HEADER has {} unexpected trailing bytes", c.remaining())),
        ));
    }
    Ok(RawHeader {
        min_timestamp,
        min_local_deletion_time,
        min_ttl,
        key_type,
        clustering_types,
        static_columns,
        regular_columns,
    })
}

fn skip(c: &mut Cursor<'_>, what: &str, n: usize) -> FieldResult<()> {
    let r = c.skip(n);
    field(c, what, r)
}

fn skip_histogram(c: &mut Cursor<'_>, what: &str) -> FieldResult<()> {
    let r = c.i32();
    let n = field(c, what, r)?;
    let n = count(c, what, u64::try_from(n).unwrap_or(u64::MAX), 16)?;
    skip(c, what, n * 16)
}

fn parse_stats(bytes: &[u8], v: &Version) -> FieldResult<Stats> {
    let mut c = Cursor::new(bytes);
    let mut s = Stats::default();
    skip_histogram(&mut c, "STATS partition-size histogram")?;
    skip_histogram(&mut c, "STATS cells-per-partition histogram")?;
    s.commit_log_upper_bound =
        (read!(c, "STATS commit log position", i64), read!(c, "STATS commit log position", i32));
    s.min_timestamp = read!(c, "STATS minTimestamp", i64);
    s.max_timestamp = read!(c, "STATS maxTimestamp", i64);
    s.min_local_deletion_time = read!(c, "STATS minLocalDeletionTime", u32);
    s.max_local_deletion_time = read!(c, "STATS maxLocalDeletionTime", u32);
    s.min_ttl = read!(c, "STATS minTTL", i32);
    s.max_ttl = read!(c, "STATS maxTTL", i32);
    s.compression_ratio = read!(c, "STATS compressionRatio", f64);
    let _max_bins = read!(c, "STATS tombstone histogram", i32);
    let n = read!(c, "STATS tombstone histogram", i32);
    let entry = if v.is_oa() { 12 } else { 16 };
    let n = count(&c, "STATS tombstone histogram", u64::try_from(n).unwrap_or(u64::MAX), entry)?;
    s.tombstone_histogram_entries = n as u32;
    skip(&mut c, "STATS tombstone histogram", n * entry)?;
    s.sstable_level = read!(c, "STATS sstableLevel", i32);
    s.repaired_at = read!(c, "STATS repairedAt", i64);
    if v.is_oa() {
        // Clustering types, then a Slice of two bounds.
        let n = read!(c, "STATS clustering types", uvint);
        let n = count(&c, "STATS clustering types", n, 1)?;
        let mut types = Vec::with_capacity(n);
        for _ in 0..n {
            let t = read!(c, "STATS clustering type", vint_bytes);
            let t = utf8_string(&c, "STATS clustering type", t)?;
            let ty = crate::types::marshal::parse_type(&t).map_err(|e| {
                (c.pos(), Error::corrupt(format!("STATS clustering type '{t}': {e}")))
            })?;
            types.push(ty);
        }
        for what in ["STATS min clustering bound", "STATS max clustering bound"] {
            let _kind = read!(c, "STATS clustering bound", u8);
            let size = read!(c, "STATS clustering bound", u16) as usize;
            let r = super::clustering::skip_values(&mut c, &types, size);
            field(&c, what, r)?;
        }
    } else {
        for what in ["STATS min clustering values", "STATS max clustering values"] {
            let k = read!(c, "STATS clustering values", i32);
            let k = count(&c, what, u64::try_from(k).unwrap_or(u64::MAX), 2)?;
            for _ in 0..k {
                read!(c, "STATS clustering value", short_bytes);
            }
        }
    }
    s.has_legacy_counter_shards = read!(c, "STATS hasLegacyCounterShards", bool);
    s.total_columns_set = read!(c, "STATS totalColumnsSet", i64);
    s.total_rows = read!(c, "STATS totalRows", i64);
    if v.has_commit_log_lower_bound() {
        s.commit_log_lower_bound = Some((
            read!(c, "STATS commit log lower bound", i64),
            read!(c, "STATS commit log lower bound", i32),
        ));
    }
    if v.has_commit_log_intervals() {
        let n = read!(c, "STATS commit log intervals", i32);
        let n = count(&c, "STATS commit log intervals", u64::try_from(n).unwrap_or(u64::MAX), 24)?;
        for _ in 0..n {
            let a = (
                read!(c, "STATS commit log interval", i64),
                read!(c, "STATS commit log interval", i32),
            );
            let b = (
                read!(c, "STATS commit log interval", i64),
                read!(c, "STATS commit log interval", i32),
            );
            s.commit_log_intervals.push((a, b));
        }
    }
    if v.has_pending_repair() {
        if read!(c, "STATS pendingRepair", bool) {
            s.pending_repair = Some(read!(c, "STATS pendingRepair", array));
        }
        // Pre-release 4.0 `na` files end here (no isTransient).
        if c.is_empty() {
            return Ok(s);
        }
        s.is_transient = read!(c, "STATS isTransient", bool);
    }
    if v.has_originating_host_id() && !c.is_empty() && read!(c, "STATS originatingHostId", bool) {
        s.originating_host_id = Some(read!(c, "STATS originatingHostId", array));
    }
    if v.is_oa() {
        s.has_partition_level_deletions = Some(read!(c, "STATS hasPartitionLevelDeletions", bool));
        s.first_key = Some(read!(c, "STATS firstKey", vint_bytes).to_vec());
        s.last_key = Some(read!(c, "STATS lastKey", vint_bytes).to_vec());
        s.token_space_coverage = Some(read!(c, "STATS tokenSpaceCoverage", f64));
    }
    if !c.is_empty() && !v.stats_may_have_trailing_bytes() {
        return Err((
            c.pos(),
            Error::corrupt(format!("STATS has {} unexpected trailing bytes", c.remaining())),
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bytes_from_the_format_reference() {
        // LEG/oa/simple header, §8.6.
        let mut b = vec![0xfc, 0xe0, 0xb1, 0x47, 0x8f, 0x1e, 0x78, 0x00, 0x00, 0x28];
        b.extend_from_slice(b"org.apache.cassandra.db.marshal.UTF8Type");
        b.extend_from_slice(&[0x00, 0x00, 0x01, 0x03]);
        b.extend_from_slice(b"val");
        b.push(0x28);
        b.extend_from_slice(b"org.apache.cassandra.db.marshal.UTF8Type");
        let h = parse_header(&b).unwrap();
        assert_eq!(h.min_timestamp, 1_689_932_014_395_000);
        assert_eq!(h.min_local_deletion_time, DELETION_TIME_EPOCH as u32);
        assert_eq!(h.min_ttl, 0);
        assert_eq!(
            h.regular_columns,
            vec![("val".to_string(), "org.apache.cassandra.db.marshal.UTF8Type".to_string())]
        );
    }

    #[test]
    fn overflowed_min_ldt_decodes_in_32_bits() {
        // NLE/table3: f0 2a 0b 59 90 = 705386896; + epoch in 32 bits.
        let mut b = vec![0x00, 0xf0, 0x2a, 0x0b, 0x59, 0x90, 0x00, 0x01, b'x', 0x00, 0x00, 0x00];
        b[7] = 0x01;
        let h = parse_header(&b).unwrap();
        assert_eq!(h.min_local_deletion_time as i32, -2_146_700_400);
    }

    #[test]
    fn truncated_header_is_an_error_with_offset() {
        let b = [0xfc, 0xe0, 0xb1];
        let (at, e) = parse_header(&b).unwrap_err();
        assert_eq!(at, 0);
        assert_eq!(e.kind(), ErrorKind::Truncated);
    }
}
