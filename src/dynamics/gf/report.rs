//! What a gradient-flow run reports: its nodes ([`FlowNode`]), why it
//! stopped ([`Stop`]), the verdicts ([`FlowReport`]) and C12's tally at the
//! nodes ([`RiskMonotonicity`]), with the slacks the checks allow.

use super::{BALANCE_FACTOR, ROUNDING_BITS_LOST};
use crate::model::Theta;
use crate::num::{BigRational, Guarantee};
use num_traits::{ToPrimitive, Zero};

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
    /// switching surface of G [`SLIDING_CROSSINGS`](super::SLIDING_CROSSINGS)
    /// times (a neuron's hyperplane through a sample point, the flow
    /// chattering across it).
    /// There G jumps and pushes into the surface from both sides; no solution
    /// of Θ_t = Θ_0 − ∫₀ᵗ G(Θ_s) ds continues (the σ'(0) = 0 value of G on
    /// the surface points off it), so the flow of C10 does not exist beyond.
    Sliding,
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
    /// exact C3 values at the nodes still count. Nor is a run that spent its
    /// step budget before T: the verdict says inconclusive, and the exit
    /// code must not say more than the verdict.
    pub fn violated(&self) -> bool {
        let integrated = !matches!(self.stop, Stop::NonFinite | Stop::StepBudget)
            && !self.forced_steps_suspect()
            && self.node_violation();
        integrated || !self.c3_exact_ok
    }
    /// Whether a property checked along the computed flow failed at a node.
    pub(super) fn node_violation(&self) -> bool {
        self.balance_violation.is_some() || self.norm_violation.is_some() || self.monotone_violation.is_some()
    }
    /// Whether node checks failed in a run that accepted steps at the minimum
    /// step size with local errors above the tolerance: such a step is taken
    /// because the integrator cannot shrink further, not because it met the
    /// tolerance, so a failure after it can be the integrator's, not the
    /// flow's.
    pub fn forced_steps_suspect(&self) -> bool {
        self.forced > 0 && self.node_violation()
    }
    /// Why the run decides nothing about C10's balance, if it does not: the
    /// integrator failed, or checks failed after forced steps.
    pub fn inconclusive(&self) -> Option<String> {
        if self.stop == Stop::NonFinite {
            // Inside C10's hypothesis (which gf enforces) the exact flow stays
            // in the ball ‖Θ_t‖² ≤ V(Θ_0): it is the integration that blew up.
            return Some(format!(
                "integrator failed (a component of the computed state became non-finite after t = {:.6e}; the exact flow cannot blow up, since |Theta_t|^2 <= V(Theta_0) by C10, so a step was too large, or the state left the range of {})",
                f64_of(&self.reached),
                self.backend
            ));
        }
        self.forced_steps_suspect().then(|| {
            format!(
                "checks failed at nodes of a run that accepted {} step(s) at the minimum step size (T 2^-20 = {:.3e}) with local errors above the tolerance: those failures can be the integrator's, not the flow's (no finding; a smaller --time makes the minimum step smaller)",
                self.forced, self.min_step
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
    pub(super) fn risk_slack_between(&self, a: &FlowNode, b: &FlowNode) -> BigRational {
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

pub(super) fn slack_of(e: f64, rounding: &BigRational) -> BigRational {
    let e = BigRational::from_float(BALANCE_FACTOR * e).unwrap_or_else(BigRational::zero);
    e + rounding
}

pub(super) fn f64_of(q: &BigRational) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}
