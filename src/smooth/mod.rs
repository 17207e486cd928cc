//! Smooth activations (E3) and the `sin` target: L(θ), G(θ), V(θ) and
//! ⟨∇V, G⟩ where the values are not rational, in MPFR or in pure-Rust dyadic intervals.
//!
//! - **Empirical measures** Σ_i p_i δ_{x_i}: L and G are finite sums of
//!   transcendental terms. [`enclosure`] encloses them RIGOROUSLY with
//!   `Interval<rug::Float>` (directed rounding; monotone primitives exp, ln1p,
//!   tanh, erf at the endpoints rounded outward, everything else by interval
//!   arithmetic, see [`activation`]); [`approximation`] computes them in
//!   `rug::Float`, round to nearest.
//! - **Lebesgue / uniform measures on [a, b]** (d = 1): [`approximation`] uses
//!   composite Gauss–Legendre quadrature, split at the kinks of ReLU-type
//!   activations and the knots of a piecewise linear target, and reports an
//!   error ESTIMATE (the difference between P and 2P panels) that is NOT
//!   rigorous. [`enclosure`] gives a rigorous but coarse (second-order) panel
//!   enclosure, see [`quadrature::evaluate_panels`].
//!
//! G is D4 with σ' the true derivative for the smooth activations (softplus
//! ln(1 + e^z), tanh, sigmoid, GELU z Φ(z), SiLU z/(1 + e^{−z})); for the
//! piecewise polynomial ones (with the `sin` target) it is D4 with the
//! problem's σ'(0) convention. V(θ) = ‖θ‖² + (c − 2ξ)² with ξ the problem's
//! reference constant (the target for a constant one, 0 for `sin`), as in
//! [`crate::lyapunov`].
//!
//! Rigorous enclosures on empirical measures run in every build: with
//! `Interval<Dyadic>` (pure Rust, [`crate::num::dyadic`]) by default and with
//! `Interval<rug::Float>` (MPFR) with the `gmp` feature ([`Engine`]). The
//! MPFR approximations and the quadrature of interval measures need the
//! `gmp` feature; without it [`unavailable`] explains why.

use crate::model::case::Case;
use crate::model::{Measure, Problem};

pub mod activation;
pub mod empirical;
#[cfg(feature = "gmp")]
pub mod jet;
#[cfg(feature = "gmp")]
pub mod quadrature;
pub mod sums;
pub mod transcendental;

#[cfg(feature = "gmp")]
pub use gmp_api::*;

use crate::num::Scalar;
use transcendental::Transcendental;

/// The arithmetic that encloses transcendental values (E3, C2(b)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `Interval<Dyadic>`: pure-Rust dyadic intervals, every build.
    Dyadic,
    /// `Interval<rug::Float>`: MPFR intervals (feature `gmp`).
    #[cfg(feature = "gmp")]
    Mpfr,
}

impl Engine {
    /// The engine of this build: MPFR with the `gmp` feature, else the
    /// pure-Rust dyadic intervals.
    pub fn default_for_build() -> Self {
        #[cfg(feature = "gmp")]
        return Engine::Mpfr;
        #[cfg(not(feature = "gmp"))]
        return Engine::Dyadic;
    }
    /// How enclosures at `bits` bits are computed, for reports: e.g.
    /// `256-bit dyadic intervals, pure Rust` or `256-bit MPFR intervals`.
    pub fn describe(&self, bits: u32) -> String {
        match self {
            Engine::Dyadic => format!("{bits}-bit dyadic intervals, pure Rust"),
            #[cfg(feature = "gmp")]
            Engine::Mpfr => format!("{bits}-bit MPFR intervals"),
        }
    }
}

/// Rigorous enclosures of L, G, V, ⟨∇V, G⟩, 8L, Q_j, ⟨∇Q_j, G⟩ on an
/// empirical measure in `bits`-bit dyadic intervals (pure Rust, every
/// build): the finite sums with every operation rounded outward.
pub fn dyadic_enclosure(
    case: &Case,
    bits: u32,
) -> Result<crate::lyapunov::Summary<crate::num::Interval<crate::num::Dyadic>>, String> {
    type D = crate::num::Interval<crate::num::Dyadic>;
    if !matches!(case.problem.measure, Measure::Empirical { .. }) {
        return Err(format!(
            "{}: without the gmp feature, smooth activations and the sin target are enclosed on empirical measures only (dyadic intervals); integrals over [a, b] need the gmp feature: cargo run --release --features gmp -- … (GMP's build needs m4: apt-get install -y m4)",
            describe(&case.problem)
        ));
    }
    let ev = empirical::evaluate_empirical::<D>(case, &bits);
    let theta = case.theta.map(|q| D::from_rational(q, &bits));
    let xi = D::from_rational(&case.problem.reference_constant(), &bits);
    Ok(crate::lyapunov::summarize(&theta, &xi, ev, &bits))
}

/// The enclosures of ⟨∇V, G⟩ − 8L (the defect of C3's identity) and of
/// ⟨∇V, G⟩ on an empirical measure, in the enclosure backend `T` (with
/// `T = Interval<Dyadic>` or `Interval<rug::Float>`, every value of the
/// finite sums rounded outward).
pub fn identity_defect_in<T: Transcendental>(case: &Case, ctx: &T::Ctx) -> Result<(T, T), String> {
    if !matches!(case.problem.measure, Measure::Empirical { .. }) {
        return Err(format!(
            "{}: the certified defect is computed on empirical measures only",
            describe(&case.problem)
        ));
    }
    let ev = empirical::evaluate_empirical::<T>(case, ctx);
    let theta = case.theta.map(|q| T::from_rational(q, ctx));
    let xi = T::from_rational(&case.problem.reference_constant(), ctx);
    let s = crate::lyapunov::summarize(&theta, &xi, ev, ctx);
    Ok((s.grad_v_dot_g.sub(&s.eight_risk), s.grad_v_dot_g))
}

/// Whether the problem's values are not rational (a smooth activation or the
/// `sin` target), so that exact evaluation (`crate::objective`) does not apply
/// and this module does.
pub fn needs_smooth_path(p: &Problem) -> bool {
    !p.activation.is_piecewise_polynomial() || !p.target.is_exact()
}

/// What the problem is, for messages: e.g. `softplus with target xi = 1`.
pub fn describe(p: &Problem) -> String {
    format!("{} with target {}", p.activation.describe(), p.target.describe())
}

/// The error returned by every smooth evaluation in a build without MPFR.
pub fn unavailable(p: &Problem) -> String {
    format!(
        "{} is not rational-valued: on empirical measures use --backend interval[:BITS] (rigorous dyadic interval enclosures in this build); MPFR values and integrals over [a, b] need the gmp feature: build with `cargo run --release --features gmp -- …` (GMP's build needs m4: apt-get install -y m4)",
        describe(p)
    )
}

#[cfg(feature = "gmp")]
mod gmp_api {
    use super::quadrature;
    use crate::lyapunov::{summarize, Summary};
    use crate::model::case::Case;
    use crate::model::Measure;
    use crate::num::{Interval, Scalar};
    use crate::objective::Evaluation;
    use rug::Float;

    /// How an enclosure was obtained.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum EnclosureMethod {
        /// Empirical measure: the finite sums themselves, enclosed.
        DirectSums,
        /// Interval measure: the panel enclosure with this many panels
        /// (coarse, second order).
        Panels(usize),
    }

    /// A rigorous enclosure of L, G, V, ⟨∇V, G⟩, … (see [`enclosure`]).
    #[derive(Clone, Debug)]
    pub struct SmoothEnclosure {
        /// Every value of `eval`, as intervals that contain the true values.
        pub summary: Summary<Interval<Float>>,
        /// How the enclosure was obtained.
        pub method: EnclosureMethod,
    }

    impl SmoothEnclosure {
        /// A line for humans on how the enclosure was computed, or `None` for
        /// the direct sums.
        pub fn note(&self) -> Option<String> {
            match self.method {
                EnclosureMethod::DirectSums => None,
                EnclosureMethod::Panels(n) => Some(format!(
                    "rigorous but coarse enclosure of the integrals over [a, b]: {n} panels, each panel's integral enclosed by the midpoint rule with its remainder bounded through second-order jets (width O(1/{n}^2)), intersected with (length) x (range of the integrand); for accurate values use --backend mpfr (Gauss-Legendre quadrature)"
                )),
            }
        }
    }

    /// The non-rigorous error estimate of a quadrature (see [`approximation`]).
    #[derive(Clone, Debug, PartialEq)]
    pub struct QuadratureEstimate {
        /// Gauss–Legendre points per panel.
        pub order: usize,
        /// Panels of the coarser of the two evaluations (the reported one has twice as many).
        pub panels: usize,
        /// max over L, G, V, ⟨∇V, G⟩, 8L, Q_j, ⟨∇Q_j, G⟩ of |value(2P panels) − value(P panels)|.
        pub estimate: f64,
    }

    impl QuadratureEstimate {
        /// A line for humans, saying that the estimate is not rigorous.
        pub fn note(&self) -> String {
            format!(
                "composite Gauss-Legendre quadrature, {} points per panel on {} panels (split at kinks and knots); estimated |error| <= {:.3e} (difference from {} panels: an ESTIMATE, NOT rigorous)",
                self.order,
                2 * self.panels,
                self.estimate,
                self.panels
            )
        }
    }

    /// An MPFR approximation of L, G, V, ⟨∇V, G⟩, … (see [`approximation`]).
    #[derive(Clone, Debug)]
    pub struct SmoothApproximation {
        /// Every value of `eval`, round to nearest.
        pub summary: Summary<Float>,
        /// For interval measures: the quadrature's error estimate.
        pub quadrature: Option<QuadratureEstimate>,
    }

    fn summary_of<S: Scalar>(case: &Case, ev: Evaluation<S>, ctx: &S::Ctx) -> Summary<S> {
        let theta = case.theta.map(|q| S::from_rational(q, ctx));
        let xi = S::from_rational(&case.problem.reference_constant(), ctx);
        summarize(&theta, &xi, ev, ctx)
    }

    fn values<S: Scalar>(s: &Summary<S>) -> Vec<&S> {
        let mut v = vec![&s.risk, &s.lyapunov, &s.grad_v_dot_g, &s.eight_risk];
        v.extend(s.gradient.w.iter().chain(&s.gradient.b).chain(&s.gradient.v));
        v.push(&s.gradient.c);
        v.extend(s.balance.iter().chain(&s.balance_derivative));
        v
    }

    /// Rigorous enclosures of L, G (D3–D4 with σ' the true derivative), V
    /// (D5) and ⟨∇V, G⟩, 8L, Q_j, ⟨∇Q_j, G⟩ at `bits` bits.
    ///
    /// Empirical measures: the finite sums, every operation rounded outward,
    /// monotone primitives (exp, ln1p, tanh, erf) at directed-rounded
    /// endpoints, preactivations and exact target values computed exactly and
    /// rounded once. Interval measures: the coarse panel enclosure of
    /// [`quadrature::evaluate_panels`] with
    /// [`quadrature::default_enclosure_panels`] panels.
    pub fn enclosure(case: &Case, bits: u32) -> Result<SmoothEnclosure, String> {
        let (ev, method) = match &case.problem.measure {
            Measure::Empirical { .. } => {
                (super::empirical::evaluate_empirical::<Interval<Float>>(case, &bits), EnclosureMethod::DirectSums)
            }
            _ => {
                let n = quadrature::default_enclosure_panels(case.theta.width());
                (quadrature::evaluate_panels(case, bits, n)?, EnclosureMethod::Panels(n))
            }
        };
        Ok(SmoothEnclosure { summary: summary_of(case, ev, &bits), method })
    }

    /// MPFR values (round to nearest, `bits` bits) of L, G, V, ⟨∇V, G⟩, 8L,
    /// Q_j, ⟨∇Q_j, G⟩.
    ///
    /// Empirical measures: the finite sums. Interval measures: composite
    /// Gauss–Legendre quadrature ([`quadrature::evaluate_quadrature`]) on 2P
    /// panels, with the difference from P panels as a NON-rigorous error
    /// estimate.
    pub fn approximation(case: &Case, bits: u32) -> Result<SmoothApproximation, String> {
        match &case.problem.measure {
            Measure::Empirical { .. } => Ok(SmoothApproximation {
                summary: summary_of(case, super::empirical::evaluate_empirical::<Float>(case, &bits), &bits),
                quadrature: None,
            }),
            _ => {
                let (fine, coarse, order, panels) = quadrature::evaluate_quadrature(case, bits)?;
                let (fine, coarse) = (summary_of(case, fine, &bits), summary_of(case, coarse, &bits));
                let mut estimate = 0f64;
                for (x, y) in values(&fine).into_iter().zip(values(&coarse)) {
                    let d = x.sub(y).to_f64_lossy().abs();
                    estimate = if d.is_nan() { f64::INFINITY } else { estimate.max(d) };
                }
                Ok(SmoothApproximation {
                    summary: fine,
                    quadrature: Some(QuadratureEstimate { order, panels, estimate }),
                })
            }
        }
    }

    /// The enclosure of ⟨∇V, G⟩ − 8L (the defect of C3's identity) and of
    /// ⟨∇V, G⟩ on an empirical measure, at `bits` bits, in MPFR intervals.
    pub fn identity_defect(case: &Case, bits: u32) -> Result<(Interval<Float>, Interval<Float>), String> {
        super::identity_defect_in::<Interval<Float>>(case, &bits)
    }
}
