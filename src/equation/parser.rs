//! Recursive-descent parser from tokens to a [`Node`] tree, with a nesting limit and a size
//! budget (see [`crate::limits`]).

use super::ast::{BinOp, Node, NodeKind, Subscript, UnOp};
use super::lexer::{tokenize, Tok, Token};
use std::ops::Range;

/// Deepest nesting accepted; deeper input is rejected instead of overflowing the stack.
pub const MAX_DEPTH: usize = crate::limits::EXPR_DEPTH_LEVELS as usize;

/// A syntax error: message, byte range in the equation text and optional hint.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range of the equation text.
    pub span: Range<usize>,
    /// How to fix it.
    pub hint: Option<String>,
}

/// Parses one equation.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let tokens = tokenize(text).map_err(|e| ParseError {
        message: e.message,
        span: e.offset..e.offset + 1,
        hint: e.hint,
    })?;
    let budget = crate::limits::EXPR_TOKENS.value_usize();
    if tokens.len() > budget {
        // Counted before parsing: later passes recurse once per node, and a flat sum of n
        // terms is a tree n levels deep.
        return Err(ParseError {
            message: format!(
                "the equation has {} tokens, more than the limit of {budget}",
                tokens.len() - 1
            ),
            span: tokens[budget].span.clone(),
            hint: Some("split it into intermediate variables".into()),
        });
    }
    if tokens.len() == 1 {
        return Err(ParseError {
            message: "the equation is empty".into(),
            span: 0..0,
            hint: Some("write a number or an expression".into()),
        });
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let node = p.expr()?;
    let tok = p.peek().clone();
    if tok.kind != Tok::End {
        let hint = match tok.kind {
            Tok::Ident(_) | Tok::Number(_) | Tok::Quoted(_) => {
                Some("an operator such as `*` or `+` may be missing".to_string())
            }
            Tok::Sym(")") => Some("there is one `)` too many".to_string()),
            _ => None,
        };
        return Err(ParseError {
            message: format!("unexpected {}", describe(&tok.kind)),
            span: tok.span,
            hint,
        });
    }
    Ok(node)
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Number(n) => format!("number `{n}`"),
        Tok::Ident(s) => format!("name `{s}`"),
        Tok::Quoted(s) => format!("name `\"{s}\"`"),
        Tok::Sym(s) => format!("`{s}`"),
        Tok::End => "end of equation".to_string(),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn keyword(tok: &Tok) -> Option<String> {
    match tok {
        Tok::Ident(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let tok = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        tok
    }

    fn at_sym(&self, sym: &str) -> bool {
        matches!(self.peek().kind, Tok::Sym(s) if s == sym)
    }

    fn at_keyword(&self, word: &str) -> bool {
        keyword(&self.peek().kind).is_some_and(|k| k == word)
    }

    fn expect_sym(&mut self, sym: &str, hint: Option<&str>) -> Result<Token, ParseError> {
        if self.at_sym(sym) {
            Ok(self.next())
        } else {
            let tok = self.peek().clone();
            Err(ParseError {
                message: format!("expected `{sym}` but found {}", describe(&tok.kind)),
                span: tok.span,
                hint: hint.map(str::to_string),
            })
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().span.clone();
            return Err(ParseError {
                message: format!("the expression is nested more than {MAX_DEPTH} levels deep"),
                span,
                hint: Some("split it into intermediate variables".into()),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Node, ParseError> {
        self.enter()?;
        let result = if self.at_keyword("if") {
            self.if_expr()
        } else {
            self.binary(0)
        };
        self.depth -= 1;
        result
    }

    fn if_expr(&mut self) -> Result<Node, ParseError> {
        let start = self.next().span.start;
        let cond = self.expr()?;
        if !self.at_keyword("then") {
            let tok = self.peek().clone();
            return Err(ParseError {
                message: format!("expected `THEN` but found {}", describe(&tok.kind)),
                span: tok.span,
                hint: Some("write IF condition THEN value ELSE value".into()),
            });
        }
        self.next();
        let then = self.expr()?;
        if !self.at_keyword("else") {
            let tok = self.peek().clone();
            return Err(ParseError {
                message: format!("expected `ELSE` but found {}", describe(&tok.kind)),
                span: tok.span,
                hint: Some("IF ... THEN ... needs an ELSE branch".into()),
            });
        }
        self.next();
        let otherwise = self.expr()?;
        let end = otherwise.span.end;
        Ok(Node {
            kind: NodeKind::If(Box::new(cond), Box::new(then), Box::new(otherwise)),
            span: start..end,
        })
    }

    /// Binary operator at the current token with its precedence level (higher binds tighter).
    fn binop(&self) -> Option<(BinOp, u8)> {
        let tok = &self.peek().kind;
        if let Some(k) = keyword(tok) {
            return match k.as_str() {
                "or" => Some((BinOp::Or, 1)),
                "and" => Some((BinOp::And, 2)),
                "mod" => Some((BinOp::Mod, 6)),
                _ => None,
            };
        }
        let Tok::Sym(s) = tok else { return None };
        Some(match *s {
            "||" => (BinOp::Or, 1),
            "&&" => (BinOp::And, 2),
            "=" | "==" => (BinOp::Eq, 3),
            "<>" | "!=" => (BinOp::Ne, 3),
            "<" => (BinOp::Lt, 4),
            "<=" => (BinOp::Le, 4),
            ">" => (BinOp::Gt, 4),
            ">=" => (BinOp::Ge, 4),
            "+" => (BinOp::Add, 5),
            "-" => (BinOp::Sub, 5),
            "*" => (BinOp::Mul, 6),
            // Stella's safe division `a // b` (0 where b is 0) is built as SAFEDIV(a, b).
            "/" | "//" => (BinOp::Div, 6),
            _ => return None,
        })
    }

    fn binary(&mut self, min_prec: u8) -> Result<Node, ParseError> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.binop() {
            if prec < min_prec {
                break;
            }
            let safe = self.at_sym("//");
            let op_span = self.peek().span.clone();
            self.next();
            self.enter()?;
            let rhs = if self.at_keyword("if") {
                self.if_expr()?
            } else {
                self.binary(prec + 1)?
            };
            self.depth -= 1;
            let span = lhs.span.start..rhs.span.end;
            let kind = if safe {
                NodeKind::Call {
                    name: "SAFEDIV".into(),
                    name_span: op_span,
                    args: vec![lhs, rhs],
                }
            } else {
                NodeKind::Binary(op, Box::new(lhs), Box::new(rhs))
            };
            lhs = Node { kind, span };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Node, ParseError> {
        self.enter()?;
        let result =
            if self.at_sym("-") || self.at_sym("+") || self.at_sym("!") || self.at_keyword("not") {
                let tok = self.next();
                let operand = self.unary()?;
                let span = tok.span.start..operand.span.end;
                match tok.kind {
                    Tok::Sym("+") => Ok(operand),
                    Tok::Sym("-") => Ok(Node {
                        kind: NodeKind::Unary(UnOp::Neg, Box::new(operand)),
                        span,
                    }),
                    _ => Ok(Node {
                        kind: NodeKind::Unary(UnOp::Not, Box::new(operand)),
                        span,
                    }),
                }
            } else {
                self.power()
            };
        self.depth -= 1;
        result
    }

    fn power(&mut self) -> Result<Node, ParseError> {
        let base = self.primary()?;
        if self.at_sym("^") {
            self.next();
            // Right-associative, and `-` binds looser than `^` on its left only: 2^-1 is valid.
            let exponent = self.unary()?;
            let span = base.span.start..exponent.span.end;
            return Ok(Node {
                kind: NodeKind::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)),
                span,
            });
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        let tok = self.next();
        match tok.kind {
            Tok::Number(n) => Ok(Node {
                kind: NodeKind::Number(n),
                span: tok.span,
            }),
            Tok::Sym("(") => {
                let inner = self.expr()?;
                self.expect_sym(")", Some("a `)` is missing"))?;
                Ok(inner)
            }
            Tok::Ident(name) => {
                let lower = name.to_ascii_lowercase();
                if matches!(lower.as_str(), "then" | "else" | "and" | "or" | "mod") {
                    return Err(ParseError {
                        message: format!("`{name}` cannot start an expression"),
                        span: tok.span,
                        hint: None,
                    });
                }
                self.name_rest(name, tok.span)
            }
            Tok::Quoted(name) => self.name_rest(name, tok.span),
            other => Err(ParseError {
                message: format!("expected a value but found {}", describe(&other)),
                span: tok.span,
                hint: match other {
                    Tok::End => Some("the equation ends too early".into()),
                    Tok::Sym(")") => Some("a value is missing before `)`".into()),
                    _ => None,
                },
            }),
        }
    }

    fn name_rest(&mut self, name: String, span: Range<usize>) -> Result<Node, ParseError> {
        if self.at_sym("(") {
            self.next();
            let mut args = Vec::new();
            if !self.at_sym(")") {
                loop {
                    args.push(self.expr()?);
                    if self.at_sym(",") {
                        self.next();
                        continue;
                    }
                    break;
                }
            }
            let close = self.expect_sym(
                ")",
                Some("arguments are separated by `,` and closed by `)`"),
            )?;
            return Ok(Node {
                kind: NodeKind::Call {
                    name,
                    name_span: span.clone(),
                    args,
                },
                span: span.start..close.span.end,
            });
        }
        let mut subscripts = Vec::new();
        let mut end = span.end;
        if self.at_sym("[") {
            self.next();
            loop {
                subscripts.push(self.subscript()?);
                if self.at_sym(",") {
                    self.next();
                    continue;
                }
                break;
            }
            end = self.expect_sym("]", Some("a `]` is missing"))?.span.end;
        }
        Ok(Node {
            kind: NodeKind::Var { name, subscripts },
            span: span.start..end,
        })
    }

    /// One subscript: `*`, `*:Sub`, a name or number, an expression, or a range `lo:hi` of
    /// those.
    fn subscript(&mut self) -> Result<Subscript, ParseError> {
        if self.at_sym("*") {
            let star = self.next().span;
            if !self.at_sym(":") {
                return Ok(Subscript::Wildcard(star));
            }
            self.next();
            let tok = self.next();
            return match tok.kind {
                Tok::Ident(s) | Tok::Quoted(s) => {
                    Ok(Subscript::StarRange(s, star.start..tok.span.end))
                }
                other => Err(ParseError {
                    message: format!("expected a dimension name but found {}", describe(&other)),
                    span: tok.span,
                    hint: Some("`*:Sub` names the sub-range whose elements are meant".into()),
                }),
            };
        }
        let lo = self.bound()?;
        // `dim!` (Vensim's "all elements") reads as a wildcard.
        if self.at_sym("!") {
            if let Subscript::Name(_, span) = &lo {
                let span = span.clone();
                self.next();
                return Ok(Subscript::Wildcard(span));
            }
        }
        if !self.at_sym(":") {
            return Ok(lo);
        }
        self.next();
        let hi = self.bound()?;
        Ok(Subscript::Range(Box::new(lo), Box::new(hi)))
    }

    /// A subscript that is one value: a bare name or whole number stays a name (an element,
    /// a dimension or a position, resolved later); anything else is an expression.
    fn bound(&mut self) -> Result<Subscript, ParseError> {
        let at = self.peek().clone();
        if matches!(
            at.kind,
            Tok::Sym("]") | Tok::Sym(",") | Tok::Sym(":") | Tok::End
        ) {
            return Err(ParseError {
                message: format!("expected a subscript but found {}", describe(&at.kind)),
                span: at.span,
                hint: Some(
                    "subscripts are element names, dimension names, `*`, positions or ranges `lo:hi`"
                        .into(),
                ),
            });
        }
        let node = self.expr()?;
        Ok(match node.kind {
            NodeKind::Var { name, subscripts } if subscripts.is_empty() => {
                Subscript::Name(name, node.span)
            }
            NodeKind::Number(n) if n.fract() == 0.0 && n >= 0.0 => {
                Subscript::Name(format!("{n}"), node.span)
            }
            _ => Subscript::Expr(Box::new(node)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(n: &Node) -> String {
        match &n.kind {
            NodeKind::Number(v) => format!("{v}"),
            NodeKind::Var { name, subscripts } if subscripts.is_empty() => name.clone(),
            NodeKind::Var { name, subscripts } => format!("{name}[{}]", subscripts.len()),
            NodeKind::Unary(op, a) => format!("({op:?} {})", show(a)),
            NodeKind::Binary(op, a, b) => format!("({op:?} {} {})", show(a), show(b)),
            NodeKind::If(c, a, b) => format!("(if {} {} {})", show(c), show(a), show(b)),
            NodeKind::Call { name, args, .. } => {
                format!(
                    "{name}({})",
                    args.iter().map(show).collect::<Vec<_>>().join(",")
                )
            }
        }
    }

    fn p(text: &str) -> String {
        show(&parse(text).unwrap())
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(p("1 + 2 * 3"), "(Add 1 (Mul 2 3))");
        assert_eq!(p("2 ^ 3 ^ 2"), "(Pow 2 (Pow 3 2))");
        assert_eq!(p("-x ^ 2"), "(Neg (Pow x 2))");
        assert_eq!(p("a - b - c"), "(Sub (Sub a b) c)");
        assert_eq!(
            p("a < b and not c = d or e"),
            "(Or (And (Lt a b) (Eq (Not c) d)) e)"
        );
        assert_eq!(p("7 mod 3 + 1"), "(Add (Mod 7 3) 1)");
    }

    #[test]
    fn conditionals_calls_and_subscripts() {
        assert_eq!(
            p("IF time > 5 THEN SMTH1(x, 3) ELSE 0"),
            "(if (Gt time 5) SMTH1(x,3) 0)"
        );
        assert_eq!(p("1 + if a then b else c"), "(Add 1 (if a b c))");
        assert_eq!(p("SUM(x[*]) / x[douyin, b]"), "(Div SUM(x[1]) x[2])");
        assert_eq!(p("a // b * c"), "(Mul SAFEDIV(a,b) c)");
        assert_eq!(p("\"market size\" * 2"), "(Mul market size 2)");
        assert_eq!(p("PI()"), "PI()");
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("a + * b").unwrap_err();
        assert_eq!(e.span, 4..5);
        let e = parse("(a + b").unwrap_err();
        assert!(e.message.contains("expected `)`"), "{}", e.message);
        let e = parse("a b").unwrap_err();
        assert_eq!(e.span, 2..3);
        assert!(e.hint.unwrap().contains("operator"));
        assert!(parse("").is_err());
        assert!(parse("IF a THEN b").unwrap_err().message.contains("ELSE"));
    }

    fn subs(text: &str) -> Vec<Subscript> {
        match parse(text).unwrap().kind {
            NodeKind::Var { subscripts, .. } => subscripts,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn subscripts_are_names_ranges_or_expressions() {
        let s = subs("a[INT(TIME MOD 5) + 1, b, 3, *, *:Sub, dim!]");
        assert!(matches!(&s[0], Subscript::Expr(e) if show(e) == "(Add INT((Mod TIME 5)) 1)"));
        assert!(matches!(&s[1], Subscript::Name(n, sp) if n == "b" && *sp == (23..24)));
        assert!(matches!(&s[2], Subscript::Name(n, _) if n == "3"));
        assert!(matches!(&s[3], Subscript::Wildcard(_)));
        assert!(matches!(&s[4], Subscript::StarRange(n, sp) if n == "Sub" && *sp == (32..37)));
        assert!(matches!(&s[5], Subscript::Wildcard(_)));
        let s = subs("a[2:4, Boston:\"New York\", 1:n + 1]");
        let bounds = |s: &Subscript| match s {
            Subscript::Range(lo, hi) => (lo.as_ref().clone(), hi.as_ref().clone()),
            other => panic!("{other:?}"),
        };
        assert!(
            matches!(bounds(&s[0]), (Subscript::Name(a, _), Subscript::Name(b, _)) if a == "2" && b == "4")
        );
        assert!(matches!(bounds(&s[1]).1, Subscript::Name(b, _) if b == "New York"));
        assert!(matches!(bounds(&s[2]).1, Subscript::Expr(_)));
        assert_eq!(s[1].span(), 7..24);
        // A fractional position is an expression (its whole part is taken when it is used).
        assert!(matches!(&subs("a[1.5]")[0], Subscript::Expr(_)));
    }

    #[test]
    fn bad_subscripts_point_at_the_problem() {
        let e = parse("a[]").unwrap_err();
        assert_eq!(e.span, 2..3);
        assert!(e.hint.unwrap().contains("ranges"));
        let e = parse("a[*:3]").unwrap_err();
        assert!(e.message.contains("dimension name"), "{}", e.message);
        let e = parse("a[1:]").unwrap_err();
        assert_eq!(e.span, 4..5);
        assert!(parse("a[1 + ]").is_err());
        assert!(parse("a[1").unwrap_err().message.contains("`]`"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}1{}", "(".repeat(1_000), ")".repeat(1_000));
        assert!(parse(&text).unwrap_err().message.contains("nested"));
        // Deeper still is over the size budget, refused before parsing.
        let text = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&text).unwrap_err().message.contains("tokens"));
        let text = format!("{}1", "-".repeat(100_000));
        assert!(parse(&text).is_err());
    }
}
