//! A second, definitional evaluator of L (D3), G and 𝔊 (D4), written
//! independently of the fast path in [`crate::objective`], so that the
//! identity checks (C3, C4, C5, C7, E4, E5, E7) verify the values they use
//! instead of only their consistency with each other.
//!
//! Nothing here shares code with `src/objective/`: no kink sweep, no prefix
//! sums, no activation patterns, no polynomial expansion of e.
//!
//! - Empirical measures Σ p_i δ_{x_i}: the sums of D3–D4 point by point,
//!   with σ and σ' evaluated from their definitions at each preactivation
//!   (σ'(0) by the case's convention: the left derivative under `open`, the
//!   right one under `closed`).
//! - d = 1 interval measures: [a, b] is cut at every kink −b_j/w_j and every
//!   target knot inside it; on each piece every integrand of D3–D4 is a
//!   polynomial of degree ≤ 2p (p = 1 for ReLU, leaky ReLU and |z|; p = 2, 3
//!   for ReLU^p), integrated exactly by a closed Newton–Cotes rule evaluated
//!   at rational nodes with N(x) computed pointwise from D1: Simpson's rule
//!   (exact to degree 3) for p = 1, the seven-point rule (exact to degree 7)
//!   for p = 2, 3. At a node on a kink, σ' is the one-sided value from
//!   inside the piece (the integrand is a polynomial on the open piece).
//!   The uniform probability divides by b − a.
//!
//! - Box measures (d ≥ 2): iterated integration, see [`super::oracle_box`].
//!
//! Cost O(H · (H + knots)) rational operations per case: fine for the checks'
//! H ≤ 64. Smooth activations and the `sin` target are outside (their values
//! are not rational), and so are boxes wider than [`super::oracle_box::max_width`]:
//! [`reference`] returns `None` there.

use crate::model::case::Case;
use crate::model::{Activation, DerivativeAtZero, Measure, Target, Theta};
use crate::num::{BigRational, Scalar, Sign3};
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

type Q = BigRational;

/// L(θ) and G(θ) from the definitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// L(θ).
    pub risk: Q,
    /// G(θ) in θ layout.
    pub gradient: Theta<Q>,
}

// The hot sums use the crate's BigRational arithmetic ([`Scalar`], with
// cheaper gcds than num-rational's operators): the same numbers, not the
// fast path's algorithm.
fn mul(a: &Q, b: &Q) -> Q {
    Scalar::mul(a, b)
}

fn acc(s: &mut Q, x: &Q) {
    Scalar::add_assign(s, x);
}

fn int(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// σ(z) from the activation's definition.
fn sigma(act: &Activation, z: &Q) -> Q {
    match act {
        Activation::Relu => {
            if z.is_positive() {
                z.clone()
            } else {
                Q::zero()
            }
        }
        Activation::LeakyRelu(slope) => {
            if z.is_positive() {
                z.clone()
            } else {
                slope * z
            }
        }
        Activation::Abs => z.abs(),
        Activation::ReluPow(p) => {
            if z.is_positive() {
                num_traits::pow(z.clone(), *p as usize)
            } else {
                Q::zero()
            }
        }
        other => unreachable!("{} is not piecewise polynomial", other.name()),
    }
}

/// σ' on the side `side` of 0 (`Equal`: at z = 0 itself, where the
/// convention chooses the left derivative (`open`) or the right one
/// (`closed`)), evaluated at z.
fn sigma_prime(act: &Activation, conv: DerivativeAtZero, side: Ordering, z: &Q) -> Q {
    let right = match side {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => conv == DerivativeAtZero::Closed,
    };
    match (act, right) {
        (Activation::Relu, true) | (Activation::LeakyRelu(_), true) | (Activation::Abs, true) => Q::one(),
        (Activation::Relu, false) => Q::zero(),
        (Activation::LeakyRelu(slope), false) => slope.clone(),
        (Activation::Abs, false) => -Q::one(),
        (Activation::ReluPow(p), true) => int(i64::from(*p)) * num_traits::pow(z.clone(), *p as usize - 1),
        (Activation::ReluPow(_), false) => Q::zero(),
        (other, _) => unreachable!("{} is not piecewise polynomial", other.name()),
    }
}

/// f(x) from the target's definition.
fn target(t: &Target, x: &[Q]) -> Q {
    match t {
        Target::Constant(xi) => xi.clone(),
        Target::Affine { slope, intercept } => slope.iter().zip(x).fold(intercept.clone(), |s, (a, xi)| s + a * xi),
        Target::PiecewiseLinear { knots, values } => {
            let x = &x[0];
            if x <= &knots[0] {
                return values[0].clone();
            }
            for k in 1..knots.len() {
                if x <= &knots[k] {
                    let (l, r) = (&knots[k - 1], &knots[k]);
                    return &values[k - 1] + (&values[k] - &values[k - 1]) * (x - l) / (r - l);
                }
            }
            values[values.len() - 1].clone()
        }
        Target::Sin => unreachable!("sin is not exact"),
    }
}

/// The sign of a rational, from its numerator (its denominator is positive).
fn sign(z: &Q) -> Ordering {
    if z.is_positive() {
        Ordering::Greater
    } else if z.is_negative() {
        Ordering::Less
    } else {
        Ordering::Equal
    }
}

/// w_j·x + b_j.
fn preactivation(th: &Theta<Q>, j: usize, x: &[Q]) -> Q {
    let mut z = th.b[j].clone();
    for (w, xi) in th.w_row(j).iter().zip(x) {
        acc(&mut z, &mul(w, xi));
    }
    z
}

fn zero_like(th: &Theta<Q>) -> Theta<Q> {
    th.map(|_| Q::zero())
}

/// Whether the oracle covers the case (exact activation and target, and a
/// measure of D2 it integrates).
pub fn covers(case: &Case) -> bool {
    let p = &case.problem;
    if p.measure.as_box().is_some() {
        return super::oracle_box::covers(p, case.theta.width());
    }
    let degree_ok = matches!(
        p.activation,
        Activation::Relu | Activation::LeakyRelu(_) | Activation::Abs | Activation::ReluPow(2) | Activation::ReluPow(3)
    );
    let target_ok = !matches!(p.target, Target::Sin);
    degree_ok && target_ok
}

/// L(θ) and G(θ) from the definitions, or `None` outside [`covers`].
pub fn reference(case: &Case) -> Option<Reference> {
    if !covers(case) {
        return None;
    }
    let mut r = match &case.problem.measure {
        Measure::Empirical { points, weights } => empirical(case, points, weights),
        Measure::Lebesgue { a, b } => interval(case, a, b),
        Measure::Box { .. } => box_reference(case),
        Measure::Uniform { d, .. } if *d >= 2 => box_reference(case),
        Measure::Uniform { a, b, .. } => {
            let mut r = interval(case, a, b);
            let m = b - a;
            r.risk /= &m;
            r.gradient = r.gradient.map(|g| g / &m);
            r
        }
    };
    if !case.problem.output_bias {
        r.gradient.c = Q::zero();
    }
    Some(r)
}

/// L and G over a box, by [`super::oracle_box`].
fn box_reference(case: &Case) -> Reference {
    let (risk, gradient) = super::oracle_box::reference(&case.problem, &case.theta).expect("covered");
    Reference { risk, gradient }
}

/// 𝔊(θ, x) and e(x) at one point: the sums of [`reference`] for δ_x.
pub fn per_sample(case: &Case, x: &[Q]) -> Option<(Q, Theta<Q>)> {
    if !covers(case) {
        return None;
    }
    let e = network(case, x) - target(&case.problem.target, x);
    let mut r = empirical(case, &[x.to_vec()], &[Q::one()]);
    if !case.problem.output_bias {
        r.gradient.c = Q::zero();
    }
    Some((e, r.gradient))
}

/// N^θ(x) = c + Σ_j v_j σ(w_j·x + b_j), from D1.
fn network(case: &Case, x: &[Q]) -> Q {
    let th = &case.theta;
    let act = &case.problem.activation;
    (0..th.width()).fold(th.c.clone(), |n, j| n + &th.v[j] * sigma(act, &preactivation(th, j, x)))
}

/// Sums of one neuron over the measure, before the factors 2 v_j and 2:
/// ∫ σ'(z_j) e (`d0`), ∫ x σ'(z_j) e (`d1`, d entries) and ∫ σ(z_j) e (`s0`).
struct NeuronSums {
    d0: Vec<Q>,
    d1: Vec<Q>,
    s0: Vec<Q>,
}

impl NeuronSums {
    fn new(h: usize, d: usize) -> Self {
        NeuronSums { d0: vec![Q::zero(); h], d1: vec![Q::zero(); h * d], s0: vec![Q::zero(); h] }
    }
    /// Adds the integrand at x with weight `we` = (quadrature weight or p_i) · e(x).
    fn add(&mut self, j: usize, x: &[Q], we: &Q, s: &Q, ds: &Q) {
        let d = x.len();
        if !s.is_zero() {
            acc(&mut self.s0[j], &mul(we, s));
        }
        if ds.is_zero() {
            return;
        }
        let wd = if ds.is_one() { we.clone() } else { mul(we, ds) };
        for (k, xk) in x.iter().enumerate() {
            acc(&mut self.d1[j * d + k], &mul(&wd, xk));
        }
        acc(&mut self.d0[j], &wd);
    }
    /// G from the sums: G_w = 2 v ∫x σ' e, G_b = 2 v ∫σ' e, G_v = 2 ∫σ e, G_c = 2 ∫e.
    fn gradient(self, th: &Theta<Q>, total_e: Q) -> Theta<Q> {
        let d = th.d;
        let two = int(2);
        let mut g = zero_like(th);
        for j in 0..th.width() {
            let v2 = &two * &th.v[j];
            for k in 0..d {
                g.w[j * d + k] = &v2 * &self.d1[j * d + k];
            }
            g.b[j] = &v2 * &self.d0[j];
            g.v[j] = &two * &self.s0[j];
        }
        g.c = &two * total_e;
        g
    }
}

fn empirical(case: &Case, points: &[Vec<Q>], weights: &[Q]) -> Reference {
    let th = &case.theta;
    let (act, conv) = (&case.problem.activation, case.problem.derivative_at_zero);
    let h = th.width();
    let mut risk = Q::zero();
    let mut total_e = Q::zero();
    let mut sums = NeuronSums::new(h, th.d);
    let mut z = Vec::with_capacity(h);
    for (x, p) in points.iter().zip(weights) {
        if p.is_zero() {
            continue;
        }
        z.clear();
        z.extend((0..h).map(|j| {
            let zj = preactivation(th, j, x);
            let s = sigma(act, &zj);
            (zj, s)
        }));
        let mut n = th.c.clone();
        for ((_, s), v) in z.iter().zip(&th.v).filter(|((_, s), _)| !s.is_zero()) {
            acc(&mut n, &mul(v, s));
        }
        let e = Scalar::sub(&n, &target(&case.problem.target, x));
        let pe = mul(p, &e);
        acc(&mut risk, &mul(&pe, &e));
        acc(&mut total_e, &pe);
        for (j, (zj, s)) in z.iter().enumerate() {
            let ds = sigma_prime(act, conv, sign(zj), zj);
            sums.add(j, x, &pe, s, &ds);
        }
    }
    Reference { risk, gradient: sums.gradient(th, total_e) }
}

/// Closed Newton–Cotes rules on [0, 1]: weights (numerators) over a common
/// denominator at the nodes k/n.
const SIMPSON: (&[i64], i64) = (&[1, 4, 1], 6);
const SEVEN_POINT: (&[i64], i64) = (&[41, 216, 27, 272, 27, 216, 41], 840);

fn interval(case: &Case, a: &Q, b: &Q) -> Reference {
    let th = &case.theta;
    let (act, conv) = (&case.problem.activation, case.problem.derivative_at_zero);
    let h = th.width();
    // Breakpoints: a, b, kinks and target knots strictly inside.
    let mut cuts = vec![a.clone(), b.clone()];
    for j in 0..h {
        if !th.w[j].is_zero() {
            let t = -&th.b[j] / &th.w[j];
            if &t > a && &t < b {
                cuts.push(t);
            }
        }
    }
    if let Target::PiecewiseLinear { knots, .. } = &case.problem.target {
        cuts.extend(knots.iter().filter(|t| *t > a && *t < b).cloned());
    }
    cuts.sort();
    cuts.dedup();
    let (weights, denom) = match act {
        Activation::ReluPow(_) => SEVEN_POINT,
        _ => SIMPSON,
    };
    // σ and σ' vanish on the whole negative piece for ReLU and ReLU^p:
    // such neurons are skipped on pieces where they are off.
    let off_below = matches!(act, Activation::Relu | Activation::ReluPow(_));
    let n = weights.len() as i64 - 1;
    let mut risk = Q::zero();
    let mut total_e = Q::zero();
    let mut sums = NeuronSums::new(h, 1);
    let mut z: Vec<(usize, Q, Q)> = Vec::with_capacity(h);
    for seg in cuts.windows(2) {
        let (l, r) = (&seg[0], &seg[1]);
        let len = r - l;
        let mid = (l + r) / int(2);
        // Which side of 0 each preactivation is on inside the piece (constant
        // there); σ' at a node on the piece's end is the one-sided value from inside.
        let side: Vec<Ordering> = (0..h)
            .map(|j| {
                // sign(w_j mid + b_j) = sign(wn mn bd + bn wd md), in integers
                // (positive denominators).
                let (w, b) = (&th.w[j], &th.b[j]);
                let t = w.numer() * mid.numer() * b.denom() + b.numer() * w.denom() * mid.denom();
                t.cmp(&num_bigint::BigInt::zero())
            })
            .collect();
        // (z_j ≡ 0 when w_j = b_j = 0: then σ' is the convention's σ'(0).)
        let dead = |j: usize| match side[j] {
            Ordering::Greater => false,
            Ordering::Less => true,
            Ordering::Equal => conv == DerivativeAtZero::Open,
        };
        let live: Vec<usize> = (0..h).filter(|&j| !(off_below && dead(j))).collect();
        for (k, &wk) in weights.iter().enumerate() {
            let x = l + &len * Q::new(k.into(), n.into());
            let xs = std::slice::from_ref(&x);
            let omega = &len * Q::new(wk.into(), denom.into());
            z.clear();
            z.extend(live.iter().map(|&j| {
                let zj = preactivation(th, j, xs);
                let s = sigma(act, &zj);
                (j, zj, s)
            }));
            let mut net = th.c.clone();
            for (j, _, s) in z.iter().filter(|(_, _, s)| !s.is_zero()) {
                acc(&mut net, &mul(&th.v[*j], s));
            }
            let e = Scalar::sub(&net, &target(&case.problem.target, xs));
            let we = mul(&omega, &e);
            acc(&mut risk, &mul(&we, &e));
            acc(&mut total_e, &we);
            for (j, zj, s) in &z {
                let ds = sigma_prime(act, conv, side[*j], zj);
                sums.add(*j, xs, &we, s, &ds);
            }
        }
    }
    Reference { risk, gradient: sums.gradient(th, total_e) }
}

/// The name of component `k` of θ's flat layout (w, b, v, c), 1-based:
/// `G_w[2]` (d = 1), `G_w[2,1]`, `G_b[2]`, `G_v[2]`, `G_c`.
fn component_name(th: &Theta<Q>, k: usize) -> String {
    let (d, h) = (th.d, th.width());
    if k < h * d {
        if d == 1 {
            format!("G_w[{}]", k + 1)
        } else {
            format!("G_w[{},{}]", k / d + 1, k % d + 1)
        }
    } else if k < h * d + h {
        format!("G_b[{}]", k - h * d + 1)
    } else if k < h * d + 2 * h {
        format!("G_v[{}]", k - h * d - h + 1)
    } else {
        "G_c".to_string()
    }
}

/// Whether a backend value agrees with the exact one: equal on exact
/// backends, the exact value inside the enclosure on interval backends.
pub fn agrees<S: Scalar>(fast: &S, exact: &Q, ctx: &S::Ctx) -> bool {
    matches!(fast.sub(&S::from_rational(exact, ctx)).sign(), Sign3::Zero | Sign3::Undecided)
}

fn shown<S: Scalar>(x: &S) -> String {
    super::checks::short(x)
}

/// Compares the fast path's L and G (in any backend) with the definitional
/// values; `Err` names the first disagreeing value: "G_b[2]: fast path 3/4,
/// definition 1/2".
pub fn compare<S: Scalar>(
    case: &Case,
    risk: Option<&S>,
    gradient: &Theta<S>,
    reference: &Reference,
    ctx: &S::Ctx,
) -> Result<(), String> {
    let what =
        |name: String, fast: &S, exact: &Q| format!("{name}: fast path {}, definition {}", shown(fast), shown(exact));
    if let Some(l) = risk {
        if !agrees(l, &reference.risk, ctx) {
            return Err(what("L".into(), l, &reference.risk));
        }
    }
    let fast = gradient.flatten();
    let exact = reference.gradient.flatten();
    for (k, (f, e)) in fast.iter().zip(&exact).enumerate() {
        if !agrees(f, e, ctx) {
            return Err(what(component_name(&case.theta, k), f, e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disagreement names its value in θ's flat layout (w neuron-major,
    /// then b, v, c): the oracle's names agree, component by component, with
    /// the ones `eval` prints (`w2,1` is `G_w[2,1]`), written independently.
    /// The tests that read a disagreement only look at the prefix (`G_w[`),
    /// so an off-by-one between the blocks went unseen.
    #[test]
    fn disagreeing_components_are_named_as_eval_names_them() {
        for (d, h) in [(1, 1), (1, 3), (2, 2), (3, 2), (2, 12)] {
            let zeros = |n: usize| vec![Q::zero(); n];
            let th = Theta { d, w: zeros(d * h), b: zeros(h), v: zeros(h), c: Q::zero() };
            let names = crate::eval::component_names(&th);
            assert_eq!(names.len(), th.len());
            for (k, name) in names.iter().enumerate() {
                let want = match name.split_at(1) {
                    ("c", "") => "G_c".to_string(),
                    (block, index) => format!("G_{block}[{index}]"),
                };
                assert_eq!(component_name(&th, k), want, "d = {d}, H = {h}, component {k}");
            }
        }
    }

    fn q(s: &str) -> Q {
        crate::num::parse::parse_rational(s).expect("a rational")
    }

    /// On intervals and samples the oracle covers exactly the activations
    /// its rules integrate exactly (ReLU, leaky ReLU, |z|, ReLU² and ReLU³)
    /// and every target but the sine: both conditions must hold. (Fresh
    /// sample of session 17: `degree_ok && target_ok` written `||` claimed
    /// tanh networks and sine targets, which the oracle cannot evaluate;
    /// only the box path's coverage was tested.)
    #[test]
    fn the_oracle_covers_exact_activations_and_targets_only() {
        let theta = "[theta]\nw = [\"1\"]\nb = [\"-1/2\"]\nv = [\"1\"]\nc = \"0\"\n";
        let cases = [
            "measure = \"lebesgue\"\na = \"0\"\nb = \"1\"\n",
            "measure = \"empirical\"\npoints = [\"0\", \"1\"]\nweights = [\"1/2\", \"1/2\"]\n",
        ]
        .map(|measure| {
            crate::model::case::parse_case("cover", &format!("[problem]\n{measure}target = \"1\"\n{theta}"))
                .expect("hand case")
        });
        let exact = [
            Activation::Relu,
            Activation::LeakyRelu(q("1/10")),
            Activation::Abs,
            Activation::ReluPow(2),
            Activation::ReluPow(3),
        ];
        let inexact =
            [Activation::ReluPow(4), Activation::Tanh, Activation::Softplus, Activation::Sigmoid, Activation::Gelu];
        for case in &cases {
            for (acts, covered) in [(&exact, true), (&inexact, false)] {
                for act in acts.iter() {
                    for (target, target_ok) in [(Target::Constant(q("1")), true), (Target::Sin, false)] {
                        let mut c = case.clone();
                        c.problem.activation = act.clone();
                        c.problem.target = target;
                        let want = covered && target_ok;
                        assert_eq!(
                            covers(&c),
                            want,
                            "{act:?}, {:?}, {}",
                            c.problem.target,
                            c.problem.measure.describe()
                        );
                        assert_eq!(reference(&c).is_some(), want);
                    }
                }
            }
        }
    }

    /// The piecewise linear target by hand, knots (−1, 2), (1/2, −1), (3, 5/2):
    /// constant outside, linear between.
    #[test]
    fn piecewise_linear_targets_interpolate_between_knots() {
        let t =
            Target::PiecewiseLinear { knots: vec![q("-1"), q("1/2"), q("3")], values: vec![q("2"), q("-1"), q("5/2")] };
        for (x, want) in
            [("-7", "2"), ("-1", "2"), ("0", "0"), ("1/2", "-1"), ("2", "11/10"), ("3", "5/2"), ("9", "5/2")]
        {
            assert_eq!(target(&t, &[q(x)]), q(want), "f({x})");
        }
    }

    /// The oracle on a piecewise linear target agrees with the fast path,
    /// on an interval (the knots cut the segments) and on samples between
    /// knots; the checks' cases mostly have constant targets. Knots outside
    /// the interval must not cut it (fresh sample of session 17: the knot
    /// filter's `&&` written `||` kept them, integrating past a and b, and
    /// every interval tested held all three knots).
    #[test]
    fn piecewise_linear_targets_agree_with_the_fast_path() {
        let theta = "[theta]\nw = [\"1\", \"-2\"]\nb = [\"1/3\", \"1\"]\nv = [\"3/2\", \"-1\"]\nc = \"1/5\"\n";
        let target = "target = { knots = [\"-1\", \"1/2\", \"3\"], values = [\"2\", \"-1\", \"5/2\"] }\n";
        for measure in [
            "measure = \"lebesgue\"\na = \"-2\"\nb = \"4\"\n",
            "measure = \"lebesgue\"\na = \"0\"\nb = \"2\"\n",
            "measure = \"uniform\"\na = \"-3/2\"\nb = \"1/4\"\n",
            "measure = \"empirical\"\npoints = [\"-3/2\", \"0\", \"2\"]\nweights = [\"1/4\", \"1/2\", \"1/4\"]\n",
        ] {
            let case =
                crate::model::case::parse_case("pl", &format!("[problem]\n{measure}{target}{theta}")).expect("case");
            let fast = crate::objective::evaluate::<Q>(&case.problem.prepare(&()), &case.theta);
            let r = reference(&case).expect("covered");
            assert_eq!(r.risk, fast.risk, "{measure}");
            assert_eq!(r.gradient, fast.gradient, "{measure}");
        }
    }

    fn moment(k: u32, l: &Q, r: &Q) -> Q {
        (num_traits::pow(r.clone(), k as usize + 1) - num_traits::pow(l.clone(), k as usize + 1))
            / int(i64::from(k) + 1)
    }

    fn rule(rule: (&[i64], i64), k: u32, l: &Q, r: &Q) -> Q {
        let (w, den) = rule;
        let n = w.len() as i64 - 1;
        let s = w.iter().enumerate().fold(Q::zero(), |s, (i, wi)| {
            let x = l + (r - l) * Q::new((i as i64).into(), n.into());
            s + int(*wi) * num_traits::pow(x, k as usize)
        });
        s * (r - l) / int(den)
    }

    #[test]
    fn newton_cotes_rules_are_exact_to_their_degree() {
        let (l, r) = (Q::new((-3).into(), 7.into()), Q::new(5.into(), 2.into()));
        for k in 0..=3 {
            assert_eq!(rule(SIMPSON, k, &l, &r), moment(k, &l, &r), "Simpson, x^{k}");
        }
        assert_ne!(rule(SIMPSON, 4, &l, &r), moment(4, &l, &r));
        for k in 0..=7 {
            assert_eq!(rule(SEVEN_POINT, k, &l, &r), moment(k, &l, &r), "seven-point, x^{k}");
        }
        assert_ne!(rule(SEVEN_POINT, 8, &l, &r), moment(8, &l, &r));
    }
}
