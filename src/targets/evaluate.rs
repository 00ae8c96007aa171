//! Scoring targets on runs: names are resolved to columns once ([`BoundTarget`]), then each run
//! is evaluated without allocating beyond its [`Outcome`].
//!
//! Conventions (see `docs/targets.md`): a value at a time between recorded points is linearly
//! interpolated; `sum` and `mean` are the integral of the variable over their window (and
//! that divided by the window's length), read from the run's running integral; `min` and
//! `max` take the recorded points with `t1 <= t <= t2`, and in the periods of `every(...)`
//! the half-open `[c_i, c_{i+1})`; times closer than one part in 10⁹ count as equal.

use super::lex::SyntaxError;
use super::syntax::{BinOp, Cmp, Expr, Func, Spec, Window, MAX_CALLS};
use crate::compile::integral_column;
use crate::model::names::canonical;
use crate::simulate::Trajectory;
use std::ops::Range;

/// The result of one target on one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The metric: the compared value; the worst period for `every`; the first-passage time
    /// for `first` (+∞ if never); the number of members met for `all`. NaN when undefined
    /// (e.g. an empty window), which never meets a target.
    pub metric: f64,
    /// Whether the target is met.
    pub success: bool,
    /// The first saved time at which the target's condition holds (see `docs/targets.md`);
    /// `None` if never, and always `None` for `every`.
    pub time_to_target: Option<f64>,
    /// Per-period values of an `every(...)` series, in checkpoint order; empty otherwise.
    pub periods: Vec<f64>,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            metric: f64::NAN,
            success: false,
            time_to_target: None,
            periods: Vec::new(),
        }
    }
}

/// An expression with columns and calls resolved.
#[derive(Debug, Clone)]
enum BExpr {
    Num(f64),
    /// A column read at the current row (inside `first`).
    Col(usize),
    /// The value of call number `k`.
    Call(usize),
    Neg(Box<BExpr>),
    Bin(BinOp, Box<BExpr>, Box<BExpr>),
}

impl BExpr {
    fn eval(&self, vals: &[f64; MAX_CALLS], row: &[f64]) -> f64 {
        match self {
            BExpr::Num(v) => *v,
            BExpr::Col(c) => row.get(*c).copied().unwrap_or(f64::NAN),
            BExpr::Call(k) => vals.get(*k).copied().unwrap_or(f64::NAN),
            BExpr::Neg(e) => -e.eval(vals, row),
            BExpr::Bin(op, a, b) => op.apply(a.eval(vals, row), b.eval(vals, row)),
        }
    }
}

/// A resolved aggregate call; `t1 == t2 == t` for `value(x, t)`.
#[derive(Debug, Clone, Copy)]
struct BCall {
    func: Func,
    col: usize,
    t1: f64,
    t2: f64,
    /// Times supplied by each period of `every(...)`.
    per_period: bool,
    /// For `sum` and `mean`: the column with the running integral of `col`, when the run
    /// records one (see [`crate::compile::integral_column`]).
    integral: Option<usize>,
}

#[derive(Debug, Clone)]
enum Kind {
    Compare {
        expr: BExpr,
        cmp: Cmp,
        threshold: f64,
        /// The latest time the metric mentions; calls ending there slide for time-to-target.
        horizon: f64,
    },
    Every {
        expr: BExpr,
        checkpoints: Vec<f64>,
        cmp: Cmp,
        threshold: f64,
    },
    First {
        lhs: BExpr,
        cond: Cmp,
        rhs: BExpr,
        cmp: Cmp,
        threshold: f64,
    },
}

/// A target resolved against a run's column names, ready to evaluate many runs.
#[derive(Debug, Clone)]
pub struct BoundTarget {
    kind: Kind,
    calls: Vec<BCall>,
    width: usize,
}

/// Resolves `spec` against `names`; `all(...)` is resolved by the target set instead.
pub(crate) fn bind(spec: &Spec, names: &[String]) -> Result<BoundTarget, SyntaxError> {
    let mut b = Binder {
        names,
        calls: Vec::new(),
    };
    let kind = match spec {
        Spec::Compare {
            metric,
            cmp,
            threshold,
        } => {
            let expr = b.expr(metric)?;
            let horizon = b
                .calls
                .iter()
                .map(|c| c.t2)
                .fold(f64::NEG_INFINITY, f64::max);
            Kind::Compare {
                expr,
                cmp: *cmp,
                threshold: *threshold,
                horizon,
            }
        }
        Spec::Every {
            template,
            checkpoints,
            cmp,
            threshold,
        } => Kind::Every {
            expr: b.expr(template)?,
            checkpoints: checkpoints.times.iter().map(|t| t.value).collect(),
            cmp: *cmp,
            threshold: *threshold,
        },
        Spec::First {
            lhs,
            cond,
            rhs,
            cmp,
            threshold,
        } => Kind::First {
            lhs: b.expr(lhs)?,
            cond: *cond,
            rhs: b.expr(rhs)?,
            cmp: *cmp,
            threshold: *threshold,
        },
        Spec::All { .. } => {
            return Err(SyntaxError::new(
                "all(...) is evaluated as part of a target set",
                0,
            ))
        }
    };
    Ok(BoundTarget {
        kind,
        calls: b.calls,
        width: names.len(),
    })
}

struct Binder<'a> {
    names: &'a [String],
    calls: Vec<BCall>,
}

impl Binder<'_> {
    fn column(&self, name: &str, pos: usize) -> Result<usize, SyntaxError> {
        self.names
            .iter()
            .position(|n| n == name)
            .or_else(|| {
                let key = canonical(name);
                self.names.iter().position(|n| canonical(n) == key)
            })
            .ok_or_else(|| {
                let err = SyntaxError::new(format!("the run does not save `{name}`"), pos);
                match crate::model::names::closest(name, self.names.iter().map(String::as_str)) {
                    Some(c) => err.hint(format!("did you mean `{c}`?")),
                    None => err.hint("save the variable in the model's output"),
                }
            })
    }

    fn expr(&mut self, e: &Expr) -> Result<BExpr, SyntaxError> {
        Ok(match e {
            Expr::Number(v) => BExpr::Num(*v),
            Expr::Var(v) => BExpr::Col(self.column(&v.name, v.pos)?),
            Expr::Call(call) => {
                let col = self.column(&call.var.name, call.var.pos)?;
                let (t1, t2, per_period) = match call.window {
                    Some(Window::At(t)) => (t.value, t.value, false),
                    Some(Window::Span(a, b)) => (a.value, b.value, false),
                    None => (f64::NAN, f64::NAN, true),
                };
                let integral = match call.func {
                    Func::Sum | Func::Mean => {
                        let name = integral_column(&self.names[col]);
                        self.names.iter().position(|n| *n == name)
                    }
                    _ => None,
                };
                // The parser caps calls at MAX_CALLS, so the index fits the value array.
                self.calls.push(BCall {
                    func: call.func,
                    col,
                    t1,
                    t2,
                    per_period,
                    integral,
                });
                BExpr::Call(self.calls.len() - 1)
            }
            Expr::Neg(inner) => BExpr::Neg(Box::new(self.expr(inner)?)),
            Expr::Binary(op, a, b) => {
                BExpr::Bin(*op, Box::new(self.expr(a)?), Box::new(self.expr(b)?))
            }
        })
    }
}

fn tol(t: f64) -> f64 {
    1e-9 * t.abs().max(1.0)
}

/// A run seen through the columns a target was bound to.
struct Run<'a> {
    times: &'a [f64],
    data: &'a [f64],
    width: usize,
}

impl Run<'_> {
    fn cell(&self, row: usize, col: usize) -> f64 {
        self.data
            .get(row * self.width + col)
            .copied()
            .unwrap_or(f64::NAN)
    }

    fn row(&self, row: usize) -> &[f64] {
        let start = row * self.width;
        self.data.get(start..start + self.width).unwrap_or(&[])
    }

    /// The value at `t`, interpolated linearly between saved points; NaN outside the run.
    fn at(&self, col: usize, t: f64) -> f64 {
        let i = self.times.partition_point(|&x| x < t - tol(t));
        match self.times.get(i) {
            None => f64::NAN,
            Some(&ti) if (ti - t).abs() <= tol(t) => self.cell(i, col),
            Some(_) if i == 0 => f64::NAN,
            Some(&ti) => {
                let t0 = self.times[i - 1];
                let (v0, v1) = (self.cell(i - 1, col), self.cell(i, col));
                v0 + (v1 - v0) * (t - t0) / (ti - t0)
            }
        }
    }

    /// Rows with `a <= t <= b` (`closed`) or `a <= t < b`.
    fn rows(&self, a: f64, b: f64, closed: bool) -> Range<usize> {
        let lo = self.times.partition_point(|&x| x < a - tol(a));
        let hi = if closed {
            self.times.partition_point(|&x| x <= b + tol(b))
        } else {
            self.times.partition_point(|&x| x < b - tol(b))
        };
        lo..hi.max(lo)
    }

    fn call(&self, c: &BCall, a: f64, b: f64, closed: bool) -> f64 {
        match c.func {
            Func::Value => self.at(c.col, b),
            Func::Growth => self.at(c.col, b) / self.at(c.col, a) - 1.0,
            Func::Ratio => self.at(c.col, b) / self.at(c.col, a),
            Func::Change => self.at(c.col, b) - self.at(c.col, a),
            Func::Sum | Func::Mean => {
                let total = match c.integral {
                    Some(i) => self.at(i, b) - self.at(i, a),
                    None => self.trapezoid(c.col, a, b),
                };
                match c.func {
                    Func::Sum => total,
                    _ if b - a > tol(b) => total / (b - a),
                    _ => self.at(c.col, a),
                }
            }
            Func::Min | Func::Max => {
                let mut acc = Acc::EMPTY;
                for row in self.rows(a, b, closed) {
                    acc.push(self.cell(row, c.col));
                }
                acc.value(c.func)
            }
        }
    }

    /// The integral of column `col` over `[a, b]` by the trapezoidal rule on the recorded
    /// points (exact for the piecewise-linear interpolation the run stands for); used only
    /// when a run records no running integral. NaN outside the run.
    fn trapezoid(&self, col: usize, a: f64, b: f64) -> f64 {
        if b - a <= tol(b) {
            return if self.at(col, a).is_nan() {
                f64::NAN
            } else {
                0.0
            };
        }
        let (mut t0, mut v0) = (a, self.at(col, a));
        let mut total = 0.0;
        for row in self.rows(a, b, false) {
            let t = self.times[row];
            if t - a <= tol(a) {
                continue;
            }
            let v = self.cell(row, col);
            total += 0.5 * (t - t0) * (v0 + v);
            (t0, v0) = (t, v);
        }
        total + 0.5 * (b - t0) * (v0 + self.at(col, b))
    }

    /// Values of the calls with fixed times (per-period calls are left alone).
    fn fixed_calls(&self, calls: &[BCall], vals: &mut [f64; MAX_CALLS]) {
        for (v, c) in vals.iter_mut().zip(calls) {
            if !c.per_period {
                *v = self.call(c, c.t1, c.t2, true);
            }
        }
    }
}

/// A running window extreme.
#[derive(Debug, Clone, Copy)]
struct Acc {
    min: f64,
    max: f64,
    n: usize,
    nan: bool,
}

impl Acc {
    const EMPTY: Acc = Acc {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        n: 0,
        nan: false,
    };

    fn push(&mut self, v: f64) {
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.n += 1;
        self.nan |= v.is_nan();
    }

    fn value(&self, func: Func) -> f64 {
        if self.n == 0 || self.nan {
            return f64::NAN;
        }
        match func {
            Func::Min => self.min,
            Func::Max => self.max,
            _ => f64::NAN,
        }
    }
}

impl BoundTarget {
    /// Evaluates the target on one run.
    ///
    /// The run must have the columns the target was bound to; a run with another width
    /// yields a NaN metric (a miss).
    pub fn evaluate(&self, run: &Trajectory) -> Outcome {
        let mut out = Outcome::default();
        self.evaluate_into(run, &mut out);
        out
    }

    /// Like [`BoundTarget::evaluate`], reusing `out` (its `periods` buffer in particular).
    pub fn evaluate_into(&self, run: &Trajectory, out: &mut Outcome) {
        out.periods.clear();
        out.time_to_target = None;
        if run.width() != self.width {
            out.metric = f64::NAN;
            out.success = false;
            return;
        }
        let run = Run {
            times: &run.times,
            data: &run.data,
            width: self.width,
        };
        let mut vals = [f64::NAN; MAX_CALLS];
        run.fixed_calls(&self.calls, &mut vals);
        match &self.kind {
            Kind::Compare {
                expr,
                cmp,
                threshold,
                horizon,
            } => {
                out.metric = expr.eval(&vals, &[]);
                out.success = cmp.holds(out.metric, *threshold);
                out.time_to_target = self.running(&run, &vals, expr, (*cmp, *threshold), *horizon);
            }
            Kind::Every {
                expr,
                checkpoints,
                cmp,
                threshold,
            } => {
                for pair in checkpoints.windows(2) {
                    for (v, c) in vals.iter_mut().zip(&self.calls) {
                        if c.per_period {
                            *v = run.call(c, pair[0], pair[1], false);
                        }
                    }
                    out.periods.push(expr.eval(&vals, &[]));
                }
                out.metric = worst(&out.periods, cmp.wants_high());
                out.success = cmp.holds(out.metric, *threshold);
                // A series is reached when its last period is seen to meet the goal, so
                // the share of runs that never reach it is exactly the share that miss it.
                out.time_to_target = if out.success {
                    checkpoints.last().copied()
                } else {
                    None
                };
            }
            Kind::First {
                lhs,
                cond,
                rhs,
                cmp,
                threshold,
            } => {
                let first = (0..run.times.len()).find_map(|i| {
                    let row = run.row(i);
                    let holds = cond.holds(lhs.eval(&vals, row), rhs.eval(&vals, row));
                    holds.then_some(run.times[i])
                });
                out.metric = first.unwrap_or(f64::INFINITY);
                out.success = cmp.holds(out.metric, *threshold);
                out.time_to_target = first;
            }
        }
    }

    /// The first saved time `t` at which the metric, with its latest time (the horizon)
    /// replaced by `t`, meets the threshold: windows ending at the horizon end at `t` instead,
    /// and `value(x, horizon)` reads `x(t)`. Calls ending earlier keep their value.
    fn running(
        &self,
        run: &Run,
        fixed: &[f64; MAX_CALLS],
        expr: &BExpr,
        (cmp, threshold): (Cmp, f64),
        horizon: f64,
    ) -> Option<f64> {
        let mut vals = *fixed;
        let mut base = [f64::NAN; MAX_CALLS];
        let mut acc = [Acc::EMPTY; MAX_CALLS];
        // Per call, worked out once rather than at every saved time: whether it ends at
        // the horizon (and so slides), and the time from which it has started.
        let mut sliding = [false; MAX_CALLS];
        let mut from = [f64::NEG_INFINITY; MAX_CALLS];
        for (k, c) in self.calls.iter().enumerate().take(MAX_CALLS) {
            sliding[k] = (c.t2 - horizon).abs() <= tol(horizon);
            if c.func != Func::Value {
                from[k] = c.t1 - tol(c.t1);
            }
            if sliding[k] && matches!(c.func, Func::Growth | Func::Ratio | Func::Change) {
                base[k] = run.at(c.col, c.t1);
            }
        }
        // The commonest target, `x at T` compared with a number: its time to target is the
        // first saved time at which `x` itself compares so, a scan of one column.
        if let ([c], BExpr::Call(0), [true]) = (&self.calls[..], expr, &sliding[..1]) {
            if c.func == Func::Value {
                let column = run.data.iter().skip(c.col).step_by(run.width.max(1));
                return (run.times.iter().zip(column))
                    .find(|&(_, &x)| cmp.holds(x, threshold))
                    .map(|(&t, _)| t);
            }
        }
        for (i, &t) in run.times.iter().enumerate() {
            let mut ready = true;
            for (k, c) in self.calls.iter().enumerate().take(MAX_CALLS) {
                if !sliding[k] {
                    continue;
                }
                let x = run.cell(i, c.col);
                // A value call has always started (`from` is -inf; saved times are finite).
                let started = t >= from[k];
                if !started {
                    ready = false;
                    continue;
                }
                vals[k] = match c.func {
                    Func::Value => x,
                    Func::Growth => x / base[k] - 1.0,
                    Func::Ratio => x / base[k],
                    Func::Change => x - base[k],
                    Func::Sum | Func::Mean => run.call(c, c.t1, t, true),
                    Func::Min | Func::Max => {
                        acc[k].push(x);
                        acc[k].value(c.func)
                    }
                };
            }
            if ready && cmp.holds(expr.eval(&vals, &[]), threshold) {
                return Some(t);
            }
        }
        None
    }
}

/// The worst period: the smallest when high is good, the largest otherwise; NaN if any
/// period is NaN or there is none.
fn worst(periods: &[f64], wants_high: bool) -> f64 {
    if periods.is_empty() || periods.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let pick = if wants_high { f64::min } else { f64::max };
    periods.iter().copied().reduce(pick).unwrap_or(f64::NAN)
}

/// A whole target set resolved against a run's column names.
#[derive(Debug, Clone)]
pub struct BoundSet {
    items: Vec<Item>,
    order: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Item {
    One(BoundTarget),
    All(Vec<usize>),
}

impl BoundSet {
    pub(crate) fn new(
        items: Vec<(Option<BoundTarget>, Vec<usize>)>,
        order: Vec<usize>,
    ) -> BoundSet {
        let items = items
            .into_iter()
            .map(|(bound, members)| match bound {
                Some(b) => Item::One(b),
                None => Item::All(members),
            })
            .collect();
        BoundSet { items, order }
    }

    /// Number of targets.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Evaluates every target on one run; outcomes are in the set's target order.
    pub fn evaluate(&self, run: &Trajectory) -> Vec<Outcome> {
        let mut out = Vec::new();
        self.evaluate_into(run, &mut out);
        out
    }

    /// Like [`BoundSet::evaluate`], reusing `out`.
    pub fn evaluate_into(&self, run: &Trajectory, out: &mut Vec<Outcome>) {
        out.resize_with(self.items.len(), Outcome::default);
        for &i in &self.order {
            match &self.items[i] {
                Item::One(b) => b.evaluate_into(run, &mut out[i]),
                Item::All(members) => {
                    let met = members.iter().filter(|&&m| out[m].success).count();
                    let reached = members
                        .iter()
                        .map(|&m| out[m].time_to_target)
                        .try_fold(f64::NEG_INFINITY, |acc, t| t.map(|t| acc.max(t)));
                    let o = &mut out[i];
                    o.metric = met as f64;
                    o.success = met == members.len();
                    o.time_to_target = reached.filter(|t| t.is_finite());
                    o.periods.clear();
                }
            }
        }
    }
}
