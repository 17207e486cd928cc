//! The learning problem: measure (D2), target (D3), activation and the
//! σ'(0) convention (D4). All data are exact rationals.

use crate::num::{BigRational, Scalar};
use num_traits::{One, Signed, Zero};

/// The input measure μ (D2).
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// Lebesgue measure on [a, b] (d = 1): mass m = b − a.
    Lebesgue {
        /// Left end.
        a: BigRational,
        /// Right end, b > a.
        b: BigRational,
    },
    /// Uniform probability on [a, b]^d: mass 1. Only d = 1 is supported yet.
    Uniform {
        /// Left end.
        a: BigRational,
        /// Right end, b > a.
        b: BigRational,
        /// Dimension.
        d: usize,
    },
    /// Σ_i p_i δ_{x_i} with rational points and nonnegative weights: m = Σ p_i.
    Empirical {
        /// Points x_i ∈ ℚ^d.
        points: Vec<Vec<BigRational>>,
        /// Weights p_i ≥ 0.
        weights: Vec<BigRational>,
    },
}

impl Measure {
    /// Input dimension d.
    pub fn dim(&self) -> usize {
        match self {
            Measure::Lebesgue { .. } => 1,
            Measure::Uniform { d, .. } => *d,
            Measure::Empirical { points, .. } => points.first().map_or(1, Vec::len),
        }
    }
    /// Total mass m = μ(ℝ^d).
    pub fn mass(&self) -> BigRational {
        match self {
            Measure::Lebesgue { a, b } => b - a,
            Measure::Uniform { .. } => BigRational::one(),
            Measure::Empirical { weights, .. } => weights.iter().fold(BigRational::zero(), |s, p| s + p),
        }
    }
    /// ρ² = sup over the support of ‖x‖².
    pub fn rho2(&self) -> BigRational {
        let ab = |a: &BigRational, b: &BigRational| {
            let (a2, b2) = (a * a, b * b);
            if a2 > b2 {
                a2
            } else {
                b2
            }
        };
        match self {
            Measure::Lebesgue { a, b } => ab(a, b),
            Measure::Uniform { a, b, d } => ab(a, b) * BigRational::from_integer((*d).into()),
            Measure::Empirical { points, weights } => points
                .iter()
                .zip(weights)
                .filter(|(_, p)| p.is_positive())
                .map(|(x, _)| x.iter().fold(BigRational::zero(), |s, xi| s + xi * xi))
                .max()
                .unwrap_or_else(BigRational::zero),
        }
    }
    /// Short name: `lebesgue`, `uniform`, `empirical`.
    pub fn name(&self) -> &'static str {
        match self {
            Measure::Lebesgue { .. } => "lebesgue",
            Measure::Uniform { .. } => "uniform",
            Measure::Empirical { .. } => "empirical",
        }
    }
}

/// The target function. Only the constant ξ is in the papers' setting;
/// the enum is where affine and other targets will go.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// f(x) = ξ.
    Constant(BigRational),
}

impl Target {
    /// ξ, for a constant target.
    pub fn constant(&self) -> Option<&BigRational> {
        match self {
            Target::Constant(xi) => Some(xi),
        }
    }
}

/// The activation σ. ReLU is the papers' setting; the variant list is where
/// leaky ReLU, |z|, ReLU^p and smooth activations will go.
#[derive(Clone, Debug, PartialEq)]
pub enum Activation {
    /// σ(z) = max{z, 0}.
    Relu,
}

impl Activation {
    /// Name in case files.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Relu => "relu",
        }
    }
}

/// The value used for σ'(0) in the generalized gradient (D4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DerivativeAtZero {
    /// σ'(z) = 1_{(0,∞)}(z): the papers' convention, σ'(0) = 0.
    #[default]
    Open,
    /// σ'(z) = 1_{[0,∞)}(z): σ'(0) = 1 (edge case E7).
    Closed,
}

impl DerivativeAtZero {
    /// Name in case files: `open` or `closed`.
    pub fn name(&self) -> &'static str {
        match self {
            DerivativeAtZero::Open => "open",
            DerivativeAtZero::Closed => "closed",
        }
    }
}

/// A complete problem: measure, target, activation and σ'(0) convention.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Input measure μ.
    pub measure: Measure,
    /// Target function.
    pub target: Target,
    /// Activation σ.
    pub activation: Activation,
    /// σ'(0) convention.
    pub derivative_at_zero: DerivativeAtZero,
}

/// A problem's data converted once to a backend, for repeated evaluation.
#[derive(Clone, Debug)]
pub struct Prepared<S: Scalar> {
    /// The exact problem.
    pub problem: Problem,
    /// Backend context.
    pub ctx: S::Ctx,
    /// [a, b] for interval measures.
    pub interval: Option<(S, S)>,
    /// 1/(b − a) for the uniform probability measure.
    pub normaliser: Option<S>,
    /// Points (row-major, n × d) and weights for empirical measures.
    pub points: Vec<S>,
    /// Weights p_i.
    pub weights: Vec<S>,
    /// ξ.
    pub xi: S,
}

impl Problem {
    /// Input dimension d.
    pub fn dim(&self) -> usize {
        self.measure.dim()
    }
    /// Converts the problem's numbers to the backend `S`.
    pub fn prepare<S: Scalar>(&self, ctx: &S::Ctx) -> Prepared<S> {
        let conv = |q: &BigRational| S::from_rational(q, ctx);
        let (interval, normaliser) = match &self.measure {
            Measure::Lebesgue { a, b } => (Some((conv(a), conv(b))), None),
            Measure::Uniform { a, b, .. } => (Some((conv(a), conv(b))), Some(conv(&(BigRational::one() / (b - a))))),
            Measure::Empirical { .. } => (None, None),
        };
        let (points, weights) = match &self.measure {
            Measure::Empirical { points, weights } => {
                (points.iter().flatten().map(conv).collect(), weights.iter().map(conv).collect())
            }
            _ => (Vec::new(), Vec::new()),
        };
        let xi = match &self.target {
            Target::Constant(xi) => conv(xi),
        };
        Prepared { problem: self.clone(), ctx: ctx.clone(), interval, normaliser, points, weights, xi }
    }
}
