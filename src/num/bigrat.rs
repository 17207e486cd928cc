//! `num_rational::BigRational`: exact, pure Rust. The default exact backend.
//!
//! The arithmetic does not go through `num_rational`'s operators: those
//! normalise with `num_bigint`'s binary gcd, which allocates on every step and
//! needs one step per bit even when one operand is a single word, and `Ratio`
//! addition and multiplication run one more full gcd than necessary. Here
//! addition and multiplication follow Henrici (Knuth, TAOCP vol. 2, 4.5.1):
//! only gcds of denominators with denominators or numerators are taken, and
//! the gcd is a single remainder plus machine-word arithmetic when either side
//! fits in 64 bits, Lehmer's algorithm otherwise. Results are reduced with a
//! positive denominator, exactly as `BigRational::new` would give them.

use super::{Guarantee, Ordered, Scalar, Sign3};
use num_bigint::{BigInt, BigUint, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

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

/// The 63 bits of `x` starting at bit `s` (bits above `x`'s top are zero).
fn window63(x: &BigUint, s: u64) -> u64 {
    let (word, bit) = ((s / 64) as usize, s % 64);
    let mut digits = x.iter_u64_digits().skip(word);
    let lo = digits.next().unwrap_or(0);
    let hi = digits.next().unwrap_or(0);
    let v = if bit == 0 { lo } else { (lo >> bit) | (hi << (64 - bit)) };
    v & (u64::MAX >> 1)
}

/// `a·x + b·y` for cofactors that are not both negative, whose result is
/// known to be nonnegative (Lehmer cosequences alternate in sign).
fn combine(a: i128, x: &BigUint, b: i128, y: &BigUint) -> BigUint {
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    match (a >= 0, b >= 0) {
        (true, true) => x * ua + y * ub,
        (true, false) => x * ua - y * ub,
        (false, true) => y * ub - x * ua,
        (false, false) => unreachable!("Lehmer cofactors never share a negative sign"),
    }
}

/// gcd(x, y) for x ≥ y > 0 by Lehmer's algorithm (Knuth, TAOCP vol. 2,
/// 4.5.2, Algorithm L) with 63-bit leading parts: each pass replaces (x, y)
/// by a unimodular combination proved equal to several Euclid steps, or does
/// one Euclid step with a full remainder when the leading parts decide none.
fn gcd_lehmer(mut x: BigUint, mut y: BigUint) -> BigUint {
    loop {
        if y.is_zero() {
            return x;
        }
        if let Some(ys) = y.to_u64() {
            let r = (&x % ys).to_u64().expect("remainder below a word");
            return BigUint::from(gcd_u64(ys, r));
        }
        let s = x.bits().saturating_sub(63);
        let (mut xh, mut yh) = (window63(&x, s) as i128, window63(&y, s) as i128);
        let (mut a, mut b, mut c, mut d) = (1i128, 0i128, 0i128, 1i128);
        loop {
            let (den1, den2) = (yh + c, yh + d);
            if den1 <= 0 || den2 <= 0 || xh + a < 0 || xh + b < 0 {
                break;
            }
            let q = (xh + a) / den1;
            if q != (xh + b) / den2 {
                break;
            }
            (a, c) = (c, a - q * c);
            (b, d) = (d, b - q * d);
            (xh, yh) = (yh, xh - q * yh);
        }
        if b == 0 {
            let r = &x % &y;
            x = y;
            y = r;
        } else {
            let nx = combine(a, &x, b, &y);
            let ny = combine(c, &x, d, &y);
            x = nx;
            y = ny;
        }
    }
}

/// gcd(x, y) of naturals; gcd(0, y) = y.
pub(crate) fn gcd(x: &BigUint, y: &BigUint) -> BigUint {
    if x.is_zero() {
        return y.clone();
    }
    if y.is_zero() {
        return x.clone();
    }
    let (x, y) = if x >= y { (x, y) } else { (y, x) };
    if let Some(ys) = y.to_u64() {
        if ys == 1 {
            return BigUint::one();
        }
        let r = (x % ys).to_u64().expect("remainder below a word");
        return BigUint::from(gcd_u64(ys, r));
    }
    gcd_lehmer(x.clone(), y.clone())
}

fn signed(sign: Sign, magnitude: BigUint) -> BigInt {
    BigInt::from_biguint(sign, magnitude)
}

/// `x + y` (or `x − y` when `negate`), reduced, by Henrici's method.
fn add_sub(x: &BigRational, y: &BigRational, negate: bool) -> BigRational {
    if y.numer().is_zero() {
        return x.clone();
    }
    if x.numer().is_zero() {
        return if negate { -y } else { y.clone() };
    }
    let (xn, xd) = (x.numer(), x.denom().magnitude());
    let yn = if negate { -y.numer() } else { y.numer().clone() };
    let yd = y.denom().magnitude();
    let g = gcd(xd, yd);
    if g.is_one() {
        // gcd(xn·yd + yn·xd, xd·yd) = 1 already.
        let n = xn * signed(Sign::Plus, yd.clone()) + yn * signed(Sign::Plus, xd.clone());
        return BigRational::new_raw(n, signed(Sign::Plus, xd * yd));
    }
    let (xd_g, yd_g) = (xd / &g, yd / &g);
    let t = xn * signed(Sign::Plus, yd_g.clone()) + yn * signed(Sign::Plus, xd_g.clone());
    if t.is_zero() {
        return BigRational::zero();
    }
    // The result is t / (xd·yd/g), and gcd(t, xd·yd/g) = gcd(t, g).
    let g2 = gcd(t.magnitude(), &g);
    if g2.is_one() {
        BigRational::new_raw(t, signed(Sign::Plus, xd_g * yd))
    } else {
        let (sign, tm) = t.into_parts();
        BigRational::new_raw(signed(sign, tm / &g2), signed(Sign::Plus, xd_g * (yd / &g2)))
    }
}

/// `|p| / g`, or a copy when g = 1.
fn div_exact(p: &BigUint, g: &BigUint) -> BigUint {
    if g.is_one() {
        p.clone()
    } else {
        p / g
    }
}

/// `(sx·xn/xd)·(sy·yn/yd)` for reduced inputs with positive magnitudes,
/// reduced by cancelling gcd(xn, yd) and gcd(yn, xd) only.
fn mul_parts(sign: Sign, xn: &BigUint, xd: &BigUint, yn: &BigUint, yd: &BigUint) -> BigRational {
    let g1 = gcd(xn, yd);
    let g2 = gcd(yn, xd);
    let n = div_exact(xn, &g1) * div_exact(yn, &g2);
    let d = div_exact(xd, &g2) * div_exact(yd, &g1);
    BigRational::new_raw(signed(sign, n), signed(Sign::Plus, d))
}

fn product_sign(a: Sign, b: Sign) -> Sign {
    match (a, b) {
        (Sign::NoSign, _) | (_, Sign::NoSign) => Sign::NoSign,
        (x, y) if x == y => Sign::Plus,
        _ => Sign::Minus,
    }
}

impl Scalar for BigRational {
    type Ctx = ();

    fn from_rational(q: &BigRational, _: &()) -> Self {
        q.clone()
    }
    fn from_i64(n: i64, _: &()) -> Self {
        BigRational::from_integer(n.into())
    }
    fn add(&self, o: &Self) -> Self {
        add_sub(self, o, false)
    }
    fn sub(&self, o: &Self) -> Self {
        add_sub(self, o, true)
    }
    fn mul(&self, o: &Self) -> Self {
        if self.numer().is_zero() || o.numer().is_zero() {
            return BigRational::zero();
        }
        mul_parts(
            product_sign(self.numer().sign(), o.numer().sign()),
            self.numer().magnitude(),
            self.denom().magnitude(),
            o.numer().magnitude(),
            o.denom().magnitude(),
        )
    }
    fn div(&self, o: &Self) -> Self {
        assert!(!o.numer().is_zero(), "division by zero");
        if self.numer().is_zero() {
            return BigRational::zero();
        }
        // self · (od / on)
        mul_parts(
            product_sign(self.numer().sign(), o.numer().sign()),
            self.numer().magnitude(),
            self.denom().magnitude(),
            o.denom().magnitude(),
            o.numer().magnitude(),
        )
    }
    fn neg(&self) -> Self {
        -self
    }
    fn add_assign(&mut self, o: &Self) {
        *self = add_sub(self, o, false);
    }
    fn sqr(&self) -> Self {
        // gcd(n², d²) = 1 for a reduced n/d: nothing to cancel.
        BigRational::new_raw(self.numer() * self.numer(), self.denom() * self.denom())
    }
    fn sign(&self) -> Sign3 {
        if self.is_zero() {
            Sign3::Zero
        } else if Signed::is_positive(self) {
            Sign3::Positive
        } else {
            Sign3::Negative
        }
    }
    fn guarantee(_: &()) -> Guarantee {
        Guarantee::Exact
    }
    fn backend_name(_: &()) -> String {
        "exact".into()
    }
    fn render(&self) -> String {
        self.to_string()
    }
    fn to_f64_lossy(&self) -> f64 {
        self.to_f64().unwrap_or(f64::NAN)
    }
    fn to_rational(&self) -> Option<BigRational> {
        Some(self.clone())
    }
    fn sum_all(terms: Vec<Self>, _: &()) -> Self {
        sum_tree(terms)
    }
}

/// An unreduced fraction: numerator and positive denominator.
type Fraction = (BigInt, BigUint);

/// `x + y` without reducing the result: over lcm(xd, yd), which is where
/// the denominators of a sum of exact integrals stay (they share factors),
/// while the numerator's common factors are left for [`sum_tree`]'s one
/// reduction at the end.
fn merge_unreduced((xn, xd): Fraction, (yn, yd): Fraction) -> Fraction {
    if xd == yd {
        return (xn + yn, xd);
    }
    let g = gcd(&xd, &yd);
    if g.is_one() {
        let n = xn * signed(Sign::Plus, yd.clone()) + yn * signed(Sign::Plus, xd.clone());
        return (n, xd * yd);
    }
    let (xd_g, yd_g) = (&xd / &g, yd / &g);
    let n = xn * signed(Sign::Plus, yd_g.clone()) + yn * signed(Sign::Plus, xd_g);
    (n, xd * yd_g)
}

/// Σ `terms` exactly, reduced: a balanced tree of [`merge_unreduced`] over
/// neighbours, then one gcd. Left-to-right addition of reduced fractions
/// whose denominators grow with the sum costs a big gcd per term (quadratic
/// in the number of terms, cubic in bits); here each level of the tree costs
/// about one pass over the final size, and only one big gcd is taken.
pub(crate) fn sum_tree(terms: Vec<BigRational>) -> BigRational {
    let mut level: Vec<Fraction> = terms
        .into_iter()
        .filter(|q| !q.numer().is_zero())
        .map(|q| {
            let (n, d) = q.into_raw();
            (n, d.into_parts().1)
        })
        .collect();
    if level.is_empty() {
        return BigRational::zero();
    }
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut it = level.into_iter();
        while let Some(x) = it.next() {
            next.push(match it.next() {
                Some(y) => merge_unreduced(x, y),
                None => x,
            });
        }
        level = next;
    }
    let (n, d) = level.pop().expect("one term left");
    if n.is_zero() {
        return BigRational::zero();
    }
    let g = gcd(n.magnitude(), &d);
    if g.is_one() {
        BigRational::new_raw(n, signed(Sign::Plus, d))
    } else {
        let (sign, m) = n.into_parts();
        BigRational::new_raw(signed(sign, m / &g), signed(Sign::Plus, d / &g))
    }
}

impl Ordered for BigRational {
    /// Signs first, then a·d against c·b (denominators are positive): two
    /// products instead of `Ratio::cmp`'s division loop.
    fn total_cmp(&self, o: &Self) -> Ordering {
        let (x, y) = (self.numer(), o.numer());
        match x.sign().cmp(&y.sign()) {
            Ordering::Equal if x.is_zero() => Ordering::Equal,
            Ordering::Equal if self.denom() == o.denom() => x.cmp(y),
            Ordering::Equal => (x * o.denom()).cmp(&(y * self.denom())),
            unequal => unequal,
        }
    }
    fn sort_key(&self) -> Option<f64> {
        Some(self.to_f64_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use num_integer::Integer;

    /// A natural of up to `bits` bits (one of `sizes`), sometimes times a
    /// factor shared between draws.
    fn natural(rng: &mut Rng, sizes: &[u64], shared: &BigUint) -> BigUint {
        let bits = *rng.pick(sizes);
        let mut x = BigUint::zero();
        for _ in 0..bits / 64 + 1 {
            x = (x << 64u32) + rng.next_u64();
        }
        x >>= (bits / 64 + 1) * 64 - rng.below(bits + 1);
        if rng.chance(1, 2) {
            x *= shared;
        }
        x
    }

    fn rational(rng: &mut Rng, shared: &BigUint) -> BigRational {
        let sizes = [1, 7, 63, 64, 65, 128, 200, 700];
        let n = natural(rng, &sizes, shared);
        let d = natural(rng, &sizes, shared) + 1u32;
        let n = if rng.chance(1, 2) { -BigInt::from(n) } else { BigInt::from(n) };
        BigRational::new(n, BigInt::from(d))
    }

    fn same(x: &BigRational, y: &BigRational) -> bool {
        x.numer() == y.numer() && x.denom() == y.denom()
    }

    #[test]
    fn gcd_agrees_with_num_integer() {
        let mut rng = Rng::new(11);
        for _ in 0..2000 {
            let shared = natural(&mut rng, &[150], &BigUint::one()) + 1u32;
            let x = natural(&mut rng, &[0, 5, 64, 90, 300, 1000], &shared);
            let y = natural(&mut rng, &[0, 5, 64, 90, 300, 1000], &shared);
            assert_eq!(gcd(&x, &y), x.gcd(&y), "gcd({x}, {y})");
        }
        // Consecutive Fibonacci numbers: the longest Euclidean remainder sequence.
        let (mut f, mut g) = (BigUint::one(), BigUint::one());
        for _ in 0..600 {
            (f, g) = (g.clone(), f + g);
        }
        assert!(gcd(&f, &g).is_one());
        assert_eq!(gcd(&(&f * 6u32), &(&g * 10u32)), BigUint::from(2u32));
    }

    #[test]
    fn arithmetic_agrees_with_num_rational_and_is_reduced() {
        let mut rng = Rng::new(12);
        for _ in 0..2000 {
            let shared = natural(&mut rng, &[100], &BigUint::one()) + 1u32;
            let x = if rng.chance(1, 10) { BigRational::zero() } else { rational(&mut rng, &shared) };
            let y = rational(&mut rng, &shared);
            assert!(same(&Scalar::add(&x, &y), &(&x + &y)), "{x} + {y}");
            assert!(same(&Scalar::sub(&x, &y), &(&x - &y)), "{x} - {y}");
            assert!(same(&Scalar::sub(&x, &x), &BigRational::zero()));
            assert!(same(&Scalar::mul(&x, &y), &(&x * &y)), "{x} * {y}");
            if !y.is_zero() {
                assert!(same(&Scalar::div(&x, &y), &(&x / &y)), "{x} / {y}");
            }
            assert!(same(&Scalar::sqr(&x), &(&x * &x)), "{x}^2");
            let mut z = x.clone();
            z.add_assign(&y);
            assert!(same(&z, &(&x + &y)));
            assert_eq!(x.total_cmp(&y), x.cmp(&y), "{x} vs {y}");
            assert_eq!(x.total_cmp(&x), Ordering::Equal);
        }
    }

    #[test]
    fn tree_sums_are_the_reduced_left_to_right_sums() {
        let mut rng = Rng::new(13);
        for len in [0, 1, 2, 3, 5, 17, 64] {
            let shared = natural(&mut rng, &[90], &BigUint::one()) + 1u32;
            let mut terms: Vec<BigRational> = (0..len).map(|_| rational(&mut rng, &shared)).collect();
            if len > 2 {
                // Terms that cancel, and a zero.
                terms.push(-terms[0].clone());
                terms.push(BigRational::zero());
            }
            let want = terms.iter().fold(BigRational::zero(), |a, t| a + t);
            let got = <BigRational as Scalar>::sum_all(terms.clone(), &());
            assert!(same(&got, &want), "{got} vs {want}");
            assert!(same(&super::super::balanced_sum(terms, &()), &want));
        }
        let cancel = vec![BigRational::new(1.into(), 3.into()), BigRational::new((-1).into(), 3.into())];
        assert!(same(&sum_tree(cancel), &BigRational::zero()));
    }
}
