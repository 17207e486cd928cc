//! Fault injection, for tests only: a global switch consulted at a few
//! places of the fast path, so that tests can show that the checks refuse
//! wrong values (tests/faults.rs). With no fault set (always, outside tests)
//! every hook is one relaxed atomic load that changes nothing.

use std::sync::atomic::{AtomicU8, Ordering};

/// A deliberate error in the fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// No fault.
    None = 0,
    /// σ'(0) = 1 under the open convention (empirical patterns, the sweep
    /// and the general path).
    ClosedUnderOpen = 1,
    /// The sweep treats a neuron with w = 0, b > 0 as dead.
    FlatNeuronDead = 2,
    /// The sweep forgets the uniform measure's 1/(b − a).
    UniformUnnormalised = 3,
    /// The sweep's ∫x e is off by a factor 2.
    MomentOffByFactor = 4,
}

impl Fault {
    /// Every value-corrupting fault.
    pub const ALL: [Fault; 4] =
        [Fault::ClosedUnderOpen, Fault::FlatNeuronDead, Fault::UniformUnnormalised, Fault::MomentOffByFactor];
}

static ACTIVE: AtomicU8 = AtomicU8::new(0);

/// Sets the active fault (global: tests using it must run sequentially).
pub fn set(f: Fault) {
    ACTIVE.store(f as u8, Ordering::SeqCst);
}

/// Whether `f` is the active fault.
#[inline]
pub fn is(f: Fault) -> bool {
    ACTIVE.load(Ordering::Relaxed) == f as u8
}
