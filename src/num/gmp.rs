//! GMP and MPFR backends (cargo feature `gmp`): `rug::Rational` (exact),
//! `rug::Float` at a chosen precision (approximate, round to nearest), and
//! `Interval<rug::Float>` (enclosure, MPFR directed rounding).

use super::interval::{Direction, Endpoint};
use super::{Guarantee, Ordered, Scalar, Sign3};
use num_bigint::{BigInt, Sign};
use num_rational::BigRational;
use rug::float::{Round, Special};
use rug::integer::Order;
use rug::ops::AssignRound;
use rug::{Float, Integer, Rational};
use std::cmp::Ordering;

/// Exact conversion `num_bigint::BigInt` → `rug::Integer`.
pub fn integer_from_bigint(n: &BigInt) -> Integer {
    let (sign, digits) = n.to_u32_digits();
    let m = Integer::from_digits(&digits, Order::Lsf);
    if sign == Sign::Minus {
        -m
    } else {
        m
    }
}

/// Exact conversion `rug::Integer` → `num_bigint::BigInt`.
pub fn bigint_from_integer(n: &Integer) -> BigInt {
    let digits = n.to_digits::<u32>(Order::Lsf);
    let sign = match n.cmp0() {
        Ordering::Less => Sign::Minus,
        Ordering::Equal => Sign::NoSign,
        Ordering::Greater => Sign::Plus,
    };
    BigInt::from_slice(sign, &digits)
}

/// Exact conversion `BigRational` → `rug::Rational`.
pub fn rational_from_big(q: &BigRational) -> Rational {
    Rational::from((integer_from_bigint(q.numer()), integer_from_bigint(q.denom())))
}

/// Exact conversion `rug::Rational` → `BigRational`.
pub fn big_from_rational(q: &Rational) -> BigRational {
    BigRational::new_raw(bigint_from_integer(q.numer()), bigint_from_integer(q.denom()))
}

impl Scalar for Rational {
    type Ctx = ();

    fn from_rational(q: &BigRational, _: &()) -> Self {
        rational_from_big(q)
    }
    fn from_i64(n: i64, _: &()) -> Self {
        Rational::from(n)
    }
    fn add(&self, o: &Self) -> Self {
        Rational::from(self + o)
    }
    fn sub(&self, o: &Self) -> Self {
        Rational::from(self - o)
    }
    fn mul(&self, o: &Self) -> Self {
        Rational::from(self * o)
    }
    fn div(&self, o: &Self) -> Self {
        Rational::from(self / o)
    }
    fn neg(&self) -> Self {
        Rational::from(-self)
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn sub_assign(&mut self, o: &Self) {
        *self -= o;
    }
    fn mul_assign(&mut self, o: &Self) {
        *self *= o;
    }
    fn sign(&self) -> Sign3 {
        Sign3::of_ordering(self.cmp0())
    }
    fn guarantee(_: &()) -> Guarantee {
        Guarantee::Exact
    }
    fn backend_name(_: &()) -> String {
        "gmp".into()
    }
    fn render(&self) -> String {
        self.to_string()
    }
    fn to_f64_lossy(&self) -> f64 {
        self.to_f64()
    }
    fn to_rational(&self) -> Option<BigRational> {
        Some(big_from_rational(self))
    }
    fn sum_all(terms: Vec<Self>, ctx: &()) -> Self {
        super::balanced_sum(terms, ctx)
    }
}

impl Ordered for Rational {
    fn total_cmp(&self, o: &Self) -> Ordering {
        self.cmp(o)
    }
    fn sort_key(&self) -> Option<f64> {
        Some(self.to_f64())
    }
}

/// The working precision of an MPFR backend, in bits.
pub type Precision = u32;

fn digits_for(prec: u32) -> usize {
    (prec as f64 * std::f64::consts::LOG10_2).ceil() as usize + 1
}

impl Scalar for Float {
    type Ctx = Precision;

    fn from_rational(q: &BigRational, prec: &Precision) -> Self {
        Float::with_val(*prec, &rational_from_big(q))
    }
    fn from_i64(n: i64, prec: &Precision) -> Self {
        Float::with_val(*prec, n)
    }
    fn add(&self, o: &Self) -> Self {
        Float::with_val(self.prec(), self + o)
    }
    fn sub(&self, o: &Self) -> Self {
        Float::with_val(self.prec(), self - o)
    }
    fn mul(&self, o: &Self) -> Self {
        Float::with_val(self.prec(), self * o)
    }
    fn div(&self, o: &Self) -> Self {
        Float::with_val(self.prec(), self / o)
    }
    fn neg(&self) -> Self {
        Float::with_val(self.prec(), -self)
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn sign(&self) -> Sign3 {
        match self.cmp0() {
            Some(o) => Sign3::of_ordering(o),
            None => Sign3::Undecided,
        }
    }
    fn guarantee(prec: &Precision) -> Guarantee {
        Guarantee::Approximate { bits: *prec }
    }
    fn backend_name(prec: &Precision) -> String {
        format!("mpfr:{prec}")
    }
    fn render(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        self.to_string_radix(10, Some(digits_for(self.prec())))
    }
    fn to_f64_lossy(&self) -> f64 {
        self.to_f64()
    }
    fn to_rational(&self) -> Option<BigRational> {
        Float::to_rational(self).map(|q| big_from_rational(&q))
    }
}

impl Ordered for Float {
    fn total_cmp(&self, o: &Self) -> Ordering {
        self.total_cmp(o)
    }
}

fn rounded(prec: u32, r: Round, f: impl FnOnce(&mut Float, Round)) -> Float {
    let mut x = Float::new(prec);
    f(&mut x, r);
    x
}

impl Endpoint for Float {
    type Ctx = Precision;
    fn from_rational_down(q: &BigRational, prec: &Precision) -> Float {
        Float::with_val_round(*prec, &rational_from_big(q), Round::Down).0
    }
    fn from_rational_up(q: &BigRational, prec: &Precision) -> Float {
        Float::with_val_round(*prec, &rational_from_big(q), Round::Up).0
    }
    fn add_down(&self, o: &Float) -> Float {
        rounded(self.prec(), Round::Down, |x, r| {
            x.assign_round(self + o, r);
        })
    }
    fn add_up(&self, o: &Float) -> Float {
        rounded(self.prec(), Round::Up, |x, r| {
            x.assign_round(self + o, r);
        })
    }
    fn mul_down(&self, o: &Float) -> Float {
        rounded(self.prec(), Round::Down, |x, r| {
            x.assign_round(self * o, r);
        })
    }
    fn mul_up(&self, o: &Float) -> Float {
        rounded(self.prec(), Round::Up, |x, r| {
            x.assign_round(self * o, r);
        })
    }
    fn div_down(&self, o: &Float) -> Float {
        rounded(self.prec(), Round::Down, |x, r| {
            x.assign_round(self / o, r);
        })
    }
    fn div_up(&self, o: &Float) -> Float {
        rounded(self.prec(), Round::Up, |x, r| {
            x.assign_round(self / o, r);
        })
    }
    fn neg(&self) -> Float {
        Float::with_val(self.prec(), -self)
    }
    fn partial(&self, o: &Float) -> Option<Ordering> {
        self.partial_cmp(o)
    }
    fn sign_of(&self) -> Option<Ordering> {
        self.cmp0()
    }
    fn is_finite_endpoint(&self) -> bool {
        self.is_finite()
    }
    fn infinity(negative: bool, like: &Float) -> Float {
        let s = if negative { Special::NegInfinity } else { Special::Infinity };
        Float::with_val(like.prec(), s)
    }
    fn exact(&self) -> Option<BigRational> {
        Float::to_rational(self).map(|q| big_from_rational(&q))
    }
    fn approx(&self) -> f64 {
        self.to_f64()
    }
    fn decimal_digits(&self) -> usize {
        digits_for(self.prec())
    }
    fn interval_name(prec: &Precision) -> String {
        format!("interval:{prec}")
    }
    fn render_directed(&self, dir: Direction) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let round = if dir == Direction::Down { Round::Down } else { Round::Up };
        self.to_string_radix_round(10, Some(digits_for(self.prec())), round)
    }
}
