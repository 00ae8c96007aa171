//! How likely the data are given a simulation: the error models of calibration.
//!
//! * [`Likelihood::LogNormal`] (default): `ln(1 + y) = ln(1 + s) + e`, `e ~ N(0, σ_k²)`, one
//!   error scale `σ_k` per data column. Zeros are allowed; errors are relative for large
//!   values. The scale is **integrated out** analytically under the reference prior
//!   `p(σ) ∝ 1/σ`, which gives, per column with `n` values and residual sum of squares `SS`,
//!   `ln Γ(n/2) − ln 2 − (n/2) ln(π SS) − Σ ln(1 + y)` (the last term maps the density back
//!   to the data's own scale). The reported scale is `σ̂ = sqrt(SS / n)`.
//! * [`Likelihood::NegBinomial`]: counts `y ~ NB(mean s, dispersion r_k)` (variance
//!   `s + s²/r_k`), the dispersion per column **profiled**: maximised on `ln r` in
//!   [1e-2, 1e7] at every evaluation.

use super::data::Data;
use crate::diagnostic::{Diagnostic, Diagnostics};
use statrs::function::gamma::ln_gamma;

/// Fewest values a column needs for its error scale to be estimated.
pub const MIN_VALUES: usize = 3;

/// The error model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Likelihood {
    /// Normal errors on the `ln(1 + x)` scale, scale integrated out per column.
    #[default]
    LogNormal,
    /// Negative binomial counts, dispersion profiled per column.
    NegBinomial,
}

impl std::str::FromStr for Likelihood {
    type Err = String;
    fn from_str(text: &str) -> Result<Likelihood, String> {
        Likelihood::parse(text)
            .ok_or_else(|| format!("unknown likelihood `{text}`; use lognormal or negbin"))
    }
}

impl Likelihood {
    /// Parses `lognormal` (also `normal-log1p`) or `negbin`.
    pub fn parse(text: &str) -> Option<Likelihood> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lognormal" | "log1p" | "normal-log1p" => Some(Likelihood::LogNormal),
            "negbin" | "negative-binomial" | "negbinomial" => Some(Likelihood::NegBinomial),
            _ => None,
        }
    }

    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Likelihood::LogNormal => "lognormal",
            Likelihood::NegBinomial => "negbin",
        }
    }

    /// One sentence for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Likelihood::LogNormal => "normal errors on the ln(1 + x) scale, one error scale per column integrated out under p(σ) ∝ 1/σ",
            Likelihood::NegBinomial => "negative binomial counts around the simulated value, one dispersion per column profiled out",
        }
    }

    /// Checks that every column suits the error model.
    pub fn check(self, data: &Data) -> Result<(), Diagnostics> {
        let mut errors = Vec::new();
        for s in &data.series {
            let n = s.values.iter().flatten().count();
            if n < MIN_VALUES {
                errors.push(
                    Diagnostic::new(
                        format!("column `{}` has {n} value(s); its error scale needs at least {MIN_VALUES}", s.header),
                        s.at.clone(),
                    )
                    .with_hint("add rows, or leave the column out"),
                );
            }
            if let Some(v) = s.values.iter().flatten().find(|v| **v < 0.0) {
                errors.push(
                    Diagnostic::new(
                        format!("column `{}` holds the negative value {v}", s.header),
                        s.at.clone(),
                    )
                    .with_hint(match self {
                        Likelihood::LogNormal => {
                            "the ln(1 + x) error model needs values of 0 or more"
                        }
                        Likelihood::NegBinomial => "negative binomial data are counts of 0 or more",
                    }),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// The log-likelihood of the data given `sim` (laid out as [`super::Problem::simulate`]
    /// writes it).
    pub fn log_likelihood(self, data: &Data, sim: &[f64]) -> f64 {
        let rows = data.times.len();
        (0..data.series.len())
            .map(|k| {
                let obs = pairs(data, sim, k, rows);
                match self {
                    Likelihood::LogNormal => lognormal_marginal(obs),
                    Likelihood::NegBinomial => negbin_profile(obs).0,
                }
            })
            .sum()
    }

    /// Per column: the profile log-likelihood at its estimated scale, and that scale
    /// (`σ̂` on the log scale, or the negative binomial dispersion `r̂`).
    pub fn fit_statistics(self, data: &Data, sim: &[f64]) -> Vec<(f64, f64)> {
        let rows = data.times.len();
        (0..data.series.len())
            .map(|k| {
                let obs = pairs(data, sim, k, rows);
                match self {
                    Likelihood::LogNormal => {
                        let (n, ss, jac) = lognormal_sums(obs);
                        let s2 = (ss / n).max(f64::MIN_POSITIVE);
                        let ll = -0.5 * n * (2.0 * std::f64::consts::PI * s2).ln() - 0.5 * n - jac;
                        (ll, s2.sqrt())
                    }
                    Likelihood::NegBinomial => negbin_profile(obs),
                }
            })
            .collect()
    }
}

/// `(observed, simulated)` for the non-empty cells of series `k`.
fn pairs<'a>(
    data: &'a Data,
    sim: &'a [f64],
    k: usize,
    rows: usize,
) -> impl Iterator<Item = (f64, f64)> + Clone + 'a {
    data.series[k]
        .values
        .iter()
        .zip(&sim[k * rows..(k + 1) * rows])
        .filter_map(|(y, s)| y.map(|y| (y, *s)))
}

/// `(n, SS, Σ ln(1 + y))` on the log scale; a negative simulated value counts as zero.
fn lognormal_sums(obs: impl Iterator<Item = (f64, f64)>) -> (f64, f64, f64) {
    obs.fold((0.0, 0.0, 0.0), |(n, ss, jac), (y, s)| {
        let r = y.ln_1p() - s.max(0.0).ln_1p();
        (n + 1.0, ss + r * r, jac + y.ln_1p())
    })
}

fn lognormal_marginal(obs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (n, ss, jac) = lognormal_sums(obs);
    if n == 0.0 {
        return 0.0;
    }
    if ss.is_nan() {
        return f64::NEG_INFINITY;
    }
    // A perfect fit would make the marginal infinite; a floor far below any real residual.
    let ss = ss.max(n * 1e-24);
    ln_gamma(n / 2.0) - std::f64::consts::LN_2 - 0.5 * n * (std::f64::consts::PI * ss).ln() - jac
}

/// The negative binomial log-likelihood maximised over the dispersion: `(value, r̂)`.
fn negbin_profile(obs: impl Iterator<Item = (f64, f64)> + Clone) -> (f64, f64) {
    let ll = |ln_r: f64| {
        let r = ln_r.exp();
        obs.clone()
            .map(|(y, s)| {
                let mu = s.max(1e-9);
                ln_gamma(y + r) - ln_gamma(r) - ln_gamma(y + 1.0)
                    + r * (r / (r + mu)).ln()
                    + y * (mu / (r + mu)).ln()
            })
            .sum::<f64>()
    };
    // Golden-section search: the profile is smooth and, in practice, unimodal in ln r.
    let (mut a, mut b) = (1e-2f64.ln(), 1e7f64.ln());
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (ll(c), ll(d));
    for _ in 0..60 {
        if fc >= fd {
            (b, d, fd) = (d, c, fc);
            c = b - g * (b - a);
            fc = ll(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + g * (b - a);
            fd = ll(d);
        }
    }
    let best = if fc >= fd { c } else { d };
    let value = ll(best);
    (
        if value.is_nan() {
            f64::NEG_INFINITY
        } else {
            value
        },
        best.exp(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_marginal_integrates_the_scale_out() {
        // Numerically integrate prod N(r_i; 0, σ²) / σ over σ and compare.
        let obs = [(10.0, 9.0), (20.0, 23.0), (5.0, 5.5), (0.0, 0.3)];
        let res: Vec<f64> = obs
            .iter()
            .map(|(y, s)| f64::ln_1p(*y) - f64::ln_1p(*s))
            .collect();
        let jac: f64 = obs.iter().map(|(y, _)| f64::ln_1p(*y)).sum();
        let mut total = 0.0;
        let n = 200_000;
        let (lo, hi) = (1e-4f64.ln(), 10f64.ln());
        let h = (hi - lo) / n as f64;
        for i in 0..n {
            // In ln σ the integrand p(r | σ) / σ dσ becomes p(r | σ) d ln σ.
            let sigma = (lo + (i as f64 + 0.5) * h).exp();
            let lp: f64 = res
                .iter()
                .map(|r| -0.5 * (r / sigma).powi(2) - sigma.ln() - 0.918_938_533_204_672_8)
                .sum();
            total += lp.exp() * h;
        }
        let got = lognormal_marginal(obs.iter().copied());
        assert!(
            (got - (total.ln() - jac)).abs() < 1e-6,
            "{got} vs {}",
            total.ln() - jac
        );
    }

    #[test]
    fn negbin_profile_finds_the_dispersion_and_matches_the_pmf() {
        // One observation y = 3 at mean 2 with large r tends to Poisson: 2^3 e^-2 / 6.
        let poisson = (8.0f64 / 6.0).ln() - 2.0;
        let (ll, r) = negbin_profile([(3.0, 2.0), (2.0, 2.0), (1.0, 2.0)].into_iter());
        // Under-dispersed data push r to the top of its range, where NB is Poisson.
        assert!(r > 1e6, "{r}");
        let pois_all = poisson + (4.0f64 / 2.0).ln() - 2.0 + 2f64.ln() - 2.0;
        assert!((ll - pois_all).abs() < 1e-5, "{ll} vs {pois_all}");
        // Over-dispersed data: a finite dispersion beats the Poisson limit.
        let (ll2, r2) =
            negbin_profile([(0.0, 10.0), (30.0, 10.0), (2.0, 10.0), (15.0, 10.0)].into_iter());
        assert!(r2 < 10.0, "{r2}");
        let pois: f64 = [0.0f64, 30.0, 2.0, 15.0]
            .iter()
            .map(|&y| y * 10f64.ln() - 10.0 - ln_gamma(y + 1.0))
            .sum();
        assert!(ll2 > pois + 5.0);
    }
}
