//! The `casscade dump` document: one JSON object per partition per line, in
//! the shape of Cassandra 5.0's `sstabledump -l` (CQL_JSON.md §9,
//! `tools/JsonTransformer.java`).
//!
//! ```text
//! {"table kind":"REGULAR","partition":{"key":[...],"position":N[,"deletion_info":{...}]},"rows":[...]}
//! ```
//! Rules reproduced from sstabledump:
//! - `position` of the partition and of its static block is the offset just
//!   after the partition header (key, deletion, static row); a row's is the
//!   offset where it starts.
//! - `clustering` is omitted for tables without clustering columns; a bound's
//!   missing components print `"*"`.
//! - a cell's `tstamp` is printed only when it differs from the row's
//!   liveness timestamp (or there is none); `ttl`/`expires_at`/`expired` only
//!   when the cell expires with a TTL different from the row's.
//! - timestamps are `Instant.toString` (or, raw, the integer as a string).
//!
//! Extensions, present only when they apply: `key_columns` and
//! `clustering_columns` (names, when a schema is given) in the partition
//! object; `shadowable_deletion_info` for ScyllaDB's separately encoded
//! shadowable row deletion. Counters show their total, not sstabledump's
//! first eight context bytes.

use crate::output::cql_json::{ValueError, write_string};
use crate::output::json::{Padded, write_i64, write_str};
use crate::output::names::cql_identifier;
use crate::output::temporal::{DateCache, Unit, write_instant};
use crate::output::value_kind::{ValueKind, write_value};
use crate::sstable::clustering::BoundKind;
use crate::sstable::{
    Cell, DeletionTime, LivenessInfo, Marker, PartitionHeader, Row, SerializationHeader,
};
use crate::types::CqlType;

/// How timestamps are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampFormat {
    /// ISO-8601 (`Instant.toString`), sstabledump's default.
    #[default]
    Iso,
    /// The stored integer as a JSON string (sstabledump `-t`).
    Raw,
}

/// Settings of the dump document.
#[derive(Debug, Clone, Default)]
pub struct DumpOptions {
    /// Timestamp format.
    pub timestamps: TimestampFormat,
    /// "Now" in seconds since the epoch, for the `expired` flags.
    pub now: i64,
    /// The `table kind` value (REGULAR, VIEW, INDEX).
    pub table_kind: String,
    /// Partition key column names, when known from a schema.
    pub key_names: Option<Vec<String>>,
    /// Clustering column names, when known from a schema.
    pub clustering_names: Option<Vec<String>>,
}

/// Renders partitions into sstabledump-shaped JSON lines.
#[derive(Debug)]
pub struct DumpWriter<'h> {
    header: &'h SerializationHeader,
    key_names: Option<Vec<String>>,
    clustering_names: Option<Vec<String>>,
    first_row: bool,
    times: Times,
    /// How each static / regular column's cells render.
    static_plans: Vec<ColumnPlan>,
    regular_plans: Vec<ColumnPlan>,
    /// The kind of each clustering column.
    clustering_kinds: Vec<ValueKind>,
    /// `{"table kind":"<kind>","partition":{"key":[`, the same for every
    /// partition of the SSTable.
    line_start: Vec<u8>,
}

/// Timestamps and deletions as text, with the last renderings kept: rows
/// and cells repeat them.
#[derive(Debug)]
struct Times {
    format: TimestampFormat,
    now: i64,
    dates: DateCache,
    deletions: Memo<DeletionTime>,
    /// Keyed by [`live_key`].
    livenesses: Memo<[i64; 3]>,
    timestamps: Memo<i64>,
}

/// The last rendering of a repeating piece (a deletion, a row's liveness,
/// a cell timestamp) and what it rendered.
///
/// A piece is rendered straight into the output and only remembered
/// there (`pending`, its range) until the end of the row or marker, when
/// [`Memo::settle`] copies it aside. Rendering it aside and copying it in
/// made the copy's wide loads wait on the rendering's narrow stores (a
/// store-forwarding stall on every row whose liveness differs from the
/// last: 6% of a time-series dump); by the row's end they have retired.
/// The output is only flushed between rows, so the range stays valid
/// until then.
///
/// Where the pieces do not repeat from row to row (every row of a time
/// series has its own write time), that copy is all cost: after
/// [`MEMO_GIVE_UP`] renderings without a hit, only every
/// [`MEMO_PROBE`]th is kept, until one is used again. This changes what
/// is remembered, never what is written.
#[derive(Debug)]
struct Memo<K> {
    key: Option<K>,
    text: Vec<u8>,
    pending: Option<std::ops::Range<usize>>,
    /// Renderings since the last hit.
    misses: u32,
}

/// Renderings without a hit after which a memo keeps only probes.
const MEMO_GIVE_UP: u32 = 8;
/// While given up, one rendering in this many is kept, to notice when
/// pieces start repeating again.
const MEMO_PROBE: u32 = 16;

impl<K: Copy + PartialEq> Memo<K> {
    fn new() -> Memo<K> {
        Memo { key: None, text: Vec::new(), pending: None, misses: 0 }
    }

    /// Appends the remembered rendering of `key`; false when it is not
    /// the one remembered.
    #[inline]
    fn repeat(&mut self, out: &mut Vec<u8>, key: K) -> bool {
        if self.key != Some(key) {
            return false;
        }
        self.misses = 0;
        match &self.pending {
            // Always within `out` (nothing cuts below a piece before the
            // row's end); checked so that a caller's misuse is a miss, not
            // a panic.
            Some(r) if r.end <= out.len() => out.extend_from_within(r.clone()),
            Some(_) => return false,
            None => out.extend_from_slice(&self.text),
        }
        true
    }

    /// Remembers that `key` was just rendered into `out` from `start`.
    #[inline]
    fn rendered(&mut self, out: &[u8], key: K, start: usize) {
        self.key = Some(key);
        self.pending = Some(start..out.len());
        self.misses = self.misses.saturating_add(1);
    }

    /// Copies a pending rendering aside (before `out` may be flushed), or
    /// forgets it when renderings have stopped repeating.
    #[inline]
    fn settle(&mut self, out: &[u8]) {
        if let Some(r) = self.pending.take() {
            if self.misses > MEMO_GIVE_UP && !self.misses.is_multiple_of(MEMO_PROBE) {
                self.key = None;
                return;
            }
            self.text.clear();
            match out.get(r) {
                Some(t) => self.text.extend_from_slice(t),
                None => self.key = None,
            }
        }
    }
}

/// A short constant text appended by a fixed-size copy and a cut (a
/// variable-length copy is a `memmove` call, one per cell for the names).
#[derive(Debug)]
struct Snippet {
    padded: [u8; SNIPPET],
    len: usize,
    /// The text when longer than the padded copy holds.
    long: Vec<u8>,
}

const SNIPPET: usize = 32;

impl Snippet {
    fn new(text: Vec<u8>) -> Snippet {
        let mut padded = [0u8; SNIPPET];
        if let Some(p) = padded.get_mut(..text.len()) {
            p.copy_from_slice(&text);
        }
        Snippet { padded, len: text.len(), long: text }
    }

    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        if self.len <= SNIPPET {
            let at = out.len();
            out.extend_from_slice(&self.padded);
            out.truncate(at + self.len);
        } else {
            out.extend_from_slice(&self.long);
        }
    }
}

/// How one column's cells render, worked out once per SSTable.
#[derive(Debug)]
struct ColumnPlan {
    /// `{"name":"<cql identifier>"`.
    name: Snippet,
    /// `{"name":"<cql identifier>","value":`, for a live simple cell.
    value_head: Snippet,
    /// The kind of a cell's value (for a collection, of its elements or
    /// map values).
    value: ValueKind,
    /// The type of a cell's value.
    value_type: CqlType,
}

impl ColumnPlan {
    fn new(def: &crate::sstable::ColumnDef) -> ColumnPlan {
        let mut name = b"{\"name\":".to_vec();
        write_str(&mut name, cql_identifier(&def.name).as_bytes());
        let mut value_head = name.clone();
        value_head.extend_from_slice(b",\"value\":");
        // A UDT's field types come from its path; Blob stands in.
        let value_type = def.ty.cell_value_type().unwrap_or(&CqlType::Blob).clone();
        ColumnPlan {
            name: Snippet::new(name),
            value_head: Snippet::new(value_head),
            value: ValueKind::of(&value_type),
            value_type,
        }
    }
}

impl<'h> DumpWriter<'h> {
    /// A writer for one SSTable's header.
    pub fn new(header: &'h SerializationHeader, options: DumpOptions) -> DumpWriter<'h> {
        let mut line_start = b"{\"table kind\":".to_vec();
        write_str(&mut line_start, options.table_kind.as_bytes());
        line_start.extend_from_slice(b",\"partition\":{\"key\":[");
        DumpWriter {
            header,
            key_names: options.key_names,
            clustering_names: options.clustering_names,
            first_row: true,
            times: Times {
                format: options.timestamps,
                now: options.now,
                dates: DateCache::default(),
                deletions: Memo::new(),
                livenesses: Memo::new(),
                timestamps: Memo::new(),
            },
            static_plans: header.statics.defs().iter().map(ColumnPlan::new).collect(),
            regular_plans: header.regulars.defs().iter().map(ColumnPlan::new).collect(),
            clustering_kinds: header.clustering.iter().map(ValueKind::of).collect(),
            line_start,
        }
    }

    /// Starts a partition's line.
    pub fn start_partition(
        &mut self,
        out: &mut Vec<u8>,
        p: &PartitionHeader<'_>,
    ) -> Result<(), ValueError> {
        let r = self.partition_head(out, p);
        self.times.settle(out);
        r
    }

    fn partition_head(
        &mut self,
        out: &mut Vec<u8>,
        p: &PartitionHeader<'_>,
    ) -> Result<(), ValueError> {
        out.extend_from_slice(&self.line_start);
        write_key(out, &self.header.key_type, p.key)?;
        out.push(b']');
        if let Some(names) = &self.key_names {
            out.extend_from_slice(b",\"key_columns\":");
            write_name_list(out, names);
        }
        if let Some(names) = self.clustering_names.as_ref().filter(|n| !n.is_empty()) {
            out.extend_from_slice(b",\"clustering_columns\":");
            write_name_list(out, names);
        }
        out.extend_from_slice(b",\"position\":");
        write_i64(out, p.header_end as i64);
        if let Some(d) = &p.deletion {
            out.extend_from_slice(b",\"deletion_info\":");
            self.times.deletion(out, d);
        }
        out.extend_from_slice(b"},\"rows\":[");
        self.first_row = true;
        Ok(())
    }

    /// Ends the partition's line (with its newline).
    pub fn end_partition(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"]}\n");
    }

    fn separator(&mut self, out: &mut Vec<u8>) {
        if !self.first_row {
            out.push(b',');
        }
        self.first_row = false;
    }

    fn clustering<'a>(
        &mut self,
        out: &mut Vec<u8>,
        values: impl Iterator<Item = Option<&'a [u8]>>,
        len: usize,
    ) -> Result<(), ValueError> {
        if len == 0 {
            return Ok(());
        }
        out.extend_from_slice(b",\"clustering\":[");
        let mut values = values;
        let kinds = self.clustering_kinds.iter();
        for (i, (ty, &kind)) in self.header.clustering.iter().zip(kinds).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match if i < len { values.next() } else { None } {
                Some(Some(v)) => write_value(out, kind, ty, v, &mut self.times.dates)
                    .map_err(|e| e.context(format!("clustering value {i}")))?,
                Some(None) => out.extend_from_slice(b"null"),
                None => out.extend_from_slice(b"\"*\""),
            }
        }
        out.push(b']');
        Ok(())
    }

    /// A row (static or regular). `header_end` is the partition's, used as
    /// the static block's position.
    pub fn row(
        &mut self,
        out: &mut Vec<u8>,
        row: &Row<'_>,
        header_end: u64,
    ) -> Result<(), ValueError> {
        let r = self.row_body(out, row, header_end);
        self.times.settle(out);
        r
    }

    fn row_body(
        &mut self,
        out: &mut Vec<u8>,
        row: &Row<'_>,
        header_end: u64,
    ) -> Result<(), ValueError> {
        self.separator(out);
        let is_static = row.is_static();
        if is_static {
            out.extend_from_slice(b"{\"type\":\"static_block\",\"position\":");
            write_i64(out, header_end as i64);
        } else {
            out.extend_from_slice(b"{\"type\":\"row\",\"position\":");
            write_i64(out, row.position as i64);
            self.clustering(out, row.clustering(), row.clustering_len())?;
        }
        let times = &mut self.times;
        let live = row.liveness();
        if let Some(l) = &live {
            times.liveness(out, l);
        }
        if let Some(d) = row.deletion() {
            out.extend_from_slice(b",\"deletion_info\":");
            times.deletion(out, &d);
        }
        if let Some(d) = row.scylla_shadowable_deletion() {
            out.extend_from_slice(b",\"shadowable_deletion_info\":");
            times.deletion(out, &d);
        }
        out.extend_from_slice(b",\"cells\":[");
        let mut first = true;
        let plans = if is_static { &self.static_plans } else { &self.regular_plans };
        for col in row.columns() {
            let Some(plan) = plans.get(col.index) else { continue };
            if let Some(d) = col.complex_deletion {
                if !first {
                    out.push(b',');
                }
                first = false;
                plan.name.put(out);
                out.extend_from_slice(b",\"deletion_info\":");
                times.deletion(out, &d);
                out.push(b'}');
            }
            let multi_cell = col.def.ty.multi_cell;
            for cell in col.cells() {
                if !first {
                    out.push(b',');
                }
                first = false;
                let (kind, value_type) = match cell.path {
                    Some(path) if multi_cell => {
                        plan.name.put(out);
                        out.extend_from_slice(b",\"path\":[");
                        let udt_field = write_path(out, &col.def.name, &col.def.ty.ty, path)?;
                        out.push(b']');
                        match udt_field {
                            Some(t) => (ValueKind::of(t), t),
                            None => (plan.value, &plan.value_type),
                        }
                    }
                    _ if cell.is_tombstone() => {
                        plan.name.put(out);
                        (plan.value, &plan.value_type)
                    }
                    _ => {
                        // The usual cell: name and `"value":` in one copy.
                        plan.value_head.put(out);
                        write_value(
                            out,
                            plan.value,
                            &plan.value_type,
                            cell.value,
                            &mut times.dates,
                        )
                        .map_err(|e| e.context(format!("column {}", col.def.name)))?;
                        times.cell_rest(out, &cell, live.as_ref());
                        continue;
                    }
                };
                if cell.is_tombstone() {
                    out.extend_from_slice(b",\"deletion_info\":{\"local_delete_time\":");
                    times.time(
                        out,
                        Unit::Seconds,
                        cell.local_deletion_time().unwrap_or(i64::from(i32::MAX)),
                    );
                    out.push(b'}');
                } else {
                    out.extend_from_slice(b",\"value\":");
                    write_value(out, kind, value_type, cell.value, &mut times.dates)
                        .map_err(|e| e.context(format!("column {}", col.def.name)))?;
                }
                times.cell_rest(out, &cell, live.as_ref());
            }
        }
        out.extend_from_slice(b"]}");
        Ok(())
    }

    /// A range-tombstone bound or boundary.
    pub fn marker(&mut self, out: &mut Vec<u8>, m: &Marker<'_>) -> Result<(), ValueError> {
        let r = self.marker_body(out, m);
        self.times.settle(out);
        r
    }

    fn marker_body(&mut self, out: &mut Vec<u8>, m: &Marker<'_>) -> Result<(), ValueError> {
        self.separator(out);
        let kind = m.kind();
        if kind.is_boundary() {
            out.extend_from_slice(b"{\"type\":\"range_tombstone_boundary\"");
            // openBound first ("start"), then closeBound ("end").
            let (open, close) = match kind {
                BoundKind::ExclEndInclStart => (BoundKind::InclStart, BoundKind::ExclEnd),
                _ => (BoundKind::ExclStart, BoundKind::InclEnd),
            };
            let open_deletion = m.open_deletion().unwrap_or(m.deletion());
            self.bound(out, m, open, &open_deletion)?;
            self.bound(out, m, close, &m.deletion())?;
        } else {
            out.extend_from_slice(b"{\"type\":\"range_tombstone_bound\"");
            self.bound(out, m, kind, &m.deletion())?;
        }
        out.push(b'}');
        Ok(())
    }

    fn bound(
        &mut self,
        out: &mut Vec<u8>,
        m: &Marker<'_>,
        kind: BoundKind,
        d: &DeletionTime,
    ) -> Result<(), ValueError> {
        out.extend_from_slice(if kind.is_start() {
            b",\"start\":{\"type\":"
        } else {
            b",\"end\":{\"type\":"
        });
        out.extend_from_slice(if kind.is_inclusive() {
            b"\"inclusive\""
        } else {
            b"\"exclusive\""
        });
        self.clustering(out, m.clustering(), m.clustering_len())?;
        out.extend_from_slice(b",\"deletion_info\":");
        self.times.deletion(out, d);
        out.push(b'}');
        Ok(())
    }
}

/// Writes a multi-cell column's cell path (without brackets); for a UDT,
/// returns the field's type.
fn write_path<'t>(
    out: &mut Vec<u8>,
    name: &str,
    ty: &'t CqlType,
    path: &[u8],
) -> Result<Option<&'t CqlType>, ValueError> {
    if let CqlType::Udt(u) = ty {
        let index = field_index(path).ok_or_else(|| ValueError {
            message: format!(
                "column {name}: UDT cell path of {} bytes is not a 2-byte field index",
                path.len()
            ),
        })?;
        let (field, fty) = u.fields.get(index).ok_or_else(|| ValueError {
            message: format!(
                "column {name}: UDT field index {index} beyond the type's {} fields",
                u.fields.len()
            ),
        })?;
        write_str(out, field.as_bytes());
        return Ok(Some(fty));
    }
    if let Some(pt) = ty.cell_path_type() {
        write_string(out, pt, path).map_err(|e| e.context(format!("column {name} cell path")))?;
    }
    Ok(None)
}

impl Times {
    fn time(&mut self, out: &mut Vec<u8>, unit: Unit, v: i64) {
        out.push(b'"');
        match self.format {
            TimestampFormat::Iso => write_instant(out, &mut self.dates, unit, v),
            TimestampFormat::Raw => write_i64(out, v),
        }
        out.push(b'"');
    }

    fn deletion(&mut self, out: &mut Vec<u8>, d: &DeletionTime) {
        // Deletions repeat (a range delete's two bounds, a batch).
        if self.deletions.repeat(out, *d) {
            return;
        }
        let start = out.len();
        out.extend_from_slice(b"{\"marked_deleted\":");
        self.time(out, Unit::Micros, d.marked_for_delete_at);
        out.extend_from_slice(b",\"local_delete_time\":");
        self.time(out, Unit::Seconds, d.local_deletion_time);
        out.push(b'}');
        self.deletions.rendered(out, *d, start);
    }

    /// A cell's `"tstamp"` value (the cells of a row usually share it).
    fn cell_timestamp(&mut self, out: &mut Vec<u8>, ts: i64) {
        if self.timestamps.repeat(out, ts) {
            return;
        }
        let start = out.len();
        self.time(out, Unit::Micros, ts);
        self.timestamps.rendered(out, ts, start);
    }

    /// Copies the pieces rendered in this row or marker aside.
    fn settle(&mut self, out: &[u8]) {
        self.deletions.settle(out);
        self.livenesses.settle(out);
        self.timestamps.settle(out);
    }

    /// A cell's `tstamp`, `ttl`, `expires_at` and `expired` where they
    /// differ from the row's, and the cell's closing brace.
    #[inline]
    fn cell_rest(&mut self, out: &mut Vec<u8>, cell: &Cell<'_>, live: Option<&LivenessInfo>) {
        if live.is_none_or(|l| l.timestamp != cell.timestamp) {
            out.extend_from_slice(b",\"tstamp\":");
            self.cell_timestamp(out, cell.timestamp);
        }
        if let Some(ttl) = cell.ttl() {
            let row_ttl = live.and_then(|l| l.expiration).map_or(0, |e| e.ttl);
            if live.is_none() || ttl != row_ttl {
                let ldt = cell.local_deletion_time().unwrap_or(i64::from(i32::MAX));
                out.extend_from_slice(b",\"ttl\":");
                write_i64(out, i64::from(ttl));
                out.extend_from_slice(b",\"expires_at\":");
                self.time(out, Unit::Seconds, ldt);
                // Cell.isLive: a cell is live while now < its expiration.
                let expired = cell.is_tombstone() || self.now >= ldt;
                if expired { &EXPIRED } else { &NOT_EXPIRED }.put(out);
            }
        }
        out.push(b'}');
    }

    fn liveness(&mut self, out: &mut Vec<u8>, l: &LivenessInfo) {
        let key = live_key(l);
        if self.livenesses.repeat(out, key) {
            return;
        }
        let start = out.len();
        out.extend_from_slice(b",\"liveness_info\":{\"tstamp\":");
        self.time(out, Unit::Micros, l.timestamp);
        if let Some(e) = &l.expiration {
            out.extend_from_slice(b",\"ttl\":");
            write_i64(out, i64::from(e.ttl));
            out.extend_from_slice(b",\"expires_at\":");
            self.time(out, Unit::Seconds, e.local_expiration_time);
            // LivenessInfo: expired when the expiration is before now.
            let expired = e.local_expiration_time < self.now;
            if expired { &EXPIRED } else { &NOT_EXPIRED }.put(out);
        }
        out.push(b'}');
        self.livenesses.rendered(out, key, start);
    }
}

/// `"expired"` flags: constant texts of two lengths.
const EXPIRED: Padded<16> = Padded::new(b",\"expired\":true");
const NOT_EXPIRED: Padded<16> = Padded::new(b",\"expired\":false");

/// A liveness as three integers (no expiry: TTL −1 and an expiry time no
/// stored one can have). Remembering the `LivenessInfo` itself copied it
/// whole, and in some code layouts 10% of a time-series dump stalled at
/// that one copy (its wide loads spanning the `Option`'s narrow stores,
/// presumably: this machine has no counters to say). A tuple key measured
/// slower than this array in the layout at hand.
#[inline]
fn live_key(l: &LivenessInfo) -> [i64; 3] {
    match l.expiration {
        Some(e) => [l.timestamp, i64::from(e.ttl), e.local_expiration_time],
        None => [l.timestamp, -1, i64::MIN],
    }
}

fn write_name_list(out: &mut Vec<u8>, names: &[String]) {
    out.push(b'[');
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, n.as_bytes());
    }
    out.push(b']');
}

fn field_index(path: &[u8]) -> Option<usize> {
    let b: [u8; 2] = path.try_into().ok()?;
    usize::try_from(i16::from_be_bytes(b)).ok()
}

/// The partition key as sstabledump prints it: one `getString` per
/// component of a CompositeType key, else one string.
pub fn write_key(out: &mut Vec<u8>, key_type: &CqlType, key: &[u8]) -> Result<(), ValueError> {
    let CqlType::Composite(types) = key_type else {
        return write_string(out, key_type, key);
    };
    let mut rest = key;
    for (i, t) in types.iter().enumerate() {
        if rest.is_empty() {
            break;
        }
        let (len, tail) = rest.split_first_chunk::<2>().ok_or_else(|| ValueError {
            message: "composite partition key truncated in a length".into(),
        })?;
        let len = u16::from_be_bytes(*len) as usize;
        let (value, tail) = tail.split_at_checked(len).ok_or_else(|| ValueError {
            message: format!("composite partition key component {i} truncated"),
        })?;
        let (&eoc, tail) = tail.split_first().ok_or_else(|| ValueError {
            message: "composite partition key lacks an end byte".into(),
        })?;
        if i > 0 {
            out.push(b',');
        }
        write_string(out, t, value)?;
        rest = tail;
        if eoc != 0 {
            break;
        }
    }
    if !rest.is_empty() {
        return Err(ValueError {
            message: format!("composite partition key has {} extra bytes", rest.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::marshal::parse_type;

    /// Renders key `k` through a memo as `<k>`, row by row (one key per
    /// row, settled at its end); returns the output and the hits per row.
    fn memo_rows(keys: &[i64]) -> (Vec<u8>, Vec<bool>) {
        let mut memo = Memo::new();
        let (mut out, mut hits) = (Vec::new(), Vec::new());
        for &k in keys {
            let hit = memo.repeat(&mut out, k);
            if !hit {
                let start = out.len();
                out.extend_from_slice(format!("<{k}>").as_bytes());
                memo.rendered(&out, k, start);
            }
            hits.push(hit);
            memo.settle(&out);
        }
        (out, hits)
    }

    #[test]
    fn a_memo_gives_up_on_unique_pieces_and_resumes_on_repeats() {
        // 40 unique keys, then 40 rows of one key, then unique and
        // repeated keys alternating in runs.
        let mut keys: Vec<i64> = (0..40).collect();
        keys.extend(std::iter::repeat_n(7, 40));
        for run in 0..20 {
            keys.extend(std::iter::repeat_n(1000 + run, (run % 3 + 1) as usize));
        }
        let (out, hits) = memo_rows(&keys);
        let want: String = keys.iter().map(|k| format!("<{k}>")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
        // Given up during the unique keys: the repeated key is served from
        // memory again within one probe interval, and from then on.
        let first = (40..80).find(|&i| hits[i]).unwrap();
        assert!(first <= 40 + MEMO_PROBE as usize, "first hit at row {first}");
        assert!(hits[first..80].iter().all(|&h| h));
        // Never a hit for a key other than the previous row's.
        for i in 1..keys.len() {
            assert!(!hits[i] || keys[i] == keys[i - 1], "row {i}");
        }
    }

    #[test]
    fn snippets_append_exactly_their_text() {
        for len in [0usize, 1, 31, 32, 33, 100] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut out = b"x".to_vec();
            Snippet::new(text.clone()).put(&mut out);
            assert_eq!(out[1..], text[..], "{len}");
        }
    }

    #[test]
    fn composite_key_from_the_format_reference() {
        // (1, 'hello', true) — §6.5.
        let key = [0, 4, 0, 0, 0, 1, 0, 0, 5, b'h', b'e', b'l', b'l', b'o', 0, 0, 1, 1, 0];
        let t = parse_type("CompositeType(Int32Type,UTF8Type,BooleanType)").unwrap();
        let mut out = Vec::new();
        write_key(&mut out, &t, &key).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#""1","hello","true""#);
        assert!(
            write_key(&mut Vec::new(), &t, &key[..5]).is_err(),
            "truncated inside the first component"
        );
    }
}
