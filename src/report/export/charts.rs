//! Chart files of a study: which charts to draw, and the data each one gets.
//!
//! One fan chart per tracked variable (with the targets that set a level on it or look at it at
//! a date), one histogram and one tornado chart per target (and a Sobol chart with `--sobol`),
//! and one scorecard. Charts with nothing to show are planned out rather than failing the
//! whole report.

use super::describe::{self, counted_runs, metric_axis, target_name, variable_axis};
use super::names::unique_slugs;
use super::png::png_bytes;
use super::{Exporter, ReportError};
use crate::model::names::canonical;
use crate::montecarlo::result::{StudyResult, TrackedBands};
use crate::report::charts::fan::{self, Band, FanChart, RequiredPath};
use crate::report::charts::histogram::{self, HistogramChart};
use crate::report::charts::lever_tornado::{self, LeverBar, LeverTornado};
use crate::report::charts::scorecard::{self, ScoreRow, Scorecard};
use crate::report::charts::sobol::{self, SobolBar, SobolChart};
use crate::report::charts::tornado::{self, Tornado};
use crate::report::format;
use crate::targets::{Expr, Func, Spec, Window};

/// What a chart shows; indices refer to `result.bands` and `result.summary.targets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChartKind {
    /// Fan chart of one tracked variable.
    Fan(usize),
    /// Histogram of one target's metric.
    Histogram(usize),
    /// All targets' probabilities.
    Scorecard,
    /// Input influence on one target.
    Tornado(usize),
    /// How far each declared lever moves one target.
    Levers(usize),
    /// Sobol indices of one target's metric (`--sobol`).
    Sobol(usize),
}

/// A planned chart file.
#[derive(Debug, Clone)]
pub(crate) struct ChartFile {
    pub kind: ChartKind,
    pub file: String,
}

/// A chart as the Markdown report refers to it.
#[derive(Debug, Clone)]
pub(crate) struct ChartEntry {
    pub kind: ChartKind,
    pub file: String,
    pub caption: String,
}

/// The charts a study gets, in report order.
pub(crate) fn plan(result: &StudyResult) -> Vec<ChartFile> {
    let s = &result.summary;
    let mut out = Vec::new();
    if s.targets.iter().any(scorable) {
        out.push(ChartFile {
            kind: ChartKind::Scorecard,
            file: "scorecard.png".into(),
        });
    }
    let var_slugs = unique_slugs(result.bands.iter().map(|b| b.name.as_str()));
    for (i, (b, slug)) in result.bands.iter().zip(var_slugs).enumerate() {
        if has_finite(b.values.iter().chain(&b.samples)) {
            out.push(ChartFile {
                kind: ChartKind::Fan(i),
                file: format!("fan_{slug}.png"),
            });
        }
    }
    let target_slugs = unique_slugs(s.targets.iter().map(|t| t.name.as_str()));
    let finite = finite_metrics(result);
    for (i, slug) in target_slugs.iter().enumerate() {
        if finite.get(i).copied().unwrap_or(false) {
            out.push(ChartFile {
                kind: ChartKind::Histogram(i),
                file: format!("hist_{slug}.png"),
            });
        }
    }
    for (i, (t, slug)) in s.targets.iter().zip(&target_slugs).enumerate() {
        let finite = t
            .influence
            .iter()
            .any(|f| f.spearman.is_some_and(f64::is_finite));
        if !s.inputs.is_empty() && finite {
            out.push(ChartFile {
                kind: ChartKind::Tornado(i),
                file: format!("tornado_{slug}.png"),
            });
        }
        if !t.levers.is_empty() && scorable(t) {
            out.push(ChartFile {
                kind: ChartKind::Levers(i),
                file: format!("levers_{slug}.png"),
            });
        }
        if t.sobol.iter().any(|x| x.total.is_finite()) {
            out.push(ChartFile {
                kind: ChartKind::Sobol(i),
                file: format!("sobol_{slug}.png"),
            });
        }
    }
    out
}

/// Smallest and largest finite value across `series`.
fn finite_extent<'a>(series: impl IntoIterator<Item = &'a Vec<f64>>) -> Option<(f64, f64)> {
    series
        .into_iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
        })
}

/// Per target, whether any run's metric is finite, reading a few metric columns at a time.
/// Records that cannot be read give no histograms here; writing `runs.csv` reports why.
fn finite_metrics(result: &StudyResult) -> Vec<bool> {
    let runs = result.runs();
    let n = runs.targets_held();
    let mut out = Vec::with_capacity(n);
    for ts in crate::montecarlo::per_run::column_ranges(n, runs.targets_per_pass()) {
        match runs.targets(ts) {
            Ok(cols) => out.extend(cols.iter().map(|c| c.metric.iter().any(|v| v.is_finite()))),
            Err(_) => return Vec::new(),
        }
    }
    out
}

fn has_finite<'a>(series: impl IntoIterator<Item = &'a Vec<f64>>) -> bool {
    series.into_iter().flatten().any(|v| v.is_finite())
}

/// Whether a target's estimate can go on the scorecard.
fn scorable(t: &crate::montecarlo::summary::TargetSummary) -> bool {
    let ok = |p: f64| (0.0..=1.0).contains(&p);
    ok(t.probability) && ok(t.ci95[0]) && ok(t.ci95[1])
}

impl ChartFile {
    /// How the Markdown report refers to this chart.
    pub fn entry_for(&self, result: &StudyResult) -> ChartEntry {
        let s = &result.summary;
        let target = |i: usize| s.targets.get(i).map_or("", target_name);
        let caption = match self.kind {
            ChartKind::Fan(i) => format!(
                "Range of {} over time",
                result.bands.get(i).map_or("", describe::variable_name)
            ),
            ChartKind::Histogram(i) => format!("Outcomes of {}", target(i)),
            ChartKind::Scorecard => "Probability of each target".into(),
            ChartKind::Tornado(i) => format!("What drives {}", target(i)),
            ChartKind::Levers(i) => format!("How the levers move {}", target(i)),
            ChartKind::Sobol(i) => format!("What explains the variance of {}", target(i)),
        };
        ChartEntry {
            kind: self.kind,
            file: self.file.clone(),
            caption,
        }
    }
}

impl Exporter for ChartFile {
    fn file_name(&self) -> String {
        self.file.clone()
    }

    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError> {
        let missing = || ReportError::Inconsistent(format!("no data for chart {}", self.file));
        let bytes = match self.kind {
            ChartKind::Fan(i) => {
                let chart = fan_chart(result, result.bands.get(i).ok_or_else(missing)?);
                png_bytes(chart.pixel_size(), |a| fan::draw(&chart, a))?
            }
            ChartKind::Histogram(i) => {
                let chart = histogram_chart(result, i).ok_or_else(missing)?;
                png_bytes(chart.pixel_size(), |a| histogram::draw(&chart, a))?
            }
            ChartKind::Scorecard => {
                let chart = scorecard_chart(result);
                png_bytes(chart.pixel_size(), |a| scorecard::draw(&chart, a))?
            }
            ChartKind::Tornado(i) => {
                let chart = tornado_chart(result, i).ok_or_else(missing)?;
                png_bytes(chart.pixel_size(), |a| tornado::draw(&chart, a))?
            }
            ChartKind::Levers(i) => {
                let chart = lever_chart(result, i).ok_or_else(missing)?;
                png_bytes(chart.pixel_size(), |a| lever_tornado::draw(&chart, a))?
            }
            ChartKind::Sobol(i) => {
                let chart = sobol_chart(result, i).ok_or_else(missing)?;
                png_bytes(chart.pixel_size(), |a| sobol::draw(&chart, a))?
            }
        };
        Ok(bytes)
    }
}

/// The lever tornado of target `i`: its probability with each lever at its min and max.
pub(crate) fn lever_chart(result: &StudyResult, i: usize) -> Option<LeverTornado> {
    let t = result.summary.targets.get(i)?;
    Some(LeverTornado {
        title: format!(
            "How the levers move {} — {}, {} runs",
            target_name(t),
            result.summary.scenario,
            format::number(counted_runs(&result.summary) as f64)
        ),
        base: t.probability,
        bars: t
            .levers
            .iter()
            .map(|l| LeverBar {
                name: l.lever.clone(),
                min_label: format::number(l.min),
                max_label: format::number(l.max),
                at_min: l.at_min.probability,
                at_max: l.at_max.probability,
            })
            .collect(),
    })
}

/// The fan chart of one tracked variable.
pub(crate) fn fan_chart(result: &StudyResult, b: &TrackedBands) -> FanChart {
    let s = &result.summary;
    let pct = &s.percentiles;
    let series = |p: f64| {
        pct.iter()
            .position(|&q| (q - p).abs() < 1e-9)
            .and_then(|k| b.values.get(k))
    };
    // Each percentile below 50 pairs with its mirror image, e.g. 5 with 95: a central band.
    let mut bands = Vec::new();
    for &p in pct.iter().filter(|&&p| p < 50.0) {
        if let (Some(lower), Some(upper)) = (series(p), series(100.0 - p)) {
            bands.push(Band {
                lower_q: p / 100.0,
                upper_q: 1.0 - p / 100.0,
                lower: lower.clone(),
                upper: upper.clone(),
            });
        }
    }
    let (mut thresholds, checkpoints) = markers(result, &b.name);
    let median = series(50.0).cloned().unwrap_or_default();
    let paths = required_paths(result, &b.name, &median);
    // A target drawn as a path marks its checkpoints itself: no extra vertical line per
    // checkpoint with its name.
    let checkpoints = without_labels(checkpoints, paths.iter().map(|p| p.label.as_str()));
    // A level far outside every run (a stretch goal at 1,000× today's values) would squash the
    // fan into a flat line; the histogram and the report still show that target.
    if let Some((lo, hi)) = finite_extent(b.values.iter().chain(&b.samples)) {
        let reach = (hi - lo).max(hi.abs()).max(lo.abs());
        thresholds.retain(|t| t.1 >= lo - reach && t.1 <= hi + reach);
    }
    FanChart {
        title: format!(
            "{} — {}, {} runs",
            describe::variable_title(b),
            s.scenario,
            format::number(counted_runs(s) as f64)
        ),
        x_label: describe::time_axis(s),
        y_label: variable_axis(b),
        times: result.times.clone(),
        bands,
        median,
        samples: b.samples.clone(),
        thresholds,
        checkpoints,
        paths,
        observed: Vec::new(),
        note: not_drawn_note(result, &b.name),
    }
}

/// Why targets that read `var` inside a ratio or another combination with other variables
/// draw nothing on its fan chart: `sum(a)/sum(b) >= x` compares the ratio of two totals, and
/// no level of `a` alone corresponds to `x`. The note names them and points to their
/// histograms, where the threshold is drawn.
fn not_drawn_note(result: &StudyResult, var: &str) -> Option<String> {
    let key = canonical(var);
    let names: Vec<String> = result
        .targets
        .iter()
        .filter(|t| !matches!(t.spec(), Spec::All { .. }))
        .filter(|t| {
            let vars = t.variables();
            vars.iter().any(|v| canonical(v) == key) && vars.iter().any(|v| canonical(v) != key)
        })
        .filter_map(|t| {
            let s = result
                .summary
                .targets
                .iter()
                .find(|s| canonical(&s.name) == canonical(&t.name))?;
            Some(target_name(s).to_string())
        })
        .collect();
    (!names.is_empty()).then(|| {
        format!(
            "Not drawn here (a ratio of several variables; see its histogram): {}",
            names.join(", ")
        )
    })
}

/// `markers` with the names in `drop` taken out of each joined label; markers left without a
/// label are removed.
fn without_labels<'a>(markers: Vec<Marker>, drop: impl Iterator<Item = &'a str>) -> Vec<Marker> {
    let drop: Vec<&str> = drop.collect();
    markers
        .into_iter()
        .filter_map(|(label, v)| {
            let kept: Vec<&str> = label.split(", ").filter(|l| !drop.contains(l)).collect();
            (!kept.is_empty()).then(|| (kept.join(", "), v))
        })
        .collect()
}

/// The median of a series at time `t`, linearly interpolated between saved times.
fn value_at(times: &[f64], series: &[f64], t: f64) -> Option<f64> {
    let k = times.iter().position(|&x| x >= t)?;
    if times[k] == t || k == 0 {
        return series.get(k).copied().filter(|v| v.is_finite());
    }
    let (t0, t1) = (times[k - 1], times[k]);
    let (v0, v1) = (*series.get(k - 1)?, *series.get(k)?);
    let v = v0 + (v1 - v0) * (t - t0) / (t1 - t0);
    v.is_finite().then_some(v)
}

/// The level `func` needs at the end of `periods` consecutive periods from `start` to meet
/// `threshold` in each: compounding for growth and ratio, adding for change.
fn required_level(func: Func, start: f64, threshold: f64, periods: i32) -> Option<f64> {
    match func {
        Func::Growth => Some(start * (1.0 + threshold).powi(periods)),
        Func::Ratio => Some(start * threshold.powi(periods)),
        Func::Change => Some(start + threshold * f64::from(periods)),
        _ => None,
    }
}

/// The paths that growth, ratio and change targets on `var` require, starting from the
/// median run's value (the start value, when every run starts alike): for
/// `every(growth(x), [c0, …, cn]) >= g` the level at each checkpoint that +g a period would
/// reach; for `growth(x, a, b) >= g` the line from the value at `a` to what `b` needs.
pub(crate) fn required_paths(result: &StudyResult, var: &str, median: &[f64]) -> Vec<RequiredPath> {
    let key = canonical(var);
    let times = &result.times;
    let mut out = Vec::new();
    for t in &result.targets {
        let Some(summary) = result
            .summary
            .targets
            .iter()
            .find(|s| canonical(&s.name) == canonical(&t.name))
        else {
            continue;
        };
        let label = target_name(summary).to_string();
        let points: Vec<(f64, f64)> = match t.spec() {
            Spec::Every {
                template: Expr::Call(c),
                checkpoints,
                threshold,
                ..
            } if canonical(&c.var.name) == key && c.window.is_none() => {
                let cs: Vec<f64> = checkpoints.times.iter().map(|t| t.value).collect();
                let Some(start) = cs.first().and_then(|&c0| value_at(times, median, c0)) else {
                    continue;
                };
                cs.iter()
                    .enumerate()
                    .filter_map(|(k, &at)| {
                        Some((at, required_level(c.func, start, *threshold, k as i32)?))
                    })
                    .collect()
            }
            Spec::Compare {
                metric: Expr::Call(c),
                threshold,
                ..
            } if canonical(&c.var.name) == key => match c.window {
                Some(Window::Span(a, b)) => {
                    let Some(start) = value_at(times, median, a.value) else {
                        continue;
                    };
                    match required_level(c.func, start, *threshold, 1) {
                        Some(end) => vec![(a.value, start), (b.value, end)],
                        None => continue,
                    }
                }
                _ => continue,
            },
            _ => continue,
        };
        if points.len() >= 2 {
            out.push(RequiredPath { label, points });
        }
    }
    out
}

/// A labelled reference line: a level or a time.
pub(crate) type Marker = (String, f64);

/// Target lines and checkpoint dates for the fan chart of `var`.
///
/// A target sets a level on the variable when its metric is the variable's value, mean, min or
/// max (`followers at 365 >= 1.2e6`), or a first passage of the variable across a constant
/// (`first(followers >= 1e6) <= 90`); its date is the end of its window or its deadline. A
/// series over the variable marks each of its checkpoints. Targets that read other variables
/// too mark nothing.
pub(crate) fn markers(result: &StudyResult, var: &str) -> (Vec<Marker>, Vec<Marker>) {
    let key = canonical(var);
    let is_var = |name: &str| canonical(name) == key;
    let mut levels: Vec<(String, f64)> = Vec::new();
    let mut dates: Vec<(String, f64)> = Vec::new();
    for (t, summary) in result.targets.iter().filter_map(|t| {
        let s = result
            .summary
            .targets
            .iter()
            .find(|s| canonical(&s.name) == canonical(&t.name))?;
        Some((t, s))
    }) {
        let name = target_name(summary).to_string();
        // Only targets about this variable alone mark its chart: a ratio of two variables
        // (an engagement rate) says nothing about either one's level or dates.
        let vars = t.variables();
        if vars.is_empty() || !vars.iter().all(|v| is_var(v)) {
            continue;
        }
        match t.spec() {
            Spec::Compare {
                metric, threshold, ..
            } => {
                if describe::level_variable(metric).is_some_and(is_var) {
                    levels.push((name.clone(), *threshold));
                }
                if let Some(end) = last_time(metric, &is_var) {
                    dates.push((name, end));
                }
            }
            Spec::Every {
                template,
                checkpoints,
                threshold,
                ..
            } => {
                if describe::level_variable(template).is_some_and(is_var) {
                    levels.push((name.clone(), *threshold));
                }
                for c in &checkpoints.times {
                    dates.push((name.clone(), c.value));
                }
            }
            Spec::First {
                lhs,
                rhs,
                threshold,
                ..
            } => {
                if let Some(level) = crossing_level(lhs, rhs, &is_var) {
                    levels.push((name.clone(), level));
                }
                dates.push((name, *threshold));
            }
            Spec::All { .. } => {}
        }
    }
    (merge(levels), merge(dates))
}

/// The constant a bare variable is compared with in `first(var cmp c)` or `first(c cmp var)`.
fn crossing_level(lhs: &Expr, rhs: &Expr, is_var: &dyn Fn(&str) -> bool) -> Option<f64> {
    match (lhs, rhs) {
        (Expr::Var(v), Expr::Number(c)) | (Expr::Number(c), Expr::Var(v)) if is_var(&v.name) => {
            Some(*c)
        }
        _ => None,
    }
}

/// The latest time any call on the variable reads in `e`.
fn last_time(e: &Expr, is_var: &dyn Fn(&str) -> bool) -> Option<f64> {
    match e {
        Expr::Call(c) if is_var(&c.var.name) => match c.window {
            Some(Window::At(t)) | Some(Window::Span(_, t)) => Some(t.value),
            None => None,
        },
        Expr::Neg(inner) => last_time(inner, is_var),
        Expr::Binary(_, a, b) => match (last_time(a, is_var), last_time(b, is_var)) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        },
        _ => None,
    }
}

/// One marker per value, labels of coinciding markers joined: two targets at day 365 share a
/// line.
fn merge(mut items: Vec<(String, f64)>) -> Vec<(String, f64)> {
    items.retain(|m| m.1.is_finite());
    let mut out: Vec<(String, f64)> = Vec::new();
    for (label, v) in items {
        let tol = 1e-9 * v.abs().max(1.0);
        match out.iter_mut().find(|m| (m.1 - v).abs() <= tol) {
            Some(m) => {
                if !m.0.split(", ").any(|l| l == label) {
                    m.0 = format!("{}, {label}", m.0);
                }
            }
            None => out.push((label, v)),
        }
    }
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

/// The histogram of target `i`'s metric, in percent when the target writes its threshold as
/// a percentage.
pub(crate) fn histogram_chart(result: &StudyResult, i: usize) -> Option<HistogramChart> {
    let t = result.summary.targets.get(i)?;
    let percent = describe::written_as_percent(&t.text);
    let scale = if percent { 100.0 } else { 1.0 };
    let runs = result.runs();
    if i >= runs.targets_held() {
        return None;
    }
    // One metric column at a time, not every run's everything.
    let column = runs.targets(i..i + 1).ok()?.pop()?;
    let values = column.metric.iter().map(|v| v * scale).collect();
    let success_above = !matches!(t.comparison.as_deref(), Some("<=") | Some("<"));
    let x_label = if percent {
        format!("{} (%)", describe::metric_words(result, t).0)
    } else {
        metric_axis(result, t)
    };
    let s = &result.summary;
    // An all(...) is met when every member is: its metric counts the members met, and the
    // runs at the full count are the hits.
    let members = describe::parsed(result, t).and_then(|p| match p.spec() {
        Spec::All { members } => Some(members.len() as f64),
        _ => None,
    });
    let threshold = t.threshold.filter(|v| v.is_finite()).map(|v| v * scale);
    Some(HistogramChart {
        title: format!(
            "{} — {}, {} runs",
            target_name(t),
            s.scenario,
            format::number(counted_runs(s) as f64)
        ),
        x_label,
        values,
        threshold: threshold.or(members),
        success_above,
        success_label: Some(format!(
            "{}  ·  P(success) = {}",
            t.text,
            format::percent_with_ci(t.probability, t.ci95[0], t.ci95[1])
        )),
        bins: None,
        strict: matches!(t.comparison.as_deref(), Some(">") | Some("<")),
        value_suffix: if percent { " %".into() } else { String::new() },
    })
}

/// Every target that has a probability, as one scorecard.
pub(crate) fn scorecard_chart(result: &StudyResult) -> Scorecard {
    let s = &result.summary;
    let row = |t: &crate::montecarlo::summary::TargetSummary| ScoreRow {
        name: target_name(t).to_string(),
        probability: t.probability,
        ci_low: t.ci95[0].min(t.probability),
        ci_high: t.ci95[1].max(t.probability),
        verdict: t.verdict,
        group: if is_composite(result, t) {
            "composite targets".into()
        } else {
            "targets".into()
        },
    };
    let scored: Vec<_> = s.targets.iter().filter(|t| scorable(t)).collect();
    // Single targets first, then the composites built from them; model order within each.
    let rows = scored
        .iter()
        .filter(|t| !is_composite(result, t))
        .chain(scored.iter().filter(|t| is_composite(result, t)))
        .map(|t| row(t))
        .collect();
    Scorecard {
        title: format!(
            "Probability of reaching each target — {}, {} runs",
            s.scenario,
            format::number(counted_runs(s) as f64)
        ),
        rows,
        likely_at: s.thresholds.likely,
        unlikely_at: s.thresholds.unlikely,
    }
}

/// Whether `t` is an `all(...)` of other targets.
pub(crate) fn is_composite(
    result: &StudyResult,
    t: &crate::montecarlo::summary::TargetSummary,
) -> bool {
    describe::parsed(result, t).is_some_and(|p| matches!(p.spec(), Spec::All { .. }))
}

/// The tornado chart of target `i`: Spearman correlation of each input with its metric.
pub(crate) fn tornado_chart(result: &StudyResult, i: usize) -> Option<Tornado> {
    let t = result.summary.targets.get(i)?;
    Some(Tornado {
        title: format!(
            "What drives {} — {}, {} runs",
            target_name(t),
            result.summary.scenario,
            format::number(counted_runs(&result.summary) as f64)
        ),
        x_label: format!("Spearman rank correlation with {}", metric_axis(result, t)),
        bars: t
            .influence
            .iter()
            .map(|f| {
                let name = describe::input_display(&result.summary, &f.input);
                (name, f.spearman.unwrap_or(f64::NAN))
            })
            .collect(),
        higher_helps: higher_helps(t),
        top: tornado::DEFAULT_TOP,
    })
}

/// The Sobol chart of target `i`: first-order and total indices of its metric per input.
pub(crate) fn sobol_chart(result: &StudyResult, i: usize) -> Option<SobolChart> {
    let s = &result.summary;
    let t = s.targets.get(i)?;
    let design = s.sobol.as_ref()?;
    let on_ranks = t.sobol_basis.as_ref().is_some_and(|b| b.on_ranks);
    Some(SobolChart {
        title: format!("What explains {} — {}", target_name(t), s.scenario),
        x_label: format!(
            "Sobol index: share of the variance of {}{}",
            if on_ranks { "the rank of " } else { "" },
            metric_axis(result, t)
        ),
        subtitle: Some(format!(
            "Saltelli design: {} base runs × ({} inputs + 2) = {} runs; whiskers: bootstrap 95 % intervals",
            format::number(design.base_runs as f64),
            design.inputs,
            format::number(design.total_runs as f64)
        )),
        bars: t
            .sobol
            .iter()
            .map(|x| SobolBar {
                input: describe::input_display(s, &x.input),
                first: x.first,
                total: x.total,
                first_ci95: x.first_ci95,
                total_ci95: x.total_ci95,
            })
            .collect(),
        top: tornado::DEFAULT_TOP,
    })
}

/// Whether a higher metric helps target `t`: yes for `>=` and `>`, no for `<=` and `<` (such as
/// a deadline on a first passage), unknown without a comparison.
pub(crate) fn higher_helps(t: &crate::montecarlo::summary::TargetSummary) -> Option<bool> {
    match t.comparison.as_deref() {
        Some(">=") | Some(">") => Some(true),
        Some("<=") | Some("<") => Some(false),
        _ => None,
    }
}
