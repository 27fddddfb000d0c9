//! The uncompressed Data.db byte stream, produced block by block and
//! verified at the boundary where bytes enter (SSTABLE_FORMAT.md §9, §10).
//!
//! - Compressed Data.db: each chunk's CRC32 is checked before it is
//!   decompressed; a chunk stored raw (`na`+, `maxCompressedLength`) is
//!   copied.
//! - Uncompressed Data.db: CRC.db's per-slice CRC32s are checked when present.
//! - Both: the CRC32 of the whole file as stored is compared with
//!   Digest.crc32 when the last byte has been read.
//!
//! Blocks are appended to a [`Window`], the reader's sliding buffer, so the
//! memory held is one block plus the unconsumed tail of the previous one
//! (at least the record being decoded). Files are read sequentially with
//! plain `read` calls; nothing is memory-mapped.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Offset, Result};

use super::checksum::Digest;
use super::compression::{CompressionInfo, Decompressor};

/// Read granularity for uncompressed Data.db.
const PLAIN_BLOCK: usize = 256 * 1024;

/// A sliding window over the uncompressed stream: `buf[start..end]` holds
/// the stream bytes `[base + start, base + end)`.
#[derive(Debug, Default)]
pub struct Window {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    base: u64,
}

impl Window {
    /// An empty window whose first byte will be stream offset `base`.
    pub fn starting_at(base: u64) -> Window {
        Window { base, ..Window::default() }
    }

    /// Stream offset of the first byte held.
    pub fn start_offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Stream offset just past the last byte held.
    pub fn end_offset(&self) -> u64 {
        self.base + self.end as u64
    }

    /// The bytes from stream offset `from` to the end of the window.
    #[inline]
    pub fn from(&self, from: u64) -> &[u8] {
        let i = from.saturating_sub(self.base) as usize;
        self.buf.get(i.min(self.end)..self.end).unwrap_or_default()
    }

    /// Drops every byte before stream offset `keep_from`.
    pub fn release_before(&mut self, keep_from: u64) {
        let i = keep_from.saturating_sub(self.base) as usize;
        self.start = i.clamp(self.start, self.end);
    }

    /// Makes room for `n` more bytes at the end, moving the held bytes to the
    /// front when that avoids growing, and returns the space to fill.
    pub(crate) fn tail(&mut self, n: usize) -> &mut [u8] {
        if self.end + n > self.buf.len() {
            let held = self.end - self.start;
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.base += self.start as u64;
                self.start = 0;
                self.end = held;
            }
            if self.end + n > self.buf.len() {
                self.buf.resize((self.end + n).max(self.buf.len() * 2), 0);
            }
        }
        let end = self.end;
        &mut self.buf[end..end + n]
    }

    pub(crate) fn commit(&mut self, n: usize) {
        self.end += n;
    }

    /// Bytes currently allocated (for memory accounting in tests).
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }
}

/// Expected checksums of an uncompressed Data.db (CRC.db).
#[derive(Debug)]
struct CrcDb {
    chunk: usize,
    crcs: Vec<u32>,
    path: PathBuf,
}

enum Kind {
    Compressed {
        info: CompressionInfo,
        next: usize,
        stored: Vec<u8>,
        codec: Decompressor,
    },
    Plain {
        crc: Option<CrcDb>,
    },
    /// An uncompressed stream already in memory (tests, fuzzing, remote
    /// sources that fetched the bytes themselves); no checksums.
    Memory {
        data: Vec<u8>,
    },
    /// A pre-3.0 Data.db, re-encoded partition by partition.
    Legacy(Box<super::legacy::Transcoder>),
}

/// Produces the uncompressed Data.db stream.
pub struct DataSource {
    file: Option<File>,
    path: PathBuf,
    file_len: u64,
    read: u64,
    produced: u64,
    total: u64,
    kind: Kind,
    digest: Digest,
    expected_digest: Option<(u32, PathBuf)>,
    done: bool,
}

impl std::fmt::Debug for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSource")
            .field("path", &self.path)
            .field("produced", &self.produced)
            .finish()
    }
}

impl DataSource {
    /// Opens Data.db. `compression` is the parsed CompressionInfo.db when the
    /// file is compressed; `crc_path` and `digest_path` are CRC.db and
    /// Digest.crc32 when present.
    pub fn open(
        path: &Path,
        compression: Option<CompressionInfo>,
        crc_path: Option<&Path>,
        digest_path: Option<&Path>,
    ) -> Result<DataSource> {
        let file = File::open(path).map_err(|e| Error::io("opening Data.db", e).with_path(path))?;
        let file_len = file
            .metadata()
            .map_err(|e| Error::io("reading Data.db metadata", e).with_path(path))?
            .len();
        let expected_digest = match digest_path {
            Some(p) => Some((read_digest(p)?, p.to_path_buf())),
            None => None,
        };
        let (kind, total) = match compression {
            Some(info) => {
                let total = info.data_length;
                (
                    Kind::Compressed {
                        info,
                        next: 0,
                        stored: Vec::new(),
                        codec: Decompressor::default(),
                    },
                    total,
                )
            }
            None => {
                let crc = match crc_path {
                    Some(p) => Some(read_crc_db(p, file_len)?),
                    None => None,
                };
                (Kind::Plain { crc }, file_len)
            }
        };
        Ok(DataSource {
            file: Some(file),
            path: path.to_path_buf(),
            file_len,
            read: 0,
            produced: 0,
            total,
            kind,
            digest: Digest::new(false),
            expected_digest,
            done: false,
        })
    }

    /// Opens a pre-3.0 Data.db: the same layers with Adler-32 checksums
    /// (chunks, CRC.db, and the decimal whole-file digest of Digest.sha1).
    pub(crate) fn open_legacy(
        path: &Path,
        compression: Option<CompressionInfo>,
        crc_path: Option<&Path>,
        digest_path: Option<&Path>,
    ) -> Result<DataSource> {
        let mut s = DataSource::open(path, compression, crc_path, digest_path)?;
        s.digest = Digest::new(true);
        Ok(s)
    }

    /// A source producing the 3.0 encoding of `legacy`'s partitions.
    pub(crate) fn transcoded(legacy: super::legacy::Transcoder) -> DataSource {
        // The re-encoded length is not known ahead: no bound on it (the
        // reader's size checks then trust sizes this crate wrote itself).
        let (path, file_len, total) =
            (legacy.path().to_path_buf(), legacy.inner().file_len(), u64::MAX);
        DataSource {
            file: None,
            path,
            file_len,
            read: 0,
            produced: 0,
            total,
            kind: Kind::Legacy(Box::new(legacy)),
            digest: Digest::new(true),
            expected_digest: None,
            done: false,
        }
    }

    /// A source over an uncompressed Data.db stream held in memory. Nothing
    /// is verified: the bytes are taken as they are.
    pub fn from_bytes(name: &Path, data: Vec<u8>) -> DataSource {
        let len = data.len() as u64;
        DataSource {
            file: None,
            path: name.to_path_buf(),
            file_len: len,
            read: 0,
            produced: 0,
            total: len,
            kind: Kind::Memory { data },
            digest: Digest::new(false),
            expected_digest: None,
            done: false,
        }
    }

    /// Positions the source before the chunk (or checksum block) holding
    /// uncompressed offset `pos`, for a reader that starts mid-file, and
    /// returns that chunk's uncompressed offset. The whole-file digest is not
    /// checked then. Call before the first `fill`.
    pub fn seek_to(&mut self, pos: u64) -> Result<u64> {
        use std::io::Seek;
        self.expected_digest = None;
        let (file_at, base) = match &mut self.kind {
            Kind::Compressed { info, next, .. } => {
                let i = (pos / u64::from(info.chunk_length.max(1))) as usize;
                let Some(&at) = info.offsets.get(i) else {
                    return Err(Error::corrupt(format!(
                        "seek to uncompressed byte {pos}, past the last chunk"
                    ))
                    .with_path(&self.path));
                };
                *next = i;
                (at, i as u64 * u64::from(info.chunk_length))
            }
            Kind::Plain { crc } => {
                let chunk = crc.as_ref().map_or(1, |c| c.chunk as u64);
                let aligned = pos / chunk * chunk;
                (aligned, aligned)
            }
            Kind::Memory { .. } => (pos, pos),
            Kind::Legacy(_) => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "a pre-3.0 Data.db is only read from its start",
                )
                .with_path(&self.path));
            }
        };
        if let Some(f) = self.file.as_mut() {
            f.seek(std::io::SeekFrom::Start(file_at))
                .map_err(|e| Error::io("seeking in Data.db", e).with_path(&self.path))?;
        }
        self.read = file_at;
        self.produced = base;
        Ok(base)
    }

    /// Total length of the uncompressed stream (`u64::MAX` for a pre-3.0
    /// file re-encoded as it goes, whose length is not known ahead).
    pub fn total_len(&self) -> u64 {
        self.total
    }

    /// Size of Data.db as stored.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// Bytes of Data.db read from disk so far.
    pub fn bytes_read(&self) -> u64 {
        match &self.kind {
            Kind::Legacy(t) => t.inner().bytes_read(),
            _ => self.read,
        }
    }

    /// Appends the next block of the stream to `window`. Returns the number
    /// of bytes appended; 0 means the stream has ended and every checksum
    /// has been verified.
    pub fn fill(&mut self, window: &mut Window) -> Result<usize> {
        loop {
            if self.done {
                return Ok(0);
            }
            let n = match &mut self.kind {
                Kind::Compressed { .. } => self.next_chunk(window)?,
                Kind::Plain { .. } => self.next_plain(window)?,
                Kind::Memory { .. } => self.next_memory(window),
                Kind::Legacy(t) => {
                    let n = t.fill(window)?;
                    self.produced += n as u64;
                    if n == 0 {
                        self.done = true;
                    }
                    return Ok(n);
                }
            };
            match n {
                Some(0) => continue, // an empty trailing chunk
                Some(n) => return Ok(n),
                None => {
                    self.finish()?;
                    return Ok(0);
                }
            }
        }
    }

    fn err(&self, e: Error) -> Error {
        e.with_path(&self.path)
    }

    fn next_chunk(&mut self, window: &mut Window) -> Result<Option<usize>> {
        let Kind::Compressed { info, next, stored, codec } = &mut self.kind else {
            return Ok(None);
        };
        let i = *next;
        if i >= info.offsets.len() {
            return Ok(None);
        }
        *next += 1;
        let at = info.offsets[i];
        let stored_len = info.chunk_stored_len(i, self.file_len);
        if at != self.read {
            return Err(Error::corrupt(format!(
                "CompressionInfo.db places chunk {i} at byte {at}, but the previous chunk ends at {}",
                self.read
            ))
            .with_path(&self.path)
            .with_offset(Offset::File(self.read)));
        }
        if stored_len < 4 {
            return Err(Error::corrupt(format!(
                "chunk {i} is {stored_len} bytes, too short for its CRC"
            ))
            .with_path(&self.path)
            .with_offset(Offset::File(at)));
        }
        let stored_len = usize::try_from(stored_len)
            .map_err(|_| Error::corrupt(format!("chunk {i} is too large")).with_path(&self.path))?;
        stored.resize(stored_len, 0);
        let Some(file) = self.file.as_mut() else { return Ok(None) };
        file.read_exact(stored).map_err(|e| {
            Error::io(format!("reading compressed chunk {i} ({stored_len} bytes)"), e)
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        self.read += stored_len as u64;
        let (body, crc) = stored.split_at(stored_len - 4);
        let actual = self.digest.chunk(body);
        let expected = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
        self.digest.update(crc);
        if actual != expected {
            return Err(Error::new(
                ErrorKind::Checksum,
                format!(
                    "chunk {i} {}: stored {expected:#010x}, computed {actual:#010x}",
                    self.digest.name()
                ),
            )
            .with_path(&self.path)
            .with_offset(Offset::File(at)));
        }
        let len = info.chunk_uncompressed_len(i);
        let uncompressed_start = i as u64 * info.chunk_length as u64;
        if len == 0 {
            // A trailing empty chunk still has to decode to nothing.
            codec.decompress(info.compressor, body, &mut []).map_err(|m| {
                Error::corrupt(format!("trailing chunk {i}: {m}"))
                    .with_path(&self.path)
                    .with_offset(Offset::File(at))
            })?;
            return Ok(Some(0));
        }
        let dst = window.tail(len);
        let raw = body.len() as u64 >= info.max_compressed_length as u64;
        let result = if raw {
            // Stored uncompressed (§9.2), zero-padded when short.
            match body.get(..len) {
                Some(b) => {
                    dst.copy_from_slice(b);
                    Ok(())
                }
                None => Err(format!("raw chunk has {} bytes, expected at least {len}", body.len())),
            }
        } else {
            codec.decompress(info.compressor, body, dst)
        };
        result.map_err(|m| {
            Error::corrupt(format!("chunk {i} (uncompressed bytes {uncompressed_start}..): {m}"))
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        window.commit(len);
        self.produced += len as u64;
        Ok(Some(len))
    }

    fn next_memory(&mut self, window: &mut Window) -> Option<usize> {
        let Kind::Memory { data } = &self.kind else { return None };
        let start = self.read as usize;
        let n = (data.len() - start).min(PLAIN_BLOCK);
        if n == 0 {
            return None;
        }
        window.tail(n).copy_from_slice(&data[start..start + n]);
        window.commit(n);
        self.read += n as u64;
        self.produced += n as u64;
        Some(n)
    }

    fn next_plain(&mut self, window: &mut Window) -> Result<Option<usize>> {
        let Kind::Plain { crc } = &self.kind else { return Ok(None) };
        let remaining = self.file_len - self.read;
        if remaining == 0 {
            return Ok(None);
        }
        let block = match crc {
            Some(c) => (PLAIN_BLOCK / c.chunk).max(1) * c.chunk,
            None => PLAIN_BLOCK,
        };
        let n = (remaining as usize).min(block);
        let at = self.read;
        let dst = window.tail(n);
        let Some(file) = self.file.as_mut() else { return Ok(None) };
        file.read_exact(dst).map_err(|e| {
            Error::io(format!("reading {n} bytes of Data.db"), e)
                .with_path(&self.path)
                .with_offset(Offset::File(at))
        })?;
        match crc {
            Some(c) => {
                for (j, piece) in dst.chunks(c.chunk).enumerate() {
                    let index = (at as usize / c.chunk) + j;
                    let actual = self.digest.chunk(piece);
                    let Some(&expected) = c.crcs.get(index) else {
                        return Err(Error::corrupt(format!(
                            "CRC.db has {} checksums; Data.db needs at least {}",
                            c.crcs.len(),
                            index + 1
                        ))
                        .with_path(&c.path));
                    };
                    if actual != expected {
                        return Err(Error::new(
                            ErrorKind::Checksum,
                            format!(
                                "Data.db bytes {}..{} {}: CRC.db says {expected:#010x}, computed {actual:#010x}",
                                index * c.chunk,
                                index * c.chunk + piece.len(),
                                self.digest.name()
                            ),
                        )
                        .with_path(&self.path)
                        .with_offset(Offset::File((index * c.chunk) as u64)));
                    }
                }
            }
            None => self.digest.update(dst),
        }
        window.commit(n);
        self.read += n as u64;
        self.produced += n as u64;
        Ok(Some(n))
    }

    fn finish(&mut self) -> Result<()> {
        self.done = true;
        if self.read != self.file_len {
            return Err(self.err(
                Error::corrupt(format!(
                    "the chunks end at byte {} but the file has {} bytes",
                    self.read, self.file_len
                ))
                .with_offset(Offset::File(self.read)),
            ));
        }
        if self.produced != self.total {
            return Err(self.err(Error::corrupt(format!(
                "decoded {} uncompressed bytes, CompressionInfo.db says {}",
                self.produced, self.total
            ))));
        }
        if let Some((expected, path)) = &self.expected_digest {
            let actual = self.digest.value();
            if actual != *expected {
                return Err(Error::new(
                    ErrorKind::Checksum,
                    format!(
                        "Data.db {} is {actual} but {} says {expected}",
                        self.digest.name(),
                        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                    ),
                )
                .with_path(&self.path));
            }
        }
        Ok(())
    }
}

/// Reads the whole-file digest: the decimal CRC32 (Digest.crc32) or, before
/// 3.0, Adler-32 (Digest.sha1) of Data.db as stored.
fn read_digest(path: &Path) -> Result<u32> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io("reading the Data.db digest", e).with_path(path))?;
    let t = text.trim();
    // Unsigned decimal normally; accept a signed int as some writers print.
    t.parse::<u32>().ok().or_else(|| t.parse::<i32>().ok().map(|v| v as u32)).ok_or_else(|| {
        Error::corrupt(format!("the digest file should hold a decimal checksum, found {t:?}"))
            .with_path(path)
    })
}

/// Reads CRC.db: `i32 chunkSize` then one CRC32 per chunk of Data.db.
fn read_crc_db(path: &Path, data_len: u64) -> Result<CrcDb> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading CRC.db", e).with_path(path))?;
    let (size, rest) = bytes.split_first_chunk::<4>().ok_or_else(|| {
        Error::new(ErrorKind::Truncated, "CRC.db has no chunk size").with_path(path)
    })?;
    let chunk = i32::from_be_bytes(*size);
    if chunk <= 0 {
        return Err(Error::corrupt(format!("CRC.db chunk size {chunk} is not positive"))
            .with_path(path)
            .with_offset(Offset::File(0)));
    }
    if rest.len() % 4 != 0 {
        return Err(Error::new(
            ErrorKind::Truncated,
            format!("CRC.db ends inside a checksum ({} bytes)", bytes.len()),
        )
        .with_path(path));
    }
    let crcs: Vec<u32> =
        rest.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
    let needed = data_len.div_ceil(chunk as u64) as usize;
    // ScyllaDB may append the CRC of an empty trailing chunk.
    if crcs.len() < needed || crcs.len() > needed + 1 {
        return Err(Error::corrupt(format!(
            "CRC.db has {} checksums; {data_len} bytes in {chunk}-byte chunks need {needed}",
            crcs.len()
        ))
        .with_path(path));
    }
    Ok(CrcDb { chunk: chunk as usize, crcs, path: path.to_path_buf() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_slides_and_keeps_the_tail() {
        let mut w = Window::default();
        w.tail(4).copy_from_slice(b"abcd");
        w.commit(4);
        assert_eq!(w.from(1), b"bcd");
        w.release_before(3);
        w.tail(2).copy_from_slice(b"ef");
        w.commit(2);
        assert_eq!(w.from(3), b"def");
        assert_eq!(w.start_offset(), 3);
        assert_eq!(w.end_offset(), 6);
        assert_eq!(w.from(0), b"def", "released bytes are gone");
    }
}
