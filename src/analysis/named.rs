//! Loops the model names in its `[loops]` section, checked against the causal graph and
//! attached to the loops found, so that `check`, `loops` and reports call them the same.

use super::graph::CausalGraph;
use super::loops::LoopReport;
use crate::diagnostic::Diagnostic;
use crate::model::names::closest;
use crate::model::{Model, NamedLoop};

/// The feedback loops of `model` as [`super::feedback_loops`] lists them, with the names of
/// its `[loops]` section attached; a named loop beyond the `limit` shortest is added at the
/// end. Fails, located at the path, when a named path is not a loop of the model.
pub fn named_loops(model: &Model, limit: usize) -> Result<LoopReport, Diagnostic> {
    let graph = CausalGraph::build(model);
    let mut report = graph.loops(limit);
    for named in &model.loops {
        let cycle = resolve(&graph, named)?;
        let rotated = graph.rotate(cycle);
        let names: Vec<&str> = rotated.iter().map(|&v| graph.names[v].as_str()).collect();
        let at = report.loops.iter().position(|l| l.variables == names);
        let index = match at {
            Some(i) => i,
            None => {
                report.loops.push(graph.describe(&rotated));
                report.loops.len() - 1
            }
        };
        let found = &mut report.loops[index];
        if let Some(other) = &found.name {
            return Err(Diagnostic::new(
                format!("loops `{other}` and `{}` are the same loop", named.name),
                named.at.clone(),
            )
            .with_hint("name each loop once in [loops]"));
        }
        found.name = Some(named.name.clone());
        found.label = named.label.clone();
    }
    Ok(report)
}

/// The nodes of a named loop's path, each linked to the next and the last to the first.
fn resolve(graph: &CausalGraph, named: &NamedLoop) -> Result<Vec<usize>, Diagnostic> {
    let fail = |message: String, hint: String| {
        Err(Diagnostic::new(message, named.at.clone()).with_hint(hint))
    };
    let mut nodes = Vec::with_capacity(named.path.len());
    for v in &named.path {
        match graph.node(v) {
            Some(n) if nodes.contains(&n) => {
                return fail(
                    format!("loop `{}` passes through `{v}` twice", named.name),
                    "a loop's path lists each variable once; the last links back to the first"
                        .into(),
                )
            }
            Some(n) => nodes.push(n),
            None => {
                let hint = match closest(v, graph.names.iter().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "a loop's path lists variables defined in this file".into(),
                };
                return fail(
                    format!("loop `{}` names unknown variable `{v}`", named.name),
                    hint,
                );
            }
        }
    }
    for i in 0..nodes.len() {
        let (from, to) = (nodes[i], nodes[(i + 1) % nodes.len()]);
        let linked = graph.links.iter().any(|l| l.from == from && l.to == to);
        if !linked {
            let (a, b) = (&graph.names[from], &graph.names[to]);
            let causes: Vec<&str> = graph
                .links
                .iter()
                .filter(|l| l.to == to)
                .map(|l| graph.names[l.from].as_str())
                .collect();
            let listed = if causes.is_empty() {
                "nothing".to_string()
            } else {
                causes
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let closing = if i + 1 == nodes.len() {
                " (the last variable of a path links back to the first)"
            } else {
                ""
            };
            return fail(
                format!(
                    "loop `{}`: `{a}` does not affect `{b}`{closing}",
                    named.name
                ),
                format!(
                    "`{b}` is affected by {listed}; list the loop's variables in causal order, \
                     as `sandtable check` prints them"
                ),
            );
        }
    }
    Ok(nodes)
}
