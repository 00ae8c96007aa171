//! `sandtable run`: one deterministic run → run.csv, line charts and a table of the stocks.

use super::output::{ensure_dir, out_dir, print_table, slug};
use super::ModelArg;
use sandtable::compile::{compile, Program, Role};
use sandtable::diagnostic::Diagnostic;
use sandtable::loader::load_model;
use sandtable::model::{Method, Model};
use sandtable::report::atomic::write_atomic;
use sandtable::report::charts::line::{render, LineChart, Series};
use sandtable::report::format;
use sandtable::simulate::{Simulation, Trajectory};
use std::path::{Path, PathBuf};

/// Arguments of `sandtable run`.
#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Integration method: euler, rk2 or rk4 (default: the model's).
    #[arg(long, value_parser = parse_method)]
    method: Option<Method>,
    /// Override a constant, e.g. --set q=0.4 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, f64)>,
    /// Output directory (default: outputs/<model name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Refuse a model with unit problems (exit 2); `check` lists them.
    #[arg(long)]
    strict_units: bool,
}

/// Parses `euler`, `rk2` or `rk4`.
pub fn parse_method(text: &str) -> Result<Method, String> {
    Method::parse(text).ok_or_else(|| format!("unknown method `{text}`; use euler, rk2 or rk4"))
}

/// Parses `NAME=VALUE` with a numeric value.
pub fn parse_assignment(text: &str) -> Result<(String, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{text}` has no name before `=`"));
    }
    let value: f64 = value
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{}` is not a number", value.trim()))?;
    if !value.is_finite() {
        return Err(format!("`{text}`: the value must be finite"));
    }
    Ok((name.to_string(), value))
}

/// Applies `--set` overrides, rejecting names that are not constants.
pub fn apply_overrides(
    sim: &mut Simulation,
    prog: &Program,
    set: &[(String, f64)],
) -> Result<(), String> {
    for (name, value) in set {
        let Some(p) = prog.param(name) else {
            let hint = match sandtable::diagnostic::closest(
                name,
                prog.params.iter().map(|p| p.name.as_str()),
            ) {
                Some(c) => format!("did you mean `{c}`?"),
                None if prog.column(name).is_some() => {
                    "it is computed from other variables; only constants can be set".to_string()
                }
                None => "run `sandtable check MODEL` to list the constants".to_string(),
            };
            return Err(format!(
                "error: --set: `{name}` is not a constant of the model\n  hint: {hint}"
            ));
        };
        sim.set_param(p, *value);
    }
    Ok(())
}

/// Loads and compiles a model, formatting errors for the terminal.
pub fn load_and_compile(path: &std::path::Path) -> Result<(Model, Program), String> {
    let model = load_model(path).map_err(|e| e.to_string())?;
    let prog = compile(&model).map_err(|e| e.to_string())?;
    Ok((model, prog))
}

/// Runs the command.
pub fn run(args: RunArgs) -> Result<(), String> {
    let (model, prog) = load_and_compile(&args.model.model)?;
    sandtable::units::check_file(&args.model.model, &model)
        .map_err(|e| e.to_string())?
        .gate(args.strict_units)?;
    let mut sim = Simulation::new(&prog);
    apply_overrides(&mut sim, &prog, &args.set)?;
    if let Some(m) = args.method {
        sim.set_method(m);
    }
    let traj = sim.run().map_err(|e| match locate_fault(e, &model) {
        e if e.at.file.is_some() => e.to_string(),
        e => format!("{}: {e}", args.model.model.display()),
    })?;
    let dir = out_dir(args.out.as_deref(), &model.name, None);
    let written = super::interrupt::deferred(|| write_run(&dir, &model, &prog, &traj))?;
    if !args.quiet {
        print_stock_table(&model, &prog, &traj);
        outln!();
        for p in written {
            outln!("wrote {}", p.display());
        }
    }
    Ok(())
}

/// Points a numeric fault ("`name` became NaN ...") at the definition of its variable.
fn locate_fault(e: Diagnostic, model: &Model) -> Diagnostic {
    let named = |v: &&sandtable::model::Variable| {
        e.message.starts_with(&format!("`{}` became", v.name))
            || e.message.starts_with(&format!("`{}[", v.name))
    };
    match model.variables.iter().find(named) {
        Some(v) => {
            let at = match &v.equation {
                Some(sandtable::model::Equation::All(expr)) => expr.at.clone(),
                _ => v.at.clone(),
            };
            e.or_at(&at)
        }
        None => e,
    }
}

/// Writes run.csv and the line charts into `dir`; returns the paths written.
fn write_run(
    dir: &Path,
    model: &Model,
    prog: &Program,
    traj: &Trajectory,
) -> Result<Vec<PathBuf>, String> {
    ensure_dir(dir)?;
    let csv_path = dir.join("run.csv");
    write_atomic(&csv_path, &trajectory_csv(traj)).map_err(|e| {
        format!(
            "error: cannot write `{}`: {e}\n  hint: choose another place with --out",
            csv_path.display()
        )
    })?;
    let mut written = vec![csv_path];
    for chart in line_charts(model, prog, traj) {
        let path = dir.join(format!("chart_{}.png", slug(&chart.title)));
        render(&chart, &path).map_err(|e| format!("error: chart `{}`: {e}", chart.title))?;
        written.push(path);
    }
    Ok(written)
}

/// The trajectory as CSV: `time`, then every column.
pub fn trajectory_csv(traj: &Trajectory) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["time".to_string()];
    header.extend(traj.names.iter().cloned());
    // Writing to memory cannot fail.
    let _ = w.write_record(&header);
    for r in 0..traj.len() {
        let mut row = vec![format!("{}", traj.times[r])];
        row.extend(traj.row(r).iter().map(|v| format!("{v}")));
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

fn line_charts(model: &Model, prog: &Program, traj: &Trajectory) -> Vec<LineChart> {
    let x_label = format!("time ({})", model.sim.time_unit);
    let groups: Vec<(String, Vec<usize>)> = if model.charts.is_empty() {
        let stocks: Vec<usize> = prog
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == Role::Stock)
            .map(|(i, _)| i)
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
                .map(|&c| {
                    let col = &prog.columns[c];
                    Series {
                        name: display_name(col),
                        points: traj.times.iter().copied().zip(traj.series(c)).collect(),
                    }
                })
                .collect();
            LineChart {
                title,
                x_label: x_label.clone(),
                y_label,
                series,
            }
        })
        .collect()
}

/// A column's label with its element, or its name.
pub fn display_name(col: &sandtable::compile::Column) -> String {
    match (&col.label, col.name.split_once('[')) {
        (Some(label), Some((_, elem))) => format!("{label}[{elem}"),
        (Some(label), None) => label.clone(),
        (None, _) => col.name.clone(),
    }
}

fn print_stock_table(model: &Model, prog: &Program, traj: &Trajectory) {
    let n = traj.len();
    if n == 0 {
        return;
    }
    let mut rows_at: Vec<usize> = (0..=4).map(|k| k * (n - 1) / 4).collect();
    rows_at.dedup();
    let mut header = vec![format!("stock \\ {}", model.sim.time_unit)];
    header.extend(rows_at.iter().map(|&r| format::number(traj.times[r])));
    let rows: Vec<Vec<String>> = prog
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == Role::Stock)
        .map(|(i, c)| {
            let mut row = vec![display_name(c)];
            row.extend(rows_at.iter().map(|&r| format::number(traj.row(r)[i])));
            row
        })
        .collect();
    print_table(&header, &rows);
}
