//! What gd and sgd share about the outcome of a run: the divergence stop of
//! exact runs, what a finite run can say about L → 0, and (with gf) how
//! strongly a run knows its lines.
//!
//! One engine for both commands, so that a diverging sgd run stops (and is
//! reported) exactly as a diverging gd run does.

use crate::claims::strength::Strength;
use crate::num::decimal::{scientific, Rounding};
use crate::num::{BigRational, Scalar};
use num_traits::Zero;
use std::cmp::Ordering;

/// How far (in bits) ‖θ_n‖² may exceed max(V(θ_0), 1) before a run with an
/// exact state stops as diverged.
pub const DIVERGED_BITS: i64 = 4096;

/// ⌊log2 |q|⌋ within one, from the bit lengths (q ≠ 0; 0 gives a large negative).
pub(crate) fn log2_floor(q: &BigRational) -> i64 {
    if q.is_zero() {
        return i64::MIN / 2;
    }
    q.numer().bits() as i64 - q.denom().bits() as i64
}

/// The divergence stop of an exact run.
///
/// A diverging run (a step size far above the theorems' bound; inside their
/// hypotheses ‖θ_n‖² ≤ V(θ_0)) makes exact numbers grow geometrically in
/// length, so that a few more steps would take hours: the run stops once
/// ‖θ_n‖² exceeds max(V(θ_0), 1) by 2^[`DIVERGED_BITS`]. Float states
/// overflow instead, which their tallies report as not finite.
pub(crate) struct DivergenceStop {
    /// log2 of the largest ‖θ_n‖² allowed; `None` for float states.
    limit: Option<i64>,
}

impl DivergenceStop {
    /// The stop for a run from V(θ_0) = `v0`; `exact` says whether the state is exact.
    pub(crate) fn new<S: Scalar>(v0: &S, exact: bool) -> Self {
        let limit = if exact { v0.to_rational().map(|v0| log2_floor(&v0).max(0) + DIVERGED_BITS) } else { None };
        DivergenceStop { limit }
    }
    /// Whether a run at ‖θ_n‖² = `norm2` has diverged.
    pub(crate) fn exceeded<S: Scalar>(&self, norm2: &S) -> bool {
        match (self.limit, norm2.to_rational()) {
            (Some(limit), Some(q)) => log2_floor(&q) > limit,
            _ => false,
        }
    }
}

/// How strongly a run knows its lines, on the ladder of `check`: inside the
/// hypotheses of the claim it checks, a run decided exactly is `tested` (one
/// trajectory), an approximate one `observed`; outside them (or where the
/// run decided nothing) `None`. The statements themselves are proved in
/// proofs/, not by a run.
pub fn run_strength(claimed: bool, exact: bool) -> Option<Strength> {
    match (claimed, exact) {
        (false, _) => None,
        (true, true) => Some(Strength::Tested),
        (true, false) => Some(Strength::Observed),
    }
}

/// The report line of a run stopped as diverged at step n.
pub fn stopped_line(n: u64) -> String {
    format!(
        "  STOPPED at n = {n}, before the steps asked: the run diverged (|theta_n|^2 > 2^{DIVERGED_BITS} max(V(theta_0), 1)), and exact numbers grow geometrically in length beyond this\n"
    )
}

/// A value of L: exact where the state is, else the float.
#[derive(Clone, Debug, PartialEq)]
pub enum Level {
    /// An exact value (exact and dyadic states).
    Exact(BigRational),
    /// A float value (float states; may be infinite or NaN).
    Float(f64),
}

impl Level {
    /// Seven significant digits, rounded from the exact value where there is
    /// one (never `inf` for an exact value, however large).
    pub fn text(&self) -> String {
        match self {
            Level::Exact(q) => scientific(q, 7, Rounding::Nearest),
            Level::Float(x) => format!("{x:.6e}"),
        }
    }
    fn finite(&self) -> bool {
        match self {
            Level::Exact(_) => true,
            Level::Float(x) => x.is_finite(),
        }
    }
    /// The order of two finite values.
    fn cmp(&self, o: &Level) -> Option<Ordering> {
        match (self, o) {
            (Level::Exact(a), Level::Exact(b)) => Some(a.cmp(b)),
            (a, b) => a.to_f64().partial_cmp(&b.to_f64()),
        }
    }
    fn to_f64(&self) -> f64 {
        match self {
            Level::Exact(q) => q.to_f64_lossy(),
            Level::Float(x) => *x,
        }
    }
}

/// What a finite run shows about L → 0 (C9(e), C11): it can observe L
/// falling, never prove the limit. The JSON key `l_to_zero` holds
/// [`Trend::json`]: `"observed, not proven"`, `"not observed: L rose"`,
/// `"not observed: L unchanged"`, `"not observed: no steps"`,
/// `"not observed: L not finite"` or `"not evaluated"`.
#[derive(Clone, Debug, PartialEq)]
pub enum Trend {
    /// L was never evaluated (sgd with --eval-every 0).
    NotEvaluated,
    /// No step between the first and the last value of L.
    NoSteps(Level),
    /// The last value is not a finite number (a float state overflowed).
    NotFinite(Level, Level),
    /// L rose from the first to the last value.
    Rose(Level, Level),
    /// L is the same at both ends.
    Unchanged(Level),
    /// L fell from the first to the last value, both finite.
    Fell(Level, Level),
}

impl Trend {
    /// The trend from the first to the last value of L, with `steps`
    /// steps between them.
    pub fn new(ends: Option<(Level, Level)>, steps: u64) -> Trend {
        let Some((first, last)) = ends else { return Trend::NotEvaluated };
        if steps == 0 {
            return Trend::NoSteps(first);
        }
        if !first.finite() || !last.finite() {
            return Trend::NotFinite(first, last);
        }
        match last.cmp(&first) {
            Some(Ordering::Less) => Trend::Fell(first, last),
            Some(Ordering::Equal) => Trend::Unchanged(first),
            Some(Ordering::Greater) => Trend::Rose(first, last),
            None => Trend::NotFinite(first, last),
        }
    }
    /// Whether the run shows L falling.
    pub fn observed(&self) -> bool {
        matches!(self, Trend::Fell(..))
    }
    /// The value of the JSON key `l_to_zero`.
    pub fn json(&self) -> &'static str {
        match self {
            Trend::NotEvaluated => "not evaluated",
            Trend::NoSteps(_) => "not observed: no steps",
            Trend::NotFinite(..) => "not observed: L not finite",
            Trend::Rose(..) => "not observed: L rose",
            Trend::Unchanged(_) => "not observed: L unchanged",
            Trend::Fell(..) => "observed, not proven",
        }
    }
    /// What the run shows, in words; `not_proven` says why a fall proves
    /// nothing (e.g. "not proven by a finite run").
    pub fn text(&self, not_proven: &str) -> String {
        match self {
            Trend::NotEvaluated => "not evaluated (--eval-every 0)".into(),
            Trend::NoSteps(l) => format!("not observed: no steps (L = {})", l.text()),
            Trend::NotFinite(a, b) => {
                format!("not observed: L is not a finite number at the end (L went from {} to {})", a.text(), b.text())
            }
            Trend::Rose(a, b) => format!("not observed: L rose from {} to {}", a.text(), b.text()),
            Trend::Unchanged(l) => format!("not observed: L stayed at {}", l.text()),
            Trend::Fell(a, b) => format!("observed, {not_proven} (L fell from {} to {})", a.text(), b.text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;

    fn q(n: i64) -> Level {
        Level::Exact(BigRational::from_integer(BigInt::from(n)))
    }

    #[test]
    fn only_a_fall_is_observed() {
        assert!(Trend::new(Some((q(3), q(1))), 5).observed());
        assert_eq!(Trend::new(Some((q(1), q(3))), 5).json(), "not observed: L rose");
        assert_eq!(Trend::new(Some((q(1), q(1))), 5).json(), "not observed: L unchanged");
        assert_eq!(Trend::new(Some((q(3), q(1))), 0).json(), "not observed: no steps");
        assert_eq!(Trend::new(None, 5).json(), "not evaluated");
        let inf = Trend::new(Some((Level::Float(3.0), Level::Float(f64::INFINITY))), 5);
        assert_eq!(inf.json(), "not observed: L not finite");
        let nan = Trend::new(Some((Level::Float(3.0), Level::Float(f64::NAN))), 5);
        assert!(!nan.observed());
        assert!(Trend::new(Some((Level::Float(3.0), Level::Float(1.0))), 5).observed());
        let rose = Trend::new(Some((q(1), Level::Exact(BigRational::from_integer(BigInt::from(10).pow(400))))), 5);
        assert_eq!(rose.text("x"), "not observed: L rose from 1.000000e0 to 1.000000e400");
    }

    #[test]
    fn the_stop_is_for_exact_states_only() {
        let v0 = BigRational::from_integer(BigInt::from(7));
        let stop = DivergenceStop::new(&v0, true);
        let big = BigRational::from_integer(BigInt::from(1) << (DIVERGED_BITS as usize + 8));
        assert!(stop.exceeded(&big));
        assert!(!stop.exceeded(&v0));
        assert!(!DivergenceStop::new(&7.0f64, false).exceeded(&1e300f64));
    }
}
