//! Counterexample search at the edges of the assumptions, and adversarial
//! search against the claims that must hold.
//!
//! A [`SearchTarget`] turns one registered check (see [`crate::claims::registry`])
//! into an optimisation problem: it samples instances and scores each with
//! an exact rational whose sign says whether the check's conclusion fails
//! (score > 0 ⇔ violated). The search ([`engine::search`]) samples, climbs the
//! score with local moves, and shrinks a violating instance toward small
//! numerators, denominators and widths; every instance it reports is re-run
//! through the registered check on the exact backend and must come back
//! [`Outcome::Violated`](crate::claims::Outcome::Violated).
//!
//! `reluproof search E1` finds a positive-risk critical point for an affine
//! target; `reluproof search C3` finds nothing, and says how many candidates
//! and how much time that statement of evidence rests on.

pub mod command;
pub mod engine;
pub mod shrink;
pub mod targets;

pub use engine::{search, SearchConfig, SearchReport, Stop};

use crate::claims::Instance;
use crate::gen::Rng;
use crate::num::BigRational;

/// One statement's check as a search problem.
pub trait SearchTarget: Send + Sync {
    /// The name on the command line, e.g. `E1` or `E1-identity`.
    fn key(&self) -> &'static str;
    /// The statement id of CLAIMS.md, e.g. `E1`.
    fn statement(&self) -> &'static str;
    /// The registered check that decides a candidate (looked up in
    /// [`crate::claims::registry`] at run time).
    fn check_name(&self) -> &'static str;
    /// The score as a formula, for reports.
    fn score_formula(&self) -> &'static str;
    /// A random instance satisfying the target's hypotheses.
    fn sample(&self, rng: &mut Rng) -> Instance;
    /// The exact violation score: `Some(s)` with s > 0 iff the check's
    /// conclusion fails on `inst`; `None` if `inst` is outside the
    /// hypotheses (e.g. γ > γ* for Q1).
    fn score(&self, inst: &Instance) -> Option<BigRational>;
    /// Target-specific local moves, tried besides the generic perturbations.
    fn moves(&self, _inst: &Instance, _rng: &mut Rng) -> Vec<Instance> {
        Vec::new()
    }
    /// Re-establishes a structural property after a shrinking step changed
    /// a number (E1: c := c − G_c/(2m), which zeroes G_c). Identity by default.
    fn repair(&self, inst: Instance) -> Instance {
        inst
    }
    /// The exact quantities that show the violation (or the slack), by name.
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)>;
}

/// Every search target, in statement order.
pub fn targets() -> Vec<Box<dyn SearchTarget>> {
    targets::all()
}

/// The target named `name`: a target key (`E1-identity`), a statement id
/// (its first target: `E1` is the critical-point search), or a check name.
pub fn find_target(name: &str) -> Option<Box<dyn SearchTarget>> {
    let all = targets();
    let pos = all
        .iter()
        .position(|t| t.key().eq_ignore_ascii_case(name))
        .or_else(|| all.iter().position(|t| t.statement().eq_ignore_ascii_case(name)))
        .or_else(|| all.iter().position(|t| t.check_name() == name))?;
    all.into_iter().nth(pos)
}
