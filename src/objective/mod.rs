//! The risk L (D3) and the generalized gradient G (D4), in one pass.
//!
//! The combinatorial decisions (kink order, which neuron is active where) are
//! made by an [`Ordered`] backend `K`; the arithmetic runs in any [`Scalar`]
//! backend `S`. For exact and float backends `K = S`. Interval backends take
//! their decisions from the exact θ, so an enclosure never depends on an
//! undecided comparison.

pub mod boxes;
pub mod empirical;
#[doc(hidden)]
pub mod fault;
pub mod general;
pub mod sweep;

use crate::model::{Measure, Prepared, Theta};
use crate::num::{BigRational, Ordered, Scalar};
use boxes::powers::{power_integrals, PowerPlan};
use boxes::{box_integrals, BoxPlan};
use empirical::{empirical_sums, ActivationPattern};
use general::{general_integrals, GeneralPlan};
use sweep::{active_sums, sweep_sums, SweepPlan};

/// L(θ) and G(θ).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation<S> {
    /// L(θ) = ∫ (N^θ(x) − ξ)² μ(dx).
    pub risk: S,
    /// G(θ), in θ layout.
    pub gradient: Theta<S>,
}

/// The decisions an evaluation needs, made once by an ordered backend.
#[derive(Clone, Debug)]
pub enum Plan {
    /// d = 1 interval measure, papers' setting (ReLU, constant target).
    Sweep(SweepPlan),
    /// d = 1 interval measure, other piecewise polynomial activations or
    /// piecewise affine targets.
    General(GeneralPlan),
    /// Empirical measure.
    Pattern(ActivationPattern),
    /// Box measure (d ≥ 2): polytopes of pairs of neurons.
    Box(BoxPlan),
    /// Box measure (d ≥ 2) with σ = ReLU^p: the cells of the arrangement.
    BoxCells(PowerPlan),
}

/// Which evaluation path a [`Plan`] takes (tests assert it, so that a
/// comparison of two paths cannot silently compare one with itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The O(H log H) kink sweep (d = 1, papers' setting).
    Sweep,
    /// Segment-by-segment integration (d = 1, any piecewise polynomial σ and exact target).
    General,
    /// Sums over the points of an empirical measure.
    Pattern,
    /// Exact integration over box ∩ half-spaces of pairs of neurons (d ≥ 2).
    Box,
    /// Exact integration cell by cell over the arrangement of all neuron
    /// hyperplanes in a box (d ≥ 2, ReLU^p).
    BoxCells,
}

impl Plan {
    /// The path this plan takes.
    pub fn path(&self) -> Path {
        match self {
            Plan::Sweep(_) => Path::Sweep,
            Plan::General(_) => Path::General,
            Plan::Pattern(_) => Path::Pattern,
            Plan::Box(_) => Path::Box,
            Plan::BoxCells(_) => Path::BoxCells,
        }
    }
    /// Decides kink order / activation pattern of θ for the problem.
    ///
    /// # Panics
    /// On smooth activations or the `sin` target, which need MPFR (see
    /// [`smooth`](crate::smooth)), and on box measures with what the box
    /// path refuses ([`boxes::unsupported`]); case files and commands route
    /// those before evaluation.
    pub fn new<K: Ordered>(theta: &Theta<K>, prep: &Prepared<K>) -> Self {
        let problem = &prep.problem;
        assert!(
            problem.activation.is_piecewise_polynomial() && problem.target.is_exact(),
            "exact evaluation needs a piecewise polynomial activation and an exact target"
        );
        if prep.box_ends.is_some() {
            if let Some(why) = boxes::unsupported(problem) {
                panic!("{why}");
            }
            if let crate::model::Activation::ReluPow(p) = problem.activation {
                return Plan::BoxCells(PowerPlan::new(theta, prep, p));
            }
            return Plan::Box(BoxPlan::new(theta, prep));
        }
        match &problem.measure {
            Measure::Lebesgue { .. } | Measure::Uniform { d: 1, .. }
                if problem.activation != crate::model::Activation::Relu || problem.target.constant().is_none() =>
            {
                Plan::General(GeneralPlan::new(theta, prep))
            }
            Measure::Lebesgue { .. } | Measure::Uniform { d: 1, .. } => {
                let (a, b) = prep.interval.as_ref().expect("interval measure");
                Plan::Sweep(SweepPlan::new(theta, a, b, prep.problem.derivative_at_zero))
            }
            Measure::Uniform { .. } | Measure::Box { .. } => unreachable!("boxes are planned above"),
            Measure::Empirical { .. } => Plan::Pattern(ActivationPattern::new(theta, prep)),
        }
    }
}

/// L(θ) and G(θ) in an ordered backend (exact rationals or floats).
///
/// For d = 1 interval measures: the kink sweep, O(H log H). For empirical
/// measures: direct sums, O(nHd).
///
/// ```
/// use reluproof::model::case::parse_case;
/// use reluproof::objective::evaluate;
/// use reluproof::num::BigRational;
/// let case = parse_case("x.toml", r#"
///   [problem]
///   measure = "lebesgue"
///   a = "0"
///   b = "1"
///   target = "1"
///   [theta]
///   w = ["1"]
///   b = ["0"]
///   v = ["1"]
///   c = "0"
/// "#).unwrap();
/// // N(x) = x, L = ∫_0^1 (x - 1)^2 dx = 1/3.
/// let ev = evaluate::<BigRational>(&case.problem.prepare(&()), &case.theta);
/// assert_eq!(ev.risk.to_string(), "1/3");
/// ```
pub fn evaluate<S: Ordered>(prep: &Prepared<S>, theta: &Theta<S>) -> Evaluation<S> {
    let plan = Plan::new(theta, prep);
    evaluate_planned(&plan, prep, theta)
}

/// L(θ) and G(θ) in any backend, with decisions made exactly from the
/// rational θ. This is how enclosures are computed.
pub fn evaluate_from_exact<S: Scalar>(prep: &Prepared<S>, theta: &Theta<BigRational>) -> Evaluation<S> {
    let exact = prep.problem.prepare::<BigRational>(&());
    let plan = Plan::new(theta, &exact);
    let theta_s = theta.map(|q| S::from_rational(q, &prep.ctx));
    evaluate_planned(&plan, prep, &theta_s)
}

/// L(θ) and G(θ) by the general segment-by-segment integration for d = 1
/// interval measures (O(H²)), whatever the activation: the reference the fast
/// sweep is tested against. Other measures take their usual path.
pub fn evaluate_general<S: Ordered>(prep: &Prepared<S>, theta: &Theta<S>) -> Evaluation<S> {
    evaluate_general_with_path(prep, theta).0
}

/// [`evaluate_general`], with the path that ran.
pub fn evaluate_general_with_path<S: Ordered>(prep: &Prepared<S>, theta: &Theta<S>) -> (Evaluation<S>, Path) {
    let plan = match &prep.problem.measure {
        Measure::Lebesgue { .. } | Measure::Uniform { d: 1, .. } => Plan::General(GeneralPlan::new(theta, prep)),
        _ => Plan::new(theta, prep),
    };
    (evaluate_planned(&plan, prep, theta), plan.path())
}

/// [`evaluate`], with the path that ran.
pub fn evaluate_with_path<S: Ordered>(prep: &Prepared<S>, theta: &Theta<S>) -> (Evaluation<S>, Path) {
    let plan = Plan::new(theta, prep);
    (evaluate_planned(&plan, prep, theta), plan.path())
}

/// L(θ) and G(θ) along a given plan.
pub fn evaluate_planned<S: Scalar>(plan: &Plan, prep: &Prepared<S>, theta: &Theta<S>) -> Evaluation<S> {
    let ctx = &prep.ctx;
    let h = theta.width();
    let d = theta.d;
    let zero = S::from_i64(0, ctx);
    let two = S::from_i64(2, ctx);
    let mut g = theta.map(|_| zero.clone());
    let risk = match plan {
        Plan::Sweep(plan) => {
            let mut sums = sweep_sums(plan, theta, prep);
            let three = S::from_i64(3, ctx);
            // p0 holds 2∫e, p1 holds 6∫xe, j2 holds 3∫e².
            for j in 0..h {
                if let Some((e2, xe6)) = active_sums(&mut sums, j) {
                    let mut xe2 = xe6.div(&three);
                    if fault::is(fault::Fault::MomentOffByFactor) {
                        xe2 = xe2.add(&xe2);
                    }
                    let mut gv = theta.w[j].mul(&xe2);
                    gv.add_assign(&theta.b[j].mul(&e2));
                    g.w[j] = theta.v[j].mul(&xe2);
                    g.b[j] = theta.v[j].mul(&e2);
                    g.v[j] = gv;
                }
            }
            g.c = sums.total0;
            let mut risk = sums.j2.div(&three);
            if let Some(k) = prep.normaliser.as_ref().filter(|_| !fault::is(fault::Fault::UniformUnnormalised)) {
                risk = risk.mul(k);
                g = g.map(|x| x.mul(k));
            }
            risk
        }
        Plan::General(plan) => {
            let (mut risk, mut grad) = general_integrals(plan, prep, theta);
            if let Some(k) = &prep.normaliser {
                risk = risk.mul(k);
                grad = grad.map(|x| x.mul(k));
            }
            g = grad;
            risk
        }
        Plan::Box(plan) => {
            let (risk, grad) = box_integrals(plan, prep, theta);
            g = grad;
            risk
        }
        Plan::BoxCells(plan) => {
            let (risk, grad) = power_integrals(plan, prep, theta);
            g = grad;
            risk
        }
        Plan::Pattern(pat) => {
            let sums = empirical_sums(pat, theta, prep);
            for j in 0..h {
                let v2 = theta.v[j].mul(&two);
                for k in 0..d {
                    g.w[j * d + k] = v2.mul(&sums.ex[j * d + k]);
                }
                g.b[j] = v2.mul(&sums.e[j]);
                g.v[j] = two.mul(&sums.ez[j]);
            }
            g.c = two.mul(&sums.total_e);
            sums.total_e2
        }
    };
    if !prep.problem.output_bias {
        g.c = zero;
    }
    Evaluation { risk, gradient: g }
}

/// The per-sample generalized gradient 𝔊(θ, x) and error e(x) = N^θ(x) − ξ
/// at one point x (D4): the integrands of G, i.e. G for the measure δ_x.
pub fn per_sample<S: Ordered>(prep: &Prepared<S>, theta: &Theta<S>, x: &[S]) -> (S, Theta<S>) {
    let mut point = prep.clone();
    point.points = x.to_vec();
    point.weights = vec![S::from_i64(1, &prep.ctx)];
    point.targets = match prep.problem.target.constant() {
        Some(_) => Vec::new(),
        None => {
            let xq: Option<Vec<_>> = x.iter().map(Scalar::to_rational).collect();
            let f = xq.and_then(|xq| prep.problem.target.value_at(&xq)).expect("an exact target at a rational point");
            vec![S::from_rational(&f, &prep.ctx)]
        }
    };
    point.interval = None;
    point.box_ends = None;
    point.normaliser = None;
    let pat = ActivationPattern::new(theta, &point);
    let sums = empirical_sums(&pat, theta, &point);
    let ev = evaluate_planned(&Plan::Pattern(pat), &point, theta);
    (sums.total_e, ev.gradient)
}
