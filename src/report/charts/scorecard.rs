//! Scorecard: every target's probability of being reached, with its uncertainty and verdict.
//!
//! One row per target: a bar to the estimated probability in the verdict's colour, whiskers
//! for the confidence interval, and dashed reference lines where the verdict thresholds lie,
//! so an analyst sees at a glance which targets are safe, which are long shots, and which are
//! too close to call. The point estimate is a dot in the verdict's colour, so a red verdict at
//! 0 % stays visible; rows whose interval straddles a threshold are marked "borderline"; rows
//! come in groups (single targets, then composite ones) divided by a rule.

use std::path::Path;

use plotters::coord::{CoordTranslate, Shift};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, LegendEntry, Swatch};
use super::{check_probability, draw_err, render_png, ChartError, Verdict, VerdictColour};
use crate::report::format;

const KIND: &str = "scorecard";

/// One target's result.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// Target name as the analyst wrote it (may be long, may be Chinese).
    pub name: String,
    /// Estimated probability of reaching the target, in `[0, 1]`.
    pub probability: f64,
    /// Lower confidence bound, `≤ probability`.
    pub ci_low: f64,
    /// Upper confidence bound, `≥ probability`.
    pub ci_high: f64,
    /// The verdict already decided for this target.
    pub verdict: Verdict,
    /// The group the row belongs to, e.g. "KPIs" or "composite targets"; a rule and the group's
    /// name separate consecutive rows of different groups.
    pub group: String,
}

/// Whether an interval straddles a verdict threshold, so that more runs could change the
/// verdict: its lower end is below the threshold and its upper end at or above it (the rule is
/// likely when P ≥ `likely_at`, unlikely when P < `unlikely_at`).
pub fn borderline(ci_low: f64, ci_high: f64, likely_at: f64, unlikely_at: f64) -> bool {
    [likely_at, unlikely_at]
        .iter()
        .any(|&t| ci_low < t && ci_high >= t)
}

/// All targets of a run, top to bottom in the given order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// Chart title.
    pub title: String,
    /// Rows, drawn top to bottom.
    pub rows: Vec<ScoreRow>,
    /// Probability from which a target counts as likely.
    pub likely_at: f64,
    /// Probability up to which a target counts as unlikely.
    pub unlikely_at: f64,
}

impl Scorecard {
    /// Picture size in pixels: the default, taller when there are many targets.
    pub fn pixel_size(&self) -> (u32, u32) {
        style::size_for_rows(self.rows.len())
    }

    fn validate(&self) -> Result<(), ChartError> {
        if self.rows.is_empty() {
            return Err(ChartError::NoData {
                chart: KIND,
                title: self.title.clone(),
                reason: "no targets".into(),
            });
        }
        let check = |what: &str, p: f64| check_probability(KIND, &self.title, what, p);
        check("likely threshold", self.likely_at)?;
        check("unlikely threshold", self.unlikely_at)?;
        if self.unlikely_at > self.likely_at {
            return Err(ChartError::InvalidData {
                chart: KIND,
                title: self.title.clone(),
                reason: format!(
                    "unlikely threshold {} is above likely threshold {}",
                    self.unlikely_at, self.likely_at
                ),
            });
        }
        for r in &self.rows {
            check(&format!("probability of \"{}\"", r.name), r.probability)?;
            check(&format!("lower bound of \"{}\"", r.name), r.ci_low)?;
            check(&format!("upper bound of \"{}\"", r.name), r.ci_high)?;
            if !(r.ci_low <= r.probability && r.probability <= r.ci_high) {
                return Err(ChartError::InvalidData {
                    chart: KIND,
                    title: self.title.clone(),
                    reason: format!(
                        "interval [{}, {}] of \"{}\" does not contain its probability {}",
                        r.ci_low, r.ci_high, r.name, r.probability
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    chart: &Scorecard,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    chart.validate()?;
    let n = chart.rows.len();
    let legend = vec![
        LegendEntry::new("likely", Swatch::Fill(style::GREEN, 0.85)),
        LegendEntry::new("uncertain", Swatch::Fill(style::AMBER, 0.85)),
        LegendEntry::new("unlikely", Swatch::Fill(style::RED, 0.85)),
        LegendEntry::new("95 % interval", Swatch::Line(style::INK, 2)),
    ];
    let plot = style::frame(area, &chart.title, None, &legend)?;
    let label_w = style::row_label_width(&plot, chart.rows.iter().map(|r| &r.name), 0.42)?;

    // Row i sits at y = n - 1 - i so the first row is on top; the extra top margin keeps the
    // threshold labels clear of the first bar.
    let y = (-0.6, n as f64 - 0.4 + 0.45);
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(30)
        .x_label_area_size(style::TICK_SIZE as u32 + style::AXIS_DESC_SIZE as u32 + 30)
        .y_label_area_size(label_w)
        // A little room beyond 0 and 100 % keeps dots and whisker caps off the frame.
        .build_cartesian_2d(-0.015..1.015, y.0..y.1)
        .map_err(draw_err)?;
    style::probability_axis(&mut ctx, 12)?;

    let half = 0.3;
    let row_y = |i: usize| (n - 1 - i) as f64;
    ctx.draw_series(chart.rows.iter().enumerate().map(|(i, r)| {
        Rectangle::new(
            [(0.0, row_y(i) - half), (r.probability, row_y(i) + half)],
            r.verdict.colour().mix(0.85).filled(),
        )
    }))
    .map_err(draw_err)?;

    for (value, colour) in [
        (chart.likely_at, style::GREEN),
        (chart.unlikely_at, style::RED),
    ] {
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(value, y.0), (value, y.1)],
            6,
            4,
            colour.stroke_width(2),
        )))
        .map_err(draw_err)?;
    }

    // Whiskers: horizontal line with end caps, drawn over the bars.
    let cap = 0.16;
    for (i, r) in chart.rows.iter().enumerate() {
        let yc = row_y(i);
        let ink = style::INK.stroke_width(2);
        ctx.draw_series([
            PathElement::new(vec![(r.ci_low, yc), (r.ci_high, yc)], ink),
            PathElement::new(vec![(r.ci_low, yc - cap), (r.ci_low, yc + cap)], ink),
            PathElement::new(vec![(r.ci_high, yc - cap), (r.ci_high, yc + cap)], ink),
        ])
        .map_err(draw_err)?;
        // The dot carries the verdict colour even where the bar has no length (P = 0 %).
        ctx.draw_series([
            Circle::new((r.probability, yc), 6, style::INK.filled()),
            Circle::new((r.probability, yc), 4, r.verdict.colour().filled()),
        ])
        .map_err(draw_err)?;
    }
    for i in 1..n {
        if chart.rows[i].group != chart.rows[i - 1].group {
            let yb = row_y(i) + 0.5;
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(-0.015, yb), (1.015, yb)],
                style::MUTED.stroke_width(1),
            )))
            .map_err(draw_err)?;
        }
    }

    // Text in pixels: names left of the axis, values right of the whiskers, threshold labels.
    let canvas = ctx.plotting_area().strip_coord_spec();
    let coord = ctx.as_coord_spec().clone();
    let (cx, cy) = canvas.get_base_pixel();
    let (cw, _) = canvas.dim_in_pixel();
    let value_style = style::text_style(style::LEGEND_SIZE, style::INK);
    for (i, r) in chart.rows.iter().enumerate() {
        let (_, py) = coord.translate(&(0.0, row_y(i)));
        style::draw_row_label(&plot, &r.name, cx, py, label_w)?;
        let text = if borderline(r.ci_low, r.ci_high, chart.likely_at, chart.unlikely_at) {
            format!("{} · borderline", format::percent(r.probability))
        } else {
            format::percent(r.probability)
        };
        let tw = style::max_text_width(&canvas, [&text], &value_style)? as i32;
        let (hx, _) = coord.translate(&(r.ci_high, 0.0));
        let (lx, _) = coord.translate(&(r.ci_low, 0.0));
        let (ax, h) = if hx - cx + 8 + tw < cw as i32 {
            (hx - cx + 8, HPos::Left)
        } else {
            (lx - cx - 8, HPos::Right)
        };
        style::annotate(&canvas, &text, (ax, py - cy), (h, VPos::Center), style::INK)?;
    }
    for i in 0..n {
        if i == 0 || chart.rows[i].group != chart.rows[i - 1].group {
            // At the right end, where only bars near 100 % reach.
            let (_, py) = coord.translate(&(0.0, row_y(i) + 0.5));
            style::annotate(
                &canvas,
                &chart.rows[i].group,
                (cw as i32 - 6, py - cy + 2),
                (HPos::Right, VPos::Top),
                style::MUTED,
            )?;
        }
    }
    let column = |p: f64| coord.translate(&(p, 0.0)).0 - cx;
    style::verdict_line_labels(
        &canvas,
        (chart.likely_at, column(chart.likely_at)),
        (chart.unlikely_at, column(chart.unlikely_at)),
    )?;
    Ok(())
}

/// Writes `chart` as a PNG file at `path` (replaced atomically).
pub fn render(chart: &Scorecard, path: &Path) -> Result<(), ChartError> {
    render_png(path, chart.pixel_size(), |area| draw(chart, area))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    fn row(name: &str, p: f64, half_width: f64, verdict: Verdict) -> ScoreRow {
        ScoreRow {
            name: name.into(),
            probability: p,
            ci_low: (p - half_width).max(0.0),
            ci_high: (p + half_width).min(1.0),
            verdict,
            group: "KPIs".into(),
        }
    }

    fn sample() -> Scorecard {
        Scorecard {
            title: "Targets at year end (1,000 runs)".into(),
            rows: vec![
                row("粉丝 ≥ 1,000,000 by day 365", 0.834, 0.023, Verdict::Likely),
                row(
                    "互动率 (engagement rate) ≥ 5 % in Q4",
                    0.52,
                    0.031,
                    Verdict::Uncertain,
                ),
                row(
                    "月活跃用户在第二季度末之前达到五十万并且保持到年底的这个目标名字很长",
                    0.12,
                    0.02,
                    Verdict::Unlikely,
                ),
                row("revenue ≥ 2.5M", 0.998, 0.002, Verdict::Likely),
                row("churn ≤ 3 %", 0.0, 0.004, Verdict::Unlikely),
            ],
            likely_at: 0.8,
            unlikely_at: 0.2,
        }
    }

    #[test]
    fn renders_png_of_stated_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("score.png");
        let chart = sample();
        render(&chart, &path).unwrap();
        assert_eq!(png_size(&path), chart.pixel_size());
        assert_eq!(files_in(dir.path()), vec!["score.png".to_string()]);
        if let Some(p) = preview_path("scorecard.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn verdict_colours_appear_in_proportion_to_bars() {
        let chart = sample();
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        let bar = |c: RGBColor| bar_pixels(&buf, c);
        let (g, a, r) = (bar(style::GREEN), bar(style::AMBER), bar(style::RED));
        // Green bars are 0.834 + 0.998 long, amber 0.52, red 0.12 (the zero bar is empty).
        assert!(g > a && a > r && r > 200, "green {g}, amber {a}, red {r}");
    }

    #[test]
    fn a_red_verdict_at_zero_is_visible() {
        let mut chart = sample();
        chart.rows = vec![row("never", 0.0, 0.0, Verdict::Unlikely)];
        let buf = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        // The dot: a disc of radius 4 in pure verdict red, about 50 pixels.
        let red = count_colour(&buf, style::RED, 2);
        assert!(red > 30, "only {red} red pixels");
    }

    #[test]
    fn borderline_means_the_interval_straddles_a_threshold() {
        assert!(borderline(0.75, 0.85, 0.8, 0.2));
        assert!(borderline(0.15, 0.2, 0.8, 0.2));
        assert!(!borderline(0.81, 0.9, 0.8, 0.2));
        assert!(!borderline(0.3, 0.79, 0.8, 0.2));
        assert!(!borderline(0.0, 0.19, 0.8, 0.2));
    }

    #[test]
    fn groups_are_divided_by_a_rule() {
        let mut chart = sample();
        let plain = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        chart.rows[3].group = "composite targets".into();
        chart.rows[4].group = "composite targets".into();
        let grouped = draw_to_buffer(chart.pixel_size(), |a| draw(&chart, a)).unwrap();
        // The rule spans the plot in the muted grey: hundreds of new muted pixels.
        let muted = |b: &[u8]| count_colour(b, style::MUTED, 10) as i64;
        assert!(muted(&grouped) - muted(&plain) > 300);
    }

    #[test]
    fn many_rows_grow_the_picture() {
        let mut chart = sample();
        chart.rows = (0..40)
            .map(|i| row(&format!("target {i}"), 0.5, 0.05, Verdict::Uncertain))
            .collect();
        let (w, h) = chart.pixel_size();
        assert_eq!(w, 1200);
        assert!(h >= 40 * style::ROW_PX);
        assert!(draw_to_buffer((w, h), |a| draw(&chart, a)).is_ok());
        if let Some(p) = preview_path("scorecard_many.png") {
            render(&chart, &p).unwrap();
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let mut cases = Vec::new();
        let mut c = sample();
        c.rows.clear();
        cases.push(c);
        let mut c = sample();
        c.rows[0].probability = f64::NAN;
        cases.push(c);
        let mut c = sample();
        c.rows[1].ci_low = 0.9;
        cases.push(c);
        let mut c = sample();
        c.rows[2].ci_high = 1.5;
        cases.push(c);
        let mut c = sample();
        c.likely_at = 0.1;
        cases.push(c);
        for c in &cases {
            assert!(draw_to_buffer(c.pixel_size(), |a| draw(c, a)).is_err());
        }
    }
}
