//! The causal graph of a model: one node per variable, a signed link wherever one variable's
//! equation or flows make it depend on another during the run.

use super::polarity::{link_polarities, monotone, Names, Polarity};
use crate::equation::parse;
use crate::model::names::canonical;
use crate::model::{Equation, Model, VarKind};
use std::collections::{BTreeMap, HashMap};

/// A signed cause-and-effect link between two variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Node index of the cause.
    pub from: usize,
    /// Node index of the effect.
    pub to: usize,
    /// Sign of the effect's response to the cause.
    pub polarity: Polarity,
}

/// Variables and the links between them.
///
/// Node `i` is `model.variables[i]`; an arrayed variable is one node, its links the union of
/// every element's. A stock's links come from its flows (inflows `+`, outflows `−`), never from
/// its initial value; other variables' links come from their equations, with a graphical
/// function on the variable passing on its direction. `INIT(x)` and the initial-value arguments
/// of smooths and delays are not links; `PREVIOUS(x)` is (one step later).
#[derive(Debug, Clone, PartialEq)]
pub struct CausalGraph {
    /// Variable names as written, one per node.
    pub names: Vec<String>,
    /// Whether each node is a stock.
    pub stocks: Vec<bool>,
    /// Every link, sorted by cause then effect; at most one per ordered pair.
    pub links: Vec<Link>,
}

struct Scope<'m> {
    model: &'m Model,
    index: HashMap<String, usize>,
}

impl Names for Scope<'_> {
    fn variable(&self, name: &str) -> Option<usize> {
        let i = *self.index.get(&canonical(name))?;
        let var = &self.model.variables[i];
        // A bare table has no value of its own; the compiler rejects such a reference.
        (var.equation.is_some() || var.gf.is_none()).then_some(i)
    }

    fn table(&self, name: &str) -> Option<Polarity> {
        let i = *self.index.get(&canonical(name))?;
        self.model.variables[i].gf.as_ref().map(monotone)
    }
}

impl CausalGraph {
    /// Builds the graph of `model`. Equations that do not parse contribute no links (the
    /// compiler reports them); names that are not variables (TIME, DT, builtins) are skipped.
    pub fn build(model: &Model) -> CausalGraph {
        let mut index = HashMap::new();
        for (i, var) in model.variables.iter().enumerate() {
            index.entry(canonical(&var.name)).or_insert(i);
        }
        let scope = Scope { model, index };
        let mut links = Vec::new();
        for (to, var) in model.variables.iter().enumerate() {
            let mut into: BTreeMap<usize, Polarity> = BTreeMap::new();
            match &var.kind {
                VarKind::Stock {
                    inflows, outflows, ..
                } => {
                    let flows = inflows
                        .iter()
                        .map(|f| (f, Polarity::Positive))
                        .chain(outflows.iter().map(|f| (f, Polarity::Negative)));
                    for (flow, sign) in flows {
                        if let Some(&from) = scope.index.get(&canonical(flow)) {
                            into.entry(from)
                                .and_modify(|p| *p = p.merge(sign))
                                .or_insert(sign);
                        }
                    }
                }
                _ => {
                    let exprs: Vec<&str> = match &var.equation {
                        None => Vec::new(),
                        Some(Equation::All(e)) => vec![e.text.as_str()],
                        Some(Equation::PerElement(list)) => {
                            list.iter().map(|(_, e)| e.text.as_str()).collect()
                        }
                    };
                    for text in exprs {
                        if let Ok(node) = parse(text) {
                            link_polarities(&node, &scope, &mut into);
                        }
                    }
                    if let Some(gf) = &var.gf {
                        let dir = monotone(gf);
                        for p in into.values_mut() {
                            *p = p.times(dir);
                        }
                    }
                }
            }
            links.extend(
                into.into_iter()
                    .map(|(from, polarity)| Link { from, to, polarity }),
            );
        }
        links.sort_by_key(|l| (l.from, l.to));
        CausalGraph {
            names: model.variables.iter().map(|v| v.name.clone()).collect(),
            stocks: model
                .variables
                .iter()
                .map(|v| matches!(v.kind, VarKind::Stock { .. }))
                .collect(),
            links,
        }
    }

    /// The node of a variable, matched by canonical name.
    pub fn node(&self, name: &str) -> Option<usize> {
        let key = canonical(name);
        self.names.iter().position(|n| canonical(n) == key)
    }

    /// The polarity of the link `from → to`, if there is one.
    pub fn polarity(&self, from: &str, to: &str) -> Option<Polarity> {
        let (from, to) = (self.node(from)?, self.node(to)?);
        self.links
            .iter()
            .find(|l| l.from == from && l.to == to)
            .map(|l| l.polarity)
    }

    /// The effects of each node, in node order.
    pub(crate) fn successors(&self) -> Vec<Vec<usize>> {
        let mut adj = vec![Vec::new(); self.names.len()];
        for l in &self.links {
            adj[l.from].push(l.to);
        }
        adj
    }
}
