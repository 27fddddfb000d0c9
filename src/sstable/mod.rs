//! The SSTable on-disk format, 3.0 → 5.0: pure decoding, no reconciliation,
//! no output (SSTABLE_FORMAT.md).
//!
//! An [`SSTable`] is opened from any of its component files: the version is
//! checked first (unknown and pre-2.1 versions are refused by name; 2.1/2.2
//! `ka`/`la` need the table's columns from a schema, [`OpenOptions`]), then
//! TOC.txt, Statistics.db (partitioner, stats, serialization header) and
//! CompressionInfo.db are read. [`SSTable::reader`] streams Data.db,
//! verifying chunk CRCs, CRC.db and Digest.crc32 as it goes.
//!
//! Byte order is big-endian everywhere except where Cassandra itself uses
//! little-endian (the LZ4 length prefix, Summary.db), which the modules that
//! read those say explicitly.

mod checksum;
pub mod clustering;
pub mod compression;
pub mod content;
pub mod data_source;
pub mod descriptor;
mod flags;
pub mod header;
pub mod index;
mod legacy;
pub mod reader;
pub mod row;
pub mod seek;
pub mod statistics;
mod unfiltered;
pub mod version;
pub mod write;

pub use crate::types::cursor;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::types::token::{Partitioner, Token};

pub use compression::{CompressionInfo, Compressor};
pub use descriptor::{Component, Descriptor};
pub use header::{ColumnDef, Columns, SerializationHeader};
pub use reader::{DataReader, PartitionHeader};
pub use row::{Cell, ColumnData, DeletionTime, Expiration, LivenessInfo, Marker, Row, Unfiltered};
pub use statistics::Statistics;
pub use version::{Format, Version};

/// How to open an SSTable.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Columns a schema declares as frozen UDTs although the header says
    /// multi-cell (Cassandra 3.0 wrote frozen UDTs as bare `UserType`).
    pub frozen_columns: Vec<String>,
    /// The table's columns as a header (delta bases unused), for pre-3.0
    /// SSTables, which do not embed them; ignored for 3.0+ ones.
    pub legacy_table: Option<LegacyTable>,
}

/// What a pre-3.0 SSTable's Data.db needs from the table's schema.
#[derive(Debug, Clone, Default)]
pub struct LegacyTable {
    /// Key, clustering and column types.
    pub header: statistics::RawHeader,
    /// `WITH COMPACT STORAGE` (another cell-name layout, not read yet).
    pub compact_storage: bool,
    /// Partition-key and clustering column names.
    pub primary_key: Vec<String>,
}

/// The schema a pre-3.0 SSTable is read with, or why it cannot be.
fn legacy_table<'o>(
    version: &Version,
    options: &'o OpenOptions,
    data_path: &Path,
) -> Result<&'o LegacyTable> {
    let Some(table) = &options.legacy_table else {
        return Err(Error::new(
            ErrorKind::Schema,
            format!(
                "SSTable format version '{version}' (Cassandra 2.x) does not record the table's \
                 columns: pass the table's CREATE TABLE with --schema"
            ),
        )
        .with_path(data_path));
    };
    if table.compact_storage {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "SSTable format version '{version}': COMPACT STORAGE tables are not read yet \
                 (their cell names have another layout)"
            ),
        )
        .with_path(data_path));
    }
    Ok(table)
}

/// An opened SSTable: its metadata, ready to stream Data.db.
#[derive(Debug, Clone)]
pub struct SSTable {
    descriptor: Descriptor,
    version: Version,
    toc: Option<Vec<String>>,
    statistics: Statistics,
    header: Arc<SerializationHeader>,
    partitioner: Partitioner,
    compression: Option<CompressionInfo>,
    data_file_len: u64,
    /// Pre-3.0: the primary-key column names the schema gave.
    legacy_primary_key: Vec<String>,
}

impl SSTable {
    /// Opens the SSTable that `path` (any of its component files) belongs to.
    pub fn open(path: &Path) -> Result<SSTable> {
        SSTable::open_with(path, &OpenOptions::default())
    }

    /// Opens with options.
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<SSTable> {
        let descriptor = Descriptor::from_path(path)?;
        let data_path = descriptor.data_path();
        let version = Version::parse(descriptor.version(), descriptor.format())
            .map_err(|e| e.with_path(&data_path))?;
        // Without its schema a pre-3.0 SSTable is refused before anything
        // is read.
        let legacy = match version.is_legacy() {
            true => Some(legacy_table(&version, options, &data_path)?),
            false => None,
        };
        let toc = read_toc(&descriptor)?;
        let listed =
            |c: Component| toc.as_ref().is_none_or(|t| t.iter().any(|l| l == c.file_suffix()));
        for required in [Component::Data, Component::Statistics] {
            if toc.is_some() && !listed(required) {
                return Err(Error::corrupt(format!("TOC.txt does not list {required}"))
                    .with_path(descriptor.path_of(Component::Toc)));
            }
        }
        let stats_path = descriptor.path_of(Component::Statistics);
        let stats_bytes = read_file(&stats_path, "Statistics.db")?;
        let mut statistics =
            Statistics::parse(&stats_bytes, &version).map_err(|e| e.with_path(&stats_path))?;
        let mut legacy_primary_key = Vec::new();
        let header = if let Some(table) = legacy {
            legacy_primary_key = table.primary_key.clone();
            // The header in use is the schema's: say so where it is read.
            statistics.header = table.header.clone();
            SerializationHeader::from_raw(&table.header, &[])
                .map_err(|e| e.context("the schema's table").with_path(&data_path))?
        } else {
            SerializationHeader::from_raw(&statistics.header, &options.frozen_columns)
                .map_err(|e| e.with_path(&stats_path))?
        };
        let partitioner = Partitioner::from_class(&statistics.partitioner);
        let data_file_len = std::fs::metadata(&data_path)
            .map_err(|e| Error::io("reading Data.db metadata", e).with_path(&data_path))?
            .len();
        let ci_path = descriptor.path_of(Component::CompressionInfo);
        let compression = if ci_path.exists() {
            let bytes = read_file(&ci_path, "CompressionInfo.db")?;
            Some(
                CompressionInfo::parse(&bytes, &version, data_file_len)
                    .map_err(|e| e.with_path(&ci_path))?,
            )
        } else if toc.is_some() && listed(Component::CompressionInfo) {
            return Err(Error::new(
                ErrorKind::Corrupt,
                "TOC.txt lists CompressionInfo.db but it is missing",
            )
            .with_path(ci_path));
        } else {
            None
        };
        Ok(SSTable {
            descriptor,
            version,
            toc,
            statistics,
            header: Arc::new(header),
            partitioner,
            compression,
            data_file_len,
            legacy_primary_key,
        })
    }

    /// Starts streaming Data.db from the first partition.
    pub fn reader(&self) -> Result<DataReader> {
        let d = &self.descriptor;
        let existing = |c: Component| Some(d.path_of(c)).filter(|p| p.exists());
        let crc = if self.compression.is_none() { existing(Component::Crc) } else { None };
        let data_path = d.data_path();
        let legacy = self.version.is_legacy();
        let source = if legacy {
            // Pre-3.0: Adler-32 checksums, and the partitions re-encoded.
            let digest = Some(d.path_of_suffix("Digest.sha1")).filter(|p| p.exists());
            let stored = data_source::DataSource::open_legacy(
                &data_path,
                self.compression.clone(),
                crc.as_deref(),
                digest.as_deref(),
            )?;
            data_source::DataSource::transcoded(legacy::Transcoder::new(
                &data_path,
                stored,
                Arc::clone(&self.header),
                self.legacy_primary_key.clone(),
            ))
        } else {
            data_source::DataSource::open(
                &data_path,
                self.compression.clone(),
                crc.as_deref(),
                existing(Component::Digest).as_deref(),
            )?
        };
        let reader = DataReader::new(
            &data_path,
            source,
            Arc::clone(&self.header),
            self.version.is_oa(),
            self.partitioner.clone(),
        );
        // Index.db (BIG only) is checked against Data.db as partitions go by
        // (a pre-3.0 one indexes the legacy bytes, not the re-encoded ones).
        match existing(Component::Index) {
            Some(p) if self.version.format() == Format::Big && !legacy => {
                Ok(reader.with_index(index::IndexVerifier::open(&p)?))
            }
            _ => Ok(reader),
        }
    }

    /// A reader starting at the first partition whose token is at or after
    /// `start`, found through Summary.db and Index.db; `None` when no
    /// partition is that late. Chunk checksums are verified as usual; the
    /// whole-file digest cannot be, since the file is not read whole. An
    /// SSTable without Index.db (BTI) gets a reader from its first
    /// partition: the caller skips what comes before `start`.
    pub fn reader_from(&self, start: Token) -> Result<Option<DataReader>> {
        if self.version.is_legacy() {
            // Pre-3.0 Index.db positions are of the legacy bytes: scan.
            return self.reader().map(Some);
        }
        let d = &self.descriptor;
        let existing = |c: Component| Some(d.path_of(c)).filter(|p| p.exists());
        let Some(index) =
            existing(Component::Index).filter(|_| self.version.format() == Format::Big)
        else {
            return self.reader().map(Some);
        };
        let summary = existing(Component::Summary);
        let Some(at) = seek::seek_point(&index, summary.as_deref(), &self.partitioner, start)?
        else {
            return Ok(None);
        };
        if at.index_offset == 0 {
            return self.reader().map(Some);
        }
        let crc = if self.compression.is_none() { existing(Component::Crc) } else { None };
        let data_path = d.data_path();
        let mut source = data_source::DataSource::open(
            &data_path,
            self.compression.clone(),
            crc.as_deref(),
            None,
        )?;
        let base = source.seek_to(at.data_position)?;
        let mut verifier = index::IndexVerifier::open(&index)?;
        verifier.seek(at.index_offset)?;
        let reader = DataReader::new(
            &data_path,
            source,
            Arc::clone(&self.header),
            self.version.is_oa(),
            self.partitioner.clone(),
        )
        .starting_at(base, at.data_position)
        .with_index(verifier);
        Ok(Some(reader))
    }

    /// The whole uncompressed Data.db stream, checksums verified.
    pub fn read_uncompressed_data(&self) -> Result<Vec<u8>> {
        let d = &self.descriptor;
        let existing = |c: Component| Some(d.path_of(c)).filter(|p| p.exists());
        let crc = if self.compression.is_none() { existing(Component::Crc) } else { None };
        let mut source = data_source::DataSource::open(
            &d.data_path(),
            self.compression.clone(),
            crc.as_deref(),
            existing(Component::Digest).as_deref(),
        )?;
        let mut window = data_source::Window::default();
        while source.fill(&mut window)? > 0 {}
        Ok(window.from(0).to_vec())
    }

    /// A reader over `data`, an uncompressed Data.db stream for this
    /// SSTable's header and version (for example a corrupted copy in a
    /// test); nothing is verified.
    pub fn reader_from_bytes(&self, data: Vec<u8>) -> DataReader {
        DataReader::from_bytes(
            &self.data_path(),
            data,
            Arc::clone(&self.header),
            &self.version,
            self.partitioner.clone(),
        )
    }

    /// The file-name descriptor.
    pub fn descriptor(&self) -> &Descriptor {
        &self.descriptor
    }

    /// The format version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The components TOC.txt lists, when it exists.
    pub fn toc(&self) -> Option<&[String]> {
        self.toc.as_deref()
    }

    /// Statistics.db.
    pub fn statistics(&self) -> &Statistics {
        &self.statistics
    }

    /// The decoded serialization header.
    pub fn header(&self) -> &Arc<SerializationHeader> {
        &self.header
    }

    /// The partitioner.
    pub fn partitioner(&self) -> &Partitioner {
        &self.partitioner
    }

    /// CompressionInfo.db, when Data.db is compressed.
    pub fn compression(&self) -> Option<&CompressionInfo> {
        self.compression.as_ref()
    }

    /// Data.db's size as stored.
    pub fn data_file_len(&self) -> u64 {
        self.data_file_len
    }

    /// Data.db's uncompressed length.
    pub fn data_length(&self) -> u64 {
        self.compression.as_ref().map_or(self.data_file_len, |c| c.data_length)
    }

    /// Data.db's path.
    pub fn data_path(&self) -> PathBuf {
        self.descriptor.data_path()
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(format!("reading {what}"), e).with_path(path))
}

/// Reads TOC.txt when present: one component suffix per line.
fn read_toc(d: &Descriptor) -> Result<Option<Vec<String>>> {
    let path = d.path_of(Component::Toc);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("reading TOC.txt", e).with_path(&path)),
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::corrupt("TOC.txt is not text").with_path(&path))?;
    let lines: Vec<String> =
        text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    if let Some(bad) = lines.iter().find(|l| l.contains(['/', '\\', '\0'])) {
        return Err(Error::corrupt(format!("TOC.txt lists an impossible component {bad:?}"))
            .with_path(&path));
    }
    Ok(Some(lines))
}
