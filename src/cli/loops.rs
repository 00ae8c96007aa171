//! `sandtable loops`: loop scores over one run (Loops That Matter) → loops.csv, loops.md and
//! the stacked dominance chart; prints each loop's path and the phases of dominance.

use super::args::{OutputArgs, StudyArgs};
use sandtable::report::export::{files_text, loops_text};

/// Arguments of `sandtable loops`.
#[derive(clap::Args)]
pub struct LoopsArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs the command.
pub fn run(args: LoopsArgs) -> anyhow::Result<()> {
    let request = args.study.request(None)?;
    let outcome = sandtable::job::run::loops(&request, args.output.out.as_deref())?;
    if args.output.quiet {
        return Ok(());
    }
    let unit = &outcome.scenario.model.sim.time_unit;
    outln!("{}\n", loops_text(&outcome.scores, unit));
    outln!("{}", files_text(&outcome.written.files));
    Ok(())
}
