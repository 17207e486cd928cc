//! Scalar backends behind one trait.
//!
//! All mathematics in reluproof is written once, generically over [`Scalar`].
//! A backend differs only in its arithmetic and declares its [`Guarantee`]:
//!
//! | backend | type | guarantee |
//! |---|---|---|
//! | `exact` | [`num_rational::BigRational`] | exact |
//! | `f64` | [`f64`] | approximate (53 bits, round to nearest) |
//! | `f64-interval` | [`Interval<f64>`] | enclosure (outward by one ulp per operation) |
//! | `gmp` | `rug::Rational` (feature `gmp`) | exact |
//! | `mpfr:BITS` | `rug::Float` (feature `gmp`) | approximate (BITS bits, round to nearest) |
//! | `interval:BITS` | `Interval<rug::Float>` (feature `gmp`) | enclosure (directed rounding) |
//! | `dyadic-interval:BITS` | [`Interval<Dyadic>`] (pure Rust, every build) | enclosure (directed rounding of exact dyadic results) |

mod bigrat;
pub(crate) use bigrat::reduced as reduced_rational;
pub mod decimal;
pub mod dyadic;
pub mod float;
mod gcd;
#[cfg(feature = "gmp")]
pub mod gmp;
pub mod interval;
pub mod parse;

pub use dyadic::Dyadic;
pub use gcd::gcd_natural;
/// gcds of naturals (Lehmer's algorithm, machine words when one side fits) and of words.
pub(crate) use gcd::{gcd_natural as big_gcd, gcd_u64};
pub use interval::{Endpoint, Interval};
pub use num_rational::BigRational;

use std::cmp::Ordering;
use std::fmt;

/// What a backend promises about the values it computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarantee {
    /// The value is the exact rational number.
    Exact,
    /// The true value lies in the printed interval (rigorous outward rounding).
    Enclosure,
    /// Rounded floating point with `bits` of precision; no rigorous bound by itself.
    Approximate {
        /// Significand precision in bits.
        bits: u32,
    },
}

impl Guarantee {
    /// The word used in reports and JSON: `exact`, `enclosure` or `approximate`.
    pub fn word(&self) -> &'static str {
        match self {
            Guarantee::Exact => "exact",
            Guarantee::Enclosure => "enclosure",
            Guarantee::Approximate { .. } => "approximate",
        }
    }
}

impl fmt::Display for Guarantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Guarantee::Approximate { bits } => write!(f, "approximate ({bits}-bit floating point)"),
            g => f.write_str(g.word()),
        }
    }
}

/// A three-valued sign. Interval backends answer [`Sign3::Undecided`] when
/// the enclosure contains zero and is not exactly zero; this is never turned
/// into a boolean silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign3 {
    /// Certainly negative.
    Negative,
    /// Certainly zero.
    Zero,
    /// Certainly positive.
    Positive,
    /// The enclosure contains zero and other numbers.
    Undecided,
}

impl Sign3 {
    /// The sign of an ordering, as a certain sign.
    pub fn of_ordering(o: Ordering) -> Self {
        match o {
            Ordering::Less => Sign3::Negative,
            Ordering::Equal => Sign3::Zero,
            Ordering::Greater => Sign3::Positive,
        }
    }
}

/// A number type the generic mathematics runs on: an ordered field, possibly
/// approximate or set-valued.
///
/// Operations take references so that big-number backends avoid copies.
/// Constructors take the backend context (`()` for exact types, the precision
/// for MPFR types).
pub trait Scalar: Clone + fmt::Debug + Send + Sync + 'static {
    /// Backend context: precision and the like.
    type Ctx: Clone + fmt::Debug + Send + Sync;

    /// The value nearest `q` (exactly `q` for exact backends; an enclosure of
    /// `q` for interval backends).
    fn from_rational(q: &BigRational, ctx: &Self::Ctx) -> Self;
    /// The integer `n`, converted as [`Scalar::from_rational`] would.
    fn from_i64(n: i64, ctx: &Self::Ctx) -> Self;
    /// `self + o`.
    fn add(&self, o: &Self) -> Self;
    /// `self - o`.
    fn sub(&self, o: &Self) -> Self;
    /// `self * o`.
    fn mul(&self, o: &Self) -> Self;
    /// `self / o`. The divisor must be nonzero; callers guarantee it.
    fn div(&self, o: &Self) -> Self;
    /// `-self`.
    fn neg(&self) -> Self;
    /// `self += o`; backends override it to reuse storage.
    fn add_assign(&mut self, o: &Self) {
        *self = self.add(o);
    }
    /// `self -= o`; backends override it to reuse storage.
    fn sub_assign(&mut self, o: &Self) {
        *self = self.sub(o);
    }
    /// `self *= o`; backends override it to reuse storage.
    fn mul_assign(&mut self, o: &Self) {
        *self = self.mul(o);
    }
    /// Three-valued sign.
    fn sign(&self) -> Sign3;
    /// The guarantee of values computed in this backend.
    fn guarantee(ctx: &Self::Ctx) -> Guarantee;
    /// Short backend name for reports (`exact`, `gmp`, `f64`, `mpfr:128`, …).
    fn backend_name(ctx: &Self::Ctx) -> String;
    /// A string for reports and JSON: `"p/q"` (or `"p"`) for exact values, a
    /// decimal for floats, `"[lo, hi]"` for intervals.
    fn render(&self) -> String;
    /// A nearby `f64`, for plots and error estimates only.
    fn to_f64_lossy(&self) -> f64;
    /// The exact rational value, where the backend holds one number exactly
    /// (all but interval backends; floats are dyadic rationals).
    fn to_rational(&self) -> Option<BigRational>;

    /// A rational lower bound of the value: the value itself for exact and
    /// float backends, the lower end for intervals. `None` if not finite.
    fn lower_rational(&self) -> Option<BigRational> {
        self.to_rational()
    }
    /// `self * self`.
    fn sqr(&self) -> Self {
        self.mul(self)
    }
    /// Three-valued comparison `self` vs `o`.
    fn cmp3(&self, o: &Self) -> Sign3 {
        self.sub(o).sign()
    }
    /// Σ `terms`. The default adds left to right from zero, so float and
    /// interval backends keep their rounding order. Exact backends override
    /// it with a balanced tree of additions ([`balanced_sum`], or unreduced
    /// fractions normalised once for `BigRational`): the value is the same
    /// reduced fraction, at a cost quasi-linear in the size of the sum
    /// instead of quadratic when the terms' denominators differ.
    fn sum_all(terms: Vec<Self>, ctx: &Self::Ctx) -> Self {
        let mut acc = Self::from_i64(0, ctx);
        for t in &terms {
            acc.add_assign(t);
        }
        acc
    }
}

/// Σ `terms` by a balanced binary tree of [`Scalar::add`]s (pairs of
/// neighbours, level by level), zero for no terms. For exact backends this is
/// the same value as a left-to-right sum; the operands of each addition have
/// about equal size, so with m terms of denominators of k bits each the cost
/// is that of O(log m) additions of the whole result rather than m of them.
pub fn balanced_sum<S: Scalar>(terms: Vec<S>, ctx: &S::Ctx) -> S {
    let mut level = terms;
    if level.is_empty() {
        return S::from_i64(0, ctx);
    }
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut it = level.into_iter();
        while let Some(x) = it.next() {
            next.push(match it.next() {
                Some(y) => x.add(&y),
                None => x,
            });
        }
        level = next;
    }
    level.pop().expect("one term left")
}

/// A scalar whose comparisons are always decided: exact rationals and
/// floating-point numbers (which are exact dyadic rationals). Needed to sort
/// kinks and to decide activation patterns.
pub trait Ordered: Scalar {
    /// Total order of the represented numbers.
    fn total_cmp(&self, o: &Self) -> Ordering;
    /// A cheap `f64` key for pre-sorting, for backends whose [`Ordered::total_cmp`]
    /// is expensive (big rationals); `None` (the default) where comparing is
    /// already cheap. It should be monotone (correctly rounded conversions
    /// are), but results never depend on it: sorts check with `total_cmp`.
    fn sort_key(&self) -> Option<f64> {
        None
    }
}

/// Random naturals for the arithmetic tests of this module.
#[cfg(test)]
pub(crate) mod testing {
    use crate::gen::Rng;
    use num_bigint::BigUint;
    use num_traits::Zero;

    /// A natural of up to `bits` bits (one of `sizes`), half the time times
    /// a factor `shared` between draws.
    pub fn natural(rng: &mut Rng, sizes: &[u64], shared: &BigUint) -> BigUint {
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
}
