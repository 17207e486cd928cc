//! Tallies of the checked inequalities over a run: exact where the run is
//! certified, with the running sum of (c) kept cheap.

use crate::num::parse::parse_rational;
use crate::num::{BigRational, Ordered, Scalar, Sign3};
use serde_json::Value;

use super::{approx, rational_string, StateScalar};

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
