//! Exact parsing of numbers written as text, and exact conversion of `f64`.
//!
//! Never build a rational from an `f64` literal: `0.1_f64` is
//! 3602879701896397/36028797018963968, not 1/10. Numbers in case files are
//! strings parsed here exactly.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{FromPrimitive, Pow, Zero};
use std::fmt;

/// Largest decimal exponent accepted, so that "1e999999999" cannot exhaust memory.
pub const MAX_DECIMAL_EXPONENT: i64 = 10_000;

/// Why a string is not a rational number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseNumberError(pub String);

impl fmt::Display for ParseNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseNumberError {}

fn err<T>(s: &str, why: &str) -> Result<T, ParseNumberError> {
    Err(ParseNumberError(format!("{} is not a rational number: {why}", quoted_clip(s))))
}

/// Longest piece of an input echoed in an error message.
pub const ECHO_CHARS: usize = 60;

/// `s` quoted for an error message, cut to its first [`ECHO_CHARS`]
/// characters (with its length) when longer: a huge input is never echoed whole.
pub fn quoted_clip(s: &str) -> String {
    let n = s.chars().count();
    if n <= ECHO_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(ECHO_CHARS).collect();
        format!("{head:?}… ({n} characters)")
    }
}

/// A message cut to `max` characters per line and 20 lines, for echoing
/// parser errors that quote the input.
pub fn clip_lines(msg: &str, max: usize) -> String {
    let mut out: Vec<String> = msg
        .lines()
        .take(20)
        .map(|l| {
            let n = l.chars().count();
            if n <= max {
                l.to_string()
            } else {
                format!("{}… ({n} characters)", l.chars().take(max).collect::<String>())
            }
        })
        .collect();
    if msg.lines().count() > 20 {
        out.push("…".into());
    }
    out.join("\n")
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// `p/q` reduced, for digit strings of at most 18 digits each (machine
/// words, no big-integer parsing or gcd); `None` for longer ones or q = 0,
/// which take the general path.
fn small_fraction(p: &str, q: &str) -> Option<BigRational> {
    if p.len() > 18 || q.len() > 18 {
        return None;
    }
    let (p, q): (u64, u64) = (p.parse().ok()?, q.parse().ok()?);
    if q == 0 {
        return None;
    }
    let (mut x, mut y) = (p, q);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    Some(BigRational::new_raw(BigInt::from(p / x), BigInt::from(q / x)))
}

/// Parses `"p"`, `"p/q"`, or a decimal such as `"-0.125"` or `"1e-3"`, exactly.
///
/// Surrounding whitespace is ignored. `q` must be nonzero.
///
/// ```
/// use reluproof::num::parse::parse_rational;
/// use num_rational::BigRational;
/// let q = parse_rational("-0.125").unwrap();
/// assert_eq!(q, parse_rational("-1/8").unwrap());
/// assert_eq!(parse_rational("1e-3").unwrap().to_string(), "1/1000");
/// assert!(parse_rational("1/0").is_err());
/// ```
pub fn parse_rational(text: &str) -> Result<BigRational, ParseNumberError> {
    let s = text.trim();
    if s.is_empty() {
        return err(text, "empty string; expected e.g. \"3/7\", \"-0.125\", \"1e-3\" or \"2\"");
    }
    let unsigned = s.trim_start_matches(['+', '-']);
    if ["nan", "inf", "infinity"].iter().any(|w| unsigned.eq_ignore_ascii_case(w)) {
        return err(text, "not a finite number");
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let value = if let Some((p, q)) = body.split_once('/') {
        if !digits(p) || !digits(q) {
            return err(text, "expected \"p/q\" with p and q unsigned integers, e.g. \"-3/7\"");
        }
        if let Some(v) = small_fraction(p, q) {
            return Ok(if neg { -v } else { v });
        }
        let q: BigInt = q.parse().map_err(|_| ParseNumberError(format!("{}: bad denominator", quoted_clip(text))))?;
        if q.is_zero() {
            return err(text, "zero denominator");
        }
        let p: BigInt = p.parse().map_err(|_| ParseNumberError(format!("{}: bad numerator", quoted_clip(text))))?;
        BigRational::new(p, q)
    } else {
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => {
                let e = &body[i + 1..];
                let (eneg, edigits) = match e.as_bytes().first() {
                    Some(b'-') => (true, &e[1..]),
                    Some(b'+') => (false, &e[1..]),
                    _ => (false, e),
                };
                if !digits(edigits) {
                    return err(text, "bad exponent after 'e'");
                }
                let ev: i64 = match edigits.parse::<i64>() {
                    Ok(v) if v <= MAX_DECIMAL_EXPONENT => v,
                    _ => return err(text, "exponent too large (at most 10000 in absolute value)"),
                };
                (&body[..i], if eneg { -ev } else { ev })
            }
            None => (body, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        if (int_part.is_empty() && frac_part.is_empty())
            || !(int_part.is_empty() || digits(int_part))
            || !(frac_part.is_empty() || digits(frac_part))
        {
            return err(text, "expected an integer, \"p/q\", or a decimal like \"-0.125\" or \"1e-3\"");
        }
        let all = format!("{int_part}{frac_part}");
        let n: BigInt = all.parse().map_err(|_| ParseNumberError(format!("{}: bad digits", quoted_clip(text))))?;
        let e = exp - frac_part.len() as i64;
        let ten = BigInt::from(10u32);
        if e >= 0 {
            BigRational::from_integer(n * Pow::pow(&ten, e as u64))
        } else {
            BigRational::new(n, Pow::pow(&ten, (-e) as u64))
        }
    };
    Ok(if neg { -value } else { value })
}

/// The exact rational value of a finite `f64` (every finite double is a dyadic
/// rational). NaN and infinities are errors.
///
/// ```
/// use reluproof::num::parse::rational_from_f64_exact;
/// assert_eq!(rational_from_f64_exact(0.5).unwrap().to_string(), "1/2");
/// assert_eq!(rational_from_f64_exact(0.1).unwrap().to_string(),
///            "3602879701896397/36028797018963968");
/// assert!(rational_from_f64_exact(f64::NAN).is_err());
/// ```
pub fn rational_from_f64_exact(x: f64) -> Result<BigRational, ParseNumberError> {
    if !x.is_finite() {
        return Err(ParseNumberError(format!("{x} is not a finite number")));
    }
    BigRational::from_f64(x).ok_or_else(|| ParseNumberError(format!("{x} cannot be converted")))
}

/// Renders an exact rational as `"p/q"`, or `"p"` for integers.
pub fn render_rational(q: &BigRational) -> String {
    q.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_fractions_parse_like_long_ones() {
        for (p, q) in
            [(0u64, 7u64), (6, 4), (12, 1), (999_999_999_999_999_999, 3), (2181, 16384), (7, 999_999_999_999_999_998)]
        {
            for sign in ["", "-", "+"] {
                let want = BigRational::new(BigInt::from(p), BigInt::from(q));
                let want = if sign == "-" { -want } else { want };
                let got = parse_rational(&format!("{sign}{p}/{q}")).unwrap();
                assert_eq!((got.numer(), got.denom()), (want.numer(), want.denom()), "{sign}{p}/{q}");
            }
        }
        assert!(parse_rational("1/0").is_err());
        assert!(parse_rational("1/000000000000000000000").is_err());
        assert_eq!(parse_rational("0000000000000000000001/2").unwrap(), BigRational::new(1.into(), 2.into()));
    }
}
