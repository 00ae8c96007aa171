//! Running a compiled program: integrators and saved output.

pub mod fault;
pub mod native;
pub mod queues;
pub mod run;
pub mod trajectory;
pub mod vm;

pub use fault::{FaultKind, NumericFault};
pub use native::Engine;
pub use run::{run, Simulation};
pub use trajectory::Trajectory;
