//! Exact rationals printed as rounded decimals in scientific notation.
//!
//! One conversion serves every printer: `eval --digits` and the gd summary
//! round to nearest, the enclosure backends round each endpoint outward so
//! that a printed bound stays a bound. Only integer arithmetic is used: the
//! num-rational operators reduce with a binary gcd, quadratic in the length,
//! which took minutes for an interval endpoint of a million bits.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Pow, Signed, Zero};

/// How [`scientific`] rounds to its last digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest decimal, ties away from zero.
    Nearest,
    /// Toward −∞: the printed value is ≤ q (a lower bound stays one).
    Floor,
    /// Toward +∞: the printed value is ≥ q (an upper bound stays one).
    Ceil,
}

/// `q` with `digits` significant decimal digits (at least one) as
/// `[-]d.ddd…e±X`, that is ±m · 10^(X − digits + 1) with
/// 10^(digits−1) ≤ m < 10^digits; `0` for zero. Costs one division of q's
/// size and a power of ten of the exponent's.
///
/// ```
/// use reluproof::num::decimal::{scientific, Rounding};
/// use reluproof::num::parse::parse_rational;
/// let q = parse_rational("2/3").unwrap();
/// assert_eq!(scientific(&q, 3, Rounding::Nearest), "6.67e-1");
/// assert_eq!(scientific(&q, 3, Rounding::Floor), "6.66e-1");
/// assert_eq!(scientific(&-q, 3, Rounding::Floor), "-6.67e-1");
/// ```
pub fn scientific(q: &BigRational, digits: usize, rounding: Rounding) -> String {
    if q.is_zero() {
        return "0".into();
    }
    let digits = digits.max(1) as u64;
    let (n, d) = (q.numer().abs(), q.denom().clone());
    let ten = BigInt::from(10u32);
    let lo = Pow::pow(&ten, digits - 1);
    let hi = &lo * &ten;
    // The decimal exponent e with 10^e ≤ |q| < 10^(e+1): estimated from the
    // bit lengths (off by at most one), then corrected by the integer part
    // m = ⌊|q| · 10^(digits − 1 − e)⌋, which must have exactly `digits` digits.
    let bits = n.bits() as f64 - d.bits() as f64;
    let mut e = (bits * std::f64::consts::LOG10_2).floor() as i64;
    let (m, r, den) = loop {
        let k = digits as i64 - 1 - e;
        let p: BigInt = Pow::pow(&ten, k.unsigned_abs());
        let (a, b) = if k >= 0 { (&n * &p, d.clone()) } else { (n.clone(), &d * &p) };
        let (m, r) = a.div_rem(&b);
        if m < lo {
            e -= 1;
        } else if m >= hi {
            e += 1;
        } else {
            break (m, r, b);
        }
    };
    // Round the magnitude m + r/den: away from zero when the rounding asks
    // for it and the remainder is not zero.
    let away = match rounding {
        Rounding::Nearest => &r * 2u32 >= den,
        Rounding::Floor => q.is_negative() && !r.is_zero(),
        Rounding::Ceil => q.is_positive() && !r.is_zero(),
    };
    let m = if away { m + 1u32 } else { m };
    // Rounding can carry into a new digit (9.995 → 10.0): keep the width.
    let (m, e) = if m == hi { (lo, e + 1) } else { (m, e) };
    let m = m.to_string();
    let sign = if q.is_negative() { "-" } else { "" };
    match m.split_at(1) {
        (head, "") => format!("{sign}{head}e{e}"),
        (head, tail) => format!("{sign}{head}.{tail}e{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use crate::num::parse::parse_rational;

    fn q(s: &str) -> BigRational {
        parse_rational(s).unwrap()
    }

    use Rounding::{Ceil, Floor, Nearest};

    #[test]
    fn hand_cases() {
        let cases = [
            ("0", 5, Nearest, "0"),
            ("1", 1, Nearest, "1e0"),
            ("1", 3, Floor, "1.00e0"),
            ("-1", 3, Ceil, "-1.00e0"),
            ("10", 1, Nearest, "1e1"),
            ("99/10", 1, Nearest, "1e1"),
            ("99/10", 1, Floor, "9e0"),
            ("99/10", 1, Ceil, "1e1"),
            ("1/3", 4, Nearest, "3.333e-1"),
            ("1/3", 4, Ceil, "3.334e-1"),
            ("-1/3", 4, Ceil, "-3.333e-1"),
            ("-1/3", 4, Floor, "-3.334e-1"),
            ("-2/3", 3, Nearest, "-6.67e-1"),
            ("5/2", 1, Nearest, "3e0"),
            ("-5/2", 1, Nearest, "-3e0"),
            ("25/100", 1, Nearest, "3e-1"),
            ("9995/1000", 3, Ceil, "1.00e1"),
            ("9995/1000", 3, Floor, "9.99e0"),
            ("9995/1000", 3, Nearest, "1.00e1"),
            ("-9995/1000", 3, Floor, "-1.00e1"),
            ("1e-300", 2, Nearest, "1.0e-300"),
            ("123456789", 0, Nearest, "1e8"),
            ("1/1024", 20, Floor, "9.7656250000000000000e-4"),
        ];
        for (x, n, r, want) in cases {
            assert_eq!(scientific(&q(x), n, r), want, "{x} to {n} digits, {r:?}");
        }
    }

    /// Numbers far outside the f64 range; the tiny one (a million bits of
    /// denominator, an endpoint a smooth activation's enclosure produced in
    /// the fuzz campaign) took minutes through num-rational's reducing division.
    #[test]
    fn huge_and_tiny() {
        let ten = BigInt::from(10);
        let tiny = BigRational::new(BigInt::from(7), BigInt::from(3) * Pow::pow(&ten, 400_000u64));
        let huge = BigRational::new(BigInt::from(-7) * Pow::pow(&ten, 5000u64), BigInt::from(3));
        let cases = [
            (&tiny, Floor, "2.33e-400000"),
            (&tiny, Ceil, "2.34e-400000"),
            (&tiny, Nearest, "2.33e-400000"),
            (&huge, Floor, "-2.34e5000"),
            (&huge, Ceil, "-2.33e5000"),
            (&huge, Nearest, "-2.33e5000"),
        ];
        for (x, r, want) in cases {
            assert_eq!(scientific(x, 3, r), want, "{r:?}");
        }
    }

    /// The laws that define each rounding, on random rationals from tiny to
    /// huge: the printed value p, read back exactly by the parser, has the
    /// stated number of digits and lies within one unit u of its last digit:
    /// p ≤ q < p + u (floor), p − u < q ≤ p (ceil), |q − p| ≤ u/2 (nearest).
    #[test]
    fn printed_values_obey_their_rounding() {
        let mut rng = Rng::new(11);
        let ten = BigInt::from(10);
        for _ in 0..3000 {
            let num = BigInt::from(rng.range(-1_000_000_000, 1_000_000_000)) * Pow::pow(&ten, rng.range(0, 40) as u64);
            let den = BigInt::from(rng.range(1, 1_000_000_000)) * Pow::pow(&ten, rng.range(0, 40) as u64);
            let x = BigRational::new(num, den);
            let digits = rng.range(1, 25) as usize;
            for r in [Nearest, Floor, Ceil] {
                let s = scientific(&x, digits, r);
                if x.is_zero() {
                    assert_eq!(s, "0");
                    continue;
                }
                let (mantissa, exp) = s.split_once('e').unwrap();
                let shown = mantissa.trim_start_matches('-').replace('.', "");
                assert_eq!(shown.len(), digits, "{s}");
                assert_ne!(shown.as_bytes()[0], b'0', "{s}");
                let e: i64 = exp.parse().unwrap();
                let k = e - digits as i64 + 1;
                let u = if k >= 0 {
                    BigRational::from_integer(Pow::pow(&ten, k as u64))
                } else {
                    BigRational::new(1.into(), Pow::pow(&ten, k.unsigned_abs()))
                };
                let p = q(&s);
                match r {
                    Floor => assert!(p <= x && x < &p + &u, "{x} -> {s}"),
                    Ceil => assert!(&p - &u < x && x <= p, "{x} -> {s}"),
                    Nearest => assert!((&x - &p).abs() * BigInt::from(2) <= u, "{x} -> {s}"),
                }
            }
        }
    }
}
