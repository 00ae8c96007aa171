//! `sandtable sweep`: every target's probability at evenly spaced lever values, with common
//! random numbers → sweep.csv, a chart per target, a heat map per target for two levers.

use super::args::{RunsArgs, StudyArgs};
use super::decide::{number, parse_levers, progress_bar};
use super::output::print_table;
use anyhow::Context;
use sandtable::decision::{sweep, Evaluator};
use sandtable::diagnostic::Diagnostic;
use sandtable::report::export::{output_dir, write_sweep};
use sandtable::study::Study;

/// Arguments of `sandtable sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// A lever and its values, NAME=LO..HI:POINTS (repeatable; POINTS defaults to 9 for one
    /// lever, 5 each for several).
    #[arg(long, value_name = "NAME=LO..HI:POINTS", required = true)]
    lever: Vec<String>,
    /// Scenario to sweep (default: baseline, the model as written).
    #[arg(long)]
    scenario: Option<String>,
}

/// Runs the command.
pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    let request = args
        .study
        .request(args.scenario.as_deref(), Some(&args.runs));
    let levers = parse_levers(&args.lever)?;
    let study = Study::resolve(&request)?;
    let bar = progress_bar(study.settings.runs(), args.runs.quiet);
    let progress = |k: usize, done: u64| {
        bar.set_prefix(format!("point {}", k + 1));
        bar.set_position(done);
    };
    let threads = args.runs.threads.map(|n| n as usize);
    let mut ev = Evaluator::new(&study, &study.scenario, levers, threads, &progress)?;
    if ev.targets().is_empty() {
        anyhow::bail!("error: the study has no targets to sweep\n  hint: declare [targets] or give --target \"followers at 365 >= 1e6\"");
    }
    let result = sweep(&mut ev).with_context(|| args.study.model.display().to_string())?;
    bar.finish_and_clear();
    let dir = output_dir(args.runs.out.as_deref(), &study.model.name, "sweep");
    let written = write_sweep(&result, &dir).map_err(Diagnostic::from)?;
    if !args.runs.quiet {
        outln!(
            "{}: {} lever values × {} runs, seed {} (common random numbers)\n",
            study.model.name,
            result.points.len(),
            result.runs,
            result.seed
        );
        let mut header: Vec<String> = result.levers.clone();
        header.extend(result.targets.iter().cloned());
        let rows: Vec<Vec<String>> = result
            .points
            .iter()
            .map(|p| {
                let mut row: Vec<String> = p.values.iter().map(|v| number(*v)).collect();
                row.extend(
                    p.probabilities
                        .iter()
                        .map(|q| format!("{:.1} %", 100.0 * q.probability)),
                );
                row
            })
            .collect();
        print_table(&header, &rows);
        outln!(
            "\nwrote {} files to {}/ (sweep.csv and charts)",
            written.len(),
            dir.display()
        );
    }
    Ok(())
}
