//! Elementary cycles of a directed graph: all of them (Johnson's algorithm, 1975, whose work
//! grows with the number of cycles rather than the number of paths), or the shortest ones (a
//! depth-bounded search, length by length). Both use explicit stacks, so long chains cannot
//! exhaust the call stack, and both give each cycle starting at its smallest node.

/// Most variables held over all cycles found, so that many long loops stay within memory.
const STORED_LIMIT: usize = 2_000_000;

/// Most links followed by the shortest-cycle search.
const STEP_LIMIT: usize = 20_000_000;

/// Every elementary cycle of the graph `adj` (node → successors), up to `max` of them; the
/// flag says whether the search stopped early. Each cycle starts at its smallest node.
pub fn elementary_cycles(adj: &[Vec<usize>], max: usize) -> (Vec<Vec<usize>>, bool) {
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

/// The shortest elementary cycles of `adj`: every cycle of length 1, then 2, and so on, until
/// at least `want` have been found; the last length may hold more. Stops early, with what it
/// has, at `max` cycles or after [`STEP_LIMIT`] steps.
pub fn shortest_cycles(adj: &[Vec<usize>], want: usize, max: usize) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut reverse = vec![Vec::new(); n];
    for (v, next) in adj.iter().enumerate() {
        for &w in next {
            reverse[w].push(v);
        }
    }
    // Nodes on some cycle, by component: a cycle never leaves its strong component.
    let mut component = vec![usize::MAX; n];
    let all: Vec<usize> = (0..n).collect();
    let found = Components::new(n).cyclic(adj, &vec![true; n], &all);
    for (c, nodes) in found.iter().enumerate() {
        for &v in nodes {
            component[v] = c;
        }
    }
    let starts: Vec<usize> = (0..n).filter(|&v| component[v] != usize::MAX).collect();
    let mut cycles = Vec::new();
    let mut steps = 0usize;
    let mut distance = vec![usize::MAX; n];
    let mut on_path = vec![false; n];
    for length in 1..=n {
        if starts.is_empty() {
            break;
        }
        for &start in &starts {
            // Shortest distance back to `start` over larger nodes of its component, up to
            // `length`: a path that cannot close in time is not followed.
            let eligible = |w: usize| w >= start && component[w] == component[start];
            let mut reached = vec![start];
            distance[start] = 0;
            let mut head = 0;
            while let Some(&v) = reached.get(head) {
                head += 1;
                if distance[v] + 1 >= length {
                    continue;
                }
                steps += reverse[v].len();
                for &u in &reverse[v] {
                    if eligible(u) && distance[u] == usize::MAX {
                        distance[u] = distance[v] + 1;
                        reached.push(u);
                    }
                }
            }
            if steps > STEP_LIMIT {
                return cycles;
            }
            let mut path = vec![start];
            let mut next = vec![0usize];
            while let (Some(&v), Some(k)) = (path.last(), next.last_mut()) {
                let Some(&w) = adj[v].get(*k) else {
                    on_path[v] = false;
                    path.pop();
                    next.pop();
                    continue;
                };
                *k += 1;
                steps += 1;
                if steps > STEP_LIMIT {
                    return cycles;
                }
                if w == start {
                    if path.len() == length {
                        cycles.push(path.clone());
                        if cycles.len() >= max {
                            return cycles;
                        }
                    }
                } else if w > start
                    && !on_path[w]
                    && distance[w] != usize::MAX
                    && path.len() + distance[w] <= length
                    && eligible(w)
                {
                    on_path[w] = true;
                    path.push(w);
                    next.push(0);
                }
            }
            on_path[start] = false;
            for v in reached {
                distance[v] = usize::MAX;
            }
        }
        if cycles.len() >= want {
            break;
        }
    }
    cycles
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
    use super::{elementary_cycles, shortest_cycles};

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

    /// A ring of n nodes with links both ways: n cycles of length 2, then two of length n.
    #[test]
    fn shortest_cycles_come_length_by_length() {
        let n = 6;
        let adj: Vec<Vec<usize>> = (0..n).map(|v| vec![(v + 1) % n, (v + n - 1) % n]).collect();
        let twos = shortest_cycles(&adj, 3, 100);
        assert_eq!(twos.len(), n);
        assert!(twos.iter().all(|c| c.len() == 2));
        let all = shortest_cycles(&adj, n + 1, 100);
        assert_eq!(sorted(all.clone()), sorted(elementary_cycles(&adj, 100).0));
        assert_eq!(all.len(), n + 2);
        // Complete graph K5: by length, C(5,k)(k−1)! = 10, 20, 30, 24 cycles.
        let adj: Vec<Vec<usize>> = (0..5)
            .map(|v| (0..5).filter(|&w| w != v).collect())
            .collect();
        let counts = |c: &[Vec<usize>]| {
            (1..=5)
                .map(|k| c.iter().filter(|x| x.len() == k).count())
                .collect::<Vec<_>>()
        };
        assert_eq!(counts(&shortest_cycles(&adj, 11, 1000)), [0, 10, 20, 0, 0]);
        assert_eq!(
            counts(&shortest_cycles(&adj, 1000, 1000)),
            [0, 10, 20, 30, 24]
        );
        assert_eq!(shortest_cycles(&adj, 1000, 15).len(), 15);
        let self_links = vec![vec![0, 1], vec![1]];
        assert_eq!(shortest_cycles(&self_links, 5, 10), [vec![0], vec![1]]);
    }

    #[test]
    fn long_ring_does_not_overflow() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n).map(|v| vec![(v + 1) % n]).collect();
        let (c, _) = elementary_cycles(&adj, 10);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), n);
        let small = 2_000;
        let adj: Vec<Vec<usize>> = (0..small).map(|v| vec![(v + 1) % small]).collect();
        assert_eq!(shortest_cycles(&adj, 1, 10)[0].len(), small);
    }
}
