use super::*;
use crate::gen::Rng;
use crate::lyapunov::lyapunov;
use crate::num::{BigRational, Scalar};
use crate::objective::evaluate;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

/// A rational with numerator and denominator of up to `bits` random bits.
fn random_rational(rng: &mut Rng, bits: u32) -> BigRational {
    let mut int = |bits: u32| {
        let mut x = BigInt::zero();
        for _ in 0..bits.div_ceil(64) {
            x = (x << 64usize) + BigInt::from(rng.next_u64());
        }
        x >> (bits.div_ceil(64) * 64 - bits) as usize
    };
    let n = int(bits);
    let d = int(bits) + 1;
    let q = BigRational::new(n, d);
    if rng.chance(1, 2) {
        -q
    } else {
        q
    }
}

fn some_theta(rng: &mut Rng, d: usize, h: usize, bits: u32) -> Theta<BigRational> {
    let flat: Vec<BigRational> = (0..d * h + 2 * h + 1)
        .map(|k| if k % 5 == 3 { BigRational::zero() } else { random_rational(rng, bits) })
        .collect();
    Theta::from_flat(d, &flat).expect("shape")
}

/// The fast exact paths give the values of the plain operations.
fn fast_paths_agree<S: StateScalar<Ctx = ()>>() {
    let mut rng = Rng::new(11);
    for round in 0..30 {
        let bits = [3, 40, 300][round % 3];
        let theta = some_theta(&mut rng, 1 + round % 2, 1 + round % 4, bits);
        let dir = some_theta(&mut rng, theta.d, theta.width(), bits);
        let gamma = random_rational(&mut rng, 20).abs();
        let two_xi = random_rational(&mut rng, 10);
        let plain = theta.step(&gamma, &dir);
        let v_plain = plain.norm2(&()).add(&plain.c.sub(&two_xi).sqr());
        let ts: Theta<S> = theta.map(|q| S::from_rational(q, &()));
        let ds: Theta<S> = dir.map(|q| S::from_rational(q, &()));
        let (gs, xs) = (S::from_rational(&gamma, &()), S::from_rational(&two_xi, &()));
        let step = step_coords(&ts, &gs, &ds);
        let us: Vec<&S::Coord> = coords(&step).collect();
        assert_eq!(S::coords_lyapunov(&us, &xs, &()).to_rational(), Some(v_plain.clone()));
        let values = map_coords(&step, S::coord_value);
        assert_eq!(values.map(|x| x.to_rational().expect("exact")), plain);
        assert_eq!(lyapunov_of(&values, &xs, &()).to_rational(), Some(v_plain));
        assert_eq!(norm2_of(&values, &()).to_rational(), Some(plain.norm2(&())));
        for grid in [1, 7, 64, 128] {
            let fast = map_coords(&step, |u| S::coord_to_grid(u, grid));
            let slow = plain.map(|x| BigRational::to_grid(x, grid));
            assert_eq!(fast.map(|x| x.to_rational().expect("exact")), slow, "grid 2^-{grid}");
            for (x, up) in plain.flatten().iter().zip(plain.flatten().iter().map(|x| S::from_rational(x, &()))) {
                let up = up.grid_up(grid).to_rational().expect("exact");
                let scale = BigRational::from_integer(BigInt::one() << grid as usize);
                assert!((&up * &scale).is_integer() && &up >= x && &up - x < scale.recip(), "grid_up");
            }
        }
        // Rounding halfway cases away from zero.
        let half = S::from_rational(&BigRational::new(BigInt::from(-5), BigInt::from(8)), &());
        let hc = S::step_coord(&half, &gs, &S::from_i64(0, &()));
        assert_eq!(S::coord_to_grid(&hc, 2).to_rational(), Some(BigRational::new((-3).into(), 4.into())));
    }
}

#[test]
fn fast_paths_agree_bigrational() {
    fast_paths_agree::<BigRational>();
}

#[cfg(feature = "gmp")]
#[test]
fn fast_paths_agree_gmp() {
    fast_paths_agree::<rug::Rational>();
}

fn tree_sums_agree<S: StateScalar<Ctx = ()>>() {
    let mut rng = Rng::new(5);
    // Up to 60 terms of up to 4000-bit denominators: the tree switches to
    // unreduced merges above REDUCED_MERGE_BITS.
    for (count, bits) in [(1, 10), (2, 4000), (7, 30), (60, 4000), (33, 3)] {
        let xs: Vec<BigRational> = (0..count).map(|_| random_rational(&mut rng, bits)).collect();
        let plain = xs.iter().fold(BigRational::zero(), |s, x| s + x);
        let fast = S::sum_exact(xs.iter().map(|q| S::from_rational(q, &())).collect());
        assert_eq!(fast.to_rational(), Some(plain));
    }
}

#[test]
fn tree_sums_agree_bigrational() {
    tree_sums_agree::<BigRational>();
}

#[cfg(feature = "gmp")]
#[test]
fn tree_sums_agree_gmp() {
    tree_sums_agree::<rug::Rational>();
}

/// [`SummedRisk`] reports what adding and comparing at every step would,
/// at checkpoints and at the end, also with a resumed (loaded) start,
/// slacks near zero, failures and (impossible for L, but handled) negative terms.
fn summed_risk_matches_eager<S: StateScalar<Ctx = ()>>() {
    let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
    let mut rng = Rng::new(3);
    for scenario in 0..40 {
        let bound = q(rng.range(0, 40), rng.range(1, 7));
        let (start_sum, loaded) = if scenario % 3 == 0 {
            let t = Tally {
                checked: 4,
                failed: 0,
                first_failure: None,
                min_slack: Some(q(rng.range(-3, 30), 5)),
                ..Tally::default()
            };
            (q(rng.range(0, 9), 4), t)
        } else {
            (BigRational::zero(), Tally::default())
        };
        let mut eager_sum = start_sum.clone();
        let mut eager: RunTally<BigRational> = RunTally::from_tally(&loaded, &());
        let mut lazy = SummedRisk::<S>::new(
            S::from_rational(&bound, &()),
            S::from_rational(&start_sum, &()),
            7,
            RunTally::from_tally(&loaded, &()),
        );
        for n in 7..60u64 {
            if n % (3 + scenario % 11) == 0 {
                // A checkpoint: the tally before step n's check, and the sum.
                assert_eq!(lazy.tally(), eager.tally(), "scenario {scenario}, n = {n}");
                assert_eq!(lazy.prefix(n).to_rational(), Some(eager_sum.clone()));
            }
            lazy.record(n);
            eager.record(n, &bound - &eager_sum);
            let term = match rng.below(10) {
                0 if scenario % 7 == 5 => -random_rational(&mut rng, 8).abs(),
                1 => BigRational::zero(),
                2 => random_rational(&mut rng, 200).abs() / q(1000, 1),
                _ => random_rational(&mut rng, 8).abs() / q(8, 1),
            };
            eager_sum += &term;
            lazy.push(&S::from_rational(&term, &()));
        }
        assert_eq!(lazy.tally(), eager.tally(), "scenario {scenario} at the end");
    }
}

#[test]
fn summed_risk_matches_eager_bigrational() {
    summed_risk_matches_eager::<BigRational>();
}

#[cfg(feature = "gmp")]
#[test]
fn summed_risk_matches_eager_gmp() {
    summed_risk_matches_eager::<rug::Rational>();
}

#[test]
fn summed_risk_matches_eager_f64_by_construction() {
    let mut lazy = SummedRisk::<f64>::new(10.0, 0.0, 0, RunTally::from_tally(&Tally::default(), &()));
    let mut eager: RunTally<f64> = RunTally::from_tally(&Tally::default(), &());
    let mut sum = 0.0;
    for n in 0..50u64 {
        lazy.record(n);
        eager.record(n, 10.0 - sum);
        sum += 0.3;
        lazy.push(&0.3);
    }
    assert_eq!(lazy.tally(), eager.tally());
}

fn one_neuron_case() -> Case {
    crate::model::case::parse_case(
        "t.toml",
        "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"1\"\ntarget = \"0\"\n\
         [theta]\nw = [\"1\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n",
    )
    .expect("case")
}

fn one_step(case: &Case, gamma: &BigRational, bits: u32) -> GdSummary {
    let opts = GdOptions::in_memory(1, GammaSpec::Value(gamma.clone()), StateMode::Dyadic(bits));
    run_gd(case, &opts).expect("gd")
}

/// Issue 10, item 8: a step just above the threshold of V(n+1) <= V(n),
/// whose violation is smaller than the change of V by rounding, is
/// reported as a violation: the inequality is decided on the exact step.
#[test]
fn a_violation_smaller_than_the_rounding_is_reported() {
    let case = one_neuron_case();
    // N = x on [0, 1], xi = 0: L = 1/3, |G|^2 + G_c^2 = 35/9, so one step
    // keeps V iff gamma <= gamma_V = 8L / (|G|^2 + G_c^2) = 24/35.
    let gamma = BigRational::new(24.into(), 35.into()) + BigRational::new(1.into(), BigInt::one() << 40usize);
    let xi = BigRational::zero();
    let prep = case.problem.prepare::<BigRational>(&());
    let ev = evaluate(&prep, &case.theta);
    let v0 = lyapunov(&case.theta, &xi, &());
    let exact = case.theta.step(&gamma, &ev.gradient);
    let violation = lyapunov(&exact, &xi, &()) - &v0;
    assert!(violation.is_positive() && violation < BigRational::new(1.into(), BigInt::one() << 36usize));
    // A grid on which rounding lowers V below V(theta_0): deciding on the
    // stored state would call this step a decrease.
    let bits = (2..40u32)
        .find(|&b| lyapunov(&exact.map(|x| BigRational::to_grid(x, b)), &xi, &()) < v0)
        .expect("a grid whose rounding hides the increase");
    let s = one_step(&case, &gamma, bits);
    assert_eq!(s.nonincrease.failed, 1, "dyadic:{bits}: {:?}", s.nonincrease);
    assert_eq!(s.nonincrease.first_failure, Some(0));
    assert_eq!(s.nonincrease.min_slack, Some(-violation.clone()));
    assert_eq!(s.a.failed, 1);
    // And at the threshold itself nothing fails.
    let s = one_step(&case, &BigRational::new(24.into(), 35.into()), bits);
    assert_eq!(s.nonincrease.failed, 0);
}

#[test]
fn sharp_step_sizes_parse_and_apply() {
    assert_eq!("auto-sharp".parse::<GammaSpec>(), Ok(GammaSpec::AutoSharp(BigRational::one())));
    assert_eq!(
        "auto-sharp*19/10".parse::<GammaSpec>(),
        Ok(GammaSpec::AutoSharp(BigRational::new(19.into(), 10.into())))
    );
    assert!("auto-sharp*0".parse::<GammaSpec>().is_err());
    assert!("auto-sharpx".parse::<GammaSpec>().is_err());
    assert_eq!("auto*2".parse::<GammaSpec>(), Ok(GammaSpec::Auto(BigRational::from_integer(2.into()))));
    // Lebesgue [0, 3]: K' = max(24, 48) = 48 < K = 216; V(theta_0) = 1/4 + 1/16 + 1 + 4 xi^2 = 85/16 + 4.
    let case = crate::model::case::parse_case(
        "t.toml",
        "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"3\"\ntarget = \"1\"\n\
         [theta]\nw = [\"1/2\"]\nb = [\"1/4\"]\nv = [\"1\"]\nc = \"0\"\n",
    )
    .expect("case");
    let gp = gamma_prime_star(&case).expect("gamma'*");
    let gs = gamma_star(&case).expect("gamma*");
    assert_eq!(&gp / &gs, BigRational::new(9.into(), 2.into()));
    assert!(sharp_rate(&case, &(&gp * BigRational::from_integer(2.into()))).is_none());
    assert_eq!(sharp_rate(&case, &gp), Some(BigRational::from_integer(4.into()) * &gp));
    let opts =
        GdOptions::in_memory(50, GammaSpec::AutoSharp(BigRational::new(19.into(), 10.into())), StateMode::Dyadic(64));
    let s = run_gd(&case, &opts).expect("gd");
    assert!(s.within_c14() && !s.within_c9());
    assert_eq!(s.c14a.checked, 50);
    assert!(s.claimed_inequalities_hold(), "{}", s.to_text("t.toml"));
    assert!(s.to_text("t.toml").contains("C14(a)"));
    assert!(s.to_json()["c14"]["rate"].is_string());
}

/// Issue 14: the tallies of a real run can fail. The same certified run,
/// judged against a claim stronger than C9(a) or C14(a) (8γL), fails at
/// step 0, and the faithful claim holds on it; a control writes no files.
#[test]
fn a_false_claim_fails_the_real_runs_tallies() {
    let case = one_neuron_case();
    let run = |gamma: GammaSpec, false_claim: FalseClaim| {
        let opts = GdOptions { false_claim, ..GdOptions::in_memory(20, gamma, StateMode::Dyadic(64)) };
        run_gd(&case, &opts).expect("gd")
    };
    let auto = || GammaSpec::Auto(BigRational::one());
    let sharp = || GammaSpec::AutoSharp(BigRational::new(3.into(), 2.into()));
    assert!(run(auto(), FalseClaim::None).claimed_inequalities_hold());
    let c9 = run(auto(), FalseClaim::EightGammaDescent);
    assert_eq!((c9.a.first_failure, c9.c14a.failed), (Some(0), 0));
    assert!(!c9.claimed_inequalities_hold());
    assert!(run(sharp(), FalseClaim::None).claimed_inequalities_hold());
    let c14 = run(sharp(), FalseClaim::EightGammaSharpRate);
    assert_eq!((c14.c14a.first_failure, c14.a.failed), (Some(0), 0));
    let opts = GdOptions {
        out: Some(std::env::temp_dir().join("reluproof-never-written.jsonl")),
        false_claim: FalseClaim::EightGammaDescent,
        ..GdOptions::in_memory(1, auto(), StateMode::Dyadic(64))
    };
    assert!(run_gd(&case, &opts).is_err());
}

#[test]
fn approx_skips_writing_long_values() {
    let long = BigRational::new(BigInt::one() << 300usize, BigInt::from(3));
    assert_eq!(approx(&long), format!("{:.6e}", long.to_f64_lossy()));
    // Beyond the f64 range: still digits, not inf.
    let beyond = BigRational::new(BigInt::from(3) << 5000usize, BigInt::from(7));
    assert_eq!(approx(&beyond), "6.053430e1504");
    assert_eq!(approx(&-beyond), "-6.053430e1504");
    assert_eq!(approx(&BigRational::new(1.into(), 3.into())), "1/3");
    assert_eq!(rational_string(&long), long.to_string());
    let huge = BigRational::new((BigInt::one() << 9000usize) + 1, BigInt::from(7));
    assert_eq!(rational_string(&huge), huge.to_string());
}

/// A step size far above γ* makes the exact iterates diverge, each step
/// multiplying the length of the numbers: the run stops once ‖θ_n‖² has
/// outgrown V(θ_0) by 2^DIVERGED_BITS, after that step's checks (which
/// fail, outside C9's hypothesis), instead of running for hours; the text
/// shows the huge values in decimal, never as `inf`.
#[test]
fn a_diverging_exact_run_stops_and_prints_finite_values() {
    let case = one_neuron_case();
    let gamma = BigRational::from_integer(BigInt::from(1_000_000_000));
    let opts = GdOptions::in_memory(200, GammaSpec::Value(gamma), StateMode::Dyadic(64));
    let s = run_gd(&case, &opts).expect("gd");
    let n = s.diverged_at.expect("stopped as diverged");
    assert!(n < 200 && s.steps == n, "stopped at {n}, steps {}", s.steps);
    assert!(!s.within_c9());
    assert!(s.b.failed > 0, "C9(b) fails on the way");
    let text = s.to_text("t.toml");
    assert!(text.contains("STOPPED at n = "), "{text}");
    assert!(!text.contains("inf"), "{text}");
    assert!(text.contains("orders of magnitude up"), "{text}");
    // Within C9's hypothesis nothing stops.
    let s = run_gd(&case, &GdOptions::in_memory(40, GammaSpec::Auto(BigRational::one()), StateMode::Dyadic(64)))
        .expect("gd");
    assert_eq!((s.diverged_at, s.steps), (None, 40));
}

/// A float state's violation no larger than its rounding-error estimate is
/// undecided; one clearly larger is still counted (as an observation of the
/// rounded trajectory); exact tallies ignore the estimate.
#[test]
fn float_violations_are_judged_against_the_rounding_estimate() {
    let mut t: RunTally<f64> = RunTally::from_tally(&Tally::default(), &()).rounding(Some(1e-3));
    t.record_near(0, 1.0, || 1.0);
    t.record_near(1, -1e-4, || 1.0);
    t.record_near(2, -1.0, || 1.0);
    let t = t.tally();
    assert_eq!((t.checked, t.within_rounding, t.first_within, t.failed, t.first_failure), (3, 1, Some(1), 1, Some(2)));
    assert_eq!(t.estimate_at_min, Some(1e-3));
    let line = tally_line("x", &t, false);
    assert!(line.contains("violated beyond the rounding-error estimate at 1 of 3 steps"), "{line}");
    assert!(!line.contains("FAILS"), "{line}");
    let mut exact: RunTally<BigRational> = RunTally::from_tally(&Tally::default(), &()).rounding(None);
    exact.record_near(0, BigRational::new((-1).into(), BigInt::one() << 60usize), || 1.0);
    assert_eq!((exact.tally().failed, exact.tally().within_rounding), (1, 0));
}

/// The f64 trajectory of random-h10 at gamma = gamma* violates C9(a) by a
/// few ulps of V (rounding noise, not a failure of exact GD): undecided,
/// never FAILS, and the slacks are printed as decimals. The same run judged
/// against a false claim (8 gamma L) still shows violations beyond the estimate.
#[test]
fn f64_rounding_noise_is_undecided_not_a_failure() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/random-h10.toml");
    let case = crate::model::case::read_case(&path).expect("case");
    let auto = || GammaSpec::Auto(BigRational::one());
    let s = run_gd(&case, &GdOptions::in_memory(2000, auto(), StateMode::F64)).expect("gd");
    assert!(s.a.within_rounding > 0, "the run shows rounding noise");
    assert_eq!((s.a.failed, s.nonincrease.failed, s.c14a.failed), (0, 0, 0));
    assert!(s.inconclusive() && s.claimed_inequalities_hold());
    let text = s.to_text("random-h10.toml");
    assert!(!text.contains("FAILS"), "{text}");
    assert!(text.contains("C9(a) V(n+1) <= V(n) - 4 gamma L(n): within floating-point rounding (undecided)"), "{text}");
    assert!(text.contains("rounding-error estimate is undecided"), "{text}");
    assert!(!text.contains("/1099511627776"), "slacks as decimals: {text}");
    let opts =
        GdOptions { false_claim: FalseClaim::EightGammaDescent, ..GdOptions::in_memory(20, auto(), StateMode::F64) };
    let s = run_gd(&case, &opts).expect("gd");
    assert_eq!(s.a.first_failure, Some(0));
    assert!(s.to_text("t").contains("violated beyond the rounding-error estimate"));
}
