//! The formal theorems the report names exist in proofs/coq under those
//! names, `Assumptions.v` prints their assumptions, and nothing there is
//! assumed without proof. (CI builds proofs/coq with coqc; this test needs
//! no Coq.)

use reluproof::claims::registry;
use reluproof::claims::strength::FORMAL;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Whether `text` declares `name` as a theorem, lemma or corollary.
fn declares(text: &str, name: &str) -> bool {
    text.lines().any(|l| {
        let mut w = l.split_whitespace();
        matches!(w.next(), Some("Theorem" | "Lemma" | "Corollary"))
            && w.next().map(|n| n.trim_end_matches(':')) == Some(name)
    })
}

#[test]
fn every_formal_theorem_named_in_the_report_exists_and_is_printed() {
    let checks: Vec<&str> = registry().iter().map(|c| c.name()).collect();
    let assumptions = read("proofs/coq/Assumptions.v");
    let project = read("proofs/coq/_CoqProject");
    for f in FORMAL {
        assert!(checks.contains(&f.check), "{}: no registered check of that name", f.check);
        let text = read(f.file);
        for t in f.theorems {
            assert!(declares(&text, t), "{}: {} declares no theorem {t}", f.check, f.file);
        }
        assert!(
            assumptions.contains(f.theorems[0]),
            "Assumptions.v does not print the assumptions of {}",
            f.theorems[0]
        );
        let file = f.file.trim_start_matches("proofs/coq/");
        assert!(project.lines().any(|l| l.trim() == file), "{file} is not built (_CoqProject)");
    }
}

#[test]
fn the_paper_core_is_formal() {
    // The minimum: C3, C4, C7 and C9 are kernel-checked.
    for check in ["lyapunov_identity", "lyapunov_identity_per_sample", "gd_step_expansion", "gd_converges"] {
        assert!(FORMAL.iter().any(|f| f.check == check), "{check} is not marked formal");
    }
}

#[test]
fn no_coq_file_assumes_what_it_does_not_prove() {
    let dir = root().join("proofs/coq");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).expect("proofs/coq").flatten() {
        files.push(e.path());
    }
    for e in std::fs::read_dir(dir.join("witnesses")).into_iter().flatten().flatten() {
        files.push(e.path());
    }
    let mut seen = 0;
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "v")) {
        seen += 1;
        let text = std::fs::read_to_string(f).expect("readable");
        for (k, line) in text.lines().enumerate() {
            for word in ["Admitted", "admit", "Axiom", "Parameter", "Conjecture"] {
                let hit = line.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == word);
                assert!(!hit, "{}:{}: `{word}` in {line:?}", f.display(), k + 1);
            }
        }
    }
    assert!(seen >= 5, "expected the Coq development in proofs/coq, found {seen} .v files");
}
