//! Study exporters: one per output file format, and the single place where study files are written.
//!
//! Each [`Exporter`] turns a [`StudyResult`] into the bytes of one file. [`write_study`] asks
//! every exporter for its bytes first and only then writes, into a new directory that
//! replaces the old one whole, so a study whose report cannot be produced leaves the output
//! directory as it was. `runs.csv`, as large as the study, is the exception: it is written row
//! by row from the study's records into that new directory.

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
pub use shard::{write_shard, RecordSink, WrittenShard, RECORDS, SHARD_JSON};
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
    /// The study's per-run records could not be read back.
    #[error("cannot read the study's per-run records: {0}")]
    Records(String),
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
    write_bodies(dir, study_files(result, options)?)
}

/// What one output file holds: its rendered bytes, or a study whose `runs.csv` is
/// written row by row from its records as the file is written.
pub(crate) enum Body<'a> {
    /// The whole file.
    Bytes(Vec<u8>),
    /// `runs.csv` of this study.
    Runs(&'a StudyResult),
}

/// Every file of one study: the exporters' files and `report.html`, rendered in memory, but
/// `runs.csv` (as large as the study), which is written from the records.
fn study_files<'r>(
    result: &'r StudyResult,
    options: &ReportOptions,
) -> Result<Vec<(String, Body<'r>)>, ReportError> {
    check_consistent(result)?;
    let exporters = study_exporters_with(result, options);
    let mut files = Vec::with_capacity(exporters.len() + 1);
    for e in &exporters {
        let name = e.file_name();
        let body = if name == csv::RUNS {
            Body::Runs(result)
        } else {
            Body::Bytes(e.render(result)?)
        };
        files.push((name, body));
    }
    let page = html_page(|name| {
        files.iter().find_map(|(n, b)| match b {
            Body::Bytes(bytes) if n == name => Some(bytes.as_slice()),
            _ => None,
        })
    });
    if let Some(page) = page {
        files.push((html::FILE.to_string(), Body::Bytes(page.into_bytes())));
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
        for (name, body) in study_files(r, options)? {
            files.push((format!("{sub}/{name}"), body));
        }
    }
    files.extend(
        comparison::comparison_files(results)?
            .into_iter()
            .map(|(name, bytes)| (name, Body::Bytes(bytes))),
    );
    write_bodies(dir, files)
}

/// `report.html` from the rendered `report.md`, with the rendered charts embedded; `file`
/// gives a rendered file's bytes by name.
fn html_page<'f>(file: impl Fn(&str) -> Option<&'f [u8]>) -> Option<String> {
    let md = String::from_utf8_lossy(file(markdown::FILE)?);
    let image = |name: &str| {
        name.ends_with(".png")
            .then(|| file(name).map(<[u8]>::to_vec))
            .flatten()
    };
    Some(html::page(&md, &image))
}

/// Writes rendered files into `dir` (see [`write_bodies`]).
fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<Vec<PathBuf>, ReportError> {
    write_bodies(
        dir,
        files
            .into_iter()
            .map(|(name, bytes)| (name, Body::Bytes(bytes)))
            .collect(),
    )
}

/// The one place output files reach the disk.
fn write_bodies(dir: &Path, files: Vec<(String, Body)>) -> Result<Vec<PathBuf>, ReportError> {
    // Every file goes into a fresh sibling directory that replaces `dir` as a whole (see
    // [`StudyDir`]): a failure or an interrupt leaves the previous outputs complete, and
    // `runs.csv`, written row by row, shows only whole.
    let out = StudyDir::begin(dir)?;
    let mut written = Vec::with_capacity(files.len());
    for (name, body) in files {
        written.push(match body {
            Body::Bytes(bytes) => out.write(&name, &bytes)?,
            Body::Runs(result) => out.write_with(&name, |w| csv::write_runs(result, w))?,
        });
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
    if let Some(f) = &result.records {
        let shape = f.shape();
        if (shape.inputs, shape.targets) != (s.inputs.len(), s.targets.len()) {
            return bad(format!(
                "{} inputs and {} targets but records of {} and {}",
                s.inputs.len(),
                s.targets.len(),
                shape.inputs,
                shape.targets
            ));
        }
    } else if result.metrics.len() != s.targets.len() || result.hits.len() != s.targets.len() {
        return bad(format!(
            "{} targets but metrics for {} and hits for {}",
            s.targets.len(),
            result.metrics.len(),
            result.hits.len()
        ));
    }
    if result.records.is_none() && result.input_values.len() != s.inputs.len() {
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
