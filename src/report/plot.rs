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

struct LayoutInput<'a> {
    prepared: &'a [Prepared],
    w: f64,
    h: f64,
    notes: &'a [String],
    x_range: Range,
    y_range: Range,
    x_marks: &'a [Marker],
    y_marks: &'a [Marker],
    /// The strip, its drawable marks and their range.
    strip: Option<(&'a Strip, &'a [StripMark], Range)>,
}

/// Where the strip goes.
struct StripLayout {
    label: String,
    axis: Axis,
    /// The strip's line.
    y_line: f64,
    marks: Vec<StripMark>,
    /// Row of each mark's label, 0 next to the strip.
    label_rows: Vec<usize>,
}

struct Legend {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// Left end and centre line of each item's sample.
    items: Vec<(f64, f64)>,
}

struct Layout {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_axis: Axis,
    y_axis: Axis,
    x_marker_rows: Vec<usize>,
    y_marker_label_y: Vec<f64>,
    legend: Option<Legend>,
    rows_reserved: usize,
    extra_right: f64,
    /// How far the last x tick label reaches past the right margin.
    x_overhang: f64,
    strip: Option<StripLayout>,
}

impl Layout {
    fn px(&self, x: f64) -> f64 {
        self.left + self.x_axis.frac(x) * (self.right - self.left)
    }
    fn py(&self, y: f64) -> f64 {
        self.bottom - self.y_axis.frac(y) * (self.bottom - self.top)
    }
    fn sx(&self, s: &StripLayout, v: f64) -> f64 {
        self.left + s.axis.frac(v) * (self.right - self.left)
    }
}

// ---------------------------------------------------------------------------
// Data preparation.

/// Smallest and largest finite value seen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Range {
    lo_hi: Option<(f64, f64)>,
}

impl Range {
    fn add(&mut self, v: f64) {
        self.lo_hi = Some(match self.lo_hi {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        });
    }
    fn merge(&mut self, o: &Range) {
        if let Some((lo, hi)) = o.lo_hi {
            self.add(lo);
            self.add(hi);
        }
    }
}

/// A series ready to draw: runs of drawable points (the line breaks between
/// runs), downsampled.
#[derive(Clone, Debug, Default)]
struct Prepared {
    runs: Vec<Vec<(f64, f64)>>,
    /// Points after filtering and downsampling.
    shown: usize,
    non_finite: usize,
    non_positive: usize,
    xr: Range,
    yr: Range,
}

/// More runs than this and gaps are no longer drawn as breaks (the line is
/// joined across them) so that downsampling still bounds the output.
const MAX_RUNS: usize = 200;

fn prepare(points: &[(f64, f64)], x_log: bool, y_log: bool) -> Prepared {
    let mut p = Prepared::default();
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for &(x, y) in points {
        let bad = if !x.is_finite() || !y.is_finite() {
            p.non_finite += 1;
            true
        } else if (x_log && x <= 0.0) || (y_log && y <= 0.0) {
            p.non_positive += 1;
            true
        } else {
            false
        };
        if bad {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            continue;
        }
        p.xr.add(x);
        p.yr.add(y);
        current.push((x, y));
    }
    if !current.is_empty() {
        runs.push(current);
    }
    if runs.len() > MAX_RUNS {
        runs = vec![runs.concat()];
    }
    let total: usize = runs.iter().map(Vec::len).sum();
    if total > MAX_POINTS {
        runs = runs
            .iter()
            .map(|r| {
                let budget = ((MAX_POINTS as f64 * r.len() as f64 / total as f64).floor() as usize).max(4);
                downsample(r, budget)
            })
            .collect();
    }
    p.shown = runs.iter().map(Vec::len).sum();
    p.runs = runs;
    p
}

/// At most `max` (≥ 4) of `points`, in order: the first, the last, and the
/// points of smallest and largest y in each of `(max - 2) / 2` equal buckets
/// of the points between.
fn downsample(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    let max = max.max(4);
    if points.len() <= max {
        return points.to_vec();
    }
    let inner = &points[1..points.len() - 1];
    let buckets = (max - 2) / 2;
    let mut out = Vec::with_capacity(max);
    out.push(points[0]);
    for b in 0..buckets {
        let (s, e) = (b * inner.len() / buckets, (b + 1) * inner.len() / buckets);
        if s == e {
            continue;
        }
        let (mut imin, mut imax) = (s, s);
        for i in s..e {
            if inner[i].1 < inner[imin].1 {
                imin = i;
            }
            if inner[i].1 > inner[imax].1 {
                imax = i;
            }
        }
        let (a, c) = (imin.min(imax), imin.max(imax));
        out.push(inner[a]);
        if c != a {
            out.push(inner[c]);
        }
    }
    out.push(points[points.len() - 1]);
    out
}

// ---------------------------------------------------------------------------
// Axes and ticks.

/// A tick label: `mantissa` alone, or `mantissa×10^exp` (just `10^exp` when
/// the mantissa is empty), the exponent drawn as a superscript.
#[derive(Clone, Debug, PartialEq)]
struct Label {
    mantissa: String,
    exp: Option<i32>,
}

impl Label {
    fn plain(s: String) -> Label {
        Label { mantissa: s, exp: None }
    }
    fn exp_text(e: i32) -> String {
        if e < 0 {
            format!("\u{2212}{}", -(e as i64))
        } else {
            e.to_string()
        }
    }
    /// The label as plain text, e.g. `1e-12`, `2.5e3` or `40` (for tests and
    /// titles).
    #[cfg(test)]
    fn text(&self) -> String {
        match (self.mantissa.as_str(), self.exp) {
            (m, None) => m.to_string(),
            ("", Some(e)) => format!("1e{e}"),
            (m, Some(e)) => format!("{m}e{e}"),
        }
    }
    fn width(&self, size: f64) -> f64 {
        let m = match self.exp {
            None => text_width(&self.mantissa, size),
            Some(_) if self.mantissa.is_empty() => text_width("10", size),
            Some(_) => text_width(&self.mantissa, size) + text_width("×10", size),
        };
        m + self.exp.map_or(0.0, |e| text_width(&Label::exp_text(e), size * 0.72) + 1.0)
    }
    /// SVG content of a `<text>` element.
    fn svg(&self, size: f64) -> String {
        let m = esc(&self.mantissa.replace('-', "\u{2212}"));
        match self.exp {
            None => m,
            Some(e) => {
                let base = if m.is_empty() { "10".to_string() } else { format!("{m}×10") };
                format!(
                    "{base}<tspan dy=\"{:.1}\" font-size=\"{:.1}\">{}</tspan>",
                    -0.42 * size,
                    0.72 * size,
                    Label::exp_text(e)
                )
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Tick {
    value: f64,
    /// `None` for a minor (unlabelled, shorter) tick.
    label: Option<Label>,
}

#[derive(Clone, Debug, PartialEq)]
struct Axis {
    scale: Scale,
    lo: f64,
    hi: f64,
    ticks: Vec<Tick>,
}

/// A "nice" step: 1, 2 or 5 × 10^e, as (mantissa, e).
fn nice_step(raw: f64) -> (i64, i32) {
    let raw = if raw.is_finite() && raw > 0.0 { raw } else { 1.0 };
    let mut e = raw.log10().floor() as i32;
    let mut norm = raw / pow10(e);
    // Guard against log10 rounding.
    if norm >= 10.0 {
        e += 1;
        norm /= 10.0;
    } else if norm < 1.0 {
        e -= 1;
        norm *= 10.0;
    }
    if norm < 1.5 {
        (1, e)
    } else if norm < 3.0 {
        (2, e)
    } else if norm < 7.0 {
        (5, e)
    } else {
        (1, e + 1)
    }
}

fn pow10(e: i32) -> f64 {
    10f64.powi(e)
}

/// `i × m × 10^e`, rounded once (so 3 × 0.1 gives 0.3).
fn scaled(i: i64, m: i64, e: i32) -> f64 {
    let k = (i as f64) * (m as f64);
    if (-300..0).contains(&e) {
        k / pow10(-e)
    } else {
        k * pow10(e)
    }
}

/// Formats `v` on a linear axis with step `m × 10^e`; `sci` selects
/// `mantissa × 10^exp` labels.
fn linear_label(v: f64, e: i32, sci: bool) -> Label {
    if v == 0.0 {
        return Label::plain("0".into());
    }
    if !sci {
        let d = (-e).max(0) as usize;
        let s = format!("{v:.d$}");
        return Label::plain(if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
            "0".into()
        } else {
            s
        });
    }
    let ev = v.abs().log10().floor() as i32;
    let d = (ev - e).clamp(0, 15) as usize;
    let s = format!("{v:.d$e}");
    let (m, ex) = s.split_once('e').unwrap_or((&s, "0"));
    let mut m = m.to_string();
    if m.contains('.') {
        m = m.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    Label { mantissa: m, exp: Some(ex.parse().unwrap_or(0)) }
}

impl Axis {
    /// An axis covering `range` with about `target` intervals between
    /// labelled ticks.
    fn new(scale: Scale, range: Range, target: usize) -> Axis {
        match scale {
            Scale::Linear => Axis::linear(range.lo_hi, target),
            Scale::Log10 => Axis::log(range.lo_hi, target),
        }
    }

    fn linear(lo_hi: Option<(f64, f64)>, target: usize) -> Axis {
        let (mut min, mut max) = lo_hi.unwrap_or((0.0, 1.0));
        if max - min <= 1e-12 * min.abs().max(max.abs()) {
            let c = (min + max) / 2.0;
            let d = if c == 0.0 { 1.0 } else { c.abs() * 0.1 };
            (min, max) = (c - d, c + d);
        }
        let target = target.max(1) as f64;
        let (m, e) = nice_step(max / target - min / target);
        let step = scaled(1, m, e);
        let i_lo = (min / step).floor();
        let i_hi = (max / step).ceil();
        let (mut lo, mut hi) = (i_lo * step, i_hi * step);
        if i_lo.abs() < 1e15 && i_hi.abs() < 1e15 {
            lo = scaled(i_lo as i64, m, e);
            hi = scaled(i_hi as i64, m, e);
        }
        if !lo.is_finite() || lo > min {
            lo = min;
        }
        if !hi.is_finite() || hi < max {
            hi = max;
        }
        let a = lo.abs().max(hi.abs());
        let sci = !(1e-3..1e5).contains(&a);
        let mut ticks = Vec::new();
        if i_lo.abs() < 1e15 && i_hi.abs() < 1e15 && i_hi - i_lo <= 1000.0 {
            for i in i_lo as i64..=i_hi as i64 {
                let v = scaled(i, m, e);
                if v.is_finite() && v >= lo - 1e-9 * step && v <= hi + 1e-9 * step {
                    ticks.push(Tick { value: v, label: Some(linear_label(v, e, sci)) });
                }
            }
        }
        Axis { scale: Scale::Linear, lo, hi, ticks }
    }

    fn log(lo_hi: Option<(f64, f64)>, target: usize) -> Axis {
        let (mut min, mut max) = lo_hi.filter(|&(lo, _)| lo > 0.0).unwrap_or((1.0, 10.0));
        if max / min < 1.0 + 1e-12 {
            // All equal: one decade around the value.
            (min, max) = (min / 10f64.sqrt(), max * 10f64.sqrt());
        }
        let (lo_e, hi_e) = (min.log10(), max.log10());
        let target = target.max(1);
        if hi_e - lo_e >= 2.0 {
            // Decades, every `stride`-th labelled.
            let (d_lo, d_hi) = (lo_e.floor() as i32, hi_e.ceil() as i32);
            let n = (d_hi - d_lo) as usize;
            let stride = n.div_ceil(target).max(1) as i32;
            let plain = d_lo >= -2 && d_hi <= 3;
            let mut ticks = Vec::new();
            for k in d_lo..=d_hi {
                let v = pow10(k);
                let label = (k.rem_euclid(stride) == 0).then(|| {
                    if plain {
                        Label::plain(format!("{:.*}", (-k).max(0) as usize, v))
                    } else {
                        Label { mantissa: String::new(), exp: Some(k) }
                    }
                });
                ticks.push(Tick { value: v, label });
                if stride == 1 && n <= 6 && k < d_hi {
                    for j in 2..10 {
                        ticks.push(Tick { value: j as f64 * v, label: None });
                    }
                }
            }
            let (lo, hi) = (pow10(d_lo), pow10(d_hi));
            return Axis { scale: Scale::Log10, lo, hi, ticks: clean(ticks, lo, hi) };
        }
        if hi_e - lo_e >= 5f64.log10() {
            // 1-2-5 multiples of powers of ten.
            let lo = nice125(min, false);
            let hi = nice125(max, true);
            let (d_lo, d_hi) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
            let mut cands = Vec::new();
            for k in d_lo..=d_hi {
                for j in 1..10 {
                    let v = scaled(j, 1, k);
                    if v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12) {
                        cands.push((v, j, k));
                    }
                }
            }
            let sets: [&[i64]; 3] = [&[1, 2, 5], &[1, 5], &[1]];
            let mut chosen: &[i64] = &[1];
            for s in sets {
                chosen = s;
                let nl = cands.iter().filter(|c| s.contains(&c.1)).count();
                if nl <= target + 1 {
                    break;
                }
            }
            let plain = d_lo >= -3 && d_hi <= 5;
            let mut ticks: Vec<Tick> = cands
                .iter()
                .map(|&(v, j, k)| Tick { value: v, label: chosen.contains(&j).then(|| log_label(v, j, k, plain)) })
                .collect();
            if ticks.iter().filter(|t| t.label.is_some()).count() < 2 {
                for t in ticks.iter_mut().filter(|t| t.value == lo || t.value == hi) {
                    let (j, k) = mantissa_exp(t.value);
                    t.label = Some(log_label(t.value, j, k, plain));
                }
            }
            return Axis { scale: Scale::Log10, lo, hi, ticks: clean(ticks, lo, hi) };
        }
        // Less than a factor 5: linear steps, placed logarithmically.
        let lin = Axis::linear(Some((min, max)), target);
        let (lo, hi) = if lin.lo > 0.0 { (lin.lo, lin.hi) } else { (min, max) };
        let ticks = lin.ticks.into_iter().filter(|t| t.value >= lo && t.value <= hi && t.value > 0.0).collect();
        Axis { scale: Scale::Log10, lo, hi, ticks }
    }

    /// Position of `v` along the axis, 0 at `lo` and 1 at `hi`.
    fn frac(&self, v: f64) -> f64 {
        let f = match self.scale {
            Scale::Linear => (v / 2.0 - self.lo / 2.0) / (self.hi / 2.0 - self.lo / 2.0),
            Scale::Log10 => (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10()),
        };
        if f.is_finite() {
            f
        } else {
            0.5
        }
    }

    /// Whether neighbouring labels of a horizontal axis from `left`, `len`
    /// pixels long, would overlap.
    fn labels_collide(&self, left: f64, len: f64) -> bool {
        let labelled: Vec<(f64, f64)> = self
            .ticks
            .iter()
            .filter_map(|t| t.label.as_ref().map(|l| (left + self.frac(t.value) * len, l.width(TICK_SIZE))))
            .collect();
        labelled.windows(2).any(|p| (p[1].0 - p[0].0) < (p[0].1 + p[1].1) / 2.0 + 12.0)
    }
}

/// Sorts, dedups and keeps the ticks inside [lo, hi].
fn clean(mut ticks: Vec<Tick>, lo: f64, hi: f64) -> Vec<Tick> {
    ticks.retain(|t| t.value >= lo * (1.0 - 1e-12) && t.value <= hi * (1.0 + 1e-12));
    ticks.sort_by(|a, b| a.value.total_cmp(&b.value));
    ticks.dedup_by(|a, b| a.value == b.value);
    ticks
}

/// The largest 1-2-5 × 10^k ≤ v (or the smallest ≥ v when `up`).
fn nice125(v: f64, up: bool) -> f64 {
    let k = v.log10().floor() as i32;
    let mut cands: Vec<f64> = Vec::new();
    for kk in k - 1..=k + 1 {
        for j in [1, 2, 5] {
            cands.push(scaled(j, 1, kk));
        }
    }
    if up {
        cands.into_iter().filter(|&c| c >= v * (1.0 - 1e-12)).fold(f64::INFINITY, f64::min)
    } else {
        cands.into_iter().filter(|&c| c <= v * (1.0 + 1e-12)).fold(0.0, f64::max)
    }
}

fn mantissa_exp(v: f64) -> (i64, i32) {
    let k = v.log10().floor() as i32;
    ((v / pow10(k)).round() as i64, k)
}

fn log_label(v: f64, j: i64, k: i32, plain: bool) -> Label {
    if plain {
        Label::plain(format!("{:.*}", (-k).max(0) as usize, v))
    } else if j == 1 {
        Label { mantissa: String::new(), exp: Some(k) }
    } else {
        Label { mantissa: j.to_string(), exp: Some(k) }
    }
}

// ---------------------------------------------------------------------------
// Text.

/// Escapes text for XML content and attribute values, dropping characters
/// XML 1.0 does not allow.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Rough width of `s` in a sans-serif font of `size` pixels: advance widths
/// of DejaVu Sans (the widest common default), so that the layout also fits
/// Helvetica and Arial.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '\'' | '|' => 0.28,
            ' ' | '.' | ',' | ':' | ';' | '!' => 0.32,
            'f' | 't' | '(' | ')' | '[' | ']' | '-' | '/' | 'I' => 0.39,
            'r' => 0.41,
            'c' | 's' | 'z' | 'J' => 0.55,
            'k' | 'v' | 'x' | 'y' | 'L' => 0.6,
            'm' | 'M' | 'w' | '=' | '+' | '<' | '>' | '×' | '≤' | '≥' | '−' | '∞' => 0.86,
            'W' => 1.0,
            'a'..='z' | '0'..='9' | 'F' | 'E' | 'P' | 'S' | 'T' | 'Z' => 0.64,
            'A'..='Z' => 0.74,
            '\u{2080}'..='\u{209C}' | '\u{00B2}' | '\u{00B3}' | '\u{00B9}' | '\u{2070}'..='\u{207F}' => 0.42,
            c if (c as u32) >= 0x2E80 => 1.0,
            _ => 0.64,
        })
        .sum::<f64>()
        * size
}

/// FNV-1a, for a clip-path id that differs between plots in one document.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny XML well-formedness check: balanced, properly nested tags,
    /// quoted attributes, only known entities; returns the root's name.
    fn check_xml(s: &str) -> Result<String, String> {
        let mut stack: Vec<String> = Vec::new();
        let mut root = None;
        let mut rest = s;
        while let Some(i) = rest.find(['<', '&']) {
            check_text(&rest[..i])?;
            rest = &rest[i..];
            if rest.starts_with('&') {
                let end = rest.find(';').ok_or("unterminated entity")?;
                if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&&rest[..=end]) {
                    return Err(format!("unknown entity {}", &rest[..=end]));
                }
                rest = &rest[end + 1..];
                continue;
            }
            let end = tag_end(rest).ok_or("unterminated tag")?;
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("unexpected </{name}>"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
            } else if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            } else {
                let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
                if name.is_empty() {
                    return Err("empty tag name".into());
                }
                check_attrs(tag[name.len()..].trim_end_matches('/'))?;
                if stack.is_empty() {
                    if root.is_some() {
                        return Err("two root elements".into());
                    }
                    root = Some(name.clone());
                }
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
        }
        check_text(rest)?;
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        root.ok_or_else(|| "no root".into())
    }

    fn check_text(t: &str) -> Result<(), String> {
        if t.contains('>') {
            return Err(format!("raw > in text {t:?}"));
        }
        Ok(())
    }

    /// Index of the `>` closing the tag at the start of `s`, skipping quoted
    /// attribute values.
    fn tag_end(s: &str) -> Option<usize> {
        let mut quote = None;
        for (i, c) in s.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '<') => return None,
                (None, '>') => return Some(i),
                _ => {}
            }
        }
        None
    }

    fn check_attrs(a: &str) -> Result<(), String> {
        let mut rest = a.trim();
        while !rest.is_empty() {
            let eq = rest.find('=').ok_or(format!("attribute without value in {a:?}"))?;
            let after = rest[eq + 1..].trim_start();
            let q = after.chars().next().ok_or("missing value")?;
            if q != '"' && q != '\'' {
                return Err(format!("unquoted attribute in {a:?}"));
            }
            let close = after[1..].find(q).ok_or("unterminated value")? + 1;
            let value = &after[1..close];
            if value.contains('<') || value.replace("&amp;", "").replace("&quot;", "").replace("&lt;", "").contains('&')
            {
                return Err(format!("bad attribute value {value:?}"));
            }
            rest = after[close + 1..].trim_start();
        }
        Ok(())
    }

    fn labels(a: &Axis) -> Vec<String> {
        a.ticks.iter().filter_map(|t| t.label.as_ref().map(Label::text)).collect()
    }

    fn labelled_values(a: &Axis) -> Vec<f64> {
        a.ticks.iter().filter(|t| t.label.is_some()).map(|t| t.value).collect()
    }

    fn series(label: &str, points: Vec<(f64, f64)>) -> Series {
        Series { label: label.into(), points, dashed: false }
    }

    fn well_formed(svg: &str) {
        assert_eq!(check_xml(svg), Ok("svg".to_string()), "{svg}");
        assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("viewBox=\"0 0 "));
        // Coordinates (attribute values) are finite; text may mention NaN.
        let tags: String = svg.split('<').map(|t| t.split('>').next().unwrap_or("")).collect();
        assert!(!tags.contains("NaN") && !tags.contains("inf"), "non-finite coordinate in {svg}");
    }

    #[test]
    fn checker_rejects_broken_xml() {
        assert!(check_xml("<svg><g></svg>").is_err());
        assert!(check_xml("<svg><g/></svg>").is_ok());
        assert!(check_xml("<svg>a & b</svg>").is_err());
        assert!(check_xml("<svg a=\"<\"/>").is_err());
        assert!(check_xml("<svg>a > b</svg>").is_err());
        assert!(check_xml("<svg/><svg/>").is_err());
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.2), (2, -1));
        assert_eq!(nice_step(0.99), (1, 0));
        assert_eq!(nice_step(2.8), (2, 0));
        assert_eq!(nice_step(4.0), (5, 0));
        assert_eq!(nice_step(8.0), (1, 1));
        assert_eq!(nice_step(1e-12), (1, -12));
        assert_eq!(nice_step(f64::NAN), (1, 0));
        assert_eq!(scaled(3, 1, -1), 0.3);
        assert_eq!(scaled(7, 2, -2), 0.14);
    }

    #[test]
    fn linear_ticks_unit_interval() {
        let a = Axis::linear(Some((0.0, 1.0)), 5);
        assert_eq!((a.lo, a.hi), (0.0, 1.0));
        assert_eq!(labelled_values(&a), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(labels(&a), ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    }

    #[test]
    fn linear_ticks_3_to_17() {
        let a = Axis::linear(Some((3.0, 17.0)), 5);
        assert!(a.lo <= 3.0 && a.hi >= 17.0);
        let v = labelled_values(&a);
        assert_eq!(v, vec![2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0]);
        assert_eq!(labels(&a)[0], "2");
        let a = Axis::linear(Some((3.0, 17.0)), 3);
        assert_eq!(labelled_values(&a), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
    }

    #[test]
    fn linear_ticks_negative_tiny_and_huge() {
        let a = Axis::linear(Some((-2.5, 0.7)), 4);
        assert_eq!(labels(&a), ["−3", "−2", "−1", "0", "1"].map(|s| s.replace('−', "-")));
        let a = Axis::linear(Some((0.0, 3e-6)), 3);
        assert_eq!(labels(&a), ["0", "1e-6", "2e-6", "3e-6"]);
        let a = Axis::linear(Some((0.0, 2.5e7)), 5);
        assert_eq!(labels(&a), ["0", "5e6", "1e7", "1.5e7", "2e7", "2.5e7"]);
        let a = Axis::linear(Some((-f64::MAX, f64::MAX)), 4);
        assert!(a.lo.is_finite() && a.hi.is_finite() && a.lo < a.hi);
        assert!(a.ticks.iter().all(|t| t.value.is_finite()));
    }

    #[test]
    fn equal_values_are_padded() {
        let a = Axis::linear(Some((5.0, 5.0)), 5);
        assert!(a.lo < 5.0 && a.hi > 5.0 && a.ticks.len() >= 2);
        let a = Axis::linear(Some((0.0, 0.0)), 5);
        assert!(a.lo < 0.0 && a.hi > 0.0);
        let a = Axis::log(Some((100.0, 100.0)), 5);
        assert!(a.lo < 100.0 && a.hi > 100.0 && labelled_values(&a).len() >= 2);
        let a = Axis::log(Some((3.7, 3.7)), 5);
        assert!(a.lo < 3.7 && a.hi > 3.7 && labelled_values(&a).len() >= 2);
    }

    #[test]
    fn log_ticks_many_decades() {
        let a = Axis::log(Some((1e-12, 1e3)), 6);
        assert_eq!((a.lo, a.hi), (1e-12, 1e3));
        let v = labelled_values(&a);
        assert!(v.len() >= 3 && v.len() <= 7, "{v:?}");
        // Every labelled tick is a decade, evenly strided.
        let exps: Vec<i32> = v.iter().map(|x| x.log10().round() as i32).collect();
        assert!(v.iter().zip(&exps).all(|(x, &e)| *x == pow10(e)));
        assert!(exps.windows(2).all(|w| w[1] - w[0] == exps[1] - exps[0]));
        assert!(labels(&a).contains(&"1e-12".to_string()), "{:?}", labels(&a));
        // Every decade gets at least a minor tick.
        assert_eq!(a.ticks.len(), 16);
        let svg = Label { mantissa: String::new(), exp: Some(-12) }.svg(12.0);
        assert!(svg.starts_with("10<tspan") && svg.contains(">−12</tspan>"), "{svg}");
    }

    #[test]
    fn log_ticks_few_decades_and_narrow() {
        let a = Axis::log(Some((1.0, 1000.0)), 6);
        assert_eq!(labels(&a), ["1", "10", "100", "1000"]);
        assert!(a.ticks.len() > 20); // minor ticks 2..9
        let a = Axis::log(Some((2.0, 15.0)), 6);
        assert_eq!((a.lo, a.hi), (2.0, 20.0));
        assert_eq!(labels(&a), ["2", "5", "10", "20"]);
        let a = Axis::log(Some((40.0, 50.0)), 5);
        assert!(a.lo <= 40.0 && a.hi >= 50.0 && a.lo > 0.0);
        assert!(labelled_values(&a).len() >= 3);
        let a = Axis::log(Some((2e-7, 3e-6)), 6);
        assert_eq!(labels(&a), ["2e-7", "5e-7", "1e-6", "2e-6", "5e-6"]);
        assert!(a.frac(1e-6) > 0.0 && a.frac(1e-6) < 1.0);
    }

    #[test]
    fn log_scale_with_nonpositive_values() {
        let mut p = Plot::new("t", "n", "L");
        p.y_scale = Scale::Log10;
        p.series.push(series("L", vec![(0.0, 1.0), (1.0, 0.0), (2.0, -3.0), (3.0, 0.01), (4.0, 1e-3)]));
        let svg = p.to_svg(600, 400);
        well_formed(&svg);
        assert!(svg.contains("2 points ≤ 0 not shown on the log scale"), "{svg}");
        // The line breaks at the gap: a dot for the lone first point and one path.
        assert_eq!(svg.matches("<path ").count(), 1);
        let mut p = Plot::new("t", "n", "L");
        p.y_scale = Scale::Log10;
        p.series.push(series("zero", vec![(0.0, 0.0)]));
        let svg = p.to_svg(600, 400);
        well_formed(&svg);
        assert!(svg.contains("1 point ≤ 0 not shown") && svg.contains("no data"));
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(esc("x\u{0}y\u{7}\nz"), "xy z");
        let mut p = Plot::new("<V> & \"L\"", "n < 10", "γ > 0 & ‖θ‖²");
        p.series.push(series("a&b <c>", vec![(0.0, 1.0), (1.0, 2.0)]));
        p.x_markers.push(Marker { value: 0.5, label: "\"γ*\" <".into() });
        p.notes.push("x & y".into());
        let svg = p.to_svg(640, 400);
        well_formed(&svg);
        assert!(svg.contains("&lt;V&gt; &amp; &quot;L&quot;"));
        assert!(svg.contains("a&amp;b &lt;c&gt;"));
    }

    #[test]
    fn downsampling_keeps_extremes() {
        let pts: Vec<(f64, f64)> = (0..100_000).map(|i| (i as f64, (i as f64 * 0.01).sin())).collect();
        let mut spiky = pts.clone();
        spiky[54_321].1 = 1e6;
        spiky[77_777].1 = -1e6;
        let d = downsample(&spiky, MAX_POINTS);
        assert!(d.len() <= MAX_POINTS);
        assert_eq!(d[0], spiky[0]);
        assert_eq!(*d.last().unwrap(), spiky[99_999]);
        assert!(d.contains(&spiky[54_321]) && d.contains(&spiky[77_777]));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "order kept");
        // The whole pipeline, with gaps.
        spiky[10].1 = f64::NAN;
        let p = prepare(&spiky, false, false);
        assert!(p.shown <= MAX_POINTS + 8 && p.non_finite == 1 && p.runs.len() == 2);
        assert!(p.runs.iter().flatten().any(|&q| q == spiky[54_321]));
        assert_eq!(downsample(&pts[..10], MAX_POINTS), pts[..10].to_vec());
    }

    #[test]
    fn many_gaps_stay_bounded() {
        let pts: Vec<(f64, f64)> =
            (0..200_000).map(|i| (i as f64, if i % 2 == 0 { f64::NAN } else { i as f64 })).collect();
        let p = prepare(&pts, false, false);
        assert!(p.shown <= MAX_POINTS && p.non_finite == 100_000);
    }

    #[test]
    fn output_is_well_formed_with_legend() {
        let mut p = Plot::new("Training", "step n", "value");
        p.y_scale = Scale::Log10;
        p.series.push(series("risk L", (0..5000).map(|n| (n as f64, 10.0 * (-0.01 * n as f64).exp())).collect()));
        p.series.push(Series {
            label: "Lyapunov V".into(),
            points: (0..5000).map(|n| (n as f64, 50.0 - n as f64 / 500.0)).collect(),
            dashed: true,
        });
        p.series.push(series("‖θ‖²", vec![(0.0, 3.0), (f64::INFINITY, 2.0), (4999.0, 3.5)]));
        p.x_markers.push(Marker { value: 500.0, label: "γ*".into() });
        p.y_markers.push(Marker { value: 1.0, label: "L = 1".into() });
        p.notes.push("guarantee: exact".into());
        let svg = p.to_svg(900, 520);
        well_formed(&svg);
        for label in ["risk L", "Lyapunov V", "‖θ‖²", "γ*", "L = 1", "guarantee: exact", "step n", "Training"] {
            assert!(svg.contains(label), "missing {label}");
        }
        assert!(svg.contains("stroke-dasharray=\"7 4\""));
        assert!(svg.contains("1 point not shown (NaN or ±∞)"));
        assert!(svg.contains("<tspan"));
        for c in &PALETTE[..3] {
            assert!(svg.contains(c));
        }
    }

    #[test]
    fn degenerate_inputs() {
        // Nothing at all.
        let svg = Plot::new("", "", "").to_svg(10, 10);
        well_formed(&svg);
        assert!(svg.contains("no data") && svg.contains("viewBox=\"0 0 240 180\""));
        // Empty series, log axes.
        let mut p = Plot::new("empty", "x", "y");
        p.x_scale = Scale::Log10;
        p.y_scale = Scale::Log10;
        p.series.push(series("nothing", vec![]));
        let svg = p.to_svg(500, 300);
        well_formed(&svg);
        assert!(svg.contains("nothing (no data)") && svg.contains(">no data</text>"));
        // One point; all equal; NaN everywhere; markers only; huge values.
        for pts in [
            vec![(1.0, 2.0)],
            vec![(1.0, 2.0), (2.0, 2.0), (3.0, 2.0)],
            vec![(f64::NAN, 1.0), (1.0, f64::NEG_INFINITY)],
            vec![(0.0, f64::MAX), (1.0, -f64::MAX)],
            vec![(1e-300, 1e-310), (2e-300, 3e-310)],
        ] {
            for scale in [Scale::Linear, Scale::Log10] {
                let mut p = Plot::new("edge", "x", "y");
                p.y_scale = scale;
                p.x_scale = scale;
                p.series.push(series("s", pts.clone()));
                p.x_markers.push(Marker { value: f64::NAN, label: "bad".into() });
                p.y_markers.push(Marker { value: -1.0, label: "neg".into() });
                well_formed(&p.to_svg(400, 300));
            }
        }
        let mut p = Plot::new("markers", "x", "y");
        p.x_markers.push(Marker { value: 3.0, label: "a".into() });
        p.x_markers.push(Marker { value: 3.0, label: "b".into() });
        let svg = p.to_svg(400, 300);
        well_formed(&svg);
        assert!(svg.contains(">a</text>") && svg.contains(">b</text>"));
    }

    #[test]
    fn many_series_cycle_colours_and_long_labels_go_below() {
        let mut p = Plot::new("sweep", "V(Θ₀)", "γ");
        for i in 0..10 {
            p.series.push(series(
                &format!("a rather long series label number {i}"),
                vec![(0.0, i as f64), (1.0, i as f64 + 1.0)],
            ));
        }
        let svg = p.to_svg(700, 500);
        well_formed(&svg);
        assert!(svg.contains("number 9"));
        assert_eq!(svg.matches(&format!("<g stroke=\"{}\">", PALETTE[0])).count(), 2, "colours cycle");
        // Long labels: the legend goes below the plot area, not beside it.
        let frame = svg.lines().find(|l| l.contains("stroke=\"#222222\" stroke-width=\"1\"/>")).unwrap();
        let legend = svg.lines().find(|l| l.contains("stroke=\"#bbbbbb\"")).unwrap();
        let attr = |l: &str, a: &str| -> f64 {
            let i = l.find(&format!(" {a}=\"")).unwrap() + a.len() + 3;
            l[i..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(attr(legend, "y") > attr(frame, "y") + attr(frame, "height"));
    }

    /// x of the `<text>` whose content is `label`.
    fn text_x(svg: &str, label: &str) -> f64 {
        let line = svg.lines().find(|l| l.contains(&format!(">{label}</text>"))).expect("label drawn");
        let i = line.find(" x=\"").expect("x") + 4;
        line[i..].split('"').next().expect("value").parse().expect("number")
    }

    #[test]
    fn a_strip_marks_values_on_a_scale_of_its_own() {
        let mut p = Plot::new("run", "step n", "value");
        p.y_scale = Scale::Log10;
        p.series.push(series("risk L", (0..50).map(|n| (n as f64, 0.9f64.powi(n))).collect()));
        p.strip = Some(Strip {
            label: "step size γ".into(),
            scale: Scale::Log10,
            marks: vec![
                StripMark { value: 1e-4, label: "γ* = 1e-4".into(), bound: true },
                StripMark { value: 3e-3, label: "γ = 30 γ*".into(), bound: false },
                StripMark { value: f64::NAN, label: "lost".into(), bound: false },
            ],
        });
        let svg = p.to_svg(800, 500);
        well_formed(&svg);
        for label in ["step size γ", "γ* = 1e-4", "γ = 30 γ*", "risk L"] {
            assert!(svg.contains(label), "missing {label}");
        }
        assert!(svg.contains("marker &quot;lost&quot; (step size γ = NaN) not shown"), "an undrawable mark is noted");
        // On the log scale 3e-3 lies right of 1e-4, both inside the plot's width.
        let (bound, value) = (text_x(&svg, "γ* = 1e-4"), text_x(&svg, "γ = 30 γ*"));
        assert!(bound < value);
        // The bound is a dashed bar, the value a triangle; the data's y range is untouched.
        assert!(svg.contains("stroke-dasharray=\"3 2\""));
        assert!(svg.contains(" Z\" fill="));
        let mut q = p.clone();
        q.strip = None;
        let plain = q.to_svg(800, 500);
        assert!(!plain.contains("step size γ"));
        // The strip takes room above the plot area: the frame starts lower.
        let frame_y = |svg: &str| -> f64 {
            let l = svg
                .lines()
                .find(|l| l.contains("fill=\"none\" stroke=\"#222222\" stroke-width=\"1\"/>"))
                .expect("frame");
            let i = l.find(" y=\"").expect("y") + 4;
            l[i..].split('"').next().expect("value").parse().expect("number")
        };
        assert!(frame_y(&svg) > frame_y(&plain) + 30.0);
        // Equal values: both labels drawn, in two rows.
        let mut r = Plot::new("run", "step n", "value");
        r.strip = Some(Strip {
            label: "step size γ".into(),
            scale: Scale::Linear,
            marks: vec![
                StripMark { value: 0.5, label: "γ* = 0.5".into(), bound: true },
                StripMark { value: 0.5, label: "γ = γ*".into(), bound: false },
            ],
        });
        let svg = r.to_svg(500, 300);
        well_formed(&svg);
        let y_of = |label: &str| -> f64 {
            let line = svg.lines().find(|l| l.contains(&format!(">{label}</text>"))).expect("label");
            let i = line.find(" y=\"").expect("y") + 4;
            line[i..].split('"').next().expect("value").parse().expect("number")
        };
        assert!((y_of("γ* = 0.5") - y_of("γ = γ*")).abs() >= MARKER_SIZE);
    }
}
