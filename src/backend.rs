//! Choosing a backend by name: `exact`, `gmp`, `f64`, `f64-interval`,
//! `mpfr[:BITS]`, `interval[:BITS]`.

use std::fmt;
use std::str::FromStr;

/// Default MPFR precision in bits.
pub const DEFAULT_MPFR_BITS: u32 = 128;

/// A backend selected on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendSpec {
    /// `num_rational::BigRational`, exact.
    Exact,
    /// `rug::Rational`, exact (feature `gmp`).
    Gmp,
    /// `f64`, approximate.
    F64,
    /// `Interval<f64>`, enclosure.
    F64Interval,
    /// `rug::Float` with this many bits, approximate (feature `gmp`).
    Mpfr(u32),
    /// `Interval<rug::Float>` with this many bits, enclosure (feature `gmp`).
    Interval(u32),
}

impl BackendSpec {
    /// Whether this binary was built with what the backend needs.
    pub fn available(&self) -> bool {
        matches!(self, BackendSpec::Exact | BackendSpec::F64 | BackendSpec::F64Interval) || cfg!(feature = "gmp")
    }
}

impl fmt::Display for BackendSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendSpec::Exact => f.write_str("exact"),
            BackendSpec::Gmp => f.write_str("gmp"),
            BackendSpec::F64 => f.write_str("f64"),
            BackendSpec::F64Interval => f.write_str("f64-interval"),
            BackendSpec::Mpfr(b) => write!(f, "mpfr:{b}"),
            BackendSpec::Interval(b) => write!(f, "interval:{b}"),
        }
    }
}

impl FromStr for BackendSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bits = |rest: Option<&str>| -> Result<u32, String> {
            match rest {
                None => Ok(DEFAULT_MPFR_BITS),
                Some(r) => match r.parse::<u32>() {
                    Ok(b) if (2..=1_000_000).contains(&b) => Ok(b),
                    _ => Err(format!("bad precision {r:?}: expected whole bits between 2 and 1000000, e.g. mpfr:256")),
                },
            }
        };
        let (name, rest) = match s.split_once(':') {
            Some((n, r)) => (n, Some(r)),
            None => (s, None),
        };
        match (name, rest) {
            ("exact", None) => Ok(BackendSpec::Exact),
            ("gmp", None) => Ok(BackendSpec::Gmp),
            ("f64", None) => Ok(BackendSpec::F64),
            ("f64-interval", None) => Ok(BackendSpec::F64Interval),
            ("mpfr", r) => Ok(BackendSpec::Mpfr(bits(r)?)),
            ("interval", r) => Ok(BackendSpec::Interval(bits(r)?)),
            _ => Err(format!(
                "unknown backend {s:?}; expected exact, gmp, f64, f64-interval, mpfr[:BITS] or interval[:BITS]"
            )),
        }
    }
}
