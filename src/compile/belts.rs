//! The internal builtins the XMILE reader writes for conveyors and queues beyond the plain
//! belt: `CONVEYOR_WHOLE(x)`, a leak taken in whole units (`<leak_integers/>`), and
//! `QUEUE_OUTFLOW(…)`, what a queue's outflow takes from the front of its batches.

use super::ir::{f1, f2, Ir, SpecialIr};
use super::lower::{Ctx, Lowerer, NodeRole};
use super::program::{Func1, Func2, DT};
use crate::diagnostic::Diagnostic;
use crate::equation::Node;
use std::ops::Range;

/// How a queue's outflow takes batches (the options of the conveyor it feeds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Take {
    /// Only the front batch each step (Stella's "one at a time"); otherwise as many batches
    /// as the room allows.
    pub single: bool,
    /// Never split a batch (Stella's "batch integrity").
    pub whole: bool,
    /// Whether the queue has an overflow that drains what the outflow wanted and could not
    /// take.
    pub overflow: bool,
}

/// Arguments of `QUEUE_OUTFLOW` before the inflows.
pub const QUEUE_FIXED_ARGS: usize = 6;

/// Lowers `CONVEYOR_WHOLE` or `QUEUE_OUTFLOW` (`key` canonical, arity checked).
pub(super) fn call(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    if key == "conveyor_whole" {
        let x = lw.lower(&args[0], ctx)?;
        return Ok(whole_units(lw, x, span, ctx));
    }
    // QUEUE_OUTFLOW(queue, room, single, whole, overflow, part, inflow…)
    let queue = lw.lower(&args[0], ctx)?;
    let room = lw.lower(&args[1], ctx)?;
    let mut flags = [false; 4];
    for (k, flag) in flags.iter_mut().enumerate() {
        *flag = match lw.lower(&args[2 + k], ctx)? {
            Ir::Const(v) => v != 0.0,
            _ => {
                return Err(ctx
                    .error(&args[2 + k].span, "QUEUE_OUTFLOW's options are numbers")
                    .with_hint("write 0 or 1"))
            }
        };
    }
    let mut inflows = Vec::new();
    for a in &args[QUEUE_FIXED_ARGS..] {
        inflows.push(lw.lower(a, ctx)?);
    }
    let how = Take {
        single: flags[0],
        whole: flags[1],
        overflow: flags[2],
    };
    Ok(Ir::Special(SpecialIr::Queue {
        queue: Box::new(queue),
        room: Box::new(room),
        inflows,
        how,
        overflow_part: flags[3],
    }))
}

/// `x` taken in whole units: a hidden stock `L` accumulates `x` from 0, and each step takes
/// the whole units `L` crosses, `(INT(L + DT·x) − INT(L))/DT`, so the fraction not yet taken
/// is carried to later steps and the total taken never lags `∫x` by a unit or more.
fn whole_units(lw: &mut Lowerer, x: Ir, span: &Range<usize>, ctx: &Ctx) -> Ir {
    let at = ctx.at(span);
    let n = lw.out.nodes.len();
    let input = lw.hidden(format!("whole{n}_input"), NodeRole::Aux, x, at.clone());
    let flow = NodeRole::Flow {
        non_negative: false,
    };
    let inflow = lw.hidden(format!("whole{n}_in"), flow, Ir::Ref(input), at.clone());
    let total = lw.hidden(
        format!("whole{n}_total"),
        NodeRole::Stock {
            inflows: vec![inflow],
            outflows: vec![],
            non_negative: false,
        },
        Ir::Const(0.0),
        at,
    );
    // A total that should be a whole number but lands a rounding error below it still counts.
    let floor = |v: Ir| f1(Func1::Int, f2(Func2::Add, v, Ir::Const(1e-9)));
    let after = f2(
        Func2::Add,
        Ir::Ref(total),
        f2(Func2::Mul, Ir::Ref(DT), Ir::Ref(input)),
    );
    f2(
        Func2::Div,
        f2(Func2::Sub, floor(after), floor(Ir::Ref(total))),
        Ir::Ref(DT),
    )
}
