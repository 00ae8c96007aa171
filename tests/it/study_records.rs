//! A study's per-run records on disk: the statistics and every report file read from the
//! records file equal those of the records kept in memory, bit for bit, whatever the
//! budget, the point where the records move to disk and the thread count; and the file,
//! not memory, grows with the runs.

use crate::util::*;
use sandtable::montecarlo::per_run::RecordsPolicy;
use sandtable::montecarlo::result::StudyResult;
use sandtable::montecarlo::runner::Plan;
use sandtable::report::export::write_study;
use sandtable::study::{Settings, Study};
use std::path::Path;

const MODEL: &str = r#"
[sim]
start = 0
stop = 10
dt = 0.125
method = "rk4"
[stocks]
x = { initial = 100, inflows = ["growth"] }
[flows]
growth = "r * x - d"
[constants]
r = { value = 0.1, dist = "normal(0.1, 0.03)" }
d = { value = 1, dist = "uniform(0, 4)" }
[targets]
big = "x at 10 >= 250"
early = "first(x >= 200) <= 8"
steady = "every(growth(x), [2, 4, 6, 8, 10]) >= 0.15"
"#;

fn study_of(path: &Path, runs: u64) -> Study {
    resolve(
        path,
        Settings {
            runs: Some(runs),
            seed: Some(7),
            ..Settings::default()
        },
    )
}

/// Runs the study with its records kept as `policy` says, on `threads` threads.
fn run(study: &Study, policy: Option<RecordsPolicy>, threads: usize) -> StudyResult {
    let scenario = study.compile("baseline").unwrap();
    let mut plan = Plan::new(&scenario).unwrap();
    if let Some(p) = policy {
        plan = plan.with_records(p);
    }
    plan.execute_on(Some(threads), &|_| {}).unwrap()
}

fn on_disk(dir: &Path, budget: usize) -> Option<RecordsPolicy> {
    Some(RecordsPolicy {
        dir: dir.to_path_buf(),
        memory_budget: budget,
    })
}

/// Every file of the study's report, by name.
fn files(result: &StudyResult) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_study(result, &out).unwrap();
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

fn json(result: &StudyResult) -> String {
    serde_json::to_string(&result.summary).unwrap()
}

fn assert_same_report(a: &StudyResult, b: &StudyResult) {
    assert_eq!(json(a), json(b));
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.iter().map(|f| &f.0).collect::<Vec<_>>(),
        fb.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (x, y) in fa.iter().zip(&fb) {
        assert!(x.1 == y.1, "{} differs", x.0);
    }
}

#[test]
fn records_on_disk_give_the_statistics_and_files_of_records_in_memory() {
    let (dir, path) = model_file(MODEL);
    let study = study_of(&path, 900);
    let memory = run(&study, None, 2);
    assert!(memory.records.is_none());
    assert_eq!(memory.metrics[0].len(), 900);
    let spill = dir.path().join("spill");
    // From the first run; after about 100 runs (41 bytes a run in memory); on one thread.
    for (budget, threads) in [(0, 2), (4_000, 2), (0, 1)] {
        let disk = run(&study, on_disk(&spill, budget), threads);
        let f = disk.records.as_ref().expect("records on disk");
        assert_eq!(f.runs(), 900);
        assert!(disk.metrics.is_empty() && disk.hits.is_empty() && disk.input_values.is_empty());
        assert_same_report(&memory, &disk);
        // The columns read back are the ones held in memory, bit for bit.
        let cols = disk.runs().targets(0..3).unwrap();
        for (t, c) in cols.iter().enumerate() {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&c.metric), bits(&memory.metrics[t]));
            assert_eq!(&c.hits[..], &memory.hits[t][..]);
        }
        assert_eq!(
            disk.runs().inputs(0..2).unwrap()[1][..],
            memory.input_values[1][..]
        );
    }
    // The file has no name: nothing is left beside the outputs.
    assert_eq!(std::fs::read_dir(&spill).unwrap().count(), 0);
}

#[test]
fn the_reference_model_reports_alike_from_disk_and_memory() {
    // 44 inputs and 17 targets: partial rank correlations on a wide table, every kind of
    // target, and passes that read a few columns at a time.
    let study = study_of(Path::new("models/enterprise_growth.toml"), 120);
    let memory = run(&study, None, 2);
    let dir = tempfile::tempdir().unwrap();
    let disk = run(&study, on_disk(dir.path(), 0), 2);
    assert!(disk.records.is_some() && memory.records.is_none());
    assert_same_report(&memory, &disk);
}

#[test]
fn the_records_file_grows_with_the_runs_and_memory_does_not() {
    let (dir, path) = model_file(MODEL);
    let spill = dir.path().join("spill");
    let size = |runs: u64| {
        let r = run(&study_of(&path, runs), on_disk(&spill, 2_000), 2);
        assert!(r.metrics.is_empty() && r.input_values.is_empty());
        let f = r.records.as_ref().expect("records on disk");
        assert_eq!(f.runs(), runs);
        f.bytes()
    };
    let (small, large) = (size(200), size(800));
    // Header of 28 bytes, then per run 9 + 2 inputs × 8 + 3 targets × 22 = 91 bytes.
    assert_eq!(small, 28 + 200 * 91);
    assert_eq!(large, 28 + 800 * 91);
    // Under the budget the records stay in memory and no file is made.
    let r = run(&study_of(&path, 20), on_disk(&spill, 2_000), 2);
    assert!(r.records.is_none());
    assert_eq!(r.input_values[0].len(), 20);
}
