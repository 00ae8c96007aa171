//! The shared look of all charts: size, palette, font sizes, and the frame (title, legend).
//!
//! Keeping these in one place is what makes a report's charts read as one family: the same
//! series colour means the same kind of thing everywhere, and the legend is always outside
//! the plot so it never hides data.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_err, ChartError};
use crate::report::font;
use crate::report::format::AxisFormat;

/// Default picture size in pixels (width, height).
pub const SIZE: (u32, u32) = (1200, 700);

/// Title text size in pixels.
pub(crate) const TITLE_SIZE: f64 = 28.0;
/// Subtitle text size in pixels.
pub(crate) const SUBTITLE_SIZE: f64 = 19.0;
/// Axis description size in pixels.
pub(crate) const AXIS_DESC_SIZE: f64 = 19.0;
/// Tick label size in pixels.
pub(crate) const TICK_SIZE: f64 = 16.0;
/// Legend and annotation text size in pixels.
pub(crate) const LEGEND_SIZE: f64 = 16.0;

/// Near-black for text and axes; pure black is harsh next to the palette.
pub(crate) const INK: RGBColor = RGBColor(40, 40, 40);
/// Secondary text (subtitles, annotations).
pub(crate) const MUTED: RGBColor = RGBColor(100, 100, 100);
/// Major grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Minor grid lines.
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(242, 242, 242);
/// Individual sample runs and other context lines.
pub(crate) const SAMPLE_GREY: RGBColor = RGBColor(170, 170, 170);

/// Series colours (Tableau 10): distinguishable, also for common colour-vision deficiencies.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(176, 122, 161),
    RGBColor(237, 201, 72),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// The colour of the `i`-th series, cycling through the palette.
pub(crate) fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Verdict colours: green, amber, red.
pub(crate) const GREEN: RGBColor = RGBColor(46, 140, 76);
/// Amber for uncertain verdicts.
pub(crate) const AMBER: RGBColor = RGBColor(232, 160, 20);
/// Red for unlikely verdicts and misses.
pub(crate) const RED: RGBColor = RGBColor(200, 55, 55);

/// Text in the chart font at `size`, in `colour`.
pub(crate) fn text_style(size: f64, colour: RGBColor) -> TextStyle<'static> {
    let mut style = font::text(size);
    style.color = colour.to_backend_color();
    style
}

/// The longest prefix of `text` (plus "…") whose rendered width fits in `max_px`.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_px: u32,
) -> Result<String, ChartError> {
    let width = |s: &str| -> Result<u32, ChartError> {
        Ok(area.estimate_text_size(s, style).map_err(draw_err)?.0)
    };
    if width(text)? <= max_px {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search on the prefix length: names can be long and layout estimation is not free.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if width(&candidate)? <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo].iter().collect::<String>() + "…")
}

/// Widest rendering among `texts`, in pixels.
pub(crate) fn max_text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: impl IntoIterator<Item = impl AsRef<str>>,
    style: &TextStyle,
) -> Result<u32, ChartError> {
    let mut widest = 0;
    for t in texts {
        widest = widest.max(
            area.estimate_text_size(t.as_ref(), style)
                .map_err(draw_err)?
                .0,
        );
    }
    Ok(widest)
}

/// How a legend entry's sample looks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A solid line of the given width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box (bars, bands); the alpha matches how the box is drawn.
    Fill(RGBColor, f64),
}

/// One legend row.
pub(crate) struct LegendEntry {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendEntry {
    /// A legend row.
    pub fn new(label: impl Into<String>, swatch: Swatch) -> LegendEntry {
        LegendEntry {
            label: label.into(),
            swatch,
        }
    }
}

/// Space for the legend to the right of the plot.
const LEGEND_MIN_WIDTH: u32 = 150;
const LEGEND_MAX_WIDTH: u32 = 300;
const SWATCH_WIDTH: i32 = 30;
const LEGEND_ROW: i32 = 26;

/// Clears `area`, draws the title (and subtitle) on top and the legend on the right, and
/// returns the area left for the plot itself.
pub(crate) fn frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: Option<&str>,
    legend: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    font::ensure_registered()?;
    area.fill(&WHITE).map_err(draw_err)?;
    let (w, _) = area.dim_in_pixel();

    let title_style = text_style(TITLE_SIZE, INK).pos(Pos::new(HPos::Center, VPos::Top));
    let title = fit_text(area, title, &title_style, w.saturating_sub(40))?;
    area.draw_text(&title, &title_style, (w as i32 / 2, 14))
        .map_err(draw_err)?;
    let mut top = 14 + TITLE_SIZE as i32 + 10;
    if let Some(sub) = subtitle {
        let sub_style = text_style(SUBTITLE_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Top));
        let sub = fit_text(area, sub, &sub_style, w.saturating_sub(40))?;
        area.draw_text(&sub, &sub_style, (w as i32 / 2, top))
            .map_err(draw_err)?;
        top += SUBTITLE_SIZE as i32 + 10;
    }
    let body = area.margin(top, 10, 10, 10);
    if legend.is_empty() {
        return Ok(body);
    }

    let label_style = text_style(LEGEND_SIZE, INK).pos(Pos::new(HPos::Left, VPos::Center));
    let widest = max_text_width(area, legend.iter().map(|e| &e.label), &label_style)?;
    let panel_w = (widest + SWATCH_WIDTH as u32 + 30).clamp(LEGEND_MIN_WIDTH, LEGEND_MAX_WIDTH);
    let (body_w, _) = body.dim_in_pixel();
    let (plot, panel) = body.split_horizontally(body_w.saturating_sub(panel_w));
    draw_legend(&panel, legend, panel_w)?;
    Ok(plot)
}

/// Draws the legend rows top-down in `panel`.
fn draw_legend<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    legend: &[LegendEntry],
    panel_w: u32,
) -> Result<(), ChartError> {
    let label_style = text_style(LEGEND_SIZE, INK).pos(Pos::new(HPos::Left, VPos::Center));
    let (_, panel_h) = panel.dim_in_pixel();
    let text_max = panel_w.saturating_sub(SWATCH_WIDTH as u32 + 24);
    for (i, entry) in legend.iter().enumerate() {
        let y = 20 + i as i32 * LEGEND_ROW;
        if y + LEGEND_ROW / 2 > panel_h as i32 {
            break;
        }
        let x0 = 8;
        let x1 = x0 + SWATCH_WIDTH;
        match entry.swatch {
            Swatch::Line(c, width) => panel.draw(&PathElement::new(
                vec![(x0, y), (x1, y)],
                c.stroke_width(width),
            )),
            Swatch::Dashed(c) => panel.draw(&DashedPathElement::new(
                vec![(x0, y), (x1, y)],
                6,
                4,
                c.stroke_width(2),
            )),
            Swatch::Fill(c, alpha) => panel.draw(&Rectangle::new(
                [(x0, y - 7), (x1, y + 7)],
                c.mix(alpha).filled(),
            )),
        }
        .map_err(draw_err)?;
        let label = fit_text(panel, &entry.label, &label_style, text_max)?;
        panel
            .draw_text(&label, &label_style, (x1 + 10, y))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Most tick labels on a horizontal numeric axis.
pub(crate) const X_TICKS: usize = 10;
/// Most tick labels on a vertical numeric axis.
pub(crate) const Y_TICKS: usize = 8;

/// A chart with numeric axes over `x` and `y`, its mesh, ticks and axis titles drawn.
pub(crate) fn numeric_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    x_label: &str,
    y_label: &str,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, ChartError> {
    numeric_axes_counting(plot, x, y, (x_label, y_label), (false, false))
}

/// Most ticks an axis over `range` gets when it counts whole things: never more than there
/// are whole numbers in the range, so the tick step is at least 1.
pub(crate) fn counting_ticks(range: (f64, f64), most: usize) -> usize {
    let whole = (range.1.floor() - range.0.ceil()).max(0.0) as usize + 1;
    whole.clamp(2, most)
}

/// [`numeric_axes`] where an axis that counts whole things (`counts`: x, y) gets whole-number
/// ticks only: a count of runs or of targets met has no tick at 2.5.
pub(crate) fn numeric_axes_counting<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    (x_label, y_label): (&str, &str),
    counts: (bool, bool),
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, ChartError> {
    check_axis(x)?;
    check_axis(y)?;
    let x_ticks = if counts.0 {
        counting_ticks(x, X_TICKS)
    } else {
        X_TICKS
    };
    let y_ticks = if counts.1 {
        counting_ticks(y, Y_TICKS)
    } else {
        Y_TICKS
    };
    let xf = AxisFormat::for_range(x.0, x.1, x_ticks);
    let yf = AxisFormat::for_range(y.0, y.1, y_ticks);
    let tick_style = text_style(TICK_SIZE, INK);
    // Wide enough for the widest tick label plus the rotated axis title.
    let samples = [y.0, y.1, (y.0 + y.1) / 2.0].map(|v| yf.format(v) + "0");
    let y_area = max_text_width(plot, samples, &tick_style)? + 14 + AXIS_DESC_SIZE as u32 + 10;
    let mut chart = ChartBuilder::on(plot)
        .margin_top(12)
        .margin_right(30)
        .x_label_area_size(TICK_SIZE as u32 + AXIS_DESC_SIZE as u32 + 30)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(draw_err)?;
    let whole = |v: f64| (v - v.round()).abs() < 1e-9;
    let x_fmt = |v: &f64| {
        if counts.0 && !whole(*v) {
            String::new()
        } else {
            xf.format(*v)
        }
    };
    let y_fmt = |v: &f64| {
        if counts.1 && !whole(*v) {
            String::new()
        } else {
            yf.format(*v)
        }
    };
    chart
        .configure_mesh()
        .x_labels(x_ticks)
        .y_labels(y_ticks)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(tick_style.clone())
        .axis_desc_style(text_style(AXIS_DESC_SIZE, INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

/// Draws the horizontal probability axis of a bar chart (percent ticks, `x_labels` of them,
/// under the title "Probability of reaching the target") with its grid, and no vertical labels:
/// the rows are named by [`draw_row_label`].
pub(crate) fn probability_axis<DB: DrawingBackend>(
    ctx: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    x_labels: usize,
) -> Result<(), ChartError> {
    // Rounding first keeps float noise (0.30000000000000004) out of the tick labels.
    let tick = |v: &f64| crate::report::format::percent_tick((*v * 1e6).round() / 1e6);
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(x_labels)
        .x_label_formatter(&tick)
        .x_desc("Probability of reaching the target")
        .label_style(text_style(TICK_SIZE, INK))
        .axis_desc_style(text_style(AXIS_DESC_SIZE, INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)
}

/// Labels the dashed verdict lines at the top of a probability axis: `likely` and `unlikely`
/// are each a probability and its pixel column relative to `area`. The wording follows the
/// verdict rule: likely when P ≥ the first, unlikely when P < the second.
pub(crate) fn verdict_line_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    likely: (f64, i32),
    unlikely: (f64, i32),
) -> Result<(), ChartError> {
    for ((value, x), colour, label, h) in [
        (likely, GREEN, "likely ≥", HPos::Left),
        (unlikely, RED, "unlikely <", HPos::Right),
    ] {
        let ax = if matches!(h, HPos::Left) {
            x + 5
        } else {
            x - 5
        };
        let text = format!("{label} {}", crate::report::format::percent(value));
        annotate(area, &text, (ax, 4), (h, VPos::Top), colour)?;
    }
    Ok(())
}

/// Draws `text` on a translucent white box so it stays legible over data, positioned by
/// `anchor` (pixels inside `area`) and `pos`, and pushed back inside `area` if it would stick out.
pub(crate) fn annotate<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    anchor: (i32, i32),
    pos: (HPos, VPos),
    colour: RGBColor,
) -> Result<(), ChartError> {
    let style = text_style(LEGEND_SIZE, colour).pos(Pos::new(HPos::Left, VPos::Top));
    let (tw, th) = area.estimate_text_size(text, &style).map_err(draw_err)?;
    let (tw, th) = (tw as i32, th as i32);
    let (aw, ah) = area.dim_in_pixel();
    let x = match pos.0 {
        HPos::Left => anchor.0,
        HPos::Center => anchor.0 - tw / 2,
        HPos::Right => anchor.0 - tw,
    };
    let y = match pos.1 {
        VPos::Top => anchor.1,
        VPos::Center => anchor.1 - th / 2,
        VPos::Bottom => anchor.1 - th,
    };
    let pad = 3;
    let x = x.clamp(pad, (aw as i32 - tw - pad).max(pad));
    let y = y.clamp(pad, (ah as i32 - th - pad).max(pad));
    area.draw(&Rectangle::new(
        [(x - pad, y - pad), (x + tw + pad, y + th + pad)],
        WHITE.mix(0.85).filled(),
    ))
    .map_err(draw_err)?;
    area.draw_text(text, &style, (x, y)).map_err(draw_err)
}

/// Horizontal space to give row names (scorecard targets, tornado inputs): enough for the
/// widest name, but never more than `max_share` of the width so the bars keep room.
pub(crate) fn row_label_width<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    names: impl IntoIterator<Item = impl AsRef<str>>,
    max_share: f64,
) -> Result<u32, ChartError> {
    let style = text_style(TICK_SIZE, INK);
    let widest = max_text_width(plot, names, &style)?;
    let (w, _) = plot.dim_in_pixel();
    // min before max: on a tiny area the cap wins, and clamp would panic on min > max.
    Ok((widest + 24).max(80).min((f64::from(w) * max_share) as u32))
}

/// Draws `name` right-aligned just left of the plotting area at absolute pixel row `y_abs`,
/// shortened with "…" to fit `width`.
pub(crate) fn draw_row_label<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    name: &str,
    plot_left_abs: i32,
    y_abs: i32,
    width: u32,
) -> Result<(), ChartError> {
    let style = text_style(TICK_SIZE, INK).pos(Pos::new(HPos::Right, VPos::Center));
    let name = fit_text(plot, name, &style, width.saturating_sub(20))?;
    let (bx, by) = plot.get_base_pixel();
    plot.draw_text(&name, &style, (plot_left_abs - 10 - bx, y_abs - by))
        .map_err(draw_err)
}

/// Pixels per row in horizontal bar charts when the picture grows to fit many rows.
pub(crate) const ROW_PX: u32 = 40;

/// Picture size for a chart with `rows` horizontal rows: the default, taller when needed.
pub(crate) fn size_for_rows(rows: usize) -> (u32, u32) {
    // Capped so a runaway row count cannot ask for a gigantic bitmap; rows just get thinner.
    let needed = 220 + ROW_PX * rows.min(200) as u32;
    (SIZE.0, SIZE.1.max(needed))
}

/// Refuses axis ranges the drawing library cannot subdivide: values so large (near the
/// limit of floating point) that the span overflows.
pub(crate) fn check_axis(r: (f64, f64)) -> Result<(), ChartError> {
    if r.0.is_finite() && r.1.is_finite() && (r.1 - r.0).is_finite() && r.1 > r.0 {
        Ok(())
    } else {
        Err(ChartError::Drawing(format!(
            "values from {} to {} are too large to plot",
            r.0, r.1
        )))
    }
}

/// A data range widened so that nothing sits on the plot edge, and never empty.
///
/// `pad` is a fraction of the span added on each side; a zero span becomes ±10 % of the value
/// (or ±1 around zero) so a constant series still gets a readable axis.
pub(crate) fn padded_range(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = hi - lo;
    if span <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - half, hi + half);
    }
    (lo - span * pad, hi + span * pad)
}

/// Splits `points` into runs of consecutive finite points, so non-finite values leave a gap
/// instead of drawing a line to a made-up place.
pub(crate) fn finite_runs(points: impl IntoIterator<Item = (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (x, y) in points {
        if x.is_finite() && y.is_finite() {
            current.push((x, y));
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The minimum and maximum of the finite values, if there are any.
pub(crate) fn finite_extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_range_handles_constant_and_reversed() {
        assert_eq!(padded_range(5.0, 5.0, 0.05), (4.5, 5.5));
        assert_eq!(padded_range(0.0, 0.0, 0.05), (-1.0, 1.0));
        let (lo, hi) = padded_range(10.0, 0.0, 0.1);
        assert!((lo + 1.0).abs() < 1e-12 && (hi - 11.0).abs() < 1e-12);
    }

    #[test]
    fn finite_runs_split_at_gaps() {
        let pts = vec![
            (0.0, 1.0),
            (1.0, f64::NAN),
            (2.0, 3.0),
            (3.0, 4.0),
            (f64::INFINITY, 1.0),
        ];
        assert_eq!(
            finite_runs(pts),
            vec![vec![(0.0, 1.0)], vec![(2.0, 3.0), (3.0, 4.0)]]
        );
        assert!(finite_runs(vec![(f64::NAN, 0.0)]).is_empty());
    }

    #[test]
    fn finite_extent_ignores_non_finite() {
        assert_eq!(
            finite_extent([3.0, f64::NAN, -1.0, f64::INFINITY]),
            Some((-1.0, 3.0))
        );
        assert_eq!(finite_extent([f64::NAN]), None);
    }
}
