//! What a command asks of a study, before any file is read: the typed form of the command
//! line (or of a library caller's wishes), resolved into a [`super::Study`].

use super::Settings;
use std::path::PathBuf;

/// A study as asked for: files, scenario, command-line declarations and settings.
///
/// Declarations are text exactly as given (`--vary`, `--target`, `--set`), so that the
/// resolver can point its errors at them.
#[derive(Debug, Clone, Default)]
pub struct StudyRequest {
    /// The model file (.toml, .xmile, .stmx) or a TOML study file naming its model.
    pub model: PathBuf,
    /// Further study files, applied in order after the model's own sections.
    pub study_files: Vec<PathBuf>,
    /// The scenario to run (`None` or `baseline`: the model as written).
    pub scenario: Option<String>,
    /// `NAME=VALUE` overrides (`--set`), applied on top of the scenario.
    pub overrides: Vec<String>,
    /// `NAME=DIST` uncertain inputs (`--vary`).
    pub inputs: Vec<String>,
    /// `[NAME:] TARGET` targets (`--target`).
    pub targets: Vec<String>,
    /// The command line's layer of settings, laid over the files' settings.
    pub settings: Settings,
    /// Unit problems are errors (`--strict-units`), as `[sim] strict_units = true` asks too.
    pub strict_units: bool,
}

impl StudyRequest {
    /// A request for the model (or study file) at `model`, with nothing else said.
    pub fn new(model: impl Into<PathBuf>) -> StudyRequest {
        StudyRequest {
            model: model.into(),
            ..StudyRequest::default()
        }
    }

    /// The scenario asked for, `baseline` when none was named.
    pub fn scenario_name(&self) -> &str {
        self.scenario.as_deref().unwrap_or(super::BASELINE)
    }
}
