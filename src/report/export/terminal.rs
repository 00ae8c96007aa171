//! What the terminal shows of each command's outcome: verdict and comparison tables as rows
//! of cells, and aligned text for studies, runs, shards, loops, calibrations, sweeps and
//! solutions. The CLI prints these texts and formats nothing itself.

use super::describe::{median_range, target_name, time_to_target};
use crate::calibrate::Calibration;
use crate::compile::{Program, Role};
use crate::decision::solve::number;
use crate::decision::{Solution, Sweep};
use crate::explain::LoopScores;
use crate::montecarlo::shard::ShardInfo;
use crate::montecarlo::summary::{Summary, TargetSummary};
use crate::report::format;
use crate::simulate::Trajectory;
use std::path::{Path, PathBuf};

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

/// A table as text: columns aligned (the first left, the rest right; wide characters count
/// twice), a rule under the header, trailing spaces trimmed.
pub fn table_text(header: &[String], rows: &[Vec<String>]) -> String {
    let width = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate().take(cols) {
            let pad = " ".repeat(widths[i] - width(cell));
            if i == 0 {
                s.push_str(cell);
                s.push_str(&pad);
            } else {
                s.push_str("  ");
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.trim_end().to_string()
    };
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let mut out = vec![line(header), rule.join("  ")];
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}

/// A study's verdicts as the terminal shows them: a settings line, the verdict table and the
/// joint probability of every target.
pub fn verdicts_text(s: &Summary) -> String {
    let failed = if s.failed_runs.count > 0 {
        format!(
            ", {} runs failed and count as misses (see report.md)",
            s.failed_runs.count
        )
    } else {
        String::new()
    };
    let table = verdict_table(s);
    let j = &s.joint_probability;
    format!(
        "{} — scenario {}: {} runs, seed {}, {} sampling{failed}\n\n{}\n\nall targets together: {:.1} % [{:.1}, {:.1}]",
        s.model,
        s.scenario,
        s.runs,
        s.seed,
        s.sampler,
        table_text(&table[0], &table[1..]),
        100.0 * j.probability,
        100.0 * j.ci95[0],
        100.0 * j.ci95[1]
    ) + &sobol_line(s)
}

/// A line on the Saltelli design of a `--sobol` study; empty otherwise.
fn sobol_line(s: &Summary) -> String {
    match &s.sobol {
        Some(d) => format!(
            "\nSobol indices of every target from {} runs ({} base runs × ({} inputs + 2)): see report.md",
            d.total_runs, d.base_runs, d.inputs
        ),
        None => String::new(),
    }
}

/// The stocks of one run at five evenly spaced saved times.
pub fn stock_table_text(program: &Program, time_unit: &str, traj: &Trajectory) -> String {
    let n = traj.len();
    if n == 0 {
        return String::new();
    }
    let mut rows_at: Vec<usize> = (0..=4).map(|k| k * (n - 1) / 4).collect();
    rows_at.dedup();
    let mut header = vec![format!("stock \\ {time_unit}")];
    header.extend(rows_at.iter().map(|&r| format::number(traj.times[r])));
    let rows: Vec<Vec<String>> = program
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == Role::Stock)
        .map(|(i, c)| {
            let mut row = vec![super::run::display_name(c)];
            row.extend(rows_at.iter().map(|&r| format::number(traj.row(r)[i])));
            row
        })
        .collect();
    table_text(&header, &rows)
}

/// A calibration's headline (data, inputs, sampler, acceptance, `seconds` taken), then its
/// posterior: one row per fitted input with its prior, mean, 95 % interval, R-hat and effective
/// sample size.
pub fn calibration_text(model: &str, c: &Calibration, seconds: f64) -> String {
    format!(
        "{model}: {} observations up to time {}, {} inputs fitted ({}), {} chains × {} generations, acceptance {}, {seconds:.1} s\n\n{}",
        c.observations,
        format::number(c.data_until),
        c.parameters.len(),
        c.likelihood.name(),
        c.chains,
        c.generations,
        format::percent(c.acceptance),
        posterior_table(c)
    )
}

fn posterior_table(c: &Calibration) -> String {
    let header: Vec<String> = ["input", "prior", "mean", "95 % interval", "R-hat", "ESS"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = c
        .parameters
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.prior.clone(),
                format::number(p.mean),
                format!(
                    "[{}, {}]",
                    format::number(p.ci95[0]),
                    format::number(p.ci95[1])
                ),
                format!("{:.3}", p.rhat),
                format!("{:.0}", p.ess),
            ]
        })
        .collect();
    table_text(&header, &rows)
}

/// A sweep: how many points and runs, then one row per lever point with each target's
/// probability.
pub fn sweep_text(s: &Sweep) -> String {
    format!(
        "{} lever values × {} runs, seed {} (common random numbers)\n\n{}",
        s.points.len(),
        s.runs,
        s.seed,
        sweep_table(s)
    )
}

fn sweep_table(s: &Sweep) -> String {
    let mut header: Vec<String> = s.levers.clone();
    header.extend(s.targets.iter().cloned());
    let rows: Vec<Vec<String>> = s
        .points
        .iter()
        .map(|p| {
            let mut row: Vec<String> = p.values.iter().map(|v| number(*v)).collect();
            row.extend(
                p.probabilities
                    .iter()
                    .map(|q| format!("{:.1} %", 100.0 * q.probability)),
            );
            row
        })
        .collect();
    table_text(&header, &rows)
}

/// A solution: the sentence, the last lever's value with its interval and probability, and
/// how it was found.
pub fn solution_text(s: &Solution) -> String {
    let mut out = vec![s.message.clone()];
    let last = &s.levers[s.levers.len() - 1].name;
    if let (Some(values), Some(p)) = (&s.values, s.probability_at_value) {
        let end = |v: Option<f64>, side: &str| {
            v.map_or(format!("beyond the {side} of the range"), number)
        };
        out.push(format!(
            "  {last}: {} (95 % interval {} to {}); P = {:.1} % [{:.1}, {:.1}]",
            number(values[values.len() - 1]),
            end(s.ci95[0], "low end"),
            end(s.ci95[1], "high end"),
            100.0 * p.probability,
            100.0 * p.ci95[0],
            100.0 * p.ci95[1]
        ));
    }
    out.push(format!(
        "  {} lever values evaluated × {} runs (seed {}, common random numbers); raising {last} {} the target",
        s.curve.len(),
        s.runs,
        s.seed,
        s.direction.word()
    ));
    out.join("\n")
}

/// A comparison: the scenarios, runs and seed, then every scenario's targets side by side.
pub fn comparison_text(summaries: &[&Summary]) -> String {
    let Some(first) = summaries.first() else {
        return String::new();
    };
    let table = comparison_table(summaries.iter().copied());
    format!(
        "{}: {} scenarios × {} runs, seed {} (common random numbers)\n\n{}",
        first.model,
        summaries.len(),
        first.runs,
        first.seed,
        table_text(&table[0], &table[1..])
    )
}

/// One shard of a study: which runs it holds and where they went.
pub fn shard_text(info: &ShardInfo, failed: usize, dir: &Path) -> String {
    format!(
        "shard {}/{}: runs {} to {} of {} ({failed} failed) written to {}/",
        info.shard.index,
        info.shard.count,
        info.first_run,
        info.first_run + info.shard_runs - 1,
        info.runs,
        dir.display()
    )
}

/// Every scored loop with its path, then the phases of dominance over time.
pub fn loops_text(scores: &LoopScores, time_unit: &str) -> String {
    let mut lines: Vec<String> = scores.loops.iter().map(super::loop_line).collect();
    if scores.loops.is_empty() {
        lines.push("feedback loops: none".into());
    }
    if scores.truncated {
        lines.push(format!(
            "… and more (the {} shortest are scored)",
            scores.loops.len()
        ));
    }
    let phases = super::phase_lines(scores);
    if !phases.is_empty() {
        lines.push(format!("\ndominant loop ({time_unit}):"));
        lines.extend(phases.iter().map(|p| format!("  {p}")));
    }
    lines.join("\n")
}

/// `wrote PATH`, one line per file.
pub fn files_text(files: &[PathBuf]) -> String {
    let lines: Vec<String> = files
        .iter()
        .map(|p| format!("wrote {}", p.display()))
        .collect();
    lines.join("\n")
}
