//! casscade: Cassandra SSTable backups to a clean JSON-lines dataset.
//!
//! The library is layered, with dependencies pointing one way only:
//!
//! ```text
//! cli (binary) → pipeline, generator → { sstable, reconcile, output, schema } → types
//! ```
//!
//! - [`types`]: CQL types, value comparators, partitioners/tokens. No I/O.
//! - [`sstable`]: the on-disk format of Cassandra 3.0 → 5.0: opening an
//!   SSTable, streaming its partitions, verifying checksums, seeking to a
//!   token range, and writing SSTables.
//! - [`reconcile`]: merging every replica's SSTables with Cassandra's rules.
//! - [`output`]: rendering values as Cassandra's CQL JSON, dataset rows, and
//!   the `sstabledump` document shape.
//! - [`schema`]: reading `CREATE TABLE` statements from CQL files.
//! - [`pipeline`]: the jobs (`dump`, `export`) wired from the parts above.
//! - [`generator`]: the simulated cluster behind `casscade gen`, with its
//!   independent model of the data (the ground truth).

pub mod error;
pub mod generator;
pub mod output;
pub mod pipeline;
pub mod reconcile;
pub mod schema;
pub mod sstable;
pub mod types;

pub use error::{Error, ErrorKind, Result};
