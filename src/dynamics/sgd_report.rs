//! The report of an SGD run: text, JSON and plot of an [`SgdSummary`].

use super::gd::{approx, rounding_rule_line, tally_line, StateMode, Tally};
use super::sgd::SgdSummary;
use crate::claims::strength::Strength;
use crate::dynamics::outcome::{run_strength, stopped_line, Level, Trend};
use crate::num::{BigRational, Guarantee, Scalar};
use crate::report::plot::{Plot, Scale, Series};
use num_traits::{One, Zero};
use serde_json::Value;

impl SgdSummary {
    /// sup_n γ_n (= γ_0 = c).
    pub fn sup_gamma(&self) -> &BigRational {
        &self.gamma_c
    }
    /// Whether C11's hypothesis sup γ_n ≤ γ_SGD* holds, so its pathwise
    /// inequalities are claimed.
    pub fn claimed(&self) -> bool {
        self.gamma_sgd_star.as_ref().is_some_and(|g| self.sup_gamma() <= g)
    }
    /// Whether every checked inequality of C11 held (decrease, norm bound, summed form).
    pub fn all_hold(&self) -> bool {
        [&self.decrease, &self.norm, &self.summed].iter().all(|t| t.failed == 0)
    }
    /// What the run shows about L → 0: observed only where the evaluated L
    /// fell from the first evaluation to the last.
    pub fn trend(&self) -> Trend {
        let ends = self
            .risk_first
            .zip(self.risk_last)
            .map(|(f, l)| (level(&self.risk_exact.first, f.1), level(&self.risk_exact.last, l.1)));
        let steps = self.risk_first.zip(self.risk_last).map_or(0, |(f, l)| l.0.saturating_sub(f.0));
        Trend::new(ends, steps)
    }
    /// Whether the schedule rounds (α not an integer).
    pub fn schedule_rounds(&self) -> bool {
        !self.decay.is_integer()
    }
    fn schedule_text(&self) -> String {
        let ratio = self.gamma_sgd_star.as_ref().map_or(f64::NAN, |g| (&self.gamma_c / g).to_f64_lossy());
        let c = format!("c = {} = {ratio:.4} gamma_SGD*", approx(&self.gamma_c));
        if self.decay.is_zero() {
            format!("constant gamma_n = {c}")
        } else {
            let a = if self.decay.is_integer() { self.decay.to_string() } else { format!("({})", self.decay) };
            format!("gamma_n = c/(n+1)^{a} with {c}")
        }
    }
    /// How strongly this run knows its lines: one sample path decided
    /// exactly is `tested`, a rounded one `observed`; `None` outside C11's
    /// hypothesis (measurements).
    pub fn strength(&self) -> Option<Strength> {
        run_strength(self.claimed(), self.guarantee == Guarantee::Exact)
    }
    fn strength_text(&self) -> String {
        match self.strength() {
            None => "none: outside C11's hypothesis, the lines are measurements".into(),
            Some(Strength::Tested) => "tested: C11's pathwise inequalities decided exactly on this one sample path; L -> 0 almost surely observed at most (one path, finitely many steps); C11 itself is proved in part (proofs/C11.md)".into(),
            Some(st) => format!("{}: a rounded floating-point path, judged against a rounding-error estimate", st.word()),
        }
    }
    /// The human-readable report.
    pub fn to_text(&self, file: &str) -> String {
        let certified = self.guarantee == Guarantee::Exact;
        let mut s = format!("reluproof sgd {file}\n");
        s += &format!(
            "  steps {}, batch size {}, seed {}; X_i i.i.d. with law mu/m ({} measure), drawn exactly{}\n",
            self.steps,
            self.batch,
            self.seed,
            self.measure,
            if self.measure == "empirical" {
                " (index i with probability p_i/sum p)"
            } else {
                " (x = a + (b-a) k/2^53, k uniform in 0..2^53)"
            }
        );
        s += &format!("  schedule: {}\n", self.schedule_text());
        if self.schedule_rounds() {
            s += "  where (n+1)^alpha is irrational, gamma_n is rounded DOWN to 64 significant bits, so gamma_n <= c/(n+1)^alpha exactly\n";
        }
        let gs = self.gamma_sgd_star.as_ref().map(approx).unwrap_or_else(|| "undefined".into());
        s += &format!("  gamma_SGD* = [2 max(1, rho^2) (1 + V(theta_0))]^-1 = {gs}; sup gamma_n = gamma_0 = c ");
        s += if self.claimed() {
            "<= gamma_SGD*: C11 claims the inequalities below on every sample path\n"
        } else {
            "> gamma_SGD*: outside C11's hypothesis, the inequalities below are not claimed (checked anyway)\n"
        };
        s += &match self.state {
            StateMode::Dyadic(b) => format!("  state dyadic:{b}: each step exact from the stored state, the state rounded to multiples of 2^-{b} (theta_0 kept exactly); guarantee: exact (inequalities decided in rational arithmetic; the decrease on the exact step from each stored iterate)\n"),
            StateMode::Exact => "  state exact: no rounding; rational sizes grow with the steps; guarantee: exact\n".into(),
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
        s += &format!("  V(theta_0) = {:.6e}\n", self.v0);
        if !self.mass.is_one() {
            s += &format!(
                "  mass m = {}: the batch risk e_n estimates L(theta_n)/m (E[e_n | theta_n] = L(theta_n)/m)\n",
                approx(&self.mass)
            );
        }
        if let Some(n) = self.diverged_at {
            s += &stopped_line(n);
        }
        match (self.risk_first, self.risk_last) {
            (Some(f), Some(l)) => {
                let e = &self.risk_exact;
                s += &format!(
                    "  full risk L evaluated {} times: L(theta_{}) = {}, L(theta_{}) = {}, running mean {}\n",
                    self.risk_evaluations,
                    f.0,
                    level(&e.first, f.1).text(),
                    l.0,
                    level(&e.last, l.1).text(),
                    level(&e.mean, l.2).text()
                );
            }
            _ => s += "  full risk L not evaluated (--eval-every 0)\n",
        }
        s += &tally_line("C11 V(n+1) <= V(n) - 4 gamma_n e_n (e_n the batch risk)", &self.decrease, certified);
        s += &tally_line("V nonincreasing, V(n+1) <= V(n)", &self.nonincrease, certified);
        s += &tally_line("C11 |theta_n|^2 <= V(theta_0)", &self.norm, certified);
        s += &tally_line("C11 summed, sum_{k<n} 4 gamma_k e_k <= V(theta_0)", &self.summed, certified);
        s += &self.expected.to_text(self.batch, self.eval_every);
        s += &format!(
            "  sum of gamma_n = {:.6e} over the run (C11 needs it to diverge for L -> 0; a finite run cannot show that)\n",
            self.sum_gamma
        );
        s += &format!("  L -> 0 almost surely: {}\n", self.trend().text("not proven: finite horizon, one sample path"));
        if let StateMode::Dyadic(b) = self.state {
            s += &format!(
                "  rounding the state used at most {:.3e} of the margin of the C11 decrease at any step (never more than 1/2 by construction)\n",
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
        let last = self.risk_last;
        serde_json::json!({
            "steps": self.steps,
            "batch": self.batch,
            "seed": self.seed,
            "measure": self.measure,
            "mass": self.mass.to_string(),
            "gamma_c": self.gamma_c.to_string(),
            "decay": self.decay.to_string(),
            "schedule_rounded_down": self.schedule_rounds(),
            "gamma_sgd_star": self.gamma_sgd_star.as_ref().map(|g| g.to_string()),
            "sup_gamma": self.sup_gamma().to_string(),
            "claimed": self.claimed(),
            "state": self.state.to_string(),
            "guarantee": self.guarantee.word(),
            "strength": self.strength().map(|st| st.word()),
            "v0": self.v0,
            "risk_first": self.risk_first.map(|r| r.1),
            "risk_last": last.map(|r| r.1),
            "risk_mean": last.map(|r| r.2),
            "risk_evaluations": self.risk_evaluations,
            "sum_gamma": self.sum_gamma,
            "c11_decrease": Tally::to_json(&self.decrease),
            "nonincrease": Tally::to_json(&self.nonincrease),
            "c11_norm": Tally::to_json(&self.norm),
            "c11_summed": Tally::to_json(&self.summed),
            "c15": self.expected.to_json(),
            "l_to_zero": self.trend().json(),
            "diverged_at": self.diverged_at,
            "rounding_used": self.rounding_used,
            "grid_bits": self.grid_bits,
            "grid_refined_at": self.grid_refined_at,
            "resumed_from": self.resumed_from,
        })
    }
}

/// An evaluated L: exact if known, else its float.
fn level(exact: &Option<BigRational>, approx: f64) -> Level {
    exact.clone().map_or(Level::Float(approx), Level::Exact)
}

/// The SVG of an SGD run: the evaluated risk L, the batch risk ê_n and V
/// against n on a log scale, with the schedule and γ_SGD*.
pub fn sgd_plot(s: &SgdSummary, file: &str) -> String {
    let mut p = Plot::new(&format!("stochastic gradient descent on {file}"), "step n", "value (log scale)");
    p.y_scale = Scale::Log10;
    let pick = |col: usize| -> Vec<(f64, f64)> {
        s.series.iter().map(|r| (r.0 as f64, [r.1, r.2, r.3][col])).filter(|(_, y)| !y.is_nan()).collect()
    };
    p.series.push(Series { label: "batch risk ê_n".into(), points: pick(1), dashed: true });
    p.series.push(Series { label: "risk L(θ_n) (evaluated)".into(), points: pick(0), dashed: false });
    p.series.push(Series { label: "Lyapunov V(θ_n)".into(), points: pick(2), dashed: false });
    let means = s.risk_evals.iter().map(|r| (r.0 as f64, r.2)).collect();
    p.series.push(Series { label: "running mean of the evaluated L".into(), points: means, dashed: true });
    let gs = s.gamma_sgd_star.as_ref().map_or(f64::NAN, Scalar::to_f64_lossy);
    let ratio = s.gamma_c.to_f64_lossy() / gs;
    let c = format!("c = {:.4e} = {ratio:.4} γ_SGD*", s.gamma_c.to_f64_lossy());
    p.notes.push(if s.decay.is_zero() {
        format!("constant γ_n = {c}")
    } else if s.decay.is_integer() {
        format!("γ_n = c/(n+1)^{}, {c}", s.decay)
    } else {
        format!("γ_n = c/(n+1)^({}) rounded down to 64 bits, {c}", s.decay)
    });
    p.notes.push(format!(
        "γ_SGD* = {gs:.4e} (the step bound of C11); batch {}, seed {}; state {}",
        s.batch, s.seed, s.state
    ));
    let mass = s.mass.to_f64_lossy();
    p.notes.push(format!(
        "C11 pathwise inequalities {} at every step{}; L → 0 {}{}",
        if s.all_hold() { "hold" } else { "FAIL" },
        if s.claimed() { "" } else { " (not claimed: c > γ_SGD*)" },
        s.trend().json(),
        if s.mass.is_one() { String::new() } else { format!("; E ê_n = L/m, m = {mass:.4}") }
    ));
    p.to_svg(900, 560)
}
