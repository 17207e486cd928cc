//! Plots of trajectories (SVG, via `report::plot`).

use super::gd::GdSummary;
use crate::report::plot::{Plot, Scale, Series, Strip, StripMark};

/// The SVG of a GD run: L, V and ‖θ‖² against the step n, on a log scale,
/// with a step-size scale above the plot that marks γ* (the step bound of
/// C9), γ′* and 2γ′* (C14: V decreases for every γ < 2γ′*) and the run's γ.
pub fn gd_plot(s: &GdSummary, file: &str) -> String {
    let mut p = Plot::new(&format!("gradient descent on {file}"), "step n", "value (log scale)");
    p.y_scale = Scale::Log10;
    // Columns of the per-step table: 1 = L, 2 = V, 3 = ‖θ‖².
    let series = |label: &str, column: usize, dashed: bool| Series {
        label: label.to_string(),
        points: s.series.iter().map(|r| (r.0 as f64, [r.1, r.2, r.3][column - 1])).collect(),
        dashed,
    };
    p.series.push(series("risk L(θ_n)", 1, false));
    p.series.push(series("Lyapunov V(θ_n)", 2, false));
    p.series.push(series("‖θ_n‖²", 3, true));
    let ratio = s.gamma_star.as_ref().map(|g| crate::num::Scalar::to_f64_lossy(&(&s.gamma / g)));
    let gamma = crate::num::Scalar::to_f64_lossy(&s.gamma);
    let mut marks = vec![StripMark {
        value: gamma,
        label: match ratio {
            Some(r) => format!("γ of this run = {r:.3} γ*"),
            None => format!("γ of this run = {gamma:.3e}"),
        },
        bound: false,
    }];
    let same = s.gamma_star.is_some() && s.gamma_star == s.gamma_prime_star;
    if let Some(g) = &s.gamma_star {
        let g = crate::num::Scalar::to_f64_lossy(g);
        let label = if same {
            format!("γ* = γ′* = {g:.3e} (C9: certified for γ ≤ γ*)")
        } else {
            format!("γ* = {g:.3e} (C9: certified for γ ≤ γ*)")
        };
        marks.push(StripMark { value: g, label, bound: true });
    }
    if let Some(gp) = &s.gamma_prime_star {
        let g = crate::num::Scalar::to_f64_lossy(gp);
        if !same {
            marks.push(StripMark { value: g, label: format!("γ′* = {g:.3e} (C14: rate 4γ)"), bound: true });
        }
        marks.push(StripMark {
            value: 2.0 * g,
            label: format!("2γ′* = {:.3e} (C14: V decreases for γ < 2γ′*)", 2.0 * g),
            bound: true,
        });
    }
    p.strip = Some(Strip { label: "step size γ".into(), scale: Scale::Log10, marks });
    p.notes.push(match ratio {
        Some(r) => format!(
            "γ = {:.4e} = {r:.4} γ*   (γ* = {:.4e}, the step bound of C9)",
            crate::num::Scalar::to_f64_lossy(&s.gamma),
            s.gamma_star.as_ref().map(crate::num::Scalar::to_f64_lossy).unwrap_or(f64::NAN)
        ),
        None => format!("γ = {:.4e}", crate::num::Scalar::to_f64_lossy(&s.gamma)),
    });
    p.notes.push(format!(
        "state {}; {}",
        s.state,
        match (s.within_c9(), s.within_c14(), s.claimed_inequalities_hold()) {
            (_, false, _) if !s.within_c9() => "γ ≥ 2γ′*: outside C9 and C14 (measurements only)",
            (true, _, true) => "C9(a)-(d) and C14(a)-(d) hold at every step",
            (false, true, true) => "C14(a)-(d) hold at every step (γ > γ*: outside C9)",
            _ => "an inequality claimed for this γ FAILS at some step",
        }
    ));
    p.to_svg(900, 560)
}

/// The SVG of a gradient-flow run: L, V and ‖Θ_t‖² against t at the accepted
/// nodes, on a log scale, with V(Θ_0)/(8t) (the Q2 comparison curve).
pub fn gf_plot(r: &super::gf::FlowReport, file: &str) -> String {
    use crate::num::Scalar;
    let mut p = Plot::new(&format!("gradient flow on {file}"), "time t", "value (log scale)");
    p.y_scale = Scale::Log10;
    // (t, L, V, ‖Θ_t‖²) at every node: a resumed run's earlier nodes as read back, then this run's.
    let rows: Vec<(f64, f64, f64, f64)> = r
        .earlier
        .iter()
        .copied()
        .chain(r.nodes.iter().map(|n| {
            (n.t.to_f64_lossy(), n.risk.to_f64_lossy(), n.lyapunov.to_f64_lossy(), n.theta_norm2.to_f64_lossy())
        }))
        .collect();
    let pts = |column: usize| -> Vec<(f64, f64)> { rows.iter().map(|n| (n.0, [n.1, n.2, n.3][column])).collect() };
    p.series.push(Series { label: "risk L(Θ_t)".into(), points: pts(0), dashed: false });
    p.series.push(Series { label: "Lyapunov V(Θ_t)".into(), points: pts(1), dashed: false });
    p.series.push(Series { label: "‖Θ_t‖²".into(), points: pts(2), dashed: true });
    let v0 = r.v0.to_f64_lossy();
    p.series.push(Series {
        label: "V(Θ_0)/(8t) (Q2)".into(),
        points: rows.iter().filter(|n| n.0 > 0.0).map(|n| (n.0, v0 / (8.0 * n.0))).collect(),
        dashed: true,
    });
    let estimate = r.nodes.last().map_or(0.0, |n| n.error_estimate);
    p.notes.push(format!(
        "{} accepted nodes, {}; guarantee approximate (error estimate {estimate:.2e}, a-posteriori)",
        r.node_count, r.backend
    ));
    p.to_svg(900, 560)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::gd::{run_gd, GammaSpec, GdOptions, StateMode};
    use crate::model::case::parse_case;

    #[test]
    fn the_gd_plot_marks_gamma_star_and_the_runs_gamma() {
        let case = parse_case(
            "t.toml",
            "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"1\"\ntarget = \"1\"\n\
             [theta]\nw = [\"1/2\", \"-1\"]\nb = [\"1/4\", \"1/2\"]\nv = [\"1\", \"-1/2\"]\nc = \"0\"\n",
        )
        .expect("case");
        let opts = GdOptions {
            checkpoint: 100,
            ..GdOptions::in_memory(
                5,
                GammaSpec::Auto(crate::num::parse::parse_rational("1/2").expect("1/2")),
                StateMode::Dyadic(64),
            )
        };
        let summary = run_gd(&case, &opts).expect("gd");
        let svg = gd_plot(&summary, "t.toml");
        for label in [
            "step size γ",
            "γ of this run = 0.500 γ*",
            "(C9: certified for γ ≤ γ*)",
            "2γ′* = ",
            "risk L(θ_n)",
            "step n",
        ] {
            assert!(svg.contains(label), "missing {label}");
        }
        let x = |label: &str| -> f64 {
            let line = svg.lines().find(|l| l.contains(label)).expect("label");
            let i = line.find(" x=\"").expect("x") + 4;
            line[i..].split('"').next().expect("value").parse().expect("number")
        };
        assert!(x("γ of this run") < x("γ* = "), "γ = γ*/2 lies left of γ*");
    }

    #[test]
    fn the_gd_plot_marks_gamma_prime_star_and_twice_it() {
        // Lebesgue [0, 3]: K = 8 m rho^2 = 216, K' = max(24, 4 (3 + 9)) = 48, so gamma'* = 4.5 gamma*.
        let case = parse_case(
            "t.toml",
            "[problem]\nmeasure = \"lebesgue\"\na = \"0\"\nb = \"3\"\ntarget = \"1\"\n\
             [theta]\nw = [\"1/2\"]\nb = [\"1/4\"]\nv = [\"1\"]\nc = \"0\"\n",
        )
        .expect("case");
        let opts = GdOptions {
            checkpoint: 100,
            ..GdOptions::in_memory(3, "auto-sharp*3/2".parse().expect("auto-sharp*3/2"), StateMode::Dyadic(64))
        };
        let summary = run_gd(&case, &opts).expect("gd");
        assert!(summary.within_c14() && !summary.within_c9());
        let svg = gd_plot(&summary, "t.toml");
        let x = |label: &str| -> f64 {
            let line = svg.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("missing {label}"));
            let i = line.find(" x=\"").expect("x") + 4;
            line[i..].split('"').next().expect("value").parse().expect("number")
        };
        assert!(x("γ* = ") < x("γ′* = ") && x("γ′* = ") < x("2γ′* = "));
        assert!(x("γ′* = ") < x("γ of this run") && x("γ of this run") < x("2γ′* = "));
    }
}
