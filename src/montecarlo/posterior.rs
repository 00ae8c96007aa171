//! Posterior samples as study inputs: `posterior.csv` (one column per fitted input, one row
//! per draw, as `sandtable calibrate` writes it) read with located errors, and the seeded
//! order in which runs take its rows.
//!
//! Run `i` takes row `perm[i mod rows]` of a shuffle keyed by the study seed alone, so the
//! fitted inputs keep their joint (correlated) posterior and the other inputs' streams are
//! untouched. The data horizon comes from `calibration.json` beside the file, when present.

use super::streams::{name_key, Purpose, Streams};
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::study::provenance::FileStamp;
use rand::Rng;
use std::path::Path;
use std::sync::Arc;

/// Stream purpose of the posterior row order.
const POSTERIOR_STREAM: u32 = 0xCA13;

/// Posterior draws of some inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorSample {
    /// The file and its SHA-256.
    pub stamp: FileStamp,
    /// Input names (the header).
    pub names: Vec<String>,
    /// Draws, one value per name.
    pub rows: Vec<Vec<f64>>,
    /// The last data time the posterior was conditioned on, if known.
    pub data_until: Option<f64>,
    /// Where each header cell is, for messages.
    pub at: Vec<SourceRef>,
}

impl PosteriorSample {
    /// Reads `path` and, if present, `calibration.json` beside it.
    pub fn read(path: &Path) -> Result<PosteriorSample, Diagnostic> {
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::plain(format!("cannot read {}: {e}", path.display()))
                .with_hint("give the posterior.csv that `sandtable calibrate` wrote")
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut sample = PosteriorSample::parse(&path.display().to_string(), &text)?;
        sample.stamp = FileStamp::of(path, &bytes);
        let beside = path.with_file_name("calibration.json");
        if let Ok(json) = std::fs::read_to_string(&beside) {
            let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
                Diagnostic::plain(format!("cannot read {}: {e}", beside.display()))
                    .with_hint("rerun `sandtable calibrate`, or remove the file to go without the data horizon")
            })?;
            sample.data_until = value.get("data_until").and_then(serde_json::Value::as_f64);
        }
        Ok(sample)
    }

    /// Parses the CSV text of a posterior sample.
    pub fn parse(path: &str, text: &str) -> Result<PosteriorSample, Diagnostic> {
        let file = Arc::new(SourceFile {
            path: path.to_string(),
            text: text.to_string(),
        });
        let at = |line: usize, col: usize| SourceRef {
            file: Some(file.clone()),
            line,
            col,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((h, header)) = lines.next() else {
            return Err(Diagnostic::new("the posterior file is empty", at(0, 0))
                .with_hint("give the posterior.csv that `sandtable calibrate` wrote"));
        };
        let (names, cols) = split(header);
        let mut rows = Vec::new();
        for (i, line) in lines {
            let (cells, cols) = split(line);
            if cells.len() != names.len() {
                return Err(Diagnostic::new(
                    format!(
                        "{} values where the header names {} inputs",
                        cells.len(),
                        names.len()
                    ),
                    at(i + 1, 1),
                )
                .with_hint("every row holds one value per input"));
            }
            let mut row = Vec::with_capacity(cells.len());
            for (cell, col) in cells.iter().zip(cols) {
                match cell.parse::<f64>().ok().filter(|v| v.is_finite()) {
                    Some(v) => row.push(v),
                    None => {
                        return Err(Diagnostic::new(
                            format!("`{cell}` is not a number"),
                            at(i + 1, col),
                        )
                        .with_hint("posterior rows hold finite numbers"))
                    }
                }
            }
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(
                Diagnostic::new("the posterior file has no rows", at(h + 1, 1))
                    .with_hint("give the posterior.csv that `sandtable calibrate` wrote"),
            );
        }
        Ok(PosteriorSample {
            stamp: FileStamp {
                path: path.to_string(),
                sha256: crate::study::provenance::sha256_hex(text.as_bytes()),
            },
            at: cols.iter().map(|&c| at(h + 1, c)).collect(),
            names,
            rows,
            data_until: None,
        })
    }

    /// The row order for a study with `seed`: a Fisher–Yates shuffle of the rows from a
    /// stream of its own, so no other input's numbers move.
    pub fn order(&self, seed: u64) -> Vec<usize> {
        let mut rng =
            Streams::new(seed).keyed(0, Purpose::Other(POSTERIOR_STREAM), name_key("posterior"));
        let mut perm: Vec<usize> = (0..self.rows.len()).collect();
        for i in (1..perm.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            perm.swap(i, j);
        }
        perm
    }
}

/// Cells of a CSV line (no quoting: posterior files hold names and numbers) with their
/// 1-based columns.
fn split(line: &str) -> (Vec<String>, Vec<usize>) {
    let mut col = 1;
    line.split(',')
        .map(|c| {
            let here = col + (c.len() - c.trim_start().len());
            col += c.chars().count() + 1;
            (c.trim().trim_matches('"').to_string(), here)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_locates_errors() {
        let p = PosteriorSample::parse("p.csv", "rate,capacity\n0.4,5e4\n0.5,6e4\n").unwrap();
        assert_eq!(p.names, ["rate", "capacity"]);
        assert_eq!(p.rows, vec![vec![0.4, 5e4], vec![0.5, 6e4]]);
        let e = PosteriorSample::parse("p.csv", "rate,capacity\n0.4,x\n").unwrap_err();
        assert_eq!(
            e.to_string().lines().next().unwrap(),
            "p.csv:2:5: error: `x` is not a number"
        );
        assert!(PosteriorSample::parse("p.csv", "rate\n").is_err());
    }

    #[test]
    fn the_order_is_a_seeded_permutation() {
        let p = PosteriorSample::parse("p.csv", &format!("a\n{}", "1\n".repeat(50))).unwrap();
        let mut o = p.order(7);
        assert_eq!(o, p.order(7));
        assert_ne!(o, p.order(8));
        o.sort_unstable();
        assert_eq!(o, (0..50).collect::<Vec<_>>());
    }
}
