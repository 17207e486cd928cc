//! E8: where the gradient flow has no absolutely continuous solution.
//!
//! For an empirical measure, let a sample x_i (p_i > 0) lie on neuron j's
//! kink, s(θ) := w_j·x_i + b_j = 0, with no other (sample, neuron) pair of
//! positive weight on a kink. Near θ every other activity is fixed, so on
//! each closed side of the surface {s = 0} G is a polynomial in θ: G⁺ with
//! x_i counted active (s ≥ 0), G⁻ with it inactive (s ≤ 0). Along the flow
//! Θ' = −G, the switching function moves at the rates
//!   ṡ⁻ = −(x_i·G⁻_{w_j} + G⁻_{b_j}),
//!   ṡ⁺ = ṡ⁻ − 2 v_j p_i e(x_i)(‖x_i‖² + 1)
//! (e(x_i) is the same on both sides: σ(0) = 0). If ṡ⁺ < 0 < ṡ⁻ the field
//! points into the surface from both sides (sliding): an absolutely continuous
//! solution from θ cannot enter s > 0 (there s would decrease), nor s < 0
//! (there it would increase), so s ≡ 0 near t = 0; but on the surface G is G⁻
//! (σ'(0) = 0) or G⁺ (σ'(0) = 1), whose ṡ is not 0. So no solution of
//! Θ_t = θ − ∫₀ᵗ G(Θ_r) dr exists on any [0, ε): C10's hypothesis fails
//! (proofs/E8.md).
//!
//! The check `gf_solution_exists_of_sample_on_kink` claims what C10 assumes,
//! that a solution leaves θ, and is expected to be refuted by an exact θ.

use super::checks::error_at;
use super::engine::Outcome;
use super::instance::Instance;
use super::{Backends, Check};
use crate::backend::BackendSpec;
use crate::gen::{self, GenConfig, MeasureKind, Rng};
use crate::model::case::Case;
use crate::model::{Activation, Measure};
use crate::num::BigRational;
use num_traits::{One, Signed, Zero};

type Q = BigRational;

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GfSolutionExistsOfSampleOnKink)]
}

/// One sample on one kink, with the switching function's rates on both sides.
#[derive(Clone, Debug, PartialEq)]
pub struct KinkRates {
    /// Neuron j (0-based).
    pub neuron: usize,
    /// Sample i (0-based index into the measure's points).
    pub sample: usize,
    /// ṡ⁺: d/dt (w_j·x_i + b_j) with x_i counted active.
    pub active: Q,
    /// ṡ⁻: the same with x_i counted inactive.
    pub inactive: Q,
}

impl KinkRates {
    /// ṡ⁺ < 0 < ṡ⁻: the field points into the surface from both sides.
    pub fn slides(&self) -> bool {
        self.active.is_negative() && self.inactive.is_positive()
    }
    /// The rates as text (1-based neuron and sample).
    pub fn describe(&self) -> String {
        format!(
            "sample {} lies on neuron {}'s kink (w_j.x_i + b_j = 0); d/dt (w_j.x_i + b_j) = {} with x_i counted active, {} with it inactive",
            self.sample + 1,
            self.neuron + 1,
            super::checks::short(&self.active),
            super::checks::short(&self.inactive)
        )
    }
}

/// Which samples lie on kinks.
#[derive(Clone, Debug, PartialEq)]
pub enum Kinks {
    /// No sample of positive weight on any kink: G is a polynomial in θ near
    /// θ (every activity is fixed), so a unique C¹ solution exists for a while.
    None,
    /// Exactly one (sample, neuron) pair on a kink.
    One(KinkRates),
    /// Several pairs (not decided here).
    Several(usize),
}

/// The samples on kinks of an empirical ReLU case with a constant target;
/// `None` outside that class.
pub fn samples_on_kinks(case: &Case) -> Option<Kinks> {
    let p = &case.problem;
    let Measure::Empirical { points, weights } = &p.measure else { return None };
    if p.activation != Activation::Relu || p.target.constant().is_none() {
        return None;
    }
    let th = &case.theta;
    let z = |j: usize, x: &[Q]| th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi);
    let live: Vec<usize> = (0..points.len()).filter(|&i| weights[i].is_positive()).collect();
    let on: Vec<(usize, usize)> = live
        .iter()
        .flat_map(|&i| (0..th.width()).map(move |j| (i, j)))
        .filter(|&(i, j)| z(j, &points[i]).is_zero())
        .collect();
    match on.as_slice() {
        [] => Some(Kinks::None),
        [(i, j)] => {
            let (i, j) = (*i, *j);
            let two_v = Q::from_integer(2.into()) * &th.v[j];
            let x = &points[i];
            // G⁻_{w_j}, G⁻_{b_j}: the atoms strictly active for neuron j.
            let (mut gw, mut gb) = (vec![Q::zero(); th.d], Q::zero());
            for &k in live.iter().filter(|&&k| z(j, &points[k]).is_positive()) {
                let pe = &weights[k] * error_at(case, &points[k]);
                for (g, xk) in gw.iter_mut().zip(&points[k]) {
                    *g += &pe * xk;
                }
                gb += &pe;
            }
            let dot = gw.iter().zip(x).fold(gb, |s, (g, xi)| s + g * xi);
            let inactive = -(&two_v * dot);
            let x2 = x.iter().fold(Q::one(), |s, xi| s + xi * xi);
            let active = &inactive - &two_v * &weights[i] * error_at(case, x) * x2;
            Some(Kinks::One(KinkRates { neuron: j, sample: i, active, inactive }))
        }
        more => Some(Kinks::Several(more.len())),
    }
}

/// E8's verdict on one case (public so that tests can feed it wrong rates).
pub fn solution_exists_outcome(kinks: Option<Kinks>) -> Outcome {
    match kinks {
        None => Outcome::Skipped { reason: "E8 is stated for empirical measures, ReLU and a constant target".into() },
        Some(Kinks::None) => Outcome::Holds { margin: None },
        Some(Kinks::Several(n)) => {
            Outcome::Undecided { reason: format!("{n} (sample, neuron) pairs on kinks: the rates of one pair do not decide") }
        }
        Some(Kinks::One(r)) if r.slides() => Outcome::Violated {
            detail: format!(
                "no absolutely continuous solution of the gradient flow leaves theta: {}; the field points into the surface from both sides (sliding)",
                r.describe()
            ),
        },
        // The field crosses the surface, or leaves it to a side: the solution
        // of that side's polynomial field starts there.
        Some(Kinks::One(r)) if !r.active.is_zero() && !r.inactive.is_zero() => Outcome::Holds { margin: None },
        Some(Kinks::One(r)) => Outcome::Undecided {
            reason: format!("{}: a zero rate is tangent to the surface, not decided by the rates", r.describe()),
        },
    }
}

/// An empirical case (H ≤ 3, d ≤ 2, ≤ 4 points) with neuron j's kink put
/// exactly through a sample x_i of positive weight (b_j := −w_j·x_i, w_j and
/// v_j nonzero), the other neurons moved off the samples, and up to 32 output
/// biases c tried for the sliding signs (each case is still decided exactly
/// by `run`, whatever c this ends with).
fn kink_case(rng: &mut Rng) -> Case {
    let cfg = GenConfig { max_width: 3, max_dim: 2, max_points: 4, measures: vec![MeasureKind::Empirical] };
    let mut case = gen::case(rng, &cfg);
    let Measure::Empirical { points, weights } = &case.problem.measure else { return case };
    let live: Vec<usize> = (0..points.len()).filter(|&i| weights[i].is_positive()).collect();
    if live.is_empty() {
        return case;
    }
    let i = live[rng.below(live.len() as u64) as usize];
    let th = &mut case.theta;
    let (j, d) = (rng.below(th.width() as u64) as usize, th.d);
    let dot = |th: &crate::model::Theta<Q>, j: usize, x: &[Q]| {
        th.w_row(j).iter().zip(x).fold(Q::zero(), |s, (w, x)| s + w * x)
    };
    for k in (0..th.width()).filter(|&k| k != j) {
        if live.iter().any(|&l| (dot(th, k, &points[l]) + &th.b[k]).is_zero()) {
            th.b[k] += Q::new(1.into(), 97.into());
        }
    }
    if th.w[j * d..(j + 1) * d].iter().all(Zero::is_zero) {
        th.w[j * d] = Q::one();
    }
    th.b[j] = -dot(th, j, &points[i]);
    if th.v[j].is_zero() {
        th.v[j] = Q::one();
    }
    for _ in 0..32 {
        if matches!(samples_on_kinks(&case), Some(Kinks::One(r)) if r.slides()) {
            break;
        }
        case.theta.c = Q::new(rng.range(-64, 64).into(), rng.range(1, 8).into());
    }
    case
}

/// E8: C10's hypothesis (a solution leaves θ), refuted where a sample slides
/// on a kink.
pub struct GfSolutionExistsOfSampleOnKink;

impl Check for GfSolutionExistsOfSampleOnKink {
    fn name(&self) -> &'static str {
        "gf_solution_exists_of_sample_on_kink"
    }
    fn statement(&self) -> &'static str {
        "E8"
    }
    fn summary(&self) -> &'static str {
        "empirical measure, a sample x_i put on neuron j's kink: does an absolutely continuous GF solution leave theta? Exact rates of w_j.x_i + b_j with x_i active and inactive; both pointing into the surface refutes it (sliding)"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["ignore_the_switching_sample"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        // Cases the rates decide: exactly one (sample, neuron) pair on a kink,
        // both rates nonzero (redrawn a few times otherwise).
        let mut case = kink_case(rng);
        for _ in 0..16 {
            if matches!(samples_on_kinks(&case), Some(Kinks::One(r)) if !r.active.is_zero() && !r.inactive.is_zero()) {
                break;
            }
            case = kink_case(rng);
        }
        Instance::of(case)
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let mut kinks = samples_on_kinks(&inst.case);
        if mutant == Some("ignore_the_switching_sample") {
            // Negative control: the inactive side's rate for both sides (as if
            // x_i did not switch): the field is then continuous across the
            // surface and never points into it from both sides.
            if let Some(Kinks::One(r)) = &mut kinks {
                r.active = r.inactive.clone();
            }
        }
        solution_exists_outcome(kinks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::engine::{run_check, Budget, Verdict};
    use crate::model::case::parse_case;

    /// Points 0 (weight 3) and −1 (weight 1), neuron 1's kink b_1 = 0 at the
    /// point 0: with 0 active db_1/dt = −2 < 0, inactive db_1/dt = 4 > 0.
    const SLIDING: &str =
        "[problem]\nmeasure = \"empirical\"\npoints = [\"0\", \"-1\"]\nweights = [\"3\", \"1\"]\ntarget = \"0\"\n\
         [theta]\nw = [\"-1\", \"-1\"]\nb = [\"0\", \"-1/2\"]\nv = [\"1\", \"-8\"]\nc = \"1\"\n";

    /// The same case with v_1 = 2 (the rates carry the factor 2·v_1, which
    /// v_1 = 1 cannot tell from 2/v_1: a cargo-mutants survivor, claims
    /// shard 8/80). By hand: e(0) = 1, e(−1) = 1 + 2 − 4 = −1; strictly
    /// active for neuron 1 is only x = −1, so G⁻ = 2·2·(−1)·(−1, 1) and
    /// inactive = −(4·(−1)) = 4; active = 4 − 4·3·e(0)·(1 + 0²) = −8.
    #[test]
    fn the_rates_carry_two_v_j() {
        let text = SLIDING.replace("v = [\"1\", \"-8\"]", "v = [\"2\", \"-8\"]");
        assert_ne!(text, SLIDING);
        let Some(Kinks::One(r)) = samples_on_kinks(&parse_case("t", &text).expect("case")) else {
            panic!("one sample on one kink")
        };
        assert_eq!((r.neuron, r.sample), (0, 0));
        assert_eq!((r.active, r.inactive), (Q::from_integer((-8).into()), Q::from_integer(4.into())));
    }

    #[test]
    fn the_hand_case_slides_with_the_rates_worked_out_by_hand() {
        let case = parse_case("t", SLIDING).expect("case");
        let Some(Kinks::One(r)) = samples_on_kinks(&case) else { panic!("one pair") };
        // e(0) = c = 1; at x = -1 both neurons are active (z = 1 and 1/2), so
        // e(-1) = 1 + 1·1 - 8·(1/2) = -2. G⁻_{b_1} = 2 v_1 · (1 · e(-1)) = -4
        // (x = 0 excluded), and x_i = 0: ṡ⁻ = -G⁻_{b_1} = 4;
        // ṡ⁺ = ṡ⁻ - 2 v_1 p_i e(0) (0² + 1) = 4 - 6 = -2.
        assert_eq!((r.neuron, r.sample), (0, 0));
        assert_eq!(r.inactive, Q::from_integer(4.into()));
        assert_eq!(r.active, Q::from_integer((-2).into()));
        assert!(r.slides());
        // Off the kink (b_1 = 1/8): no sample on a kink, a solution exists.
        let off = parse_case("t", &SLIDING.replace("b = [\"0\",", "b = [\"1/8\",")).expect("case");
        assert_eq!(samples_on_kinks(&off), Some(Kinks::None));
    }

    /// A kink at x_i = 1 ≠ 0, so that G⁻_{w_j} enters the rates (in the case
    /// above x_i = 0 hides it; a cargo-mutants survivor summed p e + x there).
    /// Points 1 (weight 3, on the kink of z = x − 1) and 3 (weight 1), v = 1,
    /// c = 1, ξ = 0: e(1) = 1, e(3) = 3. Inactive: G_w = 2·1·3·3 = 18,
    /// G_b = 2·1·3 = 6, ṡ⁻ = −(G_w·1 + G_b) = −24; active adds
    /// 2·v·3·e(1)·(1, 1) = (6, 6): ṡ⁺ = −(24 + 12) = −36.
    #[test]
    fn rates_at_a_kink_away_from_zero_include_the_weight_gradient() {
        let text =
            "[problem]\nmeasure = \"empirical\"\npoints = [\"1\", \"3\"]\nweights = [\"3\", \"1\"]\ntarget = \"0\"\n\
                    [theta]\nw = [\"1\"]\nb = [\"-1\"]\nv = [\"1\"]\nc = \"1\"\n";
        let case = parse_case("t", text).expect("case");
        let Some(Kinks::One(r)) = samples_on_kinks(&case) else { panic!("one pair") };
        assert_eq!((r.neuron, r.sample), (0, 0));
        assert_eq!(r.inactive, Q::from_integer((-24).into()));
        assert_eq!(r.active, Q::from_integer((-36).into()));
        assert!(!r.slides());
    }

    #[test]
    fn wrong_rates_are_not_a_refutation_and_right_ones_are() {
        let r = |a: i64, i: i64| {
            Some(Kinks::One(KinkRates {
                neuron: 0,
                sample: 0,
                active: Q::from_integer(a.into()),
                inactive: Q::from_integer(i.into()),
            }))
        };
        assert!(matches!(solution_exists_outcome(r(-1, 1)), Outcome::Violated { .. }));
        assert!(matches!(solution_exists_outcome(r(1, 1)), Outcome::Holds { .. }));
        assert!(matches!(solution_exists_outcome(r(1, -1)), Outcome::Holds { .. }));
        assert!(matches!(solution_exists_outcome(r(0, 1)), Outcome::Undecided { .. }));
        assert!(matches!(solution_exists_outcome(Some(Kinks::Several(2))), Outcome::Undecided { .. }));
        assert!(matches!(solution_exists_outcome(Some(Kinks::None)), Outcome::Holds { .. }));
    }

    #[test]
    fn generated_cases_are_refuted_and_the_control_holds() {
        let budget = Budget { cases: 60, seed: 1, backend: BackendSpec::Exact };
        let r = run_check(&GfSolutionExistsOfSampleOnKink, &budget, None, &|_, _| {});
        let Verdict::Refuted { witness, .. } = &r.verdict else { panic!("{:?}", r.verdict) };
        let again = GfSolutionExistsOfSampleOnKink.run(&witness.instance, BackendSpec::Exact, None);
        assert!(matches!(again, Outcome::Violated { .. }));
        let r = run_check(&GfSolutionExistsOfSampleOnKink, &budget, Some("ignore_the_switching_sample"), &|_, _| {});
        assert!(!matches!(r.verdict, Verdict::Refuted { .. }), "{:?}", r.verdict);
    }
}
