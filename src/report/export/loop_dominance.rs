//! `mc --loops` in the report: per target, a chart of the mean relative loop scores in the
//! runs that reach it (top) and in those that miss it (bottom), and a report.md section
//! saying which loop dominates when in each group.

use super::png::png_bytes;
use super::{slug, Exporter, ReportError};
use crate::explain::{DominanceProfile, LoopDominance, OutcomeSplit};
use crate::montecarlo::result::StudyResult;
use crate::report::charts::dominance::{self, DominanceChart, LoopBand};
use plotters::prelude::*;
use std::fmt::Write;

/// Most loops drawn by name; the others are summed into "other loops".
const NAMED_BANDS: usize = 8;

/// The chart file of target `name`.
pub fn chart_file(name: &str) -> String {
    format!("loops_{}.png", slug(name))
}

/// The two-panel dominance chart of one target.
pub struct LoopChart {
    /// Index of the target.
    pub target: usize,
    /// Its name.
    pub name: String,
}

impl Exporter for LoopChart {
    fn file_name(&self) -> String {
        chart_file(&self.name)
    }

    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError> {
        let Some(d) = &result.loops else {
            return Ok(Vec::new());
        };
        let split = &d.targets[self.target];
        let unit = &result.summary.time_unit;
        let hit = panel(
            d,
            &split.hit,
            &format!("{}: runs that reach it", split.target),
            unit,
        );
        let miss = panel(
            d,
            &split.miss,
            &format!("{}: runs that miss it", split.target),
            unit,
        );
        let (w, h) = hit.pixel_size();
        Ok(png_bytes((w, 2 * h), |area| {
            let halves = area.split_evenly((2, 1));
            for (chart, half) in [hit.clone(), miss.clone()].iter().zip(&halves) {
                if chart.loops.is_empty() {
                    half.fill(&WHITE).map_err(crate::report::charts::draw_err)?;
                    continue;
                }
                dominance::draw(chart, half)?;
            }
            Ok(())
        })?)
    }
}

/// The loops to draw by name: the largest by mean absolute score over the run, in column
/// order; the rest are summed by sign into two "other" bands.
fn panel(d: &LoopDominance, p: &DominanceProfile, title: &str, unit: &str) -> DominanceChart {
    let rows = p.times.len();
    let means: Vec<Vec<f64>> = (0..rows).map(|r| p.mean(r)).collect();
    let mut weight: Vec<(usize, f64)> = (0..d.loops.len())
        .map(|l| (l, means.iter().map(|m| m[l].abs()).sum::<f64>()))
        .collect();
    weight.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut shown: Vec<usize> = weight.iter().take(NAMED_BANDS).map(|w| w.0).collect();
    shown.sort_unstable();
    let mut loops: Vec<LoopBand> = shown
        .iter()
        .map(|&l| LoopBand {
            name: d.loops[l].title(),
            scores: means.iter().map(|m| m[l]).collect(),
        })
        .collect();
    let rest = |positive: bool| -> Vec<f64> {
        means
            .iter()
            .map(|m| {
                (0..m.len())
                    .filter(|l| !shown.contains(l) && (m[*l] > 0.0) == positive)
                    .map(|l| m[l])
                    .sum()
            })
            .collect()
    };
    if d.loops.len() > shown.len() {
        loops.push(LoopBand {
            name: "other reinforcing".into(),
            scores: rest(true),
        });
        loops.push(LoopBand {
            name: "other balancing".into(),
            scores: rest(false),
        });
    }
    if p.runs == 0 {
        loops.clear();
    }
    DominanceChart {
        title: title.to_string(),
        subtitle: Some(format!("mean relative loop scores of {} runs", p.runs)),
        x_label: format!("time ({unit})"),
        times: p.times.clone(),
        loops,
    }
}

/// The report.md section: loops, then per target which loop dominates when in each group.
pub fn section(md: &mut String, result: &StudyResult) -> std::fmt::Result {
    let Some(d) = &result.loops else {
        return Ok(());
    };
    writeln!(
        md,
        "## Loop dominance in runs that reach and miss each target\n"
    )?;
    writeln!(
        md,
        "Loop scores by the Loops That Matter method (docs/explain.md) over the first {} of \
         the {} runs{}. A loop dominates when its mean relative score, over a window of a \
         fiftieth of the run, is the largest in absolute value.\n",
        d.runs,
        d.of,
        if d.truncated {
            format!(", on the {} shortest loops", d.loops.len())
        } else {
            String::new()
        }
    )?;
    let unit = &result.summary.time_unit;
    for split in &d.targets {
        writeln!(md, "### {}\n", split.target)?;
        for (group, p) in [("reach it", &split.hit), ("miss it", &split.miss)] {
            writeln!(md, "- {}", sentence(d, p, group, unit))?;
        }
        writeln!(md)?;
        if !split.hit.times.is_empty() {
            writeln!(
                md,
                "![loop dominance, {}]({})\n",
                split.target,
                chart_file(&split.target)
            )?;
        }
    }
    let used: Vec<usize> = used_loops(d);
    if !used.is_empty() {
        writeln!(md, "Loops named above:\n")?;
        for l in used {
            let lp = &d.loops[l];
            writeln!(md, "- {}: {}", lp.title(), lp.path())?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// "In the 120 runs that miss it, R3 dominates from day 0, B2 fatigue from day 120."
fn sentence(d: &LoopDominance, p: &DominanceProfile, group: &str, unit: &str) -> String {
    if p.runs == 0 {
        return format!("None of the scored runs {group}.");
    }
    let window = (p.times.len() / 50).max(1);
    let parts: Vec<String> = p
        .phases(window)
        .iter()
        .filter_map(|ph| {
            let l = &d.loops[ph.dominant?];
            Some(format!("{} from {unit} {}", l.title(), ph.from))
        })
        .collect();
    let runs = match (p.runs, group) {
        (1, "reach it") => "run that reaches it",
        (1, _) => "run that misses it",
        (_, "reach it") => "runs that reach it",
        _ => "runs that miss it",
    };
    format!(
        "In the {} {runs}: {}.",
        p.runs,
        if parts.is_empty() {
            "no loop is active".to_string()
        } else {
            parts.join(", then ")
        }
    )
}

/// Loops dominant in some phase of some target's groups, in column order.
fn used_loops(d: &LoopDominance) -> Vec<usize> {
    let mut used: Vec<usize> = d
        .targets
        .iter()
        .flat_map(|s: &OutcomeSplit| [&s.hit, &s.miss])
        .flat_map(|p| p.phases((p.times.len() / 50).max(1)))
        .filter_map(|ph| ph.dominant)
        .collect();
    used.sort_unstable();
    used.dedup();
    used
}
