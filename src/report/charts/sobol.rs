//! Sobol chart: how much of an outcome's variance each uncertain input explains, alone
//! (first-order index) and with its interactions (total-effect index).
//!
//! Two bars per input, first order above total, with whiskers for their bootstrap 95 %
//! intervals; inputs sorted by total effect, strongest on top, on a common 0…1 axis (widened
//! only when an estimate or interval falls outside it) so charts of different targets compare
//! at a glance. A total bar much longer than its first-order bar marks an input that acts
//! through interactions.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, render_png, ChartError};
use crate::report::format::AxisFormat;

const KIND: &str = "sobol";

/// Colour of the first-order bars.
const FIRST: RGBColor = style::PALETTE[0];
/// Colour of the total-effect bars.
const TOTAL: RGBColor = style::PALETTE[1];

/// One input's indices and intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolBar {
    /// Input name.
    pub input: String,
    /// First-order index.
    pub first: f64,
    /// Total-effect index.
    pub total: f64,
    /// 95 % interval of `first`.
    pub first_ci95: [f64; 2],
    /// 95 % interval of `total`.
    pub total_ci95: [f64; 2],
}

/// The Sobol indices of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolChart {
    /// Chart title.
    pub title: String,
    /// Horizontal axis title.
    pub x_label: String,
    /// A line under the title (e.g. the design's size), if any.
    pub subtitle: Option<String>,
    /// One per input; drawn sorted by total effect, largest on top. Inputs without a finite
    /// total are left out.
    pub bars: Vec<SobolBar>,
    /// Most inputs drawn; the rest are counted in the subtitle.
    pub top: usize,
}

impl SobolChart {
    /// Picture size in pixels: taller when there are many inputs to show.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::size_for_rows(2 * self.bars.len().min(self.top.max(1)))
    }
}

/// The axis: 0…1, widened to take every finite estimate and interval end.
fn axis(bars: &[&SobolBar]) -> (f64, f64) {
    let ends = bars.iter().flat_map(|b| {
        [b.first, b.total]
            .into_iter()
            .chain(b.first_ci95)
            .chain(b.total_ci95)
    });
    let (lo, hi) = style::finite_extent(ends).unwrap_or((0.0, 1.0));
    let lo = if lo < 0.0 { lo - 0.02 } else { 0.0 };
    let hi = if hi > 1.0 { hi + 0.02 } else { 1.0 };
    (lo, hi)
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &SobolChart,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let mut bars: Vec<&SobolBar> = chart.bars.iter().filter(|b| b.total.is_finite()).collect();
    if bars.is_empty() {
        return Err(ChartError::NoData {
            chart: KIND,
            title: chart.title.clone(),
            reason: format!("none of the {} inputs has a finite index", chart.bars.len()),
        });
    }
    bars.sort_by(|a, b| b.total.total_cmp(&a.total));
    let x = axis(&bars);
    let shown = bars.len().min(chart.top.max(1));
    let hidden = bars.len() - shown;
    bars.truncate(shown);
    let n = bars.len();
    let mut notes: Vec<String> = chart.subtitle.iter().cloned().collect();
    if hidden > 0 {
        notes.push(format!(
            "largest {n} of {} inputs; {hidden} smaller not shown",
            n + hidden
        ));
    }
    let subtitle = (!notes.is_empty()).then(|| notes.join("; "));
    let legend = vec![
        LegendEntry::new("first order (alone)", Swatch::Fill(FIRST, 0.85)),
        LegendEntry::new("total (with interactions)", Swatch::Fill(TOTAL, 0.85)),
    ];
    let plot = style::frame(area, &chart.title, subtitle.as_deref(), &legend)?;
    let label_w = style::row_label_width(&plot, bars.iter().map(|b| &b.input), 0.35)?;
    style::check_axis(x)?;
    let y = (-0.6, n as f64 - 0.4);
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(30)
        .x_label_area_size(style::TICK_SIZE as u32 + style::AXIS_DESC_SIZE as u32 + 30)
        .y_label_area_size(label_w)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(draw_err)?;
    let xf = AxisFormat::for_range(x.0, x.1, style::X_TICKS);
    let tick = |v: &f64| xf.format(*v);
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(style::X_TICKS)
        .x_label_formatter(&tick)
        .x_desc(chart.x_label.as_str())
        .label_style(style::text_style(style::TICK_SIZE, style::INK))
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, style::INK))
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(style::GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;

    // Row i holds the first-order bar above its centre and the total bar below it.
    let row_y = |i: usize| (n - 1 - i) as f64;
    let half = 0.17;
    let bar_y = |i: usize, total: bool| row_y(i) + if total { -0.19 } else { 0.19 };
    let pieces = bars.iter().enumerate().flat_map(|(i, b)| {
        [
            (bar_y(i, false), b.first, b.first_ci95, FIRST),
            (bar_y(i, true), b.total, b.total_ci95, TOTAL),
        ]
    });
    for (yc, v, ci, colour) in pieces {
        if v.is_finite() {
            ctx.draw_series(std::iter::once(Rectangle::new(
                [(0.0, yc - half), (v, yc + half)],
                colour.mix(0.85).filled(),
            )))
            .map_err(draw_err)?;
        }
        if ci.iter().all(|c| c.is_finite()) {
            let whisker = style::INK.stroke_width(2);
            let cap = 0.08;
            ctx.draw_series([
                PathElement::new(vec![(ci[0], yc), (ci[1], yc)], whisker),
                PathElement::new(vec![(ci[0], yc - cap), (ci[0], yc + cap)], whisker),
                PathElement::new(vec![(ci[1], yc - cap), (ci[1], yc + cap)], whisker),
            ])
            .map_err(draw_err)?;
        }
    }
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, y.0), (0.0, y.1)],
        style::INK.stroke_width(1),
    )))
    .map_err(draw_err)?;

    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    for (i, b) in bars.iter().enumerate() {
        let (_, py) = coord.translate(&(0.0, row_y(i)));
        style::draw_row_label(&plot, &b.input, cx, py, label_w)?;
        for (total, v, ci) in [
            (false, b.first, b.first_ci95),
            (true, b.total, b.total_ci95),
        ] {
            if !v.is_finite() {
                continue;
            }
            let end = if ci[1].is_finite() { ci[1].max(v) } else { v };
            let (px, py) = coord.translate(&(end.max(0.0), bar_y(i, total)));
            let text = format!("{v:.2}");
            style::annotate(
                &canvas,
                &text,
                (px - cx + 6, py - cy),
                (HPos::Left, VPos::Center),
                style::INK,
            )?;
        }
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &SobolChart, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;
    use crate::report::charts::tornado::DEFAULT_TOP;

    fn bar(input: &str, first: f64, total: f64) -> SobolBar {
        SobolBar {
            input: input.into(),
            first,
            total,
            first_ci95: [first - 0.03, first + 0.03],
            total_ci95: [total - 0.03, total + 0.03],
        }
    }

    fn sample() -> SobolChart {
        SobolChart {
            title: "What explains the variance of 粉丝 followers at day 365".into(),
            x_label: "Sobol index (share of variance)".into(),
            subtitle: Some("N = 1,000 base runs, 5,000 in all".into()),
            bars: vec![
                bar("x1", 0.31, 0.56),
                bar("x2", 0.44, 0.44),
                bar("x3", 0.0, 0.24),
                bar("constant", f64::NAN, f64::NAN),
            ],
            top: DEFAULT_TOP,
        }
    }

    #[test]
    fn renders_png_of_stated_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sobol.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        if let Some(p) = preview_path("sobol.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn bar_areas_are_in_proportion_to_the_indices() {
        // First-order bars sum to 0.75, total bars to 1.24 (whiskers are drawn in ink).
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let ratio = bar_pixels(&buf, TOTAL) as f64 / bar_pixels(&buf, FIRST) as f64;
        assert!((ratio - 1.24 / 0.75).abs() < 0.15, "ratio {ratio}");
    }

    #[test]
    fn the_axis_is_zero_to_one_unless_an_estimate_leaves_it() {
        let b = [bar("a", 0.2, 0.5)];
        assert_eq!(axis(&b.iter().collect::<Vec<_>>()), (0.0, 1.0));
        let b = [bar("a", -0.05, 1.01)];
        let (lo, hi) = axis(&b.iter().collect::<Vec<_>>());
        assert!(lo < -0.08 && hi > 1.04, "{lo} {hi}");
    }

    #[test]
    fn no_finite_index_is_an_error() {
        let c = SobolChart {
            bars: vec![bar("x", f64::NAN, f64::NAN)],
            ..sample()
        };
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::NoData { .. })
        ));
    }
}
