//! d = 1 interval measures for every piecewise polynomial activation and
//! piecewise affine target: exact integration segment by segment.
//!
//! The breakpoints are the kinks t_j = −b_j/w_j and the target's knots inside
//! (a, b). On each segment every neuron uses one polynomial piece of σ, so
//! e(x) = N^θ(x) − f(x) is a polynomial of degree ≤ p and every integral of
//! D3–D4 is a sum of ∫ x^k = (r^{k+1} − l^{k+1})/(k+1). This costs O(H) per
//! segment, O(H²) in all: it is the reference path for the edge cases
//! (E1, E4, E5), while the papers' setting keeps the O(H log H)
//! [sweep](super::sweep), against which this path is tested.

use crate::model::{Prepared, Theta};
use crate::num::{Ordered, Scalar, Sign3};
use std::cmp::Ordering;

/// A segment end: a, b, a neuron's kink or a target knot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    A,
    B,
    Kink(usize),
    Knot(usize),
}

/// One segment: its ends, the target piece and which neurons use σ's
/// positive piece there.
#[derive(Clone, Debug)]
struct Segment {
    left: End,
    right: End,
    target_piece: usize,
    positive: Vec<bool>,
}

/// The combinatorial part, decided by an [`Ordered`] backend.
#[derive(Clone, Debug)]
pub struct GeneralPlan {
    segments: Vec<Segment>,
}

fn end_value<S: Scalar>(end: End, theta: &Theta<S>, prep: &Prepared<S>) -> S {
    let (a, b) = prep.interval.as_ref().expect("interval measure");
    match end {
        End::A => a.clone(),
        End::B => b.clone(),
        End::Kink(j) => theta.b[j].neg().div(&theta.w[j]),
        End::Knot(k) => prep.target_pieces.as_ref().expect("exact target").0[k].clone(),
    }
}

impl GeneralPlan {
    /// Sorts the breakpoints inside (a, b) and decides each neuron's piece on
    /// each segment (at the segment's midpoint; by the sign of b_j, or the
    /// σ'(0) convention when w_j = b_j = 0, for constant preactivations).
    pub fn new<K: Ordered>(theta: &Theta<K>, prep: &Prepared<K>) -> Self {
        let (a, b) = prep.interval.as_ref().expect("interval measure");
        let inside = |t: &K| t.total_cmp(a) == Ordering::Greater && t.total_cmp(b) == Ordering::Less;
        let mut ends: Vec<(End, K)> = Vec::new();
        for j in 0..theta.width() {
            if theta.w[j].sign() != Sign3::Zero {
                let t = end_value(End::Kink(j), theta, prep);
                if inside(&t) {
                    ends.push((End::Kink(j), t));
                }
            }
        }
        let knots = prep.target_pieces.as_ref().map_or(0, |p| p.0.len());
        ends.extend((0..knots).map(|k| (End::Knot(k), end_value(End::Knot(k), theta, prep))));
        ends.sort_by(|x, y| x.1.total_cmp(&y.1));
        ends.insert(0, (End::A, a.clone()));
        ends.push((End::B, b.clone()));
        let closed = prep.problem.derivative_at_zero == crate::model::DerivativeAtZero::Closed
            || super::fault::is(super::fault::Fault::ClosedUnderOpen);
        let two = K::from_i64(2, &prep.ctx);
        let mut segments = Vec::new();
        let mut target_piece = 0;
        for pair in ends.windows(2) {
            let ((le, lv), (re, rv)) = (&pair[0], &pair[1]);
            if let End::Knot(_) = le {
                target_piece += 1;
            }
            if lv.total_cmp(rv) != Ordering::Less {
                continue;
            }
            let mid = lv.add(rv).div(&two);
            let positive = (0..theta.width())
                .map(|j| {
                    let z = theta.w[j].mul(&mid).add(&theta.b[j]);
                    match z.sign() {
                        Sign3::Positive => true,
                        Sign3::Zero => closed,
                        _ => false,
                    }
                })
                .collect();
            segments.push(Segment { left: *le, right: *re, target_piece, positive });
        }
        GeneralPlan { segments }
    }
}

/// Polynomials in x as coefficient vectors, lowest degree first.
fn poly_mul<S: Scalar>(p: &[S], q: &[S], zero: &S) -> Vec<S> {
    if p.is_empty() || q.is_empty() {
        return Vec::new();
    }
    let mut out = vec![zero.clone(); p.len() + q.len() - 1];
    for (i, pi) in p.iter().enumerate() {
        for (k, qk) in q.iter().enumerate() {
            out[i + k].add_assign(&pi.mul(qk));
        }
    }
    out
}

fn poly_add_scaled<S: Scalar>(acc: &mut Vec<S>, p: &[S], s: &S, zero: &S) {
    if acc.len() < p.len() {
        acc.resize(p.len(), zero.clone());
    }
    for (a, c) in acc.iter_mut().zip(p) {
        a.add_assign(&c.mul(s));
    }
}

/// Σ_k c_k z^k with z = w x + b, as a polynomial in x.
fn compose<S: Scalar>(coeffs: &[S], w: &S, b: &S, one: &S, zero: &S) -> Vec<S> {
    let z = vec![b.clone(), w.clone()];
    let mut power = vec![one.clone()];
    let mut out = Vec::new();
    for (k, c) in coeffs.iter().enumerate() {
        if k > 0 {
            power = poly_mul(&power, &z, zero);
        }
        if c.sign() != Sign3::Zero {
            poly_add_scaled(&mut out, &power, c, zero);
        }
    }
    out
}

/// ∫_l^r p(x) dx from the table moments[k] = ∫_l^r x^k dx.
///
/// # Panics
/// If p has more coefficients than there are moments (an internal
/// invariant: the table is sized for the degree; a surplus coefficient
/// would otherwise be dropped silently).
fn integrate<S: Scalar>(p: &[S], moments: &[S], zero: &S) -> S {
    assert!(
        p.len() <= moments.len(),
        "integrate: a polynomial of degree {} but moments only up to degree {}",
        p.len() - 1,
        moments.len().saturating_sub(1)
    );
    let mut s = zero.clone();
    for (c, m) in p.iter().zip(moments) {
        s.add_assign(&c.mul(m));
    }
    s
}

/// L(θ) and G(θ) along a general plan (before the uniform measure's 1/(b − a)).
pub(crate) fn general_integrals<S: Scalar>(plan: &GeneralPlan, prep: &Prepared<S>, theta: &Theta<S>) -> (S, Theta<S>) {
    let ctx = &prep.ctx;
    let zero = S::from_i64(0, ctx);
    let one = S::from_i64(1, ctx);
    let two = S::from_i64(2, ctx);
    let act = &prep.problem.activation;
    let conv = prep.problem.derivative_at_zero;
    let to_s = |v: &[crate::num::BigRational]| v.iter().map(|q| S::from_rational(q, ctx)).collect::<Vec<S>>();
    // Positive and negative pieces of σ, converted once.
    let pieces: Vec<(Vec<S>, Vec<S>)> = [Sign3::Positive, Sign3::Negative]
        .iter()
        .map(|&s| {
            let p = act.piece(s, conv).expect("piecewise polynomial activation");
            (to_s(&p.value), to_s(&p.slope))
        })
        .collect();
    let (_, target) = prep.target_pieces.as_ref().expect("exact target");
    let h = theta.width();
    let mut risk = zero.clone();
    let mut g = theta.map(|_| zero.clone());
    for seg in &plan.segments {
        let (l, r) = (end_value(seg.left, theta, prep), end_value(seg.right, theta, prep));
        let (fs, ft) = &target[seg.target_piece];
        let mut sigma: Vec<Vec<S>> = Vec::with_capacity(h);
        let mut e = vec![theta.c.sub(ft), fs.neg()];
        for j in 0..h {
            let (value, _) = &pieces[usize::from(!seg.positive[j])];
            let s = compose(value, &theta.w[j], &theta.b[j], &one, &zero);
            poly_add_scaled(&mut e, &s, &theta.v[j], &zero);
            sigma.push(s);
        }
        // Moments ∫_l^r x^k for k up to 2 deg e, the degree of every integrand
        // below (e², σ_j e, x σ'_j e, with deg σ_j ≤ deg e and deg σ'_j =
        // deg σ_j − 1): 2 deg e + 1 = 2 e.len() − 1 of them, no more, so that
        // `integrate`'s assertion catches any miscount.
        let top = 2 * e.len() - 1;
        let (mut lp, mut rp) = (l.clone(), r.clone());
        let mut moments = Vec::with_capacity(top);
        for k in 1..=top {
            moments.push(rp.sub(&lp).div(&S::from_i64(k as i64, ctx)));
            lp = lp.mul(&l);
            rp = rp.mul(&r);
        }
        risk.add_assign(&integrate(&poly_mul(&e, &e, &zero), &moments, &zero));
        g.c.add_assign(&two.mul(&integrate(&e, &moments, &zero)));
        for j in 0..h {
            g.v[j].add_assign(&two.mul(&integrate(&poly_mul(&sigma[j], &e, &zero), &moments, &zero)));
            let (_, slope) = &pieces[usize::from(!seg.positive[j])];
            let ds = compose(slope, &theta.w[j], &theta.b[j], &one, &zero);
            if ds.is_empty() || theta.v[j].sign() == Sign3::Zero {
                continue;
            }
            let dse = poly_mul(&ds, &e, &zero);
            let v2 = two.mul(&theta.v[j]);
            g.b[j].add_assign(&v2.mul(&integrate(&dse, &moments, &zero)));
            let mut xdse = vec![zero.clone()];
            xdse.extend(dse);
            g.w[j].add_assign(&v2.mul(&integrate(&xdse, &moments, &zero)));
        }
    }
    (risk, g)
}
