//! Run settings of a study, given in layers — model file, then study files, then the command
//! line — and merged field by field, a later layer winning where it says something.

use super::Sampler;
use crate::diagnostic::Diagnostic;
use crate::model::Method;

/// Most runs in one study: every run keeps its inputs and target metrics in memory.
pub const MAX_RUNS: u64 = 10_000_000;

/// Runs when no layer sets `runs`.
pub const DEFAULT_RUNS: u64 = 10_000;

/// One layer of settings, or all layers merged; `None` means "not said here".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Number of runs (default [`DEFAULT_RUNS`]).
    pub runs: Option<u64>,
    /// Index of the first run, to split a study (default 0).
    pub first_run: Option<u64>,
    /// Master seed (default 1).
    pub seed: Option<u64>,
    /// Sampling design (default random).
    pub sampler: Option<Sampler>,
    /// Variables whose percentile bands are reported (default: the stocks).
    pub track: Option<Vec<String>>,
    /// Percentiles reported, in percent (default 5, 25, 50, 75, 95).
    pub percentiles: Option<Vec<f64>>,
    /// Probability at or above which a target is "likely" (default 0.8).
    pub likely: Option<f64>,
    /// Probability below which a target is "unlikely" (default 0.2).
    pub unlikely: Option<f64>,
    /// Individual runs drawn on fan charts (default 5).
    pub samples: Option<usize>,
    /// Integration method (default: the model's).
    pub method: Option<Method>,
    /// Share of failed runs above which the verdicts are unreliable (default 0.01).
    pub max_failed: Option<f64>,
    /// Whether `mc` also runs the Saltelli design for Sobol indices (default false).
    pub sobol: Option<bool>,
}

impl Settings {
    /// Lays `over` on top of `self`: every field `over` sets replaces this one's.
    pub fn merge(&mut self, over: &Settings) {
        fn lay<T: Clone>(slot: &mut Option<T>, over: &Option<T>) {
            if over.is_some() {
                slot.clone_from(over);
            }
        }
        lay(&mut self.runs, &over.runs);
        lay(&mut self.first_run, &over.first_run);
        lay(&mut self.seed, &over.seed);
        lay(&mut self.sampler, &over.sampler);
        lay(&mut self.track, &over.track);
        lay(&mut self.percentiles, &over.percentiles);
        lay(&mut self.likely, &over.likely);
        lay(&mut self.unlikely, &over.unlikely);
        lay(&mut self.samples, &over.samples);
        lay(&mut self.method, &over.method);
        lay(&mut self.max_failed, &over.max_failed);
        lay(&mut self.sobol, &over.sobol);
    }

    /// Whether to compute Sobol indices.
    pub fn sobol(&self) -> bool {
        self.sobol.unwrap_or(false)
    }

    /// Share of failed runs above which the verdicts are unreliable.
    pub fn max_failed(&self) -> f64 {
        self.max_failed.unwrap_or(0.01)
    }

    /// Runs to do.
    pub fn runs(&self) -> u64 {
        self.runs.unwrap_or(DEFAULT_RUNS)
    }

    /// Index of the first run.
    pub fn first_run(&self) -> u64 {
        self.first_run.unwrap_or(0)
    }

    /// Master seed.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(1)
    }

    /// Sampling design.
    pub fn sampler(&self) -> Sampler {
        self.sampler.unwrap_or_default()
    }

    /// Variables to track; empty means the stocks.
    pub fn track(&self) -> &[String] {
        self.track.as_deref().unwrap_or(&[])
    }

    /// Percentiles, in percent.
    pub fn percentiles(&self) -> Vec<f64> {
        self.percentiles
            .clone()
            .unwrap_or_else(|| vec![5.0, 25.0, 50.0, 75.0, 95.0])
    }

    /// The "likely" threshold.
    pub fn likely(&self) -> f64 {
        self.likely.unwrap_or(0.8)
    }

    /// The "unlikely" threshold.
    pub fn unlikely(&self) -> f64 {
        self.unlikely.unwrap_or(0.2)
    }

    /// Individual runs kept for fan charts.
    pub fn samples(&self) -> usize {
        self.samples.unwrap_or(5)
    }

    /// Checks the merged settings: run counts in range, thresholds ordered probabilities,
    /// percentiles within 0–100.
    pub fn validate(&self) -> Result<(), Diagnostic> {
        let runs = self.runs();
        if runs == 0 {
            return Err(Diagnostic::plain("a study needs at least one run")
                .with_hint("use --runs 1000 or more"));
        }
        if runs > MAX_RUNS {
            return Err(Diagnostic::plain(format!(
                "{runs} runs are more than one study keeps in memory (at most {MAX_RUNS})"
            ))
            .with_hint(format!(
                "split the study across invocations, e.g. --runs {MAX_RUNS} --first-run {MAX_RUNS}"
            )));
        }
        if self.first_run().checked_add(runs).is_none() {
            return Err(Diagnostic::plain(format!(
                "the first run {} plus {runs} runs is beyond the last run index",
                self.first_run()
            ))
            .with_hint("use a smaller --first-run"));
        }
        let (likely, unlikely) = (self.likely(), self.unlikely());
        if !(0.0..=1.0).contains(&likely) || !(0.0..=1.0).contains(&unlikely) || unlikely > likely {
            return Err(Diagnostic::plain(format!(
                "the verdict thresholds likely = {likely} and unlikely = {unlikely} are not probabilities from 0 to 1 with unlikely ≤ likely"
            ))
            .with_hint("e.g. --likely 0.8 --unlikely 0.2"));
        }
        if !(0.0..=1.0).contains(&self.max_failed()) {
            return Err(Diagnostic::plain(format!(
                "max_failed = {} is not a share from 0 to 1",
                self.max_failed()
            ))
            .with_hint("e.g. --max-failed 1% or max_failed = 0.01 in [study]"));
        }
        if let Some(p) = self
            .percentiles()
            .iter()
            .find(|p| !(0.0..=100.0).contains(*p))
        {
            return Err(
                Diagnostic::plain(format!("percentile {p} is outside 0–100"))
                    .with_hint("write the 95th percentile as 95"),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_field_by_field() {
        let mut model = Settings {
            runs: Some(100),
            seed: Some(7),
            ..Settings::default()
        };
        let study = Settings {
            seed: Some(9),
            likely: Some(0.9),
            ..Settings::default()
        };
        let cli = Settings {
            runs: Some(5),
            ..Settings::default()
        };
        model.merge(&study);
        model.merge(&cli);
        assert_eq!(model.runs(), 5);
        assert_eq!(model.seed(), 9);
        assert_eq!(model.likely(), 0.9);
        assert_eq!(model.unlikely(), 0.2);
    }

    #[test]
    fn thresholds_out_of_order_are_refused() {
        let s = Settings {
            likely: Some(0.1),
            unlikely: Some(0.5),
            ..Settings::default()
        };
        assert!(s.validate().is_err());
        assert!(Settings::default().validate().is_ok());
    }
}
