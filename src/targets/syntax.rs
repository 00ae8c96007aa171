//! The target language: syntax tree, parser and canonical printing (see `docs/targets.md`).
//!
//! A target is one line such as `growth(fans, 0, 91) >= 20%`. Positions in the tree are byte
//! offsets into the target text, so later checks (unknown variable, time out of range) can
//! point at the offending character.

use std::fmt;

/// Deepest expression tree accepted; deeper input is rejected rather than risking the stack.
pub const MAX_DEPTH: usize = 100;
/// Most aggregate calls one target may use; evaluation keeps their values in a fixed array.
pub const MAX_CALLS: usize = 64;
/// Most checkpoints an `every(...)` series may have.
pub const MAX_CHECKPOINTS: usize = 10_000;

/// A comparison between a metric and its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
}

impl Cmp {
    /// Whether `value cmp threshold` holds; false when either is NaN.
    ///
    /// Values within one part in 10⁹ of the threshold count as equal to it, so a growth of
    /// exactly 20 % meets `>= 20%` although `150 / 125 - 1` rounds just below `0.2`.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        let tie = if threshold.is_finite() {
            1e-9 * threshold.abs()
        } else {
            0.0
        };
        match self {
            Cmp::Ge => value >= threshold - tie,
            Cmp::Gt => value > threshold + tie,
            Cmp::Le => value <= threshold + tie,
            Cmp::Lt => value < threshold - tie,
        }
    }

    /// Whether larger metric values are better (`>=`, `>`).
    pub fn wants_high(self) -> bool {
        matches!(self, Cmp::Ge | Cmp::Gt)
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
        }
    }
}

/// An aggregate of one variable over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `value(x, t)` or `x at t`: the value at one time (interpolated between saved points).
    Value,
    /// `mean(x, t1, t2)`: mean of the saved points in the window.
    Mean,
    /// `min(x, t1, t2)`: smallest saved point in the window.
    Min,
    /// `max(x, t1, t2)`: largest saved point in the window.
    Max,
    /// `sum(x, t1, t2)`: sum of the saved points in the window.
    Sum,
    /// `growth(x, t1, t2)`: `x(t2) / x(t1) - 1`.
    Growth,
    /// `ratio(x, t1, t2)`: `x(t2) / x(t1)`.
    Ratio,
    /// `change(x, t1, t2)`: `x(t2) - x(t1)`.
    Change,
}

impl Func {
    /// Every aggregate, for lookups and hints.
    pub const ALL: [Func; 8] = [
        Func::Value,
        Func::Mean,
        Func::Min,
        Func::Max,
        Func::Sum,
        Func::Growth,
        Func::Ratio,
        Func::Change,
    ];

    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Func::Value => "value",
            Func::Mean => "mean",
            Func::Min => "min",
            Func::Max => "max",
            Func::Sum => "sum",
            Func::Growth => "growth",
            Func::Ratio => "ratio",
            Func::Change => "change",
        }
    }

    /// Whether the aggregate reads every saved point in a window (rather than two end points).
    pub fn is_window(self) -> bool {
        matches!(self, Func::Mean | Func::Min | Func::Max | Func::Sum)
    }

    /// The aggregate called `name` (lower case).
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A variable named in a target, e.g. `fans` or `fans[wechat]`.
#[derive(Debug, Clone, PartialEq)]
pub struct VarRef {
    /// The name with its subscript written as `name[a,b]`, without spaces or quotes.
    pub name: String,
    /// Byte offset of the name in the target text.
    pub pos: usize,
}

/// A time written in a target, in the model's time unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeLit {
    /// The time.
    pub value: f64,
    /// Byte offset in the target text.
    pub pos: usize,
}

/// The times an aggregate call applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    /// One time: `value(x, t)`.
    At(TimeLit),
    /// From `t1` to `t2`.
    Span(TimeLit, TimeLit),
}

/// An aggregate call; `window` is `None` inside `every(...)`, where each period supplies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The aggregate.
    pub func: Func,
    /// The variable it reads.
    pub var: VarRef,
    /// The times, or `None` for a per-period call inside `every(...)`.
    pub window: Option<Window>,
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// Applies the operator.
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: `*` and `/` bind tighter than `+` and `-`.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div => 2,
        }
    }
}

/// An arithmetic expression over aggregate calls (and, inside `first(...)`, bare variables).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Number(f64),
    /// A variable's value at the current saved time (only inside `first(...)`).
    Var(VarRef),
    /// An aggregate call.
    Call(Call),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// A target name inside `all(...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    /// The name as written.
    pub name: String,
    /// Byte offset in the target text.
    pub pos: usize,
}

/// The checkpoints of an `every(...)` series.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoints {
    /// Checkpoint times, strictly increasing, at least two.
    pub times: Vec<TimeLit>,
    /// The `[from to end by step]` form, kept for printing.
    pub range: Option<(f64, f64, f64)>,
}

/// A parsed target.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// `metric cmp threshold`.
    Compare {
        /// The metric.
        metric: Expr,
        /// The comparison.
        cmp: Cmp,
        /// The threshold.
        threshold: f64,
    },
    /// `every(template, [c0, c1, ...]) cmp threshold`: the template on each period
    /// `[c_i, c_{i+1})`; the metric is the worst period.
    Every {
        /// The per-period expression; calls without times take the period's.
        template: Expr,
        /// The checkpoints.
        checkpoints: Checkpoints,
        /// The comparison.
        cmp: Cmp,
        /// The threshold.
        threshold: f64,
    },
    /// `first(lhs cond rhs) cmp threshold`: the first saved time at which the condition holds.
    First {
        /// Left side of the condition.
        lhs: Expr,
        /// The condition's comparison.
        cond: Cmp,
        /// Right side of the condition.
        rhs: Expr,
        /// The comparison applied to the first-passage time.
        cmp: Cmp,
        /// The deadline.
        threshold: f64,
    },
    /// `all(a, b, ...)`: every named target is met.
    All {
        /// Member target names.
        members: Vec<NameRef>,
    },
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(self, 0, f)
    }
}

fn write_expr(e: &Expr, parent: u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        Expr::Number(v) => write!(f, "{v}"),
        Expr::Var(v) => write!(f, "{}", v),
        Expr::Call(c) => {
            write!(f, "{}({}", c.func.name(), c.var)?;
            match c.window {
                None => {}
                Some(Window::At(t)) => write!(f, ", {}", t.value)?,
                Some(Window::Span(a, b)) => write!(f, ", {}, {}", a.value, b.value)?,
            }
            write!(f, ")")
        }
        Expr::Neg(inner) => {
            write!(f, "-")?;
            write_expr(inner, 3, f)
        }
        Expr::Binary(op, a, b) => {
            let p = op.precedence();
            if p < parent {
                write!(f, "(")?;
            }
            write_expr(a, p, f)?;
            write!(f, " {} ", op.symbol())?;
            // The right operand binds tighter so `a - (b - c)` keeps its parentheses.
            write_expr(b, p + 1, f)?;
            if p < parent {
                write!(f, ")")?;
            }
            Ok(())
        }
    }
}

impl fmt::Display for VarRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = match self.name.split_once('[') {
            None => is_plain_name(&self.name),
            Some((base, rest)) => {
                is_plain_name(base)
                    && rest.strip_suffix(']').is_some_and(|inner| {
                        inner.split(',').all(|e| {
                            is_plain_name(e)
                                || (!e.is_empty() && e.chars().all(|c| c.is_ascii_digit()))
                        })
                    })
            }
        };
        if plain {
            write!(f, "{}", self.name)
        } else {
            write!(f, "\"{}\"", self.name)
        }
    }
}

/// Whether `name` can be written without quotes.
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Compare {
                metric,
                cmp,
                threshold,
            } => write!(f, "{metric} {} {threshold}", cmp.symbol()),
            Spec::Every {
                template,
                checkpoints,
                cmp,
                threshold,
            } => {
                write!(f, "every({template}, [")?;
                match checkpoints.range {
                    Some((a, b, s)) => write!(f, "{a} to {b} by {s}")?,
                    None => {
                        for (i, t) in checkpoints.times.iter().enumerate() {
                            if i > 0 {
                                write!(f, ", ")?;
                            }
                            write!(f, "{}", t.value)?;
                        }
                    }
                }
                write!(f, "]) {} {threshold}", cmp.symbol())
            }
            Spec::First {
                lhs,
                cond,
                rhs,
                cmp,
                threshold,
            } => write!(
                f,
                "first({lhs} {} {rhs}) {} {threshold}",
                cond.symbol(),
                cmp.symbol()
            ),
            Spec::All { members } => {
                write!(f, "all(")?;
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if is_plain_name(&m.name) {
                        write!(f, "{}", m.name)?;
                    } else {
                        write!(f, "\"{}\"", m.name)?;
                    }
                }
                write!(f, ")")
            }
        }
    }
}
