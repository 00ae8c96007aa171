//! Engine speed on the 40-variable growth model against the same model written by hand.
//!
//! Run with `cargo bench --bench engine`; docs/performance.md records the figures.

mod handwritten;

use criterion::{criterion_group, criterion_main, Criterion};
use sandtable::compile::{compile, Program};
use sandtable::loader::load_model;
use sandtable::model::Model;
use sandtable::simulate::{Engine, Simulation};
use std::hint::black_box;
use std::path::Path;

fn growth40() -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/growth40.toml");
    load_model(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// A simulation of `prog` on `engine`.
fn simulation(prog: &Program, engine: Engine) -> Simulation<'_> {
    let mut sim = Simulation::new(prog);
    sim.set_engine(engine);
    assert_eq!(sim.engine(), engine, "growth40 runs on {engine:?}");
    sim
}

/// Refuses to time anything unless the engine and the hand-written model agree.
fn check_agreement(prog: &Program, engine: Engine) {
    let traj = simulation(prog, engine)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let (times, data) = handwritten::run(&handwritten::Params::model_values());
    assert_eq!(traj.names, handwritten::COLUMNS, "column layout differs");
    assert_eq!(traj.times, times, "save times differ");
    for (i, (a, b)) in traj.data.iter().zip(&data).enumerate() {
        let scale = a.abs().max(b.abs()).max(1e-300);
        assert!(
            (a - b).abs() <= 1e-9 * scale,
            "row {} `{}`: engine {a} vs hand-written {b}",
            i / traj.width(),
            traj.names[i % traj.width()]
        );
    }
}

fn engine(c: &mut Criterion) {
    let model = growth40();
    let prog = compile(&model).unwrap_or_else(|e| panic!("{e}"));
    check_agreement(&prog, Engine::Interpreter);
    check_agreement(&prog, Engine::Native);
    let revenue = prog
        .column("cumulative_revenue")
        .map(|c| prog.columns[c].slot as usize)
        .expect("growth40 has cumulative_revenue");
    let params = handwritten::Params::model_values();

    let mut group = c.benchmark_group("growth40");
    group.bench_function("engine run (all columns)", |b| {
        let mut sim = simulation(&prog, Engine::Interpreter);
        b.iter(|| black_box(sim.run().expect("growth40 runs")));
    });
    group.bench_function("native engine run (all columns)", |b| {
        let mut sim = simulation(&prog, Engine::Native);
        b.iter(|| black_box(sim.run().expect("growth40 runs")));
    });
    group.bench_function("hand-written run (all columns)", |b| {
        b.iter(|| black_box(handwritten::run(black_box(&params))));
    });
    for (name, engine) in [
        ("engine run_with (one column)", Engine::Interpreter),
        ("native engine run_with (one column)", Engine::Native),
    ] {
        group.bench_function(name, |b| {
            let mut sim = simulation(&prog, engine);
            let mut out = Vec::with_capacity(prog.saved_rows());
            b.iter(|| {
                out.clear();
                sim.run_with(|_, slots| out.push(slots[revenue]))
                    .expect("growth40 runs");
                black_box(&out);
            });
        });
    }
    // What a Monte Carlo run does: rows kept through `run_rows`, on the compiled loop.
    group.bench_function("native engine run_rows (one column)", |b| {
        let mut sim = simulation(&prog, Engine::Native);
        let (mut times, mut data) = (Vec::new(), Vec::new());
        b.iter(|| {
            sim.run_rows(&[revenue], &mut times, &mut data)
                .expect("growth40 runs");
            black_box(&data);
        });
    });
    group.bench_function("hand-written run_with (one column)", |b| {
        let mut out = Vec::with_capacity(prog.saved_rows());
        b.iter(|| {
            out.clear();
            handwritten::run_with(black_box(&params), |_, x, _| out.push(x[7]));
            black_box(&out);
        });
    });
    group.bench_function("compile", |b| {
        b.iter(|| black_box(compile(black_box(&model)).expect("growth40 compiles")));
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
