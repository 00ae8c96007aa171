//! Assembling a [`Program`] from lowered nodes, phase by phase: schedule, lay out slots,
//! emit code, then describe columns, parameters, stocks, delay lines and the source map.

use super::emit::{emit, layout};
use super::ir::Id;
use super::lower::Lowered;
use super::outputs::{columns_and_params, delays, source_map, stocks};
use super::program::{Column, Program, Role};
use super::schedule::schedule;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::SourceRef;
use crate::model::names::canonical;
use crate::model::Model;

/// Builds the program of `model` from its lowered nodes.
/// `integrals` are the running-integral stocks added for targets, with their column names.
pub(super) fn build(
    model: &Model,
    lw: Lowered,
    integrals: &[(Id, String)],
) -> Result<Program, Vec<Diagnostic>> {
    let stop = stop_node(model, &lw)?;
    let sched = schedule(&lw, stop)?;
    let mut layout = layout(&lw);
    let emitted = emit(&model.sim, &lw, &sched, &mut layout);
    let (mut columns, params) = columns_and_params(model, &lw, &sched.dynamic, &layout, &emitted);
    columns.extend(integrals.iter().map(|(id, name)| Column {
        name: name.clone(),
        slot: layout.slot_of[*id as usize],
        role: Role::Integral,
        unit: None,
        label: None,
        equation: String::new(),
    }));
    let stocks = stocks(&lw, &layout, &columns);
    let delays = delays(&lw, &layout);
    let sources = source_map(&lw, &layout, &emitted);
    Ok(Program {
        name: model.name.clone(),
        specs: model.sim.clone(),
        template: emitted.template,
        init_code: emitted.init.code,
        init_blocks: emitted.init.blocks,
        invariant_code: emitted.invariant.code,
        invariant_blocks: emitted.invariant.blocks,
        step_code: emitted.step.code,
        step_blocks: emitted.step.blocks,
        report_code: emitted.report.code,
        report_blocks: emitted.report.blocks,
        sources,
        stocks: stocks.specs,
        rate_slots: stocks.rate_slots,
        rate_ends: stocks.rate_ends,
        specials: emitted.specials,
        delays,
        noise_keys: lw.noise_keys,
        tables: lw.tables,
        columns,
        params,
        limits_stocks: stocks.limits_stocks,
        stop_slot: stop.map(|i| layout.slot_of[i as usize]),
        attached: Default::default(),
    })
}

/// The node of the scalar variable that ends the run early, if the model names one.
fn stop_node(model: &Model, lw: &Lowered) -> Result<Option<Id>, Vec<Diagnostic>> {
    let Some(name) = &model.sim.stop_when else {
        return Ok(None);
    };
    let key = canonical(name);
    lw.nodes
        .iter()
        .position(|node| {
            node.var
                .is_some_and(|v| canonical(&model.variables[v].name) == key)
                && canonical(&node.name) == key
        })
        .map(|i| Some(i as Id))
        .ok_or_else(|| {
            vec![Diagnostic::new(
                format!("the run's stop time names `{name}`, which is not a scalar variable"),
                SourceRef::none(),
            )
            .with_hint("define the variable that gives the final time")]
        })
}
