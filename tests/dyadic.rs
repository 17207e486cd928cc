//! The pure-Rust enclosure backend `Interval<Dyadic>` and its elementary
//! functions (`reluproof::num::dyadic`).
//!
//! Hand cases one per line against decimal constants (60 significant digits,
//! computed independently with mpmath at 70 digits and parsed as exact
//! rationals, never from f64 literals): the enclosure must meet the decimal's
//! error interval [d − 10^-59·|d|, d + 10^-59·|d|] (which contains the true
//! value) and be narrow; exact identities (sin(π/6) ∋ 1/2, exp(x)·exp(−x) ∋ 1,
//! …) must contain the exact rational; properties with a deterministic
//! proptest configuration (directed rounding of + × ÷, containment of f at
//! exactly representable points, monotonicity, agreement across
//! precisions); huge and tiny arguments. With `gmp`: MPFR's directed and
//! correctly rounded values against the dyadic enclosures, and the verdicts
//! of E3 and C2(b) on both engines.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, RngSeed};
use reluproof::num::dyadic::elementary;
use reluproof::num::parse::parse_rational;
use reluproof::num::{Dyadic, Endpoint, Interval, Scalar, Sign3};
use reluproof::smooth::transcendental::Transcendental;
use std::cmp::Ordering;

type D = Interval<Dyadic>;

fn q(s: &str) -> BigRational {
    parse_rational(s).expect("test literal")
}

fn iv(s: &str, bits: u32) -> D {
    D::from_rational(&q(s), &bits)
}

fn lo(x: &D) -> BigRational {
    x.lo.exact().expect("finite lower end")
}

fn hi(x: &D) -> BigRational {
    x.hi.exact().expect("finite upper end")
}

/// 2^-k as a rational.
fn pow2_neg(k: u32) -> BigRational {
    BigRational::new(BigInt::one(), BigInt::one() << k as usize)
}

/// The enclosure is consistent with the 60-digit decimal `value` (it meets
/// [d − tol, d + tol], tol = 10^-59 |d|, which contains the true value) and
/// its width is at most 2^-(bits−10) |d|.
#[track_caller]
fn close(x: &D, value: &str, bits: u32) {
    let d = q(value);
    let tol = d.abs() / BigRational::from_integer(BigInt::from(10).pow(59));
    assert!(lo(x) <= &d + &tol && hi(x) >= &d - &tol, "{} does not meet {value}", x.render());
    let width = hi(x) - lo(x);
    assert!(width <= d.abs() * pow2_neg(bits - 10), "{} too wide for {bits} bits", x.render());
}

#[track_caller]
fn contains(x: &D, value: &str) {
    assert!(x.contains(&q(value)), "{} does not contain {value}", x.render());
}

// ------------------------------------------------------------- hand cases

#[test]
fn exp_hand_cases() {
    assert!(iv("0", 120).exp().to_rational() == Some(BigRational::one()), "exp(0) is exactly [1, 1]");
    close(&iv("1", 120).exp(), "2.71828182845904523536028747135266249775724709369995957496697", 120);
    close(&iv("1", 256).exp(), "2.71828182845904523536028747135266249775724709369995957496697", 256);
    close(&iv("-10", 200).exp(), "0.0000453999297624848515355915155605506102379180888665649692590713", 200);
    close(&iv("100", 200).exp(), "26881171418161354484126255515800135873611118.7737419224151916", 200);
    close(&iv("-1000", 200).exp(), "5.07595889754945676529180947957433691930559928289283736183239e-435", 200);
    close(&iv("1e-20", 200).exp(), "1.00000000000000000001000000000000000000005", 195);
}

#[test]
fn ln1p_hand_cases() {
    close(&iv("1", 120).ln1p(), "0.69314718055994530941723212145817656807550013436025525412068", 120);
    close(&iv("1", 256).ln1p(), "0.69314718055994530941723212145817656807550013436025525412068", 256);
    close(&iv("1e-30", 200).ln1p(), "9.999999999999999999999999999995e-31", 195);
    close(&iv("1000", 200).ln1p(), "6.908754779315220585220783762973627634264059528279485480097", 190);
    close(&iv("-0.9", 200).ln1p(), "-2.30258509299404568401799145468436420760110148862877297603333", 195);
    assert!(iv("0", 64).ln1p().to_rational() == Some(BigRational::zero()));
}

#[test]
fn tanh_hand_cases() {
    close(&iv("1", 200).tanh(), "0.761594155955764888119458282604793590412768597257936551596811", 195);
    close(&iv("1/2", 200).tanh(), "0.462117157260009758502318483643672548730289280330113038552732", 195);
    close(&iv("-20", 200).tanh(), "-0.999999999999999991503291489416822045438558191190987257130475", 195);
    close(&iv("1e-20", 200).tanh(), "9.99999999999999999999999999999999999999966666666666666666667e-21", 195);
}

#[test]
fn erf_hand_cases() {
    close(&iv("1", 120).erf(), "0.842700792949714869341220635082609259296066997966302908459938", 120);
    close(&iv("1", 256).erf(), "0.842700792949714869341220635082609259296066997966302908459938", 256);
    close(&iv("1/2", 200).erf(), "0.520499877813046537682746653891964528736451575757963700058806", 195);
    close(&iv("3", 200).erf(), "0.999977909503001414558627223870417679620152292912600750342761", 195);
    close(&iv("-5", 200).erf(), "-0.999999999998462540205571965149811656514616621109881949685277", 195);
    close(&iv("10", 200).erf(), "0.999999999999999999999999999999999999999999997911512416237455", 195);
}

#[test]
fn sin_cos_hand_cases() {
    close(&iv("1", 200).sin(), "0.841470984807896506652502321630298999622563060798371065672752", 195);
    close(&iv("1", 200).cos(), "0.540302305868139717400936607442976603732310420617922227670097", 195);
    close(&iv("1000000", 200).sin(), "-0.349993502171292952117652486780771469061406605328716273857059", 190);
    close(&iv("100", 200).cos(), "0.862318872287683934101938513950842535510084008535510829280162", 190);
}

#[test]
fn constants_hand_cases() {
    close(&elementary::pi(200), "3.14159265358979323846264338327950288419716939937510582097494", 200);
    close(&elementary::ln2(200), "0.69314718055994530941723212145817656807550013436025525412068", 200);
    close(&D::frac_1_sqrt_2(&200), "0.70710678118654752440084436210484903928483593768847403658834", 200);
    close(&D::frac_1_sqrt_2pi(&200), "0.398942280401432677939946059934381868475858631164934657665926", 200);
}

/// Identities whose exact value is rational: the enclosure must contain it.
#[test]
fn exact_identities() {
    let bits = 160;
    let pi = elementary::pi(bits);
    let sixth = pi.div(&D::from_i64(6, &bits));
    contains(&sixth.sin(), "1/2");
    contains(&pi.div(&D::from_i64(3, &bits)).cos(), "1/2");
    contains(&pi.sin(), "0");
    contains(&pi.cos(), "-1");
    contains(&elementary::ln2(bits).exp(), "2");
    contains(&iv("1", bits).exp().sub(&D::from_i64(1, &bits)).ln1p(), "1");
    let r = D::frac_1_sqrt_2(&bits);
    contains(&r.mul(&r), "1/2");
    let s = D::frac_1_sqrt_2pi(&bits);
    contains(&s.mul(&s).mul(&pi).mul(&D::from_i64(2, &bits)), "1");
    contains(&iv("0", bits).erf(), "0");
    contains(&iv("0", bits).tanh(), "0");
    contains(&elementary::ln(&iv("1024", bits)).div(&elementary::ln2(bits)), "10");
}

#[test]
fn narrow_for_moderate_arguments() {
    for bits in [64u32, 128, 256, 400] {
        for x in ["-7/2", "-1", "-1/3", "1/1024", "3/4", "5", "12"] {
            let a = iv(x, bits);
            for (name, y) in [("exp", a.exp()), ("tanh", a.tanh()), ("erf", a.erf()), ("sin", a.sin())] {
                let mid = (lo(&y) + hi(&y)) / BigRational::from_integer(2.into());
                let w = hi(&y) - lo(&y);
                assert!(w <= mid.abs() * pow2_neg(bits - 10), "{name}({x}) at {bits} bits: {}", y.render());
            }
            if q(x) > q("-1") {
                let y = a.ln1p();
                let mid = (lo(&y) + hi(&y)) / BigRational::from_integer(2.into());
                assert!(hi(&y) - lo(&y) <= mid.abs() * pow2_neg(bits - 10), "ln1p({x}) at {bits}: {}", y.render());
            }
        }
    }
}

// ------------------------------------------------------- huge and tiny

#[test]
fn huge_and_tiny_arguments() {
    let bits = 200;
    // e^(2^30): an honest [finite, ∞].
    let big = D::from_rational(&BigRational::from_integer(BigInt::one() << 30), &bits).exp();
    assert!(big.lo.exact().is_some() && big.hi.exact().is_none() && big.sign() == Sign3::Positive);
    // e^(−2^40): [0, tiny].
    let tiny = D::from_rational(&-BigRational::from_integer(BigInt::one() << 40), &bits).exp();
    assert_eq!(lo(&tiny), BigRational::zero());
    assert!(hi(&tiny) < pow2_neg(1_000_000));
    // rz with r = 2^40, z = −7/4 (C2(b)): e^{rz} encloses a positive number below 2^-1000000.
    let rz = D::from_rational(&(BigRational::from_integer(BigInt::one() << 40) * q("-7/4")), &bits).exp();
    assert!(rz.sign() != Sign3::Negative && hi(&rz) < pow2_neg(1_000_000));
    // e^{-rz} ln-type terms stay finite.
    let t = rz.ln1p();
    assert!(lo(&t) >= BigRational::zero() && hi(&t) < pow2_neg(1_000_000));
    close(&iv("1e-300", bits).exp(), "1", bits);
    // ln(1 + 2^1000) = 1000 ln 2 + O(2^-1000).
    let l = D::from_rational(&BigRational::from_integer(BigInt::one() << 1000), &bits).ln1p();
    let k = elementary::ln2(bits).mul(&D::from_i64(1000, &bits));
    assert!(lo(&l) <= hi(&k) && lo(&k) <= hi(&l), "{} vs {}", l.render(), k.render());
    // ln1p and tanh of x = 2^-1000 lie in (x − x², x], with full relative precision.
    let x = pow2_neg(1000);
    for y in [D::from_rational(&x, &bits).ln1p(), D::from_rational(&x, &bits).tanh()] {
        assert!(lo(&y) <= x && hi(&y) >= &x - &x * &x, "{}", y.render());
        assert!(hi(&y) - lo(&y) <= &x * pow2_neg(bits - 10));
    }
    for x in ["1000000", "1e30"] {
        let t = iv(x, bits).tanh();
        assert!(hi(&t) == BigRational::one() && lo(&t) > BigRational::one() - pow2_neg(bits - 2), "{}", t.render());
        let e = iv(x, bits).erf();
        assert!(hi(&e) == BigRational::one() && lo(&e) >= BigRational::one() - pow2_neg(bits), "{}", e.render());
        let e = iv(&format!("-{x}"), bits).erf();
        assert!(lo(&e) == -BigRational::one(), "{}", e.render());
    }
    // sin of a huge argument: [−1, 1], no panic.
    let s = D::from_rational(&BigRational::from_integer(BigInt::one() << 60), &bits).sin();
    assert!(s.contains(&q("1")) && s.contains(&q("-1")));
    // ln1p at or below −1: −∞ lower end or the whole line, never a panic.
    let at = D::from_rational(&q("-1"), &bits).ln1p();
    assert!(at.lo.exact().is_none());
    let wide = Interval { lo: Dyadic::infinity(true, &big.lo), hi: Dyadic::infinity(false, &big.lo) };
    assert!(wide.exp().lo.exact() == Some(BigRational::zero()) && wide.exp().hi.exact().is_none());
    assert!(wide.tanh().contains(&q("1")) && wide.erf().contains(&q("-1")));
}

#[test]
fn endpoint_range_limits_are_honest() {
    // Overflow rounds up to ∞ and down to the largest finite value.
    let huge = BigRational::from_integer(BigInt::one() << (1usize << 24));
    assert!(Dyadic::from_rational_up(&huge, &64).exact().is_none());
    let down = Dyadic::from_rational_down(&huge, &64).exact().expect("finite");
    assert!(down < huge && down > BigRational::zero());
    // Underflow rounds down to 0 and up to the smallest positive value.
    let small = BigRational::new(BigInt::one(), BigInt::one() << ((1usize << 24) + 5));
    assert_eq!(Dyadic::from_rational_down(&small, &64).exact(), Some(BigRational::zero()));
    assert!(Dyadic::from_rational_up(&small, &64).exact().expect("finite") > small);
}

// -------------------------------------------------------------- properties

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default_cases);
    ProptestConfig {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(20_261_126),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A rational n/d with |n| < 2^40, 1 ≤ d < 2^20.
fn rational() -> impl Strategy<Value = BigRational> {
    (-(1i64 << 40)..(1i64 << 40), 1i64..(1 << 20)).prop_map(|(n, d)| BigRational::new(n.into(), d.into()))
}

/// An exactly representable argument k/2^j, |k| < 2^24, j < 28.
fn dyadic_arg() -> impl Strategy<Value = BigRational> {
    (-(1i64 << 24)..(1i64 << 24), 0u32..28).prop_map(|(k, j)| BigRational::new(k.into(), BigInt::one() << j as usize))
}

fn point(x: &BigRational, bits: u32) -> D {
    let d = D::from_rational(x, &bits);
    assert_eq!(d.to_rational().as_ref(), Some(x), "{x} is representable");
    d
}

fn meets(a: &D, b: &D) -> bool {
    lo(a) <= hi(b) && lo(b) <= hi(a)
}

proptest! {
    #![proptest_config(config(200))]

    /// Each directed operation brackets the exact result within one unit
    /// in the last place at its precision.
    #[test]
    fn directed_rounding_brackets_the_exact_result(a in rational(), b in rational(), bits in 2u32..200) {
        let (da, db) = (D::from_rational(&a, &bits), D::from_rational(&b, &bits));
        prop_assert!(da.contains(&a) && db.contains(&b));
        let ulp = |x: &BigRational| x.abs() * pow2_neg(bits - 1);
        prop_assert!(hi(&da) - lo(&da) <= ulp(&a));
        let (ea, eb) = (lo(&da), lo(&db));
        let check = |down: &Dyadic, up: &Dyadic, exact: BigRational| -> bool {
            let (l, h) = (down.exact().unwrap(), up.exact().unwrap());
            l <= exact && exact <= h && &h - &l <= ulp(&exact)
        };
        prop_assert!(check(&da.lo.add_down(&db.lo), &da.lo.add_up(&db.lo), &ea + &eb));
        prop_assert!(check(&da.lo.mul_down(&db.lo), &da.lo.mul_up(&db.lo), &ea * &eb));
        if !eb.is_zero() {
            prop_assert!(check(&da.lo.div_down(&db.lo), &da.lo.div_up(&db.lo), &ea / &eb));
        }
        // Far-apart magnitudes (the sticky path of addition).
        let far = Dyadic::from_rational_down(&(&b * pow2_neg(3000)), &bits);
        let fe = far.exact().unwrap();
        prop_assert!(check(&da.lo.add_down(&far), &da.lo.add_up(&far), &ea + &fe));
    }

    /// exp(x)·exp(−x) ∋ 1, ln1p(e^x − 1) ∋ x, sin² + cos² ∋ 1 and
    /// tanh x = (e^{2x} − 1)/(e^{2x} + 1), at exactly representable x.
    #[test]
    fn identities_at_representable_points(x in dyadic_arg(), bits in 64u32..300) {
        let x = x / BigRational::from_integer(BigInt::from(1 << 8)); // |x| < 2^16
        let p = point(&x, bits);
        let one = D::from_i64(1, &bits);
        if x.abs() < q("700") {
            prop_assert!(p.exp().mul(&p.neg().exp()).contains(&BigRational::one()));
            prop_assert!(p.exp().sub(&one).ln1p().contains(&x));
            let e2 = p.add(&p).exp();
            prop_assert!(meets(&p.tanh(), &e2.sub(&one).div(&e2.add(&one))));
        }
        let (s, c) = (p.sin(), p.cos());
        prop_assert!(s.square().add(&c.square()).contains(&BigRational::one()));
        prop_assert!(p.erf().neg().contains(&lo(&p.neg().erf())));
    }

    /// Enclosures at two precisions meet, and the finer one is narrower.
    #[test]
    fn precisions_agree(x in dyadic_arg(), f in 0usize..5) {
        let x = x / BigRational::from_integer(BigInt::from(1 << 20)); // |x| < 16
        let eval = |bits: u32| -> D {
            let p = point(&x, bits);
            match f {
                0 => p.exp(),
                1 => if x > q("-1") { p.ln1p() } else { p.exp() },
                2 => p.tanh(),
                3 => p.erf(),
                _ => p.cos(),
            }
        };
        let (a, b) = (eval(80), eval(240));
        prop_assert!(meets(&a, &b), "{} vs {}", a.render(), b.render());
        prop_assert!(b.width_f64() <= a.width_f64());
    }

    /// Monotone primitives: the enclosure over [x, y] contains the
    /// enclosures at x and at y, and f(x)'s lower end ≤ f(y)'s upper end.
    #[test]
    fn monotone_where_f_is(x in dyadic_arg(), y in dyadic_arg(), f in 0usize..4) {
        let s = BigRational::from_integer(BigInt::from(1 << 20));
        let (x, y) = if x <= y { (x / &s, y / &s) } else { (y / &s, x / &s) };
        let bits = 128;
        let g = |v: &D| -> D {
            match f {
                0 => v.exp(),
                1 => v.tanh(),
                2 => v.erf(),
                _ => v.abs_ln1p(),
            }
        };
        let (px, py) = (point(&x, bits), point(&y, bits));
        let whole = Interval { lo: px.lo.clone(), hi: py.hi.clone() };
        let (gx, gy, gw) = (g(&px), g(&py), g(&whole));
        prop_assert!(lo(&gx) <= hi(&gy));
        prop_assert!(lo(&gw) <= lo(&gx) && hi(&gy) <= hi(&gw));
    }
}

/// ln1p on |x| (ln1p needs x > −1).
trait AbsLn1p {
    fn abs_ln1p(&self) -> Self;
}

impl AbsLn1p for D {
    fn abs_ln1p(&self) -> D {
        let zero = D::from_i64(0, &self.context());
        let nonneg = |e: &Dyadic| if e.sign_of() == Some(Ordering::Less) { zero.lo.clone() } else { e.clone() };
        Interval { lo: nonneg(&self.lo), hi: nonneg(&self.hi) }.ln1p()
    }
}

// ------------------------------------------------------- against MPFR

#[cfg(feature = "gmp")]
mod against_mpfr {
    use super::*;
    use reluproof::claims::engine::{case_rng, Outcome};
    use reluproof::claims::limits::GradientIsLimitOfSmoothApproximants;
    use reluproof::claims::smooth_edge::LyapunovIdentityFailsOfSmoothActivation;
    use reluproof::claims::Check;
    use reluproof::num::gmp::rational_from_big;
    use reluproof::smooth::Engine;
    use rug::Float;

    type M = Interval<Float>;

    /// The MPFR value of f(x) rounded to nearest at 1000 bits.
    fn mpfr_nearest(f: usize, x: &BigRational) -> BigRational {
        let v = Float::with_val(1000, &rational_from_big(x));
        let y = match f {
            0 => v.exp(),
            1 => v.ln_1p(),
            2 => v.tanh(),
            3 => v.erf(),
            4 => v.sin(),
            _ => v.cos(),
        };
        reluproof::num::gmp::big_from_rational(&y.to_rational().expect("finite"))
    }

    fn both(f: usize, x: &BigRational, bits: u32) -> (D, M) {
        let (d, m) = (D::from_rational(x, &bits), M::from_rational(x, &bits));
        match f {
            0 => (d.exp(), m.exp()),
            1 => (d.ln1p(), m.ln1p()),
            2 => (d.tanh(), m.tanh()),
            3 => (d.erf(), m.erf()),
            4 => (d.sin(), m.sin()),
            _ => (d.cos(), m.cos()),
        }
    }

    proptest! {
        #![proptest_config(config(300))]

        /// MPFR's correctly rounded value (1000 bits) lies in the dyadic
        /// enclosure, and the MPFR interval meets the dyadic one.
        #[test]
        fn mpfr_values_lie_in_the_dyadic_enclosures(x in dyadic_arg(), f in 0usize..6, bits in 53u32..300) {
            let x = x / BigRational::from_integer(BigInt::from(1 << 20)); // |x| < 16
            if f == 1 && x <= q("-1") {
                return Ok(());
            }
            let (d, m) = both(f, &x, bits);
            prop_assert!(d.contains(&mpfr_nearest(f, &x)), "f{f}({x}) at {bits}: {}", d.render());
            let (ml, mh) = (m.lo.exact().unwrap(), m.hi.exact().unwrap());
            prop_assert!(lo(&d) <= mh && ml <= hi(&d));
        }
    }

    #[test]
    fn constants_agree_with_mpfr() {
        for bits in [64u32, 200, 256] {
            let (d, m) = (D::frac_1_sqrt_2pi(&bits), M::frac_1_sqrt_2pi(&bits));
            assert!(lo(&d) <= m.hi.exact().unwrap() && m.lo.exact().unwrap() <= hi(&d));
            let (d, m) = (D::frac_1_sqrt_2(&bits), M::frac_1_sqrt_2(&bits));
            assert!(lo(&d) <= m.hi.exact().unwrap() && m.lo.exact().unwrap() <= hi(&d));
        }
    }

    fn kind(o: &Outcome) -> &'static str {
        match o {
            Outcome::Holds { .. } => "holds",
            Outcome::Consistent => "consistent",
            Outcome::Violated { .. } => "violated",
            Outcome::Undecided { .. } => "undecided",
            Outcome::Skipped { .. } => "skipped",
        }
    }

    /// The builds agree: E3 on the default seed's cases (and its negative
    /// controls) gives the same verdict on MPFR and on dyadic intervals.
    #[test]
    fn e3_verdicts_agree_on_both_engines() {
        let c = LyapunovIdentityFailsOfSmoothActivation;
        for i in 0..60 {
            let inst = c.generate(&mut case_rng(1, c.name(), i));
            for m in [None, Some("relu_in_place_of_smooth")] {
                let (a, b) = (c.run_on(&inst, m, Engine::Mpfr), c.run_on(&inst, m, Engine::Dyadic));
                assert_eq!(kind(&a), kind(&b), "case {i} {m:?}: {a:?} vs {b:?}");
                if let (Outcome::Violated { detail: x }, Outcome::Violated { detail: y }) = (&a, &b) {
                    let strip = |s: &str| s.split(" (256-bit").next().unwrap_or_default().to_string();
                    assert_eq!(strip(x), strip(y), "case {i}");
                }
            }
        }
    }

    /// The builds agree: C2(b) and its negative control give the same
    /// verdict on MPFR and on dyadic intervals.
    #[test]
    fn c2b_verdicts_agree_on_both_engines() {
        let c = GradientIsLimitOfSmoothApproximants;
        for i in 0..60 {
            let inst = c.generate(&mut case_rng(1, c.name(), i));
            for m in [None, Some("softplus_half_at_zero")] {
                let (a, b) = (c.run_on(&inst, m, Engine::Mpfr), c.run_on(&inst, m, Engine::Dyadic));
                assert_eq!(kind(&a), kind(&b), "case {i} {m:?}: {a:?} vs {b:?}");
            }
        }
    }
}

/// Without MPFR, `eval --backend interval:BITS` of a smooth witness gives
/// dyadic interval enclosures; E3's witnesses replay as refuted.
#[cfg(not(feature = "gmp"))]
#[test]
fn eval_and_replay_of_smooth_witnesses_use_dyadic_intervals() {
    use reluproof::backend::BackendSpec;
    use reluproof::claims::engine::{replay, Outcome};
    use reluproof::claims::Witness;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/witnesses");
    for name in ["softplus", "tanh", "sigmoid", "gelu", "silu"] {
        let w = Witness::read(&dir.join(format!("e3_{name}.toml"))).expect("witness");
        let r = reluproof::eval::run_eval(&w.instance.case, BackendSpec::Interval(256)).expect("eval");
        assert_eq!(r.backend, "dyadic-interval:256");
        assert!(r.identity_defect.starts_with('['), "{}", r.identity_defect);
        let out = replay(&w, BackendSpec::Exact).expect("replay");
        assert!(matches!(&out, Outcome::Violated { detail } if detail.contains("dyadic")), "{name}: {out:?}");
    }
    let w = Witness::read(&dir.join("e3_softplus.toml")).expect("witness");
    let r = reluproof::eval::run_eval(&w.instance.case, BackendSpec::Interval(256)).expect("eval");
    assert!(r.identity_defect.starts_with("[-9.3503262051482"), "{}", r.identity_defect);
}
