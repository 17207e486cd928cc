//! Issue 12: no panics, no false verdicts, nothing overwritten. One test per
//! item, each running the built binary as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_reluproof")
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("run reluproof")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(dir).output().expect("run reluproof")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reluproof-reliability-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Exit code 2 with a message on stderr that contains every one of `words`.
fn refused(o: &Output, words: &[&str]) {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(2), "expected exit 2; stdout: {out}\nstderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in words {
        assert!(err.contains(w), "stderr lacks {w:?}: {err}");
    }
}

fn ok(o: &Output) -> String {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(0), "expected exit 0; stdout: {out}\nstderr: {err}");
    out
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write");
    p.display().to_string()
}

fn case_text(theta_w: &str, extra: &str) -> String {
    format!(
        "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"3/2\"\n{extra}\n[theta]\nw = [\"{theta_w}\", \"1/2\"]\nb = [\"1\", \"-1/3\"]\nv = [\"2\", \"1\"]\nc = \"0\"\n"
    )
}

const ZERO_MASS: &str = "[problem]\nmeasure = \"empirical\"\npoints = [\"1\", \"2\"]\nweights = [\"0\", \"0\"]\ntarget = \"1\"\n[theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n";

// ---- crashes become clear errors ----

#[test]
fn smooth_activations_are_refused_by_the_dynamics() {
    let w = repo("tests/witnesses/e3_softplus.toml").display().to_string();
    refused(&run(&["gd", &w, "--steps", "2", "--quiet"]), &["e3_softplus.toml", "problem.activation", "softplus"]);
    refused(&run(&["sgd", &w, "--steps", "2", "--quiet"]), &["e3_softplus.toml", "problem.activation"]);
    refused(&run(&["gf", &w, "--time", "1", "--quiet"]), &["e3_softplus.toml", "problem.activation"]);
}

#[test]
fn gf_refuses_an_entry_beyond_the_f64_range() {
    let dir = temp_dir("inf");
    let c = write(&dir, "inf.toml", &case_text("1e309", ""));
    refused(&run(&["gf", &c, "--time", "1", "--precision", "0", "--quiet"]), &["inf.toml", "theta", "range"]);
}

#[test]
fn a_closed_pipe_ends_the_process_quietly() {
    let dir = temp_dir("pipe");
    let c = dir.join("wide.toml").display().to_string();
    ok(&run(&["init", "--H", "3000", "--a", "-4", "--b", "4", "--out", &c]));
    for args in [vec!["eval", c.as_str(), "--backend", "f64"], vec!["list"]] {
        let mut child =
            Command::new(bin()).args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {:?} {err}", out.status);
    }
}

#[test]
fn huge_sizes_are_bounded_with_clear_errors() {
    let dir = temp_dir("huge");
    let c = write(&dir, "c.toml", &case_text("1", ""));
    refused(&run(&["sgd", &c, "--batch", "100000000000", "--steps", "1", "--quiet"]), &["--batch"]);
    refused(&run(&["init", "--H", "100000000000"]), &["--H"]);
    // A number of 10^6 digits is refused at once, and not echoed whole.
    let long = write(&dir, "long.toml", &case_text(&"7".repeat(1_000_000), ""));
    let t = std::time::Instant::now();
    let o = run(&["eval", &long]);
    refused(&o, &["long.toml", "theta.w[0]", "characters"]);
    assert!(o.stderr.len() < 2000 && t.elapsed().as_secs() < 20, "{} bytes", o.stderr.len());
    // A long line with a syntax error: the message is bounded.
    let junk = write(&dir, "junk.toml", &format!("x = [{} ?", "1,".repeat(2_000_000)));
    let o = run(&["eval", &junk]);
    refused(&o, &["junk.toml", "invalid TOML"]);
    assert!(o.stderr.len() < 5000, "{} bytes of error", o.stderr.len());
    // A malformed long number is echoed cut.
    let bad = write(&dir, "bad.toml", &case_text(&format!("{}x", "1".repeat(50_000)), ""));
    let o = run(&["eval", &bad]);
    refused(&o, &["bad.toml", "characters"]);
    assert!(o.stderr.len() < 2000, "{} bytes of error", o.stderr.len());
}

// ---- false verdicts become inconclusive or refusals ----

#[test]
fn an_overflowing_f64_run_is_inconclusive_not_holds() {
    let dir = temp_dir("overflow");
    let c = write(&dir, "c.toml", &case_text("1e400", ""));
    let out = ok(&run(&["gd", &c, "--state", "f64", "--steps", "5", "--quiet"]));
    assert!(!out.contains("holds"), "{out}");
    assert!(out.contains("INCONCLUSIVE"), "{out}");
}

#[test]
fn a_blown_up_flow_is_inconclusive_not_a_finding() {
    let dir = temp_dir("blowup");
    let c = write(&dir, "c.toml", &case_text("1e4", ""));
    let out = ok(&run(&["gf", &c, "--time", "1", "--precision", "0", "--quiet"]));
    assert!(out.contains("inconclusive: integrator failed"), "{out}");
    assert!(!out.contains("NOT consistent"), "{out}");
}

#[test]
fn cases_outside_the_hypotheses_are_refused_not_findings() {
    let dir = temp_dir("outside");
    let no_bias = write(
        &dir,
        "nob.toml",
        "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"1\"\ntarget = \"1\"\noutput_bias = false\n[theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\n",
    );
    let affine = repo("tests/witnesses/e1_critical_point.toml").display().to_string();
    for (cmd, claim) in [("gd", "C9"), ("sgd", "C11")] {
        refused(&run(&[cmd, &no_bias, "--steps", "3", "--quiet"]), &["nob.toml", "output_bias", claim]);
        refused(&run(&[cmd, &affine, "--steps", "3", "--quiet"]), &["e1_critical_point.toml", "problem.target"]);
    }
    refused(&run(&["gf", &no_bias, "--time", "1", "--quiet"]), &["nob.toml", "output_bias", "C10"]);
    refused(&run(&["gf", &affine, "--time", "1", "--quiet"]), &["problem.target"]);
}

#[test]
fn replay_refuses_a_witness_whose_statement_disagrees_with_its_check() {
    let dir = temp_dir("replay");
    let body = std::fs::read_to_string(repo("tests/witnesses/e1_critical_point.toml")).expect("witness");
    assert!(body.contains("statement = \"E1\""));
    let w = write(&dir, "wrong.toml", &body.replace("statement = \"E1\"", "statement = \"C3\""));
    refused(&run(&["replay", &w]), &["wrong.toml", "witness.statement", "E1"]);
}

#[cfg(not(feature = "gmp"))]
#[test]
fn replay_on_a_missing_backend_cannot_decide_here() {
    let w = repo("tests/witnesses/e1_critical_point.toml").display().to_string();
    let o = run(&["replay", &w, "--backend", "gmp"]);
    refused(&o, &["--backend", "gmp"]);
    assert!(!text(&o).1.contains("Undecided {"), "no debug dump");
}

#[test]
fn zero_mass_is_refused_everywhere_with_one_message() {
    let dir = temp_dir("mass");
    let c = write(&dir, "zero.toml", ZERO_MASS);
    let msg = "every weight is 0";
    refused(&run(&["eval", &c]), &["zero.toml", "problem.weights", msg]);
    refused(&run(&["gd", &c, "--quiet"]), &["zero.toml", "problem.weights", msg]);
    refused(&run(&["sgd", &c, "--quiet"]), &["zero.toml", "problem.weights", msg]);
    refused(&run(&["gf", &c, "--time", "1", "--quiet"]), &["zero.toml", "problem.weights", msg]);
}

// ---- resume and files ----

fn cases(dir: &Path) -> (String, String) {
    (write(dir, "a.toml", &case_text("1", "")), write(dir, "b.toml", &case_text("3/4", "")))
}

#[test]
fn resume_refuses_a_trajectory_of_another_case() {
    let dir = temp_dir("fingerprint");
    let (a, b) = cases(&dir);
    let f = |n: &str| dir.join(n).display().to_string();
    let common = ["--gamma", "1/1000", "--state", "f64", "--quiet"];
    ok(&run(&[&["gd", &a, "--steps", "10", "--out", &f("gd.jsonl")][..], &common].concat()));
    refused(
        &run(&[&["gd", &b, "--steps", "20", "--resume", &f("gd.jsonl")][..], &common].concat()),
        &["gd.jsonl", "different case", "fingerprint"],
    );
    ok(&run(&[&["sgd", &a, "--steps", "10", "--out", &f("sgd.jsonl")][..], &common].concat()));
    refused(
        &run(&[&["sgd", &b, "--steps", "20", "--resume", &f("sgd.jsonl")][..], &common].concat()),
        &["sgd.jsonl", "different case"],
    );
    // A changed --eval-every is refused too, naming both settings.
    refused(
        &run(&[&["sgd", &a, "--steps", "20", "--eval-every", "3", "--resume", &f("sgd.jsonl")][..], &common].concat()),
        &["sgd.jsonl", "--eval-every 10", "--eval-every 3"],
    );
    ok(&run(&["gf", &a, "--time", "1/50", "--precision", "0", "--out", &f("gf.jsonl"), "--quiet"]));
    let before = std::fs::read(f("gf.jsonl")).expect("gf file");
    refused(
        &run(&["gf", &b, "--time", "1/50", "--precision", "0", "--resume", &f("gf.jsonl"), "--quiet"]),
        &["gf.jsonl", "different case"],
    );
    assert_eq!(std::fs::read(f("gf.jsonl")).expect("gf file"), before, "a refused resume leaves the file");
}

#[test]
fn a_refused_gf_resume_of_another_width_leaves_the_file_as_it_was() {
    let dir = temp_dir("gf-width");
    let (a, _) = cases(&dir);
    let h1 = write(&dir, "h1.toml", "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"3/2\"\n[theta]\nw = [\"1\"]\nb = [\"1\"]\nv = [\"2\"]\nc = \"0\"\n");
    let f = dir.join("gf.jsonl").display().to_string();
    ok(&run(&["gf", &a, "--time", "1/50", "--precision", "0", "--out", &f, "--quiet"]));
    let before = std::fs::read(&f).expect("gf file");
    let o = run(&["gf", &h1, "--time", "1/50", "--precision", "0", "--resume", &f, "--quiet"]);
    refused(&o, &["gf.jsonl"]);
    assert_eq!(std::fs::read(&f).expect("gf file"), before);
}

#[test]
fn an_altered_checkpoint_is_reported_as_a_corrupt_file() {
    let dir = temp_dir("corrupt");
    let (a, _) = cases(&dir);
    let f = |n: &str| dir.join(n).display().to_string();
    ok(&run(&["gd", &a, "--steps", "10", "--out", &f("gd.jsonl"), "--quiet"]));
    ok(&run(&["gf", &a, "--time", "1/50", "--precision", "0", "--out", &f("gf.jsonl"), "--quiet"]));
    for (name, key) in [("gd.jsonl", "sum_risk"), ("gf.jsonl", "q_exact")] {
        let body = std::fs::read_to_string(f(name)).expect("file");
        let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
        let last = lines.last_mut().expect("a record");
        let mut v: serde_json::Value = serde_json::from_str(last).expect("json");
        assert!(v.get(key).is_some(), "{name} has {key}");
        v[key] = serde_json::Value::from("1/3");
        *last = v.to_string();
        std::fs::write(f(name), lines.join("\n") + "\n").expect("write");
        let args: Vec<&str> = if name == "gd.jsonl" {
            vec!["gd", &a, "--steps", "20", "--resume", name, "--quiet"]
        } else {
            vec!["gf", &a, "--time", "1/50", "--precision", "0", "--resume", name, "--quiet"]
        };
        refused(&run_in(&dir, &args), &[name, "corrupt file", "checksum"]);
    }
}

#[test]
fn outputs_never_replace_inputs_or_each_other_without_force() {
    let dir = temp_dir("outputs");
    let (a, b) = cases(&dir);
    let before = std::fs::read(&a).expect("case");
    refused(&run(&["gd", &a, "--out", &a, "--steps", "2", "--quiet"]), &["--out", "input"]);
    refused(&run(&["gd", &a, "--csv", &b, "--steps", "2", "--quiet"]), &["--csv", "case or witness file"]);
    let f = dir.join("f").display().to_string();
    refused(&run(&["gd", &a, "--out", &f, "--csv", &f, "--steps", "2", "--quiet"]), &["--out", "--csv", "same file"]);
    refused(&run(&["sgd", &a, "--plot", &a, "--steps", "2", "--quiet"]), &["--plot", "input"]);
    refused(&run(&["gf", &a, "--time", "1/50", "--out", &a, "--quiet"]), &["--out", "input"]);
    // --resume writes to the file it continues: the refusal names --resume.
    refused(&run(&["gd", &a, "--resume", &a, "--steps", "2", "--quiet"]), &["--resume", "input"]);
    assert_eq!(std::fs::read(&a).expect("case"), before, "the case file is untouched");
    // --force lets an output replace another case file (never two outputs on one path).
    ok(&run(&["gd", &a, "--csv", &b, "--steps", "2", "--force", "--quiet"]));
    refused(&run(&["gd", &a, "--out", &f, "--csv", &f, "--steps", "2", "--force", "--quiet"]), &["same file"]);
    // search --save over an existing witness.
    std::fs::create_dir_all(dir.join("tests/witnesses")).expect("dir");
    std::fs::write(dir.join("tests/witnesses/mine.toml"), "keep").expect("witness");
    let o = run_in(&dir, &["search", "E2", "--save", "mine", "--max-candidates", "50", "--budget", "5", "--quiet"]);
    refused(&o, &["--save", "mine", "--force"]);
    assert_eq!(std::fs::read_to_string(dir.join("tests/witnesses/mine.toml")).expect("witness"), "keep");
}

#[test]
fn resuming_a_longer_run_with_fewer_steps_is_refused() {
    let dir = temp_dir("steps");
    let (a, _) = cases(&dir);
    let f = dir.join("gd.jsonl").display().to_string();
    ok(&run(&["gd", &a, "--steps", "30", "--state", "f64", "--out", &f, "--quiet"]));
    refused(&run(&["gd", &a, "--steps", "10", "--state", "f64", "--resume", &f, "--quiet"]), &["n = 30", "--steps"]);
    let s = dir.join("sgd.jsonl").display().to_string();
    ok(&run(&["sgd", &a, "--steps", "30", "--state", "f64", "--out", &s, "--quiet"]));
    refused(&run(&["sgd", &a, "--steps", "10", "--state", "f64", "--resume", &s, "--quiet"]), &["n = 30", "--steps"]);
}

#[test]
fn checkpoint_zero_means_the_last_record_only_everywhere() {
    let dir = temp_dir("checkpoint");
    let (a, _) = cases(&dir);
    let f = |n: &str| dir.join(n).display().to_string();
    ok(&run(&["gd", &a, "--steps", "6", "--state", "f64", "--checkpoint", "0", "--out", &f("gd.jsonl"), "--quiet"]));
    ok(&run(&["sgd", &a, "--steps", "6", "--state", "f64", "--checkpoint", "0", "--out", &f("sgd.jsonl"), "--quiet"]));
    ok(&run(&[
        "gf",
        &a,
        "--time",
        "1/50",
        "--precision",
        "0",
        "--checkpoint",
        "0",
        "--out",
        &f("gf.jsonl"),
        "--quiet",
    ]));
    for name in ["gd.jsonl", "sgd.jsonl", "gf.jsonl"] {
        let body = std::fs::read_to_string(f(name)).expect("file");
        let with_state: Vec<bool> = body.lines().map(|l| l.contains("\"theta\"")).collect();
        assert!(with_state.len() > 2, "{name}");
        assert_eq!(with_state.iter().filter(|&&x| x).count(), 1, "{name}: one checkpoint");
        assert!(with_state.last() == Some(&true), "{name}: the last record carries the state");
    }
}

#[test]
fn negative_option_values_get_domain_errors() {
    let dir = temp_dir("negative");
    let (a, _) = cases(&dir);
    refused(&run(&["gd", &a, "--gamma", "-1", "--quiet"]), &["--gamma", "positive"]);
    refused(&run(&["sgd", &a, "--gamma", "-1/2", "--quiet"]), &["--gamma", "positive"]);
    refused(&run(&["gf", &a, "--time", "-1", "--quiet"]), &["--time", "positive"]);
    refused(&run(&["init", "--H", "2", "--scale", "-1"]), &["--scale", "positive"]);
}

#[test]
fn dimension_zero_is_refused() {
    let dir = temp_dir("dim");
    let c = write(
        &dir,
        "empty.toml",
        "[problem]\nmeasure = \"empirical\"\npoints = [[], []]\ntarget = \"1\"\n[theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n",
    );
    refused(&run(&["eval", &c]), &["empty.toml", "problem.points[0]", "d >= 1"]);
    refused(&run(&["init", "--H", "2", "--d", "0"]), &["--d"]);
}
