//! The exact edge checks E1, E2, E4, E5 and the Q1 probe (`src/claims/edges.rs`):
//! hand cases one per line (malachite style), each run through the registered
//! check on the exact backend with its verdict and exact numbers asserted, and
//! properties over seeded generated instances (`<check>_properties`).
//!
//! Hand cases are written as `[problem]` and `[theta]` lines separated by `;`,
//! with TOML literal strings ('1/2') for the rational numbers.

use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use reluproof::backend::BackendSpec;
use reluproof::claims::checks::short;
use reluproof::claims::engine::{replay, Margin, Outcome};
use reluproof::claims::instance::{Instance, Witness};
use reluproof::claims::{check_named, Check};
use reluproof::dynamics::gd::gamma_star;
use reluproof::eval::summary_from_exact;
use reluproof::gen::Rng;
use reluproof::lyapunov::{lyapunov_gradient, lyapunov_p_gradient};
use reluproof::model::case::{parse_case, Case};
use reluproof::model::{Measure, Target};
use reluproof::num::parse::parse_rational;

// ---- helpers ----

fn q(s: &str) -> BigRational {
    parse_rational(s).expect("test literal")
}

/// A case from `;`-separated `[problem]` and `[theta]` lines.
fn case(problem: &str, theta: &str) -> Case {
    let lines = |s: &str| s.split(';').map(str::trim).collect::<Vec<_>>().join("\n");
    let text = format!("[problem]\n{}\n[theta]\n{}\n", lines(problem), lines(theta));
    parse_case("hand", &text).unwrap_or_else(|e| panic!("hand case {text}: {e:?}"))
}

fn check(name: &str) -> Box<dyn Check> {
    check_named(name).unwrap_or_else(|| panic!("no registered check {name}"))
}

fn run(name: &str, inst: &Instance, mutant: Option<&str>) -> Outcome {
    check(name).run(inst, BackendSpec::Exact, mutant)
}

/// The detail of a violated outcome, which must contain every one of `parts`.
fn violated(out: Outcome, parts: &[&str]) -> String {
    let Outcome::Violated { detail } = out else { panic!("expected Violated, got {out:?}") };
    for p in parts {
        assert!(detail.contains(p), "detail {detail:?} lacks {p:?}");
    }
    detail
}

/// The margin of a holding outcome.
fn holds(out: Outcome) -> Option<Margin> {
    let Outcome::Holds { margin } = out else { panic!("expected Holds, got {out:?}") };
    margin
}

/// A holding outcome whose exact margin is `m`.
fn holds_with_margin(out: Outcome, m: &str) {
    let margin = holds(out).expect("a margin");
    assert_eq!(margin.key, q(m), "margin {}", margin.text);
}

fn skipped(out: Outcome) {
    assert!(matches!(out, Outcome::Skipped { .. }), "expected Skipped, got {out:?}");
}

/// The violated outcome of `name` on `inst` survives a round trip through a
/// witness file and replays to the same outcome.
fn replays(name: &str, inst: &Instance, detail: &str) {
    let w = Witness {
        statement: check(name).statement().into(),
        check: name.into(),
        mutant: None,
        verdict: "refuted".into(),
        detail: detail.into(),
        instance: inst.clone(),
        provenance: vec!["tests/edges.rs".into()],
    };
    let back = Witness::parse("w.toml", &w.to_toml()).expect("witness parses");
    assert_eq!(back.instance, *inst, "{name}: the witness file changed the instance");
    let out = replay(&back, BackendSpec::Exact).expect("replay");
    assert_eq!(out, Outcome::Violated { detail: detail.into() }, "{name}: replay");
}

/// L(θ) of a case, exactly.
fn risk(c: &Case) -> BigRational {
    summary_from_exact::<BigRational>(c, &()).risk
}

/// Whether every neuron's preactivation is < 0 on the support of μ (checked
/// here independently of the library: at a and b for d = 1 intervals, at every
/// weighted point for empirical measures).
fn all_dead(c: &Case) -> bool {
    let th = &c.theta;
    let z = |j: usize, x: &[BigRational]| -> BigRational {
        th.w_row(j).iter().zip(x).map(|(w, xi)| w * xi).fold(th.b[j].clone(), |s, t| s + t)
    };
    (0..th.width()).all(|j| match &c.problem.measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, d: 1 } => {
            z(j, std::slice::from_ref(a)).is_negative() && z(j, std::slice::from_ref(b)).is_negative()
        }
        Measure::Uniform { .. } => false,
        // z_j is affine: negative on the box iff at every corner.
        Measure::Box { a, b, .. } => reluproof::model::box_corners(a, b).iter().all(|x| z(j, x).is_negative()),
        Measure::Empirical { points, weights } => {
            points.iter().zip(weights).all(|(x, p)| p.is_zero() || z(j, x).is_negative())
        }
    })
}

const SEEDS: u64 = 200;

/// Lebesgue on [0, 1] with f(x) = x (mean 1/2).
const X_ON_01: &str = "measure = 'lebesgue'; a = '0'; b = '1'; target = { slope = '1', intercept = '0' }";
/// Lebesgue on [0, 2] with the tent f = relu(x) − 2 relu(x − 1) (mean 1/2, ∫(f − 1/2)² = 1/6).
const TENT_ON_02: &str =
    "measure = 'lebesgue'; a = '0'; b = '2'; target = { knots = ['0', '1', '2'], values = ['0', '1', '0'] }";
/// Lebesgue on [−2, 4], ξ = 0 (Q1's hand witness).
const KINK_ON_M24: &str = "measure = 'lebesgue'; a = '-2'; b = '4'; target = '0'";
/// Lebesgue on [0, 1], ξ = 1.
const XI1_ON_01: &str = "measure = 'lebesgue'; a = '0'; b = '1'; target = '1'";

// ---- E1: nonconstant target ----

const E1_IDENTITY: &str = "lyapunov_identity_fails_of_nonconstant_target";
const E1_CRITICAL: &str = "critical_point_of_positive_risk_of_nonconstant_target";
const E1_STALL: &str = "gd_stalls_at_positive_risk_of_nonconstant_target";

/// E1 identity check refuted: ⟨∇V, G⟩ < 0 with these exact values (ξ = mean of f).
fn identity_fails(problem: &str, theta: &str, grad_v_g: &str, eight_l: &str, defect: &str) {
    let inst = Instance::of(case(problem, theta));
    let detail = violated(
        run(E1_IDENTITY, &inst, None),
        &[&format!("<grad V, G> = {grad_v_g} < 0"), &format!("(8L = {eight_l};"), &format!("= {defect}),")],
    );
    replays(E1_IDENTITY, &inst, &detail);
    // The control (constant target ξ = mean of f, same θ) holds: ⟨∇V, G⟩ = 8L ≥ 0.
    let control = holds(run(E1_IDENTITY, &inst, Some("constant_target"))).expect("margin");
    assert!(!control.key.is_negative());
}

/// E1 identity check holds with ⟨∇V, G⟩ = `grad_v_g` ≥ 0.
fn identity_survives(problem: &str, theta: &str, grad_v_g: &str) {
    holds_with_margin(run(E1_IDENTITY, &Instance::of(case(problem, theta)), None), grad_v_g);
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_lyapunov_identity_fails_of_nonconstant_target() {
    // N = ξ + (f − ξ)/2 on the support: ⟨∇V, G⟩ = 8(t² − t)∫(f − ξ)² with t = 1/2.
    identity_fails(X_ON_01, "w = ['1']; b = ['0']; v = ['1/2']; c = '1/4'", "-1/6", "1/6", "-1/3");
    identity_fails(X_ON_01, "w = ['1']; b = ['1']; v = ['1/2']; c = '-1/4'", "-1/6", "1/6", "-1/3");
    identity_fails("measure = 'lebesgue'; a = '-1'; b = '1'; target = { slope = '2', intercept = '1' }", "w = ['1']; b = ['2']; v = ['1']; c = '-1'", "-16/3", "16/3", "-32/3");
    identity_fails("measure = 'uniform'; a = '0'; b = '2'; target = { slope = '1', intercept = '0' }", "w = ['1']; b = ['0']; v = ['1/2']; c = '1/2'", "-2/3", "2/3", "-4/3");
    identity_fails("measure = 'empirical'; points = ['0', '1']; weights = ['1', '1']; target = { slope = '1', intercept = '0' }", "w = ['1']; b = ['0']; v = ['1/2']; c = '1/4'", "-1", "1", "-2");
    // The tent f = relu(x) − 2 relu(x − 1) on [0, 2] (mean 1/2, ∫(f − 1/2)² = 1/6), N = 1/4 + f/2.
    identity_fails(TENT_ON_02, "w = ['1', '1']; b = ['0', '-1']; v = ['1/2', '-1']; c = '1/4'", "-1/3", "1/3", "-2/3");
    // Where it survives: a dead network at c = 1/4 (ξ = 1/2 here, so ⟨∇V, G⟩ = 8m(c − ξ)² > 0), an exact fit, the tent's dead network at its mean.
    identity_survives(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '1/4'", "1/2");
    identity_survives(X_ON_01, "w = ['1']; b = ['0']; v = ['1']; c = '0'", "0");
    identity_survives(TENT_ON_02, "w = ['0']; b = ['-1']; v = ['5']; c = '1/2'", "0");
    // The control restores the constant target ξ = 1/2: ⟨∇V, G⟩ = 8L = 8 ∫(x/2 − 1/4)² = 1/6.
    let k = case(X_ON_01, "w = ['1']; b = ['0']; v = ['1/2']; c = '1/4'");
    holds_with_margin(run(E1_IDENTITY, &Instance::of(k), Some("constant_target")), "1/6");
}

/// proofs/E1.md's second hand witness uses ξ = 0 rather than the check's ξ = mean of f:
/// f(x) = x on [0, 1], every neuron dead, c = 1/4 gives ⟨∇V_0, G⟩ = 4(c − 0) G_c = −1/2,
/// and the corrected identity ⟨∇V_ξ, G⟩ = 8L + 8∫(f − ξ)(N − f) = 7/6 − 5/3.
#[test]
#[rustfmt::skip] // one hand case per line
fn test_e1_hand_witness_with_xi_zero() {
    let k = case(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '1/4'");
    let s = summary_from_exact::<BigRational>(&k, &());
    assert_eq!(s.gradient.flatten(), vec![q("0"), q("0"), q("0"), q("-1/2")]);
    assert_eq!(s.risk, q("7/48"));
    let theta = k.theta.clone();
    assert_eq!(lyapunov_gradient(&theta, &q("0")).dot(&s.gradient, &()), q("-1/2"));
    assert_eq!(&s.eight_risk + q("-5/3"), q("-1/2"));
}

/// E1 critical-point check refuted: G = 0 exactly while L = `l` > 0.
fn critical_with_positive_risk(problem: &str, theta: &str, l: &str) {
    let inst = Instance::of(case(problem, theta));
    let detail = violated(run(E1_CRITICAL, &inst, None), &[&format!("G(theta) = 0 exactly but L(theta) = {l} > 0")]);
    replays(E1_CRITICAL, &inst, &detail);
    // The control (ξ = mean of f, the same dead network at c = ξ) is a global minimiser.
    assert_eq!(holds(run(E1_CRITICAL, &inst, Some("constant_target"))), None);
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_critical_point_of_positive_risk_of_nonconstant_target() {
    // proofs/E1.md: Lebesgue [0, 1], f(x) = x, H = 1, w = 0, b = −1, c = 1/2: G = 0, L = 1/12.
    critical_with_positive_risk(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '1/2'", "1/12");
    critical_with_positive_risk(X_ON_01, "w = ['0']; b = ['-1']; v = ['-7']; c = '1/2'", "1/12");
    critical_with_positive_risk("measure = 'lebesgue'; a = '-3'; b = '1'; target = { slope = '1/2', intercept = '5' }", "w = ['2', '-1']; b = ['-3', '-4']; v = ['1', '1']; c = '9/2'", "4/3");
    critical_with_positive_risk("measure = 'uniform'; a = '0'; b = '2'; target = { slope = '1', intercept = '0' }", "w = ['1']; b = ['-3']; v = ['2']; c = '1'", "1/3");
    critical_with_positive_risk(TENT_ON_02, "w = ['0']; b = ['-1']; v = ['1']; c = '1/2'", "1/6");
    critical_with_positive_risk("measure = 'empirical'; points = ['0', '1']; weights = ['1', '1']; target = { slope = '1', intercept = '0' }", "w = ['0']; b = ['-1']; v = ['1']; c = '1/2'", "1/2");
    critical_with_positive_risk("measure = 'empirical'; points = [['0', '0'], ['1', '0'], ['0', '1']]; weights = ['1', '1', '1']; target = { slope = ['1', '1'], intercept = '0' }", "w = [['1', '1']]; b = ['-3']; v = ['1']; c = '2/3'", "2/3");
    // A zero-weight point does not count: the dead network at the mean of the weighted points.
    critical_with_positive_risk("measure = 'empirical'; points = ['0', '1', '5']; weights = ['1', '1', '0']; target = { slope = '1', intercept = '0' }", "w = ['1']; b = ['-2']; v = ['1']; c = '1/2'", "1/2");
    // Not critical: c away from the mean (G_c = 2(c − 1/2) = −1), and an exact fit (G = 0, L = 0).
    holds_with_margin(run(E1_CRITICAL, &Instance::of(case(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'")), None), "1");
    assert_eq!(holds(run(E1_CRITICAL, &Instance::of(case(X_ON_01, "w = ['1']; b = ['0']; v = ['1']; c = '0'")), None)), None);
}

/// E1 stall check refuted: L(θ_n) ≥ `floor` for all n, with L(θ_0) and L(θ_20) as given.
fn stalls(problem: &str, theta: &str, gm: &str, floor: &str, l0: &str, l20: &str) {
    let inst = Instance::of(case(problem, theta)).with_number("gamma_times_mass", q(gm));
    let detail = violated(
        run(E1_STALL, &inst, None),
        &[&format!("int (f - mean f)^2 = {floor} > 0"), &format!("(L(theta_0) = {l0}, L(theta_20) = {l20})")],
    );
    replays(E1_STALL, &inst, &detail);
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_gd_stalls_at_positive_risk_of_nonconstant_target() {
    // Started at the positive-risk critical point of proofs/E1.md: GD never moves.
    stalls(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '1/2'", "1/2", "1/12", "1/12", "1/12");
    // From c = 0 with γm = 1/2 one step puts c at the mean; with γm = 1/4,
    // c_n − 1/2 = −2^-(n+1), so L(θ_20) = 1/12 + 2^-42.
    stalls(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'", "1/2", "1/12", "1/3", "1/12");
    let l20 = q("1/12") + q("1/4398046511104");
    stalls(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'", "1/4", "1/12", "1/3", &short(&l20));
    stalls("measure = 'lebesgue'; a = '0'; b = '2'; target = { slope = '1', intercept = '0' }", "w = ['1']; b = ['-3']; v = ['2']; c = '0'", "1/2", "2/3", "8/3", "2/3");
    stalls(TENT_ON_02, "w = ['0']; b = ['-1']; v = ['1']; c = '1/2'", "3/4", "1/6", "1/6", "1/6");
    stalls("measure = 'empirical'; points = ['0', '1']; weights = ['1', '1']; target = { slope = '1', intercept = '0' }", "w = ['0']; b = ['-1']; v = ['1']; c = '0'", "1/2", "1/2", "1", "1/2");
    // Control: the constant target ξ = 1/2; L falls from 1/4 to 0 (margin L(θ_0) − L(θ_20)).
    let dead = case(X_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'");
    holds_with_margin(run(E1_STALL, &Instance::of(dead.clone()).with_number("gamma_times_mass", q("1/2")), Some("constant_target")), "1/4");
    // Outside the check's hypotheses: a live neuron, or no step size.
    skipped(run(E1_STALL, &Instance::of(case(X_ON_01, "w = ['1']; b = ['0']; v = ['1']; c = '0'")).with_number("gamma_times_mass", q("1/2")), None));
    skipped(run(E1_STALL, &Instance::of(dead), None));
}

#[test]
fn lyapunov_identity_fails_of_nonconstant_target_properties() {
    let c = check(E1_IDENTITY);
    let mut refuted = 0;
    for seed in 0..SEEDS / 2 {
        let inst = c.generate(&mut Rng::new(seed));
        let k = &inst.case;
        assert!(k.problem.target.constant().is_none(), "seed {seed}: the target must be nonconstant");
        // The corrected identity of E1, via polarisation and three exact risks:
        // ⟨∇V, G⟩ = 8∫(N − ξ)(N − f) = 4(L + L_ξ − ∫(f − ξ)²).
        let s = summary_from_exact::<BigRational>(k, &());
        let xi = k.problem.reference_constant();
        let mut const_target = k.clone();
        const_target.problem.target = Target::Constant(xi.clone());
        let mut at_xi = k.clone();
        at_xi.theta.v.iter_mut().for_each(|v| *v = BigRational::zero());
        at_xi.theta.c = xi;
        let four = BigRational::from_integer(4.into());
        assert_eq!(s.grad_v_dot_g, four * (&s.risk + risk(&const_target) - risk(&at_xi)), "seed {seed}");
        match c.run(&inst, BackendSpec::Exact, None) {
            Outcome::Violated { detail } => {
                assert!(s.grad_v_dot_g.is_negative());
                replays(E1_IDENTITY, &inst, &detail);
                refuted += 1;
            }
            out => assert_eq!(holds(out).expect("margin").key, s.grad_v_dot_g, "seed {seed}"),
        }
        // The control always holds (it is C3).
        assert!(matches!(c.run(&inst, BackendSpec::Exact, Some("constant_target")), Outcome::Holds { .. }));
    }
    assert!(refuted >= 10, "only {refuted} witnesses of <grad V, G> < 0");
}

#[test]
fn critical_point_of_positive_risk_of_nonconstant_target_properties() {
    let c = check(E1_CRITICAL);
    let mut refuted = 0;
    for seed in 0..SEEDS / 2 {
        let inst = c.generate(&mut Rng::new(seed));
        let k = &inst.case;
        let dead_at_mean = all_dead(k) && k.theta.c == k.problem.reference_constant();
        match c.run(&inst, BackendSpec::Exact, None) {
            Outcome::Violated { detail } => {
                replays(E1_CRITICAL, &inst, &detail);
                refuted += 1;
            }
            out => {
                holds(out);
                // Only a dead network at the mean with ∫(f − f̄)² = 0 may escape.
                assert!(!dead_at_mean || risk(k).is_zero(), "seed {seed}: a dead network at the mean held");
            }
        }
        if dead_at_mean {
            // L = ∫(f − f̄)² dμ, computed here without the library's integrator.
            let expected = match (&k.problem.measure, &k.problem.target) {
                (Measure::Empirical { points, weights }, t) => {
                    let fbar = k.problem.reference_constant();
                    let sum = points.iter().zip(weights).fold(BigRational::zero(), |s, (x, p)| {
                        let e = t.value_at(x).expect("exact") - &fbar;
                        s + p * &e * &e
                    });
                    Some(sum)
                }
                (Measure::Lebesgue { a, b }, Target::Affine { slope, .. }) => {
                    let len = b - a;
                    Some(&slope[0] * &slope[0] * &len * &len * &len / BigRational::from_integer(12.into()))
                }
                (Measure::Uniform { a, b, .. }, Target::Affine { slope, .. }) => {
                    let len = b - a;
                    Some(&slope[0] * &slope[0] * &len * &len / BigRational::from_integer(12.into()))
                }
                // Independent coordinates: the variance of Σ s_i x_i is Σ s_i² (b_i − a_i)²/12.
                (Measure::Box { a, b, probability }, Target::Affine { slope, .. }) => {
                    let var = slope.iter().zip(a.iter().zip(b)).fold(BigRational::zero(), |s, (si, (ai, bi))| {
                        s + si * si * (bi - ai) * (bi - ai) / BigRational::from_integer(12.into())
                    });
                    Some(if *probability { var } else { var * reluproof::model::box_volume(a, b) })
                }
                _ => None,
            };
            if let Some(l) = expected {
                assert_eq!(risk(k), l, "seed {seed}");
            }
        }
        assert!(matches!(c.run(&inst, BackendSpec::Exact, Some("constant_target")), Outcome::Holds { .. }));
    }
    assert!(refuted >= 20, "only {refuted} positive-risk critical points");
}

#[test]
fn gd_stalls_at_positive_risk_of_nonconstant_target_properties() {
    let c = check(E1_STALL);
    let mut refuted = 0;
    for seed in 0..SEEDS / 4 {
        let inst = c.generate(&mut Rng::new(seed));
        assert!(all_dead(&inst.case), "seed {seed}: the generator kills every neuron");
        let out = c.run(&inst, BackendSpec::Exact, None);
        if !inst.case.problem.measure.mass().is_positive() {
            // Every weight 0: outside the check's hypotheses.
            skipped(out);
            continue;
        }
        // It stalls exactly when the floor ∫(f − f̄)² (L of the dead network at c = f̄) is positive.
        let mut at_mean = inst.case.clone();
        at_mean.theta.c = at_mean.problem.reference_constant();
        let floor = risk(&at_mean);
        match out {
            Outcome::Violated { detail } => {
                assert!(detail.contains(&format!("int (f - mean f)^2 = {} > 0", short(&floor))), "seed {seed}");
                replays(E1_STALL, &inst, &detail);
                refuted += 1;
            }
            out => {
                assert!(floor.is_zero(), "seed {seed}: held with floor {floor}");
                holds(out);
            }
        }
        assert!(matches!(c.run(&inst, BackendSpec::Exact, Some("constant_target")), Outcome::Holds { .. }));
    }
    assert!(refuted >= 10, "only {refuted} stalled runs");
}

// ---- E2: no output bias ----

const E2_CRITICAL: &str = "critical_point_of_positive_risk_of_no_output_bias";

fn no_bias_critical(problem: &str, theta: &str, l: &str, control_g2: &str) {
    let inst = Instance::of(case(&format!("{problem}; output_bias = false"), theta));
    let detail = violated(
        run(E2_CRITICAL, &inst, None),
        &[&format!("no output bias: G(theta) = 0 exactly but L(theta) = {l} > 0")],
    );
    replays(E2_CRITICAL, &inst, &detail);
    // Control: with c back (at c = 0), G_c = −2ξm ≠ 0, so the point is not critical.
    holds_with_margin(run(E2_CRITICAL, &inst, Some("with_output_bias")), control_g2);
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_critical_point_of_positive_risk_of_no_output_bias() {
    // Dead networks: N ≡ 0, G = 0, L = ξ² m (the control has |G|² = G_c² = 4ξ²m²).
    no_bias_critical("measure = 'lebesgue'; a = '0'; b = '2'; target = '3'", "w = ['0']; b = ['-1']; v = ['1']", "18", "144");
    no_bias_critical("measure = 'lebesgue'; a = '0'; b = '2'; target = '3'", "w = ['1', '-2']; b = ['-3', '-1/2']; v = ['4', '-5']", "18", "144");
    no_bias_critical("measure = 'uniform'; a = '0'; b = '2'; target = '3'", "w = ['0']; b = ['-1']; v = ['1']", "9", "36");
    no_bias_critical("measure = 'empirical'; points = ['1', '2']; weights = ['1/2', '1/4']; target = '-2'", "w = ['1']; b = ['-3']; v = ['1']", "3", "9");
    // A degenerate neuron (w = b = 0) under the open convention is dead too (σ'(0) = 0, σ(0) = 0).
    no_bias_critical("measure = 'lebesgue'; a = '0'; b = '2'; target = '3'", "w = ['0']; b = ['0']; v = ['1']", "18", "144");
    // Under the closed convention it is not critical: G_w = 2v∫x e = −12, G_b = 2v∫e = −12.
    let closed = case("measure = 'lebesgue'; a = '0'; b = '2'; target = '3'; output_bias = false; sigma_prime_zero = 'closed'", "w = ['0']; b = ['0']; v = ['1']");
    holds_with_margin(run(E2_CRITICAL, &Instance::of(closed), None), "288");
    // A live neuron: N = x on [0, 2], G_v = 2∫x(x − 3) = −20/3 ≠ 0.
    let live = case("measure = 'lebesgue'; a = '0'; b = '2'; target = '3'; output_bias = false", "w = ['1']; b = ['0']; v = ['1']");
    let g = summary_from_exact::<BigRational>(&live, &()).gradient;
    assert_eq!(g.v, vec![q("-20/3")]);
    assert_eq!(g.c, q("0"), "without the output bias G_c is 0");
    assert!(holds(run(E2_CRITICAL, &Instance::of(live), None)).is_some());
}

#[test]
fn critical_point_of_positive_risk_of_no_output_bias_properties() {
    let c = check(E2_CRITICAL);
    let (mut refuted, mut dead) = (0, 0);
    for seed in 0..SEEDS / 2 {
        let inst = c.generate(&mut Rng::new(seed));
        let k = &inst.case;
        assert!(!k.problem.output_bias && k.theta.c.is_zero());
        let xi = k.problem.target.constant().expect("constant target").clone();
        assert!(!xi.is_zero());
        let m = k.problem.measure.mass();
        let out = c.run(&inst, BackendSpec::Exact, None);
        if all_dead(k) && m.is_positive() {
            // The CLAIMS.md witness: G = 0 and L = ξ² m.
            dead += 1;
            let l = &xi * &xi * &m;
            violated(out.clone(), &[&format!("L(theta) = {} > 0", short(&l))]);
        }
        if let Outcome::Violated { detail } = out {
            replays(E2_CRITICAL, &inst, &detail);
            refuted += 1;
        } else {
            holds(out);
        }
        // With the output bias back, no generated θ is a positive-risk critical point (C6).
        assert!(matches!(c.run(&inst, BackendSpec::Exact, Some("with_output_bias")), Outcome::Holds { .. }));
    }
    assert!(dead >= 20 && refuted >= dead, "dead {dead}, refuted {refuted}");
}

// ---- E4: 1-homogeneous activations ----

const E4_IDENTITY: &str = "lyapunov_identity_of_homogeneous_activation";

/// E4 holds with ⟨∇V, G⟩ = 8L = `eight_l` exactly; the control (7L) is refuted when L > 0.
fn homogeneous(problem: &str, theta: &str, eight_l: &str) {
    let k = case(problem, theta);
    let s = summary_from_exact::<BigRational>(&k, &());
    assert_eq!(s.eight_risk, q(eight_l));
    assert_eq!(s.grad_v_dot_g, q(eight_l));
    let inst = Instance::of(k);
    assert_eq!(holds(run(E4_IDENTITY, &inst, None)), None);
    let control = run(E4_IDENTITY, &inst, Some("seven_instead_of_eight"));
    if s.risk.is_zero() {
        holds(control);
    } else {
        let seven_l = BigRational::from_integer(7.into()) * &s.risk;
        violated(control, &[&format!("but 7L = {}", short(&seven_l))]);
    }
}

/// A degenerate neuron (w = b = 0) under both σ'(0) conventions: the identity
/// holds under each, and G_{w}, G_{b} are the given exact values.
fn homogeneous_degenerate(problem: &str, theta: &str, eight_l: &str, open: (&str, &str), closed: (&str, &str)) {
    for (conv, (gw, gb)) in [("open", open), ("closed", closed)] {
        let k = case(&format!("{problem}; sigma_prime_zero = '{conv}'"), theta);
        let g = summary_from_exact::<BigRational>(&k, &()).gradient;
        assert_eq!((&g.w[0], &g.b[0]), (&q(gw), &q(gb)), "{conv}");
        homogeneous(&format!("{problem}; sigma_prime_zero = '{conv}'"), theta, eight_l);
    }
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_lyapunov_identity_of_homogeneous_activation() {
    // N = σ(x) on [−1, 1], ξ = 0: L = ∫σ(x)².
    homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '0'; activation = 'abs'", "w = ['1']; b = ['0']; v = ['1']; c = '0'", "16/3");
    homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '0'; activation = { name = 'leaky_relu', slope = '1/2' }", "w = ['1']; b = ['0']; v = ['1']; c = '0'", "10/3");
    homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '0'; activation = { name = 'leaky_relu', slope = '-1' }", "w = ['1']; b = ['0']; v = ['1']; c = '0'", "16/3");
    homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '0'; activation = { name = 'leaky_relu', slope = '0' }", "w = ['1']; b = ['0']; v = ['1']; c = '0'", "8/3");
    homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '0'; activation = { name = 'leaky_relu', slope = '1' }", "w = ['1']; b = ['0']; v = ['1']; c = '0'", "16/3");
    // |x − 1| on uniform [0, 2] with ξ = 1 and c = 1: L = (1/2)∫(x − 1)² = 1/3.
    homogeneous("measure = 'uniform'; a = '0'; b = '2'; target = '1'; activation = 'abs'", "w = ['1']; b = ['-1']; v = ['1']; c = '1'", "8/3");
    // A network identically 0 = ξ: |x| − |−x| = 0, so L = 0 (and the 7L control holds too).
    homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '0'; activation = 'abs'", "w = ['1', '-1']; b = ['0', '0']; v = ['1', '-1']; c = '0'", "0");
    // Empirical, d = 2, one point exactly on the kink (z = 0): e = (0, 0, −1), L = 1.
    homogeneous("measure = 'empirical'; points = [['1', '0'], ['0', '1'], ['-1', '-1']]; weights = ['1', '1', '1']; target = '1'; activation = 'abs'", "w = [['1', '-1']]; b = ['0']; v = ['1']; c = '0'", "8");
    // Degenerate neurons: σ'(0) is the left slope under `open` (α, or −1 for |z|) and 1 under `closed`.
    // Leaky slope 3, v = 2, N ≡ c = 1, ξ = 0 on [0, 1]: G_b = 2v σ'(0)∫e, G_w = 2v σ'(0)∫x e.
    homogeneous_degenerate("measure = 'lebesgue'; a = '0'; b = '1'; target = '0'; activation = { name = 'leaky_relu', slope = '3' }", "w = ['0']; b = ['0']; v = ['2']; c = '1'", "8", ("6", "12"), ("2", "4"));
    homogeneous_degenerate("measure = 'lebesgue'; a = '0'; b = '1'; target = '0'; activation = 'abs'", "w = ['0']; b = ['0']; v = ['1']; c = '1'", "8", ("-1", "-2"), ("1", "2"));
    homogeneous_degenerate("measure = 'empirical'; points = ['-1', '2']; weights = ['1', '1/2']; target = '1'; activation = { name = 'leaky_relu', slope = '1/10' }", "w = ['0', '1']; b = ['0', '-2']; v = ['5', '1']; c = '0'", "438/25", ("3/10", "-9/5"), ("3", "-18"));
}

#[test]
fn lyapunov_identity_of_homogeneous_activation_properties() {
    let c = check(E4_IDENTITY);
    let mut controls = 0;
    for seed in 0..SEEDS {
        let inst = c.generate(&mut Rng::new(seed));
        assert_eq!(inst.case.problem.activation.homogeneity(), Some(1), "seed {seed}");
        assert_eq!(c.run(&inst, BackendSpec::Exact, None), Outcome::Holds { margin: None }, "seed {seed}");
        // 7L = 8L exactly when L = 0.
        let positive = risk(&inst.case).is_positive();
        let control = c.run(&inst, BackendSpec::Exact, Some("seven_instead_of_eight"));
        assert_eq!(matches!(control, Outcome::Violated { .. }), positive, "seed {seed}: {control:?}");
        controls += usize::from(positive);
    }
    assert!(controls >= SEEDS as usize / 2);
}

// ---- E5: ReLU^p ----

const E5_IDENTITY: &str = "lyapunov_identity_of_p_homogeneous_activation";

/// E5 holds: L = `l`, ⟨∇V_p, G⟩ = 8pL; the control (V of the papers) gives `grad_v1_g`.
fn p_homogeneous(problem: &str, theta: &str, p: u32, l: &str, grad_v1_g: &str) {
    let k = case(problem, theta);
    let s = summary_from_exact::<BigRational>(&k, &());
    assert_eq!(s.risk, q(l));
    let xi = k.problem.reference_constant();
    let eight_p_l = BigRational::from_integer((8 * p).into()) * q(l);
    assert_eq!(lyapunov_p_gradient(&k.theta, &xi, p, &()).dot(&s.gradient, &()), eight_p_l);
    assert_eq!(lyapunov_p_gradient(&k.theta, &xi, 1, &()).dot(&s.gradient, &()), q(grad_v1_g));
    let inst = Instance::of(k);
    assert_eq!(holds(run(E5_IDENTITY, &inst, None)), None);
    let control = run(E5_IDENTITY, &inst, Some("relu_lyapunov_function"));
    if q(grad_v1_g) == eight_p_l {
        holds(control);
    } else {
        violated(control, &[&format!("ReLU^{p}: <grad V_1, G> = {grad_v1_g} but {}L = {}", 8 * p, short(&eight_p_l))]);
    }
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_lyapunov_identity_of_p_homogeneous_activation() {
    // N = x^p on [0, 1], ξ = c = 0: L = 1/(2p + 1), and ⟨∇V_1, G⟩ = (4p + 4)L.
    p_homogeneous("measure = 'lebesgue'; a = '0'; b = '1'; target = '0'; activation = 'relu2'", "w = ['1']; b = ['0']; v = ['1']; c = '0'", 2, "1/5", "12/5");
    p_homogeneous("measure = 'lebesgue'; a = '0'; b = '1'; target = '0'; activation = 'relu3'", "w = ['1']; b = ['0']; v = ['1']; c = '0'", 3, "1/7", "16/7");
    // Kink inside [−1, 1], ξ = 1: L = 1 + ∫_0^1 (x² − 1)² = 23/15.
    p_homogeneous("measure = 'lebesgue'; a = '-1'; b = '1'; target = '1'; activation = 'relu2'", "w = ['1']; b = ['0']; v = ['1']; c = '0'", 2, "23/15", "176/15");
    // N = ξ: L = 0 and every identity is 0 = 0.
    p_homogeneous("measure = 'lebesgue'; a = '0'; b = '1'; target = '2'; activation = 'relu3'", "w = ['1']; b = ['0']; v = ['0']; c = '2'", 3, "0", "0");
    // Empirical, d = 2, a point on the kink: N = (1, 0, 0), ξ = 1: e = (0, −1, −1), L = 2,
    // G = G_c e_c with G_c = −4, so ⟨∇V_1, G⟩ = 4(c − ξ)G_c = 16 and ⟨∇V_2, G⟩ = 8(c − ξ)G_c = 32.
    p_homogeneous("measure = 'empirical'; points = [['1', '0'], ['0', '1'], ['-1', '-1']]; weights = ['1', '1', '1']; target = '1'; activation = 'relu2'", "w = [['1', '-1']]; b = ['0']; v = ['1']; c = '0'", 2, "2", "16");
    // Degenerate neurons: σ'(0) = 0 for p ≥ 2 under either convention, so G is the same.
    for act in ["relu2", "relu3"] {
        let g = |conv: &str| {
            let k = case(&format!("measure = 'lebesgue'; a = '0'; b = '1'; target = '0'; activation = '{act}'; sigma_prime_zero = '{conv}'"), "w = ['0', '1']; b = ['0', '0']; v = ['3', '1']; c = '1'");
            assert_eq!(holds(run(E5_IDENTITY, &Instance::of(k.clone()), None)), None);
            summary_from_exact::<BigRational>(&k, &()).gradient
        };
        let (open, closed) = (g("open"), g("closed"));
        assert_eq!(open, closed, "{act}");
        assert_eq!((open.w[0].clone(), open.b[0].clone(), open.v[0].clone()), (q("0"), q("0"), q("0")), "{act}");
    }
}

#[test]
fn lyapunov_identity_of_p_homogeneous_activation_properties() {
    let c = check(E5_IDENTITY);
    let mut controls = 0;
    for seed in 0..SEEDS {
        let inst = c.generate(&mut Rng::new(seed));
        let p = inst.case.problem.activation.homogeneity().expect("homogeneous");
        assert!(p == 2 || p == 3, "seed {seed}");
        assert_eq!(c.run(&inst, BackendSpec::Exact, None), Outcome::Holds { margin: None }, "seed {seed}");
        let control = c.run(&inst, BackendSpec::Exact, Some("relu_lyapunov_function"));
        if risk(&inst.case).is_zero() {
            // L = 0 forces e = 0 μ-almost everywhere, so G = 0 and both sides vanish.
            holds(control);
        } else if matches!(control, Outcome::Violated { .. }) {
            controls += 1;
        }
    }
    assert!(controls >= SEEDS as usize / 2, "the control was refuted on only {controls} cases");
}

// ---- Q1: is L nonincreasing under GD with γ ≤ γ*? ----

const Q1_STEP: &str = "risk_nonincreasing_of_step_le_bound";

fn q1(problem: &str, theta: &str, k: &str) -> Outcome {
    run(Q1_STEP, &Instance::of(case(problem, theta)).with_number("gamma_factor", q(k)), None)
}

#[test]
#[rustfmt::skip] // one hand case per line
fn test_risk_nonincreasing_of_step_le_bound() {
    // A finding: a near-degenerate neuron (w = 0, b = 2^-40 > 0, active everywhere) on
    // Lebesgue [−2, 4], ξ = 0, v = 4, c = 1, so e ≈ 1. G treats the neuron as linear, but one
    // step of γ* gives w = −48γ*, b = 2^-40 − 48γ*: the kink jumps to x ≈ −1, inside the
    // domain, the neuron switches off on (−1, 4], and L rises from ≈ 6 to ≈ 6.014.
    let witness = "w = ['0']; b = ['1/1099511627776']; v = ['4']; c = '1'";
    let detail = violated(q1(KINK_ON_M24, witness, "1"), &["gamma = 1 gamma*: L(theta - gamma G) = ≈ 6.013973e0 > L(theta) = ≈ 6.000000e0"]);
    let inst = Instance::of(case(KINK_ON_M24, witness)).with_number("gamma_factor", q("1"));
    replays(Q1_STEP, &inst, &detail);
    violated(q1(KINK_ON_M24, witness, "1/2"), &["gamma = 1/2 gamma*", "≈ 6.006783e0 >"]);
    violated(q1("measure = 'uniform'; a = '-2'; b = '4'; target = '0'", witness, "1"), &["≈ 1.002329e0 >"]);
    violated(q1("measure = 'uniform'; a = '-6'; b = '10'; target = '0'", "w = ['0']; b = ['1/1099511627776']; v = ['1']; c = '1'", "1"), &["≈ 1.004522e0 >"]);
    // The same neuron with v = −4, or exactly degenerate (b = 0: frozen under the open convention): L decreases.
    assert!(holds(q1(KINK_ON_M24, "w = ['0']; b = ['1/1099511627776']; v = ['-4']; c = '1'", "1")).is_some());
    assert!(holds(q1(KINK_ON_M24, "w = ['0']; b = ['0']; v = ['4']; c = '1'", "1")).is_some());
    // Dead network, ξ = 1, c = 0 on [0, 1]: V = 6, γ* = 1/14, c − ξ shrinks by 1 − 2γm = 6/7, slack 1 − 36/49.
    holds_with_margin(q1(XI1_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'", "1"), "13/49");
    // Global minimiser: G = 0, slack 0.
    holds_with_margin(q1(XI1_ON_01, "w = ['2']; b = ['-1']; v = ['0']; c = '1'", "1"), "0");
    // Outside 0 < γ ≤ γ*, or without a factor: skipped.
    skipped(q1(XI1_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'", "2"));
    skipped(q1(XI1_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'", "0"));
    skipped(run(Q1_STEP, &Instance::of(case(XI1_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'")), None));
    // Control: γ = 2^20 γ* on the dead network: c − ξ is multiplied by 1 − 2^21/14.
    let dead = Instance::of(case(XI1_ON_01, "w = ['0']; b = ['-1']; v = ['1']; c = '0'")).with_number("gamma_factor", q("1"));
    violated(run(Q1_STEP, &dead, Some("step_far_above_bound")), &["gamma = 1048576 gamma*", "> L(theta) = 1"]);
}

#[test]
fn risk_nonincreasing_of_step_le_bound_properties() {
    let c = check(Q1_STEP);
    let mut controls = 0;
    for seed in 0..SEEDS / 2 {
        let inst = c.generate(&mut Rng::new(seed));
        let k = inst.number("gamma_factor").expect("gamma_factor").clone();
        assert!(k.is_positive() && k <= BigRational::one(), "seed {seed}");
        match c.run(&inst, BackendSpec::Exact, None) {
            Outcome::Violated { detail } => replays(Q1_STEP, &inst, &detail),
            // A generated measure of zero mass (every weight 0) has no γ*.
            Outcome::Skipped { .. } if gamma_star(&inst.case).is_none() => continue,
            out => {
                holds(out);
            }
        }
        if matches!(c.run(&inst, BackendSpec::Exact, Some("step_far_above_bound")), Outcome::Violated { .. }) {
            controls += 1;
        }
        // The same θ with every neuron dead: only c moves, c − ξ shrinks by 1 − 2γm,
        // so the slack is exactly L (1 − (1 − 2γm)²), with γ = k γ* of the dead θ.
        let mut dead = inst.case.clone();
        let bound = dead.problem.measure.rho2() + BigRational::one();
        for j in 0..dead.theta.width() {
            let w1 = dead.theta.w_row(j).iter().fold(BigRational::zero(), |s, w| s + w.abs());
            dead.theta.b[j] = -(w1 * &bound) - BigRational::one();
        }
        assert!(all_dead(&dead));
        let Some(gamma_star) = gamma_star(&dead) else { continue };
        let gamma = &k * gamma_star;
        let l = risk(&dead);
        let two = BigRational::from_integer(2.into());
        let f = BigRational::one() - two * &gamma * dead.problem.measure.mass();
        let slack = &l * (BigRational::one() - &f * &f);
        let dead_inst = Instance::of(dead).with_number("gamma_factor", k);
        match c.run(&dead_inst, BackendSpec::Exact, None) {
            Outcome::Holds { margin: Some(m) } => assert_eq!(m.key, slack, "seed {seed}"),
            other => panic!("seed {seed}: {other:?}"),
        }
    }
    assert!(controls >= 10, "the control was refuted on only {controls} cases");
}

/// Every check of this file is registered under the statement it documents.
#[test]
fn edge_checks_are_registered_under_their_statements() {
    for (name, id) in [
        (E1_IDENTITY, "E1"),
        (E1_CRITICAL, "E1"),
        (E1_STALL, "E1"),
        (E2_CRITICAL, "E2"),
        (E4_IDENTITY, "E4"),
        (E5_IDENTITY, "E5"),
        (Q1_STEP, "Q1"),
    ] {
        assert_eq!(check(name).statement(), id, "{name}");
    }
}
