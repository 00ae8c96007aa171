//! Mean and standard deviation, for slices and as a streaming accumulator.

/// Mean of the non-`NaN` values; `None` if there are none.
pub fn mean(values: &[f64]) -> Option<f64> {
    let mut w = Welford::new();
    w.extend(values);
    w.mean()
}

/// Sample standard deviation (divisor n - 1) of the non-`NaN` values; `None` for fewer
/// than two.
pub fn std_dev(values: &[f64]) -> Option<f64> {
    let mut w = Welford::new();
    w.extend(values);
    w.std_dev()
}

/// Welford's running mean and variance: numerically stable in one pass, with results that
/// depend only on the values and their order. `NaN` values are skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// An empty accumulator.
    pub fn new() -> Welford {
        Welford::default()
    }

    /// Adds one value (ignored if `NaN`).
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Adds values in order.
    pub fn extend(&mut self, xs: &[f64]) {
        for &x in xs {
            self.push(x);
        }
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean, if any value was counted.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// Sample variance (divisor n - 1), for two or more values.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| self.m2 / (self.n - 1) as f64)
    }

    /// Sample standard deviation.
    pub fn std_dev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        // Sum of squared deviations 32, n - 1 = 7.
        assert!((std_dev(&x).unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(mean(&[f64::NAN, 1.0, 3.0]), Some(2.0));
        assert_eq!(mean(&[]), None);
        assert_eq!(std_dev(&[1.0]), None);
    }

    #[test]
    fn stable_with_a_large_offset() {
        // Naive sum-of-squares loses everything here; Welford keeps the exact variance 1.
        let x: Vec<f64> = (0..1000)
            .map(|i| 1e9 + if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let sd = std_dev(&x).unwrap();
        assert!((sd - (1000.0f64 / 999.0).sqrt()).abs() < 1e-6, "{sd}");
    }
}
