//! Heat map: a target's probability over a grid of two levers, each cell coloured from red
//! (never) through amber to green (always) and labelled with its percentage when there is
//! room, so the combinations that make the target likely stand out.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{check_probability, draw_err, render_png, ChartError};
use crate::report::format::{self, AxisFormat};

const KIND: &str = "heat map";

/// Probabilities over a grid of two levers.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    /// Chart title.
    pub title: String,
    /// Subtitle (runs and seed).
    pub subtitle: Option<String>,
    /// Horizontal lever.
    pub x_label: String,
    /// Vertical lever.
    pub y_label: String,
    /// Values of the horizontal lever, increasing.
    pub xs: Vec<f64>,
    /// Values of the vertical lever, increasing.
    pub ys: Vec<f64>,
    /// `p[i][j]`: probability at `xs[i]`, `ys[j]`.
    pub p: Vec<Vec<f64>>,
    /// Verdict thresholds, shown in the legend.
    pub likely_at: f64,
    /// Probability below which a target is unlikely.
    pub unlikely_at: f64,
}

impl HeatMap {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }

    fn validate(&self) -> Result<(), ChartError> {
        let invalid = |reason: String| ChartError::InvalidData {
            chart: KIND,
            title: self.title.clone(),
            reason,
        };
        if self.xs.is_empty() || self.ys.is_empty() {
            return Err(ChartError::NoData {
                chart: KIND,
                title: self.title.clone(),
                reason: "no lever values".into(),
            });
        }
        let increasing =
            |v: &[f64]| v.windows(2).all(|w| w[0] < w[1]) && v.iter().all(|x| x.is_finite());
        if !increasing(&self.xs) || !increasing(&self.ys) {
            return Err(invalid("lever values must be finite and increasing".into()));
        }
        if self.p.len() != self.xs.len() || self.p.iter().any(|r| r.len() != self.ys.len()) {
            return Err(invalid(format!(
                "{} × {} grid needs as many probabilities",
                self.xs.len(),
                self.ys.len()
            )));
        }
        for row in &self.p {
            for &p in row {
                check_probability(KIND, &self.title, "a cell", p)?;
            }
        }
        Ok(())
    }
}

/// The colour of probability `p`: red at 0, amber at ½, green at 1.
pub(crate) fn colour_of(p: f64) -> RGBColor {
    let mix = |a: RGBColor, b: RGBColor, t: f64| {
        let c = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
        RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    };
    if p < 0.5 {
        mix(style::RED, style::AMBER, p / 0.5)
    } else {
        mix(style::AMBER, style::GREEN, (p - 0.5) / 0.5)
    }
}

/// Cell edges: midway between neighbouring values, the outer ones mirrored.
fn edges(v: &[f64]) -> Vec<f64> {
    if v.len() == 1 {
        let pad = v[0].abs().max(1.0) * 0.5;
        return vec![v[0] - pad, v[0] + pad];
    }
    let mut e = Vec::with_capacity(v.len() + 1);
    e.push(v[0] - (v[1] - v[0]) / 2.0);
    for w in v.windows(2) {
        e.push((w[0] + w[1]) / 2.0);
    }
    let n = v.len();
    e.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2.0);
    e
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &HeatMap,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    chart.validate()?;
    let legend = vec![
        LegendEntry::new(
            format!("likely (≥ {})", format::percent(chart.likely_at)),
            Swatch::Fill(colour_of(chart.likely_at.max(0.85)), 1.0),
        ),
        LegendEntry::new("uncertain", Swatch::Fill(colour_of(0.5), 1.0)),
        LegendEntry::new(
            format!("unlikely (< {})", format::percent(chart.unlikely_at)),
            Swatch::Fill(colour_of(chart.unlikely_at.min(0.1)), 1.0),
        ),
    ];
    let plot = style::frame(area, &chart.title, chart.subtitle.as_deref(), &legend)?;
    let (ex, ey) = (edges(&chart.xs), edges(&chart.ys));
    let x = (ex[0], ex[ex.len() - 1]);
    let y = (ey[0], ey[ey.len() - 1]);
    let xf = AxisFormat::for_range(x.0, x.1, style::X_TICKS);
    let yf = AxisFormat::for_range(y.0, y.1, style::Y_TICKS);
    let x_fmt = |v: &f64| xf.format(*v);
    let y_fmt = |v: &f64| yf.format(*v);
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(12)
        .margin_right(30)
        .x_label_area_size(style::TICK_SIZE as u32 + style::AXIS_DESC_SIZE as u32 + 30)
        .y_label_area_size(110)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(draw_err)?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_labels(style::X_TICKS)
        .y_labels(style::Y_TICKS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(style::text_style(style::TICK_SIZE, style::INK))
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, style::INK))
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;
    let cells = (0..chart.xs.len()).flat_map(|i| (0..chart.ys.len()).map(move |j| (i, j)));
    ctx.draw_series(cells.clone().map(|(i, j)| {
        Rectangle::new(
            [(ex[i], ey[j]), (ex[i + 1], ey[j + 1])],
            colour_of(chart.p[i][j]).filled(),
        )
    }))
    .map_err(draw_err)?;
    let (w0, _) = ctx.backend_coord(&(ex[0], y.0));
    let (w1, _) = ctx.backend_coord(&(ex[1], y.0));
    if (w1 - w0).abs() >= 44 && chart.ys.len() <= 30 {
        let text = style::text_style(style::LEGEND_SIZE, style::INK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (i, j) in cells {
            let c = (chart.xs[i], chart.ys[j]);
            ctx.draw_series(std::iter::once(Text::new(
                format::percent(chart.p[i][j]),
                c,
                text.clone(),
            )))
            .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &HeatMap, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn sample() -> HeatMap {
        let xs: Vec<f64> = (0..5).map(|i| 1000.0 + 2000.0 * f64::from(i)).collect();
        let ys: Vec<f64> = (0..4).map(|j| 0.2 * f64::from(j + 1)).collect();
        let p = xs
            .iter()
            .enumerate()
            .map(|(i, _)| {
                (0..4)
                    .map(|j| (0.1 * i as f64 + 0.1 * j as f64).min(1.0))
                    .collect()
            })
            .collect();
        HeatMap {
            title: "follower_growth".into(),
            subtitle: None,
            x_label: "budget".into(),
            y_label: "paid_share".into(),
            xs,
            ys,
            p,
            likely_at: 0.8,
            unlikely_at: 0.2,
        }
    }

    #[test]
    fn colours_run_from_red_through_amber_to_green() {
        assert_eq!(colour_of(0.0), style::RED);
        assert_eq!(colour_of(0.5), style::AMBER);
        assert_eq!(colour_of(1.0), style::GREEN);
    }

    #[test]
    fn cells_are_drawn_in_their_colours() {
        let c = sample();
        let buf = draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).unwrap();
        // The cell at (0, 0) has p = 0 (red); the one at (4, 3) p = 0.7.
        assert!(count_colour(&buf, style::RED, 2) > 2000);
        assert!(count_colour(&buf, colour_of(0.7), 2) > 2000);
        if let Some(p) = preview_path("heatmap.png") {
            render(&c, &p).unwrap();
        }
    }

    #[test]
    fn edges_lie_midway() {
        assert_eq!(edges(&[0.0, 2.0, 4.0]), vec![-1.0, 1.0, 3.0, 5.0]);
    }

    #[test]
    fn bad_grids_are_errors() {
        let mut c = sample();
        c.p.pop();
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
        let mut c = sample();
        c.xs.swap(0, 1);
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
        let mut c = sample();
        c.p[1][1] = -0.1;
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
    }
}
