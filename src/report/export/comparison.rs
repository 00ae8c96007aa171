//! Scenario comparison files: `comparison.png`, `compare_<variable>.png`, `comparison.md` and
//! `comparison.json`, from the results of one study per scenario.

use std::borrow::Cow;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::describe::{self, target_name};
use super::names::unique_slugs;
use super::paired::{difference, Difference};
use super::png::png_bytes;
use super::table::{code, markdown, Align};
use super::terminal::{find, target_names};
use super::{json, markdown as report_md, write_files, ReportError};
use crate::model::names::canonical;
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::summary::Summary;
use crate::report::charts::comparison::{self as chart, Delta, Estimate, ScenarioComparison};
use crate::report::charts::line::{self, LineChart, Series};
use crate::report::charts::Verdict;
use crate::report::format;

const CHART: &str = "comparison.png";
const MARKDOWN: &str = "comparison.md";
const JSON: &str = "comparison.json";

/// The sub-directory each scenario's own report goes in, in the order of `results`: the slug of
/// the scenario name, numbered when two scenarios share one. `write_comparison` links to
/// `<dir>/report.md`, so the caller writes each study with this name.
pub fn scenario_dirs(results: &[StudyResult]) -> Vec<String> {
    unique_slugs(results.iter().map(|r| r.summary.scenario.as_str()))
}

/// Writes the comparison of `results` (one per scenario) into `dir` and returns the paths.
///
/// As with [`super::write_study`], everything is rendered before anything is written.
pub fn write_comparison(results: &[StudyResult], dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_files(dir, comparison_files(results)?)
}

/// The comparison's own files (chart, JSON, Markdown), rendered in memory.
pub(super) fn comparison_files(
    results: &[StudyResult],
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    if results.is_empty() {
        return Err(ReportError::Inconsistent(
            "a comparison needs at least one scenario".into(),
        ));
    }
    let summaries: Vec<&Summary> = results.iter().map(|r| &r.summary).collect();
    let mut files = Vec::new();
    let mut charts = Vec::new();
    if let Some(c) = probability_chart(results) {
        files.push((
            CHART.to_string(),
            png_bytes(c.pixel_size(), |a| chart::draw(&c, a))?,
        ));
        charts.push((
            CHART.to_string(),
            "Target probabilities by scenario".to_string(),
        ));
    }
    let vars = tracked_names(results);
    let slugs = unique_slugs(vars.iter().map(String::as_str));
    for (var, slug) in vars.iter().zip(slugs) {
        if let Some(c) = median_chart(results, var) {
            let file = format!("compare_{slug}.png");
            files.push((
                file.clone(),
                png_bytes(c.pixel_size(), |a| line::draw(&c, a))?,
            ));
            charts.push((file, c.title.clone()));
        }
    }
    let doc = comparison_doc(&summaries);
    files.push((JSON.to_string(), json::pretty(&doc, JSON)?));
    let md = comparison_markdown(results, &doc, &charts)
        .map_err(|_| ReportError::Inconsistent("formatting the comparison failed".into()))?;
    files.push((MARKDOWN.to_string(), md.into_bytes()));
    Ok(files)
}

/// Probabilities of the targets every scenario has, one panel per target, with each
/// scenario's difference from the first (paired when the runs line up).
fn probability_chart(results: &[StudyResult]) -> Option<ScenarioComparison> {
    let summaries: Vec<&Summary> = results.iter().map(|r| &r.summary).collect();
    let ok = |p: f64| (0.0..=1.0).contains(&p);
    let mut targets = Vec::new();
    let mut probability = Vec::new();
    let mut differences = Vec::new();
    for name in target_names(&summaries) {
        let row: Option<Vec<Estimate>> = summaries
            .iter()
            .map(|s| {
                let t = find(s, &name)?;
                (ok(t.probability) && ok(t.ci95[0]) && ok(t.ci95[1])).then(|| Estimate {
                    probability: t.probability,
                    ci_low: t.ci95[0].min(t.probability),
                    ci_high: t.ci95[1].max(t.probability),
                })
            })
            .collect();
        if let Some(row) = row {
            let first = summaries.iter().find_map(|s| find(s, &name));
            targets.push(first.map_or(name.clone(), |t| target_name(t).to_string()));
            probability.push(row);
            let base = hits_of(&results[0], &name);
            differences.push(
                results
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let d = difference(&results[0], base.as_deref()?, r, &hits_of(r, &name)?)?;
                        (i > 0).then_some(Delta {
                            delta: d.delta,
                            low: d.low,
                            high: d.high,
                        })
                    })
                    .collect(),
            );
        }
    }
    if targets.is_empty() {
        return None;
    }
    Some(ScenarioComparison {
        title: "Probability of each target by scenario".into(),
        scenarios: summaries.iter().map(|s| s.scenario.clone()).collect(),
        targets,
        probability,
        differences,
        likely_at: summaries[0].thresholds.likely,
        unlikely_at: summaries[0].thresholds.unlikely,
    })
}

/// Tracked variable names across scenarios, in the order first seen (by canonical name).
fn tracked_names(results: &[StudyResult]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for b in results.iter().flat_map(|r| &r.bands) {
        let key = canonical(&b.name);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(b.name.clone());
        }
    }
    out
}

/// The median of `var` over time, one line per scenario that tracks it, each with the band
/// between the lowest and highest percentiles the studies kept (5 % and 95 % by default):
/// medians alone hide how far typical runs stray (an epidemic's median peak is far below a
/// typical run's peak).
fn median_chart(results: &[StudyResult], var: &str) -> Option<LineChart> {
    let key = canonical(var);
    let mut series = Vec::new();
    let mut axis = None;
    let mut band_name = None;
    for r in results {
        let Some(b) = r.bands.iter().find(|b| canonical(&b.name) == key) else {
            continue;
        };
        let percentiles = &r.summary.percentiles;
        let Some(k) = percentiles.iter().position(|&p| p == 50.0) else {
            continue;
        };
        let Some(median) = b.values.get(k) else {
            continue;
        };
        axis.get_or_insert_with(|| {
            (
                describe::variable_axis(b),
                describe::variable_name(b).to_string(),
                describe::time_axis(&r.summary),
                r.summary.runs,
            )
        });
        let (lo, hi) = (0, percentiles.len() - 1);
        let band = match (b.values.get(lo), b.values.get(hi)) {
            (Some(low), Some(high)) if lo < k && k < hi => {
                band_name.get_or_insert_with(|| {
                    format!(
                        "{}–{} %",
                        format::number(percentiles[lo]),
                        format::number(percentiles[hi])
                    )
                });
                r.times
                    .iter()
                    .zip(low.iter().zip(high))
                    .map(|(&t, (&l, &h))| (t, l, h))
                    .collect()
            }
            _ => Vec::new(),
        };
        series.push(Series {
            name: r.summary.scenario.clone(),
            points: r
                .times
                .iter()
                .copied()
                .zip(median.iter().copied())
                .collect(),
            band,
        });
    }
    let (y_label, name, x_label, runs) = axis?;
    let any_finite = series
        .iter()
        .flat_map(|s| &s.points)
        .any(|p| p.0.is_finite() && p.1.is_finite());
    let what = match band_name {
        Some(b) => format!("Median and {b} band"),
        None => "Median".to_string(),
    };
    any_finite.then(|| LineChart {
        title: format!(
            "{what} of {name} by scenario ({} runs each)",
            format::number(runs as f64)
        ),
        x_label,
        y_label,
        series,
    })
}

/// comparison.json: per scenario its settings, per target its estimate in every scenario.
#[derive(Debug, Serialize)]
struct ComparisonDoc {
    scenarios: Vec<ScenarioEntry>,
    targets: Vec<TargetRow>,
}

#[derive(Debug, Serialize)]
struct ScenarioEntry {
    scenario: String,
    model: String,
    runs: u64,
    seed: u64,
    report: String,
    joint_probability: f64,
}

#[derive(Debug, Serialize)]
struct TargetRow {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    /// One entry per scenario, in scenario order; `null` where the scenario lacks the target.
    results: Vec<Option<Cell>>,
}

#[derive(Debug, Serialize)]
struct Cell {
    scenario: String,
    probability: f64,
    ci95: [f64; 2],
    verdict: Verdict,
}

fn comparison_doc(summaries: &[&Summary]) -> ComparisonDoc {
    let dirs = unique_slugs(summaries.iter().map(|s| s.scenario.as_str()));
    ComparisonDoc {
        scenarios: summaries
            .iter()
            .zip(dirs)
            .map(|(s, dir)| ScenarioEntry {
                scenario: s.scenario.clone(),
                model: s.model.clone(),
                runs: s.runs,
                seed: s.seed,
                report: format!("{dir}/{}", report_md::FILE),
                joint_probability: s.joint_probability.probability,
            })
            .collect(),
        targets: target_names(summaries)
            .into_iter()
            .map(|name| {
                let label = summaries
                    .iter()
                    .find_map(|s| find(s, &name).and_then(|t| t.label.clone()));
                let results = summaries
                    .iter()
                    .map(|s| {
                        find(s, &name).map(|t| Cell {
                            scenario: s.scenario.clone(),
                            probability: t.probability,
                            ci95: t.ci95,
                            verdict: t.verdict,
                        })
                    })
                    .collect();
                TargetRow {
                    name,
                    label,
                    results,
                }
            })
            .collect(),
    }
}

fn comparison_markdown(
    results: &[StudyResult],
    doc: &ComparisonDoc,
    charts: &[(String, String)],
) -> Result<String, std::fmt::Error> {
    let mut md = String::new();
    let models: Vec<&str> = {
        let mut m: Vec<&str> = doc.scenarios.iter().map(|s| s.model.as_str()).collect();
        m.dedup();
        m
    };
    writeln!(md, "# Scenario comparison — {}\n", models.join(", "))?;
    let scen_rows: Vec<Vec<String>> = doc
        .scenarios
        .iter()
        .zip(results)
        .map(|(e, r)| {
            vec![
                format!("[{}]({})", e.scenario, e.report),
                r.summary.scenario_doc.clone().unwrap_or_default(),
                format::number(describe::counted_runs(&r.summary) as f64),
                e.seed.to_string(),
            ]
        })
        .collect();
    use Align::{Left, Right};
    writeln!(
        md,
        "{}",
        markdown(
            &["Scenario", "Description", "Runs counted", "Seed"],
            &[Left, Left, Right, Right],
            &scen_rows
        )
    )?;
    deltas(&mut md, results)?;
    writeln!(md, "## Targets\n")?;
    if let Some((file, caption)) = charts.iter().find(|c| c.0 == CHART) {
        writeln!(md, "![{caption}]({file})\n")?;
    }
    let mut header = vec!["Target".to_string()];
    header.extend(doc.scenarios.iter().map(|s| s.scenario.clone()));
    let rows: Vec<Vec<String>> = doc
        .targets
        .iter()
        .map(|t| {
            let mut row = vec![match &t.label {
                Some(l) => format!("{l} ({})", code(&t.name)),
                None => code(&t.name),
            }];
            row.extend(t.results.iter().map(|c| match c {
                Some(c) => format!(
                    "{} [{}, {}] {}",
                    format::percent(c.probability),
                    format::fixed(c.ci95[0] * 100.0, 1),
                    format::fixed(c.ci95[1] * 100.0, 1),
                    c.verdict.label()
                ),
                None => "—".into(),
            }));
            row
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut align = vec![Left];
    align.extend(std::iter::repeat_n(Right, doc.scenarios.len()));
    writeln!(md, "{}", markdown(&header_refs, &align, &rows))?;
    writeln!(
        md,
        "Each cell is the probability of meeting the target, its 95 % confidence interval and \
         the verdict. Where the intervals of two scenarios overlap, the difference between them \
         may be Monte Carlo noise rather than an effect of the scenario; more runs tell them \
         apart.\n"
    )?;
    let lines: Vec<&(String, String)> = charts.iter().filter(|c| c.0 != CHART).collect();
    if !lines.is_empty() {
        writeln!(md, "## Tracked variables\n")?;
        for (file, caption) in lines {
            writeln!(md, "![{caption}]({file})\n")?;
        }
    }
    writeln!(md, "Data: [{JSON}]({JSON}).")?;
    Ok(md)
}

/// The hits of the target called `name` in `r`, if it has one (and its records read).
fn hits_of<'a>(r: &'a StudyResult, name: &str) -> Option<Cow<'a, [bool]>> {
    let key = canonical(name);
    let i = r
        .summary
        .targets
        .iter()
        .position(|t| canonical(&t.name) == key)?;
    let runs = r.runs();
    if i >= runs.targets_held() {
        return None;
    }
    runs.targets(i..i + 1).ok()?.pop().map(|c| c.hits)
}

/// `+5.0 [+3.6, +6.4]`: a difference in percentage points with its interval.
fn points(d: &Difference) -> String {
    let pp = |v: f64| {
        let text = format::fixed(v * 100.0, 1);
        if v > 0.0 && !text.starts_with('-') {
            format!("+{text}")
        } else {
            text
        }
    };
    format!("{} [{}, {}]", pp(d.delta), pp(d.low), pp(d.high))
}

/// Scenario deltas: each scenario's probability of each target minus the first scenario's,
/// in percentage points with 95 % intervals from the paired runs.
fn deltas(md: &mut String, results: &[StudyResult]) -> std::fmt::Result {
    let Some((base, others)) = results.split_first() else {
        return Ok(());
    };
    if others.is_empty() {
        return Ok(());
    }
    let summaries: Vec<&Summary> = results.iter().map(|r| &r.summary).collect();
    let mut any_unpaired = false;
    let rows: Vec<Vec<String>> = target_names(&summaries)
        .into_iter()
        .map(|name| {
            let display = summaries
                .iter()
                .find_map(|s| find(s, &name))
                .map_or(name.clone(), |t| target_name(t).to_string());
            let mut row = vec![display];
            for r in others {
                let d = hits_of(base, &name)
                    .zip(hits_of(r, &name))
                    .and_then(|(a, b)| difference(base, &a, r, &b));
                row.push(match d {
                    Some(d) => {
                        any_unpaired |= !d.paired;
                        points(&d)
                    }
                    None => "—".into(),
                });
            }
            row
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(md, "## Against {}\n", base.summary.scenario)?;
    let mut header = vec!["Target".to_string()];
    header.extend(others.iter().map(|r| r.summary.scenario.clone()));
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut align = vec![Align::Left];
    align.extend(std::iter::repeat_n(Align::Right, others.len()));
    writeln!(md, "{}", markdown(&header_refs, &align, &rows))?;
    writeln!(
        md,
        "Each cell is the scenario's probability of meeting the target minus {}'s, in \
         percentage points, with its 95 % confidence interval. {}\n",
        base.summary.scenario,
        if any_unpaired {
            "Some scenarios lost runs or ran other runs than the baseline, so their runs could \
             not be paired and their intervals treat the two scenarios as independent (wider)."
        } else {
            "The scenarios ran the same runs with the same random numbers, so the intervals \
             come from the run-by-run differences and are tight: an interval that excludes 0 is \
             an effect of the scenario, not noise."
        }
    )
}
