//! E7: the value of σ'(0). With 1_{[0,∞)} instead of 1_{(0,∞)}, G changes only
//! where a neuron's preactivation vanishes on a set of positive μ-measure
//! (degenerate neurons w_j = 0, b_j = 0; for empirical measures also kinks
//! through weighted sample points), and the Lyapunov identity C3 still holds.

use super::checks::{cross_check, on_backend, short};
use super::engine::Outcome;
use super::instance::Instance;
use super::{Check, Values};
use crate::backend::BackendSpec;
use crate::eval::summary_from_exact;
use crate::gen::{self, GenConfig, Rng};
use crate::model::case::Case;
use crate::model::{DerivativeAtZero, Measure};
use crate::num::{BigRational, Scalar, Sign3};
use num_traits::{Signed, Zero};

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(ReluDerivativeAtZero)]
}

/// Whether neuron j's preactivation vanishes on a set of positive measure.
fn zero_on_positive_mass(case: &Case, j: usize) -> bool {
    let th = &case.theta;
    match &case.problem.measure {
        Measure::Empirical { points, weights } => points.iter().zip(weights).any(|(x, p)| {
            p.is_positive() && th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi).is_zero()
        }),
        _ => th.w_row(j).iter().all(Zero::is_zero) && th.b[j].is_zero(),
    }
}

/// E7: C3 holds under the closed convention, and G differs from the open
/// convention's only at neurons whose preactivation vanishes on positive mass.
pub struct ReluDerivativeAtZero;

impl Check for ReluDerivativeAtZero {
    fn name(&self) -> &'static str {
        "relu_derivative_at_zero"
    }
    fn statement(&self) -> &'static str {
        "E7"
    }
    fn summary(&self) -> &'static str {
        "with sigma'(0) = 1: <grad V, G> = 8L exactly, and G differs from the sigma'(0) = 0 gradient only at neurons whose preactivation is 0 on positive mass (where, for w = b = 0, the open convention freezes the neuron)"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["seven_instead_of_eight"]
    }
    fn values(&self) -> Values {
        Values::CrossChecked
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let mut case = gen::case(rng, &GenConfig { max_width: 16, ..GenConfig::default() });
        if rng.chance(1, 2) {
            // Make one neuron degenerate: w_j = 0, b_j = 0.
            let th = &mut case.theta;
            let j = rng.below(th.width() as u64) as usize;
            th.zero_inner_weights(j, &BigRational::zero());
            th.b[j] = BigRational::zero();
        }
        Instance::of(case)
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let mut closed = inst.case.clone();
        closed.problem.derivative_at_zero = DerivativeAtZero::Closed;
        let mut open = inst.case.clone();
        open.problem.derivative_at_zero = DerivativeAtZero::Open;
        on_backend!(backend, |S, ctx| {
            let sc = summary_from_exact::<S>(&closed, ctx);
            let so = summary_from_exact::<S>(&open, ctx);
            for (case, s) in [(&closed, &sc), (&open, &so)] {
                if let Err(o) = cross_check(case, Some(&s.risk), &s.gradient, ctx) {
                    return o;
                }
            }
            let k = if mutant == Some("seven_instead_of_eight") { 7 } else { 8 };
            let rhs = S::from_i64(k, ctx).mul(&sc.risk);
            match sc.grad_v_dot_g.sub(&rhs).sign() {
                Sign3::Zero | Sign3::Undecided => {}
                _ => {
                    return Outcome::Violated {
                        detail: format!(
                            "with sigma'(0) = 1: <grad V, G> = {} but {k}L = {}",
                            short(&sc.grad_v_dot_g),
                            short(&rhs)
                        ),
                    }
                }
            }
            let (gc, go) = (&sc.gradient, &so.gradient);
            let d = gc.d;
            // Enclosures may not decide that two components are equal: such cases
            // are only consistent with the statement.
            let mut undecided = false;
            let mut certainly_differ = |x: &S, y: &S| match x.sub(y).sign() {
                Sign3::Positive | Sign3::Negative => true,
                Sign3::Undecided => {
                    undecided = true;
                    false
                }
                Sign3::Zero => false,
            };
            for j in 0..gc.width() {
                let mut comps: Vec<(S, S)> =
                    (0..d).map(|i| (gc.w[j * d + i].clone(), go.w[j * d + i].clone())).collect();
                comps.push((gc.b[j].clone(), go.b[j].clone()));
                comps.push((gc.v[j].clone(), go.v[j].clone()));
                let differs = comps.iter().fold(false, |acc, (x, y)| certainly_differ(x, y) || acc);
                if differs && !zero_on_positive_mass(&inst.case, j) {
                    return Outcome::Violated {
                        detail: format!(
                            "G of neuron {} depends on sigma'(0) although its preactivation vanishes on no mass",
                            j + 1
                        ),
                    };
                }
            }
            if certainly_differ(&gc.c, &go.c) {
                return Outcome::Violated { detail: "G_c depends on sigma'(0)".into() };
            }
            if undecided {
                Outcome::Consistent
            } else {
                Outcome::Holds { margin: None }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::parse_case;

    /// Which neurons E7 lets depend on σ'(0), one hand case per line: on an
    /// interval only w = b = 0 (a kink is a single point), on samples also a
    /// kink through a sample of positive weight (fresh sample of session 18:
    /// with the predicate always true, E7 accepted a G that changed at any
    /// neuron).
    #[test]
    fn zero_on_positive_mass_only_where_the_preactivation_vanishes_on_mass() {
        let interval = parse_case(
            "interval",
            "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"1\"\ntarget = \"1\"\n[theta]\nw = [\"0\", \"0\", \"1\", \"0\"]\nb = [\"0\", \"1\", \"0\", \"-1\"]\nv = [\"1\", \"1\", \"1\", \"1\"]\nc = \"0\"\n",
        )
        .expect("hand case");
        let samples = parse_case(
            "samples",
            "[problem]\nmeasure = \"empirical\"\npoints = [[\"0\"], [\"1\"], [\"2\"]]\nweights = [\"0\", \"1/2\", \"1/2\"]\ntarget = \"1\"\n[theta]\nw = [\"1\", \"1\", \"1\", \"0\"]\nb = [\"0\", \"-1\", \"-3\", \"0\"]\nv = [\"1\", \"1\", \"1\", \"1\"]\nc = \"0\"\n",
        )
        .expect("hand case");
        let cases: [(&str, &Case, usize, bool, &str); 8] = [
            ("interval", &interval, 0, true, "w = b = 0: z = 0 on the whole interval"),
            ("interval", &interval, 1, false, "w = 0, b = 1: z = 1"),
            ("interval", &interval, 2, false, "kink at x = 0, a null set"),
            ("interval", &interval, 3, false, "w = 0, b = -1: z = -1"),
            ("samples", &samples, 0, false, "kink through a sample of weight 0"),
            ("samples", &samples, 1, true, "kink through a sample of weight 1/2"),
            ("samples", &samples, 2, false, "kink at x = 3, no sample there"),
            ("samples", &samples, 3, true, "w = b = 0: z = 0 at every sample"),
        ];
        for (name, case, j, expected, why) in cases {
            assert_eq!(zero_on_positive_mass(case, j), expected, "{name} neuron {j}: {why}");
        }
    }
}
