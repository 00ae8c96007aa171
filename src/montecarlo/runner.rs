//! The Monte Carlo runner: samples inputs, runs the compiled model once per sample on every
//! core, scores the targets and aggregates percentiles, in run order.
//!
//! Run `i` depends only on the study seed and `i` (its inputs, and the seed of its in-equation
//! noise), and results are folded in run order, so a study gives bit-identical results for any
//! thread count or chunking.

use super::aggregate::Aggregator;
use super::correlation::{check_distinct_inputs, CorrelationMatrix};
use super::result::StudyResult;
use super::sampling::{Design, Sampler};
use super::streams::{Purpose, Streams};
use super::summary::Thresholds;
use crate::compile::{Program, Role};
use crate::diagnostic::{closest, Diagnostic, Diagnostics};
use crate::model::{names::canonical, Method};
use crate::simulate::{Simulation, Trajectory};
use crate::study::Study;
use crate::targets::{BoundSet, Outcome, TargetSet};
use rand::Rng;
use rayon::prelude::*;

/// Runs per parallel batch: large enough to keep every core busy, small enough to report
/// progress and bound the memory held for one batch.
const BATCH: u64 = 512;

/// Most runs in one study: every run keeps its inputs and target metrics in memory.
pub const MAX_RUNS: u64 = 10_000_000;

/// How to run a study (settings after files and command line are combined).
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Runs to do.
    pub runs: u64,
    /// Index of the first run (to split a study across machines).
    pub first_run: u64,
    /// Master seed.
    pub seed: u64,
    /// Sampling design.
    pub sampler: Sampler,
    /// Variables whose percentile bands are kept (empty: the stocks).
    pub track: Vec<String>,
    /// Percentiles, in percent.
    pub percentiles: Vec<f64>,
    /// Verdict thresholds.
    pub thresholds: Thresholds,
    /// Individual runs kept for fan charts.
    pub samples: usize,
    /// Integration method, if not the model's.
    pub method: Option<Method>,
    /// Scenario name and description, for the summary.
    pub scenario: (String, Option<String>),
}

/// A study resolved against a compiled program, ready to execute.
pub struct Plan<'p> {
    pub(super) prog: &'p Program,
    pub(super) options: RunOptions,
    /// Parameter index of each input.
    pub(super) params: Vec<usize>,
    /// Input display names.
    pub(super) input_names: Vec<String>,
    pub(super) design: Design,
    pub(super) targets: TargetSet,
    pub(super) bound: BoundSet,
    /// Columns saved per run (tracked first, then what targets need).
    pub(super) saved: Vec<usize>,
    /// How many of `saved` are tracked.
    pub(super) tracked: usize,
}

impl<'p> Plan<'p> {
    /// Resolves `study` against `prog`, reporting every problem found.
    pub fn new(
        prog: &'p Program,
        study: &Study,
        options: RunOptions,
    ) -> Result<Plan<'p>, Diagnostics> {
        let mut errors = Vec::new();
        if options.runs == 0 {
            errors.push(
                Diagnostic::plain("a study needs at least one run")
                    .with_hint("use --runs 1000 or more"),
            );
        }
        if options.runs > MAX_RUNS {
            errors.push(
                Diagnostic::plain(format!(
                    "{} runs are more than one study keeps in memory (at most {MAX_RUNS})",
                    options.runs
                ))
                .with_hint(format!(
                    "split the study across invocations, e.g. --runs {MAX_RUNS} --first-run {MAX_RUNS}"
                )),
            );
        }
        if options.first_run.checked_add(options.runs).is_none() {
            errors.push(
                Diagnostic::plain(format!(
                    "the first run {} plus {} runs is beyond the last run index",
                    options.first_run, options.runs
                ))
                .with_hint("use a smaller --first-run"),
            );
        }
        // Inputs: a constant, an element of an arrayed constant, or an arrayed constant whose
        // elements then vary independently.
        let mut params = Vec::new();
        let mut input_names = Vec::new();
        let mut dists = Vec::new();
        for u in &study.uncertain {
            let found: Vec<usize> = match prog.param(&u.name) {
                Some(p) => vec![p],
                None => {
                    let key = canonical(&u.name);
                    prog.params
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| {
                            p.name
                                .split_once('[')
                                .is_some_and(|(b, _)| canonical(b) == key)
                        })
                        .map(|(i, _)| i)
                        .collect()
                }
            };
            if found.is_empty() {
                let mut e = Diagnostic::new(
                    format!(
                        "uncertain input `{}` is not a constant of the model",
                        u.name
                    ),
                    u.at.clone(),
                );
                e = match closest(&u.name, prog.params.iter().map(|p| p.name.as_str())) {
                    Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                    None if prog.column(&u.name).is_some() => e.with_hint(
                        "it is computed from other variables; vary the constants it depends on",
                    ),
                    None => e.with_hint("run `sandtable check MODEL` to list the constants"),
                };
                errors.push(e);
                continue;
            }
            for p in found {
                params.push(p);
                input_names.push(prog.params[p].name.clone());
                dists.push(u.dist.clone());
            }
        }
        let correlation = match &study.correlations {
            None => None,
            Some(c) => {
                let mut matrix = vec![vec![0.0; params.len()]; params.len()];
                for (i, row) in matrix.iter_mut().enumerate() {
                    row[i] = 1.0;
                }
                let mut index = Vec::new();
                errors.extend(
                    check_distinct_inputs(&c.inputs)
                        .err()
                        .map(|e| e.or_at(&c.at)),
                );
                for name in &c.inputs {
                    match input_names
                        .iter()
                        .position(|n| canonical(n) == canonical(name))
                    {
                        Some(i) => index.push(i),
                        None => errors.push(
                            Diagnostic::new(
                                format!("correlated input `{name}` is not an uncertain input"),
                                c.at.clone(),
                            )
                            .with_hint("give it a distribution in [uncertain] or with `dist`"),
                        ),
                    }
                }
                if index.len() == c.inputs.len() {
                    for (a, &i) in index.iter().enumerate() {
                        for (b, &j) in index.iter().enumerate() {
                            matrix[i][j] = c.matrix[a][b];
                        }
                    }
                    match CorrelationMatrix::new(&matrix) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            errors.push(e.or_at(&c.at));
                            None
                        }
                    }
                } else {
                    None
                }
            }
        };
        let design = Design::new(
            dists,
            options.sampler,
            options.seed,
            options.runs.max(1).saturating_add(options.first_run),
            correlation,
        );
        let design = match design {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };

        let names: Vec<String> = prog.columns.iter().map(|c| c.name.clone()).collect();
        let targets = match TargetSet::new(study.targets.clone()) {
            Ok(t) => {
                if let Err(mut e) = t.validate(&names, prog.specs.start, prog.specs.stop) {
                    errors.append(&mut e.0);
                }
                Some(t)
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };

        let mut saved: Vec<usize> = Vec::new();
        if options.track.is_empty() {
            saved.extend(
                prog.columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.role == Role::Stock)
                    .map(|(i, _)| i),
            );
        } else {
            for name in &options.track {
                let cols = prog.columns_of(name);
                if cols.is_empty() {
                    let mut e =
                        Diagnostic::plain(format!("cannot track `{name}`: no such variable"));
                    if let Some(c) = closest(name, prog.columns.iter().map(|c| c.name.as_str())) {
                        e = e.with_hint(format!("did you mean `{c}`?"));
                    }
                    errors.push(e);
                }
                for c in cols {
                    if !saved.contains(&c) {
                        saved.push(c);
                    }
                }
            }
        }
        let tracked = saved.len();
        if let Some(t) = &targets {
            for name in t.variables() {
                for c in prog.columns_of(&name) {
                    if !saved.contains(&c) {
                        saved.push(c);
                    }
                }
            }
        }
        let saved_names: Vec<String> = saved
            .iter()
            .map(|&c| prog.columns[c].name.clone())
            .collect();
        let bound = match &targets {
            Some(t) if errors.is_empty() => match t.bind(&saved_names) {
                Ok(b) => Some(b),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            _ => None,
        };
        if let Some(p) = options
            .percentiles
            .iter()
            .find(|p| !(0.0..=100.0).contains(*p))
        {
            errors.push(Diagnostic::plain(format!(
                "percentile {p} is outside 0–100"
            )));
        }
        let kept = (tracked as u64 * prog.saved_rows() as u64)
            .saturating_mul((options.samples as u64).min(options.runs));
        let n_targets = targets.as_ref().map_or(0, |t| t.len());
        errors
            .extend(crate::limits::check_study(options.runs, params.len(), n_targets, kept).err());
        match (errors.is_empty(), design, targets, bound) {
            (true, Some(design), Some(targets), Some(bound)) => Ok(Plan {
                prog,
                options,
                params,
                input_names,
                design,
                targets,
                bound,
                saved,
                tracked,
            }),
            _ => Err(Diagnostics(errors)),
        }
    }

    /// Runs the study, calling `progress(done)` after each batch.
    pub fn execute(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<StudyResult, Diagnostic> {
        let first = self.options.first_run;
        let inputs = self.design.rows(first, self.options.runs)?;
        let streams = Streams::new(self.options.seed);
        let mut agg = Aggregator::new(self)?;
        let mut done = 0u64;
        while done < self.options.runs {
            let count = BATCH.min(self.options.runs - done);
            let batch: Vec<RunResult> = (done..done + count)
                .into_par_iter()
                .map_init(
                    || Worker::new(self),
                    |w, k| w.run(self, first + k, inputs.row(k as usize), &streams),
                )
                .collect();
            for (k, r) in batch.into_iter().enumerate() {
                let row = inputs.row((done + k as u64) as usize);
                agg.push(first + done + k as u64, row, r)?;
            }
            done += count;
            progress(done);
        }
        agg.finish(self)
    }

    /// Number of uncertain inputs (after expanding arrayed constants).
    pub fn inputs(&self) -> usize {
        self.params.len()
    }
}

/// What one run produced.
pub(super) enum RunResult {
    /// Target outcomes and the tracked values (variable-major: `var * rows + row`).
    Done(Vec<Outcome>, Vec<f64>),
    /// A numeric fault.
    Failed(String),
}

/// Per-thread buffers, reused across runs.
struct Worker<'p> {
    sim: Simulation<'p>,
    traj: Trajectory,
}

impl<'p> Worker<'p> {
    fn new(plan: &Plan<'p>) -> Worker<'p> {
        let mut sim = Simulation::new(plan.prog);
        if let Some(m) = plan.options.method {
            sim.set_method(m);
        }
        let names = plan
            .saved
            .iter()
            .map(|&c| plan.prog.columns[c].name.clone())
            .collect();
        Worker {
            sim,
            traj: Trajectory::with_columns(names, plan.prog.saved_rows()),
        }
    }

    fn run(&mut self, plan: &Plan, run: u64, inputs: &[f64], streams: &Streams) -> RunResult {
        for (&p, &v) in plan.params.iter().zip(inputs) {
            self.sim.set_param(p, v);
        }
        self.sim
            .set_seed(streams.rng(run, Purpose::Noise).next_u64());
        self.traj.times.clear();
        self.traj.data.clear();
        let prog = plan.prog;
        let traj = &mut self.traj;
        let result = self.sim.run_with(|t, slots| {
            traj.times.push(t);
            traj.data.extend(
                plan.saved
                    .iter()
                    .map(|&c| slots[prog.columns[c].slot as usize]),
            );
        });
        if let Err(e) = result {
            return RunResult::Failed(e.message);
        }
        let outcomes = plan.bound.evaluate(&self.traj);
        let rows = self.traj.len();
        let mut tracked = Vec::with_capacity(plan.tracked * rows);
        for v in 0..plan.tracked {
            tracked.extend(self.traj.series(v));
        }
        RunResult::Done(outcomes, tracked)
    }
}
