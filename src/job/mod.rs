//! Each command's whole pipeline as one library call: a typed request in, a typed outcome out.
//!
//! A job resolves the study, compiles, runs, aggregates and writes its outputs through the
//! report layer; the command line only maps its flags to the request, shows progress through
//! [`Progress`] and prints the outcome. Tests and other programs call the same functions.

pub mod calibrate;
pub mod decide;
pub mod progress;
pub mod run;
pub mod study;

pub use progress::{Progress, Silent};

use crate::montecarlo::result::StudyResult;
use crate::report::export::FailedRunCheck;
use std::path::PathBuf;

/// The outputs are written, but too many runs failed for the verdicts to be trusted.
#[derive(Debug, Clone, thiserror::Error)]
#[error("warning: {0}")]
pub struct Unreliable(pub String);

/// What a job wrote: its directory and files.
#[derive(Debug, Clone)]
pub struct Written {
    /// The output directory.
    pub dir: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
}

/// The first study whose failed runs exceed `max_failed`, as a warning for the caller.
pub fn reliability(results: &[&StudyResult], max_failed: f64) -> Option<Unreliable> {
    results.iter().find_map(|r| {
        let check = FailedRunCheck::new(&r.summary, max_failed);
        check.unreliable().then(|| {
            let why = check.sentence().unwrap_or_default();
            Unreliable(format!(
                "scenario {}: {why}\n  hint: find the fault with `sandtable run MODEL` at the inputs' typical values, or raise --max-failed",
                r.summary.scenario
            ))
        })
    })
}
