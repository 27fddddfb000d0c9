//! Fuzzes the Data.db partition decoder together with the serialization
//! header it depends on and the value renderer it feeds.
//!
//! Input: `[version: u8][header_len: u16 BE][HEADER component][Data.db stream]`.
//! Version byte: even = a pre-`oa` file (`mc`), odd = `oa`. Seeds are real
//! corpus files (scripts/fuzz-seeds.py). Nothing may panic, hang or allocate
//! without bound; errors are the expected outcome for most inputs.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use casscade::pipeline::dump_doc::{DumpOptions, DumpWriter};
use casscade::sstable::statistics::RawHeader;
use casscade::sstable::{DataReader, Format, SerializationHeader, Unfiltered, Version};
use casscade::types::Partitioner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&version, rest)) = data.split_first() else { return };
    let Some((len, rest)) = rest.split_first_chunk::<2>() else { return };
    let len = u16::from_be_bytes(*len) as usize;
    let Some((header, stream)) = rest.split_at_checked(len) else { return };
    let Ok(raw) = RawHeader::parse(header) else { return };
    let Ok(header) = SerializationHeader::from_raw(&raw, &[]) else { return };
    let code = if version % 2 == 0 { "mc" } else { "oa" };
    let Ok(version) = Version::parse(code, Format::Big) else { return };
    let header = Arc::new(header);
    let mut reader =
        DataReader::from_bytes(Path::new("fuzz-Data.db"), stream.to_vec(), header.clone(), &version, Partitioner::Murmur3);
    let mut writer = DumpWriter::new(&header, DumpOptions { now: 1_600_000_000, ..DumpOptions::default() });
    let mut out = Vec::new();
    while let Ok(Some(p)) = reader.next_partition() {
        out.clear();
        let header_end = p.header_end;
        let _ = writer.start_partition(&mut out, &p);
        while let Ok(Some(u)) = reader.next_unfiltered() {
            let _ = match u {
                Unfiltered::Row(row) => writer.row(&mut out, &row, header_end),
                Unfiltered::Marker(m) => writer.marker(&mut out, &m),
            };
        }
    }
});
