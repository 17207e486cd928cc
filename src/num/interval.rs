//! Closed intervals with outward rounding: the enclosure backends.
//!
//! One generic [`Interval`] over an [`Endpoint`] type: `f64` (each inexact
//! operation widened by one ulp, which is rigorous because round-to-nearest
//! errs by at most half an ulp) and, with the `gmp` feature, `rug::Float`
//! (MPFR's directed rounding). Comparisons are three-valued through
//! [`Sign3`]; an interval that straddles zero answers `Undecided`.

use super::decimal::{scientific, Rounding};
use super::{parse::rational_from_f64_exact, Guarantee, Scalar, Sign3};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};
use std::cmp::Ordering;
use std::fmt;

/// The number type of interval endpoints, with operations rounded down
/// (`_down`) or up (`_up`).
pub trait Endpoint: Clone + fmt::Debug + Send + Sync + 'static {
    /// Backend context (precision).
    type Ctx: Clone + fmt::Debug + Send + Sync;
    /// Largest endpoint ≤ q.
    fn from_rational_down(q: &BigRational, ctx: &Self::Ctx) -> Self;
    /// Smallest endpoint ≥ q.
    fn from_rational_up(q: &BigRational, ctx: &Self::Ctx) -> Self;
    /// A lower bound of `a + b`.
    fn add_down(&self, o: &Self) -> Self;
    /// An upper bound of `a + b`.
    fn add_up(&self, o: &Self) -> Self;
    /// A lower bound of `a * b`.
    fn mul_down(&self, o: &Self) -> Self;
    /// An upper bound of `a * b`.
    fn mul_up(&self, o: &Self) -> Self;
    /// A lower bound of `a / b` (b ≠ 0).
    fn div_down(&self, o: &Self) -> Self;
    /// An upper bound of `a / b` (b ≠ 0).
    fn div_up(&self, o: &Self) -> Self;
    /// `-a`, exact.
    fn neg(&self) -> Self;
    /// Order; `None` for NaN.
    fn partial(&self, o: &Self) -> Option<Ordering>;
    /// Sign; `None` for NaN.
    fn sign_of(&self) -> Option<Ordering>;
    /// Neither ±∞ nor NaN.
    fn is_finite_endpoint(&self) -> bool;
    /// ±∞.
    fn infinity(negative: bool, ctx_of: &Self) -> Self;
    /// The exact value, if finite.
    fn exact(&self) -> Option<BigRational>;
    /// Nearest `f64`.
    fn approx(&self) -> f64;
    /// Significant decimal digits used when printing.
    fn decimal_digits(&self) -> usize;
    /// The backend name of intervals over this endpoint.
    fn interval_name(ctx: &Self::Ctx) -> String;
    /// The endpoint in decimal, rounded in the given direction so that a
    /// printed bound remains a bound.
    fn render_directed(&self, dir: Direction) -> String {
        match self.exact() {
            Some(q) => scientific(&q, self.decimal_digits(), dir.into()),
            None if self.sign_of() == Some(Ordering::Less) => "-inf".into(),
            None => "inf".into(),
        }
    }
}

/// A closed interval `[lo, hi]` that encloses the true value.
///
/// ```
/// use reluproof::num::{Interval, Scalar, Sign3};
/// use reluproof::num::parse::parse_rational;
/// let third = Interval::<f64>::from_rational(&parse_rational("1/3").unwrap(), &());
/// let one = third.add(&third).add(&third);
/// // 1 is inside, and the sign of (1/3+1/3+1/3) - 1 is not decided:
/// assert_eq!(one.sub(&Interval::from_i64(1, &())).sign(), Sign3::Undecided);
/// assert_eq!(one.sign(), Sign3::Positive);
/// ```
#[derive(Clone, Debug)]
pub struct Interval<E: Endpoint> {
    /// Lower end.
    pub lo: E,
    /// Upper end.
    pub hi: E,
}

impl<E: Endpoint> Interval<E> {
    fn entire(like: &E) -> Self {
        Interval { lo: E::infinity(true, like), hi: E::infinity(false, like) }
    }
    fn checked(lo: E, hi: E) -> Self {
        match (lo.sign_of(), hi.sign_of()) {
            (Some(_), Some(_)) => Interval { lo, hi },
            _ => Self::entire(&lo),
        }
    }
    fn min_max(v: [E; 4]) -> Option<(E, E)> {
        let mut lo = v[0].clone();
        let mut hi = v[0].clone();
        for x in &v[1..] {
            if x.partial(&lo)? == Ordering::Less {
                lo = x.clone();
            }
            if x.partial(&hi)? == Ordering::Greater {
                hi = x.clone();
            }
        }
        v[0].sign_of()?;
        Some((lo, hi))
    }
    /// `Greater` if `[lo, hi]` lies in [0, ∞), `Less` if in (−∞, 0], both
    /// ends finite; `None` if it straddles 0 or has an infinite or NaN end.
    fn side(lo: &E, hi: &E) -> Option<Ordering> {
        if !(lo.is_finite_endpoint() && hi.is_finite_endpoint()) {
            return None;
        }
        match (lo.sign_of()?, hi.sign_of()?) {
            (Ordering::Greater | Ordering::Equal, _) => Some(Ordering::Greater),
            (_, Ordering::Less | Ordering::Equal) => Some(Ordering::Less),
            _ => None,
        }
    }
    /// Whether the exact rational `q` lies in the interval (a rigorous test).
    pub fn contains(&self, q: &BigRational) -> bool {
        let lo_ok = match self.lo.exact() {
            Some(l) => &l <= q,
            None => self.lo.sign_of() == Some(Ordering::Less),
        };
        let hi_ok = match self.hi.exact() {
            Some(h) => q <= &h,
            None => self.hi.sign_of() == Some(Ordering::Greater),
        };
        lo_ok && hi_ok
    }
    /// Width `hi - lo` as an `f64`, rounded up (∞ when unbounded).
    pub fn width_f64(&self) -> f64 {
        match (self.lo.exact(), self.hi.exact()) {
            (Some(l), Some(h)) => {
                let w = (h - l).to_f64().unwrap_or(f64::INFINITY);
                if w == 0.0 {
                    0.0
                } else {
                    w.next_up()
                }
            }
            _ => f64::INFINITY,
        }
    }
}

impl<E: Endpoint> Scalar for Interval<E> {
    type Ctx = E::Ctx;

    fn from_rational(q: &BigRational, ctx: &E::Ctx) -> Self {
        Interval { lo: E::from_rational_down(q, ctx), hi: E::from_rational_up(q, ctx) }
    }
    fn from_i64(n: i64, ctx: &E::Ctx) -> Self {
        Self::from_rational(&BigRational::from_integer(n.into()), ctx)
    }
    fn add(&self, o: &Self) -> Self {
        Self::checked(self.lo.add_down(&o.lo), self.hi.add_up(&o.hi))
    }
    fn sub(&self, o: &Self) -> Self {
        Self::checked(self.lo.add_down(&o.hi.neg()), self.hi.add_up(&o.lo.neg()))
    }
    fn mul(&self, o: &Self) -> Self {
        let (a, b, c, d) = (&self.lo, &self.hi, &o.lo, &o.hi);
        // When neither factor straddles 0 and all four ends are finite, which
        // products are extreme is known from the signs (and directed rounding
        // is monotone, so it keeps that order): 2 directed products instead
        // of 8. Otherwise (mixed signs, ±∞, NaN) take min and max of all.
        if let (Some(x), Some(y)) = (Self::side(a, b), Self::side(c, d)) {
            let (lo, hi) = match (x, y) {
                (Ordering::Greater, Ordering::Greater) => (a.mul_down(c), b.mul_up(d)),
                (Ordering::Greater, _) => (b.mul_down(c), a.mul_up(d)),
                (_, Ordering::Greater) => (a.mul_down(d), b.mul_up(c)),
                _ => (b.mul_down(d), a.mul_up(c)),
            };
            return Self::checked(lo, hi);
        }
        let lows = [a.mul_down(c), a.mul_down(d), b.mul_down(c), b.mul_down(d)];
        let highs = [a.mul_up(c), a.mul_up(d), b.mul_up(c), b.mul_up(d)];
        match (Self::min_max(lows), Self::min_max(highs)) {
            (Some((lo, _)), Some((_, hi))) => Self::checked(lo, hi),
            _ => Self::entire(a),
        }
    }
    fn div(&self, o: &Self) -> Self {
        let straddles =
            !matches!((o.lo.sign_of(), o.hi.sign_of()), (Some(Ordering::Greater), _) | (_, Some(Ordering::Less)));
        if straddles {
            return Self::entire(&self.lo);
        }
        let (a, b, c, d) = (&self.lo, &self.hi, &o.lo, &o.hi);
        let lows = [a.div_down(c), a.div_down(d), b.div_down(c), b.div_down(d)];
        let highs = [a.div_up(c), a.div_up(d), b.div_up(c), b.div_up(d)];
        match (Self::min_max(lows), Self::min_max(highs)) {
            (Some((lo, _)), Some((_, hi))) => Self::checked(lo, hi),
            _ => Self::entire(a),
        }
    }
    fn neg(&self) -> Self {
        Interval { lo: self.hi.neg(), hi: self.lo.neg() }
    }
    fn sign(&self) -> Sign3 {
        match (self.lo.sign_of(), self.hi.sign_of()) {
            (Some(Ordering::Greater), _) => Sign3::Positive,
            (_, Some(Ordering::Less)) => Sign3::Negative,
            (Some(Ordering::Equal), Some(Ordering::Equal)) => Sign3::Zero,
            _ => Sign3::Undecided,
        }
    }
    fn guarantee(_: &E::Ctx) -> Guarantee {
        Guarantee::Enclosure
    }
    fn backend_name(ctx: &E::Ctx) -> String {
        E::interval_name(ctx)
    }
    fn render(&self) -> String {
        format!("[{}, {}]", self.lo.render_directed(Direction::Down), self.hi.render_directed(Direction::Up))
    }
    fn to_f64_lossy(&self) -> f64 {
        0.5 * self.lo.approx() + 0.5 * self.hi.approx()
    }
    fn lower_rational(&self) -> Option<BigRational> {
        self.lo.exact()
    }
    fn to_rational(&self) -> Option<BigRational> {
        match (self.lo.exact(), self.hi.exact()) {
            (Some(l), Some(h)) if l == h => Some(l),
            _ => None,
        }
    }
}

/// Rounding direction for printing bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Toward −∞.
    Down,
    /// Toward +∞.
    Up,
}

impl From<Direction> for Rounding {
    fn from(dir: Direction) -> Rounding {
        match dir {
            Direction::Down => Rounding::Floor,
            Direction::Up => Rounding::Ceil,
        }
    }
}

fn f64_widen_down(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.next_down()
    }
}
fn f64_widen_up(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.next_up()
    }
}

/// Error of the rounded sum `a + b = s + err`, exact without overflow (TwoSum).
fn two_sum_err(a: f64, b: f64, s: f64) -> f64 {
    let bb = s - a;
    (a - (s - bb)) + (b - bb)
}

/// Whether the rounded product `p = a*b` is exact (FMA residual, trusted only
/// away from the subnormal range where it is itself exact).
fn product_is_exact(a: f64, b: f64, p: f64) -> bool {
    if a == 0.0 || b == 0.0 {
        return true;
    }
    p.is_finite() && p.abs() >= 1e-280 && a.mul_add(b, -p) == 0.0
}

/// Whether the rounded quotient `q = a/b` is exact: the remainder a − q·b
/// (exact by FMA away from the subnormal range) vanishes.
fn quotient_is_exact(a: f64, b: f64, q: f64) -> bool {
    if a == 0.0 && b != 0.0 {
        return true;
    }
    q.is_finite() && q.abs() >= 1e-280 && b.abs() >= 1e-280 && (-q).mul_add(b, a) == 0.0
}

/// For `q = n/d` with |n|, d < 2^53 (exact as `f64`): the correctly rounded
/// quotient f and whether f is above, equal to or below q. The residual
/// f·d − n of a correctly rounded quotient is a float, computed exactly by
/// one fused multiply-add; its sign is the side f lies on. Case files'
/// entries (dyadic or short fractions) take this path instead of exact
/// comparisons of big rationals.
fn small_quotient(q: &BigRational) -> Option<(f64, Ordering)> {
    const LIMIT: u64 = 1 << 53;
    let n = q.numer().magnitude().to_u64().filter(|&n| n < LIMIT)?;
    let d = q.denom().magnitude().to_u64().filter(|&d| d < LIMIT)?;
    let n = if q.numer().is_negative() { -(n as f64) } else { n as f64 };
    let d = d as f64;
    let f = n / d;
    Some((f, f.mul_add(d, -n).partial_cmp(&0.0)?))
}

impl Endpoint for f64 {
    type Ctx = ();
    fn from_rational_down(q: &BigRational, _: &()) -> f64 {
        if let Some((f, side)) = small_quotient(q) {
            return if side == Ordering::Greater { f.next_down() } else { f };
        }
        let mut f = q.to_f64().unwrap_or(f64::NAN);
        if !f.is_finite() {
            return if q.is_positive() { f64::MAX } else { f64::NEG_INFINITY };
        }
        while rational_from_f64_exact(f).map(|r| &r > q).unwrap_or(false) {
            f = f.next_down();
        }
        f
    }
    fn from_rational_up(q: &BigRational, _: &()) -> f64 {
        if let Some((f, side)) = small_quotient(q) {
            return if side == Ordering::Less { f.next_up() } else { f };
        }
        let mut f = q.to_f64().unwrap_or(f64::NAN);
        if !f.is_finite() {
            return if q.is_positive() { f64::INFINITY } else { -f64::MAX };
        }
        while rational_from_f64_exact(f).map(|r| &r < q).unwrap_or(false) {
            f = f.next_up();
        }
        f
    }
    fn add_down(&self, o: &f64) -> f64 {
        let s = self + o;
        let e = two_sum_err(*self, *o, s);
        if !s.is_finite() || e.is_nan() {
            f64_widen_down(s)
        } else if e < 0.0 {
            s.next_down()
        } else {
            s
        }
    }
    fn add_up(&self, o: &f64) -> f64 {
        let s = self + o;
        let e = two_sum_err(*self, *o, s);
        if !s.is_finite() || e.is_nan() {
            f64_widen_up(s)
        } else if e > 0.0 {
            s.next_up()
        } else {
            s
        }
    }
    fn mul_down(&self, o: &f64) -> f64 {
        let p = self * o;
        if product_is_exact(*self, *o, p) {
            p
        } else {
            f64_widen_down(p)
        }
    }
    fn mul_up(&self, o: &f64) -> f64 {
        let p = self * o;
        if product_is_exact(*self, *o, p) {
            p
        } else {
            f64_widen_up(p)
        }
    }
    fn div_down(&self, o: &f64) -> f64 {
        let q = self / o;
        if quotient_is_exact(*self, *o, q) {
            q
        } else {
            f64_widen_down(q)
        }
    }
    fn div_up(&self, o: &f64) -> f64 {
        let q = self / o;
        if quotient_is_exact(*self, *o, q) {
            q
        } else {
            f64_widen_up(q)
        }
    }
    fn neg(&self) -> f64 {
        -self
    }
    fn partial(&self, o: &f64) -> Option<Ordering> {
        self.partial_cmp(o)
    }
    fn sign_of(&self) -> Option<Ordering> {
        self.partial_cmp(&0.0)
    }
    fn is_finite_endpoint(&self) -> bool {
        self.is_finite()
    }
    fn infinity(negative: bool, _: &f64) -> f64 {
        if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }
    }
    fn exact(&self) -> Option<BigRational> {
        rational_from_f64_exact(*self).ok()
    }
    fn approx(&self) -> f64 {
        *self
    }
    fn decimal_digits(&self) -> usize {
        17
    }
    fn interval_name(_: &()) -> String {
        "f64-interval".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use num_traits::Zero;

    /// The directed conversions by exact comparison only (the path taken
    /// without [`small_quotient`]).
    fn slow(q: &BigRational, up: bool) -> f64 {
        let mut f = q.to_f64().expect("finite");
        if up {
            while rational_from_f64_exact(f).unwrap() < *q {
                f = f.next_up();
            }
        } else {
            while rational_from_f64_exact(f).unwrap() > *q {
                f = f.next_down();
            }
        }
        f
    }

    #[test]
    fn small_quotients_round_like_exact_comparisons() {
        let mut rng = Rng::new(5);
        let limit = (1i64 << 53) - 1;
        for k in 0..20_000 {
            let (n, d) = match k % 3 {
                0 => (rng.range(-100, 100), rng.range(1, 50)),
                1 => (rng.range(-limit, limit), rng.range(1, limit)),
                _ => (rng.range(-(1 << 20), 1 << 20), 1i64 << rng.range(0, 40)),
            };
            let q = BigRational::new(n.into(), d.into());
            assert_eq!(f64::from_rational_down(&q, &()), slow(&q, false), "{q} down");
            assert_eq!(f64::from_rational_up(&q, &()), slow(&q, true), "{q} up");
        }
    }

    /// The sign-case product equals the min and max of all eight directed
    /// products (what `mul` computed before the shortcut), for f64 and
    /// dyadic ends of every sign, zeros and infinities included.
    #[test]
    fn sign_case_product_equals_all_eight_products() {
        fn reference<E: Endpoint>(x: &Interval<E>, y: &Interval<E>) -> Option<(E, E)> {
            let (a, b, c, d) = (&x.lo, &x.hi, &y.lo, &y.hi);
            let lo = Interval::<E>::min_max([a.mul_down(c), a.mul_down(d), b.mul_down(c), b.mul_down(d)])?.0;
            let hi = Interval::<E>::min_max([a.mul_up(c), a.mul_up(d), b.mul_up(c), b.mul_up(d)])?.1;
            Some((lo, hi))
        }
        fn same<E: Endpoint>(p: &E, q: &E) -> bool {
            p.partial(q) == Some(Ordering::Equal)
        }
        let mut rng = Rng::new(11);
        let pick = |rng: &mut Rng| -> BigRational {
            match rng.below(6) {
                0 => BigRational::zero(),
                1 => BigRational::from_integer((rng.below(2000) as i64 - 1000).into()),
                _ => {
                    BigRational::new((rng.below(1 << 20) as i64 - (1 << 19)).into(), (rng.below(999) as i64 + 1).into())
                }
            }
        };
        let mut checked = 0;
        for _ in 0..4000 {
            let mut ends = [pick(&mut rng), pick(&mut rng), pick(&mut rng), pick(&mut rng)];
            ends[..2].sort();
            ends[2..].sort();
            let f = |lo: &BigRational, hi: &BigRational| Interval::<f64> {
                lo: f64::from_rational_down(lo, &()),
                hi: f64::from_rational_up(hi, &()),
            };
            let (x, y) = (f(&ends[0], &ends[1]), f(&ends[2], &ends[3]));
            let got = x.mul(&y);
            let (lo, hi) = reference(&x, &y).expect("finite");
            assert!(same(&got.lo, &lo) && same(&got.hi, &hi), "{x:?} * {y:?}: {got:?} vs [{lo}, {hi}]");
            let g = |lo: &BigRational, hi: &BigRational| Interval::<crate::num::Dyadic> {
                lo: crate::num::Dyadic::from_rational_down(lo, &24),
                hi: crate::num::Dyadic::from_rational_up(hi, &24),
            };
            let (x, y) = (g(&ends[0], &ends[1]), g(&ends[2], &ends[3]));
            let got = x.mul(&y);
            let (lo, hi) = reference(&x, &y).expect("finite");
            assert!(same(&got.lo, &lo) && same(&got.hi, &hi), "{x:?} * {y:?}");
            checked += 1;
        }
        assert_eq!(checked, 4000);
        // An infinite end takes the general path: [0, inf] * [-1, 0] is [-inf, 0].
        let inf = Interval::<f64> { lo: 0.0, hi: f64::INFINITY };
        let neg = Interval::<f64> { lo: -1.0, hi: 0.0 };
        let p = inf.mul(&neg);
        assert!(p.lo == f64::NEG_INFINITY || p.lo.is_nan(), "{p:?}");
    }
}
