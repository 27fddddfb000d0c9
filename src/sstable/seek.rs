//! Finding where in Data.db the partitions of a token range start, from
//! Summary.db (a sample of Index.db) and Index.db (SSTABLE_FORMAT.md §11):
//! binary-search the sample for the last key before the token, then scan
//! Index.db forward from there. This is what lets token ranges be read in
//! parallel without decoding the partitions before them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::{Error, Result};
use crate::types::cursor::Cursor;
use crate::types::token::{Partitioner, Token};

/// Where a token range starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeekPoint {
    /// Offset of the first partition's entry in Index.db.
    pub index_offset: u64,
    /// Offset of that partition in the uncompressed Data.db.
    pub data_position: u64,
}

/// Summary.db's sampled keys and their Index.db offsets.
fn summary_entries(bytes: &[u8]) -> Option<Vec<(&[u8], u64)>> {
    let mut c = Cursor::new(bytes);
    let _interval = c.i32().ok()?;
    let count = usize::try_from(c.i32().ok()?).ok()?;
    let offheap = usize::try_from(c.i64().ok()?).ok()?;
    let _level = c.i32().ok()?;
    let _full = c.i32().ok()?;
    let block = bytes.get(c.pos()..c.pos() + offheap)?;
    let mut offsets = Vec::with_capacity(count);
    for i in 0..count {
        let o = block.get(4 * i..4 * i + 4)?;
        offsets.push(u32::from_le_bytes([o[0], o[1], o[2], o[3]]) as usize);
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let start = offsets[i];
        let end = offsets.get(i + 1).copied().unwrap_or(offheap);
        let entry = block.get(start..end)?;
        let (key, pos) = entry.split_at(entry.len().checked_sub(8)?);
        out.push((key, u64::from_le_bytes(pos.try_into().ok()?)));
    }
    Some(out)
}

/// The first partition whose token is at or after `start`, or `None` when
/// there is none. `summary` may be absent (Index.db is then scanned from
/// its start).
pub fn seek_point(
    index_path: &Path,
    summary_path: Option<&Path>,
    partitioner: &Partitioner,
    start: Token,
) -> Result<Option<SeekPoint>> {
    let before = |key: &[u8]| partitioner.token(key) < start;
    let mut from = 0u64;
    if let Some(p) = summary_path
        && let Ok(bytes) = std::fs::read(p)
        && let Some(entries) = summary_entries(&bytes)
    {
        // Entries are in token order: the last one before `start`.
        let n = entries.partition_point(|(k, _)| before(k));
        if n > 0 {
            from = entries[n - 1].1;
        }
    }
    let file = File::open(index_path)
        .map_err(|e| Error::io("opening Index.db", e).with_path(index_path))?;
    let mut r = BufReader::with_capacity(64 * 1024, file);
    r.seek(SeekFrom::Start(from))
        .map_err(|e| Error::io("seeking in Index.db", e).with_path(index_path))?;
    let mut offset = from;
    let mut key = Vec::new();
    loop {
        let buf =
            r.fill_buf().map_err(|e| Error::io("reading Index.db", e).with_path(index_path))?;
        if buf.is_empty() {
            return Ok(None);
        }
        // An entry: sbytes key, uvint position, uvint size, size bytes.
        let mut head = [0u8; 2];
        read(&mut r, &mut head, index_path)?;
        key.resize(u16::from_be_bytes(head) as usize, 0);
        read(&mut r, &mut key, index_path)?;
        let position = read_uvint(&mut r, index_path)?;
        let size = read_uvint(&mut r, index_path)?;
        if !before(&key) {
            return Ok(Some(SeekPoint { index_offset: offset, data_position: position.0 }));
        }
        std::io::copy(&mut (&mut r).take(size.0), &mut std::io::sink())
            .map_err(|e| Error::io("reading Index.db", e).with_path(index_path))?;
        offset += 2 + key.len() as u64 + position.1 + size.1 + size.0;
    }
}

fn read(r: &mut impl std::io::Read, buf: &mut [u8], path: &Path) -> Result<()> {
    r.read_exact(buf).map_err(|e| Error::io("reading Index.db", e).with_path(path))
}

/// An unsigned vint and its length.
fn read_uvint(r: &mut impl std::io::Read, path: &Path) -> Result<(u64, u64)> {
    let mut first = [0u8];
    read(r, &mut first, path)?;
    let extra = first[0].leading_ones() as usize;
    let mut buf = [0u8; 9];
    buf[0] = first[0];
    read(r, &mut buf[1..=extra], path)?;
    let (v, _) = crate::types::cursor::decode_uvint(&buf[..=extra])
        .map_err(|_| Error::corrupt("a bad vint in Index.db").with_path(path))?;
    Ok((v, 1 + extra as u64))
}
