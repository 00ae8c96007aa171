//! Scenario names that would collide with a command's output directory.
//!
//! `run` writes `outputs/<model>/run/` and a study of scenario `s` writes
//! `outputs/<model>/<s>/`, so a scenario may not take the directory name of a command.

use crate::diagnostic::{Diagnostic, SourceRef};

/// Output directory names that belong to commands, not scenarios.
pub const RESERVED_SCENARIO_NAMES: [&str; 5] = ["run", "compare", "solve", "sweep", "calibrate"];

/// Refuses a scenario whose output directory would be a command's: the name is compared as
/// it becomes a directory name (letters lower-cased, other characters folded to `_`), so
/// `Run` and ` compare ` are refused too. Names with control or text-direction characters are
/// refused as everywhere else.
pub fn check_scenario_name(name: &str, at: &SourceRef) -> Result<(), Diagnostic> {
    crate::model::names::check_printable(name).map_err(|m| {
        Diagnostic::new(m, at.clone()).with_hint(crate::model::names::PRINTABLE_HINT)
    })?;
    let dir = crate::report::export::slug(name);
    match RESERVED_SCENARIO_NAMES.iter().find(|r| **r == dir) {
        None => Ok(()),
        Some(r) => Err(Diagnostic::new(
            format!("the scenario name `{name}` is reserved: `outputs/<model>/{r}/` belongs to the `{r}` command"),
            at.clone(),
        )
        .with_hint(format!(
            "rename the scenario (for example `{r}_case`); reserved names are {}",
            RESERVED_SCENARIO_NAMES.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_directory_names_are_refused_in_any_spelling() {
        for bad in ["run", "Run", " compare ", "SOLVE", "sweep", "calibrate"] {
            let e = check_scenario_name(bad, &SourceRef::none()).unwrap_err();
            assert!(e.message.contains("is reserved"), "{bad}: {}", e.message);
            assert!(e
                .hint
                .unwrap()
                .contains("run, compare, solve, sweep, calibrate"));
        }
        for ok in ["baseline", "run_fast", "rerun", "compare2", "低 price"] {
            assert!(check_scenario_name(ok, &SourceRef::none()).is_ok(), "{ok}");
        }
        assert!(check_scenario_name("a\u{202E}b", &SourceRef::none()).is_err());
    }
}
