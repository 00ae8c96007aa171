//! Builtin functions: arity checks, pure functions, array reductions, and the stateful ones
//! (smooths, delays, trend, INIT, PREVIOUS) written as small stock-and-flow structures.

use super::ir::{cond, f1, f2, Id, Ir, SpecialIr};
use super::lower::{Ctx, Lowerer, NodeRole};
use super::program::{Func1, Func2, DT, TIME};
use crate::diagnostic::Diagnostic;
use crate::equation::{Builtin, Node, NodeKind};
use crate::model::names::canonical;
use crate::model::names::closest;
use crate::model::Equation;
use std::ops::Range;

/// Whether `key` (canonical) names a builtin.
pub fn is_builtin(key: &str) -> bool {
    Builtin::from_name(key).is_some()
}

/// Lowers a call to a builtin.
pub(super) fn call(
    lw: &mut Lowerer,
    name: &str,
    name_span: &Range<usize>,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let key = canonical(name);
    let Some(builtin) = Builtin::from_name(&key) else {
        let mut e = ctx.error(name_span, format!("unknown function `{name}`"));
        if let Some(c) = closest(name, crate::equation::builtins::names()) {
            e = e.with_hint(format!("did you mean `{}`?", c.to_uppercase()));
        }
        return Err(e);
    };
    let (min, max) = (builtin.spec().min_args, builtin.spec().max_args);
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(ctx
            .error(
                name_span,
                format!(
                    "{} takes {expected} argument(s) but {} were given",
                    name.to_uppercase(),
                    args.len()
                ),
            )
            .with_hint(
                "separate the arguments with commas; see docs/model-format.md for each function",
            ));
    }
    let f1_of = |lw: &mut Lowerer, ctx: &mut Ctx, f: Func1| -> Result<Ir, Diagnostic> {
        Ok(f1(f, lw.lower(&args[0], ctx)?))
    };
    use Builtin as B;
    match builtin {
        B::AllocateByPriority
        | B::AllocateAvailable
        | B::VectorSelect
        | B::InvertMatrix
        | B::VectorSortOrder
        | B::VectorRank
        | B::VectorReorder
        | B::VectorElmMap
        | B::Interpolate => super::vectors::lower(lw, builtin.spec().names[0], args, span, ctx),
        B::Abs => f1_of(lw, ctx, Func1::Abs),
        B::Exp => f1_of(lw, ctx, Func1::Exp),
        B::Ln => f1_of(lw, ctx, Func1::Ln),
        B::Log10 => f1_of(lw, ctx, Func1::Log10),
        B::Log if args.len() == 1 => f1_of(lw, ctx, Func1::Log10),
        B::Log => {
            let x = lw.lower(&args[0], ctx)?;
            let b = lw.lower(&args[1], ctx)?;
            Ok(f2(Func2::Div, f1(Func1::Ln, x), f1(Func1::Ln, b)))
        }
        B::Sqrt => f1_of(lw, ctx, Func1::Sqrt),
        B::Sin => f1_of(lw, ctx, Func1::Sin),
        B::Cos => f1_of(lw, ctx, Func1::Cos),
        B::Tan => f1_of(lw, ctx, Func1::Tan),
        B::ArcSin => f1_of(lw, ctx, Func1::Asin),
        B::ArcCos => f1_of(lw, ctx, Func1::Acos),
        B::ArcTan => f1_of(lw, ctx, Func1::Atan),
        B::Sinh => f1_of(lw, ctx, Func1::Sinh),
        B::Cosh => f1_of(lw, ctx, Func1::Cosh),
        B::Tanh => f1_of(lw, ctx, Func1::Tanh),
        B::Int => f1_of(lw, ctx, Func1::Int),
        B::Round => f1_of(lw, ctx, Func1::Round),
        B::Mod => binary(lw, ctx, args, Func2::Mod),
        B::Pi => Ok(Ir::Const(std::f64::consts::PI)),
        B::Inf => Ok(Ir::Const(f64::INFINITY)),
        B::Time => Ok(Ir::Ref(TIME)),
        B::Dt => Ok(Ir::Ref(DT)),
        B::StartTime => Ok(Ir::Ref(super::program::START)),
        B::StopTime => Ok(Ir::Ref(super::program::STOP)),
        B::Min | B::Max => {
            let f = if builtin == B::Min {
                Func2::Min
            } else {
                Func2::Max
            };
            Ok(fold(items(lw, ctx, args)?, f))
        }
        B::Sum => Ok(fold(lw.expand(&args[0], ctx, true)?, Func2::Add)),
        B::Prod => Ok(fold(lw.expand(&args[0], ctx, true)?, Func2::Mul)),
        B::Size => Ok(Ir::Const(lw.expand(&args[0], ctx, true)?.len() as f64)),
        B::Mean => {
            let items = items(lw, ctx, args)?;
            let n = items.len() as f64;
            Ok(f2(Func2::Div, fold(items, Func2::Add), Ir::Const(n)))
        }
        B::StdDev => {
            let items = lw.expand(&args[0], ctx, true)?;
            let n = items.len() as f64;
            let mean = f2(Func2::Div, fold(items.clone(), Func2::Add), Ir::Const(n));
            let squares = items
                .into_iter()
                .map(|x| {
                    let d = f2(Func2::Sub, x, mean.clone());
                    f2(Func2::Mul, d.clone(), d)
                })
                .collect();
            Ok(f1(
                Func1::Sqrt,
                f2(Func2::Div, fold(squares, Func2::Add), Ir::Const(n)),
            ))
        }
        B::IfThenElse => {
            let c = lw.lower(&args[0], ctx)?;
            let a = lw.lower(&args[1], ctx)?;
            let b = lw.lower(&args[2], ctx)?;
            Ok(cond(c, a, b))
        }
        B::SafeDiv | B::Xidz | B::Zidz => {
            let a = lw.lower(&args[0], ctx)?;
            let b = lw.lower(&args[1], ctx)?;
            let fallback = match args.get(2) {
                Some(x) => lw.lower(x, ctx)?,
                None => Ir::Const(0.0),
            };
            let is_zero = f2(Func2::Eq, b.clone(), Ir::Const(0.0));
            Ok(cond(is_zero, fallback, f2(Func2::Div, a, b)))
        }
        B::Step => {
            let h = lw.lower(&args[0], ctx)?;
            let t = lw.lower(&args[1], ctx)?;
            Ok(Ir::Special(SpecialIr::Step(Box::new(h), Box::new(t))))
        }
        B::Pulse => {
            let m = lw.lower(&args[0], ctx)?;
            let first = match args.get(1) {
                Some(a) => lw.lower(a, ctx)?,
                None => Ir::Ref(super::program::START),
            };
            let interval = match args.get(2) {
                Some(a) => lw.lower(a, ctx)?,
                None => Ir::Const(0.0),
            };
            Ok(Ir::Special(SpecialIr::Pulse(
                Box::new(m),
                Box::new(first),
                Box::new(interval),
            )))
        }
        B::Ramp => {
            let slope = lw.lower(&args[0], ctx)?;
            // Stella's RAMP(slope) starts at the start time.
            let start = match args.get(1) {
                Some(a) => lw.lower(a, ctx)?,
                None => Ir::Ref(super::program::START),
            };
            let end = match args.get(2) {
                Some(a) => lw.lower(a, ctx)?,
                None => Ir::Const(f64::INFINITY),
            };
            Ok(Ir::Special(SpecialIr::Ramp(
                Box::new(slope),
                Box::new(start),
                Box::new(end),
            )))
        }
        B::Lookup => {
            let t = lw.table_of(&args[0], ctx)?;
            let x = lw.lower(&args[1], ctx)?;
            Ok(Ir::Lookup(t, Box::new(x)))
        }
        B::Smth1 | B::Smth3 | B::SmthN | B::Delay1 | B::Delay3 | B::DelayN => {
            // SMTHn/DELAYn take the order third; the others fix it by name.
            let mut guard = None;
            let (order, init_arg) = match builtin {
                B::Smth1 | B::Delay1 => (1, args.get(2)),
                B::Smth3 | B::Delay3 => (3, args.get(2)),
                _ => {
                    let (n, runtime) = order_of(lw, &args[2], ctx)?;
                    guard = runtime.map(|ir| (n, ir));
                    (n, args.get(3))
                }
            };
            let input = lw.lower(&args[0], ctx)?;
            let time = lw.lower(&args[1], ctx)?;
            let init = match init_arg {
                Some(a) => lw.lower(a, ctx)?,
                None => input.clone(),
            };
            let out = if matches!(builtin, B::Smth1 | B::Smth3 | B::SmthN) {
                smooth(lw, &key, input, time, init, order, span, ctx)
            } else {
                material_delay(lw, &key, input, time, init, order, span, ctx)
            };
            // An order variable set to another value for a run (`--set`, Monte Carlo) would
            // need another chain: the value is then NaN, a numeric fault, never a silently
            // different order.
            Ok(match guard {
                None => out,
                Some((n, runtime)) => cond(
                    f2(Func2::Eq, runtime, Ir::Const(n as f64)),
                    out,
                    Ir::Const(f64::NAN),
                ),
            })
        }
        B::Trend => {
            let input = lw.lower(&args[0], ctx)?;
            let time = lw.lower(&args[1], ctx)?;
            let initial_trend = match args.get(2) {
                Some(a) => lw.lower(a, ctx)?,
                None => Ir::Const(0.0),
            };
            // The average starts where a steady trend of `initial_trend` would have put it.
            let init = f2(
                Func2::Div,
                input.clone(),
                f2(
                    Func2::Add,
                    Ir::Const(1.0),
                    f2(Func2::Mul, initial_trend, time.clone()),
                ),
            );
            let avg = smooth(lw, "trend", input.clone(), time.clone(), init, 1, span, ctx);
            Ok(f2(
                Func2::Div,
                f2(Func2::Sub, input, avg.clone()),
                f2(Func2::Mul, avg, time),
            ))
        }
        B::Delay | B::Previous => {
            let input = lw.lower(&args[0], ctx)?;
            let (time, init_arg) = if builtin == B::Delay {
                (lw.lower(&args[1], ctx)?, args.get(2))
            } else {
                (Ir::Ref(DT), args.get(1))
            };
            let init = match init_arg {
                Some(a) => lw.lower(a, ctx)?,
                None if builtin == B::Previous => Ir::Const(0.0),
                None => input.clone(),
            };
            let at = ctx.at(span);
            let n = lw.out.delays.len();
            let input_id = lw.hidden(format!("{key}{n}_input"), NodeRole::Aux, input, at.clone());
            let time_id = lw.hidden(format!("{key}{n}_time"), NodeRole::Aux, time, at.clone());
            let init_id = lw.hidden(format!("{key}{n}_initial"), NodeRole::Aux, init, at);
            lw.out.delays.push((input_id, time_id, init_id));
            Ok(Ir::Special(SpecialIr::Delay(n as u32)))
        }
        B::Init => {
            let x = lw.lower(&args[0], ctx)?;
            if matches!(x, Ir::Const(_)) {
                return Ok(x);
            }
            let at = ctx.at(span);
            let n = lw.out.nodes.len();
            Ok(Ir::Ref(lw.hidden(
                format!("init{n}"),
                NodeRole::InitCapture,
                x,
                at,
            )))
        }
        B::RandomNormal if args.len() == 5 => super::draws::truncated_normal(lw, args, span, ctx),
        B::RandomNormal if args.len() == 4 => Err(ctx
            .error(
                name_span,
                format!(
                    "{} takes (mean, sd[, seed]) or (min, max, mean, sd, seed), not 4 arguments",
                    name.to_uppercase()
                ),
            )
            .with_hint("add the seed: `(min, max, mean, sd, seed)`")),
        B::Normal | B::Uniform | B::RandomNormal => {
            let a = lw.lower(&args[0], ctx)?;
            let b = lw.lower(&args[1], ctx)?;
            check_noise(builtin, &key, &[(&a, &args[0]), (&b, &args[1])], span, ctx)?;
            let state = lw.noise_state();
            Ok(Ir::Special(if builtin != B::Uniform {
                SpecialIr::Normal(Box::new(a), Box::new(b), state)
            } else {
                SpecialIr::Uniform(Box::new(a), Box::new(b), state)
            }))
        }
        B::PinkNoise => {
            let mean = lw.lower(&args[0], ctx)?;
            let sd = lw.lower(&args[1], ctx)?;
            let tau = lw.lower(&args[2], ctx)?;
            check_noise(
                builtin,
                &key,
                &[(&mean, &args[0]), (&sd, &args[1]), (&tau, &args[2])],
                span,
                ctx,
            )?;
            let state = lw.noise_state();
            Ok(Ir::Special(SpecialIr::Pink(
                Box::new(mean),
                Box::new(sd),
                Box::new(tau),
                state,
            )))
        }
        stella => super::stella::call(lw, stella.spec().names[0], args, span, ctx),
    }
}

/// Rejects noise parameters that are constant and invalid: not finite, a negative standard
/// deviation, a minimum above the maximum, a correlation time that is not positive. (Invalid
/// values computed during a run make the draw NaN, a numeric fault.)
fn check_noise(
    builtin: Builtin,
    key: &str,
    args: &[(&Ir, &Node)],
    span: &Range<usize>,
    ctx: &Ctx,
) -> Result<(), Diagnostic> {
    let constant = |k: usize| match args.get(k) {
        Some((Ir::Const(v), _)) => Some(*v),
        _ => None,
    };
    let name = key.to_uppercase();
    for (k, (ir, node)) in args.iter().enumerate() {
        if let Ir::Const(v) = ir {
            if !v.is_finite() {
                return Err(ctx
                    .error(&node.span, format!("argument {} of {name} is {v}", k + 1))
                    .with_hint("noise parameters must be finite numbers"));
            }
        }
    }
    let (bad, which, hint) = match builtin {
        Builtin::Normal | Builtin::RandomNormal => match constant(1) {
            Some(sd) if sd < 0.0 => (
                format!("the standard deviation of {name} is negative ({sd})"),
                1,
                "a standard deviation is zero or more; `NORMAL(mean, sd)`",
            ),
            _ => return Ok(()),
        },
        Builtin::Uniform => match (constant(0), constant(1)) {
            (Some(lo), Some(hi)) if lo > hi => (
                format!("the minimum of {name} ({lo}) is above its maximum ({hi})"),
                0,
                "write the smaller bound first: `UNIFORM(min, max)`",
            ),
            _ => return Ok(()),
        },
        _ => match (constant(1), constant(2)) {
            (Some(sd), _) if sd < 0.0 => (
                format!("the standard deviation of {name} is negative ({sd})"),
                1,
                "a standard deviation is zero or more; `PINK_NOISE(mean, sd, correlation time)`",
            ),
            (_, Some(tau)) if tau <= 0.0 => (
                format!("the correlation time of {name} must be positive, got {tau}"),
                2,
                "the correlation time is a duration in the model's time unit",
            ),
            _ => return Ok(()),
        },
    };
    let at = args.get(which).map_or(span, |(_, node)| &node.span);
    Err(ctx.error(at, bad).with_hint(hint))
}

/// Whether a call of `name` with `arity` arguments reduces an array to one value: `SUM`,
/// `PROD`, `SIZE`, `STDDEV`, and `MIN`, `MAX`, `MEAN` of one argument.
pub fn reduces(name: &str, arity: usize) -> bool {
    Builtin::from_name(&canonical(name)).is_some_and(|b| b.reduces(arity))
}

/// The values `MIN`, `MAX` or `MEAN` combine: with one argument every element of it (a
/// reduction); with several, each argument in the current element (element by element in an
/// apply-to-all equation), an argument with axes bound nowhere contributing all its elements.
fn items(lw: &mut Lowerer, ctx: &mut Ctx, args: &[Node]) -> Result<Vec<Ir>, Diagnostic> {
    let reduce = args.len() == 1;
    let mut items = Vec::new();
    for a in args {
        items.extend(lw.expand(a, ctx, reduce)?);
    }
    Ok(items)
}

fn binary(lw: &mut Lowerer, ctx: &mut Ctx, args: &[Node], f: Func2) -> Result<Ir, Diagnostic> {
    let a = lw.lower(&args[0], ctx)?;
    let b = lw.lower(&args[1], ctx)?;
    Ok(f2(f, a, b))
}

fn fold(items: Vec<Ir>, f: Func2) -> Ir {
    let mut it = items.into_iter();
    let first = it.next().unwrap_or(Ir::Const(0.0));
    it.fold(first, |acc, x| f2(f, acc, x))
}

pub(super) fn constant_order(
    lw: &mut Lowerer,
    node: &Node,
    ctx: &mut Ctx,
) -> Result<usize, Diagnostic> {
    match lw.lower(node, ctx)? {
        Ir::Const(n) if (1.0..=1000.0).contains(&n) && n.fract() == 0.0 => Ok(n as usize),
        _ => Err(order_error(node, ctx)),
    }
}

fn order_error(node: &Node, ctx: &Ctx) -> Diagnostic {
    ctx.error(
        &node.span,
        "the order must be a whole number from 1 to 1000, or a variable equal to one",
    )
    .with_hint("the number of stages is fixed when the model is compiled")
}

/// A smooth's or delay's order: a whole number written in the call, or a variable whose
/// equation is one (`SMTHN(x, 5, order)` with `order = 3`). The chain is built with the
/// variable's model value, so the order's value during a run comes back too, for a guard.
fn order_of(
    lw: &mut Lowerer,
    node: &Node,
    ctx: &mut Ctx,
) -> Result<(usize, Option<Ir>), Diagnostic> {
    let ir = lw.lower(node, ctx)?;
    if let Ir::Const(_) = ir {
        return constant_order(lw, node, ctx).map(|n| (n, None));
    }
    let mut at = node.clone();
    // Follow variables equal to variables, a few deep, to the number.
    for _ in 0..8 {
        let NodeKind::Var { name, subscripts } = &at.kind else {
            break;
        };
        let Some(vi) = lw.sym.var(name).filter(|_| subscripts.is_empty()) else {
            break;
        };
        let var = &lw.model.variables[lw.sym.vars[vi].index];
        let (Some(Equation::All(expr)), None) = (&var.equation, &var.gf) else {
            break;
        };
        at = super::lower::parse_expr(expr)?;
        if let NodeKind::Number(n) = at.kind {
            return if (1.0..=1000.0).contains(&n) && n.fract() == 0.0 {
                Ok((n as usize, Some(ir)))
            } else {
                Err(order_error(node, ctx))
            };
        }
    }
    Err(order_error(node, ctx))
}

/// `order` first-order smooths in a chain, each with `time / order`; returns the last stage.
#[allow(clippy::too_many_arguments)]
fn smooth(
    lw: &mut Lowerer,
    label: &str,
    input: Ir,
    time: Ir,
    init: Ir,
    order: usize,
    span: &Range<usize>,
    ctx: &Ctx,
) -> Ir {
    let at = ctx.at(span);
    let stage_time = f2(Func2::Div, time, Ir::Const(order as f64));
    let mut upstream = input;
    let mut last: Id = 0;
    for k in 0..order {
        let n = lw.out.nodes.len();
        let stock = lw.hidden(
            format!("{label}{n}_stage{k}"),
            NodeRole::Stock {
                inflows: Vec::new(),
                outflows: Vec::new(),
                non_negative: false,
            },
            init.clone(),
            at.clone(),
        );
        let rate = f2(
            Func2::Div,
            f2(Func2::Sub, upstream, Ir::Ref(stock)),
            stage_time.clone(),
        );
        let flow = lw.hidden(
            format!("{label}{n}_rate{k}"),
            NodeRole::Flow {
                non_negative: false,
            },
            rate,
            at.clone(),
        );
        if let NodeRole::Stock { inflows, .. } = &mut lw.out.nodes[stock as usize].role {
            inflows.push(flow);
        }
        upstream = Ir::Ref(stock);
        last = stock;
    }
    Ir::Ref(last)
}

/// A material delay of `order` stages; returns the outflow of the last stage.
#[allow(clippy::too_many_arguments)]
fn material_delay(
    lw: &mut Lowerer,
    label: &str,
    input: Ir,
    time: Ir,
    init: Ir,
    order: usize,
    span: &Range<usize>,
    ctx: &Ctx,
) -> Ir {
    let at = ctx.at(span);
    let stage_time = f2(Func2::Div, time, Ir::Const(order as f64));
    let n0 = lw.out.nodes.len();
    let mut inflow = lw.hidden(
        format!("{label}{n0}_in"),
        NodeRole::Flow {
            non_negative: false,
        },
        input,
        at.clone(),
    );
    let mut out = Ir::Const(0.0);
    for k in 0..order {
        let stock = lw.hidden(
            format!("{label}{n0}_stage{k}"),
            NodeRole::Stock {
                inflows: vec![inflow],
                outflows: Vec::new(),
                non_negative: false,
            },
            f2(Func2::Mul, init.clone(), stage_time.clone()),
            at.clone(),
        );
        let outflow = lw.hidden(
            format!("{label}{n0}_out{k}"),
            NodeRole::Flow {
                non_negative: false,
            },
            f2(Func2::Div, Ir::Ref(stock), stage_time.clone()),
            at.clone(),
        );
        if let NodeRole::Stock { outflows, .. } = &mut lw.out.nodes[stock as usize].role {
            outflows.push(outflow);
        }
        inflow = outflow;
        out = Ir::Ref(outflow);
    }
    out
}
