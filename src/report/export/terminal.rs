//! Verdict tables for the terminal, as rows of cells: the caller decides how to print them.

use super::describe::{median_range, target_name, time_to_target};
use crate::montecarlo::summary::{Summary, TargetSummary};
use crate::report::format;

/// The study's verdicts: a header row, then one row per target with its name (label if any),
/// P, 95 % CI, verdict, median metric with its 5–95 % range, and median time to target.
pub fn verdict_table(summary: &Summary) -> Vec<Vec<String>> {
    let header = [
        "target",
        "P",
        "95 % CI",
        "verdict",
        "metric: median [5 % – 95 %]",
        "time to target",
    ];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    rows.extend(summary.targets.iter().map(|t| {
        vec![
            target_name(t).to_string(),
            format::percent(t.probability),
            interval(t),
            t.verdict.label().to_string(),
            median_range(&t.metric),
            time_to_target(&t.time_to_target, &summary.time_unit),
        ]
    }));
    rows
}

/// `[82.7, 84.1]` in percent.
fn interval(t: &TargetSummary) -> String {
    format!(
        "[{}, {}]",
        format::fixed(t.ci95[0] * 100.0, 1),
        format::fixed(t.ci95[1] * 100.0, 1)
    )
}

/// Targets × scenarios: a header row (`target`, then one column per scenario), then one row
/// per target with `P [CI] verdict` for each scenario, `—` where a scenario lacks the target.
/// Targets appear in the order first seen across the scenarios.
pub fn comparison_table<'a>(summaries: impl IntoIterator<Item = &'a Summary>) -> Vec<Vec<String>> {
    let summaries: Vec<&Summary> = summaries.into_iter().collect();
    let mut header = vec!["target".to_string()];
    header.extend(summaries.iter().map(|s| s.scenario.clone()));
    let mut rows = vec![header];
    for name in target_names(&summaries) {
        let mut row = Vec::with_capacity(summaries.len() + 1);
        let mut display = None;
        for s in &summaries {
            match find(s, &name) {
                Some(t) => {
                    display.get_or_insert_with(|| target_name(t).to_string());
                    row.push(format!(
                        "{} {} {}",
                        format::percent(t.probability),
                        interval(t),
                        t.verdict.label()
                    ));
                }
                None => row.push("—".to_string()),
            }
        }
        row.insert(0, display.unwrap_or(name));
        rows.push(row);
    }
    rows
}

/// Target names across scenarios, in the order first seen.
pub(crate) fn target_names(summaries: &[&Summary]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in summaries.iter().flat_map(|s| &s.targets) {
        if !names.contains(&t.name) {
            names.push(t.name.clone());
        }
    }
    names
}

/// The target called `name` in `s`.
pub(crate) fn find<'a>(s: &'a Summary, name: &str) -> Option<&'a TargetSummary> {
    s.targets.iter().find(|t| t.name == name)
}
