//! The nodes of a run: each evaluated exactly ([`flow_node`]), checked
//! against C10 and C12 ([`judge`]), and streamed to the trajectory files
//! ([`Sink`]).

use super::report::{f64_of, slack_of, FlowNode, FlowReport};
use crate::dynamics::trajectory::{Record, TrajectoryWriter};
use crate::lyapunov::summarize;
use crate::model::{Prepared, Theta};
use crate::num::{BigRational, Scalar};
use crate::objective::evaluate;
use num_traits::{One, Signed, Zero};
use serde_json::Value;

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
pub(super) struct Sink<S: Scalar> {
    pub(super) writer: Option<TrajectoryWriter>,
    pub(super) pending: Option<Record>,
    pub(super) ctx: S::Ctx,
    /// The case fingerprint and settings every checkpoint records.
    pub(super) tag: (String, String),
}

impl<S: Scalar> Sink<S> {
    fn dec(&self, q: &BigRational) -> String {
        S::from_rational(q, &self.ctx).render()
    }
    pub(super) fn push(&mut self, node: &FlowNode, v0: &BigRational) -> Result<(), String> {
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
    pub(super) fn checkpoint(&mut self, node: &FlowNode, state: Value) {
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
    pub(super) fn finish(&mut self, last: Option<(&FlowNode, Value)>) -> Result<(), String> {
        if let Some((node, state)) = last {
            self.checkpoint(node, state);
        }
        if let (Some(w), Some(r)) = (self.writer.as_mut(), self.pending.take()) {
            w.write(&r)?;
        }
        Ok(())
    }
}

/// The exact node at state `y` (Θ, q) and time `t`, evaluated in
/// `BigRational`; `None` if a component is not finite.
#[allow(clippy::too_many_arguments)]
pub(super) fn flow_node<S: Scalar>(
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
pub(super) fn judge(report: &mut FlowReport, node: &FlowNode) -> bool {
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
