//! Direct random draws (simple random sampling) with the `rand_distr` samplers.
//!
//! Truncated and discrete distributions are drawn through the quantile function from one
//! open-interval uniform, which is exact and needs no rejection loop.

use super::Distribution;
use rand::{Rng, RngExt};

/// A uniform number strictly inside `(0, 1)`: 53 random bits centred in their cell, so
/// quantile functions never see exactly 0 or 1 (which map to infinite values).
pub fn uniform_open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

impl Distribution {
    /// One draw. Invalid parameters (a distribution built by hand and never validated)
    /// give `NaN` rather than a panic.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        use rand_distr as rd;
        match self {
            Distribution::Constant(c) => *c,
            Distribution::Uniform { min, max } => min + (max - min) * uniform_open01(rng),
            Distribution::Normal { mean, sd } => {
                rd::Normal::new(*mean, *sd).map_or(f64::NAN, |d| rng.sample(d))
            }
            Distribution::LogNormal { .. } | Distribution::LogNormalMeanSd { .. } => {
                let (mu, sigma) = self.lognormal_params().unwrap_or((f64::NAN, f64::NAN));
                rd::LogNormal::new(mu, sigma).map_or(f64::NAN, |d| rng.sample(d))
            }
            Distribution::Triangular { min, mode, max } => {
                rd::Triangular::new(*min, *max, *mode).map_or(f64::NAN, |d| rng.sample(d))
            }
            Distribution::Pert { min, mode, max } => rd::Pert::new(*min, *max)
                .with_mode(*mode)
                .map_or(f64::NAN, |d| rng.sample(d)),
            Distribution::Beta { a, b, min, max } => {
                rd::Beta::new(*a, *b).map_or(f64::NAN, |d| min + (max - min) * rng.sample(d))
            }
            Distribution::Gamma { shape, scale } => {
                rd::Gamma::new(*shape, *scale).map_or(f64::NAN, |d| rng.sample(d))
            }
            Distribution::Exponential { rate } => {
                rd::Exp::new(*rate).map_or(f64::NAN, |d| rng.sample(d))
            }
            Distribution::Poisson { mean } => {
                rd::Poisson::new(*mean).map_or(f64::NAN, |d| rng.sample(d))
            }
            Distribution::Bernoulli { p } => match rd::Bernoulli::new(*p) {
                Ok(d) => {
                    if rng.sample(d) {
                        1.0
                    } else {
                        0.0
                    }
                }
                Err(_) => f64::NAN,
            },
            Distribution::Discrete { .. } | Distribution::Truncated { .. } => {
                self.quantile(uniform_open01(rng))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::streams::{Purpose, Streams};

    fn draws(d: &Distribution, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Streams::new(seed).rng(0, Purpose::Inputs);
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    fn mean_var(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        (
            m,
            x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0),
        )
    }

    /// Sample mean within 4 standard errors of the closed form; sample variance within
    /// 4 standard errors too, using the fourth central moment estimated from the sample
    /// (var(s^2) ~ (m4 - s^4) / n). A 4-SE band fails by chance with probability ~6e-5.
    fn check_moments(text: &str) {
        let d = Distribution::parse(text).expect(text);
        let n = 200_000;
        let x = draws(&d, n, 7);
        let (m, v) = mean_var(&x);
        let se_mean = (d.variance() / n as f64).sqrt();
        assert!(
            (m - d.mean()).abs() <= 4.0 * se_mean + 1e-12,
            "{text}: mean {m} vs {} (se {se_mean})",
            d.mean()
        );
        let m4 = x.iter().map(|t| (t - m).powi(4)).sum::<f64>() / n as f64;
        let se_var = ((m4 - v * v).max(0.0) / n as f64).sqrt();
        assert!(
            (v - d.variance()).abs() <= 4.0 * se_var + 1e-12,
            "{text}: variance {v} vs {} (se {se_var})",
            d.variance()
        );
    }

    #[test]
    fn direct_draws_match_closed_form_moments() {
        for text in [
            "uniform(2, 5)",
            "normal(0.1, 0.02)",
            "lognormal(1, 0.5)",
            "lognormal_mean_sd(100, 20)",
            "triangular(20, 35, 80)",
            "pert(1, 2, 5)",
            "beta(2, 5)",
            "beta(2, 5, 10, 20)",
            "gamma(2.5, 3)",
            "gamma(0.4, 1)",
            "exponential(0.5)",
            "poisson(3.5)",
            "poisson(250)",
            "bernoulli(0.3)",
            "discrete(1: 0.2, 2: 0.5, 3: 0.3)",
            "constant(4)",
            "normal(0, 1) truncated [0, inf]",
            "gamma(2, 1) truncated [1, 3]",
            "poisson(4) truncated [2, 6]",
        ] {
            check_moments(text);
        }
    }

    #[test]
    fn truncated_normal_mean_matches_closed_form() {
        // E[X | a <= X <= b] = mu + sigma (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)).
        let d = Distribution::parse("normal(0.1, 0.02) truncated [0.09, 0.2]").unwrap();
        let phi = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (alpha, beta) = ((0.09 - 0.1) / 0.02, (0.2 - 0.1) / 0.02);
        let z = super::super::quantile::std_normal_cdf(beta)
            - super::super::quantile::std_normal_cdf(alpha);
        let exact = 0.1 + 0.02 * (phi(alpha) - phi(beta)) / z;
        assert!((d.mean() - exact).abs() < 1e-7, "{} vs {exact}", d.mean());
        let x = draws(&d, 100_000, 3);
        assert!(x.iter().all(|v| (0.09..=0.2).contains(v)));
        let (m, _) = mean_var(&x);
        assert!((m - exact).abs() < 4.0 * (d.variance() / 1e5).sqrt());
    }

    /// Two-sample Kolmogorov–Smirnov: direct draws against quantile-of-uniform draws.
    /// The 0.1% critical value is 1.95 * sqrt(2/n).
    #[test]
    fn direct_and_quantile_sampling_agree() {
        let n = 20_000;
        for text in [
            "normal(5, 2)",
            "lognormal(0, 0.8)",
            "triangular(1, 2, 6)",
            "pert(1, 2, 5)",
            "beta(0.5, 0.7)",
            "gamma(0.5, 2)",
            "gamma(9, 0.5)",
            "exponential(3)",
            "poisson(12)",
            "bernoulli(0.25)",
        ] {
            let d = Distribution::parse(text).unwrap();
            let mut a = draws(&d, n, 11);
            let mut rng = Streams::new(12).rng(0, Purpose::Inputs);
            let mut b: Vec<f64> = (0..n)
                .map(|_| d.quantile(uniform_open01(&mut rng)))
                .collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            let ks = ks_statistic(&a, &b);
            let crit = 1.95 * (2.0 / n as f64).sqrt();
            assert!(ks < crit, "{text}: KS {ks} >= {crit}");
        }
    }

    fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
        let (mut i, mut j, mut d) = (0, 0, 0.0f64);
        while i < a.len() && j < b.len() {
            let x = a[i].min(b[j]);
            while i < a.len() && a[i] <= x {
                i += 1;
            }
            while j < b.len() && b[j] <= x {
                j += 1;
            }
            d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
        }
        d
    }
}
