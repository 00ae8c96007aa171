//! Line chart: how model variables evolve over time in one deterministic run, or how a
//! variable's median evolves under several scenarios, each with its band of runs.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, render_png, ChartError};

const KIND: &str = "line";
/// Most bands drawn filled; more are drawn as dashed edges.
const MAX_FILLED_BANDS: usize = 3;

/// One named line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label, e.g. the variable name with its unit.
    pub name: String,
    /// `(x, y)` points in drawing order; non-finite points leave a gap in the line.
    pub points: Vec<(f64, f64)>,
    /// `(x, low, high)`: a band shaded in the series' colour behind the lines (e.g. the
    /// 5–95 % range of the runs); empty for none.
    pub band: Vec<(f64, f64, f64)>,
}

/// Time series of one run, one line per variable.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Chart title.
    pub title: String,
    /// Horizontal axis title with unit, e.g. "Time (days)".
    pub x_label: String,
    /// Vertical axis title with unit.
    pub y_label: String,
    /// The lines; colours follow the report palette in this order.
    pub series: Vec<Series>,
}

impl LineChart {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &LineChart,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let no_data = |reason: &str| ChartError::NoData {
        chart: KIND,
        title: chart.title.clone(),
        reason: reason.to_string(),
    };
    if chart.series.is_empty() {
        return Err(no_data("no series"));
    }
    let runs: Vec<Vec<Vec<(f64, f64)>>> = chart
        .series
        .iter()
        .map(|s| style::finite_runs(s.points.iter().copied()))
        .collect();
    let bands: Vec<Vec<(f64, f64, f64)>> = chart
        .series
        .iter()
        .map(|s| {
            s.band
                .iter()
                .copied()
                .filter(|b| b.0.is_finite() && b.1.is_finite() && b.2.is_finite())
                .collect()
        })
        .collect();
    let all = || runs.iter().flatten().flatten();
    let band_ys = || bands.iter().flatten().flat_map(|b| [b.1, b.2]);
    let (x0, x1) =
        style::finite_extent(all().map(|p| p.0)).ok_or_else(|| no_data("no finite points"))?;
    let (y0, y1) = style::finite_extent(all().map(|p| p.1).chain(band_ys()))
        .ok_or_else(|| no_data("no finite points"))?;
    let x = if x0 < x1 {
        (x0, x1)
    } else {
        style::padded_range(x0, x1, 0.0)
    };
    let y = style::padded_range(y0, y1, 0.05);

    let legend: Vec<LegendEntry> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry::new(&s.name, Swatch::Line(style::series_colour(i), 3)))
        .collect();
    let plot = style::frame(area, &chart.title, None, &legend)?;
    let mut ctx = style::numeric_axes(&plot, x, y, &chart.x_label, &chart.y_label)?;
    // Bands first and translucent, so every line stays visible where bands overlap; beyond
    // three, fills would mix into mud, so each band is drawn as its two edges instead.
    let filled = bands.iter().filter(|b| b.len() > 1).count() <= MAX_FILLED_BANDS;
    for (i, band) in bands.iter().enumerate().filter(|(_, b)| b.len() > 1) {
        let colour = style::series_colour(i);
        if filled {
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|b| (b.0, b.2))
                .chain(band.iter().rev().map(|b| (b.0, b.1)))
                .collect();
            ctx.draw_series(std::iter::once(Polygon::new(
                outline,
                colour.mix(0.16).filled(),
            )))
            .map_err(draw_err)?;
        } else {
            for edge in [
                band.iter().map(|b| (b.0, b.1)).collect::<Vec<_>>(),
                band.iter().map(|b| (b.0, b.2)).collect(),
            ] {
                ctx.draw_series(std::iter::once(DashedPathElement::new(
                    edge,
                    4,
                    4,
                    colour.mix(0.7).stroke_width(1),
                )))
                .map_err(draw_err)?;
            }
        }
    }

    for (i, series_runs) in runs.iter().enumerate() {
        let colour = style::series_colour(i);
        for run in series_runs {
            if run.len() == 1 {
                // A lone point between gaps would be invisible as a line.
                ctx.draw_series(std::iter::once(Circle::new(run[0], 3, colour.filled())))
                    .map_err(draw_err)?;
            } else {
                ctx.draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(2)))
                    .map_err(draw_err)?;
            }
        }
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &LineChart, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn sample() -> LineChart {
        let days: Vec<f64> = (0..=365).map(f64::from).collect();
        LineChart {
            title: "粉丝 (followers) over one year".into(),
            x_label: "Time (days)".into(),
            y_label: "People".into(),
            series: vec![
                Series {
                    name: "粉丝 followers".into(),
                    points: days
                        .iter()
                        .map(|&t| (t, 1_500_000.0 / (1.0 + (-(t - 180.0) / 40.0).exp())))
                        .collect(),
                    band: Vec::new(),
                },
                Series {
                    name: "互动 engaged".into(),
                    points: days.iter().map(|&t| (t, 3000.0 * t)).collect(),
                    band: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn renders_png_of_stated_size_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("line.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        assert_eq!(files_in(dir.path()), vec!["line.png".to_string()]);
        if let Some(p) = preview_path("line.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn draws_both_series_in_their_colours() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        assert!(count_colour(&buf, style::series_colour(0), 10) > 500);
        assert!(count_colour(&buf, style::series_colour(1), 10) > 500);
    }

    #[test]
    fn bands_are_shaded_behind_the_lines_and_widen_the_axis() {
        let mut chart = sample();
        chart.series.truncate(1);
        let plain = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let tint = |buf: &_| count_colour(buf, mix_white(style::series_colour(0), 0.16), 6);
        assert_eq!(tint(&plain), 0);
        chart.series[0].band = chart.series[0]
            .points
            .iter()
            .map(|&(t, y)| (t, 0.5 * y, 1.5 * y + 500_000.0))
            .collect();
        let banded = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        // A band from half to one and a half times the line fills a large area.
        assert!(tint(&banded) > 20_000, "{}", tint(&banded));
        assert!(count_colour(&banded, style::series_colour(0), 10) > 500);
    }

    #[test]
    fn gaps_and_constant_series_do_not_fail() {
        let chart = LineChart {
            title: "gaps".into(),
            x_label: "t".into(),
            y_label: "v".into(),
            series: vec![Series {
                name: "flat".into(),
                points: vec![(0.0, 5.0), (1.0, f64::NAN), (2.0, 5.0), (3.0, 5.0)],
                band: Vec::new(),
            }],
        };
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        assert!(count_colour(&buf, style::series_colour(0), 10) > 100);
    }

    #[test]
    fn no_finite_data_is_an_error() {
        for series in [
            vec![],
            vec![Series {
                name: "x".into(),
                points: vec![],
                band: Vec::new(),
            }],
            vec![Series {
                name: "x".into(),
                points: vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)],
                band: Vec::new(),
            }],
        ] {
            let chart = LineChart {
                title: "t".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                series,
            };
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("bad.png");
            assert!(matches!(
                render(&chart, &path),
                Err(ChartError::NoData { .. })
            ));
            assert!(files_in(dir.path()).is_empty());
        }
    }
}
