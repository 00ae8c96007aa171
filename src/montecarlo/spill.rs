//! A study's per-run records on disk, so that its memory does not grow with its runs: each
//! counted run's inputs, and per target its metric, hit and time to target, in the records
//! format of shards ([`super::records`]: the same header and run encoding, without band cells
//! and periods, which the study has already folded), in an unnamed temporary file that
//! disappears with the process. Statistics that need every run read it back in passes.

use super::records::{self, RecordShape, RunRecord, Source, COUNT_AT};
use super::runner::RunView;
use crate::diagnostic::Diagnostic;
use crate::targets::Outcome;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bytes read or written to the file at a time.
const BUFFER: usize = 1 << 20;

/// Appends records to a new temporary records file.
pub(crate) struct RecordsWriter {
    out: BufWriter<File>,
    shape: RecordShape,
    runs: u64,
    bytes: u64,
    scratch: Vec<u8>,
    dir: PathBuf,
}

impl RecordsWriter {
    /// A new, unnamed records file in `dir` (created if missing) for runs of `inputs` inputs
    /// and `targets` targets.
    pub(crate) fn create(dir: &Path, inputs: usize, targets: usize) -> Result<Self, Diagnostic> {
        let fail = |e: io::Error| spill_error(dir, &e);
        std::fs::create_dir_all(dir).map_err(fail)?;
        let file = tempfile::tempfile_in(dir).map_err(fail)?;
        let shape = RecordShape {
            inputs,
            targets,
            cells: 0,
        };
        let mut out = BufWriter::with_capacity(BUFFER, file);
        let head = records::header(shape, 0);
        out.write_all(&head).map_err(fail)?;
        Ok(RecordsWriter {
            out,
            shape,
            runs: 0,
            bytes: head.len() as u64,
            scratch: Vec::new(),
            dir: dir.to_path_buf(),
        })
    }

    /// Appends one counted run (its periods are left out).
    pub(crate) fn push(
        &mut self,
        run: u64,
        inputs: &[f64],
        outcomes: impl Iterator<Item = (f64, bool, Option<f64>)>,
    ) -> Result<(), Diagnostic> {
        self.scratch.clear();
        let outcomes: Vec<Outcome> = outcomes
            .map(|(metric, success, time_to_target)| Outcome {
                metric,
                success,
                time_to_target,
                periods: Vec::new(),
            })
            .collect();
        records::encode_run(
            &mut self.scratch,
            run,
            inputs,
            RunView::Done(&outcomes, &[]),
        );
        self.out
            .write_all(&self.scratch)
            .map_err(|e| spill_error(&self.dir, &e))?;
        self.runs += 1;
        self.bytes += self.scratch.len() as u64;
        Ok(())
    }

    /// Writes the record count into the header and hands the file over for reading.
    pub(crate) fn finish(self) -> Result<RecordsFile, Diagnostic> {
        let dir = self.dir;
        let fail = |e: io::Error| spill_error(&dir, &e);
        let mut file = self.out.into_inner().map_err(|e| fail(e.into_error()))?;
        file.seek(SeekFrom::Start(COUNT_AT)).map_err(fail)?;
        file.write_all(&self.runs.to_le_bytes()).map_err(fail)?;
        Ok(RecordsFile {
            file: Mutex::new(file),
            shape: self.shape,
            runs: self.runs,
            bytes: self.bytes,
        })
    }
}

fn spill_error(dir: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::plain(format!(
        "cannot keep the study's per-run records in {}: {e}",
        dir.display()
    ))
    .with_hint("check that the output directory's disk is writable and not full")
}

/// A study's per-run records, written and ready to be read in passes.
#[derive(Debug)]
pub struct RecordsFile {
    file: Mutex<File>,
    shape: RecordShape,
    runs: u64,
    bytes: u64,
}

impl RecordsFile {
    /// Counted runs it holds.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Its size in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Inputs and targets of each record.
    pub fn shape(&self) -> RecordShape {
        self.shape
    }

    /// One pass over every record, in run order.
    pub fn for_each(
        &self,
        mut f: impl FnMut(&RunRecord) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let mut file = self
            .file
            .lock()
            .map_err(|_| Diagnostic::plain("the study's records file was left unusable"))?;
        let bad = |m: String| Diagnostic::plain(format!("the study's records file: {m}"));
        file.seek(SeekFrom::Start(0))
            .map_err(|e| bad(e.to_string()))?;
        let mut src = Stream {
            reader: BufReader::with_capacity(BUFFER, &mut *file),
            buf: Vec::new(),
            left: self.bytes,
        };
        let count = records::read_header(&mut src, self.shape).map_err(bad)?;
        if count != self.runs {
            return Err(bad(format!(
                "{count} runs where {} were written",
                self.runs
            )));
        }
        for _ in 0..count {
            let r = records::read_record(&mut src, self.shape).map_err(bad)?;
            f(&r)?;
        }
        Ok(())
    }
}

/// Records read from a file as they come.
pub(crate) struct Stream<R> {
    pub(crate) reader: R,
    pub(crate) buf: Vec<u8>,
    pub(crate) left: u64,
}

impl<R: Read> Source for Stream<R> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if n as u64 > self.left {
            return Err("it ends early".into());
        }
        self.buf.resize(n, 0);
        self.reader
            .read_exact(&mut self.buf)
            .map_err(|e| e.to_string())?;
        self.left -= n as u64;
        Ok(&self.buf)
    }

    fn left(&self) -> u64 {
        self.left
    }
}

#[cfg(test)]
mod tests {
    use super::super::records::HEADER_BYTES;
    use super::*;

    #[test]
    fn records_come_back_bit_for_bit_and_the_file_grows_with_the_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RecordsWriter::create(dir.path(), 2, 1).unwrap();
        let rows = [
            (3u64, [0.1 + 0.2, -0.0], (f64::NAN, true, Some(2.5))),
            (5, [f64::INFINITY, 7.0], (1e300, false, None)),
        ];
        for (run, inputs, o) in &rows {
            w.push(*run, inputs, std::iter::once(*o)).unwrap();
        }
        let file = w.finish().unwrap();
        // Header, then per run: index and kind, 2 inputs, one outcome of 22 bytes.
        assert_eq!(file.bytes(), HEADER_BYTES as u64 + 2 * (9 + 16 + 22));
        assert_eq!(file.runs(), 2);
        let mut seen = Vec::new();
        for _ in 0..2 {
            // Two passes read the same.
            seen.clear();
            file.for_each(|r| {
                seen.push(format!("{r:?}"));
                Ok(())
            })
            .unwrap();
        }
        assert_eq!(seen.len(), 2);
        let mut back = Vec::new();
        file.for_each(|r| {
            back.push(r.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(back[0].run, 3);
        assert_eq!(back[0].inputs[0].to_bits(), (0.1f64 + 0.2).to_bits());
        assert_eq!(back[0].inputs[1].to_bits(), (-0.0f64).to_bits());
        match &back[1].result {
            super::super::runner::RunResult::Done(o, cells) => {
                assert!(cells.is_empty());
                assert_eq!(
                    (o[0].metric, o[0].success, o[0].time_to_target),
                    (1e300, false, None)
                );
            }
            other => panic!("{other:?}"),
        }
        // Nothing is left in the directory: the file has no name.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
