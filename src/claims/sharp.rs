//! The sharper constants: C13 (‖G‖² + G_c² ≤ K′(1 + ‖θ‖²)L with
//! K′ = max{8m, 4∫(1 + ‖x‖²)dμ}), C14 (gradient descent decreases V for every
//! 0 < γ < 2γ′*, γ′* = 4/(K′(1 + V(Θ_0)))), and E6 in its informative regime
//! 2γ′* ≤ γ ≤ 1/m (below, C14 proves a decrease; above, an all-dead network
//! diverges trivially).

use super::checks::{on_backend, short};
use super::descent::{moderate_case, starts_at_fit, tame_numbers, Envelope};
use super::engine::{Margin, Outcome};
use super::instance::Instance;
use super::{Backends, Check};
use crate::backend::BackendSpec;
use crate::dynamics::gd::{
    gamma_prime_star, run_gd, sharp_constant, sharp_rate, FalseClaim, GammaSpec, GdOptions, StateMode,
};
use crate::gen::{self, GenConfig, Rng};
use crate::lyapunov::lyapunov;
use crate::num::{BigRational, Scalar, Sign3};
use num_traits::{One, Signed};

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GradientBoundSharp), Box::new(GdConvergesBelowTwiceSharpStep), Box::new(StepAboveTwiceSharpBound)]
}

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// C13: ‖G‖² + G_c² ≤ K′(1 + ‖θ‖²)L.
pub struct GradientBoundSharp;

impl Check for GradientBoundSharp {
    fn name(&self) -> &'static str {
        "gradient_bound_sharp"
    }
    fn statement(&self) -> &'static str {
        "C13"
    }
    fn summary(&self) -> &'static str {
        "|G|^2 + G_c^2 <= K' (1 + |theta|^2) L with K' = max(8m, 4 int (1 + |x|^2) dmu), the moment exact for every measure; the margin is 1 - (the constant the case needs) / K'"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["quarter_k_prime"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        Instance::of(gen::case(rng, &GenConfig::default()))
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(k) = sharp_constant(&inst.case.problem.measure) else {
            return Outcome::Skipped { reason: "K' is not known for this measure".into() };
        };
        if !k.is_positive() {
            return Outcome::Skipped { reason: "zero mass".into() };
        }
        let k_used = if mutant == Some("quarter_k_prime") { &k / q(4, 1) } else { k.clone() };
        on_backend!(backend, |S, ctx| {
            let s = crate::eval::summary_from_exact::<S>(&inst.case, ctx);
            let theta = inst.case.theta.map(|x| S::from_rational(x, ctx));
            let lhs = s.gradient.norm2(ctx).add(&s.gradient.c.sqr());
            let norm2 = theta.norm2(ctx);
            let base = S::from_i64(1, ctx).add(&norm2).mul(&s.risk);
            let rhs = S::from_rational(&k_used, ctx).mul(&base);
            let slack = rhs.sub(&lhs);
            match slack.sign() {
                Sign3::Negative => Outcome::Violated {
                    detail: format!(
                        "|G|^2 + G_c^2 = {} exceeds K' (1 + |theta|^2) L = {} (K' = {})",
                        short(&lhs),
                        short(&rhs),
                        short(&S::from_rational(&k_used, ctx))
                    ),
                },
                Sign3::Undecided => Outcome::Undecided {
                    reason: format!("K' (1 + |theta|^2) L - |G|^2 - G_c^2 = {} straddles 0", slack.render()),
                },
                // θ = 0 attains K′ = 8m when 8m ≥ 4M (proofs/C13.md): left out
                // of the margin, like fits (L = 0, where G = 0).
                _ if norm2.sign() == Sign3::Zero => Outcome::Holds { margin: None },
                _ if base.sign() == Sign3::Positive => {
                    let needed = lhs.div(&base).div(&S::from_rational(&k, ctx));
                    Outcome::Holds {
                        margin: Margin::of(
                            &S::from_i64(1, ctx).sub(&needed),
                            "1 - (|G|^2 + G_c^2) / (K' (1 + |theta|^2) L), over cases with L > 0 and theta != 0",
                        ),
                    }
                }
                _ => Outcome::Holds { margin: None },
            }
        })
    }
}

/// Steps of each generated C14 run.
pub const C14_STEPS: u64 = 100;
/// Dyadic grid of the C14 runs.
pub const C14_BITS: u32 = 64;

/// C14: with 0 < γ < 2γ′*, V(Θ_{n+1}) ≤ V(Θ_n) − γ(8 − γK′(1 + V(Θ_0)))L(Θ_n)
/// and C9(b)–(d) with that rate, on certified runs.
pub struct GdConvergesBelowTwiceSharpStep;

impl Check for GdConvergesBelowTwiceSharpStep {
    fn name(&self) -> &'static str {
        "gd_converges_below_twice_sharp_step"
    }
    fn statement(&self) -> &'static str {
        "C14"
    }
    fn summary(&self) -> &'static str {
        "100 certified GD steps (dyadic:64) with gamma = k gamma'*, k in {1, 3/2, 19/10}: (a) V(theta_n - gamma G(theta_n)) <= V(theta_n) - r L(theta_n) with r = gamma (8 - gamma K' (1 + V_0)), decided on the exact step before rounding, (b) |theta_n|^2 <= V_0, (c) sum L <= V_0/r, (d) min L <= V_0/(r n), exactly"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn caveat(&self) -> Option<&'static str> {
        Some("finite horizon: (a)-(d) are checked exactly for n < 100, (a) on the exact step from each stored (rounded) iterate; (e) L -> 0 is not checked")
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["eight_gamma_rate"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let k = match rng.below(3) {
            0 => BigRational::one(),
            1 => q(3, 2),
            _ => q(19, 10),
        };
        Instance::of(moderate_case(rng)).with_number("gamma_prime_factor", k)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(k) = inst.number("gamma_prime_factor").filter(|k| k.is_positive() && **k < q(2, 1)) else {
            return Outcome::Skipped { reason: "needs 0 < gamma_prime_factor < 2 (gamma < 2 gamma'*)".into() };
        };
        let Some(gp) = gamma_prime_star(&inst.case) else {
            return Outcome::Skipped { reason: "gamma'* undefined (zero mass)".into() };
        };
        let gamma = k * &gp;
        let Some(rate) = sharp_rate(&inst.case, &gamma) else {
            return Outcome::Skipped { reason: "gamma >= 2 gamma'*".into() };
        };
        // Negative control: the same run judged against (a) with 8γ for the
        // sharp rate, false whenever ‖G‖² + G_c² > 0 (C7).
        let false_claim =
            if mutant == Some("eight_gamma_rate") { FalseClaim::EightGammaSharpRate } else { FalseClaim::None };
        let opts = GdOptions {
            false_claim,
            ..GdOptions::in_memory(C14_STEPS, GammaSpec::AutoSharp(k.clone()), StateMode::Dyadic(C14_BITS))
        };
        match run_gd(&inst.case, &opts) {
            Err(e) => Outcome::Skipped { reason: e },
            Ok(s) => {
                if s.sharp_rate.as_ref() != Some(&rate) {
                    return Outcome::Undecided { reason: "the run did not apply C14's rate".into() };
                }
                for (name, t) in [("(a)", &s.c14a), ("(b)", &s.b), ("(c)", &s.c14c), ("(d)", &s.c14d)] {
                    if t.failed > 0 {
                        return Outcome::Violated {
                            detail: format!(
                                "C14{name} fails at step {} of a dyadic:{C14_BITS} run with gamma = {k} gamma'* (rate r = {})",
                                t.first_failure.unwrap_or(0),
                                crate::dynamics::gd::approx(&rate)
                            ),
                        };
                    }
                }
                match &s.c14a.min_slack {
                    Some(_) if starts_at_fit(&inst.case) => Outcome::Holds { margin: None },
                    Some(m) => Outcome::Holds {
                        margin: Margin::of(
                            m,
                            "min over steps of V(n) - r L(n) - V(theta_n - gamma G(theta_n)), over runs with L(theta_0) > 0",
                        ),
                    },
                    None => Outcome::Holds { margin: None },
                }
            }
        }
    }
}

/// A case with small numbers (H ≤ 2, d ≤ 2, at most 3 points, entries n/k
/// with |n| ≤ 4, k ≤ 2 where the shared generator's were larger), so that a
/// witness is readable; zeros and kinks on anchors survive.
fn small_case(rng: &mut Rng) -> crate::model::case::Case {
    let cfg = GenConfig { max_width: 2, max_dim: 2, max_points: 3, ..GenConfig::default() };
    let mut case = gen::case(rng, &cfg);
    let small = Envelope { max: 4, floor: None, max_denominator: 2 };
    tame_numbers(&mut case, rng, small, |rng| q(rng.range(-4, 4), rng.range(1, 2)));
    case
}

/// E6 in the informative regime: one GD step with 2γ′* ≤ γ ≤ 1/m can raise V.
///
/// The instance carries `gamma`, `gamma_prime_star` and `mass` exactly; the
/// check recomputes γ′* and m from the case and skips an instance whose
/// numbers disagree with its case or whose γ lies outside [2γ′*, 1/m].
pub struct StepAboveTwiceSharpBound;

impl Check for StepAboveTwiceSharpBound {
    fn name(&self) -> &'static str {
        "step_above_twice_sharp_bound"
    }
    fn statement(&self) -> &'static str {
        "E6"
    }
    fn summary(&self) -> &'static str {
        "the informative regime 2 gamma'* <= gamma <= 1/m (below, C14 proves a decrease; above, an all-dead network diverges): does V(theta - gamma G) <= V(theta) survive? exact; a witness with V increasing is expected, with gamma, gamma'* and m in its params"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["step_below_twice_sharp_bound"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let case = small_case(rng);
        let m = case.problem.measure.mass();
        let Some(gp) = gamma_prime_star(&case) else { return Instance::of(case) };
        let (lo, hi) = (q(2, 1) * &gp, m.recip());
        // γ = 1/m, 2γ′*, or a point between them (the range is never empty:
        // K′ ≥ 8m gives 2γ′* ≤ 1/(m(1 + V_0)) < 1/m).
        let gamma = match rng.below(4) {
            0 => hi.clone(),
            1 => lo.clone(),
            _ => {
                let t = q(rng.range(1, 15), 16);
                &lo + (&hi - &lo) * t
            }
        };
        Instance::of(case).with_number("gamma", gamma).with_number("gamma_prime_star", gp).with_number("mass", m)
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let case = &inst.case;
        let (Some(gamma), Some(gp_param), Some(m_param)) =
            (inst.number("gamma"), inst.number("gamma_prime_star"), inst.number("mass"))
        else {
            return Outcome::Skipped { reason: "needs gamma, gamma_prime_star and mass".into() };
        };
        let m = case.problem.measure.mass();
        let Some(gp) = gamma_prime_star(case).filter(|_| m.is_positive()) else {
            return Outcome::Skipped { reason: "gamma'* undefined (zero mass)".into() };
        };
        if &gp != gp_param || &m != m_param {
            return Outcome::Skipped {
                reason: format!(
                    "the params do not fit the case: gamma'* = {gp}, m = {m} (given {gp_param}, {m_param})"
                ),
            };
        }
        // Negative control: γ = γ′*, inside C14's domain, where V must decrease.
        let gamma = if mutant == Some("step_below_twice_sharp_bound") { gp.clone() } else { gamma.clone() };
        if mutant.is_none() && (gamma < q(2, 1) * &gp || gamma > m.recip()) {
            return Outcome::Skipped { reason: "gamma outside [2 gamma'*, 1/m]".into() };
        }
        let ratio = &gamma / &gp;
        on_backend!(backend, |S, ctx| {
            let s = crate::eval::summary_from_exact::<S>(case, ctx);
            let theta = case.theta.map(|x| S::from_rational(x, ctx));
            let xi = S::from_rational(case.problem.target.constant().expect("constant"), ctx);
            let g = S::from_rational(&gamma, ctx);
            let after = lyapunov(&theta.step(&g, &s.gradient), &xi, ctx);
            let slack = s.lyapunov.sub(&after);
            match slack.sign() {
                Sign3::Negative => Outcome::Violated {
                    detail: format!(
                        "gamma = {} = {} gamma'* = {} / m (2 gamma'* <= gamma <= 1/m): V(theta - gamma G) = {} > V(theta) = {}",
                        short(&g),
                        short(&S::from_rational(&ratio, ctx)),
                        short(&S::from_rational(&(&gamma * &m), ctx)),
                        short(&after),
                        short(&s.lyapunov)
                    ),
                },
                Sign3::Undecided => Outcome::Undecided { reason: "V change straddles 0".into() },
                _ if s.risk.sign() == Sign3::Zero => Outcome::Holds { margin: None },
                _ => Outcome::Holds {
                    margin: Margin::of(&slack, "V(theta) - V(theta - gamma G), over cases with L > 0"),
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::engine::{run_check, Budget, Verdict};
    use crate::model::case::parse_case;

    fn quiet(_: usize, _: usize) {}

    /// C14's generator draws γ = k γ′* for each k of its row, {1, 3/2,
    /// 19/10} (a cargo-mutants survivor, claims shard 6/80, deleted k = 1,
    /// the step at γ′* itself, unnoticed).
    #[test]
    fn generator_draws_every_step_factor_of_the_row() {
        let mut rng = Rng::new(8);
        let mut seen: Vec<BigRational> = Vec::new();
        for _ in 0..60 {
            let k = GdConvergesBelowTwiceSharpStep.generate(&mut rng).number("gamma_prime_factor").cloned();
            let k = k.expect("every instance has its factor");
            if !seen.contains(&k) {
                seen.push(k);
            }
        }
        seen.sort();
        assert_eq!(seen, [BigRational::one(), q(3, 2), q(19, 10)]);
    }

    /// A witness's factor k must satisfy 0 < k < 2 (the row's hypothesis
    /// γ < 2γ′*); outside it the run is skipped with that reason. (Claims
    /// shard 9/80 survivor: `&&` for `||` let k = −1 and k = 0 past the
    /// guard; k = −1 was then skipped with a wrong reason, "γ ≥ 2γ′*".)
    #[test]
    fn run_skips_step_factors_outside_zero_two() {
        let case = parse_case(
            "t",
            "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"1\"\ntarget = \"1\"\n\n[theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n",
        )
        .expect("case");
        for k in [q(-1, 1), q(0, 1), q(2, 1), q(5, 2)] {
            let inst = Instance::of(case.clone()).with_number("gamma_prime_factor", k.clone());
            match GdConvergesBelowTwiceSharpStep.run(&inst, BackendSpec::Exact, None) {
                Outcome::Skipped { reason } => {
                    assert!(reason.contains("0 < gamma_prime_factor < 2"), "k = {k}: {reason}")
                }
                other => panic!("k = {k}: {other:?}"),
            }
        }
        let inst = Instance::of(case).with_number("gamma_prime_factor", q(3, 2));
        assert!(matches!(GdConvergesBelowTwiceSharpStep.run(&inst, BackendSpec::Exact, None), Outcome::Holds { .. }));
    }

    #[test]
    fn k_prime_is_exact_on_every_measure() {
        let k = |text: &str| sharp_constant(&parse_case("t", text).expect("case").problem.measure).expect("K'");
        let th = "[theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n";
        // Lebesgue [0, 3]: m = 3, ∫(1 + x²) = 3 + 9 = 12: K' = max(24, 48) = 48.
        let leb = format!("[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"3\"\ntarget = \"1\"\n{th}");
        assert_eq!(k(&leb), q(48, 1));
        // Uniform [-1, 2]: E x² = (1 - 2 + 4)/3 = 1: K' = max(8, 8) = 8.
        let uni = format!("[problem]\nmeasure = \"uniform\"\na = \"-1\"\nb = \"2\"\ntarget = \"1\"\n{th}");
        assert_eq!(k(&uni), q(8, 1));
        // Uniform [0, 3]: E x² = 3: K' = 16.
        let uni3 = format!("[problem]\nmeasure = \"uniform\"\na = \"0\"\nb = \"3\"\ntarget = \"1\"\n{th}");
        assert_eq!(k(&uni3), q(16, 1));
        // Points 1/2 at x = 2, 1 at x = 0: m = 3/2, Σ p(1 + x²) = 5/2 + 1 = 7/2: K' = max(12, 14) = 14.
        let emp = format!(
            "[problem]\nmeasure = \"empirical\"\npoints = [[\"2\"], [\"0\"]]\nweights = [\"1/2\", \"1\"]\ntarget = \"1\"\n{th}"
        );
        assert_eq!(k(&emp), q(14, 1));
    }

    #[test]
    fn c13_holds_and_its_control_is_refuted() {
        let c = GradientBoundSharp;
        let r = run_check(&c, &Budget { cases: 200, seed: 3, backend: BackendSpec::Exact }, None, &quiet);
        assert!(matches!(r.verdict, Verdict::Holds { .. }), "{:?}", r.verdict);
        let r = run_check(
            &c,
            &Budget { cases: 200, seed: 3, backend: BackendSpec::Exact },
            Some("quarter_k_prime"),
            &quiet,
        );
        assert!(matches!(r.verdict, Verdict::Refuted { .. }), "{:?}", r.verdict);
    }

    #[test]
    fn c14_holds_and_its_control_is_refuted() {
        let c = GdConvergesBelowTwiceSharpStep;
        let r = run_check(&c, &Budget { cases: 6, seed: 5, backend: BackendSpec::Exact }, None, &quiet);
        assert!(matches!(r.verdict, Verdict::Holds { cases, .. } if cases > 0), "{:?}", r.verdict);
        let r =
            run_check(&c, &Budget { cases: 6, seed: 5, backend: BackendSpec::Exact }, Some("eight_gamma_rate"), &quiet);
        assert!(matches!(r.verdict, Verdict::Refuted { .. }), "{:?}", r.verdict);
    }

    #[test]
    fn e6_witness_lies_in_the_informative_regime() {
        let c = StepAboveTwiceSharpBound;
        let r = run_check(&c, &Budget { cases: 200, seed: 1, backend: BackendSpec::Exact }, None, &quiet);
        let Verdict::Refuted { witness, .. } = &r.verdict else { panic!("{:?}", r.verdict) };
        let p = &witness.instance;
        let (g, gp, m) = (p.number("gamma").unwrap(), p.number("gamma_prime_star").unwrap(), p.number("mass").unwrap());
        assert!(g >= &(q(2, 1) * gp) && g <= &m.recip(), "gamma = {g}, gamma'* = {gp}, m = {m}");
        assert!(witness.to_toml().contains("gamma_prime_star = \""));
        let r = run_check(
            &c,
            &Budget { cases: 200, seed: 1, backend: BackendSpec::Exact },
            Some("step_below_twice_sharp_bound"),
            &quiet,
        );
        assert!(matches!(r.verdict, Verdict::Holds { .. }), "{:?}", r.verdict);
    }

    /// E6 draws γ at both ends of [2γ′*, 1/m] and strictly between them,
    /// never outside: a draw outside is only skipped by `run`, so a
    /// generator that lost the interior still found its witnesses at the
    /// ends (claims shard 15/40 survivor: `lo + (hi − lo) t` with `/ t`).
    #[test]
    fn e6_draws_gamma_across_the_informative_regime() {
        let c = StepAboveTwiceSharpBound;
        let mut rng = Rng::new(11);
        let (mut ends, mut inside) = (0, 0);
        for _ in 0..200 {
            let inst = c.generate(&mut rng);
            let Some(g) = inst.number("gamma") else { continue };
            let (lo, hi) = (q(2, 1) * inst.number("gamma_prime_star").unwrap(), inst.number("mass").unwrap().recip());
            assert!(&lo <= g && g <= &hi, "gamma = {g} outside [{lo}, {hi}]");
            if g == &lo || g == &hi {
                ends += 1;
            } else {
                inside += 1;
            }
        }
        assert!(ends > 0 && inside > 0, "{ends} draws at the ends, {inside} inside");
    }

    /// E6's domain [2γ′*, 1/m] is closed: both ends are judged, and a step
    /// just outside either end is skipped. (Claims shard 26/40 survivor:
    /// `γ < 2γ′*` written `γ <= 2γ′*` skipped the lower end, a quarter of
    /// the draws, and no test judged it.)
    #[test]
    fn e6_judges_both_ends_of_its_closed_domain() {
        let c = StepAboveTwiceSharpBound;
        let inst = c.generate(&mut Rng::new(4));
        let lo = q(2, 1) * inst.number("gamma_prime_star").unwrap();
        let hi = inst.number("mass").unwrap().recip();
        let tiny = q(1, 1_000_000_000);
        for (gamma, judged) in [(&lo - &tiny, false), (lo.clone(), true), (hi.clone(), true), (&hi + &tiny, false)] {
            let out = c.run(&inst.clone().with_number("gamma", gamma.clone()), BackendSpec::Exact, None);
            assert_eq!(!matches!(out, Outcome::Skipped { .. }), judged, "gamma = {gamma} in [{lo}, {hi}]: {out:?}");
        }
    }

    #[test]
    fn e6_skips_params_that_do_not_fit_the_case() {
        let c = StepAboveTwiceSharpBound;
        let inst = c.generate(&mut Rng::new(4));
        let wrong = inst.clone().with_number("mass", q(1234, 1));
        assert!(matches!(c.run(&wrong, BackendSpec::Exact, None), Outcome::Skipped { .. }));
        let gp = inst.number("gamma_prime_star").unwrap().clone();
        let below = inst.with_number("gamma", gp);
        assert!(matches!(c.run(&below, BackendSpec::Exact, None), Outcome::Skipped { .. }));
    }
}
