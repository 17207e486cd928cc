//! `reluproof eval`: L, G, V, ⟨∇V, G⟩ and 8L of a case on a chosen backend,
//! with the backend's guarantee and, for approximate backends, a rigorous
//! error bound from an interval re-evaluation at the same precision.

use crate::backend::BackendSpec;
use crate::lyapunov::{summarize, Summary};
use crate::model::case::Case;
use crate::model::Theta;
use crate::num::{BigRational, Endpoint, Guarantee, Interval, Ordered, Scalar};
use crate::objective::{evaluate, evaluate_from_exact};
use num_traits::{Signed, ToPrimitive, Zero};
use serde_json::{json, Value};

/// The result of `eval`, rendered to strings in the backend's notation.
#[derive(Clone, Debug)]
pub struct EvalResult {
    /// Backend name, e.g. `exact` or `mpfr:128`.
    pub backend: String,
    /// What the values promise.
    pub guarantee: Guarantee,
    /// For approximate backends: a rigorous bound on |value − exact value|,
    /// maximised over every printed number.
    pub error_bound: Option<f64>,
    /// L.
    pub risk: String,
    /// G in θ order.
    pub gradient: Vec<String>,
    /// V.
    pub lyapunov: String,
    /// ⟨∇V, G⟩.
    pub grad_v_dot_g: String,
    /// 8L.
    pub eight_risk: String,
    /// ⟨∇V, G⟩ − 8L.
    pub identity_defect: String,
    /// Q_j.
    pub balance: Vec<String>,
    /// ⟨∇Q_j, G⟩.
    pub balance_derivative: Vec<String>,
    /// Remarks on how the values were obtained (e.g. a quadrature's
    /// non-rigorous error estimate), printed with the report.
    pub notes: Vec<String>,
}

/// Names of the components of θ in order: `w1 … wH` (d = 1) or `w1,1 …`, then
/// `b1 …`, `v1 …`, `c`.
pub fn component_names<S>(theta: &Theta<S>) -> Vec<String> {
    let h = theta.b.len();
    let mut names = Vec::with_capacity(theta.w.len() + 2 * h + 1);
    for j in 1..=h {
        if theta.d == 1 {
            names.push(format!("w{j}"));
        } else {
            names.extend((1..=theta.d).map(|i| format!("w{j},{i}")));
        }
    }
    names.extend((1..=h).map(|j| format!("b{j}")));
    names.extend((1..=h).map(|j| format!("v{j}")));
    names.push("c".into());
    names
}

fn scalars<S: Scalar>(s: &Summary<S>) -> Vec<&S> {
    let mut v = vec![&s.risk, &s.lyapunov, &s.grad_v_dot_g, &s.eight_risk];
    v.extend(s.gradient.w.iter().chain(&s.gradient.b).chain(&s.gradient.v));
    v.push(&s.gradient.c);
    v.extend(s.balance.iter().chain(&s.balance_derivative));
    v
}

fn from_summary<S: Scalar>(s: &Summary<S>, ctx: &S::Ctx, error_bound: Option<f64>) -> EvalResult {
    let r = |x: &S| x.render();
    EvalResult {
        backend: S::backend_name(ctx),
        guarantee: S::guarantee(ctx),
        error_bound,
        risk: r(&s.risk),
        gradient: s.gradient.flatten().iter().map(r).collect(),
        lyapunov: r(&s.lyapunov),
        grad_v_dot_g: r(&s.grad_v_dot_g),
        eight_risk: r(&s.eight_risk),
        identity_defect: r(&s.grad_v_dot_g.sub(&s.eight_risk)),
        balance: s.balance.iter().map(r).collect(),
        balance_derivative: s.balance_derivative.iter().map(r).collect(),
        notes: Vec::new(),
    }
}

/// The full summary of a case in an ordered backend.
pub fn summary_ordered<S: Ordered>(case: &Case, ctx: &S::Ctx) -> Summary<S> {
    let prep = case.problem.prepare::<S>(ctx);
    let theta = case.theta.map(|q| S::from_rational(q, ctx));
    let ev = evaluate(&prep, &theta);
    summarize(&theta, &prep.xi, ev, ctx)
}

/// The full summary of a case in any backend, decisions taken exactly.
pub fn summary_from_exact<S: Scalar>(case: &Case, ctx: &S::Ctx) -> Summary<S> {
    let prep = case.problem.prepare::<S>(ctx);
    let theta = case.theta.map(|q| S::from_rational(q, ctx));
    let ev = evaluate_from_exact(&prep, &case.theta);
    summarize(&theta, &prep.xi, ev, ctx)
}

/// max over all values of |approx − exact|, bounded rigorously by the
/// enclosure: max(|x − lo|, |hi − x|). `None` if some value is not finite.
fn error_bound<S: Scalar, E: Endpoint>(approx: &Summary<S>, encl: &Summary<Interval<E>>) -> Option<f64> {
    let mut worst = BigRational::zero();
    for (x, iv) in scalars(approx).into_iter().zip(scalars(encl)) {
        let x = x.to_rational()?;
        let (lo, hi) = (iv.lo.exact()?, iv.hi.exact()?);
        for d in [(&x - &lo).abs(), (&hi - &x).abs()] {
            if d > worst {
                worst = d;
            }
        }
    }
    let f = worst.to_f64()?;
    // Round up: the printed bound must stay a bound.
    Some(if BigRational::from_float(f).is_some_and(|q| q >= worst) { f } else { f.next_up() })
}

/// Evaluates a case on the chosen backend.
///
/// Smooth activations and the `sin` target (not rational-valued) go through
/// [`crate::smooth`]: `interval[:BITS]` gives rigorous enclosures,
/// `mpfr[:BITS]` MPFR values with a rigorous error bound from the enclosure;
/// other backends are refused with a message naming these two. On Lebesgue
/// and uniform measures a line on stderr describes the quadrature (with its
/// non-rigorous error estimate) or the coarse panel enclosure.
pub fn run_eval(case: &Case, spec: BackendSpec) -> Result<EvalResult, String> {
    let p = &case.problem;
    p.check_mass()?;
    if crate::smooth::needs_smooth_path(p) {
        #[cfg(not(feature = "gmp"))]
        return match spec {
            BackendSpec::Interval(bits) => Ok(from_summary(&crate::smooth::dyadic_enclosure(case, bits)?, &bits, None)),
            _ => Err(crate::smooth::unavailable(p)),
        };
        #[cfg(feature = "gmp")]
        return match spec {
            BackendSpec::Interval(bits) => {
                let encl = crate::smooth::enclosure(case, bits)?;
                let mut r = from_summary(&encl.summary, &bits, None);
                r.notes.extend(encl.note());
                Ok(r)
            }
            BackendSpec::Mpfr(bits) => {
                let approx = crate::smooth::approximation(case, bits)?;
                let encl = crate::smooth::enclosure(case, bits)?;
                let mut r = from_summary(&approx.summary, &bits, error_bound(&approx.summary, &encl.summary));
                r.notes.extend(approx.quadrature.as_ref().map(|q| q.note()));
                Ok(r)
            }
            other => Err(format!(
                "{} is not rational-valued, so the backend {other} cannot evaluate it; use --backend interval[:BITS] for rigorous MPFR enclosures or --backend mpfr[:BITS] for MPFR values with an error bound",
                crate::smooth::describe(p)
            )),
        };
    }
    match spec {
        BackendSpec::Exact => Ok(from_summary(&summary_ordered::<BigRational>(case, &()), &(), None)),
        BackendSpec::F64 => {
            let s = summary_ordered::<f64>(case, &());
            let encl = summary_from_exact::<Interval<f64>>(case, &());
            Ok(from_summary(&s, &(), error_bound(&s, &encl)))
        }
        BackendSpec::F64Interval => Ok(from_summary(&summary_from_exact::<Interval<f64>>(case, &()), &(), None)),
        #[cfg(feature = "gmp")]
        BackendSpec::Gmp => Ok(from_summary(&summary_ordered::<rug::Rational>(case, &()), &(), None)),
        #[cfg(feature = "gmp")]
        BackendSpec::Mpfr(bits) => {
            let s = summary_ordered::<rug::Float>(case, &bits);
            let encl = summary_from_exact::<Interval<rug::Float>>(case, &bits);
            Ok(from_summary(&s, &bits, error_bound(&s, &encl)))
        }
        #[cfg(feature = "gmp")]
        BackendSpec::Interval(bits) => {
            Ok(from_summary(&summary_from_exact::<Interval<rug::Float>>(case, &bits), &bits, None))
        }
        #[cfg(not(feature = "gmp"))]
        other => Err(format!(
            "the backend {other} needs the `gmp` feature: build with `cargo run --release --features gmp -- …` (GMP's build needs m4: apt-get install -y m4)"
        )),
    }
}

impl EvalResult {
    /// A one-line statement of the guarantee, for humans.
    pub fn guarantee_line(&self) -> String {
        match (self.guarantee, self.error_bound) {
            (Guarantee::Exact, _) => "exact: every value is the exact rational number".into(),
            (Guarantee::Enclosure, _) => "enclosure: each true value lies in the printed interval (outward rounding)".into(),
            (Guarantee::Approximate { bits }, Some(e)) => format!(
                "approximate: {bits}-bit floating point, round to nearest; |error| <= {e:.3e} on every value (rigorous bound from an interval re-evaluation)"
            ),
            (Guarantee::Approximate { bits }, None) => {
                format!("approximate: {bits}-bit floating point, round to nearest; no error bound (a value was not finite)")
            }
        }
    }

    /// The JSON object of `eval --json`. The keys `risk`, `gradient`,
    /// `lyapunov`, `grad_v_dot_g`, `backend` and `guarantee` are an interface.
    pub fn to_json(&self, case: &Case, file: &str) -> Value {
        let bits = match self.guarantee {
            Guarantee::Approximate { bits } => Some(bits),
            _ => None,
        };
        json!({
            "case": file,
            "backend": self.backend,
            "guarantee": self.guarantee.word(),
            "precision_bits": bits,
            "error_bound": self.error_bound.map(|e| format!("{e:e}")),
            "measure": case.problem.measure.name(),
            "d": case.theta.d,
            "width": case.theta.width(),
            "risk": self.risk,
            "gradient": self.gradient,
            "gradient_names": component_names(&case.theta),
            "lyapunov": self.lyapunov,
            "grad_v_dot_g": self.grad_v_dot_g,
            "eight_risk": self.eight_risk,
            "identity_defect": self.identity_defect,
            "balance": self.balance,
            "balance_derivative": self.balance_derivative,
            "notes": case.notes.iter().chain(&self.notes).collect::<Vec<_>>(),
        })
    }

    /// The human-readable report of `eval`.
    pub fn to_text(&self, case: &Case, file: &str) -> String {
        let p = &case.problem;
        let mut out = String::new();
        let measure = match &p.measure {
            crate::model::Measure::Lebesgue { a, b } => format!("Lebesgue measure on [{a}, {b}]"),
            crate::model::Measure::Uniform { a, b, d } => {
                format!("uniform probability on [{a}, {b}]^{d}")
            }
            crate::model::Measure::Empirical { weights, .. } => {
                format!("empirical measure with {} points", weights.len())
            }
        };
        out += &format!("case       {file}\n");
        out += &format!(
            "problem    {measure}, d = {}, H = {}, target {}, {}, sigma'(0) {}{}\n",
            case.theta.d,
            case.theta.width(),
            p.target.describe(),
            p.activation.describe(),
            match (p.derivative_at_zero, &p.activation) {
                _ if !p.activation.is_piecewise_polynomial() => "= the derivative (smooth activation)",
                (crate::model::DerivativeAtZero::Open, crate::model::Activation::Relu) => {
                    "= 0 (open convention, the papers')"
                }
                (crate::model::DerivativeAtZero::Closed, crate::model::Activation::Relu) => "= 1 (closed convention)",
                (crate::model::DerivativeAtZero::Open, _) => "= left derivative (open convention)",
                (crate::model::DerivativeAtZero::Closed, _) => "= right derivative (closed convention)",
            },
            if p.output_bias { "" } else { ", no output bias (c = 0 fixed)" }
        );
        out += &format!("backend    {}\nguarantee  {}\n", self.backend, self.guarantee_line());
        for n in case.notes.iter().chain(&self.notes) {
            out += &format!("note       {n}\n");
        }
        out += &format!("\nL            = {}\n", self.risk);
        out += &format!("V            = {}\n", self.lyapunov);
        out += &format!("<grad V, G>  = {}\n", self.grad_v_dot_g);
        out += &format!("8L           = {}\n", self.eight_risk);
        let says = if p.is_papers_setting() {
            "C3 says 0"
        } else if !p.target.is_exact() || p.target.constant().is_none() {
            "E1: 8 int (f - xi)(N - f) for a nonconstant target"
        } else if p.activation.homogeneity() == Some(1) {
            "E4 says 0"
        } else {
            "not 0 in general outside the papers' setting"
        };
        out += &format!("<grad V, G> - 8L = {}   ({says})\n", self.identity_defect);
        out += &format!("\nG, the generalized gradient, in theta order ({} components):\n", self.gradient.len());
        let names = component_names(&case.theta);
        let width = names.iter().map(String::len).max().unwrap_or(1);
        for (n, g) in names.iter().zip(&self.gradient) {
            out += &format!("  {n:>width$}  {g}\n");
        }
        out
    }
}
