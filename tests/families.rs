//! The families beyond the papers' setting (CLAIMS.md E1, E4, E5, E7 and
//! `output_bias = false`), checked EXACTLY against an independent oracle
//! written from the definitions D3–D4, sharing no code with `src/objective`:
//!
//! * σ and σ' are evaluated pointwise from the activation's definition
//!   (max(z, 0)^p, |z|, …; σ'(0) is the left derivative under the open
//!   convention, the right one under the closed convention), the target f
//!   pointwise from its own definition (its own interpolation for piecewise
//!   linear targets).
//! * d = 1 Lebesgue or uniform measure on [a, b]: all breakpoints {a, b},
//!   the kinks −b_j/w_j and the target's knots inside (a, b) are sorted; on
//!   each segment every integrand of D3–D4 (and of E1's extra term) is a
//!   polynomial of degree ≤ 2p ≤ 6 on the OPEN segment, and is integrated by
//!   the open Newton–Cotes rule on 8 equispaced interior points, whose weights
//!   are computed here exactly by solving the moment equations: exact up to
//!   degree 7. The rule is open (no endpoint nodes) because at an endpoint
//!   that is a kink the pointwise σ'(0) is the convention's value, not the
//!   limit from inside the segment; interior nodes keep the evaluation
//!   purely pointwise and the rule exact.
//! * empirical measures: the direct sums Σ_i p_i (…)(x_i).
//!
//! Then the identities E1, E4, E5 (with ∇V and ∇V_p computed here), hand
//! cases worked out in the comments, `evaluate_general == evaluate` on the
//! papers' setting, and the case-file round trip for every family.

use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use reluproof::gen::{self, GenConfig, MeasureKind, Rng};
use reluproof::model::case::{parse_case, Case};
use reluproof::model::{Activation, DerivativeAtZero, Measure, Problem, Target, Theta};
use reluproof::num::parse::parse_rational;
use reluproof::num::BigRational;
use reluproof::objective::{evaluate, evaluate_general, evaluate_general_with_path, evaluate_with_path, Path};
use std::sync::OnceLock;

type Q = BigRational;

// ---------------------------------------------------------------- helpers

fn q(s: &str) -> Q {
    parse_rational(s).unwrap_or_else(|e| panic!("{e}"))
}

fn int(n: i64) -> Q {
    Q::from_integer(n.into())
}

fn qs(xs: &[&str]) -> Vec<Q> {
    xs.iter().map(|s| q(s)).collect()
}

fn pow(z: &Q, p: u32) -> Q {
    (0..p).fold(Q::one(), |acc, _| acc * z)
}

fn dot(x: &[Q], y: &[Q]) -> Q {
    x.iter().zip(y).fold(Q::zero(), |s, (a, b)| s + a * b)
}

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default_cases);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

// ------------------------------------------------ definitions, pointwise

/// σ(z) from the definition of each piecewise polynomial activation.
fn sigma(act: &Activation, z: &Q) -> Q {
    match act {
        Activation::Relu => z.max(&Q::zero()).clone(),
        Activation::LeakyRelu(s) => {
            if z.is_negative() {
                s * z
            } else {
                z.clone()
            }
        }
        Activation::Abs => z.abs(),
        Activation::ReluPow(p) => pow(z.max(&Q::zero()), *p),
        other => panic!("no exact σ for {other:?}"),
    }
}

/// σ'(z); at z = 0 the left derivative (open, the papers' σ'(0) = 0 for
/// ReLU) or the right derivative (closed).
fn sigma_prime(act: &Activation, conv: DerivativeAtZero, z: &Q) -> Q {
    let right = z.is_positive() || (z.is_zero() && conv == DerivativeAtZero::Closed);
    match (act, right) {
        (Activation::Relu, true) => int(1),
        (Activation::Relu, false) => int(0),
        (Activation::LeakyRelu(_), true) => int(1),
        (Activation::LeakyRelu(s), false) => s.clone(),
        (Activation::Abs, true) => int(1),
        (Activation::Abs, false) => int(-1),
        // p max(z, 0)^{p−1}: continuous, 0 at 0 from both sides.
        (Activation::ReluPow(p), _) => int(i64::from(*p)) * pow(z.max(&Q::zero()), p - 1),
        (other, _) => panic!("no exact σ' for {other:?}"),
    }
}

/// f(x) from the definition of each exact target.
fn target_at(t: &Target, x: &[Q]) -> Q {
    match t {
        Target::Constant(xi) => xi.clone(),
        Target::Affine { slope, intercept } => intercept + dot(slope, x),
        Target::PiecewiseLinear { knots, values } => {
            let x = &x[0];
            let n = knots.len();
            if x <= &knots[0] {
                return values[0].clone();
            }
            for k in 0..n - 1 {
                if x <= &knots[k + 1] {
                    let lambda = (x - &knots[k]) / (&knots[k + 1] - &knots[k]);
                    return &values[k] + lambda * (&values[k + 1] - &values[k]);
                }
            }
            values[n - 1].clone()
        }
        Target::Sin => panic!("sin is not exact"),
    }
}

/// Everything at one point x: z_j, N(x), f(x) and e(x) = N(x) − f(x).
struct At {
    z: Vec<Q>,
    n: Q,
    f: Q,
    e: Q,
}

fn at(p: &Problem, th: &Theta<Q>, x: &[Q]) -> At {
    let z: Vec<Q> = (0..th.width()).map(|j| &th.b[j] + dot(th.w_row(j), x)).collect();
    let n = z.iter().zip(&th.v).fold(th.c.clone(), |s, (zj, vj)| s + vj * sigma(&p.activation, zj));
    let f = target_at(&p.target, x);
    let e = &n - &f;
    At { z, n, f, e }
}

/// The integrands of D3–D4 at x: [e², 𝔊(θ, x) in θ layout], with
/// 𝔊_{w_j,i} = 2 v_j x_i σ'(z_j) e, 𝔊_{b_j} = 2 v_j σ'(z_j) e,
/// 𝔊_{v_j} = 2 σ(z_j) e, 𝔊_c = 2e (0 without output bias).
fn integrands(p: &Problem, th: &Theta<Q>, x: &[Q]) -> Vec<Q> {
    let pt = at(p, th, x);
    let two_e = int(2) * &pt.e;
    let h = th.width();
    let mut g: Theta<Q> = th.map(|_| Q::zero());
    for j in 0..h {
        let ds = sigma_prime(&p.activation, p.derivative_at_zero, &pt.z[j]);
        for (i, xi) in x.iter().enumerate() {
            g.w[j * th.d + i] = &two_e * &th.v[j] * xi * &ds;
        }
        g.b[j] = &two_e * &th.v[j] * &ds;
        g.v[j] = &two_e * sigma(&p.activation, &pt.z[j]);
    }
    g.c = if p.output_bias { two_e } else { Q::zero() };
    let mut out = vec![&pt.e * &pt.e];
    out.extend(g.flatten());
    out
}

// ------------------------------------------------------ exact quadrature

/// Interior nodes of the open Newton–Cotes rule. Every integrand here has
/// degree ≤ 2p ≤ 6 on a segment (x σ'(z) e: 1 + (p − 1) + p); the rule is
/// exact up to degree NODES − 1.
const NODES: usize = 8;
const _: () = assert!(NODES > 2 * 3);

/// Weights ω_k of ∫_0^1 g ≈ Σ_k ω_k g(k/(NODES + 1)), k = 1..=NODES, exact
/// for polynomials of degree < NODES: the solution of the moment equations
/// Σ_k ω_k u_k^m = 1/(m + 1), m < NODES, by exact Gauss–Jordan elimination.
fn weights() -> &'static [Q] {
    static W: OnceLock<Vec<Q>> = OnceLock::new();
    W.get_or_init(|| {
        let n = NODES;
        let u: Vec<Q> = (1..=n).map(|k| Q::new(k.into(), (n + 1).into())).collect();
        let mut a: Vec<Vec<Q>> = (0..n)
            .map(|m| {
                let mut row: Vec<Q> = u.iter().map(|uk| pow(uk, m as u32)).collect();
                row.push(Q::new(1.into(), (m + 1).into()));
                row
            })
            .collect();
        for col in 0..n {
            let piv = (col..n).find(|&r| !a[r][col].is_zero()).expect("Vandermonde is invertible");
            a.swap(col, piv);
            let inv = Q::one() / &a[col][col];
            a[col].iter_mut().for_each(|x| *x *= &inv);
            for r in 0..n {
                if r != col && !a[r][col].is_zero() {
                    let factor = a[r][col].clone();
                    let pivot_row = a[col].clone();
                    a[r].iter_mut().zip(&pivot_row).for_each(|(x, p)| *x -= &factor * p);
                }
            }
        }
        a.into_iter().map(|row| row[n].clone()).collect()
    })
}

/// ∫_s^t g (componentwise) by the open rule; exact for g polynomial of degree < NODES on (s, t).
fn rule(s: &Q, t: &Q, g: &impl Fn(&Q) -> Vec<Q>) -> Vec<Q> {
    let len = t - s;
    let mut acc: Vec<Q> = Vec::new();
    for (k, wk) in weights().iter().enumerate() {
        let x = s + &len * Q::new((k + 1).into(), (NODES + 1).into());
        let gx = g(&x);
        if acc.is_empty() {
            acc = vec![Q::zero(); gx.len()];
        }
        acc.iter_mut().zip(gx).for_each(|(a, v)| *a += wk * v);
    }
    acc.into_iter().map(|a| a * &len).collect()
}

/// The sorted breakpoints {a, b} ∪ kinks ∪ knots within [a, b].
fn breakpoints(p: &Problem, th: &Theta<Q>, a: &Q, b: &Q) -> Vec<Q> {
    let mut pts = vec![a.clone(), b.clone()];
    for j in 0..th.width() {
        if !th.w[j].is_zero() {
            pts.push(-&th.b[j] / &th.w[j]);
        }
    }
    if let Target::PiecewiseLinear { knots, .. } = &p.target {
        pts.extend(knots.iter().cloned());
    }
    pts.retain(|t| a <= t && t <= b);
    pts.sort();
    pts.dedup();
    pts
}

/// ∫ g dμ, componentwise, for a vector integrand g(x) that is polynomial of
/// degree < NODES between consecutive breakpoints.
fn integrate(p: &Problem, th: &Theta<Q>, g: impl Fn(&[Q]) -> Vec<Q>) -> Vec<Q> {
    match &p.measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, d: 1 } => {
            let g1 = |x: &Q| g(std::slice::from_ref(x));
            let mut total: Vec<Q> = Vec::new();
            for seg in breakpoints(p, th, a, b).windows(2) {
                let part = rule(&seg[0], &seg[1], &g1);
                if total.is_empty() {
                    total = part;
                } else {
                    total.iter_mut().zip(part).for_each(|(t, v)| *t += v);
                }
            }
            if let Measure::Uniform { .. } = p.measure {
                let k = b - a;
                total.iter_mut().for_each(|t| *t /= &k);
            }
            total
        }
        Measure::Empirical { points, weights } => {
            let mut total: Vec<Q> = Vec::new();
            for (x, w) in points.iter().zip(weights) {
                let gx = g(x);
                if total.is_empty() {
                    total = vec![Q::zero(); gx.len()];
                }
                total.iter_mut().zip(gx).for_each(|(t, v)| *t += w * v);
            }
            total
        }
        other => panic!("no oracle for {other:?}"),
    }
}

/// L and G, as the oracle integrates them.
#[derive(Debug, PartialEq)]
struct Values {
    risk: Q,
    grad: Theta<Q>,
}

fn oracle(c: &Case) -> Values {
    let v = integrate(&c.problem, &c.theta, |x| integrands(&c.problem, &c.theta, x));
    Values { risk: v[0].clone(), grad: Theta::from_flat(c.theta.d, &v[1..]).expect("θ layout") }
}

/// ∫ (f − ξ)(N − f) dμ, the extra term of E1.
fn e1_term(c: &Case, xi: &Q) -> Q {
    let v = integrate(&c.problem, &c.theta, |x| {
        let pt = at(&c.problem, &c.theta, x);
        vec![(&pt.f - xi) * (&pt.n - &pt.f)]
    });
    v[0].clone()
}

/// ∫ N (N − f) dμ (the identity without output bias).
fn n_times_e(c: &Case) -> Q {
    let v = integrate(&c.problem, &c.theta, |x| {
        let pt = at(&c.problem, &c.theta, x);
        vec![&pt.n * &pt.e]
    });
    v[0].clone()
}

/// ξ of V: the target itself if constant, else the mean ∫ f dμ / m (0 for
/// a massless μ).
fn mean_of_target(c: &Case) -> Q {
    if let Some(xi) = c.problem.target.constant() {
        return xi.clone();
    }
    let int_f = integrate(&c.problem, &c.theta, |x| vec![target_at(&c.problem.target, x)])[0].clone();
    let m = match &c.problem.measure {
        Measure::Lebesgue { a, b } => b - a,
        Measure::Uniform { .. } | Measure::Box { probability: true, .. } => int(1),
        Measure::Box { a, b, .. } => reluproof::model::box_volume(a, b),
        Measure::Empirical { weights, .. } => weights.iter().sum(),
    };
    if m.is_zero() {
        Q::zero()
    } else {
        int_f / m
    }
}

fn crate_eval(c: &Case) -> Values {
    let ev = evaluate::<Q>(&c.problem.prepare(&()), &c.theta);
    Values { risk: ev.risk, grad: ev.gradient }
}

fn crate_general(c: &Case) -> Values {
    let ev = evaluate_general::<Q>(&c.problem.prepare(&()), &c.theta);
    Values { risk: ev.risk, grad: ev.gradient }
}

/// The sweep and the general path on a d = 1 interval case, asserting that
/// each really ran (so that the comparison is not of one path with itself).
fn sweep_and_general(c: &Case) -> (Values, Values) {
    let prep = c.problem.prepare::<Q>(&());
    let (fast, fast_path) = evaluate_with_path::<Q>(&prep, &c.theta);
    let (general, general_path) = evaluate_general_with_path::<Q>(&prep, &c.theta);
    assert_eq!(fast_path, Path::Sweep, "the papers' setting on an interval is swept");
    assert_eq!(general_path, Path::General, "evaluate_general integrates segment by segment");
    (Values { risk: general.risk, grad: general.gradient }, Values { risk: fast.risk, grad: fast.gradient })
}

/// D5: ⟨∇V, G⟩ with V = ‖θ‖² + (c − 2ξ)², ∇V = 2θ + 2(c − 2ξ) e_c.
fn dot_grad_v(th: &Theta<Q>, xi: &Q, g: &Theta<Q>) -> Q {
    int(2) * dot(&th.flatten(), &g.flatten()) + int(2) * (&th.c - int(2) * xi) * &g.c
}

/// E5: ⟨∇V_p, G⟩ with V_p = Σ_j(‖w_j‖² + b_j²) + p Σ_j v_j² + 2p (c − ξ)²,
/// so ∇V_p = (2w, 2b, 2p v, 4p (c − ξ)).
fn dot_grad_vp(th: &Theta<Q>, p: u32, xi: &Q, g: &Theta<Q>) -> Q {
    let p = int(i64::from(p));
    int(2) * (dot(&th.w, &g.w) + dot(&th.b, &g.b)) + int(2) * &p * dot(&th.v, &g.v) + int(4) * &p * (&th.c - xi) * &g.c
}

// ------------------------------------------------------------ generators

const ACTIVATIONS: usize = 5;

/// Activation number `k` (0..ACTIVATIONS); leaky ReLU with a random slope
/// (any rational: 0, negative, 1, huge, long denominators).
fn activation(rng: &mut Rng, k: u64) -> Activation {
    match k {
        0 => Activation::Relu,
        1 => Activation::LeakyRelu(gen::rational(rng)),
        2 => Activation::Abs,
        3 => Activation::ReluPow(2),
        _ => Activation::ReluPow(3),
    }
}

/// Target kind `k`: 0 constant, 1 affine, 2 piecewise linear (d = 1; affine
/// for d > 1). Knots are drawn among a, b, the kinks, points outside [a, b]
/// and small rationals, so knots coincide with kinks and with a, b.
fn target(rng: &mut Rng, k: u64, measure: &Measure, th: &Theta<Q>) -> Target {
    let d = measure.dim();
    match k {
        0 => Target::Constant(gen::rational(rng)),
        2 if d == 1 => {
            let mut cands: Vec<Q> = match measure {
                Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => {
                    vec![a.clone(), b.clone(), a - int(1), b + int(1), (a + b) / int(2)]
                }
                Measure::Empirical { points, .. } => points.iter().map(|x| x[0].clone()).collect(),
                Measure::Box { .. } => unreachable!("d = 1 here"),
            };
            for j in 0..th.width() {
                if !th.w[j].is_zero() {
                    cands.push(-&th.b[j] / &th.w[j]);
                }
            }
            let n = rng.range(1, 4) as usize;
            let mut knots: Vec<Q> = (0..n)
                .map(|_| if rng.chance(2, 3) { rng.pick(&cands).clone() } else { gen::small_rational(rng) })
                .collect();
            knots.sort();
            knots.dedup();
            let values = knots.iter().map(|_| gen::small_rational(rng)).collect();
            Target::PiecewiseLinear { knots, values }
        }
        _ => {
            Target::Affine { slope: (0..d).map(|_| gen::small_rational(rng)).collect(), intercept: gen::rational(rng) }
        }
    }
}

/// A whole case of the given activation, target and measure kinds. θ comes
/// from the shared generator (w_j = 0, b_j = 0, kinks at a, b, at each other
/// and through sample points), plus fully degenerate neurons w_j = b_j = 0
/// and kinks moved onto the target's knots.
fn family_case(
    rng: &mut Rng,
    act: u64,
    tgt: u64,
    kind: MeasureKind,
    conv: DerivativeAtZero,
    output_bias: bool,
    max_width: usize,
) -> Case {
    let cfg = GenConfig { max_width, max_dim: 3, max_points: 6, measures: vec![kind] };
    let measure = gen::measure(rng, kind, &cfg);
    let h = gen::width(rng, max_width);
    let mut th = gen::theta(rng, &measure, h);
    for j in 0..h {
        if rng.chance(1, 6) {
            th.w[j * th.d..(j + 1) * th.d].iter_mut().for_each(|w| *w = Q::zero());
            th.b[j] = Q::zero();
        }
    }
    let target = target(rng, tgt, &measure, &th);
    if let Target::PiecewiseLinear { knots, .. } = &target {
        for j in 0..h {
            if th.d == 1 && !th.w[j].is_zero() && rng.chance(1, 3) {
                th.b[j] = -&th.w[j] * rng.pick(knots);
            }
        }
    }
    let activation = activation(rng, act);
    if !output_bias {
        th.c = Q::zero();
    }
    let problem = Problem { measure, target, activation, derivative_at_zero: conv, output_bias };
    Case { problem, theta: th, notes: Vec::new() }
}

const MEASURES: [MeasureKind; 3] = [MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Empirical];
const CONVS: [DerivativeAtZero; 2] = [DerivativeAtZero::Open, DerivativeAtZero::Closed];

/// Any family, all choices random.
fn any_case(rng: &mut Rng, max_width: usize) -> Case {
    let act = rng.below(ACTIVATIONS as u64);
    let tgt = rng.below(3);
    let kind = *rng.pick(&MEASURES);
    let conv = *rng.pick(&CONVS);
    let bias = !rng.chance(1, 4);
    family_case(rng, act, tgt, kind, conv, bias, max_width)
}

/// The homogeneity degree p of an exact activation (σ(z) = z σ'(z)/p).
fn degree(act: &Activation) -> u32 {
    match act {
        Activation::ReluPow(p) => *p,
        _ => 1,
    }
}

// ------------------------------------------------------------ the checks

/// The crate's `evaluate` and `evaluate_general` equal the oracle exactly.
fn assert_agrees(c: &Case, what: &str) {
    let want = oracle(c);
    assert_eq!(crate_eval(c), want, "{what}: evaluate vs oracle for\n{}", c.to_toml());
    assert_eq!(crate_general(c), want, "{what}: evaluate_general vs oracle for\n{}", c.to_toml());
}

/// The Lyapunov identities, exactly, on the crate's L and G (with E1's
/// extra term integrated by the oracle), for ξ the reference constant and
/// for another ξ.
fn assert_identities(c: &Case, other_xi: &Q, what: &str) {
    let ev = crate_eval(c);
    let th = &c.theta;
    let p = degree(&c.problem.activation);
    let pq = int(i64::from(p));
    let eight = int(8);
    assert_eq!(c.problem.reference_constant(), mean_of_target(c), "{what}: reference constant ξ");
    if !c.problem.output_bias {
        // c = 0 and G_c = 0: ⟨∇V_p, G⟩ = 8p ∫ N (N − f) dμ for any ξ.
        let want = &eight * &pq * n_times_e(c);
        assert_eq!(dot_grad_vp(th, p, other_xi, &ev.grad), want, "{what}: no output bias");
        return;
    }
    for xi in [c.problem.reference_constant(), other_xi.clone()] {
        // E1 (E4, E5 for constant targets, where ξ = f and the term vanishes).
        let extra = match c.problem.target.constant() {
            Some(f) if f == &xi => Q::zero(),
            _ => e1_term(c, &xi),
        };
        let want = &eight * &pq * (&ev.risk + extra);
        assert_eq!(dot_grad_vp(th, p, &xi, &ev.grad), want, "{what}: E5/E1 with ξ = {xi}");
        if p == 1 {
            assert_eq!(dot_grad_v(th, &xi, &ev.grad), want, "{what}: E4/E1 (D5's V) with ξ = {xi}");
        }
    }
}

// ------------------------------------------------------------- the rule

#[test]
fn open_newton_cotes_is_exact_to_degree_7() {
    let w = weights();
    assert_eq!(w.iter().sum::<Q>(), int(1));
    assert!((0..NODES).all(|k| w[k] == w[NODES - 1 - k]), "symmetric");
    let (s, t) = (q("-1/3"), q("5/2"));
    for m in 0..NODES as u32 {
        let got = rule(&s, &t, &|x: &Q| vec![pow(x, m)]);
        assert_eq!(got[0], (pow(&t, m + 1) - pow(&s, m + 1)) / int(i64::from(m) + 1), "x^{m}");
    }
    // The degree bound is sharp for an even number of nodes: x^8 is not exact.
    let got = rule(&int(0), &int(1), &|x: &Q| vec![pow(x, 8)]);
    assert_ne!(got[0], q("1/9"));
}

// ------------------------------------------------------------- hand cases

/// A d = 1 case on Lebesgue [a, b]: `problem` holds extra [problem] lines
/// separated by `;`, θ = (w, b, v, c).
fn leb(a: &str, b: &str, problem: &str, w: &[&str], bias: &[&str], v: &[&str], c: &str) -> Case {
    let list = |xs: &[&str]| xs.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ");
    let text = format!(
        "[problem]\nmeasure = \"lebesgue\"\na = \"{a}\"\nb = \"{b}\"\n{}\n[theta]\nw = [{}]\nb = [{}]\nv = [{}]\nc = \"{c}\"\n",
        problem.replace(';', "\n"),
        list(w),
        list(bias),
        list(v)
    );
    parse_case("hand.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// The crate and the oracle both give the hand values; the identities hold.
fn hand(c: Case, risk: &str, grad: &[&str]) {
    let want = Values { risk: q(risk), grad: Theta::from_flat(1, &qs(grad)).expect("θ layout") };
    let what = c.to_toml();
    assert_eq!(oracle(&c), want, "oracle vs hand for\n{what}");
    assert_eq!(crate_eval(&c), want, "evaluate vs hand for\n{what}");
    assert_eq!(crate_general(&c), want, "evaluate_general vs hand for\n{what}");
    assert_identities(&c, &q("-7/5"), &what);
}

#[rustfmt::skip]
#[test]
fn hand_cases() {
    // G is listed in θ order (w, b, v, c). ξ = 0 unless said otherwise.
    // relu2, w = 1, b = 0, v = 1, c = 0 on [0,1]: N = x², L = ∫x⁴ = 1/5; G_w = 2∫x·2x·x² = 4/5, G_b = 2∫2x·x² = 1, G_v = 2∫x²·x² = 2/5, G_c = 2∫x² = 2/3.
    hand(leb("0", "1", "target = \"0\"; activation = \"relu2\"", &["1"], &["0"], &["1"], "0"), "1/5", &["4/5", "1", "2/5", "2/3"]);
    // relu2, N = max(2x−1, 0)² on [0,1], u = 2x−1, dx = du/2: L = ∫u⁴/2 = 1/10; G_w = 2∫((u+1)/2)·2u·u² du/2 = 1/5 + 1/4 = 9/20, G_b = 2∫2u·u² du/2 = 1/2, G_v = 2∫u⁴ du/2 = 1/5, G_c = 2∫u² du/2 = 1/3.
    hand(leb("0", "1", "target = \"0\"; activation = \"relu2\"", &["2"], &["-1"], &["1"], "0"), "1/10", &["9/20", "1/2", "1/5", "1/3"]);
    // The same under σ'(0) closed (the kink has measure zero): identical values.
    hand(leb("0", "1", "target = \"0\"; activation = \"relu2\"; sigma_prime_zero = \"closed\"", &["2"], &["-1"], &["1"], "0"), "1/10", &["9/20", "1/2", "1/5", "1/3"]);
    // relu3, ξ = 1, w = 1, b = 0, v = 1, c = 1: e = x³, L = 1/7; G_w = 2∫x·3x²·x³ = 6/7, G_b = 2∫3x²·x³ = 1, G_v = 2∫x⁶ = 2/7, G_c = 2∫x³ = 1/2.
    hand(leb("0", "1", "target = \"1\"; activation = \"relu3\"", &["1"], &["0"], &["1"], "1"), "1/7", &["6/7", "1", "2/7", "1/2"]);
    // leaky 1/2 on [−1,1], w = 1, b = 0, v = 1, c = 0: e = x (x > 0), x/2 (x < 0). L = 1/3 + 1/12 = 5/12; G_w = 2(∫_0^1 x² + ∫_{-1}^0 x·½·x/2) = 5/6, G_b = 2(1/2 − 1/8) = 3/4, G_v = 2L = 5/6, G_c = 2(1/2 − 1/4) = 1/2.
    hand(leb("-1", "1", "target = \"0\"; activation = { name = \"leaky_relu\", slope = \"1/2\" }", &["1"], &["0"], &["1"], "0"), "5/12", &["5/6", "3/4", "5/6", "1/2"]);
    // abs on [−1,2], ξ = 1, w = 1, b = 0, v = 1, c = 0: e = |x| − 1. L = ∫_0^1 (x−1)² + ∫_0^2 (x−1)² = 1; G_c = 2(5/2 − 3) = −1, G_v = 2∫|x|(|x|−1) = 2(−1/6 + 2/3) = 1, G_b = 2∫sgn(x)(|x|−1) = 2(0 + 1/2) = 1, G_w = 2∫|x|(|x|−1) = 1.
    hand(leb("-1", "2", "target = \"1\"; activation = \"abs\"", &["1"], &["0"], &["1"], "0"), "1", &["1", "1", "1", "-1"]);
    // abs, degenerate w = b = 0, v = 1, c = 1 on [0,1]: N ≡ 1 = e, L = 1; σ'(0) = −1 (open, left): G_w = 2·(−1)∫x = −1, G_b = −2, G_v = 2∫σ(0) = 0, G_c = 2.
    hand(leb("0", "1", "target = \"0\"; activation = \"abs\"", &["0"], &["0"], &["1"], "1"), "1", &["-1", "-2", "0", "2"]);
    // … and σ'(0) = +1 (closed, right): G_w = 1, G_b = 2 (E7: only the degenerate neuron's w, b differ).
    hand(leb("0", "1", "target = \"0\"; activation = \"abs\"; sigma_prime_zero = \"closed\"", &["0"], &["0"], &["1"], "1"), "1", &["1", "2", "0", "2"]);
    // leaky 1/3, degenerate w = b = 0, v = 3, c = 1 on [0,2]: e ≡ 1, L = 2; open σ'(0) = 1/3: G_w = 2·3·⅓∫_0^2 x = 4, G_b = 2·3·⅓·2 = 4, G_v = 0, G_c = 4.
    hand(leb("0", "2", "target = \"0\"; activation = { name = \"leaky_relu\", slope = \"1/3\" }", &["0"], &["0"], &["3"], "1"), "2", &["4", "4", "0", "4"]);
    // … closed σ'(0) = 1: G_w = 2·3·2 = 12, G_b = 12.
    hand(leb("0", "2", "target = \"0\"; activation = { name = \"leaky_relu\", slope = \"1/3\" }; sigma_prime_zero = \"closed\"", &["0"], &["0"], &["3"], "1"), "2", &["12", "12", "0", "4"]);
    // relu2 degenerate w = b = 0, either convention: σ'(0) = 0. c = 1, ξ = 0 on [0,1]: L = 1, G = (0, 0, 0, 2).
    hand(leb("0", "1", "target = \"0\"; activation = \"relu2\"; sigma_prime_zero = \"closed\"", &["0"], &["0"], &["5"], "1"), "1", &["0", "0", "0", "2"]);
    // E1 witness: ReLU, f(x) = x on [0,1], neuron dead (kink at 2), c = 1/2 = mean f: e = 1/2 − x, L = 1/12, G_c = 2∫(1/2 − x) = 0, so G = 0 with L > 0.
    hand(leb("0", "1", "target = { slope = \"1\", intercept = \"0\" }", &["1"], &["-2"], &["1"], "1/2"), "1/12", &["0", "0", "0", "0"]);
    // ReLU, affine f = x/2 + 1 on [0,1], w = 1, b = 0, v = 1, c = 0: e = x/2 − 1, L = ∫(x/2 − 1)² = 1/12 − 1/2 + 1 = 7/12; G_w = G_v = 2∫x(x/2 − 1) = 1/3 − 1 = −2/3, G_b = G_c = 2∫(x/2 − 1) = −3/2.
    hand(leb("0", "1", "target = { slope = \"1/2\", intercept = \"1\" }", &["1"], &["0"], &["1"], "0"), "7/12", &["-2/3", "-3/2", "-2/3", "-3/2"]);
    // PL f = 1 (x ≤ 0), 1 − 2x (0 ≤ x ≤ 1/2), 0 (x ≥ 1/2) on [−1,1], N ≡ 0: L = ∫f² = 1 + 1/6 = 7/6, G_c = −2∫f = −2(1 + 1/4) = −5/2.
    hand(leb("-1", "1", "target = { knots = [\"0\", \"1/2\"], values = [\"1\", \"0\"] }", &["0"], &["0"], &["0"], "0"), "7/6", &["0", "0", "0", "-5/2"]);
    // … without output bias: G_c = 0.
    hand(leb("-1", "1", "target = { knots = [\"0\", \"1/2\"], values = [\"1\", \"0\"] }; output_bias = false", &["0"], &["0"], &["0"], "0"), "7/6", &["0", "0", "0", "0"]);
    // ReLU, kink at the knot 1/2: N = max(1 − 2x, 0) = f on [0,1]: L = 0, G = 0.
    hand(leb("0", "1", "target = { knots = [\"0\", \"1/2\"], values = [\"1\", \"0\"] }", &["-2"], &["1"], &["1"], "0"), "0", &["0", "0", "0", "0"]);
    // relu2 at the same kink, u = 1 − 2x, dx = du/2 on [0,1/2]: e = u² − u; L = ∫(u⁴ − 2u³ + u²)/2 = 1/60; G_c = 2∫e = 1/3 − 1/2 = −1/6; G_v = 2∫u²(u² − u)/2 = 1/5 − 1/4 = −1/20; G_b = 2∫2u(u² − u)/2 = 2(1/4 − 1/3) = −1/6; G_w = 2∫((1 − u)/2)·2u·(u² − u)/2 = ∫(−u⁴ + 2u³ − u²) = −1/30.
    hand(leb("0", "1", "target = { knots = [\"0\", \"1/2\"], values = [\"1\", \"0\"] }; activation = \"relu2\"", &["-2"], &["1"], &["1"], "0"), "1/60", &["-1/30", "-1/6", "-1/20", "-1/6"]);
    // No output bias, ReLU, ξ = 1 on [0,1], w = 1, b = 0, v = 1: e = x − 1, L = 1/3; G_w = G_v = 2∫x(x − 1) = −1/3, G_b = 2∫(x − 1) = −1, G_c = 0.
    hand(leb("0", "1", "target = \"1\"; output_bias = false", &["1"], &["0"], &["1"], "0"), "1/3", &["-1/3", "-1", "-1/3", "0"]);
}

/// Empirical and uniform hand cases.
#[rustfmt::skip]
#[test]
fn hand_cases_other_measures() {
    let check = |text: &str, risk: &str, grad: &[&str]| {
        let c = parse_case("hand.toml", &text.replace(';', "\n")).unwrap_or_else(|e| panic!("{e}"));
        let want = Values { risk: q(risk), grad: Theta::from_flat(c.theta.d, &qs(grad)).expect("θ layout") };
        assert_eq!(oracle(&c), want, "oracle vs hand for\n{text}");
        assert_eq!(crate_eval(&c), want, "evaluate vs hand for\n{text}");
        assert_identities(&c, &q("3"), text);
    };
    // abs, points x = −1, 0, 2 with weight 1 each, ξ = 0, w = 1, b = 0, v = 1, c = 0: e = |x| = 1, 0, 2. L = 1 + 0 + 4 = 5. σ' = −1, (0: open −1), 1:
    // G_w = 2Σ x σ' e = 2(1 + 0 + 4) = 10, G_b = 2Σ σ' e = 2(−1 + 0 + 2) = 2, G_v = 2Σ|x|e = 10, G_c = 2Σe = 6.
    check("[problem];measure = \"empirical\";points = [\"-1\", \"0\", \"2\"];weights = [\"1\", \"1\", \"1\"];target = \"0\";activation = \"abs\";[theta];w = [\"1\"];b = [\"0\"];v = [\"1\"];c = \"0\"", "5", &["10", "2", "10", "6"]);
    // leaky 1/4, single point x = 0 of weight 2 on the kink, ξ = 1, w = 3, b = 0, v = 2, c = 0: e = −1, L = 2; open σ'(0) = 1/4: G_w = 0 (x = 0), G_b = 2·2·2·¼·(−1) = −2, G_v = 0, G_c = −4.
    check("[problem];measure = \"empirical\";points = [\"0\"];weights = [\"2\"];target = \"1\";activation = { name = \"leaky_relu\", slope = \"1/4\" };[theta];w = [\"3\"];b = [\"0\"];v = [\"2\"];c = \"0\"", "2", &["0", "-2", "0", "-4"]);
    // … closed σ'(0) = 1: G_b = −8.
    check("[problem];measure = \"empirical\";points = [\"0\"];weights = [\"2\"];target = \"1\";activation = { name = \"leaky_relu\", slope = \"1/4\" };sigma_prime_zero = \"closed\";[theta];w = [\"3\"];b = [\"0\"];v = [\"2\"];c = \"0\"", "2", &["0", "-8", "0", "-4"]);
    // relu2, d = 2, point (1, 2) weight 1/2, f = x1 + x2 (= 3), w = (1, −1), b = 2 (z = 1), v = 3, c = 0: N = 3, e = 0: L = 0, G = 0.
    check("[problem];measure = \"empirical\";points = [[\"1\", \"2\"]];weights = [\"1/2\"];target = { slope = [\"1\", \"1\"], intercept = \"0\" };activation = \"relu2\";[theta];w = [[\"1\", \"-1\"]];b = [\"2\"];v = [\"3\"];c = \"0\"", "0", &["0", "0", "0", "0", "0"]);
    // relu3 uniform on [0,2] (density 1/2), ξ = 0, w = 1, b = 0, v = 1, c = 0: N = x³, L = ½∫_0^2 x⁶ = 64/7; G_w = ½·2∫x·3x²·x³ = 3·2⁷/7 = 384/7, G_b = ∫3x⁵ = 32, G_v = ∫x⁶ = 128/7, G_c = ∫x³ = 4.
    check("[problem];measure = \"uniform\";a = \"0\";b = \"2\";d = 1;target = \"0\";activation = \"relu3\";[theta];w = [\"1\"];b = [\"0\"];v = [\"1\"];c = \"0\"", "64/7", &["384/7", "32", "128/7", "4"]);
}

// ------------------------------------------------------------- properties

/// Every activation × target × measure × σ'(0) convention × output bias, a
/// few seeds each, whatever PROPTEST_CASES says.
#[test]
fn every_family_agrees_with_oracle() {
    let mut rng = Rng::new(0x0fa1_11e5);
    for act in 0..ACTIVATIONS as u64 {
        for tgt in 0..3 {
            for kind in MEASURES {
                for conv in CONVS {
                    for bias in [true, false] {
                        let c = family_case(&mut rng, act, tgt, kind, conv, bias, 4);
                        let what = format!("act {act} target {tgt} {kind:?} {conv:?} bias {bias}");
                        assert_agrees(&c, &what);
                        assert_identities(&c, &gen::rational(&mut rng), &what);
                    }
                }
            }
        }
    }
}

/// The risk never depends on the σ'(0) convention; on interval measures G
/// depends on it only through fully degenerate neurons (w_j = b_j = 0, E7).
fn assert_convention_law(c: &Case) {
    let mut open = c.clone();
    open.problem.derivative_at_zero = DerivativeAtZero::Open;
    let mut closed = c.clone();
    closed.problem.derivative_at_zero = DerivativeAtZero::Closed;
    let (o, cl) = (crate_eval(&open), crate_eval(&closed));
    assert_eq!(o.risk, cl.risk, "risk depends on σ'(0) for\n{}", c.to_toml());
    if matches!(c.problem.measure, Measure::Empirical { .. }) {
        return;
    }
    let th = &c.theta;
    for j in 0..th.width() {
        let degenerate = th.w[j].is_zero() && th.b[j].is_zero();
        let same = o.grad.w[j] == cl.grad.w[j] && o.grad.b[j] == cl.grad.b[j];
        if !degenerate {
            assert!(same, "neuron {j} not degenerate but G differs between conventions for\n{}", c.to_toml());
        }
        assert_eq!(o.grad.v[j], cl.grad.v[j]);
    }
    assert_eq!(o.grad.c, cl.grad.c);
}

proptest! {
    #![proptest_config(config(48))]

    /// Any family against the oracle, with the Lyapunov identities.
    #[test]
    fn families_agree_with_oracle(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let c = any_case(&mut rng, 8);
        assert_agrees(&c, &format!("seed {seed}"));
        assert_identities(&c, &gen::rational(&mut rng), &format!("seed {seed}"));
        assert_convention_law(&c);
    }

    /// E4: ⟨∇V, G⟩ = 8L exactly for leaky ReLU (random rational slope) and
    /// |z|, constant target, every measure, both conventions.
    #[test]
    fn e4_homogeneous_activations(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let act = *rng.pick(&[1, 2]);
        let (kind, conv) = (*rng.pick(&MEASURES), *rng.pick(&CONVS));
        let c = family_case(&mut rng, act, 0, kind, conv, true, 12);
        let xi = c.problem.target.constant().expect("constant").clone();
        let ev = crate_eval(&c);
        prop_assert_eq!(dot_grad_v(&c.theta, &xi, &ev.grad), int(8) * &ev.risk);
    }

    /// E5: ⟨∇V_p, G⟩ = 8pL exactly for ReLU^p, p = 2, 3.
    #[test]
    fn e5_relu_powers(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let act = *rng.pick(&[3, 4]);
        let (kind, conv) = (*rng.pick(&MEASURES), *rng.pick(&CONVS));
        let c = family_case(&mut rng, act, 0, kind, conv, true, 12);
        let p = degree(&c.problem.activation);
        let xi = c.problem.target.constant().expect("constant").clone();
        let ev = crate_eval(&c);
        prop_assert_eq!(dot_grad_vp(&c.theta, p, &xi, &ev.grad), int(8) * int(i64::from(p)) * &ev.risk);
    }

    /// E1: ⟨∇V, G⟩ = 8L + 8∫(f − ξ)(N − f) dμ for ReLU with affine and
    /// piecewise linear targets, ξ = reference_constant() and another ξ.
    #[test]
    fn e1_nonconstant_targets(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let tgt = *rng.pick(&[1, 2]);
        let (kind, conv) = (*rng.pick(&MEASURES), *rng.pick(&CONVS));
        let c = family_case(&mut rng, 0, tgt, kind, conv, true, 12);
        let ev = crate_eval(&c);
        let reference = c.problem.reference_constant();
        prop_assert_eq!(&reference, &mean_of_target(&c));
        for xi in [reference, gen::rational(&mut rng)] {
            let want = int(8) * &ev.risk + int(8) * e1_term(&c, &xi);
            prop_assert_eq!(dot_grad_v(&c.theta, &xi, &ev.grad), want);
        }
    }

    /// The papers' setting from the shared generator: the segment integration
    /// equals the fast sweep exactly, also under σ'(0) closed and without
    /// output bias (where `evaluate` still sweeps).
    #[test]
    fn general_equals_sweep(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let cfg = GenConfig { max_width: 24, measures: vec![MeasureKind::Lebesgue, MeasureKind::Uniform], ..GenConfig::default() };
        let mut c = gen::case(&mut rng, &cfg);
        prop_assert!(c.problem.is_papers_setting());
        let (general, fast) = sweep_and_general(&c);
        prop_assert_eq!(general, fast);
        c.problem.derivative_at_zero = DerivativeAtZero::Closed;
        let (general, fast) = sweep_and_general(&c);
        prop_assert_eq!(general, fast);
        c.problem.output_bias = false;
        c.theta.c = Q::zero();
        let (general, fast) = sweep_and_general(&c);
        prop_assert_eq!(general, fast);
    }

    /// `gen::case_from_seed` (default configuration, all measures): also equal.
    #[test]
    fn general_equals_evaluate_default_generator(seed in any::<u64>()) {
        let c = gen::case_from_seed(seed);
        prop_assert_eq!(crate_general(&c), crate_eval(&c));
    }

    /// Case files: `to_toml` then `parse_case` gives the same case, for
    /// every family, including the smooth activations and the `sin` target.
    #[test]
    fn case_file_round_trip(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let mut c = any_case(&mut rng, 6);
        if rng.chance(1, 4) {
            c.problem.activation = match rng.below(5) {
                0 => Activation::Softplus,
                1 => Activation::Tanh,
                2 => Activation::Sigmoid,
                3 => Activation::Gelu,
                _ => Activation::Silu,
            };
        }
        if c.problem.dim() == 1 && rng.chance(1, 6) {
            c.problem.target = Target::Sin;
        }
        let text = c.to_toml();
        let back = parse_case("round-trip.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(back, c);
    }
}
