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
    /// Lebesgue measure (`probability` false, mass ∏_i (b_i − a_i)) or the
    /// uniform probability (`probability` true, mass 1) on the box
    /// ∏_i [a_i, b_i] ⊂ ℝ^d, d ≥ 2 (d = 1 uses `Lebesgue` or `Uniform`).
    Box {
        /// Lower ends a_i, one per coordinate.
        a: Vec<BigRational>,
        /// Upper ends b_i > a_i.
        b: Vec<BigRational>,
        /// Whether μ is normalised to mass 1.
        probability: bool,
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
            Measure::Box { a, .. } => a.len(),
            Measure::Empirical { points, .. } => points.first().map_or(1, Vec::len),
        }
    }
    /// Total mass m = μ(ℝ^d).
    pub fn mass(&self) -> BigRational {
        match self {
            Measure::Lebesgue { a, b } => b - a,
            Measure::Uniform { .. } | Measure::Box { probability: true, .. } => BigRational::one(),
            Measure::Box { a, b, probability: false } => box_volume(a, b),
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
            Measure::Box { a, b, .. } => a.iter().zip(b).fold(BigRational::zero(), |s, (ai, bi)| s + ab(ai, bi)),
            Measure::Empirical { points, weights } => points
                .iter()
                .zip(weights)
                .filter(|(_, p)| p.is_positive())
                .map(|(x, _)| x.iter().fold(BigRational::zero(), |s, xi| s + xi * xi))
                .max()
                .unwrap_or_else(BigRational::zero),
        }
    }
    /// Short name: `lebesgue`, `uniform`, `empirical` (a box is `lebesgue`
    /// or `uniform`, as in case files).
    pub fn name(&self) -> &'static str {
        match self {
            Measure::Lebesgue { .. } | Measure::Box { probability: false, .. } => "lebesgue",
            Measure::Uniform { .. } | Measure::Box { probability: true, .. } => "uniform",
            Measure::Empirical { .. } => "empirical",
        }
    }
    /// The box ∏_i [a_i, b_i] and whether μ is a probability, for the
    /// measures integrated over a box in d ≥ 2: [`Measure::Box`] and the
    /// uniform probability on a cube [a, b]^d with d ≥ 2. `None` otherwise
    /// (d = 1 intervals keep their own path).
    pub fn as_box(&self) -> Option<(Vec<BigRational>, Vec<BigRational>, bool)> {
        match self {
            Measure::Box { a, b, probability } => Some((a.clone(), b.clone(), *probability)),
            Measure::Uniform { a, b, d } if *d >= 2 => Some((vec![a.clone(); *d], vec![b.clone(); *d], true)),
            _ => None,
        }
    }
    /// A one-line description, e.g. `uniform probability on [0, 1] x [-1/2, 3]`.
    pub fn describe(&self) -> String {
        match self {
            Measure::Lebesgue { a, b } => format!("Lebesgue measure on [{a}, {b}]"),
            Measure::Uniform { a, b, d } => format!("uniform probability on [{a}, {b}]^{d}"),
            Measure::Box { a, b, probability } => {
                let sides: Vec<String> = a.iter().zip(b).map(|(ai, bi)| format!("[{ai}, {bi}]")).collect();
                let kind = if *probability { "uniform probability" } else { "Lebesgue measure" };
                format!("{kind} on the box {}", sides.join(" x "))
            }
            Measure::Empirical { weights, .. } => format!("empirical measure with {} points", weights.len()),
        }
    }
}

/// The 2^d corners of the box ∏_i [a_i, b_i] (corner k takes b_i where bit i
/// of k is set).
pub fn box_corners(a: &[BigRational], b: &[BigRational]) -> Vec<Vec<BigRational>> {
    (0..1usize << a.len())
        .map(|k| (0..a.len()).map(|i| if k >> i & 1 == 1 { b[i].clone() } else { a[i].clone() }).collect())
        .collect()
}

/// ∏_i (b_i − a_i), the volume of a box.
pub fn box_volume(a: &[BigRational], b: &[BigRational]) -> BigRational {
    a.iter().zip(b).fold(BigRational::one(), |v, (ai, bi)| v * (bi - ai))
}

/// The target function f (D3 has the constant ξ; the others are edge cases E1).
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// f(x) = ξ: the papers' setting.
    Constant(BigRational),
    /// f(x) = slope·x + intercept (slope has d entries).
    Affine {
        /// The gradient of f, one entry per input coordinate.
        slope: Vec<BigRational>,
        /// f(0).
        intercept: BigRational,
    },
    /// d = 1: the continuous piecewise linear interpolant of (knots[k], values[k]),
    /// constant left of the first knot and right of the last one.
    PiecewiseLinear {
        /// Strictly increasing breakpoints.
        knots: Vec<BigRational>,
        /// f at the breakpoints.
        values: Vec<BigRational>,
    },
    /// d = 1: f(x) = sin(x). Not rational: evaluated in MPFR, guarantee approximate.
    Sin,
}

impl Target {
    /// ξ, for a constant target.
    pub fn constant(&self) -> Option<&BigRational> {
        match self {
            Target::Constant(xi) => Some(xi),
            _ => None,
        }
    }
    /// Name: `constant`, `affine`, `piecewise_linear` or `sin`.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Constant(_) => "constant",
            Target::Affine { .. } => "affine",
            Target::PiecewiseLinear { .. } => "piecewise_linear",
            Target::Sin => "sin",
        }
    }
    /// A one-line description, e.g. `xi = 1` or `f(x) = 1/2 x + 1`.
    pub fn describe(&self) -> String {
        match self {
            Target::Constant(xi) => format!("xi = {xi}"),
            Target::Affine { slope, intercept } => {
                let mut f = String::new();
                for (i, a) in slope.iter().enumerate().filter(|(_, a)| !a.is_zero()) {
                    let x = if slope.len() == 1 { "x".to_string() } else { format!("x{}", i + 1) };
                    f += &signed_term(a, &x, f.is_empty());
                }
                if !intercept.is_zero() || f.is_empty() {
                    f += &signed_term(intercept, "", f.is_empty());
                }
                format!("affine f(x) = {f}")
            }
            Target::PiecewiseLinear { knots, values } => {
                let pts: Vec<String> = knots.iter().zip(values).map(|(k, v)| format!("({k}, {v})")).collect();
                format!("piecewise linear through {}", pts.join(", "))
            }
            Target::Sin => "f(x) = sin x".into(),
        }
    }
    /// Whether f takes rational values at rational points (all but `sin`).
    pub fn is_exact(&self) -> bool {
        !matches!(self, Target::Sin)
    }
    /// f(x) at a rational point, exactly; `None` for `sin`.
    pub fn value_at(&self, x: &[BigRational]) -> Option<BigRational> {
        match self {
            Target::Constant(xi) => Some(xi.clone()),
            Target::Affine { slope, intercept } => {
                Some(slope.iter().zip(x).fold(intercept.clone(), |s, (a, xi)| s + a * xi))
            }
            Target::PiecewiseLinear { knots, values } => Some(pl_value(knots, values, &x[0])),
            Target::Sin => None,
        }
    }
    /// The affine pieces of f on [lo, hi] (d = 1): breakpoints strictly
    /// inside, and for each of the `breaks.len() + 1` pieces (slope, intercept).
    /// `None` for `sin`.
    pub fn pieces_on(&self, lo: &BigRational, hi: &BigRational) -> Option<PiecewiseAffine> {
        match self {
            Target::Constant(xi) => {
                Some(PiecewiseAffine { breaks: vec![], pieces: vec![(BigRational::zero(), xi.clone())] })
            }
            Target::Affine { slope, intercept } => {
                Some(PiecewiseAffine { breaks: vec![], pieces: vec![(slope[0].clone(), intercept.clone())] })
            }
            Target::PiecewiseLinear { knots, values } => {
                let breaks: Vec<BigRational> = knots.iter().filter(|k| *k > lo && *k < hi).cloned().collect();
                let mut ends = vec![lo.clone()];
                ends.extend(breaks.iter().cloned());
                ends.push(hi.clone());
                let pieces = ends
                    .windows(2)
                    .map(|e| {
                        let (l, r) = (&e[0], &e[1]);
                        let (fl, fr) = (pl_value(knots, values, l), pl_value(knots, values, r));
                        let slope = (&fr - &fl) / (r - l);
                        let intercept = fl - &slope * l;
                        (slope, intercept)
                    })
                    .collect();
                Some(PiecewiseAffine { breaks, pieces })
            }
            Target::Sin => None,
        }
    }
}

/// `a x` as a term of a sum: "3/2 x", " - 3/2 x", " + 3/2 x" (the leading
/// term has no " + ").
fn signed_term(a: &BigRational, x: &str, leading: bool) -> String {
    let magnitude = a.abs();
    let body = match (x.is_empty(), magnitude.is_one()) {
        (true, _) => magnitude.to_string(),
        (false, true) => x.to_string(),
        (false, false) => format!("{magnitude} {x}"),
    };
    match (a.is_negative(), leading) {
        (true, true) => format!("-{body}"),
        (true, false) => format!(" - {body}"),
        (false, true) => body,
        (false, false) => format!(" + {body}"),
    }
}

/// A piecewise affine function on an interval (see [`Target::pieces_on`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PiecewiseAffine {
    /// Breakpoints strictly inside the interval, increasing.
    pub breaks: Vec<BigRational>,
    /// (slope, intercept) on each piece, left to right.
    pub pieces: Vec<(BigRational, BigRational)>,
}

/// Linear interpolation through (knots, values), constant outside.
fn pl_value(knots: &[BigRational], values: &[BigRational], x: &BigRational) -> BigRational {
    let n = knots.len();
    if x <= &knots[0] {
        return values[0].clone();
    }
    if x >= &knots[n - 1] {
        return values[n - 1].clone();
    }
    let k = knots.partition_point(|t| t <= x);
    let (l, r) = (&knots[k - 1], &knots[k]);
    let (fl, fr) = (&values[k - 1], &values[k]);
    fl + (fr - fl) * (x - l) / (r - l)
}

/// The activation σ. ReLU is the papers' setting; the others are edge cases
/// (E3–E5). Piecewise polynomial ones are evaluated exactly; the smooth ones
/// (transcendental) only in MPFR.
#[derive(Clone, Debug, PartialEq)]
pub enum Activation {
    /// σ(z) = max{z, 0}.
    Relu,
    /// σ(z) = z for z > 0, slope·z for z < 0 (E4).
    LeakyRelu(BigRational),
    /// σ(z) = |z| (E4).
    Abs,
    /// σ(z) = max{z, 0}^p, p = 2 or 3 (E5).
    ReluPow(u32),
    /// σ(z) = ln(1 + e^z) (E3).
    Softplus,
    /// σ(z) = tanh z (E3).
    Tanh,
    /// σ(z) = 1/(1 + e^{−z}) (E3).
    Sigmoid,
    /// σ(z) = z Φ(z), Φ the standard normal distribution function (E3).
    Gelu,
    /// σ(z) = z/(1 + e^{−z}) (E3).
    Silu,
}

/// One polynomial piece of a piecewise polynomial activation: σ(z) = Σ_k
/// value[k] z^k and σ'(z) = Σ_k slope[k] z^k.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationPiece {
    /// Coefficients of σ in powers of z.
    pub value: Vec<BigRational>,
    /// Coefficients of σ' in powers of z.
    pub slope: Vec<BigRational>,
}

impl Activation {
    /// Name in case files.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Abs => "abs",
            Activation::ReluPow(2) => "relu2",
            Activation::ReluPow(_) => "relu3",
            Activation::Softplus => "softplus",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Silu => "silu",
        }
    }
    /// A one-line description, e.g. `leaky_relu (slope 1/10)`.
    pub fn describe(&self) -> String {
        match self {
            Activation::LeakyRelu(a) => format!("leaky_relu (slope {a} for z < 0)"),
            a => a.name().to_string(),
        }
    }
    /// Every activation name accepted in case files.
    pub const NAMES: &'static [&'static str] =
        &["relu", "leaky_relu", "abs", "relu2", "relu3", "softplus", "tanh", "sigmoid", "gelu", "silu"];

    /// Whether σ is piecewise polynomial with rational coefficients, so that
    /// L and G are exact rationals.
    pub fn is_piecewise_polynomial(&self) -> bool {
        matches!(self, Activation::Relu | Activation::LeakyRelu(_) | Activation::Abs | Activation::ReluPow(_))
    }

    /// The degree of homogeneity p (σ(tz) = t^p σ(z) for t > 0), if any.
    pub fn homogeneity(&self) -> Option<u32> {
        match self {
            Activation::Relu | Activation::LeakyRelu(_) | Activation::Abs => Some(1),
            Activation::ReluPow(p) => Some(*p),
            _ => None,
        }
    }

    /// The polynomial piece used where the preactivation has sign `s`
    /// (for `Zero`, the piece that gives σ(0) and the convention's σ'(0):
    /// the left derivative under `Open`, the right one under `Closed`).
    /// `None` for smooth activations.
    pub fn piece(&self, s: crate::num::Sign3, conv: DerivativeAtZero) -> Option<ActivationPiece> {
        use crate::num::Sign3;
        let q = |n: i64| BigRational::from_integer(n.into());
        let positive = match s {
            Sign3::Positive => true,
            Sign3::Negative => false,
            _ => conv == DerivativeAtZero::Closed,
        };
        let (value, slope) = match (self, positive) {
            (Activation::Relu, true) => (vec![q(0), q(1)], vec![q(1)]),
            (Activation::Relu, false) => (vec![], vec![]),
            (Activation::LeakyRelu(_), true) => (vec![q(0), q(1)], vec![q(1)]),
            (Activation::LeakyRelu(a), false) => (vec![q(0), a.clone()], vec![a.clone()]),
            (Activation::Abs, true) => (vec![q(0), q(1)], vec![q(1)]),
            (Activation::Abs, false) => (vec![q(0), q(-1)], vec![q(-1)]),
            (Activation::ReluPow(p), true) => {
                let p = *p as usize;
                let mut value = vec![q(0); p + 1];
                value[p] = q(1);
                let mut slope = vec![q(0); p];
                slope[p - 1] = q(p as i64);
                (value, slope)
            }
            (Activation::ReluPow(_), false) => (vec![], vec![]),
            _ => return None,
        };
        Some(ActivationPiece { value, slope })
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
    /// Whether the network has the output bias c (E2 drops it: c stays 0
    /// and G_c is 0).
    pub output_bias: bool,
}

/// The affine pieces of a target in a backend: interior breakpoints, and
/// (slope, intercept) on each piece.
pub type TargetPieces<S> = (Vec<S>, Vec<(S, S)>);

/// A problem's data converted once to a backend, for repeated evaluation.
#[derive(Clone, Debug)]
pub struct Prepared<S: Scalar> {
    /// The exact problem.
    pub problem: Problem,
    /// Backend context.
    pub ctx: S::Ctx,
    /// [a, b] for interval measures.
    pub interval: Option<(S, S)>,
    /// The ends (a_i), (b_i) of the box for box measures (d ≥ 2).
    pub box_ends: Option<(Vec<S>, Vec<S>)>,
    /// 1/(b − a) for the uniform probability measure on [a, b]; 1/∏(b_i − a_i)
    /// on a box.
    pub normaliser: Option<S>,
    /// Points (row-major, n × d) and weights for empirical measures.
    pub points: Vec<S>,
    /// Weights p_i.
    pub weights: Vec<S>,
    /// ξ for a constant target; for other targets the reference constant
    /// of V (the mean of f under μ, see [`Problem::reference_constant`]).
    pub xi: S,
    /// f(x_i) at the empirical points (exact targets only).
    pub targets: Vec<S>,
    /// The affine pieces of f on [a, b] for interval measures (exact targets):
    /// interior breakpoints and (slope, intercept) per piece.
    pub target_pieces: Option<TargetPieces<S>>,
}

impl Problem {
    /// The papers' setting: ReLU, σ'(0) = 0, with output bias, for a measure
    /// and a target.
    pub fn new(measure: Measure, target: Target) -> Self {
        Problem {
            measure,
            target,
            activation: Activation::Relu,
            derivative_at_zero: DerivativeAtZero::Open,
            output_bias: true,
        }
    }

    /// Whether this is the papers' setting (constant target, ReLU, output
    /// bias), where the fast O(H log H) sweep applies and C1–C11 are claimed.
    pub fn is_papers_setting(&self) -> bool {
        matches!(self.target, Target::Constant(_)) && self.activation == Activation::Relu && self.output_bias
    }

    /// The constant ξ in V(θ) = ‖θ‖² + (c − 2ξ)²: the target itself when it
    /// is constant, otherwise the mean ∫ f dμ / m of an exact target (E1's
    /// identity holds for any constant) and 0 for `sin` or a massless μ.
    pub fn reference_constant(&self) -> BigRational {
        if let Target::Constant(xi) = &self.target {
            return xi.clone();
        }
        let m = self.measure.mass();
        if m.is_zero() || !self.target.is_exact() {
            return BigRational::zero();
        }
        if let (Some((a, b, _)), Target::Affine { slope, intercept }) = (self.measure.as_box(), &self.target) {
            // The mean of an affine f over a box is f at the centre.
            let two = BigRational::from_integer(2.into());
            let centre: Vec<BigRational> = a.iter().zip(&b).map(|(ai, bi)| (ai + bi) / &two).collect();
            return slope.iter().zip(&centre).fold(intercept.clone(), |s, (w, x)| s + w * x);
        }
        match &self.measure {
            Measure::Box { .. } => BigRational::zero(),
            Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => {
                let two = BigRational::from_integer(2.into());
                let pieces = self.target.pieces_on(a, b).expect("exact target");
                let mut ends = vec![a.clone()];
                ends.extend(pieces.breaks.iter().cloned());
                ends.push(b.clone());
                let integral = ends.windows(2).zip(&pieces.pieces).fold(BigRational::zero(), |acc, (e, (s, t))| {
                    acc + s * (&e[1] * &e[1] - &e[0] * &e[0]) / &two + t * (&e[1] - &e[0])
                });
                integral / (b - a)
            }
            Measure::Empirical { points, weights } => {
                let total = points
                    .iter()
                    .zip(weights)
                    .fold(BigRational::zero(), |acc, (x, p)| acc + p * self.target.value_at(x).expect("exact target"));
                total / m
            }
        }
    }

    /// Input dimension d.
    pub fn dim(&self) -> usize {
        self.measure.dim()
    }

    /// Refuses a measure of zero mass (an empirical measure whose weights
    /// are all 0): then L = 0 and G = 0 for every θ, γ* is undefined and no
    /// claim says anything. The one message every command gives.
    pub fn check_mass(&self) -> Result<(), String> {
        if self.measure.mass().is_zero() {
            return Err("field `problem.weights`: every weight is 0, so the measure has zero mass (L = 0 and G = 0 for every theta, and no claim applies); give at least one positive weight".into());
        }
        Ok(())
    }
    /// Converts the problem's numbers to the backend `S`.
    pub fn prepare<S: Scalar>(&self, ctx: &S::Ctx) -> Prepared<S> {
        let conv = |q: &BigRational| S::from_rational(q, ctx);
        let boxed = self.measure.as_box();
        let (interval, normaliser) = match (&self.measure, &boxed) {
            (_, Some((a, b, true))) => (None, Some(conv(&(BigRational::one() / box_volume(a, b))))),
            (_, Some(_)) => (None, None),
            (Measure::Lebesgue { a, b }, _) => (Some((conv(a), conv(b))), None),
            (Measure::Uniform { a, b, .. }, _) => {
                (Some((conv(a), conv(b))), Some(conv(&(BigRational::one() / (b - a)))))
            }
            (Measure::Empirical { .. } | Measure::Box { .. }, _) => (None, None),
        };
        let box_ends = boxed.map(|(a, b, _)| (a.iter().map(conv).collect(), b.iter().map(conv).collect()));
        let (points, weights) = match &self.measure {
            Measure::Empirical { points, weights } => {
                (points.iter().flatten().map(conv).collect(), weights.iter().map(conv).collect())
            }
            _ => (Vec::new(), Vec::new()),
        };
        let xi = conv(&self.reference_constant());
        let targets = match (&self.measure, self.target.is_exact()) {
            (Measure::Empirical { points, .. }, true) => {
                points.iter().map(|x| conv(&self.target.value_at(x).expect("exact target"))).collect()
            }
            _ => Vec::new(),
        };
        let target_pieces = match &self.measure {
            Measure::Lebesgue { a, b } | Measure::Uniform { a, b, d: 1 } => self.target.pieces_on(a, b).map(|p| {
                (p.breaks.iter().map(conv).collect(), p.pieces.iter().map(|(s, t)| (conv(s), conv(t))).collect())
            }),
            Measure::Uniform { .. } | Measure::Box { .. } | Measure::Empirical { .. } => None,
        };
        Prepared {
            problem: self.clone(),
            ctx: ctx.clone(),
            interval,
            box_ends,
            normaliser,
            points,
            weights,
            xi,
            targets,
            target_pieces,
        }
    }
}
