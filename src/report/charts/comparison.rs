//! Scenario comparison: each target's probability under each scenario, side by side.
//!
//! Bars are grouped by target and coloured by scenario, with confidence-interval whiskers, so an
//! analyst sees which scenario moves which target and whether the difference is larger than the
//! Monte Carlo noise.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    /// Probability from which a target counts as likely (a dashed line).
    pub likely_at: f64,
    /// Probability below which a target counts as unlikely (a dashed line).
    pub unlikely_at: f64,
}

impl ScenarioComparison {
    /// Picture size in pixels: the default width, and tall enough for one row per target and
    /// scenario (capped, so that a huge comparison gets thinner rows, not a gigantic bitmap).
    pub fn pixel_size(&self) -> (u32, u32) {
        let rows = total_rows(self.targets.len(), self.scenarios.len());
        let needed = (OVERHEAD_PX + BAR_PX * rows).min(f64::from(MAX_HEIGHT)) as u32;
        (style::SIZE.0, style::SIZE.1.max(needed))
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
        let check = |what: &str, p: f64| check_probability(KIND, &self.title, what, p);
        check("likely threshold", self.likely_at)?;
        check("unlikely threshold", self.unlikely_at)?;
        if self.unlikely_at > self.likely_at {
            return Err(invalid(format!(
                "unlikely threshold {} is above likely threshold {}",
                self.unlikely_at, self.likely_at
            )));
        }
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

/// Pixels per scenario bar row.
const BAR_PX: f64 = 22.0;
/// A group's heading row (the target name), in bar rows.
const HEADING_ROWS: f64 = 1.25;
/// Space after each group, in bar rows.
const GAP_ROWS: f64 = 0.5;
/// Space above the first group for the threshold labels, in bar rows.
const TOP_ROWS: f64 = 1.2;
/// Title, axes and margins around the plot, in pixels.
const OVERHEAD_PX: f64 = 190.0;
/// Tallest picture; beyond it rows get thinner rather than the bitmap gigantic.
const MAX_HEIGHT: u32 = 16_000;
/// Bar thickness as a share of its row.
const BAR_FILL: f64 = 0.72;

/// Rows (in bar-row units) from the top of the plot to the group of target `t`.
fn group_top(t: usize, scenarios: usize) -> f64 {
    TOP_ROWS + t as f64 * (HEADING_ROWS + scenarios as f64 + GAP_ROWS)
}

/// Height of the whole plot in bar-row units.
fn total_rows(targets: usize, scenarios: usize) -> f64 {
    group_top(targets, scenarios) - GAP_ROWS + 0.3
}

/// Draws `chart` onto `area`.
///
/// One group per target: the target's name in full on its own heading line, then one
/// horizontal bar per scenario (named on the left, coloured as in the legend) with its
/// confidence-interval whisker and value; dashed lines mark the verdict thresholds.
pub fn draw<DB: DrawingBackend>(
    chart: &ScenarioComparison,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    chart.validate()?;
    let (n, m) = (chart.targets.len(), chart.scenarios.len());
    let mut legend: Vec<LegendEntry> = chart
        .scenarios
        .iter()
        .enumerate()
        .map(|(j, s)| LegendEntry::new(s, Swatch::Fill(style::series_colour(j), 0.85)))
        .collect();
    legend.push(LegendEntry::new(
        "95 % confidence interval",
        Swatch::Line(style::INK, 2),
    ));
    let plot = style::frame(area, &chart.title, None, &legend)?;
    let label_w = style::row_label_width(&plot, &chart.scenarios, 0.3)?;

    // Row units grow downwards from the top of the plot; plotters' y grows upwards.
    let rows = total_rows(n, m);
    let y_of = |offset: f64| rows - offset;
    let axis_area = style::TICK_SIZE as u32 + 14;
    // A tall picture repeats the axis on top, so the first groups can be read without
    // scrolling to the bottom.
    let top_axis = if area.dim_in_pixel().1 > style::SIZE.1 {
        axis_area
    } else {
        0
    };
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(30)
        .set_label_area_size(LabelAreaPosition::Top, top_axis)
        .x_label_area_size(axis_area + style::AXIS_DESC_SIZE as u32 + 16)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0.0..1.0, 0.0..rows)
        .map_err(draw_err)?;
    let tick = |v: &f64| format::percent_tick(*v);
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&tick)
        .label_style(style::text_style(style::TICK_SIZE, style::INK))
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, style::INK))
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(style::GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;

    let bar_y = |t: usize, s: usize| y_of(group_top(t, m) + HEADING_ROWS + s as f64 + 0.5);
    let half = BAR_FILL / 2.0;
    for (t, row) in chart.probability.iter().enumerate() {
        ctx.draw_series(row.iter().enumerate().map(|(s, e)| {
            let yc = bar_y(t, s);
            Rectangle::new(
                [(0.0, yc - half), (e.probability, yc + half)],
                style::series_colour(s).mix(0.85).filled(),
            )
        }))
        .map_err(draw_err)?;
    }
    for (value, colour) in [
        (chart.likely_at, style::GREEN),
        (chart.unlikely_at, style::RED),
    ] {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(value, 0.0), (value, rows)],
            6,
            4,
            colour.stroke_width(2),
        )))
        .map_err(draw_err)?;
    }

    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    let (cw, _) = canvas.dim_in_pixel();
    let row_px = {
        let (_, a) = coord.translate(&(0.0, 0.0));
        let (_, b) = coord.translate(&(0.0, 1.0));
        f64::from((a - b).abs())
    };
    // Whiskers with caps, over the bars; thinner when the rows are.
    let ink = style::INK.stroke_width(if row_px < 12.0 { 1 } else { 2 });
    let cap = half * 0.6;
    for (t, row) in chart.probability.iter().enumerate() {
        for (s, e) in row.iter().enumerate() {
            let yc = bar_y(t, s);
            ctx.draw_series([
                PathElement::new(vec![(e.ci_low, yc), (e.ci_high, yc)], ink),
                PathElement::new(vec![(e.ci_low, yc - cap), (e.ci_low, yc + cap)], ink),
                PathElement::new(vec![(e.ci_high, yc - cap), (e.ci_high, yc + cap)], ink),
            ])
            .map_err(draw_err)?;
        }
    }

    // Text in pixels: headings across the full width, scenario names left of their bars,
    // values right of the whiskers (left of them when there is no room).
    let (_, py0) = plot.get_base_pixel();
    let (pw, _) = plot.dim_in_pixel();
    let heading_style = style::text_style(style::TICK_SIZE + 1.0, style::INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let headings = fit_headings(&plot, &chart.targets, pw.saturating_sub(24))?;
    let value_style = style::text_style(style::LEGEND_SIZE, style::INK);
    let show_values = row_px >= style::LEGEND_SIZE;
    let show_names = row_px >= style::TICK_SIZE * 0.75;
    for (t, heading) in headings.iter().enumerate() {
        if t > 0 {
            // A rule between groups, across the names too, so each group reads as one block.
            let (_, rule) = coord.translate(&(0.0, y_of(group_top(t, m) - GAP_ROWS / 2.0)));
            plot.draw(&PathElement::new(
                vec![(0, rule - py0), (pw as i32, rule - py0)],
                style::SAMPLE_GREY.stroke_width(1),
            ))
            .map_err(draw_err)?;
        }
        let (_, mid) = coord.translate(&(0.0, y_of(group_top(t, m) + HEADING_ROWS / 2.0)));
        let (tw, th) = plot
            .estimate_text_size(heading, &heading_style)
            .map_err(draw_err)?;
        let (hx, hy) = (8, mid - py0);
        // A white box keeps the name legible across grid and threshold lines.
        plot.draw(&Rectangle::new(
            [
                (hx - 3, hy - th as i32 / 2 - 2),
                (hx + tw as i32 + 3, hy + th as i32 / 2 + 2),
            ],
            WHITE.filled(),
        ))
        .map_err(draw_err)?;
        plot.draw_text(heading, &heading_style, (hx, hy))
            .map_err(draw_err)?;
        for (s, e) in chart.probability[t].iter().enumerate() {
            let (_, py) = coord.translate(&(0.0, bar_y(t, s)));
            if show_names {
                style::draw_row_label(&plot, &chart.scenarios[s], cx, py, label_w)?;
            }
            if !show_values {
                continue;
            }
            let text = format::percent(e.probability);
            let tw = style::max_text_width(&canvas, [&text], &value_style)? as i32;
            let (hx, _) = coord.translate(&(e.ci_high, 0.0));
            let (lx, _) = coord.translate(&(e.ci_low, 0.0));
            let (ax, h) = if hx - cx + 8 + tw < cw as i32 {
                (hx - cx + 8, HPos::Left)
            } else {
                (lx - cx - 8, HPos::Right)
            };
            style::annotate(&canvas, &text, (ax, py - cy), (h, VPos::Center), style::INK)?;
        }
    }
    // The axis title under the bottom axis only (plotters would repeat it on top).
    let desc_style = style::text_style(style::AXIS_DESC_SIZE, style::INK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let (_, ph) = plot.dim_in_pixel();
    plot.draw_text(
        "Probability of reaching the target",
        &desc_style,
        (cx - plot.get_base_pixel().0 + cw as i32 / 2, ph as i32 - 4),
    )
    .map_err(draw_err)?;
    let column = |p: f64| coord.translate(&(p, 0.0)).0 - cx;
    style::verdict_line_labels(
        &canvas,
        (chart.likely_at, column(chart.likely_at)),
        (chart.unlikely_at, column(chart.unlikely_at)),
    )?;
    Ok(())
}

/// Each name as it fits in `max_px`: whole when it fits, otherwise shortened with "…" (only
/// names wider than the whole picture are).
fn fit_headings<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    names: &[String],
    max_px: u32,
) -> Result<Vec<String>, ChartError> {
    let style = style::text_style(style::TICK_SIZE + 1.0, style::INK);
    names
        .iter()
        .map(|n| style::fit_text(area, n, &style, max_px))
        .collect()
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
            likely_at: 0.8,
            unlikely_at: 0.2,
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
        let bar = |c: RGBColor| bar_pixels(&buf, c) as f64;
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
    fn height_grows_with_targets_times_scenarios() {
        let chart = |targets: usize, scenarios: usize| ScenarioComparison {
            title: "t".into(),
            scenarios: (0..scenarios).map(|s| format!("s{s}")).collect(),
            targets: (0..targets).map(|t| format!("t{t}")).collect(),
            probability: vec![vec![est(0.5); scenarios]; targets],
            likely_at: 0.8,
            unlikely_at: 0.2,
        };
        assert_eq!(chart(1, 2).pixel_size(), style::SIZE);
        let (w, h) = chart(17, 8).pixel_size();
        assert_eq!(w, style::SIZE.0);
        // Every bar keeps its full row: 136 bars plus headings and gaps.
        assert!(f64::from(h) >= OVERHEAD_PX + BAR_PX * (17.0 * 8.0 + 17.0 * HEADING_ROWS));
        assert!(chart(34, 8).pixel_size().1 > h);
        assert_eq!(chart(5000, 50).pixel_size().1, MAX_HEIGHT);
    }

    #[test]
    fn long_chinese_target_names_are_not_shortened() {
        let chart = sample();
        let names = vec![
            "月活跃用户在第二季度末之前达到五十万并保持".to_string(),
            "revenue ≥ 2.5M CNY in the fourth quarter of the year".to_string(),
        ];
        assert!(names[0].chars().count() >= 20);
        let buf_size = chart.pixel_size();
        let mut fitted = Vec::new();
        draw_to_buffer(buf_size, |a| {
            let plot = style::frame(a, &chart.title, None, &[])?;
            // The headings get the plot's width less the legend panel (at most 300 px).
            let (w, _) = plot.dim_in_pixel();
            fitted = fit_headings(&plot, &names, w - 300 - 24)?;
            Ok(())
        })
        .unwrap();
        assert_eq!(fitted, names);
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
        let mut c = sample();
        c.unlikely_at = 0.9;
        cases.push(c);
        let mut c = sample();
        c.likely_at = f64::NAN;
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
            likely_at: 0.8,
            unlikely_at: 0.2,
        };
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_ok());
        if let Some(p) = preview_path("comparison_many.png") {
            render(&c, &p).unwrap();
        }
    }
}
