//! Cross-backend agreement of the evaluation core, on cases from the shared
//! generator (`reluproof::gen`: degenerate neurons, kinks at a, at b and at
//! each other, sample points on kinks, H = 1, tiny and huge magnitudes, every
//! measure) and on hand cases for each of those degeneracies.
//!
//! (a) Exact backends: `BigRational` and `rug::Rational` agree on every value,
//!     and both satisfy C3 (⟨∇V, G⟩ = 8L) and C5 (⟨∇Q_j, G⟩ = 0) exactly.
//! (b) Approximate backends (`f64`, `rug::Float` at p bits): every value is
//!     within the a priori rounding-error bound derived below, AND within the
//!     rigorous error bound that `run_eval` prints (which comes from an
//!     interval re-evaluation) — the latter read back from the printed text.
//! (c) Enclosures (`Interval<f64>`, `Interval<rug::Float>` at 64 and 200 bits)
//!     contain the exact value, and are not uselessly wide (same a priori bound).

use num_traits::{Signed, Zero};
use proptest::prelude::*;
use reluproof::backend::BackendSpec;
use reluproof::eval::{run_eval, summary_from_exact, summary_ordered, EvalResult};
use reluproof::gen::{self, GenConfig, MeasureKind, Rng};
use reluproof::lyapunov::Summary;
use reluproof::model::case::{parse_case, Case};
use reluproof::model::Measure;
use reluproof::num::parse::parse_rational;
use reluproof::num::{BigRational, Interval, Scalar};

// ------------------------------------------------------------------ values

fn int(n: i64) -> BigRational {
    BigRational::from_integer(n.into())
}

fn abs(x: &BigRational) -> BigRational {
    x.abs()
}

fn max(x: BigRational, y: BigRational) -> BigRational {
    if x > y {
        x
    } else {
        y
    }
}

/// Every number of a summary, in a fixed order, with its name.
fn values<S: Scalar>(s: &Summary<S>) -> Vec<(String, S)> {
    let mut out = vec![
        ("L".to_string(), s.risk.clone()),
        ("V".to_string(), s.lyapunov.clone()),
        ("<grad V, G>".to_string(), s.grad_v_dot_g.clone()),
        ("8L".to_string(), s.eight_risk.clone()),
    ];
    for (k, g) in s.gradient.flatten().into_iter().enumerate() {
        out.push((format!("G[{k}]"), g));
    }
    for (j, x) in s.balance.iter().enumerate() {
        out.push((format!("Q_{j}"), x.clone()));
    }
    for (j, x) in s.balance_derivative.iter().enumerate() {
        out.push((format!("<grad Q_{j}, G>"), x.clone()));
    }
    out
}

// ------------------------------------------------- the a priori error bound
//
// Notation: u = 2^-p is the unit roundoff of p-bit round-to-nearest
// arithmetic (p = 53 for f64). Every operation returns the exact result times
// (1 + δ), |δ| ≤ u; every rational input (θ, ξ, a, b, points, weights, 1/(b−a))
// is rounded once, with the same relative error.
//
// Magnitudes. Let R = max |x_i| over the domain or the sample points and
//   E = |c| + |ξ| + Σ_j |v_j| (‖w_j‖₁ R + |b_j|).
// E bounds |e(x)| = |N(x) − ξ| on the support, and also every intermediate the
// algorithms form from θ: the affine coefficients α, β of e on a sweep
// segment satisfy |α| + |β| R ≤ E; for empirical measures each e(x_i) is a sum
// of terms bounded in total by E.
//
// Sweep (d = 1). Per segment [s, t] the code forms t − s, t² − s², t³ − s³ and
// 2∫e = 2α d1 + β d2, 6∫xe = 3α d2 + 2β d3, 3∫e² = 3α(α d1 + β d2) + β² d3.
// The rounding errors of d_k are at most a few u·R^k and do NOT shrink with
// the segment, so per segment the error of ∫e² is ≲ c u (|α|² R + |α||β| R² +
// |β|² R³) ≤ c u E² R, with c ≈ 20 counting every rounding, and there are at
// most H + 1 segments. The error of α, β themselves (sums of ≤ 2H + 2 products)
// is ≤ (2H + 4) u E, which changes ∫e² by ≤ 2 (2H + 4) u E² ℓ (ℓ = b − a).
// A kink t_j = −b_j/w_j is computed with relative error ≤ 3u, i.e. misplaced by
// ≤ 3uR: e is continuous so L moves only to second order, but the indicator
// 1_{I_j} in G_{w_j}, G_{b_j} moves the integral by ≤ 2|v_j| E · 3uR.
// Summation of the segment contributions adds ≤ (H + 1) u · Σ|terms|.
// All of this is ≤ 32 (H + 8) u E² max(ℓ, R), which is what we use with the
// scale m̄ = max(ℓ, R) for Lebesgue measure and m̄ = max(1, R/ℓ) for the
// uniform one (the same integrals times 1/ℓ). For the other values:
//   G_c: 2 m̄ E,  G_{b_j}: 2|v_j| m̄ E,  G_{w_j}: 2|v_j| m̄ max(R, 1) E,
//   G_{v_j} = w_j·(2∫_{I_j} x e) + b_j·(2∫_{I_j} e): 2 (‖w_j‖₁ R + |b_j|) m̄ E.
// Empirical measures: direct sums of n terms, each a product of ≤ d + 4
// rounded factors; m̄ = Σ p_i and the same magnitudes, with N below covering
// the (d + 2) H + n + 8 operations on the longest chain.
// Then V = ‖θ‖² + (c − 2ξ)²: magnitude ‖θ‖² + (|c| + 2|ξ|)²; ⟨∇V, G⟩:
// Σ_k |∇V_k| · mag(G_k); Q_j: ‖w_j‖² + b_j² + v_j²; ⟨∇Q_j, G⟩ likewise.
//
// The bound used is |computed − exact| ≤ K · N · u · magnitude with
// N = (d + 2) H + n + 16 and K = 32 — a first-order bound (the u² terms are
// absorbed by the factor 2 of slack in K over the counts above).
//
// The one place it does NOT apply: a sample point exactly on (or within
// rounding of) a kink, w_j·x_i + b_j ≈ 0, for an empirical measure. There the
// backend's own comparison decides 1_{I_j}(x_i), G_{w_j} and G_{b_j} jump by
// O(1) (the generalized gradient is discontinuous in θ) and a float backend
// may legitimately pick the other side. Such "fragile" neurons are exempt from
// the a priori check of G_{w_j}, G_{b_j} (and the sums built on them); the
// rigorous interval bound still covers them.
const K: i64 = 32;

struct Magnitudes {
    /// The operation count N.
    n_ops: i64,
    /// One magnitude per value of [`values`]; `None` where a float backend may
    /// legitimately decide an indicator differently (fragile neuron).
    mags: Vec<Option<BigRational>>,
    /// The same magnitudes with every input |q| replaced by |q| + 1: each
    /// factor is then ≥ 1, so they bound how much an absolute error η made
    /// anywhere in the computation can be amplified by the later factors.
    mags_plus_one: Vec<Option<BigRational>>,
}

/// An f64 upper bound of |q| (`to_f64` rounds to nearest; then one step up:
/// for a positive finite double the next one up has the next bit pattern).
fn up(q: &BigRational) -> f64 {
    use num_traits::ToPrimitive;
    if q.is_zero() {
        return 0.0;
    }
    let x = q.abs().to_f64().expect("finite");
    assert!(x > 0.0 && x.is_finite(), "{q} is out of the f64 range");
    f64::from_bits(x.to_bits() + 1)
}

/// Fragile neurons, decided exactly: some sample point of positive weight
/// has |w_j·x + b_j| ≤ 4 (d + 5) u_max (‖w_j‖₁ R + |b_j|), which covers the
/// rounding of the inputs and of the d-term dot product, with u_max = 2^-24,
/// larger than every unit roundoff tested here.
fn fragile_neurons(case: &Case) -> Vec<bool> {
    let th = &case.theta;
    let (d, h) = (th.d, th.width());
    let Measure::Empirical { points, weights } = &case.problem.measure else {
        return vec![false; h];
    };
    let r = points.iter().flatten().map(abs).fold(BigRational::zero(), max);
    let u_max = BigRational::new(1.into(), (1i64 << 24).into());
    (0..h)
        .map(|j| {
            let reach = th.w_row(j).iter().fold(abs(&th.b[j]), |s, x| s + abs(x) * &r);
            let tol = int(4 * (d as i64 + 5)) * &u_max * reach;
            points.iter().zip(weights).any(|(x, p)| {
                let z = th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi);
                !p.is_zero() && abs(&z) <= tol
            })
        })
        .collect()
}

/// The magnitudes of every value, in the order of [`values`], from upper
/// bounds `up(|q|) + shift` of the inputs; `None` for the values built on
/// `G_{w_j}, G_{b_j}` of a neuron with `fragile[j]`.
///
/// They are computed in f64: every magnitude is a sum of products of
/// nonnegative numbers, at most a few thousand operations, so its f64 value is
/// within a relative 2^-40 of the exact one; the final factor 1 + 2^-20 makes
/// each a true upper bound. (Exact rationals here would cost as much as the
/// evaluation under test.)
fn raw_magnitudes(case: &Case, fragile: &[bool], shift: f64) -> Vec<Option<BigRational>> {
    let th = &case.theta;
    let (d, h) = (th.d, th.width());
    let up = |q: &BigRational| up(q) + shift;
    let xi = up(case.problem.target.constant().expect("constant target"));
    let (r, mbar) = match &case.problem.measure {
        Measure::Lebesgue { a, b } => {
            let r = max(abs(a), abs(b));
            (up(&r), up(&max(b - a, r)))
        }
        Measure::Uniform { a, b, .. } => {
            let r = max(abs(a), abs(b));
            (up(&r), up(&max(int(1), &r / (b - a))))
        }
        Measure::Empirical { points, weights } => {
            let r = points.iter().flatten().map(abs).fold(BigRational::zero(), max);
            (up(&r), up(&weights.iter().fold(BigRational::zero(), |s, p| s + p)))
        }
        // |x_i| ≤ r on the box; the mass (1 or the volume), generously times
        // max(1, r) for the x-weighted intermediate moments.
        Measure::Box { a, b, probability } => {
            let r = a.iter().chain(b).map(abs).fold(BigRational::zero(), max);
            let m = if *probability { int(1) } else { reluproof::model::box_volume(a, b) };
            (up(&r), up(&(max(int(1), m) * max(int(1), r.clone()))))
        }
    };
    let (w, b, v, c) = (
        th.w.iter().map(up).collect::<Vec<f64>>(),
        th.b.iter().map(up).collect::<Vec<f64>>(),
        th.v.iter().map(up).collect::<Vec<f64>>(),
        up(&th.c),
    );
    let w1 = |j: usize| w[j * d..(j + 1) * d].iter().sum::<f64>();
    let reach = |j: usize| w1(j) * r + b[j];
    let e = (0..h).fold(c + xi, |s, j| s + v[j] * reach(j));
    let g_c = 2.0 * mbar * e;
    let g_b: Vec<f64> = (0..h).map(|j| 2.0 * v[j] * mbar * e).collect();
    let g_w: Vec<f64> = (0..h).map(|j| g_b[j] * r.max(1.0)).collect();
    let g_v: Vec<f64> = (0..h).map(|j| 2.0 * reach(j) * mbar * e).collect();
    let any_fragile = fragile.iter().any(|f| *f);
    let risk = mbar * e * e;
    let shift_c = c + 2.0 * xi;
    let theta_abs: Vec<f64> = w.iter().chain(&b).chain(&v).chain([&c]).copied().collect();
    let lyap = theta_abs.iter().map(|x| x * x).sum::<f64>() + shift_c * shift_c;
    // Magnitudes of G in θ order, and |∇V| in θ order.
    let mut g_flat: Vec<f64> = (0..h * d).map(|k| g_w[k / d]).collect();
    g_flat.extend(&g_b);
    g_flat.extend(&g_v);
    g_flat.push(g_c);
    let mut grad_v: Vec<f64> = theta_abs.iter().map(|x| 2.0 * x).collect();
    *grad_v.last_mut().expect("c") += 2.0 * shift_c;
    let dot: f64 = grad_v.iter().zip(&g_flat).map(|(a, b)| a * b).sum();
    let ok = |j: usize| !fragile[j];
    let mut mags: Vec<Option<f64>> = vec![Some(risk), Some(lyap), (!any_fragile).then_some(dot), Some(8.0 * risk)];
    mags.extend((0..h * d).map(|k| ok(k / d).then_some(g_w[k / d])));
    mags.extend((0..h).map(|j| ok(j).then_some(g_b[j])));
    mags.extend(g_v.iter().map(|x| Some(*x)));
    mags.push(Some(g_c));
    mags.extend(
        (0..h).map(|j| Some(w[j * d..(j + 1) * d].iter().map(|x| x * x).sum::<f64>() + b[j] * b[j] + v[j] * v[j])),
    );
    mags.extend((0..h).map(|j| ok(j).then(|| 2.0 * (w1(j) * g_w[j] + b[j] * g_b[j] + v[j] * g_v[j]))));
    let safe = |x: f64| {
        assert!(x.is_finite(), "magnitude overflow");
        BigRational::from_float(x * (1.0 + 2f64.powi(-20))).expect("finite")
    };
    mags.into_iter().map(|m| m.map(safe)).collect()
}

/// The magnitudes of every value; with `exempt`, `None` for the values of
/// fragile neurons (see above).
fn magnitudes(case: &Case, exempt: bool) -> Magnitudes {
    let th = &case.theta;
    let n_points = match &case.problem.measure {
        Measure::Empirical { points, .. } => points.len(),
        _ => 0,
    };
    let fragile = if exempt { fragile_neurons(case) } else { vec![false; th.width()] };
    Magnitudes {
        n_ops: ((th.d + 2) * th.width() + n_points + 16) as i64,
        mags: raw_magnitudes(case, &fragile, 0.0),
        mags_plus_one: raw_magnitudes(case, &fragile, 1.0),
    }
}

/// K · N · (u · magnitude + η · magnitude₊₁) with u = 2^-bits and
/// η = 2^-1074, the absolute error of one f64 operation in the subnormal
/// range (e.g. f64-interval division widens even an exact 0 to ±2^-1074, and
/// a later product with w_j = 10^10 carries that along). MPFR has no
/// subnormals and an enormous exponent range, so there η only loosens the
/// bound by a negligible 10^-300 or so.
fn a_priori_bound(m: &Magnitudes, k: usize, bits: u32) -> Option<BigRational> {
    let one = num_bigint::BigInt::from(1);
    let u = BigRational::new(one.clone(), &one << bits);
    let eta = BigRational::new(one.clone(), one << 1074);
    let (mag, mag1) = (m.mags[k].as_ref()?, m.mags_plus_one[k].as_ref()?);
    Some(int(K) * int(m.n_ops) * (u * mag + eta * mag1))
}

/// What every check compares with, computed once per case: the exact values
/// and the magnitudes with and without the fragile-neuron exemption.
struct Reference<'a> {
    case: &'a Case,
    exact: Vec<(String, BigRational)>,
    exempt: Magnitudes,
    all: Magnitudes,
}

impl<'a> Reference<'a> {
    fn new(case: &'a Case) -> Self {
        let s = summary_ordered::<BigRational>(case, &());
        assert_exact_laws(case, &s);
        let exact = values(&s);
        let (exempt, all) = (magnitudes(case, true), magnitudes(case, false));
        assert_eq!(exact.len(), exempt.mags.len());
        Reference { case, exact, exempt, all }
    }
}

/// (b), the a priori half: every value of an approximate summary is within
/// the bound of the exact value.
fn assert_within_a_priori<S: Scalar>(r: &Reference, approx: &Summary<S>, bits: u32, what: &str) {
    let (case, exact, m) = (r.case, &r.exact, &r.exempt);
    for (k, ((name, x), (_, q))) in values(approx).iter().zip(exact).enumerate() {
        let Some(bound) = a_priori_bound(m, k, bits) else { continue };
        let x = x.to_rational().unwrap_or_else(|| panic!("{what} {name}: not finite: {x:?}"));
        assert!(
            abs(&(&x - q)) <= bound,
            "{what} {name}: |{x} - {q}| exceeds the a priori bound {bound}\n{}",
            case.to_toml()
        );
    }
}

/// (c): every enclosure contains the exact value and is at most 4 times as
/// wide as the a priori bound (interval arithmetic rounds each end outward
/// once per operation, 2u per step instead of u, and both ends move).
fn assert_encloses<E: reluproof::num::Endpoint>(r: &Reference, encl: &Summary<Interval<E>>, bits: u32, what: &str) {
    // Decisions are exact for enclosures, so fragile neurons need no exemption.
    let (case, exact, m) = (r.case, &r.exact, &r.all);
    for (k, ((name, iv), (_, q))) in values(encl).iter().zip(exact).enumerate() {
        assert!(iv.contains(q), "{what} {name}: {} does not contain {q}\n{}", iv.render(), case.to_toml());
        let lo = iv.lo.exact().unwrap_or_else(|| panic!("{what} {name}: unbounded {}", iv.render()));
        let hi = iv.hi.exact().unwrap_or_else(|| panic!("{what} {name}: unbounded {}", iv.render()));
        let bound = int(4) * a_priori_bound(m, k, bits).expect("no exemption");
        assert!(hi - lo <= bound, "{what} {name}: {} is wider than {bound}\n{}", iv.render(), case.to_toml());
    }
}

/// Reads a printed approximate value back exactly (round-trip digits).
fn read_back(printed: &str, spec: BackendSpec) -> BigRational {
    match spec {
        BackendSpec::F64 => BigRational::from_float(printed.parse::<f64>().expect("f64")).expect("finite"),
        #[cfg(feature = "gmp")]
        BackendSpec::Mpfr(bits) => {
            let f = rug::Float::with_val(bits, rug::Float::parse(printed).expect("mpfr number"));
            reluproof::num::gmp::big_from_rational(&f.to_rational().expect("finite"))
        }
        other => panic!("not approximate: {other}"),
    }
}

fn printed(r: &EvalResult) -> Vec<String> {
    let mut out = vec![r.risk.clone(), r.lyapunov.clone(), r.grad_v_dot_g.clone(), r.eight_risk.clone()];
    out.extend(r.gradient.iter().cloned());
    out.extend(r.balance.iter().cloned());
    out.extend(r.balance_derivative.iter().cloned());
    out
}

/// (b), the rigorous half: the printed values of `eval --backend f64|mpfr`
/// are within the printed error bound of the exact values.
fn assert_within_printed_bound(reference: &Reference, spec: BackendSpec) {
    let case = reference.case;
    let r = run_eval(case, spec).expect("backend available");
    let bound = r.error_bound.unwrap_or_else(|| panic!("{spec}: no error bound\n{}", case.to_toml()));
    let bound = BigRational::from_float(bound).expect("finite");
    for ((name, q), p) in reference.exact.iter().zip(printed(&r)) {
        let x = read_back(&p, spec);
        assert!(abs(&(&x - q)) <= bound, "{spec} {name}: |{p} - {q}| > {bound}\n{}", case.to_toml());
    }
}

/// Laws of the exact summary: C3 and C5, exactly.
fn assert_exact_laws(case: &Case, s: &Summary<BigRational>) {
    assert_eq!(s.grad_v_dot_g, s.eight_risk, "C3 <grad V, G> = 8L\n{}", case.to_toml());
    assert!(s.balance_derivative.iter().all(Zero::is_zero), "C5 <grad Q_j, G> = 0\n{}", case.to_toml());
    assert!(!s.risk.is_negative(), "C1 L >= 0");
}

/// Everything this file checks, for one case.
fn check_all(case: &Case) {
    let r = &Reference::new(case);
    // (a)
    #[cfg(feature = "gmp")]
    {
        let gmp = values(&summary_ordered::<rug::Rational>(case, &()));
        for ((name, q), (_, g)) in r.exact.iter().zip(&gmp) {
            assert_eq!(g.to_rational().as_ref(), Some(q), "gmp vs BigRational: {name}\n{}", case.to_toml());
        }
    }
    // (b)
    assert_within_a_priori(r, &summary_ordered::<f64>(case, &()), 53, "f64");
    assert_within_printed_bound(r, BackendSpec::F64);
    #[cfg(feature = "gmp")]
    for bits in [64, 200] {
        assert_within_a_priori(r, &summary_ordered::<rug::Float>(case, &bits), bits, &format!("mpfr:{bits}"));
        assert_within_printed_bound(r, BackendSpec::Mpfr(bits));
    }
    // (c)
    assert_encloses(r, &summary_from_exact::<Interval<f64>>(case, &()), 53, "f64-interval");
    #[cfg(feature = "gmp")]
    for bits in [64, 200] {
        let encl = summary_from_exact::<Interval<rug::Float>>(case, &bits);
        assert_encloses(r, &encl, bits, &format!("interval:{bits}"));
    }
}

// -------------------------------------------------------------- hand cases

fn case(toml: &str) -> Case {
    parse_case("hand.toml", toml).unwrap_or_else(|e| panic!("{e}"))
}

fn lebesgue(a: &str, b: &str, xi: &str, w: &str, bias: &str, v: &str, c: &str) -> Case {
    case(&format!(
        "[problem]\nmeasure = \"lebesgue\"\na = \"{a}\"\nb = \"{b}\"\ntarget = \"{xi}\"\n\
         [theta]\nw = [{w}]\nb = [{bias}]\nv = [{v}]\nc = \"{c}\"\n"
    ))
}

#[test]
fn backends_agree_of_degenerate_neuron() {
    // w = b = 0 next to ordinary neurons, and on its own (H = 1).
    check_all(&lebesgue("-1", "2", "3/2", r#""0", "2""#, r#""0", "-1""#, r#""3", "-1/2""#, "1/4"));
    check_all(&lebesgue("0", "1", "1", r#""0""#, r#""0""#, r#""5""#, "0"));
    // An always-on (w = 0, b > 0) and an always-off (w = 0, b < 0) neuron.
    check_all(&lebesgue("-1", "1", "1/3", r#""0", "0""#, r#""5/7", "-2""#, r#""-2", "9""#, "1/10"));
}

#[test]
fn backends_agree_of_kink_at_endpoint() {
    // Kinks exactly at a = −1/3 (w = 3, b = 1) and at b = 5/7 (w = 7, b = −5),
    // rising and falling, on a domain whose ends are not dyadic (so the float
    // backends see the kinks only approximately at the ends).
    check_all(&lebesgue("-1/3", "5/7", "2", r#""3", "-3""#, r#""1", "-1""#, r#""1", "2""#, "0"));
    check_all(&lebesgue("-1/3", "5/7", "2", r#""7", "-7""#, r#""-5", "5""#, r#""-1/2", "3""#, "1"));
}

#[test]
fn backends_agree_of_coinciding_kinks() {
    // Three kinks at x = 1/3 (w = 3, 6, −9/2 with b = −1, −2, 3/2) and one at
    // x = 2/5 nearby, on [0, 1].
    check_all(&lebesgue(
        "0",
        "1",
        "1/7",
        r#""3", "6", "-9/2", "5""#,
        r#""-1", "-2", "3/2", "-2""#,
        r#""1", "-1/3", "2", "7/11""#,
        "-1",
    ));
}

/// v = 0 and c = ξ = 0: every value but V is exactly 0. Found by proptest
/// (seeds in backends.proptest-regressions): f64 interval division widens even
/// an exact 0 to [−2^-1074, 2^-1074], which the width bound must allow.
#[test]
fn backends_agree_of_network_equal_to_zero_target() {
    check_all(&lebesgue(
        "27/5",
        "166/15",
        "0",
        r#""5/3", "2", "-163/256""#,
        r#""29", "61/4", "-1/4""#,
        r#""0", "0", "0""#,
        "0",
    ));
    // ... and a later product with w_1 ≈ 10^10 amplifies that ±2^-1074 in G_{v_1}.
    check_all(&lebesgue(
        "-15/4",
        "23/12",
        "0",
        r#""-9663676416", "-2""#,
        r#""18522046464", "23/6""#,
        r#""0", "0""#,
        "0",
    ));
    check_all(&case(
        "[problem]\nmeasure = \"uniform\"\na = \"7\"\nb = \"35/3\"\ntarget = \"0\"\n\
         [theta]\nw = [\"2\", \"0\"]\nb = [\"1/10\", \"0\"]\nv = [\"0\", \"0\"]\nc = \"0\"\n",
    ));
}

#[test]
fn backends_agree_of_width_one() {
    check_all(&lebesgue("-2", "3", "-5/3", r#""2/3""#, r#""1/9""#, r#""-4""#, "1/3"));
    check_all(&case(
        "[problem]\nmeasure = \"uniform\"\na = \"-2\"\nb = \"3\"\ntarget = \"1\"\n\
         [theta]\nw = [\"2/3\"]\nb = [\"1/9\"]\nv = [\"-4\"]\nc = \"1/3\"\n",
    ));
}

#[test]
fn backends_agree_of_sample_point_on_kink() {
    // The point x = 1/3 lies on the kink of w = 3, b = −1: the exact
    // backends must treat the neuron as inactive there (σ'(0) = 0); float
    // backends round 1/3 and may not — the a priori check exempts G_w, G_b of
    // that neuron, the printed rigorous bound must still hold.
    check_all(&case(
        "[problem]\nmeasure = \"empirical\"\npoints = [\"1/3\", \"1\", \"-2\"]\nweights = [\"1\", \"1/2\", \"2\"]\n\
         target = \"1\"\n[theta]\nw = [\"3\", \"0\"]\nb = [\"-1\", \"0\"]\nv = [\"2\", \"1\"]\nc = \"1/5\"\n",
    ));
    // d = 2, the point (1, 1) on the line x₁ − x₂ = 0.
    check_all(&case(
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"1\"], [\"1/3\", \"-1/7\"]]\ntarget = \"-1\"\n\
         [theta]\nw = [[\"1\", \"-1\"], [\"1/3\", \"1/5\"]]\nb = [\"0\", \"1/11\"]\nv = [\"2\", \"-1\"]\nc = \"1/5\"\n",
    ));
}

#[test]
fn backends_agree_of_vectors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("vectors dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            check_all(&reluproof::model::case::read_case(&path).expect("vector"));
            n += 1;
        }
    }
    assert!(n > 0);
}

#[test]
fn test_exact_value_round_trip() {
    // The rational → backend → rational round trip is exact for the exact
    // backends on values from the generator's nastiest class (60-bit
    // numerators and denominators, 2^-70 scales).
    let mut rng = Rng::new(7);
    for _ in 0..256 {
        let q = gen::rational(&mut rng);
        assert_eq!(<BigRational as Scalar>::from_rational(&q, &()).to_rational(), Some(q.clone()));
        #[cfg(feature = "gmp")]
        assert_eq!(<rug::Rational as Scalar>::from_rational(&q, &()).to_rational(), Some(q.clone()));
        let iv = <Interval<f64> as Scalar>::from_rational(&q, &());
        assert!(iv.contains(&q), "{q} not in {}", iv.render());
    }
    let q = parse_rational("-3602879701896397/36028797018963968").expect("dyadic");
    // A dyadic with a 53-bit numerator is an f64 exactly: the f64 round trip is exact.
    assert_eq!(<f64 as Scalar>::from_rational(&q, &()).to_rational(), Some(q));
}

// ---------------------------------------------------------------- properties

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default_cases);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

fn small(measures: Vec<MeasureKind>) -> GenConfig {
    GenConfig { max_width: 6, max_dim: 2, max_points: 4, measures }
}

proptest! {
    #![proptest_config(config(64))]

    /// The shared generator's default configuration (H up to 64, every measure).
    #[test]
    fn backends_agree_properties(seed in any::<u64>()) {
        let case = gen::case_from_seed(seed);
        // eval refuses a measure of zero mass (every weight 0), by design
        // (tests/reliability.rs); there is nothing for the backends to agree on.
        prop_assume!(case.problem.check_mass().is_ok());
        check_all(&case);
    }

    /// Small configurations, one measure at a time: small H makes the
    /// degenerate configurations (all kinks at one point, H = 1) frequent.
    #[test]
    fn backends_agree_properties_of_small_width(seed in any::<u64>(), which in 0usize..3) {
        let kind = [MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Empirical][which];
        let case = gen::case(&mut Rng::new(seed), &small(vec![kind]));
        prop_assume!(case.problem.check_mass().is_ok());
        check_all(&case);
    }

    /// A case file written by `Case::to_toml` reads back as the same case.
    #[test]
    fn case_eq_of_to_toml_round_trip(seed in any::<u64>()) {
        let c = gen::case_from_seed(seed);
        let back = parse_case("round-trip.toml", &c.to_toml()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, c);
    }
}
