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
    let mut keys: Vec<i64> = (values.iter())
        .filter(|v| !v.is_nan())
        .map(|&v| order_key(v))
        .collect();
    quantiles_of_keys(&mut keys, probs)
}

/// Type-7 quantiles `probs` of `values` (which must hold no NaN), reordering `values`.
///
/// Equal to [`quantile_sorted`] of the sorted values, bit for bit: see
/// [`quantiles_of_keys`], which does the work on the values' order keys.
pub fn quantiles_in_place(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    let mut keys: Vec<i64> = values.iter().map(|&v| order_key(v)).collect();
    let q = quantiles_of_keys(&mut keys, probs);
    for (v, &k) in values.iter_mut().zip(&keys) {
        *v = from_order_key(k);
    }
    q
}

/// The key of `x` in [`f64::total_cmp`]'s order: `a.total_cmp(&b)` is
/// `order_key(a).cmp(&order_key(b))`, and [`from_order_key`] gives `x` back bit for bit.
/// Integer keys compare in one instruction, so selection runs several times faster on them.
#[inline]
pub fn order_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    // The transform `total_cmp` applies: flip every bit but the sign of negative numbers.
    b ^ (((b >> 63) as u64) >> 1) as i64
}

/// The value whose [`order_key`] is `k`.
#[inline]
pub fn from_order_key(k: i64) -> f64 {
    // The transform keeps the sign bit, so it is its own inverse.
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// Type-7 quantiles `probs` of the values whose [`order_key`]s are `keys` (no NaN among
/// them), reordering `keys`.
///
/// Equal to [`quantile_sorted`] of the sorted values, bit for bit: only the order statistics
/// the quantiles read are found, by selection instead of a full sort — the middle wanted
/// rank first, then the ranks below it in the part left of it and the ranks above in the
/// part right of it — and integer keys in `total_cmp`'s order make each order statistic one
/// exact value.
pub fn quantiles_of_keys(keys: &mut [i64], probs: &[f64]) -> Vec<f64> {
    let n = keys.len();
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
    select_ranks(keys, &ranks, 0);
    interpolate(n, |i| keys[i], probs)
}

/// Type-7 quantiles `probs` of `n` values whose order keys, in ascending order, `key_at`
/// gives (only at the ranks the quantiles read).
fn interpolate(n: usize, key_at: impl Fn(usize) -> i64, probs: &[f64]) -> Vec<f64> {
    probs
        .iter()
        .map(|&p| {
            if p.is_nan() || n == 0 {
                return f64::NAN;
            }
            let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let (a, b) = (from_order_key(key_at(lo)), from_order_key(key_at(hi)));
            let frac = h - lo as f64;
            if a == b || frac == 0.0 {
                a
            } else {
                a + frac * (b - a)
            }
        })
        .collect()
}

/// Exact quantiles of a series of samples of the same runs, such as a variable at
/// successive times, by sorting each sample starting from the previous sample's order of
/// the runs.
///
/// A variable's runs mostly keep their order from one saved time to the next (a stock
/// integrates), so the runs listed in the last order are sorted already or nearly: an
/// insertion sort then costs little more than one pass, where selection costs several. A
/// sample whose order changed much (more than one descent in [`CarriedOrder::DESCENTS`]
/// values) is sorted afresh. The quantiles are those of [`quantiles`], bit for bit, since
/// both read the same order statistics.
#[derive(Debug, Default)]
pub struct CarriedOrder {
    /// Runs in the last sample's ascending order (every run; those not finite in the last
    /// sample after the others).
    order: Vec<u32>,
    /// This sample's finite values' order keys, in the carried order.
    keys: Vec<i64>,
    /// This sample's finite values as (order key, run), in the carried order, then sorted.
    pairs: Vec<(i64, u32)>,
}

impl CarriedOrder {
    /// One descent in this many values is the most sorted by insertion.
    pub const DESCENTS: usize = 32;

    /// A carrier with no order yet.
    pub fn new() -> CarriedOrder {
        CarriedOrder::default()
    }

    /// Type-7 quantiles `probs` of the finite values of `sample` (one value per run, the
    /// same runs in the same places at every call); `NaN` for a sample with no finite
    /// value.
    pub fn quantiles(&mut self, sample: &[f64], probs: &[f64]) -> Vec<f64> {
        let n = sample.len();
        if self.order.len() != n || n > u32::MAX as usize {
            self.order = (0..n as u32).collect();
        }
        // Most often the runs are in order still: one pass finds it, and the order stays.
        self.keys.resize(n, 0);
        let (keys, mut finite) = (&mut self.keys[..n], 0);
        let mut sorted = true;
        let mut last = i64::MIN;
        for (&r, slot) in self.order.iter().zip(0..n) {
            let v = sample[r as usize];
            let k = order_key(v);
            // Written at every run, kept (counted) only when finite: no branch to mispredict.
            keys[finite.min(slot)] = k;
            let keep = v.is_finite();
            sorted &= !keep || k >= last;
            last = if keep { k } else { last };
            finite += usize::from(keep);
        }
        if sorted {
            return interpolate(finite, |i| keys[i], probs);
        }
        self.pairs.clear();
        let mut descents = 0;
        let mut last = i64::MIN;
        for &r in &self.order {
            let v = sample[r as usize];
            if v.is_finite() {
                let k = order_key(v);
                descents += usize::from(k < last);
                last = k;
                self.pairs.push((k, r));
            }
        }
        let pairs = &mut self.pairs;
        let budget = 8 * pairs.len();
        if descents * Self::DESCENTS > pairs.len() || !insertion_sort(pairs, budget) {
            pairs.sort_unstable_by_key(|p| p.0);
        }
        // The next sample starts from this order; runs not finite here go last, which
        // costs the next sort a few moves at most.
        if pairs.len() == n {
            for (o, p) in self.order.iter_mut().zip(pairs.iter()) {
                *o = p.1;
            }
        } else {
            let mut seen = vec![false; n];
            for p in pairs.iter() {
                seen[p.1 as usize] = true;
            }
            let missing: Vec<u32> = (self.order.iter().copied())
                .filter(|&r| !seen[r as usize])
                .collect();
            self.order.clear();
            self.order.extend(pairs.iter().map(|p| p.1));
            self.order.extend(missing);
        }
        interpolate(pairs.len(), |i| pairs[i].0, probs)
    }
}

/// Sorts `pairs` by key by insertion, giving up (false, `pairs` then a permutation of what
/// it was) after `budget` moves.
fn insertion_sort(pairs: &mut [(i64, u32)], budget: usize) -> bool {
    let mut moves = 0;
    for i in 1..pairs.len() {
        let x = pairs[i];
        let mut j = i;
        while j > 0 && pairs[j - 1].0 > x.0 {
            pairs[j] = pairs[j - 1];
            j -= 1;
        }
        pairs[j] = x;
        moves += i - j;
        if moves > budget {
            return false;
        }
    }
    true
}

/// Puts the order statistic of each rank of `ranks` (ascending, distinct, each at least
/// `offset` and below `offset + keys.len()`) at position `rank - offset` of `keys`.
fn select_ranks(keys: &mut [i64], ranks: &[usize], offset: usize) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let k = ranks[mid] - offset;
    // Everything left of `k` ranks below it and everything right above, so positions keep
    // their meaning as ranks in both parts.
    let (left, _, right) = keys.select_nth_unstable(k);
    select_ranks(left, &ranks[..mid], offset);
    select_ranks(right, &ranks[mid + 1..], offset + k + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Carried orders give the quantiles of each sample bit for bit, for a series that keeps
    /// its order, one that drifts, one redrawn at every sample, and one with non-finite
    /// values and ties coming and going.
    #[test]
    fn carried_order_equals_selection_bit_for_bit() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let probs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0, 0.333];
        let runs = 1_500;
        let base: Vec<f64> = (0..runs).map(|_| next()).collect();
        let mut noise = vec![0.0; runs];
        for kind in 0..4 {
            let mut carried = CarriedOrder::new();
            for step in 0..40 {
                for z in noise.iter_mut() {
                    *z = next();
                }
                let sample: Vec<f64> = (0..runs)
                    .map(|r| match kind {
                        0 => base[r] * (1.0 + step as f64),
                        1 => base[r] + 0.02 * step as f64 * noise[r],
                        2 => noise[r],
                        _ => match (r + step) % 97 {
                            0 => f64::NAN,
                            1 => f64::INFINITY,
                            2 => -0.0,
                            3 => 0.0,
                            _ => (base[r] * 8.0).round() + 0.1 * noise[r],
                        },
                    })
                    .collect();
                let want = quantiles(
                    &sample
                        .iter()
                        .map(|&v| if v.is_finite() { v } else { f64::NAN })
                        .collect::<Vec<_>>(),
                    &probs,
                );
                let got = carried.quantiles(&sample, &probs);
                let bits = |q: &[f64]| q.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "kind {kind}, step {step}");
            }
        }
        let mut carried = CarriedOrder::new();
        assert!(carried.quantiles(&[f64::NAN, f64::INFINITY], &[0.5])[0].is_nan());
        assert!(carried.quantiles(&[], &[0.5])[0].is_nan());
    }

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
    fn order_keys_sort_as_total_cmp_and_round_trip() {
        let specials = [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            1.0,
            -1.0,
            0.1,
            -3.5e17,
        ];
        for &a in &specials {
            assert_eq!(from_order_key(order_key(a)).to_bits(), a.to_bits());
            for &b in &specials {
                assert_eq!(order_key(a).cmp(&order_key(b)), a.total_cmp(&b), "{a} {b}");
            }
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
