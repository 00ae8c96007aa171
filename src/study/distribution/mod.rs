//! Probability distributions for uncertain model inputs: parameters, validation and moments.
//!
//! A [`Distribution`] is plain data (it prints and parses as text, see [`syntax`]); the
//! quantile function and CDF live in [`quantile`], direct random draws in [`sample`].

mod check;
mod density;
mod parse;
pub mod quantile;
pub mod sample;
pub mod syntax;

pub use sample::uniform_open01;
pub use syntax::DistError;

/// The probability distribution of one uncertain input.
///
/// Construct through [`Distribution::parse`] or build a variant and call
/// [`Distribution::validate`]: the sampling functions never panic, but an invalid
/// distribution yields `NaN` samples.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Always the same value.
    Constant(f64),
    /// Uniform on `[min, max]`, `min < max`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// Normal with the given mean and standard deviation (`sd > 0`).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Log-normal: `ln X` is normal with mean `mu` and standard deviation `sigma > 0`.
    LogNormal {
        /// Mean of `ln X`.
        mu: f64,
        /// Standard deviation of `ln X`.
        sigma: f64,
    },
    /// Log-normal given by the mean and standard deviation of `X` itself (both `> 0`).
    LogNormalMeanSd {
        /// Mean of `X`.
        mean: f64,
        /// Standard deviation of `X`.
        sd: f64,
    },
    /// Triangular on `[min, max]` with peak at `mode`.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// Beta-PERT on `[min, max]` with most likely value `mode` (lambda = 4).
    Pert {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// Beta with shapes `a, b > 0`, scaled from `[0, 1]` to `[min, max]`.
    Beta {
        /// First shape (alpha).
        a: f64,
        /// Second shape (beta).
        b: f64,
        /// Lower end (0 for the standard beta).
        min: f64,
        /// Upper end (1 for the standard beta).
        max: f64,
    },
    /// Gamma with `shape > 0` and `scale > 0` (mean `shape * scale`).
    Gamma {
        /// Shape k.
        shape: f64,
        /// Scale theta.
        scale: f64,
    },
    /// Exponential with `rate > 0` (mean `1 / rate`).
    Exponential {
        /// Rate lambda.
        rate: f64,
    },
    /// Poisson count with `mean > 0`.
    Poisson {
        /// Mean lambda.
        mean: f64,
    },
    /// A risk event: 1 with probability `p`, else 0.
    Bernoulli {
        /// Probability of 1.
        p: f64,
    },
    /// A weighted choice among values. After [`Distribution::parse`] the values are sorted
    /// ascending and distinct; weights need not sum to 1.
    Discrete {
        /// The possible values.
        values: Vec<f64>,
        /// Non-negative weights, one per value, not all zero.
        weights: Vec<f64>,
    },
    /// `base` conditioned on lying in `[lo, hi]` (either end may be infinite).
    Truncated {
        /// The distribution being truncated (never itself truncated).
        base: Box<Distribution>,
        /// Lower bound, inclusive.
        lo: f64,
        /// Upper bound, inclusive.
        hi: f64,
    },
}

/// Smallest probability a truncation interval may hold. Below this the interval is
/// numerically indistinguishable from empty and the quantile mapping loses all precision.
pub const MIN_TRUNCATED_MASS: f64 = 1e-9;

impl Distribution {
    /// The distribution's family name as written in the text syntax.
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Constant(_) => "constant",
            Distribution::Uniform { .. } => "uniform",
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
            Distribution::LogNormalMeanSd { .. } => "lognormal_mean_sd",
            Distribution::Triangular { .. } => "triangular",
            Distribution::Pert { .. } => "pert",
            Distribution::Beta { .. } => "beta",
            Distribution::Gamma { .. } => "gamma",
            Distribution::Exponential { .. } => "exponential",
            Distribution::Poisson { .. } => "poisson",
            Distribution::Bernoulli { .. } => "bernoulli",
            Distribution::Discrete { .. } => "discrete",
            Distribution::Truncated { base, .. } => base.name(),
        }
    }

    /// Whether the distribution takes only isolated values (constant, Poisson, Bernoulli,
    /// discrete), so its CDF has jumps.
    pub fn is_discrete(&self) -> bool {
        match self {
            Distribution::Constant(_)
            | Distribution::Poisson { .. }
            | Distribution::Bernoulli { .. }
            | Distribution::Discrete { .. } => true,
            Distribution::Truncated { base, .. } => base.is_discrete(),
            _ => false,
        }
    }

    /// Restricts the distribution to `[lo, hi]`, checking that the interval holds probability.
    pub fn truncated(self, lo: f64, hi: f64) -> Result<Distribution, DistError> {
        let d = Distribution::Truncated {
            base: Box::new(self),
            lo,
            hi,
        };
        d.validate()?;
        Ok(d)
    }

    /// Checks the parameters; the error names the offending parameter.
    pub fn validate(&self) -> Result<(), DistError> {
        check::check(self).map_err(|e| e.into_error(0))
    }

    /// `(mu, sigma)` of the underlying normal for either log-normal form.
    pub(crate) fn lognormal_params(&self) -> Option<(f64, f64)> {
        match *self {
            Distribution::LogNormal { mu, sigma } => Some((mu, sigma)),
            Distribution::LogNormalMeanSd { mean, sd } => {
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                Some((mean.ln() - s2 / 2.0, s2.sqrt()))
            }
            _ => None,
        }
    }

    /// `(a, b, min, max)` of the scaled beta behind a PERT or beta distribution.
    pub(crate) fn beta_params(&self) -> Option<(f64, f64, f64, f64)> {
        match *self {
            Distribution::Beta { a, b, min, max } => Some((a, b, min, max)),
            Distribution::Pert { min, mode, max } => {
                let range = max - min;
                Some((
                    1.0 + 4.0 * (mode - min) / range,
                    1.0 + 4.0 * (max - mode) / range,
                    min,
                    max,
                ))
            }
            _ => None,
        }
    }

    /// The expected value. Closed form for every family; for a truncated distribution it is
    /// the integral of the quantile function by the midpoint rule (relative error about 1e-6
    /// for smooth bases, worse for very heavy tails).
    pub fn mean(&self) -> f64 {
        self.raw_moments().0
    }

    /// The variance, closed form or (truncated) numerical as for [`Distribution::mean`].
    pub fn variance(&self) -> f64 {
        self.raw_moments().1
    }

    /// Mean and variance.
    fn raw_moments(&self) -> (f64, f64) {
        match self {
            Distribution::Constant(c) => (*c, 0.0),
            Distribution::Uniform { min, max } => ((min + max) / 2.0, (max - min).powi(2) / 12.0),
            Distribution::Normal { mean, sd } => (*mean, sd * sd),
            Distribution::LogNormal { .. } | Distribution::LogNormalMeanSd { .. } => {
                let (mu, sigma) = self.lognormal_params().unwrap_or((f64::NAN, f64::NAN));
                let s2 = sigma * sigma;
                ((mu + s2 / 2.0).exp(), s2.exp_m1() * (2.0 * mu + s2).exp())
            }
            Distribution::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                (
                    (a + b + c) / 3.0,
                    (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
                )
            }
            Distribution::Pert { .. } | Distribution::Beta { .. } => {
                let (a, b, min, max) = self.beta_params().unwrap_or((f64::NAN, 0.0, 0.0, 0.0));
                let range = max - min;
                let s = a + b;
                (
                    min + range * a / s,
                    range * range * a * b / (s * s * (s + 1.0)),
                )
            }
            Distribution::Gamma { shape, scale } => (shape * scale, shape * scale * scale),
            Distribution::Exponential { rate } => (1.0 / rate, 1.0 / (rate * rate)),
            Distribution::Poisson { mean } => (*mean, *mean),
            Distribution::Bernoulli { p } => (*p, p * (1.0 - p)),
            Distribution::Discrete { values, weights } => {
                let total: f64 = weights.iter().sum();
                let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
                let var = values
                    .iter()
                    .zip(weights)
                    .map(|(v, w)| w * (v - mean).powi(2))
                    .sum::<f64>()
                    / total;
                (mean, var)
            }
            Distribution::Truncated { .. } => {
                if self.is_discrete() {
                    return self.discrete_truncated_moments();
                }
                // Midpoint rule on u in (0, 1): E[X^k] = integral of Q(u)^k du.
                const STEPS: usize = 200_000;
                let (mut s1, mut s2) = (0.0, 0.0);
                for i in 0..STEPS {
                    let x = self.quantile((i as f64 + 0.5) / STEPS as f64);
                    s1 += x;
                    s2 += x * x;
                }
                let m = s1 / STEPS as f64;
                (m, (s2 / STEPS as f64 - m * m).max(0.0))
            }
        }
    }

    /// Moments of a truncated discrete distribution by summing its probability mass.
    fn discrete_truncated_moments(&self) -> (f64, f64) {
        let Distribution::Truncated { base, lo, hi } = self else {
            return (f64::NAN, f64::NAN);
        };
        let points: Vec<(f64, f64)> = match base.as_ref() {
            Distribution::Constant(c) => vec![(*c, 1.0)],
            Distribution::Bernoulli { p } => vec![(0.0, 1.0 - p), (1.0, *p)],
            Distribution::Discrete { values, weights } => values
                .iter()
                .copied()
                .zip(weights.iter().copied())
                .collect(),
            Distribution::Poisson { mean } => {
                // Mass beyond mean + 40 sd + 40 is below 1e-300 relative to the whole.
                let top = (mean + 40.0 * mean.sqrt() + 40.0).min(hi.max(0.0)).floor();
                let start = lo.max(0.0).ceil();
                let mut pts = Vec::new();
                let mut k = start;
                while k <= top {
                    pts.push((k, base.cdf(k) - base.cdf(k - 1.0)));
                    k += 1.0;
                }
                pts
            }
            _ => return (f64::NAN, f64::NAN),
        };
        let inside: Vec<(f64, f64)> = points
            .into_iter()
            .filter(|(v, _)| *v >= *lo && *v <= *hi)
            .collect();
        let total: f64 = inside.iter().map(|(_, w)| w).sum();
        let mean = inside.iter().map(|(v, w)| v * w).sum::<f64>() / total;
        let var = inside
            .iter()
            .map(|(v, w)| w * (v - mean).powi(2))
            .sum::<f64>()
            / total;
        (mean, var)
    }
}

#[cfg(test)]
mod tests;
