//! Partial rank correlations of a study whose records are on disk, without every input of
//! every run in memory: each input's ranks over the complete runs go to an unnamed
//! temporary file, column by column, and [`stats::prcc_stream`] sums their cross products
//! over chunks of rows, giving the in-memory numbers bit for bit.

use super::per_run::{column_ranges, RunColumns};
use super::spill::RecordsFile;
use crate::diagnostic::Diagnostic;
use crate::stats::prcc_stream::{prcc_from_file, RankFile};
use std::io;
use std::path::{Path, PathBuf};

/// The inputs' ranks of a records file, kept for the targets whose complete runs are the same.
pub(super) struct StreamedPrcc<'a> {
    records: &'a RecordsFile,
    dir: PathBuf,
    /// Per counted run: every input is a number.
    complete: Vec<bool>,
    /// The runs the ranks were taken over, and the ranks.
    ranked: Option<(Vec<bool>, RankFile)>,
    chunk_rows: usize,
}

impl<'a> StreamedPrcc<'a> {
    /// Ready to rank the inputs of `records`, in a temporary file in `dir`, reading
    /// `chunk_rows` runs of ranks at a time.
    pub(super) fn new(
        records: &'a RecordsFile,
        dir: &Path,
        chunk_rows: usize,
    ) -> Result<Self, Diagnostic> {
        let mut complete = Vec::with_capacity(records.runs() as usize);
        RunColumns::File(records).for_each_row(|inputs, _| {
            complete.push(inputs.iter().all(|v| !v.is_nan()));
            Ok(())
        })?;
        Ok(StreamedPrcc {
            records,
            dir: dir.to_path_buf(),
            complete,
            ranked: None,
            chunk_rows,
        })
    }

    /// The PRCC of each input with `metric` (one value per counted run), as
    /// [`crate::stats::prcc`] gives it, `None` for every input where it cannot be computed.
    pub(super) fn prcc(&mut self, metric: &[f64]) -> Result<Vec<Option<f64>>, Diagnostic> {
        let keep: Vec<bool> = self
            .complete
            .iter()
            .zip(metric)
            .map(|(c, m)| *c && !m.is_nan())
            .collect();
        if self.ranked.as_ref().is_none_or(|(k, _)| *k != keep) {
            // Drop the old ranks first: only one table is on disk at a time.
            self.ranked = None;
            let table = self.rank(&keep)?;
            self.ranked = Some((keep, table));
        }
        let (keep, table) = self.ranked.as_ref().expect("ranked above");
        let y: Vec<f64> = pick(metric, keep);
        let k = self.records.shape().inputs;
        match prcc_from_file(table, &y, self.chunk_rows) {
            Ok(r) => Ok(r.unwrap_or_else(|_| vec![None; k])),
            Err(e) => Err(self.fail(&e)),
        }
    }

    /// The ranks of every input over the runs of `keep`.
    fn rank(&self, keep: &[bool]) -> Result<RankFile, Diagnostic> {
        let fail = |e: io::Error| self.fail(&e);
        let file = tempfile::tempfile_in(&self.dir).map_err(fail)?;
        let mut table = RankFile::new(file, keep.iter().filter(|k| **k).count());
        let cols = RunColumns::File(self.records);
        for js in column_ranges(self.records.shape().inputs, cols.per_pass()) {
            for values in cols.inputs(js)? {
                table.push_column(&pick(&values, keep)).map_err(fail)?;
            }
        }
        Ok(table)
    }

    fn fail(&self, e: &io::Error) -> Diagnostic {
        Diagnostic::plain(format!(
            "cannot rank the study's inputs in a temporary file in {}: {e}",
            self.dir.display()
        ))
        .with_hint("check that the output directory's disk is writable and not full")
    }
}

/// The values of the runs of `keep`.
fn pick(values: &[f64], keep: &[bool]) -> Vec<f64> {
    values
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(v, _)| *v)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::spill::RecordsWriter;
    use crate::montecarlo::streams::{uniform_open01, Purpose, Streams};
    use crate::stats;

    #[test]
    fn prcc_from_the_records_file_equals_the_in_memory_one_whatever_runs_are_complete() {
        let dir = tempfile::tempdir().unwrap();
        let (n, k): (u64, usize) = (1300, 7);
        let mut rng = Streams::new(5).rng(0, Purpose::Other(0));
        let mut w = RecordsWriter::create(dir.path(), k, 3).unwrap();
        let mut inputs = vec![Vec::new(); k];
        let mut metrics = vec![Vec::new(); 3];
        for run in 0..n {
            let mut x: Vec<f64> = (0..k).map(|_| uniform_open01(&mut rng)).collect();
            if run == 17 {
                // A run with an input that is not a number takes part in no PRCC.
                x[4] = f64::NAN;
            }
            let y = x[0] * 3.0 - x[1] + uniform_open01(&mut rng);
            // Target 1 has undefined metrics in some runs, target 2 none, as target 0.
            let m = [y, if run.is_multiple_of(9) { f64::NAN } else { -y }, y * y];
            for (c, v) in inputs.iter_mut().zip(&x) {
                c.push(*v);
            }
            for (c, v) in metrics.iter_mut().zip(m) {
                c.push(v);
            }
            w.push(run, &x, m.iter().map(|v| (*v, *v > 1.0, None)))
                .unwrap();
        }
        let f = w.finish().unwrap();
        let mut s = StreamedPrcc::new(&f, dir.path(), 256).unwrap();
        for m in &metrics {
            let want = stats::prcc(&inputs, m).unwrap();
            assert!(want.iter().all(Option::is_some));
            let got = s.prcc(m).unwrap();
            let bits =
                |v: &[Option<f64>]| v.iter().map(|r| r.map(f64::to_bits)).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want));
        }
        // Two rank tables were made (targets 0 and 2 share one); none is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
