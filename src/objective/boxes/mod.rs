//! Exact L and G for the Lebesgue measure and the uniform probability on a
//! box ∏_i [a_i, b_i] ⊂ ℝ^d, d ≥ 2 (D2 widened), by pairs of neurons.
//!
//! Write z_j(x) = w_j·x + b_j and D_j for neuron j's *derivative set*: the
//! box ∩ {z_j > 0} when w_j ≠ 0 (its boundary is μ-null, so > or ≥ does not
//! matter), and for w_j = 0 all of the box if b_j > 0 (or b_j = 0 under the
//! closed σ'(0) convention), none of it otherwise — the d = 1 paths' rule.
//! For σ = ReLU, leaky ReLU with slope α and |z| (α = −1) alike,
//!
//!   σ(z_j) = α z_j + β z_j 1_{D_j},   σ'(z_j) = α + β 1_{D_j},   β = 1 − α,
//!
//! (ReLU: α = 0) with σ'(0) the convention's on the μ-null set z_j = 0. So
//! e = N − f = g + β Σ_k v_k z_k 1_{D_k} with the affine g = c − f + α Σ_k v_k
//! z_k (f constant or affine), and every integral of D3–D4 is a sum of
//! integrals of products of two affine functions over the convex polytopes
//! box, D_j and P_jk = D_j ∩ D_k (j < k):
//!
//!   A_j(φ) = ∫_{D_j} e φ = ∫_{D_j} g φ + β Σ_k v_k ∫_{P_jk} z_k φ,
//!   B(φ)   = ∫ e φ       = ∫ g φ + β Σ_k v_k ∫_{D_k} z_k φ,        φ ∈ {1, x_1, …, x_d},
//!   G_{w_j} = 2 v_j (α B(x) + β A_j(x)),  G_{b_j} = 2 v_j (α B(1) + β A_j(1)),
//!   G_{v_j} = 2 (α B(z_j) + β A_j(z_j)),  G_c = 2 B(1),
//!   L = ∫ g² + 2β Σ_k v_k ∫_{D_k} g z_k + β² Σ_{j,k} v_j v_k ∫_{P_jk} z_j z_k.
//!
//! Each polytope enters only through its moment matrix M_{pq} = ∫ φ_p φ_q
//! (φ_0 = 1, φ_i = x_i): ∫ ℓ ℓ′ = ℓ^T M ℓ′ for affine ℓ, ℓ′ written as
//! coefficient vectors. M is summed over the simplices of a triangulation
//! ([`moments`]). There are O(H²) polytopes, each cut from the box by at most
//! two hyperplanes, so no arrangement of all H hyperplanes is ever built:
//! the cost is O(H² · T_d) with T_d the cost of one box ∩ two half-spaces
//! (its vertex count grows like 2^d, its triangulation like d! simplices).
//!
//! The combinatorics (which vertices, which simplices, their orientation) is
//! decided once by an [`Ordered`] backend ([`BoxPlan::new`]); the arithmetic
//! (vertices from a, b and θ, moments, sums) runs in any [`Scalar`] backend,
//! so interval enclosures follow the exact decisions. Exact backends take
//! `boxes/exact.rs`: the same sums in integer arithmetic, with one reduction per
//! result instead of one per operation. Every backend with exact values (and
//! a finite float is a dyadic rational) decides the plan in
//! `boxes/intplan.rs`: the same clipping in homogeneous integer coordinates,
//! the vertices handed on as integers over one denominator, so floats, too,
//! integrate along exact decisions.
//!
//! ReLU^p (degree 2p integrands) takes the cell-by-cell path of [`powers`];
//! smooth activations are refused on boxes before evaluation.

pub mod cells;
mod exact;
pub mod geometry;
mod int;
mod intplan;
pub(crate) mod moments;
pub mod powers;

use crate::model::{Activation, Prepared, Target, Theta};
use crate::num::{BigRational, Guarantee, Ordered, Scalar, Sign3};
pub use exact::ExactVertices;
use geometry::{box_polytope, clip, pulling_simplices, triangulate, Piece, Polytope, Simplex, VertexSpec};
use moments::MomentMatrix;

/// The plan of one polytope: how to compute its vertices, and its simplices.
#[derive(Clone, Debug)]
pub struct PolytopePlan {
    /// Vertex recipes.
    pub vertices: Vec<VertexSpec>,
    /// A triangulation.
    pub simplices: Vec<Simplex>,
    /// The vertices as the deciding backend computed them, when it holds
    /// exact values (rationals; floats are dyadic rationals): the backend
    /// of the arithmetic then starts from these (an enclosure of an exact
    /// vertex is rigorous) instead of solving for them again.
    pub known: Option<ExactVertices>,
}

/// The combinatorial part of a box evaluation: the distinct polytopes and,
/// for every neuron and pair of neurons, which of them is its D_j or P_jk
/// (`None`: empty interior).
#[derive(Clone, Debug)]
pub struct BoxPlan {
    /// Distinct polytopes; index 0 is the whole box.
    pub polytopes: Vec<PolytopePlan>,
    /// D_j for each neuron.
    pub single: Vec<Option<usize>>,
    /// P_jk for j < k, row by row: (0,1), (0,2), …, (1,2), ….
    pub pair: Vec<Option<usize>>,
}

/// Index of (j, k), j < k, in [`BoxPlan::pair`] for width h.
fn pair_index(h: usize, j: usize, k: usize) -> usize {
    j * h - j * (j + 1) / 2 + (k - j - 1)
}

/// The bookkeeping of a box plan, shared by the generic route
/// ([`BoxPlan::decided`] deciding in `K`) and the integer one ([`intplan`]):
/// D_j is the box (index 0), nothing, or the box cut by neuron j; P_jk is
/// D_j cut by neuron k, or D_j or D_k when one of them is the whole box.
/// `flat(j)` is `Some(covers)` for a neuron with w_j = 0 (whether its D_j
/// is the whole box), `None` otherwise; `cut(p, j)` clips a polytope by
/// {z_j > 0}; `plan_of` records a polytope's plan.
pub(super) fn assemble<P>(
    h: usize,
    whole: P,
    flat: impl Fn(usize) -> Option<bool>,
    cut: impl Fn(&P, usize) -> Piece<P>,
    plan_of: impl Fn(&P) -> PolytopePlan,
) -> BoxPlan {
    let mut polytopes = vec![plan_of(&whole)];
    let mut parts: Vec<Option<P>> = (0..h).map(|_| None).collect();
    let mut single = vec![None; h];
    for j in 0..h {
        single[j] = match flat(j) {
            Some(covers) => covers.then_some(0),
            None => match cut(&whole, j) {
                Piece::Empty => None,
                Piece::Whole => Some(0),
                Piece::Part(p) => {
                    polytopes.push(plan_of(&p));
                    parts[j] = Some(p);
                    Some(polytopes.len() - 1)
                }
            },
        };
    }
    let mut pair = Vec::with_capacity(h * h.saturating_sub(1) / 2);
    for j in 0..h {
        for k in j + 1..h {
            let (sj, sk) = (single[j], single[k]);
            pair.push(match (sj, sk, &parts[j]) {
                (None, _, _) | (_, None, _) => None,
                (Some(0), _, _) => sk,
                (_, Some(0), _) => sj,
                (_, _, Some(pj)) => match cut(pj, k) {
                    Piece::Empty => None,
                    Piece::Whole => sj,
                    Piece::Part(p) => {
                        polytopes.push(plan_of(&p));
                        Some(polytopes.len() - 1)
                    }
                },
                (_, _, None) => unreachable!("a proper part D_j has its polytope"),
            });
        }
    }
    BoxPlan { polytopes, single, pair }
}

/// The slopes (α, β) of the linear and ReLU parts of σ = α z + β relu(z),
/// or `None` for an activation this path does not integrate.
pub fn split_activation(act: &Activation) -> Option<(BigRational, BigRational)> {
    let one = BigRational::from_integer(1.into());
    let alpha = match act {
        Activation::Relu => BigRational::from_integer(0.into()),
        Activation::LeakyRelu(a) => a.clone(),
        Activation::Abs => BigRational::from_integer((-1).into()),
        _ => return None,
    };
    Some((alpha.clone(), one - alpha))
}

/// Whether boxes integrate σ exactly: by pairs of neurons (σ = αz +
/// (1 − α) relu z) or cell by cell (ReLU², ReLU³, [`powers`]).
pub fn integrates(act: &Activation) -> bool {
    split_activation(act).is_some() || matches!(act, Activation::ReluPow(2 | 3))
}

/// Why the box path cannot evaluate a problem, or `None` if it can.
pub fn unsupported(problem: &crate::model::Problem) -> Option<String> {
    if !integrates(&problem.activation) {
        return Some(format!(
            "the activation {} is not integrated exactly over boxes yet (supported for d >= 2: relu, leaky_relu, abs, relu2, relu3); use d = 1 or an empirical measure",
            problem.activation.name()
        ));
    }
    match problem.target {
        Target::Constant(_) | Target::Affine { .. } => None,
        _ => Some(format!(
            "the target {} is not supported on boxes (constant or affine targets only)",
            problem.target.name()
        )),
    }
}

/// A cost estimate of one box evaluation in simplices: H(H+1)/2 polytopes
/// of about d! 2^d / 2 simplices each (the box's triangulation has d!).
pub fn work_estimate(d: usize, h: usize) -> u128 {
    let fact: u128 = (1..=d as u128).product();
    (h as u128) * (h as u128 + 1) / 2 * fact * (1u128 << d) / 2
}

/// Most simplices [`work_estimate`] may reach before case files are refused:
/// about 4·10⁶, a minute or so of exact arithmetic (d = 2: H ≈ 1400; d = 3:
/// H ≈ 580; d = 4: H ≈ 200).
pub const MAX_WORK: u128 = 4_000_000;

impl BoxPlan {
    /// Decides every polytope's vertices, triangulation and orientations.
    ///
    /// The decisions are exact whenever θ and the box ends are exact numbers
    /// in `K`, which holds for every finite value of every ordered backend
    /// (rationals, and floats, which are dyadic rationals): they are made on
    /// those rationals in integer arithmetic ([`intplan`]). Floats therefore
    /// integrate along the exact geometry of their own θ. Deciding in the
    /// floats themselves is unreliable in degenerate position: with two
    /// equal hyperplanes, rounded vertices of one land on either side of the
    /// other, and the resulting incidences describe no polytope (this once
    /// made `eval --backend f64` panic; the case is in tests/regressions/).
    ///
    /// # Panics
    /// If the prepared problem has no box (callers route boxes here only).
    pub fn new<K: Ordered>(theta: &Theta<K>, prep: &Prepared<K>) -> Self {
        let (a, b) = prep.box_ends.as_ref().expect("a box measure");
        let closed = prep.problem.derivative_at_zero == crate::model::DerivativeAtZero::Closed
            || super::fault::is(super::fault::Fault::ClosedUnderOpen);
        let q = |x: &[K]| x.iter().map(Scalar::to_rational).collect::<Option<Vec<_>>>();
        if let (Some(a), Some(b), Some(w), Some(bias)) = (q(a), q(b), q(&theta.w), q(&theta.b)) {
            let th = Theta { d: theta.d, w, b: bias, v: Vec::new(), c: BigRational::from_integer(0.into()) };
            return intplan::plan(&a, &b, &th, closed);
        }
        Self::decided(theta, a, b, closed, K::guarantee(&prep.ctx) == Guarantee::Exact)
    }

    /// [`BoxPlan::new`] decided in `K` itself (the reference for
    /// [`intplan`], and the route of values that are not exact numbers,
    /// such as a float NaN or infinity).
    fn decided<K: Ordered>(theta: &Theta<K>, a: &[K], b: &[K], closed: bool, exact: bool) -> Self {
        let flat = |j: usize| {
            theta.w_row(j).iter().all(|w| w.sign() == Sign3::Zero).then(|| match theta.b[j].sign() {
                Sign3::Positive => true,
                Sign3::Zero => closed,
                _ => false,
            })
        };
        let cut = |p: &Polytope<K>, j: usize| clip(p, theta, j);
        assemble(theta.width(), box_polytope(a, b), flat, cut, |p| plan_of(p, exact))
    }

    /// How many simplices the plan integrates over (a measure of its cost).
    pub fn simplex_count(&self) -> usize {
        self.polytopes.iter().map(|p| p.simplices.len()).sum()
    }
}

/// The plan of one polytope. With `exact` (a deciding backend of exact
/// arithmetic) the simplices' orientations are the signs of the same
/// determinants in integer arithmetic ([`exact::oriented`]), which is much
/// cheaper than in rationals; otherwise the backend decides them.
fn plan_of<K: Ordered>(p: &Polytope<K>, exact: bool) -> PolytopePlan {
    let known: Option<ExactVertices> = p
        .points
        .iter()
        .map(|x| x.iter().map(Scalar::to_rational).collect())
        .collect::<Option<Vec<Vec<BigRational>>>>()
        .map(|x| ExactVertices::from_rationals(&x));
    let simplices = match &known {
        Some(k) if exact => exact::oriented(pulling_simplices(p), k),
        _ => triangulate(p),
    };
    PolytopePlan { vertices: p.specs.clone(), simplices, known }
}

/// v·M·u for coefficient vectors, i.e. ∫ ℓ ℓ′ given y = M ℓ′: Σ_p ℓ_p y_p.
fn dot<S: Scalar>(l: &[S], y: &[S]) -> S {
    let mut s = l[0].mul(&y[0]);
    for (a, b) in l[1..].iter().zip(&y[1..]) {
        s.add_assign(&a.mul(b));
    }
    s
}

/// z_j as the coefficient vector (b_j, w_j1, …, w_jd).
fn affine_of<S: Scalar>(theta: &Theta<S>, j: usize) -> Vec<S> {
    let mut z = Vec::with_capacity(theta.d + 1);
    z.push(theta.b[j].clone());
    z.extend(theta.w_row(j).iter().cloned());
    z
}

/// L(θ) and G(θ) along a box plan, normalised for the uniform probability.
pub(crate) fn box_integrals<S: Scalar>(plan: &BoxPlan, prep: &Prepared<S>, theta: &Theta<S>) -> (S, Theta<S>) {
    // Exact backends: the same values in integer arithmetic ([`exact`]),
    // several times faster than field operations that reduce every result.
    if S::guarantee(&prep.ctx) == Guarantee::Exact {
        if let Some(out) = exact::integrals(plan, prep, theta) {
            return out;
        }
    }
    generic_integrals(plan, prep, theta)
}

/// [`box_integrals`] in the backend's own arithmetic: how non-exact backends
/// (floats, enclosures) evaluate, and the reference for [`exact`].
pub(crate) fn generic_integrals<S: Scalar>(plan: &BoxPlan, prep: &Prepared<S>, theta: &Theta<S>) -> (S, Theta<S>) {
    let ctx = &prep.ctx;
    let (a, b) = prep.box_ends.as_ref().expect("a box measure");
    let d = theta.d;
    let h = theta.width();
    let zero = S::from_i64(0, ctx);
    let two = S::from_i64(2, ctx);
    let (alpha_q, beta_q) = split_activation(&prep.problem.activation).expect("an activation of the box path");
    let (alpha, beta) = (S::from_rational(&alpha_q, ctx), S::from_rational(&beta_q, ctx));
    let linear = alpha.sign() != Sign3::Zero;
    let m: Vec<MomentMatrix<S>> = plan.polytopes.iter().map(|p| moments::moment_matrix(p, a, b, theta, ctx)).collect();
    // g = c − f + α Σ_k v_k z_k.
    let mut g = vec![zero.clone(); d + 1];
    g[0] = theta.c.clone();
    match &prep.problem.target {
        Target::Constant(_) => g[0].sub_assign(&prep.xi),
        Target::Affine { slope, intercept } => {
            g[0].sub_assign(&S::from_rational(intercept, ctx));
            for (gi, s) in g[1..].iter_mut().zip(slope) {
                gi.sub_assign(&S::from_rational(s, ctx));
            }
        }
        _ => panic!("the box path takes constant and affine targets"),
    }
    let z: Vec<Vec<S>> = (0..h).map(|j| affine_of(theta, j)).collect();
    if linear {
        for (j, zj) in z.iter().enumerate() {
            let av = alpha.mul(&theta.v[j]);
            for (gi, zi) in g.iter_mut().zip(zj) {
                gi.add_assign(&av.mul(zi));
            }
        }
    }
    // zs_k = β v_k z_k: the ReLU part of neuron k's contribution to e.
    let zs: Vec<Option<Vec<S>>> = (0..h)
        .map(|k| {
            let bv = beta.mul(&theta.v[k]);
            (bv.sign() != Sign3::Zero).then(|| z[k].iter().map(|x| bv.mul(x)).collect())
        })
        .collect();
    // Terms of A_j (d + 1 each), B (d + 1) and L, summed once at the end.
    let mut a_terms: Vec<Vec<Vec<S>>> = vec![vec![Vec::new(); d + 1]; h];
    let mut b_terms: Vec<Vec<S>> = vec![Vec::new(); d + 1];
    let mut l_terms: Vec<S> = Vec::new();
    let push = |acc: &mut Vec<Vec<S>>, y: Vec<S>| {
        for (t, yi) in acc.iter_mut().zip(y) {
            t.push(yi);
        }
    };
    let yg = m[0].apply(&g);
    l_terms.push(dot(&g, &yg));
    push(&mut b_terms, yg.clone());
    for j in 0..h {
        let Some(pj) = plan.single[j] else { continue };
        if let Some(zj) = &zs[j] {
            let u = m[pj].apply(zj);
            let mut lj = two.mul(&dot(&g, &u));
            lj.add_assign(&dot(zj, &u));
            l_terms.push(lj);
            push(&mut b_terms, u.clone());
            push(&mut a_terms[j], u);
        }
        push(&mut a_terms[j], if pj == 0 { yg.clone() } else { m[pj].apply(&g) });
    }
    for j in 0..h {
        for k in j + 1..h {
            let Some(p) = plan.pair[pair_index(h, j, k)] else { continue };
            if let Some(zk) = &zs[k] {
                let yk = m[p].apply(zk);
                if let Some(zj) = &zs[j] {
                    l_terms.push(two.mul(&dot(zj, &yk)));
                }
                push(&mut a_terms[j], yk);
            }
            if let Some(zj) = &zs[j] {
                push(&mut a_terms[k], m[p].apply(zj));
            }
        }
    }
    let bsum: Vec<S> = b_terms.into_iter().map(|t| S::sum_all(t, ctx)).collect();
    let mut risk = S::sum_all(l_terms, ctx);
    let mut grad = theta.map(|_| zero.clone());
    for (j, terms) in a_terms.into_iter().enumerate() {
        // σ'-weighted ∫ e φ: α B(φ) + β A_j(φ).
        let mut s: Vec<S> = terms.into_iter().map(|t| S::sum_all(t, ctx).mul(&beta)).collect();
        if linear {
            for (sq, bq) in s.iter_mut().zip(&bsum) {
                sq.add_assign(&alpha.mul(bq));
            }
        }
        let v2 = two.mul(&theta.v[j]);
        grad.b[j] = v2.mul(&s[0]);
        for i in 0..d {
            grad.w[j * d + i] = v2.mul(&s[i + 1]);
        }
        grad.v[j] = two.mul(&dot(&z[j], &s));
    }
    grad.c = two.mul(&bsum[0]);
    // The moment matrices were scaled by C = d! (d+1) (d+2); undo it (and
    // normalise the uniform law) once, on the results.
    let scale = S::from_i64(moments::scale(d), ctx);
    let k = match &prep.normaliser {
        Some(k) => k.div(&scale),
        None => S::from_i64(1, ctx).div(&scale),
    };
    risk = risk.mul(&k);
    grad = grad.map(|x| x.mul(&k));
    (risk, grad)
}
