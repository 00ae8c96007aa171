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
/// than reported. When the model has more than [`SEARCH_LIMIT`] loops, the listed ones are the
/// shortest among the first that many found.
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
/// flag says whether the search stopped at `max`. Each cycle starts at its smallest node.
pub(crate) fn elementary_cycles(adj: &[Vec<usize>], max: usize) -> (Vec<Vec<usize>>, bool) {
    let n = adj.len();
    let mut cycles = Vec::new();
    let mut blocked = vec![false; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut member = vec![false; n];
    let mut s = 0;
    while s < n {
        // The strong component, among nodes from `s` on, holding the smallest node that lies
        // on a cycle; every cycle through that node lies inside it.
        let Some(component) = lowest_cyclic_component(adj, s) else {
            break;
        };
        let Some(&start) = component.iter().min() else {
            break;
        };
        for &v in &component {
            member[v] = true;
            blocked[v] = false;
            dependents[v].clear();
        }
        if circuits_from(
            start,
            adj,
            &member,
            &mut blocked,
            &mut dependents,
            &mut cycles,
            max,
        ) {
            return (cycles, true);
        }
        for &v in &component {
            member[v] = false;
        }
        s = start + 1;
    }
    (cycles, false)
}

/// Johnson's CIRCUIT procedure from `start` inside the component `member`; returns true when
/// `max` cycles have been collected.
fn circuits_from(
    start: usize,
    adj: &[Vec<usize>],
    member: &[bool],
    blocked: &mut [bool],
    dependents: &mut [Vec<usize>],
    cycles: &mut Vec<Vec<usize>>,
    max: usize,
) -> bool {
    struct Frame {
        node: usize,
        next: usize,
        found: bool,
    }
    let mut path = vec![start];
    let mut frames = vec![Frame {
        node: start,
        next: 0,
        found: false,
    }];
    blocked[start] = true;
    while let Some(top) = frames.last_mut() {
        let v = top.node;
        if let Some(&w) = adj[v].get(top.next) {
            top.next += 1;
            if !member[w] {
                continue;
            }
            if w == start {
                top.found = true;
                cycles.push(path.clone());
                if cycles.len() >= max {
                    return true;
                }
            } else if !blocked[w] {
                blocked[w] = true;
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
            unblock(v, blocked, dependents);
        } else {
            // Stay blocked until a successor is freed: no new cycle can pass through here.
            for &w in &adj[v] {
                if member[w] && !dependents[w].contains(&v) {
                    dependents[w].push(v);
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

fn unblock(v: usize, blocked: &mut [bool], dependents: &mut [Vec<usize>]) {
    let mut work = vec![v];
    while let Some(u) = work.pop() {
        if !blocked[u] {
            continue;
        }
        blocked[u] = false;
        work.extend(std::mem::take(&mut dependents[u]));
    }
}

/// Tarjan's strong components of the subgraph of nodes `>= from`; returns the component with
/// the smallest node among those that hold a cycle (two or more nodes, or a self-link).
fn lowest_cyclic_component(adj: &[Vec<usize>], from: usize) -> Option<Vec<usize>> {
    const NONE: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    let mut best: Option<Vec<usize>> = None;
    for root in from..n {
        if index[root] != NONE {
            continue;
        }
        // (node, next successor position)
        let mut calls = vec![(root, 0usize)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut next)) = calls.last_mut() {
            if let Some(&w) = adj[v].get(*next) {
                *next += 1;
                if w < from {
                    continue;
                }
                if index[w] == NONE {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = component.len() > 1 || adj[v].contains(&v);
                let smallest = component.iter().copied().min().unwrap_or(NONE);
                let better = match &best {
                    None => true,
                    Some(b) => b.iter().copied().min().unwrap_or(NONE) > smallest,
                };
                if cyclic && better {
                    best = Some(component);
                }
            }
        }
    }
    best
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
