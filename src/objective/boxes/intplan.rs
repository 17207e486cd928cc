//! [`BoxPlan::new`] in integer arithmetic, for every backend whose θ and box
//! ends are exact numbers (rationals, and finite floats, which are dyadic).
//!
//! The generic plan clips in the deciding backend's field: for `BigRational`
//! every pre-activation z_k(x) at every vertex and every interpolated vertex
//! is a handful of reduced fraction operations, and those dominated the
//! plan. Here every vertex is held in homogeneous integer coordinates
//! (X_1, …, X_d, W) with x = X / W, W > 0 and gcd(X, W) = 1 (so W is the lcm
//! of the vertex's coordinate denominators), and every hyperplane as its
//! coefficients (w_j, b_j) times the lcm of their denominators, in
//! integers. Then
//!
//! * ζ_k = w_k·X + b_k W has the sign of z_k(x) (W and the scale are
//!   positive), so every keep/drop/tight decision is the generic one;
//! * the point where z_k = 0 on the edge from u (ζ_u > 0) to w (ζ_w < 0) is
//!   ζ_u P_w − ζ_w P_u (P the homogeneous vectors), the generic path's
//!   u + t (w − u), t = z_u / (z_u − z_w), exactly;
//! * incidences, edges, recipes and the pulling triangulation come from the
//!   same code ([`cut`], [`spec_with`], [`pulling_of`]), and the
//!   orientations from integer determinants over the lcm of the W's, as for
//!   the generic exact plan ([`super::exact::oriented`]).
//!
//! So the plan is the generic one — same polytopes in the same order, same
//! vertices, simplices and orientations (tested) — and its vertices go to
//! the integer kernel as [`ExactVertices`] without ever being rationals.

use super::exact::{oriented, ExactVertices};
use super::geometry::{cut, pulling_of, spec_with, Mask, Piece, VertexSpec};
use super::int::Int;
use super::{assemble, BoxPlan, PolytopePlan};
use crate::model::Theta;
use crate::num::{BigRational, Sign3};

/// A polytope with homogeneous integer vertices (`d + 1` per vertex, W
/// last), incidences, recipes and its cutting hyperplanes.
struct Poly {
    pts: Vec<Int>,
    tight: Vec<Mask>,
    specs: Vec<VertexSpec>,
    cuts: Vec<usize>,
}

/// lcm(l, d) for positive integers.
fn lcm(l: &Int, d: &Int) -> Int {
    if d.is_one() || l == d {
        return l.clone();
    }
    l.mul(&d.div_exact(&l.gcd(d)))
}

/// Integers over a common positive denominator, numerators first: the
/// values `q` times that denominator (rows of θ and box corners).
fn integers(q: &[&BigRational]) -> Vec<Int> {
    let den = q.iter().fold(Int::from_i64(1), |l, x| lcm(&l, &Int::from_big_ref(x.denom())));
    let mut out: Vec<Int> =
        q.iter().map(|x| Int::from_big_ref(x.numer()).mul(&den.div_exact(&Int::from_big_ref(x.denom())))).collect();
    out.push(den);
    out
}

/// `p` divided by the gcd of its entries (not all zero).
fn primitive(mut p: Vec<Int>) -> Vec<Int> {
    let mut g = Int::zero();
    for x in &p {
        if !x.is_zero() {
            g = g.gcd(x);
            if g.is_one() {
                return p;
            }
        }
    }
    for x in &mut p {
        *x = x.div_exact(&g);
    }
    p
}

/// ζ = Σ_i w_i X_i + b W for a row (w_1, …, w_d, b) and a point (X, W).
fn zeta(row: &[Int], pt: &[Int]) -> Int {
    let mut s = row[0].mul(&pt[0]);
    for (r, x) in row[1..].iter().zip(&pt[1..]) {
        s.add_assign(&r.mul(x));
    }
    s
}

/// The box as a [`Poly`]: corner bits, incidences and recipes as
/// [`super::geometry::box_polytope`].
fn box_poly(a: &[BigRational], b: &[BigRational]) -> Poly {
    let d = a.len();
    let n = 1usize << d;
    let all = (1u32 << d) - 1;
    let mut p = Poly {
        pts: Vec::with_capacity(n * (d + 1)),
        tight: Vec::with_capacity(n),
        specs: Vec::with_capacity(n),
        cuts: Vec::new(),
    };
    for corner in 0..n as u32 {
        let x: Vec<&BigRational> = (0..d).map(|i| if corner >> i & 1 == 1 { &b[i] } else { &a[i] }).collect();
        p.pts.extend(primitive(integers(&x)));
        p.tight.push((0..d).fold(0, |m: Mask, i| m | 1 << (2 * i + (corner >> i & 1) as usize)));
        p.specs.push(VertexSpec { fixed: all, upper: corner, planes: Vec::new() });
    }
    p
}

/// P ∩ {z_j ≥ 0}: [`super::geometry::clip`] in integers, deciding through
/// the same [`cut`].
fn clip(p: &Poly, rows: &[Vec<Int>], j: usize, d: usize) -> Piece<Poly> {
    assert!(p.cuts.len() < 2, "at most two hyperplanes cut a polytope with vertex recipes");
    let m = d + 1;
    let n = p.tight.len();
    let z: Vec<Int> = (0..n).map(|v| zeta(&rows[j], &p.pts[v * m..(v + 1) * m])).collect();
    let sign: Vec<Sign3> = z
        .iter()
        .map(|x| match (x.is_positive(), x.is_zero()) {
            (true, _) => Sign3::Positive,
            (_, true) => Sign3::Zero,
            _ => Sign3::Negative,
        })
        .collect();
    let nonzero = |j: usize, i: usize| !rows[j][i].is_zero();
    let minor_nonzero =
        |j: usize, k: usize, a: usize, b: usize| rows[j][a].mul(&rows[k][b]) != rows[j][b].mul(&rows[k][a]);
    cut(&sign, &p.tight, p.cuts.len()).map(|c| {
        let mut cuts = p.cuts.clone();
        cuts.push(j);
        let mut out = Poly { pts: Vec::new(), tight: Vec::new(), specs: Vec::new(), cuts };
        for (v, tight) in c.kept {
            out.pts.extend_from_slice(&p.pts[v * m..(v + 1) * m]);
            out.tight.push(tight);
            out.specs.push(p.specs[v].clone());
        }
        for (u, w, tight) in c.crossed {
            // z_u w − z_w u: the crossing point in homogeneous coordinates.
            let (pu, pw) = (&p.pts[u * m..(u + 1) * m], &p.pts[w * m..(w + 1) * m]);
            let x: Vec<Int> = pu.iter().zip(pw).map(|(xu, xw)| z[u].mul(xw).sub(&z[w].mul(xu))).collect();
            out.specs.push(spec_with(tight, d, &out.cuts, nonzero, minor_nonzero));
            out.pts.extend(primitive(x));
            out.tight.push(tight);
        }
        out
    })
}

/// The plan of one polytope: its triangulation oriented in integers over
/// the lcm of its vertices' W's (the lcm of all coordinate denominators).
fn plan_of(p: &Poly, d: usize) -> PolytopePlan {
    let m = d + 1;
    let l = p.pts.chunks(m).fold(Int::from_i64(1), |l, pt| lcm(&l, &pt[d]));
    let mut x = Vec::with_capacity(p.tight.len() * d);
    for pt in p.pts.chunks(m) {
        let f = l.div_exact(&pt[d]);
        x.extend(pt[..d].iter().map(|c| c.mul(&f)));
    }
    let known = ExactVertices { x, l, d };
    let simplices = oriented(pulling_of(&p.tight), &known);
    PolytopePlan { vertices: p.specs.clone(), simplices, known: Some(known) }
}

/// The box plan of [`BoxPlan::new`] for exact inputs; `closed`: whether
/// σ'(0) = 1 (a neuron with w_j = 0 = b_j then covers the box).
pub(super) fn plan(a: &[BigRational], b: &[BigRational], theta: &Theta<BigRational>, closed: bool) -> BoxPlan {
    let d = theta.d;
    let h = theta.width();
    // Row j: (w_j, b_j) times a positive integer, in integers.
    let rows: Vec<Vec<Int>> = (0..h)
        .map(|j| {
            let q: Vec<&BigRational> = theta.w_row(j).iter().chain(std::iter::once(&theta.b[j])).collect();
            let mut r = integers(&q);
            r.pop();
            r
        })
        .collect();
    let flat = |j: usize| {
        rows[j][..d].iter().all(Int::is_zero).then(|| {
            let bj = &rows[j][d];
            bj.is_positive() || (bj.is_zero() && closed)
        })
    };
    assemble(h, box_poly(a, b), flat, |p, j| clip(p, &rows, j, d), |p| plan_of(p, d))
}

#[cfg(test)]
mod tests {
    use super::super::BoxPlan;
    use crate::gen::Rng;
    use crate::model::Theta;
    use crate::num::BigRational;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    /// The integer plan and the generic one decided in `BigRational` agree
    /// on everything: polytopes in order, recipes, simplices, orientations,
    /// exact vertices, D_j and P_jk.
    fn same_plan(a: &[BigRational], b: &[BigRational], th: &Theta<BigRational>, what: &str) -> usize {
        let mut polytopes = 0;
        for closed in [false, true] {
            let fast = super::plan(a, b, th, closed);
            let slow = BoxPlan::decided(th, a, b, closed, true);
            assert_eq!(fast.single, slow.single, "{what}: D_j");
            assert_eq!(fast.pair, slow.pair, "{what}: P_jk");
            assert_eq!(fast.polytopes.len(), slow.polytopes.len(), "{what}: polytopes");
            for (i, (f, s)) in fast.polytopes.iter().zip(&slow.polytopes).enumerate() {
                assert_eq!(f.vertices, s.vertices, "{what}: polytope {i} recipes");
                assert_eq!(f.simplices, s.simplices, "{what}: polytope {i} simplices");
                assert_eq!(f.known, s.known, "{what}: polytope {i} vertices");
            }
            polytopes += fast.polytopes.len();
        }
        polytopes
    }

    /// Hand cases in [-1, 1]²: hyperplanes through corners, parallel to
    /// faces and containing them, coinciding (equal, scaled, opposite),
    /// w = 0 with b > 0, b = 0 and b < 0, a hyperplane through another's
    /// crossing with a face.
    #[test]
    fn degenerate_hand_cases() {
        let (a, b) = (vec![q(-1, 1); 2], vec![q(1, 1); 2]);
        let rows: [(i64, i64, i64); 14] = [
            (1, 1, 0),   // through two corners
            (1, -1, 0),  // the other diagonal
            (1, 0, 0),   // parallel to a face
            (1, 0, 1),   // containing the face x_1 = -1
            (0, 1, -1),  // containing the face x_2 = 1 (empty side)
            (2, 2, 0),   // the first, scaled
            (-1, -1, 0), // the first, opposite
            (0, 0, 1),   // w = 0, b > 0
            (0, 0, 0),   // w = 0, b = 0
            (0, 0, -1),  // w = 0, b < 0
            (1, 2, -1),  // through (1, 0) and the corner (-1, 1)
            (1, 1, -1),  // through (1, 0) and (0, 1)
            (3, 1, 2),   // through the corner (-1, 1)
            (1, 0, -1),  // containing the face x_1 = 1 (empty side)
        ];
        let w = rows.iter().flat_map(|r| [q(r.0, 1), q(r.1, 1)]).collect();
        let bias = rows.iter().map(|r| q(r.2, 1)).collect();
        let th = Theta { d: 2, w, b: bias, v: Vec::new(), c: q(0, 1) };
        assert!(same_plan(&a, &b, &th, "hand d = 2") > 20);
        // d = 3: a plane through an edge, one through a vertex only, one
        // containing a face, and coinciding ones.
        let (a, b) = (vec![q(0, 1); 3], vec![q(1, 1), q(2, 1), q(1, 2)]);
        let rows: [[i64; 4]; 7] =
            [[1, 1, 0, -1], [2, 2, 0, -2], [1, 1, 1, 0], [0, 0, 1, 0], [1, -1, 1, 0], [-1, 1, -1, 0], [0, 0, 0, 0]];
        let w = rows.iter().flat_map(|r| r[..3].iter().map(|&x| q(x, 1)).collect::<Vec<_>>()).collect();
        let bias = rows.iter().map(|r| q(r[3], 1)).collect();
        let th = Theta { d: 3, w, b: bias, v: Vec::new(), c: q(0, 1) };
        assert!(same_plan(&a, &b, &th, "hand d = 3") > 10);
    }

    /// Random θ with small entries on boxes with small ends, so that
    /// hyperplanes often pass through corners and each other's crossings,
    /// with zero rows and repeated, scaled and opposite hyperplanes.
    #[test]
    fn random_degenerate_cases() {
        let mut rng = Rng::new(0x1_9A7E);
        let mut seen = 0;
        for round in 0..60 {
            let d = 2 + round % 3;
            let h = 2 + rng.below(if d == 4 { 4 } else { 7 }) as usize;
            let a: Vec<BigRational> = (0..d).map(|_| q(rng.range(-2, 1), rng.range(1, 2))).collect();
            let b: Vec<BigRational> = a.iter().map(|x| x + q(rng.range(1, 3), rng.range(1, 2))).collect();
            let mut w: Vec<BigRational> = (0..d * h).map(|_| q(rng.range(-2, 2), rng.range(1, 3))).collect();
            let mut bias: Vec<BigRational> = (0..h).map(|_| q(rng.range(-2, 2), rng.range(1, 2))).collect();
            for j in 1..h {
                if rng.chance(1, 4) {
                    let s = q(*rng.pick(&[-2, -1, 1, 3]), 1);
                    for i in 0..d {
                        w[j * d + i] = &w[(j - 1) * d + i] * &s;
                    }
                    bias[j] = &bias[j - 1] * &s;
                }
            }
            let th = Theta { d, w, b: bias, v: Vec::new(), c: q(0, 1) };
            seen += same_plan(&a, &b, &th, &format!("round {round}"));
        }
        assert!(seen > 300, "{seen} polytopes");
    }
}
