//! `sandtable mc`: a Monte Carlo study of one scenario → verdict table, charts, tables.

use super::output::print_table;
use super::study_args::{self, StudyArgs};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sandtable::diagnostic::Diagnostic;
use sandtable::montecarlo::result::StudyResult;
use sandtable::montecarlo::runner::Plan;
use sandtable::report::export::{verdict_table, write_study_dir};
use std::io::IsTerminal;

/// Arguments of `sandtable mc`.
#[derive(clap::Args)]
pub struct McArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// Scenario to run (default: baseline, the model as written).
    #[arg(long, default_value = "baseline")]
    scenario: String,
}

/// Runs the command.
pub fn run(args: McArgs) -> Result<(), String> {
    let loaded = study_args::load(&args.study)?;
    let result = run_scenario(&args.study, &loaded, &args.scenario)?;
    let dir = study_args::study_dir(&args.study, &loaded.model, &result.summary.scenario);
    let written = write_study_dir(&result, &dir).map_err(|e| Diagnostic::from(e).to_string())?;
    if !args.study.quiet {
        print_verdicts(&result);
        outln!();
        outln!(
            "wrote {} files to {}/ (open report.md)",
            written.len(),
            dir.display()
        );
    }
    Ok(())
}

/// Loads, compiles and runs one scenario with a progress bar.
pub fn run_scenario(
    args: &StudyArgs,
    loaded: &study_args::Loaded,
    scenario: &str,
) -> Result<StudyResult, String> {
    let (_, study, prog, doc) = study_args::scenario(loaded, scenario, &args.set)?;
    let options = study_args::options(args, &study, scenario, doc)?;
    let runs = options.runs;
    let plan = Plan::new(&prog, &study, options).map_err(|e| e.to_string())?;
    let bar = progress_bar(runs, args.quiet, scenario);
    let started = std::time::Instant::now();
    let result = study_args::with_threads(args.threads, || {
        plan.execute(&|done| {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!("{rate:.0} runs/s"));
            bar.set_position(done);
        })
    })?;
    bar.finish_and_clear();
    result.map_err(|e| format!("{}: {e}", args.model.display()))
}

fn progress_bar(runs: u64, quiet: bool, label: &str) -> ProgressBar {
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
            format!(", {} runs failed (see report.md)", s.failed_runs.count)
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
