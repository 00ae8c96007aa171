//! A shard directory: `shard.json` (the fingerprint), `records.bin` (every run, exactly) and
//! `runs.csv` (the counted runs for people: a `run` column, inputs, each target's metric and
//! hit), written together through the atomic study directory.

use super::csv::cell;
use super::{write_files, ReportError};
use crate::montecarlo::records::RunRecord;
use crate::montecarlo::runner::RunResult;
use crate::montecarlo::shard::ShardInfo;
use std::path::{Path, PathBuf};

/// The fingerprint's file name.
pub const SHARD_JSON: &str = "shard.json";
/// The records' file name.
pub const RECORDS: &str = "records.bin";

/// Writes a shard directory: `info`, the encoded `records_bin`, and `runs.csv` made from
/// `records` with `inputs` and `targets` as column names.
pub fn write_shard(
    dir: &Path,
    info: &ShardInfo,
    records_bin: Vec<u8>,
    records: &[RunRecord],
    inputs: &[String],
    targets: &[String],
) -> Result<Vec<PathBuf>, ReportError> {
    let json = super::json::pretty(info, SHARD_JSON)?;
    let csv = runs_csv(records, inputs, targets)?;
    write_files(
        dir,
        vec![
            (SHARD_JSON.to_string(), json),
            (RECORDS.to_string(), records_bin),
            (super::csv::RUNS.to_string(), csv),
        ],
    )
}

/// `runs.csv` of a shard: one row per counted run, led by its run index.
fn runs_csv(
    records: &[RunRecord],
    inputs: &[String],
    targets: &[String],
) -> Result<Vec<u8>, ReportError> {
    super::csv::table(super::csv::RUNS, |w| {
        let mut header = vec!["run".to_string()];
        header.extend(inputs.iter().cloned());
        for t in targets {
            header.push(format!("{t}.metric"));
            header.push(format!("{t}.hit"));
        }
        w.write_record(&header)?;
        for r in records {
            let RunResult::Done(outcomes, _) = &r.result else {
                continue;
            };
            let mut row = vec![r.run.to_string()];
            row.extend(r.inputs.iter().map(|&v| cell(v)));
            for o in outcomes {
                row.push(cell(o.metric));
                row.push(if o.success { "1" } else { "0" }.to_string());
            }
            w.write_record(&row)?;
        }
        Ok(())
    })
}
