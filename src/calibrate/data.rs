//! The history a model is calibrated to: a CSV of observed values and interval totals,
//! checked against the model's variables and time axis with located messages.
//!
//! The first column is `time`; every other column names a model variable (`x`, `x[e]`,
//! `x[a,b]` as in run.csv) whose value at that time was observed, or `sum(NAME)`, the total of
//! the rate NAME since the previous row (for the first row: since the model's start). Empty
//! cells are gaps.

use crate::compile::Program;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, SourceRef};
use crate::model::names::closest;
use std::sync::Arc;

/// What a data column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// The variable's value at the row's time.
    Level,
    /// The integral of the rate over the interval since the previous row.
    Sum,
}

/// One data column.
#[derive(Debug, Clone)]
pub struct Series {
    /// The header as written, e.g. `followers` or `sum(new_orders)`.
    pub header: String,
    /// Level or interval total.
    pub quantity: Quantity,
    /// The model column (variable element) it refers to, as the program names it.
    pub variable: String,
    /// One cell per data row; `None` for a gap.
    pub values: Vec<Option<f64>>,
    /// Where the header is.
    pub at: SourceRef,
}

/// Observed history, checked against a program.
#[derive(Debug, Clone)]
pub struct Data {
    /// The file as read.
    pub file: Arc<SourceFile>,
    /// Row times, strictly increasing, each an integration step of the model.
    pub times: Vec<f64>,
    /// Integration step of each row time from the model's start.
    pub steps: Vec<usize>,
    /// The data columns, in file order.
    pub series: Vec<Series>,
}

impl Data {
    /// Number of non-empty cells.
    pub fn observations(&self) -> usize {
        self.series
            .iter()
            .map(|s| s.values.iter().flatten().count())
            .sum()
    }

    /// The last row time holding at least one value.
    pub fn until(&self) -> f64 {
        (0..self.times.len())
            .rev()
            .find(|&r| self.series.iter().any(|s| s.values[r].is_some()))
            .map_or(f64::NAN, |r| self.times[r])
    }
}

/// Parses the CSV text of `path` and checks it against `prog` (its variables and its time
/// axis), reporting every problem with its line and column.
pub fn parse(path: &str, text: &str, prog: &Program) -> Result<Data, Diagnostics> {
    let file = Arc::new(SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    });
    let at = |line: usize, col: usize| SourceRef {
        file: Some(file.clone()),
        line,
        col,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for r in reader.records() {
        match r {
            Ok(rec) => records.push(rec),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(
                    Diagnostic::new(format!("cannot read the CSV: {e}"), at(line, 1)).into(),
                );
            }
        }
    }
    let mut rows = records.into_iter().filter(|r| !is_blank(r));
    let Some(header) = rows.next() else {
        return Err(Diagnostic::new("the data file is empty", at(0, 0))
            .with_hint("the first line is `time,<variable>,...`; then one row per time")
            .into());
    };
    let line_of = |r: &csv::StringRecord| r.position().map_or(0, |p| p.line() as usize);
    let mut errors = Vec::new();
    let header_line = line_of(&header);
    let cols = columns_of(&header);
    if header.get(0).map(str::to_ascii_lowercase).as_deref() != Some("time") {
        errors.push(
            Diagnostic::new(
                format!("the first column must be `time`, not `{}`", &header[0]),
                at(header_line, 1),
            )
            .with_hint("write the header as `time,<variable>,...`"),
        );
    }
    let mut series = Vec::new();
    for (i, name) in header.iter().enumerate().skip(1) {
        let here = at(header_line, cols[i]);
        match resolve_header(name, prog) {
            Ok((quantity, variable)) => series.push(Series {
                header: name.to_string(),
                quantity,
                variable,
                values: Vec::new(),
                at: here,
            }),
            Err(e) => errors.push(e.or_at(&here)),
        }
    }
    if header.len() < 2 {
        errors.push(
            Diagnostic::new("the data file has no variable columns", at(header_line, 1))
                .with_hint("add columns named after model variables, e.g. `time,followers`"),
        );
    }
    let (start, stop, dt) = (prog.specs.start, prog.specs.stop, prog.specs.dt);
    let mut times: Vec<f64> = Vec::new();
    let mut steps = Vec::new();
    for rec in rows {
        let line = line_of(&rec);
        let cols = columns_of(&rec);
        if rec.len() != header.len() {
            errors.push(
                Diagnostic::new(
                    format!("{} cells where the header has {}", rec.len(), header.len()),
                    at(line, 1),
                )
                .with_hint("leave a cell empty for a gap, but keep its comma"),
            );
            continue;
        }
        let t = match number(&rec[0]) {
            Some(t) => t,
            None => {
                errors.push(
                    Diagnostic::new(format!("time `{}` is not a number", &rec[0]), at(line, 1))
                        .with_hint("times are numbers in the model's time unit, e.g. 30"),
                );
                continue;
            }
        };
        if let Some(&prev) = times.last() {
            if t <= prev {
                errors.push(
                    Diagnostic::new(
                        format!("time {t} does not come after the previous row's {prev}"),
                        at(line, 1),
                    )
                    .with_hint("rows must be in increasing time order, one row per time"),
                );
                continue;
            }
        }
        let step = (t - start) / dt;
        if t < start - 1e-9 * dt.abs() || t > stop + 1e-9 * dt.abs() {
            errors.push(
                Diagnostic::new(
                    format!("time {t} is outside the model's run from {start} to {stop}"),
                    at(line, 1),
                )
                .with_hint("drop the row or extend the model's time axis"),
            );
            continue;
        }
        if (step - step.round()).abs() > 1e-6 {
            errors.push(
                Diagnostic::new(
                    format!("time {t} is not an integration step of the model (dt = {dt})"),
                    at(line, 1),
                )
                .with_hint("data times must be start + k·dt so values are compared where the model computes them"),
            );
            continue;
        }
        times.push(t);
        steps.push(step.round() as usize);
        for (s, cell) in series.iter_mut().zip(rec.iter().skip(1)) {
            s.values.push(None);
            if cell.is_empty() {
                continue;
            }
            let k = s.values.len() - 1;
            let col = cols[1 + series_index(&header, &s.header)];
            match number(cell).filter(|v| v.is_finite()) {
                Some(v) => s.values[k] = Some(v),
                None => errors.push(
                    Diagnostic::new(
                        format!("`{cell}` in column `{}` is not a number", s.header),
                        at(line, col),
                    )
                    .with_hint(
                        "write a number (1_000 and 30% are fine) or leave the cell empty for a gap",
                    ),
                ),
            }
        }
    }
    for s in &series {
        if s.quantity == Quantity::Sum && steps.first() == Some(&0) && s.values[0].is_some() {
            errors.push(
                Diagnostic::new(
                    format!(
                        "`{}` on the first row, at the start time, is a total over no time",
                        s.header
                    ),
                    s.at.clone(),
                )
                .with_hint("leave that cell empty: a total covers the time since the previous row"),
            );
        }
    }
    if errors.is_empty() && series.iter().all(|s| s.values.iter().all(Option::is_none)) {
        errors.push(
            Diagnostic::new("the data file holds no values", at(header_line, 1))
                .with_hint("add rows such as `30,1520`"),
        );
    }
    if errors.is_empty() {
        Ok(Data {
            file,
            times,
            steps,
            series,
        })
    } else {
        Err(Diagnostics(errors))
    }
}

/// The quantity and model column a header names, with a did-you-mean hint when unknown.
fn resolve_header(name: &str, prog: &Program) -> Result<(Quantity, String), Diagnostic> {
    let (quantity, var) = match name.strip_prefix("sum(").and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (Quantity::Sum, inner.trim()),
        None => (Quantity::Level, name),
    };
    if var.is_empty() {
        return Err(Diagnostic::plain("a data column has no name")
            .with_hint("name every column after a model variable, e.g. `followers`"));
    }
    if let Some(c) = prog.column(var) {
        return Ok((quantity, prog.columns[c].name.clone()));
    }
    let mut e = Diagnostic::plain(format!(
        "data column `{name}` names no variable of the model"
    ));
    if !prog.columns_of(var).is_empty() {
        e = e.with_hint(format!(
            "`{var}` is arrayed: name one element per column, e.g. `{}`",
            prog.columns[prog.columns_of(var)[0]].name
        ));
    } else if let Some(c) = closest(var, prog.columns.iter().map(|c| c.name.as_str())) {
        e = e.with_hint(match quantity {
            Quantity::Sum => format!("did you mean `sum({c})`?"),
            Quantity::Level => format!("did you mean `{c}`?"),
        });
    } else {
        e = e.with_hint("run `sandtable check MODEL` to list the variables");
    }
    Err(e)
}

fn series_index(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().skip(1).position(|h| h == name).unwrap_or(0)
}

/// 1-based character column where each field starts, assuming unquoted fields (quoted ones
/// shift the guess by their quotes).
fn columns_of(rec: &csv::StringRecord) -> Vec<usize> {
    let mut col = 1;
    rec.iter()
        .map(|f| {
            let here = col;
            col += f.chars().count() + 1;
            here
        })
        .collect()
}

fn is_blank(rec: &csv::StringRecord) -> bool {
    rec.iter().all(str::is_empty) || rec.get(0).is_some_and(|f| f.starts_with('#'))
}

fn number(text: &str) -> Option<f64> {
    crate::study::overrides::parse_value(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog() -> Program {
        crate::calibrate::tests::program(
            "[sim]\nstart = 0\nstop = 10\ndt = 0.5\n[stocks]\nfans = { initial = 100, inflows = [\"gain\"] }\n[flows]\ngain = \"0.1 * fans\"\n",
        )
    }

    fn errors(csv: &str) -> String {
        match parse("data.csv", csv, &prog()) {
            Ok(_) => panic!("accepted {csv:?}"),
            Err(e) => {
                e.0.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }

    #[test]
    fn reads_levels_sums_and_gaps() {
        let d = parse(
            "d.csv",
            "time,fans,sum(gain)\n0,100,\n2.5,,30\n5,160,40\n",
            &prog(),
        )
        .unwrap();
        assert_eq!(d.times, vec![0.0, 2.5, 5.0]);
        assert_eq!(d.steps, vec![0, 5, 10]);
        assert_eq!(d.series[0].values, vec![Some(100.0), None, Some(160.0)]);
        assert_eq!(d.series[1].quantity, Quantity::Sum);
        assert_eq!(d.series[1].variable, "gain");
        assert_eq!(d.observations(), 4);
        assert_eq!(d.until(), 5.0);
    }

    #[test]
    fn bad_files_are_located_with_hints() {
        let e = errors("time,fanz\n1,3\n");
        assert!(
            e.contains("data.csv:1:6") && e.contains("did you mean `fans`?"),
            "{e}"
        );
        let e = errors("time,fans\n1,3\n2,abc\n");
        assert!(e.contains("data.csv:3:3") && e.contains("`abc`"), "{e}");
        let e = errors("time,fans\n2,3\n1,4\n");
        assert!(
            e.contains("data.csv:3:1") && e.contains("does not come after"),
            "{e}"
        );
        let e = errors("time,fans\n11,3\n");
        assert!(e.contains("outside the model's run from 0 to 10"), "{e}");
        let e = errors("time,fans\n1.2,3\n");
        assert!(e.contains("not an integration step"), "{e}");
        let e = errors("time,sum(gian)\n1,3\n");
        assert!(e.contains("did you mean `sum(gain)`?"), "{e}");
        let e = errors("time,sum(gain)\n0,3\n");
        assert!(e.contains("total over no time"), "{e}");
        let e = errors("t,fans\n1,3\n");
        assert!(e.contains("first column must be `time`"), "{e}");
    }
}
