//! Greatest common divisors of naturals: the cost that dominates exact
//! rational arithmetic once denominators run to thousands of bits (the box
//! integrals' sums, the `init` family's sweeps).
//!
//! `num_bigint`'s own gcd is binary (one step per bit, an allocation per
//! step). Here a word operand costs one remainder and machine-word Euclid,
//! and big operands go through Lehmer's algorithm (Knuth, TAOCP vol. 2,
//! 4.5.2, Algorithm L) with 62-bit leading parts, on two limb buffers that
//! are updated in place: each pass replaces (x, y) by a unimodular
//! combination that equals several Euclid steps, one sweep over the limbs
//! with no allocation, and falls back to one full remainder when the
//! leading parts decide no step.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// Binary gcd of machine words.
pub(crate) fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// gcd(x, y) of naturals; gcd(0, y) = y.
///
/// ```
/// # use num_bigint::BigUint;
/// # use reluproof::num::gcd_natural;
/// let x = BigUint::parse_bytes(b"123456789012345678901234567890", 10).unwrap();
/// let y = BigUint::parse_bytes(b"987654321098765432109876543210", 10).unwrap();
/// let g = BigUint::parse_bytes(b"9000000000900000000090", 10).unwrap();
/// assert_eq!(gcd_natural(&x, &y), g);
/// ```
pub fn gcd_natural(x: &BigUint, y: &BigUint) -> BigUint {
    if x.is_zero() {
        return y.clone();
    }
    if y.is_zero() {
        return x.clone();
    }
    let (x, y) = if x >= y { (x, y) } else { (y, x) };
    if let Some(ys) = y.to_u64() {
        return BigUint::from(gcd_u64(ys, rem_word(&x.to_u64_digits(), ys)));
    }
    from_limbs(&lehmer(x.to_u64_digits(), y.to_u64_digits()))
}

/// x mod w for little-endian limbs and a nonzero word.
fn rem_word(x: &[u64], w: u64) -> u64 {
    x.iter().rev().fold(0u64, |r, &limb| ((((r as u128) << 64) | limb as u128) % w as u128) as u64)
}

fn from_limbs(x: &[u64]) -> BigUint {
    BigUint::new(x.iter().flat_map(|&l| [l as u32, (l >> 32) as u32]).collect())
}

fn trim(x: &mut Vec<u64>) {
    while x.last() == Some(&0) {
        x.pop();
    }
}

fn bits(x: &[u64]) -> u64 {
    x.last().map_or(0, |top| 64 * x.len() as u64 - top.leading_zeros() as u64)
}

/// The 62 bits of `x` starting at bit `s` (bits above `x`'s top are zero).
fn window62(x: &[u64], s: u64) -> i64 {
    let (word, bit) = ((s / 64) as usize, s % 64);
    let lo = x.get(word).copied().unwrap_or(0);
    let hi = x.get(word + 1).copied().unwrap_or(0);
    let v = if bit == 0 { lo } else { (lo >> bit) | (hi << (64 - bit)) };
    (v & (u64::MAX >> 2)) as i64
}

/// Lehmer's cosequence for the leading parts xh ≥ yh ≥ 0 (below 2^62):
/// the cofactors [a, b, c, d] of the Euclid steps on (x, y) that the
/// leading parts decide (Knuth's test: both quotients (xh + a)/(yh + c)
/// and (xh + b)/(yh + d) agree), b = 0 if none. Every quantity stays below
/// 2^63 in magnitude (cofactors are bounded by the leading parts), so the
/// loop runs in machine words: an i128 division is a library call.
fn cosequence(mut xh: i64, mut yh: i64) -> [i64; 4] {
    let (mut a, mut b, mut c, mut d) = (1i64, 0i64, 0i64, 1i64);
    loop {
        let (den1, den2) = (yh + c, yh + d);
        if den1 <= 0 || den2 <= 0 || xh + a < 0 || xh + b < 0 {
            break;
        }
        let q = (xh + a) / den1;
        if q != (xh + b) / den2 {
            break;
        }
        // Checked, though the bounds above make overflow impossible: a
        // wrapped cofactor would be a wrong gcd, silently.
        let next = |u: i64, v: i64| q.checked_mul(v).and_then(|qv| u.checked_sub(qv));
        let (Some(nc), Some(nd), Some(ny)) = (next(a, c), next(b, d), next(xh, yh)) else {
            break;
        };
        (a, c) = (c, nc);
        (b, d) = (d, nd);
        (xh, yh) = (yh, ny);
    }
    [a, b, c, d]
}

/// (x, y) ← (a·x + b·y, c·x + d·y) in place, for cofactors below 2^63 in
/// magnitude with a·b ≤ 0 and c·d ≤ 0 (Lehmer's cosequences alternate in
/// sign) and results known to be nonnegative. `y` is no longer than `x`.
///
/// Each limb's a·x_i + b·y_i has magnitude below 2^127 − 2^64 (the two
/// products have opposite signs, each below 2^63·2^64), so with the carry
/// (below 2^64 in magnitude) it fits an i128.
fn combine_in_place(x: &mut [u64], y: &mut Vec<u64>, [a, b, c, d]: [i128; 4]) {
    y.resize(x.len(), 0);
    let (mut cx, mut cy) = (0i128, 0i128);
    for (xi, yi) in x.iter_mut().zip(y.iter_mut()) {
        let (u, v) = (*xi as i128, *yi as i128);
        let sx = a * u + b * v + cx;
        let sy = c * u + d * v + cy;
        *xi = sx as u64;
        *yi = sy as u64;
        cx = sx >> 64;
        cy = sy >> 64;
    }
    debug_assert!(cx == 0 && cy == 0, "Lehmer combination out of range");
}

/// gcd(x, y) for x ≥ y ≥ 2^64 (little-endian limbs, no leading zeros).
fn lehmer(mut x: Vec<u64>, mut y: Vec<u64>) -> Vec<u64> {
    loop {
        trim(&mut x);
        trim(&mut y);
        match y.len() {
            0 => return x,
            1 => return vec![gcd_u64(y[0], rem_word(&x, y[0]))],
            _ => {}
        }
        let s = bits(&x) - 62;
        let (xh, yh) = (window62(&x, s), window62(&y, s));
        let [a, b, c, d] = cosequence(xh, yh);
        // Cosequences alternate in sign, as combine_in_place needs; the
        // test costs nothing next to the sweep over the limbs.
        if b == 0 || a.signum() * b.signum() > 0 || c.signum() * d.signum() > 0 {
            // No step decided (a quotient too large for the leading parts):
            // one Euclid step with a full remainder.
            let r = (from_limbs(&x) % from_limbs(&y)).to_u64_digits();
            x = std::mem::replace(&mut y, r);
        } else {
            combine_in_place(&mut x, &mut y, [a, b, c, d].map(i128::from));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::natural;
    use super::*;
    use crate::gen::Rng;
    use num_integer::Integer;
    use num_traits::One;

    #[test]
    fn gcd_agrees_with_num_integer() {
        let mut rng = Rng::new(11);
        for _ in 0..3000 {
            let shared = natural(&mut rng, &[0, 40, 150, 700], &BigUint::one()) + 1u32;
            let sizes = [0, 5, 64, 65, 90, 128, 300, 1000, 2500];
            // Both sides share the factor: a nontrivial gcd.
            let x = natural(&mut rng, &sizes, &BigUint::one()) * &shared;
            let y = natural(&mut rng, &sizes, &BigUint::one()) * &shared;
            assert_eq!(gcd_natural(&x, &y), x.gcd(&y), "gcd({x}, {y})");
        }
    }

    #[test]
    fn gcd_of_hand_cases() {
        let n = |s: &str| BigUint::parse_bytes(s.as_bytes(), 10).expect("a decimal");
        assert_eq!(gcd_natural(&n("0"), &n("0")), n("0"));
        assert_eq!(gcd_natural(&n("0"), &n("12")), n("12"));
        assert_eq!(gcd_natural(&n("18446744073709551616"), &n("12")), n("4"));
        assert_eq!(
            gcd_natural(&n("340282366920938463463374607431768211456"), &n("18446744073709551616")),
            n("18446744073709551616")
        );
        // gcd(2^a − 1, 2^b − 1) = 2^gcd(a, b) − 1; 2^127 − 1 is prime.
        let m127 = n("170141183460469231731687303715884105727");
        assert_eq!(gcd_natural(&m127, &n("340282366920938463463374607431768211455")), n("1"));
        assert_eq!(
            gcd_natural(
                &n("6277101735386680763835789423207666416102355444464034512895"),
                &n("340282366920938463463374607431768211455")
            ),
            n("18446744073709551615")
        );
        assert_eq!(gcd_natural(&(&m127 * n("2305843009213693951")), &(&m127 * n("618970019642690137449562111"))), m127);
    }

    #[test]
    fn gcd_of_fibonacci_neighbours() {
        // Consecutive Fibonacci numbers: the longest Euclidean remainder
        // sequence, every quotient 1.
        let (mut f, mut g) = (BigUint::one(), BigUint::one());
        for _ in 0..600 {
            (f, g) = (g.clone(), f + g);
        }
        assert_eq!(gcd_natural(&f, &g), BigUint::one());
        assert_eq!(gcd_natural(&(&f * 6u32), &(&g * 10u32)), BigUint::from(2u32));
    }

    #[test]
    fn gcd_with_a_huge_quotient_takes_the_remainder_step() {
        let big = (BigUint::one() << 3000u32) + 7u32;
        let small = (BigUint::one() << 100u32) + 3u32;
        assert_eq!(gcd_natural(&(&big * &small), &(&small * 5u32)), big.gcd(&(BigUint::from(5u32))) * &small);
    }
}
