//! Convergence diagnostics of Markov chains: split R-hat and the effective sample size.
//!
//! Both follow Gelman et al., *Bayesian Data Analysis* (3rd ed., §11.4–11.5) as Stan computes
//! them: every chain is split in halves (so a chain that drifts shows as two chains that
//! disagree); R-hat compares the variance between the halves with the variance within them;
//! the effective sample size sums the combined autocorrelations with Geyer's initial monotone
//! positive sequence.

/// Split chains of equal length (the odd middle draw of a chain is dropped); `None` when
/// there are fewer than 4 draws per chain or chains differ in length.
fn split(chains: &[Vec<f64>]) -> Option<Vec<&[f64]>> {
    let n = chains.first()?.len();
    if n < 4 || chains.iter().any(|c| c.len() != n) {
        return None;
    }
    let half = n / 2;
    Some(
        chains
            .iter()
            .flat_map(|c| [&c[..half], &c[n - half..]])
            .collect(),
    )
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// `(W, var+)`: the mean within-chain variance and the pooled estimate of the posterior
/// variance, over chains of length `n`.
fn variances(chains: &[&[f64]]) -> (f64, f64) {
    let m = chains.len() as f64;
    let n = chains[0].len() as f64;
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let grand = means.iter().sum::<f64>() / m;
    let b = n / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
    let w = chains
        .iter()
        .zip(&means)
        .map(|(c, mu)| c.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0))
        .sum::<f64>()
        / m;
    (w, (n - 1.0) / n * w + b / n)
}

/// Split R-hat of one parameter's chains; 1 means the chains agree. `NaN` when it cannot be
/// computed (fewer than 4 draws per chain, unequal lengths, no variation at all).
pub fn split_rhat(chains: &[Vec<f64>]) -> f64 {
    let Some(halves) = split(chains) else {
        return f64::NAN;
    };
    let (w, var_plus) = variances(&halves);
    if w <= 0.0 {
        return f64::NAN;
    }
    (var_plus / w).sqrt()
}

/// Effective sample size of one parameter's chains (all draws together): how many
/// independent draws would estimate its mean as precisely. `NaN` when it cannot be computed.
pub fn effective_sample_size(chains: &[Vec<f64>]) -> f64 {
    let Some(halves) = split(chains) else {
        return f64::NAN;
    };
    let m = halves.len();
    let n = halves[0].len();
    let (w, var_plus) = variances(&halves);
    if w <= 0.0 || var_plus <= 0.0 {
        return f64::NAN;
    }
    let centred: Vec<Vec<f64>> = halves
        .iter()
        .map(|c| {
            let mu = mean(c);
            c.iter().map(|x| x - mu).collect()
        })
        .collect();
    // Mean over chains of the lag-t autocovariance (divided by n, as Stan does).
    let acov = |t: usize| {
        centred
            .iter()
            .map(|c| {
                c[..n - t]
                    .iter()
                    .zip(&c[t..])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    / n as f64
            })
            .sum::<f64>()
            / m as f64
    };
    let rho = |t: usize| 1.0 - (w - acov(t)) / var_plus;
    // Geyer: sum pairs (rho_2k + rho_2k+1) while positive, each no larger than the last.
    let mut tau = -1.0;
    let mut last_pair = f64::INFINITY;
    let mut t = 0;
    while t + 1 < n {
        let pair = rho(t) + rho(t + 1);
        if pair <= 0.0 {
            break;
        }
        let pair = pair.min(last_pair);
        tau += 2.0 * pair;
        last_pair = pair;
        t += 2;
    }
    // Antithetic chains can make tau tiny; Stan caps the estimate at n·m·log10(n·m).
    let total = (m * n) as f64;
    (total / tau.max(1.0 / total.log10())).min(total * total.log10())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Standard normals from a fixed stream (Box–Muller on open uniforms).
    fn normals(seed: u64, n: usize) -> Vec<f64> {
        let mut r = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
        let mut u = || ((r.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        (0..n)
            .map(|_| (-2.0 * u().ln()).sqrt() * (2.0 * std::f64::consts::PI * u()).cos())
            .collect()
    }

    #[test]
    fn independent_draws_have_rhat_one_and_full_ess() {
        let chains: Vec<Vec<f64>> = (0..4).map(|s| normals(s, 1000)).collect();
        let r = split_rhat(&chains);
        assert!((r - 1.0).abs() < 0.01, "{r}");
        let ess = effective_sample_size(&chains);
        assert!((3200.0..5000.0).contains(&ess), "{ess}");
    }

    #[test]
    fn autocorrelated_chains_have_the_ar1_ess() {
        // AR(1) with phi = 0.9: ESS = N (1 - phi) / (1 + phi) = N / 19.
        let phi = 0.9;
        let chains: Vec<Vec<f64>> = (0..4)
            .map(|s| {
                let e = normals(10 + s, 20_000);
                let mut x = 0.0;
                e.iter()
                    .map(|z| {
                        x = phi * x + z;
                        x
                    })
                    .collect()
            })
            .collect();
        let ess = effective_sample_size(&chains);
        let want = 80_000.0 / 19.0;
        assert!((ess / want - 1.0).abs() < 0.2, "{ess} vs {want}");
    }

    #[test]
    fn chains_that_disagree_have_a_large_rhat() {
        let chains: Vec<Vec<f64>> = (0..4)
            .map(|s| {
                normals(20 + s, 500)
                    .into_iter()
                    .map(|z| z + s as f64)
                    .collect()
            })
            .collect();
        assert!(split_rhat(&chains) > 1.1);
        // A drifting chain disagrees with itself: split R-hat sees it even with one chain.
        let drift: Vec<f64> = (0..1000).map(|i| i as f64 / 100.0).collect();
        assert!(split_rhat(&[drift]) > 1.5);
        assert!(split_rhat(&[vec![1.0, 2.0]]).is_nan());
    }
}
