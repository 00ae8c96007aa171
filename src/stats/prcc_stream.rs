//! Partial rank correlations of more runs than memory should hold: the inputs' rank columns
//! in a file, the centred ranks' cross products summed over chunks of rows, with the numbers
//! of [`super::prcc`] bit for bit.

use super::error::StatsError;
use super::prcc::{add_cross_products, enough_runs, from_cross_products};
use super::rank::ranks;
use nalgebra::DMatrix;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;

/// Rows of ranks read at a time by default: a multiple of the 256 rows over which
/// `matrixmultiply` sums (see [`super::prcc::add_cross_products`]); 16,384 rows of 45
/// columns are 5.9 MB.
pub const CHUNK_ROWS: usize = 256 * 64;

/// The ranks of input columns over the same complete runs, column after column in a file.
#[derive(Debug)]
pub struct RankFile {
    file: File,
    rows: usize,
    varying: Vec<bool>,
}

impl RankFile {
    /// An empty table of `rows` runs written to `file` (an empty, readable and writable
    /// file, usually an unnamed temporary one).
    pub fn new(file: File, rows: usize) -> RankFile {
        RankFile {
            file,
            rows,
            varying: Vec::new(),
        }
    }

    /// Runs per column.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns written so far.
    pub fn columns(&self) -> usize {
        self.varying.len()
    }

    /// Appends the ranks of `values`, one input's values over the table's runs (no `NaN`).
    pub fn push_column(&mut self, values: &[f64]) -> io::Result<()> {
        if values.len() != self.rows {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a column of {} values for {} runs", values.len(), self.rows),
            ));
        }
        let r = ranks(values);
        self.varying.push(r.iter().any(|v| *v != r[0]));
        let bytes: Vec<u8> = r.iter().flat_map(|v| v.to_le_bytes()).collect();
        let at = (self.varying.len() - 1) * self.rows * 8;
        self.file.seek(SeekFrom::Start(at as u64))?;
        self.file.write_all(&bytes)
    }

    /// Ranks of column `col` at `rows`, into `out`.
    fn read(
        &self,
        col: usize,
        rows: Range<usize>,
        bytes: &mut Vec<u8>,
        out: &mut [f64],
    ) -> io::Result<()> {
        bytes.resize(rows.len() * 8, 0);
        let mut f = &self.file;
        f.seek(SeekFrom::Start(((col * self.rows + rows.start) * 8) as u64))?;
        f.read_exact(bytes)?;
        for (o, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
            *o = f64::from_le_bytes(b.try_into().expect("8 bytes"));
        }
        Ok(())
    }
}

/// `0..n` in chunks of `size` rows (a multiple of 256), a last chunk of 5 rows or fewer
/// folded into the one before, so that every chunk multiplies along the same path.
pub fn row_chunks(n: usize, size: usize) -> Vec<Range<usize>> {
    let size = size.div_ceil(256).max(1) * 256;
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + size).min(n);
        match out.last_mut() {
            Some(last) if end - start <= 5 => last.end = end,
            _ => out.push(start..end),
        }
        start = end;
    }
    out
}

/// The PRCC of each input of `table` with `output`, its values over the table's runs (no
/// `NaN`): [`super::prcc`]'s result for the same complete runs, bit for bit, holding at most
/// `chunk_rows` (rounded up to a multiple of 256, plus at most 5) rows of ranks at a time.
///
/// The outer error is the file's; the inner one the statistic's, as [`super::prcc`]'s.
pub fn prcc_from_file(
    table: &RankFile,
    output: &[f64],
    chunk_rows: usize,
) -> io::Result<Result<Vec<Option<f64>>, StatsError>> {
    let k = table.columns();
    let n = table.rows;
    if output.len() != n {
        return Ok(Err(StatsError::new(format!(
            "the output has {} values but the inputs {n}",
            output.len()
        ))));
    }
    let ry = ranks(output);
    if ry.is_empty() || !ry.iter().any(|v| *v != ry[0]) {
        return Ok(Ok(vec![None; k]));
    }
    let active: Vec<usize> = (0..k).filter(|&j| table.varying[j]).collect();
    let m = active.len();
    if let Err(e) = enough_runs(n, m) {
        return Ok(Err(e));
    }
    let centre = (n as f64 + 1.0) / 2.0;
    let mut cov = DMatrix::zeros(m + 1, m + 1);
    let mut bytes = Vec::new();
    for (c, rows) in row_chunks(n, chunk_rows).into_iter().enumerate() {
        let len = rows.len();
        let mut data = DMatrix::zeros(len, m + 1);
        let cells = data.as_mut_slice();
        for (col, &j) in active.iter().enumerate() {
            let out = &mut cells[col * len..(col + 1) * len];
            table.read(j, rows.clone(), &mut bytes, out)?;
            out.iter_mut().for_each(|v| *v -= centre);
        }
        for (o, r) in cells[m * len..].iter_mut().zip(&ry[rows]) {
            *o = r - centre;
        }
        add_cross_products(&mut cov, &data, c == 0);
    }
    Ok(from_cross_products(&cov, &active, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::streams::{uniform_open01, Purpose, Streams};
    use crate::stats::prcc::prcc;

    /// `k` inputs over `n` runs (some tied, one constant) and an output driven by a few.
    fn sample(n: usize, k: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = Streams::new(seed).rng(0, Purpose::Other(0));
        let mut x = vec![Vec::with_capacity(n); k];
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let v: Vec<f64> = (0..k).map(|_| uniform_open01(&mut rng)).collect();
            let noise = uniform_open01(&mut rng);
            y.push((2.0 * v[0]).exp() - v[1 % k] + 0.5 * noise);
            for (j, col) in x.iter_mut().enumerate() {
                col.push(match j {
                    // Ties: ten levels.
                    2 => (v[j] * 10.0).floor(),
                    // Constant.
                    3 => 4.0,
                    _ => v[j],
                });
            }
        }
        (x, y)
    }

    fn table(x: &[Vec<f64>]) -> RankFile {
        let mut t = RankFile::new(tempfile::tempfile().unwrap(), x[0].len());
        for c in x {
            t.push_column(c).unwrap();
        }
        t
    }

    fn bits(v: &[Option<f64>]) -> Vec<Option<u64>> {
        v.iter().map(|r| r.map(f64::to_bits)).collect()
    }

    #[test]
    fn chunks_are_multiples_of_256_and_fold_a_short_tail() {
        assert_eq!(
            row_chunks(1000, 256),
            vec![0..256, 256..512, 512..768, 768..1000]
        );
        assert_eq!(row_chunks(517, 256), vec![0..256, 256..517]);
        assert_eq!(row_chunks(518, 300), vec![0..512, 512..518]);
        assert_eq!(row_chunks(4, 256), vec![0..4]);
        assert!(row_chunks(0, 256).is_empty());
    }

    #[test]
    fn streamed_prcc_equals_the_in_memory_one_bit_for_bit() {
        // 12 columns multiply through matrixmultiply, 4 through nalgebra's own loop; run
        // counts with a whole, a long and a short (folded) last chunk.
        for (k, n) in [(12, 1000), (12, 2051), (12, 1283), (4, 1283), (4, 700)] {
            let (x, y) = sample(n, k, n as u64);
            let want = prcc(&x, &y).unwrap();
            assert_eq!(want[3], None, "the constant input");
            let t = table(&x);
            for chunk in [256, 512, CHUNK_ROWS] {
                let got = prcc_from_file(&t, &y, chunk).unwrap().unwrap();
                assert_eq!(
                    bits(&got),
                    bits(&want),
                    "{k} inputs, {n} runs, chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn streamed_prcc_equals_the_in_memory_one_where_the_sums_round() {
        // Below about 300,000 runs the centred ranks' cross products are sums of quarter
        // integers under 2^53, exact in any order; at 600,000 they round, and only the
        // blocking makes the chunked sums those of the whole table.
        let (x, y) = sample(600_000, 8, 11);
        let want = prcc(&x, &y).unwrap();
        let got = prcc_from_file(&table(&x), &y, CHUNK_ROWS).unwrap().unwrap();
        assert_eq!(bits(&got), bits(&want));
    }

    #[test]
    fn chunks_other_than_multiples_of_256_would_differ() {
        // The check above can fail: summing 12 columns in chunks of 100 rows changes bits.
        let (x, y) = sample(2051, 12, 7);
        let data = DMatrix::from_fn(2051, 12, |i, c| if c < 11 { x[c][i] } else { y[i] });
        let mut whole = DMatrix::zeros(12, 12);
        add_cross_products(&mut whole, &data, true);
        let mut parts = DMatrix::zeros(12, 12);
        for (c, s) in (0..2051).step_by(100).enumerate() {
            let rows = data.rows(s, 100.min(2051 - s)).into_owned();
            add_cross_products(&mut parts, &rows, c == 0);
        }
        assert!(whole.iter().zip(parts.iter()).any(|(a, b)| a != b));
        let mut aligned = DMatrix::zeros(12, 12);
        for (c, r) in row_chunks(2051, 512).into_iter().enumerate() {
            let rows = data.rows(r.start, r.len()).into_owned();
            add_cross_products(&mut aligned, &rows, c == 0);
        }
        assert_eq!(whole, aligned);
    }

    #[test]
    fn errors_match_the_in_memory_ones() {
        let (x, y) = sample(300, 6, 3);
        let mut dup = x.clone();
        dup[5] = dup[0].iter().map(|v| v * 2.0).collect();
        let want = prcc(&dup, &y).unwrap_err();
        let got = prcc_from_file(&table(&dup), &y, 256).unwrap().unwrap_err();
        assert_eq!(got, want);
        let few: Vec<Vec<f64>> = x.iter().map(|c| c[..6].to_vec()).collect();
        assert_eq!(
            prcc_from_file(&table(&few), &y[..6], 256)
                .unwrap()
                .unwrap_err(),
            prcc(&few, &y[..6]).unwrap_err()
        );
        let flat = vec![1.0; 300];
        assert_eq!(
            prcc_from_file(&table(&x), &flat, 256).unwrap().unwrap(),
            vec![None; 6]
        );
    }
}
