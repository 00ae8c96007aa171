//! Unit tests of the builtins the native engine computes itself (`STEP`, delay outputs, held
//! noise): the evaluator's bits at their edges, and hand-computed values.

use super::*;
use crate::compile::program::{DelayLine, DT, TIME};
use crate::model::Method;
use crate::simulate::vm::DelayState;
use crate::simulate::Simulation;

/// The compiled program of TOML model `text`.
fn compiled(text: &str) -> Program {
    let file = std::sync::Arc::new(crate::diagnostic::SourceFile {
        path: "t.toml".into(),
        text: text.into(),
    });
    let model = crate::model::toml_file::parse(&file, "t").expect("parses");
    crate::compile::compile(&model).expect("compiles")
}

/// Every saved row of a run of `prog` on `engine` with `method`: the time and every slot.
fn rows(prog: &Program, engine: Engine, method: Method) -> Vec<Vec<f64>> {
    let mut sim = Simulation::new(prog);
    sim.set_engine(engine);
    assert_eq!(sim.engine(), engine);
    sim.set_method(method);
    let mut out = Vec::new();
    sim.run_with(|t, s| out.push(std::iter::once(t).chain(s.iter().copied()).collect()))
        .expect("runs");
    out
}

/// The rows of both engines, asserted bit-identical, for each method.
fn both_engines(prog: &Program) -> Vec<(Method, Vec<Vec<f64>>)> {
    let bits = |r: &[Vec<f64>]| -> Vec<Vec<u64>> {
        r.iter()
            .map(|row| row.iter().map(|x| x.to_bits()).collect())
            .collect()
    };
    [Method::Euler, Method::Rk2, Method::Rk4]
        .into_iter()
        .map(|method| {
            let evaluator = rows(prog, Engine::Interpreter, method);
            let native = rows(prog, Engine::Native, method);
            assert_eq!(bits(&evaluator), bits(&native), "{method:?}");
            (method, native)
        })
        .collect()
}

#[test]
fn step_switches_on_the_steps_time_within_a_millionth_of_dt() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (h, start, d) = (base, base + 1, base + 2);
    let mut prog = program(vec![Op::Special(d, 0)], 3);
    prog.specials = vec![Special::Step { height: h, start }];
    let (dt, at) = (0.25, 10.0);
    let eps = dt * 1e-6;
    let payload = f64::from_bits(0x7ff8_dead_beef_0000);
    // The step's time, the start, the height, and the value the definition gives (None:
    // at the boundary, only the engines' agreement is asserted).
    let mut cases = vec![
        (at - 1.0, at, 3.0, Some(0.0)),
        (at - 2.0 * eps, at, 3.0, Some(0.0)),
        (at - 0.5 * eps, at, 3.0, Some(3.0)),
        (at, at, 3.0, Some(3.0)),
        (at + 1.0, at, 3.0, Some(3.0)),
        (at + 1.0, at, -0.0, Some(-0.0)),
        (at + 1.0, at, payload, Some(payload)),
        (at, f64::NAN, 3.0, Some(0.0)),
        (at, f64::INFINITY, 3.0, Some(0.0)),
        (at, f64::NEG_INFINITY, 3.0, Some(3.0)),
        (f64::NAN, at, 3.0, Some(0.0)),
        (-0.0, 0.0, 3.0, Some(3.0)),
    ];
    // Around `t + eps == start`, one unit in the last place at a time.
    let mut t = at - eps;
    for _ in 0..3 {
        t = t.next_down();
    }
    for _ in 0..7 {
        cases.push((t, at, 3.0, None));
        t = t.next_up();
    }
    let mut switched = [false, false];
    for (step_time, start_at, height, want) in cases {
        let mut m = machine(&prog);
        m.step_time = step_time;
        let (s, _) = both_with(&prog, &m, |s| {
            s[DT as usize] = dt;
            // TIME is not what STEP reads (the step's time is held through the stages).
            s[TIME as usize] = at + 100.0;
            s[h as usize] = height;
            s[start as usize] = start_at;
        });
        let got = s[d as usize];
        if let Some(want) = want {
            assert_eq!(got.to_bits(), want.to_bits(), "STEP at {step_time}");
        } else {
            switched[usize::from(got == 3.0)] = true;
        }
    }
    assert_eq!(
        switched,
        [true, true],
        "the boundary cases cross the switch"
    );
}

#[test]
fn step_is_held_at_the_steps_start_through_the_runge_kutta_stages() {
    // x' = STEP(1, 2.5), dt = 1: every stage of the step from 2 sees 0 and every stage of
    // the step from 3 sees 1, so each method gives x = 0, 0, 0, 0, 1, 2 (were the stages to
    // read their own time, RK4 would give 5/6 at 3 and RK2 1/2).
    let prog = compiled(
        "[sim]\nstart = 0\nstop = 5\ndt = 1\n[stocks]\nx = { initial = 0, inflows = [\"f\"] }\n\
         [flows]\nf = \"STEP(1, 2.5)\"\n",
    );
    for (method, rows) in both_engines(&prog) {
        let x: Vec<f64> = rows.iter().map(|r| r[1 + RESERVED]).collect();
        assert_eq!(x, [0.0, 0.0, 0.0, 0.0, 1.0, 2.0], "{method:?}");
    }
}

/// A step program reading delay lines 1 and 0 (in that order, so a wrong line offset
/// shows), with two lines of `steps` 1 and 3 whose initial values are 5 and 7.
fn delay_program() -> (Program, Machine, [Slot; 2]) {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (init0, init1, d0, d1) = (base, base + 1, base + 2, base + 3);
    let mut prog = program(vec![Op::Special(d1, 0), Op::Special(d0, 1)], 4);
    prog.specials = vec![Special::Delay(1), Special::Delay(0)];
    prog.template[init0 as usize] = 5.0;
    prog.template[init1 as usize] = 7.0;
    let line = |initial| DelayLine {
        input: base,
        delay: base,
        initial,
    };
    prog.delays = vec![line(init0), line(init1)];
    let mut m = machine(&prog);
    m.delays = [(1, 5.0, init0), (3, 7.0, init1)]
        .into_iter()
        .map(|(steps, initial, slot)| DelayState {
            ring: vec![0.0; steps],
            steps,
            initial,
            initial_slot: slot as usize,
            ..DelayState::default()
        })
        .collect();
    m.reset_delay_outputs();
    (prog, m, [d0, d1])
}

#[test]
fn delay_outputs_match_before_and_after_the_lines_fill() {
    let (prog, mut m, [d0, d1]) = delay_program();
    // Inputs 10, 20, 30, … on line 0 (one step) and 100, 200, … on line 1 (three steps).
    let mut seen = Vec::new();
    for k in 1..=6 {
        let (s, _) = both_with(&prog, &m, |_| {});
        seen.push((s[d0 as usize], s[d1 as usize]));
        m.delays[0].pending = 10.0 * k as f64;
        m.delays[1].pending = 100.0 * k as f64;
        m.advance_delays();
        let outputs: Vec<f64> = m.delays.iter().map(DelayState::output).collect();
        assert_eq!(m.delay_out, outputs, "the kept outputs are the lines'");
    }
    let want = [
        (5.0, 7.0),
        (10.0, 7.0),
        (20.0, 7.0),
        (30.0, 100.0),
        (40.0, 200.0),
        (50.0, 300.0),
    ];
    assert_eq!(seen, want);
}

#[test]
fn the_initial_pass_reads_each_delays_initial_slot_on_both_engines() {
    let (prog, mut m, [d0, d1]) = delay_program();
    m.initializing = true;
    // The kept outputs say otherwise: the initial pass must not read them.
    m.delay_out = vec![-1.0, -2.0];
    let (s, _) = both_with(&prog, &m, |s| {
        s[prog.delays[0].initial as usize] = 11.0;
        s[prog.delays[1].initial as usize] = 13.0;
    });
    assert_eq!((s[d0 as usize], s[d1 as usize]), (11.0, 13.0));
}

#[test]
fn an_arrayed_delay_gives_the_same_bits_on_both_engines_with_every_method() {
    // DELAY(g, 1, 100 + index) with dt = 0.5 is two steps: the initial value for t < 1,
    // then g one time unit earlier (g = TIME·(1 + index) + 10·index, exact); and a delay of
    // one step (dt) on the same input.
    let prog = compiled(
        "[sim]\nstart = 0\nstop = 4\ndt = 0.5\n[dimensions]\nk = [\"a\", \"b\"]\n\
         [stocks]\nx = { dims = [\"k\"], initial = 0, inflows = [\"f\"] }\n\
         [flows]\nf = { dims = [\"k\"], equation = \"DELAY(g, 1, 100 + i) + DELAY(g, 0.5, 0)\" }\n\
         [aux]\ng = { dims = [\"k\"], equation = \"TIME * (1 + i) + 10 * i\" }\n\
         [constants]\ni = { dims = [\"k\"], value = [0, 1] }\n",
    );
    let slot = |name: &str| {
        let c = prog.columns.iter().find(|c| c.name == name).expect(name);
        1 + c.slot as usize
    };
    let (fa, fb) = (slot("f[a]"), slot("f[b]"));
    for (method, rows) in both_engines(&prog) {
        let f: Vec<(f64, f64)> = rows.iter().map(|r| (r[fa], r[fb])).collect();
        let g = |t: f64, i: f64| t * (1.0 + i) + 10.0 * i;
        for (row, &(a, b)) in rows.iter().zip(&f) {
            let t = row[0];
            let late = |i: f64| if t < 1.0 { 100.0 + i } else { g(t - 1.0, i) };
            let soon = |i: f64| if t < 0.5 { 0.0 } else { g(t - 0.5, i) };
            assert_eq!(
                (a, b),
                (late(0.0) + soon(0.0), late(1.0) + soon(1.0)),
                "{method:?} at {t}"
            );
        }
    }
}

#[test]
fn held_noise_is_read_natively_and_drawn_by_the_evaluator() {
    let base = program(Vec::new(), 0).slot_count() as u32;
    let (lo, hi, mean, sd, tau) = (base, base + 1, base + 2, base + 3, base + 4);
    let d = |k: u32| base + 5 + k;
    let mut prog = program(
        vec![
            Op::Special(d(0), 0),
            Op::Special(d(1), 1),
            Op::Special(d(2), 2),
            Op::Add(d(3), d(2), mean),
        ],
        9,
    );
    prog.specials = vec![
        Special::Pink {
            mean,
            sd,
            tau,
            state: 2,
        },
        Special::Uniform {
            min: lo,
            max: hi,
            state: 0,
        },
        Special::Normal { mean, sd, state: 1 },
    ];
    prog.noise_keys = vec![1, 2, 3];
    let fill = |s: &mut [f64]| {
        s[DT as usize] = 0.25;
        s[lo as usize] = 2.0;
        s[hi as usize] = 3.0;
        s[mean as usize] = 0.1;
        s[sd as usize] = 0.5;
        s[tau as usize] = 4.0;
    };
    let mut m = machine(&prog);
    for fresh in [true, false, false, true, false] {
        m.fresh = fresh;
        let before = m.noise.clone();
        let (s, after) = both_with(&prog, &m, fill);
        if !fresh {
            assert_eq!(after.noise, before, "held, not drawn");
        }
        let at = |k: u32| s[d(k) as usize];
        assert_eq!(at(0), 0.1 + after.noise[2], "pink noise about its mean");
        assert_eq!((at(1), at(2)), (after.noise[0], after.noise[1]));
        assert!((2.0..3.0).contains(&at(1)), "uniform on [2, 3): {}", at(1));
        m = after;
    }
}
