//! Criterion benchmarks of `objective::evaluate` (L and G together, kink
//! sweep included) for the Lebesgue measure on [a, b], d = 1.
//!
//! Run with `cargo bench --features gmp --bench eval` (without `gmp` the
//! `rug::Rational` groups are left out); `cargo bench --bench eval -- init`
//! runs only the `init` family.
//!
//! Two families of θ. `evaluate/*`: small rationals (below). `init/*`: the
//! cases `reluproof init --H N --a -4 --b 4` writes (seed 1, entries uniform
//! multiples of 2^-16 in [-1, 1]), built here by the library's
//! [`init_case`]: the kinks -b_j/w_j have distinct denominators of up to 16
//! bits, so the exact L and G have denominators that grow with H (G's
//! components run to thousands of digits at H = 1000), which is what exact
//! summation has to scale with.
//!
//! θ is drawn from a seeded [`Rng`] with "realistic" rationals like those of
//! `tests/vectors/random-h10.toml`: numerators in -40..=40, denominators
//! in 1..=16, built from integers (never from f64 literals). The domain is
//! [-4, 4] so that most kinks t_j = -b_j/w_j fall inside it and the sweep does
//! real work (about 80% of them at these sizes); ξ = 1.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use num_bigint::BigInt;
use reluproof::dynamics::init::{init_case, Distribution, InitOptions};
use reluproof::eval::summary_ordered;
use reluproof::gen::Rng;
use reluproof::model::case::Case;
use reluproof::model::{Measure, Prepared, Problem, Target, Theta};
use reluproof::num::{BigRational, Ordered};
use reluproof::objective::evaluate;
use std::hint::black_box;
use std::time::Duration;

/// Widths benchmarked on every backend.
const WIDTHS: [usize; 5] = [10, 100, 1_000, 10_000, 100_000];

/// A small rational n/d with n in -40..=40 and d in 1..=16.
fn small(rng: &mut Rng) -> BigRational {
    let n = rng.range(-40, 40);
    let d = rng.range(1, 16);
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

/// The benchmark problem: Lebesgue measure on [-4, 4], ξ = 1, ReLU.
fn problem() -> Problem {
    Problem::new(
        Measure::Lebesgue {
            a: BigRational::from_integer(BigInt::from(-4)),
            b: BigRational::from_integer(BigInt::from(4)),
        },
        Target::Constant(BigRational::from_integer(BigInt::from(1))),
    )
}

/// A deterministic θ of width `h` (the seed depends only on `h`).
fn theta(h: usize) -> Theta<BigRational> {
    let mut rng = Rng::new(0x5EED_0000 + h as u64);
    let draw = |rng: &mut Rng| (0..h).map(|_| small(rng)).collect::<Vec<_>>();
    let w = draw(&mut rng);
    let b = draw(&mut rng);
    let v = draw(&mut rng);
    let c = small(&mut rng);
    Theta { d: 1, w, b, v, c }
}

/// One benchmark group per backend: `evaluate` at every width in `widths`.
///
/// `slow_from`: from this width on the backend takes long per evaluation, so
/// the group switches to flat sampling with the minimum of 10 samples and a
/// short measurement time (criterion then runs each sample once or a few
/// times); the whole bench stays within a few minutes.
fn bench_backend<S: Ordered>(c: &mut Criterion, name: &str, widths: &[usize], slow_from: usize)
where
    S::Ctx: Default,
{
    let ctx = S::Ctx::default();
    let prob = problem();
    let mut group = c.benchmark_group(format!("evaluate/{name}"));
    for &h in widths {
        let prep: Prepared<S> = prob.prepare(&ctx);
        let th: Theta<S> = theta(h).map(|q| S::from_rational(q, &ctx));
        group.throughput(Throughput::Elements(h as u64));
        if h >= slow_from {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(5));
        } else {
            group
                .sampling_mode(SamplingMode::Auto)
                .sample_size(30)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
        }
        group.bench_with_input(BenchmarkId::from_parameter(h), &h, |bch, _| {
            bch.iter(|| evaluate(black_box(&prep), black_box(&th)))
        });
    }
    group.finish();
}

/// Widths of the `init` family (exact backends; f64 for comparison).
const INIT_WIDTHS: [usize; 3] = [100, 1_000, 4_000];

/// θ of `reluproof init --H h --a -4 --b 4` (seed 1, scale 1, uniform, 16 bits).
fn init_theta(h: usize) -> Theta<BigRational> {
    let opts = InitOptions {
        width: h,
        seed: 1,
        scale: BigRational::from_integer(BigInt::from(1)),
        dist: Distribution::Uniform,
        bits: 16,
        problem: problem(),
    };
    init_case(&opts).expect("init case").theta
}

/// `evaluate` on the `init` family: flat sampling with 10 samples from
/// H = 1000 on (one exact evaluation takes a fraction of a second there).
fn bench_init<S: Ordered>(c: &mut Criterion, name: &str)
where
    S::Ctx: Default,
{
    let ctx = S::Ctx::default();
    let prob = problem();
    let mut group = c.benchmark_group(format!("init/{name}"));
    for h in INIT_WIDTHS {
        let prep: Prepared<S> = prob.prepare(&ctx);
        let th: Theta<S> = init_theta(h).map(|q| S::from_rational(q, &ctx));
        group.throughput(Throughput::Elements(h as u64));
        if h >= 1_000 {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(5));
        } else {
            group
                .sampling_mode(SamplingMode::Auto)
                .sample_size(20)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
        }
        group.bench_with_input(BenchmarkId::from_parameter(h), &h, |bch, _| {
            bch.iter(|| evaluate(black_box(&prep), black_box(&th)))
        });
    }
    group.finish();
}

/// What `reluproof eval` computes on the `init` family before printing:
/// L, G, V, ⟨∇V, G⟩, 8L, Q_j and ⟨∇Q_j, G⟩ ([`summary_ordered`]), exact.
fn bench_init_summary(c: &mut Criterion) {
    let mut group = c.benchmark_group("init-summary/BigRational");
    for h in INIT_WIDTHS {
        let case = Case { problem: problem(), theta: init_theta(h), notes: Vec::new() };
        group.throughput(Throughput::Elements(h as u64));
        group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(if h >= 1_000 { 5 } else { 3 }));
        group.bench_with_input(BenchmarkId::from_parameter(h), &h, |bch, _| {
            bch.iter(|| summary_ordered::<BigRational>(black_box(&case), &()))
        });
    }
    group.finish();
}

fn bench_init_exact(c: &mut Criterion) {
    bench_init::<f64>(c, "f64");
    bench_init::<BigRational>(c, "BigRational");
    #[cfg(feature = "gmp")]
    bench_init::<rug::Rational>(c, "rug-Rational");
}

fn bench_f64(c: &mut Criterion) {
    bench_backend::<f64>(c, "f64", &WIDTHS, usize::MAX);
}

// The exact backends go up to H = 10^5 too, capped from H = 10^4 on to flat
// sampling with 10 samples and 5 s: one evaluation takes about 0.1 s at
// H = 10^4 and 0.6-1 s at H = 10^5 (measured), so criterion's default 100
// samples would run for minutes. The whole bench takes about 1.5 minutes
// (after the build) on 2 cores.
fn bench_bigrational(c: &mut Criterion) {
    bench_backend::<BigRational>(c, "BigRational", &WIDTHS, 10_000);
}

#[cfg(feature = "gmp")]
fn bench_gmp(c: &mut Criterion) {
    bench_backend::<rug::Rational>(c, "rug-Rational", &WIDTHS, 10_000);
}

#[cfg(feature = "gmp")]
criterion_group!(benches, bench_f64, bench_bigrational, bench_gmp, bench_init_exact, bench_init_summary);
#[cfg(not(feature = "gmp"))]
criterion_group!(benches, bench_f64, bench_bigrational, bench_init_exact, bench_init_summary);
criterion_main!(benches);
