//! The probes of Q3 (sharp constants). A probe is a falsifiable sharper
//! statement: either answer is a finding, and the margins measure how far
//! the proven constants are from sharp.
//!
//! - `gradient_bound_without_rho_factor_of_rho_gt_one` (in
//!   [`super::checks`]): C8 with K = 8m in place of 8m max(1, ρ²), for ρ > 1
//!   (for ρ ≤ 1, 8m is attained).
//! - `lyapunov_nonincreasing_of_step_le_four_times_bound`: one GD step of
//!   γ ∈ (2γ*, 4γ*] still does not increase V. (Up to 2γ* this is a theorem:
//!   by C7 one step decreases V iff γ ≤ γ_V = 8L/(‖G‖² + G_c²), and C8 gives
//!   γ_V ≥ 2γ*; beyond, it depends on how sharp C8 is for that θ.)

use super::checks::GradientBound;
use super::descent::lyapunov_step_outcome;
use super::engine::Outcome;
use super::instance::Instance;
use super::Check;
use crate::backend::BackendSpec;
use crate::dynamics::gd::gamma_star;
use crate::gen::{self, GenConfig, Rng};
use crate::num::BigRational;

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GradientBound { rho_factor: false }), Box::new(LyapunovNonincreasingOfStepLeFourTimesBound)]
}

/// Q3: does V(θ − γG) ≤ V(θ) survive γ up to 4γ*?
pub struct LyapunovNonincreasingOfStepLeFourTimesBound;

impl Check for LyapunovNonincreasingOfStepLeFourTimesBound {
    fn default_cases(&self) -> Option<usize> {
        // The first counterexample for seed 1 is case 2439; 3000 cases take
        // about 2 s.
        Some(3000)
    }
    fn name(&self) -> &'static str {
        "lyapunov_nonincreasing_of_step_le_four_times_bound"
    }
    fn statement(&self) -> &'static str {
        "Q3"
    }
    fn summary(&self) -> &'static str {
        "Q3 probe: gamma = k gamma* with 2 < k <= 4 (k = 2 + j/4; up to 2 gamma* a decrease is a theorem, by C7 and C8): V(theta - gamma G) <= V(theta)? exact; a witness shows gamma* within a factor 4 of the one-step bound for that theta; `reluproof gd-sweep` measures whole runs"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["step_far_above_bound"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let case = gen::case(rng, &GenConfig { max_width: 16, ..GenConfig::default() });
        let k = BigRational::new((8 + rng.range(1, 8)).into(), 4.into());
        Instance::of(case).with_number("gamma_factor", k)
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(gs) = gamma_star(&inst.case) else { return Outcome::Skipped { reason: "gamma* undefined".into() } };
        let Some(k) = inst.number("gamma_factor") else {
            return Outcome::Skipped { reason: "needs gamma_factor".into() };
        };
        let (two, four) = (BigRational::from_integer(2.into()), BigRational::from_integer(4.into()));
        if mutant.is_none() && (k <= &two || k > &four) {
            return Outcome::Skipped { reason: "this probe asks about 2 gamma* < gamma <= 4 gamma*".into() };
        }
        // Negative control: γ = 2^20 γ* (E6's regime) must increase V somewhere.
        let k = if mutant == Some("step_far_above_bound") {
            BigRational::from_integer((1 << 20).into())
        } else {
            k.clone()
        };
        lyapunov_step_outcome(&inst.case, &k, &gs, backend)
    }
}
