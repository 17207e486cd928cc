//! The probes of Q3 (sharp constants). A probe is a falsifiable sharper
//! statement: either answer is a finding, and the margins measure how far
//! the proven constants are from sharp.
//!
//! - `gradient_bound_of_constant_six` (in [`super::checks`]): C8 with 6 in
//!   place of 8.
//! - `lyapunov_nonincreasing_of_step_le_twice_bound`: one GD step of
//!   γ ∈ (γ*, 2γ*] still does not increase V.

use super::checks::GradientBound;
use super::descent::lyapunov_step_outcome;
use super::engine::Outcome;
use super::instance::Instance;
use super::Check;
use crate::backend::BackendSpec;
use crate::dynamics::gd::gamma_star;
use crate::gen::{self, GenConfig, Rng};
use crate::num::BigRational;
use num_traits::One;

/// All checks of this module.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![Box::new(GradientBound { constant: 6 }), Box::new(LyapunovNonincreasingOfStepLeTwiceBound)]
}

/// Q3: does V(θ − γG) ≤ V(θ) survive γ up to 2γ*?
pub struct LyapunovNonincreasingOfStepLeTwiceBound;

impl Check for LyapunovNonincreasingOfStepLeTwiceBound {
    fn name(&self) -> &'static str {
        "lyapunov_nonincreasing_of_step_le_twice_bound"
    }
    fn statement(&self) -> &'static str {
        "Q3"
    }
    fn summary(&self) -> &'static str {
        "Q3 probe: gamma = k gamma* with 1 < k <= 2 (k = 1 + j/8): V(theta - gamma G) <= V(theta)? exact; a witness would show the step bound gamma* is within a factor 2 of sharp for that theta; `reluproof gd-sweep` measures the largest V-decreasing step"
    }
    fn mutants(&self) -> &'static [&'static str] {
        &["step_far_above_bound"]
    }
    fn generate(&self, rng: &mut Rng) -> Instance {
        let case = gen::case(rng, &GenConfig { max_width: 16, ..GenConfig::default() });
        let k = BigRational::new((8 + rng.range(1, 8)).into(), 8.into());
        Instance::of(case).with_number("gamma_factor", k)
    }
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome {
        let Some(gs) = gamma_star(&inst.case) else { return Outcome::Skipped { reason: "gamma* undefined".into() } };
        let Some(k) = inst.number("gamma_factor") else {
            return Outcome::Skipped { reason: "needs gamma_factor".into() };
        };
        let two = BigRational::from_integer(2.into());
        if mutant.is_none() && (k <= &BigRational::one() || k > &two) {
            return Outcome::Skipped { reason: "this probe asks about gamma* < gamma <= 2 gamma*".into() };
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
