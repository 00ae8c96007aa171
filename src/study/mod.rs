//! A study: the model with what is uncertain, how inputs correlate, which targets to score,
//! which scenarios to compare, and the run settings — resolved once from a typed
//! [`StudyRequest`] into a validated [`Study`] that compiles the program of any scenario.
//!
//! Declarations are read from the model file's own sections, from study files that point at a
//! model (so XMILE models can be studied unchanged) and from the command line; later sources
//! add to or replace earlier ones ([`Declarations::merge`], [`Settings::merge`]).

mod compiled;
pub mod distribution;
pub mod overrides;
pub mod provenance;
mod request;
mod resolve;
mod sampler;
mod settings;
pub mod toml_study;
pub mod toml_write;

pub use compiled::CompiledScenario;
pub use overrides::Override;
pub use provenance::Provenance;
pub use request::StudyRequest;
pub use resolve::Study;
pub use sampler::Sampler;
pub use settings::{Settings, DEFAULT_RUNS, MAX_RUNS};

use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::{names::canonical, Equation, Expr, Model, VarKind};
use distribution::Distribution;

/// The scenario that is the model as written.
pub const BASELINE: &str = "baseline";

/// Names no scenario may take: `baseline`, and the output folders of the other commands.
pub const RESERVED_SCENARIOS: [&str; 6] =
    ["baseline", "run", "compare", "solve", "sweep", "calibrate"];
use crate::targets::Target;

/// An uncertain constant.
#[derive(Debug, Clone)]
pub struct Uncertain {
    /// Constant name.
    pub name: String,
    /// Its distribution.
    pub dist: Distribution,
    /// Where it was declared.
    pub at: SourceRef,
}

/// A constant the model declares as a lever (`lever = { min = …, max = … }`): a decision
/// whose range `mc` swings and `solve`/`sweep` search.
#[derive(Debug, Clone)]
pub struct LeverDecl {
    /// Constant name.
    pub name: String,
    /// Lowest value considered.
    pub min: f64,
    /// Highest value considered.
    pub max: f64,
    /// Where it was declared.
    pub at: SourceRef,
}

/// A rank-correlation matrix over named inputs.
#[derive(Debug, Clone)]
pub struct Correlations {
    /// Input names, in matrix order.
    pub inputs: Vec<String>,
    /// The matrix, row by row.
    pub matrix: Vec<Vec<f64>>,
    /// Where it was declared.
    pub at: SourceRef,
}

/// A named variant of the model: constants set, distributions replaced, equations rewritten.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// What the scenario stands for.
    pub doc: Option<String>,
    /// Constants set to fixed values.
    pub set: Vec<(String, f64, SourceRef)>,
    /// Distributions added or replaced.
    pub vary: Vec<Uncertain>,
    /// Equations replaced (e.g. a budget change on a date).
    pub equations: Vec<(String, Expr)>,
    /// Where it was declared.
    pub at: SourceRef,
}

/// Everything a study declares: inputs, correlations, targets, scenarios and one layer of
/// settings.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    /// Uncertain inputs, in declaration order.
    pub uncertain: Vec<Uncertain>,
    /// Rank correlations between inputs.
    pub correlations: Option<Correlations>,
    /// Targets, in declaration order.
    pub targets: Vec<Target>,
    /// Scenarios.
    pub scenarios: Vec<Scenario>,
    /// Settings this source gives.
    pub settings: Settings,
    /// Constants declared as levers, in declaration order.
    pub levers: Vec<LeverDecl>,
}

impl Declarations {
    /// Adds `other`'s declarations: inputs and targets with the same name are replaced,
    /// scenarios and correlations likewise; `other`'s settings win field by field.
    pub fn merge(&mut self, other: Declarations) {
        for u in other.uncertain {
            self.add_uncertain(u);
        }
        if other.correlations.is_some() {
            self.correlations = other.correlations;
        }
        for t in other.targets {
            let key = canonical(&t.name);
            match self.targets.iter_mut().find(|x| canonical(&x.name) == key) {
                Some(x) => *x = t,
                None => self.targets.push(t),
            }
        }
        for s in other.scenarios {
            let key = canonical(&s.name);
            match self
                .scenarios
                .iter_mut()
                .find(|x| canonical(&x.name) == key)
            {
                Some(x) => *x = s,
                None => self.scenarios.push(s),
            }
        }
        self.settings.merge(&other.settings);
        for l in other.levers {
            let key = canonical(&l.name);
            self.levers.retain(|x| canonical(&x.name) != key);
            self.levers.push(l);
        }
    }

    /// Adds an uncertain input, replacing one of the same name.
    pub fn add_uncertain(&mut self, u: Uncertain) {
        let key = canonical(&u.name);
        match self
            .uncertain
            .iter_mut()
            .find(|x| canonical(&x.name) == key)
        {
            Some(x) => *x = u,
            None => self.uncertain.push(u),
        }
    }

    /// The scenario called `name`, with a hint listing the others when it is unknown.
    pub fn scenario(&self, name: &str) -> Result<&Scenario, Diagnostic> {
        let key = canonical(name);
        self.scenarios
            .iter()
            .find(|s| canonical(&s.name) == key)
            .ok_or_else(|| {
                let names: Vec<&str> = self.scenarios.iter().map(|s| s.name.as_str()).collect();
                let hint = match crate::model::names::closest(name, names.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None if names.is_empty() => "the model declares no [scenarios]".to_string(),
                    None => format!("scenarios: baseline, {}", names.join(", ")),
                };
                Diagnostic::plain(format!("unknown scenario `{name}`")).with_hint(hint)
            })
    }

    /// The model and study as the scenario changes them: constants set and equations
    /// replaced in the model, distributions replaced in the study (a constant set to a fixed
    /// value stops being uncertain).
    pub fn apply(
        &self,
        model: &Model,
        scenario: &Scenario,
    ) -> Result<(Model, Declarations), Diagnostic> {
        let mut model = model.clone();
        let mut study = self.clone();
        for (name, value, at) in &scenario.set {
            let var = find_var(&mut model, name, at, &scenario.name)?;
            var.equation = Some(Equation::All(Expr {
                text: crate::model::toml_file::format_number(*value),
                at: at.clone(),
            }));
            let key = canonical(name);
            study.uncertain.retain(|u| canonical(&u.name) != key);
        }
        for (name, expr) in &scenario.equations {
            let var = find_var(&mut model, name, &expr.at, &scenario.name)?;
            var.equation = Some(Equation::All(expr.clone()));
        }
        for u in &scenario.vary {
            study.add_uncertain(u.clone());
        }
        Ok((model, study))
    }
}

fn find_var<'m>(
    model: &'m mut Model,
    name: &str,
    at: &SourceRef,
    scenario: &str,
) -> Result<&'m mut crate::model::Variable, Diagnostic> {
    let key = canonical(name);
    let names: Vec<String> = model.variables.iter().map(|v| v.name.clone()).collect();
    match model.variables.iter_mut().find(|v| canonical(&v.name) == key) {
        Some(v) if matches!(v.kind, VarKind::Stock { .. }) => Err(Diagnostic::new(
            format!("scenario `{scenario}` changes stock `{name}`; only constants and equations of flows and auxiliaries can change"),
            at.clone(),
        )),
        Some(v) => Ok(v),
        None => {
            let mut e = Diagnostic::new(format!("scenario `{scenario}` names unknown variable `{name}`"), at.clone());
            if let Some(c) = crate::model::names::closest(name, names.iter().map(String::as_str)) {
                e = e.with_hint(format!("did you mean `{c}`?"));
            }
            Err(e)
        }
    }
}
