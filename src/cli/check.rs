//! `sandtable check`: validate everything a command would use — the model, study files,
//! uncertain inputs, correlations, targets and every scenario compiled — and summarise the
//! model's structure.

use super::args::StudyArgs;
use sandtable::report::export::check_text;

/// Arguments of `sandtable check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// Check only this scenario (default: baseline and every scenario).
    #[arg(long)]
    scenario: Option<String>,
}

/// Runs the command.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let request = args.study.request(args.scenario.as_deref(), None);
    let c = sandtable::job::run::check(&request, args.scenario.is_some())?;
    for p in &c.study.unit_problems {
        eprintln!("{}", sandtable::units::render_warning(p));
    }
    let path = args.study.model.display().to_string();
    outln!(
        "{}",
        check_text(&path, &c.study, &c.scenario, c.scenarios.len(), &c.loops)
    );
    Ok(())
}
