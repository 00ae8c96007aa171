//! Sobol sensitivity indices of every target's metric from a Saltelli design run through the
//! study's own runner.
//!
//! With `--runs N` and k uncertain inputs the design is N·(k + 2) runs:
//!
//! * A: the study's own N runs, drawn exactly as without `--sobol` — every probability and
//!   every other statistic of the report comes from these runs alone;
//! * B: N further rows, input `j` of row `r` the inverse CDF of one uniform from the input's
//!   own keyed stream (seed, run `first + r`, input name) under a purpose of its own, so B
//!   is independent of A and reproducible for any thread count;
//! * A_B^(i): A with column i replaced by B's, value for value.
//!
//! In-equation noise stays with the base row: A and every A_B^(i) row `r` use run
//! `first + r`'s noise, B its own stream; the noise then counts as part of "the rest" in
//! every total index. [`crate::stats::sobol`] estimates the indices.

use super::aggregate::Aggregator;
use super::result::StudyResult;
use super::runner::{noise_seed, Plan, RunView};
use super::sampling::InputMatrix;
use super::streams::{splitmix64, uniform_open01, Purpose, Streams};
use super::summary::{SobolBasis, SobolDesign, SobolIndexSummary};
use crate::diagnostic::Diagnostic;
use crate::stats::sobol::{sobol_indices, SaltelliOutputs, SobolGap, DEFAULT_RESAMPLES};
use rand::Rng;

/// Stream purpose of matrix B's input draws.
const B_INPUTS: Purpose = Purpose::Other(0x5_0b01);
/// Stream purpose of matrix B's in-equation noise.
const B_NOISE: Purpose = Purpose::Other(0x5_0b02);
/// Mixed into the seed for the bootstrap resamples.
const BOOTSTRAP: u64 = 0x5_0b03;

impl Plan<'_> {
    /// Checks the plan can be run as a Saltelli design: independent inputs drawn from their
    /// distributions (no rank correlations, no posterior rows), at least one input, at least
    /// two base runs, and no more runs in all than a study may hold.
    pub fn check_sobol(&self) -> Result<(), Diagnostic> {
        if self.design.correlated() {
            return Err(Diagnostic::plain(
                "--sobol needs independent inputs, but the study declares rank correlations between them",
            )
            .with_hint("Sobol indices apportion variance among independent inputs: remove the [correlations] for this study, or read the rank-correlation tornado instead"));
        }
        if self.posterior.is_some() {
            return Err(Diagnostic::plain(
                "--sobol cannot vary inputs drawn jointly from a posterior sample: its rows are not independent inputs",
            )
            .with_hint("run --sobol on the prior study, without --posterior"));
        }
        if self.params.is_empty() {
            return Err(
                Diagnostic::plain("--sobol needs at least one uncertain input").with_hint(
                    "give a constant a distribution, e.g. --vary \"q=uniform(0.2, 0.6)\"",
                ),
            );
        }
        let max = crate::study::MAX_RUNS;
        if self.sobol_runs() > max {
            return Err(Diagnostic::plain(format!(
                "--sobol with {} base runs and {} inputs needs {} runs, more than one study keeps in memory (at most {max})",
                self.range.1,
                self.params.len(),
                self.sobol_runs()
            ))
            .with_hint(format!(
                "use at most --runs {} with --sobol",
                max / (self.params.len() as u64 + 2)
            )));
        }
        if self.range.1 < 2 {
            return Err(Diagnostic::plain("--sobol needs at least 2 base runs")
                .with_hint("use --runs 1000 or more"));
        }
        Ok(())
    }

    /// Runs the study (matrix A, as [`Plan::execute`] does) and the Saltelli design's further
    /// N·(k + 1) runs, and adds each target's Sobol indices to the result. `progress` gets
    /// the runs done out of N·(k + 2).
    pub fn execute_sobol(
        &self,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<StudyResult, Diagnostic> {
        self.check_sobol()?;
        let (first, n) = self.range;
        let k = self.params.len();
        let targets = self.targets.len();
        let mut agg = Aggregator::new(self)?;
        let mut fa = vec![Vec::with_capacity(n as usize); targets];
        self.for_each_run(progress, &mut |run, inputs, view| {
            push_metrics(&mut fa, view);
            agg.push(run, inputs, view)
        })?;
        let mut result = agg.finish(self)?;

        let streams = Streams::new(self.settings.seed());
        let a = self.design.rows(first, n)?;
        let b = self.b_matrix(&streams, first, n);
        let mut done = n;
        let mut run_all = |m: &InputMatrix, noise: &(dyn Fn(usize) -> u64 + Sync)| {
            let mut out = vec![Vec::with_capacity(n as usize); targets];
            let base = done;
            self.run_matrix(m, n, noise, &|d| progress(base + d), &mut |_, _, view| {
                push_metrics(&mut out, view);
                Ok(())
            })?;
            done += n;
            Ok::<_, Diagnostic>(out)
        };
        let b_noise = |r: usize| streams.keyed(first + r as u64, B_NOISE, 0).next_u64();
        let fb = run_all(&b, &b_noise)?;
        let a_noise = |r: usize| noise_seed(&streams, first + r as u64);
        let mut fab: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(k); targets];
        for i in 0..k {
            let mut mix = a.clone();
            for r in 0..a.runs() {
                mix.set(r, i, b.row(r)[i]);
            }
            for (t, out) in run_all(&mix, &a_noise)?.into_iter().enumerate() {
                fab[t].push(out);
            }
        }

        let seed = splitmix64(self.settings.seed() ^ BOOTSTRAP);
        for (t, summary) in result.summary.targets.iter_mut().enumerate() {
            let outputs = SaltelliOutputs {
                a: &fa[t],
                b: &fb[t],
                ab: &fab[t],
            };
            match sobol_indices(outputs, DEFAULT_RESAMPLES, splitmix64(seed ^ t as u64)) {
                Ok(e) => {
                    summary.sobol = self
                        .input_names
                        .iter()
                        .zip(&e.indices)
                        .map(|(name, x)| SobolIndexSummary {
                            input: name.clone(),
                            first: x.first,
                            total: x.total,
                            first_ci95: x.first_ci95,
                            total_ci95: x.total_ci95,
                            first_se: x.first_se,
                            total_se: x.total_se,
                        })
                        .collect();
                    summary.sobol_basis = Some(SobolBasis {
                        on_ranks: e.on_ranks,
                        rows: e.rows as u64,
                        note: None,
                    });
                }
                Err(gap) => {
                    summary.sobol_basis = Some(SobolBasis {
                        on_ranks: false,
                        rows: 0,
                        note: Some(
                            match gap {
                                SobolGap::NoVariance => "the metric takes one value in every run",
                                SobolGap::TooFewRows => {
                                    "fewer than two rows ran without failing in every matrix"
                                }
                            }
                            .to_string(),
                        ),
                    });
                }
            }
        }
        result.summary.sobol = Some(SobolDesign {
            base_runs: n,
            inputs: k as u64,
            total_runs: n.saturating_mul(k as u64 + 2),
            resamples: DEFAULT_RESAMPLES as u64,
        });
        Ok(result)
    }

    /// As [`Plan::execute_sobol`], on a pool of `threads` worker threads (`None`: every
    /// core). The numbers do not depend on the thread count.
    pub fn execute_sobol_on(
        &self,
        threads: Option<usize>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<StudyResult, Diagnostic> {
        super::runner::on_pool(threads, || self.execute_sobol(progress))
    }

    /// Runs in the whole Saltelli design: N·(k + 2).
    pub fn sobol_runs(&self) -> u64 {
        self.range.1.saturating_mul(self.params.len() as u64 + 2)
    }

    /// Matrix B: each input's inverse CDF at a uniform from its own keyed stream.
    fn b_matrix(&self, streams: &Streams, first: u64, n: u64) -> InputMatrix {
        let dists = self.design.distributions();
        let keys = self.design.keys();
        let data = (first..first + n)
            .flat_map(|run| {
                dists.iter().zip(keys).map(move |(d, &key)| {
                    d.quantile(uniform_open01(&mut streams.keyed(run, B_INPUTS, key)))
                })
            })
            .collect();
        InputMatrix::from_rows(first, dists.len(), data)
    }
}

/// Appends each target's metric of one run; a failed run's metrics are undefined (`NaN`),
/// which drops its row from the estimators.
fn push_metrics(out: &mut [Vec<f64>], view: RunView) {
    match view {
        RunView::Done(outcomes, _) => {
            for (m, o) in out.iter_mut().zip(outcomes) {
                m.push(o.metric);
            }
        }
        RunView::Failed(_) => out.iter_mut().for_each(|m| m.push(f64::NAN)),
    }
}
