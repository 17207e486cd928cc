//! Gradient descent Θ_{n+1} = Θ_n − γ G(Θ_n) (D6) with certified iterates.
//!
//! In the default `dyadic:BITS` mode each step is computed exactly from the
//! stored state θ_n, and the new state is rounded to the nearest multiple of
//! 2^-BITS (ties away from zero). Every inequality of C9 is then checked
//! exactly on the stored iterates:
//! (a) V(θ_{n+1}) ≤ V(θ_n) − 4γ L(θ_n), (b) ‖θ_n‖² ≤ V(θ_0),
//! (c) Σ_{k<n} L(θ_k) ≤ V(θ_0)/(4γ), (d) min_{k<n} L(θ_k) ≤ V(θ_0)/(4γn).
//! The part of (a)'s margin used by the rounding is reported. `exact` keeps
//! the state unrounded (sizes grow geometrically); `mpfr:BITS` and `f64` are
//! fast and approximate.
//!
//! Exact arithmetic is organised so that a step costs the same at n = 10⁴ as
//! at n = 1: the exact step is never normalised (see
//! [`round_on_adaptive_grid`]), and the running sum of (c), whose denominator
//! grows with n, is added up only when its exact value is needed (see
//! [`SummedRisk`]). Every check is still decided exactly at every step.

use super::trajectory::{last_checkpoint, read_records, truncate_before_last_checkpoint, Record, TrajectoryWriter};
use crate::lyapunov::lyapunov;
use crate::model::case::Case;
use crate::model::{Prepared, Theta};
use crate::num::parse::parse_rational;
use crate::num::{BigRational, Guarantee, Ordered, Scalar, Sign3};
use crate::objective::evaluate;
use num_traits::{One, Signed, Zero};
use serde_json::{Map, Value};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// How the GD state is stored between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateMode {
    /// Exact rationals, never rounded (bit sizes grow geometrically).
    Exact,
    /// Exact step, state rounded to the nearest multiple of 2^-bits (certified).
    Dyadic(u32),
    /// MPFR floats with this precision (approximate).
    Mpfr(u32),
    /// IEEE doubles (approximate).
    F64,
}

impl StateMode {
    /// What the run's inequality checks promise: exact for exact and dyadic
    /// states, approximate with the precision for float states.
    pub fn guarantee(&self) -> Guarantee {
        match self {
            StateMode::Exact | StateMode::Dyadic(_) => Guarantee::Exact,
            StateMode::Mpfr(b) => Guarantee::Approximate { bits: *b },
            StateMode::F64 => Guarantee::Approximate { bits: 53 },
        }
    }
}

/// Runs `$run::<S>(case, opts, ctx)` with the scalar type of `opts.state`:
/// GMP rationals (with `gmp`) or `BigRational` for exact and dyadic states,
/// `rug::Float` for mpfr, `f64` for f64. `$cmd` names the command in errors.
macro_rules! dispatch_state {
    ($run:ident, $case:expr, $opts:expr, $cmd:literal) => {{
        if $opts.resume.is_some() && $opts.out.is_some() && $opts.out != $opts.resume {
            return Err("--resume FILE appends to FILE; do not also give a different --out".into());
        }
        match $opts.state {
            #[cfg(feature = "gmp")]
            StateMode::Exact | StateMode::Dyadic(_) => $run::<rug::Rational>($case, $opts, &()),
            #[cfg(not(feature = "gmp"))]
            StateMode::Exact | StateMode::Dyadic(_) => $run::<BigRational>($case, $opts, &()),
            StateMode::F64 => $run::<f64>($case, $opts, &()),
            #[cfg(feature = "gmp")]
            StateMode::Mpfr(bits) => $run::<rug::Float>($case, $opts, &bits),
            #[cfg(not(feature = "gmp"))]
            StateMode::Mpfr(_) => Err(concat!(
                "--state mpfr needs the `gmp` feature (cargo run --release --features gmp -- ",
                $cmd,
                " …)"
            )
            .into()),
        }
    }};
}
pub(crate) use dispatch_state;

impl fmt::Display for StateMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateMode::Exact => f.write_str("exact"),
            StateMode::Dyadic(b) => write!(f, "dyadic:{b}"),
            StateMode::Mpfr(b) => write!(f, "mpfr:{b}"),
            StateMode::F64 => f.write_str("f64"),
        }
    }
}

impl FromStr for StateMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bits = |r: &str| -> Result<u32, String> {
            r.parse::<u32>()
                .ok()
                .filter(|b| (2..=100_000).contains(b))
                .ok_or_else(|| format!("bad bit count {r:?}: expected a whole number from 2 to 100000"))
        };
        match s.split_once(':') {
            None if s == "exact" => Ok(StateMode::Exact),
            None if s == "f64" => Ok(StateMode::F64),
            None if s == "dyadic" => Ok(StateMode::Dyadic(128)),
            None if s == "mpfr" => Ok(StateMode::Mpfr(128)),
            Some(("dyadic", r)) => Ok(StateMode::Dyadic(bits(r)?)),
            Some(("mpfr", r)) => Ok(StateMode::Mpfr(bits(r)?)),
            _ => Err(format!("unknown state mode {s:?}; expected exact, dyadic:BITS, mpfr:BITS or f64")),
        }
    }
}

/// The step size: a rational, or a rational multiple of γ* (C9) or of
/// γ′* (C14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GammaSpec {
    /// γ itself.
    Value(BigRational),
    /// factor · γ* (`auto`, `auto*K`).
    Auto(BigRational),
    /// factor · γ′* (`auto-sharp`, `auto-sharp*K`): C14 covers factors below 2.
    AutoSharp(BigRational),
}

impl FromStr for GammaSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("auto-sharp") {
            let factor = match rest.trim() {
                "" => BigRational::one(),
                r => match r.strip_prefix('*') {
                    Some(k) => parse_rational(k).map_err(|e| format!("--gamma auto-sharp*K: {e}"))?,
                    None => {
                        return Err(format!(
                            "bad --gamma {s:?}: expected auto-sharp or auto-sharp*K, e.g. auto-sharp*19/10"
                        ))
                    }
                },
            };
            if !factor.is_positive() {
                return Err(format!("--gamma {s}: the factor must be positive"));
            }
            return Ok(GammaSpec::AutoSharp(factor));
        }
        if let Some(rest) = s.strip_prefix("auto") {
            let factor = match rest.trim() {
                "" => BigRational::one(),
                r => match r.strip_prefix('*') {
                    Some(k) => parse_rational(k).map_err(|e| format!("--gamma auto*K: {e}"))?,
                    None => {
                        return Err(format!(
                        "bad --gamma {s:?}: expected auto, auto*K, auto-sharp or auto-sharp*K, e.g. auto*4 or auto*1/2"
                    ))
                    }
                },
            };
            if !factor.is_positive() {
                return Err(format!("--gamma {s}: the factor must be positive"));
            }
            return Ok(GammaSpec::Auto(factor));
        }
        let g = parse_rational(s).map_err(|e| format!("--gamma: {e}"))?;
        if !g.is_positive() {
            return Err(format!("--gamma {s}: the step size must be positive"));
        }
        Ok(GammaSpec::Value(g))
    }
}

/// γ* = [2 m max{1, ρ²} (1 + V(Θ_0))]⁻¹ (C9), exactly.
pub fn gamma_star(case: &Case) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let m = case.problem.measure.mass();
    let rho2 = case.problem.measure.rho2();
    let big = if rho2 > BigRational::one() { rho2 } else { BigRational::one() };
    let v0 = lyapunov(&case.theta, xi, &());
    let denom = BigRational::from_integer(2.into()) * m * big * (BigRational::one() + v0);
    (!denom.is_zero()).then(|| BigRational::one() / denom)
}

/// ∫ (1 + ‖x‖²) dμ, exactly: m + (b³ − a³)/3 for Lebesgue measure on
/// [a, b], 1 + d (a² + ab + b²)/3 for the uniform probability on [a, b]^d,
/// Σ_i p_i (1 + ‖x_i‖²) for Σ_i p_i δ_{x_i}. `None` for a measure it does not
/// know.
pub fn second_moment(m: &crate::model::Measure) -> Option<BigRational> {
    use crate::model::Measure;
    let three = BigRational::from_integer(3.into());
    #[allow(unreachable_patterns)]
    match m {
        Measure::Lebesgue { a, b } => Some((b - a) + (b * b * b - a * a * a) / three),
        Measure::Uniform { a, b, d } => {
            Some(BigRational::one() + BigRational::from_integer((*d).into()) * (a * a + a * b + b * b) / three)
        }
        Measure::Empirical { points, weights } => Some(
            points
                .iter()
                .zip(weights)
                .fold(BigRational::zero(), |s, (x, p)| s + p * x.iter().fold(BigRational::one(), |t, xi| t + xi * xi)),
        ),
        _ => None,
    }
}

/// K′ = max{8m, 4∫(1 + ‖x‖²)dμ} of C13, exactly (≤ K = 8m max{1, ρ²} of C8).
pub fn sharp_constant(m: &crate::model::Measure) -> Option<BigRational> {
    let eight_m = BigRational::from_integer(8.into()) * m.mass();
    let four_moment = BigRational::from_integer(4.into()) * second_moment(m)?;
    Some(if four_moment > eight_m { four_moment } else { eight_m })
}

/// γ′* = 4 / (K′ (1 + V(Θ_0))) of C14 (≥ γ*), exactly.
pub fn gamma_prime_star(case: &Case) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let k = sharp_constant(&case.problem.measure)?;
    let v0 = lyapunov(&case.theta, xi, &());
    let denom = k * (BigRational::one() + v0);
    denom.is_positive().then(|| BigRational::from_integer(4.into()) / denom)
}

/// The rate of C14, γ (8 − γ K′ (1 + V(Θ_0))), when 0 < γ < 2γ′* (where it is
/// positive); `None` outside C14's hypothesis.
pub fn sharp_rate(case: &Case, gamma: &BigRational) -> Option<BigRational> {
    let xi = case.problem.target.constant()?;
    let k = sharp_constant(&case.problem.measure)?;
    let v0 = lyapunov(&case.theta, xi, &());
    let rate = gamma * (BigRational::from_integer(8.into()) - gamma * k * (BigRational::one() + v0));
    (gamma.is_positive() && rate.is_positive()).then_some(rate)
}

/// Options of a GD run.
#[derive(Clone, Debug)]
pub struct GdOptions {
    /// Number of steps (the run ends at n = steps).
    pub steps: u64,
    /// Step size.
    pub gamma: GammaSpec,
    /// State storage.
    pub state: StateMode,
    /// JSON-lines trajectory file.
    pub out: Option<PathBuf>,
    /// CSV trajectory file.
    pub csv: Option<PathBuf>,
    /// Continue the run recorded in this file (implies appending to it).
    pub resume: Option<PathBuf>,
    /// Write the state every this many steps (and at the end).
    pub checkpoint: u64,
    /// Progress callback (done, total).
    pub quiet: bool,
    /// A deliberately false claim to judge the run against (negative
    /// controls only; the CLI never sets it).
    #[doc(hidden)]
    pub false_claim: FalseClaim,
}

/// A claim stronger than the theorem, for negative controls: the run itself
/// (steps, rounding, certification) is the real one; only the inequality the
/// tallies judge is changed, so a control that is refuted shows that the real
/// run's tallies can fail.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FalseClaim {
    /// The theorems as stated.
    #[default]
    None,
    /// C9(a) with 8γL(θ_n) for 4γL(θ_n): false whenever G(θ_n) ≠ 0 (C7).
    EightGammaDescent,
    /// C14(a) with 8γL(θ_n) for the sharp rate γ(8 − γK′(1 + V(Θ_0))).
    EightGammaSharpRate,
}

/// A C9 inequality's tally over the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Steps at which it was checked.
    pub checked: u64,
    /// Steps at which it failed (certified modes: exactly).
    pub failed: u64,
    /// First failing step.
    pub first_failure: Option<u64>,
    /// Smallest slack seen, exactly (as a rational).
    pub min_slack: Option<BigRational>,
    /// Steps at which the slack was not a finite number (a float state that
    /// overflowed or became NaN): neither holds nor fails there.
    pub undecided: u64,
}

impl Tally {
    pub(crate) fn to_json(&self) -> Value {
        serde_json::json!({
            "checked": self.checked, "failed": self.failed, "first_failure": self.first_failure,
            "min_slack": self.min_slack.as_ref().map(rational_string),
            "undecided": self.undecided,
        })
    }
    pub(crate) fn from_json(v: Option<&Value>) -> Tally {
        let Some(v) = v else { return Tally::default() };
        Tally {
            checked: v.get("checked").and_then(Value::as_u64).unwrap_or(0),
            failed: v.get("failed").and_then(Value::as_u64).unwrap_or(0),
            first_failure: v.get("first_failure").and_then(Value::as_u64),
            min_slack: v.get("min_slack").and_then(Value::as_str).and_then(|s| parse_rational(s).ok()),
            undecided: v.get("undecided").and_then(Value::as_u64).unwrap_or(0),
        }
    }
}

/// The outcome of a GD run.
#[derive(Clone, Debug)]
pub struct GdSummary {
    /// Steps taken in total (n of the final state).
    pub steps: u64,
    /// γ used.
    pub gamma: BigRational,
    /// γ* of C9 for this initialisation.
    pub gamma_star: Option<BigRational>,
    /// γ′* = 4/(K′(1 + V(Θ_0))) of C14 for this initialisation.
    pub gamma_prime_star: Option<BigRational>,
    /// C14's rate γ(8 − γK′(1 + V(Θ_0))) when 0 < γ < 2γ′* (C14 applies),
    /// else `None` and the C14 tallies are empty.
    pub sharp_rate: Option<BigRational>,
    /// State mode.
    pub state: StateMode,
    /// Guarantee of the inequality checks.
    pub guarantee: Guarantee,
    /// V(θ_0).
    pub v0: f64,
    /// L(θ_0) and L(θ_N), approximately, for the summary.
    pub risk_first: f64,
    /// L at the final state.
    pub risk_last: f64,
    /// min_k L(θ_k).
    pub risk_min: f64,
    /// (a) V(θ_{n+1}) ≤ V(θ_n) − 4γL(θ_n).
    pub a: Tally,
    /// V(θ_{n+1}) ≤ V(θ_n): plain nonincrease.
    pub nonincrease: Tally,
    /// (b) ‖θ_n‖² ≤ V(θ_0).
    pub b: Tally,
    /// (c) Σ_{k<n} L(θ_k) ≤ V(θ_0)/(4γ).
    pub c: Tally,
    /// (d) min_{k<n} L(θ_k) ≤ V(θ_0)/(4γn).
    pub d: Tally,
    /// C14(a) V(θ_n − γG(θ_n)) ≤ V(θ_n) − r L(θ_n), r the sharp rate.
    pub c14a: Tally,
    /// C14(c) Σ_{k<n} L(θ_k) ≤ V(θ_0)/r.
    pub c14c: Tally,
    /// C14(d) min_{k<n} L(θ_k) ≤ V(θ_0)/(r n).
    pub c14d: Tally,
    /// Largest fraction of (a)'s unrounded margin used by rounding the state.
    pub rounding_used: f64,
    /// Final grid exponent of a dyadic run (the grid is refined when rounding
    /// would use more than half of C9(a)'s margin).
    pub grid_bits: Option<u32>,
    /// First step at which the grid was refined.
    pub grid_refined_at: Option<u64>,
    /// Per-step values (n, L, V, ‖θ‖²) as f64, for plots.
    pub series: Vec<(u64, f64, f64, f64)>,
    /// Where a resumed run started.
    pub resumed_from: Option<u64>,
}

/// The adaptive dyadic grid of certified runs (`gd` and `sgd`).
///
/// Rounds the exact step θ − γφ to the coarsest grid 2^-bits (bits never
/// decrease, and grow by [`GRID_STEP`]) whose rounding raises V by at most half
/// of the exact margin `target − V(θ − γφ)`, so the checked decrease holds on
/// the stored state whenever it holds for the exact step. With no margin at
/// all (a fixed point) the exact state is kept: it does not move. With a
/// negative margin (the exact step already fails, e.g. above the step bound)
/// nothing is certified and the current grid is used, which keeps sizes
/// bounded. The exact step is never normalised: each coordinate is kept as
/// an unreduced fraction ([`StateScalar::Coord`]), V of it is one sum over a
/// common denominator, and each rounding is one integer division. `two_xi` is
/// 2ξ of V(θ) = ‖θ‖² + (c − 2ξ)²; `eval` computes what the caller needs of a
/// stored state and `lyap` reads V from it. `grid` is (bits, first step at
/// which the grid was refined, largest share of a margin used by rounding).
///
/// Returns the stored (rounded) state, what `eval` computes of it, and V of
/// the EXACT step θ − γφ. Certified runs decide their inequalities on that
/// exact value, before rounding: rounding only continues the run, so it can
/// never turn a violated step into one that holds (with a positive margin it
/// spends at most half of it, so the stored state satisfies the inequality
/// too; with a negative margin the exact step is already reported).
#[allow(clippy::too_many_arguments)]
pub(crate) fn round_on_adaptive_grid<S: StateScalar, V>(
    theta: &Theta<S>,
    gamma: &S,
    dir: &Theta<S>,
    two_xi: &S,
    target: &S,
    n: u64,
    grid: (&mut u32, &mut Option<u64>, &mut f64),
    ctx: &S::Ctx,
    eval: impl Fn(&Theta<S>) -> V,
    lyap: impl Fn(&V) -> &S,
) -> (Theta<S>, V, S) {
    let (bits, refined_at, rounding_used) = grid;
    let step = step_coords(theta, gamma, dir);
    let v_unrounded = S::coords_lyapunov(&coords(&step).collect::<Vec<_>>(), two_xi, ctx);
    let room = target.sub(&v_unrounded);
    let exact = || {
        let unrounded = map_coords(&step, S::coord_value);
        let value = eval(&unrounded);
        (unrounded, value, v_unrounded.clone())
    };
    match room.sign() {
        Sign3::Positive => {
            let half = room.div(&S::from_i64(2, ctx));
            for _ in 0..64 {
                let candidate = map_coords(&step, |u| S::coord_to_grid(u, *bits));
                let value = eval(&candidate);
                let used = lyap(&value).sub(&v_unrounded);
                if used.sub(&half).sign() != Sign3::Positive {
                    *rounding_used = rounding_used.max(used.div(&room).to_f64_lossy());
                    return (candidate, value, v_unrounded.clone());
                }
                *bits += GRID_STEP;
                refined_at.get_or_insert(n);
            }
            // 64 refinements without success: keep the exact state.
            exact()
        }
        Sign3::Zero => exact(),
        _ => {
            let candidate = map_coords(&step, |u| S::coord_to_grid(u, *bits));
            let value = eval(&candidate);
            (candidate, value, v_unrounded.clone())
        }
    }
}

/// Bits added to the dyadic grid each time rounding would use more than half
/// of C9(a)'s margin.
pub const GRID_STEP: u32 = 32;

/// The coordinates θ_k − γφ_k of one unrounded step, in θ layout.
pub(crate) fn step_coords<S: StateScalar>(theta: &Theta<S>, gamma: &S, dir: &Theta<S>) -> Theta<S::Coord> {
    let f = |xs: &[S], gs: &[S]| xs.iter().zip(gs).map(|(x, g)| S::step_coord(x, gamma, g)).collect();
    Theta {
        d: theta.d,
        w: f(&theta.w, &dir.w),
        b: f(&theta.b, &dir.b),
        v: f(&theta.v, &dir.v),
        c: S::step_coord(&theta.c, gamma, &dir.c),
    }
}

/// The components of any θ-shaped value in θ order (c last).
pub(crate) fn coords<A>(t: &Theta<A>) -> impl Iterator<Item = &A> {
    t.w.iter().chain(&t.b).chain(&t.v).chain(std::iter::once(&t.c))
}

/// [`Theta::map`] for θ-shaped values of any component type.
pub(crate) fn map_coords<A, B>(t: &Theta<A>, mut f: impl FnMut(&A) -> B) -> Theta<B> {
    Theta {
        d: t.d,
        w: t.w.iter().map(&mut f).collect(),
        b: t.b.iter().map(&mut f).collect(),
        v: t.v.iter().map(&mut f).collect(),
        c: f(&t.c),
    }
}

/// ‖θ‖², as [`Theta::norm2`] gives it (exact states: one reduction).
pub(crate) fn norm2_of<S: StateScalar>(t: &Theta<S>, ctx: &S::Ctx) -> S {
    if S::EXACT {
        S::sum_squares(&coords(t).collect::<Vec<_>>(), ctx)
    } else {
        t.norm2(ctx)
    }
}

/// V(θ) = ‖θ‖² + (c − 2ξ)², as [`lyapunov`] gives it (exact states: one reduction).
pub(crate) fn lyapunov_of<S: StateScalar>(t: &Theta<S>, two_xi: &S, ctx: &S::Ctx) -> S {
    if S::EXACT {
        let shift = t.c.sub(two_xi);
        S::sum_squares(&coords(t).chain(std::iter::once(&shift)).collect::<Vec<_>>(), ctx)
    } else {
        t.norm2(ctx).add(&t.c.sub(two_xi).sqr())
    }
}

/// The arithmetic of a stored state: rounding to the dyadic grid, and the
/// exact fast paths of certified runs. Every method returns the value the
/// plain [`Scalar`] operations would (for exact types, the same rational).
pub trait StateScalar: Ordered {
    /// One coordinate θ_k − γφ_k of an unrounded step: an unreduced fraction
    /// for exact types, the value itself for floats.
    type Coord: Clone;
    /// Whether the arithmetic is exact (rational), so that the order of
    /// operations cannot change a value.
    const EXACT: bool;
    /// The nearest multiple of 2^-bits (ties away from zero); floats return themselves.
    fn to_grid(&self, bits: u32) -> Self;
    /// x − γ g, unreduced.
    fn step_coord(x: &Self, gamma: &Self, g: &Self) -> Self::Coord;
    /// [`StateScalar::to_grid`] of the value of `u`, with one integer division.
    fn coord_to_grid(u: &Self::Coord, bits: u32) -> Self;
    /// The value of `u`.
    fn coord_value(u: &Self::Coord) -> Self;
    /// Σ_k u_k² + (u_last − two_xi)², i.e. V of the state whose coordinates in
    /// θ order (c last) are `us`.
    fn coords_lyapunov(us: &[&Self::Coord], two_xi: &Self, ctx: &Self::Ctx) -> Self;
    /// Σ x², summed left to right (exact types: over a common denominator).
    fn sum_squares(xs: &[&Self], ctx: &Self::Ctx) -> Self {
        let mut acc = Self::from_i64(0, ctx);
        for x in xs {
            acc.add_assign(&x.mul(x));
        }
        acc
    }
    /// The exact `"p/q"` of the value, or its rendering where it has none.
    fn exact_string(&self) -> String {
        self.to_rational().map(|q| q.to_string()).unwrap_or_else(|| self.render())
    }
    /// A long `"p/q"` or `"p"` (as [`StateScalar::exact_string`] writes it)
    /// read faster than [`parse_rational`] would, or `None` to use that.
    fn parse_long(_s: &str) -> Option<Self> {
        None
    }
    /// The smallest multiple of 2^-bits that is ≥ self (exact types only;
    /// floats return themselves).
    fn grid_up(&self, _bits: u32) -> Self {
        self.clone()
    }
    /// Σ xs (exact types: over a product tree, reduced once at the top;
    /// floats: left to right).
    fn sum_exact(xs: Vec<Self>) -> Self {
        let mut it = xs.into_iter();
        let mut acc = it.next().expect("a nonempty sum");
        for x in it {
            acc.add_assign(&x);
        }
        acc
    }
}

/// The float states: a step is computed and stored as it is.
macro_rules! float_state {
    ($t:ty) => {
        impl StateScalar for $t {
            type Coord = $t;
            const EXACT: bool = false;
            fn to_grid(&self, _: u32) -> Self {
                self.clone()
            }
            fn step_coord(x: &Self, gamma: &Self, g: &Self) -> Self {
                x.sub(&gamma.mul(g))
            }
            fn coord_to_grid(u: &Self, _: u32) -> Self {
                u.clone()
            }
            fn coord_value(u: &Self) -> Self {
                u.clone()
            }
            fn coords_lyapunov(us: &[&Self], two_xi: &Self, ctx: &Self::Ctx) -> Self {
                let norm2 = Self::sum_squares(us, ctx);
                let c = us.last().expect("θ has c");
                norm2.add(&c.sub(two_xi).sqr())
            }
        }
    };
}

float_state!(f64);
#[cfg(feature = "gmp")]
float_state!(rug::Float);

/// The integer operations of the exact fast paths.
trait BigInteger: Clone + PartialOrd {
    fn is_zero(&self) -> bool;
    fn is_one(&self) -> bool;
    fn unit() -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn add_assign(&mut self, o: &Self);
    fn square(&self) -> Self;
    fn gcd(&self, o: &Self) -> Self;
    /// self / o where o divides self.
    fn div_exact(&self, o: &Self) -> Self;
    fn divisible(&self, o: &Self) -> bool;
    /// (|self| · 2^bits) divided by `d` > 0, rounded to nearest, ties away from zero, with self's sign.
    fn scaled_round(&self, bits: u32, d: &Self) -> Self;
    /// ⌈self · 2^bits / d⌉ for d > 0.
    fn scaled_ceil(&self, bits: u32, d: &Self) -> Self;
    fn bit_len(&self) -> u64;
}

/// An exact rational type whose parts the fast paths read.
trait ExactRational: Sized {
    type I: BigInteger;
    fn numer_(&self) -> &Self::I;
    fn denom_(&self) -> &Self::I;
    /// n/d for d > 0, reduced.
    fn reduced(n: Self::I, d: Self::I) -> Self;
    /// k/2^bits, reduced.
    fn dyadic(k: Self::I, bits: u32) -> Self;
}

/// n/d with d > 0, not reduced.
#[derive(Clone, Debug)]
pub struct Frac<I> {
    n: I,
    d: I,
}

fn frac_step<Q: ExactRational>(x: &Q, gamma: &Q, g: &Q) -> Frac<Q::I> {
    let (xn, xd) = (x.numer_(), x.denom_());
    if g.numer_().is_zero() {
        return Frac { n: xn.clone(), d: xd.clone() };
    }
    let gd = gamma.denom_().mul(g.denom_());
    let gn = gamma.numer_().mul(g.numer_());
    Frac { n: xn.mul(&gd).sub(&xd.mul(&gn)), d: xd.mul(&gd) }
}

/// Σ n²/d² over (n, d) with d > 0, over the lcm L of the denominators:
/// Σ (n L/d)² / L², reduced once.
fn frac_sum_squares<'a, Q: ExactRational + 'a>(parts: impl Iterator<Item = (&'a Q::I, &'a Q::I)> + Clone) -> Q
where
    Q::I: 'a,
{
    let mut l = Q::I::unit();
    for (n, d) in parts.clone() {
        if !n.is_zero() && !d.is_one() && !l.divisible(d) {
            l = l.div_exact(&l.gcd(d)).mul(d);
        }
    }
    let mut num: Option<Q::I> = None;
    for (n, d) in parts {
        if n.is_zero() {
            continue;
        }
        let scaled = if d == &l { n.square() } else { n.mul(&l.div_exact(d)).square() };
        match &mut num {
            Some(acc) => acc.add_assign(&scaled),
            None => num = Some(scaled),
        }
    }
    match num {
        Some(num) => Q::reduced(num, l.square()),
        None => Q::reduced(Q::I::unit().sub(&Q::I::unit()), Q::I::unit()),
    }
}

fn frac_lyapunov<Q: ExactRational>(us: &[&Frac<Q::I>], two_xi: &Q) -> Q {
    let c = us.last().expect("θ has c");
    let (pn, pd) = (two_xi.numer_(), two_xi.denom_());
    let shift = Frac { n: c.n.mul(pd).sub(&c.d.mul(pn)), d: c.d.mul(pd) };
    frac_sum_squares::<Q>(us.iter().map(|u| (&u.n, &u.d)).chain(std::iter::once((&shift.n, &shift.d))))
}

fn frac_grid<Q: ExactRational>(u: &Frac<Q::I>, bits: u32) -> Q {
    Q::dyadic(u.n.scaled_round(bits, &u.d), bits)
}

/// Below this many bits of denominator [`frac_tree_sum`] reduces each partial
/// sum (common factors cancel early); above it, it adds without reducing and
/// reduces once at the top.
const REDUCED_MERGE_BITS: u64 = 1 << 16;

/// Adjacent pairs merged with `f` (an odd last element is kept).
fn merge_pairs<T>(xs: Vec<T>, f: impl Fn(T, T) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(xs.len().div_ceil(2));
    let mut it = xs.into_iter();
    while let Some(a) = it.next() {
        out.push(match it.next() {
            Some(b) => f(a, b),
            None => a,
        });
    }
    out
}

/// Σ xs exactly over a product tree.
fn frac_tree_sum<Q: ExactRational + Scalar>(xs: Vec<Q>) -> Q {
    let mut level = xs;
    while level.len() > 1 && level.iter().all(|x| x.denom_().bit_len() < REDUCED_MERGE_BITS) {
        level = merge_pairs(level, |a, b| a.add(&b));
    }
    if level.len() <= 1 {
        return level.pop().unwrap_or_else(|| Q::reduced(Q::I::unit().sub(&Q::I::unit()), Q::I::unit()));
    }
    let mut fracs: Vec<Frac<Q::I>> =
        level.into_iter().map(|q| Frac { n: q.numer_().clone(), d: q.denom_().clone() }).collect();
    while fracs.len() > 1 {
        fracs = merge_pairs(fracs, |a, b| {
            if a.d == b.d {
                let mut n = a.n;
                n.add_assign(&b.n);
                Frac { n, d: a.d }
            } else {
                let mut n = a.n.mul(&b.d);
                n.add_assign(&b.n.mul(&a.d));
                Frac { n, d: a.d.mul(&b.d) }
            }
        });
    }
    let f = fracs.pop().expect("one sum");
    Q::reduced(f.n, f.d)
}

/// The exact states: [`StateScalar`] through [`ExactRational`].
macro_rules! exact_state {
    ($t:ty, $int:ty, $parse:expr, $grid:expr) => {
        impl StateScalar for $t {
            type Coord = Frac<$int>;
            const EXACT: bool = true;
            fn to_grid(&self, bits: u32) -> Self {
                $grid(self, bits)
            }
            fn step_coord(x: &Self, gamma: &Self, g: &Self) -> Self::Coord {
                frac_step(x, gamma, g)
            }
            fn coord_to_grid(u: &Self::Coord, bits: u32) -> Self {
                frac_grid(u, bits)
            }
            fn coord_value(u: &Self::Coord) -> Self {
                <$t as ExactRational>::reduced(u.n.clone(), u.d.clone())
            }
            fn coords_lyapunov(us: &[&Self::Coord], two_xi: &Self, _: &()) -> Self {
                frac_lyapunov(us, two_xi)
            }
            fn sum_squares(xs: &[&Self], _: &()) -> Self {
                frac_sum_squares::<Self>(xs.iter().map(|x| (x.numer_(), x.denom_())))
            }
            fn exact_string(&self) -> String {
                // Both exact types write "p/q", or "p" for integers.
                self.to_string()
            }
            fn grid_up(&self, bits: u32) -> Self {
                <$t as ExactRational>::dyadic(self.numer_().scaled_ceil(bits, self.denom_()), bits)
            }
            fn sum_exact(xs: Vec<Self>) -> Self {
                frac_tree_sum(xs)
            }
            fn parse_long(s: &str) -> Option<Self> {
                $parse(s)
            }
        }
    };
}

impl BigInteger for num_bigint::BigInt {
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_one(&self) -> bool {
        One::is_one(self)
    }
    fn unit() -> Self {
        One::one()
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn square(&self) -> Self {
        self * self
    }
    fn gcd(&self, o: &Self) -> Self {
        num_integer::Integer::gcd(self, o)
    }
    fn div_exact(&self, o: &Self) -> Self {
        self / o
    }
    fn divisible(&self, o: &Self) -> bool {
        Zero::is_zero(&(self % o))
    }
    fn scaled_round(&self, bits: u32, d: &Self) -> Self {
        let (q, r) = num_integer::Integer::div_rem(&(self.abs() << bits as usize), d);
        let k = if (r << 1usize) >= *d { q + 1 } else { q };
        if Signed::is_negative(self) {
            -k
        } else {
            k
        }
    }
    fn scaled_ceil(&self, bits: u32, d: &Self) -> Self {
        num_integer::Integer::div_ceil(&(self << bits as usize), d)
    }
    fn bit_len(&self) -> u64 {
        self.bits()
    }
}

impl ExactRational for BigRational {
    type I = num_bigint::BigInt;
    fn numer_(&self) -> &Self::I {
        self.numer()
    }
    fn denom_(&self) -> &Self::I {
        self.denom()
    }
    fn reduced(n: Self::I, d: Self::I) -> Self {
        BigRational::new(n, d)
    }
    fn dyadic(k: Self::I, bits: u32) -> Self {
        let Some(tz) = k.trailing_zeros() else { return BigRational::zero() };
        let tz = tz.min(bits as u64);
        BigRational::new_raw(k >> tz as usize, num_bigint::BigInt::one() << (bits as u64 - tz) as usize)
    }
}

exact_state!(BigRational, num_bigint::BigInt, |_: &str| None, |x: &BigRational, bits: u32| {
    let scale = BigRational::from_integer(num_bigint::BigInt::one() << bits as usize);
    (x * &scale).round() / scale
});

#[cfg(feature = "gmp")]
impl BigInteger for rug::Integer {
    fn is_zero(&self) -> bool {
        self.is_zero()
    }
    fn is_one(&self) -> bool {
        *self == 1
    }
    fn unit() -> Self {
        rug::Integer::from(1)
    }
    fn mul(&self, o: &Self) -> Self {
        rug::Integer::from(self * o)
    }
    fn sub(&self, o: &Self) -> Self {
        rug::Integer::from(self - o)
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn square(&self) -> Self {
        rug::Integer::from(self.square_ref())
    }
    fn gcd(&self, o: &Self) -> Self {
        rug::Integer::from(self.gcd_ref(o))
    }
    fn div_exact(&self, o: &Self) -> Self {
        rug::Integer::from(self.div_exact_ref(o))
    }
    fn divisible(&self, o: &Self) -> bool {
        self.is_divisible(o)
    }
    fn scaled_round(&self, bits: u32, d: &Self) -> Self {
        let a = rug::Integer::from(self.abs_ref()) << bits;
        let (mut q, r) = a.div_rem(d.clone());
        if rug::Integer::from(&r << 1u32) >= *d {
            q += 1;
        }
        if self.is_negative() {
            -q
        } else {
            q
        }
    }
    fn scaled_ceil(&self, bits: u32, d: &Self) -> Self {
        rug::ops::DivRounding::div_ceil(rug::Integer::from(self << bits), d)
    }
    fn bit_len(&self) -> u64 {
        self.significant_bits() as u64
    }
}

#[cfg(feature = "gmp")]
impl ExactRational for rug::Rational {
    type I = rug::Integer;
    fn numer_(&self) -> &Self::I {
        self.numer()
    }
    fn denom_(&self) -> &Self::I {
        self.denom()
    }
    fn reduced(n: Self::I, d: Self::I) -> Self {
        rug::Rational::from((n, d))
    }
    fn dyadic(k: Self::I, bits: u32) -> Self {
        rug::Rational::from((k, rug::Integer::from(1) << bits))
    }
}

#[cfg(feature = "gmp")]
exact_state!(rug::Rational, rug::Integer, parse_long_rational, |x: &rug::Rational, bits: u32| {
    let scaled = rug::Rational::from(x << bits);
    scaled.round() >> bits
});

/// `[-]digits[/digits]` with a nonzero denominator, long enough that GMP's
/// subquadratic conversion pays: read by GMP.
#[cfg(feature = "gmp")]
fn parse_long_rational(s: &str) -> Option<rug::Rational> {
    const LONG: usize = 2000;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    let body = s.strip_prefix('-').unwrap_or(s);
    let (p, q) = body.split_once('/').unwrap_or((body, "1"));
    if s.len() < LONG || !digits(p) || !digits(q) || q.bytes().all(|c| c == b'0') {
        return None;
    }
    s.parse::<rug::Rational>().ok()
}

/// A [`Tally`] kept in the run's own arithmetic (converted only for output).
pub(crate) struct RunTally<S> {
    checked: u64,
    failed: u64,
    first_failure: Option<u64>,
    min_slack: Option<S>,
    undecided: u64,
}

/// Whether a value is not a finite number (only float states have such).
pub(crate) fn non_finite<S: Scalar>(x: &S) -> bool {
    !x.to_f64_lossy().is_finite() && x.to_rational().is_none()
}

impl<S: Ordered> RunTally<S> {
    pub(crate) fn from_tally(t: &Tally, ctx: &S::Ctx) -> Self {
        RunTally {
            checked: t.checked,
            failed: t.failed,
            first_failure: t.first_failure,
            min_slack: t.min_slack.as_ref().map(|q| S::from_rational(q, ctx)),
            undecided: t.undecided,
        }
    }
    pub(crate) fn record(&mut self, n: u64, slack: S) {
        self.checked += 1;
        if non_finite(&slack) {
            self.undecided += 1;
            return;
        }
        if slack.sign() == Sign3::Negative {
            self.failed += 1;
            self.first_failure.get_or_insert(n);
        }
        if self.min_slack.as_ref().is_none_or(|m| slack.total_cmp(m) == std::cmp::Ordering::Less) {
            self.min_slack = Some(slack);
        }
    }
    pub(crate) fn tally(&self) -> Tally {
        Tally {
            checked: self.checked,
            failed: self.failed,
            first_failure: self.first_failure,
            min_slack: self.min_slack.as_ref().and_then(Scalar::to_rational),
            undecided: self.undecided,
        }
    }
}

/// Σ_{k<n} L(θ_k) and the tally of C9(c), Σ_{k<n} L(θ_k) ≤ V(θ_0)/(4γ).
///
/// In exact arithmetic the sum's denominator grows by thousands of bits a
/// step, so adding every term at once (and comparing every slack with the
/// smallest so far) costs time linear in n at each step. Exact states
/// therefore keep the new terms aside and add them only when the exact sum is
/// needed (a checkpoint, the end, or a check the bound below cannot decide),
/// all at once over a product tree. Each step's check is still decided
/// exactly: against a dyadic upper bound of the sum (each term rounded up to
/// 2^-64), and exactly whenever that bound does not settle it. While every
/// term is ≥ 0 the slacks can only fall, so the smallest slack is the last
/// one, computed when it is needed. The tallies and sums it reports are those
/// of adding and comparing at every step, exactly. Float states add and
/// compare at every step.
struct SummedRisk<S: StateScalar> {
    /// V(θ_0)/(4γ).
    bound: S,
    /// Σ of the first `folded_count` terms.
    folded: S,
    folded_count: u64,
    /// The later terms.
    pending: Vec<S>,
    /// Exact states: a dyadic ≥ folded + Σ pending.
    upper: S,
    /// Every term added in this run was ≥ 0.
    nonnegative: bool,
    tally: RunTally<S>,
    /// A slack (step, number of terms in its sum) known to be ≥ 0 and
    /// counted, whose value is not yet in `tally.min_slack`.
    deferred: Option<(u64, u64)>,
    /// `tally.min_slack` is a slack of this run (not read from a checkpoint),
    /// so with nonnegative terms every later slack is at most it.
    min_is_ours: bool,
}

/// Bits of the grid of [`SummedRisk`]'s upper bound.
const UPPER_BITS: u32 = 64;

impl<S: StateScalar> SummedRisk<S> {
    fn new(bound: S, sum: S, count: u64, tally: RunTally<S>) -> Self {
        let upper = if S::EXACT { sum.grid_up(UPPER_BITS) } else { sum.clone() };
        SummedRisk {
            bound,
            folded: sum,
            folded_count: count,
            pending: Vec::new(),
            upper,
            nonnegative: true,
            tally,
            deferred: None,
            min_is_ours: false,
        }
    }
    fn count(&self) -> u64 {
        self.folded_count + self.pending.len() as u64
    }
    /// Adds the next term.
    fn push(&mut self, x: &S) {
        if !S::EXACT {
            self.folded.add_assign(x);
            self.folded_count += 1;
            return;
        }
        if x.sign() == Sign3::Negative {
            self.nonnegative = false;
        }
        self.upper.add_assign(&x.grid_up(UPPER_BITS));
        self.pending.push(x.clone());
    }
    /// The sum of the first `count` terms (at least the terms already added
    /// up), exactly; settles a deferred slack first if it needs fewer terms.
    fn prefix(&mut self, count: u64) -> &S {
        if let Some((_, k)) = self.deferred {
            if k <= count {
                self.settle_deferred();
            }
        }
        self.fold_to(count);
        &self.folded
    }
    fn fold_to(&mut self, count: u64) {
        assert!(count >= self.folded_count && count <= self.count(), "sum prefix out of order");
        let k = (count - self.folded_count) as usize;
        if k > 0 {
            let terms: Vec<S> = self.pending.drain(..k).collect();
            self.folded.add_assign(&S::sum_exact(terms));
            self.folded_count = count;
        }
    }
    fn settle_deferred(&mut self) {
        let Some((_, k)) = self.deferred.take() else { return };
        self.fold_to(k);
        let slack = self.bound.sub(&self.folded);
        self.take_min(slack);
    }
    /// `tally.min_slack` ← min(it, slack), as [`RunTally::record`] would.
    fn take_min(&mut self, slack: S) {
        if self.min_is_ours && self.nonnegative {
            // The sum only grew since the smallest slack: slack ≤ it.
            self.tally.min_slack = Some(slack);
        } else if self.tally.min_slack.as_ref().is_none_or(|m| slack.total_cmp(m) == std::cmp::Ordering::Less) {
            self.tally.min_slack = Some(slack);
            self.min_is_ours = true;
        }
    }
    /// Checks C9(c) at step n on the sum of all terms added so far.
    fn record(&mut self, n: u64) {
        let count = self.count();
        self.tally.checked += 1;
        if S::EXACT && self.nonnegative && self.bound.sub(&self.upper).sign() != Sign3::Negative {
            // slack ≥ bound − upper ≥ 0: no failure; its value when needed.
            // A deferred slack before it is superseded: with nonnegative
            // terms this one is at most that one.
            self.deferred = Some((n, count));
            return;
        }
        self.prefix(count);
        let slack = self.bound.sub(&self.folded);
        if non_finite(&slack) {
            self.tally.undecided += 1;
            return;
        }
        if slack.sign() == Sign3::Negative {
            self.tally.failed += 1;
            self.tally.first_failure.get_or_insert(n);
        }
        self.take_min(slack);
    }
    /// The tally, exactly as if every slack had been compared.
    fn tally(&mut self) -> Tally {
        self.settle_deferred();
        self.tally.tally()
    }
}

/// The exact `"p/q"` of a value, or its rendering where it has none.
pub(crate) fn exact_string<S: StateScalar>(x: &S) -> String {
    x.exact_string()
}

/// A checkpointed exact value.
pub(crate) fn parse_exact<S: StateScalar>(v: Option<&Value>, ctx: &S::Ctx, what: &str) -> Result<S, String> {
    let s = v.and_then(Value::as_str).ok_or_else(|| format!("checkpoint lacks {what}"))?;
    if let Some(x) = S::parse_long(s) {
        return Ok(x);
    }
    Ok(S::from_rational(&parse_rational(s).map_err(|e| format!("checkpoint {what}: {e}"))?, ctx))
}

struct Accum<S: StateScalar> {
    v0: S,
    /// Σ_{k<n} L(θ_k) and the tally of C9(c).
    c: SummedRisk<S>,
    min_risk: Option<S>,
    a: RunTally<S>,
    nonincrease: RunTally<S>,
    b: RunTally<S>,
    d: RunTally<S>,
    /// C14 (when γ < 2γ′*): (a), the sum of (c) with bound V(θ_0)/r, and (d).
    a14: RunTally<S>,
    c14: SummedRisk<S>,
    d14: RunTally<S>,
    rounding_used: f64,
}

fn run_generic<S: StateScalar>(case: &Case, opts: &GdOptions, ctx: &S::Ctx) -> Result<GdSummary, String> {
    let xi_q = case.problem.target.constant().ok_or("gradient descent needs a constant target")?.clone();
    let gstar = gamma_star(case);
    let gpstar = gamma_prime_star(case);
    let gamma_q = match &opts.gamma {
        GammaSpec::Value(g) => g.clone(),
        GammaSpec::Auto(k) => k * gstar.clone().ok_or("gamma* is undefined (zero mass)")?,
        GammaSpec::AutoSharp(k) => k * gpstar.clone().ok_or("gamma'* is undefined (zero mass)")?,
    };
    // C14's rate, from the case's exact θ_0 (as γ* and γ′*).
    let rate_q = sharp_rate(case, &gamma_q);
    let prep: Prepared<S> = case.problem.prepare(ctx);
    let xi = S::from_rational(&xi_q, ctx);
    let two_xi = xi.add(&xi);
    let gamma = S::from_rational(&gamma_q, ctx);
    let four_gamma = S::from_i64(4, ctx).mul(&gamma);
    let rate = rate_q.as_ref().map(|r| S::from_rational(r, ctx));
    // The bound of C14(c) is V(θ_0)/r; without C14 the sum is not compared (1 stands in for r).
    let rate_or_one = rate.clone().unwrap_or_else(|| S::from_i64(1, ctx));
    // The rounding is certified against C14's target where C14 applies (for
    // γ ≤ γ′* it is the stricter one, r ≥ 4γ), else against C9's.
    let certified_rate = rate.clone().unwrap_or_else(|| four_gamma.clone());
    // What (a) of C9 and C14 are judged against: the theorems' rates unless a
    // negative control asks for a false one (the rounding above stays certified
    // against the true rates, so the run is the real one).
    let eight_gamma = S::from_i64(8, ctx).mul(&gamma);
    let claimed_c9 = if opts.false_claim == FalseClaim::EightGammaDescent { &eight_gamma } else { &four_gamma };
    let claimed_c14 =
        if opts.false_claim == FalseClaim::EightGammaSharpRate { Some(&eight_gamma) } else { rate.as_ref() };
    if opts.false_claim != FalseClaim::None && (opts.out.is_some() || opts.csv.is_some() || opts.resume.is_some()) {
        return Err("a negative control's run writes no files".into());
    }
    let base_bits = match opts.state {
        StateMode::Dyadic(bits) => bits,
        _ => 0,
    };
    // What the trajectory is of: a resumed run must be of the same.
    let fingerprint = super::guard::case_fingerprint(case);
    let settings = format!("gd --state {} --gamma {gamma_q}", opts.state);
    // Start: fresh, or from the last checkpoint of a trajectory file.
    let mut resumed_grid: Option<u32> = None;
    let mut resumed_refined: Option<u64> = None;
    let (mut theta, start, mut acc, mut writer, resumed_from) = match &opts.resume {
        None => {
            // θ_0 is the case's exact θ (not rounded), so γ* and V(θ_0) refer to the same state.
            let theta: Theta<S> = case.theta.map(|q| S::from_rational(q, ctx));
            let v0 = lyapunov(&theta, &xi, ctx);
            let c_tally = RunTally::from_tally(&Tally::default(), ctx);
            let c14_tally = RunTally::from_tally(&Tally::default(), ctx);
            let acc = Accum {
                c: SummedRisk::new(v0.div(&four_gamma), S::from_i64(0, ctx), 0, c_tally),
                c14: SummedRisk::new(v0.div(&rate_or_one), S::from_i64(0, ctx), 0, c14_tally),
                a14: RunTally::from_tally(&Tally::default(), ctx),
                d14: RunTally::from_tally(&Tally::default(), ctx),
                v0,
                min_risk: None,
                a: RunTally::from_tally(&Tally::default(), ctx),
                nonincrease: RunTally::from_tally(&Tally::default(), ctx),
                b: RunTally::from_tally(&Tally::default(), ctx),
                d: RunTally::from_tally(&Tally::default(), ctx),
                rounding_used: 0.0,
            };
            let w = TrajectoryWriter::create(opts.out.as_deref(), opts.csv.as_deref())?;
            (theta, 0u64, acc, w, None)
        }
        Some(file) => {
            // Read and checked before the file is cut: a refused resume leaves it as it was.
            let cp = last_checkpoint(file)?;
            let get = |k: &str| cp.get(k);
            if get("state").and_then(Value::as_str) != Some(&opts.state.to_string()) {
                return Err(format!(
                    "{}: recorded with --state {}, resumed with --state {}",
                    file.display(),
                    get("state").and_then(Value::as_str).unwrap_or("?"),
                    opts.state
                ));
            }
            if get("gamma").and_then(Value::as_str) != Some(&gamma_q.to_string()) {
                return Err(format!(
                    "{}: recorded with a different gamma; resume with the same --gamma",
                    file.display()
                ));
            }
            super::guard::check_fingerprint(file, &cp, case, &settings)?;
            let flat: Vec<S> = get("theta")
                .and_then(Value::as_array)
                .ok_or("checkpoint lacks theta")?
                .iter()
                .map(|v| parse_exact::<S>(Some(v), ctx, "theta"))
                .collect::<Result<_, _>>()?;
            let theta = Theta::from_flat(case.theta.d, &flat)
                .filter(|t| t.width() == case.theta.width())
                .ok_or_else(|| format!("{}: the checkpoint's theta does not fit the case's d and H", file.display()))?;
            let n = get("n").and_then(Value::as_u64).ok_or("checkpoint lacks n")?;
            if n > opts.steps {
                return Err(format!(
                    "{}: the run recorded there already reached n = {n}, beyond --steps {}; give --steps {n} or more to continue it (the file is left as it is)",
                    file.display(),
                    opts.steps
                ));
            }
            resumed_grid = get("grid_bits").and_then(Value::as_u64).map(|b| b as u32);
            resumed_refined = get("grid_refined_at").and_then(Value::as_u64);
            let v0: S = parse_exact(get("v0"), ctx, "v0")?;
            let sum_risk: S = parse_exact(get("sum_risk"), ctx, "sum_risk")?;
            let c_tally = RunTally::from_tally(&Tally::from_json(get("tally_c")), ctx);
            let c14_tally = RunTally::from_tally(&Tally::from_json(get("tally_c14c")), ctx);
            let acc = Accum {
                c: SummedRisk::new(v0.div(&four_gamma), sum_risk.clone(), n, c_tally),
                c14: SummedRisk::new(v0.div(&rate_or_one), sum_risk, n, c14_tally),
                a14: RunTally::from_tally(&Tally::from_json(get("tally_c14a")), ctx),
                d14: RunTally::from_tally(&Tally::from_json(get("tally_c14d")), ctx),
                v0,
                min_risk: match get("min_risk") {
                    Some(Value::Null) | None => None,
                    v => Some(parse_exact(v, ctx, "min_risk")?),
                },
                a: RunTally::from_tally(&Tally::from_json(get("tally_a")), ctx),
                nonincrease: RunTally::from_tally(&Tally::from_json(get("tally_nonincrease")), ctx),
                b: RunTally::from_tally(&Tally::from_json(get("tally_b")), ctx),
                d: RunTally::from_tally(&Tally::from_json(get("tally_d")), ctx),
                rounding_used: get("rounding_used").and_then(Value::as_f64).unwrap_or(0.0),
            };
            truncate_before_last_checkpoint(file, opts.csv.as_deref())?;
            let w = TrajectoryWriter::append(file, opts.csv.as_deref())?;
            (theta, n, acc, w, Some(n))
        }
    };
    let bound_c = acc.c.bound.clone();
    let mut grid_bits = resumed_grid.unwrap_or(base_bits);
    let mut refined_at: Option<u64> = resumed_refined;
    // Per-step values for the plot, decimated to O(1) memory however long the run.
    let mut series = super::guard::Decimated::new(super::guard::SERIES_CAP);
    let mut first_risk: Option<f64> = None;
    let mut risk_min = f64::INFINITY;
    if let Some(file) = &opts.resume {
        // Earlier steps, for the plot.
        for r in read_records(file)? {
            if let Some(rec) = Record::from_json(&r) {
                let f = |s: &str| parse_rational(s).map(|q| q.to_f64_lossy()).unwrap_or(f64::NAN);
                let risk = f(&rec.risk);
                first_risk.get_or_insert(risk);
                risk_min = risk_min.min(risk);
                series.push((rec.n, risk, f(&rec.lyapunov), f(&rec.theta_norm2)));
            }
        }
    }
    let exact_records = matches!(opts.state, StateMode::Exact | StateMode::Dyadic(_));
    let show = |x: &S| if exact_records { exact_string(x) } else { x.render() };
    let bar = crate::progress::Bar::new("gd", opts.quiet);
    let mut ev = evaluate(&prep, &theta);
    let mut v = lyapunov_of(&theta, &two_xi, ctx);
    let mut n = start;
    loop {
        let norm2 = norm2_of(&theta, ctx);
        // A checkpoint holds the state θ_n and the tallies of the checks before
        // step n: a resumed run restarts at n and redoes step n's checks.
        // --checkpoint 0: the last record only.
        let checkpoint = (opts.checkpoint > 0 && n % opts.checkpoint == 0) || n == opts.steps;
        let mut extra = Map::new();
        if checkpoint && writer.is_active() {
            extra.insert("theta".into(), Value::from(theta.flatten().iter().map(exact_string).collect::<Vec<_>>()));
            extra.insert("state".into(), Value::from(opts.state.to_string()));
            extra.insert("gamma".into(), Value::from(gamma_q.to_string()));
            extra.insert("case_fingerprint".into(), Value::from(fingerprint.clone()));
            extra.insert("settings".into(), Value::from(settings.clone()));
            extra.insert("v0".into(), Value::from(exact_string(&acc.v0)));
            extra.insert("sum_risk".into(), Value::from(exact_string(acc.c.prefix(n))));
            let min = acc.min_risk.as_ref().map_or(Value::Null, |m| Value::from(exact_string(m)));
            extra.insert("min_risk".into(), min);
            extra.insert("tally_a".into(), acc.a.tally().to_json());
            extra.insert("tally_nonincrease".into(), acc.nonincrease.tally().to_json());
            extra.insert("tally_b".into(), acc.b.tally().to_json());
            extra.insert("tally_c".into(), acc.c.tally().to_json());
            extra.insert("tally_d".into(), acc.d.tally().to_json());
            if rate.is_some() {
                extra.insert("tally_c14a".into(), acc.a14.tally().to_json());
                extra.insert("tally_c14c".into(), acc.c14.tally().to_json());
                extra.insert("tally_c14d".into(), acc.d14.tally().to_json());
            }
            extra.insert("rounding_used".into(), Value::from(acc.rounding_used));
            if base_bits > 0 {
                extra.insert("grid_bits".into(), Value::from(grid_bits));
                extra.insert("grid_refined_at".into(), refined_at.map_or(Value::Null, Value::from));
            }
        }
        // (b) and, for n ≥ 1, (c), (d) on the sums over k < n.
        acc.b.record(n, acc.v0.sub(&norm2));
        if n >= 1 {
            acc.c.record(n);
            if let Some(m) = &acc.min_risk {
                let bound_d = bound_c.div(&S::from_i64(n as i64, ctx));
                acc.d.record(n, bound_d.sub(m));
            }
            if rate.is_some() {
                acc.c14.record(n);
                if let Some(m) = &acc.min_risk {
                    let bound_d = acc.c14.bound.div(&S::from_i64(n as i64, ctx));
                    acc.d14.record(n, bound_d.sub(m));
                }
            }
        }
        let mut margin = "-".to_string();
        let next = if n < opts.steps {
            let target_c9 = v.sub(&claimed_c9.mul(&ev.risk));
            let target = v.sub(&certified_rate.mul(&ev.risk));
            let (stepped, v_next, v_exact) = match opts.state {
                StateMode::Dyadic(_) => round_on_adaptive_grid(
                    &theta,
                    &gamma,
                    &ev.gradient,
                    &two_xi,
                    &target,
                    n,
                    (&mut grid_bits, &mut refined_at, &mut acc.rounding_used),
                    ctx,
                    |t| lyapunov_of(t, &two_xi, ctx),
                    |v| v,
                ),
                _ => {
                    let unrounded = theta.step(&gamma, &ev.gradient);
                    let v_next = lyapunov_of(&unrounded, &two_xi, ctx);
                    (unrounded, v_next.clone(), v_next)
                }
            };
            // Decided on the exact step θ_n − γG(θ_n), before rounding.
            let slack = target_c9.sub(&v_exact);
            if writer.is_active() {
                margin = show(&slack);
            }
            acc.a.record(n, slack);
            acc.nonincrease.record(n, v.sub(&v_exact));
            if let Some(r) = claimed_c14 {
                acc.a14.record(n, v.sub(&r.mul(&ev.risk)).sub(&v_exact));
            }
            Some((stepped, v_next))
        } else {
            None
        };
        if writer.is_active() {
            let rec = Record {
                n,
                risk: show(&ev.risk),
                lyapunov: show(&v),
                theta_norm2: show(&norm2),
                grad_norm2: show(&norm2_of(&ev.gradient, ctx)),
                margin,
                extra,
            };
            writer.write(&rec)?;
        }
        let risk_f = ev.risk.to_f64_lossy();
        first_risk.get_or_insert(risk_f);
        risk_min = risk_min.min(risk_f);
        series.push((n, risk_f, v.to_f64_lossy(), norm2.to_f64_lossy()));
        acc.c.push(&ev.risk);
        if rate.is_some() {
            acc.c14.push(&ev.risk);
        }
        acc.min_risk = Some(match acc.min_risk.take() {
            Some(m) if m.total_cmp(&ev.risk) != std::cmp::Ordering::Greater => m,
            _ => ev.risk.clone(),
        });
        if n % 64 == 0 || n == opts.steps {
            let done = n as f64 / opts.steps.max(1) as f64;
            bar.draw(done, &format!("step {n}/{}  L = {:.4e}", opts.steps, ev.risk.to_f64_lossy()));
        }
        match next {
            None => break,
            Some((stepped, v_next)) => {
                theta = stepped;
                v = v_next;
                ev = evaluate(&prep, &theta);
                n += 1;
            }
        }
    }
    bar.clear();
    Ok(GdSummary {
        steps: n,
        gamma: gamma_q,
        gamma_star: gstar,
        gamma_prime_star: gpstar,
        sharp_rate: rate_q,
        state: opts.state,
        guarantee: opts.state.guarantee(),
        v0: acc.v0.to_f64_lossy(),
        risk_first: first_risk.unwrap_or(f64::NAN),
        risk_last: ev.risk.to_f64_lossy(),
        risk_min,
        a: acc.a.tally(),
        nonincrease: acc.nonincrease.tally(),
        b: acc.b.tally(),
        c: acc.c.tally(),
        d: acc.d.tally(),
        c14a: acc.a14.tally(),
        c14c: acc.c14.tally(),
        c14d: acc.d14.tally(),
        rounding_used: acc.rounding_used,
        grid_bits: (base_bits > 0).then_some(grid_bits),
        grid_refined_at: refined_at,
        series: series.into_vec(),
        resumed_from,
    })
}

/// Runs gradient descent on a case. Exact and dyadic states use GMP
/// rationals when built with `gmp`, else `BigRational`.
pub fn run_gd(case: &Case, opts: &GdOptions) -> Result<GdSummary, String> {
    dispatch_state!(run_generic, case, opts, "gd")
}

/// `q.to_string()`; with `gmp`, long values are written by GMP (num-bigint's
/// conversion slows down sharply on values of millions of bits).
pub(crate) fn rational_string(q: &BigRational) -> String {
    #[cfg(feature = "gmp")]
    if q.numer().bits() + q.denom().bits() > 4096 {
        return crate::num::gmp::rational_from_big(q).to_string();
    }
    q.to_string()
}

/// Exact if short, else a decimal approximation.
pub(crate) fn approx(q: &BigRational) -> String {
    // Over 256 bits in all the exact form has over 24 digits: skip writing it.
    if q.numer().bits() + q.denom().bits() > 256 {
        return format!("{:.6e}", q.to_f64_lossy());
    }
    let s = q.to_string();
    if s.len() <= 24 {
        s
    } else {
        format!("{:.6e}", q.to_f64_lossy())
    }
}

/// One line of a run summary for a checked inequality.
pub(crate) fn tally_line(name: &str, t: &Tally, certified: bool) -> String {
    let how = if certified { "exactly" } else { "in floating point (approximate)" };
    let min = t.min_slack.as_ref().map(approx).unwrap_or_else(|| "-".into());
    if t.undecided > 0 {
        let failed = if t.failed > 0 {
            format!("; FAILS at {} (first at n = {})", t.failed, t.first_failure.unwrap_or(0))
        } else {
            String::new()
        };
        return format!(
            "  {name}: INCONCLUSIVE: not finite at {} of {} steps (the floating-point state overflowed or became NaN){failed}; checked {how}; min slack {min}\n",
            t.undecided, t.checked
        );
    }
    if t.failed == 0 {
        format!("  {name}: holds at all {} steps, checked {how}; min slack {min}\n", t.checked)
    } else {
        format!(
            "  {name}: FAILS at {} of {} steps (first at n = {}), checked {how}; min slack {min}\n",
            t.failed,
            t.checked,
            t.first_failure.unwrap_or(0)
        )
    }
}

impl GdSummary {
    /// Whether every checked inequality held (C9 (a)–(d)).
    pub fn all_hold(&self) -> bool {
        [&self.a, &self.b, &self.c, &self.d].iter().all(|t| t.failed == 0)
    }
    /// Whether C9's hypothesis 0 < γ ≤ γ* holds for this run.
    pub fn within_c9(&self) -> bool {
        self.gamma_star.as_ref().is_some_and(|g| &self.gamma <= g)
    }
    /// Whether C14's hypothesis 0 < γ < 2γ′* holds for this run.
    pub fn within_c14(&self) -> bool {
        self.sharp_rate.is_some()
    }
    /// Whether every inequality a theorem claims for this γ held: C9 (a)–(d)
    /// if γ ≤ γ*, C14 (a)–(d) if γ < 2γ′* (true when neither applies).
    pub fn claimed_inequalities_hold(&self) -> bool {
        let c9 = !self.within_c9() || self.all_hold();
        let c14 = [&self.c14a, &self.b, &self.c14c, &self.c14d].iter().all(|t| t.failed == 0);
        c9 && c14
    }
    /// Whether some check met a value that is not finite (a float state
    /// that overflowed): the run decides nothing there.
    pub fn inconclusive(&self) -> bool {
        [&self.nonincrease, &self.a, &self.b, &self.c, &self.d, &self.c14a, &self.c14c, &self.c14d]
            .iter()
            .any(|t| t.undecided > 0)
    }
    /// The human-readable report.
    pub fn to_text(&self, file: &str) -> String {
        let certified = self.guarantee == Guarantee::Exact;
        let mut s = format!("reluproof gd {file}\n");
        let gs = self.gamma_star.as_ref().map(approx).unwrap_or_else(|| "undefined".into());
        let ratio = self.gamma_star.as_ref().map(|g| (&self.gamma / g).to_f64_lossy()).unwrap_or(f64::NAN);
        s += &format!("  steps {}, gamma = {} = {ratio:.4} gamma*, gamma* = {gs}\n", self.steps, approx(&self.gamma));
        if let Some(gp) = &self.gamma_prime_star {
            s += &format!(
                "  gamma = {:.4} gamma'*, gamma'* = 4/(K'(1 + V(theta_0))) = {} (C14: descent for gamma < 2 gamma'*)\n",
                (&self.gamma / gp).to_f64_lossy(),
                approx(gp)
            );
        }
        s += &match self.state {
            StateMode::Dyadic(b) => format!("  state dyadic:{b}: each step exact from the stored state, the state rounded to multiples of 2^-{b}; guarantee: exact (inequalities decided in rational arithmetic, on the exact step from each stored iterate)\n"),
            StateMode::Exact => "  state exact: no rounding; rational sizes grow geometrically with the steps; guarantee: exact\n".into(),
            StateMode::Mpfr(b) => format!("  state mpfr:{b}: guarantee approximate ({b}-bit floating point, no error bound)\n"),
            StateMode::F64 => "  state f64: guarantee approximate (53-bit floating point, no error bound)\n".into(),
        };
        if let Some(n) = self.resumed_from {
            s += &format!("  resumed from the checkpoint at n = {n}\n");
        }
        let orders = (self.risk_first / self.risk_last).log10();
        s += &format!(
            "  L(theta_0) = {:.6e}, L(theta_{}) = {:.6e} ({:.1} orders of magnitude), V(theta_0) = {:.6e}\n",
            self.risk_first, self.steps, self.risk_last, orders, self.v0
        );
        if certified {
            s += "  each step's inequalities are decided on the exact step theta_n - gamma G(theta_n), before the state is rounded\n";
        }
        if !self.within_c9() {
            s += "  gamma > gamma*: outside C9's hypothesis, so its lines below are measurements, not claims\n";
        }
        s += &tally_line("V nonincreasing, V(n+1) <= V(n)", &self.nonincrease, certified);
        s += &tally_line("C9(a) V(n+1) <= V(n) - 4 gamma L(n)", &self.a, certified);
        s += &tally_line("C9(b) |theta_n|^2 <= V(theta_0)", &self.b, certified);
        s += &tally_line("C9(c) sum_{k<n} L_k <= V(theta_0)/(4 gamma)", &self.c, certified);
        s += &tally_line("C9(d) min_{k<n} L_k <= V(theta_0)/(4 gamma n)", &self.d, certified);
        s += &format!(
            "  C9(e) L -> 0: observed, not proven by a finite run (L fell from {:.3e} to {:.3e})\n",
            self.risk_first, self.risk_last
        );
        match &self.sharp_rate {
            Some(r) => {
                let r = approx(r);
                s += &tally_line(
                    &format!("C14(a) V(n+1) <= V(n) - r L(n), r = gamma (8 - gamma K' (1 + V_0)) = {r}"),
                    &self.c14a,
                    certified,
                );
                s += &tally_line("C14(c) sum_{k<n} L_k <= V(theta_0)/r", &self.c14c, certified);
                s += &tally_line("C14(d) min_{k<n} L_k <= V(theta_0)/(r n)", &self.c14d, certified);
            }
            None => s += "  C14: gamma >= 2 gamma'*, outside its hypothesis (not checked)\n",
        }
        if let StateMode::Dyadic(b) = self.state {
            s += &format!(
                "  rounding the state used at most {:.3e} of the margin of C14(a) (or C9(a) where C14 does not apply) at any step (never more than 1/2 by construction)\n",
                self.rounding_used
            );
            match (self.grid_bits, self.grid_refined_at) {
                (Some(g), Some(at)) if g > b => s += &format!(
                    "  the grid was refined from 2^-{b} to 2^-{g} (first at step {at}) so that rounding never used more than half of that margin\n"
                ),
                _ => s += &format!("  the grid stayed at 2^-{b}\n"),
            }
        }
        s
    }
    /// The JSON summary.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "steps": self.steps,
            "gamma": self.gamma.to_string(),
            "gamma_star": self.gamma_star.as_ref().map(|g| g.to_string()),
            "gamma_prime_star": self.gamma_prime_star.as_ref().map(|g| g.to_string()),
            "c14": self.sharp_rate.as_ref().map(|r| serde_json::json!({
                "rate": r.to_string(),
                "a": self.c14a.to_json(),
                "c": self.c14c.to_json(),
                "d": self.c14d.to_json(),
            })),
            "state": self.state.to_string(),
            "guarantee": self.guarantee.word(),
            "risk_first": self.risk_first,
            "risk_last": self.risk_last,
            "nonincrease": self.nonincrease.to_json(),
            "c9a": self.a.to_json(),
            "c9b": self.b.to_json(),
            "c9c": self.c.to_json(),
            "c9d": self.d.to_json(),
            "rounding_used": self.rounding_used,
            "grid_bits": self.grid_bits,
            "grid_refined_at": self.grid_refined_at,
            "resumed_from": self.resumed_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Rng;
    use num_bigint::BigInt;

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
                    undecided: 0,
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
        let opts = GdOptions {
            steps: 1,
            gamma: GammaSpec::Value(gamma.clone()),
            state: StateMode::Dyadic(bits),
            out: None,
            csv: None,
            resume: None,
            checkpoint: u64::MAX,
            quiet: true,
            false_claim: Default::default(),
        };
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
        let opts = GdOptions {
            steps: 50,
            gamma: GammaSpec::AutoSharp(BigRational::new(19.into(), 10.into())),
            state: StateMode::Dyadic(64),
            out: None,
            csv: None,
            resume: None,
            checkpoint: u64::MAX,
            quiet: true,
            false_claim: Default::default(),
        };
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
            let opts = GdOptions {
                steps: 20,
                gamma,
                state: StateMode::Dyadic(64),
                out: None,
                csv: None,
                resume: None,
                checkpoint: u64::MAX,
                quiet: true,
                false_claim,
            };
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
            steps: 1,
            gamma: auto(),
            state: StateMode::Dyadic(64),
            out: Some(std::env::temp_dir().join("reluproof-never-written.jsonl")),
            csv: None,
            resume: None,
            checkpoint: u64::MAX,
            quiet: true,
            false_claim: FalseClaim::EightGammaDescent,
        };
        assert!(run_gd(&case, &opts).is_err());
    }

    #[test]
    fn approx_skips_writing_long_values() {
        let long = BigRational::new(BigInt::one() << 300usize, BigInt::from(3));
        assert_eq!(approx(&long), format!("{:.6e}", long.to_f64_lossy()));
        assert_eq!(approx(&BigRational::new(1.into(), 3.into())), "1/3");
        assert_eq!(rational_string(&long), long.to_string());
        let huge = BigRational::new((BigInt::one() << 9000usize) + 1, BigInt::from(7));
        assert_eq!(rational_string(&huge), huge.to_string());
    }
}
