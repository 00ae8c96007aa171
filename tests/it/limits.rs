//! Inputs at and beyond the resource limits: a huge delay time, long flat sums, NaN scales
//! of XMILE graphical functions and large arrays are run or refused, never a crash.

use crate::util::*;
use sandtable::model::Method;

const BASE: &str = r#"
[sim]
start = 0
stop = 10
dt = 0.5
[stocks]
level = { initial = 0, inflows = ["inflow"] }
[flows]
inflow = "1"
"#;

#[test]
fn a_delay_far_longer_than_the_run_yields_its_initial_value_without_allocating_it() {
    // 1e15 / dt steps would need a pipeline of 16 PB; the run has 20 steps.
    let text =
        format!("{BASE}[aux]\nlate = \"DELAY(level, 1e15, 7)\"\nsoon = \"DELAY(level, 2, 7)\"\n");
    let traj = run(&text, Method::Euler);
    assert!(series(&traj, "late").iter().all(|&v| v == 7.0));
    // The same pipeline code still delays exactly when the delay fits the run: level(t - 2),
    // four saved rows of dt = 0.5 back.
    let soon = series(&traj, "soon");
    let level = series(&traj, "level");
    assert!(soon[..4].iter().all(|&v| v == 7.0));
    for row in 4..soon.len() {
        assert_eq!(soon[row], level[row - 4], "row {row}");
    }
}

#[test]
fn a_delay_exactly_one_step_longer_than_the_run_never_outputs_a_recorded_value() {
    let text = format!(
        "{BASE}[aux]\nedge = \"DELAY(level, 10.5, -1)\"\nlast = \"DELAY(level, 10, -1)\"\n"
    );
    let traj = run(&text, Method::Euler);
    assert!(series(&traj, "edge").iter().all(|&v| v == -1.0));
    // A delay of the whole run outputs the initial level (0) at the final time only.
    let last = series(&traj, "last");
    assert_eq!(*last.last().unwrap(), 0.0);
    assert!(last[..last.len() - 1].iter().all(|&v| v == -1.0));
}

#[test]
fn a_flat_sum_within_the_budget_compiles_and_runs_exactly() {
    // 1,999 terms: 3,997 tokens, just inside the 4,000-token budget; every later pass
    // recurses once per term, here on a test thread's 2 MiB stack.
    let sum = vec!["level"; 1_999].join(" + ");
    let text = format!("{BASE}[aux]\nbig = \"{sum}\"\n");
    let traj = run(&text, Method::Rk4);
    let big = series(&traj, "big");
    let level = series(&traj, "level");
    for (b, l) in big.iter().zip(&level) {
        assert_eq!(*b, 1_999.0 * l);
    }
}

#[test]
fn a_flat_sum_beyond_the_budget_is_refused_with_its_location() {
    let sum = vec!["level"; 30_000].join(" + ");
    let err = sandtable::equation::parse(&sum).unwrap_err();
    assert!(
        err.message.contains("tokens, more than the limit"),
        "{}",
        err.message
    );
    assert!(err.hint.is_some());
    // The span points at the first token over the budget, inside the text.
    assert!(err.span.start > 0 && err.span.end <= sum.len());
}

#[test]
fn nan_and_infinite_graphical_function_scales_are_refused() {
    for (min, max) in [("NaN", "1"), ("0", "inf"), ("-1e308", "1e308")] {
        let text = format!(
            r#"<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
<model><variables>
<aux name="x"><eqn>TIME</eqn><gf><xscale min="{min}" max="{max}"/><ypts>0,1,2</ypts></gf></aux>
</variables></model></xmile>"#
        );
        let err = sandtable::xmile::parse(&text, "gf.xmile").unwrap_err();
        assert!(
            err.message.contains("not finite"),
            "{min}..{max}: {}",
            err.message
        );
        assert_eq!(err.at.line, 5);
    }
}

#[test]
fn large_arrays_are_refused_before_they_are_allocated() {
    let elements = |p: &str| {
        (0..1000)
            .map(|i| format!("\"{p}{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "[sim]\nstart = 0\nstop = 1\ndt = 1\n[dimensions]\na = [{}]\nb = [{}]\nc = [{}]\n\
         [constants]\nsmall = {{ value = 1, dims = [\"a\", \"b\"] }}\nx = {{ value = 1, dims = [\"a\", \"b\", \"c\"] }}\n",
        elements("a"),
        elements("b"),
        elements("c")
    );
    let err = sandtable::compile::compile(&model(&text)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("1001000000 values"), "{message}");
    // a × b alone (a million values) is within the budget.
    let ok = text.replace("x = { value = 1, dims = [\"a\", \"b\", \"c\"] }\n", "");
    assert!(sandtable::compile::compile(&model(&ok)).is_ok());
}
