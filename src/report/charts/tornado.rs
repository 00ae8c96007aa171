//! Tornado chart: which uncertain inputs drive an outcome, and in which direction.
//!
//! One signed bar per input (typically the Spearman rank correlation between the input and the
//! outcome across runs), largest influence on top, so an analyst knows which assumptions are
//! worth pinning down first. Only the strongest few are drawn; bars are green where a higher
//! input helps the target and red where it hurts, and correlations share one −1…1 axis so
//! tornados of different targets compare at a glance.

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
    /// Whether a higher outcome helps the target (`>=`, `>`), hurts it (`<=`, `<`, such as a
    /// deadline), or is neither (`None`: bars are coloured by direction only).
    pub higher_helps: Option<bool>,
    /// Most bars drawn, strongest first; the rest are counted in the subtitle.
    pub top: usize,
}

/// Bars a tornado shows unless told otherwise: enough for the decisive inputs, few enough to
/// read in a glance.
pub const DEFAULT_TOP: usize = 10;

impl Tornado {
    /// Picture size in pixels: the default, taller when there are many bars to show.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::size_for_rows(self.bars.len().min(self.top.max(1)))
    }
}

/// Colours for inputs that push the outcome up and down when the target has no direction.
const POSITIVE: RGBColor = style::PALETTE[0];
const NEGATIVE: RGBColor = style::PALETTE[1];

/// The colour of a bar of sign `v`: green when the input helps the target, red when it hurts.
fn bar_colour(v: f64, higher_helps: Option<bool>) -> RGBColor {
    match higher_helps {
        Some(up) if (v >= 0.0) == up => style::GREEN,
        Some(_) => style::RED,
        None if v >= 0.0 => POSITIVE,
        None => NEGATIVE,
    }
}

/// `v` with two significant figures and its sign: `+0.72`, `-0.061`, `+1.2`, `0`.
pub(crate) fn two_figures(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format::number(v);
    }
    let magnitude = v.abs().log10().floor() as i32;
    if magnitude >= 2 {
        let unit = 10f64.powi(magnitude - 1);
        let rounded = (v / unit).round() * unit;
        let text = format::number(rounded);
        return if v > 0.0 { format!("+{text}") } else { text };
    }
    let decimals = (1 - magnitude).clamp(0, 12) as usize;
    format!("{v:+.decimals$}")
}

/// Half-width of the axis: symmetric so the zero line is central, and exactly ±1 for values
/// that are correlations so that every target's tornado has the same scale.
fn axis_bound(max_abs: f64, all_within_one: bool) -> f64 {
    if all_within_one || max_abs == 0.0 {
        1.0
    } else {
        max_abs * 1.2
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
    let shown = bars.len().min(chart.top.max(1));
    let hidden = bars.len() - shown;
    // The axis is fixed by every finite bar, so dropping weak ones does not rescale it.
    let all_within_one = bars.iter().all(|b| b.1.abs() <= 1.0);
    let max_abs = bars.iter().map(|b| b.1.abs()).fold(0.0, f64::max);
    bars.truncate(shown);
    let n = bars.len();
    let skipped: Vec<&str> = chart
        .bars
        .iter()
        .filter(|b| !b.1.is_finite())
        .map(|b| b.0.as_str())
        .collect();
    let mut notes = Vec::new();
    if hidden > 0 {
        notes.push(format!(
            "strongest {n} of {} inputs; {hidden} weaker not shown",
            n + hidden
        ));
    }
    match skipped.len() {
        0 => {}
        1..=3 => notes.push(format!("no finite value, left out: {}", skipped.join(", "))),
        k => notes.push(format!("{k} inputs without a finite value left out")),
    }
    let subtitle = (!notes.is_empty()).then(|| notes.join("; "));

    let legend = match chart.higher_helps {
        Some(_) => vec![
            LegendEntry::new("helps the target", Swatch::Fill(style::GREEN, 0.85)),
            LegendEntry::new("hurts the target", Swatch::Fill(style::RED, 0.85)),
        ],
        None => vec![
            LegendEntry::new("raises the outcome", Swatch::Fill(POSITIVE, 0.85)),
            LegendEntry::new("lowers the outcome", Swatch::Fill(NEGATIVE, 0.85)),
        ],
    };
    let plot = style::frame(area, &chart.title, subtitle.as_deref(), &legend)?;
    let label_w = style::row_label_width(&plot, bars.iter().map(|b| &b.0), 0.35)?;

    let bound = axis_bound(max_abs, all_within_one);
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
        let colour = bar_colour(*v, chart.higher_helps);
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
        let text = two_figures(*v);
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
            higher_helps: None,
            top: DEFAULT_TOP,
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
    fn axis_bound_is_the_common_correlation_range() {
        assert_eq!(axis_bound(0.95, true), 1.0);
        assert_eq!(axis_bound(0.1, true), 1.0);
        assert!((axis_bound(250.0, false) - 300.0).abs() < 1e-9);
        assert_eq!(axis_bound(0.0, true), 1.0);
    }

    #[test]
    fn two_significant_figures() {
        assert_eq!(two_figures(0.7234), "+0.72");
        assert_eq!(two_figures(-0.0614), "-0.061");
        assert_eq!(two_figures(-0.41), "-0.41");
        assert_eq!(two_figures(1.234), "+1.2");
        assert_eq!(two_figures(0.996), "+1.00");
        assert_eq!(two_figures(0.0), "0");
    }

    /// Pixel column (in the whole picture) where the zero line of a tornado sits, found as
    /// the column where bars of both signs meet.
    fn bar_extent(buf: &[u8], width: u32, colour: RGBColor) -> Option<(u32, u32)> {
        let mix = |x: u8| (255.0 - (255.0 - f64::from(x)) * 0.85).round() as u8;
        let c = [mix(colour.0), mix(colour.1), mix(colour.2)];
        let hit = |p: &[u8]| p.iter().zip(c).all(|(&a, b)| a.abs_diff(b) <= 3);
        let cols: Vec<u32> = buf
            .chunks(3)
            .enumerate()
            .filter(|(_, p)| hit(p))
            .map(|(i, _)| i as u32 % width)
            // The legend's swatches on the right share the colours.
            .filter(|&x| x < width - 300)
            .collect();
        Some((*cols.iter().min()?, *cols.iter().max()?))
    }

    #[test]
    fn the_axis_is_the_same_for_weak_and_strong_drivers() {
        // One bar of +0.2 and one of +0.8 on separate charts: on a common −1…1 axis the second
        // is four times as long (within a few pixels of antialiasing).
        let one = |v: f64| Tornado {
            bars: vec![("x".into(), v), ("y".into(), -0.01)],
            higher_helps: Some(true),
            ..sample()
        };
        let len = |v: f64| {
            let c = one(v);
            let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
            let (lo, hi) = bar_extent(&buf, c.pixel_size().0, style::GREEN).unwrap();
            f64::from(hi - lo + 1)
        };
        let (short, long) = (len(0.2), len(0.8));
        assert!((long / short - 4.0).abs() < 0.15, "{short} vs {long} px");
    }

    #[test]
    fn colours_say_helps_or_hurts_the_target() {
        // For a "<=" target (a deadline), an input that lowers the outcome helps: green.
        let c = Tornado {
            bars: vec![("speed".into(), -0.6), ("delay".into(), 0.3)],
            higher_helps: Some(false),
            ..sample()
        };
        let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
        let width = c.pixel_size().0;
        let (g0, g1) = bar_extent(&buf, width, style::GREEN).unwrap();
        let (r0, r1) = bar_extent(&buf, width, style::RED).unwrap();
        assert!(
            g1 < r0 + 3,
            "the helping bar points left of the hurting one"
        );
        // Lengths in proportion 0.6 : 0.3.
        let ratio = f64::from(g1 - g0 + 1) / f64::from(r1 - r0 + 1);
        assert!((ratio - 2.0).abs() < 0.1, "ratio {ratio}");
        // The same bars for a ">=" target swap colours.
        let up = Tornado {
            higher_helps: Some(true),
            ..c
        };
        let buf = draw_to_buffer(up.pixel_size(), |a| draw(&up, a)).unwrap();
        let (g0, _) = bar_extent(&buf, width, style::GREEN).unwrap();
        let (_, r1) = bar_extent(&buf, width, style::RED).unwrap();
        assert!(r1 < g0 + 3, "now the red bar is the left one");
    }

    #[test]
    fn only_the_top_bars_are_drawn_and_the_picture_stays_short() {
        let bars: Vec<(String, f64)> = (0..44)
            .map(|i| (format!("input {i}"), 0.9 - f64::from(i) * 0.02))
            .collect();
        let c = Tornado {
            bars,
            higher_helps: Some(true),
            ..sample()
        };
        assert_eq!(c.pixel_size(), style::size_for_rows(DEFAULT_TOP));
        assert!(c.pixel_size().1 < 1600);
        let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
        // Walking down a column just right of the zero line crosses each drawn bar once.
        let width = c.pixel_size().0;
        let (zero, _) = bar_extent(&buf, width, style::GREEN).unwrap();
        let mix = |x: u8| (255.0 - (255.0 - f64::from(x)) * 0.85).round() as u8;
        let green = [
            mix(style::GREEN.0),
            mix(style::GREEN.1),
            mix(style::GREEN.2),
        ];
        let is_bar = |y: u32| {
            let i = ((y * width + zero + 4) * 3) as usize;
            buf[i..i + 3]
                .iter()
                .zip(green)
                .all(|(&a, b)| a.abs_diff(b) <= 3)
        };
        let rows = (1..c.pixel_size().1)
            .filter(|&y| is_bar(y) && !is_bar(y - 1))
            .count();
        assert_eq!(rows, DEFAULT_TOP);
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
