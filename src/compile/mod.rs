//! Compiling a model into a flat, allocation-free program.
//!
//! Pipeline: [`symbols`] numbers every array element; [`lower`] resolves names and expands
//! builtins into [`ir`]; scheduling sorts the initial-value and per-step computations with
//! [`order`] (rejecting algebraic loops); emission lays out the slots and [`codegen`] emits
//! register code; the program's outputs (columns, parameters, stocks, the source map of every
//! slot) complete a [`Program`].

pub mod belts;
mod budget;
mod build;
pub mod builtins;
pub mod codegen;
mod discrete;
mod draws;
mod emit;
mod hoist;
mod integrals;
pub mod ir;
pub mod lower;
pub mod order;
mod outputs;
pub mod program;
mod reserved;
mod schedule;
pub mod series;
mod stella;
mod strength;
mod subscript;
pub mod symbols;
mod validate;
pub mod vectors;

pub use integrals::integral_column;
pub use program::{Column, Param, Program, Role, SlotPart, SlotSource};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Model;
use build::build;
use lower::Lowerer;

/// Compiles `model`, collecting every error found.
pub fn compile(model: &Model) -> Result<Program, Diagnostics> {
    compile_with(model, &[])
}

/// Compiles `model` with a running integral of each variable element in `integrals` (see
/// [`integral_column`]): the columns that `sum` and `mean` targets read.
pub fn compile_with(model: &Model, integrals: &[String]) -> Result<Program, Diagnostics> {
    check_specs(model)?;
    reserved::check_reserved(model).map_err(Diagnostics)?;
    budget::check_model(model)?;
    let mut lowered = Lowerer::run(model).map_err(Diagnostics)?;
    let integrals = integrals::add(&mut lowered, integrals);
    build(model, lowered, &integrals).map_err(Diagnostics)
}

fn check_specs(model: &Model) -> Result<(), Diagnostic> {
    let s = &model.sim;
    let bad = |m: String| {
        Err(Diagnostic::plain(m)
            .with_hint("check start, stop, dt and the save interval of the model's time settings"))
    };
    if !(s.dt.is_finite() && s.dt > 0.0) {
        return bad(format!("dt must be a positive number, got {}", s.dt));
    }
    if !(s.start.is_finite() && s.stop.is_finite()) || s.stop < s.start {
        return bad(format!(
            "stop ({}) must not be before start ({})",
            s.stop, s.start
        ));
    }
    let steps = (s.stop - s.start) / s.dt;
    if (steps - steps.round()).abs() > 1e-6 * steps.max(1.0) {
        return bad(format!(
            "the run length {} is not a whole number of steps of dt = {}",
            s.stop - s.start,
            s.dt
        ));
    }
    if steps > 1e8 {
        return bad(format!("{steps:.0} steps are too many; use a larger dt"));
    }
    let per_save = s.save_step / s.dt;
    if !(per_save.is_finite()
        && per_save >= 1.0 - 1e-9
        && (per_save - per_save.round()).abs() < 1e-6)
    {
        return bad(format!(
            "the save interval {} must be a whole multiple of dt = {}",
            s.save_step, s.dt
        ));
    }
    Ok(())
}
