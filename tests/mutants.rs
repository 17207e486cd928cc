//! The hand-written semantic mutant corpus (tests/mutants/semantic.toml)
//! stays applicable: each entry names a file, a text that occurs in it
//! exactly once, and a different replacement. `.ci/mutants semantic` applies
//! them and records which the tests catch (proofs/MUTANTS.md); this test only
//! keeps the corpus in step with the code, so that a refactoring cannot turn
//! a mutant into a silent no-op. The record of cargo-mutants mutants already
//! run (tests/mutants/tested.tsv), which fresh samples skip, must stay readable.

use std::collections::HashSet;
use std::path::Path;

fn corpus() -> Vec<toml::Table> {
    let text = std::fs::read_to_string("tests/mutants/semantic.toml").expect("read the corpus");
    let doc: toml::Table = text.parse().expect("the corpus is TOML");
    let list = doc.get("mutant").and_then(|m| m.as_array()).expect("[[mutant]] entries");
    list.iter().map(|m| m.as_table().expect("a table").clone()).collect()
}

fn field<'a>(m: &'a toml::Table, key: &str) -> &'a str {
    m.get(key).and_then(|v| v.as_str()).unwrap_or_else(|| panic!("mutant {m:?} lacks `{key}`"))
}

#[test]
fn every_semantic_mutant_applies_at_exactly_one_place() {
    let mutants = corpus();
    assert!(mutants.len() >= 20, "the corpus shrank to {}", mutants.len());
    let mut ids = HashSet::new();
    for m in &mutants {
        let id = field(m, "id");
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        for key in m.keys() {
            assert!(
                ["id", "file", "find", "replace", "why", "origin"].contains(&key.as_str()),
                "{id}: unknown key {key}"
            );
        }
        assert!(["audit", "review"].contains(&field(m, "origin")), "{id}: origin");
        assert!(!field(m, "why").trim().is_empty(), "{id}: why");
        let file = field(m, "file");
        assert!(
            file.starts_with("src/objective/") || file == "src/lyapunov.rs" || file.starts_with("src/claims/"),
            "{id}: {file} is outside the campaign's files"
        );
        let text = std::fs::read_to_string(Path::new(file)).unwrap_or_else(|e| panic!("{id}: {file}: {e}"));
        let (find, replace) = (field(m, "find"), field(m, "replace"));
        assert_ne!(find, replace, "{id}: the replacement changes nothing");
        assert_eq!(text.matches(find).count(), 1, "{id}: `{find}` must occur exactly once in {file}");
    }
}

#[test]
fn the_audits_mutants_are_in_the_corpus() {
    // Issue 14 named these; each must stay in the corpus.
    let ids: HashSet<String> = corpus().iter().map(|m| field(m, "id").to_string()).collect();
    for id in
        ["balance-derivative-drops-two", "c3-rhs-is-lhs", "c9-ignores-failures", "empirical-closed-convention-always"]
    {
        assert!(ids.contains(id), "{id} missing");
    }
}

/// The record of mutants already run (`tests/mutants/tested.tsv`), which
/// `.ci/mutants <what> fresh N` reads to pick mutants never run before: every
/// row is a session, a run, one of cargo-mutants' four outcomes and a mutant
/// name as `cargo mutants --list` prints it, in a file the campaign covers.
#[test]
fn the_record_of_run_mutants_is_well_formed() {
    let text = std::fs::read_to_string("tests/mutants/tested.tsv").expect("read the record");
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
    assert!(rows.len() >= 900, "the record shrank to {} rows", rows.len());
    for row in rows {
        let fields: Vec<&str> = row.split('\t').collect();
        assert_eq!(fields.len(), 4, "{row}");
        assert!(fields[0].parse::<u32>().is_ok(), "session: {row}");
        assert!(["caught", "missed", "timeout", "unviable"].contains(&fields[2]), "outcome: {row}");
        let (place, mutation) = fields[3].split_once(": ").expect("file:line:column: mutation");
        let mut parts = place.split(':');
        let file = parts.next().unwrap_or_default();
        assert!(
            file.starts_with("src/objective/") || file == "src/lyapunov.rs" || file.starts_with("src/claims/"),
            "{row}"
        );
        assert!(parts.all(|n| n.parse::<u32>().is_ok()) && !mutation.is_empty(), "{row}");
    }
}
