//! Feedback loops: the elementary cycles of the causal graph, each with its polarity.
//!
//! Cycles are found with Johnson's algorithm (1975), whose work grows with the number of
//! cycles rather than the number of paths, written with explicit stacks so that long chains
//! cannot exhaust the call stack.

use super::graph::CausalGraph;
use super::polarity::Polarity;
use crate::model::Model;

/// Most cycles examined before the search stops; the shortest of them are reported.
pub const SEARCH_LIMIT: usize = 10_000;

/// Most variables held over all examined cycles, so that many long loops stay within memory.
const STORED_LIMIT: usize = 2_000_000;

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
/// than reported. When the model has more than [`SEARCH_LIMIT`] loops (or very many long
/// ones), the listed ones are the shortest among those examined.
pub fn feedback_loops(model: &Model, limit: usize) -> LoopReport {
    CausalGraph::build(model).loops(limit)
}

impl CausalGraph {
    /// Lists at most `limit` elementary cycles of the graph, shortest first; see
    /// [`feedback_loops`].
    pub fn loops(&self, limit: usize) -> LoopReport {
        let adj = self.successors();
        let (cycles, stopped) = elementary_cycles(&adj, SEARCH_LIMIT.max(limit.saturating_add(1)));
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
    fn rotate(&self, mut cycle: Vec<usize>) -> Vec<usize> {
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

    fn describe(&self, cycle: &[usize]) -> Loop {
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
        }
    }
}

/// Every elementary cycle of the graph `adj` (node → successors), up to `max` of them; the
/// flag says whether the search stopped early. Each cycle starts at its smallest node.
pub(crate) fn elementary_cycles(adj: &[Vec<usize>], max: usize) -> (Vec<Vec<usize>>, bool) {
    let n = adj.len();
    let mut search = Search {
        adj,
        member: vec![true; n],
        blocked: vec![false; n],
        dependents: vec![Vec::new(); n],
        cycles: Vec::new(),
        stored: 0,
        max,
    };
    let mut components = Components::new(n);
    let all: Vec<usize> = (0..n).collect();
    let mut pending = components.cyclic(adj, &search.member, &all);
    search.member.fill(false);
    // Every cycle through a component's smallest node lies inside the component; once those
    // are listed the node is dropped and what is left splits into smaller components.
    while let Some(mut component) = pending.pop() {
        component.sort_unstable();
        let start = component[0];
        for &v in &component {
            search.member[v] = true;
            search.blocked[v] = false;
            search.dependents[v].clear();
        }
        if search.circuits_from(start) {
            return (search.cycles, true);
        }
        search.member[start] = false;
        pending.extend(components.cyclic(adj, &search.member, &component[1..]));
        for &v in &component {
            search.member[v] = false;
        }
    }
    (search.cycles, false)
}

/// State of Johnson's search within one strong component.
struct Search<'a> {
    adj: &'a [Vec<usize>],
    /// Nodes of the component being searched.
    member: Vec<bool>,
    blocked: Vec<bool>,
    /// For each node, the blocked nodes to free when it is freed (Johnson's B lists).
    dependents: Vec<Vec<usize>>,
    cycles: Vec<Vec<usize>>,
    /// Variables held over all cycles found.
    stored: usize,
    max: usize,
}

impl Search<'_> {
    /// Johnson's CIRCUIT procedure from `start` inside the component; returns true when `max`
    /// cycles, or [`STORED_LIMIT`] variables over all cycles, have been collected.
    fn circuits_from(&mut self, start: usize) -> bool {
        struct Frame {
            node: usize,
            next: usize,
            found: bool,
        }
        let adj = self.adj;
        let mut path = vec![start];
        let mut frames = vec![Frame {
            node: start,
            next: 0,
            found: false,
        }];
        self.blocked[start] = true;
        while let Some(top) = frames.last_mut() {
            let v = top.node;
            if let Some(&w) = adj[v].get(top.next) {
                top.next += 1;
                if !self.member[w] {
                    continue;
                }
                if w == start {
                    top.found = true;
                    self.stored += path.len();
                    self.cycles.push(path.clone());
                    if self.cycles.len() >= self.max || self.stored >= STORED_LIMIT {
                        return true;
                    }
                } else if !self.blocked[w] {
                    self.blocked[w] = true;
                    path.push(w);
                    frames.push(Frame {
                        node: w,
                        next: 0,
                        found: false,
                    });
                }
                continue;
            }
            let found = top.found;
            if found {
                self.unblock(v);
            } else {
                // Stay blocked until a successor is freed: no new cycle can pass through here.
                for &w in &adj[v] {
                    if self.member[w] && !self.dependents[w].contains(&v) {
                        self.dependents[w].push(v);
                    }
                }
            }
            frames.pop();
            path.pop();
            if let Some(parent) = frames.last_mut() {
                parent.found |= found;
            }
        }
        false
    }

    fn unblock(&mut self, v: usize) {
        let mut work = vec![v];
        while let Some(u) = work.pop() {
            if !self.blocked[u] {
                continue;
            }
            self.blocked[u] = false;
            work.extend(std::mem::take(&mut self.dependents[u]));
        }
    }
}

/// Working space for Tarjan's strong components, kept between calls so each call costs only
/// the size of the subgraph it looks at.
struct Components {
    /// Discovery index per node, `UNSEEN` when not visited in the current call.
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
}

const UNSEEN: usize = usize::MAX;

impl Components {
    fn new(n: usize) -> Components {
        Components {
            index: vec![UNSEEN; n],
            low: vec![0; n],
            on_stack: vec![false; n],
        }
    }

    /// The strong components of the subgraph of `nodes` (those marked in `member`) that hold a
    /// cycle: two or more nodes, or one with a link to itself. Work is proportional to the
    /// subgraph, not the whole graph.
    fn cyclic(&mut self, adj: &[Vec<usize>], member: &[bool], nodes: &[usize]) -> Vec<Vec<usize>> {
        let mut counter = 0;
        let mut stack = Vec::new();
        let mut found = Vec::new();
        for &root in nodes {
            if self.index[root] != UNSEEN {
                continue;
            }
            // (node, next successor position)
            let mut calls = vec![(root, 0usize)];
            self.visit(root, &mut counter, &mut stack);
            while let Some(&mut (v, ref mut next)) = calls.last_mut() {
                if let Some(&w) = adj[v].get(*next) {
                    *next += 1;
                    if !member[w] {
                        continue;
                    }
                    if self.index[w] == UNSEEN {
                        self.visit(w, &mut counter, &mut stack);
                        calls.push((w, 0));
                    } else if self.on_stack[w] {
                        self.low[v] = self.low[v].min(self.index[w]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    self.low[parent] = self.low[parent].min(self.low[v]);
                }
                if self.low[v] == self.index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        self.on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if component.len() > 1 || adj[v].contains(&v) {
                        found.push(component);
                    }
                }
            }
        }
        for &v in nodes {
            self.index[v] = UNSEEN;
        }
        found
    }

    fn visit(&mut self, v: usize, counter: &mut usize, stack: &mut Vec<usize>) {
        self.index[v] = *counter;
        self.low[v] = *counter;
        *counter += 1;
        self.on_stack[v] = true;
        stack.push(v);
    }
}

#[cfg(test)]
mod tests {
    use super::elementary_cycles;

    fn sorted(mut cycles: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        cycles.sort();
        cycles
    }

    #[test]
    fn small_graphs() {
        // 0 ⇄ 1, 1 → 2 → 0, 2 → 2
        let adj = vec![vec![1], vec![0, 2], vec![0, 2]];
        let (c, stopped) = elementary_cycles(&adj, 100);
        assert!(!stopped);
        assert_eq!(sorted(c), [vec![0, 1], vec![0, 1, 2], vec![2]]);
        let (c, _) = elementary_cycles(&[vec![1], vec![2], vec![]], 100);
        assert!(c.is_empty());
    }

    /// A complete directed graph on n nodes has Σ_{k=2..n} C(n,k)(k−1)! elementary cycles.
    #[test]
    fn complete_graph_count_matches_formula() {
        for n in 2..=6usize {
            let adj: Vec<Vec<usize>> = (0..n)
                .map(|v| (0..n).filter(|&w| w != v).collect())
                .collect();
            let expected: usize = (2..=n)
                .map(|k| {
                    let choose = (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1));
                    choose * (1..k).product::<usize>()
                })
                .sum();
            let (c, stopped) = elementary_cycles(&adj, 1_000_000);
            assert!(!stopped);
            assert_eq!(c.len(), expected, "K{n}");
            let mut unique = sorted(c.clone());
            unique.dedup();
            assert_eq!(unique.len(), expected, "K{n} repeats a cycle");
            for cycle in &c {
                let mut nodes = cycle.clone();
                nodes.sort();
                nodes.dedup();
                assert_eq!(nodes.len(), cycle.len(), "not elementary: {cycle:?}");
            }
        }
        let adj: Vec<Vec<usize>> = (0..6)
            .map(|v| (0..6).filter(|&w| w != v).collect())
            .collect();
        let (c, stopped) = elementary_cycles(&adj, 50);
        assert!(stopped);
        assert_eq!(c.len(), 50);
    }

    #[test]
    fn long_ring_does_not_overflow() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n).map(|v| vec![(v + 1) % n]).collect();
        let (c, _) = elementary_cycles(&adj, 10);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), n);
    }
}
