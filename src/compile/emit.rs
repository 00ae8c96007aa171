//! Slot layout and code emission: reserved slots, then the stocks (contiguous state), then
//! every other node; constant parts of per-step equations hoisted into slots of their own;
//! then the four code streams, one block per computed slot, and the slot array's template.

use super::codegen::{self, Emitter};
use super::hoist::Invariants;
use super::ir::Ir;
use super::lower::{Lowered, NodeRole};
use super::program::{self, Block, Op, Slot, Special, RESERVED};
use super::schedule::Schedule;
use crate::model::SimSpecs;
use std::collections::HashMap;

/// Where every node lives.
pub(super) struct Layout {
    /// Slot of node `i`; hoisted expression `k` has id and index `nodes.len() + k`.
    pub slot_of: Vec<Slot>,
    /// Stock nodes, in slot order.
    pub stock_ids: Vec<usize>,
}

/// Gives every node a slot: reserved first, then stocks, then the rest in node order.
pub(super) fn layout(lw: &Lowered) -> Layout {
    let n = lw.nodes.len();
    let mut slot_of = vec![0 as Slot; n];
    let mut next = 0 as Slot;
    for (i, slot) in slot_of.iter_mut().enumerate().take(RESERVED) {
        *slot = i as Slot;
        next += 1;
    }
    let mut stock_ids = Vec::new();
    for (i, node) in lw.nodes.iter().enumerate().skip(RESERVED) {
        if matches!(node.role, NodeRole::Stock { .. }) {
            slot_of[i] = next;
            next += 1;
            stock_ids.push(i);
        }
    }
    for (i, node) in lw.nodes.iter().enumerate().skip(RESERVED) {
        if !matches!(node.role, NodeRole::Stock { .. }) {
            slot_of[i] = next;
            next += 1;
        }
    }
    Layout { slot_of, stock_ids }
}

/// A code stream and its blocks, one per computed slot.
#[derive(Default)]
pub(super) struct Stream {
    /// The instructions.
    pub code: Vec<Op>,
    /// The slot each range of instructions computes.
    pub blocks: Vec<Block>,
}

/// Everything emitted.
pub(super) struct Emitted {
    /// Initial contents of the slot array.
    pub template: Vec<f64>,
    /// Initial values of every node.
    pub init: Stream,
    /// Hoisted constant parts of per-step equations.
    pub invariant: Stream,
    /// Values the stocks need, at every stage.
    pub step: Stream,
    /// Values only reported, at save times.
    pub report: Stream,
    /// Stateful builtins named by the code.
    pub specials: Vec<Special>,
    /// For each hoisted expression, the node whose equation it was first taken from.
    pub hoisted_from: Vec<u32>,
    /// First temporary slot (every slot below it is a node, reserved or hoisted).
    pub temp_base: Slot,
}

/// Hoists the constant parts of per-step equations (adding their slots to `layout`) and
/// emits every code stream.
pub(super) fn emit(sim: &SimSpecs, lw: &Lowered, sched: &Schedule, layout: &mut Layout) -> Emitted {
    let n = lw.nodes.len();
    // Parts of per-step equations that read only constants get slots of their own, computed
    // once per run by the invariant code.
    let mut invariants = Invariants::new(&sched.dynamic);
    let mut hoisted_from = Vec::new();
    let mut hoist = |order: &[u32]| -> Vec<Ir> {
        order
            .iter()
            .map(|&i| {
                let ir = invariants.hoist(&lw.nodes[i as usize].ir);
                hoisted_from.resize(invariants.exprs.len(), i);
                ir
            })
            .collect()
    };
    let step_irs = hoist(&sched.step);
    let report_irs = hoist(&sched.report);
    let invariant_exprs = std::mem::take(&mut invariants.exprs);
    let mut next = n as Slot;
    for _ in &invariant_exprs {
        layout.slot_of.push(next);
        next += 1;
    }
    let temp_base = next;
    let slot_of = &layout.slot_of;

    let mut specials = Vec::new();
    let mut literals = HashMap::new();
    let mut literal_values = Vec::new();
    let mut em = Emitter::new(
        slot_of,
        &mut specials,
        &mut literals,
        &mut literal_values,
        temp_base,
    );
    let clamp = |i: u32| {
        matches!(
            lw.nodes[i as usize].role,
            NodeRole::Flow { non_negative: true }
        )
    };
    let computed = sched
        .init
        .iter()
        .copied()
        .filter(|&i| lw.nodes[i as usize].role != NodeRole::TableOnly);
    let mut init = stream(
        &mut em,
        computed.map(|i| {
            let node = &lw.nodes[i as usize];
            let ir = node.init_ir.as_ref().unwrap_or(&node.ir);
            (ir, slot_of[i as usize], clamp(i))
        }),
    );
    let node = |(&i, ir)| (ir, slot_of[i as usize], clamp(i));
    let mut step = stream(&mut em, sched.step.iter().zip(&step_irs).map(node));
    let mut report = stream(&mut em, sched.report.iter().zip(&report_irs).map(node));
    let hoisted = invariant_exprs
        .iter()
        .enumerate()
        .map(|(k, ir)| (ir, slot_of[n + k], false));
    let mut invariant = stream(&mut em, hoisted);
    let literal_base = temp_base + em.temp_max;
    codegen::relocate(&mut init.code, &mut specials, literal_base);
    for s in [&mut step, &mut report, &mut invariant] {
        codegen::relocate(&mut s.code, &mut [], literal_base);
    }

    let mut template = vec![f64::NAN; literal_base as usize];
    template[program::DT as usize] = sim.dt;
    template[program::START as usize] = sim.start;
    template[program::STOP as usize] = sim.stop;
    template[program::TIME as usize] = sim.start;
    template.extend_from_slice(&literal_values);
    Emitted {
        template,
        init,
        invariant,
        step,
        report,
        specials,
        hoisted_from,
        temp_base,
    }
}

/// Emits one code stream: each `(value, slot, non-negative)` in turn, as a block.
fn stream<'i>(em: &mut Emitter, nodes: impl Iterator<Item = (&'i Ir, Slot, bool)>) -> Stream {
    let mut blocks = Vec::new();
    for (ir, slot, non_negative) in nodes {
        let start = em.code.len() as u32;
        em.emit_node(ir, slot, non_negative);
        blocks.push(Block {
            slot,
            start,
            end: em.code.len() as u32,
        });
    }
    Stream {
        code: em.take_code(),
        blocks,
    }
}
