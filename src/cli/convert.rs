//! `sandtable convert`: between the native TOML format and XMILE.

use sandtable::loader::load_model;
use sandtable::model::toml_writer::to_toml;
use sandtable::report::atomic::write_atomic;
use sandtable::xmile::to_xmile;
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
pub fn run(args: ConvertArgs) -> Result<(), String> {
    let model = load_model(&args.model).map_err(|e| e.to_string())?;
    // Refuse to write a model that does not compile: the converted file should run.
    sandtable::compile::compile(&model).map_err(|e| e.to_string())?;
    let (text, ext) = match args.to {
        Format::Toml => (to_toml(&model), "toml"),
        Format::Xmile => (to_xmile(&model), "xmile"),
    };
    let out = args
        .output
        .unwrap_or_else(|| args.model.with_extension(ext));
    if out.as_os_str() == "-" {
        out!("{text}");
        return Ok(());
    }
    if out == args.model {
        return Err(format!(
            "error: `{}` would overwrite the model itself\n  hint: choose another name with -o",
            out.display()
        ));
    }
    super::interrupt::deferred(|| write_atomic(&out, text.as_bytes())).map_err(|e| {
        format!(
            "error: cannot write `{}`: {e}\n  hint: choose a writable place with -o",
            out.display()
        )
    })?;
    outln!("wrote {}", out.display());
    Ok(())
}
