//! The repository stands alone: proofs/CLAIMS.md states every registered
//! statement (same id, name and origin, with its proofs/ file), and no file
//! of the repository refers to a folder outside it.

use reluproof::claims::{Status, STATEMENTS};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(id, name, origin)` of every `- **ID name** (origin…)` line of CLAIMS.md.
fn stated() -> Vec<(String, String, Option<String>)> {
    let text = std::fs::read_to_string(root().join("proofs/CLAIMS.md")).expect("proofs/CLAIMS.md exists");
    text.lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| {
            let (head, rest) = l.split_once("**")?;
            let (id, name) = head.split_once(' ')?;
            let origin = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.split([',', ')', ';']).next())
                .map(|o| o.split_whitespace().next().unwrap_or("").to_string());
            Some((id.to_string(), name.to_string(), origin))
        })
        .filter(|(id, _, _)| id.len() <= 3 && id.chars().next().is_some_and(|c| "DCEQ".contains(c)))
        .collect()
}

#[test]
fn claims_file_states_every_registered_statement_in_order() {
    let stated = stated();
    let ids: Vec<&str> = stated.iter().map(|(id, _, _)| id.as_str()).collect();
    let registered: Vec<&str> = STATEMENTS.iter().map(|s| s.id).collect();
    assert_eq!(ids, registered, "proofs/CLAIMS.md and the registry list different statements");
    for ((id, name, origin), s) in stated.iter().zip(STATEMENTS) {
        assert_eq!(name, s.name, "{id}: the name in proofs/CLAIMS.md differs from the registry");
        if s.status == Status::Definition {
            assert!(origin.is_none(), "{id}: a definition has no origin");
        } else {
            assert_eq!(origin.as_deref(), Some(s.status.word()), "{id}: origin");
        }
        assert!(root().join("proofs").join(format!("{id}.md")).exists(), "proofs/{id}.md is missing");
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "target" || name == ".git" {
            continue;
        }
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The files of the repository: git's list where git is there (untracked
/// build products of proofs/coq are then left out), else every file but
/// target/ and .git/.
fn repository_files() -> Vec<PathBuf> {
    let git = std::process::Command::new("git").arg("-C").arg(root()).args(["ls-files", "-z"]).output();
    match git {
        Ok(o) if o.status.success() && !o.stdout.is_empty() => o
            .stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| root().join(String::from_utf8_lossy(p).into_owned()))
            .filter(|p| p.is_file())
            .collect(),
        _ => {
            let mut v = Vec::new();
            files_under(root(), &mut v);
            v
        }
    }
}

#[test]
fn no_file_refers_outside_the_repository() {
    // Spelled in two pieces so that this file does not match itself.
    let sibling = concat!("..", "/shared");
    let mut offenders = Vec::new();
    for f in repository_files() {
        let Ok(bytes) = std::fs::read(&f) else { continue };
        if String::from_utf8_lossy(&bytes).contains(sibling) {
            offenders.push(f.strip_prefix(root()).unwrap_or(&f).display().to_string());
        }
    }
    assert!(offenders.is_empty(), "files that refer to {sibling}: {offenders:?}");
}

/// The checks with their own default budget, and the number README's
/// statement table quotes for it; every other check takes the campaign's
/// default. (A cargo-mutants survivor dropped C12's budget unnoticed.)
#[test]
fn default_budgets_are_the_ones_readme_quotes() {
    let own = [
        ("C12", "gf_risk_derivative_eq_neg_gradient_sq", 200, "exact at 200 generated points"),
        ("C15", "sgd_expected_descent", 300, "300 cases"),
        ("Q3", "lyapunov_nonincreasing_of_step_le_four_times_bound", 3000, "of the default 3000"),
    ];
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    for c in reluproof::claims::registry() {
        match own.iter().find(|(_, name, _, _)| *name == c.name()) {
            Some((id, _, n, quoted)) => {
                assert_eq!(c.default_cases(), Some(*n), "{}", c.name());
                let quotes =
                    readme.lines().filter(|l| l.starts_with(&format!("| {id} |"))).any(|row| row.contains(quoted));
                assert!(quotes, "a README row of {id} should quote {quoted:?}");
            }
            None => assert_eq!(c.default_cases(), None, "{}: a budget of its own, not listed here", c.name()),
        }
    }
}

/// Every check weaker than its claim says so: the checks with a caveat
/// (printed as "weaker than the claim: …" on their rows) are exactly these,
/// and each caveat names its kind of weakness. (A cargo-mutants survivor,
/// claims shard 7/80, deleted C12's caveat unnoticed: its row would then
/// have claimed more than a pointwise check knows.)
#[test]
fn checks_weaker_than_their_claims_say_so() {
    let weaker = [
        ("balance_invariants", "structural identity"),
        ("gd_converges", "finite horizon"),
        ("gd_converges_below_twice_sharp_step", "finite horizon"),
        ("gd_converges_of_homogeneous_activation", "finite horizon"),
        ("generalized_gradient_is_limit_of_difference_quotients", "finite-horizon surrogate"),
        ("generalized_gradient_is_limit_of_smooth_approximants", "finite-horizon surrogate"),
        ("gf_converges", "tests the integrator"),
        ("gf_risk_derivative_eq_neg_gradient_sq", "pointwise"),
        ("lyapunov_identity_fails_of_smooth_activation", "does not show that gradient descent fails"),
        ("risk_le_lyapunov_over_eight_t_along_flow", "approximate"),
        ("sgd_converges", "finite horizon"),
    ];
    let mut with_caveat: Vec<&str> = Vec::new();
    for c in reluproof::claims::registry() {
        if let Some(text) = c.caveat() {
            with_caveat.push(c.name());
            let kind = weaker.iter().find(|(n, _)| *n == c.name()).map_or("", |(_, k)| *k);
            assert!(text.contains(kind), "{}: {text:?} should say {kind:?}", c.name());
        }
    }
    with_caveat.sort();
    let mut want: Vec<&str> = weaker.iter().map(|(n, _)| *n).collect();
    want.sort();
    assert_eq!(with_caveat, want);
}

/// What a check's generator draws, as its proofs/ file's "Generator" line
/// says: the largest width H off boxes (boxes take the definitional
/// evaluator's own widths, d = 2: H ≤ 6, d = 3, 4: H ≤ 3), the largest
/// dimension and number of points of an empirical measure, the largest
/// dimension of a box, and the measure kinds (L Lebesgue on [a, b], U
/// uniform on [a, b], E empirical, B box). 0: the check draws no such
/// measure.
const ENVELOPES: [(&str, usize, usize, usize, usize, &str); 34] = [
    ("risk_nonneg_and_zero_iff_fit", 64, 4, 8, 4, "LUEB"),
    ("generalized_gradient_is_limit_of_difference_quotients", 6, 0, 0, 4, "LUB"),
    ("generalized_gradient_is_limit_of_smooth_approximants", 6, 2, 6, 0, "E"),
    ("lyapunov_identity", 64, 4, 8, 4, "LUEB"),
    ("lyapunov_identity_per_sample", 64, 4, 8, 4, "LUEB"),
    ("balance_invariants", 64, 4, 8, 4, "LUEB"),
    ("no_spurious_critical_points", 64, 4, 8, 4, "LUEB"),
    ("gd_step_expansion", 64, 4, 8, 4, "LUEB"),
    ("gradient_bound", 64, 4, 8, 4, "LUEB"),
    ("gd_converges", 8, 4, 8, 4, "LUEB"),
    ("gf_converges", 6, 2, 6, 4, "LUEB"),
    ("sgd_converges", 8, 4, 8, 4, "LUEB"),
    ("gf_risk_derivative_eq_neg_gradient_sq", 64, 4, 8, 4, "LUEB"),
    ("gradient_bound_sharp", 64, 4, 8, 4, "LUEB"),
    ("gd_converges_below_twice_sharp_step", 8, 4, 8, 4, "LUEB"),
    ("sgd_expected_descent", 12, 4, 8, 3, "LUEB"),
    ("lyapunov_identity_fails_of_nonconstant_target", 8, 4, 8, 4, "LUEB"),
    ("critical_point_of_positive_risk_of_nonconstant_target", 8, 4, 8, 4, "LUEB"),
    ("gd_stalls_at_positive_risk_of_nonconstant_target", 8, 4, 8, 4, "LUEB"),
    ("critical_point_of_positive_risk_of_no_output_bias", 8, 4, 8, 4, "LUEB"),
    ("lyapunov_identity_fails_of_smooth_activation", 4, 2, 4, 0, "E"),
    ("lyapunov_identity_of_homogeneous_activation", 8, 4, 8, 4, "LUEB"),
    ("gradient_bound_of_homogeneous_activation", 8, 4, 8, 4, "LUEB"),
    ("gd_converges_of_homogeneous_activation", 8, 4, 8, 4, "LUEB"),
    ("lyapunov_identity_of_p_homogeneous_activation", 8, 4, 8, 3, "LUEB"),
    ("step_above_bound", 16, 4, 8, 4, "LUEB"),
    ("gd_diverges_of_step_above_inverse_mass", 8, 4, 8, 4, "LUEB"),
    ("step_above_twice_sharp_bound", 2, 2, 3, 4, "LUEB"),
    ("relu_derivative_at_zero", 16, 4, 8, 4, "LUEB"),
    ("gf_solution_exists_of_sample_on_kink", 3, 2, 4, 0, "E"),
    ("risk_nonincreasing_of_step_le_bound", 16, 4, 8, 0, "LUE"),
    ("risk_le_lyapunov_over_eight_t_along_flow", 6, 2, 6, 4, "LUEB"),
    ("gradient_bound_without_rho_factor_of_rho_gt_one", 64, 4, 8, 4, "LUEB"),
    ("lyapunov_nonincreasing_of_step_le_four_times_bound", 16, 4, 8, 4, "LUEB"),
];

/// Every check's generator keeps the envelope above: no draw beyond a bound,
/// the widest draw of 300 above half of it (so a bound cannot silently fall
/// back to the shared default of H ≤ 64, d ≤ 4, 8 points, all kinds: an
/// exact check then runs many times slower and loses its aim), and exactly
/// the listed measure kinds. Cargo-mutants survivors of this kind (a
/// `max_width` or `measures` field deleted from a generator's configuration)
/// were found one by one in claims shards 1 and 4; this pins them all.
#[test]
fn generators_draw_what_proofs_say() {
    use reluproof::model::Measure;
    let registry = reluproof::claims::registry();
    let mut names: Vec<&str> = registry.iter().map(|c| c.name()).collect();
    let mut listed: Vec<&str> = ENVELOPES.iter().map(|e| e.0).collect();
    names.sort();
    listed.sort();
    assert_eq!(names, listed, "every registered check has one envelope");
    for check in &registry {
        let &(name, width, dim, points, box_dim, kinds) =
            ENVELOPES.iter().find(|e| e.0 == check.name()).expect("listed");
        let mut rng = reluproof::gen::Rng::new(9);
        let (mut widest, mut highest, mut most, mut deepest) = (0, 0, 0, 0);
        let mut seen = String::new();
        for _ in 0..300 {
            let case = check.generate(&mut rng).case;
            let kind = match &case.problem.measure {
                Measure::Lebesgue { .. } => 'L',
                Measure::Uniform { .. } => 'U',
                Measure::Empirical { points, .. } => {
                    highest = highest.max(case.problem.measure.dim());
                    most = most.max(points.len());
                    'E'
                }
                Measure::Box { a, .. } => {
                    deepest = deepest.max(a.len());
                    'B'
                }
            };
            if kind != 'B' {
                widest = widest.max(case.theta.width());
            }
            if !seen.contains(kind) {
                seen.push(kind);
            }
        }
        for (what, drawn, bound) in
            [("H", widest, width), ("empirical d", highest, dim), ("points", most, points), ("box d", deepest, box_dim)]
        {
            assert!(drawn <= bound, "{name}: {what} = {drawn} drawn, the bound is {bound}");
            assert!(
                2 * drawn > bound || bound == 0,
                "{name}: the largest {what} of 300 draws is {drawn}, the bound {bound}"
            );
        }
        let mut seen: Vec<char> = seen.chars().collect();
        let mut want: Vec<char> = kinds.chars().collect();
        seen.sort();
        want.sort();
        assert_eq!(seen, want, "{name}: measure kinds");
    }
}
