//! Loop scores of models whose dominance is known by hand: the logistic model (growth gives
//! way to saturation at x = K/2) and a damped oscillator (friction dominates at the turning
//! points, the spring at the crossings of zero).

use super::{LoopScorer, LoopScores};
use crate::analysis::feedback_loops;
use crate::diagnostic::SourceFile;
use crate::model::{toml_file, Model};
use crate::simulate::Simulation;
use std::sync::Arc;

fn model(text: &str) -> Model {
    let file = Arc::new(SourceFile {
        path: "test.toml".into(),
        text: text.into(),
    });
    toml_file::parse(&file, "test").unwrap_or_else(|e| panic!("{e}"))
}

fn scores(model: &Model) -> LoopScores {
    let prog = crate::compile::compile(model).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = model.variables.iter().map(|v| v.name.clone()).collect();
    let report = feedback_loops(model, 200);
    let scorer = LoopScorer::new(&prog, &names, &report);
    scorer.score(&mut Simulation::new(&prog)).unwrap()
}

const LOGISTIC: &str = r#"
[sim]
start = 0
stop = 30
dt = 0.25
save_step = 0.5
[stocks]
x = { initial = 1, inflows = ["births"], outflows = ["deaths"] }
[flows]
births = { equation = "r * x" }
deaths = { equation = "r * x * x / k" }
[constants]
r = { value = 0.5 }
k = { value = 100 }
"#;

/// The logistic model by Euler's rule, step by step.
fn logistic_path(steps: usize) -> Vec<f64> {
    let (r, k, dt) = (0.5, 100.0, 0.25);
    let mut x = vec![1.0];
    for n in 0..steps {
        let v: f64 = x[n];
        x.push(v + dt * (r * v - r * v * v / k));
    }
    x
}

#[test]
fn logistic_scores_match_the_hand_computation_at_every_save_time() {
    let s = scores(&model(LOGISTIC));
    let ids: Vec<&str> = s.loops.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["R1", "B1"]);
    assert_eq!(s.loops[0].path(), "x → births → x");
    assert_eq!(s.loops[1].path(), "x → deaths → x");
    let x = logistic_path(120);
    assert_eq!(s.times.len(), 61);
    assert_eq!(s.row(0), [0.0, 0.0]);
    // With s = (x₁ + x₂)/K over the step before a save time, the link scores are
    // x → births 1, x → deaths 1, births → x 1/|1 − s|, deaths → x −s/|1 − s|, so the
    // relative scores are 1/(1 + s) and −s/(1 + s).
    for row in 1..s.times.len() {
        let (x1, x2) = (x[2 * row - 1], x[2 * row]);
        let sum = (x1 + x2) / 100.0;
        let (r, b) = (1.0 / (1.0 + sum), -sum / (1.0 + sum));
        let got = s.row(row);
        assert!((got[0] - r).abs() < 1e-9, "t = {}: {got:?}", s.times[row]);
        assert!((got[1] - b).abs() < 1e-9, "t = {}: {got:?}", s.times[row]);
    }
    // One time by hand: x = 1, 1.12375, 1.262640232421875 at t = 0, 0.25, 0.5, so at
    // t = 0.5, s = 0.02386390232421875, R1 = 0.97669231011…, B1 = −0.02330768988…
    assert!((s.row(1)[0] - 0.976_692_310_110_702_7).abs() < 1e-12);
    assert!((s.row(1)[1] + 0.023_307_689_889_297_38).abs() < 1e-12);
}

#[test]
fn logistic_dominance_switches_at_half_the_capacity_within_one_save_step() {
    let s = scores(&model(LOGISTIC));
    let x = logistic_path(120);
    // The inflection: the first integration step at which x is past K/2.
    let half = x.iter().position(|&v| v >= 50.0).unwrap() as f64 * 0.25;
    let first_b = (1..s.times.len())
        .find(|&r| s.dominant(r) == Some(1))
        .unwrap();
    assert!((1..first_b).all(|r| s.dominant(r) == Some(0)));
    assert!((first_b..s.times.len()).all(|r| s.dominant(r) == Some(1)));
    let switch = s.times[first_b];
    assert!(
        (switch - half).abs() <= 0.5,
        "switch at {switch}, x reaches K/2 at {half}"
    );
}

const OSCILLATOR: &str = r#"
[sim]
start = 0
stop = 40
dt = 0.05
save_step = 0.05
[stocks]
position = { initial = 1, inflows = ["motion"] }
velocity = { initial = 0, inflows = ["spring"], outflows = ["friction"] }
[flows]
motion = { equation = "velocity" }
spring = { equation = "-stiffness * position" }
friction = { equation = "damping * velocity" }
[constants]
stiffness = { value = 1 }
damping = { value = 0.2 }
"#;

/// The oscillator by Euler's rule: (position, velocity) at every step.
fn oscillator_path(steps: usize) -> Vec<(f64, f64)> {
    let (k, c, dt) = (1.0, 0.2, 0.05);
    let mut out = vec![(1.0, 0.0)];
    for n in 0..steps {
        let (p, v): (f64, f64) = out[n];
        out.push((p + dt * v, v + dt * (-k * p - c * v)));
    }
    out
}

#[test]
fn damped_oscillator_scores_match_the_recursion() {
    let s = scores(&model(OSCILLATOR));
    let paths: Vec<(&str, String)> = s.loops.iter().map(|l| (l.id.as_str(), l.path())).collect();
    assert_eq!(
        paths,
        [
            ("B1", "velocity → friction → velocity".to_string()),
            (
                "B2",
                "position → spring → velocity → motion → position".to_string()
            )
        ]
    );
    // Links: position → spring −1, spring → velocity |Δa/Δnet|, velocity → motion 1,
    // motion → position 1; velocity → friction 1, friction → velocity −|Δf/Δnet|. Relative:
    // spring −|Δa|/(|Δa| + |Δf|), friction −|Δf|/(|Δa| + |Δf|).
    let x = oscillator_path(800);
    assert_eq!(s.times.len(), 801);
    for row in 2..s.times.len() {
        let ((p1, v1), (p2, v2)) = (x[row - 1], x[row]);
        let (da, df) = ((p2 - p1).abs(), 0.2 * (v2 - v1).abs());
        let got = s.row(row);
        assert!(
            (got[0] + df / (da + df)).abs() < 1e-9,
            "t = {}",
            s.times[row]
        );
        assert!(
            (got[1] + da / (da + df)).abs() < 1e-9,
            "t = {}",
            s.times[row]
        );
    }
}

#[test]
fn damped_oscillator_alternates_between_friction_and_spring() {
    // Friction dominates where the position turns (its velocity, hence its change, is zero);
    // the spring where the position crosses zero (k = 1 exceeds c² = 0.04 there).
    let s = scores(&model(OSCILLATOR));
    let x = oscillator_path(800);
    let mut turns = 0;
    let mut crossings = 0;
    for row in 2..s.times.len() {
        let ((p1, v1), (p2, v2)) = (x[row - 1], x[row]);
        if v1 * v2 < 0.0 {
            turns += 1;
            assert_eq!(s.dominant(row), Some(0), "turn at t = {}", s.times[row]);
        }
        if p1 * p2 < 0.0 {
            crossings += 1;
            assert_eq!(s.dominant(row), Some(1), "crossing at t = {}", s.times[row]);
        }
    }
    assert!(
        turns >= 10 && crossings >= 10,
        "{turns} turns, {crossings} crossings"
    );
    // The run starts at a turn (velocity 0), under friction; before each later turn or
    // crossing dominance changes hands exactly once, so the phases alternate.
    let switches = (3..s.times.len())
        .filter(|&r| s.dominant(r) != s.dominant(r - 1))
        .count();
    assert_eq!(switches, turns + crossings);
}
