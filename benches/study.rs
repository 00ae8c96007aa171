//! The whole study path per run — sampling, the engine, saving, targets, percentile bands
//! and every statistic of the summary (not the report files) — on one thread, for teacup
//! (beside a hand-written teacup loop), growth40 and the reference model.
//!
//! Run with `cargo bench --bench study`; criterion's throughput line gives runs per second,
//! and time per iteration divided by the runs per iteration is the time per run.
//! docs/performance.md records the figures.

#[path = "handwritten/teacup.rs"]
mod teacup;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sandtable::montecarlo::runner::Plan;
use sandtable::study::{Settings, Study, StudyRequest};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The teacup model of the shared test-models suite, if present.
fn teacup_path() -> Option<PathBuf> {
    let p = root().join("../shared/test-models/samples/teacup/teacup.xmile");
    p.exists().then_some(p)
}

fn study(model: &Path, vary: &[&str], targets: &[&str], runs: u64) -> Study {
    let request = StudyRequest {
        inputs: vary.iter().map(|s| s.to_string()).collect(),
        targets: targets.iter().map(|s| s.to_string()).collect(),
        settings: Settings {
            runs: Some(runs),
            seed: Some(1),
            ..Settings::default()
        },
        ..StudyRequest::new(model)
    };
    Study::resolve(&request).unwrap_or_else(|e| panic!("{e}"))
}

/// Times `runs` runs of `study`'s baseline on one thread, per iteration.
fn bench_study(c: &mut Criterion, name: &str, study: &Study, runs: u64, samples: usize) {
    let scenario = study.compile_requested().unwrap_or_else(|e| panic!("{e}"));
    let plan = Plan::new(&scenario).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group(name);
    group.sample_size(samples);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(runs));
    group.bench_function(format!("study, {runs} runs"), |b| {
        b.iter(|| black_box(plan.execute_on(Some(1), &|_| {}).expect("study runs")));
    });
    group.finish();
}

/// The hand-written teacup agrees with the engine's study inputs to 1e-12 relative.
fn check_teacup(path: &Path) {
    let prog = sandtable::compile::compile(
        &sandtable::loader::load_model(path).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let traj = sandtable::simulate::Simulation::new(&prog)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let col = traj.column("Teacup Temperature").expect("teacup column");
    let engine: Vec<f64> = traj.series(col).collect();
    let mut hand = Vec::new();
    teacup::run_into(10.0, &mut hand);
    assert_eq!(engine.len(), hand.len(), "saved rows differ");
    for (a, b) in engine.iter().zip(&hand) {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs(),
            "engine {a} vs hand-written {b}"
        );
    }
}

fn studies(c: &mut Criterion) {
    if let Some(path) = teacup_path() {
        check_teacup(&path);
        let s = study(
            &path,
            &["Characteristic_Time=uniform(5, 15)"],
            &["cool: Teacup_Temperature at 10 <= 120"],
            20_000,
        );
        bench_study(c, "teacup", &s, 20_000, 10);
        let mut group = c.benchmark_group("teacup");
        group.throughput(Throughput::Elements(20_000));
        group.sample_size(10);
        group.bench_function("hand-written loop, 20000 runs", |b| {
            let mut out = Vec::with_capacity(teacup::STEPS + 1);
            b.iter(|| {
                for k in 0..20_000u32 {
                    teacup::run_into(5.0 + f64::from(k) / 2000.0, &mut out);
                    black_box(&out);
                }
            });
        });
        group.finish();
    } else {
        eprintln!("teacup skipped: ../shared/test-models is not beside the crate");
    }
    let g40 = study(
        &root().join("models/growth40.toml"),
        &[],
        &["rev: cumulative_revenue at 365 >= 1e5"],
        2_000,
    );
    bench_study(c, "growth40", &g40, 2_000, 10);
    let eg = study(&root().join("models/enterprise_growth.toml"), &[], &[], 200);
    bench_study(c, "enterprise_growth", &eg, 200, 10);
}

criterion_group!(benches, studies);
criterion_main!(benches);
