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
        if value.contains('<') || value.replace("&amp;", "").replace("&quot;", "").replace("&lt;", "").contains('&') {
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
    let pts: Vec<(f64, f64)> = (0..200_000).map(|i| (i as f64, if i % 2 == 0 { f64::NAN } else { i as f64 })).collect();
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
        let l =
            svg.lines().find(|l| l.contains("fill=\"none\" stroke=\"#222222\" stroke-width=\"1\"/>")).expect("frame");
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
