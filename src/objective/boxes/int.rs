//! Integers that stay in an `i128` while they fit and become `BigInt`s when
//! they do not: the box kernel's numbers (scaled vertices, moments, most
//! denominators) are mostly a word or two, and `num_bigint` allocates for
//! every result, however small.

use crate::num::{big_gcd, gcd_u64};
use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

/// An integer; `Small` whenever the value fits in an `i128` (so equal values
/// have equal representations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Int {
    Small(i128),
    Big(BigInt),
}

use Int::{Big, Small};

impl Int {
    pub fn zero() -> Self {
        Small(0)
    }
    pub fn from_i64(n: i64) -> Self {
        Small(n as i128)
    }
    /// The canonical form of a big integer.
    pub fn from_big(x: BigInt) -> Self {
        match x.to_i128() {
            Some(s) => Small(s),
            None => Big(x),
        }
    }
    pub fn from_big_ref(x: &BigInt) -> Self {
        match x.to_i128() {
            Some(s) => Small(s),
            None => Big(x.clone()),
        }
    }
    fn big(&self) -> BigInt {
        match self {
            Small(s) => BigInt::from(*s),
            Big(b) => b.clone(),
        }
    }
    pub fn into_big(self) -> BigInt {
        match self {
            Small(s) => BigInt::from(s),
            Big(b) => b,
        }
    }
    pub fn is_zero(&self) -> bool {
        matches!(self, Small(0))
    }
    pub fn is_positive(&self) -> bool {
        match self {
            Small(a) => *a > 0,
            Big(b) => b.sign() == Sign::Plus,
        }
    }
    pub fn is_one(&self) -> bool {
        matches!(self, Small(1))
    }
    pub fn add(&self, o: &Int) -> Int {
        if let (Small(a), Small(b)) = (self, o) {
            if let Some(s) = a.checked_add(*b) {
                return Small(s);
            }
        }
        Int::from_big(self.big() + o.big())
    }
    pub fn sub(&self, o: &Int) -> Int {
        if let (Small(a), Small(b)) = (self, o) {
            if let Some(s) = a.checked_sub(*b) {
                return Small(s);
            }
        }
        Int::from_big(self.big() - o.big())
    }
    pub fn mul(&self, o: &Int) -> Int {
        match (self, o) {
            // Words: the product fits, no overflow check (an i128 checked
            // multiply is a library call).
            (Small(a), Small(b)) if word(*a) && word(*b) => Small(a * b),
            (Small(a), Small(b)) => match a.checked_mul(*b) {
                Some(s) => Small(s),
                None => Big(BigInt::from(*a) * BigInt::from(*b)),
            },
            (Small(0), _) | (_, Small(0)) => Small(0),
            (Small(a), Big(b)) | (Big(b), Small(a)) => Big(b * *a),
            (Big(a), Big(b)) => Big(a * b),
        }
    }
    /// `self += o`.
    pub fn add_assign(&mut self, o: &Int) {
        if let (Small(a), Small(b)) = (&*self, o) {
            if let Some(s) = a.checked_add(*b) {
                *self = Small(s);
                return;
            }
        }
        *self = self.add(o);
    }
    pub fn neg(&self) -> Int {
        match self {
            Small(a) => match a.checked_neg() {
                Some(s) => Small(s),
                None => Big(-BigInt::from(*a)),
            },
            Big(b) => Int::from_big(-b),
        }
    }
    /// `self / o` for a divisor that divides `self` exactly.
    pub fn div_exact(&self, o: &Int) -> Int {
        if o.is_one() {
            return self.clone();
        }
        match (self, o) {
            // A 64-bit division where both fit (an i128 one is a library call).
            (Small(a), Small(b)) if word(*a) && word(*b) && *b != -1 => Small((*a as i64 / *b as i64) as i128),
            (Small(a), Small(b)) if *b != -1 => Small(a / b),
            (Big(a), Small(b)) => Int::from_big(a / *b),
            _ => Int::from_big(self.big() / o.big()),
        }
    }
    /// gcd(|self|, |o|), nonnegative.
    pub fn gcd(&self, o: &Int) -> Int {
        match (self, o) {
            (Small(a), Small(b)) => {
                let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
                match (u64::try_from(a), u64::try_from(b)) {
                    (Ok(a), Ok(b)) => Small(gcd_u64(a, b) as i128),
                    _ => match i128::try_from(gcd_u128(a, b)) {
                        Ok(g) => Small(g),
                        Err(_) => Int::from_big(BigInt::from(gcd_u128(a, b))),
                    },
                }
            }
            // A big and a word (a denominator and a small numerator, often):
            // one remainder by a word, then words, instead of a Lehmer gcd
            // of the word widened to a big integer.
            (Big(x), Small(y)) | (Small(y), Big(x)) if *y != 0 && u64::try_from(y.unsigned_abs()).is_ok() => {
                let y = y.unsigned_abs() as u64;
                let r = (x.magnitude() % y).to_u64().expect("a remainder below a word");
                Small(gcd_u64(r, y) as i128)
            }
            _ => Int::from_big(BigInt::from_biguint(Sign::Plus, big_gcd(self.big().magnitude(), o.big().magnitude()))),
        }
    }
}

/// Whether `x` fits an `i64`.
fn word(x: i128) -> bool {
    x as i64 as i128 == x
}

/// Euclid on double words until both fit a word, then [`gcd_u64`]. A
/// double-word remainder is a library call, so a quotient below 4 (most
/// of them: both operands of about the same length) is taken by
/// subtraction instead; a binary gcd would be slow on operands of very
/// different lengths, which are common here (a denominator and a small
/// numerator).
fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    if a < b {
        std::mem::swap(&mut a, &mut b);
    }
    while a > u64::MAX as u128 {
        if b == 0 {
            return a;
        }
        // a ≥ b > 0; the quotient is below 4 when lengths differ by ≤ 1 bit.
        let r = if b.leading_zeros() - a.leading_zeros() <= 1 {
            let mut r = a - b;
            while r >= b {
                r -= b;
            }
            r
        } else {
            a % b
        };
        (a, b) = (b, r);
    }
    gcd_u64(a as u64, b as u64) as u128
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use num_traits::Zero;

    fn draw(rng: &mut Rng) -> BigInt {
        let bits = *rng.pick(&[3u64, 60, 64, 100, 126, 127, 128, 129, 200]);
        let mut x = BigInt::zero();
        for _ in 0..bits / 64 + 1 {
            x = (x << 64u32) + BigInt::from(rng.next_u64());
        }
        x >>= ((bits / 64 + 1) * 64 - rng.below(bits + 1)) as usize;
        if rng.chance(1, 2) {
            -x
        } else {
            x
        }
    }

    /// Division by −1 of the most negative word and double word, the two
    /// quotients that overflow their type: the fast arms must leave them
    /// to the wider ones (the draws in `small_and_big_agree` never reach
    /// them; mutation campaign, objective shard 3/40).
    #[test]
    fn quotients_by_minus_one_leave_their_word() {
        let minus_one = Small(-1);
        for (x, want) in [
            (i64::MIN as i128, BigInt::from(1u64 << 63)),
            (i128::MIN, BigInt::from(1u128 << 127)),
            (-6, BigInt::from(6)),
            (i64::MAX as i128, BigInt::from(-i64::MAX)),
        ] {
            assert_eq!(Small(x).div_exact(&minus_one).into_big(), want, "{x} / -1");
            assert_eq!(Small(x).div_exact(&Small(1)).into_big(), BigInt::from(x), "{x} / 1");
        }
        assert_eq!(Small(i64::MIN as i128).div_exact(&Small(-2)).into_big(), BigInt::from(1u64 << 62));
    }

    /// Every operation agrees with `BigInt`'s, across the i128 boundary,
    /// and results are canonical.
    #[test]
    fn small_and_big_agree() {
        let mut rng = Rng::new(31);
        let canon = |x: &Int| match x {
            Small(_) => true,
            Big(b) => b.to_i128().is_none(),
        };
        for _ in 0..5000 {
            let (x, y) = (draw(&mut rng), draw(&mut rng));
            let (a, b) = (Int::from_big_ref(&x), Int::from_big_ref(&y));
            for (got, want) in [
                (a.add(&b), &x + &y),
                (a.sub(&b), &x - &y),
                (a.mul(&b), &x * &y),
                (a.neg(), -&x),
                (a.gcd(&b), num_integer::Integer::gcd(&x, &y)),
            ] {
                assert!(canon(&got));
                assert_eq!(got.into_big(), want, "{x} {y}");
            }
            let p = a.mul(&b);
            if !b.is_zero() {
                assert_eq!(p.div_exact(&b).into_big(), x.clone(), "{x} {y}");
            }
            let mut s = a.clone();
            s.add_assign(&b);
            assert_eq!(s.into_big(), &x + &y);
            assert_eq!(a.is_positive(), x.sign() == Sign::Plus);
            // The predicates the shortcuts use (a wrong one costs only time
            // there, so it is pinned here; objective shard 12/40).
            assert_eq!(a.is_zero(), x.is_zero());
            assert_eq!(a.is_one(), x == BigInt::from(1));
        }
        for (x, one) in [(1i128, true), (0, false), (-1, false), (2, false)] {
            assert_eq!(Small(x).is_one(), one, "{x}");
        }
        // Double words with a common factor, of equal and unequal lengths.
        for _ in 0..5000 {
            let g = BigInt::from(rng.next_u64() >> rng.below(60));
            let (x, y) = (&g * (draw(&mut rng) >> 130u32), &g * BigInt::from(rng.next_u64() >> rng.below(64)));
            let got = Int::from_big_ref(&x).gcd(&Int::from_big_ref(&y));
            assert_eq!(got.into_big(), num_integer::Integer::gcd(&x, &y), "{x} {y}");
        }
    }
}
