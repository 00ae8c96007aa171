//! The files of `sandtable loops`: `loops.csv` (relative loop scores over time), `loops.md`
//! (each loop's id, name and path) and the stacked dominance chart, written through the same
//! atomic path as a study.

use super::png::png_bytes;
use super::{write_files, ReportError};
use crate::explain::{phases, smoothed_dominant, LoopScores, ScoredLoop};
use crate::report::charts::dominance::{self, DominanceChart, LoopBand};
use crate::study::CompiledScenario;
use std::path::{Path, PathBuf};

/// Name of the scores file.
pub const LOOPS_CSV: &str = "loops.csv";
/// Name of the loop list.
pub const LOOPS_MD: &str = "loops.md";
/// Name of the dominance chart.
pub const LOOPS_PNG: &str = "chart_loop_dominance.png";

/// The loop scores of one run of a scenario.
pub struct LoopsOutput<'a> {
    /// The scenario that ran.
    pub scenario: &'a CompiledScenario,
    /// Its loop scores.
    pub scores: &'a LoopScores,
}

/// Renders every file, then writes them into `dir`; returns the paths written.
pub fn write_loops(out: &LoopsOutput, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let chart = dominance_chart(out);
    let png = png_bytes(chart.pixel_size(), |area| dominance::draw(&chart, area))?;
    let files = vec![
        (LOOPS_CSV.to_string(), loops_csv(out.scores)?),
        (LOOPS_MD.to_string(), loops_md(out).into_bytes()),
        (LOOPS_PNG.to_string(), png),
    ];
    write_files(dir, files)
}

/// `time`, then one column per loop id, relative scores in [−1, 1].
pub fn loops_csv(scores: &LoopScores) -> Result<Vec<u8>, ReportError> {
    let fail = |source| ReportError::Csv {
        file: LOOPS_CSV.into(),
        source,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["time".to_string()];
    header.extend(scores.loops.iter().map(|l| l.id.clone()));
    w.write_record(&header).map_err(fail)?;
    for (r, t) in scores.times.iter().enumerate() {
        let mut row = vec![format!("{t}")];
        row.extend(scores.row(r).iter().map(|v| format!("{v}")));
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| fail(csv::Error::from(e.into_error())))
}

/// One line per loop: `R1 word_of_mouth: followers → … → followers`.
pub fn loop_line(l: &ScoredLoop) -> String {
    let label = l
        .label
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    format!("{}{label}: {}", l.title(), l.path())
}

/// The dominant loop over stretches of time, as sentences: dominance by the mean scores over
/// a window of a fiftieth of the run, so that a loop leading for a moment does not split a
/// phase.
pub fn phase_lines(scores: &LoopScores) -> Vec<String> {
    let rows = scores.times.len();
    let window = (rows / 50).max(1);
    let dominant = smoothed_dominant(rows, scores.loops.len(), window, |r| scores.row(r));
    phases(&scores.times, &dominant)
        .into_iter()
        .filter_map(|p| {
            let l = &scores.loops[p.dominant?];
            Some(format!("{} – {}: {} dominates", p.from, p.to, l.title()))
        })
        .collect()
}

fn loops_md(out: &LoopsOutput) -> String {
    let s = out.scores;
    let mut md = format!(
        "# Feedback loops of {} ({})\n\n",
        out.scenario.model.name, out.scenario.name
    );
    if s.truncated {
        md.push_str(&format!(
            "The model has more loops than the {} shortest scored here; relative scores \
             compare these only.\n\n",
            s.loops.len()
        ));
    }
    for l in &s.loops {
        md.push_str(&format!("- {}\n", loop_line(l)));
    }
    md.push_str(&format!(
        "\n## Dominance ({})\n\n",
        out.scenario.model.sim.time_unit
    ));
    for line in phase_lines(s) {
        md.push_str(&format!("- {line}\n"));
    }
    md.push_str(&format!("\n![loop dominance]({LOOPS_PNG})\n"));
    md
}

fn dominance_chart(out: &LoopsOutput) -> DominanceChart {
    let s = out.scores;
    let n = s.loops.len();
    DominanceChart {
        title: format!("{}: loop dominance", out.scenario.model.name),
        subtitle: (out.scenario.name != crate::study::BASELINE)
            .then(|| format!("scenario {}", out.scenario.name)),
        x_label: format!("time ({})", out.scenario.model.sim.time_unit),
        times: s.times.clone(),
        loops: s
            .loops
            .iter()
            .enumerate()
            .map(|(i, l)| LoopBand {
                name: l.title(),
                scores: s
                    .relative
                    .iter()
                    .skip(i)
                    .step_by(n.max(1))
                    .copied()
                    .collect(),
            })
            .collect(),
    }
}
