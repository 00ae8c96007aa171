//! One study across many processes: shard `I` of `N` runs the `I`-th contiguous block of the
//! study's runs (runs ⌊I·R/N⌋ to ⌊(I+1)·R/N⌋ − 1 of R) from the design of the whole study,
//! and records every run exactly ([`super::records`]); merging folds the records of all
//! shards in run order through the same aggregator a single process uses, so the merged
//! study is the single study, bit for bit.
//!
//! Each shard carries a fingerprint ([`ShardInfo`], written as `shard.json`): the model's and
//! the study's SHA-256, seed, sampler, run counts, its index, and the request that built the
//! study, which the merge resolves again to recompute the statistics.

use super::aggregate::Aggregator;
use super::records::{RecordShape, RunRecord};
use super::result::StudyResult;
use super::runner::{on_pool, Plan, RunResult, RunView};
use crate::diagnostic::Diagnostic;
use crate::study::provenance::sha256_hex;
use crate::study::{Settings, StudyRequest};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Receives each run of a shard in run order (see [`Plan::execute_each`]); it may be handed
/// to the threads' pool, hence `Send`.
pub type RecordSink<'a> = dyn FnMut(u64, &[f64], RunView) -> Result<(), Diagnostic> + Send + 'a;

/// Version of the shard directory layout (`shard.json` and `records.bin`).
pub const SHARD_FORMAT: u32 = 1;

/// Which block of a study's runs one process does: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// From 0 to `count − 1`.
    pub index: u64,
    /// Number of shards the study is split into.
    pub count: u64,
}

impl Shard {
    /// Shard `index` of `count`, checked.
    pub fn new(index: u64, count: u64) -> Result<Shard, Diagnostic> {
        if count == 0 || index >= count {
            return Err(
                Diagnostic::plain(format!("shard {index}/{count} does not exist"))
                    .with_hint("shards are numbered 0 to N − 1, e.g. --shard 0/4 … --shard 3/4"),
            );
        }
        Ok(Shard { index, count })
    }

    /// Parses `I/N`.
    pub fn parse(text: &str) -> Result<Shard, Diagnostic> {
        let bad = || {
            Diagnostic::plain(format!("`{text}` is not a shard"))
                .with_hint("write the shard as I/N, e.g. --shard 2/8, or --shard auto")
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Shard::new(i, n)
    }

    /// The shard of a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, with `shards` from
    /// `--shards`) or of a Slurm job array (`SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT`), read through `var`.
    pub fn from_env(
        shards: Option<u64>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, Diagnostic> {
        let num =
            |name: &str| -> Result<Option<u64>, Diagnostic> {
                match var(name) {
                    None => Ok(None),
                    Some(v) => v.trim().parse().map(Some).map_err(|_| {
                        Diagnostic::plain(format!("{name}=`{v}` is not a whole number"))
                    }),
                }
            };
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let count = shards.ok_or_else(|| {
                Diagnostic::plain("--shard auto in a Kubernetes Indexed Job needs --shards N")
                    .with_hint("pass the Job's `completions` as --shards")
            })?;
            return Shard::new(index, count);
        }
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                Diagnostic::plain("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            })?;
            if shards.is_some_and(|n| n != count) {
                return Err(Diagnostic::plain(format!(
                    "--shards {} disagrees with the Slurm array's {count} tasks",
                    shards.unwrap_or(0)
                ))
                .with_hint("leave out --shards under Slurm"));
            }
            let index = id.checked_sub(min).ok_or_else(|| {
                Diagnostic::plain(format!(
                    "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                ))
            })?;
            return Shard::new(index, count).map_err(|e| {
                e.with_hint("the array must be contiguous, e.g. --array=0-7 (no step or list)")
            });
        }
        Err(Diagnostic::plain(
            "--shard auto found neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array)",
        )
        .with_hint("give the shard explicitly, e.g. --shard 0/4"))
    }

    /// The runs `first .. end` of a study of `runs` runs that this shard does.
    pub fn range(self, runs: u64) -> (u64, u64) {
        let at = |i: u64| (u128::from(i) * u128::from(runs) / u128::from(self.count)) as u64;
        (at(self.index), at(self.index + 1))
    }
}

/// The command line's part of a study, as a shard records it so the merge can resolve the
/// same study again. Numbers given as text are kept as text, so they read back exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The model (or study) file, as given.
    pub model: String,
    /// Study files, as given.
    pub study_files: Vec<String>,
    /// The scenario asked for.
    pub scenario: Option<String>,
    /// `--set` overrides.
    pub overrides: Vec<String>,
    /// `--vary` inputs.
    pub inputs: Vec<String>,
    /// `--target` targets.
    pub targets: Vec<String>,
    /// `--runs`.
    pub runs: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--sampler`.
    pub sampler: Option<String>,
    /// `--method`.
    pub method: Option<String>,
    /// `--track`.
    pub track: Option<Vec<String>>,
    /// `--likely`, `--unlikely`, `--max-failed`, in Rust's shortest round-trip text.
    pub likely: Option<String>,
    /// See `likely`.
    pub unlikely: Option<String>,
    /// See `likely`.
    pub max_failed: Option<String>,
    /// `--strict-units`.
    pub strict_units: bool,
}

impl RequestRecord {
    /// The record of `request` (its first run must be unset: a sharded study starts at 0).
    pub fn of(request: &StudyRequest) -> RequestRecord {
        let s = &request.settings;
        let text = |v: Option<f64>| v.map(|v| format!("{v:?}"));
        RequestRecord {
            model: request.model.display().to_string(),
            study_files: request
                .study_files
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            scenario: request.scenario.clone(),
            overrides: request.overrides.clone(),
            inputs: request.inputs.clone(),
            targets: request.targets.clone(),
            runs: s.runs,
            seed: s.seed,
            sampler: s.sampler.map(|x| x.name().to_string()),
            method: s.method.map(|m| m.name().to_string()),
            track: s.track.clone(),
            likely: text(s.likely),
            unlikely: text(s.unlikely),
            max_failed: text(s.max_failed),
            strict_units: request.strict_units,
        }
    }

    /// The request again; an error names the field that does not read back.
    pub fn request(&self) -> Result<StudyRequest, Diagnostic> {
        let bad = |what: &str, v: &str| {
            Diagnostic::plain(format!("shard.json: `{v}` is not a valid {what}"))
        };
        let num = |v: &Option<String>, what: &str| -> Result<Option<f64>, Diagnostic> {
            v.as_deref()
                .map(|t| t.parse::<f64>().map_err(|_| bad(what, t)))
                .transpose()
        };
        let settings = Settings {
            runs: self.runs,
            seed: self.seed,
            sampler: match &self.sampler {
                Some(t) => Some(crate::study::Sampler::parse(t).ok_or_else(|| bad("sampler", t))?),
                None => None,
            },
            method: match &self.method {
                Some(t) => Some(crate::model::Method::parse(t).ok_or_else(|| bad("method", t))?),
                None => None,
            },
            track: self.track.clone(),
            likely: num(&self.likely, "likely")?,
            unlikely: num(&self.unlikely, "unlikely")?,
            max_failed: num(&self.max_failed, "max_failed")?,
            ..Settings::default()
        };
        Ok(StudyRequest {
            model: PathBuf::from(&self.model),
            study_files: self.study_files.iter().map(PathBuf::from).collect(),
            scenario: self.scenario.clone(),
            overrides: self.overrides.clone(),
            inputs: self.inputs.clone(),
            targets: self.targets.clone(),
            settings,
            strict_units: self.strict_units,
        })
    }
}

/// A shard's fingerprint, written as `shard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Layout version ([`SHARD_FORMAT`]).
    pub format: u32,
    /// The sandtable release that ran the shard.
    pub sandtable_version: String,
    /// Which shard this is.
    pub shard: Shard,
    /// Runs of the whole study.
    pub runs: u64,
    /// First run of this shard.
    pub first_run: u64,
    /// Runs of this shard.
    pub shard_runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Sampling design.
    pub sampler: String,
    /// SHA-256 of the model file.
    pub model_sha256: String,
    /// SHA-256 of everything else that defines the study: the request, the study files'
    /// hashes, the scenario, run count, seed and sampler.
    pub study_sha256: String,
    /// The request that built the study.
    pub request: RequestRecord,
    /// SHA-256 of `records.bin`.
    pub records_sha256: String,
}

impl ShardInfo {
    /// Checks that `shards` (each with the directory it came from) are all the shards of one
    /// study, each once. Returns them ordered by index.
    pub fn check_set(
        mut shards: Vec<(String, ShardInfo)>,
    ) -> Result<Vec<(String, ShardInfo)>, Diagnostic> {
        let Some((dir0, first)) = shards.first().cloned() else {
            return Err(Diagnostic::plain(
                "merge needs at least one shard directory",
            ));
        };
        for (dir, s) in &shards {
            if s.format != SHARD_FORMAT {
                return Err(Diagnostic::plain(format!(
                    "{dir}: shard format {} is not the format {SHARD_FORMAT} this sandtable reads",
                    s.format
                ))
                .with_hint("merge with the sandtable release that wrote the shards"));
            }
            let differs = [
                ("seed", s.seed != first.seed),
                ("sampler", s.sampler != first.sampler),
                ("run count", s.runs != first.runs),
                ("shard count", s.shard.count != first.shard.count),
                ("model (model_sha256)", s.model_sha256 != first.model_sha256),
                ("request", s.request != first.request),
                ("study (study_sha256)", s.study_sha256 != first.study_sha256),
                (
                    "sandtable version",
                    s.sandtable_version != first.sandtable_version,
                ),
            ];
            if let Some((what, _)) = differs.iter().find(|d| d.1) {
                return Err(Diagnostic::plain(format!(
                    "{dir} and {dir0} are shards of different studies: the {what} differs"
                ))
                .with_hint("merge only the shards of one `mc … --shard I/N` study"));
            }
            let (lo, hi) = s.shard.range(s.runs);
            if (s.first_run, s.shard_runs) != (lo, hi - lo) {
                return Err(Diagnostic::plain(format!(
                    "{dir}: shard {}/{} should hold runs {lo}..{hi}, but holds {} runs from run {}",
                    s.shard.index, s.shard.count, s.shard_runs, s.first_run
                )));
            }
        }
        shards.sort_by_key(|(_, s)| s.shard.index);
        for pair in shards.windows(2) {
            if pair[0].1.shard.index == pair[1].1.shard.index {
                return Err(Diagnostic::plain(format!(
                    "shard {}/{} is given twice: {} and {}",
                    pair[0].1.shard.index, first.shard.count, pair[0].0, pair[1].0
                ))
                .with_hint("give each shard directory once"));
            }
        }
        let missing: Vec<String> = (0..first.shard.count)
            .filter(|i| !shards.iter().any(|(_, s)| s.shard.index == *i))
            .map(|i| i.to_string())
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(20).map(String::as_str).collect();
            return Err(Diagnostic::plain(format!(
                "{} of {} shards missing: {}{}",
                missing.len(),
                first.shard.count,
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ))
            .with_hint(
                "run the missing shards (`mc … --shard I/N`) and merge every shard directory",
            ));
        }
        Ok(shards)
    }
}

impl<'p> Plan<'p> {
    /// Restricts the plan to one shard's block of the study's runs; the design (a Latin
    /// hypercube in particular) stays that of the whole study.
    pub fn shard(mut self, shard: Shard) -> Result<Plan<'p>, Diagnostic> {
        if self.settings.first_run() != 0 {
            return Err(Diagnostic::plain(
                "--shard splits the whole study and cannot start at a first run",
            )
            .with_hint("drop --first-run (or `first_run` in the study file)"));
        }
        let runs = self.settings.runs();
        let (lo, hi) = shard.range(runs);
        if hi == lo {
            return Err(Diagnostic::plain(format!(
                "shard {}/{} of a study of {runs} runs holds no run",
                shard.index, shard.count
            ))
            .with_hint("use at most as many shards as runs"));
        }
        self.range = (lo, hi - lo);
        Ok(self)
    }

    /// Names of the uncertain inputs, in record order.
    pub fn input_names(&self) -> &[String] {
        &self.input_names
    }

    /// Names of the targets, in record order.
    pub fn target_names(&self) -> Vec<String> {
        self.targets
            .targets()
            .iter()
            .map(|t| t.name.clone())
            .collect()
    }

    /// The shape of this plan's run records.
    pub fn record_shape(&self) -> RecordShape {
        RecordShape {
            inputs: self.params.len(),
            targets: self.targets.len(),
            cells: self.tracked * self.prog.saved_rows(),
        }
    }

    /// Runs the plan's runs (on `threads` threads, `None`: every core) and hands each run's
    /// record to `sink` as it comes, in run order, holding none of them.
    pub fn execute_each(
        &self,
        threads: Option<usize>,
        progress: &(dyn Fn(u64) + Sync),
        sink: &mut RecordSink<'_>,
    ) -> Result<(), Diagnostic> {
        on_pool(threads, || self.for_each_run(progress, sink))
    }

    /// The fingerprint of a shard of this plan's study, built from `request`, with the hash
    /// of its records file.
    pub fn shard_info(
        &self,
        request: &StudyRequest,
        shard: Shard,
        records_sha256: String,
    ) -> ShardInfo {
        let record = RequestRecord::of(request);
        let s = &self.settings;
        ShardInfo {
            format: SHARD_FORMAT,
            sandtable_version: env!("CARGO_PKG_VERSION").to_string(),
            shard,
            runs: s.runs(),
            first_run: self.range.0,
            shard_runs: self.range.1,
            seed: s.seed(),
            sampler: s.sampler().name().to_string(),
            model_sha256: self.provenance.model.sha256.clone(),
            study_sha256: self.study_sha256(&record),
            request: record,
            records_sha256,
        }
    }

    /// Hash of what defines the study besides the model file.
    fn study_sha256(&self, record: &RequestRecord) -> String {
        let files: Vec<&str> = self
            .provenance
            .study_files
            .iter()
            .map(|f| f.sha256.as_str())
            .collect();
        let s = &self.settings;
        let text = serde_json::to_string(&(
            record,
            files,
            &self.scenario.0,
            s.runs(),
            s.seed(),
            s.sampler().name(),
        ))
        .unwrap_or_default();
        sha256_hex(text.as_bytes())
    }

    /// Checks that `info` is a shard of this (whole, unsharded) plan's study.
    pub fn check_shard(&self, info: &ShardInfo) -> Result<(), Diagnostic> {
        let mine = self.shard_info(&info.request.request()?, info.shard, String::new());
        if mine.model_sha256 != info.model_sha256 {
            return Err(Diagnostic::plain(format!(
                "the model file {} changed since the shards ran (SHA-256 {} now, {} then)",
                info.request.model, mine.model_sha256, info.model_sha256
            ))
            .with_hint("merge with the model the shards ran"));
        }
        if mine.study_sha256 != info.study_sha256 {
            return Err(Diagnostic::plain(
                "the study (study files, scenario, runs, seed or sampler) changed since the shards ran",
            )
            .with_hint("merge with the study files the shards ran"));
        }
        Ok(())
    }

    /// Folds `records` of every run of the whole study, in run order, into the study's
    /// result: what [`Plan::execute`] gives when it runs them itself. Records are taken one
    /// at a time (the first error stops the fold), so they may be read from disk as they go.
    pub fn replay(
        &self,
        records: impl IntoIterator<Item = Result<RunRecord, Diagnostic>>,
    ) -> Result<StudyResult, Diagnostic> {
        let (first, runs) = self.range;
        let shape = self.record_shape();
        let mut agg = Aggregator::new(self)?;
        let mut next = first;
        for r in records {
            let r = r?;
            if r.run != next {
                return Err(Diagnostic::plain(format!(
                    "the records hold run {} where run {next} belongs",
                    r.run
                )));
            }
            let fits = match &r.result {
                RunResult::Done(o, cells) => o.len() == shape.targets && cells.len() == shape.cells,
                RunResult::Failed(_) => true,
            };
            if !fits || r.inputs.len() != shape.inputs {
                return Err(Diagnostic::plain(format!(
                    "run {}'s record does not fit the study",
                    r.run
                )));
            }
            agg.push(r.run, &r.inputs, r.result.view())?;
            next += 1;
        }
        if next != first + runs {
            return Err(Diagnostic::plain(format!(
                "the records end at run {next} of {}",
                first + runs
            )));
        }
        agg.finish(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_runs_in_contiguous_blocks() {
        for (runs, n) in [(10u64, 4u64), (7, 7), (1000, 3), (5, 2), (u64::MAX / 2, 5)] {
            let mut next = 0;
            for i in 0..n {
                let (lo, hi) = Shard::new(i, n).unwrap().range(runs);
                assert_eq!(lo, next);
                // ⌊I·R/N⌋, checked by hand for the small cases.
                assert_eq!(
                    lo,
                    (u128::from(i) * u128::from(runs) / u128::from(n)) as u64
                );
                next = hi;
            }
            assert_eq!(next, runs);
        }
        assert_eq!(Shard::new(1, 4).unwrap().range(10), (2, 5));
        assert_eq!(Shard::new(3, 4).unwrap().range(10), (7, 10));
    }

    #[test]
    fn shard_text_and_bad_shards() {
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
        for bad in ["8/8", "1/0", "x/2", "3", "-1/4"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|p| p.0 == k).map(|p| p.1.to_string())
    }

    #[test]
    fn auto_reads_kubernetes_and_slurm() {
        let k8s = [("JOB_COMPLETION_INDEX", "3")];
        assert_eq!(
            Shard::from_env(Some(5), env(&k8s)).unwrap(),
            Shard { index: 3, count: 5 }
        );
        let e = Shard::from_env(None, env(&k8s)).unwrap_err();
        assert!(e.message.contains("--shards"), "{}", e.message);
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "12"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(
            Shard::from_env(None, env(&slurm)).unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert!(Shard::from_env(Some(3), env(&slurm)).is_err());
        let past = [
            ("SLURM_ARRAY_TASK_ID", "14"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert!(Shard::from_env(None, env(&past)).is_err());
        let e = Shard::from_env(Some(4), env(&[])).unwrap_err();
        assert!(e.message.contains("neither"), "{}", e.message);
        assert!(Shard::from_env(Some(4), env(&[("JOB_COMPLETION_INDEX", "x")])).is_err());
    }

    fn info(index: u64, count: u64, runs: u64) -> (String, ShardInfo) {
        let (lo, hi) = Shard::new(index, count).unwrap().range(runs);
        let request = RequestRecord::of(&StudyRequest::new("m.toml"));
        (
            format!("d{index}"),
            ShardInfo {
                format: SHARD_FORMAT,
                sandtable_version: "0".into(),
                shard: Shard { index, count },
                runs,
                first_run: lo,
                shard_runs: hi - lo,
                seed: 1,
                sampler: "lhs".into(),
                model_sha256: "a".into(),
                study_sha256: "b".into(),
                request,
                records_sha256: String::new(),
            },
        )
    }

    #[test]
    fn a_complete_set_is_ordered_and_gaps_duplicates_and_strangers_are_refused() {
        let set = vec![info(2, 3, 10), info(0, 3, 10), info(1, 3, 10)];
        let ordered = ShardInfo::check_set(set).unwrap();
        assert_eq!(
            ordered.iter().map(|s| s.1.shard.index).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        let e = ShardInfo::check_set(vec![info(0, 3, 10), info(2, 3, 10)]).unwrap_err();
        assert!(
            e.message.contains("1 of 3 shards missing: 1"),
            "{}",
            e.message
        );
        let e =
            ShardInfo::check_set(vec![info(0, 2, 10), info(0, 2, 10), info(1, 2, 10)]).unwrap_err();
        assert!(e.message.contains("given twice"), "{}", e.message);
        let mut other = info(1, 2, 10);
        other.1.seed = 2;
        let e = ShardInfo::check_set(vec![info(0, 2, 10), other]).unwrap_err();
        assert!(e.message.contains("seed differs"), "{}", e.message);
        let mut model = info(1, 2, 10);
        model.1.model_sha256 = "z".into();
        let e = ShardInfo::check_set(vec![info(0, 2, 10), model]).unwrap_err();
        assert!(e.message.contains("model"), "{}", e.message);
        let mut moved = info(1, 2, 10);
        moved.1.first_run = 4;
        assert!(ShardInfo::check_set(vec![info(0, 2, 10), moved]).is_err());
        assert!(ShardInfo::check_set(vec![]).is_err());
    }

    #[test]
    fn requests_read_back_exactly() {
        let mut r = StudyRequest::new("models/m.toml");
        r.inputs = vec!["q=uniform(0, 1)".into()];
        r.targets = vec!["t: x at 1 >= 2".into()];
        r.settings.likely = Some(0.1 + 0.7);
        r.settings.max_failed = Some(1e-17);
        r.settings.sampler = Some(crate::study::Sampler::LatinHypercube);
        r.settings.method = Some(crate::model::Method::Rk4);
        r.settings.runs = Some(123);
        let rec = RequestRecord::of(&r);
        let json = serde_json::to_string(&rec).unwrap();
        let back: RequestRecord = serde_json::from_str(&json).unwrap();
        let again = back.request().unwrap();
        assert_eq!(again.settings, r.settings);
        assert_eq!(again.inputs, r.inputs);
        assert_eq!(again.targets, r.targets);
        assert_eq!(again.model, r.model);
    }
}
