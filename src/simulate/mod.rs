//! Running a compiled program: integrators and saved output.

pub mod run;
pub mod trajectory;
pub mod vm;

pub use run::{run, Simulation};
pub use trajectory::Trajectory;
