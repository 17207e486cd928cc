//! Tallies of the checked inequalities over a run: exact where the run is
//! certified, with the running sum of (c) kept cheap.

use crate::num::parse::parse_rational;
use crate::num::{BigRational, Ordered, Scalar, Sign3};
use serde_json::Value;

use super::{approx, rational_string, StateMode, StateScalar};
use crate::num::decimal::{scientific, Rounding};

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
    /// Float states: steps with a violation no larger than the rounding-error
    /// estimate (see [`rounding_rule`]): undecided, neither holds nor fails.
    pub within_rounding: u64,
    /// First such step.
    pub first_within: Option<u64>,
    /// Float states: the rounding-error estimate at the step of the smallest slack.
    pub estimate_at_min: Option<f64>,
}

/// The factor of a float state's rounding-error estimate: a check's
/// estimate is `8 (P + 1) ulp` times the sum of the magnitudes of the terms
/// it compares (times n + 1 for the checks on sums and bounds over the run,
/// whose rounding accumulates), with ulp = 2^-52 for f64 and 2^(1 - BITS)
/// for mpfr:BITS, and P the number of parameters. V and the step are sums of
/// P + 1 rounded products, so each is off by a few (P + 1) ulps of those
/// magnitudes; 8 is a safety factor. A heuristic a-priori estimate, not a
/// bound. `None` for exact states, whose checks are decided exactly.
pub fn rounding_rule(state: StateMode, params: usize) -> Option<f64> {
    let ulp = match state {
        StateMode::Exact | StateMode::Dyadic(_) => return None,
        StateMode::F64 => f64::EPSILON,
        StateMode::Mpfr(bits) => 2f64.powi(1 - bits.min(2000) as i32),
    };
    Some(8.0 * (params as f64 + 1.0) * ulp)
}

/// The report line stating [`rounding_rule`] for a float state.
pub fn rounding_rule_line(state: StateMode, factor: f64) -> String {
    // Only float states have a rule (`rounding_rule`): f64 or mpfr:BITS.
    let ulp = match state {
        StateMode::Mpfr(bits) => format!("2^(1-{bits})"),
        _ => "2^-52".to_string(),
    };
    format!(
        "  a violation no larger than the rounding-error estimate is undecided (within {state} rounding), never a failure: estimate = 8 (P+1) {ulp} = {factor:.3e} times the sum of the magnitudes of the terms compared (times n+1 for the checks on sums and bounds over the run), P the number of parameters; a heuristic estimate, not a bound\n"
    )
}

impl Tally {
    pub(crate) fn to_json(&self) -> Value {
        let mut v = serde_json::json!({
            "checked": self.checked, "failed": self.failed, "first_failure": self.first_failure,
            "min_slack": self.min_slack.as_ref().map(rational_string),
            "undecided": self.undecided,
        });
        // Only float states have a rounding estimate (exact tallies keep their keys).
        if let (Some(e), Some(o)) = (self.estimate_at_min, v.as_object_mut()) {
            o.insert("within_rounding".into(), Value::from(self.within_rounding));
            o.insert("first_within".into(), Value::from(self.first_within));
            o.insert("estimate_at_min".into(), Value::from(e));
        }
        v
    }
    pub(crate) fn from_json(v: Option<&Value>) -> Tally {
        let Some(v) = v else { return Tally::default() };
        Tally {
            checked: v.get("checked").and_then(Value::as_u64).unwrap_or(0),
            failed: v.get("failed").and_then(Value::as_u64).unwrap_or(0),
            first_failure: v.get("first_failure").and_then(Value::as_u64),
            min_slack: v.get("min_slack").and_then(Value::as_str).and_then(|s| parse_rational(s).ok()),
            undecided: v.get("undecided").and_then(Value::as_u64).unwrap_or(0),
            within_rounding: v.get("within_rounding").and_then(Value::as_u64).unwrap_or(0),
            first_within: v.get("first_within").and_then(Value::as_u64),
            estimate_at_min: v.get("estimate_at_min").and_then(Value::as_f64),
        }
    }
}

/// A [`Tally`] kept in the run's own arithmetic (converted only for output).
pub(crate) struct RunTally<S> {
    checked: u64,
    failed: u64,
    first_failure: Option<u64>,
    min_slack: Option<S>,
    undecided: u64,
    /// Float states: the factor of the rounding-error estimate ([`rounding_rule`]).
    rounding: Option<f64>,
    within_rounding: u64,
    first_within: Option<u64>,
    estimate_at_min: Option<f64>,
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
            rounding: None,
            within_rounding: t.within_rounding,
            first_within: t.first_within,
            estimate_at_min: t.estimate_at_min,
        }
    }
    /// The same tally, judging violations against the rounding-error
    /// estimate of a float state (`None`: decided exactly).
    pub(crate) fn rounding(mut self, factor: Option<f64>) -> Self {
        self.rounding = factor;
        self
    }
    /// Records a slack computed from terms whose magnitudes add up to
    /// `scale()` (called only by float states): a violation within the
    /// rounding-error estimate is undecided, not a failure.
    pub(crate) fn record_near(&mut self, n: u64, slack: S, scale: impl FnOnce() -> f64) {
        let estimate = self.rounding.map(|factor| factor * scale());
        self.judge(n, slack, estimate);
    }
    /// Records a slack decided exactly.
    pub(crate) fn record(&mut self, n: u64, slack: S) {
        self.judge(n, slack, None);
    }
    /// Counts a slack: not finite is undecided; a violation is a failure,
    /// or undecided where it lies within `estimate` (float states).
    fn judge(&mut self, n: u64, slack: S, estimate: Option<f64>) {
        self.checked += 1;
        if non_finite(&slack) {
            self.undecided += 1;
            return;
        }
        if slack.sign() == Sign3::Negative {
            if estimate.is_some_and(|e| -slack.to_f64_lossy() <= e) {
                self.within_rounding += 1;
                self.first_within.get_or_insert(n);
            } else {
                self.failed += 1;
                self.first_failure.get_or_insert(n);
            }
        }
        if self.min_slack.as_ref().is_none_or(|m| slack.total_cmp(m) == std::cmp::Ordering::Less) {
            self.min_slack = Some(slack);
            if estimate.is_some() {
                self.estimate_at_min = estimate;
            }
        }
    }
    pub(crate) fn tally(&self) -> Tally {
        Tally {
            checked: self.checked,
            failed: self.failed,
            first_failure: self.first_failure,
            min_slack: self.min_slack.as_ref().and_then(Scalar::to_rational),
            undecided: self.undecided,
            within_rounding: self.within_rounding,
            first_within: self.first_within,
            estimate_at_min: self.estimate_at_min,
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
pub(crate) struct SummedRisk<S: StateScalar> {
    /// V(θ_0)/(4γ).
    pub(super) bound: S,
    /// Σ of the first `folded_count` terms.
    pub(super) folded: S,
    pub(super) folded_count: u64,
    /// The later terms.
    pub(super) pending: Vec<S>,
    /// Exact states: a dyadic ≥ folded + Σ pending.
    pub(super) upper: S,
    /// Every term added in this run was ≥ 0.
    pub(super) nonnegative: bool,
    pub(super) tally: RunTally<S>,
    /// A slack (step, number of terms in its sum) known to be ≥ 0 and
    /// counted, whose value is not yet in `tally.min_slack`.
    pub(super) deferred: Option<(u64, u64)>,
    /// `tally.min_slack` is a slack of this run (not read from a checkpoint),
    /// so with nonnegative terms every later slack is at most it.
    pub(super) min_is_ours: bool,
}

/// Bits of the grid of [`SummedRisk`]'s upper bound.
const UPPER_BITS: u32 = 64;

impl<S: StateScalar> SummedRisk<S> {
    pub(super) fn new(bound: S, sum: S, count: u64, tally: RunTally<S>) -> Self {
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
    pub(super) fn count(&self) -> u64 {
        self.folded_count + self.pending.len() as u64
    }
    /// Adds the next term.
    pub(super) fn push(&mut self, x: &S) {
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
    pub(super) fn prefix(&mut self, count: u64) -> &S {
        if let Some((_, k)) = self.deferred {
            if k <= count {
                self.settle_deferred();
            }
        }
        self.fold_to(count);
        &self.folded
    }
    pub(super) fn fold_to(&mut self, count: u64) {
        assert!(count >= self.folded_count && count <= self.count(), "sum prefix out of order");
        let k = (count - self.folded_count) as usize;
        if k > 0 {
            let terms: Vec<S> = self.pending.drain(..k).collect();
            self.folded.add_assign(&S::sum_exact(terms));
            self.folded_count = count;
        }
    }
    pub(super) fn settle_deferred(&mut self) {
        let Some((_, k)) = self.deferred.take() else { return };
        self.fold_to(k);
        let slack = self.bound.sub(&self.folded);
        self.take_min(slack);
    }
    /// `tally.min_slack` ← min(it, slack), as [`RunTally::record`] would.
    pub(super) fn take_min(&mut self, slack: S) {
        if self.min_is_ours && self.nonnegative {
            // The sum only grew since the smallest slack: slack ≤ it.
            self.tally.min_slack = Some(slack);
        } else if self.tally.min_slack.as_ref().is_none_or(|m| slack.total_cmp(m) == std::cmp::Ordering::Less) {
            self.tally.min_slack = Some(slack);
            self.min_is_ours = true;
        }
    }
    /// Checks C9(c) at step n on the sum of all terms added so far.
    pub(super) fn record(&mut self, n: u64) {
        if !S::EXACT {
            // Float states add every term at once (see `push`); the sum's
            // rounding accumulates over its n terms.
            let slack = self.bound.sub(&self.folded);
            let scale = (n + 1) as f64 * (self.bound.to_f64_lossy().abs() + self.folded.to_f64_lossy().abs());
            self.tally.record_near(n, slack, || scale);
            return;
        }
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
    pub(super) fn tally(&mut self) -> Tally {
        self.settle_deferred();
        self.tally.tally()
    }
}

/// One line of a run summary for a checked inequality.
///
/// Float states (`certified` false) print slacks as decimals, and a
/// violation within the rounding-error estimate as undecided: a float run
/// is a rounded trajectory, not the exact iterates the claims are about.
pub(crate) fn tally_line(name: &str, t: &Tally, certified: bool) -> String {
    let how = if certified { "exactly" } else { "in floating point (approximate)" };
    let min = match &t.min_slack {
        None => "-".into(),
        Some(q) if certified => approx(q),
        Some(q) => scientific(q, 7, Rounding::Nearest),
    };
    // Where a violation was seen, the estimate it was judged against.
    let estimate = match t.estimate_at_min {
        Some(e) if !certified && t.failed + t.within_rounding > 0 => {
            format!(" (rounding-error estimate there {e:.3e})")
        }
        _ => String::new(),
    };
    let within = if t.within_rounding > 0 {
        format!(
            "; within floating-point rounding (undecided) at {} (first at n = {})",
            t.within_rounding,
            t.first_within.unwrap_or(0)
        )
    } else {
        String::new()
    };
    if t.undecided > 0 {
        let failed = if t.failed > 0 && certified {
            format!("; FAILS at {} (first at n = {})", t.failed, t.first_failure.unwrap_or(0))
        } else if t.failed > 0 {
            format!("; beyond the rounding estimate at {} (first at n = {})", t.failed, t.first_failure.unwrap_or(0))
        } else {
            String::new()
        };
        return format!(
            "  {name}: INCONCLUSIVE: not finite at {} of {} steps (the floating-point state overflowed or became NaN){failed}{within}; checked {how}; min slack {min}{estimate}\n",
            t.undecided, t.checked
        );
    }
    if t.failed > 0 && !certified {
        return format!(
            "  {name}: violated beyond the rounding-error estimate at {} of {} steps (first at n = {}){within}: an observation of the rounded floating-point trajectory, not of the exact iterates; checked {how}; min slack {min}{estimate}\n",
            t.failed,
            t.checked,
            t.first_failure.unwrap_or(0)
        );
    }
    if t.failed > 0 {
        return format!(
            "  {name}: FAILS at {} of {} steps (first at n = {}), checked {how}; min slack {min}\n",
            t.failed,
            t.checked,
            t.first_failure.unwrap_or(0)
        );
    }
    if t.within_rounding > 0 {
        return format!(
            "  {name}: within floating-point rounding (undecided) at {} of {} steps (first at n = {}), holds at the others, checked {how}; min slack {min}{estimate}\n",
            t.within_rounding,
            t.checked,
            t.first_within.unwrap_or(0)
        );
    }
    format!("  {name}: holds at all {} steps, checked {how}; min slack {min}{estimate}\n", t.checked)
}
