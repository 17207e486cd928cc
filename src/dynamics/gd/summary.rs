//! The outcome of a GD run, as text and JSON.

use crate::claims::strength::Strength;
use crate::num::decimal::{scientific, Rounding};
use crate::num::{BigRational, Guarantee, Scalar};
use num_traits::{Signed, ToPrimitive, Zero};
use serde_json::Value;

use super::{rounding_rule_line, tally_line, StateMode, Tally};
use crate::dynamics::outcome::{run_strength, stopped_line, Level, Trend};

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
    /// Float states: the factor of the rounding-error estimate against which
    /// violations are judged ([`super::rounding_rule`]).
    pub rounding: Option<f64>,
    /// V(θ_0).
    pub v0: f64,
    /// L(θ_0) and L(θ_N), approximately, for the summary and the JSON
    /// (infinite when L leaves the f64 range).
    pub risk_first: f64,
    /// L at the final state.
    pub risk_last: f64,
    /// L(θ_0) and L(θ_N) exactly where the state is (exact and dyadic
    /// states), for the text: rendered from these, never as `inf`.
    pub risk_exact: Option<(BigRational, BigRational)>,
    /// The step at which the run stopped because ‖θ_n‖² had outgrown
    /// V(θ_0) by 2^[`crate::dynamics::outcome::DIVERGED_BITS`] (exact and dyadic states).
    pub diverged_at: Option<u64>,
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

/// `q.to_string()`; with `gmp`, long values are written by GMP (num-bigint's
/// conversion slows down sharply on values of millions of bits).
pub(crate) fn rational_string(q: &BigRational) -> String {
    #[cfg(feature = "gmp")]
    if q.numer().bits() + q.denom().bits() > 4096 {
        return crate::num::gmp::rational_from_big(q).to_string();
    }
    q.to_string()
}

/// Exact if short, else seven significant digits, rounded from the exact
/// value (never `inf`: iterates of a diverging run leave the f64 range).
pub(crate) fn approx(q: &BigRational) -> String {
    // Over 256 bits in all the exact form has over 24 digits: skip writing it.
    if q.numer().bits() + q.denom().bits() > 256 {
        return scientific(q, 7, Rounding::Nearest);
    }
    let s = q.to_string();
    if s.len() <= 24 {
        s
    } else {
        scientific(q, 7, Rounding::Nearest)
    }
}

/// log10 |q| for q ≠ 0, also far outside the f64 range (from the leading
/// bits and the bit lengths).
pub(crate) fn log10_abs(q: &BigRational) -> f64 {
    fn log2(x: &num_bigint::BigInt) -> f64 {
        let b = x.bits();
        let shift = b.saturating_sub(64);
        let top: num_bigint::BigInt = x.abs() >> shift;
        top.to_f64().unwrap_or(f64::NAN).log2() + shift as f64
    }
    (log2(q.numer()) - log2(q.denom())) * std::f64::consts::LOG10_2
}

impl GdSummary {
    /// L(θ_0), L(θ_N) as text and the orders of magnitude L fell (negative:
    /// it rose), from the exact values where the run has them.
    fn risk_texts(&self) -> (String, String, f64) {
        match &self.risk_exact {
            Some((f, l)) => {
                let orders = if f.is_zero() || l.is_zero() {
                    (self.risk_first / self.risk_last).log10()
                } else {
                    log10_abs(f) - log10_abs(l)
                };
                (scientific(f, 7, Rounding::Nearest), scientific(l, 7, Rounding::Nearest), orders)
            }
            None => (
                format!("{:.6e}", self.risk_first),
                format!("{:.6e}", self.risk_last),
                (self.risk_first / self.risk_last).log10(),
            ),
        }
    }
    /// What the run shows about C9(e), L → 0: observed only where L fell.
    pub fn trend(&self) -> Trend {
        let ends = match &self.risk_exact {
            Some((f, l)) => (Level::Exact(f.clone()), Level::Exact(l.clone())),
            None => (Level::Float(self.risk_first), Level::Float(self.risk_last)),
        };
        Trend::new(Some(ends), self.steps)
    }
    /// Whether every checked inequality held (C9 (a)–(d)).
    pub fn all_hold(&self) -> bool {
        [&self.a, &self.b, &self.c, &self.d].iter().all(|t| t.failed == 0)
    }
    /// Whether C9's hypothesis 0 < γ ≤ γ* holds for this run.
    pub fn within_c9(&self) -> bool {
        self.gamma_star.as_ref().is_some_and(|g| &self.gamma <= g)
    }
    /// How strongly this run knows its lines, on the ladder of `check`: one
    /// trajectory decided exactly is `tested`, a rounded one `observed`;
    /// `None` outside both hypotheses (measurements). The statements
    /// themselves are proved (and formal for empirical measures) in proofs/,
    /// not by a run.
    pub fn strength(&self) -> Option<Strength> {
        run_strength(self.within_c9() || self.within_c14(), self.guarantee == Guarantee::Exact)
    }
    fn strength_text(&self) -> String {
        match self.strength() {
            None => "none: outside the hypotheses of C9 and C14, the lines are measurements".into(),
            Some(Strength::Tested) => "tested: the claimed inequalities decided exactly on this one trajectory (C9(e), L -> 0, at most observed); C9 and C14 themselves are formal for empirical measures and proved (proofs/C9.md, proofs/C14.md)".into(),
            Some(st) => format!("{}: a rounded floating-point trajectory, judged against a rounding-error estimate", st.word()),
        }
    }
    /// Whether C14's hypothesis 0 < γ < 2γ′* holds for this run.
    pub fn within_c14(&self) -> bool {
        self.sharp_rate.is_some()
    }
    /// Whether every inequality a theorem claims for this γ held: C9 (a)–(d)
    /// if γ ≤ γ*, C14 (a)–(d) if γ < 2γ′* (true when neither applies).
    pub fn claimed_inequalities_hold(&self) -> bool {
        let c9 = !self.within_c9() || self.all_hold();
        // C14's (b) is C9's tally: it counts only where C14 applies (outside
        // both hypotheses the run is a measurement, never a finding).
        let c14 = !self.within_c14() || [&self.c14a, &self.b, &self.c14c, &self.c14d].iter().all(|t| t.failed == 0);
        c9 && c14
    }
    /// Whether some check met a value that is not finite (a float state
    /// that overflowed) or a violation within a float state's rounding-error
    /// estimate: the run decides nothing there.
    pub fn inconclusive(&self) -> bool {
        [&self.nonincrease, &self.a, &self.b, &self.c, &self.d, &self.c14a, &self.c14c, &self.c14d]
            .iter()
            .any(|t| t.undecided > 0 || t.within_rounding > 0)
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
        if let Some(factor) = self.rounding {
            s += &rounding_rule_line(self.state, factor);
        }
        s += &format!("  strength: {}\n", self.strength_text());
        if let Some(n) = self.resumed_from {
            s += &format!("  resumed from the checkpoint at n = {n}\n");
        }
        let (first, last, orders) = self.risk_texts();
        let change = if orders >= 0.0 { "down" } else { "up" };
        s += &format!(
            "  L(theta_0) = {first}, L(theta_{}) = {last} ({:.1} orders of magnitude {change}), V(theta_0) = {:.6e}\n",
            self.steps,
            orders.abs(),
            self.v0
        );
        if let Some(n) = self.diverged_at {
            s += &stopped_line(n);
        }
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
        s += &format!("  C9(e) L -> 0: {}\n", self.trend().text("not proven by a finite run"));
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
            // Which theorem's hypothesis on γ this run is inside: a failed
            // inequality is a finding only there (the exit code's rule).
            "within_c9": self.within_c9(),
            "within_c14": self.within_c14(),
            "c14": self.sharp_rate.as_ref().map(|r| serde_json::json!({
                "rate": r.to_string(),
                "a": self.c14a.to_json(),
                "c": self.c14c.to_json(),
                "d": self.c14d.to_json(),
            })),
            "state": self.state.to_string(),
            "guarantee": self.guarantee.word(),
            "strength": self.strength().map(|st| st.word()),
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
            "diverged_at": self.diverged_at,
            "l_to_zero": self.trend().json(),
        })
    }
}
