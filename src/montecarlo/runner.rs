//! The Monte Carlo runner: samples inputs, runs the compiled model once per sample on every
//! core, scores the targets and aggregates percentiles, in run order.
//!
//! Run `i` depends only on the study seed and `i` (its inputs, and the seed of its in-equation
//! noise), and results are folded in run order, so a study gives bit-identical results for any
//! thread count or chunking.

use super::aggregate::Aggregator;
use super::correlation::{check_distinct_inputs, CorrelationMatrix};
use super::per_run::RecordsPolicy;
use super::posterior::PosteriorSample;
use super::result::StudyResult;
use super::sampling::{Design, InputMatrix};
use super::streams::{Purpose, Streams};
use crate::compile::{integral_column, Program, Role};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::names::canonical;
use crate::model::names::closest;
use crate::simulate::{NumericFault, Simulation, Trajectory};
use crate::study::distribution::Distribution;
use crate::study::{CompiledScenario, Provenance, Sampler, Settings, Study};
use crate::targets::{BoundSet, Outcome, Target, TargetSet};
use rand::Rng;
use rayon::prelude::*;

/// Most runs per parallel batch: large enough to keep every core busy, small enough to
/// report progress and bound the memory held for one batch.
const BATCH: u64 = 512;
/// Bytes of saved cells a batch aims to hold: a batch is written by the runs and read back
/// by the aggregation, and one that stays in a core's cache between the two costs half as
/// much as one that goes to memory and back (a small model's study spent a tenth of its
/// time on that trip at 512 runs of 241 cells).
const BATCH_BYTES: usize = 256 << 10;
/// Fewest runs per batch, whatever their width. Batches are powers of two from this to
/// [`BATCH`].
const MIN_BATCH: u64 = 32;

/// Runs whose randomly sampled inputs are drawn at once: a multiple of [`BATCH`] and of
/// every smaller power of two, so the batches are those of one matrix of every run.
const INPUT_BLOCK: u64 = 64 * BATCH;

/// A study resolved against a compiled program, ready to execute.
pub struct Plan<'p> {
    pub(super) prog: &'p Program,
    /// Settings of every layer, merged.
    pub(super) settings: Settings,
    /// Scenario name and description, for the summary.
    pub(super) scenario: (String, Option<String>),
    /// Where the numbers come from, for the summary.
    pub(super) provenance: Provenance,
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
    /// Inputs drawn jointly from posterior rows.
    pub(super) posterior: Option<PosteriorRows>,
    /// The runs this process does, `first .. first + count` of the design: the settings'
    /// first run and run count, or one shard's block of them (see [`Plan::shard`]).
    pub(super) range: (u64, u64),
    /// Times recorded besides the save times: the stop time and every time a target names.
    pub(super) record_times: Vec<f64>,
    /// Where the study keeps its per-run records.
    pub(super) records: RecordsPolicy,
}

/// Posterior rows a plan draws inputs from: `(input index, column)` pairs, the rows, and the
/// row each run takes (run `i`: `order[i mod rows]`).
type PosteriorRows = (Vec<(usize, usize)>, Vec<Vec<f64>>, Vec<usize>);

/// Compiles and plans each scenario of `names` (as `check` does), collecting every problem
/// of every scenario; returns the first one compiled.
pub fn validate(study: &Study, names: &[String]) -> Result<CompiledScenario, Diagnostics> {
    let mut errors = Vec::new();
    let mut first = None;
    for name in names {
        match study.compile(name) {
            Ok(scenario) => {
                if let Err(mut e) = Plan::new(&scenario).map(|_| ()) {
                    errors.append(&mut e.0);
                }
                first.get_or_insert(scenario);
            }
            Err(mut e) => errors.append(&mut e.0),
        }
    }
    match first {
        Some(s) if errors.is_empty() => Ok(s),
        _ => Err(Diagnostics(errors)),
    }
}

/// The scenario's uncertain inputs as the runner varies them, one per parameter (an arrayed
/// input gives one per element not fixed): `(parameter name, distribution)`.
pub fn uncertain_inputs(
    scenario: &CompiledScenario,
) -> Result<Vec<(String, Distribution)>, Diagnostics> {
    let mut errors = Vec::new();
    let inputs = resolve_inputs(&scenario.program, scenario, &mut errors);
    if errors.is_empty() {
        Ok(inputs.names.into_iter().zip(inputs.dists).collect())
    } else {
        Err(Diagnostics(errors))
    }
}

/// Receives each run in run order: its index, inputs and result.
pub(super) type RunSink<'a> = dyn FnMut(u64, &[f64], RunView) -> Result<(), Diagnostic> + 'a;

/// Receives each run of a matrix in row order: its row index, inputs and result.
pub(super) type RowSink<'a> = dyn FnMut(usize, &[f64], RunView) -> Result<(), Diagnostic> + 'a;

/// The seed of run `run`'s in-equation noise.
pub(super) fn noise_seed(streams: &Streams, run: u64) -> u64 {
    streams.rng(run, Purpose::Noise).next_u64()
}

/// Runs `f` on a pool of `threads` worker threads (`None`: the global pool, every core).
pub(super) fn on_pool<T>(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, Diagnostic> + Send,
) -> Result<T, Diagnostic>
where
    T: Send,
{
    match threads {
        None => f(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Diagnostic::plain(format!("cannot start {n} threads: {e}")))?
            .install(f),
    }
}

/// Uncertain inputs resolved to parameters of the program.
struct Inputs {
    params: Vec<usize>,
    names: Vec<String>,
    dists: Vec<Distribution>,
}

impl<'p> Plan<'p> {
    /// Resolves a compiled scenario's study into a plan, reporting every problem found.
    pub fn new(scenario: &'p CompiledScenario) -> Result<Plan<'p>, Diagnostics> {
        let prog = &scenario.program;
        let settings = scenario.settings.clone();
        let mut errors = Vec::new();
        if let Err(e) = settings.validate() {
            errors.push(e);
        }
        let inputs = resolve_inputs(prog, scenario, &mut errors);
        let correlation = resolve_correlations(scenario, &inputs.names, &mut errors);
        let design = Design::new(
            inputs.dists,
            settings.sampler(),
            settings.seed(),
            settings.runs().max(1).saturating_add(settings.first_run()),
            correlation,
        )
        .and_then(|d| d.keyed_by(&inputs.names))
        .map_err(|e| errors.push(e))
        .ok();
        let targets = resolve_targets(prog, &scenario.targets, &mut errors);
        let (saved, tracked) = saved_columns(prog, settings.track(), targets.as_ref(), &mut errors);
        let kept = (tracked as u64 * prog.saved_rows() as u64)
            .saturating_mul((settings.samples() as u64).min(settings.runs()));
        let n_targets = targets.as_ref().map_or(0, |t| t.len());
        errors.extend(
            crate::limits::check_study(settings.runs(), inputs.params.len(), n_targets, kept).err(),
        );
        let bound = match &targets {
            Some(t) if errors.is_empty() => {
                let names: Vec<String> = saved
                    .iter()
                    .map(|&c| prog.columns[c].name.clone())
                    .collect();
                t.bind(&names).map_err(|e| errors.push(e)).ok()
            }
            _ => None,
        };
        match (errors.is_empty(), design, targets, bound) {
            (true, Some(design), Some(targets), Some(bound)) => Ok(Plan {
                record_times: record_times(prog, &targets),
                prog,
                range: (settings.first_run(), settings.runs()),
                settings,
                scenario: (scenario.name.clone(), scenario.doc.clone()),
                provenance: scenario.provenance.clone(),
                params: inputs.params,
                input_names: inputs.names,
                design,
                targets,
                bound,
                saved,
                tracked,
                posterior: None,
                records: RecordsPolicy::default(),
            }),
            _ => Err(Diagnostics(errors)),
        }
    }

    /// Draws the inputs the posterior sample names jointly from its rows instead of their
    /// priors; a column that names no uncertain input of the scenario is an error.
    pub fn with_posterior(mut self, sample: &PosteriorSample) -> Result<Plan<'p>, Diagnostics> {
        let mut columns = Vec::new();
        let mut errors = Vec::new();
        for (c, name) in sample.names.iter().enumerate() {
            let key = canonical(name);
            match self.input_names.iter().position(|n| canonical(n) == key) {
                Some(i) => columns.push((i, c)),
                None => {
                    let e = Diagnostic::new(
                        format!(
                            "posterior column `{name}` is not an uncertain input of scenario {}",
                            self.scenario.0
                        ),
                        sample.at.get(c).cloned().unwrap_or_default(),
                    );
                    errors.push(
                        match closest(name, self.input_names.iter().map(String::as_str)) {
                            Some(n) => e.with_hint(format!("did you mean `{n}`?")),
                            None => e.with_hint("calibrate and re-forecast with the same model and study (and scenario inputs)"),
                        },
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        self.provenance.posterior = Some(sample.stamp.clone());
        self.provenance.data_until = sample.data_until;
        self.posterior = Some((
            columns,
            sample.rows.clone(),
            sample.order(self.settings.seed()),
        ));
        Ok(self)
    }

    /// Keeps the study's per-run records as `policy` says: in memory up to its budget, then
    /// in a file in its directory.
    pub fn with_records(mut self, policy: RecordsPolicy) -> Plan<'p> {
        self.records = policy;
        self
    }

    /// Runs the study, calling `progress(done)` after each batch.
    pub fn execute(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<StudyResult, Diagnostic> {
        let mut agg = Aggregator::new(self)?;
        self.for_each_run(progress, &mut |run, inputs, r| agg.push(run, inputs, r))?;
        agg.finish(self)
    }

    /// Runs the plan's runs and hands each one to `sink` in run order, with its inputs.
    pub(super) fn for_each_run(
        &self,
        progress: &(dyn Fn(u64) + Sync),
        sink: &mut RunSink<'_>,
    ) -> Result<(), Diagnostic> {
        let (first, runs) = self.range;
        let streams = Streams::new(self.settings.seed());
        // Random rows depend on their run alone, so they are drawn a block at a time and the
        // inputs held stay bounded whatever the number of runs (a whole million-run matrix of
        // the reference model is 352 MB); a Latin hypercube's strata depend on every run, so
        // it is built whole.
        let block = match self.design.sampler() {
            Sampler::Random => INPUT_BLOCK,
            Sampler::LatinHypercube => runs.max(1),
        };
        let mut done = 0;
        while done < runs {
            let count = block.min(runs - done);
            let start = first + done;
            let inputs = self.input_rows(start, count)?;
            let noise = |row: usize| noise_seed(&streams, start + row as u64);
            let progress = |d: u64| progress(done + d);
            self.run_matrix(
                &inputs,
                count,
                &noise,
                &progress,
                &mut |row, inputs, view| sink(start + row as u64, inputs, view),
            )?;
            done += count;
        }
        Ok(())
    }

    /// Runs the model once for each of the first `runs` rows of `inputs` (a study without
    /// uncertain inputs has rows of width 0), row `r` with in-equation noise seeded by
    /// `noise(r)`, and hands each run to `sink` in row order with its row index.
    ///
    /// A batch's results go into buffers allocated once per call and reused: every run
    /// writes its band cells and target outcomes into its own slot, so a run allocates
    /// nothing beyond what a failure message or an `every(...)` target's first periods need.
    pub(super) fn run_matrix(
        &self,
        inputs: &InputMatrix,
        runs: u64,
        noise: &(dyn Fn(usize) -> u64 + Sync),
        progress: &(dyn Fn(u64) + Sync),
        sink: &mut RowSink<'_>,
    ) -> Result<(), Diagnostic> {
        let cells = self.tracked * self.prog.saved_rows();
        let width = cells.max(1);
        let fits = (BATCH_BYTES / (8 * width)) as u64;
        // A power of two, so that batches tile the input blocks.
        let batch = 1 << fits.clamp(MIN_BATCH, BATCH).ilog2();
        let slots = batch.min(runs) as usize;
        let mut values = vec![0.0; slots * width];
        let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); slots];
        let mut failed: Vec<Option<NumericFault>> = vec![None; slots];
        let mut done = 0u64;
        while done < runs {
            let count = batch.min(runs - done) as usize;
            values[..count * width]
                .par_chunks_mut(width)
                .zip(outcomes[..count].par_iter_mut())
                .zip(failed[..count].par_iter_mut())
                .enumerate()
                .for_each_init(
                    || Worker::new(self),
                    |w, (k, ((cells_out, outs), fail))| {
                        let row = done as usize + k;
                        let slot = RunSlot {
                            cells: &mut cells_out[..cells],
                            outcomes: outs,
                            failed: fail,
                        };
                        w.run(self, inputs.row(row), noise(row), slot);
                    },
                );
            for k in 0..count {
                let row = done as usize + k;
                let view = match &failed[k] {
                    Some(fault) => RunView::Failed(fault),
                    None => RunView::Done(&outcomes[k], &values[k * width..k * width + cells]),
                };
                sink(row, inputs.row(row), view)?;
            }
            done += count as u64;
            progress(done);
        }
        Ok(())
    }

    /// The inputs of runs `first .. first + runs`: the design's rows, with the inputs drawn
    /// from a posterior taken from its rows.
    pub(super) fn input_rows(&self, first: u64, runs: u64) -> Result<InputMatrix, Diagnostic> {
        let mut inputs = self.design.rows(first, runs)?;
        if let Some((columns, rows, order)) = &self.posterior {
            for k in 0..inputs.runs() {
                let row = &rows[order[((first + k as u64) % rows.len() as u64) as usize]];
                for &(i, c) in columns {
                    inputs.set(k, i, row[c]);
                }
            }
        }
        Ok(inputs)
    }

    /// As [`Plan::execute`], on a pool of `threads` worker threads (`None`: every core).
    /// The numbers do not depend on the thread count.
    pub fn execute_on(
        &self,
        threads: Option<usize>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<StudyResult, Diagnostic> {
        on_pool(threads, || self.execute(progress))
    }

    /// Number of runs the plan does (a shard's share when sharded).
    pub fn runs(&self) -> u64 {
        self.range.1
    }

    /// Number of uncertain inputs (after expanding arrayed constants).
    pub fn inputs(&self) -> usize {
        self.params.len()
    }
}

/// Each uncertain input as parameters: a constant, an element of an arrayed constant, or an
/// arrayed constant whose elements then vary independently (less elements fixed by `--set`).
fn resolve_inputs(
    prog: &Program,
    scenario: &CompiledScenario,
    errors: &mut Vec<Diagnostic>,
) -> Inputs {
    let mut out = Inputs {
        params: Vec::new(),
        names: Vec::new(),
        dists: Vec::new(),
    };
    for u in &scenario.uncertain {
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
            let e = Diagnostic::new(
                format!(
                    "uncertain input `{}` is not a constant of the model",
                    u.name
                ),
                u.at.clone(),
            );
            errors.push(
                match closest(&u.name, prog.params.iter().map(|p| p.name.as_str())) {
                    Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                    None if prog.column(&u.name).is_some() => e.with_hint(
                        "it is computed from other variables; vary the constants it depends on",
                    ),
                    None => e.with_hint("run `sandtable check MODEL` to list the constants"),
                },
            );
            continue;
        }
        for p in found {
            let name = &prog.params[p].name;
            if scenario.fixed.contains(&canonical(name)) {
                continue;
            }
            out.params.push(p);
            out.names.push(name.clone());
            out.dists.push(u.dist.clone());
        }
    }
    out
}

/// The declared rank correlations as a full matrix over the resolved inputs.
fn resolve_correlations(
    scenario: &CompiledScenario,
    names: &[String],
    errors: &mut Vec<Diagnostic>,
) -> Option<CorrelationMatrix> {
    let c = scenario.correlations.as_ref()?;
    if let Err(e) = check_distinct_inputs(&c.inputs) {
        errors.push(e.or_at(&c.at));
        return None;
    }
    let mut matrix = vec![vec![0.0; names.len()]; names.len()];
    for (i, row) in matrix.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let mut index = Vec::new();
    for name in &c.inputs {
        match names.iter().position(|n| canonical(n) == canonical(name)) {
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
    if index.len() != c.inputs.len() {
        return None;
    }
    for (a, &i) in index.iter().enumerate() {
        for (b, &j) in index.iter().enumerate() {
            matrix[i][j] = c.matrix[a][b];
        }
    }
    CorrelationMatrix::new(&matrix)
        .map_err(|e| errors.push(e.or_at(&c.at)))
        .ok()
}

/// The targets, checked against the program's variables and time range.
fn resolve_targets(
    prog: &Program,
    targets: &[Target],
    errors: &mut Vec<Diagnostic>,
) -> Option<TargetSet> {
    let names: Vec<String> = prog.columns.iter().map(|c| c.name.clone()).collect();
    let set = TargetSet::new(targets.to_vec())
        .map_err(|e| errors.push(e))
        .ok()?;
    if let Err(mut e) = set.validate(&names, prog.specs.start, prog.specs.stop) {
        errors.append(&mut e.0);
    }
    Some(set)
}

/// Columns each run saves: the tracked variables (default: the stocks), then whatever the
/// targets read. Returns them with the count of tracked ones.
fn saved_columns(
    prog: &Program,
    track: &[String],
    targets: Option<&TargetSet>,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<usize>, usize) {
    let mut saved: Vec<usize> = Vec::new();
    let add = |saved: &mut Vec<usize>, c: usize| {
        if !saved.contains(&c) {
            saved.push(c);
        }
    };
    if track.is_empty() {
        for (i, c) in prog.columns.iter().enumerate() {
            if c.role == Role::Stock {
                add(&mut saved, i);
            }
        }
    }
    for name in track {
        let cols = prog.columns_of(name);
        if cols.is_empty() {
            let mut e = Diagnostic::plain(format!("cannot track `{name}`: no such variable"));
            if let Some(c) = closest(name, prog.columns.iter().map(|c| c.name.as_str())) {
                e = e.with_hint(format!("did you mean `{c}`?"));
            }
            errors.push(e);
        }
        for c in cols {
            add(&mut saved, c);
        }
    }
    let tracked = saved.len();
    for name in targets.map(TargetSet::variables).unwrap_or_default() {
        for c in prog.columns_of(&name) {
            add(&mut saved, c);
        }
    }
    for name in targets
        .map(TargetSet::integrated_variables)
        .unwrap_or_default()
    {
        for c in prog.columns_of(&name) {
            let integral = integral_column(&prog.columns[c].name);
            if let Some(i) = prog.columns.iter().position(|c| c.name == integral) {
                add(&mut saved, i);
            }
        }
    }
    (saved, tracked)
}

/// The times the targets read besides the save times: the stop time and every time a target
/// names, so that none is read from an interpolation between save points.
fn record_times(prog: &Program, targets: &TargetSet) -> Vec<f64> {
    let mut times = targets.times();
    times.push(prog.specs.stop);
    times
}

/// What one run produced.
#[derive(Debug, Clone, PartialEq)]
pub enum RunResult {
    /// Target outcomes and the tracked values (variable-major: `var * rows + row`).
    Done(Vec<Outcome>, Vec<f64>),
    /// A numeric fault.
    Failed(NumericFault),
}

/// What one run produced, borrowed from the buffers of its batch.
#[derive(Debug, Clone, Copy)]
pub enum RunView<'a> {
    /// Target outcomes and the tracked values (variable-major: `var * rows + row`).
    Done(&'a [Outcome], &'a [f64]),
    /// A numeric fault.
    Failed(&'a NumericFault),
}

impl RunView<'_> {
    /// An owned copy.
    pub fn to_owned(self) -> RunResult {
        match self {
            RunView::Done(o, c) => RunResult::Done(o.to_vec(), c.to_vec()),
            RunView::Failed(m) => RunResult::Failed(m.clone()),
        }
    }
}

impl RunResult {
    /// A borrowed view.
    pub fn view(&self) -> RunView<'_> {
        match self {
            RunResult::Done(o, c) => RunView::Done(o, c),
            RunResult::Failed(m) => RunView::Failed(m),
        }
    }
}

/// Where one run writes its results in its batch's buffers.
struct RunSlot<'b> {
    cells: &'b mut [f64],
    outcomes: &'b mut Vec<Outcome>,
    failed: &'b mut Option<NumericFault>,
}

/// Per-thread buffers, reused across runs.
struct Worker<'p> {
    sim: Simulation<'p>,
    traj: Trajectory,
    /// Slot of each saved column.
    slots: Vec<usize>,
    /// The recorded rows that are save times (the bands' rows).
    save_rows: Vec<usize>,
}

impl<'p> Worker<'p> {
    fn new(plan: &Plan<'p>) -> Worker<'p> {
        let mut sim = Simulation::new(plan.prog);
        if let Some(m) = plan.settings.method {
            sim.set_method(m);
        }
        sim.record_times(&plan.record_times);
        let recorded = sim.recorded_rows();
        let save_rows = recorded
            .iter()
            .enumerate()
            .filter_map(|(r, &save)| save.then_some(r))
            .collect();
        let names = plan
            .saved
            .iter()
            .map(|&c| plan.prog.columns[c].name.clone())
            .collect();
        let mut traj = Trajectory::with_columns(names, plan.prog.saved_rows());
        traj.data.reserve(plan.saved.len() * plan.prog.saved_rows());
        Worker {
            sim,
            traj,
            slots: plan
                .saved
                .iter()
                .map(|&c| plan.prog.columns[c].slot as usize)
                .collect(),
            save_rows,
        }
    }

    fn run(&mut self, plan: &Plan, inputs: &[f64], noise: u64, out: RunSlot) {
        for (&p, &v) in plan.params.iter().zip(inputs) {
            self.sim.set_param(p, v);
        }
        self.sim.set_seed(noise);
        let traj = &mut self.traj;
        let result = (self.sim).run_rows(&self.slots, &mut traj.times, &mut traj.data);
        if let Err(e) = result {
            *out.failed = Some(e);
            return;
        }
        *out.failed = None;
        plan.bound.evaluate_into(&self.traj, out.outcomes);
        // Tracked columns are the first ones saved; bands want their save-time rows,
        // variable-major.
        let rows = self.save_rows.len();
        let width = self.slots.len();
        for (v, series) in out.cells.chunks_exact_mut(rows.max(1)).enumerate() {
            for (cell, &r) in series.iter_mut().zip(&self.save_rows) {
                *cell = self.traj.data[r * width + v];
            }
        }
    }
}
