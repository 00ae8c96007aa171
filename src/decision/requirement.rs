//! "What it would take" for a whole study: one lever solved for every single target on the
//! study's runs (common random numbers), recorded in the study's target summaries so the
//! report's summary can say, per KPI, which lever value makes it likely enough.

use super::evaluate::{Evaluator, Progress};
use super::lever::Lever;
use super::solve::{solve, Goal, Solution};
use crate::diagnostic::Diagnostics;
use crate::model::names::canonical;
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::summary::Requirement;
use crate::study::Study;
use crate::targets::Spec;

/// Values on the coarse grid of each solve (shared by every target: one evaluation computes
/// them all).
const GRID: usize = 5;
/// Bisection tolerance, a share of the lever's range (as `solve`'s default).
const TOLERANCE: f64 = 0.005;

/// Solves `lever` for every target of `result` that is not an `all(...)` group, with the goal
/// `probability`, on the study's runs and seed, and records each answer in the target's
/// summary. One evaluator serves every target, so the grid is run once and a lever value
/// already evaluated for one target is reused by the next.
pub fn what_it_takes(
    study: &Study,
    scenario: &str,
    result: &mut StudyResult,
    lever: Lever,
    probability: f64,
    threads: Option<usize>,
    progress: Progress,
) -> Result<(), Diagnostics> {
    let mut ev = Evaluator::new(study, scenario, vec![lever], threads, progress)?;
    let composite: Vec<String> = result
        .targets
        .iter()
        .filter(|t| matches!(t.spec(), Spec::All { .. }))
        .map(|t| canonical(&t.name))
        .collect();
    for summary in result.summary.targets.iter_mut() {
        if composite.contains(&canonical(&summary.name)) {
            continue;
        }
        let goal = Goal {
            target: ev.target_index(&summary.name)?,
            probability,
            grid: GRID,
            tolerance: TOLERANCE,
            weights: vec![1.0],
        };
        let solution = solve(&mut ev, &goal)?;
        summary.what_it_takes = requirement(&solution);
    }
    Ok(())
}

/// The summary's record of a one-lever solution (`None` for a solution without evaluated
/// points, which `solve` never returns).
pub fn requirement(s: &Solution) -> Option<Requirement> {
    let lever = &s.levers[0];
    let at = |p: &super::Point| p.probabilities[s.target_index];
    let best = s
        .curve
        .iter()
        .max_by(|a, b| at(a).probability.total_cmp(&at(b).probability))
        .map(|p| (p.values[0], at(p)));
    let (value, probability, best_value) = match (&s.values, s.probability_at_value) {
        (Some(v), Some(p)) => (Some(v[0]), p, v[0]),
        _ => {
            let (v, p) = best?;
            (None, p, v)
        }
    };
    Some(Requirement {
        lever: lever.name.clone(),
        range: [lever.lo, lever.hi],
        goal: s.goal,
        reachable: s.reachable,
        value,
        ci95: s.ci95,
        direction: s.direction.word().to_string(),
        probability,
        best_value,
    })
}
