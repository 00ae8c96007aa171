//! Lever tornado: how far each decision lever moves a target's probability. One bar per lever
//! from the probability with the lever at its min to the probability at its max, around a line
//! at the study's probability, widest swing on top; green where raising the lever helps, red
//! where it hurts.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{check_probability, draw_err, render_png, ChartError};
use crate::report::format;

const KIND: &str = "lever tornado";

/// One lever's swing.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverBar {
    /// Lever name.
    pub name: String,
    /// Text at the min end, e.g. "1,000".
    pub min_label: String,
    /// Text at the max end.
    pub max_label: String,
    /// Probability with the lever at its min.
    pub at_min: f64,
    /// Probability with the lever at its max.
    pub at_max: f64,
}

/// The swings of every lever on one target.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverTornado {
    /// Chart title.
    pub title: String,
    /// The study's probability (levers at their values).
    pub base: f64,
    /// One bar per lever.
    pub bars: Vec<LeverBar>,
}

impl LeverTornado {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::size_for_rows(self.bars.len())
    }
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &LeverTornado,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    if chart.bars.is_empty() {
        return Err(ChartError::NoData {
            chart: KIND,
            title: chart.title.clone(),
            reason: "no levers".into(),
        });
    }
    check_probability(KIND, &chart.title, "the base probability", chart.base)?;
    for b in &chart.bars {
        check_probability(
            KIND,
            &chart.title,
            &format!("P({} at min)", b.name),
            b.at_min,
        )?;
        check_probability(
            KIND,
            &chart.title,
            &format!("P({} at max)", b.name),
            b.at_max,
        )?;
    }
    let mut bars: Vec<&LeverBar> = chart.bars.iter().collect();
    bars.sort_by(|a, b| {
        (b.at_max - b.at_min)
            .abs()
            .total_cmp(&(a.at_max - a.at_min).abs())
    });
    let legend = vec![
        LegendEntry::new("raising it helps", Swatch::Fill(style::GREEN, 0.85)),
        LegendEntry::new("raising it hurts", Swatch::Fill(style::RED, 0.85)),
        LegendEntry::new(
            format!("as modelled: {}", format::percent(chart.base)),
            Swatch::Line(style::INK, 2),
        ),
    ];
    let plot = style::frame(
        area,
        &chart.title,
        Some("probability with each lever at its min and at its max (same runs)"),
        &legend,
    )?;
    let label_w = style::row_label_width(&plot, bars.iter().map(|b| &b.name), 0.3)?;
    let n = bars.len();
    let y = (-0.6, n as f64 - 0.4);
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(30)
        .x_label_area_size(style::TICK_SIZE as u32 + style::AXIS_DESC_SIZE as u32 + 30)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0.0..1.0, y.0..y.1)
        .map_err(draw_err)?;
    style::probability_axis(&mut ctx, 11)?;
    let row_y = |i: usize| (n - 1 - i) as f64;
    let half = 0.32;
    ctx.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let colour = if b.at_max >= b.at_min {
            style::GREEN
        } else {
            style::RED
        };
        // A lever that moves nothing still gets a sliver, so its row is not empty.
        let (lo, hi) = (
            b.at_min.min(b.at_max),
            b.at_min.max(b.at_max).max(b.at_min.min(b.at_max) + 0.002),
        );
        Rectangle::new(
            [(lo, row_y(i) - half), (hi, row_y(i) + half)],
            colour.mix(0.85).filled(),
        )
    }))
    .map_err(draw_err)?;
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(chart.base, y.0), (chart.base, y.1)],
        style::INK.stroke_width(2),
    )))
    .map_err(draw_err)?;
    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    for (i, b) in bars.iter().enumerate() {
        let (_, py) = coord.translate(&(0.0, row_y(i)));
        style::draw_row_label(&plot, &b.name, cx, py, label_w)?;
        let ends = [
            (
                b.at_min,
                format!("{}: {}", b.min_label, format::percent(b.at_min)),
            ),
            (
                b.at_max,
                format!("{}: {}", b.max_label, format::percent(b.at_max)),
            ),
        ];
        let right_is_max = b.at_max >= b.at_min;
        for (k, (p, text)) in ends.iter().enumerate() {
            let on_right = (k == 1) == right_is_max;
            let (px, _) = coord.translate(&(*p, 0.0));
            let (ax, h) = if on_right {
                (px - cx + 6, HPos::Left)
            } else {
                (px - cx - 6, HPos::Right)
            };
            style::annotate(&canvas, text, (ax, py - cy), (h, VPos::Center), style::INK)?;
        }
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &LeverTornado, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn sample() -> LeverTornado {
        LeverTornado {
            title: "Levers: follower_growth".into(),
            base: 0.3,
            bars: vec![
                LeverBar {
                    name: "budget".into(),
                    min_label: "1,000".into(),
                    max_label: "100,000".into(),
                    at_min: 0.1,
                    at_max: 0.7,
                },
                LeverBar {
                    name: "price".into(),
                    min_label: "10".into(),
                    max_label: "20".into(),
                    at_min: 0.4,
                    at_max: 0.1,
                },
            ],
        }
    }

    #[test]
    fn bars_span_min_to_max_in_their_colours() {
        let c = sample();
        let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
        // Swings of 0.6 (helps) and 0.3 (hurts): green bar twice the red one.
        let ratio = bar_pixels(&buf, style::GREEN) as f64 / bar_pixels(&buf, style::RED) as f64;
        assert!((1.7..2.3).contains(&ratio), "ratio {ratio}");
        if let Some(p) = preview_path("lever_tornado.png") {
            render(&c, &p).unwrap();
        }
    }

    #[test]
    fn no_bars_or_bad_probabilities_are_errors() {
        let mut c = sample();
        c.bars.clear();
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
        let mut c = sample();
        c.bars[0].at_max = 1.2;
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
    }
}
