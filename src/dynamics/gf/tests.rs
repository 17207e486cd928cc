//! Unit tests of the gradient flow: the RKF 7(8) tableau's order conditions,
//! closed-form and random runs, sliding modes, the uphill negative control,
//! trajectory files and option errors. [`sliding_case`] is shared with the
//! tests of `claims::flow`.

use super::report::f64_of;
use super::tableau::{ratio, RKF78_A, RKF78_B7, RKF78_B8, RKF78_C};
use super::*;
use crate::dynamics::trajectory::{read_records, Record};
use crate::model::case::parse_case;
use crate::num::Guarantee;
use num_traits::Zero;

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

/// Row sums equal the nodes, and the b8 weights satisfy the quadrature
/// conditions Σ b c^k = 1/(k+1) up to order 8 and a few tree conditions
/// exactly; b7 up to order 7.
#[test]
fn rkf78_tableau_order_conditions() {
    let c: Vec<BigRational> = RKF78_C.iter().map(|p| ratio(*p)).collect();
    let a: Vec<Vec<BigRational>> = RKF78_A
        .iter()
        .map(|row| {
            let mut r: Vec<BigRational> = row.iter().map(|p| ratio(*p)).collect();
            r.resize(13, BigRational::zero());
            r
        })
        .collect();
    for (i, row) in a.iter().enumerate() {
        let s = row.iter().fold(BigRational::zero(), |s, x| s + x);
        assert_eq!(s, c[i], "row {i} sum");
    }
    let mut simpson = [(0i64, 1i64); 13];
    simpson[0] = (1, 6);
    simpson[5] = (2, 3);
    simpson[12] = (1, 6);
    for (b, order) in [(&RKF78_B8, 8u32), (&RKF78_B7, 7u32), (&simpson, 4u32)] {
        let b: Vec<BigRational> = b.iter().map(|p| ratio(*p)).collect();
        for k in 0..order {
            let s = (0..13).fold(BigRational::zero(), |s, i| s + &b[i] * c[i].pow(k as i32));
            assert_eq!(s, q(1, k as i64 + 1), "order {order}: sum b c^{k}");
        }
        // Σ b_i a_ij c_j^k = 1/((k+1)(k+2)) for k + 2 ≤ order.
        for k in 0..order - 1 {
            let s = (0..13).fold(BigRational::zero(), |s, i| {
                s + &b[i] * (0..13).fold(BigRational::zero(), |t, j| t + &a[i][j] * c[j].pow(k as i32))
            });
            assert_eq!(s, q(1, (k as i64 + 1) * (k as i64 + 2)), "order {order}: sum b a c^{k}");
        }
    }
    // Simpson on stages 1, 6, 13 is of order 4: the remaining conditions
    // Σ b c a c = 1/8 and Σ b a a c = 1/24.
    let b: Vec<BigRational> = simpson.iter().map(|p| ratio(*p)).collect();
    let ac: Vec<BigRational> =
        (0..13).map(|i| (0..13).fold(BigRational::zero(), |t, j| t + &a[i][j] * &c[j])).collect();
    let bcac = (0..13).fold(BigRational::zero(), |s, i| s + &b[i] * &c[i] * &ac[i]);
    assert_eq!(bcac, q(1, 8));
    let baac = (0..13)
        .fold(BigRational::zero(), |s, i| s + &b[i] * (0..13).fold(BigRational::zero(), |t, j| t + &a[i][j] * &ac[j]));
    assert_eq!(baac, q(1, 24));
}

fn dead_case() -> Case {
    // All neurons dead on [0, 2] (w = 0, b < 0): only c moves,
    // dc/dt = −2m(c − ξ), m = 2.
    parse_case(
        "dead",
        "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"2\"\ntarget = \"1/3\"\n[theta]\nw = [\"0\", \"0\"]\nb = [\"-1\", \"-5/2\"]\nv = [\"3\", \"-1/2\"]\nc = \"2\"\n",
    )
    .expect("case")
}

fn random_case() -> Case {
    parse_case(
        "random",
        "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"1\"\ntarget = \"1/2\"\n[theta]\nw = [\"1\", \"-3/2\", \"0\", \"2\"]\nb = [\"1/4\", \"1/2\", \"0\", \"-1\"]\nv = [\"-1\", \"3/4\", \"2\", \"1/2\"]\nc = \"-1/3\"\n",
    )
    .expect("case")
}

fn empirical_case() -> Case {
    parse_case(
        "emp",
        "[problem]\nmeasure = \"empirical\"\npoints = [[\"1\", \"0\"], [\"-1/2\", \"1\"], [\"0\", \"-1\"]]\nweights = [\"1/3\", \"1/3\", \"1/3\"]\ntarget = \"1\"\n[theta]\nw = [[\"1\", \"1/2\"], [\"-1\", \"1\"], [\"0\", \"0\"]]\nb = [\"-1\", \"1/2\", \"0\"]\nv = [\"1/2\", \"-1\", \"2\"]\nc = \"0\"\n",
    )
    .expect("case")
}

fn precision() -> u32 {
    default_precision()
}

#[test]
fn dead_neurons_follow_the_closed_form() {
    let case = dead_case();
    let t = q(1, 2);
    let opts = FlowOptions::new(t.clone(), precision());
    let r = run_flow(&case, &opts).expect("flow");
    assert_eq!(r.stop, Stop::Completed);
    assert!(r.holds(), "{}", flow_text(&r));
    let last = r.last();
    // Only c moves.
    assert_eq!(last.theta.w, case.theta.w);
    assert_eq!(last.theta.b, case.theta.b);
    assert_eq!(last.theta.v, case.theta.v);
    // c(t) − ξ = (c0 − ξ) e^{−2mt}, m = 2, t = 1/2: (2 − 1/3) e^{−2}.
    let c = f64_of(&last.theta.c);
    let exact = 1.0 / 3.0 + (5.0 / 3.0) * (-2.0f64).exp();
    let tol = (10.0 * r.error_estimate).max(1e-14);
    assert!((c - exact).abs() <= tol, "c = {c}, closed form {exact}, E = {}", r.error_estimate);
    #[cfg(feature = "gmp")]
    {
        use rug::Float;
        let exact = Float::with_val(128, -2).exp() * Float::with_val(128, 5) / 3u32 + Float::with_val(128, 1) / 3u32;
        let got = Float::with_val(128, &crate::num::gmp::rational_from_big(&last.theta.c));
        let diff = Float::with_val(128, &got - &exact).abs().to_f64();
        assert!(diff <= 10.0 * r.error_estimate + 1e-30, "diff {diff:e}, E = {:e}", r.error_estimate);
        assert!(diff < 1e-12, "diff {diff:e}");
    }
}

#[test]
fn balance_holds_on_a_random_case() {
    for case in [random_case(), empirical_case()] {
        let opts = FlowOptions::new(q(1, 2), precision());
        let r = run_flow(&case, &opts).expect("flow");
        assert!(r.holds(), "{}", flow_text(&r));
        assert!(r.nodes.len() > 2);
        assert!(r.c3_exact_ok);
        assert!(r.max_norm2_ratio <= 1.0 + 1e-9);
        // L decreased.
        assert!(r.last().risk < r.nodes[0].risk);
    }
}

/// Points 0 (weight 3) and −1 (weight 1); neuron 1 has its hyperplane
/// b_1 = 0 through the point 0. For b_1 > 0 the point 0 is active and
/// db_1/dt = −2(3e(0) + e(−1)) = −2 < 0; for b_1 ≤ 0 it is not and
/// db_1/dt = −2e(−1) = 4 > 0: G pushes into the surface from both sides.
pub(crate) fn sliding_case() -> Case {
    parse_case(
        "sliding",
        "[problem]\nmeasure = \"empirical\"\npoints = [\"0\", \"-1\"]\nweights = [\"3\", \"1\"]\ntarget = \"0\"\n[theta]\nw = [\"-1\", \"-1\"]\nb = [\"0\", \"-1/2\"]\nv = [\"1\", \"-8\"]\nc = \"1\"\n",
    )
    .expect("case")
}

/// E8 at the start: θ_0 slides exactly, so gf integrates nothing and says
/// where; and from b_1 = 1/64 the flow reaches the same surface, chatters,
/// and gf names the surface, confirmed exactly at the projected node.
#[test]
fn a_sliding_mode_stops_the_flow() {
    for prec in [0, precision()] {
        let r = run_flow(&sliding_case(), &FlowOptions::new(q(1, 8), prec)).expect("flow");
        assert_eq!(r.stop, Stop::Sliding, "{}", flow_text(&r));
        assert!(!r.violated(), "{}", flow_text(&r));
        assert!(!r.holds());
        assert_eq!((r.accepted, r.node_count), (0, 1), "nothing integrated");
        let text = flow_text(&r);
        assert!(text.contains("no classical solution from here: sliding on neuron 1 at sample 1 (exact"), "{text}");
        let mut near = sliding_case();
        near.theta.b[0] = q(1, 64);
        let r = run_flow(&near, &FlowOptions::new(q(1, 8), prec)).expect("flow");
        assert_eq!(r.stop, Stop::Sliding, "{}", flow_text(&r));
        assert!(r.forced >= SLIDING_CROSSINGS && r.accepted > 0);
        let text = flow_text(&r);
        assert!(text.contains("sliding on neuron 1 at sample 1 (the integrator chattered"), "{text}");
        assert!(text.contains("confirmed exactly"), "{text}");
    }
}

#[test]
fn uphill_flow_breaks_the_balance() {
    let case = random_case();
    let opts = FlowOptions::new(q(1, 4), precision());
    let r = run_flow_directed(&case, &opts, Direction::Up, true).expect("flow");
    assert!(!r.holds());
    assert!(r.balance_violation.is_some() || r.monotone_violation.is_some());
    // C3 itself is a property of θ and still holds at the uphill nodes.
    assert!(r.c3_exact_ok);
}

#[test]
fn a_stationary_point_takes_one_step() {
    // v = 0, c = ξ: L = 0, G = 0.
    let mut case = random_case();
    case.theta.v.iter_mut().for_each(|v| *v = BigRational::zero());
    case.theta.c = q(1, 2);
    let r = run_flow(&case, &FlowOptions::new(q(3, 1), precision())).expect("flow");
    assert!(r.holds());
    assert_eq!(r.accepted, 1);
    assert!(r.balance_defect.is_zero());
    assert_eq!(r.last().theta, case.theta);
}

#[test]
fn trajectory_files_have_one_record_per_node() {
    let dir = std::env::temp_dir().join(format!("reluproof-gf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("gf.jsonl");
    let csv = dir.join("gf.csv");
    let mut opts = FlowOptions::new(q(1, 4), precision());
    opts.out = Some(out.clone());
    opts.csv = Some(csv.clone());
    let r = run_flow(&random_case(), &opts).expect("flow");
    let recs = read_records(&out).expect("read");
    assert_eq!(recs.len(), r.nodes.len());
    for (i, rec) in recs.iter().enumerate() {
        let parsed = Record::from_json(rec).expect("record keys");
        assert_eq!(parsed.n, i as u64);
        for k in ["t", "balance_defect", "error_estimate", "q2_ratio"] {
            assert!(parsed.extra.contains_key(k), "{k}");
        }
    }
    let last = recs.last().expect("records");
    let theta: Vec<BigRational> = last["theta"]
        .as_array()
        .expect("theta")
        .iter()
        .map(|v| crate::num::parse::parse_rational(v.as_str().expect("str")).expect("rational"))
        .collect();
    assert_eq!(theta, r.last().theta.flatten());
    let lines = std::fs::read_to_string(&csv).expect("csv").lines().count();
    assert_eq!(lines, r.nodes.len() + 1);
    let text = flow_text(&r);
    assert!(text.contains("error estimate E"), "{text}");
    assert!(text.contains("not a rigorous bound"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn f64_flow_is_labelled_approximate_and_agrees() {
    let case = random_case();
    let r = run_flow(&case, &FlowOptions::new(q(1, 2), 0)).expect("flow");
    assert_eq!(r.backend, "f64");
    assert_eq!(r.guarantee, Guarantee::Approximate { bits: 53 });
    assert!(r.holds(), "{}", flow_text(&r));
    #[cfg(feature = "gmp")]
    {
        let m = run_flow(&case, &FlowOptions::new(q(1, 2), 128)).expect("flow");
        let a = m.last().theta.flatten();
        let b = r.last().theta.flatten();
        for (x, y) in a.iter().zip(&b) {
            assert!((f64_of(x) - f64_of(y)).abs() < 1e-8, "{x} vs {y}");
        }
    }
}

#[test]
fn bad_options_are_errors() {
    let case = random_case();
    assert!(run_flow(&case, &FlowOptions::new(q(0, 1), precision())).is_err());
    let mut o = FlowOptions::new(q(1, 1), precision());
    o.tolerance = 0.0;
    assert!(run_flow(&case, &o).is_err());
    #[cfg(not(feature = "gmp"))]
    assert!(run_flow(&case, &FlowOptions::new(q(1, 1), 128)).unwrap_err().contains("gmp"));
}
