//! "What would it take": the cheapest lever value (or combination) that makes a target at
//! least as likely as asked, found on the common-random-numbers probability curve by a coarse
//! grid and bisection, with a confidence interval that accounts for Monte Carlo error.
//!
//! With common random numbers, run `i` of every evaluation draws the same inputs, so the
//! estimated probability is a step function of the lever (for a model monotone in it) and
//! bisection on it converges. The interval of the answer inverts the 95 % Wilson interval of
//! the probability: it holds the lever values at which the goal lies inside that interval.

use super::evaluate::{Evaluator, Point};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::montecarlo::summary::Probability;

/// What to solve for.
#[derive(Debug, Clone)]
pub struct Goal {
    /// Index of the target (see [`Evaluator::target_index`]).
    pub target: usize,
    /// The probability asked for, in (0, 1).
    pub probability: f64,
    /// Values on the coarse grid of each lever (at least 2).
    pub grid: usize,
    /// Bisection stops when the bracket is narrower than this share of the lever's range.
    pub tolerance: f64,
    /// Cost of one unit of each lever (several levers only; all positive).
    pub weights: Vec<f64>,
}

/// Whether raising the lever makes the target more or less likely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Higher values help: the answer is the smallest value that is enough.
    Helps,
    /// Higher values hurt: the answer is the largest value that is still enough.
    Hurts,
}

impl Direction {
    /// `helps` or `hurts`, as written to solve.json.
    pub fn word(self) -> &'static str {
        match self {
            Direction::Helps => "helps",
            Direction::Hurts => "hurts",
        }
    }
}

/// The answer.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Target name.
    pub target: String,
    /// Its place among each curve point's probabilities.
    pub target_index: usize,
    /// The probability asked for.
    pub goal: f64,
    /// Whether some value in the range reaches the goal.
    pub reachable: bool,
    /// The lever values of the answer (one per lever), when reachable.
    pub values: Option<Vec<f64>>,
    /// 95 % interval of the last lever's value (one lever: of the answer); `None` at an end
    /// that lies outside the range.
    pub ci95: [Option<f64>; 2],
    /// Probability of the target at the answer.
    pub probability_at_value: Option<Probability>,
    /// How the last lever acts on the target (at the answer's values of the others).
    pub direction: Direction,
    /// Cost of the answer (several levers: Σ weight × value).
    pub cost: Option<f64>,
    /// 95 % interval of the cost, from the interval of the last lever.
    pub cost_ci95: [Option<f64>; 2],
    /// The sentence that says it.
    pub message: String,
    /// Every point evaluated, sorted by lever values.
    pub curve: Vec<Point>,
    /// The levers searched, in order.
    pub levers: Vec<super::Lever>,
    /// Their cost weights.
    pub weights: Vec<f64>,
    /// Runs per evaluation.
    pub runs: u64,
    /// Seed shared by every evaluation.
    pub seed: u64,
}

/// Most slices (grid combinations of all levers but the last) a several-lever solve visits.
pub const MAX_SLICES: usize = 400;

/// Solves `goal` over the evaluator's levers: with one lever its smallest sufficient value (the
/// largest, if it hurts the target); with several the cheapest combination by `weights`.
pub fn solve(ev: &mut Evaluator, goal: &Goal) -> Result<Solution, Diagnostics> {
    check_goal(ev, goal)?;
    let m = ev.levers().len();
    let grids: Vec<Vec<f64>> = ev.levers()[..m - 1]
        .iter()
        .map(|l| l.grid(l.points.unwrap_or(goal.grid)))
        .collect();
    let mut best: Option<(f64, Vec<f64>, Line)> = None;
    let mut fallback: Option<(Vec<f64>, Line)> = None;
    for fixed in super::combinations(&grids) {
        let line = search(ev, goal, &fixed)?;
        match line.answer {
            Some(v) => {
                let mut values = fixed.clone();
                values.push(v);
                let cost = cost(&goal.weights, &values);
                if best.as_ref().is_none_or(|b| cost < b.0) {
                    best = Some((cost, values, line));
                }
            }
            None => {
                let better = fallback
                    .as_ref()
                    .is_none_or(|f| line.best.1.probability > f.1.best.1.probability);
                if better {
                    fallback = Some((fixed, line));
                }
            }
        }
    }
    let target = ev.targets()[goal.target].clone();
    let mut curve = ev.points().to_vec();
    curve.sort_by(|a, b| {
        a.values
            .iter()
            .zip(&b.values)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let names: Vec<String> = ev.levers().iter().map(|l| l.name.clone()).collect();
    Ok(match best {
        Some((cost_value, values, line)) => {
            let at = |v: Option<f64>| {
                v.map(|v| {
                    let mut vs = values.clone();
                    vs[m - 1] = v;
                    cost(&goal.weights, &vs)
                })
            };
            let cost_ci95 = [at(line.ci95[0]), at(line.ci95[1])];
            let p = line.at_answer.expect("an answer has its probability");
            let message = if m == 1 {
                format!(
                    "{} = {} makes `{target}` {} likely (goal {}){}",
                    names[0],
                    number(values[0]),
                    percent(p.probability),
                    percent(goal.probability),
                    range_end_note(ev, &values, line.direction)
                )
            } else {
                let parts: Vec<String> = names
                    .iter()
                    .zip(&values)
                    .map(|(n, v)| format!("{n} = {}", number(*v)))
                    .collect();
                format!(
                    "the cheapest combination found, {} (cost {}), makes `{target}` {} likely (goal {})",
                    parts.join(", "),
                    number(cost_value),
                    percent(p.probability),
                    percent(goal.probability)
                )
            };
            Solution {
                target,
                target_index: goal.target,
                goal: goal.probability,
                reachable: true,
                values: Some(values),
                ci95: line.ci95,
                probability_at_value: Some(p),
                direction: line.direction,
                cost: (m > 1).then_some(cost_value),
                cost_ci95: if m > 1 { cost_ci95 } else { [None, None] },
                message,
                curve,
                levers: ev.levers().to_vec(),
                weights: goal.weights.clone(),
                runs: ev.runs(),
                seed: ev.seed(),
            }
        }
        None => {
            let (fixed, line) = fallback.expect("at least one slice is searched");
            let mut values = fixed;
            values.push(line.best.0);
            let at: Vec<String> = names
                .iter()
                .zip(&values)
                .map(|(n, v)| {
                    if m == 1 {
                        number(*v)
                    } else {
                        format!("{n} = {}", number(*v))
                    }
                })
                .collect();
            Solution {
                target: target.clone(),
                target_index: goal.target,
                goal: goal.probability,
                reachable: false,
                values: None,
                ci95: [None, None],
                probability_at_value: None,
                direction: line.direction,
                cost: None,
                cost_ci95: [None, None],
                message: format!(
                    "the goal of {} for `{target}` is out of reach: even at {} the probability is {}",
                    percent(goal.probability),
                    at.join(", "),
                    percent(line.best.1.probability)
                ),
                curve,
                levers: ev.levers().to_vec(),
                weights: goal.weights.clone(),
                runs: ev.runs(),
                seed: ev.seed(),
            }
        }
    })
}

/// A note when the answer is the range's favourable end: the goal may be met further out.
fn range_end_note(ev: &Evaluator, values: &[f64], direction: Direction) -> String {
    let lever = &ev.levers()[values.len() - 1];
    let v = values[values.len() - 1];
    match direction {
        Direction::Helps if v == lever.lo => {
            "; it is met already at the low end of the range, so less may do".to_string()
        }
        Direction::Hurts if v == lever.hi => {
            "; it is met even at the high end of the range, so more may do".to_string()
        }
        _ => String::new(),
    }
}

fn check_goal(ev: &Evaluator, goal: &Goal) -> Result<(), Diagnostics> {
    let mut errors = Vec::new();
    if !(goal.probability > 0.0 && goal.probability < 1.0) {
        errors.push(
            Diagnostic::plain(format!(
                "the probability goal {} is not between 0 and 1",
                goal.probability
            ))
            .with_hint("e.g. --probability 0.8 or --probability 80%"),
        );
    }
    if ev.levers().is_empty() {
        errors.push(Diagnostic::plain("no lever to solve for").with_hint("--lever NAME=LO..HI"));
    }
    if goal.weights.len() != ev.levers().len()
        || goal.weights.iter().any(|w| !(*w > 0.0 && w.is_finite()))
    {
        errors.push(
            Diagnostic::plain("every lever needs one positive, finite cost weight")
                .with_hint("--cost NAME=WEIGHT, e.g. --cost budget=1"),
        );
    }
    let slices: usize = ev.levers()[..ev.levers().len().saturating_sub(1)]
        .iter()
        .map(|l| l.points.unwrap_or(goal.grid))
        .product();
    if slices > MAX_SLICES {
        errors.push(
            Diagnostic::plain(format!(
                "{slices} combinations of the other levers; at most {MAX_SLICES}"
            ))
            .with_hint("give fewer levers or fewer points (NAME=LO..HI:POINTS)"),
        );
    }
    if goal.grid < 2 || !(goal.tolerance > 0.0 && goal.tolerance < 1.0) {
        errors.push(Diagnostic::plain(
            "the grid needs at least 2 points and the tolerance must lie between 0 and 1",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(errors))
    }
}

fn cost(weights: &[f64], values: &[f64]) -> f64 {
    weights.iter().zip(values).map(|(w, v)| w * v).sum()
}

/// The search along the last lever with the others at `fixed`.
struct Line {
    direction: Direction,
    /// The value found (cheapest in this slice).
    answer: Option<f64>,
    at_answer: Option<Probability>,
    ci95: [Option<f64>; 2],
    /// The favourable end of the range and its probability (for the unreachable message).
    best: (f64, Probability),
}

/// Searches the last lever: grid, direction, then one bisection each for the goal and for
/// the two ends of its interval.
fn search(ev: &mut Evaluator, goal: &Goal, fixed: &[f64]) -> Result<Line, Diagnostics> {
    let m = fixed.len();
    let lever = ev.levers()[m].clone();
    let t = goal.target;
    let p_at = |ev: &mut Evaluator, v: f64| -> Result<Probability, Diagnostics> {
        let mut values = fixed.to_vec();
        values.push(v);
        Ok(ev.evaluate(&values)?.probabilities[t])
    };
    let mut grid = lever.grid(lever.points.unwrap_or(goal.grid));
    let mut probs = Vec::with_capacity(grid.len());
    for &v in &grid {
        probs.push(p_at(ev, v)?);
    }
    let direction = if probs[probs.len() - 1].probability >= probs[0].probability {
        Direction::Helps
    } else {
        Direction::Hurts
    };
    // Search order: from the unfavourable end to the favourable one, so that each condition
    // below turns from false to true along it and the answer is where it first holds.
    if direction == Direction::Hurts {
        grid.reverse();
        probs.reverse();
    }
    let best = (grid[grid.len() - 1], probs[probs.len() - 1]);
    let tol = goal.tolerance * (lever.hi - lever.lo);
    let g = goal.probability;
    let first = |ev: &mut Evaluator, holds: &dyn Fn(&Probability) -> bool| {
        let Some(k) = probs.iter().position(holds) else {
            return Ok::<_, Diagnostics>(None);
        };
        if k == 0 {
            return Ok(Some(grid[0]));
        }
        let (mut a, mut b) = (grid[k - 1], grid[k]);
        while (b - a).abs() > tol {
            let mid = 0.5 * (a + b);
            if holds(&p_at(ev, mid)?) {
                b = mid;
            } else {
                a = mid;
            }
        }
        Ok(Some(b))
    };
    let answer = first(ev, &|p| p.probability >= g)?;
    let (ci95, at_answer) = match answer {
        None => ([None, None], None),
        Some(v) => {
            // Near side: values where the goal is still below the interval's top; far side:
            // where the interval's bottom has reached it.
            let near = first(ev, &|p| p.ci95[1] >= g)?;
            let far = first(ev, &|p| p.ci95[0] >= g)?;
            let ci = match direction {
                Direction::Helps => [near, far],
                Direction::Hurts => [far, near],
            };
            (ci, Some(p_at(ev, v)?))
        }
    };
    // The cheapest value in this slice: positive weights make the lowest sufficient value
    // the cheapest, which for a lever that hurts is the range's low end — when it does
    // reach the goal. A curve that rises and then falls can miss it at both ends and meet
    // it only in between; the value found on the way up is then the cheapest.
    let low_end = match (direction, answer) {
        (Direction::Hurts, Some(_)) if m > 0 => {
            let p = p_at(ev, lever.lo)?;
            (p.probability >= g).then_some(p)
        }
        _ => None,
    };
    let (answer, at_answer, ci95) = match low_end {
        Some(p) => (Some(lever.lo), Some(p), [Some(lever.lo), Some(lever.lo)]),
        None => (answer, at_answer, ci95),
    };
    Ok(Line {
        direction,
        answer,
        at_answer,
        ci95,
        best,
    })
}

/// A lever value as people read it: `100,000`, `0.35`, `1.5e-6`.
pub fn number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if (1000.0..1e15).contains(&a) {
        let rounded = if a >= 1e5 {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        };
        let int = rounded.trunc().abs() as u64;
        let digits = int.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let frac = (rounded.abs() - int as f64) * 10.0;
        let sign = if v < 0.0 { "-" } else { "" };
        if frac.round() >= 1.0 {
            format!("{sign}{grouped}.{}", frac.round() as u64)
        } else {
            format!("{sign}{grouped}")
        }
    } else if (1e-3..1000.0).contains(&a) {
        // Four significant figures: enough to act on, few enough to read.
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{v:.3e}")
    }
}

/// A probability as a percentage: `69 %`, `99.5 %`, `0.3 %`.
pub fn percent(p: f64) -> String {
    let x = 100.0 * p;
    if (x - x.round()).abs() < 0.05 || (10.0..=90.0).contains(&x) {
        format!("{:.0} %", x)
    } else {
        format!("{:.1} %", x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_amounts() {
        assert_eq!(number(100_000.0), "100,000");
        assert_eq!(number(12_345.67), "12,345.7");
        assert_eq!(number(1_234_567.4), "1,234,567");
        assert_eq!(number(0.35), "0.35");
        assert_eq!(number(-2500.0), "-2,500");
        assert_eq!(number(42.0), "42");
        assert_eq!(number(567.578125), "567.6");
        assert_eq!(number(0.0579213), "0.05792");
        assert_eq!(number(120.0), "120");
        assert_eq!(percent(0.69), "69 %");
        assert_eq!(percent(0.995), "99.5 %");
        assert_eq!(percent(0.003), "0.3 %");
    }
}
