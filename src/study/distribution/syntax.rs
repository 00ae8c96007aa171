//! The text form of a distribution: parsing with pointed errors, printing, serde, validation.
//!
//! Syntax (names are case-insensitive; arguments are positional numbers):
//!
//! ```text
//! normal(0.1, 0.02)                      uniform(min, max)
//! triangular(20, 35, 80)                 pert(min, mode, max)
//! lognormal(mu, sigma)                   lognormal_mean_sd(mean, sd)
//! beta(a, b)   beta(a, b, min, max)      gamma(shape, scale)
//! exponential(rate)   poisson(mean)      bernoulli(p)
//! discrete(1: 0.2, 2: 0.5, 3: 0.3)       constant(5)   or just   5
//! normal(0.1, 0.02) truncated [0, 1]     gamma(2, 1) truncated [-inf, 4]
//! ```
//!
//! [`Distribution`]'s `Display` prints this syntax back, so `parse(d.to_string()) == d`.

use super::check::check;
use super::Distribution;
use crate::diagnostic::{Diagnostic, SourceRef};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A problem in distribution text or parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    /// What is wrong, one sentence.
    pub message: String,
    /// How to fix it, if we can tell.
    pub hint: Option<String>,
    /// Byte offset in the parsed text where the problem is (0 when not from text).
    pub offset: usize,
}

impl DistError {
    /// The error as a [`Diagnostic`] pointing into `text`, which starts at `at`.
    pub fn to_diagnostic(&self, at: &SourceRef, text: &str) -> Diagnostic {
        let mut d = Diagnostic::new(self.message.clone(), at.advance_in(text, self.offset));
        d.hint = self.hint.clone();
        d
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DistError {}

impl From<DistError> for Diagnostic {
    fn from(e: DistError) -> Diagnostic {
        let mut d = Diagnostic::plain(e.message);
        d.hint = e.hint;
        d
    }
}

/// Which part of a distribution a parameter error is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ParamAt {
    Whole,
    Arg(usize),
    TruncLo,
    TruncHi,
}

/// A parameter error before it is given a text position.
#[derive(Debug, Clone)]
pub(crate) struct ParamError {
    at: ParamAt,
    message: String,
    hint: Option<String>,
}

impl ParamError {
    pub(super) fn new(at: ParamAt, message: String) -> ParamError {
        ParamError {
            at,
            message,
            hint: None,
        }
    }

    pub(super) fn hint(mut self, hint: impl Into<String>) -> ParamError {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn into_error(self, offset: usize) -> DistError {
        DistError {
            message: self.message,
            hint: self.hint,
            offset,
        }
    }
}

/// Family names with their parameter names, for arity errors and "did you mean" hints.
pub(super) const FAMILIES: &[(&str, &[&str])] = &[
    ("constant", &["value"]),
    ("uniform", &["min", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mu", "sigma"]),
    ("lognormal_mean_sd", &["mean", "sd"]),
    ("triangular", &["min", "mode", "max"]),
    ("pert", &["min", "mode", "max"]),
    ("beta", &["a", "b", "min", "max"]),
    ("gamma", &["shape", "scale"]),
    ("exponential", &["rate"]),
    ("poisson", &["mean"]),
    ("bernoulli", &["p"]),
    ("discrete", &["value: weight", "..."]),
];

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

pub(super) fn example(name: &str) -> &'static str {
    match name {
        "constant" => "constant(5)",
        "uniform" => "uniform(2, 5)",
        "normal" => "normal(0.1, 0.02)",
        "lognormal" => "lognormal(1, 0.5)",
        "lognormal_mean_sd" => "lognormal_mean_sd(100, 20)",
        "triangular" => "triangular(20, 35, 80)",
        "pert" => "pert(1, 2, 5)",
        "beta" => "beta(2, 5) or beta(2, 5, 10, 20)",
        "gamma" => "gamma(2, 1.5)",
        "exponential" => "exponential(0.5)",
        "poisson" => "poisson(3)",
        "bernoulli" => "bernoulli(0.3)",
        _ => "discrete(1: 0.2, 2: 0.5, 3: 0.3)",
    }
}

impl Distribution {
    /// Parses the text syntax described in this module.
    pub fn parse(text: &str) -> Result<Distribution, DistError> {
        Parser { text, pos: 0 }.distribution()
    }

    /// A discrete choice from `(value, weight)` pairs in any order; weights need not sum to 1.
    pub fn discrete(pairs: &[(f64, f64)]) -> Result<Distribution, DistError> {
        for (i, (v, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(u, _)| u == v) {
                return Err(ParamError::new(
                    ParamAt::Arg(i),
                    format!("`discrete` lists the value {v} twice"),
                )
                .into_error(0));
            }
        }
        let mut sorted = pairs.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let d = Distribution::Discrete {
            values: sorted.iter().map(|p| p.0).collect(),
            weights: sorted.iter().map(|p| p.1).collect(),
        };
        d.validate()?;
        Ok(d)
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> DistError {
        DistError {
            message: message.into(),
            hint: None,
            offset,
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, context: &str) -> Result<(), DistError> {
        if self.eat(c) {
            return Ok(());
        }
        let found = self.rest().chars().next();
        Err(self.err(
            self.pos,
            match found {
                Some(f) => format!("expected `{c}` {context}, found `{f}`"),
                None => format!("expected `{c}` {context}, found the end of the text"),
            },
        ))
    }

    fn ident(&mut self) -> Option<(usize, &'a str)> {
        self.skip_ws();
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        if len == 0 || self.rest().starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.pos += len;
        Some((start, &self.text[start..start + len]))
    }

    /// A number; `allow_inf` also accepts `inf`, `+inf`, `-inf` (truncation bounds).
    fn number(&mut self, what: &str, allow_inf: bool) -> Result<(usize, f64), DistError> {
        self.skip_ws();
        let start = self.pos;
        let b = self.rest().as_bytes();
        let mut len = usize::from(b.first().is_some_and(|c| matches!(c, b'+' | b'-')));
        while len < b.len() {
            let c = b[len];
            let exponent_sign = matches!(c, b'+' | b'-')
                && len >= 2
                && matches!(b[len - 1], b'e' | b'E')
                && (b[len - 2].is_ascii_digit() || b[len - 2] == b'.');
            if c.is_ascii_alphanumeric() || c == b'.' || exponent_sign {
                len += 1;
            } else {
                break;
            }
        }
        let word = &self.rest()[..len];
        let lower = word.to_ascii_lowercase();
        let body = lower.trim_start_matches(['+', '-']);
        let is_inf = body == "inf" || body == "infinity";
        let numeric = body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && body
                .chars()
                .all(|c| c.is_ascii_digit() || ".e+-".contains(c));
        let parsed = if is_inf {
            allow_inf.then(|| word.parse::<f64>().ok()).flatten()
        } else if numeric {
            word.parse::<f64>().ok()
        } else {
            None
        };
        match parsed {
            Some(v) => {
                self.pos += len;
                Ok((start, v))
            }
            None => {
                let shown = if word.is_empty() {
                    self.rest()
                        .chars()
                        .next()
                        .map_or("the end of the text".to_string(), |c| format!("`{c}`"))
                } else {
                    format!("`{word}`")
                };
                let mut e = self.err(
                    start,
                    format!("expected a number for {what}, found {shown}"),
                );
                e.hint = Some(if is_inf {
                    "infinite values are allowed only as truncation bounds".into()
                } else {
                    "write the parameters as numbers separated by commas, e.g. uniform(0.1, 0.3)"
                        .into()
                });
                Err(e)
            }
        }
    }

    fn distribution(&mut self) -> Result<Distribution, DistError> {
        self.skip_ws();
        if self.rest().is_empty() {
            return Err(DistError {
                message: "empty distribution".into(),
                hint: Some("write e.g. normal(0.1, 0.02) or a plain number".into()),
                offset: 0,
            });
        }
        let starts_number = self
            .rest()
            .starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c));
        let base_start = self.pos;
        let (base, arg_offsets) = if starts_number {
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
        self.skip_ws();
        if self.rest().is_empty() {
            return Ok(base);
        }
        let word_at = self.pos;
        match self.ident() {
            Some((_, w)) if w.eq_ignore_ascii_case("truncated") => {}
            _ => {
                let mut e = self.err(word_at, "unexpected text after the distribution");
                e.hint = Some("only `truncated [low, high]` may follow, e.g. normal(0.1, 0.02) truncated [0, 1]".into());
                return Err(e);
            }
        }
        self.expect('[', "after `truncated`")?;
        let (lo_at, lo) = self.number("the lower truncation bound", true)?;
        self.expect(',', "between the truncation bounds")?;
        let (hi_at, hi) = self.number("the upper truncation bound", true)?;
        self.expect(']', "after the truncation bounds")?;
        self.skip_ws();
        if !self.rest().is_empty() {
            return Err(self.err(self.pos, "unexpected text after the truncation interval"));
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
        let Some((name_at, written)) = self.ident() else {
            let c = self.rest().chars().next().unwrap_or(' ');
            let mut e = self.err(
                self.pos,
                format!("expected a distribution name, found `{c}`"),
            );
            e.hint = Some(
                "a distribution reads like triangular(0.2, 0.38, 0.6); see docs/distributions.md"
                    .into(),
            );
            return Err(e);
        };
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
        self.expect('(', &format!("after `{written}`"))?;
        let mut args = Vec::new();
        let mut weights = Vec::new();
        let mut offsets = Vec::new();
        if !self.eat(')') {
            loop {
                let (at, v) = self.number(&format!("`{name}`"), false)?;
                offsets.push(at);
                args.push(v);
                if name == "discrete" {
                    self.expect(':', "between a discrete value and its weight")?;
                    let (_, w) = self.number("the weight", false)?;
                    weights.push(w);
                }
                if self.eat(')') {
                    break;
                }
                if self.rest().is_empty() {
                    return Err(self.err(self.pos, format!("expected `)` to close `{written}(`")));
                }
                self.expect(',', "between arguments")?;
            }
        }
        let arity_ok = match name {
            "discrete" => !args.is_empty(),
            "beta" => args.len() == 2 || args.len() == 4,
            _ => FAMILIES
                .iter()
                .any(|(n, p)| *n == name && p.len() == args.len()),
        };
        if !arity_ok {
            let params = FAMILIES
                .iter()
                .find(|(n, _)| *n == name)
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
            let mut e = self.err(
                name_at,
                format!("`{name}` takes {expected}, got {}", args.len()),
            );
            e.hint = Some(format!("e.g. {}", example(name)));
            return Err(e);
        }
        let a = |i: usize| args[i];
        let d = match name {
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
                    values: args.clone(),
                    weights,
                };
                if let Err(e) = check(&d) {
                    let not_order = !e.message.contains("increasing order");
                    if not_order {
                        let offset = match e.at {
                            ParamAt::Arg(i) => offsets.get(i).copied().unwrap_or(name_at),
                            _ => name_at,
                        };
                        return Err(e.into_error(offset));
                    }
                }
                d
            }
        };
        Ok((d, offsets))
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Distribution::Constant(c) => write!(f, "constant({c})"),
            Distribution::Uniform { min, max } => write!(f, "{name}({min}, {max})"),
            Distribution::Normal { mean, sd } => write!(f, "{name}({mean}, {sd})"),
            Distribution::LogNormal { mu, sigma } => write!(f, "{name}({mu}, {sigma})"),
            Distribution::LogNormalMeanSd { mean, sd } => write!(f, "{name}({mean}, {sd})"),
            Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
                write!(f, "{name}({min}, {mode}, {max})")
            }
            Distribution::Beta { a, b, min, max } => {
                if *min == 0.0 && *max == 1.0 {
                    write!(f, "beta({a}, {b})")
                } else {
                    write!(f, "beta({a}, {b}, {min}, {max})")
                }
            }
            Distribution::Gamma { shape, scale } => write!(f, "{name}({shape}, {scale})"),
            Distribution::Exponential { rate } => write!(f, "{name}({rate})"),
            Distribution::Poisson { mean } => write!(f, "{name}({mean})"),
            Distribution::Bernoulli { p } => write!(f, "{name}({p})"),
            Distribution::Discrete { values, weights } => {
                write!(f, "discrete(")?;
                for (i, (v, w)) in values.iter().zip(weights).enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}: {w}")?;
                }
                write!(f, ")")
            }
            Distribution::Truncated { base, lo, hi } => write!(f, "{base} truncated [{lo}, {hi}]"),
        }
    }
}

impl Serialize for Distribution {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Distribution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Distribution;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(
                    f,
                    "a distribution such as \"normal(0.1, 0.02)\" or a number"
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Distribution, E> {
                Distribution::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Distribution, E> {
                if v.is_finite() {
                    Ok(Distribution::Constant(v))
                } else {
                    Err(E::custom(format!("a constant must be finite, got {v}")))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Distribution, E> {
                Ok(Distribution::Constant(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Distribution, E> {
                Ok(Distribution::Constant(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}
