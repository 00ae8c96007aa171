//! Probability curve: a target's probability against a lever's value, each point with its
//! 95 % interval as a ribbon, with dashed horizontal lines (the goal, or the verdict
//! thresholds) and, for `solve`, the answer marked with its interval.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{check_probability, draw_err, render_png, ChartError};
use crate::report::format::{self, AxisFormat};

const KIND: &str = "probability curve";

/// One evaluated lever value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Lever value.
    pub x: f64,
    /// Probability.
    pub p: f64,
    /// Lower end of its 95 % interval.
    pub lo: f64,
    /// Upper end of its 95 % interval.
    pub hi: f64,
}

/// One line of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveSeries {
    /// Legend label.
    pub name: String,
    /// Points, in any order (drawn sorted by `x`).
    pub points: Vec<CurvePoint>,
}

/// A dashed horizontal line at a probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The probability.
    pub p: f64,
    /// Legend label.
    pub label: String,
    /// Its colour.
    pub colour: RGBColor,
}

/// The answer of a solve: a vertical line at the value and a shaded band over its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The value.
    pub x: f64,
    /// Its interval (an end outside the plotted range is `None`: the band runs to the edge).
    pub ci: [Option<f64>; 2],
    /// Its label, e.g. "budget = 31,250".
    pub label: String,
}

/// Probability of a target against a lever.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityCurve {
    /// Chart title.
    pub title: String,
    /// Subtitle (e.g. runs and seed).
    pub subtitle: Option<String>,
    /// Horizontal axis title: the lever.
    pub x_label: String,
    /// The lines.
    pub series: Vec<CurveSeries>,
    /// Dashed horizontal lines.
    pub levels: Vec<Level>,
    /// The answer, if any.
    pub answer: Option<Answer>,
}

impl ProbabilityCurve {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }

    fn validate(&self) -> Result<(f64, f64), ChartError> {
        let check = |what: &str, p: f64| check_probability(KIND, &self.title, what, p);
        let mut xs = Vec::new();
        for s in &self.series {
            for q in &s.points {
                check(&format!("probability of \"{}\"", s.name), q.p)?;
                check("interval end", q.lo)?;
                check("interval end", q.hi)?;
                if !(q.lo <= q.p && q.p <= q.hi && q.x.is_finite()) {
                    return Err(ChartError::InvalidData {
                        chart: KIND,
                        title: self.title.clone(),
                        reason: format!(
                            "point at {} has probability {} outside its interval [{}, {}]",
                            q.x, q.p, q.lo, q.hi
                        ),
                    });
                }
                xs.push(q.x);
            }
        }
        for l in &self.levels {
            check(&l.label, l.p)?;
        }
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if xs.is_empty() {
            return Err(ChartError::NoData {
                chart: KIND,
                title: self.title.clone(),
                reason: "no points".into(),
            });
        }
        Ok(if lo < hi {
            (lo, hi)
        } else {
            style::padded_range(lo, hi, 0.0)
        })
    }
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &ProbabilityCurve,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let (x0, x1) = chart.validate()?;
    let mut legend: Vec<LegendEntry> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry::new(&s.name, Swatch::Line(style::series_colour(i), 3)))
        .collect();
    legend.push(LegendEntry::new(
        "95 % interval",
        Swatch::Fill(style::series_colour(0), 0.2),
    ));
    for l in &chart.levels {
        legend.push(LegendEntry::new(&l.label, Swatch::Dashed(l.colour)));
    }
    if let Some(a) = &chart.answer {
        legend.push(LegendEntry::new(&a.label, Swatch::Line(style::INK, 2)));
        legend.push(LegendEntry::new(
            "its 95 % interval",
            Swatch::Fill(style::SAMPLE_GREY, 0.35),
        ));
    }
    let plot = style::frame(area, &chart.title, chart.subtitle.as_deref(), &legend)?;
    let xf = AxisFormat::for_range(x0, x1, style::X_TICKS);
    let x_fmt = |v: &f64| xf.format(*v);
    let y_fmt = |v: &f64| format::percent_tick(*v);
    let tick_style = style::text_style(style::TICK_SIZE, style::INK);
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(12)
        .margin_right(30)
        .x_label_area_size(style::TICK_SIZE as u32 + style::AXIS_DESC_SIZE as u32 + 30)
        .y_label_area_size(90)
        .build_cartesian_2d(x0..x1, 0.0..1.0)
        .map_err(draw_err)?;
    ctx.configure_mesh()
        .x_labels(style::X_TICKS)
        .y_labels(11)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(chart.x_label.as_str())
        .y_desc("Probability of reaching the target")
        .label_style(tick_style)
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, style::INK))
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(style::GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;

    if let Some(a) = &chart.answer {
        let lo = a.ci[0].unwrap_or(x0).clamp(x0, x1);
        let hi = a.ci[1].unwrap_or(x1).clamp(x0, x1);
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(lo, 0.0), (hi, 1.0)],
            style::SAMPLE_GREY.mix(0.35).filled(),
        )))
        .map_err(draw_err)?;
    }
    for (i, s) in chart.series.iter().enumerate() {
        let colour = style::series_colour(i);
        let mut pts = s.points.clone();
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        let ribbon: Vec<(f64, f64)> = pts
            .iter()
            .map(|q| (q.x, q.hi))
            .chain(pts.iter().rev().map(|q| (q.x, q.lo)))
            .collect();
        ctx.draw_series(std::iter::once(Polygon::new(
            ribbon,
            colour.mix(0.2).filled(),
        )))
        .map_err(draw_err)?;
        ctx.draw_series(LineSeries::new(
            pts.iter().map(|q| (q.x, q.p)),
            colour.stroke_width(2),
        ))
        .map_err(draw_err)?;
        ctx.draw_series(
            pts.iter()
                .map(|q| Circle::new((q.x, q.p), 3, colour.filled())),
        )
        .map_err(draw_err)?;
    }
    for l in &chart.levels {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x0, l.p), (x1, l.p)],
            6,
            4,
            l.colour.stroke_width(2),
        )))
        .map_err(draw_err)?;
    }
    if let Some(a) = &chart.answer {
        if (x0..=x1).contains(&a.x) {
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(a.x, 0.0), (a.x, 1.0)],
                style::INK.stroke_width(2),
            )))
            .map_err(draw_err)?;
            let canvas = ctx.plotting_area().strip_coord_spec();
            let (px, _) = ctx.backend_coord(&(a.x, 1.0));
            let (cx, _) = canvas.get_base_pixel();
            style::annotate(
                &canvas,
                &a.label,
                (px - cx + 6, 6),
                (HPos::Left, VPos::Top),
                style::INK,
            )?;
        }
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &ProbabilityCurve, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn sample() -> ProbabilityCurve {
        let points = (0..9)
            .map(|i| {
                let x = 1000.0 + 12_375.0 * f64::from(i);
                let p = 0.2 + 0.06 * f64::from(i);
                CurvePoint {
                    x,
                    p,
                    lo: p - 0.03,
                    hi: p + 0.03,
                }
            })
            .collect();
        ProbabilityCurve {
            title: "粉丝季度增长 against budget".into(),
            subtitle: Some("1,000 runs per value, seed 1".into()),
            x_label: "budget".into(),
            series: vec![CurveSeries {
                name: "follower_growth".into(),
                points,
            }],
            levels: vec![Level {
                p: 0.6,
                label: "goal 60 %".into(),
                colour: style::GREEN,
            }],
            answer: Some(Answer {
                x: 70_000.0,
                ci: [Some(65_000.0), None],
                label: "budget = 70,000".into(),
            }),
        }
    }

    #[test]
    fn renders_png_with_line_ribbon_and_goal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("curve.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        assert!(count_colour(&buf, style::series_colour(0), 10) > 300);
        assert!(count_colour(&buf, style::GREEN, 10) > 200);
        if let Some(p) = preview_path("curve.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn bad_data_is_an_error() {
        let mut c = sample();
        c.series[0].points[2].p = 1.5;
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
        let mut c = sample();
        c.series[0].points[2].lo = 0.9;
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_err());
        let mut c = sample();
        c.series.clear();
        assert!(matches!(
            draw_to_buffer(c.pixel_size(), |a| draw(&c, a)),
            Err(ChartError::NoData { .. })
        ));
    }
}
