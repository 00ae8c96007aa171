//! Levers declared in the model, swung to their min and max with common random numbers: how
//! much each moves each target's probability, for `mc`'s lever tornado.

use super::evaluate::Evaluator;
use super::lever::Lever;
use crate::diagnostic::Diagnostics;
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::summary::LeverSwing;
use crate::study::{CompiledScenario, Study};

/// The levers `scenario` declares, over their declared ranges.
pub fn declared(scenario: &CompiledScenario) -> Vec<Lever> {
    scenario
        .levers
        .iter()
        .map(|d| Lever {
            name: d.name.clone(),
            lo: d.min,
            hi: d.max,
            points: Some(2),
            at: d.at.clone(),
        })
        .collect()
}

/// Checks the declared levers as `solve` checks its own (each a certain constant of the
/// model), so that `mc` and `check` refuse a bad declaration before running anything.
pub fn check_declared(study: &Study, scenario: &CompiledScenario) -> Result<(), Diagnostics> {
    super::lever::check(study, scenario, &declared(scenario))
}

/// Swings every lever the compiled scenario declares to its min and max (the others at their
/// values), with the study's runs and seed, and records the probabilities in `result`'s
/// target summaries. Does nothing for a study without levers.
pub fn swing_levers(
    study: &Study,
    scenario: &str,
    result: &mut StudyResult,
    threads: Option<usize>,
    progress: super::evaluate::Progress,
) -> Result<(), Diagnostics> {
    let compiled = study.compile(scenario)?;
    for lever in declared(&compiled) {
        let (name, min, max) = (lever.name.clone(), lever.lo, lever.hi);
        let mut ev = Evaluator::new(study, scenario, vec![lever], threads, progress)?;
        let low = ev.evaluate(&[min])?;
        let high = ev.evaluate(&[max])?;
        for (i, t) in result.summary.targets.iter_mut().enumerate() {
            t.levers.push(LeverSwing {
                lever: name.clone(),
                min,
                max,
                at_min: low.probabilities[i],
                at_max: high.probabilities[i],
            });
        }
    }
    Ok(())
}
