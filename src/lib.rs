//! casscade: Cassandra SSTable backups to a clean JSON-lines dataset.
//!
//! The library is layered, with dependencies pointing one way only:
//!
//! ```text
//! cli (binary) → pipeline → { sstable, output, schema } → types
//! ```
//!
//! - [`types`]: CQL types, partitioners/tokens, table schemas. No I/O.
//! - [`sstable`]: the on-disk format of Cassandra 3.0 → 5.0: opening an
//!   SSTable, streaming its partitions, verifying checksums.
//! - [`output`]: rendering values as Cassandra's CQL JSON, and the
//!   `sstabledump` document shape.
//! - [`schema`]: reading `CREATE TABLE` statements from CQL files.
//! - [`pipeline`]: the jobs (`dump`, …) wired from the parts above.

pub mod error;
pub mod generator;
pub mod output;
pub mod pipeline;
pub mod reconcile;
pub mod schema;
pub mod sstable;
pub mod types;

pub use error::{Error, ErrorKind, Result};
