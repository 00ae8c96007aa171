//! Outputs of `solve` and `sweep`: solve.json and its probability curve, sweep.csv with a line
//! chart per target (and a heat map per target for two levers), written through the same
//! atomic whole-directory path as every study.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::names::unique_slugs;
use super::png::png_bytes;
use super::ReportError;
use crate::decision::{Point, Solution, Sweep};
use crate::report::charts::curve::{
    self, Answer, CurvePoint, CurveSeries, Level, ProbabilityCurve,
};
use crate::report::charts::heatmap::{self, HeatMap};
use crate::report::charts::style;
use crate::report::format;

/// The solve's file name.
pub const SOLVE_JSON: &str = "solve.json";
/// The sweep's table.
pub const SWEEP_CSV: &str = "sweep.csv";

/// Writes solve.json and solve.png into `dir` (replaced as a whole).
pub fn write_solve(s: &Solution, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let files = vec![
        (
            SOLVE_JSON.to_string(),
            super::json::pretty(&solve_json(s), SOLVE_JSON)?,
        ),
        ("solve.png".to_string(), solve_chart_png(s)?),
    ];
    super::write_files(dir, files)
}

/// Writes sweep.csv, one chart per target and, for two levers, a heat map per target.
pub fn write_sweep(s: &Sweep, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut files = vec![(SWEEP_CSV.to_string(), sweep_csv(s)?)];
    let slugs = unique_slugs(s.targets.iter().map(String::as_str));
    for (t, slug) in slugs.iter().enumerate() {
        let chart = sweep_chart(s, t);
        files.push((
            format!("sweep_{slug}.png"),
            png_bytes(chart.pixel_size(), |a| curve::draw(&chart, a))?,
        ));
        if let Some(map) = heat_map(s, t) {
            files.push((
                format!("heat_{slug}.png"),
                png_bytes(map.pixel_size(), |a| heatmap::draw(&map, a))?,
            ));
        }
    }
    super::write_files(dir, files)
}

fn ci_json(ci: [Option<f64>; 2]) -> Value {
    json!([ci[0], ci[1]])
}

/// solve.json: the fields of one lever (`lever`, `value`) or of several (`levers`, `values`,
/// `cost`), then the goal, the answer's interval and the curve.
pub fn solve_json(s: &Solution) -> Value {
    let names: Vec<&str> = s.levers.iter().map(|l| l.name.as_str()).collect();
    let map = |values: &[f64]| -> Value {
        let m: serde_json::Map<String, Value> = names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.to_string(), json!(v)))
            .collect();
        Value::Object(m)
    };
    let curve: Vec<Value> = s
        .curve
        .iter()
        .map(|p| {
            let pr = &p.probabilities[s.target_index];
            let mut o = json!({
                "probability": pr.probability,
                "ci95": pr.ci95,
            });
            if names.len() == 1 {
                o["value"] = json!(p.values[0]);
            } else {
                o["values"] = map(&p.values);
            }
            o
        })
        .collect();
    let mut o = json!({ "target": s.target });
    if names.len() == 1 {
        o["lever"] = json!(names[0]);
        o["range"] = json!([s.levers[0].lo, s.levers[0].hi]);
        o["value"] = json!(s.values.as_ref().map(|v| v[0]));
    } else {
        o["levers"] = json!(names);
        o["ranges"] = map_ranges(s);
        o["weights"] = map(&s.weights);
        o["values"] = s.values.as_ref().map_or(Value::Null, |v| map(v));
        o["cost"] = json!(s.cost);
        o["cost_ci95"] = ci_json(s.cost_ci95);
    }
    o["probability_goal"] = json!(s.goal);
    o["reachable"] = json!(s.reachable);
    o["ci95"] = ci_json(s.ci95);
    o["probability_at_value"] = json!(s.probability_at_value.map(|p| p.probability));
    o["direction"] = json!(s.direction.word());
    o["message"] = json!(s.message);
    o["runs"] = json!(s.runs);
    o["seed"] = json!(s.seed);
    o["curve"] = Value::Array(curve);
    o
}

fn map_ranges(s: &Solution) -> Value {
    let m: serde_json::Map<String, Value> = s
        .levers
        .iter()
        .map(|l| (l.name.clone(), json!([l.lo, l.hi])))
        .collect();
    Value::Object(m)
}

/// P(target) against the last lever, one line per combination of the others (at most ten;
/// beyond that, only the answer's).
fn solve_chart(s: &Solution) -> ProbabilityCurve {
    let m = s.levers.len();
    let mut groups: BTreeMap<Vec<u64>, Vec<&Point>> = BTreeMap::new();
    for p in &s.curve {
        let key = p.values[..m - 1].iter().map(|v| v.to_bits()).collect();
        groups.entry(key).or_default().push(p);
    }
    let chosen: Option<Vec<u64>> = s
        .values
        .as_ref()
        .map(|v| v[..m - 1].iter().map(|x| x.to_bits()).collect());
    if groups.len() > 10 {
        if let Some(c) = &chosen {
            groups.retain(|k, _| k == c);
        } else {
            let first = groups.keys().next().cloned();
            groups.retain(|k, _| Some(k) == first.as_ref());
        }
    }
    let series = groups
        .into_iter()
        .map(|(key, points)| CurveSeries {
            name: if m == 1 {
                s.target.clone()
            } else {
                s.levers[..m - 1]
                    .iter()
                    .zip(&key)
                    .map(|(l, b)| format!("{} = {}", l.name, format::number(f64::from_bits(*b))))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            points: points
                .iter()
                .map(|p| point(p, s.target_index, m - 1))
                .collect(),
        })
        .collect();
    let last = &s.levers[m - 1];
    ProbabilityCurve {
        title: format!("{}: probability against {}", s.target, last.name),
        subtitle: Some(format!(
            "{} runs per value, seed {}, common random numbers",
            format::number(s.runs as f64),
            s.seed
        )),
        x_label: last.name.clone(),
        series,
        levels: vec![Level {
            p: s.goal,
            label: format!("goal {}", format::percent(s.goal)),
            colour: style::GREEN,
        }],
        answer: s.values.as_ref().map(|v| Answer {
            x: v[m - 1],
            ci: s.ci95,
            label: format!("{} = {}", last.name, format::number(v[m - 1])),
        }),
    }
}

fn point(p: &Point, target: usize, lever: usize) -> CurvePoint {
    let pr = &p.probabilities[target];
    CurvePoint {
        x: p.values[lever],
        p: pr.probability,
        lo: pr.ci95[0].min(pr.probability),
        hi: pr.ci95[1].max(pr.probability),
    }
}

fn solve_chart_png(s: &Solution) -> Result<Vec<u8>, ReportError> {
    let chart = solve_chart(s);
    Ok(png_bytes(chart.pixel_size(), |a| curve::draw(&chart, a))?)
}

/// sweep.csv: `target`, one column per lever, `probability`, `ci_low`, `ci_high`; rows by
/// target, then lever values in sweep order.
pub fn sweep_csv(s: &Sweep) -> Result<Vec<u8>, ReportError> {
    super::csv::table(SWEEP_CSV, |w| {
        let mut header = vec!["target".to_string()];
        header.extend(s.levers.iter().cloned());
        header.extend(["probability", "ci_low", "ci_high"].map(String::from));
        w.write_record(&header)?;
        for (t, name) in s.targets.iter().enumerate() {
            for p in &s.points {
                let pr = &p.probabilities[t];
                let mut row = vec![name.clone()];
                row.extend(p.values.iter().map(|v| super::csv::cell(*v)));
                row.extend([pr.probability, pr.ci95[0], pr.ci95[1]].map(super::csv::cell));
                w.write_record(&row)?;
            }
        }
        Ok(())
    })
}

/// Target `t` against the first lever, one line per value of the others (at most ten).
fn sweep_chart(s: &Sweep, t: usize) -> ProbabilityCurve {
    let mut groups: BTreeMap<Vec<u64>, Vec<&Point>> = BTreeMap::new();
    for p in &s.points {
        let key = p.values[1..].iter().map(|v| v.to_bits()).collect();
        groups.entry(key).or_default().push(p);
    }
    let series = groups
        .into_iter()
        .take(10)
        .map(|(key, points)| CurveSeries {
            name: if key.is_empty() {
                s.targets[t].clone()
            } else {
                s.levers[1..]
                    .iter()
                    .zip(&key)
                    .map(|(l, b)| format!("{l} = {}", format::number(f64::from_bits(*b))))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            points: points.iter().map(|p| point(p, t, 0)).collect(),
        })
        .collect();
    ProbabilityCurve {
        title: format!("{} against {}", s.targets[t], s.levers[0]),
        subtitle: Some(format!(
            "{} runs per value, seed {}, common random numbers",
            format::number(s.runs as f64),
            s.seed
        )),
        x_label: s.levers[0].clone(),
        series,
        levels: vec![
            Level {
                p: s.thresholds.likely,
                label: format!("likely ≥ {}", format::percent(s.thresholds.likely)),
                colour: style::GREEN,
            },
            Level {
                p: s.thresholds.unlikely,
                label: format!("unlikely < {}", format::percent(s.thresholds.unlikely)),
                colour: style::RED,
            },
        ],
        answer: None,
    }
}

/// For exactly two levers, target `t` over their grid.
fn heat_map(s: &Sweep, t: usize) -> Option<HeatMap> {
    if s.levers.len() != 2 {
        return None;
    }
    let mut xs: Vec<f64> = s.points.iter().map(|p| p.values[0]).collect();
    let mut ys: Vec<f64> = s.points.iter().map(|p| p.values[1]).collect();
    for v in [&mut xs, &mut ys] {
        v.sort_by(f64::total_cmp);
        v.dedup();
    }
    let mut p = vec![vec![0.0; ys.len()]; xs.len()];
    for q in &s.points {
        let i = xs.iter().position(|&x| x == q.values[0])?;
        let j = ys.iter().position(|&y| y == q.values[1])?;
        p[i][j] = q.probabilities[t].probability;
    }
    Some(HeatMap {
        title: format!(
            "{}: probability over {} and {}",
            s.targets[t], s.levers[0], s.levers[1]
        ),
        subtitle: Some(format!(
            "{} runs per cell, seed {}, common random numbers",
            format::number(s.runs as f64),
            s.seed
        )),
        x_label: s.levers[0].clone(),
        y_label: s.levers[1].clone(),
        xs,
        ys,
        p,
        likely_at: s.thresholds.likely,
        unlikely_at: s.thresholds.unlikely,
    })
}
