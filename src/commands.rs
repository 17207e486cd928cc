//! The commands other than `check` and `merge` (which are in [`crate::campaign`]), kept out of main.rs so tests can call them.

use crate::backend::BackendSpec;
use crate::campaign::write_file;
use crate::claims::engine::{replay, Outcome};
use crate::claims::instance::Witness;
use crate::claims::{check_named, registry, STATEMENTS};
use std::path::{Path, PathBuf};

pub use crate::campaign::{check_command, default_cases, legend, merge_command, parse_shard, CheckOptions};

/// Runs `reluproof replay FILE`: re-runs the witness's check and compares
/// with its recorded verdict. Exit 0 if it reproduces, 1 if not.
pub fn replay_command(path: &Path, backend: BackendSpec, json: bool) -> Result<i32, String> {
    let w = Witness::read(path).map_err(|e| e.to_string())?;
    let file = path.display();
    let check = match check_named(&w.check) {
        None => {
            return Err(format!(
                "{file}: field `witness.check`: no check {:?} in this build (`reluproof list` shows the checks)",
                w.check
            ))
        }
        Some(c) if !c.statement().eq_ignore_ascii_case(&w.statement) => {
            return Err(format!(
                "{file}: field `witness.statement`: the witness says {:?}, but its check {} belongs to {}; the file is inconsistent and is not replayed",
                w.statement,
                w.check,
                c.statement()
            ))
        }
        Some(c) => c,
    };
    if !backend.available() {
        return Err(format!(
            "--backend {backend} needs the `gmp` feature: cargo run --release --features gmp -- replay {file}"
        ));
    }
    // A witness file edited by hand can hold a case its check was never
    // meant for (e.g. a smooth activation for an exact check): that is a bad
    // file (exit 2), not a crash.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replay(&w, backend)));
    std::panic::set_hook(previous);
    let out = match attempt {
        Ok(r) => r.map_err(|e| format!("{file}: {e}"))?,
        Err(p) => {
            let why = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(format!(
                "{file}: the check {} cannot run on this witness's case ({why}); the file does not fit its check",
                w.check
            ));
        }
    };
    let got = match &out {
        Outcome::Violated { .. } => "refuted",
        Outcome::Holds { .. } | Outcome::Consistent => "holds",
        Outcome::Undecided { .. } => "undecided",
        Outcome::Skipped { .. } => "skipped",
    };
    let guarantee = replay_guarantee(check.backends(), backend);
    let replayed = match &out {
        Outcome::Violated { detail } => format!("refuted: {detail}"),
        other => format!("{got}: {}", outcome_text(other)),
    };
    let undecidable = matches!(out, Outcome::Undecided { .. } | Outcome::Skipped { .. }) && got != w.verdict;
    let (result, code) = if undecidable {
        // Not reproduced here is not a contradiction: this build or backend
        // cannot decide the check.
        ("cannot decide here", 2)
    } else if got == w.verdict {
        ("reproduced", 0)
    } else {
        ("NOT reproduced", 1)
    };
    if json {
        let v = serde_json::json!({
            "witness": path.display().to_string(),
            "statement": w.statement,
            "check": w.check,
            "mutant": w.mutant,
            "recorded": {"verdict": w.verdict, "detail": w.detail},
            "replayed": {"verdict": got, "detail": replayed},
            "backend": backend.to_string(),
            "guarantee": guarantee,
            "result": result,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!("witness   {}", path.display());
        println!(
            "check     {} {}{}",
            w.statement,
            w.check,
            w.mutant.as_ref().map(|m| format!(" (negative control `{m}`)")).unwrap_or_default()
        );
        println!("recorded  {}: {}", w.verdict, w.detail);
        println!("replayed  {replayed}");
        println!("guarantee {guarantee} (backend {backend})");
        if undecidable {
            println!("result    cannot decide here (recorded {}, this build gives {got})", w.verdict);
        } else {
            println!("result    {result}");
        }
    }
    if undecidable {
        eprintln!(
            "error: {file}: cannot decide the witness here ({}); the recorded verdict {} is neither reproduced nor contradicted{}",
            outcome_text(&out),
            w.verdict,
            if cfg!(feature = "gmp") { "" } else { "; smooth activations and MPFR checks need a build with the gmp feature" }
        );
    }
    Ok(code)
}

/// The guarantee of a replay: what the check's own backend rule and the
/// asked backend give (checks with transcendental terms fix their own
/// enclosures; others decide in the asked arithmetic).
fn replay_guarantee(backends: crate::claims::Backends, backend: BackendSpec) -> &'static str {
    use crate::claims::Backends;
    match (backends, backend) {
        (Backends::MpfrEnclosure, _) => "enclosure (rigorous interval bounds; the check chooses its own enclosure)",
        (Backends::ExactOnly, _) | (_, BackendSpec::Exact | BackendSpec::Gmp) => "exact",
        (_, BackendSpec::F64Interval | BackendSpec::Interval(_)) => "enclosure (rigorous interval bounds)",
        (_, BackendSpec::F64 | BackendSpec::Mpfr(_)) => "approximate",
    }
}

/// An outcome in plain words (no debug dump).
fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Holds { .. } => "holds".into(),
        Outcome::Consistent => "consistent (an enclosure contains the equality)".into(),
        Outcome::Violated { detail } => format!("refuted: {detail}"),
        Outcome::Undecided { reason } => format!("undecided: {reason}"),
        Outcome::Skipped { reason } => format!("skipped: {reason}"),
    }
}

/// `reluproof list`: every statement with its checks and negative controls.
pub fn list_text() -> String {
    let all = registry();
    let mut s = String::new();
    for st in STATEMENTS {
        s += &format!("{:<4} {:<34} {:<10} expected: {}\n", st.id, st.name, st.status.word(), st.expected.word());
        for c in all.iter().filter(|c| c.statement() == st.id) {
            s += &format!("       check {}\n         {}\n", c.name(), c.summary());
            if !c.mutants().is_empty() {
                s += &format!("         negative controls: {}\n", c.mutants().join(", "));
            }
        }
    }
    s
}

/// Runs `reluproof gd`; exit 1 if an inequality a theorem claims for this γ
/// failed in a certified mode (a finding): C9's for γ ≤ γ*, C14's for
/// γ < 2γ′*.
///
/// Refused before anything is written: a case gd cannot run honestly (see
/// [`crate::dynamics::guard::runnable`]) and, without `force`, an output on
/// the case file or on an existing case or witness file.
pub fn gd_command(
    case_path: &Path,
    opts: &crate::dynamics::gd::GdOptions,
    plot: Option<&Path>,
    json: bool,
    force: bool,
) -> Result<i32, String> {
    let outputs = [
        crate::dynamics::guard::trajectory_output(opts.out.as_deref(), opts.resume.as_deref()),
        ("--csv", opts.csv.as_deref()),
        ("--plot", plot),
    ];
    let (case, file) = crate::dynamics::guard::case_for_run(case_path, "gd", "C9", outputs, force)?;
    let summary = crate::dynamics::gd::run_gd(&case, opts)?;
    crate::report::emit_run(
        plot,
        || crate::dynamics::plots::gd_plot(&summary, &file),
        json.then(|| summary.to_json()),
        || summary.to_text(&file),
    )?;
    // A finding: an inequality a theorem claims for this γ failed in a
    // certified run (C9 for γ ≤ γ*, C14 for γ < 2γ′*).
    let certified = summary.guarantee == crate::num::Guarantee::Exact;
    Ok(if certified && !summary.claimed_inequalities_hold() { 1 } else { 0 })
}

/// Arguments of `reluproof init`, as typed.
#[derive(Clone, Debug)]
pub struct InitArgs {
    /// Width H.
    pub width: usize,
    /// Dimension d.
    pub d: usize,
    /// Seed.
    pub seed: u64,
    /// Scale (a rational string).
    pub scale: String,
    /// Distribution.
    pub dist: crate::dynamics::init::Distribution,
    /// Grid bits.
    pub bits: u32,
    /// Measure name.
    pub measure: String,
    /// Left end.
    pub a: String,
    /// Right end.
    pub b: String,
    /// Points of an empirical measure.
    pub points: usize,
    /// Constant target.
    pub target: String,
}

/// Largest width H (and number of points) `reluproof init` writes.
pub const MAX_INIT_WIDTH: usize = 1_000_000;
/// Largest number of inner weights d·H (and coordinates d·points) `reluproof init` writes.
pub const MAX_INIT_ENTRIES: usize = 10_000_000;

/// Runs `reluproof init`: writes a case file (to `out` or standard output).
pub fn init_command(args: &InitArgs, out: Option<&Path>, force: bool) -> Result<i32, String> {
    use crate::num::parse::parse_rational;
    // Refused before any work: init creates a case, and the path may hold one
    // (or a witness, or anything else) that is not this command's to replace.
    if let Some(p) = out.filter(|p| p.exists() && !force) {
        return Err(format!(
            "--out {}: the file exists; refusing to overwrite it (choose another path, or give --force)",
            p.display()
        ));
    }
    let num = |name: &str, s: &str| parse_rational(s).map_err(|e| format!("--{name}: {e}"));
    let scale = num("scale", &args.scale)?;
    if scale <= crate::num::BigRational::from_integer(0.into()) {
        return Err("--scale must be positive".into());
    }
    if args.bits > 4096 {
        return Err("--bits must be at most 4096".into());
    }
    if args.width == 0 || args.width > MAX_INIT_WIDTH {
        return Err(format!("--H {}: the width must be from 1 to {MAX_INIT_WIDTH}", args.width));
    }
    if args.d == 0 || args.d > MAX_INIT_WIDTH {
        return Err(format!("--d {}: the input dimension must be from 1 to {MAX_INIT_WIDTH}", args.d));
    }
    if args.points > MAX_INIT_WIDTH || args.d.saturating_mul(args.width.max(args.points)) > MAX_INIT_ENTRIES {
        return Err(format!(
            "--H {} --d {} --points {}: at most {MAX_INIT_WIDTH} points and {MAX_INIT_ENTRIES} entries in all (a case file that large could not be evaluated anyway)",
            args.width, args.d, args.points
        ));
    }
    let problem = crate::dynamics::init::problem_from_args(
        &args.measure,
        &num("a", &args.a)?,
        &num("b", &args.b)?,
        args.d,
        args.points,
        num("target", &args.target)?,
    )?;
    let opts = crate::dynamics::init::InitOptions {
        width: args.width,
        seed: args.seed,
        scale,
        dist: args.dist,
        bits: args.bits,
        problem,
    };
    let case = crate::dynamics::init::init_case(&opts)?;
    let text = format!(
        "# written by: reluproof init --H {} --d {} --seed {} --scale {} --dist {:?} --bits {} --measure {} --a {} --b {} --target {}\n{}",
        args.width,
        args.d,
        args.seed,
        args.scale,
        args.dist,
        args.bits,
        args.measure,
        args.a,
        args.b,
        args.target,
        case.to_toml()
    )
    .replace("--dist Uniform", "--dist uniform")
    .replace("--dist Normal", "--dist normal");
    // What init writes, eval must read: a case beyond the readers' limits
    // (a box in d > 6, or wider than exact box integration accepts) is
    // refused here, with the reader's reason, rather than written. The
    // checks above already cover d = 1, so huge d = 1 cases are not parsed
    // twice.
    if args.d >= 2 {
        if let Err(e) = crate::model::case::parse_case("the case init would write", &text) {
            return Err(format!(
                "--H {} --d {} --measure {}: {}: {}",
                args.width, args.d, args.measure, e.field, e.message
            ));
        }
    }
    match out {
        Some(p) => write_file(p, &text)?,
        None => print!("{text}"),
    }
    Ok(0)
}

/// Runs `reluproof gd-sweep`.
#[allow(clippy::too_many_arguments)]
pub fn gd_sweep_command(
    width: usize,
    seed: u64,
    scales: &str,
    steps: u64,
    bits: u32,
    refine: u32,
    plot: Option<&Path>,
    json: bool,
    force: bool,
) -> Result<i32, String> {
    use crate::dynamics::sweep::{gd_sweep, sweep_json, sweep_plot, sweep_text, SweepOptions};
    if width == 0 {
        return Err("--H must be at least 1".into());
    }
    // The same grid bounds as `gd --state dyadic:BITS`.
    if !crate::dynamics::gd::STATE_BITS.contains(&bits) {
        return Err(format!("--bits {bits}: expected a whole number from 2 to 100000 (as for gd --state dyadic:BITS)"));
    }
    if steps == 0 {
        return Err("--steps 0: a trial needs at least one step".into());
    }
    // Before the sweep (minutes): a plot must not replace a case or witness.
    crate::dynamics::guard::check_outputs(&[], &[("--plot", plot)], force)?;
    let scales = scales
        .split(',')
        .map(|s| {
            let q = crate::num::parse::parse_rational(s).map_err(|e| format!("--scales: {e}"))?;
            if q <= crate::num::BigRational::from_integer(0.into()) {
                return Err(format!("--scales: {s} is not positive"));
            }
            Ok(q)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let o = SweepOptions { width, seed, scales, steps, bits, refine };
    let rows = gd_sweep(&o)?;
    if let Some(p) = plot {
        write_file(p, &sweep_plot(&rows, &o))?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&sweep_json(&rows, &o)).unwrap_or_default());
    } else {
        print!("{}", sweep_text(&rows, &o));
        if let Some(p) = plot {
            println!("plot written to {}", p.display());
        }
    }
    Ok(0)
}

/// The trajectory files of `reluproof gf`.
#[derive(Clone, Debug, Default)]
pub struct GfFiles {
    /// JSON-lines trajectory.
    pub out: Option<PathBuf>,
    /// CSV trajectory.
    pub csv: Option<PathBuf>,
    /// Continue the run recorded in this file (appending to it).
    pub resume: Option<PathBuf>,
    /// Node interval of checkpoints (0: the last node only).
    pub checkpoint: usize,
    /// Overwrite an input or an existing case file with an output.
    pub force: bool,
}

/// Runs `reluproof gf`; exit 1 if a check of C10 failed.
#[allow(clippy::too_many_arguments)]
pub fn gf_command(
    case_path: &Path,
    time: &str,
    precision: Option<u32>,
    tolerance: Option<f64>,
    max_steps: usize,
    files: GfFiles,
    plot: Option<&Path>,
    quiet: bool,
    json: bool,
) -> Result<i32, String> {
    use crate::dynamics::gf::{default_precision, flow_json, flow_text, run_flow, FlowOptions};
    let outputs = [
        crate::dynamics::guard::trajectory_output(files.out.as_deref(), files.resume.as_deref()),
        ("--csv", files.csv.as_deref()),
        ("--plot", plot),
    ];
    let (case, file) = crate::dynamics::guard::case_for_run(case_path, "gf", "C10", outputs, files.force)?;
    let t = crate::num::parse::parse_rational(time).map_err(|e| format!("--time: {e}"))?;
    if t <= crate::num::BigRational::from_integer(0.into()) {
        return Err("--time must be positive".into());
    }
    let mut opts = FlowOptions::new(t, precision.unwrap_or_else(default_precision));
    if let Some(tol) = tolerance {
        if !(tol.is_finite() && tol > 0.0) {
            return Err("--tolerance must be a positive finite number".into());
        }
        opts.tolerance = tol;
    }
    opts.max_steps = max_steps;
    opts.out = files.out;
    opts.csv = files.csv;
    let resume_name = files.resume.as_ref().map(|p| p.display().to_string());
    opts.resume = files.resume;
    opts.checkpoint = files.checkpoint;
    opts.quiet = quiet;
    let report = run_flow(&case, &opts).map_err(|e| {
        // Errors about the trajectory file name it already: only the case's
        // own errors get the case file in front.
        let names_resume = resume_name.as_ref().is_some_and(|r| e.contains(r.as_str()));
        if e.contains(&file) || e.starts_with("--") || names_resume {
            e
        } else {
            format!("{file}: {e}")
        }
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&flow_json(&report, &file)).unwrap_or_default());
    } else {
        print!("{}", flow_text(&report));
    }
    if let Some(p) = plot {
        write_file(p, &crate::dynamics::plots::gf_plot(&report, &case_path.display().to_string()))?;
        if !json {
            println!("plot written to {}", p.display());
        }
    }
    Ok(if report.violated() { 1 } else { 0 })
}
