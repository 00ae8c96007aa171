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
}

/// Runs the command.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let request = args.study.request(None)?;
    let c = sandtable::job::run::check(&request, !args.study.scenario.is_empty())?;
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
