//! Checkpoints for `--resume`: the integrator's state and the verdicts after
//! a node as a JSON object (floats written so that they read back exactly),
//! the check that a resumed run repeats the recorded settings, and the
//! restore.

use super::integrator::Progress;
use super::report::{FlowReport, RiskMonotonicity, Stop};
use crate::num::parse::parse_rational;
use crate::num::BigRational;
use serde_json::Value;

impl Stop {
    /// The word in checkpoints.
    pub(super) fn word(&self) -> &'static str {
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

/// An f64 as text that reads back to the same f64 (`str::parse`).
pub(super) fn f64_text(x: f64) -> String {
    format!("{x:?}")
}

/// The `flow` object of a checkpoint: the run's settings, the integrator's
/// state and the verdicts after the node.
pub(super) fn state_json(r: &FlowReport, at: &Progress) -> Value {
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
pub(super) fn same_settings(v: &Value, time: &BigRational, backend: &str, bits: u32, tol: f64) -> Result<(), String> {
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
pub(super) fn restore(r: &mut FlowReport, v: &Value) -> Result<Progress, String> {
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
