//! `sandtable loops`: loop scores over one run (Loops That Matter) → loops.csv, loops.md and
//! the stacked dominance chart; prints each loop's path and the phases of dominance.

use super::args::StudyArgs;
use sandtable::analysis::named_loops;
use sandtable::diagnostic::Diagnostic;
use sandtable::explain::LoopScorer;
use sandtable::report::export::{loop_line, output_dir, phase_lines, write_loops, LoopsOutput};
use sandtable::simulate::Simulation;
use sandtable::study::Study;
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

/// Most loops scored; the shortest come first (as `check` lists them).
pub const LOOP_LIMIT: usize = 200;

/// Runs the command.
pub fn run(args: LoopsArgs) -> anyhow::Result<()> {
    let study = Study::resolve(&args.study.request(args.scenario.as_deref(), None))?;
    let scenario = study.compile_requested()?;
    let report = named_loops(&scenario.model, LOOP_LIMIT)?;
    let names: Vec<String> = scenario
        .model
        .variables
        .iter()
        .map(|v| v.name.clone())
        .collect();
    let scorer = LoopScorer::new(&scenario.program, &names, &report);
    let mut sim = Simulation::new(&scenario.program);
    if let Some(m) = scenario.settings.method {
        sim.set_method(m);
    }
    let scores = scorer.score(&mut sim)?;
    let dir = output_dir(args.out.as_deref(), &scenario.model.name, "loops");
    let output = LoopsOutput {
        scenario: &scenario,
        scores: &scores,
    };
    let written = write_loops(&output, &dir).map_err(Diagnostic::from)?;
    if !args.quiet {
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
        let phases = phase_lines(&scores);
        if !phases.is_empty() {
            outln!("\ndominant loop ({}):", scenario.model.sim.time_unit);
            for p in phases {
                outln!("  {p}");
            }
        }
        outln!();
        for p in written {
            outln!("wrote {}", p.display());
        }
    }
    Ok(())
}
