//! Gradient descent Θ_{n+1} = Θ_n − γ G(Θ_n) (D6) with certified iterates.
//!
//! In the default `dyadic:BITS` mode each step is computed exactly from the
//! stored state θ_n, and the new state is rounded to the nearest multiple of
//! 2^-BITS (ties away from zero). Every inequality of C9 is then checked
//! exactly on the stored iterates:
//! (a) V(θ_{n+1}) ≤ V(θ_n) − 4γ L(θ_n), (b) ‖θ_n‖² ≤ V(θ_0),
//! (c) Σ_{k<n} L(θ_k) ≤ V(θ_0)/(4γ), (d) min_{k<n} L(θ_k) ≤ V(θ_0)/(4γn).
//! The part of (a)'s margin used by the rounding is reported. `exact` keeps
//! the state unrounded (sizes grow geometrically); `mpfr:BITS` and `f64` are
//! fast and approximate.
//!
//! Exact arithmetic is organised so that a step costs the same at n = 10⁴ as
//! at n = 1: the exact step is never normalised (see
//! [`round_on_adaptive_grid`]), and the running sum of (c), whose denominator
//! grows with n, is added up only when its exact value is needed (see
//! [`SummedRisk`]). Every check is still decided exactly at every step.

mod bounds;
mod options;
mod state;
mod summary;
mod tally;
#[cfg(test)]
mod tests;

pub use bounds::*;
pub(crate) use options::dispatch_state;
pub use options::*;
pub use state::*;
pub use summary::*;
pub use tally::*;

use crate::dynamics::trajectory::{
    last_checkpoint, read_records, truncate_before_last_checkpoint, Record, TrajectoryWriter,
};
use crate::lyapunov::lyapunov;
use crate::model::case::Case;
use crate::model::{Prepared, Theta};
use crate::num::parse::parse_rational;
use crate::num::{BigRational, Scalar};

use crate::dynamics::outcome::DivergenceStop;
pub use crate::dynamics::outcome::DIVERGED_BITS;
use crate::objective::evaluate;
use serde_json::{Map, Value};

struct Accum<S: StateScalar> {
    v0: S,
    /// Σ_{k<n} L(θ_k) and the tally of C9(c).
    c: SummedRisk<S>,
    min_risk: Option<S>,
    a: RunTally<S>,
    nonincrease: RunTally<S>,
    b: RunTally<S>,
    d: RunTally<S>,
    /// C14 (when γ < 2γ′*): (a), the sum of (c) with bound V(θ_0)/r, and (d).
    a14: RunTally<S>,
    c14: SummedRisk<S>,
    d14: RunTally<S>,
    rounding_used: f64,
}

fn run_generic<S: StateScalar>(case: &Case, opts: &GdOptions, ctx: &S::Ctx) -> Result<GdSummary, String> {
    let xi_q = case.problem.target.constant().ok_or("gradient descent needs a constant target")?.clone();
    let gstar = gamma_star(case);
    let gpstar = gamma_prime_star(case);
    let gamma_q = match &opts.gamma {
        GammaSpec::Value(g) => g.clone(),
        GammaSpec::Auto(k) => k * gstar.clone().ok_or("gamma* is undefined (zero mass)")?,
        GammaSpec::AutoSharp(k) => k * gpstar.clone().ok_or("gamma'* is undefined (zero mass)")?,
    };
    // C14's rate, from the case's exact θ_0 (as γ* and γ′*).
    let rate_q = sharp_rate(case, &gamma_q);
    let prep: Prepared<S> = case.problem.prepare(ctx);
    let xi = S::from_rational(&xi_q, ctx);
    let two_xi = xi.add(&xi);
    let gamma = S::from_rational(&gamma_q, ctx);
    let four_gamma = S::from_i64(4, ctx).mul(&gamma);
    let rate = rate_q.as_ref().map(|r| S::from_rational(r, ctx));
    // The bound of C14(c) is V(θ_0)/r; without C14 the sum is not compared (1 stands in for r).
    let rate_or_one = rate.clone().unwrap_or_else(|| S::from_i64(1, ctx));
    // The rounding is certified against C14's target where C14 applies (for
    // γ ≤ γ′* it is the stricter one, r ≥ 4γ), else against C9's.
    let certified_rate = rate.clone().unwrap_or_else(|| four_gamma.clone());
    // What (a) of C9 and C14 are judged against: the theorems' rates unless a
    // negative control asks for a false one (the rounding above stays certified
    // against the true rates, so the run is the real one).
    let eight_gamma = S::from_i64(8, ctx).mul(&gamma);
    let claimed_c9 = if opts.false_claim == FalseClaim::EightGammaDescent { &eight_gamma } else { &four_gamma };
    let claimed_c14 =
        if opts.false_claim == FalseClaim::EightGammaSharpRate { Some(&eight_gamma) } else { rate.as_ref() };
    if opts.false_claim != FalseClaim::None && (opts.out.is_some() || opts.csv.is_some() || opts.resume.is_some()) {
        return Err("a negative control's run writes no files".into());
    }
    let base_bits = match opts.state {
        StateMode::Dyadic(bits) => bits,
        _ => 0,
    };
    // Float states judge violations against a rounding-error estimate.
    let rounding = rounding_rule(opts.state, case.theta.flatten().len());
    let tally = |t: &Tally| RunTally::from_tally(t, ctx).rounding(rounding);
    // What the trajectory is of: a resumed run must be of the same.
    let fingerprint = super::guard::case_fingerprint(case);
    let settings = format!("gd --state {} --gamma {gamma_q}", opts.state);
    // Start: fresh, or from the last checkpoint of a trajectory file.
    let mut resumed_grid: Option<u32> = None;
    let mut resumed_refined: Option<u64> = None;
    let (mut theta, start, mut acc, mut writer, resumed_from) = match &opts.resume {
        None => {
            // θ_0 is the case's exact θ (not rounded), so γ* and V(θ_0) refer to the same state.
            let theta: Theta<S> = case.theta.map(|q| S::from_rational(q, ctx));
            let v0 = lyapunov(&theta, &xi, ctx);
            let c_tally = tally(&Tally::default());
            let c14_tally = tally(&Tally::default());
            let acc = Accum {
                c: SummedRisk::new(v0.div(&four_gamma), S::from_i64(0, ctx), 0, c_tally),
                c14: SummedRisk::new(v0.div(&rate_or_one), S::from_i64(0, ctx), 0, c14_tally),
                a14: tally(&Tally::default()),
                d14: tally(&Tally::default()),
                v0,
                min_risk: None,
                a: tally(&Tally::default()),
                nonincrease: tally(&Tally::default()),
                b: tally(&Tally::default()),
                d: tally(&Tally::default()),
                rounding_used: 0.0,
            };
            let w = TrajectoryWriter::create(opts.out.as_deref(), opts.csv.as_deref())?;
            (theta, 0u64, acc, w, None)
        }
        Some(file) => {
            // Read and checked before the file is cut: a refused resume leaves it as it was.
            let cp = last_checkpoint(file)?;
            let get = |k: &str| cp.get(k);
            super::guard::check_origin(file, &cp, case, "gd")?;
            if get("state").and_then(Value::as_str) != Some(&opts.state.to_string()) {
                return Err(format!(
                    "{}: recorded with --state {}, resumed with --state {}",
                    file.display(),
                    get("state").and_then(Value::as_str).unwrap_or("?"),
                    opts.state
                ));
            }
            if get("gamma").and_then(Value::as_str) != Some(&gamma_q.to_string()) {
                return Err(format!(
                    "{}: recorded with a different gamma; resume with the same --gamma",
                    file.display()
                ));
            }
            super::guard::check_fingerprint(file, &cp, case, &settings)?;
            let pos = resumed_position::<S>(file, &cp, case, opts.steps, ctx)?;
            let (theta, n) = (pos.theta, pos.n);
            resumed_grid = pos.grid_bits;
            resumed_refined = pos.grid_refined_at;
            let v0: S = parse_exact(get("v0"), ctx, "v0")?;
            let sum_risk: S = parse_exact(get("sum_risk"), ctx, "sum_risk")?;
            let c_tally = tally(&Tally::from_json(get("tally_c")));
            let c14_tally = tally(&Tally::from_json(get("tally_c14c")));
            let acc = Accum {
                c: SummedRisk::new(v0.div(&four_gamma), sum_risk.clone(), n, c_tally),
                c14: SummedRisk::new(v0.div(&rate_or_one), sum_risk, n, c14_tally),
                a14: tally(&Tally::from_json(get("tally_c14a"))),
                d14: tally(&Tally::from_json(get("tally_c14d"))),
                v0,
                min_risk: match get("min_risk") {
                    Some(Value::Null) | None => None,
                    v => Some(parse_exact(v, ctx, "min_risk")?),
                },
                a: tally(&Tally::from_json(get("tally_a"))),
                nonincrease: tally(&Tally::from_json(get("tally_nonincrease"))),
                b: tally(&Tally::from_json(get("tally_b"))),
                d: tally(&Tally::from_json(get("tally_d"))),
                rounding_used: get("rounding_used").and_then(Value::as_f64).unwrap_or(0.0),
            };
            truncate_before_last_checkpoint(file, opts.csv.as_deref())?;
            let w = TrajectoryWriter::append(file, opts.csv.as_deref())?;
            (theta, n, acc, w, Some(n))
        }
    };
    let bound_c = acc.c.bound.clone();
    let mut grid_bits = resumed_grid.unwrap_or(base_bits);
    let mut refined_at: Option<u64> = resumed_refined;
    // Per-step values for the plot, decimated to O(1) memory however long the run.
    let mut series = super::guard::Decimated::new(super::guard::SERIES_CAP);
    let mut first_risk: Option<f64> = None;
    // L(θ_0) exactly (from the first record on a resume), where the state is exact.
    let mut first_exact: Option<BigRational> = None;
    let mut risk_min = f64::INFINITY;
    if let Some(file) = &opts.resume {
        // Earlier steps, for the plot.
        for r in read_records(file)? {
            if let Some(rec) = Record::from_json(&r) {
                let f = |s: &str| parse_rational(s).map(|q| q.to_f64_lossy()).unwrap_or(f64::NAN);
                let risk = f(&rec.risk);
                if first_risk.is_none() {
                    first_exact = parse_rational(&rec.risk).ok();
                }
                first_risk.get_or_insert(risk);
                risk_min = risk_min.min(risk);
                series.push((rec.n, risk, f(&rec.lyapunov), f(&rec.theta_norm2)));
            }
        }
    }
    let exact_records = matches!(opts.state, StateMode::Exact | StateMode::Dyadic(_));
    let show = |x: &S| if exact_records { exact_string(x) } else { x.render() };
    let bar = crate::progress::Bar::new("gd", opts.quiet);
    let mut ev = evaluate(&prep, &theta);
    let mut v = lyapunov_of(&theta, &two_xi, ctx);
    let mut n = start;
    // A diverging run (γ far above γ*, outside C9's hypothesis) stops after
    // that step's checks: see [`DivergenceStop`].
    let divergence = DivergenceStop::new(&acc.v0, exact_records);
    let mut diverged_at: Option<u64> = None;
    loop {
        let norm2 = norm2_of(&theta, ctx);
        // A checkpoint holds the state θ_n and the tallies of the checks before
        // step n: a resumed run restarts at n and redoes step n's checks.
        // --checkpoint 0: the last record only.
        let checkpoint = (opts.checkpoint > 0 && n % opts.checkpoint == 0) || n == opts.steps;
        let mut extra = Map::new();
        if checkpoint && writer.is_active() {
            extra.insert("theta".into(), Value::from(theta.flatten().iter().map(exact_string).collect::<Vec<_>>()));
            extra.insert("state".into(), Value::from(opts.state.to_string()));
            extra.insert("gamma".into(), Value::from(gamma_q.to_string()));
            extra.insert("case_fingerprint".into(), Value::from(fingerprint.clone()));
            extra.insert("settings".into(), Value::from(settings.clone()));
            extra.insert("v0".into(), Value::from(exact_string(&acc.v0)));
            extra.insert("sum_risk".into(), Value::from(exact_string(acc.c.prefix(n))));
            let min = acc.min_risk.as_ref().map_or(Value::Null, |m| Value::from(exact_string(m)));
            extra.insert("min_risk".into(), min);
            extra.insert("tally_a".into(), acc.a.tally().to_json());
            extra.insert("tally_nonincrease".into(), acc.nonincrease.tally().to_json());
            extra.insert("tally_b".into(), acc.b.tally().to_json());
            extra.insert("tally_c".into(), acc.c.tally().to_json());
            extra.insert("tally_d".into(), acc.d.tally().to_json());
            if rate.is_some() {
                extra.insert("tally_c14a".into(), acc.a14.tally().to_json());
                extra.insert("tally_c14c".into(), acc.c14.tally().to_json());
                extra.insert("tally_c14d".into(), acc.d14.tally().to_json());
            }
            extra.insert("rounding_used".into(), Value::from(acc.rounding_used));
            if base_bits > 0 {
                extra.insert("grid_bits".into(), Value::from(grid_bits));
                extra.insert("grid_refined_at".into(), refined_at.map_or(Value::Null, Value::from));
            }
        }
        // (b) and, for n ≥ 1, (c), (d) on the sums over k < n.
        // Sums and bounds over the run accumulate a float state's rounding: n + 1 times.
        let runs = (n + 1) as f64;
        acc.b.record_near(n, acc.v0.sub(&norm2), || runs * (mag(&acc.v0) + mag(&norm2)));
        if n >= 1 {
            acc.c.record(n);
            if let Some(m) = &acc.min_risk {
                let bound_d = bound_c.div(&S::from_i64(n as i64, ctx));
                acc.d.record_near(n, bound_d.sub(m), || runs * (mag(&bound_d) + mag(m)));
            }
            if rate.is_some() {
                acc.c14.record(n);
                if let Some(m) = &acc.min_risk {
                    let bound_d = acc.c14.bound.div(&S::from_i64(n as i64, ctx));
                    acc.d14.record_near(n, bound_d.sub(m), || runs * (mag(&bound_d) + mag(m)));
                }
            }
        }
        let mut margin = "-".to_string();
        let next = if n < opts.steps {
            let target_c9 = v.sub(&claimed_c9.mul(&ev.risk));
            let target = v.sub(&certified_rate.mul(&ev.risk));
            let (stepped, v_next, v_exact) = match opts.state {
                StateMode::Dyadic(_) => round_on_adaptive_grid(
                    &theta,
                    &gamma,
                    &ev.gradient,
                    &two_xi,
                    &target,
                    n,
                    (&mut grid_bits, &mut refined_at, &mut acc.rounding_used),
                    ctx,
                    |t| lyapunov_of(t, &two_xi, ctx),
                    |v| v,
                ),
                _ => {
                    let unrounded = theta.step(&gamma, &ev.gradient);
                    let v_next = lyapunov_of(&unrounded, &two_xi, ctx);
                    (unrounded, v_next.clone(), v_next)
                }
            };
            // Decided on the exact step θ_n − γG(θ_n), before rounding.
            let slack = target_c9.sub(&v_exact);
            if writer.is_active() {
                margin = show(&slack);
            }
            acc.a.record_near(n, slack, || mag(&v) + mag(&target_c9) + mag(&v_exact));
            acc.nonincrease.record_near(n, v.sub(&v_exact), || mag(&v) + mag(&v_exact));
            if let Some(r) = claimed_c14 {
                let decrease = r.mul(&ev.risk);
                let scale = || mag(&v) + mag(&decrease) + mag(&v_exact);
                acc.a14.record_near(n, v.sub(&decrease).sub(&v_exact), scale);
            }
            Some((stepped, v_next))
        } else {
            None
        };
        if writer.is_active() {
            let rec = Record {
                n,
                risk: show(&ev.risk),
                lyapunov: show(&v),
                theta_norm2: show(&norm2),
                grad_norm2: show(&norm2_of(&ev.gradient, ctx)),
                margin,
                extra,
            };
            writer.write(&rec)?;
        }
        let risk_f = ev.risk.to_f64_lossy();
        if first_risk.is_none() {
            first_exact = ev.risk.to_rational();
        }
        first_risk.get_or_insert(risk_f);
        risk_min = risk_min.min(risk_f);
        series.push((n, risk_f, v.to_f64_lossy(), norm2.to_f64_lossy()));
        acc.c.push(&ev.risk);
        if rate.is_some() {
            acc.c14.push(&ev.risk);
        }
        acc.min_risk = Some(match acc.min_risk.take() {
            Some(m) if m.total_cmp(&ev.risk) != std::cmp::Ordering::Greater => m,
            _ => ev.risk.clone(),
        });
        if n % 64 == 0 || n == opts.steps {
            let done = n as f64 / opts.steps.max(1) as f64;
            bar.draw(done, &format!("step {n}/{}  L = {:.4e}", opts.steps, ev.risk.to_f64_lossy()));
        }
        if next.is_some() && divergence.exceeded(&norm2) {
            diverged_at = Some(n);
            break;
        }
        match next {
            None => break,
            Some((stepped, v_next)) => {
                theta = stepped;
                v = v_next;
                ev = evaluate(&prep, &theta);
                n += 1;
            }
        }
    }
    bar.clear();
    Ok(GdSummary {
        steps: n,
        gamma: gamma_q,
        gamma_star: gstar,
        gamma_prime_star: gpstar,
        sharp_rate: rate_q,
        state: opts.state,
        guarantee: opts.state.guarantee(),
        rounding,
        v0: acc.v0.to_f64_lossy(),
        risk_first: first_risk.unwrap_or(f64::NAN),
        risk_last: ev.risk.to_f64_lossy(),
        risk_exact: first_exact.zip(ev.risk.to_rational()),
        diverged_at,
        risk_min,
        a: acc.a.tally(),
        nonincrease: acc.nonincrease.tally(),
        b: acc.b.tally(),
        c: acc.c.tally(),
        d: acc.d.tally(),
        c14a: acc.a14.tally(),
        c14c: acc.c14.tally(),
        c14d: acc.d14.tally(),
        rounding_used: acc.rounding_used,
        grid_bits: (base_bits > 0).then_some(grid_bits),
        grid_refined_at: refined_at,
        series: series.into_vec(),
        resumed_from,
    })
}

/// |x| as a float, for a rounding-error estimate.
pub(crate) fn mag<S: Scalar>(x: &S) -> f64 {
    x.to_f64_lossy().abs()
}

/// Runs gradient descent on a case. Exact and dyadic states use GMP
/// rationals when built with `gmp`, else `BigRational`.
pub fn run_gd(case: &Case, opts: &GdOptions) -> Result<GdSummary, String> {
    dispatch_state!(run_generic, case, opts, "gd")
}
