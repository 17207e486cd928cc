//! Rigorous enclosures of the elementary functions over
//! `Interval<Dyadic>`, at the precision of the argument (constants at a
//! given precision).
//!
//! Every function works at a working precision w = (result bits) + guard
//! bits with outward-rounded interval arithmetic, adds a proven bound of
//! the truncated series, and rounds the result outward to the result
//! precision. Monotone functions (exp, ln1p, tanh, erf) are enclosed by
//! their enclosures at the two endpoints; sin and cos through their
//! Lipschitz bound at the lower endpoint, as the MPFR backend does.
//!
//! | function | reduction | series and remainder |
//! |---|---|---|
//! | e^x | x = k ln 2 + r, \|r\| ≤ 0.35; t = \|r\|/2^s ≤ 2^-10 | e^t − 1 = Σ_{j=1..n} t^j/j! + R, 0 ≤ R ≤ t^{n+1}/(n+1)! · e^t ≤ 2 t^{n+1}/(n+1)!; back by (e^{2t} − 1) = u(u + 2); e^{−t} = 1/(1 + u) |
//! | ln(1+x) | x ∈ [−1/4, 1/2]: y = x/(2+x); else 1+x = 2^k m, m ∈ [3/4, 3/2), y = (m−1)/(m+1) | ln = k ln 2 + 2 Σ y^{2i+1}/(2i+1), tail ≤ \|y\|^{2n+3}/(2n+3) · 1/(1−y²) ≤ 2 \|y\|^{2n+3}/(2n+3) (\|y\| ≤ 1/5) |
//! | tanh x | odd; x ≤ 1: u = e^{2x} − 1, u/(u+2); x > 1: 1 − 2/(e^{2x} + 1) | from e^x |
//! | erf x | odd; x ≥ 1 and x² ≥ 0.7 w: [1 − 2^-w, 1] since erfc x < e^{−x²}/(x√π) ≤ e^{−0.7 w} < 2^-w | erf x = (2/√π) e^{−x²} Σ a_n, a_0 = x, a_{n+1} = a_n 2x²/(2n+3) (all positive); once the ratio 2x²/(2n+3) ≤ 1/2 the tail after a_n is ≤ a_n |
//! | sin, cos | x = k π/2 + r, \|r\| ≤ π/4 + ε | Taylor, \|R\| ≤ \|r\|^{m}/m! (Lagrange; all derivatives bounded by 1) |
//! | ln 2 | | 2 Σ 1/((2k+1) 3^{2k+1}), tail ≤ (9/8) · first omitted term |
//! | π | 16 atan(1/5) − 4 atan(1/239) (Machin) | alternating series, error ≤ first omitted term |
//! | √a | | integer square root of a scaled mantissa, floor and floor + 1 |

use super::{msb, Bits, Dyadic, Val};
use crate::num::interval::{Endpoint, Interval};
use crate::num::Scalar;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

type D = Interval<Dyadic>;

/// Guard bits of the working precision.
const GUARD: Bits = 24;
/// Arguments of exp below −2^20 are enclosed by [0, e^(−2^20)], as in the
/// MPFR backend; above 2^20 by [e^(2^20), ∞].
const EXP_BOUND: i64 = 1 << 20;

fn prec_of(x: &D) -> Bits {
    x.lo.prec.max(x.hi.prec)
}
fn int(n: i64, w: Bits) -> Dyadic {
    Dyadic::from_integer(BigInt::from(n), w, false)
}
fn ival(n: i64, w: Bits) -> D {
    let d = int(n, w);
    Interval { lo: d.clone(), hi: d }
}
/// [x, x] at precision w ≥ the precision of x (exact).
fn point(x: &Dyadic, w: Bits) -> D {
    let d = x.with_prec(w.max(x.prec), false);
    Interval { lo: d.clone(), hi: d }
}
fn entire(p: Bits) -> D {
    Interval { lo: Dyadic::inf(true, p), hi: Dyadic::inf(false, p) }
}
fn is_nan(x: &D) -> bool {
    matches!(x.lo.val, Val::Nan) || matches!(x.hi.val, Val::Nan)
}
/// The enclosure at `p` bits: lower end rounded down, upper end up.
fn round_to(x: &D, p: Bits) -> D {
    Interval { lo: x.lo.with_prec(p, false), hi: x.hi.with_prec(p, true) }
}
fn nonneg(x: &D) -> bool {
    matches!(x.lo.sign_of(), Some(Ordering::Greater | Ordering::Equal))
}
/// a·b, with the two-product path for nonnegative intervals.
fn mul(a: &D, b: &D) -> D {
    if nonneg(a) && nonneg(b) {
        Interval { lo: a.lo.mul_down(&b.lo), hi: a.hi.mul_up(&b.hi) }
    } else {
        a.mul(b)
    }
}
/// a/b, with the two-quotient path for a ≥ 0, b > 0.
fn div(a: &D, b: &D) -> D {
    if nonneg(a) && b.lo.sign_of() == Some(Ordering::Greater) {
        Interval { lo: a.lo.div_down(&b.hi), hi: a.hi.div_up(&b.lo) }
    } else {
        a.div(b)
    }
}
/// x·2^k (exact up to the exponent range).
fn scale(x: &D, k: i64) -> D {
    Interval { lo: x.lo.mul_pow2(k, false), hi: x.hi.mul_pow2(k, true) }
}
/// An upper bound of |x| over the interval.
fn mag(x: &D) -> Dyadic {
    let (l, h) = (x.lo.neg(), x.hi.clone());
    if l.partial(&h) == Some(Ordering::Greater) {
        l
    } else {
        h
    }
}
/// [lo, hi + r] for a bound r ≥ 0 of a nonnegative remainder.
fn add_hi(x: &D, r: &Dyadic) -> D {
    Interval { lo: x.lo.clone(), hi: x.hi.add_up(r) }
}
/// [lo − r, hi + r].
fn widen(x: &D, r: &Dyadic) -> D {
    Interval { lo: x.lo.add_down(&r.neg()), hi: x.hi.add_up(r) }
}
/// Whether a ≤ b.
fn le(a: &Dyadic, b: &Dyadic) -> bool {
    matches!(a.partial(b), Some(Ordering::Less | Ordering::Equal))
}
fn pow2(k: i64, w: Bits) -> Dyadic {
    Dyadic::from_parts(BigInt::one(), k, w, false)
}

// ---- constants ------------------------------------------------------

thread_local! {
    static CONSTANTS: RefCell<HashMap<(u8, Bits), D>> = RefCell::new(HashMap::new());
}

fn cached(key: u8, w: Bits, f: impl FnOnce(Bits) -> D) -> D {
    if let Some(c) = CONSTANTS.with(|c| c.borrow().get(&(key, w)).cloned()) {
        return c;
    }
    let v = f(w);
    CONSTANTS.with(|c| c.borrow_mut().insert((key, w), v.clone()));
    v
}

/// [lo, hi]·2^(−scale) from fixed-point integer bounds, rounded outward to w bits.
fn from_fixed(lo: BigInt, hi: BigInt, scale: i64, w: Bits) -> D {
    Interval { lo: Dyadic::from_parts(lo, -scale, w, false), hi: Dyadic::from_parts(hi, -scale, w, true) }
}

/// ln 2 = 2 Σ_{k≥0} 1/((2k+1) 3^{2k+1}), in fixed point with F fraction
/// bits: each term floored (lower sum) and floored + 1 (upper sum); the
/// tail after N terms is ≤ (9/8)·2/((2N+1) 3^{2N+1}) ≤ 2/3^{2N+1} < 2^-F.
pub fn ln2(w: Bits) -> D {
    cached(0, w, |w| {
        let f = w as usize + 8;
        let one = BigInt::one() << (f + 1);
        let (mut lo, mut hi) = (BigInt::zero(), BigInt::zero());
        let mut p3 = BigInt::from(3);
        let nine = BigInt::from(9);
        let mut k = 0u64;
        while p3.bits() <= f as u64 + 1 {
            let t = &one / (&p3 * (2 * k + 1));
            hi += &t + 1;
            lo += t;
            p3 *= &nine;
            k += 1;
        }
        // Tail: 2/3^{2N+1} < 2^-f·2 with 3^{2N+1} ≥ 2^(f+1): at most 1 unit.
        hi += 1;
        from_fixed(lo, hi, f as i64, w)
    })
}

/// Fixed-point bounds (F fraction bits) of atan(1/x) = Σ (−1)^n/((2n+1) x^{2n+1}):
/// alternating with decreasing terms, so the first omitted term bounds the error.
fn atan_inv(x: u32, f: usize) -> (BigInt, BigInt) {
    let one = BigInt::one() << f;
    let x2 = BigInt::from(x) * x;
    let mut px = BigInt::from(x);
    let (mut lo, mut hi) = (BigInt::zero(), BigInt::zero());
    let mut n = 0u64;
    loop {
        let t = &one / (&px * (2 * n + 1)); // floor; the term is in [t, t + 1]
        if t.is_zero() {
            // First omitted term < 1 unit.
            return (lo - 1, hi + 1);
        }
        if n % 2 == 0 {
            lo += &t;
            hi += t + 1;
        } else {
            lo -= &t + 1;
            hi -= t;
        }
        px *= &x2;
        n += 1;
    }
}

/// π = 16 atan(1/5) − 4 atan(1/239) (Machin).
pub fn pi(w: Bits) -> D {
    cached(1, w, |w| {
        let f = w as usize + 10;
        let (a_lo, a_hi) = atan_inv(5, f);
        let (b_lo, b_hi) = atan_inv(239, f);
        from_fixed(16 * a_lo - 4 * &b_hi, 16 * a_hi - 4 * b_lo, f as i64, w)
    })
}

/// √a rounded down (`up` false) or up to w bits, for finite a ≥ 0.
fn sqrt_dir(a: &Dyadic, w: Bits, up: bool) -> Dyadic {
    let Some((m, e)) = a.parts() else {
        return a.clone();
    };
    if m.is_zero() {
        return Dyadic::zero(w);
    }
    assert!(m.is_positive(), "square root of a negative number");
    // M = m·2^t with 2w+4 or more bits and e − t even; √a = √M·2^((e−t)/2).
    let mut t = (2 * w as i64 + 4 - m.bits() as i64).max(0);
    if (e - t).rem_euclid(2) != 0 {
        t += 1;
    }
    let big = m << t as usize;
    let s = big.sqrt();
    let s = if up && &s * &s != big { s + 1 } else { s };
    Dyadic::from_parts(s, (e - t) / 2, w, up)
}

/// [√lo↓, √hi↑] for 0 ≤ lo ≤ hi.
fn sqrt(x: &D, w: Bits) -> D {
    Interval { lo: sqrt_dir(&x.lo, w, false), hi: sqrt_dir(&x.hi, w, true) }
}

/// 1/√2 at p bits.
pub fn frac_1_sqrt_2(p: Bits) -> D {
    let w = p + GUARD;
    let s = cached(2, w, |w| sqrt(&ival(2, w), w));
    round_to(&div(&ival(1, w), &s), p)
}

/// 1/√(2π) at p bits.
pub fn frac_1_sqrt_2pi(p: Bits) -> D {
    let w = p + GUARD;
    let s = cached(3, w, |w| sqrt(&scale(&pi(w), 1), w));
    round_to(&div(&ival(1, w), &s), p)
}

/// 2/√π at w bits.
fn two_over_sqrt_pi(w: Bits) -> D {
    cached(4, w, |w| div(&ival(2, w), &sqrt(&pi(w), w)))
}

// ---- exp ------------------------------------------------------------

/// Enclosure of e^t − 1 over an interval t with 0 ≤ t ≤ 4.
///
/// With u = t/2^s ≤ 2^-10: e^u − 1 = Σ_{j=1..n} u^j/j! + R where
/// 0 ≤ R ≤ u^{n+1}/(n+1)! · e^u ≤ 2 u^{n+1}/(n+1)!; then s squarings
/// e^{2u} − 1 = (e^u − 1)(e^u − 1 + 2), each rounded outward.
fn expm1_pos(t: &D, w: Bits) -> D {
    if t.hi.is_zero() {
        return ival(0, w);
    }
    let s = (t.hi.leading_exponent().unwrap_or(0) + 11).max(0);
    let w = w + s as Bits;
    let u = scale(&Interval { lo: t.lo.with_prec(w, false), hi: t.hi.with_prec(w, true) }, -s);
    let stop = u.hi.mul_up(&pow2(-(w as i64) - 4, w));
    let mut sum = u.clone();
    let mut term = u.clone();
    let mut j = 1i64;
    loop {
        j += 1;
        term = div(&mul(&term, &u), &ival(j, w));
        sum = sum.add(&term);
        if le(&term.hi, &stop) {
            break;
        }
    }
    // R ≤ 2·u^{j+1}/(j+1)! ≤ 2·term·u/(j+1).
    let next = term.hi.mul_up(&u.hi).div_up(&int(j + 1, w)).mul_up(&int(2, w));
    let mut v = add_hi(&sum, &next);
    let two = ival(2, w);
    for _ in 0..s {
        v = mul(&v, &v.add(&two));
    }
    v
}

/// Enclosure of e^x at a finite point x, at about w bits.
fn exp_point(x: &Dyadic, w: Bits) -> D {
    if x.is_zero() {
        return ival(1, w);
    }
    let bound = int(EXP_BOUND, w);
    if x.partial(&bound.neg()) == Some(Ordering::Less) {
        let hi = exp_point(&bound.neg(), w).hi;
        return Interval { lo: Dyadic::zero(w), hi };
    }
    if x.partial(&bound) == Some(Ordering::Greater) {
        let lo = exp_point(&bound, w).lo;
        return Interval { lo, hi: Dyadic::inf(false, w) };
    }
    let wp = w + GUARD;
    let k = (x.approx() / std::f64::consts::LN_2).round() as i64;
    // |k| ≤ 2^21: ln 2 to wp + 22 bits keeps k·ln 2 within 2^-wp.
    let r = point(x, wp).sub(&ln2(wp + 22).mul(&ival(k, wp + 22)));
    let r = Interval { lo: r.lo.with_prec(wp, false), hi: r.hi.with_prec(wp, true) };
    let one = ival(1, wp);
    let e = match (r.lo.sign_of(), r.hi.sign_of()) {
        (Some(Ordering::Greater | Ordering::Equal), _) => one.add(&expm1_pos(&r, wp)),
        (_, Some(Ordering::Less | Ordering::Equal)) => div(&one, &one.add(&expm1_pos(&r.neg(), wp))),
        _ => {
            let lo = div(&one, &one.add(&expm1_pos(&point(&r.lo.neg(), wp), wp))).lo;
            let hi = one.add(&expm1_pos(&point(&r.hi, wp), wp)).hi;
            Interval { lo, hi }
        }
    };
    scale(&e, k)
}

/// e^x over the interval x (increasing): [e^lo↓, e^hi↑]; below −2^20
/// the bound [0, e^(−2^20)], above 2^20 [e^(2^20), ∞].
pub fn exp(x: &D) -> D {
    let p = prec_of(x);
    if is_nan(x) {
        return entire(p);
    }
    let w = p + GUARD;
    let lo = if x.lo.is_finite() {
        exp_point(&x.lo, w).lo
    } else if x.lo.sign_of() == Some(Ordering::Less) {
        Dyadic::zero(w)
    } else {
        Dyadic::inf(false, w)
    };
    let hi = if x.hi.is_finite() {
        exp_point(&x.hi, w).hi
    } else if x.hi.sign_of() == Some(Ordering::Greater) {
        Dyadic::inf(false, w)
    } else {
        Dyadic::zero(w)
    };
    round_to(&Interval { lo, hi }, p)
}

// ---- ln1p -----------------------------------------------------------

/// Enclosure of atanh y = Σ y^{2i+1}/(2i+1) over an interval 0 ≤ y ≤ 1/5;
/// the tail after the last term y^{2n+1}/(2n+1) is at most
/// y^{2n+3}/(2n+3) · 1/(1 − y²) ≤ 2 y^{2n+3}/(2n+3).
fn atanh_pos(y: &D, w: Bits) -> D {
    if y.hi.is_zero() {
        return ival(0, w);
    }
    let y2 = mul(y, y);
    let stop = y.hi.mul_up(&pow2(-(w as i64) - 4, w));
    let mut pow = y.clone();
    let mut sum = y.clone();
    let mut n = 0i64;
    loop {
        n += 1;
        pow = mul(&pow, &y2);
        sum = sum.add(&div(&pow, &ival(2 * n + 1, w)));
        if le(&pow.hi, &stop) {
            break;
        }
    }
    let next = pow.hi.mul_up(&y2.hi).div_up(&int(2 * n + 3, w)).mul_up(&int(2, w));
    add_hi(&sum, &next)
}

/// atanh over an interval |y| ≤ 1/5 (odd; split at 0).
fn atanh_small(y: &D, w: Bits) -> D {
    match (y.lo.sign_of(), y.hi.sign_of()) {
        (Some(Ordering::Greater | Ordering::Equal), _) => atanh_pos(y, w),
        (_, Some(Ordering::Less | Ordering::Equal)) => atanh_pos(&y.neg(), w).neg(),
        _ => Interval { lo: atanh_pos(&point(&y.lo.neg(), w), w).hi.neg(), hi: atanh_pos(&point(&y.hi, w), w).hi },
    }
}

/// ln u over an interval of positive numbers u (narrow, as from 1 + x):
/// u = 2^k m with m ∈ [3/4, 3/2), ln u = k ln 2 + 2 atanh((m−1)/(m+1)).
fn ln_pos(u: &D, w: Bits) -> D {
    let (m, e) = u.lo.parts().expect("finite");
    let top = msb(m, e);
    // Leading bits of u.lo: 1.1xxx (≥ 3/2) moves m into [3/4, 1).
    let second = m.bits() >= 2 && m.bit(m.bits() - 2);
    let k = if second { top + 1 } else { top };
    let mm = scale(u, -k);
    let one = ival(1, w);
    let y = mm.sub(&one).div(&mm.add(&one));
    let lk = ln2(w + 26).mul(&ival(k, w + 26));
    let lk = Interval { lo: lk.lo.with_prec(w, false), hi: lk.hi.with_prec(w, true) };
    lk.add(&scale(&atanh_small(&y, w), 1))
}

/// Enclosure of ln(1 + x) at a finite point x > −1.
fn ln1p_point(x: &Dyadic, w: Bits) -> D {
    if x.is_zero() {
        return ival(0, w);
    }
    let wp = w + GUARD;
    let quarter = Dyadic::from_parts(BigInt::from(-1), -2, wp, false);
    let half = Dyadic::from_parts(BigInt::one(), -1, wp, false);
    let xp = point(x, wp);
    if le(&quarter, x) && le(x, &half) {
        // y = x/(2 + x) ∈ [−1/7, 1/5]; ln(1+x) = 2 atanh y.
        let y = xp.div(&xp.add(&ival(2, wp)));
        scale(&atanh_small(&y, wp), 1)
    } else {
        ln_pos(&xp.add(&ival(1, wp)), wp)
    }
}

/// ln(1 + x) over the interval x (increasing): [ln1p(lo)↓, ln1p(hi)↑];
/// a lower end ≤ −1 gives −∞, an upper end ≤ −1 (no value) (−∞, ∞).
pub fn ln1p(x: &D) -> D {
    let p = prec_of(x);
    let w = p + GUARD;
    let minus_one = int(-1, w);
    if is_nan(x) || le(&x.hi, &minus_one) {
        return entire(p);
    }
    let lo = if le(&x.lo, &minus_one) {
        Dyadic::inf(true, w)
    } else if !x.lo.is_finite() {
        Dyadic::inf(false, w)
    } else {
        ln1p_point(&x.lo, w).lo
    };
    let hi = if x.hi.is_finite() { ln1p_point(&x.hi, w).hi } else { Dyadic::inf(false, w) };
    round_to(&Interval { lo, hi }, p)
}

// ---- tanh -----------------------------------------------------------

/// Enclosure of tanh at a finite point.
fn tanh_point(x: &Dyadic, w: Bits) -> D {
    match x.sign_of() {
        Some(Ordering::Equal) => return ival(0, w),
        Some(Ordering::Less) => return tanh_point(&x.neg(), w).neg(),
        _ => {}
    }
    let wp = w + GUARD;
    let two_x = point(x, wp).add(&point(x, wp));
    let two = ival(2, wp);
    if le(x, &int(1, wp)) {
        // tanh x = (e^{2x} − 1)/(e^{2x} + 1) = u/(u + 2), no cancellation.
        let u = expm1_pos(&two_x, wp);
        div(&u, &u.add(&two))
    } else {
        let e = exp_point(&two_x.lo, wp);
        ival(1, wp).sub(&div(&two, &e.add(&ival(1, wp))))
    }
}

/// tanh over the interval x (increasing).
pub fn tanh(x: &D) -> D {
    let p = prec_of(x);
    if is_nan(x) {
        return entire(p);
    }
    let w = p + GUARD;
    let end = |d: &Dyadic, low: bool| -> Dyadic {
        if d.is_finite() {
            let t = tanh_point(d, w);
            if low {
                t.lo
            } else {
                t.hi
            }
        } else {
            int(if d.sign_of() == Some(Ordering::Less) { -1 } else { 1 }, w)
        }
    };
    round_to(&Interval { lo: end(&x.lo, true), hi: end(&x.hi, false) }, p)
}

// ---- erf ------------------------------------------------------------

/// Enclosure of erf at a finite point.
fn erf_point(x: &Dyadic, w: Bits) -> D {
    match x.sign_of() {
        Some(Ordering::Equal) => return ival(0, w),
        Some(Ordering::Less) => return erf_point(&x.neg(), w).neg(),
        _ => {}
    }
    let wp = w + GUARD;
    let one = ival(1, wp);
    let x2_lo = x.mul_down(x);
    // x ≥ 1 and x² ≥ 0.7 wp: 0 < erfc x < e^{−x²}/(x√π) ≤ e^{−0.7 wp} < 2^-wp.
    if le(&int(1, wp), x) && le(&int((7 * wp as i64 + 9) / 10, wp), &x2_lo) {
        let lo = int(1, wp).add_down(&pow2(-(wp as i64), wp).neg());
        return Interval { lo, hi: one.hi };
    }
    let xp = point(x, wp);
    let x2 = mul(&xp, &xp);
    let q = scale(&x2, 1);
    let stop_rel = pow2(-(wp as i64) - 4, wp);
    let mut a = xp.clone();
    let mut sum = xp.clone();
    let mut n = 0i64;
    loop {
        n += 1;
        a = div(&mul(&a, &q), &ival(2 * n + 1, wp));
        sum = sum.add(&a);
        // Next ratio q/(2n+3) ≤ 1/2, and a_n negligible.
        let ratio_ok = le(&q.hi.mul_up(&int(2, wp)), &int(2 * n + 3, wp));
        if ratio_ok && le(&a.hi, &sum.lo.mul_down(&stop_rel)) {
            break;
        }
    }
    // Tail Σ_{j>n} a_j ≤ a_n Σ_{i≥1} (1/2)^i = a_n.
    let sum = add_hi(&sum, &a.hi);
    let e = exp(&Interval { lo: x2.hi.neg(), hi: x2.lo.neg() });
    let v = mul(&mul(&two_over_sqrt_pi(wp), &e), &sum);
    // erf x < 1.
    let hi = if le(&v.hi, &one.hi) { v.hi } else { one.hi };
    Interval { lo: v.lo, hi }
}

/// erf over the interval x (increasing).
pub fn erf(x: &D) -> D {
    let p = prec_of(x);
    if is_nan(x) {
        return entire(p);
    }
    let w = p + GUARD;
    let end = |d: &Dyadic, low: bool| -> Dyadic {
        if d.is_finite() {
            let t = erf_point(d, w);
            if low {
                t.lo
            } else {
                t.hi
            }
        } else {
            int(if d.sign_of() == Some(Ordering::Less) { -1 } else { 1 }, w)
        }
    };
    round_to(&Interval { lo: end(&x.lo, true), hi: end(&x.hi, false) }, p)
}

// ---- sin, cos -------------------------------------------------------

/// (sin r, cos r) over an interval |r| ≤ 1 by Taylor series, with the
/// Lagrange bound |R| ≤ |r|^m/m! for the first omitted degree m.
fn sin_cos_taylor(r: &D, w: Bits) -> (D, D) {
    let r2 = square_range(r);
    let rm = mag(r);
    let stop = pow2(-(w as i64) - 4, w);
    let series = |first: D, start: i64| -> D {
        // Terms t_{j} = −t_{j−1} r²/((d+1)(d+2)) with d the degree of t_{j−1}.
        let mut term = first;
        let mut sum = term.clone();
        let mut d = start;
        loop {
            term = term.mul(&r2).div(&ival((d + 1) * (d + 2), w)).neg();
            sum = sum.add(&term);
            d += 2;
            if le(&mag(&term), &stop) {
                break;
            }
        }
        // The first omitted degree is d + 2: |R| ≤ |r|^{d+2}/(d+2)! ≤ |term|·|r|²/((d+1)(d+2)).
        let bound = mag(&term).mul_up(&rm).mul_up(&rm).div_up(&int((d + 1) * (d + 2), w));
        widen(&sum, &bound)
    };
    (series(r.clone(), 1), series(ival(1, w), 0))
}

/// (sin x, cos x) at a finite point, through x = k π/2 + r; for
/// |x| > 2^40 the enclosure [−1, 1].
fn sin_cos_point(x: &Dyadic, w: Bits) -> (D, D) {
    let unit = Interval { lo: int(-1, w), hi: int(1, w) };
    let top = x.leading_exponent().unwrap_or(0);
    if top > 40 {
        return (unit.clone(), unit);
    }
    let wp = w + GUARD + top.max(0) as Bits;
    let half_pi = scale(&pi(wp), -1);
    let k = (x.approx() / std::f64::consts::FRAC_PI_2).round() as i64;
    let r = point(x, wp).sub(&half_pi.mul(&ival(k, wp)));
    let (s, c) = sin_cos_taylor(&r, wp);
    match k.rem_euclid(4) {
        0 => (s, c),
        1 => (c, s.neg()),
        2 => (s.neg(), c.neg()),
        _ => (c.neg(), s),
    }
}

/// A 1-Lipschitz function with values in [−1, 1] over the interval x:
/// f(lo) widened by w = hi − lo (rounded up), intersected with [−1, 1].
fn lipschitz(x: &D, f: impl Fn(&Dyadic, Bits) -> D) -> D {
    let p = prec_of(x);
    let w = p + GUARD;
    let (minus_one, one) = (int(-1, p), int(1, p));
    if !x.lo.is_finite() || !x.hi.is_finite() {
        return Interval { lo: minus_one, hi: one };
    }
    let width = x.hi.add_up(&x.lo.neg());
    let v = round_to(&widen(&f(&x.lo, w), &width), p);
    let lo = if le(&v.lo, &minus_one) { minus_one } else { v.lo };
    let hi = if le(&one, &v.hi) { one } else { v.hi };
    Interval { lo, hi }
}

/// sin over the interval x.
pub fn sin(x: &D) -> D {
    lipschitz(x, |d, w| sin_cos_point(d, w).0)
}

/// cos over the interval x.
pub fn cos(x: &D) -> D {
    lipschitz(x, |d, w| sin_cos_point(d, w).1)
}

/// The exact range of x² (nonnegative across 0), rounded outward.
fn square_range(x: &D) -> D {
    if nonneg(x) {
        Interval { lo: x.lo.mul_down(&x.lo), hi: x.hi.mul_up(&x.hi) }
    } else if matches!(x.hi.sign_of(), Some(Ordering::Less | Ordering::Equal)) {
        Interval { lo: x.hi.mul_down(&x.hi), hi: x.lo.mul_up(&x.lo) }
    } else {
        let (a, b) = (x.lo.mul_up(&x.lo), x.hi.mul_up(&x.hi));
        let hi = if le(&a, &b) { b } else { a };
        Interval { lo: Dyadic::zero(prec_of(x)), hi }
    }
}

/// x²: the exact range, rounded outward.
pub fn square(x: &D) -> D {
    if is_nan(x) {
        return entire(prec_of(x));
    }
    square_range(x)
}

/// ln x over an interval of positive numbers (for tests and C2(b)).
pub fn ln(x: &D) -> D {
    let p = prec_of(x);
    if is_nan(x) || x.hi.sign_of() != Some(Ordering::Greater) {
        return entire(p);
    }
    let w = p + GUARD;
    let end = |d: &Dyadic, low: bool| -> Dyadic {
        match d.sign_of() {
            Some(Ordering::Less | Ordering::Equal) => Dyadic::inf(true, w),
            _ if !d.is_finite() => Dyadic::inf(false, w),
            _ => {
                let v = ln_pos(&point(d, w + GUARD), w + GUARD);
                if low {
                    v.lo
                } else {
                    v.hi
                }
            }
        }
    };
    round_to(&Interval { lo: end(&x.lo, true), hi: end(&x.hi, false) }, p)
}

/// The enclosure [q↓, q↑] of a rational at w bits (a helper for tests).
pub fn from_rational(q: &crate::num::BigRational, w: Bits) -> D {
    D::from_rational(q, &w)
}
