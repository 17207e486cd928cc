//! The `check` and `replay` commands, kept out of main.rs so tests can call them.

use crate::backend::BackendSpec;
use crate::claims::engine::{replay, run_check, Budget, Outcome};
use crate::claims::instance::Witness;
use crate::claims::{registry, Backends, Check, STATEMENTS};
use crate::report::blueprint;
use crate::report::rows::{rows_of, table, Row};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of `reluproof check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Statement ids (`C3`) or check names; empty for all.
    pub ids: Vec<String>,
    /// Cases per check; `None` for each check's default.
    pub cases: Option<usize>,
    /// Seed.
    pub seed: u64,
    /// Backend.
    pub backend: BackendSpec,
    /// Print JSON instead of the table.
    pub json: bool,
    /// Write report.json, blueprint.md, blueprint.svg and witnesses here.
    pub report: Option<PathBuf>,
    /// Run this negative control (a deliberately wrong variant) instead.
    pub mutant: Option<String>,
    /// No progress output.
    pub quiet: bool,
    /// Reuse the checks already recorded in `report`'s progress.jsonl by a run
    /// with the same seed, backend, cases and negative control.
    pub resume: bool,
    /// Candidates for the counterexample search run after each check that
    /// has a search target (0: none). The verdict of a claim expected to
    /// hold becomes `refuted` if the search finds a witness.
    pub search: u64,
}

/// Default number of cases per check (the whole default run takes about a minute on 2 cores).
pub fn default_cases(check: &dyn Check) -> usize {
    match check.backends() {
        Backends::ExactOnly => 60,
        Backends::MpfrEnclosure => 60,
        Backends::ExactOrEnclosure => 500,
    }
}

/// Statement ids to report and the checks to run.
type Selection = (Vec<&'static str>, Vec<Box<dyn Check>>);

fn select(ids: &[String]) -> Result<Selection, String> {
    let all = registry();
    if ids.is_empty() {
        return Ok((STATEMENTS.iter().map(|s| s.id).collect(), all));
    }
    let mut stmts = Vec::new();
    for id in ids {
        if let Some(s) = crate::claims::statement(id) {
            stmts.push(s.id);
        } else if let Some(c) = all.iter().find(|c| c.name() == id) {
            stmts.push(c.statement());
        } else {
            return Err(format!(
                "unknown statement or check {id:?}; statements are {}; `reluproof list` shows the check names",
                STATEMENTS.iter().map(|s| s.id).collect::<Vec<_>>().join(" ")
            ));
        }
    }
    // A statement named by id runs all its checks; a check named alone runs alone.
    let chosen = all
        .into_iter()
        .filter(|c| ids.iter().any(|i| i.eq_ignore_ascii_case(c.statement()) || i == c.name()))
        .collect();
    stmts.sort_by_key(|id| STATEMENTS.iter().position(|s| s.id == *id));
    stmts.dedup();
    Ok((stmts, chosen))
}

fn progress_printer(label: String, quiet: bool) -> impl Fn(usize, usize) + Sync {
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

    let bar = crate::progress::Bar::new(label, quiet);
    move |done, total| {
        bar.draw(if total == 0 { 1.0 } else { done as f64 / total as f64 }, &format!("{done}/{total}"));
        if done >= total {
            bar.clear();
        }
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `reluproof check`; returns the exit code (0 as expected, 1 if a
/// finding contradicts the expectations) or an error message (exit 2).
pub fn check_command(opts: &CheckOptions) -> Result<i32, String> {
    if !opts.backend.available() {
        return Err(format!(
///
/// Refused before anything is written: a case gd cannot run honestly (see
/// [`crate::dynamics::guard::runnable`]) and, without `force`, an output on
/// the case file or on an existing case or witness file.
            "the backend {} needs the `gmp` feature: cargo run --release --features gmp -- check … (GMP's build needs m4)",
            opts.backend
        ));
    }
    if matches!(opts.backend, BackendSpec::F64 | BackendSpec::Mpfr(_)) {
    force: bool,
        return Err(format!(
    use crate::dynamics::guard;
            "the backend {} is approximate and cannot decide a claim; use exact (default), gmp, f64-interval or interval[:BITS]",
            opts.backend
    guard::runnable(&case, &file, "gd", "C9")?;
    guard::check_outputs(
        &[case_path],
        &[("--out", opts.out.as_deref().or(opts.resume.as_deref())), ("--csv", opts.csv.as_deref()), ("--plot", plot)],
        force,
    )?;
    let summary = crate::dynamics::gd::run_gd(&case, opts)?;
        ));
    }
    let (ids, checks) = select(&opts.ids)?;
    if let Some(m) = &opts.mutant {
        if checks.len() != 1 || !checks[0].mutants().contains(&m.as_str()) {
            let known: Vec<String> =
                checks.iter().flat_map(|c| c.mutants().iter().map(move |m| format!("{} {m}", c.name()))).collect();
            return Err(format!(
                "--mutant needs exactly one check that has the negative control {m:?}; available: {}",
                known.join("; ")
            ));
        }
    }
    if opts.resume && opts.report.is_none() {
        return Err("--resume needs --report DIR: it continues the run recorded in DIR/progress.jsonl".into());
    }
    if let Some(dir) = &opts.report {
        std::fs::create_dir_all(dir.join("witnesses")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // What identifies a run: a resumed row must come from the same one.
    let run_key = json!({
        "seed": opts.seed,
        "backend": opts.backend.to_string(),
        "cases": opts.cases,
        "mutant": opts.mutant,
        "search": opts.search,
    });
    let mut done: Vec<Row> = match (&opts.report, opts.resume) {
        (Some(dir), true) => resumed_rows(&dir.join("progress.jsonl"), &run_key)?,
        _ => Vec::new(),
    };
    let mut check_rows: Vec<Row> = Vec::new();
    for c in &checks {
        if let Some(k) = done.iter().position(|r| r.name == c.name()) {
            if !opts.quiet {
                eprintln!("{} {}: resumed from the report directory", c.statement(), c.name());
            }
            check_rows.push(done.swap_remove(k));
/// Largest width H (and number of points) `reluproof init` writes.
pub const MAX_INIT_WIDTH: usize = 1_000_000;
/// Largest number of inner weights d·H (and coordinates d·points) `reluproof init` writes.
pub const MAX_INIT_ENTRIES: usize = 10_000_000;

            continue;
        }
        let backend = match (c.backends(), opts.backend) {
            (Backends::ExactOnly, BackendSpec::F64Interval | BackendSpec::Interval(_)) => BackendSpec::Exact,
            (_, b) => b,
        };
        let budget =
            Budget { cases: opts.cases.unwrap_or_else(|| default_cases(c.as_ref())), seed: opts.seed, backend };
        let label = format!("{} {}", c.statement(), c.name());
        let report = run_check(c.as_ref(), &budget, opts.mutant.as_deref(), &progress_printer(label, opts.quiet));
        let mut row = crate::report::rows::check_row(&report);
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
        if opts.search > 0 && opts.mutant.is_none() {
            search_into_row(&mut row, c.as_ref(), opts);
        }
        if let Some(dir) = &opts.report {
            // Results are written as they come, so a long run loses nothing.
            if let Some(w) = &row.witness {
                let name = format!(
                    "{}-{}{}.toml",
                    row.id,
                    row.name,
                    w.mutant.as_ref().map(|m| format!("-{m}")).unwrap_or_default()
                );
                let path = dir.join("witnesses").join(name);
                write_file(&path, &w.to_toml())?;
                row.witness_file = Some(path.display().to_string());
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("progress.jsonl"))
                .map_err(|e| format!("cannot write progress.jsonl: {e}"))?;
            writeln!(f, "{}", json!({ "run": run_key, "row": row.to_json() }))
                .map_err(|e| format!("cannot write progress.jsonl: {e}"))?;
        }
        check_rows.push(row);
    }
    let rows = rows_of(&ids, check_rows);
    let header = format!(
        "seed {}, backend {}, cases per check: {}{}",
        opts.seed,
        opts.backend,
        opts.cases.map_or_else(|| "each check's default".to_string(), |n| n.to_string()),
        opts.mutant.as_ref().map(|m| format!(", negative control `{m}`")).unwrap_or_default()
    );
    let doc = json!({
        "seed": opts.seed,
        "backend": opts.backend.to_string(),
        "claims": rows.iter().map(Row::to_json).collect::<Vec<_>>(),
    });
    if let Some(dir) = &opts.report {
        write_file(&dir.join("report.json"), &serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        write_file(&dir.join("blueprint.md"), &blueprint::markdown(&rows, &header))?;
        write_file(&dir.join("blueprint.svg"), &blueprint::svg(&rows))?;
    }
    if opts.json {
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        println!("reluproof check: {header}\n");
        print!("{}", table(&rows));
        let noted: Vec<&Row> = rows.iter().filter(|r| !r.notes.is_empty()).collect();
        if !noted.is_empty() {
            println!();
            for r in noted {
                for n in &r.notes {
                    println!("{} {}: {n}", r.id, r.name);
                }
            }
        }
        println!("\n{}", legend());
        if let Some(dir) = &opts.report {
            println!("report written to {}", dir.display());
        }
    }
    Ok(if rows.iter().any(Row::is_finding) { 1 } else { 0 })
}

/// Runs the counterexample search of `check` (if it has a search target)
/// with a candidate cap, so the result depends only on the seed, and records
/// what it found in the row: a note with the candidates and time, and for a
/// still-unrefuted row the witness (re-checked exactly by the search).
fn search_into_row(row: &mut Row, check: &dyn Check, opts: &CheckOptions) {
    use crate::search::{search, targets, SearchConfig};
    let Some(target) = targets().into_iter().find(|t| t.check_name() == check.name()) else { return };
    let cfg = SearchConfig {
        seed: opts.seed,
        budget: std::time::Duration::from_secs(600),
        max_candidates: opts.search,
        ..SearchConfig::default()
    };
    let bar = crate::progress::Bar::new(format!("{} {} (search)", check.statement(), check.name()), opts.quiet);
    let rep = search(target.as_ref(), check, &cfg, &|p| {
        bar.draw(p.candidates as f64 / p.cap.max(1) as f64, &format!("{}/{} candidates", p.candidates, p.cap))
    });
    bar.clear();
    // No times in the note: with the candidate cap binding, the report
    // depends only on the seed.
    match &rep.found {
        None => row.notes.push(format!(
            "search (`reluproof search {}`, seed {}): no counterexample found in {} candidates ({} inside the hypotheses); evidence, not proof",
            target.key(),
            opts.seed,
            rep.candidates,
            rep.scored
    /// Overwrite an input or an existing case file with an output.
    pub force: bool,
        )),
        Some(f) => {
            row.notes.push(format!(
                "search (`reluproof search {}`, seed {}): a witness after {} candidates, shrunk and re-checked exactly (it is the row's witness): {}",
                target.key(),
                opts.seed,
                f.first_violation_after,
                f.detail
            ));
            // The shrunk witness replaces the check's own: it is re-checked by
            // the same check and is the smallest one known.
            {
                row.verdict = "refuted";
                row.witness = Some(Witness {
                    statement: check.statement().to_string(),
                    check: check.name().to_string(),
    let file = case_path.display().to_string();
    crate::dynamics::guard::runnable(&case, &file, "gf", "C10")?;
    crate::dynamics::guard::check_outputs(
        &[case_path],
        &[
            ("--out", files.out.as_deref().or(files.resume.as_deref())),
            ("--csv", files.csv.as_deref()),
            ("--plot", plot),
        ],
        files.force,
    )?;
                    mutant: None,
                    verdict: "refuted".into(),
                    detail: f.detail.clone(),
                    instance: f.witness.clone(),
                    provenance: vec![format!(
                        "found by: reluproof check --search {} --seed {} (the search of {})",
                        opts.search,
                        opts.seed,
                        check.name()
                    )],
                });
            }
        }
    }
}

/// The rows recorded in a progress.jsonl by a run with this key. A missing
/// file resumes nothing; a line that does not parse (e.g. cut off when the
/// run was killed) is skipped, so its check runs again.
fn resumed_rows(path: &std::path::Path, run_key: &Value) -> Result<Vec<Row>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("run") == Some(run_key))
        .filter_map(|v| v.get("row").and_then(Row::from_json))
        .collect())
}

/// What the verdicts and guarantees mean.
pub fn legend() -> &'static str {
    "verdicts: holds = no counterexample in the cases run; refuted = an exact witness (edge statements are expected to be refuted); \
inconclusive = some case could not be decided; FINDING = contradicts the expectation (exit code 1).\n\
guarantees: exact = every comparison on exact rationals; enclosure = rigorous interval bounds (an equality is then only 'consistent')."
}

/// Runs `reluproof replay FILE`: re-runs the witness's check and compares
/// with its recorded verdict. Exit 0 if it reproduces, 1 if not.
pub fn replay_command(path: &Path, backend: BackendSpec) -> Result<i32, String> {
    let w = Witness::read(path).map_err(|e| e.to_string())?;
    let out = replay(&w, backend)?;
    let got = match &out {
        Outcome::Violated { .. } => "refuted",
        Outcome::Holds { .. } | Outcome::Consistent => "holds",
        Outcome::Undecided { .. } => "undecided",
        Outcome::Skipped { .. } => "skipped",
    };
    println!("witness   {}", path.display());
    println!(
        "check     {} {}{}",
        w.statement,
        w.check,
        w.mutant.as_ref().map(|m| format!(" (negative control `{m}`)")).unwrap_or_default()
    );
    println!("recorded  {}: {}", w.verdict, w.detail);
    match &out {
        Outcome::Violated { detail } => println!("replayed  refuted: {detail}"),
        Outcome::Undecided { .. } | Outcome::Skipped { .. } => {
            println!("replayed  {got}: {}", outcome_text(&out));
            if got != w.verdict {
                // Not reproduced here is not a contradiction: this build or
                // backend cannot decide the check.
                println!("result    cannot decide here (recorded {}, this build gives {got})", w.verdict);
                eprintln!(
                    "error: {file}: cannot decide the witness here ({}); the recorded verdict {} is neither reproduced nor contradicted{}",
                    outcome_text(&out),
                    w.verdict,
                    if cfg!(feature = "gmp") { "" } else { "; smooth activations and MPFR checks need a build with the gmp feature" }
                );
                return Ok(2);
            }
        }
        other => println!("replayed  {got}: {}", outcome_text(other)),
    }
    if got == w.verdict {
        println!("result    reproduced");
        Ok(0)
    } else {
        println!("result    NOT reproduced");
        Ok(1)
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

/// Runs `reluproof gd`; exit 1 if a C9 inequality failed with γ ≤ γ* in a
/// certified mode (a finding).
pub fn gd_command(
    case_path: &Path,
    opts: &crate::dynamics::gd::GdOptions,
    plot: Option<&Path>,
    json: bool,
) -> Result<i32, String> {
    let case = crate::model::case::read_case(case_path).map_err(|e| e.to_string())?;
    let file = case_path.display().to_string();
    crate::report::emit_run(
        plot,
        || crate::dynamics::plots::gd_plot(&summary, &file),
        json.then(|| summary.to_json()),
        || summary.to_text(&file),
    )?;
    let within_bound = summary.gamma_star.as_ref().is_some_and(|g| &summary.gamma <= g);
    let certified = summary.guarantee == crate::num::Guarantee::Exact;
    Ok(if within_bound && certified && !summary.all_hold() { 1 } else { 0 })
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

/// Runs `reluproof init`: writes a case file (to `out` or standard output).
pub fn init_command(args: &InitArgs, out: Option<&Path>) -> Result<i32, String> {
    use crate::num::parse::parse_rational;
    let num = |name: &str, s: &str| parse_rational(s).map_err(|e| format!("--{name}: {e}"));
    let scale = num("scale", &args.scale)?;
    if scale <= crate::num::BigRational::from_integer(0.into()) {
        return Err("--scale must be positive".into());
    }
    if args.bits > 4096 {
        return Err("--bits must be at most 4096".into());
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
) -> Result<i32, String> {
    use crate::dynamics::sweep::{gd_sweep, sweep_json, sweep_plot, sweep_text, SweepOptions};
    if width == 0 {
        return Err("--H must be at least 1".into());
    }
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
        println!("{}", serde_json::to_string_pretty(&sweep_json(&rows)).unwrap_or_default());
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
) -> Result<i32, String> {
    use crate::dynamics::gf::{default_precision, flow_text, run_flow, FlowOptions};
    let case = crate::model::case::read_case(case_path).map_err(|e| e.to_string())?;
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
    opts.resume = files.resume;
    opts.checkpoint = files.checkpoint;
    opts.quiet = quiet;
    let report =
        run_flow(&case, &opts).map_err(|e| if e.starts_with("field `") { format!("{file}: {e}") } else { e })?;
    print!("{}", flow_text(&report));
    if let Some(p) = plot {
        write_file(p, &crate::dynamics::plots::gf_plot(&report, &case_path.display().to_string()))?;
        println!("plot written to {}", p.display());
    }
    Ok(if report.violated() { 1 } else { 0 })
}
