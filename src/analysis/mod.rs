//! Structural analysis of a model: its causal graph and feedback loops with their polarity.
//!
//! [`CausalGraph::build`] links every variable to the variables its equation (or, for a stock,
//! its flows) depends on, each link signed by [`Polarity`]; [`feedback_loops`] lists the
//! elementary cycles of that graph as reinforcing, balancing or undetermined loops. The rules
//! are described for readers in `docs/loops.md`.

pub(crate) mod cycles;
pub mod graph;
pub mod loops;
pub mod named;
pub mod polarity;

pub use graph::{CausalGraph, Link};
pub use loops::{feedback_loops, Loop, LoopReport, SEARCH_LIMIT};
pub use named::named_loops;
pub use polarity::Polarity;

#[cfg(test)]
mod tests;
