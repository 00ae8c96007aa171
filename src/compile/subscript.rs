//! References to variables and their subscripts: element names, dimension names, `*`,
//! sub-range wildcards `*:Sub`, ranges `lo:hi` and computed positions `a[i + 1]`.
//!
//! A subscript fixed when the model is compiled resolves to one element; a computed one that
//! is not fixed becomes a run-time read of the element at that position
//! ([`SpecialIr::Element`]), its candidates every element along the computed axes.

use super::builtins;
use super::ir::{Ir, SpecialIr};
use super::lower::{occurrences, Axis, Ctx, Lowerer, NodeRole};
use super::program::{DT, START, STOP, TIME};
use crate::diagnostic::Diagnostic;
use crate::equation::{Node, NodeKind, Subscript};
use crate::model::names::{canonical, closest};
use std::ops::Range;

/// Where one subscript of a reference lands: a fixed element, or a position computed at run
/// time along an axis of `n` elements.
enum Pos {
    At(usize),
    Run(Ir),
}

impl Lowerer<'_> {
    /// Lowers a reference `name[subscripts]`.
    pub(super) fn reference(
        &mut self,
        name: &str,
        subscripts: &[Subscript],
        span: &Range<usize>,
        ctx: &mut Ctx,
    ) -> Result<Ir, Diagnostic> {
        let key = canonical(name);
        let Some(vi) = self.sym.var(name) else {
            return self.not_a_variable(name, &key, span, ctx);
        };
        let info = self.sym.vars[vi].clone();
        let var = &self.model.variables[info.index];
        if self.out.nodes[info.base as usize].role == NodeRole::TableOnly
            || (var.equation.is_none() && var.gf.is_some())
        {
            return Err(ctx
                .error(span, format!("`{}` is a lookup table", var.name))
                .with_hint(format!("call it with an input, e.g. `{}(x)`", var.name)));
        }
        if info.dims.is_empty() {
            if !subscripts.is_empty() {
                return Err(ctx.error(
                    span,
                    format!("`{}` is not arrayed; remove the `[...]`", var.name),
                ));
            }
            return Ok(Ir::Ref(info.base));
        }
        if !subscripts.is_empty() && subscripts.len() != info.dims.len() {
            return Err(ctx.error(
                span,
                format!(
                    "`{}` has {} dimension(s) but {} subscript(s) are given",
                    var.name,
                    info.dims.len(),
                    subscripts.len()
                ),
            ));
        }
        let mut at = Vec::with_capacity(info.dims.len());
        for p in 0..info.dims.len() {
            at.push(self.position(vi, subscripts, p, span, ctx)?);
        }
        if at.iter().all(|p| matches!(p, Pos::At(_))) {
            let elems: Vec<usize> = at
                .iter()
                .map(|p| match p {
                    Pos::At(e) => *e,
                    Pos::Run(_) => unreachable!(),
                })
                .collect();
            return Ok(Ir::Ref(self.sym.element_id(vi, &elems)));
        }
        Ok(self.run_time_element(vi, at))
    }

    /// The run-time read of the element of `vi` at positions `at`: every element along the
    /// computed axes is a candidate, the fixed axes held.
    fn run_time_element(&self, vi: usize, at: Vec<Pos>) -> Ir {
        let dims = &self.sym.vars[vi].dims;
        let mut index = Vec::new();
        let mut sizes = Vec::new();
        let mut cells: Vec<Vec<usize>> = vec![Vec::new()];
        for (p, pos) in at.into_iter().enumerate() {
            let choices: Vec<usize> = match pos {
                Pos::At(e) => vec![e],
                Pos::Run(ir) => {
                    let n = self.sym.dims[dims[p]].elements.len();
                    index.push(ir);
                    sizes.push(n as u32);
                    (0..n).collect()
                }
            };
            cells = cells
                .into_iter()
                .flat_map(|c| {
                    choices.iter().map(move |&e| {
                        let mut c = c.clone();
                        c.push(e);
                        c
                    })
                })
                .collect();
        }
        let of = cells
            .iter()
            .map(|c| Ir::Ref(self.sym.element_id(vi, c)))
            .collect();
        Ir::Special(SpecialIr::Element { index, sizes, of })
    }

    /// Where subscript `p` of a reference to `vi` lands.
    fn position(
        &mut self,
        vi: usize,
        subscripts: &[Subscript],
        p: usize,
        span: &Range<usize>,
        ctx: &mut Ctx,
    ) -> Result<Pos, Diagnostic> {
        let info = &self.sym.vars[vi];
        let var_name = self.model.variables[info.index].name.clone();
        let positions = occurrences(&info.dims);
        let d = info.dims[p];
        let (_, k) = positions[p];
        let dim = &self.sym.dims[d];
        match subscripts.get(p) {
            None | Some(Subscript::Wildcard(_)) => ctx
                .binding(Axis::Free(d, k))
                .or_else(|| ctx.binding(Axis::Def(d, k)))
                .map(Pos::At)
                .ok_or_else(|| {
                    ctx.error(
                        span,
                        format!(
                            "`{var_name}` is arrayed over `{}`: say which element",
                            dim.name
                        ),
                    )
                    .with_hint(format!(
                        "write `{var_name}[{}]`, or use it in an equation over `{}`, or inside SUM(...)",
                        dim.elements.first().map(String::as_str).unwrap_or("element"),
                        dim.name
                    ))
                }),
            Some(Subscript::Name(s, sspan)) => match self.named(d, k, s, sspan, ctx) {
                Ok(e) => Ok(Pos::At(e)),
                // A variable's name (not an element's), or TIME, is a position computed
                // from it; a name that is neither keeps the element error.
                Err(not_element) => {
                    let node = Node {
                        kind: NodeKind::Var {
                            name: s.clone(),
                            subscripts: Vec::new(),
                        },
                        span: sspan.clone(),
                    };
                    let unknown = self.sym.var(s).is_none()
                        && self.not_a_variable(s, &canonical(s), sspan, ctx).is_err();
                    if unknown {
                        return Err(not_element);
                    }
                    self.computed(d, &node, ctx)
                }
            },
            Some(Subscript::Expr(e)) => self.computed(d, e, ctx),
            Some(sub @ (Subscript::StarRange(..) | Subscript::Range(..))) => {
                self.spread_element(vi, subscripts, p, sub, ctx).map(Pos::At)
            }
        }
    }

    /// A position along dimension `d` computed by `e`: one element when it is fixed.
    fn computed(&mut self, d: usize, e: &Node, ctx: &mut Ctx) -> Result<Pos, Diagnostic> {
        match self.lower(e, ctx)? {
            Ir::Const(x) => {
                let dim = &self.sym.dims[d];
                let n = dim.elements.len();
                let whole = x.floor();
                if whole >= 1.0 && whole <= n as f64 {
                    Ok(Pos::At(whole as usize - 1))
                } else {
                    Err(ctx
                        .error(&e.span, format!("position {x} is outside `{}`", dim.name))
                        .with_hint(format!("`{}` has elements 1 to {n}", self.sym.dims[d].name)))
                }
            }
            ir => Ok(Pos::Run(ir)),
        }
    }

    /// The element of dimension `d` (the `k`-th occurrence of `d` in the variable) that the
    /// name `s` stands for: an element, a dimension's current element, or a 1-based position.
    fn named(
        &self,
        d: usize,
        k: usize,
        s: &str,
        sspan: &Range<usize>,
        ctx: &Ctx,
    ) -> Result<usize, Diagnostic> {
        let dim = &self.sym.dims[d];
        let skey = canonical(s);
        if let Some(e) = dim.element_keys.iter().position(|k| *k == skey) {
            return Ok(e);
        }
        if let Some(&other) = self.sym.dim_by_key.get(&skey) {
            // The variable's own dimension keeps its position where the equation has it
            // (`sq[X, X]` in an equation over `[X, X]` is the current element, not the
            // diagonal); otherwise the first.
            let k = if other == d { k } else { 0 };
            let bound = ctx
                .binding(Axis::Def(other, k))
                .or_else(|| ctx.binding(Axis::Def(other, 0)))
                .ok_or_else(|| {
                    ctx.error(
                        sspan,
                        format!("dimension `{s}` has no current element here"),
                    )
                    .with_hint("use an element name, or write this equation over that dimension")
                })?;
            if bound >= dim.elements.len() {
                return Err(ctx.error(sspan, format!("`{s}` does not map onto `{}`", dim.name)));
            }
            return Ok(bound);
        }
        if let Ok(n) = s.parse::<usize>() {
            if n == 0 || n > dim.elements.len() {
                return Err(ctx
                    .error(sspan, format!("index {n} is outside `{}`", dim.name))
                    .with_hint(format!(
                        "`{}` has elements 1 to {}",
                        dim.name,
                        dim.elements.len()
                    )));
            }
            return Ok(n - 1);
        }
        let mut e = ctx.error(
            sspan,
            format!("`{s}` is not an element of dimension `{}`", dim.name),
        );
        if let Some(c) = closest(s, dim.elements.iter().map(String::as_str)) {
            e = e.with_hint(format!("did you mean `{c}`?"));
        }
        Err(e)
    }

    /// The axis a sub-range wildcard or a range at position `p` (dimension `d`, its `k`-th
    /// occurrence) spreads over, and the axis of the equation's own element it follows in an
    /// element-by-element equation; `None` when it does not resolve (the reference then
    /// reports why).
    pub(super) fn spread_axis(
        &self,
        subscripts: &[Subscript],
        p: usize,
        d: usize,
        k: usize,
        sub: &Subscript,
    ) -> Option<(Axis, Axis)> {
        match sub {
            Subscript::StarRange(name, _) => {
                let sd = *self.sym.dim_by_key.get(&canonical(name))?;
                let nth = subscripts[..p]
                    .iter()
                    .filter(|s| matches!(s, Subscript::StarRange(n, _) if canonical(n) == canonical(name)))
                    .count();
                Some((Axis::Free(sd, nth), Axis::Def(sd, nth)))
            }
            Subscript::Range(lo, hi) => {
                let (lo, hi) = (self.bound(d, lo)?, self.bound(d, hi)?);
                let nth = subscripts[..p]
                    .iter()
                    .filter(|s| matches!(s, Subscript::Range(..)))
                    .count();
                (lo <= hi).then_some((Axis::Slice(hi - lo + 1, nth), Axis::Def(d, k)))
            }
            _ => None,
        }
    }

    /// A range bound: an element of `d` or a 1-based position in it.
    fn bound(&self, d: usize, s: &Subscript) -> Option<usize> {
        let Subscript::Name(name, _) = s else {
            return None;
        };
        let dim = &self.sym.dims[d];
        let key = canonical(name);
        dim.element_keys.iter().position(|k| *k == key).or_else(|| {
            let n: usize = name.parse().ok()?;
            (1..=dim.elements.len()).contains(&n).then(|| n - 1)
        })
    }

    /// The element a sub-range wildcard `*:Sub` or a range `lo:hi` at position `p` of a
    /// reference to `vi` stands for in the current bindings.
    fn spread_element(
        &self,
        vi: usize,
        subscripts: &[Subscript],
        p: usize,
        sub: &Subscript,
        ctx: &Ctx,
    ) -> Result<usize, Diagnostic> {
        let info = &self.sym.vars[vi];
        let d = info.dims[p];
        let (_, k) = occurrences(&info.dims)[p];
        let dim = &self.sym.dims[d];
        let span = sub.span();
        let var_name = &self.model.variables[info.index].name;
        let (axis, def) = match self.spread_axis(subscripts, p, d, k, sub) {
            Some(axes) => axes,
            None => return Err(self.spread_error(d, sub, ctx)),
        };
        let bound = ctx.binding(axis).or_else(|| ctx.binding(def)).or_else(|| {
            // A range in an equation over another dimension of its size pairs with it by
            // position, as XMILE pairs arrays of one shape.
            let Axis::Slice(len, _) = axis else {
                return None;
            };
            ctx.bindings.iter().rev().find_map(|&(a, e)| match a {
                Axis::Def(dd, _) if self.sym.dims[dd].elements.len() == len => Some(e),
                _ => None,
            })
        });
        let unbound = || {
            ctx.error(
                &span,
                format!("`{var_name}[...]` names several elements of `{}` here", dim.name),
            )
            .with_hint("use it inside SUM(...) or another reduction, or in an equation over that dimension")
        };
        match sub {
            Subscript::StarRange(name, _) => {
                let Axis::Free(sd, _) = axis else {
                    unreachable!()
                };
                let e = bound.ok_or_else(unbound)?;
                let elem = &self.sym.dims[sd].element_keys[e];
                dim.element_keys
                    .iter()
                    .position(|k| k == elem)
                    .ok_or_else(|| {
                        ctx.error(
                            &span,
                            format!("`{name}` is not a sub-range of `{}`", dim.name),
                        )
                        .with_hint(format!(
                            "its element `{}` is not in `{}`",
                            self.sym.dims[sd].elements[e], dim.name
                        ))
                    })
            }
            _ => {
                let Axis::Slice(len, _) = axis else {
                    unreachable!()
                };
                let lo = match sub {
                    Subscript::Range(lo, _) => self.bound(d, lo).unwrap_or(0),
                    _ => 0,
                };
                let e = bound.ok_or_else(unbound)?;
                if e >= len {
                    return Err(ctx
                        .error(
                            &span,
                            format!(
                                "the range has {len} elements; element {} of `{}` has none",
                                e + 1,
                                dim.name
                            ),
                        )
                        .with_hint("an equation over a range pairs its elements one by one from the first; make the sizes agree"));
                }
                Ok(lo + e)
            }
        }
    }

    /// Why a sub-range wildcard or a range does not resolve.
    fn spread_error(&self, d: usize, sub: &Subscript, ctx: &Ctx) -> Diagnostic {
        let dim = &self.sym.dims[d];
        match sub {
            Subscript::StarRange(name, span) => {
                let mut e = ctx.error(span, format!("unknown dimension `{name}`"));
                let names = self.sym.dims.iter().map(|d| d.name.as_str());
                if let Some(c) = closest(name, names) {
                    e = e.with_hint(format!("did you mean `{c}`?"));
                }
                e
            }
            Subscript::Range(lo, hi) => {
                for b in [lo, hi] {
                    match (b.as_ref(), self.bound(d, b)) {
                        (Subscript::Name(n, span), None) => {
                            return ctx
                                .error(
                                    span,
                                    format!(
                                        "`{n}` is neither an element of `{}` nor a position in it",
                                        dim.name
                                    ),
                                )
                                .with_hint(format!(
                                    "`{}` has elements 1 to {}",
                                    dim.name,
                                    dim.elements.len()
                                ))
                        }
                        (Subscript::Name(..), Some(_)) => {}
                        (other, _) => {
                            return ctx
                                .error(
                                    &other.span(),
                                    "a range's bounds are element names or whole numbers",
                                )
                                .with_hint("write the bound as a number, e.g. `a[2:4]`")
                        }
                    }
                }
                ctx.error(
                    &sub.span(),
                    "the range is empty: its first element comes after its last",
                )
                .with_hint("write the earlier element first, e.g. `a[2:4]`")
            }
            _ => ctx.error(&sub.span(), "unexpected subscript"),
        }
    }

    /// A name that is not a model variable: a reserved quantity, a constant, the current
    /// element's position in a dimension, or an error.
    fn not_a_variable(
        &self,
        name: &str,
        key: &str,
        span: &Range<usize>,
        ctx: &Ctx,
    ) -> Result<Ir, Diagnostic> {
        match key {
            "time" => return Ok(Ir::Ref(TIME)),
            "dt" | "time_step" => return Ok(Ir::Ref(DT)),
            "starttime" | "initial_time" | "start_time" => return Ok(Ir::Ref(START)),
            "stoptime" | "final_time" | "stop_time" => return Ok(Ir::Ref(STOP)),
            "pi" => return Ok(Ir::Const(std::f64::consts::PI)),
            "inf" | "infinity" => return Ok(Ir::Const(f64::INFINITY)),
            "true" => return Ok(Ir::Const(1.0)),
            "false" => return Ok(Ir::Const(0.0)),
            // Stella's SELF: the element whose equation this is (useful inside PREVIOUS).
            "self" => return Ok(Ir::Ref(self.owner)),
            _ => {}
        }
        // A dimension's name as a value is the position of the element being computed
        // (XMILE 1.0 §3.7.1), as in `a[Dim + 1]` in an equation over `Dim`.
        if let Some(&d) = self.sym.dim_by_key.get(key) {
            if let Some(e) = ctx.binding(Axis::Def(d, 0)) {
                return Ok(Ir::Const((e + 1) as f64));
            }
        }
        let mut e = ctx.error(span, format!("unknown variable `{name}`"));
        let names = self.model.variables.iter().map(|v| v.name.as_str());
        if let Some(c) = closest(name, names) {
            e = e.with_hint(format!("did you mean `{c}`?"));
        } else if builtins::is_builtin(key) {
            e = e.with_hint(format!("`{name}` is a function; call it with parentheses"));
        } else {
            e = e.with_hint(
                "define it as a stock, flow, auxiliary or constant, or check the spelling",
            );
        }
        Err(e)
    }
}
