//! The search targets: E1 (two modes), E2, E6, E8, Q1, and the claims that must
//! hold C3, C8 and C9(a). Each score is an exact rational, positive exactly
//! when the registered check reports a violation.

use super::SearchTarget;
use crate::claims::Instance;
use crate::dynamics::gd::gamma_star;
use crate::eval::summary_from_exact;
use crate::gen::{self, GenConfig, MeasureKind, Rng};
use crate::lyapunov::{lyapunov, Summary};
use crate::model::case::Case;
use crate::model::{Measure, Problem, Target, Theta};
use crate::num::BigRational;
use crate::objective::evaluate;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

/// Every target, in statement order.
pub fn all() -> Vec<Box<dyn SearchTarget>> {
    vec![
        Box::new(C3),
        Box::new(C8),
        Box::new(C9),
        Box::new(E1Critical),
        Box::new(E1Identity),
        Box::new(E2),
        Box::new(E6),
        Box::new(E8),
        Box::new(Q1),
    ]
}

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// n/k with |n| ≤ `num`, 1 ≤ k ≤ `den`.
fn small(rng: &mut Rng, num: i64, den: i64) -> BigRational {
    q(rng.range(-num, num), rng.range(1, den))
}

fn nonzero(rng: &mut Rng, num: i64, den: i64) -> BigRational {
    let x = small(rng, num, den);
    if x.is_zero() {
        BigRational::one()
    } else {
        x
    }
}

/// A domain [a, b] with small a and length.
fn interval(rng: &mut Rng) -> (BigRational, BigRational) {
    let a = small(rng, 4, 2);
    let b = &a + q(rng.range(1, 8), rng.range(1, 4));
    (a, b)
}

/// The points where a neuron's preactivation is extreme on the support:
/// a and b, or the points of positive weight.
fn anchors(measure: &Measure) -> Vec<Vec<BigRational>> {
    match measure {
        Measure::Lebesgue { a, b } | Measure::Uniform { a, b, .. } => vec![vec![a.clone()], vec![b.clone()]],
        Measure::Box { a, b, .. } => crate::model::box_corners(a, b),
        Measure::Empirical { points, weights } => {
            points.iter().zip(weights).filter(|(_, p)| p.is_positive()).map(|(x, _)| x.clone()).collect()
        }
    }
}

fn preactivation(th: &Theta<BigRational>, j: usize, x: &[BigRational]) -> BigRational {
    th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi)
}

/// θ with small entries (|n| ≤ 8, k ≤ 4), some zeros and kinks placed at
/// an anchor (a, b or a sample point).
fn small_theta(rng: &mut Rng, measure: &Measure, h: usize) -> Theta<BigRational> {
    let d = measure.dim();
    let anchors = anchors(measure);
    let mut th = Theta { d, w: Vec::new(), b: Vec::new(), v: Vec::new(), c: small(rng, 8, 4) };
    for _ in 0..h {
        let row: Vec<BigRational> = (0..d).map(|_| small(rng, 8, 4)).collect();
        th.w.extend(row);
        th.b.push(small(rng, 8, 4));
        th.v.push(small(rng, 8, 4));
        let j = th.b.len() - 1;
        if rng.chance(1, 4) && !anchors.is_empty() {
            let x = anchors[rng.below(anchors.len() as u64) as usize].clone();
            th.b[j] = BigRational::zero();
            th.b[j] = -preactivation(&th, j, &x);
        }
    }
    th
}

/// A Lebesgue problem on a small [a, b] with an affine target of nonzero slope.
fn affine_problem(rng: &mut Rng) -> Problem {
    let (a, b) = interval(rng);
    let target = Target::Affine { slope: vec![nonzero(rng, 8, 4)], intercept: small(rng, 8, 4) };
    Problem::new(Measure::Lebesgue { a, b }, target)
}

/// A papers'-setting case with small numbers: Lebesgue, uniform, a small
/// empirical measure or a box in d = 2, constant ξ, H ≤ `max_h`.
fn papers_case(rng: &mut Rng, max_h: usize) -> Case {
    let kind = *rng.pick(&[MeasureKind::Lebesgue, MeasureKind::Uniform, MeasureKind::Empirical, MeasureKind::Box]);
    let measure = match kind {
        MeasureKind::Lebesgue => {
            let (a, b) = interval(rng);
            Measure::Lebesgue { a, b }
        }
        MeasureKind::Uniform => {
            let (a, b) = interval(rng);
            Measure::Uniform { a, b, d: 1 }
        }
        MeasureKind::Empirical => {
            let cfg = GenConfig { max_dim: 2, max_points: 4, ..GenConfig::default() };
            gen::measure(rng, MeasureKind::Empirical, &cfg)
        }
        MeasureKind::Box => {
            let (a0, b0) = interval(rng);
            let (a1, b1) = interval(rng);
            Measure::Box { a: vec![a0, a1], b: vec![b0, b1], probability: rng.chance(1, 2) }
        }
    };
    let h = rng.range(1, gen::box_width(&measure, max_h) as i64) as usize;
    let theta = small_theta(rng, &measure, h);
    Case { problem: Problem::new(measure, Target::Constant(small(rng, 8, 4))), theta, notes: Vec::new() }
}

fn summary(case: &Case) -> Summary<BigRational> {
    summary_from_exact::<BigRational>(case, &())
}

/// The generic moves that kill neuron j on the support of μ (so σ and the
/// open σ' vanish there and G_{w_j} = G_{b_j} = G_{v_j} = 0): its kink pushed to
/// the end of the support where it is off, b_j := −max_{x ∈ supp} w_j·x; or
/// w_j := 0, b_j := 0.
fn kill_moves(inst: &Instance, j: usize) -> Vec<Instance> {
    let th = &inst.case.theta;
    let anchors = anchors(&inst.case.problem.measure);
    let mut zero_bias = th.clone();
    zero_bias.b[j] = BigRational::zero();
    let top = anchors.iter().map(|x| preactivation(&zero_bias, j, x)).max();
    let mut out = Vec::new();
    if let Some(top) = top {
        let mut a = inst.clone();
        a.case.theta.b[j] = -top;
        out.push(a);
    }
    let mut b = inst.clone();
    b.case.theta.zero_inner_weights(j, &BigRational::zero());
    b.case.theta.b[j] = BigRational::zero();
    out.push(b);
    out
}

/// Whether neuron j is active somewhere on the support (z > 0 at a or b, or
/// at a weighted point).
fn alive(inst: &Instance, j: usize) -> bool {
    anchors(&inst.case.problem.measure).iter().any(|x| preactivation(&inst.case.theta, j, x).is_positive())
}

/// The critical-point score: L if G = 0 exactly, else −(‖G‖² ) (G_c included).
/// Positive iff G(θ) = 0 and L(θ) > 0.
fn critical_score(case: &Case) -> BigRational {
    let s = summary(case);
    let g2 = s.gradient.norm2(&());
    if g2.is_zero() {
        s.risk
    } else {
        -g2
    }
}

fn critical_quantities(case: &Case) -> Vec<(String, BigRational)> {
    let s = summary(case);
    vec![
        ("L".into(), s.risk.clone()),
        ("|G|^2".into(), s.gradient.norm2(&())),
        ("G_c".into(), s.gradient.c.clone()),
        ("mean of f".into(), case.problem.reference_constant()),
    ]
}

/// Moves toward a critical point: kill each live neuron, set v_j = 0.
fn critical_moves(inst: &Instance) -> Vec<Instance> {
    let mut out = Vec::new();
    for j in 0..inst.case.theta.width() {
        if alive(inst, j) {
            out.extend(kill_moves(inst, j));
        }
        if !inst.case.theta.v[j].is_zero() {
            let mut z = inst.clone();
            z.case.theta.v[j] = BigRational::zero();
            out.push(z);
        }
    }
    out
}

/// c := c − G_c/(2m), which makes G_c = 2∫(N − f) dμ exactly 0 (∂G_c/∂c = 2m
/// for ReLU: c moves no kink).
pub fn zero_gc(inst: Instance) -> Instance {
    if !inst.case.problem.output_bias {
        return inst;
    }
    let m = inst.case.problem.measure.mass();
    if !m.is_positive() {
        return inst;
    }
    let prep = inst.case.problem.prepare::<BigRational>(&());
    let gc = evaluate(&prep, &inst.case.theta).gradient.c;
    if gc.is_zero() {
        return inst;
    }
    let mut out = inst;
    out.case.theta.c = &out.case.theta.c - gc / (q(2, 1) * m);
    out
}

/// E1, first mode: a positive-risk critical point for an affine target.
pub struct E1Critical;

impl SearchTarget for E1Critical {
    fn key(&self) -> &'static str {
        "E1"
    }
    fn statement(&self) -> &'static str {
        "E1"
    }
    fn check_name(&self) -> &'static str {
        "critical_point_of_positive_risk_of_nonconstant_target"
    }
    fn score_formula(&self) -> &'static str {
        "L(theta) if G(theta) = 0 exactly, else -(|G|^2) (G_c included); > 0 iff G = 0 and L > 0"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        let problem = affine_problem(rng);
        let h = rng.range(1, 6) as usize;
        let theta = small_theta(rng, &problem.measure, h);
        Instance::of(Case { problem, theta, notes: Vec::new() })
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        inst.case.problem.target.constant().is_none().then(|| critical_score(&inst.case))
    }
    fn moves(&self, inst: &Instance, _rng: &mut Rng) -> Vec<Instance> {
        let mut out: Vec<Instance> = critical_moves(inst).into_iter().map(zero_gc).collect();
        out.push(zero_gc(inst.clone()));
        out
    }
    fn repair(&self, inst: Instance) -> Instance {
        zero_gc(inst)
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        critical_quantities(&inst.case)
    }
}

/// E1, second mode: ⟨∇V, G⟩ < 0 for an affine target (V with ξ = mean of f).
pub struct E1Identity;

impl SearchTarget for E1Identity {
    fn key(&self) -> &'static str {
        "E1-identity"
    }
    fn statement(&self) -> &'static str {
        "E1"
    }
    fn check_name(&self) -> &'static str {
        "lyapunov_identity_fails_of_nonconstant_target"
    }
    fn score_formula(&self) -> &'static str {
        "-<grad V, G> with V = |theta|^2 + (c - 2 xi)^2, xi = mean of f; > 0 iff <grad V, G> < 0"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        E1Critical.sample(rng)
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        inst.case.problem.target.constant().is_none().then(|| -summary(&inst.case).grad_v_dot_g)
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let s = summary(&inst.case);
        vec![
            ("<grad V, G>".into(), s.grad_v_dot_g.clone()),
            ("8L".into(), s.eight_risk.clone()),
            ("8 int (f - xi)(N - f)".into(), &s.grad_v_dot_g - &s.eight_risk),
            ("xi (mean of f)".into(), inst.case.problem.reference_constant()),
        ]
    }
}

/// E2: a positive-risk critical point without the output bias.
pub struct E2;

impl SearchTarget for E2 {
    fn key(&self) -> &'static str {
        "E2"
    }
    fn statement(&self) -> &'static str {
        "E2"
    }
    fn check_name(&self) -> &'static str {
        "critical_point_of_positive_risk_of_no_output_bias"
    }
    fn score_formula(&self) -> &'static str {
        "L(theta) if G(theta) = 0 exactly, else -(|G|^2); > 0 iff G = 0 and L > 0 (c = 0 fixed, G_c = 0)"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        let mut case = papers_case(rng, 5);
        case.problem.output_bias = false;
        case.theta.c = BigRational::zero();
        case.problem.target = Target::Constant(nonzero(rng, 8, 4));
        Instance::of(case)
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        (!inst.case.problem.output_bias).then(|| critical_score(&inst.case))
    }
    fn moves(&self, inst: &Instance, _rng: &mut Rng) -> Vec<Instance> {
        critical_moves(inst)
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let s = summary(&inst.case);
        vec![("L".into(), s.risk.clone()), ("|G|^2".into(), s.gradient.norm2(&()))]
    }
}

/// γ = k γ* for the instance's `gamma_factor` k, if k is in `range` and γ* exists.
fn step(inst: &Instance, ok: impl Fn(&BigRational) -> bool) -> Option<(BigRational, BigRational, BigRational)> {
    let k = inst.number("gamma_factor")?;
    if !ok(k) {
        return None;
    }
    let gs = gamma_star(&inst.case)?;
    Some((k.clone(), &gs * k, gs))
}

fn two_pow(k: usize) -> BigRational {
    BigRational::from_integer(BigInt::one() << k)
}

/// E6: γ > γ* with V(θ − γG) > V(θ).
pub struct E6;

/// The largest γ factor E6's search moves to (the check's own generator reaches 2^40).
const E6_MAX_FACTOR: usize = 40;

impl SearchTarget for E6 {
    fn key(&self) -> &'static str {
        "E6"
    }
    fn statement(&self) -> &'static str {
        "E6"
    }
    fn check_name(&self) -> &'static str {
        "step_above_bound"
    }
    fn score_formula(&self) -> &'static str {
        "V(theta - gamma G) - V(theta), gamma = k gamma*, 1 < k <= 2^40; > 0 iff V increases"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        let case = papers_case(rng, 6);
        let k = if rng.chance(1, 2) { two_pow(rng.range(1, 8) as usize) } else { q(rng.range(5, 64), 4) };
        Instance::of(case).with_number("gamma_factor", k)
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        let (_, gamma, _) = step(inst, |k| k > &BigRational::one() && k <= &two_pow(E6_MAX_FACTOR))?;
        let s = summary(&inst.case);
        let xi = inst.case.problem.target.constant()?;
        let after = lyapunov(&inst.case.theta.step(&gamma, &s.gradient), xi, &());
        Some(after - s.lyapunov)
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let Some((k, gamma, gs)) = step(inst, |_| true) else { return Vec::new() };
        let s = summary(&inst.case);
        let xi = inst.case.problem.target.constant().cloned().unwrap_or_default();
        let after = lyapunov(&inst.case.theta.step(&gamma, &s.gradient), &xi, &());
        let quad = s.gradient.norm2(&()) + &s.gradient.c * &s.gradient.c;
        vec![
            ("gamma*".into(), gs),
            ("gamma_factor k".into(), k),
            ("gamma = k gamma*".into(), gamma.clone()),
            ("V(theta)".into(), s.lyapunov.clone()),
            ("V(theta - gamma G)".into(), after),
            ("8 gamma L".into(), &gamma * &s.eight_risk),
            ("gamma^2 (|G|^2 + G_c^2)".into(), &gamma * &gamma * quad),
        ]
    }
}

/// E8: a sample on a kink where the flow slides (no absolutely continuous
/// solution leaves θ).
pub struct E8;

/// Puts neuron 0's kink through the first sample of positive weight (w_0 made
/// nonzero if it is 0): where the search moved θ off every kink, E8's
/// question is asked again at the nearest such θ.
fn kink_through_a_sample(mut inst: Instance) -> Instance {
    use crate::claims::sliding::{samples_on_kinks, Kinks};
    if !matches!(samples_on_kinks(&inst.case), Some(Kinks::None)) {
        return inst;
    }
    let Measure::Empirical { points, weights } = &inst.case.problem.measure else { return inst };
    let Some(i) = (0..points.len()).find(|&i| weights[i].is_positive()) else { return inst };
    let x = points[i].clone();
    let th = &mut inst.case.theta;
    if th.w_row(0).iter().all(Zero::is_zero) {
        th.w[0] = BigRational::one();
    }
    th.b[0] = BigRational::zero();
    th.b[0] = -preactivation(th, 0, &x);
    inst
}

impl SearchTarget for E8 {
    fn key(&self) -> &'static str {
        "E8"
    }
    fn statement(&self) -> &'static str {
        "E8"
    }
    fn check_name(&self) -> &'static str {
        "gf_solution_exists_of_sample_on_kink"
    }
    fn score_formula(&self) -> &'static str {
        "min(-ds/dt active, ds/dt inactive) for the one sample on a kink, s = w_j.x_i + b_j; > 0 iff the field points into the surface from both sides"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        let cfg = GenConfig { max_dim: 2, max_points: 4, ..GenConfig::default() };
        let measure = gen::measure(rng, MeasureKind::Empirical, &cfg);
        let h = rng.range(1, 3) as usize;
        let theta = small_theta(rng, &measure, h);
        let case =
            Case { problem: Problem::new(measure, Target::Constant(small(rng, 8, 4))), theta, notes: Vec::new() };
        kink_through_a_sample(Instance::of(case))
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        use crate::claims::sliding::{samples_on_kinks, Kinks};
        match samples_on_kinks(&inst.case)? {
            Kinks::One(r) => Some(if -&r.active < r.inactive { -r.active } else { r.inactive }),
            _ => None,
        }
    }
    fn repair(&self, inst: Instance) -> Instance {
        kink_through_a_sample(inst)
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        use crate::claims::sliding::{samples_on_kinks, Kinks};
        match samples_on_kinks(&inst.case) {
            Some(Kinks::One(r)) => vec![
                ("neuron j".into(), BigRational::from_integer((r.neuron + 1).into())),
                ("sample i".into(), BigRational::from_integer((r.sample + 1).into())),
                ("ds/dt, x_i active".into(), r.active),
                ("ds/dt, x_i inactive".into(), r.inactive),
            ],
            _ => Vec::new(),
        }
    }
}

/// Q1: 0 < γ ≤ γ* with L(θ − γG) > L(θ).
pub struct Q1;

impl SearchTarget for Q1 {
    fn key(&self) -> &'static str {
        "Q1"
    }
    fn statement(&self) -> &'static str {
        "Q1"
    }
    fn check_name(&self) -> &'static str {
        "risk_nonincreasing_of_step_le_bound"
    }
    fn score_formula(&self) -> &'static str {
        "(L(theta - gamma G) - L(theta)) / (gamma |G|^2), gamma = k gamma*, 0 < k <= 1 (-1 where G = 0: theta does not move); > 0 iff one GD step increases the risk (about -1 where L is smooth)"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        let case = papers_case(rng, 6);
        let k = if rng.chance(1, 2) { BigRational::one() } else { q(1, rng.range(1, 8)) };
        Instance::of(case).with_number("gamma_factor", k)
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        let (_, gamma, _) = step(inst, |k| k.is_positive() && k <= &BigRational::one())?;
        let prep = inst.case.problem.prepare::<BigRational>(&());
        let ev = evaluate(&prep, &inst.case.theta);
        let g2 = ev.gradient.norm2(&());
        if g2.is_zero() {
            return Some(-BigRational::one());
        }
        let after = evaluate(&prep, &inst.case.theta.step(&gamma, &ev.gradient)).risk;
        Some((after - ev.risk) / (gamma * g2))
    }
    fn moves(&self, inst: &Instance, _rng: &mut Rng) -> Vec<Instance> {
        // Kinks onto sample points (where the open σ'(0) = 0 hides a neuron
        // from G but not from the step), G_c zeroed, outer weights doubled.
        let mut out = vec![zero_gc(inst.clone())];
        let xs = anchors(&inst.case.problem.measure);
        for j in 0..inst.case.theta.width() {
            for x in &xs {
                let mut c = inst.clone();
                c.case.theta.b[j] = BigRational::zero();
                c.case.theta.b[j] = -preactivation(&c.case.theta, j, x);
                if c != *inst {
                    out.push(c);
                }
            }
            let mut c = inst.clone();
            c.case.theta.v[j] = &c.case.theta.v[j] * q(2, 1);
            out.push(zero_gc(c));
        }
        out
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let Some((k, gamma, gs)) = step(inst, |_| true) else { return Vec::new() };
        let prep = inst.case.problem.prepare::<BigRational>(&());
        let ev = evaluate(&prep, &inst.case.theta);
        let after = evaluate(&prep, &inst.case.theta.step(&gamma, &ev.gradient)).risk;
        vec![
            ("gamma*".into(), gs),
            ("gamma_factor k".into(), k),
            ("gamma = k gamma*".into(), gamma),
            ("L(theta)".into(), ev.risk),
            ("L(theta - gamma G)".into(), after),
        ]
    }
}

/// C3 (must hold): ⟨∇V, G⟩ = 8L.
pub struct C3;

impl SearchTarget for C3 {
    fn key(&self) -> &'static str {
        "C3"
    }
    fn statement(&self) -> &'static str {
        "C3"
    }
    fn check_name(&self) -> &'static str {
        "lyapunov_identity"
    }
    fn score_formula(&self) -> &'static str {
        "|<grad V, G> - 8L|; > 0 iff the identity fails"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        Instance::of(papers_case(rng, 8))
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        inst.case.problem.is_papers_setting().then(|| {
            let s = summary(&inst.case);
            (&s.grad_v_dot_g - &s.eight_risk).abs()
        })
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let s = summary(&inst.case);
        vec![("<grad V, G>".into(), s.grad_v_dot_g.clone()), ("8L".into(), s.eight_risk.clone())]
    }
}

/// (‖G‖² + G_c², K(1 + ‖θ‖²)L) with K = 8 m max{1, ρ²}.
fn c8_sides(case: &Case) -> (BigRational, BigRational) {
    let m = &case.problem.measure;
    let rho2 = m.rho2();
    let k = q(8, 1) * m.mass() * if rho2 > BigRational::one() { rho2 } else { BigRational::one() };
    let s = summary(case);
    let lhs = s.gradient.norm2(&()) + &s.gradient.c * &s.gradient.c;
    let rhs = k * (BigRational::one() + case.theta.norm2(&())) * &s.risk;
    (lhs, rhs)
}

/// C8 (must hold): ‖G‖² + G_c² ≤ K(1 + ‖θ‖²)L.
pub struct C8;

impl SearchTarget for C8 {
    fn key(&self) -> &'static str {
        "C8"
    }
    fn statement(&self) -> &'static str {
        "C8"
    }
    fn check_name(&self) -> &'static str {
        "gradient_bound"
    }
    fn score_formula(&self) -> &'static str {
        "(|G|^2 + G_c^2) / (K (1 + |theta|^2) L) - 1 with K = 8 m max(1, rho^2) (L > 0; else |G|^2 + G_c^2, or -1 if that is 0); > 0 iff the bound fails; 8 (1 + score) is the constant the case needs in place of 8 (Q3)"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        Instance::of(papers_case(rng, 8))
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        if !inst.case.problem.is_papers_setting() {
            return None;
        }
        let (lhs, rhs) = c8_sides(&inst.case);
        Some(if rhs.is_positive() {
            lhs / rhs - BigRational::one()
        } else if lhs.is_positive() {
            lhs
        } else {
            -BigRational::one()
        })
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let (lhs, rhs) = c8_sides(&inst.case);
        let mut out = vec![("|G|^2 + G_c^2".into(), lhs.clone()), ("K (1 + |theta|^2) L".into(), rhs.clone())];
        if rhs.is_positive() {
            // The constant this case needs in place of 8 in K = 8 m max{1, ρ²}.
            out.push(("constant needed in place of 8".into(), q(8, 1) * lhs / rhs));
        }
        out
    }
}

/// C9(a) for one step (must hold): V(θ − γG) ≤ V(θ) − 4γL for 0 < γ ≤ γ*.
pub struct C9;

/// (V(θ), V(θ − γG), 4γL) for the instance's γ.
fn c9_sides(inst: &Instance, gamma: &BigRational) -> Option<(BigRational, BigRational, BigRational)> {
    let s = summary(&inst.case);
    let xi = inst.case.problem.target.constant()?;
    let after = lyapunov(&inst.case.theta.step(gamma, &s.gradient), xi, &());
    Some((s.lyapunov.clone(), after, q(4, 1) * gamma * &s.risk))
}

impl SearchTarget for C9 {
    fn key(&self) -> &'static str {
        "C9"
    }
    fn statement(&self) -> &'static str {
        "C9"
    }
    fn check_name(&self) -> &'static str {
        "gd_converges"
    }
    fn score_formula(&self) -> &'static str {
        "one step of C9(a), gamma = k gamma*, 0 < k <= 1: (V(theta - gamma G) - V(theta) + 4 gamma L) / (4 gamma L) (L > 0; else V(theta - gamma G) - V(theta), or -1 if that is <= 0); > 0 iff (a) fails"
    }
    fn sample(&self, rng: &mut Rng) -> Instance {
        let k = if rng.chance(1, 2) { BigRational::one() } else { q(1, 2) };
        Instance::of(papers_case(rng, 6)).with_number("gamma_factor", k)
    }
    fn score(&self, inst: &Instance) -> Option<BigRational> {
        if !inst.case.problem.is_papers_setting() {
            return None;
        }
        let (_, gamma, _) = step(inst, |k| k.is_positive() && k <= &BigRational::one())?;
        let (v0, v1, four_gamma_l) = c9_sides(inst, &gamma)?;
        let excess = v1 - v0 + &four_gamma_l;
        Some(if four_gamma_l.is_positive() {
            excess / four_gamma_l
        } else if excess.is_positive() {
            excess
        } else {
            -BigRational::one()
        })
    }
    fn quantities(&self, inst: &Instance) -> Vec<(String, BigRational)> {
        let Some((k, gamma, gs)) = step(inst, |_| true) else { return Vec::new() };
        let Some((v0, v1, four_gamma_l)) = c9_sides(inst, &gamma) else { return Vec::new() };
        vec![
            ("gamma*".into(), gs),
            ("gamma_factor k".into(), k),
            ("V(theta)".into(), v0.clone()),
            ("V(theta - gamma G)".into(), v1),
            ("V(theta) - 4 gamma L".into(), v0 - four_gamma_l),
        ]
    }
}
