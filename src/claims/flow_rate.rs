//! C12 gf_risk_nonincreasing, exactly: at a point θ where no mass sits on a
//! kink, the rate at which L changes along the flow's velocity −G(θ) is
//!
//!   D⁺L(θ; −G(θ)) = lim_{h↓0} (L(θ − hG(θ)) − L(θ))/h = −‖G(θ)‖² ≤ 0,
//!
//! which is the derivative d/dt L(Θ_t) = −‖G(Θ_t)‖² of C12's proof at every
//! time the flow passes such a point (proofs/C12.md, steps 1–3).
//!
//! The left side is computed from the definitions D1/D3 alone, never from G:
//! the one-sided derivative of N^{θ+hu}(x) at h = 0 is
//!
//!   D⁺N(x; u) = u_c + Σ_j [u_{v_j} σ(z_j) + v_j s(z_j, u_{w_j}·x + u_{b_j})],
//!   s(z, δ) = δ (z > 0), max(δ, 0) (z = 0), 0 (z < 0),
//!
//! and D⁺L(θ; u) = ∫ 2 e(x) D⁺N(x; u) μ(dx) (e² has one-sided derivative
//! 2e D⁺N pointwise, with bounded difference quotients: dominated
//! convergence). For empirical measures that is a finite sum; on a d = 1
//! interval the integrand is a polynomial of degree ≤ 2 between the kinks
//! (and the zeros of δ for a neuron with w_j = b_j = 0), integrated exactly by
//! Simpson's rule with each piece's regime read at its midpoint; on a box it
//! is a polynomial of degree ≤ 2 on each cell of the arrangement of the
//! hyperplanes z_j = 0 (and δ_j = 0 for w_j = b_j = 0), integrated exactly
//! cell by cell ([`crate::objective::boxes::cells`]). G comes from
//! the fast path and is cross-checked against src/claims/oracle.rs first, so
//! a wrong G and a wrong L both show up as a refutation.
//!
//! Where mass sits on a kink (a sample with z_j(x_i) = 0, or a neuron with
//! w_j = b_j = 0 on an interval or a box), the flow's velocity is not −G(θ) in general
//! (it may cross or slide: E8), and C12 is an almost-everywhere statement:
//! such points are skipped, with that reason.

use super::checks::{cross_check, short};
use super::engine::{Margin, Outcome};
use super::instance::Instance;
use super::{Backends, Check, Values};
use crate::backend::BackendSpec;
use crate::gen::{self, GenConfig, Rng, Variety};
use crate::model::case::Case;
use crate::model::{Activation, Measure, Theta};
use crate::num::BigRational;
use crate::objective::boxes::cells::{cell_work, neuron_planes, Arrangement, Hyperplane, MAX_CELL_WORK};
use num_traits::{Signed, Zero};

type Q = BigRational;

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(RiskDerivativeAlongFlow)]
}

/// D⁺L(θ; u) from the definitions, and whether mass sits on a kink of θ.
#[derive(Clone, Debug, PartialEq)]
pub struct OneSided {
    /// lim_{h↓0} (L(θ + hu) − L(θ))/h.
    pub derivative: Q,
    /// Some mass on {z_j = 0} for some neuron j (empirical: a sample on a
    /// kink; interval or box: a neuron with w_j = b_j = 0).
    pub mass_on_kink: bool,
}

fn z_of(th: &Theta<Q>, j: usize, x: &[Q]) -> Q {
    th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi)
}

/// N^θ(x) and D⁺N(x; u), with each neuron's regime taken at `probe` (the
/// point itself for samples, the midpoint of a piece on intervals): neuron j
/// counts as active where z_j(probe) > 0, or z_j(probe) = 0 and δ_j(probe) > 0,
/// which at probe = x is s(z, δ) of the module documentation.
fn network_and_rate(th: &Theta<Q>, u: &Theta<Q>, x: &[Q], probe: &[Q]) -> (Q, Q) {
    let mut n = th.c.clone();
    let mut dn = u.c.clone();
    for j in 0..th.width() {
        let z = z_of(th, j, x);
        let delta = z_of(u, j, x);
        let (zp, dp) = (z_of(th, j, probe), z_of(u, j, probe));
        // The regime of neuron j where the probe is; z and δ are affine, so
        // on a piece without a sign change of zp (or of dp where z ≡ 0) it is
        // the regime of the whole open piece.
        let active = zp.is_positive() || (zp.is_zero() && dp.is_positive());
        if active {
            n += &th.v[j] * &z;
            dn += &u.v[j] * &z + &th.v[j] * &delta;
        }
    }
    (n, dn)
}

/// D⁺L(θ; u) for ReLU and a constant target ξ, from the definitions;
/// `None` for a box whose arrangement is beyond
/// [`crate::objective::boxes::cells::MAX_CELL_WORK`].
pub fn one_sided_risk_derivative(measure: &Measure, theta: &Theta<Q>, u: &Theta<Q>, xi: &Q) -> Option<OneSided> {
    let two = Q::from_integer(2.into());
    match measure {
        Measure::Empirical { points, weights } => {
            let mut derivative = Q::zero();
            let mut mass_on_kink = false;
            for (x, p) in points.iter().zip(weights).filter(|(_, p)| !p.is_zero()) {
                mass_on_kink |= (0..theta.width()).any(|j| z_of(theta, j, x).is_zero());
                // At a sample the regime is read at the sample itself: s(z, δ).
                let (n, dn) = network_and_rate(theta, u, x, x);
                derivative += p * &two * (n - xi) * dn;
            }
            Some(OneSided { derivative, mass_on_kink })
        }
        Measure::Lebesgue { a, b } => interval(theta, u, xi, a, b),
        Measure::Uniform { a, b, d: 1 } => interval(theta, u, xi, a, b)
            .map(|r| OneSided { derivative: r.derivative / (b - a), mass_on_kink: r.mass_on_kink }),
        other => other.as_box().and_then(|(lo, hi, probability)| {
            let r = in_box(theta, u, xi, &lo, &hi)?;
            let volume = crate::model::box_volume(&lo, &hi);
            Some(if probability { OneSided { derivative: r.derivative / volume, ..r } } else { r })
        }),
    }
}

/// D⁺L over the box with the Lebesgue measure: the integrand 2e D⁺N is a
/// polynomial of degree ≤ 2 on each cell of the arrangement of the neurons'
/// hyperplanes (and, for a neuron with w_j = 0 = b_j, of δ_j = 0), integrated
/// cell by cell with the regime read at each node, strictly inside its cell;
/// `None` if the arrangement is too large.
fn in_box(theta: &Theta<Q>, u: &Theta<Q>, xi: &Q, lo: &[Q], hi: &[Q]) -> Option<OneSided> {
    let mut planes = neuron_planes(theta);
    let mut mass_on_kink = false;
    for j in 0..theta.width() {
        if theta.w_row(j).iter().all(Zero::is_zero) && theta.b[j].is_zero() {
            // z_j ≡ 0 on the box: the regime follows the sign of δ_j(x).
            mass_on_kink = true;
            planes.push(Hyperplane { w: u.w_row(j).to_vec(), b: u.b[j].clone() });
        }
    }
    if cell_work(lo.len(), planes.len()) > MAX_CELL_WORK {
        return None;
    }
    let two = Q::from_integer(2.into());
    let [derivative] = Arrangement::new(lo, hi, &planes).integrate(2, |x| {
        let (n, dn) = network_and_rate(theta, u, x, x);
        [&two * (n - xi) * dn]
    });
    Some(OneSided { derivative, mass_on_kink })
}

fn interval(theta: &Theta<Q>, u: &Theta<Q>, xi: &Q, a: &Q, b: &Q) -> Option<OneSided> {
    if theta.d != 1 {
        return None;
    }
    let mut cuts = vec![a.clone(), b.clone()];
    let mut mass_on_kink = false;
    let mut cut_at = |w: &Q, bias: &Q| {
        if !w.is_zero() {
            let k = -bias / w;
            if &k > a && &k < b {
                cuts.push(k);
            }
        }
    };
    for j in 0..theta.width() {
        cut_at(&theta.w[j], &theta.b[j]);
        if theta.w[j].is_zero() && theta.b[j].is_zero() {
            // z_j ≡ 0: the regime follows the sign of δ_j(x) = u_w x + u_b.
            mass_on_kink = true;
            cut_at(&u.w[j], &u.b[j]);
        }
    }
    cuts.sort();
    cuts.dedup();
    let (two, four, six) = (Q::from_integer(2.into()), Q::from_integer(4.into()), Q::from_integer(6.into()));
    let mut derivative = Q::zero();
    for piece in cuts.windows(2) {
        let (l, r) = (&piece[0], &piece[1]);
        let m = (l + r) / &two;
        let probe = std::slice::from_ref(&m);
        let f = |x: &Q| {
            let (n, dn) = network_and_rate(theta, u, std::slice::from_ref(x), probe);
            &two * (n - xi) * dn
        };
        // Simpson's rule: exact for the piece's polynomial of degree ≤ 2.
        derivative += (r - l) / &six * (f(l) + &four * f(&m) + f(r));
    }
    Some(OneSided { derivative, mass_on_kink })
}

/// C12 at a point: D⁺L(θ; −G(θ)) = −‖G(θ)‖², exactly.
pub struct RiskDerivativeAlongFlow;

impl Check for RiskDerivativeAlongFlow {
    fn name(&self) -> &'static str {
        "gf_risk_derivative_eq_neg_gradient_sq"
    }
    fn statement(&self) -> &'static str {
        "C12"
    }
    fn summary(&self) -> &'static str {
        "at theta with no mass on a kink: the one-sided derivative of L along the flow's velocity, D+L(theta; -G) = lim_{h->0+} (L(theta - h G) - L(theta))/h, computed from the definitions (per sample, or exactly piece by piece on [a, b] and cell by cell on a box; never from G), equals -|G|^2 <= 0: the rate d/dt L(theta_t) = -|G(theta_t)|^2 of C12's proof, exactly; G cross-checked against the definitions first"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn values(&self) -> Values {
        Values::CrossChecked
    }
    fn default_cases(&self) -> Option<usize> {
        // About half the generated points are skipped (mass on a kink, other
        // activations or targets): enough remain to be more than weak.
        Some(200)
    }
    fn caveat(&self) -> Option<&'static str> {
        Some("pointwise: the rate at generated points, not along a computed trajectory (that is Q2's row and the gf command, approximate); points with mass on a kink are skipped, where C12 holds only for almost every t; empirical measures, d = 1 intervals and boxes within the definitional evaluator's widths (d = 2: H <= 6, d = 3 and 4: H <= 3)")
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["flow_uphill"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let cfg = GenConfig::default();
        Instance::of(gen::case_varied(rng, &cfg, Variety::CLAIMS))
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        rate_outcome(&inst.case, mutant, |case| crate::eval::summary_from_exact::<Q>(case, &()).gradient)
    }
}

/// C12 on one case, with G from `gradient` (public so that tests can feed a
/// wrong evaluator and expect a refutation). Mutant `flow_uphill` moves along
/// +G, where L increases at rate ‖G‖².
pub fn rate_outcome(case: &Case, mutant: Option<&str>, gradient: impl Fn(&Case) -> Theta<Q>) -> Outcome {
    let p = &case.problem;
    if p.activation != Activation::Relu || !p.output_bias {
        return Outcome::Skipped { reason: "C12 is stated for ReLU with an output bias".into() };
    }
    let Some(xi) = p.target.constant() else {
        return Outcome::Skipped { reason: "C12 needs a constant target".into() };
    };
    let g = gradient(case);
    let risk = crate::eval::summary_from_exact::<Q>(case, &()).risk;
    if let Err(o) = cross_check(case, Some(&risk), &g, &()) {
        return o;
    }
    let u = if mutant == Some("flow_uphill") { g.clone() } else { g.map(|x| -x) };
    let Some(r) = one_sided_risk_derivative(&p.measure, &case.theta, &u, xi) else {
        return Outcome::Skipped { reason: "no definitional one-sided derivative for this measure".into() };
    };
    if r.mass_on_kink {
        return Outcome::Skipped {
            reason:
                "mass on a kink: the flow's velocity is not -G(theta) in general there (C12 holds for almost every t)"
                    .into(),
        };
    }
    let g2 = g.norm2(&());
    if r.derivative != -g2.clone() {
        return Outcome::Violated {
            detail: format!(
                "D+L(theta; -G) = {} (from the definitions) but -|G|^2 = {}",
                short(&r.derivative),
                short(&-g2)
            ),
        };
    }
    if r.derivative.is_positive() {
        return Outcome::Violated { detail: format!("L increases along the flow at rate {}", short(&r.derivative)) };
    }
    if g2.is_zero() {
        // A critical point (C6: a fit): the flow does not move.
        return Outcome::Holds { margin: None };
    }
    Outcome::Holds { margin: Margin::of(&g2, "|G|^2 = -d/dt L along the flow, over cases with G != 0") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::engine::{run_check, Budget, Verdict};
    use crate::model::case::parse_case;

    fn quiet(_: usize, _: usize) {}

    fn case(text: &str) -> Case {
        parse_case("t", text).expect("case")
    }

    const LEBESGUE: &str = "[problem]\nmeasure = \"lebesgue\"\na = \"-3/2\"\nb = \"5/7\"\ntarget = \"1/3\"\n\
         [theta]\nw = [\"1\", \"-2/3\", \"1/2\"]\nb = [\"0\", \"1/4\", \"-1/2\"]\nv = [\"1\", \"-1/2\", \"3/4\"]\nc = \"1/5\"\n";
    const EMPIRICAL: &str = "[problem]\nmeasure = \"empirical\"\npoints = [[\"-1\"], [\"1/2\"], [\"2\"]]\n\
         weights = [\"1\", \"1/3\", \"2\"]\ntarget = \"1\"\n\
         [theta]\nw = [\"1\", \"-1\"]\nb = [\"1/3\", \"1/5\"]\nv = [\"2\", \"1/2\"]\nc = \"-1/4\"\n";

    /// Independently of the module's formula: (L(θ + hu) − L(θ))/h for tiny
    /// h is within O(h) of D⁺L (L is piecewise smooth along the line).
    fn difference_quotient(c: &Case, u: &Theta<Q>, h: &Q) -> Q {
        let l0 = crate::eval::summary_from_exact::<Q>(c, &()).risk;
        let moved = Case { theta: c.theta.step(&-h.clone(), u), ..c.clone() };
        let l1 = crate::eval::summary_from_exact::<Q>(&moved, &()).risk;
        (l1 - l0) / h
    }

    /// A d = 3 box cut by a plane through a corner, one parallel to an axis
    /// and a generic one.
    const BOX_D3: &str =
        "[problem]\nmeasure = \"uniform\"\na = [\"0\", \"-1\", \"-1/2\"]\nb = [\"1\", \"1\", \"3/2\"]\n\
         target = \"-1\"\n[theta]\nw = [[\"1\", \"1\", \"1\"], [\"2\", \"-1\", \"0\"], [\"-1/3\", \"1/2\", \"2\"]]\n\
         b = [\"-3/2\", \"1/2\", \"1/5\"]\nv = [\"2\", \"-1\", \"3/2\"]\nc = \"1/2\"\n";
    /// A d = 2 Lebesgue box: two lines crossing inside, one through a corner.
    const BOX_D2: &str =
        "[problem]\nmeasure = \"lebesgue\"\na = [\"-1\", \"-1/2\"]\nb = [\"2\", \"1\"]\ntarget = \"3/2\"\n\
         [theta]\nw = [[\"1\", \"2\"], [\"3\", \"-2\"], [\"0\", \"1\"]]\nb = [\"-1\", \"-1\", \"1/4\"]\n\
         v = [\"-1/2\", \"3\", \"1\"]\nc = \"1/4\"\n";

    fn vector(file: &str) -> String {
        std::fs::read_to_string(file).expect("vector")
    }

    #[test]
    fn the_definitional_rate_is_the_limit_of_difference_quotients() {
        // The d = 2 box vector has a neuron with w = 0 = b: its regime along
        // u follows δ's sign, a hyperplane of its own.
        for text in [LEBESGUE, EMPIRICAL, BOX_D2, BOX_D3, &vector("tests/vectors/box-d2.toml")] {
            let c = case(text);
            let xi = c.problem.target.constant().expect("constant").clone();
            // An arbitrary direction, not the gradient.
            let u = c.theta.map(|x| x / Q::from_integer(3.into()) - Q::new(1.into(), 7.into()));
            let r = one_sided_risk_derivative(&c.problem.measure, &c.theta, &u, &xi).expect("covered");
            let h1 = Q::new(1.into(), (1u64 << 40).into());
            let h2 = Q::new(1.into(), (1u64 << 50).into());
            let (e1, e2) = (
                (difference_quotient(&c, &u, &h1) - &r.derivative).abs(),
                (difference_quotient(&c, &u, &h2) - &r.derivative).abs(),
            );
            // O(h): the error shrinks with h, far below the value's scale.
            assert!(e2 < Q::new(1.into(), (1u64 << 30).into()), "{text}: error {e2}");
            assert!(e2 <= e1, "{text}: {e1} then {e2}");
        }
    }

    #[test]
    fn rate_is_minus_the_gradient_norm_and_controls_refute() {
        for text in [LEBESGUE, EMPIRICAL, BOX_D2, BOX_D3] {
            let c = case(text);
            let exact = |c: &Case| crate::eval::summary_from_exact::<Q>(c, &()).gradient;
            assert!(matches!(rate_outcome(&c, None, exact), Outcome::Holds { .. }), "{text}");
            assert!(matches!(rate_outcome(&c, Some("flow_uphill"), exact), Outcome::Violated { .. }), "{text}");
            // A wrong evaluator (G halved) is refuted: by the cross-check
            // against the definitions, and on its own by the rate.
            let half = |c: &Case| exact(c).map(|x| x / Q::from_integer(2.into()));
            assert!(matches!(rate_outcome(&c, None, half), Outcome::Violated { .. }), "{text}");
        }
    }

    #[test]
    fn cases_outside_the_hypotheses_are_skipped_not_judged() {
        // C12 is stated for ReLU with a trained output bias; either
        // hypothesis missing is a skip, not evidence (claims shard 19/80
        // survivor: the guard's || -> && let such cases be judged).
        for extra in [
            "activation = \"abs\"\n",
            "activation = { name = \"leaky_relu\", slope = \"1/10\" }\n",
            "output_bias = false\n",
        ] {
            for base in [LEBESGUE, EMPIRICAL] {
                let text = base.replacen("[problem]\n", &format!("[problem]\n{extra}"), 1);
                let text = if extra.starts_with("output_bias") {
                    text.replace("c = \"1/5\"\n", "").replace("c = \"-1/4\"\n", "")
                } else {
                    text
                };
                let c = case(&text);
                match rate_outcome(&c, None, |case| crate::eval::summary_from_exact::<Q>(case, &()).gradient) {
                    Outcome::Skipped { reason } => {
                        assert!(reason.contains("ReLU with an output bias"), "{extra}: {reason}")
                    }
                    other => panic!("{extra}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn mass_on_a_kink_is_skipped_not_judged() {
        // x = -1/3 is on neuron 1's kink (w = 1, b = 1/3).
        let text = EMPIRICAL.replace("[\"-1\"]", "[\"-1/3\"]");
        let c = case(&text);
        let exact = |c: &Case| crate::eval::summary_from_exact::<Q>(c, &()).gradient;
        assert!(matches!(rate_outcome(&c, None, exact), Outcome::Skipped { .. }));
        // The box vector's neuron with w = 0 = b puts the whole box on a kink.
        let c = case(&vector("tests/vectors/box-d2.toml"));
        assert!(matches!(rate_outcome(&c, None, exact), Outcome::Skipped { reason } if reason.contains("kink")));
    }

    #[test]
    fn generated_cases_hold_and_the_control_is_refuted() {
        let budget = Budget { cases: 60, seed: 3, backend: BackendSpec::Exact };
        let r = run_check(&RiskDerivativeAlongFlow, &budget, None, &quiet);
        assert!(matches!(r.verdict, Verdict::Holds { cases, .. } if cases >= 30), "{:?}", r.verdict);
        let r = run_check(&RiskDerivativeAlongFlow, &budget, Some("flow_uphill"), &quiet);
        assert!(matches!(r.verdict, Verdict::Refuted { .. }), "{:?}", r.verdict);
    }
}
