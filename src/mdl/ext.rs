//! `GET XLS …` / `GET DIRECT …` calls: constants, data series, lookups and subscript ranges
//! read from spreadsheets (and delimited text files) beside the model, laid out as Vensim
//! lays them out.

use super::expr::{SyntaxError, Table};
use super::sheet::{cell_ref, column, Books, Cell, Grid};

/// What a `GET …` call reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// `GET … CONSTANTS(file, sheet, cell)`.
    Constants,
    /// `GET … DATA(file, sheet, time row or column, first cell)`.
    Data,
    /// `GET … LOOKUPS(file, sheet, x row or column, first cell)`.
    Lookups,
    /// `GET … SUBSCRIPT(file, sheet, first cell, last cell, prefix)`.
    Subscript,
}

/// One `GET …` call as written.
#[derive(Debug, Clone, PartialEq)]
pub struct External {
    /// What it reads.
    pub kind: Kind,
    /// The quoted arguments, without their quotes.
    pub args: Vec<String>,
    /// File offset of the call.
    pub at: usize,
}

/// Recognises a `GET XLS …` / `GET DIRECT …` call at the start of `text` (at file offset
/// `at`): `None` when the text is something else; otherwise the call and the byte length it
/// spans.
pub fn parse_call(text: &str, at: usize) -> Option<Result<(External, usize), SyntaxError>> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let open = trimmed.find('(')?;
    let head: String = trimmed[..open]
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    let rest = head
        .strip_prefix("GET XLS ")
        .or_else(|| head.strip_prefix("GET DIRECT "))?;
    let at = at + lead;
    let kind = match rest {
        "CONSTANTS" => Kind::Constants,
        "DATA" => Kind::Data,
        "LOOKUPS" => Kind::Lookups,
        "SUBSCRIPT" => Kind::Subscript,
        _ => {
            return Some(Err(SyntaxError {
                message: format!("`{head}` is not supported"),
                at,
            }))
        }
    };
    let bad = |k: usize, what: &str| SyntaxError {
        message: format!("{head} takes quoted arguments: expected {what}"),
        at: at + k,
    };
    let body = &trimmed[open + 1..];
    let mut args = Vec::new();
    let mut k = 0;
    loop {
        k += body[k..].len() - body[k..].trim_start().len();
        if args.is_empty() && body[k..].starts_with(')') {
            return Some(Err(bad(open + 1 + k, "arguments")));
        }
        if !body[k..].starts_with('\'') {
            return Some(Err(bad(open + 1 + k, "a quoted argument like 'B2'")));
        }
        let Some(close) = body[k + 1..].find('\'') else {
            return Some(Err(bad(open + 1 + k, "a closing quote")));
        };
        args.push(body[k + 1..k + 1 + close].to_string());
        k += close + 2;
        k += body[k..].len() - body[k..].trim_start().len();
        if body[k..].starts_with(',') {
            k += 1;
        } else if body[k..].starts_with(')') {
            k += 1;
            break;
        } else {
            return Some(Err(bad(open + 1 + k, "`,` or `)`")));
        }
    }
    let want = match kind {
        Kind::Constants => 3,
        Kind::Data | Kind::Lookups => 4,
        Kind::Subscript => 5,
    };
    if args.len() != want {
        return Some(Err(SyntaxError {
            message: format!("{head} takes {want} arguments, {} given", args.len()),
            at,
        }));
    }
    Some(Ok((External { kind, args, at }, lead + open + 1 + k)))
}

fn grid<'b>(books: &'b mut Books, e: &External) -> Result<&'b Grid, String> {
    books.grid(&e.args[0], &e.args[1])
}

fn cell_name((r, c): (u32, u32)) -> String {
    let mut letters = String::new();
    let mut n = c + 1;
    while n > 0 {
        letters.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{letters}{}", r + 1)
}

/// The element names of `GET … SUBSCRIPT(file, sheet, first, last, prefix)`: the cells from
/// `first` to `last` (a row or a column; up to the first empty cell when `last` is empty),
/// each with `prefix` in front.
pub fn subscript(books: &mut Books, e: &External) -> Result<Vec<String>, String> {
    let g = grid(books, e)?;
    let (from, _) = g.locate(&e.args[2], &e.args[1])?;
    let to = if e.args[3].trim().is_empty() {
        None
    } else {
        Some(g.locate(&e.args[3], &e.args[1])?.1)
    };
    let across = to.is_some_and(|t| t.0 == from.0 && t.1 != from.1);
    let mut out = Vec::new();
    for k in 0..u32::MAX {
        let at = if across {
            (from.0, from.1 + k)
        } else {
            (from.0 + k, from.1)
        };
        if to.is_some_and(|t| at.0 > t.0 || at.1 > t.1) {
            break;
        }
        let text = match g.get(at) {
            Some(Cell::Text(s)) => s.clone(),
            Some(Cell::Num(v)) => crate::mdl::ext::number_text(*v),
            None if to.is_none() => break,
            None => return Err(format!("the cell {} is empty", cell_name(at))),
        };
        out.push(format!("{}{text}", e.args[4]));
    }
    Ok(out)
}

/// A number cell as an element name: integers without a decimal point.
pub fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The values of `GET … CONSTANTS` for a definition whose subscript positions have `sizes`
/// elements, in the order of the definition's element tuples (first position outermost).
/// Positions of one element take no room in the sheet; of the others the last runs across
/// the columns and the one before down the rows (a single one runs across); a `*` after the
/// cell swaps rows and columns.
pub fn constants(books: &mut Books, e: &External, sizes: &[usize]) -> Result<Vec<f64>, String> {
    let g = grid(books, e)?;
    let cell = e.args[2].trim();
    let (cell, transposed) = match cell.strip_suffix('*') {
        Some(c) => (c.trim(), true),
        None => (cell, false),
    };
    let (start, _) = g.locate(cell, &e.args[1])?;
    let kept: Vec<usize> = sizes.iter().copied().filter(|&n| n > 1).collect();
    let cols = kept.last().copied().unwrap_or(1);
    let total: usize = sizes.iter().product();
    let mut out = Vec::with_capacity(total);
    for k in 0..total {
        let (row, col) = ((k / cols) as u32, (k % cols) as u32);
        let (dr, dc) = if transposed { (col, row) } else { (row, col) };
        let at = (start.0 + dr, start.1 + dc);
        match g.get(at) {
            Some(Cell::Num(v)) => out.push(*v),
            Some(Cell::Text(s)) => {
                return Err(format!(
                    "the cell {} holds `{s}`, not a number",
                    cell_name(at)
                ))
            }
            None => return Err(format!("the cell {} is empty", cell_name(at))),
        }
    }
    Ok(out)
}

/// The series of `GET … DATA` / `GET … LOOKUPS`, one per element tuple of the definition
/// (`count` of them): the time (x) values lie along a row (a row number, `'4'`) or a column (a
/// column letter, `'A'`), or in a named range; the first series starts at the fourth argument
/// and the next ones follow on the next rows (or columns). Points whose x or value cell is
/// empty are left out.
pub fn series(books: &mut Books, e: &External, count: usize) -> Result<Vec<Table>, String> {
    let g = grid(books, e)?;
    let sheet = &e.args[1];
    let (first, _) = g.locate(&e.args[3], sheet)?;
    let axis = e.args[2].trim();
    // (across, time cells): across = times along a row, series on the rows below.
    let (across, times): (bool, Vec<(u32, u32)>) = if let Ok(row) = axis.parse::<u32>() {
        let row = row.checked_sub(1).ok_or("row numbers start at 1")?;
        (true, line(g, (row, first.1), true))
    } else if let Some(col) = column(axis).filter(|_| cell_ref(axis).is_none()) {
        (false, line(g, (first.0, col), false))
    } else {
        let (a, b) = g.locate(axis, sheet)?;
        if a.0 == b.0 && a.1 != b.1 {
            (true, (a.1..=b.1).map(|c| (a.0, c)).collect())
        } else {
            (false, (a.0..=b.0).map(|r| (r, a.1)).collect())
        }
    };
    let mut out = Vec::with_capacity(count);
    for k in 0..count as u32 {
        let mut t = Table {
            xs: Vec::new(),
            ys: Vec::new(),
        };
        for (i, &at) in times.iter().enumerate() {
            let i = i as u32;
            let Some(x) = g.num(at) else { continue };
            let cell = if across {
                (first.0 + k, first.1 + i)
            } else {
                (first.0 + i, first.1 + k)
            };
            if let Some(y) = g.num(cell) {
                t.xs.push(x);
                t.ys.push(y);
            }
        }
        if t.xs.is_empty() {
            let at = if across {
                (first.0 + k, first.1)
            } else {
                (first.0, first.1 + k)
            };
            return Err(format!("no values from the cell {} on", cell_name(at)));
        }
        out.push(t);
    }
    Ok(out)
}

/// The cells of a time (x) line from `from`, along a row or down a column, up to the last
/// number cell (empty or text cells between numbers stay: they are missing values).
fn line(g: &Grid, from: (u32, u32), across: bool) -> Vec<(u32, u32)> {
    let mut cells = Vec::new();
    let mut gap = 0;
    for k in 0..100_000u32 {
        let at = if across {
            (from.0, from.1 + k)
        } else {
            (from.0 + k, from.1)
        };
        match g.get(at) {
            Some(Cell::Num(_)) => {
                gap = 0;
                cells.push(at);
            }
            // Text among the times is a missing value, like an empty cell.
            Some(Cell::Text(_)) | None => {
                gap += 1;
                // A run of empty cells ends the line.
                if gap > 16 {
                    break;
                }
                cells.push(at);
            }
        }
    }
    while cells.last().is_some_and(|&c| g.num(c).is_none()) {
        cells.pop();
    }
    cells
}
