//! `sandtable run`: one deterministic run → run.csv, line charts and a table of the stocks.

use super::args::StudyArgs;
use super::output::print_table;
use sandtable::compile::Role;
use sandtable::diagnostic::Diagnostic;
use sandtable::report::export::{display_name, output_dir, write_run, RunOutput};
use sandtable::report::format;
use sandtable::simulate::Trajectory;
use sandtable::study::{CompiledScenario, Study};
use std::path::PathBuf;

/// Arguments of `sandtable run`.
#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// Scenario to run (default: baseline, the model as written).
    #[arg(long)]
    scenario: Option<String>,
    /// Output directory (default: outputs/<model name>/run/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs the command.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let study = Study::resolve(&args.study.request(args.scenario.as_deref(), None))?;
    let scenario = study.compile_requested()?;
    let trajectory = scenario.simulate()?;
    let dir = output_dir(args.out.as_deref(), &scenario.model.name, "run");
    let output = RunOutput {
        scenario: &scenario,
        trajectory: &trajectory,
    };
    let written = write_run(&output, &dir).map_err(Diagnostic::from)?;
    if !args.quiet {
        print_stock_table(&scenario, &trajectory);
        outln!();
        for p in written {
            outln!("wrote {}", p.display());
        }
    }
    Ok(())
}

fn print_stock_table(scenario: &CompiledScenario, traj: &Trajectory) {
    let n = traj.len();
    if n == 0 {
        return;
    }
    let mut rows_at: Vec<usize> = (0..=4).map(|k| k * (n - 1) / 4).collect();
    rows_at.dedup();
    let mut header = vec![format!("stock \\ {}", scenario.model.sim.time_unit)];
    header.extend(rows_at.iter().map(|&r| format::number(traj.times[r])));
    let rows: Vec<Vec<String>> = scenario
        .program
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == Role::Stock)
        .map(|(i, c)| {
            let mut row = vec![display_name(c)];
            row.extend(rows_at.iter().map(|&r| format::number(traj.row(r)[i])));
            row
        })
        .collect();
    print_table(&header, &rows);
}
