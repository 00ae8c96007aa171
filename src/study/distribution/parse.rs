//! Parsing the text form of a distribution from the shared scanner's tokens, with errors
//! pointing at the argument at fault.

use super::check::check;
use super::syntax::{example, DistError, ParamAt, FAMILIES};
use super::Distribution;
use crate::equation::lexer::{scan, Tok, Token, DISTRIBUTION};

/// Parses the text syntax described in [`super::syntax`].
pub(super) fn parse(text: &str) -> Result<Distribution, DistError> {
    let tokens = scan(text, &DISTRIBUTION).map_err(|e| DistError {
        message: e.message,
        hint: e.hint,
        offset: e.offset,
    })?;
    Parser {
        text,
        tokens,
        next: 0,
    }
    .distribution()
}

fn canonical_family(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "const" | "fixed" => "constant",
        "log_normal" => "lognormal",
        "betapert" | "beta_pert" => "pert",
        "exp" => "exponential",
        "triang" => "triangular",
        other => other,
    };
    FAMILIES.iter().map(|(n, _)| *n).find(|n| *n == alias)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    next: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != Tok::End {
            self.next += 1;
        }
        t
    }

    fn at_end(&self) -> bool {
        self.peek().kind == Tok::End
    }

    /// The next token as written, for "found ..." in messages.
    fn found(&self) -> String {
        let t = self.peek();
        if t.kind == Tok::End {
            "the end of the text".into()
        } else {
            format!("`{}`", &self.text[t.span.clone()])
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> DistError {
        DistError {
            message: message.into(),
            hint: None,
            offset,
        }
    }

    fn eat(&mut self, sym: &str) -> bool {
        if matches!(self.peek().kind, Tok::Sym(s) if s == sym) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, sym: &str, context: &str) -> Result<(), DistError> {
        if self.eat(sym) {
            return Ok(());
        }
        let message = format!("expected `{sym}` {context}, found {}", self.found());
        Err(self.err(self.peek().span.start, message))
    }

    /// A number with an optional sign; `allow_inf` also accepts `inf`, `+inf`, `-inf`
    /// (truncation bounds).
    fn number(&mut self, what: &str, allow_inf: bool) -> Result<(usize, f64), DistError> {
        let start = self.peek().span.start;
        let sign = if self.eat("-") {
            -1.0
        } else {
            self.eat("+");
            1.0
        };
        let value = match &self.peek().kind {
            Tok::Number(v) => Some(*v),
            Tok::Ident(w) if is_infinity(w) && allow_inf => Some(f64::INFINITY),
            _ => None,
        };
        if let Some(v) = value {
            self.bump();
            return Ok((start, sign * v));
        }
        let infinite = matches!(&self.peek().kind, Tok::Ident(w) if is_infinity(w));
        let mut e = self.err(
            start,
            format!("expected a number for {what}, found {}", self.found()),
        );
        e.hint = Some(if infinite {
            "infinite values are allowed only as truncation bounds".into()
        } else {
            "write the parameters as numbers separated by commas, e.g. uniform(0.1, 0.3)".into()
        });
        Err(e)
    }

    fn distribution(&mut self) -> Result<Distribution, DistError> {
        if self.at_end() {
            return Err(DistError {
                message: "empty distribution".into(),
                hint: Some("write e.g. normal(0.1, 0.02) or a plain number".into()),
                offset: 0,
            });
        }
        let base_start = self.peek().span.start;
        let (base, arg_offsets) = if matches!(self.peek().kind, Tok::Number(_) | Tok::Sym(_)) {
            let (at, v) = self.number("the constant", false)?;
            (Distribution::Constant(v), vec![at])
        } else {
            self.family()?
        };
        let base = match base {
            Distribution::Discrete { values, weights } => {
                let mut pairs: Vec<(f64, f64)> = values.into_iter().zip(weights).collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                Distribution::Discrete {
                    values: pairs.iter().map(|p| p.0).collect(),
                    weights: pairs.iter().map(|p| p.1).collect(),
                }
            }
            other => other,
        };
        if let Err(e) = check(&base) {
            let offset = match e.at {
                ParamAt::Arg(i) => arg_offsets.get(i).copied().unwrap_or(base_start),
                _ => base_start,
            };
            return Err(e.into_error(offset));
        }
        if self.at_end() {
            return Ok(base);
        }
        let word = self.bump();
        if !matches!(&word.kind, Tok::Ident(w) if w.eq_ignore_ascii_case("truncated")) {
            let mut e = self.err(word.span.start, "unexpected text after the distribution");
            e.hint = Some(
                "only `truncated [low, high]` may follow, e.g. normal(0.1, 0.02) truncated [0, 1]"
                    .into(),
            );
            return Err(e);
        }
        self.expect("[", "after `truncated`")?;
        let (lo_at, lo) = self.number("the lower truncation bound", true)?;
        self.expect(",", "between the truncation bounds")?;
        let (hi_at, hi) = self.number("the upper truncation bound", true)?;
        self.expect("]", "after the truncation bounds")?;
        if !self.at_end() {
            let at = self.peek().span.start;
            return Err(self.err(at, "unexpected text after the truncation interval"));
        }
        let d = Distribution::Truncated {
            base: Box::new(base),
            lo,
            hi,
        };
        check(&d).map_err(|e| {
            let offset = if e.at == ParamAt::TruncHi {
                hi_at
            } else {
                lo_at
            };
            e.into_error(offset)
        })?;
        Ok(d)
    }

    /// `name(args)`: the distribution (unchecked) and the offset of each argument.
    fn family(&mut self) -> Result<(Distribution, Vec<usize>), DistError> {
        let name_tok = self.peek().clone();
        let Tok::Ident(written) = &name_tok.kind else {
            let mut e = self.err(
                name_tok.span.start,
                format!("expected a distribution name, found {}", self.found()),
            );
            e.hint = Some(
                "a distribution reads like triangular(0.2, 0.38, 0.6); see docs/distributions.md"
                    .into(),
            );
            return Err(e);
        };
        let name_at = name_tok.span.start;
        let Some(name) = canonical_family(written) else {
            let mut e = self.err(name_at, format!("unknown distribution `{written}`"));
            let names = FAMILIES.iter().map(|(n, _)| *n);
            e.hint = Some(match crate::model::names::closest(written, names) {
                Some(c) => format!("did you mean `{c}`? e.g. {}", example(c)),
                None => format!(
                    "known distributions: {}",
                    FAMILIES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            return Err(e);
        };
        self.bump();
        self.expect("(", &format!("after `{written}`"))?;
        let mut args = Vec::new();
        let mut weights = Vec::new();
        let mut offsets = Vec::new();
        if !self.eat(")") {
            loop {
                let (at, v) = self.number(&format!("`{name}`"), false)?;
                offsets.push(at);
                args.push(v);
                if name == "discrete" {
                    self.expect(":", "between a discrete value and its weight")?;
                    let (_, w) = self.number("the weight", false)?;
                    weights.push(w);
                }
                if self.eat(")") {
                    break;
                }
                if self.at_end() {
                    let at = self.peek().span.start;
                    return Err(self.err(at, format!("expected `)` to close `{written}(`")));
                }
                self.expect(",", "between arguments")?;
            }
        }
        if let Err((message, hint)) = check_arity(name, args.len()) {
            let mut e = self.err(name_at, message);
            e.hint = Some(hint);
            return Err(e);
        }
        Ok((build(name, args, weights, &offsets, name_at)?, offsets))
    }
}

/// `inf` or `infinity`, in any case.
fn is_infinity(word: &str) -> bool {
    word.eq_ignore_ascii_case("inf") || word.eq_ignore_ascii_case("infinity")
}

/// Whether `name` takes `n` arguments: the message and hint when it does not.
fn check_arity(name: &str, n: usize) -> Result<(), (String, String)> {
    let ok = match name {
        "discrete" => n > 0,
        "beta" => n == 2 || n == 4,
        _ => FAMILIES.iter().any(|(f, p)| *f == name && p.len() == n),
    };
    if ok {
        return Ok(());
    }
    let params = FAMILIES
        .iter()
        .find(|(f, _)| *f == name)
        .map_or(&[][..], |(_, p)| *p);
    let expected = match name {
        "beta" => "2 or 4 arguments (a, b[, min, max])".to_string(),
        "discrete" => "at least one `value: weight` pair".to_string(),
        _ => format!(
            "{} argument{} ({})",
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            params.join(", ")
        ),
    };
    Err((
        format!("`{name}` takes {expected}, got {n}"),
        format!("e.g. {}", example(name)),
    ))
}

/// The distribution `name` with its checked arity's arguments.
fn build(
    name: &str,
    args: Vec<f64>,
    weights: Vec<f64>,
    offsets: &[usize],
    name_at: usize,
) -> Result<Distribution, DistError> {
    let a = |i: usize| args[i];
    Ok(match name {
        "constant" => Distribution::Constant(a(0)),
        "uniform" => Distribution::Uniform {
            min: a(0),
            max: a(1),
        },
        "normal" => Distribution::Normal {
            mean: a(0),
            sd: a(1),
        },
        "lognormal" => Distribution::LogNormal {
            mu: a(0),
            sigma: a(1),
        },
        "lognormal_mean_sd" => Distribution::LogNormalMeanSd {
            mean: a(0),
            sd: a(1),
        },
        "triangular" => Distribution::Triangular {
            min: a(0),
            mode: a(1),
            max: a(2),
        },
        "pert" => Distribution::Pert {
            min: a(0),
            mode: a(1),
            max: a(2),
        },
        "beta" if args.len() == 2 => Distribution::Beta {
            a: a(0),
            b: a(1),
            min: 0.0,
            max: 1.0,
        },
        "beta" => Distribution::Beta {
            a: a(0),
            b: a(1),
            min: a(2),
            max: a(3),
        },
        "gamma" => Distribution::Gamma {
            shape: a(0),
            scale: a(1),
        },
        "exponential" => Distribution::Exponential { rate: a(0) },
        "poisson" => Distribution::Poisson { mean: a(0) },
        "bernoulli" => Distribution::Bernoulli { p: a(0) },
        _ => {
            // Checked in written order so errors point at the right pair; sorted later.
            let d = Distribution::Discrete {
                values: args,
                weights,
            };
            if let Err(e) = check(&d) {
                if !e.message.contains("increasing order") {
                    let offset = match e.at {
                        ParamAt::Arg(i) => offsets.get(i).copied().unwrap_or(name_at),
                        _ => name_at,
                    };
                    return Err(e.into_error(offset));
                }
            }
            d
        }
    })
}
