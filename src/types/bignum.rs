//! A minimal unsigned big integer: what `varint`/`decimal` printing and the
//! big-number path of Java's float printing need, and nothing more.
//!
//! Limbs are `u32`, least significant first, with no trailing zero limbs.

use std::cmp::Ordering;

/// An arbitrary-precision unsigned integer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    /// The value `v`.
    pub fn from_u64(v: u64) -> BigUint {
        let mut b = BigUint { limbs: vec![v as u32, (v >> 32) as u32] };
        b.trim();
        b
    }

    /// The magnitude given as big-endian bytes.
    pub fn from_be_bytes(bytes: &[u8]) -> BigUint {
        let mut limbs = Vec::with_capacity(bytes.len() / 4 + 1);
        for chunk in bytes.rchunks(4) {
            let mut v = 0u32;
            for &b in chunk {
                v = (v << 8) | u32::from(b);
            }
            limbs.push(v);
        }
        let mut b = BigUint { limbs };
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// `self *= m`.
    pub fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for l in &mut self.limbs {
            let v = u64::from(*l) * u64::from(m) + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    /// `self *= 5^n`.
    pub fn mul_pow5(&mut self, mut n: u32) {
        const P13: u32 = 1_220_703_125; // 5^13
        while n >= 13 {
            self.mul_small(P13);
            n -= 13;
        }
        if n > 0 {
            self.mul_small(5u32.pow(n));
        }
    }

    /// `5^n`, from a per-thread table for the exponents doubles use
    /// (building 5^300 by repeated small multiplications for every tiny
    /// double printed was ~5% of a dump).
    pub fn pow5(n: u32) -> BigUint {
        const CACHED: u32 = 400;
        if n >= CACHED {
            let mut b = BigUint::from_u64(1);
            b.mul_pow5(n);
            return b;
        }
        thread_local! {
            static TABLE: std::cell::RefCell<Vec<BigUint>> =
                std::cell::RefCell::new(vec![BigUint::from_u64(1)]);
        }
        TABLE.with(|t| {
            let mut t = t.borrow_mut();
            while t.len() <= n as usize {
                let mut next = t.last().cloned().unwrap_or_else(|| BigUint::from_u64(1));
                next.mul_small(5);
                t.push(next);
            }
            t[n as usize].clone()
        })
    }

    /// `self *= m`.
    pub fn mul_u64(&mut self, m: u64) {
        let mut high = self.clone();
        self.mul_small(m as u32);
        high.mul_small((m >> 32) as u32);
        high.shl(32);
        let mut sum = BigUint::default();
        self.add_into(&high, &mut sum);
        *self = sum;
    }

    /// `self <<= n`.
    pub fn shl(&mut self, n: u32) {
        if self.is_zero() {
            return;
        }
        let words = (n / 32) as usize;
        let bits = n % 32;
        if bits != 0 {
            let mut carry = 0u32;
            for l in &mut self.limbs {
                let v = (*l << bits) | carry;
                carry = *l >> (32 - bits);
                *l = v;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if words > 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0, words));
        }
    }

    /// `5^p5 · 2^p2`.
    pub fn pow52(p5: u32, p2: u32) -> BigUint {
        let mut b = BigUint::pow5(p5);
        b.shl(p2);
        b
    }

    /// `self + other`.
    pub fn add(&self, other: &BigUint) -> BigUint {
        let mut out = BigUint::default();
        self.add_into(other, &mut out);
        out
    }

    /// `out = self + other`, reusing `out`'s storage.
    pub fn add_into(&self, other: &BigUint, out: &mut BigUint) {
        let n = self.limbs.len().max(other.limbs.len());
        let out_limbs = &mut out.limbs;
        out_limbs.clear();
        let mut carry = 0u64;
        for i in 0..n {
            let v = u64::from(self.limbs.get(i).copied().unwrap_or(0))
                + u64::from(other.limbs.get(i).copied().unwrap_or(0))
                + carry;
            out_limbs.push(v as u32);
            carry = v >> 32;
        }
        if carry != 0 {
            out_limbs.push(carry as u32);
        }
        out.trim();
    }

    /// `self -= other`; requires `self >= other`.
    pub fn sub_assign(&mut self, other: &BigUint) {
        let mut borrow = 0i64;
        for i in 0..self.limbs.len() {
            let v = i64::from(self.limbs[i])
                - i64::from(other.limbs.get(i).copied().unwrap_or(0))
                - borrow;
            if v < 0 {
                self.limbs[i] = (v + (1i64 << 32)) as u32;
                borrow = 1;
            } else {
                self.limbs[i] = v as u32;
                borrow = 0;
            }
        }
        self.trim();
    }

    /// Divides by `d` in place, returning the remainder.
    pub fn div_rem_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for l in self.limbs.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*l);
            *l = (v / u64::from(d)) as u32;
            rem = v % u64::from(d);
        }
        self.trim();
        rem as u32
    }

    /// Decimal digits, most significant first ("0" for zero).
    pub fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".to_string();
        }
        let mut v = self.clone();
        let mut groups = Vec::new();
        while !v.is_zero() {
            groups.push(v.div_rem_small(1_000_000_000));
        }
        let mut s = String::with_capacity(groups.len() * 9);
        for (i, g) in groups.iter().rev().enumerate() {
            if i == 0 {
                s.push_str(&g.to_string());
            } else {
                s.push_str(&format!("{g:09}"));
            }
        }
        s
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_of_large_values() {
        let mut b = BigUint::from_u64(1);
        b.mul_pow5(30);
        b.shl(30);
        assert_eq!(b.to_decimal(), "1000000000000000000000000000000");
        assert_eq!(
            BigUint::from_be_bytes(&[0x01, 0x00, 0x00, 0x00, 0x00]).to_decimal(),
            "4294967296"
        );
        assert_eq!(BigUint::from_be_bytes(&[]).to_decimal(), "0");
    }

    #[test]
    fn cached_powers_and_wide_products_agree_with_u128() {
        for n in [0u32, 1, 13, 27, 54] {
            let mut b = BigUint::pow5(n);
            assert_eq!(b.to_decimal(), 5u128.pow(n).to_string(), "5^{n}");
            if n <= 27 {
                b.mul_u64(0xdead_beef_1234_5678);
                let want = 5u128.pow(n) * 0xdead_beef_1234_5678u128;
                assert_eq!(b.to_decimal(), want.to_string(), "5^{n} * m");
            }
        }
        let mut big = BigUint::from_u64(1);
        big.mul_pow5(350);
        assert_eq!(BigUint::pow5(350), big);
    }

    #[test]
    fn arithmetic_agrees_with_u128() {
        let a: u128 = 0x1234_5678_9abc_def0_1122_3344;
        let b: u128 = 0xfedc_ba98_7654_3210;
        let big = |v: u128| BigUint::from_be_bytes(&v.to_be_bytes());
        assert_eq!(big(a).add(&big(b)), big(a + b));
        let mut d = big(a);
        d.sub_assign(&big(b));
        assert_eq!(d, big(a - b));
        let mut s = big(b);
        s.shl(37);
        assert_eq!(s, big(b << 37));
        assert!(big(a) > big(b));
        let mut q = big(a);
        let r = q.div_rem_small(10);
        assert_eq!((q, r as u128), (big(a / 10), a % 10));
    }
}
