//! Differences between a scenario and the baseline in the chance of meeting a target, with
//! their 95 % confidence intervals.
//!
//! Scenarios of one comparison run with common random numbers: run *i* of every scenario draws
//! the same inputs and noise. The difference of the per-run hits (−1, 0 or +1) then has a much
//! smaller variance than two independent estimates would, so the paired interval is tight. The
//! pairing needs the counted runs of both scenarios to line up; a study result does not record
//! which runs failed, so pairing is used only when neither scenario lost a run and both ran the
//! same runs from the same seed, and an unpaired interval is given otherwise.

use crate::montecarlo::result::StudyResult;

/// 1.96: the two-sided 95 % normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// A difference in probability (scenario minus baseline) with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Difference {
    /// Scenario's share of hits minus the baseline's.
    pub delta: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
    /// Whether runs were paired (common random numbers) or treated as independent.
    pub paired: bool,
}

/// Mean and 95 % normal interval of the per-run differences `other[i] − base[i]`.
pub(crate) fn paired_difference(base: &[bool], other: &[bool]) -> Option<Difference> {
    let n = base.len();
    if n < 2 || other.len() != n {
        return None;
    }
    let d: Vec<f64> = base
        .iter()
        .zip(other)
        .map(|(&a, &b)| f64::from(u8::from(b)) - f64::from(u8::from(a)))
        .collect();
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = Z95 * (var / n as f64).sqrt();
    Some(Difference {
        delta: mean,
        low: (mean - half).max(-1.0),
        high: (mean + half).min(1.0),
        paired: true,
    })
}

/// Difference of two independent shares with the normal (Wald) interval.
pub(crate) fn unpaired_difference(base: &[bool], other: &[bool]) -> Option<Difference> {
    let share = |h: &[bool]| h.iter().filter(|&&x| x).count() as f64 / h.len() as f64;
    if base.is_empty() || other.is_empty() {
        return None;
    }
    let (pa, pb) = (share(base), share(other));
    let se = (pa * (1.0 - pa) / base.len() as f64 + pb * (1.0 - pb) / other.len() as f64).sqrt();
    let delta = pb - pa;
    Some(Difference {
        delta,
        low: (delta - Z95 * se).max(-1.0),
        high: (delta + Z95 * se).min(1.0),
        paired: false,
    })
}

/// Whether the counted runs of two studies are the same runs, so hits can be paired by index.
pub(crate) fn runs_line_up(a: &StudyResult, b: &StudyResult) -> bool {
    let (x, y) = (&a.summary, &b.summary);
    x.failed_runs.count == 0
        && y.failed_runs.count == 0
        && x.runs == y.runs
        && x.first_run == y.first_run
        && x.seed == y.seed
}

/// The difference for target hits `base` and `other` of studies `a` and `b`: paired when their
/// runs line up, unpaired otherwise.
pub(crate) fn difference(
    a: &StudyResult,
    base: &[bool],
    b: &StudyResult,
    other: &[bool],
) -> Option<Difference> {
    if runs_line_up(a, b) {
        paired_difference(base, other)
    } else {
        unpaired_difference(base, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_difference_by_hand() {
        // Four runs: hits 1,0,0,1 against 1,1,0,1: differences 0,1,0,0; mean 0.25, sample
        // variance (3·0.0625 + 0.5625)/3 = 0.25, standard error 0.25, half-width 0.49.
        let d = paired_difference(&[true, false, false, true], &[true, true, false, true]).unwrap();
        assert!((d.delta - 0.25).abs() < 1e-12);
        assert!((d.high - (0.25 + Z95 * 0.25)).abs() < 1e-12);
        assert!((d.low - (0.25 - Z95 * 0.25)).abs() < 1e-12);
        assert!(d.paired);
    }

    #[test]
    fn common_random_numbers_make_the_paired_interval_tighter() {
        // 1,000 runs; the scenario turns 50 misses into hits and changes nothing else. Paired:
        // the differences are 50 ones; unpaired: two shares near 40 % and 45 %.
        let base: Vec<bool> = (0..1000).map(|i| i % 5 < 2).collect();
        let mut other = base.clone();
        let mut turned = 0;
        for h in other.iter_mut() {
            if !*h && turned < 50 {
                *h = true;
                turned += 1;
            }
        }
        let p = paired_difference(&base, &other).unwrap();
        let u = unpaired_difference(&base, &other).unwrap();
        assert!((p.delta - 0.05).abs() < 1e-12 && (u.delta - 0.05).abs() < 1e-12);
        // Paired half-width: 1.96·sqrt(0.05·0.95·1000/999/1000) ≈ 0.0135; unpaired ≈ 0.0436.
        assert!(((p.high - p.low) / 2.0 - 0.0135).abs() < 0.0005);
        assert!(((u.high - u.low) / 2.0 - 0.0436).abs() < 0.0005);
        assert!(p.low > 0.0, "the paired interval excludes zero");
        assert!(u.low < 0.0 + 0.01);
    }

    #[test]
    fn mismatched_or_tiny_inputs_give_nothing() {
        assert_eq!(paired_difference(&[true], &[true]), None);
        assert_eq!(paired_difference(&[true, false], &[true]), None);
        assert_eq!(unpaired_difference(&[], &[true]), None);
    }
}
