//! The exact edges of the assumptions: E1 (nonconstant target), E2 (no
//! output bias), E4 (1-homogeneous activations), E5 (ReLU^p) and the probe Q1
//! (is L nonincreasing under GD with γ ≤ γ*?).
//!
//! Every quantity here is rational, so every verdict is exact. E1 and E2 are
//! expected to be refuted (their negative control restores the dropped
//! assumption and must then hold); E4 and E5 are expected to hold.

use super::checks::{cross_check, on_backend, short, step_size};
use super::engine::{Margin, Outcome};
use super::instance::Instance;
use super::{Backends, Check, Values};
use crate::backend::BackendSpec;
use crate::dynamics::gd::gamma_star;
use crate::eval::summary_from_exact;
use crate::gen::{self, GenConfig, MeasureKind, Rng};
use crate::lyapunov::lyapunov_p_gradient;
use crate::model::case::Case;
use crate::model::{Activation, DerivativeAtZero, Measure, Target};
use crate::num::{BigRational, Scalar, Sign3};
use crate::objective::evaluate;
use num_traits::{One, Signed, Zero};

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(LyapunovIdentityFailsOfNonconstantTarget),
        Box::new(CriticalPointOfPositiveRiskOfNonconstantTarget),
        Box::new(GdStallsOfNonconstantTarget),
        Box::new(CriticalPointOfPositiveRiskOfNoOutputBias),
        Box::new(LyapunovIdentityOfHomogeneousActivation),
        Box::new(LyapunovIdentityOfPHomogeneousActivation),
        Box::new(RiskNonincreasingOfStepLeBound),
    ]
}

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// A nonzero small rational.
fn nonzero(rng: &mut Rng) -> BigRational {
    let x = gen::small_rational(rng);
    if x.is_zero() {
        BigRational::one()
    } else {
        x
    }
}

/// Sets every neuron dead on the support of μ: b_j ≤ −‖w_j‖₁(ρ² + 1) − 1 gives
/// w_j·x + b_j ≤ −1 < 0 for every x there (|x_i| ≤ ρ ≤ ρ² + 1).
pub(crate) fn kill_all_neurons(case: &mut Case) {
    let bound = case.problem.measure.rho2() + BigRational::one();
    let th = &mut case.theta;
    for j in 0..th.width() {
        let w1 = th.w_row(j).iter().fold(BigRational::zero(), |s, w| s + w.abs());
        th.b[j] = -(w1 * &bound) - BigRational::one();
    }
}

/// Whether every neuron's preactivation is < 0 on the support of μ (so σ
/// and the open σ' vanish there, for ReLU).
pub(crate) fn all_neurons_dead(case: &Case) -> bool {
    let th = &case.theta;
    let z = |j: usize, x: &[BigRational]| th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi);
    (0..th.width()).all(|j| match &case.problem.measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, d: 1 } => {
            z(j, std::slice::from_ref(a)).is_negative() && z(j, std::slice::from_ref(b)).is_negative()
        }
        Measure::Uniform { .. } => false,
        // z_j is affine: negative on the box iff negative at every corner.
        Measure::Box { a, b, .. } => crate::model::box_corners(a, b).iter().all(|x| z(j, x).is_negative()),
        Measure::Empirical { points, weights } => {
            points.iter().zip(weights).all(|(x, p)| p.is_zero() || z(j, x).is_negative())
        }
    })
}

/// A nonconstant exact target: affine (any d), or piecewise linear (d = 1).
fn nonconstant_target(rng: &mut Rng, case: &Case) -> Target {
    let d = case.problem.dim();
    let interval = match &case.problem.measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => Some((a.clone(), b.clone())),
        Measure::Box { .. } | Measure::Empirical { .. } => None,
    };
    match interval {
        Some((a, b)) if d == 1 && rng.chance(1, 3) => {
            let k = rng.range(1, 4);
            let knots: Vec<BigRational> = (1..=k).map(|i| &a + (&b - &a) * q(i, k + 1)).collect();
            let values = (0..k).map(|_| gen::small_rational(rng)).collect();
            Target::PiecewiseLinear { knots, values }
        }
        _ => Target::Affine { slope: (0..d).map(|_| nonzero(rng)).collect(), intercept: gen::small_rational(rng) },
    }
}

/// A papers' case with its target replaced by a nonconstant one, on a
/// measure whose support has at least two points (so f is nonconstant there).
fn nonconstant_case(rng: &mut Rng) -> Case {
    let kind = *rng.pick(&[MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Empirical, MeasureKind::Box]);
    let mut case = gen::case(rng, &GenConfig { max_width: 8, measures: vec![kind], ..GenConfig::default() });
    case.problem.target = nonconstant_target(rng, &case);
    case
}

/// E1's negative control: the same θ with the constant target ξ = the mean of f.
fn with_constant_target(case: &Case) -> Case {
    let mut c = case.clone();
    c.problem.target = Target::Constant(case.problem.reference_constant());
    c
}

/// E1: for a nonconstant target, V is no longer a Lyapunov function.
pub struct LyapunovIdentityFailsOfNonconstantTarget;

impl Check for LyapunovIdentityFailsOfNonconstantTarget {
    fn name(&self) -> &'static str {
        "lyapunov_identity_fails_of_nonconstant_target"
    }
    fn statement(&self) -> &'static str {
        "E1"
    }
    fn summary(&self) -> &'static str {
        "affine or piecewise linear f, xi = mean of f: does <grad V, G> >= 0 survive? exact; a theta with <grad V, G> < 0 is expected (e.g. N = xi + (f - xi)/2 on the support)"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["constant_target"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let mut case = nonconstant_case(rng);
        // Half of the cases: one neuron, active on all of [a, b], makes
        // N = ξ + t(f − ξ) with t ∈ (0, 1), where <grad V, G> = 8(t² − t)∫(f − ξ)² < 0.
        if let (Target::Affine { slope, intercept }, Measure::Lebesgue { a, .. } | Measure::Uniform { a, d: 1, .. }) =
            (&case.problem.target, &case.problem.measure)
        {
            if rng.chance(1, 2) {
                let (alpha, beta) = (slope[0].clone(), intercept.clone());
                let xi = case.problem.reference_constant();
                let t = q(rng.range(1, 8), 8);
                let th = &mut case.theta;
                th.v.iter_mut().for_each(|v| *v = BigRational::zero());
                th.w[0] = BigRational::one();
                th.b[0] = BigRational::one() - a;
                th.v[0] = &t * &alpha;
                th.c = (BigRational::one() - &t) * &xi + &t * &beta - &th.v[0] * &th.b[0];
            }
        }
        Instance::of(case)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let case = if mutant == Some("constant_target") { with_constant_target(&inst.case) } else { inst.case.clone() };
        let s = summary_from_exact::<BigRational>(&case, &());
        let defect = &s.grad_v_dot_g - &s.eight_risk;
        if s.grad_v_dot_g.is_negative() {
            return Outcome::Violated {
                detail: format!(
                    "{}: <grad V, G> = {} < 0 (8L = {}; the defect 8 int (f - xi)(N - f) = {}), so V increases along the flow",
                    case.problem.target.describe(),
                    short(&s.grad_v_dot_g),
                    short(&s.eight_risk),
                    short(&defect)
                ),
            };
        }
        Outcome::Holds { margin: Margin::of(&s.grad_v_dot_g, "<grad V, G>") }
    }
}

/// E1: for a nonconstant target, G = 0 no longer forces L = 0.
pub struct CriticalPointOfPositiveRiskOfNonconstantTarget;

/// Every neuron dead and c the mean of f: G = 0 while L = ∫(f − f̄)² dμ.
fn dead_network_at_mean(rng: &mut Rng) -> Case {
    let mut case = nonconstant_case(rng);
    kill_all_neurons(&mut case);
    case.theta.c = case.problem.reference_constant();
    case
}

/// The C6 conclusion "G(θ) = 0 implies L(θ) = 0", decided exactly.
fn critical_point_outcome(case: &Case, setting: &str) -> Outcome {
    let s = summary_from_exact::<BigRational>(case, &());
    let critical = s.gradient.flatten().iter().all(Zero::is_zero);
    if critical && s.risk.is_positive() {
        return Outcome::Violated {
            detail: format!("{setting}: G(theta) = 0 exactly but L(theta) = {} > 0", short(&s.risk)),
        };
    }
    let g2 = s.gradient.norm2(&());
    Outcome::Holds { margin: if critical { None } else { Margin::of(&g2, "|G|^2 at a non-critical point") } }
}

impl Check for CriticalPointOfPositiveRiskOfNonconstantTarget {
    fn name(&self) -> &'static str {
        "critical_point_of_positive_risk_of_nonconstant_target"
    }
    fn statement(&self) -> &'static str {
        "E1"
    }
    fn summary(&self) -> &'static str {
        "affine or piecewise linear f: does G(theta) = 0 still imply L(theta) = 0 (C6)? exact; a positive-risk critical point (every neuron dead, c the mean of f) is expected"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["constant_target"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        Instance::of(if rng.chance(1, 2) { dead_network_at_mean(rng) } else { nonconstant_case(rng) })
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let case = if mutant == Some("constant_target") { with_constant_target(&inst.case) } else { inst.case.clone() };
        critical_point_outcome(&case, &case.problem.target.describe())
    }
}

/// E1: a GD run from a dead network stalls at positive risk.
pub struct GdStallsOfNonconstantTarget;

/// Steps of the illustrative run (the stall itself is proven at step 0).
const STALL_STEPS: u32 = 20;

impl Check for GdStallsOfNonconstantTarget {
    fn name(&self) -> &'static str {
        "gd_stalls_at_positive_risk_of_nonconstant_target"
    }
    fn statement(&self) -> &'static str {
        "E1"
    }
    fn summary(&self) -> &'static str {
        "affine or piecewise linear f, every neuron dead, gamma = k/(4m): does GD still drive L to 0 (C9(e))? exact: dead neurons get G = 0 and stay dead, so L(theta_n) >= int (f - mean f)^2 > 0 for all n; 20 steps are run and checked"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["constant_target"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let mut case = nonconstant_case(rng);
        kill_all_neurons(&mut case);
        Instance::of(case).with_number("gamma_times_mass", q(rng.range(1, 4), 4))
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let case = if mutant == Some("constant_target") { with_constant_target(&inst.case) } else { inst.case.clone() };
        let m = case.problem.measure.mass();
        let Some(gm) = inst.number("gamma_times_mass") else {
            return Outcome::Skipped { reason: "needs gamma_times_mass".into() };
        };
        if !m.is_positive() || !all_neurons_dead(&case) {
            return Outcome::Skipped { reason: "needs positive mass and every neuron dead on the support".into() };
        }
        let gamma = gm / &m;
        // L* = min over c of ∫ (c − f)² = L at c = mean of f, every neuron dead.
        let mut floor_case = case.clone();
        floor_case.theta.c = case.problem.reference_constant();
        let prep = case.problem.prepare::<BigRational>(&());
        let floor = evaluate(&prep, &floor_case.theta).risk;
        let mut theta = case.theta.clone();
        let mut risk = evaluate(&prep, &theta).risk;
        let l0 = risk.clone();
        for n in 0..STALL_STEPS {
            let ev = evaluate(&prep, &theta);
            let hidden_moves = ev.gradient.flatten().iter().take(theta.len() - 1).any(|g| !g.is_zero());
            if hidden_moves {
                return Outcome::Skipped { reason: format!("a dead neuron has G != 0 at step {n}") };
            }
            if ev.risk < floor {
                return Outcome::Violated {
                    detail: format!("internal: L(theta_{n}) = {} below its floor {}", short(&ev.risk), short(&floor)),
                };
            }
            theta = theta.step(&gamma, &ev.gradient);
            risk = evaluate(&prep, &theta).risk;
        }
        if floor.is_positive() {
            return Outcome::Violated {
                detail: format!(
                    "{}: every neuron dead, so G_w = G_b = G_v = 0 and only c moves; L(theta_n) >= int (f - mean f)^2 = {} > 0 for every n (L(theta_0) = {}, L(theta_{STALL_STEPS}) = {})",
                    case.problem.target.describe(),
                    short(&floor),
                    short(&l0),
                    short(&risk)
                ),
            };
        }
        Outcome::Holds { margin: Margin::of(&(&l0 - &risk), "L(theta_0) - L(theta_20)") }
    }
}

/// E2: without the output bias, G = 0 no longer forces L = 0.
pub struct CriticalPointOfPositiveRiskOfNoOutputBias;

impl Check for CriticalPointOfPositiveRiskOfNoOutputBias {
    fn name(&self) -> &'static str {
        "critical_point_of_positive_risk_of_no_output_bias"
    }
    fn statement(&self) -> &'static str {
        "E2"
    }
    fn summary(&self) -> &'static str {
        "no output bias (c = 0 fixed), constant xi != 0: does G(theta) = 0 still imply L(theta) = 0? exact; the dead network (G = 0, L = xi^2 m) is expected"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["with_output_bias"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let mut case = gen::case(rng, &GenConfig { max_width: 8, ..GenConfig::default() });
        case.problem.output_bias = false;
        case.theta.c = BigRational::zero();
        if case.problem.target.constant().is_some_and(Zero::is_zero) {
            case.problem.target = Target::Constant(nonzero(rng));
        }
        if rng.chance(1, 2) {
            kill_all_neurons(&mut case);
        }
        Instance::of(case)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let mut case = inst.case.clone();
        if mutant == Some("with_output_bias") {
            case.problem.output_bias = true;
        }
        let setting = if case.problem.output_bias { "with output bias" } else { "no output bias" };
        critical_point_outcome(&case, setting)
    }
}

/// A papers' case with another activation, a random σ'(0) convention and,
/// often, degenerate neurons (w_j = 0 and b_j = 0 or not).
fn case_with_activation(rng: &mut Rng, activation: Activation) -> Case {
    let cfg = GenConfig { max_width: 8, ..GenConfig::default() };
    // Boxes where the box path integrates σ exactly.
    let cfg = if crate::objective::boxes::integrates(&activation) { cfg } else { cfg.without_boxes() };
    let mut case = gen::case(rng, &cfg);
    case.problem.activation = activation.clone();
    if case.problem.measure.as_box().is_some() && crate::claims::oracle_box::max_width_of(&case.problem) == 0 {
        // A box the definitional evaluator does not take for this σ (ReLU^p
        // in d = 4): redraw off boxes.
        case = gen::case(rng, &cfg.without_boxes());
        case.problem.activation = activation;
    }
    if case.problem.measure.as_box().is_some() {
        // As wide as the definitional evaluator takes for this σ.
        let h = case.theta.width().min(crate::claims::oracle_box::max_width_of(&case.problem));
        let th = &mut case.theta;
        th.w.truncate(h * th.d);
        th.b.truncate(h);
        th.v.truncate(h);
    }
    if rng.chance(1, 2) {
        case.problem.derivative_at_zero = DerivativeAtZero::Closed;
    }
    if rng.chance(1, 3) {
        let th = &mut case.theta;
        let j = rng.below(th.width() as u64) as usize;
        th.zero_inner_weights(j, &BigRational::zero());
        if rng.chance(1, 2) {
            th.b[j] = BigRational::zero();
        }
    }
    case
}

/// E4: σ(z) = z σ'(z) keeps ⟨∇V, G⟩ = 8L for leaky ReLU and |z|.
pub struct LyapunovIdentityOfHomogeneousActivation;

impl Check for LyapunovIdentityOfHomogeneousActivation {
    fn name(&self) -> &'static str {
        "lyapunov_identity_of_homogeneous_activation"
    }
    fn statement(&self) -> &'static str {
        "E4"
    }
    fn summary(&self) -> &'static str {
        "leaky ReLU (rational slope) or |z|, either sigma'(0) convention, degenerate neurons included: <grad V, G> = 8L exactly"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["seven_instead_of_eight"]
    }
    fn values(&self) -> Values {
        Values::CrossChecked
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let act = match rng.below(4) {
            0 => Activation::Abs,
            1 => Activation::LeakyRelu(q(rng.range(-3, 3), 1)),
            _ => Activation::LeakyRelu(gen::small_rational(rng)),
        };
        Instance::of(case_with_activation(rng, act))
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let k = if mutant == Some("seven_instead_of_eight") { 7 } else { 8 };
        on_backend!(backend, |S, ctx| {
            let s = summary_from_exact::<S>(&inst.case, ctx);
            if let Err(o) = cross_check(&inst.case, Some(&s.risk), &s.gradient, ctx) {
                return o;
            }
            let rhs = S::from_i64(k, ctx).mul(&s.risk);
            identity_outcome(
                &s.grad_v_dot_g,
                &rhs,
                &format!("{}: <grad V, G>", inst.case.problem.activation.describe()),
                &format!("{k}L"),
            )
        })
    }
}

/// Decides lhs = rhs: exact backends decide, enclosures may only be consistent.
fn identity_outcome<S: Scalar>(lhs: &S, rhs: &S, lname: &str, rname: &str) -> Outcome {
    match lhs.sub(rhs).sign() {
        Sign3::Zero => Outcome::Holds { margin: None },
        Sign3::Undecided => Outcome::Consistent,
        _ => Outcome::Violated { detail: format!("{lname} = {} but {rname} = {}", short(lhs), short(rhs)) },
    }
}

/// E5: for ReLU^p, ⟨∇V_p, G⟩ = 8pL with
/// V_p = Σ_j(‖w_j‖² + b_j²) + p Σ_j v_j² + 2p(c − ξ)².
pub struct LyapunovIdentityOfPHomogeneousActivation;

impl Check for LyapunovIdentityOfPHomogeneousActivation {
    fn name(&self) -> &'static str {
        "lyapunov_identity_of_p_homogeneous_activation"
    }
    fn statement(&self) -> &'static str {
        "E5"
    }
    fn summary(&self) -> &'static str {
        "ReLU^p, p = 2, 3, degenerate neurons included: <grad V_p, G> = 8pL exactly, V_p = sum(|w_j|^2 + b_j^2) + p sum v_j^2 + 2p (c - xi)^2"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["relu_lyapunov_function"]
    }
    fn values(&self) -> Values {
        Values::CrossChecked
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let p = if rng.chance(1, 2) { 2 } else { 3 };
        Instance::of(case_with_activation(rng, Activation::ReluPow(p)))
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(p) = inst.case.problem.activation.homogeneity() else {
            return Outcome::Skipped { reason: "the activation is not homogeneous".into() };
        };
        // Negative control: V of the papers (the weights of p = 1) instead of V_p.
        let pv = if mutant == Some("relu_lyapunov_function") { 1 } else { p };
        on_backend!(backend, |S, ctx| {
            let s = summary_from_exact::<S>(&inst.case, ctx);
            if let Err(o) = cross_check(&inst.case, Some(&s.risk), &s.gradient, ctx) {
                return o;
            }
            let theta = inst.case.theta.map(|x| S::from_rational(x, ctx));
            let xi = S::from_rational(&inst.case.problem.reference_constant(), ctx);
            let grad = lyapunov_p_gradient(&theta, &xi, pv, ctx);
            let lhs = grad.dot(&s.gradient, ctx);
            let rhs = S::from_i64(8 * i64::from(p), ctx).mul(&s.risk);
            identity_outcome(&lhs, &rhs, &format!("ReLU^{p}: <grad V_{pv}, G>"), &format!("{}L", 8 * p))
        })
    }
}

/// Q1: is one GD step with γ ≤ γ* ever risk-increasing?
pub struct RiskNonincreasingOfStepLeBound;

impl Check for RiskNonincreasingOfStepLeBound {
    fn name(&self) -> &'static str {
        "risk_nonincreasing_of_step_le_bound"
    }
    fn statement(&self) -> &'static str {
        "Q1"
    }
    fn summary(&self) -> &'static str {
        "papers' setting, gamma = k gamma* with 0 < k <= 1: L(theta - gamma G) <= L(theta)? exact, one step per case; a violation is a finding, not a bug"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["step_far_above_bound"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        // d = 1 intervals and empirical measures: the family below was built
        // for them (on boxes the default budget found no witness).
        let measures = vec![gen::MeasureKind::Lebesgue, gen::MeasureKind::Uniform, gen::MeasureKind::Empirical];
        let mut case = gen::case(rng, &GenConfig { max_width: 16, measures, ..GenConfig::default() });
        // Half of the cases get a nearly degenerate neuron (w_j = 0,
        // b_j = 2^-40, |v_j| = 4): one step can move its kink into the domain, where the
        // gradient, blind to the switch, does not see L rise.
        if rng.chance(1, 2) {
            let th = &mut case.theta;
            let j = rng.below(th.width() as u64) as usize;
            th.zero_inner_weights(j, &BigRational::zero());
            th.b[j] = q(1, 1 << 40);
            th.v[j] = q(*rng.pick(&[-4, 4]), 1);
        }
        let k = if rng.chance(1, 2) { BigRational::one() } else { (step_size(rng) / q(32, 1)).min(BigRational::one()) };
        Instance::of(case).with_number("gamma_factor", k)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(gs) = gamma_star(&inst.case) else { return Outcome::Skipped { reason: "gamma* undefined".into() } };
        let Some(k) = inst.number("gamma_factor") else {
            return Outcome::Skipped { reason: "needs gamma_factor".into() };
        };
        if !k.is_positive() || (mutant.is_none() && k > &BigRational::one()) {
            return Outcome::Skipped { reason: "Q1 asks about 0 < gamma <= gamma*".into() };
        }
        // Negative control: γ = 2^20 γ* overshoots and increases L.
        let k = if mutant == Some("step_far_above_bound") { q(1 << 20, 1) } else { k.clone() };
        let gamma = &k * gs;
        let prep = inst.case.problem.prepare::<BigRational>(&());
        let ev = evaluate(&prep, &inst.case.theta);
        let after = evaluate(&prep, &inst.case.theta.step(&gamma, &ev.gradient)).risk;
        let slack = &ev.risk - &after;
        if slack.is_negative() {
            return Outcome::Violated {
                detail: format!(
                    "gamma = {k} gamma*: L(theta - gamma G) = {} > L(theta) = {}",
                    short(&after),
                    short(&ev.risk)
                ),
            };
        }
        Outcome::Holds { margin: Margin::of(&slack, "L(theta) - L(theta - gamma G)") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// E1's piecewise-linear targets: k knots equally spaced strictly inside
    /// [a, b], at a + (b − a)·i/(k + 1) (a cargo-mutants survivor moved them
    /// outside the interval unnoticed).
    #[test]
    fn nonconstant_target_places_knots_inside_the_interval() {
        let mut rng = Rng::new(5);
        let mut seen = 0;
        for _ in 0..400 {
            let case =
                gen::case(&mut rng, &GenConfig { measures: vec![MeasureKind::Lebesgue], ..GenConfig::default() });
            let Measure::Lebesgue { a, b } = &case.problem.measure else { continue };
            match nonconstant_target(&mut rng, &case) {
                Target::PiecewiseLinear { knots, values } => {
                    seen += 1;
                    let k = knots.len() as i64;
                    assert_eq!(values.len(), knots.len());
                    for (i, x) in knots.iter().enumerate() {
                        let expected = a + (b - a) * BigRational::new((i as i64 + 1).into(), (k + 1).into());
                        assert_eq!(x, &expected, "knot {i} of {k} on [{a}, {b}]");
                        assert!(a < x && x < b);
                    }
                }
                Target::Affine { slope, .. } => assert!(slope.iter().all(|s| !s.is_zero()), "a constant affine target"),
                other => panic!("not a nonconstant target: {other:?}"),
            }
        }
        assert!(seen > 50, "piecewise-linear targets drawn {seen} times");
    }
}
