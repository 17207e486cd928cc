//! One input of a check (a case plus named parameters such as γ or a point
//! x), and witnesses: instances saved as replayable files.
//!
//! A witness file is a case file with a `[witness]` table, so
//! `reluproof eval FILE` evaluates it and `reluproof replay FILE` re-runs its
//! check and compares the verdict.

use crate::model::case::{parse_case_with_witness, parse_number_value, Case, CaseError};
use crate::num::BigRational;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Value;

/// A named parameter of an instance.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// A rational number (γ, h, r, …).
    Number(BigRational),
    /// A point x ∈ ℚ^d.
    Vector(Vec<BigRational>),
}

/// The input of one check case.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Problem and θ.
    pub case: Case,
    /// Extra parameters, by name.
    pub params: BTreeMap<String, Param>,
}

impl Instance {
    /// An instance without parameters.
    pub fn of(case: Case) -> Self {
        Instance { case, params: BTreeMap::new() }
    }
    /// Adds a number parameter.
    pub fn with_number(mut self, key: &str, q: BigRational) -> Self {
        self.params.insert(key.into(), Param::Number(q));
        self
    }
    /// Adds a vector parameter.
    pub fn with_vector(mut self, key: &str, x: Vec<BigRational>) -> Self {
        self.params.insert(key.into(), Param::Vector(x));
        self
    }
    /// A number parameter.
    pub fn number(&self, key: &str) -> Option<&BigRational> {
        match self.params.get(key) {
            Some(Param::Number(q)) => Some(q),
            _ => None,
        }
    }
    /// A vector parameter.
    pub fn vector(&self, key: &str) -> Option<&[BigRational]> {
        match self.params.get(key) {
            Some(Param::Vector(x)) => Some(x),
            _ => None,
        }
    }
    /// Parameters as `key = value` text for reports.
    pub fn params_text(&self) -> String {
        self.params
            .iter()
            .map(|(k, p)| match p {
                Param::Number(q) => format!("{k} = {q}"),
                Param::Vector(x) => {
                    format!("{k} = ({})", x.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A saved outcome of a check on one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    /// Statement id, e.g. `C3`.
    pub statement: String,
    /// Check name.
    pub check: String,
    /// The wrong variant, for negative controls.
    pub mutant: Option<String>,
    /// Recorded verdict: `refuted` (a counterexample) or `holds`.
    pub verdict: String,
    /// What was violated, in words and exact numbers.
    pub detail: String,
    /// The input.
    pub instance: Instance,
    /// Comment lines written at the top of the file (command, seed, date).
    pub provenance: Vec<String>,
}

fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

impl Witness {
    /// The witness as a file: provenance comments, the case, then `[witness]`.
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        for line in &self.provenance {
            s += &format!("# {line}\n");
        }
        s += &self.instance.case.to_toml();
        s += "\n[witness]\n";
        s += &self.fields_toml();
        s += &format!("fingerprint = {}\n", quote(&self.fingerprint()));
        s += &self.params_toml();
        s
    }

    /// The `[witness]` keys but the fingerprint, one per line.
    fn fields_toml(&self) -> String {
        let mut s = format!("statement = {}\ncheck = {}\n", quote(&self.statement), quote(&self.check));
        if let Some(m) = &self.mutant {
            s += &format!("mutant = {}\n", quote(m));
        }
        s + &format!("verdict = {}\ndetail = {}\n", quote(&self.verdict), quote(&self.detail))
    }

    /// The `[witness.params]` table, empty without parameters.
    fn params_toml(&self) -> String {
        let mut s = String::new();
        if !self.instance.params.is_empty() {
            s += "\n[witness.params]\n";
            for (k, p) in &self.instance.params {
                match p {
                    Param::Number(q) => s += &format!("{k} = \"{q}\"\n"),
                    Param::Vector(x) => {
                        let items: Vec<String> = x.iter().map(|q| format!("\"{q}\"")).collect();
                        s += &format!("{k} = [{}]\n", items.join(", "));
                    }
                }
            }
        }
        s
    }

    /// A hash of everything the witness records (the exact case, the
    /// parameters, statement, check, control, verdict and detail, in the
    /// notation [`Witness::to_toml`] writes, so layout and comments do not
    /// count), as `fnv1a64:` and 16 hex digits. Written into the file, it
    /// lets `replay` and every reader refuse a witness whose data were edited
    /// after it was recorded: the recorded detail would no longer describe
    /// them. It detects accidents, not forgery.
    pub fn fingerprint(&self) -> String {
        let body = format!("{}\n[witness]\n{}{}", self.instance.case.to_toml(), self.fields_toml(), self.params_toml());
        format!("fnv1a64:{:016x}", crate::dynamics::guard::fnv1a64(body.as_bytes()))
    }

    /// Parses a witness file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Witness, CaseError> {
        let (case, table) = parse_case_with_witness(file, text)?;
        let err = |field: &str, message: &str| CaseError {
            file: file.to_string(),
            field: field.to_string(),
            message: message.to_string(),
        };
        let t = table.ok_or_else(|| err("witness", "missing table [witness]: this is a case file, not a witness"))?;
        for k in t.keys() {
            if !["statement", "check", "mutant", "verdict", "detail", "fingerprint", "params"].contains(&k.as_str()) {
                return Err(err(
                    &format!("witness.{k}"),
                    "unknown key; expected statement, check, mutant, verdict, detail, fingerprint, params",
                ));
            }
        }
        let string = |k: &str, required: bool| -> Result<Option<String>, CaseError> {
            match t.get(k) {
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(err(&format!("witness.{k}"), "expected a string")),
                None if required => Err(err(&format!("witness.{k}"), "missing")),
                None => Ok(None),
            }
        };
        let mut params = BTreeMap::new();
        match t.get("params") {
            None => {}
            Some(Value::Table(p)) => {
                for (k, v) in p {
                    let field = format!("witness.params.{k}");
                    let param = match v {
                        Value::Array(xs) => Param::Vector(
                            xs.iter()
                                .enumerate()
                                .map(|(i, x)| parse_number_value(file, &format!("{field}[{i}]"), x))
                                .collect::<Result<_, _>>()?,
                        ),
                        x => Param::Number(parse_number_value(file, &field, x)?),
                    };
                    params.insert(k.clone(), param);
                }
            }
            Some(_) => return Err(err("witness.params", "expected a table")),
        }
        let verdict = string("verdict", true)?.unwrap_or_default();
        if !["refuted", "holds"].contains(&verdict.as_str()) {
            return Err(err("witness.verdict", "expected \"refuted\" or \"holds\""));
        }
        let provenance = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim().to_string())
            .collect();
        let w = Witness {
            statement: string("statement", true)?.unwrap_or_default(),
            check: string("check", true)?.unwrap_or_default(),
            mutant: string("mutant", false)?,
            verdict,
            detail: string("detail", false)?.unwrap_or_default(),
            instance: Instance { case, params },
            provenance,
        };
        // Files written by hand carry no fingerprint; one that does must
        // still describe the data it was recorded with.
        if let Some(recorded) = string("fingerprint", false)? {
            let now = w.fingerprint();
            if recorded != now {
                return Err(err(
                    "witness.fingerprint",
                    &format!(
                        "recorded {recorded}, but the file's case, parameters and record now hash to {now}: the witness was edited after it was saved, so its recorded detail no longer describes its data (delete the fingerprint line to use the edited case as a new one)"
                    ),
                ));
            }
        }
        Ok(w)
    }

    /// Reads a witness file.
    pub fn read(path: &Path) -> Result<Witness, CaseError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CaseError {
            file: file.clone(),
            field: String::new(),
            message: format!("cannot read the file: {e}"),
        })?;
        Witness::parse(&file, &text)
    }
}
