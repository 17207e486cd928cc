//! Dyadic numbers m·2^e with directed rounding to a chosen number of bits:
//! the pure-Rust endpoint of the enclosure backend `dyadic-interval:BITS`.
//!
//! A [`Dyadic`] is ±∞, NaN, or the exact rational m·2^e with m a
//! [`BigInt`] of at most `prec` bits and e an `i64`. Every `_down` (`_up`)
//! operation of [`Endpoint`] computes the exact result (exact sum or product
//! of two dyadics, or the integer quotient of shifted mantissas with its
//! remainder) and rounds it ONCE toward −∞ (+∞) to `prec` significant bits:
//!
//!   round_down(x) = max { m·2^e ≤ x : |m| < 2^prec },
//!   round_up(x)   = min { m·2^e ≥ x : |m| < 2^prec }.
//!
//! So `Interval<Dyadic>` encloses every exact result, like MPFR's directed
//! rounding in `Interval<rug::Float>`. Exponents are limited to
//! |x| < 2^(2^24) (overflow rounds to the largest finite value or to ∞ in
//! the rounding direction) and |x| ≥ 2^(−2^24) (underflow rounds to 0 or to
//! ±2^(−2^24)), so that exact rationals of endpoints stay printable.
//!
//! [`elementary`] encloses exp, ln1p, tanh, erf, sin, cos and the constants
//! ln 2, π, 1/√2, 1/√(2π) rigorously (Taylor or atanh series with proven
//! remainder bounds), for [`crate::smooth::transcendental::Transcendental`].
//!
//! ```
//! use reluproof::num::{Dyadic, Interval, Scalar, Sign3};
//! use reluproof::num::parse::parse_rational;
//! let third = Interval::<Dyadic>::from_rational(&parse_rational("1/3").unwrap(), &100);
//! let one = third.add(&third).add(&third);
//! // 1 is inside a 100-bit enclosure, and (1/3+1/3+1/3) - 1 has no decided sign:
//! assert!(one.contains(&parse_rational("1").unwrap()));
//! assert_eq!(one.sub(&Interval::from_i64(1, &100)).sign(), Sign3::Undecided);
//! assert!(one.width_f64() < 1e-29);
//! assert_eq!(Interval::<Dyadic>::backend_name(&100), "dyadic-interval:100");
//! ```

use super::interval::Endpoint;
use super::BigRational;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

/// The precision of a dyadic endpoint, in significant bits.
pub type Bits = u32;

/// Finite nonzero values satisfy 2^(−EXP_LIMIT) ≤ |x| < 2^EXP_LIMIT.
pub const EXP_LIMIT: i64 = 1 << 24;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    /// m·2^e.
    Finite {
        m: BigInt,
        e: i64,
    },
    Inf {
        negative: bool,
    },
    Nan,
}

/// A dyadic rational m·2^e (|m| < 2^prec), ±∞ or NaN, with the precision its
/// operations round to (the larger of the two operands' precisions).
#[derive(Clone, Debug)]
pub struct Dyadic {
    val: Val,
    prec: Bits,
}

/// The exact value m·2^e rounded to `prec` bits, toward +∞ if `up`, else
/// toward −∞, with the exponent range applied.
fn rounded(mut m: BigInt, mut e: i64, prec: Bits, up: bool) -> Dyadic {
    let prec = prec.max(2);
    if m.is_zero() {
        return Dyadic::zero(prec);
    }
    let bits = m.bits();
    if bits > prec as u64 {
        let s = bits - prec as u64;
        let inexact = m.trailing_zeros().unwrap_or(0) < s;
        m >>= s; // floor (arithmetic shift)
        if up && inexact {
            m += 1;
        }
        e += s as i64;
        if m.bits() > prec as u64 {
            m >>= 1u32; // m = ±2^prec: exact
            e += 1;
        }
    }
    let msb = e + m.bits() as i64 - 1;
    let negative = m.is_negative();
    if msb >= EXP_LIMIT {
        // Overflow: ∞ away from zero in the rounding direction, else the largest finite value.
        if up != negative {
            return Dyadic { val: Val::Inf { negative }, prec };
        }
        let max: BigInt = (BigInt::one() << prec as usize) - 1;
        let m = if negative { -max } else { max };
        return Dyadic { val: Val::Finite { m, e: EXP_LIMIT - prec as i64 }, prec };
    }
    if msb < -EXP_LIMIT {
        // Underflow: 0 toward zero, else the smallest magnitude 2^(−EXP_LIMIT).
        if up == negative {
            return Dyadic::zero(prec);
        }
        let m = if negative { -BigInt::one() } else { BigInt::one() };
        return Dyadic { val: Val::Finite { m, e: -EXP_LIMIT }, prec };
    }
    Dyadic { val: Val::Finite { m, e }, prec }
}

/// Position of the most significant bit of m·2^e (m ≠ 0): 2^msb ≤ |x| < 2^(msb+1).
fn msb(m: &BigInt, e: i64) -> i64 {
    e + m.bits() as i64 - 1
}

impl Dyadic {
    /// Zero at precision `prec`.
    pub fn zero(prec: Bits) -> Self {
        Dyadic { val: Val::Finite { m: BigInt::zero(), e: 0 }, prec }
    }
    /// The integer `n` rounded to `prec` bits in the direction `up`.
    pub fn from_integer(n: BigInt, prec: Bits, up: bool) -> Self {
        rounded(n, 0, prec, up)
    }
    /// m·2^e rounded to `prec` bits toward +∞ (`up`) or −∞.
    pub fn from_parts(m: BigInt, e: i64, prec: Bits, up: bool) -> Self {
        rounded(m, e, prec, up)
    }
    /// The precision operations on this value round to.
    pub fn prec(&self) -> Bits {
        self.prec
    }
    /// (m, e) with value m·2^e, if finite.
    pub fn parts(&self) -> Option<(&BigInt, i64)> {
        match &self.val {
            Val::Finite { m, e } => Some((m, *e)),
            _ => None,
        }
    }
    /// Whether the value is a (finite) number.
    pub fn is_finite(&self) -> bool {
        matches!(self.val, Val::Finite { .. })
    }
    /// Whether the value is exactly 0.
    pub fn is_zero(&self) -> bool {
        matches!(&self.val, Val::Finite { m, .. } if m.is_zero())
    }
    /// The same value at precision `prec`, rounded toward +∞ (`up`) or −∞
    /// if it has more bits.
    pub fn with_prec(&self, prec: Bits, up: bool) -> Self {
        match &self.val {
            Val::Finite { m, e } => rounded(m.clone(), *e, prec, up),
            v => Dyadic { val: v.clone(), prec },
        }
    }
    /// x·2^k, exact apart from the exponent range (rounded toward +∞ if `up`).
    pub fn mul_pow2(&self, k: i64, up: bool) -> Self {
        match &self.val {
            Val::Finite { m, e } => rounded(m.clone(), e.saturating_add(k), self.prec, up),
            _ => self.clone(),
        }
    }
    /// The binary exponent of the leading bit (2^msb ≤ |x| < 2^(msb+1)),
    /// for finite nonzero values.
    pub fn leading_exponent(&self) -> Option<i64> {
        match &self.val {
            Val::Finite { m, e } if !m.is_zero() => Some(msb(m, *e)),
            _ => None,
        }
    }
    fn nan(prec: Bits) -> Self {
        Dyadic { val: Val::Nan, prec }
    }
    fn inf(negative: bool, prec: Bits) -> Self {
        Dyadic { val: Val::Inf { negative }, prec }
    }

    /// a + b rounded toward +∞ (`up`) or −∞.
    fn add_dir(&self, o: &Dyadic, up: bool) -> Dyadic {
        let prec = self.prec.max(o.prec);
        let (a, b) = match (&self.val, &o.val) {
            (Val::Nan, _) | (_, Val::Nan) => return Dyadic::nan(prec),
            (Val::Inf { negative: x }, Val::Inf { negative: y }) => {
                return if x == y { Dyadic::inf(*x, prec) } else { Dyadic::nan(prec) }
            }
            (Val::Inf { negative }, _) | (_, Val::Inf { negative }) => return Dyadic::inf(*negative, prec),
            (Val::Finite { m: ma, e: ea }, Val::Finite { m: mb, e: eb }) => ((ma, *ea), (mb, *eb)),
        };
        if a.0.is_zero() {
            return rounded(b.0.clone(), b.1, prec, up);
        }
        if b.0.is_zero() {
            return rounded(a.0.clone(), a.1, prec, up);
        }
        let (big, small) = if msb(a.0, a.1) >= msb(b.0, b.1) { (a, b) } else { (b, a) };
        // If |small| < 2^h with h = min(e_big, msb_big − prec), no multiple of 2^h
        // (which includes `big` and every prec-bit number near it) lies
        // strictly between big and big + small: replacing small by
        // ±2^(h−1) rounds to the same result and keeps the exact sum short.
        let h = big.1.min(msb(big.0, big.1) - prec as i64);
        let sticky;
        let small = if msb(small.0, small.1) < h {
            sticky = if small.0.is_negative() { -BigInt::one() } else { BigInt::one() };
            (&sticky, h - 1)
        } else {
            small
        };
        let e = big.1.min(small.1);
        let m = (big.0 << (big.1 - e) as usize) + (small.0 << (small.1 - e) as usize);
        rounded(m, e, prec, up)
    }

    fn mul_dir(&self, o: &Dyadic, up: bool) -> Dyadic {
        let prec = self.prec.max(o.prec);
        match (&self.val, &o.val) {
            (Val::Nan, _) | (_, Val::Nan) => Dyadic::nan(prec),
            (Val::Finite { m: ma, e: ea }, Val::Finite { m: mb, e: eb }) => rounded(ma * mb, ea + eb, prec, up),
            _ => match (self.sign_of(), o.sign_of()) {
                (Some(Ordering::Equal), _) | (_, Some(Ordering::Equal)) => Dyadic::nan(prec),
                (Some(x), Some(y)) => Dyadic::inf(x != y, prec),
                _ => Dyadic::nan(prec),
            },
        }
    }

    fn div_dir(&self, o: &Dyadic, up: bool) -> Dyadic {
        let prec = self.prec.max(o.prec);
        match (&self.val, &o.val) {
            (Val::Nan, _) | (_, Val::Nan) | (Val::Inf { .. }, Val::Inf { .. }) => Dyadic::nan(prec),
            (Val::Finite { .. }, Val::Inf { .. }) => Dyadic::zero(prec),
            (Val::Inf { negative }, Val::Finite { m, .. }) => {
                if m.is_zero() {
                    Dyadic::nan(prec)
                } else {
                    Dyadic::inf(*negative != m.is_negative(), prec)
                }
            }
            (Val::Finite { m: ma, e: ea }, Val::Finite { m: mb, e: eb }) => {
                if mb.is_zero() {
                    return Dyadic::nan(prec);
                }
                if ma.is_zero() {
                    return Dyadic::zero(prec);
                }
                // Quotient with at least prec + 2 bits, then one rounding:
                // floor∘floor = floor and ceil∘ceil = ceil on nested grids.
                let s = prec as i64 + 2 - (ma.bits() as i64 - mb.bits() as i64);
                let (num, den) =
                    if s >= 0 { (ma << s as usize, mb.clone()) } else { (ma.clone(), mb << (-s) as usize) };
                let (num, den) = if den.is_negative() { (-num, -den) } else { (num, den) };
                let (q, r) = num.div_mod_floor(&den);
                let q = if up && !r.is_zero() { q + 1 } else { q };
                rounded(q, ea - eb - s, prec, up)
            }
        }
    }

    fn from_rational_dir(q: &BigRational, prec: Bits, up: bool) -> Dyadic {
        let (n, d) = (q.numer(), q.denom());
        if n.is_zero() {
            return Dyadic::zero(prec);
        }
        let s = prec as i64 + 2 - (n.bits() as i64 - d.bits() as i64);
        let (num, den) = if s >= 0 { (n << s as usize, d.clone()) } else { (n.clone(), d << (-s) as usize) };
        let (num, den) = if den.is_negative() { (-num, -den) } else { (num, den) };
        let (quot, r) = num.div_mod_floor(&den);
        let quot = if up && !r.is_zero() { quot + 1 } else { quot };
        rounded(quot, -s, prec, up)
    }
}

/// Significant decimal digits printed for `prec` bits.
fn digits_for(prec: Bits) -> usize {
    (prec as f64 * std::f64::consts::LOG10_2).ceil() as usize + 1
}

impl Endpoint for Dyadic {
    type Ctx = Bits;
    fn from_rational_down(q: &BigRational, prec: &Bits) -> Dyadic {
        Dyadic::from_rational_dir(q, *prec, false)
    }
    fn from_rational_up(q: &BigRational, prec: &Bits) -> Dyadic {
        Dyadic::from_rational_dir(q, *prec, true)
    }
    fn add_down(&self, o: &Dyadic) -> Dyadic {
        self.add_dir(o, false)
    }
    fn add_up(&self, o: &Dyadic) -> Dyadic {
        self.add_dir(o, true)
    }
    fn mul_down(&self, o: &Dyadic) -> Dyadic {
        self.mul_dir(o, false)
    }
    fn mul_up(&self, o: &Dyadic) -> Dyadic {
        self.mul_dir(o, true)
    }
    fn div_down(&self, o: &Dyadic) -> Dyadic {
        self.div_dir(o, false)
    }
    fn div_up(&self, o: &Dyadic) -> Dyadic {
        self.div_dir(o, true)
    }
    fn neg(&self) -> Dyadic {
        let val = match &self.val {
            Val::Finite { m, e } => Val::Finite { m: -m, e: *e },
            Val::Inf { negative } => Val::Inf { negative: !negative },
            Val::Nan => Val::Nan,
        };
        Dyadic { val, prec: self.prec }
    }
    fn partial(&self, o: &Dyadic) -> Option<Ordering> {
        match (&self.val, &o.val) {
            (Val::Nan, _) | (_, Val::Nan) => None,
            (Val::Inf { negative: x }, Val::Inf { negative: y }) => Some(y.cmp(x)),
            (Val::Inf { negative }, _) => Some(if *negative { Ordering::Less } else { Ordering::Greater }),
            (_, Val::Inf { negative }) => Some(if *negative { Ordering::Greater } else { Ordering::Less }),
            (Val::Finite { m: ma, e: ea }, Val::Finite { m: mb, e: eb }) => {
                let (sa, sb) = (ma.sign(), mb.sign());
                if sa != sb || ma.is_zero() {
                    return Some(sa.cmp(&sb));
                }
                let (xa, xb) = (msb(ma, *ea), msb(mb, *eb));
                let by_magnitude = if xa != xb {
                    xa.cmp(&xb)
                } else {
                    let e = (*ea).min(*eb);
                    (ma.abs() << (ea - e) as usize).cmp(&(mb.abs() << (eb - e) as usize))
                };
                Some(if ma.is_negative() { by_magnitude.reverse() } else { by_magnitude })
            }
        }
    }
    fn sign_of(&self) -> Option<Ordering> {
        match &self.val {
            Val::Finite { m, .. } => Some(m.sign().cmp(&num_bigint::Sign::NoSign)),
            Val::Inf { negative } => Some(if *negative { Ordering::Less } else { Ordering::Greater }),
            Val::Nan => None,
        }
    }
    fn is_finite_endpoint(&self) -> bool {
        matches!(self.val, Val::Finite { .. })
    }
    fn infinity(negative: bool, like: &Dyadic) -> Dyadic {
        Dyadic::inf(negative, like.prec)
    }
    fn exact(&self) -> Option<BigRational> {
        match &self.val {
            Val::Finite { m, e } if *e >= 0 => Some(BigRational::from_integer(m << *e as usize)),
            Val::Finite { m, e } => Some(BigRational::new(m.clone(), BigInt::one() << (-*e) as usize)),
            _ => None,
        }
    }
    /// The `f64` of the leading 64 bits of m (truncated) times 2^e; for
    /// plots and messages only. Pure integer arithmetic up to one
    /// conversion, so it is the same on every platform.
    fn approx(&self) -> f64 {
        match &self.val {
            Val::Nan => f64::NAN,
            Val::Inf { negative: true } => f64::NEG_INFINITY,
            Val::Inf { negative: false } => f64::INFINITY,
            Val::Finite { m, e } => {
                if m.is_zero() {
                    return 0.0;
                }
                let bits = m.bits() as i64;
                let (top, e) = if bits > 64 { (m >> (bits - 64) as usize, e + bits - 64) } else { (m.clone(), *e) };
                let f = top.to_f64().unwrap_or(f64::NAN);
                if e > 2200 {
                    f * f64::INFINITY
                } else if e < -2300 {
                    0.0 * f
                } else {
                    let (e1, e2) = (e / 2, e - e / 2);
                    f * 2f64.powi(e1 as i32) * 2f64.powi(e2 as i32)
                }
            }
        }
    }
    fn decimal_digits(&self) -> usize {
        digits_for(self.prec)
    }
    fn interval_name(prec: &Bits) -> String {
        format!("dyadic-interval:{prec}")
    }
}

pub mod elementary;
