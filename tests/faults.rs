//! Checks that can fail (issue 14): every "holds" of an identity check must
//! turn into "refuted" when the values it uses are wrong.
//!
//! 1. Fault injection: each value-corrupting fault of the fast path
//!    (`reluproof::objective::fault`) makes at least one of C3, C4, C5, C7
//!    refuted, with a witness whose detail names the disagreeing value; with
//!    no fault they hold. The switch is global, so ONE test runs the faults
//!    in sequence (this binary has no other test touching it).
//!
//! The tests that feed the checks' verdict logic wrong values, and the hand
//! cases pinning C8's constant and `balance_derivative`, are in
//! tests/claims.rs (they must not run while a fault is set).

use reluproof::backend::BackendSpec;
use reluproof::claims::engine::{run_check, Budget, Verdict};
use reluproof::claims::registry;
use reluproof::objective::fault::{self, Fault};

const IDENTITY_CHECKS: [&str; 4] =
    ["lyapunov_identity", "lyapunov_identity_per_sample", "balance_invariants", "gd_step_expansion"];

fn run(name: &str, cases: usize) -> Verdict {
    let reg = registry();
    let c = reg.iter().find(|c| c.name() == name).expect("registered check");
    run_check(c.as_ref(), &Budget { cases, seed: 5, backend: BackendSpec::Exact }, None, &|_, _| {}).verdict
}

#[test]
fn every_value_corrupting_fault_is_refuted_by_an_identity_check() {
    fault::set(Fault::None);
    for name in IDENTITY_CHECKS {
        assert!(matches!(run(name, 60), Verdict::Holds { .. }), "{name} without a fault");
    }
    for f in Fault::ALL {
        fault::set(f);
        let mut refuted = Vec::new();
        for name in IDENTITY_CHECKS {
            if let Verdict::Refuted { witness, .. } = run(name, 120) {
                assert!(
                    witness.detail.contains("fast path") && witness.detail.contains("definition"),
                    "{f:?}, {name}: the witness names no disagreeing value: {}",
                    witness.detail
                );
                assert!(
                    ["L:", "G_w[", "G_b[", "G_v[", "G_c:"].iter().any(|v| witness.detail.contains(v)),
                    "{f:?}, {name}: {}",
                    witness.detail
                );
                refuted.push(name);
            }
        }
        fault::set(Fault::None);
        assert!(!refuted.is_empty(), "{f:?}: C3, C4, C5 and C7 all held on corrupted values");
    }
    fault::set(Fault::None);
}
