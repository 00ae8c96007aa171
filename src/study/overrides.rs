//! `--set` overrides: one grammar for every command. `NAME=VALUE` sets a constant (every
//! element of an arrayed one) or a stock's initial value; `NAME[e]=VALUE` and
//! `NAME[a, b]=VALUE` set one element; VALUE is a number, `1_000` or a percentage `2%`.

use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::names::{canonical, closest};
use crate::model::toml_file::format_number;
use crate::model::{Equation, Expr, Model, VarKind};
use std::sync::Arc;

/// One override, parsed and located.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The variable's name as written.
    pub name: String,
    /// Element names, one per dimension; empty for the whole variable.
    pub elements: Vec<String>,
    /// The value.
    pub value: f64,
    /// The override as written, for reports.
    pub text: String,
    /// Where it was written (the command line, or a file).
    pub at: SourceRef,
}

const HINT: &str = "write NAME=VALUE, e.g. --set q=0.4, --set \"share[video]=30%\"";

impl Override {
    /// Parses `NAME[=elements]=VALUE` as given on the command line.
    pub fn parse(text: &str) -> Result<Override, Diagnostic> {
        let file = Arc::new(SourceFile {
            path: "command line".into(),
            text: text.to_string(),
        });
        let at = SourceRef::at_offset(&file, 0);
        let Some((lhs, rhs)) = text.split_once('=') else {
            return Err(
                Diagnostic::new(format!("--set `{text}` is not NAME=VALUE"), at).with_hint(HINT),
            );
        };
        let value_at = at.advance_in(text, lhs.len() + 1);
        let (name, elements) = match lhs.split_once('[') {
            None => (lhs.trim(), Vec::new()),
            Some((name, rest)) => {
                let Some(inner) = rest.trim_end().strip_suffix(']') else {
                    return Err(Diagnostic::new(
                        format!("--set `{text}`: `[` without a closing `]`"),
                        at.advance_in(text, name.len()),
                    )
                    .with_hint(HINT));
                };
                let elements: Vec<String> =
                    inner.split(',').map(|e| e.trim().to_string()).collect();
                if elements.iter().any(String::is_empty) {
                    return Err(Diagnostic::new(
                        format!("--set `{text}`: an element name is empty"),
                        at.advance_in(text, name.len()),
                    )
                    .with_hint(HINT));
                }
                (name.trim(), elements)
            }
        };
        if name.is_empty() {
            return Err(
                Diagnostic::new(format!("--set `{text}` has no name before `=`"), at)
                    .with_hint(HINT),
            );
        }
        let value = parse_value(rhs).ok_or_else(|| {
            Diagnostic::new(
                format!("--set `{text}`: `{}` is not a finite number", rhs.trim()),
                value_at,
            )
            .with_hint("e.g. 0.4, 1e6, 1_000 or 2%")
        })?;
        Ok(Override {
            name: name.to_string(),
            elements,
            value,
            text: text.to_string(),
            at,
        })
    }

    /// Applies the override to `model`: the constant (or element, or stock's initial value)
    /// gets the value as its equation.
    pub fn apply(&self, model: &mut Model) -> Result<(), Diagnostic> {
        let key = canonical(&self.name);
        let Some(index) = model
            .variables
            .iter()
            .position(|v| canonical(&v.name) == key)
        else {
            let e = Diagnostic::new(
                format!("--set: `{}` is not a variable of the model", self.name),
                self.at.clone(),
            );
            let names = model.variables.iter().map(|v| v.name.as_str());
            return Err(match closest(&self.name, names) {
                Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                None => e.with_hint("run `sandtable check MODEL` to list the constants"),
            });
        };
        if matches!(
            model.variables[index].kind,
            VarKind::Flow { .. } | VarKind::Aux
        ) {
            return Err(Diagnostic::new(
                format!(
                    "--set: `{}` is computed from other variables; only constants and stocks' initial values can be set",
                    self.name
                ),
                self.at.clone(),
            )
            .with_hint("set the constants it depends on, or replace its equation in a scenario's `equations`"));
        }
        let dims: Vec<Vec<String>> = model.variables[index]
            .dims
            .iter()
            .map(|d| {
                model
                    .dimension(d)
                    .map(|dim| dim.elements.clone())
                    .unwrap_or_default()
            })
            .collect();
        let number = Expr {
            text: format_number(self.value),
            at: self.at.clone(),
        };
        let var = &mut model.variables[index];
        if self.elements.is_empty() {
            var.equation = Some(Equation::All(number));
            return Ok(());
        }
        if self.elements.len() != dims.len() {
            return Err(Diagnostic::new(
                format!(
                    "--set: `{}` has {} dimension(s) but {} element(s) were given",
                    self.name,
                    dims.len(),
                    self.elements.len()
                ),
                self.at.clone(),
            )
            .with_hint(if dims.is_empty() {
                format!("`{}` is not arrayed; write {}=VALUE", self.name, self.name)
            } else {
                format!(
                    "give one element per dimension, e.g. {}[{}]",
                    self.name,
                    first_tuple(&dims)
                )
            }));
        }
        for (given, elems) in self.elements.iter().zip(&dims) {
            if !elems.iter().any(|e| canonical(e) == canonical(given)) {
                return Err(Diagnostic::new(
                    format!("--set: `{given}` is not an element of `{}`", self.name),
                    self.at.clone(),
                )
                .with_hint(format!("elements: {}", elems.join(", "))));
            }
        }
        let same = |a: &[String], b: &[String]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| canonical(x) == canonical(y))
        };
        let mut list = match var.equation.take() {
            Some(Equation::PerElement(list)) => list,
            Some(Equation::All(expr)) => tuples(&dims)
                .into_iter()
                .map(|t| (t, expr.clone()))
                .collect(),
            None => Vec::new(),
        };
        match list.iter_mut().find(|(t, _)| same(t, &self.elements)) {
            Some(entry) => entry.1 = number,
            None => list.push((self.elements.clone(), number)),
        }
        var.equation = Some(Equation::PerElement(list));
        Ok(())
    }

    /// The constant's canonical name with its elements, as the compiler names parameters
    /// (`share[video]`), or the bare name for a whole variable.
    pub fn key(&self) -> String {
        if self.elements.is_empty() {
            canonical(&self.name)
        } else {
            let elems: Vec<String> = self.elements.iter().map(|e| canonical(e)).collect();
            format!("{}[{}]", canonical(&self.name), elems.join(","))
        }
    }
}

/// A number as written on a command line: `_` separators allowed, `%` divides by 100.
pub fn parse_value(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    let (digits, scale) = match t.strip_suffix('%') {
        Some(d) => (d.trim().to_string(), 0.01),
        None => (t, 1.0),
    };
    let v: f64 = digits.parse().ok()?;
    let v = v * scale;
    v.is_finite().then_some(v)
}

/// A share from 0 to 1 as written on a command line: `0.05` or `5%`.
pub fn parse_share(text: &str) -> Result<f64, String> {
    parse_value(text)
        .filter(|v| (0.0..=1.0).contains(v))
        .ok_or_else(|| format!("`{text}` is not a share from 0 to 1; e.g. 0.01 or 1%"))
}

/// A probability strictly between 0 and 1 as written on a command line: `0.8` or `80%`.
pub fn parse_probability(text: &str) -> Result<f64, String> {
    parse_value(text)
        .filter(|p| *p > 0.0 && *p < 1.0)
        .ok_or_else(|| {
            format!("`{text}` is not a probability strictly between 0 and 1; e.g. 0.8 or 80%")
        })
}

fn first_tuple(dims: &[Vec<String>]) -> String {
    dims.iter()
        .map(|d| d.first().cloned().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every element tuple of the dimensions, the last dimension varying fastest.
fn tuples(dims: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    for d in dims {
        out = out
            .into_iter()
            .flat_map(|t| {
                d.iter().map(move |e| {
                    let mut t = t.clone();
                    t.push(e.clone());
                    t
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_accept_separators_and_percentages() {
        assert_eq!(parse_value("1_000"), Some(1000.0));
        assert_eq!(parse_value(" 2% "), Some(0.02));
        assert_eq!(parse_value("1e3"), Some(1000.0));
        assert_eq!(parse_value("inf"), None);
        assert_eq!(parse_value("x"), None);
    }

    #[test]
    fn elements_are_parsed_and_keyed_canonically() {
        let o = Override::parse("Share[Video, a b]=30%").unwrap();
        assert_eq!(o.name, "Share");
        assert_eq!(o.elements, vec!["Video".to_string(), "a b".to_string()]);
        assert!((o.value - 0.3).abs() < 1e-15);
        assert_eq!(o.key(), "share[video,a_b]");
    }

    #[test]
    fn malformed_overrides_point_at_the_problem() {
        let e = Override::parse("q=abc").unwrap_err();
        assert!(e.message.contains("not a finite number"), "{e}");
        assert_eq!(e.at.col, 3);
        assert!(Override::parse("=5").is_err());
        assert!(Override::parse("q").is_err());
        assert!(Override::parse("q[a=5").is_err());
    }
}
