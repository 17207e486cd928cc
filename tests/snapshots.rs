//! insta snapshots of the `eval` report and of `eval --json`, for both reference
//! vectors, on the exact backend (and on gmp with the `gmp` feature: its own
//! snapshot, since the backend name differs). They pin the whole output
//! format; the numbers in them are exact "p/q" strings, which are checked
//! against the vectors' expected JSON before each snapshot is compared, so an
//! accepted snapshot can never hold a wrong value.
//!
//! Snapshots live in the top-level `snapshots/` folder. CI runs with CI=true,
//! where insta never writes: accept new ones with INSTA_UPDATE=always (or
//! `cargo insta review`) and commit the .snap files.

use serde_json::Value;
use std::process::Command;

const TESTS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
const NAMES: [&str; 2] = ["hand-degenerate", "random-h10"];

/// Runs `reluproof eval vectors/NAME.toml [args]` from `tests/`, so that
/// the file path printed in the output is the stable relative path.
fn eval(name: &str, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_reluproof"))
        .current_dir(TESTS_DIR)
        .arg("eval")
        .arg(format!("vectors/{name}.toml"))
        .args(args)
        .output()
        .expect("the reluproof binary runs");
    assert!(o.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf-8")
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{TESTS_DIR}/vectors/{name}.expected.json")).expect("expected json");
    serde_json::from_str(&text).expect("json")
}

/// The exact values in `--json` output equal the vectors, field by field.
fn assert_json_values(name: &str, json: &str) {
    let got: Value = serde_json::from_str(json).expect("json output");
    for (key, want) in expected(name).as_object().expect("object") {
        assert_eq!(&got[key], want, "{name}: {key}");
    }
}

/// The exact values in the text report equal the vectors.
fn assert_text_values(name: &str, text: &str) {
    let want = expected(name);
    let s = |k: &str| want[k].as_str().expect("string").to_string();
    assert!(text.contains(&format!("L            = {}\n", s("risk"))), "{text}");
    assert!(text.contains(&format!("V            = {}\n", s("lyapunov"))), "{text}");
    assert!(text.contains(&format!("<grad V, G>  = {}\n", s("grad_v_dot_g"))), "{text}");
    for g in want["gradient"].as_array().expect("gradient") {
        let g = g.as_str().expect("string");
        assert!(text.lines().any(|l| l.split_whitespace().nth(1) == Some(g)), "{g} missing from\n{text}");
    }
}

fn snapshot(snapshot_name: &str, value: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(snapshot_name, value);
    });
}

fn snapshot_backend(backend: &str) {
    for name in NAMES {
        let text = eval(name, &["--backend", backend]);
        assert_text_values(name, &text);
        snapshot(&format!("eval_text_{backend}_{name}"), &text);
        let json = eval(name, &["--backend", backend, "--json"]);
        assert_json_values(name, &json);
        snapshot(&format!("eval_json_{backend}_{name}"), &json);
    }
}

#[test]
fn eval_output_snapshot_of_exact_backend() {
    snapshot_backend("exact");
}

#[cfg(feature = "gmp")]
#[test]
fn eval_output_snapshot_of_gmp_backend() {
    snapshot_backend("gmp");
}

/// The default backend is `exact`: the output without `--backend` is the
/// exact snapshot's output.
#[test]
fn eval_output_eq_of_default_backend() {
    for name in NAMES {
        assert_eq!(eval(name, &[]), eval(name, &["--backend", "exact"]));
        assert_eq!(eval(name, &["--json"]), eval(name, &["--backend", "exact", "--json"]));
    }
}
