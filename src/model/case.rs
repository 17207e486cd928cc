//! Case files: a problem and a θ, in TOML, with every number parsed exactly.
//!
//! ```toml
//! [problem]
//! measure = "lebesgue"      # "lebesgue", "uniform" (probability), "empirical"
//! a = "0"
//! b = "1"
//! target = "1"              # the constant ξ
//! activation = "relu"
//! sigma_prime_zero = "open" # σ'(0) = 0 (default); "closed" for σ'(0) = 1
//!
//! [theta]
//! w = ["1/2", "-3"]         # d > 1: one array of d numbers per neuron
//! b = ["1", "2/3"]
//! v = ["-1", "5"]
//! c = "0"
//! ```
//!
//! A box ∏_i [a_i, b_i] (d ≥ 2) gives arrays: `a = ["0", "-1/2"]`,
//! `b = ["1", "3"]`; scalar ends with `d = D` give the cube [a, b]^D.
//! Empirical measures give `points` (d = 1: an array of numbers; otherwise an
//! array of arrays) and optionally `weights` (default 1/n each).
//! Numbers are strings ("3/7", "-0.125", "1e-3", "2") or TOML integers. A TOML
//! float is accepted and converted exactly (0.1 becomes
//! 3602879701896397/36028797018963968); the case records a note saying so.

use super::{Activation, DerivativeAtZero, Measure, Problem, Target, Theta};
use crate::num::parse::{parse_rational, rational_from_f64_exact};
use crate::num::BigRational;
use num_traits::{Signed, Zero};
use std::fmt;
use std::path::Path;
use toml::{Table, Value};

/// A problem and a parameter vector θ, read from a case file.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The learning problem.
    pub problem: Problem,
    /// The parameters θ.
    pub theta: Theta<BigRational>,
    /// Remarks about the input, e.g. TOML floats that were converted exactly.
    pub notes: Vec<String>,
}

/// A bad case file: which file, which field, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    /// The file name as given.
    pub file: String,
    /// The field, e.g. `theta.w[2]`; empty for whole-file errors.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: field `{}`: {}", self.file, self.field, self.message)
        }
    }
}

impl std::error::Error for CaseError {}

struct Reader<'a> {
    file: &'a str,
    notes: Vec<String>,
}

const PROBLEM_KEYS: &[&str] =
    &["measure", "a", "b", "d", "points", "weights", "target", "activation", "sigma_prime_zero", "output_bias"];
const THETA_KEYS: &[&str] = &["w", "b", "v", "c"];

/// Longest number (in characters) a case file may hold.
pub const MAX_NUMBER_CHARS: usize = 100_000;

/// Largest box dimension d accepted (see [`crate::objective::boxes`]).
pub const MAX_BOX_DIM: usize = 6;

/// Largest case file read, in bytes.
pub const MAX_CASE_BYTES: u64 = 256 << 20;

impl Reader<'_> {
    fn err<T>(&self, field: &str, message: impl Into<String>) -> Result<T, CaseError> {
        Err(CaseError { file: self.file.to_string(), field: field.to_string(), message: message.into() })
    }

    fn table<'t>(&self, root: &'t Table, key: &str) -> Result<&'t Table, CaseError> {
        match root.get(key) {
            Some(Value::Table(t)) => Ok(t),
            Some(_) => self.err(key, format!("expected a table [{key}]")),
            None => self.err(key, format!("missing table [{key}]")),
        }
    }

    fn no_unknown_keys(&self, t: &Table, prefix: &str, allowed: &[&str]) -> Result<(), CaseError> {
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                let field = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                return self.err(&field, format!("unknown key; expected one of: {}", allowed.join(", ")));
            }
        }
        Ok(())
    }

    fn number(&mut self, v: &Value, field: &str) -> Result<BigRational, CaseError> {
        match v {
            Value::String(s) if s.len() > MAX_NUMBER_CHARS => self.err(
                field,
                format!(
                    "a number of {} characters; at most {MAX_NUMBER_CHARS} are accepted (exact parsing of longer ones is slow)",
                    s.len()
                ),
            ),
            Value::String(s) => match parse_rational(s) {
                Ok(q) => Ok(q),
                Err(e) => self.err(field, e.to_string()),
            },
            Value::Integer(i) => Ok(BigRational::from_integer((*i).into())),
            Value::Float(f) => match rational_from_f64_exact(*f) {
                Ok(q) => {
                    self.notes.push(format!(
                        "{field}: the TOML float {f} was converted exactly to {q}; write \"{f}\" as a string for the decimal value"
                    ));
                    Ok(q)
                }
                Err(_) => self.err(field, format!("expected a finite number, got the float {f}")),
            },
            other => self.err(field, format!("expected a number as a string like \"3/7\", got {}", other.type_str())),
        }
    }

    fn get_number(&mut self, t: &Table, prefix: &str, key: &str) -> Result<BigRational, CaseError> {
        let field = format!("{prefix}.{key}");
        match t.get(key) {
            Some(v) => self.number(v, &field),
            None => self.err(&field, "missing; expected a number such as \"0\" or \"3/7\""),
        }
    }

    fn array<'v>(&self, v: &'v Value, field: &str) -> Result<&'v Vec<Value>, CaseError> {
        match v {
            Value::Array(a) => Ok(a),
            other => self.err(field, format!("expected an array, got {}", other.type_str())),
        }
    }

    fn numbers(&mut self, v: &Value, field: &str) -> Result<Vec<BigRational>, CaseError> {
        let arr = self.array(v, field)?;
        arr.iter().enumerate().map(|(i, x)| self.number_at(x, field, i)).collect()
    }

    /// [`Reader::number`] for `field[i]`, naming the field only when needed
    /// (an error or a note), not once per entry of a long array.
    fn number_at(&mut self, v: &Value, field: &str, i: usize) -> Result<BigRational, CaseError> {
        match v {
            Value::String(s) if s.len() <= MAX_NUMBER_CHARS => {
                if let Ok(q) = parse_rational(s) {
                    return Ok(q);
                }
            }
            Value::Integer(n) => return Ok(BigRational::from_integer((*n).into())),
            _ => {}
        }
        self.number(v, &format!("{field}[{i}]"))
    }

    /// An array of vectors: numbers (d = 1) or arrays of d numbers each.
    fn vectors(&mut self, v: &Value, field: &str, d: Option<usize>) -> Result<Vec<Vec<BigRational>>, CaseError> {
        let arr = self.array(v, field)?;
        let mut out: Vec<Vec<BigRational>> = Vec::with_capacity(arr.len());
        for (i, x) in arr.iter().enumerate() {
            let row = match x {
                Value::Array(_) => self.numbers(x, &format!("{field}[{i}]"))?,
                _ => vec![self.number_at(x, field, i)?],
            };
            let f = || format!("{field}[{i}]");
            if row.is_empty() {
                return self
                    .err(&f(), "an empty array: a point needs at least one coordinate (input dimension d >= 1)");
            }
            let want = d.or_else(|| out.first().map(Vec::len)).unwrap_or(row.len());
            if row.is_empty() || row.len() != want {
                return self.err(
                    &f(),
                    format!("expected {want} coordinate(s) (input dimension d = {want}), got {}", row.len()),
                );
            }
            out.push(row);
        }
        Ok(out)
    }

    fn string<'v>(
        &self,
        t: &'v Table,
        prefix: &str,
        key: &str,
        default: Option<&'v str>,
    ) -> Result<&'v str, CaseError> {
        match (t.get(key), default) {
            (Some(Value::String(s)), _) => Ok(s),
            (Some(other), _) => {
                self.err(&format!("{prefix}.{key}"), format!("expected a string, got {}", other.type_str()))
            }
            (None, Some(d)) => Ok(d),
            (None, None) => self.err(&format!("{prefix}.{key}"), "missing"),
        }
    }

    /// `problem.d`: absent (1, or the length of array ends) or a positive integer.
    fn dimension(&self, t: &Table) -> Result<Option<usize>, CaseError> {
        match t.get("d") {
            None => Ok(None),
            Some(Value::Integer(d)) if *d >= 1 => Ok(Some(*d as usize)),
            Some(_) => self.err("problem.d", "expected a positive integer dimension"),
        }
    }

    /// The ends of `lebesgue` and `uniform`: scalars `a = "0"`, `b = "1"`
    /// give [a, b] (d = 1), or the cube [a, b]^d with `d = D`; arrays
    /// `a = ["0", "-1/2"]`, `b = ["1", "3"]` give the box ∏_i [a_i, b_i].
    fn interval_or_box(&mut self, t: &Table, measure_name: &str) -> Result<Measure, CaseError> {
        let probability = measure_name == "uniform";
        let d = self.dimension(t)?;
        let (av, bv) = match (t.get("a"), t.get("b")) {
            (Some(a), Some(b)) => (a, b),
            (None, _) => {
                return self
                    .err("problem.a", "missing; expected a number such as \"0\", or an array of d numbers for a box")
            }
            (_, None) => {
                return self
                    .err("problem.b", "missing; expected a number such as \"1\", or an array of d numbers for a box")
            }
        };
        let (a, b) = match (av, bv) {
            (Value::Array(_), Value::Array(_)) => (self.numbers(av, "problem.a")?, self.numbers(bv, "problem.b")?),
            (Value::Array(_), _) => {
                return self.err("problem.b", "problem.a is an array (a box), so b must be an array of as many numbers")
            }
            (_, Value::Array(_)) => {
                return self.err("problem.a", "problem.b is an array (a box), so a must be an array of as many numbers")
            }
            _ => {
                let (a, b) = (self.number(av, "problem.a")?, self.number(bv, "problem.b")?);
                if a >= b {
                    return self.err("problem.b", format!("the domain [a, b] needs a < b; got a = {a}, b = {b}"));
                }
                return Ok(match d.unwrap_or(1) {
                    1 if probability => Measure::Uniform { a, b, d: 1 },
                    1 => Measure::Lebesgue { a, b },
                    d => Measure::Box { a: vec![a; d], b: vec![b; d], probability },
                });
            }
        };
        if a.is_empty() {
            return self.err("problem.a", "an empty array: a box needs at least one coordinate range");
        }
        if a.len() != b.len() {
            return self.err(
                "problem.b",
                format!("expected {} number(s), one per coordinate as in problem.a, got {}", a.len(), b.len()),
            );
        }
        if let Some(d) = d.filter(|&d| d != a.len()) {
            return self.err("problem.d", format!("d = {d}, but the box has {} coordinate range(s)", a.len()));
        }
        if let Some(i) = (0..a.len()).find(|&i| a[i] >= b[i]) {
            return self.err(
                &format!("problem.b[{i}]"),
                format!("each range [a_i, b_i] needs a_i < b_i; got a[{i}] = {}, b[{i}] = {}", a[i], b[i]),
            );
        }
        if a.len() > MAX_BOX_DIM {
            return self.err(
                "problem.a",
                format!(
                    "a box of dimension {}; exact integration over boxes is offered for d <= {MAX_BOX_DIM} (its cost grows like 2^d d! per pair of neurons); use an empirical measure",
                    a.len()
                ),
            );
        }
        Ok(match a.len() {
            1 if probability => Measure::Uniform { a: a[0].clone(), b: b[0].clone(), d: 1 },
            1 => Measure::Lebesgue { a: a[0].clone(), b: b[0].clone() },
            _ => Measure::Box { a, b, probability },
        })
    }

    fn problem(&mut self, t: &Table) -> Result<Problem, CaseError> {
        self.no_unknown_keys(t, "problem", PROBLEM_KEYS)?;
        let measure_name = self.string(t, "problem", "measure", None)?;
        let interval_keys_only = |r: &Self, allowed: &[&str]| -> Result<(), CaseError> {
            for k in ["a", "b", "d", "points", "weights"] {
                if t.contains_key(k) && !allowed.contains(&k) {
                    return r.err(&format!("problem.{k}"), format!("not used by measure = \"{measure_name}\""));
                }
            }
            Ok(())
        };
        let measure = match measure_name {
            "lebesgue" | "uniform" => {
                interval_keys_only(self, &["a", "b", "d"])?;
                self.interval_or_box(t, measure_name)?
            }
            "empirical" => {
                interval_keys_only(self, &["points", "weights"])?;
                let pts = match t.get("points") {
                    Some(v) => self.vectors(v, "problem.points", None)?,
                    None => return self.err("problem.points", "missing; an empirical measure needs its points"),
                };
                if pts.is_empty() {
                    return self.err("problem.points", "an empirical measure needs at least one point");
                }
                let weights = match t.get("weights") {
                    Some(v) => self.numbers(v, "problem.weights")?,
                    None => vec![BigRational::new(1.into(), pts.len().into()); pts.len()],
                };
                if weights.len() != pts.len() {
                    return self.err(
                        "problem.weights",
                        format!("expected {} weights, one per point, got {}", pts.len(), weights.len()),
                    );
                }
                if let Some(i) = weights.iter().position(|p| p.is_negative()) {
                    return self.err(
                        &format!("problem.weights[{i}]"),
                        format!("weights must be nonnegative; got {}", weights[i]),
                    );
                }
                Measure::Empirical { points: pts, weights }
            }
            other => {
                return self.err(
                    "problem.measure",
                    format!("unknown measure {other:?}; expected \"lebesgue\", \"uniform\" or \"empirical\""),
                )
            }
        };
        let d = measure.dim();
        let target = match t.get("target") {
            Some(Value::Table(tt)) => self.target_table(tt, d)?,
            Some(Value::String(s)) if s == "sin" => {
                if d != 1 {
                    return self.err("problem.target", "the target \"sin\" is for d = 1 only");
                }
                Target::Sin
            }
            Some(v) => Target::Constant(self.number(v, "problem.target")?),
            None => return self.err("problem.target", "missing; expected the constant target ξ, e.g. \"1\""),
        };
        let activation = match t.get("activation") {
            Some(Value::Table(at)) => self.activation_table(at)?,
            _ => {
                let name = self.string(t, "problem", "activation", Some("relu"))?;
                self.activation_name("problem.activation", name)?
            }
        };
        let output_bias = match t.get("output_bias") {
            None => true,
            Some(Value::Boolean(b)) => *b,
            Some(other) => {
                return self.err("problem.output_bias", format!("expected true or false, got {}", other.type_str()))
            }
        };
        let derivative_at_zero = match self.string(t, "problem", "sigma_prime_zero", Some("open"))? {
            "open" => DerivativeAtZero::Open,
            "closed" => DerivativeAtZero::Closed,
            other => {
                return self.err(
                    "problem.sigma_prime_zero",
                    format!("expected \"open\" (σ'(0) = 0, the papers') or \"closed\" (σ'(0) = 1), got {other:?}"),
                )
            }
        };
        let problem = Problem { measure, target, activation, derivative_at_zero, output_bias };
        if problem.measure.as_box().is_some() {
            if let Some(why) = crate::objective::boxes::unsupported(&problem) {
                let field = if split_ok(&problem.activation) { "problem.target" } else { "problem.activation" };
                return self.err(field, why);
            }
        }
        Ok(problem)
    }

    /// `{ slope = …, intercept = … }` (affine) or `{ knots = […], values = […] }`
    /// (continuous piecewise linear, d = 1).
    fn target_table(&mut self, t: &Table, d: usize) -> Result<Target, CaseError> {
        if t.contains_key("slope") || t.contains_key("intercept") {
            self.no_unknown_keys(t, "problem.target", &["slope", "intercept"])?;
            let slope = match t.get("slope") {
                Some(Value::Array(_)) => self.numbers(&t["slope"], "problem.target.slope")?,
                Some(v) => vec![self.number(v, "problem.target.slope")?],
                None => return self.err("problem.target.slope", "missing; an affine target needs its slope"),
            };
            if slope.len() != d {
                return self.err(
                    "problem.target.slope",
                    format!("expected {d} number(s), one per input coordinate (d = {d}), got {}", slope.len()),
                );
            }
            let intercept = self.get_number(t, "problem.target", "intercept")?;
            return Ok(Target::Affine { slope, intercept });
        }
        if t.contains_key("knots") || t.contains_key("values") {
            self.no_unknown_keys(t, "problem.target", &["knots", "values"])?;
            if d != 1 {
                return self.err("problem.target", "a piecewise linear target is for d = 1 only");
            }
            let get = |r: &mut Self, k: &str| match t.get(k) {
                Some(v) => r.numbers(v, &format!("problem.target.{k}")),
                None => {
                    r.err(&format!("problem.target.{k}"), "missing; a piecewise linear target needs knots and values")
                }
            };
            let knots = get(self, "knots")?;
            let values = get(self, "values")?;
            if knots.is_empty() {
                return self.err("problem.target.knots", "expected at least one breakpoint");
            }
            if values.len() != knots.len() {
                return self.err(
                    "problem.target.values",
                    format!("expected {} values, one per knot, got {}", knots.len(), values.len()),
                );
            }
            if let Some(k) = (1..knots.len()).find(|&k| knots[k] <= knots[k - 1]) {
                return self.err(
                    &format!("problem.target.knots[{k}]"),
                    format!("knots must increase strictly; got {} after {}", knots[k], knots[k - 1]),
                );
            }
            return Ok(Target::PiecewiseLinear { knots, values });
        }
        self.err(
            "problem.target",
            "expected a number (constant ξ), \"sin\", { slope = …, intercept = … } or { knots = […], values = […] }",
        )
    }

    /// `{ name = "leaky_relu", slope = "1/10" }`, or `{ name = "relu" }` etc.
    fn activation_table(&mut self, t: &Table) -> Result<Activation, CaseError> {
        let name = self.string(t, "problem.activation", "name", None)?;
        if name == "leaky_relu" {
            self.no_unknown_keys(t, "problem.activation", &["name", "slope"])?;
            let slope = self.get_number(t, "problem.activation", "slope")?;
            return Ok(Activation::LeakyRelu(slope));
        }
        self.no_unknown_keys(t, "problem.activation", &["name"])?;
        self.activation_name("problem.activation.name", name)
    }

    /// An activation without parameters, by name.
    fn activation_name(&self, field: &str, name: &str) -> Result<Activation, CaseError> {
        Ok(match name {
            "relu" => Activation::Relu,
            "abs" => Activation::Abs,
            "relu2" => Activation::ReluPow(2),
            "relu3" => Activation::ReluPow(3),
            "softplus" => Activation::Softplus,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "gelu" => Activation::Gelu,
            "silu" => Activation::Silu,
            "leaky_relu" => {
                return self.err(
                    field,
                    "leaky_relu needs its slope: write activation = { name = \"leaky_relu\", slope = \"1/10\" }",
                )
            }
            other => {
                return self.err(
                    field,
                    format!("unknown activation {other:?}; expected one of: {}", Activation::NAMES.join(", ")),
                )
            }
        })
    }

    fn theta(&mut self, t: &Table, d: usize, output_bias: bool) -> Result<Theta<BigRational>, CaseError> {
        self.no_unknown_keys(t, "theta", THETA_KEYS)?;
        let get = |r: &mut Self, key: &str| -> Result<Value, CaseError> {
            t.get(key).cloned().map_or_else(|| r.err(&format!("theta.{key}"), "missing"), Ok)
        };
        let wv = get(self, "w")?;
        let bv = get(self, "b")?;
        let vv = get(self, "v")?;
        let cv = match t.get("c") {
            None if !output_bias => Value::String("0".into()),
            _ => get(self, "c")?,
        };
        let w = self.vectors(&wv, "theta.w", Some(d))?;
        let b = self.numbers(&bv, "theta.b")?;
        let v = self.numbers(&vv, "theta.v")?;
        let c = self.number(&cv, "theta.c")?;
        if !output_bias && !c.is_zero() {
            return self
                .err("theta.c", format!("the problem has output_bias = false, so c must be 0 or absent; got {c}"));
        }
        let h = b.len();
        if h == 0 {
            return self.err(
                "theta.b",
                "the network is empty: width H must be at least 1 (one entry per neuron in w, b and v)",
            );
        }
        if w.len() != h {
            return self
                .err("theta.w", format!("expected {h} entries, one per neuron (theta.b has {h}), got {}", w.len()));
        }
        if v.len() != h {
            return self
                .err("theta.v", format!("expected {h} entries, one per neuron (theta.b has {h}), got {}", v.len()));
        }
        Ok(Theta { d, w: w.into_iter().flatten().collect(), b, v, c })
    }
}

/// Parses a case from TOML text; `file` names it in errors.
///
/// A top-level `[witness]` table (metadata of a saved counterexample) is
/// allowed and ignored here; see [`parse_case_with_witness`].
pub fn parse_case(file: &str, text: &str) -> Result<Case, CaseError> {
    parse_case_with_witness(file, text).map(|(c, _)| c)
}

/// Parses a case and returns its `[witness]` table, if any, uninterpreted.
pub fn parse_case_with_witness(file: &str, text: &str) -> Result<(Case, Option<Table>), CaseError> {
    let mut r = Reader { file, notes: Vec::new() };
    let root: Table = match text.parse::<Table>() {
        Ok(t) => t,
        Err(e) => {
            return r.err("", format!("invalid TOML: {}", crate::num::parse::clip_lines(e.to_string().trim_end(), 200)))
        }
    };
    r.no_unknown_keys(&root, "", &["problem", "theta", "witness"])?;
    let problem = r.problem(r.table(&root, "problem")?)?;
    let theta = r.theta(r.table(&root, "theta")?, problem.dim(), problem.output_bias)?;
    if problem.measure.as_box().is_some() {
        use crate::objective::boxes::powers::{work, MAX_POWER_WORK};
        use crate::objective::boxes::{work_estimate, MAX_WORK};
        let (d, h) = (theta.d, theta.width());
        let (estimate, most_work, what): (fn(usize, usize) -> u128, u128, &str) =
            if matches!(problem.activation, crate::model::Activation::ReluPow(_)) {
                (work, MAX_POWER_WORK, "the cells of its arrangement of H hyperplanes (ReLU^p)")
            } else {
                (work_estimate, MAX_WORK, "its H(H+1)/2 pair polytopes")
            };
        if estimate(d, h) > most_work {
            let most = (1..=h).take_while(|&k| estimate(d, k) <= most_work).last().unwrap_or(1);
            return r.err(
                "theta.b",
                format!("width H = {h} on a box in d = {d}: exact integration over {what} would run for a very long time; at most H = {most} is accepted in d = {d} (use an empirical measure for wider networks)"),
            );
        }
    }
    let witness = match root.get("witness") {
        None => None,
        Some(Value::Table(t)) => Some(t.clone()),
        Some(_) => return r.err("witness", "expected a table [witness]"),
    };
    Ok((Case { problem, theta, notes: r.notes }, witness))
}

/// Parses one number the way case files do (a string such as "3/7", or a
/// TOML integer; a TOML float is converted exactly). `field` names it in errors.
pub fn parse_number_value(file: &str, field: &str, v: &Value) -> Result<BigRational, CaseError> {
    Reader { file, notes: Vec::new() }.number(v, field)
}

/// Reads and parses a case file.
pub fn read_case(path: &Path) -> Result<Case, CaseError> {
    let file = path.display().to_string();
    if let Ok(m) = std::fs::metadata(path) {
        if m.len() > MAX_CASE_BYTES {
            return Err(CaseError {
                file,
                field: String::new(),
                message: format!(
                    "the file has {} bytes; case files of at most {MAX_CASE_BYTES} bytes are read",
                    m.len()
                ),
            });
        }
    }
    match std::fs::read_to_string(path) {
        Ok(text) => parse_case(&file, &text),
        Err(e) => Err(CaseError { file, field: String::new(), message: format!("cannot read the file: {e}") }),
    }
}

/// Whether the box path integrates this activation.
fn split_ok(a: &Activation) -> bool {
    crate::objective::boxes::split_activation(a).is_some()
}

fn quote(q: &BigRational) -> String {
    format!("\"{q}\"")
}

fn list(xs: &[BigRational]) -> String {
    format!("[{}]", xs.iter().map(quote).collect::<Vec<_>>().join(", "))
}

impl Case {
    /// The case as a TOML case file that [`parse_case`] reads back exactly.
    pub fn to_toml(&self) -> String {
        let p = &self.problem;
        let mut s = String::from("[problem]\n");
        s += &format!("measure = \"{}\"\n", p.measure.name());
        match &p.measure {
            Measure::Lebesgue { a, b } => s += &format!("a = {}\nb = {}\n", quote(a), quote(b)),
            Measure::Uniform { a, b, d } => s += &format!("a = {}\nb = {}\nd = {d}\n", quote(a), quote(b)),
            Measure::Box { a, b, .. } => s += &format!("a = {}\nb = {}\n", list(a), list(b)),
            Measure::Empirical { points, weights } => {
                let pts: Vec<String> = points.iter().map(|x| list(x)).collect();
                s += &format!("points = [{}]\nweights = {}\n", pts.join(", "), list(weights));
            }
        }
        match &p.target {
            Target::Constant(xi) => s += &format!("target = {}\n", quote(xi)),
            Target::Affine { slope, intercept } if slope.len() == 1 => {
                s += &format!("target = {{ slope = {}, intercept = {} }}\n", quote(&slope[0]), quote(intercept))
            }
            Target::Affine { slope, intercept } => {
                s += &format!("target = {{ slope = {}, intercept = {} }}\n", list(slope), quote(intercept))
            }
            Target::PiecewiseLinear { knots, values } => {
                s += &format!("target = {{ knots = {}, values = {} }}\n", list(knots), list(values))
            }
            Target::Sin => s += "target = \"sin\"\n",
        }
        match &p.activation {
            Activation::LeakyRelu(a) => {
                s += &format!("activation = {{ name = \"leaky_relu\", slope = {} }}\n", quote(a))
            }
            act => s += &format!("activation = \"{}\"\n", act.name()),
        }
        s += &format!("sigma_prime_zero = \"{}\"\n", p.derivative_at_zero.name());
        if !p.output_bias {
            s += "output_bias = false\n";
        }
        let th = &self.theta;
        s += "\n[theta]\n";
        if th.d == 1 {
            s += &format!("w = {}\n", list(&th.w));
        } else {
            let rows: Vec<String> = (0..th.width()).map(|j| list(th.w_row(j))).collect();
            s += &format!("w = [{}]\n", rows.join(", "));
        }
        s += &format!("b = {}\nv = {}\nc = {}\n", list(&th.b), list(&th.v), quote(&th.c));
        s
    }
}
