//! Cassandra 4.0+'s reconciliation rules (SSTABLE_FORMAT.md §14), as pure
//! functions: which of two versions of a cell, a row's primary-key
//! liveness or a deletion wins, what a deletion shadows, what is live at a
//! given moment, and how two counter contexts merge (§7).

use std::cmp::Ordering;

use crate::sstable::{Cell, DeletionTime, LivenessInfo};

/// The facts of a cell that reconciliation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellFacts<'a> {
    /// Write timestamp.
    pub timestamp: i64,
    /// Deletion or expiration time, for tombstones and expiring cells.
    pub ldt: Option<i64>,
    /// A tombstone.
    pub tombstone: bool,
    /// The value.
    pub value: &'a [u8],
}

impl<'a> From<&Cell<'a>> for CellFacts<'a> {
    fn from(c: &Cell<'a>) -> Self {
        CellFacts {
            timestamp: c.timestamp,
            ldt: c.local_deletion_time(),
            tombstone: c.is_tombstone(),
            value: c.value,
        }
    }
}

/// Which of two versions of a cell wins (`Greater`: `a`). In order: the
/// higher timestamp; a cell with a deletion time (tombstone or expiring)
/// over one without; a tombstone over an expiring cell; the later deletion
/// time; the larger value (unsigned bytes). CASSANDRA-14592.
pub fn compare_cells(a: &CellFacts<'_>, b: &CellFacts<'_>) -> Ordering {
    a.timestamp
        .cmp(&b.timestamp)
        .then_with(|| a.ldt.is_some().cmp(&b.ldt.is_some()))
        .then_with(|| a.tombstone.cmp(&b.tombstone))
        .then_with(|| a.ldt.cmp(&b.ldt))
        .then_with(|| a.value.cmp(b.value))
}

/// `LivenessInfo.TTL_EXPIRED`: the TTL of a liveness that is already
/// expired (written by an expiring-liveness update of a view).
const EXPIRED_LIVENESS_TTL: i32 = i32::MAX;

/// Which of two primary-key livenesses wins (`Greater`: `a`): the higher
/// timestamp; an expired-liveness marker; between two expiring (or two
/// non-expiring) ones the later expiration; otherwise the expiring one.
pub fn compare_liveness(a: &LivenessInfo, b: &LivenessInfo) -> Ordering {
    let expired = |l: &LivenessInfo| l.expiration.is_some_and(|e| e.ttl == EXPIRED_LIVENESS_TTL);
    a.timestamp.cmp(&b.timestamp).then_with(|| expired(a).cmp(&expired(b))).then_with(|| {
        match (a.expiration, b.expiration) {
            (Some(x), Some(y)) => x.local_expiration_time.cmp(&y.local_expiration_time),
            (None, None) => Ordering::Equal,
            (x, y) => x.is_some().cmp(&y.is_some()),
        }
    })
}

/// The later of two deletions: higher timestamp, then later deletion time.
pub fn later_deletion(a: Option<DeletionTime>, b: Option<DeletionTime>) -> Option<DeletionTime> {
    match (a, b) {
        (Some(x), Some(y)) => {
            let key = |d: DeletionTime| (d.marked_for_delete_at, d.local_deletion_time);
            Some(if key(y) > key(x) { y } else { x })
        }
        (x, None) => x,
        (None, y) => y,
    }
}

/// Whether deletion `d` removes data written at `timestamp`.
#[inline]
pub fn shadows(d: Option<DeletionTime>, timestamp: i64) -> bool {
    d.is_some_and(|d| timestamp <= d.marked_for_delete_at)
}

/// Whether a cell is live at `now` (seconds): not a tombstone, and not an
/// expiring cell whose time has come.
#[inline]
pub fn cell_live(c: &CellFacts<'_>, now: i64) -> bool {
    !c.tombstone && c.ldt.is_none_or(|expires| now < expires)
}

/// Whether a primary-key liveness is live at `now`.
#[inline]
pub fn liveness_live(l: &LivenessInfo, now: i64) -> bool {
    l.expiration.is_none_or(|e| e.ttl != EXPIRED_LIVENESS_TTL && now < e.local_expiration_time)
}

/// One counter shard: id, clock, count, and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shard {
    id: [u8; 16],
    clock: i64,
    count: i64,
    kind: ShardKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ShardKind {
    Remote,
    Local,
    Global,
}

fn parse_context(v: &[u8]) -> Result<Vec<Shard>, String> {
    let h = v.get(..2).ok_or("counter context shorter than its header")?;
    let n = i16::from_be_bytes([h[0], h[1]]).unsigned_abs() as usize;
    let headers = v.get(2..2 + 2 * n).ok_or("counter context header truncated")?;
    let body = &v[2 + 2 * n..];
    if !body.len().is_multiple_of(32) {
        return Err(format!(
            "counter context body of {} bytes is not whole 32-byte shards",
            body.len()
        ));
    }
    let mut shards: Vec<Shard> = body
        .chunks_exact(32)
        .map(|s| {
            let mut id = [0u8; 16];
            id.copy_from_slice(&s[..16]);
            let clock = i64::from_be_bytes(s[16..24].try_into().unwrap_or_default());
            let count = i64::from_be_bytes(s[24..32].try_into().unwrap_or_default());
            Shard { id, clock, count, kind: ShardKind::Remote }
        })
        .collect();
    for e in headers.chunks_exact(2) {
        let e = i16::from_be_bytes([e[0], e[1]]);
        let (i, kind) = if e < 0 {
            ((e as i32 - i16::MIN as i32) as usize, ShardKind::Global)
        } else {
            (e as usize, ShardKind::Local)
        };
        if let Some(s) = shards.get_mut(i) {
            s.kind = kind;
        }
    }
    Ok(shards)
}

/// Merges two versions of one shard (`CounterContext.merge`).
fn merge_shard(a: Shard, b: Shard) -> Shard {
    use ShardKind::*;
    match (a.kind, b.kind) {
        (Local, Local) => Shard {
            clock: a.clock.wrapping_add(b.clock),
            count: a.count.wrapping_add(b.count),
            ..a
        },
        (Global, Global) | (Remote, Remote) => {
            if (a.clock, a.count) >= (b.clock, b.count) {
                a
            } else {
                b
            }
        }
        _ => {
            if a.kind > b.kind {
                a
            } else {
                b
            }
        }
    }
}

/// Merges counter contexts into `out` (shards by counter id, §7).
pub fn merge_counter_contexts<'a>(
    contexts: impl Iterator<Item = &'a [u8]>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let mut all: Vec<Shard> = Vec::new();
    for c in contexts {
        for s in parse_context(c)? {
            match all.iter_mut().find(|x| x.id == s.id) {
                Some(x) => *x = merge_shard(*x, s),
                None => all.push(s),
            }
        }
    }
    all.sort_by_key(|a| a.id);
    let headers: Vec<i16> = all
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s.kind {
            ShardKind::Global => Some((i as i16).wrapping_add(i16::MIN)),
            ShardKind::Local => Some(i as i16),
            ShardKind::Remote => None,
        })
        .collect();
    out.extend_from_slice(&(headers.len() as i16).to_be_bytes());
    for h in headers {
        out.extend_from_slice(&h.to_be_bytes());
    }
    for s in all {
        out.extend_from_slice(&s.id);
        out.extend_from_slice(&s.clock.to_be_bytes());
        out.extend_from_slice(&s.count.to_be_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(ts: i64, ldt: Option<i64>, tombstone: bool, v: &[u8]) -> CellFacts<'_> {
        CellFacts { timestamp: ts, ldt, tombstone, value: v }
    }

    #[test]
    fn cell_precedence_chain() {
        let live = cell(10, None, false, b"a");
        assert_eq!(compare_cells(&cell(11, None, false, b"a"), &live), Ordering::Greater);
        // Equal timestamps: expiring beats plain, tombstone beats expiring.
        let expiring = cell(10, Some(100), false, b"a");
        let tomb = cell(10, Some(50), true, b"");
        assert_eq!(compare_cells(&expiring, &live), Ordering::Greater);
        assert_eq!(compare_cells(&tomb, &expiring), Ordering::Greater);
        // Then the later deletion time, then the larger value.
        assert_eq!(compare_cells(&cell(10, Some(200), false, b"a"), &expiring), Ordering::Greater);
        assert_eq!(compare_cells(&cell(10, None, false, b"b"), &live), Ordering::Greater);
        assert_eq!(
            compare_cells(&cell(10, None, false, &[0x80]), &cell(10, None, false, &[0x7f])),
            Ordering::Greater
        );
    }

    #[test]
    fn counter_shards_merge_by_clock_and_kind() {
        let ctx = |shards: &[([u8; 16], i64, i64, bool)]| {
            let globals: Vec<i16> = (0..shards.len() as i16)
                .filter(|i| shards[*i as usize].3)
                .map(|i| i.wrapping_add(i16::MIN))
                .collect();
            let mut v = (globals.len() as i16).to_be_bytes().to_vec();
            for g in globals {
                v.extend_from_slice(&g.to_be_bytes());
            }
            for (id, clock, count, _) in shards {
                v.extend_from_slice(id);
                v.extend_from_slice(&clock.to_be_bytes());
                v.extend_from_slice(&count.to_be_bytes());
            }
            v
        };
        let a = ctx(&[([1; 16], 3, 30, true), ([2; 16], 1, 5, true)]);
        let b = ctx(&[([1; 16], 2, 20, true), ([3; 16], 1, -4, true)]);
        let mut out = Vec::new();
        merge_counter_contexts([a.as_slice(), b.as_slice()].into_iter(), &mut out).unwrap();
        assert_eq!(
            out,
            ctx(&[([1; 16], 3, 30, true), ([2; 16], 1, 5, true), ([3; 16], 1, -4, true)])
        );
        let total =
            crate::output::cql_json::counter_total(&crate::types::CqlType::Counter, &out).unwrap();
        assert_eq!(total, 31);
    }
}
