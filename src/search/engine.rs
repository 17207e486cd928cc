//! The search: random sampling, local improvement of the violation score,
//! and shrinking, all deterministic given the seed.
//!
//! Rounds are independent: round r draws its instances from
//! `Rng::new(seed ^ mix(r))`. Each round samples [`SearchConfig::samples_per_round`]
//! instances, keeps the best-scoring one and climbs: at every step it scores
//! [`SearchConfig::moves_per_step`] generic perturbations plus the target's own
//! moves and moves to the best one if it strictly raises the score. A
//! candidate with score s > 0 is accepted only after the registered check,
//! run on the exact backend, returns `Violated`; a disagreement between the
//! two is recorded and the candidate rejected. After the first violation the
//! climb continues for [`SearchConfig::polish_steps`] steps (maximising the
//! violation), then the instance is shrunk.
//!
//! The wall-time budget stops the search between steps; the candidate cap
//! stops it too, and when the cap binds first the result depends only on the
//! seed.

use super::shrink::{self, Slot};
use super::SearchTarget;
use crate::backend::BackendSpec;
use crate::claims::{Check, Instance, Outcome};
use crate::gen::Rng;
use crate::num::BigRational;
use num_traits::{One, Signed, Zero};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// Limits and shape of a search.
#[derive(Clone, Debug)]
pub struct SearchConfig {
    /// Seed: the same seed (with the cap binding) gives the same result.
    pub seed: u64,
    /// Wall-time budget for sampling and improvement; shrinking gets at most
    /// as much again.
    pub budget: Duration,
    /// Cap on candidates scored by sampling and improvement.
    pub max_candidates: u64,
    /// Cap on candidates tried by shrinking.
    pub max_shrink: u64,
    /// Instances sampled per round (the best one is improved).
    pub samples_per_round: usize,
    /// Improvement steps per round.
    pub improve_steps: usize,
    /// Generic perturbations per improvement step.
    pub moves_per_step: usize,
    /// Steps without improvement before a round gives up.
    pub patience: usize,
    /// Improvement steps after the first violation (maximising it).
    pub polish_steps: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            seed: 1,
            budget: Duration::from_secs(60),
            max_candidates: 200_000,
            max_shrink: 20_000,
            samples_per_round: 8,
            improve_steps: 60,
            moves_per_step: 24,
            patience: 4,
            polish_steps: 8,
        }
    }
}

/// Why a phase ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A violation was found (search) or no simpler violation exists (shrinking).
    Done,
    /// The candidate cap was reached.
    CandidateCap,
    /// The wall-time budget ran out.
    TimeBudget,
}

impl Stop {
    /// Words for reports.
    pub fn word(&self) -> &'static str {
        match self {
            Stop::Done => "done",
            Stop::CandidateCap => "candidate cap",
            Stop::TimeBudget => "time budget",
        }
    }
}

/// A violation, before and after shrinking.
#[derive(Clone, Debug)]
pub struct Found {
    /// The violating instance as the improvement left it.
    pub original: Instance,
    /// Its score.
    pub original_score: BigRational,
    /// The shrunk instance (re-checked exactly: `Violated`).
    pub witness: Instance,
    /// Its score.
    pub score: BigRational,
    /// The check's detail on the shrunk instance.
    pub detail: String,
    /// The round that found it.
    pub round: u64,
    /// Candidates scored up to the first violation.
    pub first_violation_after: u64,
    /// Candidates tried by shrinking.
    pub shrink_candidates: u64,
    /// Simplifications accepted by shrinking.
    pub shrink_steps: u64,
    /// Why shrinking ended.
    pub shrink_stop: Stop,
    /// Wall time of shrinking.
    pub shrink_time: Duration,
}

/// The result of a search.
#[derive(Clone, Debug)]
pub struct SearchReport {
    /// Candidates scored by sampling and improvement.
    pub candidates: u64,
    /// Candidates with a score (inside the hypotheses).
    pub scored: u64,
    /// Rounds started.
    pub rounds: u64,
    /// Wall time of sampling and improvement.
    pub elapsed: Duration,
    /// Why sampling and improvement ended.
    pub stop: Stop,
    /// The violation, if any.
    pub found: Option<Found>,
    /// With no violation: the highest score seen and its instance (the closest approach).
    pub best: Option<(BigRational, Instance)>,
    /// Candidates with score > 0 that the check did not confirm (each a bug in a score or a check).
    pub disagreements: Vec<String>,
}

/// What the progress callback sees.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// `search` or `shrink`.
    pub phase: &'static str,
    /// Candidates so far in this phase.
    pub candidates: u64,
    /// The phase's cap.
    pub cap: u64,
    /// Wall time so far in this phase.
    pub elapsed: Duration,
    /// The phase's budget.
    pub budget: Duration,
}

fn round_rng(seed: u64, round: u64) -> Rng {
    let mut r = Rng::new(seed ^ round.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    Rng::new(r.next_u64() ^ 0xD1B5_4A32_D192_ED03)
}

/// The check's verdict on `inst` on the exact backend: `Ok(detail)` if
/// violated, else the outcome.
pub fn recheck(check: &dyn Check, inst: &Instance) -> Result<String, Outcome> {
    match check.run(inst, BackendSpec::Exact, None) {
        Outcome::Violated { detail } => Ok(detail),
        other => Err(other),
    }
}

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// One generic perturbation of a random slot of θ or a parameter: x ± 2^−k
/// (k ≤ 6), 2x, x/2, −x, 0, a fresh n/k (|n| ≤ 8, k ≤ 4), x rounded to
/// denominator ≤ 8; or a kink moved onto an anchor (b_j := −w_j·x for x = a,
/// b or a sample point); or a neuron dropped.
fn perturb(inst: &Instance, rng: &mut Rng) -> Instance {
    let slots = shrink::theta_slots(inst);
    let th = &inst.case.theta;
    match rng.below(12) {
        0 if th.width() > 1 => {
            let j = rng.below(th.width() as u64) as usize;
            return shrink::drop_neuron(inst, j).unwrap_or_else(|| inst.clone());
        }
        1 => {
            let j = rng.below(th.width() as u64) as usize;
            let xs: Vec<Vec<BigRational>> = match &inst.case.problem.measure {
                crate::model::Measure::Lebesgue { a, b } | crate::model::Measure::Uniform { a, b, .. } => {
                    vec![vec![a.clone()], vec![b.clone()]]
                }
                crate::model::Measure::Box { a, b, .. } => crate::model::box_corners(a, b),
                crate::model::Measure::Empirical { points, .. } => points.clone(),
            };
            let x = &xs[rng.below(xs.len() as u64) as usize];
            let mut out = inst.clone();
            let t = &mut out.case.theta;
            t.b[j] = -t.w_row(j).iter().zip(x).fold(BigRational::zero(), |s, (w, xi)| s + w * xi);
            return out;
        }
        _ => {}
    }
    let slot: &Slot = &slots[rng.below(slots.len() as u64) as usize];
    let x = shrink::get(inst, slot).unwrap_or_default();
    let y = match rng.below(8) {
        0 | 1 => {
            let d = q(1, 1 << rng.range(0, 6));
            if rng.chance(1, 2) {
                &x + d
            } else {
                &x - d
            }
        }
        2 => &x * q(2, 1),
        3 => &x / q(2, 1),
        4 => -&x,
        5 => BigRational::zero(),
        6 => q(rng.range(-8, 8), rng.range(1, 4)),
        _ => shrink::round_to_denominator(&x, &rng.range(1, 8).into()),
    };
    shrink::set(inst, slot, y)
}

/// Scores candidates in parallel (deterministic: results in input order).
fn score_all(target: &dyn SearchTarget, cands: Vec<Instance>) -> Vec<(Instance, Option<BigRational>)> {
    cands
        .into_par_iter()
        .map(|c| {
            let s = if shrink::well_formed(&c) { target.score(&c) } else { None };
            (c, s)
        })
        .collect()
}

/// Runs the search for `target`, deciding candidates with `check`.
///
/// Returns the shrunk violation if one is found (its score s > 0 and
/// `check.run(…, Exact)` = `Violated`), else the closest approach: the
/// maximum score over every candidate scored.
pub fn search(
    target: &dyn SearchTarget,
    check: &dyn Check,
    cfg: &SearchConfig,
    progress: &(dyn Fn(&Progress) + Sync),
) -> SearchReport {
    let start = Instant::now();
    let mut rep = SearchReport {
        candidates: 0,
        scored: 0,
        rounds: 0,
        elapsed: Duration::ZERO,
        stop: Stop::CandidateCap,
        found: None,
        best: None,
        disagreements: Vec::new(),
    };
    let mut violation: Option<(Instance, BigRational, u64, u64)> = None;
    let over = |rep: &SearchReport| -> Option<Stop> {
        if rep.candidates >= cfg.max_candidates {
            Some(Stop::CandidateCap)
        } else if start.elapsed() >= cfg.budget {
            Some(Stop::TimeBudget)
        } else {
            None
        }
    };
    let report = |rep: &SearchReport| {
        progress(&Progress {
            phase: "search",
            candidates: rep.candidates,
            cap: cfg.max_candidates,
            elapsed: start.elapsed(),
            budget: cfg.budget,
        })
    };
    // Records scores; returns the best (first maximal) candidate of a batch.
    let note =
        |rep: &mut SearchReport, batch: Vec<(Instance, Option<BigRational>)>| -> Option<(Instance, BigRational)> {
            rep.candidates += batch.len() as u64;
            let mut best: Option<(Instance, BigRational)> = None;
            for (c, s) in batch {
                let Some(s) = s else { continue };
                rep.scored += 1;
                if rep.best.as_ref().is_none_or(|(b, _)| &s > b) {
                    rep.best = Some((s.clone(), c.clone()));
                }
                if best.as_ref().is_none_or(|(_, b)| &s > b) {
                    best = Some((c, s));
                }
            }
            best
        };
    'rounds: loop {
        if let Some(stop) = over(&rep) {
            rep.stop = stop;
            break;
        }
        let round = rep.rounds;
        rep.rounds += 1;
        let mut rng = round_rng(cfg.seed, round);
        let samples: Vec<Instance> = (0..cfg.samples_per_round).map(|_| target.sample(&mut rng)).collect();
        let Some((mut cur, mut cur_score)) = note(&mut rep, score_all(target, samples)) else { continue };
        let mut found_here: Option<(Instance, BigRational)> = None;
        if cur_score.is_positive() {
            match recheck(check, &cur) {
                Ok(_) => {
                    found_here = Some((cur.clone(), cur_score.clone()));
                    violation.get_or_insert((cur.clone(), cur_score.clone(), round, rep.candidates));
                }
                Err(o) => {
                    rep.disagreements
                        .push(format!("round {round}, sample: score {cur_score} > 0 but the check says {o:?}"));
                    continue;
                }
            }
        }
        let mut stale = 0;
        let mut polish = 0;
        for _ in 0..cfg.improve_steps {
            report(&rep);
            if found_here.is_some() {
                if polish >= cfg.polish_steps {
                    break;
                }
                polish += 1;
            } else if let Some(stop) = over(&rep) {
                rep.stop = stop;
                break 'rounds;
            }
            let mut cands: Vec<Instance> = (0..cfg.moves_per_step).map(|_| perturb(&cur, &mut rng)).collect();
            cands.extend(target.moves(&cur, &mut rng));
            let scored = score_all(target, cands);
            let mut ranked: Vec<(Instance, BigRational)> =
                scored.iter().filter_map(|(c, s)| s.clone().map(|s| (c.clone(), s))).collect();
            note(&mut rep, scored);
            // Best first; ties keep the input order.
            ranked.sort_by(|x, y| y.1.cmp(&x.1));
            let mut moved = false;
            for (c, s) in ranked.into_iter().filter(|(_, s)| s > &cur_score).take(3) {
                if s.is_positive() {
                    match recheck(check, &c) {
                        Ok(_) => {}
                        Err(o) => {
                            rep.disagreements.push(format!("round {round}: score {s} > 0 but the check says {o:?}"));
                            continue;
                        }
                    }
                    found_here = Some((c.clone(), s.clone()));
                    violation.get_or_insert((c.clone(), s.clone(), round, rep.candidates));
                }
                cur = c;
                cur_score = s;
                moved = true;
                break;
            }
            if moved {
                stale = 0;
            } else {
                stale += 1;
                if stale >= cfg.patience {
                    break;
                }
            }
        }
        if let Some((inst, score)) = found_here {
            let first = violation.as_ref().map_or(rep.candidates, |v| v.3);
            violation = Some((inst, score, round, first));
            rep.stop = Stop::Done;
            break;
        }
    }
    rep.elapsed = start.elapsed();
    if let Some((inst, score, round, first)) = violation {
        let shrink_start = Instant::now();
        let sh = shrink_violation(target, check, &inst, cfg, &|p| progress(p));
        rep.found = Some(Found {
            original: inst,
            original_score: score,
            witness: sh.instance,
            score: sh.score,
            detail: sh.detail,
            round,
            first_violation_after: first,
            shrink_candidates: sh.candidates,
            shrink_steps: sh.steps,
            shrink_stop: sh.stop,
            shrink_time: shrink_start.elapsed(),
        });
    }
    rep
}

/// One kind of shrinking step.
enum ShrinkAction {
    /// Drop neuron j.
    Drop(usize),
    /// Replace the number in a slot by a simpler one.
    Simplify(Slot),
}

impl ShrinkAction {
    /// The candidates of this step from `inst`, simplest first.
    fn candidates(&self, inst: &Instance) -> Vec<Instance> {
        match self {
            ShrinkAction::Drop(j) => shrink::drop_neuron(inst, *j).into_iter().collect(),
            ShrinkAction::Simplify(slot) => match shrink::get(inst, slot) {
                Some(x) => shrink::simpler(&x).into_iter().map(|y| shrink::set(inst, slot, y)).collect(),
                None => Vec::new(),
            },
        }
    }
}

/// The result of shrinking.
struct Shrunk {
    instance: Instance,
    score: BigRational,
    detail: String,
    candidates: u64,
    steps: u64,
    stop: Stop,
}

/// Shrinks a violating instance: repeatedly tries (1) dropping each neuron,
/// (2) replacing each number by a simpler one ([`shrink::simpler`]: 0, ±1,
/// integers, continued-fraction convergents, dyadic roundings), each followed
/// by the target's repair; a candidate is kept only if it is strictly
/// smaller in [`shrink::complexity`], its score is > 0 and the check on the
/// exact backend says `Violated`. Ends at a fixed point or a cap.
fn shrink_violation(
    target: &dyn SearchTarget,
    check: &dyn Check,
    start: &Instance,
    cfg: &SearchConfig,
    progress: &dyn Fn(&Progress),
) -> Shrunk {
    let t0 = Instant::now();
    let mut cur = start.clone();
    let mut size = shrink::complexity(&cur);
    let mut candidates = 0u64;
    let mut steps = 0u64;
    let mut stop = Stop::Done;
    let accept = |c: &Instance| -> Option<(BigRational, String)> {
        if !shrink::well_formed(c) {
            return None;
        }
        let s = target.score(c).filter(Signed::is_positive)?;
        recheck(check, c).ok().map(|d| (s, d))
    };
    'passes: loop {
        let mut changed = false;
        let mut actions: Vec<ShrinkAction> = (0..cur.case.theta.width()).rev().map(ShrinkAction::Drop).collect();
        actions.extend(shrink::all_slots(&cur).into_iter().map(ShrinkAction::Simplify));
        for action in &actions {
            for c in action.candidates(&cur) {
                if candidates >= cfg.max_shrink {
                    stop = Stop::CandidateCap;
                    break 'passes;
                }
                if t0.elapsed() >= cfg.budget {
                    stop = Stop::TimeBudget;
                    break 'passes;
                }
                candidates += 1;
                let c = target.repair(c);
                let c_size = shrink::complexity(&c);
                if c_size >= size {
                    continue;
                }
                if accept(&c).is_some() {
                    cur = c;
                    size = c_size;
                    steps += 1;
                    changed = true;
                    progress(&Progress {
                        phase: "shrink",
                        candidates,
                        cap: cfg.max_shrink,
                        elapsed: t0.elapsed(),
                        budget: cfg.budget,
                    });
                    break;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let (score, detail) = accept(&cur).unwrap_or_else(|| (BigRational::one(), String::new()));
    Shrunk { instance: cur, score, detail, candidates, steps, stop }
}
