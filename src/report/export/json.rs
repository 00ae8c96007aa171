//! `summary.json`: the study summary for programs, exactly as [`Summary`] serialises.
//!
//! serde_json writes NaN and infinities as `null`, so an undefined statistic (e.g. the mean
//! time to a target no run reached) keeps the file valid JSON.
//!
//! [`Summary`]: crate::montecarlo::summary::Summary

use super::{Exporter, ReportError};
use crate::montecarlo::result::StudyResult;

/// Writes `summary.json`.
pub(crate) struct SummaryJson;

/// The summary file's name.
pub(crate) const FILE: &str = "summary.json";

impl Exporter for SummaryJson {
    fn file_name(&self) -> String {
        FILE.to_string()
    }

    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError> {
        pretty(&result.summary, FILE)
    }
}

/// `value` as indented JSON with a final newline.
pub(crate) fn pretty<T: serde::Serialize>(value: &T, file: &str) -> Result<Vec<u8>, ReportError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|source| ReportError::Json {
        file: file.to_string(),
        source,
    })?;
    text.push('\n');
    Ok(text.into_bytes())
}
