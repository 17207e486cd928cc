//! `f64`: fast, approximate (53-bit significand, round to nearest).

use super::{parse::rational_from_f64_exact, Guarantee, Ordered, Scalar, Sign3};
use num_rational::BigRational;
use num_traits::ToPrimitive;
use std::cmp::Ordering;
use std::fmt::Write as _;

/// Shortest round-trip decimal of an `f64`, in scientific notation outside
/// [1e-6, 1e16) so that strings stay short: exactly the text of
/// `format!("{x}")` inside that range and of `format!("{x:e}")` outside it
/// (`NaN`, `inf`, `-inf`, `-0` as std prints them).
///
/// ```
/// use reluproof::num::float::render_f64;
/// assert_eq!(render_f64(0.1), "0.1");
/// assert_eq!(render_f64(-2.5e-7), "-2.5e-7");
/// assert_eq!(render_f64(1e16), "1e16");
/// ```
pub fn render_f64(x: f64) -> String {
    let mut out = String::with_capacity(24);
    write_f64(&mut out, x);
    out
}

/// [`render_f64`], appended to `out`.
///
/// Why not `format!`: a report of 3·10⁵ values spent most of its time in
/// std's formatting machinery. The shortest digits come from `zmij`
/// (Schubfach: the shortest decimals that round-trip, nearest to x); only
/// the layout is done here. On an exact tie between two nearest shortest
/// decimals zmij rounds to even where std rounds up (1.18994903564453125:
/// …312 against …313), so a possible tie ([`tie_candidate`]: short dyadic
/// fractions, huge integers) is printed by std. The tests compare the two
/// on hand cases and on random bit patterns and grid values.
pub fn write_f64(out: &mut String, x: f64) {
    if !x.is_finite() || x == 0.0 {
        // NaN, ±inf and ±0 as std writes them.
        out.push_str(match x {
            _ if x.is_nan() => "NaN",
            f64::INFINITY => "inf",
            f64::NEG_INFINITY => "-inf",
            _ if x.is_sign_negative() => "-0",
            _ => "0",
        });
        return;
    }
    let fixed = (1e-6..1e16).contains(&x.abs());
    let std_text = |out: &mut String| {
        let _ = if fixed { write!(out, "{x}") } else { write!(out, "{x:e}") };
    };
    let mut buf = zmij::Buffer::new();
    let text = buf.format_finite(x);
    if let Some(expansion) = tie_candidate(x) {
        // x may lie exactly halfway between two shortest decimals, where
        // zmij rounds the tie to even and std up: std decides.
        let mut digits = [0u8; 40];
        let shortest = shortest_digits(text.trim_start_matches('-').as_bytes(), &mut digits).map(|(n, _)| n);
        if expansion.is_none_or(|len| shortest.is_none_or(|n| len as usize == n + 1)) {
            std_text(out);
            return;
        }
    }
    if fixed && !text.as_bytes().contains(&b'e') {
        // zmij writes [1e-5, 1e16) in plain notation already, integers with
        // a ".0" that std leaves out.
        out.push_str(text.strip_suffix(".0").unwrap_or(text));
        return;
    }
    let mut digits = [0u8; 40];
    let Some((len, point)) = shortest_digits(text.trim_start_matches('-').as_bytes(), &mut digits) else {
        // Not a layout zmij documents; std's text is always right.
        std_text(out);
        return;
    };
    // The text is laid out as bytes in `text`, then pushed as one &str.
    let mut text = Layout { bytes: [0; 48], len: 0 };
    if x < 0.0 {
        text.push(b"-");
    }
    let digits = &digits[..len];
    let n = len as i64;
    if fixed {
        // Fixed notation, value 0.D × 10^point; |point| ≤ 16 here.
        if point <= 0 {
            text.push(b"0.");
            text.zeros(point.unsigned_abs() as usize);
            text.push(digits);
        } else if point >= n {
            text.push(digits);
            text.zeros((point - n) as usize);
        } else {
            text.push(&digits[..point as usize]);
            text.push(b".");
            text.push(&digits[point as usize..]);
        }
    } else {
        text.push(&digits[..1]);
        if n > 1 {
            text.push(b".");
            text.push(&digits[1..]);
        }
        text.push(b"e");
        text.push(itoa::Buffer::new().format(point - 1).as_bytes());
    }
    out.push_str(std::str::from_utf8(&text.bytes[..text.len]).unwrap_or("NaN"));
}

/// Whether x (finite, nonzero) might be an exact tie between two shortest
/// decimals, and then the number of significant digits of its exact
/// decimal expansion: `None` = might not be a tie, `Some(None)` = not
/// examined (an integer ≥ 2^53), `Some(Some(L))` = L digits. A tie between
/// two n-digit decimals D·10^j and (D+1)·10^j is x = (10D + 5)·10^(j−1),
/// whose expansion has exactly n + 1 digits. x = m/2^k (m odd, k ≥ 1) has
/// the expansion m·5^k / 10^k, of at least 0.69·k digits: more than the 18
/// a 17-digit tie needs once k > 26, so only k ≤ 26 is examined (m·5^k <
/// 2^53·5^26 < 2^114). Integers below 2^53 print exactly, never a tie.
fn tie_candidate(x: f64) -> Option<Option<u32>> {
    let bits = x.abs().to_bits();
    let (biased, frac) = ((bits >> 52) as i32, bits & ((1 << 52) - 1));
    let (m, e) = if biased == 0 { (frac, -1074) } else { (frac | 1 << 52, biased - 1075) };
    let tz = m.trailing_zeros();
    let (m, e) = (m >> tz, e + tz as i32);
    if e >= 0 {
        return (x.abs() >= 9_007_199_254_740_992.0).then_some(None);
    }
    let k = e.unsigned_abs();
    if k > 26 {
        return None;
    }
    let expansion = u128::from(m) * 5u128.pow(k);
    Some(Some(expansion.checked_ilog10().map_or(1, |l| l + 1)))
}

/// A short ASCII text built in place (room for 48 bytes; the longest text
/// is 25: a sign, "0.", 5 zeros and 17 digits below 1e-5).
struct Layout {
    bytes: [u8; 48],
    len: usize,
}

impl Layout {
    fn push(&mut self, s: &[u8]) {
        let end = (self.len + s.len()).min(self.bytes.len());
        self.bytes[self.len..end].copy_from_slice(&s[..end - self.len]);
        self.len = end;
    }
    fn zeros(&mut self, k: usize) {
        let end = (self.len + k).min(self.bytes.len());
        self.bytes[self.len..end].fill(b'0');
        self.len = end;
    }
}

/// Reads a positive decimal in plain (`12.5`) or scientific (`1.25e1`,
/// `1e-7`) notation into its significant digits D (no leading or trailing
/// zeros, written to `digits`) and `point`, with value 0.D × 10^point.
/// Returns the number of digits and `point`, or `None` for any other text.
fn shortest_digits(text: &[u8], digits: &mut [u8; 40]) -> Option<(usize, i64)> {
    let (mantissa, exp) = match text.iter().position(|&b| b == b'e') {
        Some(k) => (&text[..k], std::str::from_utf8(&text[k + 1..]).ok()?.parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (mut len, mut int_len) = (0, None);
    for &b in mantissa {
        match b {
            b'.' if int_len.is_none() => int_len = Some(len),
            b'0'..=b'9' if len < digits.len() => {
                digits[len] = b;
                len += 1;
            }
            _ => return None,
        }
    }
    let mut point = int_len.unwrap_or(len) as i64 + exp;
    let mut start = 0;
    while start < len && digits[start] == b'0' {
        start += 1;
        point -= 1;
    }
    while len > start && digits[len - 1] == b'0' {
        len -= 1;
    }
    if start == len {
        return None;
    }
    digits.copy_within(start..len, 0);
    Some((len - start, point))
}

impl Scalar for f64 {
    type Ctx = ();

    fn from_rational(q: &BigRational, _: &()) -> Self {
        q.to_f64().unwrap_or(f64::NAN)
    }
    fn from_i64(n: i64, _: &()) -> Self {
        n as f64
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn div(&self, o: &Self) -> Self {
        self / o
    }
    fn neg(&self) -> Self {
        -self
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn sign(&self) -> Sign3 {
        match self.partial_cmp(&0.0) {
            Some(o) => Sign3::of_ordering(o),
            None => Sign3::Undecided,
        }
    }
    fn guarantee(_: &()) -> Guarantee {
        Guarantee::Approximate { bits: 53 }
    }
    fn backend_name(_: &()) -> String {
        "f64".into()
    }
    fn render(&self) -> String {
        render_f64(*self)
    }
    fn to_f64_lossy(&self) -> f64 {
        *self
    }
    fn to_rational(&self) -> Option<BigRational> {
        rational_from_f64_exact(*self).ok()
    }
}

impl Ordered for f64 {
    fn total_cmp(&self, o: &Self) -> Ordering {
        f64::total_cmp(self, o)
    }
}

#[cfg(test)]
mod tests {
    use super::render_f64;

    /// The text `render_f64` promises: std's Display or LowerExp.
    fn std_text(x: f64) -> String {
        if x == 0.0 || (1e-6..1e16).contains(&x.abs()) {
            format!("{x}")
        } else {
            format!("{x:e}")
        }
    }

    #[test]
    fn shortest_text_is_std_formats() {
        for (x, text) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.1, "0.1"),
            (12.5, "12.5"),
            (100.0, "100"),
            (1e-6, "0.000001"),
            (9.99e-7, "9.99e-7"),
            (1e16, "1e16"),
            (9999999999999998.0, "9999999999999998"),
            (1.5e300, "1.5e300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (67404.09430728508, "67404.09430728508"),
            (-1232.6633233736504, "-1232.6633233736504"),
            // Exact ties between two shortest decimals (std rounds them up,
            // zmij to even): 1.18994903564453125 and 247204985509173.625.
            (155_969.0 / 131_072.0, "1.1899490356445313"),
            (1_977_639_884_073_389.0 / 8.0, "247204985509173.63"),
            (0.125, "0.125"),
            (2f64.powi(60), "1.152921504606847e18"),
        ] {
            assert_eq!(render_f64(x), text, "{x:?}");
            assert_eq!(render_f64(x), std_text(x), "{x:?}");
        }
    }

    #[test]
    fn shortest_text_is_std_formats_on_random_doubles() {
        // splitmix64: random bit patterns (every exponent, subnormals, NaNs),
        // values near the notation switches at 1e-6 and 1e16, short decimals
        // and binary fractions with few bits (where ties live).
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for _ in 0..100_000 {
            let bits = next();
            let near =
                [1e-6, 1e16, 1.0][(bits % 3) as usize] * (1.0 + ((bits >> 8) as f64 / 2f64.powi(56) - 0.5) * 1e-3);
            let short = (bits % 100_000) as f64 / 1000.0;
            let dyadic = ((bits >> 11) as f64) / 2f64.powi((bits % 64) as i32);
            let grid = ((bits >> 40) as f64) / 65536.0 * ((bits >> 20) % 4096) as f64 / 65536.0;
            for x in [f64::from_bits(bits), near, short, dyadic, -dyadic, grid] {
                assert_eq!(render_f64(x), std_text(x), "{x:?} (bits {:#x})", x.to_bits());
            }
        }
    }
}
