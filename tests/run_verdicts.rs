//! gd, sgd and gf say no more than a run shows: L → 0 is "observed" only
//! where L fell, runs outside the hypotheses and inconclusive runs exit 0, a
//! diverging sgd run stops as gd's does, and a refused resume names the file
//! and the real cause. Each test runs the built binary as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_reluproof")
}

fn vector(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors").join(name).display().to_string()
}

fn hand() -> String {
    vector("hand-degenerate.toml")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("run reluproof")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reluproof-verdicts-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Standard output of a run that must exit 0.
fn ok(o: &Output) -> String {
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "expected exit 0; stdout: {out}\nstderr: {err}");
    out.into_owned()
}

/// Exit code 2 with a message on stderr that contains every one of `words`
/// and none of `not`.
fn refused(o: &Output, words: &[&str], not: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "expected exit 2; stderr: {err}");
    for w in words {
        assert!(err.contains(w), "stderr lacks {w:?}: {err}");
    }
    for w in not {
        assert!(!err.contains(w), "stderr has {w:?}: {err}");
    }
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).expect("JSON summary")
}

#[test]
fn l_to_zero_is_observed_only_where_l_fell() {
    let h = hand();
    let rose = ok(&run(&["gd", &h, "--steps", "10", "--gamma", "1", "--quiet"]));
    assert!(rose.contains("C9(e) L -> 0: not observed: L rose from 1.907549e1 to"), "{rose}");
    let rose = json(&ok(&run(&["gd", &h, "--steps", "10", "--gamma", "1", "--quiet", "--json"])));
    assert_eq!(rose["l_to_zero"], "not observed: L rose");
    let none = ok(&run(&["gd", &h, "--steps", "0", "--quiet"]));
    assert!(none.contains("C9(e) L -> 0: not observed: no steps"), "{none}");
    let fell = ok(&run(&["gd", &h, "--steps", "20", "--quiet"]));
    assert!(fell.contains("C9(e) L -> 0: observed, not proven by a finite run (L fell from"), "{fell}");

    let unevaluated = ok(&run(&["sgd", &h, "--steps", "5", "--eval-every", "0", "--quiet"]));
    assert!(unevaluated.contains("L -> 0 almost surely: not evaluated (--eval-every 0)"), "{unevaluated}");
    assert!(!unevaluated.contains("observed on this one path"), "{unevaluated}");
    let v = json(&ok(&run(&["sgd", &h, "--steps", "5", "--eval-every", "0", "--quiet", "--json"])));
    assert_eq!((v["l_to_zero"].as_str(), v["risk_evaluations"].as_u64()), (Some("not evaluated"), Some(0)));
    let v = json(&ok(&run(&["sgd", &h, "--steps", "30", "--gamma", "2", "--quiet", "--json"])));
    assert_eq!(v["l_to_zero"], "not observed: L rose");
}

/// Outside C9's (and C14's) hypothesis a run is a measurement: exit 0,
/// whether it diverges slowly or is stopped as diverged.
#[test]
fn runs_outside_the_hypotheses_exit_0() {
    let h = hand();
    for gamma in ["1", "1e9"] {
        let out = ok(&run(&["gd", &h, "--steps", "100", "--gamma", gamma, "--quiet"]));
        assert!(out.contains("outside C9's hypothesis"), "{out}");
        assert!(out.contains("C9(b) |theta_n|^2 <= V(theta_0): FAILS"), "the measurement is still shown: {out}");
    }
    ok(&run(&["sgd", &h, "--steps", "20", "--gamma", "1", "--quiet"]));
}

#[test]
fn an_inconclusive_flow_exits_0() {
    let out = ok(&run(&["gf", &hand(), "--time", "100000", "--max-steps", "300", "--quiet"]));
    // The budget ran out; the verdict names the likelier cause of the failed
    // checks (steps forced at the minimum step) where there were such steps.
    assert!(out.contains("STOPPED EARLY: step budget spent"), "{out}");
    assert!(out.contains("verdict        inconclusive: "), "{out}");
}

/// sgd stops a diverging exact run as gd does, and prints the huge values
/// in decimal, never as `inf` (seed 0: a path that reaches the divergence
/// stop within 24 steps; seed 1 grows more slowly, L ≈ 1e1490 at step 24).
#[test]
fn a_diverging_sgd_run_stops_and_prints_finite_values() {
    let h = hand();
    let started = std::time::Instant::now();
    let out = ok(&run(&["sgd", &h, "--steps", "24", "--gamma", "1e9", "--seed", "0", "--quiet"]));
    assert!(started.elapsed().as_secs() < 30, "stopped quickly");
    assert!(out.contains("STOPPED at n = "), "{out}");
    assert!(!out.contains("inf"), "{out}");
    let v = json(&ok(&run(&["sgd", &h, "--steps", "24", "--gamma", "1e9", "--seed", "0", "--quiet", "--json"])));
    let at = v["diverged_at"].as_u64().expect("diverged_at");
    assert!(at < 24 && v["steps"].as_u64() == Some(at), "{v}");

    let out = ok(&run(&["sgd", &h, "--steps", "30", "--gamma", "2", "--quiet"]));
    assert!(!out.contains("inf"), "{out}");
    assert!(out.contains("running mean "), "{out}");
    // Within C11's hypothesis nothing stops.
    let v = json(&ok(&run(&["sgd", &h, "--steps", "30", "--quiet", "--json"])));
    assert_eq!((v["diverged_at"].as_u64(), v["steps"].as_u64()), (None, Some(30)));
}

#[test]
fn a_refused_resume_names_the_file_and_the_real_cause() {
    let dir = temp_dir("resume");
    let (h, r10) = (hand(), vector("random-h10.toml"));
    let f = |n: &str| dir.join(n).display().to_string();
    ok(&run(&["gd", &r10, "--steps", "5", "--out", &f("gd.jsonl"), "--quiet"]));
    ok(&run(&["sgd", &r10, "--steps", "5", "--out", &f("sgd.jsonl"), "--quiet"]));
    // Another case: the fingerprint, not the gamma (auto: gamma* of that case).
    refused(
        &run(&["gd", &h, "--steps", "6", "--resume", &f("gd.jsonl"), "--quiet"]),
        &["gd.jsonl", "different case"],
        &["gamma"],
    );
    // Another command: named, not a gamma mismatch.
    refused(
        &run(&["gf", &r10, "--time", "1", "--resume", &f("gd.jsonl"), "--quiet"]),
        &["gd.jsonl", "a gd trajectory, not a gf one"],
        &["random-h10.toml"],
    );
    refused(
        &run(&["sgd", &r10, "--steps", "6", "--resume", &f("gd.jsonl"), "--quiet"]),
        &["gd.jsonl", "a gd trajectory, not a sgd one"],
        &["gamma"],
    );
    refused(
        &run(&["gd", &r10, "--steps", "6", "--resume", &f("sgd.jsonl"), "--quiet"]),
        &["sgd.jsonl", "an sgd trajectory, not a gd one"],
        &["gamma"],
    );
    // An option error names the option, not the case file.
    refused(
        &run(&["gf", &h, "--time", "1", "--tolerance", "1", "--quiet"]),
        &["--tolerance", "(0, 1)"],
        &["hand-degenerate.toml"],
    );
}

/// The f64 trajectory's violations of C9(a) by rounding noise are
/// undecided, not failures, and exit 0; slacks print as decimals.
#[test]
fn f64_rounding_noise_is_no_finding() {
    let out = ok(&run(&["gd", &vector("random-h10.toml"), "--steps", "2000", "--state", "f64", "--quiet"]));
    assert!(!out.contains("FAILS"), "{out}");
    assert!(out.contains("within floating-point rounding (undecided)"), "{out}");
    assert!(!out.contains("min slack -5/"), "{out}");
}

/// A flow whose minimum step (T 2^-20) is too coarse for the tolerance
/// accepts steps it could not make accurate; the node checks that then fail
/// are reported as possibly the integrator's (inconclusive, exit 0), the
/// ratios stay readable, and a "yes" of C12 that absorbed an increase says
/// so (an audit saw "yes; smallest decrease = -1.99e4").
#[test]
fn failures_after_forced_minimum_steps_are_inconclusive() {
    let out = ok(&run(&["gf", &hand(), "--time", "100000", "--max-steps", "3000", "--quiet"]));
    let verdict = out.lines().find(|l| l.starts_with("verdict")).expect("a verdict line");
    assert!(verdict.contains("inconclusive") && verdict.contains("minimum step"), "{out}");
    assert!(out.contains("forced at the minimum step"), "{out}");
    assert!(!out.contains("NOT consistent"), "{out}");
    if let Some(line) = out.lines().find(|l| l.starts_with("C12 L nonincreasing") && l.contains(": yes;")) {
        let decrease = line.rsplit("= ").next().unwrap_or_default();
        assert!(!decrease.starts_with('-') || line.contains("within the slack, not a decrease"), "{line}");
    }
    // In f64 the state overflows (an integrator failure); with the gmp
    // feature MPFR's exponent range holds it until the step budget ends the
    // run. Either way: inconclusive, exit 0, no "the flow blew up".
    let blown = ok(&run(&["gf", &hand(), "--time", "1000000", "--max-steps", "1000", "--quiet"]));
    let verdict = blown.lines().find(|l| l.starts_with("verdict")).expect("a verdict line");
    assert!(verdict.contains("inconclusive"), "{blown}");
    if verdict.contains("integrator failed") {
        assert!(verdict.contains("cannot blow up"), "{verdict}");
    }
    assert!(!blown.contains("(decay observed"), "L did not fall: {blown}");
    let norm = blown.lines().find(|l| l.starts_with("|theta_t|^2 <= V(theta_0)")).expect("the norm line");
    assert!(norm.len() < 200, "a blown-up ratio in scientific notation: {norm}");
}

/// Every run prints its strength on the ladder of `check`: an exact run is
/// `tested` (one trajectory), a float run or a flow `observed`, a run
/// outside the hypotheses `none`; gd and sgd also give it in JSON.
#[test]
fn runs_print_their_strength() {
    let h = hand();
    let strength = |args: &[&str]| -> String {
        let out = ok(&run(args));
        let line = out.lines().find(|l| l.trim_start().starts_with("strength")).unwrap_or_else(|| panic!("{out}"));
        line.trim_start().trim_start_matches("strength").trim_start_matches(':').trim().to_string()
    };
    assert!(strength(&["gd", &h, "--steps", "10", "--quiet"]).starts_with("tested"));
    assert!(strength(&["gd", &h, "--steps", "10", "--state", "f64", "--quiet"]).starts_with("observed"));
    assert!(strength(&["gd", &h, "--steps", "10", "--gamma", "1", "--quiet"]).starts_with("none"));
    assert!(strength(&["sgd", &h, "--steps", "10", "--quiet"]).starts_with("tested"));
    assert!(strength(&["gf", &h, "--time", "1", "--quiet"]).starts_with("observed"));
    assert!(strength(&["gf", &h, "--time", "100000", "--max-steps", "300", "--quiet"]).starts_with("none"));
    let inside = json(&ok(&run(&["gd", &h, "--steps", "10", "--json", "--quiet"])));
    assert_eq!(inside["strength"], "tested");
    // Which hypothesis the run is inside, as the exit code counts it.
    assert_eq!((inside["within_c9"].as_bool(), inside["within_c14"].as_bool()), (Some(true), Some(true)));
    let outside = json(&ok(&run(&["gd", &h, "--steps", "10", "--gamma", "1", "--json", "--quiet"])));
    assert!(outside["strength"].is_null(), "{outside}");
    assert_eq!((outside["within_c9"].as_bool(), outside["within_c14"].as_bool()), (Some(false), Some(false)));
    assert_eq!(json(&ok(&run(&["sgd", &h, "--steps", "10", "--json", "--quiet"])))["strength"], "tested");
}

/// `gf --json`: one object with the verdict, guarantee and strength the text
/// prints, and the checks' numbers; an inconclusive run has no strength.
#[test]
fn gf_json_carries_the_verdict_guarantee_and_strength() {
    let v = json(&ok(&run(&["gf", &hand(), "--time", "1", "--quiet", "--json"])));
    assert_eq!(v["verdict"], "C10 consistent on [0, T] at the nodes");
    assert_eq!(v["strength"], "observed");
    assert_eq!(v["finding"], false);
    assert!(v["guarantee"].as_str().is_some_and(|g| g.starts_with("approximate")), "{v}");
    assert_eq!((v["stop"].as_str(), v["reached"].as_str()), (Some("completed"), Some("1")));
    assert!(v["norm"]["max_ratio"].as_f64().is_some_and(|r| r <= 1.0), "{v}");
    let text = ok(&run(&["gf", &hand(), "--time", "1", "--quiet"]));
    assert!(text.contains(&format!("verdict        {}", v["verdict"].as_str().unwrap_or_default())));
    let budget = json(&ok(&run(&["gf", &hand(), "--time", "100000", "--max-steps", "300", "--quiet", "--json"])));
    assert!(budget["verdict"].as_str().is_some_and(|s| s.starts_with("inconclusive")), "{budget}");
    assert!(budget["strength"].is_null(), "{budget}");
}
