//! σ(z) and σ'(z) for every activation, and the target f(x), in a
//! [`Transcendental`] backend.
//!
//! Formulas (σ' is the true derivative for the smooth activations; for the
//! piecewise polynomial ones it is the polynomial piece of the decided sign,
//! with the σ'(0) convention of the problem at a preactivation that is
//! exactly 0, as in D4):
//!
//! | activation | σ(z) | σ'(z) |
//! |---|---|---|
//! | softplus | ln1p(e^z), or z + ln1p(e^{−z}) for z > 0 | 1/(1 + e^{−z}) |
//! | tanh | tanh z | 1 − (tanh z)² |
//! | sigmoid | s = 1/(1 + e^{−z}) | s (1 − s) |
//! | GELU | z Φ(z), Φ(z) = (1 + erf(z/√2))/2 | Φ(z) + z e^{−z²/2}/√(2π) |
//! | SiLU | z s(z) | s(z) (1 + z (1 − s(z))) |
//!
//! In the interval backend each formula is evaluated by interval arithmetic
//! over enclosures of the monotone primitives (exp, ln1p, tanh, erf, x²), so
//! the result encloses σ and σ' over the whole argument interval.

use super::transcendental::Transcendental;
use crate::model::{Activation, DerivativeAtZero, Target};
use crate::num::{BigRational, Scalar, Sign3};
use std::cmp::Ordering;

/// The sign of a backend value if it is decided.
pub fn decided_sign<T: Scalar>(z: &T) -> Option<Ordering> {
    match z.sign() {
        Sign3::Negative => Some(Ordering::Less),
        Sign3::Zero => Some(Ordering::Equal),
        Sign3::Positive => Some(Ordering::Greater),
        Sign3::Undecided => None,
    }
}

/// s(z) = 1/(1 + e^{−z}).
fn logistic<T: Transcendental>(z: &T, ctx: &T::Ctx) -> T {
    let one = T::from_i64(1, ctx);
    one.div(&one.add(&z.neg().exp()))
}

/// (σ(z), σ'(z)) for the activation `act`.
///
/// `sign` is the sign of the preactivation over the whole argument `z`
/// (`None`: not decided, e.g. an interval across 0). Smooth activations use it
/// only to pick a numerically stable formula and accept `None`. Piecewise
/// polynomial activations (ReLU, leaky ReLU, |z|, ReLU^p) need it decided; at
/// `Some(Equal)` the piece follows the σ'(0) convention `conv` (D4).
///
/// # Panics
/// For a piecewise polynomial activation with `sign == None`: callers decide
/// the sign exactly (from rational θ and x, or on a segment between kinks).
pub fn sigma_and_slope<T: Transcendental>(
    act: &Activation,
    conv: DerivativeAtZero,
    z: &T,
    sign: Option<Ordering>,
    ctx: &T::Ctx,
) -> (T, T) {
    let one = T::from_i64(1, ctx);
    match act {
        Activation::Softplus => {
            let slope = logistic(z, ctx);
            let value = if sign == Some(Ordering::Greater) { z.add(&z.neg().exp().ln1p()) } else { z.exp().ln1p() };
            (value, slope)
        }
        Activation::Tanh => {
            let t = z.tanh();
            let slope = one.sub(&t.square());
            (t, slope)
        }
        Activation::Sigmoid => {
            let s = logistic(z, ctx);
            let slope = s.mul(&one.sub(&s));
            (s, slope)
        }
        Activation::Gelu => {
            let half = T::from_rational(&BigRational::new(1.into(), 2.into()), ctx);
            let phi_cdf = one.add(&z.mul(&T::frac_1_sqrt_2(ctx)).erf()).mul(&half);
            let density = z.square().mul(&half).neg().exp().mul(&T::frac_1_sqrt_2pi(ctx));
            (z.mul(&phi_cdf), phi_cdf.add(&z.mul(&density)))
        }
        Activation::Silu => {
            let s = logistic(z, ctx);
            let slope = s.mul(&one.add(&z.mul(&one.sub(&s))));
            (z.mul(&s), slope)
        }
        piecewise => {
            let s = match sign.expect("a piecewise polynomial activation needs the decided sign of z") {
                Ordering::Less => Sign3::Negative,
                Ordering::Equal => Sign3::Zero,
                Ordering::Greater => Sign3::Positive,
            };
            let piece = piecewise.piece(s, conv).expect("piecewise polynomial activation");
            let horner = |c: &[BigRational]| {
                c.iter().rev().fold(T::from_i64(0, ctx), |acc, ck| acc.mul(z).add(&T::from_rational(ck, ctx)))
            };
            (horner(&piece.value), horner(&piece.slope))
        }
    }
}

/// f(x) at a backend point x (d coordinates): exact targets through their
/// formula (for a piecewise linear target, `piece` is the (slope, intercept)
/// of the piece containing x, decided by the caller); `sin` through
/// [`Transcendental::sin`].
pub fn target_value<T: Transcendental>(
    target: &Target,
    x: &[T],
    piece: Option<&(BigRational, BigRational)>,
    ctx: &T::Ctx,
) -> T {
    let conv = |q: &BigRational| T::from_rational(q, ctx);
    match target {
        Target::Constant(xi) => conv(xi),
        Target::Affine { slope, intercept } => {
            slope.iter().zip(x).fold(conv(intercept), |acc, (a, xk)| acc.add(&conv(a).mul(xk)))
        }
        Target::PiecewiseLinear { .. } => {
            let (s, t) = piece.expect("the piece of a piecewise linear target");
            conv(t).add(&conv(s).mul(&x[0]))
        }
        Target::Sin => x[0].sin(),
    }
}
