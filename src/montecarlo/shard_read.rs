//! A shard's `records.bin` read from disk run by run, so that merging shards holds one run
//! at a time and not every shard's records: its fingerprint checked in one pass first, then
//! its records handed out as they are decoded.

use super::records::{self, RecordShape, RunRecord};
use super::spill::Stream;
use crate::diagnostic::Diagnostic;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Bytes read at a time.
const BUFFER: usize = 1 << 20;

/// Lower-case hex SHA-256 of the file at `path`, read in pieces.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; BUFFER];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(crate::study::provenance::hex(&hash.finalize()))
}

/// The records of one `records.bin`, in file order, each decoded when asked for.
pub struct ShardRecords {
    src: Stream<BufReader<File>>,
    shape: RecordShape,
    runs: u64,
    left: u64,
    path: PathBuf,
}

impl ShardRecords {
    /// Opens `path` and checks its header against `shape`; the error says what is wrong.
    pub fn open(path: &Path, shape: RecordShape) -> Result<ShardRecords, Diagnostic> {
        let fail = |m: String| Diagnostic::plain(format!("{}: {m}", path.display()));
        let unreadable = |e: std::io::Error| {
            Diagnostic::plain(format!("cannot read {}: {e}", path.display()))
                .with_hint("a shard directory holds shard.json, records.bin and runs.csv")
        };
        let file = File::open(path).map_err(unreadable)?;
        let bytes = file.metadata().map_err(unreadable)?.len();
        let mut src = Stream {
            reader: BufReader::with_capacity(BUFFER, file),
            buf: Vec::new(),
            left: bytes,
        };
        let runs = records::read_header(&mut src, shape).map_err(fail)?;
        // Each record takes at least 9 bytes.
        if runs > bytes / 9 {
            return Err(fail(format!(
                "it claims {runs} runs but is too short for them"
            )));
        }
        Ok(ShardRecords {
            src,
            shape,
            runs,
            left: runs,
            path: path.to_path_buf(),
        })
    }

    /// Runs its header announces.
    pub fn runs(&self) -> u64 {
        self.runs
    }
}

impl Iterator for ShardRecords {
    type Item = Result<RunRecord, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        let fail = |m: String| Diagnostic::plain(format!("{}: {m}", self.path.display()));
        if self.left == 0 {
            let extra = std::mem::take(&mut self.src.left);
            return (extra > 0).then(|| Err(fail(format!("{extra} bytes follow the last run"))));
        }
        self.left -= 1;
        let r = records::read_record(&mut self.src, self.shape).map_err(fail);
        if r.is_err() {
            // Nothing more is read after a damaged record.
            self.left = 0;
            self.src.left = 0;
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::runner::RunResult;
    use crate::targets::Outcome;

    fn record(run: u64) -> RunRecord {
        RunRecord {
            run,
            inputs: vec![run as f64 + 0.1, -0.0],
            result: RunResult::Done(
                vec![Outcome {
                    metric: 0.1 + 0.2,
                    success: run.is_multiple_of(2),
                    time_to_target: Some(run as f64),
                    periods: vec![1.5],
                }],
                vec![f64::MIN_POSITIVE, 3.0],
            ),
        }
    }

    const SHAPE: RecordShape = RecordShape {
        inputs: 2,
        targets: 1,
        cells: 2,
    };

    #[test]
    fn records_stream_back_as_decoded_and_damage_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.bin");
        let recs: Vec<RunRecord> = (5..12).map(record).collect();
        let bytes = records::encode(SHAPE, &recs);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(
            file_sha256(&path).unwrap(),
            crate::study::provenance::sha256_hex(&bytes)
        );
        let r = ShardRecords::open(&path, SHAPE).unwrap();
        assert_eq!(r.runs(), 7);
        let got: Vec<RunRecord> = r.map(Result::unwrap).collect();
        assert_eq!(format!("{got:?}"), format!("{recs:?}"));
        // Bytes after the last run, a short file, a wrong shape.
        let mut long = bytes.clone();
        long.extend([0, 0, 0]);
        std::fs::write(&path, &long).unwrap();
        let last = ShardRecords::open(&path, SHAPE).unwrap().last().unwrap();
        assert!(last
            .unwrap_err()
            .message
            .contains("3 bytes follow the last run"));
        std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let errs: Vec<_> = ShardRecords::open(&path, SHAPE)
            .unwrap()
            .filter_map(Result::err)
            .collect();
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.contains("ends early"),
            "{}",
            errs[0].message
        );
        let wrong = RecordShape { cells: 3, ..SHAPE };
        let e = ShardRecords::open(&path, wrong).err().unwrap();
        assert!(
            e.message.contains("but the study has 2, 1 and 3"),
            "{}",
            e.message
        );
    }
}
