//! proofs/ and the check registry match one to one: a file per statement of
//! CLAIMS.md, whose front matter repeats the registry's id, name, status and
//! dependencies and lists exactly the registered checks of that statement.

use reluproof::claims::{registry, STATEMENTS};
use std::collections::BTreeSet;
use std::path::Path;

fn proofs_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs")
}

/// The `key: value` lines between the leading `---` fences.
fn front_matter(text: &str) -> Vec<(String, String)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("---"), "front matter must open with ---");
    lines
        .take_while(|l| *l != "---")
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap_or_else(|| panic!("bad front matter line {l:?}"));
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect()
}

fn list(v: &str) -> BTreeSet<String> {
    let inner = v.trim().trim_start_matches('[').trim_end_matches(']');
    inner.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

#[test]
fn proofs_and_registry_match_one_to_one() {
    let checks = registry();
    let mut files: BTreeSet<String> = std::fs::read_dir(proofs_dir())
        .expect("proofs/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md" && n != "CLAIMS.md" && n != "MUTANTS.md")
        .collect();
    let mut listed_checks = BTreeSet::new();
    for s in STATEMENTS {
        let name = format!("{}.md", s.id);
        assert!(files.remove(&name), "proofs/{name} is missing");
        let text = std::fs::read_to_string(proofs_dir().join(&name)).expect("readable");
        let fm = front_matter(&text);
        let keys: Vec<&str> = fm.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["id", "name", "status", "depends_on", "checks", "proof"], "proofs/{name}: front matter keys");
        let get = |k: &str| fm.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!(get("id"), s.id, "proofs/{name}: id");
        assert_eq!(get("name"), s.name, "proofs/{name}: name");
        assert_eq!(get("status"), s.status.word(), "proofs/{name}: status");
        assert_eq!(
            get("proof"),
            s.proof.word(),
            "proofs/{name}: proof (complete, partial or none) must match the registry"
        );
        if s.proof != reluproof::claims::Proof::None {
            assert!(text.contains("## Proof"), "proofs/{name}: declares a proof but has no proof section");
        }
        if s.proof == reluproof::claims::Proof::Partial {
            assert!(
                text.contains("not proved here"),
                "proofs/{name}: a partial proof must say what is not proved here"
            );
        }
        let deps: BTreeSet<String> = s.depends_on.iter().map(|d| d.to_string()).collect();
        assert_eq!(list(&get("depends_on")), deps, "proofs/{name}: depends_on");
        let registered: BTreeSet<String> =
            checks.iter().filter(|c| c.statement() == s.id).map(|c| c.name().to_string()).collect();
        assert_eq!(list(&get("checks")), registered, "proofs/{name}: checks must equal the registered checks");
        if registered.is_empty() && s.status != reluproof::claims::Status::Definition {
            assert!(text.contains("Not yet checked"), "proofs/{name}: a statement without a check must say so");
        }
        listed_checks.extend(registered);
    }
    assert!(files.is_empty(), "proofs/ has files for no statement: {files:?}");
    let all: BTreeSet<String> = checks.iter().map(|c| c.name().to_string()).collect();
    assert_eq!(listed_checks, all, "every registered check belongs to a statement file");
    assert_eq!(all.len(), checks.len(), "check names are unique");
}
