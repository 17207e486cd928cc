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

use super::trajectory::{read_records, truncate_before_last_checkpoint, Record, TrajectoryWriter};
use crate::lyapunov::lyapunov;
use crate::model::case::Case;
use crate::model::{Prepared, Theta};
use crate::num::parse::parse_rational;
use crate::num::{BigRational, Guarantee, Ordered, Scalar, Sign3};
use crate::objective::evaluate;
use num_traits::{One, Signed, Zero};
use serde_json::{Map, Value};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// How the GD state is stored between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateMode {
    /// Exact rationals, never rounded (bit sizes grow geometrically).
    Exact,
    /// Exact step, state rounded to the nearest multiple of 2^-bits (certified).
    Dyadic(u32),
    /// MPFR floats with this precision (approximate).
    Mpfr(u32),
    /// IEEE doubles (approximate).
    F64,
}

impl StateMode {
    /// What the run's inequality checks promise: exact for exact and dyadic
    /// states, approximate with the precision for float states.
    pub fn guarantee(&self) -> Guarantee {
        match self {
            StateMode::Exact | StateMode::Dyadic(_) => Guarantee::Exact,
            StateMode::Mpfr(b) => Guarantee::Approximate { bits: *b },
            StateMode::F64 => Guarantee::Approximate { bits: 53 },
        }
    }
}

/// Runs `$run::<S>(case, opts, ctx)` with the scalar type of `opts.state`:
/// GMP rationals (with `gmp`) or `BigRational` for exact and dyadic states,
/// `rug::Float` for mpfr, `f64` for f64. `$cmd` names the command in errors.
macro_rules! dispatch_state {
    ($run:ident, $case:expr, $opts:expr, $cmd:literal) => {{
        if $opts.resume.is_some() && $opts.out.is_some() && $opts.out != $opts.resume {
            return Err("--resume FILE appends to FILE; do not also give a different --out".into());
        }
        match $opts.state {
            #[cfg(feature = "gmp")]
            StateMode::Exact | StateMode::Dyadic(_) => $run::<rug::Rational>($case, $opts, &()),
            #[cfg(not(feature = "gmp"))]
            StateMode::Exact | StateMode::Dyadic(_) => $run::<BigRational>($case, $opts, &()),
            StateMode::F64 => $run::<f64>($case, $opts, &()),
            #[cfg(feature = "gmp")]
            StateMode::Mpfr(bits) => $run::<rug::Float>($case, $opts, &bits),
            #[cfg(not(feature = "gmp"))]
            StateMode::Mpfr(_) => Err(concat!(
                "--state mpfr needs the `gmp` feature (cargo run --release --features gmp -- ",
                $cmd,
                " …)"
            )
            .into()),
        }
    }};
}
pub(crate) use dispatch_state;

impl fmt::Display for StateMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateMode::Exact => f.write_str("exact"),
            StateMode::Dyadic(b) => write!(f, "dyadic:{b}"),
            StateMode::Mpfr(b) => write!(f, "mpfr:{b}"),
            StateMode::F64 => f.write_str("f64"),
        }
    }
}

impl FromStr for StateMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bits = |r: &str| -> Result<u32, String> {
            r.parse::<u32>()
                .ok()
                .filter(|b| (2..=100_000).contains(b))
                .ok_or_else(|| format!("bad bit count {r:?}: expected a whole number from 2 to 100000"))
        };
        match s.split_once(':') {
            None if s == "exact" => Ok(StateMode::Exact),
            None if s == "f64" => Ok(StateMode::F64),
            None if s == "dyadic" => Ok(StateMode::Dyadic(128)),
            None if s == "mpfr" => Ok(StateMode::Mpfr(128)),
            Some(("dyadic", r)) => Ok(StateMode::Dyadic(bits(r)?)),
            Some(("mpfr", r)) => Ok(StateMode::Mpfr(bits(r)?)),
            _ => Err(format!("unknown state mode {s:?}; expected exact, dyadic:BITS, mpfr:BITS or f64")),
        }
    }
}

/// The step size: a rational, or a rational multiple of γ* (C9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GammaSpec {
    /// γ itself.
    Value(BigRational),
    /// factor · γ*.
    Auto(BigRational),
}

impl FromStr for GammaSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("auto") {
            let factor = match rest.trim() {
                "" => BigRational::one(),
                r => match r.strip_prefix('*') {
                    Some(k) => parse_rational(k).map_err(|e| format!("--gamma auto*K: {e}"))?,
                    None => return Err(format!("bad --gamma {s:?}: expected auto or auto*K, e.g. auto*4 or auto*1/2")),
                },
            };
            if !factor.is_positive() {
                return Err(format!("--gamma {s}: the factor must be positive"));
            }
            return Ok(GammaSpec::Auto(factor));
        }
        let g = parse_rational(s).map_err(|e| format!("--gamma: {e}"))?;
        if !g.is_positive() {
            return Err(format!("--gamma {s}: the step size must be positive"));
        }
        Ok(GammaSpec::Value(g))
    }
}

/// γ* = [2 m max{1, ρ²} (1 + V(Θ_0))]⁻¹ (C9), exactly.
pub fn gamma_star(case: &Case) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let m = case.problem.measure.mass();
    let rho2 = case.problem.measure.rho2();
    let big = if rho2 > BigRational::one() { rho2 } else { BigRational::one() };
    let v0 = lyapunov(&case.theta, xi, &());
    let denom = BigRational::from_integer(2.into()) * m * big * (BigRational::one() + v0);
    (!denom.is_zero()).then(|| BigRational::one() / denom)
}

/// Options of a GD run.
#[derive(Clone, Debug)]
pub struct GdOptions {
    /// Number of steps (the run ends at n = steps).
    pub steps: u64,
    /// Step size.
    pub gamma: GammaSpec,
    /// State storage.
    pub state: StateMode,
    /// JSON-lines trajectory file.
    pub out: Option<PathBuf>,
    /// CSV trajectory file.
    pub csv: Option<PathBuf>,
    /// Continue the run recorded in this file (implies appending to it).
    pub resume: Option<PathBuf>,
    /// Write the state every this many steps (and at the end).
    pub checkpoint: u64,
    /// Progress callback (done, total).
    pub quiet: bool,
}

/// A C9 inequality's tally over the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Steps at which it was checked.
    pub checked: u64,
    /// Steps at which it failed (certified modes: exactly).
    pub failed: u64,
    /// First failing step.
    pub first_failure: Option<u64>,
    /// Smallest slack seen, exactly (as a rational).
    pub min_slack: Option<BigRational>,
}

impl Tally {
    pub(crate) fn to_json(&self) -> Value {
        serde_json::json!({
            "checked": self.checked, "failed": self.failed, "first_failure": self.first_failure,
            "min_slack": self.min_slack.as_ref().map(|q| q.to_string()),
        })
    }
    pub(crate) fn from_json(v: Option<&Value>) -> Tally {
        let Some(v) = v else { return Tally::default() };
        Tally {
            checked: v.get("checked").and_then(Value::as_u64).unwrap_or(0),
            failed: v.get("failed").and_then(Value::as_u64).unwrap_or(0),
            first_failure: v.get("first_failure").and_then(Value::as_u64),
            min_slack: v.get("min_slack").and_then(Value::as_str).and_then(|s| parse_rational(s).ok()),
        }
    }
}

/// The outcome of a GD run.
#[derive(Clone, Debug)]
pub struct GdSummary {
    /// Steps taken in total (n of the final state).
    pub steps: u64,
    /// γ used.
    pub gamma: BigRational,
    /// γ* of C9 for this initialisation.
    pub gamma_star: Option<BigRational>,
    /// State mode.
    pub state: StateMode,
    /// Guarantee of the inequality checks.
    pub guarantee: Guarantee,
    /// V(θ_0).
    pub v0: f64,
    /// L(θ_0) and L(θ_N), approximately, for the summary.
    pub risk_first: f64,
    /// L at the final state.
    pub risk_last: f64,
    /// min_k L(θ_k).
    pub risk_min: f64,
    /// (a) V(θ_{n+1}) ≤ V(θ_n) − 4γL(θ_n).
    pub a: Tally,
    /// V(θ_{n+1}) ≤ V(θ_n): plain nonincrease.
    pub nonincrease: Tally,
    /// (b) ‖θ_n‖² ≤ V(θ_0).
    pub b: Tally,
    /// (c) Σ_{k<n} L(θ_k) ≤ V(θ_0)/(4γ).
    pub c: Tally,
    /// (d) min_{k<n} L(θ_k) ≤ V(θ_0)/(4γn).
    pub d: Tally,
    /// Largest fraction of (a)'s unrounded margin used by rounding the state.
    pub rounding_used: f64,
    /// Final grid exponent of a dyadic run (the grid is refined when rounding
    /// would use more than half of C9(a)'s margin).
    pub grid_bits: Option<u32>,
    /// First step at which the grid was refined.
    pub grid_refined_at: Option<u64>,
    /// Per-step values (n, L, V, ‖θ‖²) as f64, for plots.
    pub series: Vec<(u64, f64, f64, f64)>,
    /// Where a resumed run started.
    pub resumed_from: Option<u64>,
}

/// The adaptive dyadic grid of certified runs (`gd` and `sgd`).
///
/// Rounds the exact step `unrounded` to the coarsest grid 2^-bits (bits never
/// decrease, and grow by [`GRID_STEP`]) whose rounding raises V by at most half
/// of the exact margin `target − V(unrounded)`, so the checked decrease holds
/// on the stored state whenever it holds for the exact step. With no margin
/// at all (a fixed point) the exact state is kept: it does not move. With a
/// negative margin (the exact step already fails, e.g. above the step bound)
/// nothing is certified and the current grid is used, which keeps sizes
/// bounded. `eval` computes what the caller needs of a state; `lyap` reads V
/// from it; `snap` rounds one number to a grid. `grid` is (bits, first step at
/// which the grid was refined, largest share of a margin used by rounding).
#[allow(clippy::too_many_arguments)]
pub(crate) fn round_on_adaptive_grid<S: Scalar, V>(
    unrounded: Theta<S>,
    target: &S,
    n: u64,
    grid: (&mut u32, &mut Option<u64>, &mut f64),
    ctx: &S::Ctx,
    eval: impl Fn(&Theta<S>) -> V,
    lyap: impl Fn(&V) -> &S,
    snap: impl Fn(&S, u32) -> S,
) -> (Theta<S>, V) {
    let (bits, refined_at, rounding_used) = grid;
    let exact = eval(&unrounded);
    let v_unrounded = lyap(&exact).clone();
    let room = target.sub(&v_unrounded);
    match room.sign() {
        Sign3::Positive => {
            let half = room.div(&S::from_i64(2, ctx));
            for _ in 0..64 {
                let candidate = unrounded.map(|x| snap(x, *bits));
                let value = eval(&candidate);
                let used = lyap(&value).sub(&v_unrounded);
                if used.sub(&half).sign() != Sign3::Positive {
                    *rounding_used = rounding_used.max(used.div(&room).to_f64_lossy());
                    return (candidate, value);
                }
                *bits += GRID_STEP;
                refined_at.get_or_insert(n);
            }
            // 64 refinements without success: keep the exact state.
            (unrounded, exact)
        }
        Sign3::Zero => (unrounded, exact),
        _ => {
            let candidate = unrounded.map(|x| snap(x, *bits));
            let value = eval(&candidate);
            (candidate, value)
        }
    }
}

/// Bits added to the dyadic grid each time rounding would use more than half
/// of C9(a)'s margin.
pub const GRID_STEP: u32 = 32;

/// Rounding of a stored state.
pub trait StateScalar: Ordered {
    /// The nearest multiple of 2^-bits (ties away from zero); floats return themselves.
    fn to_grid(&self, bits: u32) -> Self;
}

impl StateScalar for BigRational {
    fn to_grid(&self, bits: u32) -> Self {
        let scale = BigRational::from_integer(num_bigint::BigInt::one() << bits as usize);
        (self * &scale).round() / scale
    }
}

impl StateScalar for f64 {
    fn to_grid(&self, _: u32) -> Self {
        *self
    }
}

#[cfg(feature = "gmp")]
impl StateScalar for rug::Rational {
    fn to_grid(&self, bits: u32) -> Self {
        let scaled = rug::Rational::from(self << bits);
        scaled.round() >> bits
    }
}

#[cfg(feature = "gmp")]
impl StateScalar for rug::Float {
    fn to_grid(&self, _: u32) -> Self {
        self.clone()
    }
}

/// A [`Tally`] kept in the run's own arithmetic (converted only for output).
pub(crate) struct RunTally<S> {
    checked: u64,
    failed: u64,
    first_failure: Option<u64>,
    min_slack: Option<S>,
}

impl<S: Ordered> RunTally<S> {
    pub(crate) fn from_tally(t: &Tally, ctx: &S::Ctx) -> Self {
        RunTally {
            checked: t.checked,
            failed: t.failed,
            first_failure: t.first_failure,
            min_slack: t.min_slack.as_ref().map(|q| S::from_rational(q, ctx)),
        }
    }
    pub(crate) fn record(&mut self, n: u64, slack: S) {
        self.checked += 1;
        if slack.sign() == Sign3::Negative {
            self.failed += 1;
            self.first_failure.get_or_insert(n);
        }
        if self.min_slack.as_ref().is_none_or(|m| slack.total_cmp(m) == std::cmp::Ordering::Less) {
            self.min_slack = Some(slack);
        }
    }
    pub(crate) fn tally(&self) -> Tally {
        Tally {
            checked: self.checked,
            failed: self.failed,
            first_failure: self.first_failure,
            min_slack: self.min_slack.as_ref().and_then(Scalar::to_rational),
        }
    }
}

/// The exact `"p/q"` of a value, or its rendering where it has none.
pub(crate) fn exact_string<S: Scalar>(x: &S) -> String {
    x.to_rational().map(|q| q.to_string()).unwrap_or_else(|| x.render())
}

/// A checkpointed exact value.
pub(crate) fn parse_exact<S: Scalar>(v: Option<&Value>, ctx: &S::Ctx, what: &str) -> Result<S, String> {
    let s = v.and_then(Value::as_str).ok_or_else(|| format!("checkpoint lacks {what}"))?;
    Ok(S::from_rational(&parse_rational(s).map_err(|e| format!("checkpoint {what}: {e}"))?, ctx))
}

struct Accum<S> {
    v0: S,
    sum_risk: S,
    min_risk: Option<S>,
    a: RunTally<S>,
    nonincrease: RunTally<S>,
    b: RunTally<S>,
    c: RunTally<S>,
    d: RunTally<S>,
    rounding_used: f64,
}

fn run_generic<S: StateScalar>(case: &Case, opts: &GdOptions, ctx: &S::Ctx) -> Result<GdSummary, String> {
    let xi_q = case.problem.target.constant().ok_or("gradient descent needs a constant target")?.clone();
    let gstar = gamma_star(case);
    let gamma_q = match &opts.gamma {
        GammaSpec::Value(g) => g.clone(),
        GammaSpec::Auto(k) => k * gstar.clone().ok_or("gamma* is undefined (zero mass)")?,
    };
    let prep: Prepared<S> = case.problem.prepare(ctx);
    let xi = S::from_rational(&xi_q, ctx);
    let gamma = S::from_rational(&gamma_q, ctx);
    let four_gamma = S::from_i64(4, ctx).mul(&gamma);
    let base_bits = match opts.state {
        StateMode::Dyadic(bits) => bits,
        _ => 0,
    };
    // Start: fresh, or from the last checkpoint of a trajectory file.
    let mut resumed_grid: Option<u32> = None;
    let mut resumed_refined: Option<u64> = None;
    let (mut theta, start, mut acc, mut writer, resumed_from) = match &opts.resume {
        None => {
            // θ_0 is the case's exact θ (not rounded), so γ* and V(θ_0) refer to the same state.
            let theta: Theta<S> = case.theta.map(|q| S::from_rational(q, ctx));
            let v0 = lyapunov(&theta, &xi, ctx);
            let acc = Accum {
                v0,
                sum_risk: S::from_i64(0, ctx),
                min_risk: None,
                a: RunTally::from_tally(&Tally::default(), ctx),
                nonincrease: RunTally::from_tally(&Tally::default(), ctx),
                b: RunTally::from_tally(&Tally::default(), ctx),
                c: RunTally::from_tally(&Tally::default(), ctx),
                d: RunTally::from_tally(&Tally::default(), ctx),
                rounding_used: 0.0,
            };
            let w = TrajectoryWriter::create(opts.out.as_deref(), opts.csv.as_deref())?;
            (theta, 0u64, acc, w, None)
        }
        Some(file) => {
            let cp = truncate_before_last_checkpoint(file, opts.csv.as_deref())?;
            let get = |k: &str| cp.get(k);
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
            let flat: Vec<S> = get("theta")
                .and_then(Value::as_array)
                .ok_or("checkpoint lacks theta")?
                .iter()
                .map(|v| parse_exact::<S>(Some(v), ctx, "theta"))
                .collect::<Result<_, _>>()?;
            let theta = Theta::from_flat(case.theta.d, &flat)
                .filter(|t| t.width() == case.theta.width())
                .ok_or("checkpoint theta does not fit the case's d and H")?;
            let n = get("n").and_then(Value::as_u64).ok_or("checkpoint lacks n")?;
            resumed_grid = get("grid_bits").and_then(Value::as_u64).map(|b| b as u32);
            resumed_refined = get("grid_refined_at").and_then(Value::as_u64);
            let acc = Accum {
                v0: parse_exact(get("v0"), ctx, "v0")?,
                sum_risk: parse_exact(get("sum_risk"), ctx, "sum_risk")?,
                min_risk: match get("min_risk") {
                    Some(Value::Null) | None => None,
                    v => Some(parse_exact(v, ctx, "min_risk")?),
                },
                a: RunTally::from_tally(&Tally::from_json(get("tally_a")), ctx),
                nonincrease: RunTally::from_tally(&Tally::from_json(get("tally_nonincrease")), ctx),
                b: RunTally::from_tally(&Tally::from_json(get("tally_b")), ctx),
                c: RunTally::from_tally(&Tally::from_json(get("tally_c")), ctx),
                d: RunTally::from_tally(&Tally::from_json(get("tally_d")), ctx),
                rounding_used: get("rounding_used").and_then(Value::as_f64).unwrap_or(0.0),
            };
            let w = TrajectoryWriter::append(file, opts.csv.as_deref())?;
            (theta, n, acc, w, Some(n))
        }
    };
    let bound_c = acc.v0.div(&four_gamma);
    let mut grid_bits = resumed_grid.unwrap_or(base_bits);
    let mut refined_at: Option<u64> = resumed_refined;
    let mut series = Vec::new();
    if let Some(file) = &opts.resume {
        // Earlier steps, for the plot.
        for r in read_records(file)? {
            if let Some(rec) = Record::from_json(&r) {
                let f = |s: &str| parse_rational(s).map(|q| q.to_f64_lossy()).unwrap_or(f64::NAN);
                series.push((rec.n, f(&rec.risk), f(&rec.lyapunov), f(&rec.theta_norm2)));
            }
        }
    }
    let first_risk = series.first().map(|s| s.1);
    let exact_records = matches!(opts.state, StateMode::Exact | StateMode::Dyadic(_));
    let show = |x: &S| if exact_records { exact_string(x) } else { x.render() };
    let show_progress = !opts.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut ev = evaluate(&prep, &theta);
    let mut v = lyapunov(&theta, &xi, ctx);
    let mut n = start;
    loop {
        let norm2 = theta.norm2(ctx);
        // A checkpoint holds the state θ_n and the tallies of the checks before
        // step n: a resumed run restarts at n and redoes step n's checks.
        let checkpoint = n % opts.checkpoint.max(1) == 0 || n == opts.steps;
        let mut extra = Map::new();
        if checkpoint && writer.is_active() {
            extra.insert("theta".into(), Value::from(theta.flatten().iter().map(exact_string).collect::<Vec<_>>()));
            extra.insert("state".into(), Value::from(opts.state.to_string()));
            extra.insert("gamma".into(), Value::from(gamma_q.to_string()));
            extra.insert("v0".into(), Value::from(exact_string(&acc.v0)));
            extra.insert("sum_risk".into(), Value::from(exact_string(&acc.sum_risk)));
            let min = acc.min_risk.as_ref().map_or(Value::Null, |m| Value::from(exact_string(m)));
            extra.insert("min_risk".into(), min);
            extra.insert("tally_a".into(), acc.a.tally().to_json());
            extra.insert("tally_nonincrease".into(), acc.nonincrease.tally().to_json());
            extra.insert("tally_b".into(), acc.b.tally().to_json());
            extra.insert("tally_c".into(), acc.c.tally().to_json());
            extra.insert("tally_d".into(), acc.d.tally().to_json());
            extra.insert("rounding_used".into(), Value::from(acc.rounding_used));
            if base_bits > 0 {
                extra.insert("grid_bits".into(), Value::from(grid_bits));
                extra.insert("grid_refined_at".into(), refined_at.map_or(Value::Null, Value::from));
            }
        }
        // (b) and, for n ≥ 1, (c), (d) on the sums over k < n.
        acc.b.record(n, acc.v0.sub(&norm2));
        if n >= 1 {
            acc.c.record(n, bound_c.sub(&acc.sum_risk));
            if let Some(m) = &acc.min_risk {
                let bound_d = bound_c.div(&S::from_i64(n as i64, ctx));
                acc.d.record(n, bound_d.sub(m));
            }
        }
        let mut margin = "-".to_string();
        let next = if n < opts.steps {
            let unrounded = theta.step(&gamma, &ev.gradient);
            let target = v.sub(&four_gamma.mul(&ev.risk));
            let (stepped, v_next) = match opts.state {
                StateMode::Dyadic(_) => round_on_adaptive_grid(
                    unrounded,
                    &target,
                    n,
                    (&mut grid_bits, &mut refined_at, &mut acc.rounding_used),
                    ctx,
                    |t| lyapunov(t, &xi, ctx),
                    |v| v,
                    |x, bits| x.to_grid(bits),
                ),
                _ => {
                    let v_next = lyapunov(&unrounded, &xi, ctx);
                    (unrounded, v_next)
                }
            };
            let slack = target.sub(&v_next);
            if writer.is_active() {
                margin = show(&slack);
            }
            acc.a.record(n, slack);
            acc.nonincrease.record(n, v.sub(&v_next));
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
                grad_norm2: show(&ev.gradient.norm2(ctx)),
                margin,
                extra,
            };
            writer.write(&rec)?;
        }
        series.push((n, ev.risk.to_f64_lossy(), v.to_f64_lossy(), norm2.to_f64_lossy()));
        acc.sum_risk.add_assign(&ev.risk);
        acc.min_risk = Some(match acc.min_risk.take() {
            Some(m) if m.total_cmp(&ev.risk) != std::cmp::Ordering::Greater => m,
            _ => ev.risk.clone(),
        });
        if show_progress && (n % 64 == 0 || n == opts.steps) {
            eprint!("\rgd: step {n}/{}  L = {:.4e}", opts.steps, ev.risk.to_f64_lossy());
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
    if show_progress {
        eprintln!();
    }
    let risks: Vec<f64> = series.iter().map(|s| s.1).collect();
    Ok(GdSummary {
        steps: n,
        gamma: gamma_q,
        gamma_star: gstar,
        state: opts.state,
        guarantee: opts.state.guarantee(),
        v0: acc.v0.to_f64_lossy(),
        risk_first: first_risk.unwrap_or_else(|| risks.first().copied().unwrap_or(f64::NAN)),
        risk_last: ev.risk.to_f64_lossy(),
        risk_min: risks.iter().copied().fold(f64::INFINITY, f64::min),
        a: acc.a.tally(),
        nonincrease: acc.nonincrease.tally(),
        b: acc.b.tally(),
        c: acc.c.tally(),
        d: acc.d.tally(),
        rounding_used: acc.rounding_used,
        grid_bits: (base_bits > 0).then_some(grid_bits),
        grid_refined_at: refined_at,
        series,
        resumed_from,
    })
}

/// Runs gradient descent on a case. Exact and dyadic states use GMP
/// rationals when built with `gmp`, else `BigRational`.
pub fn run_gd(case: &Case, opts: &GdOptions) -> Result<GdSummary, String> {
    dispatch_state!(run_generic, case, opts, "gd")
}

/// Exact if short, else a decimal approximation.
pub(crate) fn approx(q: &BigRational) -> String {
    let s = q.to_string();
    if s.len() <= 24 {
        s
    } else {
        format!("{:.6e}", q.to_f64_lossy())
    }
}

/// One line of a run summary for a checked inequality.
pub(crate) fn tally_line(name: &str, t: &Tally, certified: bool) -> String {
    let how = if certified { "exactly" } else { "in floating point (approximate)" };
    let min = t.min_slack.as_ref().map(approx).unwrap_or_else(|| "-".into());
    if t.failed == 0 {
        format!("  {name}: holds at all {} steps, checked {how}; min slack {min}\n", t.checked)
    } else {
        format!(
            "  {name}: FAILS at {} of {} steps (first at n = {}), checked {how}; min slack {min}\n",
            t.failed,
            t.checked,
            t.first_failure.unwrap_or(0)
        )
    }
}

impl GdSummary {
    /// Whether every checked inequality held (C9 (a)–(d)).
    pub fn all_hold(&self) -> bool {
        [&self.a, &self.b, &self.c, &self.d].iter().all(|t| t.failed == 0)
    }
    /// The human-readable report.
    pub fn to_text(&self, file: &str) -> String {
        let certified = self.guarantee == Guarantee::Exact;
        let mut s = format!("reluproof gd {file}\n");
        let gs = self.gamma_star.as_ref().map(approx).unwrap_or_else(|| "undefined".into());
        let ratio = self.gamma_star.as_ref().map(|g| (&self.gamma / g).to_f64_lossy()).unwrap_or(f64::NAN);
        s += &format!("  steps {}, gamma = {} = {ratio:.4} gamma*, gamma* = {gs}\n", self.steps, approx(&self.gamma));
        s += &match self.state {
            StateMode::Dyadic(b) => format!("  state dyadic:{b}: each step exact from the stored state, the state rounded to multiples of 2^-{b}; guarantee: exact (inequalities decided in rational arithmetic on the stored iterates)\n"),
            StateMode::Exact => "  state exact: no rounding; rational sizes grow geometrically with the steps; guarantee: exact\n".into(),
            StateMode::Mpfr(b) => format!("  state mpfr:{b}: guarantee approximate ({b}-bit floating point, no error bound)\n"),
            StateMode::F64 => "  state f64: guarantee approximate (53-bit floating point, no error bound)\n".into(),
        };
        if let Some(n) = self.resumed_from {
            s += &format!("  resumed from the checkpoint at n = {n}\n");
        }
        let orders = (self.risk_first / self.risk_last).log10();
        s += &format!(
            "  L(theta_0) = {:.6e}, L(theta_{}) = {:.6e} ({:.1} orders of magnitude), V(theta_0) = {:.6e}\n",
            self.risk_first, self.steps, self.risk_last, orders, self.v0
        );
        s += &tally_line("V nonincreasing, V(n+1) <= V(n)", &self.nonincrease, certified);
        s += &tally_line("C9(a) V(n+1) <= V(n) - 4 gamma L(n)", &self.a, certified);
        s += &tally_line("C9(b) |theta_n|^2 <= V(theta_0)", &self.b, certified);
        s += &tally_line("C9(c) sum_{k<n} L_k <= V(theta_0)/(4 gamma)", &self.c, certified);
        s += &tally_line("C9(d) min_{k<n} L_k <= V(theta_0)/(4 gamma n)", &self.d, certified);
        s += &format!(
            "  C9(e) L -> 0: observed, not proven by a finite run (L fell from {:.3e} to {:.3e})\n",
            self.risk_first, self.risk_last
        );
        if let StateMode::Dyadic(b) = self.state {
            s += &format!(
                "  rounding the state used at most {:.3e} of the margin of C9(a) at any step (never more than 1/2 by construction)\n",
                self.rounding_used
            );
            match (self.grid_bits, self.grid_refined_at) {
                (Some(g), Some(at)) if g > b => s += &format!(
                    "  the grid was refined from 2^-{b} to 2^-{g} (first at step {at}) so that rounding never used more than half of that margin\n"
                ),
                _ => s += &format!("  the grid stayed at 2^-{b}\n"),
            }
        }
        s
    }
    /// The JSON summary.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "steps": self.steps,
            "gamma": self.gamma.to_string(),
            "gamma_star": self.gamma_star.as_ref().map(|g| g.to_string()),
            "state": self.state.to_string(),
            "guarantee": self.guarantee.word(),
            "risk_first": self.risk_first,
            "risk_last": self.risk_last,
            "nonincrease": self.nonincrease.to_json(),
            "c9a": self.a.to_json(),
            "c9b": self.b.to_json(),
            "c9c": self.c.to_json(),
            "c9d": self.d.to_json(),
            "rounding_used": self.rounding_used,
            "grid_bits": self.grid_bits,
            "grid_refined_at": self.grid_refined_at,
            "resumed_from": self.resumed_from,
        })
    }
}
