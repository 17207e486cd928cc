//! Empirical measures Σ_i p_i δ_{x_i}: L and G as finite sums, enclosed
//! rigorously (`Interval<rug::Float>`) or approximated (`rug::Float`).

use super::activation::target_value;
use super::sums::{weighted_evaluation, Atom};
use super::transcendental::Transcendental;
use crate::model::case::Case;
use crate::model::Measure;
use crate::num::BigRational;
use crate::objective::Evaluation;
use num_traits::{Signed, Zero};
use std::cmp::Ordering;

/// The atoms of an empirical measure in backend `T`. Each preactivation
/// z_ij = w_j·x_i + b_j and each exact target value f(x_i) is computed
/// exactly in rationals and converted once (one outward rounding for
/// intervals); the sign of z_ij is decided exactly, so ReLU-type activations
/// take the piece of D4 (σ'(0) by the problem's convention). `sin x_i` is
/// enclosed from the enclosure of x_i.
///
/// # Panics
/// If the measure is not empirical.
pub fn atoms<T: Transcendental>(case: &Case, ctx: &T::Ctx) -> Vec<Atom<T>> {
    let Measure::Empirical { points, weights } = &case.problem.measure else {
        panic!("empirical atoms of a non-empirical measure")
    };
    let th = &case.theta;
    let conv = |q: &BigRational| T::from_rational(q, ctx);
    points
        .iter()
        .zip(weights)
        .map(|(x, p)| {
            let z: Vec<BigRational> = (0..th.width())
                .map(|j| th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi))
                .collect();
            let signs = z
                .iter()
                .map(|zj| {
                    Some(if zj.is_zero() {
                        Ordering::Equal
                    } else if zj.is_positive() {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    })
                })
                .collect();
            let xs: Vec<T> = x.iter().map(conv).collect();
            let target = match case.problem.target.value_at(x) {
                Some(f) => conv(&f),
                None => target_value(&case.problem.target, &xs, None, ctx),
            };
            Atom { x: xs, weight: conv(p), z: z.iter().map(conv).collect(), signs, target }
        })
        .collect()
}

/// L(θ) and G(θ) on an empirical measure in backend `T`:
/// L = Σ_i p_i e_i², G as in [`weighted_evaluation`]. With
/// `T = Interval<rug::Float>` a rigorous enclosure (every rounding outward,
/// monotone primitives at directed-rounded endpoints); with `T = rug::Float`
/// round to nearest, no bound by itself.
pub fn evaluate_empirical<T: Transcendental>(case: &Case, ctx: &T::Ctx) -> Evaluation<T> {
    let theta = case.theta.map(|q| T::from_rational(q, ctx));
    weighted_evaluation(&atoms::<T>(case, ctx), &theta, &case.problem, ctx)
}
