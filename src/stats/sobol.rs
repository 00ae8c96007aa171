//! Sobol variance-based sensitivity indices from a Saltelli design: first-order (Saltelli
//! 2010) and total-effect (Jansen 1999) estimators as SALib computes them, with seeded
//! bootstrap intervals.
//!
//! The design has N rows and k inputs: outputs `f(A)`, `f(B)` of two independent sample
//! matrices and `f(A_B^(i))` of A with column i taken from B. With `V` the variance of the
//! pooled `f(A)`, `f(B)` (divisor 2N), for each input i:
//!
//! * first order `S_i = mean(f(B) · (f(A_B^(i)) − f(A))) / V`;
//! * total effect `ST_i = mean((f(A) − f(A_B^(i)))²) / (2V)`.
//!
//! As in SALib, the outputs are first standardised by the mean and standard deviation of all
//! N·(k+2) values (which leaves the exact indices unchanged and reduces the estimators'
//! variance). Intervals come from resampling the N rows with replacement; the resample
//! streams depend only on the seed and the resample number, so results do not depend on the
//! thread count.

use super::quantile::quantile_sorted;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

/// Bootstrap resamples used when a caller has no reason to choose.
pub const DEFAULT_RESAMPLES: usize = 200;

/// The outputs of one metric over a Saltelli design.
#[derive(Debug, Clone, Copy)]
pub struct SaltelliOutputs<'a> {
    /// `f(A)`, one value per row.
    pub a: &'a [f64],
    /// `f(B)`, one value per row.
    pub b: &'a [f64],
    /// `f(A_B^(i))` for each input i, each one value per row.
    pub ab: &'a [Vec<f64>],
}

/// One input's indices with their bootstrap uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index: the share of variance the input explains alone.
    pub first: f64,
    /// Total-effect index: the share it explains with all its interactions.
    pub total: f64,
    /// Bootstrap standard error of `first`.
    pub first_se: f64,
    /// Bootstrap standard error of `total`.
    pub total_se: f64,
    /// Bootstrap percentile 95 % interval of `first`.
    pub first_ci95: [f64; 2],
    /// Bootstrap percentile 95 % interval of `total`.
    pub total_ci95: [f64; 2],
}

/// The indices of every input for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolEstimate {
    /// One per input, in input order.
    pub indices: Vec<SobolIndex>,
    /// Whether the indices describe the ranks of the metric rather than its values: an
    /// infinite value (a first passage never reached) makes the variance infinite, so all
    /// values are then replaced by their pooled ranks (ties averaged, +∞ largest).
    pub on_ranks: bool,
    /// Rows used: rows with an undefined (`NaN`) value in any matrix are left out.
    pub rows: usize,
}

/// Why no indices could be estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SobolGap {
    /// Fewer than two rows with defined values in every matrix.
    TooFewRows,
    /// The metric takes one value in every run: it has no variance to apportion.
    NoVariance,
}

/// Sobol indices of every input with `resamples` bootstrap resamples drawn from `seed`.
pub fn sobol_indices(
    outputs: SaltelliOutputs<'_>,
    resamples: usize,
    seed: u64,
) -> Result<SobolEstimate, SobolGap> {
    let design = Standardised::new(outputs)?;
    let all: Vec<usize> = (0..design.n).collect();
    let (first, total) = design.estimate(&all);
    let boots: Vec<(Vec<f64>, Vec<f64>)> = (0..resamples as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(r);
            let rows: Vec<usize> = (0..design.n)
                .map(|_| rng.random_range(0..design.n))
                .collect();
            design.estimate(&rows)
        })
        .collect();
    let indices = (0..design.k)
        .map(|i| {
            let fb: Vec<f64> = boots.iter().map(|(f, _)| f[i]).collect();
            let tb: Vec<f64> = boots.iter().map(|(_, t)| t[i]).collect();
            let (first_se, first_ci95) = spread(fb);
            let (total_se, total_ci95) = spread(tb);
            SobolIndex {
                first: first[i],
                total: total[i],
                first_se,
                total_se,
                first_ci95,
                total_ci95,
            }
        })
        .collect();
    Ok(SobolEstimate {
        indices,
        on_ranks: design.on_ranks,
        rows: design.n,
    })
}

/// Standard deviation (divisor n − 1) and 2.5–97.5 % percentile interval of bootstrap
/// estimates; `NaN` where there are too few.
fn spread(mut values: Vec<f64>) -> (f64, [f64; 2]) {
    values.retain(|v| !v.is_nan());
    if values.len() < 2 {
        return (f64::NAN, [f64::NAN; 2]);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    values.sort_by(f64::total_cmp);
    (
        sd,
        [
            quantile_sorted(&values, 0.025),
            quantile_sorted(&values, 0.975),
        ],
    )
}

/// The design's outputs with undefined rows dropped, ranked if need be and standardised.
struct Standardised {
    n: usize,
    k: usize,
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    on_ranks: bool,
}

impl Standardised {
    fn new(o: SaltelliOutputs<'_>) -> Result<Standardised, SobolGap> {
        let k = o.ab.len();
        let keep: Vec<usize> = (0..o.a.len().min(o.b.len()))
            .filter(|&r| {
                !o.a[r].is_nan()
                    && !o.b[r].is_nan()
                    && o.ab.iter().all(|c| c.get(r).is_some_and(|v| !v.is_nan()))
            })
            .collect();
        let n = keep.len();
        if n < 2 {
            return Err(SobolGap::TooFewRows);
        }
        // Pooled layout: A, B, then each A_B^(i), n values each.
        let mut pooled: Vec<f64> = Vec::with_capacity(n * (k + 2));
        pooled.extend(keep.iter().map(|&r| o.a[r]));
        pooled.extend(keep.iter().map(|&r| o.b[r]));
        for c in o.ab {
            pooled.extend(keep.iter().map(|&r| c[r]));
        }
        let on_ranks = pooled.iter().any(|v| v.is_infinite());
        if on_ranks {
            pooled = super::rank::ranks(&pooled);
        }
        let count = pooled.len() as f64;
        let mean = pooled.iter().sum::<f64>() / count;
        let sd = (pooled.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count).sqrt();
        if sd.is_nan() || sd <= 0.0 || sd.is_infinite() {
            return Err(SobolGap::NoVariance);
        }
        let mut columns = pooled
            .chunks_exact(n)
            .map(|c| c.iter().map(|v| (v - mean) / sd).collect::<Vec<f64>>());
        let a = columns.next().unwrap_or_default();
        let b = columns.next().unwrap_or_default();
        Ok(Standardised {
            n,
            k,
            a,
            b,
            ab: columns.collect(),
            on_ranks,
        })
    }

    /// First-order and total-effect indices over the given rows (repeats allowed).
    fn estimate(&self, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
        let m = rows.len() as f64;
        let mean = rows.iter().map(|&r| self.a[r] + self.b[r]).sum::<f64>() / (2.0 * m);
        let var = rows
            .iter()
            .map(|&r| (self.a[r] - mean).powi(2) + (self.b[r] - mean).powi(2))
            .sum::<f64>()
            / (2.0 * m);
        let mut first = Vec::with_capacity(self.k);
        let mut total = Vec::with_capacity(self.k);
        for ab in &self.ab {
            let (mut s, mut t) = (0.0, 0.0);
            for &r in rows {
                let (fa, fb, fab) = (self.a[r], self.b[r], ab[r]);
                s += fb * (fab - fa);
                t += (fa - fab) * (fa - fab);
            }
            if var > 0.0 {
                first.push(s / m / var);
                total.push(0.5 * t / m / var);
            } else {
                first.push(f64::NAN);
                total.push(f64::NAN);
            }
        }
        (first, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A, B and the A_B^(i) outputs of `f` for `n` rows of `k` inputs uniform on (lo, hi).
    fn design(
        f: impl Fn(&[f64]) -> f64,
        k: usize,
        n: usize,
        (lo, hi): (f64, f64),
        seed: u64,
    ) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut draw = || -> Vec<f64> {
            (0..k)
                .map(|_| lo + (hi - lo) * rng.random::<f64>())
                .collect()
        };
        let rows: Vec<(Vec<f64>, Vec<f64>)> = (0..n).map(|_| (draw(), draw())).collect();
        let a = rows.iter().map(|(x, _)| f(x)).collect();
        let b = rows.iter().map(|(_, y)| f(y)).collect();
        let ab = (0..k)
            .map(|i| {
                rows.iter()
                    .map(|(x, y)| {
                        let mut m = x.clone();
                        m[i] = y[i];
                        f(&m)
                    })
                    .collect()
            })
            .collect();
        (a, b, ab)
    }

    fn close(got: f64, se: f64, want: f64, what: &str) {
        assert!(
            (got - want).abs() <= (3.0 * se).max(0.02),
            "{what}: {got} (se {se}) vs {want}"
        );
    }

    #[test]
    fn linear_additive_function_matches_its_closed_form() {
        // f = x1 + 2 x2 + 3 x3 + 0 x4, x uniform on (0, 1): S_i = ST_i = c_i² / Σ c_j².
        let c = [1.0, 2.0, 3.0, 0.0];
        let (a, b, ab) = design(
            |x| x.iter().zip(&c).map(|(x, c)| x * c).sum(),
            4,
            20_000,
            (0.0, 1.0),
            3,
        );
        let e = sobol_indices(
            SaltelliOutputs {
                a: &a,
                b: &b,
                ab: &ab,
            },
            200,
            9,
        )
        .unwrap();
        assert!(!e.on_ranks);
        assert_eq!(e.rows, 20_000);
        for (i, idx) in e.indices.iter().enumerate() {
            let want = c[i] * c[i] / 14.0;
            close(idx.first, idx.first_se, want, &format!("S{}", i + 1));
            close(idx.total, idx.total_se, want, &format!("ST{}", i + 1));
            assert!(idx.first_ci95[0] <= idx.first && idx.first <= idx.first_ci95[1]);
            assert!(idx.first_se < 0.05, "{idx:?}");
        }
        assert!(e.indices[..3].iter().all(|x| x.first_se > 0.0));
        // A zero coefficient changes nothing: both its indices are exactly zero.
        assert_eq!((e.indices[3].first, e.indices[3].total), (0.0, 0.0));
    }

    #[test]
    fn a_pure_interaction_has_no_first_order_effect() {
        // f = x1 x2 on (−1, 1)²: E[f | x_i] = 0, so S_i = 0 and ST_i = 1.
        let (a, b, ab) = design(|x| x[0] * x[1], 2, 20_000, (-1.0, 1.0), 5);
        let e = sobol_indices(
            SaltelliOutputs {
                a: &a,
                b: &b,
                ab: &ab,
            },
            200,
            1,
        )
        .unwrap();
        for idx in &e.indices {
            close(idx.first, idx.first_se, 0.0, "S");
            close(idx.total, idx.total_se, 1.0, "ST");
        }
    }

    #[test]
    fn infinite_values_switch_to_ranks_and_rank_as_largest() {
        // f = x1 where x1 > 0.5, else never (+∞): a monotone function of x1 alone, so on
        // ranks x2 explains nothing and x1 everything.
        let f = |x: &[f64]| if x[0] > 0.5 { x[0] } else { f64::INFINITY };
        let (a, b, ab) = design(f, 2, 5_000, (0.0, 1.0), 8);
        let e = sobol_indices(
            SaltelliOutputs {
                a: &a,
                b: &b,
                ab: &ab,
            },
            100,
            1,
        )
        .unwrap();
        assert!(e.on_ranks);
        assert!(e.indices[0].first > 0.9, "{:?}", e.indices[0]);
        assert_eq!(e.indices[1].total, 0.0);
    }

    #[test]
    fn undefined_rows_are_dropped_and_constant_metrics_refused() {
        let a = vec![1.0, 2.0, f64::NAN, 4.0];
        let b = vec![2.0, 1.0, 3.0, 3.0];
        let ab = vec![vec![1.5, 2.5, 3.0, 4.0]];
        let e = sobol_indices(
            SaltelliOutputs {
                a: &a,
                b: &b,
                ab: &ab,
            },
            10,
            1,
        )
        .unwrap();
        assert_eq!(e.rows, 3);
        let flat = vec![2.0; 4];
        let gap = sobol_indices(
            SaltelliOutputs {
                a: &flat,
                b: &flat,
                ab: std::slice::from_ref(&flat),
            },
            10,
            1,
        );
        assert_eq!(gap, Err(SobolGap::NoVariance));
        let one = sobol_indices(
            SaltelliOutputs {
                a: &[1.0],
                b: &[2.0],
                ab: &[vec![1.0]],
            },
            10,
            1,
        );
        assert_eq!(one, Err(SobolGap::TooFewRows));
    }

    #[test]
    fn same_seed_same_intervals_on_any_thread_count() {
        let (a, b, ab) = design(|x| x[0] + x[1] * x[2], 3, 2_000, (0.0, 1.0), 2);
        let o = SaltelliOutputs {
            a: &a,
            b: &b,
            ab: &ab,
        };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| sobol_indices(o, 100, 42).unwrap())
        };
        assert_eq!(on(1), on(3));
        assert_ne!(on(1), sobol_indices(o, 100, 43).unwrap());
    }
}
