//! Feedback loops: the elementary cycles of the causal graph, each with its polarity.

use super::cycles::{elementary_cycles, shortest_cycles};
use super::graph::CausalGraph;
use super::polarity::Polarity;
use crate::model::Model;

/// Most loops examined: a model with more is searched again for its shortest loops.
pub const SEARCH_LIMIT: usize = 10_000;

/// One feedback loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    /// Variable names as written, in causal order: each one affects the next, and the last
    /// affects the first. Starts at the loop's first stock in model order, if it has one.
    pub variables: Vec<String>,
    /// Polarity of each link: `links[i]` is `variables[i] → variables[i + 1]` (wrapping).
    pub links: Vec<Polarity>,
    /// The product of the link polarities: positive reinforces (R), negative balances (B);
    /// unknown when any link is unknown.
    pub polarity: Polarity,
    /// The name the model gives this loop in its `[loops]` section.
    pub name: Option<String>,
    /// The display label the model gives it.
    pub label: Option<String>,
}

impl Loop {
    /// Number of links (equal to the number of variables).
    pub fn len(&self) -> usize {
        self.variables.len()
    }

    /// Always false: a loop has at least one link. Present for the `len`/`is_empty` pair.
    pub fn is_empty(&self) -> bool {
        self.variables.is_empty()
    }

    /// The loop as text, back to its start: `followers → adoption → followers`.
    pub fn path(&self) -> String {
        let mut parts: Vec<&str> = self.variables.iter().map(String::as_str).collect();
        if let Some(first) = self.variables.first() {
            parts.push(first);
        }
        parts.join(" → ")
    }
}

/// The feedback loops of a model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoopReport {
    /// Loops, shortest first, then by variable names (case-insensitive).
    pub loops: Vec<Loop>,
    /// Whether the model has more loops than listed.
    pub truncated: bool,
}

impl LoopReport {
    /// Number of listed loops of the given polarity.
    pub fn count(&self, polarity: Polarity) -> usize {
        self.loops.iter().filter(|l| l.polarity == polarity).count()
    }
}

/// Lists at most `limit` feedback loops of `model`, shortest first.
///
/// The model is expected to have compiled; equations that do not parse are skipped rather
/// than reported. A model with more than [`SEARCH_LIMIT`] loops is searched again in order of
/// length, so the listed loops are still the shortest; only in models with enormous numbers of
/// long paths can that search stop early and miss some of them.
pub fn feedback_loops(model: &Model, limit: usize) -> LoopReport {
    CausalGraph::build(model).loops(limit)
}

impl CausalGraph {
    /// Lists at most `limit` elementary cycles of the graph, shortest first; see
    /// [`feedback_loops`].
    pub fn loops(&self, limit: usize) -> LoopReport {
        let adj = self.successors();
        let cap = SEARCH_LIMIT.max(limit.saturating_add(1));
        let (mut cycles, stopped) = elementary_cycles(&adj, cap);
        if stopped {
            // The first cycles Johnson's search finds all pass through one node; the shortest
            // ones may be anywhere.
            cycles.extend(shortest_cycles(&adj, limit.saturating_add(1), cap));
            cycles.sort();
            cycles.dedup();
        }
        let keys: Vec<String> = self
            .names
            .iter()
            .map(|n| crate::model::names::canonical(n))
            .collect();
        let mut loops: Vec<(Vec<usize>, Loop)> = cycles
            .into_iter()
            .map(|c| {
                let c = self.rotate(c);
                let l = self.describe(&c);
                (c, l)
            })
            .collect();
        loops.sort_by(|(a, _), (b, _)| {
            a.len().cmp(&b.len()).then_with(|| {
                let ka = a.iter().map(|&i| (&keys[i], i));
                let kb = b.iter().map(|&i| (&keys[i], i));
                ka.cmp(kb)
            })
        });
        let truncated = stopped || loops.len() > limit;
        loops.truncate(limit);
        LoopReport {
            loops: loops.into_iter().map(|(_, l)| l).collect(),
            truncated,
        }
    }

    /// Starts a cycle at its first stock, or at its first variable when it has none.
    pub(super) fn rotate(&self, mut cycle: Vec<usize>) -> Vec<usize> {
        let start = cycle
            .iter()
            .enumerate()
            .filter(|&(_, &v)| self.stocks[v])
            .min_by_key(|&(_, &v)| v)
            .or_else(|| cycle.iter().enumerate().min_by_key(|&(_, &v)| v))
            .map(|(i, _)| i)
            .unwrap_or(0);
        cycle.rotate_left(start);
        cycle
    }

    pub(super) fn describe(&self, cycle: &[usize]) -> Loop {
        let links: Vec<Polarity> = (0..cycle.len())
            .map(|i| {
                let (from, to) = (cycle[i], cycle[(i + 1) % cycle.len()]);
                self.links
                    .binary_search_by_key(&(from, to), |l| (l.from, l.to))
                    .map(|k| self.links[k].polarity)
                    .unwrap_or(Polarity::Unknown)
            })
            .collect();
        let polarity = links
            .iter()
            .fold(Polarity::Positive, |acc, &p| acc.times(p));
        Loop {
            variables: cycle.iter().map(|&v| self.names[v].clone()).collect(),
            links,
            polarity,
            name: None,
            label: None,
        }
    }
}
