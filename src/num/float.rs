//! `f64`: fast, approximate (53-bit significand, round to nearest).

use super::{parse::rational_from_f64_exact, Guarantee, Ordered, Scalar, Sign3};
use num_rational::BigRational;
use num_traits::ToPrimitive;
use std::cmp::Ordering;

/// Shortest round-trip decimal of an `f64`, in scientific notation outside
/// [1e-6, 1e16) so that strings stay short.
pub fn render_f64(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || (1e-6..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

impl Scalar for f64 {
    type Ctx = ();

    fn from_rational(q: &BigRational, _: &()) -> Self {
        q.to_f64().unwrap_or(f64::NAN)
    }
    fn from_i64(n: i64, _: &()) -> Self {
        n as f64
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn div(&self, o: &Self) -> Self {
        self / o
    }
    fn neg(&self) -> Self {
        -self
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn sign(&self) -> Sign3 {
        match self.partial_cmp(&0.0) {
            Some(o) => Sign3::of_ordering(o),
            None => Sign3::Undecided,
        }
    }
    fn guarantee(_: &()) -> Guarantee {
        Guarantee::Approximate { bits: 53 }
    }
    fn backend_name(_: &()) -> String {
        "f64".into()
    }
    fn render(&self) -> String {
        render_f64(*self)
    }
    fn to_f64_lossy(&self) -> f64 {
        *self
    }
    fn to_rational(&self) -> Option<BigRational> {
        rational_from_f64_exact(*self).ok()
    }
}

impl Ordered for f64 {
    fn total_cmp(&self, o: &Self) -> Ordering {
        f64::total_cmp(self, o)
    }
}
