//! One cell's adaptive histogram for [`super::PercentileBands`]: edges at order
//! statistics, exact atoms on them, counts between them, and the folding of values that
//! fall outside into new edges.

use super::{EDGE_CAPACITY, GRID_INTERVALS, PENDING};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Working arrays of [`Grid::fold_pending`], one set per thread so that folding allocates
/// nothing once warm and grids hold no more than their own state.
#[derive(Default)]
struct Scratch {
    edges: Vec<f64>,
    atoms: Vec<u32>,
    between: Vec<u32>,
    prev: Vec<usize>,
    next: Vec<usize>,
    alive: Vec<bool>,
    heap: BinaryHeap<Reverse<(u64, usize)>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// One cell's pilot-grid histogram.
#[derive(Debug, Clone)]
pub(super) struct Grid {
    /// Strictly increasing edges; the first and last are the exact minimum and maximum of
    /// the values counted (pending ones aside).
    pub(super) edges: Vec<f64>,
    /// Values equal to `edges[k]`.
    pub(super) atoms: Vec<u32>,
    /// `[k]` strictly between `edges[k - 1]` and `edges[k]`; the outer two (below the first
    /// edge, above the last) stay empty because values outside go to `pending`.
    pub(super) between: Vec<u32>,
    /// Values outside the edges, not yet folded in, in arrival order.
    pub(super) pending: Vec<f64>,
    pub(super) count: u64,
}

impl Grid {
    pub(super) fn from_pilot(sorted: &[f64]) -> Grid {
        let mut edges: Vec<f64> = Vec::with_capacity(EDGE_CAPACITY);
        if let Some(&last) = sorted.last() {
            let p = sorted.len();
            for k in 0..=GRID_INTERVALS {
                let idx = (k * (p - 1) + GRID_INTERVALS / 2) / GRID_INTERVALS;
                let e = sorted[idx.min(p - 1)];
                if edges.last() != Some(&e) {
                    edges.push(e);
                }
            }
            if edges.last() != Some(&last) {
                edges.push(last);
            }
        }
        let mut atoms = Vec::with_capacity(EDGE_CAPACITY);
        atoms.resize(edges.len(), 0);
        let mut between = Vec::with_capacity(EDGE_CAPACITY + 1);
        between.resize(edges.len() + 1, 0);
        Grid {
            edges,
            atoms,
            between,
            pending: Vec::with_capacity(PENDING),
            count: 0,
        }
    }

    pub(super) fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        self.count += 1;
        let m = self.edges.len();
        let i = self.edges.partition_point(|e| *e < v);
        if i < m && self.edges[i] == v {
            self.atoms[i] += 1;
            return;
        }
        // Outside the edges, or inside an interval already holding more than its share:
        // keep the value exactly, to become an edge that follows where the data now are.
        let inside = i > 0 && i < m;
        if inside && u64::from(self.between[i]) < self.heavy() {
            self.between[i] += 1;
            return;
        }
        self.pending.push(v);
        if self.pending.len() == PENDING {
            self.fold_pending();
        }
    }

    /// Count from which an interval takes no more values but is split by them instead:
    /// twice an even share of the values, plus a margin so young grids do not churn.
    fn heavy(&self) -> u64 {
        2 * self.count / GRID_INTERVALS as u64 + 16
    }

    /// Turns the values kept aside into edges of their own (each an exact atom), then
    /// merges the lightest neighbouring intervals until the grid is back to size. An
    /// interval split by a new edge shares its count in proportion to the two widths (its
    /// values are taken as spread evenly, as in [`Grid::value_at_rank`]). The outermost
    /// edges never merge away, so they are always the exact minimum and maximum.
    ///
    /// The result is defined by inserting the sorted values one by one and then removing,
    /// one at a time, the interior edge whose two intervals and atom hold the fewest values
    /// (leftmost on ties). Done literally that costs a shift of the arrays per value and a
    /// scan per merge, which dominated large studies; here the insertions are one merge
    /// pass and the removals come from a heap over a linked list, with the same outcome
    /// (`tests::fold_equals_one_by_one_definition`).
    pub(super) fn fold_pending(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by(f64::total_cmp);
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            self.insert_sorted(&pending, &mut s);
            self.merge_down(&mut s);
        });
        pending.clear();
        self.pending = pending;
    }

    /// Inserts sorted values as edges in one pass over the grid (see `fold_pending`).
    fn insert_sorted(&mut self, sorted: &[f64], s: &mut Scratch) {
        let m = self.edges.len();
        s.edges.clear();
        s.atoms.clear();
        s.between.clear();
        let mut p = 0;
        for i in 0..=m {
            // What is left, after earlier splits, of the interval just below old edge `i`.
            let mut rest = self.between[i];
            while p < sorted.len() && (i == m || sorted[p] < self.edges[i]) {
                let v = sorted[p];
                p += 1;
                if s.edges.last() == Some(&v) {
                    *s.atoms.last_mut().expect("an edge has an atom") += 1;
                    continue;
                }
                let left = match s.edges.last() {
                    Some(&a) if i < m => {
                        let b = self.edges[i];
                        let share = ((v - a) / (b - a)).clamp(0.0, 1.0);
                        (f64::from(rest) * share).round() as u32
                    }
                    _ => 0,
                };
                s.between.push(left);
                s.edges.push(v);
                s.atoms.push(1);
                rest -= left.min(rest);
            }
            s.between.push(rest);
            if i == m {
                break;
            }
            s.edges.push(self.edges[i]);
            s.atoms.push(self.atoms[i]);
            while p < sorted.len() && sorted[p] == self.edges[i] {
                *s.atoms.last_mut().expect("an edge has an atom") += 1;
                p += 1;
            }
        }
        self.edges.clear();
        self.edges.extend_from_slice(&s.edges);
        self.atoms.clear();
        self.atoms.extend_from_slice(&s.atoms);
        self.between.clear();
        self.between.extend_from_slice(&s.between);
    }

    /// Removes interior edges, lightest first (leftmost on ties), until the grid has
    /// [`GRID_INTERVALS`] intervals. Edge `k`'s weight is the interval below it, its atom
    /// and the interval above it; removing it joins the two intervals into the one below
    /// its right neighbour, which changes only the weights of its two neighbours.
    fn merge_down(&mut self, s: &mut Scratch) {
        let m = self.edges.len();
        if m <= GRID_INTERVALS + 1 {
            return;
        }
        let mut excess = m - (GRID_INTERVALS + 1);
        s.prev.clear();
        s.next.clear();
        s.alive.clear();
        s.prev.extend((0..m).map(|k| k.wrapping_sub(1)));
        s.next.extend(1..=m);
        s.alive.resize(m, true);
        // `between[k]` stays the interval just below edge `k` (and `between[m]` the one
        // above the last edge), so a removed edge hands its intervals to its right neighbour.
        let weight = |between: &[u32], atoms: &[u32], next: &[usize], k: usize| {
            u64::from(between[k]) + u64::from(atoms[k]) + u64::from(between[next[k]])
        };
        s.heap.clear();
        s.heap.extend(
            (1..m - 1).map(|k| Reverse((weight(&self.between, &self.atoms, &s.next, k), k))),
        );
        while excess > 0 {
            let Some(Reverse((w, k))) = s.heap.pop() else {
                break;
            };
            // Entries left behind when a weight changed are skipped; an equal weight pushed
            // again is merely a duplicate of the same choice.
            if !s.alive[k] || w != weight(&self.between, &self.atoms, &s.next, k) {
                continue;
            }
            let (left, right) = (s.prev[k], s.next[k]);
            self.between[right] += self.between[k] + self.atoms[k];
            s.alive[k] = false;
            s.next[left] = right;
            s.prev[right] = left;
            excess -= 1;
            for n in [left, right] {
                if n > 0 && n < m - 1 {
                    let w = weight(&self.between, &self.atoms, &s.next, n);
                    s.heap.push(Reverse((w, n)));
                }
            }
        }
        let mut out = 0;
        for k in 0..m {
            if s.alive[k] {
                self.edges[out] = self.edges[k];
                self.atoms[out] = self.atoms[k];
                self.between[out] = self.between[k];
                out += 1;
            }
        }
        self.between[out] = self.between[m];
        self.edges.truncate(out);
        self.atoms.truncate(out);
        self.between.truncate(out + 1);
    }

    /// The `r`-th smallest value (0-based), reconstructed: exact on edges, spread evenly
    /// inside intervals.
    fn value_at_rank(&self, r: u64) -> f64 {
        let m = self.edges.len();
        let mut seen = 0u64;
        for k in 0..=m {
            let c = u64::from(self.between[k]);
            if r < seen + c {
                let j = (r - seen) as f64;
                let cf = c as f64;
                // The outer intervals are always empty (the extremes are edges); guard anyway.
                if k == 0 || k == m {
                    return self.edges[k.min(m - 1)];
                }
                let (a, b) = (self.edges[k - 1], self.edges[k]);
                return a + (b - a) * (j + 1.0) / (cf + 1.0);
            }
            seen += c;
            if k < m {
                let a = u64::from(self.atoms[k]);
                if r < seen + a {
                    return self.edges[k];
                }
                seen += a;
            }
        }
        self.edges.last().copied().unwrap_or(f64::NAN)
    }

    pub(super) fn quantile(&self, p: f64) -> f64 {
        if self.count == 0 || p.is_nan() {
            return f64::NAN;
        }
        if !self.pending.is_empty() {
            let mut folded = self.clone();
            folded.fold_pending();
            return folded.quantile(p);
        }
        let h = p.clamp(0.0, 1.0) * (self.count - 1) as f64;
        let lo = h.floor() as u64;
        let a = self.value_at_rank(lo);
        let frac = h - lo as f64;
        if frac == 0.0 {
            return a;
        }
        let b = self.value_at_rank((lo + 1).min(self.count - 1));
        a + frac * (b - a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// The definition of folding, literally: insert one value at a time, then remove the
    /// lightest interior edge (leftmost on ties) one at a time.
    fn fold_one_by_one(g: &mut Grid) {
        let mut pending = std::mem::take(&mut g.pending);
        pending.sort_by(f64::total_cmp);
        for &v in &pending {
            let m = g.edges.len();
            let k = g.edges.partition_point(|e| *e < v);
            if k < m && g.edges[k] == v {
                g.atoms[k] += 1;
                continue;
            }
            let c = g.between[k];
            let left = if k > 0 && k < m {
                let (a, b) = (g.edges[k - 1], g.edges[k]);
                let share = ((v - a) / (b - a)).clamp(0.0, 1.0);
                (f64::from(c) * share).round() as u32
            } else {
                0
            };
            g.edges.insert(k, v);
            g.atoms.insert(k, 1);
            g.between.insert(k, left);
            g.between[k + 1] = c - left.min(c);
        }
        while g.edges.len() > GRID_INTERVALS + 1 {
            let m = g.edges.len();
            let cost = |k: usize| {
                u64::from(g.between[k]) + u64::from(g.atoms[k]) + u64::from(g.between[k + 1])
            };
            let k = (1..m - 1).min_by_key(|&k| (cost(k), k)).unwrap();
            g.between[k] += g.atoms[k] + g.between[k + 1];
            g.between.remove(k + 1);
            g.atoms.remove(k);
            g.edges.remove(k);
        }
    }

    /// Feeds `n` values from `draw` to a fresh grid built on a pilot, checking after every
    /// fold that the fast fold left exactly the state the literal definition leaves.
    fn check(
        seed: u64,
        pilot: usize,
        n: usize,
        draw: impl Fn(&mut rand::rngs::ChaCha8Rng, usize) -> f64,
    ) {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
        let mut sorted: Vec<f64> = (0..pilot).map(|i| draw(&mut rng, i)).collect();
        sorted.sort_by(f64::total_cmp);
        let mut fast = Grid::from_pilot(&sorted);
        let mut folds = 0;
        for i in 0..n {
            let v = draw(&mut rng, pilot + i);
            if fast.pending.len() + 1 == PENDING && !fast.edges.is_empty() {
                let mut slow = fast.clone();
                slow.count += 1;
                slow.pending.push(v);
                fold_one_by_one(&mut slow);
                fast.add(v);
                if fast.pending.is_empty() {
                    folds += 1;
                    assert_eq!(fast.edges, slow.edges, "seed {seed} value {i}");
                    assert_eq!(fast.atoms, slow.atoms, "seed {seed} value {i}");
                    assert_eq!(fast.between, slow.between, "seed {seed} value {i}");
                }
            } else {
                fast.add(v);
            }
        }
        assert!(folds > 3, "seed {seed}: only {folds} folds exercised");
    }

    #[test]
    fn fold_equals_one_by_one_definition() {
        // Drifting upwards: most values fall above the grid.
        check(1, 2000, 40_000, |r, i| r.random::<f64>() + i as f64 * 1e-3);
        // Spread growing both ways, values below and above.
        check(2, 1500, 40_000, |r, i| {
            (r.random::<f64>() - 0.5) * (1.0 + i as f64 * 1e-2)
        });
        // Few distinct values with ties, signed zeros and atoms, in a narrow range.
        check(3, 1200, 60_000, |r, i| {
            let k = r.random_range(0..7) as f64;
            let sign = if r.random::<bool>() { -1.0 } else { 1.0 };
            if k == 0.0 {
                sign * 0.0
            } else {
                sign * k * (1.0 + (i / 5000) as f64)
            }
        });
        // Heavy intervals split from inside: a pilot spread wide, then a narrow cluster.
        check(4, 1100, 40_000, |r, i| {
            if i < 1100 {
                r.random::<f64>() * 100.0
            } else {
                50.0 + r.random::<f64>() * 1e-3
            }
        });
    }
}
