//! The numbers of an instance as addressable slots, their size in bits, and
//! the simpler numbers a shrinking step tries in place of each.
//!
//! Shrinking only ever accepts a candidate that is strictly smaller in
//! [`complexity`] (fewer neurons first, then fewer bits), so it terminates.

use crate::claims::instance::{Instance, Param};
use crate::model::{Measure, Target};
use crate::num::BigRational;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// One number of an instance: a number of the problem, of θ, or a parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Left end a of an interval measure.
    A,
    /// Right end b of an interval measure.
    B,
    /// Coordinate `k` of the flattened points (row-major, n × d) of an empirical measure.
    Point(usize),
    /// Weight p_i of an empirical measure.
    Weight(usize),
    /// The constant target ξ.
    Xi,
    /// Entry `i` of an affine target's slope.
    Slope(usize),
    /// The intercept of an affine target.
    Intercept,
    /// Breakpoint `k` of a piecewise linear target.
    Knot(usize),
    /// Value at breakpoint `k` of a piecewise linear target.
    Value(usize),
    /// θ: entry `k` of the neuron-major inner weights.
    W(usize),
    /// θ: inner bias b_{j+1}.
    Bias(usize),
    /// θ: outer weight v_{j+1}.
    V(usize),
    /// θ: the output bias c (only with `output_bias`).
    C,
    /// A number parameter of the instance (γ factor, …).
    Param(String),
}

impl Slot {
    /// The slot's name as in the case file, e.g. `theta.v[0]` or `params.gamma_factor`.
    pub fn name(&self) -> String {
        match self {
            Slot::A => "problem.a".into(),
            Slot::B => "problem.b".into(),
            Slot::Point(k) => format!("problem.points[{k}]"),
            Slot::Weight(k) => format!("problem.weights[{k}]"),
            Slot::Xi => "problem.target".into(),
            Slot::Slope(i) => format!("problem.target.slope[{i}]"),
            Slot::Intercept => "problem.target.intercept".into(),
            Slot::Knot(k) => format!("problem.target.knots[{k}]"),
            Slot::Value(k) => format!("problem.target.values[{k}]"),
            Slot::W(k) => format!("theta.w[{k}]"),
            Slot::Bias(j) => format!("theta.b[{j}]"),
            Slot::V(j) => format!("theta.v[{j}]"),
            Slot::C => "theta.c".into(),
            Slot::Param(p) => format!("witness.params.{p}"),
        }
    }
}

/// The slots of θ (w, b, v and, with the output bias, c) and the number
/// parameters: what local improvement perturbs.
pub fn theta_slots(inst: &Instance) -> Vec<Slot> {
    let th = &inst.case.theta;
    let mut s: Vec<Slot> = (0..th.w.len()).map(Slot::W).collect();
    s.extend((0..th.width()).map(Slot::Bias));
    s.extend((0..th.width()).map(Slot::V));
    if inst.case.problem.output_bias {
        s.push(Slot::C);
    }
    s.extend(inst.params.iter().filter(|(_, p)| matches!(p, Param::Number(_))).map(|(k, _)| Slot::Param(k.clone())));
    s
}

/// Every slot: the problem's numbers (measure, then target), then [`theta_slots`].
pub fn all_slots(inst: &Instance) -> Vec<Slot> {
    let p = &inst.case.problem;
    let mut s = Vec::new();
    match &p.measure {
        Measure::Lebesgue { .. } | Measure::Uniform { .. } => s.extend([Slot::A, Slot::B]),
        // The box's ends are not shrunk (only θ and the target are).
        Measure::Box { .. } => {}
        Measure::Empirical { points, weights } => {
            s.extend((0..points.iter().map(Vec::len).sum()).map(Slot::Point));
            s.extend((0..weights.len()).map(Slot::Weight));
        }
    }
    match &p.target {
        Target::Constant(_) => s.push(Slot::Xi),
        Target::Affine { slope, .. } => {
            s.extend((0..slope.len()).map(Slot::Slope));
            s.push(Slot::Intercept);
        }
        Target::PiecewiseLinear { knots, .. } => {
            s.extend((0..knots.len()).map(Slot::Knot));
            s.extend((0..knots.len()).map(Slot::Value));
        }
        Target::Sin => {}
    }
    s.extend(theta_slots(inst));
    s
}

/// The number in a slot (`None` if the instance has no such slot).
pub fn get(inst: &Instance, slot: &Slot) -> Option<BigRational> {
    let p = &inst.case.problem;
    let th = &inst.case.theta;
    match (slot, &p.measure, &p.target) {
        (Slot::A, Measure::Lebesgue { a, .. } | Measure::Uniform { a, .. }, _) => Some(a.clone()),
        (Slot::B, Measure::Lebesgue { b, .. } | Measure::Uniform { b, .. }, _) => Some(b.clone()),
        (Slot::Point(k), Measure::Empirical { points, .. }, _) => {
            let d = points.first().map_or(1, Vec::len);
            points.get(k / d).and_then(|x| x.get(k % d)).cloned()
        }
        (Slot::Weight(k), Measure::Empirical { weights, .. }, _) => weights.get(*k).cloned(),
        (Slot::Xi, _, Target::Constant(xi)) => Some(xi.clone()),
        (Slot::Slope(i), _, Target::Affine { slope, .. }) => slope.get(*i).cloned(),
        (Slot::Intercept, _, Target::Affine { intercept, .. }) => Some(intercept.clone()),
        (Slot::Knot(k), _, Target::PiecewiseLinear { knots, .. }) => knots.get(*k).cloned(),
        (Slot::Value(k), _, Target::PiecewiseLinear { values, .. }) => values.get(*k).cloned(),
        (Slot::W(k), _, _) => th.w.get(*k).cloned(),
        (Slot::Bias(j), _, _) => th.b.get(*j).cloned(),
        (Slot::V(j), _, _) => th.v.get(*j).cloned(),
        (Slot::C, _, _) => Some(th.c.clone()),
        (Slot::Param(name), _, _) => inst.number(name).cloned(),
        _ => None,
    }
}

/// The instance with `x` in `slot` (unchanged if it has no such slot).
pub fn set(inst: &Instance, slot: &Slot, x: BigRational) -> Instance {
    let mut out = inst.clone();
    let p = &mut out.case.problem;
    let th = &mut out.case.theta;
    match (slot, &mut p.measure, &mut p.target) {
        (Slot::A, Measure::Lebesgue { a, .. } | Measure::Uniform { a, .. }, _) => *a = x,
        (Slot::B, Measure::Lebesgue { b, .. } | Measure::Uniform { b, .. }, _) => *b = x,
        (Slot::Point(k), Measure::Empirical { points, .. }, _) => {
            let d = points.first().map_or(1, Vec::len);
            if let Some(y) = points.get_mut(k / d).and_then(|r| r.get_mut(k % d)) {
                *y = x;
            }
        }
        (Slot::Weight(k), Measure::Empirical { weights, .. }, _) => {
            if let Some(y) = weights.get_mut(*k) {
                *y = x;
            }
        }
        (Slot::Xi, _, Target::Constant(xi)) => *xi = x,
        (Slot::Slope(i), _, Target::Affine { slope, .. }) => {
            if let Some(y) = slope.get_mut(*i) {
                *y = x;
            }
        }
        (Slot::Intercept, _, Target::Affine { intercept, .. }) => *intercept = x,
        (Slot::Knot(k), _, Target::PiecewiseLinear { knots, .. }) => {
            if let Some(y) = knots.get_mut(*k) {
                *y = x;
            }
        }
        (Slot::Value(k), _, Target::PiecewiseLinear { values, .. }) => {
            if let Some(y) = values.get_mut(*k) {
                *y = x;
            }
        }
        (Slot::W(k), _, _) => {
            if let Some(y) = th.w.get_mut(*k) {
                *y = x;
            }
        }
        (Slot::Bias(j), _, _) => {
            if let Some(y) = th.b.get_mut(*j) {
                *y = x;
            }
        }
        (Slot::V(j), _, _) => {
            if let Some(y) = th.v.get_mut(*j) {
                *y = x;
            }
        }
        (Slot::C, _, _) => th.c = x,
        (Slot::Param(name), _, _) if out.params.contains_key(name) => {
            out.params.insert(name.clone(), Param::Number(x));
        }
        _ => {}
    }
    out
}

/// θ without neuron `j` (0-based); `None` if it is the only one (H ≥ 1).
pub fn drop_neuron(inst: &Instance, j: usize) -> Option<Instance> {
    let th = &inst.case.theta;
    if th.width() <= 1 || j >= th.width() {
        return None;
    }
    let mut out = inst.clone();
    let t = &mut out.case.theta;
    let d = t.d;
    t.w.drain(j * d..(j + 1) * d);
    t.b.remove(j);
    t.v.remove(j);
    Some(out)
}

/// Whether the instance is a valid case: a < b, weights ≥ 0 with positive
/// total, knots strictly increasing, c = 0 without the output bias, H ≥ 1.
pub fn well_formed(inst: &Instance) -> bool {
    let p = &inst.case.problem;
    let ok_measure = match &p.measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => a < b,
        Measure::Box { a, b, .. } => a.iter().zip(b).all(|(ai, bi)| ai < bi),
        Measure::Empirical { weights, .. } => {
            weights.iter().all(|w| !w.is_negative()) && weights.iter().any(Signed::is_positive)
        }
    };
    let ok_target = match &p.target {
        Target::PiecewiseLinear { knots, .. } => knots.windows(2).all(|k| k[0] < k[1]),
        _ => true,
    };
    let th = &inst.case.theta;
    ok_measure && ok_target && th.width() >= 1 && (p.output_bias || th.c.is_zero())
}

/// Size of a rational p/q in bits: bits(|p|) + bits(q) (0 → 1, 1 → 2, 1/2 → 3).
pub fn bits(x: &BigRational) -> u64 {
    x.numer().bits() + x.denom().bits()
}

/// The size of a rational p/q as a pair, compared lexicographically:
/// (bits(|p|) + bits(q), |p| + q). Both are naturals, so a strictly
/// decreasing sequence of sizes is finite.
pub fn size(x: &BigRational) -> (u64, BigInt) {
    (bits(x), x.numer().abs() + x.denom())
}

/// The size an instance is shrunk by, compared lexicographically: (H, total
/// bits of every number of [`all_slots`], total of |p| + q over them).
pub fn complexity(inst: &Instance) -> (usize, u64, BigInt) {
    let nums: Vec<BigRational> = all_slots(inst).iter().filter_map(|s| get(inst, s)).collect();
    let total_bits = nums.iter().map(bits).sum();
    let magnitude = nums.iter().fold(BigInt::zero(), |acc, x| acc + x.numer().abs() + x.denom());
    (inst.case.theta.width(), total_bits, magnitude)
}

/// The continued-fraction convergents of x, in order (the last one is x).
///
/// x = [a₀; a₁, a₂, …], hₙ = aₙhₙ₋₁ + hₙ₋₂, kₙ = aₙkₙ₋₁ + kₙ₋₂ (h₋₁ = 1, k₋₁ = 0,
/// h₋₂ = 0, k₋₂ = 1); each convergent hₙ/kₙ is the best approximation of x
/// among fractions with denominator ≤ kₙ.
pub fn convergents(x: &BigRational) -> Vec<BigRational> {
    let (mut num, mut den) = (x.numer().clone(), x.denom().clone());
    let (mut h1, mut h2) = (BigInt::one(), BigInt::zero());
    let (mut k1, mut k2) = (BigInt::zero(), BigInt::one());
    let mut out = Vec::new();
    while !den.is_zero() && out.len() < 200 {
        let a = num.div_floor(&den);
        let r = &num - &a * &den;
        let h = &a * &h1 + &h2;
        let k = &a * &k1 + &k2;
        out.push(BigRational::new(h.clone(), k.clone()));
        (h2, h1, k2, k1) = (h1, h, k1, k);
        num = std::mem::replace(&mut den, r);
    }
    out
}

/// x rounded to the nearest multiple of 1/q (ties away from zero).
pub fn round_to_denominator(x: &BigRational, q: &BigInt) -> BigRational {
    let scaled = x * BigRational::from_integer(q.clone());
    BigRational::new(scaled.round().to_integer(), q.clone())
}

/// The simpler numbers tried in place of x = p/q, simplest first, each of
/// smaller [`size`] than x: 0, ±1, the integers next to x and x truncated,
/// its continued-fraction convergents, x rounded to denominators 2, 4, 8, …,
/// the numerator moved one toward 0 ((p − sgn p)/q), and x/2.
pub fn simpler(x: &BigRational) -> Vec<BigRational> {
    let one = BigRational::one();
    let mut c = vec![BigRational::zero()];
    if x.is_negative() {
        c.extend([-one.clone(), one]);
    } else {
        c.extend([one.clone(), -one]);
    }
    c.extend([x.round(), x.floor(), x.ceil(), x.trunc()]);
    c.extend(convergents(x));
    let mut q = BigInt::from(2);
    while &q < x.denom() {
        c.push(round_to_denominator(x, &q));
        q *= 2;
    }
    let p = x.numer();
    c.push(BigRational::new(p - p.signum(), x.denom().clone()));
    c.push(x / BigRational::from_integer(2.into()));
    let own = size(x);
    let mut out: Vec<BigRational> = Vec::new();
    for y in c {
        if size(&y) < own && !out.contains(&y) {
            out.push(y);
        }
    }
    out.sort_by_key(size);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn convergents_of_a_fraction() {
        // 415/93 = [4; 2, 6, 7]: 4, 9/2, 58/13, 415/93.
        let c = convergents(&q(415, 93));
        assert_eq!(c, vec![q(4, 1), q(9, 2), q(58, 13), q(415, 93)]);
        let c = convergents(&q(-7, 3));
        assert_eq!(c.last(), Some(&q(-7, 3)));
    }

    #[test]
    fn simpler_numbers_are_smaller() {
        let x = q(355, 113);
        let s = simpler(&x);
        assert_eq!(s[0], q(0, 1));
        assert!(s.contains(&q(3, 1)) && s.contains(&q(22, 7)));
        assert!(s.iter().all(|y| size(y) < size(&x)));
        assert!(simpler(&q(8, 1)).contains(&q(7, 1)));
        assert!(simpler(&q(0, 1)).is_empty());
    }
}
