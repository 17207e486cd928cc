//! How `gf` names a sliding mode (E8, src/claims/sliding.rs): exactly at the
//! start, or, when the integrator's chattering test fires, by the switching
//! surface that chattered, confirmed exactly at the last node projected onto
//! that surface.

use super::SLIDING_CROSSINGS;
use crate::claims::sliding::{samples_on_kinks, Kinks};
use crate::model::case::Case;
use crate::model::{Measure, Theta};
use crate::num::BigRational;
use num_traits::Signed;

/// "sliding on neuron j at sample i (…)" when θ_0 itself slides (exact).
pub fn sliding_at_start(case: &Case) -> Option<String> {
    match samples_on_kinks(case)? {
        Kinks::One(r) if r.slides() => Some(format!(
            "sliding on neuron {} at sample {} (exact, at theta_0: {}; the field points into the surface from both sides, E8)",
            r.neuron + 1,
            r.sample + 1,
            r.describe()
        )),
        _ => None,
    }
}

/// The chattering surface as "sliding on neuron j at sample i (…)", for
/// empirical measures: `crossings` counts crossings per (sample of positive
/// weight, neuron) slot, in the order of the integrator's pieces. The last
/// node θ_t is projected onto that surface (b_j := −w_j·x_i, exactly) and the
/// E8 rates are evaluated there; the text says whether they confirm it.
pub fn name_chattering(case: &Case, theta: &Theta<BigRational>, t: f64, crossings: &[usize]) -> Option<String> {
    let Measure::Empirical { points, weights } = &case.problem.measure else { return None };
    let h = theta.width();
    let k = crossings.iter().position(|&n| n >= SLIDING_CROSSINGS)?;
    let live: Vec<usize> = (0..points.len()).filter(|&i| weights[i].is_positive()).collect();
    let (i, j) = (*live.get(k / h)?, k % h);
    let mut projected = theta.clone();
    let wx = projected.w_row(j).iter().zip(&points[i]).fold(BigRational::default(), |s, (w, x)| s + w * x);
    projected.b[j] = -wx;
    let at = Case { theta: projected, ..case.clone() };
    let how = match samples_on_kinks(&at) {
        Some(Kinks::One(r)) if (r.neuron, r.sample) == (j, i) && r.slides() => format!(
            "the integrator chattered across it near t = {t:.6e}; confirmed exactly at the last node projected onto w_j.x_i + b_j = 0: {}",
            r.describe()
        ),
        _ => format!(
            "the integrator chattered across w_j.x_i + b_j = 0 near t = {t:.6e}; the exact E8 rates at the projected node do not confirm it"
        ),
    };
    Some(format!("sliding on neuron {} at sample {} ({how})", j + 1, i + 1))
}
