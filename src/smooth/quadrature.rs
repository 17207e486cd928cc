//! Lebesgue and uniform measures on [a, b] (d = 1): composite Gauss–Legendre
//! quadrature in MPFR (approximate) and a coarse rigorous panel enclosure.
//!
//! [a, b] is first split into segments at every point where the integrand is
//! not smooth: the kinks t_j = −b_j/w_j inside (a, b) of a piecewise
//! polynomial activation (ReLU etc., e.g. with the `sin` target) and the knots
//! of a piecewise linear target. On each segment every integrand of D3–D4 is
//! analytic, and each neuron's piece is decided exactly at the segment's
//! rational midpoint.

use super::activation::{decided_sign, target_value};
use super::sums::{weighted_evaluation, Atom};
use super::transcendental::Transcendental;
use crate::model::case::Case;
use crate::model::Measure;
use crate::num::{BigRational, Endpoint, Interval, Scalar};
use crate::objective::Evaluation;
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rug::Float;
use std::cmp::Ordering;

/// A piece of [a, b] on which every integrand is analytic.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Left end.
    pub l: BigRational,
    /// Right end.
    pub r: BigRational,
    /// For piecewise polynomial activations: the sign of each z_j inside the
    /// segment (exact). `None` for smooth activations.
    pub signs: Vec<Option<Ordering>>,
    /// For a piecewise linear target: (slope, intercept) on the segment.
    pub piece: Option<(BigRational, BigRational)>,
}

/// [a, b] and the normalising factor (1 for Lebesgue, 1/(b − a) for the
/// uniform probability), or an error for measures without this path.
fn interval_of(case: &Case) -> Result<(BigRational, BigRational, BigRational), String> {
    match &case.problem.measure {
        Measure::Lebesgue { a, b } => Ok((a.clone(), b.clone(), BigRational::one())),
        Measure::Uniform { a, b, d: 1 } => Ok((a.clone(), b.clone(), BigRational::one() / (b - a))),
        Measure::Uniform { d, .. } => {
            Err(format!("the uniform measure on [a, b]^{d} with d >= 2 is not supported by the smooth path"))
        }
        Measure::Box { .. } => Err("the smooth path does not integrate over boxes (d >= 2)".into()),
        Measure::Empirical { .. } => Err("quadrature is for Lebesgue and uniform measures".into()),
    }
}

fn sign_of(q: &BigRational) -> Ordering {
    if q.is_zero() {
        Ordering::Equal
    } else if q.is_positive() {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}

/// The segments of [a, b]: split at kinks (piecewise polynomial activations
/// only) and target knots strictly inside.
pub fn segments(case: &Case) -> Result<Vec<Segment>, String> {
    let (a, b, _) = interval_of(case)?;
    let p = &case.problem;
    let th = &case.theta;
    let piecewise = p.activation.is_piecewise_polynomial();
    let mut ends: Vec<BigRational> = vec![a.clone(), b.clone()];
    if piecewise {
        for j in 0..th.width() {
            if !th.w[j].is_zero() {
                let t = -&th.b[j] / &th.w[j];
                if t > a && t < b {
                    ends.push(t);
                }
            }
        }
    }
    let pieces = p.target.pieces_on(&a, &b);
    if let Some(pc) = &pieces {
        ends.extend(pc.breaks.iter().cloned());
    }
    ends.sort();
    ends.dedup();
    let two = BigRational::from_integer(2.into());
    Ok(ends
        .windows(2)
        .map(|e| {
            let m = (&e[0] + &e[1]) / &two;
            let signs = (0..th.width())
                .map(|j| if piecewise { Some(sign_of(&(&th.w[j] * &m + &th.b[j]))) } else { None })
                .collect();
            let piece = match (&p.target, &pieces) {
                (crate::model::Target::PiecewiseLinear { .. }, Some(pc)) => {
                    Some(pc.pieces[pc.breaks.iter().filter(|t| **t < m).count()].clone())
                }
                _ => None,
            };
            Segment { l: e[0].clone(), r: e[1].clone(), signs, piece }
        })
        .collect())
}

/// The n-point Gauss–Legendre rule on [−1, 1]: (node, weight) pairs at
/// precision `prec`, computed by Newton's method on P_n at `prec + 64` bits
/// and rounded to nearest. Weights ω_i = 2 / ((1 − t_i²) P_n'(t_i)²).
pub fn gauss_legendre(n: usize, prec: u32) -> Vec<(Float, Float)> {
    let wp = prec + 64;
    let legendre = |x: &Float| -> (Float, Float) {
        // (P_n(x), P_n'(x)) by the three-term recurrence.
        let mut p0 = Float::with_val(wp, 1);
        let mut p1 = x.clone();
        for k in 2..=n {
            let k = k as u32;
            let p2 = (Float::with_val(wp, x * &p1) * (2 * k - 1) - Float::with_val(wp, &p0 * (k - 1))) / k;
            p0 = p1;
            p1 = p2;
        }
        if n == 0 {
            return (Float::with_val(wp, 1), Float::new(wp));
        }
        if n == 1 {
            return (x.clone(), Float::with_val(wp, 1));
        }
        // P_n' = n (x P_n − P_{n−1}) / (x² − 1).
        let dp = Float::with_val(wp, x * &p1) - &p0;
        let dp = dp * n as u32 / (Float::with_val(wp, x.square_ref()) - 1u32);
        (p1, dp)
    };
    let tol = Float::with_val(wp, 1) >> (prec + 32);
    (0..n)
        .map(|i| {
            let guess = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut x = Float::with_val(wp, guess);
            for _ in 0..200 {
                let (p, dp) = legendre(&x);
                let dx = Float::with_val(wp, &p / &dp);
                x -= &dx;
                if dx.abs() < tol {
                    break;
                }
            }
            let (_, dp) = legendre(&x);
            let one_minus = Float::with_val(wp, 1) - Float::with_val(wp, x.square_ref());
            let w = Float::with_val(wp, 2) / (one_minus * Float::with_val(wp, dp.square_ref()));
            (Float::with_val(prec, &x), Float::with_val(prec, &w))
        })
        .collect()
}

/// Default Gauss–Legendre order at `prec` bits: ⌈prec/4⌉ + 8 points, at most 256.
pub fn default_order(prec: u32) -> usize {
    ((prec as usize).div_ceil(4) + 8).min(256)
}

/// Panels per segment for the quadrature: ⌈len · max(1, max_j |w_j|)⌉
/// (panel length ≤ 1/max |w_j|, which keeps the complex singularities of the
/// smooth activations at a fixed relative distance), at most 4096.
fn panels_for(case: &Case, seg: &Segment) -> usize {
    let wmax = case.theta.w.iter().map(|w| w.abs()).fold(BigRational::one(), |m, x| if x > m { x } else { m });
    let n = ((&seg.r - &seg.l) * wmax).ceil().to_integer();
    n.to_usize().unwrap_or(usize::MAX).clamp(1, 4096)
}

/// The quadrature atoms: `factor` × the default panels on each segment,
/// `rule` nodes per panel.
fn quadrature_atoms(
    case: &Case,
    segs: &[Segment],
    rule: &[(Float, Float)],
    factor: usize,
    prec: u32,
) -> Vec<Atom<Float>> {
    let (_, _, norm) = interval_of(case).expect("checked by segments");
    let th = &case.theta;
    let p = &case.problem;
    let conv = |q: &BigRational| Float::from_rational(q, &prec);
    let (w, b) = (th.w.iter().map(conv).collect::<Vec<_>>(), th.b.iter().map(conv).collect::<Vec<_>>());
    let mut atoms = Vec::new();
    for seg in segs {
        let n = panels_for(case, seg) * factor;
        let len = (&seg.r - &seg.l) / BigRational::from_integer(BigInt::from(n));
        for k in 0..n {
            let pl = &seg.l + &len * BigRational::from_integer(BigInt::from(k));
            let half = &len / BigRational::from_integer(2.into());
            let mid = conv(&(&pl + &half));
            let half_w = conv(&(&half * &norm));
            let half_x = conv(&half);
            for (t, om) in rule {
                let x = mid.add(&half_x.mul(t));
                let z: Vec<Float> = (0..th.width()).map(|j| w[j].mul(&x).add(&b[j])).collect();
                let signs =
                    z.iter().zip(&seg.signs).map(|(zj, s)| if s.is_some() { *s } else { decided_sign(zj) }).collect();
                let target = target_value(&p.target, std::slice::from_ref(&x), seg.piece.as_ref(), &prec);
                atoms.push(Atom { x: vec![x], weight: half_w.mul(om), z, signs, target });
            }
        }
    }
    atoms
}

/// Composite Gauss–Legendre quadrature of L and G (D3–D4) at `prec` bits:
/// returns (the evaluation on 2P panels, the evaluation on P panels, the
/// order, the number of panels P), P the default panels over all segments.
/// Round to nearest throughout; the difference of the two evaluations is an
/// error ESTIMATE, not a bound.
pub fn evaluate_quadrature(
    case: &Case,
    prec: u32,
) -> Result<(Evaluation<Float>, Evaluation<Float>, usize, usize), String> {
    let segs = segments(case)?;
    let order = default_order(prec);
    let rule = gauss_legendre(order, prec);
    let theta = case.theta.map(|q| Float::from_rational(q, &prec));
    let coarse_atoms = quadrature_atoms(case, &segs, &rule, 1, prec);
    let panels = coarse_atoms.len() / order;
    let coarse = weighted_evaluation(&coarse_atoms, &theta, &case.problem, &prec);
    let fine = weighted_evaluation(&quadrature_atoms(case, &segs, &rule, 2, prec), &theta, &case.problem, &prec);
    Ok((fine, coarse, order, panels))
}

/// The default number of panels of the rigorous enclosure for width H:
/// 2^15/H, clamped to [256, 4096].
pub fn default_enclosure_panels(width: usize) -> usize {
    ((1usize << 15) / width.max(1)).clamp(256, 4096)
}

/// The panels of the enclosure: about `panels` in all, in proportion to the
/// segments' lengths (at least one per segment), as (left, right, segment).
fn panels_of<'s>(
    segs: &'s [Segment],
    a: &BigRational,
    b: &BigRational,
    panels: usize,
) -> Vec<(BigRational, BigRational, &'s Segment)> {
    let total = b - a;
    let mut out = Vec::new();
    for seg in segs {
        let share = ((&seg.r - &seg.l) * BigRational::from_integer(BigInt::from(panels)) / &total).ceil();
        let n = share.to_integer().to_usize().unwrap_or(1).max(1);
        let len = (&seg.r - &seg.l) / BigRational::from_integer(BigInt::from(n));
        for k in 0..n {
            let pl = &seg.l + &len * BigRational::from_integer(BigInt::from(k));
            let pr = if k + 1 == n { seg.r.clone() } else { &pl + &len };
            out.push((pl, pr, seg));
        }
    }
    out
}

/// L and G over the panels in backend `T` (atoms: x from `x_of(l, r)`, the
/// weight from `weight_of(r − l)`), in parallel over fixed chunks of panels
/// whose sums are added in chunk order: the result does not depend on the
/// number of threads. (For intervals the chunked sum is still an enclosure:
/// interval arithmetic is subdistributive.)
fn panel_evaluation<T: Transcendental>(
    case: &Case,
    panels: &[(BigRational, BigRational, &Segment)],
    x_of: impl Fn(&BigRational, &BigRational) -> T + Sync,
    weight_of: impl Fn(&BigRational) -> T + Sync,
    ctx: &T::Ctx,
) -> Evaluation<T> {
    use rayon::prelude::*;
    let th = &case.theta;
    let conv = |q: &BigRational| T::from_rational(q, ctx);
    let (w, b) = (th.w.iter().map(conv).collect::<Vec<_>>(), th.b.iter().map(conv).collect::<Vec<_>>());
    let theta = th.map(conv);
    let parts: Vec<Evaluation<T>> = panels
        .par_chunks(128)
        .map(|chunk| {
            let atoms: Vec<Atom<T>> = chunk
                .iter()
                .map(|(l, r, seg)| {
                    let x = x_of(l, r);
                    let z: Vec<T> = (0..th.width()).map(|j| w[j].mul(&x).add(&b[j])).collect();
                    let signs = z
                        .iter()
                        .zip(&seg.signs)
                        .map(|(zj, s)| if s.is_some() { *s } else { decided_sign(zj) })
                        .collect();
                    let target = target_value(&case.problem.target, std::slice::from_ref(&x), seg.piece.as_ref(), ctx);
                    Atom { x: vec![x], weight: weight_of(&(r - l)), z, signs, target }
                })
                .collect();
            weighted_evaluation(&atoms, &theta, &case.problem, ctx)
        })
        .collect();
    let mut parts = parts.into_iter();
    let first = parts.next().expect("at least one panel");
    parts.fold(first, |acc, e| {
        let flat: Vec<T> =
            acc.gradient.flatten().iter().zip(e.gradient.flatten().iter()).map(|(x, y)| x.add(y)).collect();
        Evaluation {
            risk: acc.risk.add(&e.risk),
            gradient: crate::model::Theta::from_flat(th.d, &flat).expect("layout"),
        }
    })
}

/// The intersection of two enclosures of the same number (both rigorous).
fn intersect(a: &Interval<Float>, b: &Interval<Float>) -> Interval<Float> {
    let lo = if a.lo > b.lo { a.lo.clone() } else { b.lo.clone() };
    let hi = if a.hi < b.hi { a.hi.clone() } else { b.hi.clone() };
    if lo <= hi {
        Interval { lo, hi }
    } else {
        // Disjoint enclosures would be a bug; keep the second-order one.
        b.clone()
    }
}

/// A rigorous enclosure of L and G on an interval measure. [a, b] is cut
/// into about `panels` panels P = [l, r] (split at the segments' ends,
/// h = r − l, m = (l + r)/2, X = [l↓, r↑]), and each panel's integral is
/// enclosed twice:
///
/// - first order: ∫_P g ∈ h · g(X), g(X) the interval evaluation of the
///   integrand over the whole panel;
/// - second order (midpoint rule with remainder): ∫_P g ∈ h g(m) +
///   [−1, 1] (h³/24) |g''(X)|, with g''(X) enclosed by second-order jets
///   ([`super::jet::Jet2`]) over X;
///
/// and the two enclosures of every sum are intersected. The width is
/// O((b − a) h² max|g''|): sound at any precision and useful as a rigorous
/// bound on the quadrature, far coarser than the quadrature itself.
pub fn evaluate_panels(case: &Case, prec: u32, panels: usize) -> Result<Evaluation<Interval<Float>>, String> {
    type I = Interval<Float>;
    type J = super::jet::Jet2<I>;
    let (a, b, norm) = interval_of(case)?;
    let segs = segments(case)?;
    let list = panels_of(&segs, &a, &b, panels);
    let hull = |l: &BigRational, r: &BigRational| I {
        lo: Float::from_rational_down(l, &prec),
        hi: Float::from_rational_up(r, &prec),
    };
    let weight = |h: &BigRational| I::from_rational(&(h * &norm), &prec);
    // First order.
    let first = panel_evaluation::<I>(case, &list, hull, weight, &prec);
    // Second order: midpoints plus the jets' remainder terms.
    let two = BigRational::from_integer(2.into());
    let mid = |l: &BigRational, r: &BigRational| I::from_rational(&((l + r) / &two), &prec);
    let midpoint = panel_evaluation::<I>(case, &list, mid, weight, &prec);
    let variable = |l: &BigRational, r: &BigRational| J::variable(hull(l, r), &prec);
    let remainder_weight = |h: &BigRational| {
        let s = h * h * h * &norm / BigRational::from_integer(24.into());
        let up = Float::from_rational_up(&s, &prec);
        J::constant(I { lo: Float::with_val(prec, -&up), hi: up }, &prec)
    };
    let jets = panel_evaluation::<J>(case, &list, variable, remainder_weight, &prec);
    let second = |m: &I, j: &J| m.add(&j.d2);
    let risk = intersect(&first.risk, &second(&midpoint.risk, &jets.risk));
    let flat: Vec<I> = first
        .gradient
        .flatten()
        .iter()
        .zip(midpoint.gradient.flatten().iter().zip(jets.gradient.flatten().iter()))
        .map(|(f, (m, j))| intersect(f, &second(m, j)))
        .collect();
    let gradient = crate::model::Theta::from_flat(case.theta.d, &flat).expect("layout");
    Ok(Evaluation { risk, gradient })
}
