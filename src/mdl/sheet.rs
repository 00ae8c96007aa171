//! Spreadsheet and delimited-text files read by `GET XLS …` / `GET DIRECT …`: one sheet as a
//! grid of cells, cell references (`B7`, `C8*`) and workbook-defined names (`value1`).

use calamine::{open_workbook_auto, Data, Reader};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One cell's content, as Vensim sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number (spreadsheet numbers, or text that reads as a number).
    Num(f64),
    /// Text that is not a number.
    Text(String),
}

/// A cell's (row, column), both counted from 0.
pub type At = (u32, u32);

/// Where a workbook name points: its sheet (empty for any) and its first and last cell.
type Place = (String, At, At);

/// One sheet (or delimited file) as cells by (row, column), both counted from 0.
#[derive(Debug, Default)]
pub struct Grid {
    cells: HashMap<(u32, u32), Cell>,
    /// Workbook names: name (lower case) → (sheet, first cell, last cell).
    names: HashMap<String, Place>,
}

impl Grid {
    /// The cell at (row, column), `None` when empty.
    pub fn get(&self, at: (u32, u32)) -> Option<&Cell> {
        self.cells.get(&at)
    }

    /// The number at (row, column), `None` when the cell is empty or text.
    pub fn num(&self, at: (u32, u32)) -> Option<f64> {
        match self.cells.get(&at) {
            Some(Cell::Num(v)) => Some(*v),
            _ => None,
        }
    }

    /// A grid from text cells (delimited files and tests).
    pub fn from_rows(rows: &[Vec<String>]) -> Grid {
        let mut g = Grid::default();
        for (r, row) in rows.iter().enumerate() {
            for (c, s) in row.iter().enumerate() {
                let s = s.trim();
                if s.is_empty() {
                    continue;
                }
                let cell = match s.parse::<f64>() {
                    Ok(v) => Cell::Num(v),
                    Err(_) => Cell::Text(s.to_string()),
                };
                g.cells.insert((r as u32, c as u32), cell);
            }
        }
        g
    }

    /// Where `reference` points on sheet `sheet`: a cell (`B7`) or a workbook name, as its
    /// first and last cell; a trailing `*` (read transposed) is left to the caller.
    pub fn locate(&self, reference: &str, sheet: &str) -> Result<(At, At), String> {
        if let Some(at) = cell_ref(reference) {
            return Ok((at, at));
        }
        match self.names.get(&reference.to_lowercase()) {
            Some((s, a, b)) if s.is_empty() || s.eq_ignore_ascii_case(sheet) => Ok((*a, *b)),
            Some((s, _, _)) => Err(format!(
                "the name `{reference}` refers to sheet `{s}`, not `{sheet}`"
            )),
            None => Err(format!(
                "`{reference}` is neither a cell (like `B7`) nor a name defined in the workbook"
            )),
        }
    }
}

/// A cell reference `B7` as (row, column) from 0; `None` when it is not one.
pub fn cell_ref(text: &str) -> Option<(u32, u32)> {
    let t = text.trim().trim_start_matches('$');
    let letters: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let rest = t[letters.len()..].trim_start_matches('$');
    if letters.is_empty() || letters.len() > 3 || rest.is_empty() {
        return None;
    }
    let row: u32 = rest.parse().ok().filter(|&r: &u32| r >= 1)?;
    Some((row - 1, column(&letters)?))
}

/// A column's letters (`A`, `AB`) as its index from 0.
pub fn column(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut n = 0u32;
    for c in letters.chars() {
        n = n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    Some(n - 1)
}

/// Sheets already read, by (path, sheet or delimiter).
#[derive(Default)]
pub struct Books {
    dir: PathBuf,
    read: HashMap<(PathBuf, String), Grid>,
}

impl Books {
    /// Files are found relative to `dir` (the model's directory).
    pub fn new(dir: &Path) -> Books {
        Books {
            dir: dir.to_path_buf(),
            read: HashMap::new(),
        }
    }

    /// The grid of `sheet` in `file` (for delimited text files, `sheet` is the delimiter).
    pub fn grid(&mut self, file: &str, sheet: &str) -> Result<&Grid, String> {
        let path = self.dir.join(file.trim());
        let key = (path.clone(), sheet.to_string());
        if !self.read.contains_key(&key) {
            let grid = read_grid(&path, sheet)?;
            self.read.insert(key.clone(), grid);
        }
        Ok(&self.read[&key])
    }
}

fn read_grid(path: &Path, sheet: &str) -> Result<Grid, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "csv" | "tab" | "txt") {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let delim = match sheet {
            "\\t" | "tab" => "\t",
            "" => ",",
            d => d,
        };
        let rows: Vec<Vec<String>> = text
            .lines()
            .map(|l| {
                l.split(delim)
                    .map(|s| s.trim_matches('"').to_string())
                    .collect()
            })
            .collect();
        return Ok(Grid::from_rows(&rows));
    }
    let mut book = open_workbook_auto(path)
        .map_err(|e| format!("cannot read the spreadsheet `{}`: {e}", path.display()))?;
    let range = book.worksheet_range(sheet).map_err(|_| {
        format!(
            "`{}` has no sheet `{sheet}` (its sheets: {})",
            path.display(),
            book.sheet_names().join(", ")
        )
    })?;
    let mut g = Grid::default();
    if let Some((r0, c0)) = range.start() {
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let cell = match v {
                    Data::Int(i) => Cell::Num(*i as f64),
                    Data::Float(f) => Cell::Num(*f),
                    Data::Bool(b) => Cell::Num(f64::from(u8::from(*b))),
                    Data::String(s) if s.trim().is_empty() => continue,
                    Data::String(s) => match s.trim().parse::<f64>() {
                        Ok(v) => Cell::Num(v),
                        Err(_) => Cell::Text(s.trim().to_string()),
                    },
                    Data::DateTime(d) => Cell::Num(d.as_f64()),
                    _ => continue,
                };
                g.cells.insert((r0 + r as u32, c0 + c as u32), cell);
            }
        }
    }
    for (name, formula) in book.defined_names() {
        if let Some(place) = defined_place(formula) {
            g.names.insert(name.to_lowercase(), place);
        }
    }
    Ok(g)
}

/// A defined name's formula `Sheet1!$B$2:$B$9` (or `'My sheet'!$A$1`) as its place.
fn defined_place(formula: &str) -> Option<Place> {
    let f = formula.trim().trim_start_matches('=');
    let (sheet, cells) = match f.rfind('!') {
        Some(k) => (f[..k].trim_matches('\'').to_string(), &f[k + 1..]),
        None => (String::new(), f),
    };
    let mut ends = cells.split(':');
    let a = cell_ref(&ends.next()?.replace('$', ""))?;
    let b = match ends.next() {
        Some(e) => cell_ref(&e.replace('$', ""))?,
        None => a,
    };
    Some((sheet, a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_count_from_zero() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("B7"), Some((6, 1)));
        assert_eq!(cell_ref("AA10"), Some((9, 26)));
        assert_eq!(cell_ref("$C$3"), Some((2, 2)));
        assert_eq!(cell_ref("value1"), None);
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(column("Z"), Some(25));
        assert_eq!(column("AB"), Some(27));
    }

    #[test]
    fn defined_names_give_sheet_and_corners() {
        assert_eq!(
            defined_place("Global!$B$2:$B$9"),
            Some(("Global".into(), (1, 1), (8, 1)))
        );
        assert_eq!(
            defined_place("'My sheet'!$A$1"),
            Some(("My sheet".into(), (0, 0), (0, 0)))
        );
        assert_eq!(defined_place("#REF!"), None);
    }

    #[test]
    fn text_cells_that_read_as_numbers_are_numbers() {
        let g = Grid::from_rows(&[vec!["t".into(), "1.5".into(), "".into()]]);
        assert_eq!(g.get((0, 0)), Some(&Cell::Text("t".into())));
        assert_eq!(g.num((0, 1)), Some(1.5));
        assert_eq!(g.get((0, 2)), None);
    }
}
