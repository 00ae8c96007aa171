//! `sandtable solve`: the smallest lever value (or cheapest combination of levers) that makes a
//! target at least as likely as asked, with common random numbers → solve.json, solve.png.

use super::args::{RunsArgs, StudyArgs};
use super::output::{finish, Bar};
use sandtable::job::decide::{solve, SolveRequest};
use sandtable::report::export::solution_text;
use sandtable::study::overrides::parse_probability;

/// Arguments of `sandtable solve` (the target is the one `--target`).
#[derive(clap::Args)]
pub struct SolveArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// The probability the target must reach: 0.8 or 80%.
    #[arg(long, value_parser = parse_probability)]
    probability: f64,
    /// A lever and its range, NAME=LO..HI (repeatable: several find the cheapest combination).
    #[arg(long, value_name = "NAME=LO..HI", required = true)]
    lever: Vec<String>,
    /// Cost of one unit of a lever, NAME=WEIGHT (several levers; default 1 each).
    #[arg(long, value_name = "NAME=WEIGHT")]
    cost: Vec<String>,
    /// Values on each lever's coarse grid before bisection.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..=101))]
    grid: u64,
    /// Bisection stops when the bracket is narrower than this share of the range.
    #[arg(long, default_value = "0.005", value_parser = parse_tolerance)]
    tolerance: f64,
}

fn parse_tolerance(text: &str) -> Result<f64, String> {
    sandtable::study::overrides::parse_value(text)
        .filter(|t| *t > 0.0 && *t < 0.5)
        .ok_or_else(|| {
            format!("`{text}` is not a share of the range between 0 and 0.5; e.g. 0.005")
        })
}

/// Runs the command.
pub fn run(args: SolveArgs) -> anyhow::Result<()> {
    let request = SolveRequest {
        study: args.study.request(Some(&args.runs))?,
        probability: args.probability,
        levers: args.lever,
        costs: args.cost,
        grid: args.grid as usize,
        tolerance: args.tolerance,
        threads: args.runs.threads(),
        out: args.runs.output.out.clone(),
    };
    let quiet = args.runs.output.quiet;
    let outcome = solve(&request, &Bar::new(quiet))?;
    let text = || solution_text(&outcome.solution);
    finish(quiet, text, &outcome.written, "solve.json, solve.png", None)
}
