//! Axes: "nice" tick positions and their labels, linear and logarithmic.

use super::*;

/// A tick label: `mantissa` alone, or `mantissa×10^exp` (just `10^exp` when
/// the mantissa is empty), the exponent drawn as a superscript.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Label {
    pub(super) mantissa: String,
    pub(super) exp: Option<i32>,
}

impl Label {
    pub(super) fn plain(s: String) -> Label {
        Label { mantissa: s, exp: None }
    }
    pub(super) fn exp_text(e: i32) -> String {
        if e < 0 {
            format!("\u{2212}{}", -(e as i64))
        } else {
            e.to_string()
        }
    }
    /// The label as plain text, e.g. `1e-12`, `2.5e3` or `40` (for tests and
    /// titles).
    #[cfg(test)]
    pub(super) fn text(&self) -> String {
        match (self.mantissa.as_str(), self.exp) {
            (m, None) => m.to_string(),
            ("", Some(e)) => format!("1e{e}"),
            (m, Some(e)) => format!("{m}e{e}"),
        }
    }
    pub(super) fn width(&self, size: f64) -> f64 {
        let m = match self.exp {
            None => text_width(&self.mantissa, size),
            Some(_) if self.mantissa.is_empty() => text_width("10", size),
            Some(_) => text_width(&self.mantissa, size) + text_width("×10", size),
        };
        m + self.exp.map_or(0.0, |e| text_width(&Label::exp_text(e), size * 0.72) + 1.0)
    }
    /// SVG content of a `<text>` element.
    pub(super) fn svg(&self, size: f64) -> String {
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
pub(super) struct Tick {
    pub(super) value: f64,
    /// `None` for a minor (unlabelled, shorter) tick.
    pub(super) label: Option<Label>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Axis {
    pub(super) scale: Scale,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<Tick>,
}

/// A "nice" step: 1, 2 or 5 × 10^e, as (mantissa, e).
pub(super) fn nice_step(raw: f64) -> (i64, i32) {
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

pub(super) fn pow10(e: i32) -> f64 {
    10f64.powi(e)
}

/// `i × m × 10^e`, rounded once (so 3 × 0.1 gives 0.3).
pub(super) fn scaled(i: i64, m: i64, e: i32) -> f64 {
    let k = (i as f64) * (m as f64);
    if (-300..0).contains(&e) {
        k / pow10(-e)
    } else {
        k * pow10(e)
    }
}

/// Formats `v` on a linear axis with step `m × 10^e`; `sci` selects
/// `mantissa × 10^exp` labels.
pub(super) fn linear_label(v: f64, e: i32, sci: bool) -> Label {
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
    pub(super) fn new(scale: Scale, range: Range, target: usize) -> Axis {
        match scale {
            Scale::Linear => Axis::linear(range.lo_hi, target),
            Scale::Log10 => Axis::log(range.lo_hi, target),
        }
    }

    pub(super) fn linear(lo_hi: Option<(f64, f64)>, target: usize) -> Axis {
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

    pub(super) fn log(lo_hi: Option<(f64, f64)>, target: usize) -> Axis {
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
    pub(super) fn frac(&self, v: f64) -> f64 {
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
    pub(super) fn labels_collide(&self, left: f64, len: f64) -> bool {
        let labelled: Vec<(f64, f64)> = self
            .ticks
            .iter()
            .filter_map(|t| t.label.as_ref().map(|l| (left + self.frac(t.value) * len, l.width(TICK_SIZE))))
            .collect();
        labelled.windows(2).any(|p| (p[1].0 - p[0].0) < (p[0].1 + p[1].1) / 2.0 + 12.0)
    }
}

/// Sorts, dedups and keeps the ticks inside [lo, hi].
pub(super) fn clean(mut ticks: Vec<Tick>, lo: f64, hi: f64) -> Vec<Tick> {
    ticks.retain(|t| t.value >= lo * (1.0 - 1e-12) && t.value <= hi * (1.0 + 1e-12));
    ticks.sort_by(|a, b| a.value.total_cmp(&b.value));
    ticks.dedup_by(|a, b| a.value == b.value);
    ticks
}

/// The largest 1-2-5 × 10^k ≤ v (or the smallest ≥ v when `up`).
pub(super) fn nice125(v: f64, up: bool) -> f64 {
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

pub(super) fn mantissa_exp(v: f64) -> (i64, i32) {
    let k = v.log10().floor() as i32;
    ((v / pow10(k)).round() as i64, k)
}

pub(super) fn log_label(v: f64, j: i64, k: i32, plain: bool) -> Label {
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
