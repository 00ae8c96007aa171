//! Sample quantiles by linear interpolation between order statistics (Hyndman–Fan type 7,
//! the default of R and NumPy).

/// Type-7 quantile of ascending, `NaN`-free data: `x[floor(h)] + (h - floor(h)) *
/// (x[floor(h)+1] - x[floor(h)])` with `h = p (n - 1)`. `p` is clamped to `[0, 1]`;
/// empty data or `NaN` p give `NaN`.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || p.is_nan() {
        return f64::NAN;
    }
    let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (sorted[lo], sorted[hi]);
    let frac = h - lo as f64;
    if a == b || frac == 0.0 {
        // Also avoids inf - inf when both order statistics are infinite.
        a
    } else {
        a + frac * (b - a)
    }
}

/// Type-7 quantiles of `values` at each probability in `probs`. `NaN` values are excluded;
/// if none remain every result is `NaN`.
pub fn quantiles(values: &[f64], probs: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    probs.iter().map(|&p| quantile_sorted(&sorted, p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_type7_definition() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0, .1, .25, .5, .9, 1)) = 1 1.4 2 3 7.6 10
        let q = quantiles(
            &[10.0, 2.0, 4.0, 1.0, 3.0],
            &[0.0, 0.1, 0.25, 0.5, 0.9, 1.0],
        );
        let want = [1.0, 1.4, 2.0, 3.0, 7.6, 10.0];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn excludes_nan_and_handles_empty() {
        let q = quantiles(&[f64::NAN, 1.0, 3.0, f64::NAN], &[0.5]);
        assert_eq!(q, vec![2.0]);
        assert!(quantiles(&[f64::NAN], &[0.5])[0].is_nan());
        assert!(quantiles(&[], &[0.5])[0].is_nan());
        assert_eq!(quantiles(&[5.0], &[0.0, 0.7, 1.0]), vec![5.0; 3]);
        assert_eq!(
            quantiles(&[f64::INFINITY, f64::INFINITY], &[0.5]),
            vec![f64::INFINITY]
        );
    }
}
