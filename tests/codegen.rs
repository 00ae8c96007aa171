//! Code generation shortcuts change nothing numerically: fused instruction pairs and hoisted
//! constant subexpressions give bit-for-bit the values of the equations as written.

mod common;
use common::*;
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
    let has = |f: fn(&Op) -> bool| prog.step_code.iter().any(f);
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
