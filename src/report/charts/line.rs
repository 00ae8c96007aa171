//! Line chart: how model variables evolve over time in one deterministic run.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, LegendEntry, Swatch};
use super::{draw_err, render_png, ChartError};

const KIND: &str = "line";

/// One named line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label, e.g. the variable name with its unit.
    pub name: String,
    /// `(x, y)` points in drawing order; non-finite points leave a gap in the line.
    pub points: Vec<(f64, f64)>,
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
    let all = || runs.iter().flatten().flatten();
    let (x0, x1) =
        style::finite_extent(all().map(|p| p.0)).ok_or_else(|| no_data("no finite points"))?;
    let (y0, y1) =
        style::finite_extent(all().map(|p| p.1)).ok_or_else(|| no_data("no finite points"))?;
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
                },
                Series {
                    name: "互动 engaged".into(),
                    points: days.iter().map(|&t| (t, 3000.0 * t)).collect(),
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
    fn gaps_and_constant_series_do_not_fail() {
        let chart = LineChart {
            title: "gaps".into(),
            x_label: "t".into(),
            y_label: "v".into(),
            series: vec![Series {
                name: "flat".into(),
                points: vec![(0.0, 5.0), (1.0, f64::NAN), (2.0, 5.0), (3.0, 5.0)],
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
            }],
            vec![Series {
                name: "x".into(),
                points: vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)],
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
