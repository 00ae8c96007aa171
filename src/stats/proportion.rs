//! Confidence intervals for a proportion (the probability of hitting a target).

/// A closed interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// Wilson score interval for `successes` out of `trials` at normal quantile `z`
/// (1.96 for 95 %). Unlike the plain normal interval it stays inside `[0, 1]` and is
/// sensible at 0 or `trials` successes. No trials gives `[0, 1]`.
pub fn wilson(successes: u64, trials: u64, z: f64) -> Interval {
    if trials == 0 {
        return Interval { lo: 0.0, hi: 1.0 };
    }
    let n = trials as f64;
    let p = successes.min(trials) as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 or n successes the exact end is 0 or 1; rounding would leave 1 - 1e-16.
    Interval {
        lo: if successes == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        hi: if successes >= trials {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    }
}

/// The 95 % Wilson interval (z = 1.959964).
pub fn wilson95(successes: u64, trials: u64) -> Interval {
    wilson(successes, trials, 1.959_963_984_540_054)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_values() {
        // 81 of 263 at 95 %: (0.2553, 0.3662), the textbook example.
        let i = wilson95(81, 263);
        assert!(
            (i.lo - 0.2553).abs() < 5e-5 && (i.hi - 0.3662).abs() < 5e-5,
            "{i:?}"
        );
        // 0 of 10: lower bound 0, upper z^2/(n+z^2) = 0.2775.
        let i = wilson95(0, 10);
        assert_eq!(i.lo, 0.0);
        assert!((i.hi - 0.2775).abs() < 5e-4, "{i:?}");
        let i = wilson95(10, 10);
        assert_eq!(i.hi, 1.0);
        assert!((i.lo - 0.7225).abs() < 5e-4);
        assert_eq!(wilson95(0, 0), Interval { lo: 0.0, hi: 1.0 });
    }

    #[test]
    fn wider_for_larger_z_and_narrower_for_more_trials() {
        let a = wilson(50, 100, 1.0);
        let b = wilson(50, 100, 2.0);
        assert!(b.lo < a.lo && b.hi > a.hi);
        let c = wilson(500, 1000, 2.0);
        assert!(c.hi - c.lo < b.hi - b.lo);
    }
}
