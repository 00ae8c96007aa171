//! The evaluator: executes register code over the slot array. No allocation, no name lookup.

use crate::compile::program::{Op, Program, Special, DT};
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
    /// Random stream for in-equation noise.
    pub rng: Xoshiro256PlusPlus,
}

/// Executes `code` over `s`.
#[inline]
pub fn exec(code: &[Op], s: &mut [f64], prog: &Program, m: &mut Machine) {
    exec_from(code, 0, code.len(), s, prog, m);
}

/// Executes instructions `start..end` of `code` (jump targets are absolute in `code`).
#[inline]
pub fn exec_from(
    code: &[Op],
    start: usize,
    end: usize,
    s: &mut [f64],
    prog: &Program,
    m: &mut Machine,
) {
    let mut pc = start;
    while pc < end {
        match code[pc] {
            Op::Copy(d, a) => s[d as usize] = s[a as usize],
            Op::Add(d, a, b) => s[d as usize] = s[a as usize] + s[b as usize],
            Op::Sub(d, a, b) => s[d as usize] = s[a as usize] - s[b as usize],
            Op::Mul(d, a, b) => s[d as usize] = s[a as usize] * s[b as usize],
            Op::Div(d, a, b) => s[d as usize] = s[a as usize] / s[b as usize],
            Op::F1(f, d, a) => s[d as usize] = f.apply(s[a as usize]),
            Op::F2(f, d, a, b) => s[d as usize] = f.apply(s[a as usize], s[b as usize]),
            Op::JumpIfZero(c, target) => {
                if s[c as usize] == 0.0 {
                    pc = target as usize;
                    continue;
                }
            }
            Op::Jump(target) => {
                pc = target as usize;
                continue;
            }
            Op::Lookup(d, t, a) => s[d as usize] = prog.tables[t as usize].eval(s[a as usize]),
            Op::ClampNonNegative(d) => s[d as usize] = s[d as usize].max(0.0),
            Op::Special(d, k) => s[d as usize] = special(&prog.specials[k as usize], s, m),
        }
        pc += 1;
    }
}

fn special(sp: &Special, s: &[f64], m: &mut Machine) -> f64 {
    let dt = s[DT as usize];
    let eps = dt * 1e-6;
    let t = m.step_time;
    match *sp {
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
        Special::Delay(k) => m.delays[k as usize].output(),
        Special::Uniform { min, max, state } => {
            if m.fresh {
                let u: f64 = m.rng.random();
                m.noise[state as usize] = s[min as usize] + u * (s[max as usize] - s[min as usize]);
            }
            m.noise[state as usize]
        }
        Special::Normal { mean, sd, state } => {
            if m.fresh {
                let z: f64 = m.rng.sample(StandardNormal);
                m.noise[state as usize] = s[mean as usize] + z * s[sd as usize];
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
                let z: f64 = m.rng.sample(StandardNormal);
                let sd = s[sd as usize];
                let x = &mut m.noise[state as usize];
                if m.initializing {
                    *x = sd * z;
                } else {
                    let a = (-dt / s[tau as usize]).exp();
                    *x = a * *x + sd * (1.0 - a * a).sqrt() * z;
                }
            }
            s[mean as usize] + m.noise[state as usize]
        }
    }
}
