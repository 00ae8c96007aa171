//! `sandtable run`: one deterministic run → run.csv, line charts and a table of the stocks.

use super::args::StudyArgs;
use sandtable::report::export::stock_table_text;
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
    let request = args.study.request(args.scenario.as_deref(), None);
    let outcome = sandtable::job::run::run(&request, args.out.as_deref())?;
    if !args.quiet {
        let sc = &outcome.scenario;
        let table = stock_table_text(&sc.program, &sc.model.sim.time_unit, &outcome.trajectory);
        outln!("{table}\n");
        for p in &outcome.written.files {
            outln!("wrote {}", p.display());
        }
    }
    Ok(())
}
