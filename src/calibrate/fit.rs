//! The point estimate: the posterior mode of the fitted inputs, found by argmin's
//! Nelder–Mead simplex in the unbounded space (see [`super::target`]), from several starts,
//! then polished by restarts until it stops improving.

use super::target::{Target, Workspace};
use crate::diagnostic::Diagnostic;
use argmin::core::{CostFunction, Error, Executor, State};
use argmin::solver::neldermead::NelderMead;
use std::cell::{Cell, RefCell};

/// Cost returned where the posterior is zero, finite so the simplex can still be ordered.
const INFEASIBLE: f64 = 1e300;

/// The posterior mode.
#[derive(Debug, Clone)]
pub struct Optimum {
    /// Unbounded coordinates.
    pub z: Vec<f64>,
    /// The inputs.
    pub x: Vec<f64>,
    /// Log posterior of the inputs (log likelihood plus log prior, up to a constant).
    pub log_posterior: f64,
    /// Model runs spent.
    pub evaluations: u64,
}

struct Cost<'a, 'p> {
    target: &'a Target<'p>,
    ws: RefCell<Workspace<'p>>,
    count: Cell<u64>,
}

impl CostFunction for Cost<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, z: &Vec<f64>) -> Result<f64, Error> {
        self.count.set(self.count.get() + 1);
        let lp = self
            .target
            .log_posterior(&mut self.ws.borrow_mut(), z, false);
        Ok(if lp.is_finite() { -lp } else { INFEASIBLE })
    }
}

/// One Nelder–Mead search from `start` with initial steps `step` per coordinate.
fn search(cost: &Cost, start: &[f64], step: &[f64]) -> Result<(Vec<f64>, f64), Diagnostic> {
    let d = start.len();
    let mut simplex = vec![start.to_vec()];
    for i in 0..d {
        let mut v = start.to_vec();
        v[i] += step[i];
        simplex.push(v);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-10)
        .map_err(|e| Diagnostic::plain(format!("optimiser: {e}")))?;
    let problem = Cost {
        target: cost.target,
        ws: RefCell::new(cost.target.workspace()),
        count: Cell::new(0),
    };
    let result = Executor::new(problem, solver)
        .configure(|s| s.max_iters(300 * d as u64 + 200))
        .ctrlc(false)
        .run()
        .map_err(|e| Diagnostic::plain(format!("optimiser: {e}")))?;
    cost.count
        .set(cost.count.get() + result.problem.problem.as_ref().map_or(0, |p| p.count.get()));
    let state = result.state();
    let best = state
        .get_best_param()
        .cloned()
        .unwrap_or_else(|| start.to_vec());
    Ok((best, state.get_best_cost()))
}

/// The posterior mode of `target`, searched from each of `starts` (unbounded coordinates)
/// with initial steps `step`.
pub fn optimise(target: &Target, starts: &[Vec<f64>], step: &[f64]) -> Result<Optimum, Diagnostic> {
    let cost = Cost {
        target,
        ws: RefCell::new(target.workspace()),
        count: Cell::new(0),
    };
    let mut best: Option<(Vec<f64>, f64)> = None;
    for s in starts {
        let found = search(&cost, s, step)?;
        if best.as_ref().is_none_or(|b| found.1 < b.1) {
            best = Some(found);
        }
    }
    let (mut z, mut value) = best.ok_or_else(|| Diagnostic::plain("no starting point"))?;
    // A simplex can stall on a ridge: restart with a fresh, smaller simplex while it helps.
    let mut shrink = 0.3;
    for _ in 0..4 {
        let small: Vec<f64> = step.iter().map(|s| s * shrink).collect();
        let (z2, v2) = search(&cost, &z, &small)?;
        let gain = value - v2;
        if v2 < value {
            (z, value) = (z2, v2);
        }
        if gain < 1e-7 {
            break;
        }
        shrink *= 0.3;
    }
    if value >= INFEASIBLE {
        return Err(Diagnostic::plain(
            "the fit found no inputs at which the model runs and the data are possible",
        )
        .with_hint("check that the data columns measure what the model variables compute, and that the priors allow the observed values"));
    }
    Ok(Optimum {
        x: target.to_x(&z),
        z,
        log_posterior: -value,
        evaluations: cost.count.get(),
    })
}
