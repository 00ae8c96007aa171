//! Tests of target evaluation on hand-built runs with exactly known answers.

use super::*;

/// A run with the given save times and named columns.
fn run(times: &[f64], columns: &[(&str, &[f64])]) -> Trajectory {
    let mut data = Vec::with_capacity(times.len() * columns.len());
    for row in 0..times.len() {
        for (_, values) in columns {
            data.push(values[row]);
        }
    }
    Trajectory {
        names: columns.iter().map(|(n, _)| n.to_string()).collect(),
        times: times.to_vec(),
        data,
    }
}

fn days(n: usize) -> Vec<f64> {
    (0..=n).map(|d| d as f64).collect()
}

fn eval(text: &str, run: &Trajectory) -> Outcome {
    let t = Target::parse("t", text, SourceRef::none()).expect("parses");
    t.evaluate(run).expect("binds")
}

/// fans = 100 + 10 t on days 0..=100.
fn linear() -> Trajectory {
    let t = days(100);
    let fans: Vec<f64> = t.iter().map(|t| 100.0 + 10.0 * t).collect();
    run(&t, &[("fans", &fans)])
}

#[test]
fn value_at_a_saved_time() {
    let r = linear();
    let o = eval("fans at 40 >= 500", &r);
    assert_eq!((o.metric, o.success), (500.0, true));
    assert!(!eval("fans at 40 > 500", &r).success);
    assert!(eval("value(fans, 40) <= 500", &r).success);
    assert!(!eval("fans at 40 < 500", &r).success);
    assert!(o.periods.is_empty());
}

#[test]
fn value_between_saved_points_is_interpolated() {
    let r = run(&[0.0, 10.0, 20.0], &[("fans", &[0.0, 100.0, 400.0])]);
    assert_eq!(eval("fans at 15 >= 0", &r).metric, 250.0);
    assert_eq!(eval("fans at 2.5 >= 0", &r).metric, 25.0);
    assert_eq!(eval("fans at 20 >= 0", &r).metric, 400.0);
    // Outside the saved range there is no value, and the target is missed.
    let o = eval("fans at 25 >= 0", &r);
    assert!(o.metric.is_nan() && !o.success);
    assert!(eval("fans at -1 <= 1e9", &r).metric.is_nan());
}

/// Without a running integral in the run, `sum` and `mean` integrate the piecewise-linear
/// run by the trapezoidal rule: exact here, where x = t + 1.
#[test]
fn window_aggregates_integrate_and_extremes_include_both_ends() {
    let r = run(&days(5), &[("x", &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])]);
    assert_eq!(eval("mean(x, 1, 3) >= 0", &r).metric, 3.0);
    assert_eq!(eval("sum(x, 1, 3) >= 0", &r).metric, 6.0);
    assert_eq!(eval("min(x, 1, 3) >= 0", &r).metric, 2.0);
    assert_eq!(eval("max(x, 1, 3) >= 0", &r).metric, 4.0);
    // Window ends between saved points: the integral runs from end to end.
    assert_eq!(eval("mean(x, 0.5, 2.5) >= 0", &r).metric, 2.5);
    assert_eq!(eval("sum(x, 0.5, 2.5) >= 0", &r).metric, 5.0);
    assert_eq!(eval("mean(x, 1.2, 1.8) >= 0", &r).metric, 2.5);
    // An empty window sums to nothing; its mean is the value there.
    assert_eq!(eval("sum(x, 4, 4) >= 0", &r).metric, 0.0);
    assert_eq!(eval("mean(x, 4, 4) >= 0", &r).metric, 5.0);
    // Extremes of a window with no saved point are undefined.
    assert!(eval("max(x, 1.2, 1.8) >= 0", &r).metric.is_nan());
    // Outside the run there is no integral.
    assert!(eval("sum(x, 4, 9) >= 0", &r).metric.is_nan());
}

/// With a running integral column (what a study records), `sum` and `mean` read it and
/// ignore the saved points: here the points are deliberately inconsistent with it.
#[test]
fn sums_read_the_running_integral_when_the_run_has_one() {
    let integral = crate::compile::integral_column("x");
    let r = run(
        &days(4),
        &[
            ("x", &[1.0, 1.0, 1.0, 1.0, 1.0]),
            (&integral, &[0.0, 2.0, 5.0, 9.0, 14.0]),
        ],
    );
    assert_eq!(eval("sum(x, 1, 3) >= 0", &r).metric, 7.0);
    assert_eq!(eval("mean(x, 0, 4) >= 0", &r).metric, 3.5);
    assert_eq!(eval("sum(x, 0.5, 1) >= 0", &r).metric, 1.0);
    let o = eval("every(sum(x), [0, 2, 4]) >= 6", &r);
    assert_eq!(o.periods, [5.0, 9.0]);
    assert!(!o.success);
    // Time to target: the running total since day 0 reaches 9 on day 3.
    assert_eq!(eval("sum(x, 0, 4) >= 9", &r).time_to_target, Some(3.0));
}

#[test]
fn growth_ratio_and_change() {
    let r = run(&[0.0, 91.0, 182.0], &[("fans", &[100.0, 125.0, 150.0])]);
    assert_eq!(eval("growth(fans, 0, 91) >= 20%", &r).metric, 0.25);
    assert_eq!(eval("ratio(fans, 0, 182) >= 1", &r).metric, 1.5);
    assert_eq!(eval("change(fans, 91, 182) >= 1", &r).metric, 25.0);
    // Exactly 20 % meets `>= 20%` even though 150 / 125 - 1 rounds below 0.2.
    let exact = eval("growth(fans, 91, 182) >= 20%", &r);
    assert!(exact.metric < 0.2 && exact.success);
    assert!(!eval("growth(fans, 91, 182) > 20%", &r).success);
}

#[test]
fn growth_from_zero_never_meets_a_target() {
    let r = run(&[0.0, 1.0], &[("fans", &[0.0, 0.0])]);
    let o = eval("growth(fans, 0, 1) >= 0", &r);
    assert!(o.metric.is_nan() && !o.success);
}

#[test]
fn engagement_rate_from_window_sums() {
    let r = run(
        &days(3),
        &[
            ("interactions", &[10.0, 20.0, 30.0, 1000.0]),
            ("exposures", &[100.0, 100.0, 200.0, 1.0]),
        ],
    );
    // Integrals over days 0–2: (10 + 2·20 + 30) / 2 = 40 and (100 + 2·100 + 200) / 2 = 250.
    let o = eval("sum(interactions, 0, 2) / sum(exposures, 0, 2) >= 12%", &r);
    assert_eq!(o.metric, 40.0 / 250.0);
    assert!(o.success);
    assert!(!eval("sum(interactions, 0, 2) / sum(exposures, 0, 2) >= 17%", &r).success);
}

#[test]
fn checkpoint_series_judges_the_worst_period() {
    let r = run(
        &[0.0, 91.0, 182.0, 273.0, 365.0],
        &[("fans", &[100.0, 125.0, 150.0, 200.0, 240.0])],
    );
    let o = eval("every(growth(fans), [0, 91, 182, 273, 365]) >= 20%", &r);
    let expected = [
        0.25,
        150.0 / 125.0 - 1.0,
        200.0 / 150.0 - 1.0,
        240.0 / 200.0 - 1.0,
    ];
    assert_eq!(o.periods, expected);
    assert_eq!(o.metric, 150.0 / 125.0 - 1.0);
    assert!(o.success);
    // Met, and known to be met at the last checkpoint.
    assert_eq!(o.time_to_target, Some(365.0));
    let strict = eval("every(growth(fans), [0, 91, 182, 273, 365]) >= 21%", &r);
    assert!(!strict.success);
    assert_eq!(strict.time_to_target, None);
    // With `<=` the worst period is the largest.
    let cap = eval("every(growth(fans), [0, 91, 182, 273, 365]) <= 30%", &r);
    assert_eq!(cap.metric, 200.0 / 150.0 - 1.0);
    assert!(!cap.success);
    // value(x) inside every is the value at each period's end.
    let ends = eval("every(value(fans), [0, 91, 182]) >= 0", &r);
    assert_eq!(ends.periods, [125.0, 150.0]);
}

#[test]
fn series_periods_integrate_so_sums_add_up() {
    let ones = [1.0; 7];
    let r = run(
        &days(6),
        &[("x", &ones), ("y", &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])],
    );
    let o = eval("every(sum(x), [0, 3, 6]) >= 3", &r);
    assert_eq!(o.periods, [3.0, 3.0]);
    // y = t + 1 integrates to 7.5 over [0, 3] and 16.5 over [3, 6].
    let share = eval("every(sum(x) / sum(y), [0 to 6 by 3]) >= 0", &r);
    assert_eq!(share.periods, [3.0 / 7.5, 3.0 / 16.5]);
    assert_eq!(share.metric, 3.0 / 16.5);
    // A fixed-time call inside the template keeps its own window.
    let mixed = eval("every(sum(y) / sum(y, 0, 6), [0, 3, 6]) >= 0", &r);
    assert_eq!(mixed.periods, [7.5 / 24.0, 16.5 / 24.0]);
    // Extremes of a period without recorded points are undefined, and the series fails.
    let gap = eval("every(min(x), [0, 0.5, 0.9, 6]) >= 0", &r);
    assert_eq!(gap.periods.len(), 3);
    assert_eq!((gap.periods[0], gap.periods[2]), (1.0, 1.0));
    assert!(gap.periods[1].is_nan() && gap.metric.is_nan() && !gap.success);
}

#[test]
fn first_passage_time() {
    let r = linear();
    let o = eval("first(fans >= 600) <= 60", &r);
    assert_eq!(
        (o.metric, o.success, o.time_to_target),
        (50.0, true, Some(50.0))
    );
    assert!(!eval("first(fans >= 600) < 50", &r).success);
    // Doubling time: fans(10) = 200, so 400 is first reached on day 30.
    assert_eq!(eval("first(fans >= 2 * fans at 10) <= 90", &r).metric, 30.0);
    assert_eq!(eval("first(fans / 10 > 50) <= 90", &r).metric, 41.0);
}

#[test]
fn first_passage_never_reached() {
    let r = linear();
    let o = eval("first(fans >= 1e6) <= 90", &r);
    assert_eq!(o.metric, f64::INFINITY);
    assert!(!o.success);
    assert_eq!(o.time_to_target, None);
    // "Churn stays below 5 % for half a year": never crossing is a success.
    assert!(eval("first(fans >= 1e6) > 180", &r).success);
}

#[test]
fn time_to_target_of_a_value_is_its_first_passage() {
    let r = linear();
    let met = eval("fans at 100 >= 600", &r);
    assert_eq!((met.success, met.time_to_target), (true, Some(50.0)));
    // Missed at day 30, reached later on day 50: the report shows how late.
    let late = eval("fans at 30 >= 600", &r);
    assert_eq!((late.success, late.time_to_target), (false, Some(50.0)));
    assert_eq!(eval("fans at 100 >= 1e6", &r).time_to_target, None);
}

#[test]
fn time_to_target_slides_the_end_of_growth_and_windows() {
    let r = linear();
    // fans(10) = 200; doubling (growth 100 %) is reached when fans = 400, on day 30.
    assert_eq!(
        eval("growth(fans, 10, 100) >= 1", &r).time_to_target,
        Some(30.0)
    );
    assert_eq!(
        eval("ratio(fans, 10, 100) >= 3", &r).time_to_target,
        Some(50.0)
    );
    assert_eq!(
        eval("change(fans, 0, 100) >= 250", &r).time_to_target,
        Some(25.0)
    );
    // Cumulative total from day 0: 100 t + 5 t², 345 on day 3 and 480 on day 4.
    assert_eq!(
        eval("sum(fans, 0, 100) >= 450", &r).time_to_target,
        Some(4.0)
    );
    // A window starting on day 50 is only judged from day 50: mean(600, 610) = 605.
    assert_eq!(
        eval("mean(fans, 50, 100) >= 605", &r).time_to_target,
        Some(51.0)
    );
    assert_eq!(
        eval("max(fans, 50, 100) >= 0", &r).time_to_target,
        Some(50.0)
    );
    // Calls ending before the horizon keep their value: fans(20) = 300 fixed.
    assert_eq!(
        eval("fans at 100 - fans at 20 >= 100", &r).time_to_target,
        Some(30.0)
    );
}

#[test]
fn all_of_a_group() {
    let r = linear();
    let targets = vec![
        Target::parse("big", "fans at 100 >= 1000", SourceRef::none()).expect("big"),
        Target::parse("fast", "first(fans >= 300) <= 30", SourceRef::none()).expect("fast"),
        Target::parse("both", "all(big, fast)", SourceRef::none()).expect("both"),
        Target::parse("huge", "fans at 100 >= 2000", SourceRef::none()).expect("huge"),
        Target::parse("nested", "all(both, huge)", SourceRef::none()).expect("nested"),
    ];
    let set = TargetSet::new(targets).expect("set");
    let bound = set.bind(&r.names).expect("binds");
    let out = bound.evaluate(&r);
    assert_eq!(out.len(), 5);
    assert_eq!((out[0].success, out[0].time_to_target), (true, Some(90.0)));
    assert_eq!((out[1].success, out[1].time_to_target), (true, Some(20.0)));
    assert_eq!((out[2].metric, out[2].success), (2.0, true));
    assert_eq!(out[2].time_to_target, Some(90.0));
    assert!(!out[3].success);
    assert_eq!(
        (out[4].metric, out[4].success, out[4].time_to_target),
        (1.0, false, None)
    );
    // The single-target shortcut refuses groups instead of guessing.
    let group = &set.targets()[2];
    assert!(group.bind(&r.names).is_err());
}

#[test]
fn outcome_buffers_are_reused_between_runs() {
    let r = run(&[0.0, 1.0, 2.0], &[("fans", &[1.0, 2.0, 4.0])]);
    let t = Target::parse(
        "t",
        "every(growth(fans), [0, 1, 2]) >= 100%",
        SourceRef::none(),
    )
    .expect("parses");
    let bound = t.bind(&r.names).expect("binds");
    let mut out = Outcome::default();
    bound.evaluate_into(&r, &mut out);
    bound.evaluate_into(&r, &mut out);
    assert_eq!(out.periods, [1.0, 1.0]);
    assert!(out.success);
}

#[test]
fn binding_matches_names_like_the_model_does() {
    let r = run(
        &[0.0, 1.0],
        &[
            ("Market Size", &[10.0, 20.0]),
            ("reach[WeChat]", &[1.0, 3.0]),
        ],
    );
    assert_eq!(eval("market_size at 1 >= 0", &r).metric, 20.0);
    assert_eq!(eval("reach[wechat] at 1 >= 0", &r).metric, 3.0);
    let t = Target::parse("t", "market_siz at 1 >= 0", SourceRef::none()).expect("parses");
    let e = t.bind(&r.names).expect_err("unknown column");
    assert!(
        e.message.contains("does not save `market_siz`"),
        "{}",
        e.message
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `Market Size`?"));
}

#[test]
fn a_run_of_another_shape_is_a_miss_not_a_crash() {
    let r = linear();
    let t = Target::parse("t", "fans at 10 >= 0", SourceRef::none()).expect("parses");
    let bound = t.bind(&r.names).expect("binds");
    let other = run(&[0.0], &[("a", &[1.0]), ("b", &[2.0])]);
    let o = bound.evaluate(&other);
    assert!(o.metric.is_nan() && !o.success);
    let empty = Trajectory::with_columns(vec!["fans".into()], 0);
    let o = bound.evaluate(&empty);
    assert!(o.metric.is_nan() && !o.success && o.time_to_target.is_none());
}

#[test]
fn nan_values_in_a_run_propagate() {
    let r = run(&days(2), &[("x", &[1.0, f64::NAN, 3.0])]);
    for text in [
        "min(x, 0, 2) <= 10",
        "max(x, 0, 2) <= 10",
        "sum(x, 0, 2) <= 10",
    ] {
        assert!(eval(text, &r).metric.is_nan(), "{text}");
    }
    assert_eq!(eval("min(x, 2, 2) <= 10", &r).metric, 3.0);
}

/// Followers growing 1 % a day from 1000: Euler with dt = 1 gives exactly 1000 · 1.01^t.
const MODEL: &str = r#"
[sim]
start = 0
stop = 365
dt = 1
save_step = 1
[stocks]
fans = { initial = 1000, inflows = ["new_fans"] }
[flows]
new_fans = "rate * fans"
[constants]
rate = 0.01
"#;

fn named(name: &str, text: &str) -> Target {
    Target::parse(name, text, SourceRef::none()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn targets_on_a_simulated_run_match_closed_forms() {
    let file = std::sync::Arc::new(crate::diagnostic::SourceFile {
        path: "growth.toml".into(),
        text: MODEL.into(),
    });
    let model = crate::model::toml_file::parse(&file, "growth").unwrap_or_else(|e| panic!("{e}"));
    let known: Vec<String> = model.variables.iter().map(|v| v.name.clone()).collect();
    let set = TargetSet::new(vec![
        named("quarter", "growth(fans, 0, 91) >= 100%"),
        named("double", "first(fans >= 2 * fans at 0) <= 90"),
        named(
            "quarters",
            "every(growth(fans), [0, 91, 182, 273, 365]) >= 145%",
        ),
        named("new", "sum(new_fans, 0, 9) >= 100"),
        named("both", "all(quarter, double)"),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    set.validate(&known, model.sim.start, model.sim.stop)
        .unwrap_or_else(|e| panic!("{e}"));
    let prog = crate::compile::compile_with(&model, &set.integrated_variables())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut run = Trajectory::with_columns(
        prog.columns.iter().map(|c| c.name.clone()).collect(),
        prog.saved_rows(),
    );
    crate::simulate::Simulation::new(&prog)
        .run_with(|t, slots| {
            run.times.push(t);
            run.data
                .extend(prog.columns.iter().map(|c| slots[c.slot as usize]));
        })
        .unwrap_or_else(|e| panic!("{}", e.message()));
    let out = set
        .bind(&run.names)
        .unwrap_or_else(|e| panic!("{e}"))
        .evaluate(&run);

    let g = |days: i32| 1.01f64.powi(days) - 1.0;
    assert!(rel_diff(out[0].metric, g(91)) < 1e-12, "{}", out[0].metric);
    assert!(out[0].success);
    // 1.01^t >= 2 first at t = ceil(ln 2 / ln 1.01) = 70; growth of 100 % is the same day.
    let doubling = (2f64.ln() / 1.01f64.ln()).ceil();
    assert_eq!(doubling, 70.0);
    assert_eq!(out[1].metric, doubling);
    assert_eq!(out[0].time_to_target, Some(doubling));
    let periods = [g(91), g(91), g(91), g(92)];
    for (got, want) in out[2].periods.iter().zip(periods) {
        assert!(rel_diff(*got, want) < 1e-12, "{got} vs {want}");
    }
    assert!(rel_diff(out[2].metric, g(91)) < 1e-12 && out[2].success);
    // The inflow 0.01 · fans(t) integrated by Euler over days 0–9 is exactly the stock's
    // change, 1000 · (1.01^9 - 1) (adding the ten saved points would give 1.01^10 - 1).
    assert!(
        rel_diff(out[3].metric, 1000.0 * g(9)) < 1e-12,
        "{}",
        out[3].metric
    );
    assert_eq!((out[4].metric, out[4].success), (2.0, true));
}

fn rel_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}
