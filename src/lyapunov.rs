//! The Lyapunov function V (D5) and the balance quantities Q_j (C5).

use crate::model::Theta;
use crate::num::Scalar;
use crate::objective::Evaluation;

/// V(θ) = ‖θ‖² + (c − 2ξ)².
pub fn lyapunov<S: Scalar>(theta: &Theta<S>, xi: &S, ctx: &S::Ctx) -> S {
    let shift = theta.c.sub(&xi.add(xi));
    theta.norm2(ctx).add(&shift.sqr())
}

/// ∇V(θ) = 2θ + 2(c − 2ξ) e_c.
pub fn lyapunov_gradient<S: Scalar>(theta: &Theta<S>, xi: &S) -> Theta<S> {
    let mut g = theta.map(|x| x.add(x));
    let shift = theta.c.sub(&xi.add(xi));
    g.c = g.c.add(&shift.add(&shift));
    g
}

/// ∇V_p(θ) = (2w, 2b, 2p v, 4p(c − ξ)) for the Lyapunov function of a
/// p-homogeneous activation (E5),
/// V_p(θ) = Σ_j(‖w_j‖² + b_j²) + p Σ_j v_j² + 2p(c − ξ)², with ⟨∇V_p, G⟩ = 8pL.
/// For p = 1 it equals ∇V (V_1 = V − 2ξ²).
pub fn lyapunov_p_gradient<S: Scalar>(theta: &Theta<S>, xi: &S, p: u32, ctx: &S::Ctx) -> Theta<S> {
    let mut g = theta.map(|x| x.add(x));
    let two_p = S::from_i64(2 * i64::from(p), ctx);
    g.v.iter_mut().zip(&theta.v).for_each(|(gv, v)| *gv = two_p.mul(v));
    g.c = two_p.mul(&theta.c.sub(xi)).mul(&S::from_i64(2, ctx));
    g
}

/// Q_j = ‖w_j‖² + b_j² − v_j² for each neuron j.
pub fn balance<S: Scalar>(theta: &Theta<S>) -> Vec<S> {
    (0..theta.width())
        .map(|j| {
            let mut q = theta.b[j].sqr().sub(&theta.v[j].sqr());
            for w in theta.w_row(j) {
                q.add_assign(&w.sqr());
            }
            q
        })
        .collect()
}

/// ⟨∇Q_j, G⟩ = 2(⟨w_j, G_{w_j}⟩ + b_j G_{b_j} − v_j G_{v_j}) for each j.
pub fn balance_derivative<S: Scalar>(theta: &Theta<S>, g: &Theta<S>) -> Vec<S> {
    (0..theta.width())
        .map(|j| {
            let mut s = theta.b[j].mul(&g.b[j]).sub(&theta.v[j].mul(&g.v[j]));
            for (w, gw) in theta.w_row(j).iter().zip(g.w_row(j)) {
                s.add_assign(&w.mul(gw));
            }
            s.add(&s)
        })
        .collect()
}

/// Everything `eval` reports, computed in one pass from θ.
#[derive(Clone, Debug)]
pub struct Summary<S> {
    /// L(θ).
    pub risk: S,
    /// G(θ).
    pub gradient: Theta<S>,
    /// V(θ).
    pub lyapunov: S,
    /// ∇V(θ).
    pub lyapunov_gradient: Theta<S>,
    /// ⟨∇V(θ), G(θ)⟩.
    pub grad_v_dot_g: S,
    /// 8 L(θ).
    pub eight_risk: S,
    /// Q_j.
    pub balance: Vec<S>,
    /// ⟨∇Q_j, G⟩.
    pub balance_derivative: Vec<S>,
}

/// Builds the [`Summary`] from θ, ξ and an evaluation of L and G.
pub fn summarize<S: Scalar>(theta: &Theta<S>, xi: &S, ev: Evaluation<S>, ctx: &S::Ctx) -> Summary<S> {
    let grad_v = lyapunov_gradient(theta, xi);
    Summary {
        lyapunov: lyapunov(theta, xi, ctx),
        grad_v_dot_g: grad_v.dot(&ev.gradient, ctx),
        eight_risk: S::from_i64(8, ctx).mul(&ev.risk),
        balance: balance(theta),
        balance_derivative: balance_derivative(theta, &ev.gradient),
        lyapunov_gradient: grad_v,
        risk: ev.risk,
        gradient: ev.gradient,
    }
}
