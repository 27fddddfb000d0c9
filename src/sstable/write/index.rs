//! Index.db entries and the Summary.db sample (SSTABLE_FORMAT.md §11).
//!
//! An entry is `sbytes key | uvint position | uvint size`, and for a
//! partition of two or more index blocks `size` counts what follows: the
//! header length, the partition deletion, the block count, the blocks
//! (`IndexInfo`) and their offsets. The summary samples every
//! `min_index_interval`-th entry at full sampling; its offsets and positions
//! are little-endian.

use crate::types::cursor::encode_uvint;
use crate::types::cursor::zigzag;

use super::super::row::DeletionTime;
use super::data::{CLUSTERING_KIND, IndexBlock, PartitionLayout, PartitionSerializer};
use crate::error::Result;

/// `IndexInfo.WIDTH_BASE`.
const WIDTH_BASE: i64 = 64 * 1024;

/// Appends one Index.db entry.
pub(crate) fn write_entry(
    s: &PartitionSerializer<'_>,
    key: &[u8],
    position: u64,
    deletion: Option<DeletionTime>,
    layout: &PartitionLayout,
    out: &mut Vec<u8>,
) -> Result<()> {
    out.extend_from_slice(&(key.len() as u16).to_be_bytes());
    out.extend_from_slice(key);
    encode_uvint(position, out);
    if layout.blocks.len() < 2 {
        out.push(0);
        return Ok(());
    }
    let mut body = Vec::new();
    encode_uvint(layout.header_length, &mut body);
    s.partition_deletion_bytes(deletion, &mut body);
    encode_uvint(layout.blocks.len() as u64, &mut body);
    let first_info = body.len();
    let mut offsets = Vec::with_capacity(layout.blocks.len());
    for b in &layout.blocks {
        offsets.push((body.len() - first_info) as u32);
        index_info(s, b, &mut body)?;
    }
    for o in offsets {
        body.extend_from_slice(&o.to_be_bytes());
    }
    encode_uvint(body.len() as u64, out);
    out.extend_from_slice(&body);
    Ok(())
}

fn index_info(s: &PartitionSerializer<'_>, b: &IndexBlock, out: &mut Vec<u8>) -> Result<()> {
    for name in [&b.first, &b.last] {
        out.push(name.kind);
        if name.kind == CLUSTERING_KIND {
            s.clustering_values(&name.values, out)?;
        } else {
            s.prefix_with_size(&name.values, out)?;
        }
    }
    encode_uvint(b.offset, out);
    encode_uvint(zigzag(b.width as i64 - WIDTH_BASE), out);
    match b.end_open {
        Some(d) => {
            out.push(1);
            s.partition_deletion_bytes(Some(d), out);
        }
        None => out.push(0),
    }
    Ok(())
}

/// Builds Summary.db from the keys and Index.db positions offered in order.
#[derive(Debug)]
pub(crate) struct SummaryBuilder {
    interval: u64,
    keys: u64,
    offsets: Vec<u32>,
    entries: Vec<u8>,
    first: Vec<u8>,
    last: Vec<u8>,
}

impl SummaryBuilder {
    pub fn new(min_index_interval: u32) -> SummaryBuilder {
        SummaryBuilder {
            interval: u64::from(min_index_interval.max(1)),
            keys: 0,
            offsets: Vec::new(),
            entries: Vec::new(),
            first: Vec::new(),
            last: Vec::new(),
        }
    }

    /// Offers the next partition key and its Index.db position.
    pub fn add(&mut self, key: &[u8], index_position: u64) {
        if self.keys == 0 {
            self.first = key.to_vec();
        }
        if self.keys.is_multiple_of(self.interval) {
            self.offsets.push(self.entries.len() as u32);
            self.entries.extend_from_slice(key);
            self.entries.extend_from_slice(&index_position.to_le_bytes());
        }
        self.last.clear();
        self.last.extend_from_slice(key);
        self.keys += 1;
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.offsets.len() as u32;
        let mut out = Vec::with_capacity(32 + self.entries.len() + 4 * self.offsets.len());
        out.extend_from_slice(&(self.interval as u32).to_be_bytes());
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&(u64::from(n) * 4 + self.entries.len() as u64).to_be_bytes());
        out.extend_from_slice(&128u32.to_be_bytes()); // BASE_SAMPLING_LEVEL
        out.extend_from_slice(&(self.keys.div_ceil(self.interval) as u32).to_be_bytes());
        for o in &self.offsets {
            out.extend_from_slice(&(o + 4 * n).to_le_bytes());
        }
        out.extend_from_slice(&self.entries);
        for k in [&self.first, &self.last] {
            out.extend_from_slice(&(k.len() as u32).to_be_bytes());
            out.extend_from_slice(k);
        }
        out
    }
}
