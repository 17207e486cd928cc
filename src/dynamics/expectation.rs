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
//!   that of the piece (no node on a kink).
//!
//! The quantities of C15 at a state θ and a step γ:
//! - E[V(θ − γ𝔊(θ, X))], the integrand V(θ − γ𝔊(θ, x)) integrated directly;
//! - E[‖𝔊(θ, X)‖² + 𝔊_c(θ, X)²] (the second moment of the step direction);
//! - K_s = 4 max{2, 1 + ρ²} and the step bound γ_s(θ) = 4/(K_s(1 + ‖θ‖²)).
//!
//! Uniform measures in d ≥ 2 (boxes) are not covered yet: an error says so.

use crate::lyapunov::lyapunov;
use crate::model::{Measure, Theta};
use crate::num::BigRational;
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

/// Whether the exact expectation covers `measure`: empirical measures and
/// d = 1 intervals (boxes and [a, b]^d with d ≥ 2 are not integrated yet).
pub fn covers(measure: &Measure) -> bool {
    interval(measure).is_ok()
}

/// The interval [a, b] of a d = 1 interval measure; an error for boxes.
fn interval(measure: &Measure) -> Result<Option<(&Q, &Q)>, String> {
    match measure {
        Measure::Lebesgue { a, b } => Ok(Some((a, b))),
        Measure::Uniform { a, b, d } if *d == 1 => Ok(Some((a, b))),
        Measure::Empirical { .. } => Ok(None),
        _ => Err("the exact expectation of an SGD step covers empirical measures and d = 1 intervals only".into()),
    }
}

/// E[f(X)] for N functions at once, X ~ μ/m, exactly. `f` must be a
/// polynomial of degree ≤ 5 on every open piece between kinks (for interval
/// measures): then the result is exact (module documentation).
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
    match interval(measure)? {
        None => {
            let Measure::Empirical { points, weights } = measure else { unreachable!("empirical") };
            for (x, p) in points.iter().zip(weights).filter(|(_, p)| !p.is_zero()) {
                for (s, v) in acc.iter_mut().zip(f(x)) {
                    *s += p * v;
                }
            }
            Ok(acc.map(|s| s / &m))
        }
        Some((a, b)) => {
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
    }
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
    let active = |z: &Q| z.is_positive() || (closed && z.is_zero());
    match interval(measure)? {
        None => {
            let Measure::Empirical { points, weights } = measure else { unreachable!("empirical") };
            let mut acc = Q::zero();
            for (x, p) in points.iter().zip(weights).filter(|(_, p)| !p.is_zero()) {
                let x2 = x.iter().fold(Q::zero(), |s, xi| s + xi * xi);
                let mut e = &theta.c - xi;
                let mut bracket = int(2);
                for j in 0..h {
                    let z = theta.w_row(j).iter().zip(x).fold(theta.b[j].clone(), |s, (w, xi)| s + w * xi);
                    if active(&z) {
                        if z.is_positive() {
                            e += &theta.v[j] * &z;
                        }
                        bracket += &theta.v[j] * &theta.v[j] * (Q::one() + &x2) + &z * &z;
                    }
                }
                acc += p * &e * &e * int(4) * bracket;
            }
            Ok(acc / &m)
        }
        Some((a, b)) => {
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
                    if active(&(w * &mid + bj)) {
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
    match interval(measure)? {
        None => {
            let Measure::Empirical { points, weights } = measure else { unreachable!("empirical") };
            for (x, _) in points.iter().zip(weights).filter(|(_, p)| p.is_positive()) {
                let (e, g) = sample(x);
                see(&bound * &e * &e - direction_square(&g), x.clone());
            }
        }
        Some((a, b)) => {
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
                let p = |x: &Q| {
                    let mut s = int(2);
                    for j in (0..theta.width()).filter(|&j| active[j]) {
                        let z = &theta.w[j] * x + &theta.b[j];
                        s += &theta.v[j] * &theta.v[j] * (Q::one() + x * x) + &z * &z;
                    }
                    int(4) * s
                };
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
