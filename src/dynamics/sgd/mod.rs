//! Stochastic gradient descent (D6) with certified iterates:
//! Θ_{n+1} = Θ_n − γ_n · (1/B) Σ_{i ∈ batch} 𝔊(Θ_n, X_i), the X_i i.i.d. with
//! law μ/m (μ normalised to a probability measure).
//!
//! **Sampling** is seeded and exact ([`crate::dynamics::sampling`]): the B
//! points of step n come from the generator `step_rng(seed, n)` alone, so a
//! run is replayable step by step and a resumed run needs no generator state.
//!
//! **The batch gradient** is G for the empirical measure (1/B) Σ δ_{X_i}: the
//! generic [`evaluate`] computes it, and its risk is the batch risk
//! ê_n = (1/B) Σ e_{Θ_n}(X_i)².
//!
//! **Step schedules** γ_n = c/(n+1)^α with c a rational, or c = K·γ_SGD*
//! (`auto*K`), γ_SGD* = [2 max{1, ρ²}(1 + V(Θ_0))]⁻¹ (C11), and a rational
//! α = p/q ≥ 0. Where (n+1)^α is rational (q | the exponents of n+1, e.g.
//! α an integer) γ_n is exact; elsewhere γ_n is rounded DOWN to a dyadic with
//! 64 significant bits by an exact integer q-th root, so γ_n ≤ c/(n+1)^α
//! holds exactly. Hence sup_n γ_n = γ_0 = c.
//!
//! **Certification.** As in [`crate::dynamics::gd`]: in `dyadic:BITS` mode
//! each step is computed exactly from the stored state and the new state is
//! rounded to the coarsest grid 2^-bits (bits ≥ BITS, refined by
//! [`GRID_STEP`]) whose rounding uses at most half the margin of C11's
//! inequality. C11's decrease V(Θ_{n+1}) ≤ V(Θ_n) − 4γ_n ê_n is decided
//! exactly on the exact step from the stored Θ_n, before it is rounded
//! (rounding only continues the run), and ‖Θ_n‖² ≤ V(Θ_0) on the stored
//! iterates, at every step. The initial state is the case's θ, exactly (not
//! rounded), so V(Θ_0) and γ_SGD* are those of the case. `exact` never
//! rounds; `mpfr:BITS` and `f64` are approximate.

use crate::dynamics::gd::{
    exact_string, mag, parse_exact, resumed_position, round_on_adaptive_grid, GammaSpec, RunTally, StateMode,
    StateScalar, Tally,
};
use crate::dynamics::outcome::DivergenceStop;
pub use crate::dynamics::outcome::DIVERGED_BITS;
use crate::dynamics::sampling::check_decay;
pub use crate::dynamics::sampling::{
    batch_problem, gamma_sgd_star, parse_decay, step_rng, step_size, Sampler, MAX_BATCH, MAX_DECAY_DENOMINATOR,
    SCHEDULE_BITS, UNIFORM_BITS,
};
pub use crate::dynamics::sgd_report::sgd_plot;
use crate::dynamics::trajectory::{
    last_checkpoint, read_records, truncate_before_last_checkpoint, Record, TrajectoryWriter,
};
use crate::dynamics::{gd, guard, sgd_expected};
use crate::lyapunov::lyapunov;
use crate::model::case::Case;
use crate::model::{Prepared, Theta};
use crate::num::parse::parse_rational;
use crate::num::{BigRational, Guarantee, Scalar};
use crate::objective::evaluate;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Options of an SGD run.
#[derive(Clone, Debug)]
pub struct SgdOptions {
    /// Number of steps (the run ends at n = steps).
    pub steps: u64,
    /// c of γ_n = c/(n+1)^α: a rational, or `auto*K` = K·γ_SGD* (C11).
    pub gamma: GammaSpec,
    /// α ≥ 0 (0: constant steps).
    pub decay: BigRational,
    /// Mini-batch size B ≥ 1.
    pub batch: usize,
    /// Seed of the sample path.
    pub seed: u64,
    /// State storage.
    pub state: StateMode,
    /// Evaluate the full risk L(Θ_n) every this many steps (and at the end); 0: never.
    pub eval_every: u64,
    /// JSON-lines trajectory file.
    pub out: Option<PathBuf>,
    /// CSV trajectory file.
    pub csv: Option<PathBuf>,
    /// Continue the run recorded in this file (implies appending to it).
    pub resume: Option<PathBuf>,
    /// Write the state every this many steps (and at the end).
    pub checkpoint: u64,
    /// No progress output on stderr.
    pub quiet: bool,
    /// A deliberately false claim to judge the run against (negative
    /// controls only; the CLI never sets it).
    #[doc(hidden)]
    pub false_claim: SgdFalseClaim,
}

/// A claim stronger than C11, for negative controls: the run itself
/// (sampling, steps, rounding, certification) is the real one; only the
/// inequality the decrease tally judges is changed, so a refuted control
/// shows that the real run's tally can fail.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SgdFalseClaim {
    /// C11 as stated.
    #[default]
    None,
    /// V(θ_{n+1}) ≤ V(θ_n) − 8γ_n ê_n: false whenever the batch gradient is
    /// nonzero (C4 for the batch measure).
    EightGammaDescent,
}

impl Default for SgdOptions {
    fn default() -> Self {
        SgdOptions {
            steps: 1000,
            gamma: GammaSpec::Auto(BigRational::one()),
            decay: BigRational::zero(),
            batch: 1,
            seed: 0,
            state: StateMode::Dyadic(128),
            eval_every: 10,
            out: None,
            csv: None,
            resume: None,
            checkpoint: 100,
            quiet: false,
            false_claim: SgdFalseClaim::None,
        }
    }
}

/// The outcome of an SGD run.
#[derive(Clone, Debug)]
pub struct SgdSummary {
    /// Steps taken in total (n of the final state).
    pub steps: u64,
    /// c of the schedule.
    pub gamma_c: BigRational,
    /// α of the schedule.
    pub decay: BigRational,
    /// Mini-batch size.
    pub batch: usize,
    /// Seed of the sample path.
    pub seed: u64,
    /// γ_SGD* of C11 for this initialisation.
    pub gamma_sgd_star: Option<BigRational>,
    /// Measure name (`lebesgue`, `uniform`, `empirical`).
    pub measure: &'static str,
    /// Its mass m (the samples have law μ/m, so E[ê_n | Θ_n] = L(Θ_n)/m).
    pub mass: BigRational,
    /// State mode.
    pub state: StateMode,
    /// Guarantee of the inequality checks.
    pub guarantee: Guarantee,
    /// Float states: the factor of the rounding-error estimate against which
    /// violations are judged ([`gd::rounding_rule`]).
    pub rounding: Option<f64>,
    /// V(θ_0).
    pub v0: f64,
    /// Full risk evaluations (n, L(θ_n), running mean of the evaluated L),
    /// decimated for the plot to O(1) memory however long the run.
    pub risk_evals: Vec<(u64, f64, f64)>,
    /// The first full risk evaluation (n, L(θ_n)).
    pub risk_first: Option<(u64, f64)>,
    /// The last full risk evaluation (n, L(θ_n), running mean).
    pub risk_last: Option<(u64, f64, f64)>,
    /// How many times L was evaluated.
    pub risk_evaluations: u64,
    /// The first and the last evaluated L and the running mean, exactly
    /// where the state is exact: the text is rendered from these, never as
    /// `inf` (a diverging run leaves the f64 range).
    pub risk_exact: RiskExact,
    /// The step at which the run stopped because ‖θ_n‖² had outgrown
    /// V(θ_0) by 2^[`DIVERGED_BITS`] (exact and dyadic states), as gd's.
    pub diverged_at: Option<u64>,
    /// Σ_n γ_n over the steps taken (approximate).
    pub sum_gamma: f64,
    /// V(θ_{n+1}) ≤ V(θ_n) − 4γ_n ê_n (C11, pathwise).
    pub decrease: Tally,
    /// V(θ_{n+1}) ≤ V(θ_n).
    pub nonincrease: Tally,
    /// ‖θ_n‖² ≤ V(θ_0) (C11).
    pub norm: Tally,
    /// Σ_{k<n} 4γ_k ê_k ≤ V(θ_0) (summed form).
    pub summed: Tally,
    /// Largest fraction of the decrease margin used by rounding the state.
    pub rounding_used: f64,
    /// Final grid exponent of a dyadic run.
    pub grid_bits: Option<u32>,
    /// First step at which the grid was refined.
    pub grid_refined_at: Option<u64>,
    /// Per-step values (n, L or NaN where not evaluated, ê_n or NaN at the end,
    /// V) as f64, for plots, decimated to O(1) memory (as gd's).
    pub series: Vec<(u64, f64, f64, f64)>,
    /// Where a resumed run started.
    pub resumed_from: Option<u64>,
    /// C15 at the evaluated steps.
    pub expected: sgd_expected::ExpectedSummary,
    /// --eval-every of the run.
    pub eval_every: u64,
}

/// Rounding to the grid 2^-bits, as [`StateScalar::to_grid`] (nearest, ties
/// away from zero), with a faster exact path for `BigRational`.
pub trait GridRound: StateScalar {
    /// The nearest multiple of 2^-bits (ties away from zero); floats return themselves.
    fn grid(&self, bits: u32) -> Self {
        self.to_grid(bits)
    }
}

impl GridRound for BigRational {
    fn grid(&self, bits: u32) -> Self {
        use num_integer::Integer;
        let d = self.denom();
        // Already on the grid: the denominator is 2^t with t ≤ bits.
        if d.bits() <= bits as u64 + 1 && d.trailing_zeros() == Some(d.bits() - 1) {
            return self.clone();
        }
        let (q, r) = (self.numer().abs() << bits as usize).div_rem(d);
        let k = if (r << 1usize) >= *d { q + 1 } else { q };
        let Some(tz) = k.trailing_zeros() else { return BigRational::zero() };
        let tz = tz.min(bits as u64);
        let k = if self.is_negative() { -(k >> tz as usize) } else { k >> tz as usize };
        BigRational::new_raw(k, BigInt::one() << (bits as u64 - tz) as usize)
    }
}

impl GridRound for f64 {}

#[cfg(feature = "gmp")]
impl GridRound for rug::Rational {}

#[cfg(feature = "gmp")]
impl GridRound for rug::Float {}

/// ‖θ‖² and V(θ) = ‖θ‖² + (c − 2ξ)², sharing the sum.
fn norm_and_lyapunov<S: GridRound>(theta: &Theta<S>, two_xi: &S, ctx: &S::Ctx) -> (S, S) {
    let norm2 = S::sum_squares(&gd::coords(theta).collect::<Vec<_>>(), ctx);
    let v = norm2.add(&theta.c.sub(two_xi).sqr());
    (norm2, v)
}

struct Accum<S> {
    v0: S,
    /// Σ_{k<n} γ_k ê_k.
    sum_ge: S,
    /// Σ of the evaluated L(θ_k), and how many.
    sum_l: S,
    count_l: u64,
    sum_gamma: f64,
    decrease: RunTally<S>,
    nonincrease: RunTally<S>,
    norm: RunTally<S>,
    summed: RunTally<S>,
    rounding_used: f64,
}

/// The first evaluated L, the last one and the running mean there, exactly
/// (each `None` where the state, or the record it was read from, is not exact).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RiskExact {
    /// L at the first evaluation.
    pub first: Option<BigRational>,
    /// L at the last evaluation.
    pub last: Option<BigRational>,
    /// The running mean at the last evaluation.
    pub mean: Option<BigRational>,
}

/// The full risk evaluations of a run in O(1) memory: the first, the last,
/// how many, and a decimated series for the plot.
struct RiskLog {
    first: Option<(u64, f64)>,
    last: Option<(u64, f64, f64)>,
    count: u64,
    kept: guard::Decimated<(u64, f64, f64)>,
    exact: RiskExact,
}

impl RiskLog {
    fn new() -> Self {
        RiskLog {
            first: None,
            last: None,
            count: 0,
            kept: guard::Decimated::new(guard::SERIES_CAP),
            exact: RiskExact::default(),
        }
    }
    /// One evaluation (n, L(θ_n), running mean), with L and the mean exactly if known.
    fn see(&mut self, e: (u64, f64, f64), risk: Option<BigRational>, mean: Option<BigRational>) {
        if self.first.is_none() {
            self.first = Some((e.0, e.1));
            self.exact.first = risk.clone();
        }
        self.last = Some(e);
        self.exact.last = risk;
        self.exact.mean = mean;
        self.count += 1;
        self.kept.push(e);
    }
}

fn sample_json(xs: &[Vec<BigRational>]) -> Value {
    Value::from(
        xs.iter()
            .map(|x| {
                if x.len() == 1 {
                    Value::from(x[0].to_string())
                } else {
                    Value::from(x.iter().map(|q| q.to_string()).collect::<Vec<_>>())
                }
            })
            .collect::<Vec<_>>(),
    )
}

fn run_generic<S: GridRound>(case: &Case, opts: &SgdOptions, ctx: &S::Ctx) -> Result<SgdSummary, String> {
    let xi_q = case.problem.target.constant().ok_or("SGD needs a constant target")?.clone();
    if opts.batch == 0 {
        return Err("--batch must be at least 1".into());
    }
    if opts.batch > MAX_BATCH {
        return Err(format!(
            "--batch {}: at most {MAX_BATCH} samples per step (each is an exact rational point held in memory)",
            opts.batch
        ));
    }
    check_decay(&opts.decay)?;
    let sampler = Sampler::new(&case.problem.measure)?;
    let gstar = gamma_sgd_star(case);
    let c_q = match &opts.gamma {
        GammaSpec::Value(g) => g.clone(),
        GammaSpec::Auto(k) => k * gstar.clone().ok_or("gamma_SGD* is undefined")?,
        GammaSpec::AutoSharp(_) => {
            return Err("--gamma auto-sharp is gd's step (C14); sgd takes a value, auto or auto*K (gamma_SGD*)".into())
        }
    };
    if !c_q.is_positive() {
        return Err("the step size must be positive".into());
    }
    if opts.false_claim != SgdFalseClaim::None && (opts.out.is_some() || opts.csv.is_some() || opts.resume.is_some()) {
        return Err("a negative control's run writes no files".into());
    }
    let prep: Prepared<S> = case.problem.prepare(ctx);
    let xi = S::from_rational(&xi_q, ctx);
    let four = S::from_i64(4, ctx);
    let base_bits = match opts.state {
        StateMode::Dyadic(bits) => bits,
        _ => 0,
    };
    let eval_at = |n: u64| opts.eval_every > 0 && (n % opts.eval_every == 0 || n == opts.steps);
    // Float states judge violations against a rounding-error estimate.
    let rounding = gd::rounding_rule(opts.state, case.theta.flatten().len());
    let tally = |t: &Tally| RunTally::from_tally(t, ctx).rounding(rounding);
    // What the trajectory is of: a resumed run must be of the same.
    let fingerprint = guard::case_fingerprint(case);
    let settings = format!(
        "sgd --state {} --gamma {c_q} --decay {} --batch {} --seed {} --eval-every {}",
        opts.state, opts.decay, opts.batch, opts.seed, opts.eval_every
    );
    let mut resumed_grid: Option<u32> = None;
    let mut resumed_cp: Option<Value> = None;
    let mut resumed_refined: Option<u64> = None;
    let (mut theta, start, mut acc, mut writer, resumed_from) = match &opts.resume {
        None => {
            // θ_0 exactly as in the case (converted once for float states).
            let theta: Theta<S> = case.theta.map(|q| S::from_rational(q, ctx));
            let acc = Accum {
                v0: lyapunov(&theta, &xi, ctx),
                sum_ge: S::from_i64(0, ctx),
                sum_l: S::from_i64(0, ctx),
                count_l: 0,
                sum_gamma: 0.0,
                decrease: tally(&Tally::default()),
                nonincrease: tally(&Tally::default()),
                norm: tally(&Tally::default()),
                summed: tally(&Tally::default()),
                rounding_used: 0.0,
            };
            let w = TrajectoryWriter::create(opts.out.as_deref(), opts.csv.as_deref())?;
            (theta, 0u64, acc, w, None)
        }
        Some(file) => {
            // Read and checked before the file is cut: a refused resume leaves it as it was.
            let cp = last_checkpoint(file)?;
            let get = |k: &str| cp.get(k);
            let same = |key: &str, want: &str, flag: &str| -> Result<(), String> {
                let got = get(key).and_then(Value::as_str).unwrap_or("?");
                if got == want {
                    Ok(())
                } else {
                    Err(format!(
                        "{}: recorded with {flag} {got}, resumed with {flag} {want}; resume with the same {flag}",
                        file.display()
                    ))
                }
            };
            guard::check_origin(file, &cp, case, "sgd")?;
            same("state", &opts.state.to_string(), "--state")?;
            same("gamma_c", &c_q.to_string(), "--gamma")?;
            same("decay", &opts.decay.to_string(), "--decay")?;
            same("batch", &opts.batch.to_string(), "--batch")?;
            same("seed", &opts.seed.to_string(), "--seed")?;
            guard::check_fingerprint(file, &cp, case, &settings)?;
            let pos = resumed_position::<S>(file, &cp, case, opts.steps, ctx)?;
            let (theta, n) = (pos.theta, pos.n);
            resumed_grid = pos.grid_bits;
            resumed_refined = pos.grid_refined_at;
            let acc = Accum {
                v0: parse_exact(get("v0"), ctx, "v0")?,
                sum_ge: parse_exact(get("sum_gamma_batch_risk"), ctx, "sum_gamma_batch_risk")?,
                sum_l: parse_exact(get("sum_risk"), ctx, "sum_risk")?,
                count_l: get("risk_evaluations").and_then(Value::as_u64).ok_or("checkpoint lacks risk_evaluations")?,
                sum_gamma: get("sum_gamma").and_then(Value::as_f64).unwrap_or(0.0),
                decrease: tally(&Tally::from_json(get("tally_decrease"))),
                nonincrease: tally(&Tally::from_json(get("tally_nonincrease"))),
                norm: tally(&Tally::from_json(get("tally_norm"))),
                summed: tally(&Tally::from_json(get("tally_summed"))),
                rounding_used: get("rounding_used").and_then(Value::as_f64).unwrap_or(0.0),
            };
            truncate_before_last_checkpoint(file, opts.csv.as_deref())?;
            resumed_cp = Some(cp.clone());
            let w = TrajectoryWriter::append(file, opts.csv.as_deref())?;
            (theta, n, acc, w, Some(n))
        }
    };
    let mut grid_bits = resumed_grid.unwrap_or(base_bits);
    let mut refined_at: Option<u64> = resumed_refined;
    let mut expected =
        sgd_expected::ExpectedTracker::new(case, resumed_cp.as_ref(), opts.state.guarantee() == Guarantee::Exact);
    // Per-step values for the plot, decimated to O(1) memory however long the run.
    let mut series = guard::Decimated::new(guard::SERIES_CAP);
    let mut risks = RiskLog::new();
    let num = |s: &str| parse_rational(s).map(|q| q.to_f64_lossy()).unwrap_or(f64::NAN);
    if let Some(file) = &opts.resume {
        // Earlier steps, for the plot and the summary.
        for r in read_records(file)? {
            if let Some(rec) = Record::from_json(&r) {
                let batch_risk = rec.extra.get("batch_risk").and_then(Value::as_str).map_or(f64::NAN, num);
                let risk = num(&rec.risk);
                series.push((rec.n, risk, batch_risk, num(&rec.lyapunov)));
                // An evaluated L: a record without one holds "-". Huge exact
                // values are inf as floats, so the exact text decides.
                let mean_text = rec.extra.get("risk_mean").and_then(Value::as_str);
                let mean = mean_text.map_or(f64::NAN, num);
                if let Ok(exact) = parse_rational(&rec.risk) {
                    risks.see((rec.n, risk, mean), Some(exact), mean_text.and_then(|m| parse_rational(m).ok()));
                } else if risk.is_finite() {
                    risks.see((rec.n, risk, mean), None, None);
                }
            }
        }
    }
    let exact_records = matches!(opts.state, StateMode::Exact | StateMode::Dyadic(_));
    // Without a trajectory file no record is kept: skip formatting numbers.
    let recording = writer.is_active();
    let show = |x: &S| {
        if !recording {
            String::new()
        } else if exact_records {
            exact_string(x)
        } else {
            x.render()
        }
    };
    let bar = crate::progress::Bar::new("sgd", opts.quiet);
    let two_xi = xi.add(&xi);
    let (mut norm2, mut v) = norm_and_lyapunov(&theta, &two_xi, ctx);
    let mut n = start;
    // A diverging run (c far above gamma_SGD*) stops after that step's
    // checks, as gd's: see [`DivergenceStop`].
    let divergence = DivergenceStop::new(&acc.v0, exact_records);
    let mut diverged_at: Option<u64> = None;
    loop {
        // A run that stops here evaluates L here too, so that its last value is reported.
        let stopping = n < opts.steps && divergence.exceeded(&norm2);
        let full = (eval_at(n) || (stopping && opts.eval_every > 0)).then(|| evaluate(&prep, &theta).risk);
        // A checkpoint holds θ_n and the accumulators before step n.
        // --checkpoint 0: the last record only.
        let checkpoint = recording && ((opts.checkpoint > 0 && n % opts.checkpoint == 0) || n == opts.steps);
        let mut extra = Map::new();
        if checkpoint {
            extra.insert("theta".into(), Value::from(theta.flatten().iter().map(exact_string).collect::<Vec<_>>()));
            extra.insert("case_fingerprint".into(), Value::from(fingerprint.clone()));
            extra.insert("settings".into(), Value::from(settings.clone()));
            extra.insert("state".into(), Value::from(opts.state.to_string()));
            extra.insert("gamma_c".into(), Value::from(c_q.to_string()));
            extra.insert("decay".into(), Value::from(opts.decay.to_string()));
            extra.insert("batch".into(), Value::from(opts.batch.to_string()));
            extra.insert("seed".into(), Value::from(opts.seed.to_string()));
            extra.insert("v0".into(), Value::from(exact_string(&acc.v0)));
            extra.insert("sum_gamma_batch_risk".into(), Value::from(exact_string(&acc.sum_ge)));
            extra.insert("sum_risk".into(), Value::from(exact_string(&acc.sum_l)));
            extra.insert("risk_evaluations".into(), Value::from(acc.count_l));
            extra.insert("sum_gamma".into(), Value::from(acc.sum_gamma));
            extra.insert("tally_decrease".into(), Tally::to_json(&acc.decrease.tally()));
            extra.insert("tally_nonincrease".into(), Tally::to_json(&acc.nonincrease.tally()));
            extra.insert("tally_norm".into(), Tally::to_json(&acc.norm.tally()));
            extra.insert("tally_summed".into(), Tally::to_json(&acc.summed.tally()));
            extra.insert("rounding_used".into(), Value::from(acc.rounding_used));
            expected.save(&mut extra);
            if base_bits > 0 {
                extra.insert("grid_bits".into(), Value::from(grid_bits));
                extra.insert("grid_refined_at".into(), refined_at.map_or(Value::Null, Value::from));
            }
        }
        // Sums and bounds over the run accumulate a float state's rounding: n + 1 times.
        let runs = (n + 1) as f64;
        acc.norm.record_near(n, acc.v0.sub(&norm2), || runs * (mag(&acc.v0) + mag(&norm2)));
        if n >= 1 {
            let summed = four.mul(&acc.sum_ge);
            acc.summed.record_near(n, acc.v0.sub(&summed), || runs * (mag(&acc.v0) + mag(&summed)));
        }
        let mut margin = "-".to_string();
        let mut grad_norm2 = "-".to_string();
        let mut batch_risk_f = f64::NAN;
        let next = if n < opts.steps {
            let (gamma_q, _) = step_size(&c_q, &opts.decay, n);
            if full.is_some() {
                // C15 where L is evaluated: the exact expectation of this step.
                expected.at(n, &theta, &gamma_q, opts.batch);
            }
            let xs = sampler.batch(opts.seed, n, opts.batch);
            let bprep: Prepared<S> = batch_problem(&case.problem, &xs).prepare(ctx);
            let ev = evaluate(&bprep, &theta);
            let gamma = S::from_rational(&gamma_q, ctx);
            let four_gamma_e = four.mul(&gamma).mul(&ev.risk);
            let target = v.sub(&four_gamma_e);
            // v_exact: V of the exact step θ_n − γ_n 𝔊, on which the
            // inequalities are decided before the state is rounded.
            let (stepped, (norm2_next, v_next), v_exact) = match opts.state {
                StateMode::Dyadic(_) => round_on_adaptive_grid(
                    &theta,
                    &gamma,
                    &ev.gradient,
                    &two_xi,
                    &target,
                    n,
                    (&mut grid_bits, &mut refined_at, &mut acc.rounding_used),
                    ctx,
                    |t| norm_and_lyapunov(t, &two_xi, ctx),
                    |nv| &nv.1,
                ),
                _ => {
                    let unrounded = theta.step(&gamma, &ev.gradient);
                    let nv = norm_and_lyapunov(&unrounded, &two_xi, ctx);
                    let v_exact = nv.1.clone();
                    (unrounded, nv, v_exact)
                }
            };
            // The decrease is judged against C11's rate unless a negative
            // control asks for a false one (the rounding above stays certified
            // against the true rate, so the run is the real one).
            let slack = match opts.false_claim {
                SgdFalseClaim::None => target.sub(&v_exact),
                SgdFalseClaim::EightGammaDescent => v.sub(&four_gamma_e.add(&four_gamma_e)).sub(&v_exact),
            };
            if recording {
                margin = show(&slack);
                grad_norm2 = show(&ev.gradient.norm2(ctx));
                extra.insert("gamma".into(), Value::from(gamma_q.to_string()));
                extra.insert("batch_risk".into(), Value::from(show(&ev.risk)));
                extra.insert("samples".into(), sample_json(&xs));
            }
            acc.decrease.record_near(n, slack, || mag(&v) + mag(&four_gamma_e) + mag(&v_exact));
            acc.nonincrease.record_near(n, v.sub(&v_exact), || mag(&v) + mag(&v_exact));
            batch_risk_f = ev.risk.to_f64_lossy();
            // Σγ_n counts the steps taken: a run that stops here takes none.
            if !stopping {
                acc.sum_gamma += gamma_q.to_f64_lossy();
            }
            acc.sum_ge.add_assign(&gamma.mul(&ev.risk));
            Some((stepped, norm2_next, v_next))
        } else {
            None
        };
        if let Some(l) = &full {
            acc.sum_l.add_assign(l);
            acc.count_l += 1;
            let mean = acc.sum_l.div(&S::from_i64(acc.count_l as i64, ctx));
            if recording {
                extra.insert("risk_mean".into(), Value::from(show(&mean)));
            }
            risks.see((n, l.to_f64_lossy(), mean.to_f64_lossy()), l.to_rational(), mean.to_rational());
        }
        let rec = Record {
            n,
            risk: full.as_ref().map_or_else(|| "-".to_string(), &show),
            lyapunov: show(&v),
            theta_norm2: show(&norm2),
            grad_norm2,
            margin,
            extra,
        };
        if recording {
            writer.write(&rec)?;
        }
        series.push((n, full.as_ref().map_or(f64::NAN, Scalar::to_f64_lossy), batch_risk_f, v.to_f64_lossy()));
        if n % 64 == 0 || n == opts.steps {
            let l = risks.last.map_or(f64::NAN, |r| r.1);
            let done = n as f64 / opts.steps.max(1) as f64;
            bar.draw(done, &format!("step {n}/{}  L = {l:.4e}  batch risk = {batch_risk_f:.4e}", opts.steps));
        }
        if stopping {
            diverged_at = Some(n);
            break;
        }
        match next {
            None => break,
            Some((stepped, norm2_next, v_next)) => {
                theta = stepped;
                norm2 = norm2_next;
                v = v_next;
                n += 1;
            }
        }
    }
    bar.clear();
    Ok(SgdSummary {
        steps: n,
        gamma_c: c_q,
        decay: opts.decay.clone(),
        batch: opts.batch,
        seed: opts.seed,
        gamma_sgd_star: gstar,
        measure: case.problem.measure.name(),
        mass: case.problem.measure.mass(),
        state: opts.state,
        guarantee: opts.state.guarantee(),
        rounding,
        v0: acc.v0.to_f64_lossy(),
        risk_first: risks.first,
        risk_last: risks.last,
        risk_evaluations: risks.count,
        risk_exact: risks.exact,
        diverged_at,
        risk_evals: risks.kept.into_vec(),
        sum_gamma: acc.sum_gamma,
        decrease: acc.decrease.tally(),
        nonincrease: acc.nonincrease.tally(),
        norm: acc.norm.tally(),
        summed: acc.summed.tally(),
        rounding_used: acc.rounding_used,
        grid_bits: (base_bits > 0).then_some(grid_bits),
        grid_refined_at: refined_at,
        series: series.into_vec(),
        resumed_from,
        expected: expected.summary(),
        eval_every: opts.eval_every,
    })
}

/// Runs SGD on a case. Exact and dyadic states use GMP rationals when built
/// with `gmp`, else `BigRational`.
pub fn run_sgd(case: &Case, opts: &SgdOptions) -> Result<SgdSummary, String> {
    gd::dispatch_state!(run_generic, case, opts, "sgd")
}

/// Runs `reluproof sgd`: prints the summary (text or JSON), writes the plot;
/// exit code 1 if a C11 inequality failed in a certified mode while
/// sup γ_n ≤ γ_SGD*, or C15 failed where it is claimed (a finding).
///
/// Refused before anything is written: a case `sgd` cannot run honestly
/// (see [`guard::runnable`]) and, without `force`, an output on the
/// case file or on an existing case or witness file.
pub fn sgd_command(
    case_path: &Path,
    opts: &SgdOptions,
    plot: Option<&Path>,
    json: bool,
    force: bool,
) -> Result<i32, String> {
    let outputs = [
        guard::trajectory_output(opts.out.as_deref(), opts.resume.as_deref()),
        ("--csv", opts.csv.as_deref()),
        ("--plot", plot),
    ];
    let (case, file) = guard::case_for_run(case_path, "sgd", "C11", outputs, force)?;
    let summary = run_sgd(&case, opts)?;
    crate::report::emit_run(
        plot,
        || sgd_plot(&summary, &file),
        json.then(|| summary.to_json()),
        || summary.to_text(&file),
    )?;
    let certified = summary.guarantee == Guarantee::Exact;
    // C15 is decided exactly at every evaluated stored state, in every mode.
    Ok(if (summary.claimed() && certified && !summary.all_hold()) || summary.expected.fails() { 1 } else { 0 })
}

#[cfg(test)]
mod tests;
