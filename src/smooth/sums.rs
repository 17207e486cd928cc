//! L and G as weighted sums over atoms: the one computation behind the
//! empirical measures (atoms = sample points, weights p_i), Gauss–Legendre
//! quadrature (atoms = nodes, weights = quadrature weights) and the rigorous
//! panel enclosure (atoms = whole panels as intervals, weights = lengths).

use super::activation::sigma_and_slope;
use super::transcendental::Transcendental;
use crate::model::{Problem, Theta};
use crate::objective::Evaluation;
use std::cmp::Ordering;

/// One atom of a discrete (or discretised) measure.
#[derive(Clone, Debug)]
pub struct Atom<T> {
    /// The point x (d coordinates); an interval of points for panels.
    pub x: Vec<T>,
    /// Its weight.
    pub weight: T,
    /// The preactivations z_j = w_j·x + b_j, one per neuron.
    pub z: Vec<T>,
    /// The sign of each z_j over the atom, where decided (see
    /// [`sigma_and_slope`]).
    pub signs: Vec<Option<Ordering>>,
    /// f(x).
    pub target: T,
}

/// L = Σ_k ω_k e_k² and G (D4 with σ' the true derivative) as sums over the
/// atoms, e_k = c + Σ_j v_j σ(z_kj) − f(x_k):
///
///   G_{w_j,i} = 2 v_j Σ_k ω_k e_k σ'(z_kj) x_{k,i},  G_{b_j} = 2 v_j Σ_k ω_k e_k σ'(z_kj),
///   G_{v_j}   = 2 Σ_k ω_k e_k σ(z_kj),               G_c     = 2 Σ_k ω_k e_k
///
/// (G_c = 0 without output bias). Rounding is the backend's: round to nearest
/// for `rug::Float`, outward for intervals, where e_k² is the exact range of
/// the square so that L's enclosure is nonnegative.
pub fn weighted_evaluation<T: Transcendental>(
    atoms: &[Atom<T>],
    theta: &Theta<T>,
    problem: &Problem,
    ctx: &T::Ctx,
) -> Evaluation<T> {
    let (d, h) = (theta.d, theta.width());
    let zero = T::from_i64(0, ctx);
    let two = T::from_i64(2, ctx);
    let mut risk = zero.clone();
    let mut ex = vec![zero.clone(); h * d];
    let mut eb = vec![zero.clone(); h];
    let mut ev = vec![zero.clone(); h];
    let mut ec = zero.clone();
    let mut vals = Vec::with_capacity(h);
    for atom in atoms {
        vals.clear();
        let mut e = theta.c.sub(&atom.target);
        for j in 0..h {
            let (s, ds) =
                sigma_and_slope(&problem.activation, problem.derivative_at_zero, &atom.z[j], atom.signs[j], ctx);
            e.add_assign(&theta.v[j].mul(&s));
            vals.push((s, ds));
        }
        risk.add_assign(&atom.weight.mul(&e.square()));
        let pe = atom.weight.mul(&e);
        ec.add_assign(&pe);
        for (j, (s, ds)) in vals.iter().enumerate() {
            let ped = pe.mul(ds);
            for (k, xk) in atom.x.iter().enumerate() {
                ex[j * d + k].add_assign(&ped.mul(xk));
            }
            eb[j].add_assign(&ped);
            ev[j].add_assign(&pe.mul(s));
        }
    }
    let mut g = theta.map(|_| zero.clone());
    for j in 0..h {
        let v2 = two.mul(&theta.v[j]);
        for k in 0..d {
            g.w[j * d + k] = v2.mul(&ex[j * d + k]);
        }
        g.b[j] = v2.mul(&eb[j]);
        g.v[j] = two.mul(&ev[j]);
    }
    g.c = if problem.output_bias { two.mul(&ec) } else { zero };
    Evaluation { risk, gradient: g }
}
