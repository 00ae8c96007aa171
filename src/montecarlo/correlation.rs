//! Rank-correlated inputs: a validated correlation matrix, Iman–Conover reordering and a
//! per-run Gaussian copula.
//!
//! Users give Spearman rank correlations. Both methods work through normal scores, whose
//! Pearson correlation `r` yields rank correlation `(6/pi) asin(r/2)`; so the matrix is
//! first mapped entry-wise to `r = 2 sin(pi rho / 6)` and the requested rank correlations
//! come back without the small bias (up to 0.018) that using `rho` directly would leave.
//! If that mapped matrix is not positive definite (only possible very near the boundary),
//! the requested matrix itself is used.

use super::streams::{uniform_open01, Purpose, Streams};
use crate::diagnostic::Diagnostic;
use crate::study::distribution::quantile::{std_normal_cdf, std_normal_quantile};
use nalgebra::{Cholesky, DMatrix};
use rand::RngExt;

/// A symmetric, unit-diagonal, positive-definite matrix of rank correlations, indexed
/// in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationMatrix {
    m: DMatrix<f64>,
}

/// Tolerance for symmetry and the unit diagonal (values typed in by hand).
const TOL: f64 = 1e-9;

/// Refuses a correlation list that names one input twice (names compared as the model
/// compares them): its two rows would give the same input two different correlations.
pub fn check_distinct_inputs(names: &[String]) -> Result<(), Diagnostic> {
    let mut seen = std::collections::HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(crate::model::names::canonical(name), i) {
            return Err(Diagnostic::plain(format!(
                "the correlations name input `{name}` twice (entries {} and {})",
                first + 1,
                i + 1
            ))
            .with_hint("list each input once; its row and column hold all of its correlations"));
        }
    }
    Ok(())
}

impl CorrelationMatrix {
    /// Validates a square matrix given row by row.
    pub fn new(rows: &[Vec<f64>]) -> Result<CorrelationMatrix, Diagnostic> {
        let n = rows.len();
        if n == 0 {
            return Err(Diagnostic::plain("the correlation matrix is empty"));
        }
        for (i, row) in rows.iter().enumerate() {
            if row.len() != n {
                return Err(Diagnostic::plain(format!(
                    "the correlation matrix must be square: row {} has {} entries, expected {n}",
                    i + 1,
                    row.len()
                ))
                .with_hint("give one row per input, each with one entry per input"));
            }
        }
        for (i, row) in rows.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if !(-1.0..=1.0).contains(&v) {
                    return Err(Diagnostic::plain(format!(
                        "correlation [{}][{}] = {v} is outside [-1, 1]",
                        i + 1,
                        j + 1
                    ))
                    .with_hint("a rank correlation lies between -1 and 1"));
                }
                if i == j && (v - 1.0).abs() > TOL {
                    return Err(Diagnostic::plain(format!(
                        "the diagonal of a correlation matrix must be 1, entry [{0}][{0}] is {v}",
                        i + 1
                    ))
                    .with_hint("an input is perfectly correlated with itself"));
                }
                if (v - rows[j][i]).abs() > TOL {
                    return Err(Diagnostic::plain(format!(
                        "the correlation matrix is not symmetric: [{}][{}] = {v} but [{}][{}] = {}",
                        i + 1,
                        j + 1,
                        j + 1,
                        i + 1,
                        rows[j][i]
                    ))
                    .with_hint("row i, column j and row j, column i describe the same pair: give them one value"));
                }
            }
        }
        let m = DMatrix::from_fn(n, n, |i, j| {
            if i == j {
                1.0
            } else {
                (rows[i][j] + rows[j][i]) / 2.0
            }
        });
        if Cholesky::new(m.clone()).is_none() {
            return Err(Diagnostic::plain(
                "the correlation matrix is not positive definite: these correlations cannot hold together",
            )
            .with_hint(
                "use correlations strictly between -1 and 1, and check for contradictions such as \
                 A~B 0.9, B~C 0.9 but A~C -0.5",
            ));
        }
        Ok(CorrelationMatrix { m })
    }

    /// The identity (independent inputs) of size `n`.
    pub fn identity(n: usize) -> CorrelationMatrix {
        CorrelationMatrix {
            m: DMatrix::identity(n, n),
        }
    }

    /// Number of inputs.
    pub fn dim(&self) -> usize {
        self.m.nrows()
    }

    /// Entry `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.m[(i, j)]
    }

    /// Lower Cholesky factor of the normal-score correlation that reproduces the requested
    /// rank correlations (see the module notes).
    pub(crate) fn normal_score_factor(&self) -> DMatrix<f64> {
        let adjusted = self
            .m
            .map(|rho| 2.0 * (std::f64::consts::PI * rho / 6.0).sin());
        if let Some(c) = Cholesky::new(adjusted) {
            return c.l();
        }
        // Validated positive definite in `new`, so this factorisation exists.
        Cholesky::new(self.m.clone())
            .map_or_else(|| DMatrix::identity(self.dim(), self.dim()), |c| c.l())
    }
}

/// A per-run Gaussian copula: turns a run's stream into correlated uniforms without
/// looking at other runs, so simple random sampling keeps "run i depends only on (seed, i)".
#[derive(Debug, Clone)]
pub struct GaussianCopula {
    l: DMatrix<f64>,
}

impl GaussianCopula {
    /// The copula for a validated matrix.
    pub fn new(corr: &CorrelationMatrix) -> GaussianCopula {
        GaussianCopula {
            l: corr.normal_score_factor(),
        }
    }

    /// Correlated uniforms in `(0, 1)`, one per input, from `rng` (one number per input).
    pub fn uniforms<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let k = self.l.nrows();
        let u: Vec<f64> = (0..k).map(|_| uniform_open01(rng)).collect();
        self.correlate(&u)
    }

    /// Correlated uniforms from independent uniforms `u`, one per input. The factor is lower
    /// triangular, so an input correlated with no other keeps its own uniform.
    pub fn correlate(&self, u: &[f64]) -> Vec<f64> {
        let k = self.l.nrows();
        let eps: Vec<f64> = u.iter().map(|&u| std_normal_quantile(u)).collect();
        (0..k)
            .map(|i| {
                let z: f64 = (0..=i).map(|j| self.l[(i, j)] * eps[j]).sum();
                // Keep strictly inside (0, 1) so quantiles stay finite.
                std_normal_cdf(z).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0)
            })
            .collect()
    }
}

/// Reorders each column of `columns` (one `Vec` per input, equal lengths) so that their
/// rank correlations approach `corr` (Iman & Conover 1982). Only the pairing of values
/// across columns changes, never the values: every marginal, and a Latin hypercube's
/// stratification, is kept exactly. Scores are van der Waerden `Phi^-1(i/(N+1))`, shuffled
/// per input with the [`Purpose::Correlation`] stream of that input.
pub fn iman_conover(
    columns: &mut [Vec<f64>],
    corr: &CorrelationMatrix,
    streams: &Streams,
    keys: &[u64],
) -> Result<(), Diagnostic> {
    let k = columns.len();
    if k != corr.dim() {
        return Err(Diagnostic::plain(format!(
            "the correlation matrix is {0}x{0} but there are {k} inputs",
            corr.dim()
        )));
    }
    let n = columns.first().map_or(0, Vec::len);
    if columns.iter().any(|c| c.len() != n) {
        return Err(Diagnostic::plain("input columns differ in length"));
    }
    if k < 2 || n < 2 {
        return Ok(());
    }
    if n <= k {
        return Err(
            Diagnostic::plain(format!("{n} runs are too few to correlate {k} inputs"))
                .with_hint(format!("use at least {} runs", k + 1)),
        );
    }
    let scores: Vec<f64> = (1..=n)
        .map(|i| std_normal_quantile(i as f64 / (n as f64 + 1.0)))
        .collect();
    let mut s = DMatrix::<f64>::zeros(n, k);
    for j in 0..k {
        let mut rng = streams.keyed(0, Purpose::Correlation, keys[j]);
        let mut col = scores.clone();
        for i in (1..n).rev() {
            col.swap(i, rng.random_range(0..=i));
        }
        for (i, v) in col.into_iter().enumerate() {
            s[(i, j)] = v;
        }
    }
    // Correct for the chance correlation of the shuffled scores: S Q^-T has identity
    // correlation exactly, then P imposes the target.
    let e = pearson_matrix(&s);
    let q = Cholesky::new(e)
        .ok_or_else(|| {
            Diagnostic::plain(
                "the shuffled scores are degenerate; use more runs to correlate inputs",
            )
        })?
        .l();
    let q_inv = q.try_inverse().ok_or_else(|| {
        Diagnostic::plain("the shuffled scores are degenerate; use more runs to correlate inputs")
    })?;
    let p = corr.normal_score_factor();
    let t = &s * (p * q_inv).transpose();
    for (j, column) in columns.iter_mut().enumerate() {
        let mut sorted = column.clone();
        sorted.sort_by(f64::total_cmp);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| t[(a, j)].total_cmp(&t[(b, j)]).then(a.cmp(&b)));
        for (rank, &row) in order.iter().enumerate() {
            column[row] = sorted[rank];
        }
    }
    Ok(())
}

/// Pearson correlation matrix of the columns of `s`.
fn pearson_matrix(s: &DMatrix<f64>) -> DMatrix<f64> {
    let n = s.nrows() as f64;
    let k = s.ncols();
    let mut centred = s.clone();
    for j in 0..k {
        let mean = s.column(j).sum() / n;
        for v in centred.column_mut(j).iter_mut() {
            *v -= mean;
        }
    }
    let cov = centred.transpose() * &centred;
    DMatrix::from_fn(k, k, |i, j| {
        cov[(i, j)] / (cov[(i, i)] * cov[(j, j)]).sqrt()
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_input_named_twice_is_refused_however_it_is_spelled() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_distinct_inputs(&names(&["a", "b", "c"])).is_ok());
        let e = check_distinct_inputs(&names(&["birth_rate", "x", "Birth Rate"])).unwrap_err();
        assert!(e.message.contains("entries 1 and 3"), "{}", e.message);
        assert!(e.hint.is_some());
    }

    use super::*;

    #[test]
    fn rejects_bad_matrices_with_clear_messages() {
        let err = |rows: Vec<Vec<f64>>| CorrelationMatrix::new(&rows).unwrap_err().message;
        assert!(err(vec![vec![1.0, 0.5], vec![0.4, 1.0]]).contains("not symmetric"));
        assert!(err(vec![vec![0.9, 0.5], vec![0.5, 1.0]]).contains("diagonal"));
        assert!(err(vec![vec![1.0, 1.5], vec![1.5, 1.0]]).contains("outside [-1, 1]"));
        assert!(err(vec![vec![1.0, 0.5]]).contains("square"));
        let contradictory = vec![
            vec![1.0, 0.9, -0.9],
            vec![0.9, 1.0, 0.9],
            vec![-0.9, 0.9, 1.0],
        ];
        assert!(err(contradictory).contains("not positive definite"));
        assert!(err(vec![vec![1.0, 1.0], vec![1.0, 1.0]]).contains("not positive definite"));
        assert!(CorrelationMatrix::new(&[vec![1.0, -0.3], vec![-0.3, 1.0]]).is_ok());
    }

    #[test]
    fn copula_uniforms_are_uniform_and_correlated() {
        let c = CorrelationMatrix::new(&[vec![1.0, 0.6], vec![0.6, 1.0]]).unwrap();
        let cop = GaussianCopula::new(&c);
        let streams = Streams::new(9);
        let n = 10_000;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for run in 0..n {
            let u = cop.uniforms(&mut streams.rng(run, Purpose::Inputs));
            a.push(u[0]);
            b.push(u[1]);
        }
        // For uniforms Pearson = Spearman; standard error ~ (1 - 0.36)/sqrt(n) = 0.0064.
        let rho = crate::stats::rank::spearman(&a, &b).unwrap();
        assert!((rho - 0.6).abs() < 0.03, "{rho}");
        let mean = a.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt());
    }
}
