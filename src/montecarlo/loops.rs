//! Loop dominance over a study's runs (`mc --loops`): the first runs of the study run again,
//! with the same inputs and noise, each scored by [`crate::explain::LoopScorer`], and folded
//! into the dominance profiles of the runs that reach each target and of those that miss it.
//!
//! This is a second pass after the study, so a study without `--loops` costs nothing more.

use super::result::StudyResult;
use super::runner::Plan;
use super::streams::{Purpose, Streams};
use crate::analysis::LoopReport;
use crate::diagnostic::Diagnostic;
use crate::explain::{DominanceProfile, LoopDominance, LoopScorer, LoopScores, OutcomeSplit};
use crate::simulate::Simulation;
use rand::Rng;
use rayon::prelude::*;

/// Runs scored at once: enough to keep every core busy, few enough to bound the memory their
/// scores hold before they are folded.
const CHUNK: u64 = 32;

impl Plan<'_> {
    /// The dominance profiles of the first `max_runs` runs of this plan (whose study result
    /// is `result`), split by each target's outcome; `report` lists the loops scored, for
    /// the model of `names` (its variables in order).
    pub fn loop_dominance(
        &self,
        result: &StudyResult,
        report: &LoopReport,
        names: &[String],
        max_runs: u64,
    ) -> Result<LoopDominance, Diagnostic> {
        let scorer = LoopScorer::new(self.prog, names, report);
        let (first, runs) = self.range;
        let n = runs.min(max_runs);
        let inputs = self.input_rows(first, n)?;
        let streams = Streams::new(self.settings.seed());
        let times: Vec<f64> = {
            let (start, dt) = (self.prog.specs.start, self.prog.specs.dt);
            let per = self.prog.steps_per_save();
            (0..self.prog.saved_rows())
                .map(|r| start + (r * per) as f64 * dt)
                .collect()
        };
        let loops = scorer.loops().len();
        let mut splits: Vec<OutcomeSplit> = result
            .summary
            .targets
            .iter()
            .map(|t| OutcomeSplit {
                target: t.name.clone(),
                hit: DominanceProfile::new(&times, loops),
                miss: DominanceProfile::new(&times, loops),
            })
            .collect();
        let runs_of = result.runs();
        let hits: Vec<_> = runs_of
            .targets(0..runs_of.targets_held().min(splits.len()))?
            .into_iter()
            .map(|c| c.hits)
            .collect();
        // Index of each scored run among the study's counted (not failed) runs.
        let mut counted = 0usize;
        let mut scored = 0usize;
        let mut done = 0u64;
        while done < n {
            let count = CHUNK.min(n - done);
            let batch: Vec<Option<LoopScores>> = (done..done + count)
                .into_par_iter()
                .map_init(
                    || {
                        let mut sim = Simulation::new(self.prog);
                        if let Some(m) = self.settings.method {
                            sim.set_method(m);
                        }
                        sim
                    },
                    |sim, k| {
                        for (&p, &v) in self.params.iter().zip(inputs.row(k as usize)) {
                            sim.set_param(p, v);
                        }
                        let run = first + k;
                        sim.set_seed(streams.rng(run, Purpose::Noise).next_u64());
                        scorer.score(sim).ok()
                    },
                )
                .collect();
            for scores in batch.into_iter().flatten() {
                for (t, split) in splits.iter_mut().enumerate() {
                    match hits.get(t).and_then(|h| h.get(counted)) {
                        Some(true) => split.hit.add(&scores),
                        Some(false) => split.miss.add(&scores),
                        None => {}
                    }
                }
                counted += 1;
                scored += 1;
            }
            done += count;
        }
        Ok(LoopDominance {
            loops: scorer.loops().to_vec(),
            truncated: report.truncated,
            runs: scored,
            of: runs as usize,
            targets: splits,
        })
    }
}
