//! The Runge–Kutta–Fehlberg 7(8) pair (Fehlberg 1968, NASA TR R-287): its
//! rational coefficients, and the tableau converted once to a backend.

use crate::num::{BigRational, Scalar};
use num_traits::Zero;

/// Nodes c_i (the flow is autonomous: used only by tests of the tableau).
#[cfg(test)]
pub(super) const RKF78_C: [(i64, i64); 13] =
    [(0, 1), (2, 27), (1, 9), (1, 6), (5, 12), (1, 2), (5, 6), (1, 6), (2, 3), (1, 3), (1, 1), (0, 1), (1, 1)];

/// Rows a_{i,0..i} of the strictly lower triangular matrix.
pub(super) const RKF78_A: [&[(i64, i64)]; 13] = [
    &[],
    &[(2, 27)],
    &[(1, 36), (1, 12)],
    &[(1, 24), (0, 1), (1, 8)],
    &[(5, 12), (0, 1), (-25, 16), (25, 16)],
    &[(1, 20), (0, 1), (0, 1), (1, 4), (1, 5)],
    &[(-25, 108), (0, 1), (0, 1), (125, 108), (-65, 27), (125, 54)],
    &[(31, 300), (0, 1), (0, 1), (0, 1), (61, 225), (-2, 9), (13, 900)],
    &[(2, 1), (0, 1), (0, 1), (-53, 6), (704, 45), (-107, 9), (67, 90), (3, 1)],
    &[(-91, 108), (0, 1), (0, 1), (23, 108), (-976, 135), (311, 54), (-19, 60), (17, 6), (-1, 12)],
    &[(2383, 4100), (0, 1), (0, 1), (-341, 164), (4496, 1025), (-301, 82), (2133, 4100), (45, 82), (45, 164), (18, 41)],
    &[(3, 205), (0, 1), (0, 1), (0, 1), (0, 1), (-6, 41), (-3, 205), (-3, 41), (3, 41), (6, 41), (0, 1)],
    &[
        (-1777, 4100),
        (0, 1),
        (0, 1),
        (-341, 164),
        (4496, 1025),
        (-289, 82),
        (2193, 4100),
        (51, 82),
        (33, 164),
        (12, 41),
        (0, 1),
        (1, 1),
    ],
];

/// 8th-order weights (the solution is advanced with these).
pub(super) const RKF78_B8: [(i64, i64); 13] = [
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
    (34, 105),
    (9, 35),
    (9, 35),
    (9, 280),
    (9, 280),
    (0, 1),
    (41, 840),
    (41, 840),
];

/// 7th-order weights (embedded, for the error estimate only).
pub(super) const RKF78_B7: [(i64, i64); 13] = [
    (41, 840),
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
    (34, 105),
    (9, 35),
    (9, 35),
    (9, 280),
    (9, 280),
    (41, 840),
    (0, 1),
    (0, 1),
];

pub(super) fn ratio(p: (i64, i64)) -> BigRational {
    BigRational::new(p.0.into(), p.1.into())
}

/// The tableau converted once to the backend: nonzero a_ij per row, b8, and
/// the error weights b8 − b7.
pub(super) struct Tableau<S> {
    pub(super) a: Vec<Vec<(usize, S)>>,
    pub(super) b: Vec<(usize, S)>,
    pub(super) e: Vec<(usize, S)>,
}

impl<S: Scalar> Tableau<S> {
    pub(super) fn new(ctx: &S::Ctx) -> Self {
        let conv = |p: (i64, i64)| S::from_rational(&ratio(p), ctx);
        let a = RKF78_A
            .iter()
            .map(|row| row.iter().enumerate().filter(|(_, p)| p.0 != 0).map(|(j, p)| (j, conv(*p))).collect())
            .collect();
        let b = RKF78_B8.iter().enumerate().filter(|(_, p)| p.0 != 0).map(|(j, p)| (j, conv(*p))).collect();
        let e = RKF78_B8
            .iter()
            .zip(RKF78_B7.iter())
            .enumerate()
            .filter_map(|(j, (p8, p7))| {
                let d = ratio(*p8) - ratio(*p7);
                (!d.is_zero()).then(|| (j, S::from_rational(&d, ctx)))
            })
            .collect();
        Tableau { a, b, e }
    }
}
