//! Where things go on the canvas: margins from the measured labels and
//! legend, and the data prepared for drawing (log scales, downsampling).

use super::*;

pub(super) struct LayoutInput<'a> {
    pub(super) prepared: &'a [Prepared],
    pub(super) w: f64,
    pub(super) h: f64,
    pub(super) notes: &'a [String],
    pub(super) x_range: Range,
    pub(super) y_range: Range,
    pub(super) x_marks: &'a [Marker],
    pub(super) y_marks: &'a [Marker],
    /// The strip, its drawable marks and their range.
    pub(super) strip: Option<(&'a Strip, &'a [StripMark], Range)>,
}

/// Where the strip goes.
pub(super) struct StripLayout {
    pub(super) label: String,
    pub(super) axis: Axis,
    /// The strip's line.
    pub(super) y_line: f64,
    pub(super) marks: Vec<StripMark>,
    /// Row of each mark's label, 0 next to the strip.
    pub(super) label_rows: Vec<usize>,
}

pub(super) struct Legend {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
    /// Left end and centre line of each item's sample.
    pub(super) items: Vec<(f64, f64)>,
}

pub(super) struct Layout {
    pub(super) left: f64,
    pub(super) right: f64,
    pub(super) top: f64,
    pub(super) bottom: f64,
    pub(super) x_axis: Axis,
    pub(super) y_axis: Axis,
    pub(super) x_marker_rows: Vec<usize>,
    pub(super) y_marker_label_y: Vec<f64>,
    pub(super) legend: Option<Legend>,
    pub(super) rows_reserved: usize,
    pub(super) extra_right: f64,
    /// How far the last x tick label reaches past the right margin.
    pub(super) x_overhang: f64,
    pub(super) strip: Option<StripLayout>,
}

impl Layout {
    pub(super) fn px(&self, x: f64) -> f64 {
        self.left + self.x_axis.frac(x) * (self.right - self.left)
    }
    pub(super) fn py(&self, y: f64) -> f64 {
        self.bottom - self.y_axis.frac(y) * (self.bottom - self.top)
    }
    pub(super) fn sx(&self, s: &StripLayout, v: f64) -> f64 {
        self.left + s.axis.frac(v) * (self.right - self.left)
    }
}

// ---------------------------------------------------------------------------
// Data preparation.

/// Smallest and largest finite value seen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Range {
    pub(super) lo_hi: Option<(f64, f64)>,
}

impl Range {
    pub(super) fn add(&mut self, v: f64) {
        self.lo_hi = Some(match self.lo_hi {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        });
    }
    pub(super) fn merge(&mut self, o: &Range) {
        if let Some((lo, hi)) = o.lo_hi {
            self.add(lo);
            self.add(hi);
        }
    }
}

/// A series ready to draw: runs of drawable points (the line breaks between
/// runs), downsampled.
#[derive(Clone, Debug, Default)]
pub(super) struct Prepared {
    pub(super) runs: Vec<Vec<(f64, f64)>>,
    /// Points after filtering and downsampling.
    pub(super) shown: usize,
    pub(super) non_finite: usize,
    pub(super) non_positive: usize,
    pub(super) xr: Range,
    pub(super) yr: Range,
}

/// More runs than this and gaps are no longer drawn as breaks (the line is
/// joined across them) so that downsampling still bounds the output.
pub(super) const MAX_RUNS: usize = 200;

pub(super) fn prepare(points: &[(f64, f64)], x_log: bool, y_log: bool) -> Prepared {
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
pub(super) fn downsample(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
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
