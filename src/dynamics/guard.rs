//! What `gd`, `sgd` and `gf` check before they run: that the case is one
//! they can run honestly (exact L and G, positive mass, inside the hypotheses
//! of the claim the run checks), that no output file overwrites an input or
//! another output, and the fingerprint that ties a trajectory file to the
//! case and the settings it was computed for.

use crate::model::case::Case;
use crate::model::{Activation, DerivativeAtZero, Target};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// 64-bit FNV-1a of `bytes`: a stable hash (the same on every platform and
/// Rust version), used to fingerprint cases and checksum checkpoints. It
/// detects accidental changes and mix-ups, not deliberate forgery.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The fingerprint of a case: a hash of its exact problem and θ (the case as
/// [`Case::to_toml`] writes it, so comments, layout and number notation do not
/// matter), as `fnv1a64:` and 16 hex digits.
pub fn case_fingerprint(case: &Case) -> String {
    format!("fnv1a64:{:016x}", fnv1a64(case.to_toml().as_bytes()))
}

/// Checks that a checkpoint was recorded for this case and these settings.
///
/// A checkpoint written by this version carries `case_fingerprint` and
/// `settings`; a mismatch of either is refused, naming both. An older file
/// without them is accepted (there is nothing to compare).
pub fn check_fingerprint(file: &Path, cp: &Value, case: &Case, settings: &str) -> Result<(), String> {
    check_case(file, cp, case)?;
    if let Some(got) = cp.get("settings") {
        let got = got.as_str().unwrap_or("?");
        if got != settings {
            return Err(format!(
                "{}: recorded with the settings `{got}`, resumed with `{settings}`: resume with the same options",
                file.display()
            ));
        }
    }
    Ok(())
}

/// The command (`gd`, `sgd` or `gf`) whose run wrote checkpoint `cp`: the
/// first word of its `settings`, or for an older file without them, a key
/// only that command writes.
fn origin(cp: &Value) -> Option<&'static str> {
    let from_settings = cp.get("settings").and_then(Value::as_str).and_then(|s| s.split_whitespace().next());
    match from_settings {
        Some("gd") => Some("gd"),
        Some("sgd") => Some("sgd"),
        Some("gf") => Some("gf"),
        _ if cp.get("flow").is_some() => Some("gf"),
        _ if cp.get("gamma_c").is_some() => Some("sgd"),
        _ if cp.get("tally_a").is_some() => Some("gd"),
        _ => None,
    }
}

/// Refuses to resume with `cmd` a checkpoint another command wrote, and a
/// checkpoint of another case: checked before any option, since a
/// trajectory of another command or case differs in every option and
/// naming one of them would mislead.
pub fn check_origin(file: &Path, cp: &Value, case: &Case, cmd: &str) -> Result<(), String> {
    if let Some(got) = origin(cp) {
        if got != cmd {
            // Led by the option, so that `gf` does not attribute it to the case file.
            return Err(format!(
                "--resume {}: {} {got} trajectory, not a {cmd} one: resume it with `reluproof {got}`",
                file.display(),
                if got == "sgd" { "an" } else { "a" }
            ));
        }
    }
    check_case(file, cp, case)
}

/// Refuses a checkpoint recorded for another case (an older file without a
/// fingerprint is accepted: there is nothing to compare).
fn check_case(file: &Path, cp: &Value, case: &Case) -> Result<(), String> {
    let want = case_fingerprint(case);
    if let Some(got) = cp.get("case_fingerprint") {
        let got = got.as_str().unwrap_or("?");
        if got != want {
            return Err(format!(
                "{}: recorded for a different case (case fingerprint {got}); the case given now has fingerprint {want}: resume with the case file the run started from",
                file.display()
            ));
        }
    }
    Ok(())
}

/// What `gd`, `sgd` and `gf` do before a run: read the case, refuse it outside the
/// hypotheses of `claim` ([`runnable`]), and refuse outputs that would
/// overwrite an input or each other ([`check_outputs`]; `--resume` writes to
/// the file it resumes, so it is an output too: [`trajectory_output`]).
/// Returns the case and its path as text.
pub fn case_for_run(
    case_path: &Path,
    cmd: &str,
    claim: &str,
    outputs: [(&str, Option<&Path>); 3],
    force: bool,
) -> Result<(Case, String), String> {
    let case = crate::model::case::read_case(case_path).map_err(|e| e.to_string())?;
    let file = case_path.display().to_string();
    runnable(&case, &file, cmd, claim)?;
    check_outputs(&[case_path], &outputs, force)?;
    Ok((case, file))
}

/// The trajectory file a run writes, with the option that names it:
/// `--out`, or the file `--resume` continues.
pub fn trajectory_output<'a>(out: Option<&'a Path>, resume: Option<&'a Path>) -> (&'static str, Option<&'a Path>) {
    match (out, resume) {
        (Some(o), _) => ("--out", Some(o)),
        (None, r) => ("--resume", r),
    }
}

/// Refuses a case that `cmd` (gd, sgd or gf) cannot run honestly, with a
/// message naming the file and the field: a smooth activation or the `sin`
/// target (L and G are not exact rationals; the dynamics run on exact
/// piecewise polynomial cases only), zero mass, and cases outside the
/// hypotheses of the claim the run checks (`claim`: C9, C10 or C11): a
/// nonconstant target, an activation other than ReLU, no output bias, or
/// σ'(0) = 1. Outside the hypotheses an inequality failing is no finding, so
/// the run is refused rather than reported as one.
pub fn runnable(case: &Case, file: &str, cmd: &str, claim: &str) -> Result<(), String> {
    let p = &case.problem;
    if !p.activation.is_piecewise_polynomial() {
        return Err(format!(
            "{file}: field `problem.activation`: {cmd} runs on exact piecewise polynomial cases only; {} is smooth (its L and G are transcendental: `reluproof eval` evaluates them in MPFR, `reluproof check E3` checks them)",
            p.activation.name()
        ));
    }
    if !p.target.is_exact() {
        return Err(format!(
            "{file}: field `problem.target`: {cmd} runs on exact cases only; the target sin is transcendental (`reluproof eval` evaluates it in MPFR)"
        ));
    }
    p.check_mass().map_err(|e| format!("{file}: {e}"))?;
    let outside = if !matches!(p.target, Target::Constant(_)) {
        Some(("problem.target", format!("the target is {}, not constant", p.target.name())))
    } else if p.activation != Activation::Relu {
        Some(("problem.activation", format!("the activation is {}, not relu", p.activation.describe())))
    } else if !p.output_bias {
        Some(("problem.output_bias", "no output bias".to_string()))
    } else if p.derivative_at_zero == DerivativeAtZero::Closed {
        Some(("problem.sigma_prime_zero", "sigma'(0) = 1, not the papers' sigma'(0) = 0".to_string()))
    } else {
        None
    };
    if let Some((field, why)) = outside {
        return Err(format!(
            "{file}: field `{field}`: the case is outside the hypotheses of {claim} ({why}); {cmd} checks {claim}, which claims nothing here, so it does not run (`reluproof check` and `reluproof search` explore the edge cases)"
        ));
    }
    Ok(())
}

/// The path as the file system resolves it (for comparing paths): the
/// canonical path of an existing file, else its canonical directory joined
/// with its name.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match (parent.canonicalize(), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p.to_path_buf(),
    }
}

/// Whether two paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    a == b || resolved(a) == resolved(b)
}

/// Whether an existing file looks like a case or witness file (a TOML file
/// with a `[problem]`, `[theta]` or `[witness]` table): an input that an
/// output must not replace without `--force`.
pub fn is_case_file(p: &Path) -> bool {
    use std::io::Read;
    let Ok(f) = std::fs::File::open(p) else { return false };
    let mut head = Vec::new();
    if f.take(1 << 20).read_to_end(&mut head).is_err() {
        return false;
    }
    String::from_utf8_lossy(&head).lines().map(str::trim).any(|l| matches!(l, "[problem]" | "[theta]" | "[witness]"))
}

/// Checks the output files of a run before anything is written: no two
/// outputs (`(option, path)`) on one path (always refused), and without
/// `force` no output on an input (`inputs`) or on an existing case or
/// witness file, and no `--out` trajectory on an existing non-empty file.
pub fn check_outputs(inputs: &[&Path], outputs: &[(&str, Option<&Path>)], force: bool) -> Result<(), String> {
    let outs: Vec<(&str, &Path)> = outputs.iter().filter_map(|(o, p)| p.map(|p| (*o, p))).collect();
    for (i, (oa, a)) in outs.iter().enumerate() {
        for (ob, b) in &outs[i + 1..] {
            if same_file(a, b) {
                return Err(format!(
                    "{oa} {} and {ob} {} name the same file: give each output its own path",
                    a.display(),
                    b.display()
                ));
            }
        }
        if force {
            continue;
        }
        if let Some(input) = inputs.iter().find(|x| same_file(a, x)) {
            return Err(format!(
                "{oa} {}: that is the input file {}; refusing to overwrite an input (choose another path, or give --force)",
                a.display(),
                input.display()
            ));
        }
        if a.exists() && is_case_file(a) {
            return Err(format!(
                "{oa} {}: the file exists and is a case or witness file; refusing to overwrite it (choose another path, or give --force)",
                a.display()
            ));
        }
        // A trajectory is the record of a run that may have taken hours:
        // starting a new one on it needs --force, continuing it is --resume.
        if *oa == "--out" && std::fs::metadata(a).is_ok_and(|m| m.len() > 0) {
            return Err(format!(
                "--out {}: the file exists (the trajectory of an earlier run?); refusing to replace it: continue it with --resume {}, choose another path, or give --force to start over",
                a.display(),
                a.display()
            ));
        }
    }
    Ok(())
}

/// Keeps at most about `cap` evenly spaced samples of a long series (the
/// per-step values a summary plots), in O(cap) memory however long the run:
/// when the buffer is full every other sample is dropped and the stride
/// doubles. The first and the latest sample are always kept.
#[derive(Clone, Debug)]
pub struct Decimated<T> {
    cap: usize,
    stride: u64,
    seen: u64,
    kept: Vec<T>,
    latest: Option<T>,
    latest_kept: bool,
}

impl<T: Clone> Decimated<T> {
    /// An empty series keeping about `cap` (≥ 2) samples.
    pub fn new(cap: usize) -> Self {
        Decimated { cap: cap.max(2), stride: 1, seen: 0, kept: Vec::new(), latest: None, latest_kept: false }
    }
    /// Adds the next sample.
    pub fn push(&mut self, x: T) {
        self.latest_kept = false;
        if self.seen % self.stride == 0 {
            self.kept.push(x.clone());
            self.latest_kept = true;
            if self.kept.len() >= self.cap {
                let len = self.kept.len();
                let mut i = 0;
                self.kept.retain(|_| {
                    i += 1;
                    (i - 1) % 2 == 0
                });
                self.latest_kept = len % 2 == 1;
                self.stride *= 2;
            }
        }
        self.seen += 1;
        self.latest = Some(x);
    }
    /// The kept samples and the latest one.
    pub fn into_vec(self) -> Vec<T> {
        let mut v = self.kept;
        if let (Some(l), false) = (self.latest, self.latest_kept) {
            v.push(l);
        }
        v
    }
}

/// Samples a plotted run keeps at most.
pub const SERIES_CAP: usize = 8192;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_first_last_and_bounded() {
        let mut d = Decimated::new(16);
        for i in 0..10_000u64 {
            d.push(i);
        }
        let v = d.into_vec();
        assert!(v.len() <= 17, "{}", v.len());
        assert_eq!(v.first(), Some(&0));
        assert_eq!(v.last(), Some(&9999));
        assert!(v.windows(2).all(|w| w[0] < w[1]));
        let mut short = Decimated::new(16);
        for i in 0..5u64 {
            short.push(i);
        }
        assert_eq!(short.into_vec(), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
