//! How strongly a row is known: the strength ladder.
//!
//! Every report row carries one of four words, strongest first:
//!
//! - `formal`: a proof assistant's kernel checked a proof for every θ of the
//!   stated class (the row names the file and the theorem, and the class);
//! - `proved`: a complete proof is written in `proofs/`, and the check tests
//!   the implementation on N exact (or rigorously enclosed) cases;
//! - `tested`: N exact or enclosed cases without a counterexample, no
//!   complete proof in the repository;
//! - `observed`: an approximate computation or a finite horizon only.
//!
//! A refutation carries a witness: an exact or rigorously enclosed witness is
//! itself a complete proof that the statement fails on that case (`proved`),
//! an approximate one is `observed`. Rows that decided nothing (definitions,
//! inconclusive rows, negative controls) have no strength.

use std::fmt;

/// What `proofs/<ID>.md` contains, as declared in its front matter (`proof:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// A complete proof of the statement as stated.
    Complete,
    /// A proof of part of the statement (the file says which part is missing).
    Partial,
    /// No proof (probes, edges decided by witnesses, definitions).
    None,
}

impl Proof {
    /// The front-matter word.
    pub fn word(&self) -> &'static str {
        match self {
            Proof::Complete => "complete",
            Proof::Partial => "partial",
            Proof::None => "none",
        }
    }
}

/// One rung of the ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Approximate or finite-horizon evidence only.
    Observed,
    /// Exact cases, no proof here.
    Tested,
    /// A complete written proof, and an implementation tested on exact cases.
    Proved,
    /// A kernel-checked proof for every θ of a stated class.
    Formal,
}

impl Strength {
    /// The word used in reports and JSON.
    pub fn word(&self) -> &'static str {
        match self {
            Strength::Formal => "formal",
            Strength::Proved => "proved",
            Strength::Tested => "tested",
            Strength::Observed => "observed",
        }
    }
    /// What the word means, one line.
    pub fn meaning(&self) -> &'static str {
        match self {
            Strength::Formal => "a proof assistant's kernel checked a proof for every theta of the stated class",
            Strength::Proved => "complete proof in proofs/, implementation tested on exact cases",
            Strength::Tested => "exact cases without a counterexample, no proof in the repository",
            Strength::Observed => "approximate or finite-horizon evidence only",
        }
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A kernel-checked theorem behind a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formal {
    /// The registered check it backs.
    pub check: &'static str,
    /// Path from the repository root, e.g. `proofs/coq/Lyapunov.v`.
    pub file: &'static str,
    /// The theorems' names in that file (the first is the main one).
    pub theorems: &'static [&'static str],
    /// The class of cases the formal statement covers.
    pub covers: &'static str,
}

const EMPIRICAL: &str =
    "finite empirical measures sum_i p_i delta_{x_i} (any d, H, p_i >= 0), ReLU with sigma'(0) = 0, constant target";

const GENTLE: &str = "finite empirical measures, 1-homogeneous activations given by two slopes with both slopes and sigma'(0) in [-1, 1] (leaky ReLU with |slope| <= 1, |z|), constant target; steeper slopes (gradient bound with s^2-scaled constants) are proved in proofs/E4.md, not formal";

const fn formal(check: &'static str, file: &'static str, theorems: &'static [&'static str]) -> Formal {
    Formal { check, file, theorems, covers: EMPIRICAL }
}

/// The formal theorems, one entry per check they back. `tests/formal.rs`
/// keeps every name in step with the `.v` files and `Assumptions.v`.
///
/// Left out on purpose: C11's check (its pathwise inequalities are formal,
/// `sgd_pathwise_descent` in Stochastic.v, but the statement's almost-sure
/// limit is not) and E7's (the identity under sigma'(0) = 1 is formal, the
/// check's comparison of the two gradients is not).
pub const FORMAL: &[Formal] = &[
    formal("lyapunov_identity", "proofs/coq/Lyapunov.v", &["lyapunov_identity"]),
    formal("lyapunov_identity_per_sample", "proofs/coq/Lyapunov.v", &["lyapunov_identity_per_sample"]),
    formal("balance_invariants", "proofs/coq/Lyapunov.v", &["balance_invariant_orthogonal", "balance_step_change"]),
    formal(
        "no_spurious_critical_points",
        "proofs/coq/Critical.v",
        &["risk_eq_zero_of_grad_eq_zero", "risk_le_norm_gradV_mul_norm_grad"],
    ),
    formal("gd_step_expansion", "proofs/coq/Lyapunov.v", &["gd_step_expansion"]),
    formal("gradient_bound", "proofs/coq/Bound.v", &["gradient_bound", "gradient_bound_sharp"]),
    formal("gd_converges", "proofs/coq/Descent.v", &["gd_converges", "gd_count_risk_gt_le_of_le_gamma_star"]),
    formal("gradient_bound_sharp", "proofs/coq/Bound.v", &["gradient_bound_sharp", "gradient_bound_sharp_of_activation_bounds"]),
    formal(
        "gd_converges_below_twice_sharp_step",
        "proofs/coq/Descent.v",
        &[
            "gd_converges_below_twice_sharp_step",
            "gd_lyapunov_descent_of_lt_two_gamma_star_sharp",
            "gd_count_risk_gt_le_of_lt_two_gamma_star_sharp",
        ],
    ),
    formal(
        "sgd_expected_descent",
        "proofs/coq/Stochastic.v",
        &["sgd_expected_descent", "sgd_expected_step_expansion", "per_sample_gradient_bound"],
    ),
    Formal {
        check: "lyapunov_identity_of_homogeneous_activation",
        file: "proofs/coq/Homogeneous.v",
        theorems: &["lyapunov_identity_of_homogeneous_activation"],
        covers: "finite empirical measures, any 1-homogeneous activation given by two slopes, either value of sigma'(0), constant target",
    },
    Formal {
        check: "gradient_bound_of_homogeneous_activation",
        file: "proofs/coq/Homogeneous.v",
        theorems: &["gradient_bound_of_homogeneous_activation", "gradient_bound_sharp_of_homogeneous_activation"],
        covers: GENTLE,
    },
    Formal {
        check: "gd_converges_of_homogeneous_activation",
        file: "proofs/coq/Homogeneous.v",
        theorems: &["gd_converges_of_homogeneous_activation"],
        covers: GENTLE,
    },
    Formal {
        check: "lyapunov_identity_of_p_homogeneous_activation",
        file: "proofs/coq/Homogeneous.v",
        theorems: &["lyapunov_identity_of_p_homogeneous_activation"],
        covers: "finite empirical measures, ReLU^p, constant target",
    },
];

/// The formal theorem behind a check, if there is one.
pub fn formal_of(check: &str) -> Option<&'static Formal> {
    FORMAL.iter().find(|f| f.check == check)
}

/// The strength of a row.
///
/// `guarantee` is the row's guarantee word (`exact`, `enclosure`,
/// `approximate …`); `formal_applies` says whether the formal theorem's class
/// is the one the row speaks of (it is, for a `holds` row, whenever the check
/// has a formal theorem: the row then also says that other classes are
/// `proved` only).
pub fn strength(
    verdict: &str,
    guarantee: &str,
    proof: Proof,
    formal: Option<&Formal>,
    control: bool,
) -> Option<Strength> {
    if control {
        return None;
    }
    let approximate = guarantee.starts_with("approximate");
    match verdict {
        "holds" if approximate => Some(Strength::Observed),
        "holds" if formal.is_some() => Some(Strength::Formal),
        "holds" if proof == Proof::Complete => Some(Strength::Proved),
        "holds" => Some(Strength::Tested),
        "refuted" if approximate => Some(Strength::Observed),
        "refuted" => Some(Strength::Proved),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder() {
        let f = Formal { check: "x", file: "f.v", theorems: &["t"], covers: "empirical measures" };
        assert_eq!(strength("holds", "exact", Proof::Complete, Some(&f), false), Some(Strength::Formal));
        assert_eq!(strength("holds", "exact", Proof::Complete, None, false), Some(Strength::Proved));
        assert_eq!(strength("holds", "enclosure", Proof::Partial, None, false), Some(Strength::Tested));
        assert_eq!(strength("holds", "exact", Proof::None, None, false), Some(Strength::Tested));
        assert_eq!(
            strength("holds", "approximate (53-bit floating point)", Proof::Complete, Some(&f), false),
            Some(Strength::Observed)
        );
        assert_eq!(strength("refuted", "exact", Proof::None, None, false), Some(Strength::Proved));
        assert_eq!(
            strength("refuted", "approximate (53-bit floating point)", Proof::None, None, false),
            Some(Strength::Observed)
        );
        assert_eq!(strength("inconclusive", "exact", Proof::Complete, None, false), None);
        assert_eq!(strength("holds", "exact", Proof::Complete, None, true), None);
        assert!(
            Strength::Formal > Strength::Proved
                && Strength::Proved > Strength::Tested
                && Strength::Tested > Strength::Observed
        );
    }
}
