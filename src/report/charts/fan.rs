//! Fan chart: the spread of a variable over time across Monte Carlo runs.
//!
//! Quantile bands (widest palest) show where most runs lie, the median line the typical path,
//! a few thin grey sample runs show that individual paths are wigglier than the bands suggest,
//! and dashed target lines, required paths (a growth target's curve from the start value, with
//! a marker at each checkpoint) and vertical checkpoints tie the picture to the business
//! question.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{check_probability, draw_err, render_png, ChartError};
use crate::report::format;

const KIND: &str = "fan";

/// Colour of required paths: the target red, so "below the dashes" reads as "missing it".
const PATH_COLOUR: RGBColor = style::RED;

/// Fill opacity of one band; nested bands stack, so inner bands come out darker.
const BAND_ALPHA: f64 = 0.22;

/// A quantile band: at each time the runs between two quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Lower quantile in `[0, 1]`, e.g. 0.05.
    pub lower_q: f64,
    /// Upper quantile in `[0, 1]`, e.g. 0.95.
    pub upper_q: f64,
    /// Lower edge at each time (same length as [`FanChart::times`]).
    pub lower: Vec<f64>,
    /// Upper edge at each time.
    pub upper: Vec<f64>,
}

/// Distribution of one variable over time across runs.
#[derive(Debug, Clone, PartialEq)]
pub struct FanChart {
    /// Chart title.
    pub title: String,
    /// Horizontal axis title with unit.
    pub x_label: String,
    /// Vertical axis title with unit.
    pub y_label: String,
    /// Time points shared by all bands, the median and the samples.
    pub times: Vec<f64>,
    /// Quantile bands, in any order; drawn widest first.
    pub bands: Vec<Band>,
    /// Median at each time; may be empty to leave it out.
    pub median: Vec<f64>,
    /// A few individual runs, each with one value per time.
    pub samples: Vec<Vec<f64>>,
    /// Horizontal reference lines, e.g. `("target 1M followers", 1e6)`.
    pub thresholds: Vec<(String, f64)>,
    /// Vertical reference lines at times, e.g. `("Q2 review", 180.0)`.
    pub checkpoints: Vec<(String, f64)>,
    /// Paths a target requires, e.g. +20 % a quarter from the start value: a dashed curve
    /// through the points with a marker at each.
    pub paths: Vec<RequiredPath>,
    /// Observed data drawn as dots over the bands, `(time, value)` (calibration fit charts).
    pub observed: Vec<(f64, f64)>,
    /// A line under the title, e.g. why a target that reads this variable draws nothing here.
    pub note: Option<String>,
}

/// The level a target requires at each of a few times.
#[derive(Debug, Clone, PartialEq)]
pub struct RequiredPath {
    /// Legend text, e.g. the target's label.
    pub label: String,
    /// `(time, required level)`, in time order; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
}

impl FanChart {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }

    fn invalid(&self, reason: String) -> ChartError {
        ChartError::InvalidData {
            chart: KIND,
            title: self.title.clone(),
            reason,
        }
    }

    /// Checks lengths and quantiles; returns the bands sorted widest first.
    fn validated_bands(&self) -> Result<Vec<&Band>, ChartError> {
        let n = self.times.len();
        if n == 0 {
            return Err(ChartError::NoData {
                chart: KIND,
                title: self.title.clone(),
                reason: "no time points".into(),
            });
        }
        let check_len = |what: &str, len: usize| {
            if len == n {
                Ok(())
            } else {
                Err(self.invalid(format!("{what} has {len} values for {n} time points")))
            }
        };
        for (i, b) in self.bands.iter().enumerate() {
            check_probability(KIND, &self.title, "band lower quantile", b.lower_q)?;
            check_probability(KIND, &self.title, "band upper quantile", b.upper_q)?;
            if b.lower_q >= b.upper_q {
                return Err(self.invalid(format!(
                    "band {} has lower quantile {} not below upper quantile {}",
                    i + 1,
                    b.lower_q,
                    b.upper_q
                )));
            }
            check_len("band lower edge", b.lower.len())?;
            check_len("band upper edge", b.upper.len())?;
        }
        if !self.median.is_empty() {
            check_len("median", self.median.len())?;
        }
        for s in &self.samples {
            check_len("sample run", s.len())?;
        }
        let mut bands: Vec<&Band> = self.bands.iter().collect();
        bands.sort_by(|a, b| (b.upper_q - b.lower_q).total_cmp(&(a.upper_q - a.lower_q)));
        Ok(bands)
    }
}

/// "5–95 %" for a band from 0.05 to 0.95.
fn band_label(b: &Band) -> String {
    format!(
        "{}–{} % of runs",
        format::number(b.lower_q * 100.0),
        format::number(b.upper_q * 100.0)
    )
}

/// Polygons covering the band, one per stretch where time and both edges are finite.
fn band_polygons(times: &[f64], b: &Band) -> Vec<Vec<(f64, f64)>> {
    let mut polys = Vec::new();
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    let mut flush = |upper: &mut Vec<(f64, f64)>, lower: &mut Vec<(f64, f64)>| {
        if upper.len() >= 2 {
            let mut poly = std::mem::take(upper);
            poly.extend(lower.drain(..).rev());
            polys.push(poly);
        }
        upper.clear();
        lower.clear();
    };
    for ((&t, &lo), &hi) in times.iter().zip(&b.lower).zip(&b.upper) {
        if t.is_finite() && lo.is_finite() && hi.is_finite() {
            upper.push((t, hi));
            lower.push((t, lo));
        } else {
            flush(&mut upper, &mut lower);
        }
    }
    flush(&mut upper, &mut lower);
    polys
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &FanChart,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let bands = chart.validated_bands()?;
    let times = &chart.times;
    let line = |ys: &[f64]| style::finite_runs(times.iter().copied().zip(ys.iter().copied()));
    let median_runs = line(&chart.median);
    let sample_runs: Vec<_> = chart.samples.iter().map(|s| line(s)).collect();
    let band_polys: Vec<_> = bands.iter().map(|b| band_polygons(times, b)).collect();

    let ys = band_polys
        .iter()
        .flatten()
        .flatten()
        .chain(median_runs.iter().flatten())
        .chain(sample_runs.iter().flatten().flatten())
        .map(|p| p.1);
    let (y0, y1) = style::finite_extent(ys).ok_or_else(|| ChartError::NoData {
        chart: KIND,
        title: chart.title.clone(),
        reason: "no finite values in bands, median or samples".into(),
    })?;
    let thresholds: Vec<&(String, f64)> = chart
        .thresholds
        .iter()
        .filter(|t| t.1.is_finite())
        .collect();
    let checkpoints: Vec<&(String, f64)> = chart
        .checkpoints
        .iter()
        .filter(|c| c.1.is_finite())
        .collect();
    let path_points: Vec<Vec<(f64, f64)>> = chart
        .paths
        .iter()
        .map(|p| {
            p.points
                .iter()
                .copied()
                .filter(|q| q.0.is_finite() && q.1.is_finite())
                .collect()
        })
        .collect();
    let observed: Vec<(f64, f64)> = chart
        .observed
        .iter()
        .copied()
        .filter(|q| q.0.is_finite() && q.1.is_finite())
        .collect();
    let (y0, y1) = thresholds
        .iter()
        .map(|t| t.1)
        .chain(path_points.iter().flatten().map(|q| q.1))
        .chain(observed.iter().map(|q| q.1))
        .fold((y0, y1), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Levels of people, money and the like start at zero so that the gap between the runs and
    // a target is seen at its true size; only series reaching below zero keep their range.
    let (y0, y1) = if y0 >= 0.0 { (0.0, y1) } else { (y0, y1) };
    let (x0, x1) =
        style::finite_extent(times.iter().copied().chain(checkpoints.iter().map(|c| c.1)))
            .ok_or_else(|| chart.invalid("no finite time points".into()))?;
    let x = if x0 < x1 {
        (x0, x1)
    } else {
        style::padded_range(x0, x1, 0.0)
    };
    let y = style::padded_range(y0, y1, 0.06);
    let y = if y0 == 0.0 && y1 > 0.0 { (0.0, y.1) } else { y };

    let fill = style::PALETTE[0];
    let mut legend = Vec::new();
    if !median_runs.is_empty() {
        legend.push(LegendEntry::new("median", Swatch::Line(style::INK, 3)));
    }
    // The innermost band is listed first, next to the median, as it is the "typical" range.
    for (k, b) in bands.iter().enumerate().rev() {
        let alpha = 1.0 - (1.0 - BAND_ALPHA).powi(k as i32 + 1);
        legend.push(LegendEntry::new(band_label(b), Swatch::Fill(fill, alpha)));
    }
    if sample_runs.iter().any(|r| !r.is_empty()) {
        legend.push(LegendEntry::new(
            "individual runs",
            Swatch::Line(style::SAMPLE_GREY, 1),
        ));
    }
    for (label, _) in &thresholds {
        legend.push(LegendEntry::new(label, Swatch::Dashed(style::RED)));
    }
    for (p, points) in chart.paths.iter().zip(&path_points) {
        if !points.is_empty() {
            legend.push(LegendEntry::new(
                format!("{}: required path", p.label),
                Swatch::Dashed(PATH_COLOUR),
            ));
        }
    }

    if !observed.is_empty() {
        legend.push(LegendEntry::new("data", Swatch::Line(style::RED, 3)));
    }
    let plot = style::frame(area, &chart.title, chart.note.as_deref(), &legend)?;
    let mut ctx = style::numeric_axes(&plot, x, y, &chart.x_label, &chart.y_label)?;

    for polys in &band_polys {
        ctx.draw_series(
            polys
                .iter()
                .map(|p| Polygon::new(p.clone(), fill.mix(BAND_ALPHA).filled())),
        )
        .map_err(draw_err)?;
    }
    for runs in &sample_runs {
        for run in runs {
            ctx.draw_series(LineSeries::new(
                run.iter().copied(),
                style::SAMPLE_GREY.stroke_width(1),
            ))
            .map_err(draw_err)?;
        }
    }
    for run in &median_runs {
        ctx.draw_series(LineSeries::new(
            run.iter().copied(),
            style::INK.stroke_width(3),
        ))
        .map_err(draw_err)?;
    }

    ctx.draw_series(observed.iter().map(|&q| {
        EmptyElement::at(q)
            + Circle::new((0, 0), 5, style::RED.filled())
            + Circle::new((0, 0), 5, WHITE.stroke_width(1))
    }))
    .map_err(draw_err)?;

    // Labels are placed in pixels on the bare plotting rectangle.
    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let to_px = |p: (f64, f64)| {
        let (bx, by) = coord.translate(&p);
        let (ox, oy) = canvas.get_base_pixel();
        (bx - ox, by - oy)
    };
    for (label, value) in &thresholds {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x.0, *value), (x.1, *value)],
            8,
            5,
            style::RED.stroke_width(2),
        )))
        .map_err(draw_err)?;
        let (px, py) = to_px((x.1, *value));
        style::annotate(
            &canvas,
            &format!("{label}: {}", format::number(*value)),
            (px - 6, py - 4),
            (HPos::Right, VPos::Bottom),
            style::RED,
        )?;
    }
    for points in &path_points {
        if points.len() >= 2 {
            ctx.draw_series(std::iter::once(DashedPathElement::new(
                points.clone(),
                8,
                5,
                PATH_COLOUR.stroke_width(2),
            )))
            .map_err(draw_err)?;
        }
        ctx.draw_series(points.iter().map(|&q| {
            EmptyElement::at(q)
                + Circle::new((0, 0), 6, WHITE.filled())
                + Circle::new((0, 0), 6, PATH_COLOUR.stroke_width(2))
        }))
        .map_err(draw_err)?;
    }
    // Each path is named at its last marker, so two paths in one colour are told apart.
    for (p, points) in chart.paths.iter().zip(&path_points) {
        if let Some(&last) = points.last() {
            let (px, py) = to_px(last);
            style::annotate(
                &canvas,
                &p.label,
                (px - 10, py - 8),
                (HPos::Right, VPos::Bottom),
                PATH_COLOUR,
            )?;
        }
    }
    for (i, (label, t)) in checkpoints.iter().enumerate() {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(*t, y.0), (*t, y.1)],
            3,
            4,
            style::MUTED.stroke_width(1),
        )))
        .map_err(draw_err)?;
        let (px, _) = to_px((*t, y.1));
        // Staggered so labels of nearby checkpoints do not print over each other; flipped to
        // the left of the line near the right edge.
        let py = 4 + (i % 3) as i32 * (style::LEGEND_SIZE as i32 + 8);
        let (w, _) = canvas.dim_in_pixel();
        let text_w = style::max_text_width(
            &canvas,
            [label],
            &style::text_style(style::LEGEND_SIZE, style::MUTED),
        )? as i32;
        let (ax, h) = if px + 6 + text_w < w as i32 {
            (px + 5, HPos::Left)
        } else {
            (px - 5, HPos::Right)
        };
        style::annotate(&canvas, label, (ax, py), (h, VPos::Top), style::MUTED)?;
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &FanChart, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    /// Bands of a growth process whose spread widens with time, as Monte Carlo output does.
    fn sample() -> FanChart {
        let times: Vec<f64> = (0..=52).map(|w| f64::from(w) * 7.0).collect();
        let centre = |t: f64| 200_000.0 + 3_000.0 * t;
        let spread = |t: f64, z: f64| centre(t) + z * 1_500.0 * t;
        let band = |lq: f64, uq: f64, z: f64| Band {
            lower_q: lq,
            upper_q: uq,
            lower: times.iter().map(|&t| spread(t, -z)).collect(),
            upper: times.iter().map(|&t| spread(t, z)).collect(),
        };
        FanChart {
            title: "粉丝 followers: 1,000 runs".into(),
            x_label: "Time (days)".into(),
            y_label: "Followers (people)".into(),
            bands: vec![band(0.25, 0.75, 0.674), band(0.05, 0.95, 1.645)],
            median: times.iter().map(|&t| centre(t)).collect(),
            samples: (0..5)
                .map(|k| {
                    times
                        .iter()
                        .map(|&t| {
                            spread(
                                t,
                                ((k as f64) - 2.0) * 0.6 + (t / 20.0 + k as f64).sin() * 0.5,
                            )
                        })
                        .collect()
                })
                .collect(),
            thresholds: vec![("target 1M".into(), 1_000_000.0)],
            checkpoints: vec![("Q2 review".into(), 182.0), ("year end".into(), 364.0)],
            paths: vec![],
            observed: vec![],
            note: None,
            times,
        }
    }

    #[test]
    fn a_required_path_is_drawn_through_its_checkpoints() {
        // A quarterly +20 % path from 200,000 on a fan that starts there: five markers, the
        // last at 200,000 × 1.2⁴ = 414,720.
        let mut chart = sample();
        chart.thresholds.clear();
        let without = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        chart.paths = vec![RequiredPath {
            label: "+20 % a quarter".into(),
            points: (0..5)
                .map(|k| (91.0 * f64::from(k), 200_000.0 * 1.2f64.powi(k)))
                .collect(),
        }];
        let with = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let red = |b: &[u8]| count_colour(b, style::RED, 10);
        // Dashes over about 800 px of width plus five rings: hundreds of red pixels.
        assert!(
            red(&with) > red(&without) + 600,
            "{} vs {}",
            red(&with),
            red(&without)
        );
    }

    #[test]
    fn levels_start_the_axis_at_zero() {
        // The fan lies between 200,000 and 1.3 M; the lowest tick label must be 0, drawn at
        // the bottom of the plot: so the bottom-left of the plot has ink at the zero tick.
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        // The pale outer band reaches down to its lowest value, 200,000, which on an axis from
        // zero sits 75 px above the plot bottom at this column (row 550 of 700); on an axis
        // from the lowest value it would sit about 25 px above it (row 600).
        let w = chart.pixel_size().0 as usize;
        let column = 600;
        let band = [78.0, 121.0, 167.0].map(|c: f64| 255.0 - (255.0 - c) * BAND_ALPHA);
        let pale = |y: usize| {
            let p = &buf[(y * w + column) * 3..(y * w + column) * 3 + 3];
            p.iter()
                .zip(band)
                .all(|(&a, b)| (f64::from(a) - b).abs() <= 6.0)
        };
        let rows: Vec<usize> = (0..chart.pixel_size().1 as usize)
            .filter(|&y| pale(y))
            .collect();
        let lowest_band = *rows.last().unwrap();
        assert!(
            lowest_band < chart.pixel_size().1 as usize - 130,
            "band reaches row {lowest_band}: the axis does not start at zero"
        );
    }

    #[test]
    fn renders_png_of_stated_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fan.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        assert_eq!(files_in(dir.path()), vec!["fan.png".to_string()]);
        if let Some(p) = preview_path("fan.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn draws_bands_median_and_threshold() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        assert!(count_colour(&buf, style::INK, 8) > 1000, "median and text");
        assert!(count_colour(&buf, style::RED, 8) > 300, "threshold line");
        // Pale band blue: palette blue at band opacity over white.
        let pale = RGBColor(
            (255.0 - (255.0 - 78.0) * BAND_ALPHA) as u8,
            (255.0 - (255.0 - 121.0) * BAND_ALPHA) as u8,
            (255.0 - (255.0 - 167.0) * BAND_ALPHA) as u8,
        );
        assert!(count_colour(&buf, pale, 6) > 5000, "outer band");
    }

    #[test]
    fn mismatched_lengths_are_errors() {
        let mut c = sample();
        c.median.pop();
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::InvalidData { .. })
        ));
        let mut c = sample();
        c.bands[0].upper.push(1.0);
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::InvalidData { .. })
        ));
        let mut c = sample();
        c.bands[1].lower_q = 0.99;
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::InvalidData { .. })
        ));
        let mut c = sample();
        c.samples[0].clear();
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::InvalidData { .. })
        ));
    }

    #[test]
    fn empty_or_all_nan_is_no_data() {
        let mut c = sample();
        c.times.clear();
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::NoData { .. })
        ));
        let mut c = sample();
        for b in &mut c.bands {
            b.lower.iter_mut().for_each(|v| *v = f64::NAN);
        }
        c.median.iter_mut().for_each(|v| *v = f64::INFINITY);
        c.samples.clear();
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::NoData { .. })
        ));
    }

    #[test]
    fn partial_nan_and_nan_thresholds_are_skipped() {
        let mut c = sample();
        c.median[10] = f64::NAN;
        c.bands[0].upper[20] = f64::NEG_INFINITY;
        c.thresholds.push(("broken".into(), f64::NAN));
        c.checkpoints.push(("broken".into(), f64::INFINITY));
        let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
        assert!(count_colour(&buf, style::INK, 8) > 1000);
    }
}
