//! The evaluator: executes register code over the slot array. No allocation, no name lookup.

use crate::compile::program::{Op, Program, Slot, Special, DT, RESERVED, START, TIME};
use rand::rngs::Xoshiro256PlusPlus;
use rand::RngExt;
use rand_distr::StandardNormal;

/// State of one fixed delay line during a run.
#[derive(Debug, Clone, Default)]
pub struct DelayState {
    /// Recorded inputs, a ring of `steps` entries.
    pub ring: Vec<f64>,
    /// Delay in whole steps (at least 1).
    pub steps: usize,
    /// How many inputs have been recorded.
    pub recorded: usize,
    /// The input seen at the first stage of the current step, recorded when the step ends.
    pub pending: f64,
    /// Output before the pipeline has filled.
    pub initial: f64,
    /// Slot of the initial value, read directly during the initial-value pass (before
    /// `initial` is captured).
    pub initial_slot: usize,
}

impl DelayState {
    /// The delayed value for the current step.
    #[inline]
    pub fn output(&self) -> f64 {
        if self.steps > 0 && self.recorded >= self.steps {
            self.ring[(self.recorded - self.steps) % self.steps]
        } else {
            self.initial
        }
    }
}

/// Mutable run state besides the slots: time of the step start, stage flag, noise and delays.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Time at the start of the current step: discontinuous builtins (STEP, PULSE) are held
    /// at their step-start value through the stages, so breakpoints on the grid integrate
    /// exactly with every method.
    pub step_time: f64,
    /// Whether this evaluation is the first of a step (noise is drawn then, and held).
    pub fresh: bool,
    /// Whether this is the initial-value pass.
    pub initializing: bool,
    /// Held noise values (and pink-noise states).
    pub noise: Vec<f64>,
    /// Delay lines.
    pub delays: Vec<DelayState>,
    /// Each delay line's present output ([`DelayState::output`]), one entry per line, kept
    /// up to date by [`Machine::reset_delay_outputs`] and [`Machine::advance_delays`] so
    /// the native engine reads it with one load.
    pub delay_out: Vec<f64>,
    /// One random stream per noise state, seeded by the run's seed and the state's key.
    pub rngs: Vec<Xoshiro256PlusPlus>,
    /// Set when an IF met a NaN condition (the else branch is taken; the run then faults).
    pub nan_condition: bool,
    /// History buffers (`HISTORY`, `IRR`): one value per integration step, sized when a run
    /// starts.
    pub histories: Vec<Vec<f64>>,
    /// The batches of each queue outflow (see [`super::queues`]), sized when a run starts.
    pub queues: Vec<super::queues::QueueState>,
}

impl Machine {
    /// Ends a step of every delay line: records the input seen at the step's start
    /// ([`DelayState::pending`]) in the ring and refreshes the line's output in
    /// [`Machine::delay_out`].
    #[inline]
    pub fn advance_delays(&mut self) {
        for (state, out) in self.delays.iter_mut().zip(&mut self.delay_out) {
            let at = state.recorded % state.steps;
            state.ring[at] = state.pending;
            state.recorded += 1;
            *out = state.output();
        }
    }

    /// Sets [`Machine::delay_out`] to the lines' outputs, one entry per line: after the
    /// lines are reset for a run.
    pub fn reset_delay_outputs(&mut self) {
        self.delay_out.clear();
        (self.delay_out).extend(self.delays.iter().map(DelayState::output));
    }
}

/// Records `x` in history buffer `b` as the value of the current step, on the step's first
/// evaluation; returns the step's index.
fn record(m: &mut Machine, b: u32, x: f64, s: &[f64]) -> usize {
    let k = ((m.step_time - s[START as usize]) / s[DT as usize])
        .round()
        .max(0.0) as usize;
    if m.fresh {
        if let Some(v) = m.histories.get_mut(b as usize).and_then(|h| h.get_mut(k)) {
            *v = x;
        }
    }
    k
}

/// A program whose slot indices have passed [`Program::validate`]: the evaluator may then
/// index a slot array of the program's size without bounds checks. Holding the shared borrow
/// keeps the program from changing after the check.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'p>(&'p Program);

impl<'p> Checked<'p> {
    /// Validates `prog`.
    pub fn new(prog: &'p Program) -> Result<Checked<'p>, String> {
        prog.validate()?;
        Ok(Checked(prog))
    }

    /// The program.
    #[inline]
    pub fn program(self) -> &'p Program {
        self.0
    }
}

/// Which of the program's code streams to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// [`Program::init_code`].
    Init,
    /// [`Program::invariant_code`].
    Invariant,
    /// [`Program::step_code`].
    Step,
    /// [`Program::report_code`].
    Report,
}

/// Reads slot `i` without a bounds check.
///
/// Safety: `i < s.len()`.
#[inline(always)]
unsafe fn get(s: &[f64], i: Slot) -> f64 {
    debug_assert!((i as usize) < s.len());
    // SAFETY: guaranteed by the caller.
    unsafe { *s.get_unchecked(i as usize) }
}

/// Writes slot `i` without a bounds check.
///
/// Safety: `i < s.len()`.
#[inline(always)]
unsafe fn set(s: &mut [f64], i: Slot, v: f64) {
    debug_assert!((i as usize) < s.len());
    // SAFETY: guaranteed by the caller.
    unsafe { *s.get_unchecked_mut(i as usize) = v }
}

/// Executes a whole code stream over `s`.
///
/// # Panics
///
/// When `s` is not exactly the program's slot array size.
#[inline(always)]
pub fn exec(prog: Checked, code: Code, s: &mut [f64], m: &mut Machine) {
    exec_from(prog, code, 0, usize::MAX, s, m);
}

/// Executes instructions `start..end` of a code stream (jump targets are absolute in the
/// stream; `end` is cut to the stream's length).
///
/// # Panics
///
/// When `s` is not exactly the program's slot array size.
// Inlined so that a constant `code` selects its stream at compile time and a small model's
// step (one or two instructions) pays no call: the per-call overhead was most of the
// evaluator's cost for the teacup model.
#[inline(always)]
pub fn exec_from(
    prog: Checked,
    code: Code,
    start: usize,
    end: usize,
    s: &mut [f64],
    m: &mut Machine,
) {
    let prog = prog.program();
    assert_eq!(s.len(), prog.slot_count(), "slot array of the wrong size");
    let code = match code {
        Code::Init => &prog.init_code[..],
        Code::Invariant => &prog.invariant_code[..],
        Code::Step => &prog.step_code[..],
        Code::Report => &prog.report_code[..],
    };
    let end = end.min(code.len());
    let mut pc = start;
    // SAFETY (every `get`/`set` below): the program passed `validate`, so every slot an
    // instruction names is below `slot_count() == s.len()`; `pc < end <= code.len()`.
    while pc < end {
        match unsafe { *code.get_unchecked(pc) } {
            Op::Copy(d, a) => unsafe { set(s, d, get(s, a)) },
            Op::Add(d, a, b) => unsafe { set(s, d, get(s, a) + get(s, b)) },
            Op::Sub(d, a, b) => unsafe { set(s, d, get(s, a) - get(s, b)) },
            Op::Mul(d, a, b) => unsafe { set(s, d, get(s, a) * get(s, b)) },
            Op::Div(d, a, b) => unsafe { set(s, d, get(s, a) / get(s, b)) },
            Op::Min(d, a, b) => unsafe { set(s, d, min(get(s, a), get(s, b))) },
            Op::Max(d, a, b) => unsafe { set(s, d, max(get(s, a), get(s, b))) },
            Op::F1(f, d, a) => unsafe { set(s, d, f.apply(get(s, a))) },
            Op::F2(f, d, a, b) => unsafe { set(s, d, f.apply(get(s, a), get(s, b))) },
            Op::AddAdd(d, a, b, c) => unsafe { set(s, d, get(s, a) + get(s, b) + get(s, c)) },
            Op::AddMul(d, a, b, c) => unsafe { set(s, d, (get(s, a) + get(s, b)) * get(s, c)) },
            Op::SubMul(d, a, b, c) => unsafe { set(s, d, (get(s, a) - get(s, b)) * get(s, c)) },
            Op::SubDiv(d, a, b, c) => unsafe { set(s, d, (get(s, a) - get(s, b)) / get(s, c)) },
            Op::MulAdd(d, a, b, c) => unsafe { set(s, d, get(s, a) * get(s, b) + get(s, c)) },
            Op::MulSub(d, a, b, c) => unsafe { set(s, d, get(s, a) * get(s, b) - get(s, c)) },
            Op::MulMul(d, a, b, c) => unsafe { set(s, d, get(s, a) * get(s, b) * get(s, c)) },
            Op::MulDiv(d, a, b, c) => unsafe { set(s, d, get(s, a) * get(s, b) / get(s, c)) },
            Op::DivMul(d, a, b, c) => unsafe { set(s, d, get(s, a) / get(s, b) * get(s, c)) },
            Op::DivOr(d, a, b, f) => unsafe {
                let y = get(s, b);
                let v = if y == 0.0 {
                    get(s, f)
                } else {
                    m.nan_condition |= y.is_nan();
                    get(s, a) / y
                };
                set(s, d, v)
            },
            Op::JumpIfZero(c, target) => {
                let c = unsafe { get(s, c) };
                if c == 0.0 || c.is_nan() {
                    m.nan_condition |= c.is_nan();
                    pc = target as usize;
                    continue;
                }
            }
            Op::Jump(target) => {
                pc = target as usize;
                continue;
            }
            Op::Lookup(d, t, a) => unsafe { set(s, d, prog.tables[t as usize].eval(get(s, a))) },
            Op::ClampNonNegative(d) => unsafe { set(s, d, clamp_non_negative(get(s, d))) },
            Op::Special(d, k) => {
                let v = special(&prog.specials[k as usize], s, m);
                unsafe { set(s, d, v) }
            }
        }
        pc += 1;
    }
}

/// `MIN(a, b)` of [`Op::Min`]: NaN (`f64::NAN`) when either operand is NaN, as
/// [`Func2::Min`](crate::compile::program::Func2::Min), else the smaller, and the first operand when the two compare equal, so
/// `MIN(0, −0)` is 0 and `MIN(−0, 0)` is −0.
///
/// Spelt out as comparisons rather than `f64::min`, which may return either zero of a
/// `(0, −0)` pair: the native engine computes the same comparisons, so both engines give the
/// same bits whatever the optimiser does (these are the bits `f64::min` gave here before).
#[inline(always)]
pub fn min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if b < a {
        b
    } else {
        a
    }
}

/// `MAX(a, b)` of [`Op::Max`]: as [`min`], the larger, the first operand on a tie.
#[inline(always)]
pub fn max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if b > a {
        b
    } else {
        a
    }
}

/// [`Op::ClampNonNegative`]: `x` when it is above zero, else 0 (also for −0 and NaN, as
/// `x.max(0.0)` gave here before).
#[inline(always)]
pub fn clamp_non_negative(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// One integration stage: for each stock, with `d` its derivative (the sum of its inflows
/// less its outflows, from the flow slots), `x` its slot and `a`, `b` its entries in two
/// per-stock buffers of the integrator, calls `update(d, x, a, b)`.
///
/// # Panics
///
/// When `s` is not exactly the program's slot array size or a buffer has not one entry per
/// stock.
#[inline]
pub fn update_stocks(
    prog: Checked,
    s: &mut [f64],
    a: &mut [f64],
    b: &mut [f64],
    mut update: impl FnMut(f64, &mut f64, &mut f64, &mut f64),
) {
    let prog = prog.program();
    assert_eq!(s.len(), prog.slot_count(), "slot array of the wrong size");
    let n = prog.rate_ends.len();
    assert!(a.len() == n && b.len() == n, "one buffer entry per stock");
    let flows = &prog.rate_slots;
    let mut start = 0;
    for (k, ((&(mid, end), a), b)) in prog.rate_ends.iter().zip(a).zip(b).enumerate() {
        // SAFETY: validation checked `start <= mid <= end <= flows.len()`, that every flow
        // slot is below `slot_count() == s.len()`, and that the stocks' slots
        // `RESERVED + k` are too.
        unsafe {
            let d = derivative(s, flows, start, mid as usize, end as usize);
            update(d, s.get_unchecked_mut(RESERVED + k), a, b);
        }
        start = end as usize;
    }
}

/// A stock's derivative: its inflows `flows[start..mid]` then its outflows
/// `flows[mid..end]`, summed left to right as `in1 + in2 − out1 − out2` is written
/// (`−out1 − out2` without inflows; zero without flows). The sum starts at its first term
/// rather than at zero, which saves an addition at the head of every stage's critical path
/// and keeps the sign of a zero first term.
///
/// # Safety
///
/// `start <= mid <= end <= flows.len()` and every flow slot is below `s.len()`.
#[inline(always)]
unsafe fn derivative(s: &[f64], flows: &[Slot], start: usize, mid: usize, end: usize) -> f64 {
    // SAFETY: the caller's contract above.
    unsafe {
        let (inflows, outflows) = (
            flows.get_unchecked(start..mid),
            flows.get_unchecked(mid..end),
        );
        let (mut d, inflows, outflows) = match (inflows.split_first(), outflows.split_first()) {
            (Some((&f, rest)), _) => (get(s, f), rest, outflows),
            (None, Some((&f, rest))) => (-get(s, f), inflows, rest),
            (None, None) => (0.0, inflows, outflows),
        };
        for &f in inflows {
            d += get(s, f);
        }
        for &f in outflows {
            d -= get(s, f);
        }
        d
    }
}

/// One Euler step of every stock: `x += dt * d`, `d` being the stock's derivative from the
/// flow slots. The same operations as [`update_stocks`] with the Euler update, without the
/// integrator's two buffers.
///
/// # Panics
///
/// When `s` is not exactly the program's slot array size.
#[inline]
pub fn euler_stage(prog: Checked, s: &mut [f64], dt: f64) {
    let prog = prog.program();
    assert_eq!(s.len(), prog.slot_count(), "slot array of the wrong size");
    let flows = &prog.rate_slots;
    let mut start = 0;
    for (k, &(mid, end)) in prog.rate_ends.iter().enumerate() {
        // SAFETY: as in `update_stocks`.
        unsafe {
            let d = derivative(s, flows, start, mid as usize, end as usize);
            *s.get_unchecked_mut(RESERVED + k) += dt * d;
        }
        start = end as usize;
    }
}

fn special(sp: &Special, s: &[f64], m: &mut Machine) -> f64 {
    let dt = s[DT as usize];
    let eps = dt * 1e-6;
    let t = m.step_time;
    match *sp {
        Special::Vector { f, n, ref args } => {
            crate::compile::vectors::eval(f, n as usize, |i| s[args[i] as usize])
        }
        Special::Element {
            ref index,
            ref sizes,
            ref of,
        } => Special::element(sizes, |a| s[index[a] as usize], |k| s[of[k] as usize]),
        Special::History {
            input,
            time,
            buffer,
        } => {
            let x = s[input as usize];
            let k = record(m, buffer, x, s);
            let past = m.histories.get(buffer as usize).map_or(&[][..], |h| &h[..]);
            let (start, now) = (s[START as usize], s[TIME as usize]);
            crate::compile::series::history_at(past, k, x, s[time as usize], start, now, dt)
        }
        Special::Irr {
            stream,
            initial,
            buffer,
        } => {
            let k = record(m, buffer, s[stream as usize], s);
            let past = m.histories.get(buffer as usize).map_or(&[][..], |h| &h[..]);
            crate::compile::series::irr(s[initial as usize], dt, &past[..k.min(past.len())])
        }
        Special::Queue {
            queue,
            room,
            ref inflows,
            how,
            overflow_part,
            state,
        } => {
            let step = ((t - s[START as usize]) / dt).round().max(0.0) as usize;
            let arrivals = inflows.iter().map(|&i| s[i as usize] * dt);
            let restart = m.initializing;
            let (taken, wanted) = m.queues[state as usize].take(
                step,
                s[queue as usize],
                restart,
                arrivals,
                s[room as usize] * dt,
                how,
            );
            if overflow_part {
                (wanted - taken) / dt
            } else {
                taken / dt
            }
        }
        Special::Step { height, start } => {
            if t + eps >= s[start as usize] {
                s[height as usize]
            } else {
                0.0
            }
        }
        Special::Pulse {
            magnitude,
            first,
            interval,
        } => {
            let first = s[first as usize];
            let interval = s[interval as usize];
            let since = t - first;
            let active = if since < -eps {
                false
            } else if interval > 0.0 {
                let phase = since - interval * ((since + eps) / interval).floor();
                phase < dt - eps
            } else {
                since < dt - eps
            };
            if active {
                s[magnitude as usize] / dt
            } else {
                0.0
            }
        }
        Special::Ramp { slope, start, end } => {
            let now = s[crate::compile::program::TIME as usize];
            let (a, b) = (s[start as usize], s[end as usize]);
            if now <= a {
                0.0
            } else {
                s[slope as usize] * (now.min(b) - a)
            }
        }
        Special::Delay(k) => {
            let line = &m.delays[k as usize];
            if m.initializing {
                s[line.initial_slot]
            } else {
                line.output()
            }
        }
        // Invalid parameters (a negative sd, min above max) give NaN, a numeric fault of the
        // variable whose equation draws.
        Special::Uniform { min, max, state } => {
            if m.fresh {
                let u: f64 = m.rngs[state as usize].random();
                let (lo, hi) = (s[min as usize], s[max as usize]);
                m.noise[state as usize] = if lo <= hi {
                    lo + u * (hi - lo)
                } else {
                    f64::NAN
                };
            }
            m.noise[state as usize]
        }
        Special::Normal { mean, sd, state } => {
            if m.fresh {
                let z: f64 = m.rngs[state as usize].sample(StandardNormal);
                let sd = s[sd as usize];
                m.noise[state as usize] = if sd >= 0.0 {
                    s[mean as usize] + z * sd
                } else {
                    f64::NAN
                };
            }
            m.noise[state as usize]
        }
        Special::Pink {
            mean,
            sd,
            tau,
            state,
        } => {
            // Exact first-order autoregressive update: stationary with standard deviation `sd`
            // and autocorrelation e^(−lag/tau), whatever dt is.
            if m.fresh {
                let z: f64 = m.rngs[state as usize].sample(StandardNormal);
                let sd = s[sd as usize];
                let tau = s[tau as usize];
                let x = &mut m.noise[state as usize];
                if !(sd >= 0.0 && tau > 0.0) {
                    *x = f64::NAN;
                } else if m.initializing {
                    *x = sd * z;
                } else {
                    let a = (-dt / tau).exp();
                    *x = a * *x + sd * (1.0 - a * a).sqrt() * z;
                }
            }
            s[mean as usize] + m.noise[state as usize]
        }
    }
}
