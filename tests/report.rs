//! The check report for a fixed seed is pinned by an insta snapshot, and the
//! blueprint (Markdown, Mermaid, SVG) renders every statement.

use reluproof::backend::BackendSpec;
use reluproof::claims::engine::{run_check, Budget};
use reluproof::claims::{registry, STATEMENTS};
use reluproof::report::blueprint;
use reluproof::report::rows::{rows_for, table};

fn report_rows() -> Vec<reluproof::report::Row> {
    let budget = Budget { cases: 24, seed: 7, backend: BackendSpec::Exact };
    let reports: Vec<_> = registry().iter().map(|c| run_check(c.as_ref(), &budget, None, &|_, _| {})).collect();
    let ids: Vec<&'static str> = STATEMENTS.iter().map(|s| s.id).collect();
    rows_for(&ids, &reports)
}

#[test]
fn check_report_of_fixed_seed_is_stable() {
    let rows = report_rows();
    let text = table(&rows);
    // Without MPFR, C2(b) is inconclusive; the two builds have their own snapshot.
    let name = if cfg!(feature = "gmp") { "check_report_seed7_gmp" } else { "check_report_seed7" };
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
    assert!(rows.iter().all(|r| !r.is_finding()), "a claim expected to hold was refuted");
}

#[test]
fn blueprint_renders_every_statement() {
    let rows = report_rows();
    let md = blueprint::markdown(&rows, "test");
    let svg = blueprint::svg(&rows);
    assert!(md.contains("```mermaid"));
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for s in STATEMENTS {
        assert!(md.contains(&format!("  {}[", s.id)), "mermaid node {}", s.id);
        assert!(svg.contains(&format!(">{}</text>", s.id)), "svg node {}", s.id);
        for d in s.depends_on {
            assert!(md.contains(&format!("  {d} --> {}", s.id)), "edge {d} -> {}", s.id);
        }
    }
    // Verdict colours: claims that hold green, edges refuted as expected in
    // their own colour; every statement now has a check.
    assert!(md.contains("C3[\"C3<br/>lyapunov_identity\"]:::holds"));
    assert!(md.contains("E1[\"E1<br/>nonconstant_target\"]:::expected_refuted"));
    assert!(!md.contains("]:::unchecked"), "a statement without a check: {md}");
}
