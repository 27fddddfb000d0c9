//! Where Data.db bytes go: compressed in fixed-size chunks, each followed by
//! the CRC32 of its stored bytes, with CompressionInfo.db listing the chunk
//! offsets (§9); or stored plain with CRC.db holding a CRC32 per 64 KiB
//! (§10). Either way Digest.crc32 is the CRC32 of the file as stored.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

use super::super::compression::Compressor;

/// The chunk size of CRC.db for uncompressed Data.db.
const CRC_CHUNK: usize = 64 * 1024;

/// What the sink leaves behind once finished.
#[derive(Debug, Clone)]
pub(crate) struct SinkSummary {
    /// Data.db length as stored.
    pub stored_len: u64,
    /// Uncompressed length.
    pub data_len: u64,
    /// CRC32 of the stored file.
    pub digest: u32,
    /// CompressionInfo.db (compressed) or CRC.db (plain) contents.
    pub side_file: Vec<u8>,
}

enum Mode {
    Compressed {
        compressor: Compressor,
        chunk: usize,
        pending: Vec<u8>,
        scratch: Vec<u8>,
        offsets: Vec<u64>,
        #[cfg(feature = "zstd")]
        zstd: Option<zstd::bulk::Compressor<'static>>,
    },
    Plain {
        crcs: Vec<u32>,
        current: crc32fast::Hasher,
        in_chunk: usize,
    },
}

/// Streams Data.db to disk.
pub(crate) struct DataSink {
    file: BufWriter<File>,
    path: PathBuf,
    digest: crc32fast::Hasher,
    stored: u64,
    data_len: u64,
    mode: Mode,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("writing {}: {e}", path.display()))
}

impl DataSink {
    /// Creates Data.db at `path`; `compression` is the codec and chunk
    /// length, or `None` for an uncompressed file with CRC.db.
    pub fn create(path: &Path, compression: Option<(Compressor, usize)>) -> Result<DataSink> {
        let file = File::create(path).map_err(|e| io(path, e))?;
        let mode = match compression {
            Some((compressor, chunk)) => {
                if !chunk.is_power_of_two() || chunk < 1024 {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        format!("chunk length {chunk} is not a power of two of at least 1 KiB"),
                    ));
                }
                Mode::Compressed {
                    compressor,
                    chunk,
                    pending: Vec::with_capacity(chunk),
                    scratch: Vec::new(),
                    offsets: Vec::new(),
                    #[cfg(feature = "zstd")]
                    zstd: None,
                }
            }
            None => {
                Mode::Plain { crcs: Vec::new(), current: crc32fast::Hasher::new(), in_chunk: 0 }
            }
        };
        Ok(DataSink {
            file: BufWriter::with_capacity(256 * 1024, file),
            path: path.to_path_buf(),
            digest: crc32fast::Hasher::new(),
            stored: 0,
            data_len: 0,
            mode,
        })
    }

    /// Uncompressed bytes accepted so far (the next partition's position).
    pub fn position(&self) -> u64 {
        self.data_len
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes).map_err(|e| io(&self.path, e))?;
        self.digest.update(bytes);
        self.stored += bytes.len() as u64;
        Ok(())
    }

    /// Appends uncompressed bytes.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.data_len += bytes.len() as u64;
        match &mut self.mode {
            Mode::Plain { crcs, current, in_chunk } => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    let n = (CRC_CHUNK - *in_chunk).min(rest.len());
                    current.update(&rest[..n]);
                    *in_chunk += n;
                    if *in_chunk == CRC_CHUNK {
                        crcs.push(std::mem::take(current).finalize());
                        *in_chunk = 0;
                    }
                    rest = &rest[n..];
                }
                self.put(bytes)
            }
            Mode::Compressed { .. } => {
                while !bytes.is_empty() {
                    let Mode::Compressed { chunk, pending, .. } = &mut self.mode else {
                        break;
                    };
                    let n = (*chunk - pending.len()).min(bytes.len());
                    pending.extend_from_slice(&bytes[..n]);
                    bytes = &bytes[n..];
                    if pending.len() == *chunk {
                        self.flush_chunk()?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Compresses the pending chunk and writes it with its CRC.
    fn flush_chunk(&mut self) -> Result<()> {
        let stored = self.stored;
        let Mode::Compressed { compressor, pending, scratch, offsets, .. } = &mut self.mode else {
            return Ok(());
        };
        if pending.is_empty() {
            return Ok(());
        }
        offsets.push(stored);
        scratch.clear();
        match compressor {
            Compressor::Lz4 => {
                scratch.extend_from_slice(&(pending.len() as u32).to_le_bytes());
                scratch.extend_from_slice(&lz4_flex::block::compress(pending));
            }
            Compressor::Snappy => {
                let c = snap::raw::Encoder::new()
                    .compress_vec(pending)
                    .map_err(|e| Error::new(ErrorKind::Io, format!("snappy: {e}")))?;
                scratch.extend_from_slice(&c);
            }
            Compressor::Deflate => {
                let mut z = flate2::write::ZlibEncoder::new(
                    std::mem::take(scratch),
                    flate2::Compression::default(),
                );
                z.write_all(pending).map_err(|e| io(&self.path, e))?;
                *scratch = z.finish().map_err(|e| io(&self.path, e))?;
            }
            Compressor::Zstd => self.zstd_chunk()?,
            Compressor::Noop => scratch.extend_from_slice(pending),
        }
        let Mode::Compressed { pending, scratch, .. } = &mut self.mode else { return Ok(()) };
        pending.clear();
        let block = std::mem::take(scratch);
        let crc = crc32fast::hash(&block);
        self.put(&block)?;
        self.put(&crc.to_be_bytes())?;
        if let Mode::Compressed { scratch, .. } = &mut self.mode {
            *scratch = block;
        }
        Ok(())
    }

    #[cfg(feature = "zstd")]
    fn zstd_chunk(&mut self) -> Result<()> {
        let Mode::Compressed { pending, scratch, zstd, .. } = &mut self.mode else { return Ok(()) };
        if zstd.is_none() {
            // Cassandra's default level, with the content checksum it asks for.
            let mut c = zstd::bulk::Compressor::new(3)
                .map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?;
            c.include_checksum(true)
                .map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?;
            *zstd = Some(c);
        }
        if let Some(c) = zstd {
            let out =
                c.compress(pending).map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?;
            scratch.extend_from_slice(&out);
        }
        Ok(())
    }

    #[cfg(not(feature = "zstd"))]
    fn zstd_chunk(&mut self) -> Result<()> {
        Err(Error::new(ErrorKind::Unsupported, "this build has no Zstd support (feature `zstd`)"))
    }

    /// Flushes everything and returns what the other components need.
    pub fn finish(mut self, max_compressed_length: bool) -> Result<SinkSummary> {
        self.flush_chunk()?;
        self.file.flush().map_err(|e| io(&self.path, e))?;
        self.file.get_ref().sync_all().map_err(|e| io(&self.path, e))?;
        let side_file = match &mut self.mode {
            Mode::Compressed { compressor, chunk, offsets, .. } => {
                let mut b = Vec::with_capacity(64 + 8 * offsets.len());
                let name = match compressor {
                    Compressor::Lz4 => "LZ4Compressor",
                    Compressor::Snappy => "SnappyCompressor",
                    Compressor::Deflate => "DeflateCompressor",
                    Compressor::Zstd => "ZstdCompressor",
                    Compressor::Noop => "NoopCompressor",
                };
                b.extend_from_slice(&(name.len() as u16).to_be_bytes());
                b.extend_from_slice(name.as_bytes());
                b.extend_from_slice(&0i32.to_be_bytes()); // no options
                b.extend_from_slice(&(*chunk as i32).to_be_bytes());
                if max_compressed_length {
                    b.extend_from_slice(&i32::MAX.to_be_bytes());
                }
                b.extend_from_slice(&self.data_len.to_be_bytes());
                b.extend_from_slice(&(offsets.len() as i32).to_be_bytes());
                for o in offsets.iter() {
                    b.extend_from_slice(&o.to_be_bytes());
                }
                b
            }
            Mode::Plain { crcs, current, in_chunk } => {
                if *in_chunk > 0 {
                    crcs.push(std::mem::take(current).finalize());
                }
                let mut b = Vec::with_capacity(4 + 4 * crcs.len());
                b.extend_from_slice(&(CRC_CHUNK as i32).to_be_bytes());
                for c in crcs.iter() {
                    b.extend_from_slice(&c.to_be_bytes());
                }
                b
            }
        };
        Ok(SinkSummary {
            stored_len: self.stored,
            data_len: self.data_len,
            digest: self.digest.clone().finalize(),
            side_file,
        })
    }
}
