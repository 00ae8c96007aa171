//! The files of a single run: `run.csv` (every saved column) and one line chart per chart
//! group of the model (or one of its stocks), written through the same atomic path as a study.

use super::png::png_bytes;
use super::{write_files, ReportError};
use crate::compile::{Column, Role};
use crate::report::charts::line::{self, LineChart, Series};
use crate::report::export::slug;
use crate::simulate::Trajectory;
use crate::study::CompiledScenario;
use std::path::{Path, PathBuf};

/// One deterministic run of a scenario.
pub struct RunOutput<'a> {
    /// The scenario that ran (model, program, provenance).
    pub scenario: &'a CompiledScenario,
    /// Its saved values.
    pub trajectory: &'a Trajectory,
}

/// Renders every file of the run, then writes them into `dir`; returns the paths written.
pub fn write_run(run: &RunOutput, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut files = vec![("run.csv".to_string(), trajectory_csv(run.trajectory)?)];
    for chart in line_charts(run) {
        let bytes = png_bytes(chart.pixel_size(), |area| line::draw(&chart, area))?;
        files.push((format!("chart_{}.png", slug(&chart.title)), bytes));
    }
    write_files(dir, files)
}

/// The trajectory as CSV: `time`, then every column.
pub fn trajectory_csv(traj: &Trajectory) -> Result<Vec<u8>, ReportError> {
    let fail = |source| ReportError::Csv {
        file: "run.csv".into(),
        source,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["time".to_string()];
    header.extend(traj.names.iter().cloned());
    w.write_record(&header).map_err(fail)?;
    for r in 0..traj.len() {
        let mut row = vec![format!("{}", traj.times[r])];
        row.extend(traj.row(r).iter().map(|v| format!("{v}")));
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| fail(csv::Error::from(e.into_error())))
}

/// One chart per chart group of the model, or one of all stocks when it declares none.
fn line_charts(run: &RunOutput) -> Vec<LineChart> {
    let model = &run.scenario.model;
    let prog = &run.scenario.program;
    let traj = run.trajectory;
    let scenario = if run.scenario.name == crate::study::BASELINE {
        String::new()
    } else {
        format!(" — scenario {}", run.scenario.name)
    };
    let x_label = format!("time ({})", model.sim.time_unit);
    let groups: Vec<(String, Vec<usize>)> = if model.charts.is_empty() {
        let stocks = (0..prog.columns.len())
            .filter(|&i| prog.columns[i].role == Role::Stock)
            .collect();
        vec![(format!("{}: stocks", model.name), stocks)]
    } else {
        model
            .charts
            .iter()
            .map(|g| {
                let cols = g
                    .variables
                    .iter()
                    .flat_map(|v| prog.columns_of(v))
                    .collect();
                (g.title.clone(), cols)
            })
            .collect()
    };
    groups
        .into_iter()
        .filter(|(_, cols)| !cols.is_empty())
        .map(|(title, cols)| {
            let units: Vec<&str> = cols
                .iter()
                .filter_map(|&c| prog.columns[c].unit.as_deref())
                .collect();
            let y_label = if !units.is_empty() && units.iter().all(|u| *u == units[0]) {
                units[0].to_string()
            } else {
                "value".to_string()
            };
            let series = cols
                .iter()
                .map(|&c| Series {
                    name: display_name(&prog.columns[c]),
                    points: traj.times.iter().copied().zip(traj.series(c)).collect(),
                    band: Vec::new(),
                })
                .collect();
            LineChart {
                title: format!("{title}{scenario}"),
                x_label: x_label.clone(),
                y_label,
                series,
            }
        })
        .collect()
}

/// A column's label with its element, or its name.
pub fn display_name(col: &Column) -> String {
    match (&col.label, col.name.split_once('[')) {
        (Some(label), Some((_, elem))) => format!("{label}[{elem}"),
        (Some(label), None) => label.clone(),
        (None, _) => col.name.clone(),
    }
}
