//! The dynamics of D6: gradient descent, gradient flow and SGD, with
//! trajectories streamed to disk as they are computed.

pub mod expectation;
pub mod gd;
pub mod gf;
pub mod guard;
pub mod init;
pub mod outcome;
pub mod plots;
pub mod sampling;
pub mod sgd;
pub mod sgd_expected;
pub mod sgd_report;
pub mod sweep;
pub mod trajectory;
