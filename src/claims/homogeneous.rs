//! E4 broadened: for a 1-homogeneous σ (leaky ReLU with slope α, |z|), with
//! s² = max{1, α²} (|z|: s = 1) bounding σ'² and σ(z)² ≤ s² z²,
//!   ‖G‖² + G_c² ≤ K′_σ (1 + ‖θ‖²) L,  K′_σ = max{8m, 4 s² M} ≤ K_σ = s² · 8m max{1, ρ²}
//! (C13's and C8's proofs with σ'² ≤ s²; M = ∫(1 + ‖x‖²)dμ). For |σ'| ≤ 1
//! (|α| ≤ 1, |z|) these are C13's and C8's own constants, and with C3 (E4's
//! identity) C7 holds, so C9 holds with the same γ*: checked on its own
//! certified runs. For |α| > 1, K itself fails (the negative control
//! `relu_constants_for_every_slope` is refuted, witness
//! `tests/witnesses/e4_steep_slope_breaks_k.toml`).

use super::checks::{cross_check, on_backend, short};
use super::engine::{Margin, Outcome};
use super::instance::Instance;
use super::{Backends, Check, Values};
use crate::backend::BackendSpec;
use crate::dynamics::gd::second_moment;
use crate::gen::{self, GenConfig, Rng};
use crate::model::case::Case;
use crate::model::{Activation, DerivativeAtZero, Measure, Problem, Target, Theta};
use crate::num::{BigRational, Scalar, Sign3};
use num_traits::{One, Signed, Zero};

type Q = BigRational;

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GradientBoundOfHomogeneousActivation), Box::new(GdConvergesOfHomogeneousActivation)]
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

/// s² = max{1, α²}: a bound of σ'² for leaky ReLU with slope α (1 for |z|);
/// `None` for other activations.
pub fn slope_square(act: &Activation) -> Option<Q> {
    match act {
        Activation::Abs => Some(Q::one()),
        Activation::LeakyRelu(a) => Some(if a.abs() > Q::one() { a * a } else { Q::one() }),
        _ => None,
    }
}

/// (K_σ, K′_σ) = (s² · 8m max{1, ρ²}, max{8m, 4 s² M}).
pub fn homogeneous_constants(act: &Activation, measure: &Measure) -> Option<(Q, Q)> {
    let s2 = slope_square(act)?;
    let m = measure.mass();
    let rho2 = measure.rho2();
    let k = &s2 * q(8, 1) * &m * if rho2 > Q::one() { rho2 } else { Q::one() };
    let eight_m = q(8, 1) * &m;
    let four = q(4, 1) * s2 * second_moment(measure)?;
    Some((k, if four > eight_m { four } else { eight_m }))
}

/// A case with the activation `act`, either σ'(0) convention, sometimes a
/// degenerate neuron.
fn with_activation(rng: &mut Rng, mut case: Case, act: Activation) -> Case {
    case.problem.activation = act;
    if rng.chance(1, 2) {
        case.problem.derivative_at_zero = DerivativeAtZero::Closed;
    }
    if rng.chance(1, 4) {
        let th = &mut case.theta;
        let j = rng.below(th.width() as u64) as usize;
        th.zero_inner_weights(j, &Q::zero());
        if rng.chance(1, 2) {
            th.b[j] = Q::zero();
        }
    }
    case
}

/// |z|, or leaky ReLU with a slope in [−1, 1] (n/k, |n| ≤ k ≤ 8, so 0, ±1 and
/// the ends included).
fn gentle_activation(rng: &mut Rng) -> Activation {
    if rng.chance(1, 4) {
        Activation::Abs
    } else {
        let k = rng.range(1, 8);
        Activation::LeakyRelu(q(rng.range(-k, k), k))
    }
}

/// One atom x = 0 of weight 1, ξ = 0, a neuron with w = 0, b < 0 (so only
/// the slope α acts), v = 1, c = 0, |α| > √2: ‖G‖² + G_c² = 4e²(α²(v² + 1) + 2)
/// exceeds K (1 + ‖θ‖²)L = 8(2 + b²... ) e² for |α| large enough
/// (proofs/E4.md works out b = −1: α² > 2).
fn steep_case(rng: &mut Rng) -> Case {
    let alpha = rng.pick(&[q(2, 1), q(-2, 1), q(3, 1), q(5, 2), q(-3, 1)]).clone();
    let problem = Problem {
        activation: Activation::LeakyRelu(alpha),
        ..Problem::new(
            Measure::Empirical { points: vec![vec![Q::zero()]], weights: vec![Q::one()] },
            Target::Constant(Q::zero()),
        )
    };
    let theta = Theta { d: 1, w: vec![Q::zero()], b: vec![-Q::one()], v: vec![Q::one()], c: Q::zero() };
    Case { problem, theta, notes: Vec::new() }
}

/// E4: C8 and C13 for 1-homogeneous σ with the constants scaled by s².
pub struct GradientBoundOfHomogeneousActivation;

impl Check for GradientBoundOfHomogeneousActivation {
    fn name(&self) -> &'static str {
        "gradient_bound_of_homogeneous_activation"
    }
    fn statement(&self) -> &'static str {
        "E4"
    }
    fn summary(&self) -> &'static str {
        "leaky ReLU (slope alpha) or |z|, s^2 = max(1, alpha^2): |G|^2 + G_c^2 <= K'_s (1 + |theta|^2) L with K'_s = max(8m, 4 s^2 M) <= K_s = s^2 8m max(1, rho^2); for |sigma'| <= 1 C13's and C8's own constants; exact, values cross-checked"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["relu_constants_for_every_slope"]
    }
    fn values(&self) -> Values {
        Values::CrossChecked
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        match rng.below(8) {
            0 => Instance::of(steep_case(rng)),
            1 => {
                let case = gen::case(rng, &GenConfig { max_width: 8, ..GenConfig::default() });
                let act = Activation::LeakyRelu(q(rng.range(-12, 12), rng.range(1, 3)));
                Instance::of(with_activation(rng, case, act))
            }
            _ => {
                let case = gen::case(rng, &GenConfig { max_width: 8, ..GenConfig::default() });
                let act = gentle_activation(rng);
                Instance::of(with_activation(rng, case, act))
            }
        }
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let case = &inst.case;
        let p = &case.problem;
        if p.target.constant().is_none() || !p.output_bias {
            return Outcome::Skipped { reason: "needs a constant target and an output bias".into() };
        }
        // Negative control: C8's and C13's ReLU constants (s² = 1) whatever the slope.
        let unit = &Activation::Abs;
        let act = if mutant == Some("relu_constants_for_every_slope") { unit } else { &p.activation };
        let (Some(_), Some((k, k_prime))) = (slope_square(&p.activation), homogeneous_constants(act, &p.measure))
        else {
            return Outcome::Skipped {
                reason: format!(
                    "{} is not a 1-homogeneous activation of E4, or the measure has no known M",
                    p.activation.describe()
                ),
            };
        };
        on_backend!(backend, |S, ctx| {
            let s = crate::eval::summary_from_exact::<S>(case, ctx);
            if let Err(o) = cross_check(case, Some(&s.risk), &s.gradient, ctx) {
                return o;
            }
            let theta = case.theta.map(|x| S::from_rational(x, ctx));
            let lhs = s.gradient.norm2(ctx).add(&s.gradient.c.sqr());
            let norm2 = theta.norm2(ctx);
            let base = S::from_i64(1, ctx).add(&norm2).mul(&s.risk);
            for (name, c) in [("K'_s", &k_prime), ("K_s", &k)] {
                let rhs = S::from_rational(c, ctx).mul(&base);
                match rhs.sub(&lhs).sign() {
                    Sign3::Negative => {
                        return Outcome::Violated {
                            detail: format!(
                                "{}: |G|^2 + G_c^2 = {} exceeds {name} (1 + |theta|^2) L = {} ({name} = {})",
                                p.activation.describe(),
                                short(&lhs),
                                short(&rhs),
                                short(&S::from_rational(c, ctx))
                            ),
                        }
                    }
                    Sign3::Undecided => {
                        return Outcome::Undecided {
                            reason: format!("{name} (1 + |theta|^2) L - |G|^2 - G_c^2 straddles 0"),
                        }
                    }
                    _ => {}
                }
            }
            if norm2.sign() == Sign3::Zero || base.sign() != Sign3::Positive {
                return Outcome::Holds { margin: None };
            }
            let needed = lhs.div(&base).div(&S::from_rational(&k_prime, ctx));
            Outcome::Holds {
                margin: Margin::of(
                    &S::from_i64(1, ctx).sub(&needed),
                    "1 - (|G|^2 + G_c^2) / (K'_s (1 + |theta|^2) L), over cases with L > 0 and theta != 0",
                ),
            }
        })
    }
}

/// E4: C9 on its own certified runs for |σ'| ≤ 1 (same γ*).
pub struct GdConvergesOfHomogeneousActivation;

impl Check for GdConvergesOfHomogeneousActivation {
    fn name(&self) -> &'static str {
        "gd_converges_of_homogeneous_activation"
    }
    fn statement(&self) -> &'static str {
        "E4"
    }
    fn summary(&self) -> &'static str {
        "leaky ReLU with slope in [-1, 1] or |z|, either convention: C9's 200-step certified runs (dyadic:64) with gamma = gamma* or gamma*/2, (a)-(d) exactly, through the same run_gd as C9"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn caveat(&self) -> Option<&'static str> {
        super::descent::GdConverges.caveat()
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["eight_instead_of_four"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let inst = super::descent::GdConverges.generate(rng);
        let act = gentle_activation(rng);
        let case = with_activation(rng, inst.case.clone(), act);
        Instance { case, ..inst }
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        if slope_square(&inst.case.problem.activation).is_none_or(|s2| !s2.is_one()) {
            return Outcome::Skipped { reason: "needs leaky ReLU with |slope| <= 1 or |z|".into() };
        }
        super::descent::GdConverges.run(inst, backend, mutant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::engine::{run_check, Budget, Verdict};

    #[test]
    fn the_steep_family_breaks_k_and_holds_with_the_scaled_constant() {
        let c = GradientBoundOfHomogeneousActivation;
        for seed in 0..12 {
            let inst = Instance::of(steep_case(&mut Rng::new(seed)));
            assert!(matches!(c.run(&inst, BackendSpec::Exact, None), Outcome::Holds { .. }));
            let o = c.run(&inst, BackendSpec::Exact, Some("relu_constants_for_every_slope"));
            assert!(matches!(o, Outcome::Violated { .. }), "{o:?}");
        }
        // Worked out by hand (alpha = 2, b = -1): e = -2, |G|^2 + G_c^2 =
        // 4e^2 (alpha^2 (v^2 + 1) + 2) = 160 > K (1 + |theta|^2) L = 8 * 3 * 4 = 96.
        let mut case = steep_case(&mut Rng::new(0));
        case.problem.activation = Activation::LeakyRelu(q(2, 1));
        let s = crate::eval::summary_from_exact::<Q>(&case, &());
        assert_eq!(s.gradient.norm2(&()) + &s.gradient.c * &s.gradient.c, q(160, 1));
        let (k_relu, _) = homogeneous_constants(&Activation::Relu, &case.problem.measure).unwrap_or_default();
        assert_eq!(k_relu, Q::zero(), "ReLU is not an E4 activation: no constants");
        let (k, k_prime) = homogeneous_constants(&case.problem.activation, &case.problem.measure).expect("E4");
        assert_eq!((k, k_prime), (q(32, 1), q(16, 1)), "s^2 = 4: K = 4 * 8, K' = max(8, 4 * 4 * 1)");
        assert_eq!((q(8, 1) * q(3, 1) * &s.risk, s.risk.clone()), (q(96, 1), q(4, 1)));
    }

    #[test]
    fn generated_cases_hold_and_the_controls_are_refuted() {
        let budget = Budget { cases: 120, seed: 2, backend: BackendSpec::Exact };
        let c = GradientBoundOfHomogeneousActivation;
        let r = run_check(&c, &budget, None, &|_, _| {});
        assert!(matches!(r.verdict, Verdict::Holds { cases, .. } if cases > 100), "{:?}", r.verdict);
        let r = run_check(&c, &budget, Some("relu_constants_for_every_slope"), &|_, _| {});
        assert!(matches!(r.verdict, Verdict::Refuted { .. }), "{:?}", r.verdict);
        let budget = Budget { cases: 8, seed: 2, backend: BackendSpec::Exact };
        let g = GdConvergesOfHomogeneousActivation;
        let r = run_check(&g, &budget, None, &|_, _| {});
        assert!(matches!(r.verdict, Verdict::Holds { cases, .. } if cases > 0), "{:?}", r.verdict);
        let r = run_check(&g, &budget, Some("eight_instead_of_four"), &|_, _| {});
        assert!(matches!(r.verdict, Verdict::Refuted { .. }), "{:?}", r.verdict);
    }
}
