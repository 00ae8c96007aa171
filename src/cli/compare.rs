//! `sandtable compare`: several scenarios with common random numbers, side by side.

use super::args::{RunsArgs, StudyArgs};
use super::output::{finish, Bar};
use sandtable::job::study::{compare, CompareRequest};
use sandtable::report::export::{comparison_table, table_text};

/// Arguments of `sandtable compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// Scenarios to compare, comma-separated (`baseline` is the model as written;
    /// default: baseline and every scenario of the model).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<String>,
    /// Draw the calibrated inputs jointly from this posterior.csv in every scenario.
    #[arg(long, value_name = "FILE")]
    posterior: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let request = CompareRequest {
        study: args.study.request(None, Some(&args.runs)),
        scenarios: args.scenarios,
        posterior: args.posterior,
        threads: args.runs.threads(),
        out: args.runs.out.clone(),
    };
    let outcome = compare(&request, &Bar::new(args.runs.quiet))?;
    if !args.runs.quiet {
        let first = &outcome.results[0].summary;
        let table = comparison_table(outcome.results.iter().map(|r| &r.summary));
        outln!(
            "{}: {} scenarios × {} runs, seed {} (common random numbers)\n\n{}",
            first.model,
            outcome.results.len(),
            first.runs,
            first.seed,
            table_text(&table[0], &table[1..])
        );
    }
    finish(
        &outcome.written,
        "open comparison.md",
        args.runs.quiet,
        outcome.unreliable,
    )
}
