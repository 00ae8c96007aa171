//! Dimensional analysis: reading unit expressions, inferring the unit of every equation and
//! reporting each mismatch with its place in the model file.
//!
//! The stages: [`parse`] reads `people/month`-style units through plurals, synonyms and the
//! model's own definitions ([`settings`]); [`infer`] gives each expression a unit, applying the
//! rules of [`builtins`]; [`check`] compares equations with declared units and stocks with
//! their flows. `docs/model-format.md` (Units) states the rules.
//!
//! ```
//! use sandtable::units::{check_model, UnitSettings};
//! let text = r#"
//! [sim]
//! start = 0
//! stop = 10
//! time_unit = "month"
//! dt = 1
//! [stocks]
//! people = { initial = 100, inflows = ["births"], unit = "people" }
//! [flows]
//! births = { equation = "people + people / month", unit = "people/month" }
//! [constants]
//! month = { value = 1, unit = "month" }
//! "#;
//! let file = std::sync::Arc::new(sandtable::diagnostic::SourceFile {
//!     path: "m.toml".into(),
//!     text: text.into(),
//! });
//! let model = sandtable::model::toml_file::parse(&file, "m").unwrap();
//! let problems = check_model(&model, &UnitSettings::default());
//! assert!(problems[0].message.contains("`person` but `people / month` is in `person/month`"));
//! assert_eq!((problems[0].at.line, problems[0].at.col), (10, 33));
//! ```

pub mod builtins;
pub mod check;
pub mod infer;
pub mod parse;
pub mod settings;
pub mod unit;

#[cfg(test)]
mod tests;

pub use check::check_model;
pub use parse::{UnitDefinition, UnitTable};
pub use settings::UnitSettings;
pub use unit::Unit;

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use std::path::Path;

/// The outcome of checking a model file's units.
#[derive(Debug, Clone)]
pub struct UnitCheck {
    /// Every unit problem, in file order.
    pub problems: Vec<Diagnostic>,
    /// Whether the file asks for problems to be errors (`[sim] strict_units = true`).
    pub strict: bool,
}

impl UnitCheck {
    /// With `strict` (or the file's own setting), problems are an error: all of them rendered
    /// for the terminal. Otherwise returns them as warnings.
    pub fn gate(self, strict: bool) -> Result<Vec<Diagnostic>, String> {
        if (strict || self.strict) && !self.problems.is_empty() {
            let mut text: Vec<String> = self.problems.iter().map(|d| d.to_string()).collect();
            text.push(format!(
                "error: {} unit problem(s); units are checked strictly (--strict-units or [sim] strict_units)",
                self.problems.len()
            ));
            return Err(text.join("\n"));
        }
        Ok(self.problems)
    }
}

/// Checks the units of `model`, read from `path` (which also holds the unit settings).
pub fn check_file(path: &Path, model: &Model) -> Result<UnitCheck, Diagnostic> {
    check_source(path, &crate::model::toml_file::read_source(path)?, model)
}

/// As [`check_file`], with the model file's text already read into `file`.
pub fn check_source(
    path: &Path,
    file: &std::sync::Arc<crate::diagnostic::SourceFile>,
    model: &Model,
) -> Result<UnitCheck, Diagnostic> {
    let settings = settings::from_source(path, file)?;
    Ok(UnitCheck {
        problems: check_model(model, &settings),
        strict: settings.strict,
    })
}

/// A unit problem rendered as a warning (`file:line:col: warning: …`, caret and hint).
pub fn render_warning(d: &Diagnostic) -> String {
    let text = d.to_string();
    match text.find("error: ") {
        Some(i) => format!("{}warning: {}", &text[..i], &text[i + "error: ".len()..]),
        None => text,
    }
}
