//! `sandtable merge`: combines the shard directories of one study (`mc … --shard I/N`) into
//! the study a single process would have written.

use super::mc::{check_reliable, print_verdicts};
use anyhow::Context;
use sandtable::diagnostic::Diagnostic;
use sandtable::montecarlo::records;
use sandtable::montecarlo::runner::Plan;
use sandtable::montecarlo::shard::ShardInfo;
use sandtable::report::export::{write_study_with, ReportOptions, RECORDS, SHARD_JSON};
use sandtable::study::provenance::sha256_hex;
use sandtable::study::Study;
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

/// Runs the command. Every check comes before anything is written.
pub fn run(args: MergeArgs) -> anyhow::Result<()> {
    let mut shards = Vec::with_capacity(args.dirs.len());
    for dir in &args.dirs {
        shards.push((dir.display().to_string(), read_info(dir)?));
    }
    let shards = ShardInfo::check_set(shards)?;
    let first = &shards[0].1;
    let request = first.request.request()?;
    let study = Study::resolve(&request).with_context(|| {
        format!(
            "the merge reads the study again from {} (run it where the shards' paths hold)",
            first.request.model
        )
    })?;
    let scenario = study.compile_requested()?;
    if !scenario.levers.is_empty() {
        return Err(Diagnostic::plain(
            "the study declares levers, whose swings shards do not record; it cannot be merged",
        )
        .into());
    }
    let plan = Plan::new(&scenario)?;
    plan.check_shard(first)?;
    let shape = plan.record_shape();
    let mut all = Vec::with_capacity(usize::try_from(first.runs).unwrap_or(0));
    for (dir, info) in &shards {
        let path = PathBuf::from(dir).join(RECORDS);
        let bytes = std::fs::read(&path).map_err(|e| {
            Diagnostic::plain(format!("cannot read {}: {e}", path.display()))
                .with_hint("a shard directory holds shard.json, records.bin and runs.csv")
        })?;
        if sha256_hex(&bytes) != info.records_sha256 {
            return Err(Diagnostic::plain(format!(
                "{} does not match its shard.json (damaged or replaced)",
                path.display()
            ))
            .with_hint("run that shard again")
            .into());
        }
        let recs = records::decode(&bytes, shape)
            .map_err(|e| Diagnostic::plain(format!("{}: {e}", path.display())))?;
        if recs.len() as u64 != info.shard_runs {
            return Err(Diagnostic::plain(format!(
                "{} holds {} runs, its shard.json {}",
                path.display(),
                recs.len(),
                info.shard_runs
            ))
            .into());
        }
        all.extend(recs);
    }
    let result = plan.replay(all)?;
    let options = ReportOptions {
        max_failed: scenario.settings.max_failed(),
    };
    let written = write_study_with(&result, &args.out, &options).map_err(Diagnostic::from)?;
    if !args.quiet {
        print_verdicts(&result);
        outln!();
        outln!(
            "merged {} shards: wrote {} files to {}/ (open report.md)",
            shards.len(),
            written.len(),
            args.out.display()
        );
    }
    check_reliable(&[&result], options.max_failed)
}

/// `dir/shard.json`, read and parsed.
fn read_info(dir: &std::path::Path) -> Result<ShardInfo, Diagnostic> {
    let path = dir.join(SHARD_JSON);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::plain(format!(
            "{} is not a shard directory: cannot read {}: {e}",
            dir.display(),
            path.display()
        ))
        .with_hint("write shards with `sandtable mc MODEL … --shard I/N --out DIR`")
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Diagnostic::plain(format!(
            "{}:{}:{}: not a valid shard.json: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
        .with_hint("shard.json is written by `sandtable mc … --shard I/N`; do not edit it")
    })
}
