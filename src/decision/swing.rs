//! Levers declared in the model, swung to their min and max with common random numbers: how
//! much each moves each target's probability, for `mc`'s lever tornado.

use super::evaluate::Evaluator;
use super::lever::Lever;
use crate::diagnostic::Diagnostics;
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::summary::LeverSwing;
use crate::study::Study;

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
    for decl in &compiled.levers {
        let lever = Lever {
            name: decl.name.clone(),
            lo: decl.min,
            hi: decl.max,
            points: Some(2),
            at: decl.at.clone(),
        };
        let mut ev = Evaluator::new(study, scenario, vec![lever], threads, progress)?;
        let low = ev.evaluate(&[decl.min])?;
        let high = ev.evaluate(&[decl.max])?;
        for (i, t) in result.summary.targets.iter_mut().enumerate() {
            t.levers.push(LeverSwing {
                lever: decl.name.clone(),
                min: decl.min,
                max: decl.max,
                at_min: low.probabilities[i],
                at_max: high.probabilities[i],
            });
        }
    }
    Ok(())
}
