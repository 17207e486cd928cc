//! C2: the generalized gradient is a limit — of difference quotients where
//! L is differentiable (a), and of gradients of smooth approximations (b).

use super::descent::Envelope;
use super::engine::Outcome;
use super::instance::Instance;
use super::{Backends, Check};
use crate::backend::BackendSpec;
use crate::gen::{self, GenConfig, MeasureKind, Rng};
use crate::model::case::Case;
use crate::num::BigRational;
use crate::objective::evaluate;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GradientIsLimitOfDifferenceQuotients), Box::new(GradientIsLimitOfSmoothApproximants)]
}

/// Steps h_i = 2^(−STEP_BITS·i), i = 1..=STEPS.
const STEP_BITS: u32 = 8;
const STEPS: usize = 10;
/// A ratio err_i / err_{i−1} above 2^(−TOLERATED_BITS) at the finest steps is
/// not O(h) convergence (O(h) gives 2^(−8), O(h²) gives 2^(−16)).
const TOLERATED_BITS: u32 = 6;
/// How many of the finest ratios must show the decay.
const FINEST: usize = 3;

/// C2(a)'s entries: magnitudes in [1/1000, 1000] with denominators up to
/// 1000 (and 0); others are redrawn as small rationals so the difference
/// quotients stay cheap.
const MODERATE: Envelope = Envelope { max: 1000, floor: Some(1000), max_denominator: 1000 };

fn tame(x: &BigRational, rng: &mut Rng) -> BigRational {
    MODERATE.tame(x, rng, gen::small_rational)
}

/// C2(a): where all w_j ≠ 0 (Lebesgue or uniform on [a, b] or on a box in
/// d ≥ 2: each kink set {w_j·x + b_j = 0} is then null and moves smoothly,
/// so L is differentiable and G = ∇L), exact central difference quotients
/// (L(θ + h e_k) − L(θ − h e_k)) / 2h approach G_k.
pub struct GradientIsLimitOfDifferenceQuotients;

impl Check for GradientIsLimitOfDifferenceQuotients {
    fn name(&self) -> &'static str {
        "generalized_gradient_is_limit_of_difference_quotients"
    }
    fn statement(&self) -> &'static str {
        "C2"
    }
    fn summary(&self) -> &'static str {
        "for 3 components k among the w_j and b_j, |(L(theta + h e_k) - L(theta - h e_k))/2h - G_k| decays like O(h) over h = 2^-8 ... 2^-80, exactly"
    }
    fn backends(&self) -> Backends {
        Backends::ExactOnly
    }
    fn caveat(&self) -> Option<&'static str> {
        Some("finite-horizon surrogate: O(h) decay of the error at the three finest of ten steps down to h = 2^-80 is observed, not the limit itself")
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["half_bias_gradient"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let cfg = GenConfig {
            max_width: 6,
            measures: vec![MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Box],
            ..GenConfig::default()
        };
        let mut case = gen::case(rng, &cfg);
        let th = &mut case.theta;
        for x in th.w.iter_mut() {
            *x = tame(x, rng);
            while x.is_zero() {
                *x = gen::small_rational(rng);
            }
        }
        for x in th.b.iter_mut().chain(th.v.iter_mut()) {
            *x = tame(x, rng);
        }
        th.c = tame(&th.c, rng);
        // Only w and b: L is quadratic in each v_j and in c, where the central
        // quotient is exact and would test nothing.
        let n = (th.w.len() + th.b.len()) as u64;
        let comps: Vec<BigRational> = (0..3).map(|_| BigRational::from_integer(BigInt::from(rng.below(n)))).collect();
        Instance::of(case).with_vector("components", comps)
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let th = &inst.case.theta;
        if (0..th.width()).any(|j| th.w_row(j).iter().all(Zero::is_zero)) {
            return Outcome::Skipped { reason: "some w_j = 0: L need not be differentiable".into() };
        }
        if matches!(inst.case.problem.measure, crate::model::Measure::Empirical { .. }) {
            return Outcome::Skipped {
                reason: "C2(a) is stated for Lebesgue/uniform measures on [a, b] or a box".into(),
            };
        }
        let comps: Vec<usize> = match inst.vector("components") {
            Some(c) => c.iter().filter_map(|q| q.to_integer().try_into().ok()).collect(),
            None => (0..inst.case.theta.len()).collect(),
        };
        match backend {
            BackendSpec::Exact => difference_quotients(&inst.case, &comps, mutant),
            #[cfg(feature = "gmp")]
            BackendSpec::Gmp => difference_quotients(&inst.case, &comps, mutant),
            other => Outcome::Undecided { reason: format!("C2(a) runs on exact backends only, not {other}") },
        }
    }
}

fn risk(case: &Case, theta: &crate::model::Theta<BigRational>) -> BigRational {
    evaluate::<BigRational>(&case.problem.prepare(&()), theta).risk
}

fn difference_quotients(case: &Case, comps: &[usize], mutant: Option<&str>) -> Outcome {
    let prep = case.problem.prepare::<BigRational>(&());
    let mut g = evaluate::<BigRational>(&prep, &case.theta).gradient.flatten();
    let h_count = case.theta.width();
    let d = case.theta.d;
    if mutant == Some("half_bias_gradient") {
        // Negative control: G_b with the factor 2 of D4 halved.
        for j in 0..h_count {
            g[h_count * d + j] = &g[h_count * d + j] / BigRational::from_integer(2.into());
        }
    }
    let flat = case.theta.flatten();
    for &k in comps {
        if k >= flat.len() {
            return Outcome::Skipped { reason: format!("component {k} out of range") };
        }
        let mut errs = Vec::with_capacity(STEPS);
        for i in 1..=STEPS {
            let h = BigRational::new(BigInt::one(), BigInt::one() << (STEP_BITS as usize * i));
            let mut plus = flat.clone();
            plus[k] += &h;
            let mut minus = flat.clone();
            minus[k] -= &h;
            let tp = crate::model::Theta::from_flat(d, &plus).expect("layout");
            let tm = crate::model::Theta::from_flat(d, &minus).expect("layout");
            let dq = (risk(case, &tp) - risk(case, &tm)) / (&h + &h);
            errs.push((dq - &g[k]).abs());
        }
        if !decays_at_the_finest_steps(&errs) {
            let shown: Vec<String> =
                errs.iter().map(|e| format!("{:.3e}", crate::num::Scalar::to_f64_lossy(e))).collect();
            return Outcome::Violated {
                detail: format!(
                    "component {k}: the error |DQ(h) - G_k| does not decay like O(h) at the finest steps; errors for h = 2^-8 .. 2^-80: [{}]",
                    shown.join(", ")
                ),
            };
        }
    }
    Outcome::Holds { margin: None }
}

/// Whether the errors `errs[i]` at h = 2^(−STEP_BITS·(i+1)) fall by at least
/// 2^(−TOLERATED_BITS) from each step to the next over the FINEST last
/// ratios (or vanish). Coarser steps are not judged: there h may still be
/// larger than the distance from a kink to an end or to another kink, where
/// the quotient has not reached its asymptotic regime.
fn decays_at_the_finest_steps(errs: &[BigRational]) -> bool {
    let bound = BigRational::new(BigInt::one(), BigInt::one() << TOLERATED_BITS as usize);
    (errs.len() - FINEST..errs.len()).all(|i| errs[i].is_zero() || errs[i] <= &errs[i - 1] * &bound)
}

/// r = 2^k for k = 2, 4, …, 40.
const SMOOTH_EXPONENTS: std::ops::RangeInclusive<u32> = 1..=20;
/// Precision of the interval enclosures (MPFR with `gmp`, dyadic otherwise), in bits.
pub const SMOOTH_PREC: u32 = 200;

/// C2(b): on empirical measures, ∇L_r(θ) → G(θ) as r → ∞ for the smooth
/// approximants R_r(z) = r⁻¹ ln(1 + r⁻¹ e^{rz}), also at degenerate neurons
/// and at sample points on a kink. The transcendental terms are enclosed in
/// 200-bit intervals: MPFR with the `gmp` feature, pure-Rust dyadic
/// intervals otherwise (the same generic code, see [`crate::smooth::Engine`]).
pub struct GradientIsLimitOfSmoothApproximants;

fn small(rng: &mut Rng, max: i64) -> BigRational {
    BigRational::new(rng.range(-max, max).into(), (*rng.pick(&[1i64, 2, 4])).into())
}

impl Check for GradientIsLimitOfSmoothApproximants {
    fn name(&self) -> &'static str {
        "generalized_gradient_is_limit_of_smooth_approximants"
    }
    fn statement(&self) -> &'static str {
        "C2"
    }
    fn summary(&self) -> &'static str {
        "max_k |grad L_r(theta)_k - G_k| for R_r(z) = ln(1 + e^{rz}/r)/r decays (ratio <= 1/2 at the three finest of r = 2^2 .. 2^40), 200-bit interval enclosures"
    }
    fn backends(&self) -> Backends {
        Backends::MpfrEnclosure
    }
    fn caveat(&self) -> Option<&'static str> {
        Some(if cfg!(feature = "gmp") {
            "finite-horizon surrogate: rigorous upper bounds of the error (200-bit MPFR intervals) are seen to halve (or to fall below 2^-120 max(1, |G|)) at the three finest of r = 2^2, 2^4, ..., 2^40; the limit itself is not computed; empirical measures only"
        } else {
            "finite-horizon surrogate: rigorous upper bounds of the error (200-bit dyadic intervals, pure Rust) are seen to halve (or to fall below 2^-120 max(1, |G|)) at the three finest of r = 2^2, 2^4, ..., 2^40; the limit itself is not computed; empirical measures only"
        })
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["softplus_half_at_zero"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let d = rng.range(1, 2) as usize;
        let n = rng.range(1, 6) as usize;
        let points: Vec<Vec<BigRational>> = (0..n).map(|_| (0..d).map(|_| small(rng, 8)).collect()).collect();
        let weights = (0..n).map(|_| BigRational::new(rng.range(1, 8).into(), rng.range(1, 4).into())).collect();
        let h = rng.range(1, 6) as usize;
        let (mut w, mut b) = (Vec::new(), Vec::new());
        for _ in 0..h {
            if rng.chance(1, 6) {
                w.extend(std::iter::repeat_n(BigRational::zero(), d));
                b.push(BigRational::zero());
                continue;
            }
            let row: Vec<BigRational> = (0..d).map(|_| small(rng, 8)).collect();
            let bj = if rng.chance(1, 3) {
                let x = &points[rng.below(n as u64) as usize];
                -row.iter().zip(x).fold(BigRational::zero(), |s, (wi, xi)| s + wi * xi)
            } else {
                small(rng, 8)
            };
            w.extend(row);
            b.push(bj);
        }
        let v = (0..h).map(|_| small(rng, 8)).collect();
        let theta = crate::model::Theta { d, w, b, v, c: small(rng, 8) };
        let problem = crate::model::Problem::new(
            crate::model::Measure::Empirical { points, weights },
            crate::model::Target::Constant(small(rng, 8)),
        );
        Instance::of(Case { problem, theta, notes: Vec::new() })
    }
    fn run(&self, inst: &Instance, _backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        self.run_on(inst, mutant, crate::smooth::Engine::default_for_build())
    }
}

impl GradientIsLimitOfSmoothApproximants {
    /// [`Check::run`] with the enclosures computed by `engine` (the build's
    /// default engine in `run`; both engines with `gmp`, to compare them).
    pub fn run_on(&self, inst: &Instance, mutant: Option<&str>, engine: crate::smooth::Engine) -> Outcome {
        if !matches!(inst.case.problem.measure, crate::model::Measure::Empirical { .. }) {
            return Outcome::Skipped { reason: "C2(b) is checked on empirical measures".into() };
        }
        match engine {
            crate::smooth::Engine::Dyadic => smooth::check::<crate::num::Dyadic>(&inst.case, mutant),
            #[cfg(feature = "gmp")]
            crate::smooth::Engine::Mpfr => smooth::check::<rug::Float>(&inst.case, mutant),
        }
    }
}

/// The enclosures of C2(b), generic over the interval endpoint: `rug::Float`
/// (MPFR, feature `gmp`) or [`crate::num::Dyadic`] (pure Rust).
mod smooth {
    use super::*;
    use crate::model::Measure;
    use crate::num::{Endpoint, Interval, Scalar};
    use crate::smooth::transcendental::Transcendental;
    use std::cmp::Ordering;

    fn iv<E: Endpoint<Ctx = u32>>(q: &BigRational) -> Interval<E> {
        Interval::from_rational(q, &SMOOTH_PREC)
    }

    /// (R(z), R'(z)) for the approximant at r, in a form that cannot overflow,
    /// chosen by the exact sign of z; `ln_r` encloses ln r. `half` selects
    /// the standard softplus ln(1 + e^{rz})/r (derivative 1/2 at 0), the
    /// negative control. e^x below −2^20 is enclosed by [0, e^{−2^20}]
    /// ([`Transcendental::exp`]), so that no endpoint has an astronomically
    /// small exponent.
    fn approximant<E: Endpoint<Ctx = u32>>(
        z: &BigRational,
        r: &BigRational,
        ln_r: &Interval<E>,
        half: bool,
    ) -> (Interval<E>, Interval<E>)
    where
        Interval<E>: Transcendental + Scalar<Ctx = u32>,
    {
        let one = Interval::<E>::from_i64(1, &SMOOTH_PREC);
        let rz = r * z;
        let ri = iv::<E>(r);
        if z.is_positive() {
            let t = iv::<E>(&-rz).exp(); // e^{−rz} ≤ 1
            if half {
                (iv::<E>(z).add(&t.ln1p().div(&ri)), one.div(&one.add(&t)))
            } else {
                let rt = ri.mul(&t);
                let val = iv::<E>(z).sub(&ln_r.div(&ri)).add(&rt.ln1p().div(&ri));
                (val, one.div(&one.add(&rt)))
            }
        } else {
            let t = iv::<E>(&rz).exp(); // e^{rz} ≤ 1
            if half {
                (t.ln1p().div(&ri), t.div(&one.add(&t)))
            } else {
                (t.div(&ri).ln1p().div(&ri), t.div(&ri.add(&t)))
            }
        }
    }

    fn abs<E: Endpoint>(x: &E) -> E {
        if x.sign_of() == Some(Ordering::Less) {
            x.neg()
        } else {
            x.clone()
        }
    }

    fn max<E: Endpoint>(a: E, b: E) -> E {
        if b.partial(&a) == Some(Ordering::Greater) {
            b
        } else {
            a
        }
    }

    /// Whether a ≤ b (false for NaN).
    fn le<E: Endpoint>(a: &E, b: &E) -> bool {
        matches!(a.partial(b), Some(Ordering::Less | Ordering::Equal))
    }

    /// Rigorous (lower, upper) bounds of max_k |∇L_r(θ)_k − G_k|.
    fn error_bounds<E: Endpoint<Ctx = u32>>(case: &Case, g: &[BigRational], r: &BigRational, half: bool) -> (E, E)
    where
        Interval<E>: Transcendental + Scalar<Ctx = u32>,
    {
        type I<E> = Interval<E>;
        let Measure::Empirical { points, weights } = &case.problem.measure else { unreachable!() };
        let th = &case.theta;
        let (d, h) = (th.d, th.width());
        let zero = I::<E>::from_i64(0, &SMOOTH_PREC);
        let two = I::<E>::from_i64(2, &SMOOTH_PREC);
        // ln r = ln1p(r − 1), with r − 1 exact.
        let ln_r = iv::<E>(&(r - BigRational::one())).ln1p();
        let mut grad = vec![zero.clone(); th.len()];
        let xi = case.problem.target.constant().expect("constant target");
        for (x, p) in points.iter().zip(weights) {
            let vals: Vec<(I<E>, I<E>)> = (0..h)
                .map(|j| {
                    let z = th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi);
                    approximant(&z, r, &ln_r, half)
                })
                .collect();
            let mut e = iv::<E>(&(&th.c - xi));
            for (vj, (r, _)) in th.v.iter().zip(&vals) {
                e = e.add(&iv::<E>(vj).mul(r));
            }
            let pe2 = two.mul(&iv(p)).mul(&e);
            for j in 0..h {
                let gb = pe2.mul(&iv(&th.v[j])).mul(&vals[j].1);
                for k in 0..d {
                    grad[j * d + k] = grad[j * d + k].add(&gb.mul(&iv(&x[k])));
                }
                grad[h * d + j] = grad[h * d + j].add(&gb);
                grad[h * d + h + j] = grad[h * d + h + j].add(&pe2.mul(&vals[j].0));
            }
            let last = grad.len() - 1;
            grad[last] = grad[last].add(&pe2);
        }
        // Compared as endpoints: abs and max are exact.
        let (mut lower, mut upper) = (zero.lo.clone(), zero.lo.clone());
        for (a, gk) in grad.iter().zip(g) {
            let diff = a.sub(&iv(gk));
            let (l, u) = (&diff.lo, &diff.hi);
            if l.sign_of().is_none() || u.sign_of().is_none() {
                return (zero.lo.clone(), E::infinity(false, &zero.lo));
            }
            let up = max(abs(l), abs(u));
            let low = if l.sign_of() == Some(Ordering::Greater) {
                l.clone()
            } else if u.sign_of() == Some(Ordering::Less) {
                u.neg()
            } else {
                zero.lo.clone()
            };
            upper = max(upper, up);
            lower = max(lower, low);
        }
        (lower, upper)
    }

    /// C2(b) on one case, with the enclosures in `Interval<E>`.
    pub fn check<E: Endpoint<Ctx = u32>>(case: &Case, mutant: Option<&str>) -> Outcome
    where
        Interval<E>: Transcendental + Scalar<Ctx = u32>,
    {
        let half = mutant == Some("softplus_half_at_zero");
        let g = crate::objective::evaluate::<BigRational>(&case.problem.prepare(&()), &case.theta).gradient.flatten();
        judge::<E>(case, &g, half)
    }

    /// C2(b)'s verdict on a given flat gradient `g`: whether the enclosed
    /// errors max_k |∇L_r(θ)_k − g_k| decay as r grows. Separate from
    /// [`check`] so that tests can feed it a wrong `g`.
    pub(super) fn judge<E: Endpoint<Ctx = u32>>(case: &Case, g: &[BigRational], half: bool) -> Outcome
    where
        Interval<E>: Transcendental + Scalar<Ctx = u32>,
    {
        let bounds: Vec<(E, E)> = SMOOTH_EXPONENTS
            .map(|i| {
                let r = BigRational::from_integer(BigInt::one() << (2 * i) as usize);
                error_bounds::<E>(case, g, &r, half)
            })
            .collect();
        let shown = || bounds.iter().map(|(_, u)| format!("{:.2e}", u.approx())).collect::<Vec<_>>().join(", ");
        let floor = E::from_rational_down(&precision_floor(g), &SMOOTH_PREC);
        let half_factor = E::from_rational_down(&BigRational::new(1.into(), 2.into()), &SMOOTH_PREC);
        match decay(&bounds, &floor, &half_factor) {
            Decay::Halves => Outcome::Holds { margin: None },
            Decay::FailsAt(i) => Outcome::Violated {
                detail: format!(
                    "max_k |grad L_r - G| does not decay at r = 2^{}: it is at least {:.3e}, more than half of the bound {:.3e} at r = 2^{}; upper bounds for r = 2^2 .. 2^40: [{}]",
                    2 * (i + 1),
                    bounds[i].0.approx(),
                    bounds[i - 1].1.approx(),
                    2 * i,
                    shown()
                ),
            },
            Decay::Undecided => Outcome::Undecided {
                reason: format!("decay ratio near 1/2 not decided by the enclosures: [{}]", shown()),
            },
        }
    }

    /// The error below which a step need not halve: 2^-120 · max(1, |G|_∞).
    /// There the enclosures have reached working precision (the O(ln r / r)
    /// rate is still ~1e-11 at r = 2^40, far above it); a floor much higher
    /// would excuse a gradient that is wrong by less than it.
    pub(super) fn precision_floor(g: &[BigRational]) -> BigRational {
        let scale = g.iter().map(|x| x.abs()).fold(BigRational::one(), |m, x| m.max(x));
        scale / BigRational::from_integer(BigInt::one() << 120)
    }

    /// What the enclosures of the error say about its decay.
    #[derive(Debug, PartialEq, Eq)]
    pub(super) enum Decay {
        /// Over the finest steps each upper bound is at most half the one
        /// before, or below the precision floor.
        Halves,
        /// At this index the lower bound exceeds half the previous upper bound.
        FailsAt(usize),
        /// Neither, for some step.
        Undecided,
    }

    /// The decay verdict from the (lower, upper) enclosures of the error at
    /// successive r: only the [`FINEST`] finest steps count (the O(ln r / r)
    /// rate is asymptotic; coarse steps may halve or not).
    pub(super) fn decay<E: Endpoint>(bounds: &[(E, E)], floor: &E, half_factor: &E) -> Decay {
        let n = bounds.len();
        let mut undecided = false;
        for i in n - FINEST..n {
            let half_prev = bounds[i - 1].1.mul_up(half_factor); // exact
            if le(&bounds[i].1, &half_prev) || le(&bounds[i].1, floor) {
                continue;
            }
            if bounds[i].0.partial(&half_prev) == Some(Ordering::Greater) {
                return Decay::FailsAt(i);
            }
            undecided = true;
        }
        if undecided {
            Decay::Undecided
        } else {
            Decay::Halves
        }
    }
}

#[cfg(test)]
mod tests {
    use super::smooth::{decay, precision_floor, Decay};
    use super::tame;
    use crate::gen::Rng;
    use crate::num::parse::parse_rational;

    /// Only the FINEST last ratios of the errors are judged, each must fall
    /// by 2^-6 at least (equality allowed) or reach 0, and a pre-asymptotic
    /// start does not count. (Fresh sample of session 17: the range
    /// `STEPS - FINEST..` written `STEPS / FINEST..` also judged the coarse
    /// steps, and no case had a kink close enough to an end to notice.)
    #[test]
    fn only_the_finest_steps_must_show_the_decay() {
        use super::{decays_at_the_finest_steps, FINEST, STEPS, STEP_BITS, TOLERATED_BITS};
        let two = |e: i32| crate::num::BigRational::from_integer(2.into()).pow(e);
        let (tol, step, coarse) = (TOLERATED_BITS as i32, STEP_BITS as i32, (STEPS - FINEST) as i32);
        // Flat while h is coarse (no ratio judged), then O(h): holds.
        let mut errs: Vec<_> =
            (0..STEPS as i32).map(|i| two(if i < coarse { 0 } else { -step * (i - coarse + 1) })).collect();
        assert!(decays_at_the_finest_steps(&errs), "{errs:?}");
        // Falling by exactly the tolerated ratio holds; any slower fails.
        errs[STEPS - 1] = &errs[STEPS - 2] * two(-tol);
        assert!(decays_at_the_finest_steps(&errs));
        errs[STEPS - 1] = &errs[STEPS - 2] * two(1 - tol);
        assert!(!decays_at_the_finest_steps(&errs));
        // An exact quotient (error 0) holds after any error.
        errs[STEPS - 1] = two(0) - two(0);
        assert!(decays_at_the_finest_steps(&errs));
        // A stall at the first of the judged ratios fails.
        errs[STEPS - 3] = errs[STEPS - 4].clone();
        assert!(!decays_at_the_finest_steps(&errs));
    }

    /// C2(a)'s negative control halves G_b, which sits after the H·d inner
    /// weights in the flat layout: on a box in d = 2 the control is refuted
    /// by the b components alone, which the faithful check passes. (Fresh
    /// sample of session 17: the control's index `h * d + j` written
    /// `h / d + j` halved a w component instead once d > 1, unnoticed.)
    #[test]
    fn the_control_halves_the_bias_gradient_in_every_dimension() {
        use crate::backend::BackendSpec;
        use crate::claims::engine::Outcome;
        use crate::claims::instance::Instance;
        use crate::claims::Check;
        use num_bigint::BigInt;
        let case = crate::model::case::parse_case(
            "box",
            "[problem]\nmeasure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\ntarget = \"1\"\n\
             [theta]\nw = [[\"1\", \"1\"], [\"1\", \"-2\"]]\nb = [\"-1/2\", \"1/3\"]\nv = [\"1\", \"-1\"]\nc = \"0\"\n",
        )
        .expect("hand case");
        // The flat layout: w (2 x 2), then b_1, b_2 at 4 and 5.
        let biases = [4, 5].map(|k| crate::num::BigRational::from_integer(BigInt::from(k)));
        let inst = Instance::of(case).with_vector("components", biases.to_vec());
        let check = super::GradientIsLimitOfDifferenceQuotients;
        let faithful = check.run(&inst, BackendSpec::Exact, None);
        assert!(matches!(faithful, Outcome::Holds { .. }), "{faithful:?}");
        let control = check.run(&inst, BackendSpec::Exact, Some("half_bias_gradient"));
        assert!(matches!(&control, Outcome::Violated { detail } if detail.starts_with("component 4")), "{control:?}");
    }

    /// C2(b) refutes a gradient that is wrong by one in a single component,
    /// whichever side of the true value it lies on: the error's lower bound
    /// must count an enclosure of ∇L_r − g that is entirely negative as
    /// well as one entirely positive. (Fresh sample of session 18: with the
    /// negative case's `==` made `!=`, a g above ∇L_r had lower bound 0 and
    /// was only undecided; no test had fed C2(b) a wrong gradient.)
    #[test]
    fn the_smooth_limit_refutes_a_gradient_off_by_one_on_either_side() {
        use super::smooth::judge;
        use crate::claims::engine::Outcome;
        let case = crate::model::case::parse_case(
            "samples",
            "[problem]\nmeasure = \"empirical\"\npoints = [[\"-1\"], [\"1/2\"], [\"2\"]]\nweights = [\"1/4\", \"1/4\", \"1/2\"]\ntarget = \"1\"\n\
             [theta]\nw = [\"1\", \"-2\"]\nb = [\"1/2\", \"1\"]\nv = [\"1\", \"-1/3\"]\nc = \"0\"\n",
        )
        .expect("hand case");
        let g = crate::objective::evaluate::<crate::num::BigRational>(&case.problem.prepare(&()), &case.theta)
            .gradient
            .flatten();
        let faithful = judge::<crate::num::Dyadic>(&case, &g, false);
        assert!(matches!(faithful, Outcome::Holds { .. }), "{faithful:?}");
        for k in [0, g.len() - 1] {
            for shift in ["1", "-1"] {
                let mut wrong = g.clone();
                wrong[k] += parse_rational(shift).unwrap();
                let out = judge::<crate::num::Dyadic>(&case, &wrong, false);
                assert!(matches!(out, Outcome::Violated { .. }), "component {k} shifted by {shift}: {out:?}");
            }
        }
    }

    /// C2(a)'s cases are what its row says: at most 6 neurons, no empirical
    /// measure (the kinks must be null sets), every w_j ≠ 0; the default
    /// generator goes to H = 64 and empirical measures (a cargo-mutants
    /// survivor deleted the cap unnoticed).
    #[test]
    fn difference_quotient_cases_keep_their_width_and_measures() {
        use crate::claims::Check;
        let check = super::GradientIsLimitOfDifferenceQuotients;
        let mut rng = Rng::new(4);
        let mut widest = 0;
        for _ in 0..200 {
            let case = check.generate(&mut rng).case;
            assert!(case.theta.width() <= 6, "H = {}", case.theta.width());
            assert!(!matches!(case.problem.measure, crate::model::Measure::Empirical { .. }));
            assert!(case.theta.w.iter().all(|w| !num_traits::Zero::is_zero(w)));
            widest = widest.max(case.theta.width());
        }
        assert!(widest > 3, "the widest draw has {widest} neurons");
    }

    /// C2(b)'s generator sends about a third of the live neurons' kinks
    /// through a sample point (b_j = −w_j·x), where G's convention σ'(0)
    /// matters; a cargo-mutants survivor (claims shard 5/80) dropped the
    /// minus sign, which moves those kinks off the samples, unnoticed.
    #[test]
    fn smooth_limit_cases_put_kinks_through_samples() {
        use crate::claims::Check;
        use num_traits::Zero;
        let check = super::GradientIsLimitOfSmoothApproximants;
        let mut rng = Rng::new(6);
        let (mut live, mut through) = (0, 0);
        for _ in 0..300 {
            let case = check.generate(&mut rng).case;
            let crate::model::Measure::Empirical { points, .. } = &case.problem.measure else {
                panic!("C2(b) is stated for empirical measures")
            };
            for (j, bj) in case.theta.b.iter().enumerate() {
                let row = case.theta.w_row(j);
                if row.iter().all(Zero::is_zero) {
                    continue;
                }
                live += 1;
                let at = |x: &Vec<num_rational::BigRational>| {
                    row.iter().zip(x).fold(bj.clone(), |s, (w, xi)| s + w * xi).is_zero()
                };
                through += usize::from(points.iter().any(at));
            }
        }
        assert!(live > 300, "{live} live neurons");
        assert!(5 * through > live, "{through} of {live} kinks through a sample");
    }

    /// C2(a)'s generator keeps entries of magnitude in [1/1000, 1000] with
    /// denominators up to 1000 (and 0), and redraws the rest as small
    /// rationals, so the difference quotients stay cheap (a cargo-mutants
    /// survivor moved the lower bound from 1/1000 to 1 unnoticed).
    #[test]
    fn tame_keeps_moderate_entries_and_redraws_the_rest() {
        let mut rng = Rng::new(3);
        for kept in ["0", "1/2", "-1/2", "999", "1/1000", "-7/1000", "1000", "3/1000"] {
            let x = parse_rational(kept).unwrap();
            assert_eq!(tame(&x, &mut rng), x, "{kept}");
        }
        for redrawn in ["1001", "-5000", "1/1001", "3/2003", "1/2000"] {
            let x = parse_rational(redrawn).unwrap();
            assert_ne!(tame(&x, &mut rng), x, "{redrawn}");
        }
    }

    /// Enclosures (lo, hi) = (0.9 x, x) of errors that quarter at each step.
    fn quartering(n: usize) -> Vec<(f64, f64)> {
        (0..n).map(|i| (0.9 * 0.25f64.powi(i as i32), 0.25f64.powi(i as i32))).collect()
    }

    /// C2(b)'s decay rule on hand-made enclosures: only the finest steps
    /// count, a lower bound above half the previous upper bound refutes, an
    /// overlap is undecided, and the precision floor excuses a step.
    #[test]
    fn decay_is_judged_on_the_finest_steps_only() {
        let (half, no_floor) = (0.5, 0.0);
        assert_eq!(decay(&quartering(20), &no_floor, &half), Decay::Halves);
        // A coarse step that does not halve (r = 2^22 against 2^20) is allowed.
        let mut coarse = quartering(20);
        coarse[10] = coarse[9];
        assert_eq!(decay(&coarse, &no_floor, &half), Decay::Halves);
        // The finest step not halving, certainly: refuted there.
        let mut stuck = quartering(20);
        stuck[19] = stuck[18];
        assert_eq!(decay(&stuck, &no_floor, &half), Decay::FailsAt(19));
        // Its upper bound above half the previous, its lower bound below: undecided.
        let mut blurred = quartering(20);
        blurred[18] = (0.1 * blurred[17].1, 0.9 * blurred[17].1);
        assert_eq!(decay(&blurred, &no_floor, &half), Decay::Undecided);
        // Below the precision floor a step needs not halve.
        assert_eq!(decay(&stuck, &1.0, &half), Decay::Halves);
    }

    /// The floor is 2^-120 of the gradient's scale, at least 2^-120: a floor
    /// of the scale itself (claims shard 9/80 survivor: `/` for `%`, since
    /// 5 mod 2^120 = 5) would excuse any error below |G|_∞.
    #[test]
    fn precision_floor_is_two_to_minus_120_of_the_scale() {
        let q = |s: &str| parse_rational(s).expect("a rational");
        let unit = q("1") / crate::num::BigRational::from_integer(num_bigint::BigInt::from(1) << 120);
        assert_eq!(precision_floor(&[q("-5"), q("3")]), q("5") * &unit);
        assert_eq!(precision_floor(&[q("1/2"), q("0")]), unit);
        assert_eq!(precision_floor(&[]), unit);
    }
}
