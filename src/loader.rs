//! Opening a model file of any supported format (TOML, XMILE, Vensim) by its extension.

use crate::diagnostic::Diagnostic;
use crate::model::{toml_file, Model};
use std::path::Path;

/// Loads a model file: `.toml` natively; `.xmile`, `.stmx` and `.xml` as XMILE; `.mdl` as
/// Vensim.
pub fn load_model(path: &Path) -> Result<Model, Diagnostic> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "toml" => toml_file::load(path),
        "xmile" | "stmx" | "xml" | "itmx" => crate::xmile::load(path),
        "mdl" => crate::mdl::load(path),
        _ => Err(Diagnostic::plain(format!(
            "`{}`: unknown model format `{ext}`",
            path.display()
        ))
        .with_hint("model files end in .toml, .xmile, .stmx or .mdl")),
    }
}
