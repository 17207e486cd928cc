//! The step bounds of C9 and C14: γ* = 1/(K(1 + V(Θ_0))) and its sharper
//! relative γ′* = 4/(K′(1 + V(Θ_0))), with the constants they rest on.

use crate::lyapunov::lyapunov;
use crate::model::case::Case;
use crate::num::BigRational;
use num_traits::{One, Signed, Zero};

/// γ* = [2 m max{1, ρ²} (1 + V(Θ_0))]⁻¹ (C9), exactly.
pub fn gamma_star(case: &Case) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let m = case.problem.measure.mass();
    let rho2 = case.problem.measure.rho2();
    let big = if rho2 > BigRational::one() { rho2 } else { BigRational::one() };
    let v0 = lyapunov(&case.theta, xi, &());
    let denom = BigRational::from_integer(2.into()) * m * big * (BigRational::one() + v0);
    (!denom.is_zero()).then(|| BigRational::one() / denom)
}

/// ∫ (1 + ‖x‖²) dμ, exactly: m + (b³ − a³)/3 for Lebesgue measure on
/// [a, b], 1 + d (a² + ab + b²)/3 for the uniform probability on [a, b]^d,
/// Σ_i p_i (1 + ‖x_i‖²) for Σ_i p_i δ_{x_i}. `None` for a measure it does not
/// know.
pub fn second_moment(m: &crate::model::Measure) -> Option<BigRational> {
    use crate::model::Measure;
    let three = BigRational::from_integer(3.into());
    #[allow(unreachable_patterns)]
    match m {
        Measure::Lebesgue { a, b } => Some((b - a) + (b * b * b - a * a * a) / three),
        Measure::Uniform { a, b, d } => {
            Some(BigRational::one() + BigRational::from_integer((*d).into()) * (a * a + a * b + b * b) / three)
        }
        Measure::Box { a, b, probability } => {
            // ∫ x_i² over [a_i, b_i] is (b_i³ − a_i³)/3 = (b_i − a_i)(a_i² + a_i b_i + b_i²)/3.
            let mean_sq =
                a.iter().zip(b).fold(BigRational::zero(), |s, (ai, bi)| s + (ai * ai + ai * bi + bi * bi) / &three);
            let m = if *probability { BigRational::one() } else { crate::model::box_volume(a, b) };
            Some(&m + &m * mean_sq)
        }
        Measure::Empirical { points, weights } => Some(
            points
                .iter()
                .zip(weights)
                .fold(BigRational::zero(), |s, (x, p)| s + p * x.iter().fold(BigRational::one(), |t, xi| t + xi * xi)),
        ),
        _ => None,
    }
}

/// K′ = max{8m, 4∫(1 + ‖x‖²)dμ} of C13, exactly (≤ K = 8m max{1, ρ²} of C8).
pub fn sharp_constant(m: &crate::model::Measure) -> Option<BigRational> {
    let eight_m = BigRational::from_integer(8.into()) * m.mass();
    let four_moment = BigRational::from_integer(4.into()) * second_moment(m)?;
    Some(if four_moment > eight_m { four_moment } else { eight_m })
}

/// γ′* = 4 / (K′ (1 + V(Θ_0))) of C14 (≥ γ*), exactly.
pub fn gamma_prime_star(case: &Case) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let k = sharp_constant(&case.problem.measure)?;
    let v0 = lyapunov(&case.theta, xi, &());
    let denom = k * (BigRational::one() + v0);
    denom.is_positive().then(|| BigRational::from_integer(4.into()) / denom)
}

/// The rate of C14, γ (8 − γ K′ (1 + V(Θ_0))), when 0 < γ < 2γ′* (where it is
/// positive); `None` outside C14's hypothesis.
pub fn sharp_rate(case: &Case, gamma: &BigRational) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let k = sharp_constant(&case.problem.measure)?;
    let v0 = lyapunov(&case.theta, xi, &());
    let rate = gamma * (BigRational::from_integer(8.into()) - gamma * k * (BigRational::one() + v0));
    (gamma.is_positive() && rate.is_positive()).then_some(rate)
}
