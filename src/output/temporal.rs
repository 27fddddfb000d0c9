//! Dates and times as Cassandra 4.0.13+/4.1.5+/5.0 print them, i.e. with
//! `java.time` semantics: proleptic Gregorian calendar, UTC
//! (CQL_JSON.md §8, §9.3).
//!
//! - `timestamp` JSON: `yyyy-MM-dd HH:mm:ss.SSSZ` (year-of-era, zero-padded to
//!   4 digits, `+` when it exceeds 4 digits).
//! - `timestamp` as a key (`getString`): `yyyy-MM-dd'T'HH:mm:ss.SSSZ`.
//! - `date`: ISO_LOCAL_DATE (proleptic year with sign).
//! - `time`: `HH:MM:SS.nnnnnnnnn`.
//! - `duration`: `1y2mo3d4h5m6s7ms8us9ns`.
//! - sstabledump metadata: `Instant.toString` of (seconds truncated toward
//!   zero, floorMod of saturating nanoseconds) — including the one-second
//!   error for negative fractional values that sstabledump has.

use std::fmt::Write;

/// Days since 1970-01-01 → proleptic Gregorian (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `yyyy` in java.time: year-of-era, at least 4 digits, `+` beyond 4.
fn write_year_of_era(out: &mut String, year: i64) {
    let yoe = if year > 0 { year } else { 1 - year };
    if yoe > 9999 {
        let _ = write!(out, "+{yoe}");
    } else {
        let _ = write!(out, "{yoe:04}");
    }
}

/// ISO proleptic year: sign when negative or beyond 4 digits.
fn write_iso_year(out: &mut String, year: i64) {
    if year > 9999 {
        let _ = write!(out, "+{year}");
    } else if year < 0 {
        let _ = write!(out, "-{:04}", -year);
    } else {
        let _ = write!(out, "{year:04}");
    }
}

fn split_millis(ms: i64) -> (i64, i64) {
    (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000))
}

/// `timestamp` rendered as `SELECT JSON` does (without the quotes).
pub fn timestamp_json(ms: i64) -> String {
    timestamp(ms, ' ')
}

/// `timestamp` as `getString` renders it (partition keys, cell paths).
pub fn timestamp_string(ms: i64) -> String {
    timestamp(ms, 'T')
}

fn timestamp(ms: i64, sep: char) -> String {
    let (days, in_day) = split_millis(ms);
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(24);
    write_year_of_era(&mut s, y);
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (mi, rest) = (rest / 60_000, rest % 60_000);
    let (sec, milli) = (rest / 1000, rest % 1000);
    let _ = write!(s, "-{m:02}-{d:02}{sep}{h:02}:{mi:02}:{sec:02}.{milli:03}Z");
    s
}

/// `date` (unsigned days with the epoch at 2^31) as ISO_LOCAL_DATE.
pub fn date_string(raw: u32) -> String {
    let days = i64::from(raw) - (1i64 << 31);
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(12);
    write_iso_year(&mut s, y);
    let _ = write!(s, "-{m:02}-{d:02}");
    s
}

/// `time` (nanoseconds since midnight); `None` when out of range, which
/// Cassandra rejects with an assertion.
pub fn time_string(nanos: i64) -> Option<String> {
    if !(0..86_400_000_000_000).contains(&nanos) {
        return None;
    }
    let (h, rest) = (nanos / 3_600_000_000_000, nanos % 3_600_000_000_000);
    let (m, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let (s, frac) = (rest / 1_000_000_000, rest % 1_000_000_000);
    Some(format!("{h:02}:{m:02}:{s:02}.{frac:09}"))
}

/// `duration` text (§8.4).
pub fn duration_string(months: i32, days: i32, nanos: i64) -> String {
    let mut s = String::new();
    if months < 0 || days < 0 || nanos < 0 {
        s.push('-');
    }
    // Java's Math.abs: MIN_VALUE stays negative and is then skipped.
    let months = months.wrapping_abs();
    let days = days.wrapping_abs();
    let nanos = nanos.wrapping_abs();
    if months > 0 {
        let (y, mo) = (months / 12, months % 12);
        if y != 0 {
            let _ = write!(s, "{y}y");
        }
        if mo != 0 {
            let _ = write!(s, "{mo}mo");
        }
    }
    if days > 0 {
        let _ = write!(s, "{days}d");
    }
    if nanos > 0 {
        let mut rest = nanos;
        for (unit, name) in [
            (3_600_000_000_000i64, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ] {
            let q = rest / unit;
            rest %= unit;
            if q != 0 {
                let _ = write!(s, "{q}{name}");
            }
        }
    }
    s
}

/// Units sstabledump converts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Microseconds (cell and deletion timestamps).
    Micros,
    /// Seconds (local deletion and expiration times).
    Seconds,
}

/// sstabledump's `dateString(unit, value)` → `Instant.toString()`.
pub fn instant_string(unit: Unit, value: i64) -> String {
    let (secs, nanos) = match unit {
        Unit::Micros => (value / 1_000_000, value.saturating_mul(1000).rem_euclid(1_000_000_000)),
        Unit::Seconds => (value, value.saturating_mul(1_000_000_000).rem_euclid(1_000_000_000)),
    };
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(32);
    write_iso_year(&mut s, y);
    let _ = write!(s, "-{m:02}-{d:02}T{:02}:{:02}:{:02}", sod / 3600, sod % 3600 / 60, sod % 60);
    if nanos != 0 {
        if nanos % 1_000_000 == 0 {
            let _ = write!(s, ".{:03}", nanos / 1_000_000);
        } else if nanos % 1000 == 0 {
            let _ = write!(s, ".{:06}", nanos / 1000);
        } else {
            let _ = write!(s, ".{nanos:09}");
        }
    }
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_json_vectors() {
        assert_eq!(timestamp_json(0), "1970-01-01 00:00:00.000Z");
        assert_eq!(timestamp_json(-1), "1969-12-31 23:59:59.999Z");
        assert_eq!(timestamp_json(1_700_000_000_123), "2023-11-14 22:13:20.123Z");
        assert_eq!(timestamp_json(-12_219_292_800_001), "1582-10-14 23:59:59.999Z");
        assert_eq!(timestamp_json(-62_135_596_800_000), "0001-01-01 00:00:00.000Z");
        assert_eq!(timestamp_json(-62_167_219_200_000), "0001-01-01 00:00:00.000Z");
        assert_eq!(timestamp_json(i64::MAX), "+292278994-08-17 07:12:55.807Z");
        assert_eq!(timestamp_json(i64::MIN), "+292275056-05-16 16:47:04.192Z");
        assert_eq!(timestamp_json(253_402_300_800_000), "+10000-01-01 00:00:00.000Z");
        assert_eq!(timestamp_string(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn date_vectors() {
        assert_eq!(date_string(1 << 31), "1970-01-01");
        assert_eq!(date_string(0), "-5877641-06-23");
        assert_eq!(date_string(u32::MAX), "+5881580-07-11");
        assert_eq!(date_string(((1i64 << 31) - 719_528) as u32), "0000-01-01");
        assert_eq!(date_string(((1i64 << 31) + 2_932_897) as u32), "+10000-01-01");
        assert_eq!(date_string(((1i64 << 31) - 719_529) as u32), "-0001-12-31");
    }

    #[test]
    fn time_vectors() {
        assert_eq!(time_string(0).unwrap(), "00:00:00.000000000");
        assert_eq!(time_string(45_296_789_000_000).unwrap(), "12:34:56.789000000");
        assert_eq!(time_string(86_399_999_999_999).unwrap(), "23:59:59.999999999");
        assert_eq!(time_string(71_105_090_000_000).unwrap(), "19:45:05.090000000");
        assert_eq!(time_string(86_400_000_000_000), None);
        assert_eq!(time_string(-1), None);
    }

    #[test]
    fn duration_vectors() {
        assert_eq!(duration_string(14, 3, 14_706_007_008_009), "1y2mo3d4h5m6s7ms8us9ns");
        assert_eq!(duration_string(-14, -3, -14_706_007_008_009), "-1y2mo3d4h5m6s7ms8us9ns");
        assert_eq!(duration_string(0, 0, 5_400_000_000_000), "1h30m");
        assert_eq!(duration_string(0, 0, 1500), "1us500ns");
        assert_eq!(duration_string(12, 0, 0), "1y");
        assert_eq!(duration_string(0, 0, 0), "");
        assert_eq!(duration_string(-1, 0, 0), "-1mo");
        assert_eq!(duration_string(0, 7, 0), "7d");
        assert_eq!(duration_string(0, 0, 3_888_020_000_000), "1h4m48s20ms");
    }

    #[test]
    fn instant_vectors_with_sstabledump_quirks() {
        assert_eq!(instant_string(Unit::Seconds, 1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(instant_string(Unit::Micros, 1_700_000_000_123_000), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            instant_string(Unit::Micros, 1_700_000_000_123_456),
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(instant_string(Unit::Seconds, 4_294_967_293), "2106-02-07T06:28:13Z");
        // Beyond 2262 the nanosecond conversion saturates (Long.MAX / MIN)
        // and the fraction is its floorMod, exactly as sstabledump prints.
        assert_eq!(
            instant_string(Unit::Seconds, 253_402_300_800),
            "+10000-01-01T00:00:00.854775807Z"
        );
        assert_eq!(
            instant_string(Unit::Seconds, -62_167_219_201),
            "-0001-12-31T23:59:59.145224192Z"
        );
        // A negative, non-whole-second value comes out one second late.
        assert_eq!(instant_string(Unit::Micros, -1), "1970-01-01T00:00:00.999999Z");
        // Saturated nanoseconds give a bogus fraction.
        assert_eq!(instant_string(Unit::Micros, i64::MAX), "+294247-01-10T04:00:54.854775807Z");
        assert_eq!(
            instant_string(Unit::Micros, 1_525_385_507_816_568),
            "2018-05-03T22:11:47.816568Z"
        );
    }
}
