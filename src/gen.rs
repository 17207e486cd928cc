//! Seeded, reproducible generators of problems and parameters, shared by the
//! CLI checks and the property tests (which draw a seed and call these).
//!
//! They aim at what random floats never hit: w_j = 0 and b_j = 0, kinks exactly
//! at a, at b or at each other, sample points exactly on a kink, dead and
//! always-on neurons, tiny and huge magnitudes, long denominators, H = 1 and
//! wide networks, and every measure of D2.

use crate::model::case::Case;
use crate::model::{Measure, Problem, Target, Theta};
use crate::num::BigRational;
use num_bigint::BigInt;
use num_traits::{One, Zero};

/// SplitMix64: tiny, fast, and the same on every platform, so a seed names a
/// case forever.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in lo..=hi.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability num/den.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
    /// A uniformly chosen element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// A "nasty" rational: mostly small fractions, sometimes zero, dyadic, tiny,
/// huge, or with a long denominator.
pub fn rational(rng: &mut Rng) -> BigRational {
    let sign = if rng.chance(1, 2) { 1 } else { -1 };
    match rng.below(20) {
        0 => BigRational::zero(),
        1..=8 => q(sign * rng.range(0, 12), rng.range(1, 12)),
        9..=11 => q(sign * rng.range(1, 40), 1),
        12..=13 => q(sign * rng.range(1, 255), 1 << rng.range(1, 10)),
        14 => BigRational::new(BigInt::from(sign * rng.range(1, 9)), BigInt::one() << rng.range(30, 70)),
        15 => BigRational::from_integer(BigInt::from(sign * rng.range(1, 9)) << rng.range(20, 40)),
        16..=17 => BigRational::new(
            BigInt::from(sign) * BigInt::from(rng.next_u64() >> 4),
            BigInt::from((rng.next_u64() >> 4) | 1),
        ),
        _ => q(sign * rng.range(1, 3), 1),
    }
}

/// A small rational n/k with |n| ≤ 32 and 1 ≤ k ≤ 8 (so in [-32, 32]): for domains and points.
pub fn small_rational(rng: &mut Rng) -> BigRational {
    q(rng.range(-32, 32), rng.range(1, 8))
}

/// Which measures to draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeasureKind {
    /// Lebesgue on [a, b].
    Lebesgue,
    /// Uniform probability on [a, b].
    Uniform,
    /// Empirical, d from 1 to 4.
    Empirical,
    /// Lebesgue or uniform probability on a box ∏ [a_i, b_i], d = 2, 3 or 4
    /// (the widths the box oracle covers, see [`box_width`]).
    Box,
}

/// Limits for generated cases.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// Largest width H.
    pub max_width: usize,
    /// Largest input dimension for empirical measures.
    pub max_dim: usize,
    /// Largest number of points of an empirical measure.
    pub max_points: usize,
    /// Measures to draw from.
    pub measures: Vec<MeasureKind>,
}

/// Extra variety on top of a [`GenConfig`], for [`case_varied`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variety {
    /// Probability (numerator, denominator) of the closed convention
    /// σ'(0) = 1 instead of the papers' σ'(0) = 0. With numerator 0 no
    /// random draw is made, so [`case`]'s cases are those it always gave.
    pub closed_convention: (u64, u64),
    /// Probability that the support lies in the closed unit ball (ρ ≤ 1):
    /// [a, b] ⊆ [−1, 1] with eighths, or points with coordinates in
    /// [−1/d, 1/d]. No draw with numerator 0, as above.
    pub small_support: (u64, u64),
}

impl Variety {
    /// None: [`case`].
    pub const NONE: Variety = Variety { closed_convention: (0, 1), small_support: (0, 1) };
    /// The pointwise claims (C1, C3–C8): σ'(0) = 1 in a quarter of the
    /// cases and a support inside the unit ball (ρ ≤ 1) in a third, so that
    /// both conventions and both sides of ρ = 1 are covered (their statements
    /// allow both).
    pub const CLAIMS: Variety = Variety { closed_convention: (1, 4), small_support: (1, 3) };
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            max_width: 64,
            max_dim: 4,
            max_points: 8,
            measures: vec![MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Empirical, MeasureKind::Box],
        }
    }
}

impl GenConfig {
    /// The same configuration without box measures (for settings the box
    /// path does not integrate: ReLU^p, smooth activations).
    pub fn without_boxes(mut self) -> Self {
        self.measures.retain(|k| *k != MeasureKind::Box);
        self
    }
}

/// True with probability p, without a draw when p is 0.
fn maybe(rng: &mut Rng, p: (u64, u64)) -> bool {
    p.0 > 0 && rng.chance(p.0, p.1)
}

/// A width, biased toward small H (H = 1 is common) but reaching `max`.
pub fn width(rng: &mut Rng, max: usize) -> usize {
    let max = max.max(1) as i64;
    match rng.below(4) {
        0 => 1,
        1 => rng.range(1, 4.min(max)) as usize,
        2 => rng.range(1, 12.min(max)) as usize,
        _ => rng.range(1, max) as usize,
    }
}

/// The largest width drawn for a measure: `max`, or for a box the most the
/// box oracle integrates ([`crate::claims::oracle_box::max_width`]), so that
/// every generated box case is cross-checked.
pub fn box_width(measure: &Measure, max: usize) -> usize {
    match measure.as_box() {
        Some((a, _, _)) => max.min(crate::claims::oracle_box::max_width(a.len())).max(1),
        None => max,
    }
}

/// A measure of the given kind.
pub fn measure(rng: &mut Rng, kind: MeasureKind, cfg: &GenConfig) -> Measure {
    measure_in(rng, kind, cfg, false)
}

/// A measure of the given kind, with its support in the unit ball if `small`.
pub fn measure_in(rng: &mut Rng, kind: MeasureKind, cfg: &GenConfig, small: bool) -> Measure {
    let interval = |rng: &mut Rng| {
        if small {
            // [a, b] ⊆ [−1, 1], in eighths: ρ ≤ 1 (ρ = 1 when an end is ±1).
            let na = rng.range(-8, 7);
            let nb = rng.range(na + 1, 8);
            return (q(na, 8), q(nb, 8));
        }
        let a = small_rational(rng);
        let b = &a + q(rng.range(1, 24), rng.range(1, 6));
        (a, b)
    };
    match kind {
        MeasureKind::Lebesgue => {
            let (a, b) = interval(rng);
            Measure::Lebesgue { a, b }
        }
        MeasureKind::Uniform => {
            let (a, b) = interval(rng);
            Measure::Uniform { a, b, d: 1 }
        }
        MeasureKind::Box => {
            // d = 2 half the time, 3 a third, 4 a sixth.
            let d = match rng.below(6) {
                0..=2 => 2,
                3 | 4 => 3,
                _ => 4,
            };
            let (a, b): (Vec<BigRational>, Vec<BigRational>) = (0..d)
                .map(|_| {
                    if small {
                        // In the unit ball: |x_i| ≤ 1/d in eighths, so ‖x‖² ≤ 1/d.
                        let s = 8 * d as i64;
                        let na = rng.range(-8, 7);
                        (q(na, s), q(rng.range(na + 1, 8), s))
                    } else {
                        interval(rng)
                    }
                })
                .unzip();
            Measure::Box { a, b, probability: rng.chance(1, 2) }
        }
        MeasureKind::Empirical => {
            let d = rng.range(1, cfg.max_dim.max(1) as i64) as usize;
            let n = rng.range(1, cfg.max_points.max(1) as i64) as usize;
            // In the unit ball when `small`: |x_i| ≤ 1/d, so ‖x‖² ≤ 1/d.
            let coordinate = |rng: &mut Rng| {
                if small {
                    q(rng.range(-8, 8), 8 * d as i64)
                } else {
                    small_rational(rng)
                }
            };
            let points = (0..n).map(|_| (0..d).map(|_| coordinate(rng)).collect()).collect();
            let weights = (0..n)
                .map(|_| if rng.chance(1, 10) { BigRational::zero() } else { q(rng.range(1, 9), rng.range(1, 9)) })
                .collect();
            Measure::Empirical { points, weights }
        }
    }
}

/// θ for a problem, with deliberate degeneracies: w_j = 0 and/or b_j = 0,
/// kinks placed at a, at b, at another kink, or through a sample point.
pub fn theta(rng: &mut Rng, measure: &Measure, h: usize) -> Theta<BigRational> {
    let d = measure.dim();
    let anchors: Vec<Vec<BigRational>> = match measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => {
            vec![vec![a.clone()], vec![b.clone()]]
        }
        Measure::Box { a, b, .. } => crate::model::box_corners(a, b),
        Measure::Empirical { points, .. } => points.clone(),
    };
    let mut w: Vec<BigRational> = Vec::with_capacity(h * d);
    let mut b: Vec<BigRational> = Vec::with_capacity(h);
    for j in 0..h {
        let row: Vec<BigRational> =
            if rng.chance(1, 8) { vec![BigRational::zero(); d] } else { (0..d).map(|_| rational(rng)).collect() };
        let dot = |x: &[BigRational]| row.iter().zip(x).fold(BigRational::zero(), |s, (wi, xi)| s + wi * xi);
        let bj = match rng.below(10) {
            // A kink (hyperplane) through an anchor: a, b or a sample point.
            0 | 1 => {
                let k = rng.below(anchors.len() as u64) as usize;
                -dot(&anchors[k])
            }
            // The same kink as an earlier neuron (d = 1), scaled.
            2 if j > 0 && d == 1 && !w[(j - 1) * d].is_zero() => {
                let t = -&b[j - 1] / &w[(j - 1) * d];
                -(&row[0] * t)
            }
            3 => BigRational::zero(),
            _ => rational(rng),
        };
        w.extend(row);
        b.push(bj);
    }
    let v = (0..h).map(|_| if rng.chance(1, 12) { BigRational::zero() } else { rational(rng) }).collect();
    let c = rational(rng);
    Theta { d, w, b, v, c }
}

/// A whole case: measure, constant target, ReLU, the papers' σ'(0)
/// convention, and θ. Sometimes the network is exactly the target
/// (v = 0, c = ξ), the global minimiser.
pub fn case(rng: &mut Rng, cfg: &GenConfig) -> Case {
    case_varied(rng, cfg, Variety::NONE)
}

/// [`case`] with extra variety (no extra draws for [`Variety::NONE`]).
pub fn case_varied(rng: &mut Rng, cfg: &GenConfig, variety: Variety) -> Case {
    let kind = *rng.pick(&cfg.measures);
    let small = maybe(rng, variety.small_support);
    let measure = measure_in(rng, kind, cfg, small);
    let h = width(rng, box_width(&measure, cfg.max_width));
    let mut th = theta(rng, &measure, h);
    let xi = if rng.chance(1, 10) { BigRational::zero() } else { rational(rng) };
    if rng.chance(1, 16) {
        th.v.iter_mut().for_each(|v| *v = BigRational::zero());
        th.c = xi.clone();
    }
    let mut problem = Problem::new(measure, Target::Constant(xi));
    if maybe(rng, variety.closed_convention) {
        problem.derivative_at_zero = crate::model::DerivativeAtZero::Closed;
    }
    Case { problem, theta: th, notes: Vec::new() }
}

/// The case for a seed, with the default configuration.
pub fn case_from_seed(seed: u64) -> Case {
    case(&mut Rng::new(seed), &GenConfig::default())
}
