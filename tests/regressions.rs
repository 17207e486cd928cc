//! The regression corpus (tests/regressions/): case files that once made a
//! command misbehave. Each starts with its provenance (`# found by:`, `# date`
//! with what went wrong, `# cause:` with what fixed it), and each is
//! evaluated by every backend of this build, which must succeed and agree:
//! an approximate value lies within its printed error bound of the exact one,
//! an enclosure contains it. Failing cases found later go here, with the same
//! header.

use num_traits::Signed;
use reluproof::num::parse::parse_rational;
use reluproof::num::BigRational as Q;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_reluproof");

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/regressions")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn eval(file: &Path, backend: &str) -> Value {
    let o = Command::new(BIN)
        .args(["eval", "--json", "--backend", backend])
        .arg(file)
        .output()
        .expect("the reluproof binary runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{} --backend {backend}: exit {:?}: {err}", file.display(), o.status.code());
    serde_json::from_slice(&o.stdout).expect("json")
}

fn rational(v: &Value) -> Q {
    parse_rational(v.as_str().expect("a number as a string")).expect("a decimal or p/q")
}

/// Every value a report prints: L, V, ⟨∇V, G⟩ and G.
fn values(report: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> =
        ["risk", "lyapunov", "grad_v_dot_g"].iter().map(|k| (k.to_string(), report[k].clone())).collect();
    let names = report["gradient_names"].as_array().expect("gradient_names");
    for (name, g) in names.iter().zip(report["gradient"].as_array().expect("gradient")) {
        out.push((format!("G {}", name.as_str().expect("a name")), g.clone()));
    }
    out
}

#[test]
fn every_regression_names_its_origin() {
    let files = corpus();
    assert!(!files.is_empty(), "the corpus is empty");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        for tag in ["# found by:", "# date ", "# cause:"] {
            assert!(text.lines().any(|l| l.starts_with(tag)), "{}: no `{tag}` line", f.display());
        }
    }
}

#[test]
fn every_backend_evaluates_every_regression_and_agrees_with_exact() {
    let mut backends = vec!["f64", "f64-interval"];
    if cfg!(feature = "gmp") {
        backends.extend(["gmp", "mpfr", "mpfr:64", "interval"]);
    }
    for f in corpus() {
        let exact = eval(&f, "exact");
        let truth: Vec<(String, Q)> = values(&exact).into_iter().map(|(k, v)| (k, rational(&v))).collect();
        for backend in &backends {
            let got = eval(&f, backend);
            let what = |k: &str| format!("{} --backend {backend}: {k}", f.display());
            match got["guarantee"].as_str() {
                Some("exact") => {
                    for ((k, t), (_, v)) in truth.iter().zip(values(&got)) {
                        assert_eq!(&rational(&v), t, "{}", what(k));
                    }
                }
                Some("approximate") => {
                    let bound = rational(&got["error_bound"]);
                    for ((k, t), (_, v)) in truth.iter().zip(values(&got)) {
                        let err = rational(&v) - t;
                        assert!(err.abs() <= bound, "{}: off by {err}", what(k));
                    }
                }
                Some("enclosure") => {
                    for ((k, t), (_, v)) in truth.iter().zip(values(&got)) {
                        let s = v.as_str().expect("an interval");
                        let (lo, hi) = s
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .split_once(", ")
                            .unwrap_or_else(|| panic!("{}: not an interval: {s}", what(k)));
                        let (lo, hi) = (parse_rational(lo).expect("lo"), parse_rational(hi).expect("hi"));
                        assert!(lo <= *t && *t <= hi, "{}: {s} misses the exact value", what(k));
                    }
                }
                other => panic!("{}: guarantee {other:?}", what("guarantee")),
            }
        }
    }
}
