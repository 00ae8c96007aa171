//! Monte Carlo studies: `mc` (one scenario, or one shard of it), `compare` (several scenarios
//! with common random numbers) and `merge` (shard directories into the whole study).

use super::{reliability, Progress, Unreliable, Written};
use crate::analysis::named_loops;
use crate::decision::requirement::what_it_takes;
use crate::decision::swing::{check_declared, declared, swing_levers};
use crate::decision::Lever;
use crate::diagnostic::Diagnostic;
use crate::model::names::canonical;
use crate::montecarlo::per_run::RecordsPolicy;
use crate::montecarlo::posterior::PosteriorSample;
use crate::montecarlo::records;
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::runner::Plan;
use crate::montecarlo::shard::{Shard, ShardInfo};
use crate::montecarlo::shard_read::{file_sha256, ShardRecords};
use crate::report::export::{
    output_dir, write_comparison_study, write_shard, write_study_with, ReportOptions, RECORDS,
    SHARD_JSON,
};
use crate::study::{CompiledScenario, Study, StudyRequest};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// A Monte Carlo study of one scenario.
#[derive(Debug, Clone)]
pub struct McRequest {
    /// The study: model, study files, scenario, overrides, settings.
    pub study: StudyRequest,
    /// Draw the calibrated inputs jointly from this posterior.csv.
    pub posterior: Option<PathBuf>,
    /// Run one shard only: `I/N`, or `auto` (Kubernetes Indexed Job, Slurm job array).
    pub shard: Option<String>,
    /// Number of shards with `auto` in a Kubernetes Indexed Job.
    pub shards: Option<u64>,
    /// Solve this lever for every single target after the study (`NAME=LO..HI`, or the
    /// name of a lever the model declares), for report.md's "what it would take".
    pub what_it_takes: Option<String>,
    /// The probability `what_it_takes` asks of each target.
    pub goal: f64,
    /// Worker threads (default: every core); results do not depend on it.
    pub threads: Option<usize>,
    /// Output directory (default: outputs/<model>/<scenario>).
    pub out: Option<PathBuf>,
    /// Score the feedback loops of this many first runs and report loop dominance in the
    /// runs that reach and miss each target (`--loops`); `None`: no loop scores.
    pub loops: Option<u64>,
}

/// What `mc` produced.
#[derive(Debug)]
pub enum McOutcome {
    /// The whole study.
    Study {
        /// Its result.
        result: Box<StudyResult>,
        /// What was written.
        written: Written,
        /// Set when too many runs failed for the verdicts to be trusted.
        unreliable: Option<Unreliable>,
    },
    /// One shard of it.
    Shard {
        /// The shard's fingerprint.
        info: Box<ShardInfo>,
        /// Runs of the shard that failed.
        failed: usize,
        /// What was written.
        written: Written,
    },
}

/// Runs `mc`.
pub fn mc(req: &McRequest, progress: &dyn Progress) -> anyhow::Result<McOutcome> {
    let study = Study::resolve(&req.study)?;
    let scenario = study.compile_requested()?;
    check_declared(&study, &scenario)?;
    if let Some(shard) = shard_of(req)? {
        if !scenario.levers.is_empty() {
            return Err(Diagnostic::plain(
                "--shard cannot split a study that declares levers yet: their swings are not recorded in shards",
            )
            .with_hint("run the study in one process, or leave out the study file declaring the levers")
            .into());
        }
        if scenario.settings.sobol() {
            return Err(Diagnostic::plain(
                "--shard cannot split a study with --sobol: the Saltelli design runs in one process",
            )
            .with_hint("run the Sobol study in one process, or leave out --sobol (and `sobol = true` in [study])")
            .into());
        }
        if req.what_it_takes.is_some() {
            return Err(Diagnostic::plain(
                "--shard cannot split a study with --what-it-takes: the solve needs every run",
            )
            .with_hint("run `sandtable solve` or `mc --what-it-takes` in one process")
            .into());
        }
        if req.loops.is_some() {
            return Err(
                Diagnostic::plain("--shard cannot split a study scored with --loops")
                    .with_hint("run the study in one process to score its loops")
                    .into(),
            );
        }
        if req.posterior.is_some() {
            return Err(Diagnostic::plain(
                "--shard cannot split a study drawn from a posterior yet: shards do not record it",
            )
            .with_hint("run the re-forecast in one process")
            .into());
        }
        return run_shard(req, &scenario, shard, progress);
    }
    if req.what_it_takes.is_some() && req.posterior.is_some() {
        // The solves evaluate the study afresh at each lever value, without the posterior.
        return Err(
            Diagnostic::plain("--what-it-takes cannot be combined with --posterior yet")
                .with_hint("run `sandtable solve` on the calibrated study instead")
                .into(),
        );
    }
    let takes = req
        .what_it_takes
        .as_deref()
        .map(|t| takes_lever(t, &scenario))
        .transpose()?;
    let posterior = read_posterior(req.posterior.as_deref())?;
    let model_path = req.study.model.display().to_string();
    // The named loops are checked before the study runs, so a bad path costs nothing.
    let loop_report = match req.loops {
        Some(_) => Some(named_loops(&scenario.model, super::run::LOOP_LIMIT)?),
        None => None,
    };
    let dir = output_dir(req.out.as_deref(), &scenario.model.name, &scenario.name);
    let mut result = if scenario.settings.sobol() {
        execute_sobol(&scenario, req.threads, posterior.as_ref(), progress)
    } else {
        let records = records_beside(&dir);
        execute(
            &scenario,
            req.threads,
            posterior.as_ref(),
            records,
            progress,
        )
    }
    .with_context(|| model_path.clone())?;
    if let (Some(runs), Some(report)) = (req.loops, &loop_report) {
        progress.phase("loops", runs.min(scenario.settings.runs()));
        score_loops(&scenario, posterior.as_ref(), &mut result, report, runs)
            .with_context(|| model_path.clone())?;
    }
    if !scenario.levers.is_empty() {
        // Each declared lever at its min and max, on the same runs as the study.
        let runs = scenario.settings.runs();
        let each = |k: usize, done: u64| {
            progress.phase(&format!("levers {}", k + 1), runs);
            progress.done(done);
        };
        swing_levers(&study, &study.scenario, &mut result, req.threads, &each)
            .with_context(|| model_path.clone())?;
    }
    if let Some(lever) = takes {
        let runs = scenario.settings.runs();
        let each = |k: usize, done: u64| {
            progress.phase(&format!("what it takes {}", k + 1), runs);
            progress.done(done);
        };
        what_it_takes(
            &study,
            &study.scenario,
            &mut result,
            lever,
            req.goal,
            req.threads,
            &each,
        )
        .with_context(|| model_path.clone())?;
    }
    progress.finish();
    let options = ReportOptions {
        max_failed: scenario.settings.max_failed(),
    };
    let files = write_study_with(&result, &dir, &options).map_err(Diagnostic::from)?;
    let unreliable = reliability(&[&result], options.max_failed);
    Ok(McOutcome::Study {
        result: Box::new(result),
        written: Written { dir, files },
        unreliable,
    })
}

/// The lever of `--what-it-takes`: `NAME=LO..HI`, or a lever the scenario declares over its
/// declared range.
fn takes_lever(text: &str, scenario: &CompiledScenario) -> anyhow::Result<Lever> {
    if text.contains('=') {
        return Ok(Lever::parse(text)?);
    }
    declared(scenario)
        .into_iter()
        .find(|l| canonical(&l.name) == canonical(text))
        .ok_or_else(|| {
            Diagnostic::plain(format!(
                "--what-it-takes `{text}` gives no range and the model declares no such lever"
            ))
            .with_hint("write NAME=LO..HI, e.g. --what-it-takes budget=1_000..100_000")
            .into()
        })
}

/// Loop dominance of the first `runs` runs, split by each target's outcome, into `result`.
fn score_loops(
    scenario: &CompiledScenario,
    posterior: Option<&PosteriorSample>,
    result: &mut StudyResult,
    report: &crate::analysis::LoopReport,
    runs: u64,
) -> anyhow::Result<()> {
    let mut plan = Plan::new(scenario)?;
    if let Some(sample) = posterior {
        plan = plan.with_posterior(sample)?;
    }
    let names: Vec<String> = scenario
        .model
        .variables
        .iter()
        .map(|v| v.name.clone())
        .collect();
    result.loops = Some(plan.loop_dominance(result, report, &names, runs)?);
    Ok(())
}

/// The shard `--shard`/`--shards` ask for, if any.
fn shard_of(req: &McRequest) -> Result<Option<Shard>, Diagnostic> {
    match (req.shard.as_deref(), req.shards) {
        (None, None) => Ok(None),
        (Some("auto"), n) => Shard::from_env(n, |k| std::env::var(k).ok()).map(Some),
        (Some(text), None) => Shard::parse(text).map(Some),
        (_, Some(_)) => Err(Diagnostic::plain("--shards goes with --shard auto")
            .with_hint("write the shard as I/N, e.g. --shard 0/4")),
    }
}

/// Runs one shard of the study and writes its shard directory.
fn run_shard(
    req: &McRequest,
    scenario: &CompiledScenario,
    shard: Shard,
    progress: &dyn Progress,
) -> anyhow::Result<McOutcome> {
    let plan = Plan::new(scenario)?.shard(shard)?;
    let label = format!("{} shard {}/{}", scenario.name, shard.index, shard.count);
    progress.phase(&label, plan.runs());
    let dir = output_dir(
        req.out.as_deref(),
        &scenario.model.name,
        &format!("{}-shard-{}-of-{}", scenario.name, shard.index, shard.count),
    );
    let targets = plan.target_names();
    let written = write_shard::<Diagnostic>(
        &dir,
        plan.record_shape(),
        plan.runs(),
        (plan.input_names(), &targets),
        |sink| plan.execute_each(req.threads, &|done| progress.done(done), sink),
        |records_sha256| plan.shard_info(&req.study, shard, records_sha256),
    )?;
    progress.finish();
    Ok(McOutcome::Shard {
        info: Box::new(written.info),
        failed: written.failed as usize,
        written: Written {
            dir,
            files: written.files,
        },
    })
}

/// Reads a posterior sample, if one is given.
fn read_posterior(path: Option<&Path>) -> anyhow::Result<Option<PosteriorSample>> {
    Ok(path.map(PosteriorSample::read).transpose()?)
}

/// Where a study written to `out` keeps its per-run records once they outgrow memory: an
/// unnamed file beside `out` (on the disk the outputs go to; `out` itself is replaced whole
/// when the report is written).
fn records_beside(out: &Path) -> RecordsPolicy {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    RecordsPolicy {
        dir: parent.map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        ..RecordsPolicy::default()
    }
}

/// Plans and runs one compiled scenario, its per-run records kept as `records` says; the
/// inputs a posterior sample names are drawn from its rows.
fn execute(
    scenario: &CompiledScenario,
    threads: Option<usize>,
    posterior: Option<&PosteriorSample>,
    records: RecordsPolicy,
    progress: &dyn Progress,
) -> anyhow::Result<StudyResult> {
    let mut plan = Plan::new(scenario)?.with_records(records);
    if let Some(p) = posterior {
        plan = plan.with_posterior(p)?;
    }
    progress.phase(&scenario.name, plan.runs());
    Ok(plan.execute_on(threads, &|done| progress.done(done))?)
}

/// Plans and runs one compiled scenario as a Saltelli design (`--sobol`): the study's runs
/// and the design's further ones, N·(k + 2) in all.
fn execute_sobol(
    scenario: &CompiledScenario,
    threads: Option<usize>,
    posterior: Option<&PosteriorSample>,
    progress: &dyn Progress,
) -> anyhow::Result<StudyResult> {
    let mut plan = Plan::new(scenario)?;
    if let Some(p) = posterior {
        plan = plan.with_posterior(p)?;
    }
    plan.check_sobol()?;
    progress.phase(&format!("{} sobol", scenario.name), plan.sobol_runs());
    Ok(plan.execute_sobol_on(threads, &|done| progress.done(done))?)
}

/// Several scenarios of one study, run with common random numbers.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// The study (its scenario field is ignored).
    pub study: StudyRequest,
    /// Scenarios to compare (empty: baseline and every scenario of the model).
    pub scenarios: Vec<String>,
    /// Draw the calibrated inputs jointly from this posterior.csv in every scenario.
    pub posterior: Option<PathBuf>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Output directory (default: outputs/<model>/compare).
    pub out: Option<PathBuf>,
}

/// What `compare` produced.
#[derive(Debug)]
pub struct CompareOutcome {
    /// Each scenario's study, in the order asked.
    pub results: Vec<StudyResult>,
    /// What was written.
    pub written: Written,
    /// Set when too many runs failed in some scenario.
    pub unreliable: Option<Unreliable>,
}

/// Runs `compare`.
pub fn compare(req: &CompareRequest, progress: &dyn Progress) -> anyhow::Result<CompareOutcome> {
    if req.study.settings.sobol() {
        return Err(
            Diagnostic::plain("--sobol goes with `sandtable mc`, one scenario at a time")
                .with_hint("sandtable mc MODEL --scenario NAME --sobol")
                .into(),
        );
    }
    let study = Study::resolve(&req.study)?;
    let names: Vec<String> = if req.scenarios.is_empty() {
        study.scenario_names()
    } else {
        req.scenarios
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if names.len() < 2 {
        return Err(Diagnostic::plain("compare needs at least two scenarios")
            .with_hint("--scenarios baseline,other (see [scenarios] in the model)")
            .into());
    }
    // Compile every scenario before running any, so a typo fails fast and writes nothing.
    let compiled = names
        .iter()
        .map(|n| study.compile(n))
        .collect::<Result<Vec<_>, _>>()?;
    let posterior = read_posterior(req.posterior.as_deref())?;
    let dir = output_dir(req.out.as_deref(), &study.model.name, "compare");
    let mut results = Vec::new();
    for scenario in &compiled {
        let records = records_beside(&dir);
        results.push(
            execute(scenario, req.threads, posterior.as_ref(), records, progress)
                .with_context(|| req.study.model.display().to_string())?,
        );
    }
    progress.finish();
    let options = ReportOptions {
        max_failed: study.settings.max_failed(),
    };
    let files = write_comparison_study(&results, &dir, &options).map_err(Diagnostic::from)?;
    let unreliable = reliability(&results.iter().collect::<Vec<_>>(), options.max_failed);
    Ok(CompareOutcome {
        results,
        written: Written { dir, files },
        unreliable,
    })
}

/// What `merge` produced.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The merged study.
    pub result: StudyResult,
    /// How many shards were merged.
    pub shards: usize,
    /// What was written.
    pub written: Written,
    /// Set when too many runs failed.
    pub unreliable: Option<Unreliable>,
}

/// Merges the shard directories of one study into `out`. Every check comes before anything
/// is written.
pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<MergeOutcome> {
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        shards.push((dir.display().to_string(), read_info(dir)?));
    }
    let shards = ShardInfo::check_set(shards)?;
    let first = &shards[0].1;
    let request = first.request.request()?;
    let study = Study::resolve(&request).with_context(|| {
        format!(
            "the merge reads the study again from {} (run it where the shards' paths hold)",
            first.request.model
        )
    })?;
    let scenario = study.compile_requested()?;
    if !scenario.levers.is_empty() {
        return Err(Diagnostic::plain(
            "the study declares levers, whose swings shards do not record; it cannot be merged",
        )
        .into());
    }
    let plan = Plan::new(&scenario)?.with_records(records_beside(out));
    plan.check_shard(first)?;
    let shape = plan.record_shape();
    // Every shard is checked before any run is folded; the runs are then read one at a time.
    let mut all = Vec::with_capacity(shards.len());
    for (dir, info) in &shards {
        all.push(open_records(
            &PathBuf::from(dir).join(RECORDS),
            info,
            shape,
        )?);
    }
    let all = all.into_iter().flatten();
    let result = plan.replay(all)?;
    let options = ReportOptions {
        max_failed: scenario.settings.max_failed(),
    };
    let files = write_study_with(&result, out, &options).map_err(Diagnostic::from)?;
    let unreliable = reliability(&[&result], options.max_failed);
    Ok(MergeOutcome {
        result,
        shards: shards.len(),
        written: Written {
            dir: out.to_path_buf(),
            files,
        },
        unreliable,
    })
}

/// One shard's records, checked against its fingerprint, ready to be read run by run.
fn open_records(
    path: &Path,
    info: &ShardInfo,
    shape: records::RecordShape,
) -> Result<ShardRecords, Diagnostic> {
    let sha = file_sha256(path).map_err(|e| {
        Diagnostic::plain(format!("cannot read {}: {e}", path.display()))
            .with_hint("a shard directory holds shard.json, records.bin and runs.csv")
    })?;
    if sha != info.records_sha256 {
        return Err(Diagnostic::plain(format!(
            "{} does not match its shard.json (damaged or replaced)",
            path.display()
        ))
        .with_hint("run that shard again"));
    }
    let recs = ShardRecords::open(path, shape)?;
    if recs.runs() != info.shard_runs {
        return Err(Diagnostic::plain(format!(
            "{} holds {} runs, its shard.json {}",
            path.display(),
            recs.runs(),
            info.shard_runs
        )));
    }
    Ok(recs)
}

/// `dir/shard.json`, read and parsed.
fn read_info(dir: &Path) -> Result<ShardInfo, Diagnostic> {
    let path = dir.join(SHARD_JSON);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::plain(format!(
            "{} is not a shard directory: cannot read {}: {e}",
            dir.display(),
            path.display()
        ))
        .with_hint("write shards with `sandtable mc MODEL … --shard I/N --out DIR`")
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Diagnostic::plain(format!(
            "{}:{}:{}: not a valid shard.json: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
        .with_hint("shard.json is written by `sandtable mc … --shard I/N`; do not edit it")
    })
}
