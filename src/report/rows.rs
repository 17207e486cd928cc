//! One row per check (or per statement without a check), as printed in the
//! table and written to JSON.

use crate::claims::engine::{CheckReport, Verdict, WEAK_BELOW};
use crate::claims::instance::Witness;
use crate::claims::strength::{formal_of, strength, Formal, Proof, Strength};
use crate::claims::{Expected, Statement, Status, STATEMENTS};
use serde_json::{json, Value};

/// A report row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Statement id.
    pub id: &'static str,
    /// Check name, or the statement's name where it has no check.
    pub name: String,
    /// Statement status.
    pub status: Status,
    /// Expected verdict.
    pub expected: Expected,
    /// Verdict word.
    pub verdict: &'static str,
    /// Cases run.
    pub cases: usize,
    /// Guarantee word, with precision where it matters.
    pub guarantee: String,
    /// Smallest margin seen, with its case index.
    pub min_margin: Option<String>,
    /// The case where the margin was smallest (problem, theta, params), as JSON.
    pub min_margin_case: Option<Value>,
    /// The counterexample, if refuted.
    pub witness: Option<Witness>,
    /// Where the witness was written, if it was.
    pub witness_file: Option<String>,
    /// How the check is weaker than the claim, and other remarks.
    pub notes: Vec<String>,
    /// The check's summary (what one case verifies).
    pub summary: String,
    /// The negative control, if this row ran one.
    pub mutant: Option<String>,
    /// `cross-checked` (L and G verified against the definitional evaluator)
    /// or `consistency only`; `None` for rows without a check.
    pub values: Option<String>,
    /// What the generated cases covered (`coverage` in JSON), for check rows.
    pub coverage: Option<Value>,
    /// An edge expected to fail whose cases all held: made inconclusive
    /// because the budget did not reach a known counterexample.
    pub budget_missed_counterexample: bool,
}

impl Row {
    /// Whether the verdict contradicts the expectation: a refuted paper or
    /// derived claim (an edge expected to fail that held is made
    /// inconclusive by [`check_row`]).
    ///
    /// A negative control (a deliberately wrong variant) expects the opposite:
    /// refuted for a claim, holds for an edge statement expected to fail.
    pub fn is_finding(&self) -> bool {
        match (self.mutant.is_some(), self.expected, self.verdict) {
            (false, Expected::Holds, "refuted") | (false, Expected::Fails, "holds") => true,
            (true, Expected::Holds, v) => v != "refuted",
            (true, Expected::Fails, v) => v != "holds",
            _ => false,
        }
    }
    /// How strongly the row is known (see [`crate::claims::strength`]);
    /// `None` where nothing was decided, and for negative controls.
    pub fn strength(&self) -> Option<Strength> {
        let proof = crate::claims::statement(self.id).map_or(Proof::None, |s| s.proof);
        strength(self.verdict, &self.guarantee, proof, self.formal(), self.mutant.is_some())
    }
    /// The formal theorem behind the row's check, if any.
    pub fn formal(&self) -> Option<&'static Formal> {
        formal_of(&self.name)
    }
    /// The verdict in words that do not say more than is known: never a bare
    /// "holds".
    pub fn verdict_text(&self) -> String {
        let kind = if self.guarantee.starts_with("exact") {
            "exact cases"
        } else if self.guarantee.starts_with("enclosure") {
            "cases (enclosures)"
        } else {
            "cases (approximate)"
        };
        match self.verdict {
            "holds" => format!("no counterexample in {} {kind}", self.cases),
            // Only where every case held: an edge inconclusive for another
            // reason (an undecided enclosure, a value that is not finite)
            // keeps the bare word, and its note gives the reason.
            "inconclusive" if self.budget_missed_counterexample => {
                format!("inconclusive: not refuted in {} {kind}", self.cases)
            }
            "refuted" => {
                let w = self.guarantee.split_whitespace().next().unwrap_or("exact");
                format!("refuted ({w} witness)")
            }
            v => v.to_string(),
        }
    }
    /// Whether this is an edge expected to fail whose own check (not a
    /// negative control) found no counterexample: "holds" there only means
    /// the budget did not reach one.
    fn is_unrefuted_edge_candidate(&self) -> bool {
        self.mutant.is_none() && self.expected == Expected::Fails && self.verdict == "holds"
    }
    /// Whether the budget was too small for the verdict to carry weight.
    pub fn is_weak(&self) -> bool {
        self.verdict == "holds" && self.cases < WEAK_BELOW
    }
    /// The row as JSON (keys id, name, status, expected, verdict, cases,
    /// guarantee, min_margin, witness are an interface).
    pub fn to_json(&self) -> Value {
        let witness = self.witness.as_ref().map(witness_json);
        json!({
            "id": self.id,
            "name": self.name,
            "status": self.status.word(),
            "expected": self.expected.word(),
            "verdict": self.verdict,
            "verdict_text": self.verdict_text(),
            "strength": self.strength().map(|s| s.word()),
            "proof": crate::claims::statement(self.id)
                .filter(|s| s.proof != Proof::None)
                .map(|s| format!("proofs/{}.md ({})", s.id, s.proof.word())),
            "formal": self.formal().map(|f| json!({"file": f.file, "theorem": f.theorems[0], "theorems": f.theorems, "covers": f.covers})),
            "cases": self.cases,
            "guarantee": self.guarantee,
            "min_margin": self.min_margin,
            "min_margin_case": self.min_margin_case,
            "witness": witness,
            "witness_file": self.witness_file,
            "weak": self.is_weak(),
            "finding": self.is_finding(),
            "notes": self.notes,
            "summary": self.summary,
            "mutant": self.mutant,
            "values": self.values,
            "coverage": self.coverage,
        })
    }
}

impl Row {
    /// A row read back from its [`Row::to_json`] (the `progress.jsonl` of a
    /// report directory), for `check --resume`; `None` if it does not parse.
    /// The witness is read back from `witness_file`.
    pub fn from_json(v: &Value) -> Option<Row> {
        let s = crate::claims::statement(v.get("id")?.as_str()?)?;
        let verdict = ["holds", "refuted", "inconclusive", "not yet checked", "definition"]
            .into_iter()
            .find(|w| Some(*w) == v.get("verdict").and_then(Value::as_str))?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let witness_file = text("witness_file");
        let witness = match &witness_file {
            Some(f) => Some(Witness::read(std::path::Path::new(f)).ok()?),
            None => None,
        };
        if verdict == "refuted" && witness.is_none() {
            return None;
        }
        let mut row = statement_row(s, verdict);
        row.name = text("name")?;
        row.cases = usize::try_from(v.get("cases")?.as_u64()?).ok()?;
        row.guarantee = text("guarantee")?;
        row.min_margin = text("min_margin");
        row.min_margin_case = v.get("min_margin_case").filter(|c| !c.is_null()).cloned();
        row.witness = witness;
        row.witness_file = witness_file;
        row.notes = v.get("notes")?.as_array()?.iter().filter_map(|n| n.as_str().map(str::to_string)).collect();
        row.summary = text("summary").unwrap_or_default();
        row.mutant = text("mutant");
        row.values = text("values");
        row.coverage = v.get("coverage").filter(|c| !c.is_null()).cloned();
        Some(row)
    }
}

/// A witness as JSON: `problem` and `theta` with the fields of a case file,
/// plus `params` and `detail`.
pub fn witness_json(w: &Witness) -> Value {
    let table: toml::Table = w.to_toml().parse().unwrap_or_default();
    let get = |k: &str| table.get(k).and_then(|v| serde_json::to_value(v).ok()).unwrap_or(Value::Null);
    let params = table
        .get("witness")
        .and_then(|t| t.get("params"))
        .and_then(|v| serde_json::to_value(v).ok())
        .unwrap_or(Value::Null);
    json!({
        "statement": w.statement,
        "check": w.check,
        "mutant": w.mutant,
        "detail": w.detail,
        "problem": get("problem"),
        "theta": get("theta"),
        "params": params,
    })
}

fn statement_row(s: &Statement, verdict: &'static str) -> Row {
    Row {
        id: s.id,
        name: s.name.to_string(),
        status: s.status,
        expected: s.expected,
        verdict,
        cases: 0,
        guarantee: "-".into(),
        min_margin: None,
        min_margin_case: None,
        witness: None,
        witness_file: None,
        notes: Vec::new(),
        summary: String::new(),
        mutant: None,
        values: None,
        coverage: None,
        budget_missed_counterexample: false,
    }
}

/// The row of a check report.
pub fn check_row(r: &CheckReport) -> Row {
    let s = crate::claims::statement(r.statement).expect("registered statement");
    let mut row = statement_row(s, r.verdict.word());
    row.name = r.check.to_string();
    row.cases = r.verdict.cases();
    row.summary = r.summary.to_string();
    row.mutant = r.mutant.clone();
    row.guarantee = match r.backend {
        crate::backend::BackendSpec::Interval(bits) => format!("{} ({bits}-bit MPFR intervals)", r.guarantee),
        crate::backend::BackendSpec::F64Interval => format!("{} (f64 intervals)", r.guarantee),
        _ => r.guarantee.to_string(),
    };
    if let Some(c) = r.caveat {
        row.notes.push(format!("weaker than the claim: {c}"));
    }
    row.values = Some(r.values.word().to_string());
    if r.values == crate::claims::Values::ConsistencyOnly {
        row.notes.push("values: consistency only (L and G come from the fast path alone; they are not cross-checked against the definitional evaluator)".into());
    }
    if let Some(c) = &r.coverage {
        row.coverage = Some(c.to_json());
        row.notes.push(c.line(matches!(r.verdict, Verdict::Refuted { .. })));
    }
    if let (Some(f), Verdict::Holds { .. }, None) = (row.formal(), &r.verdict, &r.mutant) {
        row.notes.push(format!(
            "formal ({}: {}): Coq's kernel checked it for every theta, for {}; outside that class the row is proved (proofs/{}.md and the cases above)",
            f.file,
            f.theorems.join(", "),
            f.covers,
            r.statement
        ));
    }
    if row.is_unrefuted_edge_candidate() {
        // A counterexample to this edge is known (the default budget finds
        // one; tests/witnesses/ keeps them): a budget that did not reach one
        // has learnt nothing about the edge. Inconclusive, so it is neither a
        // finding nor given a strength.
        row.verdict = "inconclusive";
        row.budget_missed_counterexample = true;
        row.notes.push(format!(
            "expected refuted, but no counterexample in these {} cases: the budget did not reach one (raise --cases or --search; the default budget refutes it)",
            row.cases
        ));
    }
    match &r.verdict {
        Verdict::Holds { cases, consistent_only, skipped, min_margin } => {
            if let Some((m, i, inst)) = min_margin {
                row.min_margin = Some(format!("{} at case {i}", m.text));
                let w = Witness {
                    statement: r.statement.into(),
                    check: r.check.into(),
                    mutant: r.mutant.clone(),
                    verdict: "holds".into(),
                    detail: format!("smallest margin: {}", m.text),
                    instance: (**inst).clone(),
                    provenance: Vec::new(),
                };
                row.min_margin_case = Some(witness_json(&w));
            }
            if *consistent_only > 0 {
                row.notes.push(format!(
                    "{consistent_only} of {cases} cases are only consistent: the enclosure contains the equality, which an enclosure cannot prove; use an exact backend for a proof"
                ));
            }
            if *skipped > 0 {
                row.notes.push(format!("{skipped} generated cases did not meet the hypotheses and were skipped"));
            }
            if *cases < WEAK_BELOW {
                row.notes.push(format!("weak: only {cases} cases; raise --cases"));
            }
        }
        Verdict::Refuted { case_index, witness, .. } => {
            row.notes.push(format!("case {case_index}: {}", witness.detail));
            row.witness = Some((**witness).clone());
        }
        Verdict::Inconclusive { reason, .. } => row.notes.push(reason.clone()),
        _ => {}
    }
    row
}

/// Rows for the selected statements: one per check run, and one per
/// statement that has none (definitions, statements not yet checked).
pub fn rows_for(ids: &[&'static str], reports: &[CheckReport]) -> Vec<Row> {
    rows_of(ids, reports.iter().map(check_row).collect())
}

/// The rows of the selected statements: the given check rows in statement
/// order, and a row for each statement without one.
pub fn rows_of(ids: &[&'static str], check_rows: Vec<Row>) -> Vec<Row> {
    let mut rows = Vec::new();
    for s in STATEMENTS.iter().filter(|s| ids.contains(&s.id)) {
        let mine: Vec<&Row> = check_rows.iter().filter(|r| r.id == s.id).collect();
        if mine.is_empty() {
            let v = if s.status == Status::Definition { Verdict::Definition } else { Verdict::NotYetChecked };
            rows.push(statement_row(s, v.word()));
        } else {
            rows.extend(mine.into_iter().cloned());
        }
    }
    rows
}

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// The terminal table: id | name | origin | expected | strength | verdict | guarantee | min margin.
pub fn table(rows: &[Row]) -> String {
    let head = ["id", "name", "origin", "expected", "strength", "verdict", "guarantee", "min margin"];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let mut verdict = r.verdict_text();
            if r.is_finding() {
                verdict += " (FINDING)";
            } else if r.is_weak() {
                verdict += " (weak)";
            }
            [
                r.id.to_string(),
                r.name.clone(),
                r.status.word().to_string(),
                r.expected.word().to_string(),
                r.strength().map_or("-", |s| s.word()).to_string(),
                verdict,
                r.guarantee.clone(),
                r.min_margin.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for c in &cells {
        for (k, x) in c.iter().enumerate().take(7) {
            widths[k] = widths[k].max(x.chars().count());
        }
    }
    let line = |c: &[String]| -> String {
        let mut s = String::new();
        for (k, x) in c.iter().enumerate() {
            if k == 7 {
                s += x;
            } else {
                s += &pad(x, widths[k]);
                s += "  ";
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&head.map(String::from));
    for c in &cells {
        out += &line(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::BackendSpec;
    use crate::num::Guarantee;

    fn report(statement: &'static str, verdict: Verdict, mutant: Option<&str>) -> CheckReport {
        CheckReport {
            statement,
            check: "some_check",
            summary: "what one case verifies",
            backend: BackendSpec::Exact,
            guarantee: Guarantee::Exact,
            verdict,
            caveat: None,
            mutant: mutant.map(str::to_string),
            values: crate::claims::Values::CrossChecked,
            coverage: None,
        }
    }

    fn held(cases: usize) -> Verdict {
        Verdict::Holds { cases, consistent_only: 0, skipped: 0, min_margin: None }
    }

    /// An edge expected to fail (E1, E8) that a small budget did not refute
    /// is inconclusive: not a finding, no strength (an audit saw
    /// `check --cases 5` print "E8 … proved … (FINDING)" and exit 1).
    #[test]
    fn unrefuted_edge_is_inconclusive_not_a_finding() {
        for id in ["E1", "E8"] {
            let row = check_row(&report(id, held(5), None));
            assert_eq!(row.verdict, "inconclusive", "{id}");
            assert!(!row.is_finding(), "{id}");
            assert_eq!(row.strength(), None, "{id}");
            assert_eq!(row.verdict_text(), "inconclusive: not refuted in 5 exact cases");
            assert!(row.notes.iter().any(|n| n.contains("the budget did not reach one")), "{:?}", row.notes);
            // Inconclusive for another reason: the bare word, the reason in
            // the notes (not "not refuted in N cases").
            let undecided = Verdict::Inconclusive { reason: "an enclosure straddles 0".into(), cases: 5 };
            let row = check_row(&report(id, undecided, None));
            assert_eq!((row.verdict, row.verdict_text()), ("inconclusive", "inconclusive".to_string()), "{id}");
            assert!(row.notes.iter().any(|n| n == "an enclosure straddles 0"), "{:?}", row.notes);
        }
        // Its negative control restores the assumption: holding is what it expects.
        let control = check_row(&report("E1", held(5), Some("constant_target")));
        assert_eq!((control.verdict, control.is_finding()), ("holds", false));
        // A claim expected to hold keeps its verdict, and a refuted one is a finding.
        let claim = check_row(&report("C3", held(5), None));
        assert_eq!((claim.verdict, claim.is_finding()), ("holds", false));
        let refuted = Row { verdict: "refuted", ..claim };
        assert!(refuted.is_finding());
    }
}
