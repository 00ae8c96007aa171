//! Unit tests of the native engine: each kind of instruction gives the evaluator's bits.

use super::*;
use crate::compile::program::{Func1, Func2, Op, Program, Special, Table};
use crate::model::GfKind;
use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

/// A compiled one-stock program with `extra` more slots, whose step code is `ops`.
fn program(ops: Vec<Op>, extra: usize) -> Program {
    let file = std::sync::Arc::new(crate::diagnostic::SourceFile {
        path: "t.toml".into(),
        text: "[sim]\nstart = 0\nstop = 4\ndt = 1\n[stocks]\nx = { initial = 1, inflows = [\"f\"] }\n[flows]\nf = \"x * k\"\n[constants]\nk = 0.5\n".into(),
    });
    let model = crate::model::toml_file::parse(&file, "t").expect("parses");
    let mut prog = crate::compile::compile(&model).expect("compiles");
    prog.template.extend(std::iter::repeat_n(0.0, extra));
    prog.step_code = ops;
    prog.step_blocks.clear();
    prog.tables.push(Table {
        xs: vec![0.0, 1.0, 2.0],
        ys: vec![0.0, 10.0, 5.0],
        kind: GfKind::Continuous,
    });
    prog
}

fn machine(prog: &Program) -> Machine {
    Machine {
        step_time: 0.0,
        fresh: true,
        initializing: false,
        noise: vec![0.0; prog.noise_keys.len()],
        delays: Vec::new(),
        rngs: (prog.noise_keys.iter())
            .map(|_| Xoshiro256PlusPlus::seed_from_u64(7))
            .collect(),
        nan_condition: false,
        histories: Vec::new(),
        queues: Vec::new(),
    }
}

/// Runs the step code of `prog` on both engines from slots `base` with `inputs` written from
/// slot `first`; asserts identical bits in every slot and the same NaN-condition flag, and
/// returns the slots and the flag.
fn both(prog: &Program, first: usize, inputs: &[f64]) -> (Vec<f64>, bool) {
    let checked = Checked::new(prog).expect("valid");
    let native = NativeCode::compile(prog).expect("translates");
    let mut s1 = prog.template.clone();
    s1[first..first + inputs.len()].copy_from_slice(inputs);
    let mut s2 = s1.clone();
    let (mut m1, mut m2) = (machine(prog), machine(prog));
    exec(checked, Code::Step, &mut s1, &mut m1);
    native.exec(checked, Code::Step, &mut s2, &mut m2);
    for (i, (a, b)) in s1.iter().zip(&s2).enumerate() {
        assert_eq!(
            a.to_bits(),
            b.to_bits(),
            "slot {i}: evaluator {a}, native {b}"
        );
    }
    assert_eq!(m1.nan_condition, m2.nan_condition, "NaN-condition flag");
    assert_eq!(m1.noise, m2.noise);
    (s2, m2.nan_condition)
}

/// Awkward operands: signed zeros, infinities, NaN, subnormals, ordinary values.
const VALUES: [f64; 10] = [
    0.0,
    -0.0,
    1.0,
    -2.5,
    3.0e300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    5e-324,
    0.1,
];

#[test]
fn arithmetic_functions_and_fused_pairs_match_on_awkward_operands() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (a, b, c) = (base, base + 1, base + 2);
    let d = |k: u32| base + 3 + k;
    let mut ops = vec![
        Op::Copy(d(0), a),
        Op::Add(d(1), a, b),
        Op::Sub(d(2), a, b),
        Op::Mul(d(3), a, b),
        Op::Div(d(4), a, b),
        Op::Min(d(5), a, b),
        Op::Max(d(6), a, b),
        Op::AddAdd(d(7), a, b, c),
        Op::AddMul(d(8), a, b, c),
        Op::SubMul(d(9), a, b, c),
        Op::SubDiv(d(10), a, b, c),
        Op::MulAdd(d(11), a, b, c),
        Op::MulSub(d(12), a, b, c),
        Op::MulMul(d(13), a, b, c),
        Op::MulDiv(d(14), a, b, c),
        Op::DivMul(d(15), a, b, c),
        Op::Lookup(d(16), 0, a),
        Op::ClampNonNegative(d(0)),
    ];
    let f1 = [
        Func1::Abs,
        Func1::Exp,
        Func1::Ln,
        Func1::Sqrt,
        Func1::Sin,
        Func1::Int,
        Func1::Round,
        Func1::Not,
        Func1::Neg,
        Func1::NormalCdf,
        Func1::PositiveFinite,
    ];
    let f2 = [
        Func2::Add,
        Func2::Sub,
        Func2::Mul,
        Func2::Div,
        Func2::Pow,
        Func2::Mod,
        Func2::Lt,
        Func2::Eq,
        Func2::And,
        Func2::Min,
        Func2::Max,
        Func2::SafeDiv,
    ];
    let mut k = 17;
    for f in f1 {
        ops.push(Op::F1(f, d(k), a));
        k += 1;
    }
    for f in f2 {
        ops.push(Op::F2(f, d(k), a, b));
        k += 1;
    }
    let prog = program(ops, 3 + k as usize);
    let mut checked = 0;
    for x in VALUES {
        for y in VALUES {
            let (s, _) = both(&prog, base as usize, &[x, y, 0.5]);
            checked += 1;
            // A hand-computed spot check besides the agreement.
            if x == 1.0 && y == -2.5 {
                assert_eq!(s[d(1) as usize], -1.5);
                assert_eq!(s[d(8) as usize], -0.75);
            }
        }
    }
    assert_eq!(checked, VALUES.len() * VALUES.len());
}

#[test]
fn safe_division_takes_the_fallback_at_zero_and_flags_a_nan_divisor() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (a, b, f, d) = (base, base + 1, base + 2, base + 3);
    let prog = program(vec![Op::DivOr(d, a, b, f)], 4);
    let at = |s: &[f64]| s[d as usize];
    let (s, nan) = both(&prog, base as usize, &[6.0, 0.0, 7.0]);
    assert_eq!((at(&s), nan), (7.0, false));
    let (s, nan) = both(&prog, base as usize, &[6.0, -0.0, 7.0]);
    assert_eq!((at(&s), nan), (7.0, false));
    let (s, nan) = both(&prog, base as usize, &[6.0, 4.0, 7.0]);
    assert_eq!((at(&s), nan), (1.5, false));
    let (s, nan) = both(&prog, base as usize, &[6.0, f64::NAN, 7.0]);
    assert!(at(&s).is_nan() && nan);
    let (s, nan) = both(&prog, base as usize, &[f64::NAN, 2.0, 7.0]);
    assert!(at(&s).is_nan() && !nan);
}

#[test]
fn jumps_follow_the_condition_and_a_nan_condition_takes_the_else_branch_and_flags() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (c, one, two, d) = (base, base + 1, base + 2, base + 3);
    // d = IF c THEN one ELSE two, as the compiler lays it out; then d = d + d after the join.
    let ops = vec![
        Op::JumpIfZero(c, 3),
        Op::Copy(d, one),
        Op::Jump(4),
        Op::Copy(d, two),
        Op::Add(d, d, d),
    ];
    let prog = program(ops, 4);
    let run = |cond: f64| both(&prog, base as usize, &[cond, 1.0, 2.0, 0.0]);
    let ((s, nan), at) = (run(1.0), d as usize);
    assert_eq!((s[at], nan), (2.0, false));
    let (s, nan) = run(0.0);
    assert_eq!((s[at], nan), (4.0, false));
    let (s, nan) = run(-0.0);
    assert_eq!((s[at], nan), (4.0, false));
    let (s, nan) = run(f64::INFINITY);
    assert_eq!((s[at], nan), (2.0, false));
    let (s, nan) = run(f64::NAN);
    assert_eq!((s[at], nan), (4.0, true));
}

#[test]
fn jumps_to_the_end_and_past_it_end_the_code() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (c, d) = (base, base + 1);
    for end in [2, 9] {
        let ops = vec![Op::JumpIfZero(c, end), Op::Copy(d, c)];
        let prog = program(ops, 2);
        let (s, _) = both(&prog, base as usize, &[0.0, 5.0]);
        assert_eq!(s[d as usize], 5.0);
        let (s, _) = both(&prog, base as usize, &[3.0, 5.0]);
        assert_eq!(s[d as usize], 3.0);
    }
}

#[test]
fn stateful_builtins_run_the_evaluators_code() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (h, start, d, e) = (base, base + 1, base + 2, base + 3);
    let mut prog = program(vec![Op::Special(d, 0), Op::Add(e, d, d)], 4);
    prog.specials = vec![Special::Step { height: h, start }];
    let (s, _) = both(&prog, base as usize, &[3.0, 0.0]);
    assert_eq!((s[d as usize], s[e as usize]), (3.0, 6.0));
    let (s, _) = both(&prog, base as usize, &[3.0, 2.0]);
    assert_eq!((s[d as usize], s[e as usize]), (0.0, 0.0));
}

#[test]
fn derivatives_and_the_euler_stage_match_the_evaluators_stages() {
    let prog = program(Vec::new(), 0);
    let checked = Checked::new(&prog).expect("valid");
    let native = NativeCode::compile(&prog).expect("translates");
    let n = prog.stocks.len();
    for flow in VALUES {
        let mut s1 = prog.template.clone();
        for &f in &prog.rate_slots {
            s1[f as usize] = flow;
        }
        let mut s2 = s1.clone();
        super::super::vm::euler_stage(checked, &mut s1, 0.25);
        native.euler(&mut s2, 0.25);
        assert_eq!(
            s1[RESERVED].to_bits(),
            s2[RESERVED].to_bits(),
            "flow {flow}"
        );
        let mut d = vec![f64::NAN; n];
        assert!(native.derivatives(&s2, &mut d));
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        let mut seen = Vec::new();
        super::super::vm::update_stocks(checked, &mut s2, &mut a, &mut b, |d, _, _, _| {
            seen.push(d)
        });
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&d), bits(&seen), "flow {flow}");
    }
}

#[test]
fn native_code_is_shared_through_the_program_and_refreshed_when_the_code_changes() {
    let prog = program(Vec::new(), 0);
    let first = NativeCode::of(&prog).expect("translates");
    let again = NativeCode::of(&prog).expect("translates");
    assert!(Arc::ptr_eq(&first, &again));
    let mut changed = prog.clone();
    assert!(!Arc::ptr_eq(
        &first,
        &NativeCode::of(&changed).expect("translates")
    ));
    changed.step_code.push(Op::Copy(0, 0));
    let fresh = NativeCode::of(&changed).expect("translates");
    assert!(fresh.fits(&changed) && !first.fits(&changed));
}
