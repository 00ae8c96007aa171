//! `sandtable convert`: between the native TOML format and XMILE.

use sandtable::job::run::{convert, Format};
use sandtable::xmile::STUDY_NS;
use std::path::PathBuf;

/// Arguments of `sandtable convert`.
#[derive(clap::Args)]
pub struct ConvertArgs {
    /// Model file to convert (.toml, .xmile, .stmx, .mdl).
    model: PathBuf,
    /// Format to write: toml (the native model file) or xmile (XMILE 1.0: opens in Stella,
    /// runs in other XMILE tools).
    #[arg(long)]
    to: Format,
    /// Output file (default: the model's name with the new extension, beside it; `-` for
    /// standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: ConvertArgs) -> anyhow::Result<()> {
    let outcome = convert(&args.model, args.to, args.output.as_deref())?;
    let Some(path) = outcome.path else {
        out!("{}", outcome.text);
        return Ok(());
    };
    outln!("wrote {}", path.display());
    if let Some((inputs, targets, scenarios)) = outcome.kept_study {
        outln!(
            "kept the study ({inputs} uncertain inputs, {targets} targets, {scenarios} scenarios) in a <study xmlns=\"{STUDY_NS}\"> element; other XMILE tools ignore it"
        );
    }
    Ok(())
}
