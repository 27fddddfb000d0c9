//! Reconciliation: merging every version of a table's data — all
//! SSTables of all replicas — with Cassandra's rules into its live rows.
//! [`rules`] holds the rules as pure functions; [`merge`] drives the k-way
//! merge over readers. Nothing here does I/O beyond the readers it is given.

pub mod merge;
pub mod rules;

pub use merge::{MergeStats, Merger, RowSink, TableColumn, TableLayout};
