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
    let mut kept: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    quantiles_in_place(&mut kept, probs)
}

/// Type-7 quantiles `probs` of `values` (which must hold no NaN), reordering `values`.
///
/// Equal to [`quantile_sorted`] of the sorted values, bit for bit: only the order statistics
/// the quantiles read are found, by selection (linear time each, on shrinking ranges) instead
/// of a full sort, and `total_cmp` makes each order statistic one exact value.
pub fn quantiles_in_place(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![f64::NAN; probs.len()];
    }
    let rank = |p: f64| {
        let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
        let lo = h.floor() as usize;
        (h, lo, (lo + 1).min(n - 1))
    };
    let mut ranks: Vec<usize> = probs
        .iter()
        .filter(|p| !p.is_nan())
        .flat_map(|&p| {
            let (_, lo, hi) = rank(p);
            [lo, hi]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    // Select each rank in the part of the slice right of the previous one: everything there
    // ranks above it, so positions keep their meaning as ranks.
    let mut from = 0;
    for &k in &ranks {
        if k == from && k > 0 {
            // The next order statistic after a selected one is the least of the rest.
            let rest = &mut values[from..];
            let least = (1..rest.len()).fold(0, |m, i| {
                if rest[i].total_cmp(&rest[m]).is_lt() {
                    i
                } else {
                    m
                }
            });
            rest.swap(0, least);
        } else {
            values[from..].select_nth_unstable_by(k - from, f64::total_cmp);
        }
        from = k + 1;
    }
    probs
        .iter()
        .map(|&p| {
            if p.is_nan() {
                return f64::NAN;
            }
            let (h, lo, hi) = rank(p);
            let (a, b) = (values[lo], values[hi]);
            let frac = h - lo as f64;
            if a == b || frac == 0.0 {
                a
            } else {
                a + frac * (b - a)
            }
        })
        .collect()
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

    /// Selection gives the sorted quantiles bit for bit, with ties, atoms, infinities and
    /// signed zeros, at extreme and neighbouring probabilities.
    #[test]
    fn selection_equals_sorting_bit_for_bit() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let probs = [
            0.0, 0.05, 0.25, 0.5, 0.5, 0.75, 0.95, 1.0, 0.333, 1e-9, 0.999_999,
        ];
        for n in [1usize, 2, 3, 7, 100, 1001, 5000] {
            let values: Vec<f64> = (0..n)
                .map(|_| match next() % 9 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3 => 7.0,
                    _ => (next() % 100_000) as f64 / 7.0 - 5000.0,
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let want: Vec<u64> = probs
                .iter()
                .map(|&p| quantile_sorted(&sorted, p).to_bits())
                .collect();
            let mut work = values.clone();
            let got: Vec<u64> = quantiles_in_place(&mut work, &probs)
                .iter()
                .map(|v| v.to_bits())
                .collect();
            assert_eq!(got, want, "n = {n}");
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
