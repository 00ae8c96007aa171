//! Equation language: the XMILE 1.0 expression syntax, tokenised and parsed into a syntax tree.
//!
//! Numbers, `+ - * / ^`, unary minus, comparisons (`= <> < <= > >=`, also `== !=`),
//! `and`/`or`/`not`, `IF c THEN a ELSE b`, function calls, subscripts `x[a, *]` and quoted
//! names. Positions are byte offsets into the equation text, turned into file positions by the
//! caller.

pub mod ast;
pub mod builtins;
pub mod lexer;
pub mod parser;
pub mod print;

pub use ast::{BinOp, Node, NodeKind, Subscript, UnOp};
pub use builtins::Builtin;
pub use parser::{parse, ParseError};
