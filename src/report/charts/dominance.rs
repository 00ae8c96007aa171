//! Loop dominance chart: relative loop scores over time as stacked areas, reinforcing loops
//! stacked up from zero and balancing loops down from it, so the height of each band is the
//! loop's share of the behaviour at that time.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, render_png, ChartError};

const KIND: &str = "loop dominance";
/// Opacity of the bands.
const FILL: f64 = 0.75;

/// One loop's relative scores.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopBand {
    /// Legend label, e.g. `B2 fatigue`.
    pub name: String,
    /// Relative score at each time, in [−1, 1]; non-finite values count as 0.
    pub scores: Vec<f64>,
}

/// Stacked relative loop scores over time.
#[derive(Debug, Clone, PartialEq)]
pub struct DominanceChart {
    /// Chart title.
    pub title: String,
    /// Subtitle (what the runs are), if any.
    pub subtitle: Option<String>,
    /// Horizontal axis title with unit.
    pub x_label: String,
    /// Times.
    pub times: Vec<f64>,
    /// The loops; colours follow the report palette in this order.
    pub loops: Vec<LoopBand>,
}

impl DominanceChart {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }
}

/// For each loop, the band `(time, low, high)` it occupies in the stack.
fn stack(chart: &DominanceChart) -> Vec<Vec<(f64, f64, f64)>> {
    let n = chart.times.len();
    let mut up = vec![0.0; n];
    let mut down = vec![0.0; n];
    chart
        .loops
        .iter()
        .map(|l| {
            (0..n)
                .map(|i| {
                    let s = l.scores.get(i).copied().filter(|s| s.is_finite());
                    let s = s.unwrap_or(0.0);
                    let t = chart.times[i];
                    if s >= 0.0 {
                        let band = (t, up[i], up[i] + s);
                        up[i] += s;
                        band
                    } else {
                        let band = (t, down[i] + s, down[i]);
                        down[i] += s;
                        band
                    }
                })
                .collect()
        })
        .collect()
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &DominanceChart,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let no_data = |reason: &str| ChartError::NoData {
        chart: KIND,
        title: chart.title.clone(),
        reason: reason.to_string(),
    };
    if chart.loops.is_empty() {
        return Err(no_data("the model has no feedback loops"));
    }
    let (x0, x1) =
        style::finite_extent(chart.times.iter().copied()).ok_or_else(|| no_data("no times"))?;
    let x = if x0 < x1 {
        (x0, x1)
    } else {
        style::padded_range(x0, x1, 0.0)
    };
    let legend: Vec<LegendEntry> = chart
        .loops
        .iter()
        .enumerate()
        .map(|(i, l)| LegendEntry::new(&l.name, Swatch::Fill(style::series_colour(i), FILL)))
        .collect();
    let plot = style::frame(area, &chart.title, chart.subtitle.as_deref(), &legend)?;
    let y_label = "relative loop score (+ reinforcing, − balancing)";
    let mut ctx = style::numeric_axes(&plot, x, (-1.05, 1.05), &chart.x_label, y_label)?;
    for (i, band) in stack(chart).iter().enumerate() {
        if band.iter().all(|b| b.1 == b.2) {
            continue;
        }
        let outline: Vec<(f64, f64)> = band
            .iter()
            .map(|b| (b.0, b.2))
            .chain(band.iter().rev().map(|b| (b.0, b.1)))
            .collect();
        let colour = style::series_colour(i);
        ctx.draw_series(std::iter::once(Polygon::new(
            outline,
            colour.mix(FILL).filled(),
        )))
        .map_err(draw_err)?;
    }
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(x.0, 0.0), (x.1, 0.0)],
        style::INK.stroke_width(1),
    )))
    .map_err(draw_err)?;
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &DominanceChart, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn sample() -> DominanceChart {
        let times: Vec<f64> = (0..=100).map(f64::from).collect();
        let r: Vec<f64> = times
            .iter()
            .map(|t| 1.0 / (1.0 + (t - 50.0).exp()))
            .collect();
        DominanceChart {
            title: "Loop dominance".into(),
            subtitle: None,
            x_label: "time (day)".into(),
            loops: vec![
                LoopBand {
                    name: "R1 growth".into(),
                    scores: r.clone(),
                },
                LoopBand {
                    name: "B1 limit".into(),
                    scores: r.iter().map(|s| s - 1.0).collect(),
                },
            ],
            times,
        }
    }

    #[test]
    fn bands_stack_from_zero_each_way() {
        let chart = sample();
        let bands = stack(&chart);
        assert_eq!(bands[0][0].1, 0.0);
        assert!((bands[0][0].2 - chart.loops[0].scores[0]).abs() < 1e-12);
        assert_eq!(bands[1][100].2, 0.0);
        assert!((bands[1][100].1 - chart.loops[1].scores[100]).abs() < 1e-12);
    }

    #[test]
    fn draws_both_loops_in_their_colours() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let fill = |i| mix_white(style::series_colour(i), FILL);
        assert!(count_colour(&buf, fill(0), 6) > 5000);
        assert!(count_colour(&buf, fill(1), 6) > 5000);
        if let Some(p) = preview_path("dominance.png") {
            render(&chart, &p).unwrap();
        }
    }
}
