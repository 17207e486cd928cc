//! `check --shard K/N` and `merge`: three shards merged give the unsharded
//! report (apart from paths), and every bad input is a clear error (exit 2)
//! that loses nothing already written.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_reluproof"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("reluproof-shard-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The statements of the test run: an identity, an inequality with a
/// margin, an edge with a witness and a probe, with a small search.
const RUN: [&str; 9] = ["check", "C3", "C8", "E2", "Q1", "--cases", "64", "--search", "100"];

fn run(args: &[&str], extra: &[&str]) -> Output {
    bin().args(args).args(extra).arg("--quiet").output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// report.json with the report directory's name replaced, so two runs in
/// different directories compare equal.
fn normalised(dir: &Path, file: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).expect("report written");
    text.replace(&dir.display().to_string(), "OUT")
}

#[test]
fn three_shards_merged_equal_one_run() {
    let whole = tmp("whole");
    let o = run(&RUN, &["--report", whole.to_str().unwrap()]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let shards: Vec<PathBuf> = (1..=3).map(|k| tmp(&format!("s{k}"))).collect();
    for (k, d) in shards.iter().enumerate() {
        let o = run(&RUN, &["--shard", &format!("{}/3", k + 1), "--report", d.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(d.join("shard.json").exists());
    }
    let merged = tmp("merged");
    // Any order of the shard directories.
    let o = bin()
        .arg("merge")
        .args([&shards[2], &shards[0], &shards[1]])
        .arg("--report")
        .arg(&merged)
        .output()
        .expect("runs");
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    for f in ["report.json", "blueprint.md", "blueprint.svg"] {
        assert_eq!(normalised(&whole, f), normalised(&merged, f), "{f} differs");
    }
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d.join("witnesses"))
            .expect("witnesses/")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&whole), names(&merged));
    assert!(!names(&whole).is_empty(), "E2 and Q1 leave witnesses");
    for n in names(&whole) {
        let a = std::fs::read_to_string(whole.join("witnesses").join(&n)).unwrap();
        let b = std::fs::read_to_string(merged.join("witnesses").join(&n)).unwrap();
        assert_eq!(a, b, "witness {n}");
    }
    // The report carries a strength on every decided row.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(merged.join("report.json")).unwrap()).unwrap();
    for row in doc["claims"].as_array().unwrap() {
        if row["verdict"] == "holds" || row["verdict"] == "refuted" {
            assert!(row["strength"].is_string(), "{row}");
        }
    }
    for d in shards.iter().chain([&whole, &merged]) {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn bad_shard_specifications_are_refused() {
    let d = tmp("bad-spec");
    for spec in ["0/3", "4/3", "1/0", "x", "1/", "/3", "-1/3"] {
        let o = run(&["check", "C3", "--cases", "4"], &[&format!("--shard={spec}"), "--report", d.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "--shard {spec}: {}", stderr(&o));
        assert!(stderr(&o).contains("--shard"), "--shard {spec}: {}", stderr(&o));
    }
    assert!(!d.exists(), "nothing written for a refused shard");
}

/// A run of shard `k`/`n` with `extra` options into a fresh directory.
fn shard(name: &str, k: usize, n: usize, extra: &[&str]) -> PathBuf {
    let d = tmp(name);
    let o = run(
        &["check", "C3", "C8", "--cases", "12", "--search", "0"],
        &[&["--shard", &format!("{k}/{n}"), "--report", d.to_str().unwrap()], extra].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    d
}

fn merge(dirs: &[&Path], out: &Path) -> Output {
    bin().arg("merge").args(dirs).arg("--report").arg(out).output().expect("runs")
}

#[test]
fn merges_of_odd_shards_are_refused_naming_the_shard() {
    let a = shard("odd-a", 1, 2, &[]);
    let b = shard("odd-b", 2, 2, &[]);
    let other_seed = shard("odd-seed", 2, 2, &["--seed", "9"]);
    let other_cases = tmp("odd-cases");
    let o = run(
        &["check", "C3", "C8", "--cases", "13", "--search", "0"],
        &["--shard", "2/2", "--report", other_cases.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0));
    let three = shard("odd-three", 3, 3, &[]);
    let out = tmp("odd-out");
    let cases: [(&[&Path], &str); 5] = [
        (&[&a, &other_seed], "odd-seed"),
        (&[&a, &other_cases], "odd-cases"),
        (&[&a], "shard 2/2 is missing"),
        (&[&a, &a, &b], "given twice"),
        (&[&a, &three], "odd-three"),
    ];
    for (dirs, expect) in cases {
        let o = merge(dirs, &out);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{dirs:?}: {}", stderr(&o));
    }
    // A missing directory, and a shard killed before it finished.
    let missing = tmp("odd-missing");
    let o = merge(&[&a, &missing], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such shard directory"), "{}", stderr(&o));
    std::fs::remove_file(b.join("shard.json")).unwrap();
    let o = merge(&[&a, &b], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did not finish"), "{}", stderr(&o));
    // A shard's records from another version.
    let text = std::fs::read_to_string(a.join("shard.json")).unwrap();
    std::fs::write(a.join("shard.json"), text.replace(env!("CARGO_PKG_VERSION"), "0.0.0-other")).unwrap();
    let b2 = shard("odd-b2", 2, 2, &[]);
    let o = merge(&[&a, &b2], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("0.0.0-other"), "{}", stderr(&o));
    assert!(!out.join("report.json").exists(), "nothing written by a refused merge");
    for d in [a, b, b2, other_seed, other_cases, three, out] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_report_directory_in_use_is_refused_without_resume_or_force() {
    let d = tmp("in-use");
    let args = ["check", "C3", "--cases", "8", "--search", "0", "--report", d.to_str().unwrap()];
    assert_eq!(run(&args, &[]).status.code(), Some(0));
    let before = std::fs::read_to_string(d.join("progress.jsonl")).unwrap();
    let o = run(&args, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(d.join("progress.jsonl")).unwrap(), before, "nothing lost");
    assert_eq!(run(&args, &["--force"]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(d.join("progress.jsonl")).unwrap(), before, "a forced run starts over");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_torn_progress_line_loses_no_row_on_resume() {
    let d = tmp("torn");
    let args = ["check", "C3", "C4", "--cases", "8", "--search", "0", "--report", d.to_str().unwrap()];
    assert_eq!(run(&args, &[]).status.code(), Some(0));
    let whole = normalised(&d, "report.json");
    // Keep C3's line and half of C4's, as a kill in mid-write leaves it.
    let text = std::fs::read_to_string(d.join("progress.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    std::fs::write(d.join("progress.jsonl"), format!("{}\n{}", lines[0], &lines[1][..lines[1].len() / 2])).unwrap();
    std::fs::remove_file(d.join("report.json")).unwrap();
    let o = run(&args, &["--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(normalised(&d, "report.json"), whole);
    let text = std::fs::read_to_string(d.join("progress.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 3, "the torn line stays on its own line: {text}");
    assert!(
        text.lines().last().unwrap().starts_with('{')
            && serde_json::from_str::<Value>(text.lines().last().unwrap()).is_ok()
    );
    let _ = std::fs::remove_dir_all(d);
}

/// `--resume` continues only the same run: a directory holding a run with
/// another seed (or cases, backend, control, search) is refused, naming both,
/// before anything is written (an audit saw a seed-2 resume replace the seed-1
/// report.json and mix both runs in progress.jsonl).
#[test]
fn a_resume_with_other_options_is_refused_and_loses_nothing() {
    let d = tmp("other-options");
    let args = ["check", "C3", "--cases", "8", "--search", "0", "--report", d.to_str().unwrap()];
    assert_eq!(run(&args, &[]).status.code(), Some(0));
    let (progress, report) = (normalised(&d, "progress.jsonl"), normalised(&d, "report.json"));
    for other in [&["--seed", "2"][..], &["--cases", "9"], &["--search", "5"]] {
        let mut changed: Vec<&str> = args.to_vec();
        if other[0] == "--cases" || other[0] == "--search" {
            let at = changed.iter().position(|a| *a == other[0]).unwrap();
            changed[at + 1] = other[1];
        } else {
            changed.extend_from_slice(other);
        }
        let o = run(&changed, &["--resume"]);
        assert_eq!(o.status.code(), Some(2), "{other:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("continues only the same run"), "{other:?}: {}", stderr(&o));
        assert_eq!(normalised(&d, "progress.jsonl"), progress, "{other:?}: progress unchanged");
        assert_eq!(normalised(&d, "report.json"), report, "{other:?}: report unchanged");
    }
    // The same run resumes (nothing to do) and adds a check it did not have.
    let o =
        run(&["check", "C3", "C4", "--cases", "8", "--search", "0", "--report", d.to_str().unwrap()], &["--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(d);
}
