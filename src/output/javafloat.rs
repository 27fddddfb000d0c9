//! Java's `Double.toString` and `Float.toString` as JDK 8–18 print them
//! (the legacy `FloatingDecimal.dtoa`), which Cassandra 3.0–5.0 use to render
//! `float` and `double` values (CQL_JSON.md §6).
//!
//! This is not shortest-round-trip printing: large integer-valued numbers go
//! through an integer shortcut that keeps too many digits (2^60 prints
//! `1.15292150460684698E18`), and the general case uses a symmetric rounding
//! interval with strict/non-strict tests that differ between its 32-bit,
//! 64-bit and big-integer arithmetic modes — so those modes, including their
//! wrapping arithmetic, are reproduced step by step.

use crate::output::json::digits8;
use crate::output::shortest::shortest;
use crate::types::bignum::BigUint;

/// `floor(log2(5^i))+1` approximations used to pick the arithmetic width
/// (`FloatingDecimal.N_5_BITS`).
const N_5_BITS: [i32; 27] = [
    0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56,
    59, 61,
];

fn n5bits(i: i32) -> i32 {
    usize::try_from(i).ok().and_then(|i| N_5_BITS.get(i).copied()).unwrap_or(i * 3)
}

fn pow5(i: i32) -> u64 {
    5u64.wrapping_pow(i.max(0) as u32)
}

/// Appends Java's `Double.toString(v)`. NaN and infinities print as Java
/// prints them (`NaN`, `Infinity`, `-Infinity`).
pub fn write_double(out: &mut Vec<u8>, v: f64) {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let bits = v.to_bits();
    let negative = bits >> 63 != 0;
    let be = ((bits >> 52) & 0x7ff) as i32;
    let f = bits & ((1u64 << 52) - 1);
    if be == 0 && f == 0 {
        out.extend_from_slice(if negative { b"-0.0" } else { b"0.0" });
        return;
    }
    let (fract, e2, p) = if be == 0 {
        let l = f.leading_zeros() as i32;
        let s = l - 11;
        (f << s, 1 - s - 1023, 64 - l)
    } else {
        (f | (1u64 << 52), be - 1023, 53)
    };
    if be != 0
        && let Some(d) = shortest_when_java_agrees(fract, e2)
    {
        layout_significand(out, &d, negative);
        return;
    }
    // The digit loop is slow (big integers at small and large magnitudes);
    // the values that need it (round numbers, sentinels like 1e-300)
    // repeat in real columns, so its recent results are kept by bits.
    SLOW_DOUBLES.with_borrow_mut(|cache| {
        let slot = cache.slot(bits);
        if let Some(text) = cache.get(slot, bits) {
            out.extend_from_slice(text);
            return;
        }
        let at = out.len();
        emit(out, negative, fract, e2, p);
        cache.put(slot, bits, &out[at..]);
    });
}

/// Recent results of the slow path, direct-mapped by bit pattern.
struct SlowCache {
    keys: [u64; SLOW_SLOTS],
    lens: [u8; SLOW_SLOTS],
    texts: [[u8; 32]; SLOW_SLOTS],
}

const SLOW_SLOTS: usize = 64;

impl SlowCache {
    fn slot(&self, bits: u64) -> usize {
        ((bits ^ (bits >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize
    }

    /// The cached text (key 0, +0.0, never reaches the slow path).
    fn get(&self, slot: usize, bits: u64) -> Option<&[u8]> {
        (self.keys[slot] == bits && bits != 0)
            .then(|| &self.texts[slot][..usize::from(self.lens[slot])])
    }

    fn put(&mut self, slot: usize, bits: u64, text: &[u8]) {
        if let Some(dst) = self.texts[slot].get_mut(..text.len()) {
            dst.copy_from_slice(text);
            self.keys[slot] = bits;
            self.lens[slot] = text.len() as u8;
        }
    }
}

thread_local! {
    static SLOW_DOUBLES: std::cell::RefCell<SlowCache> = const {
        std::cell::RefCell::new(SlowCache {
            keys: [0; SLOW_SLOTS],
            lens: [0; SLOW_SLOTS],
            texts: [[0; 32]; SLOW_SLOTS],
        })
    };
}

/// The digits and exponent of `Double.toString(v)` (`v` normal, positive,
/// `fract` its 53-bit significand, `v` in `[2^e2, 2^(e2+1))`) taken from
/// shortest round-trip printing ([`shortest`]), where that provably equals the
/// legacy digit loop's result; `None` elsewhere.
///
/// The loop stops at the first length at which the truncated digits or
/// their round-up lies strictly inside `v ± M` (M half an ulp), keeping
/// the nearer: that is the shortest decimal in the rounding interval,
/// nearest to `v`, which is what `shortest` returns — unless (a) the significand
/// is a power of two (the loop then narrows the interval to the lower
/// gap), (b) a candidate of at most 17 digits falls exactly on `v ± M`
/// (the interval's ends are open or closed depending on the loop's
/// arithmetic mode; `v ± M` has over 17 significant digits whenever
/// `e2 ≤ 40`: at least `53 − 0.7·e2`), (c) the integer shortcut applies,
/// (d) the result has one digit (the loop then forces a second in
/// E-notation, and a first digit 0 with a round-up can come out), or
/// (e) the first-digit estimate is off by more than the one step the
/// loop corrects. Exact ties between two candidates (`v` with enough
/// trailing zero bits) go to the even digit in both: the loop's "tie:
/// choose based on which digits we like" rounds an odd last digit up.
/// Checked against the digit loop over millions of doubles (tests) and
/// against Java 17 (scripts/java-double-check).
fn shortest_when_java_agrees(fract: u64, e2: i32) -> Option<Significand> {
    let n = 53 - fract.trailing_zeros() as i32;
    if n == 1 || e2 > 40 || n - e2 - 1 <= 0 {
        return None;
    }
    // The shortest decimal: v = m × 10^e10, m of 16 or 17 digits (with
    // trailing zeros) for every normal double.
    let (m, e10) = shortest(fract, e2 - 52)?;
    if !(1_000_000_000_000_000..100_000_000_000_000_000).contains(&m) {
        return None;
    }
    // The digits, in memory order, as digit values: the 17th (top) apart.
    let (top, rest) = (m / 10_000_000_000_000_000, m % 10_000_000_000_000_000);
    let x =
        u128::from(digits8(rest / 100_000_000)) | (u128::from(digits8(rest % 100_000_000)) << 64);
    let (first, tail, total) = if top != 0 { (top as u8, x, 17) } else { (x as u8, x >> 8, 16) };
    if tail == 0 {
        // One significant digit.
        return None;
    }
    // Trailing zero digits are the tail's high zero bytes past its length.
    let zeros = tail.leading_zeros() as usize / 8 - (17 - total);
    // value = 0.d1d2… × 10^exp
    let exp = e10 + total as i32;
    let est = estimate_dec_exp(fract, e2);
    (est == exp - 1 || est == exp).then_some(Significand { first, tail, len: total - zeros, exp })
}

/// A decimal significand: `first` digit, then `len - 1` more in `tail`
/// (digit values in memory order, zero beyond), `value = 0.d1d2… × 10^exp`.
struct Significand {
    first: u8,
    tail: u128,
    len: usize,
    exp: i32,
}

/// [`layout`] of a significand (2 ≤ len ≤ 17), after a `-` when
/// `negative`. The E-form (most doubles: below 10^-3 or from 10^7) is
/// composed in registers without a branch on either sign and stored in
/// three fixed-size pieces, each then cut to length; the plain forms go
/// through [`layout`].
fn layout_significand(out: &mut Vec<u8>, d: &Significand, negative: bool) {
    const ZEROS: u128 = 0x3030_3030_3030_3030_3030_3030_3030_3030;
    let (e, n) = (d.exp, d.len);
    if (1..8).contains(&e) || (-2..=0).contains(&e) {
        if negative {
            out.push(b'-');
        }
        let mut digits = [0u8; 17];
        digits[0] = d.first;
        digits[1..].copy_from_slice(&d.tail.to_le_bytes());
        layout(out, &digits[..n], e);
        return;
    }
    // "-d." or "d.", then the other digits.
    let neg = u32::from(negative);
    let head =
        ((u32::from(b'0' + d.first) | u32::from(b'.') << 8) << (8 * neg)) | (u32::from(b'-') * neg);
    let at = out.len();
    out.extend_from_slice(&head.to_le_bytes());
    let at = at + 2 + neg as usize;
    out.truncate(at);
    out.extend_from_slice(&(d.tail | ZEROS).to_le_bytes());
    let at = at + n - 1;
    out.truncate(at);
    // "E" and the exponent, from a table.
    let word = usize::try_from(d.exp + EXP_BIAS)
        .ok()
        .and_then(|i| EXPONENTS.get(i))
        .copied()
        .unwrap_or(EXP_INVALID);
    out.extend_from_slice(&word.to_le_bytes());
    out.truncate(at + (word >> 56) as usize);
}

/// The E-form exponent `e − 1` for `e` from −`EXP_BIAS` + 1 on.
const EXP_BIAS: i32 = 330;
/// `E` and the exponent in the low bytes, the text's length in the top
/// byte, for every exponent a double's E-form can have (−324 to 308) and
/// a margin.
const EXPONENTS: [u64; 2 * EXP_BIAS as usize] = {
    let mut t = [0u64; 2 * EXP_BIAS as usize];
    let mut i = 0;
    while i < t.len() {
        let x = i as i32 - EXP_BIAS - 1;
        let mut word = b'E' as u64;
        let mut len = 1;
        if x < 0 {
            word |= (b'-' as u64) << 8;
            len += 1;
        }
        let a = x.unsigned_abs() as u64;
        if a >= 100 {
            word |= (b'0' as u64 + a / 100) << (8 * len);
            len += 1;
        }
        if a >= 10 {
            word |= (b'0' as u64 + a / 10 % 10) << (8 * len);
            len += 1;
        }
        word |= (b'0' as u64 + a % 10) << (8 * len);
        len += 1;
        t[i] = word | (len as u64) << 56;
        i += 1;
    }
    t
};
/// Not reachable for a double's exponent; keeps the writer total.
const EXP_INVALID: u64 = u64::from_le_bytes(*b"E?\0\0\0\0\0\x02");

/// Appends Java's `Float.toString(v)`.
pub fn write_float(out: &mut Vec<u8>, v: f32) {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let bits = v.to_bits();
    let negative = bits >> 31 != 0;
    let be = ((bits >> 23) & 0xff) as i32;
    let f = bits & ((1u32 << 23) - 1);
    if be == 0 && f == 0 {
        out.extend_from_slice(if negative { b"-0.0" } else { b"0.0" });
        return;
    }
    let (fract, e2, p) = if be == 0 {
        let l = f.leading_zeros() as i32;
        let s = l - 8;
        (f << s, 1 - s - 127, 32 - l)
    } else {
        (f | (1u32 << 23), be - 127, 24)
    };
    emit(out, negative, u64::from(fract) << 29, e2, p);
}

fn special(nan: bool, inf: bool, neg: bool) -> Option<&'static str> {
    if nan {
        Some("NaN")
    } else if inf {
        Some(if neg { "-Infinity" } else { "Infinity" })
    } else {
        None
    }
}

fn emit(out: &mut Vec<u8>, negative: bool, fract: u64, e2: i32, p: i32) {
    let (mut digits, exp) = dtoa(fract, e2, p);
    if digits.is_empty() {
        // Not produced by any finite input; keeps the layout total.
        digits.push(0);
    }
    if negative {
        out.push(b'-');
    }
    layout(out, &digits, exp);
}

/// Digits (0–9 values) and decimal exponent E: value = 0.d1d2… × 10^E.
fn dtoa(fract: u64, e2: i32, p: i32) -> (Vec<u8>, i32) {
    let tail_zeros = fract.trailing_zeros() as i32;
    let n = 53 - tail_zeros;
    let t = (n - e2 - 1).max(0);

    // Integer shortcut (developLongDigits).
    if t == 0 && e2 <= 62 {
        let insignificant = if e2 > p { insignificant_digits_for_pow2(e2 - p - 1) } else { 0 };
        let mut value = if e2 >= 52 { fract << (e2 - 52) } else { fract >> (52 - e2) };
        let mut exp = 0;
        if insignificant != 0 {
            let pow10 = 10u64.pow(insignificant as u32);
            let residue = value % pow10;
            value /= pow10;
            exp += insignificant;
            if residue >= pow10 >> 1 {
                value += 1;
            }
        }
        let text = value.to_string();
        exp += text.len() as i32;
        let digits: Vec<u8> = text.trim_end_matches('0').bytes().map(|b| b - b'0').collect();
        return (digits, exp);
    }

    let mut dec_exp = estimate_dec_exp(fract, e2);
    let b5 = (-dec_exp).max(0);
    let mut b2 = b5 + t + e2;
    let s5 = dec_exp.max(0);
    let mut s2 = s5 + t;
    let m5 = b5;
    let mut m2 = b2 - p;
    let f = fract >> tail_zeros;
    b2 -= n - 1;
    let common = b2.min(s2);
    b2 -= common;
    s2 -= common;
    m2 -= common;
    if n == 1 {
        m2 -= 1;
    }
    if m2 < 0 {
        b2 -= m2;
        s2 -= m2;
        m2 = 0;
    }
    let b_bits = n + b2 + n5bits(b5);
    let ten_s_bits = s2 + 1 + n5bits(s5 + 1);

    let mut digits = Vec::with_capacity(20);
    let (high, low, diff_sign): (bool, bool, i32);
    if b_bits < 64 && ten_s_bits < 64 {
        if b_bits < 32 && ten_s_bits < 32 {
            let b = (f as i32).wrapping_mul(pow5(b5) as i32).wrapping_shl(b2 as u32);
            let s = (pow5(s5) as i32).wrapping_shl(s2 as u32);
            let m = (pow5(m5) as i32).wrapping_shl(m2 as u32);
            let r = digit_loop_i32(b, s, m, &mut dec_exp, &mut digits);
            (high, low, diff_sign) = r;
        } else {
            let b = (f as i64).wrapping_mul(pow5(b5) as i64).wrapping_shl(b2 as u32);
            let s = (pow5(s5) as i64).wrapping_shl(s2 as u32);
            let m = (pow5(m5) as i64).wrapping_shl(m2 as u32);
            let r = digit_loop_i64(b, s, m, &mut dec_exp, &mut digits);
            (high, low, diff_sign) = r;
        }
    } else if b_bits < 70 && ten_s_bits < 70 {
        // The big-number path, in u128: exact, since b < 10·s and 10·M
        // grows by at most 10^17 over the digits (< 2^127).
        let p5 = |e: i32| 5u128.pow(e as u32);
        let mut b = (u128::from(f) * p5(b5)) << b2;
        let s = p5(s5) << s2;
        let mut m = p5(m5 + 1) << (m2 + 1);
        let ten_s = p5(s5 + 1) << (s2 + 1);
        let quo_rem = |b: &mut u128| -> u8 {
            let (q, r) = digit_u128(*b, s);
            *b = r * 10;
            q as u8
        };
        let q = quo_rem(&mut b);
        let mut lo = b < m;
        let mut hi = b + m >= ten_s;
        if q == 0 && !hi {
            dec_exp -= 1;
        } else {
            digits.push(q);
        }
        if !(-3..8).contains(&dec_exp) {
            hi = false;
            lo = false;
        }
        while !lo && !hi {
            let q = quo_rem(&mut b);
            m *= 10;
            lo = b < m;
            hi = b + m >= ten_s;
            digits.push(q);
        }
        let d = if hi && lo { ((b << 1).cmp(&ten_s)) as i32 } else { 0 };
        (high, low, diff_sign) = (hi, lo, d);
    } else {
        let mut b = BigUint::pow5(b5 as u32);
        b.mul_u64(f);
        b.shl(b2 as u32);
        let s = BigUint::pow52(s5 as u32, s2 as u32);
        let mut m = BigUint::pow52(m5 as u32 + 1, m2 as u32 + 1); // 10·M
        let ten_s = BigUint::pow52(s5 as u32 + 1, s2 as u32 + 1);
        // A digit by subtracting 8s, 4s, 2s and s where they fit (the
        // quotient is one digit); `sum` is scratch for b + m.
        let multiples: Vec<(u8, BigUint)> = [3u32, 2, 1, 0]
            .into_iter()
            .map(|k| {
                let mut d = s.clone();
                d.shl(k);
                (1 << k, d)
            })
            .collect();
        let quo_rem = |b: &mut BigUint| -> u8 {
            let mut q = 0u8;
            for (k, d) in &multiples {
                if *b >= *d {
                    b.sub_assign(d);
                    q += k;
                }
            }
            // Beyond 9 (not expected): keep subtracting, as Java divides.
            while *b >= s {
                b.sub_assign(&s);
                q += 1;
            }
            b.mul_small(10);
            q
        };
        let mut sum = BigUint::default();
        let q = quo_rem(&mut b);
        let mut lo = b < m;
        b.add_into(&m, &mut sum);
        let mut hi = sum >= ten_s;
        if q == 0 && !hi {
            dec_exp -= 1;
        } else {
            digits.push(q);
        }
        if !(-3..8).contains(&dec_exp) {
            hi = false;
            lo = false;
        }
        while !lo && !hi {
            let q = quo_rem(&mut b);
            m.mul_small(10);
            lo = b < m;
            b.add_into(&m, &mut sum);
            hi = sum >= ten_s;
            digits.push(q);
        }
        let d = if hi && lo {
            let mut b2x = b.clone();
            b2x.shl(1);
            match b2x.cmp(&ten_s) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            }
        } else {
            0
        };
        (high, low, diff_sign) = (hi, lo, d);
    }
    let mut exp = dec_exp + 1;
    if high {
        let odd_last = digits.last().is_some_and(|d| d % 2 == 1);
        if !low || diff_sign > 0 || (diff_sign == 0 && odd_last) {
            round_up(&mut digits, &mut exp);
        }
    }
    (digits, exp)
}

/// `(b / s, b % s)` for a quotient that is one decimal digit — the digit
/// loop's invariant (`FloatingDecimal` asserts `q < 10`) — by four
/// compare-and-subtract steps instead of a software 128-bit division per
/// digit. Anything else takes the division. (For 32 and 64 bits the
/// hardware division is faster: `micro/java_double_1000` 72 µs with it,
/// 89 µs with this.)
#[inline]
fn digit_u128(b: u128, s: u128) -> (u128, u128) {
    if s == 0 || s.checked_mul(10).is_none_or(|tens| b >= tens) {
        return (b.checked_div(s).unwrap_or(0), b.checked_rem(s).unwrap_or(0));
    }
    let (mut q, mut r) = (0u128, b);
    for k in [3u32, 2, 1, 0] {
        // Branch-free: the digits are unpredictable.
        let take = u128::from(r >= (s << k));
        r -= (s << k) * take;
        q += take << k;
    }
    (q, r)
}

macro_rules! digit_loop {
    ($name:ident, $t:ty) => {
        /// Returns (high, low, sign of 2b − 10s).
        fn $name(
            mut b: $t,
            s: $t,
            mut m: $t,
            dec_exp: &mut i32,
            digits: &mut Vec<u8>,
        ) -> (bool, bool, i32) {
            let tens = s.wrapping_mul(10);
            if s == 0 {
                // Unreachable for real inputs; avoids a division by zero.
                return (false, false, 0);
            }
            let mut q = b / s;
            b = (b % s).wrapping_mul(10);
            m = m.wrapping_mul(10);
            let mut low = b < m;
            let mut high = b.wrapping_add(m) > tens;
            if q == 0 && !high {
                *dec_exp -= 1;
            } else {
                digits.push(q as u8);
            }
            if !(-3..8).contains(dec_exp) {
                high = false;
                low = false;
            }
            while !low && !high {
                q = b / s;
                b = (b % s).wrapping_mul(10);
                m = m.wrapping_mul(10);
                if m > 0 {
                    low = b < m;
                    high = b.wrapping_add(m) > tens;
                } else {
                    low = true;
                    high = true;
                }
                digits.push(q as u8);
            }
            let diff = b.wrapping_shl(1).wrapping_sub(tens);
            (high, low, diff.signum() as i32)
        }
    };
}

digit_loop!(digit_loop_i32, i32);
digit_loop!(digit_loop_i64, i64);

fn round_up(digits: &mut [u8], exp: &mut i32) {
    let mut i = digits.len();
    while i > 0 {
        i -= 1;
        if digits[i] == 9 && i > 0 {
            digits[i] = 0;
        } else if digits[i] == 9 {
            // Carry out of the first digit: 1 followed by zeros.
            digits[0] = 1;
            *exp += 1;
            return;
        } else {
            digits[i] += 1;
            return;
        }
    }
}

/// `FloatingDecimal.estimateDecExp`: ⌊log10(value)⌋, possibly one too high.
#[allow(
    clippy::approx_constant,
    reason = "Java's literal, not LOG10_2: the result must match its rounding"
)]
fn estimate_dec_exp(fract: u64, e2: i32) -> i32 {
    let m = f64::from_bits((1023u64 << 52) | (fract & ((1u64 << 52) - 1)));
    let x = (m - 1.5) * 0.289529654 + 0.176091259 + f64::from(e2) * 0.301029995663981;
    // floor without libm's call (no SSE4.1 rounding on the base target).
    let t = x as i32;
    if f64::from(t) > x { t - 1 } else { t }
}

/// Number of decimal digits of 2^p2, minus one (for 2 ≤ p2 ≤ 63; else 0).
fn insignificant_digits_for_pow2(p2: i32) -> i32 {
    if (2..64).contains(&p2) { (1u64 << p2).to_string().len() as i32 - 1 } else { 0 }
}

/// `toJavaFormatString` layout (§6.1), composed on the stack and appended
/// at once (at most 17 digits, 7 padding zeros, `0.`, `.0`, `E-324`).
fn layout(out: &mut Vec<u8>, digits: &[u8], e: i32) {
    let mut buf = [0u8; 40];
    let mut at = 0;
    let mut put = |b: u8| {
        if let Some(slot) = buf.get_mut(at) {
            *slot = b;
            at += 1;
        }
    };
    let n = digits.len() as i32;
    if e > 0 && e < 8 {
        let k = n.min(e) as usize;
        digits[..k].iter().for_each(|&x| put(b'0' + x));
        if (k as i32) < e {
            (k as i32..e).for_each(|_| put(b'0'));
            put(b'.');
            put(b'0');
        } else {
            put(b'.');
            if (k as i32) < n {
                digits[k..].iter().for_each(|&x| put(b'0' + x));
            } else {
                put(b'0');
            }
        }
    } else if e <= 0 && e > -3 {
        put(b'0');
        put(b'.');
        (e..0).for_each(|_| put(b'0'));
        digits.iter().for_each(|&x| put(b'0' + x));
    } else {
        put(b'0' + digits.first().copied().unwrap_or(0));
        put(b'.');
        if n > 1 {
            digits[1..].iter().for_each(|&x| put(b'0' + x));
        } else {
            put(b'0');
        }
        put(b'E');
        let x = e - 1;
        if x < 0 {
            put(b'-');
        }
        let x = x.unsigned_abs();
        if x >= 100 {
            put(b'0' + (x / 100 % 10) as u8);
        }
        if x >= 10 {
            put(b'0' + (x / 10 % 10) as u8);
        }
        put(b'0' + (x % 10) as u8);
    }
    // A fixed-size copy (inlined) and a truncation beat a variable-length
    // copy (a memmove call) for strings this short.
    let end = out.len() + at;
    out.extend_from_slice(&buf);
    out.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(bits: u64) -> String {
        let mut v = Vec::new();
        write_double(&mut v, f64::from_bits(bits));
        String::from_utf8(v).unwrap()
    }

    fn f(bits: u32) -> String {
        let mut v = Vec::new();
        write_float(&mut v, f32::from_bits(bits));
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn double_vectors_from_cql_json_6_3() {
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0.0"),
            (0x8000000000000000, "-0.0"),
            (0x3ff0000000000000, "1.0"),
            (0x4059000000000000, "100.0"),
            (0x3fb999999999999a, "0.1"),
            (0x3fd3333333333334, "0.30000000000000004"),
            (0x3fd5555555555555, "0.3333333333333333"),
            (0x3f50624dd2f1a9fc, "0.001"),
            (0x3f5061e273273f09, "9.999E-4"),
            (0x3f1a36e2eb1c432d, "1.0E-4"),
            (0x3ee4f8b588e368f1, "1.0E-5"),
            (0xbe90c6f7a0b5ed8d, "-2.5E-7"),
            (0x416312cfe0000000, "9999999.0"),
            (0x416312d000000000, "1.0E7"),
            (0x41678c29dccccccd, "1.23456789E7"),
            (0x4202a05f20000000, "1.0E10"),
            (0x4340000000000000, "9.007199254740992E15"),
            (0x43a2b8f321767cbc, "6.7454770672240998E17"),
            (0x43b0000000000000, "1.15292150460684698E18"),
            (0x43d0000000000000, "4.6116860184273879E18"),
            (0x43e0000000000000, "9.223372036854776E18"),
            (0x441587402986b0de, "9.928186520000001E19"),
            (0x4439dbc79c045f1e, "4.7700540000000003E20"),
            (0x44a52d02c7e14af6, "4.9999999999999996E22"),
            (0x44b52d02c7e14af6, "9.999999999999999E22"),
            (0x44c52d02c7e14af6, "1.9999999999999998E23"),
            (0x4534ad502dd8e5e4, "2.4996964836998022E25"),
            (0x54b249ad2594c37d, "1.0E100"),
            (0x7fefffffffffffff, "1.7976931348623157E308"),
            (0x0010000000000000, "2.2250738585072014E-308"),
            (0x0060000000000000, "7.1202363472230444E-307"),
            (0x0000000000000001, "4.9E-324"),
            (0x0000000000000002, "1.0E-323"),
            (0x0000000000000020, "1.58E-322"),
            (0x7ff8000000000000, "NaN"),
            (0x7ff0000000000000, "Infinity"),
        ];
        for &(bits, want) in cases {
            assert_eq!(d(bits), want, "bits {bits:016x}");
        }
    }

    #[test]
    fn float_vectors_from_cql_json_6_3() {
        let cases: &[(u32, &str)] = &[
            (0x00000000, "0.0"),
            (0x80000000, "-0.0"),
            (0x3dcccccd, "0.1"),
            (0x40490fdb, "3.1415927"),
            (0x3a830f14, "9.999E-4"),
            (0x4b18967f, "9999999.0"),
            (0x4b189680, "1.0E7"),
            (0x4b800000, "1.6777216E7"),
            (0x4c000000, "3.3554432E7"),
            (0x4e800000, "1.07374182E9"),
            (0x4ceb79a3, "1.23456792E8"),
            (0x52e8d4a5, "4.99999998E11"),
            (0x571a9d36, "1.70000007E14"),
            (0x58635fa9, "9.9999999E14"),
            (0x501502f9, "1.0E10"),
            (0x6a0bf8a0, "4.2303696E25"),
            (0x7f7fffff, "3.4028235E38"),
            (0x00800000, "1.17549435E-38"),
            (0x00000001, "1.4E-45"),
            (0x00000010, "2.24E-44"),
        ];
        for &(bits, want) in cases {
            assert_eq!(f(bits), want, "bits {bits:08x}");
        }
    }

    #[test]
    fn common_decimal_values() {
        for (v, want) in [
            (0.11f64, "0.11"),
            (1.5, "1.5"),
            (-3.0, "-3.0"),
            (12345.678, "12345.678"),
            (0.55, "0.55"),
        ] {
            let mut out = Vec::new();
            write_double(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
        for (v, want) in [(0.1f32, "0.1"), (0.2, "0.2"), (0.3, "0.3"), (0.5, "0.5"), (2.5, "2.5")] {
            let mut out = Vec::new();
            write_float(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    /// The digit loop alone (no shortest-printing shortcut).
    fn slow(v: f64) -> String {
        let bits = v.to_bits();
        let be = ((bits >> 52) & 0x7ff) as i32;
        let f = bits & ((1u64 << 52) - 1);
        let mut out = Vec::new();
        emit(&mut out, bits >> 63 != 0, f | (1u64 << 52), be - 1023, 53);
        String::from_utf8(out).unwrap()
    }

    fn fast(v: f64) -> String {
        let mut out = Vec::new();
        write_double(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    /// Doubles where the shortcut is most likely to go wrong: uniformly
    /// random bits, random significands in everyday magnitudes, decimals of
    /// 1–17 digits (near interval ends and ties), their neighbours, exact
    /// ties between two 17-digit candidates, and the region near 2^40
    /// where the shortcut stops.
    fn tricky_doubles(count: usize, seed: u64) -> Vec<f64> {
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let r = next();
            let v = match r % 5 {
                0 => f64::from_bits(next()),
                1 => f64::from_bits((next() & ((1 << 52) - 1)) | ((1023 - 20 + next() % 70) << 52)),
                2 | 3 => {
                    let digits = 1 + next() % 17;
                    let mant = next() % 10u64.pow(digits as u32);
                    let e = (next() % 60) as i32 - 30;
                    let v: f64 = format!("{mant}e{e}").parse().unwrap();
                    match next() % 3 {
                        0 => v,
                        1 => f64::from_bits(v.to_bits().wrapping_add(1)),
                        _ => f64::from_bits(v.to_bits().wrapping_sub(1)),
                    }
                }
                4 if r & 1 == 0 => {
                    // Exact ties between two 17-digit candidates: just
                    // enough trailing zero bits that 2v·10^-k is odd.
                    let e2 = (next() % 41) as i32;
                    let q = e2 - 52;
                    let k = ((i64::from(q) * 661_971_961_083) >> 41) as i32;
                    let tz = (k - q - 1).clamp(0, 51) as u32;
                    let c = ((next() | 1) << tz) & ((1 << 52) - 1);
                    f64::from_bits(c | ((e2 + 1023) as u64) << 52)
                }
                _ => f64::from_bits((next() & ((1 << 52) - 1)) | ((1023 + 30 + next() % 20) << 52)),
            };
            if v.is_finite() && v != 0.0 && v.to_bits() & (0x7ff << 52) != 0 {
                out.push(if r & (1 << 40) != 0 { -v } else { v });
            }
        }
        out
    }

    #[test]
    fn repeated_slow_path_values_print_the_same() {
        // Values the shortcut leaves to the digit loop (one-digit decimals,
        // powers of two, integers), more than the cache holds,
        // three rounds in different orders: hits must equal fresh results.
        let mut values: Vec<f64> = Vec::new();
        for k in -320..300 {
            values.push(format!("1e{k}").parse().unwrap());
            values.push(format!("7e{k}").parse().unwrap());
        }
        values.extend((-60..60).map(|e| 2f64.powi(e)));
        values.extend((1..50).map(|i| -(i as f64) * 1e15));
        // (`slow` takes normal numbers.)
        values.retain(|v| v.is_normal());
        assert!(values.len() > 4 * SLOW_SLOTS);
        for round in 0..3u64 {
            for i in 0..values.len() {
                let v = values[(i * (2 * round as usize + 1) + round as usize) % values.len()];
                assert_eq!(fast(v), slow(v), "bits {:016x}", v.to_bits());
            }
        }
    }

    #[test]
    fn shortest_printing_shortcut_matches_the_digit_loop() {
        for v in tricky_doubles(300_000, 0x9e37_79b9_7f4a_7c15) {
            assert_eq!(fast(v), slow(v), "bits {:016x}", v.to_bits());
        }
    }

    /// The same over 30 million doubles: `cargo test --release -- --ignored shortcut_wide`.
    #[test]
    #[ignore]
    fn shortcut_wide() {
        for seed in 1..=10u64 {
            for v in tricky_doubles(3_000_000, seed.wrapping_mul(0x2545_f491_4f6c_dd1d)) {
                assert_eq!(fast(v), slow(v), "bits {:016x}", v.to_bits());
            }
        }
    }

    /// Every value of a file of `d|f hexbits text` lines printed by Java
    /// (`scripts/java-double-check` writes one and runs this).
    #[test]
    #[ignore]
    fn java_printed_values() {
        let path = std::env::var("JAVA_DOUBLES").expect("JAVA_DOUBLES names the file");
        let text = std::fs::read_to_string(path).unwrap();
        let mut checked = 0;
        for line in text.lines() {
            let mut parts = line.splitn(3, ' ');
            let (kind, hex, want) =
                (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let got = match kind {
                "d" => d(u64::from_str_radix(hex, 16).unwrap()),
                _ => f(u32::from_str_radix(hex, 16).unwrap()),
            };
            assert_eq!(got, want, "{kind} {hex}");
            checked += 1;
        }
        assert!(checked > 0, "no values in the file");
    }
}
