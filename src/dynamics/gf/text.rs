//! The human summary of a gradient-flow run, for `reluproof gf`.

use super::report::{f64_of, slack_of, FlowReport, Stop};
use super::{BALANCE_FACTOR, MIN_STEP_BITS, ROUNDING_BITS_LOST, SLIDING_CROSSINGS};
use crate::dynamics::outcome::{run_strength, Level, Trend};
use crate::num::BigRational;
use num_traits::Signed;

/// A ratio near 1 with `places` decimals; a blown-up one (a run that left
/// the ball) in scientific notation rather than hundreds of digits.
fn ratio(x: f64, places: usize) -> String {
    if x.abs() < 1e6 {
        format!("{x:.places$}")
    } else {
        format!("{x:.6e}")
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
    // With no step taken the checks saw the initial node only: say so
    // rather than a bare "yes".
    let yes_no =
        |ok: bool| if ok && r.accepted == 0 { "yes (at the initial node only: no step taken)" } else { yes_no(ok) };
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
    // "Decay observed" only where L fell, judged as gd and sgd judge L -> 0.
    let ends = (Level::Exact(r.first_risk.clone()), Level::Exact(last.risk.clone()));
    let trend = match Trend::new(Some(ends), r.accepted as u64) {
        Trend::Fell(..) => "decay observed at the nodes",
        Trend::NoSteps(_) => "no step taken: no decay observed",
        _ => "no decay observed",
    };
    s += &format!(
        "L(theta_0) -> L(theta_t): {} -> {}   ({trend}; the limit t -> oo is not computed)\n",
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
        "|theta_t|^2 <= V(theta_0) at every node (up to the same slack): {}; max |theta_t|^2 / V(theta_0) = {}\n",
        yes_no(r.norm_violation.is_none()),
        ratio(r.max_norm2_ratio, 12)
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
    // A "yes" with a negative smallest decrease is an increase the slack
    // absorbed: say so, rather than let "yes" stand for "L fell".
    let rose = match (&c12.violation, &c12.min_decrease) {
        (None, Some((d, k))) if d.is_negative() => {
            format!(" (L rose by {} into node {k}: within the slack, not a decrease)", e(&-d))
        }
        _ => String::new(),
    };
    s += &format!(
        "C12 L nonincreasing between consecutive nodes (up to a slack from the local error estimates): {}{}; smallest decrease L(t_k-1) - L(t_k) = {}{rose}\n",
        yes_no(c12.violation.is_none()),
        c12.violation.map(|k| format!(" (first exceeded at node {k})")).unwrap_or_default(),
        c12.min_decrease.as_ref().map_or("-".to_string(), |(d, _)| e(d))
    );
    match &c12.max_rate_ratio {
        Some((m, _)) => {
            s += &format!(
            "C12 t L(theta_t) <= V(theta_0)/8 at every node (exact at the nodes): {}; max 8 t L / V(theta_0) = {}\n",
            yes_no(c12.rate_violation.is_none()),
            ratio(f64_of(m), 6)
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
    s += &format!("\nverdict        {}\nguarantee      {}\n", verdict(r), r.guarantee_line());
    s += &format!("strength       {}\n", strength_text(r));
    s
}

/// The run's verdict in words (the text's `verdict` line, JSON `verdict`).
pub fn verdict(r: &FlowReport) -> String {
    let failed = r.inconclusive().map(|why| format!("inconclusive: {why}"));
    if let Some(f) = failed.filter(|_| r.c3_exact_ok) {
        return f;
    }
    let violations = r.node_violation();
    if r.holds() {
        "C10 consistent on [0, T] at the nodes"
    } else if r.stop == Stop::StepBudget && r.c3_exact_ok {
        if violations {
            "inconclusive: T not reached within the step budget (checks above failed at nodes the unfinished integration reached: no finding; raise --max-steps)"
        } else {
            "inconclusive: T not reached within the step budget"
        }
    } else if r.stop == Stop::Sliding && !violations && r.c3_exact_ok {
        if r.sliding.is_some() && r.accepted == 0 {
            "no classical solution from here (sliding, E8): C10's hypothesis fails at theta_0, nothing to integrate"
        } else {
            "C10 consistent at the nodes up to the sliding mode; the flow does not exist beyond it (outside C10's hypothesis)"
        }
    } else {
        "C10 NOT consistent at some node (see above)"
    }
    .to_string()
}

/// The run's strength on the ladder of `check`: an approximate integration
/// is at most observed, and an inconclusive run decides nothing.
pub fn strength(r: &FlowReport) -> Option<crate::claims::strength::Strength> {
    let decided = (r.holds() || r.violated()) && r.inconclusive().is_none();
    run_strength(decided, false)
}

fn strength_text(r: &FlowReport) -> &'static str {
    match strength(r) {
        Some(_) => "observed (an approximate integration, judged within its a-posteriori error estimate; C10 itself is proved: proofs/C10.md)",
        None => "none (nothing decided)",
    }
}

/// The run as one JSON object (`gf --json`): the verdict, guarantee and
/// strength as the text prints them, and the checks' numbers. Exact values
/// are `"p/q"` strings, floats numbers; a node index is `null` where the
/// check never failed.
pub fn flow_json(r: &FlowReport, file: &str) -> serde_json::Value {
    let c12 = r.risk_monotonicity();
    let q = |x: &BigRational| x.to_string();
    serde_json::json!({
        "case": file,
        "time": q(&r.time),
        "reached": q(&r.reached),
        "backend": r.backend,
        "precision_bits": r.bits,
        "tolerance": r.tolerance,
        "verdict": verdict(r),
        "finding": r.violated(),
        "guarantee": r.guarantee_line(),
        "strength": strength(r).map(|st| st.word()),
        "stop": r.stop.word(),
        "sliding": r.sliding,
        "steps": {"accepted": r.accepted, "rejected": r.rejected, "forced": r.forced, "min_step": r.min_step, "switch_steps": r.switch_steps},
        "nodes": r.node_count,
        "error_estimate": r.error_estimate,
        "v0": q(&r.v0),
        "balance": {"max_defect": q(&r.max_balance_defect), "first_violation": r.balance_violation},
        "norm": {"max_ratio": r.max_norm2_ratio, "first_violation": r.norm_violation},
        "v_monotone": {"max_increase": q(&r.max_v_increase), "first_violation": r.monotone_violation},
        "c3_exact_at_nodes": {"holds": r.c3_exact_ok, "first_violation": r.c3_violation},
        "c12": {
            "min_decrease": c12.min_decrease.as_ref().map(|(d, k)| serde_json::json!([q(d), k])),
            "first_violation": c12.violation,
            "max_rate_ratio": c12.max_rate_ratio.as_ref().map(|(d, k)| serde_json::json!([q(d), k])),
            "rate_first_violation": c12.rate_violation,
        },
        "seconds": r.seconds,
    })
}
