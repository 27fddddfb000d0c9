//! CompressionInfo.db and the chunk codecs (SSTABLE_FORMAT.md §9).
//!
//! ```text
//! jutf compressor | i32 n | n × (jutf key, jutf value) | i32 chunkLength
//! | [na+: i32 maxCompressedLength] | i64 dataLength | i32 chunkCount
//! | chunkCount × i64 offset
//! ```
//! Chunk `i` holds uncompressed bytes `[i·chunkLength, …)`; on disk it is
//! the stored bytes followed by a big-endian CRC32 of them. Codec framing:
//! LZ4 = 4-byte *little-endian* length + raw block; Snappy = raw block;
//! Deflate = zlib stream; Zstd = one frame; Noop = raw bytes. From `na` on,
//! a chunk whose stored length reaches `maxCompressedLength` is stored raw.

use crate::error::{Error, ErrorKind, Offset, Result};

use super::version::Version;
use crate::types::cursor::Cursor;

/// A chunk compressor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compressor {
    /// LZ4Compressor.
    Lz4,
    /// SnappyCompressor.
    Snappy,
    /// DeflateCompressor.
    Deflate,
    /// ZstdCompressor.
    Zstd,
    /// NoopCompressor.
    Noop,
}

impl Compressor {
    /// Recognizes a compressor class name, simple or fully qualified.
    pub fn from_class(name: &str) -> Option<Compressor> {
        Some(match name.rsplit('.').next().unwrap_or(name) {
            "LZ4Compressor" => Compressor::Lz4,
            "SnappyCompressor" => Compressor::Snappy,
            "DeflateCompressor" => Compressor::Deflate,
            "ZstdCompressor" => Compressor::Zstd,
            "NoopCompressor" => Compressor::Noop,
            _ => return None,
        })
    }

    /// The lower-case codec name.
    pub fn name(self) -> &'static str {
        match self {
            Compressor::Lz4 => "lz4",
            Compressor::Snappy => "snappy",
            Compressor::Deflate => "deflate",
            Compressor::Zstd => "zstd",
            Compressor::Noop => "none",
        }
    }
}

/// The parsed CompressionInfo.db.
#[derive(Debug, Clone, PartialEq)]
pub struct CompressionInfo {
    /// The codec.
    pub compressor: Compressor,
    /// Compressor options as stored.
    pub options: Vec<(String, String)>,
    /// Uncompressed bytes per chunk.
    pub chunk_length: u32,
    /// Stored chunks at least this long are not compressed (`na`+).
    pub max_compressed_length: u32,
    /// Total uncompressed length of Data.db.
    pub data_length: u64,
    /// Start of each chunk in the stored Data.db.
    pub offsets: Vec<u64>,
}

impl CompressionInfo {
    /// Parses CompressionInfo.db and checks it against the stored Data.db
    /// length.
    pub fn parse(bytes: &[u8], version: &Version, data_file_len: u64) -> Result<CompressionInfo> {
        let mut c = Cursor::new(bytes);
        let short = |c: &Cursor<'_>, what: &str| {
            Error::new(ErrorKind::Truncated, format!("CompressionInfo.db ends inside {what}"))
                .with_offset(Offset::File(c.pos() as u64))
        };
        let name = c.short_bytes().map_err(|_| short(&c, "the compressor name"))?;
        let name = String::from_utf8_lossy(name).into_owned();
        let compressor = Compressor::from_class(&name).ok_or_else(|| {
            Error::new(ErrorKind::Unsupported, format!("unknown compressor class '{name}'"))
                .with_offset(Offset::File(0))
        })?;
        let n = c.i32().map_err(|_| short(&c, "the option count"))?;
        if n < 0 || n as usize > c.remaining() / 4 {
            return Err(Error::corrupt(format!(
                "CompressionInfo.db option count {n} is impossible"
            ))
            .with_offset(Offset::File(c.pos() as u64 - 4)));
        }
        let mut options = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let k = c.short_bytes().map_err(|_| short(&c, "an option key"))?;
            let v = c.short_bytes().map_err(|_| short(&c, "an option value"))?;
            options.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ));
        }
        let at = c.pos() as u64;
        let chunk_length = c.i32().map_err(|_| short(&c, "the chunk length"))?;
        if chunk_length <= 0 || (chunk_length as u32).count_ones() != 1 {
            return Err(Error::corrupt(format!(
                "CompressionInfo.db chunk length {chunk_length} is not a positive power of two"
            ))
            .with_offset(Offset::File(at)));
        }
        let max_compressed_length = if version.has_max_compressed_length() {
            let m = c.i32().map_err(|_| short(&c, "maxCompressedLength"))?;
            if m <= 0 {
                return Err(Error::corrupt(format!(
                    "CompressionInfo.db maxCompressedLength {m} is not positive"
                ))
                .with_offset(Offset::File(c.pos() as u64 - 4)));
            }
            m as u32
        } else {
            i32::MAX as u32
        };
        let at = c.pos() as u64;
        let data_length = c.i64().map_err(|_| short(&c, "the data length"))?;
        let data_length = u64::try_from(data_length).map_err(|_| {
            Error::corrupt(format!("CompressionInfo.db data length {data_length} is negative"))
                .with_offset(Offset::File(at))
        })?;
        let at = c.pos() as u64;
        let count = c.i32().map_err(|_| short(&c, "the chunk count"))?;
        let needed = data_length.div_ceil(chunk_length as u64);
        // Cassandra 3.0.7 and ScyllaDB may add one trailing empty chunk.
        if count < 0 || (count as u64) < needed || (count as u64) > needed + 1 {
            return Err(Error::corrupt(format!(
                "CompressionInfo.db has {count} chunks; {data_length} bytes in {chunk_length}-byte chunks need {needed}"
            ))
            .with_offset(Offset::File(at)));
        }
        let mut offsets = Vec::with_capacity(count as usize);
        for i in 0..count {
            let at = c.pos() as u64;
            let o = c.i64().map_err(|_| short(&c, "the chunk offsets"))?;
            let prev = offsets.last().copied();
            let ok = u64::try_from(o).ok().filter(|&o| {
                o < data_file_len && prev.is_none_or(|p| o >= p + 4) && (i > 0 || o == 0)
            });
            let Some(o) = ok else {
                let why = if o >= 0 && o as u64 >= data_file_len {
                    format!(
                        "chunk {i} starts at byte {o}, but Data.db has only {data_file_len} bytes \
                         (Data.db is truncated, or belongs to another SSTable)"
                    )
                } else {
                    format!(
                        "chunk {i} offset {o}: expected {}",
                        match prev {
                            None => "0".to_string(),
                            Some(p) => format!("at least {} (previous chunk + its CRC)", p + 4),
                        }
                    )
                };
                return Err(Error::corrupt(format!("CompressionInfo.db {why}"))
                    .with_offset(Offset::File(at)));
            };
            offsets.push(o);
        }
        if !c.is_empty() {
            return Err(Error::corrupt(format!(
                "CompressionInfo.db has {} trailing bytes",
                c.remaining()
            ))
            .with_offset(Offset::File(c.pos() as u64)));
        }
        if data_length > 0 && offsets.is_empty() {
            return Err(Error::corrupt("CompressionInfo.db has no chunks for a non-empty Data.db"));
        }
        Ok(CompressionInfo {
            compressor,
            options,
            chunk_length: chunk_length as u32,
            max_compressed_length,
            data_length,
            offsets,
        })
    }

    /// Uncompressed length of chunk `i` (0 for a trailing empty chunk).
    pub fn chunk_uncompressed_len(&self, i: usize) -> usize {
        let start = i as u64 * self.chunk_length as u64;
        self.data_length.saturating_sub(start).min(self.chunk_length as u64) as usize
    }

    /// Stored length (compressed bytes + 4-byte CRC) of chunk `i`.
    pub fn chunk_stored_len(&self, i: usize, data_file_len: u64) -> u64 {
        let start = self.offsets.get(i).copied().unwrap_or(data_file_len);
        let end = self.offsets.get(i + 1).copied().unwrap_or(data_file_len);
        end.saturating_sub(start)
    }
}

/// Reusable decompression state for one reader.
#[derive(Default)]
pub struct Decompressor {
    #[cfg(feature = "zstd")]
    zstd: Option<zstd::bulk::Decompressor<'static>>,
}

impl std::fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Decompressor")
    }
}

impl Decompressor {
    /// Decompresses one chunk's stored bytes (without the CRC) into `dst`,
    /// which has exactly the chunk's uncompressed length. Returns a message
    /// saying what was wrong on failure.
    pub fn decompress(
        &mut self,
        codec: Compressor,
        src: &[u8],
        dst: &mut [u8],
    ) -> Result<(), String> {
        match codec {
            Compressor::Lz4 => {
                let (len, block) = src.split_first_chunk::<4>().ok_or_else(|| {
                    format!("LZ4 chunk of {} bytes has no length prefix", src.len())
                })?;
                // Cassandra's LZ4Compressor writes the length little-endian.
                let len = u32::from_le_bytes(*len) as usize;
                if len != dst.len() {
                    return Err(format!(
                        "LZ4 chunk says {len} uncompressed bytes, expected {}",
                        dst.len()
                    ));
                }
                let n = lz4_flex::block::decompress_into(block, dst)
                    .map_err(|e| format!("LZ4: {e}"))?;
                check_len(n, dst.len())
            }
            Compressor::Snappy => {
                let len = snap::raw::decompress_len(src).map_err(|e| format!("Snappy: {e}"))?;
                if len != dst.len() {
                    return Err(format!(
                        "Snappy chunk says {len} uncompressed bytes, expected {}",
                        dst.len()
                    ));
                }
                let n = snap::raw::Decoder::new()
                    .decompress(src, dst)
                    .map_err(|e| format!("Snappy: {e}"))?;
                check_len(n, dst.len())
            }
            Compressor::Deflate => {
                let mut d = flate2::Decompress::new(true);
                let status = d
                    .decompress(src, dst, flate2::FlushDecompress::Finish)
                    .map_err(|e| format!("Deflate: {e}"))?;
                if status != flate2::Status::StreamEnd {
                    return Err(format!(
                        "Deflate stream did not end within {} output bytes ({} of {} input bytes used)",
                        dst.len(),
                        d.total_in(),
                        src.len()
                    ));
                }
                check_len(d.total_out() as usize, dst.len())
            }
            Compressor::Zstd => self.zstd(src, dst),
            Compressor::Noop => {
                if src.len() != dst.len() {
                    return Err(format!(
                        "uncompressed chunk has {} bytes, expected {}",
                        src.len(),
                        dst.len()
                    ));
                }
                dst.copy_from_slice(src);
                Ok(())
            }
        }
    }

    #[cfg(feature = "zstd")]
    fn zstd(&mut self, src: &[u8], dst: &mut [u8]) -> Result<(), String> {
        if self.zstd.is_none() {
            self.zstd = Some(zstd::bulk::Decompressor::new().map_err(|e| format!("Zstd: {e}"))?);
        }
        let Some(z) = self.zstd.as_mut() else { return Err("Zstd unavailable".into()) };
        let n = z.decompress_to_buffer(src, dst).map_err(|e| format!("Zstd: {e}"))?;
        check_len(n, dst.len())
    }

    #[cfg(not(feature = "zstd"))]
    fn zstd(&mut self, _src: &[u8], _dst: &mut [u8]) -> Result<(), String> {
        Err("this casscade was built without the 'zstd' feature".into())
    }
}

fn check_len(got: usize, want: usize) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("chunk decompressed to {got} bytes, expected {want}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sstable::version::Format;

    #[test]
    fn compression_info_bytes_from_the_format_reference() {
        // LEG/ma/simple: LZ4, no options, 64 KiB chunks, 173 bytes, one chunk at 0.
        let mut b = vec![0x00, 0x0d];
        b.extend_from_slice(b"LZ4Compressor");
        b.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 0]);
        b.extend_from_slice(&173u64.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 1]);
        b.extend_from_slice(&0u64.to_be_bytes());
        let v = Version::parse("ma", Format::Big).unwrap();
        let ci = CompressionInfo::parse(&b, &v, 200).unwrap();
        assert_eq!(ci.compressor, Compressor::Lz4);
        assert_eq!((ci.chunk_length, ci.data_length, ci.offsets.clone()), (65536, 173, vec![0]));
        assert_eq!(ci.max_compressed_length, i32::MAX as u32);
        assert_eq!(ci.chunk_uncompressed_len(0), 173);
        // The same bytes are not valid `nb` (which has maxCompressedLength).
        let nb = Version::parse("nb", Format::Big).unwrap();
        assert!(CompressionInfo::parse(&b, &nb, 200).is_err());
    }

    #[test]
    fn trailing_empty_lz4_chunk_decompresses_to_nothing() {
        let mut d = Decompressor::default();
        let mut out = [];
        d.decompress(Compressor::Lz4, &[0, 0, 0, 0, 0], &mut out).unwrap();
    }

    #[test]
    fn length_mismatch_is_reported() {
        let mut d = Decompressor::default();
        let mut out = [0u8; 4];
        let e = d
            .decompress(Compressor::Lz4, &[5, 0, 0, 0, 0x50, 1, 2, 3, 4, 5], &mut out)
            .unwrap_err();
        assert!(e.contains("5 uncompressed bytes"), "{e}");
    }
}
