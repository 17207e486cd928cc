//! C10: along the gradient flow, V(Θ_t) + 8∫₀ᵗ L(Θ_s) ds = V(Θ_0),
//! ‖Θ_t‖² ≤ V(Θ_0), and L(Θ_t) → 0; C12: L(Θ_t) is nonincreasing and
//! t L(Θ_t) ≤ V(Θ_0)/8; Q2 (that bound, answered by C12).
//!
//! The balance of C10 is implied by C3 (exact at every node) for any
//! absolutely continuous solution: checking it tests the integrator, not the
//! paper.
//!
//! The flow is integrated by [`crate::dynamics::gf`] (Runge–Kutta–Fehlberg
//! 7(8), MPFR 128 bits with the `gmp` feature, `f64` without). The verdict
//! is therefore approximate: the balance is compared with an a-posteriori
//! error estimate, not a rigorous bound. C3 is checked exactly at every node.

use super::descent::{tame_numbers, Envelope};
use super::engine::{Margin, Outcome};
use super::instance::Instance;
use super::{Backends, Check};
use crate::backend::BackendSpec;
use crate::dynamics::gf::{self, Direction, FlowOptions, FlowReport, Stop};
use crate::gen::{self, GenConfig, MeasureKind, Rng};
use crate::num::{BigRational, Guarantee};
use num_traits::{One, Signed, ToPrimitive};

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GfConverges), Box::new(RiskNonincreasingAlongComputedFlow)]
}

/// Budget of RK step attempts per case.
pub const MAX_STEPS: usize = 1500;

/// The horizons T = k / (m max(1, ρ²)) for k in this list.
pub const HORIZONS: [i64; 3] = [1, 4, 16];

/// C10 on a finite horizon, at the nodes of an adaptive RK integration.
pub struct GfConverges;

fn bits() -> u32 {
    match gf::default_precision() {
        0 => 53,
        b => b,
    }
}

fn arithmetic() -> String {
    match gf::default_precision() {
        0 => "f64 integration, approximate".into(),
        b => format!("MPFR {b}-bit integration, approximate"),
    }
}

fn f(q: &BigRational) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

/// Numbers that would make the flow stiff or slow (|x| > 4, tiny, long
/// denominators) are redrawn as small rationals; zeros and small exact values
/// stay, so degenerate neurons and kinks on anchors survive.
const CALM: Envelope = Envelope { max: 4, floor: Some(64), max_denominator: 64 };

fn small_dyadic(rng: &mut Rng) -> BigRational {
    BigRational::new(rng.range(-8, 8).into(), (*rng.pick(&[1i64, 2, 4])).into())
}

/// m max(1, ρ²) of a case (1 if the measure has no mass).
fn time_scale(inst: &Instance) -> BigRational {
    let m = &inst.case.problem.measure;
    let rho2 = m.rho2();
    let s = m.mass() * if rho2 > BigRational::one() { rho2 } else { BigRational::one() };
    if s.is_positive() {
        s
    } else {
        BigRational::one()
    }
}

impl Check for GfConverges {
    fn name(&self) -> &'static str {
        "gf_converges"
    }
    fn statement(&self) -> &'static str {
        "C10"
    }
    fn summary(&self) -> &'static str {
        "gradient flow on [0, T], T in {1, 4, 16}/(m max(1, rho^2)), Runge-Kutta-Fehlberg 7(8) in MPFR 128 bits (f64 without gmp): at every node |V(theta_t) + 8 int_0^t L - V(theta_0)| <= 10 C E + 2^-(bits-20) V(theta_0) (E = summed local error estimates, C = sqrt(8 V(theta_0) + 64) the balance's sensitivity), |theta_t|^2 <= V(theta_0), V nonincreasing, and <grad V, G> = 8L exactly"
    }
    /// The check runs its own fixed arithmetic whatever backend is asked
    /// (MPFR floats with `gmp`, `f64` without), which is what `MpfrEnclosure`
    /// means to the engine (fixed backend, the costly budget of 60 cases).
    /// It is not an enclosure: [`Check::guarantee`] is overridden to say
    /// `approximate`. `ExactOnly` would be wrong twice: no value the verdict
    /// rests on (the balance) is exact, and the engine would rewrite interval
    /// backends to `exact` as if that changed the arithmetic.
    fn backends(&self) -> Backends {
        Backends::MpfrEnclosure
    }
    fn guarantee(&self, _backend: BackendSpec) -> Guarantee {
        Guarantee::Approximate { bits: bits() }
    }
    fn caveat(&self) -> Option<&'static str> {
        Some(
            "the balance V(theta_t) + 8 int_0^t L = V(theta_0) is implied by C3 (exact at every node) for any absolutely continuous solution: it tests the integrator, not the papers; \
finite horizon T only: L(theta_t) -> 0 and int_0^oo L <= V(theta_0)/8 are not established (decay of L is observed at the nodes, not its limit; C12 proves L nonincreasing); \
the balance V(theta_t) + 8 int_0^t L = V(theta_0) holds within 10 C E + 2^-(bits-20) V(theta_0), where E sums the RK local error estimates and C = sqrt(8 V(theta_0) + 64) bounds the balance's first-order sensitivity: an a-posteriori estimate, not a rigorous bound \
(across neuron switches, where G is not smooth or, for empirical measures, jumps, the estimate is least reliable); \
|theta_t|^2 <= V(theta_0) and V nonincreasing are checked at the accepted nodes only, with the same slack; C3 is exact at every node; \
without the gmp feature the flow is integrated in f64",
        )
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["balance_with_four_l", "flow_uphill"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let cfg = GenConfig {
            max_width: 6,
            max_dim: 2,
            max_points: 6,
            measures: vec![MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Empirical, MeasureKind::Box],
        };
        let mut case = gen::case(rng, &cfg);
        tame_numbers(&mut case, rng, CALM, small_dyadic);
        let k = *rng.pick(&HORIZONS);
        let inst = Instance::of(case);
        let time = BigRational::from_integer(k.into()) / time_scale(&inst);
        inst.with_number("time", time)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(time) = inst.number("time") else {
            return Outcome::Skipped { reason: "the instance has no time horizon \"time\"".into() };
        };
        if !time.is_positive() {
            return Outcome::Skipped { reason: format!("the time horizon {time} is not positive") };
        }
        let dir = if mutant == Some("flow_uphill") { Direction::Up } else { Direction::Down };
        let r = match integrate(inst, time, dir) {
            Ok(r) => r,
            Err(e) => return Outcome::Skipped { reason: e },
        };
        match judge(&r, mutant == Some("balance_with_four_l")) {
            // A flow from a fit (L = 0, G = 0) never moves: no information.
            Outcome::Holds { .. } if super::descent::starts_at_fit(&inst.case) => Outcome::Holds { margin: None },
            other => other,
        }
    }
}

/// Q2 (answered by C12): on computed flows, L nonincreasing between nodes
/// and 8 t L(Θ_t) ≤ V(Θ_0) at the nodes. Approximate: C12's own row is the
/// exact pointwise rate ([`super::flow_rate`]); this row shows that the
/// integrated flows behave as C12 and Q2 say.
pub struct RiskNonincreasingAlongComputedFlow;

impl Check for RiskNonincreasingAlongComputedFlow {
    fn name(&self) -> &'static str {
        "risk_le_lyapunov_over_eight_t_along_flow"
    }
    fn statement(&self) -> &'static str {
        "Q2"
    }
    fn summary(&self) -> &'static str {
        "Q2, a theorem by C12 (t L <= int_0^t L <= V(theta_0)/8), on C10's flows: L(theta_t_k) <= L(theta_t_k-1) + slack_k between consecutive integrator nodes (slack_k = 10 g (E_k - E_k-1) + rounding, g the larger |G| of the two nodes), and 8 t L(theta_t) <= V(theta_0) at every node, both exact at the (rational) nodes, which approximate the flow"
    }
    fn backends(&self) -> Backends {
        Backends::MpfrEnclosure
    }
    fn guarantee(&self, _backend: BackendSpec) -> Guarantee {
        Guarantee::Approximate { bits: bits() }
    }
    fn caveat(&self) -> Option<&'static str> {
        Some("approximate: L is exact at the integrator's nodes, which approximate Theta_t within an a-posteriori error estimate (not a bound); monotonicity is compared between consecutive nodes only, up to a slack from the step's local error estimate; finite horizons only. The proof (proofs/C12.md) is complete and C12's exact row checks its rate d/dt L = -|G|^2 pointwise: this row tests the computed flows, it does not establish anything")
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["flow_uphill", "hundredfold_rate"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        GfConverges.generate(rng)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(time) = inst.number("time").filter(|t| t.is_positive()) else {
            return Outcome::Skipped { reason: "needs a positive time horizon \"time\"".into() };
        };
        // Negative control `flow_uphill`: along dΘ/dt = +G, L increases at rate ‖G‖².
        let dir = if mutant == Some("flow_uphill") { Direction::Up } else { Direction::Down };
        let r = match integrate(inst, time, dir) {
            Ok(r) => r,
            Err(e) => return Outcome::Skipped { reason: e },
        };
        let tag = arithmetic();
        let c12 = r.risk_monotonicity();
        if let Some(k) = c12.violation {
            let (a, b) = (r.node(k - 1).expect("node"), r.node(k).expect("node"));
            return Outcome::Violated {
                detail: format!(
                    "L increases from {:.12e} to {:.12e} between nodes {} and {k} (t = {:.6e}), by more than the slack {:.3e} ({tag})",
                    f(&a.risk),
                    f(&b.risk),
                    k - 1,
                    f(&b.t),
                    f(&r.risk_slack(k))
                ),
            };
        }
        // Negative control `hundredfold_rate`: 800 t L ≤ V(Θ_0), a hundred times Q2's rate.
        let factor = BigRational::from_integer(if mutant == Some("hundredfold_rate") { 100 } else { 1 }.into());
        if let Some((ratio, k)) = &c12.max_rate_ratio {
            if &factor * ratio > BigRational::one() {
                return Outcome::Violated {
                    detail: format!(
                        "{} t L(theta_t) / V(theta_0) = {:.6} > 1 at node {k} (exact at the node; {tag})",
                        &factor * BigRational::from_integer(8.into()),
                        f(&(&factor * ratio))
                    ),
                };
            }
        }
        match r.stop {
            Stop::Completed | Stop::Violation => {}
            Stop::NonFinite => {
                return Outcome::Undecided {
                    reason: format!("integrator failure after t = {:.6e} ({tag})", f(&r.reached)),
                }
            }
            Stop::Sliding => {
                return Outcome::Skipped {
                    reason: format!(
                        "sliding mode at t = {:.6e} < T: no absolutely continuous solution continues there (C12's hypothesis fails); checked up to there: no violation",
                        f(&r.reached)
                    ),
                }
            }
            Stop::StepBudget => {
                return Outcome::Undecided { reason: format!("step budget of {MAX_STEPS} RK steps spent before T") }
            }
        }
        if super::descent::starts_at_fit(&inst.case) {
            // A flow from a fit never moves.
            return Outcome::Holds { margin: None };
        }
        match &c12.max_rate_ratio {
            Some((ratio, _)) => Outcome::Holds {
                margin: Margin::of(
                    &(BigRational::one() - ratio),
                    &format!("1 - max over nodes of 8 t L(theta_t) / V(theta_0), {tag}; L nonincreasing between the {} node pairs up to the slack", c12.pairs),
                ),
            },
            None => Outcome::Holds { margin: None },
        }
    }
}

/// The flow both checks judge: the case integrated to `time` in
/// [`gf::default_precision`], within the budget of [`MAX_STEPS`].
fn integrate(inst: &Instance, time: &BigRational, dir: Direction) -> Result<FlowReport, String> {
    let mut opts = FlowOptions::new(time.clone(), gf::default_precision());
    opts.max_steps = MAX_STEPS;
    gf::run_flow_directed(&inst.case, &opts, dir, true)
}

/// The verdict on one integrated flow; `four` checks V + 4q = V(Θ_0) instead
/// of V + 8q (negative control).
fn judge(r: &FlowReport, four: bool) -> Outcome {
    let at = |k: usize| format!("node {k}, t = {:.6e}", f(&r.nodes[k].t));
    let tag = arithmetic();
    if four {
        let four_q = BigRational::from_integer(4.into());
        for (k, node) in r.nodes.iter().enumerate() {
            let defect = &node.lyapunov + &four_q * &node.q - &r.v0;
            let slack = r.slack(k);
            if defect.abs() > slack {
                return Outcome::Violated {
                    detail: format!(
                        "V(theta_t) + 4 q(t) = V(theta_0) fails at {}: defect {:.6e} exceeds 10 C E + rounding = {:.6e} ({tag})",
                        at(k),
                        f(&defect),
                        f(&slack)
                    ),
                };
            }
        }
    } else if let Some(k) = r.balance_violation {
        return Outcome::Violated {
            detail: format!(
                "V(theta_t) + 8 q(t) = V(theta_0) fails at {}: defect {:.6e} exceeds 10 C E + rounding = {:.6e} (E = {:.3e}, {tag})",
                at(k),
                f(&r.nodes[k].balance_defect),
                f(&r.slack(k)),
                r.nodes[k].error_estimate
            ),
        };
    }
    if let Some(k) = r.c3_violation {
        return Outcome::Violated {
            detail: format!("<grad V, G> - 8L = {} (exact) at the dyadic node {}", r.nodes[k].identity_defect, at(k)),
        };
    }
    if let Some(k) = r.norm_violation {
        return Outcome::Violated {
            detail: format!(
                "|theta_t|^2 = {:.6e} exceeds V(theta_0) = {:.6e} plus the slack {:.3e} at {} ({tag})",
                f(&r.nodes[k].theta_norm2),
                f(&r.v0),
                f(&r.slack(k)),
                at(k)
            ),
        };
    }
    if let Some(k) = r.monotone_violation {
        return Outcome::Violated {
            detail: format!(
                "V increases from {:.12e} to {:.12e} between nodes {} and {}, by more than the slack {:.3e} ({tag})",
                f(&r.nodes[k - 1].lyapunov),
                f(&r.nodes[k].lyapunov),
                k - 1,
                at(k),
                f(&r.slack(k))
            ),
        };
    }
    match r.stop {
        Stop::Completed | Stop::Violation => {}
        Stop::NonFinite => {
            // An integrator that leaves the finite numbers has failed: that
            // says nothing about the flow, so it is no violation of C10.
            return Outcome::Undecided {
                reason: format!(
                    "integrator failure: the numerical flow left the finite numbers after t = {:.6e} ({tag})",
                    f(&r.reached)
                ),
            };
        }
        Stop::Sliding => {
            return Outcome::Skipped {
                reason: format!(
                    "sliding mode at t = {:.6e} < T: the flow chatters across a switching surface of G (a neuron's hyperplane through a sample point), where no solution of theta_t = theta_0 - int G ds continues; C10 assumes the flow exists (checked up to there: no violation)",
                    f(&r.reached)
                ),
            }
        }
        Stop::StepBudget => {
            return Outcome::Undecided {
                reason: format!(
                    "step budget of {MAX_STEPS} RK steps spent at t = {:.6e} < T = {:.6e} ({} rejected, {} forced at the minimum step)",
                    f(&r.reached),
                    f(&r.time),
                    r.rejected,
                    r.forced
                ),
            }
        }
    }
    // Node 0 is θ_0 itself, where the slack is (c_0 − 2ξ)² whatever the flow
    // does: the informative nodes are the later ones.
    let min = r.nodes.iter().skip(1).map(|n| &r.v0 - &n.theta_norm2).min();
    let Some(min) = min else { return Outcome::Holds { margin: None } };
    let what = if min.is_negative() {
        format!(
            "min over {} nodes t > 0 of V(theta_0) - |theta_t|^2, {tag}; negative but within the integrator's error estimate: the nodes approximate Theta_t, so this is consistent with C10, not evidence against it",
            r.nodes.len() - 1
        )
    } else {
        format!("min over {} nodes t > 0 of V(theta_0) - |theta_t|^2, {tag}", r.nodes.len() - 1)
    };
    Outcome::Holds { margin: Margin::of(&min, &what) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::engine::{run_check, Budget, Verdict};
    use crate::model::case::parse_case;

    fn quiet(_: usize, _: usize) {}

    fn hand() -> Instance {
        let case = parse_case(
            "hand",
            "[problem]\nmeasure = \"uniform\"\na = \"-1\"\nb = \"2\"\ntarget = \"1\"\n[theta]\nw = [\"1\", \"0\", \"-2\"]\nb = [\"0\", \"0\", \"1\"]\nv = [\"1/2\", \"3\", \"-1\"]\nc = \"-1\"\n",
        )
        .expect("case");
        Instance::of(case).with_number("time", BigRational::new(1.into(), 4.into()))
    }

    #[test]
    fn hand_case_holds_and_controls_are_refuted() {
        let c = GfConverges;
        let inst = hand();
        let out = c.run(&inst, BackendSpec::Exact, None);
        assert!(matches!(out, Outcome::Holds { margin: Some(_) }), "{out:?}");
        for m in c.mutants() {
            let out = c.run(&inst, BackendSpec::Exact, Some(m));
            assert!(matches!(out, Outcome::Violated { .. }), "{m}: {out:?}");
        }
    }

    /// A flow from a fit (v = 0, c = ξ: L = 0 and G = 0) never moves, so it
    /// holds without a margin: its slack V(θ_0) − ‖θ_t‖² = (c − 2ξ)² = 1
    /// says nothing about convergence and must not become the row's minimum
    /// (claims shard 23/80: with the fit guard off it did).
    #[test]
    fn a_flow_from_a_fit_holds_without_a_margin() {
        let case = parse_case(
            "fit",
            "[problem]\nmeasure = \"uniform\"\na = \"-1\"\nb = \"2\"\ntarget = \"1\"\n[theta]\nw = [\"1\", \"-2\"]\nb = [\"0\", \"1\"]\nv = [\"0\", \"0\"]\nc = \"1\"\n",
        )
        .expect("case");
        let inst = Instance::of(case).with_number("time", BigRational::new(1.into(), 4.into()));
        let out = GfConverges.run(&inst, BackendSpec::Exact, None);
        assert!(matches!(out, Outcome::Holds { margin: None }), "{out:?}");
    }

    #[test]
    fn q2_hand_case_holds_and_controls_are_refuted() {
        let c = RiskNonincreasingAlongComputedFlow;
        let inst = hand();
        let out = c.run(&inst, BackendSpec::Exact, None);
        assert!(matches!(out, Outcome::Holds { margin: Some(_) }), "{out:?}");
        for m in c.mutants() {
            let out = c.run(&inst, BackendSpec::Exact, Some(m));
            assert!(matches!(out, Outcome::Violated { .. }), "{m}: {out:?}");
        }
    }

    #[test]
    fn a_sliding_mode_is_outside_the_hypotheses() {
        let inst = Instance::of(crate::dynamics::gf::tests::sliding_case())
            .with_number("time", BigRational::new(1.into(), 8.into()));
        let out = GfConverges.run(&inst, BackendSpec::Exact, None);
        assert!(matches!(&out, Outcome::Skipped { reason } if reason.contains("sliding")), "{out:?}");
    }

    #[test]
    fn guarantee_is_approximate() {
        // The precision the flow is integrated in, named from the outside:
        // f64's 53 bits without `gmp`, MPFR's default with it.
        let integrated = if cfg!(feature = "gmp") { gf::DEFAULT_PRECISION } else { 53 };
        let g = GfConverges.guarantee(BackendSpec::Exact);
        assert_eq!(g, Guarantee::Approximate { bits: integrated });
        assert_eq!(RiskNonincreasingAlongComputedFlow.guarantee(BackendSpec::Exact), g);
        assert!(GfConverges.caveat().unwrap_or_default().contains("not a rigorous bound"));
    }

    /// The control with 4 in place of 8 must report the defect of its own
    /// wrong balance: where the true balance V + 8q = V(Θ_0) holds up to the
    /// slack, V + 4q − V(Θ_0) is −4q, and nothing else.
    #[test]
    fn the_four_l_control_reports_a_defect_of_minus_four_q() {
        let inst = hand();
        let r = integrate(&inst, inst.number("time").expect("time"), Direction::Down).expect("flow");
        let Outcome::Violated { detail } = judge(&r, true) else { panic!("the control held") };
        let field = |after: &str, end: char| -> &str {
            let rest = &detail[detail.find(after).expect(after) + after.len()..];
            &rest[..rest.find(end).expect("end of field")]
        };
        let k: usize = field("at node ", ',').parse().expect("node index");
        let printed: f64 = field("defect ", ' ').parse().expect("defect");
        let node = &r.nodes[k];
        let expected = f(&(-BigRational::from_integer(4.into()) * &node.q));
        let tolerance = f(&(&node.balance_defect.abs() + r.slack(k))) + 1e-6 * expected.abs();
        assert!(expected < 0.0, "{detail}");
        assert!((printed - expected).abs() <= tolerance, "{detail}: expected -4 q = {expected:e}");
    }

    #[test]
    fn generated_cases_hold_and_controls_are_refuted() {
        let c = GfConverges;
        let budget = Budget { cases: 8, seed: 7, backend: BackendSpec::Exact };
        let r = run_check(&c, &budget, None, &quiet);
        assert!(matches!(r.verdict, Verdict::Holds { cases, .. } if cases > 0), "{:?}", r.verdict);
        for m in c.mutants() {
            let budget = Budget { cases: 4, seed: 3, backend: BackendSpec::Exact };
            let r = run_check(&c, &budget, Some(m), &quiet);
            assert!(matches!(r.verdict, Verdict::Refuted { .. }), "{m}: {:?}", r.verdict);
        }
    }

    #[test]
    fn horizons_scale_with_the_measure() {
        let c = GfConverges;
        for seed in 0..20 {
            let inst = c.generate(&mut Rng::new(seed));
            let t = inst.number("time").expect("time") * time_scale(&inst);
            assert!(HORIZONS.iter().any(|k| t == BigRational::from_integer((*k).into())), "{t}");
            assert!(inst.case.theta.width() <= 6);
        }
    }
}
