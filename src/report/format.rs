//! Human number formatting for chart ticks and report tables.
//!
//! Conventions, chosen once for every output: comma thousands separators (`1,200,000`), no
//! spurious `.0` on whole numbers, about four significant digits for fractional values
//! (`0.25`, `0.0012`), compact `k`/`M`/`B`/`T` suffixes on axes with large values, and
//! probabilities as percentages with one decimal and a space before the sign (`83.4 %`).

/// Inserts comma separators into the integer digits of an already formatted decimal number.
fn group_thousands(formatted: &str) -> String {
    let (sign, rest) = match formatted.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", formatted),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(formatted.len() + int.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out.push_str(frac);
    out
}

/// Drops trailing zeros of a fractional part, and the point if nothing is left after it.
fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Text for values that are not numbers, shared by every formatter.
fn non_finite(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("NaN".to_string())
    } else if v.is_infinite() {
        Some(if v > 0.0 { "inf" } else { "-inf" }.to_string())
    } else {
        None
    }
}

/// `v` with exactly `decimals` decimals and thousands separators; never `-0`.
pub fn fixed(v: f64, decimals: usize) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    let mut s = format!("{v:.decimals$}");
    // A tiny negative value rounds to "-0.00"; the sign would only confuse.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s.remove(0);
    }
    group_thousands(&s)
}

/// A general-purpose human rendering: all integer digits, about four significant digits, no
/// trailing zeros. `1200000` → `1,200,000`, `9000.0` → `9,000`, `0.25` → `0.25`,
/// `0.0012` → `0.0012`, `1234.567` → `1,235`, `4.56789` → `4.568`. Magnitudes below `1e-4`
/// use scientific notation (`1.5e-7`).
pub fn number(v: f64) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    if magnitude < -4 {
        let s = format!("{v:.2e}");
        // "1.50e-7" → "1.5e-7"
        return match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{}", trim_fraction(mantissa), exp),
            None => s,
        };
    }
    let decimals = (3 - magnitude).max(0) as usize;
    let s = fixed(v, decimals);
    trim_fraction(&s).to_string()
}

/// Large-number suffixes: thousand, million, billion, trillion.
const SUFFIXES: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];

/// A short rendering with at most three significant digits and a `k`/`M`/`B`/`T` suffix for
/// magnitudes of a thousand or more: `1_200_000` → `1.2M`, `350_000` → `350k`,
/// `999_999` → `1M`. Smaller values fall back to [`number`].
pub fn compact(v: f64) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    let abs = v.abs();
    for (i, &(scale, suffix)) in SUFFIXES.iter().enumerate() {
        if abs >= scale * 0.9995 {
            let scaled = v / scale;
            let decimals = if scaled.abs() >= 99.95 {
                0
            } else if scaled.abs() >= 9.995 {
                1
            } else {
                2
            };
            let s = format!("{scaled:.decimals$}");
            // Rounding can carry into the next suffix: 999,999 is "1M", not "1000k".
            if i > 0 && trim_fraction(&s).trim_start_matches('-') == "1000" {
                let (_, up) = SUFFIXES[i - 1];
                return format!("{}1{up}", if v < 0.0 { "-" } else { "" });
            }
            return format!("{}{suffix}", trim_fraction(&s));
        }
    }
    number(v)
}

/// A probability in `[0, 1]` as a percentage with one decimal: `0.834` → `83.4 %`.
///
/// Values that would round to exactly 0 or 100 without being so read `< 0.1 %` and `> 99.9 %`:
/// a Monte Carlo estimate of 0.9997 must not look like a certainty.
pub fn percent(p: f64) -> String {
    if let Some(s) = non_finite(p) {
        return s;
    }
    if p > 0.0 && p < 0.0005 {
        return "< 0.1 %".to_string();
    }
    if p < 1.0 && p > 0.9995 {
        return "> 99.9 %".to_string();
    }
    format!("{} %", fixed(p * 100.0, 1))
}

/// A probability with its confidence interval: `83.4 % [82.7, 84.1]`.
pub fn percent_with_ci(p: f64, low: f64, high: f64) -> String {
    format!(
        "{} [{}, {}]",
        percent(p),
        fixed(low * 100.0, 1),
        fixed(high * 100.0, 1)
    )
}

/// A tick label on a 0–100 % axis from a probability: `0.2` → `20 %`.
pub fn percent_tick(p: f64) -> String {
    format!("{} %", number((p * 100.0 * 10.0).round() / 10.0))
}

/// Tick label formatting for one axis: a common suffix and a common number of decimals, so
/// the labels of one axis line up (`0`, `0.5M`, `1.0M`, `1.5M`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AxisFormat {
    scale: f64,
    suffix: &'static str,
    decimals: usize,
}

impl AxisFormat {
    /// The format for an axis spanning `lo..hi` with at most `max_ticks` labels.
    ///
    /// It mirrors how plotters places ticks (steps of 1, 2 or 5 times a power of ten, as many
    /// as fit in `max_ticks`) to know how many decimals distinguish neighbouring labels.
    pub fn for_range(lo: f64, hi: f64, max_ticks: usize) -> AxisFormat {
        let plain = AxisFormat {
            scale: 1.0,
            suffix: "",
            decimals: 0,
        };
        if !lo.is_finite() || !hi.is_finite() || !(hi - lo).is_finite() || hi <= lo {
            return plain;
        }
        let step = tick_step(lo, hi, max_ticks.max(2));
        let max_abs = lo.abs().max(hi.abs());
        let (scale, suffix) = SUFFIXES
            .iter()
            .copied()
            // "k" only from ten thousand: "5,000" reads better than "5k" on a small axis.
            .find(|&(s, _)| max_abs >= s.max(1e4) && step / s >= 0.1)
            .unwrap_or((1.0, ""));
        AxisFormat {
            scale,
            suffix,
            decimals: decimals_for_step(step / scale),
        }
    }

    /// The label for tick value `v`.
    pub fn format(&self, v: f64) -> String {
        if let Some(s) = non_finite(v) {
            return s;
        }
        let scaled = v / self.scale;
        if scaled.abs() < 0.5 * 10f64.powi(-(self.decimals as i32)) {
            return "0".to_string();
        }
        format!("{}{}", fixed(scaled, self.decimals), self.suffix)
    }
}

/// The tick spacing plotters would pick: the smallest 1/2/5×10^k step giving at most `max` ticks.
fn tick_step(lo: f64, hi: f64, max: usize) -> f64 {
    let span = hi - lo;
    let mut exp = span.log10().floor() as i32 - 2;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(exp);
            let count = (hi / step).floor() - (lo / step).ceil() + 1.0;
            if count <= max as f64 {
                return step;
            }
        }
        exp += 1;
    }
}

/// Decimals needed to tell apart labels `step` apart: 0 for steps ≥ 1, 1 for 0.5, 2 for 0.05.
fn decimals_for_step(step: f64) -> usize {
    if step >= 1.0 || step <= 0.0 || !step.is_finite() {
        0
    } else {
        (-step.log10() - 1e-9).ceil().max(0.0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_examples() {
        assert_eq!(number(1_200_000.0), "1,200,000");
        assert_eq!(number(9000.0), "9,000");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(0.0012), "0.0012");
        assert_eq!(number(1234.567), "1,235");
        assert_eq!(number(4.56789), "4.568");
        assert_eq!(number(-42.0), "-42");
        assert_eq!(number(-1234567.8), "-1,234,568");
        assert_eq!(number(999.96), "1,000");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1.5e-7), "1.5e-7");
        assert_eq!(number(100.0), "100");
        assert_eq!(number(123.456), "123.5");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn fixed_groups_and_never_shows_negative_zero() {
        assert_eq!(fixed(1234567.891, 2), "1,234,567.89");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(-1000.0, 0), "-1,000");
        assert_eq!(fixed(999.0, 0), "999");
        assert_eq!(fixed(100000.0, 0), "100,000");
    }

    #[test]
    fn compact_examples() {
        assert_eq!(compact(1_200_000.0), "1.2M");
        assert_eq!(compact(350_000.0), "350k");
        assert_eq!(compact(12_500.0), "12.5k");
        assert_eq!(compact(999_999.0), "1M");
        assert_eq!(compact(999.0), "999");
        assert_eq!(compact(2.5e9), "2.5B");
        assert_eq!(compact(-4_560_000.0), "-4.56M");
        assert_eq!(compact(1e15), "1000T");
        assert_eq!(compact(0.25), "0.25");
    }

    #[test]
    fn percent_examples() {
        assert_eq!(percent(0.834), "83.4 %");
        assert_eq!(percent(1.0), "100.0 %");
        assert_eq!(percent(0.0), "0.0 %");
        assert_eq!(percent(0.9997), "> 99.9 %");
        assert_eq!(percent(0.0002), "< 0.1 %");
        assert_eq!(percent(0.05), "5.0 %");
        assert_eq!(percent_tick(0.2), "20 %");
        assert_eq!(percent_tick(0.30000000000000004), "30 %");
        assert_eq!(percent_tick(0.0), "0 %");
        assert_eq!(percent_with_ci(0.834, 0.827, 0.841), "83.4 % [82.7, 84.1]");
    }

    #[test]
    fn tick_step_matches_one_two_five_rule() {
        assert_eq!(tick_step(0.0, 100.0, 11), 10.0);
        assert_eq!(tick_step(0.0, 100.0, 10), 20.0);
        assert_eq!(tick_step(0.0, 1.0, 6), 0.2);
        assert_eq!(tick_step(0.0, 1.5e6, 10), 200_000.0);
        assert_eq!(tick_step(-3.0, 3.0, 10), 1.0);
    }

    #[test]
    fn axis_labels_share_suffix_and_decimals() {
        let f = AxisFormat::for_range(0.0, 1.5e6, 10);
        let labels: Vec<String> = [0.0, 200_000.0, 1_000_000.0, 1_400_000.0]
            .iter()
            .map(|&v| f.format(v))
            .collect();
        assert_eq!(labels, ["0", "0.2M", "1.0M", "1.4M"]);

        let f = AxisFormat::for_range(0.0, 5000.0, 10);
        assert_eq!(f.format(4000.0), "4,000");

        let f = AxisFormat::for_range(0.0, 40_000.0, 10);
        assert_eq!(f.format(35_000.0), "35k");

        let f = AxisFormat::for_range(0.0, 1.0, 10);
        assert_eq!(f.format(0.1), "0.1");
        assert_eq!(f.format(1.0), "1.0");

        let f = AxisFormat::for_range(0.0, 0.01, 10);
        assert_eq!(f.format(0.002), "0.002");
    }

    #[test]
    fn axis_avoids_suffix_when_ticks_would_need_many_decimals() {
        // 10,000..10,100 in steps of 10: "10.01k" would be unreadable.
        let f = AxisFormat::for_range(10_000.0, 10_100.0, 11);
        assert_eq!(f.format(10_010.0), "10,010");
    }

    #[test]
    fn axis_format_survives_degenerate_ranges() {
        for (lo, hi) in [
            (1.0, 1.0),
            (f64::NAN, 1.0),
            (2.0, 1.0),
            (0.0, f64::INFINITY),
        ] {
            let f = AxisFormat::for_range(lo, hi, 10);
            assert_eq!(f.format(3.0), "3");
        }
    }
}
