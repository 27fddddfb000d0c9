//! SSTable file names: which SSTable a component file belongs to
//! (SSTABLE_FORMAT.md §1.2, `io/sstable/Descriptor.java`).
//!
//! - 3.0+ names: `<version>-<id>-<format>-<Component>`, e.g. `nb-12-big-Data.db`
//!   or, from 4.1 on, `nb-3gll_1kke_4abk02i4kzfpt3cqcy-big-Data.db` with a
//!   base-36 time-UUID id.
//! - 2.1 and older: `<keyspace>-<table>-<version>-<generation>-<Component>`.
//!
//! A descriptor only names the files; the version is checked when the
//! SSTable is opened, so that old versions can be reported as such.

use std::fmt;
use std::path::{Path, PathBuf};

use super::version::Format;
use crate::error::{Error, ErrorKind, Result};

/// The component files an SSTable can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    /// `Data.db`: the partitions.
    Data,
    /// `Index.db` (BIG).
    Index,
    /// `Summary.db` (BIG).
    Summary,
    /// `Filter.db`: the bloom filter.
    Filter,
    /// `Statistics.db`: metadata, including the serialization header.
    Statistics,
    /// `CompressionInfo.db`: chunk map of a compressed Data.db.
    CompressionInfo,
    /// `CRC.db`: checksums of an uncompressed Data.db.
    Crc,
    /// `Digest.crc32`: CRC32 of the whole Data.db file.
    Digest,
    /// `TOC.txt`: the list of components.
    Toc,
    /// `Partitions.db` (BTI).
    Partitions,
    /// `Rows.db` (BTI).
    Rows,
}

impl Component {
    /// The file-name suffix.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Component::Data => "Data.db",
            Component::Index => "Index.db",
            Component::Summary => "Summary.db",
            Component::Filter => "Filter.db",
            Component::Statistics => "Statistics.db",
            Component::CompressionInfo => "CompressionInfo.db",
            Component::Crc => "CRC.db",
            Component::Digest => "Digest.crc32",
            Component::Toc => "TOC.txt",
            Component::Partitions => "Partitions.db",
            Component::Rows => "Rows.db",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_suffix())
    }
}

/// Identifies one SSTable: its directory, name prefix, version and format.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Descriptor {
    dir: PathBuf,
    prefix: String,
    version: String,
    id: String,
    format: Format,
    legacy_names: Option<(String, String)>,
}

impl Descriptor {
    /// Parses the name of any component file of an SSTable.
    pub fn from_path(path: &Path) -> Result<Descriptor> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| bad_name(path, "the file name is not valid UTF-8"))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let parts: Vec<&str> = name.split('-').collect();
        let is_version = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase());
        // New style: <ver>-<id>-<fmt>-<Component...>
        if parts.len() >= 4 && is_version(parts[0]) && matches!(parts[2], "big" | "bti") {
            let format = if parts[2] == "big" { Format::Big } else { Format::Bti };
            if parts[1].is_empty() {
                return Err(bad_name(path, "empty generation id"));
            }
            let prefix = format!("{}-{}-{}-", parts[0], parts[1], parts[2]);
            return Ok(Descriptor {
                dir,
                prefix,
                version: parts[0].to_string(),
                id: parts[1].to_string(),
                format,
                legacy_names: None,
            });
        }
        // Old style: <ks>-<cf>-<ver>-<gen>-<Component>
        if parts.len() >= 5 && is_version(parts[2]) && parts[3].bytes().all(|b| b.is_ascii_digit())
        {
            let prefix = format!("{}-{}-{}-{}-", parts[0], parts[1], parts[2], parts[3]);
            return Ok(Descriptor {
                dir,
                prefix,
                version: parts[2].to_string(),
                id: parts[3].to_string(),
                format: Format::Big,
                legacy_names: Some((parts[0].to_string(), parts[1].to_string())),
            });
        }
        Err(bad_name(
            path,
            "expected <version>-<id>-<big|bti>-<Component> or <keyspace>-<table>-<version>-<generation>-<Component>",
        ))
    }

    /// The path of one of this SSTable's components.
    pub fn path_of(&self, component: Component) -> PathBuf {
        self.dir.join(format!("{}{}", self.prefix, component.file_suffix()))
    }

    /// The path of a component given by its file-name suffix (for the
    /// pre-3.0 `Digest.sha1`).
    pub fn path_of_suffix(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}{suffix}", self.prefix))
    }

    /// The directory holding the SSTable.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The version code as written in the file name.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The generation id (a decimal number or a base-36 time UUID).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The index format family.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The name prefix shared by all components, e.g. `nb-12-big-`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Keyspace and table from an old-style (2.1 and earlier) file name.
    pub fn legacy_names(&self) -> Option<(&str, &str)> {
        self.legacy_names.as_ref().map(|(k, t)| (k.as_str(), t.as_str()))
    }

    /// The `Data.db` path.
    pub fn data_path(&self) -> PathBuf {
        self.path_of(Component::Data)
    }
}

impl fmt::Display for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.dir.join(&self.prefix).display())
    }
}

fn bad_name(path: &Path, why: &str) -> Error {
    Error::new(ErrorKind::Usage, format!("not an SSTable component file name: {why}"))
        .with_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_uuid_generations() {
        let d = Descriptor::from_path(Path::new("/d/ks/t-1/nb-12-big-Data.db")).unwrap();
        assert_eq!((d.version(), d.id(), d.format()), ("nb", "12", Format::Big));
        assert_eq!(
            d.path_of(Component::Statistics),
            Path::new("/d/ks/t-1/nb-12-big-Statistics.db")
        );
        let d = Descriptor::from_path(Path::new("me-3gsm_0lob_1zdg02we44my8dy25w-big-TOC.txt"))
            .unwrap();
        assert_eq!(d.id(), "3gsm_0lob_1zdg02we44my8dy25w");
        let d = Descriptor::from_path(Path::new("da-1-bti-Partitions.db")).unwrap();
        assert_eq!(d.format(), Format::Bti);
    }

    #[test]
    fn old_style_names() {
        let d = Descriptor::from_path(Path::new("legacy_tables-legacy_ka_simple-ka-1-Data.db"))
            .unwrap();
        assert_eq!(d.version(), "ka");
        assert_eq!(d.legacy_names(), Some(("legacy_tables", "legacy_ka_simple")));
        assert_eq!(d.data_path(), Path::new("legacy_tables-legacy_ka_simple-ka-1-Data.db"));
    }

    #[test]
    fn other_files_are_not_sstables() {
        for n in ["schema.cql", "manifest.json", "EXPECTED.md", "-1-big-Data.db"] {
            assert!(Descriptor::from_path(Path::new(n)).is_err(), "{n}");
        }
    }
}
