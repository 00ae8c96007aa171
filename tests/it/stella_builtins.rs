//! Stella's builtins over a run's past (`HISTORY`, `NPV`, `IRR`, `ENDVAL`), its counting and
//! growth functions, its discrete distributions, Vensim's truncated `RANDOM NORMAL` and
//! `SMTHN` with an order variable, each in a small XMILE model against hand-computed values.

use crate::stella::{assert_series, close, error, run, series};
use sandtable::simulate::{Simulation, Trajectory};

fn compile(text: &str) -> sandtable::compile::Program {
    let model = sandtable::xmile::parse(text, "test.stmx").unwrap_or_else(|e| panic!("{e}"));
    sandtable::compile::compile(&model).unwrap_or_else(|e| panic!("{e}"))
}

/// A one-model XMILE document: `specs` holds start, stop and dt; `method` the integrator.
fn doc(specs: &str, method: &str, variables: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>isee systems, inc.</vendor><product version="1.9">Stella Architect</product></header>
  <sim_specs method="{method}" time_units="Years">{specs}</sim_specs>
  <model><variables>{variables}</variables></model>
</xmile>"#
    )
}

fn auxes(specs: &str, defs: &[(&str, &str)]) -> Trajectory {
    let vars: String = defs
        .iter()
        .map(|(n, e)| format!("<aux name=\"{n}\"><eqn>{e}</eqn></aux>\n"))
        .collect();
    run(&doc(specs, "Euler", &vars))
}

const ONE_TO_THREE: &str = "<start>0</start><stop>3</stop><dt>1</dt>";

#[test]
fn percent_and_permutations() {
    let traj = auxes(
        ONE_TO_THREE,
        &[
            ("pct", "PERCENT(0.25 * (TIME + 1))"),
            ("p52", "PERMUTATIONS(5, 2)"),
            ("p_time", "PERMUTATIONS(4, TIME)"),
            ("p_over", "PERMUTATIONS(2, 3)"),
        ],
    );
    assert_series(&traj, "pct", &[25.0, 50.0, 75.0, 100.0]);
    assert_series(&traj, "p52", &[20.0; 4]);
    // 4!/4! = 1, 4!/3! = 4, 4!/2! = 12, 4!/1! = 24.
    assert_series(&traj, "p_time", &[1.0, 4.0, 12.0, 24.0]);
    assert_series(&traj, "p_over", &[0.0; 4]);
}

/// CGROWTH(10) with DT 1/4 is (1.1^¼ − 1)·4; a stock growing by it under Euler gains exactly
/// 10 % per time unit.
#[test]
fn cgrowth_compounds_to_the_rate_per_time_unit() {
    let text = doc(
        "<start>0</start><stop>2</stop><dt>0.25</dt><save_step>1</save_step>",
        "Euler",
        r#"<stock name="s"><eqn>100</eqn><inflow>g</inflow></stock>
           <flow name="g"><eqn>s * CGROWTH(10)</eqn></flow>
           <aux name="rate"><eqn>CGROWTH(10)</eqn></aux>"#,
    );
    let traj = run(&text);
    assert_series(&traj, "rate", &[(1.1f64.powf(0.25) - 1.0) * 4.0; 3]);
    assert_series(&traj, "s", &[100.0, 110.0, 121.0]);
}

/// x = TIME², DT ½: HISTORY(x, TIME − 1) is (TIME − 1)² from TIME 1 and x at the start
/// before; HISTORY(x, 1.25) is the current value up to TIME 1.25, then x at TIME 1 (the step
/// at or before 1.25). The stock's history is read the same way under RK4.
#[test]
fn history_reads_the_step_at_or_before_the_time() {
    let specs = "<start>0</start><stop>3</stop><dt>0.5</dt>";
    for method in ["Euler", "RK4"] {
        let text = doc(
            specs,
            method,
            r#"<aux name="x"><eqn>TIME * TIME</eqn></aux>
               <aux name="lagged"><eqn>HISTORY(x, TIME - 1)</eqn></aux>
               <aux name="fixed"><eqn>HISTORY(x, 1.25)</eqn></aux>
               <stock name="s"><eqn>0</eqn><inflow>f</inflow></stock>
               <flow name="f"><eqn>2</eqn></flow>
               <aux name="s_before"><eqn>HISTORY(s, TIME - 0.5)</eqn></aux>"#,
        );
        let traj = run(&text);
        let times: Vec<f64> = (0..=6).map(|i| i as f64 * 0.5).collect();
        let lagged: Vec<f64> = times
            .iter()
            .map(|t| if *t < 1.0 { 0.0 } else { (t - 1.0).powi(2) })
            .collect();
        let fixed: Vec<f64> = times
            .iter()
            .map(|t| if *t <= 1.25 { t * t } else { 1.0 })
            .collect();
        let before: Vec<f64> = times.iter().map(|t| 2.0 * (t - 0.5).max(0.0)).collect();
        assert_series(&traj, "lagged", &lagged);
        assert_series(&traj, "fixed", &fixed);
        assert_series(&traj, "s_before", &before);
    }
}

/// A stream of 100 per year discounted at 10 %: NPV adds 100·DT·1.1^−(t − start) each step.
#[test]
fn npv_accumulates_the_discounted_stream() {
    let traj = auxes(
        ONE_TO_THREE,
        &[("npv", "NPV(100, 0.1)"), ("net", "NPV(100, 0.1, -250)")],
    );
    let a = [
        0.0,
        100.0,
        100.0 + 100.0 / 1.1,
        100.0 + 100.0 / 1.1 + 100.0 / 1.21,
    ];
    assert_series(&traj, "npv", &a);
    assert_series(&traj, "net", &a.map(|v| v - 250.0));
    let half = auxes(
        "<start>0</start><stop>1</stop><dt>0.5</dt><save_step>1</save_step>",
        &[("npv", "NPV(100, 0.1)")],
    );
    assert_series(&half, "npv", &[0.0, 50.0 * (1.0 + 1.1f64.powf(-0.5))]);
}

/// −100 at the start and 110 a year later return 10 %; −100 and 60 twice return the root of
/// 60y² + 60y − 100 (y = 1/(1 + r)). NPV at the rate found is zero.
#[test]
fn irr_is_the_rate_that_zeroes_the_npv() {
    let traj = auxes(
        "<start>0</start><stop>4</stop><dt>1</dt>",
        &[
            ("once", "IF TIME = 1 THEN 110 ELSE 0"),
            ("rate_once", "IRR(once, -100)"),
            ("npv_once", "NPV(once, 0.1, -100)"),
            ("twice", "IF TIME = 1 OR TIME = 2 THEN 60 ELSE 0"),
            ("rate_twice", "IRR(twice, -100)"),
        ],
    );
    // Only the outlay is known at TIME 0 and 1: a total loss so far.
    assert_series(&traj, "rate_once", &[-1.0, -1.0, 0.1, 0.1, 0.1]);
    assert!(close(series(&traj, "npv_once")[2], 0.0));
    let y = (-60.0 + (3600.0f64 + 24000.0).sqrt()) / 120.0;
    // At TIME 2 only the first 60 has been paid: 60/(1 + r) = 100, r = −0.4.
    assert_series(
        &traj,
        "rate_twice",
        &[-1.0, -1.0, -0.4, 1.0 / y - 1.0, 1.0 / y - 1.0],
    );
}

/// Every run is its model's first: ENDVAL is the initial argument, or the input's start value.
#[test]
fn endval_is_the_value_a_first_run_sees() {
    let text = doc(
        ONE_TO_THREE,
        "Euler",
        r#"<stock name="s"><eqn>5</eqn><inflow>f</inflow></stock>
           <flow name="f"><eqn>1</eqn></flow>
           <aux name="last"><eqn>ENDVAL(s)</eqn></aux>
           <aux name="given"><eqn>ENDVAL(s, 7)</eqn></aux>"#,
    );
    let traj = run(&text);
    assert_series(&traj, "s", &[5.0, 6.0, 7.0, 8.0]);
    assert_series(&traj, "last", &[5.0; 4]);
    assert_series(&traj, "given", &[7.0; 4]);
}

fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// 20,001 draws each: means and deviations against the closed forms, whole numbers for the
/// counts, bounds for the truncated normal.
#[test]
fn discrete_draws_and_the_truncated_normal_match_their_moments() {
    let vars = r#"<aux name="poi"><eqn>POISSON(3)</eqn></aux>
                  <aux name="neg"><eqn>NEGBINOMIAL(3, 0.4, 11)</eqn></aux>
                  <aux name="tn"><eqn>RANDOM_NORMAL(-1, 2, 0, 1, 5)</eqn></aux>
                  <aux name="plain"><eqn>RANDOM_NORMAL(4, 0)</eqn></aux>"#;
    let traj = run(&doc(
        "<start>0</start><stop>20000</stop><dt>1</dt>",
        "Euler",
        vars,
    ));
    let phi = |x: f64| (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = |x: f64| 0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2);
    let (a, b) = (-1.0, 2.0);
    let z = cdf(b) - cdf(a);
    let tn_mean = (phi(a) - phi(b)) / z;
    let tn_sd = (1.0 + (a * phi(a) - b * phi(b)) / z - tn_mean * tn_mean).sqrt();
    // NEGBINOMIAL(3, 0.4): failures before the third success, mean 3·0.6/0.4, var 3·0.6/0.16.
    let cases = [
        ("poi", 3.0, 3f64.sqrt()),
        ("neg", 4.5, 11.25f64.sqrt()),
        ("tn", tn_mean, tn_sd),
    ];
    for (name, mean, sd) in cases {
        let xs = series(&traj, name);
        let (m, s) = moments(&xs);
        let se = sd / (xs.len() as f64).sqrt();
        assert!((m - mean).abs() < 5.0 * se, "{name}: mean {m} vs {mean}");
        assert!((s - sd).abs() < 0.05 * sd, "{name}: sd {s} vs {sd}");
        if name == "tn" {
            assert!(xs.iter().all(|x| (a..=b).contains(x)), "tn out of bounds");
        } else {
            assert!(xs.iter().all(|x| *x >= 0.0 && x.fract() == 0.0), "{name}");
        }
    }
    assert_series(&traj, "plain", &[4.0; 20001]);
    // Same model, same draws; another drawing variable leaves them alone.
    let again = run(&doc(
        "<start>0</start><stop>50</stop><dt>1</dt>",
        "Euler",
        &format!("{vars}<aux name=\"other\"><eqn>POISSON(9)</eqn></aux>"),
    ));
    for name in ["poi", "neg", "tn"] {
        assert_eq!(series(&again, name), series(&traj, name)[..51], "{name}");
    }
}

/// SMTHN with `order = 3` is SMTH3; setting the order to another value for a run faults
/// instead of running the chain built for 3.
#[test]
fn smthn_takes_its_order_from_a_constant_variable() {
    let text = doc(
        "<start>0</start><stop>10</stop><dt>0.25</dt>",
        "Euler",
        r#"<aux name="order"><eqn>3</eqn></aux>
           <aux name="alias"><eqn>order</eqn></aux>
           <aux name="input"><eqn>STEP(1, 1)</eqn></aux>
           <aux name="by_var"><eqn>SMTHN(input, 2, alias)</eqn></aux>
           <aux name="by_name"><eqn>SMTH3(input, 2)</eqn></aux>"#,
    );
    let prog = compile(&text);
    let traj = Simulation::new(&prog).run().unwrap();
    assert_eq!(series(&traj, "by_var"), series(&traj, "by_name"));
    assert!(series(&traj, "by_var")[20] > 0.0);
    let mut sim = Simulation::new(&prog);
    sim.set_param(prog.param("order").expect("order is a constant"), 4.0);
    let fault = sim.run().unwrap_err().to_string();
    assert!(fault.contains("by_var"), "{fault}");
}

#[test]
fn unsupported_forms_are_errors_naming_them() {
    let one = |eqn: &str| {
        error(&doc(
            ONE_TO_THREE,
            "Euler",
            &format!(r#"<aux name="k"><eqn>TIME</eqn></aux><aux name="y"><eqn>{eqn}</eqn></aux>"#),
        ))
    };
    let clock = one("CLOCKTIME");
    assert!(clock.contains("CLOCKTIME"), "{clock}");
    let four = one("RANDOM_NORMAL(0, 1, 0, 1)");
    assert!(
        four.contains("RANDOM_NORMAL") && four.contains("4"),
        "{four}"
    );
    let bounds = one("RANDOM_NORMAL(2, 1, 0, 1, 3)");
    assert!(bounds.contains("minimum"), "{bounds}");
    let varying = one("SMTHN(1, 2, k)");
    assert!(varying.contains("order"), "{varying}");
    let interp = one("INTERPOLATE(k, 0.5)");
    assert!(interp.contains("INTERPOLATE is not an array"), "{interp}");
}

/// The engine's vector builtins under their XMILE names (spaces written `_`), arrays passed
/// whole with `[*]`: a = (5, 1, 3), sel = (1, 0, 1).
#[test]
fn vector_builtins_read_whole_arrays_in_xmile() {
    let text = doc(
        ONE_TO_THREE,
        "Euler",
        r#"<aux name="a"><dimensions><dim name="D"/></dimensions><eqn>5, 1, 3</eqn></aux>
           <aux name="sel"><dimensions><dim name="D"/></dimensions><eqn>1, 0, 1</eqn></aux>
           <aux name="smallest_at"><eqn>VECTOR_SORT_ORDER(a[*], 1, 1)</eqn></aux>
           <aux name="rank_of_first"><eqn>VECTOR_RANK(a[*], 1, 1)</eqn></aux>
           <aux name="third"><eqn>VECTOR_ELM_MAP(a[*], 2)</eqn></aux>
           <aux name="picked"><eqn>VECTOR_SELECT(sel[*], a[*], -1, 0, 0)</eqn></aux>"#,
    )
    .replace(
        "<model>",
        r#"<dimensions><dim name="D" size="3"/></dimensions><model>"#,
    );
    let traj = run(&text);
    // Ascending, the smallest (1) is at 0-based position 1; 5 ranks third.
    assert_series(&traj, "smallest_at", &[1.0; 4]);
    assert_series(&traj, "rank_of_first", &[3.0; 4]);
    assert_series(&traj, "third", &[3.0; 4]);
    assert_series(&traj, "picked", &[8.0; 4]);
}

/// The table's unit rules: PERCENT, HISTORY, ENDVAL and POISSON keep their first argument's
/// unit, so each is consistent declared in `people` and one declared in months is a problem.
#[test]
fn unit_rules_keep_the_first_arguments_unit() {
    let text = doc(
        ONE_TO_THREE,
        "Euler",
        r#"<stock name="pop"><eqn>10</eqn><inflow>births</inflow><units>people</units></stock>
           <flow name="births"><eqn>1</eqn><units>people/years</units></flow>
           <aux name="pct"><eqn>PERCENT(pop)</eqn><units>people</units></aux>
           <aux name="past"><eqn>HISTORY(pop, TIME - 1)</eqn><units>people</units></aux>
           <aux name="last"><eqn>ENDVAL(pop)</eqn><units>people</units></aux>
           <aux name="arrivals"><eqn>POISSON(pop)</eqn><units>people</units></aux>
           <aux name="wrong"><eqn>HISTORY(pop, 1)</eqn><units>years</units></aux>"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("units.stmx");
    std::fs::write(&path, text).unwrap();
    let model = sandtable::loader::load_model(&path).unwrap_or_else(|e| panic!("{e}"));
    let problems = sandtable::units::check_file(&path, &model)
        .unwrap()
        .problems;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].message.starts_with("`wrong`"), "{problems:#?}");
}

/// CGROWTH is per time unit whatever its (dimensionless) percentage; NPV of people per year
/// is people, its initial value people; IRR is dimensionless and its initial payment is in
/// the stream's unit times time. Each `bad_` variable breaks exactly one of these.
#[test]
fn financial_and_growth_unit_rules() {
    let text = doc(
        ONE_TO_THREE,
        "Euler",
        r#"<stock name="pop"><eqn>10</eqn><inflow>births</inflow><units>people</units></stock>
           <flow name="births"><eqn>pop * growth</eqn><units>people/years</units></flow>
           <aux name="growth"><eqn>CGROWTH(10)</eqn><units>1/years</units></aux>
           <aux name="worth"><eqn>NPV(births, 0.1, pop)</eqn><units>people</units></aux>
           <aux name="rate"><eqn>IRR(births, -pop)</eqn><units>dmnl</units></aux>
           <aux name="bad_growth"><eqn>CGROWTH(10)</eqn><units>people</units></aux>
           <aux name="bad_npv"><eqn>NPV(births, 0.1)</eqn><units>people/years</units></aux>
           <aux name="bad_npv_rate"><eqn>NPV(births, pop)</eqn><units>people</units></aux>
           <aux name="bad_irr"><eqn>IRR(births, births)</eqn><units>dmnl</units></aux>"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("units.stmx");
    std::fs::write(&path, text).unwrap();
    let model = sandtable::loader::load_model(&path).unwrap_or_else(|e| panic!("{e}"));
    let problems = sandtable::units::check_file(&path, &model)
        .unwrap()
        .problems;
    let mut named: Vec<String> = problems
        .iter()
        .map(|p| p.message.split('`').nth(1).unwrap_or("").to_string())
        .collect();
    named.sort();
    assert_eq!(
        named,
        ["bad_growth", "bad_irr", "bad_npv", "bad_npv_rate"],
        "{problems:#?}"
    );
}

/// The table's drives: HISTORY and PERCENT pass their first argument's direction, NPV's
/// discount rate works against it, so a loop through each gets the polarity known by hand.
#[test]
fn loop_polarity_follows_the_drives() {
    let text = doc(
        ONE_TO_THREE,
        "Euler",
        r#"<stock name="stock_a"><eqn>10</eqn><inflow>fill</inflow></stock>
           <flow name="fill"><eqn>(100 - HISTORY(stock_a, TIME - 1)) / 4</eqn></flow>
           <stock name="stock_b"><eqn>10</eqn><inflow>grow</inflow></stock>
           <flow name="grow"><eqn>PERCENT(stock_b) / 1000</eqn></flow>
           <stock name="stock_c"><eqn>0.1</eqn><inflow>raise</inflow></stock>
           <flow name="raise"><eqn>NPV(5, stock_c) / 100</eqn></flow>"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loops.stmx");
    std::fs::write(&path, text).unwrap();
    let model = sandtable::loader::load_model(&path).unwrap_or_else(|e| panic!("{e}"));
    let report = sandtable::analysis::feedback_loops(&model, 200);
    let mut loops: Vec<(String, &str)> = report
        .loops
        .iter()
        .map(|l| (l.path(), l.polarity.loop_label()))
        .collect();
    loops.sort();
    assert_eq!(
        loops,
        [
            ("stock_a → fill → stock_a".to_string(), "B"),
            ("stock_b → grow → stock_b".to_string(), "R"),
            ("stock_c → raise → stock_c".to_string(), "B"),
        ]
    );
}

/// Stella's INTERPOLATE (isee help, "Array builtins"): along a dimension of k elements the
/// i-th (0-based) stands at i/(k − 1); an input between two weighs them by distance, below 0
/// is the first and above 1 the last. pts = (0, 10, 20, 40, 80) stand at 0, ¼, ½, ¾, 1, so
/// 0.3 is 80 % of 10 and 20 % of 20 = 12, and TIME/4 at t = 0..3 hits the first four points.
/// m[R, C] = 100·(R − 1) + 10·(C − 1) over 2 × 3 is linear, so its bilinear interpolation at
/// (0.5, 0.25) is 100·0.5 + 20·0.25 = 55; the row m[2, *] = (100, 110, 120) at 0.75 is 115;
/// (1, 0.9) is 100 + 20·0.9 = 118.
#[test]
fn interpolate_weighs_the_neighbouring_points() {
    let text = doc(
        ONE_TO_THREE,
        "Euler",
        r#"<aux name="pts"><dimensions><dim name="D"/></dimensions><eqn>0, 10, 20, 40, 80</eqn></aux>
           <aux name="m"><dimensions><dim name="R"/><dim name="C"/></dimensions>
             <eqn>100 * (R - 1) + 10 * (C - 1)</eqn></aux>
           <aux name="at_03"><eqn>INTERPOLATE(pts, 0.3)</eqn></aux>
           <aux name="below"><eqn>INTERPOLATE(pts[*], -1)</eqn></aux>
           <aux name="above"><eqn>INTERPOLATE(pts, 2)</eqn></aux>
           <aux name="between"><eqn>INTERPOLATE(pts, 0.875)</eqn></aux>
           <aux name="moving"><eqn>INTERPOLATE(pts, TIME / 4)</eqn></aux>
           <aux name="plane"><eqn>INTERPOLATE(m, 0.5, 0.25)</eqn></aux>
           <aux name="row"><eqn>INTERPOLATE(m[2, *], 0.75)</eqn></aux>
           <aux name="edge"><eqn>INTERPOLATE(m[*, *], 1, 0.9)</eqn></aux>"#,
    )
    .replace(
        "<model>",
        r#"<dimensions><dim name="D" size="5"/><dim name="R" size="2"/><dim name="C" size="3"/></dimensions><model>"#,
    );
    let traj = run(&text);
    assert_series(&traj, "at_03", &[12.0; 4]);
    assert_series(&traj, "below", &[0.0; 4]);
    assert_series(&traj, "above", &[80.0; 4]);
    assert_series(&traj, "between", &[60.0; 4]);
    assert_series(&traj, "moving", &[0.0, 10.0, 20.0, 40.0]);
    assert_series(&traj, "plane", &[55.0; 4]);
    assert_series(&traj, "row", &[115.0; 4]);
    assert_series(&traj, "edge", &[118.0; 4]);
}

/// INTERPOLATE wants one input per dimension of an array with at least two elements in each.
#[test]
fn interpolate_of_the_wrong_shape_is_a_located_error() {
    let one = |eqn: &str| {
        error(
            &doc(
                ONE_TO_THREE,
                "Euler",
                &format!(
                    r#"<aux name="pts"><dimensions><dim name="D"/></dimensions><eqn>1, 2, 3</eqn></aux>
                       <aux name="single"><dimensions><dim name="One"/></dimensions><eqn>7</eqn></aux>
                       <aux name="y"><eqn>{eqn}</eqn></aux>"#
                ),
            )
            .replace(
                "<model>",
                r#"<dimensions><dim name="D" size="3"/><dim name="One" size="1"/></dimensions><model>"#,
            ),
        )
    };
    let two = one("INTERPOLATE(pts, 0.5, 0.5)");
    assert!(
        two.contains("1 dimension(s), so INTERPOLATE takes 1 input(s) after it, not 2"),
        "{two}"
    );
    assert!(two.contains("test.stmx:"), "{two}");
    let short = one("INTERPOLATE(single, 0.5)");
    assert!(short.contains("at least 2 elements"), "{short}");
}
