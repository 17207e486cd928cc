//! One progress bar for every long command: drawn on stderr only when it is
//! a terminal and `--quiet` is off, at most ten times a second.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Width of the bar in characters.
const WIDTH: usize = 30;

/// A progress bar with a fixed label.
pub struct Bar {
    label: String,
    show: bool,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal and `quiet` is false.
    pub fn new(label: impl Into<String>, quiet: bool) -> Self {
        Bar { label: label.into(), show: !quiet && std::io::stderr().is_terminal(), last: Mutex::new(None) }
    }

    /// Whether the bar draws at all (so callers can skip building a status).
    pub fn visible(&self) -> bool {
        self.show
    }

    /// Draws `fraction` (clamped to [0, 1]) and a status text; redraws are
    /// throttled to one per 100 ms except when the bar is full.
    pub fn draw(&self, fraction: f64, status: &str) {
        if !self.show {
            return;
        }
        let fraction = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { 1.0 };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if fraction < 1.0 && last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        *last = Some(Instant::now());
        let filled = (fraction * WIDTH as f64) as usize;
        eprint!("\r{:<60} [{}{}] {status}   ", self.label, "#".repeat(filled), ".".repeat(WIDTH - filled));
        let _ = std::io::stderr().flush();
    }

    /// Erases the bar's line.
    pub fn clear(&self) {
        if self.show {
            eprint!("\r{}\r", " ".repeat(60 + WIDTH + 50));
            let _ = std::io::stderr().flush();
        }
    }
}
