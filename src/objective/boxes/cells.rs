//! Exact integrals over a box of functions that are polynomials on every
//! open cell of an arrangement of hyperplanes: the engine behind C12's and
//! C15's exact integrals on boxes (degree ≤ 4 integrands such as
//! V(θ − γ𝔊(θ, x))), which the pairwise moments of [`super`] (degree ≤ 2,
//! at most two hyperplanes per polytope) do not cover.
//!
//! The box is split by one hyperplane after another into the full-dimensional
//! cells of the arrangement ([`super::geometry::clip_side`], decided exactly
//! in rationals), each cell is triangulated ([`super::geometry::triangulate`]),
//! and each simplex is integrated with the Grundmann–Möller rule of degree
//! 2s + 1 (A. Grundmann, H. M. Möller, SIAM J. Numer. Anal. 15 (1978)): on
//! the standard simplex T_d = {λ ≥ 0, Σλ ≤ 1} (volume 1/d!),
//!
//!   ∫_{T_d} f ≈ Σ_{i=0}^{s} (−1)^i 2^{−2s} (d + 2s + 1 − 2i)^{2s+1} / (i! (d + 2s + 1 − i)!)
//!                 Σ_{β ∈ ℕ^{d+1}, |β| = s − i} f(barycentric (2β_k + 1)/(d + 2s + 1 − 2i)),
//!
//! exact for polynomials of degree ≤ 2s + 1, with rational weights; on a
//! simplex with vertices v_0, …, v_d the result is multiplied by
//! |det(v_1 − v_0, …, v_d − v_0)|. Every node has positive barycentric
//! coordinates, so it lies strictly inside its cell, off every cutting
//! hyperplane: a function that decides each neuron's regime at the point
//! itself sees the regime of the cell, whose polynomial the rule integrates.
//!
//! Cost: the number of cells grows like H^d, each with a triangulation of
//! O(d!) simplices and C(d + s, d) + … nodes per simplex. This is for checks
//! on small networks ([`MAX_CELL_WORK`]), not for the hot path.

use super::geometry::{box_polytope, clip_side, determinant_of, triangulate, Piece};
use crate::model::Theta;
use crate::num::BigRational;
use num_traits::{One, Signed, Zero};

type Q = BigRational;

fn int(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// A hyperplane {x : w·x + b = 0}.
#[derive(Clone, Debug, PartialEq)]
pub struct Hyperplane {
    /// Normal w (length d).
    pub w: Vec<Q>,
    /// Offset b.
    pub b: Q,
}

/// The hyperplanes z_j = w_j·x + b_j = 0 of θ's neurons.
pub fn neuron_planes(theta: &Theta<Q>) -> Vec<Hyperplane> {
    (0..theta.width()).map(|j| Hyperplane { w: theta.w_row(j).to_vec(), b: theta.b[j].clone() }).collect()
}

/// One full-dimensional cell of the arrangement inside the box.
#[derive(Clone, Debug)]
pub struct Cell {
    /// Its vertices.
    pub vertices: Vec<Vec<Q>>,
    /// A point strictly inside (the vertices' centroid).
    pub interior: Vec<Q>,
    /// A triangulation: vertex indices and |det(v_1 − v_0, …)| (d! volume).
    simplices: Vec<(Vec<usize>, Q)>,
}

/// The cells of an arrangement of hyperplanes inside a box.
#[derive(Clone, Debug)]
pub struct Arrangement {
    d: usize,
    /// The full-dimensional cells.
    pub cells: Vec<Cell>,
}

/// A bound on the simplices [`Arrangement::new`] may produce before the
/// checks refuse a box (about a second of exact arithmetic per degree-4
/// integral in a release build).
pub const MAX_CELL_WORK: u128 = 20_000;

/// An upper estimate of the simplices of the arrangement of `planes`
/// hyperplanes in a d-dimensional box: at most Σ_{k ≤ d} C(n, k) cells, each
/// with at most d! 2^d simplices.
pub fn cell_work(d: usize, planes: usize) -> u128 {
    let n = planes as u128;
    let mut cells: u128 = 0;
    let mut binom: u128 = 1;
    for k in 0..=d as u128 {
        cells = cells.saturating_add(binom);
        binom = binom.saturating_mul(n.saturating_sub(k)) / (k + 1);
    }
    let fact: u128 = (1..=d as u128).product();
    cells.saturating_mul(fact).saturating_mul(1 << d)
}

impl Arrangement {
    /// Splits the box ∏ [lo_i, hi_i] by every hyperplane with w ≠ 0 (the
    /// others cut nothing). Exact: the cells' vertices are rationals.
    pub fn new(lo: &[Q], hi: &[Q], planes: &[Hyperplane]) -> Self {
        let d = lo.len();
        let cutting: Vec<&Hyperplane> = planes.iter().filter(|p| p.w.iter().any(|w| !w.is_zero())).collect();
        // clip_side reads hyperplane j as the neuron (w_j, b_j) of a network.
        let theta = Theta {
            d,
            w: cutting.iter().flat_map(|p| p.w.iter().cloned()).collect(),
            b: cutting.iter().map(|p| p.b.clone()).collect(),
            v: vec![Q::zero(); cutting.len()],
            c: Q::zero(),
        };
        let mut polys = vec![box_polytope(lo, hi)];
        for j in 0..cutting.len() {
            let mut next = Vec::with_capacity(polys.len() * 2);
            for p in polys {
                match clip_side(&p, &theta, j, false, false) {
                    Piece::Whole | Piece::Empty => next.push(p),
                    Piece::Part(up) => {
                        if let Piece::Part(down) = clip_side(&p, &theta, j, true, false) {
                            next.push(down);
                        }
                        next.push(up);
                    }
                }
            }
            polys = next;
        }
        let cells = polys
            .into_iter()
            .map(|p| {
                let n = int(p.points.len() as i64);
                let interior = (0..d).map(|i| p.points.iter().fold(Q::zero(), |s, v| s + &v[i]) / &n).collect();
                let simplices = triangulate(&p)
                    .into_iter()
                    .map(|s| {
                        let vs: Vec<usize> = s.vertices.iter().map(|&v| v as usize).collect();
                        let det = determinant_of(&vs.iter().map(|&v| p.points[v].as_slice()).collect::<Vec<_>>());
                        (vs, det.abs())
                    })
                    .collect();
                Cell { vertices: p.points, interior, simplices }
            })
            .collect();
        Arrangement { d, cells }
    }

    /// The number of simplices over all cells.
    pub fn simplex_count(&self) -> usize {
        self.cells.iter().map(|c| c.simplices.len()).sum()
    }

    /// The quadrature nodes of a rule exact to `degree` on every simplex:
    /// (cell index, node, weight), with Σ weight · f(node) = ∫_box f for
    /// every f that is a polynomial of degree ≤ `degree` on each open cell.
    /// Every node lies strictly inside its cell.
    pub fn nodes(&self, degree: usize) -> Vec<(usize, Vec<Q>, Q)> {
        let rule = simplex_rule(self.d, degree.saturating_sub(1).div_ceil(2));
        let mut out = Vec::with_capacity(self.simplex_count() * rule.len());
        for (c, cell) in self.cells.iter().enumerate() {
            for (vs, det) in &cell.simplices {
                for (weight, bary) in &rule {
                    let x: Vec<Q> = (0..self.d)
                        .map(|i| vs.iter().zip(bary).fold(Q::zero(), |s, (&v, l)| s + l * &cell.vertices[v][i]))
                        .collect();
                    out.push((c, x, det * weight));
                }
            }
        }
        out
    }

    /// ∫_box f dx (Lebesgue) for N functions at once, exactly when each is a
    /// polynomial of degree ≤ `degree` on every open cell; `f` is called only
    /// at points strictly inside cells.
    pub fn integrate<const N: usize>(&self, degree: usize, mut f: impl FnMut(&[Q]) -> [Q; N]) -> [Q; N] {
        let mut acc: [Q; N] = std::array::from_fn(|_| Q::zero());
        for (_, x, weight) in self.nodes(degree) {
            for (s, y) in acc.iter_mut().zip(f(&x)) {
                *s += &weight * y;
            }
        }
        acc
    }
}

/// The Grundmann–Möller rule of degree 2s + 1 on the standard d-simplex:
/// (weight, barycentric coordinates) pairs (module documentation).
pub fn simplex_rule(d: usize, s: usize) -> Vec<(Q, Vec<Q>)> {
    let fact = |n: usize| (1..=n as i64).fold(Q::one(), |p, k| p * int(k));
    let mut out = Vec::new();
    for i in 0..=s {
        let r = (d + 2 * s + 1 - 2 * i) as i64;
        let mut weight =
            num_traits::pow(int(r), 2 * s + 1) / (num_traits::pow(int(4), s) * fact(i) * fact(d + 2 * s + 1 - i));
        if i % 2 == 1 {
            weight = -weight;
        }
        for beta in compositions(s - i, d + 1) {
            let bary = beta.iter().map(|&b| Q::new((2 * b as i64 + 1).into(), r.into())).collect();
            out.push((weight.clone(), bary));
        }
    }
    out
}

/// Every β ∈ ℕ^parts with |β| = total.
fn compositions(total: usize, parts: usize) -> Vec<Vec<usize>> {
    if parts == 1 {
        return vec![vec![total]];
    }
    let mut out = Vec::new();
    for first in 0..=total {
        for mut rest in compositions(total - first, parts - 1) {
            rest.insert(0, first);
            out.push(rest);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::parse::parse_rational;

    fn q(s: &str) -> Q {
        parse_rational(s).expect("literal")
    }

    fn fact(n: usize) -> Q {
        (1..=n as i64).fold(Q::one(), |p, k| p * int(k))
    }

    /// ∫_{T_d} λ^α = α! / (|α| + d)! (the Dirichlet integral), for every
    /// exponent α of λ_1..λ_d with |α| ≤ 2s + 1; one of degree 2s + 2 fails,
    /// so the test can tell a rule of lower degree.
    #[test]
    fn the_rule_is_exact_to_degree_two_s_plus_one() {
        for d in 1..=4 {
            for s in 0..=2 {
                let rule = simplex_rule(d, s);
                let mut beyond_fails = false;
                for alpha in (0..=2 * s + 2).flat_map(|k| compositions(k, d)) {
                    let k: usize = alpha.iter().sum();
                    let exact = alpha.iter().fold(Q::one(), |p, &a| p * fact(a)) / fact(k + d);
                    // λ_1..λ_d are the barycentric coordinates of v_1..v_d.
                    let approx = rule.iter().fold(Q::zero(), |acc, (w, bary)| {
                        acc + w * alpha
                            .iter()
                            .zip(&bary[1..])
                            .fold(Q::one(), |p, (&a, l)| p * num_traits::pow(l.clone(), a))
                    });
                    if k <= 2 * s + 1 {
                        assert_eq!(approx, exact, "d = {d}, s = {s}, alpha = {alpha:?}");
                    } else {
                        beyond_fails |= approx != exact;
                    }
                }
                assert!(beyond_fails, "d = {d}, s = {s}: some monomial of degree {} is not exact", 2 * s + 2);
            }
        }
    }

    #[test]
    fn nodes_are_strictly_inside() {
        for (_, bary) in simplex_rule(3, 2) {
            assert!(bary.iter().all(Signed::is_positive));
            assert_eq!(bary.iter().fold(Q::zero(), |s, l| s + l), Q::one());
        }
    }

    /// The cells tile the box: volume and moments up to degree 4 of the box,
    /// whatever the hyperplanes (through corners, parallel to faces, equal
    /// to each other, w = 0), and no node lies on a hyperplane.
    #[test]
    fn cells_tile_the_box_and_nodes_avoid_the_hyperplanes() {
        let lo = vec![q("-1"), q("0"), q("-1/2")];
        let hi = vec![q("1"), q("2"), q("3/2")];
        let plane = |w: [&str; 3], b: &str| Hyperplane { w: w.iter().map(|s| q(s)).collect(), b: q(b) };
        let planes = vec![
            plane(["1", "1", "0"], "-1"),   // through the corner (1, 0, ·) edge
            plane(["1", "1", "0"], "-1"),   // the same again
            plane(["0", "0", "1"], "0"),    // parallel to a face
            plane(["1", "-2", "3"], "1/3"), // general
            plane(["0", "0", "0"], "1"),    // w = 0: cuts nothing
        ];
        let arr = Arrangement::new(&lo, &hi, &planes);
        assert!(arr.cells.len() >= 4, "{} cells", arr.cells.len());
        let [vol, x0, x1x2, x0_4] = arr.integrate(4, |x| {
            for p in &planes[..4] {
                let z = p.w.iter().zip(x).fold(p.b.clone(), |s, (w, xi)| s + w * xi);
                assert!(!z.is_zero(), "a node on a hyperplane");
            }
            [Q::one(), x[0].clone(), &x[1] * &x[2], num_traits::pow(x[0].clone(), 4)]
        });
        assert_eq!(vol, int(8));
        assert_eq!(x0, Q::zero());
        assert_eq!(x1x2, int(2) * int(2) * int(2) * q("1/2")); // ∫x1 = 2, ∫x2 = 1, times 2 along x0
        assert_eq!(x0_4, q("2/5") * int(4)); // ∫_{-1}^1 x^4 = 2/5, times 2 · 2
    }

    #[test]
    fn a_piecewise_integrand_is_integrated_cell_by_cell() {
        // ∫ over [0, 1]² of relu(x + y − 1)² = ∫ over the triangle above the
        // diagonal of (x + y − 1)², which is 1/12.
        let lo = vec![q("0"), q("0")];
        let hi = vec![q("1"), q("1")];
        let arr = Arrangement::new(&lo, &hi, &[Hyperplane { w: vec![q("1"), q("1")], b: q("-1") }]);
        assert_eq!(arr.cells.len(), 2);
        let [v] = arr.integrate(2, |x| {
            let z = &x[0] + &x[1] - Q::one();
            [if z.is_positive() { &z * &z } else { Q::zero() }]
        });
        assert_eq!(v, q("1/12"));
    }

    /// Hand values, one per line: Σ_{k ≤ d} C(n, k) cells · d! · 2^d.
    /// (Objective shard 9/40 survivor: C(n, k + 1) = C(n, k)(n − k)/(k + 1)
    /// with · (k + 1) in place of / (k + 1) went unnoticed; d = 1 cannot
    /// see it, d = 2 and 3 do.)
    #[test]
    fn the_work_estimate_counts_cells_times_simplices_per_cell() {
        assert_eq!(cell_work(1, 5), 12); // (1 + 5) · 1 · 2
        assert_eq!(cell_work(2, 3), 56); // (1 + 3 + 3) · 2 · 4
        assert_eq!(cell_work(2, 10), 448); // (1 + 10 + 45) · 2 · 4
        assert_eq!(cell_work(3, 4), 720); // (1 + 4 + 6 + 4) · 6 · 8
        assert_eq!(cell_work(3, 2), 192); // (1 + 2 + 1 + 0) · 6 · 8
    }

    /// The cell count in the estimate is attained: three lines in general
    /// position, meeting pairwise inside the box, cut it into 1 + 3 + 3
    /// cells, and their simplices stay within the estimate.
    #[test]
    fn three_general_lines_cut_a_square_into_seven_cells() {
        let plane = |w: [&str; 2], b: &str| Hyperplane { w: w.iter().map(|s| q(s)).collect(), b: q(b) };
        // x = 1/2, y = 1/2 and x + y = 3/4 meet at (1/2, 1/2), (1/2, 1/4), (1/4, 1/2).
        let planes = [plane(["1", "0"], "-1/2"), plane(["0", "1"], "-1/2"), plane(["1", "1"], "-3/4")];
        let arr = Arrangement::new(&[q("0"), q("0")], &[q("1"), q("1")], &planes);
        assert_eq!(arr.cells.len(), 7);
        // A convex polygon with k vertices triangulates into k − 2
        // triangles. The cells: the square [1/2, 1]² (4 vertices), three
        // pentagons and three triangles: 2 + 3·3 + 3·1 = 14.
        assert_eq!(arr.simplex_count(), 14);
        let by_vertices: usize = arr.cells.iter().map(|c| c.vertices.len() - 2).sum();
        assert_eq!(by_vertices, 14);
        assert!(arr.simplex_count() as u128 <= cell_work(2, 3));
        // No plane: the square itself, two triangles.
        assert_eq!(Arrangement::new(&[q("0"), q("0")], &[q("1"), q("1")], &[]).simplex_count(), 2);
    }

    #[test]
    fn the_work_estimate_grows_with_planes_and_dimension() {
        assert_eq!(cell_work(2, 0), 8); // 1 cell · 2! · 4
        assert!(cell_work(2, 6) < cell_work(3, 6));
        assert!(cell_work(3, 3) < MAX_CELL_WORK);
        assert!(cell_work(4, 200) > MAX_CELL_WORK);
    }
}
