//! Opening a model file of any supported format (TOML, XMILE, Vensim .mdl) by its extension;
//! the file is read once, and its text kept for the study sections and the study's provenance.

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::model::{toml_file, Model};
use std::path::Path;
use std::sync::Arc;

/// Loads a model file: `.toml` natively; `.xmile`, `.stmx` and `.xml` as XMILE; `.mdl` as
/// Vensim.
pub fn load_model(path: &Path) -> Result<Model, Diagnostic> {
    check_extension(path)?;
    parse_model(path, &toml_file::read_source(path)?)
}

/// Parses a model file already read into `file`, choosing the reader by `path`'s extension.
pub fn parse_model(path: &Path, file: &Arc<SourceFile>) -> Result<Model, Diagnostic> {
    match extension(path).as_str() {
        "toml" => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".into());
            toml_file::parse(file, &stem)
        }
        "mdl" => crate::mdl::parse(&file.text, &file.path),
        _ => crate::xmile::parse(&file.text, &file.path),
    }
}

/// Refuses a file whose extension names no model format, before it is read.
pub fn check_extension(path: &Path) -> Result<(), Diagnostic> {
    let ext = extension(path);
    match ext.as_str() {
        "toml" | "xmile" | "stmx" | "xml" | "itmx" | "mdl" => Ok(()),
        _ => Err(Diagnostic::plain(format!(
            "`{}`: unknown model format `{ext}`",
            path.display()
        ))
        .with_hint("model files end in .toml, .xmile, .stmx or .mdl")),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}
