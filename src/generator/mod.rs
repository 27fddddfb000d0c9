//! `casscade gen`: a simulated Cassandra cluster and its backups, with an
//! independently computed ground truth.
//!
//! ```text
//! OUT/schema.cql                                   the table (CQL)
//! OUT/snapshot/nodeN/<ks>/<table>-<id>/…           full snapshot per node
//! OUT/incremental/day-DD/nodeN/<ks>/<table>-<id>/… SSTables flushed that day
//! OUT/truth/day-DD/rows.jsonl                      rows after day DD, SELECT JSON form
//! OUT/truth/day-DD/meta.json                       the --now and gc_grace they assume
//! ```
//! [`sim`] runs the cluster, [`profile`] says what clients write, and
//! [`model`] applies writes with Cassandra's rules — both to build each
//! replica's memtables and to compute the truth. None of it is shared with
//! the exporter's reconciliation, which the truth is there to judge.

pub mod model;
pub mod profile;
pub mod rng;
pub mod sim;
pub mod values;

pub use profile::Profile;
pub use sim::{GenReport, GenRequest, generate};
