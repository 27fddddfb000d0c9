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

use super::json::{digits8, pair};
use std::fmt::Write;

/// Days since 1970-01-01 → proleptic Gregorian (year, month, day).
#[inline]
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    match i32::try_from(z) {
        Ok(z) if (FAST_MIN_DAY..FAST_MAX_DAY).contains(&z) => civil_from_days_fast(z),
        _ => civil_from_days_wide(z),
    }
}

/// 400-year cycles the fast path shifts by, to work in unsigned 32 bits.
const FAST_CYCLES: u32 = 82;
/// Days from 0000-03-01 (the computational calendar's epoch) to
/// 1970-01-01, plus the shift.
const FAST_SHIFT: u32 = 719_468 + 146_097 * FAST_CYCLES;
/// The fast path's range (years −32 800 to about 2.9 million): `4n + 3`
/// of the shifted day number stays below 2^32.
const FAST_MIN_DAY: i32 = -(FAST_SHIFT as i32);
const FAST_MAX_DAY: i32 = (1 << 30) - FAST_SHIFT as i32 - 1;

/// [`civil_from_days`] by Neri and Schneider's Euclidean affine functions
/// ("Euclidean affine functions and their application to calendar
/// algorithms", 2022): the divisions by 36 524.25 and 365.25 days and by
/// 30.6 days of the March-based month become multiplications and shifts.
#[inline]
fn civil_from_days_fast(z: i32) -> (i64, u32, u32) {
    let n = (z as u32).wrapping_add(FAST_SHIFT);
    // Century and day of the century.
    let n1 = 4 * n + 3;
    let (c, nc) = (n1 / 146_097, n1 % 146_097 / 4);
    // Year of the century and day of the (March-based) year.
    let p2 = 2_939_745 * u64::from(4 * nc + 3);
    let (yc, ny) = ((p2 >> 32) as u32, (p2 as u32) / 2_939_745 / 4);
    // Month (March = 3) and day.
    let n3 = 2141 * ny + 197_913;
    let (m, d) = (n3 >> 16, (n3 & 0xffff) / 2141 + 1);
    // January and February belong to the next civil year.
    let jan_feb = ny >= 306;
    let y = i64::from(100 * c + yc) - i64::from(400 * FAST_CYCLES) + i64::from(jan_feb);
    (y, if jan_feb { m - 12 } else { m }, d)
}

/// [`civil_from_days`] for every day number.
fn civil_from_days_wide(z: i64) -> (i64, u32, u32) {
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
    let mut out = Vec::with_capacity(32);
    write_timestamp_json(&mut out, &mut DateCache::default(), ms);
    if sep != ' '
        && let Some(b) = out.iter_mut().rev().find(|b| **b == b' ')
    {
        *b = sep as u8;
    }
    String::from_utf8(out).unwrap_or_default()
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

/// Appends `v` zero-padded to `width` digits (v ≥ 0). Widths 2, 3, 6 and 9
/// are the hot ones and write fixed-size arrays.
#[inline]
fn push_digits(out: &mut Vec<u8>, v: u64, width: usize) {
    match width {
        2 => out.extend_from_slice(&pair(v)),
        3 => {
            let [a, b] = pair(v);
            out.extend_from_slice(&[b'0' + (v / 100 % 10) as u8, a, b]);
        }
        6 => {
            let [a, b] = pair(v / 10_000);
            let [c, d] = pair(v / 100);
            let [e, f] = pair(v);
            out.extend_from_slice(&[a, b, c, d, e, f]);
        }
        9 => {
            let [a, b] = pair(v / 10_000_000);
            let [c, d] = pair(v / 100_000);
            let [e, f] = pair(v / 1000);
            let [g, h] = pair(v / 10);
            out.extend_from_slice(&[a, b, c, d, e, f, g, h, b'0' + (v % 10) as u8]);
        }
        _ => {
            let text = v.to_string();
            out.extend(std::iter::repeat_n(b'0', width.saturating_sub(text.len())));
            out.extend_from_slice(text.as_bytes());
        }
    }
}

/// How the year of a date is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum YearStyle {
    /// ISO proleptic year: sign when negative or beyond 4 digits.
    Iso,
    /// java.time `yyyy`: year-of-era, `+` beyond 4 digits.
    YearOfEra,
}

#[derive(Debug, Clone, Copy)]
struct CachedDate {
    day: i64,
    style: YearStyle,
    text: [u8; 24],
    len: usize,
}

/// Dates a cache holds, direct-mapped by day and style: a row's write,
/// expiry and clustering dates in two year styles, and their neighbours.
const DATE_SLOTS: usize = 16;

/// Remembers the last dates rendered: in a dump, a row's timestamps and
/// deletion times are usually on a few days, and `civil_from_days` plus
/// year formatting is most of the cost.
#[derive(Debug, Clone, Copy)]
pub struct DateCache {
    slots: [CachedDate; DATE_SLOTS],
}

impl Default for DateCache {
    fn default() -> Self {
        let empty = CachedDate { day: i64::MIN, style: YearStyle::Iso, text: [0; 24], len: 0 };
        DateCache { slots: [empty; DATE_SLOTS] }
    }
}

impl DateCache {
    /// The date's text in a fixed 24-byte array (zero-padded) and its length.
    #[inline]
    fn date_padded(&mut self, day: i64, style: YearStyle) -> (&[u8; 24], usize) {
        let i = Self::slot(day, style);
        if self.slots[i].day != day || self.slots[i].style != style {
            self.fill(i, day, style);
        }
        let s = &self.slots[i];
        (&s.text, s.len)
    }

    #[inline]
    fn slot(day: i64, style: YearStyle) -> usize {
        ((day as usize) << 1 | usize::from(style == YearStyle::Iso)) % DATE_SLOTS
    }

    /// Renders a date into slot `i`.
    #[cold]
    #[inline(never)]
    fn fill(&mut self, i: usize, day: i64, style: YearStyle) {
        let (y, m, d) = civil_from_days(day);
        let year = match style {
            YearStyle::Iso => y,
            YearStyle::YearOfEra if y > 0 => y,
            YearStyle::YearOfEra => 1 - y,
        };
        let Some(slot) = self.slots.get_mut(i) else { return };
        slot.day = day;
        slot.style = style;
        if (0..=9999).contains(&year) {
            // The usual four-digit year, without formatting machinery.
            let ([y0, y1], [y2, y3]) = (pair(year as u64 / 100), pair(year as u64));
            let ([m0, m1], [d0, d1]) = (pair(u64::from(m)), pair(u64::from(d)));
            slot.text[..10].copy_from_slice(&[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]);
            slot.len = 10;
            return;
        }
        let mut s = String::with_capacity(24);
        match style {
            YearStyle::Iso => write_iso_year(&mut s, y),
            YearStyle::YearOfEra => write_year_of_era(&mut s, y),
        }
        let mut v = Vec::with_capacity(24);
        v.extend_from_slice(s.as_bytes());
        v.push(b'-');
        push_digits(&mut v, u64::from(m), 2);
        v.push(b'-');
        push_digits(&mut v, u64::from(d), 2);
        slot.len = v.len().min(slot.text.len());
        slot.text[..slot.len].copy_from_slice(&v[..slot.len]);
    }
}

/// Appends a `timestamp` value as `SELECT JSON` renders it (no quotes).
pub fn write_timestamp_json(out: &mut Vec<u8>, cache: &mut DateCache, ms: i64) {
    let (days, in_day) = split_millis(ms);
    // The date and its space by one fixed-size copy, then cut to length
    // (a copy of the date's own length is a call to memcpy).
    let (date, len) = cache.date_padded(days, YearStyle::YearOfEra);
    let at = out.len();
    out.extend_from_slice(date);
    out.truncate(at + len);
    out.push(b' ');
    // HH:MM:SS and ".fffZ", each a word built in registers.
    out.extend_from_slice(&hms_word((in_day / 1000) as u64).to_le_bytes());
    let w = (digits8((in_day % 1000) as u64) >> 32) | 0x5a_3030_302e;
    let at = out.len();
    out.extend_from_slice(&w.to_le_bytes());
    out.truncate(at + 5);
}

/// `HH:MM:SS` of a second of the day, as eight bytes in one word: the
/// three two-digit values sit in lanes three bytes apart and are split
/// into tens and ones by one multiply (exact below 100).
#[inline]
fn hms_word(sod: u64) -> u64 {
    // Three independent divisions (by 3600, of the rest by 60, and by
    // 60): minutes first and hours of them has fewer instructions but a
    // serial chain, and measured 5% slower on the time-series dump.
    let x = (sod / 3600) | ((sod % 3600 / 60) << 24) | ((sod % 60) << 48);
    let tens = ((x * 103) >> 10) & 0x000f_0000_0f00_000f;
    let ones = x - tens * 10;
    (tens | (ones << 8)) + 0x3030_3a30_303a_3030
}

/// The common case of [`write_instant`]: a non-negative value of this era
/// (four-digit year), composed in registers and appended a word at a time.
/// `None` when it does not apply.
#[inline]
fn write_instant_fast(
    out: &mut Vec<u8>,
    cache: &mut DateCache,
    unit: Unit,
    value: i64,
) -> Option<()> {
    let (secs, micros) = match unit {
        Unit::Micros if (0..9_000_000_000_000_000).contains(&value) => {
            (value / 1_000_000, (value % 1_000_000) as u64)
        }
        Unit::Seconds if (0..9_000_000_000).contains(&value) => (value, 0),
        _ => return None,
    };
    let (date, len) = cache.date_padded(secs / 86_400, YearStyle::Iso);
    if len != 10 {
        return None;
    }
    let mut head = [0u8; 16];
    head.copy_from_slice(&date[..16]);
    head[10] = b'T';
    let at = out.len();
    out.extend_from_slice(&head);
    out.truncate(at + 11);
    out.extend_from_slice(&hms_word((secs % 86_400) as u64).to_le_bytes());
    if micros == 0 {
        out.push(b'Z');
    } else if micros.is_multiple_of(1000) {
        // ".fffZ": the millis' three digits, after the point.
        let w = (digits8(micros / 1000) >> 32) | 0x5a_3030_302e;
        let at = out.len();
        out.extend_from_slice(&w.to_le_bytes());
        out.truncate(at + 5);
    } else {
        // ".ffffffZ": exactly one word.
        let w = (digits8(micros) >> 8) | 0x5a30_3030_3030_302e;
        out.extend_from_slice(&w.to_le_bytes());
    }
    Some(())
}

/// Appends sstabledump's `dateString(unit, value)` (no quotes).
pub fn write_instant(out: &mut Vec<u8>, cache: &mut DateCache, unit: Unit, value: i64) {
    if write_instant_fast(out, cache, unit, value).is_none() {
        write_instant_general(out, cache, unit, value);
    }
}

/// [`write_instant`] for every value.
fn write_instant_general(out: &mut Vec<u8>, cache: &mut DateCache, unit: Unit, value: i64) {
    let (secs, nanos) = match unit {
        Unit::Micros => (value / 1_000_000, value.saturating_mul(1000).rem_euclid(1_000_000_000)),
        Unit::Seconds => (value, value.saturating_mul(1_000_000_000).rem_euclid(1_000_000_000)),
    };
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400) as u64);
    // Written in place into a fixed-size zeroed extension of `out` (stores
    // only: building it on the stack and copying it over would reload
    // freshly stored bytes) and then cut to length.
    let (date, len) = cache.date_padded(days, YearStyle::Iso);
    let at = out.len();
    out.extend_from_slice(date);
    out.extend_from_slice(&[0u8; 24]);
    let buf = &mut out[at..];
    let mut i = len;
    let [h0, h1] = pair(sod / 3600);
    let [m0, m1] = pair(sod % 3600 / 60);
    let [s0, s1] = pair(sod % 60);
    buf[i..i + 9].copy_from_slice(&[b'T', h0, h1, b':', m0, m1, b':', s0, s1]);
    i += 9;
    if nanos != 0 {
        let n = nanos as u64;
        buf[i] = b'.';
        i += 1;
        if n.is_multiple_of(1_000_000) {
            let v = n / 1_000_000;
            let [a, b] = pair(v);
            buf[i..i + 3].copy_from_slice(&[b'0' + (v / 100) as u8, a, b]);
            i += 3;
        } else if n.is_multiple_of(1000) {
            let v = n / 1000;
            let ([a, b], [c, d], [e, f]) = (pair(v / 10_000), pair(v / 100), pair(v));
            buf[i..i + 6].copy_from_slice(&[a, b, c, d, e, f]);
            i += 6;
        } else {
            let ([a, b], [c, d], [e, f], [g, h]) =
                (pair(n / 10_000_000), pair(n / 100_000), pair(n / 1000), pair(n / 10));
            buf[i..i + 9].copy_from_slice(&[a, b, c, d, e, f, g, h, b'0' + (n % 10) as u8]);
            i += 9;
        }
    }
    buf[i] = b'Z';
    out.truncate(at + i + 1);
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
    let mut out = Vec::with_capacity(32);
    write_instant(&mut out, &mut DateCache::default(), unit, value);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_civil_dates_match_the_wide_computation() {
        // Every day from year −800 to 10 000, the fast range's ends, and
        // random days across it.
        let check = |z: i64| assert_eq!(civil_from_days(z), civil_from_days_wide(z), "day {z}");
        for z in -1_000_000..3_000_000 {
            check(z);
        }
        for edge in [i64::from(FAST_MIN_DAY), i64::from(FAST_MAX_DAY)] {
            for z in edge - 1000..edge + 1000 {
                check(z);
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let span = (i64::from(FAST_MAX_DAY) - i64::from(FAST_MIN_DAY)) as u64;
            check(i64::from(FAST_MIN_DAY) + (x % span) as i64);
        }
        // Known dates.
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn timestamp_time_of_day_matches_formatting() {
        let mut x: u64 = 0x0fed_cba9_8765_4321;
        let mut cache = DateCache::default();
        for i in 0..200_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let ms = match i {
                0 => 0,
                1 => -1,
                2 => 86_399_999,
                _ => (x % 400_000_000_000_000) as i64 - 200_000_000_000_000,
            };
            let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
            // The date by the division form of the calendar and the
            // year-of-era rule (§8: zero-padded to 4 digits, `+` past 4),
            // not by the cache under test.
            let (y, m, d) = civil_from_days_wide(days);
            let yoe = if y > 0 { y } else { 1 - y };
            let year = if yoe > 9999 { format!("+{yoe}") } else { format!("{yoe:04}") };
            let date = format!("{year}-{m:02}-{d:02}");
            let (s, milli) = (in_day / 1000, in_day % 1000);
            let want =
                format!("{date} {:02}:{:02}:{:02}.{milli:03}Z", s / 3600, s % 3600 / 60, s % 60);
            let mut out = b"x".to_vec();
            write_timestamp_json(&mut out, &mut cache, ms);
            assert_eq!(String::from_utf8(out[1..].to_vec()).unwrap(), want, "{ms}");
        }
    }

    #[test]
    fn instant_fast_path_matches_the_general_one() {
        let mut x: u64 = 0x0123_4567_89ab_cdef;
        let mut values: Vec<(Unit, i64)> = Vec::new();
        for v in [0i64, 1, 999, 1000, 999_999, 1_000_000, 86_399_999_999, 86_400_000_000] {
            values.push((Unit::Micros, v));
            values.push((Unit::Seconds, v / 1_000_000));
        }
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Up to year ~2255 in micros (and beyond, to the edge), with
            // whole seconds and whole millis often.
            let v = (x % 9_100_000_000_000_000) as i64;
            let v = match x >> 62 {
                0 => v - v % 1_000_000,
                1 => v - v % 1000,
                _ => v,
            };
            values.push((Unit::Micros, v));
            values.push((Unit::Seconds, v / 900_000));
        }
        let (mut fast, mut general) = (DateCache::default(), DateCache::default());
        let mut taken = 0;
        for (unit, v) in values {
            let (mut a, mut b) = (b"x".to_vec(), b"x".to_vec());
            if write_instant_fast(&mut a, &mut fast, unit, v).is_none() {
                continue;
            }
            taken += 1;
            write_instant_general(&mut b, &mut general, unit, v);
            assert_eq!(
                String::from_utf8(a).unwrap(),
                String::from_utf8(b).unwrap(),
                "{unit:?} {v}"
            );
        }
        assert!(taken > 550_000, "fast path taken {taken} times");
    }

    #[test]
    fn cached_dates_match_the_formatted_ones() {
        let mut cache = DateCache::default();
        for day in (-1_000_000i64..3_000_000).step_by(997).chain([-719_528, -719_162, 0, 2_932_896])
        {
            let (y, m, d) = civil_from_days(day);
            for style in [YearStyle::Iso, YearStyle::YearOfEra] {
                let mut want = String::new();
                match style {
                    YearStyle::Iso => write_iso_year(&mut want, y),
                    YearStyle::YearOfEra => write_year_of_era(&mut want, y),
                }
                let want = format!("{want}-{m:02}-{d:02}");
                let (text, len) = cache.date_padded(day, style);
                assert_eq!(std::str::from_utf8(&text[..len]).unwrap(), want, "day {day} {style:?}");
            }
        }
    }

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
    fn digits_of_every_width() {
        for (v, w, want) in [
            (7u64, 2, "07"),
            (7, 3, "007"),
            (123, 3, "123"),
            (123, 6, "000123"),
            (123_456_789, 9, "123456789"),
            (5, 9, "000000005"),
            (42, 4, "0042"),
        ] {
            let mut out = Vec::new();
            push_digits(&mut out, v, w);
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    #[test]
    fn cached_dates_do_not_leak_between_days_or_styles() {
        let mut c = DateCache::default();
        let mut out = Vec::new();
        write_instant(&mut out, &mut c, Unit::Seconds, 0);
        out.push(b'|');
        write_instant(&mut out, &mut c, Unit::Seconds, 86_400 * 365);
        out.push(b'|');
        write_timestamp_json(&mut out, &mut c, -62_167_219_200_000);
        out.push(b'|');
        write_instant(&mut out, &mut c, Unit::Seconds, -62_167_219_200);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1970-01-01T00:00:00Z|1971-01-01T00:00:00Z|0001-01-01 00:00:00.000Z|0000-01-01T00:00:00.145224192Z"
        );
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
