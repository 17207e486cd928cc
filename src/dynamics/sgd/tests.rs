//! Unit tests of SGD: the fast grid rounding, batch gradients, reported and
//! false-claim violations, bounded series, certified runs, byte-for-byte
//! resume, and the command's files.

use super::*;
use crate::model::case::parse_case;
use crate::objective::per_sample;

fn q(s: &str) -> BigRational {
    parse_rational(s).expect("test literal")
}

fn case(text: &str) -> Case {
    parse_case("t.toml", text).expect("test case")
}

/// Lebesgue on [-3/2, 5/7], H = 3, neuron 0 degenerate (w = b = 0).
fn lebesgue_case() -> Case {
    case(
        "[problem]\nmeasure = \"lebesgue\"\na = \"-3/2\"\nb = \"5/7\"\ntarget = \"1/3\"\n\
         [theta]\nw = [\"0\", \"1\", \"-2/3\"]\nb = [\"0\", \"1/4\", \"1/2\"]\nv = [\"1\", \"-1/2\", \"3/4\"]\nc = \"1/5\"\n",
    )
}

fn empirical_case() -> Case {
    case(
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"-1/2\"], [\"1/3\", \"2\"], [\"-1\", \"0\"]]\n\
         weights = [\"1\", \"0\", \"3/2\"]\ntarget = \"-1/2\"\n\
         [theta]\nw = [[\"1\", \"1/2\"], [\"0\", \"0\"]]\nb = [\"-1/3\", \"0\"]\nv = [\"2\", \"-1\"]\nc = \"1/4\"\n",
    )
}

#[test]
fn fast_grid_rounding_equals_to_grid() {
    let mut rng = crate::gen::Rng::new(31);
    for i in 0..4000 {
        let x = match i % 4 {
            0 => crate::gen::rational(&mut rng),
            1 => crate::gen::small_rational(&mut rng) / BigRational::from_integer(BigInt::from(rng.range(1, 1 << 20))),
            // Ties: odd multiples of 2^-(bits+1).
            2 => BigRational::new(BigInt::from(2 * rng.range(-1000, 1000) + 1), BigInt::one() << 9usize),
            _ => {
                BigRational::new(BigInt::from(rng.range(-1 << 30, 1 << 30)), BigInt::one() << rng.range(0, 12) as usize)
            }
        };
        for bits in [0u32, 1, 8, 9, 64] {
            assert_eq!(x.grid(bits), x.to_grid(bits), "{x} at 2^-{bits}");
        }
    }
}

#[test]
fn batch_gradient_is_the_mean_of_per_sample_gradients() {
    for case in [lebesgue_case(), empirical_case()] {
        let s = Sampler::new(&case.problem.measure).expect("sampler");
        let xs = s.batch(5, 3, 4);
        let prep = case.problem.prepare::<BigRational>(&());
        let ev = evaluate(&batch_problem(&case.problem, &xs).prepare(&()), &case.theta);
        let mut mean = case.theta.map(|_| BigRational::zero());
        let mut e2 = BigRational::zero();
        let quarter = q("1/4");
        for x in &xs {
            let (e, g) = per_sample(&prep, &case.theta, x);
            e2 += &e * &e * &quarter;
            mean = mean.step(&-quarter.clone(), &g);
        }
        assert_eq!(ev.gradient, mean);
        assert_eq!(ev.risk, e2);
    }
}

fn opts(steps: u64, out: Option<PathBuf>, csv: Option<PathBuf>) -> SgdOptions {
    SgdOptions {
        steps,
        decay: q("1/2"),
        batch: 2,
        seed: 77,
        eval_every: 5,
        out,
        csv,
        checkpoint: 7,
        quiet: true,
        ..SgdOptions::default()
    }
}

/// Issue 10, item 8: the decrease and V(n+1) <= V(n) are decided on the
/// exact step, so a violation smaller than the rounding change of V is
/// reported.
#[test]
fn a_violation_smaller_than_the_rounding_is_reported() {
    // One point x = 1, xi = 0, N(x) = x: e = 1, |G|^2 + G_c^2 = 20, so one
    // step keeps V iff gamma <= 8 e^2 / 20 = 2/5.
    let c = case(
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\"]]\nweights = [\"1\"]\ntarget = \"0\"\n\
         [theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n",
    );
    let gamma = q("2/5") + BigRational::new(1.into(), BigInt::from(1) << 40usize);
    let xi = BigRational::zero();
    let ev = evaluate(&c.problem.prepare::<BigRational>(&()), &c.theta);
    let v0 = lyapunov(&c.theta, &xi, &());
    let exact = c.theta.step(&gamma, &ev.gradient);
    assert!(lyapunov(&exact, &xi, &()) > v0);
    let bits = (2..40u32)
        .find(|&b| lyapunov(&exact.map(|x| StateScalar::to_grid(x, b)), &xi, &()) < v0)
        .expect("a grid whose rounding hides the increase");
    let o = SgdOptions {
        steps: 1,
        gamma: GammaSpec::Value(gamma),
        decay: BigRational::zero(),
        state: StateMode::Dyadic(bits),
        eval_every: 1,
        quiet: true,
        ..SgdOptions::default()
    };
    let s = run_sgd(&c, &o).expect("sgd");
    assert_eq!(s.nonincrease.failed, 1, "dyadic:{bits}: {:?}", s.nonincrease);
    assert_eq!(s.decrease.failed, 1);
}

/// Issue 14: the C11 control runs the real loop. The same certified run,
/// judged against 8γ_n ê_n, fails at the first step that moves; the
/// faithful claim holds on it; a control writes no files.
#[test]
fn a_false_claim_fails_the_real_runs_tally() {
    let mut o = opts(20, None, None);
    o.state = StateMode::Dyadic(64);
    let faithful = run_sgd(&lebesgue_case(), &o).expect("run");
    assert!(faithful.all_hold());
    o.false_claim = SgdFalseClaim::EightGammaDescent;
    let control = run_sgd(&lebesgue_case(), &o).expect("run");
    assert_eq!(control.decrease.first_failure, Some(0), "{:?}", control.decrease);
    assert_eq!((control.norm.failed, control.summed.failed), (0, 0), "only the judged inequality changes");
    let bits = |s: &SgdSummary| -> Vec<[u64; 4]> {
        s.series.iter().map(|r| [r.0, r.1.to_bits(), r.2.to_bits(), r.3.to_bits()]).collect()
    };
    assert_eq!(bits(&control), bits(&faithful), "the run itself is the real one");
    o.out = Some(std::env::temp_dir().join("reluproof-sgd-never-written.jsonl"));
    assert!(run_sgd(&lebesgue_case(), &o).is_err());
}

/// Issue 12: a long run keeps O(1) per-step values in memory (the plot's
/// series and the risk evaluations are decimated), while the summary
/// still counts every evaluation.
#[test]
fn long_runs_keep_bounded_series() {
    let steps = 3 * crate::dynamics::guard::SERIES_CAP as u64;
    let mut o = opts(steps, None, None);
    o.state = StateMode::F64;
    o.eval_every = 1;
    let s = run_sgd(&lebesgue_case(), &o).expect("run");
    assert_eq!(s.risk_evaluations, steps + 1);
    assert!(s.series.len() <= crate::dynamics::guard::SERIES_CAP + 1, "{}", s.series.len());
    assert!(s.risk_evals.len() <= crate::dynamics::guard::SERIES_CAP + 1);
    assert_eq!(s.series.last().map(|r| r.0), Some(steps), "the last step is kept");
    assert_eq!(s.risk_first.map(|r| r.0), Some(0));
    assert_eq!(s.risk_last.map(|r| r.0), Some(steps));
}

#[test]
fn certified_run_holds_and_reports() {
    for case in [lebesgue_case(), empirical_case()] {
        let mut o = opts(60, None, None);
        o.state = StateMode::Dyadic(64);
        let s = run_sgd(&case, &o).expect("run");
        assert!(s.claimed() && s.all_hold(), "{}", s.to_text("t"));
        assert_eq!((s.decrease.checked, s.norm.checked, s.summed.checked), (60, 61, 60));
        assert!(s.rounding_used <= 0.5);
        assert_eq!(s.risk_evals.len(), 13);
        // C15 at the 12 evaluated steps that are followed by a step.
        let e = &s.expected;
        assert_eq!(e.off.as_deref(), None, "{e:?}");
        assert_eq!(e.descent.checked + e.unclaimed, 12);
        assert!(e.descent.checked > 0 && e.descent.failed == 0, "{e:?}");
        assert!(s.to_text("t").contains("C15 E[V(theta_n - gamma_n g) | theta_n]"));
        let text = s.to_text("t");
        assert!(text.contains("guarantee: exact") && text.contains("not proven"), "{text}");
        assert!(text.contains("rounded DOWN"), "{text}");
        assert_eq!(s.to_json()["claimed"], Value::Bool(true));
        assert!(sgd_plot(&s, "t").starts_with("<svg"));
    }
    // Far above the bound: not claimed; the decrease fails, and the dyadic
    // state is still rounded (sizes stay bounded). f64 runs too.
    let mut o = opts(30, None, None);
    o.gamma = GammaSpec::Value(q("4"));
    o.decay = BigRational::zero();
    o.state = StateMode::Dyadic(64);
    let s = run_sgd(&lebesgue_case(), &o).expect("run");
    assert!(!s.claimed() && s.decrease.failed > 0, "{}", s.to_text("t"));
    assert!(s.to_text("t").contains("not claimed"));
    assert_eq!(s.grid_bits, Some(64));
    o.state = StateMode::F64;
    let s = run_sgd(&lebesgue_case(), &o).expect("run");
    assert!(!s.claimed());
    assert!(s.to_text("t").contains("approximate"));
}

fn resume_matches(state: StateMode, tag: &str) {
    let dir = std::env::temp_dir().join(format!("reluproof-sgd-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (a, ac, b, bc) = (dir.join("a.jsonl"), dir.join("a.csv"), dir.join("b.jsonl"), dir.join("b.csv"));
    let case = lebesgue_case();
    let mut o = opts(40, Some(a.clone()), Some(ac.clone()));
    o.state = state;
    let whole = run_sgd(&case, &o).expect("uninterrupted run");
    o.out = Some(b.clone());
    o.csv = Some(bc.clone());
    run_sgd(&case, &o).expect("second run");
    // Kill it midway: cut both files in the middle of a line.
    let body = std::fs::read(&b).expect("read");
    let cut = body.len() * 11 / 20;
    assert_ne!(body[cut - 1], b'\n');
    std::fs::write(&b, &body[..cut]).expect("truncate");
    let lines = body[..cut].iter().filter(|&&c| c == b'\n').count();
    let csv = std::fs::read(&bc).expect("read csv");
    let csv_cut = csv.iter().enumerate().filter(|(_, &c)| c == b'\n').nth(lines).map(|(i, _)| i + 3).expect("line");
    std::fs::write(&bc, &csv[..csv_cut]).expect("truncate csv");
    o.out = None;
    o.resume = Some(b.clone());
    let resumed = run_sgd(&case, &o).expect("resumed run");
    assert!(resumed.resumed_from.is_some_and(|n| n > 0 && n < 40));
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"), "JSON lines differ ({tag})");
    assert_eq!(std::fs::read(&ac).expect("a"), std::fs::read(&bc).expect("b"), "CSV differs ({tag})");
    assert_eq!(whole.decrease, resumed.decrease);
    assert_eq!(whole.norm, resumed.norm);
    assert_eq!(whole.summed, resumed.summed);
    assert_eq!(whole.series.len(), resumed.series.len());
    assert_eq!(whole.risk_evals.len(), resumed.risk_evals.len());
    // A mismatched option is refused, and the refusal leaves the files as they were.
    let (before, before_csv) = (std::fs::read(&b).expect("b"), std::fs::read(&bc).expect("bc"));
    o.seed = 78;
    assert!(run_sgd(&case, &o).expect_err("seed mismatch").contains("--seed"));
    assert_eq!(std::fs::read(&b).expect("b"), before, "a refused resume cut the file ({tag})");
    assert_eq!(std::fs::read(&bc).expect("bc"), before_csv, "a refused resume cut the CSV ({tag})");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resumed_run_equals_uninterrupted_run_byte_for_byte() {
    resume_matches(StateMode::Dyadic(64), "dyadic");
    resume_matches(StateMode::F64, "f64");
}

#[test]
fn command_writes_plot_and_trajectory() {
    let dir = std::env::temp_dir().join(format!("reluproof-sgd-cmd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let case_file = dir.join("case.toml");
    std::fs::write(&case_file, lebesgue_case().to_toml()).expect("case file");
    let (out, svg) = (dir.join("run.jsonl"), dir.join("run.svg"));
    let o = opts(25, Some(out.clone()), None);
    assert_eq!(sgd_command(&case_file, &o, Some(&svg), true, false), Ok(0));
    assert_eq!(read_records(&out).expect("records").len(), 26);
    let plot = std::fs::read_to_string(&svg).expect("svg");
    assert!(plot.contains("batch risk") && plot.contains("γ_SGD*"));
    assert!(sgd_command(&dir.join("missing.toml"), &o, None, false, false).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn records_carry_the_replayable_path() {
    let dir = std::env::temp_dir().join(format!("reluproof-sgd-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("r.jsonl");
    let case = empirical_case();
    let mut o = opts(12, Some(out.clone()), None);
    o.state = StateMode::Dyadic(64);
    run_sgd(&case, &o).expect("run");
    let recs = read_records(&out).expect("records");
    assert_eq!(recs.len(), 13);
    let s = Sampler::new(&case.problem.measure).expect("sampler");
    for r in &recs[..12] {
        let n = r["n"].as_u64().expect("n");
        for k in ["risk", "lyapunov", "theta_norm2", "grad_norm2", "margin", "gamma", "batch_risk"] {
            assert!(r[k].is_string(), "{k}");
        }
        let xs: Vec<Vec<BigRational>> = r["samples"]
            .as_array()
            .expect("samples")
            .iter()
            .map(|x| x.as_array().expect("d = 2").iter().map(|c| q(c.as_str().expect("p/q"))).collect())
            .collect();
        assert_eq!(xs, s.batch(77, n, 2));
        assert_eq!(
            q(r["gamma"].as_str().expect("gamma")),
            step_size(&gamma_sgd_star(&case).expect("g*"), &q("1/2"), n).0
        );
        assert_eq!(r["risk"].as_str() == Some("-"), n % 5 != 0);
    }
    std::fs::remove_dir_all(&dir).ok();
}
