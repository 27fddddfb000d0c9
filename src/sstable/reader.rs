//! Streaming reader of Data.db: partitions in order, and within each the
//! static row, rows and range-tombstone markers (SSTABLE_FORMAT.md §4.1).
//!
//! ```text
//! partition := sbytes key | DeletionTime | [static row] | unfiltered* | 0x01
//! ```
//! The reader decodes one record at a time from a sliding window over the
//! uncompressed stream; when a record continues past the window it pulls the
//! next block and retries, so memory holds one block plus the record being
//! decoded — bounded by the widest row, never by the file. Views it returns
//! borrow the window and live until the next call (a lending iterator).
//!
//! It also checks that partitions arrive in strictly increasing
//! (token, key) order for the partitioner the SSTable names.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Offset, Result};
use crate::types::token::{Partitioner, Token};

use super::data_source::{DataSource, Window};
use super::header::SerializationHeader;
use super::index::IndexVerifier;
use super::row::{DeletionTime, Marker, Row, Unfiltered};
use super::unfiltered::{Bases, Decoded, EXTENSION, Fail, IS_MARKER, IS_STATIC, UnfilteredDecoder};
use crate::types::cursor::Cursor;

/// The start of a partition.
#[derive(Debug, Clone, Copy)]
pub struct PartitionHeader<'a> {
    /// The raw partition key bytes.
    pub key: &'a [u8],
    /// The partition's token.
    pub token: Token,
    /// The partition deletion, if any.
    pub deletion: Option<DeletionTime>,
    /// Offset of the partition's first byte in the uncompressed Data.db.
    pub position: u64,
    /// Offset just past the partition header (key, deletion, static row):
    /// where its first row starts.
    pub header_end: u64,
    /// Zero-based index of the partition in the file.
    pub index: u64,
}

/// The item the reader last returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    Nothing,
    Row,
    Marker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BetweenPartitions,
    /// Inside a partition; `static_pending` while its static row has been
    /// decoded but not yet returned.
    InPartition {
        static_pending: bool,
    },
    Done,
}

/// Reads the partitions of one Data.db.
#[derive(Debug)]
pub struct DataReader {
    path: PathBuf,
    source: DataSource,
    window: Window,
    header: Arc<SerializationHeader>,
    bases: Bases,
    oa: bool,
    partitioner: Partitioner,
    dec: UnfilteredDecoder,
    state: State,
    /// Stream offset of the next record to decode.
    pos: u64,
    /// Stream offset of the last record returned.
    item_start: u64,
    key: Vec<u8>,
    token: Token,
    prev_key: Vec<u8>,
    prev_token: Option<Token>,
    partition_start: u64,
    header_end: u64,
    deletion: Option<DeletionTime>,
    partitions: u64,
    index: Option<IndexVerifier>,
    /// The range tombstone open at this point of the partition, and where
    /// it was opened.
    open_tombstone: Option<(DeletionTime, u64)>,
    /// What the last `next_unfiltered` returned (for `current_unfiltered`).
    current: Current,
}

impl DataReader {
    pub(crate) fn new(
        path: &Path,
        source: DataSource,
        header: Arc<SerializationHeader>,
        oa: bool,
        partitioner: Partitioner,
    ) -> DataReader {
        let bases = Bases::new(&header, oa);
        DataReader {
            path: path.to_path_buf(),
            source,
            window: Window::default(),
            header,
            bases,
            oa,
            partitioner,
            dec: UnfilteredDecoder::default(),
            state: State::BetweenPartitions,
            pos: 0,
            item_start: 0,
            key: Vec::new(),
            token: Token::Bytes,
            prev_key: Vec::new(),
            prev_token: None,
            partition_start: 0,
            header_end: 0,
            deletion: None,
            partitions: 0,
            index: None,
            open_tombstone: None,
            current: Current::Nothing,
        }
    }

    /// A reader over an uncompressed Data.db stream held in memory, decoded
    /// with `header` under the rules of `version` (no checksum is checked).
    /// `name` is used in error messages. This is how fuzzers and tests drive
    /// the decoder directly.
    pub fn from_bytes(
        name: &Path,
        data: Vec<u8>,
        header: Arc<SerializationHeader>,
        version: &super::Version,
        partitioner: Partitioner,
    ) -> DataReader {
        DataReader::new(
            name,
            DataSource::from_bytes(name, data),
            header,
            version.is_oa(),
            partitioner,
        )
    }

    /// Starts at uncompressed offset `pos`, the source having been
    /// positioned at `base` (the start of the chunk holding `pos`).
    pub(crate) fn starting_at(mut self, base: u64, pos: u64) -> DataReader {
        self.window = Window::starting_at(base);
        self.pos = pos;
        self
    }

    /// Also checks every partition against Index.db.
    pub(crate) fn with_index(mut self, index: IndexVerifier) -> DataReader {
        self.index = Some(index);
        self
    }

    /// The serialization header rows are decoded with.
    pub fn header(&self) -> &SerializationHeader {
        &self.header
    }

    /// Uncompressed Data.db bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Total uncompressed length of Data.db (`u64::MAX` when unknown).
    pub fn total_len(&self) -> u64 {
        self.source.total_len()
    }

    /// Data.db bytes read from disk so far.
    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    /// Bytes held by the reader's window (for memory tests).
    pub fn buffer_capacity(&self) -> usize {
        self.window.capacity()
    }

    /// Partitions started so far.
    pub fn partitions_read(&self) -> u64 {
        self.partitions
    }

    fn error(&self, at: u64, e: Error) -> Error {
        let mut e = e.with_offset(Offset::Data(at)).with_path(&self.path);
        if matches!(self.state, State::InPartition { .. }) {
            e = e.context(format!(
                "in partition {} (key 0x{}, starting at byte {})",
                self.partitions - 1,
                hex(&self.key),
                self.partition_start
            ));
        }
        e
    }

    fn fail(&self, record_start: u64, f: Fail, what: &str) -> Error {
        match f {
            Fail::Short => self.error(
                record_start,
                Error::new(ErrorKind::Truncated, format!("Data.db ends inside {what}")),
            ),
            Fail::Corrupt(c) => {
                self.error(record_start + c.at as u64, Error::corrupt(format!("{what}: {}", c.msg)))
            }
        }
    }

    /// Pulls the next block into the window. Returns false at end of stream.
    fn refill(&mut self) -> Result<bool> {
        self.window.release_before(self.pos);
        Ok(self.source.fill(&mut self.window)? > 0)
    }

    /// Advances to the next partition, skipping whatever of the current one
    /// was not read. Returns `None` after the last partition, once every
    /// checksum of the file has been verified.
    #[inline]
    pub fn next_partition(&mut self) -> Result<Option<PartitionHeader<'_>>> {
        // The header (and in next_unfiltered the view) is assembled here,
        // inlined in the caller, from the reader's fields: returned whole
        // from the reading function it came back through memory (dump
        // 2-3% faster, A/B on the 1 GB bench data).
        if !self.advance_partition()? {
            return Ok(None);
        }
        Ok(Some(PartitionHeader {
            key: &self.key,
            token: self.token,
            deletion: self.deletion,
            position: self.partition_start,
            header_end: self.header_end,
            index: self.partitions - 1,
        }))
    }

    /// Moves to the next partition; false at the end of the file.
    fn advance_partition(&mut self) -> Result<bool> {
        self.current = Current::Nothing;
        loop {
            match self.state {
                State::Done => return Ok(false),
                State::InPartition { .. } => while self.advance()?.is_some() {},
                State::BetweenPartitions => break,
            }
        }
        // Key and partition deletion.
        let start = self.pos;
        let (key_len, deletion, consumed) = loop {
            let src = self.window.from(start);
            if src.is_empty() {
                if self.refill()? {
                    continue;
                }
                // Clean end: the source verified its checksums on the way out.
                self.state = State::Done;
                if let Some(ix) = &self.index {
                    ix.finish()?;
                }
                return Ok(false);
            }
            match decode_partition_start(src, self.oa) {
                Ok(v) => break v,
                Err(Fail::Short) => {
                    if !self.refill()? {
                        return Err(self.fail(start, Fail::Short, "a partition header"));
                    }
                }
                Err(f) => return Err(self.fail(start, f, "partition header")),
            }
        };
        let key = self.window.from(start + 2).get(..key_len).unwrap_or_default();
        // The previous key moves to prev_key; its buffer is reused.
        std::mem::swap(&mut self.key, &mut self.prev_key);
        self.key.clear();
        self.key.extend_from_slice(key);
        self.token = self.partitioner.token(&self.key);
        self.partitions += 1;
        self.partition_start = start;
        self.deletion = deletion;
        self.pos = start + consumed as u64;
        self.state = State::InPartition { static_pending: false };
        self.open_tombstone = None;
        self.check_order(start)?;
        if let Some(ix) = &mut self.index
            && let Err(e) = ix.check(&self.key, start)
        {
            return Err(
                e.context(format!("partition {} at Data.db byte {start}", self.partitions - 1))
            );
        }

        // The static row, present iff the header has static columns.
        if self.header.has_statics() {
            let row_start = self.pos;
            loop {
                let src = self.window.from(row_start);
                let is_static = match src {
                    [f, e, ..] => f & EXTENSION != 0 && f & IS_MARKER == 0 && e & IS_STATIC != 0,
                    [f] if f & EXTENSION == 0 => false,
                    _ => {
                        if !self.refill()? {
                            return Err(self.fail(row_start, Fail::Short, "the static row"));
                        }
                        continue;
                    }
                };
                if !is_static {
                    break;
                }
                let max = self.source.total_len().saturating_sub(row_start);
                match self.dec.decode(&self.header, &self.bases, src, max, true) {
                    Ok(Decoded::Row(n)) => {
                        self.item_start = row_start;
                        self.pos = row_start + n as u64;
                        self.state = State::InPartition { static_pending: true };
                        break;
                    }
                    Ok(_) => {
                        return Err(self.fail(
                            row_start,
                            super::unfiltered::corrupt(0, "expected a row"),
                            "static row",
                        ));
                    }
                    Err(Fail::Short) => {
                        if !self.refill()? {
                            return Err(self.fail(row_start, Fail::Short, "the static row"));
                        }
                    }
                    Err(f) => return Err(self.fail(row_start, f, "static row")),
                }
            }
        }
        self.header_end = self.pos;
        Ok(true)
    }

    #[inline]
    fn check_order(&mut self, at: u64) -> Result<()> {
        // The common case: Murmur3 tokens strictly increasing.
        if let (Some(Token::Murmur3(prev)), Token::Murmur3(cur)) = (self.prev_token, self.token)
            && prev < cur
        {
            self.prev_token = Some(self.token);
            return Ok(());
        }
        self.check_order_slow(at)
    }

    #[cold]
    fn check_order_slow(&mut self, at: u64) -> Result<()> {
        let ordered = matches!(
            self.partitioner,
            Partitioner::Murmur3
                | Partitioner::Random
                | Partitioner::ByteOrdered
                | Partitioner::Local
        );
        if ordered && let Some(prev) = self.prev_token {
            let cmp = self.partitioner.compare(
                &self.header.key_type,
                (prev, &self.prev_key),
                (self.token, &self.key),
            );
            if cmp != std::cmp::Ordering::Less {
                return Err(self.error(
                    at,
                    Error::corrupt(format!(
                        "partitions out of order: key 0x{} ({:?}) follows key 0x{} ({:?})",
                        hex(&self.key),
                        self.token,
                        hex(&self.prev_key),
                        prev
                    )),
                ));
            }
        }
        self.prev_token = Some(self.token);
        Ok(())
    }

    /// The next row or marker of the current partition (the static row
    /// first, when it has content); `None` at the end of the partition.
    #[inline]
    pub fn next_unfiltered(&mut self) -> Result<Option<Unfiltered<'_>>> {
        Ok(match self.advance()? {
            None => None,
            Some(Current::Marker) => Some(Unfiltered::Marker(self.marker_view())),
            Some(_) => Some(Unfiltered::Row(self.row_view())),
        })
    }

    /// Moves to the next row or marker of the partition: which, or `None`
    /// at its end.
    fn advance(&mut self) -> Result<Option<Current>> {
        match self.state {
            State::InPartition { static_pending: true } => {
                self.state = State::InPartition { static_pending: false };
                if !self.static_row_is_empty() {
                    self.current = Current::Row;
                    return Ok(Some(Current::Row));
                }
            }
            State::InPartition { static_pending: false } => {}
            State::BetweenPartitions | State::Done => {
                self.current = Current::Nothing;
                return Ok(None);
            }
        }
        self.current = Current::Nothing;
        let start = self.pos;
        let decoded = loop {
            let src = self.window.from(start);
            let max = self.source.total_len().saturating_sub(start);
            match self.dec.decode(&self.header, &self.bases, src, max, false) {
                Ok(d) => break d,
                Err(Fail::Short) => {
                    if !self.refill()? {
                        return Err(self.fail(
                            start,
                            Fail::Short,
                            "a row (the partition has no end marker)",
                        ));
                    }
                }
                Err(f) => return Err(self.fail(start, f, "row or marker")),
            }
        };
        self.item_start = start;
        match decoded {
            Decoded::EndOfPartition => {
                if let Some((_, opened)) = self.open_tombstone {
                    return Err(self.error(
                        start,
                        Error::corrupt(format!(
                            "the partition ends while the range tombstone opened at byte {opened} is still open"
                        )),
                    ));
                }
                self.pos = start + 1;
                self.state = State::BetweenPartitions;
                Ok(None)
            }
            Decoded::Row(n) => {
                self.pos = start + n as u64;
                self.current = Current::Row;
                Ok(Some(Current::Row))
            }
            Decoded::Marker(n) => {
                self.track_range_tombstone(start)?;
                self.pos = start + n as u64;
                self.current = Current::Marker;
                Ok(Some(Current::Marker))
            }
        }
    }

    /// Checks that markers open and close range tombstones in pairs, with
    /// the same deletion at both ends, and never nest (§4.7).
    fn track_range_tombstone(&mut self, at: u64) -> Result<()> {
        let Some(m) = self.dec.marker else { return Ok(()) };
        let open = self.open_tombstone;
        let problem = match (m.kind.is_boundary(), m.kind.is_start(), open) {
            (false, true, Some((d, o))) => Some(format!(
                "a range tombstone {} opens while the one opened at byte {o} ({}) is still open",
                fmt_deletion(m.first),
                fmt_deletion(d)
            )),
            (false, true, None) => {
                self.open_tombstone = Some((m.first, at));
                None
            }
            (_, false, None) | (true, _, None) => Some(format!(
                "closing a range tombstone {} that was not opened",
                fmt_deletion(m.first)
            )),
            (_, _, Some((d, o))) if d != m.first => Some(format!(
                "a range tombstone opened at byte {o} with {} is closed with {}",
                fmt_deletion(d),
                fmt_deletion(m.first)
            )),
            (boundary, _, Some(_)) => {
                self.open_tombstone = if boundary { m.second.map(|d| (d, at)) } else { None };
                None
            }
        };
        match problem {
            Some(msg) => Err(self.error(at, Error::corrupt(msg))),
            None => Ok(()),
        }
    }

    /// The item the last [`DataReader::next_unfiltered`] returned, again
    /// (`None` before the first and after the partition's end). Lets a
    /// merge hold the current items of several readers at once.
    pub fn current_unfiltered(&self) -> Option<Unfiltered<'_>> {
        match self.current {
            Current::Nothing => None,
            Current::Row => Some(Unfiltered::Row(self.row_view())),
            Current::Marker => Some(Unfiltered::Marker(self.marker_view())),
        }
    }

    /// Whether there is a current item (cheaper than building its view).
    #[inline]
    pub fn has_current(&self) -> bool {
        !matches!(self.current, Current::Nothing)
    }

    /// The current item when it is a row.
    #[inline]
    pub fn current_row(&self) -> Option<Row<'_>> {
        matches!(self.current, Current::Row).then(|| self.row_view())
    }

    /// The clustering prefix and kind of the current item (see
    /// [`DataReader::current_unfiltered`]); cheaper than the whole view.
    #[inline]
    pub fn current_clustering(&self) -> Option<super::clustering::ClusteringRef<'_>> {
        let kind = match self.current {
            Current::Nothing => return None,
            Current::Row if self.dec.row.is_static => 3,
            Current::Row => super::clustering::ROW_KIND,
            Current::Marker => super::write::data::bound_byte(self.dec.marker.as_ref()?.kind),
        };
        Some(super::clustering::ClusteringRef {
            kind,
            spans: &self.dec.clustering,
            data: self.window.from(self.item_start),
        })
    }

    /// The current partition's key (cheap; see `current_partition`).
    #[inline]
    pub fn current_key(&self) -> &[u8] {
        &self.key
    }

    /// The partition the last [`DataReader::next_partition`] entered, again
    /// (`None` before the first partition and after the last).
    pub fn current_partition(&self) -> Option<PartitionHeader<'_>> {
        matches!(self.state, State::InPartition { .. } | State::BetweenPartitions)
            .then(|| PartitionHeader {
                key: &self.key,
                token: self.token,
                deletion: self.deletion,
                position: self.partition_start,
                header_end: self.header_end,
                index: self.partitions.saturating_sub(1),
            })
            .filter(|_| self.partitions > 0)
    }

    /// The Data.db path (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn static_row_is_empty(&self) -> bool {
        self.dec.columns.is_empty() && !self.dec.row.live.present && self.dec.row.deletion.is_none()
    }

    #[inline]
    fn row_view(&self) -> Row<'_> {
        let defs =
            if self.dec.row.is_static { &self.header.statics } else { &self.header.regulars };
        Row {
            data: self.window.from(self.item_start),
            dec: &self.dec,
            defs,
            position: self.item_start,
        }
    }

    #[inline]
    fn marker_view(&self) -> Marker<'_> {
        const NONE: super::row::MarkerRec = super::row::MarkerRec {
            kind: super::clustering::BoundKind::InclStart,
            first: DeletionTime { marked_for_delete_at: i64::MIN, local_deletion_time: i64::MAX },
            second: None,
        };
        Marker {
            data: self.window.from(self.item_start),
            rec: self.dec.marker.as_ref().unwrap_or(&NONE),
            clustering: &self.dec.clustering,
            position: self.item_start,
        }
    }
}

/// Decodes the key and partition deletion. Returns (key length, deletion,
/// bytes consumed).
fn decode_partition_start(
    src: &[u8],
    oa: bool,
) -> Result<(usize, Option<DeletionTime>, usize), Fail> {
    let mut c = Cursor::new(src);
    let key = c.short_bytes()?;
    let key_len = key.len();
    let deletion = if oa {
        // 1 byte 0x80 = LIVE, else i64 markedForDeleteAt + u32 LDT (§4.3).
        let first = c.peek_u8()?;
        if first & 0x80 != 0 {
            if first != 0x80 {
                return Err(super::unfiltered::corrupt(
                    c.pos(),
                    format!("deletion time flag byte {first:#04x}, expected 0x80"),
                ));
            }
            c.u8()?;
            None
        } else {
            let mfda = c.i64()?;
            let ldt = c.u32()?;
            Some(DeletionTime { marked_for_delete_at: mfda, local_deletion_time: i64::from(ldt) })
        }
    } else {
        let at = c.pos();
        let ldt = c.i32()?;
        let mfda = c.i64()?;
        if mfda == i64::MIN {
            None // LIVE: nothing to check
        } else {
            let d =
                DeletionTime { marked_for_delete_at: mfda, local_deletion_time: i64::from(ldt) };
            super::unfiltered::check_tombstone_ldt(at, d, "the partition deletion")?;
            Some(d)
        }
    };
    Ok((key_len, deletion, c.pos()))
}

fn fmt_deletion(d: DeletionTime) -> String {
    format!("(timestamp {}, local deletion time {})", d.marked_for_delete_at, d.local_deletion_time)
}

/// Lower-case hex of bytes.
pub(crate) fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_start_both_deletion_forms() {
        // oa LIVE
        let (len, del, n) = decode_partition_start(&[0, 1, b'0', 0x80], true).unwrap();
        assert_eq!((len, del, n), (1, None, 4));
        // legacy LIVE
        let mut b = vec![0, 1, b'0', 0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(decode_partition_start(&b, false).unwrap(), (1, None, 15));
        // legacy deleted (S3X write_many_deleted_partitions)
        b = vec![
            0, 1, b'0', 0x5a, 0xeb, 0x89, 0x23, 0x00, 0x05, 0x6b, 0x54, 0x7d, 0x56, 0xc4, 0x78,
        ];
        let (_, del, _) = decode_partition_start(&b, false).unwrap();
        assert_eq!(
            del,
            Some(DeletionTime {
                marked_for_delete_at: 1_525_385_507_816_568,
                local_deletion_time: 1_525_385_507
            })
        );
        // oa deleted
        let mut b = vec![0, 1, b'0'];
        b.extend_from_slice(&1_525_385_507_816_568i64.to_be_bytes());
        b.extend_from_slice(&0xfff0_0000u32.to_be_bytes());
        let (_, del, n) = decode_partition_start(&b, true).unwrap();
        assert_eq!(del.unwrap().local_deletion_time, 0xfff0_0000);
        assert_eq!(n, 15);
        assert_eq!(
            decode_partition_start(&[0, 1, b'0', 0x81], true).unwrap_err(),
            crate::sstable::unfiltered::corrupt(3, "deletion time flag byte 0x81, expected 0x80")
        );
    }
}
