//! Stella's builtins over a variable's past: `HISTORY`, `NPV`, `IRR` and `ENDVAL`, and the
//! evaluation of `HISTORY` and `IRR` from the per-run history buffers the simulator keeps.
//!
//! `NPV` is a hidden stock; `ENDVAL` is the start value a first run sees; `HISTORY` and `IRR`
//! read a buffer holding one value per integration step, recorded on each step's first
//! evaluation and sized once per run (docs/conformance.md states the semantics).

use super::ir::{f2, Ir, SpecialIr};
use super::lower::{Ctx, Lowerer, NodeRole};
use super::program::{Func2, START, TIME};
use crate::diagnostic::Diagnostic;
use crate::equation::{Node, NodeKind};
use std::ops::Range;

/// Widest bracket searched for an internal rate of return: the discount factor per step
/// ranges over `1.5^±BRACKET_STEPS`.
const BRACKET_STEPS: i32 = 60;

/// Lowers `HISTORY`, `NPV`, `IRR` or `ENDVAL` (`key`, canonical; arity already checked).
pub(super) fn call(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let optional = |lw: &mut Lowerer, ctx: &mut Ctx, k: usize| match args.get(k) {
        Some(a) => lw.lower(a, ctx),
        None => Ok(Ir::Const(0.0)),
    };
    match key {
        "history" => {
            let input = lw.lower(&args[0], ctx)?;
            let time = lw.lower(&args[1], ctx)?;
            let buffer = next_buffer(lw);
            Ok(Ir::Special(SpecialIr::History(
                Box::new(input),
                Box::new(time),
                buffer,
            )))
        }
        "irr" => {
            let stream = lw.lower(&args[0], ctx)?;
            let initial = optional(lw, ctx, 1)?;
            let buffer = next_buffer(lw);
            Ok(Ir::Special(SpecialIr::Irr(
                Box::new(stream),
                Box::new(initial),
                buffer,
            )))
        }
        "npv" => {
            let stream = lw.lower(&args[0], ctx)?;
            let rate = lw.lower(&args[1], ctx)?;
            let initial = optional(lw, ctx, 2)?;
            Ok(npv(lw, stream, rate, initial, span, ctx))
        }
        // A run is always its model's first: the previous run's end value does not exist, so
        // ENDVAL is its initial argument (or the input) at the start.
        _ => {
            let from = args.get(1).unwrap_or(&args[0]).clone();
            let init = Node {
                kind: NodeKind::Call {
                    name: "INIT".into(),
                    name_span: span.clone(),
                    args: vec![from],
                },
                span: span.clone(),
            };
            lw.lower(&init, ctx)
        }
    }
}

fn next_buffer(lw: &mut Lowerer) -> u32 {
    lw.out.histories += 1;
    lw.out.histories - 1
}

/// NPV(stream, rate, initial): a hidden stock starting at `initial` whose inflow is the stream
/// discounted to the start time, `stream·(1 + rate)^−(TIME − STARTTIME)`.
fn npv(lw: &mut Lowerer, stream: Ir, rate: Ir, initial: Ir, span: &Range<usize>, ctx: &Ctx) -> Ir {
    let at = ctx.at(span);
    let n = lw.out.nodes.len();
    let elapsed = f2(Func2::Sub, Ir::Ref(TIME), Ir::Ref(START));
    let factor = f2(
        Func2::Pow,
        f2(Func2::Add, Ir::Const(1.0), rate),
        f2(Func2::Sub, Ir::Const(0.0), elapsed),
    );
    let flow = lw.hidden(
        format!("npv{n}_inflow"),
        NodeRole::Flow {
            non_negative: false,
        },
        f2(Func2::Mul, stream, factor),
        at.clone(),
    );
    let stock = lw.hidden(
        format!("npv{n}_value"),
        NodeRole::Stock {
            inflows: vec![flow],
            outflows: Vec::new(),
            non_negative: false,
        },
        initial,
        at,
    );
    Ir::Ref(stock)
}

/// `HISTORY`'s value: with `past[j]` the input recorded at step `j` and `k` the current step,
/// the input at the step at or before `time` (the start's value before the start), or the
/// current value `now_value` when `time` is not before the current time `now`.
pub fn history_at(
    past: &[f64],
    k: usize,
    now_value: f64,
    time: f64,
    start: f64,
    now: f64,
    dt: f64,
) -> f64 {
    if time.is_nan() {
        return f64::NAN;
    }
    // Times within a millionth of a step of a grid point count as that point.
    let eps = dt * 1e-6;
    if time >= now - eps {
        return now_value;
    }
    let step = ((time - start + eps) / dt).floor().max(0.0) as usize;
    past.get(step.min(k)).copied().unwrap_or(now_value)
}

/// The internal rate of return of payments `flows` (one per step of `dt`, from the start
/// time) after an `initial` payment at the start: the rate `r` at which their present value
/// `initial + dt·Σ flows[k]·(1 + r)^−(k·dt)` is zero (the `NPV` of the same stream). Of
/// several such rates, the one nearest 0. With payments of one sign only it is −1 while every
/// payment is outgoing and 0 when nothing has been paid or only income received; NaN when
/// payments of both signs leave no rate between −1 and 10¹⁰ that zeroes the value.
pub fn irr(initial: f64, dt: f64, flows: &[f64]) -> f64 {
    let outgoing = initial < 0.0 || flows.iter().any(|&v| v < 0.0);
    let income = initial > 0.0 || flows.iter().any(|&v| v > 0.0);
    if !(outgoing && income) {
        return if outgoing { -1.0 } else { 0.0 };
    }
    // The value as a polynomial in the discount factor per step y = (1 + r)^−dt, y > 0.
    let value = |y: f64| initial + dt * flows.iter().rev().fold(0.0, |acc, &v| acc * y + v);
    let rate = |y: f64| y.powf(-1.0 / dt) - 1.0;
    let at_zero = value(1.0);
    if at_zero == 0.0 {
        return 0.0;
    }
    // Widen a bracket around y = 1 (r = 0) on both sides until the value changes sign.
    let (mut near_low, mut near_high) = (1.0, 1.0);
    for j in 1..=BRACKET_STEPS {
        for (near, far) in [
            (&mut near_high, 1.5f64.powi(j)),
            (&mut near_low, 1.5f64.powi(-j)),
        ] {
            let v = value(far);
            if v.is_nan() {
                return f64::NAN;
            }
            if (v > 0.0) != (at_zero > 0.0) || v == 0.0 {
                let (mut lo, mut hi) = if far < *near {
                    (far, *near)
                } else {
                    (*near, far)
                };
                let low_sign = value(lo) > 0.0;
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if mid <= lo || mid >= hi {
                        break;
                    }
                    if (value(mid) > 0.0) == low_sign {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                return rate(0.5 * (lo + hi));
            }
            *near = far;
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_reads_the_step_at_or_before_the_time() {
        let past = [10.0, 11.0, 12.0, f64::NAN];
        // Current step 3 at time 1.5 (start 0, dt 0.5), current value 13.
        let at = |t: f64| history_at(&past, 3, 13.0, t, 0.0, 1.5, 0.5);
        assert_eq!(at(0.0), 10.0);
        assert_eq!(at(0.49), 10.0);
        assert_eq!(at(0.5), 11.0);
        assert_eq!(at(1.0), 12.0);
        assert_eq!(at(1.4), 12.0);
        assert_eq!(at(1.5), 13.0);
        assert_eq!(at(9.0), 13.0);
        assert_eq!(at(-4.0), 10.0);
        assert!(at(f64::NAN).is_nan());
    }

    #[test]
    fn irr_zeroes_the_present_value() {
        // −100 now, 110 after one period: 10 %.
        assert!((irr(-100.0, 1.0, &[0.0, 110.0]) - 0.1).abs() < 1e-12);
        // −100, then 60 twice: 60y² + 60y − 100 = 0 with y = 1/(1 + r).
        let y = (-60.0 + (3600.0f64 + 24000.0).sqrt()) / 120.0;
        assert!((irr(-100.0, 1.0, &[0.0, 60.0, 60.0]) - (1.0 / y - 1.0)).abs() < 1e-12);
        // Half steps: payments of 50 per time unit over a step of 0.5 are 25 each.
        let r = irr(-100.0, 0.5, &[0.0, 0.0, 220.0]);
        assert!((r - 0.1).abs() < 1e-12, "{r}");
        assert_eq!(irr(-100.0, 1.0, &[]), -1.0);
        assert_eq!(irr(0.0, 1.0, &[0.0, 0.0]), 0.0);
        assert_eq!(irr(0.0, 1.0, &[5.0]), 0.0);
        // Costs at both ends with income between: no rate zeroes −100 + 50y − 100y².
        assert!(irr(-100.0, 1.0, &[0.0, 50.0, -100.0]).is_nan());
    }
}
