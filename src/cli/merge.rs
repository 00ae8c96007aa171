//! `sandtable merge`: combines the shard directories of one study (`mc … --shard I/N`) into
//! the study a single process would have written.

use super::output::finish;
use sandtable::job::study::merge;
use sandtable::report::export::verdicts_text;
use std::path::PathBuf;

/// Arguments of `sandtable merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Every shard directory of the study, in any order.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output directory of the merged study.
    #[arg(long)]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs the command.
pub fn run(args: MergeArgs) -> anyhow::Result<()> {
    let outcome = merge(&args.dirs, &args.out)?;
    let verdicts = verdicts_text(&outcome.result.summary);
    let text = || format!("{verdicts}\n\nmerged {} shards", outcome.shards);
    finish(
        args.quiet,
        text,
        &outcome.written,
        "open report.md",
        outcome.unreliable,
    )
}
