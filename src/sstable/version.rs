//! SSTable format versions and what each one changes for a reader
//! (SSTABLE_FORMAT.md §1.1).
//!
//! Version letters are only comparable within one format: BIG runs
//! `ma` < `mb` < … < `me` < `na` < `nb` < `nc` < `oa`, and BTI has `da`,
//! which has every `oa` feature even though `"da" < "ma"` as strings. So a
//! version is mapped to a [`Generation`] and the feature queries below are
//! answered from that, never by comparing strings.
//!
//! Also read: ScyllaDB's `ms`/`mt` (Data.db and Statistics.db as `me`, with
//! extra trailing STATS bytes) and the unreleased trunk `nc` (as `nb`, with
//! extra trailing STATS fields). Of the pre-3.0 versions, which use the old
//! cell-based layout (§16), `ka` (2.1) and `la` (2.2) are read, given the
//! table's schema; older ones are refused here.

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// The on-disk index format family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The original BIG format (Index.db + Summary.db).
    Big,
    /// The trie-indexed BTI format of Cassandra 5.0 (Partitions.db + Rows.db).
    Bti,
}

impl Format {
    /// The name used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Big => "big",
            Format::Bti => "bti",
        }
    }
}

/// The feature level a version's Data.db and Statistics.db follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Generation {
    Ka,
    La,
    Ma,
    Mb,
    Mc,
    Md,
    Me,
    Na,
    Nb,
    Nc,
    Oa,
}

/// A readable SSTable format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    code: [u8; 2],
    format: Format,
    generation: Generation,
}

impl Version {
    /// Parses a version code for `format`, refusing the ones this reader does
    /// not decode with an error that names the version.
    pub fn parse(code: &str, format: Format) -> Result<Version> {
        let generation = match (format, code) {
            (Format::Big, "ka") => Generation::Ka,
            (Format::Big, "la") => Generation::La,
            (Format::Big, "ma") => Generation::Ma,
            (Format::Big, "mb") => Generation::Mb,
            (Format::Big, "mc") => Generation::Mc,
            (Format::Big, "md") => Generation::Md,
            (Format::Big, "me" | "ms" | "mt") => Generation::Me,
            (Format::Big, "na") => Generation::Na,
            (Format::Big, "nb") => Generation::Nb,
            (Format::Big, "nc") => Generation::Nc,
            (Format::Big, "oa") => Generation::Oa,
            (Format::Bti, "da") => Generation::Oa,
            _ => {
                let why = match code.as_bytes().first() {
                    Some(b'h'..=b'l') => {
                        "SSTables older than Cassandra 2.1 (ka) use a cell-based layout \
                         this version of casscade does not read"
                    }
                    _ => {
                        "this version of casscade reads ka, la, ma, mb, mc, md, me, na, nb, oa (big) and da (bti)"
                    }
                };
                return Err(Error::new(
                    ErrorKind::UnsupportedVersion,
                    format!("SSTable format version '{code}' ({}): {why}", format.as_str()),
                ));
            }
        };
        let b = code.as_bytes();
        Ok(Version { code: [b[0], b[1]], format, generation })
    }

    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("??")
    }

    /// The index format family.
    pub fn format(&self) -> Format {
        self.format
    }

    /// `ka`/`la`: the pre-3.0 cell-based layout (§16), with no embedded
    /// schema and Adler-32 checksums.
    pub fn is_legacy(&self) -> bool {
        self.generation < Generation::Ma
    }

    /// `oa`/`da`: the 1-or-12-byte DeletionTime (§4.3), unsigned 32-bit local
    /// deletion times, and the 5.0 STATS layout.
    pub fn is_oa(&self) -> bool {
        self.generation >= Generation::Oa
    }

    /// Statistics.db carries CRC32s of its TOC and components (`na`+).
    pub fn has_checksummed_statistics(&self) -> bool {
        self.generation >= Generation::Na
    }

    /// CompressionInfo.db has `maxCompressedLength` (`na`+).
    pub fn has_max_compressed_length(&self) -> bool {
        self.generation >= Generation::Na
    }

    /// STATS has the commit-log lower bound (`mb`+).
    pub fn has_commit_log_lower_bound(&self) -> bool {
        self.generation >= Generation::Mb
    }

    /// STATS has the commit-log interval set (`mc`+).
    pub fn has_commit_log_intervals(&self) -> bool {
        self.generation >= Generation::Mc
    }

    /// STATS has pending-repair and isTransient (`na`+).
    pub fn has_pending_repair(&self) -> bool {
        self.generation >= Generation::Na
    }

    /// STATS has the originating host id (`me`, and `nb`+, but not `na`).
    pub fn has_originating_host_id(&self) -> bool {
        self.generation == Generation::Me || self.generation >= Generation::Nb
    }

    /// Whether STATS may hold bytes past the fields described here
    /// (ScyllaDB `ms`/`mt`, trunk `nc`, and the `oa` padding quirk §8.5).
    pub fn stats_may_have_trailing_bytes(&self) -> bool {
        matches!(&self.code, b"ms" | b"mt" | b"nc") || self.is_oa()
    }

    /// Whether this version's messaging version is 5.0's (negative
    /// deletion-time handling, §4.8).
    pub fn is_messaging_50(&self) -> bool {
        self.is_oa()
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn da_has_oa_features_though_it_sorts_before_ma() {
        let da = Version::parse("da", Format::Bti).unwrap();
        let ma = Version::parse("ma", Format::Big).unwrap();
        assert!(da.is_oa() && da.has_checksummed_statistics() && da.has_max_compressed_length());
        assert!(!ma.is_oa() && !ma.has_checksummed_statistics());
    }

    #[test]
    fn host_id_is_in_me_and_nb_but_not_na() {
        let v = |c| Version::parse(c, Format::Big).unwrap().has_originating_host_id();
        assert!(v("me") && v("nb") && v("oa") && v("ms"));
        assert!(!v("na") && !v("md"));
    }

    #[test]
    fn ka_and_la_are_legacy_and_sort_before_ma() {
        for code in ["ka", "la"] {
            let v = Version::parse(code, Format::Big).unwrap();
            assert!(
                v.is_legacy() && !v.has_checksummed_statistics() && !v.has_commit_log_lower_bound()
            );
        }
        assert!(!Version::parse("ma", Format::Big).unwrap().is_legacy());
        assert!(!Version::parse("da", Format::Bti).unwrap().is_legacy());
    }

    #[test]
    fn old_and_unknown_versions_are_refused_by_name() {
        for (code, fmt) in [
            ("jb", Format::Big),
            ("ic", Format::Big),
            ("zz", Format::Big),
            ("oa", Format::Bti),
            ("aa", Format::Bti),
        ] {
            let e = Version::parse(code, fmt).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnsupportedVersion);
            assert!(e.to_string().contains(&format!("'{code}'")), "{e}");
        }
    }
}
