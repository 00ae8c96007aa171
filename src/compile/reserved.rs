//! Names the engine owns: a model variable may not take them, or it would replace the clock.

use crate::diagnostic::Diagnostic;
use crate::model::names::canonical;
use crate::model::Model;

/// Built-in names every equation can read (`time`, `dt`, `starttime`, `stoptime`, and the
/// XMILE spellings with an underscore).
pub const RESERVED_NAMES: [&str; 4] = ["time", "dt", "starttime", "stoptime"];

/// Refuses variables named like a built-in, one diagnostic each.
pub fn check_reserved(model: &Model) -> Result<(), Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = model
        .variables
        .iter()
        .filter(|v| {
            let key = canonical(&v.name).replace('_', "");
            RESERVED_NAMES.contains(&key.as_str())
        })
        .map(|v| {
            Diagnostic::new(
                format!("`{}` is a built-in name and cannot name a variable", v.name),
                v.at.clone(),
            )
            .with_hint(format!(
                "{} are read from the clock; rename the variable (e.g. `{}_value`)",
                RESERVED_NAMES.join(", "),
                canonical(&v.name)
            ))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
