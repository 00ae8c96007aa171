//! Scenario comparison: each target's probability under each scenario, side by side.
//!
//! Small multiples, one panel per target: bars coloured by scenario with confidence-interval
//! whiskers and each scenario's difference from the first, so an analyst sees which scenario
//! moves which target and whether the difference is larger than the Monte Carlo noise.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style;
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

/// A difference of probabilities (scenario minus reference) with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delta {
    /// The difference, in `[-1, 1]`.
    pub delta: f64,
    /// Lower end of its interval.
    pub low: f64,
    /// Upper end of its interval.
    pub high: f64,
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
    /// `differences[target][scenario]`: the scenario's probability minus the first
    /// scenario's, where known (empty, or `None` entries, where not).
    pub differences: Vec<Vec<Option<Delta>>>,
    /// Probability from which a target counts as likely (a dashed line).
    pub likely_at: f64,
    /// Probability below which a target counts as unlikely (a dashed line).
    pub unlikely_at: f64,
}

impl ScenarioComparison {
    /// Picture size in pixels: the default width, and tall enough for a grid of panels, one
    /// per target; rows get thinner to keep the picture on one screen, and the picture grows
    /// only when they would be too thin to read (capped, so a huge comparison never asks
    /// for a gigantic bitmap).
    pub fn pixel_size(&self) -> (u32, u32) {
        let (_, needed) = layout(self.targets.len(), self.scenarios.len());
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
        if !self.differences.is_empty() {
            let shape_ok = self.differences.len() == self.targets.len()
                && self
                    .differences
                    .iter()
                    .all(|r| r.len() == self.scenarios.len());
            if !shape_ok {
                return Err(invalid(
                    "differences do not match targets × scenarios".into(),
                ));
            }
            let ok = |v: f64| (-1.0..=1.0).contains(&v);
            for d in self.differences.iter().flatten().flatten() {
                if !(ok(d.delta) && ok(d.low) && ok(d.high) && d.low <= d.high) {
                    return Err(invalid(format!(
                        "difference {} [{}, {}] is not a difference of probabilities",
                        d.delta, d.low, d.high
                    )));
                }
            }
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

/// Pixels per scenario bar row in a panel (thinner when the picture would be too tall).
const BAR_PX: f64 = 22.0;
/// Thinnest bar row before the picture grows instead.
const MIN_BAR_PX: f64 = 9.0;
/// Panel heading (the target's name), pixels.
const HEADING_PX: f64 = 30.0;
/// Panel axis and padding, pixels.
const PANEL_EXTRA_PX: f64 = 40.0;
/// Title, subtitle and margins around the panels, pixels.
const OVERHEAD_PX: f64 = 120.0;
/// The height a comparison aims to stay under, so it reads on one screen.
const TARGET_HEIGHT: f64 = 1590.0;
/// Tallest picture; beyond it rows get thinner rather than the bitmap gigantic.
const MAX_HEIGHT: u32 = 16_000;
/// Bar thickness as a share of its row.
const BAR_FILL: f64 = 0.72;
/// Right margin of a panel for the differences from the reference scenario, pixels.
const DELTA_PX: u32 = 118;

/// Panels per row: one target per panel, up to three side by side.
fn columns(targets: usize) -> usize {
    match targets {
        0..=1 => 1,
        2..=4 => 2,
        _ => 3,
    }
}

/// Bar row height and picture height for `targets` panels of `scenarios` bars.
fn layout(targets: usize, scenarios: usize) -> (f64, u32) {
    let grid_rows = targets.div_ceil(columns(targets)) as f64;
    let height =
        |bar: f64| OVERHEAD_PX + grid_rows * (HEADING_PX + PANEL_EXTRA_PX + bar * scenarios as f64);
    let fit = (TARGET_HEIGHT - OVERHEAD_PX) / grid_rows - HEADING_PX - PANEL_EXTRA_PX;
    let bar = (fit / scenarios.max(1) as f64).clamp(MIN_BAR_PX, BAR_PX);
    (bar, height(bar).min(f64::from(MAX_HEIGHT)) as u32)
}

/// Draws `chart` onto `area`.
///
/// Small multiples: one panel per target, each with one horizontal bar per scenario (named
/// on the left, coloured as in the legend), its confidence-interval whisker and value, the
/// verdict thresholds dashed, and on the right each scenario's difference from the first
/// one with its interval (`*` when the interval excludes zero).
pub fn draw<DB: DrawingBackend>(
    chart: &ScenarioComparison,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    chart.validate()?;
    // Every panel names its scenarios, so the key fits in the subtitle and the panels get
    // the full width.
    let mut subtitle = format!(
        "Whiskers: 95 % CI · dashed: likely ≥ {} (green), unlikely < {} (red)",
        format::percent(chart.likely_at),
        format::percent(chart.unlikely_at)
    );
    if chart.scenarios.len() > 1 {
        subtitle.push_str(&format!(
            " · Δ: vs {} in points [95 % CI], * excludes 0",
            chart.scenarios[0]
        ));
    }
    let plot = style::frame(area, &chart.title, Some(&subtitle), &[])?;
    let n = chart.targets.len();
    let cols = columns(n);
    let panels = plot.split_evenly((n.div_ceil(cols), cols));
    let (bar_px, _) = layout(n, chart.scenarios.len());
    for (t, panel) in panels.iter().enumerate().take(n) {
        draw_panel(chart, t, panel, bar_px)?;
    }
    Ok(())
}

/// One target's panel.
fn draw_panel<DB: DrawingBackend>(
    chart: &ScenarioComparison,
    t: usize,
    panel: &DrawingArea<DB, Shift>,
    bar_px: f64,
) -> Result<(), ChartError> {
    let m = chart.scenarios.len();
    let (pw, _) = panel.dim_in_pixel();
    let heading_style =
        style::text_style(style::TICK_SIZE + 1.0, style::INK).pos(Pos::new(HPos::Left, VPos::Top));
    let heading = style::fit_text(
        panel,
        &chart.targets[t],
        &heading_style,
        pw.saturating_sub(16),
    )?;
    panel
        .draw_text(&heading, &heading_style, (8, 6))
        .map_err(draw_err)?;
    let label_w = style::row_label_width(panel, &chart.scenarios, 0.3)?;
    let deltas = chart
        .differences
        .get(t)
        .filter(|d| d.iter().any(Option::is_some));
    let used = HEADING_PX + bar_px * m as f64 + PANEL_EXTRA_PX;
    let (_, ph) = panel.dim_in_pixel();
    let mut ctx = ChartBuilder::on(panel)
        .margin_top(HEADING_PX as u32)
        .margin_bottom((f64::from(ph) - used).max(0.0) as u32 + 6)
        .margin_right(if deltas.is_some() { DELTA_PX } else { 16 })
        .x_label_area_size(24)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0.0..1.0, 0.0..m as f64)
        .map_err(draw_err)?;
    let tick = |v: &f64| format::percent_tick(*v);
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(3)
        .x_label_formatter(&tick)
        .label_style(style::text_style(style::TICK_SIZE - 3.0, style::MUTED))
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(style::GRID_LIGHT.stroke_width(1))
        .max_light_lines(1)
        .axis_style(style::MUTED.stroke_width(1))
        .draw()
        .map_err(draw_err)?;
    let bar_y = |s: usize| m as f64 - s as f64 - 0.5;
    let half = BAR_FILL / 2.0;
    let row = &chart.probability[t];
    ctx.draw_series(row.iter().enumerate().map(|(s, e)| {
        let yc = bar_y(s);
        Rectangle::new(
            [(0.0, yc - half), (e.probability, yc + half)],
            style::series_colour(s).mix(0.85).filled(),
        )
    }))
    .map_err(draw_err)?;
    for (value, colour) in [
        (chart.likely_at, style::GREEN),
        (chart.unlikely_at, style::RED),
    ] {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(value, 0.0), (value, m as f64)],
            5,
            4,
            colour.stroke_width(1),
        )))
        .map_err(draw_err)?;
    }
    let ink = style::INK.stroke_width(if bar_px < 12.0 { 1 } else { 2 });
    let cap = half * 0.6;
    for (s, e) in row.iter().enumerate() {
        let yc = bar_y(s);
        ctx.draw_series([
            PathElement::new(vec![(e.ci_low, yc), (e.ci_high, yc)], ink),
            PathElement::new(vec![(e.ci_low, yc - cap), (e.ci_low, yc + cap)], ink),
            PathElement::new(vec![(e.ci_high, yc - cap), (e.ci_high, yc + cap)], ink),
        ])
        .map_err(draw_err)?;
    }

    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    let (cw, _) = canvas.dim_in_pixel();
    let value_style = style::text_style(style::LEGEND_SIZE - 2.0, style::INK);
    let show_text = bar_px >= style::TICK_SIZE * 0.75;
    for (s, e) in row.iter().enumerate() {
        let (_, py) = coord.translate(&(0.0, bar_y(s)));
        if !show_text {
            continue;
        }
        style::draw_row_label(panel, &chart.scenarios[s], cx, py, label_w)?;
        let text = format::percent(e.probability);
        let tw = style::max_text_width(&canvas, [&text], &value_style)? as i32;
        let (hx, _) = coord.translate(&(e.ci_high, 0.0));
        let (lx, _) = coord.translate(&(e.ci_low, 0.0));
        let (ax, h) = if hx - cx + 6 + tw < cw as i32 {
            (hx - cx + 6, HPos::Left)
        } else {
            (lx - cx - 6, HPos::Right)
        };
        style::annotate(&canvas, &text, (ax, py - cy), (h, VPos::Center), style::INK)?;
        if let Some(Some(d)) = deltas.map(|d| &d[s]) {
            let (bx, by) = panel.get_base_pixel();
            let delta_style = style::text_style(style::LEGEND_SIZE - 2.0, delta_colour(d))
                .pos(Pos::new(HPos::Left, VPos::Center));
            panel
                .draw_text(
                    &delta_text(d),
                    &delta_style,
                    (cx + cw as i32 + 8 - bx, py - by),
                )
                .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// `Δ +5.4*` in percentage points, `*` when the interval excludes zero.
fn delta_text(d: &Delta) -> String {
    let points = format::fixed(d.delta * 100.0, 1);
    let sign = if d.delta > 0.0 && !points.starts_with('-') {
        "+"
    } else {
        ""
    };
    let star = if d.low > 0.0 || d.high < 0.0 { "*" } else { "" };
    format!(
        "Δ {sign}{points}{star} [{}, {}]",
        format::fixed(d.low * 100.0, 0),
        format::fixed(d.high * 100.0, 0)
    )
}

/// Green for a clear gain, red for a clear loss, grey when the interval includes zero.
fn delta_colour(d: &Delta) -> RGBColor {
    if d.low > 0.0 {
        style::GREEN
    } else if d.high < 0.0 {
        style::RED
    } else {
        style::MUTED
    }
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
            differences: Vec::new(),
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
        // Probabilities low enough that every value label sits right of its bar, not on it.
        let mut chart = sample();
        chart.probability = vec![
            vec![est(0.62), est(0.41), est(0.70)],
            vec![est(0.40), est(0.45), est(0.20)],
            vec![est(0.30), est(0.15), est(0.50)],
        ];
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let bar = |c: RGBColor| bar_pixels(&buf, c) as f64;
        let areas: Vec<f64> = (0..3).map(|s| bar(style::series_colour(s))).collect();
        // Summed bar lengths per scenario.
        let sums = [1.32, 1.01, 1.40];
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
    fn a_reference_sized_comparison_stays_on_one_screen() {
        let chart = |targets: usize, scenarios: usize| ScenarioComparison {
            title: "t".into(),
            scenarios: (0..scenarios).map(|s| format!("s{s}")).collect(),
            targets: (0..targets).map(|t| format!("t{t}")).collect(),
            probability: vec![vec![est(0.5); scenarios]; targets],
            differences: Vec::new(),
            likely_at: 0.8,
            unlikely_at: 0.2,
        };
        assert_eq!(chart(1, 2).pixel_size(), style::SIZE);
        // 17 targets under 3 or 8 scenarios: six rows of three panels, under 1,600 px.
        for scenarios in [3, 8] {
            let (w, h) = chart(17, scenarios).pixel_size();
            assert_eq!(w, style::SIZE.0);
            assert!(h < 1600, "{scenarios} scenarios: {h} px");
        }
        // Far more than fits: rows stop thinning and the picture grows, up to its cap.
        assert!(chart(60, 12).pixel_size().1 > 1600);
        assert_eq!(chart(5000, 50).pixel_size().1, MAX_HEIGHT);
        assert_eq!((columns(1), columns(3), columns(17)), (1, 2, 3));
    }

    #[test]
    fn differences_read_as_points_with_their_interval_and_colour() {
        let gain = Delta {
            delta: 0.054,
            low: 0.031,
            high: 0.077,
        };
        assert_eq!(delta_text(&gain), "Δ +5.4* [3, 8]");
        assert_eq!(delta_colour(&gain), style::GREEN);
        let unclear = Delta {
            delta: -0.01,
            low: -0.03,
            high: 0.01,
        };
        assert_eq!(delta_text(&unclear), "Δ -1.0 [-3, 1]");
        assert_eq!(delta_colour(&unclear), style::MUTED);
        let loss = Delta {
            delta: -0.2,
            low: -0.25,
            high: -0.15,
        };
        assert_eq!(delta_colour(&loss), style::RED);
        // Drawn in its colour beside the bars.
        let mut chart = sample();
        chart.differences = vec![vec![None, Some(gain), Some(loss)]; 3];
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        assert!(count_colour(&buf, style::RED, 20) > 30);
        assert!(count_colour(&buf, style::GREEN, 20) > 30);
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
            differences: Vec::new(),
            likely_at: 0.8,
            unlikely_at: 0.2,
        };
        assert!(draw_to_buffer(c.pixel_size(), |a| draw(&c, a)).is_ok());
        if let Some(p) = preview_path("comparison_many.png") {
            render(&c, &p).unwrap();
        }
    }
}
