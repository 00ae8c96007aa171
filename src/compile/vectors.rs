//! Vector builtins shared by the Vensim and XMILE readers: allocations (`ALLOCATE_BY_PRIORITY`,
//! `ALLOCATE_AVAILABLE`), `INVERT_MATRIX`, `VECTOR_SORT_ORDER`, `VECTOR_RANK`,
//! `VECTOR_REORDER`, `VECTOR_ELM_MAP` and `VECTOR_SELECT`, with Vensim's semantics.
//!
//! Each takes whole arrays (written with `*`, e.g. `demand[*]`, or a variable's name alone)
//! and, when its result is an array, the 1-based position of the element wanted last: the
//! result of `ALLOCATE_BY_PRIORITY(request[*], priority[*], width, supply, 2)` is the second
//! requester's allocation. The simulator evaluates them through [`eval`], which reads its
//! arguments from slots and allocates nothing.

use super::ir::{cond, f2, Ir, SpecialIr};
use super::lower::{Axis, Ctx, Lowerer};
use super::program::Func2;
use crate::diagnostic::Diagnostic;
use crate::equation::{Node, NodeKind, Subscript};
use crate::model::names::canonical;
use std::ops::Range;

/// Vector builtins evaluated by the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorFn {
    /// Arguments: request ×n, priority ×n, width, supply, position.
    AllocateByPriority,
    /// Arguments: request ×n, priority profile ×4n (type, priority, width, extra per
    /// requester), available, position.
    AllocateAvailable,
    /// Arguments: matrix ×n² (row by row), row, column.
    InvertMatrix,
    /// Arguments: values ×n, direction (above 0 ascending, otherwise descending), position;
    /// the result is a 0-based index.
    SortOrder,
    /// Arguments: values ×n, direction, position.
    Rank,
    /// Arguments: values ×n, order ×n (0-based positions), position.
    Reorder,
    /// Arguments: values ×n, 0-based index.
    ElmMap,
    /// Stella's `INTERPOLATE`. Arguments: values ×n (row-major), the number of axes `d`, then
    /// per axis its size and the input on [0, 1].
    Interpolate,
    /// Not a vector function: the Poisson quantile (arguments: uniform draw, mean; `n` 0).
    Poisson,
    /// Not a vector function: the negative binomial quantile (arguments: uniform draw,
    /// successes, probability of success; `n` 0).
    NegBinomial,
}

/// The largest matrix `INVERT_MATRIX` inverts (its work space lives on the stack).
pub const MAX_MATRIX: usize = 32;

/// Lowers a call of a vector builtin (`key`, its canonical name; arity already checked).
pub(super) fn lower(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let vector = |lw: &mut Lowerer, ctx: &mut Ctx, i: usize| lw.expand(&args[i], ctx, true);
    let scalar = |lw: &mut Lowerer, ctx: &mut Ctx, i: usize| lw.lower(&args[i], ctx);
    let (f, n, mut flat) = match key {
        "vector_select" => {
            let sel = vector(lw, ctx, 0)?;
            let vals = vector(lw, ctx, 1)?;
            same_len(&sel, &vals, &args[1].span, ctx)?;
            let missing = scalar(lw, ctx, 2)?;
            let action = scalar(lw, ctx, 3)?;
            return Ok(select(sel, vals, missing, action));
        }
        "allocate_by_priority" => {
            let req = vector(lw, ctx, 0)?;
            let pri = vector(lw, ctx, 1)?;
            same_len(&req, &pri, &args[1].span, ctx)?;
            let n = req.len();
            let mut flat = req;
            flat.extend(pri);
            flat.push(scalar(lw, ctx, 2)?);
            flat.push(scalar(lw, ctx, 3)?);
            (VectorFn::AllocateByPriority, n, flat)
        }
        "allocate_available" => {
            let req = vector(lw, ctx, 0)?;
            let prof = vector(lw, ctx, 1)?;
            if prof.len() != 4 * req.len() {
                return Err(ctx
                    .error(
                        &args[1].span,
                        format!(
                            "the priority profiles have {} values for {} requests",
                            prof.len(),
                            req.len()
                        ),
                    )
                    .with_hint("give four values (type, priority, width, extra) per request"));
            }
            let n = req.len();
            let mut flat = req;
            flat.extend(prof);
            flat.push(scalar(lw, ctx, 2)?);
            (VectorFn::AllocateAvailable, n, flat)
        }
        "invert_matrix" => {
            let m = vector(lw, ctx, 0)?;
            let n = (m.len() as f64).sqrt().round() as usize;
            if n * n != m.len() || n > MAX_MATRIX {
                return Err(ctx
                    .error(
                        &args[0].span,
                        format!("INVERT_MATRIX needs a square matrix of at most {MAX_MATRIX} rows, not {} values", m.len()),
                    )
                    .with_hint("pass the whole matrix, e.g. `m[*, *]`"));
            }
            let mut flat = m;
            flat.push(scalar(lw, ctx, 1)?);
            (VectorFn::InvertMatrix, n, flat)
        }
        "interpolate" => return interpolate(lw, args, ctx),
        "vector_sort_order" | "vector_rank" | "vector_reorder" if args.len() == 2 => {
            return vensim_form(lw, key, args, span, ctx);
        }
        "vector_elm_map" if along(lw, &args[0]).is_some() => {
            return vensim_form(lw, key, args, span, ctx);
        }
        "vector_sort_order" | "vector_rank" | "vector_reorder" | "vector_elm_map" => {
            let v = vector(lw, ctx, 0)?;
            let n = v.len();
            let mut flat = v;
            let f = match key {
                "vector_sort_order" => VectorFn::SortOrder,
                "vector_rank" => VectorFn::Rank,
                "vector_elm_map" => VectorFn::ElmMap,
                _ => VectorFn::Reorder,
            };
            if f == VectorFn::Reorder {
                let order = vector(lw, ctx, 1)?;
                same_len(&flat, &order, &args[1].span, ctx)?;
                flat.extend(order);
            } else {
                flat.push(scalar(lw, ctx, 1)?);
            }
            (f, n, flat)
        }
        _ => return Err(ctx.error(span, format!("`{key}` is not a vector builtin"))),
    };
    if f != VectorFn::ElmMap {
        let last = args.len() - 1;
        flat.push(scalar(lw, ctx, last)?);
    }
    Ok(Ir::Special(SpecialIr::Vector(f, n as u32, flat)))
}

/// Vensim's form of `VECTOR SORT ORDER(x[D], direction)`, `VECTOR RANK(x[D], direction)`,
/// `VECTOR REORDER(x[D], order[D])` and `VECTOR ELM MAP(x[D], offset)` in an equation over
/// `D` (or over a dimension of as many elements): `x` runs whole along `D`, the dimension of
/// its last subscript, and the result is the one for the element being computed. `VECTOR ELM
/// MAP`'s offset counts from `D`'s first element (0-based), as simlin computes it.
fn vensim_form(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let Some(d) = along(lw, &args[0]) else {
        let name = key.to_uppercase();
        return Err(ctx
            .error(
                &args[0].span,
                format!("in {name} with two arguments (Vensim's form) the first argument must be an array subscripted by a dimension"),
            )
            .with_hint("write e.g. `x[Region]`; with `x[*]`, give the position wanted as a third argument"));
    };
    let values = whole(lw, &args[0], d, ctx)?;
    let n = values.len();
    let mut flat = values;
    let f = match key {
        "vector_elm_map" => {
            flat.push(lw.lower(&args[1], ctx)?);
            return Ok(Ir::Special(SpecialIr::Vector(
                VectorFn::ElmMap,
                n as u32,
                flat,
            )));
        }
        "vector_sort_order" => VectorFn::SortOrder,
        "vector_rank" => VectorFn::Rank,
        _ => VectorFn::Reorder,
    };
    if f == VectorFn::Reorder {
        let order = whole(lw, &args[1], d, ctx)?;
        same_len(&flat, &order, &args[1].span, ctx)?;
        flat.extend(order);
    } else {
        flat.push(lw.lower(&args[1], ctx)?);
    }
    let k = current(lw, d, ctx).ok_or_else(|| {
        ctx.error(
            span,
            format!(
                "{} is written for one element of `{}` at a time",
                key.to_uppercase(),
                lw.sym.dims[d].name
            ),
        )
        .with_hint("give the variable that dimension, or write the position wanted last")
    })?;
    flat.push(Ir::Const((k + 1) as f64));
    Ok(Ir::Special(SpecialIr::Vector(f, n as u32, flat)))
}

/// Stella's `INTERPOLATE(points, x1, x2, …)`: one input on the unit interval per dimension of
/// `points` (a variable or a slice such as `points[2, *, *]`). Along a dimension of `k`
/// elements, element `i` (0-based) stands at `i / (k − 1)`; an input between two of them
/// weighs the two by its distance to each, below 0 is the first and above 1 the last (isee's
/// help, "Array builtins"). Several dimensions combine the same rule on each (multilinear).
fn interpolate(lw: &mut Lowerer, args: &[Node], ctx: &mut Ctx) -> Result<Ir, Diagnostic> {
    let mut axes = Vec::new();
    lw.free_axes(&args[0], ctx, true, &mut axes);
    let sizes: Vec<usize> = axes
        .iter()
        .map(|a| match *a {
            Axis::Def(d, _) | Axis::Free(d, _) => lw.sym.dims[d].elements.len(),
            Axis::Slice(len, _) => len,
        })
        .collect();
    let inputs = &args[1..];
    if sizes.is_empty() {
        return Err(ctx
            .error(&args[0].span, "the first argument of INTERPOLATE is not an array")
            .with_hint("INTERPOLATE reads the points of an arrayed variable, e.g. `INTERPOLATE(points, x)`"));
    }
    if sizes.len() != inputs.len() {
        return Err(ctx
            .error(
                &args[0].span,
                format!(
                    "the array has {} dimension(s), so INTERPOLATE takes {} input(s) after it, not {}",
                    sizes.len(),
                    sizes.len(),
                    inputs.len()
                ),
            )
            .with_hint(
                "give the array and one input in [0, 1] per dimension, e.g. \
                 `INTERPOLATE(points[*, *], x, y)`",
            ));
    }
    if let Some(k) = sizes.iter().find(|&&k| k < 2) {
        return Err(ctx
            .error(
                &args[0].span,
                format!("INTERPOLATE needs at least 2 elements in each dimension, not {k}"),
            )
            .with_hint("interpolation runs between elements; use the element itself"));
    }
    let values = lw.expand(&args[0], ctx, true)?;
    let n = values.len();
    let mut flat = values;
    flat.push(Ir::Const(sizes.len() as f64));
    for (size, input) in sizes.iter().zip(inputs) {
        flat.push(Ir::Const(*size as f64));
        flat.push(lw.lower(input, ctx)?);
    }
    Ok(Ir::Special(SpecialIr::Vector(
        VectorFn::Interpolate,
        n as u32,
        flat,
    )))
}

/// The value of `INTERPOLATE` (see [`interpolate`]): the weighted sum over the 2^d corners of
/// the cell holding the inputs. NaN for a NaN input.
fn interpolate_at(n: usize, arg: &dyn Fn(usize) -> f64) -> f64 {
    let d = arg(n) as usize;
    let mut total = 0.0;
    for corner in 0..(1usize << d) {
        let (mut index, mut weight) = (0usize, 1.0);
        for j in 0..d {
            let size = arg(n + 1 + 2 * j) as usize;
            let x = arg(n + 2 + 2 * j);
            if x.is_nan() {
                return f64::NAN;
            }
            let p = x.clamp(0.0, 1.0) * (size - 1) as f64;
            let lo = (p.floor() as usize).min(size - 2);
            let frac = p - lo as f64;
            let (k, w) = if corner >> j & 1 == 1 {
                (lo + 1, frac)
            } else {
                (lo, 1.0 - frac)
            };
            index = index * size + k;
            weight *= w;
        }
        // A corner of weight 0 is not read, as a graphical function reads only its segment.
        if weight != 0.0 {
            total += weight * arg(index);
        }
    }
    total
}

/// `RANK(x[D], direction)` in an equation over `D`: where Stella's `RANK(array, rank)` would
/// rank the one element being computed, simlin reads Vensim's `VECTOR RANK` (the rank of that
/// element in `x` over `D`, 1-based, ascending for a direction above 0); `None` for Stella's
/// form (`x[*]`, or a dimension the equation does not run over).
pub(super) fn rank_of_current(
    lw: &mut Lowerer,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Option<Result<Ir, Diagnostic>> {
    let d = along(lw, &args[0])?;
    ctx.binding(Axis::Def(d, 0))?;
    Some(vensim_form(lw, "vector_rank", args, span, ctx))
}

/// The dimension a Vensim-form vector argument runs along: that of the last subscript of its
/// first subscripted variable, when that subscript names a dimension.
fn along(lw: &Lowerer, node: &Node) -> Option<usize> {
    match &node.kind {
        NodeKind::Var { subscripts, .. } if !subscripts.is_empty() => match subscripts.last()? {
            Subscript::Name(s, _) => {
                let key = canonical(s);
                let d = *lw.sym.dim_by_key.get(&key)?;
                (!lw.sym.dims[d].element_keys.contains(&key)).then_some(d)
            }
            _ => None,
        },
        NodeKind::Var { .. } | NodeKind::Number(_) => None,
        NodeKind::Unary(_, a) => along(lw, a),
        NodeKind::Binary(_, a, b) => along(lw, a).or_else(|| along(lw, b)),
        NodeKind::If(c, a, b) => along(lw, c)
            .or_else(|| along(lw, a))
            .or_else(|| along(lw, b)),
        NodeKind::Call { args, .. } => args.iter().find_map(|a| along(lw, a)),
    }
}

/// The values of `node` for every element of `d`, the equation's own element of `d` set aside.
fn whole(lw: &mut Lowerer, node: &Node, d: usize, ctx: &mut Ctx) -> Result<Vec<Ir>, Diagnostic> {
    let kept: Vec<(Axis, usize)> = ctx
        .bindings
        .iter()
        .copied()
        .filter(|(a, _)| !matches!(a, Axis::Def(e, _) if *e == d))
        .collect();
    let saved = std::mem::replace(&mut ctx.bindings, kept);
    let out = lw.expand(node, ctx, true);
    ctx.bindings = saved;
    out
}

/// The 0-based position of the element being computed along `d`, or along the innermost
/// dimension of the equation with as many elements (`order[Sub] = VECTOR SORT ORDER(x[D], 1)`).
fn current(lw: &Lowerer, d: usize, ctx: &Ctx) -> Option<usize> {
    let size = |e: usize| lw.sym.dims[e].elements.len();
    ctx.binding(Axis::Def(d, 0)).or_else(|| {
        ctx.bindings.iter().rev().find_map(|(a, k)| match a {
            Axis::Def(e, _) if size(*e) == size(d) => Some(*k),
            _ => None,
        })
    })
}

fn same_len(a: &[Ir], b: &[Ir], span: &Range<usize>, ctx: &Ctx) -> Result<(), Diagnostic> {
    if a.len() == b.len() {
        return Ok(());
    }
    Err(ctx
        .error(
            span,
            format!("the arrays have {} and {} elements", a.len(), b.len()),
        )
        .with_hint("both arguments range over the same elements"))
}

/// `VECTOR_SELECT(selection, values, missing, action, error action)`: the values whose
/// selection is not 0, combined by `action` as Vensim numbers them: 0 sum, 1 product, 2
/// minimum, 3 maximum, 4 mean of `selection × value`; 5 product of `value ^ selection`; 6 sum,
/// 7 product, 8 minimum, 9 maximum, 10 mean of the values themselves. `missing` when none is
/// selected (or for another action). The error action (what Vensim reports when none or more
/// than one is selected) does not change the value.
fn select(sel: Vec<Ir>, vals: Vec<Ir>, missing: Ir, action: Ir) -> Ir {
    let picked = |s: &Ir| f2(Func2::Ne, s.clone(), Ir::Const(0.0));
    let mut count = Ir::Const(0.0);
    for s in &sel {
        count = f2(
            Func2::Add,
            count,
            cond(picked(s), Ir::Const(1.0), Ir::Const(0.0)),
        );
    }
    // The combination of `term(selection, value)` over the selected elements by `f`.
    let fold = |f: Func2, neutral: f64, term: &dyn Fn(&Ir, &Ir) -> Ir| {
        let mut acc = Ir::Const(neutral);
        for (s, v) in sel.iter().zip(&vals) {
            acc = f2(f, acc, cond(picked(s), term(s, v), Ir::Const(neutral)));
        }
        acc
    };
    let weighted = |s: &Ir, v: &Ir| f2(Func2::Mul, s.clone(), v.clone());
    let plain = |_: &Ir, v: &Ir| v.clone();
    let power = |s: &Ir, v: &Ir| f2(Func2::Pow, v.clone(), s.clone());
    let (inf, ninf) = (f64::INFINITY, f64::NEG_INFINITY);
    let results = [
        fold(Func2::Add, 0.0, &weighted),
        fold(Func2::Mul, 1.0, &weighted),
        fold(Func2::Min, inf, &weighted),
        fold(Func2::Max, ninf, &weighted),
        f2(Func2::Div, fold(Func2::Add, 0.0, &weighted), count.clone()),
        fold(Func2::Mul, 1.0, &power),
        fold(Func2::Add, 0.0, &plain),
        fold(Func2::Mul, 1.0, &plain),
        fold(Func2::Min, inf, &plain),
        fold(Func2::Max, ninf, &plain),
        f2(Func2::Div, fold(Func2::Add, 0.0, &plain), count.clone()),
    ];
    let mut out = missing.clone();
    for (k, r) in results.into_iter().enumerate().rev() {
        out = cond(f2(Func2::Eq, action.clone(), Ir::Const(k as f64)), r, out);
    }
    cond(f2(Func2::Gt, count, Ir::Const(0.0)), out, missing)
}

/// The value of a vector builtin whose `n`-element vectors and other arguments are read by
/// `arg` in the order [`VectorFn`] lists them.
pub fn eval(f: VectorFn, n: usize, arg: impl Fn(usize) -> f64) -> f64 {
    let position = |i: usize| -> Option<usize> {
        let p = arg(i);
        (p >= 1.0 && p <= n as f64).then(|| p as usize - 1)
    };
    match f {
        VectorFn::Interpolate => interpolate_at(n, &arg),
        VectorFn::AllocateByPriority => {
            let Some(k) = position(2 * n + 2) else {
                return f64::NAN;
            };
            let width = arg(2 * n);
            let supply = arg(2 * n + 1);
            // Zero, negative or NaN widths are errors in Vensim.
            if width.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return f64::NAN;
            }
            // Vensim's ALLOCATE BY PRIORITY is ALLOCATE AVAILABLE with rectangular profiles.
            allocate(n, k, supply, |i| (arg(i), 1.0, arg(n + i), width))
        }
        VectorFn::AllocateAvailable => {
            let Some(k) = position(5 * n + 1) else {
                return f64::NAN;
            };
            let avail = arg(5 * n);
            let p = |i: usize, j: usize| arg(n + 4 * i + j);
            allocate(n, k, avail, |i| (arg(i), p(i, 0), p(i, 1), p(i, 2)))
        }
        VectorFn::InvertMatrix => {
            let (Some(r), Some(c)) = (position(n * n), position(n * n + 1)) else {
                return f64::NAN;
            };
            invert(n, r, c, &arg)
        }
        VectorFn::SortOrder => {
            let Some(k) = position(n + 1) else {
                return f64::NAN;
            };
            let ascending = arg(n) > 0.0;
            // The element of rank k: the one with exactly k elements before it.
            (0..n)
                .find(|&i| rank(n, i, ascending, &arg) == k)
                .map_or(f64::NAN, |i| i as f64)
        }
        VectorFn::Rank => {
            let Some(k) = position(n + 1) else {
                return f64::NAN;
            };
            (rank(n, k, arg(n) > 0.0, &arg) + 1) as f64
        }
        VectorFn::Reorder => {
            let Some(k) = position(2 * n) else {
                return f64::NAN;
            };
            let from = arg(n + k);
            if from >= 0.0 && from < n as f64 {
                arg(from as usize)
            } else {
                f64::NAN
            }
        }
        VectorFn::Poisson => super::discrete::poisson(arg(0), arg(1)),
        VectorFn::NegBinomial => super::discrete::negative_binomial(arg(0), arg(1), arg(2)),
        VectorFn::ElmMap => {
            let i = arg(n);
            if i >= 0.0 && i < n as f64 {
                arg(i as usize)
            } else {
                f64::NAN
            }
        }
    }
}

/// How many elements come before element `k` when sorted: ascending with ties in their
/// order, or descending as the reverse of that (ties in reverse order), as Vensim sorts.
fn rank(n: usize, k: usize, ascending: bool, arg: &impl Fn(usize) -> f64) -> usize {
    let x = arg(k);
    (0..n)
        .filter(|&i| {
            let y = arg(i);
            if ascending {
                y < x || (y == x && i < k)
            } else {
                y > x || (y == x && i > k)
            }
        })
        .count()
}

/// The amount requester `k` receives from `avail` when requester `i` has
/// `(request, profile type, priority, width)`: the priority level `x` at which the requests
/// served (each by its profile's curve, falling from the full request to nothing as `x`
/// rises through its priority) add up to `avail`, found by bisection.
fn allocate(n: usize, k: usize, avail: f64, req: impl Fn(usize) -> (f64, f64, f64, f64)) -> f64 {
    // A profile type other than 0–4 has no curve: the allocation is undefined (NaN, a numeric
    // fault naming the variable), never silently rectangular.
    if (0..n).any(|i| !PROFILE_TYPES.contains(&req(i).1)) {
        return f64::NAN;
    }
    let total: f64 = (0..n).map(|i| req(i).0.max(0.0)).sum();
    let (q, ..) = req(k);
    if avail >= total {
        return q;
    }
    if avail.is_nan() || total.is_nan() {
        return f64::NAN;
    }
    if avail <= 0.0 || q <= 0.0 {
        return 0.0;
    }
    let served = |x: f64| -> f64 {
        (0..n)
            .map(|i| {
                let (q, t, p, w) = req(i);
                served_by(q.max(0.0), t, p, w, x)
            })
            .sum()
    };
    // Bounds where everyone is served in full, and where no one is.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..n {
        let (_, _, p, w) = req(i);
        let reach = 40.0 * w.abs();
        lo = lo.min(p - reach);
        hi = hi.max(p + reach);
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if served(mid) > avail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (q, t, p, w) = req(k);
    served_by(q.max(0.0), t, p, w, 0.5 * (lo + hi))
}

/// The priority profile types Vensim defines (0 and 1 are both read as rectangular).
const PROFILE_TYPES: [f64; 5] = [0.0, 1.0, 2.0, 3.0, 4.0];

/// What a request `q` with profile `(type, priority, width)` receives at level `x`: type 0
/// (a fixed quantity) and 1 rectangular, 2 triangular, 3 normal, 4 exponential (Vensim's
/// priority profiles); the curve falls from `q` to 0 around `priority`.
fn served_by(q: f64, kind: f64, p: f64, w: f64, x: f64) -> f64 {
    if q == 0.0 {
        return 0.0;
    }
    let half = 0.5 * w;
    match kind as i64 {
        2 => {
            if x <= p - half {
                q
            } else if x < p {
                q * (1.0 - 2.0 * (x - p + half).powi(2) / (w * w))
            } else if x < p + half {
                2.0 * q * (p + half - x).powi(2) / (w * w)
            } else {
                0.0
            }
        }
        3 => q * normal_upper_tail((x - p) / w),
        4 => {
            if x < p {
                q * (1.0 - 0.5 * ((x - p) / w).exp())
            } else {
                q * 0.5 * ((p - x) / w).exp()
            }
        }
        _ => {
            if x <= p - half {
                q
            } else if x < p + half {
                q * (1.0 - (x - p + half) / w)
            } else {
                0.0
            }
        }
    }
}

/// The upper tail `1 − Φ(z)` of the standard normal as Vensim computes it for normal priority
/// profiles: with the three-term erf approximation of Abramowitz and Stegun (7.1.25,
/// |error| ≤ 2.5e-5), not the exact curve. Its allocations in the SDXorg test
/// `tests/allocate_available` match this curve to 1e-4 and differ from the exact one by up
/// to 1.5% in the tails.
fn normal_upper_tail(z: f64) -> f64 {
    const P: f64 = 0.47047;
    const A: [f64; 3] = [0.348_024_2, -0.095_879_8, 0.747_855_6];
    let x = z.abs() * std::f64::consts::FRAC_1_SQRT_2;
    let t = 1.0 / (1.0 + P * x);
    // 0.5·erfc(x) for x ≥ 0; the curve is symmetric about z = 0.
    let tail = 0.5 * t * (A[0] + t * (A[1] + t * A[2])) * (-x * x).exp();
    if z >= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// Element (r, c) of the inverse of the `n`×`n` matrix read row by row by `arg` (Gauss–Jordan
/// elimination with partial pivoting on the stack); NaN when the matrix is singular.
fn invert(n: usize, r: usize, c: usize, arg: &impl Fn(usize) -> f64) -> f64 {
    let mut a = [[0.0f64; 2 * MAX_MATRIX]; MAX_MATRIX];
    for (i, row) in a.iter_mut().enumerate().take(n) {
        for (j, v) in row.iter_mut().enumerate().take(n) {
            *v = arg(i * n + j);
        }
        row[n + i] = 1.0;
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        if a[pivot][col] == 0.0 || a[pivot][col].is_nan() {
            return f64::NAN;
        }
        a.swap(col, pivot);
        let d = a[col][col];
        for v in a[col].iter_mut().take(2 * n) {
            *v /= d;
        }
        let pivot_row = a[col];
        for (i, row) in a.iter_mut().enumerate().take(n) {
            let m = row[col];
            if i != col && m != 0.0 {
                for (v, p) in row.iter_mut().zip(&pivot_row).take(2 * n) {
                    *v -= m * p;
                }
            }
        }
    }
    a[r][n + c]
}

#[cfg(test)]
mod tests;
