//! Plots of trajectories (SVG, via `report::plot`).

use super::gd::GdSummary;
use crate::report::plot::{Plot, Scale, Series};

/// The SVG of a GD run: L, V and ‖θ‖² against the step n, on a log scale,
/// with the step size printed against γ*.
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
    p.notes.push(match ratio {
        Some(r) => format!(
            "γ = {:.4e} = {r:.4} γ*   (γ* = {:.4e}, the step bound of C9)",
            crate::num::Scalar::to_f64_lossy(&s.gamma),
            s.gamma_star.as_ref().map(crate::num::Scalar::to_f64_lossy).unwrap_or(f64::NAN)
        ),
        None => format!("γ = {:.4e}", crate::num::Scalar::to_f64_lossy(&s.gamma)),
    });
    p.notes.push(format!("state {}; C9(a)-(d) {} at every step", s.state, if s.all_hold() { "hold" } else { "FAIL" }));
    p.to_svg(900, 560)
}

/// The SVG of a gradient-flow run: L, V and ‖Θ_t‖² against t at the accepted
/// nodes, on a log scale, with V(Θ_0)/(8t) (the Q2 comparison curve).
pub fn gf_plot(r: &super::gf::FlowReport, file: &str) -> String {
    use crate::num::Scalar;
    let mut p = Plot::new(&format!("gradient flow on {file}"), "time t", "value (log scale)");
    p.y_scale = Scale::Log10;
    let pts = |f: &dyn Fn(&super::gf::FlowNode) -> f64| -> Vec<(f64, f64)> {
        r.nodes.iter().map(|n| (n.t.to_f64_lossy(), f(n))).collect()
    };
    p.series.push(Series { label: "risk L(Θ_t)".into(), points: pts(&|n| n.risk.to_f64_lossy()), dashed: false });
    p.series.push(Series {
        label: "Lyapunov V(Θ_t)".into(),
        points: pts(&|n| n.lyapunov.to_f64_lossy()),
        dashed: false,
    });
    p.series
        .push(Series { label: "‖Θ_t‖²".into(), points: pts(&|n| n.theta_norm2.to_f64_lossy()), dashed: true });
    let v0 = r.v0.to_f64_lossy();
    p.series.push(Series {
        label: "V(Θ_0)/(8t) (Q2)".into(),
        points: r
            .nodes
            .iter()
            .filter(|n| n.t.to_f64_lossy() > 0.0)
            .map(|n| {
                let t = n.t.to_f64_lossy();
                (t, v0 / (8.0 * t))
            })
            .collect(),
        dashed: true,
    });
    let estimate = r.nodes.last().map_or(0.0, |n| n.error_estimate);
    p.notes.push(format!(
        "{} accepted nodes, {}; guarantee approximate (error estimate {estimate:.2e}, a-posteriori)",
        r.nodes.len(),
        r.backend
    ));
    p.to_svg(900, 560)
}
