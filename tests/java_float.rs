//! `output::javafloat` against Java itself: 6,000 doubles and floats whose
//! `Double.toString` / `Float.toString` a JDK 17 printed
//! (fixtures/expected/java-float-tostring.txt, written by
//! scripts/expected/JavaFloatVectors.java).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

use casscade::output::javafloat::{write_double, write_float};

#[test]
fn doubles_and_floats_print_as_java_17_prints_them() {
    let text = include_str!("../fixtures/expected/java-float-tostring.txt");
    let (mut doubles, mut floats) = (0, 0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut it = line.splitn(3, ' ');
        let (kind, hex, want) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        let mut out = Vec::new();
        if kind == "d" {
            write_double(&mut out, f64::from_bits(u64::from_str_radix(hex, 16).unwrap()));
            doubles += 1;
        } else {
            write_float(&mut out, f32::from_bits(u32::from_str_radix(hex, 16).unwrap()));
            floats += 1;
        }
        assert_eq!(String::from_utf8(out).unwrap(), want, "{kind} {hex}");
    }
    assert!(doubles > 3900 && floats > 1900, "{doubles} doubles, {floats} floats");
}
