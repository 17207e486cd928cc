//! Trajectory files: one JSON object per step (JSON lines), optionally CSV.
//!
//! Every record has the keys `n`, `risk`, `lyapunov`, `theta_norm2`,
//! `grad_norm2` and `margin` (an interface); exact and dyadic runs write them
//! as `"p/q"` strings, float runs as decimal strings. Records may carry more
//! keys (`t`, `gamma`, …). Every `checkpoint`-th record, and the last one,
//! carries `theta`: the full state as exact `"p/q"` strings, from which
//! `--resume` continues bit for bit. Each line is flushed when written, so a
//! killed run loses at most the line being written.

use serde_json::{Map, Value};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The keys every record has, in CSV column order.
pub const KEYS: [&str; 6] = ["n", "risk", "lyapunov", "theta_norm2", "grad_norm2", "margin"];

/// One step of a trajectory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// Step index.
    pub n: u64,
    /// L(θ_n).
    pub risk: String,
    /// V(θ_n).
    pub lyapunov: String,
    /// ‖θ_n‖².
    pub theta_norm2: String,
    /// ‖G(θ_n)‖².
    pub grad_norm2: String,
    /// The checked inequality's slack at this step (meaning depends on the run).
    pub margin: String,
    /// Further keys (e.g. `t`, `gamma`, `theta`).
    pub extra: Map<String, Value>,
}

impl Record {
    /// The record as one JSON object.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("n".into(), Value::from(self.n));
        m.insert("risk".into(), Value::from(self.risk.clone()));
        m.insert("lyapunov".into(), Value::from(self.lyapunov.clone()));
        m.insert("theta_norm2".into(), Value::from(self.theta_norm2.clone()));
        m.insert("grad_norm2".into(), Value::from(self.grad_norm2.clone()));
        m.insert("margin".into(), Value::from(self.margin.clone()));
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }
    /// Parses a record from a JSON object; `None` if a key is missing.
    pub fn from_json(v: &Value) -> Option<Record> {
        let o = v.as_object()?;
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let mut extra = o.clone();
        for k in KEYS {
            extra.remove(k);
        }
        Some(Record {
            n: o.get("n")?.as_u64()?,
            risk: s("risk")?,
            lyapunov: s("lyapunov")?,
            theta_norm2: s("theta_norm2")?,
            grad_norm2: s("grad_norm2")?,
            margin: s("margin")?,
            extra,
        })
    }
}

/// Streams records to a JSON-lines file and optionally a CSV file.
pub struct TrajectoryWriter {
    jsonl: Option<File>,
    csv: Option<File>,
    path: Option<PathBuf>,
}

fn io_err(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}

impl TrajectoryWriter {
    /// A writer to nowhere (records are only returned to the caller).
    pub fn none() -> Self {
        TrajectoryWriter { jsonl: None, csv: None, path: None }
    }
    /// Creates (truncates) `out`, and `csv` if given, writing the CSV header.
    pub fn create(out: Option<&Path>, csv: Option<&Path>) -> Result<Self, String> {
        let jsonl = out.map(|p| File::create(p).map_err(|e| io_err(p, e))).transpose()?;
        let mut csvf = csv.map(|p| File::create(p).map_err(|e| io_err(p, e))).transpose()?;
        if let (Some(f), Some(p)) = (csvf.as_mut(), csv) {
            writeln!(f, "{}", KEYS.join(",")).map_err(|e| io_err(p, e))?;
        }
        Ok(TrajectoryWriter { jsonl, csv: csvf, path: out.map(Path::to_path_buf) })
    }
    /// Opens `out` for appending (after [`truncate_before_last_checkpoint`]), and
    /// `csv` for appending too.
    pub fn append(out: &Path, csv: Option<&Path>) -> Result<Self, String> {
        let jsonl = OpenOptions::new().append(true).open(out).map_err(|e| io_err(out, e))?;
        let csvf = match csv {
            Some(p) if p.exists() => Some(OpenOptions::new().append(true).open(p).map_err(|e| io_err(p, e))?),
            Some(p) => {
                let mut f = File::create(p).map_err(|e| io_err(p, e))?;
                writeln!(f, "{}", KEYS.join(",")).map_err(|e| io_err(p, e))?;
                Some(f)
            }
            None => None,
        };
        Ok(TrajectoryWriter { jsonl: Some(jsonl), csv: csvf, path: Some(out.to_path_buf()) })
    }
    /// Whether records go anywhere (building them costs exact-to-decimal conversions).
    pub fn is_active(&self) -> bool {
        self.jsonl.is_some() || self.csv.is_some()
    }
    /// Writes one record and flushes it. A checkpoint (a record with
    /// `theta`) gets a `checksum` of its other keys, which `--resume` verifies.
    pub fn write(&mut self, r: &Record) -> Result<(), String> {
        let path = self.path.clone().unwrap_or_default();
        if let Some(f) = self.jsonl.as_mut() {
            let mut v = r.to_json();
            if let Some(o) = v.as_object_mut().filter(|o| o.contains_key("theta")) {
                let sum = checksum(o);
                o.insert("checksum".into(), Value::from(sum));
            }
            writeln!(f, "{v}").and_then(|_| f.flush()).map_err(|e| io_err(&path, e))?;
        }
        if let Some(f) = self.csv.as_mut() {
            writeln!(f, "{},{},{},{},{},{}", r.n, r.risk, r.lyapunov, r.theta_norm2, r.grad_norm2, r.margin)
                .and_then(|_| f.flush())
                .map_err(|e| io_err(&path, e))?;
        }
        Ok(())
    }
}

/// The checksum of a checkpoint: FNV-1a over its keys other than
/// `checksum`, in sorted order, with their values as written.
pub fn checksum(o: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = o.keys().filter(|k| k.as_str() != "checksum").collect();
    keys.sort();
    let mut text = String::new();
    for k in keys {
        text += k;
        text.push('=');
        text += &o[k].to_string();
        text.push('\n');
    }
    format!("fnv1a64:{:016x}", super::guard::fnv1a64(text.as_bytes()))
}

/// Verifies the checksum of a checkpoint (older files without one pass).
fn verify_checkpoint(path: &Path, cp: &Value) -> Result<(), String> {
    let Some(o) = cp.as_object() else { return Ok(()) };
    match o.get("checksum") {
        None => Ok(()),
        Some(recorded) if recorded.as_str() == Some(checksum(o).as_str()) => Ok(()),
        Some(_) => Err(format!(
            "{}: corrupt file: the checkpoint at n = {} does not match its checksum (a value in it was altered); start the run again or resume from an intact copy",
            path.display(),
            o.get("n").map_or_else(|| "?".to_string(), Value::to_string)
        )),
    }
}

/// Reads every complete JSON line of a trajectory file (a torn last line,
/// from a killed run, is ignored).
pub fn read_records(path: &Path) -> Result<Vec<Value>, String> {
    let f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut out = Vec::new();
    for line in BufReader::new(f).lines() {
        let line = line.map_err(|e| io_err(path, e))?;
        match serde_json::from_str::<Value>(&line) {
            Ok(v) => out.push(v),
            Err(_) => break,
        }
    }
    Ok(out)
}

/// The complete lines of a trajectory file, byte for byte, and the records
/// they hold up to the first that does not parse (a torn last line, from a
/// killed run, is dropped), with the index of the last record that carries
/// `theta` (a checkpoint).
fn complete_records<'a>(path: &Path, body: &'a str) -> Result<(Vec<&'a str>, Vec<Value>, usize), String> {
    let lines: Vec<&str> = body.split_inclusive('\n').filter(|l| l.ends_with('\n')).collect();
    let parsed: Vec<Value> = lines.iter().map_while(|l| serde_json::from_str::<Value>(l).ok()).collect();
    let last = parsed
        .iter()
        .rposition(|r| r.get("theta").is_some())
        .ok_or_else(|| format!("{}: no checkpoint (a record with \"theta\") to resume from", path.display()))?;
    verify_checkpoint(path, &parsed[last])?;
    Ok((lines, parsed, last))
}

/// The record [`truncate_before_last_checkpoint`] would return, leaving the
/// file as it is.
pub fn last_checkpoint(path: &Path) -> Result<Value, String> {
    let body = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let (_, mut parsed, last) = complete_records(path, &body)?;
    Ok(parsed.swap_remove(last))
}

/// Cuts a trajectory file (and its CSV, if given) back to just before its
/// last record that carries `theta`, and returns that record: a resumed run
/// restarts from its state and rewrites it and everything after it, which
/// deterministic runs reproduce identically.
pub fn truncate_before_last_checkpoint(path: &Path, csv: Option<&Path>) -> Result<Value, String> {
    let body = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    // Complete lines only, kept byte for byte (a torn last line is dropped).
    let (lines, mut parsed, last) = complete_records(path, &body)?;
    std::fs::write(path, lines[..last].concat()).map_err(|e| io_err(path, e))?;
    if let Some(c) = csv {
        if c.exists() {
            let body = std::fs::read_to_string(c).map_err(|e| io_err(c, e))?;
            let kept: String = body.split_inclusive('\n').take(last + 1).collect();
            std::fs::write(c, kept).map_err(|e| io_err(c, e))?;
        }
    }
    Ok(parsed.swap_remove(last))
}
