//! Everything a study keeps for its reports: the summary plus the per-run data behind charts.

use super::per_run::RunColumns;
use super::spill::RecordsFile;
use super::summary::Summary;
use crate::targets::Target;
use std::sync::Arc;

/// Percentile bands of one tracked variable over time.
#[derive(Debug, Clone)]
pub struct TrackedBands {
    /// Column name (`name` or `name[element]`).
    pub name: String,
    /// Display label, if the model gives one.
    pub label: Option<String>,
    /// Unit, if the model gives one.
    pub unit: Option<String>,
    /// Values per requested percentile (same order as `Summary::percentiles`), each over time.
    pub values: Vec<Vec<f64>>,
    /// A few individual runs (the first runs of the study), each over time.
    pub samples: Vec<Vec<f64>>,
}

/// A finished study: its summary and the data its charts and tables need.
#[derive(Debug, Clone)]
pub struct StudyResult {
    /// The numbers, as written to summary.json.
    pub summary: Summary,
    /// The targets, as parsed (for markers on charts: thresholds, checkpoint dates).
    pub targets: Vec<Target>,
    /// Save times of the tracked variables.
    pub times: Vec<f64>,
    /// Bands of every tracked variable.
    pub bands: Vec<TrackedBands>,
    /// Per target, the metric of every counted run (same order as `summary.targets`), when
    /// the records are in memory (`records` is `None`); read them with [`StudyResult::runs`].
    pub metrics: Vec<Vec<f64>>,
    /// Per target, whether each counted run met it, when the records are in memory.
    pub hits: Vec<Vec<bool>>,
    /// Per input, the value of every counted run (same order as `summary.inputs`), when the
    /// records are in memory.
    pub input_values: Vec<Vec<f64>>,
    /// The per-run records of a study too large to keep them in memory (then `metrics`,
    /// `hits` and `input_values` are empty).
    pub records: Option<Arc<RecordsFile>>,
    /// Loop dominance in the runs that reach each target and in those that miss it
    /// (`mc --loops`).
    pub loops: Option<crate::explain::LoopDominance>,
}

impl StudyResult {
    /// The per-run columns, wherever they are kept.
    pub fn runs(&self) -> RunColumns<'_> {
        match &self.records {
            Some(f) => RunColumns::File(f),
            None => RunColumns::Memory {
                inputs: &self.input_values,
                metrics: &self.metrics,
                hits: &self.hits,
                times: None,
            },
        }
    }
}
