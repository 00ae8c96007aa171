//! Partial rank correlation coefficients (PRCC): how strongly each input drives an output
//! once the other inputs are accounted for, robust to monotone non-linearity.

use super::error::StatsError;
use super::rank::ranks;
use nalgebra::DMatrix;

/// PRCC of each input column with `output`.
///
/// Rows with a `NaN` anywhere are dropped; values are replaced by average ranks. With `C`
/// the correlation matrix of the ranked inputs and output and `P = C^-1`, the PRCC of
/// input `j` is `-P[j,y] / sqrt(P[j,j] P[y,y])`, which equals the correlation of the
/// residuals of rank(x_j) and rank(y) each regressed on the other inputs' ranks.
/// A constant input gets `None` (it explains nothing) and is left out of the others'
/// conditioning; a constant output gives `None` everywhere.
pub fn prcc(inputs: &[Vec<f64>], output: &[f64]) -> Result<Vec<Option<f64>>, StatsError> {
    let n_all = output.len();
    if let Some(bad) = inputs.iter().position(|c| c.len() != n_all) {
        return Err(StatsError::new(format!(
            "input {} has {} values but the output has {n_all}",
            bad + 1,
            inputs[bad].len()
        )));
    }
    let keep: Vec<usize> = (0..n_all)
        .filter(|&i| !output[i].is_nan() && inputs.iter().all(|c| !c[i].is_nan()))
        .collect();
    let pick = |c: &[f64]| keep.iter().map(|&i| c[i]).collect::<Vec<f64>>();
    let ry = ranks(&pick(output));
    let rx: Vec<Vec<f64>> = inputs.iter().map(|c| ranks(&pick(c))).collect();
    let varying = |r: &[f64]| r.iter().any(|v| *v != r[0]);
    if ry.is_empty() || !varying(&ry) {
        return Ok(vec![None; inputs.len()]);
    }
    let active: Vec<usize> = (0..inputs.len()).filter(|&j| varying(&rx[j])).collect();
    let m = active.len();
    let n = ry.len();
    enough_runs(n, m)?;
    // Columns: active inputs, then the output. Ranks have a known mean (n + 1) / 2.
    let centre = (n as f64 + 1.0) / 2.0;
    let data = DMatrix::from_fn(n, m + 1, |i, c| {
        if c < m {
            rx[active[c]][i] - centre
        } else {
            ry[i] - centre
        }
    });
    let mut cov = DMatrix::zeros(m + 1, m + 1);
    add_cross_products(&mut cov, &data, true);
    from_cross_products(&cov, &active, inputs.len())
}

/// Adds `chunkᵀ · chunk` to `cov` (`first`: sets it instead).
///
/// nalgebra multiplies with `matrixmultiply::dgemm` when both sides have more than 5 rows
/// and columns: it sums the rows in blocks of 256 and adds each block to the result with
/// β = 1, so chunks of a multiple of 256 rows, added in order, give the product of the whole
/// table bit for bit. Below that it adds the rows one by one, which chunks of any size
/// reproduce. A chunk must have more than 5 rows unless it is the whole table (the caller
/// folds a short tail into the chunk before it), so that every chunk takes the same path.
pub(crate) fn add_cross_products(cov: &mut DMatrix<f64>, chunk: &DMatrix<f64>, first: bool) {
    let t = chunk.transpose();
    if first {
        *cov = t * chunk;
    } else {
        cov.gemm(1.0, &t, chunk, 1.0);
    }
}

/// `n` complete runs are enough for partial rank correlations of `m` varying inputs.
pub(crate) fn enough_runs(n: usize, m: usize) -> Result<(), StatsError> {
    if n < m + 3 {
        return Err(StatsError::new(format!(
            "{n} complete runs are too few for partial rank correlations of {m} inputs"
        ))
        .with_hint(format!("use at least {} runs", m + 3)));
    }
    Ok(())
}

/// The PRCC of each of `inputs` inputs from the cross products of the centred ranks of the
/// `active` (varying) ones, in that order, then the output.
pub(crate) fn from_cross_products(
    cov: &DMatrix<f64>,
    active: &[usize],
    inputs: usize,
) -> Result<Vec<Option<f64>>, StatsError> {
    let m = active.len();
    let corr = DMatrix::from_fn(m + 1, m + 1, |a, b| {
        cov[(a, b)] / (cov[(a, a)] * cov[(b, b)]).sqrt()
    });
    let p = corr.try_inverse().filter(|p| p.iter().all(|v| v.is_finite())).ok_or_else(|| {
        StatsError::new("inputs are perfectly rank-correlated with each other, so their effects cannot be separated")
            .with_hint("drop one of the duplicated inputs")
    })?;
    let mut out = vec![None; inputs];
    for (c, &j) in active.iter().enumerate() {
        let r = -p[(c, m)] / (p[(c, c)] * p[(m, m)]).sqrt();
        out[j] = r.is_finite().then_some(r.clamp(-1.0, 1.0));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::streams::{uniform_open01, Purpose, Streams};

    /// PRCC by its definition: correlate residuals of two least-squares regressions.
    fn prcc_by_residuals(x: &[Vec<f64>], y: &[f64], j: usize) -> f64 {
        let n = y.len();
        let others: Vec<usize> = (0..x.len()).filter(|&k| k != j).collect();
        let design = DMatrix::from_fn(n, others.len() + 1, |i, c| {
            if c == 0 {
                1.0
            } else {
                ranks(&x[others[c - 1]])[i]
            }
        });
        let svd = design.clone().svd(true, true);
        let resid = |v: Vec<f64>| {
            let b = nalgebra::DVector::from_vec(v);
            let beta = svd.solve(&b, 1e-12).unwrap();
            b - &design * beta
        };
        let ex = resid(ranks(&x[j]));
        let ey = resid(ranks(y));
        ex.dot(&ey) / (ex.norm() * ey.norm())
    }

    fn sample(n: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = Streams::new(2).rng(0, Purpose::Other(0));
        let mut x = vec![Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let mut y = Vec::new();
        for _ in 0..n {
            let v: Vec<f64> = (0..4).map(|_| uniform_open01(&mut rng)).collect();
            // Monotone non-linear in x0 and x1, x2 irrelevant, x3 constant.
            y.push((3.0 * v[0]).exp() - 2.0 * v[1] + 0.3 * uniform_open01(&mut rng));
            for (col, val) in x.iter_mut().zip(&v).take(3) {
                col.push(*val);
            }
            x[3].push(1.0);
        }
        (x, y)
    }

    #[test]
    fn agrees_with_the_residual_definition() {
        let (x, y) = sample(500);
        let got = prcc(&x, &y).unwrap();
        assert_eq!(got[3], None);
        let live = x[..3].to_vec();
        for (j, g) in got.iter().take(3).enumerate() {
            let want = prcc_by_residuals(&live, &y, j);
            let g = g.expect("a varying input has a PRCC");
            assert!((g - want).abs() < 1e-9, "input {j}: {g} vs {want}");
        }
    }

    #[test]
    fn ranks_drivers_and_ignores_noise() {
        let (x, y) = sample(5000);
        let got = prcc(&x, &y).unwrap();
        let (a, b, c) = (got[0].unwrap(), got[1].unwrap(), got[2].unwrap());
        assert!(a > 0.9, "{a}");
        assert!(b < -0.5, "{b}");
        // Irrelevant input: standard error about 1/sqrt(n) = 0.014; allow 4 of them.
        assert!(c.abs() < 4.0 / (5000f64).sqrt(), "{c}");
    }

    #[test]
    fn errors_on_duplicate_inputs_and_mismatched_lengths() {
        let (x, y) = sample(200);
        let dup = vec![x[0].clone(), x[0].iter().map(|v| v * 2.0).collect()];
        assert!(prcc(&dup, &y)
            .unwrap_err()
            .message
            .contains("cannot be separated"));
        assert!(prcc(&[vec![1.0, 2.0]], &y).is_err());
    }
}
