//! Log-densities and supports: what calibration needs to use a distribution as a prior.
//!
//! Continuous families give the log of the probability density; discrete ones (constant,
//! Poisson, Bernoulli, weighted choice) the log of the probability mass. Outside the support
//! the result is `-inf`; it is never `NaN` for a valid distribution and a finite `x`.

use super::Distribution;
use statrs::function::{beta as sbeta, gamma as sgamma};

/// `ln sqrt(2 pi)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

impl Distribution {
    /// The natural log of the density (continuous) or mass (discrete) at `x`; `-inf` where
    /// `x` cannot occur. A truncated distribution is renormalised over its interval.
    pub fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let ninf = f64::NEG_INFINITY;
        match self {
            Distribution::Constant(c) => ln_mass(x == *c, 1.0),
            Distribution::Uniform { min, max } => {
                if x < *min || x > *max {
                    ninf
                } else {
                    -(max - min).ln()
                }
            }
            Distribution::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                -0.5 * z * z - sd.ln() - LN_SQRT_2PI
            }
            Distribution::LogNormal { .. } | Distribution::LogNormalMeanSd { .. } => {
                let (mu, sigma) = self.lognormal_params().unwrap_or((f64::NAN, f64::NAN));
                if x <= 0.0 {
                    return ninf;
                }
                let z = (x.ln() - mu) / sigma;
                -0.5 * z * z - sigma.ln() - LN_SQRT_2PI - x.ln()
            }
            Distribution::Triangular { min, mode, max } => triangular(*min, *mode, *max, x),
            Distribution::Pert { .. } | Distribution::Beta { .. } => {
                let (a, b, min, max) = self.beta_params().unwrap_or((f64::NAN, 0.0, 0.0, 0.0));
                if x < min || x > max {
                    return ninf;
                }
                let y = (x - min) / (max - min);
                xlny(a - 1.0, y) + xlny(b - 1.0, 1.0 - y) - sbeta::ln_beta(a, b) - (max - min).ln()
            }
            Distribution::Gamma { shape, scale } => {
                if x < 0.0 {
                    return ninf;
                }
                xlny(shape - 1.0, x / scale) - x / scale - sgamma::ln_gamma(*shape) - scale.ln()
            }
            Distribution::Exponential { rate } => {
                if x < 0.0 {
                    ninf
                } else {
                    rate.ln() - rate * x
                }
            }
            Distribution::Poisson { mean } => {
                if x < 0.0 || x.fract() != 0.0 {
                    ninf
                } else {
                    xlny(x, *mean) - mean - sgamma::ln_gamma(x + 1.0)
                }
            }
            Distribution::Bernoulli { p } => {
                if x == 0.0 {
                    (1.0 - p).ln()
                } else {
                    ln_mass(x == 1.0, *p)
                }
            }
            Distribution::Discrete { values, weights } => {
                let total: f64 = weights.iter().sum();
                let w: f64 = values
                    .iter()
                    .zip(weights)
                    .filter(|(v, _)| **v == x)
                    .map(|(_, w)| *w)
                    .sum();
                ln_mass(w > 0.0, w / total)
            }
            Distribution::Truncated { base, lo, hi } => {
                if x < *lo || x > *hi {
                    return ninf;
                }
                let (plo, phi) = base.truncation_probs(*lo, *hi);
                base.ln_pdf(x) - (phi - plo).ln()
            }
        }
    }

    /// The smallest interval `[lo, hi]` holding every value the distribution can take (ends
    /// may be infinite).
    pub fn support(&self) -> (f64, f64) {
        let inf = f64::INFINITY;
        match self {
            Distribution::Constant(c) => (*c, *c),
            Distribution::Uniform { min, max } | Distribution::Triangular { min, max, .. } => {
                (*min, *max)
            }
            Distribution::Pert { min, max, .. } | Distribution::Beta { min, max, .. } => {
                (*min, *max)
            }
            Distribution::Normal { .. } => (-inf, inf),
            Distribution::LogNormal { .. }
            | Distribution::LogNormalMeanSd { .. }
            | Distribution::Gamma { .. }
            | Distribution::Exponential { .. }
            | Distribution::Poisson { .. } => (0.0, inf),
            Distribution::Bernoulli { .. } => (0.0, 1.0),
            Distribution::Discrete { values, .. } => (
                values.iter().copied().fold(inf, f64::min),
                values.iter().copied().fold(-inf, f64::max),
            ),
            Distribution::Truncated { base, lo, hi } => {
                let (a, b) = base.support();
                (a.max(*lo), b.min(*hi))
            }
        }
    }

    /// The median (the quantile at one half).
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// `ln p` where the value is possible, else `-inf`.
fn ln_mass(possible: bool, p: f64) -> f64 {
    if possible {
        p.ln()
    } else {
        f64::NEG_INFINITY
    }
}

/// `a ln y` with `0 ln 0 = 0`, so a beta or gamma with shape 1 has a finite density at its end.
fn xlny(a: f64, y: f64) -> f64 {
    if a == 0.0 {
        0.0
    } else {
        a * y.ln()
    }
}

/// The triangular log-density, including a mode at either end.
fn triangular(a: f64, c: f64, b: f64, x: f64) -> f64 {
    if x < a || x > b {
        return f64::NEG_INFINITY;
    }
    let density = if x < c || (x == c && c == b) {
        2.0 * (x - a) / ((b - a) * (c - a))
    } else {
        2.0 * (b - x) / ((b - a) * (b - c))
    };
    density.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Distribution {
        Distribution::parse(text).unwrap()
    }

    #[test]
    fn log_densities_match_closed_forms() {
        let close = |t: &str, x: f64, want: f64| {
            let got = d(t).ln_pdf(x);
            assert!((got - want).abs() < 1e-12, "{t} at {x}: {got} vs {want}");
        };
        // Standard normal at 0 and 1: -ln sqrt(2 pi), then minus one half.
        close("normal(0, 1)", 0.0, -0.918_938_533_204_672_8);
        close(
            "normal(2, 3)",
            5.0,
            -0.5 - 3f64.ln() - 0.918_938_533_204_672_8,
        );
        close("uniform(2, 6)", 3.0, -(4f64.ln()));
        // lognormal(0, 1) at e: phi(1) / e.
        close(
            "lognormal(0, 1)",
            std::f64::consts::E,
            -0.5 - 0.918_938_533_204_672_8 - 1.0,
        );
        // Triangular(0, 1, 4): 2x/4 below the mode, 2(4-x)/12 above it.
        close("triangular(0, 1, 4)", 0.5, 0.25f64.ln());
        close("triangular(0, 1, 4)", 2.5, (3.0 / 12.0f64).ln());
        // Beta(2, 3) = 12 y (1-y)^2; at 0.25: 12 * 0.25 * 0.5625.
        close("beta(2, 3)", 0.25, (12.0 * 0.25 * 0.5625f64).ln());
        // The same beta scaled to [10, 20]: divided by the width.
        close("beta(2, 3, 10, 20)", 12.5, (1.2 * 0.25 * 0.5625f64).ln());
        // PERT(0, 1, 2) is beta(3, 3) on [0, 2]: 30 y^2 (1-y)^2 / 2 at y = 0.25.
        close("pert(0, 1, 2)", 0.5, (15.0 * 0.0625 * 0.5625f64).ln());
        // Gamma(2, scale 3): x e^{-x/3} / 9.
        close("gamma(2, 3)", 4.0, (4.0 / 9.0f64).ln() - 4.0 / 3.0);
        close("exponential(0.5)", 2.0, 0.5f64.ln() - 1.0);
        // Poisson(3) at 2: 9 e^-3 / 2.
        close("poisson(3)", 2.0, (4.5f64).ln() - 3.0);
        close("bernoulli(0.3)", 1.0, 0.3f64.ln());
        close("bernoulli(0.3)", 0.0, 0.7f64.ln());
        close("discrete(1: 1, 2: 3)", 2.0, 0.75f64.ln());
        // Half-normal: twice the normal density.
        close(
            "normal(0, 1) truncated [0, inf]",
            1.0,
            2f64.ln() - 0.5 - 0.918_938_533_204_672_8,
        );
        // Exponential(1) truncated to [0, 1]: e^{-x} / (1 - e^{-1}).
        close(
            "exponential(1) truncated [0, 1]",
            0.5,
            -0.5 - (1.0 - (-1f64).exp()).ln(),
        );
        // Poisson(4) truncated to [2, 6]: mass over P(2 <= N <= 6).
        let p = |k: f64| (k * 4f64.ln() - 4.0 - sgamma::ln_gamma(k + 1.0)).exp();
        let inside: f64 = (2..=6).map(|k| p(k as f64)).sum();
        close("poisson(4) truncated [2, 6]", 3.0, (p(3.0) / inside).ln());
    }

    #[test]
    fn outside_the_support_is_impossible() {
        for (t, x) in [
            ("uniform(2, 6)", 1.9),
            ("lognormal(0, 1)", -1.0),
            ("gamma(2, 3)", -0.1),
            ("beta(2, 3)", 1.1),
            ("triangular(0, 1, 4)", 4.5),
            ("poisson(3)", 2.5),
            ("bernoulli(0.3)", 0.5),
            ("normal(0, 1) truncated [0, inf]", -0.1),
        ] {
            assert_eq!(d(t).ln_pdf(x), f64::NEG_INFINITY, "{t} at {x}");
        }
    }

    #[test]
    fn densities_are_the_derivative_of_the_cdf() {
        for t in [
            "normal(0.1, 0.02)",
            "lognormal_mean_sd(100, 20)",
            "triangular(20, 35, 80)",
            "pert(1, 2, 5)",
            "beta(2, 5, 10, 20)",
            "gamma(2.5, 3)",
            "exponential(0.5)",
            "uniform(2, 5)",
            "normal(0.1, 0.02) truncated [0.09, 1]",
            "gamma(2, 1) truncated [1, inf]",
        ] {
            let dist = d(t);
            for u in [0.1, 0.3, 0.6, 0.9] {
                let x = dist.quantile(u);
                let h = 1e-5 * x.abs().max(1e-3);
                let slope = (dist.cdf(x + h) - dist.cdf(x - h)) / (2.0 * h);
                let pdf = dist.ln_pdf(x).exp();
                assert!(
                    (slope - pdf).abs() < 1e-5 * pdf.max(1.0),
                    "{t} at {x}: cdf slope {slope} vs pdf {pdf}"
                );
            }
        }
    }

    #[test]
    fn supports_and_medians() {
        assert_eq!(d("uniform(2, 6)").support(), (2.0, 6.0));
        assert_eq!(d("gamma(2, 3)").support(), (0.0, f64::INFINITY));
        assert_eq!(
            d("normal(0, 1) truncated [-inf, 0.5]").support(),
            (f64::NEG_INFINITY, 0.5)
        );
        assert_eq!(d("lognormal(0, 1) truncated [1, 9]").support(), (1.0, 9.0));
        assert!((d("lognormal(1, 0.5)").median() - 1f64.exp()).abs() < 1e-12);
    }
}
