//! `sandtable mc`: a Monte Carlo study of one scenario → verdict table, charts, tables.

use super::args::{RunsArgs, StudyArgs};
use super::output::{finish, Bar};
use sandtable::job::study::{mc, McOutcome, McRequest};
use sandtable::report::export::{shard_text, verdicts_text};
use std::path::PathBuf;

/// Arguments of `sandtable mc`.
#[derive(clap::Args)]
pub struct McArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// Draw the calibrated inputs jointly from this posterior.csv (written by `calibrate`).
    #[arg(long, value_name = "FILE")]
    posterior: Option<PathBuf>,
    /// Run only shard I of N of the study (I from 0 to N − 1) and write a shard directory
    /// for `sandtable merge`; `auto` reads a Kubernetes Indexed Job or a Slurm job array.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// Number of shards with `--shard auto` in a Kubernetes Indexed Job (its completions).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,
    /// Solve this lever for every target after the study: NAME=LO..HI, or NAME alone for a
    /// lever the model declares; report.md's summary then says what it would take.
    #[arg(long, value_name = "NAME=LO..HI")]
    what_it_takes: Option<String>,
    /// The probability `--what-it-takes` asks of each target: 0.8 or 80%.
    #[arg(long, default_value = "0.8", value_parser = sandtable::study::overrides::parse_probability)]
    goal: f64,
    /// Also score the feedback loops of the first N runs (default 200; Loops That Matter)
    /// and report which loop dominates when in the runs that reach each target and in those
    /// that miss it.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "200",
          value_parser = clap::value_parser!(u64).range(1..))]
    loops: Option<u64>,
}

/// Runs the command.
pub fn run(args: McArgs) -> anyhow::Result<()> {
    let request = McRequest {
        study: args.study.request(Some(&args.runs))?,
        posterior: args.posterior,
        shard: args.shard,
        shards: args.shards,
        what_it_takes: args.what_it_takes,
        goal: args.goal,
        threads: args.runs.threads(),
        out: args.runs.output.out.clone(),
        loops: args.loops,
    };
    let quiet = args.runs.output.quiet;
    match mc(&request, &Bar::new(quiet))? {
        McOutcome::Study {
            result,
            written,
            unreliable,
        } => finish(
            quiet,
            || verdicts_text(&result.summary),
            &written,
            "open report.md",
            unreliable,
        ),
        McOutcome::Shard {
            info,
            failed,
            written,
        } => {
            if !quiet {
                outln!("{}", shard_text(&info, failed, &written.dir));
            }
            Ok(())
        }
    }
}
