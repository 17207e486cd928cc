//! Moments of degree ≤ 2 of a polytope, summed over its simplices.
//!
//! For a simplex Δ with vertices v_0, …, v_d and s = Σ_i v_i (exact
//! formulas for polynomials of degree ≤ 2 over a simplex):
//!
//!   ∫_Δ 1 = |det| / d!,   ∫_Δ x_a = |det| s_a / (d! (d+1)),
//!   ∫_Δ x_a x_b = |det| (Σ_i v_ia v_ib + s_a s_b) / (d! (d+1) (d+2)),
//!
//! with det = det(v_1 − v_0, …, v_d − v_0). (In barycentric coordinates,
//! ∫_Δ λ^k = d! |Δ| k! / (|k| + d)!; x is linear in λ.)

use super::geometry::{determinant_of, VertexSpec};
use super::PolytopePlan;
use crate::model::Theta;
use crate::num::Scalar;

/// C · M with M_{pq} = ∫ φ_p φ_q over a polytope, φ_0 = 1, φ_i = x_i, and
/// C = [`scale`]`(d)`: a symmetric (d+1) × (d+1) matrix, stored whole. The
/// factor C is divided out once from the results, not from every entry.
#[derive(Clone, Debug)]
pub struct MomentMatrix<S> {
    n: usize,
    m: Vec<S>,
}

impl<S: Scalar> MomentMatrix<S> {
    /// M ℓ for a coefficient vector ℓ = (ℓ_0, ℓ_1, …, ℓ_d): entry q is
    /// ∫ ℓ(x) φ_q(x) dx.
    pub fn apply(&self, l: &[S]) -> Vec<S> {
        (0..self.n)
            .map(|q| {
                let row = &self.m[q * self.n..(q + 1) * self.n];
                let mut s = row[0].mul(&l[0]);
                for (mq, lq) in row[1..].iter().zip(&l[1..]) {
                    s.add_assign(&mq.mul(lq));
                }
                s
            })
            .collect()
    }
}

/// C = d! (d+1) (d+2), the common denominator of the simplex formulas.
pub fn scale(d: usize) -> i64 {
    (1..=d as i64).product::<i64>() * (d as i64 + 1) * (d as i64 + 2)
}

/// The coordinates of a vertex from its recipe (see [`VertexSpec`]).
pub(crate) fn vertex<S: Scalar>(spec: &VertexSpec, a: &[S], b: &[S], theta: &Theta<S>) -> Vec<S> {
    let d = a.len();
    let mut x: Vec<Option<S>> = (0..d)
        .map(|i| (spec.fixed >> i & 1 == 1).then(|| if spec.upper >> i & 1 == 1 { b[i].clone() } else { a[i].clone() }))
        .collect();
    let free: Vec<usize> = (0..d).filter(|&i| x[i].is_none()).collect();
    let w = |j: usize, i: usize| &theta.w[j * d + i];
    // r_j = −(b_j + Σ_{fixed i} w_ji x_i): the right-hand side for the free ones.
    let rhs = |j: usize, x: &[Option<S>]| {
        let mut r = theta.b[j].clone();
        for (i, xi) in x.iter().enumerate() {
            if let Some(xi) = xi {
                r.add_assign(&w(j, i).mul(xi));
            }
        }
        r.neg()
    };
    match (free.as_slice(), spec.planes.as_slice()) {
        ([], _) => {}
        ([f], [j]) => x[*f] = Some(rhs(*j, &x).div(w(*j, *f))),
        ([p, q], [j, k]) => {
            // Cramer's rule for [w_jp w_jq; w_kp w_kq] (x_p, x_q) = (r_j, r_k).
            let (rj, rk) = (rhs(*j, &x), rhs(*k, &x));
            let det = w(*j, *p).mul(w(*k, *q)).sub(&w(*j, *q).mul(w(*k, *p)));
            let xp = rj.mul(w(*k, *q)).sub(&w(*j, *q).mul(&rk)).div(&det);
            let xq = w(*j, *p).mul(&rk).sub(&rj.mul(w(*k, *p))).div(&det);
            x[*p] = Some(xp);
            x[*q] = Some(xq);
        }
        _ => panic!("a vertex recipe with {} free coordinates and {} hyperplanes", free.len(), spec.planes.len()),
    }
    x.into_iter().map(|xi| xi.expect("every coordinate set")).collect()
}

/// The moment matrix of a planned polytope, in backend `S`.
pub(crate) fn moment_matrix<S: Scalar>(
    plan: &PolytopePlan,
    a: &[S],
    b: &[S],
    theta: &Theta<S>,
    ctx: &S::Ctx,
) -> MomentMatrix<S> {
    let d = a.len();
    let n = d + 1;
    let verts: Vec<Vec<S>> = match &plan.known {
        Some(known) => known.rationals().iter().map(|x| x.iter().map(|q| S::from_rational(q, ctx)).collect()).collect(),
        None => plan.vertices.iter().map(|s| vertex(s, a, b, theta)).collect(),
    };
    let zero = S::from_i64(0, ctx);
    // Sums over simplices of |det|, |det| s_a and |det| (Σ v_a v_b + s_a s_b).
    let mut t0: Vec<S> = Vec::with_capacity(plan.simplices.len());
    let mut t1: Vec<Vec<S>> = vec![Vec::with_capacity(plan.simplices.len()); d];
    let mut t2: Vec<Vec<S>> = vec![Vec::with_capacity(plan.simplices.len()); d * (d + 1) / 2];
    for simplex in &plan.simplices {
        let vs: Vec<&[S]> = simplex.vertices.iter().map(|&v| verts[v as usize].as_slice()).collect();
        let mut det = determinant_of(&vs);
        if !simplex.positive {
            det = det.neg();
        }
        let s: Vec<S> = (0..d)
            .map(|i| {
                let mut s = vs[0][i].clone();
                for v in &vs[1..] {
                    s.add_assign(&v[i]);
                }
                s
            })
            .collect();
        let mut idx = 0;
        for p in 0..d {
            for q in p..d {
                let mut acc = s[p].mul(&s[q]);
                for v in &vs {
                    acc.add_assign(&v[p].mul(&v[q]));
                }
                t2[idx].push(det.mul(&acc));
                idx += 1;
            }
        }
        for (t, si) in t1.iter_mut().zip(&s) {
            t.push(det.mul(si));
        }
        t0.push(det);
    }
    // C M_00 = (d+1)(d+2) Σ|det|, C M_0a = (d+2) Σ|det| s_a, C M_ab = Σ|det|(…).
    let c0 = S::from_i64((d as i64 + 1) * (d as i64 + 2), ctx);
    let c1 = S::from_i64(d as i64 + 2, ctx);
    let mut m = vec![zero; n * n];
    m[0] = S::sum_all(t0, ctx).mul(&c0);
    for (i, t) in t1.into_iter().enumerate() {
        let v = S::sum_all(t, ctx).mul(&c1);
        m[i + 1] = v.clone();
        m[(i + 1) * n] = v;
    }
    let mut t2 = t2.into_iter();
    for p in 0..d {
        for q in p..d {
            let v = S::sum_all(t2.next().expect("one sum per pair"), ctx);
            m[(p + 1) * n + q + 1] = v.clone();
            m[(q + 1) * n + p + 1] = v;
        }
    }
    MomentMatrix { n, m }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::parse_case;
    use crate::num::BigRational;
    use crate::objective::boxes::BoxPlan;

    /// [`vertex`] is the fallback for a deciding backend that cannot hold a
    /// vertex exactly; every exact plan also records the decided vertices,
    /// so the recipes must reproduce them (the box vectors' degenerate
    /// configurations: corners, parallel faces, coinciding hyperplanes).
    #[test]
    fn vertices_from_their_recipes_are_the_decided_ones() {
        for file in ["tests/vectors/box-d2.toml", "tests/vectors/box-d3.toml", "cases/box-d2.toml"] {
            let text = std::fs::read_to_string(file).expect("vector");
            let case = parse_case(file, &text).expect("case");
            let prep = case.problem.prepare::<BigRational>(&());
            let plan = BoxPlan::new(&case.theta, &prep);
            let (a, b) = prep.box_ends.as_ref().expect("box");
            let mut seen = 0;
            for p in &plan.polytopes {
                let known = p.known.as_ref().expect("exact plans keep their vertices").rationals();
                for (spec, x) in p.vertices.iter().zip(&known) {
                    assert_eq!(&vertex(spec, a, b, &case.theta), x, "{file}");
                    seen += 1;
                }
            }
            assert!(seen > 10, "{file}: {seen} vertices");
        }
    }
}
