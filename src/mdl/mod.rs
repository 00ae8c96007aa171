//! Vensim `.mdl` models: reading a file into a [`crate::model::Model`].
//!
//! The file is cut into entries ([`split`]), each entry's equation is parsed with Vensim's
//! syntax ([`expr`], [`defs`]), subscript ranges are resolved ([`subs`]), and every variable is
//! written as engine equations, one per element ([`emit`], [`funcs`]), so arrayed models with
//! sub-ranges, mappings and `:EXCEPT:` need nothing beyond the engine's own arrays.

mod build;
mod defs;
mod delayn;
mod emit;
mod expr;
mod ext;
mod funcs;
mod sheet;
mod split;
mod subs;
mod vecfuncs;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::model::Model;
use std::path::Path;
use std::sync::Arc;

/// Reads and parses the `.mdl` file at `path`.
pub fn load(path: &Path) -> Result<Model, Diagnostic> {
    let file = crate::model::toml_file::read_source(path)?;
    parse(&file.text, &file.path)
}

/// Parses `.mdl` text; `path_for_messages` names the file in diagnostics and the model.
pub fn parse(text: &str, path_for_messages: &str) -> Result<Model, Diagnostic> {
    let file = Arc::new(SourceFile {
        path: path_for_messages.to_string(),
        text: text.to_string(),
    });
    let parts = split::split(&file)?;
    let name = Path::new(path_for_messages)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".to_string());
    let dir = Path::new(path_for_messages)
        .parent()
        .unwrap_or_else(|| Path::new("."));
    build::build(&file, &parts, name, dir)
}

/// The unit part of a Vensim units field (without the `[min, max]` range).
fn build_units(text: &str) -> Option<String> {
    let u = text.split('[').next().unwrap_or("").trim();
    (!u.is_empty()).then(|| u.to_string())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ext;
