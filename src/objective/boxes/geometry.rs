//! The combinatorics of box ∩ half-spaces, decided by an [`Ordered`] backend.
//!
//! A polytope P = box ∩ {z_j ≥ 0} (∩ {z_k ≥ 0}) with z_j(x) = w_j·x + b_j is
//! held as its vertices, each with the set of constraints tight at it (its
//! *incidence*, a bit mask: bit 2i is x_i = a_i, bit 2i + 1 is x_i = b_i,
//! bits [`PLANE_BIT`] and [`PLANE_BIT`]` + 1` the first and second cutting
//! hyperplane). Everything is decided from the incidences, which exact
//! arithmetic makes reliable also in degenerate position (a hyperplane
//! through a corner or through another's intersection with a face, two equal
//! hyperplanes, a hyperplane containing a face):
//!
//! * two vertices u, w span an edge iff no third vertex is tight at every
//!   constraint tight at both (the smallest face containing u and w is the
//!   set where those constraints are tight; a face with two vertices is an
//!   edge);
//! * clipping by {z ≥ 0} keeps the vertices with z ≥ 0 and adds, on every
//!   edge from z > 0 to z < 0, the point where z = 0, tight at the edge's
//!   constraints and the new hyperplane;
//! * the facets of a face F are the maximal sets {v ∈ F : constraint c tight
//!   at v} over the constraints c not tight on all of F (every face of a
//!   polytope {x : Ax ≤ b} is cut out by some of its constraints), so the
//!   *pulling* triangulation — cone from F's first vertex over the facets
//!   that miss it, recursively — needs no coordinates at all.
//!
//! Each vertex also records how to recompute it in another backend
//! ([`VertexSpec`]): which coordinates sit at a box end and which hyperplanes
//! (at most two) fix the rest.

use crate::model::Theta;
use crate::num::{Ordered, Scalar, Sign3};

/// The first hyperplane's bit in an incidence mask (the box's 2d facets take
/// bits 0..2d, d ≤ [`crate::model::case::MAX_BOX_DIM`]).
pub(crate) const PLANE_BIT: u32 = 16;

/// An incidence mask: room for the box's facets and 112 hyperplanes.
pub(crate) type Mask = u128;

/// Most hyperplanes that may cut one polytope (an arrangement cell).
pub const MAX_CUTS: usize = (Mask::BITS - PLANE_BIT) as usize;

/// How a vertex is computed from a, b and θ: coordinate i is a_i or b_i
/// where bit i of `fixed` is set (b_i where bit i of `upper` is set), and
/// the remaining (at most two) coordinates solve z_j(x) = 0 for the
/// hyperplanes in `planes`, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VertexSpec {
    /// Coordinates at a box end.
    pub fixed: u32,
    /// Of those, the ones at the upper end b_i.
    pub upper: u32,
    /// Neurons whose hyperplanes fix the free coordinates (as many as there
    /// are free coordinates).
    pub planes: Vec<usize>,
}

/// A polytope in an ordered backend: vertices, incidences, specs, and the
/// neurons of its cutting hyperplanes by incidence slot.
#[derive(Clone, Debug)]
pub(crate) struct Polytope<K> {
    pub points: Vec<Vec<K>>,
    pub tight: Vec<Mask>,
    pub specs: Vec<VertexSpec>,
    pub cuts: Vec<usize>,
}

/// The box ∏ [a_i, b_i]: 2^d corners, each tight at d facets.
pub(crate) fn box_polytope<K: Scalar>(a: &[K], b: &[K]) -> Polytope<K> {
    let d = a.len();
    let n = 1usize << d;
    let mut p = Polytope {
        points: Vec::with_capacity(n),
        tight: Vec::with_capacity(n),
        specs: Vec::with_capacity(n),
        cuts: Vec::new(),
    };
    let all = (1u32 << d) - 1;
    for corner in 0..n as u32 {
        let x = (0..d).map(|i| if corner >> i & 1 == 1 { b[i].clone() } else { a[i].clone() }).collect();
        let tight = (0..d).map(|i| 1 << (2 * i + (corner >> i & 1) as usize)).fold(0, |m: Mask, bit| m | bit);
        p.points.push(x);
        p.tight.push(tight);
        p.specs.push(VertexSpec { fixed: all, upper: corner, planes: Vec::new() });
    }
    p
}

/// z_j(x) = b_j + w_j·x (the empirical path's, in any backend).
pub(crate) use crate::objective::empirical::preactivation;

/// Whether vertices u and w of a polytope with incidences `tight` span an
/// edge.
fn adjacent_in(tight: &[Mask], u: usize, w: usize) -> bool {
    let common = tight[u] & tight[w];
    !(0..tight.len()).any(|z| z != u && z != w && tight[z] & common == common)
}

/// What a half-space {z_j ≥ 0} leaves of a polytope (P is the kind of
/// polytope, or for [`cut`] its combinatorics only).
pub(crate) enum Piece<P> {
    /// Nothing of positive volume (no vertex has z_j > 0).
    Empty,
    /// All of it (no vertex has z_j < 0).
    Whole,
    /// A proper part.
    Part(P),
}

impl<P> Piece<P> {
    /// The proper part transformed by `f`; `Empty` and `Whole` kept.
    pub(crate) fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Piece<Q> {
        match self {
            Piece::Empty => Piece::Empty,
            Piece::Whole => Piece::Whole,
            Piece::Part(p) => Piece::Part(f(p)),
        }
    }
}

/// The combinatorics of P ∩ {z ≥ 0}, in the order the clipped polytope lists
/// its vertices: first the kept vertices of P, then one new vertex per
/// crossed edge.
pub(crate) struct Cut {
    /// Vertices of P with z ≥ 0: (index in P, incidence in the clipped
    /// polytope: the new hyperplane's bit added where z = 0).
    pub kept: Vec<(usize, Mask)>,
    /// Edges (u, w) of P with z_u > 0 > z_w, and the incidence of the point
    /// on them where z = 0 (the edge's constraints and the new hyperplane).
    pub crossed: Vec<(usize, usize, Mask)>,
}

/// How {z ≥ 0} cuts a polytope with incidences `tight` and `cuts` cutting
/// hyperplanes so far, from the signs of z at its vertices alone. Both the
/// generic clip and the integer plan's clip (intplan.rs) decide through it,
/// so they decide alike. A vertex whose sign is undecided is neither kept
/// nor an end of a crossed edge.
pub(crate) fn cut(sign: &[Sign3], tight: &[Mask], cuts: usize) -> Piece<Cut> {
    if !sign.contains(&Sign3::Positive) {
        return Piece::Empty;
    }
    if !sign.contains(&Sign3::Negative) {
        return Piece::Whole;
    }
    let plane: Mask = 1 << (PLANE_BIT as usize + cuts);
    let kept = sign
        .iter()
        .enumerate()
        .filter_map(|(v, s)| match s {
            Sign3::Positive => Some((v, tight[v])),
            Sign3::Zero => Some((v, tight[v] | plane)),
            _ => None,
        })
        .collect();
    let mut crossed = Vec::new();
    let n = sign.len();
    for u in (0..n).filter(|&u| sign[u] == Sign3::Positive) {
        for w in (0..n).filter(|&w| sign[w] == Sign3::Negative) {
            if adjacent_in(tight, u, w) {
                crossed.push((u, w, (tight[u] & tight[w]) | plane));
            }
        }
    }
    Piece::Part(Cut { kept, crossed })
}

/// P ∩ {z_j ≥ 0} (at most two cuts per polytope), with vertex recipes.
pub(crate) fn clip<K: Ordered>(p: &Polytope<K>, theta: &Theta<K>, j: usize) -> Piece<Polytope<K>> {
    assert!(p.cuts.len() < 2, "at most two hyperplanes cut a polytope with vertex recipes");
    clip_side(p, theta, j, false, true)
}

/// P ∩ {z_j ≥ 0}, or P ∩ {z_j ≤ 0} when `flip`; vertex recipes only when
/// `recipes` (they exist for at most two cuts).
pub(crate) fn clip_side<K: Ordered>(
    p: &Polytope<K>,
    theta: &Theta<K>,
    j: usize,
    flip: bool,
    recipes: bool,
) -> Piece<Polytope<K>> {
    assert!(p.cuts.len() < MAX_CUTS, "at most {MAX_CUTS} hyperplanes cut one polytope");
    let z: Vec<K> = p
        .points
        .iter()
        .map(|x| {
            let z = preactivation(theta, j, x);
            if flip {
                z.neg()
            } else {
                z
            }
        })
        .collect();
    let sign: Vec<Sign3> = z.iter().map(Scalar::sign).collect();
    cut(&sign, &p.tight, p.cuts.len()).map(|c| {
        let mut cuts = p.cuts.clone();
        cuts.push(j);
        let mut out = Polytope { points: Vec::new(), tight: Vec::new(), specs: Vec::new(), cuts };
        for (v, tight) in c.kept {
            out.points.push(p.points[v].clone());
            out.tight.push(tight);
            if recipes {
                out.specs.push(p.specs[v].clone());
            }
        }
        for (u, w, tight) in c.crossed {
            // x = u + t (w − u) with t = z_u / (z_u − z_w) ∈ (0, 1).
            let t = z[u].div(&z[u].sub(&z[w]));
            let x: Vec<K> = p.points[u].iter().zip(&p.points[w]).map(|(xu, xw)| xu.add(&t.mul(&xw.sub(xu)))).collect();
            if recipes {
                out.specs.push(spec_of(tight, x.len(), &out.cuts, theta));
            }
            out.points.push(x);
            out.tight.push(tight);
        }
        out
    })
}

/// The recipe of a vertex from its incidence: the coordinates on a box
/// facet, and tight hyperplanes that fix the others — one with a nonzero
/// weight on the free coordinate, or two with a nonzero 2 × 2 minor on the
/// two free ones. They exist: the constraints tight at a vertex have rank d,
/// the box facets of distinct coordinates are independent, and at most two
/// hyperplanes cut the polytope, so at most two coordinates are free.
fn spec_of<K: Ordered>(tight: Mask, d: usize, cuts: &[usize], theta: &Theta<K>) -> VertexSpec {
    let w = |j: usize, i: usize| &theta.w[j * theta.d + i];
    spec_with(
        tight,
        d,
        cuts,
        |j, i| w(j, i).sign() != Sign3::Zero,
        |j, k, p, q| w(j, p).mul(w(k, q)).sub(&w(j, q).mul(w(k, p))).sign() != Sign3::Zero,
    )
}

/// [`spec_of`] given which weights w_ji are nonzero and which 2 × 2 minors
/// w_jp w_kq − w_jq w_kp are (the integer plan asks its scaled rows, whose
/// zeros are the same).
pub(crate) fn spec_with(
    tight: Mask,
    d: usize,
    cuts: &[usize],
    nonzero: impl Fn(usize, usize) -> bool,
    minor_nonzero: impl Fn(usize, usize, usize, usize) -> bool,
) -> VertexSpec {
    let (mut fixed, mut upper) = (0u32, 0u32);
    for i in 0..d {
        if tight >> (2 * i) & 1 == 1 {
            fixed |= 1 << i;
        } else if tight >> (2 * i + 1) & 1 == 1 {
            fixed |= 1 << i;
            upper |= 1 << i;
        }
    }
    let free: Vec<usize> = (0..d).filter(|i| fixed >> i & 1 == 0).collect();
    let tight_planes: Vec<usize> =
        (0..cuts.len()).filter(|&s| tight >> (PLANE_BIT as usize + s) & 1 == 1).map(|s| cuts[s]).collect();
    let planes = match free.as_slice() {
        [] => Vec::new(),
        [f] => {
            let j = tight_planes.iter().find(|&&j| nonzero(j, *f));
            vec![*j.expect("a vertex: a tight hyperplane fixes the free coordinate")]
        }
        [p, q] => {
            let (j, k) = match tight_planes.as_slice() {
                [j, k] => (*j, *k),
                _ => panic!("a vertex with two free coordinates lies on two hyperplanes"),
            };
            assert!(minor_nonzero(j, k, *p, *q), "a vertex: two tight hyperplanes fix the two free coordinates");
            vec![j, k]
        }
        _ => panic!("a vertex of box ∩ two half-spaces has at most two free coordinates"),
    };
    VertexSpec { fixed, upper, planes }
}

/// A simplex of a triangulation: d + 1 vertex indices and the sign of
/// det(v_1 − v_0, …, v_d − v_0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Simplex {
    /// Vertex indices into the polytope's vertex list.
    pub vertices: Vec<u16>,
    /// Whether the determinant is positive (else negative; flat simplices
    /// are dropped).
    pub positive: bool,
}

/// The pulling triangulation of a full-dimensional polytope (see the module
/// documentation), with each simplex's orientation decided in `K`.
pub(crate) fn triangulate<K: Ordered>(p: &Polytope<K>) -> Vec<Simplex> {
    pulling_simplices(p)
        .into_iter()
        .filter_map(|vs| {
            let s = determinant_of(&vs.iter().map(|&v| p.points[v].as_slice()).collect::<Vec<_>>()).sign();
            let positive = match s {
                Sign3::Positive => true,
                Sign3::Negative => false,
                _ => return None,
            };
            Some(Simplex { vertices: vs.into_iter().map(|v| v as u16).collect(), positive })
        })
        .collect()
}

/// The vertex sets of the pulling triangulation of [`triangulate`], before
/// orientation (flat simplices included), for callers that decide the
/// orientations by other exact means.
pub(crate) fn pulling_simplices<K>(p: &Polytope<K>) -> Vec<Vec<usize>> {
    pulling_of(&p.tight)
}

/// [`pulling_simplices`] of the polytope with vertex incidences `tight`.
pub(crate) fn pulling_of(tight: &[Mask]) -> Vec<Vec<usize>> {
    let mut raw = Vec::new();
    if tight.len() <= VertexSet::BITS as usize {
        let all = VertexSet::MAX >> (VertexSet::BITS as usize - tight.len());
        pull_sets(tight, all, &mut Vec::new(), &mut raw);
    } else {
        let all: Vec<usize> = (0..tight.len()).collect();
        pull(tight, &all, &mut Vec::new(), &mut raw);
    }
    raw
}

/// A set of at most 128 vertices by index, for [`pull_sets`].
type VertexSet = u128;

/// [`pull`] with faces as vertex bit sets instead of sorted index lists:
/// the same facets in the same order and the same apexes (a face's first
/// vertex is its lowest index), so the same simplices, without allocating
/// a list per candidate facet.
fn pull_sets(tight: &[Mask], face: VertexSet, apexes: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    let apex = face.trailing_zeros() as usize;
    if face.count_ones() == 1 {
        let mut s = apexes.clone();
        s.push(apex);
        out.push(s);
        return;
    }
    let members = || (0..tight.len()).filter(move |&v| face >> v & 1 == 1);
    let common = members().fold(Mask::MAX, |m, v| m & tight[v]);
    let bits = members().fold(0, |m: Mask, v| m | tight[v]) & !common;
    // Candidate facets in order of their first constraint, without repeats.
    let mut candidates: Vec<VertexSet> = Vec::new();
    let mut rest = bits;
    while rest != 0 {
        let c = rest.trailing_zeros();
        rest &= rest - 1;
        let g = members().filter(|&v| tight[v] >> c & 1 == 1).fold(0, |m: VertexSet, v| m | 1 << v);
        if !candidates.contains(&g) {
            candidates.push(g);
        }
    }
    apexes.push(apex);
    for (i, &g) in candidates.iter().enumerate() {
        let maximal = !candidates.iter().enumerate().any(|(k, &h)| k != i && g != h && g & h == g);
        if maximal && g >> apex & 1 == 0 {
            pull_sets(tight, g, apexes, out);
        }
    }
    apexes.pop();
}

/// Appends to `out` the simplices `apexes + σ` for σ in the pulling
/// triangulation of the face with vertex set `face`.
fn pull(tight: &[Mask], face: &[usize], apexes: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    if face.len() == 1 {
        let mut s = apexes.clone();
        s.push(face[0]);
        out.push(s);
        return;
    }
    let common = face.iter().fold(Mask::MAX, |m, &v| m & tight[v]);
    let apex = face[0];
    // Candidate facets: for each constraint not tight on the whole face, the
    // vertices of the face tight at it; the facets are the maximal ones.
    let mut candidates: Vec<Vec<usize>> = Vec::new();
    let bits = face.iter().fold(0, |m: Mask, &v| m | tight[v]) & !common;
    for c in (0..Mask::BITS).filter(|c| bits >> c & 1 == 1) {
        let g: Vec<usize> = face.iter().copied().filter(|&v| tight[v] >> c & 1 == 1).collect();
        if !candidates.contains(&g) {
            candidates.push(g);
        }
    }
    let subset = |x: &[usize], y: &[usize]| x.len() < y.len() && x.iter().all(|v| y.contains(v));
    apexes.push(apex);
    for (i, g) in candidates.iter().enumerate() {
        let maximal = !candidates.iter().enumerate().any(|(k, h)| k != i && subset(g, h));
        if maximal && !g.contains(&apex) {
            pull(tight, g, apexes, out);
        }
    }
    apexes.pop();
}

/// det(v_1 − v_0, …, v_d − v_0) by cofactor expansion (d ≤ 6: at most 720
/// products, no division, so interval backends stay tight).
pub(crate) fn determinant_of<S: Scalar>(vs: &[&[S]]) -> S {
    let d = vs.len() - 1;
    let rows: Vec<Vec<S>> = vs[1..].iter().map(|v| v.iter().zip(vs[0]).map(|(x, o)| x.sub(o)).collect()).collect();
    let cols: Vec<usize> = (0..d).collect();
    cofactor(&rows, 0, &cols)
}

/// The determinant of rows[r..] restricted to `cols`, by expansion along row r.
fn cofactor<S: Scalar>(rows: &[Vec<S>], r: usize, cols: &[usize]) -> S {
    if cols.len() == 1 {
        return rows[r][cols[0]].clone();
    }
    if cols.len() == 2 {
        return rows[r][cols[0]].mul(&rows[r + 1][cols[1]]).sub(&rows[r][cols[1]].mul(&rows[r + 1][cols[0]]));
    }
    let mut acc: Option<S> = None;
    for (k, &c) in cols.iter().enumerate() {
        if rows[r][c].sign() == Sign3::Zero {
            continue;
        }
        let rest: Vec<usize> = cols.iter().copied().filter(|&x| x != c).collect();
        let term = rows[r][c].mul(&cofactor(rows, r + 1, &rest));
        acc = Some(match (acc, k % 2 == 0) {
            (None, true) => term,
            (None, false) => term.neg(),
            (Some(a), true) => a.add(&term),
            (Some(a), false) => a.sub(&term),
        });
    }
    acc.unwrap_or_else(|| rows[r][cols[0]].sub(&rows[r][cols[0]]))
}

/// The full-dimensional cells of the arrangement of the hyperplanes
/// z_j = 0 (w_j ≠ 0) inside the box, as vertex lists: the box split by one
/// hyperplane after another. O(cells · H) clips; for decisive test points
/// and references, not for the hot path.
///
/// # Panics
/// If more than [`MAX_CUTS`] hyperplanes cut one cell.
pub fn arrangement_cells<K: Ordered>(a: &[K], b: &[K], theta: &Theta<K>) -> Vec<Vec<Vec<K>>> {
    let mut cells = vec![box_polytope(a, b)];
    for j in 0..theta.width() {
        if theta.w_row(j).iter().all(|w| w.sign() == Sign3::Zero) {
            continue;
        }
        let mut next = Vec::with_capacity(cells.len() * 2);
        for cell in cells {
            match clip_side(&cell, theta, j, false, false) {
                Piece::Whole => next.push(cell),
                Piece::Empty => next.push(cell),
                Piece::Part(up) => {
                    if let Piece::Part(down) = clip_side(&cell, theta, j, true, false) {
                        next.push(down);
                    }
                    next.push(up);
                }
            }
        }
        cells = next;
    }
    cells.into_iter().map(|c| c.points).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use crate::num::BigRational;

    /// The bit-set pulling gives the index-list one's simplices, in order,
    /// on boxes cut by up to three (often degenerate) hyperplanes.
    #[test]
    fn pulling_by_sets_is_pulling_by_lists() {
        let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        let mut rng = Rng::new(0x9011);
        let mut seen = 0;
        for round in 0..60 {
            let d = 2 + round % 3;
            let a = vec![q(-1, 1); d];
            let b = vec![q(1, 1); d];
            let h = 3;
            let w = (0..d * h).map(|_| q(rng.range(-2, 2), 1)).collect();
            let bias = (0..h).map(|_| q(rng.range(-1, 1), rng.range(1, 2))).collect();
            let th = Theta { d, w, b: bias, v: Vec::new(), c: q(0, 1) };
            let mut p = box_polytope(&a, &b);
            for j in 0..h {
                let all: Vec<usize> = (0..p.tight.len()).collect();
                let mut lists = Vec::new();
                pull(&p.tight, &all, &mut Vec::new(), &mut lists);
                assert_eq!(pulling_of(&p.tight), lists, "round {round}, cut {j}");
                seen += 1;
                if let Piece::Part(next) = clip_side(&p, &th, j, rng.chance(1, 2), false) {
                    p = next;
                }
            }
        }
        assert!(seen >= 180);
    }

    /// [0, 1] cut at k/(n + 1) for k = 1..n: the rightmost cell has been cut
    /// by all n hyperplanes.
    fn nested_cuts(n: i64) -> Vec<Vec<Vec<BigRational>>> {
        let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        let th = Theta {
            d: 1,
            w: vec![q(1, 1); n as usize],
            b: (1..=n).map(|k| q(-k, n + 1)).collect(),
            v: Vec::new(),
            c: q(0, 1),
        };
        arrangement_cells(&[q(0, 1)], &[q(1, 1)], &th)
    }

    /// The guard sits exactly at the incidence mask's capacity: MAX_CUTS
    /// hyperplanes may cut one polytope (the last takes the mask's top bit),
    /// one more is refused by the guard before a shift past 128 bits
    /// (objective shard 7/40 survivor: MAX_CUTS = 128 + 16 let the guard
    /// pass where the mask had no room).
    #[test]
    fn one_polytope_takes_as_many_cuts_as_its_mask_has_bits() {
        // 128 mask bits, of which the box's facets take the first 16.
        let cells = nested_cuts(112);
        assert_eq!(cells.len(), 113);
        let more = std::panic::catch_unwind(|| nested_cuts(113));
        let message = more.expect_err("one cut too many").downcast::<String>().map(|s| *s).unwrap_or_default();
        assert_eq!(message, "at most 112 hyperplanes cut one polytope");
    }
}
