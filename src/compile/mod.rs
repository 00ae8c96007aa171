//! Compiling a model into a flat, allocation-free program.
//!
//! Pipeline: [`symbols`] numbers every array element; [`lower`] resolves names and expands
//! builtins into [`ir`]; [`order`] sorts the initial-value and per-step computations (rejecting
//! algebraic loops); [`codegen`] emits register code into a [`Program`].

pub mod builtins;
pub mod codegen;
mod hoist;
pub mod ir;
pub mod lower;
pub mod order;
pub mod program;
pub mod symbols;
mod validate;

pub use program::{Column, Param, Program, Role};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Equation, Model, VarKind};
use ir::{Id, Ir, Ref};
use lower::{Lowered, Lowerer, NodeRole};
use program::{InitBlock, Slot, StockSpec, RESERVED};
use std::collections::HashMap;

/// Compiles `model`, collecting every error found.
pub fn compile(model: &Model) -> Result<Program, Diagnostics> {
    check_specs(model)?;
    crate::limits::check_model(model)?;
    let lowered = Lowerer::run(model).map_err(Diagnostics)?;
    build(model, lowered).map_err(Diagnostics)
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

fn refs(ir: &Ir) -> Vec<Ref> {
    let mut out = Vec::new();
    ir.visit_refs(&mut |r| out.push(r));
    out
}

fn build(model: &Model, lw: Lowered) -> Result<Program, Vec<Diagnostic>> {
    let n = lw.nodes.len();
    let node_refs: Vec<Vec<Ref>> = lw.nodes.iter().map(|node| refs(&node.ir)).collect();

    // A node is time-dependent when it reads time, a stock, a stateful builtin, or another
    // time-dependent node. Everything else is computed once per run.
    let mut dynamic = vec![None::<bool>; n];
    for i in 0..n {
        is_dynamic(i, &lw, &node_refs, &mut dynamic);
    }
    let dynamic: Vec<bool> = dynamic.into_iter().map(|d| d.unwrap_or(false)).collect();

    let is_stock = |i: usize| matches!(lw.nodes[i].role, NodeRole::Stock { .. });
    let all: Vec<u32> = (RESERVED as u32..n as u32).collect();
    let init_deps = |i: u32| -> Vec<u32> {
        node_refs[i as usize]
            .iter()
            .filter_map(|r| match r {
                Ref::Node(d) => Some(*d),
                Ref::Delay(k) => Some(lw.delays[*k as usize].2),
                Ref::TimeDependent => None,
            })
            .collect()
    };
    let init_order = order::topo_sort(&all, init_deps, n)
        .map_err(|cycle| vec![loop_error(&lw, &cycle, true)])?;

    let step_nodes: Vec<u32> = all
        .iter()
        .copied()
        .filter(|&i| {
            dynamic[i as usize]
                && !is_stock(i as usize)
                && lw.nodes[i as usize].role != NodeRole::InitCapture
        })
        .collect();
    let step_deps = |i: u32| -> Vec<u32> {
        node_refs[i as usize]
            .iter()
            .filter_map(|r| match r {
                Ref::Node(d) if dynamic[*d as usize] && !is_stock(*d as usize) => Some(*d),
                _ => None,
            })
            .collect()
    };
    let step_order = order::topo_sort(&step_nodes, step_deps, n)
        .map_err(|cycle| vec![loop_error(&lw, &cycle, false)])?;
    // Only what moves the stocks (flows, delay inputs, stateful builtins and everything they
    // read) is needed at every stage; values that are only reported run at save times.
    let mut needed = vec![false; n];
    let rates = lw.nodes.iter().flat_map(|node| match &node.role {
        NodeRole::Stock {
            inflows, outflows, ..
        } => inflows.iter().chain(outflows).copied().collect(),
        _ => Vec::new(),
    });
    let stateful = step_order.iter().copied().filter(|&i| {
        node_refs[i as usize]
            .iter()
            .any(|r| !matches!(r, Ref::Node(_)))
    });
    let mut work: Vec<u32> = rates
        .chain(stateful)
        .chain(lw.delays.iter().map(|d| d.0))
        .filter(|&i| dynamic[i as usize])
        .collect();
    while let Some(i) = work.pop() {
        if std::mem::replace(&mut needed[i as usize], true) {
            continue;
        }
        work.extend(step_deps(i));
    }
    let (step_order, report_order): (Vec<u32>, Vec<u32>) =
        step_order.into_iter().partition(|&i| needed[i as usize]);

    // Slots: reserved, then stocks (contiguous state), then every other node.
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
    // Parts of per-step equations that read only constants get slots of their own, computed
    // once per run by `invariant_code`.
    let mut invariants = hoist::Invariants::new(&dynamic);
    let step_irs: Vec<Ir> = step_order
        .iter()
        .map(|&i| invariants.hoist(&lw.nodes[i as usize].ir))
        .collect();
    let report_irs: Vec<Ir> = report_order
        .iter()
        .map(|&i| invariants.hoist(&lw.nodes[i as usize].ir))
        .collect();
    let invariant_exprs = std::mem::take(&mut invariants.exprs);
    for _ in &invariant_exprs {
        slot_of.push(next);
        next += 1;
    }
    let temp_base = next;

    let mut specials = Vec::new();
    let mut literals = HashMap::new();
    let mut literal_values = Vec::new();
    let mut init_blocks = Vec::new();
    let mut em = codegen::Emitter::new(
        &slot_of,
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
    for &i in &init_order {
        if lw.nodes[i as usize].role == NodeRole::TableOnly {
            continue;
        }
        let start = em.code.len() as u32;
        em.emit_node(&lw.nodes[i as usize].ir, slot_of[i as usize], clamp(i));
        init_blocks.push(InitBlock {
            slot: slot_of[i as usize],
            start,
            end: em.code.len() as u32,
        });
    }
    let mut init_code = em.take_code();
    for (&i, ir) in step_order.iter().zip(&step_irs) {
        em.emit_node(ir, slot_of[i as usize], clamp(i));
    }
    let mut step_code = em.take_code();
    for (&i, ir) in report_order.iter().zip(&report_irs) {
        em.emit_node(ir, slot_of[i as usize], clamp(i));
    }
    let mut report_code = em.take_code();
    for (k, ir) in invariant_exprs.iter().enumerate() {
        em.emit_node(ir, slot_of[n + k], false);
    }
    let mut invariant_code = em.take_code();
    let temp_max = em.temp_max;
    let literal_base = temp_base + temp_max;
    codegen::relocate(&mut init_code, &mut specials, literal_base);
    codegen::relocate(&mut step_code, &mut [], literal_base);
    codegen::relocate(&mut report_code, &mut [], literal_base);
    codegen::relocate(&mut invariant_code, &mut [], literal_base);

    let mut template = vec![f64::NAN; literal_base as usize];
    template[program::DT as usize] = model.sim.dt;
    template[program::START as usize] = model.sim.start;
    template[program::STOP as usize] = model.sim.stop;
    template[program::TIME as usize] = model.sim.start;
    template.extend_from_slice(&literal_values);

    // Columns and parameters: the model's own variables, in model order.
    let mut columns = Vec::new();
    let mut column_of_node = HashMap::new();
    let mut params = Vec::new();
    let block_of: HashMap<Slot, u32> = init_blocks
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
        column_of_node.insert(i, columns.len() as u32);
        columns.push(Column {
            name: node.name.clone(),
            slot: slot_of[i],
            role,
            unit: var.unit.clone(),
            label: var.label.clone(),
            equation,
        });
        if !dynamic[i] && !is_stock(i) {
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

    let mut stocks = Vec::new();
    let mut rate_slots = Vec::new();
    let mut rate_ends = Vec::new();
    let mut limits_stocks = false;
    for &i in &stock_ids {
        let NodeRole::Stock {
            inflows,
            outflows,
            non_negative,
        } = &lw.nodes[i].role
        else {
            continue;
        };
        rate_slots.extend(inflows.iter().map(|&f| slot_of[f as usize]));
        let inflows_end = rate_slots.len() as u32;
        rate_slots.extend(outflows.iter().map(|&f| slot_of[f as usize]));
        rate_ends.push((inflows_end, rate_slots.len() as u32));
        limits_stocks |= *non_negative && !outflows.is_empty();
        stocks.push(StockSpec {
            name: lw.nodes[i].name.clone(),
            inflows: inflows.iter().map(|&f| slot_of[f as usize]).collect(),
            outflows: outflows.iter().map(|&f| slot_of[f as usize]).collect(),
            non_negative: *non_negative,
            column: column_of_node.get(&i).copied(),
        });
    }

    let delays = lw
        .delays
        .iter()
        .map(|&(input, delay, initial)| program::DelayLine {
            input: slot_of[input as usize],
            delay: slot_of[delay as usize],
            initial: slot_of[initial as usize],
        })
        .collect();

    Ok(Program {
        name: model.name.clone(),
        specs: model.sim.clone(),
        template,
        init_code,
        init_blocks,
        invariant_code,
        step_code,
        report_code,
        stocks,
        rate_slots,
        rate_ends,
        specials,
        delays,
        noise_states: lw.noise_states,
        tables: lw.tables,
        columns,
        params,
        limits_stocks,
    })
}

fn is_dynamic(i: usize, lw: &Lowered, refs: &[Vec<Ref>], memo: &mut [Option<bool>]) -> bool {
    if let Some(d) = memo[i] {
        return d;
    }
    let node = &lw.nodes[i];
    let answer = match node.role {
        NodeRole::Reserved => i == program::TIME as usize,
        NodeRole::Stock { .. } => true,
        NodeRole::InitCapture | NodeRole::TableOnly => false,
        _ => {
            // Provisional answer breaks recursion through (invalid) cycles; those are reported
            // by the ordering pass.
            memo[i] = Some(false);
            refs[i].iter().any(|r| match r {
                Ref::Node(d) => is_dynamic(*d as usize, lw, refs, memo),
                Ref::TimeDependent | Ref::Delay(_) => true,
            })
        }
    };
    memo[i] = Some(answer);
    answer
}

fn loop_error(lw: &Lowered, cycle: &[Id], initial: bool) -> Diagnostic {
    let names: Vec<String> = cycle
        .iter()
        .map(|&i| {
            let name = &lw.nodes[i as usize].name;
            if let Some(hidden) = name.strip_prefix('#') {
                format!("({hidden})")
            } else {
                format!("`{name}`")
            }
        })
        .collect();
    let first = cycle
        .iter()
        .find(|&&i| lw.nodes[i as usize].var.is_some())
        .copied()
        .unwrap_or(cycle[0]);
    let what = if initial {
        "the initial values form a loop"
    } else {
        "algebraic loop"
    };
    Diagnostic::new(
        format!("{what}: {} → {}", names.join(" → "), names[0]),
        lw.nodes[first as usize].at.clone(),
    )
    .with_hint("every feedback loop needs a stock (or SMTH/DELAY) to break it")
}
