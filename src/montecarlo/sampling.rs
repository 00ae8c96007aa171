//! Sampling designs: the runs x inputs matrix of input values for a study.
//!
//! * [`Sampler::Random`]: run `i`'s inputs depend only on `(seed, i)`: input `j` is drawn
//!   from sub-stream `j` of run `i`'s [`Purpose::Inputs`] stream; with correlations, a
//!   per-run Gaussian copula turns the run's stream into correlated uniforms instead.
//! * [`Sampler::LatinHypercube`]: for each input, exactly one value in each of the N
//!   equal-probability strata, at a random position in the stratum, the strata visited
//!   in a random order per input (the [`Purpose::Design`] stream of that input). The
//!   design depends on `(seed, N)`; correlations are imposed by Iman–Conover reordering,
//!   which keeps the stratification.

use super::correlation::{iman_conover, CorrelationMatrix, GaussianCopula};
use super::streams::{name_key, uniform_open01, Purpose, Streams};
use crate::diagnostic::Diagnostic;
use crate::study::distribution::Distribution;
use crate::study::Sampler;
use rand::RngExt;
use rayon::prelude::*;

/// Input values, one row per run (row-major), for the runs `first_run ..`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputMatrix {
    first_run: u64,
    inputs: usize,
    data: Vec<f64>,
}

impl InputMatrix {
    /// A matrix of `inputs` columns from row-major `data`, its first row being run
    /// `first_run`.
    pub fn from_rows(first_run: u64, inputs: usize, data: Vec<f64>) -> InputMatrix {
        InputMatrix {
            first_run,
            inputs,
            data,
        }
    }

    /// Number of rows (runs) held.
    pub fn runs(&self) -> usize {
        self.data.len().checked_div(self.inputs).unwrap_or(0)
    }

    /// Number of inputs (columns).
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Study run index of the first row.
    pub fn first_run(&self) -> u64 {
        self.first_run
    }

    /// The inputs of row `i` (run `first_run + i`).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.inputs..(i + 1) * self.inputs]
    }

    /// Replaces input `j` of row `i`.
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.inputs + j] = value;
    }

    /// Input `j` across all rows.
    pub fn column(&self, j: usize) -> Vec<f64> {
        self.data
            .iter()
            .skip(j)
            .step_by(self.inputs.max(1))
            .copied()
            .collect()
    }

    /// Rows in order.
    pub fn rows(&self) -> impl Iterator<Item = &[f64]> {
        self.data.chunks_exact(self.inputs.max(1))
    }
}

/// A validated study design: distributions, sampler, seed, run count, correlations.
#[derive(Debug, Clone)]
pub struct Design {
    dists: Vec<Distribution>,
    /// Each input's stream key (see [`super::streams::name_key`]).
    keys: Vec<u64>,
    sampler: Sampler,
    streams: Streams,
    runs: u64,
    correlation: Option<CorrelationMatrix>,
    copula: Option<GaussianCopula>,
}

impl Design {
    /// Checks the pieces fit together. `correlation`, if given, is indexed like `dists`.
    pub fn new(
        dists: Vec<Distribution>,
        sampler: Sampler,
        seed: u64,
        runs: u64,
        correlation: Option<CorrelationMatrix>,
    ) -> Result<Design, Diagnostic> {
        for (j, d) in dists.iter().enumerate() {
            d.validate().map_err(|e| {
                let mut diag = Diagnostic::from(e);
                diag.message = format!("input {} ({d}): {}", j + 1, diag.message);
                diag
            })?;
        }
        if runs == 0 {
            return Err(Diagnostic::plain("a study needs at least one run"));
        }
        if let Some(c) = &correlation {
            if c.dim() != dists.len() {
                return Err(Diagnostic::plain(format!(
                    "the correlation matrix is {0}x{0} but the study has {1} uncertain inputs",
                    c.dim(),
                    dists.len()
                )));
            }
            if sampler == Sampler::LatinHypercube && dists.len() >= 2 && runs <= dists.len() as u64
            {
                return Err(Diagnostic::plain(format!(
                    "{runs} runs are too few to correlate {} inputs",
                    dists.len()
                ))
                .with_hint(format!("use at least {} runs", dists.len() + 1)));
            }
        }
        let copula = match (&correlation, sampler) {
            (Some(c), Sampler::Random) => Some(GaussianCopula::new(c)),
            _ => None,
        };
        Ok(Design {
            keys: (0..dists.len())
                .map(|j| name_key(&format!("input {}", j + 1)))
                .collect(),
            dists,
            sampler,
            streams: Streams::new(seed),
            runs,
            correlation,
            copula,
        })
    }

    /// Keys each input's random streams by its name, so its draws do not depend on which
    /// other inputs the study has or their order. Names are matched canonically.
    pub fn keyed_by(mut self, names: &[String]) -> Result<Design, Diagnostic> {
        if names.len() != self.dists.len() {
            return Err(Diagnostic::plain(format!(
                "{} input names for {} inputs",
                names.len(),
                self.dists.len()
            )));
        }
        self.keys = names.iter().map(|n| name_key(n)).collect();
        Ok(self)
    }

    /// Total runs in the study.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The distributions, in input order.
    pub fn distributions(&self) -> &[Distribution] {
        &self.dists
    }

    /// The sampler.
    pub fn sampler(&self) -> Sampler {
        self.sampler
    }

    /// Each input's stream key, in input order.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    /// Whether the study declares rank correlations between its inputs.
    pub fn correlated(&self) -> bool {
        self.correlation.is_some()
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.streams.seed()
    }

    /// The whole matrix.
    pub fn matrix(&self) -> Result<InputMatrix, Diagnostic> {
        self.rows(0, self.runs)
    }

    /// Rows `first .. first + count` of the study's matrix, identical to the same rows of
    /// [`Design::matrix`]. Random sampling computes only those rows; a Latin hypercube is
    /// built whole (its strata depend on N) and then sliced, so for a Latin hypercube ask
    /// once for every row a process needs rather than chunk by chunk.
    pub fn rows(&self, first: u64, count: u64) -> Result<InputMatrix, Diagnostic> {
        let end = first
            .checked_add(count)
            .filter(|e| *e <= self.runs)
            .ok_or_else(|| {
                Diagnostic::plain(format!(
                    "runs {first}..{} are outside the study's {} runs",
                    first.saturating_add(count),
                    self.runs
                ))
            })?;
        let k = self.dists.len();
        let data = match self.sampler {
            Sampler::Random => {
                let rows: Vec<Vec<f64>> = (first..end)
                    .into_par_iter()
                    .map(|run| self.random_row(run))
                    .collect();
                rows.concat()
            }
            Sampler::LatinHypercube => {
                let n = usize::try_from(self.runs)
                    .map_err(|_| Diagnostic::plain("too many runs for a Latin hypercube"))?;
                let mut columns: Vec<Vec<f64>> = (0..k)
                    .into_par_iter()
                    .map(|j| self.lhs_column(j, n))
                    .collect();
                if let Some(c) = &self.correlation {
                    iman_conover(&mut columns, c, &self.streams, &self.keys)?;
                }
                let mut data = Vec::with_capacity((count as usize) * k);
                for i in first as usize..end as usize {
                    data.extend(columns.iter().map(|c| c[i]));
                }
                data
            }
        };
        Ok(InputMatrix {
            first_run: first,
            inputs: k,
            data,
        })
    }

    /// One run's inputs under simple random sampling (any sampler is accepted, but for a
    /// Latin hypercube this builds the whole design: prefer [`Design::rows`]).
    pub fn run_inputs(&self, run: u64) -> Result<Vec<f64>, Diagnostic> {
        match self.sampler {
            Sampler::Random if run < self.runs => Ok(self.random_row(run)),
            _ => Ok(self.rows(run, 1)?.data),
        }
    }

    fn random_row(&self, run: u64) -> Vec<f64> {
        match &self.copula {
            Some(cop) => {
                let u: Vec<f64> = self
                    .keys
                    .iter()
                    .map(|&key| uniform_open01(&mut self.streams.keyed(run, Purpose::Inputs, key)))
                    .collect();
                let u = cop.correlate(&u);
                self.dists
                    .iter()
                    .zip(u)
                    .map(|(d, u)| d.quantile(u))
                    .collect()
            }
            None => self
                .dists
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    let mut rng = self.streams.keyed(run, Purpose::Inputs, self.keys[j]);
                    d.sample(&mut rng)
                })
                .collect(),
        }
    }

    fn lhs_column(&self, j: usize, n: usize) -> Vec<f64> {
        let mut rng = self.streams.keyed(0, Purpose::Design, self.keys[j]);
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        let d = &self.dists[j];
        strata
            .into_iter()
            .map(|s| d.quantile((s as f64 + uniform_open01(&mut rng)) / n as f64))
            .collect()
    }
}

/// The input matrix for runs `0..runs`: a shorthand for [`Design::new`] then
/// [`Design::matrix`].
pub fn input_matrix(
    dists: &[Distribution],
    runs: u64,
    seed: u64,
    sampler: Sampler,
    correlation: Option<&CorrelationMatrix>,
) -> Result<InputMatrix, Diagnostic> {
    Design::new(dists.to_vec(), sampler, seed, runs, correlation.cloned())?.matrix()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rank::spearman;

    fn dists(texts: &[&str]) -> Vec<Distribution> {
        texts
            .iter()
            .map(|t| Distribution::parse(t).unwrap())
            .collect()
    }

    #[test]
    fn lhs_puts_one_sample_in_every_stratum_of_every_input() {
        let ds = dists(&[
            "normal(0, 1)",
            "triangular(20, 35, 80)",
            "gamma(0.7, 2)",
            "uniform(-1, 1)",
        ]);
        let n = 1000;
        let m = input_matrix(&ds, n, 3, Sampler::LatinHypercube, None).unwrap();
        for (j, d) in ds.iter().enumerate() {
            let mut hits = vec![0usize; n as usize];
            for x in m.column(j) {
                let s = ((d.cdf(x) * n as f64).floor() as usize).min(n as usize - 1);
                hits[s] += 1;
            }
            assert!(
                hits.iter().all(|h| *h == 1),
                "input {j}: strata counts not all 1"
            );
        }
    }

    #[test]
    fn same_seed_same_matrix_and_row_slices_agree() {
        let ds = dists(&["normal(0, 1)", "poisson(3)", "pert(1, 2, 5)"]);
        for sampler in [Sampler::Random, Sampler::LatinHypercube] {
            let d = Design::new(ds.clone(), sampler, 77, 500, None).unwrap();
            let a = d.matrix().unwrap();
            assert_eq!(a, d.matrix().unwrap());
            let slice = d.rows(100, 50).unwrap();
            for i in 0..50 {
                assert_eq!(slice.row(i), a.row(100 + i));
            }
            let other = Design::new(ds.clone(), sampler, 78, 500, None)
                .unwrap()
                .matrix()
                .unwrap();
            assert_ne!(a, other);
        }
    }

    #[test]
    fn random_rows_depend_only_on_seed_and_run() {
        let ds = dists(&["normal(0, 1)", "exponential(2)"]);
        let small = Design::new(ds.clone(), Sampler::Random, 5, 10, None)
            .unwrap()
            .matrix()
            .unwrap();
        let big = Design::new(ds.clone(), Sampler::Random, 5, 1000, None)
            .unwrap()
            .matrix()
            .unwrap();
        for i in 0..10 {
            assert_eq!(small.row(i), big.row(i));
        }
        // Adding an input leaves the others' values unchanged (own sub-streams).
        let more = Design::new(
            dists(&["normal(0, 1)", "exponential(2)", "gamma(2, 2)"]),
            Sampler::Random,
            5,
            10,
            None,
        )
        .unwrap()
        .matrix()
        .unwrap();
        for i in 0..10 {
            assert_eq!(&more.row(i)[..2], small.row(i));
        }
    }

    fn correlated(sampler: Sampler) {
        let ds = dists(&[
            "normal(0, 1)",
            "lognormal(0, 1)",
            "triangular(0, 1, 5)",
            "bernoulli(0.4)",
            "uniform(0, 1)",
        ]);
        let target = vec![
            vec![1.0, 0.7, -0.4, 0.0, 0.2],
            vec![0.7, 1.0, -0.2, 0.0, 0.0],
            vec![-0.4, -0.2, 1.0, 0.0, 0.5],
            vec![0.0, 0.0, 0.0, 1.0, 0.0],
            vec![0.2, 0.0, 0.5, 0.0, 1.0],
        ];
        let corr = CorrelationMatrix::new(&target).unwrap();
        let n = 10_000;
        let m = input_matrix(&ds, n, 21, sampler, Some(&corr)).unwrap();
        let cols: Vec<Vec<f64>> = (0..5).map(|j| m.column(j)).collect();
        for i in 0..5 {
            for j in 0..i {
                if i == 3 || j == 3 {
                    continue; // 0/1 input: ties cap its attainable rank correlation.
                }
                let rho = spearman(&cols[i], &cols[j]).unwrap();
                assert!(
                    (rho - target[i][j]).abs() <= 0.03,
                    "{sampler:?} [{i}][{j}]: {rho} vs {}",
                    target[i][j]
                );
            }
        }
    }

    #[test]
    fn requested_rank_correlations_come_back_lhs() {
        correlated(Sampler::LatinHypercube);
    }

    #[test]
    fn requested_rank_correlations_come_back_random() {
        correlated(Sampler::Random);
    }

    #[test]
    fn iman_conover_preserves_marginals_and_strata() {
        let ds = dists(&["normal(10, 2)", "gamma(2, 3)", "uniform(0, 1)"]);
        let corr = CorrelationMatrix::new(&[
            vec![1.0, 0.8, 0.3],
            vec![0.8, 1.0, 0.1],
            vec![0.3, 0.1, 1.0],
        ])
        .unwrap();
        let n = 2000;
        let plain = input_matrix(&ds, n, 4, Sampler::LatinHypercube, None).unwrap();
        let corr_m = input_matrix(&ds, n, 4, Sampler::LatinHypercube, Some(&corr)).unwrap();
        for j in 0..3 {
            let mut a = plain.column(j);
            let mut b = corr_m.column(j);
            assert_ne!(a, b, "column {j} was not reordered");
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            assert_eq!(a, b, "column {j} values changed");
        }
    }

    #[test]
    fn design_errors_are_clear() {
        let ds = dists(&["normal(0, 1)", "normal(0, 1)"]);
        let c3 = CorrelationMatrix::identity(3);
        let e = Design::new(ds.clone(), Sampler::Random, 1, 10, Some(c3)).unwrap_err();
        assert!(e.message.contains("3x3"), "{}", e.message);
        let c2 = CorrelationMatrix::identity(2);
        let e = Design::new(ds.clone(), Sampler::LatinHypercube, 1, 2, Some(c2)).unwrap_err();
        assert!(e.message.contains("too few"), "{}", e.message);
        let bad = vec![Distribution::Normal {
            mean: 0.0,
            sd: -1.0,
        }];
        let e = Design::new(bad, Sampler::Random, 1, 10, None).unwrap_err();
        assert!(
            e.message.contains("input 1") && e.message.contains("sd > 0"),
            "{}",
            e.message
        );
        let d = Design::new(ds, Sampler::Random, 1, 10, None).unwrap();
        assert!(d.rows(5, 10).is_err());
        assert_eq!(Sampler::parse("LHS"), Some(Sampler::LatinHypercube));
        assert_eq!(Sampler::parse("nope"), None);
    }
}
