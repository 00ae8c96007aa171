//! A run stops with a message naming the variable when a column becomes NaN or a stock
//! becomes infinite; an infinite auxiliary alone is allowed. The fault names the variable whose
//! own equation produced the value (never a flow that merely reads it), at the time it arose,
//! located through the program's source map. A NaN condition of IF and NaN arguments of
//! MIN/MAX are faults; constant invalid noise parameters are compile-time errors.

use crate::util::*;
use sandtable::compile::{compile, SlotPart};
use sandtable::model::Method;
use sandtable::simulate::{FaultKind, NumericFault, Simulation};

fn run_result(text: &str) -> Result<usize, String> {
    let prog = program(text);
    let mut sim = Simulation::new(&prog);
    sim.run().map(|t| t.len()).map_err(|e| e.message)
}

/// The structured fault of a run of `text` with `method`.
fn fault(text: &str, method: Method) -> NumericFault {
    let prog = program(text);
    let mut sim = Simulation::new(&prog);
    sim.set_method(method);
    sim.run_with(|_, _| {}).expect_err("the run faults")
}

const BASE: &str = r#"
[sim]
start = 0
stop = 4
dt = 1
[stocks]
x = { initial = 1, inflows = ["growth"] }
"#;

#[test]
fn nan_column_names_the_variable_and_time() {
    let text = format!("{BASE}[flows]\ngrowth = \"1\"\n[aux]\nbad = \"LN(2 - x)\"\n");
    let message = run_result(&text).unwrap_err();
    assert!(message.contains("`bad`"), "{message}");
    assert!(message.contains("at time 2"), "{message}");
}

#[test]
fn infinite_stock_stops_the_run() {
    let text = format!("{BASE}[flows]\ngrowth = \"x * 1e200\"\n");
    let message = run_result(&text).unwrap_err();
    assert!(message.contains("`x`"), "{message}");
}

#[test]
fn infinite_auxiliary_alone_is_allowed() {
    let text = format!("{BASE}[flows]\ngrowth = \"1\"\n[aux]\nratio = \"1 / (x - x)\"\n");
    assert_eq!(run_result(&text), Ok(5));
}

/// `bad` is NaN from time 3 (a non-save time); the flow reads it and the stock follows.
const DOWNSTREAM: &str = r#"[sim]
start = 0
stop = 8
dt = 1
save_step = 2
[stocks]
level = { initial = 1, inflows = ["inflow"] }
[flows]
inflow = "0.1 * bad + level * 0"
[aux]
bad = "SQRT(2.5 - TIME)"
"#;

#[test]
fn the_fault_names_the_auxiliary_not_the_flow_reading_it() {
    for method in [Method::Euler, Method::Rk2, Method::Rk4] {
        let f = fault(DOWNSTREAM, method);
        assert_eq!(f.variable, "bad", "{method:?}: {f}");
        assert_eq!(f.kind, FaultKind::NotANumber);
        assert!(f.value.is_nan());
        // SQRT(2.5 − t) is first NaN at t = 3 (for RK the stage at 2.5 + dt/2 = 3 as well).
        assert_eq!(f.time, 3.0, "{method:?}: {f}");
    }
    let prog = program(DOWNSTREAM);
    let d = fault(DOWNSTREAM, Method::Euler).to_diagnostic(&prog);
    assert_eq!(d.message, "`bad` became NaN at time 3");
    // Line 11, column 8: the opening quote of `bad`'s equation is at column 7.
    assert_eq!((d.at.line, d.at.col), (11, 8), "{d}");
    assert!(d.hint.unwrap().contains("SQRT(2.5 - TIME)"));
    // The diagnostic of `run()` is the same.
    let e = Simulation::new(&prog).run().unwrap_err();
    assert_eq!(e.message, d.message);
    assert_eq!(e.at, d.at);
}

#[test]
fn the_source_map_gives_every_variable_slot_its_equation() {
    let text = format!("{BASE}[flows]\ngrowth = \"SMTH1(x, 2) * rate\"\n[constants]\nrate = 0.1\n");
    let prog = compile(&model(&text)).unwrap();
    for col in &prog.columns {
        let src = prog.source_of(col.slot).expect("a variable has a source");
        assert_eq!(src.variable, col.name);
        assert_eq!(src.part, SlotPart::Value);
        assert_eq!(src.at.path(), Some("test.toml"));
    }
    let growth = &prog.columns[prog.column("growth").unwrap()];
    let src = prog.source_of(growth.slot).unwrap();
    assert_eq!(src.equation, "SMTH1(x, 2) * rate");
    assert_eq!((src.at.line, src.at.col), (9, 11));
    // The smooth's hidden stock belongs to `growth`, located at the call.
    let hidden = prog
        .stocks
        .iter()
        .position(|s| s.column.is_none())
        .expect("a hidden stock");
    let src = prog.source_of((4 + hidden) as u32).unwrap();
    assert_eq!(
        (src.variable.as_str(), src.part),
        ("growth", SlotPart::Builtin)
    );
    assert_eq!((src.at.line, src.at.col), (9, 11));
}

#[test]
fn a_nan_inside_a_builtin_names_the_variable_calling_it() {
    let text =
        "[sim]\nstart = 0\nstop = 5\ndt = 1\n[aux]\nsm = \"1 + SMTH1(SQRT(1.5 - TIME), 2)\"\n";
    let f = fault(text, Method::Euler);
    assert_eq!((f.variable.as_str(), f.time), ("sm", 2.0), "{f}");
    let d = f.to_diagnostic(&program(text));
    // At the call: line 6, column 11.
    assert_eq!((d.at.line, d.at.col), (6, 11), "{d}");
}

#[test]
fn a_nan_condition_is_a_fault_not_a_branch() {
    // SQRT(1 − t) is NaN from t = 2: the comparison is NaN, so IF has no branch to take.
    let text = "[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\nflag = \"IF SQRT(1 - TIME) > 0 THEN 1 ELSE 0\"\n";
    let f = fault(text, Method::Euler);
    assert_eq!((f.variable.as_str(), f.time), ("flag", 2.0), "{f}");
    assert_eq!(f.kind, FaultKind::NanCondition);
    let text = "[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\nc = \"SQRT(1 - TIME)\"\nchoice = \"IF_THEN_ELSE(c, 1, 2)\"\n";
    // The condition read from a NaN variable blames that variable.
    let f = fault(text, Method::Euler);
    assert_eq!((f.variable.as_str(), f.time), ("c", 2.0), "{f}");
    // A constant NaN condition is not folded away.
    let text = "[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\nk = \"IF 0/0 THEN 1 ELSE 2\"\n";
    assert_eq!(fault(text, Method::Euler).kind, FaultKind::NanCondition);
}

#[test]
fn nan_arguments_of_min_and_max_are_faults() {
    for f in [
        "MAX(0, SQRT(1 - TIME))",
        "MIN(SQRT(1 - TIME), 5)",
        "MAX(SQRT(1 - TIME))",
    ] {
        let text = format!("[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\nm = \"{f}\"\n");
        let fault = fault(&text, Method::Euler);
        assert_eq!(
            (fault.variable.as_str(), fault.time),
            ("m", 2.0),
            "{f}: {fault}"
        );
    }
}

#[test]
fn constant_invalid_noise_parameters_are_compile_errors() {
    let cases = [
        (
            "NORMAL(0, -1)",
            "standard deviation of NORMAL is negative",
            20,
        ),
        ("RANDOM_NORMAL(1, 0 - 2)", "standard deviation", 27),
        (
            "UNIFORM(5, 1)",
            "minimum of UNIFORM (5) is above its maximum (1)",
            18,
        ),
        (
            "PINK_NOISE(0, 1, 0)",
            "correlation time of PINK_NOISE must be positive",
            27,
        ),
        (
            "PINK_NOISE(0, -1, 2)",
            "standard deviation of PINK_NOISE",
            24,
        ),
        ("NORMAL(1/0, 1)", "argument 1 of NORMAL is inf", 17),
    ];
    for (call, expected, col) in cases {
        let text = format!("[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\nn = \"1 + {call}\"\n");
        let err = compile(&model(&text)).expect_err(call);
        let d = &err.0[0];
        assert!(d.message.contains(expected), "{call}: {}", d.message);
        assert_eq!((d.at.line, d.at.col), (6, col), "{call}: {d}");
        assert!(d.hint.is_some(), "{call}");
    }
    // Valid constants, and parameters known only during the run, compile.
    let text = "[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\nn = \"NORMAL(0, 0) + UNIFORM(1, 1) + NORMAL(0, TIME - 2)\"\n";
    let prog = compile(&model(text)).expect("compiles");
    // ... and a negative sd computed during the run is a fault of the drawing variable.
    let f = Simulation::new(&prog).run_with(|_, _| {}).unwrap_err();
    assert_eq!((f.variable.as_str(), f.time), ("n", 0.0), "{f}");
}

/// The same faults as seen through `Simulation::run`'s message (and a compile error for
/// invalid constant noise parameters).
#[test]
fn faults_seen_through_the_run_message() {
    let message = run_result(DOWNSTREAM).unwrap_err();
    assert_eq!(message, "`bad` became NaN at time 3");
    let aux = |eq: &str| format!("[sim]\nstart = 0\nstop = 4\ndt = 1\n[aux]\ny = \"{eq}\"\n");
    for eq in [
        "IF SQRT(1 - TIME) > 0 THEN 1 ELSE 0",
        "MAX(0, SQRT(1 - TIME))",
        "MIN(SQRT(1 - TIME), 5)",
    ] {
        let message = run_result(&aux(eq)).expect_err(eq);
        assert!(
            message.starts_with("`y` became NaN at time 2"),
            "{eq}: {message}"
        );
    }
    for eq in ["NORMAL(0, -1)", "UNIFORM(5, 1)", "PINK_NOISE(0, 1, 0)"] {
        assert!(compile(&model(&aux(eq))).is_err(), "{eq} compiles");
    }
}
