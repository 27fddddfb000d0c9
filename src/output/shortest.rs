//! The shortest decimal that rounds to a double (the shortest round-trip
//! representation), by Giulietti's Schubfach method: one 126-bit power of
//! ten per binary exponent, three 64×128-bit products rounded to odd, and
//! at most two candidate lengths to compare — no digit-removal loop.
//!
//! [`javafloat`](super::javafloat) prints most doubles from this result
//! where it provably equals Java's legacy digit loop. Only the range it
//! needs is covered: normal doubles below 2^53 whose significand is not a
//! power of two (the regular rounding interval).
//!
//! Reference: R. Giulietti, "The Schubfach way to render doubles" (2020),
//! figures 7 and 9; the notation below (`cb`, `vb`, `s`, `t`, `u'`, `w'`)
//! is the paper's.

/// Smallest and largest `-k` the table holds: `k = ⌊q·log10 2⌋` for the
/// binary exponents `q` of normal doubles in `[2^-1022, 2^53)`.
const MIN_POW: i32 = 1;
const MAX_POW: i32 = 324;

/// `g(k)` for `-k` in `MIN_POW..=MAX_POW`: `⌊10^-k · 2^-r⌋ + 1` with `r`
/// chosen so that `2^125 ≤ g < 2^126`, split as `g1 · 2^63 + g0`.
static G: [(u64, u64); (MAX_POW - MIN_POW + 1) as usize] = powers_of_ten();

/// Computes [`G`] exactly with big-integer arithmetic, at compile time.
const fn powers_of_ten() -> [(u64, u64); (MAX_POW - MIN_POW + 1) as usize] {
    // 10^324 < 2^1077: 17 limbs, little-endian.
    const LIMBS: usize = 18;
    let mut big = [0u64; LIMBS];
    big[0] = 1;
    let mut table = [(0u64, 0u64); (MAX_POW - MIN_POW + 1) as usize];
    let mut m = 1;
    while m <= MAX_POW {
        // big *= 10
        let mut carry = 0u128;
        let mut i = 0;
        while i < LIMBS {
            let p = big[i] as u128 * 10 + carry;
            big[i] = p as u64;
            carry = p >> 64;
            i += 1;
        }
        if m >= MIN_POW {
            // Bit length of 10^m.
            let mut top = LIMBS - 1;
            while big[top] == 0 {
                top -= 1;
            }
            let len = top as u32 * 64 + (64 - big[top].leading_zeros());
            // The top 126 bits, truncated.
            let g = if len <= 126 {
                ((big[1] as u128) << 64 | big[0] as u128) << (126 - len)
            } else {
                let shift = len - 126;
                let (i, b) = ((shift / 64) as usize, shift % 64);
                let lo = (big[i + 1] as u128) << 64 | big[i] as u128;
                let hi = if i + 2 < LIMBS { big[i + 2] as u128 } else { 0 };
                let bits = if b == 0 { lo } else { lo >> b | hi << (128 - b) };
                bits & ((1u128 << 126) - 1)
            } + 1;
            table[(m - MIN_POW) as usize] = ((g >> 63) as u64, (g as u64) & MASK_63);
        }
        m += 1;
    }
    table
}

const MASK_63: u64 = (1 << 63) - 1;

/// `⌊e · log10 2⌋` (exact for |e| ≤ 5 456 721).
#[inline]
fn flog10_pow2(e: i32) -> i32 {
    ((i64::from(e) * 661_971_961_083) >> 41) as i32
}

/// `⌊e · log2 10⌋` (exact for |e| ≤ 1 838 394).
#[inline]
fn flog2_pow10(e: i32) -> i32 {
    ((i64::from(e) * 913_124_641_741) >> 38) as i32
}

/// `g · cp / 2^127` rounded to odd (the paper's `rop`, over `g`'s two
/// 63-bit halves).
#[inline]
fn rop(g1: u64, g0: u64, cp: u64) -> u64 {
    let x1 = ((u128::from(g0) * u128::from(cp)) >> 64) as u64;
    let y = u128::from(g1) * u128::from(cp);
    let (y1, y0) = ((y >> 64) as u64, y as u64);
    let z = (y0 >> 1) + x1;
    let vbp = y1 + (z >> 63);
    vbp | ((z & MASK_63) + MASK_63) >> 63
}

/// The shortest decimal `f · 10^e` that rounds to `c · 2^q` (nearest of
/// the shortest, exact ties to even; `f` may carry trailing zeros), for a
/// normal double's significand `c` in `(2^52, 2^53)` — not a power of two — and
/// `-1074 ≤ q ≤ 0`. `None` outside that range, or when the shortest has
/// fewer than three digits at the scale the method works in (it would then
/// need a separate rule).
#[inline]
pub fn shortest(c: u64, q: i32) -> Option<(u64, i32)> {
    if !(-1074..=0).contains(&q) || c <= 1 << 52 || c >= 1 << 53 {
        return None;
    }
    let k = flog10_pow2(q);
    let &(g1, g0) = G.get(usize::try_from(-k - MIN_POW).ok()?)?;
    let h = q + flog2_pow10(-k) + 2;
    // The rounding interval is closed when c is even.
    let out = c & 1;
    let cb = c << 2;
    let (cbl, cbr) = (cb - 2, cb + 2);
    let vb = rop(g1, g0, cb << h);
    let vbl = rop(g1, g0, cbl << h);
    let vbr = rop(g1, g0, cbr << h);
    let s = vb >> 2;
    if s < 100 {
        return None;
    }
    // u' = s' 10^(k+1) and w' = (s'+1) 10^(k+1), one digit shorter.
    let sp10 = 10 * (s / 10);
    let tp10 = sp10 + 10;
    let upin = vbl + out <= sp10 << 2;
    let wpin = (tp10 << 2) + out <= vbr;
    if upin != wpin {
        return Some((if upin { sp10 } else { tp10 }, k));
    }
    let t = s + 1;
    let uin = vbl + out <= s << 2;
    let win = (t << 2) + out <= vbr;
    if uin != win {
        return Some((if uin { s } else { t }, k));
    }
    // Both in: the one nearer v, the even one on a tie.
    let mid = (s + t) << 1;
    Some((if vb < mid || (vb == mid && s & 1 == 0) { s } else { t }, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle: Rust's own shortest round-trip printing (`{:e}`), as
    /// (digits without trailing zeros, exponent of the last digit).
    fn std_shortest(v: f64) -> (u64, i32) {
        let text = format!("{v:e}");
        let (mantissa, exp) = text.split_once('e').unwrap();
        let exp: i32 = exp.parse().unwrap();
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits: u64 = format!("{int}{frac}").parse().unwrap();
        (digits, exp - frac.len() as i32)
    }

    /// Whether `ours` and `theirs` are the two decimals of an exact tie
    /// around `v` (std rounds those away from zero, we to even), checked
    /// exactly: `2v = (2f+1)·10^e` with `f` the lower.
    fn is_tie_to_even(v: f64, ours: (u64, i32), theirs: (u64, i32)) -> bool {
        let (low, e) = (ours.0.min(theirs.0), ours.1);
        if theirs.1 != e
            || ours.0.abs_diff(theirs.0) != 1
            || !ours.0.is_multiple_of(2)
            || !(-20..0).contains(&e)
        {
            return false;
        }
        let bits = v.to_bits();
        let c = (bits & ((1 << 52) - 1)) | 1 << 52;
        let q = ((bits >> 52) & 0x7ff) as i32 - 1075;
        // 2v · 10^-e = c · 5^-e · 2^(q+1-e)
        let p = u128::from(c) * 5u128.pow(e.unsigned_abs());
        let sh = q + 1 - e;
        let twice = u128::from(2 * low + 1);
        if sh >= 0 {
            p.checked_shl(sh as u32) == Some(twice)
        } else {
            let sh = sh.unsigned_abs();
            sh < 128 && p.trailing_zeros() >= sh && p >> sh == twice
        }
    }

    fn check(v: f64) -> bool {
        let Some(got) = ours(v) else { return false };
        let want = std_shortest(v);
        assert!(
            got == want || is_tie_to_even(v, got, want),
            "bits {:016x}: {got:?} {want:?}",
            v.to_bits()
        );
        true
    }

    fn ours(v: f64) -> Option<(u64, i32)> {
        let bits = v.to_bits();
        let be = ((bits >> 52) & 0x7ff) as i32;
        let (mut f, mut e) = shortest((bits & ((1 << 52) - 1)) | 1 << 52, be - 1075)?;
        while f.is_multiple_of(10) {
            f /= 10;
            e += 1;
        }
        Some((f, e))
    }

    #[test]
    fn table_matches_the_bit_length_formula() {
        // g is normalised with r = ⌊log2 10^m⌋ − 125, which `shortest`
        // takes from flog2_pow10: the two must agree for every entry.
        for m in MIN_POW..=MAX_POW {
            let (g1, g0) = G[(m - MIN_POW) as usize];
            assert!(g1 >> 62 == 1 && g0 >> 63 == 0, "10^{m} not normalised");
            // g · 2^r = 10^m: in log2, within rounding (a disagreement in r
            // would be off by a whole unit).
            let g = (g1 as f64) * 2f64.powi(63) + g0 as f64;
            let r = flog2_pow10(m) - 125;
            let err = g.log2() + f64::from(r) - f64::from(m) * 10f64.log2();
            assert!(err.abs() < 1e-9, "10^{m}: log2 off by {err}");
        }
        // Exact small powers: g = 10^m · 2^(125 − ⌊log2 10^m⌋) + 1.
        for m in MIN_POW..=37 {
            let (g1, g0) = G[(m - MIN_POW) as usize];
            let g = (u128::from(g1) << 63) | u128::from(g0);
            let p = 10u128.pow(m as u32);
            assert_eq!(g, (p << (125 - flog2_pow10(m))) + 1, "10^{m}");
        }
    }

    #[test]
    fn known_values() {
        assert_eq!(ours(0.1), Some((1, -1)));
        assert_eq!(ours(1.04246033175416E8), Some((104246033175416, -6)));
        assert_eq!(ours(2.225073858507202E-308), Some((2225073858507202, -323)));
        // An exact tie (v = 1333334000000000.25, candidates .2 and .3):
        // to even.
        assert_eq!(ours(f64::from_bits(0x4312_f2a4_0dbf_7001)), Some((13333340000000002, -1)));
        assert_eq!(ours(1.7976931348623157E8), Some((17976931348623157, -8)));
        assert_eq!(ours(0.3), Some((3, -1)));
        assert_eq!(ours(2.0), None, "power-of-two significand");
    }

    #[test]
    fn matches_std_over_random_doubles() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut checked = 0;
        for i in 0..2_000_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Half uniform over all normal exponents below 2^53, half in
            // everyday magnitudes (2^-40..2^40).
            let exp = if i % 2 == 0 { 1 + x % 1075 } else { 1023 - 40 + x % 80 };
            if check(f64::from_bits((x >> 12) | (exp << 52))) {
                checked += 1;
            }
        }
        assert!(checked > 1_900_000, "{checked}");
    }

    #[test]
    fn ties_go_to_even() {
        // Significands with just enough trailing zero bits that v falls
        // exactly between two 17-digit candidates (2v·10^-k odd).
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut ties = 0;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let q = (x % 53) as i32 - 52;
            let Ok(tz) = u32::try_from(flog10_pow2(q) - q - 1) else { continue };
            let c = (((x >> 20) | 1) << tz) & ((1 << 52) - 1) | 1 << 52;
            if c.trailing_zeros() != tz {
                continue;
            }
            let v = f64::from_bits((c & ((1 << 52) - 1)) | ((q + 1075) as u64) << 52);
            let (Some(got), want) = (ours(v), std_shortest(v)) else { continue };
            if got != want {
                assert!(
                    is_tie_to_even(v, got, want),
                    "bits {:016x}: {got:?} {want:?}",
                    v.to_bits()
                );
                ties += 1;
            }
        }
        assert!(ties > 1000, "{ties} ties");
    }

    #[test]
    fn matches_std_on_short_decimals_and_their_neighbours() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = 1 + x % 17;
            let mant = ((x >> 8) % 10u64.pow(digits as u32)).max(1);
            let e = ((x >> 40) % 400) as i32 - 330;
            let v: f64 = format!("{mant}e{e}").parse().unwrap();
            for v in [
                v,
                f64::from_bits(v.to_bits().wrapping_add(1)),
                f64::from_bits(v.to_bits().wrapping_sub(1)),
            ] {
                if v.is_normal() {
                    check(v);
                }
            }
        }
    }
}
