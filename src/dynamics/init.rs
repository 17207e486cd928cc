//! `reluproof init`: a seeded random initialisation with dyadic rational
//! entries, written as a case file.
//!
//! Entries are uniform on [−scale, scale] or approximately normal with
//! standard deviation `scale` (Irwin–Hall: the sum of 12 uniforms on [0, 1]
//! minus 6, computed exactly so the file is the same on every platform), then
//! rounded to multiples of 2^-bits.

use crate::gen::Rng;
use crate::model::case::Case;
use crate::model::{Measure, Problem, Target, Theta};
use crate::num::BigRational;
use num_bigint::BigInt;
use num_traits::One;

/// Distribution of the entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distribution {
    /// Uniform on [−scale, scale].
    Uniform,
    /// Irwin–Hall approximation of N(0, scale²).
    Normal,
}

impl std::str::FromStr for Distribution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "uniform" => Ok(Distribution::Uniform),
            "normal" => Ok(Distribution::Normal),
            _ => Err(format!("unknown distribution {s:?}; expected uniform or normal")),
        }
    }
}

/// Options of `reluproof init`.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// Width H ≥ 1.
    pub width: usize,
    /// Seed.
    pub seed: u64,
    /// Scale of the entries.
    pub scale: BigRational,
    /// Distribution.
    pub dist: Distribution,
    /// Grid 2^-bits.
    pub bits: u32,
    /// The problem the initialisation is for.
    pub problem: Problem,
}

/// A uniform dyadic in [0, 1) with 53 random bits.
fn unit(rng: &mut Rng) -> BigRational {
    BigRational::new(BigInt::from(rng.next_u64() >> 11), BigInt::one() << 53)
}

fn sample(rng: &mut Rng, opts: &InitOptions) -> BigRational {
    let x = match opts.dist {
        Distribution::Uniform => unit(rng) * BigRational::from_integer(2.into()) - BigRational::one(),
        Distribution::Normal => (0..12).fold(BigRational::from_integer(BigInt::from(-6)), |s, _| s + unit(rng)),
    };
    let grid = BigRational::from_integer(BigInt::one() << opts.bits as usize);
    (x * &opts.scale * &grid).round() / grid
}

/// The case: θ drawn in layout order (w, b, v, c).
pub fn init_case(opts: &InitOptions) -> Result<Case, String> {
    if opts.width == 0 {
        return Err("--H must be at least 1".into());
    }
    let d = opts.problem.dim();
    let mut rng = Rng::new(opts.seed);
    let w = (0..opts.width * d).map(|_| sample(&mut rng, opts)).collect();
    let b = (0..opts.width).map(|_| sample(&mut rng, opts)).collect();
    let v = (0..opts.width).map(|_| sample(&mut rng, opts)).collect();
    let c = sample(&mut rng, opts);
    Ok(Case { problem: opts.problem.clone(), theta: Theta { d, w, b, v, c }, notes: Vec::new() })
}

/// A problem from command-line pieces: lebesgue or uniform on [a, b] (on the
/// cube [a, b]^d for d ≥ 2), or
/// `empirical` with `points` uniform grid points on [a, b]^d.
pub fn problem_from_args(
    measure: &str,
    a: &BigRational,
    b: &BigRational,
    d: usize,
    points: usize,
    target: BigRational,
) -> Result<Problem, String> {
    if a >= b {
        return Err(format!("--a must be smaller than --b (got a = {a}, b = {b})"));
    }
    let measure = match (measure, d) {
        ("lebesgue", 1) => Measure::Lebesgue { a: a.clone(), b: b.clone() },
        ("uniform", 1) => Measure::Uniform { a: a.clone(), b: b.clone(), d: 1 },
        // d ≥ 2: the cube [a, b]^d, integrated exactly over boxes.
        ("lebesgue" | "uniform", _) => {
            Measure::Box { a: vec![a.clone(); d], b: vec![b.clone(); d], probability: measure == "uniform" }
        }
        ("empirical", _) => {
            if points == 0 {
                return Err("--points must be at least 1".into());
            }
            // A regular grid of `points` values per axis would explode with d;
            // use points on the diagonal-shifted lattice a + (b - a) (i + k/d)/points.
            let n = points;
            let pts = (0..n)
                .map(|i| {
                    (0..d)
                        .map(|k| {
                            let frac = BigRational::new(BigInt::from((i * d + k) % (n * d)), BigInt::from(n * d));
                            a + (b - a) * frac
                        })
                        .collect()
                })
                .collect();
            Measure::Empirical { points: pts, weights: vec![BigRational::new(1.into(), n.into()); n] }
        }
        (m, _) => return Err(format!("unknown measure {m:?}; expected lebesgue, uniform or empirical")),
    };
    Ok(Problem::new(measure, Target::Constant(target)))
}
