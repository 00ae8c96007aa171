//! Tornado chart: which uncertain inputs drive an outcome, and in which direction.
//!
//! One signed bar per input (typically the Spearman rank correlation between the input and the
//! outcome across runs), largest influence on top, so an analyst knows which assumptions are
//! worth pinning down first.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, render_png, ChartError};
use crate::report::format::{self, AxisFormat};

const KIND: &str = "tornado";

/// Sensitivity of one outcome to each input.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// Chart title.
    pub title: String,
    /// Horizontal axis title, e.g. "Spearman rank correlation with followers at day 365".
    pub x_label: String,
    /// `(input name, signed value)`; drawn sorted by absolute value, largest on top. Inputs
    /// whose value is not finite (e.g. an input that never varied) are left out and counted.
    pub bars: Vec<(String, f64)>,
}

impl Tornado {
    /// Picture size in pixels: the default, taller when there are many inputs.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::size_for_rows(self.bars.len())
    }
}

/// Colours for inputs that push the outcome up and down.
const POSITIVE: RGBColor = style::PALETTE[0];
const NEGATIVE: RGBColor = style::PALETTE[1];

/// Half-width of the axis: symmetric so the zero line is central, kept to ±1 for values that
/// are correlations.
fn axis_bound(max_abs: f64, all_within_one: bool) -> f64 {
    if max_abs == 0.0 {
        return 1.0;
    }
    let padded = max_abs * 1.2;
    if all_within_one {
        padded.min(1.0).max(max_abs)
    } else {
        padded
    }
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &Tornado,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let mut bars: Vec<&(String, f64)> = chart.bars.iter().filter(|b| b.1.is_finite()).collect();
    if bars.is_empty() {
        return Err(ChartError::NoData {
            chart: KIND,
            title: chart.title.clone(),
            reason: format!("none of the {} inputs has a finite value", chart.bars.len()),
        });
    }
    // Stable sort: inputs of equal influence keep the caller's order.
    bars.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let n = bars.len();
    let skipped: Vec<&str> = chart
        .bars
        .iter()
        .filter(|b| !b.1.is_finite())
        .map(|b| b.0.as_str())
        .collect();
    let subtitle = match skipped.len() {
        0 => None,
        1..=3 => Some(format!("no finite value, left out: {}", skipped.join(", "))),
        k => Some(format!("{k} inputs without a finite value left out")),
    };

    let legend = vec![
        LegendEntry::new("raises the outcome", Swatch::Fill(POSITIVE, 0.85)),
        LegendEntry::new("lowers the outcome", Swatch::Fill(NEGATIVE, 0.85)),
    ];
    let plot = style::frame(area, &chart.title, subtitle.as_deref(), &legend)?;
    let label_w = style::row_label_width(&plot, bars.iter().map(|b| &b.0), 0.35)?;

    let max_abs = bars.iter().map(|b| b.1.abs()).fold(0.0, f64::max);
    let bound = axis_bound(max_abs, bars.iter().all(|b| b.1.abs() <= 1.0));
    let x = (-bound, bound);
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

    let row_y = |i: usize| (n - 1 - i) as f64;
    let half = 0.32;
    ctx.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
        let colour = if *v >= 0.0 { POSITIVE } else { NEGATIVE };
        Rectangle::new(
            [(0.0, row_y(i) - half), (*v, row_y(i) + half)],
            colour.mix(0.85).filled(),
        )
    }))
    .map_err(draw_err)?;
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, y.0), (0.0, y.1)],
        style::INK.stroke_width(1),
    )))
    .map_err(draw_err)?;

    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    for (i, (name, v)) in bars.iter().enumerate() {
        let (px, py) = coord.translate(&(*v, row_y(i)));
        style::draw_row_label(&plot, name, cx, py, label_w)?;
        // The value sits just beyond the bar's end, on the side the bar points to.
        let text = if *v > 0.0 {
            format!("+{}", format::number(*v))
        } else {
            format::number(*v)
        };
        let (ax, h) = if *v >= 0.0 {
            (px - cx + 6, HPos::Left)
        } else {
            (px - cx - 6, HPos::Right)
        };
        style::annotate(&canvas, &text, (ax, py - cy), (h, VPos::Center), style::INK)?;
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &Tornado, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn sample() -> Tornado {
        Tornado {
            title: "What drives 粉丝 followers at day 365".into(),
            x_label: "Spearman rank correlation with followers".into(),
            bars: vec![
                ("churn rate (per day)".into(), -0.41),
                ("内容质量 content quality".into(), 0.72),
                ("ad budget (CNY per month)".into(), 0.18),
                ("word-of-mouth factor".into(), 0.55),
                ("seasonality amplitude".into(), -0.06),
                ("constant input".into(), f64::NAN),
            ],
        }
    }

    #[test]
    fn renders_png_of_stated_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tornado.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        if let Some(p) = preview_path("tornado.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn positive_and_negative_bars_have_their_colours_in_proportion() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let bar = |c: RGBColor| bar_pixels(&buf, c);
        let (pos, neg) = (bar(POSITIVE), bar(NEGATIVE));
        // Bar lengths: positive 0.72 + 0.55 + 0.18 = 1.45, negative 0.47; ratio about 3.1.
        let ratio = pos as f64 / neg as f64;
        assert!((2.5..3.7).contains(&ratio), "ratio {ratio}");
    }

    #[test]
    fn axis_bound_is_symmetric_and_respects_correlation_range() {
        assert_eq!(axis_bound(0.95, true), 1.0);
        assert!((axis_bound(0.5, true) - 0.6).abs() < 1e-12);
        assert!((axis_bound(250.0, false) - 300.0).abs() < 1e-9);
        assert_eq!(axis_bound(0.0, true), 1.0);
    }

    #[test]
    fn no_finite_bars_is_an_error() {
        for bars in [vec![], vec![("x".to_string(), f64::NAN)]] {
            let c = Tornado { bars, ..sample() };
            assert!(matches!(
                draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
                Err(ChartError::NoData { .. })
            ));
        }
    }
}
