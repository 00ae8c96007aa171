//! A run stops with a message naming the variable when a column becomes NaN or a stock
//! becomes infinite; an infinite auxiliary alone is allowed.

mod common;
use common::*;
use sandtable::simulate::Simulation;

fn run_result(text: &str) -> Result<usize, String> {
    let prog = program(text);
    let mut sim = Simulation::new(&prog);
    sim.run().map(|t| t.len()).map_err(|e| e.message)
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
