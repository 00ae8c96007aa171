//! Explaining behaviour by its feedback loops: loop scores of a run by the Loops That Matter
//! method, and loop dominance aggregated over the runs of a study.
//!
//! [`routes`] maps each causal link of the model onto the compiled program's slots;
//! [`score::LoopScorer`] re-evaluates those slots step by step to give every loop's relative
//! score over a run ([`LoopScores`]); [`dominance`] condenses runs into which loop dominates
//! when, split by a target's outcome. The method and its limits are described for readers in
//! `docs/explain.md`.

pub mod dominance;
pub mod routes;
pub mod score;

pub use dominance::{
    phases, smoothed_dominant, DominanceProfile, LoopDominance, OutcomeSplit, Phase,
};
pub use score::{dominant, identify, LoopScorer, LoopScores, ScoredLoop};

#[cfg(test)]
mod tests;
