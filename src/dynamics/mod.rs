//! The dynamics of D6: gradient descent, gradient flow and SGD, with
//! trajectories streamed to disk as they are computed.

pub mod trajectory;
