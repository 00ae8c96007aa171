//! Code generation shortcuts change nothing numerically: fused instruction pairs and hoisted
//! constant subexpressions give bit-for-bit the values of the equations as written.

use crate::util::*;
use sandtable::compile::program::{Func1, Func2, Op};
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
chain = "x * a * b * k * x"
nested = "(x + a) * b * (x - k) / a"
low = "MIN(x, a)"
high = "MAX(x, b)"
safe_zero = "SAFEDIV(x, x - x)"
safe = "SAFEDIV(a, x)"
xidz = "XIDZ(x * a, x - x, b)"
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
            ("chain", x * a * b * k * x),
            ("nested", (x + a) * b * (x - k) / a),
            ("low", x.min(a)),
            ("high", x.max(b)),
            ("safe_zero", 0.0),
            ("safe", a / x),
            ("xidz", b),
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
    assert!(has(|op| matches!(op, Op::Min(..))));
    assert!(has(|op| matches!(op, Op::Max(..))));
    assert!(has(|op| matches!(op, Op::DivOr(..))));
    // `a / b + k` reads constants only: computed once per run, not at every step.
    assert!(
        matches!(prog.invariant_code.as_slice(), [Op::Div(..), Op::Add(..)]),
        "{:?}",
        prog.invariant_code
    );
}

#[test]
fn chains_of_operations_fuse_through_temporaries() {
    let prog = program(MODEL);
    let slot = |name: &str| prog.columns[prog.column(name).unwrap()].slot;
    let code_of = |name: &str| -> Vec<Op> {
        let block = prog.report_blocks.iter().find(|b| b.slot == slot(name));
        let block = block.expect("a reported value");
        prog.report_code[block.start as usize..block.end as usize].to_vec()
    };
    // ((((x·a)·b)·k)·x): two fused products, not four products.
    assert!(
        matches!(
            code_of("chain").as_slice(),
            [Op::MulMul(..), Op::MulMul(..)]
        ),
        "{:?}",
        code_of("chain")
    );
    // (((x + a)·b)·(x − k))÷a: the sum and the product fuse, then the product and the
    // quotient, with the difference in a temporary.
    assert!(
        matches!(
            code_of("nested").as_slice(),
            [Op::AddMul(..), Op::Sub(..), Op::MulDiv(..)]
        ),
        "{:?}",
        code_of("nested")
    );
    // SAFEDIV(x, x − x): the IF of its lowering is one instruction after the difference.
    assert!(
        matches!(
            code_of("safe_zero").as_slice(),
            [Op::Sub(..), Op::DivOr(..)]
        ),
        "{:?}",
        code_of("safe_zero")
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

const POWERS: &str = r#"
[sim]
start = 0
stop = 730
dt = 1
save_step = 73
[stocks]
x = { initial = 0.7, inflows = ["growth"] }
[flows]
growth = "x * k"
[aux]
squared = "x ^ 2"
inverse = "x ^ -1"
first = "x ^ 1"
cubed = "x ^ 3"
yearly = "(1 + g) ^ (TIME / 365)"
literal_base = "1.03 ^ (TIME / 365)"
scaled = "(1 + g) ^ (TIME * k)"
negative_base = "(0 - b) ^ (TIME / 73)"
zero_base = "z ^ (TIME / 365)"
[constants]
g = 0.18
k = 0.001
b = 2
z = 0
"#;

#[test]
fn reduced_powers_match_pow_bit_for_bit_or_within_the_stated_bound() {
    let traj = run(POWERS, Method::Euler);
    let (g, k) = (0.18f64, 0.001f64);
    for row in 0..traj.len() {
        let v = |name: &str| traj.row(row)[traj.column(name).expect("column")];
        let (x, t) = (v("x"), traj.times[row]);
        // Small integer exponents: exact forms, bit for bit.
        for (name, want) in [
            ("squared", x.powf(2.0)),
            ("inverse", x.powf(-1.0)),
            ("first", x.powf(1.0)),
            ("cubed", x.powf(3.0)),
            ("negative_base", (-2f64).powf(t / 73.0)),
            ("zero_base", 0f64.powf(t / 365.0)),
        ] {
            assert_eq!(v(name).to_bits(), want.to_bits(), "{name} at t = {t}");
        }
        // exp(t · ln(a) / T): within (1 + |y|)·ε relative of pow, y the exponent of e.
        for (name, a, e) in [
            ("yearly", 1.0 + g, t / 365.0),
            ("literal_base", 1.03, t / 365.0),
            ("scaled", 1.0 + g, t * k),
        ] {
            let want = a.powf(e);
            let y = (e * a.ln()).abs();
            let err = (v(name) - want).abs() / want;
            assert!(
                err <= (1.0 + y) * f64::EPSILON,
                "{name} at t = {t}: {} vs {want}, {err:e}",
                v(name)
            );
        }
    }
    assert_eq!(traj.times[10], 730.0);
}

#[test]
fn powers_are_strength_reduced_in_the_step_code() {
    let prog = program(POWERS);
    let per_step = || prog.step_code.iter().chain(&prog.report_code);
    let pows = per_step()
        .filter(|op| matches!(op, Op::F2(Func2::Pow, ..)))
        .count();
    // `cubed`, and the run-time fallbacks of `yearly`, `scaled`, `negative_base` and
    // `zero_base` (whose bases are named constants, so positive only at run time).
    assert_eq!(pows, 5, "{:?}", prog.step_code);
    let exps = per_step()
        .filter(|op| matches!(op, Op::F1(Func1::Exp, ..)))
        .count();
    assert_eq!(exps, 5);
    // The logarithms of the bases are computed once per run.
    let lns = prog
        .invariant_code
        .iter()
        .filter(|op| matches!(op, Op::F1(Func1::Ln, ..)))
        .count();
    assert_eq!(lns, 4, "{:?}", prog.invariant_code);
}
