//! What a Monte Carlo study found: serialisable results, written to summary.json and read by
//! every report.

use crate::diagnostic::Diagnostic;
use crate::simulate::NumericFault;
use crate::study::Provenance;
use serde::Serialize;

/// The whole result of one study (one scenario).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Model name.
    pub model: String,
    /// Scenario name (`baseline` when none was chosen).
    pub scenario: String,
    /// Scenario description, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_doc: Option<String>,
    /// Runs attempted.
    pub runs: u64,
    /// Index of the first run (for studies split across machines).
    pub first_run: u64,
    /// Master seed.
    pub seed: u64,
    /// Sampling design: `random` or `lhs`.
    pub sampler: String,
    /// Integration method.
    pub method: String,
    /// Time unit of the model.
    pub time_unit: String,
    /// Verdict thresholds: P ≥ `likely` is likely, P < `unlikely` is unlikely.
    pub thresholds: Thresholds,
    /// Runs stopped by a numeric fault: they count as misses of every target (in each
    /// probability, its interval, the joint probability and the share never reaching a
    /// target) and are left out of the metric quantiles, bands and input influence.
    pub failed_runs: FailedRuns,
    /// The uncertain inputs.
    pub inputs: Vec<InputSummary>,
    /// One entry per target, in the order they were declared.
    pub targets: Vec<TargetSummary>,
    /// Probability that every target (that is not itself a group) is met in the same run.
    pub joint_probability: Probability,
    /// Where the numbers come from: files and their hashes, scenario, overrides, seed.
    pub provenance: Provenance,
    /// Percentile bands of tracked variables: see percentiles.csv.
    pub tracked: Vec<String>,
    /// Percentiles reported for tracked variables, in percent.
    pub percentiles: Vec<f64>,
}

/// Verdict thresholds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Thresholds {
    /// Probability at or above which a target is likely.
    pub likely: f64,
    /// Probability below which a target is unlikely.
    pub unlikely: f64,
}

impl Thresholds {
    /// The verdict for probability `p`.
    pub fn verdict(&self, p: f64) -> Verdict {
        if p >= self.likely {
            Verdict::Likely
        } else if p < self.unlikely {
            Verdict::Unlikely
        } else {
            Verdict::Uncertain
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            likely: 0.8,
            unlikely: 0.2,
        }
    }
}

/// Runs that failed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FailedRuns {
    /// How many.
    pub count: u64,
    /// The first few, with their messages.
    pub examples: Vec<FailedRun>,
}

/// One failed run: the numeric fault, named by the variable whose own equation produced it
/// and located at that equation.
#[derive(Debug, Clone, Serialize)]
pub struct FailedRun {
    /// Run index.
    pub run: u64,
    /// What went wrong, one sentence.
    pub message: String,
    /// The variable element whose equation produced the value (`name` or `name[element]`).
    pub variable: String,
    /// The time of the faulty evaluation.
    pub time: f64,
    /// The value it took (NaN or infinite; written as null in JSON).
    pub value: f64,
    /// Where that equation is written: `file:line:col` (or the file), when known.
    pub at: Option<String>,
    /// How to look for the cause.
    pub hint: Option<String>,
}

impl FailedRun {
    /// The failed run `run` from its fault's diagnostic.
    pub fn new(run: u64, fault: &NumericFault, diagnostic: &Diagnostic) -> FailedRun {
        let at = diagnostic
            .at
            .file
            .as_ref()
            .map(|f| match diagnostic.at.line {
                0 => f.path.clone(),
                line => format!("{}:{line}:{}", f.path, diagnostic.at.col),
            });
        FailedRun {
            run,
            message: diagnostic.message.clone(),
            variable: fault.variable.clone(),
            time: fault.time,
            value: fault.value,
            at,
            hint: diagnostic.hint.clone(),
        }
    }
}

/// A probability estimate with its 95 % Wilson interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Probability {
    /// Share of runs meeting the condition.
    pub probability: f64,
    /// 95 % Wilson score interval `[low, high]`.
    pub ci95: [f64; 2],
    /// Runs meeting it.
    pub successes: u64,
    /// Runs counted.
    pub runs: u64,
}

/// An uncertain input.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    /// Constant name.
    pub name: String,
    /// The constant's display label in the model, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Distribution, in the file syntax.
    pub distribution: String,
    /// Sample mean.
    pub mean: f64,
    /// Sample 5th, 50th and 95th percentiles.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Quantiles of a per-run quantity.
#[derive(Debug, Clone, Serialize)]
pub struct Quantiles {
    /// Mean over runs (finite values only).
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// When runs reach a target.
#[derive(Debug, Clone, Serialize)]
pub struct TimeToTarget {
    /// Quantiles of the first time the target's condition holds, over the runs that get there.
    pub quantiles: Option<Quantiles>,
    /// Share of runs that never get there within the run.
    pub never_share: f64,
}

/// How one input drives one target.
#[derive(Debug, Clone, Serialize)]
pub struct Influence {
    /// Input name.
    pub input: String,
    /// Spearman rank correlation between the input and the target's metric.
    pub spearman: Option<f64>,
    /// Partial rank correlation coefficient (controls for the other inputs).
    pub prcc: Option<f64>,
    /// Hit rate (share of runs meeting the target) by input quintile, lowest first.
    pub hit_rate_by_quintile: Vec<f64>,
}

/// Result for one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetSummary {
    /// Target name.
    pub name: String,
    /// Display label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The target as written.
    pub text: String,
    /// Probability of success.
    pub probability: f64,
    /// 95 % Wilson interval.
    pub ci95: [f64; 2],
    /// Runs meeting the target.
    pub successes: u64,
    /// Runs attempted, failed runs included (as misses).
    pub runs: u64,
    /// likely / uncertain / unlikely.
    pub verdict: Verdict,
    /// The threshold the metric is compared with, if the target is a comparison.
    pub threshold: Option<f64>,
    /// The comparison, e.g. `>=`.
    pub comparison: Option<String>,
    /// Quantiles of the target's metric over runs.
    pub metric: Quantiles,
    /// Time to target.
    pub time_to_target: TimeToTarget,
    /// For checkpoint series: probability that each period meets the threshold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub period_probabilities: Vec<f64>,
    /// Which inputs drive it, strongest first.
    pub influence: Vec<Influence>,
    /// The probability with each lever the model declares at its min and at its max (the
    /// other levers at their values), on the same runs; empty for a model without levers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levers: Vec<LeverSwing>,
}

/// A target's probability with one lever at the ends of its range.
#[derive(Debug, Clone, Serialize)]
pub struct LeverSwing {
    /// The lever (a constant the model declares as one).
    pub lever: String,
    /// Its lowest value.
    pub min: f64,
    /// Its highest value.
    pub max: f64,
    /// The target's probability with the lever at `min`.
    pub at_min: Probability,
    /// The target's probability with the lever at `max`.
    pub at_max: Probability,
}

/// How likely a target is to be reached, as judged against the report's two thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Probability at or above the "likely" threshold.
    Likely,
    /// Between the two thresholds.
    Uncertain,
    /// At or below the "unlikely" threshold.
    Unlikely,
}

impl Verdict {
    /// The lowercase word used in tables and legends.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Likely => "likely",
            Verdict::Uncertain => "uncertain",
            Verdict::Unlikely => "unlikely",
        }
    }
}
