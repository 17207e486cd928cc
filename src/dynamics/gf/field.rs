//! The vector field the integrator follows, the smooth pieces of G it
//! tracks across a step, the error norms of the step control and the
//! starting step.

use crate::model::{Prepared, Theta};
use crate::num::{self, BigRational, Scalar};
use crate::objective::evaluate;

/// Direction of the flow: the gradient flow, or uphill (negative control).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// dΘ/dt = −G(Θ).
    Down,
    /// dΘ/dt = +G(Θ): V increases (negative control).
    Up,
}

/// The augmented field y = (Θ, q) ↦ (∓G(Θ), L(Θ)).
pub(super) struct Field<'a, S: num::Ordered> {
    pub(super) prep: &'a Prepared<S>,
    pub(super) d: usize,
    pub(super) dir: Direction,
}

impl<S: num::Ordered> Field<'_, S> {
    pub(super) fn eval(&self, y: &[S]) -> Vec<S> {
        let n = y.len() - 1;
        let theta = Theta::from_flat(self.d, &y[..n]).expect("θ layout");
        let ev = evaluate(self.prep, &theta);
        let mut k: Vec<S> = match self.dir {
            Direction::Down => ev.gradient.flatten().iter().map(Scalar::neg).collect(),
            Direction::Up => ev.gradient.flatten(),
        };
        k.push(ev.risk);
        k
    }
}

/// Which smooth piece of G a state lies in: for an interval measure the
/// signs of w_j a + b_j and w_j b + b_j for every neuron and the order of the
/// kinks inside (a, b); for an empirical measure the sign of w_j·x_i + b_j at
/// every point of positive weight. Where the piece changes G is not smooth
/// (kinks crossing a, b or each other: G is C⁰ or C¹ there; a hyperplane
/// crossing a sample point: G jumps).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    /// One sign (−1, 0, 1; 2 undecided) per (neuron, end) or (point, neuron).
    pub(super) signs: Vec<i8>,
    /// Interval measures: the neurons with a kink inside (a, b), in kink
    /// order, each with whether it ties with the previous one.
    order: Vec<(usize, bool)>,
}

pub(super) fn piece<S: num::Ordered>(y: &[S], prep: &Prepared<S>, d: usize) -> Piece {
    let n = y.len() - 1;
    let h = (n - 1) / (d + 2);
    let (w, b) = (&y[..h * d], &y[h * d..h * d + h]);
    let code = |x: &S| -> i8 {
        match x.sign() {
            num::Sign3::Negative => -1,
            num::Sign3::Zero => 0,
            num::Sign3::Positive => 1,
            num::Sign3::Undecided => 2,
        }
    };
    let mut signs = Vec::new();
    let mut order = Vec::new();
    if let Some((lo, hi)) = &prep.interval {
        let mut inside: Vec<(usize, S)> = Vec::new();
        for j in 0..h {
            let za = w[j].mul(lo).add(&b[j]);
            let zb = w[j].mul(hi).add(&b[j]);
            let (sa, sb) = (code(&za), code(&zb));
            signs.push(sa);
            signs.push(sb);
            if sa * sb < 0 {
                inside.push((j, b[j].neg().div(&w[j])));
            }
        }
        inside.sort_by(|x, y| x.1.total_cmp(&y.1));
        for (k, (j, t)) in inside.iter().enumerate() {
            order.push((*j, k > 0 && t.total_cmp(&inside[k - 1].1) == std::cmp::Ordering::Equal));
        }
    } else {
        for (i, p) in prep.weights.iter().enumerate() {
            if p.sign() != num::Sign3::Positive {
                continue;
            }
            let x = &prep.points[i * d..(i + 1) * d];
            for j in 0..h {
                let mut z = b[j].clone();
                for (wk, xk) in w[j * d..(j + 1) * d].iter().zip(x) {
                    z.add_assign(&wk.mul(xk));
                }
                signs.push(code(&z));
            }
        }
    }
    Piece { signs, order }
}

pub(super) fn finite(x: f64) -> bool {
    x.is_finite()
}

/// max(|a|, |b|) per component as f64, for error scaling.
pub(super) fn scaled_error_norm<S: Scalar>(err: &[S], y0: &[S], y1: &[S], tol: f64) -> f64 {
    let mut s = 0.0;
    for ((e, a), b) in err.iter().zip(y0).zip(y1) {
        let sc = tol * (1.0 + a.to_f64_lossy().abs().max(b.to_f64_lossy().abs()));
        let r = e.to_f64_lossy() / sc;
        s += r * r;
    }
    (s / err.len() as f64).sqrt()
}

pub(super) fn euclid<S: Scalar>(v: &[S]) -> f64 {
    v.iter().map(|x| x.to_f64_lossy().powi(2)).sum::<f64>().sqrt()
}

/// Hairer–Nørsett–Wanner's starting step for order 8, clipped to [h_min, T].
pub(super) fn initial_step<S: num::Ordered>(
    field: &Field<'_, S>,
    y: &[S],
    f0: &[S],
    tol: f64,
    t_end: f64,
    min_step: f64,
) -> f64 {
    let sc: Vec<f64> = y.iter().map(|x| tol * (1.0 + x.to_f64_lossy().abs())).collect();
    let norm = |v: &[f64]| (v.iter().zip(&sc).map(|(x, s)| (x / s).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    let y_f: Vec<f64> = y.iter().map(Scalar::to_f64_lossy).collect();
    let f_f: Vec<f64> = f0.iter().map(Scalar::to_f64_lossy).collect();
    let (d0, d1) = (norm(&y_f), norm(&f_f));
    if d1 == 0.0 || !d1.is_finite() {
        return t_end;
    }
    let h0 = if d0 < 1e-5 || d1 < 1e-5 { 1e-6 * t_end } else { (0.01 * d0 / d1).min(t_end) };
    let ctx = &field.prep.ctx;
    let h0_s = S::from_rational(&BigRational::from_float(h0).expect("finite"), ctx);
    let y1: Vec<S> = y.iter().zip(f0).map(|(a, k)| a.add(&h0_s.mul(k))).collect();
    let f1 = field.eval(&y1);
    let diff: Vec<f64> = f1.iter().zip(f0).map(|(a, b)| a.sub(b).to_f64_lossy() / h0).collect();
    let d2 = norm(&diff);
    let big = d1.max(d2);
    let h1 = if big <= 1e-15 { (h0 * 1e-3).max(1e-6 * t_end) } else { (0.01 / big).powf(1.0 / 9.0) };
    (100.0 * h0).min(h1).min(t_end).max(min_step)
}
