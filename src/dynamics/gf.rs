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

use super::trajectory::{last_checkpoint, read_records, truncate_before_last_checkpoint, Record, TrajectoryWriter};
use crate::lyapunov::summarize;
use crate::model::case::Case;
use crate::model::{Prepared, Theta};
// `Ordered` is named by path: importing it would make `is_positive` ambiguous
// with `num_traits::Signed` on BigRational.
use crate::num::parse::parse_rational;
use crate::num::{self, BigRational, Guarantee, Scalar};
use crate::objective::evaluate;
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;

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

/// One accepted node of the flow. Every value except `error_estimate` and
/// `step` is exact: computed in `BigRational` from the exact (dyadic) value of
/// the floating-point node.
#[derive(Clone, Debug)]
pub struct FlowNode {
    /// Node index (0 = initial value).
    pub index: usize,
    /// The time t of the node.
    pub t: BigRational,
    /// Θ_t.
    pub theta: Theta<BigRational>,
    /// q(t) ≈ ∫₀ᵗ L(Θ_s) ds, as integrated.
    pub q: BigRational,
    /// L(Θ_t).
    pub risk: BigRational,
    /// V(Θ_t).
    pub lyapunov: BigRational,
    /// ‖Θ_t‖².
    pub theta_norm2: BigRational,
    /// ‖G(Θ_t)‖².
    pub grad_norm2: BigRational,
    /// ⟨∇V(Θ_t), G(Θ_t)⟩ − 8L(Θ_t) (C3 says 0).
    pub identity_defect: BigRational,
    /// V(Θ_t) + 8q(t) − V(Θ_0) (C10 says 0).
    pub balance_defect: BigRational,
    /// Running sum of the accepted local error estimates up to this node.
    pub error_estimate: f64,
    /// The step that led to this node (0 for the initial node).
    pub step: f64,
}

/// Why the integration ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The horizon T was reached.
    Completed,
    /// The step budget was spent first.
    StepBudget,
    /// A component became infinite or NaN.
    NonFinite,
    /// Stopped at the first violated node (negative controls only).
    Violation,
    /// Stopped in a sliding mode: steps of minimum size crossed the same
    /// switching surface of G [`SLIDING_CROSSINGS`] times (a neuron's
    /// hyperplane through a sample point, the flow chattering across it).
    /// There G jumps and pushes into the surface from both sides; no solution
    /// of Θ_t = Θ_0 − ∫₀ᵗ G(Θ_s) ds continues (the σ'(0) = 0 value of G on
    /// the surface points off it), so the flow of C10 does not exist beyond.
    Sliding,
}

impl Stop {
    /// The word in checkpoints.
    fn word(&self) -> &'static str {
        match self {
            Stop::Completed => "completed",
            Stop::StepBudget => "step_budget",
            Stop::NonFinite => "non_finite",
            Stop::Violation => "violation",
            Stop::Sliding => "sliding",
        }
    }
    fn from_word(w: &str) -> Option<Stop> {
        [Stop::Completed, Stop::StepBudget, Stop::NonFinite, Stop::Violation, Stop::Sliding]
            .into_iter()
            .find(|s| s.word() == w)
    }
}

/// The result of a gradient-flow run.
#[derive(Clone, Debug)]
pub struct FlowReport {
    /// `mpfr:BITS` or `f64`.
    pub backend: String,
    /// The guarantee of the integration: approximate at the working precision.
    pub guarantee: Guarantee,
    /// Working precision in bits (53 for `f64`).
    pub bits: u32,
    /// Tolerance of the step control.
    pub tolerance: f64,
    /// Requested horizon T.
    pub time: BigRational,
    /// Time of the last node (T rounded to the working precision, if completed).
    pub reached: BigRational,
    /// Why the run ended.
    pub stop: Stop,
    /// For [`Stop::Sliding`]: where (neuron, sample) and how it was found,
    /// e.g. "sliding on neuron 1 at sample 2 (exact, at theta_0: …)".
    pub sliding: Option<String>,
    /// Whether the flow ran uphill (dΘ/dt = +G): negative control only.
    pub uphill: bool,
    /// The accepted nodes computed in this run, the initial value first (a
    /// resumed run: from the checkpoint's node on; see `earlier`).
    pub nodes: Vec<FlowNode>,
    /// Number of nodes of the whole run (the initial value included).
    pub node_count: usize,
    /// L(Θ_0), exact.
    pub first_risk: BigRational,
    /// A resumed run: the index of the checkpoint node it continued from.
    pub resumed_from: Option<usize>,
    /// A resumed run: (t, L, V, ‖Θ_t‖²) of the nodes before `resumed_from`,
    /// read back from the trajectory's decimal records (for plots).
    pub earlier: Vec<(f64, f64, f64, f64)>,
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected step attempts.
    pub rejected: usize,
    /// Accepted steps of minimum size whose scaled error estimate exceeded 1.
    pub forced: usize,
    /// Step attempts during which the piece of G changed (a switch).
    pub switch_steps: usize,
    /// The minimum step T·2^−20.
    pub min_step: f64,
    /// V(Θ_0), exact.
    pub v0: BigRational,
    /// E: sum of the accepted local error estimates (Euclidean norm on (Θ, q)).
    pub error_estimate: f64,
    /// C = √(8 V(Θ_0) + 64): bounds ‖(∇V(Θ), 8)‖, the sensitivity of the
    /// balance V(Θ) + 8q to an error in (Θ, q), wherever V(Θ) ≤ V(Θ_0).
    pub sensitivity: f64,
    /// 2^−(bits − 20)·V(Θ_0): the allowance for rounding.
    pub rounding: BigRational,
    /// Balance defect V(Θ_t) + 8q(t) − V(Θ_0) at the last node.
    pub balance_defect: BigRational,
    /// Largest |balance defect| over the nodes.
    pub max_balance_defect: BigRational,
    /// Index of the first node whose balance defect exceeds 10·C·E + rounding.
    pub balance_violation: Option<usize>,
    /// max over nodes of ‖Θ_t‖² / V(Θ_0) (0 if V(Θ_0) = 0).
    pub max_norm2_ratio: f64,
    /// Index of the first node with ‖Θ_t‖² > V(Θ_0) + slack.
    pub norm_violation: Option<usize>,
    /// Largest increase V(Θ_{t_k}) − V(Θ_{t_{k−1}}) between consecutive nodes (≤ 0 if V decreases).
    pub max_v_increase: BigRational,
    /// Index of the first node where V increased by more than the slack.
    pub monotone_violation: Option<usize>,
    /// Whether ⟨∇V, G⟩ − 8L = 0 exactly at every node (C3).
    pub c3_exact_ok: bool,
    /// Index of the first node where C3 failed.
    pub c3_violation: Option<usize>,
    /// Q2 probe: max over nodes with t > 0 of 8tL(Θ_t)/V(Θ_0), and its node index.
    pub q2_max_ratio: Option<(f64, usize)>,
    /// The time of that node.
    pub q2_max_t: Option<BigRational>,
    /// C12's tally over the nodes so far.
    pub c12: RiskMonotonicity,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl FlowReport {
    /// The slack at node k: 10·C·E_k + 2^−(bits−20)·V(Θ_0), exactly.
    pub fn slack(&self, k: usize) -> BigRational {
        let node = self.node(k).expect("a node of this run");
        slack_of(self.sensitivity * node.error_estimate, &self.rounding)
    }
    /// The node with index k, if computed in this run.
    pub fn node(&self, k: usize) -> Option<&FlowNode> {
        let first = self.nodes.first()?.index;
        k.checked_sub(first).and_then(|i| self.nodes.get(i))
    }
    /// Whether some checked property failed at a node (or the state became
    /// non-finite): the CLI's finding.
    ///
    /// An integrator failure (a component became non-finite: the flow
    /// blew up, or its floating-point state overflowed) is no finding: the
    /// run is inconclusive (see [`FlowReport::inconclusive`]) and only the
    /// exact C3 values at the nodes still count.
    pub fn violated(&self) -> bool {
        let integrated = self.stop != Stop::NonFinite
            && (self.balance_violation.is_some() || self.norm_violation.is_some() || self.monotone_violation.is_some());
        integrated || !self.c3_exact_ok
    }
    /// Why the run decides nothing about C10's balance, if it does not: the
    /// integrator failed.
    pub fn inconclusive(&self) -> Option<String> {
        (self.stop == Stop::NonFinite).then(|| {
            format!(
                "integrator failed (a component of the state became non-finite after t = {:.6e}: the flow blew up or left the range of {})",
                f64_of(&self.reached),
                self.backend
            )
        })
    }
    /// Whether every checked property holds at every node and T was reached.
    pub fn holds(&self) -> bool {
        self.stop == Stop::Completed
            && self.balance_violation.is_none()
            && self.norm_violation.is_none()
            && self.monotone_violation.is_none()
            && self.c3_exact_ok
    }
    /// The guarantee as one line.
    pub fn guarantee_line(&self) -> String {
        format!(
            "approximate ({}, adaptive RK, error estimate E = {:.3e}): E is an a-posteriori estimate (sum of the local error estimates: embedded, or the difference to Simpson's rule across switches), not a rigorous bound; the C3 values at the nodes are exact",
            if self.backend == "f64" { "f64, 53 bits".to_string() } else { format!("MPFR {} bits", self.bits) },
            self.error_estimate
        )
    }
    /// The last node.
    pub fn last(&self) -> &FlowNode {
        self.nodes.last().expect("the initial node is always recorded")
    }
}

/// C12 at the nodes of a run: L nonincreasing between consecutive nodes
/// (up to a slack for the nodes' approximation of the flow) and
/// 8 t L(Θ_t) ≤ V(Θ_0) at every node, exact at the (rational) nodes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RiskMonotonicity {
    /// Consecutive node pairs compared.
    pub pairs: usize,
    /// min over pairs of L(Θ_{t_{k−1}}) − L(Θ_{t_k}) (negative: L rose there), and k.
    pub min_decrease: Option<(BigRational, usize)>,
    /// First node k with L(Θ_{t_k}) > L(Θ_{t_{k−1}}) + slack_k.
    pub violation: Option<usize>,
    /// max over nodes t > 0 of 8 t L(Θ_t) / V(Θ_0), exactly, and its node.
    pub max_rate_ratio: Option<(BigRational, usize)>,
    /// First node with 8 t L(Θ_t) > V(Θ_0).
    pub rate_violation: Option<usize>,
}

impl FlowReport {
    /// The slack of C12 between nodes k − 1 and k:
    /// 10 g (E_k − E_{k−1}) + 2^−(bits−20) (L(Θ_{t_{k−1}}) + g (1 + √V(Θ_0))),
    /// with g the larger ‖G‖ of the two nodes. The integrator's step from
    /// node k − 1 approximates the flow from that node within the step's local
    /// error estimate E_k − E_{k−1}, along which L does not increase (C12);
    /// g bounds how much that error moves L, to first order, near the nodes
    /// (a heuristic where G jumps). An a-posteriori estimate, not a bound.
    pub fn risk_slack(&self, k: usize) -> BigRational {
        let (a, b) = (self.node(k - 1).expect("node"), self.node(k).expect("node"));
        self.risk_slack_between(a, b)
    }
    /// [`FlowReport::risk_slack`] between two consecutive nodes `a`, `b`.
    fn risk_slack_between(&self, a: &FlowNode, b: &FlowNode) -> BigRational {
        let g = f64_of(&a.grad_norm2).max(f64_of(&b.grad_norm2)).max(0.0).sqrt();
        let local = (b.error_estimate - a.error_estimate).max(0.0);
        let round = 2f64.powi(-(self.bits.saturating_sub(ROUNDING_BITS_LOST) as i32));
        let scale = f64_of(&a.risk) + g * (1.0 + f64_of(&self.v0).max(0.0).sqrt());
        BigRational::from_float(BALANCE_FACTOR * g * local + round * scale).unwrap_or_else(BigRational::zero)
    }
    /// C12 at the nodes of this run (see [`RiskMonotonicity`]): tallied node
    /// by node and carried in the checkpoints, so a resumed run reports what
    /// the uninterrupted one does.
    pub fn risk_monotonicity(&self) -> RiskMonotonicity {
        self.c12.clone()
    }
}

fn slack_of(e: f64, rounding: &BigRational) -> BigRational {
    let e = BigRational::from_float(BALANCE_FACTOR * e).unwrap_or_else(BigRational::zero);
    e + rounding
}

fn f64_of(q: &BigRational) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

// ---- the Runge–Kutta–Fehlberg 7(8) tableau ----

/// Nodes c_i (the flow is autonomous: used only by tests of the tableau).
#[cfg(test)]
pub(crate) const RKF78_C: [(i64, i64); 13] =
    [(0, 1), (2, 27), (1, 9), (1, 6), (5, 12), (1, 2), (5, 6), (1, 6), (2, 3), (1, 3), (1, 1), (0, 1), (1, 1)];

/// Rows a_{i,0..i} of the strictly lower triangular matrix.
pub(crate) const RKF78_A: [&[(i64, i64)]; 13] = [
    &[],
    &[(2, 27)],
    &[(1, 36), (1, 12)],
    &[(1, 24), (0, 1), (1, 8)],
    &[(5, 12), (0, 1), (-25, 16), (25, 16)],
    &[(1, 20), (0, 1), (0, 1), (1, 4), (1, 5)],
    &[(-25, 108), (0, 1), (0, 1), (125, 108), (-65, 27), (125, 54)],
    &[(31, 300), (0, 1), (0, 1), (0, 1), (61, 225), (-2, 9), (13, 900)],
    &[(2, 1), (0, 1), (0, 1), (-53, 6), (704, 45), (-107, 9), (67, 90), (3, 1)],
    &[(-91, 108), (0, 1), (0, 1), (23, 108), (-976, 135), (311, 54), (-19, 60), (17, 6), (-1, 12)],
    &[(2383, 4100), (0, 1), (0, 1), (-341, 164), (4496, 1025), (-301, 82), (2133, 4100), (45, 82), (45, 164), (18, 41)],
    &[(3, 205), (0, 1), (0, 1), (0, 1), (0, 1), (-6, 41), (-3, 205), (-3, 41), (3, 41), (6, 41), (0, 1)],
    &[
        (-1777, 4100),
        (0, 1),
        (0, 1),
        (-341, 164),
        (4496, 1025),
        (-289, 82),
        (2193, 4100),
        (51, 82),
        (33, 164),
        (12, 41),
        (0, 1),
        (1, 1),
    ],
];

/// 8th-order weights (the solution is advanced with these).
pub(crate) const RKF78_B8: [(i64, i64); 13] = [
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
    (34, 105),
    (9, 35),
    (9, 35),
    (9, 280),
    (9, 280),
    (0, 1),
    (41, 840),
    (41, 840),
];

/// 7th-order weights (embedded, for the error estimate only).
pub(crate) const RKF78_B7: [(i64, i64); 13] = [
    (41, 840),
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
    (34, 105),
    (9, 35),
    (9, 35),
    (9, 280),
    (9, 280),
    (41, 840),
    (0, 1),
    (0, 1),
];

pub(crate) fn ratio(p: (i64, i64)) -> BigRational {
    BigRational::new(p.0.into(), p.1.into())
}

/// The tableau converted once to the backend: nonzero a_ij per row, b8, and
/// the error weights b8 − b7.
struct Tableau<S> {
    a: Vec<Vec<(usize, S)>>,
    b: Vec<(usize, S)>,
    e: Vec<(usize, S)>,
}

impl<S: Scalar> Tableau<S> {
    fn new(ctx: &S::Ctx) -> Self {
        let conv = |p: (i64, i64)| S::from_rational(&ratio(p), ctx);
        let a = RKF78_A
            .iter()
            .map(|row| row.iter().enumerate().filter(|(_, p)| p.0 != 0).map(|(j, p)| (j, conv(*p))).collect())
            .collect();
        let b = RKF78_B8.iter().enumerate().filter(|(_, p)| p.0 != 0).map(|(j, p)| (j, conv(*p))).collect();
        let e = RKF78_B8
            .iter()
            .zip(RKF78_B7.iter())
            .enumerate()
            .filter_map(|(j, (p8, p7))| {
                let d = ratio(*p8) - ratio(*p7);
                (!d.is_zero()).then(|| (j, S::from_rational(&d, ctx)))
            })
            .collect();
        Tableau { a, b, e }
    }
}

// ---- the vector field ----

/// Direction of the flow: the gradient flow, or uphill (negative control).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// dΘ/dt = −G(Θ).
    Down,
    /// dΘ/dt = +G(Θ): V increases (negative control).
    Up,
}

/// The augmented field y = (Θ, q) ↦ (∓G(Θ), L(Θ)).
struct Field<'a, S: num::Ordered> {
    prep: &'a Prepared<S>,
    d: usize,
    dir: Direction,
}

impl<S: num::Ordered> Field<'_, S> {
    fn eval(&self, y: &[S]) -> Vec<S> {
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
struct Piece {
    /// One sign (−1, 0, 1; 2 undecided) per (neuron, end) or (point, neuron).
    signs: Vec<i8>,
    /// Interval measures: the neurons with a kink inside (a, b), in kink
    /// order, each with whether it ties with the previous one.
    order: Vec<(usize, bool)>,
}

fn piece<S: num::Ordered>(y: &[S], prep: &Prepared<S>, d: usize) -> Piece {
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

fn finite(x: f64) -> bool {
    x.is_finite()
}

/// max(|a|, |b|) per component as f64, for error scaling.
fn scaled_error_norm<S: Scalar>(err: &[S], y0: &[S], y1: &[S], tol: f64) -> f64 {
    let mut s = 0.0;
    for ((e, a), b) in err.iter().zip(y0).zip(y1) {
        let sc = tol * (1.0 + a.to_f64_lossy().abs().max(b.to_f64_lossy().abs()));
        let r = e.to_f64_lossy() / sc;
        s += r * r;
    }
    (s / err.len() as f64).sqrt()
}

fn euclid<S: Scalar>(v: &[S]) -> f64 {
    v.iter().map(|x| x.to_f64_lossy().powi(2)).sum::<f64>().sqrt()
}

/// The exact quantities at a node.
struct NodeEval {
    theta: Theta<BigRational>,
    q: BigRational,
    risk: BigRational,
    lyapunov: BigRational,
    theta_norm2: BigRational,
    grad_norm2: BigRational,
    identity_defect: BigRational,
}

fn exact_node<S: Scalar>(y: &[S], d: usize, prep: &Prepared<BigRational>) -> Option<NodeEval> {
    let flat: Vec<BigRational> = y.iter().map(Scalar::to_rational).collect::<Option<_>>()?;
    let n = flat.len() - 1;
    let theta = Theta::from_flat(d, &flat[..n])?;
    let q = flat[n].clone();
    let ev = evaluate::<BigRational>(prep, &theta);
    let s = summarize(&theta, &prep.xi, ev, &());
    Some(NodeEval {
        theta_norm2: theta.norm2(&()),
        grad_norm2: s.gradient.norm2(&()),
        identity_defect: &s.grad_v_dot_g - &s.eight_risk,
        risk: s.risk,
        lyapunov: s.lyapunov,
        theta,
        q,
    })
}

/// Streams records with a one-node delay, so that the last record can carry
/// the exact state.
struct Sink<S: Scalar> {
    writer: Option<TrajectoryWriter>,
    pending: Option<Record>,
    ctx: S::Ctx,
    /// The case fingerprint and settings every checkpoint records.
    tag: (String, String),
}

impl<S: Scalar> Sink<S> {
    fn dec(&self, q: &BigRational) -> String {
        S::from_rational(q, &self.ctx).render()
    }
    fn push(&mut self, node: &FlowNode, v0: &BigRational) -> Result<(), String> {
        if self.writer.is_none() {
            return Ok(());
        }
        let mut extra = serde_json::Map::new();
        extra.insert("t".into(), Value::from(self.dec(&node.t)));
        extra.insert("balance_defect".into(), Value::from(self.dec(&node.balance_defect)));
        extra.insert("error_estimate".into(), Value::from(format!("{:e}", node.error_estimate)));
        let q2 = if v0.is_positive() {
            self.dec(&(BigRational::from_integer(8.into()) * &node.t * &node.risk / v0))
        } else {
            "0".into()
        };
        extra.insert("q2_ratio".into(), Value::from(q2));
        extra.insert("q".into(), Value::from(self.dec(&node.q)));
        extra.insert("identity_defect".into(), Value::from(node.identity_defect.to_string()));
        let r = Record {
            n: node.index as u64,
            risk: self.dec(&node.risk),
            lyapunov: self.dec(&node.lyapunov),
            theta_norm2: self.dec(&node.theta_norm2),
            grad_norm2: self.dec(&node.grad_norm2),
            margin: self.dec(&(v0 - &node.theta_norm2)),
            extra,
        };
        if let (Some(w), Some(prev)) = (self.writer.as_mut(), self.pending.take()) {
            w.write(&prev)?;
        }
        self.pending = Some(r);
        Ok(())
    }
    /// Adds the exact node and the integrator's state to the record not yet
    /// written (the node's own).
    fn checkpoint(&mut self, node: &FlowNode, state: Value) {
        if let Some(r) = self.pending.as_mut() {
            let th: Vec<Value> = node.theta.flatten().iter().map(|q| Value::from(q.to_string())).collect();
            r.extra.insert("theta".into(), Value::Array(th));
            r.extra.insert("t_exact".into(), Value::from(node.t.to_string()));
            r.extra.insert("q_exact".into(), Value::from(node.q.to_string()));
            r.extra.insert("flow".into(), state);
            r.extra.insert("case_fingerprint".into(), Value::from(self.tag.0.clone()));
            r.extra.insert("settings".into(), Value::from(self.tag.1.clone()));
        }
    }
    fn finish(&mut self, last: Option<(&FlowNode, Value)>) -> Result<(), String> {
        if let Some((node, state)) = last {
            self.checkpoint(node, state);
        }
        if let (Some(w), Some(r)) = (self.writer.as_mut(), self.pending.take()) {
            w.write(&r)?;
        }
        Ok(())
    }
}

/// Integrates the flow in backend `S` and checks every node.
pub(crate) fn integrate<S: num::Ordered>(
    case: &Case,
    ctx: &S::Ctx,
    bits: u32,
    opts: &FlowOptions,
    dir: Direction,
    stop_on_violation: bool,
) -> Result<FlowReport, String> {
    let started = Instant::now();
    if !opts.time.is_positive() {
        return Err(format!("the time horizon must be positive, got {}", opts.time));
    }
    if !(opts.tolerance > 0.0 && opts.tolerance < 1.0) {
        return Err(format!("the tolerance must lie in (0, 1), got {}", opts.tolerance));
    }
    if case.problem.target.constant().is_none() {
        return Err("gradient flow needs a constant target".into());
    }
    let d = case.theta.d;
    let prep = case.problem.prepare::<S>(ctx);
    let prep_q = case.problem.prepare::<BigRational>(&());
    let field = Field { prep: &prep, d, dir };
    let tab = Tableau::<S>::new(ctx);
    let zero = S::from_i64(0, ctx);
    let sixth = S::from_rational(&ratio((1, 6)), ctx);
    let four_sixths = S::from_rational(&ratio((2, 3)), ctx);

    let mut y: Vec<S> = case.theta.flatten().iter().map(|q| S::from_rational(q, ctx)).collect();
    y.push(zero.clone());
    let n = y.len();
    let t_end = S::from_rational(&opts.time, ctx);
    let t_end_f = t_end.to_f64_lossy();
    if !t_end_f.is_finite() {
        return Err(format!("--time {}: the step control works in f64, so T must be below 1.8e308", opts.time));
    }
    let min_step = t_end_f * 2f64.powi(-MIN_STEP_BITS);
    let tol = opts.tolerance;

    let v0 = crate::lyapunov::lyapunov(&case.theta, &prep_q.xi, &());
    let rounding =
        &v0 * BigRational::new(BigInt::one(), BigInt::one() << (bits.saturating_sub(ROUNDING_BITS_LOST)) as usize);

    // Resuming: the checkpoint record, after cutting the file back to just before it.
    if opts.resume.is_some() && opts.out.is_some() && opts.out != opts.resume {
        return Err("--resume FILE appends to FILE; do not also give a different --out".into());
    }
    let tag = (
        super::guard::case_fingerprint(case),
        format!(
            "gf --time {} --arithmetic {} --tolerance {}{}",
            opts.time,
            S::backend_name(ctx),
            f64_text(tol),
            if dir == Direction::Up { " (uphill)" } else { "" }
        ),
    );
    let checkpoint = match &opts.resume {
        Some(file) => {
            // Checked before the file is cut: a refused resume leaves it as it was.
            let cp = last_checkpoint(file)?;
            let index = cp.get("n").and_then(Value::as_u64).ok_or("checkpoint lacks n")? as usize;
            let state = cp.get("flow").ok_or("the checkpoint lacks the integrator state (\"flow\")")?;
            same_settings(state, &opts.time, &S::backend_name(ctx), bits, tol)
                .map_err(|e| format!("{}: checkpoint at node {index}: {e}", file.display()))?;
            super::guard::check_fingerprint(file, &cp, case, &tag.1)?;
            if cp.get("theta").and_then(Value::as_array).map(Vec::len) != Some(n - 1) {
                return Err(format!(
                    "{}: the checkpoint's theta does not fit the case's d and H (the file is left as it is)",
                    file.display()
                ));
            }
            let cut = truncate_before_last_checkpoint(file, opts.csv.as_deref())?;
            if cut != cp {
                return Err(format!("{}: the file changed while it was read", file.display()));
            }
            Some((file, index, cp))
        }
        None => None,
    };
    let writer = match &checkpoint {
        Some((file, _, _)) => Some(TrajectoryWriter::append(file, opts.csv.as_deref())?),
        None if opts.out.is_some() || opts.csv.is_some() => {
            Some(TrajectoryWriter::create(opts.out.as_deref(), opts.csv.as_deref())?)
        }
        None => None,
    };
    let mut sink: Sink<S> = Sink { writer, pending: None, ctx: ctx.clone(), tag };
    let bar = crate::progress::Bar::new("gf", opts.quiet);

    let mut report = FlowReport {
        backend: S::backend_name(ctx),
        guarantee: S::guarantee(ctx),
        bits,
        tolerance: tol,
        time: opts.time.clone(),
        reached: BigRational::zero(),
        stop: Stop::Completed,
        sliding: None,
        uphill: dir == Direction::Up,
        nodes: Vec::new(),
        node_count: 0,
        first_risk: BigRational::zero(),
        resumed_from: None,
        earlier: Vec::new(),
        accepted: 0,
        rejected: 0,
        forced: 0,
        switch_steps: 0,
        min_step,
        sensitivity: (8.0 * f64_of(&v0) + 64.0).sqrt(),
        v0: v0.clone(),
        error_estimate: 0.0,
        rounding,
        balance_defect: BigRational::zero(),
        max_balance_defect: BigRational::zero(),
        balance_violation: None,
        max_norm2_ratio: 0.0,
        norm_violation: None,
        max_v_increase: BigRational::zero(),
        monotone_violation: None,
        c3_exact_ok: true,
        c3_violation: None,
        q2_max_ratio: None,
        c12: RiskMonotonicity::default(),
        q2_max_t: None,
        seconds: 0.0,
    };

    // Records the next node and updates the verdicts; returns whether a
    // property failed there.
    let record = |report: &mut FlowReport, sink: &mut Sink<S>, y: &[S], t: &S, e: f64, step: f64| {
        let Some(node) = flow_node(report.node_count, y, t, e, step, d, &prep_q, &report.v0)? else {
            report.stop = Stop::NonFinite;
            return Ok::<bool, String>(true);
        };
        let bad = judge(report, &node);
        report.balance_defect = node.balance_defect.clone();
        report.reached = node.t.clone();
        sink.push(&node, &report.v0)?;
        report.nodes.push(node);
        report.node_count += 1;
        Ok(bad)
    };
    let every = opts.checkpoint;
    let due = |index: usize| every > 0 && index % every == 0;

    let mut t = zero.clone();
    let mut at: Progress;
    let mut stopped;
    let mut k1;
    match checkpoint {
        None => {
            if flow_node(0, &y, &t, 0.0, 0.0, d, &prep_q, &report.v0)?.is_none() {
                return Err(format!(
                    "field `theta`: an entry is beyond the range of {} (e.g. above 1.8e308 in f64), so the flow cannot start; use smaller entries{}",
                    S::backend_name(ctx),
                    if cfg!(feature = "gmp") { " or --precision BITS (MPFR)" } else { " or a build with the gmp feature (MPFR)" }
                ));
            }
            let bad0 = record(&mut report, &mut sink, &y, &t, 0.0, 0.0)?;
            report.first_risk = report.nodes.first().map(|n| n.risk.clone()).unwrap_or_else(BigRational::zero);
            stopped = (bad0 && stop_on_violation) || report.stop == Stop::NonFinite;
            // E8: a sample on a kink with the field pointing into it from both
            // sides: no solution leaves θ_0, so there is nothing to integrate.
            if !stopped && dir == Direction::Down {
                if let Some(r) = super::gf_sliding::sliding_at_start(case) {
                    report.stop = Stop::Sliding;
                    report.sliding = Some(r);
                    stopped = true;
                }
            }
            k1 = field.eval(&y);
            let h = initial_step(&field, &y, &k1, tol, t_end_f, min_step);
            at = Progress { h, attempts: 0, e_sum: 0.0, crossings: Vec::new(), step: 0.0 };
            if let Some(node) = report.nodes.last().filter(|_| due(0) && !stopped) {
                sink.checkpoint(node, state_json(&report, &at));
            }
        }
        Some((file, index, cp)) => {
            report.first_risk =
                flow_node(0, &y, &t, 0.0, 0.0, d, &prep_q, &report.v0)?.ok_or("the initial state is not finite")?.risk;
            let state = cp.get("flow").ok_or("the checkpoint lacks the integrator state (\"flow\")")?;
            at = restore(&mut report, state)
                .map_err(|e| format!("{}: checkpoint at node {index}: {e}", file.display()))?;
            let exact = |k: &str| -> Result<BigRational, String> {
                let v = cp.get(k).and_then(Value::as_str).ok_or_else(|| format!("checkpoint lacks {k}"))?;
                parse_rational(v).map_err(|e| format!("checkpoint {k}: {e}"))
            };
            let theta: Vec<BigRational> = cp
                .get("theta")
                .and_then(Value::as_array)
                .ok_or("checkpoint lacks theta")?
                .iter()
                .map(|v| parse_rational(v.as_str().unwrap_or("")).map_err(|e| format!("checkpoint theta: {e}")))
                .collect::<Result<_, _>>()?;
            if theta.len() + 1 != n {
                return Err("checkpoint theta does not fit the case's d and H".into());
            }
            // The node's values are floats of this precision: exact conversions.
            y = theta.iter().chain(std::iter::once(&exact("q_exact")?)).map(|q| S::from_rational(q, ctx)).collect();
            t = S::from_rational(&exact("t_exact")?, ctx);
            for r in read_records(file)? {
                let f = |k: &str| {
                    r.get(k)
                        .and_then(Value::as_str)
                        .and_then(|s| parse_rational(s).ok())
                        .map_or(f64::NAN, |q| f64_of(&q))
                };
                report.earlier.push((f("t"), f("risk"), f("lyapunov"), f("theta_norm2")));
            }
            report.resumed_from = Some(index);
            report.node_count = index;
            // The checkpoint's node again: its checks are in the restored verdicts.
            let node = flow_node(index, &y, &t, at.e_sum, at.step, d, &prep_q, &report.v0)?
                .ok_or("the checkpoint's node is not finite")?;
            report.balance_defect = node.balance_defect.clone();
            report.reached = node.t.clone();
            sink.push(&node, &report.v0)?;
            report.nodes.push(node);
            report.node_count += 1;
            stopped = matches!(report.stop, Stop::NonFinite | Stop::Violation | Stop::Sliding);
            if report.stop == Stop::StepBudget {
                // The loop stops again if the budget is still spent.
                report.stop = Stop::Completed;
            }
            if let Some(node) = report.nodes.last().filter(|_| due(index)) {
                sink.checkpoint(node, state_json(&report, &at));
            }
            k1 = field.eval(&y);
        }
    }
    while !stopped && t.to_f64_lossy() < t_end_f && t.cmp3(&t_end) == crate::num::Sign3::Negative {
        if at.attempts >= opts.max_steps {
            report.stop = Stop::StepBudget;
            break;
        }
        at.attempts += 1;
        let h = at.h;
        let remaining = t_end.sub(&t);
        let rem_f = remaining.to_f64_lossy();
        let last = h >= rem_f * (1.0 - 1e-9);
        let h_s = if last {
            remaining.clone()
        } else {
            S::from_rational(&BigRational::from_float(h).expect("finite step"), ctx)
        };
        let h_used = if last { rem_f } else { h };
        // Stages.
        let mut ks: Vec<Vec<S>> = Vec::with_capacity(13);
        ks.push(k1.clone());
        let piece0 = piece(&y, &prep, d);
        at.crossings.resize(piece0.signs.len(), 0);
        // Sign slots that change somewhere in this step.
        let mut changed = vec![false; piece0.signs.len()];
        let mut switched = false;
        let mut note = |p: &Piece, switched: &mut bool| {
            if *p != piece0 {
                *switched = true;
                for (c, (x, y0)) in changed.iter_mut().zip(p.signs.iter().zip(&piece0.signs)) {
                    *c |= x != y0;
                }
            }
        };
        for row in tab.a.iter().skip(1) {
            let yi: Vec<S> = (0..n)
                .map(|c| {
                    let mut acc = zero.clone();
                    for (j, a) in row {
                        acc.add_assign(&a.mul(&ks[*j][c]));
                    }
                    y[c].add(&h_s.mul(&acc))
                })
                .collect();
            note(&piece(&yi, &prep, d), &mut switched);
            ks.push(field.eval(&yi));
        }
        let comb = |w: &[(usize, S)], c: usize| {
            let mut acc = zero.clone();
            for (j, b) in w {
                acc.add_assign(&b.mul(&ks[*j][c]));
            }
            h_s.mul(&acc)
        };
        let y_new: Vec<S> = (0..n).map(|c| y[c].add(&comb(&tab.b, c))).collect();
        let mut err: Vec<S> = (0..n).map(|c| comb(&tab.e, c)).collect();
        let mut err_norm = scaled_error_norm(&err, &y, &y_new, tol);
        note(&piece(&y_new, &prep, d), &mut switched);
        if switched {
            // G is not smooth inside this step, and the embedded estimate
            // (which sees only k1, k11, k12, k13) can miss the error entirely.
            // Compare with Simpson's rule on the stages at c = 0, 1/2, 1 (a
            // 4th-order method on these stages) instead: its difference to the
            // 8th-order result has the order of the true local error across
            // the switch (O(h) for a jump of G, O(h²) for a kink of G, O(h³)
            // when kinks cross), and is O(h⁵) where G is smooth.
            let trap: Vec<S> = (0..n)
                .map(|c| {
                    let mut acc = sixth.mul(&ks[0][c].add(&ks[12][c]));
                    acc.add_assign(&four_sixths.mul(&ks[5][c]));
                    y_new[c].sub(&y[c]).sub(&h_s.mul(&acc))
                })
                .collect();
            let trap_norm = scaled_error_norm(&trap, &y, &y_new, tol);
            if trap_norm > err_norm || trap_norm.is_nan() {
                err = trap;
                err_norm = trap_norm;
            }
            report.switch_steps += 1;
        }
        let err_f = if err_norm.is_nan() { f64::INFINITY } else { err_norm };
        let at_min = h_used <= min_step * (1.0 + 1e-9);
        if err_f <= 1.0 || at_min {
            if err_f > 1.0 {
                report.forced += 1;
            }
            let mut sliding = false;
            if err_f > 1.0 && switched {
                for (n, c) in at.crossings.iter_mut().zip(&changed) {
                    *n += usize::from(*c);
                    sliding |= *n >= SLIDING_CROSSINGS;
                }
            }
            report.accepted += 1;
            let local = euclid(&err);
            at.e_sum += if finite(local) { local } else { f64::INFINITY };
            at.step = h_used;
            t = if last { t_end.clone() } else { t.add(&h_s) };
            y = y_new;
            let bad = record(&mut report, &mut sink, &y, &t, at.e_sum, h_used)?;
            if report.stop == Stop::NonFinite || (bad && stop_on_violation) {
                if report.stop != Stop::NonFinite {
                    report.stop = Stop::Violation;
                }
                stopped = true;
                continue;
            }
            if sliding {
                report.stop = Stop::Sliding;
                let node = report.nodes.last().map(|n| (&n.theta, f64_of(&n.t)));
                report.sliding =
                    node.and_then(|(th, t)| super::gf_sliding::name_chattering(case, th, t, &at.crossings));
                stopped = true;
                continue;
            }
            k1 = field.eval(&y);
            let fac = if err_f == 0.0 { 4.0 } else { (0.9 * err_f.powf(-1.0 / 8.0)).clamp(0.2, 4.0) };
            at.h = (h_used * fac).max(min_step);
            if last {
                at.h = at.h.max(h_used);
            }
            if let Some(node) = report.nodes.last().filter(|n| due(n.index)) {
                sink.checkpoint(node, state_json(&report, &at));
            }
        } else {
            report.rejected += 1;
            // Across a switch the error is O(h) to O(h³), not O(h⁸): shrink faster.
            let p = if switched { 2.0 } else { 8.0 };
            let fac = if err_f.is_finite() { (0.9 * err_f.powf(-1.0 / p)).clamp(0.1, 0.9) } else { 0.1 };
            at.h = (h_used * fac).max(min_step);
        }
        let status = || {
            format!(
                "t = {:.6e} / {:.6e}, {} steps ({} rejected), E = {:.2e}",
                t.to_f64_lossy(),
                t_end_f,
                report.accepted,
                report.rejected,
                at.e_sum
            )
        };
        if bar.visible() {
            bar.draw(t.to_f64_lossy() / t_end_f, &status());
        }
    }
    bar.clear();
    report.error_estimate = at.e_sum;
    let state = state_json(&report, &at);
    sink.finish(report.nodes.last().map(|node| (node, state)))?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The integrator's state after a node, besides the node and the report.
#[derive(Clone, Debug)]
struct Progress {
    /// The next step size to try.
    h: f64,
    /// Step attempts so far (accepted and rejected).
    attempts: usize,
    /// E, the sum of the accepted local error estimates.
    e_sum: f64,
    /// Per switching surface: crossings by forced minimum steps.
    crossings: Vec<usize>,
    /// The step that led to the last node.
    step: f64,
}

/// The exact node at state `y` (Θ, q) and time `t`, evaluated in
/// `BigRational`; `None` if a component is not finite.
#[allow(clippy::too_many_arguments)]
fn flow_node<S: Scalar>(
    index: usize,
    y: &[S],
    t: &S,
    e: f64,
    step: f64,
    d: usize,
    prep_q: &Prepared<BigRational>,
    v0: &BigRational,
) -> Result<Option<FlowNode>, String> {
    let t_q = t.to_rational().ok_or("the time became non-finite")?;
    let Some(ne) = exact_node(y, d, prep_q) else { return Ok(None) };
    let balance_defect = &ne.lyapunov + BigRational::from_integer(8.into()) * &ne.q - v0;
    Ok(Some(FlowNode {
        index,
        t: t_q,
        theta: ne.theta,
        q: ne.q,
        risk: ne.risk,
        lyapunov: ne.lyapunov,
        theta_norm2: ne.theta_norm2,
        grad_norm2: ne.grad_norm2,
        identity_defect: ne.identity_defect,
        balance_defect,
        error_estimate: e,
        step,
    }))
}

/// The checks of C10 at a new node (its predecessor is the report's last
/// node); updates the verdicts and returns whether one failed there.
fn judge(report: &mut FlowReport, node: &FlowNode) -> bool {
    let eight = BigRational::from_integer(8.into());
    let index = node.index;
    let slack = slack_of(report.sensitivity * node.error_estimate, &report.rounding);
    let mut bad = false;
    let abs_defect = node.balance_defect.abs();
    if abs_defect > report.max_balance_defect {
        report.max_balance_defect = abs_defect.clone();
    }
    if abs_defect > slack && report.balance_violation.is_none() {
        report.balance_violation = Some(index);
        bad = true;
    }
    if node.theta_norm2 > &report.v0 + &slack && report.norm_violation.is_none() {
        report.norm_violation = Some(index);
        bad = true;
    }
    if report.v0.is_positive() {
        let r = f64_of(&(&node.theta_norm2 / &report.v0));
        report.max_norm2_ratio = report.max_norm2_ratio.max(r);
        if node.t.is_positive() {
            let q2 = f64_of(&(&eight * &node.t * &node.risk / &report.v0));
            if !matches!(report.q2_max_ratio, Some((m, _)) if m >= q2) {
                report.q2_max_ratio = Some((q2, index));
                report.q2_max_t = Some(node.t.clone());
            }
        }
    }
    // C12: L nonincreasing between consecutive nodes, 8 t L <= V(Θ_0).
    if let Some(prev) = report.nodes.last() {
        let decrease = &prev.risk - &node.risk;
        let risk_slack = report.risk_slack_between(prev, node);
        let c12 = &mut report.c12;
        c12.pairs += 1;
        if c12.violation.is_none() && -&decrease > risk_slack {
            c12.violation = Some(index);
        }
        if c12.min_decrease.as_ref().is_none_or(|(m, _)| &decrease < m) {
            c12.min_decrease = Some((decrease, index));
        }
    }
    if node.t.is_positive() && report.v0.is_positive() {
        let ratio = &eight * &node.t * &node.risk / &report.v0;
        let c12 = &mut report.c12;
        if c12.rate_violation.is_none() && ratio > BigRational::one() {
            c12.rate_violation = Some(index);
        }
        if c12.max_rate_ratio.as_ref().is_none_or(|(m, _)| &ratio > m) {
            c12.max_rate_ratio = Some((ratio, index));
        }
    }
    if let Some(prev) = report.nodes.last() {
        let inc = &node.lyapunov - &prev.lyapunov;
        if index == 1 || inc > report.max_v_increase {
            report.max_v_increase = inc.clone();
        }
        if inc > slack && report.monotone_violation.is_none() {
            report.monotone_violation = Some(index);
            bad = true;
        }
    }
    if !node.identity_defect.is_zero() && report.c3_violation.is_none() {
        report.c3_exact_ok = false;
        report.c3_violation = Some(index);
        bad = true;
    }
    bad
}

/// An f64 as text that reads back to the same f64 (`str::parse`).
fn f64_text(x: f64) -> String {
    format!("{x:?}")
}

/// The `flow` object of a checkpoint: the run's settings, the integrator's
/// state and the verdicts after the node.
fn state_json(r: &FlowReport, at: &Progress) -> Value {
    let index = |k: Option<usize>| k.map_or(Value::Null, Value::from);
    let mut v = serde_json::json!({
        "time": r.time.to_string(),
        "backend": r.backend,
        "tolerance": f64_text(r.tolerance),
        "h": f64_text(at.h),
        "step": f64_text(at.step),
        "attempts": at.attempts,
        "error_estimate": f64_text(at.e_sum),
        "crossings": at.crossings,
        "accepted": r.accepted,
        "rejected": r.rejected,
        "forced": r.forced,
        "switch_steps": r.switch_steps,
        "stop": r.stop.word(),
        "max_balance_defect": r.max_balance_defect.to_string(),
        "balance_violation": index(r.balance_violation),
        "max_norm2_ratio": f64_text(r.max_norm2_ratio),
        "norm_violation": index(r.norm_violation),
        "max_v_increase": r.max_v_increase.to_string(),
        "monotone_violation": index(r.monotone_violation),
        "c3_violation": index(r.c3_violation),
        "c12": {
            "pairs": r.c12.pairs,
            "min_decrease": r.c12.min_decrease.as_ref().map(|(d, k)| serde_json::json!([d.to_string(), k])),
            "violation": index(r.c12.violation),
            "max_rate_ratio": r.c12.max_rate_ratio.as_ref().map(|(d, k)| serde_json::json!([d.to_string(), k])),
            "rate_violation": index(r.c12.rate_violation),
        },
        "q2_max": r.q2_max_ratio.map_or(Value::Null, |(m, k)| {
            serde_json::json!([f64_text(m), k, r.q2_max_t.as_ref().map(|t| t.to_string())])
        }),
    });
    // Only a run stopped by sliding carries it (other checkpoints unchanged).
    if let (Some(text), Some(o)) = (&r.sliding, v.as_object_mut()) {
        o.insert("sliding".into(), Value::from(text.clone()));
    }
    v
}

/// Whether a checkpoint's `flow` object was written by a run with this
/// time, arithmetic and tolerance (a resumed run must repeat them).
fn same_settings(v: &Value, time: &BigRational, backend: &str, bits: u32, tol: f64) -> Result<(), String> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| format!("lacks {k}"));
    if text("time")? != time.to_string() {
        return Err(format!("recorded with --time {}, resumed with --time {time}", text("time")?));
    }
    if text("backend")? != backend {
        return Err(format!(
            "recorded in {}, resumed in {backend} (give the same --precision; {bits} bits now)",
            text("backend")?
        ));
    }
    if text("tolerance")?.parse::<f64>().ok() != Some(tol) {
        return Err(format!("recorded with --tolerance {}, resumed with {}", text("tolerance")?, f64_text(tol)));
    }
    Ok(())
}

/// Restores the report's counters and verdicts from a checkpoint's `flow`
/// object; returns the integrator's state.
fn restore(r: &mut FlowReport, v: &Value) -> Result<Progress, String> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| format!("lacks {k}"));
    let float = |k: &str| text(k)?.parse::<f64>().map_err(|e| format!("{k}: {e}"));
    let count = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| x as usize).ok_or_else(|| format!("lacks {k}"));
    let exact = |k: &str| parse_rational(text(k)?).map_err(|e| format!("{k}: {e}"));
    let index = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| x as usize);
    r.accepted = count("accepted")?;
    r.rejected = count("rejected")?;
    r.forced = count("forced")?;
    r.switch_steps = count("switch_steps")?;
    r.stop = Stop::from_word(text("stop")?).ok_or("unknown stop")?;
    r.sliding = v.get("sliding").and_then(Value::as_str).map(str::to_string);
    r.max_balance_defect = exact("max_balance_defect")?;
    r.balance_violation = index("balance_violation");
    r.max_norm2_ratio = float("max_norm2_ratio")?;
    r.norm_violation = index("norm_violation");
    r.max_v_increase = exact("max_v_increase")?;
    r.monotone_violation = index("monotone_violation");
    r.c3_violation = index("c3_violation");
    r.c3_exact_ok = r.c3_violation.is_none();
    if let Some(q2) = v.get("q2_max").and_then(Value::as_array) {
        let m = q2.first().and_then(Value::as_str).and_then(|s| s.parse::<f64>().ok()).ok_or("bad q2_max")?;
        let k = q2.get(1).and_then(Value::as_u64).ok_or("bad q2_max")? as usize;
        r.q2_max_ratio = Some((m, k));
        r.q2_max_t = q2.get(2).and_then(Value::as_str).and_then(|s| parse_rational(s).ok());
    }
    let c12 = v.get("c12").ok_or("lacks c12")?;
    let pair = |k: &str| -> Result<Option<(BigRational, usize)>, String> {
        match c12.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => {
                let a = x.as_array().ok_or(format!("bad c12.{k}"))?;
                let q = a.first().and_then(Value::as_str).and_then(|s| parse_rational(s).ok());
                let i = a.get(1).and_then(Value::as_u64);
                match (q, i) {
                    (Some(q), Some(i)) => Ok(Some((q, i as usize))),
                    _ => Err(format!("bad c12.{k}")),
                }
            }
        }
    };
    r.c12 = RiskMonotonicity {
        pairs: c12.get("pairs").and_then(Value::as_u64).ok_or("bad c12.pairs")? as usize,
        min_decrease: pair("min_decrease")?,
        violation: c12.get("violation").and_then(Value::as_u64).map(|x| x as usize),
        max_rate_ratio: pair("max_rate_ratio")?,
        rate_violation: c12.get("rate_violation").and_then(Value::as_u64).map(|x| x as usize),
    };
    let crossings = v
        .get("crossings")
        .and_then(Value::as_array)
        .ok_or("lacks crossings")?
        .iter()
        .map(|c| c.as_u64().map(|x| x as usize).ok_or("bad crossings"))
        .collect::<Result<_, _>>()?;
    Ok(Progress {
        h: float("h")?,
        attempts: count("attempts")?,
        e_sum: float("error_estimate")?,
        crossings,
        step: float("step")?,
    })
}

/// Hairer–Nørsett–Wanner's starting step for order 8, clipped to [h_min, T].
fn initial_step<S: num::Ordered>(field: &Field<'_, S>, y: &[S], f0: &[S], tol: f64, t_end: f64, min_step: f64) -> f64 {
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

fn yes_no(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "NO"
    }
}

/// The human summary of a run, for `reluproof gf`.
pub fn flow_text(r: &FlowReport) -> String {
    let e = |q: &BigRational| format!("{:.12e}", f64_of(q));
    let last = r.last();
    let mut s = String::new();
    s += &format!(
        "gradient flow  dtheta/dt = {}G(theta), T = {} (~{:.6e})\n",
        if r.uphill { "+" } else { "-" },
        r.time,
        f64_of(&r.time)
    );
    s += &format!(
        "integrator     Runge-Kutta-Fehlberg 7(8), 13 stages, advanced with the 8th-order weights; step control by the embedded 7th-order estimate (across a switch of G's piece: or the difference to Simpson's rule, if larger), tolerance {:.1e} (mixed absolute/relative), minimum step {:.3e} = T 2^-{MIN_STEP_BITS}\n",
        r.tolerance, r.min_step
    );
    s += &format!("arithmetic     {}, {} (round to nearest)\n", r.backend, r.guarantee.word());
    let reached = match r.stop {
        Stop::Completed => "reached T".to_string(),
        Stop::StepBudget => format!("STOPPED EARLY: step budget spent at t = {:.6e}", f64_of(&r.reached)),
        Stop::NonFinite => format!("STOPPED: a component became non-finite after t = {:.6e}", f64_of(&r.reached)),
        Stop::Violation => format!("stopped at the first violation, t = {:.6e}", f64_of(&r.reached)),
        Stop::Sliding => match &r.sliding {
            Some(at) => format!("STOPPED at t = {:.6e}: no classical solution from here: {at}", f64_of(&r.reached)),
            None => format!(
                "STOPPED in a sliding mode at t = {:.6e}: minimum steps crossed one switching surface of G {SLIDING_CROSSINGS} times (chattering); no solution of the integral equation continues there",
                f64_of(&r.reached)
            ),
        },
    };
    s += &format!(
        "steps          {} accepted, {} rejected, {} forced at the minimum step, {} attempts across a switch of G's piece; {} nodes; {reached}; {:.2} s\n",
        r.accepted,
        r.rejected,
        r.forced,
        r.switch_steps,
        r.node_count,
        r.seconds
    );
    if let Some(k) = r.resumed_from {
        s += &format!("resumed        from the checkpoint at node {k}\n");
    }
    s += &format!("\nV(theta_0)            = {}\n", e(&r.v0));
    s += &format!("V(theta_t)            = {}   at t = {}\n", e(&last.lyapunov), e(&last.t));
    s += &format!("8 q(t) = 8 int L ds   = {}\n", e(&(BigRational::from_integer(8.into()) * &last.q)));
    s += &format!(
        "L(theta_0) -> L(theta_t): {} -> {}   (decay observed at the nodes; the limit t -> oo is not computed)\n",
        e(&r.first_risk),
        e(&last.risk)
    );
    s += "\nC10 balance  V(theta_t) + 8 q(t) = V(theta_0)\n";
    s += &format!("  defect at t          = {}\n", e(&r.balance_defect));
    s += &format!("  max |defect| (nodes) = {}\n", e(&r.max_balance_defect));
    s += &format!(
        "  error estimate E     = {:.6e}   (sum of the accepted local error estimates, Euclidean norm on (theta, q))\n",
        r.error_estimate
    );
    s += &format!(
        "  allowed              = {BALANCE_FACTOR} C E + 2^-{} V(theta_0) = {}   (C = sqrt(8 V(theta_0) + 64) = {:.4}: first-order sensitivity of V + 8q)\n",
        r.bits.saturating_sub(ROUNDING_BITS_LOST),
        e(&slack_of(r.sensitivity * r.error_estimate, &r.rounding)),
        r.sensitivity
    );
    s += &format!(
        "  within at every node: {}{}\n",
        yes_no(r.balance_violation.is_none()),
        r.balance_violation.map(|k| format!(" (first exceeded at node {k})")).unwrap_or_default()
    );
    s += &format!(
        "|theta_t|^2 <= V(theta_0) at every node (up to the same slack): {}; max |theta_t|^2 / V(theta_0) = {:.12}\n",
        yes_no(r.norm_violation.is_none()),
        r.max_norm2_ratio
    );
    s += &format!(
        "V nonincreasing along the nodes (up to the same slack): {}; largest increase between nodes = {}\n",
        yes_no(r.monotone_violation.is_none()),
        e(&r.max_v_increase)
    );
    s += &format!(
        "C3 <grad V, G> - 8L = 0 EXACTLY at every node (BigRational on the exact dyadic nodes): {}{}\n",
        yes_no(r.c3_exact_ok),
        r.c3_violation.map(|k| format!(" (fails at node {k})")).unwrap_or_default()
    );
    let c12 = r.risk_monotonicity();
    s += &format!(
        "C12 L nonincreasing between consecutive nodes (up to a slack from the local error estimates): {}{}; smallest decrease L(t_k-1) - L(t_k) = {}\n",
        yes_no(c12.violation.is_none()),
        c12.violation.map(|k| format!(" (first exceeded at node {k})")).unwrap_or_default(),
        c12.min_decrease.as_ref().map_or("-".to_string(), |(d, _)| e(d))
    );
    match &c12.max_rate_ratio {
        Some((m, _)) => {
            s += &format!(
            "C12 t L(theta_t) <= V(theta_0)/8 at every node (exact at the nodes): {}; max 8 t L / V(theta_0) = {:.6}\n",
            yes_no(c12.rate_violation.is_none()),
            f64_of(m)
        )
        }
        None => s += "C12 t L(theta_t) <= V(theta_0)/8: no node with t > 0 and V(theta_0) > 0\n",
    }
    match r.q2_max_ratio {
        Some((m, _)) => {
            s += &format!(
            "Q2 (a theorem by C12): max over all nodes of 8 t L(theta_t) / V(theta_0) = {m:.6} at t = {:.6e} ({})\n",
            r.q2_max_t.as_ref().map_or(f64::NAN, f64_of),
            if m <= 1.0 {
                "<= 1, as C12 proves"
            } else {
                "> 1: impossible along a solution (C12), so the nodes are off the flow: an integrator problem"
            }
        )
        }
        None => s += "Q2: no node with t > 0 and V(theta_0) > 0\n",
    }
    let failed = r.inconclusive().map(|why| format!("inconclusive: {why}"));
    s += &format!(
        "\nverdict        {}\nguarantee      {}\n",
        if let Some(f) = failed.as_deref().filter(|_| r.c3_exact_ok) {
            f
        } else if r.holds() {
            "C10 consistent on [0, T] at the nodes"
        } else if r.stop == Stop::StepBudget {
            "inconclusive: T not reached within the step budget"
        } else if r.stop == Stop::Sliding
            && r.balance_violation.is_none()
            && r.norm_violation.is_none()
            && r.monotone_violation.is_none()
            && r.c3_exact_ok
        {
            if r.sliding.is_some() && r.accepted == 0 {
                "no classical solution from here (sliding, E8): C10's hypothesis fails at theta_0, nothing to integrate"
            } else {
                "C10 consistent at the nodes up to the sliding mode; the flow does not exist beyond it (outside C10's hypothesis)"
            }
        } else {
            "C10 NOT consistent at some node (see above)"
        },
        r.guarantee_line()
    );
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::case::parse_case;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    /// Row sums equal the nodes, and the b8 weights satisfy the quadrature
    /// conditions Σ b c^k = 1/(k+1) up to order 8 and a few tree conditions
    /// exactly; b7 up to order 7.
    #[test]
    fn rkf78_tableau_order_conditions() {
        let c: Vec<BigRational> = RKF78_C.iter().map(|p| ratio(*p)).collect();
        let a: Vec<Vec<BigRational>> = RKF78_A
            .iter()
            .map(|row| {
                let mut r: Vec<BigRational> = row.iter().map(|p| ratio(*p)).collect();
                r.resize(13, BigRational::zero());
                r
            })
            .collect();
        for (i, row) in a.iter().enumerate() {
            let s = row.iter().fold(BigRational::zero(), |s, x| s + x);
            assert_eq!(s, c[i], "row {i} sum");
        }
        let mut simpson = [(0i64, 1i64); 13];
        simpson[0] = (1, 6);
        simpson[5] = (2, 3);
        simpson[12] = (1, 6);
        for (b, order) in [(&RKF78_B8, 8u32), (&RKF78_B7, 7u32), (&simpson, 4u32)] {
            let b: Vec<BigRational> = b.iter().map(|p| ratio(*p)).collect();
            for k in 0..order {
                let s = (0..13).fold(BigRational::zero(), |s, i| s + &b[i] * c[i].pow(k as i32));
                assert_eq!(s, q(1, k as i64 + 1), "order {order}: sum b c^{k}");
            }
            // Σ b_i a_ij c_j^k = 1/((k+1)(k+2)) for k + 2 ≤ order.
            for k in 0..order - 1 {
                let s = (0..13).fold(BigRational::zero(), |s, i| {
                    s + &b[i] * (0..13).fold(BigRational::zero(), |t, j| t + &a[i][j] * c[j].pow(k as i32))
                });
                assert_eq!(s, q(1, (k as i64 + 1) * (k as i64 + 2)), "order {order}: sum b a c^{k}");
            }
        }
        // Simpson on stages 1, 6, 13 is of order 4: the remaining conditions
        // Σ b c a c = 1/8 and Σ b a a c = 1/24.
        let b: Vec<BigRational> = simpson.iter().map(|p| ratio(*p)).collect();
        let ac: Vec<BigRational> =
            (0..13).map(|i| (0..13).fold(BigRational::zero(), |t, j| t + &a[i][j] * &c[j])).collect();
        let bcac = (0..13).fold(BigRational::zero(), |s, i| s + &b[i] * &c[i] * &ac[i]);
        assert_eq!(bcac, q(1, 8));
        let baac = (0..13).fold(BigRational::zero(), |s, i| {
            s + &b[i] * (0..13).fold(BigRational::zero(), |t, j| t + &a[i][j] * &ac[j])
        });
        assert_eq!(baac, q(1, 24));
    }

    fn dead_case() -> Case {
        // All neurons dead on [0, 2] (w = 0, b < 0): only c moves,
        // dc/dt = −2m(c − ξ), m = 2.
        parse_case(
            "dead",
            "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"2\"\ntarget = \"1/3\"\n[theta]\nw = [\"0\", \"0\"]\nb = [\"-1\", \"-5/2\"]\nv = [\"3\", \"-1/2\"]\nc = \"2\"\n",
        )
        .expect("case")
    }

    fn random_case() -> Case {
        parse_case(
            "random",
            "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"1\"\ntarget = \"1/2\"\n[theta]\nw = [\"1\", \"-3/2\", \"0\", \"2\"]\nb = [\"1/4\", \"1/2\", \"0\", \"-1\"]\nv = [\"-1\", \"3/4\", \"2\", \"1/2\"]\nc = \"-1/3\"\n",
        )
        .expect("case")
    }

    fn empirical_case() -> Case {
        parse_case(
            "emp",
            "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"0\"], [\"-1/2\", \"1\"], [\"0\", \"-1\"]]\nweights = [\"1/3\", \"1/3\", \"1/3\"]\ntarget = \"1\"\n[theta]\nw = [[\"1\", \"1/2\"], [\"-1\", \"1\"], [\"0\", \"0\"]]\nb = [\"-1\", \"1/2\", \"0\"]\nv = [\"1/2\", \"-1\", \"2\"]\nc = \"0\"\n",
        )
        .expect("case")
    }

    fn precision() -> u32 {
        default_precision()
    }

    #[test]
    fn dead_neurons_follow_the_closed_form() {
        let case = dead_case();
        let t = q(1, 2);
        let opts = FlowOptions::new(t.clone(), precision());
        let r = run_flow(&case, &opts).expect("flow");
        assert_eq!(r.stop, Stop::Completed);
        assert!(r.holds(), "{}", flow_text(&r));
        let last = r.last();
        // Only c moves.
        assert_eq!(last.theta.w, case.theta.w);
        assert_eq!(last.theta.b, case.theta.b);
        assert_eq!(last.theta.v, case.theta.v);
        // c(t) − ξ = (c0 − ξ) e^{−2mt}, m = 2, t = 1/2: (2 − 1/3) e^{−2}.
        let c = f64_of(&last.theta.c);
        let exact = 1.0 / 3.0 + (5.0 / 3.0) * (-2.0f64).exp();
        let tol = (10.0 * r.error_estimate).max(1e-14);
        assert!((c - exact).abs() <= tol, "c = {c}, closed form {exact}, E = {}", r.error_estimate);
        #[cfg(feature = "gmp")]
        {
            use rug::Float;
            let exact =
                Float::with_val(128, -2).exp() * Float::with_val(128, 5) / 3u32 + Float::with_val(128, 1) / 3u32;
            let got = Float::with_val(128, &crate::num::gmp::rational_from_big(&last.theta.c));
            let diff = Float::with_val(128, &got - &exact).abs().to_f64();
            assert!(diff <= 10.0 * r.error_estimate + 1e-30, "diff {diff:e}, E = {:e}", r.error_estimate);
            assert!(diff < 1e-12, "diff {diff:e}");
        }
    }

    #[test]
    fn balance_holds_on_a_random_case() {
        for case in [random_case(), empirical_case()] {
            let opts = FlowOptions::new(q(1, 2), precision());
            let r = run_flow(&case, &opts).expect("flow");
            assert!(r.holds(), "{}", flow_text(&r));
            assert!(r.nodes.len() > 2);
            assert!(r.c3_exact_ok);
            assert!(r.max_norm2_ratio <= 1.0 + 1e-9);
            // L decreased.
            assert!(r.last().risk < r.nodes[0].risk);
        }
    }

    /// Points 0 (weight 3) and −1 (weight 1); neuron 1 has its hyperplane
    /// b_1 = 0 through the point 0. For b_1 > 0 the point 0 is active and
    /// db_1/dt = −2(3e(0) + e(−1)) = −2 < 0; for b_1 ≤ 0 it is not and
    /// db_1/dt = −2e(−1) = 4 > 0: G pushes into the surface from both sides.
    pub(crate) fn sliding_case() -> Case {
        parse_case(
            "sliding",
            "[problem]\nmeasure = \"empirical\"\npoints = [\"0\", \"-1\"]\nweights = [\"3\", \"1\"]\ntarget = \"0\"\n[theta]\nw = [\"-1\", \"-1\"]\nb = [\"0\", \"-1/2\"]\nv = [\"1\", \"-8\"]\nc = \"1\"\n",
        )
        .expect("case")
    }

    /// E8 at the start: θ_0 slides exactly, so gf integrates nothing and says
    /// where; and from b_1 = 1/64 the flow reaches the same surface, chatters,
    /// and gf names the surface, confirmed exactly at the projected node.
    #[test]
    fn a_sliding_mode_stops_the_flow() {
        for prec in [0, precision()] {
            let r = run_flow(&sliding_case(), &FlowOptions::new(q(1, 8), prec)).expect("flow");
            assert_eq!(r.stop, Stop::Sliding, "{}", flow_text(&r));
            assert!(!r.violated(), "{}", flow_text(&r));
            assert!(!r.holds());
            assert_eq!((r.accepted, r.node_count), (0, 1), "nothing integrated");
            let text = flow_text(&r);
            assert!(text.contains("no classical solution from here: sliding on neuron 1 at sample 1 (exact"), "{text}");
            let mut near = sliding_case();
            near.theta.b[0] = q(1, 64);
            let r = run_flow(&near, &FlowOptions::new(q(1, 8), prec)).expect("flow");
            assert_eq!(r.stop, Stop::Sliding, "{}", flow_text(&r));
            assert!(r.forced >= SLIDING_CROSSINGS && r.accepted > 0);
            let text = flow_text(&r);
            assert!(text.contains("sliding on neuron 1 at sample 1 (the integrator chattered"), "{text}");
            assert!(text.contains("confirmed exactly"), "{text}");
        }
    }

    #[test]
    fn uphill_flow_breaks_the_balance() {
        let case = random_case();
        let opts = FlowOptions::new(q(1, 4), precision());
        let r = run_flow_directed(&case, &opts, Direction::Up, true).expect("flow");
        assert!(!r.holds());
        assert!(r.balance_violation.is_some() || r.monotone_violation.is_some());
        // C3 itself is a property of θ and still holds at the uphill nodes.
        assert!(r.c3_exact_ok);
    }

    #[test]
    fn a_stationary_point_takes_one_step() {
        // v = 0, c = ξ: L = 0, G = 0.
        let mut case = random_case();
        case.theta.v.iter_mut().for_each(|v| *v = BigRational::zero());
        case.theta.c = q(1, 2);
        let r = run_flow(&case, &FlowOptions::new(q(3, 1), precision())).expect("flow");
        assert!(r.holds());
        assert_eq!(r.accepted, 1);
        assert!(r.balance_defect.is_zero());
        assert_eq!(r.last().theta, case.theta);
    }

    #[test]
    fn trajectory_files_have_one_record_per_node() {
        let dir = std::env::temp_dir().join(format!("reluproof-gf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let out = dir.join("gf.jsonl");
        let csv = dir.join("gf.csv");
        let mut opts = FlowOptions::new(q(1, 4), precision());
        opts.out = Some(out.clone());
        opts.csv = Some(csv.clone());
        let r = run_flow(&random_case(), &opts).expect("flow");
        let recs = super::super::trajectory::read_records(&out).expect("read");
        assert_eq!(recs.len(), r.nodes.len());
        for (i, rec) in recs.iter().enumerate() {
            let parsed = Record::from_json(rec).expect("record keys");
            assert_eq!(parsed.n, i as u64);
            for k in ["t", "balance_defect", "error_estimate", "q2_ratio"] {
                assert!(parsed.extra.contains_key(k), "{k}");
            }
        }
        let last = recs.last().expect("records");
        let theta: Vec<BigRational> = last["theta"]
            .as_array()
            .expect("theta")
            .iter()
            .map(|v| crate::num::parse::parse_rational(v.as_str().expect("str")).expect("rational"))
            .collect();
        assert_eq!(theta, r.last().theta.flatten());
        let lines = std::fs::read_to_string(&csv).expect("csv").lines().count();
        assert_eq!(lines, r.nodes.len() + 1);
        let text = flow_text(&r);
        assert!(text.contains("error estimate E"), "{text}");
        assert!(text.contains("not a rigorous bound"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn f64_flow_is_labelled_approximate_and_agrees() {
        let case = random_case();
        let r = run_flow(&case, &FlowOptions::new(q(1, 2), 0)).expect("flow");
        assert_eq!(r.backend, "f64");
        assert_eq!(r.guarantee, Guarantee::Approximate { bits: 53 });
        assert!(r.holds(), "{}", flow_text(&r));
        #[cfg(feature = "gmp")]
        {
            let m = run_flow(&case, &FlowOptions::new(q(1, 2), 128)).expect("flow");
            let a = m.last().theta.flatten();
            let b = r.last().theta.flatten();
            for (x, y) in a.iter().zip(&b) {
                assert!((f64_of(x) - f64_of(y)).abs() < 1e-8, "{x} vs {y}");
            }
        }
    }

    #[test]
    fn bad_options_are_errors() {
        let case = random_case();
        assert!(run_flow(&case, &FlowOptions::new(q(0, 1), precision())).is_err());
        let mut o = FlowOptions::new(q(1, 1), precision());
        o.tolerance = 0.0;
        assert!(run_flow(&case, &o).is_err());
        #[cfg(not(feature = "gmp"))]
        assert!(run_flow(&case, &FlowOptions::new(q(1, 1), 128)).unwrap_err().contains("gmp"));
    }
}
