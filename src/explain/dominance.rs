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

    /// The phases of dominance (see [`phases`]), by the mean scores.
    pub fn phases(&self, window: usize) -> Vec<Phase> {
        let dominant = smoothed_dominant(self.times.len(), self.loops, window, |r| self.mean(r));
        phases(&self.times, &dominant)
    }
}

/// The dominant loop at each of `rows` save times, by the mean of `row(r)` over the `window`
/// save times centred on it (a loop leading for a moment, as noise or a crossing makes it,
/// does not break a phase).
pub fn smoothed_dominant<R: AsRef<[f64]>>(
    rows: usize,
    loops: usize,
    window: usize,
    row: impl Fn(usize) -> R,
) -> Vec<Option<usize>> {
    let half = window / 2;
    let all: Vec<R> = (0..rows).map(row).collect();
    let mut mean = vec![0.0; loops];
    (0..rows)
        .map(|r| {
            let (lo, hi) = (r.saturating_sub(half), (r + half + 1).min(rows));
            mean.fill(0.0);
            for scores in &all[lo..hi] {
                for (m, s) in mean.iter_mut().zip(scores.as_ref()) {
                    *m += s;
                }
            }
            dominant(&mean)
        })
        .collect()
}

/// Stretches of time with one dominant loop, from the dominant loop at each save time.
pub fn phases(times: &[f64], dominant: &[Option<usize>]) -> Vec<Phase> {
    let mut out: Vec<Phase> = Vec::new();
    for (&t, &d) in times.iter().zip(dominant) {
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

/// Loop dominance of a study's runs, split by each target's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopDominance {
    /// The loops, in column order.
    pub loops: Vec<super::ScoredLoop>,
    /// Whether the model has more loops than were scored.
    pub truncated: bool,
    /// Runs scored (the first runs of the study; failed runs left out).
    pub runs: usize,
    /// Runs of the study in all.
    pub of: usize,
    /// One split per target, in the study's target order.
    pub targets: Vec<OutcomeSplit>,
}

/// The dominance profiles of the runs that reach one target and of those that miss it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeSplit {
    /// Target name.
    pub target: String,
    /// Runs that reach it.
    pub hit: DominanceProfile,
    /// Runs that miss it.
    pub miss: DominanceProfile,
}
