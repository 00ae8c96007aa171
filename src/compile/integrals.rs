//! Running integrals for targets: `sum(x, a, b)` is the integral of `x` over `[a, b]`, so
//! every variable a target sums gets a hidden stock that accumulates it from zero at every
//! integration step, by the model's method, whatever the save step.

use super::ir::{Id, Ir};
use super::lower::{Lowered, NodeDef, NodeRole};
use crate::model::names::canonical;

/// The column holding the running integral of column `name` in a program compiled with
/// [`super::compile_with`].
pub fn integral_column(name: &str) -> String {
    format!("#integral({name})")
}

/// Adds an accumulating stock for each variable element named in `names` (names that match
/// no element are left to the caller's validation); returns the stocks' node ids with the
/// names of their columns.
pub(super) fn add(lw: &mut Lowered, names: &[String]) -> Vec<(Id, String)> {
    let mut added: Vec<(Id, String)> = Vec::new();
    for name in names {
        let key = canonical(name);
        let Some(x) = lw.nodes.iter().position(|n| {
            n.var.is_some() && n.role != NodeRole::TableOnly && canonical(&n.name) == key
        }) else {
            continue;
        };
        let column = integral_column(&lw.nodes[x].name);
        if added.iter().any(|(_, c)| *c == column) {
            continue;
        }
        let at = lw.nodes[x].at.clone();
        lw.nodes.push(NodeDef {
            name: format!("#{}", &column[1..]),
            role: NodeRole::Stock {
                // The element itself is the rate, so a flow limited by a non-negative stock
                // is integrated at the value the stock received.
                inflows: vec![x as Id],
                outflows: Vec::new(),
                non_negative: false,
            },
            ir: Ir::Const(0.0),
            var: None,
            at,
            owner: x as Id,
            equation: None,
            init_ir: None,
        });
        added.push(((lw.nodes.len() - 1) as Id, column));
    }
    added
}
