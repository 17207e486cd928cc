//! `reluproof search EDGE_OR_CLAIM`: run a search, print the minimal
//! witness with its exact numbers (text or JSON), optionally save it under
//! tests/witnesses/ with its provenance.
//!
//! JSON keys (an interface): `edge` (statement id), `target`, `check`,
//! `verdict` (`refuted` or `no counterexample`), `witness` (`{"problem",
//! "theta"}` with the fields of a case file, numbers as "p/q" strings, or
//! null), `params`, `detail`, `values`, `gradient`, `score`, `candidates`,
//! `seed`, `budget_seconds`, `max_candidates`, `elapsed_seconds`, `stopped_by`.

use super::engine::{search, Progress, SearchConfig, SearchReport};
use super::shrink::complexity;
use super::{find_target, targets, SearchTarget};
use crate::claims::instance::Param;
use crate::claims::{check_named, statement, Expected, Instance, Witness};
use crate::eval::{component_names, summary_from_exact};
use crate::num::BigRational;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Options of `reluproof search` (also its command-line arguments).
#[derive(Clone, Debug, clap::Args)]
pub struct SearchOptions {
    /// A statement id (E1, E2, E6, E8, Q1, C3, C8, C9), a target (E1-identity) or a check name.
    #[arg(value_name = "EDGE_OR_CLAIM")]
    pub target: String,
    /// Seed of the search.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Wall-time budget in seconds for sampling and improvement (shrinking may take as long again).
    #[arg(long, default_value_t = 60.0)]
    pub budget: f64,
    /// Cap on candidates scored before shrinking: the search stops at the first batch that reaches it, so it may score up to one batch more (the result is reproducible when it binds before the budget).
    #[arg(long, default_value_t = 200_000)]
    pub max_candidates: u64,
    /// Cap on candidates tried while shrinking.
    #[arg(long, default_value_t = 20_000)]
    pub max_shrink: u64,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    pub json: bool,
    /// Save the witness as tests/witnesses/NAME.toml (relative to the current directory), with provenance.
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
    /// With --save: replace an existing witness file of that name.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// The command line for the provenance of a saved witness; empty: the process's own.
    #[arg(skip)]
    pub command_line: String,
}

impl SearchOptions {
    /// Options for `target` with the command's defaults (seed 1, 60 s, 200000
    /// candidates, 20000 shrinking candidates), quiet.
    pub fn new(target: &str) -> Self {
        SearchOptions {
            target: target.to_string(),
            seed: 1,
            budget: 60.0,
            max_candidates: 200_000,
            max_shrink: 20_000,
            json: false,
            save: None,
            force: false,
            quiet: true,
            command_line: String::new(),
        }
    }
}

/// The command line as typed, quoted for a POSIX shell, with the program
/// name shortened to `reluproof`.
pub fn command_line(args: &[String]) -> String {
    let quote = |a: &str| {
        if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=,+".contains(c)) {
            a.to_string()
        } else {
            format!("'{}'", a.replace('\'', r"'\''"))
        }
    };
    let mut out = vec!["reluproof".to_string()];
    out.extend(args.iter().skip(1).map(|a| quote(a)));
    out.join(" ")
}

/// The UTC date and time of `t` as `YYYY-MM-DD HH:MM:SS UTC` (civil
/// calendar from days since 1970-01-01, H. Hinnant's algorithm).
pub fn utc_timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn progress_bar(bar: &crate::progress::Bar) -> impl Fn(&Progress) + Sync + '_ {
    move |p: &Progress| {
        let by_count = p.candidates as f64 / p.cap.max(1) as f64;
        let by_time = p.elapsed.as_secs_f64() / p.budget.as_secs_f64().max(1e-9);
        let status = format!(
            "{:<6} {}/{} candidates, {:.1}/{:.0} s",
            p.phase,
            p.candidates,
            p.cap,
            p.elapsed.as_secs_f64(),
            p.budget.as_secs_f64()
        );
        bar.draw(by_count.max(by_time), &status);
    }
}

/// A rational for text: exact if short, else exact with a decimal approximation.
fn show(x: &BigRational) -> String {
    let s = x.to_string();
    if s.len() <= 40 {
        s
    } else {
        let f = num_traits::ToPrimitive::to_f64(x).unwrap_or(f64::NAN);
        format!("{s} (≈ {f:.6e})")
    }
}

fn short(x: &BigRational) -> String {
    let s = x.to_string();
    if s.len() <= 40 {
        s
    } else {
        format!("≈ {:.6e}", num_traits::ToPrimitive::to_f64(x).unwrap_or(f64::NAN))
    }
}

/// The case of an instance as JSON with the fields of a case file.
fn case_json(inst: &Instance) -> Value {
    let text = inst.case.to_toml();
    match text.parse::<toml::Table>() {
        Ok(t) => serde_json::to_value(t).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

fn params_json(inst: &Instance) -> Value {
    let mut m = Map::new();
    for (k, p) in &inst.params {
        let v = match p {
            Param::Number(q) => json!(q.to_string()),
            Param::Vector(x) => json!(x.iter().map(|q| q.to_string()).collect::<Vec<_>>()),
        };
        m.insert(k.clone(), v);
    }
    Value::Object(m)
}

/// Generic exact values of an instance (L, V, ⟨∇V, G⟩, 8L) followed by the target's own.
fn values(target: &dyn SearchTarget, inst: &Instance) -> Vec<(String, BigRational)> {
    let s = summary_from_exact::<BigRational>(&inst.case, &());
    let mut v = vec![
        ("L".to_string(), s.risk.clone()),
        ("V".to_string(), s.lyapunov.clone()),
        ("<grad V, G>".to_string(), s.grad_v_dot_g.clone()),
        ("8L".to_string(), s.eight_risk.clone()),
    ];
    for (k, x) in target.quantities(inst) {
        if !v.iter().any(|(n, _)| n == &k) {
            v.push((k, x));
        }
    }
    v
}

fn gradient(inst: &Instance) -> Vec<(String, BigRational)> {
    let s = summary_from_exact::<BigRational>(&inst.case, &());
    component_names(&inst.case.theta).into_iter().zip(s.gradient.flatten()).collect()
}

fn size_text(inst: &Instance) -> String {
    let (h, bits, _) = complexity(inst);
    format!("H = {h}, {bits} bits")
}

/// Runs `reluproof search`; returns the exit code (0: as expected, including
/// "nothing found" for a claim that must hold; 1: a claim expected to hold
/// was refuted, or a score and its check disagreed) or an error (exit 2).
pub fn search_command(opts: &SearchOptions) -> Result<i32, String> {
    let mut opts = opts.clone();
    if opts.command_line.is_empty() {
        opts.command_line = command_line(&std::env::args().collect::<Vec<_>>());
    }
    let opts = &opts;
    let target = find_target(&opts.target).ok_or_else(|| {
        let keys: Vec<String> = targets().iter().map(|t| format!("{} ({})", t.key(), t.check_name())).collect();
        format!("no search target {:?}; targets: {}", opts.target, keys.join(", "))
    })?;
    let check = check_named(target.check_name()).ok_or_else(|| {
        format!(
            "the check {} of {} is not registered in this build (see `reluproof list`)",
            target.check_name(),
            target.statement()
        )
    })?;
    if !opts.budget.is_finite() || opts.budget <= 0.0 {
        return Err(format!("--budget must be a positive number of seconds, got {}", opts.budget));
    }
    let save_path = match &opts.save {
        None => None,
        Some(name) => {
            let name = name.strip_suffix(".toml").unwrap_or(name);
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
                return Err(format!("--save NAME: use letters, digits, '_', '-' and '.' only, got {name:?}"));
            }
            let path = PathBuf::from("tests/witnesses").join(format!("{name}.toml"));
            if path.exists() && !opts.force {
                return Err(format!(
                    "--save {name}: {} exists; refusing to replace a witness (choose another NAME, or give --force)",
                    path.display()
                ));
            }
            Some(path)
        }
    };
    let cfg = SearchConfig {
        seed: opts.seed,
        budget: Duration::from_secs_f64(opts.budget),
        max_candidates: opts.max_candidates,
        max_shrink: opts.max_shrink,
        ..SearchConfig::default()
    };
    let bar = crate::progress::Bar::new(target.key(), opts.quiet);
    let rep = search(target.as_ref(), check.as_ref(), &cfg, &progress_bar(&bar));
    bar.clear();
    let expected = statement(target.statement()).map_or(Expected::Open, |s| s.expected);

    let saved = match (&save_path, &rep.found, &rep.best) {
        (Some(path), Some(_), _) | (Some(path), None, Some(_)) => {
            let w = witness(target.as_ref(), opts, &rep);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(path, w.to_toml()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Some(path.display().to_string())
        }
        _ => None,
    };

    if opts.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(target.as_ref(), opts, &rep, saved.as_deref())).unwrap_or_default()
        );
    } else {
        print!("{}", to_text(target.as_ref(), opts, &rep, saved.as_deref()));
    }
    let refuted_claim = rep.found.is_some() && expected == Expected::Holds;
    Ok(if refuted_claim || !rep.disagreements.is_empty() { 1 } else { 0 })
}

/// The witness file of a search: the shrunk violation (verdict `refuted`)
/// or, with none, the closest approach (verdict `holds`), with provenance.
pub fn witness(target: &dyn SearchTarget, opts: &SearchOptions, rep: &SearchReport) -> Witness {
    let mut provenance = vec![
        format!("found by: {}", opts.command_line),
        format!(
            "seed {}, budget {} s, at most {} candidates ({} shrinking); {} candidates in {} rounds, {:.2} s",
            opts.seed,
            opts.budget,
            opts.max_candidates,
            opts.max_shrink,
            rep.candidates,
            rep.rounds,
            rep.elapsed.as_secs_f64()
        ),
        format!("date {}, reluproof {}", utc_timestamp(SystemTime::now()), env!("CARGO_PKG_VERSION")),
        format!("score: {}", target.score_formula()),
    ];
    let (instance, verdict, detail) = match (&rep.found, &rep.best) {
        (Some(f), _) => {
            provenance.push(format!(
                "score before shrinking {} ({}); after {} ({}), {} simplifications in {} candidates",
                short(&f.original_score),
                size_text(&f.original),
                short(&f.score),
                size_text(&f.witness),
                f.shrink_steps,
                f.shrink_candidates
            ));
            (f.witness.clone(), "refuted", f.detail.clone())
        }
        (None, Some((s, inst))) => {
            provenance.push(format!(
                "no counterexample: this is the closest approach, the highest score {} among {} candidates",
                short(s),
                rep.candidates
            ));
            (inst.clone(), "holds", format!("closest approach of the search: score {}", short(s)))
        }
        (None, None) => unreachable!("witness() needs a found or a best instance"),
    };
    Witness {
        statement: target.statement().into(),
        check: target.check_name().into(),
        mutant: None,
        verdict: verdict.into(),
        detail,
        instance,
        provenance,
    }
}

/// The JSON report of a search (see the module doc for the keys).
pub fn to_json(target: &dyn SearchTarget, opts: &SearchOptions, rep: &SearchReport, saved: Option<&str>) -> Value {
    let vals = |inst: &Instance| -> Value {
        let mut m = Map::new();
        for (k, x) in values(target, inst) {
            m.insert(k, json!(x.to_string()));
        }
        Value::Object(m)
    };
    let grad = |inst: &Instance| -> Value {
        Value::Array(gradient(inst).into_iter().map(|(n, g)| json!({"name": n, "value": g.to_string()})).collect())
    };
    let mut out = json!({
        "edge": target.statement(),
        "target": target.key(),
        "check": target.check_name(),
        "score_formula": target.score_formula(),
        "verdict": if rep.found.is_some() { "refuted" } else { "no counterexample" },
        "seed": opts.seed,
        "budget_seconds": opts.budget,
        "max_candidates": opts.max_candidates,
        "max_shrink_candidates": opts.max_shrink,
        "candidates": rep.candidates,
        "scored": rep.scored,
        "rounds": rep.rounds,
        "elapsed_seconds": rep.elapsed.as_secs_f64(),
        "stopped_by": rep.stop.word(),
        "disagreements": rep.disagreements,
        "saved": saved,
        "saved_kind": saved.map(|_| if rep.found.is_some() { "counterexample" } else { "closest approach" }),
    });
    let m = out.as_object_mut().expect("object");
    match (&rep.found, &rep.best) {
        (Some(f), _) => {
            m.insert("witness".into(), case_json(&f.witness));
            m.insert("params".into(), params_json(&f.witness));
            m.insert("detail".into(), json!(f.detail));
            m.insert("values".into(), vals(&f.witness));
            m.insert("gradient".into(), grad(&f.witness));
            m.insert("score".into(), json!({"unshrunk": f.original_score.to_string(), "shrunk": f.score.to_string()}));
            m.insert("unshrunk".into(), json!({"witness": case_json(&f.original), "params": params_json(&f.original)}));
            m.insert(
                "shrink".into(),
                json!({
                    "candidates": f.shrink_candidates,
                    "steps": f.shrink_steps,
                    "stopped_by": f.shrink_stop.word(),
                    "seconds": f.shrink_time.as_secs_f64(),
                    "size_before": size_text(&f.original),
                    "size_after": size_text(&f.witness),
                }),
            );
            m.insert("first_violation_after_candidates".into(), json!(f.first_violation_after));
        }
        (None, best) => {
            m.insert("witness".into(), Value::Null);
            if let Some((s, inst)) = best {
                m.insert(
                    "closest".into(),
                    json!({"score": s.to_string(), "witness": case_json(inst), "params": params_json(inst), "values": vals(inst)}),
                );
            }
        }
    }
    out
}

/// The text report of a search.
pub fn to_text(target: &dyn SearchTarget, opts: &SearchOptions, rep: &SearchReport, saved: Option<&str>) -> String {
    let mut s = format!(
        "reluproof search {} (statement {}, check {}): seed {}, budget {} s, at most {} candidates\n",
        target.key(),
        target.statement(),
        target.check_name(),
        opts.seed,
        opts.budget,
        opts.max_candidates
    );
    s += &format!("score: {}\n", target.score_formula());
    for d in &rep.disagreements {
        s += &format!("DISAGREEMENT (score vs check): {d}\n");
    }
    let expected = statement(target.statement()).map_or(Expected::Open, |st| st.expected);
    match &rep.found {
        None => {
            s += &format!(
                "\nno counterexample found in {} candidates ({} inside the hypotheses, {} rounds) within {:.2} s (budget {} s, cap {}; stopped by the {})\n",
                rep.candidates,
                rep.scored,
                rep.rounds,
                rep.elapsed.as_secs_f64(),
                opts.budget,
                opts.max_candidates,
                rep.stop.word()
            );
            match expected {
                Expected::Holds => {
                    s += "this is evidence for the claim, not a proof: every candidate was scored exactly\n"
                }
                Expected::Fails => {
                    s += "a counterexample was expected here: raise --budget / --max-candidates or try another --seed\n"
                }
                _ => {}
            }
            if let Some((best, inst)) = &rep.best {
                s += &format!("closest approach: score {} (a violation would be > 0)\n", show(best));
                for (k, x) in target.quantities(inst) {
                    s += &format!("  {k:<28} = {}\n", show(&x));
                }
            }
        }
        Some(f) => {
            s += &format!(
                "\nfound a violation after {} candidates (round {}), {:.3} s; shrunk in {} candidates ({} simplifications, {:.3} s, stopped: {})\n",
                f.first_violation_after,
                f.round,
                rep.elapsed.as_secs_f64(),
                f.shrink_candidates,
                f.shrink_steps,
                f.shrink_time.as_secs_f64(),
                f.shrink_stop.word()
            );
            s += &format!(
                "score before shrinking {} ({}), after {} ({})\n",
                short(&f.original_score),
                size_text(&f.original),
                show(&f.score),
                size_text(&f.witness)
            );
            s += &format!("re-checked with {} on the exact backend: violated: {}\n", target.check_name(), f.detail);
            if expected == Expected::Holds {
                s += "FINDING: a claim expected to hold is refuted\n";
            }
            s += "\nwitness (a case file: `reluproof eval` reads it):\n\n";
            s += &f.witness.case.to_toml();
            if !f.witness.params.is_empty() {
                s += &format!("\nparameters: {}\n", f.witness.params_text());
            }
            s += "\nexact values:\n";
            for (k, x) in values(target, &f.witness) {
                s += &format!("  {k:<28} = {}\n", show(&x));
            }
            s += "  G (theta order):\n";
            for (n, g) in gradient(&f.witness) {
                s += &format!("    {n:>8} = {}\n", show(&g));
            }
        }
    }
    if let Some(p) = saved {
        if rep.found.is_some() {
            s += &format!("\nsaved to {p} (replay: reluproof replay {p})\n");
        } else {
            // Not a witness: the file records the closest approach and the
            // verdict "holds", which is what its replay reproduces.
            s += &format!(
                "\nsaved the closest approach to {p}: NOT a counterexample (recorded verdict: holds; replay: reluproof replay {p})\n"
            );
        }
    } else if opts.save.is_some() {
        s += "\nnothing to save\n";
    }
    s
}
