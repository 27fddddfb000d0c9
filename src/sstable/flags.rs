//! The flag bytes of an unfiltered (SSTABLE_FORMAT.md §4.4), shared by the
//! decoder and the writer.

/// Flags: the end-of-partition byte.
pub(crate) const END_OF_PARTITION: u8 = 0x01;
/// Flags: a range-tombstone marker, not a row.
pub(crate) const IS_MARKER: u8 = 0x02;
/// Flags: the row has primary-key liveness.
pub(crate) const HAS_TIMESTAMP: u8 = 0x04;
/// Flags: that liveness has a TTL.
pub(crate) const HAS_TTL: u8 = 0x08;
/// Flags: the row has a deletion.
pub(crate) const HAS_DELETION: u8 = 0x10;
/// Flags: every header column is present (no subset encoding).
pub(crate) const HAS_ALL_COLUMNS: u8 = 0x20;
/// Flags: complex columns carry a deletion each.
pub(crate) const HAS_COMPLEX_DELETION: u8 = 0x40;
/// Flags: an extended-flags byte follows.
pub(crate) const EXTENSION: u8 = 0x80;
/// Extended flags: the static row.
pub(crate) const IS_STATIC: u8 = 0x01;
/// Extended flags: Cassandra's shadowable row deletion.
pub(crate) const HAS_SHADOWABLE_DELETION: u8 = 0x02;
/// Extended flags: ScyllaDB's separately stored shadowable deletion.
pub(crate) const SCYLLA_SHADOWABLE_DELETION: u8 = 0x80;
/// Every extended flag this crate understands.
pub(crate) const KNOWN_EXT: u8 = IS_STATIC | HAS_SHADOWABLE_DELETION | SCYLLA_SHADOWABLE_DELETION;
