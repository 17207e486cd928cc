//! Running a check over a budget of generated cases, in parallel and
//! deterministically: the same seed gives the same report on any number of
//! threads.

use super::instance::{Instance, Witness};
use super::Check;
use crate::backend::BackendSpec;
use crate::gen::Rng;
use crate::num::{BigRational, Guarantee, Scalar};
use rayon::prelude::*;

/// How much checking to do, and how.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Number of generated cases.
    pub cases: usize,
    /// Seed of the generators.
    pub seed: u64,
    /// Arithmetic.
    pub backend: BackendSpec,
}

/// A check's slack on one case: how far from failing it was.
#[derive(Clone, Debug, PartialEq)]
pub struct Margin {
    /// A rational lower bound of the slack (exact on exact backends), for ordering.
    pub key: BigRational,
    /// The slack as printed by the backend, with what it measures.
    pub text: String,
}

impl Margin {
    /// The margin of a backend value `x`, described by `what`.
    pub fn of<S: Scalar>(x: &S, what: &str) -> Option<Margin> {
        let exact = x.render();
        let shown = if exact.len() <= 24 { exact } else { format!("≈ {:.4e}", x.to_f64_lossy()) };
        Some(Margin { key: x.lower_rational()?, text: format!("{shown} ({what})") })
    }
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The statement holds on this case, decided; with its slack if it is an
    /// inequality.
    Holds {
        /// Slack, if any.
        margin: Option<Margin>,
    },
    /// An enclosure is consistent with an equality (contains 0) but cannot prove it.
    Consistent,
    /// The statement fails on this case.
    Violated {
        /// What failed, with numbers.
        detail: String,
    },
    /// The backend could not decide (an enclosure straddles the threshold).
    Undecided {
        /// Why.
        reason: String,
    },
    /// The case does not meet the statement's hypotheses.
    Skipped {
        /// Which hypothesis fails.
        reason: String,
    },
}

/// The verdict of a check over its budget.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// No counterexample among the cases run.
    Holds {
        /// Cases that met the hypotheses and were decided.
        cases: usize,
        /// Of those, cases only consistent with an equality (enclosures).
        consistent_only: usize,
        /// Cases skipped because the hypotheses did not hold.
        skipped: usize,
        /// The smallest margin seen, its case index and the case.
        min_margin: Option<(Margin, usize, Box<Instance>)>,
    },
    /// A counterexample.
    Refuted {
        /// Index of the case that failed.
        case_index: usize,
        /// Cases run before it failed (including it).
        cases: usize,
        /// The replayable witness.
        witness: Box<Witness>,
    },
    /// Neither.
    Inconclusive {
        /// Why.
        reason: String,
        /// Cases run.
        cases: usize,
    },
    /// The statement has no check yet.
    NotYetChecked,
    /// A definition: nothing to check.
    Definition,
}

impl Verdict {
    /// `holds`, `refuted`, `inconclusive`, `not yet checked` or `definition`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Holds { .. } => "holds",
            Verdict::Refuted { .. } => "refuted",
            Verdict::Inconclusive { .. } => "inconclusive",
            Verdict::NotYetChecked => "not yet checked",
            Verdict::Definition => "definition",
        }
    }
    /// Cases run.
    pub fn cases(&self) -> usize {
        match self {
            Verdict::Holds { cases, .. } | Verdict::Refuted { cases, .. } | Verdict::Inconclusive { cases, .. } => {
                *cases
            }
            _ => 0,
        }
    }
}

/// A check's verdict with everything a report prints.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Statement id.
    pub statement: &'static str,
    /// Check name.
    pub check: &'static str,
    /// What one case verifies.
    pub summary: &'static str,
    /// Backend used.
    pub backend: BackendSpec,
    /// Guarantee of the verdict.
    pub guarantee: Guarantee,
    /// The verdict.
    pub verdict: Verdict,
    /// How the check is weaker than the claim.
    pub caveat: Option<&'static str>,
    /// The wrong variant run, for negative controls.
    pub mutant: Option<String>,
}

/// Fewer decided cases than this make a verdict "weak" in reports.
pub const WEAK_BELOW: usize = 50;

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The generator of case `index` of a check under `seed`: independent of
/// threads and of the other checks.
pub fn case_rng(seed: u64, check: &str, index: usize) -> Rng {
    let mut r = Rng::new(seed ^ name_hash(check));
    let base = r.next_u64();
    Rng::new(base ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

const CHUNK: usize = 32;

/// Runs `check` on `budget.cases` generated cases. `progress(done, total)` is
/// called after each chunk. Cases run in parallel in chunks; the first
/// violated case (by index) becomes the witness, so the verdict does not
/// depend on the thread count.
pub fn run_check(
    check: &dyn Check,
    budget: &Budget,
    mutant: Option<&str>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> CheckReport {
    let mut decided = 0;
    let mut consistent = 0;
    let mut skipped = 0;
    let mut undecided: Vec<String> = Vec::new();
    let mut min_margin: Option<(Margin, usize, Box<Instance>)> = None;
    let mut refuted = None;
    let mut start = 0;
    while start < budget.cases && refuted.is_none() {
        let end = (start + CHUNK).min(budget.cases);
        let results: Vec<(Instance, Outcome)> = (start..end)
            .into_par_iter()
            .map(|i| {
                let inst = check.generate(&mut case_rng(budget.seed, check.name(), i));
                let out = check.run(&inst, budget.backend, mutant);
                (inst, out)
            })
            .collect();
        for (k, (inst, out)) in results.into_iter().enumerate() {
            let i = start + k;
            match out {
                Outcome::Holds { margin } => {
                    decided += 1;
                    if let Some(m) = margin {
                        if min_margin.as_ref().is_none_or(|(best, _, _)| m.key < best.key) {
                            min_margin = Some((m, i, Box::new(inst)));
                        }
                    }
                }
                Outcome::Consistent => {
                    decided += 1;
                    consistent += 1;
                }
                Outcome::Skipped { .. } => skipped += 1,
                Outcome::Undecided { reason } => undecided.push(format!("case {i}: {reason}")),
                Outcome::Violated { detail } => {
                    refuted = Some((i, inst, detail));
                    break;
                }
            }
        }
        start = end;
        progress(start, budget.cases);
    }
    let verdict = if let Some((i, inst, detail)) = refuted {
        Verdict::Refuted {
            case_index: i,
            cases: decided + consistent + skipped + undecided.len() + 1,
            witness: Box::new(Witness {
                statement: check.statement().into(),
                check: check.name().into(),
                mutant: mutant.map(str::to_string),
                verdict: "refuted".into(),
                detail,
                instance: inst,
                provenance: vec![format!(
                    "found by: reluproof check {} --seed {} --cases {} --backend {} (case {i}){}",
                    check.statement(),
                    budget.seed,
                    budget.cases,
                    budget.backend,
                    mutant.map(|m| format!(", negative control `{m}`")).unwrap_or_default()
                )],
            }),
        }
    } else if !undecided.is_empty() {
        Verdict::Inconclusive {
            reason: format!(
                "{} of {} cases undecided (first: {}); where the check takes a backend, try a higher precision or an exact one",
                undecided.len(),
                budget.cases,
                undecided[0]
            ),
            cases: decided + undecided.len(),
        }
    } else if decided == 0 {
        Verdict::Inconclusive { reason: format!("none of the {skipped} generated cases met the hypotheses"), cases: 0 }
    } else {
        Verdict::Holds { cases: decided, consistent_only: consistent, skipped, min_margin }
    };
    CheckReport {
        statement: check.statement(),
        check: check.name(),
        summary: check.summary(),
        backend: budget.backend,
        guarantee: check.guarantee(budget.backend),
        verdict,
        caveat: check.caveat(),
        mutant: mutant.map(str::to_string),
    }
}

/// Re-runs a witness's check on its instance.
pub fn replay(w: &Witness, backend: BackendSpec) -> Result<Outcome, String> {
    let check = super::registry()
        .into_iter()
        .find(|c| c.name() == w.check)
        .ok_or_else(|| format!("no registered check named {:?}", w.check))?;
    if let Some(m) = &w.mutant {
        if !check.mutants().contains(&m.as_str()) {
            return Err(format!("check {} has no negative control {m:?}", w.check));
        }
    }
    Ok(check.run(&w.instance, backend, w.mutant.as_deref()))
}
