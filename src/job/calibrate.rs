//! `calibrate`: the uncertain inputs fitted to observed history → posterior summaries,
//! posterior.csv, fit charts and a report.

use super::{Progress, Written};
use crate::calibrate::{calibrate as fit, Calibration, Options, Problem};
use crate::diagnostic::Diagnostic;
use crate::report::export::{output_dir, write_calibration, CalibrationOutput};
use crate::study::provenance::FileStamp;
use crate::study::{Study, StudyRequest};
use anyhow::Context;
use std::path::PathBuf;

/// A calibration request.
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    /// The study (its baseline scenario is fitted).
    pub study: StudyRequest,
    /// The history: a CSV with `time`, then observed variables or `sum(RATE)` totals.
    pub data: PathBuf,
    /// The inputs to fit (empty: every continuous uncertain input).
    pub fit: Vec<String>,
    /// Sampler options; `seed` is replaced by the study's seed.
    pub options: Options,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Output directory (default: outputs/<model>/calibrate).
    pub out: Option<PathBuf>,
}

/// What `calibrate` produced.
#[derive(Debug)]
pub struct CalibrateOutcome {
    /// The posterior and its diagnostics.
    pub calibration: Calibration,
    /// The model's name.
    pub model: String,
    /// The command that re-forecasts with the posterior.
    pub reforecast: String,
    /// What was written.
    pub written: Written,
}

/// Runs `calibrate`.
pub fn calibrate(
    req: &CalibrateRequest,
    progress: &dyn Progress,
) -> anyhow::Result<CalibrateOutcome> {
    let study = Study::resolve(&req.study)?;
    let scenario = study.compile("baseline")?;
    let bytes = std::fs::read(&req.data).map_err(|e| {
        Diagnostic::plain(format!("cannot read {}: {e}", req.data.display()))
            .with_hint("--data names a CSV: time, then one column per observed variable")
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Diagnostic::plain(format!("{} is not UTF-8 text", req.data.display()))
            .with_hint("save the data as a UTF-8 CSV")
    })?;
    let fit_names = (!req.fit.is_empty()).then_some(req.fit.as_slice());
    let problem = Problem::new(&scenario, &req.data.display().to_string(), &text, fit_names)?;
    let options = Options {
        seed: study.settings.seed(),
        ..req.options.clone()
    };
    progress.phase("calibrate", options.generations as u64);
    let each = |done: usize, _: usize| progress.done(done as u64);
    let result = match req.threads {
        None => fit(&problem, &options, &each),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Diagnostic::plain(format!("cannot start {n} threads: {e}")))?
            .install(|| fit(&problem, &options, &each)),
    };
    progress.finish();
    let calibration = result.with_context(|| req.study.model.display().to_string())?;
    let dir = output_dir(req.out.as_deref(), &scenario.model.name, "calibrate");
    let reforecast = format!(
        "sandtable mc {} --posterior {}",
        req.study.model.display(),
        dir.join("posterior.csv").display()
    );
    let output = CalibrationOutput {
        calibration: &calibration,
        model: &scenario.model.name,
        time_unit: &scenario.model.sim.time_unit,
        model_file: scenario.provenance.model.clone(),
        data_file: FileStamp::of(&req.data, text.as_bytes()),
        reforecast: reforecast.clone(),
    };
    let files = write_calibration(&output, &dir).map_err(Diagnostic::from)?;
    Ok(CalibrateOutcome {
        calibration,
        model: scenario.model.name.clone(),
        reforecast,
        written: Written { dir, files },
    })
}
