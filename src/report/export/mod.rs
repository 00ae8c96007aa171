//! Study exporters: one per output file format, and the single place where study files are written.
//!
//! Each [`Exporter`] turns a [`StudyResult`] into the bytes of one file. [`write_study`] asks
//! every exporter for its bytes first and only then writes, each file atomically, so a study
//! whose report cannot be produced leaves the output directory as it was.

mod calibration;
mod charts;
mod check;
mod comparison;
mod csv;
mod decision;
mod describe;
mod html;
mod json;
mod loop_dominance;
mod loops;
mod markdown;
mod names;
mod paired;
mod png;
pub mod reliability;
mod run;
mod shard;
mod sobol;
mod table;
mod takes;
mod terminal;

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod sample;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::montecarlo::result::StudyResult;
use crate::report::atomic::{StudyDir, StudyDirError};
use crate::report::charts::ChartError;

pub use calibration::{write_calibration, CalibrationOutput};
pub use check::check_text;
pub use comparison::{scenario_dirs, write_comparison};
pub use decision::{solve_json, sweep_csv, write_solve, write_sweep, SOLVE_JSON, SWEEP_CSV};
pub use loops::{loop_line, loops_csv, phase_lines, write_loops, LoopsOutput};
pub use names::slug;
pub use reliability::{FailedRunCheck, DEFAULT_MAX_FAILED};
pub use run::{display_name, trajectory_csv, write_run, RunOutput};
pub use shard::{write_shard, RECORDS, SHARD_JSON};
pub use terminal::{
    calibration_text, comparison_table, comparison_text, files_text, loops_text, shard_text,
    solution_text, stock_table_text, sweep_text, table_text, verdict_table, verdicts_text,
};

/// Why study files could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The study directory could not be prepared or put in place.
    #[error(transparent)]
    Dir(#[from] StudyDirError),
    /// A CSV table could not be encoded.
    #[error("cannot encode {file}: {source}")]
    Csv {
        /// The file being produced.
        file: String,
        /// The underlying error.
        source: ::csv::Error,
    },
    /// The JSON summary could not be encoded.
    #[error("cannot encode {file}: {source}")]
    Json {
        /// The file being produced.
        file: String,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The study's per-run data do not fit together (e.g. a target with fewer runs than another).
    #[error("inconsistent study data: {0}")]
    Inconsistent(String),
    /// A file or the output directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl From<ReportError> for Diagnostic {
    fn from(e: ReportError) -> Diagnostic {
        match e {
            ReportError::Chart(c) => c.into(),
            ReportError::Dir(d) => d.into(),
            ReportError::Io { .. } => Diagnostic::plain(e.to_string())
                .with_hint("check that the output directory is writable and the disk not full"),
            other => Diagnostic::plain(other.to_string()),
        }
    }
}

/// Produces one output file of a study.
pub trait Exporter {
    /// The file's name inside the output directory.
    fn file_name(&self) -> String;
    /// The file's complete contents.
    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError>;
}

/// Every file of a study's report, in the order they are written; `report.md` comes last.
///
/// Charts that would have nothing to show (a target whose metric is never finite, a study
/// without uncertain inputs) are left out here, and the Markdown report embeds exactly the
/// charts listed.
pub fn study_exporters(result: &StudyResult) -> Vec<Box<dyn Exporter>> {
    study_exporters_with(result, &ReportOptions::default())
}

/// Choices about how a study is reported that do not come from the study itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportOptions {
    /// Share of failed runs above which the verdicts are called unreliable (`--max-failed`).
    pub max_failed: f64,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            max_failed: DEFAULT_MAX_FAILED,
        }
    }
}

/// [`study_exporters`] with explicit options.
pub fn study_exporters_with(
    result: &StudyResult,
    options: &ReportOptions,
) -> Vec<Box<dyn Exporter>> {
    let plan = charts::plan(result);
    let mut out: Vec<Box<dyn Exporter>> = vec![
        Box::new(json::SummaryJson),
        Box::new(csv::PercentilesCsv),
        Box::new(csv::RunsCsv),
    ];
    let report = markdown::ReportMd {
        charts: plan.iter().map(|c| c.entry_for(result)).collect(),
        max_failed: options.max_failed,
    };
    out.extend(plan.into_iter().map(|c| Box::new(c) as Box<dyn Exporter>));
    if let Some(d) = &result.loops {
        for (target, split) in d.targets.iter().enumerate() {
            out.push(Box::new(loop_dominance::LoopChart {
                target,
                name: split.target.clone(),
            }));
        }
    }
    out.push(Box::new(report));
    out
}

/// Writes every file of the study's report into `dir` (created if missing) and returns their
/// paths.
///
/// Everything is rendered before anything is written: an error while rendering leaves `dir`
/// untouched. Each file is then replaced atomically.
pub fn write_study(result: &StudyResult, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_study_with(result, dir, &ReportOptions::default())
}

/// [`write_study`] with explicit options. Besides the exporters' files it writes
/// `report.html`, made from the rendered `report.md` and charts.
pub fn write_study_with(
    result: &StudyResult,
    dir: &Path,
    options: &ReportOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    write_files(dir, study_files(result, options)?)
}

/// Every file of one study, rendered in memory: the exporters' files and `report.html`.
fn study_files(
    result: &StudyResult,
    options: &ReportOptions,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    check_consistent(result)?;
    let mut files = render_all(&study_exporters_with(result, options), result)?;
    if let Some(page) = html_page(&files) {
        files.push((html::FILE.to_string(), page.into_bytes()));
    }
    Ok(files)
}

/// Writes a comparison: each scenario's study in its own folder of `dir`, then the
/// comparison files. Every file is rendered before any is written.
pub fn write_comparison_study(
    results: &[StudyResult],
    dir: &Path,
    options: &ReportOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut files = Vec::new();
    for (r, sub) in results.iter().zip(scenario_dirs(results)) {
        for (name, bytes) in study_files(r, options)? {
            files.push((format!("{sub}/{name}"), bytes));
        }
    }
    files.extend(comparison::comparison_files(results)?);
    write_files(dir, files)
}

/// `report.html` from the rendered `report.md`, with the rendered charts embedded.
fn html_page(files: &[(String, Vec<u8>)]) -> Option<String> {
    let md = files.iter().find(|f| f.0 == markdown::FILE)?;
    let md = String::from_utf8_lossy(&md.1);
    let image = |name: &str| {
        files
            .iter()
            .find(|f| f.0 == name && name.ends_with(".png"))
            .map(|f| f.1.clone())
    };
    Some(html::page(&md, &image))
}

/// Asks each exporter for its bytes, stopping at the first error.
fn render_all(
    exporters: &[Box<dyn Exporter>],
    result: &StudyResult,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    exporters
        .iter()
        .map(|e| Ok((e.file_name(), e.render(result)?)))
        .collect()
}

/// The one place output files reach the disk.
fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<Vec<PathBuf>, ReportError> {
    // Every file goes into a fresh sibling directory that replaces `dir` as a whole (see
    // [`StudyDir`]): a failure or an interrupt leaves the previous outputs complete.
    let out = StudyDir::begin(dir)?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        written.push(out.write(&name, &bytes)?);
    }
    out.commit()?;
    Ok(written)
}

/// `given` if set, else `outputs/<model>/<sub>` (`sub` is the scenario, or `run`, `compare`).
pub fn output_dir(given: Option<&Path>, model_name: &str, sub: &str) -> PathBuf {
    match given {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("outputs")
            .join(slug(model_name))
            .join(slug(sub)),
    }
}

/// Checks that the per-run vectors agree in length, so exporters can index them freely.
fn check_consistent(result: &StudyResult) -> Result<(), ReportError> {
    let s = &result.summary;
    let bad = |what: String| Err(ReportError::Inconsistent(what));
    if result.metrics.len() != s.targets.len() || result.hits.len() != s.targets.len() {
        return bad(format!(
            "{} targets but metrics for {} and hits for {}",
            s.targets.len(),
            result.metrics.len(),
            result.hits.len()
        ));
    }
    if result.input_values.len() != s.inputs.len() {
        return bad(format!(
            "{} inputs but values for {}",
            s.inputs.len(),
            result.input_values.len()
        ));
    }
    let runs = result
        .metrics
        .first()
        .or(result.input_values.first())
        .map_or(0, Vec::len);
    let lengths = result
        .metrics
        .iter()
        .chain(&result.input_values)
        .map(Vec::len)
        .chain(result.hits.iter().map(Vec::len));
    if let Some(n) = lengths.into_iter().find(|&n| n != runs) {
        return bad(format!("per-run data of {n} runs next to data of {runs}"));
    }
    let n = result.times.len();
    for b in &result.bands {
        if b.values.len() != s.percentiles.len() {
            return bad(format!(
                "variable `{}` has {} percentile series for {} percentiles",
                b.name,
                b.values.len(),
                s.percentiles.len()
            ));
        }
        if let Some(v) = b.values.iter().chain(&b.samples).find(|v| v.len() != n) {
            return bad(format!(
                "variable `{}` has a series of {} values for {n} times",
                b.name,
                v.len()
            ));
        }
    }
    Ok(())
}
