//! Per-run records of a shard, in a compact binary file (`records.bin`) that keeps every
//! number bit for bit, so merged shards fold exactly the values a single process would.
//!
//! Layout, little-endian: the magic `SANDREC2`, then `u32` inputs, `u32` targets, `u32`
//! band cells per run and `u64` records; then per record its `u64` run index and a `u8` kind.
//! A counted run (kind 0) holds its inputs (`f64` each), per target the metric (`f64`), hit
//! (`u8`), whether a time to target exists (`u8`) and that time (`f64`), the period count
//! (`u32`) and the periods (`f64` each), then its band cells (`f64` each). A failed run
//! (kind 1) holds its inputs and its message (`u32` length, UTF-8 bytes).

use super::runner::{RunResult, RunView};
use crate::simulate::{FaultKind, NumericFault};
use crate::targets::Outcome;

/// The file's first eight bytes.
const MAGIC: &[u8; 8] = b"SANDREC2";

/// One run as a shard records it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Run index in the whole study.
    pub run: u64,
    /// The run's inputs, in the plan's input order.
    pub inputs: Vec<f64>,
    /// What the run produced.
    pub result: RunResult,
}

/// The shape every record of a file has: inputs, targets and band cells per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordShape {
    /// Uncertain inputs.
    pub inputs: usize,
    /// Targets.
    pub targets: usize,
    /// Band cells (tracked variables × saved rows).
    pub cells: usize,
}

/// Bytes of the header: magic, three `u32` counts and the `u64` record count.
pub const HEADER_BYTES: usize = 28;

/// Where the header keeps the record count.
pub(crate) const COUNT_AT: u64 = 20;

/// The file's header for `count` records of `shape`.
pub fn header(shape: RecordShape, count: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES);
    out.extend_from_slice(MAGIC);
    for n in [shape.inputs, shape.targets, shape.cells] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(&count.to_le_bytes());
    out
}

/// Encodes `records` (all of `shape`) into the bytes of `records.bin`.
pub fn encode(shape: RecordShape, records: &[RunRecord]) -> Vec<u8> {
    let per_run = 9 + 8 * (shape.inputs + shape.cells) + 22 * shape.targets;
    let mut out = header(shape, records.len() as u64);
    out.reserve(records.len() * per_run);
    for r in records {
        encode_run(&mut out, r.run, &r.inputs, r.result.view());
    }
    out
}

/// Appends one run's record to `out`: the one encoding of a run, for shards' `records.bin`
/// and a study's own records file alike.
pub fn encode_run(out: &mut Vec<u8>, run: u64, inputs: &[f64], result: RunView) {
    let f = |out: &mut Vec<u8>, v: f64| out.extend_from_slice(&v.to_bits().to_le_bytes());
    out.extend_from_slice(&run.to_le_bytes());
    match result {
        RunView::Done(outcomes, cells) => {
            out.push(0);
            inputs.iter().for_each(|&v| f(out, v));
            for o in outcomes {
                encode_outcome(out, o);
            }
            cells.iter().for_each(|&v| f(out, v));
        }
        RunView::Failed(fault) => {
            out.push(1);
            inputs.iter().for_each(|&v| f(out, v));
            out.push(fault_kind_code(fault.kind));
            out.extend_from_slice(&fault.slot.to_le_bytes());
            f(out, fault.time);
            f(out, fault.value);
            out.extend_from_slice(&(fault.variable.len() as u32).to_le_bytes());
            out.extend_from_slice(fault.variable.as_bytes());
        }
    }
}

/// Appends one target outcome: metric, hit, whether a time to target exists, that time,
/// the period count and the periods.
pub(crate) fn encode_outcome(out: &mut Vec<u8>, o: &Outcome) {
    out.extend_from_slice(&o.metric.to_bits().to_le_bytes());
    out.push(u8::from(o.success));
    out.push(u8::from(o.time_to_target.is_some()));
    out.extend_from_slice(&o.time_to_target.unwrap_or(0.0).to_bits().to_le_bytes());
    out.extend_from_slice(&(o.periods.len() as u32).to_le_bytes());
    o.periods
        .iter()
        .for_each(|&v| out.extend_from_slice(&v.to_bits().to_le_bytes()));
}

/// The byte a fault kind is stored as.
fn fault_kind_code(kind: FaultKind) -> u8 {
    match kind {
        FaultKind::NotANumber => 0,
        FaultKind::InfiniteStock => 1,
        FaultKind::NanCondition => 2,
    }
}

/// Decodes `records.bin`, checking that it holds records of `shape`; the error says what
/// is wrong with the file.
pub fn decode(bytes: &[u8], shape: RecordShape) -> Result<Vec<RunRecord>, String> {
    let mut r = Reader { bytes, at: 0 };
    let count = read_header(&mut r, shape)?;
    // Each record takes at least 9 bytes: refuse a count the file cannot hold before
    // reserving memory for it.
    if count > (bytes.len() as u64) / 9 {
        return Err(format!("it claims {count} runs but is too short for them"));
    }
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        out.push(read_record(&mut r, shape)?);
    }
    if r.at != bytes.len() {
        return Err(format!("{} bytes follow the last run", bytes.len() - r.at));
    }
    Ok(out)
}

/// Reads and checks the header; returns the record count it gives.
pub(crate) fn read_header<S: Source>(r: &mut S, shape: RecordShape) -> Result<u64, String> {
    if r.take(8)? != MAGIC {
        return Err("it is not a sandtable records file (wrong magic bytes)".into());
    }
    let found = RecordShape {
        inputs: r.u32()? as usize,
        targets: r.u32()? as usize,
        cells: r.u32()? as usize,
    };
    if found != shape {
        return Err(format!(
            "it holds runs of {} inputs, {} targets and {} band values, but the study has {}, {} and {}",
            found.inputs, found.targets, found.cells, shape.inputs, shape.targets, shape.cells
        ));
    }
    r.u64()
}

/// Reads the next record.
pub(crate) fn read_record<S: Source>(r: &mut S, shape: RecordShape) -> Result<RunRecord, String> {
    let run = r.u64()?;
    let kind = r.u8()?;
    let inputs = r.f64s(shape.inputs)?;
    let result = match kind {
        0 => {
            let mut outcomes = Vec::with_capacity(shape.targets);
            for _ in 0..shape.targets {
                let metric = r.f64()?;
                let success = r.u8()? != 0;
                let has_time = r.u8()? != 0;
                let time = r.f64()?;
                let periods = r.u32()? as usize;
                outcomes.push(Outcome {
                    metric,
                    success,
                    time_to_target: has_time.then_some(time),
                    periods: r.f64s(periods)?,
                });
            }
            RunResult::Done(outcomes, r.f64s(shape.cells)?)
        }
        1 => {
            let kind = match r.u8()? {
                0 => FaultKind::NotANumber,
                1 => FaultKind::InfiniteStock,
                2 => FaultKind::NanCondition,
                k => return Err(format!("run {run}: unknown fault kind {k}")),
            };
            let slot = r.u32()?;
            let time = r.f64()?;
            let value = r.f64()?;
            let len = r.u32()? as usize;
            let variable = String::from_utf8(r.take(len)?.to_vec())
                .map_err(|_| format!("run {run}: its variable name is not UTF-8"))?;
            RunResult::Failed(NumericFault {
                kind,
                slot,
                variable,
                time,
                value,
            })
        }
        k => return Err(format!("run {run}: unknown record kind {k}")),
    };
    Ok(RunRecord {
        run,
        inputs,
        result,
    })
}

/// Bytes records are read from: a whole file in memory, or a file read as it goes.
pub(crate) trait Source {
    /// The next `n` bytes.
    fn take(&mut self, n: usize) -> Result<&[u8], String>;

    /// Bytes left (a bound on what a count read from the file may ask for).
    fn left(&self) -> u64;

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }

    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_bits(self.u64()?))
    }

    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, String> {
        if n as u64 > self.left() / 8 {
            return Err(self.take(usize::MAX).err().unwrap_or_default());
        }
        (0..n).map(|_| self.f64()).collect()
    }
}

/// A cursor over the file's bytes.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Source for Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| format!("it ends early (at byte {})", self.bytes.len()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn left(&self) -> u64 {
        (self.bytes.len() - self.at) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (RecordShape, Vec<RunRecord>) {
        let shape = RecordShape {
            inputs: 2,
            targets: 2,
            cells: 3,
        };
        let done = |run: u64, x: f64| RunRecord {
            run,
            inputs: vec![x, -0.0],
            result: RunResult::Done(
                vec![
                    Outcome {
                        metric: f64::NAN,
                        success: false,
                        time_to_target: None,
                        periods: vec![],
                    },
                    Outcome {
                        metric: 0.1 + 0.2,
                        success: true,
                        time_to_target: Some(3.25),
                        periods: vec![1.0, f64::INFINITY, 5e-324],
                    },
                ],
                vec![x, f64::NEG_INFINITY, 1e300],
            ),
        };
        let records = vec![
            done(7, 1.5),
            RunRecord {
                run: 8,
                inputs: vec![2.0, 3.0],
                result: RunResult::Failed(NumericFault {
                    kind: FaultKind::InfiniteStock,
                    slot: 12,
                    variable: "café[x]".into(),
                    time: 2.5,
                    value: f64::NEG_INFINITY,
                }),
            },
            done(9, f64::MIN_POSITIVE),
        ];
        (shape, records)
    }

    /// Bits, not values: NaN and -0.0 must come back exactly.
    fn bits(records: &[RunRecord]) -> String {
        format!("{records:?}")
    }

    #[test]
    fn records_round_trip_bit_for_bit() {
        let (shape, records) = sample();
        let bytes = encode(shape, &records);
        let back = decode(&bytes, shape).unwrap();
        assert_eq!(bits(&back), bits(&records));
        assert_eq!(back.len(), 3);
        assert!(
            matches!(back[1].result, RunResult::Failed(ref m) if m.variable == "café[x]" && m.slot == 12)
        );
        match (&back[0].result, &records[0].result) {
            (RunResult::Done(a, _), RunResult::Done(b, _)) => {
                assert_eq!(a[0].metric.to_bits(), b[0].metric.to_bits());
                assert_eq!(back[0].inputs[1].to_bits(), (-0.0f64).to_bits());
            }
            _ => panic!("kinds changed"),
        }
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let (shape, records) = sample();
        let bytes = encode(shape, &records);
        let e = decode(&bytes[..bytes.len() - 3], shape).unwrap_err();
        assert!(e.contains("ends early"), "{e}");
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, shape).unwrap_err().contains("follow"));
        let other = RecordShape { cells: 4, ..shape };
        assert!(decode(&bytes, other).unwrap_err().contains("band values"));
        assert!(decode(b"not a records file", shape)
            .unwrap_err()
            .contains("magic"));
        let mut huge = bytes[..20].to_vec();
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode(&huge, shape).unwrap_err().contains("too short"));
    }
}
