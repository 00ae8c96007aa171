//! Loop dominance over many runs: the mean relative loop scores of a group of runs (those
//! that reach a target, or those that miss it) and the phases in which one loop dominates.

use super::score::{dominant, LoopScores};

/// The mean relative loop scores of a group of runs, save time by save time.
#[derive(Debug, Clone, PartialEq)]
pub struct DominanceProfile {
    /// Runs added.
    pub runs: usize,
    /// Number of loops (columns).
    pub loops: usize,
    /// Save times.
    pub times: Vec<f64>,
    /// Sum of the runs' relative scores, row by row.
    sums: Vec<f64>,
    /// How many runs each loop dominated, row by row.
    counts: Vec<u32>,
}

/// A stretch of time over which one loop dominates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    /// The dominant loop (column index), or `None` while no loop is active.
    pub dominant: Option<usize>,
    /// First save time of the phase.
    pub from: f64,
    /// Last save time of the phase.
    pub to: f64,
}

impl DominanceProfile {
    /// An empty profile over `times` with `loops` loops.
    pub fn new(times: &[f64], loops: usize) -> DominanceProfile {
        DominanceProfile {
            runs: 0,
            loops,
            times: times.to_vec(),
            sums: vec![0.0; times.len() * loops],
            counts: vec![0; times.len() * loops],
        }
    }

    /// Adds one run's scores (same loops and times as the profile).
    pub fn add(&mut self, scores: &LoopScores) {
        debug_assert_eq!(scores.loops.len(), self.loops);
        let rows = self.times.len().min(scores.times.len());
        for row in 0..rows {
            let base = row * self.loops;
            for (sum, s) in self.sums[base..base + self.loops]
                .iter_mut()
                .zip(scores.row(row))
            {
                *sum += s;
            }
            if let Some(d) = scores.dominant(row) {
                self.counts[base + d] += 1;
            }
        }
        self.runs += 1;
    }

    /// Adds every run of another profile over the same times and loops.
    pub fn merge(&mut self, other: &DominanceProfile) {
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a += b;
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.runs += other.runs;
    }

    /// Mean relative score of each loop at row `row` (zeros when no run was added).
    pub fn mean(&self, row: usize) -> Vec<f64> {
        let n = self.runs.max(1) as f64;
        let base = row * self.loops;
        self.sums[base..base + self.loops]
            .iter()
            .map(|s| s / n)
            .collect()
    }

    /// Share of the runs in which loop `l` dominates at row `row`.
    pub fn share(&self, row: usize, l: usize) -> f64 {
        self.counts[row * self.loops + l] as f64 / self.runs.max(1) as f64
    }

    /// The loop with the largest mean absolute relative score at row `row`.
    pub fn dominant(&self, row: usize) -> Option<usize> {
        dominant(&self.mean(row))
    }

    /// The phases of dominance: maximal stretches of save times with the same dominant loop.
    pub fn phases(&self) -> Vec<Phase> {
        let mut out: Vec<Phase> = Vec::new();
        for (row, &t) in self.times.iter().enumerate() {
            let d = self.dominant(row);
            match out.last_mut() {
                Some(p) if p.dominant == d => p.to = t,
                _ => out.push(Phase {
                    dominant: d,
                    from: t,
                    to: t,
                }),
            }
        }
        out
    }
}
