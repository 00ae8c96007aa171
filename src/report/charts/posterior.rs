//! Prior against posterior: for each calibrated input, its prior's 95 % interval (grey) and
//! its posterior's (blue, with the posterior mean), on one row each, every row scaled to its
//! own prior interval so inputs of different sizes share the picture.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, ChartError};
use crate::report::format;

const KIND: &str = "prior-posterior";

/// One calibrated input.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrowing {
    /// Input name.
    pub name: String,
    /// The prior's central 95 % interval.
    pub prior: [f64; 2],
    /// The posterior's central 95 % interval.
    pub posterior: [f64; 2],
    /// The posterior mean.
    pub mean: f64,
}

/// Every calibrated input's prior and posterior intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorPosterior {
    /// Chart title.
    pub title: String,
    /// The rows, top to bottom.
    pub rows: Vec<Narrowing>,
}

impl PriorPosterior {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::size_for_rows(self.rows.len())
    }
}

/// Position of `v` on the row's scale: 0 at the prior's 2.5 % point, 1 at its 97.5 % point.
fn scaled(r: &Narrowing, v: f64) -> f64 {
    (v - r.prior[0]) / (r.prior[1] - r.prior[0])
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &PriorPosterior,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let usable = |r: &&Narrowing| {
        r.prior[1] > r.prior[0]
            && [
                r.prior[0],
                r.prior[1],
                r.posterior[0],
                r.posterior[1],
                r.mean,
            ]
            .iter()
            .all(|v| v.is_finite())
    };
    let rows: Vec<&Narrowing> = chart.rows.iter().filter(usable).collect();
    if rows.is_empty() {
        return Err(ChartError::NoData {
            chart: KIND,
            title: chart.title.clone(),
            reason: "no input with finite intervals".into(),
        });
    }
    let (lo, hi) = rows.iter().fold((0.0f64, 1.0f64), |(lo, hi), r| {
        (
            lo.min(scaled(r, r.posterior[0])),
            hi.max(scaled(r, r.posterior[1])),
        )
    });
    let x = style::padded_range(lo, hi, 0.05);
    let n = rows.len() as f64;
    let prior_colour = style::SAMPLE_GREY;
    let post_colour = style::PALETTE[0];
    let legend = [
        LegendEntry::new("prior 95 %", Swatch::Fill(prior_colour, 0.6)),
        LegendEntry::new("posterior 95 %", Swatch::Fill(post_colour, 0.9)),
        LegendEntry::new("posterior mean", Swatch::Line(style::INK, 3)),
    ];
    let plot = style::frame(area, &chart.title, None, &legend)?;
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(12)
        .margin_right(30)
        .margin_left(20)
        .x_label_area_size(style::TICK_SIZE as u32 + style::AXIS_DESC_SIZE as u32 + 30)
        .build_cartesian_2d(x.0..x.1, 0.0..n)
        .map_err(draw_err)?;
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(6)
        .x_desc("position in the prior's 95 % interval (0 = its 2.5 % point, 1 = its 97.5 % point)")
        .label_style(style::text_style(style::TICK_SIZE, style::INK))
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, style::INK))
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(style::GRID_LIGHT.stroke_width(1))
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;
    for (i, r) in rows.iter().enumerate() {
        let y = n - i as f64 - 0.5;
        ctx.draw_series([
            Rectangle::new(
                [(0.0, y - 0.12), (1.0, y + 0.12)],
                prior_colour.mix(0.6).filled(),
            ),
            Rectangle::new(
                [
                    (scaled(r, r.posterior[0]), y - 0.2),
                    (scaled(r, r.posterior[1]), y + 0.2),
                ],
                post_colour.mix(0.9).filled(),
            ),
        ])
        .map_err(draw_err)?;
        let m = scaled(r, r.mean);
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(m, y - 0.26), (m, y + 0.26)],
            style::INK.stroke_width(3),
        )))
        .map_err(draw_err)?;
    }
    let canvas = ctx.plotting_area().strip_coord_spec();
    for (i, r) in rows.iter().enumerate() {
        let (px, py) = ctx.backend_coord(&(x.0, n - i as f64 - 0.2));
        let (ox, oy) = canvas.get_base_pixel();
        let text = format!(
            "{}: prior [{}, {}] → posterior [{}, {}]",
            r.name,
            format::number(r.prior[0]),
            format::number(r.prior[1]),
            format::number(r.posterior[0]),
            format::number(r.posterior[1])
        );
        style::annotate(
            &canvas,
            &text,
            (px - ox + 6, py - oy),
            (HPos::Left, VPos::Bottom),
            style::INK,
        )?;
    }
    Ok(())
}
