//! `sandtable loops`: loop scores over one run (Loops That Matter) → loops.csv, loops.md and
//! the stacked dominance chart; prints each loop's path and the phases of dominance.

use super::args::StudyArgs;
use sandtable::report::export::{loop_line, phase_lines};
use std::path::PathBuf;

/// Arguments of `sandtable loops`.
#[derive(clap::Args)]
pub struct LoopsArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// Scenario to run (default: baseline, the model as written).
    #[arg(long)]
    scenario: Option<String>,
    /// Output directory (default: outputs/<model name>/loops/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs the command.
pub fn run(args: LoopsArgs) -> anyhow::Result<()> {
    let request = args.study.request(args.scenario.as_deref(), None);
    let outcome = sandtable::job::run::loops(&request, args.out.as_deref())?;
    if args.quiet {
        return Ok(());
    }
    let scores = &outcome.scores;
    if scores.loops.is_empty() {
        outln!("feedback loops: none");
    }
    for l in &scores.loops {
        outln!("{}", loop_line(l));
    }
    if scores.truncated {
        outln!(
            "… and more (the {} shortest are scored)",
            scores.loops.len()
        );
    }
    let phases = phase_lines(scores);
    if !phases.is_empty() {
        outln!(
            "\ndominant loop ({}):",
            outcome.scenario.model.sim.time_unit
        );
        for p in phases {
            outln!("  {p}");
        }
    }
    outln!();
    for p in &outcome.written.files {
        outln!("wrote {}", p.display());
    }
    Ok(())
}
