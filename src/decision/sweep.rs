//! Sweeps: the probability of every target at each value (or combination of values) of the
//! levers, evenly spaced from LO to HI inclusive, with common random numbers.

use super::evaluate::{Evaluator, Point};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::montecarlo::summary::Thresholds;

/// Values a lever takes when its POINTS are not given: 9 for a single lever, 5 each for
/// several (a 5 × 5 heat map).
pub fn default_points(levers: usize) -> usize {
    if levers <= 1 {
        9
    } else {
        5
    }
}

/// Most lever combinations one sweep evaluates.
pub const MAX_COMBINATIONS: usize = 2500;

/// A finished sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Lever names, in order.
    pub levers: Vec<String>,
    /// Target names, in the order of each point's probabilities.
    pub targets: Vec<String>,
    /// Verdict thresholds, for the charts.
    pub thresholds: Thresholds,
    /// Runs per point.
    pub runs: u64,
    /// Seed shared by every point.
    pub seed: u64,
    /// Every combination of lever values, the last lever varying fastest.
    pub points: Vec<Point>,
}

/// Evaluates every combination of the levers' grids.
pub fn sweep(ev: &mut Evaluator) -> Result<Sweep, Diagnostics> {
    let n = ev.levers().len();
    if n == 0 {
        return Err(Diagnostics(vec![Diagnostic::plain("no lever to sweep")
            .with_hint(
                "--lever NAME=LO..HI:POINTS, e.g. --lever budget=1_000..100_000:9",
            )]));
    }
    let grids: Vec<Vec<f64>> = ev
        .levers()
        .iter()
        .map(|l| l.grid(l.points.unwrap_or(default_points(n))))
        .collect();
    let total: usize = grids.iter().map(Vec::len).product();
    if total > MAX_COMBINATIONS {
        return Err(Diagnostics(vec![Diagnostic::plain(format!(
            "{total} combinations of lever values; a sweep evaluates at most {MAX_COMBINATIONS}"
        ))
        .with_hint("give fewer points (NAME=LO..HI:POINTS) or fewer levers")]));
    }
    let mut points = Vec::with_capacity(total);
    for values in super::combinations(&grids) {
        points.push(ev.evaluate(&values)?);
    }
    Ok(Sweep {
        levers: ev.levers().iter().map(|l| l.name.clone()).collect(),
        targets: ev.targets().to_vec(),
        thresholds: ev.thresholds(),
        runs: ev.runs(),
        seed: ev.seed(),
        points,
    })
}
