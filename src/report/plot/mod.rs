//! Dependency-free SVG line plots: training trajectories (risk L, Lyapunov
//! function V and ‖θ‖² against the step n, often over many orders of
//! magnitude) and sweep tables (largest stable step size γ against V(Θ₀),
//! compared with a bound γ*).
//!
//! A [`Plot`] holds [`Series`] of points, optional reference lines
//! ([`Marker`]s), an optional [`Strip`] (a scale of its own above the plot
//! area, e.g. a run's step size against its bound γ*) and notes; [`Plot::to_svg`] lays it out as a standalone SVG
//! with "nice" 1-2-5 ticks on linear axes and decade ticks on
//! [`Scale::Log10`] axes. The legend sits outside the plot area (on the right,
//! or below when the labels are long). Points that cannot be drawn (NaN, ±∞,
//! values ≤ 0 on a log axis) are skipped, the line is broken there, and a note
//! says how many were skipped. Series with more than [`MAX_POINTS`] points are
//! downsampled keeping the first and last point and the minimum and maximum of
//! every bucket, so spikes stay visible.

use std::fmt::Write as _;

mod axis;
mod layout;
#[cfg(test)]
mod tests;
mod text;

use axis::*;
use layout::*;
use text::*;

/// The most points drawn per series; longer series are downsampled
/// (first, last, and each bucket's minimum and maximum are kept).
pub const MAX_POINTS: usize = 2000;

/// Series with at most this many drawn points also get a dot at each point.
const DOT_LIMIT: usize = 40;

/// Okabe–Ito colours (colour-blind friendly), the yellow darkened for white
/// backgrounds.
const PALETTE: [&str; 8] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#A89400"];

const FONT: &str = "Helvetica, Arial, sans-serif";
const TITLE_SIZE: f64 = 16.0;
const NOTE_SIZE: f64 = 11.5;
const AXIS_LABEL_SIZE: f64 = 13.5;
const TICK_SIZE: f64 = 12.0;
const LEGEND_SIZE: f64 = 12.0;
const MARKER_SIZE: f64 = 11.5;
const MARKER_COLOUR: &str = "#777777";
const GRID_COLOUR: &str = "#e6e6e6";
const TICK_LEN: f64 = 5.0;
const LEGEND_ROW: f64 = 19.0;
const LEGEND_SAMPLE: f64 = 26.0;
const STRIP_TICK_SIZE: f64 = 10.5;
/// Half-height of a strip's bound bars, height of its triangles.
const STRIP_MARK: f64 = 8.0;

/// One line of a plot: a label for the legend and the points (x, y) in
/// drawing order.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub label: String,
    /// The points, joined in this order. Points with a NaN or infinite
    /// coordinate, or a coordinate ≤ 0 on a log axis, are skipped and break
    /// the line.
    pub points: Vec<(f64, f64)>,
    /// Draw the line dashed (e.g. for a bound rather than a measurement).
    pub dashed: bool,
}

/// A reference line: vertical when in [`Plot::x_markers`], horizontal when in
/// [`Plot::y_markers`]. Drawn grey and dashed, with its label outside the
/// plot area (above it for vertical lines, right of it for horizontal ones).
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Position on the axis, in data units.
    pub value: f64,
    /// Text next to the line, e.g. `"γ*"`.
    pub label: String,
}

/// A one-dimensional scale of its own, drawn across the width of the plot
/// area just above it, for quantities that share neither of the plot's axes:
/// e.g. the step size γ of a run, marked against its bound γ*. Its name is
/// written left of it, its ticks and tick labels below it, the labels of its
/// marks above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Strip {
    /// What the scale measures, e.g. `"step size γ"`.
    pub label: String,
    /// Scale of the strip.
    pub scale: Scale,
    /// The marked values; the scale spans them with some room.
    pub marks: Vec<StripMark>,
}

/// A value on a [`Strip`].
#[derive(Clone, Debug, PartialEq)]
pub struct StripMark {
    /// Position on the strip, in its units.
    pub value: f64,
    /// Text above the mark, e.g. `"γ* = 1.04e-4"`.
    pub label: String,
    /// A bound or reference value: drawn as a grey dashed bar across the
    /// strip (like a [`Marker`]); otherwise as a black triangle pointing at
    /// the value.
    pub bound: bool,
}

/// How values map to an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Proportional; ticks at "nice" multiples of 1, 2 or 5 × 10^k.
    Linear,
    /// Base-10 logarithmic; ticks at decades 10^k (at 1-2-5 multiples, or
    /// linear steps, when the data span less than two decades). Values ≤ 0
    /// are not shown.
    Log10,
}

/// A line plot; fill in the public fields, then call [`Plot::to_svg`].
///
/// ```
/// use reluproof::report::plot::{Marker, Plot, Scale, Series, Strip, StripMark};
///
/// let mut p = Plot::new("Training run", "step n", "value");
/// p.y_scale = Scale::Log10;
/// let risk: Vec<(f64, f64)> = (0..100).map(|n| (n as f64, 10.0 * 0.8f64.powi(n))).collect();
/// p.series.push(Series { label: "risk L".into(), points: risk, dashed: false });
/// p.x_markers.push(Marker { value: 50.0, label: "n = 50".into() });
/// p.strip = Some(Strip {
///     label: "step size γ".into(),
///     scale: Scale::Log10,
///     marks: vec![
///         StripMark { value: 1e-3, label: "γ* = 1e-3".into(), bound: true },
///         StripMark { value: 5e-4, label: "γ = γ*/2".into(), bound: false },
///     ],
/// });
/// p.notes.push("guarantee: exact".into());
/// let svg = p.to_svg(800, 500);
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("risk L") && svg.contains("γ* = 1e-3"));
/// assert!(svg.trim_end().ends_with("</svg>"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    /// Title, centred above the plot area (may be empty).
    pub title: String,
    /// Label under the x axis.
    pub x_label: String,
    /// Label left of the y axis (rotated).
    pub y_label: String,
    /// Scale of the x axis.
    pub x_scale: Scale,
    /// Scale of the y axis.
    pub y_scale: Scale,
    /// The lines, coloured in order from a fixed colour-blind-friendly palette.
    pub series: Vec<Series>,
    /// Vertical reference lines at these x values.
    pub x_markers: Vec<Marker>,
    /// Horizontal reference lines at these y values.
    pub y_markers: Vec<Marker>,
    /// A scale of its own above the plot area (see [`Strip`]).
    pub strip: Option<Strip>,
    /// Lines printed under the title, e.g. `"guarantee: exact"`. Notes about
    /// skipped points are added after these when drawing.
    pub notes: Vec<String>,
}

impl Plot {
    /// An empty plot with linear scales, no series, markers or notes.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Plot {
        Plot {
            title: title.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            series: Vec::new(),
            x_markers: Vec::new(),
            y_markers: Vec::new(),
            strip: None,
            notes: Vec::new(),
        }
    }

    /// Renders the plot as a complete standalone SVG document of `width` ×
    /// `height` pixels (at least 240 × 180).
    pub fn to_svg(&self, width: u32, height: u32) -> String {
        let w = f64::from(width.max(240));
        let h = f64::from(height.max(180));
        let x_log = self.x_scale == Scale::Log10;
        let y_log = self.y_scale == Scale::Log10;

        // Data: filter, split at gaps, downsample; collect notes and ranges.
        let mut notes: Vec<String> = self.notes.clone();
        let prepared: Vec<Prepared> = self.series.iter().map(|s| prepare(&s.points, x_log, y_log)).collect();
        let (mut xr, mut yr) = (Range::default(), Range::default());
        for (s, p) in self.series.iter().zip(&prepared) {
            xr.merge(&p.xr);
            yr.merge(&p.yr);
            let name =
                if self.series.len() > 1 && !s.label.is_empty() { format!("{}: ", s.label) } else { String::new() };
            if p.non_finite > 0 {
                notes.push(format!("{name}{} not shown (NaN or ±∞)", count(p.non_finite, "point", "points")));
            }
            if p.non_positive > 0 {
                notes
                    .push(format!("{name}{} ≤ 0 not shown on the log scale", count(p.non_positive, "point", "points")));
            }
        }
        let has_data = prepared.iter().any(|p| p.shown > 0);
        let x_marks = usable_markers(&self.x_markers, x_log, "x", &mut xr, &mut notes);
        let y_marks = usable_markers(&self.y_markers, y_log, "y", &mut yr, &mut notes);
        let strip = self.strip.as_ref().map(|st| {
            let mut range = Range::default();
            let marks = usable_markers(
                &st.marks.iter().map(|m| Marker { value: m.value, label: m.label.clone() }).collect::<Vec<_>>(),
                st.scale == Scale::Log10,
                &st.label,
                &mut range,
                &mut notes,
            );
            let marks: Vec<StripMark> = st
                .marks
                .iter()
                .filter(|m| marks.iter().any(|k| k.value == m.value && k.label == m.label))
                .cloned()
                .collect();
            (st, marks, range)
        });

        // Layout: a few passes, since the margins depend on the tick labels and
        // the rows of marker labels above the plot on the x positions.
        let ctx = LayoutInput {
            prepared: &prepared,
            w,
            h,
            notes: &notes,
            x_range: xr,
            y_range: yr,
            x_marks: &x_marks,
            y_marks: &y_marks,
            strip: strip.as_ref().map(|(st, marks, range)| (*st, marks.as_slice(), *range)),
        };
        let mut lay = self.layout(&ctx, usize::from(!x_marks.is_empty()), 0.0);
        for _ in 0..3 {
            let rows = lay.x_marker_rows.iter().copied().max().map_or(0, |r| r + 1);
            let overhang = lay.x_overhang;
            let fits = overhang + 4.0 <= w - lay.right;
            if rows <= lay.rows_reserved && fits {
                break;
            }
            let extra = if fits { lay.extra_right } else { overhang.max(lay.extra_right) };
            lay = self.layout(&ctx, rows.max(lay.rows_reserved), extra);
        }

        let mut out = String::with_capacity(16_384 + 64 * prepared.iter().map(|p| p.shown).sum::<usize>());
        let clip = format!("plot-clip-{:08x}", fnv(&format!("{}{}{}{w}{h}", self.title, self.x_label, self.y_label)));
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"{TICK_SIZE}\">"
        );
        let _ = writeln!(out, "<title>{}</title>", esc(&self.title));
        out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        let (l, r, t, b) = (lay.left, lay.right, lay.top, lay.bottom);
        let _ = writeln!(
            out,
            "<defs><clipPath id=\"{clip}\"><rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\"/></clipPath></defs>",
            l - 1.0,
            t - 1.0,
            r - l + 2.0,
            b - t + 2.0
        );

        // Title and notes, centred over the plot area.
        let cx = (l + r) / 2.0;
        let mut y = 10.0;
        if !self.title.is_empty() {
            y += TITLE_SIZE;
            let _ = writeln!(
                out,
                "<text x=\"{cx:.2}\" y=\"{y:.2}\" font-size=\"{TITLE_SIZE}\" font-weight=\"bold\" text-anchor=\"middle\">{}</text>",
                esc(&self.title)
            );
            y += 5.0;
        }
        for n in &notes {
            y += NOTE_SIZE + 3.0;
            let _ = writeln!(
                out,
                "<text x=\"{cx:.2}\" y=\"{y:.2}\" font-size=\"{NOTE_SIZE}\" fill=\"#555555\" text-anchor=\"middle\">{}</text>",
                esc(n)
            );
        }

        // Grid lines at the labelled ticks.
        out.push_str(&format!("<g stroke=\"{GRID_COLOUR}\" stroke-width=\"1\">\n"));
        for tk in lay.x_axis.ticks.iter().filter(|tk| tk.label.is_some()) {
            let px = lay.px(tk.value);
            let _ = writeln!(out, "<line x1=\"{px:.2}\" y1=\"{t:.2}\" x2=\"{px:.2}\" y2=\"{b:.2}\"/>");
        }
        for tk in lay.y_axis.ticks.iter().filter(|tk| tk.label.is_some()) {
            let py = lay.py(tk.value);
            let _ = writeln!(out, "<line x1=\"{l:.2}\" y1=\"{py:.2}\" x2=\"{r:.2}\" y2=\"{py:.2}\"/>");
        }
        out.push_str("</g>\n");

        // Reference lines (behind the data), labels outside the plot area.
        out.push_str(&format!(
            "<g stroke=\"{MARKER_COLOUR}\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\" fill=\"none\">\n"
        ));
        for m in &x_marks {
            let px = lay.px(m.value);
            let _ = writeln!(out, "<line x1=\"{px:.2}\" y1=\"{t:.2}\" x2=\"{px:.2}\" y2=\"{b:.2}\"/>");
        }
        for m in &y_marks {
            let py = lay.py(m.value);
            let _ = writeln!(out, "<line x1=\"{l:.2}\" y1=\"{py:.2}\" x2=\"{r:.2}\" y2=\"{py:.2}\"/>");
        }
        out.push_str("</g>\n");
        for (m, row) in x_marks.iter().zip(&lay.x_marker_rows) {
            let px = lay.px(m.value);
            let half = text_width(&m.label, MARKER_SIZE) / 2.0;
            let tx = px.clamp(half + 2.0, w - half - 2.0);
            let ty = t - 5.0 - *row as f64 * (MARKER_SIZE + 3.0);
            let _ = writeln!(
                out,
                "<text x=\"{tx:.2}\" y=\"{ty:.2}\" font-size=\"{MARKER_SIZE}\" fill=\"{MARKER_COLOUR}\" text-anchor=\"middle\">{}</text>",
                esc(&m.label)
            );
        }
        for (m, ty) in y_marks.iter().zip(&lay.y_marker_label_y) {
            let _ = writeln!(
                out,
                "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"{MARKER_SIZE}\" fill=\"{MARKER_COLOUR}\">{}</text>",
                r + 5.0,
                ty + MARKER_SIZE * 0.35,
                esc(&m.label)
            );
        }

        // The strip: name, line, ticks, marks and their labels.
        if let Some(sl) = &lay.strip {
            let yl = sl.y_line;
            let _ = writeln!(
                out,
                "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"{MARKER_SIZE}\" fill=\"#333333\" text-anchor=\"end\">{}</text>",
                l - 8.0,
                yl + MARKER_SIZE * 0.35,
                esc(&sl.label)
            );
            out.push_str("<g stroke=\"#222222\" stroke-width=\"1\">\n");
            let _ = writeln!(out, "<line x1=\"{l:.2}\" y1=\"{yl:.2}\" x2=\"{r:.2}\" y2=\"{yl:.2}\"/>");
            for tk in &sl.axis.ticks {
                let px = lay.sx(sl, tk.value);
                let len = if tk.label.is_some() { TICK_LEN } else { TICK_LEN * 0.6 };
                let _ = writeln!(out, "<line x1=\"{px:.2}\" y1=\"{yl:.2}\" x2=\"{px:.2}\" y2=\"{:.2}\"/>", yl + len);
            }
            out.push_str("</g>\n");
            for tk in &sl.axis.ticks {
                if let Some(lab) = &tk.label {
                    let _ = writeln!(
                        out,
                        "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"{STRIP_TICK_SIZE}\" text-anchor=\"middle\">{}</text>",
                        lay.sx(sl, tk.value),
                        yl + TICK_LEN + 2.0 + STRIP_TICK_SIZE,
                        lab.svg(STRIP_TICK_SIZE)
                    );
                }
            }
            for (m, row) in sl.marks.iter().zip(&sl.label_rows) {
                let px = lay.sx(sl, m.value);
                let colour = if m.bound { MARKER_COLOUR } else { "#222222" };
                if m.bound {
                    let _ = writeln!(
                        out,
                        "<line x1=\"{px:.2}\" y1=\"{:.2}\" x2=\"{px:.2}\" y2=\"{:.2}\" stroke=\"{MARKER_COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>",
                        yl - STRIP_MARK - 2.0,
                        yl + TICK_LEN
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "<path d=\"M{:.2},{:.2} L{:.2},{:.2} L{px:.2},{:.2} Z\" fill=\"{colour}\"/>",
                        px - 5.0,
                        yl - STRIP_MARK,
                        px + 5.0,
                        yl - STRIP_MARK,
                        yl - 1.0
                    );
                }
                let half = text_width(&m.label, MARKER_SIZE) / 2.0;
                let tx = px.clamp(half + 2.0, w - half - 2.0);
                let ty = yl - STRIP_MARK - 7.0 - *row as f64 * (MARKER_SIZE + 3.0);
                let _ = writeln!(
                    out,
                    "<text x=\"{tx:.2}\" y=\"{ty:.2}\" font-size=\"{MARKER_SIZE}\" fill=\"{colour}\" text-anchor=\"middle\">{}</text>",
                    esc(&m.label)
                );
            }
        }

        // The data.
        let _ = writeln!(
            out,
            "<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-width=\"1.6\" stroke-linejoin=\"round\">"
        );
        for (i, (s, p)) in self.series.iter().zip(&prepared).enumerate() {
            let (colour, dash) = style(i, s.dashed);
            let mut d = String::new();
            let mut singles = Vec::new();
            for run in &p.runs {
                if run.len() == 1 {
                    singles.push(run[0]);
                    continue;
                }
                for (k, &(x, y)) in run.iter().enumerate() {
                    let _ = write!(d, "{}{:.2},{:.2}", if k == 0 { "M" } else { " L" }, lay.px(x), lay.py(y));
                }
            }
            let _ = writeln!(out, "<g stroke=\"{colour}\"><title>{}</title>", esc(&s.label));
            if !d.is_empty() {
                let _ = writeln!(out, "<path d=\"{d}\"{dash}/>");
            }
            let dots: Vec<(f64, f64)> =
                if p.shown <= DOT_LIMIT { p.runs.iter().flatten().copied().collect() } else { singles };
            for (x, y) in dots {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"2.8\" fill=\"{colour}\" stroke=\"none\"/>",
                    lay.px(x),
                    lay.py(y)
                );
            }
            out.push_str("</g>\n");
        }
        out.push_str("</g>\n");
        if !has_data {
            let _ = writeln!(
                out,
                "<text x=\"{cx:.2}\" y=\"{:.2}\" font-size=\"{AXIS_LABEL_SIZE}\" fill=\"#888888\" text-anchor=\"middle\">no data</text>",
                (t + b) / 2.0
            );
        }

        // Frame, ticks, tick labels.
        let _ = writeln!(
            out,
            "<rect x=\"{l:.2}\" y=\"{t:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1\"/>",
            r - l,
            b - t
        );
        out.push_str("<g stroke=\"#222222\" stroke-width=\"1\">\n");
        for tk in &lay.x_axis.ticks {
            let px = lay.px(tk.value);
            let len = if tk.label.is_some() { TICK_LEN } else { TICK_LEN * 0.6 };
            let _ = writeln!(out, "<line x1=\"{px:.2}\" y1=\"{b:.2}\" x2=\"{px:.2}\" y2=\"{:.2}\"/>", b + len);
        }
        for tk in &lay.y_axis.ticks {
            let py = lay.py(tk.value);
            let len = if tk.label.is_some() { TICK_LEN } else { TICK_LEN * 0.6 };
            let _ = writeln!(out, "<line x1=\"{:.2}\" y1=\"{py:.2}\" x2=\"{l:.2}\" y2=\"{py:.2}\"/>", l - len);
        }
        out.push_str("</g>\n");
        let x_label_y = b + TICK_LEN + 4.0 + TICK_SIZE;
        for tk in &lay.x_axis.ticks {
            if let Some(lab) = &tk.label {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.2}\" y=\"{x_label_y:.2}\" text-anchor=\"middle\">{}</text>",
                    lay.px(tk.value),
                    lab.svg(TICK_SIZE)
                );
            }
        }
        for tk in &lay.y_axis.ticks {
            if let Some(lab) = &tk.label {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
                    l - TICK_LEN - 4.0,
                    lay.py(tk.value) + TICK_SIZE * 0.35,
                    lab.svg(TICK_SIZE)
                );
            }
        }

        // Axis labels.
        if !self.x_label.is_empty() {
            let _ = writeln!(
                out,
                "<text x=\"{cx:.2}\" y=\"{:.2}\" font-size=\"{AXIS_LABEL_SIZE}\" text-anchor=\"middle\">{}</text>",
                x_label_y + 8.0 + AXIS_LABEL_SIZE,
                esc(&self.x_label)
            );
        }
        if !self.y_label.is_empty() {
            let (yx, yy) = (10.0 + AXIS_LABEL_SIZE * 0.8, (t + b) / 2.0);
            let _ = writeln!(
                out,
                "<text x=\"{yx:.2}\" y=\"{yy:.2}\" font-size=\"{AXIS_LABEL_SIZE}\" text-anchor=\"middle\" transform=\"rotate(-90 {yx:.2} {yy:.2})\">{}</text>",
                esc(&self.y_label)
            );
        }

        // Legend.
        if let Some(leg) = &lay.legend {
            let _ = writeln!(
                out,
                "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"white\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>",
                leg.x, leg.y, leg.w, leg.h
            );
            for (i, ((s, p), &(ix, iy))) in self.series.iter().zip(&prepared).zip(&leg.items).enumerate() {
                let (colour, dash) = style(i, s.dashed);
                let _ = writeln!(
                    out,
                    "<line x1=\"{ix:.2}\" y1=\"{iy:.2}\" x2=\"{:.2}\" y2=\"{iy:.2}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                    ix + LEGEND_SAMPLE
                );
                if p.shown > 0 && p.shown <= DOT_LIMIT {
                    let _ = writeln!(
                        out,
                        "<circle cx=\"{:.2}\" cy=\"{iy:.2}\" r=\"2.8\" fill=\"{colour}\"/>",
                        ix + LEGEND_SAMPLE / 2.0
                    );
                }
                let _ = writeln!(
                    out,
                    "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"{LEGEND_SIZE}\">{}</text>",
                    ix + LEGEND_SAMPLE + 6.0,
                    iy + LEGEND_SIZE * 0.35,
                    esc(&legend_text(s, p))
                );
            }
        }
        out.push_str("</svg>\n");
        out
    }

    fn layout(&self, c: &LayoutInput, rows_reserved: usize, extra_right: f64) -> Layout {
        let (w, h) = (c.w, c.h);
        // Top: title, notes, rows of x-marker labels.
        let mut top = 10.0;
        if !self.title.is_empty() {
            top += TITLE_SIZE + 5.0;
        }
        top += c.notes.len() as f64 * (NOTE_SIZE + 3.0);
        // The strip: rows of mark labels, the marks, the line, tick labels.
        let strip_rows = c.strip.map_or(0, |(_, marks, _)| marks.len().clamp(1, 2));
        let strip_top = top;
        if c.strip.is_some() {
            top += 10.0 + strip_rows as f64 * (MARKER_SIZE + 3.0) + STRIP_MARK + 5.0;
            top += TICK_LEN + 2.0 + STRIP_TICK_SIZE + 10.0;
        }
        top += 10.0 + rows_reserved as f64 * (MARKER_SIZE + 3.0);
        if rows_reserved == 0 && !self.y_label.is_empty() {
            top += 2.0;
        }
        // Right: y-marker labels, then the legend (right, or below if wide).
        let y_mark_w = c.y_marks.iter().map(|m| text_width(&m.label, MARKER_SIZE)).fold(0.0, f64::max);
        let y_mark_w = if c.y_marks.is_empty() { 0.0 } else { y_mark_w + 8.0 };
        let labels: Vec<String> = self.series.iter().zip(c.prepared).map(|(s, p)| legend_text(s, p)).collect();
        let label_w: Vec<f64> = labels.iter().map(|s| text_width(s, LEGEND_SIZE)).collect();
        let widest = label_w.iter().copied().fold(0.0, f64::max);
        let legend_w = 10.0 + LEGEND_SAMPLE + 6.0 + widest + 10.0;
        let legend_right = !self.series.is_empty() && legend_w <= 0.3 * w;
        let mut right_margin =
            if legend_right { y_mark_w + 12.0 + legend_w + 10.0 } else { (y_mark_w + 6.0).max(16.0) };
        right_margin = right_margin.max(extra_right + 6.0);
        // Bottom: ticks, tick labels, x label, legend below.
        let mut bottom_margin = TICK_LEN + 4.0 + TICK_SIZE + 6.0;
        if !self.x_label.is_empty() {
            bottom_margin += 8.0 + AXIS_LABEL_SIZE;
        }
        bottom_margin += 10.0;
        let mut below_items = Vec::new();
        let mut below_h = 0.0;
        if !legend_right && !self.series.is_empty() {
            // A grid of equal columns across the figure width, filled row by row.
            let item_w = LEGEND_SAMPLE + 6.0 + widest + 20.0;
            let cols = (((w - 28.0) / item_w).floor() as usize).clamp(1, self.series.len());
            for i in 0..self.series.len() {
                below_items.push(((i % cols) as f64 * item_w, i / cols));
            }
            let rows = self.series.len().div_ceil(cols);
            below_h = rows as f64 * LEGEND_ROW + 10.0;
            bottom_margin += below_h + 4.0;
        }
        let top = top.min(h * 0.5);
        let bottom = (h - bottom_margin).max(top + 40.0);
        let plot_h = bottom - top;

        let y_target = (plot_h / 48.0).floor().max(2.0) as usize;
        let y_axis = Axis::new(self.y_scale, c.y_range, y_target);
        let y_tick_w =
            y_axis.ticks.iter().filter_map(|t| t.label.as_ref()).map(|l| l.width(TICK_SIZE)).fold(0.0, f64::max);
        let mut left = 10.0 + TICK_LEN + 4.0 + y_tick_w + 4.0;
        if !self.y_label.is_empty() {
            left += AXIS_LABEL_SIZE + 8.0;
        }
        if let Some((st, _, _)) = c.strip {
            left = left.max(10.0 + text_width(&st.label, MARKER_SIZE) + 8.0);
        }
        let right = (w - right_margin).max(left + 40.0);
        let plot_w = right - left;

        // x ticks: fewer until the labels do not collide.
        let mut x_target = (plot_w / 90.0).floor().max(2.0) as usize;
        let mut x_axis = Axis::new(self.x_scale, c.x_range, x_target);
        while x_target > 1 && x_axis.labels_collide(left, plot_w) {
            x_target -= 1;
            x_axis = Axis::new(self.x_scale, c.x_range, x_target);
        }
        // How far the x tick labels reach past the right end of the plot area.
        let x_overhang = x_axis
            .ticks
            .iter()
            .filter_map(|t| t.label.as_ref().map(|l| x_axis.frac(t.value) * plot_w + l.width(TICK_SIZE) / 2.0 - plot_w))
            .fold(0.0, f64::max);
        let x_overhang = if legend_right { 0.0 } else { x_overhang };

        let mut lay = Layout {
            left,
            right,
            top,
            bottom,
            x_axis,
            y_axis,
            x_marker_rows: Vec::new(),
            y_marker_label_y: Vec::new(),
            legend: None,
            rows_reserved,
            extra_right,
            x_overhang,
            strip: None,
        };

        // The strip's axis spans its marks with room (a factor 3 on a log
        // scale, a tenth of the span on a linear one) and labels their rows.
        if let Some((st, marks, range)) = c.strip {
            let padded = match (range.lo_hi, st.scale) {
                (Some((lo, hi)), Scale::Log10) => Range { lo_hi: Some((lo / 3.0, hi * 3.0)) },
                (Some((lo, hi)), Scale::Linear) => {
                    let pad = ((hi - lo) / 10.0).max(lo.abs().max(hi.abs()) / 10.0).max(f64::MIN_POSITIVE);
                    Range { lo_hi: Some((lo - pad, hi + pad)) }
                }
                (None, _) => range,
            };
            let mut target = (plot_w / 90.0).floor().max(2.0) as usize;
            let mut axis = Axis::new(st.scale, padded, target);
            while target > 1 && axis.labels_collide(left, plot_w) {
                target -= 1;
                axis = Axis::new(st.scale, padded, target);
            }
            let y_line = strip_top + 10.0 + strip_rows as f64 * (MARKER_SIZE + 3.0) + STRIP_MARK + 5.0;
            let mut sl =
                StripLayout { label: st.label.clone(), axis, y_line, marks: marks.to_vec(), label_rows: Vec::new() };
            // Rows of labels, greedy by position (beyond the reserved rows they overlap).
            let mut order: Vec<usize> = (0..marks.len()).collect();
            order.sort_by(|&a, &b| lay.sx(&sl, marks[a].value).total_cmp(&lay.sx(&sl, marks[b].value)));
            let mut rows = vec![0usize; marks.len()];
            let mut row_end: Vec<f64> = Vec::new();
            for &i in &order {
                let half = text_width(&marks[i].label, MARKER_SIZE) / 2.0;
                let start = lay.sx(&sl, marks[i].value).clamp(half + 2.0, w - half - 2.0) - half;
                let row = row_end.iter().position(|&e| e + 8.0 <= start).unwrap_or(row_end.len());
                if row == row_end.len() {
                    row_end.push(0.0);
                }
                row_end[row] = start + 2.0 * half;
                rows[i] = row.min(strip_rows.saturating_sub(1));
            }
            sl.label_rows = rows;
            lay.strip = Some(sl);
        }

        // Rows of x-marker labels, greedy by position.
        let mut order: Vec<usize> = (0..c.x_marks.len()).collect();
        order.sort_by(|&a, &b| lay.px(c.x_marks[a].value).total_cmp(&lay.px(c.x_marks[b].value)));
        let mut rows = vec![0usize; c.x_marks.len()];
        let mut row_end: Vec<f64> = Vec::new();
        for &i in &order {
            let half = text_width(&c.x_marks[i].label, MARKER_SIZE) / 2.0;
            let start = lay.px(c.x_marks[i].value).clamp(half + 2.0, w - half - 2.0) - half;
            let row = row_end.iter().position(|&e| e + 8.0 <= start).unwrap_or(row_end.len());
            if row == row_end.len() {
                row_end.push(0.0);
            }
            row_end[row] = start + 2.0 * half;
            rows[i] = row;
        }
        lay.x_marker_rows = rows;

        // y-marker labels: at their line, pushed apart vertically.
        let mut order: Vec<usize> = (0..c.y_marks.len()).collect();
        order.sort_by(|&a, &b| lay.py(c.y_marks[a].value).total_cmp(&lay.py(c.y_marks[b].value)));
        let mut ys = vec![0.0; c.y_marks.len()];
        let mut last = f64::NEG_INFINITY;
        for &i in &order {
            let y = lay.py(c.y_marks[i].value).max(last + MARKER_SIZE + 2.0);
            ys[i] = y;
            last = y;
        }
        lay.y_marker_label_y = ys;

        // Legend box.
        if !self.series.is_empty() {
            if legend_right {
                let x = right + y_mark_w + 12.0;
                let items =
                    (0..self.series.len()).map(|i| (x + 10.0, top + 8.0 + LEGEND_ROW * (i as f64 + 0.5))).collect();
                let lh = self.series.len() as f64 * LEGEND_ROW + 16.0;
                lay.legend = Some(Legend { x, y: top, w: legend_w, h: lh, items });
            } else {
                let bw = below_items
                    .iter()
                    .zip(&label_w)
                    .map(|(&(x, _), lw)| x + LEGEND_SAMPLE + 6.0 + lw)
                    .fold(0.0, f64::max)
                    + 20.0;
                let bx = ((left + right) / 2.0 - bw / 2.0).clamp(4.0, (w - bw - 4.0).max(4.0));
                let by = h - below_h - 8.0;
                let items = below_items
                    .iter()
                    .map(|&(x, row)| (bx + 10.0 + x, by + 5.0 + LEGEND_ROW * (row as f64 + 0.5)))
                    .collect();
                lay.legend = Some(Legend { x: bx, y: by, w: bw, h: below_h, items });
            }
        }
        lay
    }
}

/// Colour and dash attribute of the `i`-th series: the palette in order; after
/// each pass through it the dash patterns change (solid → dotted, dashed →
/// dash-dot) so that no two of the first 16 series look alike.
fn style(i: usize, dashed: bool) -> (&'static str, &'static str) {
    let colour = PALETTE[i % PALETTE.len()];
    let dash = match (dashed, (i / PALETTE.len()) % 2) {
        (false, 0) => "",
        (true, 0) => " stroke-dasharray=\"7 4\"",
        (false, _) => " stroke-dasharray=\"1.5 3\" stroke-linecap=\"round\"",
        (true, _) => " stroke-dasharray=\"9 3 1.5 3\" stroke-linecap=\"round\"",
    };
    (colour, dash)
}

fn legend_text(s: &Series, p: &Prepared) -> String {
    let base = if s.label.is_empty() { "(unnamed)" } else { s.label.as_str() };
    if p.shown == 0 {
        format!("{base} (no data)")
    } else {
        base.to_string()
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Keeps the markers that can be drawn (finite, > 0 on a log axis), widens
/// the axis range to include them, and notes the others.
fn usable_markers(ms: &[Marker], log: bool, axis: &str, range: &mut Range, notes: &mut Vec<String>) -> Vec<Marker> {
    let mut keep = Vec::new();
    for m in ms {
        if !m.value.is_finite() {
            notes.push(format!("marker \"{}\" ({axis} = {}) not shown", m.label, m.value));
        } else if log && m.value <= 0.0 {
            notes.push(format!("marker \"{}\" ({axis} = {}) ≤ 0 not shown on the log scale", m.label, m.value));
        } else {
            range.add(m.value);
            keep.push(m.clone());
        }
    }
    keep
}
