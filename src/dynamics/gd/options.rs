//! The options of a GD run: how the state is stored, the step size, and the
//! (test-only) false claims of negative controls.

use crate::num::parse::parse_rational;
use crate::num::{BigRational, Guarantee};
use num_traits::{One, Signed};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// How the GD state is stored between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateMode {
    /// Exact rationals, never rounded (bit sizes grow geometrically).
    Exact,
    /// Exact step, state rounded to the nearest multiple of 2^-bits (certified).
    Dyadic(u32),
    /// MPFR floats with this precision (approximate).
    Mpfr(u32),
    /// IEEE doubles (approximate).
    F64,
}

impl StateMode {
    /// What the run's inequality checks promise: exact for exact and dyadic
    /// states, approximate with the precision for float states.
    pub fn guarantee(&self) -> Guarantee {
        match self {
            StateMode::Exact | StateMode::Dyadic(_) => Guarantee::Exact,
            StateMode::Mpfr(b) => Guarantee::Approximate { bits: *b },
            StateMode::F64 => Guarantee::Approximate { bits: 53 },
        }
    }
}

/// Runs `$run::<S>(case, opts, ctx)` with the scalar type of `opts.state`:
/// GMP rationals (with `gmp`) or `BigRational` for exact and dyadic states,
/// `rug::Float` for mpfr, `f64` for f64. `$cmd` names the command in errors.
macro_rules! dispatch_state {
    ($run:ident, $case:expr, $opts:expr, $cmd:literal) => {{
        if $opts.resume.is_some() && $opts.out.is_some() && $opts.out != $opts.resume {
            return Err("--resume FILE appends to FILE; do not also give a different --out".into());
        }
        match $opts.state {
            #[cfg(feature = "gmp")]
            $crate::dynamics::gd::StateMode::Exact | StateMode::Dyadic(_) => $run::<rug::Rational>($case, $opts, &()),
            #[cfg(not(feature = "gmp"))]
            $crate::dynamics::gd::StateMode::Exact | StateMode::Dyadic(_) => {
                $run::<$crate::num::BigRational>($case, $opts, &())
            }
            $crate::dynamics::gd::StateMode::F64 => $run::<f64>($case, $opts, &()),
            #[cfg(feature = "gmp")]
            $crate::dynamics::gd::StateMode::Mpfr(bits) => $run::<rug::Float>($case, $opts, &bits),
            #[cfg(not(feature = "gmp"))]
            $crate::dynamics::gd::StateMode::Mpfr(_) => Err(concat!(
                "--state mpfr needs the `gmp` feature (cargo run --release --features gmp -- ",
                $cmd,
                " …)"
            )
            .into()),
        }
    }};
}
pub(crate) use dispatch_state;

impl fmt::Display for StateMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateMode::Exact => f.write_str("exact"),
            StateMode::Dyadic(b) => write!(f, "dyadic:{b}"),
            StateMode::Mpfr(b) => write!(f, "mpfr:{b}"),
            StateMode::F64 => f.write_str("f64"),
        }
    }
}

/// The bit counts a `dyadic:BITS` or `mpfr:BITS` state (and `gd-sweep
/// --bits`) accepts.
pub const STATE_BITS: std::ops::RangeInclusive<u32> = 2..=100_000;

impl FromStr for StateMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bits = |r: &str| -> Result<u32, String> {
            r.parse::<u32>()
                .ok()
                .filter(|b| STATE_BITS.contains(b))
                .ok_or_else(|| format!("bad bit count {r:?}: expected a whole number from 2 to 100000"))
        };
        match s.split_once(':') {
            None if s == "exact" => Ok(StateMode::Exact),
            None if s == "f64" => Ok(StateMode::F64),
            None if s == "dyadic" => Ok(StateMode::Dyadic(128)),
            None if s == "mpfr" => Ok(StateMode::Mpfr(128)),
            Some(("dyadic", r)) => Ok(StateMode::Dyadic(bits(r)?)),
            Some(("mpfr", r)) => Ok(StateMode::Mpfr(bits(r)?)),
            _ => Err(format!("unknown state mode {s:?}; expected exact, dyadic:BITS, mpfr:BITS or f64")),
        }
    }
}

/// The step size: a rational, or a rational multiple of γ* (C9) or of
/// γ′* (C14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GammaSpec {
    /// γ itself.
    Value(BigRational),
    /// factor · γ* (`auto`, `auto*K`).
    Auto(BigRational),
    /// factor · γ′* (`auto-sharp`, `auto-sharp*K`): C14 covers factors below 2.
    AutoSharp(BigRational),
}

impl FromStr for GammaSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("auto-sharp") {
            let factor = match rest.trim() {
                "" => BigRational::one(),
                r => match r.strip_prefix('*') {
                    Some(k) => parse_rational(k).map_err(|e| format!("--gamma auto-sharp*K: {e}"))?,
                    None => {
                        return Err(format!(
                            "bad --gamma {s:?}: expected auto-sharp or auto-sharp*K, e.g. auto-sharp*19/10"
                        ))
                    }
                },
            };
            if !factor.is_positive() {
                return Err(format!("--gamma {s}: the factor must be positive"));
            }
            return Ok(GammaSpec::AutoSharp(factor));
        }
        if let Some(rest) = s.strip_prefix("auto") {
            let factor = match rest.trim() {
                "" => BigRational::one(),
                r => match r.strip_prefix('*') {
                    Some(k) => parse_rational(k).map_err(|e| format!("--gamma auto*K: {e}"))?,
                    None => {
                        return Err(format!(
                        "bad --gamma {s:?}: expected auto, auto*K, auto-sharp or auto-sharp*K, e.g. auto*4 or auto*1/2"
                    ))
                    }
                },
            };
            if !factor.is_positive() {
                return Err(format!("--gamma {s}: the factor must be positive"));
            }
            return Ok(GammaSpec::Auto(factor));
        }
        let g = parse_rational(s).map_err(|e| format!("--gamma: {e}"))?;
        if !g.is_positive() {
            return Err(format!("--gamma {s}: the step size must be positive"));
        }
        Ok(GammaSpec::Value(g))
    }
}

/// Options of a GD run.
#[derive(Clone, Debug)]
pub struct GdOptions {
    /// Number of steps (the run ends at n = steps).
    pub steps: u64,
    /// Step size.
    pub gamma: GammaSpec,
    /// State storage.
    pub state: StateMode,
    /// JSON-lines trajectory file.
    pub out: Option<PathBuf>,
    /// CSV trajectory file.
    pub csv: Option<PathBuf>,
    /// Continue the run recorded in this file (implies appending to it).
    pub resume: Option<PathBuf>,
    /// Write the state every this many steps (and at the end).
    pub checkpoint: u64,
    /// Progress callback (done, total).
    pub quiet: bool,
    /// A deliberately false claim to judge the run against (negative
    /// controls only; the CLI never sets it).
    #[doc(hidden)]
    pub false_claim: FalseClaim,
}

impl GdOptions {
    /// A quiet run that writes no file and keeps only its summary: what the
    /// checks, sweeps and benchmarks run.
    pub fn in_memory(steps: u64, gamma: GammaSpec, state: StateMode) -> Self {
        GdOptions {
            steps,
            gamma,
            state,
            out: None,
            csv: None,
            resume: None,
            checkpoint: u64::MAX,
            quiet: true,
            false_claim: FalseClaim::None,
        }
    }
}

/// A claim stronger than the theorem, for negative controls: the run itself
/// (steps, rounding, certification) is the real one; only the inequality the
/// tallies judge is changed, so a control that is refuted shows that the real
/// run's tallies can fail.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FalseClaim {
    /// The theorems as stated.
    #[default]
    None,
    /// C9(a) with 8γL(θ_n) for 4γL(θ_n): false whenever G(θ_n) ≠ 0 (C7).
    EightGammaDescent,
    /// C14(a) with 8γL(θ_n) for the sharp rate γ(8 − γK′(1 + V(Θ_0))).
    EightGammaSharpRate,
}
