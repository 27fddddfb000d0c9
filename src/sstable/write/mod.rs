//! Writing SSTables: the inverse of the reader, for the formats Cassandra
//! loads (`mc`, `nb`, `oa`, BIG). See [`data`] for Data.db.

pub mod data;

pub use data::{BlockName, IndexBlock, PartitionLayout};

use crate::error::Result;

use super::content::Partition;
use super::header::SerializationHeader;
use super::version::Version;

/// Cassandra's default `column_index_size`: 64 KiB.
pub const DEFAULT_COLUMN_INDEX_SIZE: u64 = 64 * 1024;

/// Serializes partitions (already in token order) into an uncompressed
/// Data.db byte stream, with each partition's layout.
pub fn serialize_data(
    header: &SerializationHeader,
    version: &Version,
    partitions: &[Partition],
    column_index_size: u64,
) -> Result<(Vec<u8>, Vec<PartitionLayout>)> {
    let mut s = data::PartitionSerializer::new(header, version.is_oa(), column_index_size);
    let mut out = Vec::new();
    let mut layouts = Vec::with_capacity(partitions.len());
    for p in partitions {
        layouts.push(s.write(p, &mut out)?);
    }
    Ok((out, layouts))
}
