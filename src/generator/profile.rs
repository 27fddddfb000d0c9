//! Workload profiles: a table schema and the writes a client makes to one
//! partition on the first day (the initial load) and on each later day.
//!
//! - `narrow`: a user table with a few small columns; updates, cell and
//!   row deletes, re-inserts, TTL'd columns.
//! - `timeseries`: wide partitions of readings in descending time order
//!   with TTL, a static column, set updates, row and range deletes.
//! - `alltypes`: every CQL type, frozen and non-frozen collections, a UDT
//!   (both ways), a tuple, statics, three clustering columns of mixed order;
//!   collection replaces, element adds and removes, partition deletes.
//! - `counters`: counter columns incremented through different replicas.

use crate::error::{Error, ErrorKind, Result};
use crate::sstable::clustering::BoundKind;
use crate::types::CqlType;

use super::model::{ColRef, Mutation, MutationKind, Op};
use super::rng::Rng;
use super::values;

/// The profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Few small columns, one row per partition.
    Narrow,
    /// Wide time-series partitions with TTL.
    TimeSeries,
    /// Every CQL type.
    AllTypes,
    /// Counter columns.
    Counters,
}

/// Keyspace of generated tables.
pub const KEYSPACE: &str = "casscade_gen";

impl Profile {
    /// All profiles.
    pub const ALL: [Profile; 4] =
        [Profile::Narrow, Profile::TimeSeries, Profile::AllTypes, Profile::Counters];

    /// By name.
    pub fn from_name(name: &str) -> Result<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                format!(
                    "unknown profile '{name}': choose {}",
                    Profile::ALL.map(|p| p.name()).join(", ")
                ),
            )
        })
    }

    /// Its name (also the table name).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Narrow => "narrow",
            Profile::TimeSeries => "timeseries",
            Profile::AllTypes => "alltypes",
            Profile::Counters => "counters",
        }
    }

    /// The schema, as CQL.
    pub fn cql(self) -> String {
        let ks = KEYSPACE;
        match self {
            Profile::Narrow => format!(
                "CREATE TABLE {ks}.narrow (\n  id bigint PRIMARY KEY,\n  name text,\n  email text,\n  \
                 age int,\n  active boolean,\n  score double,\n  updated_at timestamp\n) WITH gc_grace_seconds = 86400;\n"
            ),
            Profile::TimeSeries => format!(
                "CREATE TABLE {ks}.timeseries (\n  sensor text,\n  bucket int,\n  ts timestamp,\n  \
                 value double,\n  quality int,\n  tags set<text>,\n  unit text STATIC,\n  \
                 PRIMARY KEY ((sensor, bucket), ts)\n) WITH CLUSTERING ORDER BY (ts DESC)\n  AND gc_grace_seconds = 3600;\n"
            ),
            Profile::AllTypes => format!(
                "CREATE TYPE {ks}.address (street text, zip int, tags frozen<set<text>>);\n\
                 CREATE TABLE {ks}.alltypes (\n  id uuid,\n  shard smallint,\n  ck_text text,\n  ck_int int,\n  \
                 ck_uuid timeuuid,\n  s_note text STATIC,\n  s_count bigint STATIC,\n  \
                 c_ascii ascii,\n  c_bigint bigint,\n  c_blob blob,\n  c_boolean boolean,\n  c_date date,\n  \
                 c_decimal decimal,\n  c_double double,\n  c_duration duration,\n  c_float float,\n  c_inet inet,\n  \
                 c_int int,\n  c_smallint smallint,\n  c_text text,\n  c_time time,\n  c_timestamp timestamp,\n  \
                 c_timeuuid timeuuid,\n  c_tinyint tinyint,\n  c_uuid uuid,\n  c_varint varint,\n  \
                 c_list list<int>,\n  c_set set<text>,\n  c_map map<text, double>,\n  \
                 c_frozen_list frozen<list<text>>,\n  c_frozen_map frozen<map<int, frozen<set<text>>>>,\n  \
                 c_tuple tuple<int, text, boolean>,\n  c_udt address,\n  c_frozen_udt frozen<address>,\n  \
                 PRIMARY KEY ((id, shard), ck_text, ck_int, ck_uuid)\n) WITH CLUSTERING ORDER BY (ck_text ASC, ck_int DESC, ck_uuid ASC)\n  \
                 AND gc_grace_seconds = 172800;\n"
            ),
            Profile::Counters => format!(
                "CREATE TABLE {ks}.counters (\n  page text,\n  day int,\n  views counter,\n  clicks counter,\n  \
                 PRIMARY KEY (page, day)\n) WITH gc_grace_seconds = 86400;\n"
            ),
        }
    }

    /// The partition key component values of partition `i`.
    pub fn key_values(self, i: u64) -> Vec<Vec<u8>> {
        let mut r = Rng::derive(0x6b65_7973, i);
        match self {
            // Wrapping: the size estimate samples partitions numbered from
            // u64::MAX / 2 (a debug build stopped on the overflow).
            Profile::Narrow => {
                vec![(i as i64).wrapping_mul(7919).wrapping_add(1).to_be_bytes().to_vec()]
            }
            Profile::TimeSeries => vec![
                format!("sensor-{:05}", i / 4).into_bytes(),
                ((i % 4) as i32 + 20_000).to_be_bytes().to_vec(),
            ],
            Profile::AllTypes => {
                let mut u = r.bytes(16);
                u[6] = (u[6] & 0x0f) | 0x40;
                u[8] = (u[8] & 0x3f) | 0x80;
                vec![u, ((i % 3) as i16).to_be_bytes().to_vec()]
            }
            Profile::Counters => vec![format!("/page/{i}").into_bytes()],
        }
    }
}

/// Resolved column references of a profile's table.
#[derive(Debug, Clone)]
pub struct Columns {
    /// (name, column, type, multi-cell) of every static and regular column.
    pub all: Vec<(String, ColRef, CqlType, bool)>,
}

impl Columns {
    fn get(&self, name: &str) -> (ColRef, &CqlType) {
        let (_, c, t, _) = self.all.iter().find(|(n, ..)| n == name).unwrap_or(&self.all[0]);
        (*c, t)
    }
}

/// What a partition has seen so far (the client knows its rows).
#[derive(Debug, Clone, Default)]
pub struct PartitionState {
    /// Clustering of rows written.
    pub rows: Vec<Vec<Vec<u8>>>,
    /// Set elements / list paths written per (row, column), for removals.
    pub elements: Vec<(usize, String, Vec<u8>)>,
    /// Counter rows deleted (no increments afterwards).
    pub dead_counter_rows: Vec<usize>,
    /// Rows deleted in a range already today.
    pub ranged_today: bool,
}

/// A client write before replication: the mutation, and for counter
/// increments the (row index, column, delta) to apply through a leader.
#[derive(Debug, Clone)]
pub enum Write {
    /// A regular mutation.
    Plain(Mutation),
    /// A counter increment (the simulation turns it into shard states).
    Counter {
        /// Timestamp and clock of the increment.
        ts: i64,
        /// Coordinator clock (seconds).
        now: i64,
        /// Row clustering.
        clustering: Vec<Vec<u8>>,
        /// Counter column.
        column: ColRef,
        /// Increment.
        delta: i64,
    },
}

/// Writes for one partition on one day: `times` gives each write's
/// time (µs) and coordinator clock (s).
pub fn writes(
    profile: Profile,
    cols: &Columns,
    st: &mut PartitionState,
    r: &mut Rng,
    day: u32,
    mut time: impl FnMut(&mut Rng) -> (i64, i64),
) -> Vec<Write> {
    let mut out = Vec::new();
    st.ranged_today = false;
    let n = if day == 0 {
        match profile {
            Profile::Narrow => 1,
            Profile::TimeSeries => 20 + r.below(120) as usize,
            Profile::AllTypes => 2 + r.below(6) as usize,
            Profile::Counters => 1 + r.below(5) as usize,
        }
    } else {
        match profile {
            Profile::Narrow => r.below(3) as usize,
            Profile::TimeSeries => r.below(40) as usize,
            Profile::AllTypes => r.below(5) as usize,
            Profile::Counters => r.below(8) as usize,
        }
    };
    for k in 0..n {
        let (ts, now) = time(r);
        let plain =
            |ttl: Option<i32>, kind: MutationKind| Write::Plain(Mutation { ts, now, ttl, kind });
        match profile {
            Profile::Narrow => {
                let ck: Vec<Vec<u8>> = Vec::new();
                if st.rows.is_empty() {
                    st.rows.push(ck.clone());
                }
                let all = ["name", "email", "age", "active", "score", "updated_at"];
                let set = |r: &mut Rng, name: &str| {
                    let (c, t) = cols.get(name);
                    (c, Op::Set(values::value(r, t, ts)))
                };
                let choice = if day == 0 { 0 } else { r.below(100) };
                match choice {
                    0..=9 => {
                        let columns = all.iter().map(|n| set(r, n)).collect();
                        out.push(plain(
                            None,
                            MutationKind::Write { clustering: ck, marker: true, columns },
                        ));
                    }
                    10..=59 => {
                        let columns: Vec<_> = (0..1 + r.below(3))
                            .map(|_| {
                                let name = r_pick(r, &all);
                                set(r, name)
                            })
                            .collect();
                        let tie = r.chance(0.05).then(|| columns.clone());
                        out.push(plain(
                            None,
                            MutationKind::Write { clustering: ck.clone(), marker: false, columns },
                        ));
                        if let Some(cs) = tie {
                            // Another client writes the same cells at the same timestamp.
                            let columns = cs
                                .iter()
                                .map(|(c, _)| {
                                    (
                                        *c,
                                        Op::Set(values::value(
                                            r,
                                            cols.all
                                                .iter()
                                                .find(|x| x.1 == *c)
                                                .map_or(&CqlType::Blob, |x| &x.2),
                                            ts,
                                        )),
                                    )
                                })
                                .collect();
                            out.push(plain(
                                None,
                                MutationKind::Write { clustering: ck, marker: false, columns },
                            ));
                        }
                    }
                    60..=74 => {
                        let (c, _) = cols.get(r_pick(r, &all));
                        out.push(plain(
                            None,
                            MutationKind::Write {
                                clustering: ck,
                                marker: false,
                                columns: vec![(c, Op::Delete)],
                            },
                        ));
                    }
                    75..=84 => {
                        let ttl = Some(3600 * (6 + r.below(60) as i32));
                        let columns = vec![set(r, "score"), set(r, "updated_at")];
                        out.push(plain(
                            ttl,
                            MutationKind::Write { clustering: ck, marker: false, columns },
                        ));
                    }
                    85..=91 => out.push(plain(None, MutationKind::DeletePartition)),
                    _ => {
                        let ttl = Some(3600 * (12 + r.below(48) as i32));
                        let columns = all.iter().map(|n| set(r, n)).collect();
                        out.push(plain(
                            ttl,
                            MutationKind::Write { clustering: ck, marker: true, columns },
                        ));
                    }
                }
            }
            Profile::TimeSeries => {
                let choice = if day == 0 || k == 0 { 0 } else { r.below(100) };
                match choice {
                    0..=79 => {
                        let ck = vec![(ts / 1000).to_be_bytes().to_vec()];
                        st.rows.push(ck.clone());
                        let (v, vt) = cols.get("value");
                        let (q, qt) = cols.get("quality");
                        let (tags, _) = cols.get("tags");
                        let mut columns = vec![
                            (v, Op::Set(values::value(r, vt, ts))),
                            (q, Op::Set(values::value(r, qt, ts))),
                        ];
                        let elems: Vec<(Vec<u8>, Vec<u8>)> = (0..r.below(3))
                            .map(|_| (values::ascii(r).into_bytes(), Vec::new()))
                            .collect();
                        if !elems.is_empty() {
                            columns.push((tags, Op::Add(elems)));
                        }
                        if day == 0 && k == 0 || r.chance(0.02) {
                            let (u, _) = cols.get("unit");
                            columns.push((
                                u,
                                Op::Set(
                                    r_pick(r, &["°C", "kPa", "m/s", "lux"]).as_bytes().to_vec(),
                                ),
                            ));
                        }
                        let ttl = r.chance(0.5).then(|| 86_400 * (1 + r.below(4) as i32));
                        out.push(plain(
                            ttl,
                            MutationKind::Write { clustering: ck, marker: true, columns },
                        ));
                    }
                    80..=89 if !st.rows.is_empty() => {
                        let ck = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        out.push(plain(None, MutationKind::DeleteRow { clustering: ck }));
                    }
                    90..=94 if !st.rows.is_empty() && !st.ranged_today => {
                        // DELETE … WHERE ts < x (an open start) or ts >= a AND ts < b.
                        st.ranged_today = true;
                        let a = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        let b = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        // Descending clustering: the larger time comes first.
                        let (hi, lo) = if a[0] >= b[0] { (a, b) } else { (b, a) };
                        let start = if r.chance(0.3) {
                            (BoundKind::InclStart, Vec::new())
                        } else {
                            (BoundKind::InclStart, hi)
                        };
                        out.push(plain(
                            None,
                            MutationKind::DeleteRange { start, end: (BoundKind::ExclEnd, lo) },
                        ));
                    }
                    _ if !st.rows.is_empty() => {
                        let ck = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        let (tags, _) = cols.get("tags");
                        let op = if r.chance(0.5) {
                            Op::Remove(vec![values::ascii(r).into_bytes()])
                        } else {
                            Op::Replace(vec![(values::ascii(r).into_bytes(), Vec::new())])
                        };
                        out.push(plain(
                            None,
                            MutationKind::Write {
                                clustering: ck,
                                marker: false,
                                columns: vec![(tags, op)],
                            },
                        ));
                    }
                    _ => {}
                }
            }
            Profile::AllTypes => {
                let choice = if day == 0 || st.rows.is_empty() { 0 } else { r.below(100) };
                match choice {
                    0..=39 => {
                        let ck = vec![
                            values::text(r).into_bytes(),
                            (r.below(50) as i32 - 25).to_be_bytes().to_vec(),
                            values::timeuuid(r, ts).to_vec(),
                        ];
                        st.rows.push(ck.clone());
                        let mut columns = Vec::new();
                        for (name, c, t, complex) in &cols.all {
                            if c.is_static && !r.chance(0.3) {
                                continue;
                            }
                            if r.chance(0.15) {
                                continue; // a column left out
                            }
                            let op = if *complex {
                                collection_op(r, t, ts, true)
                            } else {
                                Op::Set(values::value(r, t, ts))
                            };
                            let _ = name;
                            columns.push((*c, op));
                        }
                        let ttl = r.chance(0.1).then(|| 86_400 * (1 + r.below(3) as i32));
                        out.push(plain(
                            ttl,
                            MutationKind::Write { clustering: ck, marker: true, columns },
                        ));
                    }
                    40..=74 => {
                        let ck = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        let (name, c, t, complex) =
                            &cols.all[r.below(cols.all.len() as u64) as usize];
                        let _ = name;
                        let op = if *complex {
                            collection_op(r, t, ts, false)
                        } else if r.chance(0.2) {
                            Op::Delete
                        } else {
                            Op::Set(values::value(r, t, ts))
                        };
                        out.push(plain(
                            None,
                            MutationKind::Write {
                                clustering: ck,
                                marker: false,
                                columns: vec![(*c, op)],
                            },
                        ));
                    }
                    75..=89 => {
                        let ck = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        out.push(plain(None, MutationKind::DeleteRow { clustering: ck }));
                    }
                    90..=94 if !st.ranged_today => {
                        st.ranged_today = true;
                        let ck = st.rows[r.below(st.rows.len() as u64) as usize].clone();
                        // DELETE … WHERE ck_text = x (a one-column prefix).
                        let p = vec![ck[0].clone()];
                        out.push(plain(
                            None,
                            MutationKind::DeleteRange {
                                start: (BoundKind::InclStart, p.clone()),
                                end: (BoundKind::InclEnd, p),
                            },
                        ));
                    }
                    _ => out.push(plain(None, MutationKind::DeletePartition)),
                }
            }
            Profile::Counters => {
                let row = if st.rows.is_empty() || (day == 0 && r.chance(0.5)) || r.chance(0.1) {
                    st.rows.push(vec![
                        ((day * 10 + st.rows.len() as u32) as i32).to_be_bytes().to_vec(),
                    ]);
                    st.rows.len() - 1
                } else {
                    r.below(st.rows.len() as u64) as usize
                };
                if st.dead_counter_rows.contains(&row) {
                    continue;
                }
                if day > 0 && r.chance(0.03) {
                    st.dead_counter_rows.push(row);
                    out.push(plain(
                        None,
                        MutationKind::DeleteRow { clustering: st.rows[row].clone() },
                    ));
                    continue;
                }
                let (column, _) = cols.get(if r.chance(0.7) { "views" } else { "clicks" });
                out.push(Write::Counter {
                    ts,
                    now,
                    clustering: st.rows[row].clone(),
                    column,
                    delta: r.range(-2, 20),
                });
            }
        }
    }
    out
}

fn r_pick<'a>(r: &mut Rng, items: &[&'a str]) -> &'a str {
    items[r.below(items.len() as u64) as usize]
}

/// An operation on a multi-cell column: a whole new value (replace), or
/// element adds/removes, or a delete.
fn collection_op(r: &mut Rng, ty: &CqlType, ts: i64, initial: bool) -> Op {
    let elements = |r: &mut Rng| -> Vec<(Vec<u8>, Vec<u8>)> {
        let n = 1 + r.below(3);
        match ty {
            CqlType::List(e) => (0..n)
                .map(|_| (values::timeuuid(r, ts).to_vec(), values::value(r, e, ts)))
                .collect(),
            CqlType::Set(e) => (0..n).map(|_| (values::value(r, e, ts), Vec::new())).collect(),
            CqlType::Map(k, v) => {
                (0..n).map(|_| (values::value(r, k, ts), values::value(r, v, ts))).collect()
            }
            CqlType::Udt(u) => {
                let mut out = Vec::new();
                for (i, (_, t)) in u.fields.iter().enumerate() {
                    if r.chance(0.7) {
                        out.push(((i as u16).to_be_bytes().to_vec(), values::value(r, t, ts)));
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    };
    if initial {
        return Op::Replace(elements(r));
    }
    match r.below(10) {
        0..=3 => Op::Add(elements(r)),
        4..=6 => Op::Replace(elements(r)),
        7..=8 => Op::Remove(elements(r).into_iter().map(|(p, _)| p).collect()),
        _ => Op::Delete,
    }
}
