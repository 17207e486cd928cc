//! `reluproof eval`: L, G, V, ⟨∇V, G⟩ and 8L of a case on a chosen backend,
//! with the backend's guarantee and, for approximate backends, a rigorous
//! error bound from an interval re-evaluation at the same precision.

use crate::backend::BackendSpec;
use crate::lyapunov::{balance, lyapunov, lyapunov_gradient, summarize, Summary};
use crate::model::case::Case;
use crate::model::Theta;
use crate::num::decimal::{scientific, Rounding};
use crate::num::{BigRational, Endpoint, Guarantee, Interval, Ordered, Scalar};
use crate::objective::{evaluate_from_exact, evaluate_planned, Plan};
use num_traits::{Signed, ToPrimitive, Zero};
use serde_json::{json, Value};
use std::collections::BTreeMap;

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
    /// With `--digits N` on an exact backend: N, and each value's hash (see
    /// [`Compact`]); the value strings above are then the decimals.
    pub compact: Option<Compact>,
}

/// `eval --digits N`: exact values printed as N significant decimal digits
/// (rounded to nearest, ties away from zero) and a hash of the exact value,
/// the 64-bit FNV-1a hash of its `"p/q"` text (`"p"` for integers) as printed
/// without `--digits`, in 16 hex digits. Two runs agree on a value iff (up to
/// hash collisions) they print the same hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compact {
    /// Significant digits.
    pub digits: usize,
    /// Hash of L.
    pub risk: String,
    /// Hashes of G in θ order.
    pub gradient: Vec<String>,
    /// Hash of V.
    pub lyapunov: String,
    /// Hash of ⟨∇V, G⟩.
    pub grad_v_dot_g: String,
    /// Hash of 8L.
    pub eight_risk: String,
    /// Hash of ⟨∇V, G⟩ − 8L.
    pub identity_defect: String,
    /// Hashes of Q_j.
    pub balance: Vec<String>,
    /// Hashes of ⟨∇Q_j, G⟩.
    pub balance_derivative: Vec<String>,
}

/// The 64-bit FNV-1a hash of `text`, as 16 lowercase hex digits.
pub fn fnv1a64(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Prints exact values as decimals and hashes (`--digits`).
struct Shown {
    digits: Option<usize>,
    hashes: Vec<String>,
}

impl Shown {
    fn show<S: Scalar>(&mut self, x: &S) -> String {
        let text = x.render();
        // Only --digits needs the value as a rational (an f64 converted to an
        // exact fraction costs a gcd per value, most of a large f64 report).
        let Some(n) = self.digits else { return text };
        match x.to_rational() {
            Some(q) => {
                self.hashes.push(fnv1a64(&text));
                scientific(&q, n, Rounding::Nearest)
            }
            None => text,
        }
    }
}

/// One value of `eval --json`: a small JSON value, or one of the long lists
/// serialised from where it lies.
enum Entry<'a> {
    Small(Value),
    Texts(&'a [String]),
    /// [`component_names`] of a θ with d and H, without a `Vec`.
    Names {
        d: usize,
        h: usize,
    },
}

impl serde::Serialize for Entry<'_> {
    fn serialize<Ser: serde::Serializer>(&self, ser: Ser) -> Result<Ser::Ok, Ser::Error> {
        use serde::ser::SerializeSeq;
        match self {
            Entry::Small(v) => v.serialize(ser),
            Entry::Texts(v) => v.serialize(ser),
            &Entry::Names { d, h } => {
                let mut seq = ser.serialize_seq(Some(d * h + 2 * h + 1))?;
                let mut failed = None;
                for_each_component_name(d, h, |name| {
                    if failed.is_none() {
                        failed = seq.serialize_element(name).err();
                    }
                });
                match failed {
                    Some(e) => Err(e),
                    None => seq.end(),
                }
            }
        }
    }
}

/// Names of the components of θ in order: `w1 … wH` (d = 1) or `w1,1 …`, then
/// `b1 …`, `v1 …`, `c`.
pub fn component_names<S>(theta: &Theta<S>) -> Vec<String> {
    let mut names = Vec::with_capacity(theta.w.len() + 2 * theta.b.len() + 1);
    for_each_component_name(theta.d, theta.b.len(), |name| names.push(name.to_owned()));
    names
}

/// Calls `f` with the name of each component of θ in order (see
/// [`component_names`]), from one reused buffer: a report of 3·10⁵
/// components spent a tenth of its time in `format!` for the names.
fn for_each_component_name(d: usize, h: usize, mut f: impl FnMut(&str)) {
    let mut name = String::with_capacity(24);
    let mut int = itoa::Buffer::new();
    let mut emit = |prefix: char, j: usize, i: Option<usize>, f: &mut dyn FnMut(&str)| {
        name.clear();
        name.push(prefix);
        name.push_str(int.format(j));
        if let Some(i) = i {
            name.push(',');
            name.push_str(int.format(i));
        }
        f(&name);
    };
    for j in 1..=h {
        if d == 1 {
            emit('w', j, None, &mut f);
        } else {
            for i in 1..=d {
                emit('w', j, Some(i), &mut f);
            }
        }
    }
    for prefix in ['b', 'v'] {
        for j in 1..=h {
            emit(prefix, j, None, &mut f);
        }
    }
    f("c");
}

/// The length of the longest component name: `wH,d` (or `wH` when d = 1;
/// `bH` is as long), or 1 for `c` alone.
fn component_name_width(d: usize, h: usize) -> usize {
    let digits = |n: usize| n.to_string().len();
    match (h, d) {
        (0, _) => 1,
        (_, 1) => 1 + digits(h),
        _ => 2 + digits(h) + digits(d),
    }
}

fn scalars<S: Scalar>(s: &Summary<S>) -> Vec<&S> {
    let mut v = vec![&s.risk, &s.lyapunov, &s.grad_v_dot_g, &s.eight_risk];
    v.extend(s.gradient.w.iter().chain(&s.gradient.b).chain(&s.gradient.v));
    v.push(&s.gradient.c);
    v.extend(s.balance.iter().chain(&s.balance_derivative));
    v
}

fn from_summary<S: Scalar>(s: &Summary<S>, ctx: &S::Ctx, error_bound: Option<f64>) -> EvalResult {
    from_summary_digits(s, ctx, error_bound, None)
}

/// [`from_summary`], with exact values as `digits` decimal digits and a hash
/// when `digits` is given and the backend is exact.
fn from_summary_digits<S: Scalar>(
    s: &Summary<S>,
    ctx: &S::Ctx,
    error_bound: Option<f64>,
    digits: Option<usize>,
) -> EvalResult {
    let digits = digits.filter(|_| S::guarantee(ctx) == Guarantee::Exact);
    let mut sh = Shown { digits, hashes: Vec::new() };
    let risk = sh.show(&s.risk);
    let gradient: Vec<String> = s.gradient.flatten().iter().map(|x| sh.show(x)).collect();
    let lyapunov = sh.show(&s.lyapunov);
    let grad_v_dot_g = sh.show(&s.grad_v_dot_g);
    let eight_risk = sh.show(&s.eight_risk);
    let identity_defect = sh.show(&s.grad_v_dot_g.sub(&s.eight_risk));
    let balance: Vec<String> = s.balance.iter().map(|x| sh.show(x)).collect();
    let balance_derivative: Vec<String> = s.balance_derivative.iter().map(|x| sh.show(x)).collect();
    let compact = digits.map(|digits| {
        let mut it = sh.hashes.into_iter();
        let mut next = |k: usize| -> Vec<String> { it.by_ref().take(k).collect() };
        let risk = next(1).remove(0);
        let gradient = next(gradient.len());
        let [lyapunov, grad_v_dot_g, eight_risk, identity_defect]: [String; 4] =
            next(4).try_into().expect("four hashes");
        Compact {
            digits,
            risk,
            gradient,
            lyapunov,
            grad_v_dot_g,
            eight_risk,
            identity_defect,
            balance: next(balance.len()),
            balance_derivative: next(balance_derivative.len()),
        }
    });
    EvalResult {
        backend: S::backend_name(ctx),
        guarantee: S::guarantee(ctx),
        error_bound,
        risk,
        gradient,
        lyapunov,
        grad_v_dot_g,
        eight_risk,
        identity_defect,
        balance,
        balance_derivative,
        notes: Vec::new(),
        compact,
    }
}

/// The full summary of a case in an ordered backend.
///
/// Exact backends get [`summarize`]'s values by sums that scale: ⟨∇V, G⟩ is
/// one [`Scalar::sum_all`] of the products ∇V_k G_k (on the d = 1 kink
/// sweep taken neuron by neuron in [`crate::objective::sweep::SweepPlan::chain_order`], where the
/// denominators of G nest), and each ⟨∇Q_j, G⟩ is one `sum_all`. Adding the
/// big components of G left to right costs a big gcd per component, cubic
/// in H on the `init` cases. The sums are over the computed G itself, so
/// the identity ⟨∇V, G⟩ = 8L is still checked on the printed values. Other
/// backends keep [`summarize`]'s order of operations (and so their rounding).
pub fn summary_ordered<S: Ordered>(case: &Case, ctx: &S::Ctx) -> Summary<S> {
    let prep = case.problem.prepare::<S>(ctx);
    let theta = case.theta.map(|q| S::from_rational(q, ctx));
    let plan = Plan::new(&theta, &prep);
    let ev = evaluate_planned(&plan, &prep, &theta);
    if S::guarantee(ctx) != Guarantee::Exact {
        return summarize(&theta, &prep.xi, ev, ctx);
    }
    let grad_v = lyapunov_gradient(&theta, &prep.xi);
    let g = &ev.gradient;
    let products = |j: usize| {
        let w = grad_v.w_row(j).iter().zip(g.w_row(j)).map(|(x, y)| x.mul(y));
        w.chain([grad_v.b[j].mul(&g.b[j]), grad_v.v[j].mul(&g.v[j])])
    };
    let order: Vec<usize> = match &plan {
        Plan::Sweep(p) => p.chain_order(),
        _ => (0..theta.width()).collect(),
    };
    let mut terms: Vec<S> = order.into_iter().flat_map(products).collect();
    terms.push(grad_v.c.mul(&g.c));
    let grad_v_dot_g = S::sum_all(terms, ctx);
    let two = S::from_i64(2, ctx);
    let balance_derivative = (0..theta.width())
        .map(|j| {
            let mut terms = vec![theta.b[j].mul(&g.b[j]), theta.v[j].mul(&g.v[j]).neg()];
            terms.extend(theta.w_row(j).iter().zip(g.w_row(j)).map(|(w, gw)| w.mul(gw)));
            S::sum_all(terms, ctx).mul(&two)
        })
        .collect();
    Summary {
        lyapunov: lyapunov(&theta, &prep.xi, ctx),
        grad_v_dot_g,
        eight_risk: S::from_i64(8, ctx).mul(&ev.risk),
        balance: balance(&theta),
        balance_derivative,
        lyapunov_gradient: grad_v,
        risk: ev.risk,
        gradient: ev.gradient,
    }
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

/// [`error_bound`] for f64 values and f64 enclosures, without rationals:
/// each |x − lo| and |hi − x| is a difference of two doubles, exactly s + e
/// with s = fl(a − b) and e its rounding error (TwoSum), so the smallest
/// double above it is |s| or the next double up. The maximum of these is
/// the smallest double above the exact maximum, as [`error_bound`] gives;
/// an overflowing difference falls back to it.
fn error_bound_f64(approx: &Summary<f64>, encl: &Summary<Interval<f64>>) -> Option<f64> {
    let mut worst = 0.0f64;
    for (x, iv) in scalars(approx).into_iter().zip(scalars(encl)) {
        if !(x.is_finite() && iv.lo.is_finite() && iv.hi.is_finite()) {
            return None;
        }
        for (a, b) in [(*x, iv.lo), (iv.hi, *x)] {
            let s = a - b;
            if !s.is_finite() {
                return error_bound(approx, encl);
            }
            // TwoSum of a and −b: a − b = s + e exactly.
            let nb = -b;
            let bv = s - a;
            let e = (a - (s - bv)) + (nb - bv);
            let above = if s >= 0.0 { e > 0.0 } else { e < 0.0 };
            let bound = if above { s.abs().next_up() } else { s.abs() };
            worst = worst.max(bound);
        }
    }
    Some(worst)
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
    run_eval_digits(case, spec, None)
}

/// [`run_eval`]; with `digits`, exact values are printed as that many
/// significant decimal digits and a hash ([`Compact`]). Values of other
/// backends are short already and print as usual.
pub fn run_eval_digits(case: &Case, spec: BackendSpec, digits: Option<usize>) -> Result<EvalResult, String> {
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
        BackendSpec::Exact => {
            Ok(from_summary_digits(&summary_ordered::<BigRational>(case, &()), &(), None, digits))
        }
        BackendSpec::F64 => {
            let s = summary_ordered::<f64>(case, &());
            let encl = summary_from_exact::<Interval<f64>>(case, &());
            Ok(from_summary(&s, &(), error_bound_f64(&s, &encl)))
        }
        BackendSpec::F64Interval => Ok(from_summary(&summary_from_exact::<Interval<f64>>(case, &()), &(), None)),
        #[cfg(feature = "gmp")]
        BackendSpec::Gmp => {
            Ok(from_summary_digits(&summary_ordered::<rug::Rational>(case, &()), &(), None, digits))
        }
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
        serde_json::to_value(self.json_view(case, file)).unwrap_or(Value::Null)
    }

    /// [`EvalResult::to_json`] as pretty-printed text, written straight from
    /// the values (a report of 3·10⁵ components spent a third of its time
    /// building, printing and dropping the `Value` tree).
    pub fn to_json_text(&self, case: &Case, file: &str) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&self.json_view(case, file))
    }

    /// The object's entries, in the sorted key order of `serde_json`'s
    /// map (so [`to_json`](Self::to_json) and the text agree byte for byte).
    fn json_view<'a>(&'a self, case: &'a Case, file: &'a str) -> BTreeMap<String, Entry<'a>> {
        let bits = match self.guarantee {
            Guarantee::Approximate { bits } => Some(bits),
            _ => None,
        };
        let small = |v: Value| Entry::Small(v);
        let mut m: BTreeMap<String, Entry<'a>> = BTreeMap::new();
        for (key, v) in [
            ("case", json!(file)),
            ("backend", json!(self.backend)),
            ("guarantee", json!(self.guarantee.word())),
            ("precision_bits", json!(bits)),
            ("error_bound", json!(self.error_bound.map(|e| format!("{e:e}")))),
            ("measure", json!(case.problem.measure.name())),
            ("d", json!(case.theta.d)),
            ("width", json!(case.theta.width())),
            ("notes", json!(case.notes.iter().chain(&self.notes).collect::<Vec<_>>())),
        ] {
            m.insert(key.into(), small(v));
        }
        m.insert("gradient_names".into(), Entry::Names { d: case.theta.d, h: case.theta.width() });
        // Each value, and with --digits its hash as the sibling "<key>_hash".
        let c = self.compact.as_ref();
        let one = |x: &String| small(json!(x));
        for (key, value, hash) in [
            ("risk", one(&self.risk), c.map(|c| one(&c.risk))),
            ("gradient", Entry::Texts(&self.gradient), c.map(|c| Entry::Texts(&c.gradient))),
            ("lyapunov", one(&self.lyapunov), c.map(|c| one(&c.lyapunov))),
            ("grad_v_dot_g", one(&self.grad_v_dot_g), c.map(|c| one(&c.grad_v_dot_g))),
            ("eight_risk", one(&self.eight_risk), c.map(|c| one(&c.eight_risk))),
            ("identity_defect", one(&self.identity_defect), c.map(|c| one(&c.identity_defect))),
            ("balance", Entry::Texts(&self.balance), c.map(|c| Entry::Texts(&c.balance))),
            (
                "balance_derivative",
                Entry::Texts(&self.balance_derivative),
                c.map(|c| Entry::Texts(&c.balance_derivative)),
            ),
        ] {
            m.insert(key.into(), value);
            if let Some(h) = hash {
                m.insert(format!("{key}_hash"), h);
            }
        }
        if let Some(c) = c {
            m.insert("digits".into(), small(json!(c.digits)));
            m.insert("hash".into(), small(json!("fnv1a64 of the exact \"p/q\" text")));
        }
        m
    }

    /// The human-readable report of `eval`.
    pub fn to_text(&self, case: &Case, file: &str) -> String {
        let p = &case.problem;
        let mut out = String::new();
        let measure = p.measure.describe();
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
        if let Some(c) = &self.compact {
            out += &format!(
                "digits     {}: exact values rounded to {} significant digits; #h is the 64-bit FNV-1a hash of the exact \"p/q\" text\n",
                c.digits, c.digits
            );
        }
        let h = |x: Option<&String>| x.map(|x| format!("  #{x}")).unwrap_or_default();
        let c = self.compact.as_ref();
        out += &format!("\nL            = {}{}\n", self.risk, h(c.map(|c| &c.risk)));
        out += &format!("V            = {}{}\n", self.lyapunov, h(c.map(|c| &c.lyapunov)));
        out += &format!("<grad V, G>  = {}{}\n", self.grad_v_dot_g, h(c.map(|c| &c.grad_v_dot_g)));
        out += &format!("8L           = {}{}\n", self.eight_risk, h(c.map(|c| &c.eight_risk)));
        let says = if p.is_papers_setting() {
            "C3 says 0"
        } else if !p.target.is_exact() || p.target.constant().is_none() {
            "E1: 8 int (f - xi)(N - f) for a nonconstant target"
        } else if p.activation.homogeneity() == Some(1) {
            "E4 says 0"
        } else {
            "not 0 in general outside the papers' setting"
        };
        out += &format!("<grad V, G> - 8L = {}{}   ({says})\n", self.identity_defect, h(c.map(|c| &c.identity_defect)));
        out += &format!("\nG, the generalized gradient, in theta order ({} components):\n", self.gradient.len());
        // Name column right-aligned to the longest name, which is the last
        // w (or b, v) name; written without `format!` (see write_f64).
        let width = component_name_width(case.theta.d, case.theta.width());
        out.reserve(self.gradient.iter().map(|g| g.len() + width + 24).sum());
        let mut values = self.gradient.iter().enumerate();
        for_each_component_name(case.theta.d, case.theta.width(), |name| {
            let Some((k, g)) = values.next() else { return };
            out.push_str("  ");
            out.extend(std::iter::repeat_n(' ', width.saturating_sub(name.len())));
            out.push_str(name);
            out.push_str("  ");
            out.push_str(g);
            if let Some(c) = c {
                out.push_str("  #");
                out.push_str(&c.gradient[k]);
            }
            out.push('\n');
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{component_name_width, component_names};
    use crate::model::Theta;

    /// `eval --json` is written from the values without a `Value` tree; it
    /// is byte for byte the pretty print of [`super::EvalResult::to_json`]
    /// (sorted keys), with and without `--digits`, d = 1 and d = 2.
    #[test]
    fn json_text_is_the_pretty_printed_json_value() {
        let d1 = "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"1\"\n\n[theta]\nw = [\"1/2\", \"-3\", \"0\"]\nb = [\"1/3\", \"1\", \"2\"]\nv = [\"2\", \"-1/7\", \"1\"]\nc = \"1/5\"\n";
        let d2 = "[problem]\nmeasure = \"empirical\"\npoints = [[\"0\", \"1\"], [\"1/2\", \"-1\"]]\ntarget = \"1\"\n\n[theta]\nw = [[\"1\", \"2\"], [\"-1\", \"1/3\"]]\nb = [\"0\", \"1\"]\nv = [\"1\", \"2\"]\nc = \"0\"\n";
        for text in [d1, d2] {
            let case = crate::model::case::parse_case("hand.toml", text).expect("hand case");
            for (backend, digits) in [
                (crate::backend::BackendSpec::Exact, None),
                (crate::backend::BackendSpec::Exact, Some(6)),
                (crate::backend::BackendSpec::F64, None),
            ] {
                let r = super::run_eval_digits(&case, backend, digits).expect("evaluates");
                let via_value = serde_json::to_string_pretty(&r.to_json(&case, "hand.toml")).expect("JSON");
                assert_eq!(r.to_json_text(&case, "hand.toml").expect("JSON"), via_value);
                assert!(via_value.contains("\"gradient_names\"") && via_value.contains("\"risk\""));
                assert_eq!(digits.is_some(), via_value.contains("\"gradient_hash\""));
            }
        }
    }

    #[test]
    fn name_width_is_the_longest_component_name() {
        for d in [1, 2, 3, 9, 10, 12] {
            for h in [0, 1, 9, 10, 11, 99, 100, 101, 1000] {
                let theta = Theta::<i64> { d, w: vec![0; d * h], b: vec![0; h], v: vec![0; h], c: 0 };
                let names = component_names(&theta);
                assert_eq!(names.len(), d * h + 2 * h + 1);
                let longest = names.iter().map(String::len).max().unwrap_or(0);
                assert_eq!(component_name_width(d, h), longest, "d = {d}, H = {h}");
            }
        }
        let theta = Theta::<i64> { d: 2, w: vec![0; 4], b: vec![0; 2], v: vec![0; 2], c: 0 };
        assert_eq!(component_names(&theta), ["w1,1", "w1,2", "w2,1", "w2,2", "b1", "b2", "v1", "v2", "c"]);
    }
}
