//! The integration loop: starting (or resuming from a checkpoint), RKF 7(8)
//! steps with the embedded or Simpson error estimate, step acceptance and
//! step-size control, the sliding-mode test, and a check of every node.

use super::checkpoint::{f64_text, restore, same_settings, state_json};
use super::field::{euclid, finite, initial_step, piece, scaled_error_norm, Direction, Field, Piece};
use super::report::{f64_of, FlowReport, RiskMonotonicity, Stop};
use super::sink::{flow_node, judge, Sink};
use super::tableau::{ratio, Tableau};
use super::{FlowOptions, MIN_STEP_BITS, ROUNDING_BITS_LOST, SLIDING_CROSSINGS};
use crate::dynamics::trajectory::{last_checkpoint, read_records, truncate_before_last_checkpoint, TrajectoryWriter};
use crate::model::case::Case;
// `Ordered` is named by path: importing it would make `is_positive` ambiguous
// with `num_traits::Signed` on BigRational.
use crate::num::parse::parse_rational;
use crate::num::{self, BigRational};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde_json::Value;
use std::time::Instant;

/// Integrates the flow in backend `S` and checks every node.
pub(super) fn integrate<S: num::Ordered>(
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
        // Named as the option: the CLI prefixes other errors with the case file.
        return Err(format!("--tolerance {}: must lie in (0, 1)", opts.tolerance));
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
        crate::dynamics::guard::case_fingerprint(case),
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
            crate::dynamics::guard::check_origin(file, &cp, case, "gf")?;
            let index = cp
                .get("n")
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("--resume {}: the checkpoint lacks n", file.display()))?
                as usize;
            let state = cp.get("flow").ok_or_else(|| {
                format!("--resume {}: the checkpoint lacks the integrator state (\"flow\")", file.display())
            })?;
            same_settings(state, &opts.time, &S::backend_name(ctx), bits, tol)
                .map_err(|e| format!("{}: checkpoint at node {index}: {e}", file.display()))?;
            crate::dynamics::guard::check_fingerprint(file, &cp, case, &tag.1)?;
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
                if let Some(r) = super::sliding::sliding_at_start(case) {
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
                report.sliding = node.and_then(|(th, t)| super::sliding::name_chattering(case, th, t, &at.crossings));
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
pub(super) struct Progress {
    /// The next step size to try.
    pub(super) h: f64,
    /// Step attempts so far (accepted and rejected).
    pub(super) attempts: usize,
    /// E, the sum of the accepted local error estimates.
    pub(super) e_sum: f64,
    /// Per switching surface: crossings by forced minimum steps.
    pub(super) crossings: Vec<usize>,
    /// The step that led to the last node.
    pub(super) step: f64,
}
