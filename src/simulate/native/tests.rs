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
        delay_out: Vec::new(),
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
    let (s, m) = both_with(prog, &machine(prog), |s| {
        s[first..first + inputs.len()].copy_from_slice(inputs)
    });
    (s, m.nan_condition)
}

/// [`both`] from the slots `fill` writes over the template, each engine starting from a copy
/// of machine `m`; returns the slots and the native engine's machine.
fn both_with(prog: &Program, m: &Machine, fill: impl Fn(&mut [f64])) -> (Vec<f64>, Machine) {
    let checked = Checked::new(prog).expect("valid");
    let native = NativeCode::compile(prog).expect("translates");
    let mut s1 = prog.template.clone();
    fill(&mut s1);
    let mut s2 = s1.clone();
    let (mut m1, mut m2) = (m.clone(), m.clone());
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
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&m1.noise), bits(&m2.noise), "held noise");
    (s2, m2)
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

/// More awkward operands for the clamps and comparisons: both zeros, both infinities, NaN of
/// both signs and with a payload, the smallest subnormals of both signs and the largest one.
const MORE: [f64; 14] = [
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    -f64::NAN,
    f64::from_bits(0x7ff0_0000_0000_0001),
    f64::from_bits(0x7ff8_dead_beef_0000),
    5e-324,
    -5e-324,
    f64::from_bits(0x000f_ffff_ffff_ffff),
    2.5,
    -2.5,
    1.0,
];

#[test]
fn min_max_clamps_comparisons_int_and_not_match_on_awkward_operands() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (a, b) = (base, base + 1);
    let d = |k: u32| base + 2 + k;
    let mut ops = vec![
        Op::Min(d(0), a, b),
        Op::Max(d(1), a, b),
        Op::Copy(d(2), a),
        Op::ClampNonNegative(d(2)),
        Op::F1(Func1::Int, d(3), a),
        Op::F1(Func1::Not, d(4), a),
        Op::F1(Func1::PositiveFinite, d(5), a),
    ];
    let f2 = [
        Func2::Lt,
        Func2::Le,
        Func2::Gt,
        Func2::Ge,
        Func2::Eq,
        Func2::Ne,
        Func2::And,
        Func2::Or,
    ];
    for (k, &f) in f2.iter().enumerate() {
        ops.push(Op::F2(f, d(6 + k as u32), a, b));
    }
    let prog = program(ops, 2 + 6 + f2.len());
    for x in MORE {
        for y in MORE {
            let (s, _) = both(&prog, base as usize, &[x, y]);
            let at = |k: u32| s[d(k) as usize];
            // Against the definitions, besides the agreement of the engines.
            if x.is_nan() || y.is_nan() {
                assert_eq!(at(0).to_bits(), f64::NAN.to_bits(), "MIN({x}, {y})");
                assert_eq!(at(1).to_bits(), f64::NAN.to_bits(), "MAX({x}, {y})");
            } else {
                assert_eq!(at(0), x.min(y), "MIN({x}, {y})");
                assert_eq!(at(1), x.max(y), "MAX({x}, {y})");
            }
            let clamped = if x > 0.0 { x } else { 0.0 };
            assert_eq!(at(2).to_bits(), clamped.to_bits(), "clamp {x}");
            assert_eq!(at(3).to_bits(), Func1::Int.apply(x).to_bits(), "INT {x}");
            assert_eq!(at(4).to_bits(), Func1::Not.apply(x).to_bits(), "NOT {x}");
            for (k, &f) in f2.iter().enumerate() {
                let want = f.apply(x, y).to_bits();
                assert_eq!(at(6 + k as u32).to_bits(), want, "{f:?}({x}, {y})");
            }
        }
    }
}

#[test]
fn min_and_max_of_two_zeros_give_the_first_and_of_nan_the_evaluators_nan() {
    use super::super::vm::{clamp_non_negative, max, min};
    let bits = |x: f64| x.to_bits();
    let (pz, nz) = (0.0_f64, -0.0_f64);
    // Pinned: the first operand on a tie, as `f64::min`/`max` gave in the evaluator before
    // both engines spelt the comparison out.
    assert_eq!(bits(min(pz, nz)), bits(pz));
    assert_eq!(bits(min(nz, pz)), bits(nz));
    assert_eq!(bits(max(pz, nz)), bits(pz));
    assert_eq!(bits(max(nz, pz)), bits(nz));
    assert_eq!(bits(min(f64::NAN, 1.0)), bits(f64::NAN));
    assert_eq!(bits(max(1.0, -f64::NAN)), bits(f64::NAN));
    assert_eq!(bits(clamp_non_negative(nz)), bits(pz));
    assert_eq!(bits(clamp_non_negative(f64::NAN)), bits(pz));
    assert_eq!(clamp_non_negative(-3.0), 0.0);
    assert_eq!(clamp_non_negative(5e-324), 5e-324);
    // And the native code gives the same bits for the four zero pairs.
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (a, b, lo, hi) = (base, base + 1, base + 2, base + 3);
    let prog = program(vec![Op::Min(lo, a, b), Op::Max(hi, a, b)], 4);
    for (x, y) in [(pz, nz), (nz, pz), (pz, pz), (nz, nz)] {
        let (s, _) = both(&prog, base as usize, &[x, y]);
        assert_eq!(bits(s[lo as usize]), bits(x), "MIN({x}, {y})");
        assert_eq!(bits(s[hi as usize]), bits(x), "MAX({x}, {y})");
    }
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
fn the_euler_and_runge_kutta_stages_match_the_evaluators_stages() {
    let prog = program(Vec::new(), 0);
    let checked = Checked::new(&prog).expect("valid");
    let native = NativeCode::compile(&prog).expect("translates");
    let n = prog.stocks.len();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for flow in VALUES.into_iter().chain(MORE) {
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
        // Every stage from awkward starting buffers, against the evaluator's update.
        for stage in Stage::ALL {
            for (x0, acc) in [(1.5, -0.75), (-0.0, 0.0), (f64::INFINITY, 5e-324)] {
                let (mut a1, mut b1) = (vec![x0; n], vec![acc; n]);
                let (mut a2, mut b2) = (a1.clone(), b1.clone());
                let (mut t1, mut t2) = (s1.clone(), s1.clone());
                super::super::vm::update_stocks(
                    checked,
                    &mut t1,
                    &mut a1,
                    &mut b1,
                    |d, x, p, q| stage.update(0.125, d, x, p, q),
                );
                assert!(native.stage(stage, &mut t2, &mut a2, &mut b2, 0.125));
                let at = format!("{stage:?}, flow {flow}, x0 {x0}, acc {acc}");
                assert_eq!(bits(&t1), bits(&t2), "slots: {at}");
                assert_eq!(bits(&a1), bits(&a2), "x0: {at}");
                assert_eq!(bits(&b1), bits(&b2), "acc: {at}");
            }
        }
    }
    // Hand-computed with the flow held at 2 from x = 1: the slopes accumulate to
    // 2 + 2·2 + 2·2 + 2 = 12, and the last stage (h = 1/4, exact) gives 1 + 12/4 = 4.
    let mut s = prog.template.clone();
    s[RESERVED] = 1.0;
    for &f in &prog.rate_slots {
        s[f as usize] = 2.0;
    }
    let (mut x0, mut acc) = (vec![0.0; n], vec![0.0; n]);
    for (stage, h) in [
        (Stage::First, 0.5),
        (Stage::Rk4Mid, 0.5),
        (Stage::Rk4Mid, 1.0),
        (Stage::Rk4Last, 0.25),
    ] {
        assert!(native.stage(stage, &mut s, &mut x0, &mut acc, h));
    }
    assert_eq!((s[RESERVED], x0[0], acc[0]), (4.0, 1.0, 12.0));
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

mod specials;
