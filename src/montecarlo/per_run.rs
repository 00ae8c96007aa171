//! Each counted run's inputs and target outcomes: kept in memory while a study is small,
//! moved to a records file ([`super::spill`]) once they would pass a memory budget, and read
//! back as columns, a few at a time, for the statistics that need every run.
//!
//! Both places hold the same numbers bit for bit and hand out the same columns, so a study's
//! statistics do not depend on where its records were kept.

use super::runner::RunResult;
use super::spill::{RecordsFile, RecordsWriter};
use crate::diagnostic::Diagnostic;
use crate::targets::Outcome;
use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// Per-run records kept in memory before they go to a file.
pub const DEFAULT_MEMORY_BUDGET: usize = 16 << 20;

/// Bytes of columns a pass over a records file gathers at most, for inputs and for targets
/// each. Each pass parses every record, so fewer, larger passes make the statistics of a
/// large study faster: at 64 MiB a million-run reference study took 63 passes and four
/// minutes after its runs, at 128 MiB 20 passes, with a peak resident set still under
/// 512 MB (docs/performance.md).
const PASS_BYTES: usize = 128 << 20;

/// Where a study keeps its per-run records.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordsPolicy {
    /// Directory of the records file, once the records go to one (created if missing).
    pub dir: PathBuf,
    /// Bytes of per-run records kept in memory; beyond, they go to the file.
    pub memory_budget: usize,
}

impl Default for RecordsPolicy {
    fn default() -> Self {
        RecordsPolicy {
            dir: std::env::temp_dir(),
            memory_budget: DEFAULT_MEMORY_BUDGET,
        }
    }
}

/// Per-run columns held in memory: per input its values, per target its metrics, hits and
/// times to target, one entry per counted run.
#[derive(Debug, Clone, Default)]
pub(super) struct Columns {
    pub(super) runs: Vec<u64>,
    pub(super) inputs: Vec<Vec<f64>>,
    pub(super) metrics: Vec<Vec<f64>>,
    pub(super) hits: Vec<Vec<bool>>,
    pub(super) times: Vec<Vec<Option<f64>>>,
}

/// The records of a study being folded.
pub(super) enum PerRun {
    /// In memory, until `policy.memory_budget` is reached.
    Memory(Columns, RecordsPolicy),
    /// In a file.
    File(RecordsWriter),
}

impl PerRun {
    pub(super) fn new(inputs: usize, targets: usize, policy: RecordsPolicy) -> PerRun {
        PerRun::Memory(
            Columns {
                runs: Vec::new(),
                inputs: vec![Vec::new(); inputs],
                metrics: vec![Vec::new(); targets],
                hits: vec![Vec::new(); targets],
                times: vec![Vec::new(); targets],
            },
            policy,
        )
    }

    /// Adds one counted run.
    pub(super) fn push(
        &mut self,
        run: u64,
        inputs: &[f64],
        outcomes: &[Outcome],
    ) -> Result<(), Diagnostic> {
        let outs = || {
            outcomes
                .iter()
                .map(|o| (o.metric, o.success, o.time_to_target))
        };
        match self {
            PerRun::File(w) => w.push(run, inputs, outs()),
            PerRun::Memory(c, policy) => {
                c.runs.push(run);
                for (col, v) in c.inputs.iter_mut().zip(inputs) {
                    col.push(*v);
                }
                for (t, o) in outcomes.iter().enumerate() {
                    c.metrics[t].push(o.metric);
                    c.hits[t].push(o.success);
                    c.times[t].push(o.time_to_target);
                }
                // Run index, inputs, and per target metric, hit and time to target.
                let per_run = 8 + 8 * c.inputs.len() + 25 * c.metrics.len();
                if c.runs.len().saturating_mul(per_run) > policy.memory_budget {
                    let w = spill(c, policy)?;
                    *self = PerRun::File(w);
                }
                Ok(())
            }
        }
    }

    /// The records, done.
    pub(super) fn finish(self) -> Result<Stored, Diagnostic> {
        Ok(match self {
            PerRun::Memory(c, _) => Stored::Memory(c),
            PerRun::File(w) => Stored::File(Arc::new(w.finish()?)),
        })
    }
}

/// Writes the runs held in memory to a new records file, which takes the next ones.
fn spill(c: &mut Columns, policy: &RecordsPolicy) -> Result<RecordsWriter, Diagnostic> {
    let mut w = RecordsWriter::create(&policy.dir, c.inputs.len(), c.metrics.len())?;
    let mut row = Vec::with_capacity(c.inputs.len());
    for (k, &run) in c.runs.iter().enumerate() {
        row.clear();
        row.extend(c.inputs.iter().map(|col| col[k]));
        let outs = (0..c.metrics.len()).map(|t| (c.metrics[t][k], c.hits[t][k], c.times[t][k]));
        w.push(run, &row, outs)?;
    }
    *c = Columns::default();
    Ok(w)
}

/// A study's finished records.
pub(super) enum Stored {
    /// Small enough to stay in memory.
    Memory(Columns),
    /// In a file.
    File(Arc<RecordsFile>),
}

impl Stored {
    /// A view to read columns from.
    pub(super) fn view(&self) -> RunColumns<'_> {
        match self {
            Stored::Memory(c) => RunColumns::Memory {
                inputs: &c.inputs,
                metrics: &c.metrics,
                hits: &c.hits,
                times: Some(&c.times),
            },
            Stored::File(f) => RunColumns::File(f),
        }
    }
}

/// One target's per-run columns.
#[derive(Debug, Clone)]
pub struct TargetColumns<'a> {
    /// The metric of each counted run.
    pub metric: Cow<'a, [f64]>,
    /// Whether each counted run met the target.
    pub hits: Cow<'a, [bool]>,
    /// The time to target of each counted run (empty when not kept).
    pub times: Cow<'a, [Option<f64>]>,
}

/// Where a study's per-run columns are read from.
#[derive(Debug, Clone, Copy)]
pub enum RunColumns<'a> {
    /// Columns in memory (`times` is `None` where times to target are not kept).
    Memory {
        /// Per input, its values.
        inputs: &'a [Vec<f64>],
        /// Per target, its metrics.
        metrics: &'a [Vec<f64>],
        /// Per target, its hits.
        hits: &'a [Vec<bool>],
        /// Per target, its times to target.
        times: Option<&'a [Vec<Option<f64>>]>,
    },
    /// A records file, read in passes.
    File(&'a RecordsFile),
}

impl<'a> RunColumns<'a> {
    /// Counted runs.
    pub fn runs(&self) -> usize {
        match self {
            RunColumns::Memory {
                inputs, metrics, ..
            } => metrics.first().or(inputs.first()).map_or(0, Vec::len),
            RunColumns::File(f) => f.runs() as usize,
        }
    }

    /// Targets whose columns it holds.
    pub fn targets_held(&self) -> usize {
        match self {
            RunColumns::Memory { metrics, hits, .. } => metrics.len().min(hits.len()),
            RunColumns::File(f) => f.shape().targets,
        }
    }

    /// How many input columns to ask for at once: all of them in memory, as many as fit one
    /// pass's budget from a file.
    pub fn per_pass(&self) -> usize {
        self.fitting(8)
    }

    /// How many target columns to ask for at once, as [`RunColumns::per_pass`]: a target's
    /// columns take 25 bytes a run (metric, hit, time to target) and the statistics rank
    /// its metric beside them (8 more).
    pub fn targets_per_pass(&self) -> usize {
        self.fitting(8 + 1 + 16 + 8)
    }

    /// Columns of `bytes` a run that fit one pass's budget.
    fn fitting(&self, bytes: usize) -> usize {
        match self {
            RunColumns::Memory { .. } => usize::MAX,
            RunColumns::File(f) => (PASS_BYTES / (bytes * (f.runs() as usize).max(1))).max(1),
        }
    }

    /// The values of inputs `js`.
    pub fn inputs(&self, js: Range<usize>) -> Result<Vec<Cow<'a, [f64]>>, Diagnostic> {
        match *self {
            RunColumns::Memory { inputs, .. } => Ok(inputs[js]
                .iter()
                .map(|c| Cow::Borrowed(c.as_slice()))
                .collect()),
            RunColumns::File(f) => {
                // One allocation each (`vec![v; n]` would clone `v` without its capacity).
                let mut out: Vec<Vec<f64>> = (js.clone())
                    .map(|_| Vec::with_capacity(f.runs() as usize))
                    .collect();
                f.for_each(|r| {
                    for (col, &v) in out.iter_mut().zip(&r.inputs[js.clone()]) {
                        col.push(v);
                    }
                    Ok(())
                })?;
                Ok(out.into_iter().map(Cow::Owned).collect())
            }
        }
    }

    /// The values of every input, as one table.
    pub fn all_inputs(&self) -> Result<Cow<'a, [Vec<f64>]>, Diagnostic> {
        match *self {
            RunColumns::Memory { inputs, .. } => Ok(Cow::Borrowed(inputs)),
            RunColumns::File(f) => Ok(Cow::Owned(
                self.inputs(0..f.shape().inputs)?
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect(),
            )),
        }
    }

    /// The columns of targets `ts`.
    pub fn targets(&self, ts: Range<usize>) -> Result<Vec<TargetColumns<'a>>, Diagnostic> {
        match *self {
            RunColumns::Memory {
                metrics,
                hits,
                times,
                ..
            } => Ok(ts
                .map(|t| TargetColumns {
                    metric: Cow::Borrowed(metrics[t].as_slice()),
                    hits: Cow::Borrowed(hits[t].as_slice()),
                    times: times.map_or(Cow::Borrowed(&[][..]), |x| Cow::Borrowed(&x[t][..])),
                })
                .collect()),
            RunColumns::File(f) => {
                let n = f.runs() as usize;
                let mut m: Vec<Vec<f64>> = ts.clone().map(|_| Vec::with_capacity(n)).collect();
                let mut h: Vec<Vec<bool>> = ts.clone().map(|_| Vec::with_capacity(n)).collect();
                let mut x: Vec<Vec<Option<f64>>> =
                    ts.clone().map(|_| Vec::with_capacity(n)).collect();
                f.for_each(|r| {
                    let RunResult::Done(outcomes, _) = &r.result else {
                        return Err(Diagnostic::plain(
                            "the study's records file holds a failed run",
                        ));
                    };
                    for (k, o) in outcomes[ts.clone()].iter().enumerate() {
                        m[k].push(o.metric);
                        h[k].push(o.success);
                        x[k].push(o.time_to_target);
                    }
                    Ok(())
                })?;
                Ok(m.into_iter()
                    .zip(h)
                    .zip(x)
                    .map(|((metric, hits), times)| TargetColumns {
                        metric: Cow::Owned(metric),
                        hits: Cow::Owned(hits),
                        times: Cow::Owned(times),
                    })
                    .collect())
            }
        }
    }

    /// Every counted run in order: its inputs and per target its metric and hit.
    pub fn for_each_row(
        &self,
        mut f: impl FnMut(&[f64], &[(f64, bool)]) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let mut ins = Vec::new();
        let mut outs = Vec::new();
        match *self {
            RunColumns::Memory {
                inputs,
                metrics,
                hits,
                ..
            } => {
                for r in 0..self.runs() {
                    ins.clear();
                    ins.extend(inputs.iter().map(|c| c.get(r).copied().unwrap_or(f64::NAN)));
                    outs.clear();
                    outs.extend(metrics.iter().zip(hits).map(|(m, h)| {
                        (
                            m.get(r).copied().unwrap_or(f64::NAN),
                            h.get(r).copied().unwrap_or(false),
                        )
                    }));
                    f(&ins, &outs)?;
                }
                Ok(())
            }
            RunColumns::File(file) => file.for_each(|r| {
                if let RunResult::Done(outcomes, _) = &r.result {
                    outs.clear();
                    outs.extend(outcomes.iter().map(|o| (o.metric, o.success)));
                    f(&r.inputs, &outs)?;
                }
                Ok(())
            }),
        }
    }
}

/// `0..n` in consecutive ranges of at most `size` (columns to read in one pass).
pub fn column_ranges(n: usize, size: usize) -> impl Iterator<Item = Range<usize>> {
    let size = size.max(1);
    (0..n.div_ceil(size)).map(move |k| k * size..((k + 1) * size).min(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(m: f64) -> Outcome {
        Outcome {
            metric: m,
            success: m > 1.0,
            time_to_target: (m > 2.0).then_some(m),
            periods: vec![m],
        }
    }

    /// The finished records of `p`, which must have gone to a file.
    fn on_disk(p: PerRun) -> Arc<RecordsFile> {
        let Stored::File(f) = p.finish().unwrap() else {
            panic!("records should be on disk")
        };
        f
    }

    /// Columns read from a records file are each allocated once, at the runs' length: a
    /// pass holds what its budget says and no more (growing by doubling held up to twice
    /// that, and the copies).
    #[test]
    fn columns_from_a_file_take_one_allocation_each() {
        let dir = tempfile::tempdir().unwrap();
        let policy = RecordsPolicy {
            dir: dir.path().to_path_buf(),
            memory_budget: 0,
        };
        let mut p = PerRun::new(3, 2, policy);
        for run in 0..1000u64 {
            let o = outcome(run as f64);
            p.push(run, &[1.0, 2.0, 3.0], &[o.clone(), o]).unwrap();
        }
        let f = on_disk(p);
        let cols = RunColumns::File(&f);
        for x in cols.inputs(0..3).unwrap() {
            let Cow::Owned(x) = x else {
                panic!("read from the file")
            };
            assert_eq!((x.len(), x.capacity()), (1000, 1000));
        }
        for t in cols.targets(0..2).unwrap() {
            let (Cow::Owned(m), Cow::Owned(h), Cow::Owned(x)) = (t.metric, t.hits, t.times) else {
                panic!("read from the file")
            };
            assert_eq!([m.capacity(), h.capacity(), x.capacity()], [1000; 3]);
        }
    }

    #[test]
    fn memory_holds_at_most_the_budget_then_the_file_takes_every_run() {
        let dir = tempfile::tempdir().unwrap();
        // 8 + 8 + 25 = 41 bytes a run: the 10th run passes 400 bytes.
        let policy = RecordsPolicy {
            dir: dir.path().to_path_buf(),
            memory_budget: 400,
        };
        let mut p = PerRun::new(1, 1, policy);
        for run in 0..9u64 {
            p.push(run, &[run as f64], &[outcome(run as f64)]).unwrap();
        }
        assert!(matches!(&p, PerRun::Memory(c, _) if c.runs.len() == 9));
        for run in 9..1000u64 {
            p.push(run, &[run as f64], &[outcome(run as f64)]).unwrap();
            // Nothing more is kept in memory, however many runs come.
            assert!(matches!(p, PerRun::File(_)), "run {run}");
        }
        let f = on_disk(p);
        assert_eq!(f.runs(), 1000);
        let cols = RunColumns::File(&f);
        assert_eq!(cols.per_pass(), (128 << 20) / 8000);
        assert_eq!(cols.targets_per_pass(), (128 << 20) / 33_000);
        let t = cols.targets(0..1).unwrap().remove(0);
        let x = cols.inputs(0..1).unwrap().remove(0);
        for run in [0usize, 9, 10, 999] {
            let v = run as f64;
            assert_eq!((x[run], t.metric[run], t.hits[run]), (v, v, v > 1.0));
            assert_eq!(t.times[run], (v > 2.0).then_some(v));
        }
    }

    #[test]
    fn column_ranges_cover_every_column_once() {
        let r: Vec<_> = column_ranges(7, 3).collect();
        assert_eq!(r, vec![0..3, 3..6, 6..7]);
        assert_eq!(column_ranges(0, 3).count(), 0);
        assert_eq!(column_ranges(4, usize::MAX).collect::<Vec<_>>(), vec![0..4]);
    }
}
