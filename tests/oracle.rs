//! An independent oracle for L and G (D3, D4), written from the definitions
//! and sharing no code with `src/objective`:
//!
//! * d = 1, Lebesgue or uniform measure on [a, b]: all breakpoints
//!   {a, b} ∪ {−b_j/w_j ∈ (a, b)} are sorted; on each segment [s, t] the active
//!   set is read off at the midpoint (the open set I_j = {w_j x + b_j > 0} has
//!   the same members on the whole open segment), and every integrand (a
//!   polynomial of degree ≤ 2 there) is integrated exactly by Simpson's rule,
//!   which is exact up to degree 3. O(H²) and obviously correct.
//! * empirical measures: the direct sums Σ_i p_i (…)(x_i).
//! * the per-sample gradient 𝔊(θ, x): the integrands of D4 at one point.
//!
//! Each is compared EXACTLY with `reluproof::objective`, over generated seeds
//! and over hand cases whose values are computed by hand in the comments.

use num_traits::{Signed, Zero};
use proptest::prelude::*;
use reluproof::eval::summary_ordered;
use reluproof::gen::{self, GenConfig, MeasureKind, Rng};
use reluproof::model::case::{parse_case, read_case, Case};
use reluproof::model::{Measure, Theta};
use reluproof::num::parse::parse_rational;
use reluproof::num::BigRational;
use reluproof::objective::{evaluate, per_sample};

// ---------------------------------------------------------------- helpers

fn q(s: &str) -> BigRational {
    parse_rational(s).unwrap_or_else(|e| panic!("{e}"))
}

fn int(n: i64) -> BigRational {
    BigRational::from_integer(n.into())
}

fn qs(xs: &[&str]) -> Vec<BigRational> {
    xs.iter().map(|s| q(s)).collect()
}

fn case(toml: &str) -> Case {
    parse_case("hand.toml", toml).unwrap_or_else(|e| panic!("{e}"))
}

/// A d = 1 Lebesgue case on [a, b] with target ξ and θ given as strings.
fn lebesgue(a: &str, b: &str, xi: &str, w: &[&str], bias: &[&str], v: &[&str], c: &str) -> Case {
    let list = |xs: &[&str]| xs.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ");
    case(&format!(
        "[problem]\nmeasure = \"lebesgue\"\na = \"{a}\"\nb = \"{b}\"\ntarget = \"{xi}\"\n\
         [theta]\nw = [{}]\nb = [{}]\nv = [{}]\nc = \"{c}\"\n",
        list(w),
        list(bias),
        list(v)
    ))
}

fn xi_of(case: &Case) -> BigRational {
    case.problem.target.constant().expect("constant target").clone()
}

/// The oracle's answer: L and G in θ layout.
#[derive(Debug, PartialEq)]
struct Oracle {
    risk: BigRational,
    grad: Theta<BigRational>,
}

fn zero_like(theta: &Theta<BigRational>) -> Theta<BigRational> {
    theta.map(|_| BigRational::zero())
}

/// w_j · x + b_j.
fn preact(theta: &Theta<BigRational>, j: usize, x: &[BigRational]) -> BigRational {
    theta.w_row(j).iter().zip(x).fold(theta.b[j].clone(), |z, (w, xi)| z + w * xi)
}

/// e(x) = c + Σ_{j ∈ active} v_j (w_j·x + b_j) − ξ for a given active set.
fn error_with(theta: &Theta<BigRational>, xi: &BigRational, active: &[bool], x: &[BigRational]) -> BigRational {
    let mut e = &theta.c - xi;
    for (j, on) in active.iter().enumerate() {
        if *on {
            e += &theta.v[j] * preact(theta, j, x);
        }
    }
    e
}

/// Simpson's rule on [s, t]: (t − s)/6 · (f(s) + 4 f(m) + f(t)), exact for
/// polynomials of degree ≤ 3.
fn simpson(s: &BigRational, t: &BigRational, fs: BigRational, fm: BigRational, ft: BigRational) -> BigRational {
    (t - s) / int(6) * (fs + int(4) * fm + ft)
}

/// The d = 1 oracle for Lebesgue measure on [a, b] (unnormalised).
fn oracle_interval(theta: &Theta<BigRational>, xi: &BigRational, a: &BigRational, b: &BigRational) -> Oracle {
    assert_eq!(theta.d, 1);
    let h = theta.width();
    let mut points = vec![a.clone(), b.clone()];
    for j in 0..h {
        if !theta.w[j].is_zero() {
            let t = -&theta.b[j] / &theta.w[j];
            if a < &t && &t < b {
                points.push(t);
            }
        }
    }
    points.sort();
    points.dedup();
    let mut risk = BigRational::zero();
    let mut g = zero_like(theta);
    for seg in points.windows(2) {
        let (s, t) = (&seg[0], &seg[1]);
        let m = (s + t) / int(2);
        let active: Vec<bool> = (0..h).map(|j| preact(theta, j, std::slice::from_ref(&m)).is_positive()).collect();
        let e = |x: &BigRational| error_with(theta, xi, &active, std::slice::from_ref(x));
        let (es, em, et) = (e(s), e(&m), e(t));
        let int_e = simpson(s, t, es.clone(), em.clone(), et.clone());
        let int_xe = simpson(s, t, s * &es, &m * &em, t * &et);
        risk += simpson(s, t, &es * &es, &em * &em, &et * &et);
        g.c += int(2) * &int_e;
        for (j, _) in active.iter().enumerate().filter(|(_, on)| **on) {
            {
                let z = |x: &BigRational| &theta.w[j] * x + &theta.b[j];
                let int_ze = simpson(s, t, z(s) * &es, z(&m) * &em, z(t) * &et);
                g.w[j] += int(2) * &theta.v[j] * &int_xe;
                g.b[j] += int(2) * &theta.v[j] * &int_e;
                g.v[j] += int(2) * int_ze;
            }
        }
    }
    Oracle { risk, grad: g }
}

/// The oracle for Σ_i p_i δ_{x_i}, any d: direct sums of the integrands.
fn oracle_empirical(
    theta: &Theta<BigRational>,
    xi: &BigRational,
    points: &[Vec<BigRational>],
    weights: &[BigRational],
) -> Oracle {
    let mut risk = BigRational::zero();
    let mut g = zero_like(theta);
    for (x, p) in points.iter().zip(weights) {
        let (e, gx) = oracle_per_sample(theta, xi, x);
        risk += p * &e * &e;
        g.c += p * &gx.c;
        for (acc, term) in g.w.iter_mut().zip(&gx.w).chain(g.b.iter_mut().zip(&gx.b)).chain(g.v.iter_mut().zip(&gx.v)) {
            *acc += p * term;
        }
    }
    Oracle { risk, grad: g }
}

/// e(x) and 𝔊(θ, x) from D4: 𝔊_{w_j,i} = 2 v_j x_i 1[z_j > 0] e,
/// 𝔊_{b_j} = 2 v_j 1[z_j > 0] e, 𝔊_{v_j} = 2 max(z_j, 0) e, 𝔊_c = 2 e.
fn oracle_per_sample(
    theta: &Theta<BigRational>,
    xi: &BigRational,
    x: &[BigRational],
) -> (BigRational, Theta<BigRational>) {
    let (d, h) = (theta.d, theta.width());
    let z: Vec<BigRational> = (0..h).map(|j| preact(theta, j, x)).collect();
    let active: Vec<bool> = z.iter().map(Signed::is_positive).collect();
    let e = error_with(theta, xi, &active, x);
    let two_e = int(2) * &e;
    let mut g = zero_like(theta);
    for (j, _) in active.iter().enumerate().filter(|(_, on)| **on) {
        {
            for (gw, xi) in g.w[j * d..(j + 1) * d].iter_mut().zip(x) {
                *gw = &two_e * &theta.v[j] * xi;
            }
            g.b[j] = &two_e * &theta.v[j];
            g.v[j] = &two_e * &z[j];
        }
    }
    g.c = two_e;
    (e, g)
}

/// The oracle for any supported measure of a case.
fn oracle(case: &Case) -> Oracle {
    let xi = xi_of(case);
    let th = &case.theta;
    match &case.problem.measure {
        Measure::Lebesgue { a, b } => oracle_interval(th, &xi, a, b),
        Measure::Uniform { a, b, d: 1 } => {
            let o = oracle_interval(th, &xi, a, b);
            let k = b - a;
            Oracle { risk: o.risk / &k, grad: o.grad.map(|g| g / &k) }
        }
        Measure::Empirical { points, weights } => oracle_empirical(th, &xi, points, weights),
        other => panic!("no oracle for {other:?}"),
    }
}

/// The crate's L and G, exactly.
fn crate_eval(case: &Case) -> Oracle {
    let ev = evaluate::<BigRational>(&case.problem.prepare(&()), &case.theta);
    Oracle { risk: ev.risk, grad: ev.gradient }
}

/// V(θ) = ‖θ‖² + (c − 2ξ)² and ⟨∇V, G⟩ with ∇V = 2θ + 2(c − 2ξ) e_c (D5).
fn lyapunov_and_dot(
    theta: &Theta<BigRational>,
    xi: &BigRational,
    g: &Theta<BigRational>,
) -> (BigRational, BigRational) {
    let shift = &theta.c - int(2) * xi;
    let flat = theta.flatten();
    let gflat = g.flatten();
    let v = flat.iter().fold(BigRational::zero(), |s, t| s + t * t) + &shift * &shift;
    let dot =
        flat.iter().zip(&gflat).fold(BigRational::zero(), |s, (t, gk)| s + int(2) * t * gk) + int(2) * &shift * &g.c;
    (v, dot)
}

fn assert_agrees(case: &Case, what: &str) {
    let want = oracle(case);
    // `summary_ordered` runs `objective::evaluate` and then the rest of the
    // summary: V, ⟨∇V, G⟩, 8L, Q_j, ⟨∇Q_j, G⟩, all checked against the oracle.
    let s = summary_ordered::<BigRational>(case, &());
    let got = Oracle { risk: s.risk.clone(), grad: s.gradient.clone() };
    assert_eq!(got, want, "{what}: crate vs oracle for\n{}", case.to_toml());
    let xi = xi_of(case);
    let (v, dot) = lyapunov_and_dot(&case.theta, &xi, &want.grad);
    assert_eq!(s.lyapunov, v, "{what}: V");
    assert_eq!(s.grad_v_dot_g, dot, "{what}: <grad V, G>");
    assert_eq!(s.eight_risk, int(8) * &want.risk, "{what}: 8L");
    let th = &case.theta;
    for j in 0..th.width() {
        let wj = th.w_row(j);
        let gw = want.grad.w_row(j);
        let qj = wj.iter().fold(BigRational::zero(), |s, w| s + w * w) + &th.b[j] * &th.b[j] - &th.v[j] * &th.v[j];
        let dq = int(2)
            * (wj.iter().zip(gw).fold(BigRational::zero(), |s, (w, g)| s + w * g) + &th.b[j] * &want.grad.b[j]
                - &th.v[j] * &want.grad.v[j]);
        assert_eq!(s.balance[j], qj, "{what}: Q_{j}");
        assert_eq!(s.balance_derivative[j], dq, "{what}: <grad Q_{j}, G>");
    }
}

/// Hand case check: the crate and the oracle both equal the hand values.
fn assert_hand(case: &Case, risk: &str, grad: &[&str], what: &str) {
    let want = Oracle { risk: q(risk), grad: Theta::from_flat(case.theta.d, &qs(grad)).expect("θ layout") };
    assert_eq!(oracle(case), want, "{what}: oracle vs hand computation");
    assert_eq!(crate_eval(case), want, "{what}: crate vs hand computation");
    assert_agrees(case, what);
}

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default_cases);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

fn cfg(measures: Vec<MeasureKind>, max_width: usize) -> GenConfig {
    GenConfig { max_width, measures, ..GenConfig::default() }
}

// ------------------------------------------------------------- hand cases

#[test]
fn test_evaluate_lebesgue() {
    // Degenerate neuron w = b = 0 on [0, 1], ξ = 1, v = 5, c = 0: N ≡ 0, e ≡ −1.
    // L = ∫_0^1 1 = 1. I_1 = {0·x + 0 > 0} = ∅ (open), so G_w = G_b = 0,
    // G_v = 2∫σ(0)e = 0, G_c = 2∫e = −2.
    assert_hand(&lebesgue("0", "1", "1", &["0"], &["0"], &["5"], "0"), "1", &["0", "0", "0", "-2"], "w = b = 0");
    // Always-on neuron w = 0, b = 2 > 0 on [0, 1], ξ = 1, v = 3, c = −1:
    // N ≡ −1 + 3·2 = 5, e ≡ 4. L = 16. G_w = 2·3·∫x·4 = 12, G_b = 2·3·4 = 24,
    // G_v = 2∫2·4 = 16, G_c = 2·4 = 8.
    assert_hand(&lebesgue("0", "1", "1", &["0"], &["2"], &["3"], "-1"), "16", &["12", "24", "16", "8"], "w = 0, b > 0");
    // w = 0, b < 0: dead everywhere; N ≡ c = 1/2, ξ = 1, e ≡ −1/2 on [−1, 3]:
    // L = 4·1/4 = 1, G_c = 2·4·(−1/2) = −4, the rest 0.
    assert_hand(&lebesgue("-1", "3", "1", &["0"], &["-7"], &["9"], "1/2"), "1", &["0", "0", "0", "-4"], "w = 0, b < 0");
    // Kink exactly at a = 0, rising: w = 1, b = 0, v = 1, c = 0, ξ = 1 on [0, 1]:
    // N = x, e = x − 1. L = ∫(x−1)² = 1/3. G_w = 2∫x(x−1) = 2(1/3 − 1/2) = −1/3,
    // G_b = 2∫(x−1) = −1, G_v = 2∫x(x−1) = −1/3, G_c = −1.
    assert_hand(
        &lebesgue("0", "1", "1", &["1"], &["0"], &["1"], "0"),
        "1/3",
        &["-1/3", "-1", "-1/3", "-1"],
        "kink at a, rising",
    );
    // Kink exactly at a = 0, falling: w = −1, b = 0: z = −x < 0 on (0, 1], dead.
    // N ≡ 0, e ≡ −1: L = 1, G = (0, 0, 0, −2).
    assert_hand(
        &lebesgue("0", "1", "1", &["-1"], &["0"], &["1"], "0"),
        "1",
        &["0", "0", "0", "-2"],
        "kink at a, falling",
    );
    // Kink exactly at b = 1, rising: w = 1, b = −1: z = x − 1 < 0 on [0, 1), dead.
    // Same values as above: L = 1, G = (0, 0, 0, −2).
    assert_hand(
        &lebesgue("0", "1", "1", &["1"], &["-1"], &["1"], "0"),
        "1",
        &["0", "0", "0", "-2"],
        "kink at b, rising",
    );
    // Kink exactly at b = 1, falling: w = −1, b = 1: z = 1 − x > 0 on [0, 1).
    // N = 1 − x, e = −x. L = 1/3, G_w = 2∫x(−x) = −2/3, G_b = 2∫(−x) = −1,
    // G_v = 2∫(1−x)(−x) = 2(1/3 − 1/2) = −1/3, G_c = −1.
    assert_hand(
        &lebesgue("0", "1", "1", &["-1"], &["1"], &["1"], "0"),
        "1/3",
        &["-2/3", "-1", "-1/3", "-1"],
        "kink at b, falling",
    );
    // Two coinciding kinks at x = 1 on [0, 2], both rising: w = (1, 2),
    // b = (−1, −2), v = (1, 1), c = ξ = 0. N = σ(x−1) + σ(2x−2) = 3σ(x−1).
    // L = ∫_1^2 9(x−1)² = 3. G_{w_j} = 2∫_1^2 x·3(x−1) = 6(7/3 − 3/2) = 5,
    // G_{b_j} = 2∫_1^2 3(x−1) = 3, G_{v_1} = 2∫_1^2 3(x−1)² = 2,
    // G_{v_2} = 2∫_1^2 (2x−2)·3(x−1) = 4, G_c = 2∫_1^2 3(x−1) = 3.
    assert_hand(
        &lebesgue("0", "2", "0", &["1", "2"], &["-1", "-2"], &["1", "1"], "0"),
        "3",
        &["5", "5", "3", "3", "2", "4", "3"],
        "coinciding kinks, same direction",
    );
    // Two coinciding kinks at x = 1 on [0, 2], opposite directions: w = (1, −1),
    // b = (−1, 1), v = (1, 1), c = ξ = 0: N = |x − 1|. L = ∫_0^2 (x−1)² = 2/3.
    // G_{w_1} = 2∫_1^2 x(x−1) = 5/3, G_{w_2} = 2∫_0^1 x(1−x) = 1/3,
    // G_{b_1} = 2∫_1^2 (x−1) = 1, G_{b_2} = 2∫_0^1 (1−x) = 1,
    // G_{v_1} = 2∫_1^2 (x−1)² = 2/3, G_{v_2} = 2∫_0^1 (1−x)² = 2/3,
    // G_c = 2∫_0^2 |x−1| = 2.
    assert_hand(
        &lebesgue("0", "2", "0", &["1", "-1"], &["-1", "1"], &["1", "1"], "0"),
        "2/3",
        &["5/3", "1/3", "1", "1", "2/3", "2/3", "2"],
        "coinciding kinks, opposite directions",
    );
    // The same neuron twice (identical kinks and slopes) with v = (1, −1): the
    // two cancel, N ≡ c = 1 = ξ, so e ≡ 0: L = 0 and G = 0 although the
    // neurons are active on (1/2, 1].
    assert_hand(
        &lebesgue("0", "1", "1", &["2", "2"], &["-1", "-1"], &["1", "-1"], "1"),
        "0",
        &["0", "0", "0", "0", "0", "0", "0"],
        "cancelling twins",
    );
}

#[test]
fn risk_and_gradient_zero_of_network_equal_to_target() {
    // v = 0 and c = ξ: N ≡ ξ, e ≡ 0, so every integral of D3/D4 vanishes,
    // whatever w and b (including a degenerate and an always-on neuron).
    let c = lebesgue("-1", "2", "7/5", &["3", "-2", "0", "0"], &["1", "0", "0", "5"], &["0", "0", "0", "0"], "7/5");
    let zeros = vec!["0"; c.theta.len()];
    assert_hand(&c, "0", &zeros, "N = ξ, Lebesgue");
    let u = case(
        "[problem]\nmeasure = \"uniform\"\na = \"-3\"\nb = \"1/2\"\ntarget = \"-2\"\n\
         [theta]\nw = [\"1\", \"0\"]\nb = [\"1\", \"0\"]\nv = [\"0\", \"0\"]\nc = \"-2\"\n",
    );
    assert_hand(&u, "0", &vec!["0"; u.theta.len()], "N = ξ, uniform");
    let e = case(
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"2\"], [\"0\", \"-1/3\"]]\ntarget = \"9\"\n\
         [theta]\nw = [[\"1\", \"-1\"]]\nb = [\"4\"]\nv = [\"0\"]\nc = \"9\"\n",
    );
    assert_hand(&e, "0", &vec!["0"; e.theta.len()], "N = ξ, empirical");
}

#[test]
fn test_evaluate_empirical() {
    // Points 0, 1, 2 with weights 1, 1, 2; θ: w = 1, b = −1, v = 2, c = 0, ξ = 1.
    // z = x − 1: −1, 0, 1; active (open) only at x = 2 (x = 1 is ON the kink:
    // σ'(0) = 0, so it is inactive). N = 0, 0, 2 and e = −1, −1, 1.
    // L = 1·1 + 1·1 + 2·1 = 4. G_w = 2·2·(2·2·1) = 16, G_b = 2·2·(2·1) = 8,
    // G_v = 2·(2·1·1) = 4, G_c = 2(−1 − 1 + 2) = 0.
    let c = case(
        "[problem]\nmeasure = \"empirical\"\npoints = [\"0\", \"1\", \"2\"]\nweights = [\"1\", \"1\", \"2\"]\n\
         target = \"1\"\n[theta]\nw = [\"1\"]\nb = [\"-1\"]\nv = [\"2\"]\nc = \"0\"\n",
    );
    assert_hand(&c, "4", &["16", "8", "4", "0"], "empirical d = 1, point on the kink");
    // d = 2, one point x = (1, 2) with weight 1/2; w_1 = (1, −1), b_1 = 3,
    // v_1 = −1, c = 1/2, ξ = 0. z = 1 − 2 + 3 = 2 > 0, N = 1/2 − 2 = −3/2 = e.
    // L = 1/2 · 9/4 = 9/8. G_{w_1} = 2(−1)(1/2)(−3/2)·(1, 2) = (3/2, 3),
    // G_{b_1} = 2(−1)(1/2)(−3/2) = 3/2, G_{v_1} = 2(1/2)·2·(−3/2) = −3,
    // G_c = 2(1/2)(−3/2) = −3/2.
    let c = case(
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"2\"]]\nweights = [\"1/2\"]\ntarget = \"0\"\n\
         [theta]\nw = [[\"1\", \"-1\"]]\nb = [\"3\"]\nv = [\"-1\"]\nc = \"1/2\"\n",
    );
    assert_hand(&c, "9/8", &["3/2", "3", "3/2", "-3", "-3/2"], "empirical d = 2");
    // Default weights are 1/n: points −1 and 1, θ ≡ 0 but c = 1, ξ = 0: e ≡ 1,
    // L = 1/2 + 1/2 = 1, G_c = 2, the rest 0 (w = b = 0: degenerate).
    let c = case(
        "[problem]\nmeasure = \"empirical\"\npoints = [\"-1\", \"1\"]\ntarget = \"0\"\n\
         [theta]\nw = [\"0\"]\nb = [\"0\"]\nv = [\"3\"]\nc = \"1\"\n",
    );
    assert_hand(&c, "1", &["0", "0", "0", "2"], "empirical, default weights, degenerate neuron");
}

#[test]
fn test_per_sample() {
    // θ: w = (1, 0, 0), b = (−1, 0, 2), v = (2, 7, −1/2), c = 1/4, ξ = 1 on
    // [−1, 2]. Neuron 2 is degenerate, neuron 3 always on (σ = 2).
    let c = lebesgue("-1", "2", "1", &["1", "0", "0"], &["-1", "0", "2"], &["2", "7", "-1/2"], "1/4");
    let prep = c.problem.prepare::<BigRational>(&());
    // x = 1 (on the kink of neuron 1): z = (0, 0, 2), only neuron 3 active.
    // N = 1/4 − 1/2·2 = −3/4, e = −7/4. Although w_3 = 0,
    // 𝔊_{w_3} = 2 v_3 x e = 2(−1/2)(1)(−7/4) = 7/4; 𝔊_{b_3} = 2(−1/2)(−7/4) = 7/4;
    // 𝔊_{v_3} = 2·2·(−7/4) = −7; 𝔊_c = −7/2; all other components 0.
    let (e, g) = per_sample(&prep, &c.theta, &[q("1")]);
    assert_eq!(e, q("-7/4"));
    assert_eq!(g.flatten(), qs(&["0", "0", "7/4", "0", "0", "7/4", "0", "0", "-7", "-7/2"]));
    // x = 2: z = (1, 0, 2): N = 1/4 + 2·1 − 1 = 5/4, e = 1/4.
    // 𝔊_w = (2·2·2·1/4, 0, 2(−1/2)·2·1/4) = (2, 0, −1/2); 𝔊_b = (1, 0, −1/4);
    // 𝔊_v = (2·1·1/4, 0, 2·2·1/4) = (1/2, 0, 1); 𝔊_c = 1/2.
    let (e, g) = per_sample(&prep, &c.theta, &[q("2")]);
    assert_eq!(e, q("1/4"));
    assert_eq!(g.flatten(), qs(&["2", "0", "-1/2", "1", "0", "-1/4", "1/2", "0", "1", "1/2"]));
    // C4 at both points: ⟨∇V, 𝔊⟩ = 8 e². ∇V = 2θ + 2(c − 2ξ)e_c with
    // θ = (1, 0, 0, −1, 0, 2, 2, 7, −1/2, 1/4), c − 2ξ = −7/4.
    // x = 1: ⟨∇V, 𝔊⟩ = 2·2·7/4 (b_3) + 2·(−1/2)·(−7) (v_3) + (1/2 − 7/2)(−7/2)
    //      = 7 + 7 + 21/2 = 49/2 = 8·49/16 ✓.
    for x in ["-1", "0", "1/3", "1", "2"] {
        let (e, g) = per_sample(&prep, &c.theta, &[q(x)]);
        let (_, dot) = lyapunov_and_dot(&c.theta, &q("1"), &g);
        assert_eq!(dot, int(8) * &e * &e, "C4 at x = {x}");
        assert_eq!((e, g), oracle_per_sample(&c.theta, &q("1"), &[q(x)]), "oracle at x = {x}");
    }
}

#[test]
fn uniform_eq_lebesgue_div_length() {
    // The uniform probability measure on [a, b] is Lebesgue measure divided
    // by b − a, so L and every component of G scale by 1/(b − a).
    let leb =
        read_case(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/hand-degenerate.toml")))
            .expect("vector");
    let mut uni = leb.clone();
    let (a, b) = match &leb.problem.measure {
        Measure::Lebesgue { a, b } => (a.clone(), b.clone()),
        other => panic!("expected Lebesgue, got {other:?}"),
    };
    let k = &b - &a;
    uni.problem.measure = Measure::Uniform { a, b, d: 1 };
    let (l, u) = (crate_eval(&leb), crate_eval(&uni));
    assert_eq!(u.risk, &l.risk / &k);
    assert_eq!(u.grad, l.grad.map(|g| g / &k));
    assert_agrees(&uni, "uniform hand-degenerate");
}

/// The oracle reproduces the reference vectors (tests/vectors), which were computed outside the
/// crate: two independent computations agree.
#[test]
fn oracle_matches_vectors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("vectors dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let c = read_case(&path).expect("vector case");
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        if c.problem.measure.as_box().is_some() {
            // The box vectors are checked against tests/boxes.rs's method.
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_file_name(format!("{stem}.expected.json"))).expect("json"),
        )
        .expect("valid json");
        let o = oracle(&c);
        assert_eq!(o.risk, q(json["risk"].as_str().expect("risk")), "{stem}: risk");
        let grad: Vec<BigRational> =
            json["gradient"].as_array().expect("array").iter().map(|g| q(g.as_str().expect("string"))).collect();
        assert_eq!(o.grad.flatten(), grad, "{stem}: gradient");
        let (v, dot) = lyapunov_and_dot(&c.theta, &xi_of(&c), &o.grad);
        assert_eq!(v, q(json["lyapunov"].as_str().expect("lyapunov")), "{stem}: V");
        assert_eq!(dot, q(json["grad_v_dot_g"].as_str().expect("dot")), "{stem}: <grad V, G>");
        n += 1;
    }
    assert!(n > 0, "no vectors in {dir}");
}

// ------------------------------------------------------------- properties

proptest! {
    #![proptest_config(config(64))]

    /// Interval measures (d = 1, Lebesgue and uniform), the shared generator
    /// with its degenerate neurons, kinks at a, b and at each other, H = 1.
    #[test]
    fn evaluate_properties_of_interval_measure(seed in any::<u64>()) {
        let c = gen::case(&mut Rng::new(seed), &cfg(vec![MeasureKind::Lebesgue, MeasureKind::Uniform], 24));
        assert_agrees(&c, &format!("seed {seed}"));
        // C3 on the oracle's own values.
        let o = oracle(&c);
        let (_, dot) = lyapunov_and_dot(&c.theta, &xi_of(&c), &o.grad);
        prop_assert_eq!(dot, int(8) * &o.risk);
    }

    /// The uniform probability on [a, b] is Lebesgue measure divided by
    /// b − a: L and every component of G of the crate scale exactly so.
    #[test]
    fn uniform_eq_lebesgue_div_length_properties(seed in any::<u64>()) {
        let leb = gen::case(&mut Rng::new(seed), &cfg(vec![MeasureKind::Lebesgue], 24));
        let Measure::Lebesgue { a, b } = leb.problem.measure.clone() else { unreachable!("Lebesgue only") };
        let k = &b - &a;
        let mut uni = leb.clone();
        uni.problem.measure = Measure::Uniform { a, b, d: 1 };
        let (l, u) = (crate_eval(&leb), crate_eval(&uni));
        prop_assert_eq!(u.risk, &l.risk / &k);
        prop_assert_eq!(u.grad, l.grad.map(|g| g / &k));
    }

    /// Empirical measures, d = 1..4.
    #[test]
    fn evaluate_properties_of_empirical_measure(seed in any::<u64>()) {
        let c = gen::case(&mut Rng::new(seed), &cfg(vec![MeasureKind::Empirical], 24));
        assert_agrees(&c, &format!("seed {seed}"));
    }

    /// 𝔊(θ, x) at sample points, at a, b, every kink and random points; and
    /// Σ_i p_i 𝔊(θ, x_i) = G for empirical measures.
    #[test]
    fn per_sample_properties(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let c = gen::case(&mut rng, &cfg(vec![MeasureKind::Lebesgue, MeasureKind::Empirical], 12));
        let xi = xi_of(&c);
        let th = &c.theta;
        let prep = c.problem.prepare::<BigRational>(&());
        let mut xs: Vec<Vec<BigRational>> = match &c.problem.measure {
            Measure::Empirical { points, .. } => points.clone(),
            Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => {
                let mut xs = vec![vec![a.clone()], vec![b.clone()]];
                for j in 0..th.width() {
                    if !th.w[j].is_zero() {
                        xs.push(vec![-&th.b[j] / &th.w[j]]);
                    }
                }
                xs
            }
            Measure::Box { .. } => unreachable!("only Lebesgue and empirical measures are drawn here"),
        };
        xs.push((0..th.d).map(|_| gen::small_rational(&mut rng)).collect());
        for x in &xs {
            let got = per_sample(&prep, th, x);
            prop_assert_eq!(&got, &oracle_per_sample(th, &xi, x));
            // C4: ⟨∇V, 𝔊(θ, x)⟩ = 8 e(x)².
            let (_, dot) = lyapunov_and_dot(th, &xi, &got.1);
            prop_assert_eq!(dot, int(8) * &got.0 * &got.0);
        }
        if let Measure::Empirical { points, weights } = &c.problem.measure {
            let mut sum = zero_like(th);
            for (x, p) in points.iter().zip(weights) {
                let g = per_sample(&prep, th, x).1;
                sum = Theta::from_flat(th.d, &sum.flatten().iter().zip(g.flatten()).map(|(s, gk)| s + p * gk).collect::<Vec<_>>())
                    .expect("layout");
            }
            prop_assert_eq!(sum, crate_eval(&c).grad);
        }
    }
}

/// Scaling: multiplying w_j and b_j by λ > 0 and v_j by 1/λ leaves N^θ and so
/// L unchanged (positive homogeneity of ReLU). A law the oracle also obeys.
#[test]
fn risk_invariant_of_positive_rescaling() {
    let mut rng = Rng::new(0x5eed);
    for _ in 0..32 {
        let c = gen::case(&mut rng, &cfg(vec![MeasureKind::Lebesgue, MeasureKind::Empirical], 8));
        let lam = q("7/3");
        let mut s = c.clone();
        let d = s.theta.d;
        for j in 0..s.theta.width() {
            for i in 0..d {
                s.theta.w[j * d + i] = &s.theta.w[j * d + i] * &lam;
            }
            s.theta.b[j] = &s.theta.b[j] * &lam;
            s.theta.v[j] = &s.theta.v[j] / &lam;
        }
        assert_eq!(crate_eval(&s).risk, crate_eval(&c).risk);
        assert_eq!(oracle(&s).risk, oracle(&c).risk);
    }
}

proptest! {
    // Fewer cases: H up to 64 with 60-bit numerators makes the O(H²) oracle
    // the slowest test here.
    #![proptest_config(config(24))]

    /// Default generator configuration (H up to 64, all measures).
    #[test]
    fn evaluate_properties_of_default_generator(seed in any::<u64>()) {
        let c = gen::case_from_seed(seed);
        // Boxes (d ≥ 2) have their own second method in tests/boxes.rs.
        prop_assume!(c.problem.measure.as_box().is_none());
        assert_agrees(&c, &format!("seed {seed}"));
    }
}
