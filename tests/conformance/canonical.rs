//! Reading the suite's canonical outputs (`output.csv`, `output.tab`) and matching columns.

use sandtable::model::names::canonical;

/// A canonical output table: one time column, then one column per variable.
#[derive(Debug)]
pub struct Canonical {
    /// Column names after the time column, as written.
    pub columns: Vec<String>,
    /// Time of each row.
    pub times: Vec<f64>,
    /// `values[row][column]`; blank cells already filled from the row above.
    pub values: Vec<Vec<f64>>,
    /// `blank[row][column]`: the cell was blank. Vensim leaves a cell blank both when the
    /// value has not changed and when it is `:NA:`.
    pub blank: Vec<Vec<bool>>,
}

/// Parses a canonical output: comma or tab separated (whichever the header uses), any mix of
/// `\r`, `\n` and `\r\n` line ends, blank cells meaning "same as the row above".
pub fn parse(text: &str) -> Result<Canonical, String> {
    let header_line = text.split(['\r', '\n']).next().unwrap_or("");
    let delimiter = if header_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("bad header: {e}"))?
        .clone();
    let columns: Vec<String> = header
        .iter()
        .skip(1)
        .map(|c| c.trim().to_string())
        .collect();
    if columns.is_empty() {
        return Err("the output has no columns besides time".into());
    }
    let mut times = Vec::new();
    let mut values: Vec<Vec<f64>> = Vec::new();
    let mut blank: Vec<Vec<bool>> = Vec::new();
    for (row_no, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", row_no + 2))?;
        let cell = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        if (0..record.len()).all(|i| cell(i).is_empty()) {
            continue;
        }
        let number = |i: usize, above: Option<f64>| -> Result<f64, String> {
            match cell(i) {
                "" => above
                    .ok_or_else(|| format!("row {}: blank cell with nothing above", row_no + 2)),
                s => s
                    .parse::<f64>()
                    .map_err(|_| format!("row {}: `{s}` is not a number", row_no + 2)),
            }
        };
        times.push(number(0, times.last().copied())?);
        let previous = values.last();
        let row = (0..columns.len())
            .map(|c| number(c + 1, previous.map(|p| p[c])))
            .collect::<Result<Vec<f64>, String>>()?;
        values.push(row);
        blank.push((0..columns.len()).map(|c| cell(c + 1).is_empty()).collect());
    }
    Ok(Canonical {
        columns,
        times,
        values,
        blank,
    })
}

/// The key under which two column names match: XMILE name matching on the variable name and
/// on each subscript element, so `Two Dims[A,D]` matches `two_dims[a, d]`.
pub fn column_key(name: &str) -> String {
    match name.split_once('[') {
        Some((base, rest)) => {
            let inner = rest.trim_end().trim_end_matches(']');
            let elements: Vec<String> = inner.split(',').map(canonical).collect();
            format!("{}[{}]", canonical(base), elements.join(","))
        }
        None => canonical(name),
    }
}

#[test]
fn parses_tabs_mixed_line_ends_and_blank_cells() {
    let text = "Time\tA\t\"B[x,y]\"\r0\t1\t2\r\n1\t\t3\n\n2\t4\t\r";
    let c = parse(text).expect("parses");
    assert_eq!(c.columns, ["A", "B[x,y]"]);
    assert_eq!(c.times, [0.0, 1.0, 2.0]);
    assert_eq!(c.values, [[1.0, 2.0], [1.0, 3.0], [4.0, 3.0]]);
    assert_eq!(c.blank, [[false, false], [true, false], [false, true]]);
    assert!(parse("Time,a\n0,\n").is_err());
    assert!(parse("Time,a\n0,x\n").is_err());
    assert_eq!(column_key("Two Dims[A, D]"), column_key("two_dims[a,d]"));
    assert_ne!(column_key("x[a]"), column_key("x[b]"));
}
