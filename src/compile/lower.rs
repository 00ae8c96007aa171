//! Lowering: each variable element's equation becomes an [`Ir`] with names resolved, arrays
//! expanded element by element and stateful builtins expanded into hidden stocks and flows.

use super::builtins;
use super::ir::{cond, f1, f2, Id, Ir};
use super::program::{Func1, Func2, Table};
use super::symbols::Symbols;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::equation::{self, BinOp, Node, NodeKind, Subscript, UnOp};
use crate::model::names::{closest, stable_key};
use crate::model::{names::canonical, Equation, Expr, Model, VarKind};
use std::collections::HashMap;

/// The role of a node in the compiled model.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeRole {
    /// Time, DT, start and stop.
    Reserved,
    /// A stock integrating flows.
    Stock {
        /// Inflow nodes.
        inflows: Vec<Id>,
        /// Outflow nodes.
        outflows: Vec<Id>,
        /// Outflows are cut back to keep the stock at or above zero.
        non_negative: bool,
    },
    /// A flow.
    Flow {
        /// Negative values are clipped to zero.
        non_negative: bool,
    },
    /// An auxiliary.
    Aux,
    /// A constant written in `[constants]`.
    Constant,
    /// INIT(x): the value of x at the start, held.
    InitCapture,
    /// A lookup table with no input equation; only callable.
    TableOnly,
}

/// One node: a variable element or a hidden node of a builtin (a smooth's stock, say).
#[derive(Debug, Clone)]
pub struct NodeDef {
    /// Display name (`name[elem]`; hidden nodes start with `#`).
    pub name: String,
    /// Role.
    pub role: NodeRole,
    /// The value (for stocks: the initial value).
    pub ir: Ir,
    /// Model variable index for user-visible nodes.
    pub var: Option<usize>,
    /// Where it was defined (for a builtin's hidden node: the call).
    pub at: SourceRef,
    /// The variable element whose own equation this node is part of (itself for a
    /// variable element; the element whose equation calls the builtin for a hidden node).
    pub owner: Id,
    /// A variable element's own equation (for a stock: its initial value).
    pub equation: Option<Expr>,
    /// The value while the initial values are computed, when it differs from `ir` (a
    /// separate initial equation); such a node is computed at every step as well.
    pub init_ir: Option<Ir>,
}

/// Everything lowering produces.
#[derive(Debug, Default)]
pub struct Lowered {
    /// Nodes by id.
    pub nodes: Vec<NodeDef>,
    /// Graphical-function tables.
    pub tables: Vec<Table>,
    /// Fixed delay lines: (input node, delay-time node, initial-value node).
    pub delays: Vec<(Id, Id, Id)>,
    /// The stream key of each per-step noise state (see [`Lowerer::noise_state`]).
    pub noise_keys: Vec<u64>,
    /// How many history buffers (`HISTORY`, `IRR`) the calls so far record into.
    pub histories: u32,
    /// Noise calls met so far in each element's equation.
    noise_calls: HashMap<Id, u32>,
}

/// One index position an element can be bound to: `Def(d, k)` is the `k`-th occurrence of
/// dimension `d` in the variable being defined (the element an apply-to-all equation is
/// computing; `sq[X, X]` has `Def(X, 0)` and `Def(X, 1)`); `Free(d, k)` is the `k`-th
/// occurrence of `d` in a reference, bound while a reduction or an array-valued argument is
/// expanded, so that `SUM(sq[*, *])` runs over both positions independently and
/// `SUM(a[*] * b[*])` pairs the elements of `a` and `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Axis {
    /// An axis of the element being defined.
    Def(usize, usize),
    /// An axis being expanded.
    Free(usize, usize),
    /// The `k`-th range `lo:hi` of `len` elements in a reference, expanded by position in
    /// the range (0 for `lo`), so that ranges of one length pair element by element.
    Slice(usize, usize),
}

/// For each position of an array over `dims`: its dimension and which occurrence of that
/// dimension it is.
pub(super) fn occurrences(dims: &[usize]) -> Vec<(usize, usize)> {
    dims.iter()
        .enumerate()
        .map(|(p, &d)| (d, dims[..p].iter().filter(|&&e| e == d).count()))
        .collect()
}

/// The equation being lowered: its text, where it is, and the element being computed.
pub(super) struct Ctx<'a> {
    pub expr: &'a Expr,
    /// Bound axes: (axis, element). Later entries shadow earlier ones.
    pub bindings: Vec<(Axis, usize)>,
}

impl Ctx<'_> {
    pub fn at(&self, span: &std::ops::Range<usize>) -> SourceRef {
        self.expr.at.advance_in(&self.expr.text, span.start)
    }

    pub fn error(&self, span: &std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message, self.at(span))
    }

    pub(super) fn binding(&self, axis: Axis) -> Option<usize> {
        self.bindings
            .iter()
            .rev()
            .find(|(a, _)| *a == axis)
            .map(|(_, e)| *e)
    }
}

/// The lowering pass over a whole model.
pub struct Lowerer<'m> {
    pub(super) model: &'m Model,
    pub(super) sym: Symbols,
    pub(super) out: Lowered,
    /// Table index of each variable with a graphical function.
    pub(super) var_tables: Vec<Option<u32>>,
    /// The element whose equation is being lowered.
    pub(super) owner: Id,
}

pub(super) const RESERVED_NAMES: [&str; 4] = ["time", "dt", "starttime", "stoptime"];

impl<'m> Lowerer<'m> {
    /// Lowers every variable of `model`.
    pub fn run(model: &'m Model) -> Result<Lowered, Vec<Diagnostic>> {
        let (sym, next) = Symbols::build(model, RESERVED_NAMES.len() as Id)?;
        let mut out = Lowered::default();
        for name in RESERVED_NAMES {
            out.nodes.push(NodeDef {
                name: name.to_string(),
                role: NodeRole::Reserved,
                ir: Ir::Const(0.0),
                var: None,
                at: SourceRef::none(),
                owner: out.nodes.len() as Id,
                equation: None,
                init_ir: None,
            });
        }
        let mut var_tables = Vec::with_capacity(model.variables.len());
        for var in &model.variables {
            var_tables.push(var.gf.as_ref().map(|gf| {
                out.tables.push(Table {
                    xs: gf.xs.clone(),
                    ys: gf.ys.clone(),
                    kind: gf.kind,
                });
                (out.tables.len() - 1) as u32
            }));
        }
        // Placeholders so element ids index `nodes` directly; filled in below.
        for (vi, info) in sym.vars.iter().enumerate() {
            let var = &model.variables[info.index];
            for tuple in sym.element_tuples(vi) {
                out.nodes.push(NodeDef {
                    name: sym.element_name(model, vi, &tuple),
                    role: NodeRole::Aux,
                    ir: Ir::Const(f64::NAN),
                    var: Some(info.index),
                    at: var.at.clone(),
                    owner: out.nodes.len() as Id,
                    equation: None,
                    init_ir: None,
                });
            }
        }
        debug_assert_eq!(out.nodes.len() as Id, next);
        let mut lowerer = Lowerer {
            model,
            sym,
            out,
            var_tables,
            owner: 0,
        };
        let mut errors = Vec::new();
        for vi in 0..lowerer.sym.vars.len() {
            if let Err(mut e) = lowerer.lower_variable(vi) {
                errors.append(&mut e);
            }
        }
        if errors.is_empty() {
            Ok(lowerer.out)
        } else {
            Err(errors)
        }
    }

    fn lower_variable(&mut self, vi: usize) -> Result<(), Vec<Diagnostic>> {
        let model = self.model;
        let info = self.sym.vars[vi].clone();
        let var = &model.variables[info.index];
        let table = self.var_tables[info.index];
        let mut parsed_all: Option<Node> = None;
        if let Some(Equation::All(expr)) = &var.equation {
            parsed_all = Some(parse_expr(expr).map_err(|e| vec![e])?);
        }
        if let (Some(_), VarKind::Stock { .. }) = (&var.initial, &var.kind) {
            return Err(vec![Diagnostic::new(
                format!(
                    "stock `{}` has a separate initial equation; its equation is its initial value",
                    var.name
                ),
                var.at.clone(),
            )
            .with_hint("give the stock one initial value")]);
        }
        let mut errors = Vec::new();
        for (offset, tuple) in self.sym.element_tuples(vi).into_iter().enumerate() {
            let id = info.base + offset as Id;
            let (expr, node) = match &var.equation {
                None => {
                    if table.is_some() {
                        self.out.nodes[id as usize].role = NodeRole::TableOnly;
                        continue;
                    }
                    errors.push(Diagnostic::new(
                        format!("`{}` has no equation", var.name),
                        var.at.clone(),
                    ));
                    continue;
                }
                Some(Equation::All(expr)) => (expr, parsed_all.clone()),
                Some(eq @ Equation::PerElement(_)) => match self.element_expr(eq, &tuple) {
                    Some(expr) => (expr, None),
                    None => {
                        errors.push(self.no_equation(vi, &tuple));
                        continue;
                    }
                },
            };
            let result = self
                .lower_element(vi, id, &tuple, expr, node)
                .and_then(|ir| {
                    let mut ctx = self.element_ctx(vi, &tuple, expr);
                    let role = self.role_of(vi, &var.kind, &mut ctx)?;
                    Ok((ir, role))
                });
            let init_ir = match &var.initial {
                None => Ok(None),
                Some(eq) => match self.element_expr(eq, &tuple) {
                    Some(init) => self.lower_element(vi, id, &tuple, init, None).map(Some),
                    None => Err(self.no_equation(vi, &tuple)),
                },
            };
            match (result, init_ir) {
                (Ok((ir, role)), Ok(init_ir)) => {
                    let node = &mut self.out.nodes[id as usize];
                    node.ir = ir;
                    node.role = role;
                    node.equation = Some(expr.clone());
                    node.init_ir = init_ir;
                }
                (Err(e), _) | (_, Err(e)) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The equation of element `tuple` in a per-element equation list, if it has one.
    fn element_expr<'e>(&self, eq: &'e Equation, tuple: &[(usize, usize)]) -> Option<&'e Expr> {
        match eq {
            Equation::All(expr) => Some(expr),
            Equation::PerElement(list) => list
                .iter()
                .find(|(elems, _)| {
                    elems.len() == tuple.len()
                        && elems.iter().zip(tuple).all(|(name, &(d, e))| {
                            let key = canonical(name);
                            self.sym.dims[d].element_keys[e] == key || key == (e + 1).to_string()
                        })
                })
                .map(|(_, expr)| expr),
        }
    }

    fn no_equation(&self, vi: usize, tuple: &[(usize, usize)]) -> Diagnostic {
        let var = &self.model.variables[self.sym.vars[vi].index];
        Diagnostic::new(
            format!(
                "no equation for `{}`",
                self.sym.element_name(self.model, vi, tuple)
            ),
            var.at.clone(),
        )
        .with_hint("give an equation for every element")
    }

    fn element_ctx<'e>(&self, vi: usize, tuple: &[(usize, usize)], expr: &'e Expr) -> Ctx<'e> {
        Ctx {
            expr,
            bindings: occurrences(&self.sym.vars[vi].dims)
                .into_iter()
                .zip(tuple.iter().map(|&(_, e)| e))
                .map(|((d, k), e)| (Axis::Def(d, k), e))
                .collect(),
        }
    }

    /// Lowers `expr` (already parsed as `parsed`, or parsed here) as the value of element
    /// `tuple` of variable `vi`, node `id`, its graphical function applied.
    fn lower_element(
        &mut self,
        vi: usize,
        id: Id,
        tuple: &[(usize, usize)],
        expr: &Expr,
        parsed: Option<Node>,
    ) -> Result<Ir, Diagnostic> {
        let node = match parsed {
            Some(n) => n,
            None => parse_expr(expr)?,
        };
        let mut ctx = self.element_ctx(vi, tuple, expr);
        self.owner = id;
        let ir = self.lower(&node, &mut ctx)?;
        Ok(match self.var_tables[self.sym.vars[vi].index] {
            Some(t) => Ir::Lookup(t, Box::new(ir)),
            None => ir,
        })
    }

    fn role_of(&self, vi: usize, kind: &VarKind, ctx: &mut Ctx) -> Result<NodeRole, Diagnostic> {
        Ok(match kind {
            VarKind::Stock {
                inflows,
                outflows,
                non_negative,
            } => NodeRole::Stock {
                inflows: self.resolve_flows(vi, inflows, ctx)?,
                outflows: self.resolve_flows(vi, outflows, ctx)?,
                non_negative: *non_negative,
            },
            VarKind::Flow { non_negative } => NodeRole::Flow {
                non_negative: *non_negative,
            },
            VarKind::Aux => NodeRole::Aux,
            VarKind::Constant => NodeRole::Constant,
        })
    }

    fn resolve_flows(
        &self,
        stock: usize,
        flows: &[String],
        ctx: &Ctx,
    ) -> Result<Vec<Id>, Diagnostic> {
        let var = &self.model.variables[self.sym.vars[stock].index];
        let mut ids = Vec::new();
        for name in flows {
            let Some(fi) = self.sym.var(name) else {
                let mut e = Diagnostic::new(
                    format!("stock `{}` lists unknown flow `{name}`", var.name),
                    var.at.clone(),
                );
                let flows = self
                    .model
                    .variables
                    .iter()
                    .filter(|v| matches!(v.kind, VarKind::Flow { .. }));
                if let Some(c) = closest(name, flows.map(|v| v.name.as_str())) {
                    e = e.with_hint(format!("did you mean `{c}`?"));
                }
                return Err(e);
            };
            let flow_var = &self.model.variables[self.sym.vars[fi].index];
            if fi == stock {
                return Err(Diagnostic::new(
                    format!("stock `{}` lists itself as a flow", var.name),
                    var.at.clone(),
                )
                .with_hint(
                    "list in inflows and outflows the flows that fill and drain the stock",
                ));
            }
            if matches!(flow_var.kind, VarKind::Stock { .. }) {
                return Err(Diagnostic::new(
                    format!("stock `{}` lists stock `{name}` as a flow", var.name),
                    var.at.clone(),
                )
                .with_hint("flows connect stocks; add a flow between them"));
            }
            let mut elems = Vec::new();
            let flow_dims = &self.sym.vars[fi].dims;
            for (d, k) in occurrences(flow_dims) {
                match ctx.binding(Axis::Def(d, k)) {
                    Some(e) => elems.push(e),
                    None => {
                        let dim = &self.sym.dims[d].name;
                        return Err(Diagnostic::new(
                            format!(
                                "flow `{name}` is arrayed over `{dim}` but stock `{}` is not",
                                var.name
                            ),
                            var.at.clone(),
                        )
                        .with_hint(format!(
                            "a stock takes its flows element by element; give `{}` the \
                             dimension `{dim}`, or list instead a flow that is not arrayed, \
                             e.g. one whose equation is SUM({name}[*])",
                            var.name
                        )));
                    }
                }
            }
            ids.push(self.sym.element_id(fi, &elems));
        }
        Ok(ids)
    }

    /// Allocates the state of a noise call in the current element's equation. Its stream is
    /// keyed by the element's name and the call's position in that equation, so adding,
    /// removing or reordering other noisy equations never changes this call's draws.
    pub(super) fn noise_state(&mut self) -> u32 {
        let k = self.out.noise_calls.entry(self.owner).or_insert(0);
        let ordinal = *k;
        *k += 1;
        let owner = &self.out.nodes[self.owner as usize].name;
        let key = stable_key(&format!("{}#{ordinal}", canonical(owner)));
        self.out.noise_keys.push(key);
        (self.out.noise_keys.len() - 1) as u32
    }

    /// Adds a hidden node and returns its id.
    pub(super) fn hidden(&mut self, name: String, role: NodeRole, ir: Ir, at: SourceRef) -> Id {
        self.out.nodes.push(NodeDef {
            name: format!("#{name}"),
            role,
            ir,
            var: None,
            at,
            owner: self.owner,
            equation: None,
            init_ir: None,
        });
        (self.out.nodes.len() - 1) as Id
    }

    /// Lowers one syntax node in context.
    pub(super) fn lower(&mut self, node: &Node, ctx: &mut Ctx) -> Result<Ir, Diagnostic> {
        match &node.kind {
            NodeKind::Number(v) => Ok(Ir::Const(*v)),
            NodeKind::Var { name, subscripts } => self.reference(name, subscripts, &node.span, ctx),
            NodeKind::Unary(op, a) => {
                let a = self.lower(a, ctx)?;
                Ok(match op {
                    UnOp::Neg => f1(Func1::Neg, a),
                    UnOp::Not => f1(Func1::Not, a),
                })
            }
            NodeKind::Binary(op, a, b) => {
                let a = self.lower(a, ctx)?;
                let b = self.lower(b, ctx)?;
                let f = match op {
                    BinOp::Pow => Func2::Pow,
                    BinOp::Mul => Func2::Mul,
                    BinOp::Div => Func2::Div,
                    BinOp::Mod => Func2::Mod,
                    BinOp::Add => Func2::Add,
                    BinOp::Sub => Func2::Sub,
                    BinOp::Lt => Func2::Lt,
                    BinOp::Le => Func2::Le,
                    BinOp::Gt => Func2::Gt,
                    BinOp::Ge => Func2::Ge,
                    BinOp::Eq => Func2::Eq,
                    BinOp::Ne => Func2::Ne,
                    BinOp::And => Func2::And,
                    BinOp::Or => Func2::Or,
                };
                Ok(f2(f, a, b))
            }
            NodeKind::If(c, a, b) => {
                let c = self.lower(c, ctx)?;
                let a = self.lower(a, ctx)?;
                let b = self.lower(b, ctx)?;
                Ok(cond(c, a, b))
            }
            NodeKind::Call {
                name,
                name_span,
                args,
            } => {
                if let Some(vi) = self.sym.var(name) {
                    let index = self.sym.vars[vi].index;
                    if let Some(t) = self.var_tables[index] {
                        if args.len() != 1 {
                            return Err(ctx.error(
                                name_span,
                                format!("lookup `{name}` takes one argument, got {}", args.len()),
                            ));
                        }
                        let x = self.lower(&args[0], ctx)?;
                        return Ok(Ir::Lookup(t, Box::new(x)));
                    }
                }
                builtins::call(self, name, name_span, args, &node.span, ctx)
            }
        }
    }

    /// The table of a lookup named in an equation (for `LOOKUP(table, x)`).
    pub(super) fn table_of(&self, node: &Node, ctx: &Ctx) -> Result<u32, Diagnostic> {
        if let NodeKind::Var { name, .. } = &node.kind {
            if let Some(vi) = self.sym.var(name) {
                if let Some(t) = self.var_tables[self.sym.vars[vi].index] {
                    return Ok(t);
                }
            }
        }
        Err(ctx.error(&node.span, "expected the name of a graphical function"))
    }

    /// Axes left free by `node`, in order: wildcards, dimension names with no current
    /// element, and arrayed variables without subscripts whose element is not bound. When
    /// `reduce` (the argument of a one-argument reduction such as `SUM(x)`), wildcards and
    /// variables without subscripts cover their whole array even where an element is bound.
    /// The argument of a reduction nested inside is its own business: its axes are not free
    /// here.
    pub(super) fn free_axes(&self, node: &Node, ctx: &Ctx, reduce: bool, out: &mut Vec<Axis>) {
        match &node.kind {
            NodeKind::Number(_) => {}
            NodeKind::Var { name, subscripts } => {
                let Some(vi) = self.sym.var(name) else { return };
                let dims = &self.sym.vars[vi].dims;
                for (p, (d, k)) in occurrences(dims).into_iter().enumerate() {
                    let unbound = ctx.binding(Axis::Free(d, k)).is_none();
                    let axis = match subscripts.get(p) {
                        None if subscripts.is_empty()
                            && (reduce || (unbound && ctx.binding(Axis::Def(d, k)).is_none())) =>
                        {
                            Axis::Free(d, k)
                        }
                        Some(Subscript::Wildcard(_)) if reduce || unbound => Axis::Free(d, k),
                        // A dimension's name with no current element there means the
                        // whole dimension (`MIN(x[region])` in a scalar equation).
                        Some(Subscript::Name(s, _)) => {
                            let key = canonical(s);
                            let free = !self.sym.dims[d].element_keys.contains(&key)
                                && self.sym.dim_by_key.get(&key) == Some(&d)
                                && ctx.binding(Axis::Def(d, k)).is_none()
                                && ctx.binding(Axis::Def(d, 0)).is_none();
                            if !free {
                                continue;
                            }
                            Axis::Def(d, 0)
                        }
                        Some(sub @ (Subscript::StarRange(..) | Subscript::Range(..))) => {
                            match self.spread_axis(subscripts, p, d, k, sub) {
                                Some((axis, def))
                                    if reduce
                                        || (ctx.binding(axis).is_none()
                                            && ctx.binding(def).is_none()) =>
                                {
                                    axis
                                }
                                _ => continue,
                            }
                        }
                        Some(Subscript::Expr(e)) => {
                            self.free_axes(e, ctx, reduce, out);
                            continue;
                        }
                        _ => continue,
                    };
                    if !out.contains(&axis) {
                        out.push(axis);
                    }
                }
            }
            NodeKind::Unary(_, a) => self.free_axes(a, ctx, reduce, out),
            NodeKind::Binary(_, a, b) => {
                self.free_axes(a, ctx, reduce, out);
                self.free_axes(b, ctx, reduce, out);
            }
            NodeKind::If(c, a, b) => {
                self.free_axes(c, ctx, reduce, out);
                self.free_axes(a, ctx, reduce, out);
                self.free_axes(b, ctx, reduce, out);
            }
            NodeKind::Call { name, args, .. } => {
                if self.sym.var(name).is_none() && builtins::reduces(name, args.len()) {
                    return;
                }
                for a in args {
                    self.free_axes(a, ctx, reduce, out);
                }
            }
        }
    }

    /// Lowers `node` once for every combination of its free axes' elements (see
    /// [`Lowerer::free_axes`] for `reduce`).
    pub(super) fn expand(
        &mut self,
        node: &Node,
        ctx: &mut Ctx,
        reduce: bool,
    ) -> Result<Vec<Ir>, Diagnostic> {
        let mut free = Vec::new();
        self.free_axes(node, ctx, reduce, &mut free);
        let mut combos: Vec<Vec<(Axis, usize)>> = vec![Vec::new()];
        for &axis in &free {
            let n = match axis {
                Axis::Def(d, _) | Axis::Free(d, _) => self.sym.dims[d].elements.len(),
                Axis::Slice(len, _) => len,
            };
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    (0..n).map(move |e| {
                        let mut c = c.clone();
                        c.push((axis, e));
                        c
                    })
                })
                .collect();
        }
        let mut out = Vec::with_capacity(combos.len());
        for combo in combos {
            let depth = ctx.bindings.len();
            ctx.bindings.extend(combo);
            let ir = self.lower(node, ctx);
            ctx.bindings.truncate(depth);
            out.push(ir?);
        }
        Ok(out)
    }
}

/// Parses an equation, turning syntax errors into located diagnostics.
pub fn parse_expr(expr: &Expr) -> Result<Node, Diagnostic> {
    equation::parse(&expr.text).map_err(|e| {
        let mut d = Diagnostic::new(e.message, expr.at.advance_in(&expr.text, e.span.start));
        if let Some(h) = e.hint {
            d = d.with_hint(h);
        }
        d
    })
}
