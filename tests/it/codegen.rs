//! Code generation shortcuts change nothing numerically: fused instruction pairs and hoisted
//! constant subexpressions give bit-for-bit the values of the equations as written.

use crate::util::*;
use sandtable::compile::program::Op;
use sandtable::model::Method;

const MODEL: &str = r#"
[sim]
start = 0
stop = 2
dt = 1
[stocks]
x = { initial = 1.5, inflows = ["growth"] }
[flows]
growth = "x * k / a"
[aux]
add_add = "x + a + b"
add_mul = "(x + a) * b"
sub_mul = "(x - a) * b"
sub_div = "(x - a) / b"
mul_add = "x * a + b"
mul_sub = "x * a - b"
mul_mul = "x * a * b"
mul_div = "x * a / b"
div_mul = "x / a * b"
add_commuted = "b + x * a"
mul_commuted = "b * (x - a)"
sub_not_commuted = "b - x * a"
div_not_commuted = "b / (x * a)"
hoisted = "x * (a / b + k)"
[constants]
a = 0.3
b = 7
k = 0.01
"#;

#[test]
fn fused_and_hoisted_code_matches_the_equations_bit_for_bit() {
    let traj = run(MODEL, Method::Euler);
    let (a, b, k) = (0.3f64, 7.0f64, 0.01f64);
    for row in 0..traj.len() {
        let v = |name: &str| traj.row(row)[traj.column(name).expect("column")];
        let x = v("x");
        let expected = [
            ("add_add", x + a + b),
            ("add_mul", (x + a) * b),
            ("sub_mul", (x - a) * b),
            ("sub_div", (x - a) / b),
            ("mul_add", x * a + b),
            ("mul_sub", x * a - b),
            ("mul_mul", x * a * b),
            ("mul_div", x * a / b),
            ("div_mul", x / a * b),
            ("add_commuted", b + x * a),
            ("mul_commuted", b * (x - a)),
            ("sub_not_commuted", b - x * a),
            ("div_not_commuted", b / (x * a)),
            ("hoisted", x * (a / b + k)),
            ("growth", x * k / a),
        ];
        for (name, want) in expected {
            assert_eq!(v(name).to_bits(), want.to_bits(), "{name} at row {row}");
        }
    }
    // The stock moved, so the rows above compared more than the initial values.
    let xs = series(&traj, "x");
    assert!(xs[2] > xs[1] && xs[1] > xs[0]);
}

#[test]
fn the_step_code_uses_the_fused_instructions_and_hoists_constants() {
    let prog = program(MODEL);
    // Per-step work is split between what the stocks need (every stage) and what is only
    // reported (save times); the fused instructions may land in either.
    let has = |f: fn(&Op) -> bool| prog.step_code.iter().chain(&prog.report_code).any(f);
    assert!(has(|op| matches!(op, Op::AddAdd(..))));
    assert!(has(|op| matches!(op, Op::AddMul(..))));
    assert!(has(|op| matches!(op, Op::SubMul(..))));
    assert!(has(|op| matches!(op, Op::SubDiv(..))));
    assert!(has(|op| matches!(op, Op::MulAdd(..))));
    assert!(has(|op| matches!(op, Op::MulSub(..))));
    assert!(has(|op| matches!(op, Op::MulMul(..))));
    assert!(has(|op| matches!(op, Op::MulDiv(..))));
    assert!(has(|op| matches!(op, Op::DivMul(..))));
    // `a / b + k` reads constants only: computed once per run, not at every step.
    assert!(
        matches!(prog.invariant_code.as_slice(), [Op::Div(..), Op::Add(..)]),
        "{:?}",
        prog.invariant_code
    );
}

#[test]
fn values_no_stock_reads_are_computed_only_at_save_times() {
    let text = r#"
[sim]
start = 0
stop = 4
dt = 0.25
save_step = 1
method = "rk4"
[stocks]
x = { initial = 1, inflows = ["growth"] }
[flows]
growth = "rate * x"
[aux]
rate = "0.1 + 0.01 * TIME"
shown = "x * 2 + rate"
[constants]
unused = 3
"#;
    let prog = program(text);
    let slot = |name: &str| prog.columns[prog.column(name).unwrap()].slot;
    let writes = |code: &[Op], s: u32| code.iter().any(|op| first_slot(op) == Some(s));
    assert!(writes(&prog.step_code, slot("growth")));
    assert!(writes(&prog.step_code, slot("rate")));
    assert!(!writes(&prog.step_code, slot("shown")));
    assert!(writes(&prog.report_code, slot("shown")));
    let traj = sandtable::simulate::run(&prog).unwrap();
    let (x, rate, shown) = (
        series(&traj, "x"),
        series(&traj, "rate"),
        series(&traj, "shown"),
    );
    for row in 0..traj.len() {
        assert_eq!(
            shown[row].to_bits(),
            (x[row] * 2.0 + rate[row]).to_bits(),
            "row {row}"
        );
    }
}

/// The slot an instruction writes, if any.
fn first_slot(op: &Op) -> Option<u32> {
    let mut first = None;
    op.clone().for_each_slot(|s| {
        first.get_or_insert(*s);
    });
    first
}

#[test]
fn an_auxiliary_listed_as_a_stock_rate_is_evaluated_at_every_stage() {
    // XMILE files converted from Vensim often drain stocks through auxiliaries; such an
    // auxiliary moves a stock, so it must be recomputed at every Runge–Kutta stage.
    let text = r#"
[sim]
start = 0
stop = 4
dt = 0.5
method = "rk4"
[stocks]
x = { initial = 1, inflows = ["gain"] }
[aux]
gain = "0.3 * x"
"#;
    let x = series(&sandtable::simulate::run(&program(text)).unwrap(), "x");
    let z: f64 = 0.3 * 0.5;
    let factor = 1.0 + z + z * z / 2.0 + z.powi(3) / 6.0 + z.powi(4) / 24.0;
    assert!(
        rel(x[8], factor.powi(8)) < 1e-12,
        "{} vs {}",
        x[8],
        factor.powi(8)
    );
}
