//! The model: parameters θ, the problem, and case files.

pub mod case;
mod problem;
mod theta;

pub use problem::{
    box_corners, box_volume, Activation, DerivativeAtZero, Measure, Prepared, Problem, Target, TargetPieces,
};
pub use theta::Theta;
