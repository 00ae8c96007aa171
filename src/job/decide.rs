//! Decision support: `solve` (the lever value, or cheapest combination, a goal needs) and
//! `sweep` (every target's probability over a grid of lever values).

use super::{Progress, Written};
use crate::decision::{solve as solve_goal, sweep as sweep_grid, Evaluator, Goal, Lever};
use crate::decision::{Solution, Sweep};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::names::canonical;
use crate::report::export::{output_dir, write_solve, write_sweep};
use crate::study::{Study, StudyRequest};
use anyhow::Context;
use std::path::PathBuf;

/// A `solve` request: one target, the probability it must reach, one or more levers.
#[derive(Debug, Clone)]
pub struct SolveRequest {
    /// The study; its targets are the one `--target` given (text or a declared name).
    pub study: StudyRequest,
    /// The probability asked for, in (0, 1).
    pub probability: f64,
    /// Each lever and its range, `NAME=LO..HI`.
    pub levers: Vec<String>,
    /// Cost of one unit of a lever, `NAME=WEIGHT` (default 1 each).
    pub costs: Vec<String>,
    /// Values on each lever's coarse grid before bisection.
    pub grid: usize,
    /// Bisection stops when the bracket is narrower than this share of the range.
    pub tolerance: f64,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Output directory (default: outputs/<model>/solve).
    pub out: Option<PathBuf>,
}

/// What `solve` produced.
#[derive(Debug)]
pub struct SolveOutcome {
    /// The answer.
    pub solution: Solution,
    /// What was written.
    pub written: Written,
}

/// Runs `solve`.
pub fn solve(req: &SolveRequest, progress: &dyn Progress) -> anyhow::Result<SolveOutcome> {
    let [text] = req.study.targets.as_slice() else {
        return Err(Diagnostic::plain(format!(
            "solve needs exactly one --target (got {})",
            req.study.targets.len()
        ))
        .with_hint(
            "--target follower_growth (a target of the model) or --target \"big: followers at 365 >= 1e6\"",
        )
        .into());
    };
    let mut request = req.study.clone();
    if is_bare_name(text) {
        request.targets.clear();
    }
    let levers = parse_levers(&req.levers)?;
    let names: Vec<String> = levers.iter().map(|l| l.name.clone()).collect();
    let weights = parse_costs(&req.costs, &names)?;
    let study = Study::resolve(&request)?;
    let runs = study.settings.runs();
    let each = |k: usize, done: u64| {
        progress.phase(&format!("value {}", k + 1), runs);
        progress.done(done);
    };
    let mut ev = Evaluator::new(&study, &study.scenario, levers, req.threads, &each)?;
    let goal = Goal {
        target: ev.target_index(&target_name(text))?,
        probability: req.probability,
        grid: req.grid,
        tolerance: req.tolerance,
        weights,
    };
    let solution =
        solve_goal(&mut ev, &goal).with_context(|| req.study.model.display().to_string())?;
    progress.finish();
    let dir = output_dir(req.out.as_deref(), &study.model.name, "solve");
    let files = write_solve(&solution, &dir).map_err(Diagnostic::from)?;
    Ok(SolveOutcome {
        solution,
        written: Written { dir, files },
    })
}

/// A `sweep` request: levers with their grids.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// The study.
    pub study: StudyRequest,
    /// Each lever and its values, `NAME=LO..HI:POINTS`.
    pub levers: Vec<String>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Output directory (default: outputs/<model>/sweep).
    pub out: Option<PathBuf>,
}

/// What `sweep` produced.
#[derive(Debug)]
pub struct SweepOutcome {
    /// The probabilities at every point.
    pub sweep: Sweep,
    /// What was written.
    pub written: Written,
}

/// Runs `sweep`.
pub fn sweep(req: &SweepRequest, progress: &dyn Progress) -> anyhow::Result<SweepOutcome> {
    let levers = parse_levers(&req.levers)?;
    let study = Study::resolve(&req.study)?;
    let runs = study.settings.runs();
    let each = |k: usize, done: u64| {
        progress.phase(&format!("point {}", k + 1), runs);
        progress.done(done);
    };
    let mut ev = Evaluator::new(&study, &study.scenario, levers, req.threads, &each)?;
    if ev.targets().is_empty() {
        return Err(Diagnostic::plain("the study has no targets to sweep")
            .with_hint("declare [targets] or give --target \"followers at 365 >= 1e6\"")
            .into());
    }
    let sweep = sweep_grid(&mut ev).with_context(|| req.study.model.display().to_string())?;
    progress.finish();
    let dir = output_dir(req.out.as_deref(), &study.model.name, "sweep");
    let files = write_sweep(&sweep, &dir).map_err(Diagnostic::from)?;
    Ok(SweepOutcome {
        sweep,
        written: Written { dir, files },
    })
}

/// Parses every lever, reporting all problems at once.
fn parse_levers(texts: &[String]) -> Result<Vec<Lever>, Diagnostics> {
    let (levers, errors): (Vec<_>, Vec<_>) = texts
        .iter()
        .map(|t| Lever::parse(t))
        .partition(Result::is_ok);
    if errors.is_empty() {
        Ok(levers.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(Diagnostics(
            errors.into_iter().filter_map(Result::err).collect(),
        ))
    }
}

/// Whether a `--target` names a declared target rather than giving a target's text.
fn is_bare_name(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The name the study gives the one `--target` (as `mc` names it), or the declared one.
fn target_name(text: &str) -> String {
    if is_bare_name(text) {
        return text.trim().to_string();
    }
    match text.split_once(':') {
        Some((name, _)) if !name.contains(['(', '<', '>', '=']) && !name.trim().is_empty() => {
            name.trim().to_string()
        }
        _ => "target_1".to_string(),
    }
}

/// Each lever's cost per unit from `NAME=WEIGHT` texts (1 where not given).
fn parse_costs(texts: &[String], names: &[String]) -> Result<Vec<f64>, Diagnostics> {
    let mut weights = vec![1.0; names.len()];
    let mut errors = Vec::new();
    let hint = "write --cost NAME=WEIGHT with a positive weight, e.g. --cost budget=1";
    for t in texts {
        let Some((name, w)) = t.split_once('=') else {
            errors.push(
                Diagnostic::plain(format!("--cost `{t}` is not NAME=WEIGHT")).with_hint(hint),
            );
            continue;
        };
        let Some(i) = names
            .iter()
            .position(|n| canonical(n) == canonical(name.trim()))
        else {
            errors.push(
                Diagnostic::plain(format!("--cost `{t}`: `{}` is not a --lever", name.trim()))
                    .with_hint(format!("levers: {}", names.join(", "))),
            );
            continue;
        };
        match crate::study::overrides::parse_value(w).filter(|w| *w > 0.0) {
            Some(w) => weights[i] = w,
            None => errors.push(
                Diagnostic::plain(format!(
                    "--cost `{t}`: `{}` is not a positive number",
                    w.trim()
                ))
                .with_hint(hint),
            ),
        }
    }
    if errors.is_empty() {
        Ok(weights)
    } else {
        Err(Diagnostics(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_select_declared_targets() {
        assert!(is_bare_name("follower_growth"));
        assert!(is_bare_name("粉丝增长"));
        assert!(!is_bare_name("x at 10 >= 5"));
        assert_eq!(target_name("big: x at 10 >= 5"), "big");
        assert_eq!(target_name("x at 10 >= 5"), "target_1");
        assert_eq!(target_name("growth(x, 0, 10) >= 20%"), "target_1");
    }

    #[test]
    fn costs_default_to_one_and_every_problem_is_reported() {
        let names = vec!["budget".to_string(), "price".to_string()];
        assert_eq!(
            parse_costs(&["price=2".into()], &names).unwrap(),
            vec![1.0, 2.0]
        );
        let err = parse_costs(&["x=1".into(), "budget=-1".into()], &names).unwrap_err();
        assert_eq!(err.0.len(), 2);
    }
}
