//! A shard directory: `shard.json` (the fingerprint), `records.bin` (every run, exactly) and
//! `runs.csv` (the counted runs for people: a `run` column, inputs, each target's metric and
//! hit), written together through the atomic study directory as the runs come, so a shard
//! holds one run at a time whatever its size.

use super::csv::{runs_header, runs_table, set_run_cells, RUNS};
use super::ReportError;
use crate::montecarlo::records::{self, RecordShape};
use crate::montecarlo::runner::RunView;
use crate::montecarlo::shard::ShardInfo;
use crate::report::atomic::{StudyDir, StudyDirError};
use crate::study::provenance::hex;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The fingerprint's file name.
pub const SHARD_JSON: &str = "shard.json";
/// The records' file name.
pub const RECORDS: &str = "records.bin";

/// Where one run's record goes, in run order.
pub type RecordSink<'a, E> = dyn FnMut(u64, &[f64], RunView) -> Result<(), E> + Send + 'a;

/// What [`write_shard`] wrote.
#[derive(Debug)]
pub struct WrittenShard {
    /// The files, at the paths they have once in place.
    pub files: Vec<PathBuf>,
    /// The shard's failed runs.
    pub failed: u64,
    /// The fingerprint written to `shard.json`.
    pub info: ShardInfo,
}

/// Writes a shard directory at `dir`: `run_all` hands every run of the shard (`runs` of
/// them, of `shape`) to its sink in run order; each is encoded into `records.bin` and, if
/// counted, a row of `runs.csv` (`columns`: input and target names) at once. `info` then
/// makes the fingerprint from the records' SHA-256. Nothing shows at `dir` unless all of it
/// was written.
pub fn write_shard<E>(
    dir: &Path,
    shape: RecordShape,
    runs: u64,
    columns: (&[String], &[String]),
    run_all: impl FnOnce(&mut RecordSink<'_, E>) -> Result<(), E>,
    info: impl FnOnce(String) -> ShardInfo,
) -> Result<WrittenShard, E>
where
    E: From<StudyDirError> + From<ReportError> + Send,
{
    let out = StudyDir::begin(dir)?;
    let records_at = out.path().join(RECORDS);
    let io = |source| StudyDirError::Io {
        path: records_at.clone(),
        source,
    };
    let csv_err = |source| ReportError::Csv {
        file: RUNS.to_string(),
        source,
    };
    let mut hash = Sha256::new();
    let mut failed = 0;
    let mut runs_csv = PathBuf::new();
    let records_bin = out.write_with(RECORDS, |bin: &mut (dyn Write + Send)| {
        let head = records::header(shape, runs);
        hash.update(&head);
        bin.write_all(&head).map_err(io)?;
        out.write_with(RUNS, |csv_out: &mut (dyn Write + Send)| {
            let (inputs, targets) = columns;
            let mut header = vec!["run".to_string()];
            header.extend(runs_header(
                inputs.iter().map(String::as_str),
                targets.iter().map(String::as_str),
            ));
            let mut table = runs_table(csv_out, &header)?;
            let mut buf = Vec::new();
            let mut row: Vec<String> = Vec::with_capacity(header.len());
            run_all(&mut |run, inputs, view| {
                buf.clear();
                records::encode_run(&mut buf, run, inputs, view);
                hash.update(&buf);
                bin.write_all(&buf).map_err(io)?;
                match view {
                    RunView::Done(outcomes, _) => {
                        if row.is_empty() {
                            row.push(String::new());
                        }
                        row[0].clear();
                        use std::fmt::Write as _;
                        // Writing to a String cannot fail.
                        let _ = write!(row[0], "{run}");
                        let cells = outcomes.iter().map(|o| (o.metric, o.success));
                        set_run_cells(&mut row, 1, inputs, cells);
                        table.write_record(&row).map_err(csv_err)?;
                    }
                    RunView::Failed(_) => failed += 1,
                }
                Ok(())
            })?;
            table.flush().map_err(|e| csv_err(e.into()))?;
            Ok::<(), E>(())
        })
        .map(|path| runs_csv = path)
    })?;
    let sha = hex(&hash.finalize());
    let info = info(sha);
    let json = super::json::pretty(&info, SHARD_JSON)?;
    let files = vec![out.write(SHARD_JSON, &json)?, records_bin, runs_csv];
    out.commit()?;
    Ok(WrittenShard {
        files,
        failed,
        info,
    })
}
