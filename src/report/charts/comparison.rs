//! Scenario comparison: each target's probability under each scenario, side by side.
//!
//! Bars are grouped by target and coloured by scenario, with confidence-interval whiskers, so an
//! analyst sees which scenario moves which target and whether the difference is larger than the
//! Monte Carlo noise.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{check_probability, draw_err, render_png, ChartError};
use crate::report::format;

const KIND: &str = "comparison";

/// A probability estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Estimated probability in `[0, 1]`.
    pub probability: f64,
    /// Lower confidence bound, `≤ probability`.
    pub ci_low: f64,
    /// Upper confidence bound, `≥ probability`.
    pub ci_high: f64,
}

/// Target probabilities across scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioComparison {
    /// Chart title.
    pub title: String,
    /// Scenario names, in legend and bar order.
    pub scenarios: Vec<String>,
    /// Target names, in group order left to right.
    pub targets: Vec<String>,
    /// `probability[target][scenario]`.
    pub probability: Vec<Vec<Estimate>>,
}

impl ScenarioComparison {
    /// Picture size in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::SIZE
    }

    fn validate(&self) -> Result<(), ChartError> {
        let no_data = |reason: &str| ChartError::NoData {
            chart: KIND,
            title: self.title.clone(),
            reason: reason.into(),
        };
        let invalid = |reason: String| ChartError::InvalidData {
            chart: KIND,
            title: self.title.clone(),
            reason,
        };
        if self.targets.is_empty() {
            return Err(no_data("no targets"));
        }
        if self.scenarios.is_empty() {
            return Err(no_data("no scenarios"));
        }
        if self.probability.len() != self.targets.len() {
            return Err(invalid(format!(
                "{} probability rows for {} targets",
                self.probability.len(),
                self.targets.len()
            )));
        }
        for (t, row) in self.targets.iter().zip(&self.probability) {
            if row.len() != self.scenarios.len() {
                return Err(invalid(format!(
                    "target \"{t}\" has {} estimates for {} scenarios",
                    row.len(),
                    self.scenarios.len()
                )));
            }
            for (s, e) in self.scenarios.iter().zip(row) {
                let what = |part: &str| format!("{part} of \"{t}\" under \"{s}\"");
                check_probability(KIND, &self.title, &what("probability"), e.probability)?;
                check_probability(KIND, &self.title, &what("lower bound"), e.ci_low)?;
                check_probability(KIND, &self.title, &what("upper bound"), e.ci_high)?;
                if !(e.ci_low <= e.probability && e.probability <= e.ci_high) {
                    return Err(invalid(format!(
                        "interval [{}, {}] {} does not contain {}",
                        e.ci_low,
                        e.ci_high,
                        what("for the probability"),
                        e.probability
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Share of a group's width taken by its bars; the rest separates groups.
const GROUP_FILL: f64 = 0.8;

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &ScenarioComparison,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    chart.validate()?;
    let (n, m) = (chart.targets.len(), chart.scenarios.len());
    let legend: Vec<LegendEntry> = chart
        .scenarios
        .iter()
        .enumerate()
        .map(|(j, s)| LegendEntry::new(s, Swatch::Fill(style::series_colour(j), 0.85)))
        .collect();
    let plot = style::frame(area, &chart.title, None, &legend)?;

    let y = (0.0, 1.08);
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(30)
        .x_label_area_size(style::TICK_SIZE as u32 + 24)
        .y_label_area_size(70 + style::AXIS_DESC_SIZE as u32)
        .build_cartesian_2d(0.0..n as f64, y.0..y.1)
        .map_err(draw_err)?;
    let tick = |v: &f64| format::percent_tick(*v);
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(11)
        .y_label_formatter(&tick)
        .y_desc("Probability of reaching the target")
        .label_style(style::text_style(style::TICK_SIZE, style::INK))
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, style::INK))
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(style::GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;

    let bar_w = GROUP_FILL / m as f64;
    let gap = bar_w * 0.1;
    let bar_x = |t: usize, s: usize| {
        let left = t as f64 + (1.0 - GROUP_FILL) / 2.0 + s as f64 * bar_w;
        (left + gap / 2.0, left + bar_w - gap / 2.0)
    };
    let (plot_w, _) = ctx.plotting_area().dim_in_pixel();
    let bar_px = f64::from(plot_w) / n as f64 * bar_w;
    for (t, row) in chart.probability.iter().enumerate() {
        ctx.draw_series(row.iter().enumerate().map(|(s, e)| {
            let (x0, x1) = bar_x(t, s);
            Rectangle::new(
                [(x0, 0.0), (x1, e.probability)],
                style::series_colour(s).mix(0.85).filled(),
            )
        }))
        .map_err(draw_err)?;
        if bar_px < 4.0 {
            // Whiskers on bars this thin would paint over the bars themselves.
            continue;
        }
        let ink = style::INK.stroke_width(if bar_px < 12.0 { 1 } else { 2 });
        for (s, e) in row.iter().enumerate() {
            let (x0, x1) = bar_x(t, s);
            let xc = (x0 + x1) / 2.0;
            let cap = (x1 - x0) * 0.25;
            ctx.draw_series([
                PathElement::new(vec![(xc, e.ci_low), (xc, e.ci_high)], ink),
                PathElement::new(vec![(xc - cap, e.ci_low), (xc + cap, e.ci_low)], ink),
                PathElement::new(vec![(xc - cap, e.ci_high), (xc + cap, e.ci_high)], ink),
            ])
            .map_err(draw_err)?;
        }
    }

    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    let group_px = |t: usize| {
        let (l, _) = coord.translate(&(t as f64, 0.0));
        let (r, bottom) = coord.translate(&(t as f64 + 1.0, 0.0));
        (l, r, bottom)
    };
    let value_style = style::text_style(style::LEGEND_SIZE, style::INK);
    let widest_value = style::max_text_width(&canvas, ["100.0 %"], &value_style)? as i32;
    let name_style = style::text_style(style::TICK_SIZE, style::INK).pos(
        plotters::style::text_anchor::Pos::new(HPos::Center, VPos::Top),
    );
    for (t, name) in chart.targets.iter().enumerate() {
        let (l, r, bottom) = group_px(t);
        let label = style::fit_text(&plot, name, &name_style, (r - l - 8).max(10) as u32)?;
        let (bx, by) = plot.get_base_pixel();
        plot.draw_text(&label, &name_style, ((l + r) / 2 - bx, bottom + 8 - by))
            .map_err(draw_err)?;
        // Values above the whiskers only when the bars are wide enough to hold them.
        let bar_px = ((r - l) as f64 * bar_w) as i32;
        if bar_px >= widest_value + 2 {
            for (s, e) in chart.probability[t].iter().enumerate() {
                let (x0, x1) = bar_x(t, s);
                let (px, py) = coord.translate(&((x0 + x1) / 2.0, e.ci_high));
                style::annotate(
                    &canvas,
                    &format::percent(e.probability),
                    (px - cx, py - cy - 4),
                    (HPos::Center, VPos::Bottom),
                    style::INK,
                )?;
            }
        }
    }
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &ScenarioComparison, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn est(p: f64) -> Estimate {
        Estimate {
            probability: p,
            ci_low: (p - 0.025).max(0.0),
            ci_high: (p + 0.025).min(1.0),
        }
    }

    fn sample() -> ScenarioComparison {
        ScenarioComparison {
            title: "Targets by scenario".into(),
            scenarios: vec![
                "baseline".into(),
                "更多广告 more ads".into(),
                "price cut".into(),
            ],
            targets: vec![
                "粉丝 ≥ 1M by day 365".into(),
                "互动率 ≥ 5 %".into(),
                "revenue ≥ 2.5M CNY in the fourth quarter of the year".into(),
            ],
            probability: vec![
                vec![est(0.62), est(0.81), est(0.70)],
                vec![est(0.40), est(0.45), est(0.20)],
                vec![est(0.90), est(0.85), est(0.995)],
            ],
        }
    }

    #[test]
    fn renders_png_of_stated_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cmp.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        if let Some(p) = preview_path("comparison.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn scenario_colours_appear_in_proportion_to_probabilities() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let bar = |c: RGBColor| {
            let mix = |x: u8| (255.0 - (255.0 - f64::from(x)) * 0.85).round() as u8;
            count_colour(&buf, RGBColor(mix(c.0), mix(c.1), mix(c.2)), 3) as f64
        };
        let areas: Vec<f64> = (0..3).map(|s| bar(style::series_colour(s))).collect();
        // Summed bar heights: 1.92, 2.11, 1.895. The legend swatches add a little to each.
        let sums = [1.92, 2.11, 1.895];
        for s in 0..3 {
            let ratio = areas[s] / areas[0];
            let expected = sums[s] / sums[0];
            assert!(
                (ratio - expected).abs() < 0.05,
                "scenario {s}: {ratio} vs {expected}"
            );
        }
    }

    #[test]
    fn bad_shapes_and_values_are_errors() {
        let mut cases = Vec::new();
        let mut c = sample();
        c.targets.clear();
        c.probability.clear();
        cases.push(c);
        let mut c = sample();
        c.scenarios.pop();
        cases.push(c);
        let mut c = sample();
        c.probability.pop();
        cases.push(c);
        let mut c = sample();
        c.probability[1][1].probability = f64::INFINITY;
        cases.push(c);
        let mut c = sample();
        c.probability[2][0].ci_high = 0.1;
        cases.push(c);
        for c in &cases {
            assert!(draw_to_buffer(c.pixel_size(), |a| draw(c, a)).is_err());
        }
    }

    #[test]
    fn many_targets_and_scenarios_still_draw() {
        let scenarios: Vec<String> = (0..12).map(|i| format!("scenario {i}")).collect();
        let targets: Vec<String> = (0..25).map(|i| format!("目标 {i}")).collect();
        let probability = targets
            .iter()
            .enumerate()
            .map(|(t, _)| {
                (0..12)
                    .map(|s| est(((t * 7 + s * 3) % 10) as f64 / 10.0))
                    .collect()
            })
            .collect();
        let c = ScenarioComparison {
            title: "many".into(),
            scenarios,
            targets,
            probability,
        };
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_ok());
        if let Some(p) = preview_path("comparison_many.png") {
            render(&c, &p).unwrap();
        }
    }
}
