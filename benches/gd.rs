//! Criterion benchmarks of gradient descent (`dynamics::gd::run_gd`): the
//! certified dyadic:128 state at H = 32 (100 and 1000 steps) and the f64
//! state at H = 1000, per block of steps. Run with
//! `cargo bench --features gmp --bench gd`.
//!
//! The initialisations come from `reluproof init`'s generator (uniform dyadic
//! entries, scale 1/2, Lebesgue on [0, 1], ξ = 1), so the numbers match
//! `reluproof init --H 32 --seed 7 --scale 1/2` followed by `reluproof gd`.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use reluproof::dynamics::gd::{run_gd, GammaSpec, GdOptions, StateMode};
use reluproof::dynamics::init::{init_case, problem_from_args, Distribution, InitOptions};
use reluproof::model::case::Case;
use reluproof::num::BigRational;
use std::hint::black_box;
use std::time::Duration;

fn init(width: usize) -> Case {
    let zero = BigRational::from_integer(0.into());
    let one = BigRational::from_integer(1.into());
    let problem = problem_from_args("lebesgue", &zero, &one, 1, 1, one.clone()).expect("problem");
    let opts = InitOptions {
        width,
        seed: 7,
        scale: BigRational::new(1.into(), 2.into()),
        dist: Distribution::Uniform,
        bits: 16,
        problem,
    };
    init_case(&opts).expect("init")
}

fn gd(case: &Case, steps: u64, state: StateMode) -> u64 {
    let opts = GdOptions::in_memory(steps, GammaSpec::Auto(BigRational::from_integer(1.into())), state);
    run_gd(case, &opts).expect("gd").steps
}

fn bench_gd(c: &mut Criterion) {
    let mut g = c.benchmark_group("gd");
    g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(20));
    let h32 = init(32);
    g.bench_function("dyadic128_H32_100_steps", |b| b.iter(|| black_box(gd(&h32, 100, StateMode::Dyadic(128)))));
    // Ten times the steps should cost about ten times as much: a certified
    // step does not slow down as n grows.
    g.bench_function("dyadic128_H32_1000_steps", |b| b.iter(|| black_box(gd(&h32, 1000, StateMode::Dyadic(128)))));
    let h1000 = init(1000);
    g.bench_function("f64_H1000_1000_steps", |b| b.iter(|| black_box(gd(&h1000, 1000, StateMode::F64))));
    g.finish();
}

criterion_group!(benches, bench_gd);
criterion_main!(benches);
