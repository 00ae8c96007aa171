//! The calibration problem: the model made to report what the data observed, the fitted
//! inputs with their priors, and one simulation per parameter vector.
//!
//! An interval total `sum(NAME)` is computed exactly as the model integrates: the program is
//! compiled with a running integral of NAME (a hidden stock accumulating it at every step, by
//! the model's own method, the same one targets' `sum` uses), and the total over an interval
//! is the difference of that integral at its ends. The program saves every step, so every
//! data time (a whole number of steps) is seen.

use super::data::{Data, Quantity};
use crate::compile::{compile_with, integral_column, Program};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::names::{canonical, closest};
use crate::model::Method;
use crate::simulate::{NumericFault, Simulation};
use crate::study::distribution::Distribution;
use crate::study::CompiledScenario;

/// An uncertain input fitted to the data.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// Parameter name (`reach[douyin]` for one element of an arrayed input).
    pub name: String,
    /// Its prior: the input's distribution.
    pub prior: Distribution,
    /// Its parameter index in [`Problem::program`].
    pub param: usize,
}

/// Everything one evaluation of the likelihood needs.
pub struct Problem {
    /// The program with hidden accumulators, saving every step.
    pub program: Program,
    /// Integration method, when the settings override the model's.
    pub method: Option<Method>,
    /// The inputs being fitted.
    pub fitted: Vec<Fitted>,
    /// Uncertain inputs not fitted, held at their prior median: `(name, param, value)`.
    pub held: Vec<(String, usize, f64)>,
    /// The data.
    pub data: Data,
    /// Slot read for each data series (the variable, or its hidden accumulator).
    slots: Vec<usize>,
    /// Steps between the model's own saved rows (for charts over the whole run).
    save_every: usize,
}

impl Problem {
    /// Builds the problem for `scenario`, the data CSV (`path`, `text`) and the names to fit
    /// (`None`: every continuous uncertain input).
    pub fn new(
        scenario: &CompiledScenario,
        path: &str,
        text: &str,
        fit: Option<&[String]>,
    ) -> Result<Problem, Diagnostics> {
        let data = super::data::parse(path, text, &scenario.program)?;
        let sums: Vec<String> = data
            .series
            .iter()
            .filter(|s| s.quantity == Quantity::Sum)
            .map(|s| s.variable.clone())
            .collect();
        let mut program = compile_with(&scenario.model, &sums)?;
        let save_every = program.steps_per_save();
        program.specs.save_step = program.specs.dt;
        let mut slots = Vec::new();
        for s in &data.series {
            let name = match s.quantity {
                Quantity::Sum => integral_column(&s.variable),
                Quantity::Level => s.variable.clone(),
            };
            let c = program.column(&name).ok_or_else(|| {
                Diagnostic::plain(format!("internal: no column `{name}` after compiling"))
            })?;
            slots.push(program.columns[c].slot as usize);
        }
        let (fitted, held) = choose_inputs(scenario, &program, fit)?;
        Ok(Problem {
            program,
            method: scenario.settings.method,
            fitted,
            held,
            data,
            slots,
            save_every,
        })
    }

    /// A simulation of the problem's program with the held inputs set, stopping at the last
    /// data time (nothing after it enters the likelihood).
    pub fn simulation(&self) -> Simulation<'_> {
        let mut sim = self.full_simulation();
        sim.stop_after(self.data.steps.last().copied());
        sim
    }

    /// [`Problem::simulation`] running to the model's stop time (for charts and traces).
    pub fn full_simulation(&self) -> Simulation<'_> {
        let mut sim = Simulation::new(&self.program);
        if let Some(m) = self.method {
            sim.set_method(m);
        }
        for &(_, p, v) in &self.held {
            sim.set_param(p, v);
        }
        sim
    }

    /// Number of values [`Problem::simulate`] writes: one per series and data row.
    pub fn output_len(&self) -> usize {
        self.data.series.len() * self.data.times.len()
    }

    /// Runs the model with the fitted inputs at `x` and writes, series after series, the
    /// simulated counterpart of every data cell (gaps included) into `out`.
    pub fn simulate(
        &self,
        sim: &mut Simulation,
        x: &[f64],
        out: &mut [f64],
    ) -> Result<(), NumericFault> {
        for (f, &v) in self.fitted.iter().zip(x) {
            sim.set_param(f.param, v);
        }
        let rows = self.data.times.len();
        let steps = &self.data.steps;
        let (mut step, mut row) = (0usize, 0usize);
        sim.run_with(|_, slots| {
            if row < rows && steps[row] == step {
                for (k, &slot) in self.slots.iter().enumerate() {
                    out[k * rows + row] = slots[slot];
                }
                row += 1;
            }
            step += 1;
        })?;
        for (k, s) in self.data.series.iter().enumerate() {
            if s.quantity == Quantity::Sum {
                // The accumulator starts at zero, so the first row's total runs from the start.
                let col = &mut out[k * rows..(k + 1) * rows];
                for r in (1..rows).rev() {
                    col[r] -= col[r - 1];
                }
            }
        }
        Ok(())
    }
}

impl Problem {
    /// Runs the model at inputs `x` and returns the model's save times and, for each data
    /// series, its variable (levels) or hidden accumulator (totals) at those times.
    pub fn trace(
        &self,
        sim: &mut Simulation,
        x: &[f64],
    ) -> Result<(Vec<f64>, Vec<Vec<f64>>), NumericFault> {
        for (f, &v) in self.fitted.iter().zip(x) {
            sim.set_param(f.param, v);
        }
        let mut times = Vec::new();
        let mut values = vec![Vec::new(); self.slots.len()];
        let mut step = 0usize;
        sim.run_with(|t, slots| {
            if step.is_multiple_of(self.save_every) {
                times.push(t);
                for (v, &slot) in values.iter_mut().zip(&self.slots) {
                    v.push(slots[slot]);
                }
            }
            step += 1;
        })?;
        Ok((times, values))
    }
}

/// The inputs to fit (by default every continuous uncertain input) and those held at their
/// prior median.
type Inputs = (Vec<Fitted>, Vec<(String, usize, f64)>);

fn choose_inputs(
    scenario: &CompiledScenario,
    program: &Program,
    fit: Option<&[String]>,
) -> Result<Inputs, Diagnostics> {
    let all = crate::montecarlo::runner::uncertain_inputs(scenario)?;
    let mut errors = Vec::new();
    if let Some(names) = fit {
        for n in names {
            let key = canonical(n);
            let known = all.iter().any(|(name, _)| {
                canonical(name) == key
                    || name
                        .split_once('[')
                        .is_some_and(|(b, _)| canonical(b) == key)
            });
            if !known {
                let mut e = Diagnostic::plain(format!(
                    "--fit names `{n}`, which is not an uncertain input"
                ));
                e = match closest(n, all.iter().map(|(name, _)| name.as_str())) {
                    Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                    None if all.is_empty() => e.with_hint(
                        "the model has no uncertain inputs; give constants a `dist` or use --vary",
                    ),
                    None => e.with_hint(format!(
                        "uncertain inputs: {}",
                        all.iter()
                            .map(|a| a.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                errors.push(e);
            }
        }
    }
    let chosen = |name: &str, dist: &Distribution| match fit {
        None => !dist.is_discrete(),
        Some(names) => names.iter().any(|n| {
            let key = canonical(n);
            canonical(name) == key
                || name
                    .split_once('[')
                    .is_some_and(|(b, _)| canonical(b) == key)
        }),
    };
    let (mut fitted, mut held) = (Vec::new(), Vec::new());
    for (name, dist) in all {
        let Some(param) = program.param(&name) else {
            errors.push(Diagnostic::plain(format!(
                "internal: no parameter `{name}`"
            )));
            continue;
        };
        if chosen(&name, &dist) {
            if dist.is_discrete() {
                errors.push(
                    Diagnostic::plain(format!(
                        "`{name}` has a discrete prior ({dist}); calibration fits continuous inputs only"
                    ))
                    .with_hint("leave it out of --fit; it is then held at its median"),
                );
            }
            fitted.push(Fitted {
                name,
                prior: dist,
                param,
            });
        } else {
            let m = dist.median();
            held.push((name, param, m));
        }
    }
    if errors.is_empty() && fitted.is_empty() {
        errors.push(
            Diagnostic::plain("there is nothing to fit: the study has no continuous uncertain inputs")
                .with_hint("give constants a distribution (`dist = \"uniform(0.1, 0.5)\"`) or use --vary NAME=DIST"),
        );
    }
    if errors.is_empty() {
        Ok((fitted, held))
    } else {
        Err(Diagnostics(errors))
    }
}
