//! Criterion benchmarks of exact L and G on box measures (d = 2, 3, 4)
//! against the width H: `objective::evaluate` on the exact rationals, the
//! plan (vertices, triangulations) included; and for ReLU the same θ rounded
//! to f64 (`f64`), whose plan is decided exactly on the floats' dyadic
//! values (53-bit denominators, the hard family for the integer plan)
//! before the arithmetic runs in floats.
//!
//! Run with `cargo bench --bench boxes`; `cargo bench --bench boxes -- ^d2`
//! runs only d = 2 (ReLU), `-- relu2` only the ReLU² groups.
//!
//! θ: seeded small rationals (numerators in -40..=40, denominators in
//! 1..=16, built from integers) on the box [-1, 1]^d with the uniform
//! probability, ξ = 1, ReLU; w_j is scaled so that most hyperplanes cut the
//! box (b_j small next to ‖w_j‖), which is where the work is.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use num_bigint::BigInt;
use reluproof::gen::Rng;
use reluproof::model::{Measure, Problem, Target, Theta};
use reluproof::num::{BigRational, Scalar};
use reluproof::objective::evaluate;
use std::hint::black_box;
use std::time::Duration;

fn small(rng: &mut Rng) -> BigRational {
    BigRational::new(BigInt::from(rng.range(-40, 40)), BigInt::from(rng.range(1, 16)))
}

/// The uniform probability on [-1, 1]^d, ξ = 1, ReLU.
pub fn problem(d: usize) -> Problem {
    let one = BigRational::from_integer(BigInt::from(1));
    Problem::new(
        Measure::Box { a: vec![-one.clone(); d], b: vec![one.clone(); d], probability: true },
        Target::Constant(one),
    )
}

/// A deterministic θ of width `h` in dimension `d`.
pub fn theta(d: usize, h: usize) -> Theta<BigRational> {
    let mut rng = Rng::new(0xB0C5_0000 + (d * 1000 + h) as u64);
    let w = (0..d * h).map(|_| small(&mut rng)).collect();
    let b = (0..h).map(|_| small(&mut rng) / BigRational::from_integer(BigInt::from(4))).collect();
    let v = (0..h).map(|_| small(&mut rng)).collect();
    Theta { d, w, b, v, c: small(&mut rng) }
}

/// One group `name`: exact L and G of `prob` at θ = [`theta`]`(d, h)` for
/// each width h.
fn group(c: &mut Criterion, name: String, prob: &Problem, d: usize, widths: &[usize], floats: bool) {
    let prep = prob.prepare::<BigRational>(&());
    let prep_f64 = prob.prepare::<f64>(&());
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(3));
    for &h in widths {
        let th = theta(d, h);
        group
            .bench_with_input(BenchmarkId::new("exact", h), &th, |bch, th| bch.iter(|| black_box(evaluate(&prep, th))));
        if floats {
            let th = th.map(|q| f64::from_rational(q, &()));
            group.bench_with_input(BenchmarkId::new("f64", h), &th, |bch, th| {
                bch.iter(|| black_box(evaluate(&prep_f64, th)))
            });
        }
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    for (d, widths) in [(2, &[5usize, 10, 20, 40, 80][..]), (3, &[5, 10, 20, 40][..]), (4, &[5, 10, 20][..])] {
        group(c, format!("d{d}"), &problem(d), d, widths, true);
    }
}

/// ReLU² on the same boxes: the cell-by-cell path (`Path::BoxCells`), whose
/// O(H^d) cells make it far costlier than the pairs of neurons of ReLU.
fn bench_relu_power(c: &mut Criterion) {
    for (d, widths) in [(2, &[5usize, 10, 20, 40][..]), (3, &[5, 10][..])] {
        let mut prob = problem(d);
        prob.activation = reluproof::model::Activation::ReluPow(2);
        group(c, format!("relu2-d{d}"), &prob, d, widths, false);
    }
}

criterion_group!(benches, bench, bench_relu_power);
criterion_main!(benches);
