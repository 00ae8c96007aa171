//! Running a compiled program: integrators and saved output.

pub mod trajectory;
pub use trajectory::Trajectory;
