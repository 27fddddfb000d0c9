//! Format features no corpus fixture contains (SSTABLE_FORMAT.md §17 "code
//! only"), checked on streams built by hand from the serializer rules the
//! format reference cites. Each test says which rule it exercises.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

use std::path::Path;
use std::sync::Arc;

use casscade::pipeline::dump_doc::{DumpOptions, DumpWriter, TimestampFormat};
use casscade::sstable::compression::{CompressionInfo, Compressor};
use casscade::sstable::data_source::{DataSource, Window};
use casscade::sstable::statistics::RawHeader;
use casscade::sstable::{DataReader, Format, SerializationHeader, Unfiltered, Version};
use casscade::types::Partitioner;
use casscade::types::cursor::encode_uvint;

const M: &str = "org.apache.cassandra.db.marshal.";
const MIN_TS: i64 = 1_600_000_000_000_000;
const MIN_LDT: u32 = 1_600_000_000;

fn header(clustering: &[&str], regular: &[(&str, &str)]) -> Arc<SerializationHeader> {
    let raw = RawHeader {
        min_timestamp: MIN_TS,
        min_local_deletion_time: MIN_LDT,
        min_ttl: 0,
        key_type: format!("{M}Int32Type"),
        clustering_types: clustering.iter().map(|c| format!("{M}{c}")).collect(),
        static_columns: vec![],
        regular_columns: regular.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
    };
    Arc::new(SerializationHeader::from_raw(&raw, &[]).unwrap())
}

fn vint(v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    encode_uvint(v, &mut out);
    out
}

/// Key `k` (int) with a LIVE pre-`oa` deletion, then `rows`, then the end.
fn partition(k: i32, rows: &[Vec<u8>]) -> Vec<u8> {
    let mut p = vec![0, 4];
    p.extend_from_slice(&k.to_be_bytes());
    p.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    for r in rows {
        p.extend_from_slice(r);
    }
    p.push(0x01);
    p
}

/// A row: flags, clustering bytes, then the body (prev size prepended).
fn row(flags: u8, ext: Option<u8>, clustering: &[u8], body: &[u8]) -> Vec<u8> {
    let mut r = vec![flags];
    if let Some(e) = ext {
        r.push(e);
    }
    r.extend_from_slice(clustering);
    let mut b = vec![0u8]; // previous unfiltered size
    b.extend_from_slice(body);
    r.extend(vint(b.len() as u64));
    r.extend(b);
    r
}

fn dump(h: &Arc<SerializationHeader>, version: &str, data: Vec<u8>) -> Vec<serde_json::Value> {
    let v = Version::parse(version, Format::Big).unwrap();
    let mut r = DataReader::from_bytes(
        Path::new("synthetic-Data.db"),
        data,
        h.clone(),
        &v,
        Partitioner::ByteOrdered,
    );
    let mut w = DumpWriter::new(
        h,
        DumpOptions { timestamps: TimestampFormat::Raw, now: 1_700_000_000, ..Default::default() },
    );
    let mut lines = Vec::new();
    while let Some(p) = r.next_partition().unwrap() {
        let mut out = Vec::new();
        let he = p.header_end;
        w.start_partition(&mut out, &p).unwrap();
        while let Some(u) = r.next_unfiltered().unwrap() {
            match u {
                Unfiltered::Row(row) => w.row(&mut out, &row, he).unwrap(),
                Unfiltered::Marker(m) => w.marker(&mut out, &m).unwrap(),
            }
        }
        w.end_partition(&mut out);
        lines.push(serde_json::from_slice(&out).unwrap());
    }
    lines
}

#[test]
fn non_frozen_udt_cells_are_fields() {
    // §4.9: a non-frozen UDT's cell path is the 2-byte field index; the value
    // is typed by that field. sstabledump 4.0+ prints the field name as path.
    let udt = format!("{M}UserType(ks,7574,61:{M}Int32Type,6e616d65:{M}UTF8Type)");
    let h = header(&[], &[("u", &udt)]);
    assert!(h.regulars.is_complex(0));
    let mut body = vec![0x00]; // pk liveness ts delta 0
    body.push(2); // two cells
    body.extend_from_slice(&[0x08, 0x02, 0x00, 0x01, 0x02, b'h', b'i']); // field 1 (name) = "hi"
    body.extend_from_slice(&[0x08, 0x02, 0x00, 0x00, 0x04, 0, 0, 0, 7]); // field 0 (a) = 7, a vbytes value
    let rows = [row(0x24, None, &[], &body)];
    let p = dump(&h, "mc", partition(1, &rows));
    let cells = p[0]["rows"][0]["cells"].as_array().unwrap();
    assert_eq!(cells[0], serde_json::json!({"name": "u", "path": ["name"], "value": "hi"}));
    assert_eq!(cells[1], serde_json::json!({"name": "u", "path": ["a"], "value": 7}));
}

#[test]
fn non_frozen_list_of_fixed_width_elements_uses_vbytes_values() {
    // §4.8: a multi-cell column writes values with the collection type, which
    // is variable-width, so even int elements carry a length.
    let h = header(&[], &[("l", &format!("{M}ListType({M}Int32Type)"))]);
    let tu = [
        0x50u8, 0x55, 0x4d, 0x6e, 0x29, 0xbb, 0x11, 0xe5, 0xb3, 0x45, 0xfe, 0xff, 0x81, 0x9c, 0xdc,
        0x9f,
    ];
    let mut body = vec![0x00, 0x01, 0x08, 16];
    body.extend_from_slice(&tu);
    body.extend_from_slice(&[0x04, 0, 0, 0, 42]);
    let p = dump(&h, "mc", partition(1, &[row(0x24, None, &[], &body)]));
    assert_eq!(
        p[0]["rows"][0]["cells"][0],
        serde_json::json!({"name": "l", "path": ["50554d6e-29bb-11e5-b345-feff819cdc9f"], "value": 42})
    );
}

#[test]
fn cassandra_shadowable_flag_marks_the_row_deletion() {
    // §4.4: extended flag 0x02 makes the row deletion (field 7) shadowable;
    // no extra bytes. The dump prints the deletion as sstabledump does.
    let h = header(&["Int32Type"], &[("v", &format!("{M}Int32Type"))]);
    let clustering = [0x00, 0, 0, 0, 5];
    // deletion ts delta 7, ldt delta 3, then the column subset: v missing
    let body = [vint(7), vint(3), vec![0x01]].concat();
    let r = row(0x80 | 0x10, Some(0x02), &clustering, &body);
    let data = partition(1, &[r]);
    let v = Version::parse("mc", Format::Big).unwrap();
    let mut reader = DataReader::from_bytes(
        Path::new("x"),
        data.clone(),
        h.clone(),
        &v,
        Partitioner::ByteOrdered,
    );
    reader.next_partition().unwrap().unwrap();
    let Some(Unfiltered::Row(row)) = reader.next_unfiltered().unwrap() else { panic!() };
    assert!(row.deletion_is_shadowable());
    let d = row.deletion().unwrap();
    assert_eq!(
        (d.marked_for_delete_at, d.local_deletion_time),
        (MIN_TS + 7, i64::from(MIN_LDT) + 3)
    );
    let p = dump(&h, "mc", data);
    assert_eq!(p[0]["rows"][0]["deletion_info"]["marked_deleted"], (MIN_TS + 7).to_string());
}

#[test]
fn oa_partition_deletion_is_twelve_bytes_timestamp_first() {
    // §4.3: in oa, a non-LIVE DeletionTime is i64 markedForDeleteAt then u32
    // localDeletionTime, whose values may exceed 2^31 (unsigned).
    let h = header(&[], &[("v", &format!("{M}Int32Type"))]);
    let mut data = vec![0, 4, 0, 0, 0, 1];
    data.extend_from_slice(&1_700_000_000_123_456i64.to_be_bytes());
    data.extend_from_slice(&0xfff0_0000u32.to_be_bytes());
    data.push(0x01);
    let p = dump(&h, "oa", data);
    assert_eq!(
        p[0]["partition"]["deletion_info"],
        serde_json::json!({"marked_deleted": "1700000000123456", "local_delete_time": "4293918720"})
    );
}

#[test]
fn expiring_cell_stores_ldt_before_ttl() {
    // §4.8: a cell without USE_ROW_TTL writes its LDT delta, then its TTL
    // delta (the reverse of row liveness). Distinct deltas tell them apart.
    let h = header(&[], &[("v", &format!("{M}Int32Type"))]);
    let mut body = vec![0x02]; // cell flags: IS_EXPIRING, own timestamp
    body.extend(vint(9)); // timestamp delta
    body.extend(vint(86_400)); // LDT delta
    body.extend(vint(3600)); // TTL delta (min TTL 0)
    body.extend_from_slice(&[0, 0, 0, 1]);
    let p = dump(&h, "mc", partition(1, &[row(0x20, None, &[], &body)]));
    let c = &p[0]["rows"][0]["cells"][0];
    assert_eq!(c["ttl"], 3600);
    assert_eq!(c["expires_at"], (u64::from(MIN_LDT) + 86_400).to_string());
    assert_eq!(c["tstamp"], (MIN_TS + 9).to_string());
}

#[test]
fn live_complex_deletion_written_as_a_wrapped_delta_means_none() {
    // §4.2: a LIVE DeletionTime (i64::MIN) written as a complex deletion
    // becomes a 9-byte delta that wraps; it means "no deletion".
    let h = header(&[], &[("s", &format!("{M}SetType({M}Int32Type)"))]);
    let ts_delta = (i64::MIN).wrapping_sub(MIN_TS) as u64;
    let ldt_delta = u64::from((i32::MAX as u32).wrapping_sub(MIN_LDT));
    let mut body = vint(ts_delta);
    assert_eq!(body.len(), 9);
    body.extend(vint(ldt_delta));
    body.push(0); // no cells
    let p = dump(&h, "mc", partition(1, &[row(0x20 | 0x40, None, &[], &body)]));
    assert_eq!(
        p[0]["rows"][0]["cells"],
        serde_json::json!([]),
        "no collection deletion is printed"
    );
}

#[test]
fn chunks_stored_uncompressed_past_max_compressed_length() {
    // §9.2 (na+): a chunk whose stored length reaches maxCompressedLength is
    // stored raw; a short last chunk is zero-padded and cut by dataLength.
    let dir = std::env::temp_dir().join(format!("casscade-rawchunk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chunk0 = vec![7u8; 32]; // compresses well below maxCompressedLength
    let chunk1 = [0xaa, 0xbb, 0xcc];
    let mut file = Vec::new();
    let mut offsets = Vec::new();
    // chunk 0: LZ4 (4-byte LE length + block)
    let mut c0 = (chunk0.len() as u32).to_le_bytes().to_vec();
    c0.extend_from_slice(&lz4_flex::block::compress(&chunk0));
    assert!(c0.len() < 28);
    // chunk 1: raw, padded to maxCompressedLength (28)
    let mut c1 = chunk1.to_vec();
    c1.resize(28, 0);
    for c in [&c0, &c1] {
        offsets.push(file.len() as u64);
        file.extend_from_slice(c);
        file.extend_from_slice(&crc32fast::hash(c).to_be_bytes());
    }
    let data = dir.join("nb-1-big-Data.db");
    std::fs::write(&data, &file).unwrap();
    let info = CompressionInfo {
        compressor: Compressor::Lz4,
        options: vec![],
        chunk_length: 32,
        max_compressed_length: 28,
        data_length: 35,
        offsets,
    };
    let mut src = DataSource::open(&data, Some(info), None, None).unwrap();
    let mut w = Window::default();
    while src.fill(&mut w).unwrap() > 0 {}
    let mut want = chunk0.clone();
    want.extend_from_slice(&chunk1);
    assert_eq!(w.from(0), &want[..]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tuple_and_vector_values_render_as_arrays() {
    // §6.3: tuples are i32-length fields (-1 = null); a vector of a fixed-width
    // type is its elements back to back.
    let tuple = format!("{M}TupleType({M}Int32Type,{M}UTF8Type)");
    let vector = format!("{M}VectorType({M}FloatType , 2)");
    let h = header(&[], &[("t", &tuple), ("vec", &vector)]);
    let mut body = vec![0x00, 0x08];
    let mut t = vec![];
    t.extend_from_slice(&4i32.to_be_bytes());
    t.extend_from_slice(&5i32.to_be_bytes());
    t.extend_from_slice(&(-1i32).to_be_bytes());
    body.extend(vint(t.len() as u64));
    body.extend(t);
    body.push(0x08);
    body.extend_from_slice(&1.5f32.to_be_bytes()); // fixed width: no length
    body.extend_from_slice(&(-2.0f32).to_be_bytes());
    let p = dump(&h, "mc", partition(1, &[row(0x24, None, &[], &body)]));
    let cells = &p[0]["rows"][0]["cells"];
    assert_eq!(cells[0]["value"], serde_json::json!([5, null]));
    let v = cells[1]["value"].as_array().unwrap();
    assert_eq!((v[0].to_string(), v[1].to_string()), ("1.5".to_string(), "-2.0".to_string()));
}

/// A row with primary-key liveness only (no clustering, no columns).
fn live_row() -> Vec<u8> {
    row(0x24, None, &[], &[0x00])
}

fn reader(h: &Arc<SerializationHeader>, data: Vec<u8>, partitioner: Partitioner) -> DataReader {
    let v = Version::parse("mc", Format::Big).unwrap();
    DataReader::from_bytes(Path::new("synthetic-Data.db"), data, h.clone(), &v, partitioner)
}

fn keys_read(mut r: DataReader) -> casscade::Result<Vec<i32>> {
    let mut keys = Vec::new();
    while let Some(p) = r.next_partition()? {
        keys.push(i32::from_be_bytes(p.key.try_into().unwrap()));
        while r.next_unfiltered()?.is_some() {}
    }
    Ok(keys)
}

#[test]
fn local_partitioner_orders_partitions_by_the_key_type() {
    // §3 / dht/LocalPartitioner.java: the token is the key itself, compared
    // with the key's type (here Int32Type, signed), not as bytes.
    let h = header(&[], &[]);
    let stream = |keys: &[i32]| -> Vec<u8> {
        keys.iter().flat_map(|&k| partition(k, &[live_row()])).collect()
    };
    let int_order = stream(&[-5, 1, 3]);
    let byte_order = stream(&[1, 3, -5]);
    assert_eq!(keys_read(reader(&h, int_order.clone(), Partitioner::Local)).unwrap(), [-5, 1, 3]);
    let e = keys_read(reader(&h, byte_order.clone(), Partitioner::Local)).unwrap_err();
    assert!(e.to_string().contains("out of order"), "{e}");
    // Under ByteOrderedPartitioner it is the other way round.
    assert_eq!(keys_read(reader(&h, byte_order, Partitioner::ByteOrdered)).unwrap(), [1, 3, -5]);
    assert!(keys_read(reader(&h, int_order, Partitioner::ByteOrdered)).is_err());
}

#[test]
fn local_partitioner_sources_merge_in_key_type_order() {
    use casscade::reconcile::{Merger, RowSink, TableLayout};
    use casscade::types::Token;
    struct Keys(Vec<i32>);
    impl RowSink for Keys {
        fn row(
            &mut self,
            key: &[u8],
            _: Token,
            _: Option<&[Option<&[u8]>]>,
            _: &[Option<&[u8]>],
        ) -> casscade::Result<()> {
            self.0.push(i32::from_be_bytes(key.try_into().unwrap()));
            Ok(())
        }
    }
    let h = header(&[], &[]);
    let stream = |keys: &[i32]| -> Vec<u8> {
        keys.iter().flat_map(|&k| partition(k, &[live_row()])).collect()
    };
    // Partition 3 is in both: it must come out once, after -5 and 1.
    let readers = vec![
        reader(&h, stream(&[-5, 3]), Partitioner::Local),
        reader(&h, stream(&[1, 3]), Partitioner::Local),
    ];
    let layout = TableLayout {
        partitioner: Partitioner::Local,
        clustering: vec![],
        statics: vec![],
        regulars: vec![],
    };
    let mut sink = Keys(Vec::new());
    Merger::new(layout, readers, 1_700_000_000, 0).run(&mut sink).unwrap();
    assert_eq!(sink.0, [-5, 1, 3]);
}
