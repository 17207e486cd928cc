//! The sample path of SGD: exact seeded sampling of X ~ μ/m and the step
//! schedule γ_n = c/(n+1)^α (see [`super::sgd`] for the run itself).
//!
//! **Sampling** is seeded and exact. The B points of step n come from the
//! generator `step_rng(seed, n)` alone, so a run is replayable step by step
//! and a resumed run needs no generator state. On [a, b] (Lebesgue or
//! uniform) a point is x = a + (b − a)·k/2^53 with k uniform in 0..2^53 (an
//! exact rational; the law is uniform on that grid). From an empirical measure
//! Σ p_i δ_{x_i}, index i is drawn with probability exactly p_i/Σp: uniform
//! bits are drawn until the dyadic interval they pin down lies inside one
//! cumulative-weight interval (compared in rational arithmetic).
//!
//! **Step schedules** γ_n = c/(n+1)^α with a rational α = p/q ≥ 0. Where
//! (n+1)^α is rational γ_n is exact; elsewhere γ_n is rounded DOWN to a
//! dyadic with 64 significant bits by an exact integer q-th root, so
//! γ_n ≤ c/(n+1)^α holds exactly.

use crate::gen::Rng;
use crate::lyapunov::lyapunov;
use crate::model::case::Case;
use crate::model::{Measure, Problem};
use crate::num::parse::parse_rational;
use crate::num::{BigRational, Scalar};
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Bits of the uniform variate U = k/2^53 used on intervals.
pub const UNIFORM_BITS: u32 = 53;

/// Significant bits of γ_n where c/(n+1)^α is irrational (rounded down).
pub const SCHEDULE_BITS: u64 = 64;

/// Largest accepted mini-batch size.
pub const MAX_BATCH: usize = 1_000_000;

/// Largest accepted denominator q of α = p/q.
pub const MAX_DECAY_DENOMINATOR: u32 = 1000;

/// The generator of the samples of step `n`: a function of (seed, n) only.
pub fn step_rng(seed: u64, n: u64) -> Rng {
    let base = Rng::new(seed).next_u64();
    // next_u64 of a fresh generator is a bijection of its seed, and so is
    // n ↦ n·K for odd K: distinct steps get distinct streams.
    let s = Rng::new(base ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64();
    Rng::new(s)
}

/// Draws points with law μ/m, exactly (see the module documentation).
#[derive(Clone, Debug)]
pub enum Sampler {
    /// The uniform law on [a, b]^d, on the grid a + (b − a)·k/2^53.
    Interval {
        /// Left end.
        a: BigRational,
        /// b − a.
        width: BigRational,
        /// Dimension.
        d: usize,
    },
    /// The uniform law on the box ∏_i [a_i, b_i], on the grid
    /// a_i + (b_i − a_i)·k/2^53 in each coordinate.
    Box {
        /// Lower ends.
        a: Vec<BigRational>,
        /// Side lengths b_i − a_i.
        width: Vec<BigRational>,
    },
    /// Index i with probability p_i / Σp.
    Weighted {
        /// The points x_i.
        points: Vec<Vec<BigRational>>,
        /// F_i = (p_0 + … + p_i)/Σp, nondecreasing, last = 1.
        cumulative: Vec<BigRational>,
    },
}

fn uniform_dyadic(rng: &mut Rng) -> BigRational {
    let k = rng.next_u64() >> (64 - UNIFORM_BITS);
    BigRational::new(BigInt::from(k), BigInt::one() << UNIFORM_BITS as usize)
}

impl Sampler {
    /// The sampler of a measure; an error for an empirical measure of zero mass.
    pub fn new(m: &Measure) -> Result<Sampler, String> {
        match m {
            Measure::Lebesgue { a, b } => Ok(Sampler::Interval { a: a.clone(), width: b - a, d: 1 }),
            Measure::Uniform { a, b, d } => Ok(Sampler::Interval { a: a.clone(), width: b - a, d: *d }),
            Measure::Box { a, b, .. } => {
                Ok(Sampler::Box { a: a.clone(), width: a.iter().zip(b).map(|(ai, bi)| bi - ai).collect() })
            }
            Measure::Empirical { points, weights } => {
                let total = m.mass();
                if !total.is_positive() || weights.iter().any(Signed::is_negative) {
                    return Err("SGD needs an empirical measure with nonnegative weights and positive mass".into());
                }
                let mut acc = BigRational::zero();
                let cumulative = weights
                    .iter()
                    .map(|p| {
                        acc += p;
                        &acc / &total
                    })
                    .collect();
                Ok(Sampler::Weighted { points: points.clone(), cumulative })
            }
        }
    }
    /// Input dimension.
    pub fn dim(&self) -> usize {
        match self {
            Sampler::Interval { d, .. } => *d,
            Sampler::Box { a, .. } => a.len(),
            Sampler::Weighted { points, .. } => points.first().map_or(1, Vec::len),
        }
    }
    /// Index i with probability exactly p_i/Σp (empirical measures only).
    ///
    /// U ∈ [0, 1) is revealed 64 bits at a time; after j bits it lies in
    /// [k/2^j, (k+1)/2^j), and i is returned once that whole interval maps to
    /// the same i (F_{i−1} ≤ U < F_i). A further round is needed with
    /// probability at most (number of points)·2^-64.
    pub fn draw_index(cumulative: &[BigRational], rng: &mut Rng) -> usize {
        let mut k = BigInt::zero();
        let mut scale = BigInt::one();
        for _ in 0..1024 {
            k = (k << 64usize) + BigInt::from(rng.next_u64());
            scale <<= 64usize;
            let lo = BigRational::new(k.clone(), scale.clone());
            let hi = BigRational::new(&k + 1, scale.clone());
            // The first i with F_i > lo (exists: the last F is 1 > lo).
            let i = cumulative.iter().position(|f| f > &lo).unwrap_or(cumulative.len() - 1);
            if hi <= cumulative[i] {
                return i;
            }
        }
        // After 65536 bits (probability below 2^-65000): the bucket of lo.
        let lo = BigRational::new(k, scale);
        cumulative.iter().position(|f| f > &lo).unwrap_or(cumulative.len() - 1)
    }
    /// One point X with law μ/m.
    pub fn draw(&self, rng: &mut Rng) -> Vec<BigRational> {
        match self {
            Sampler::Interval { a, width, d } => (0..*d).map(|_| a + width * uniform_dyadic(rng)).collect(),
            Sampler::Box { a, width } => a.iter().zip(width).map(|(ai, wi)| ai + wi * uniform_dyadic(rng)).collect(),
            Sampler::Weighted { points, cumulative } => points[Self::draw_index(cumulative, rng)].clone(),
        }
    }
    /// The B points of step n.
    pub fn batch(&self, seed: u64, n: u64, b: usize) -> Vec<Vec<BigRational>> {
        let mut rng = step_rng(seed, n);
        (0..b).map(|_| self.draw(&mut rng)).collect()
    }
}

/// The problem whose measure is the batch's empirical measure (1/B) Σ δ_{X_i}:
/// its G is the batch gradient and its L the batch risk ê.
pub fn batch_problem(problem: &Problem, xs: &[Vec<BigRational>]) -> Problem {
    let w = BigRational::new(BigInt::one(), BigInt::from(xs.len().max(1)));
    Problem { measure: Measure::Empirical { points: xs.to_vec(), weights: vec![w; xs.len()] }, ..problem.clone() }
}

/// γ_SGD* = [2 max{1, ρ²}(1 + V(Θ_0))]⁻¹ (C11), exactly; `None` without a
/// constant target.
pub fn gamma_sgd_star(case: &Case) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let rho2 = case.problem.measure.rho2();
    let big = if rho2 > BigRational::one() { rho2 } else { BigRational::one() };
    let v0 = lyapunov(&case.theta, xi, &());
    Some(BigRational::one() / (BigRational::from_integer(2.into()) * big * (BigRational::one() + v0)))
}

/// Parses and validates a decay exponent α: a rational p/q ≥ 0 with
/// q ≤ [`MAX_DECAY_DENOMINATOR`] (e.g. `0`, `1/2`, `1`, `2/3`).
pub fn parse_decay(s: &str) -> Result<BigRational, String> {
    let a = parse_rational(s).map_err(|e| format!("--decay: {e}"))?;
    check_decay(&a)?;
    Ok(a)
}

pub(crate) fn check_decay(a: &BigRational) -> Result<(), String> {
    if a.is_negative() {
        return Err(format!("--decay {a}: the exponent alpha must be >= 0"));
    }
    if a.denom() > &BigInt::from(MAX_DECAY_DENOMINATOR) {
        return Err(format!("--decay {a}: the denominator of alpha must be at most {MAX_DECAY_DENOMINATOR}"));
    }
    if a.numer() > &BigInt::from(u32::MAX) {
        return Err(format!("--decay {a}: alpha is too large"));
    }
    Ok(())
}

/// γ_n for γ_n = c/(n+1)^α, and whether it is exact. With α = p/q in lowest
/// terms: if n+1 = r^q, γ_n = c/r^p exactly; otherwise γ_n = k·2^-E, the
/// largest such number with 2^63 ≤ k < 2^64 and γ_n^q (n+1)^p ≤ c^q, computed
/// with an exact integer q-th root, so γ_n ≤ c/(n+1)^α exactly and the relative
/// error is below 2^-63. Needs c > 0 and α as accepted by [`parse_decay`].
pub fn step_size(c: &BigRational, alpha: &BigRational, n: u64) -> (BigRational, bool) {
    let big_n: BigInt = BigInt::from(n) + 1;
    let p = alpha.numer().to_u32().expect("alpha numerator fits u32");
    let q = alpha.denom().to_u32().expect("alpha denominator fits u32");
    let r = big_n.nth_root(q);
    if num_traits::pow(r.clone(), q as usize) == big_n {
        return (c / BigRational::from_integer(num_traits::pow(r, p as usize)), true);
    }
    // Largest k with k^q N^p cd^q ≤ cn^q 2^{Eq}: k = ⌊(cn^q 2^{Eq} / (N^p cd^q))^{1/q}⌋.
    let cn_q = num_traits::pow(c.numer().clone(), q as usize);
    let den = num_traits::pow(big_n.clone(), p as usize) * num_traits::pow(c.denom().clone(), q as usize);
    let estimate = c.numer().bits() as f64 - c.denom().bits() as f64 - alpha.to_f64_lossy() * (n as f64 + 1.0).log2();
    let mut e: i64 = SCHEDULE_BITS as i64 - estimate.floor() as i64;
    for _ in 0..16 {
        let k = if e >= 0 {
            ((&cn_q << (e as u64 * q as u64) as usize) / &den).nth_root(q)
        } else {
            (&cn_q / (&den << ((-e) as u64 * q as u64) as usize)).nth_root(q)
        };
        let bits = k.bits() as i64;
        if bits == SCHEDULE_BITS as i64 {
            let gamma = if e >= 0 {
                BigRational::new(k, BigInt::one() << e as usize)
            } else {
                BigRational::from_integer(k << (-e) as usize)
            };
            return (gamma, false);
        }
        e += SCHEDULE_BITS as i64 - bits;
    }
    unreachable!("the exponent estimate is off by at most a few bits")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> BigRational {
        parse_rational(s).expect("test literal")
    }

    #[test]
    fn interval_sampling_is_reproducible_and_exact() {
        let s = Sampler::new(&Measure::Lebesgue { a: q("-3/2"), b: q("5/7") }).expect("sampler");
        let (a, b) = (q("-3/2"), q("5/7"));
        let grid = BigRational::from_integer(BigInt::one() << 53usize);
        for n in 0..20 {
            let xs = s.batch(42, n, 16);
            assert_eq!(xs, s.batch(42, n, 16), "same (seed, n), same points");
            assert_ne!(xs, s.batch(43, n, 16), "another seed, other points");
            assert_ne!(xs, s.batch(42, n + 1, 16), "another step, other points");
            for x in &xs {
                assert_eq!(x.len(), 1);
                assert!(a <= x[0] && x[0] < b, "{} outside [a, b)", x[0]);
                // x = a + (b - a) k / 2^53 with an integer k.
                assert!(((&x[0] - &a) / (&b - &a) * &grid).is_integer());
            }
        }
    }

    #[test]
    fn empirical_draws_follow_the_weights() {
        // Probabilities 2/9, 0, 4/9, 3/9 (not dyadic: the exact method matters).
        let m = Measure::Empirical {
            points: (0..4).map(|i| vec![BigRational::from_integer(i.into())]).collect(),
            weights: vec![q("1"), q("0"), q("2"), q("3/2")],
        };
        let Sampler::Weighted { cumulative, .. } = Sampler::new(&m).expect("sampler") else { panic!("weighted") };
        assert_eq!(cumulative, vec![q("2/9"), q("2/9"), q("6/9"), q("1")]);
        let trials = 90_000u64;
        let mut counts = [0u64; 4];
        let mut rng = Rng::new(2024);
        for _ in 0..trials {
            counts[Sampler::draw_index(&cumulative, &mut rng)] += 1;
        }
        assert_eq!(counts[1], 0, "a point of weight 0 is never drawn");
        // Binomial bound: |count - Np| <= 5 sqrt(Np(1-p)) (a 5-sigma band).
        for (i, p) in [(0, 2.0 / 9.0), (2, 4.0 / 9.0), (3, 3.0 / 9.0)] {
            let mean = trials as f64 * p;
            let sd = (mean * (1.0 - p)).sqrt();
            assert!(
                (counts[i] as f64 - mean).abs() <= 5.0 * sd,
                "index {i}: {} draws, expected {mean} ± {sd}",
                counts[i]
            );
        }
        // Dyadic boundaries are decided after the first 64 bits.
        let half = vec![q("1/2"), q("1")];
        let mut r = Rng::new(9);
        let mut r2 = Rng::new(9);
        for _ in 0..100 {
            let i = Sampler::draw_index(&half, &mut r);
            assert_eq!(i, usize::from(r2.next_u64() >> 63 == 1));
        }
        assert!(Sampler::new(&Measure::Empirical { points: vec![vec![q("1")]], weights: vec![q("0")] }).is_err());
    }

    #[test]
    fn schedule_rounds_down_exactly() {
        for c in ["1", "3/7", "1/1000003", "123456789/5"] {
            let c = q(c);
            for alpha in ["0", "1", "2", "1/2", "1/3", "2/3", "3/2", "5/7"] {
                let alpha = q(alpha);
                let (p, qq) = (alpha.numer().to_usize().expect("p"), alpha.denom().to_usize().expect("q"));
                let cq = num_traits::pow(c.clone(), qq);
                for n in (0..300u64).chain([4095, 1 << 20, u64::MAX - 1]) {
                    let (g, exact) = step_size(&c, &alpha, n);
                    let big_n = BigRational::from_integer(BigInt::from(n) + 1);
                    let lhs = num_traits::pow(g.clone(), qq) * num_traits::pow(big_n.clone(), p);
                    assert!(g.is_positive());
                    assert!(lhs <= cq, "gamma_{n} = {g} > c/(n+1)^{alpha}");
                    if exact {
                        assert_eq!(lhs, cq, "exact gamma_{n} for alpha = {alpha}");
                    } else {
                        assert!(!alpha.is_integer(), "integer alpha is never rounded");
                        // 64 significant bits, a power-of-2 denominator, and the next
                        // such number is too big: γ_n is c/(n+1)^α rounded down.
                        let k = g.numer().clone();
                        let den = g.denom().clone();
                        assert_eq!(den.clone() & (den.clone() - 1), BigInt::zero(), "dyadic");
                        let ulp = if k.bits() == 64 {
                            BigRational::new(BigInt::one(), den)
                        } else {
                            // k even, reduced: ulp of the 64-bit representation.
                            let shift = 64 - k.bits();
                            BigRational::new(BigInt::one(), den << shift as usize)
                        };
                        let up = num_traits::pow(&g + ulp, qq) * num_traits::pow(big_n, p);
                        assert!(up > cq, "gamma_{n} is not the largest 64-bit dyadic below");
                    }
                }
                // n + 1 a perfect q-th power: exact.
                let (g, exact) = step_size(&c, &alpha, 63); // n + 1 = 64 = 2^6
                if 6 % qq == 0 {
                    assert!(exact);
                    assert_eq!(g, &c / BigRational::from_integer(BigInt::one() << (6 / qq * p)));
                }
            }
        }
        assert!(parse_decay("-1/2").is_err());
        assert!(parse_decay("1/1001").is_err());
        assert_eq!(parse_decay("0.5"), Ok(q("1/2")));
    }
}
