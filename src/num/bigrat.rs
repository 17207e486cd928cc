//! `num_rational::BigRational`: exact, pure Rust. The default exact backend.
//!
//! The arithmetic does not go through `num_rational`'s operators: those
//! normalise with `num_bigint`'s binary gcd, which allocates on every step and
//! needs one step per bit even when one operand is a single word, and `Ratio`
//! addition and multiplication run one more full gcd than necessary. Here
//! addition and multiplication follow Henrici (Knuth, TAOCP vol. 2, 4.5.1):
//! only gcds of denominators with denominators or numerators are taken, and
//! the gcd is [`super::gcd`]'s. Results are reduced with a
//! positive denominator, exactly as `BigRational::new` would give them.

use super::{Guarantee, Ordered, Scalar, Sign3};
use num_bigint::{BigInt, BigUint, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

use super::gcd::gcd_natural as gcd;

/// n/d reduced with a positive denominator, as `BigRational::new` gives it,
/// with [`gcd`] instead of `num-integer`'s binary gcd (one step per bit:
/// minutes on numbers of a few hundred thousand bits). Panics if d = 0.
pub(crate) fn reduced(n: BigInt, d: BigInt) -> BigRational {
    assert!(!d.is_zero(), "a zero denominator");
    if n.is_zero() {
        return BigRational::zero();
    }
    let g = gcd(n.magnitude(), d.magnitude());
    let (ns, nm) = n.into_parts();
    let (ds, dm) = d.into_parts();
    let sign = if ns == ds { Sign::Plus } else { Sign::Minus };
    BigRational::new_raw(signed(sign, div_exact(&nm, &g)), signed(Sign::Plus, div_exact(&dm, &g)))
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
    if let (Some(a), Some(b), Some(c), Some(d)) = (xn.to_u64(), xd.to_u64(), yn.to_u64(), yd.to_u64()) {
        // One-word operands (case files' entries, kinks −b/w): the same
        // cancellation in machine words, the products in u128.
        let (g1, g2) = (gcd_u64(a, d), gcd_u64(c, b));
        let n = u128::from(a / g1) * u128::from(c / g2);
        let d = u128::from(b / g2) * u128::from(d / g1);
        return BigRational::new_raw(signed(sign, BigUint::from(n)), signed(Sign::Plus, BigUint::from(d)));
    }
    let g1 = gcd(xn, yd);
    let g2 = gcd(yn, xd);
    let n = div_exact(xn, &g1) * div_exact(yn, &g2);
    let d = div_exact(xd, &g2) * div_exact(yd, &g1);
    BigRational::new_raw(signed(sign, n), signed(Sign::Plus, d))
}

/// gcd of two words (Euclid); gcd(0, y) = y, as [`gcd`] gives.
fn gcd_u64(mut x: u64, mut y: u64) -> u64 {
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x
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
    reduced(n, signed(Sign::Plus, d))
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
    use super::super::testing::natural;
    use super::*;
    use crate::gen::Rng;

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
    fn reduced_agrees_with_num_rational() {
        let mut rng = Rng::new(13);
        for _ in 0..2000 {
            let shared = natural(&mut rng, &[100], &BigUint::one()) + 1u32;
            let sizes = [0, 1, 63, 64, 65, 300, 1000];
            let n = BigInt::from(natural(&mut rng, &sizes, &shared));
            let d = BigInt::from(natural(&mut rng, &sizes, &shared) + 1u32);
            for (n, d) in [(n.clone(), d.clone()), (-&n, d.clone()), (n.clone(), -&d), (-&n, -&d)] {
                assert!(same(&reduced(n.clone(), d.clone()), &BigRational::new(n.clone(), d.clone())), "{n}/{d}");
            }
        }
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
    fn word_sized_products_agree_with_num_rational() {
        // mul_parts' one-word path: every operand below 2^64, products up
        // to 2^128, shared factors to cancel, zero, and the largest words.
        let mut rng = Rng::new(14);
        let big = BigInt::from(u64::MAX);
        let word = |rng: &mut Rng, shared: &BigUint| {
            let n = BigInt::from(natural(rng, &[0, 1, 7, 32, 63], shared));
            let d = BigInt::from(natural(rng, &[1, 7, 32, 63], shared) + 1u32);
            let n = if rng.chance(1, 2) { -n } else { n };
            BigRational::new(n, d)
        };
        let mut cases = vec![
            (BigRational::from_integer(big.clone()), BigRational::from_integer(big.clone())),
            (BigRational::new(BigInt::one(), big.clone()), BigRational::new(-big.clone(), BigInt::from(3))),
            (BigRational::zero(), BigRational::new(BigInt::from(5), BigInt::from(7))),
        ];
        for _ in 0..3000 {
            let shared = natural(&mut rng, &[1, 20], &BigUint::one()) + 1u32;
            cases.push((word(&mut rng, &shared), word(&mut rng, &shared)));
        }
        for (x, y) in cases {
            assert!(same(&Scalar::mul(&x, &y), &(&x * &y)), "{x} * {y}");
            if !y.is_zero() {
                assert!(same(&Scalar::div(&x, &y), &(&x / &y)), "{x} / {y}");
            }
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
