//! Dependency ordering: a topological sort that reports a cycle by its members.

/// Orders `nodes` so each comes after its dependencies (`deps(n)`, restricted to `nodes`).
/// On a cycle, returns its members in order.
pub fn topo_sort(
    nodes: &[u32],
    deps: impl Fn(u32) -> Vec<u32>,
    universe: usize,
) -> Result<Vec<u32>, Vec<u32>> {
    const UNSEEN: u8 = 0;
    const ACTIVE: u8 = 1;
    const DONE: u8 = 2;
    const OUTSIDE: u8 = 3;
    let mut state = vec![OUTSIDE; universe];
    for &n in nodes {
        state[n as usize] = UNSEEN;
    }
    let mut order = Vec::with_capacity(nodes.len());
    // Iterative depth-first search: (node, its dependencies, next dependency to visit).
    let mut stack: Vec<(u32, Vec<u32>, usize)> = Vec::new();
    for &root in nodes {
        if state[root as usize] != UNSEEN {
            continue;
        }
        state[root as usize] = ACTIVE;
        stack.push((root, deps(root), 0));
        while let Some((node, node_deps, next)) = stack.last_mut() {
            if *next < node_deps.len() {
                let d = node_deps[*next];
                *next += 1;
                match state.get(d as usize).copied().unwrap_or(OUTSIDE) {
                    UNSEEN => {
                        state[d as usize] = ACTIVE;
                        let dd = deps(d);
                        stack.push((d, dd, 0));
                    }
                    ACTIVE => {
                        let pos = stack.iter().position(|(n, _, _)| *n == d).unwrap_or(0);
                        return Err(stack[pos..].iter().map(|(n, _, _)| *n).collect());
                    }
                    _ => {}
                }
            } else {
                let n = *node;
                state[n as usize] = DONE;
                order.push(n);
                stack.pop();
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first_and_finds_cycles() {
        let deps = |n: u32| match n {
            0 => vec![1, 2],
            1 => vec![2],
            _ => vec![],
        };
        assert_eq!(topo_sort(&[0, 1, 2], deps, 3).unwrap(), vec![2, 1, 0]);
        let cyclic = |n: u32| match n {
            0 => vec![1],
            1 => vec![2],
            2 => vec![0],
            _ => vec![],
        };
        let mut cycle = topo_sort(&[0, 1, 2, 3], cyclic, 4).unwrap_err();
        cycle.sort();
        assert_eq!(cycle, vec![0, 1, 2]);
    }
}
