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
mod rundata;
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
    load_with_data(path, &[])
}

/// Reads and parses the `.mdl` file at `path`; its data variables with no equation (which
/// Vensim reads from another run's `.vdf` file) take their series from `data_files`, run
/// outputs exported as tables (`.tab` tab-separated or `.csv`, `Time` down the first column,
/// one column per variable element, a blank cell repeating the value above).
pub fn load_with_data(path: &Path, data_files: &[&Path]) -> Result<Model, Diagnostic> {
    let file = crate::model::toml_file::read_source(path)?;
    let run_data = rundata::RunData::read(data_files).map_err(|m| {
        Diagnostic::plain(m).with_hint("a data file is a run's output as .tab or .csv")
    })?;
    parse_with(&file.text, &file.path, &run_data)
}

/// Parses `.mdl` text; `path_for_messages` names the file in diagnostics and the model.
pub fn parse(text: &str, path_for_messages: &str) -> Result<Model, Diagnostic> {
    parse_with(text, path_for_messages, &rundata::RunData::default())
}

fn parse_with(
    text: &str,
    path_for_messages: &str,
    run_data: &rundata::RunData,
) -> Result<Model, Diagnostic> {
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
    build::build(&file, &parts, name, dir, run_data)
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
