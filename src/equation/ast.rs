//! The syntax tree of one equation, with byte spans into its text.

use std::ops::Range;

/// A syntax-tree node and the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Byte range in the equation text.
    pub span: Range<usize>,
}

/// Binary operators, loosest binding last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `^` (right-associative)
    Pow,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `MOD` used as an operator
    Mod,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=` or `==`
    Eq,
    /// `<>` or `!=`
    Ne,
    /// `and`, `&&`
    And,
    /// `or`, `||`
    Or,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

/// One subscript inside `[...]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Subscript {
    /// An element or dimension name (resolved later), or a 1-based index written as a number.
    Name(String, Range<usize>),
    /// `*`: every element of that position's dimension.
    Wildcard(Range<usize>),
    /// `*:Sub`: every element of the sub-range `Sub`, in `Sub`'s order (its name, where).
    StarRange(String, Range<usize>),
    /// `lo:hi`: the elements from `lo` to `hi` inclusive; each bound is an element name, a
    /// 1-based position or an expression fixed when the model is compiled.
    Range(Box<Subscript>, Box<Subscript>),
    /// An expression evaluated to a 1-based position (its whole part), at run time when it
    /// is not fixed: `a[INT(TIME MOD 5) + 1]`.
    Expr(Box<Node>),
}

impl Subscript {
    /// The text range the subscript was written in.
    pub fn span(&self) -> Range<usize> {
        match self {
            Subscript::Name(_, s) | Subscript::Wildcard(s) | Subscript::StarRange(_, s) => {
                s.clone()
            }
            Subscript::Range(lo, hi) => lo.span().start..hi.span().end,
            Subscript::Expr(n) => n.span.clone(),
        }
    }
}

/// Node kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A number literal.
    Number(f64),
    /// A variable reference, possibly subscripted.
    Var {
        /// Name as written (quotes removed).
        name: String,
        /// Subscripts, empty when none were written.
        subscripts: Vec<Subscript>,
    },
    /// A unary operation.
    Unary(UnOp, Box<Node>),
    /// A binary operation.
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `IF c THEN a ELSE b`.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A function call `f(args)`.
    Call {
        /// Function name as written.
        name: String,
        /// Byte range of the name.
        name_span: Range<usize>,
        /// Arguments.
        args: Vec<Node>,
    },
}
