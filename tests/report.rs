//! The check report for a fixed seed is pinned by insta snapshots (the table,
//! and the summaries, notes and witness details printed under it), and the
//! blueprint (Markdown, Mermaid, SVG) renders every statement.

use reluproof::backend::BackendSpec;
use reluproof::claims::engine::{run_check, Budget};
use reluproof::claims::{registry, Strength, STATEMENTS};
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
    // The words under the table: each row's summary, notes (values,
    // coverage, caveats, witnesses and searches) and witness detail, which
    // `check` prints and reports carry.
    let mut words = String::new();
    for r in &rows {
        words += &format!("{} {}: {}\n", r.id, r.name, r.summary);
        for n in &r.notes {
            words += &format!("  note: {n}\n");
        }
        if let Some(w) = &r.witness {
            words += &format!("  witness: {}\n", w.detail);
        }
    }
    let notes = format!("{name}_notes");
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
        insta::assert_snapshot!(notes, words);
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
    // Fill by strength, border by verdict: a claim that holds is filled as
    // proved or formal (never as merely tested), an edge refuted as expected
    // has the refutation's border; every statement now has a check.
    let states = blueprint::states(&rows);
    let c3 = states["C3"];
    assert_eq!(c3.state, blueprint::NodeState::Holds);
    assert!(matches!(c3.strength, Some(Strength::Proved | Strength::Formal)), "{c3:?}");
    assert_eq!(states["E1"].state, blueprint::NodeState::RefutedAsExpected);
    assert_eq!(states["Q3"].strength, Some(Strength::Tested), "Q3's weakest row is a tested probe");
    assert!(md.contains("  style C3 fill:"), "{md}");
    assert!(states.values().all(|n| n.state != blueprint::NodeState::NotChecked), "a statement without a check");
    // A tested node must not look like a proved one.
    let fill_of = |id: &str| md.lines().find(|l| l.starts_with(&format!("  style {id} fill:"))).unwrap().to_string();
    let colour = |l: String| l.split("fill:").nth(1).unwrap().split(',').next().unwrap().to_string();
    assert_ne!(colour(fill_of("C3")), colour(fill_of("Q3")));
}
