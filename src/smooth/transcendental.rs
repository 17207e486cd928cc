//! The transcendental primitives the smooth activations and the `sin` target
//! are built from, in three backends:
//!
//! - `Interval<Dyadic>` (enclosure, pure Rust, every build): each primitive
//!   is enclosed by [`crate::num::dyadic::elementary`] (series with proven
//!   remainder bounds, outward rounding; monotone primitives at the two
//!   endpoints, `sin`/`cos` through their Lipschitz bound);
//! - `rug::Float` (approximate, feature `gmp`): each primitive is MPFR's
//!   correctly rounded function, rounded to nearest at the operand's
//!   precision;
//! - `Interval<rug::Float>` (enclosure, feature `gmp`): each MONOTONE
//!   primitive (exp, ln1p, tanh, erf) is evaluated at the two endpoints with
//!   MPFR's directed rounding (lower end rounded down, upper end rounded up),
//!   which encloses the range exactly up to one rounding per end; `sin` (not
//!   monotone) is enclosed through its Lipschitz bound; `square` is the exact
//!   range of x² (nonnegative also when the interval straddles 0).
//!
//! Everything non-monotone (sigmoid', tanh', GELU, SiLU, …) is composed from
//! these by interval arithmetic in [`super::activation`], which is rigorous
//! (the dependency problem only widens an enclosure).

use crate::num::dyadic::{elementary, Bits};
use crate::num::{Dyadic, Interval, Scalar};

/// A [`Scalar`] with the transcendental functions of the smooth path.
///
/// For enclosure backends every method returns an interval that contains
/// f(x) for every x in the argument.
pub trait Transcendental: Scalar {
    /// The context (precision) of this value, for constants built next to it.
    fn context(&self) -> Self::Ctx;
    /// e^x.
    fn exp(&self) -> Self;
    /// ln(1 + x), for x > −1.
    fn ln1p(&self) -> Self;
    /// tanh x.
    fn tanh(&self) -> Self;
    /// erf x = 2/√π ∫_0^x e^{−t²} dt.
    fn erf(&self) -> Self;
    /// sin x.
    fn sin(&self) -> Self;
    /// cos x.
    fn cos(&self) -> Self;
    /// x², the exact range for intervals (nonnegative even across 0).
    fn square(&self) -> Self;
    /// 1/√2 at the context's precision.
    fn frac_1_sqrt_2(ctx: &Self::Ctx) -> Self;
    /// 1/√(2π) at the context's precision.
    fn frac_1_sqrt_2pi(ctx: &Self::Ctx) -> Self;
}

/// Pure-Rust enclosures (see [`crate::num::dyadic::elementary`]) at the
/// precision of the argument.
impl Transcendental for Interval<Dyadic> {
    fn context(&self) -> Bits {
        self.lo.prec().max(self.hi.prec())
    }
    fn exp(&self) -> Self {
        elementary::exp(self)
    }
    fn ln1p(&self) -> Self {
        elementary::ln1p(self)
    }
    fn tanh(&self) -> Self {
        elementary::tanh(self)
    }
    fn erf(&self) -> Self {
        elementary::erf(self)
    }
    fn sin(&self) -> Self {
        elementary::sin(self)
    }
    fn cos(&self) -> Self {
        elementary::cos(self)
    }
    fn square(&self) -> Self {
        elementary::square(self)
    }
    fn frac_1_sqrt_2(prec: &Bits) -> Self {
        elementary::frac_1_sqrt_2(*prec)
    }
    fn frac_1_sqrt_2pi(prec: &Bits) -> Self {
        elementary::frac_1_sqrt_2pi(*prec)
    }
}

#[cfg(feature = "gmp")]
mod mpfr {
    use super::Transcendental;
    use crate::num::{Interval, Scalar};
    use rug::float::{Constant, Round, Special};
    use rug::Float;

    impl Transcendental for Float {
        fn context(&self) -> u32 {
            self.prec()
        }
        fn exp(&self) -> Self {
            Float::with_val(self.prec(), self.exp_ref())
        }
        fn ln1p(&self) -> Self {
            Float::with_val(self.prec(), self.ln_1p_ref())
        }
        fn tanh(&self) -> Self {
            Float::with_val(self.prec(), self.tanh_ref())
        }
        fn erf(&self) -> Self {
            Float::with_val(self.prec(), self.erf_ref())
        }
        fn sin(&self) -> Self {
            Float::with_val(self.prec(), self.sin_ref())
        }
        fn cos(&self) -> Self {
            Float::with_val(self.prec(), self.cos_ref())
        }
        fn square(&self) -> Self {
            Float::with_val(self.prec(), self.square_ref())
        }
        fn frac_1_sqrt_2(prec: &u32) -> Self {
            Float::with_val(*prec, Float::with_val(*prec + 16, 2).sqrt().recip())
        }
        fn frac_1_sqrt_2pi(prec: &u32) -> Self {
            let two_pi = Float::with_val(*prec + 16, Constant::Pi) * 2u32;
            Float::with_val(*prec, two_pi.sqrt().recip())
        }
    }

    type I = Interval<Float>;

    /// Arguments of exp below −2^20 are enclosed by [0, e^{−2^20}] so that no
    /// endpoint is computed with an astronomically small exponent.
    const EXP_FLOOR: i64 = -(1 << 20);

    fn down(prec: u32, f: impl FnOnce(&mut Float, Round)) -> Float {
        let mut x = Float::new(prec);
        f(&mut x, Round::Down);
        x
    }

    fn up(prec: u32, f: impl FnOnce(&mut Float, Round)) -> Float {
        let mut x = Float::new(prec);
        f(&mut x, Round::Up);
        x
    }

    fn entire(prec: u32) -> I {
        Interval { lo: Float::with_val(prec, Special::NegInfinity), hi: Float::with_val(prec, Special::Infinity) }
    }

    /// An interval from directed endpoints; any NaN widens it to (−∞, ∞).
    fn checked(lo: Float, hi: Float) -> I {
        if lo.is_nan() || hi.is_nan() {
            entire(lo.prec())
        } else {
            Interval { lo, hi }
        }
    }

    /// The enclosure of an increasing function from its directed-rounding
    /// endpoint evaluations.
    fn increasing(x: &I, f: impl Fn(&Float, &mut Float, Round)) -> I {
        let prec = x.lo.prec();
        checked(down(prec, |y, r| f(&x.lo, y, r)), up(prec, |y, r| f(&x.hi, y, r)))
    }

    use rug::ops::AssignRound;

    /// The enclosure of a 1-Lipschitz function with values in [−1, 1] (sin,
    /// cos): f(lo) with directed rounding, widened by w = hi − lo rounded up.
    fn lipschitz(x: &I, f: impl Fn(&Float, &mut Float, Round)) -> I {
        let prec = x.lo.prec();
        let one = Float::with_val(prec, 1);
        let minus_one = Float::with_val(prec, -1);
        if !x.lo.is_finite() || !x.hi.is_finite() {
            return Interval { lo: minus_one, hi: one };
        }
        let w = up(prec, |y, r| _ = y.assign_round(&x.hi - &x.lo, r));
        let f_lo = down(prec, |y, r| f(&x.lo, y, r));
        let f_hi = up(prec, |y, r| f(&x.lo, y, r));
        let lo = down(prec, |y, r| _ = y.assign_round(&f_lo - &w, r));
        let hi = up(prec, |y, r| _ = y.assign_round(&f_hi + &w, r));
        Interval { lo: lo.max(&minus_one), hi: hi.min(&one) }
    }

    impl Transcendental for I {
        fn context(&self) -> u32 {
            self.lo.prec()
        }
        /// [e^lo rounded down, e^hi rounded up]; below −2^20 the enclosure
        /// [0, e^{−2^20}] (rounded up) is used.
        fn exp(&self) -> Self {
            let prec = self.lo.prec();
            let floor = Float::with_val(prec, EXP_FLOOR);
            let tiny = || up(prec, |y, r| _ = y.assign_round(floor.exp_ref(), r));
            if self.hi < floor {
                return Interval { lo: Float::new(prec), hi: tiny() };
            }
            let lo = if self.lo < floor {
                Float::new(prec)
            } else {
                down(prec, |y, r| _ = y.assign_round(self.lo.exp_ref(), r))
            };
            checked(lo, up(prec, |y, r| _ = y.assign_round(self.hi.exp_ref(), r)))
        }
        /// [ln1p(lo) rounded down, ln1p(hi) rounded up]; a lower end ≤ −1 gives −∞.
        fn ln1p(&self) -> Self {
            let prec = self.lo.prec();
            let lo = if self.lo <= -1i32 {
                Float::with_val(prec, Special::NegInfinity)
            } else {
                down(prec, |y, r| _ = y.assign_round(self.lo.ln_1p_ref(), r))
            };
            checked(lo, up(prec, |y, r| _ = y.assign_round(self.hi.ln_1p_ref(), r)))
        }
        /// [tanh(lo) rounded down, tanh(hi) rounded up].
        fn tanh(&self) -> Self {
            increasing(self, |x, y, r| _ = y.assign_round(x.tanh_ref(), r))
        }
        /// [erf(lo) rounded down, erf(hi) rounded up].
        fn erf(&self) -> Self {
            increasing(self, |x, y, r| _ = y.assign_round(x.erf_ref(), r))
        }
        /// sin is 1-Lipschitz: for x ∈ [lo, hi], sin x ∈ [sin(lo)↓ − w, sin(lo)↑ + w]
        /// with w = hi − lo rounded up, intersected with [−1, 1]. A point interval
        /// gives [sin(lo)↓, sin(lo)↑].
        fn sin(&self) -> Self {
            lipschitz(self, |x, y, r| _ = y.assign_round(x.sin_ref(), r))
        }
        /// cos, enclosed like [`Transcendental::sin`] (also 1-Lipschitz).
        fn cos(&self) -> Self {
            lipschitz(self, |x, y, r| _ = y.assign_round(x.cos_ref(), r))
        }
        /// The range of x²: [lo², hi²] for lo ≥ 0, [hi², lo²] for hi ≤ 0 and
        /// [0, max(lo², hi²)] across 0, each end rounded outward.
        fn square(&self) -> Self {
            let prec = self.lo.prec();
            let sq_down = |x: &Float| down(prec, |y, r| _ = y.assign_round(x.square_ref(), r));
            let sq_up = |x: &Float| up(prec, |y, r| _ = y.assign_round(x.square_ref(), r));
            if self.lo.is_nan() || self.hi.is_nan() {
                return entire(prec);
            }
            if self.lo >= 0 {
                Interval { lo: sq_down(&self.lo), hi: sq_up(&self.hi) }
            } else if self.hi <= 0 {
                Interval { lo: sq_down(&self.hi), hi: sq_up(&self.lo) }
            } else {
                Interval { lo: Float::new(prec), hi: sq_up(&self.lo).max(&sq_up(&self.hi)) }
            }
        }
        /// [1/√2↑↓]: √2 is enclosed by directed square roots, then inverted with
        /// the opposite rounding.
        fn frac_1_sqrt_2(prec: &u32) -> Self {
            let two = Float::with_val(*prec, 2);
            let s_lo = down(*prec, |y, r| _ = y.assign_round(two.sqrt_ref(), r));
            let s_hi = up(*prec, |y, r| _ = y.assign_round(two.sqrt_ref(), r));
            let one = I::from_i64(1, prec);
            one.div(&Interval { lo: s_lo, hi: s_hi })
        }
        /// 1/√(2π): π enclosed by MPFR's directed constant, then 2π (exact
        /// doubling), √ and 1/· with outward rounding.
        fn frac_1_sqrt_2pi(prec: &u32) -> Self {
            let pi_lo = down(*prec, |y, r| _ = y.assign_round(Constant::Pi, r));
            let pi_hi = up(*prec, |y, r| _ = y.assign_round(Constant::Pi, r));
            let (t_lo, t_hi) = (Float::with_val(*prec, &pi_lo * 2u32), Float::with_val(*prec, &pi_hi * 2u32));
            let s_lo = down(*prec, |y, r| _ = y.assign_round(t_lo.sqrt_ref(), r));
            let s_hi = up(*prec, |y, r| _ = y.assign_round(t_hi.sqrt_ref(), r));
            I::from_i64(1, prec).div(&Interval { lo: s_lo, hi: s_hi })
        }
    }
}
