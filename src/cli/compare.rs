//! `sandtable compare`: several scenarios with common random numbers, side by side.

use super::args::{RunsArgs, StudyArgs};
use super::output::{finish, Bar};
use sandtable::job::study::{compare, CompareRequest};
use sandtable::report::export::comparison_text;

/// Arguments of `sandtable compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// Draw the calibrated inputs jointly from this posterior.csv in every scenario.
    #[arg(long, value_name = "FILE")]
    posterior: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let request = CompareRequest {
        study: args.study.request_all(Some(&args.runs)),
        scenarios: args.study.scenario.clone(),
        posterior: args.posterior,
        threads: args.runs.threads(),
        out: args.runs.output.out.clone(),
    };
    let quiet = args.runs.output.quiet;
    let outcome = compare(&request, &Bar::new(quiet))?;
    let summaries: Vec<_> = outcome.results.iter().map(|r| &r.summary).collect();
    let text = || comparison_text(&summaries);
    finish(
        quiet,
        text,
        &outcome.written,
        "open comparison.md",
        outcome.unreliable,
    )
}
