//! The statements of CLAIMS.md as data, and their executable checks.
//!
//! Every statement (D1–D6, C1–C15, E1–E8, Q1–Q3) has an entry in
//! [`STATEMENTS`] and a file `proofs/<ID>.md`; a test keeps the two in one-to-one
//! correspondence, including the check names listed in each file's front matter.

pub mod checks;
pub mod convention;
pub mod coverage;
pub mod descent;
pub mod edges;
pub mod engine;
pub mod expected;
pub mod flow;
pub mod flow_rate;
pub mod homogeneous;
pub mod instance;
pub mod limits;
pub mod oracle;
pub mod oracle_box;
pub mod probes;
pub mod sharp;
pub mod sliding;
pub mod smooth_edge;
pub mod stochastic;
pub mod strength;

pub use engine::{run_check, Budget, Outcome, Verdict};
pub use instance::{Instance, Witness};
pub use strength::{Proof, Strength};

use crate::backend::BackendSpec;
use crate::gen::Rng;
use crate::num::Guarantee;

/// Where a statement comes from (CLAIMS.md's status).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A definition: implemented, not checked as a claim.
    Definition,
    /// Restates the papers.
    Paper,
    /// A consequence the harness adds.
    Derived,
    /// Drops an assumption.
    Edge,
    /// An open question, probed (the word is `probe`).
    Conjecture,
}

impl Status {
    /// Word used in reports and proofs/ front matter.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Definition => "definition",
            Status::Paper => "paper",
            Status::Derived => "derived",
            Status::Edge => "edge",
            Status::Conjecture => "probe",
        }
    }
}

/// What the check of a statement is expected to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Nothing to check (definitions).
    Nothing,
    /// The claim holds.
    Holds,
    /// Expected to fail with a witness (edges outside the assumptions).
    Fails,
    /// Unknown (conjectures): either answer is a finding.
    Open,
}

impl Expected {
    /// Word used in reports.
    pub fn word(&self) -> &'static str {
        match self {
            Expected::Nothing => "-",
            Expected::Holds => "holds",
            Expected::Fails => "refuted",
            Expected::Open => "open",
        }
    }
}

/// One statement of CLAIMS.md.
#[derive(Clone, Copy, Debug)]
pub struct Statement {
    /// `D1` … `Q3`.
    pub id: &'static str,
    /// The mathlib-style name in CLAIMS.md.
    pub name: &'static str,
    /// Origin.
    pub status: Status,
    /// Expected verdict.
    pub expected: Expected,
    /// Statements it uses.
    pub depends_on: &'static [&'static str],
    /// What its proofs/ file proves.
    pub proof: Proof,
}

const fn st(
    id: &'static str,
    name: &'static str,
    status: Status,
    expected: Expected,
    depends_on: &'static [&'static str],
    proof: Proof,
) -> Statement {
    Statement { id, name, status, expected, depends_on, proof }
}

use Expected::{Fails, Holds, Nothing, Open};
use Proof::{Complete, Partial};
use Status::{Conjecture, Definition, Derived, Edge, Paper};
const NO_PROOF: Proof = Proof::None;

/// Every statement of CLAIMS.md, in its order.
pub const STATEMENTS: &[Statement] = &[
    st("D1", "network", Definition, Nothing, &[], NO_PROOF),
    st("D2", "measures", Definition, Nothing, &[], NO_PROOF),
    st("D3", "risk", Definition, Nothing, &["D1", "D2"], NO_PROOF),
    st("D4", "generalized_gradient", Definition, Nothing, &["D3"], NO_PROOF),
    st("D5", "lyapunov_function", Definition, Nothing, &["D1"], NO_PROOF),
    st("D6", "dynamics", Definition, Nothing, &["D4"], NO_PROOF),
    st("C1", "risk_nonneg_and_zero_iff_fit", Derived, Holds, &["D3"], Complete),
    st("C2", "generalized_gradient_is_limit", Paper, Holds, &["D3", "D4"], Complete),
    st("C3", "lyapunov_identity", Paper, Holds, &["D4", "D5"], Complete),
    st("C4", "lyapunov_identity_per_sample", Derived, Holds, &["D4", "D5"], Complete),
    st("C5", "balance_invariants", Derived, Holds, &["D4", "D6"], Complete),
    st("C6", "no_spurious_critical_points", Derived, Holds, &["C3"], Complete),
    st("C7", "gd_step_expansion", Paper, Holds, &["C3", "D6"], Complete),
    st("C8", "gradient_bound", Derived, Holds, &["D4"], Complete),
    st("C9", "gd_converges", Paper, Holds, &["C7", "C8", "D6"], Complete),
    st("C10", "gf_converges", Paper, Holds, &["C3", "D6"], Complete),
    st("C11", "sgd_converges", Paper, Holds, &["C4", "C8", "D6"], Partial),
    st("C12", "gf_risk_nonincreasing", Derived, Holds, &["C10", "D4", "D6"], Complete),
    st("C13", "gradient_bound_sharp", Derived, Holds, &["D4"], Complete),
    st("C14", "gd_converges_below_twice_sharp_step", Derived, Holds, &["C7", "C13", "D6"], Complete),
    st("C15", "sgd_expected_descent", Derived, Holds, &["C4", "C13", "D6"], Complete),
    st("E1", "nonconstant_target", Edge, Fails, &["C3", "C6"], NO_PROOF),
    st("E2", "no_output_bias", Edge, Fails, &["C3", "C6"], NO_PROOF),
    st("E3", "smooth_activation", Edge, Fails, &["C3"], NO_PROOF),
    st("E4", "homogeneous_activation", Edge, Holds, &["C3"], Complete),
    st("E5", "p_homogeneous_activation", Edge, Holds, &["C3"], Complete),
    st("E6", "step_above_bound", Edge, Fails, &["C7", "C9"], NO_PROOF),
    st("E7", "relu_derivative_at_zero", Edge, Holds, &["C3", "D4"], Complete),
    st("E8", "gf_no_absolutely_continuous_solution", Edge, Fails, &["C10", "D4", "D6"], Complete),
    st("Q1", "risk_monotone_under_gd", Conjecture, Open, &["C9"], NO_PROOF),
    // Q2 was a probe; C12 answers it (proofs/Q2.md): t L(Θ_t) ≤ V(Θ_0)/8 is a
    // theorem, so it is now a derived statement expected to hold.
    st("Q2", "gf_risk_rate", Derived, Holds, &["C10", "C12"], Complete),
    st("Q3", "sharp_constants", Conjecture, Open, &["C8", "C9"], NO_PROOF),
];

/// The statement with this id.
pub fn statement(id: &str) -> Option<&'static Statement> {
    STATEMENTS.iter().find(|s| s.id.eq_ignore_ascii_case(id))
}

/// Which backends a check can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backends {
    /// Exact and interval backends (its decisions are signs of rational quantities).
    ExactOrEnclosure,
    /// Exact backends only.
    ExactOnly,
    /// Fixed: MPFR intervals, whatever is asked (transcendental terms).
    MpfrEnclosure,
}

/// Whether the values a check uses (L, G, 𝔊) are verified against a second,
/// definitional evaluation (src/claims/oracle.rs), or only compared with
/// each other: an identity between two expressions of the same L and G
/// holds when both are consistently wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// L and G are verified against the definitional evaluator on every case.
    CrossChecked,
    /// The check's comparisons use the fast path's values alone.
    ConsistencyOnly,
}

impl Values {
    /// `cross-checked` or `consistency only` (the JSON key `values`).
    pub fn word(&self) -> &'static str {
        match self {
            Values::CrossChecked => "cross-checked",
            Values::ConsistencyOnly => "consistency only",
        }
    }
}

/// One executable check of a statement.
pub trait Check: Send + Sync {
    /// Registered name (listed in the statement's proofs/ file).
    fn name(&self) -> &'static str;
    /// Id of the statement it checks.
    fn statement(&self) -> &'static str;
    /// One line on what a single case verifies.
    fn summary(&self) -> &'static str;
    /// Which backends it runs on.
    fn backends(&self) -> Backends {
        Backends::ExactOrEnclosure
    }
    /// Names of deliberately wrong variants (negative controls).
    fn mutants(&self) -> &'static [&'static str];
    /// A random instance.
    fn generate(&self, rng: &mut Rng) -> Instance;
    /// Checks one instance on a backend, optionally a wrong variant.
    fn run(&self, inst: &Instance, backend: BackendSpec, mutant: Option<&str>) -> Outcome;
    /// The guarantee of a verdict reached on `backend`.
    fn guarantee(&self, backend: BackendSpec) -> Guarantee {
        match self.backends() {
            Backends::MpfrEnclosure => Guarantee::Enclosure,
            _ => match backend {
                BackendSpec::Exact | BackendSpec::Gmp => Guarantee::Exact,
                _ => Guarantee::Enclosure,
            },
        }
    }
    /// Cases of a default run, where the backend class's default does not
    /// fit (a probe whose counterexamples are rare).
    fn default_cases(&self) -> Option<usize> {
        None
    }
    /// A caveat printed with every verdict: how the check is weaker than the claim.
    fn caveat(&self) -> Option<&'static str> {
        None
    }
    /// Whether the values it uses are cross-checked against the definitional
    /// evaluator on every case (see [`Values`]).
    fn values(&self) -> Values {
        Values::ConsistencyOnly
    }
}

/// Every registered check, in statement order.
pub fn registry() -> Vec<Box<dyn Check>> {
    let mut v: Vec<Box<dyn Check>> = checks::all();
    v.extend(limits::all());
    v.extend(descent::all());
    v.extend(flow::all());
    v.extend(flow_rate::all());
    v.extend(convention::all());
    v.extend(edges::all());
    v.extend(probes::all());
    v.extend(smooth_edge::all());
    v.extend(stochastic::all());
    v.extend(sharp::all());
    v.extend(expected::all());
    v.extend(sliding::all());
    v.extend(homogeneous::all());
    let order = |id: &str| STATEMENTS.iter().position(|s| s.id == id).unwrap_or(usize::MAX);
    v.sort_by_key(|c| order(c.statement()));
    v
}

/// The registered check with this name, if any.
pub fn check_named(name: &str) -> Option<Box<dyn Check>> {
    registry().into_iter().find(|c| c.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `list` and the report's `status` and `expected` keys print
    /// (README's statement table uses them; scripts match on them).
    #[test]
    fn statement_words_are_the_documented_ones() {
        assert_eq!(Expected::Nothing.word(), "-");
        assert_eq!(Expected::Holds.word(), "holds");
        assert_eq!(Expected::Fails.word(), "refuted");
        assert_eq!(Expected::Open.word(), "open");
        assert_eq!(Status::Definition.word(), "definition");
        assert_eq!(Status::Paper.word(), "paper");
        assert_eq!(Status::Derived.word(), "derived");
        assert_eq!(Status::Edge.word(), "edge");
        assert_eq!(Status::Conjecture.word(), "probe");
    }

    /// `list`, `check` and the report walk the registry in the order of
    /// the statements (C1, C2, …), not in the order the modules register
    /// their checks. (Claims shard 20/80 survivor: `==` -> `!=` in the
    /// sort key left the module order, unnoticed.)
    #[test]
    fn the_registry_follows_the_statements_order() {
        let position = |id: &str| STATEMENTS.iter().position(|s| s.id == id).expect("a stated id");
        let order: Vec<usize> = registry().iter().map(|c| position(c.statement())).collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    }
}
