//! `sandtable mc`: a Monte Carlo study of one scenario → verdict table, charts, tables.

use super::args::{RunsArgs, StudyArgs};
use super::output::print_table;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sandtable::analysis::named_loops;
use sandtable::decision::swing::{check_declared, swing_levers};
use sandtable::diagnostic::Diagnostic;
use sandtable::montecarlo::posterior::PosteriorSample;
use sandtable::montecarlo::records;
use sandtable::montecarlo::result::StudyResult;
use sandtable::montecarlo::runner::{Plan, RunResult};
use sandtable::montecarlo::shard::Shard;
use sandtable::report::export::{
    output_dir, verdict_table, write_shard, write_study_with, FailedRunCheck, ReportOptions,
};
use sandtable::study::provenance::sha256_hex;
use sandtable::study::{CompiledScenario, Study, StudyRequest};
use std::io::IsTerminal;
use std::path::Path;

/// Arguments of `sandtable mc`.
#[derive(clap::Args)]
pub struct McArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// Scenario to run (default: baseline, the model as written).
    #[arg(long)]
    scenario: Option<String>,
    /// Draw the calibrated inputs jointly from this posterior.csv (written by `calibrate`).
    #[arg(long, value_name = "FILE")]
    posterior: Option<std::path::PathBuf>,
    /// Run only shard I of N of the study (I from 0 to N − 1) and write a shard directory
    /// for `sandtable merge`; `auto` reads a Kubernetes Indexed Job or a Slurm job array.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// Number of shards with `--shard auto` in a Kubernetes Indexed Job (its completions).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,
    /// Also score the feedback loops of the first N runs (Loops That Matter) and report which
    /// loop dominates when in the runs that reach each target and in those that miss it.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "200",
          value_parser = clap::value_parser!(u64).range(1..))]
    loops: Option<u64>,
}

/// Runs the command.
pub fn run(args: McArgs) -> anyhow::Result<()> {
    let request = args
        .study
        .request(args.scenario.as_deref(), Some(&args.runs));
    let study = Study::resolve(&request)?;
    let scenario = study.compile_requested()?;
    check_declared(&study, &scenario)?;
    if let Some(text) = &args.shard {
        let shard = match text.as_str() {
            "auto" => Shard::from_env(args.shards, |k| std::env::var(k).ok())?,
            _ if args.shards.is_some() => {
                return Err(Diagnostic::plain("--shards goes with --shard auto")
                    .with_hint("write the shard as I/N, e.g. --shard 0/4")
                    .into())
            }
            _ => Shard::parse(text)?,
        };
        if !scenario.levers.is_empty() {
            return Err(Diagnostic::plain(
                "--shard cannot split a study that declares levers yet: their swings are not recorded in shards",
            )
            .with_hint("run the study in one process, or leave out the study file declaring the levers")
            .into());
        }
        if args.loops.is_some() {
            return Err(
                Diagnostic::plain("--shard cannot split a study scored with --loops")
                    .with_hint("run the study in one process to score its loops")
                    .into(),
            );
        }
        if args.posterior.is_some() {
            return Err(Diagnostic::plain(
                "--shard cannot split a study drawn from a posterior yet: shards do not record it",
            )
            .with_hint("run the re-forecast in one process")
            .into());
        }
        return run_shard(&args, &request, &scenario, shard);
    }
    if args.shards.is_some() {
        return Err(Diagnostic::plain("--shards goes with --shard auto").into());
    }
    let posterior = read_posterior(args.posterior.as_deref())?;
    let mut result = execute_with(&scenario, &args.runs, posterior.as_ref())
        .with_context(|| args.study.model.display().to_string())?;
    if !scenario.levers.is_empty() {
        // Each declared lever at its min and max, on the same runs as the study.
        let bar = super::decide::progress_bar(scenario.settings.runs(), args.runs.quiet);
        let progress = |k: usize, done: u64| {
            bar.set_prefix(format!("levers {}", k + 1));
            bar.set_position(done);
        };
        let threads = args.runs.threads.map(|n| n as usize);
        swing_levers(&study, &study.scenario, &mut result, threads, &progress)
            .with_context(|| args.study.model.display().to_string())?;
        bar.finish_and_clear();
    }
    if let Some(n) = args.loops {
        score_loops(&scenario, posterior.as_ref(), &mut result, n)
            .with_context(|| args.study.model.display().to_string())?;
    }
    let dir = output_dir(
        args.runs.out.as_deref(),
        &scenario.model.name,
        &scenario.name,
    );
    let options = ReportOptions {
        max_failed: scenario.settings.max_failed(),
    };
    let written = write_study_with(&result, &dir, &options).map_err(Diagnostic::from)?;
    if !args.runs.quiet {
        print_verdicts(&result);
        outln!();
        outln!(
            "wrote {} files to {}/ (open report.md)",
            written.len(),
            dir.display()
        );
    }
    check_reliable(&[&result], options.max_failed)
}

/// Loop dominance of the first `runs` runs, split by each target's outcome, into `result`.
fn score_loops(
    scenario: &CompiledScenario,
    posterior: Option<&PosteriorSample>,
    result: &mut StudyResult,
    runs: u64,
) -> anyhow::Result<()> {
    let report = named_loops(&scenario.model, super::loops::LOOP_LIMIT)?;
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
    let dominance = plan.loop_dominance(result, &report, &names, runs)?;
    result.loops = Some(dominance);
    Ok(())
}

/// Runs one shard of the study and writes its shard directory.
fn run_shard(
    args: &McArgs,
    request: &StudyRequest,
    scenario: &CompiledScenario,
    shard: Shard,
) -> anyhow::Result<()> {
    let plan = Plan::new(scenario)?.shard(shard)?;
    let label = format!("{} shard {}/{}", scenario.name, shard.index, shard.count);
    let bar = progress_bar(plan.runs(), args.runs.quiet, &label);
    let records = plan.execute_records(args.runs.threads.map(|n| n as usize), &|done| {
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let bin = records::encode(plan.record_shape(), &records);
    let info = plan.shard_info(request, shard, sha256_hex(&bin));
    let dir = output_dir(
        args.runs.out.as_deref(),
        &scenario.model.name,
        &format!("{}-shard-{}-of-{}", scenario.name, shard.index, shard.count),
    );
    let targets = plan.target_names();
    write_shard(&dir, &info, bin, &records, plan.input_names(), &targets)
        .map_err(Diagnostic::from)?;
    if !args.runs.quiet {
        let failed = records
            .iter()
            .filter(|r| matches!(r.result, RunResult::Failed(_)))
            .count();
        outln!(
            "shard {}/{}: runs {} to {} of {} ({failed} failed) written to {}/",
            shard.index,
            shard.count,
            info.first_run,
            info.first_run + info.shard_runs - 1,
            info.runs,
            dir.display()
        );
    }
    Ok(())
}

/// An [`super::Unreliable`] error when any study's failed runs exceed `max_failed`.
pub fn check_reliable(results: &[&StudyResult], max_failed: f64) -> anyhow::Result<()> {
    for r in results {
        let check = FailedRunCheck::new(&r.summary, max_failed);
        if check.unreliable() {
            let why = check.sentence().unwrap_or_default();
            return Err(super::Unreliable(format!(
                "scenario {}: {why}\n  hint: find the fault with `sandtable run MODEL` at the inputs' typical values, or raise --max-failed",
                r.summary.scenario
            ))
            .into());
        }
    }
    Ok(())
}

/// Reads `--posterior FILE`, if given.
pub fn read_posterior(path: Option<&Path>) -> anyhow::Result<Option<PosteriorSample>> {
    Ok(path.map(PosteriorSample::read).transpose()?)
}

/// Plans and runs one compiled scenario with a progress bar; the inputs a posterior sample
/// names are drawn from its rows.
pub fn execute_with(
    scenario: &CompiledScenario,
    args: &RunsArgs,
    posterior: Option<&PosteriorSample>,
) -> anyhow::Result<StudyResult> {
    let mut plan = Plan::new(scenario)?;
    if let Some(p) = posterior {
        plan = plan.with_posterior(p)?;
    }
    let bar = progress_bar(plan.runs(), args.quiet, &scenario.name);
    let started = std::time::Instant::now();
    let result = plan.execute_on(args.threads.map(|n| n as usize), &|done| {
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{rate:.0} runs/s"));
        bar.set_position(done);
    });
    bar.finish_and_clear();
    Ok(result?)
}

pub(super) fn progress_bar(runs: u64, quiet: bool, label: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{prefix} {bar:40} {pos}/{len} runs  {msg}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(label.to_string());
    bar
}

/// Prints the verdict table of one study.
pub fn print_verdicts(result: &StudyResult) {
    let s = &result.summary;
    outln!(
        "{} — scenario {}: {} runs, seed {}, {} sampling{}",
        s.model,
        s.scenario,
        s.runs,
        s.seed,
        s.sampler,
        if s.failed_runs.count > 0 {
            format!(
                ", {} runs failed and count as misses (see report.md)",
                s.failed_runs.count
            )
        } else {
            String::new()
        }
    );
    outln!();
    let table = verdict_table(s);
    print_table(&table[0], &table[1..]);
    let j = &s.joint_probability;
    outln!(
        "\nall targets together: {:.1} % [{:.1}, {:.1}]",
        100.0 * j.probability,
        100.0 * j.ci95[0],
        100.0 * j.ci95[1]
    );
}
