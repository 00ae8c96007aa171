//! Hit rate of a yes/no outcome (target reached) within quantile bins of one input.

use super::proportion::{wilson95, Interval};

/// One bin of an input's range with the outcome's hit rate in it.
#[derive(Debug, Clone, PartialEq)]
pub struct BinRate {
    /// Bin number, 0 for the lowest input values (empty bins are omitted).
    pub bin: usize,
    /// Smallest input value in the bin.
    pub lo: f64,
    /// Largest input value in the bin.
    pub hi: f64,
    /// Runs in the bin.
    pub runs: u64,
    /// Runs in the bin whose outcome is true.
    pub hits: u64,
    /// `hits / runs`.
    pub rate: f64,
    /// 95 % Wilson interval of the rate.
    pub interval: Interval,
}

/// Splits runs into `bins` groups of equal count by the input's value (quintiles for 5)
/// and reports the hit rate per group. Tied input values always share a bin: a run goes
/// to bin `floor((r - 0.5) * bins / n)` where `r` is its average rank, so an input with
/// few distinct values (a 0/1 risk event) gives one bin per value. Runs whose input is
/// `NaN` are left out; bins with no runs are omitted.
pub fn hit_rate_by_bins(input: &[f64], outcome: &[bool], bins: usize) -> Vec<BinRate> {
    hit_rate_by_bins_ranked(input, &super::rank::ranks(input), outcome, bins)
}

/// [`hit_rate_by_bins`] given the input's [`super::rank::ranks`], so that an input binned
/// against many outcomes is ranked once. (A `NaN` takes no part in ranking, so the ranks of
/// the whole column are those of its values that are not `NaN`.)
pub fn hit_rate_by_bins_ranked(
    input: &[f64],
    ranks: &[f64],
    outcome: &[bool],
    bins: usize,
) -> Vec<BinRate> {
    let ranked: Vec<(f64, bool, f64)> = input
        .iter()
        .zip(outcome)
        .zip(ranks)
        .filter(|((x, _), _)| !x.is_nan())
        .map(|((x, o), r)| (*x, *o, *r))
        .collect();
    let n = ranked.len();
    if n == 0 || bins == 0 {
        return Vec::new();
    }
    let mut acc: Vec<Option<BinRate>> = vec![None; bins];
    for &(x, hit, rank) in &ranked {
        let b = (((rank - 0.5) * bins as f64 / n as f64).floor() as usize).min(bins - 1);
        let e = acc[b].get_or_insert(BinRate {
            bin: b,
            lo: x,
            hi: x,
            runs: 0,
            hits: 0,
            rate: 0.0,
            interval: Interval { lo: 0.0, hi: 1.0 },
        });
        e.lo = e.lo.min(x);
        e.hi = e.hi.max(x);
        e.runs += 1;
        e.hits += u64::from(hit);
    }
    acc.into_iter()
        .flatten()
        .map(|mut b| {
            b.rate = b.hits as f64 / b.runs as f64;
            b.interval = wilson95(b.hits, b.runs);
            b
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_of_a_threshold_outcome() {
        // x = 0..999, hit when x >= 600: quintiles 0-2 never hit, 3-4 always.
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let hits: Vec<bool> = x.iter().map(|v| *v >= 600.0).collect();
        let b = hit_rate_by_bins(&x, &hits, 5);
        assert_eq!(b.len(), 5);
        assert!(b.iter().all(|q| q.runs == 200));
        assert_eq!(
            b.iter().map(|q| q.rate).collect::<Vec<_>>(),
            vec![0.0, 0.0, 0.0, 1.0, 1.0]
        );
        assert_eq!((b[3].lo, b[3].hi), (600.0, 799.0));
        assert!(b[0].interval.hi > 0.0 && b[0].interval.hi < 0.02);
    }

    #[test]
    fn ties_share_a_bin() {
        let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, f64::NAN];
        let hits = [false, true, false, true, true, true, true];
        let b = hit_rate_by_bins(&x, &hits, 5);
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].lo, b[0].runs, b[0].hits), (0.0, 3, 1));
        assert_eq!((b[1].lo, b[1].runs, b[1].hits), (1.0, 3, 3));
        assert!(hit_rate_by_bins(&[], &[], 5).is_empty());
    }
}
