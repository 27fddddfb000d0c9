//! The library's error type: what went wrong and where.
//!
//! Every error that comes from reading a file names the file, the SSTable
//! component, the byte offset and what was expected there, so that a user
//! can find the problem with `xxd` and a bug report can be acted on.
//! Offsets into `Data.db` are positions in the *uncompressed* stream (the
//! positions Cassandra's own indexes use); errors found while reading a
//! compressed chunk also give the chunk's position in the file.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in a file an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    /// A byte offset in the file as stored.
    File(u64),
    /// A byte offset in the uncompressed `Data.db` stream.
    Data(u64),
}

/// What kind of problem an [`Error`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An operating-system I/O error (open, read, write).
    Io,
    /// The file's format version is not one this build reads.
    UnsupportedVersion,
    /// The bytes do not follow the format.
    Corrupt,
    /// The file ends before a structure it holds is complete.
    Truncated,
    /// A stored checksum does not match the bytes it covers.
    Checksum,
    /// A value is not valid for its CQL type.
    InvalidValue,
    /// A schema could not be parsed or does not match the data.
    Schema,
    /// The request itself is wrong (bad arguments, nothing to do).
    Usage,
    /// A feature the file uses is not built into this binary.
    Unsupported,
}

impl ErrorKind {
    fn label(self) -> &'static str {
        match self {
            ErrorKind::Io => "I/O error",
            ErrorKind::UnsupportedVersion => "unsupported format version",
            ErrorKind::Corrupt => "corrupt data",
            ErrorKind::Truncated => "truncated file",
            ErrorKind::Checksum => "checksum mismatch",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::Schema => "schema error",
            ErrorKind::Usage => "usage error",
            ErrorKind::Unsupported => "unsupported feature",
        }
    }
}

/// An error with its location.
///
/// Boxed: every decoding call returns a `Result`, and an unboxed error
/// (about 100 bytes) made each of those results a wide copy on the hot path
/// (perf: ~3% of `dump` in moving `Result<Option<_>, Error>`s).
#[derive(Debug)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    path: Option<PathBuf>,
    offset: Option<Offset>,
    source: Option<io::Error>,
}

impl Error {
    /// A new error of `kind` with a message saying what was expected.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                path: None,
                offset: None,
                source: None,
            }),
        }
    }

    /// Shorthand for a [`ErrorKind::Corrupt`] error.
    pub fn corrupt(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Corrupt, message)
    }

    /// An I/O error while doing `what` (for example "reading Data.db").
    pub fn io(what: impl Into<String>, err: io::Error) -> Error {
        let kind = if err.kind() == io::ErrorKind::UnexpectedEof {
            ErrorKind::Truncated
        } else {
            ErrorKind::Io
        };
        Error {
            inner: Box::new(Inner {
                kind,
                message: what.into(),
                path: None,
                offset: None,
                source: Some(err),
            }),
        }
    }

    /// Attaches the file this error concerns, unless one is already set.
    pub fn with_path(mut self, path: impl AsRef<Path>) -> Error {
        if self.inner.path.is_none() {
            self.inner.path = Some(path.as_ref().to_path_buf());
        }
        self
    }

    /// Attaches the offset this error concerns, unless one is already set.
    pub fn with_offset(mut self, offset: Offset) -> Error {
        if self.inner.offset.is_none() {
            self.inner.offset = Some(offset);
        }
        self
    }

    /// Prefixes the message with more context ("in partition 'k': ...").
    pub fn context(mut self, context: impl fmt::Display) -> Error {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }

    /// The kind of problem.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without location.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The file the error concerns, if known.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The offset the error concerns, if known.
    pub fn offset(&self) -> Option<Offset> {
        self.inner.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.inner.path {
            write!(f, "{}: ", path.display())?;
        }
        match self.inner.offset {
            Some(Offset::File(o)) => write!(f, "at byte {o}: ")?,
            Some(Offset::Data(o)) => write!(f, "at uncompressed Data.db byte {o}: ")?,
            None => {}
        }
        write!(f, "{}: {}", self.inner.kind.label(), self.inner.message)?;
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_ref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_offset_and_expectation() {
        let e = Error::corrupt("expected row flags, got 0xff")
            .with_offset(Offset::Data(42))
            .with_path("/x/nb-1-big-Data.db");
        assert_eq!(
            e.to_string(),
            "/x/nb-1-big-Data.db: at uncompressed Data.db byte 42: corrupt data: \
             expected row flags, got 0xff"
        );
    }

    #[test]
    fn first_location_wins() {
        let e = Error::corrupt("x")
            .with_offset(Offset::File(1))
            .with_offset(Offset::File(2))
            .with_path("a")
            .with_path("b");
        assert_eq!(e.offset(), Some(Offset::File(1)));
        assert_eq!(e.path(), Some(Path::new("a")));
    }

    #[test]
    fn unexpected_eof_is_truncation() {
        let e = Error::io("reading", io::Error::new(io::ErrorKind::UnexpectedEof, "eof"));
        assert_eq!(e.kind(), ErrorKind::Truncated);
    }
}
