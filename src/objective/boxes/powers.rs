//! L and G for σ = ReLU^p (p = 2, 3) on a box in d ≥ 2: cell by cell.
//!
//! The pairwise moments of [`super`] rest on σ being affine on each side of
//! its kink, so that every integrand is a product of two affine functions.
//! For ReLU^p the integrands of D3–D4 — e², 2e v_j σ'(z_j) x, 2e v_j σ'(z_j),
//! 2e σ(z_j), 2e — are polynomials of degree ≤ 2p on each open cell of the
//! arrangement of all H hyperplanes z_j = 0, with σ(z) = z^p, σ'(z) = p z^{p−1}
//! on the cell's active neurons (σ is C¹ for p ≥ 2, so σ'(0) = 0 under
//! either convention). [`super::cells`] splits the box into those cells
//! exactly and supplies a simplex rule of degree 2p + 1 whose nodes lie
//! strictly inside the cells; the plan keeps each node, its weight and its
//! cell's active set, decided once in rationals. The arithmetic (the
//! integrands at the nodes, the weighted sums) runs in any [`Scalar`]
//! backend from the exact rational nodes and weights, so an interval backend
//! encloses the exact values.
//!
//! Cost: the arrangement has O(H^d) cells, so this is for small boxes;
//! [`work`] bounds what case files accept.

use super::cells::{cell_work, neuron_planes, Arrangement};
use crate::model::{Prepared, Target, Theta};
use crate::num::{BigRational, Ordered, Scalar};
use crate::objective::empirical::preactivation;
use num_traits::Signed;

type Q = BigRational;

/// The decided part of a ReLU^p box evaluation.
#[derive(Clone, Debug)]
pub struct PowerPlan {
    /// The power p.
    p: u32,
    /// Each cell's active neurons.
    active: Vec<Vec<bool>>,
    /// (cell, node, weight) with Σ weight · f(node) = ∫_box f.
    nodes: Vec<(usize, Vec<Q>, Q)>,
}

/// The work of a ReLU^p box evaluation in node-neuron products: the
/// arrangement's simplices (an upper estimate) times H.
pub fn work(d: usize, h: usize) -> u128 {
    cell_work(d, h).saturating_mul(h.max(1) as u128)
}

/// Most [`work`] case files accept: about a minute of exact arithmetic
/// (d = 2: H ≈ 60; d = 3: H ≈ 20).
pub const MAX_POWER_WORK: u128 = 2_000_000;

impl PowerPlan {
    /// Splits the box into the cells of θ's hyperplanes and places the
    /// nodes, in exact rationals.
    ///
    /// # Panics
    /// If θ or the box ends are not exact numbers in `K` (the ordered
    /// backends hold rationals or dyadic floats), or the problem has no box.
    pub fn new<K: Ordered>(theta: &Theta<K>, prep: &Prepared<K>, p: u32) -> Self {
        let exact = |x: &K| x.to_rational().expect("a finite parameter");
        let th: Theta<Q> = theta.map(exact);
        let (a, b) = prep.box_ends.as_ref().expect("a box measure");
        let lo: Vec<Q> = a.iter().map(exact).collect();
        let hi: Vec<Q> = b.iter().map(exact).collect();
        let arrangement = Arrangement::new(&lo, &hi, &neuron_planes(&th));
        let active = arrangement
            .cells
            .iter()
            .map(|cell| (0..th.width()).map(|j| preactivation(&th, j, &cell.interior).is_positive()).collect())
            .collect();
        PowerPlan { p, active, nodes: arrangement.nodes(2 * p as usize) }
    }
}

/// L(θ) and G(θ) along a [`PowerPlan`], normalised for the uniform law.
pub(crate) fn power_integrals<S: Scalar>(plan: &PowerPlan, prep: &Prepared<S>, theta: &Theta<S>) -> (S, Theta<S>) {
    let ctx = &prep.ctx;
    let (d, h) = (theta.d, theta.width());
    let p = plan.p as usize;
    let two = S::from_i64(2, ctx);
    let power = S::from_i64(i64::from(plan.p), ctx);
    // One list of terms per output: L, then G in θ's order (w, b, v, c).
    let outputs = 1 + h * (d + 2) + 1;
    let mut terms: Vec<Vec<S>> = vec![Vec::with_capacity(plan.nodes.len()); outputs];
    for (cell, xq, weight) in &plan.nodes {
        let x: Vec<S> = xq.iter().map(|q| S::from_rational(q, ctx)).collect();
        let weight = S::from_rational(weight, ctx);
        let on = &plan.active[*cell];
        // σ(z_j) and σ'(z_j) on the cell: z^p and p z^{p−1} where active.
        let mut sigma: Vec<Option<(S, S)>> = Vec::with_capacity(h);
        let mut e = theta.c.clone();
        for (j, &active) in on.iter().enumerate() {
            if !active {
                sigma.push(None);
                continue;
            }
            let z = preactivation(theta, j, &x);
            let mut below = z.clone();
            for _ in 2..p {
                below = below.mul(&z);
            }
            let s = below.mul(&z);
            e.add_assign(&theta.v[j].mul(&s));
            sigma.push(Some((s, power.mul(&below))));
        }
        match &prep.problem.target {
            Target::Constant(_) => e.sub_assign(&prep.xi),
            Target::Affine { slope, intercept } => {
                e.sub_assign(&S::from_rational(intercept, ctx));
                for (a, xi) in slope.iter().zip(&x) {
                    e.sub_assign(&S::from_rational(a, ctx).mul(xi));
                }
            }
            _ => panic!("the box path takes constant and affine targets"),
        }
        let we = weight.mul(&e);
        let we2 = two.mul(&we);
        terms[0].push(we.mul(&e));
        for (j, s) in sigma.iter().enumerate() {
            let Some((s, ds)) = s else { continue };
            let g = we2.mul(&theta.v[j]).mul(ds);
            for (i, xi) in x.iter().enumerate() {
                terms[1 + j * d + i].push(g.mul(xi));
            }
            terms[1 + h * d + j].push(g);
            terms[1 + h * (d + 1) + j].push(we2.mul(s));
        }
        terms[outputs - 1].push(we2);
    }
    let zero = S::from_i64(0, ctx);
    let mut sums: Vec<S> =
        terms.into_iter().map(|t| if t.is_empty() { zero.clone() } else { S::sum_all(t, ctx) }).collect();
    if let Some(k) = &prep.normaliser {
        sums.iter_mut().for_each(|x| *x = x.mul(k));
    }
    let risk = sums.remove(0);
    let gradient = Theta::from_flat(d, &sums).expect("one value per parameter");
    (risk, gradient)
}
