//! A gradient-flow run that is killed midway and resumed with `--resume`
//! equals the uninterrupted run byte for byte (JSON lines and CSV): the
//! checkpoints carry the exact node and the integrator's state (next step,
//! error sum, counters, verdicts), so the resumed run repeats every step. In
//! the default arithmetic of the build: MPFR 128 bits with `gmp`, else f64.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_reluproof")
}

fn random_case() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/random-h10.toml")
}

fn gf(case: &Path, args: &[&str]) -> Output {
    Command::new(bin()).arg("gf").arg(case).args(args).arg("--quiet").output().expect("run reluproof")
}

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reluproof-gf-resume-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The summary without the lines that may differ (wall time, the resume note).
fn summary(text: &str) -> String {
    text.lines().filter(|l| !l.starts_with("steps ") && !l.starts_with("resumed ")).collect::<Vec<_>>().join("\n")
}

/// Runs `args` to the end, then again cut at several points (a torn line, as
/// a kill leaves it) and resumed; every resumed file equals the full one.
fn resumes_exactly(case: &Path, args: &[&str], tag: &str) -> usize {
    let dir = temp_dir(tag);
    let p = |name: &str| dir.join(name).display().to_string();
    let full_text = ok(gf(case, &[args, &["--out", &p("full.jsonl"), "--csv", &p("full.csv")]].concat()), "full run");
    let full = std::fs::read(p("full.jsonl")).expect("full");
    let full_csv = std::fs::read(p("full.csv")).expect("full csv");
    let nodes = full.iter().filter(|&&b| b == b'\n').count();
    assert!(nodes > 8, "{tag}: want a run of some length, got {nodes} nodes");
    // A kill leaves at least the first record (node 0, a checkpoint) complete.
    let first_line = full.iter().position(|&b| b == b'\n').expect("a record") + 1;
    for percent in [5, 37, 64, 99] {
        std::fs::write(p("part.jsonl"), &full[..(full.len() * percent / 100).max(first_line)]).expect("cut");
        std::fs::write(p("part.csv"), &full_csv).expect("csv");
        let text =
            ok(gf(case, &[args, &["--resume", &p("part.jsonl"), "--csv", &p("part.csv")]].concat()), "resumed run");
        assert!(text.contains("resumed        from the checkpoint at node"), "{tag}: {text}");
        assert_eq!(summary(&text), summary(&full_text), "{tag}, cut at {percent}%: the summary");
        assert!(
            std::fs::read(p("part.jsonl")).expect("resumed") == full,
            "{tag}, cut at {percent}%: JSON lines differ"
        );
        assert!(std::fs::read(p("part.csv")).expect("resumed") == full_csv, "{tag}, cut at {percent}%: CSV differs");
    }
    // Resuming a finished run changes nothing.
    std::fs::write(p("done.jsonl"), &full).expect("copy");
    ok(gf(case, &[args, &["--resume", &p("done.jsonl")]].concat()), "resume of a finished run");
    assert!(std::fs::read(p("done.jsonl")).expect("done") == full, "{tag}: resuming a finished run");
    let _ = std::fs::remove_dir_all(&dir);
    nodes
}

#[test]
fn killed_and_resumed_flow_equals_uninterrupted_flow() {
    let nodes = resumes_exactly(&random_case(), &["--time", "1/100", "--checkpoint", "7"], "random");
    assert!(nodes > 20, "several checkpoints");
}

/// An empirical measure whose flow chatters across a switching surface and
/// stops in a sliding mode: the crossing counts and the stop survive a resume.
#[test]
fn resumed_flow_through_switches_into_a_sliding_mode() {
    let dir = temp_dir("case");
    let case = dir.join("sliding.toml");
    std::fs::write(
        &case,
        "[problem]\nmeasure = \"empirical\"\npoints = [\"0\", \"-1\"]\nweights = [\"3\", \"1\"]\ntarget = \"0\"\n\
         [theta]\nw = [\"-1\", \"-1\"]\nb = [\"1/64\", \"-1/2\"]\nv = [\"1\", \"-8\"]\nc = \"1\"\n",
    )
    .expect("case");
    // b_1 = 1/64: the point 0 is active and the flow reaches its kink, where it
    // slides (at b_1 = 0 itself gf stops at once: no solution from there, E8).
    resumes_exactly(&case, &["--time", "1/8", "--checkpoint", "5"], "sliding");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run stopped by its step budget continues with a larger budget to what
/// the larger budget gives at once.
#[test]
fn a_run_out_of_budget_continues_with_a_larger_budget() {
    let dir = temp_dir("budget");
    let p = |name: &str| dir.join(name).display().to_string();
    let args = ["--time", "1/100", "--checkpoint", "10"];
    ok(gf(&random_case(), &[&args[..], &["--out", &p("full.jsonl")]].concat()), "full run");
    let short =
        ok(gf(&random_case(), &[&args[..], &["--max-steps", "23", "--out", &p("part.jsonl")]].concat()), "short");
    assert!(short.contains("step budget spent"), "{short}");
    ok(gf(&random_case(), &[&args[..], &["--resume", &p("part.jsonl")]].concat()), "resumed run");
    assert!(std::fs::read(p("full.jsonl")).expect("full") == std::fs::read(p("part.jsonl")).expect("resumed"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A resume with another --time, precision or tolerance would not repeat the
/// run: refused, and the file is left as it was.
#[test]
fn a_resume_with_other_settings_is_refused_and_leaves_the_file() {
    let dir = temp_dir("refused");
    let p = |name: &str| dir.join(name).display().to_string();
    ok(gf(&random_case(), &["--time", "1/100", "--out", &p("run.jsonl")]), "run");
    let before = std::fs::read(p("run.jsonl")).expect("run");
    for other in [
        &["--time", "1/50"][..],
        &["--time", "1/100", "--precision", "64"],
        &["--time", "1/100", "--tolerance", "1e-9"],
    ] {
        let out = gf(&random_case(), &[other, &["--resume", &p("run.jsonl")]].concat());
        assert!(!out.status.success(), "{other:?} was accepted");
        assert!(std::fs::read(p("run.jsonl")).expect("run") == before, "{other:?} changed the file");
    }
    let out = gf(&random_case(), &["--time", "1/100", "--resume", &p("run.jsonl"), "--out", &p("other.jsonl")]);
    assert!(!out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
