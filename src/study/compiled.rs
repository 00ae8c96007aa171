//! One scenario of a study, applied to the model and compiled: everything the Monte Carlo
//! runner and the single-run command need, and nothing they must look up again.

use super::{Correlations, Provenance, Settings, Uncertain};
use crate::compile::Program;
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::simulate::{Simulation, Trajectory};
use crate::targets::Target;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct CompiledScenario {
    /// Scenario name (`baseline`: the model as written).
    pub name: String,
    /// What the scenario stands for.
    pub doc: Option<String>,
    /// The model with the scenario and the overrides applied.
    pub model: Model,
    /// Its compiled program.
    pub program: Program,
    /// Uncertain inputs after the scenario (a constant set to a value is no longer one).
    pub uncertain: Vec<Uncertain>,
    /// Rank correlations between inputs.
    pub correlations: Option<Correlations>,
    /// Targets, in declaration order.
    pub targets: Vec<Target>,
    /// Constants declared as levers, less those the overrides fix.
    pub levers: Vec<super::LeverDecl>,
    /// Array elements fixed by overrides (`share[video]`, canonical): an uncertain arrayed
    /// input leaves them at their fixed value.
    pub fixed: Vec<String>,
    /// Settings of every layer, merged.
    pub settings: Settings,
    /// Where the numbers come from.
    pub provenance: Provenance,
}

impl CompiledScenario {
    /// One deterministic run with the settings' integration method; a numeric fault comes
    /// located at the equation of the variable that produced it (the program's source map).
    pub fn simulate(&self) -> Result<Trajectory, Diagnostic> {
        let mut sim = Simulation::new(&self.program);
        if let Some(m) = self.settings.method {
            sim.set_method(m);
        }
        sim.run()
    }
}
