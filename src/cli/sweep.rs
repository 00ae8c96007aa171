//! `sandtable sweep`: every target's probability at evenly spaced lever values, with common
//! random numbers → sweep.csv, a chart per target, a heat map per target for two levers.

use super::args::{RunsArgs, StudyArgs};
use super::output::{finish, Bar};
use sandtable::job::decide::{sweep, SweepRequest};
use sandtable::report::export::sweep_text;

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
}

/// Runs the command.
pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    let request = SweepRequest {
        study: args.study.request(Some(&args.runs))?,
        levers: args.lever,
        threads: args.runs.threads(),
        out: args.runs.output.out.clone(),
    };
    let quiet = args.runs.output.quiet;
    let outcome = sweep(&request, &Bar::new(quiet))?;
    let text = || sweep_text(&outcome.sweep);
    finish(quiet, text, &outcome.written, "sweep.csv and charts", None)
}
