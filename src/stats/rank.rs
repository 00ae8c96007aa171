//! Ranks with ties averaged, and Spearman rank correlation.

/// 1-based ranks of `values`; tied values share the average of their ranks. `NaN`s get a
/// `NaN` rank and do not take part.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![f64::NAN; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Positions i..=j (0-based) share ranks i+1..=j+1, whose average is this.
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = avg;
        }
        i = j + 1;
    }
    out
}

/// Pearson correlation of two equal-length slices; `None` if either is constant or fewer
/// than two values.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then_some(r.clamp(-1.0, 1.0))
}

/// Spearman rank correlation: Pearson correlation of average ranks, over the pairs where
/// neither value is `NaN`. `None` if the slices differ in length, fewer than two pairs
/// remain, or either side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    pearson(&ranks(&xs), &ranks(&ys))
}

/// [`spearman`] of `x` and `y` given their [`ranks`] `rx` and `ry`, so that a column
/// correlated with many others is ranked once. Without `NaN`s the ranks of the pairs are the
/// ranks of the columns and this is the same number; with them it falls back to [`spearman`].
pub fn spearman_ranked(x: &[f64], rx: &[f64], y: &[f64], ry: &[f64]) -> Option<f64> {
    if rx.iter().chain(ry).any(|r| r.is_nan()) || rx.len() != x.len() || ry.len() != y.len() {
        return spearman(x, y);
    }
    pearson(rx, ry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_spearman_is_spearman() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let y = [2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0];
        let r = spearman_ranked(&x, &ranks(&x), &y, &ranks(&y));
        assert_eq!(r, spearman(&x, &y));
        assert!(r.is_some());
        let mut yn = y;
        yn[2] = f64::NAN;
        let r = spearman_ranked(&x, &ranks(&x), &yn, &ranks(&yn));
        assert_eq!(r, spearman(&x, &yn));
        assert_ne!(r, spearman(&x, &y));
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 30.0]), vec![1.5, 3.0, 1.5, 4.0]);
        let r = ranks(&[f64::NAN, 1.0]);
        assert!(r[0].is_nan() && r[1] == 1.0);
    }

    #[test]
    fn spearman_known_values() {
        // Monotone but non-linear: exactly 1.
        let x: Vec<f64> = (1..=20).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v.powi(3)).collect();
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let rev: Vec<f64> = x.iter().rev().copied().collect();
        assert!((spearman(&x, &rev).unwrap() + 1.0).abs() < 1e-12);
        // Hand-computed with ties: x ranks 1,2.5,2.5,4,5; y ranks 1,2,3,5,4 -> 0.8721.
        let r = spearman(&[1.0, 2.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 5.0, 4.0]).unwrap();
        assert!((r - 0.872_081_9).abs() < 1e-6, "{r}");
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }
}
