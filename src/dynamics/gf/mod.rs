//! Gradient flow (D6): dΘ/dt = −G(Θ), with G the generalized gradient (D4).
//!
//! # Integrator
//! The embedded Runge–Kutta–Fehlberg 7(8) pair (Fehlberg 1968, NASA TR R-287:
//! 13 stages, rational coefficients). The solution is advanced with the
//! 8th-order weights (local extrapolation); the difference to the 7th-order
//! weights, h·41/840·(k₁₃ + k₁₂ − k₁₁ − k₁), is the local error estimate that
//! drives step acceptance and the step-size controller
//! (h ← h·clamp(0.9·err^(−1/8), 0.2, 4)). The state is augmented with
//! q(t) = ∫₀ᵗ L(Θ_s) ds, integrated by the same stages, so that the balance of
//! C10, V(Θ_t) + 8 q(t) = V(Θ_0), can be checked at every node.
//!
//! G is only piecewise smooth: for interval measures G is continuous but its
//! derivative jumps when a kink crosses a or b (and G'' when two kinks
//! cross); for empirical measures G itself jumps when a neuron's hyperplane
//! crosses a sample point. The embedded estimate, which sees only k₁, k₁₁,
//! k₁₂, k₁₃, can miss the error of a step across such a switch entirely. So
//! every step tracks the piece of G (signs of w_j·x + b_j at a and b or at
//! the sample points, and the kink order) at all 13 stages and at the new
//! node; when the piece changes, the local error estimate is the larger of
//! the embedded one and the difference between the 8th-order result and
//! Simpson's rule on the stages at c = 0, 1/2, 1 (order 4): O(h) across a
//! jump of G, O(h²) across a kink, O(h⁵) where G is smooth.
//!
//! Steps are rejected while the scaled estimate exceeds 1; a step of the
//! minimum size `T·2^-20` is accepted whatever its estimate (counted as
//! "forced"); every accepted step adds the Euclidean norm of its local error
//! estimate, taken on the augmented state (Θ, q), to a running sum E, the
//! printed "error estimate". The balance is compared with 10·C·E plus a
//! rounding allowance, C = √(8 V(Θ_0) + 64) being the first-order
//! sensitivity of V(Θ) + 8q to an error in (Θ, q). E is an a-posteriori
//! estimate, not a rigorous bound.
//!
//! For empirical measures the flow can reach a sliding mode: a hyperplane
//! through a sample point, with G pushing into it from both sides. No
//! solution of Θ_t = Θ_0 − ∫₀ᵗ G(Θ_s) ds continues there (the value of G on
//! the surface, σ'(0) = 0, points off it; |w·x + b| would have to decrease
//! from 0). The integrator notices it as chattering (minimum steps crossing
//! the same surface [`SLIDING_CROSSINGS`] times) and stops ([`Stop::Sliding`]).
//!
//! # Arithmetic
//! MPFR (`rug::Float`, feature `gmp`, default 128 bits) or `f64` (labelled
//! approximate). L and G come from the generic
//! [`evaluate`](crate::objective::evaluate). Every node Θ_t is a vector of
//! floating-point numbers, hence of dyadic rationals: each node is converted
//! exactly ([`Scalar::to_rational`]) and L, G, V, ‖Θ_t‖², ‖G‖² and
//! ⟨∇V, G⟩ − 8L (C3) are evaluated there EXACTLY in `BigRational`. The
//! balance defect V(Θ_t) + 8q(t) − V(Θ_0) is the exact defect of the computed
//! node and the computed q(t).
//!
//! # Checkpoints
//! Every `checkpoint`-th node's record, and the last one, carries the exact
//! node (`theta`, `t_exact`, `q_exact`) and the integrator's state after it
//! (`flow`: the next step size, the step and error sums, the counters and the
//! verdicts so far, with floats written so that they read back exactly).
//! `--resume FILE` continues from the last such record of FILE: the file
//! (and CSV) is cut back to just before it, the node is rebuilt from the
//! exact values and the run goes on from there, rewriting that record and
//! everything after it exactly as the uninterrupted run writes them.
//!
//! [`Scalar::to_rational`]: crate::num::Scalar::to_rational

mod checkpoint;
mod field;
mod integrator;
mod report;
mod sink;
pub mod sliding;
mod tableau;
#[cfg(test)]
pub(crate) mod tests;
mod text;

pub(crate) use field::Direction;
pub use report::{FlowNode, FlowReport, RiskMonotonicity, Stop};
pub use text::{flow_json, flow_text};

use crate::model::case::Case;
use crate::num::BigRational;
use integrator::integrate;
use std::path::PathBuf;

/// A balance defect is accepted up to `BALANCE_FACTOR · C · E + ROUNDING`,
/// with E the running error estimate, C = √(8 V(Θ_0) + 64) the first-order
/// sensitivity of V(Θ) + 8q to an error in (Θ, q) (‖(∇V(Θ), 8)‖ ≤ C while
/// V(Θ) ≤ V(Θ_0), since ‖∇V(θ)‖² ≤ 8 V(θ)), and ROUNDING = 2^−(bits − 20)·V(Θ_0).
pub const BALANCE_FACTOR: f64 = 10.0;
/// Bits of the working precision not counted on for the rounding slack.
pub const ROUNDING_BITS_LOST: u32 = 20;
/// Default MPFR precision in bits.
pub const DEFAULT_PRECISION: u32 = 128;
/// Default tolerance of the step control at an MPFR precision.
pub const DEFAULT_TOLERANCE_MPFR: f64 = 1e-12;
/// Default tolerance of the step control in `f64`.
pub const DEFAULT_TOLERANCE_F64: f64 = 1e-10;
/// The minimum step is T·2^−MIN_STEP_BITS.
pub const MIN_STEP_BITS: i32 = 20;
/// When one switching surface has been crossed this many times by forced
/// minimum steps, the run stops as a sliding mode ([`Stop::Sliding`]).
pub const SLIDING_CROSSINGS: usize = 32;

/// The default precision of this build: 128 bits with the `gmp` feature,
/// 0 (= `f64`) without.
pub fn default_precision() -> u32 {
    if cfg!(feature = "gmp") {
        DEFAULT_PRECISION
    } else {
        0
    }
}

/// Options of a gradient-flow run.
#[derive(Clone, Debug)]
pub struct FlowOptions {
    /// Time horizon T > 0.
    pub time: BigRational,
    /// MPFR precision in bits (needs the `gmp` feature); 0 for `f64`.
    pub precision: u32,
    /// Tolerance of the step control (mixed absolute/relative, per component).
    pub tolerance: f64,
    /// Budget of RK step attempts (accepted and rejected); the run stops
    /// early, and says so, when it is spent.
    pub max_steps: usize,
    /// Trajectory as JSON lines (one record per accepted node).
    pub out: Option<PathBuf>,
    /// Trajectory as CSV.
    pub csv: Option<PathBuf>,
    /// No progress output on stderr.
    pub quiet: bool,
    /// Continue the run recorded in this JSON-lines file (appending to it)
    /// from its last checkpoint, with the same time, precision and tolerance.
    pub resume: Option<PathBuf>,
    /// Every this many nodes (and at the last) a record carries the exact
    /// node and the integrator's state, for `resume`; 0 for the last only.
    pub checkpoint: usize,
}

/// Default node interval of checkpoints.
pub const DEFAULT_CHECKPOINT: usize = 100;

impl FlowOptions {
    /// Options for horizon `time` at `precision` bits (0 = `f64`), with the
    /// default tolerance of that precision, 100 000 steps, no files, quiet.
    pub fn new(time: BigRational, precision: u32) -> Self {
        let tolerance = if precision == 0 { DEFAULT_TOLERANCE_F64 } else { DEFAULT_TOLERANCE_MPFR };
        FlowOptions {
            time,
            precision,
            tolerance,
            max_steps: 100_000,
            out: None,
            csv: None,
            quiet: true,
            resume: None,
            checkpoint: DEFAULT_CHECKPOINT,
        }
    }
}

/// Runs the gradient flow of `case` up to `opts.time`: RKF 7(8) in MPFR at
/// `opts.precision` bits (feature `gmp`), or in `f64` when the precision is 0.
/// Writes the trajectory to `opts.out` / `opts.csv` as it goes.
pub fn run_flow(case: &Case, opts: &FlowOptions) -> Result<FlowReport, String> {
    run_flow_directed(case, opts, Direction::Down, false)
}

pub(crate) fn run_flow_directed(
    case: &Case,
    opts: &FlowOptions,
    dir: Direction,
    stop_on_violation: bool,
) -> Result<FlowReport, String> {
    match opts.precision {
        0 => integrate::<f64>(case, &(), 53, opts, dir, stop_on_violation),
        #[cfg(feature = "gmp")]
        bits if (ROUNDING_BITS_LOST + 8..=1_000_000).contains(&bits) => {
            integrate::<rug::Float>(case, &bits, bits, opts, dir, stop_on_violation)
        }
        #[cfg(feature = "gmp")]
        bits => Err(format!(
            "bad precision {bits}: expected between {} and 1000000 bits, or 0 for f64",
            ROUNDING_BITS_LOST + 8
        )),
        #[cfg(not(feature = "gmp"))]
        bits => Err(format!(
            "--precision {bits} needs MPFR: build with `--features gmp` (GMP's build needs m4), or use --precision 0 for f64 (approximate)"
        )),
    }
}
