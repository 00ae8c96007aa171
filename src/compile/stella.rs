//! Stella's builtins beyond the common set: waves, roots, forecasts, derivatives, inverse and
//! integrated lookups, annuities, ranks, distributions drawn from keyed noise streams, the
//! normal distribution's CDF and quantile, and the belt of a conveyor.
//!
//! Each is written with the engine's existing parts (functions, tables, delay lines, hidden
//! stocks), so the simulator knows nothing of them. Where Stella's help leaves a detail open,
//! the choice is stated in docs/conformance.md.

use super::ir::{cond, f1, f2, Ir, SpecialIr};
use super::lower::{Ctx, Lowerer, NodeRole};
use super::program::{Func1, Func2, Table, DT, START, TIME};
use crate::diagnostic::Diagnostic;
use crate::equation::{Node, NodeKind};
use crate::model::GfKind;
use std::ops::Range;

/// Largest array `RANK` ranks (its lowering compares every pair of elements).
const RANK_LIMIT: usize = 200;
/// Highest order `DERIVN` accepts.
const DERIVN_LIMIT: usize = 10;

fn num(x: f64) -> Ir {
    Ir::Const(x)
}
fn add(a: Ir, b: Ir) -> Ir {
    f2(Func2::Add, a, b)
}
fn sub(a: Ir, b: Ir) -> Ir {
    f2(Func2::Sub, a, b)
}
fn mul(a: Ir, b: Ir) -> Ir {
    f2(Func2::Mul, a, b)
}
fn div(a: Ir, b: Ir) -> Ir {
    f2(Func2::Div, a, b)
}
fn pow(a: Ir, b: Ir) -> Ir {
    f2(Func2::Pow, a, b)
}
fn neg(a: Ir) -> Ir {
    f1(Func1::Neg, a)
}

/// A call node built by the compiler (spans point at the original call).
fn synthetic(name: &str, args: Vec<Node>, span: &Range<usize>) -> Node {
    Node {
        kind: NodeKind::Call {
            name: name.to_string(),
            name_span: span.clone(),
            args,
        },
        span: span.clone(),
    }
}

/// Lowers a call to the Stella builtin `key` (canonical; its arity already checked).
pub(super) fn call(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let arg = |lw: &mut Lowerer, ctx: &mut Ctx, k: usize, default: f64| match args.get(k) {
        Some(a) => lw.lower(a, ctx),
        None => Ok(num(default)),
    };
    match key {
        "sinwave" | "coswave" => {
            let amplitude = arg(lw, ctx, 0, 0.0)?;
            let period = arg(lw, ctx, 1, 0.0)?;
            let phase = div(mul(num(std::f64::consts::TAU), Ir::Ref(TIME)), period);
            let f = if key == "sinwave" {
                Func1::Sin
            } else {
                Func1::Cos
            };
            Ok(mul(amplitude, f1(f, phase)))
        }
        "rootn" => {
            let x = arg(lw, ctx, 0, 0.0)?;
            let n = arg(lw, ctx, 1, 0.0)?;
            let inv = div(num(1.0), n.clone());
            // An odd root of a negative number is real: -(|x|^(1/n)).
            let odd_negative = f2(
                Func2::And,
                f2(Func2::Lt, x.clone(), num(0.0)),
                f2(Func2::Eq, f2(Func2::Mod, n, num(2.0)), num(1.0)),
            );
            Ok(cond(
                odd_negative,
                neg(pow(neg(x.clone()), inv.clone())),
                pow(x, inv),
            ))
        }
        "forcst" => {
            let mut trend_args = vec![args[0].clone(), args[1].clone()];
            if let Some(init) = args.get(3) {
                trend_args.push(init.clone());
            }
            let trend = lw.lower(&synthetic("TREND", trend_args, span), ctx)?;
            let input = arg(lw, ctx, 0, 0.0)?;
            let horizon = arg(lw, ctx, 2, 0.0)?;
            Ok(mul(input, add(num(1.0), mul(trend, horizon))))
        }
        "derivn" => derivn(lw, args, span, ctx),
        "lookupinv" => {
            let t = lw.table_of(&args[0], ctx)?;
            let inverse = inverse_table(&lw.out.tables[t as usize]).ok_or_else(|| {
                ctx.error(
                    &args[0].span,
                    "LOOKUPINV needs a graphical function whose y values only rise or only fall",
                )
                .with_hint("the inverse of a table that turns back is not a function")
            })?;
            lw.out.tables.push(inverse);
            let y = arg(lw, ctx, 1, 0.0)?;
            Ok(Ir::Lookup(lw.out.tables.len() as u32 - 1, Box::new(y)))
        }
        "lookuparea" | "lookupmean" => {
            let t = lw.table_of(&args[0], ctx)?;
            let table = lw.out.tables[t as usize].clone();
            if table.kind == GfKind::Extrapolate {
                return Err(ctx
                    .error(
                        &args[0].span,
                        format!(
                            "{} of an extrapolating graphical function is not supported",
                            key.to_uppercase()
                        ),
                    )
                    .with_hint("make the graphical function continuous or discrete"));
            }
            let lo = arg(lw, ctx, 1, 0.0)?;
            let hi = arg(lw, ctx, 2, 0.0)?;
            let area = Area::new(lw, &table);
            let total = sub(area.at(hi.clone()), area.at(lo.clone()));
            if key == "lookuparea" {
                return Ok(total);
            }
            let same = f2(Func2::Eq, hi.clone(), lo.clone());
            Ok(cond(
                same,
                Ir::Lookup(t, Box::new(lo.clone())),
                div(total, sub(hi, lo)),
            ))
        }
        "pmt" | "fv" | "pv" => {
            let r = arg(lw, ctx, 0, 0.0)?;
            let n = arg(lw, ctx, 1, 0.0)?;
            let a = arg(lw, ctx, 2, 0.0)?;
            let b = arg(lw, ctx, 3, 0.0)?;
            let due = arg(lw, ctx, 4, 0.0)?;
            Ok(annuity(key, r, n, a, b, due))
        }
        "rank" => super::vectors::rank_of_current(lw, args, span, ctx)
            .unwrap_or_else(|| rank(lw, args, ctx)),
        "invnorm" | "normalcdf" => {
            let x = arg(lw, ctx, 0, 0.0)?;
            let mean = arg(lw, ctx, 1, 0.0)?;
            let sd = arg(lw, ctx, 2, 1.0)?;
            Ok(if key == "invnorm" {
                add(mean, mul(sd, f1(Func1::NormalQuantile, x)))
            } else {
                f1(Func1::NormalCdf, div(sub(x, mean), sd))
            })
        }
        "percent" => Ok(mul(num(100.0), arg(lw, ctx, 0, 0.0)?)),
        "permutations" => {
            let n = arg(lw, ctx, 0, 0.0)?;
            let k = arg(lw, ctx, 1, 0.0)?;
            Ok(f2(Func2::Permutations, n, k))
        }
        // The growth per DT that compounds, step by step, to `p` % per time unit.
        "cgrowth" => {
            let p = arg(lw, ctx, 0, 0.0)?;
            let per_unit = add(num(1.0), div(p, num(100.0)));
            Ok(div(sub(pow(per_unit, Ir::Ref(DT)), num(1.0)), Ir::Ref(DT)))
        }
        "clocktime" => Err(ctx
            .error(
                span,
                "CLOCKTIME (the computer's clock) is not supported: it would make runs differ \
                 from one another with the same inputs and seed",
            )
            .with_hint("use TIME, or a constant for the time of day the model needs")),
        "history" | "npv" | "irr" | "endval" => super::series::call(lw, key, args, span, ctx),
        "poisson" | "negbinomial" => super::draws::call(lw, key, args, span, ctx),
        "conveyor_whole" | "queue_outflow" => super::belts::call(lw, key, args, span, ctx),
        "conveyor_mean_inflow" => {
            let input = arg(lw, ctx, 0, 0.0)?;
            let time = arg(lw, ctx, 1, 0.0)?;
            let r0 = arg(lw, ctx, 2, 0.0)?;
            Ok(mean_inflow(lw, input, time, r0, span, ctx))
        }
        _ => distribution(lw, key, args, span, ctx),
    }
}

/// DERIVN(x, n): the n-th backward difference of x over the last n steps, divided by DT^n;
/// 0 until n steps have passed.
fn derivn(
    lw: &mut Lowerer,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let order = super::builtins::constant_order(lw, &args[1], ctx)?;
    if order > DERIVN_LIMIT {
        return Err(ctx
            .error(
                &args[1].span,
                format!("DERIVN's order is at most {DERIVN_LIMIT}"),
            )
            .with_hint("higher differences of a simulated series are noise"));
    }
    let mut past = args[0].clone();
    let mut sum = Ir::Const(0.0);
    let mut binomial = 1.0;
    for j in 0..=order {
        let term = lw.lower(&past, ctx)?;
        let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
        sum = add(sum, mul(num(sign * binomial), term));
        binomial = binomial * (order - j) as f64 / (j + 1) as f64;
        past = synthetic("PREVIOUS", vec![past.clone(), past], span);
    }
    let derivative = div(sum, pow(Ir::Ref(DT), num(order as f64)));
    let ready = add(Ir::Ref(START), mul(num(order as f64 - 0.5), Ir::Ref(DT)));
    Ok(cond(
        f2(Func2::Lt, Ir::Ref(TIME), ready),
        num(0.0),
        derivative,
    ))
}

/// The table read the other way round, when its y values are strictly monotone.
fn inverse_table(t: &Table) -> Option<Table> {
    let rising = t.ys.windows(2).all(|w| w[1] > w[0]);
    let falling = t.ys.windows(2).all(|w| w[1] < w[0]);
    if !(rising || falling) || t.ys.is_empty() {
        return None;
    }
    let (mut xs, mut ys) = (t.ys.clone(), t.xs.clone());
    if falling {
        xs.reverse();
        ys.reverse();
    }
    Some(Table {
        xs,
        ys,
        kind: GfKind::Continuous,
    })
}

/// The exact area under a continuous or discrete table from its first point to `x`, made of
/// tables: the area at each point (linear between points), and for a continuous table the
/// quadratic's departure from that line, `s/2·(x − xᵢ)(x − xᵢ₊₁)` with `s` the segment's
/// slope; beyond the ends the table is flat.
struct Area {
    /// Area at each point.
    knots: u32,
    /// Slope, left and right end of the segment holding x (step tables).
    slope: u32,
    left: u32,
    right: u32,
    first: (f64, f64),
    last: (f64, f64),
    continuous: bool,
}

impl Area {
    fn new(lw: &mut Lowerer, t: &Table) -> Area {
        let n = t.xs.len();
        let mut area = vec![0.0; n];
        for i in 1..n {
            let h = t.xs[i] - t.xs[i - 1];
            area[i] = area[i - 1]
                + match t.kind {
                    GfKind::Discrete => t.ys[i - 1] * h,
                    _ => (t.ys[i - 1] + t.ys[i]) * h / 2.0,
                };
        }
        let seg = |f: &dyn Fn(usize) -> f64| (0..n).map(f).collect::<Vec<_>>();
        let slope = seg(&|i| {
            if i + 1 < n {
                (t.ys[i + 1] - t.ys[i]) / (t.xs[i + 1] - t.xs[i])
            } else {
                0.0
            }
        });
        let right = seg(&|i| t.xs[(i + 1).min(n - 1)]);
        let mut push = |ys: Vec<f64>, kind: GfKind| {
            lw.out.tables.push(Table {
                xs: t.xs.clone(),
                ys,
                kind,
            });
            lw.out.tables.len() as u32 - 1
        };
        Area {
            knots: push(area, GfKind::Continuous),
            slope: push(slope, GfKind::Discrete),
            left: push(t.xs.clone(), GfKind::Discrete),
            right: push(right, GfKind::Discrete),
            first: (t.xs[0], t.ys[0]),
            last: (t.xs[n - 1], t.ys[n - 1]),
            continuous: t.kind != GfKind::Discrete,
        }
    }

    fn at(&self, x: Ir) -> Ir {
        let (x0, y0) = self.first;
        let (xn, yn) = self.last;
        let inside = f2(Func2::Min, f2(Func2::Max, x.clone(), num(x0)), num(xn));
        let look = |t: u32, x: &Ir| Ir::Lookup(t, Box::new(x.clone()));
        let mut a = look(self.knots, &inside);
        if self.continuous {
            let bow = mul(
                mul(
                    div(look(self.slope, &inside), num(2.0)),
                    sub(inside.clone(), look(self.left, &inside)),
                ),
                sub(inside.clone(), look(self.right, &inside)),
            );
            a = add(a, bow);
        }
        let below = mul(num(y0), sub(f2(Func2::Min, x.clone(), num(x0)), num(x0)));
        let above = mul(num(yn), sub(f2(Func2::Max, x, num(xn)), num(xn)));
        add(add(a, below), above)
    }
}

/// PMT, FV and PV as spreadsheets define them: `rate` per period, `n` periods, payments at
/// the end of each period (`due` = 0) or the start (`due` = 1); money paid out is negative.
fn annuity(key: &str, r: Ir, n: Ir, a: Ir, b: Ir, due: Ir) -> Ir {
    let growth = pow(add(num(1.0), r.clone()), n.clone());
    let timing = add(num(1.0), mul(r.clone(), due));
    let annuity = div(sub(growth.clone(), num(1.0)), r.clone());
    let zero_rate = f2(Func2::Eq, r.clone(), num(0.0));
    match key {
        // FV(rate, n, pmt, pv, due)
        "fv" => cond(
            zero_rate,
            neg(add(b.clone(), mul(a.clone(), n))),
            neg(add(mul(b, growth), mul(mul(a, timing), annuity))),
        ),
        // PV(rate, n, pmt, fv, due)
        "pv" => cond(
            zero_rate,
            neg(add(b.clone(), mul(a.clone(), n))),
            neg(div(add(b, mul(mul(a, timing), annuity)), growth)),
        ),
        // PMT(rate, n, pv, fv, due)
        _ => cond(
            zero_rate,
            neg(div(add(a.clone(), b.clone()), n)),
            neg(div(
                mul(r, add(mul(a, growth.clone()), b)),
                mul(timing, sub(growth, num(1.0))),
            )),
        ),
    }
}

/// RANK(array, k): the 1-based position of the element of rank k (1 = smallest; equal values
/// rank in array order); 0 when k is not a rank of the array.
fn rank(lw: &mut Lowerer, args: &[Node], ctx: &mut Ctx) -> Result<Ir, Diagnostic> {
    let items = lw.expand(&args[0], ctx, true)?;
    if items.len() > RANK_LIMIT {
        return Err(ctx
            .error(
                &args[0].span,
                format!(
                    "RANK ranks arrays of up to {RANK_LIMIT} elements; this one has {}",
                    items.len()
                ),
            )
            .with_hint("rank a smaller array"));
    }
    let k = lw.lower(&args[1], ctx)?;
    let mut result = num(0.0);
    for (i, a) in items.iter().enumerate() {
        let mut r = num(1.0);
        for (j, b) in items.iter().enumerate() {
            if i == j {
                continue;
            }
            let op = if j < i { Func2::Le } else { Func2::Lt };
            r = add(r, f2(op, b.clone(), a.clone()));
        }
        let hit = f2(Func2::Eq, r, k.clone());
        result = add(result, mul(num((i + 1) as f64), hit));
    }
    Ok(result)
}

/// The mean inflow over a conveyor's last N = ROUND(time / DT) steps: a hidden stock of the
/// raw inflow on the belt, `∫ in − DELAY(in, time, r0)`, starting at `r0·N·DT`, over N·DT.
fn mean_inflow(
    lw: &mut Lowerer,
    input: Ir,
    time: Ir,
    r0: Ir,
    span: &Range<usize>,
    ctx: &Ctx,
) -> Ir {
    let at = ctx.at(span);
    let steps = f2(
        Func2::Max,
        num(1.0),
        f1(Func1::Round, div(time.clone(), Ir::Ref(DT))),
    );
    let length = mul(steps, Ir::Ref(DT));
    let n = lw.out.delays.len();
    let input_id = lw.hidden(
        format!("conveyor{n}_input"),
        NodeRole::Aux,
        input,
        at.clone(),
    );
    let time_id = lw.hidden(format!("conveyor{n}_time"), NodeRole::Aux, time, at.clone());
    let init_id = lw.hidden(
        format!("conveyor{n}_initial"),
        NodeRole::Aux,
        r0.clone(),
        at.clone(),
    );
    lw.out.delays.push((input_id, time_id, init_id));
    let flow = NodeRole::Flow {
        non_negative: false,
    };
    let fin = lw.hidden(
        format!("conveyor{n}_in"),
        flow.clone(),
        Ir::Ref(input_id),
        at.clone(),
    );
    let fout = lw.hidden(
        format!("conveyor{n}_out"),
        flow,
        Ir::Special(SpecialIr::Delay(n as u32)),
        at.clone(),
    );
    let belt = lw.hidden(
        format!("conveyor{n}_belt"),
        NodeRole::Stock {
            inflows: vec![fin],
            outflows: vec![fout],
            non_negative: false,
        },
        mul(r0, length.clone()),
        at,
    );
    div(Ir::Ref(belt), length)
}

/// Distributions as functions, each one draw per step from the call's own keyed stream:
/// RANDOM is uniform; LOGNORMAL takes the mean and standard deviation of the variable itself;
/// the rest invert their CDF at a uniform draw.
fn distribution(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let mut vals = Vec::new();
    let params = match key {
        "triangular" => 3,
        "exprnd" => 1,
        _ => 2,
    };
    for a in &args[..params] {
        vals.push(lw.lower(a, ctx)?);
    }
    if key == "random" {
        let state = lw.noise_state();
        let (lo, hi) = (vals[0].clone(), vals[1].clone());
        return Ok(Ir::Special(SpecialIr::Uniform(
            Box::new(lo),
            Box::new(hi),
            state,
        )));
    }
    if key == "lognormal" {
        let (m, s) = (vals[0].clone(), vals[1].clone());
        let ratio = add(num(1.0), div(mul(s.clone(), s), mul(m.clone(), m.clone())));
        let sigma = f1(Func1::Sqrt, f1(Func1::Ln, ratio.clone()));
        let mu = sub(f1(Func1::Ln, m), div(f1(Func1::Ln, ratio), num(2.0)));
        let state = lw.noise_state();
        return Ok(f1(
            Func1::Exp,
            Ir::Special(SpecialIr::Normal(Box::new(mu), Box::new(sigma), state)),
        ));
    }
    // The uniform draw goes through a hidden node so that using it twice reads one draw.
    let state = lw.noise_state();
    let draw = Ir::Special(SpecialIr::Uniform(
        Box::new(num(0.0)),
        Box::new(num(1.0)),
        state,
    ));
    let at = ctx.at(span);
    let n = lw.out.nodes.len();
    let u = Ir::Ref(lw.hidden(format!("{key}{n}_draw"), NodeRole::Aux, draw, at));
    let tail = || sub(num(1.0), u.clone());
    let ln = |x: Ir| f1(Func1::Ln, x);
    Ok(match key {
        "triangular" => {
            let (a, c, b) = (vals[0].clone(), vals[1].clone(), vals[2].clone());
            let width = sub(b.clone(), a.clone());
            let split = div(sub(c.clone(), a.clone()), width.clone());
            let low = add(
                a.clone(),
                f1(
                    Func1::Sqrt,
                    mul(mul(u.clone(), width.clone()), sub(c.clone(), a)),
                ),
            );
            let high = sub(
                b.clone(),
                f1(Func1::Sqrt, mul(mul(tail(), width), sub(b, c))),
            );
            cond(f2(Func2::Lt, u.clone(), split), low, high)
        }
        // WEIBULL(shape, scale)
        "weibull" => mul(
            vals[1].clone(),
            pow(neg(ln(tail())), div(num(1.0), vals[0].clone())),
        ),
        // PARETO(shape, scale): scale is the smallest value.
        "pareto" => div(vals[1].clone(), pow(tail(), div(num(1.0), vals[0].clone()))),
        // LOGISTIC(mean, scale)
        "logistic" => add(
            vals[0].clone(),
            mul(vals[1].clone(), ln(div(u.clone(), tail()))),
        ),
        // EXPRND(mean)
        _ => neg(mul(vals[0].clone(), ln(tail()))),
    })
}
