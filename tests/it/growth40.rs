//! The benchmark model `models/growth40.toml`: it runs, conserves its market, and the engine
//! agrees with the same model written by hand in Rust (benches/handwritten), for the model's
//! constants and for overridden ones.

#[path = "../../benches/handwritten/mod.rs"]
mod handwritten;

use handwritten::{Params, COLUMNS};
use sandtable::compile::{compile, Program};
use sandtable::loader::load_model;
use sandtable::model::Method;
use sandtable::simulate::Simulation;
use std::path::Path;

fn program() -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/growth40.toml");
    let model = load_model(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.sim.method, Method::Rk4);
    compile(&model).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_agrees(engine: &[f64], hand: &[f64], width: usize) {
    assert_eq!(engine.len(), hand.len());
    for (i, (a, b)) in engine.iter().zip(hand).enumerate() {
        let scale = a.abs().max(b.abs()).max(1e-300);
        assert!(
            (a - b).abs() <= 1e-9 * scale,
            "row {} `{}`: engine {a} vs hand-written {b}",
            i / width,
            COLUMNS[i % width]
        );
    }
}

#[test]
fn the_model_has_forty_variables_in_the_hand_written_order() {
    let prog = program();
    let names: Vec<&str> = prog.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, COLUMNS);
    assert_eq!(prog.stocks.len(), handwritten::STOCKS);
    assert_eq!(prog.specs.dt, handwritten::DT);
    assert_eq!(prog.specs.stop, handwritten::STOP);
    assert_eq!(prog.steps(), 1460);
    assert_eq!(prog.saved_rows(), 366);
}

#[test]
fn hand_written_constants_are_the_model_file_values() {
    let prog = program();
    let values = Params::model_values().values();
    for (name, value) in COLUMNS[COLUMNS.len() - values.len()..].iter().zip(values) {
        let p = prog
            .param(name)
            .unwrap_or_else(|| panic!("`{name}` is not a constant"));
        assert_eq!(prog.params[p].default, value, "`{name}`");
    }
}

#[test]
fn engine_matches_the_hand_written_model() {
    let prog = program();
    let traj = Simulation::new(&prog)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let (times, data) = handwritten::run(&Params::model_values());
    assert_eq!(traj.times, times);
    assert_agrees(&traj.data, &data, COLUMNS.len());
}

#[test]
fn engine_matches_the_hand_written_model_with_overridden_constants() {
    let prog = program();
    let mut params = Params::model_values();
    params.referrals_per_fan = 0.11;
    params.cost_per_thousand = 6.5;
    params.follow_rate = 0.025;
    let mut sim = Simulation::new(&prog);
    for (name, value) in [
        ("referrals_per_fan", 0.11),
        ("cost_per_thousand", 6.5),
        ("follow_rate", 0.025),
    ] {
        sim.set_param(prog.param(name).expect("a constant"), value);
    }
    let traj = sim.run().unwrap_or_else(|e| panic!("{e}"));
    let (_, data) = handwritten::run(&params);
    assert_agrees(&traj.data, &data, COLUMNS.len());
    // The overrides changed the outcome: the comparison is not of two default runs.
    let (_, defaults) = handwritten::run(&Params::model_values());
    assert_ne!(data, defaults);
}

#[test]
fn people_are_conserved_and_the_funnel_fills() {
    let prog = program();
    let traj = Simulation::new(&prog)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let people: Vec<usize> = [
        "unaware",
        "aware",
        "followers",
        "engaged",
        "customers",
        "lapsed",
    ]
    .iter()
    .map(|n| traj.column(n).expect("a stock"))
    .collect();
    for row in 0..traj.len() {
        let values = traj.row(row);
        let total: f64 = people.iter().map(|&c| values[c]).sum();
        assert!((total - 1e6).abs() < 1e-6, "row {row}: {total} people");
        assert!(people.iter().all(|&c| values[c] >= 0.0), "row {row}");
    }
    // Fresh content settles at posts_per_day × freshness_lifetime = 3 posts.
    let last = traj.row(traj.len() - 1);
    let freshness = last[traj.column("content_freshness").expect("a stock")];
    assert!((freshness - 3.0).abs() < 1e-9, "freshness {freshness}");
    let revenue = traj.column("cumulative_revenue").expect("a stock");
    assert!(traj
        .series(revenue)
        .collect::<Vec<_>>()
        .windows(2)
        .all(|w| w[1] >= w[0]));
}
