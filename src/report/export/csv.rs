//! CSV tables for spreadsheets: `percentiles.csv` (tracked variables over time, long form) and
//! `runs.csv` (one row per counted run: inputs, each target's metric and whether it was met).
//!
//! Numbers are written in full precision (shortest text that reads back to the same value);
//! NaN is an empty cell and infinities are `inf` / `-inf`, which spreadsheets keep as text.
//! A table holding non-ASCII text (Chinese names) starts with a UTF-8 byte order mark, without
//! which Excel reads the file in the local code page and garbles the names; pure-ASCII tables
//! stay mark-free for tools that do not expect one.

use ::csv::Writer;
use std::io::Write;

use super::{Exporter, ReportError};
use crate::montecarlo::result::StudyResult;
use crate::report::format;

/// Writes `percentiles.csv`: `variable,time,p5,p25,...` with one row per variable and time.
pub(crate) struct PercentilesCsv;

/// Writes `runs.csv`.
pub(crate) struct RunsCsv;

/// The percentile table's file name.
pub(crate) const PERCENTILES: &str = "percentiles.csv";
/// The per-run table's file name.
pub(crate) const RUNS: &str = "runs.csv";

/// A number cell.
pub(crate) fn cell(v: f64) -> String {
    let mut text = String::new();
    write_cell(&mut text, v);
    text
}

/// Appends number cell `v` to `out`.
fn write_cell(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    if v.is_nan() {
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "inf" } else { "-inf" });
    } else {
        // `{}` on f64 is the shortest representation that parses back to the same value.
        // Writing to a String cannot fail.
        let _ = write!(out, "{v}");
    }
}

/// The column name of percentile `p` (in percent): `5` → `p5`, `2.5` → `p2.5`.
pub(crate) fn percentile_column(p: f64) -> String {
    format!("p{}", format::number(p).replace(',', ""))
}

/// Runs `fill` on a CSV writer into memory; errors name `file`.
pub(crate) fn table<F>(file: &str, fill: F) -> Result<Vec<u8>, ReportError>
where
    F: FnOnce(&mut Writer<Vec<u8>>) -> Result<(), ::csv::Error>,
{
    let err = |source| ReportError::Csv {
        file: file.to_string(),
        source,
    };
    let mut w = Writer::from_writer(Vec::new());
    fill(&mut w).map_err(err)?;
    let bytes = w.into_inner().map_err(|e| err(e.into_error().into()))?;
    Ok(if bytes.is_ascii() {
        bytes
    } else {
        [BOM, bytes.as_slice()].concat()
    })
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Exporter for PercentilesCsv {
    fn file_name(&self) -> String {
        PERCENTILES.to_string()
    }

    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError> {
        table(PERCENTILES, |w| {
            let mut header = vec!["variable".to_string(), "time".to_string()];
            header.extend(
                result
                    .summary
                    .percentiles
                    .iter()
                    .map(|&p| percentile_column(p)),
            );
            w.write_record(&header)?;
            for band in &result.bands {
                for (i, &t) in result.times.iter().enumerate() {
                    let mut row = vec![band.name.clone(), cell(t)];
                    row.extend(
                        band.values
                            .iter()
                            .map(|series| cell(series.get(i).copied().unwrap_or(f64::NAN))),
                    );
                    w.write_record(&row)?;
                }
            }
            Ok(())
        })
    }
}

impl Exporter for RunsCsv {
    fn file_name(&self) -> String {
        RUNS.to_string()
    }

    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError> {
        let mut out = Vec::new();
        write_runs(result, &mut out)?;
        Ok(out)
    }
}

/// The header of a `runs.csv`: the inputs, then each target's metric and hit.
pub(crate) fn runs_header<'a>(
    inputs: impl Iterator<Item = &'a str>,
    targets: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let mut header: Vec<String> = inputs.map(str::to_string).collect();
    for t in targets {
        header.push(format!("{t}.metric"));
        header.push(format!("{t}.hit"));
    }
    header
}

/// Starts a `runs.csv` on `out` with `header`. Every cell after the header is a number or a
/// hit (ASCII), so the byte order mark [`table`] puts before a non-ASCII table is due
/// exactly when the header is not ASCII.
pub(crate) fn runs_table<W: Write>(
    mut out: W,
    header: &[String],
) -> Result<Writer<W>, ReportError> {
    let err = |source| ReportError::Csv {
        file: RUNS.to_string(),
        source,
    };
    if !header.iter().all(|h| h.is_ascii()) {
        out.write_all(BOM).map_err(|e| err(e.into()))?;
    }
    let mut w = Writer::from_writer(out);
    w.write_record(header).map_err(err)?;
    Ok(w)
}

/// Sets one run's cells of `runs.csv` in `row` from position `from` on (the cells before it
/// are left alone), and ends the row after them: its inputs, then each target's metric and
/// hit. The strings of the previous row are reused, so a table of a million rows formats
/// its numbers without allocating.
pub(crate) fn set_run_cells(
    row: &mut Vec<String>,
    from: usize,
    inputs: &[f64],
    outcomes: impl Iterator<Item = (f64, bool)>,
) {
    /// Cell `at` of `row`, emptied (added when the row is shorter).
    fn cell_at(row: &mut Vec<String>, at: usize) -> &mut String {
        if row.len() <= at {
            row.resize_with(at + 1, String::new);
        }
        row[at].clear();
        &mut row[at]
    }
    let mut at = from;
    for &v in inputs {
        write_cell(cell_at(row, at), v);
        at += 1;
    }
    for (m, h) in outcomes {
        write_cell(cell_at(row, at), m);
        cell_at(row, at + 1).push(if h { '1' } else { '0' });
        at += 2;
    }
    row.truncate(at);
}

/// Writes `runs.csv` to `out` row by row, reading the runs from wherever the study keeps
/// them, so the table is never whole in memory.
pub(crate) fn write_runs(result: &StudyResult, out: &mut dyn Write) -> Result<(), ReportError> {
    let s = &result.summary;
    let err = |source| ReportError::Csv {
        file: RUNS.to_string(),
        source,
    };
    let inputs = s.inputs.iter().map(|i| i.name.as_str());
    let header = runs_header(inputs, s.targets.iter().map(|t| t.name.as_str()));
    let mut w = runs_table(out, &header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    let mut failed = None;
    result
        .runs()
        .for_each_row(|inputs, outcomes| {
            set_run_cells(&mut row, 0, inputs, outcomes.iter().copied());
            w.write_record(&row).map_err(|e| {
                let d = crate::diagnostic::Diagnostic::plain(e.to_string());
                failed = Some(e);
                d
            })
        })
        .map_err(|d| match failed.take() {
            Some(e) => err(e),
            None => ReportError::Records(d.message),
        })?;
    w.flush().map_err(|e| err(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_cells_reuse_the_row_and_end_it() {
        let mut row = vec!["run".to_string()];
        set_run_cells(
            &mut row,
            1,
            &[0.5, f64::NAN],
            [(3.0, true), (-2.5e-3, false)].into_iter(),
        );
        assert_eq!(row, ["run", "0.5", "", "3", "1", "-0.0025", "0"]);
        // A shorter row after a longer one: no cell of the one before is left over.
        set_run_cells(
            &mut row,
            1,
            &[f64::INFINITY],
            [(0.1 + 0.2, false)].into_iter(),
        );
        assert_eq!(row, ["run", "inf", "0.30000000000000004", "0"]);
        set_run_cells(&mut row, 0, &[], std::iter::empty());
        assert!(row.is_empty());
    }

    #[test]
    fn cells_round_trip_and_mark_non_finite() {
        for v in [0.1 + 0.2, 1.2e6, -3.5e-12, 12345.678901234567] {
            assert_eq!(cell(v).parse::<f64>().unwrap(), v);
        }
        assert_eq!(cell(f64::NAN), "");
        assert_eq!(cell(f64::INFINITY), "inf");
        assert_eq!(cell(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn byte_order_mark_only_for_non_ascii_tables() {
        let ascii = table("t.csv", |w| w.write_record(["a", "b"])).unwrap();
        assert_eq!(ascii, b"a,b\n");
        let cjk = table("t.csv", |w| w.write_record(["粉丝", "b"])).unwrap();
        assert!(cjk.starts_with(BOM));
        // The csv crate, like Excel and pandas, takes the mark off again.
        let mut r = ::csv::Reader::from_reader(cjk.as_slice());
        assert_eq!(&r.headers().unwrap()[0], "粉丝");
    }

    #[test]
    fn percentile_columns() {
        assert_eq!(percentile_column(5.0), "p5");
        assert_eq!(percentile_column(2.5), "p2.5");
        assert_eq!(percentile_column(97.5), "p97.5");
        assert_eq!(percentile_column(50.0), "p50");
    }
}
