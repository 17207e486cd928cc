//! `reluproof check` and `reluproof merge`: one engine for a whole run, a
//! resumed run and a run split into shards.
//!
//! Every check's cases are run as one [`Slice`] of the case indices (the whole
//! run is the slice 0 of 1; `--shard K/N` is the slice K−1 of N). A slice's
//! result is a [`CaseLog`], appended to `DIR/progress.jsonl` as soon as the
//! check finishes, and the verdict is always [`fold`] of the logs: of one log
//! for a whole run, of the logs of all shards for `merge`. So a merged report
//! is the unsharded one by construction, and a killed run resumes from its
//! logs.

use crate::backend::BackendSpec;
use crate::claims::engine::{fold, run_slice, Budget, CaseLog, Slice};
use crate::claims::instance::Witness;
use crate::claims::{registry, Backends, Check, STATEMENTS};
use crate::report::blueprint;
use crate::report::rows::{check_row, rows_of, table, Row};
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
    /// with the same seed, backend, cases, control, search and shard.
    pub resume: bool,
    /// Candidates for the counterexample search run after each check that
    /// has a search target (0: none). The verdict of a claim expected to
    /// hold becomes `refuted` if the search finds a witness.
    pub search: u64,
    /// Run only this slice of every check's cases (`--shard K/N`), for `merge`.
    pub shard: Option<Slice>,
    /// Start over in a report directory that already holds a run.
    pub force: bool,
}

/// Default number of cases per check (the whole default run takes well under a minute on 2 cores).
pub fn default_cases(check: &dyn Check) -> usize {
    if let Some(n) = check.default_cases() {
        return n;
    }
    match check.backends() {
        Backends::ExactOnly => 60,
        Backends::MpfrEnclosure => 60,
        Backends::ExactOrEnclosure => 500,
    }
}

/// Parses `K/N` (1 ≤ K ≤ N) into the slice K−1 of N.
pub fn parse_shard(text: &str) -> Result<Slice, String> {
    let bad = |why: &str| format!("--shard {text:?}: {why}; expected K/N with 1 <= K <= N, e.g. --shard 2/8");
    let (k, n) = text.split_once('/').ok_or_else(|| bad("no '/'"))?;
    let k: usize = k.trim().parse().map_err(|_| bad("K is not a whole number"))?;
    let n: usize = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
    if n == 0 {
        return Err(bad("N must be at least 1"));
    }
    if k == 0 || k > n {
        return Err(bad("K must be between 1 and N"));
    }
    Ok(Slice { part: k - 1, count: n })
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
    let bar = crate::progress::Bar::new(label, quiet);
    move |done, total| {
        bar.draw(if total == 0 { 1.0 } else { done as f64 / total as f64 }, &format!("{done}/{total}"));
        if done >= total {
            bar.clear();
        }
    }
}

pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The backend a check really runs on: exact-only checks run exactly
/// whatever enclosure backend is asked.
fn backend_of(check: &dyn Check, asked: BackendSpec) -> BackendSpec {
    match (check.backends(), asked) {
        (Backends::ExactOnly, BackendSpec::F64Interval | BackendSpec::Interval(_)) => BackendSpec::Exact,
        (_, b) => b,
    }
}

fn budget_of(check: &dyn Check, opts: &RunKey) -> Budget {
    Budget {
        cases: opts.cases.unwrap_or_else(|| default_cases(check)),
        seed: opts.seed,
        backend: backend_of(check, opts.backend),
    }
}

/// What identifies a run: the logs of a resumed or merged run must all come
/// from runs with the same key.
#[derive(Clone, Debug, PartialEq)]
struct RunKey {
    seed: u64,
    backend: BackendSpec,
    cases: Option<usize>,
    mutant: Option<String>,
    search: u64,
}

impl RunKey {
    fn of(opts: &CheckOptions) -> RunKey {
        RunKey {
            seed: opts.seed,
            backend: opts.backend,
            cases: opts.cases,
            mutant: opts.mutant.clone(),
            search: opts.search,
        }
    }
    fn to_json(&self) -> Value {
        json!({
            "seed": self.seed,
            "backend": self.backend.to_string(),
            "cases": self.cases,
            "mutant": self.mutant,
            "search": self.search,
        })
    }
    fn from_json(v: &Value) -> Option<RunKey> {
        Some(RunKey {
            seed: v.get("seed")?.as_u64()?,
            backend: v.get("backend")?.as_str()?.parse().ok()?,
            cases: match v.get("cases")? {
                Value::Null => None,
                c => Some(usize::try_from(c.as_u64()?).ok()?),
            },
            mutant: v.get("mutant")?.as_str().map(str::to_string),
            search: v.get("search")?.as_u64()?,
        })
    }
    fn header(&self) -> String {
        format!(
            "seed {}, backend {}, cases per check: {}{}",
            self.seed,
            self.backend,
            self.cases.map_or_else(|| "each check's default".to_string(), |n| n.to_string()),
            self.mutant.as_ref().map(|m| format!(", negative control `{m}`")).unwrap_or_default()
        )
    }
}

/// ", shard K/N" for a slice of a sharded run, nothing for a whole run.
fn shard_words(slice: Slice) -> String {
    if slice == Slice::WHOLE {
        String::new()
    } else {
        format!(", shard {}/{}", slice.part, slice.count)
    }
}

/// The search of a check as a log stores it: a note for the row and, if it
/// found one, the shrunk witness (re-checked exactly by the search).
#[derive(Clone, Debug)]
struct SearchOutcome {
    note: String,
    witness: Option<Witness>,
}

impl SearchOutcome {
    fn to_json(&self) -> Value {
        json!({ "note": self.note, "witness": self.witness.as_ref().map(Witness::to_toml) })
    }
    fn from_json(v: &Value) -> Option<SearchOutcome> {
        let witness = match v.get("witness")? {
            Value::Null => None,
            w => Some(Witness::parse("search witness in progress.jsonl", w.as_str()?).ok()?),
        };
        Some(SearchOutcome { note: v.get("note")?.as_str()?.to_string(), witness })
    }
    /// The search's note, and its witness as the row's (a claim expected to
    /// hold that the search refutes becomes a finding).
    fn apply(&self, row: &mut Row) {
        row.notes.push(self.note.clone());
        if let Some(w) = &self.witness {
            row.verdict = "refuted";
            row.witness = Some(w.clone());
        }
    }
}

/// Runs the counterexample search of `check` (if it has a search target)
/// with a candidate cap, so the result depends only on the seed.
fn search_of(check: &dyn Check, key: &RunKey, quiet: bool) -> Option<SearchOutcome> {
    use crate::search::{search, targets, SearchConfig};
    let target = targets().into_iter().find(|t| t.check_name() == check.name())?;
    let cfg = SearchConfig {
        seed: key.seed,
        budget: std::time::Duration::from_secs(600),
        max_candidates: key.search,
        ..SearchConfig::default()
    };
    let bar = crate::progress::Bar::new(format!("{} {} (search)", check.statement(), check.name()), quiet);
    let rep = search(target.as_ref(), check, &cfg, &|p| {
        bar.draw(p.candidates as f64 / p.cap.max(1) as f64, &format!("{}/{} candidates", p.candidates, p.cap))
    });
    bar.clear();
    // No times in the note: with the candidate cap binding, the report
    // depends only on the seed.
    Some(match &rep.found {
        None => SearchOutcome {
            note: format!(
                "search (`reluproof search {}`, seed {}): no counterexample found in {} candidates ({} inside the hypotheses); evidence, not proof",
                target.key(),
                key.seed,
                rep.candidates,
                rep.scored
            ),
            witness: None,
        },
        Some(f) => SearchOutcome {
            note: format!(
                "search (`reluproof search {}`, seed {}): a witness after {} candidates, shrunk and re-checked exactly (it is the row's witness): {}",
                target.key(),
                key.seed,
                f.first_violation_after,
                f.detail
            ),
            witness: Some(Witness {
                statement: check.statement().to_string(),
                check: check.name().to_string(),
                mutant: None,
                verdict: "refuted".into(),
                detail: f.detail.clone(),
                instance: f.witness.clone(),
                provenance: vec![format!(
                    "found by: reluproof check --search {} --seed {} (the search of {})",
                    key.search,
                    key.seed,
                    check.name()
                )],
            }),
        },
    })
}

/// One line of progress.jsonl: the log of one check's slice.
struct LogLine {
    key: RunKey,
    slice: Slice,
    log: CaseLog,
    search: Option<SearchOutcome>,
}

impl LogLine {
    fn to_json(&self) -> Value {
        json!({
            "run": self.key.to_json(),
            "log": self.log.to_json(),
            "search": self.search.as_ref().map(SearchOutcome::to_json),
        })
    }
    fn from_json(v: &Value) -> Option<LogLine> {
        let log = CaseLog::from_json(v.get("log")?)?;
        let search = match v.get("search")? {
            Value::Null => None,
            s => Some(SearchOutcome::from_json(s)?),
        };
        Some(LogLine { key: RunKey::from_json(v.get("run")?)?, slice: log.slice, log, search })
    }
}

/// The log lines of a progress.jsonl. A missing file has none; a line that
/// does not parse (cut off when a run was killed) is skipped, so its check
/// runs again.
fn read_logs(path: &Path) -> Result<Vec<LogLine>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| LogLine::from_json(&v))
        .collect())
}

/// Appends one line, first ending a torn last line (a killed run) so that
/// the new line is never glued onto it.
fn append_line(path: &Path, line: &str) -> Result<(), String> {
    let err = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let torn = std::fs::read(path).map(|b| b.last().is_some_and(|&c| c != b'\n')).unwrap_or(false);
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(err)?;
    if torn {
        writeln!(f).map_err(err)?;
    }
    writeln!(f, "{line}").map_err(err)
}

/// Makes DIR ready for a run: refuses a directory that already holds one
/// unless the run resumes it or `force` starts over.
fn prepare_dir(dir: &Path, resume: bool, force: bool, hint: &str) -> Result<(), String> {
    let used = ["progress.jsonl", "report.json", "shard.json"].iter().any(|f| dir.join(f).exists());
    if used && !resume && !force {
        return Err(format!("{} already holds a report: {hint}", dir.display()));
    }
    std::fs::create_dir_all(dir.join("witnesses")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if force && !resume {
        for f in ["progress.jsonl", "report.json", "shard.json"] {
            let p = dir.join(f);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            }
        }
    }
    Ok(())
}

/// The row of a check from its folded logs, with the search applied.
fn row_of(check: &dyn Check, key: &RunKey, logs: &[CaseLog], search: Option<&SearchOutcome>) -> Result<Row, String> {
    let report = fold(check, &budget_of(check, key), key.mutant.as_deref(), logs)?;
    let mut row = check_row(&report);
    if let Some(s) = search {
        s.apply(&mut row);
    }
    Ok(row)
}

/// Writes a refuted row's witness into DIR/witnesses and records the path.
fn write_witness(dir: &Path, row: &mut Row) -> Result<(), String> {
    if let Some(w) = &row.witness {
        let name =
            format!("{}-{}{}.toml", row.id, row.name, w.mutant.as_ref().map(|m| format!("-{m}")).unwrap_or_default());
        let path = dir.join("witnesses").join(name);
        write_file(&path, &w.to_toml())?;
        row.witness_file = Some(path.display().to_string());
    }
    Ok(())
}

/// Writes report.json and the blueprint, and prints the table or JSON.
fn finish(
    ids: &[&'static str],
    check_rows: Vec<Row>,
    key: &RunKey,
    dir: Option<&Path>,
    as_json: bool,
) -> Result<i32, String> {
    let rows = rows_of(ids, check_rows);
    let header = key.header();
    let doc = json!({
        "seed": key.seed,
        "backend": key.backend.to_string(),
        "claims": rows.iter().map(Row::to_json).collect::<Vec<_>>(),
    });
    if let Some(dir) = dir {
        write_file(&dir.join("report.json"), &serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        write_file(&dir.join("blueprint.md"), &blueprint::markdown(&rows, &header))?;
        write_file(&dir.join("blueprint.svg"), &blueprint::svg(&rows))?;
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        let mut s = format!("reluproof check: {header}\n\n{}", table(&rows));
        let noted: Vec<&Row> = rows.iter().filter(|r| !r.notes.is_empty()).collect();
        if !noted.is_empty() {
            s += "\n";
            for r in noted {
                for n in &r.notes {
                    s += &format!("{} {}: {n}\n", r.id, r.name);
                }
            }
        }
        s += &format!("\n{}\n", legend());
        if let Some(dir) = dir {
            s += &format!("report written to {}\n", dir.display());
        }
        print!("{s}");
    }
    Ok(if rows.iter().any(Row::is_finding) { 1 } else { 0 })
}

/// Runs `reluproof check`; returns the exit code (0 as expected, 1 if a
/// finding contradicts the expectations) or an error message (exit 2).
pub fn check_command(opts: &CheckOptions) -> Result<i32, String> {
    if !opts.backend.available() {
        return Err(format!(
            "the backend {} needs the `gmp` feature: cargo run --release --features gmp -- check … (GMP's build needs m4)",
            opts.backend
        ));
    }
    if matches!(opts.backend, BackendSpec::F64 | BackendSpec::Mpfr(_)) {
        return Err(format!(
            "the backend {} is approximate and cannot decide a claim; use exact (default), gmp, f64-interval or interval[:BITS]",
            opts.backend
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
    if opts.shard.is_some() && opts.report.is_none() {
        return Err("--shard needs --report DIR: a shard's results are written there for `reluproof merge`".into());
    }
    if let Some(dir) = &opts.report {
        prepare_dir(dir, opts.resume, opts.force, "continue it with --resume, or start over with --force")?;
    }
    let key = RunKey::of(opts);
    let slice = opts.shard.unwrap_or(Slice::WHOLE);
    let progress_file = opts.report.as_ref().map(|d| d.join("progress.jsonl"));
    let mut done: Vec<LogLine> = match (&progress_file, opts.resume) {
        (Some(p), true) => {
            let logs = read_logs(p)?;
            // A resume continues the same run; one with other options would
            // replace that run's report.json and mix two runs in one log.
            if let Some(other) = logs.iter().find(|l| l.key != key || l.slice != slice) {
                return Err(format!(
                    "{}: records a run with {}, search {}{}, but this run has {}, search {}{}: --resume continues only the same run (same seed, backend, cases, control, search and shard); use another directory, or --force to start over",
                    p.display(),
                    other.key.header(),
                    other.key.search,
                    shard_words(other.slice),
                    key.header(),
                    key.search,
                    shard_words(slice)
                ));
            }
            logs
        }
        _ => Vec::new(),
    };
    let mut check_rows: Vec<Row> = Vec::new();
    let mut ran = 0usize;
    for c in &checks {
        let label = format!("{} {}", c.statement(), c.name());
        let line = match done.iter().rposition(|l| l.log.check == c.name()) {
            Some(k) => {
                if !opts.quiet {
                    eprintln!("{label}: resumed from the report directory");
                }
                done.swap_remove(k)
            }
            None => {
                let budget = budget_of(c.as_ref(), &key);
                let log =
                    run_slice(c.as_ref(), &budget, key.mutant.as_deref(), slice, &progress_printer(label, opts.quiet));
                // The search is not split: the first shard runs it for all.
                let search = if key.search > 0 && key.mutant.is_none() && slice.part == 0 {
                    search_of(c.as_ref(), &key, opts.quiet)
                } else {
                    None
                };
                let line = LogLine { key: key.clone(), slice, log, search };
                if let Some(p) = &progress_file {
                    // Written as each check finishes, so a killed run loses nothing.
                    append_line(p, &line.to_json().to_string())?;
                }
                line
            }
        };
        ran += line.log.kinds.len();
        if opts.shard.is_none() {
            let mut row = row_of(c.as_ref(), &key, &[line.log], line.search.as_ref())?;
            if let Some(dir) = &opts.report {
                write_witness(dir, &mut row)?;
            }
            check_rows.push(row);
        }
    }
    match (opts.shard, &opts.report) {
        (Some(s), Some(dir)) => {
            let manifest = json!({
                "reluproof": env!("CARGO_PKG_VERSION"),
                "run": key.to_json(),
                "ids": ids,
                "checks": checks.iter().map(|c| c.name()).collect::<Vec<_>>(),
                "shard": [s.part + 1, s.count],
            });
            write_file(&dir.join("shard.json"), &serde_json::to_string_pretty(&manifest).unwrap_or_default())?;
            let text = format!(
                "reluproof check: shard {}/{} ({}): {ran} cases of {} checks, written to {}\ncombine all {} shards with: reluproof merge DIR1 … DIR{} --report OUT\n",
                s.part + 1,
                s.count,
                key.header(),
                checks.len(),
                dir.display(),
                s.count,
                s.count
            );
            if opts.json {
                println!("{}", serde_json::to_string_pretty(&manifest).unwrap_or_default());
            } else {
                print!("{text}");
            }
            Ok(0)
        }
        _ => finish(&ids, check_rows, &key, opts.report.as_deref(), opts.json),
    }
}

/// One shard directory, read and checked.
struct ShardDir {
    dir: PathBuf,
    version: String,
    key: RunKey,
    key_json: Value,
    ids: Vec<String>,
    checks: Vec<String>,
    slice: Slice,
    logs: Vec<LogLine>,
}

fn read_shard(dir: &Path) -> Result<ShardDir, String> {
    let d = dir.display();
    if !dir.is_dir() {
        return Err(format!("{d}: no such shard directory"));
    }
    let manifest = dir.join("shard.json");
    let text = std::fs::read_to_string(&manifest).map_err(|_| {
        format!("{d}: no shard.json, so the shard did not finish (killed?); run it again with the same options and --resume")
    })?;
    let bad = |what: &str| format!("{}: {what}", manifest.display());
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(&format!("not JSON ({e})")))?;
    let strings = |k: &str| -> Result<Vec<String>, String> {
        v.get(k)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
            .ok_or_else(|| bad(&format!("field `{k}`: expected an array of strings")))
    };
    let shard = v.get("shard").and_then(Value::as_array).ok_or_else(|| bad("field `shard`: expected [K, N]"))?;
    let num = |k: usize| shard.get(k).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    let (Some(k), Some(n)) = (num(0), num(1)) else { return Err(bad("field `shard`: expected [K, N]")) };
    if n == 0 || k == 0 || k > n {
        return Err(bad("field `shard`: expected 1 <= K <= N"));
    }
    let key_json = v.get("run").cloned().ok_or_else(|| bad("field `run` is missing"))?;
    let key = RunKey::from_json(&key_json).ok_or_else(|| bad("field `run`: not a run key"))?;
    let slice = Slice { part: k - 1, count: n };
    let logs =
        read_logs(&dir.join("progress.jsonl"))?.into_iter().filter(|l| l.key == key && l.slice == slice).collect();
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        version: v.get("reluproof").and_then(Value::as_str).unwrap_or("?").to_string(),
        key,
        key_json,
        ids: strings("ids")?,
        checks: strings("checks")?,
        slice,
        logs,
    })
}

/// Runs `reluproof merge DIR… --report OUT`: the report of the whole run
/// from the reports of its shards, identical (apart from paths) to the
/// unsharded run with the same options.
pub fn merge_command(dirs: &[PathBuf], out: &Path, as_json: bool, force: bool) -> Result<i32, String> {
    if dirs.is_empty() {
        return Err("merge needs the shard directories: reluproof merge DIR1 DIR2 … --report OUT".into());
    }
    let shards = dirs.iter().map(|d| read_shard(d)).collect::<Result<Vec<_>, _>>()?;
    let first = &shards[0];
    let name = |s: &ShardDir| format!("{} (shard {}/{})", s.dir.display(), s.slice.part + 1, s.slice.count);
    for s in &shards {
        if s.version != env!("CARGO_PKG_VERSION") {
            return Err(format!(
                "{} was written by reluproof {}, this is {}: cases are regenerated from the seed, so shards must come from this version",
                name(s),
                s.version,
                env!("CARGO_PKG_VERSION")
            ));
        }
        if s.key != first.key {
            return Err(format!(
                "{} ran with {}, but {} ran with {}: shards of one run must share seed, backend, cases, control and search",
                name(s),
                s.key_json,
                name(first),
                first.key_json
            ));
        }
        if s.ids != first.ids || s.checks != first.checks {
            return Err(format!(
                "{} selected other statements ({}) than {} ({})",
                name(s),
                s.ids.join(" "),
                name(first),
                first.ids.join(" ")
            ));
        }
        if s.slice.count != first.slice.count {
            return Err(format!(
                "{} is one of {} shards, {} one of {}",
                name(s),
                s.slice.count,
                name(first),
                first.slice.count
            ));
        }
    }
    let n = first.slice.count;
    for part in 0..n {
        let with: Vec<&ShardDir> = shards.iter().filter(|s| s.slice.part == part).collect();
        match with.len() {
            0 => return Err(format!("shard {}/{n} is missing: merge needs all {n} shards", part + 1)),
            1 => {}
            _ => return Err(format!("shard {}/{n} is given twice: {} and {}", part + 1, name(with[0]), name(with[1]))),
        }
    }
    let out_canon = std::fs::canonicalize(out).ok();
    if shards.iter().any(|s| std::fs::canonicalize(&s.dir).ok() == out_canon && out_canon.is_some()) {
        return Err(format!("--report {} is one of the shard directories: choose another", out.display()));
    }
    prepare_dir(out, false, force, "overwrite it with --force, or choose another --report")?;
    let (ids, checks) = select(&first.ids)?;
    let key = first.key.clone();
    let mut rows = Vec::new();
    for c in &checks {
        let mut logs = Vec::new();
        let mut search = None;
        for s in &shards {
            let line = s.logs.iter().rev().find(|l| l.log.check == c.name()).ok_or_else(|| {
                format!(
                    "{} has no record of check {}: the shard did not finish; run it again with --resume",
                    name(s),
                    c.name()
                )
            })?;
            logs.push(line.log.clone());
            if s.slice.part == 0 {
                search = line.search.clone();
            }
        }
        let mut row = row_of(c.as_ref(), &key, &logs, search.as_ref())?;
        write_witness(out, &mut row)?;
        rows.push(row);
    }
    finish(&ids, rows, &key, Some(out), as_json)
}

/// What the verdicts, strengths and guarantees mean.
pub fn legend() -> &'static str {
    "verdicts: 'no counterexample in N exact cases' = N generated cases decided exactly, none failed (evidence, not a proof); refuted = an exact (or enclosed) witness, printed and replayable; \
inconclusive = some case could not be decided, or an edge expected to be refuted was not refuted within the budget; FINDING = contradicts the expectation (exit code 1).\n\
strength: formal = a proof assistant's kernel checked a proof for every theta of the stated class; proved = complete proof in proofs/ and the implementation tested on exact cases \
(for a refutation: the exact witness is the proof); tested = exact cases, no proof here; observed = approximate or finite-horizon evidence only.\n\
guarantees: exact = every comparison on exact rationals; enclosure = rigorous interval bounds (an equality is then only 'consistent'); approximate = floating point, with the precision."
}
