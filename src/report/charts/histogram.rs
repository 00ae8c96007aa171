//! Histogram: where a variable ends up across Monte Carlo runs, split at the target.
//!
//! Bars on the successful side of the threshold are green, the others grey, and bin edges are
//! aligned to the threshold so no bar straddles it: the green area is exactly the runs that
//! reached the target.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, render_png, ChartError};
use crate::report::format;

const KIND: &str = "histogram";

/// Bars never get narrower than about a pixel; more bins than this would only alias.
pub const MAX_BINS: usize = 1000;

/// Distribution of one outcome over runs.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramChart {
    /// Chart title.
    pub title: String,
    /// Horizontal axis title with unit (the outcome).
    pub x_label: String,
    /// One value per run; non-finite values are left out and counted in the subtitle.
    pub values: Vec<f64>,
    /// The target value, drawn as a vertical line; bars are coloured by side.
    pub threshold: Option<f64>,
    /// Whether reaching the target means ending at or above the threshold (`true`) or
    /// below it (`false`, e.g. a cost ceiling).
    pub success_above: bool,
    /// Shown under the title, e.g. `"P(success) = 83.4 % [82.7, 84.1]"`.
    pub success_label: Option<String>,
    /// Number of bins; `None` chooses by the Freedman–Diaconis rule (10 to 60 bins).
    pub bins: Option<usize>,
    /// Whether the target is strict (`>` or `<`): the legend then says "> 0", not "≥ 0".
    pub strict: bool,
    /// Written after the threshold in labels, e.g. `" %"` when values are percentages.
    pub value_suffix: String,
}

impl HistogramChart {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }
}

/// Equal-width bins: the left edge, the width and the count in each.
#[derive(Debug, Clone, PartialEq)]
struct Bins {
    start: f64,
    width: f64,
    counts: Vec<usize>,
}

impl Bins {
    fn edge(&self, i: usize) -> f64 {
        self.start + self.width * i as f64
    }
}

/// Freedman–Diaconis bin count for sorted finite `values`, kept within 10..=60 so the
/// picture is neither a comb nor a block.
fn auto_bins(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let q = |p: f64| sorted[((n - 1) as f64 * p).round() as usize];
    let iqr = q(0.75) - q(0.25);
    let span = sorted[n - 1] - sorted[0];
    let bins = if iqr > 0.0 && span > 0.0 {
        let h = 2.0 * iqr / (n as f64).cbrt();
        (span / h).ceil()
    } else {
        (n as f64).sqrt().ceil()
    };
    (bins as usize).clamp(10, 60)
}

/// Bins `values` (finite, sorted) into about `bins` bins over their range, shifted so that
/// `threshold`, when inside the range, falls exactly on a bin edge.
fn make_bins(sorted: &[f64], bins: usize, threshold: Option<f64>) -> Bins {
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        style::padded_range(lo, hi, 0.0)
    };
    bins_of_width(
        sorted,
        (lo, hi),
        (hi - lo) / bins as f64,
        bins + 2,
        threshold,
    )
}

/// Whether every value is a whole number over a span a bar per value (or per few values)
/// can show: counts of targets met, days of a first passage.
fn whole_numbers(sorted: &[f64]) -> bool {
    sorted.iter().all(|v| v.fract() == 0.0) && sorted[sorted.len() - 1] - sorted[0] <= 1e6
}

/// Bins for whole-number `values` (sorted): each bar covers the same number of whole values,
/// centred on them (edges at half-integers), so no bar holds one value more than its
/// neighbour — the comb and the end spike equal-width real bins give to whole numbers — and
/// `split`, a half-integer between the values that reach the target and those that miss,
/// falls on an edge.
fn whole_bins(sorted: &[f64], bins: usize, split: Option<f64>) -> Bins {
    let (lo, hi) = (sorted[0] - 0.5, sorted[sorted.len() - 1] + 0.5);
    let width = ((hi - lo) / bins as f64).ceil().max(1.0);
    let max_bins = ((hi - lo) / width).ceil() as usize + 2;
    bins_of_width(sorted, (lo, hi), width, max_bins, split)
}

/// The half-integer that separates whole values reaching `t` from those that miss: for
/// `>= 2.5` and `> 2` it is 2.5, for `<= 2` it is 2.5 and for `< 2` 1.5.
fn whole_split(t: f64, above: bool, strict: bool) -> f64 {
    match (above, strict) {
        (true, false) => t.ceil() - 0.5,
        (true, true) => t.floor() + 0.5,
        (false, false) => t.floor() + 0.5,
        (false, true) => t.ceil() - 0.5,
    }
}

/// Bins of `width` over `range`, the first edge shifted so that `align`, when inside the
/// range, is an edge; at most `max_bins` bins.
fn bins_of_width(
    sorted: &[f64],
    (lo, hi): (f64, f64),
    width: f64,
    max_bins: usize,
    align: Option<f64>,
) -> Bins {
    let start = match align {
        Some(t) if t > lo && t < hi => t - ((t - lo) / width).ceil() * width,
        _ => lo,
    };
    // The top bin is closed on the right, so the maximum does not get a bin of its own.
    // Alignment adds at most one bin; the cap guards against float surprises at huge magnitudes.
    let n_bins = (((hi - start) / width).ceil() as usize).clamp(1, max_bins);
    let mut counts = vec![0usize; n_bins];
    for &v in sorted {
        let i = ((v - start) / width).floor();
        // The maximum, and float error at the top edge, land in the last bin.
        let i = (i.max(0.0) as usize).min(n_bins - 1);
        counts[i] += 1;
    }
    // Trailing empty bins come from the alignment shift, not the data.
    while counts.len() > 1 && counts.last() == Some(&0) {
        counts.pop();
    }
    Bins {
        start,
        width,
        counts,
    }
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &HistogramChart,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let invalid = |reason: String| ChartError::InvalidData {
        chart: KIND,
        title: chart.title.clone(),
        reason,
    };
    let mut sorted: Vec<f64> = chart
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if sorted.is_empty() {
        return Err(ChartError::NoData {
            chart: KIND,
            title: chart.title.clone(),
            reason: format!("none of the {} values is finite", chart.values.len()),
        });
    }
    sorted.sort_by(f64::total_cmp);
    let n_bins = match chart.bins {
        Some(0) => return Err(invalid("bin count is 0".into())),
        Some(b) => b.min(MAX_BINS),
        None => auto_bins(&sorted),
    };
    let threshold = match chart.threshold {
        Some(t) if !t.is_finite() => return Err(invalid(format!("threshold is {t}"))),
        t => t,
    };
    let whole = whole_numbers(&sorted);
    // Where the bars change colour, and where the target line goes: the threshold itself,
    // or for whole numbers the half-integer between the last miss and the first hit.
    let split = threshold.map(|t| {
        if whole {
            whole_split(t, chart.success_above, chart.strict)
        } else {
            t
        }
    });
    let bins = if whole {
        whole_bins(&sorted, n_bins, split)
    } else {
        make_bins(&sorted, n_bins, split)
    };
    let success = |i: usize| {
        let centre = bins.edge(i) + bins.width / 2.0;
        split.map(|t| (centre >= t) == chart.success_above)
    };

    let left_out = chart.values.len() - sorted.len();
    let mut subtitle: Vec<String> = chart.success_label.iter().cloned().collect();
    if left_out > 0 {
        subtitle.push(format!(
            "{} of {} runs left out (not finite)",
            format::number(left_out as f64),
            format::number(chart.values.len() as f64)
        ));
    }
    let subtitle = subtitle.join("  ·  ");

    let mut legend = Vec::new();
    if let Some(t) = threshold {
        let (yes, no) = match (chart.success_above, chart.strict) {
            (true, false) => ("≥", "<"),
            (true, true) => (">", "≤"),
            (false, false) => ("≤", ">"),
            (false, true) => ("<", "≥"),
        };
        let value = format!("{}{}", format::number(t), chart.value_suffix);
        legend.push(LegendEntry::new(
            format!("reached ({yes} {value})"),
            Swatch::Fill(style::GREEN, 0.85),
        ));
        legend.push(LegendEntry::new(
            format!("missed ({no} {value})"),
            Swatch::Fill(MISS, 0.85),
        ));
        legend.push(LegendEntry::new("target", Swatch::Dashed(style::RED)));
    }
    let plot = style::frame(
        area,
        &chart.title,
        (!subtitle.is_empty()).then_some(subtitle.as_str()),
        &legend,
    )?;

    let x_lo = split.map_or(bins.start, |t| t.min(bins.start));
    let x_hi = split.map_or(bins.edge(bins.counts.len()), |t| {
        t.max(bins.edge(bins.counts.len()))
    });
    let x = style::padded_range(x_lo, x_hi, 0.02);
    let max_count = bins.counts.iter().copied().max().unwrap_or(0) as f64;
    let y = (0.0, (max_count * 1.08).max(5.0));
    let mut ctx = style::numeric_axes_counting(
        &plot,
        x,
        y,
        (&chart.x_label, "Number of runs"),
        (whole, true),
    )?;

    let bars = bins
        .counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| {
            let colour = match success(i) {
                Some(true) => style::GREEN,
                Some(false) => MISS,
                None => style::PALETTE[0],
            };
            Rectangle::new(
                [(bins.edge(i), 0.0), (bins.edge(i + 1), c as f64)],
                colour.mix(0.85).filled(),
            )
        });
    ctx.draw_series(bars).map_err(draw_err)?;

    if let (Some(t), Some(at)) = (threshold, split) {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(at, y.0), (at, y.1)],
            8,
            5,
            style::RED.stroke_width(2),
        )))
        .map_err(draw_err)?;
        let canvas = ctx.plotting_area().strip_coord_spec();
        let coord = ctx.as_coord_spec().clone();
        let (px, _) = coord.translate(&(at, y.1));
        let (w, _) = canvas.dim_in_pixel();
        let px = px - canvas.get_base_pixel().0;
        let (ax, h) = if px < w as i32 * 3 / 4 {
            (px + 6, HPos::Left)
        } else {
            (px - 6, HPos::Right)
        };
        style::annotate(
            &canvas,
            &format!("target {}{}", format::number(t), chart.value_suffix),
            (ax, 6),
            (h, VPos::Top),
            style::RED,
        )?;
    }
    Ok(())
}

/// Bars of runs that missed the target.
const MISS: RGBColor = RGBColor(150, 150, 150);

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &HistogramChart, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    fn normal_values(n: usize) -> Vec<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let d = Normal::new(1_150_000.0, 150_000.0).unwrap();
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    fn sample() -> HistogramChart {
        HistogramChart {
            title: "粉丝 followers at day 365".into(),
            x_label: "Followers (people)".into(),
            values: normal_values(5000),
            threshold: Some(1_000_000.0),
            success_above: true,
            success_label: Some("P(success) = 83.4 % [82.7, 84.1]".into()),
            bins: None,
            strict: false,
            value_suffix: String::new(),
        }
    }

    #[test]
    fn bins_hold_every_value_and_align_to_threshold() {
        let mut v = normal_values(2000);
        v.sort_by(f64::total_cmp);
        let b = make_bins(&v, 30, Some(1_000_000.0));
        assert_eq!(b.counts.iter().sum::<usize>(), v.len());
        let k = (1_000_000.0 - b.start) / b.width;
        assert!(
            (k - k.round()).abs() < 1e-9,
            "threshold not on an edge: {k}"
        );
        // The bins left of the threshold hold exactly the values below it.
        let below = v.iter().filter(|&&x| x < 1_000_000.0).count();
        let left: usize = b.counts[..k.round() as usize].iter().sum();
        assert_eq!(left, below);
        assert!(b.start <= v[0] && b.edge(b.counts.len()) >= v[v.len() - 1]);
    }

    #[test]
    fn requested_bin_count_is_kept_without_threshold() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let b = make_bins(&v, 10, None);
        assert_eq!(b.counts.len(), 10);
        // Bins [0,10) .. [80,90) hold ten values each; the last, closed bin [90,100] eleven.
        assert_eq!(b.counts[..9], [10; 9]);
        assert_eq!(b.counts[9], 11);
    }

    #[test]
    fn whole_numbers_get_one_bar_per_value_split_between_hit_and_miss() {
        // Targets met out of 6 (an all(...) metric): one bar per count, centred on it.
        let v: Vec<f64> = [0, 1, 1, 2, 2, 2, 3, 3, 4, 6]
            .iter()
            .map(|&k| f64::from(k))
            .collect();
        assert!(whole_numbers(&v));
        let split = whole_split(6.0, true, false);
        assert_eq!(split, 5.5);
        let b = whole_bins(&v, auto_bins(&v), Some(split));
        assert_eq!(b.width, 1.0);
        assert_eq!(b.start, -0.5);
        assert_eq!(b.counts, vec![1, 2, 3, 2, 1, 0, 1]);
        // The split is an edge: the last bar alone is on the success side.
        assert_eq!(b.edge(6), 5.5);
        assert_eq!(whole_split(2.0, true, true), 2.5);
        assert_eq!(whole_split(2.0, false, false), 2.5);
        assert_eq!(whole_split(2.0, false, true), 1.5);
        assert_eq!(whole_split(2.5, true, false), 2.5);
        assert!(!whole_numbers(&[0.5, 1.0]));
    }

    #[test]
    fn whole_days_give_bars_of_equal_reach_and_no_spike_at_the_end() {
        // A first-passage day, uniform over 0..=365: every bar covers the same number of
        // days, so every full bar holds the same count; real-valued bins of 365/60 days hold
        // 6 or 7 days each and the closed last bin collects the deadline as well.
        let v: Vec<f64> = (0..=365).map(f64::from).collect();
        let b = whole_bins(&v, 60, None);
        assert_eq!(b.width, 7.0);
        let full = &b.counts[..b.counts.len() - 1];
        assert!(full.iter().all(|&c| c == 7), "{:?}", b.counts);
        assert!(*b.counts.last().unwrap() <= 7);
        let real = make_bins(&v, 60, None);
        let (lo, hi) = (
            real.counts.iter().min().unwrap(),
            real.counts.iter().max().unwrap(),
        );
        assert!(hi > lo, "real-valued bins are uneven on whole days");
    }

    #[test]
    fn counting_axes_get_whole_ticks_only() {
        use plotters::coord::ranged1d::Ranged;
        use plotters::coord::types::RangedCoordf64;
        for range in [(0.0, 6.3), (-0.62, 3.62), (0.0, 5.4), (-0.52, 0.52)] {
            let n = style::counting_ticks(range, style::X_TICKS);
            let axis: RangedCoordf64 = (range.0..range.1).into();
            let ticks = axis.key_points(n);
            assert!(!ticks.is_empty(), "{range:?}");
            assert!(
                ticks.iter().all(|t| t.fract() == 0.0),
                "{range:?}: {ticks:?}"
            );
            // Without the cap the axis of 0 to 3 targets met gets half ticks.
            if range == (-0.62, 3.62) {
                let loose = axis.key_points(style::X_TICKS);
                assert!(loose.iter().any(|t| t.fract() != 0.0), "{loose:?}");
            }
        }
    }

    /// Columns (x pixels) holding at least `min` pixels within 3 of `colour`.
    fn columns_of(buf: &[u8], width: u32, colour: RGBColor, min: usize) -> Vec<u32> {
        let RGBColor(r, g, b) = colour;
        let mut counts = vec![0usize; width as usize];
        for (i, p) in buf.chunks(3).enumerate() {
            if p[0].abs_diff(r) <= 3 && p[1].abs_diff(g) <= 3 && p[2].abs_diff(b) <= 3 {
                counts[i % width as usize] += 1;
            }
        }
        (0..width).filter(|&x| counts[x as usize] >= min).collect()
    }

    #[test]
    fn the_target_line_of_a_count_lies_between_the_last_miss_and_the_first_hit() {
        // Targets met out of 3, success at `>= 3`: the dashed red line stands between the
        // grey bar of 2 and the green bar of 3, not through the middle of the green bar.
        let values: Vec<f64> = (0..300).map(|i| f64::from(i % 4)).collect();
        let chart = HistogramChart {
            title: "all of three".into(),
            x_label: "Targets met".into(),
            values,
            threshold: Some(3.0),
            ..sample()
        };
        let (w, _) = chart.pixel_size();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let mix = |c: RGBColor| mix_white(c, 0.85);
        let green = columns_of(&buf, w, mix(style::GREEN), 50);
        let grey = columns_of(&buf, w, mix(MISS), 50);
        let red = columns_of(&buf, w, style::RED, 40);
        let (first_green, last_grey) = (green[0], *grey.last().unwrap());
        assert!(
            last_grey < first_green,
            "grey to {last_grey}, green from {first_green}"
        );
        // The line is drawn on the boundary of the two bars (2 px wide, anti-aliased).
        let line: Vec<u32> = red
            .iter()
            .copied()
            .filter(|&x| x + 4 >= last_grey && x <= first_green + 4)
            .collect();
        assert!(
            !line.is_empty(),
            "no red line near {last_grey}..{first_green}: {red:?}"
        );
        // Bars are one per value, the same width: 4 bars, green the last.
        let bar_width = green.len() as f64;
        assert!(
            (grey.len() as f64 / bar_width - 3.0).abs() < 0.1,
            "grey {} vs green {bar_width}",
            grey.len()
        );
    }

    #[test]
    fn constant_values_get_one_bar() {
        let b = make_bins(&[5.0; 10], 10, None);
        assert_eq!(b.counts.iter().sum::<usize>(), 10);
        assert_eq!(b.counts.iter().filter(|&&c| c > 0).count(), 1);
    }

    #[test]
    fn auto_bins_stay_in_range() {
        let mut v = normal_values(100_000);
        v.sort_by(f64::total_cmp);
        assert_eq!(auto_bins(&v), 60);
        assert_eq!(auto_bins(&[1.0, 2.0]), 10);
        assert_eq!(auto_bins(&[3.0; 50]), 10);
    }

    #[test]
    fn renders_png_of_stated_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hist.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        assert_eq!(files_in(dir.path()), vec!["hist.png".to_string()]);
        if let Some(p) = preview_path("histogram.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn success_side_is_green_and_larger_here() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let bar = |c: RGBColor| bar_pixels(&buf, c);
        let (green, grey) = (bar(style::GREEN), bar(MISS));
        // About 84 % of runs succeed, so the green area clearly dominates the grey.
        assert!(
            green > 3 * grey && grey > 1000,
            "green {green}, grey {grey}"
        );

        let flipped = HistogramChart {
            success_above: false,
            ..sample()
        };
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&flipped, a)).unwrap();
        let green_flipped = bar_pixels(&buf, style::GREEN);
        assert!(green_flipped < green / 3);
    }

    #[test]
    fn bad_input_is_an_error() {
        let cases = [
            HistogramChart {
                values: vec![],
                ..sample()
            },
            HistogramChart {
                values: vec![f64::NAN, f64::INFINITY],
                ..sample()
            },
            HistogramChart {
                bins: Some(0),
                ..sample()
            },
            HistogramChart {
                threshold: Some(f64::NAN),
                ..sample()
            },
        ];
        for c in &cases {
            assert!(draw_to_buffer(c.pixel_size(), |a| draw(c, a)).is_err());
        }
    }

    #[test]
    fn non_finite_values_are_left_out_and_huge_bin_counts_are_capped() {
        let mut values = normal_values(500);
        values.extend([f64::NAN, f64::NEG_INFINITY]);
        let c = HistogramChart {
            values,
            bins: Some(usize::MAX),
            threshold: Some(-5.0e6),
            ..sample()
        };
        let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
        assert!(ink(&buf) > 10_000);
    }
}
