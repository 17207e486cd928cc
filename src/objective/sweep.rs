//! The exact d = 1 sweep over kinks (Lebesgue and uniform measures on [a, b]).
//!
//! Kinks t_j = −b_j/w_j (w_j ≠ 0) strictly inside (a, b) are sorted once
//! (by an `f64` key first, exactly only where keys tie). Between consecutive
//! kinks e(x) = α + βx is affine; α, β are updated as neurons switch on or
//! off. Per segment the integrals ∫e, ∫x e, ∫e² are exact polynomials in the
//! ends and the values of e there (e is continuous, so each kink's value
//! serves two segments); prefix sums of the first two give every neuron's
//! ∫_{I_j} e and ∫_{I_j} x e by at most one subtraction. Total cost
//! O(H log H) operations, all of them on small numbers except the
//! accumulation of the sums.

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
                        Sign3::Positive => !super::fault::is(super::fault::Fault::FlatNeuronDead),
                        Sign3::Zero => {
                            conv == DerivativeAtZero::Closed || super::fault::is(super::fault::Fault::ClosedUnderOpen)
                        }
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
        let (inside, new_position) = sort_kinks(inside);
        let n = inside.len();
        for (k, (j, _)) in inside.iter().enumerate() {
            kink_slot[*j] = Some(k + 1);
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

impl SweepPlan {
    /// The neurons in an order in which the exact components of G nest:
    /// falling neurons (w_j < 0, active left of their kink) by increasing
    /// kink, then those active on all of [a, b] or nowhere, then rising ones
    /// by decreasing kink. Each neuron's G is a small factor times a prefix
    /// (or suffix) sum of the segment integrals, whose denominator divides
    /// the next one's along this order, so sums over G in this order (as
    /// ⟨∇V, G⟩ by [`Scalar::sum_all`]) combine fractions whose denominators
    /// mostly divide each other instead of a big gcd per term.
    pub fn chain_order(&self) -> Vec<usize> {
        let mut in_events = vec![false; self.rising.len()];
        self.events.iter().for_each(|&j| in_events[j] = true);
        let falling = self.events.iter().copied().filter(|&j| !self.rising[j]);
        let ends = (0..self.rising.len()).filter(|&j| !in_events[j]);
        let rising = self.events.iter().rev().copied().filter(|&j| self.rising[j]);
        falling.chain(ends).chain(rising).collect()
    }
}

/// Sorts the kinks by position, stably (ties keep neuron order), and marks
/// each one whose position differs from the previous one's.
///
/// Where exact comparisons are slow (big rationals), the kinks are first
/// sorted by the backend's cheap `f64` [`Ordered::sort_key`]; only runs of
/// equal keys are then sorted exactly. The exact comparison of neighbours,
/// needed anyway for `new_position`, checks the result; if the key was not
/// monotone (it is for correctly rounded conversions) everything is sorted
/// again exactly. Either way the order is the one an exact stable sort gives,
/// in O(H log H) comparisons.
fn sort_kinks<K: Ordered>(inside: Vec<(usize, K)>) -> (Vec<(usize, K)>, Vec<bool>) {
    let keys: Option<Vec<f64>> = inside.iter().map(|(_, t)| t.sort_key()).collect();
    match keys {
        Some(keys) => sort_kinks_by_key(inside, &keys),
        None => {
            let mut sorted = inside;
            sorted.sort_by(|x, y| x.1.total_cmp(&y.1));
            let new_position = mark_new_positions(&sorted);
            (sorted, new_position)
        }
    }
}

/// Whether each kink's position differs from the previous one's.
fn mark_new_positions<K: Ordered>(sorted: &[(usize, K)]) -> Vec<bool> {
    (0..sorted.len()).map(|k| k == 0 || sorted[k - 1].1.total_cmp(&sorted[k].1) != Ordering::Equal).collect()
}

/// [`sort_kinks`] with a key per kink (any keys give the same result; good
/// ones make it fast).
fn sort_kinks_by_key<K: Ordered>(inside: Vec<(usize, K)>, keys: &[f64]) -> (Vec<(usize, K)>, Vec<bool>) {
    let n = inside.len();
    // Key above position: sorting these integers is a stable sort by key.
    let mut keyed: Vec<u128> =
        keys.iter().enumerate().map(|(i, &key)| (u128::from(total_order_bits(key)) << 64) | i as u128).collect();
    keyed.sort_unstable();
    let mut order: Vec<usize> = keyed.iter().map(|&k| k as u64 as usize).collect();
    let mut start = 0;
    while start < n {
        let key = keyed[start] >> 64;
        let run = keyed[start..].iter().take_while(|&&k| k >> 64 == key).count();
        if run > 1 {
            order[start..start + run].sort_by(|&x, &y| inside[x].1.total_cmp(&inside[y].1));
        }
        start += run;
    }
    let mut slots: Vec<Option<(usize, K)>> = inside.into_iter().map(Some).collect();
    let mut sorted: Vec<(usize, K)> = order.iter().map(|&i| slots[i].take().expect("a permutation")).collect();
    let mut new_position = Vec::with_capacity(n);
    for k in 0..n {
        let fresh = k == 0
            || match sorted[k - 1].1.total_cmp(&sorted[k].1) {
                Ordering::Less => true,
                Ordering::Equal => false,
                Ordering::Greater => {
                    // The key misordered two kinks: sort exactly instead.
                    sorted.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
                    let new_position = mark_new_positions(&sorted);
                    return (sorted, new_position);
                }
            };
        new_position.push(fresh);
    }
    (sorted, new_position)
}

/// The bits of `x` as an unsigned integer ordered like [`f64::total_cmp`].
fn total_order_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// Integrals of the sweep, before scaling: `j0 = 2∫e`, `j1 = 6∫x e`,
/// `j2 = 3∫e²`: each neuron's over its active set, and the totals.
pub(crate) struct SweepSums<S> {
    /// Each neuron's (2∫_{I_j} e, 6∫_{I_j} x e), `None` if I_j ∩ (a, b) is
    /// empty; [`active_sums`] takes them out.
    active: Vec<Option<(S, S)>>,
    /// 2∫e over [a, b].
    pub total0: S,
    /// 3∫e² over [a, b].
    pub j2: S,
}

/// A segment end: its position x, and e(x), e(x)² and x·e(x) there.
struct End<S> {
    x: S,
    e: S,
    e2: S,
    xe: S,
}

impl<S: Scalar> End<S> {
    /// The end at x for e = α + βx. e is continuous, so the values serve both
    /// segments meeting at x, whichever (α, β) they are computed with.
    fn new(x: S, alpha: &S, beta: &S) -> Self {
        let mut e = beta.mul(&x);
        e.add_assign(alpha);
        let e2 = e.sqr();
        let xe = x.mul(&e);
        End { x, e, e2, xe }
    }
}

/// The integrals over [l.x, r.x], where e is affine, scaled by 2, 6 and 3
/// to avoid divisions. With δ = r.x − l.x and σ = e_l + e_r:
/// 2∫e = δσ, 6∫xe = δ(l.x e_l + r.x e_r + (l.x + r.x)σ) (Simpson's rule,
/// exact for the quadratic xe), 3∫e² = δ(e_l² + e_l e_r + e_r²). Written
/// with the values at the ends, each computed once per kink, this needs fewer
/// and smaller products than the expansion in powers of the ends.
fn segment<S: Scalar>(l: &End<S>, r: &End<S>) -> [S; 3] {
    let delta = r.x.sub(&l.x);
    let mut sigma = l.e.add(&r.e);
    let mut m = l.x.add(&r.x);
    m.mul_assign(&sigma);
    m.add_assign(&l.xe);
    m.add_assign(&r.xe);
    m.mul_assign(&delta);
    let mut q = l.e.mul(&r.e);
    q.add_assign(&l.e2);
    q.add_assign(&r.e2);
    q.mul_assign(&delta);
    sigma.mul_assign(&delta);
    [sigma, m, q]
}

/// The segments between consecutive distinct kinks (and a, b), in order.
struct Segments<S> {
    /// Per segment: 2∫e, 6∫xe, 3∫e² over it.
    j0: Vec<S>,
    j1: Vec<S>,
    j2: Vec<S>,
    /// For each prefix slot (0 = a, event k is k + 1, events + 1 = b): how
    /// many segments lie left of it.
    before: Vec<usize>,
}

/// The forward pass: each segment's integrals. All numbers here are small
/// (a kink, e at a kink, products of a few of them); the big ones only arise
/// when segments are summed.
fn segments<S: Scalar>(plan: &SweepPlan, theta: &Theta<S>, prep: &Prepared<S>) -> Segments<S> {
    let ctx = &prep.ctx;
    let (a, b) = prep.interval.as_ref().expect("sweep needs an interval measure");
    let zero = S::from_i64(0, ctx);
    let mut alpha = theta.c.sub(&prep.xi);
    let mut beta = zero;
    for j in 0..theta.width() {
        if plan.initial_on[j] {
            alpha.add_assign(&theta.v[j].mul(&theta.b[j]));
            beta.add_assign(&theta.v[j].mul(&theta.w[j]));
        }
    }
    let n = plan.events.len();
    let mut out = Segments {
        j0: Vec::with_capacity(n + 1),
        j1: Vec::with_capacity(n + 1),
        j2: Vec::with_capacity(n + 1),
        before: Vec::with_capacity(n + 2),
    };
    let push = |out: &mut Segments<S>, [s0, s1, s2]: [S; 3]| {
        out.j0.push(s0);
        out.j1.push(s1);
        out.j2.push(s2);
    };
    out.before.push(0);
    let mut left = End::new(a.clone(), &alpha, &beta);
    for (k, &j) in plan.events.iter().enumerate() {
        if plan.new_position[k] {
            let t = theta.b[j].neg().div(&theta.w[j]);
            let right = End::new(t, &alpha, &beta);
            push(&mut out, segment(&left, &right));
            left = right;
        }
        out.before.push(out.j0.len());
        // A rising neuron (w > 0) switches on at its kink, a falling one off.
        let (db, dw) = (theta.v[j].mul(&theta.b[j]), theta.v[j].mul(&theta.w[j]));
        if plan.rising[j] {
            alpha.add_assign(&db);
            beta.add_assign(&dw);
        } else {
            alpha.sub_assign(&db);
            beta.sub_assign(&dw);
        }
    }
    push(&mut out, segment(&left, &End::new(b.clone(), &alpha, &beta)));
    out.before.push(out.j0.len());
    out
}

/// The segments on which neuron j is active: `lo..hi` in segment order.
/// A falling neuron is active left of its kink, a rising one right of it;
/// w_j = 0 gives all segments or none.
fn active_range(plan: &SweepPlan, before: &[usize], j: usize) -> (usize, usize) {
    let m = *before.last().expect("slot of b");
    match plan.kink_slot[j] {
        None if plan.initial_on[j] => (0, m),
        None => (0, 0),
        Some(slot) if plan.rising[j] => (before[slot], m),
        Some(slot) => (0, before[slot]),
    }
}

/// Runs the sweep in backend `S` along a plan. Activation: ReLU (slopes 1 and 0).
///
/// Every active set is a prefix (falling neurons, w_j < 0) or a suffix
/// (rising ones) of the segments, so each neuron's integrals are a prefix
/// sum or a suffix sum, each computed by adding one small segment term to
/// the previous one. (Taking a suffix as the total minus a prefix would
/// subtract two big fractions with different denominators per neuron: a gcd
/// of the size of the result each, cubic in H in all.) The total of ∫e² is a
/// [`Scalar::sum_all`].
pub(crate) fn sweep_sums<S: Scalar>(plan: &SweepPlan, theta: &Theta<S>, prep: &Prepared<S>) -> SweepSums<S> {
    let ctx = &prep.ctx;
    let zero = S::from_i64(0, ctx);
    let Segments { j0, j1, j2, before } = segments(plan, theta, prep);
    let h = theta.width();
    let m = j0.len();
    let ranges: Vec<(usize, usize)> = (0..h).map(|j| active_range(plan, &before, j)).collect();
    // Neurons by where their range ends (prefixes) or starts (suffixes).
    let mut prefix_at: Vec<Vec<usize>> = vec![Vec::new(); m + 1];
    let mut suffix_at: Vec<Vec<usize>> = vec![Vec::new(); m + 1];
    for (j, &(lo, hi)) in ranges.iter().enumerate() {
        if lo >= hi {
            continue;
        }
        if lo == 0 {
            prefix_at[hi].push(j);
        } else {
            suffix_at[lo].push(j);
        }
    }
    let mut active: Vec<Option<(S, S)>> = vec![None; h];
    let (mut a0, mut a1) = (zero.clone(), zero.clone());
    for (k, ending) in prefix_at.iter().enumerate() {
        for &j in ending {
            active[j] = Some((a0.clone(), a1.clone()));
        }
        if k < m {
            a0.add_assign(&j0[k]);
            a1.add_assign(&j1[k]);
        }
    }
    let total0 = a0;
    let (mut s0, mut s1) = (zero.clone(), zero);
    for (k, starting) in suffix_at.iter().enumerate().take(m).skip(1).rev() {
        s0.add_assign(&j0[k]);
        s1.add_assign(&j1[k]);
        for &j in starting {
            active[j] = Some((s0.clone(), s1.clone()));
        }
    }
    SweepSums { active, total0, j2: S::sum_all(j2, ctx) }
}

/// Each neuron's (2∫_{I_j} e, 6∫_{I_j} x e) over its active set I_j ∩ [a, b],
/// taken out of `sums` (each is asked for once).
pub(crate) fn active_sums<S: Scalar>(sums: &mut SweepSums<S>, j: usize) -> Option<(S, S)> {
    sums.active[j].take()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use crate::num::BigRational;

    /// Kinks with many exact ties and near-ties (equal f64 keys, distinct values).
    fn kinks(rng: &mut Rng, n: usize) -> Vec<(usize, BigRational)> {
        let eps = BigRational::new(1.into(), num_bigint::BigInt::from(1u8) << 80u32);
        (0..n)
            .map(|j| {
                let mut t = BigRational::new(rng.range(-6, 6).into(), rng.range(1, 4).into());
                if rng.chance(1, 3) {
                    t += &eps * BigRational::from_integer(rng.range(-2, 2).into());
                }
                (j, t)
            })
            .collect()
    }

    fn exact_stable(inside: &[(usize, BigRational)]) -> (Vec<usize>, Vec<bool>) {
        let mut v = inside.to_vec();
        v.sort_by(|x, y| x.1.cmp(&y.1));
        let fresh = (0..v.len()).map(|k| k == 0 || v[k - 1].1 != v[k].1).collect();
        (v.into_iter().map(|(j, _)| j).collect(), fresh)
    }

    #[test]
    fn keyed_sort_is_the_exact_stable_sort_for_any_key() {
        let mut rng = Rng::new(7);
        let keys: [fn(&BigRational) -> f64; 5] =
            [|q| q.to_f64_lossy(), |q| -q.to_f64_lossy(), |_| 0.0, |_| f64::NAN, |q| (q.to_f64_lossy() * 3.0).sin()];
        for n in [0, 1, 2, 3, 10, 200] {
            let inside = kinks(&mut rng, n);
            let want = exact_stable(&inside);
            let (sorted, fresh) = sort_kinks(inside.clone());
            assert_eq!(sorted.into_iter().map(|(j, _)| j).collect::<Vec<_>>(), want.0);
            assert_eq!(fresh, want.1);
            for key in keys {
                let keys: Vec<f64> = inside.iter().map(|(_, t)| key(t)).collect();
                let (sorted, fresh) = sort_kinks_by_key(inside.clone(), &keys);
                for (j, t) in &sorted {
                    assert_eq!(*t, inside[*j].1);
                }
                assert_eq!(sorted.into_iter().map(|(j, _)| j).collect::<Vec<_>>(), want.0);
                assert_eq!(fresh, want.1);
            }
        }
    }

    #[test]
    fn total_order_bits_orders_like_total_cmp() {
        let xs = [f64::NEG_INFINITY, -1e300, -1.5, -f64::MIN_POSITIVE, -0.0, 0.0, 5e-324, 1.0, f64::INFINITY, f64::NAN];
        for x in xs {
            for y in xs {
                assert_eq!(total_order_bits(x).cmp(&total_order_bits(y)), x.total_cmp(&y), "{x} vs {y}");
            }
        }
    }
}
