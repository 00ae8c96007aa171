//! `sandtable convert`: between the native TOML format and XMILE.

use anyhow::bail;
use sandtable::model::toml_writer::to_toml;
use sandtable::report::atomic::write_atomic;
use sandtable::study::{toml_write, Study, StudyRequest};
use sandtable::xmile::{to_xmile_with_study, STUDY_NS};
use std::path::PathBuf;

/// Target format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Native TOML model file.
    Toml,
    /// XMILE 1.0 (opens in Stella; runs in other XMILE tools).
    Xmile,
}

/// Arguments of `sandtable convert`.
#[derive(clap::Args)]
pub struct ConvertArgs {
    /// Model file to convert (.toml, .xmile, .stmx, .mdl).
    model: PathBuf,
    /// Format to write.
    #[arg(long)]
    to: Format,
    /// Output file (default: the model's name with the new extension, beside it; `-` for
    /// standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: ConvertArgs) -> anyhow::Result<()> {
    let study = Study::resolve(&StudyRequest::new(&args.model))?;
    let model = &study.model;
    // Refuse to write a model that does not compile: the converted file should run.
    sandtable::compile::compile(model)?;
    let sections = toml_write::to_toml(&study.declarations);
    let (text, ext) = match args.to {
        Format::Toml if sections.is_empty() => (to_toml(model), "toml"),
        Format::Toml => (format!("{}\n{sections}", to_toml(model)), "toml"),
        Format::Xmile => (to_xmile_with_study(model, &sections), "xmile"),
    };
    let out = args
        .output
        .unwrap_or_else(|| args.model.with_extension(ext));
    if out.as_os_str() == "-" {
        out!("{text}");
        return Ok(());
    }
    if out == args.model {
        bail!(
            "error: `{}` would overwrite the model itself\n  hint: choose another name with -o",
            out.display()
        );
    }
    if let Err(e) = super::interrupt::deferred(|| write_atomic(&out, text.as_bytes())) {
        bail!(
            "error: cannot write `{}`: {e}\n  hint: choose a writable place with -o",
            out.display()
        );
    }
    outln!("wrote {}", out.display());
    let d = &study.declarations;
    if !sections.is_empty() && matches!(args.to, Format::Xmile) {
        outln!(
            "kept the study ({} uncertain inputs, {} targets, {} scenarios) in a <study xmlns=\"{STUDY_NS}\"> element; other XMILE tools ignore it",
            d.uncertain.len(),
            d.targets.len(),
            d.scenarios.len()
        );
    }
    Ok(())
}
