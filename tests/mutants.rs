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

/// `k / n` and what follows it in a cell of the samples table, with the
/// bold marks removed: "21 / 23 (91 %)" gives (21, 23, "(91 %)").
fn counts(cell: &str) -> Option<(u32, u32, String)> {
    let cell = cell.replace("**", "");
    let (k, rest) = cell.trim().split_once(" / ")?;
    let n_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    Some((k.trim().parse().ok()?, rest[..n_end].parse().ok()?, rest[n_end..].trim().to_string()))
}

/// The 95 % Wilson interval of k successes in n, in per cent.
fn wilson(k: u32, n: u32) -> (f64, f64) {
    let (z, n) = (1.959964_f64, f64::from(n));
    let p = f64::from(k) / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    (100.0 * (centre - half), 100.0 * (centre + half))
}

/// The samples table of proofs/MUTANTS.md adds up: "all samples" is the sum
/// of the sample rows, "session S's samples" and "sessions A to B" the sums
/// of the rows run in those sessions, and every printed rate and Wilson
/// interval is the one its counts give. (The totals were kept by hand for
/// sixteen sessions; this keeps them from drifting.)
#[test]
fn the_samples_table_of_the_campaign_adds_up() {
    let text = std::fs::read_to_string("proofs/MUTANTS.md").expect("read proofs/MUTANTS.md");
    let table = text.split("| sample | tests at commit |").nth(1).expect("the samples table");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim().trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let session_of = |commit: &str| {
        commit.split("(session ").nth(1).and_then(|s| s.split(')').next()).and_then(|s| s.parse::<u32>().ok())
    };
    let mut samples = Vec::new();
    let mut summaries = Vec::new();
    for row in &rows {
        assert_eq!(row.len(), 3, "{row:?}");
        let (k, n, rest) = counts(row[2]).unwrap_or_else(|| panic!("counts in {row:?}"));
        assert!(k <= n, "{row:?}");
        if row[0].starts_with("semantic") {
            continue;
        }
        if row[1].is_empty() {
            summaries.push((row[0].replace("**", ""), k, n, rest));
        } else {
            // A sample row prints its rate in whole per cent, halves rounded
            // up (37 / 40 is 93 %, where `{:.0}` would give 92), or none at 100 %.
            if let Some(pct) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(" %)")) {
                assert_eq!(pct, format!("{}", (100.0 * f64::from(k) / f64::from(n)).round()), "{row:?}");
            }
            samples.push((session_of(row[1]), k, n));
        }
    }
    assert!(samples.len() > 40 && summaries.len() > 5, "{} samples, {} summaries", samples.len(), summaries.len());
    let sum = |keep: &dyn Fn(Option<u32>) -> bool| {
        samples.iter().filter(|(s, ..)| keep(*s)).fold((0, 0), |(k, n), (_, a, b)| (k + a, n + b))
    };
    let mut derived = 0;
    for (name, k, n, rest) in &summaries {
        let words: Vec<&str> = name.split([' ', ',']).collect();
        let expected = match words.as_slice() {
            ["all", "samples"] => Some(sum(&|_| true)),
            ["session", s, "samples"] => {
                let s: u32 = s.strip_suffix("'s").and_then(|s| s.parse().ok()).expect("session number");
                Some(sum(&|t| t == Some(s)))
            }
            ["sessions", a, "to", b] => {
                let (a, b): (u32, u32) = (a.parse().expect("from"), b.parse().expect("to"));
                Some(sum(&|t| t.is_some_and(|t| (a..=b).contains(&t))))
            }
            // "each mutant once" removes repeats found in tested.tsv, which
            // the table does not list: only its rate is checked.
            _ => None,
        };
        if let Some(expected) = expected {
            assert_eq!((*k, *n), expected, "{name}");
            derived += 1;
        }
        let (lo, hi) = wilson(*k, *n);
        let pct = format!("{:.1}", 100.0 * f64::from(*k) / f64::from(*n));
        assert!(rest.starts_with(&format!("({pct} %;")), "{name}: {rest} should start ({pct} %;");
        assert!(rest.contains(&format!("interval {lo:.1}–{hi:.1} %)")), "{name}: {rest} should give {lo:.1}–{hi:.1}");
    }
    assert!(derived >= 4, "only {derived} summary rows were derived");
}
