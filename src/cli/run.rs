//! `sandtable run`: one deterministic run → run.csv, line charts and a table of the stocks.

use super::args::{OutputArgs, StudyArgs};
use sandtable::report::export::{files_text, stock_table_text};

/// Arguments of `sandtable run`.
#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs the command.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let request = args.study.request(None)?;
    let outcome = sandtable::job::run::run(&request, args.output.out.as_deref())?;
    if !args.output.quiet {
        let sc = &outcome.scenario;
        let table = stock_table_text(&sc.program, &sc.model.sim.time_unit, &outcome.trajectory);
        outln!("{table}\n\n{}", files_text(&outcome.written.files));
    }
    Ok(())
}
