//! Fuzzing the command line: mutated case and witness files and option sets,
//! run through every command (eval, gd, gf, sgd, replay, check, search) of
//! the built binary. Whatever the input, the process must end by itself with
//! exit code 0, 1 or 2 (never a panic, an abort or a signal), and an exit-2
//! message must name the file or the option at fault.
//!
//! The test suite runs a modest deterministic campaign (seeded; about half a
//! minute on 2 cores). A long one:
//!
//! ```sh
//! RELUPROOF_FUZZ_CASES=100000 RELUPROOF_FUZZ_SEED=7 cargo test --release --test fuzz -- --nocapture
//! ```

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_reluproof")
}

/// Starting points of the mutations: the shipped cases, witnesses and regressions and a few small cases.
fn seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["cases", "tests/witnesses", "tests/regressions"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("seed dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            let name = f.file_stem().expect("name").to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&f).expect("seed")));
        }
    }
    let small = |measure: &str, extra: &str| {
        format!(
            "[problem]\nmeasure = \"{measure}\"\n{extra}\ntarget = \"1/2\"\n[theta]\nw = [\"1\", \"-2\"]\nb = [\"1/3\", \"0\"]\nv = [\"-1\", \"3/2\"]\nc = \"0\"\n"
        )
    };
    out.push(("small_lebesgue".into(), small("lebesgue", "a = \"-1\"\nb = \"1\"")));
    out.push(("small_uniform".into(), small("uniform", "a = \"0\"\nb = \"2\"")));
    out.push((
        "small_empirical".into(),
        small("empirical", "points = [\"-1\", \"0\", \"2\"]\nweights = [\"1\", \"1/2\", \"0\"]"),
    ));
    out.push((
        "small_empirical_2d".into(),
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"0\"], [\"0\", \"1\"]]\ntarget = \"1\"\n[theta]\nw = [[\"1\", \"1\"]]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n"
            .into(),
    ));
    out
}

/// Values put in place of a quoted string of the file.
const TOKENS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "1e309",
    "1e400",
    "1e4",
    "-1e4",
    "1/0",
    "0/0",
    "nan",
    "-inf",
    "",
    "1/3",
    "99999999999999999999999999/7",
    "1e-10000",
    "1e10001",
    "0.1",
    "-.5e-3",
    "abc",
    "-",
    "1//2",
    "relu",
    "softplus",
    "tanh",
    "abs",
    "relu3",
    "leaky_relu",
    "empirical",
    "uniform",
    "lebesgue",
    "closed",
    "open",
    "sin",
    "E2",
    "C3",
    "refuted",
    "holds",
];

/// Lines inserted into the file.
const LINES: &[&str] = &[
    "output_bias = false",
    "activation = \"tanh\"",
    "activation = { name = \"leaky_relu\", slope = \"-1/2\" }",
    "sigma_prime_zero = \"closed\"",
    "weights = [\"0\", \"0\"]",
    "weights = [\"0\"]",
    "d = 0",
    "d = 3",
    "d = -1",
    "target = { slope = \"1\", intercept = \"0\" }",
    "target = { knots = [\"0\", \"1\"], values = [\"1\", \"0\"] }",
    "target = \"sin\"",
    "points = [[], []]",
    "points = []",
    "[witness]",
    "[theta]",
    "[problem]",
    "c = 1e400",
    "c = nan",
    "w = [1.5, 2]",
    "b = []",
    "===",
    "x = [1, 2",
    "statement = \"C9\"",
    "check = \"nope\"",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the k-th quoted string (mod their number) by a token.
    Token(usize, usize),
    /// Replace it by a long run of digits.
    Long(usize, usize),
    /// Delete line k (mod the number of lines).
    Delete(usize),
    /// Duplicate line k.
    Duplicate(usize),
    /// Insert a line before line k.
    Insert(usize, usize),
    /// Keep only the first per-mille of the bytes.
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(k, t)| Mutation::Token(k, t)),
        1 => (any::<usize>(), 1usize..3000).prop_map(|(k, n)| Mutation::Long(k, n)),
        1 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
        2 => (any::<usize>(), 0..LINES.len()).prop_map(|(k, l)| Mutation::Insert(k, l)),
        1 => (0usize..1000).prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let quoted = |s: &str| -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in s.char_indices() {
            if c == '"' {
                match start.take() {
                    None => start = Some(i),
                    Some(a) => spans.push((a + 1, i)),
                }
            }
        }
        spans
    };
    let lines: Vec<&str> = text.lines().collect();
    match m {
        Mutation::Token(k, t) | Mutation::Long(k, t) => {
            let spans = quoted(text);
            if spans.is_empty() {
                return text.to_string();
            }
            let (a, b) = spans[k % spans.len()];
            let new = match m {
                Mutation::Long(..) => "9".repeat(*t),
                _ => TOKENS[*t].to_string(),
            };
            format!("{}{new}{}", &text[..a], &text[b..])
        }
        Mutation::Delete(k) if !lines.is_empty() => {
            let k = k % lines.len();
            lines.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, l)| format!("{l}\n")).collect()
        }
        Mutation::Duplicate(k) if !lines.is_empty() => {
            let k = k % lines.len();
            let mut v: Vec<&str> = lines.clone();
            v.insert(k, lines[k]);
            v.iter().map(|l| format!("{l}\n")).collect()
        }
        Mutation::Insert(k, l) => {
            let mut v: Vec<&str> = lines.clone();
            v.insert(k % (lines.len() + 1), LINES[*l]);
            v.iter().map(|l| format!("{l}\n")).collect()
        }
        Mutation::Truncate(p) => {
            let mut cut = text.len() * p / 1000;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_string()
        }
        _ => text.to_string(),
    }
}

fn outputs() -> impl Strategy<Value = Vec<String>> {
    fn pick(xs: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
        proptest::sample::select(xs)
    }
    fn opt(flag: &'static str, xs: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
        proptest::option::of(pick(xs)).prop_map(move |v| v.map_or(vec![], |v| vec![flag.to_string(), v.to_string()]))
    }
    fn flag(f: &'static str) -> impl Strategy<Value = Vec<String>> {
        any::<bool>().prop_map(move |b| if b { vec![f.to_string()] } else { vec![] })
    }
    (
        opt("--out", &["OUT.jsonl", "FILE"]),
        opt("--csv", &["OUT.csv", "OUT.jsonl"]),
        opt("--checkpoint", &["0", "1", "3"]),
        opt("--plot", &["OUT.svg"]),
        flag("--json"),
    )
        .prop_map(|(a, b, c, d, e)| [a, b, c, d, e].concat())
}

/// One command line; `FILE` stands for the mutated file, `OUT` for an output path.
fn command() -> impl Strategy<Value = Vec<String>> {
    fn pick(xs: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
        proptest::sample::select(xs)
    }
    fn opt(flag: &'static str, xs: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
        proptest::option::of(pick(xs)).prop_map(move |v| v.map_or(vec![], |v| vec![flag.to_string(), v.to_string()]))
    }
    fn flag(f: &'static str) -> impl Strategy<Value = Vec<String>> {
        any::<bool>().prop_map(move |b| if b { vec![f.to_string()] } else { vec![] })
    }
    let join = |parts: Vec<Vec<String>>| parts.concat();
    let s = |x: &[&str]| x.iter().map(|a| a.to_string()).collect::<Vec<String>>();
    let eval =
        (opt("--backend", &["exact", "f64", "f64-interval", "gmp", "mpfr", "interval:64", "bogus"]), flag("--json"))
            .prop_map(move |(b, j)| join(vec![s(&["eval", "FILE"]), b, j]));
    let states: &'static [&'static str] = &["f64", "dyadic:64", "mpfr:64", "dyadic:1", "dyadic:x", "f64"];
    let gammas: &'static [&'static str] = &["auto", "auto*4", "auto*1/2", "1/100", "-1", "0", "1e9", "x", "auto*-1"];
    let gd = (pick(&["0", "1", "5", "20", "-3"]), opt("--state", states), opt("--gamma", gammas), outputs())
        .prop_map(move |(n, st, g, o)| join(vec![s(&["gd", "FILE", "--steps", n]), st, g, o]));
    let gd_exact = pick(&["1", "3"]).prop_map(move |n| s(&["gd", "FILE", "--steps", n, "--state", "exact"]));
    let sgd = (
        pick(&["0", "1", "5", "20"]),
        opt("--state", states),
        opt("--gamma", gammas),
        opt("--batch", &["0", "1", "3", "100000000000"]),
        opt("--decay", &["0", "1/2", "1", "-1", "2/3", "1/1001"]),
        opt("--eval-every", &["0", "1", "3"]),
        outputs(),
    )
        .prop_map(move |(n, st, g, b, d, e, o)| join(vec![s(&["sgd", "FILE", "--steps", n]), st, g, b, d, e, o]));
    let gf = (
        pick(&["1/100", "1/10", "1", "-1", "0", "abc", "1e400"]),
        opt("--precision", &["0", "64", "1"]),
        opt("--tolerance", &["1e-6", "0", "-1", "nan", "2"]),
        opt("--checkpoint", &["0", "2"]),
        opt("--out", &["OUT.jsonl", "FILE"]),
    )
        .prop_map(move |(t, p, tol, c, o)| {
            join(vec![s(&["gf", "FILE", "--time", t, "--max-steps", "150"]), p, tol, c, o])
        });
    let replay = opt("--backend", &["exact", "f64-interval", "gmp", "interval:64", "f64"])
        .prop_map(move |b| join(vec![s(&["replay", "FILE"]), b]));
    let check = (pick(&["C3", "E2", "C8", "E1", "bogus"]), pick(&["0", "1", "2"]), any::<u8>())
        .prop_map(move |(id, n, seed)| s(&["check", id, "--cases", n, "--search", "0", "--seed", &seed.to_string()]));
    let search =
        (pick(&["E2", "E1", "C3", "Q1", "E6", "bogus"]), any::<u8>(), flag("--json")).prop_map(move |(t, seed, j)| {
            join(vec![
                s(&[
                    "search",
                    t,
                    "--max-candidates",
                    "30",
                    "--max-shrink",
                    "30",
                    "--budget",
                    "3",
                    "--seed",
                    &seed.to_string(),
                ]),
                j,
            ])
        });
    prop_oneof![4 => eval, 3 => gd, 1 => gd_exact, 2 => sgd, 2 => gf, 2 => replay, 1 => check, 1 => search]
}

/// Runs one command; `Err` describes what went wrong. Kills a run after `limit`.
fn run_one(dir: &Path, file: &Path, args: &[String], limit: Duration) -> Result<(), String> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("FILE", &file.display().to_string()).replace("OUT", &dir.join("out").display().to_string()))
        .collect();
    let quiet: &[&str] =
        if ["gd", "gf", "sgd", "check", "search"].contains(&args[0].as_str()) { &["--quiet"] } else { &[] };
    let mut child = Command::new(bin())
        .args(&args)
        .args(quiet)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            // Keep the input, so that a slow case can be replayed and studied.
            let kept = std::env::temp_dir().join("reluproof-fuzz-slow");
            let _ = std::fs::create_dir_all(&kept);
            let copy = kept.join(file.file_name().unwrap_or_default());
            let _ = std::fs::copy(file, &copy);
            eprintln!(
                "fuzz: {args:?} took over {limit:?}; killed (not counted as a failure); input kept as {}",
                copy.display()
            );
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    let code = status.code();
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if err.contains("panicked") || code.is_none() || !matches!(code, Some(0..=2)) {
        return Err(format!("{args:?}: status {status:?}\n{err}"));
    }
    // An argument at fault (e.g. an unknown statement id) is named quoted.
    let names_argument = args.iter().any(|a| err.contains(&format!("\"{a}\"")) || err.contains(&format!("'{a}'")));
    if code == Some(2) && !(err.contains(&name) || err.contains("--") || names_argument) {
        return Err(format!("{args:?}: exit 2 without naming the file or an option:\n{err}"));
    }
    Ok(())
}

fn campaign(cases: u32, seed: u64) {
    let seeds = seeds();
    let dir = std::env::temp_dir().join(format!("reluproof-fuzz-{}-{seed}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("fuzz dir");
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 64, ..Config::default() };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 0..4), command());
    let counter = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&strategy, |(k, muts, args)| {
        let i = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (name, text) = &seeds[k];
        let body = muts.iter().fold(text.clone(), |t, m| apply(&t, m));
        let file = dir.join(format!("fuzz-{name}-{i}.toml"));
        std::fs::write(&file, &body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let r = run_one(&dir, &file, &args, Duration::from_secs(60));
        let _ = std::fs::remove_file(&file);
        r.map_err(|e| TestCaseError::fail(format!("{e}\nfile {name} mutated by {muts:?}:\n{body}")))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_command_survives_mutated_inputs() {
    let cases = std::env::var("RELUPROOF_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let seed = std::env::var("RELUPROOF_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    campaign(cases, seed);
}
