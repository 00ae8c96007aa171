//! Counting functions of Stella's: `PERMUTATIONS`, and the quantiles of the Poisson and
//! negative binomial distributions, which turn a uniform draw into `POISSON` and
//! `NEGBINOMIAL` draws (inverse-CDF sampling: one draw from the call's keyed stream each).

use statrs::function::beta::checked_beta_reg;
use statrs::function::gamma::checked_gamma_ur;

/// `n!/(n − k)!`, the ordered selections of `k` from `n` (both truncated to whole numbers);
/// 0 when `k > n`, NaN when either is negative or not finite.
pub fn permutations(n: f64, k: f64) -> f64 {
    if !(n.is_finite() && k.is_finite()) || n < 0.0 || k < 0.0 {
        return f64::NAN;
    }
    let (n, k) = (n.trunc(), k.trunc());
    if k > n {
        return 0.0;
    }
    let mut product = 1.0f64;
    let mut i = 0.0;
    // Past 171 factors the product overflows anyway.
    while i < k && product.is_finite() {
        product *= n - i;
        i += 1.0;
    }
    product
}

/// The smallest whole `k ≥ 0` with `cdf(k) ≥ u`, for a non-decreasing `cdf` reaching 1;
/// `guess` is a point the search starts its upper bracket from. NaN when `cdf` is NaN.
fn quantile(u: f64, guess: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    let mut hi = guess.max(1.0).ceil();
    let mut doublings = 0;
    loop {
        let c = cdf(hi);
        if c.is_nan() {
            return f64::NAN;
        }
        if c >= u || doublings > 60 {
            break;
        }
        hi *= 2.0;
        doublings += 1;
    }
    let first = cdf(0.0);
    if first.is_nan() {
        return f64::NAN;
    }
    if first >= u {
        return 0.0;
    }
    // cdf(lo) < u ≤ cdf(hi)
    let mut lo = 0.0;
    while hi - lo > 1.0 {
        let mid = (0.5 * (lo + hi)).floor();
        if cdf(mid) >= u {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The Poisson quantile of `u` in [0, 1) for mean `mean ≥ 0`: P(X ≤ k) = Q(k + 1, mean).
pub fn poisson(u: f64, mean: f64) -> f64 {
    if !(mean >= 0.0 && mean.is_finite() && (0.0..1.0).contains(&u)) {
        return f64::NAN;
    }
    if mean == 0.0 {
        return 0.0;
    }
    quantile(u, mean + 10.0 * mean.sqrt() + 10.0, |k| {
        checked_gamma_ur(k + 1.0, mean).unwrap_or(f64::NAN)
    })
}

/// The quantile of `u` in [0, 1) of the number of failures before the `successes`-th success
/// (`successes > 0`) in trials succeeding with probability `p` in (0, 1]:
/// P(X ≤ k) = I_p(successes, k + 1).
pub fn negative_binomial(u: f64, successes: f64, p: f64) -> f64 {
    let valid = successes > 0.0 && successes.is_finite() && p > 0.0 && p <= 1.0;
    if !(valid && (0.0..1.0).contains(&u)) {
        return f64::NAN;
    }
    if p == 1.0 {
        return 0.0;
    }
    let mean = successes * (1.0 - p) / p;
    let sd = mean.sqrt() / p.sqrt();
    quantile(u, mean + 10.0 * sd + 10.0, |k| {
        checked_beta_reg(successes, k + 1.0, p).unwrap_or(f64::NAN)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_count_ordered_selections() {
        assert_eq!(permutations(5.0, 2.0), 20.0);
        assert_eq!(permutations(5.0, 0.0), 1.0);
        assert_eq!(permutations(5.0, 5.0), 120.0);
        assert_eq!(permutations(5.9, 2.2), 20.0);
        assert_eq!(permutations(3.0, 4.0), 0.0);
        assert!(permutations(-1.0, 0.0).is_nan());
    }

    /// Poisson(2): P(0) = e⁻², P(≤1) = 3e⁻², P(≤2) = 5e⁻².
    #[test]
    fn poisson_quantiles_follow_the_cumulative_probabilities() {
        let e = (-2.0f64).exp();
        assert_eq!(poisson(0.0, 2.0), 0.0);
        assert_eq!(poisson(e - 1e-9, 2.0), 0.0);
        assert_eq!(poisson(e + 1e-9, 2.0), 1.0);
        assert_eq!(poisson(3.0 * e - 1e-9, 2.0), 1.0);
        assert_eq!(poisson(3.0 * e + 1e-9, 2.0), 2.0);
        assert_eq!(poisson(5.0 * e + 1e-9, 2.0), 3.0);
        assert_eq!(poisson(0.5, 0.0), 0.0);
        assert!(poisson(0.5, -1.0).is_nan());
        // Far in the tail of a large mean.
        let k = poisson(0.999_999, 1e6);
        assert!((k - 1e6 - 4.753 * 1e3).abs() < 10.0, "{k}");
    }

    /// Two successes with p = 1/2: P(0) = 1/4, P(1) = 2/8, P(2) = 3/16.
    #[test]
    fn negative_binomial_quantiles_follow_the_cumulative_probabilities() {
        assert_eq!(negative_binomial(0.2, 2.0, 0.5), 0.0);
        assert_eq!(negative_binomial(0.3, 2.0, 0.5), 1.0);
        assert_eq!(negative_binomial(0.49, 2.0, 0.5), 1.0);
        assert_eq!(negative_binomial(0.51, 2.0, 0.5), 2.0);
        assert_eq!(negative_binomial(0.6, 2.0, 0.5), 2.0);
        assert_eq!(negative_binomial(0.7, 2.0, 0.5), 3.0);
        assert_eq!(negative_binomial(0.9, 2.0, 1.0), 0.0);
        assert!(negative_binomial(0.5, 0.0, 0.5).is_nan());
        assert!(negative_binomial(0.5, 2.0, 0.0).is_nan());
    }
}
