//! Data variables read from another run's output: Vensim keeps them in a `.vdf` file given to
//! the run; sandtable reads the same run exported as a table (`.tab`, tab-separated, or
//! `.csv`), time down the first column, one column per variable element (`x[a,b]`).

use super::expr::Table;
use crate::model::names::canonical;
use std::collections::HashMap;
use std::path::Path;

/// The series of one or more run outputs, by canonical column name (`x[a,b]`, spaces and
/// case folded element by element).
#[derive(Debug, Default)]
pub struct RunData {
    series: HashMap<String, Table>,
}

impl RunData {
    /// Reads every file, a later file's column replacing an earlier one of the same name.
    pub fn read(files: &[&Path]) -> Result<RunData, String> {
        let mut data = RunData::default();
        for path in files {
            let text = std::fs::read(path)
                .map_err(|e| format!("cannot read the data file {}: {e}", path.display()))?;
            // Vensim writes accented names in Latin-1: then every byte is its own character.
            let text = String::from_utf8(text)
                .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect());
            let csv = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            data.add(&text, if csv { ',' } else { '\t' })
                .map_err(|m| format!("{}: {m}", path.display()))?;
        }
        Ok(data)
    }

    /// Adds the columns of one table. A blank cell is Vensim's "unchanged": the value above
    /// (a blank before any value: no point at that time).
    pub fn add(&mut self, text: &str, delimiter: char) -> Result<(), String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines
            .next()
            .ok_or("the data file is empty")?
            .split(delimiter)
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        if !header
            .first()
            .is_some_and(|h| h.eq_ignore_ascii_case("time"))
        {
            return Err("the first column of a data file must be `Time`, down the rows".into());
        }
        let mut columns: Vec<Table> = header[1..]
            .iter()
            .map(|_| Table {
                xs: Vec::new(),
                ys: Vec::new(),
            })
            .collect();
        for (row, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split(delimiter).map(str::trim).collect();
            let number = |s: &str| {
                s.parse::<f64>()
                    .map_err(|_| format!("row {}: `{s}` is not a number", row + 2))
            };
            let t = number(cells[0])?;
            for (c, table) in columns.iter_mut().enumerate() {
                let y = match cells.get(c + 1).copied().unwrap_or("") {
                    "" => match table.ys.last() {
                        Some(&y) => y,
                        None => continue,
                    },
                    s => number(s)?,
                };
                table.xs.push(t);
                table.ys.push(y);
            }
        }
        for (name, table) in header[1..].iter().zip(columns) {
            self.series.insert(column_key(name), table);
        }
        Ok(())
    }

    /// The series of `name` (a variable, with its elements if arrayed).
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.series.get(&column_key(name))
    }
}

/// `x[a, b]` as `x[a,b]` with the name and each element in canonical form.
fn column_key(name: &str) -> String {
    match name.split_once('[') {
        Some((base, rest)) => {
            let elems: Vec<String> = rest
                .trim_end_matches(']')
                .split(',')
                .map(canonical)
                .collect();
            format!("{}[{}]", canonical(base), elems.join(","))
        }
        None => canonical(name),
    }
}

#[cfg(test)]
mod tests {
    use super::RunData;

    #[test]
    fn blank_cells_repeat_the_value_above_and_names_fold() {
        let mut d = RunData::default();
        d.add(
            "Time\tFINAL TIME\tvar 1dim[A]\tv[B, E]\n0\t50\t1\t\n1\t\t2.5\t4\n2\t\t\t5\n",
            '\t',
        )
        .unwrap();
        let f = d.get("final_time").unwrap();
        assert_eq!(
            (f.xs.as_slice(), f.ys.as_slice()),
            (&[0.0, 1.0, 2.0][..], &[50.0; 3][..])
        );
        let v = d.get("Var 1DIM[a]").unwrap();
        assert_eq!(v.ys, [1.0, 2.5, 2.5]);
        // No value at time 0: the series starts at time 1.
        let w = d.get("v[b,e]").unwrap();
        assert_eq!(
            (w.xs.as_slice(), w.ys.as_slice()),
            (&[1.0, 2.0][..], &[4.0, 5.0][..])
        );
        assert!(d.get("v[b,d]").is_none());
    }

    #[test]
    fn a_table_without_time_first_or_with_text_is_an_error() {
        let mut d = RunData::default();
        assert!(d.add("x\tTime\n1\t2\n", '\t').unwrap_err().contains("Time"));
        assert!(d
            .add("Time\tx\n0\tabc\n", '\t')
            .unwrap_err()
            .contains("`abc`"));
    }
}
