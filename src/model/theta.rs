//! Parameters θ in the papers' layout (D1).

use crate::num::Scalar;

/// Network parameters θ = (w_{1,1..d}, …, w_{H,1..d}, b_1..b_H, v_1..v_H, c),
/// so θ ∈ ℝ^𝔡 with 𝔡 = dH + 2H + 1. Realisation
/// N^θ(x) = c + Σ_j v_j σ(w_j·x + b_j).
#[derive(Clone, Debug, PartialEq)]
pub struct Theta<S> {
    /// Input dimension d ≥ 1.
    pub d: usize,
    /// Inner weights, neuron-major: `w[j*d + i]` is w_{j+1, i+1}.
    pub w: Vec<S>,
    /// Inner biases b_1..b_H.
    pub b: Vec<S>,
    /// Outer weights v_1..v_H.
    pub v: Vec<S>,
    /// Output bias c.
    pub c: S,
}

impl<S: Scalar> Theta<S> {
    /// Width H.
    pub fn width(&self) -> usize {
        self.b.len()
    }
    /// 𝔡 = dH + 2H + 1, the number of parameters.
    pub fn len(&self) -> usize {
        self.w.len() + 2 * self.b.len() + 1
    }
    /// Always false: θ always has the output bias c.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// Sets w_j = 0 (every coordinate), so neuron j's preactivation is the
    /// constant b_j: with b_j = 0 too it is degenerate.
    pub fn zero_inner_weights(&mut self, j: usize, zero: &S) {
        let d = self.d;
        self.w[j * d..(j + 1) * d].iter_mut().for_each(|w| *w = zero.clone());
    }
    /// The inner weight vector w_j (0-based `j`).
    pub fn w_row(&self, j: usize) -> &[S] {
        &self.w[j * self.d..(j + 1) * self.d]
    }
    /// The parameters as one vector in θ order.
    pub fn flatten(&self) -> Vec<S> {
        let mut out = Vec::with_capacity(self.len());
        out.extend(self.w.iter().cloned());
        out.extend(self.b.iter().cloned());
        out.extend(self.v.iter().cloned());
        out.push(self.c.clone());
        out
    }
    /// Inverse of [`Theta::flatten`]; `None` if `flat.len() ≠ dH + 2H + 1`
    /// for every H.
    pub fn from_flat(d: usize, flat: &[S]) -> Option<Self> {
        let n = flat.len().checked_sub(1)?;
        if d == 0 || n % (d + 2) != 0 {
            return None;
        }
        let h = n / (d + 2);
        Some(Theta {
            d,
            w: flat[..h * d].to_vec(),
            b: flat[h * d..h * d + h].to_vec(),
            v: flat[h * d + h..h * d + 2 * h].to_vec(),
            c: flat[n].clone(),
        })
    }
    /// Applies `f` to every component.
    pub fn map<T>(&self, mut f: impl FnMut(&S) -> T) -> Theta<T> {
        Theta {
            d: self.d,
            w: self.w.iter().map(&mut f).collect(),
            b: self.b.iter().map(&mut f).collect(),
            v: self.v.iter().map(&mut f).collect(),
            c: f(&self.c),
        }
    }
    /// ⟨θ, φ⟩ = Σ_k θ_k φ_k.
    pub fn dot(&self, o: &Self, ctx: &S::Ctx) -> S {
        let mut acc = S::from_i64(0, ctx);
        for (x, y) in self.flatten().iter().zip(o.flatten().iter()) {
            acc.add_assign(&x.mul(y));
        }
        acc
    }
    /// ‖θ‖².
    pub fn norm2(&self, ctx: &S::Ctx) -> S {
        self.dot(self, ctx)
    }
    /// θ − γ φ (one gradient step with step γ and direction φ).
    pub fn step(&self, gamma: &S, dir: &Self) -> Self {
        let f = |x: &S, g: &S| x.sub(&gamma.mul(g));
        Theta {
            d: self.d,
            w: self.w.iter().zip(&dir.w).map(|(x, g)| f(x, g)).collect(),
            b: self.b.iter().zip(&dir.b).map(|(x, g)| f(x, g)).collect(),
            v: self.v.iter().zip(&dir.v).map(|(x, g)| f(x, g)).collect(),
            c: f(&self.c, &dir.c),
        }
    }
}
