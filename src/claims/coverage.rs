//! What a check's generated cases covered: the degeneracies the generator
//! aims at, both sides of ρ = 1, both σ'(0) conventions, and fits. Counted
//! from the instances (regenerated from the seed), so a sharded run and its
//! merge report the same numbers.

use super::instance::Instance;
use crate::model::{Activation, DerivativeAtZero, Measure};
use crate::num::BigRational;
use num_traits::{One, Signed, Zero};
use serde_json::{json, Value};

/// Counts of cases with each feature.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Cases counted.
    pub cases: usize,
    /// Some neuron has w_j = 0.
    pub degenerate_neuron: usize,
    /// d = 1 interval measure, some kink −b_j/w_j exactly at a or b.
    pub kink_at_end: usize,
    /// d = 1, two neurons with the same kink.
    pub coinciding_kinks: usize,
    /// Empirical measure, some w_j·x_i + b_j = 0 at a point of positive weight.
    pub kink_through_sample: usize,
    /// ρ² ≤ 1.
    pub rho_le_one: usize,
    /// σ'(0) = 0 (the papers' convention).
    pub open_convention: usize,
    /// σ'(0) = 1.
    pub closed_convention: usize,
    /// The network equals the (constant) target on the support (ReLU cases only).
    pub fits: usize,
    /// Box measures in d ≥ 2.
    pub boxes: usize,
}

fn kink(w: &BigRational, b: &BigRational) -> Option<BigRational> {
    (!w.is_zero()).then(|| -b / w)
}

impl Coverage {
    /// The coverage of some instances.
    pub fn of(instances: impl Iterator<Item = Instance>) -> Coverage {
        let mut c = Coverage::default();
        for inst in instances {
            c.add(&inst);
        }
        c
    }

    fn add(&mut self, inst: &Instance) {
        let case = &inst.case;
        let th = &case.theta;
        let p = &case.problem;
        let h = th.width();
        self.cases += 1;
        let count = |b: bool| usize::from(b);
        self.degenerate_neuron += count((0..h).any(|j| th.w_row(j).iter().all(Zero::is_zero)));
        let kinks: Vec<BigRational> =
            if th.d == 1 { (0..h).filter_map(|j| kink(&th.w[j], &th.b[j])).collect() } else { Vec::new() };
        if let Measure::Lebesgue { a, b } | Measure::Uniform { a, b, d: 1 } = &p.measure {
            self.kink_at_end += count(kinks.iter().any(|t| t == a || t == b));
        }
        let mut sorted = kinks.clone();
        sorted.sort();
        self.coinciding_kinks += count(sorted.windows(2).any(|w| w[0] == w[1]));
        if let Measure::Empirical { points, weights } = &p.measure {
            let through = points.iter().zip(weights).any(|(x, pw)| {
                pw.is_positive()
                    && (0..h)
                        .any(|j| th.w_row(j).iter().zip(x).fold(th.b[j].clone(), |s, (w, xi)| s + w * xi).is_zero())
            });
            self.kink_through_sample += count(through);
        }
        self.rho_le_one += count(p.measure.rho2() <= BigRational::one());
        self.boxes += count(p.measure.as_box().is_some());
        match p.derivative_at_zero {
            DerivativeAtZero::Open => self.open_convention += 1,
            DerivativeAtZero::Closed => self.closed_convention += 1,
        }
        if p.activation == Activation::Relu
            && p.target.constant().is_some()
            && !matches!(p.measure, Measure::Uniform { d, .. } if d != 1)
        {
            let fits = super::checks::fit_test_points(case).iter().all(|x| super::checks::error_at(case, x).is_zero());
            self.fits += count(fits);
        }
    }

    /// The coverage as JSON (the row's `coverage` key).
    pub fn to_json(&self) -> Value {
        json!({
            "cases": self.cases,
            "degenerate_neuron": self.degenerate_neuron,
            "kink_at_end": self.kink_at_end,
            "coinciding_kinks": self.coinciding_kinks,
            "kink_through_sample": self.kink_through_sample,
            "rho_le_one": self.rho_le_one,
            "rho_gt_one": self.cases - self.rho_le_one,
            "open_convention": self.open_convention,
            "closed_convention": self.closed_convention,
            "fits": self.fits,
            "boxes": self.boxes,
        })
    }

    /// One line for the row's notes; `before_witness`: the run stopped at a
    /// witness, so the counts are of the cases before it.
    pub fn line(&self, before_witness: bool) -> String {
        let of = if before_witness {
            format!("of the {} cases before the witness", self.cases)
        } else {
            format!("of {} cases", self.cases)
        };
        format!(
            "coverage: {of}, {} with a degenerate neuron (w_j = 0), {} with a kink at an end of [a, b], {} with coinciding kinks, {} with a kink through a sample point, {} with rho <= 1 and {} with rho > 1, {} with sigma'(0) = 0 and {} with sigma'(0) = 1, {} fits (N = xi on the support), {} on boxes (d >= 2)",
            self.degenerate_neuron,
            self.kink_at_end,
            self.coinciding_kinks,
            self.kink_through_sample,
            self.rho_le_one,
            self.cases - self.rho_le_one,
            self.open_convention,
            self.closed_convention,
            self.fits,
            self.boxes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::parse_case;

    fn inst(text: &str) -> Instance {
        Instance::of(parse_case("t.toml", text).expect("a case"))
    }

    /// Each feature counted on hand cases whose features are known.
    #[test]
    fn coverage_counts_each_feature_of_hand_cases() {
        // Neuron 1 has w = 0; neuron 0's kink x = 0 passes through the
        // sample 0 of weight 1; ρ² = 1; v = 0 and c = ξ fit.
        let empirical = inst(
            "[problem]\nmeasure = \"empirical\"\npoints = [\"0\", \"1\"]\nweights = [\"1\", \"1\"]\ntarget = \"2\"\n\
             [theta]\nw = [\"1\", \"0\"]\nb = [\"0\", \"1\"]\nv = [\"0\", \"0\"]\nc = \"2\"\n",
        );
        // Both kinks at −1 = a (coinciding, at an end); ρ² = 4; σ'(0) = 1; no fit.
        let interval = inst(
            "[problem]\nmeasure = \"lebesgue\"\na = \"-1\"\nb = \"2\"\ntarget = \"1\"\nsigma_prime_zero = \"closed\"\n\
             [theta]\nw = [\"1\", \"2\"]\nb = [\"1\", \"2\"]\nv = [\"1\", \"1\"]\nc = \"0\"\n",
        );
        let square = inst(
            "[problem]\nmeasure = \"uniform\"\na = [\"0\", \"0\"]\nb = [\"1\", \"1\"]\ntarget = \"1\"\n\
             [theta]\nw = [[\"1\", \"1\"]]\nb = [\"-1\"]\nv = [\"1\"]\nc = \"0\"\n",
        );
        let c = Coverage::of([empirical.clone(), interval, square].into_iter());
        let want = Coverage {
            cases: 3,
            degenerate_neuron: 1,
            kink_at_end: 1,
            coinciding_kinks: 1,
            kink_through_sample: 1,
            rho_le_one: 1,
            open_convention: 2,
            closed_convention: 1,
            fits: 1,
            boxes: 1,
        };
        assert_eq!(c, want);
        // Counts add up over cases.
        assert_eq!(Coverage::of([empirical.clone(), empirical].into_iter()).kink_through_sample, 2);
        // The row's note says each count, and whether the run stopped at a witness.
        assert_eq!(
            want.line(false),
            "coverage: of 3 cases, 1 with a degenerate neuron (w_j = 0), 1 with a kink at an end of [a, b], \
             1 with coinciding kinks, 1 with a kink through a sample point, 1 with rho <= 1 and 2 with rho > 1, \
             2 with sigma'(0) = 0 and 1 with sigma'(0) = 1, 1 fits (N = xi on the support), 1 on boxes (d >= 2)"
        );
        assert!(want.line(true).starts_with("coverage: of the 3 cases before the witness, 1 with a degenerate"));
    }
}
