//! Printing a syntax tree back to equation text that parses to the same tree.
//!
//! The text is canonical rather than pretty: every binary operation and `IF` is wrapped in
//! parentheses and every variable name is quoted, so no precedence, associativity or keyword
//! rule can change its meaning on the way back.

use super::ast::{BinOp, Node, NodeKind, Subscript, UnOp};
use std::fmt::Write;

/// The canonical text of `node`; `parse(&to_text(n))` gives `n` again (spans aside).
pub fn to_text(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    out
}

fn op_text(op: BinOp) -> &'static str {
    match op {
        BinOp::Pow => "^",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "MOD",
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Eq => "=",
        BinOp::Ne => "<>",
        BinOp::And => "AND",
        BinOp::Or => "OR",
    }
}

/// A quoted name, with `\` and `"` escaped so the lexer reads the same name back.
fn quoted(name: &str, out: &mut String) {
    out.push('"');
    out.push_str(&name.replace('\\', "\\\\").replace('"', "\\\""));
    out.push('"');
}

fn write_subscript(s: &Subscript, out: &mut String) {
    match s {
        Subscript::Name(n, _) => quoted(n, out),
        Subscript::Wildcard(_) => out.push('*'),
        Subscript::StarRange(n, _) => {
            out.push_str("*:");
            quoted(n, out);
        }
        Subscript::Range(lo, hi) => {
            write_subscript(lo, out);
            out.push(':');
            write_subscript(hi, out);
        }
        // Parenthesised, so that a bare name or number reads back as an expression.
        Subscript::Expr(e) => {
            out.push('(');
            write_node(e, out);
            out.push(')');
        }
    }
}

fn write_node(node: &Node, out: &mut String) {
    match &node.kind {
        // `{:?}` is the shortest text that reads back as the same f64.
        NodeKind::Number(v) => {
            let _ = write!(out, "{v:?}");
        }
        NodeKind::Var { name, subscripts } => {
            quoted(name, out);
            if !subscripts.is_empty() {
                out.push('[');
                for (i, s) in subscripts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_subscript(s, out);
                }
                out.push(']');
            }
        }
        NodeKind::Unary(op, a) => {
            // Wrapped whole: `-` and NOT bind looser than `^` on its left, so `(-(a)) ^ b`
            // needs the outer parentheses.
            out.push_str(match op {
                UnOp::Neg => "(-(",
                UnOp::Not => "(NOT (",
            });
            write_node(a, out);
            out.push_str("))");
        }
        NodeKind::Binary(op, a, b) => {
            out.push('(');
            write_node(a, out);
            let _ = write!(out, " {} ", op_text(*op));
            write_node(b, out);
            out.push(')');
        }
        NodeKind::If(c, a, b) => {
            out.push_str("(IF ");
            write_node(c, out);
            out.push_str(" THEN ");
            write_node(a, out);
            out.push_str(" ELSE ");
            write_node(b, out);
            out.push(')');
        }
        NodeKind::Call { name, args, .. } => {
            out.push_str(name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_node(a, out);
            }
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equation::parse;

    #[test]
    fn precedence_and_associativity_survive_the_round_trip() {
        for (text, expected) in [
            ("a - b - c", "((\"a\" - \"b\") - \"c\")"),
            ("a ^ b ^ c", "(\"a\" ^ (\"b\" ^ \"c\"))"),
            ("-2 ^ 2", "(-((2.0 ^ 2.0)))"),
            ("(-2) ^ 2", "((-(2.0)) ^ 2.0)"),
            (
                "IF x > 1 AND NOT y THEN f(1, z[a, *]) ELSE 0.1",
                "(IF ((\"x\" > 1.0) AND (NOT (\"y\"))) THEN f(1.0, \"z\"[\"a\", *]) ELSE 0.1)",
            ),
            (
                "a[i + 1, *:Sub] + b[2:n * 2]",
                "(\"a\"[((\"i\" + 1.0)), *:\"Sub\"] + \"b\"[\"2\":((\"n\" * 2.0))])",
            ),
        ] {
            let printed = to_text(&parse(text).unwrap());
            assert_eq!(printed, expected, "{text}");
            assert_eq!(to_text(&parse(&printed).unwrap()), printed);
        }
    }
}
