//! `num_rational::BigRational`: exact, pure Rust. The default exact backend.

use super::{Guarantee, Ordered, Scalar, Sign3};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

impl Scalar for BigRational {
    type Ctx = ();

    fn from_rational(q: &BigRational, _: &()) -> Self {
        q.clone()
    }
    fn from_i64(n: i64, _: &()) -> Self {
        BigRational::from_integer(n.into())
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
}

impl Ordered for BigRational {
    fn total_cmp(&self, o: &Self) -> Ordering {
        self.cmp(o)
    }
}
