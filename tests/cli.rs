//! The `reluproof` binary as a new user meets it: `reluproof eval FILE`,
//! `--json`, every backend name, and every kind of bad input. A bad input
//! must exit with code 2, never panic, and say on stderr which file and which
//! field is wrong and what was expected there.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_reluproof");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the reluproof binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn vector(name: &str) -> String {
    format!("{VECTORS}/{name}.toml")
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{VECTORS}/{name}.expected.json")).expect("expected json");
    serde_json::from_str(&text).expect("valid json")
}

/// A case file in the temp directory, unique per process and call, removed
/// when dropped.
struct TempCase {
    path: PathBuf,
}

impl TempCase {
    fn new(tag: &str, text: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("reluproof-cli-{}-{n}-{tag}.toml", std::process::id()));
        std::fs::write(&path, text).expect("write temp case");
        TempCase { path }
    }
    fn path(&self) -> &str {
        self.path.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempCase {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A valid Lebesgue case; bad inputs are made by replacing one line.
const GOOD: &str = r#"[problem]
measure = "lebesgue"
a = "0"
b = "1"
target = "1"
activation = "relu"

[theta]
w = ["1", "-1/2"]
b = ["0", "1/3"]
v = ["2", "-1"]
c = "1/4"
"#;

fn good_with(old: &str, new: &str) -> String {
    assert!(GOOD.contains(old), "{old:?} is not a line of GOOD");
    GOOD.replacen(old, new, 1)
}

// ---------------------------------------------------------------- success

#[test]
fn test_eval_text() {
    for name in ["hand-degenerate", "random-h10"] {
        let path = vector(name);
        let o = run(&["eval", &path]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let out = stdout(&o);
        let want = expected(name);
        assert!(out.contains(&format!("case       {path}\n")), "{out}");
        assert!(out.contains("backend    exact\n"), "{out}");
        assert!(out.contains("guarantee  exact"), "{out}");
        assert!(out.contains(&format!("\nL            = {}\n", want["risk"].as_str().expect("risk"))), "{out}");
        assert!(out.contains(&format!("\nV            = {}\n", want["lyapunov"].as_str().expect("V"))), "{out}");
        assert!(out.contains(&format!("\n<grad V, G>  = {}\n", want["grad_v_dot_g"].as_str().expect("dot"))), "{out}");
        assert!(out.contains("<grad V, G> - 8L = 0 "), "C3 holds exactly: {out}");
        // Every gradient component is printed, in θ order, after its name.
        let lines: Vec<&str> =
            out.lines().skip_while(|l| !l.starts_with("G, the generalized gradient")).skip(1).collect();
        let grad = want["gradient"].as_array().expect("gradient");
        assert_eq!(lines.len(), grad.len(), "{out}");
        for (line, g) in lines.iter().zip(grad) {
            assert_eq!(line.split_whitespace().nth(1), g.as_str(), "{line}");
        }
        assert!(o.stderr.is_empty(), "{}", stderr(&o));
    }
}

#[test]
fn test_eval_json() {
    for name in ["hand-degenerate", "random-h10"] {
        let o = run(&["eval", &vector(name), "--json"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let got: Value = serde_json::from_str(&stdout(&o)).expect("stdout is one JSON object");
        let want = expected(name);
        for (key, value) in want.as_object().expect("object") {
            assert_eq!(&got[key], value, "{name}: {key}");
        }
        assert_eq!(got["backend"], "exact");
        assert_eq!(got["guarantee"], "exact");
        assert_eq!(got["identity_defect"], "0");
        assert_eq!(got["eight_risk"], got["grad_v_dot_g"]);
        assert_eq!(got["case"], vector(name).as_str());
    }
}

/// FNV-1a, 64 bits, written again from its definition (offset basis and
/// prime) to check the binary's `#h` hashes independently.
fn fnv1a64(text: &str) -> String {
    let h = text.bytes().fold(14_695_981_039_346_656_037u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211));
    format!("{h:016x}")
}

/// `eval --digits N --json`: every exact value becomes its nearest N-digit
/// decimal (within half a unit of the last digit of the exact value printed
/// without --digits), and its `_hash` is the FNV-1a hash of that exact text.
#[test]
fn digits_print_nearest_decimals_and_hashes_of_the_exact_text() {
    use reluproof::num::parse::parse_rational;
    use reluproof::num::BigRational;
    let ten_to = |k: i64| parse_rational(&format!("1e{k}")).expect("a power of ten");
    for name in ["hand-degenerate", "random-h10", "box-d2"] {
        let exact: Value = serde_json::from_str(&stdout(&run(&["eval", &vector(name), "--json"]))).expect("json");
        let o = run(&["eval", &vector(name), "--json", "--digits", "12"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let short: Value = serde_json::from_str(&stdout(&o)).expect("json");
        let mut seen = 0;
        for key in [
            "risk",
            "lyapunov",
            "grad_v_dot_g",
            "eight_risk",
            "identity_defect",
            "gradient",
            "balance",
            "balance_derivative",
        ] {
            let flat = |v: &Value| -> Vec<String> {
                match v {
                    Value::Array(a) => a.iter().map(|x| x.as_str().expect("a string").to_owned()).collect(),
                    x => vec![x.as_str().expect("a string").to_owned()],
                }
            };
            let (texts, decimals, hashes) = (flat(&exact[key]), flat(&short[key]), flat(&short[format!("{key}_hash")]));
            assert_eq!((texts.len(), texts.len()), (decimals.len(), hashes.len()), "{name}: {key}");
            for ((text, decimal), hash) in texts.iter().zip(&decimals).zip(&hashes) {
                assert_eq!(hash, &fnv1a64(text), "{name}: {key} = {text}");
                let x = parse_rational(text).expect("exact text");
                let p = parse_rational(decimal).expect("a decimal");
                if x == BigRational::from_integer(0.into()) {
                    assert_eq!(decimal, "0");
                    continue;
                }
                let (mantissa, e) = decimal.split_once('e').expect("scientific notation");
                assert_eq!(mantissa.trim_start_matches('-').replace('.', "").len(), 12, "{decimal}");
                let half_unit = ten_to(e.parse::<i64>().expect("exponent") - 11) / BigRational::from_integer(2.into());
                let gap = if x > p { &x - &p } else { &p - &x };
                assert!(gap <= half_unit, "{name}: {key}: {text} printed as {decimal}");
                seen += 1;
            }
        }
        assert!(seen >= 5, "{name}: only {seen} nonzero values");
    }
}
/// Each backend name: the binary accepts it and states the guarantee; the
/// gmp-only ones, without the feature, fail with a clear message.
#[test]
fn test_eval_backends() {
    let path = vector("hand-degenerate");
    let risk = expected("hand-degenerate")["risk"].as_str().expect("risk").to_string();
    for (backend, guarantee, needs_gmp) in [
        ("exact", "exact", false),
        ("f64", "approximate", false),
        ("f64-interval", "enclosure", false),
        ("gmp", "exact", true),
        ("mpfr", "approximate", true),
        ("mpfr:256", "approximate", true),
        ("interval", "enclosure", true),
        ("interval:64", "enclosure", true),
    ] {
        let o = run(&["eval", &path, "--backend", backend, "--json"]);
        if needs_gmp && !cfg!(feature = "gmp") {
            assert_eq!(o.status.code(), Some(2), "{backend}");
            let err = stderr(&o);
            assert!(err.contains("needs the `gmp` feature") && err.contains("--features gmp"), "{backend}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert!(o.stdout.is_empty());
            continue;
        }
        assert!(o.status.success(), "{backend}: {}", stderr(&o));
        let got: Value = serde_json::from_str(&stdout(&o)).expect("json");
        assert_eq!(got["guarantee"], guarantee, "{backend}");
        match guarantee {
            "exact" => assert_eq!(got["risk"], risk.as_str(), "{backend}"),
            "approximate" => {
                assert!(got["error_bound"].is_string(), "{backend}: an approximate result carries its error bound");
                assert!(got["precision_bits"].is_u64(), "{backend}");
            }
            _ => assert!(got["risk"].as_str().is_some_and(|r| r.starts_with('[')), "{backend}: {}", got["risk"]),
        }
        // The text report names the backend and its guarantee too.
        let text = stdout(&run(&["eval", &path, "--backend", backend]));
        assert!(text.contains(&format!("guarantee  {guarantee}")), "{backend}: {text}");
    }
    // Default precisions: mpfr and interval mean 128 bits.
    if cfg!(feature = "gmp") {
        let got: Value =
            serde_json::from_str(&stdout(&run(&["eval", &path, "--backend", "mpfr", "--json"]))).expect("json");
        assert_eq!(got["backend"], "mpfr:128");
    }
}

/// A TOML float is accepted, converted EXACTLY (0.1 is not 1/10 in binary),
/// and the output says so.
#[test]
fn float_converted_exactly_of_toml_float() {
    let f = TempCase::new("float", &good_with("c = \"1/4\"", "c = 0.1"));
    let o = run(&["eval", f.path()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let note = out.lines().find(|l| l.starts_with("note")).unwrap_or_else(|| panic!("no note line: {out}"));
    assert!(note.contains("theta.c") && note.contains("3602879701896397/36028797018963968"), "{note}");
    // The same case with the exact value written as a string gives the same
    // numbers (and no note).
    let s = TempCase::new("float-string", &good_with("c = \"1/4\"", "c = \"3602879701896397/36028797018963968\""));
    let j1: Value = serde_json::from_str(&stdout(&run(&["eval", f.path(), "--json"]))).expect("json");
    let j2: Value = serde_json::from_str(&stdout(&run(&["eval", s.path(), "--json"]))).expect("json");
    for key in ["risk", "gradient", "lyapunov", "grad_v_dot_g"] {
        assert_eq!(j1[key], j2[key], "{key}");
    }
    let notes = j1["notes"].as_array().expect("notes");
    assert!(notes.iter().any(|n| n.as_str().is_some_and(|n| n.contains("3602879701896397/36028797018963968"))));
    assert_eq!(j2["notes"].as_array().map(Vec::len), Some(0));
}

/// TOML integers are exact numbers too, and need no note.
#[test]
fn eval_success_of_toml_integers() {
    let f = TempCase::new("ints", &good_with("a = \"0\"", "a = -1").replace("v = [\"2\", \"-1\"]", "v = [2, -1]"));
    let o = run(&["eval", f.path(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(j["notes"].as_array().map(Vec::len), Some(0));
}

// ------------------------------------------------------------ bad inputs

/// Runs `eval` on `text` and checks the failure: exit code 2, no panic, no
/// stdout, and stderr names the file, the field and the expectation.
fn assert_rejected(tag: &str, text: &str, field: &str, expectation: &str) {
    let f = TempCase::new(tag, text);
    for json in [false, true] {
        let mut args = vec!["eval", f.path()];
        if json {
            args.push("--json");
        }
        let o = run(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{tag}: exit code; stderr: {err}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
        assert!(o.stdout.is_empty(), "{tag}: stdout should be empty: {}", stdout(&o));
        assert!(err.contains(f.path()), "{tag}: stderr does not name the file: {err}");
        assert!(err.contains(&format!("`{field}`")), "{tag}: stderr does not name the field {field}: {err}");
        assert!(err.contains(expectation), "{tag}: stderr does not say {expectation:?}: {err}");
    }
}

#[test]
fn eval_rejects_of_malformed_number() {
    let pq = "expected \"p/q\" with p and q unsigned integers";
    assert_rejected("slash-x", &good_with("v = [\"2\", \"-1\"]", "v = [\"1/x\", \"-1\"]"), "theta.v[0]", pq);
    let dec = "expected an integer, \"p/q\", or a decimal";
    assert_rejected("abc", &good_with("b = [\"0\", \"1/3\"]", "b = [\"0\", \"abc\"]"), "theta.b[1]", dec);
    assert_rejected("two-dots", &good_with("c = \"1/4\"", "c = \"1.2.3\""), "theta.c", dec);
    assert_rejected("empty", &good_with("target = \"1\"", "target = \"\""), "problem.target", "empty string; expected");
    assert_rejected(
        "bool",
        &good_with("c = \"1/4\"", "c = true"),
        "theta.c",
        "expected a number as a string like \"3/7\"",
    );
    assert_rejected("exp", &good_with("a = \"0\"", "a = \"1e99999\""), "problem.a", "exponent too large");
}

#[test]
fn eval_rejects_of_zero_denominator() {
    assert_rejected("zero-den", &good_with("c = \"1/4\"", "c = \"1/0\""), "theta.c", "zero denominator");
}

#[test]
fn eval_rejects_of_non_finite_float() {
    let finite = "expected a finite number";
    assert_rejected("nan", &good_with("c = \"1/4\"", "c = nan"), "theta.c", finite);
    assert_rejected("inf", &good_with("c = \"1/4\"", "c = inf"), "theta.c", finite);
    assert_rejected("neg-inf", &good_with("w = [\"1\", \"-1/2\"]", "w = [-inf, \"-1/2\"]"), "theta.w[0]", finite);
    // ... and the same words as strings.
    assert_rejected("nan-string", &good_with("c = \"1/4\"", "c = \"NaN\""), "theta.c", "not a finite number");
}

#[test]
fn eval_rejects_of_empty_domain() {
    let need = "needs a < b";
    assert_rejected("a-eq-b", &good_with("b = \"1\"", "b = \"0\""), "problem.b", need);
    assert_rejected("a-gt-b", &good_with("a = \"0\"", "a = \"3/2\""), "problem.b", need);
}

#[test]
fn eval_rejects_of_empty_network() {
    let text = good_with("w = [\"1\", \"-1/2\"]\nb = [\"0\", \"1/3\"]\nv = [\"2\", \"-1\"]", "w = []\nb = []\nv = []");
    assert_rejected("h0", &text, "theta.b", "width H must be at least 1");
}

#[test]
fn eval_rejects_of_mismatched_lengths() {
    let entries = "expected 2 entries, one per neuron";
    assert_rejected("w-short", &good_with("w = [\"1\", \"-1/2\"]", "w = [\"1\"]"), "theta.w", entries);
    assert_rejected("v-long", &good_with("v = [\"2\", \"-1\"]", "v = [\"2\", \"-1\", \"3\"]"), "theta.v", entries);
    let b3 = good_with("b = [\"0\", \"1/3\"]", "b = [\"0\", \"1/3\", \"5\"]");
    assert_rejected("b-long", &b3, "theta.w", "expected 3 entries, one per neuron");
}

#[test]
fn eval_rejects_of_unknown_key() {
    let unknown = "unknown key; expected one of";
    assert_rejected(
        "problem-key",
        &good_with("target = \"1\"", "target = \"1\"\nlearning_rate = \"1\""),
        "problem.learning_rate",
        unknown,
    );
    assert_rejected("theta-key", &good_with("c = \"1/4\"", "c = \"1/4\"\nd = \"2\""), "theta.d", unknown);
    assert_rejected("top-key", &format!("extra = 1\n{GOOD}"), "extra", unknown);
    assert_rejected("top-table", &format!("{GOOD}\n[training]\nsteps = 3\n"), "training", unknown);
}

#[test]
fn eval_rejects_of_bad_measure() {
    let negative = r#"[problem]
measure = "empirical"
points = ["0", "1/2", "1"]
weights = ["1", "-1/2", "1"]
target = "1"

[theta]
w = ["1"]
b = ["0"]
v = ["1"]
c = "0"
"#;
    assert_rejected("neg-weight", negative, "problem.weights[1]", "weights must be nonnegative");
    let uniform2 = good_with("measure = \"lebesgue\"", "measure = \"uniform\"\nd = 2");
    // d = 2 with scalar ends is the cube [a, b]^2: θ's rows must then have 2 entries.
    assert_rejected("uniform-d2", &uniform2, "theta.w[0]", "expected 2 coordinate(s)");
    let lebesgue2 = good_with("b = \"1\"", "b = \"1\"\nd = 2");
    assert_rejected("lebesgue-d2", &lebesgue2, "theta.w[0]", "expected 2 coordinate(s)");
    assert_rejected(
        "measure",
        &good_with("measure = \"lebesgue\"", "measure = \"gaussian\""),
        "problem.measure",
        "expected \"lebesgue\", \"uniform\" or \"empirical\"",
    );
    assert_rejected(
        "activation",
        &good_with("activation = \"relu\"", "activation = \"swish\""),
        "problem.activation",
        "unknown activation \"swish\"; expected one of: relu, leaky_relu",
    );
    assert_rejected(
        "leaky-no-slope",
        &good_with("activation = \"relu\"", "activation = \"leaky_relu\""),
        "problem.activation",
        "leaky_relu needs its slope",
    );
    assert_rejected(
        "leaky-bad-key",
        &good_with("activation = \"relu\"", "activation = { name = \"leaky_relu\", slope = \"1/2\", alpha = \"1\" }"),
        "problem.activation.alpha",
        "unknown key",
    );
    assert_rejected(
        "affine-slope-len",
        &good_with("target = \"1\"", "target = { slope = [\"1\", \"2\"], intercept = \"0\" }"),
        "problem.target.slope",
        "expected 1 number(s)",
    );
    assert_rejected(
        "pl-knots-order",
        &good_with("target = \"1\"", "target = { knots = [\"0\", \"0\"], values = [\"1\", \"2\"] }"),
        "problem.target.knots[1]",
        "knots must increase strictly",
    );
    assert_rejected(
        "pl-values-len",
        &good_with("target = \"1\"", "target = { knots = [\"0\", \"1\"], values = [\"1\"] }"),
        "problem.target.values",
        "expected 2 values",
    );
    assert_rejected(
        "no-bias-c",
        &good_with("activation = \"relu\"", "activation = \"relu\"\noutput_bias = false"),
        "theta.c",
        "c must be 0 or absent",
    );
    let ragged =
        negative.replace("points = [\"0\", \"1/2\", \"1\"]", "points = [[\"0\", \"1\"], [\"1/2\"], [\"1\", \"2\"]]");
    assert_rejected("ragged", &ragged, "problem.points[1]", "expected 2 coordinate(s)");
    assert_rejected(
        "no-points",
        &negative.replace("points = [\"0\", \"1/2\", \"1\"]\n", ""),
        "problem.points",
        "missing",
    );
}

#[test]
fn eval_rejects_of_missing_table() {
    let no_theta = GOOD.split("[theta]").next().expect("problem part").to_string();
    assert_rejected("no-theta", &no_theta, "theta", "missing table [theta]");
    assert_rejected("no-c", &good_with("c = \"1/4\"\n", ""), "theta.c", "missing");
}

#[test]
fn eval_rejects_of_invalid_toml() {
    let f = TempCase::new("syntax", "[problem\nmeasure = \"lebesgue\"\n");
    let o = run(&["eval", f.path()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(f.path()) && err.contains("invalid TOML"), "{err}");
    // The TOML parser's message says where (line 1) and what it expected.
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn eval_rejects_of_missing_file() {
    let path = std::env::temp_dir().join(format!("reluproof-cli-{}-does-not-exist.toml", std::process::id()));
    let path = path.to_str().expect("utf-8");
    let o = run(&["eval", path]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(path) && err.contains("cannot read the file"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn eval_rejects_of_unknown_backend() {
    for bad in ["float", "mpfr:1", "mpfr:x", "exact:64"] {
        let o = run(&["eval", &vector("hand-degenerate"), "--backend", bad]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("--backend") && err.contains(bad), "{bad}: {err}");
        assert!(err.contains("expected"), "{bad}: says what is expected: {err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn usage_printed_of_missing_arguments() {
    let o = run(&["eval"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<CASE>"), "{}", stderr(&o));
    let o = run(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("eval"), "{}", stdout(&o));
    let o = run(&["eval", "--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("--backend") && stdout(&o).contains("--json"));
}

/// The relative path printed is the one given (the snapshots rely on it).
#[test]
fn case_path_eq_of_given_path() {
    let o = Command::new(BIN)
        .current_dir(Path::new(VECTORS).parent().expect("tests dir"))
        .args(["eval", "vectors/random-h10.toml"])
        .output()
        .expect("runs");
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("case       vectors/random-h10.toml\n"), "{}", stdout(&o));
}

/// A check run cut short and resumed from its report directory gives the
/// same rows as one uninterrupted run; the finished checks are not re-run.
#[test]
fn check_resume_of_report_dir_equals_uninterrupted_run() {
    let base = std::env::temp_dir().join(format!("reluproof-cli-resume-{}", std::process::id()));
    let (full, cut) = (base.join("full"), base.join("cut"));
    let args = |dir: &std::path::Path, ids: &[&str], resume: bool| {
        let mut a: Vec<String> = ["check", "--json", "--quiet", "--cases", "30", "--report"].map(String::from).to_vec();
        a.push(dir.display().to_string());
        a.extend(ids.iter().map(|s| s.to_string()));
        if resume {
            a.push("--resume".into());
        }
        a
    };
    let rows = |o: &Output| -> Vec<Value> {
        assert!(o.status.success(), "{}", stderr(o));
        let j: Value = serde_json::from_str(&stdout(o)).expect("json");
        let mut claims = j["claims"].as_array().expect("claims").clone();
        for c in &mut claims {
            c["witness_file"] = Value::Null; // the directories differ
        }
        claims
    };
    let run_s = |a: Vec<String>| Command::new(BIN).args(&a).output().expect("runs");
    let uninterrupted = rows(&run_s(args(&full, &["C3", "E2"], false)));
    let _ = rows(&run_s(args(&cut, &["C3"], false)));
    let resumed_out = run_s(args(&cut, &["C3", "E2"], true));
    assert!(stderr(&resumed_out).is_empty(), "--quiet resume printed: {}", stderr(&resumed_out));
    assert_eq!(rows(&resumed_out), uninterrupted);
    let progress = std::fs::read_to_string(cut.join("progress.jsonl")).expect("progress");
    assert_eq!(progress.lines().filter(|l| l.contains("\"lyapunov_identity\"")).count(), 1, "C3 ran twice");
    // Without --report, --resume is refused with a clear message.
    let o = run(&["check", "C3", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--report"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&base);
}

/// `init --out` and `gd-sweep --plot` never replace a file without --force
/// (an audit saw `init --out` overwrite a case and a witness copy, and
/// `gd-sweep --plot` overwrite a case file), and refuse before any work.
#[test]
fn init_and_gd_sweep_do_not_overwrite_without_force() {
    let case = TempCase::new("keep", &std::fs::read_to_string(vector("random-h10")).expect("vector"));
    let before = std::fs::read_to_string(case.path()).expect("case");
    let o = run(&["init", "--H", "3", "--out", case.path()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--out") && stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = run(&["gd-sweep", "--H", "2", "--scales", "1", "--steps", "2", "--refine", "1", "--plot", case.path()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--plot") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(case.path()).expect("case"), before, "the case is untouched");
    // With --force init replaces it, with the case it was asked for.
    let o = run(&["init", "--H", "3", "--out", case.path(), "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(case.path()).expect("case").contains("reluproof init --H 3"));
}

/// `gd`, `sgd` and `gf --out` never replace an existing trajectory without
/// --force (an audit saw a second `gd --out f` silently replace the first
/// run's record); the message points to --resume. An empty file (a fresh
/// temporary path) is written as before.
#[test]
fn dynamics_do_not_replace_a_trajectory_without_force() {
    let case = TempCase::new("traj-case", GOOD);
    let traj = TempCase::new("traj", "{\"an earlier run\": true}\n");
    for cmd in [&["gd", "--steps", "2"][..], &["sgd", "--steps", "2"], &["gf", "--time", "1/100"]] {
        let mut args = cmd.to_vec();
        args.extend([case.path(), "--out", traj.path()]);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("--out") && err.contains("--resume") && err.contains("--force"), "{cmd:?}: {err}");
        assert_eq!(std::fs::read_to_string(traj.path()).expect("kept"), "{\"an earlier run\": true}\n");
    }
    let o = run(&["gd", "--steps", "2", case.path(), "--out", traj.path(), "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!std::fs::read_to_string(traj.path()).expect("new").contains("an earlier run"));
    let fresh = TempCase::new("traj-empty", "");
    let o = run(&["gd", "--steps", "2", case.path(), "--out", fresh.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `init` writes only cases that `eval` reads: a box in d = 7 or wider than
/// exact box integration accepts is refused with the reader's reason (an
/// audit found both written, then refused by eval); a box within the limits
/// is written and evaluates.
#[test]
fn init_writes_only_cases_eval_reads() {
    for (h, d, why) in [("3", "7", "dimension 7"), ("3000", "2", "at most H = ")] {
        let o = run(&["init", "--H", h, "--d", d, "--measure", "uniform", "--a", "-1", "--b", "1"]);
        assert_eq!(o.status.code(), Some(2), "H {h} d {d}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("--H {h} --d {d}")) && stderr(&o).contains(why), "{}", stderr(&o));
        assert!(o.stdout.is_empty(), "nothing written");
    }
    let o = run(&["init", "--H", "4", "--d", "3", "--measure", "uniform", "--a", "-1", "--b", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let case = TempCase::new("box", &stdout(&o));
    let e = run(&["eval", case.path()]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
}

/// `gd-sweep` states its guarantee and strength (text and JSON: an object
/// with `guarantee`, `strength` and `rows`, where it was a bare list) and
/// takes the grid bounds of `gd --state dyadic:BITS`.
#[test]
fn gd_sweep_states_its_guarantee_and_bounds_its_options() {
    let args = ["gd-sweep", "--H", "2", "--scales", "1", "--steps", "3", "--refine", "1"];
    let text = stdout(&run(&args));
    assert!(text.contains("guarantee exact") && text.contains("strength observed"), "{text}");
    let o = run(&[&args[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!((v["guarantee"].as_str(), v["strength"].as_str()), (Some("exact"), Some("observed")));
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(1));
    for bad in [&["--bits", "1"][..], &["--steps", "0"]] {
        let o = run(&[&["gd-sweep", "--H", "2", "--scales", "1"][..], bad].concat());
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&o).contains(bad[0]), "{bad:?}: {}", stderr(&o));
    }
}
