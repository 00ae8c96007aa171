//! Percentile bands over time with memory bounded in the number of runs.
//!
//! Runs are fed one at a time, in run order, as a slice of `cells` values (e.g. every
//! variable at every saved time). While `runs x cells` fits the exact budget every value
//! is kept and quantiles are exact (type 7). Past that, each cell switches to a
//! *pilot-grid histogram*: the runs stored so far (at least [`MIN_PILOT_RUNS`]) fix up to
//! [`GRID_INTERVALS`] + 1 edges at equally spaced order statistics; from then on the cell
//! keeps counts of values equal to each edge, strictly between neighbouring edges, below
//! the first and above the last, plus the exact minimum and maximum. Quantiles
//! interpolate linearly inside an interval and are exact on an edge, so atoms (a stock
//! stuck at 0, integer counts) come out exactly. Everything depends only on the values
//! and their order. Non-finite values (NaN, infinities) are excluded.

use super::quantile::quantile_sorted;
use crate::diagnostic::Diagnostic;
use rayon::prelude::*;

/// Default exact budget: 16 Mi values (128 MiB).
pub const DEFAULT_EXACT_VALUES: usize = 16 * 1024 * 1024;
/// Runs always stored exactly before switching, whatever the budget, so the grid is fixed
/// from a sample large enough to place the 5 % and 95 % quantiles well inside it.
pub const MIN_PILOT_RUNS: usize = 256;
/// Intervals per cell in the streaming grid.
pub const GRID_INTERVALS: usize = 512;
/// The quantiles reported by default.
pub const DEFAULT_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Streaming per-cell quantiles; see the module notes.
#[derive(Debug, Clone)]
pub struct PercentileBands {
    cells: usize,
    probs: Vec<f64>,
    runs: u64,
    exact_runs: usize,
    stored: Vec<Box<[f64]>>,
    grids: Vec<Grid>,
}

/// One cell's pilot-grid histogram.
#[derive(Debug, Clone)]
struct Grid {
    /// Strictly increasing edges (at least one).
    edges: Vec<f64>,
    /// Values equal to `edges[k]`.
    atoms: Vec<u32>,
    /// `[0]` below `edges[0]`, `[k + 1]` strictly between `edges[k]` and `edges[k + 1]`,
    /// last above the last edge.
    between: Vec<u32>,
    min: f64,
    max: f64,
    count: u64,
}

impl PercentileBands {
    /// Bands for `cells` values per run at the given quantiles (each in `[0, 1]`).
    pub fn new(cells: usize, quantiles: &[f64]) -> Result<PercentileBands, Diagnostic> {
        PercentileBands::with_exact_budget(cells, quantiles, DEFAULT_EXACT_VALUES)
    }

    /// As [`PercentileBands::new`], keeping up to `exact_values` values exactly (but never
    /// fewer than [`MIN_PILOT_RUNS`] runs).
    pub fn with_exact_budget(
        cells: usize,
        quantiles: &[f64],
        exact_values: usize,
    ) -> Result<PercentileBands, Diagnostic> {
        if let Some(q) = quantiles.iter().find(|q| !(0.0..=1.0).contains(*q)) {
            return Err(Diagnostic::plain(format!("quantile {q} is outside [0, 1]"))
                .with_hint("write the 95th percentile as 0.95"));
        }
        Ok(PercentileBands {
            cells,
            probs: quantiles.to_vec(),
            runs: 0,
            exact_runs: Self::exact_runs_for(cells, exact_values),
            stored: Vec::new(),
            grids: Vec::new(),
        })
    }

    fn exact_runs_for(cells: usize, exact_values: usize) -> usize {
        (exact_values / cells.max(1)).max(MIN_PILOT_RUNS)
    }

    /// Upper bound on the heap bytes this accumulator ever holds, for any number of runs
    /// (peak is at the switch, when the stored runs and the new grids coexist).
    pub fn memory_bound_bytes(cells: usize, quantiles: usize, exact_values: usize) -> usize {
        let runs = Self::exact_runs_for(cells, exact_values);
        let boxed = std::mem::size_of::<Box<[f64]>>();
        // Stored runs, plus the run-pointer vector (which may be up to twice its length).
        let exact = runs * cells * 8 + 2 * runs * boxed;
        let grid =
            std::mem::size_of::<Grid>() + (GRID_INTERVALS + 1) * (8 + 4) + (GRID_INTERVALS + 2) * 4;
        exact + cells * grid + quantiles * 8
    }

    /// Heap bytes held now (from allocation capacities).
    pub fn heap_bytes(&self) -> usize {
        let boxed = std::mem::size_of::<Box<[f64]>>();
        let exact =
            self.stored.capacity() * boxed + self.stored.iter().map(|r| r.len() * 8).sum::<usize>();
        let grids = self.grids.capacity() * std::mem::size_of::<Grid>()
            + self
                .grids
                .iter()
                .map(|g| g.edges.capacity() * 8 + g.atoms.capacity() * 4 + g.between.capacity() * 4)
                .sum::<usize>();
        exact + grids + self.probs.capacity() * 8
    }

    /// Number of cells per run.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Runs fed so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The requested quantiles.
    pub fn quantiles(&self) -> &[f64] {
        &self.probs
    }

    /// Whether every value is still stored (results are exact type-7 quantiles).
    pub fn is_exact(&self) -> bool {
        self.grids.is_empty()
    }

    /// Feeds the next run's values, one per cell.
    pub fn push(&mut self, run: &[f64]) -> Result<(), Diagnostic> {
        if run.len() != self.cells {
            return Err(Diagnostic::plain(format!(
                "a run gave {} values for {} band cells",
                run.len(),
                self.cells
            )));
        }
        if self.runs >= u64::from(u32::MAX) {
            return Err(Diagnostic::plain(
                "percentile bands hold at most 4294967295 runs",
            ));
        }
        self.runs += 1;
        if self.is_exact() && self.stored.len() < self.exact_runs {
            self.stored.push(run.to_vec().into_boxed_slice());
            return Ok(());
        }
        if self.is_exact() {
            self.switch_to_grids();
        }
        let cells = self.cells;
        let feed = |(g, v): (&mut Grid, &f64)| g.add(*v);
        if cells >= 4096 {
            self.grids.par_iter_mut().zip(run.par_iter()).for_each(feed);
        } else {
            self.grids.iter_mut().zip(run).for_each(feed);
        }
        Ok(())
    }

    fn switch_to_grids(&mut self) {
        let stored = std::mem::take(&mut self.stored);
        self.grids = (0..self.cells)
            .into_par_iter()
            .map(|c| {
                let mut pilot: Vec<f64> = stored
                    .iter()
                    .map(|r| r[c])
                    .filter(|v| v.is_finite())
                    .collect();
                let mut sorted = pilot.clone();
                sorted.sort_by(f64::total_cmp);
                let mut g = Grid::from_pilot(&sorted);
                // Count the pilot in run order (order does not change counts, but keep the rule).
                for v in pilot.drain(..) {
                    g.add(v);
                }
                g
            })
            .collect();
    }

    /// For each cell, the requested quantiles (`NaN` for a cell with no finite value).
    pub fn bands(&self) -> Vec<Vec<f64>> {
        (0..self.cells)
            .map(|c| self.cell_quantiles(c, &self.probs))
            .collect()
    }

    /// Quantiles `probs` of one cell.
    pub fn cell_quantiles(&self, cell: usize, probs: &[f64]) -> Vec<f64> {
        if cell >= self.cells {
            return vec![f64::NAN; probs.len()];
        }
        if self.is_exact() {
            let mut v: Vec<f64> = self
                .stored
                .iter()
                .map(|r| r[cell])
                .filter(|v| v.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            return probs.iter().map(|&p| quantile_sorted(&v, p)).collect();
        }
        probs
            .iter()
            .map(|&p| self.grids[cell].quantile(p))
            .collect()
    }
}

impl Grid {
    fn from_pilot(sorted: &[f64]) -> Grid {
        let mut edges: Vec<f64> = Vec::with_capacity(GRID_INTERVALS + 1);
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
        } else {
            edges.push(0.0);
        }
        edges.shrink_to_fit();
        let m = edges.len();
        Grid {
            atoms: vec![0; m],
            between: vec![0; m + 1],
            edges,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            count: 0,
        }
    }

    fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        let i = self.edges.partition_point(|e| *e < v);
        if i < self.edges.len() && self.edges[i] == v {
            self.atoms[i] += 1;
        } else {
            self.between[i] += 1;
        }
    }

    /// The `r`-th smallest value (0-based), reconstructed: exact on edges, spread evenly
    /// inside intervals, with the extreme ones at the true min and max.
    fn value_at_rank(&self, r: u64) -> f64 {
        let m = self.edges.len();
        let mut seen = 0u64;
        for k in 0..=m {
            let c = u64::from(self.between[k]);
            if r < seen + c {
                let j = (r - seen) as f64;
                let cf = c as f64;
                return if k == 0 {
                    self.min + (self.edges[0] - self.min) * j / cf
                } else if k == m {
                    self.edges[m - 1] + (self.max - self.edges[m - 1]) * (j + 1.0) / cf
                } else {
                    let (a, b) = (self.edges[k - 1], self.edges[k]);
                    a + (b - a) * (j + 1.0) / (cf + 1.0)
                };
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
        self.max
    }

    fn quantile(&self, p: f64) -> f64 {
        if self.count == 0 || p.is_nan() {
            return f64::NAN;
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
    use crate::montecarlo::{Distribution, Purpose, Streams};
    use crate::stats::quantile::quantiles;

    /// Runs x cells of draws: cell c is drawn from dists[c % len].
    fn feed(bands: &mut PercentileBands, dists: &[Distribution], runs: u64) -> Vec<Vec<f64>> {
        let cells = bands.cells();
        let mut columns = vec![Vec::new(); cells];
        for run in 0..runs {
            let mut rng = Streams::new(8).rng(run, Purpose::Inputs);
            let row: Vec<f64> = (0..cells)
                .map(|c| dists[c % dists.len()].sample(&mut rng))
                .collect();
            for (c, v) in row.iter().enumerate() {
                columns[c].push(*v);
            }
            bands.push(&row).unwrap();
        }
        columns
    }

    #[test]
    fn exact_mode_equals_type7_quantiles() {
        let d = [Distribution::parse("normal(0, 1)").unwrap()];
        let mut b = PercentileBands::new(3, &DEFAULT_QUANTILES).unwrap();
        let cols = feed(&mut b, &d, 1000);
        assert!(b.is_exact());
        for (c, col) in cols.iter().enumerate() {
            assert_eq!(b.bands()[c], quantiles(col, &DEFAULT_QUANTILES));
        }
    }

    /// Streaming estimates versus exact sample quantiles of the same data: the empirical
    /// CDF at the estimate must be within 0.002 of the requested probability (a rank
    /// error of 40 in 20,000 runs; one grid interval holds about 1/512 = 0.002).
    #[test]
    fn streaming_mode_matches_exact_quantiles() {
        let dists: Vec<Distribution> = [
            "normal(100, 15)",
            "lognormal(0, 1)",
            "exponential(2)",
            "uniform(-3, 7)",
            "pert(1, 2, 10)",
        ]
        .iter()
        .map(|t| Distribution::parse(t).unwrap())
        .collect();
        let cells = 10;
        // Budget of 500 runs: the rest (19,500 runs) go through the grid.
        let mut b =
            PercentileBands::with_exact_budget(cells, &DEFAULT_QUANTILES, 500 * cells).unwrap();
        let cols = feed(&mut b, &dists, 20_000);
        assert!(!b.is_exact());
        let bands = b.bands();
        for (c, col) in cols.iter().enumerate() {
            let n = col.len() as f64;
            for (qi, &p) in DEFAULT_QUANTILES.iter().enumerate() {
                let est = bands[c][qi];
                let below = col.iter().filter(|v| **v <= est).count() as f64 / n;
                let strictly = col.iter().filter(|v| **v < est).count() as f64 / n;
                assert!(
                    below >= p - 0.002 && strictly <= p + 0.002,
                    "cell {c} p {p}: est {est}, ecdf {strictly}..{below}"
                );
            }
            // And against the true distribution: within 4 standard errors of a sample
            // quantile, sqrt(p(1-p)/n) / f(x_p), checked in probability: |F(est) - p|.
            let d = &dists[c % dists.len()];
            for (qi, &p) in DEFAULT_QUANTILES.iter().enumerate() {
                let f = d.cdf(bands[c][qi]);
                assert!(
                    (f - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt() + 0.002,
                    "cell {c} p {p}: F = {f}"
                );
            }
        }
    }

    #[test]
    fn atoms_come_out_exactly() {
        // 70 % zeros, otherwise 1 + exponential: quantiles up to 0.7 are exactly 0.
        let d = [Distribution::parse("discrete(0: 0.7, 1: 0.1, 2: 0.1, 3: 0.1)").unwrap()];
        let mut b =
            PercentileBands::with_exact_budget(2, &[0.05, 0.5, 0.69, 0.75, 0.95], 300 * 2).unwrap();
        let cols = feed(&mut b, &d, 20_000);
        assert!(!b.is_exact());
        let exact = quantiles(&cols[0], &[0.05, 0.5, 0.69, 0.75, 0.95]);
        assert_eq!(b.bands()[0], exact);
    }

    #[test]
    fn memory_stays_bounded() {
        // The stated workload: 100,000 runs x 40 variables x 365 points.
        let cells = 40 * 365;
        let bound = PercentileBands::memory_bound_bytes(cells, 5, DEFAULT_EXACT_VALUES);
        assert!(bound < 512 * 1024 * 1024, "bound {bound} bytes");
        // The bound holds in practice at every stage of a smaller run that crosses over.
        let cells = 300;
        let budget = 300 * cells;
        let mut b = PercentileBands::with_exact_budget(cells, &DEFAULT_QUANTILES, budget).unwrap();
        let bound = PercentileBands::memory_bound_bytes(cells, 5, budget);
        let row: Vec<f64> = (0..cells).map(|c| c as f64).collect();
        let mut peak = 0;
        for run in 0..2000u32 {
            let shifted: Vec<f64> = row.iter().map(|v| v + f64::from(run % 97)).collect();
            b.push(&shifted).unwrap();
            peak = peak.max(b.heap_bytes());
        }
        assert!(!b.is_exact());
        assert!(peak <= bound, "peak {peak} > bound {bound}");
        // And the grid state does not grow with more runs.
        let before = b.heap_bytes();
        for _ in 0..1000 {
            b.push(&row).unwrap();
        }
        assert_eq!(b.heap_bytes(), before);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(PercentileBands::new(2, &[1.5]).is_err());
        let mut b = PercentileBands::new(2, &[0.5]).unwrap();
        assert!(b.push(&[1.0]).is_err());
        b.push(&[f64::NAN, 1.0]).unwrap();
        let out = b.bands();
        assert!(out[0][0].is_nan());
        assert_eq!(out[1][0], 1.0);
    }
}
