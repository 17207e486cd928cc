//! Second-order jets (f, f', f'') for the rigorous panel enclosure.
//!
//! A [`Jet2`] carries a value and its first two derivatives with respect to
//! the input x. With interval components and the panel X = [l, r] as the
//! argument (the jet (X, 1, 0)), every arithmetic rule below encloses the
//! value, f' and f'' over the whole panel, so the midpoint rule with its
//! remainder,
//!
//!   ∫_l^r g(x) dx = h g(m) + (h³/24) g''(ξ),   h = r − l, m = (l + r)/2,
//!
//! gives a rigorous second-order enclosure (see
//! [`super::quadrature::evaluate_panels`]).

use super::transcendental::Transcendental;
use crate::num::{BigRational, Guarantee, Scalar, Sign3};

/// (f, f', f'') of a function of x, each in backend `T`.
#[derive(Clone, Debug)]
pub struct Jet2<T> {
    /// f.
    pub v: T,
    /// f'.
    pub d1: T,
    /// f''.
    pub d2: T,
}

impl<T: Transcendental> Jet2<T> {
    /// A constant: (c, 0, 0).
    pub fn constant(c: T, ctx: &T::Ctx) -> Self {
        let zero = T::from_i64(0, ctx);
        Jet2 { v: c, d1: zero.clone(), d2: zero }
    }
    /// The variable x itself at `x`: (x, 1, 0).
    pub fn variable(x: T, ctx: &T::Ctx) -> Self {
        Jet2 { v: x, d1: T::from_i64(1, ctx), d2: T::from_i64(0, ctx) }
    }
    /// The chain rule for f(g) from f(g.v), f'(g.v) and f''(g.v):
    /// (f, f' g', f'' g'² + f' g'').
    fn chain(&self, f: T, df: T, ddf: T) -> Self {
        let d1 = df.mul(&self.d1);
        let d2 = ddf.mul(&self.d1.square()).add(&df.mul(&self.d2));
        Jet2 { v: f, d1, d2 }
    }
    fn one(&self) -> T {
        T::from_i64(1, &self.v.context())
    }
}

impl<T: Transcendental> Scalar for Jet2<T> {
    type Ctx = T::Ctx;

    fn from_rational(q: &BigRational, ctx: &T::Ctx) -> Self {
        Jet2::constant(T::from_rational(q, ctx), ctx)
    }
    fn from_i64(n: i64, ctx: &T::Ctx) -> Self {
        Jet2::constant(T::from_i64(n, ctx), ctx)
    }
    fn add(&self, o: &Self) -> Self {
        Jet2 { v: self.v.add(&o.v), d1: self.d1.add(&o.d1), d2: self.d2.add(&o.d2) }
    }
    fn sub(&self, o: &Self) -> Self {
        Jet2 { v: self.v.sub(&o.v), d1: self.d1.sub(&o.d1), d2: self.d2.sub(&o.d2) }
    }
    /// (ab, a'b + ab', a''b + 2a'b' + ab'').
    fn mul(&self, o: &Self) -> Self {
        let d1 = self.d1.mul(&o.v).add(&self.v.mul(&o.d1));
        let cross = self.d1.mul(&o.d1);
        let d2 = self.d2.mul(&o.v).add(&cross.add(&cross)).add(&self.v.mul(&o.d2));
        Jet2 { v: self.v.mul(&o.v), d1, d2 }
    }
    /// a · (1/b) with (1/b)' = −b'/b² and (1/b)'' = (2b'²/b − b'')/b².
    fn div(&self, o: &Self) -> Self {
        let r = self.one().div(&o.v);
        let r2 = r.square();
        let d1 = o.d1.mul(&r2).neg();
        let two_b1_sq = o.d1.square().add(&o.d1.square());
        let d2 = two_b1_sq.mul(&r).sub(&o.d2).mul(&r2);
        self.mul(&Jet2 { v: r, d1, d2 })
    }
    fn neg(&self) -> Self {
        Jet2 { v: self.v.neg(), d1: self.d1.neg(), d2: self.d2.neg() }
    }
    /// The sign of the value.
    fn sign(&self) -> Sign3 {
        self.v.sign()
    }
    fn guarantee(ctx: &T::Ctx) -> Guarantee {
        T::guarantee(ctx)
    }
    fn backend_name(ctx: &T::Ctx) -> String {
        format!("jet2({})", T::backend_name(ctx))
    }
    fn render(&self) -> String {
        format!("({}, {}, {})", self.v.render(), self.d1.render(), self.d2.render())
    }
    fn to_f64_lossy(&self) -> f64 {
        self.v.to_f64_lossy()
    }
    fn to_rational(&self) -> Option<BigRational> {
        None
    }
    fn lower_rational(&self) -> Option<BigRational> {
        self.v.lower_rational()
    }
}

impl<T: Transcendental> Transcendental for Jet2<T> {
    fn context(&self) -> T::Ctx {
        self.v.context()
    }
    /// (e, e g', e (g'' + g'²)).
    fn exp(&self) -> Self {
        let e = self.v.exp();
        self.chain(e.clone(), e.clone(), e)
    }
    /// f' = 1/(1 + g), f'' = −1/(1 + g)².
    fn ln1p(&self) -> Self {
        let one = self.one();
        let r = one.div(&one.add(&self.v));
        let rr = r.square().neg();
        self.chain(self.v.ln1p(), r, rr)
    }
    /// f' = 1 − t², f'' = −2t(1 − t²).
    fn tanh(&self) -> Self {
        let t = self.v.tanh();
        let s = self.one().sub(&t.square());
        let ts = t.mul(&s);
        self.chain(t, s, ts.add(&ts).neg())
    }
    /// f' = (2/√π) e^{−g²} with 2/√π = 4 · (1/√2) · (1/√(2π)), f'' = −2g f'.
    fn erf(&self) -> Self {
        let ctx = self.v.context();
        let k = T::from_i64(4, &ctx).mul(&T::frac_1_sqrt_2(&ctx)).mul(&T::frac_1_sqrt_2pi(&ctx));
        let df = k.mul(&self.v.square().neg().exp());
        let g_df = self.v.mul(&df);
        self.chain(self.v.erf(), df, g_df.add(&g_df).neg())
    }
    /// f' = cos g, f'' = −sin g.
    fn sin(&self) -> Self {
        let s = self.v.sin();
        self.chain(s.clone(), self.v.cos(), s.neg())
    }
    /// f' = −sin g, f'' = −cos g.
    fn cos(&self) -> Self {
        let c = self.v.cos();
        self.chain(c.clone(), self.v.sin().neg(), c.neg())
    }
    /// (g², 2g g', 2g'² + 2g g''), with the exact range of the squares.
    fn square(&self) -> Self {
        let two_g = self.v.add(&self.v);
        let d1 = two_g.mul(&self.d1);
        let sq = self.d1.square();
        let d2 = sq.add(&sq).add(&two_g.mul(&self.d2));
        Jet2 { v: self.v.square(), d1, d2 }
    }
    fn frac_1_sqrt_2(ctx: &T::Ctx) -> Self {
        Jet2::constant(T::frac_1_sqrt_2(ctx), ctx)
    }
    fn frac_1_sqrt_2pi(ctx: &T::Ctx) -> Self {
        Jet2::constant(T::frac_1_sqrt_2pi(ctx), ctx)
    }
}
