//! Scheduling: which nodes change during a run, and the orders in which the initial pass,
//! every integration stage and the save times compute them (rejecting algebraic loops).

use super::ir::{Id, Ir, Ref};
use super::lower::{Lowered, NodeRole};
use super::order;
use super::program::{self, RESERVED};
use crate::diagnostic::Diagnostic;

/// When each node is computed.
pub(super) struct Schedule {
    /// By node: whether its value changes during a run.
    pub dynamic: Vec<bool>,
    /// Every node, in dependency order, for the initial pass.
    pub init: Vec<u32>,
    /// Time-dependent nodes the stocks need, for every integration stage.
    pub step: Vec<u32>,
    /// Time-dependent nodes only reported, for save times.
    pub report: Vec<u32>,
}

/// Schedules the nodes of `lw`; `stop`, the node ending the run early (see
/// [`crate::model::SimSpecs::stop_when`]), is computed at every step like a flow.
pub(super) fn schedule(lw: &Lowered, stop: Option<Id>) -> Result<Schedule, Vec<Diagnostic>> {
    let node_refs: Vec<Vec<Ref>> = lw.nodes.iter().map(|node| refs(&node.ir)).collect();
    let dynamic = dynamic_nodes(lw, &node_refs);
    // A node with a separate initial value depends, in the initial pass, on what that reads.
    let init_refs: Vec<Option<Vec<Ref>>> = lw
        .nodes
        .iter()
        .map(|node| node.init_ir.as_ref().map(refs))
        .collect();
    let all: Vec<u32> = (RESERVED as u32..lw.nodes.len() as u32).collect();
    let init_deps = |i: u32| -> Vec<u32> {
        init_refs[i as usize]
            .as_ref()
            .unwrap_or(&node_refs[i as usize])
            .iter()
            .filter_map(|r| match r {
                Ref::Node(d) => Some(*d),
                Ref::Delay(k) => Some(lw.delays[*k as usize].2),
                Ref::TimeDependent => None,
            })
            .collect()
    };
    let init = order::topo_sort(&all, init_deps, lw.nodes.len())
        .map_err(|cycle| vec![loop_error(lw, &cycle, true)])?;
    let step_nodes: Vec<u32> = all
        .iter()
        .copied()
        .filter(|&i| {
            dynamic[i as usize]
                && !is_stock(lw, i)
                && lw.nodes[i as usize].role != NodeRole::InitCapture
        })
        .collect();
    let step_deps = |i: u32| step_deps(lw, &node_refs, &dynamic, i);
    let step_order = order::topo_sort(&step_nodes, step_deps, lw.nodes.len())
        .map_err(|cycle| vec![loop_error(lw, &cycle, false)])?;
    let needed = needed_by_stocks(lw, &node_refs, &dynamic, &step_order, stop);
    let (step, report) = step_order.into_iter().partition(|&i| needed[i as usize]);
    Ok(Schedule {
        dynamic,
        init,
        step,
        report,
    })
}

fn refs(ir: &Ir) -> Vec<Ref> {
    let mut out = Vec::new();
    ir.visit_refs(&mut |r| out.push(r));
    out
}

fn is_stock(lw: &Lowered, i: u32) -> bool {
    matches!(lw.nodes[i as usize].role, NodeRole::Stock { .. })
}

/// What a per-step node reads that is computed in the same stage.
fn step_deps(lw: &Lowered, node_refs: &[Vec<Ref>], dynamic: &[bool], i: u32) -> Vec<u32> {
    node_refs[i as usize]
        .iter()
        .filter_map(|r| match r {
            Ref::Node(d) if dynamic[*d as usize] && !is_stock(lw, *d) => Some(*d),
            _ => None,
        })
        .collect()
}

/// A node is time-dependent when it reads time, a stock, a stateful builtin, or another
/// time-dependent node. Everything else is computed once per run.
fn dynamic_nodes(lw: &Lowered, node_refs: &[Vec<Ref>]) -> Vec<bool> {
    let n = lw.nodes.len();
    let mut dynamic = vec![None::<bool>; n];
    for i in 0..n {
        is_dynamic(i, lw, node_refs, &mut dynamic);
    }
    dynamic.into_iter().map(|d| d.unwrap_or(false)).collect()
}

fn is_dynamic(i: usize, lw: &Lowered, refs: &[Vec<Ref>], memo: &mut [Option<bool>]) -> bool {
    if let Some(d) = memo[i] {
        return d;
    }
    let node = &lw.nodes[i];
    let answer = match node.role {
        // Its value changes after the initial pass, whatever its equation reads.
        _ if node.init_ir.is_some() => true,
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

/// By node: whether it moves the stocks (flows, delay inputs, stateful builtins and everything
/// they read), so it is needed at every stage; the other per-step values are only reported,
/// and run at save times.
fn needed_by_stocks(
    lw: &Lowered,
    node_refs: &[Vec<Ref>],
    dynamic: &[bool],
    step_order: &[u32],
    stop: Option<Id>,
) -> Vec<bool> {
    let mut needed = vec![false; lw.nodes.len()];
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
        .chain(stop)
        .filter(|&i| dynamic[i as usize])
        .collect();
    while let Some(i) = work.pop() {
        if std::mem::replace(&mut needed[i as usize], true) {
            continue;
        }
        work.extend(step_deps(lw, node_refs, dynamic, i));
    }
    needed
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
