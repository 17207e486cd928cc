//! # reluproof
//!
//! Executable checks of the convergence proof for gradient descent on
//! one-hidden-layer ReLU networks with constant targets (Cheridito, Jentzen,
//! Riekert, Rossmannek 2021). The risk L, the generalized gradient G and the
//! Lyapunov function V = ‖θ‖² + (c − 2ξ)² are computed exactly in rational
//! arithmetic, or in floating point / interval arithmetic with a stated
//! guarantee. See `proofs/CLAIMS.md` for the mathematics.

#![warn(missing_docs)]

pub mod backend;
pub mod campaign;
pub mod claims;
pub mod commands;
pub mod coq_export;
pub mod dynamics;
pub mod eval;
pub mod gen;
pub mod lyapunov;
pub mod model;
pub mod num;
pub mod objective;
pub mod progress;
pub mod report;
pub mod search;
pub mod smooth;
