//! SVG text: escaping, an estimate of rendered width, and stable ids.

/// Escapes text for XML content and attribute values, dropping characters
/// XML 1.0 does not allow.
pub(super) fn esc(s: &str) -> String {
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
pub(super) fn text_width(s: &str, size: f64) -> f64 {
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
pub(super) fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}
