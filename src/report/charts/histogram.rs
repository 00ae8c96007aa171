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
    let width = (hi - lo) / bins as f64;
    let start = match threshold {
        Some(t) if t > lo && t < hi => t - ((t - lo) / width).ceil() * width,
        _ => lo,
    };
    // The top bin is closed on the right, so the maximum does not get a bin of its own.
    // Alignment adds at most one bin; the cap guards against float surprises at huge magnitudes.
    let n_bins = (((hi - start) / width).ceil() as usize).clamp(1, bins + 2);
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
    let bins = make_bins(&sorted, n_bins, threshold);
    let success = |i: usize| {
        let centre = bins.edge(i) + bins.width / 2.0;
        threshold.map(|t| (centre >= t) == chart.success_above)
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

    let x_lo = threshold.map_or(bins.start, |t| t.min(bins.start));
    let x_hi = threshold.map_or(bins.edge(bins.counts.len()), |t| {
        t.max(bins.edge(bins.counts.len()))
    });
    let x = style::padded_range(x_lo, x_hi, 0.02);
    let max_count = bins.counts.iter().copied().max().unwrap_or(0) as f64;
    let y = (0.0, (max_count * 1.08).max(5.0));
    let mut ctx = style::numeric_axes(&plot, x, y, &chart.x_label, "Number of runs")?;

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

    if let Some(t) = threshold {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(t, y.0), (t, y.1)],
            8,
            5,
            style::RED.stroke_width(2),
        )))
        .map_err(draw_err)?;
        let canvas = ctx.plotting_area().strip_coord_spec();
        let coord = ctx.as_coord_spec().clone();
        let (px, _) = coord.translate(&(t, y.1));
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
