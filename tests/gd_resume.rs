//! A gradient-descent run that is killed midway and resumed with `--resume`
//! equals the uninterrupted run byte for byte (JSON lines and CSV), as
//! certified dyadic runs promise.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_reluproof")
}

fn case() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/random-h10.toml")
}

fn gd(args: &[&str]) {
    let out = Command::new(bin()).arg("gd").arg(case()).args(args).arg("--quiet").output().expect("run reluproof");
    assert!(out.status.success(), "gd {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn resumed_run_equals_uninterrupted_run_of_killed_run() {
    let dir = std::env::temp_dir().join(format!("reluproof-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = |name: &str| dir.join(name).display().to_string();
    let common = ["--state", "dyadic:96", "--checkpoint", "40"];
    gd(&[&["--steps", "300", "--out", &p("full.jsonl"), "--csv", &p("full.csv")][..], &common].concat());
    gd(&[&["--steps", "170", "--out", &p("part.jsonl"), "--csv", &p("part.csv")][..], &common].concat());
    // Simulate a kill in the middle of writing a line.
    let part = std::fs::read(p("part.jsonl")).expect("partial run");
    std::fs::write(p("part.jsonl"), &part[..part.len() - 123]).expect("truncate");
    gd(&[&["--steps", "300", "--resume", &p("part.jsonl"), "--csv", &p("part.csv")][..], &common].concat());
    assert_eq!(std::fs::read(p("full.jsonl")).expect("full"), std::fs::read(p("part.jsonl")).expect("resumed"));
    assert_eq!(std::fs::read(p("full.csv")).expect("full"), std::fs::read(p("part.csv")).expect("resumed"));
    let lines = std::fs::read_to_string(p("full.jsonl")).expect("full").lines().count();
    assert_eq!(lines, 301, "one record per state n = 0..=300");
}
