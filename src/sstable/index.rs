//! Index.db (BIG format), read alongside Data.db to check that the two agree
//! (SSTABLE_FORMAT.md §11.1).
//!
//! ```text
//! entry := sbytes key | uvint position | vint32 size | size bytes (promoted index)
//! ```
//! A full scan does not need the index, but a partition missing from it is
//! invisible to Cassandra's point reads, so a reader that vouches for an
//! SSTable checks that every partition has its entry, at its position, in
//! order, and that the index holds nothing else.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Offset, Result};

use crate::types::cursor::{Cursor, decode_uvint};

/// Streams Index.db entries and compares them with Data.db partitions.
#[derive(Debug)]
pub struct IndexVerifier {
    input: BufReader<File>,
    path: PathBuf,
    offset: u64,
    len: u64,
    key: Vec<u8>,
}

impl IndexVerifier {
    /// Opens Index.db.
    pub fn open(path: &Path) -> Result<IndexVerifier> {
        let file =
            File::open(path).map_err(|e| Error::io("opening Index.db", e).with_path(path))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io("reading Index.db metadata", e).with_path(path))?
            .len();
        Ok(IndexVerifier {
            input: BufReader::with_capacity(64 * 1024, file),
            path: path.to_path_buf(),
            offset: 0,
            len,
            key: Vec::new(),
        })
    }

    fn err(&self, at: u64, kind: ErrorKind, msg: String) -> Error {
        Error::new(kind, msg).with_path(&self.path).with_offset(Offset::File(at))
    }

    fn read_exact(&mut self, n: usize, what: &str) -> Result<()> {
        self.key.resize(n, 0);
        let at = self.offset;
        let mut buf = std::mem::take(&mut self.key);
        let r = self.input.read_exact(&mut buf);
        self.key = buf;
        r.map_err(|e| {
            Error::io(format!("reading {what}"), e)
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        self.offset += n as u64;
        Ok(())
    }

    fn read_vint(&mut self, what: &str) -> Result<u64> {
        let at = self.offset;
        let mut first = [0u8];
        self.input.read_exact(&mut first).map_err(|e| {
            Error::io(format!("reading {what}"), e)
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        let extra = first[0].leading_ones() as usize;
        let mut buf = [0u8; 9];
        buf[0] = first[0];
        self.input.read_exact(&mut buf[1..=extra]).map_err(|e| {
            Error::io(format!("reading {what}"), e)
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        self.offset += 1 + extra as u64;
        decode_uvint(&buf[..=extra])
            .map(|(v, _)| v)
            .map_err(|_| self.err(at, ErrorKind::Corrupt, format!("bad vint in {what}")))
    }

    /// Continues from the entry at `offset` (a reader started mid-file).
    pub fn seek(&mut self, offset: u64) -> Result<()> {
        use std::io::Seek;
        self.input
            .seek(std::io::SeekFrom::Start(offset))
            .map_err(|e| Error::io("seeking in Index.db", e).with_path(&self.path))?;
        self.offset = offset;
        Ok(())
    }

    /// Checks that the next index entry is for `key` at Data.db `position`.
    pub fn check(&mut self, key: &[u8], position: u64) -> Result<()> {
        // Fast path: the entry is whole in the read buffer and matches.
        if let Ok(buf) = self.input.fill_buf() {
            let mut c = Cursor::new(buf);
            let head =
                (|| Some((c.short_bytes().ok()?, c.uvint().ok()?, c.vint32().ok()? as usize)))();
            if let Some((k, pos, size)) = head
                && k == key
                && pos == position
                && c.remaining() >= size
                && self.offset + (c.pos() + size) as u64 <= self.len
            {
                let n = c.pos() + size;
                self.input.consume(n);
                self.offset += n as u64;
                return Ok(());
            }
        }
        self.check_slow(key, position)
    }

    /// Entry by entry, with located errors.
    fn check_slow(&mut self, key: &[u8], position: u64) -> Result<()> {
        let at = self.offset;
        let Some(indexed) = self.read_entry()? else {
            return Err(self.err(
                at,
                ErrorKind::Corrupt,
                format!("Index.db has no entry for the partition at Data.db byte {position} (missing index entry)"),
            ));
        };
        if self.key != key {
            return Err(self.err(
                at,
                ErrorKind::Corrupt,
                format!(
                    "Index.db entry is for key 0x{}, but Data.db's partition at byte {position} has key 0x{}",
                    super::reader::hex(&self.key),
                    super::reader::hex(key)
                ),
            ));
        }
        if indexed != position {
            return Err(self.err(
                at,
                ErrorKind::Corrupt,
                format!(
                    "Index.db places key 0x{} at Data.db byte {indexed}, but it is at {position}",
                    super::reader::hex(key)
                ),
            ));
        }
        Ok(())
    }

    /// The next entry's key, its promoted index skipped; `None` at the end
    /// of the file.
    pub fn next_key(&mut self) -> Result<Option<&[u8]>> {
        Ok(self.read_entry()?.map(|_| self.key.as_slice()))
    }

    /// Reads the next entry: its key into `self.key`, and its Data.db
    /// position, which it returns; `None` at the end of the file.
    fn read_entry(&mut self) -> Result<Option<u64>> {
        let at = self.offset;
        if at >= self.len {
            return Ok(None);
        }
        let mut len = [0u8; 2];
        self.input.read_exact(&mut len).map_err(|e| {
            Error::io("reading an index entry", e)
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        self.offset += 2;
        self.read_exact(u16::from_be_bytes(len) as usize, "an index key")?;
        let position = self.read_vint("an index position")?;
        let size = self.read_vint("an index entry size")? as u32 as u64;
        if size > self.len - self.offset {
            return Err(self.err(
                at,
                ErrorKind::Corrupt,
                format!("index entry size {size} runs past the end of Index.db"),
            ));
        }
        let copied = std::io::copy(&mut (&mut self.input).take(size), &mut std::io::sink())
            .map_err(|e| Error::io("reading an index entry", e).with_path(&self.path))?;
        if copied != size {
            return Err(self.err(at, ErrorKind::Truncated, "Index.db ends inside an entry".into()));
        }
        self.offset += size;
        Ok(Some(position))
    }

    /// Checks that no entries are left once Data.db has ended.
    pub fn finish(&self) -> Result<()> {
        if self.offset != self.len {
            return Err(self.err(
                self.offset,
                ErrorKind::Corrupt,
                format!(
                    "Index.db has {} bytes of entries for partitions Data.db does not hold",
                    self.len - self.offset
                ),
            ));
        }
        Ok(())
    }
}
