//! The parser of the target language: tokens to a [`Spec`], with positioned errors.

use super::lex::{lex, SyntaxError, Tok, Token};
use super::syntax::{
    BinOp, Call, Checkpoints, Cmp, Expr, Func, NameRef, Spec, TimeLit, VarRef, Window,
    MAX_CHECKPOINTS, MAX_DEPTH,
};

/// Parses target text into a [`Spec`], checking everything that does not need the model.
pub(crate) fn parse(text: &str) -> Result<Spec, SyntaxError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        i: 0,
        nesting: 0,
    };
    let spec = p.target()?;
    super::check::check(&spec)?;
    Ok(spec)
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    nesting: usize,
}

/// Function names people reach for, mapped to ours.
const ALIASES: [(&str, &str); 8] = [
    ("avg", "mean"),
    ("average", "mean"),
    ("total", "sum"),
    ("minimum", "min"),
    ("maximum", "max"),
    ("at", "value"),
    ("diff", "change"),
    ("delta", "change"),
];

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num { value, .. } => format!("number `{value}`"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Quoted(s) => format!("`\"{s}\"`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Star => "`*`".into(),
        Tok::Slash => "`/`".into(),
        Tok::Cmp(c) => format!("`{}`", c.symbol()),
        Tok::End => "the end of the target".into(),
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        // The token list always ends with `End`, and `i` never moves past it.
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.i + ahead).min(self.tokens.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn unexpected(&self, wanted: &str) -> SyntaxError {
        let t = self.peek();
        SyntaxError::new(
            format!("expected {wanted}, found {}", describe(&t.tok)),
            t.start,
        )
    }

    fn expect(&mut self, tok: Tok, wanted: &str) -> Result<Token, SyntaxError> {
        if self.peek().tok == tok {
            Ok(self.bump())
        } else {
            Err(self.unexpected(wanted))
        }
    }

    /// Whether token `k` is a comma written as a thousands separator: `10,000` with a
    /// three-digit group right after it and no spaces around it.
    fn thousands_near(&self, k: usize) -> bool {
        let (Some(before), Some(comma), Some(after)) = (
            k.checked_sub(1).and_then(|b| self.tokens.get(b)),
            self.tokens.get(k),
            self.tokens.get(k + 1),
        ) else {
            return false;
        };
        comma.tok == Tok::Comma
            && matches!(before.tok, Tok::Num { .. })
            && matches!(after.tok, Tok::Num { .. })
            && before.end == comma.start
            && comma.end == after.start
            && after.end - after.start == 3
    }

    fn keyword_call(&self) -> Option<String> {
        match (&self.peek().tok, self.peek_at(1)) {
            (Tok::Ident(s), Tok::LParen) => Some(s.to_lowercase()),
            _ => None,
        }
    }

    fn target(&mut self) -> Result<Spec, SyntaxError> {
        if self.peek().tok == Tok::End {
            return Err(SyntaxError::new("empty target", 0)
                .hint("write a comparison such as `fans at 365 >= 1.2e6`"));
        }
        let spec = match self.keyword_call().as_deref() {
            Some("all") => self.all()?,
            Some("first") => self.first()?,
            Some("every") => self.every()?,
            _ => {
                let (metric, _) = self.expr()?;
                let (cmp, threshold) = self.comparison()?;
                Spec::Compare {
                    metric,
                    cmp,
                    threshold,
                }
            }
        };
        self.end()?;
        Ok(spec)
    }

    fn end(&mut self) -> Result<(), SyntaxError> {
        let t = self.peek().clone();
        if t.tok == Tok::End {
            return Ok(());
        }
        let err = SyntaxError::new(
            format!(
                "unexpected {} after the end of the target",
                describe(&t.tok)
            ),
            t.start,
        );
        Err(if self.thousands_near(self.i) {
            err.hint("separate thousands with `_`, e.g. 10_000")
        } else {
            err
        })
    }

    fn comparison(&mut self) -> Result<(Cmp, f64), SyntaxError> {
        let cmp =
            match self.peek().tok {
                Tok::Cmp(c) => c,
                _ => return Err(self.unexpected("a comparison (>=, >, <= or <)").hint(
                    "a target compares a metric with a number, e.g. `growth(fans, 0, 91) >= 20%`",
                )),
            };
        self.bump();
        let threshold = self.signed_number("a number to compare with")?;
        Ok((cmp, threshold))
    }

    fn signed_number(&mut self, wanted: &str) -> Result<f64, SyntaxError> {
        let negative = match self.peek().tok {
            Tok::Minus => {
                self.bump();
                true
            }
            Tok::Plus => {
                self.bump();
                false
            }
            _ => false,
        };
        match self.peek().tok {
            Tok::Num { value, .. } => {
                self.bump();
                Ok(if negative { -value } else { value })
            }
            _ => Err(self.unexpected(wanted)),
        }
    }

    fn time(&mut self) -> Result<TimeLit, SyntaxError> {
        let pos = self.peek().start;
        let is_percent = matches!(
            (&self.peek().tok, self.peek_at(1)),
            (Tok::Num { percent: true, .. }, _) | (Tok::Minus, Tok::Num { percent: true, .. })
        );
        let value = self.signed_number("a time")?;
        if is_percent {
            return Err(SyntaxError::new("a time cannot be a percentage", pos)
                .hint("times are plain numbers in the model's time unit, e.g. `365`"));
        }
        Ok(TimeLit { value, pos })
    }

    fn all(&mut self) -> Result<Spec, SyntaxError> {
        self.bump();
        self.bump();
        let mut members = Vec::new();
        loop {
            let t = self.peek().clone();
            match t.tok {
                Tok::Ident(name) | Tok::Quoted(name) => {
                    self.bump();
                    members.push(NameRef { name, pos: t.start });
                }
                _ => return Err(self.unexpected("a target name")),
            }
            match self.peek().tok {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {
                    self.bump();
                    break;
                }
                _ => return Err(self.unexpected("`,` or `)`")),
            }
        }
        if let Tok::Cmp(_) = self.peek().tok {
            return Err(SyntaxError::new(
                "all(...) takes no comparison: it is met when every member is met",
                self.peek().start,
            ));
        }
        Ok(Spec::All { members })
    }

    fn first(&mut self) -> Result<Spec, SyntaxError> {
        self.bump();
        self.bump();
        let (lhs, _) = self.expr()?;
        let cond = match self.peek().tok {
            Tok::Cmp(c) => c,
            _ => {
                return Err(self
                    .unexpected("a comparison (>=, >, <= or <)")
                    .hint("first(...) takes a condition, e.g. `first(fans >= 1e6) <= 90`"))
            }
        };
        self.bump();
        let (rhs, _) = self.expr()?;
        self.expect(Tok::RParen, "`)` closing first(...)")?;
        let (cmp, threshold) = self.comparison()?;
        Ok(Spec::First {
            lhs,
            cond,
            rhs,
            cmp,
            threshold,
        })
    }

    fn every(&mut self) -> Result<Spec, SyntaxError> {
        self.bump();
        self.bump();
        let (template, _) = self.expr()?;
        self.expect(Tok::Comma, "`,` and the checkpoints, e.g. `[0, 91, 182]`")?;
        let checkpoints = self.checkpoints()?;
        self.expect(Tok::RParen, "`)` closing every(...)")?;
        let (cmp, threshold) = self.comparison()?;
        Ok(Spec::Every {
            template,
            checkpoints,
            cmp,
            threshold,
        })
    }

    fn checkpoints(&mut self) -> Result<Checkpoints, SyntaxError> {
        let open = self.expect(Tok::LBracket, "`[` starting the checkpoints")?;
        let first = self.time()?;
        if matches!(&self.peek().tok, Tok::Ident(k) if k.eq_ignore_ascii_case("to")) {
            self.bump();
            let end = self.time()?;
            match &self.peek().tok {
                Tok::Ident(k) if k.eq_ignore_ascii_case("by") => {
                    self.bump();
                }
                _ => return Err(self.unexpected("`by` and the step, e.g. `[0 to 360 by 30]`")),
            }
            let step = self.time()?;
            self.expect(Tok::RBracket, "`]` closing the checkpoints")?;
            let times = expand_range(first, end, step, open.start)?;
            return Ok(Checkpoints {
                times,
                range: Some((first.value, end.value, step.value)),
            });
        }
        let mut times = vec![first];
        loop {
            match self.peek().tok {
                Tok::Comma => {
                    self.bump();
                    if times.len() >= MAX_CHECKPOINTS {
                        return Err(SyntaxError::new(
                            format!("more than {MAX_CHECKPOINTS} checkpoints"),
                            self.peek().start,
                        ));
                    }
                    times.push(self.time()?);
                }
                Tok::RBracket => {
                    self.bump();
                    break;
                }
                _ => return Err(self.unexpected("`,` or `]` in the checkpoints")),
            }
        }
        Ok(Checkpoints { times, range: None })
    }

    /// Parses `term (('+'|'-') term)*`, returning the tree and its depth.
    fn expr(&mut self) -> Result<(Expr, usize), SyntaxError> {
        let (mut left, mut depth) = self.term()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok((left, depth)),
            };
            let at = self.bump().start;
            let (right, rd) = self.term()?;
            depth = self.deeper(depth.max(rd), at)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn term(&mut self) -> Result<(Expr, usize), SyntaxError> {
        let (mut left, mut depth) = self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok((left, depth)),
            };
            let at = self.bump().start;
            let (right, rd) = self.unary()?;
            depth = self.deeper(depth.max(rd), at)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn deeper(&self, depth: usize, at: usize) -> Result<usize, SyntaxError> {
        if depth + 1 > MAX_DEPTH {
            Err(SyntaxError::new(
                format!("expression is too deeply nested (more than {MAX_DEPTH} levels)"),
                at,
            )
            .hint("split it into simpler targets"))
        } else {
            Ok(depth + 1)
        }
    }

    fn unary(&mut self) -> Result<(Expr, usize), SyntaxError> {
        let at = self.peek().start;
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("expression is too deeply nested (more than {MAX_DEPTH} levels)"),
                at,
            )
            .hint("split it into simpler targets"));
        }
        let result = match self.peek().tok {
            Tok::Minus => {
                self.bump();
                self.unary().and_then(|(e, d)| {
                    let d = self.deeper(d, at)?;
                    Ok((Expr::Neg(Box::new(e)), d))
                })
            }
            Tok::Plus => {
                self.bump();
                self.unary()
            }
            _ => self.primary(),
        };
        self.nesting -= 1;
        result
    }

    fn primary(&mut self) -> Result<(Expr, usize), SyntaxError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Num { value, .. } => {
                self.bump();
                Ok((Expr::Number(value), 1))
            }
            Tok::LParen => {
                self.bump();
                let (e, d) = self.expr()?;
                self.expect(Tok::RParen, "`)`")?;
                Ok((e, d))
            }
            Tok::Ident(ref name) if *self.peek_at(1) == Tok::LParen => {
                let name = name.clone();
                self.call(&name, t.start)
            }
            Tok::Ident(_) | Tok::Quoted(_) => {
                let var = self.var_ref()?;
                if matches!(&self.peek().tok, Tok::Ident(k) if k.eq_ignore_ascii_case("at")) {
                    self.bump();
                    let time = self.time()?;
                    let call = Call {
                        func: Func::Value,
                        var,
                        window: Some(Window::At(time)),
                    };
                    return Ok((Expr::Call(call), 1));
                }
                Ok((Expr::Var(var), 1))
            }
            _ => {
                Err(self
                    .unexpected("a number, a variable or an aggregate such as `mean(x, 0, 91)`"))
            }
        }
    }

    fn call(&mut self, name: &str, pos: usize) -> Result<(Expr, usize), SyntaxError> {
        let lower = name.to_lowercase();
        let Some(func) = Func::from_name(&lower) else {
            if matches!(lower.as_str(), "every" | "first" | "all") {
                return Err(SyntaxError::new(
                    format!("`{lower}(...)` must be the whole left side of a target"),
                    pos,
                )
                .hint(format!("write it on its own, e.g. `{}`", example(&lower))));
            }
            let err = SyntaxError::new(format!("unknown function `{name}`"), pos);
            let alias = ALIASES.iter().find(|(a, _)| *a == lower).map(|(_, f)| *f);
            let names = Func::ALL.map(Func::name);
            let suggestion =
                alias.or_else(|| crate::model::names::closest(&lower, names.iter().copied()));
            return Err(match suggestion {
                Some(s) => err.hint(format!("did you mean `{s}`?")),
                None => err.hint(format!("functions are {}", names.join(", "))),
            });
        };
        self.bump();
        self.bump();
        let args_start = self.i;
        if let (Tok::Ident(inner), Tok::LParen) = (&self.peek().tok, self.peek_at(1)) {
            return Err(SyntaxError::new(
                format!(
                    "`{}` takes a variable name, not a call to `{inner}`",
                    func.name()
                ),
                self.peek().start,
            )
            .hint("combine aggregates with arithmetic, e.g. `sum(a, 0, 91) / sum(b, 0, 91)`"));
        }
        let var = self.var_ref()?;
        let mut times = Vec::new();
        while self.peek().tok == Tok::Comma && times.len() < 3 {
            self.bump();
            times.push(self.time()?);
        }
        let thousands = (args_start..self.i).any(|k| self.thousands_near(k));
        let hint = |err: SyntaxError| {
            err.hint(if thousands {
                "separate thousands with `_`, e.g. 10_000".to_string()
            } else {
                usage(func)
            })
        };
        if times.len() > 2 {
            let msg = format!("too many arguments to `{}`", func.name());
            return Err(hint(SyntaxError::new(msg, times[2].pos)));
        }
        if self.peek().tok != Tok::RParen {
            return Err(hint(
                self.unexpected(&format!("`)` closing {}(...)", func.name())),
            ));
        }
        let window = match (func, times.as_slice()) {
            (_, []) => None,
            (Func::Value, [t]) => Some(Window::At(*t)),
            (Func::Value, [_, t2]) => {
                let msg = "too many arguments to `value`";
                return Err(hint(SyntaxError::new(msg, t2.pos)));
            }
            (_, [t]) => {
                let msg = format!("`{}` needs a start and an end time", func.name());
                return Err(hint(SyntaxError::new(msg, t.pos)));
            }
            (_, [t1, t2, ..]) => Some(Window::Span(*t1, *t2)),
        };
        self.bump();
        Ok((Expr::Call(Call { func, var, window }), 1))
    }

    fn var_ref(&mut self) -> Result<VarRef, SyntaxError> {
        let t = self.peek().clone();
        let mut name = match t.tok {
            Tok::Ident(s) | Tok::Quoted(s) => s,
            _ => return Err(self.unexpected("a variable name")),
        };
        self.bump();
        if self.peek().tok == Tok::LBracket {
            self.bump();
            let mut elements = Vec::new();
            loop {
                match self.peek().tok.clone() {
                    Tok::Ident(e) | Tok::Quoted(e) => {
                        self.bump();
                        elements.push(e);
                    }
                    Tok::Num {
                        value,
                        percent: false,
                    } if value.fract() == 0.0 && value >= 0.0 => {
                        self.bump();
                        elements.push(format!("{value}"));
                    }
                    _ => return Err(self.unexpected("an element name")),
                }
                match self.peek().tok {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RBracket => {
                        self.bump();
                        break;
                    }
                    _ => return Err(self.unexpected("`,` or `]` in the subscript")),
                }
            }
            name = format!("{name}[{}]", elements.join(","));
        }
        Ok(VarRef { name, pos: t.start })
    }
}

fn usage(func: Func) -> String {
    match func {
        Func::Value => "write `value(x, t)` or `x at t`".into(),
        f => format!(
            "write `{0}(x, from, to)`, or `{0}(x)` inside every(...)",
            f.name()
        ),
    }
}

fn example(keyword: &str) -> &'static str {
    match keyword {
        "every" => "every(growth(fans), [0, 91, 182, 273, 365]) >= 20%",
        "first" => "first(fans >= 1e6) <= 90",
        _ => "all(target_a, target_b)",
    }
}

fn expand_range(
    from: TimeLit,
    to: TimeLit,
    step: TimeLit,
    pos: usize,
) -> Result<Vec<TimeLit>, SyntaxError> {
    if step.value <= 0.0 {
        return Err(SyntaxError::new("the step must be positive", step.pos));
    }
    if to.value <= from.value {
        return Err(SyntaxError::new(
            "the range must end after it starts",
            to.pos,
        ));
    }
    let periods = (to.value - from.value) / step.value;
    let n = periods.round();
    if (periods - n).abs() > 1e-9 * periods.max(1.0) {
        return Err(SyntaxError::new(
            format!(
                "the step {} does not divide {} to {} evenly",
                step.value, from.value, to.value
            ),
            step.pos,
        )
        .hint("list the checkpoints instead, e.g. `[0, 91, 182, 273, 365]`"));
    }
    if n >= MAX_CHECKPOINTS as f64 {
        return Err(SyntaxError::new(
            format!("more than {MAX_CHECKPOINTS} checkpoints"),
            pos,
        ));
    }
    // n is a small positive whole number here.
    let n = n as usize;
    Ok((0..=n)
        .map(|k| TimeLit {
            value: if k == n {
                to.value
            } else {
                from.value + k as f64 * step.value
            },
            pos,
        })
        .collect())
}
