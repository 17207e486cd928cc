//! The reference vectors: every `*.toml` in `tests/vectors` is evaluated
//! on each exact backend and compared digit for digit with its
//! `*.expected.json` on EVERY field that file holds. The vectors were computed
//! outside this crate; they are the reference, not the code.
//!
//! The approximate and enclosure backends are checked against the same
//! vectors: the printed enclosure must contain the exact value, and the
//! printed float must lie within the printed rigorous error bound of it.

use reluproof::backend::BackendSpec;
use reluproof::eval::{run_eval, EvalResult};
use reluproof::model::case::{read_case, Case};
use reluproof::num::parse::parse_rational;
use reluproof::num::BigRational;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

/// Keys that every expected file must carry, so that the comparison below can
/// never pass vacuously on an empty or truncated expected file.
const REQUIRED_KEYS: [&str; 4] = ["risk", "gradient", "lyapunov", "grad_v_dot_g"];

struct Vector {
    toml: PathBuf,
    case: Case,
    expected: Map<String, Value>,
}

/// Lists the vector directory: each `NAME.toml` paired with `NAME.expected.json`.
fn vectors() -> Vec<Vector> {
    let mut tomls: Vec<PathBuf> = std::fs::read_dir(VECTORS)
        .unwrap_or_else(|e| panic!("cannot list {VECTORS}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    tomls.sort();
    assert!(!tomls.is_empty(), "no *.toml test vectors found in {VECTORS}");
    tomls
        .into_iter()
        .map(|toml| {
            let stem = toml.file_stem().and_then(|s| s.to_str()).expect("utf-8 file name");
            let json_path = toml.with_file_name(format!("{stem}.expected.json"));
            let text = std::fs::read_to_string(&json_path)
                .unwrap_or_else(|e| panic!("{} has no {}: {e}", toml.display(), json_path.display()));
            let expected = match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => m,
                other => panic!("{}: expected a JSON object, got {other:?}", json_path.display()),
            };
            for key in REQUIRED_KEYS {
                assert!(expected.contains_key(key), "{} lacks the key {key:?}", json_path.display());
            }
            let case = read_case(&toml).unwrap_or_else(|e| panic!("{e}"));
            Vector { toml, case, expected }
        })
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name().and_then(|s| s.to_str()).unwrap_or("?").to_string()
}

/// The value of an expected key in an [`EvalResult`], as JSON. Every key the
/// `--json` interface has is looked up through `to_json`, so a new key in an
/// expected file is compared too (and a key the output lacks fails).
fn actual_json(r: &EvalResult, v: &Vector) -> Map<String, Value> {
    match r.to_json(&v.case, &v.toml.display().to_string()) {
        Value::Object(m) => m,
        other => panic!("to_json did not return an object: {other:?}"),
    }
}

fn assert_matches_expected(spec: BackendSpec) {
    for v in vectors() {
        let name = file_name(&v.toml);
        let r = run_eval(&v.case, spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let actual = actual_json(&r, &v);
        for (key, want) in &v.expected {
            let got = actual.get(key).unwrap_or_else(|| panic!("{name} ({spec}): the output has no key {key:?}"));
            assert_eq!(got, want, "{name} ({spec}): field {key:?} differs from the vector");
        }
        // The struct fields behind the JSON, directly (the JSON could in
        // principle be built from something else).
        let s = |k: &str| v.expected[k].as_str().unwrap_or_else(|| panic!("{name}: {k} is not a string")).to_string();
        assert_eq!(r.risk, s("risk"), "{name} ({spec}): risk");
        assert_eq!(r.lyapunov, s("lyapunov"), "{name} ({spec}): lyapunov");
        assert_eq!(r.grad_v_dot_g, s("grad_v_dot_g"), "{name} ({spec}): grad_v_dot_g");
        let grad: Vec<String> = v.expected["gradient"]
            .as_array()
            .expect("gradient is an array")
            .iter()
            .map(|x| x.as_str().expect("gradient entries are strings").to_string())
            .collect();
        assert_eq!(r.gradient, grad, "{name} ({spec}): gradient");
        assert_eq!(grad.len(), v.case.theta.len(), "{name}: the vector's gradient has 𝔡 = dH + 2H + 1 entries");
    }
}

#[test]
fn vectors_match_of_exact_backend() {
    assert_matches_expected(BackendSpec::Exact);
}

#[cfg(feature = "gmp")]
#[test]
fn vectors_match_of_gmp_backend() {
    assert_matches_expected(BackendSpec::Gmp);
}

fn q(s: &str) -> BigRational {
    parse_rational(s).unwrap_or_else(|e| panic!("{e}"))
}

/// The vectors themselves satisfy C3 (⟨∇V, G⟩ = 8L): a check that the
/// reference data is consistent, independent of the crate.
#[test]
fn lyapunov_identity_of_vectors() {
    for v in vectors() {
        let risk = q(v.expected["risk"].as_str().expect("string"));
        let dot = q(v.expected["grad_v_dot_g"].as_str().expect("string"));
        assert_eq!(dot, risk * BigRational::from_integer(8.into()), "{}", file_name(&v.toml));
    }
}

/// All printed numbers of an [`EvalResult`] for the four vector fields, in a
/// fixed order, paired with the expected exact values.
fn printed_and_expected(r: &EvalResult, v: &Vector) -> Vec<(String, String, BigRational)> {
    let mut out = Vec::new();
    for key in ["risk", "lyapunov", "grad_v_dot_g"] {
        let printed = match key {
            "risk" => r.risk.clone(),
            "lyapunov" => r.lyapunov.clone(),
            _ => r.grad_v_dot_g.clone(),
        };
        out.push((key.to_string(), printed, q(v.expected[key].as_str().expect("string"))));
    }
    for (k, (printed, want)) in r.gradient.iter().zip(v.expected["gradient"].as_array().expect("array")).enumerate() {
        out.push((format!("gradient[{k}]"), printed.clone(), q(want.as_str().expect("string"))));
    }
    out
}

/// Parses a printed enclosure `"[lo, hi]"`; the ends are decimals rounded
/// outward, which `parse_rational` reads exactly.
fn parse_enclosure(s: &str) -> (BigRational, BigRational) {
    let inner = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or_else(|| panic!("not an interval: {s}"));
    let (lo, hi) = inner.split_once(", ").unwrap_or_else(|| panic!("not an interval: {s}"));
    (q(lo), q(hi))
}

fn assert_enclosures_contain_vectors(spec: BackendSpec) {
    for v in vectors() {
        let name = file_name(&v.toml);
        let r = run_eval(&v.case, spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.guarantee.word(), "enclosure");
        for (field, printed, exact) in printed_and_expected(&r, &v) {
            let (lo, hi) = parse_enclosure(&printed);
            assert!(lo <= exact && exact <= hi, "{name} ({spec}) {field}: {printed} does not contain {exact}");
        }
    }
}

#[test]
fn enclosure_contains_vectors_of_f64_interval() {
    assert_enclosures_contain_vectors(BackendSpec::F64Interval);
}

#[cfg(feature = "gmp")]
#[test]
fn enclosure_contains_vectors_of_mpfr_interval() {
    for bits in [24, 64, 200] {
        assert_enclosures_contain_vectors(BackendSpec::Interval(bits));
    }
}

/// The printed value of an approximate backend read back exactly: f64 prints
/// the shortest decimal that rounds back to the same double; MPFR prints
/// ⌈p·log10 2⌉ + 1 significant digits, enough to round back to the same
/// p-bit float.
fn read_back(printed: &str, spec: BackendSpec) -> BigRational {
    match spec {
        BackendSpec::F64 => {
            let x: f64 = printed.parse().unwrap_or_else(|e| panic!("{printed}: {e}"));
            BigRational::from_float(x).expect("finite")
        }
        #[cfg(feature = "gmp")]
        BackendSpec::Mpfr(bits) => {
            let f = rug::Float::with_val(bits, rug::Float::parse(printed).unwrap_or_else(|e| panic!("{printed}: {e}")));
            let r = f.to_rational().expect("finite");
            reluproof::num::gmp::big_from_rational(&r)
        }
        other => panic!("not an approximate backend: {other}"),
    }
}

fn assert_approximations_within_bound_of_vectors(spec: BackendSpec) {
    for v in vectors() {
        let name = file_name(&v.toml);
        let r = run_eval(&v.case, spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bound = r.error_bound.unwrap_or_else(|| panic!("{name} ({spec}): no error bound"));
        let bound = BigRational::from_float(bound).expect("finite bound");
        for (field, printed, exact) in printed_and_expected(&r, &v) {
            let x = read_back(&printed, spec);
            let err = if x > exact { &x - &exact } else { &exact - &x };
            assert!(err <= bound, "{name} ({spec}) {field}: |{printed} - {exact}| > {bound}");
        }
    }
}

#[test]
fn approximation_within_error_bound_of_f64() {
    assert_approximations_within_bound_of_vectors(BackendSpec::F64);
}

#[cfg(feature = "gmp")]
#[test]
fn approximation_within_error_bound_of_mpfr() {
    for bits in [24, 53, 128, 300] {
        assert_approximations_within_bound_of_vectors(BackendSpec::Mpfr(bits));
    }
}
