//! Reading unit expressions (`people/month`, `CNY/1000 impressions`, `(impressions/day)^h`)
//! and resolving their names through plurals, built-in synonyms and the model's definitions.
//!
//! Grammar: factors joined by `*`, `/`, the word `per`, a space or a hyphen between names; a factor is a name (words
//! separated by spaces form one name: `thousand impressions`), a number (a scale factor, not a
//! dimension) or a parenthesised expression, optionally raised with `^` to a number, a fraction
//! or the name of a model constant. `1`, `dmnl`, `dimensionless`, `unitless` and `%` are
//! dimensionless.

use super::unit::{Exponent, Ratio, Unit};
use crate::model::names::canonical;
use std::collections::HashMap;

/// Why a unit expression could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSyntaxError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the unit text.
    pub offset: usize,
}

/// Names that mean "no unit".
const DIMENSIONLESS: [&str; 7] = [
    "1",
    "dmnl",
    "dimensionless",
    "unitless",
    "%",
    "percent",
    "fraction",
];

/// Irregular plurals and common synonyms, after lower-casing.
const SYNONYMS: [(&str, &str); 6] = [
    ("people", "person"),
    ("persons", "person"),
    ("children", "child"),
    ("hr", "hour"),
    ("yr", "year"),
    ("sec", "second"),
];

/// The canonical singular form of a unit name: lower case, spaces as `_`, English plural
/// endings removed (`days` → `day`, `companies` → `company`, `people` → `person`).
pub fn base_name(name: &str) -> String {
    let key = canonical(name);
    if let Some((_, to)) = SYNONYMS.iter().find(|(from, _)| *from == key) {
        return to.to_string();
    }
    // Only the last word of a multi-word name is plural: `thousand_impressions`.
    let (head, last) = match key.rfind('_') {
        Some(i) => (&key[..=i], &key[i + 1..]),
        None => ("", key.as_str()),
    };
    if let Some((_, to)) = SYNONYMS.iter().find(|(from, _)| *from == last) {
        return format!("{head}{to}");
    }
    let n = last.chars().count();
    let singular = if n > 4 && last.ends_with("ies") {
        format!("{}y", &last[..last.len() - 3])
    } else if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        last[..last.len() - 2].to_string()
    } else if n > 3 && last.ends_with('s') && !["ss", "us", "is"].iter().any(|e| last.ends_with(e))
    {
        last[..last.len() - 1].to_string()
    } else {
        last.to_string()
    };
    format!("{head}{singular}")
}

/// Parses a unit expression into base names as written (singular, canonical), without
/// applying any definitions.
pub fn parse_raw(text: &str) -> Result<Unit, UnitSyntaxError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if p.tokens.is_empty() {
        return Err(UnitSyntaxError {
            message: "the unit is empty".into(),
            offset: 0,
        });
    }
    let unit = p.product()?;
    match p.tokens.get(p.pos) {
        None => Ok(unit),
        Some((t, at)) => Err(UnitSyntaxError {
            message: format!("unexpected {}", t.describe()),
            offset: *at,
        }),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum T {
    Name(String),
    Num(f64),
    Sym(char),
}

impl T {
    fn describe(&self) -> String {
        match self {
            T::Name(n) => format!("name `{n}`"),
            T::Num(x) => format!("number `{x}`"),
            T::Sym(c) => format!("`{c}`"),
        }
    }
}

fn lex(text: &str) -> Result<Vec<(T, usize)>, UnitSyntaxError> {
    let mut out: Vec<(T, usize)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if "*/^()-·×".contains(c) {
            chars.next();
            let sym = match c {
                '·' | '×' => '*',
                c => c,
            };
            out.push((T::Sym(sym), i));
        } else if c.is_ascii_digit() || c == '.' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                let exp_sign = (d == '-' || d == '+') && text[..j].ends_with(['e', 'E']);
                if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exp_sign {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let x: f64 = text[i..end]
                .replace('_', "")
                .parse()
                .map_err(|_| UnitSyntaxError {
                    message: format!("`{}` is not a number", &text[i..end]),
                    offset: i,
                })?;
            out.push((T::Num(x), i));
        } else if c.is_alphabetic() || c == '_' || c == '$' || c == '%' || c == '\'' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || "_$%'.".contains(d) {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[i..end];
            // Consecutive words form one name (`thousand impressions`); `per` divides.
            if word.eq_ignore_ascii_case("per") {
                out.push((T::Sym('/'), i));
            } else if let Some((T::Name(prev), _)) = out.last_mut() {
                prev.push('_');
                prev.push_str(word);
            } else {
                out.push((T::Name(word.to_string()), i));
            }
        } else {
            return Err(UnitSyntaxError {
                message: format!("unexpected character `{c}` in a unit"),
                offset: i,
            });
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(T, usize)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&T> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or_else(
            || self.tokens.last().map_or(0, |(_, at)| *at + 1),
            |(_, at)| *at,
        )
    }

    fn error(&self, message: impl Into<String>) -> UnitSyntaxError {
        UnitSyntaxError {
            message: message.into(),
            offset: self.offset(),
        }
    }

    fn product(&mut self) -> Result<Unit, UnitSyntaxError> {
        self.depth += 1;
        if self.depth > 50 {
            return Err(self.error("the unit is nested too deeply"));
        }
        let mut acc = self.group()?;
        loop {
            let divide = match self.peek() {
                Some(T::Sym('*')) => false,
                Some(T::Sym('/')) => true,
                _ => break,
            };
            self.pos += 1;
            let rhs = self.group()?;
            let combined = if divide { acc.div(&rhs) } else { acc.mul(&rhs) };
            acc = combined.ok_or_else(|| self.error("exponents too large"))?;
        }
        self.depth -= 1;
        Ok(acc)
    }

    /// Factors written side by side (`1000 impressions`) or hyphenated (`person-hours`): they
    /// bind tighter than `*` and `/`, so `CNY/1000 impressions` is CNY per thousand impressions.
    fn group(&mut self) -> Result<Unit, UnitSyntaxError> {
        let mut acc = self.power()?;
        loop {
            let hyphen = self.peek() == Some(&T::Sym('-'))
                && matches!(self.tokens.get(self.pos + 1), Some((T::Name(_), _)));
            if hyphen {
                self.pos += 1;
            } else if !matches!(self.peek(), Some(T::Name(_) | T::Num(_) | T::Sym('('))) {
                return Ok(acc);
            }
            let rhs = self.power()?;
            acc = acc
                .mul(&rhs)
                .ok_or_else(|| self.error("exponents too large"))?;
        }
    }

    fn power(&mut self) -> Result<Unit, UnitSyntaxError> {
        let base = self.atom()?;
        if self.peek() != Some(&T::Sym('^')) {
            return Ok(base);
        }
        self.pos += 1;
        let e = self.exponent()?;
        base.pow_exponent(&e)
            .ok_or_else(|| self.error("this power of a power cannot be written as a unit"))
    }

    fn atom(&mut self) -> Result<Unit, UnitSyntaxError> {
        match self.peek().cloned() {
            Some(T::Name(n)) => {
                self.pos += 1;
                let key = base_name(&n);
                Ok(if DIMENSIONLESS.contains(&key.as_str()) {
                    Unit::one()
                } else {
                    Unit::base(&key)
                })
            }
            Some(T::Num(_)) => {
                // A scale factor (`1000 impressions`, `1/day`) has no dimension.
                self.pos += 1;
                Ok(Unit::one())
            }
            Some(T::Sym('(')) => {
                self.pos += 1;
                let inner = self.product()?;
                if self.peek() != Some(&T::Sym(')')) {
                    return Err(self.error("expected `)`"));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(t) => Err(self.error(format!("expected a unit name, found {}", t.describe()))),
            None => Err(self.error("the unit ends where a name was expected")),
        }
    }

    /// `2`, `-1`, `0.5`, `(1/2)`, `(-3)`, `name`.
    fn exponent(&mut self) -> Result<Exponent, UnitSyntaxError> {
        let paren = self.peek() == Some(&T::Sym('('));
        if paren {
            self.pos += 1;
        }
        let negative = self.peek() == Some(&T::Sym('-'));
        if negative {
            self.pos += 1;
        }
        let mut e = match self.peek().cloned() {
            Some(T::Num(x)) => {
                self.pos += 1;
                let mut r = Ratio::from_f64(x).ok_or_else(|| self.error("exponent too large"))?;
                if paren && self.peek() == Some(&T::Sym('/')) {
                    self.pos += 1;
                    let Some(T::Num(d)) = self.peek().cloned() else {
                        return Err(self.error("expected a number after `/` in the exponent"));
                    };
                    self.pos += 1;
                    let d = Ratio::from_f64(d).filter(|d| !d.is_zero());
                    r = d
                        .and_then(|d| r.checked_mul(d.recip()?))
                        .ok_or_else(|| self.error("bad fraction in the exponent"))?;
                }
                Exponent::number(r)
            }
            Some(T::Name(n)) => {
                self.pos += 1;
                Exponent::symbol(&canonical(&n))
            }
            _ => return Err(self.error("expected a number or a constant's name after `^`")),
        };
        if negative {
            e = e
                .scale(Ratio::int(-1))
                .ok_or_else(|| self.error("exponent too large"))?;
        }
        if paren {
            if self.peek() != Some(&T::Sym(')')) {
                return Err(self.error("expected `)` after the exponent"));
            }
            self.pos += 1;
        }
        Ok(e)
    }
}

/// One model-level unit definition: `name` means `text` (an alias when `text` is one name).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitDefinition {
    /// The name being defined, as written.
    pub name: String,
    /// Its meaning, a unit expression.
    pub text: String,
}

/// Resolves unit expressions with the model's definitions applied.
#[derive(Debug, Clone, Default)]
pub struct UnitTable {
    /// Fully resolved definitions by base name.
    resolved: HashMap<String, Unit>,
}

impl UnitTable {
    /// Builds the table; returns it with a message for each definition that cannot be read or
    /// that refers to itself (those are left out).
    pub fn new(defs: &[UnitDefinition]) -> (UnitTable, Vec<(usize, String)>) {
        let mut raw: HashMap<String, (usize, Unit)> = HashMap::new();
        let mut problems = Vec::new();
        for (i, d) in defs.iter().enumerate() {
            match parse_raw(&d.text) {
                Ok(u) => {
                    let key = base_name(&d.name);
                    // `person = "people"` only restates the built-in plural.
                    if u != Unit::base(&key) {
                        raw.insert(key, (i, u));
                    }
                }
                Err(e) => problems.push((
                    i,
                    format!("cannot read the definition `{}`: {}", d.text, e.message),
                )),
            }
        }
        let mut table = UnitTable::default();
        let mut keys: Vec<&String> = raw.keys().collect();
        keys.sort();
        for key in keys {
            let mut stack = vec![key.clone()];
            match resolve(key, &raw, &mut stack) {
                Some(u) => {
                    table.resolved.insert(key.clone(), u);
                }
                None => problems.push((
                    raw[key].0,
                    format!(
                        "the unit `{key}` is defined in terms of itself ({})",
                        stack.join(" → ")
                    ),
                )),
            }
        }
        problems.sort();
        (table, problems)
    }

    /// Parses `text` and applies the definitions.
    pub fn parse(&self, text: &str) -> Result<Unit, UnitSyntaxError> {
        let raw = parse_raw(text)?;
        self.apply(&raw).ok_or(UnitSyntaxError {
            message: "exponents too large".into(),
            offset: 0,
        })
    }

    /// Applies the definitions to a unit whose names are as written.
    pub fn apply(&self, raw: &Unit) -> Option<Unit> {
        raw.substitute(&mut |k| self.resolved.get(k).cloned())
    }
}

fn resolve(
    key: &str,
    raw: &HashMap<String, (usize, Unit)>,
    stack: &mut Vec<String>,
) -> Option<Unit> {
    let (_, unit) = raw.get(key)?;
    let mut failed = false;
    let out = unit.substitute(&mut |k| {
        if failed || !raw.contains_key(k) {
            return None;
        }
        if stack.iter().any(|s| s == k) {
            stack.push(k.to_string());
            failed = true;
            return None;
        }
        stack.push(k.to_string());
        let r = resolve(k, raw, stack);
        if r.is_none() {
            failed = true;
        } else {
            stack.pop();
        }
        r
    });
    if failed {
        None
    } else {
        out
    }
}
