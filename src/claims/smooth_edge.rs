//! E3: with a smooth activation (softplus, tanh, sigmoid, GELU, SiLU) the
//! Lyapunov identity ⟨∇V, G⟩ = 8L of C3 fails. The values are transcendental,
//! so the check encloses them rigorously (`crate::smooth`: 256-bit MPFR
//! intervals with the `gmp` feature, 256-bit pure-Rust dyadic intervals
//! otherwise) and
//! refutes only when the enclosure of ⟨∇V, G⟩ − 8L excludes 0. The defect is
//!
//!   ⟨∇V, G⟩ − 8L = 4 Σ_j v_j ∫ (z_j σ'(z_j) − σ(z_j)) e dμ,   z_j = w_j·x + b_j,
//!
//! which vanishes for positively homogeneous σ (σ = zσ') and not otherwise.

use super::engine::Outcome;
use super::instance::Instance;
use super::{Backends, Check};
use crate::backend::BackendSpec;
use crate::gen::Rng;
use crate::model::case::Case;
use crate::model::{Activation, Measure, Problem, Target, Theta};
use crate::num::decimal::{scientific, Rounding};
use crate::num::{BigRational, Endpoint, Interval, Scalar, Sign3};
use crate::smooth::transcendental::Transcendental;
use crate::smooth::Engine;
use num_traits::{ToPrimitive, Zero};

/// Precision of the enclosures (MPFR or dyadic intervals), in bits.
pub const PRECISION: u32 = 256;

/// The checks of E3 (register them in `claims::registry`).
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(LyapunovIdentityFailsOfSmoothActivation)]
}

/// E3: on empirical measures with a constant target and a smooth activation,
/// the certified enclosure of ⟨∇V, G⟩ − 8L excludes 0 (a witness against C3's
/// identity outside ReLU); the detail says when ⟨∇V, G⟩ < 0 is certified too.
pub struct LyapunovIdentityFailsOfSmoothActivation;

/// The smooth activations, softplus three times: the generator favours the
/// case E3 is usually shown with (⟨∇V, G⟩ < 0 for softplus).
const ACTIVATIONS: &[Activation] = &[
    Activation::Softplus,
    Activation::Softplus,
    Activation::Softplus,
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::Gelu,
    Activation::Silu,
];

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// n/k with |n| ≤ max and k ∈ {1, 2, 4}.
fn small(rng: &mut Rng, max: i64) -> BigRational {
    q(rng.range(-max, max), *rng.pick(&[1i64, 2, 4]))
}

/// (σ(z), σ'(z)) as f64, for the generator's bias only: the midpoints of
/// 64-bit dyadic enclosures (pure integer arithmetic), so that a seed gives
/// the same case in every build and on every platform.
fn sigma_f64(act: &Activation, z: f64) -> (f64, f64) {
    use crate::num::{Dyadic, Interval, Scalar};
    let Ok(zq) = crate::num::parse::rational_from_f64_exact(z) else { return (f64::NAN, f64::NAN) };
    let zi = Interval::<Dyadic>::from_rational(&zq, &64);
    let sign = crate::smooth::activation::decided_sign(&zi);
    let (s, ds) = crate::smooth::activation::sigma_and_slope(act, Default::default(), &zi, sign, &64);
    (s.to_f64_lossy(), ds.to_f64_lossy())
}

/// The c that minimises ⟨∇V, G⟩ over c for the rest of θ fixed, in f64,
/// rounded to a multiple of 2^-16: with s_i = Σ_j v_j σ(z_ij) and
/// D_i = Σ_j v_j (z σ' − σ)(z_ij), ⟨∇V, G⟩ = Σ_i p_i (8 e_i² + 4 e_i D_i) and
/// e_i = c + s_i − ξ, so the minimiser has mean_p(e) = −mean_p(D)/4. For a
/// single point the minimum is −p D²/2 < 0 whenever D ≠ 0.
fn negative_bias_c(case: &Case) -> Option<BigRational> {
    let Measure::Empirical { points, weights } = &case.problem.measure else { return None };
    let th = &case.theta;
    let f = |x: &BigRational| x.to_f64().unwrap_or(f64::NAN);
    let (mut m, mut ms, mut md) = (0.0, 0.0, 0.0);
    for (x, p) in points.iter().zip(weights) {
        let (mut s, mut dd) = (0.0, 0.0);
        for j in 0..th.width() {
            let z = th.w_row(j).iter().zip(x).fold(f(&th.b[j]), |acc, (w, xi)| acc + f(w) * f(xi));
            let (sg, ds) = sigma_f64(&case.problem.activation, z);
            s += f(&th.v[j]) * sg;
            dd += f(&th.v[j]) * (z * ds - sg);
        }
        let p = f(p);
        m += p;
        ms += p * s;
        md += p * dd;
    }
    let xi = f(case.problem.target.constant()?);
    let c = xi - ms / m - md / (4.0 * m);
    if !c.is_finite() || c.abs() > 1e6 {
        return None;
    }
    Some(q((c * 65536.0).round() as i64, 65536))
}

/// A deterministic softplus instance with ⟨∇V, G⟩ < 0 certified (proofs/E3.md):
/// one sample point x = 0 of weight 1, one degenerate neuron w = 0, b = 0,
/// v = 1, c = 0 and ξ = 1/2. Then N^θ ≡ ln 2, e = ln 2 − 1/2 ∈ (0, ln 2 / 2), L = e²,
/// and ⟨∇V, G⟩ = 8e² − 4 ln 2 · e = 4e(ln 2 − 1) ≈ −0.2371 < 0, while
/// ⟨∇V, G⟩ − 8L = −4 ln 2 · e ≈ −0.5355.
pub fn softplus_negative_witness() -> Instance {
    let problem = Problem {
        activation: Activation::Softplus,
        ..Problem::new(
            Measure::Empirical { points: vec![vec![BigRational::zero()]], weights: vec![q(1, 1)] },
            Target::Constant(q(1, 2)),
        )
    };
    let theta = Theta { d: 1, w: vec![q(0, 1)], b: vec![q(0, 1)], v: vec![q(1, 1)], c: q(0, 1) };
    Instance::of(Case { problem, theta, notes: Vec::new() })
}

impl Check for LyapunovIdentityFailsOfSmoothActivation {
    fn name(&self) -> &'static str {
        "lyapunov_identity_fails_of_smooth_activation"
    }
    fn statement(&self) -> &'static str {
        "E3"
    }
    fn summary(&self) -> &'static str {
        "smooth activation (softplus, tanh, sigmoid, GELU, SiLU), empirical measure, constant target: the 256-bit interval enclosure of <grad V, G> - 8L excludes 0 (refutes C3's identity); the witness also says whether <grad V, G> < 0 is certified"
    }
    fn backends(&self) -> Backends {
        Backends::MpfrEnclosure
    }
    fn caveat(&self) -> Option<&'static str> {
        Some(if cfg!(feature = "gmp") {
            "empirical measures with a constant target only; rigorous 256-bit MPFR interval enclosures, whatever backend is asked; a refutation breaks this Lyapunov argument, it does not show that gradient descent fails"
        } else {
            "empirical measures with a constant target only; rigorous 256-bit dyadic interval enclosures (pure Rust), whatever backend is asked; a refutation breaks this Lyapunov argument, it does not show that gradient descent fails"
        })
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["relu_in_place_of_smooth", "abs_in_place_of_smooth"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let activation = rng.pick(ACTIVATIONS).clone();
        // Biased cases: one sample point and the c minimising <grad V, G>,
        // which makes <grad V, G> = -p D^2/2 < 0 whenever the defect D != 0.
        let biased = rng.chance(3, 4);
        let d = rng.range(1, 2) as usize;
        let n = if biased { 1 } else { rng.range(1, 4) as usize };
        let points: Vec<Vec<BigRational>> = (0..n).map(|_| (0..d).map(|_| small(rng, 8)).collect()).collect();
        let weights = (0..n).map(|_| q(rng.range(1, 8), rng.range(1, 4))).collect();
        let h = rng.range(1, 4) as usize;
        let (mut w, mut b) = (Vec::new(), Vec::new());
        for _ in 0..h {
            if rng.chance(1, 4) {
                w.extend(std::iter::repeat_n(BigRational::zero(), d));
                b.push(BigRational::zero());
            } else {
                w.extend((0..d).map(|_| small(rng, 4)));
                b.push(small(rng, 4));
            }
        }
        let v = (0..h).map(|_| small(rng, 4)).collect();
        let xi = small(rng, 4);
        let problem =
            Problem { activation, ..Problem::new(Measure::Empirical { points, weights }, Target::Constant(xi)) };
        let theta = Theta { d, w, b, v, c: small(rng, 4) };
        let mut case = Case { problem, theta, notes: Vec::new() };
        if biased {
            if let Some(c) = negative_bias_c(&case) {
                case.theta.c = c;
            }
        }
        Instance::of(case)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        self.run_on(inst, mutant, Engine::default_for_build())
    }
}

impl LyapunovIdentityFailsOfSmoothActivation {
    /// [`Check::run`] with the enclosures computed by `engine` (the build's
    /// default engine in `run`; both engines with `gmp`, to compare them).
    pub fn run_on(&self, inst: &Instance, mutant: Option<&str>, engine: Engine) -> Outcome {
        let mut case = inst.case.clone();
        match mutant {
            None => {}
            // Negative controls: the same instance with a positively
            // homogeneous activation, where C3/E4 say the identity holds
            // exactly; the check must not refute.
            Some("relu_in_place_of_smooth") => case.problem.activation = Activation::Relu,
            Some("abs_in_place_of_smooth") => case.problem.activation = Activation::Abs,
            Some(other) => return Outcome::Skipped { reason: format!("unknown negative control {other:?}") },
        }
        let p = &case.problem;
        if mutant.is_none() && p.activation.is_piecewise_polynomial() {
            return Outcome::Skipped {
                reason: format!("{} is not smooth: C3, E4 and E5 cover it", p.activation.describe()),
            };
        }
        if !matches!(p.measure, Measure::Empirical { .. }) {
            return Outcome::Skipped { reason: "E3 is checked on empirical measures".into() };
        }
        if p.target.constant().is_none() || !p.output_bias {
            return Outcome::Skipped {
                reason: "E3 keeps C3's other hypotheses: a constant target and the output bias".into(),
            };
        }
        match engine {
            Engine::Dyadic => certify::<crate::num::Dyadic>(&case, "dyadic interval enclosures, pure Rust"),
            #[cfg(feature = "gmp")]
            Engine::Mpfr => certify::<rug::Float>(&case, "MPFR enclosures"),
        }
    }
}

/// The verdict of one case from `Interval<E>` enclosures at [`PRECISION`]
/// bits; `what` names them in the detail.
fn certify<E: Endpoint<Ctx = u32>>(case: &Case, what: &str) -> Outcome
where
    Interval<E>: Transcendental + Scalar<Ctx = u32>,
{
    let shown = |iv: &Interval<E>| -> Option<String> {
        let (lo, hi) = (iv.lo.exact()?, iv.hi.exact()?);
        Some(format!("[{}, {}]", scientific(&lo, 16, Rounding::Floor), scientific(&hi, 16, Rounding::Ceil)))
    };
    let (defect, gvg) = match crate::smooth::identity_defect_in::<Interval<E>>(case, &PRECISION) {
        Ok(x) => x,
        Err(e) => return Outcome::Skipped { reason: e },
    };
    let (Some(defect_text), Some(gvg_text)) = (shown(&defect), shown(&gvg)) else {
        return Outcome::Undecided { reason: "an enclosure is not finite".into() };
    };
    match defect.sign() {
        Sign3::Positive | Sign3::Negative => {
            let negative = gvg.sign() == Sign3::Negative;
            Outcome::Violated {
                detail: format!(
                    "{}: <grad V, G> - 8L in {defect_text}, which excludes 0 (C3's identity fails); <grad V, G> in {gvg_text}{} ({PRECISION}-bit {what})",
                    case.problem.activation.describe(),
                    if negative { ", certified < 0: V increases along the gradient flow" } else { "" }
                ),
            }
        }
        Sign3::Zero | Sign3::Undecided => Outcome::Consistent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_softplus_witness_certifies_a_negative_grad_v_dot_g() {
        let c = LyapunovIdentityFailsOfSmoothActivation;
        let out = c.run(&softplus_negative_witness(), BackendSpec::Exact, None);
        let Outcome::Violated { detail } = out else { panic!("{out:?}") };
        assert!(detail.starts_with("softplus:") && detail.contains("certified < 0"), "{detail}");
        // <grad V, G> = 4e(ln 2 - 1) with e = ln 2 - 1/2: -0.23707...
        assert!(detail.contains("<grad V, G> in [-2.3707"), "{detail}");
        for m in c.mutants() {
            let out = c.run(&softplus_negative_witness(), BackendSpec::Exact, Some(m));
            assert_eq!(out, Outcome::Consistent, "{m}");
        }
    }

    /// With v = 0 the network is the constant c, so the minimising c is ξ
    /// itself, rounded to a multiple of 2^-16; the cap on |c| is closed at
    /// 10^6. (Fresh sample of session 17: the cap written `>=` refused
    /// c = 10^6 unnoticed.)
    #[test]
    fn the_biased_c_of_a_silent_network_is_the_target() {
        let c_for = |xi: &str| {
            let text = format!(
                "[problem]\nmeasure = \"empirical\"\npoints = [\"1/2\"]\nweights = [\"1\"]\ntarget = \"{xi}\"\n\
                 activation = \"softplus\"\n[theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"0\"]\nc = \"0\"\n"
            );
            negative_bias_c(&crate::model::case::parse_case("silent", &text).expect("hand case"))
        };
        let q = |s: &str| crate::num::parse::parse_rational(s).expect("rational");
        assert_eq!(c_for("1000000"), Some(q("1000000")));
        assert_eq!(c_for("-1000000"), Some(q("-1000000")));
        assert_eq!(c_for("1000001"), None);
        assert_eq!(c_for("1/3"), Some(q("21845/65536")));
    }

    /// The default seed of `reluproof check` finds a softplus witness with
    /// <grad V, G> < 0 certified, at its first case.
    #[test]
    fn the_default_seed_finds_a_softplus_witness_with_negative_grad_v_dot_g() {
        use crate::claims::engine::{run_check, Budget, Verdict};
        let c = LyapunovIdentityFailsOfSmoothActivation;
        let r = run_check(&c, &Budget { cases: 60, seed: 1, backend: BackendSpec::Exact }, None, &|_, _| {});
        let Verdict::Refuted { case_index, witness, .. } = r.verdict else { panic!("{:?}", r.verdict) };
        assert_eq!(case_index, 0);
        assert_eq!(witness.instance.case.problem.activation, Activation::Softplus);
        assert!(witness.detail.contains("certified < 0"), "{}", witness.detail);
    }

    /// Smooth activations from the generator, one sample point and the biased
    /// c: ⟨∇V, G⟩ < 0 is certified in most cases.
    #[test]
    fn biased_cases_are_mostly_certified_negative() {
        let c = LyapunovIdentityFailsOfSmoothActivation;
        let mut negative = 0;
        for i in 0..40 {
            let inst = c.generate(&mut crate::claims::engine::case_rng(2, c.name(), i));
            if let Outcome::Violated { detail } = c.run(&inst, BackendSpec::Exact, None) {
                negative += usize::from(detail.contains("certified < 0"));
            }
        }
        assert!(negative >= 20, "{negative} of 40");
    }

    /// Without the gmp feature the check decides with dyadic intervals.
    #[test]
    fn the_dyadic_engine_decides_the_witness() {
        let c = LyapunovIdentityFailsOfSmoothActivation;
        let out = c.run_on(&softplus_negative_witness(), None, Engine::Dyadic);
        let Outcome::Violated { detail } = out else { panic!("{out:?}") };
        assert!(detail.contains("<grad V, G> in [-2.3707") && detail.contains("dyadic"), "{detail}");
    }

    #[test]
    fn piecewise_polynomial_activations_are_skipped() {
        let mut inst = softplus_negative_witness();
        inst.case.problem.activation = Activation::Relu;
        let out = LyapunovIdentityFailsOfSmoothActivation.run(&inst, BackendSpec::Exact, None);
        assert!(matches!(out, Outcome::Skipped { .. }), "{out:?}");
    }
}
