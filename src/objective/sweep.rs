//! The exact d = 1 sweep over kinks (Lebesgue and uniform measures on [a, b]).
//!
//! Kinks t_j = −b_j/w_j (w_j ≠ 0) strictly inside (a, b) are sorted once.
//! Between consecutive kinks e(x) = α + βx is affine; α, β are updated as
//! neurons switch on or off. Per segment the integrals ∫e, ∫x e, ∫e² are
//! exact polynomials in the ends; prefix sums of the first two give every
//! neuron's ∫_{I_j} e and ∫_{I_j} x e by one subtraction. Total cost
//! O(H log H) operations.

use crate::model::{DerivativeAtZero, Prepared, Theta};
use crate::num::{Ordered, Scalar, Sign3};
use std::cmp::Ordering;

/// The combinatorial part of the sweep, decided by an [`Ordered`] backend
/// (exact, or the same float type as the arithmetic).
#[derive(Clone, Debug)]
pub struct SweepPlan {
    /// Whether neuron j is active just right of a (for w_j = 0: on all of [a, b]).
    initial_on: Vec<bool>,
    /// Whether w_j > 0 (the neuron switches on at its kink rather than off).
    rising: Vec<bool>,
    /// Neurons whose kink lies strictly inside (a, b), in increasing kink order.
    events: Vec<usize>,
    /// For each event: whether its kink differs from the previous event's.
    new_position: Vec<bool>,
    /// For each neuron: index into the prefix sums of its clipped kink
    /// (0 = at a, events.len()+1 = at b; event k is k+1), or None if w_j = 0.
    kink_slot: Vec<Option<usize>>,
}

impl SweepPlan {
    /// Decides the kink order and the activation pattern for θ on [a, b].
    pub fn new<K: Ordered>(theta: &Theta<K>, a: &K, b: &K, conv: DerivativeAtZero) -> Self {
        let h = theta.width();
        let mut initial_on = vec![false; h];
        let mut rising_v = vec![false; h];
        let mut inside: Vec<(usize, K)> = Vec::new();
        let mut kink_slot = vec![None; h];
        let end_slot = usize::MAX; // patched below once the event count is known
        for j in 0..h {
            let (w, bj) = (&theta.w[j], &theta.b[j]);
            match w.sign() {
                Sign3::Zero => {
                    initial_on[j] = match bj.sign() {
                        Sign3::Positive => true,
                        Sign3::Zero => conv == DerivativeAtZero::Closed,
                        _ => false,
                    };
                }
                s => {
                    let t = bj.neg().div(w);
                    let rising = s == Sign3::Positive;
                    rising_v[j] = rising;
                    let at_or_left_of_a = t.total_cmp(a) != Ordering::Greater;
                    let at_or_right_of_b = t.total_cmp(b) != Ordering::Less;
                    if at_or_left_of_a {
                        initial_on[j] = rising;
                        kink_slot[j] = Some(0);
                    } else if at_or_right_of_b {
                        initial_on[j] = !rising;
                        kink_slot[j] = Some(end_slot);
                    } else {
                        initial_on[j] = !rising;
                        inside.push((j, t));
                    }
                }
            }
        }
        inside.sort_by(|x, y| x.1.total_cmp(&y.1));
        let n = inside.len();
        let mut new_position = Vec::with_capacity(n);
        for (k, (j, t)) in inside.iter().enumerate() {
            kink_slot[*j] = Some(k + 1);
            new_position.push(k == 0 || inside[k - 1].1.total_cmp(t) != Ordering::Equal);
        }
        for s in kink_slot.iter_mut().flatten() {
            if *s == end_slot {
                *s = n + 1;
            }
        }
        SweepPlan {
            initial_on,
            rising: rising_v,
            events: inside.into_iter().map(|(j, _)| j).collect(),
            new_position,
            kink_slot,
        }
    }
}

/// Integrals of the sweep, before scaling: `j0 = 2∫e`, `j1 = 6∫x e`,
/// `j2 = 3∫e²`, each neuron's slope-weighted partial sums, and the risk.
pub(crate) struct SweepSums<S> {
    /// Prefix sums of 2∫e at slots 0..=events+1.
    pub p0: Vec<S>,
    /// Prefix sums of 6∫x e.
    pub p1: Vec<S>,
    /// 3∫e² over [a, b].
    pub j2: S,
}

/// Integrals of (α + βx), x(α + βx) and (α + βx)² over [s, t], scaled by
/// 2, 6 and 3 to avoid divisions: returns (2∫e, 6∫xe, 3∫e²).
fn segment<S: Scalar>(alpha: &S, beta: &S, d1: &S, d2: &S, d3: &S) -> (S, S, S) {
    let two_a = alpha.add(alpha);
    let j0 = two_a.mul(d1).add(&beta.mul(d2));
    let three_a = two_a.add(alpha);
    let j1 = three_a.mul(d2).add(&beta.add(beta).mul(d3));
    let j2 = three_a.mul(&alpha.mul(d1).add(&beta.mul(d2))).add(&beta.sqr().mul(d3));
    (j0, j1, j2)
}

/// Runs the sweep in backend `S` along a plan. Activation: ReLU (slopes 1 and 0).
pub(crate) fn sweep_sums<S: Scalar>(plan: &SweepPlan, theta: &Theta<S>, prep: &Prepared<S>) -> SweepSums<S> {
    let ctx = &prep.ctx;
    let (a, b) = prep.interval.clone().expect("sweep needs an interval measure");
    let zero = S::from_i64(0, ctx);
    let mut alpha = theta.c.sub(&prep.xi);
    let mut beta = zero.clone();
    for j in 0..theta.width() {
        if plan.initial_on[j] {
            alpha.add_assign(&theta.v[j].mul(&theta.b[j]));
            beta.add_assign(&theta.v[j].mul(&theta.w[j]));
        }
    }
    let n = plan.events.len();
    let mut p0 = Vec::with_capacity(n + 2);
    let mut p1 = Vec::with_capacity(n + 2);
    p0.push(zero.clone());
    p1.push(zero.clone());
    let (mut acc0, mut acc1, mut acc2) = (zero.clone(), zero.clone(), zero.clone());
    let (mut s1, mut s2, mut s3) = (a.clone(), a.sqr(), a.sqr().mul(&a));
    let mut advance = |t: S, alpha: &S, beta: &S, acc0: &mut S, acc1: &mut S, acc2: &mut S| {
        let t2 = t.sqr();
        let t3 = t2.mul(&t);
        let (j0, j1, j2) = segment(alpha, beta, &t.sub(&s1), &t2.sub(&s2), &t3.sub(&s3));
        acc0.add_assign(&j0);
        acc1.add_assign(&j1);
        acc2.add_assign(&j2);
        (s1, s2, s3) = (t, t2, t3);
    };
    for (k, &j) in plan.events.iter().enumerate() {
        if plan.new_position[k] {
            let t = theta.b[j].neg().div(&theta.w[j]);
            advance(t, &alpha, &beta, &mut acc0, &mut acc1, &mut acc2);
        }
        p0.push(acc0.clone());
        p1.push(acc1.clone());
        // A rising neuron (w > 0) switches on at its kink, a falling one off.
        let (db, dw) = (theta.v[j].mul(&theta.b[j]), theta.v[j].mul(&theta.w[j]));
        if plan.rising[j] {
            alpha.add_assign(&db);
            beta.add_assign(&dw);
        } else {
            alpha = alpha.sub(&db);
            beta = beta.sub(&dw);
        }
    }
    advance(b, &alpha, &beta, &mut acc0, &mut acc1, &mut acc2);
    p0.push(acc0);
    p1.push(acc1);
    SweepSums { p0, p1, j2: acc2 }
}

/// Each neuron's (2∫_{I_j} e, 6∫_{I_j} x e) over its active set I_j ∩ [a, b].
pub(crate) fn active_sums<S: Scalar>(plan: &SweepPlan, sums: &SweepSums<S>, j: usize) -> Option<(S, S)> {
    let last = sums.p0.len() - 1;
    match plan.kink_slot[j] {
        None => plan.initial_on[j].then(|| (sums.p0[last].clone(), sums.p1[last].clone())),
        Some(slot) => {
            let (from, to) = if plan.rising[j] { (slot, last) } else { (0, slot) };
            if from >= to {
                return None;
            }
            Some((sums.p0[to].sub(&sums.p0[from]), sums.p1[to].sub(&sums.p1[from])))
        }
    }
}
