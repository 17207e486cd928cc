//! The arithmetic of a stored GD state: exact steps kept as unreduced
//! fractions, rounding to an adaptive dyadic grid, and fast exact sums.

use crate::model::Theta;
use crate::num::parse::parse_rational;
use crate::num::{BigRational, Ordered, Scalar, Sign3};
use num_traits::{One, Signed, Zero};
use serde_json::Value;

/// The adaptive dyadic grid of certified runs (`gd` and `sgd`).
///
/// Rounds the exact step θ − γφ to the coarsest grid 2^-bits (bits never
/// decrease, and grow by [`GRID_STEP`]) whose rounding raises V by at most half
/// of the exact margin `target − V(θ − γφ)`, so the checked decrease holds on
/// the stored state whenever it holds for the exact step. With no margin at
/// all (a fixed point) the exact state is kept: it does not move. With a
/// negative margin (the exact step already fails, e.g. above the step bound)
/// nothing is certified and the current grid is used, which keeps sizes
/// bounded. The exact step is never normalised: each coordinate is kept as
/// an unreduced fraction ([`StateScalar::Coord`]), V of it is one sum over a
/// common denominator, and each rounding is one integer division. `two_xi` is
/// 2ξ of V(θ) = ‖θ‖² + (c − 2ξ)²; `eval` computes what the caller needs of a
/// stored state and `lyap` reads V from it. `grid` is (bits, first step at
/// which the grid was refined, largest share of a margin used by rounding).
///
/// Returns the stored (rounded) state, what `eval` computes of it, and V of
/// the EXACT step θ − γφ. Certified runs decide their inequalities on that
/// exact value, before rounding: rounding only continues the run, so it can
/// never turn a violated step into one that holds (with a positive margin it
/// spends at most half of it, so the stored state satisfies the inequality
/// too; with a negative margin the exact step is already reported).
#[allow(clippy::too_many_arguments)]
pub(crate) fn round_on_adaptive_grid<S: StateScalar, V>(
    theta: &Theta<S>,
    gamma: &S,
    dir: &Theta<S>,
    two_xi: &S,
    target: &S,
    n: u64,
    grid: (&mut u32, &mut Option<u64>, &mut f64),
    ctx: &S::Ctx,
    eval: impl Fn(&Theta<S>) -> V,
    lyap: impl Fn(&V) -> &S,
) -> (Theta<S>, V, S) {
    let (bits, refined_at, rounding_used) = grid;
    let step = step_coords(theta, gamma, dir);
    let v_unrounded = S::coords_lyapunov(&coords(&step).collect::<Vec<_>>(), two_xi, ctx);
    let room = target.sub(&v_unrounded);
    let exact = || {
        let unrounded = map_coords(&step, S::coord_value);
        let value = eval(&unrounded);
        (unrounded, value, v_unrounded.clone())
    };
    match room.sign() {
        Sign3::Positive => {
            let half = room.div(&S::from_i64(2, ctx));
            for _ in 0..64 {
                let candidate = map_coords(&step, |u| S::coord_to_grid(u, *bits));
                let value = eval(&candidate);
                let used = lyap(&value).sub(&v_unrounded);
                if used.sub(&half).sign() != Sign3::Positive {
                    *rounding_used = rounding_used.max(used.div(&room).to_f64_lossy());
                    return (candidate, value, v_unrounded.clone());
                }
                *bits += GRID_STEP;
                refined_at.get_or_insert(n);
            }
            // 64 refinements without success: keep the exact state.
            exact()
        }
        Sign3::Zero => exact(),
        _ => {
            let candidate = map_coords(&step, |u| S::coord_to_grid(u, *bits));
            let value = eval(&candidate);
            (candidate, value, v_unrounded.clone())
        }
    }
}

/// Bits added to the dyadic grid each time rounding would use more than half
/// of C9(a)'s margin.
pub const GRID_STEP: u32 = 32;

/// The coordinates θ_k − γφ_k of one unrounded step, in θ layout.
pub(crate) fn step_coords<S: StateScalar>(theta: &Theta<S>, gamma: &S, dir: &Theta<S>) -> Theta<S::Coord> {
    let f = |xs: &[S], gs: &[S]| xs.iter().zip(gs).map(|(x, g)| S::step_coord(x, gamma, g)).collect();
    Theta {
        d: theta.d,
        w: f(&theta.w, &dir.w),
        b: f(&theta.b, &dir.b),
        v: f(&theta.v, &dir.v),
        c: S::step_coord(&theta.c, gamma, &dir.c),
    }
}

/// The components of any θ-shaped value in θ order (c last).
pub(crate) fn coords<A>(t: &Theta<A>) -> impl Iterator<Item = &A> {
    t.w.iter().chain(&t.b).chain(&t.v).chain(std::iter::once(&t.c))
}

/// [`Theta::map`] for θ-shaped values of any component type.
pub(crate) fn map_coords<A, B>(t: &Theta<A>, mut f: impl FnMut(&A) -> B) -> Theta<B> {
    Theta {
        d: t.d,
        w: t.w.iter().map(&mut f).collect(),
        b: t.b.iter().map(&mut f).collect(),
        v: t.v.iter().map(&mut f).collect(),
        c: f(&t.c),
    }
}

/// ‖θ‖², as [`Theta::norm2`] gives it (exact states: one reduction).
pub(crate) fn norm2_of<S: StateScalar>(t: &Theta<S>, ctx: &S::Ctx) -> S {
    if S::EXACT {
        S::sum_squares(&coords(t).collect::<Vec<_>>(), ctx)
    } else {
        t.norm2(ctx)
    }
}

/// V(θ) = ‖θ‖² + (c − 2ξ)², as [`lyapunov`] gives it (exact states: one reduction).
pub(crate) fn lyapunov_of<S: StateScalar>(t: &Theta<S>, two_xi: &S, ctx: &S::Ctx) -> S {
    if S::EXACT {
        let shift = t.c.sub(two_xi);
        S::sum_squares(&coords(t).chain(std::iter::once(&shift)).collect::<Vec<_>>(), ctx)
    } else {
        t.norm2(ctx).add(&t.c.sub(two_xi).sqr())
    }
}

/// The arithmetic of a stored state: rounding to the dyadic grid, and the
/// exact fast paths of certified runs. Every method returns the value the
/// plain [`Scalar`] operations would (for exact types, the same rational).
pub trait StateScalar: Ordered {
    /// One coordinate θ_k − γφ_k of an unrounded step: an unreduced fraction
    /// for exact types, the value itself for floats.
    type Coord: Clone;
    /// Whether the arithmetic is exact (rational), so that the order of
    /// operations cannot change a value.
    const EXACT: bool;
    /// The nearest multiple of 2^-bits (ties away from zero); floats return themselves.
    fn to_grid(&self, bits: u32) -> Self;
    /// x − γ g, unreduced.
    fn step_coord(x: &Self, gamma: &Self, g: &Self) -> Self::Coord;
    /// [`StateScalar::to_grid`] of the value of `u`, with one integer division.
    fn coord_to_grid(u: &Self::Coord, bits: u32) -> Self;
    /// The value of `u`.
    fn coord_value(u: &Self::Coord) -> Self;
    /// Σ_k u_k² + (u_last − two_xi)², i.e. V of the state whose coordinates in
    /// θ order (c last) are `us`.
    fn coords_lyapunov(us: &[&Self::Coord], two_xi: &Self, ctx: &Self::Ctx) -> Self;
    /// Σ x², summed left to right (exact types: over a common denominator).
    fn sum_squares(xs: &[&Self], ctx: &Self::Ctx) -> Self {
        let mut acc = Self::from_i64(0, ctx);
        for x in xs {
            acc.add_assign(&x.mul(x));
        }
        acc
    }
    /// The exact `"p/q"` of the value, or its rendering where it has none.
    fn exact_string(&self) -> String {
        self.to_rational().map(|q| q.to_string()).unwrap_or_else(|| self.render())
    }
    /// A long `"p/q"` or `"p"` (as [`StateScalar::exact_string`] writes it)
    /// read faster than [`parse_rational`] would, or `None` to use that.
    fn parse_long(_s: &str) -> Option<Self> {
        None
    }
    /// The smallest multiple of 2^-bits that is ≥ self (exact types only;
    /// floats return themselves).
    fn grid_up(&self, _bits: u32) -> Self {
        self.clone()
    }
    /// Σ xs (exact types: over a product tree, reduced once at the top;
    /// floats: left to right).
    fn sum_exact(xs: Vec<Self>) -> Self {
        let mut it = xs.into_iter();
        let mut acc = it.next().expect("a nonempty sum");
        for x in it {
            acc.add_assign(&x);
        }
        acc
    }
}

/// The float states: a step is computed and stored as it is.
macro_rules! float_state {
    ($t:ty) => {
        impl StateScalar for $t {
            type Coord = $t;
            const EXACT: bool = false;
            fn to_grid(&self, _: u32) -> Self {
                self.clone()
            }
            fn step_coord(x: &Self, gamma: &Self, g: &Self) -> Self {
                x.sub(&gamma.mul(g))
            }
            fn coord_to_grid(u: &Self, _: u32) -> Self {
                u.clone()
            }
            fn coord_value(u: &Self) -> Self {
                u.clone()
            }
            fn coords_lyapunov(us: &[&Self], two_xi: &Self, ctx: &Self::Ctx) -> Self {
                let norm2 = Self::sum_squares(us, ctx);
                let c = us.last().expect("θ has c");
                norm2.add(&c.sub(two_xi).sqr())
            }
        }
    };
}

float_state!(f64);
#[cfg(feature = "gmp")]
float_state!(rug::Float);

/// The integer operations of the exact fast paths.
trait BigInteger: Clone + PartialOrd {
    fn is_zero(&self) -> bool;
    fn is_one(&self) -> bool;
    fn unit() -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn add_assign(&mut self, o: &Self);
    fn square(&self) -> Self;
    fn gcd(&self, o: &Self) -> Self;
    /// self / o where o divides self.
    fn div_exact(&self, o: &Self) -> Self;
    fn divisible(&self, o: &Self) -> bool;
    /// (|self| · 2^bits) divided by `d` > 0, rounded to nearest, ties away from zero, with self's sign.
    fn scaled_round(&self, bits: u32, d: &Self) -> Self;
    /// ⌈self · 2^bits / d⌉ for d > 0.
    fn scaled_ceil(&self, bits: u32, d: &Self) -> Self;
    fn bit_len(&self) -> u64;
}

/// An exact rational type whose parts the fast paths read.
trait ExactRational: Sized {
    type I: BigInteger;
    fn numer_(&self) -> &Self::I;
    fn denom_(&self) -> &Self::I;
    /// n/d for d > 0, reduced.
    fn reduced(n: Self::I, d: Self::I) -> Self;
    /// k/2^bits, reduced.
    fn dyadic(k: Self::I, bits: u32) -> Self;
}

/// n/d with d > 0, not reduced.
#[derive(Clone, Debug)]
pub struct Frac<I> {
    n: I,
    d: I,
}

fn frac_step<Q: ExactRational>(x: &Q, gamma: &Q, g: &Q) -> Frac<Q::I> {
    let (xn, xd) = (x.numer_(), x.denom_());
    if g.numer_().is_zero() {
        return Frac { n: xn.clone(), d: xd.clone() };
    }
    let gd = gamma.denom_().mul(g.denom_());
    let gn = gamma.numer_().mul(g.numer_());
    Frac { n: xn.mul(&gd).sub(&xd.mul(&gn)), d: xd.mul(&gd) }
}

/// Σ n²/d² over (n, d) with d > 0, over the lcm L of the denominators:
/// Σ (n L/d)² / L², reduced once.
fn frac_sum_squares<'a, Q: ExactRational + 'a>(parts: impl Iterator<Item = (&'a Q::I, &'a Q::I)> + Clone) -> Q
where
    Q::I: 'a,
{
    let mut l = Q::I::unit();
    for (n, d) in parts.clone() {
        if !n.is_zero() && !d.is_one() && !l.divisible(d) {
            l = l.div_exact(&l.gcd(d)).mul(d);
        }
    }
    let mut num: Option<Q::I> = None;
    for (n, d) in parts {
        if n.is_zero() {
            continue;
        }
        let scaled = if d == &l { n.square() } else { n.mul(&l.div_exact(d)).square() };
        match &mut num {
            Some(acc) => acc.add_assign(&scaled),
            None => num = Some(scaled),
        }
    }
    match num {
        Some(num) => Q::reduced(num, l.square()),
        None => Q::reduced(Q::I::unit().sub(&Q::I::unit()), Q::I::unit()),
    }
}

fn frac_lyapunov<Q: ExactRational>(us: &[&Frac<Q::I>], two_xi: &Q) -> Q {
    let c = us.last().expect("θ has c");
    let (pn, pd) = (two_xi.numer_(), two_xi.denom_());
    let shift = Frac { n: c.n.mul(pd).sub(&c.d.mul(pn)), d: c.d.mul(pd) };
    frac_sum_squares::<Q>(us.iter().map(|u| (&u.n, &u.d)).chain(std::iter::once((&shift.n, &shift.d))))
}

fn frac_grid<Q: ExactRational>(u: &Frac<Q::I>, bits: u32) -> Q {
    Q::dyadic(u.n.scaled_round(bits, &u.d), bits)
}

/// Below this many bits of denominator [`frac_tree_sum`] reduces each partial
/// sum (common factors cancel early); above it, it adds without reducing and
/// reduces once at the top.
const REDUCED_MERGE_BITS: u64 = 1 << 16;

/// Adjacent pairs merged with `f` (an odd last element is kept).
fn merge_pairs<T>(xs: Vec<T>, f: impl Fn(T, T) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(xs.len().div_ceil(2));
    let mut it = xs.into_iter();
    while let Some(a) = it.next() {
        out.push(match it.next() {
            Some(b) => f(a, b),
            None => a,
        });
    }
    out
}

/// Σ xs exactly over a product tree.
fn frac_tree_sum<Q: ExactRational + Scalar>(xs: Vec<Q>) -> Q {
    let mut level = xs;
    while level.len() > 1 && level.iter().all(|x| x.denom_().bit_len() < REDUCED_MERGE_BITS) {
        level = merge_pairs(level, |a, b| a.add(&b));
    }
    if level.len() <= 1 {
        return level.pop().unwrap_or_else(|| Q::reduced(Q::I::unit().sub(&Q::I::unit()), Q::I::unit()));
    }
    let mut fracs: Vec<Frac<Q::I>> =
        level.into_iter().map(|q| Frac { n: q.numer_().clone(), d: q.denom_().clone() }).collect();
    while fracs.len() > 1 {
        fracs = merge_pairs(fracs, |a, b| {
            if a.d == b.d {
                let mut n = a.n;
                n.add_assign(&b.n);
                Frac { n, d: a.d }
            } else {
                let mut n = a.n.mul(&b.d);
                n.add_assign(&b.n.mul(&a.d));
                Frac { n, d: a.d.mul(&b.d) }
            }
        });
    }
    let f = fracs.pop().expect("one sum");
    Q::reduced(f.n, f.d)
}

/// The exact states: [`StateScalar`] through [`ExactRational`].
macro_rules! exact_state {
    ($t:ty, $int:ty, $parse:expr, $grid:expr) => {
        impl StateScalar for $t {
            type Coord = Frac<$int>;
            const EXACT: bool = true;
            fn to_grid(&self, bits: u32) -> Self {
                $grid(self, bits)
            }
            fn step_coord(x: &Self, gamma: &Self, g: &Self) -> Self::Coord {
                frac_step(x, gamma, g)
            }
            fn coord_to_grid(u: &Self::Coord, bits: u32) -> Self {
                frac_grid(u, bits)
            }
            fn coord_value(u: &Self::Coord) -> Self {
                <$t as ExactRational>::reduced(u.n.clone(), u.d.clone())
            }
            fn coords_lyapunov(us: &[&Self::Coord], two_xi: &Self, _: &()) -> Self {
                frac_lyapunov(us, two_xi)
            }
            fn sum_squares(xs: &[&Self], _: &()) -> Self {
                frac_sum_squares::<Self>(xs.iter().map(|x| (x.numer_(), x.denom_())))
            }
            fn exact_string(&self) -> String {
                // Both exact types write "p/q", or "p" for integers.
                self.to_string()
            }
            fn grid_up(&self, bits: u32) -> Self {
                <$t as ExactRational>::dyadic(self.numer_().scaled_ceil(bits, self.denom_()), bits)
            }
            fn sum_exact(xs: Vec<Self>) -> Self {
                frac_tree_sum(xs)
            }
            fn parse_long(s: &str) -> Option<Self> {
                $parse(s)
            }
        }
    };
}

impl BigInteger for num_bigint::BigInt {
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_one(&self) -> bool {
        One::is_one(self)
    }
    fn unit() -> Self {
        One::one()
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn square(&self) -> Self {
        self * self
    }
    fn gcd(&self, o: &Self) -> Self {
        num_integer::Integer::gcd(self, o)
    }
    fn div_exact(&self, o: &Self) -> Self {
        self / o
    }
    fn divisible(&self, o: &Self) -> bool {
        Zero::is_zero(&(self % o))
    }
    fn scaled_round(&self, bits: u32, d: &Self) -> Self {
        let (q, r) = num_integer::Integer::div_rem(&(self.abs() << bits as usize), d);
        let k = if (r << 1usize) >= *d { q + 1 } else { q };
        if Signed::is_negative(self) {
            -k
        } else {
            k
        }
    }
    fn scaled_ceil(&self, bits: u32, d: &Self) -> Self {
        num_integer::Integer::div_ceil(&(self << bits as usize), d)
    }
    fn bit_len(&self) -> u64 {
        self.bits()
    }
}

impl ExactRational for BigRational {
    type I = num_bigint::BigInt;
    fn numer_(&self) -> &Self::I {
        self.numer()
    }
    fn denom_(&self) -> &Self::I {
        self.denom()
    }
    fn reduced(n: Self::I, d: Self::I) -> Self {
        crate::num::reduced_rational(n, d)
    }
    fn dyadic(k: Self::I, bits: u32) -> Self {
        let Some(tz) = k.trailing_zeros() else { return BigRational::zero() };
        let tz = tz.min(bits as u64);
        BigRational::new_raw(k >> tz as usize, num_bigint::BigInt::one() << (bits as u64 - tz) as usize)
    }
}

exact_state!(BigRational, num_bigint::BigInt, |_: &str| None, |x: &BigRational, bits: u32| {
    let scale = BigRational::from_integer(num_bigint::BigInt::one() << bits as usize);
    (x * &scale).round() / scale
});

#[cfg(feature = "gmp")]
impl BigInteger for rug::Integer {
    fn is_zero(&self) -> bool {
        self.is_zero()
    }
    fn is_one(&self) -> bool {
        *self == 1
    }
    fn unit() -> Self {
        rug::Integer::from(1)
    }
    fn mul(&self, o: &Self) -> Self {
        rug::Integer::from(self * o)
    }
    fn sub(&self, o: &Self) -> Self {
        rug::Integer::from(self - o)
    }
    fn add_assign(&mut self, o: &Self) {
        *self += o;
    }
    fn square(&self) -> Self {
        rug::Integer::from(self.square_ref())
    }
    fn gcd(&self, o: &Self) -> Self {
        rug::Integer::from(self.gcd_ref(o))
    }
    fn div_exact(&self, o: &Self) -> Self {
        rug::Integer::from(self.div_exact_ref(o))
    }
    fn divisible(&self, o: &Self) -> bool {
        self.is_divisible(o)
    }
    fn scaled_round(&self, bits: u32, d: &Self) -> Self {
        let a = rug::Integer::from(self.abs_ref()) << bits;
        let (mut q, r) = a.div_rem(d.clone());
        if rug::Integer::from(&r << 1u32) >= *d {
            q += 1;
        }
        if self.is_negative() {
            -q
        } else {
            q
        }
    }
    fn scaled_ceil(&self, bits: u32, d: &Self) -> Self {
        rug::ops::DivRounding::div_ceil(rug::Integer::from(self << bits), d)
    }
    fn bit_len(&self) -> u64 {
        self.significant_bits() as u64
    }
}

#[cfg(feature = "gmp")]
impl ExactRational for rug::Rational {
    type I = rug::Integer;
    fn numer_(&self) -> &Self::I {
        self.numer()
    }
    fn denom_(&self) -> &Self::I {
        self.denom()
    }
    fn reduced(n: Self::I, d: Self::I) -> Self {
        rug::Rational::from((n, d))
    }
    fn dyadic(k: Self::I, bits: u32) -> Self {
        rug::Rational::from((k, rug::Integer::from(1) << bits))
    }
}

#[cfg(feature = "gmp")]
exact_state!(rug::Rational, rug::Integer, parse_long_rational, |x: &rug::Rational, bits: u32| {
    let scaled = rug::Rational::from(x << bits);
    scaled.round() >> bits
});

/// `[-]digits[/digits]` with a nonzero denominator, long enough that GMP's
/// subquadratic conversion pays: read by GMP.
#[cfg(feature = "gmp")]
fn parse_long_rational(s: &str) -> Option<rug::Rational> {
    const LONG: usize = 2000;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    let body = s.strip_prefix('-').unwrap_or(s);
    let (p, q) = body.split_once('/').unwrap_or((body, "1"));
    if s.len() < LONG || !digits(p) || !digits(q) || q.bytes().all(|c| c == b'0') {
        return None;
    }
    s.parse::<rug::Rational>().ok()
}

/// The exact `"p/q"` of a value, or its rendering where it has none.
pub(crate) fn exact_string<S: StateScalar>(x: &S) -> String {
    x.exact_string()
}

/// A checkpointed exact value.
pub(crate) fn parse_exact<S: StateScalar>(v: Option<&Value>, ctx: &S::Ctx, what: &str) -> Result<S, String> {
    let s = v.and_then(Value::as_str).ok_or_else(|| format!("checkpoint lacks {what}"))?;
    if let Some(x) = S::parse_long(s) {
        return Ok(x);
    }
    Ok(S::from_rational(&parse_rational(s).map_err(|e| format!("checkpoint {what}: {e}"))?, ctx))
}

/// Where a gd or sgd checkpoint left the run: θ in the state's backend, the
/// step n, and the adaptive grid (both commands restore these alike).
pub(crate) struct ResumedPosition<S> {
    /// θ_n as stored.
    pub theta: Theta<S>,
    /// The step the checkpoint was written at.
    pub n: u64,
    /// The grid exponent in force then (dyadic states).
    pub grid_bits: Option<u32>,
    /// The step where the grid was last refined.
    pub grid_refined_at: Option<u64>,
}

/// Reads [`ResumedPosition`] from checkpoint `cp` of `file`; refuses a θ that
/// does not fit the case and a run already beyond `steps` (the file is then
/// left as it is: nothing has been cut yet).
pub(crate) fn resumed_position<S: StateScalar>(
    file: &std::path::Path,
    cp: &Value,
    case: &crate::model::case::Case,
    steps: u64,
    ctx: &S::Ctx,
) -> Result<ResumedPosition<S>, String> {
    let get = |k: &str| cp.get(k);
    let flat: Vec<S> = get("theta")
        .and_then(Value::as_array)
        .ok_or("checkpoint lacks theta")?
        .iter()
        .map(|v| parse_exact::<S>(Some(v), ctx, "theta"))
        .collect::<Result<_, _>>()?;
    let theta = Theta::from_flat(case.theta.d, &flat)
        .filter(|t| t.width() == case.theta.width())
        .ok_or_else(|| format!("{}: the checkpoint's theta does not fit the case's d and H", file.display()))?;
    let n = get("n").and_then(Value::as_u64).ok_or("checkpoint lacks n")?;
    if n > steps {
        return Err(format!(
            "{}: the run recorded there already reached n = {n}, beyond --steps {steps}; give --steps {n} or more to continue it (the file is left as it is)",
            file.display()
        ));
    }
    Ok(ResumedPosition {
        theta,
        n,
        grid_bits: get("grid_bits").and_then(Value::as_u64).map(|b| b as u32),
        grid_refined_at: get("grid_refined_at").and_then(Value::as_u64),
    })
}
