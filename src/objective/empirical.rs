//! Empirical measures Σ_i p_i δ_{x_i}: direct sums, O(n H d).

use crate::model::{Activation, DerivativeAtZero, Prepared, Theta};
use crate::num::{Ordered, Scalar, Sign3};

/// Which neuron is active at which point: `on[i*H + j]` = (w_j·x_i + b_j > 0),
/// or ≥ 0 under the closed σ'(0) convention. Decided by an [`Ordered`] backend.
#[derive(Clone, Debug)]
pub struct ActivationPattern {
    on: Vec<bool>,
}

/// w_j·x + b_j.
pub(crate) fn preactivation<S: Scalar>(theta: &Theta<S>, j: usize, x: &[S]) -> S {
    let mut z = theta.b[j].clone();
    for (wi, xi) in theta.w_row(j).iter().zip(x) {
        z.add_assign(&wi.mul(xi));
    }
    z
}

impl ActivationPattern {
    /// Decides the pattern for θ at the prepared points.
    pub fn new<K: Ordered>(theta: &Theta<K>, prep: &Prepared<K>) -> Self {
        let d = theta.d;
        let h = theta.width();
        let closed = prep.problem.derivative_at_zero == DerivativeAtZero::Closed
            || super::fault::is(super::fault::Fault::ClosedUnderOpen);
        let mut on = Vec::with_capacity(prep.weights.len() * h);
        for x in prep.points.chunks(d) {
            for j in 0..h {
                on.push(match preactivation(theta, j, x).sign() {
                    Sign3::Positive => true,
                    Sign3::Zero => closed,
                    _ => false,
                });
            }
        }
        ActivationPattern { on }
    }
}

/// Per-neuron sums Σ p_i e_i σ'(z_ij), Σ p_i e_i σ'(z_ij) x_i, Σ p_i e_i σ(z_ij)
/// (for ReLU: over the active points, with σ(z) = z); plus Σ p_i e_i and Σ p_i e_i².
pub(crate) struct EmpiricalSums<S> {
    pub e: Vec<S>,
    pub ex: Vec<S>,
    pub ez: Vec<S>,
    pub total_e: S,
    pub total_e2: S,
}

pub(crate) fn empirical_sums<S: Scalar>(
    pat: &ActivationPattern,
    theta: &Theta<S>,
    prep: &Prepared<S>,
) -> EmpiricalSums<S> {
    let ctx = &prep.ctx;
    let (d, h) = (theta.d, theta.width());
    let zero = S::from_i64(0, ctx);
    let mut sums = EmpiricalSums {
        e: vec![zero.clone(); h],
        ex: vec![zero.clone(); h * d],
        ez: vec![zero.clone(); h],
        total_e: zero.clone(),
        total_e2: zero.clone(),
    };
    // ReLU: σ(z) = z and σ'(z) = 1 on the positive piece, 0 on the other;
    // other activations evaluate their polynomial pieces.
    let pieces = Pieces::new(prep);
    let constant_base = theta.c.sub(&prep.xi);
    let mut z = Vec::with_capacity(h);
    for (i, (x, p)) in prep.points.chunks(d).zip(&prep.weights).enumerate() {
        let on = &pat.on[i * h..(i + 1) * h];
        z.clear();
        let mut e = match prep.targets.get(i) {
            Some(f) => theta.c.sub(f),
            None => constant_base.clone(),
        };
        for (j, &active) in on.iter().enumerate() {
            let zj = preactivation(theta, j, x);
            match &pieces {
                None if active => e.add_assign(&theta.v[j].mul(&zj)),
                None => {}
                Some(pc) => e.add_assign(&theta.v[j].mul(&pc.value(active, &zj, &zero))),
            }
            z.push(zj);
        }
        let pe = p.mul(&e);
        sums.total_e2.add_assign(&pe.mul(&e));
        sums.total_e.add_assign(&pe);
        for (j, &active) in on.iter().enumerate() {
            let (ped, pez) = match &pieces {
                None if active => (pe.clone(), pe.mul(&z[j])),
                None => continue,
                Some(pc) => (pe.mul(&pc.slope(active, &z[j], &zero)), pe.mul(&pc.value(active, &z[j], &zero))),
            };
            sums.ez[j].add_assign(&pez);
            for (k, xk) in x.iter().enumerate() {
                sums.ex[j * d + k].add_assign(&ped.mul(xk));
            }
            sums.e[j].add_assign(&ped);
        }
    }
    sums
}

/// The positive and negative polynomial pieces of a non-ReLU piecewise
/// polynomial activation, in the backend.
struct Pieces<S> {
    positive: (Vec<S>, Vec<S>),
    negative: (Vec<S>, Vec<S>),
}

impl<S: Scalar> Pieces<S> {
    fn new(prep: &Prepared<S>) -> Option<Self> {
        let act = &prep.problem.activation;
        if *act == Activation::Relu {
            return None;
        }
        let conv = prep.problem.derivative_at_zero;
        let get = |s: Sign3| {
            let p = act.piece(s, conv).expect("piecewise polynomial activation");
            let to_s = |v: &[crate::num::BigRational]| v.iter().map(|q| S::from_rational(q, &prep.ctx)).collect();
            (to_s(&p.value), to_s(&p.slope))
        };
        Some(Pieces { positive: get(Sign3::Positive), negative: get(Sign3::Negative) })
    }
    fn horner(c: &[S], z: &S, zero: &S) -> S {
        c.iter().rev().fold(zero.clone(), |acc, ck| acc.mul(z).add(ck))
    }
    fn value(&self, positive: bool, z: &S, zero: &S) -> S {
        Self::horner(if positive { &self.positive.0 } else { &self.negative.0 }, z, zero)
    }
    fn slope(&self, positive: bool, z: &S, zero: &S) -> S {
        Self::horner(if positive { &self.positive.1 } else { &self.negative.1 }, z, zero)
    }
}
