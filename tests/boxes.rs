//! Box measures in d ≥ 2 (D2 widened): the production path (`Path::Box`,
//! pairs of neurons, triangulated polytopes) against a second exact method
//! written from the definitions alone, against the d = 1 code on boxes whose
//! extra directions do not matter, against empirical measures on fine grids
//! (convergence), and against values computed by hand.
//!
//! The second method (`boxes/reference.rs`) is brute-force simplicial
//! subdivision: the box's Kuhn triangulation, every simplex bisected along
//! its edges until each lies on one side of every neuron hyperplane, and on
//! each simplex the degree-2 integrands of L and G (each neuron's piece fixed
//! at the centroid) integrated by the vertex-and-centroid rule exact for
//! degree 2. It shares nothing with `src/objective/boxes/` (pairs of neurons,
//! clipped polytopes, moment matrices) nor with the claims' oracle
//! (`src/claims/oracle_box.rs`, iterated integration), which an earlier
//! version of this file copied. Its own tests (the rule against the
//! Dirichlet moments, the subdivision against the box's moments, values by
//! hand) are in that module.
//!
//! ReLU^p (p = 2, 3) takes another production path (`Path::BoxCells`: the
//! cells of the whole arrangement, a simplex rule of degree 2p + 1); it is
//! compared with the claims' iterated-integration oracle, with the d = 1
//! segment-by-segment path on boxes whose extra directions do not matter,
//! and with interval enclosures.
//!
//! `BOXES_CASES=N` runs N random cases per configuration instead of the default.

// A crate root looks for modules beside it, so the path is spelled out.
#[path = "boxes/reference.rs"]
mod reference;

use num_traits::{One, Signed, Zero};
use reference::reference;
use reluproof::model::case::parse_case;
use reluproof::model::{Activation, DerivativeAtZero, Measure, Problem, Target, Theta};
use reluproof::num::parse::parse_rational;
use reluproof::num::BigRational as Q;
use reluproof::objective::{evaluate, evaluate_with_path, Path};

fn q(s: &str) -> Q {
    parse_rational(s).expect("a rational literal")
}

fn int(n: i64) -> Q {
    Q::from_integer(n.into())
}

// ---------------------------------------------------------------------------
// Random cases with the degeneracies that matter.
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, k: u64, n: u64) -> bool {
        self.next() % n < k
    }
    fn small(&mut self) -> Q {
        Q::new(self.range(-6, 6).into(), self.range(1, 4).into())
    }
}

/// A box: ends in quarters, sometimes with a = −b or a = 0.
fn random_box(rng: &mut Rng, d: usize) -> (Vec<Q>, Vec<Q>) {
    (0..d)
        .map(|_| {
            let a = Q::new(rng.range(-6, 3).into(), 4.into());
            let b = &a + Q::new(rng.range(1, 8).into(), 4.into());
            (a, b)
        })
        .unzip()
}

/// θ with planted degeneracies: w_j = 0 (b_j of every sign), hyperplanes
/// through a corner, parallel to a face, equal (or opposite) to another's,
/// and through the intersection point of two others (d = 2).
fn random_theta(rng: &mut Rng, lo: &[Q], hi: &[Q], h: usize) -> Theta<Q> {
    let d = lo.len();
    let mut w: Vec<Vec<Q>> = Vec::new();
    let mut b: Vec<Q> = Vec::new();
    for j in 0..h {
        let mut row: Vec<Q> = (0..d).map(|_| rng.small()).collect();
        let mut bias = rng.small();
        match rng.range(0, 7) {
            0 => {
                row = vec![Q::zero(); d];
                bias = Q::from_integer(rng.range(-1, 1).into());
            }
            1 => {
                // Through a corner.
                let corner: Vec<Q> =
                    (0..d).map(|i| if rng.chance(1, 2) { lo[i].clone() } else { hi[i].clone() }).collect();
                bias = -row.iter().zip(&corner).fold(Q::zero(), |s, (w, x)| s + w * x);
            }
            2 => {
                // Parallel to a face (zero weights on all but one or two coordinates).
                let keep = rng.range(0, d as i64 - 1) as usize;
                for (i, wi) in row.iter_mut().enumerate() {
                    if i != keep && rng.chance(2, 3) {
                        *wi = Q::zero();
                    }
                }
                if rng.chance(1, 2) {
                    bias = -&row[keep] * if rng.chance(1, 2) { &lo[keep] } else { &hi[keep] };
                }
            }
            3 if j > 0 => {
                // The same hyperplane as an earlier neuron, same or opposite side.
                let k = rng.range(0, j as i64 - 1) as usize;
                let s = Q::new(rng.range(-3, 3).into(), rng.range(1, 2).into());
                let s = if s.is_zero() { Q::one() } else { s };
                row = w[k].iter().map(|x| x * &s).collect();
                bias = &b[k] * &s;
            }
            4 if j > 1 && d == 2 => {
                // Through the intersection of the first two hyperplanes.
                let (p, r) = (&w[0], &w[1]);
                let det = &p[0] * &r[1] - &p[1] * &r[0];
                if !det.is_zero() {
                    let x0 = (-&b[0] * &r[1] + &b[1] * &p[1]) / &det;
                    let x1 = (-&p[0] * &b[1] + &r[0] * &b[0]) / &det;
                    bias = -(&row[0] * x0 + &row[1] * x1);
                }
            }
            _ => {}
        }
        w.push(row);
        b.push(bias);
    }
    let v = (0..h).map(|_| rng.small()).collect();
    Theta { d, w: w.into_iter().flatten().collect(), b, v, c: rng.small() }
}

fn random_problem(rng: &mut Rng, lo: Vec<Q>, hi: Vec<Q>) -> Problem {
    let d = lo.len();
    let target = if rng.chance(1, 3) {
        Target::Affine { slope: (0..d).map(|_| rng.small()).collect(), intercept: rng.small() }
    } else {
        Target::Constant(rng.small())
    };
    let mut p = Problem::new(Measure::Box { a: lo, b: hi, probability: rng.chance(1, 2) }, target);
    p.activation = match rng.range(0, 5) {
        0 => Activation::LeakyRelu(Q::new(rng.range(-3, 3).into(), 4.into())),
        1 => Activation::Abs,
        _ => Activation::Relu,
    };
    if rng.chance(1, 3) {
        p.derivative_at_zero = DerivativeAtZero::Closed;
    }
    p
}

fn cases_per_config(default: usize) -> usize {
    std::env::var("BOXES_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// The production path equals the simplicial subdivision on every value.
fn agree(problem: &Problem, theta: &Theta<Q>, what: &str) {
    let prep = problem.prepare::<Q>(&());
    let (ev, path) = evaluate_with_path(&prep, theta);
    assert_eq!(path, Path::Box, "{what}: the box path ran");
    let (risk, grad) = reference(problem, theta);
    assert_eq!(ev.risk, risk, "{what}: L differs\n{problem:?}\n{theta:?}");
    assert_eq!(ev.gradient.flatten(), grad, "{what}: G differs\n{problem:?}\n{theta:?}");
}

#[test]
fn box_path_equals_simplicial_subdivision_in_d2() {
    let mut rng = Rng(2);
    for n in 0..cases_per_config(60) {
        let (lo, hi) = random_box(&mut rng, 2);
        let h = rng.range(1, 5) as usize;
        let theta = random_theta(&mut rng, &lo, &hi, h);
        let problem = random_problem(&mut rng, lo, hi);
        agree(&problem, &theta, &format!("d = 2, case {n}"));
    }
}

#[test]
fn box_path_equals_simplicial_subdivision_in_d3() {
    let mut rng = Rng(3);
    for n in 0..cases_per_config(12) {
        let (lo, hi) = random_box(&mut rng, 3);
        let h = rng.range(1, 3) as usize;
        let theta = random_theta(&mut rng, &lo, &hi, h);
        let problem = random_problem(&mut rng, lo, hi);
        agree(&problem, &theta, &format!("d = 3, case {n}"));
    }
}

#[test]
fn box_path_equals_simplicial_subdivision_in_d4() {
    let mut rng = Rng(4);
    for n in 0..cases_per_config(6) {
        let (lo, hi) = random_box(&mut rng, 4);
        let h = rng.range(1, 3) as usize;
        let theta = random_theta(&mut rng, &lo, &hi, h);
        let problem = random_problem(&mut rng, lo, hi);
        agree(&problem, &theta, &format!("d = 4, case {n}"));
    }
}

#[test]
fn cube_written_with_scalar_ends_is_the_box_path() {
    let mut rng = Rng(5);
    for n in 0..cases_per_config(6) {
        let a = Q::new(rng.range(-4, 0).into(), 4.into());
        let b = &a + Q::new(rng.range(1, 6).into(), 4.into());
        let d = 2 + n % 2;
        let theta = random_theta(&mut rng, &vec![a.clone(); d], &vec![b.clone(); d], 3);
        let problem = Problem::new(Measure::Uniform { a, b, d }, Target::Constant(rng.small()));
        agree(&problem, &theta, &format!("cube, case {n}"));
    }
}

// ---------------------------------------------------------------------------
// Against the d = 1 code: a box whose extra coordinates no neuron sees.
// ---------------------------------------------------------------------------

/// For w_j = (w_j, 0, …, 0) and a constant target, e depends on x_1 only, so
/// with ℓ = ∏_{i≥2} (b_i − a_i) (1 for the uniform law, which factors):
/// L = ℓ L₁, G_{w_j,1} = ℓ G₁_{w_j}, G_{w_j,i} = ℓ G₁_{b_j} · mean of x_i,
/// G_b, G_v, G_c = ℓ × their d = 1 values.
#[test]
fn box_with_irrelevant_directions_matches_the_d1_sweep() {
    irrelevant_directions_match_d1(11, None);
}

/// ReLU^p on a box takes the cell-by-cell path; with irrelevant directions
/// it must agree with the d = 1 segment-by-segment path (written
/// independently: per-segment polynomial antiderivatives).
#[test]
fn relu_powers_with_irrelevant_directions_match_the_d1_general_path() {
    irrelevant_directions_match_d1(12, Some(2));
    irrelevant_directions_match_d1(13, Some(3));
}

/// ReLU^p on boxes in general position against the claims' definitional
/// evaluator (iterated integration with Newton–Cotes rules of the needed
/// degree; no cells, no simplices): equal, exactly.
#[test]
fn relu_powers_on_boxes_equal_the_iterated_oracle() {
    let mut rng = Rng(14);
    for n in 0..cases_per_config(12) {
        let d = 2 + n % 2;
        let (lo, hi) = random_box(&mut rng, d);
        let mut problem = random_problem(&mut rng, lo.clone(), hi.clone());
        problem.activation = Activation::ReluPow(2 + (n as u32 / 2) % 2);
        let most = reluproof::claims::oracle_box::max_width_of(&problem);
        let h = rng.range(1, most as i64) as usize;
        let theta = random_theta(&mut rng, &lo, &hi, h);
        let (ev, path) = evaluate_with_path(&problem.prepare::<Q>(&()), &theta);
        assert_eq!(path, Path::BoxCells);
        let (risk, gradient) = reluproof::claims::oracle_box::reference(&problem, &theta).expect("covered");
        let what = format!("case {n}: {problem:?}, {theta:?}");
        assert_eq!(ev.risk, risk, "L, {what}");
        assert_eq!(ev.gradient, gradient, "G, {what}");
    }
}

/// Boxes whose neurons ignore x_2, …, x_d against the d = 1 code: L and G
/// scale by the other sides' measure, and G_{w_j,i} (i ≥ 2) is G_{b_j}
/// times the mean of x_i. `power`: ReLU^p instead of ReLU.
fn irrelevant_directions_match_d1(seed: u64, power: Option<u32>) {
    let mut rng = Rng(seed);
    for n in 0..cases_per_config(if power.is_some() { 12 } else { 40 }) {
        let d = 2 + n % 2;
        let (lo, hi) = random_box(&mut rng, d);
        let probability = rng.chance(1, 2);
        let h = rng.range(1, 6) as usize;
        let one_d = random_theta(&mut rng, &lo[..1], &hi[..1], h);
        let xi = Target::Constant(rng.small());
        let p1 = Problem::new(
            if probability {
                Measure::Uniform { a: lo[0].clone(), b: hi[0].clone(), d: 1 }
            } else {
                Measure::Lebesgue { a: lo[0].clone(), b: hi[0].clone() }
            },
            xi.clone(),
        );
        let mut pd = Problem::new(Measure::Box { a: lo.clone(), b: hi.clone(), probability }, xi);
        if rng.chance(1, 3) {
            pd.derivative_at_zero = DerivativeAtZero::Closed;
        }
        if let Some(p) = power {
            pd.activation = Activation::ReluPow(p);
        }
        let p1 = Problem { derivative_at_zero: pd.derivative_at_zero, activation: pd.activation.clone(), ..p1 };
        let mut w = Vec::new();
        for j in 0..h {
            w.push(one_d.w[j].clone());
            w.extend((1..d).map(|_| Q::zero()));
        }
        let theta = Theta { d, w, ..one_d.clone() };
        let (e1, path1) = evaluate_with_path(&p1.prepare::<Q>(&()), &one_d);
        let (ed, pathd) = evaluate_with_path(&pd.prepare::<Q>(&()), &theta);
        match power {
            None => assert_eq!((path1, pathd), (Path::Sweep, Path::Box)),
            Some(_) => assert_eq!((path1, pathd), (Path::General, Path::BoxCells)),
        }
        let ell = if probability { Q::one() } else { (1..d).fold(Q::one(), |s, i| s * (&hi[i] - &lo[i])) };
        let what = format!("case {n}: d = {d}, {pd:?}, {theta:?}");
        assert_eq!(ed.risk, &e1.risk * &ell, "L, {what}");
        for j in 0..h {
            assert_eq!(ed.gradient.w[j * d], &e1.gradient.w[j] * &ell, "G_w{j},1, {what}");
            for i in 1..d {
                let mean = (&lo[i] + &hi[i]) / int(2);
                assert_eq!(ed.gradient.w[j * d + i], &e1.gradient.b[j] * &ell * mean, "G_w{j},{i}, {what}");
            }
            assert_eq!(ed.gradient.b[j], &e1.gradient.b[j] * &ell, "G_b{j}, {what}");
            assert_eq!(ed.gradient.v[j], &e1.gradient.v[j] * &ell, "G_v{j}, {what}");
        }
        assert_eq!(ed.gradient.c, &e1.gradient.c * &ell, "G_c, {what}");
    }
}

// ---------------------------------------------------------------------------
// Against empirical measures on finer and finer grids (convergence only).
// ---------------------------------------------------------------------------

/// The midpoint grid with n points per side and weights vol/n^d (or 1/n^d).
fn grid_problem(problem: &Problem, n: usize) -> Problem {
    let Measure::Box { a, b, probability } = &problem.measure else { panic!("a box") };
    let d = a.len();
    let mut points = vec![Vec::new()];
    for i in 0..d {
        let step = (&b[i] - &a[i]) / int(n as i64);
        let coords: Vec<Q> = (0..n).map(|k| &a[i] + &step * Q::new((2 * k as i64 + 1).into(), 2.into())).collect();
        points = points
            .into_iter()
            .flat_map(|p: Vec<Q>| {
                coords.iter().map(move |x| {
                    let mut p = p.clone();
                    p.push(x.clone());
                    p
                })
            })
            .collect();
    }
    let mass = if *probability { Q::one() } else { reluproof::model::box_volume(a, b) };
    let weight = mass / int(points.len() as i64);
    let weights = vec![weight; points.len()];
    Problem { measure: Measure::Empirical { points, weights }, ..problem.clone() }
}

#[test]
fn grid_measures_converge_to_the_box_values() {
    let mut rng = Rng(17);
    for n in 0..cases_per_config(6) {
        let (lo, hi) = random_box(&mut rng, 2);
        let theta = random_theta(&mut rng, &lo, &hi, 3);
        let mut problem = random_problem(&mut rng, lo, hi);
        if n % 3 == 2 {
            // The cell-by-cell path of ReLU^p, too.
            problem.activation = Activation::ReluPow(2 + n as u32 % 2);
        }
        let exact = evaluate(&problem.prepare::<Q>(&()), &theta);
        let err = |k: usize| {
            let ev = evaluate(&grid_problem(&problem, k).prepare::<Q>(&()), &theta);
            let mut worst = (&ev.risk - &exact.risk).abs();
            for (g, x) in ev.gradient.flatten().iter().zip(exact.gradient.flatten()) {
                worst = worst.max((g - x).abs());
            }
            worst
        };
        let (coarse, fine) = (err(6), err(48));
        assert!(
            fine.is_zero() || &fine * int(2) <= coarse,
            "case {n}: the 48-point grid is not closer than half the 6-point grid's error ({fine} vs {coarse})"
        );
    }
}

// ---------------------------------------------------------------------------
// Values computed by hand.
// ---------------------------------------------------------------------------

fn eval_text(text: &str) -> (Q, Vec<Q>) {
    let case = parse_case("hand.toml", text).expect("a valid case");
    let (ev, path) = evaluate_with_path(&case.problem.prepare::<Q>(&()), &case.theta);
    assert_eq!(path, Path::Box);
    (ev.risk, ev.gradient.flatten())
}

fn unit_square(w: &str, b: &str) -> String {
    format!(
        "[problem]\nmeasure = \"lebesgue\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\ntarget = \"0\"\n[theta]\nw = [{w}]\nb = [\"{b}\"]\nv = [\"1\"]\nc = \"0\"\n"
    )
}

#[test]
fn hand_computed_values() {
    // N = x + y on [0,1]²: L = ∫(x+y)² = 1/3 + 1/2 + 1/3; G_w1 = 2∫x(x+y) = 2(1/3 + 1/4).
    let (l, g) = eval_text(&unit_square("[\"1\", \"1\"]", "0"));
    assert_eq!((l, g), (q("7/6"), vec![q("7/6"), q("7/6"), q("2"), q("7/3"), q("2")]));
    // N = relu(x − y): L = ∫_0^1 ∫_0^x (x − y)² dy dx = ∫ x³/3 = 1/12; ∫ relu(x − y) = 1/6.
    let (l, g) = eval_text(&unit_square("[\"1\", \"-1\"]", "0"));
    assert_eq!(l, q("1/12"));
    assert_eq!(g[2], q("1/3")); // G_b = 2 ∫_{x>y} (x − y)
    assert_eq!(g[4], q("1/3")); // G_c = 2 ∫ relu(x − y)
                                // 2∫_{x>y} x (x − y) = 2 ∫ x³/2 = 1/4 and 2∫_{x>y} y (x − y) = 2 ∫ x³/6 = 1/12.
    assert_eq!((g[0].clone(), g[1].clone()), (q("1/4"), q("1/12")));
    // A neuron whose line x + y = 2 only touches the corner (1,1): dead a.e.
    let (l, g) = eval_text(&unit_square("[\"1\", \"1\"]", "-2"));
    assert_eq!((l, g), (q("0"), vec![q("0"); 5]));
    // Uniform on the cube [0,1]³, N = relu(x+y+z − 3/2): by the symmetry of
    // S = x+y+z about 3/2, L = Var(S)/2 = 1/8; G_c = 2E relu(S − 3/2) = E|S − 3/2| = 13/32
    // (Irwin–Hall density: 2[∫_0^{1/2} (3u/4 − u³) du + ∫_0^1 (3/2 − t) t²/2 dt] = 2(5/64 + 1/8)).
    let (l, g) = eval_text(
        "[problem]\nmeasure = \"uniform\"\na = \"0\"\nb = \"1\"\nd = 3\ntarget = \"0\"\n[theta]\nw = [[\"1\", \"1\", \"1\"]]\nb = [\"-3/2\"]\nv = [\"1\"]\nc = \"0\"\n",
    );
    assert_eq!(l, q("1/8"));
    assert_eq!(g[5], q("13/32"));
    // w = 0, b = 0 under the closed convention: σ' = 1 on the whole box, so
    // G_b = 2 v ∫ e = 2 c · 6 on [0,2] × [0,3] with e = c − ξ = 1 − 0.
    let (l, g) = eval_text(
        "[problem]\nmeasure = \"lebesgue\"\na = [\"0\", \"0\"]\nb = [\"2\", \"3\"]\ntarget = \"0\"\nsigma_prime_zero = \"closed\"\n[theta]\nw = [[\"0\", \"0\"]]\nb = [\"0\"]\nv = [\"1\"]\nc = \"1\"\n",
    );
    assert_eq!(l, q("6"));
    assert_eq!(g, vec![q("12"), q("18"), q("12"), q("0"), q("12")]);
}

// ---------------------------------------------------------------------------
// Enclosure backends follow the exact decisions.
// ---------------------------------------------------------------------------

#[test]
fn interval_backends_enclose_the_exact_box_values() {
    use reluproof::num::{Dyadic, Interval};
    use reluproof::objective::evaluate_from_exact;
    let mut rng = Rng(23);
    for n in 0..cases_per_config(10) {
        let d = 2 + n % 2;
        let (lo, hi) = random_box(&mut rng, d);
        let theta = random_theta(&mut rng, &lo, &hi, 3);
        let mut problem = random_problem(&mut rng, lo, hi);
        if n % 3 == 2 {
            // The cell-by-cell path of ReLU^p, too.
            problem.activation = Activation::ReluPow(2 + n as u32 % 2);
        }
        let exact = evaluate(&problem.prepare::<Q>(&()), &theta);
        let want: Vec<Q> = std::iter::once(exact.risk).chain(exact.gradient.flatten()).collect();
        let dy = evaluate_from_exact(&problem.prepare::<Interval<Dyadic>>(&80), &theta);
        let f = evaluate_from_exact(&problem.prepare::<Interval<f64>>(&()), &theta);
        let dys: Vec<_> = std::iter::once(dy.risk).chain(dy.gradient.flatten()).collect();
        let fs: Vec<_> = std::iter::once(f.risk).chain(f.gradient.flatten()).collect();
        for (k, x) in want.iter().enumerate() {
            assert!(dys[k].contains(x), "case {n}, value {k}: {x} not in {:?}", dys[k]);
            assert!(fs[k].contains(x), "case {n}, value {k}: {x} not in {:?}", fs[k]);
        }
    }
}

// ---------------------------------------------------------------------------
// Bad input.
// ---------------------------------------------------------------------------

#[test]
fn bad_box_input_names_the_field() {
    let case = |problem: &str, w: &str| {
        format!("[problem]\n{problem}\ntarget = \"1\"\n[theta]\nw = {w}\nb = [\"0\"]\nv = [\"1\"]\nc = \"0\"\n")
    };
    let bad = [
        ("measure = \"uniform\"\na = [\"0\", \"1\"]\nb = [\"1\", \"1\"]", "[[\"1\", \"1\"]]", "problem.b[1]"),
        ("measure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\"]", "[[\"1\", \"1\"]]", "problem.b"),
        ("measure = \"uniform\"\na = [\"0\", \"0\"]\nb = \"1\"", "[[\"1\", \"1\"]]", "problem.b"),
        ("measure = \"lebesgue\"\na = []\nb = []", "[[\"1\"]]", "problem.a"),
        ("measure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]", "[[\"1\", \"1\", \"1\"]]", "theta.w[0]"),
        ("measure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\nd = 3", "[[\"1\", \"1\"]]", "problem.d"),
        ("measure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"x\"]", "[[\"1\", \"1\"]]", "problem.b[1]"),
        (
            "measure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\nactivation = \"sigmoid\"",
            "[[\"1\", \"1\"]]",
            "problem.activation",
        ),
        (
            "measure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\nactivation = \"tanh\"",
            "[[\"1\", \"1\"]]",
            "problem.activation",
        ),
    ];
    for (problem, w, field) in bad {
        let text = case(problem, w);
        let err = parse_case("bad.toml", &text).expect_err(&text);
        assert_eq!(err.field, field, "{text}\n{err}");
        assert!(err.to_string().starts_with("bad.toml: field"), "{err}");
    }
    // The binary exits with status 2 and names file and field.
    let dir = std::env::temp_dir().join(format!("reluproof-boxes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad-box.toml");
    std::fs::write(&path, case(bad[0].0, bad[0].1)).expect("write");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_reluproof"))
        .args(["eval", path.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad-box.toml") && stderr.contains("problem.b[1]"), "{stderr}");
}

// ---------------------------------------------------------------------------
// The box vectors of tests/vectors are the second method's values.
// ---------------------------------------------------------------------------

/// `tests/vectors/box-*.expected.json` holds L, G, V and ⟨∇V, G⟩ computed
/// outside `src/`: first by an iterated integration once written here, now
/// recomputed on every run by the simplicial subdivision, which reproduces
/// them digit for digit; `tests/vectors.rs` holds every backend to them.
/// `BOXES_PRINT_VECTORS=1` prints the JSON.
#[test]
fn box_vectors_are_the_simplicial_subdivision_values() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    for name in ["box-d2", "box-d3"] {
        let text = std::fs::read_to_string(format!("{dir}/{name}.toml")).expect("the vector exists");
        let case = parse_case(name, &text).expect("a valid case");
        let (risk, grad) = reference(&case.problem, &case.theta);
        let xi = case.problem.target.constant().expect("constant").clone();
        let th = &case.theta;
        let flat = th.flatten();
        let cm = &th.c - &xi * int(2);
        // V = ‖θ‖² + (c − 2ξ)² and ∇V = 2θ + 2(c − 2ξ) e_c (D5).
        let lyapunov = flat.iter().fold(Q::zero(), |s, x| s + x * x) + &cm * &cm;
        let mut gv = flat.iter().map(|x| x * int(2)).collect::<Vec<_>>();
        *gv.last_mut().expect("c") += &cm * int(2);
        let dot = gv.iter().zip(&grad).fold(Q::zero(), |s, (a, b)| s + a * b);
        let json = serde_json::json!({
            "risk": risk.to_string(),
            "gradient": grad.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "lyapunov": lyapunov.to_string(),
            "grad_v_dot_g": dot.to_string(),
        });
        if std::env::var("BOXES_PRINT_VECTORS").is_ok() {
            println!("{name}: {}", serde_json::to_string_pretty(&json).expect("json"));
            continue;
        }
        let stored: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}/{name}.expected.json")).expect("the expected file exists"),
        )
        .expect("JSON");
        assert_eq!(stored, json, "{name}: the stored vector is not the simplicial subdivision's");
    }
}

#[test]
fn too_wide_a_box_network_is_refused_up_front() {
    let h = 1500;
    let row = "[\"1\", \"-1\"]";
    let list = |x: &str| format!("[{}]", vec![x; h].join(", "));
    let text = format!(
        "[problem]\nmeasure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\ntarget = \"1\"\n[theta]\nw = {}\nb = {}\nv = {}\nc = \"0\"\n",
        list(row),
        list("\"0\""),
        list("\"1\"")
    );
    let err = parse_case("wide.toml", &text).expect_err("too wide");
    assert_eq!(err.field, "theta.b", "{err}");
    assert!(err.message.contains("at most H = 1413"), "{err}");
    // ReLU^p integrates over the whole arrangement's cells: a lower bound.
    let text = text.replace("target = \"1\"", "target = \"1\"\nactivation = \"relu2\"");
    let err = parse_case("wide.toml", &text).expect_err("too wide");
    assert_eq!(err.field, "theta.b", "{err}");
    assert!(err.message.contains("cells") && err.message.contains("at most H = "), "{err}");
}

/// gd, sgd and gf run on a box case file and decide their inequalities.
#[test]
fn commands_run_on_boxes() {
    let case = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/box-d2.toml");
    for args in
        [vec!["gd", case, "--steps", "3"], vec!["sgd", case, "--steps", "5"], vec!["gf", case, "--time", "1/100"]]
    {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_reluproof")).args(&args).output().expect("runs");
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(out.contains("holds") || out.contains("consistent"), "{args:?}: {out}");
    }
}
