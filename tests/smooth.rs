//! The smooth path (`reluproof::smooth`): MPFR enclosures and quadrature for
//! smooth activations and the `sin` target.
//!
//! Hand cases one per line (values at known points against independent
//! high-precision formulas, derivatives against centred difference
//! quotients), properties (enclosures contain the exact rational values of
//! the ReLU path and narrow with precision, quadrature agrees with the exact
//! integrals), the E3 softplus witness with ⟨∇V, G⟩ < 0 certified, and
//! `eval` on smooth cases.
#![cfg(feature = "gmp")]

use num_rational::BigRational;
use proptest::prelude::*;
use reluproof::backend::BackendSpec;
use reluproof::eval::run_eval;
use reluproof::gen::{self, GenConfig, MeasureKind, Rng};
use reluproof::model::case::{parse_case, Case};
use reluproof::model::{Activation, DerivativeAtZero, Target};
use reluproof::num::parse::parse_rational;
use reluproof::num::{Guarantee, Interval, Scalar, Sign3};
use reluproof::objective::evaluate;
use reluproof::smooth::activation::sigma_and_slope;
use reluproof::smooth::transcendental::Transcendental;
use reluproof::smooth::{approximation, enclosure, identity_defect, quadrature};
use rug::float::Constant;
use rug::ops::Pow;
use rug::Float;
use std::cmp::Ordering;

type I = Interval<Float>;

fn q(s: &str) -> BigRational {
    parse_rational(s).expect("test literal")
}

fn case(text: &str) -> Case {
    parse_case("hand", text).expect("hand case")
}

fn act(name: &str) -> Activation {
    match name {
        "softplus" => Activation::Softplus,
        "tanh" => Activation::Tanh,
        "sigmoid" => Activation::Sigmoid,
        "gelu" => Activation::Gelu,
        "silu" => Activation::Silu,
        "relu" => Activation::Relu,
        other => panic!("{other}"),
    }
}

/// (σ, σ') enclosures at `prec` bits at the rational z.
fn encl(a: &Activation, z: &BigRational, prec: u32) -> (I, I) {
    let zi = I::from_rational(z, &prec);
    let sign = Some(z.cmp(&q("0")));
    sigma_and_slope(a, DerivativeAtZero::Open, &zi, sign, &prec)
}

/// (σ, σ') in MPFR at `prec` bits, round to nearest.
fn approx(a: &Activation, z: &Float) -> (Float, Float) {
    let prec = z.prec();
    let sign = z.cmp0();
    sigma_and_slope(a, DerivativeAtZero::Open, z, sign, &prec)
}

/// Independent reference formulas at 512 bits or more (different from the ones in
/// `smooth::activation`: ln instead of ln1p, cosh, erfc, explicit quotients).
fn reference(name: &str, z: &BigRational) -> (Float, Float) {
    // 1 + e^{-|z|} must be resolved: 512 bits beyond 2|z| log2(e).
    let p = 512 + (3.0 * z.to_f64_lossy().abs()) as u32;
    let z = Float::with_val(p, &reluproof::num::gmp::rational_from_big(z));
    let one = Float::with_val(p, 1);
    let e = |x: Float| x.exp();
    match name {
        "softplus" => {
            let value = (one.clone() + e(z.clone())).ln();
            let slope = e(z.clone()) / (one + e(z));
            (value, slope)
        }
        "tanh" => {
            let e2 = e(Float::with_val(p, &z * 2u32));
            let value = Float::with_val(p, &e2 - 1u32) / Float::with_val(p, &e2 + 1u32);
            let slope = one / z.cosh().square();
            (value, slope)
        }
        "sigmoid" => {
            let value = e(z.clone()) / (one.clone() + e(z.clone()));
            let slope = e(z.clone()) / (one + e(z)).square();
            (value, slope)
        }
        "gelu" => {
            let sqrt2 = Float::with_val(p, 2).sqrt();
            let cdf = (Float::with_val(p, -&z) / &sqrt2).erfc() / 2u32;
            let two_pi = Float::with_val(p, Constant::Pi) * 2u32;
            let pdf = e(Float::with_val(p, -z.clone().square()) / 2u32) / two_pi.sqrt();
            (Float::with_val(p, &z * &cdf), cdf + Float::with_val(p, &z * &pdf))
        }
        "silu" => {
            let s = e(z.clone()) / (one.clone() + e(z.clone()));
            let ds = e(z.clone()) / (one + e(z.clone())).square();
            (Float::with_val(p, &z * &s), s + Float::with_val(p, &z * &ds))
        }
        other => panic!("{other}"),
    }
}

fn contains_float(iv: &I, x: &Float) -> bool {
    iv.contains(&reluproof::num::gmp::big_from_rational(&x.to_rational().expect("finite")))
}

/// x within `tol` of the interval (for approximate values against enclosures).
fn near(iv: &I, x: &Float, tol: f64) -> bool {
    let lo = Float::with_val(x.prec(), &iv.lo - tol);
    let hi = Float::with_val(x.prec(), &iv.hi + tol);
    *x >= lo && *x <= hi
}

fn width(iv: &I) -> f64 {
    iv.width_f64()
}

// ---- hand cases: σ and σ' at known points, one per line ----

const POINTS: &[(&str, &str)] = &[
    ("softplus", "0"),
    ("softplus", "3/2"),
    ("softplus", "-7"),
    ("softplus", "40"),
    ("softplus", "-1953"),
    ("tanh", "1"),
    ("tanh", "-1/3"),
    ("tanh", "12"),
    ("sigmoid", "-2"),
    ("sigmoid", "5/8"),
    ("gelu", "1/3"),
    ("gelu", "-5/2"),
    ("gelu", "4"),
    ("silu", "-5/4"),
    ("silu", "3"),
    ("silu", "0"),
];

#[test]
fn hand_values_enclose_the_512_bit_reference() {
    for &(name, z) in POINTS {
        let (rv, rd) = reference(name, &q(z));
        for prec in [64, 128, 256] {
            let (v, d) = encl(&act(name), &q(z), prec);
            assert!(contains_float(&v, &rv), "{name}({z}) at {prec} bits: {v:?} misses {rv}");
            assert!(contains_float(&d, &rd), "{name}'({z}) at {prec} bits: {d:?} misses {rd}");
            assert!(width(&v) < 2f64.powi(8 - prec as i32), "{name}({z}) at {prec} bits too wide: {}", width(&v));
            assert!(width(&d) < 2f64.powi(8 - prec as i32), "{name}'({z}) at {prec} bits too wide: {}", width(&d));
        }
    }
}

/// Exact values at z = 0: σ'(0) = 1/2 for softplus, GELU and SiLU, 1 for
/// tanh, 1/4 for sigmoid; σ(0) = 0 for tanh, GELU and SiLU, 1/2 for sigmoid.
#[test]
fn hand_values_at_zero_enclose_the_exact_rationals() {
    let cases = [
        ("softplus", None, "1/2"),
        ("tanh", Some("0"), "1"),
        ("sigmoid", Some("1/2"), "1/4"),
        ("gelu", Some("0"), "1/2"),
        ("silu", Some("0"), "1/2"),
    ];
    for (name, value, slope) in cases {
        let (v, d) = encl(&act(name), &q("0"), 128);
        if let Some(value) = value {
            assert!(v.contains(&q(value)), "{name}(0) = {value}: {v:?}");
        }
        assert!(d.contains(&q(slope)), "{name}'(0) = {slope}: {d:?}");
    }
    // softplus(0) = ln 2, against MPFR's constant.
    let (v, _) = encl(&Activation::Softplus, &q("0"), 128);
    assert!(contains_float(&v, &Float::with_val(512, Constant::Log2)));
}

/// σ' against the centred difference quotient (σ(z + h) − σ(z − h)) / 2h at
/// 1024 bits with h = 2^-100: they agree to O(h²) = 2^-200.
#[test]
fn hand_derivatives_match_centred_difference_quotients() {
    for &(name, z) in POINTS {
        let prec = 1024;
        let a = act(name);
        let z = Float::with_val(prec, &reluproof::num::gmp::rational_from_big(&q(z)));
        let h = Float::with_val(prec, 1) >> 100u32;
        let (plus, _) = approx(&a, &Float::with_val(prec, &z + &h));
        let (minus, _) = approx(&a, &Float::with_val(prec, &z - &h));
        let dq = Float::with_val(prec, &plus - &minus) / Float::with_val(prec, &h * 2u32);
        let (_, slope) = approx(&a, &z);
        let err = Float::with_val(prec, &dq - &slope).abs();
        assert!(err < Float::with_val(prec, 1) >> 190u32, "{name}'({z}): quotient {dq} vs {slope}, error {err}");
    }
}

#[test]
fn hand_sin_target_enclosures() {
    // sin at a rational point, against a 512-bit value, and sin over a wide
    // interval stays within [-1, 1].
    let x = I::from_rational(&q("7/3"), &128);
    let s = x.sin();
    assert!(contains_float(&s, &Float::with_val(512, q_float("7/3").sin_ref())));
    let wide = Interval { lo: Float::with_val(64, -10), hi: Float::with_val(64, 10) };
    let ws = wide.sin();
    assert!(ws.contains(&q("1")) && ws.contains(&q("-1")) && ws.hi <= 1 && ws.lo >= -1);
}

fn q_float(s: &str) -> Float {
    Float::with_val(512, &reluproof::num::gmp::rational_from_big(&q(s)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every primitive's 53-bit enclosure at a random rational point contains
    /// the 512-bit MPFR value (a wrong rounding direction fails about half of
    /// the points).
    #[test]
    fn primitive_enclosures_contain_the_512_bit_values(n in -4000i64..4000, k in 1i64..97) {
        let z = BigRational::new(n.into(), k.into());
        let zi = I::from_rational(&z, &53);
        let r = Float::with_val(512, &reluproof::num::gmp::rational_from_big(&z));
        let checks: Vec<(&str, I, Float)> = vec![
            ("exp", zi.exp(), Float::with_val(512, r.exp_ref())),
            ("tanh", zi.tanh(), Float::with_val(512, r.tanh_ref())),
            ("erf", zi.erf(), Float::with_val(512, r.erf_ref())),
            ("sin", zi.sin(), Float::with_val(512, r.sin_ref())),
            ("square", zi.square(), Float::with_val(512, r.square_ref())),
            ("ln1p", zi.square().ln1p(), Float::with_val(512, r.square_ref()).ln_1p()),
        ];
        for (name, iv, x) in checks {
            prop_assert!(contains_float(&iv, &x), "{}({}) = {} not in {:?}", name, z, x, iv);
        }
        for name in ["softplus", "tanh", "sigmoid", "gelu", "silu"] {
            let (v, d) = encl(&act(name), &z, 53);
            let (rv, rd) = reference(name, &z);
            prop_assert!(contains_float(&v, &rv), "{}({}) = {} not in {:?}", name, z, rv, v);
            prop_assert!(contains_float(&d, &rd), "{}'({}) = {} not in {:?}", name, z, rd, d);
        }
    }
}

// ---- the E3 witness ----

fn softplus_witness() -> Case {
    case(
        "[problem]\nmeasure = \"empirical\"\npoints = [\"0\"]\nweights = [\"1\"]\ntarget = \"1/2\"\nactivation = \"softplus\"\n[theta]\nw = [\"0\"]\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n",
    )
}

/// One degenerate softplus neuron (proofs/E3.md): e = ln 2 − 1/2,
/// ⟨∇V, G⟩ = 4e(ln 2 − 1) ≈ −0.2371 < 0, ⟨∇V, G⟩ − 8L = −4 ln 2 · e.
#[test]
fn softplus_witness_has_certified_negative_grad_v_dot_g() {
    let (defect, gvg) = identity_defect(&softplus_witness(), 256).expect("empirical");
    assert_eq!(gvg.sign(), Sign3::Negative, "{gvg:?}");
    assert_eq!(defect.sign(), Sign3::Negative, "{defect:?}");
    let ln2 = Float::with_val(512, Constant::Log2);
    let e = Float::with_val(512, &ln2 - 0.5f64);
    let expected_gvg = Float::with_val(512, &e * 4u32) * Float::with_val(512, &ln2 - 1u32);
    let expected_defect = -(Float::with_val(512, &ln2 * 4u32) * &e);
    assert!(contains_float(&gvg, &expected_gvg), "{gvg:?} vs {expected_gvg}");
    assert!(contains_float(&defect, &expected_defect), "{defect:?} vs {expected_defect}");
    assert!(width(&gvg) < 1e-70);
}

/// With ReLU in place of softplus the same instance satisfies C3: the
/// smooth path's enclosure of the defect contains 0.
#[test]
fn relu_in_the_smooth_path_keeps_the_identity() {
    let mut k = softplus_witness();
    k.problem.activation = Activation::Relu;
    // sin target forces the smooth path in eval; here the empirical sums are used directly.
    let (defect, _) = identity_defect(&k, 128).expect("empirical");
    assert!(defect.contains(&q("0")), "{defect:?}");
}

/// Every smooth activation breaks the identity somewhere: at z = 1 with one
/// neuron (w = 0, b = 1), one point, v = 1, c = 0, ξ = 0.
#[test]
fn every_smooth_activation_has_a_certified_defect() {
    for name in ["softplus", "tanh", "sigmoid", "gelu", "silu"] {
        let k = case(&format!(
            "[problem]\nmeasure = \"empirical\"\npoints = [\"1/2\"]\ntarget = \"0\"\nactivation = \"{name}\"\n[theta]\nw = [\"0\"]\nb = [\"1\"]\nv = [\"1\"]\nc = \"0\"\n"
        ));
        let (defect, _) = identity_defect(&k, 128).expect("empirical");
        assert!(matches!(defect.sign(), Sign3::Negative | Sign3::Positive), "{name}: {defect:?}");
    }
}

// ---- properties ----

/// Tame empirical cases (small rationals) for every activation.
fn tame_empirical(rng: &mut Rng, activation: Activation) -> Case {
    let mut k =
        gen::case(rng, &GenConfig { max_width: 6, max_dim: 2, max_points: 5, measures: vec![MeasureKind::Empirical] });
    let th = &mut k.theta;
    for x in th.w.iter_mut().chain(th.b.iter_mut()).chain(th.v.iter_mut()).chain(std::iter::once(&mut th.c)) {
        *x = gen::small_rational(rng);
    }
    k.problem.activation = activation;
    k
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// ReLU (either σ'(0) convention) on an empirical measure: the smooth
    /// path's 128-bit enclosure of L and every G_k contains the exact
    /// rational of `objective::evaluate`, also for the generator's nasty
    /// rationals (kinks through sample points, huge and tiny numbers).
    #[test]
    fn relu_enclosure_contains_the_exact_rationals(seed in any::<u64>(), closed in any::<bool>()) {
        let mut k = gen::case(&mut Rng::new(seed), &GenConfig { max_width: 12, measures: vec![MeasureKind::Empirical], ..GenConfig::default() });
        if closed {
            k.problem.derivative_at_zero = DerivativeAtZero::Closed;
        }
        let exact = evaluate::<BigRational>(&k.problem.prepare(&()), &k.theta);
        let s = enclosure(&k, 128).expect("enclosure").summary;
        prop_assert!(s.risk.contains(&exact.risk), "L = {} not in {:?}", exact.risk, s.risk);
        for (g, x) in s.gradient.flatten().iter().zip(exact.gradient.flatten()) {
            prop_assert!(g.contains(&x), "G_k = {} not in {:?}", x, g);
        }
    }

    /// The enclosures of a smooth empirical case narrow with the precision:
    /// width at 256 bits < width at 128 bits < width at 64 bits (for L and
    /// ⟨∇V, G⟩ when nonzero), and the 256-bit MPFR value lies inside.
    #[test]
    fn enclosure_width_shrinks_with_precision(seed in any::<u64>(), which in 0usize..5) {
        let names = ["softplus", "tanh", "sigmoid", "gelu", "silu"];
        let k = tame_empirical(&mut Rng::new(seed), act(names[which]));
        let widths: Vec<(f64, f64)> = [64u32, 128, 256]
            .iter()
            .map(|&p| {
                let s = enclosure(&k, p).expect("enclosure").summary;
                (width(&s.risk), width(&s.grad_v_dot_g))
            })
            .collect();
        for pair in widths.windows(2) {
            prop_assert!(pair[1].0 <= pair[0].0 && pair[1].1 <= pair[0].1, "{:?}", widths);
            if pair[0].0 > 0.0 {
                prop_assert!(pair[1].0 < pair[0].0, "{:?}", widths);
            }
        }
        let s = enclosure(&k, 256).expect("enclosure").summary;
        let a = approximation(&k, 256).expect("approximation").summary;
        prop_assert!(contains_float(&s.risk, &a.risk));
        prop_assert!(contains_float(&s.grad_v_dot_g, &a.grad_v_dot_g));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Random tame interval-measure cases, every activation, constant or sin
    /// target: the quadrature's values lie in the rigorous panel enclosure
    /// and its error estimate is far below the enclosure's width.
    #[test]
    fn quadrature_lies_in_the_panel_enclosure(seed in any::<u64>(), which in 0usize..6, sin in any::<bool>()) {
        let names = ["softplus", "tanh", "sigmoid", "gelu", "silu", "relu"];
        let mut rng = Rng::new(seed);
        let mut k = gen::case(
            &mut rng,
            &GenConfig { max_width: 4, measures: vec![MeasureKind::Lebesgue, MeasureKind::Uniform], ..GenConfig::default() },
        );
        let th = &mut k.theta;
        for x in th.w.iter_mut().chain(th.b.iter_mut()).chain(th.v.iter_mut()).chain(std::iter::once(&mut th.c)) {
            *x = gen::small_rational(&mut rng) / BigRational::from_integer(4.into());
        }
        k.problem.activation = act(names[which]);
        k.problem.target = if sin { Target::Sin } else { Target::Constant(gen::small_rational(&mut rng)) };
        let a = approximation(&k, 128).expect("quadrature");
        let e = quadrature::evaluate_panels(&k, 128, 256).expect("panels");
        // The quadrature is approximate: where the enclosure is exact (a
        // dyadic ReLU integral) it may miss it by rounding, so allow 1e-30 * scale.
        let scale = 1.0 + a.summary.risk.to_f64().abs();
        prop_assert!(near(&e.risk, &a.summary.risk, 1e-30 * scale), "L {} not in {:?}", a.summary.risk, e.risk);
        for (x, iv) in a.summary.gradient.flatten().iter().zip(e.gradient.flatten()) {
            prop_assert!(near(&iv, x, 1e-30 * scale), "G_k {} not in {:?}", x, iv);
        }
        let est = a.quadrature.expect("estimate").estimate;
        prop_assert!(est < 1e-25 * scale, "estimate {} (L = {})", est, a.summary.risk);
    }
}

/// Lebesgue measure, ReLU with a constant target (exact reference): the
/// quadrature (split at kinks, so each segment is a polynomial) matches the
/// exact rationals to near working precision, and the coarse panel enclosure
/// contains them.
#[test]
fn quadrature_and_panel_enclosure_agree_with_exact_relu_integrals() {
    let mut rng = Rng::new(7);
    for _ in 0..12 {
        let mut k = gen::case(
            &mut rng,
            &GenConfig {
                max_width: 6,
                measures: vec![MeasureKind::Lebesgue, MeasureKind::Uniform],
                ..GenConfig::default()
            },
        );
        let th = &mut k.theta;
        for x in th.w.iter_mut().chain(th.b.iter_mut()).chain(th.v.iter_mut()).chain(std::iter::once(&mut th.c)) {
            *x = gen::small_rational(&mut rng);
        }
        let exact = evaluate::<BigRational>(&k.problem.prepare(&()), &k.theta);
        let (fine, _, _, _) = quadrature::evaluate_quadrature(&k, 192).expect("quadrature");
        let panels = quadrature::evaluate_panels(&k, 128, 256).expect("panels");
        let scale = 1.0 + exact.risk.to_f64_lossy().abs();
        let close = |x: &Float, e: &BigRational| {
            let d = Float::with_val(192, x - &reluproof::num::gmp::rational_from_big(e)).abs().to_f64();
            d <= 1e-40 * scale * 1e6
        };
        assert!(close(&fine.risk, &exact.risk), "L: {} vs {}", fine.risk, exact.risk);
        assert!(panels.risk.contains(&exact.risk), "L = {} not in {:?}", exact.risk, panels.risk);
        for ((f, p), e) in fine.gradient.flatten().iter().zip(panels.gradient.flatten()).zip(exact.gradient.flatten()) {
            assert!(close(f, &e), "G: {f} vs {e}");
            assert!(p.contains(&e), "G_k = {e} not in {p:?}");
        }
    }
}

/// sin target with v = 0 (N ≡ c) on Lebesgue [a, b]: L has the closed form
/// c²(b − a) − 2c(cos a − cos b) + (b − a)/2 − (sin 2b − sin 2a)/4.
#[test]
fn sin_target_risk_matches_the_closed_form() {
    let k = case(
        "[problem]\nmeasure = \"lebesgue\"\na = \"-1/2\"\nb = \"3\"\ntarget = \"sin\"\n[theta]\nw = [\"2\", \"-1\"]\nb = [\"-1\", \"1/3\"]\nv = [\"0\", \"0\"]\nc = \"1/3\"\n",
    );
    let p = 512;
    let f = |s: &str| q_float(s);
    let (a, b, c) = (f("-1/2"), f("3"), f("1/3"));
    let len = Float::with_val(p, &b - &a);
    let term1 = Float::with_val(p, c.square_ref()) * &len;
    let term2 = Float::with_val(p, &c * 2u32) * (Float::with_val(p, a.cos_ref()) - Float::with_val(p, b.cos_ref()));
    let sin2 = |x: &Float| Float::with_val(p, x * 2u32).sin();
    let term4 = (sin2(&b) - sin2(&a)) / 4u32;
    let expected = term1 - term2 + Float::with_val(p, &len / 2u32) - term4;
    let a = approximation(&k, 256).expect("quadrature");
    let err = Float::with_val(p, &a.summary.risk - &expected).abs();
    assert!(err < 1e-60, "L = {} vs {expected}: error {err}", a.summary.risk);
    let est = a.quadrature.expect("estimate").estimate;
    assert!(est < 1e-40, "estimate {est}");
    let e = enclosure(&k, 128).expect("enclosure").summary;
    assert!(contains_float(&e.risk, &expected), "{:?}", e.risk);
}

/// Softplus on Lebesgue measure: the quadrature's value lies in the rigorous
/// panel enclosure and its error estimate is tiny; the ReLU-with-sin case is
/// split at its kinks.
#[test]
fn smooth_quadrature_lies_in_the_panel_enclosure() {
    for (name, target) in [("softplus", "1"), ("gelu", "sin"), ("relu", "sin"), ("tanh", "-1/2")] {
        let k = case(&format!(
            "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"{target}\"\nactivation = \"{name}\"\n[theta]\nw = [\"3\", \"-1/2\", \"0\"]\nb = [\"1\", \"1/4\", \"0\"]\nv = [\"-1\", \"2\", \"1/2\"]\nc = \"1/5\"\n"
        ));
        let a = approximation(&k, 128).expect("quadrature");
        let e = enclosure(&k, 128).expect("panels").summary;
        assert!(a.quadrature.as_ref().expect("estimate").estimate < 1e-25, "{name}: {:?}", a.quadrature);
        assert!(contains_float(&e.risk, &a.summary.risk), "{name}: L");
        assert!(contains_float(&e.grad_v_dot_g, &a.summary.grad_v_dot_g), "{name}: <grad V, G>");
        for (x, iv) in a.summary.gradient.flatten().iter().zip(e.gradient.flatten()) {
            assert!(contains_float(&iv, x), "{name}: G");
        }
    }
    // The ReLU + sin case splits at the kinks -1/3 and 1/2 (inside [-1, 2]).
    let k = case(
        "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"sin\"\n[theta]\nw = [\"3\", \"-1/2\", \"0\"]\nb = [\"1\", \"1/4\", \"0\"]\nv = [\"-1\", \"2\", \"1/2\"]\nc = \"1/5\"\n",
    );
    let segs = quadrature::segments(&k).expect("segments");
    let ends: Vec<String> = segs.iter().map(|s| s.l.to_string()).collect();
    assert_eq!(ends, ["-1", "-1/3", "1/2"]);
    assert_eq!(segs[0].signs, [Some(Ordering::Less), Some(Ordering::Greater), Some(Ordering::Equal)]);
}

/// The panel enclosure is second order: doubling the panels divides its
/// width by about 4 (at most 0.3 here), for smooth and kinked integrands.
#[test]
fn panel_enclosure_width_is_second_order() {
    for (name, target) in [("softplus", "1"), ("relu", "sin"), ("silu", "sin")] {
        let k = case(&format!(
            "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"{target}\"\nactivation = \"{name}\"\n[theta]\nw = [\"3\", \"-1/2\"]\nb = [\"1\", \"1/4\"]\nv = [\"-1\", \"2\"]\nc = \"1/5\"\n"
        ));
        let w = |n: usize| width(&quadrature::evaluate_panels(&k, 128, n).expect("panels").risk);
        let (coarse, fine) = (w(256), w(512));
        assert!(fine <= 0.3 * coarse, "{name}/{target}: width {coarse:e} -> {fine:e}");
    }
}

/// Second-order jets against difference quotients at 1024 bits
/// (h = 2^-80): f' to O(h²) by the centred quotient, f'' by the second
/// difference, for σ(3x − 1/2) and σ'(3x − 1/2) of every activation and for
/// quotients, sin, cos, erf and exp.
#[test]
fn jet_derivatives_match_difference_quotients() {
    use reluproof::smooth::jet::Jet2;
    let prec = 1024;
    let x0 = q_float("2/7");
    let x0 = Float::with_val(prec, &x0);
    let h = Float::with_val(prec, 1) >> 80u32;
    type F = Float;
    type Case2 = (String, Box<dyn Fn(&Jet2<F>) -> Jet2<F>>, Box<dyn Fn(&F) -> F>);
    let funcs: Vec<Case2> = {
        let mut v: Vec<Case2> = Vec::new();
        for name in ["softplus", "tanh", "sigmoid", "gelu", "silu"] {
            for which in 0..2 {
                let a = act(name);
                let a2 = a.clone();
                let pre_j =
                    move |x: &Jet2<F>| x.mul(&Jet2::from_i64(3, &prec)).sub(&Jet2::from_rational(&q("1/2"), &prec));
                let pre_f = move |x: &F| Float::with_val(prec, x * 3u32) - 0.5f64;
                v.push((
                    format!("{name}[{which}]"),
                    Box::new(move |x| {
                        let z = pre_j(x);
                        let s = z.sign();
                        let (val, slope) = sigma_and_slope(
                            &a,
                            DerivativeAtZero::Open,
                            &z,
                            match s {
                                Sign3::Positive => Some(Ordering::Greater),
                                Sign3::Negative => Some(Ordering::Less),
                                _ => None,
                            },
                            &prec,
                        );
                        if which == 0 {
                            val
                        } else {
                            slope
                        }
                    }),
                    Box::new(move |x| {
                        let (val, slope) = approx(&a2, &pre_f(x));
                        if which == 0 {
                            val
                        } else {
                            slope
                        }
                    }),
                ));
            }
        }
        v.push((
            "sin(x)/(1+x^2)".into(),
            Box::new(move |x| x.sin().div(&Jet2::from_i64(1, &prec).add(&x.square()))),
            Box::new(move |x| Float::with_val(prec, x.sin_ref()) / (Float::with_val(prec, x.square_ref()) + 1u32)),
        ));
        v.push((
            "erf(x) exp(-x) + cos(x) ln1p(x)".into(),
            Box::new(move |x| x.erf().mul(&x.neg().exp()).add(&x.cos().mul(&x.ln1p()))),
            Box::new(move |x| {
                Float::with_val(prec, x.erf_ref()) * Float::with_val(prec, -x).exp()
                    + Float::with_val(prec, x.cos_ref()) * Float::with_val(prec, x.ln_1p_ref())
            }),
        ));
        v
    };
    for (name, fj, ff) in &funcs {
        let j = fj(&Jet2::variable(x0.clone(), &prec));
        let (fp, f0, fm) = (ff(&Float::with_val(prec, &x0 + &h)), ff(&x0), ff(&Float::with_val(prec, &x0 - &h)));
        let d1 = Float::with_val(prec, &fp - &fm) / Float::with_val(prec, &h * 2u32);
        let d2 = (Float::with_val(prec, &fp + &fm) - Float::with_val(prec, &f0 * 2u32))
            / Float::with_val(prec, h.square_ref());
        let tol = Float::with_val(prec, 1) >> 140u32;
        assert!(Float::with_val(prec, &j.v - &f0).abs() < tol, "{name}: value");
        assert!(Float::with_val(prec, &j.d1 - &d1).abs() < tol, "{name}: f' {} vs {d1}", j.d1);
        assert!(Float::with_val(prec, &j.d2 - &d2).abs() < tol, "{name}: f'' {} vs {d2}", j.d2);
    }
}

/// Gauss–Legendre: the n-point rule integrates x^(2n−2) exactly
/// (∫_{-1}^1 x^k = 2/(k+1) for even k) and its weights sum to 2.
#[test]
fn gauss_legendre_rule_is_exact_on_polynomials() {
    let n = 24;
    let rule = quadrature::gauss_legendre(n, 200);
    let total = rule.iter().fold(Float::new(200), |s, (_, w)| s + w);
    assert!(Float::with_val(200, &total - 2u32).abs() < 1e-55);
    let k = 2 * n as u32 - 2;
    let integral = rule.iter().fold(Float::new(200), |s, (x, w)| s + Float::with_val(200, x.pow(k)) * w);
    let exact = Float::with_val(200, 2) / (k + 1);
    assert!(Float::with_val(200, &integral - &exact).abs() < 1e-55, "{integral} vs {exact}");
}

// ---- eval ----

#[test]
fn eval_of_a_smooth_case() {
    let k = softplus_witness();
    let r = run_eval(&k, BackendSpec::Interval(128)).expect("interval");
    assert_eq!(r.guarantee, Guarantee::Enclosure);
    assert!(r.grad_v_dot_g.starts_with("[-2.37"), "{}", r.grad_v_dot_g);
    let m = run_eval(&k, BackendSpec::Mpfr(128)).expect("mpfr");
    assert_eq!(m.guarantee, Guarantee::Approximate { bits: 128 });
    assert!(m.error_bound.is_some_and(|e| e < 1e-30), "{:?}", m.error_bound);
    let err = run_eval(&k, BackendSpec::Exact).expect_err("exact is refused");
    assert!(err.contains("--backend interval"), "{err}");
    // sin with ReLU on an empirical measure also goes through the smooth path.
    let mut s = k.clone();
    s.problem.activation = Activation::Relu;
    s.problem.target = Target::Sin;
    let r = run_eval(&s, BackendSpec::Interval(64)).expect("interval");
    assert_eq!(r.guarantee, Guarantee::Enclosure);
}
