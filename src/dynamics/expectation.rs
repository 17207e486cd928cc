//! C15: the exact expectation of one SGD step, never by sampling.
//!
//! For X with law μ/m and a function f of x,
//! E[f(X)] = (1/m) ∫ f dμ is
//! - for an empirical measure Σ_i p_i δ_{x_i}: the finite sum (1/m) Σ_i p_i f(x_i)
//!   (atoms of weight 0 are left out: they carry no mass);
//! - for a d = 1 interval measure (Lebesgue or uniform on [a, b], both with
//!   μ/m uniform on [a, b]): (1/(b − a)) Σ_pieces ∫_l^r f, [a, b] cut at every
//!   kink −b_j/w_j inside it. On an open piece every neuron's activity is
//!   constant, so e(x) = N^θ(x) − ξ is affine and every per-sample quantity
//!   below is a polynomial of degree ≤ 4 in x. Each piece is integrated by the
//!   five-node open Newton–Cotes rule
//!   ∫_l^r f = (r − l)/20 · (11 f_1 − 14 f_2 + 26 f_3 − 14 f_4 + 11 f_5),
//!   f_k = f(l + k(r − l)/6), which is exact for polynomials of degree ≤ 5.
//!   Its nodes are interior, so f is evaluated where the activity pattern is
//!   that of the piece (no node on a kink);
//! - for a box measure in d ≥ 2 (Lebesgue or uniform on ∏[a_i, b_i], μ/m
//!   uniform on the box): (1/vol) ∫_box f, the box split into the cells of
//!   the arrangement of the neuron hyperplanes and each cell integrated by a
//!   simplex rule exact to degree 5 with nodes strictly inside the cell
//!   ([`crate::objective::boxes::cells`]). The number of cells grows like
//!   H^d: boxes beyond [`crate::objective::boxes::cells::MAX_CELL_WORK`]
//!   are refused with an error (not approximated).
//!
//! The quantities of C15 at a state θ and a step γ:
//! - E[V(θ − γ𝔊(θ, X))], the integrand V(θ − γ𝔊(θ, x)) integrated directly;
//! - E[‖𝔊(θ, X)‖² + 𝔊_c(θ, X)²] (the second moment of the step direction);
//! - K_s = 4 max{2, 1 + ρ²} and the step bound γ_s(θ) = 4/(K_s(1 + ‖θ‖²)).

use crate::lyapunov::lyapunov;
use crate::model::{Measure, Theta};
use crate::num::BigRational;
use crate::objective::boxes::cells::{cell_work, neuron_planes, Arrangement, MAX_CELL_WORK};
use crate::objective::empirical::preactivation;
use num_traits::{One, Signed, Zero};

type Q = BigRational;

fn int(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// The five-node open Newton–Cotes rule on [0, 1]: numerators of the weights
/// at the nodes k/6, k = 1..5, over the common denominator 20.
pub const OPEN_FIVE: ([i64; 5], i64) = ([11, -14, 26, -14, 11], 20);

/// K_s = 4 max{2, 1 + ρ²}, the per-sample constant of C15:
/// ‖𝔊(θ, x)‖² + 𝔊_c(θ, x)² ≤ K_s (1 + ‖θ‖²) e(x)² for every x in the support.
pub fn sample_constant(measure: &Measure) -> Q {
    let one_rho = Q::one() + measure.rho2();
    int(4) * if one_rho > int(2) { one_rho } else { int(2) }
}

/// γ_s(θ) = 4/(K_s (1 + ‖θ‖²)): C15's bound on the step at θ.
pub fn expected_step_bound(measure: &Measure, theta: &Theta<Q>) -> Q {
    int(4) / (sample_constant(measure) * (Q::one() + theta.norm2(&())))
}

/// ‖g‖² + g_c²: the squared norm of a step direction with its c component
/// counted twice (it also enters V through (c − 2ξ)²).
pub fn direction_square(g: &Theta<Q>) -> Q {
    g.norm2(&()) + &g.c * &g.c
}

/// The ends of the pieces of [a, b] cut at the kinks −b_j/w_j strictly inside.
pub fn pieces(theta: &Theta<Q>, a: &Q, b: &Q) -> Vec<Q> {
    let mut cuts = vec![a.clone(), b.clone()];
    for j in 0..theta.width() {
        if !theta.w[j].is_zero() {
            let t = -&theta.b[j] / &theta.w[j];
            if &t > a && &t < b {
                cuts.push(t);
            }
        }
    }
    cuts.sort();
    cuts.dedup();
    cuts
}

/// Where an expectation is taken: atoms, a d = 1 interval, or a box.
enum Support<'a> {
    Atoms(&'a [Vec<Q>], &'a [Q]),
    Interval(&'a Q, &'a Q),
    Box(Vec<Q>, Vec<Q>),
}

/// Whether the exact expectation covers `measure` at θ: empirical measures,
/// d = 1 intervals, and boxes whose arrangement of θ's hyperplanes is small
/// enough to integrate cell by cell.
pub fn covers(measure: &Measure, theta: &Theta<Q>) -> bool {
    support(measure, theta).is_ok()
}

fn support<'a>(measure: &'a Measure, theta: &Theta<Q>) -> Result<Support<'a>, String> {
    if let Some((lo, hi, _)) = measure.as_box() {
        let work = cell_work(lo.len(), theta.width());
        if work > MAX_CELL_WORK {
            return Err(format!(
                "the exact expectation on a box splits it into the cells of the neurons' arrangement: d = {}, H = {} may give {work} simplices, more than the {MAX_CELL_WORK} it integrates",
                lo.len(),
                theta.width()
            ));
        }
        return Ok(Support::Box(lo, hi));
    }
    match measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => Ok(Support::Interval(a, b)),
        Measure::Empirical { points, weights } => Ok(Support::Atoms(points, weights)),
        Measure::Box { .. } => unreachable!("as_box takes every box"),
    }
}

/// E[f(X)] for N functions at once, X ~ μ/m, exactly. `f` must be a
/// polynomial of degree ≤ 5 on every open piece between kinks (interval
/// measures) or open cell of the neurons' arrangement (boxes): then the
/// result is exact (module documentation). On intervals and boxes `f` is
/// called only at points off every neuron's kink.
pub fn expectations<const N: usize>(
    measure: &Measure,
    theta: &Theta<Q>,
    mut f: impl FnMut(&[Q]) -> [Q; N],
) -> Result<[Q; N], String> {
    let mut acc: [Q; N] = std::array::from_fn(|_| Q::zero());
    let m = measure.mass();
    if !m.is_positive() {
        return Err("the expectation needs a measure of positive mass".into());
    }
    match support(measure, theta)? {
        Support::Atoms(points, weights) => {
            for (x, p) in points.iter().zip(weights).filter(|(_, p)| !p.is_zero()) {
                for (s, v) in acc.iter_mut().zip(f(x)) {
                    *s += p * v;
                }
            }
            Ok(acc.map(|s| s / &m))
        }
        Support::Interval(a, b) => {
            let (w, den) = OPEN_FIVE;
            for seg in pieces(theta, a, b).windows(2) {
                let (l, r) = (&seg[0], &seg[1]);
                let len = r - l;
                for (k, wk) in w.iter().enumerate() {
                    let x = l + &len * Q::new((k as i64 + 1).into(), 6.into());
                    let omega = &len * Q::new((*wk).into(), den.into());
                    for (s, v) in acc.iter_mut().zip(f(std::slice::from_ref(&x))) {
                        *s += &omega * v;
                    }
                }
            }
            Ok(acc.map(|s| s / (b - a)))
        }
        Support::Box(lo, hi) => {
            let volume = crate::model::box_volume(&lo, &hi);
            let total = Arrangement::new(&lo, &hi, &neuron_planes(theta)).integrate(5, f);
            Ok(total.map(|s| s / &volume))
        }
    }
}

/// (e(x), P(x)) with e = N^θ(x) − ξ and
/// P(x) = 4[Σ_{j active at x} (v_j²(1 + ‖x‖²) + (w_j·x + b_j)²) + 2] (ReLU;
/// `closed`: a neuron with w_j·x + b_j = 0 counts as active), so that
/// ‖𝔊(θ, x)‖² + 𝔊_c(θ, x)² = e(x)² P(x).
fn error_and_factor(theta: &Theta<Q>, xi: &Q, closed: bool, x: &[Q]) -> (Q, Q) {
    let mut e = &theta.c - xi;
    let mut active = vec![false; theta.width()];
    for (j, on) in active.iter_mut().enumerate() {
        let z = preactivation(theta, j, x);
        *on = z.is_positive() || (closed && z.is_zero());
        if z.is_positive() {
            e += &theta.v[j] * &z;
        }
    }
    (e, factor_of(theta, &active, x))
}

/// P(x) = 4[Σ_{j active} (v_j²(1 + ‖x‖²) + z_j(x)²) + 2] for a given active
/// set (the factor of ‖𝔊‖² + 𝔊_c² = e² P, continued from a piece or cell to
/// its closure when `active` is the piece's).
fn factor_of(theta: &Theta<Q>, active: &[bool], x: &[Q]) -> Q {
    let x2 = x.iter().fold(Q::zero(), |s, xi| s + xi * xi);
    let mut s = int(2);
    for j in (0..theta.width()).filter(|&j| active[j]) {
        let z = preactivation(theta, j, x);
        s += &theta.v[j] * &theta.v[j] * (Q::one() + &x2) + &z * &z;
    }
    int(4) * s
}

/// One SGD step's expectation at θ with step γ (batch size 1).
#[derive(Clone, Debug, PartialEq)]
pub struct StepExpectation {
    /// E[V(θ − γ𝔊(θ, X))], the integrand integrated directly.
    pub expected_v: Q,
    /// E[‖𝔊(θ, X)‖² + 𝔊_c(θ, X)²].
    pub second_moment: Q,
}

/// [`StepExpectation`] at θ, with the per-sample pair (e(x), 𝔊(θ, x)) from
/// `sample` (the fast path's [`crate::objective::per_sample`] or the
/// definitional evaluator).
pub fn step_expectation(
    measure: &Measure,
    theta: &Theta<Q>,
    xi: &Q,
    gamma: &Q,
    mut sample: impl FnMut(&[Q]) -> (Q, Theta<Q>),
) -> Result<StepExpectation, String> {
    let [expected_v, second_moment] = expectations(measure, theta, |x| {
        let (_, g) = sample(x);
        [lyapunov(&theta.step(gamma, &g), xi, &()), direction_square(&g)]
    })?;
    Ok(StepExpectation { expected_v, second_moment })
}

/// E[V(θ − γ ḡ)] for a mini-batch mean ḡ of B independent 𝔊(θ, X_i):
/// V(θ) − 8γL/m + γ² E[‖ḡ‖² + ḡ_c²], where by independence
/// E[‖ḡ‖² + ḡ_c²] = (1/B) E[‖𝔊‖² + 𝔊_c²] + (1 − 1/B)(‖G‖² + G_c²)/m²
/// (E𝔊(θ, X) = G(θ)/m). For B = 1 it is the expansion of C15 itself.
pub fn batch_expected_v(v: &Q, risk: &Q, gradient: &Theta<Q>, mass: &Q, gamma: &Q, second_moment: &Q, b: usize) -> Q {
    let bq = int(b as i64);
    let mean_square = direction_square(gradient) / (mass * mass);
    let e2 = second_moment / &bq + (Q::one() - Q::one() / &bq) * mean_square;
    v - int(8) * gamma * risk / mass + gamma * gamma * e2
}

/// E[‖𝔊(θ, X)‖² + 𝔊_c(θ, X)²] from the factorisation ‖𝔊‖² + 𝔊_c² = e(x)² P(x),
/// P(x) = 4[Σ_{j active at x} (v_j²(1 + ‖x‖²) + (w_j·x + b_j)²) + 2] (ReLU;
/// `closed`: σ'(0) = 1, a neuron with w_j·x + b_j = 0 counts as active, its
/// σ² term is 0). Empirical: the weighted sum over the atoms. On [a, b]: on each
/// piece e = α + βx and P = p_0 + p_1 x + p_2 x² with the piece's active set,
/// and ∫_l^r e² P is integrated from its five coefficients with
/// ∫_l^r x^k = (r^{k+1} − l^{k+1})/(k + 1). Far cheaper than
/// [`step_expectation`]'s quadrature (no per-node 𝔊); the C15 check compares
/// the two.
pub fn second_moment_of_factorisation(measure: &Measure, theta: &Theta<Q>, xi: &Q, closed: bool) -> Result<Q, String> {
    let h = theta.width();
    let d = theta.d;
    let m = measure.mass();
    if !m.is_positive() {
        return Err("the expectation needs a measure of positive mass".into());
    }
    match support(measure, theta)? {
        Support::Atoms(points, weights) => {
            let mut acc = Q::zero();
            for (x, p) in points.iter().zip(weights).filter(|(_, p)| !p.is_zero()) {
                let (e, factor) = error_and_factor(theta, xi, closed, x);
                acc += p * &e * &e * factor;
            }
            Ok(acc / &m)
        }
        Support::Box(..) => {
            // e² P has degree 4 on each cell: the cell rule is exact for it.
            let [second] = expectations(measure, theta, |x| {
                let (e, factor) = error_and_factor(theta, xi, closed, x);
                [&e * &e * factor]
            })?;
            Ok(second)
        }
        Support::Interval(a, b) => {
            debug_assert_eq!(d, 1);
            let mut acc = Q::zero();
            for seg in pieces(theta, a, b).windows(2) {
                let (l, r) = (&seg[0], &seg[1]);
                let mid = (l + r) / int(2);
                // e = α + βx; P/4 = q0 + q1 x + q2 x² on the piece.
                let (mut alpha, mut beta) = (&theta.c - xi, Q::zero());
                let (mut q0, mut q1, mut q2) = (int(2), Q::zero(), Q::zero());
                for j in 0..h {
                    let (w, bj, v) = (&theta.w[j], &theta.b[j], &theta.v[j]);
                    let z = w * &mid + bj;
                    if z.is_positive() || (closed && z.is_zero()) {
                        alpha += v * bj;
                        beta += v * w;
                        let v2 = v * v;
                        q0 += &v2 + bj * bj;
                        q1 += int(2) * w * bj;
                        q2 += v2 + w * w;
                    }
                }
                let e = [&alpha * &alpha, int(2) * &alpha * &beta, &beta * &beta];
                let pq = [q0, q1, q2];
                let mut c = vec![Q::zero(); 5];
                for (i, ei) in e.iter().enumerate() {
                    for (k, pk) in pq.iter().enumerate() {
                        c[i + k] += ei * pk;
                    }
                }
                let (mut lp, mut rp) = (l.clone(), r.clone());
                for (k, ck) in c.iter().enumerate() {
                    acc += ck * (&rp - &lp) / int(k as i64 + 1);
                    lp *= l;
                    rp *= r;
                }
            }
            Ok(int(4) * acc / (b - a))
        }
    }
}

/// C15 at one state θ of an SGD run with step γ and batch size B.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedStep {
    /// γ ≤ γ_s(θ) = 4/(K_s(1 + ‖θ‖²)): C15 claims the descent at θ.
    pub claimed: bool,
    /// E[V(θ − γḡ)] for the run's batch size ([`batch_expected_v`]).
    pub expected_v: Q,
    /// V(θ) − 4γL(θ)/m − E[V(θ − γḡ)]: ≥ 0 where C15 claims the descent.
    pub descent_slack: Q,
}

/// [`ExpectedStep`] at θ, given ξ, L(θ) and G(θ) exactly: the expansion of
/// C15 (checked as an equality by the C15 check) with
/// [`second_moment_of_factorisation`].
#[allow(clippy::too_many_arguments)]
pub fn expected_step(
    measure: &Measure,
    theta: &Theta<Q>,
    xi: &Q,
    gamma: &Q,
    batch: usize,
    closed: bool,
    risk: &Q,
    gradient: &Theta<Q>,
) -> Result<ExpectedStep, String> {
    let m = measure.mass();
    let second = second_moment_of_factorisation(measure, theta, xi, closed)?;
    let v = lyapunov(theta, xi, &());
    let expected_v = batch_expected_v(&v, risk, gradient, &m, gamma, &second, batch.max(1));
    let descent_slack = &v - int(4) * gamma * risk / &m - &expected_v;
    Ok(ExpectedStep { claimed: *gamma <= expected_step_bound(measure, theta), expected_v, descent_slack })
}

/// The per-sample bound of C15 at its decisive points: the smallest slack
/// K_s (1 + ‖θ‖²) e(x)² − (‖𝔊‖² + 𝔊_c²) and the point where it is attained.
///
/// Empirical measures: every atom of positive weight, with `sample`'s 𝔊.
/// Interval measures (ReLU): on a piece, ‖𝔊‖² + 𝔊_c² = e(x)² P(x) with
/// P(x) = 4[Σ_{j active} (v_j²(1 + x²) + (w_j x + b_j)²) + 2], a convex
/// quadratic, so P ≤ K_s(1 + ‖θ‖²) on the closed piece iff it holds at its
/// two ends (P continued from inside the piece). Here the slack is
/// K_s(1 + ‖θ‖²) − P at the ends, and the factorisation B = e² P is
/// confirmed at the quadrature nodes of the piece (an `Err` otherwise).
/// Boxes (ReLU): the same on each cell of the arrangement, P continued from
/// inside the cell and compared with the bound at every vertex of the cell
/// (a convex function on a polytope is largest at a vertex); the
/// factorisation is confirmed at the cell's centroid.
pub fn per_sample_slack(
    measure: &Measure,
    theta: &Theta<Q>,
    closed: bool,
    mut sample: impl FnMut(&[Q]) -> (Q, Theta<Q>),
) -> Result<Option<(Q, Vec<Q>)>, String> {
    let bound = sample_constant(measure) * (Q::one() + theta.norm2(&()));
    let mut worst: Option<(Q, Vec<Q>)> = None;
    let mut see = |slack: Q, x: Vec<Q>| {
        if worst.as_ref().is_none_or(|(s, _)| slack < *s) {
            worst = Some((slack, x));
        }
    };
    match support(measure, theta)? {
        Support::Atoms(points, weights) => {
            for (x, _) in points.iter().zip(weights).filter(|(_, p)| p.is_positive()) {
                let (e, g) = sample(x);
                see(&bound * &e * &e - direction_square(&g), x.clone());
            }
        }
        Support::Interval(a, b) => {
            let cuts = pieces(theta, a, b);
            for seg in cuts.windows(2) {
                let (l, r) = (&seg[0], &seg[1]);
                let mid = (l + r) / int(2);
                let active: Vec<bool> = (0..theta.width())
                    .map(|j| {
                        let z = &theta.w[j] * &mid + &theta.b[j];
                        z.is_positive() || (closed && z.is_zero())
                    })
                    .collect();
                let p = |x: &Q| factor_of(theta, &active, std::slice::from_ref(x));
                for k in 1..=5 {
                    let x = l + (r - l) * Q::new(k.into(), 6.into());
                    let (e, g) = sample(std::slice::from_ref(&x));
                    if direction_square(&g) != &e * &e * p(&x) {
                        return Err(format!("|G(theta, x)|^2 + G_c^2 != e(x)^2 P(x) at x = {x}"));
                    }
                }
                for end in [l, r] {
                    see(&bound - p(end), vec![end.clone()]);
                }
            }
        }
        Support::Box(lo, hi) => {
            let arrangement = Arrangement::new(&lo, &hi, &neuron_planes(theta));
            for cell in &arrangement.cells {
                // P with the cell's active set, continued to its closure: a
                // convex quadratic on the cell, so its maximum is at a vertex.
                let active: Vec<bool> = (0..theta.width())
                    .map(|j| {
                        let z = preactivation(theta, j, &cell.interior);
                        z.is_positive() || (closed && z.is_zero())
                    })
                    .collect();
                let p = |x: &[Q]| factor_of(theta, &active, x);
                let (e, g) = sample(&cell.interior);
                if direction_square(&g) != &e * &e * p(&cell.interior) {
                    return Err(format!(
                        "|G(theta, x)|^2 + G_c^2 != e(x)^2 P(x) at x = ({})",
                        cell.interior.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                    ));
                }
                for v in &cell.vertices {
                    see(&bound - p(v), v.clone());
                }
            }
        }
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    #[test]
    fn the_open_rule_is_exact_to_degree_five() {
        let (l, r) = (q(-3, 7), q(5, 2));
        let theta = Theta { d: 1, w: vec![], b: vec![], v: vec![], c: Q::zero() };
        let m = Measure::Lebesgue { a: l.clone(), b: r.clone() };
        for k in 0..=6usize {
            let [mean] = expectations(&m, &theta, |x| [num_traits::pow(x[0].clone(), k)]).expect("mean");
            let exact =
                (num_traits::pow(r.clone(), k + 1) - num_traits::pow(l.clone(), k + 1)) / int(k as i64 + 1) / (&r - &l);
            if k <= 5 {
                assert_eq!(mean, exact, "x^{k}");
            } else {
                assert_ne!(mean, exact, "x^6 is beyond the rule: the test can tell");
            }
        }
    }

    #[test]
    fn empirical_expectations_are_weighted_means_without_zero_weights() {
        let theta = Theta { d: 1, w: vec![], b: vec![], v: vec![], c: Q::zero() };
        let m = Measure::Empirical {
            points: vec![vec![q(1, 1)], vec![q(2, 1)], vec![q(7, 1)]],
            weights: vec![q(1, 2), q(3, 2), q(0, 1)],
        };
        let mut seen = 0;
        let [mean] = expectations(&m, &theta, |x| {
            seen += 1;
            [x[0].clone()]
        })
        .expect("mean");
        assert_eq!(mean, q(7, 4));
        assert_eq!(seen, 2, "the atom of weight 0 is not evaluated");
    }

    /// On a box, E[f(X)] of a polynomial of degree 5 is its exact mean,
    /// whatever the cells θ cuts the box into, and one of degree 6 is not
    /// (so the test can tell a rule of lower degree).
    #[test]
    fn box_expectations_are_exact_means_to_degree_five() {
        let p = |s: &str| crate::num::parse::parse_rational(s).expect("literal");
        let (a, b) = (vec![q(-1, 2), q(0, 1)], vec![q(1, 1), q(3, 1)]);
        let m = Measure::Box { a: a.clone(), b: b.clone(), probability: false };
        let theta = Theta {
            d: 2,
            w: vec![p("1"), p("1"), p("0"), p("2"), p("-3"), p("1/2")],
            b: vec![p("-1"), p("-1"), p("1/3")],
            v: vec![q(1, 1); 3],
            c: Q::zero(),
        };
        // The mean of x^k over [l, r].
        let mean = |k: usize, l: &Q, r: &Q| {
            (num_traits::pow(r.clone(), k + 1) - num_traits::pow(l.clone(), k + 1)) / int(k as i64 + 1) / (r - l)
        };
        for (i, j) in [(0, 0), (1, 0), (2, 3), (5, 0), (1, 4), (3, 3)] {
            let [e] =
                expectations(&m, &theta, |x| [num_traits::pow(x[0].clone(), i) * num_traits::pow(x[1].clone(), j)])
                    .expect("covered");
            let exact = mean(i, &a[0], &b[0]) * mean(j, &a[1], &b[1]);
            if i + j <= 5 {
                assert_eq!(e, exact, "x^{i} y^{j}");
            } else {
                assert_ne!(e, exact, "x^{i} y^{j} is beyond the rule: the test can tell");
            }
        }
    }

    #[test]
    fn constants() {
        let m = Measure::Lebesgue { a: q(-3, 1), b: q(1, 2) };
        assert_eq!(sample_constant(&m), int(40)); // 4 (1 + 9)
        let m = Measure::Uniform { a: q(-1, 2), b: q(1, 2), d: 1 };
        assert_eq!(sample_constant(&m), int(8)); // 4 max(2, 5/4)
        let th = Theta { d: 1, w: vec![q(1, 1)], b: vec![q(1, 1)], v: vec![q(1, 1)], c: q(0, 1) };
        assert_eq!(expected_step_bound(&m, &th), q(1, 8)); // 4 / (8 * 4)
    }
}
