//! Inferring the unit of an equation from the units of what it refers to, reporting every
//! operation whose operands do not fit together.
//!
//! Number literals (and constants declared without a unit, whose value is a literal) are
//! unit-polymorphic: they take whatever unit makes their equation consistent, as in Vensim and
//! Stella. Anything multiplied by such a number therefore has an unknown unit ([`Ty::Any`]),
//! which is compatible with everything.

use super::builtins;
use super::parse::UnitTable;
use super::unit::{Exponent, Ratio, Unit};
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::equation::{BinOp, Node, NodeKind, UnOp};
use crate::model::names::canonical;
use crate::model::{Equation, Model, VarKind, Variable};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

/// The unit of an expression: known, or free to be anything.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A definite unit.
    Known(Unit),
    /// Unit-polymorphic (a number literal, or something scaled by one).
    Any,
}

impl Ty {
    /// The unit, when known.
    pub fn known(&self) -> Option<&Unit> {
        match self {
            Ty::Known(u) => Some(u),
            Ty::Any => None,
        }
    }

    /// `Known` for `Some`, `Any` for `None` (a unit given up on).
    pub fn from_option(u: Option<Unit>) -> Ty {
        u.map_or(Ty::Any, Ty::Known)
    }
}

/// What the checker knows about the model: its variables, their declared units, the time unit.
pub struct Env<'m> {
    /// The model.
    pub model: &'m Model,
    /// Unit definitions.
    pub table: UnitTable,
    /// The unit of time from `[sim]`.
    pub time: Unit,
    index: HashMap<String, usize>,
    /// Declared unit of each variable (`None` when absent or unreadable).
    pub declared: Vec<Option<Unit>>,
    memo: RefCell<Vec<Memo>>,
    depth: Cell<usize>,
}

/// Deepest chain of undeclared variables followed before giving up (keeps the stack bounded).
const MAX_CHAIN: usize = 256;

#[derive(Clone)]
enum Memo {
    Todo,
    Busy,
    Done(Ty),
}

/// The equation being checked: where its text is, and the problems found so far.
pub struct Cx<'e> {
    /// The equation's text.
    pub text: &'e str,
    /// Where the text starts.
    pub at: &'e SourceRef,
    /// Whose equation it is (for messages).
    pub owner: &'e str,
    /// Problems found; `None` while inferring another variable's unit silently.
    pub problems: Option<Vec<Diagnostic>>,
}

impl Cx<'_> {
    /// Records a problem at a byte range of the equation.
    pub fn report(&mut self, span: &Range<usize>, message: String, hint: String) {
        if let Some(list) = &mut self.problems {
            let at = self.at.advance_in(self.text, span.start);
            list.push(Diagnostic::new(format!("`{}`: {message}", self.owner), at).with_hint(hint));
        }
    }

    /// The source text of a node, for messages.
    pub fn snippet(&self, span: &Range<usize>) -> String {
        let s = self.text.get(span.clone()).unwrap_or("").trim();
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(59).collect::<String>())
        } else {
            s.to_string()
        }
    }

    /// Requires every known unit among `items` to be the same; returns it (or `Any`).
    pub fn agree(&mut self, what: &str, items: &[(Ty, Range<usize>)]) -> Ty {
        let mut first: Option<(&Unit, &Range<usize>)> = None;
        for (ty, span) in items {
            let Ty::Known(u) = ty else { continue };
            match first {
                None => first = Some((u, span)),
                Some((f, fspan)) if f != u => {
                    let (a, b) = (self.snippet(fspan), self.snippet(span));
                    let factor = f.div(u).map_or_else(String::new, |q| q.to_string());
                    self.report(
                        span,
                        format!("{what}: `{a}` is in `{f}` but `{b}` is in `{u}`"),
                        format!(
                            "{what} needs the same units on both sides; check the declared units \
                             of the variables in `{a}` and `{b}`, or convert `{b}` with a factor \
                             in `{factor}`"
                        ),
                    );
                    return Ty::Any;
                }
                Some(_) => {}
            }
        }
        Ty::from_option(first.map(|(u, _)| u.clone()))
    }

    /// Requires a dimensionless operand.
    pub fn need_one(&mut self, what: &str, ty: &Ty, span: &Range<usize>) {
        if let Ty::Known(u) = ty {
            if !u.is_one() {
                let s = self.snippet(span);
                self.report(
                    span,
                    format!("{what} must be dimensionless, but `{s}` is in `{u}`"),
                    format!("divide `{s}` by a reference value in `{u}` to make it a pure number"),
                );
            }
        }
    }

    /// Requires an operand in the model's time unit.
    pub fn need_time(&mut self, what: &str, ty: &Ty, span: &Range<usize>, time: &Unit) {
        if let Ty::Known(u) = ty {
            if u != time {
                let s = self.snippet(span);
                self.report(
                    span,
                    format!(
                        "{what} must be in the model's time unit `{time}`, but `{s}` is in `{u}`"
                    ),
                    format!("give `{s}` the unit `{time}` (the [sim] time unit), or convert it"),
                );
            }
        }
    }
}

impl<'m> Env<'m> {
    /// Prepares the checker for `model`, with each variable's declared unit already read.
    pub fn new(
        model: &'m Model,
        table: UnitTable,
        time: Unit,
        declared: Vec<Option<Unit>>,
    ) -> Self {
        let index = (model.variables.iter().enumerate())
            .map(|(i, v)| (canonical(&v.name), i))
            .collect();
        let memo = RefCell::new(vec![Memo::Todo; model.variables.len()]);
        Env {
            model,
            table,
            time,
            index,
            declared,
            memo,
            depth: Cell::new(0),
        }
    }

    /// The variable named `name`, with its position.
    pub fn lookup(&self, name: &str) -> Option<(usize, &'m Variable)> {
        let i = *self.index.get(&canonical(name))?;
        Some((i, &self.model.variables[i]))
    }

    /// The unit of variable `i`: as declared, else as inferred from its equation.
    pub fn unit_of(&self, i: usize) -> Ty {
        if let Some(u) = &self.declared[i] {
            return Ty::Known(u.clone());
        }
        let v = &self.model.variables[i];
        if v.gf.is_some() {
            // A graphical function's output has no unit unless one is declared.
            return Ty::Any;
        }
        match &self.memo.borrow()[i] {
            Memo::Done(t) => return t.clone(),
            Memo::Busy => return Ty::Any,
            Memo::Todo if self.depth.get() >= MAX_CHAIN => return Ty::Any,
            Memo::Todo => {}
        }
        self.memo.borrow_mut()[i] = Memo::Busy;
        self.depth.set(self.depth.get() + 1);
        let ty = self.infer_silently(v);
        self.depth.set(self.depth.get() - 1);
        self.memo.borrow_mut()[i] = Memo::Done(ty.clone());
        ty
    }

    fn infer_silently(&self, v: &Variable) -> Ty {
        let exprs: Vec<&crate::model::Expr> = match &v.equation {
            Some(Equation::All(e)) => vec![e],
            Some(Equation::PerElement(list)) => list.iter().map(|(_, e)| e).collect(),
            None => return Ty::Any,
        };
        for e in exprs {
            let Ok(node) = crate::equation::parse(&e.text) else {
                continue;
            };
            let mut cx = Cx {
                text: &e.text,
                at: &e.at,
                owner: &v.name,
                problems: None,
            };
            if let Ty::Known(u) = self.infer(&node, &mut cx) {
                return Ty::Known(u);
            }
        }
        Ty::Any
    }

    /// The unit of an expression, reporting problems into `cx`.
    pub fn infer(&self, node: &Node, cx: &mut Cx) -> Ty {
        match &node.kind {
            NodeKind::Number(_) => Ty::Any,
            NodeKind::Var { name, .. } => match self.lookup(name) {
                Some((i, _)) => self.unit_of(i),
                None => builtins::constant(self, &canonical(name)),
            },
            NodeKind::Unary(UnOp::Neg, x) => self.infer(x, cx),
            NodeKind::Unary(UnOp::Not, x) => {
                self.infer(x, cx);
                Ty::Known(Unit::one())
            }
            NodeKind::Binary(op, a, b) => self.binary(*op, a, b, cx),
            NodeKind::If(c, a, b) => {
                self.infer(c, cx);
                let items = [
                    (self.infer(a, cx), a.span.clone()),
                    (self.infer(b, cx), b.span.clone()),
                ];
                cx.agree("the branches of IF … THEN … ELSE", &items)
            }
            NodeKind::Call { name, args, .. } => match self.lookup(name) {
                // `table(x)`: a graphical function called by name gives its own unit.
                Some((i, _)) => {
                    for a in args {
                        self.infer(a, cx);
                    }
                    self.unit_of(i)
                }
                None => builtins::call(self, &canonical(name), args, cx),
            },
        }
    }

    fn binary(&self, op: BinOp, a: &Node, b: &Node, cx: &mut Cx) -> Ty {
        if op == BinOp::Pow {
            return self.power(a, b, cx);
        }
        let (ta, tb) = (self.infer(a, cx), self.infer(b, cx));
        let items = [(ta.clone(), a.span.clone()), (tb.clone(), b.span.clone())];
        match op {
            BinOp::Add => cx.agree("`+`", &items),
            BinOp::Sub => cx.agree("`-`", &items),
            BinOp::Mod => cx.agree("MOD", &items),
            BinOp::Mul | BinOp::Div => match (ta, tb) {
                (Ty::Known(x), Ty::Known(y)) => Ty::from_option(if op == BinOp::Mul {
                    x.mul(&y)
                } else {
                    x.div(&y)
                }),
                _ => Ty::Any,
            },
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                cx.agree("a comparison", &items);
                Ty::Known(Unit::one())
            }
            BinOp::And | BinOp::Or | BinOp::Pow => Ty::Known(Unit::one()),
        }
    }

    /// `a ^ b`: the exponent is dimensionless; a base with units is raised by a constant
    /// number, or symbolically by a model constant.
    fn power(&self, a: &Node, b: &Node, cx: &mut Cx) -> Ty {
        let base = self.infer(a, cx);
        let exp = self.infer(b, cx);
        cx.need_one("the exponent of `^`", &exp, &b.span);
        let unit = match base {
            Ty::Any => return Ty::Any,
            Ty::Known(u) if u.is_one() => return Ty::Known(u),
            Ty::Known(u) => u,
        };
        if let Some(x) = constant_value(b) {
            return match Ratio::from_f64(x) {
                Some(r) => Ty::from_option(unit.pow(r)),
                None => {
                    let s = cx.snippet(&a.span);
                    cx.report(
                        &b.span,
                        format!(
                            "`{s}` in `{unit}` is raised to {x}, which is not a simple fraction"
                        ),
                        "divide the base by a reference value in the same units first".into(),
                    );
                    Ty::Any
                }
            };
        }
        if let Some(symbol) = self.constant_symbol(b) {
            return Ty::from_option(unit.pow_exponent(&Exponent::symbol(&symbol)));
        }
        let (s, e) = (cx.snippet(&a.span), cx.snippet(&b.span));
        cx.report(
            &b.span,
            format!("`{s}` in `{unit}` is raised to `{e}`, which changes during the run"),
            format!(
                "divide `{s}` by a reference value in `{unit}` so the base is a pure number, or \
                 make the exponent a constant of the model"
            ),
        );
        Ty::Any
    }

    /// The canonical name of a dimensionless constant used as an exponent.
    fn constant_symbol(&self, node: &Node) -> Option<String> {
        let NodeKind::Var { name, .. } = &node.kind else {
            return None;
        };
        let (i, v) = self.lookup(name)?;
        let dimensionless = self.declared[i].as_ref().is_none_or(Unit::is_one);
        (matches!(v.kind, VarKind::Constant) && dimensionless).then(|| canonical(&v.name))
    }
}

/// The value of an expression made only of number literals, if it is one.
pub fn constant_value(node: &Node) -> Option<f64> {
    match &node.kind {
        NodeKind::Number(x) => Some(*x),
        NodeKind::Unary(UnOp::Neg, x) => constant_value(x).map(|v| -v),
        NodeKind::Binary(op, a, b) => {
            let (x, y) = (constant_value(a)?, constant_value(b)?);
            match op {
                BinOp::Add => Some(x + y),
                BinOp::Sub => Some(x - y),
                BinOp::Mul => Some(x * y),
                BinOp::Div => Some(x / y),
                BinOp::Pow => Some(x.powf(y)),
                _ => None,
            }
        }
        _ => None,
    }
}
