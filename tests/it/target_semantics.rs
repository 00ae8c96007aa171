//! What targets read from a run: `sum` and `mean` integrate at every integration step by the
//! model's method, whatever the save step; the stop time and every time a target names are
//! recorded exactly; `every(...)` reports a time to target exactly when it is met; failed
//! runs count as misses.

use crate::util::*;
use sandtable::montecarlo::result::StudyResult;
use sandtable::study::Settings;

fn study(text: &str, runs: u64) -> StudyResult {
    let (_dir, path) = model_file(text);
    let settings = Settings {
        runs: Some(runs),
        seed: Some(7),
        ..Settings::default()
    };
    run_scenario(&resolve(&path, settings), "baseline")
}

/// The metric of target `name` in the first run.
fn metric(result: &StudyResult, name: &str) -> f64 {
    let t = result
        .summary
        .targets
        .iter()
        .position(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    result.metrics[t][0]
}

/// A rate of 10 people/month over 12 months is 120 people, however often the run saves.
#[test]
fn the_sum_of_a_rate_is_its_total_over_time_whatever_the_save_step() {
    for (dt, save) in [(0.25, 0.25), (0.25, 1.0), (0.125, 5.0), (1.0, 1.0)] {
        let text = format!(
            r#"
[sim]
start = 0
stop = 12
dt = {dt}
save_step = {save}
[stocks]
people = {{ initial = 0, inflows = ["joining"] }}
[flows]
joining = 10
[targets]
total = "sum(joining, 0, 12) >= 120"
first_half = "sum(joining, 0, 6) >= 60"
average = "mean(joining, 0, 12) >= 10"
quarterly = "every(sum(joining), [0 to 12 by 3]) >= 30"
"#
        );
        let r = study(&text, 2);
        let at = format!("dt {dt}, save step {save}");
        assert!((metric(&r, "total") - 120.0).abs() < 1e-9, "{at}");
        assert!((metric(&r, "first_half") - 60.0).abs() < 1e-9, "{at}");
        assert!((metric(&r, "average") - 10.0).abs() < 1e-12, "{at}");
        assert!((metric(&r, "quarterly") - 30.0).abs() < 1e-9, "{at}");
        for t in &r.summary.targets {
            assert_eq!(t.probability, 1.0, "{} at {at}", t.name);
        }
    }
}

/// `sum` integrates the way the model's method integrates its stocks: Euler is the left
/// Riemann sum, RK4 is exact for a cubic. The rate `t²` over [0, 3] with dt = 1: Euler
/// 0 + 1 + 4 = 5, RK4 9 (the trapezoid of the saved points would give 9.5).
#[test]
fn the_sum_follows_the_integration_method() {
    for (method, expected) in [("euler", 5.0), ("rk2", 9.5), ("rk4", 9.0)] {
        let text = format!(
            r#"
[sim]
start = 0
stop = 3
dt = 1
method = "{method}"
[aux]
rate = "TIME * TIME"
[targets]
total = "sum(rate, 0, 3) >= 0"
"#
        );
        let got = metric(&study(&text, 1), "total");
        assert!((got - expected).abs() < 1e-12, "{method}: {got}");
    }
}

/// Conservation: what flowed in minus what flowed out is the stock's change, to rounding,
/// for every method, with a non-negative stock whose outflow gets cut.
#[test]
fn summed_flows_balance_the_stock() {
    for method in ["euler", "rk2", "rk4"] {
        let text = format!(
            r#"
[sim]
start = 0
stop = 30
dt = 0.5
save_step = 7
method = "{method}"
[stocks]
tank = {{ initial = 20, inflows = ["fill"], outflows = ["drain"], non_negative = true }}
[flows]
fill = "2 + SIN(TIME)"
drain = "IF TIME > 10 THEN 9 ELSE 1"
[targets]
balance = "sum(fill, 0, 30) - sum(drain, 0, 30) - change(tank, 0, 30) <= 0"
window = "sum(fill, 3.25, 17.75) - sum(drain, 3.25, 17.75) - change(tank, 3.25, 17.75) <= 0"
"#
        );
        let r = study(&text, 1);
        for name in ["balance", "window"] {
            let m = metric(&r, name);
            assert!(m.abs() < 1e-9, "{method} {name}: {m}");
        }
    }
}

/// The stop time and times between save points are recorded, not interpolated or missed.
#[test]
fn target_times_off_the_save_grid_are_read_exactly() {
    let text = r#"
[sim]
start = 0
stop = 12
dt = 0.25
save_step = 5
[stocks]
x = { initial = 1, inflows = ["g"] }
[flows]
g = "x * 0.1"
[targets]
at_stop = "x at 12 >= 0"
between = "x at 7.25 >= 0"
off_grid = "x at 7.3 >= 0"
"#;
    let r = study(text, 1);
    let euler = |t: f64| 1.025f64.powf(t / 0.25);
    assert!((metric(&r, "at_stop") - euler(12.0)).abs() < 1e-12);
    assert!((metric(&r, "between") - euler(7.25)).abs() < 1e-12);
    // Between two integration steps: linear between them.
    let expect = euler(7.25) + (euler(7.5) - euler(7.25)) * (0.05 / 0.25);
    assert!((metric(&r, "off_grid") - expect).abs() < 1e-12);
    assert_eq!(r.summary.targets[0].probability, 1.0);
    // The bands keep the save step.
    assert_eq!(r.times, vec![0.0, 5.0, 10.0]);
}

/// A run stopped by a numeric fault is a miss of every target: the probability's
/// denominator is every run attempted, and such a run never reaches a target.
#[test]
fn failed_runs_count_as_misses() {
    let text = r#"
[sim]
start = 0
stop = 2
dt = 1
[aux]
x = "SQRT(r)"
[constants]
r = { value = 0.5, dist = "uniform(-1, 1)" }
[targets]
ok = "x at 2 >= 0"
"#;
    let r = study(text, 400);
    let s = &r.summary;
    let t = &s.targets[0];
    let failed = s.failed_runs.count;
    assert!(failed > 120 && failed < 280, "{failed} of 400 failed");
    assert_eq!(t.runs, 400);
    assert_eq!(t.successes + failed, 400);
    assert_eq!(t.probability, t.successes as f64 / 400.0);
    assert_eq!(s.joint_probability.runs, 400);
    assert!((t.time_to_target.never_share - (1.0 - t.probability)).abs() < 1e-12);
}

/// A checkpoint series is reached when its last period is seen to meet the goal: runs
/// that never reach it are exactly the runs that miss it.
#[test]
fn every_reports_a_time_to_target_exactly_when_met() {
    let text = r#"
[sim]
start = 0
stop = 12
dt = 0.25
[stocks]
x = { initial = 100, inflows = ["g"] }
[flows]
g = "rate * x"
[constants]
rate = { value = 0.05, dist = "normal(0.06, 0.03)" }
[targets]
monthly = "every(growth(x), [0 to 12 by 3]) >= 15%"
"#;
    let r = study(text, 300);
    let t = &r.summary.targets[0];
    assert!(
        t.probability > 0.05 && t.probability < 0.95,
        "{}",
        t.probability
    );
    assert!((t.time_to_target.never_share - (1.0 - t.probability)).abs() < 1e-12);
    let q = t
        .time_to_target
        .quantiles
        .as_ref()
        .expect("some runs meet it");
    assert_eq!((q.p5, q.p95), (12.0, 12.0));
}
