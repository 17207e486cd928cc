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
