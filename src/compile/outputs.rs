//! What a compiled program tells the outside: the columns it saves, the constants a run may
//! override, its stocks with their flows, its delay lines, and the source of every slot.

use super::emit::{Emitted, Layout};
use super::ir::Ir;
use super::lower::{Lowered, NodeRole};
use super::program::{Column, DelayLine, Param, Role, Slot, SlotPart, SlotSource, StockSpec};
use crate::diagnostic::SourceRef;
use crate::model::{Equation, Model, VarKind};
use std::collections::HashMap;

/// The model's own variables as columns, in model order, and the constants among them as
/// overridable parameters.
pub(super) fn columns_and_params(
    model: &Model,
    lw: &Lowered,
    dynamic: &[bool],
    layout: &Layout,
    emitted: &Emitted,
) -> (Vec<Column>, Vec<Param>) {
    let slot_of = &layout.slot_of;
    let mut columns = Vec::new();
    let mut params = Vec::new();
    let block_of: HashMap<Slot, u32> = emitted
        .init
        .blocks
        .iter()
        .enumerate()
        .map(|(b, blk)| (blk.slot, b as u32))
        .collect();
    for (i, node) in lw.nodes.iter().enumerate() {
        let Some(vi) = node.var else { continue };
        if node.role == NodeRole::TableOnly {
            continue;
        }
        let var = &model.variables[vi];
        let stock = matches!(var.kind, VarKind::Stock { .. });
        let role = match var.kind {
            VarKind::Stock { .. } => Role::Stock,
            VarKind::Flow { .. } => Role::Flow,
            VarKind::Aux if !dynamic[i] => Role::Constant,
            VarKind::Aux => Role::Aux,
            VarKind::Constant => Role::Constant,
        };
        let equation = match &var.equation {
            Some(Equation::All(e)) => e.text.clone(),
            Some(Equation::PerElement(list)) => list
                .first()
                .map(|(_, e)| e.text.clone())
                .unwrap_or_default(),
            None => String::new(),
        };
        columns.push(Column {
            name: node.name.clone(),
            slot: slot_of[i],
            role,
            unit: var.unit.clone(),
            label: var.label.clone(),
            equation,
        });
        if !dynamic[i] && !stock {
            if let Some(&block) = block_of.get(&slot_of[i]) {
                let default = match &node.ir {
                    Ir::Const(v) => *v,
                    _ => f64::NAN,
                };
                params.push(Param {
                    name: node.name.clone(),
                    slot: slot_of[i],
                    default,
                    block,
                });
            }
        }
    }
    (columns, params)
}

/// The stocks in slot order, and their flows as the integrator's rate table
/// (`rate_slots`, `rate_ends`); whether any non-negative stock has outflows to limit.
pub(super) struct Stocks {
    pub specs: Vec<StockSpec>,
    pub rate_slots: Vec<Slot>,
    pub rate_ends: Vec<(u32, u32)>,
    pub limits_stocks: bool,
}

/// Describes the stocks of `layout` with their flows; `columns` shows which are variables.
pub(super) fn stocks(lw: &Lowered, layout: &Layout, columns: &[Column]) -> Stocks {
    let slot_of = &layout.slot_of;
    let column_of_slot: HashMap<Slot, u32> = columns
        .iter()
        .enumerate()
        .map(|(c, col)| (col.slot, c as u32))
        .collect();
    let mut out = Stocks {
        specs: Vec::new(),
        rate_slots: Vec::new(),
        rate_ends: Vec::new(),
        limits_stocks: false,
    };
    for &i in &layout.stock_ids {
        let NodeRole::Stock {
            inflows,
            outflows,
            non_negative,
        } = &lw.nodes[i].role
        else {
            continue;
        };
        out.rate_slots
            .extend(inflows.iter().map(|&f| slot_of[f as usize]));
        let inflows_end = out.rate_slots.len() as u32;
        out.rate_slots
            .extend(outflows.iter().map(|&f| slot_of[f as usize]));
        out.rate_ends
            .push((inflows_end, out.rate_slots.len() as u32));
        out.limits_stocks |= *non_negative && !outflows.is_empty();
        out.specs.push(StockSpec {
            name: lw.nodes[i].name.clone(),
            inflows: inflows.iter().map(|&f| slot_of[f as usize]).collect(),
            outflows: outflows.iter().map(|&f| slot_of[f as usize]).collect(),
            non_negative: *non_negative,
            column: column_of_slot.get(&slot_of[i]).copied(),
        });
    }
    out
}

/// The fixed delay lines, by slot.
pub(super) fn delays(lw: &Lowered, layout: &Layout) -> Vec<DelayLine> {
    let slot_of = &layout.slot_of;
    lw.delays
        .iter()
        .map(|&(input, delay, initial)| DelayLine {
            input: slot_of[input as usize],
            delay: slot_of[delay as usize],
            initial: slot_of[initial as usize],
        })
        .collect()
}

/// The source of every slot below the temporaries: the variable element whose own equation
/// computes it, where, and the equation's text.
pub(super) fn source_map(lw: &Lowered, layout: &Layout, emitted: &Emitted) -> Vec<SlotSource> {
    let mut sources = vec![SlotSource::default(); emitted.temp_base as usize];
    let describe = |owner: usize, at: Option<&SourceRef>, part: SlotPart| {
        let node = &lw.nodes[owner];
        let (equation, start) = match &node.equation {
            Some(e) => (e.text.clone(), e.at.clone()),
            None => (String::new(), node.at.clone()),
        };
        SlotSource {
            variable: node.name.clone(),
            var: node.var,
            at: at.cloned().unwrap_or(start),
            equation,
            part,
        }
    };
    for (i, node) in lw.nodes.iter().enumerate() {
        let part = match node.role {
            NodeRole::Reserved => SlotPart::Reserved,
            _ if node.var.is_some() => SlotPart::Value,
            _ => SlotPart::Builtin,
        };
        let at = (part == SlotPart::Builtin).then_some(&node.at);
        sources[layout.slot_of[i] as usize] = describe(node.owner as usize, at, part);
    }
    let n = lw.nodes.len();
    for (k, &from) in emitted.hoisted_from.iter().enumerate() {
        let owner = lw.nodes[from as usize].owner as usize;
        sources[layout.slot_of[n + k] as usize] = describe(owner, None, SlotPart::Hoisted);
    }
    sources
}
