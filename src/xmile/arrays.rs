//! Array constructs Stella writes that read as plain equations once rewritten: a graphical
//! function per element of an array, and `Dim.elem` (an element's position as a number).
//!
//! A per-element graphical function becomes one hidden scalar lookup per element, named as the
//! Vensim reader names its element tables (`tables ⟨A⟩`); the element's equation becomes a
//! call of that lookup, and `LOOKUP(tables[A], x)` a lookup of it.

use super::eqn_text::{quoted, rewrite_names, rewrite_names_at, Place};
use super::reader::{xmile_name, VarReader};
use crate::diagnostic::Diagnostic;
use crate::model::names::canonical;
use crate::model::{Dimension, Equation, VarKind, Variable};
use roxmltree::Node;

/// The hidden lookup holding the graphical function of element `key` of `name`.
pub(super) fn element_table_name(name: &str, key: &[String]) -> String {
    format!("{name} ⟨{}⟩", key.join(","))
}

/// The element key written in a `subscript` attribute or between `[` and `]`.
pub(super) fn element_key(subscript: &str) -> Vec<String> {
    subscript.split(',').map(xmile_name).collect()
}

impl VarReader<'_> {
    /// The hidden lookups of the `<element>`s of `node` that carry their own `<gf>`, for the
    /// variable named `name`; empty when no element has one.
    pub(super) fn element_tables(
        &self,
        node: Node,
        name: &str,
    ) -> Result<Vec<Variable>, Diagnostic> {
        let cx = self.cx;
        let mut out = Vec::new();
        for el in cx.children(node, "element") {
            let (Some(gf), Some(subscript)) = (cx.child(el, "gf"), el.attribute("subscript"))
            else {
                continue;
            };
            let table = element_table_name(name, &element_key(subscript));
            out.push(Variable {
                gf: Some(self.gf(gf, &table)?),
                name: table,
                kind: VarKind::Aux,
                dims: Vec::new(),
                equation: None,
                initial: None,
                unit: None,
                doc: None,
                label: None,
                at: cx.at(el),
            });
        }
        Ok(out)
    }
}

/// Rewrites `LOOKUP(name[key], x)` into a lookup of the hidden table of that element, for
/// every `name` among `tabled` (variables with a graphical function per element). A
/// subscript that is not a fixed element (a dimension name, an expression) is left alone and
/// the compiler reports it.
pub(super) fn lookup_element_tables(vars: &mut [Variable], tabled: &[(String, Vec<Vec<String>>)]) {
    if tabled.is_empty() {
        return;
    }
    let fix = |text: &str| rewrite_lookups(text, tabled);
    for e in vars
        .iter_mut()
        .flat_map(|v| v.equation.iter_mut().flat_map(Equation::exprs_mut))
    {
        e.text = fix(&e.text);
    }
}

fn rewrite_lookups(text: &str, tabled: &[(String, Vec<Vec<String>>)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = find_lookup_open(rest) {
        let (head, tail) = rest.split_at(pos);
        out.push_str(head);
        let arg_start = tail.len() - tail.trim_start().len();
        let arg = &tail[arg_start..];
        match table_ref(arg, tabled) {
            Some((len, table)) => {
                out.push_str(&tail[..arg_start]);
                out.push_str(&quoted(&table));
                rest = &arg[len..];
            }
            None => {
                out.push_str(&tail[..arg_start]);
                rest = arg;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The offset just after the `(` of the next `LOOKUP(` call in `text`.
fn find_lookup_open(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("lookup") {
        let at = from + i;
        let before_ok = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '"' || c == '.'));
        let after = &lower[at + 6..];
        let spaces = after.len() - after.trim_start().len();
        if before_ok && after[spaces..].starts_with('(') {
            return Some(at + 6 + spaces + 1);
        }
        from = at + 6;
    }
    None
}

/// `name[key]` at the start of `arg` when `name` has a table for `key`: its length and the
/// table's name.
fn table_ref(arg: &str, tabled: &[(String, Vec<Vec<String>>)]) -> Option<(usize, String)> {
    let open = arg.find('[')?;
    let close = open + arg[open..].find(']')?;
    let name = xmile_name(&arg[..open]);
    let (written, keys) = tabled
        .iter()
        .find(|(n, _)| canonical(n) == canonical(&name))?;
    let key = element_key(&arg[open + 1..close]);
    let wanted: Vec<String> = key.iter().map(|k| canonical(k)).collect();
    let found = keys
        .iter()
        .find(|k| k.iter().map(|e| canonical(e)).collect::<Vec<_>>() == wanted)?;
    Some((close + 1, element_table_name(written, found)))
}

/// Replaces `Dim.elem` in every equation by the element's position in its dimension (1 for
/// the first), as Stella reads it. A dotted name that is a variable (a module path) is kept.
pub(super) fn element_positions(vars: &mut [Variable], dims: &[Dimension]) {
    if dims.is_empty() {
        return;
    }
    let names: std::collections::HashSet<String> =
        vars.iter().map(|v| canonical(&v.name)).collect();
    let position = |name: &str| -> Option<String> {
        let key = canonical(name);
        if names.contains(&key) {
            return None;
        }
        let (dim, elem) = key.split_once('.')?;
        let d = dims.iter().find(|d| canonical(&d.name) == dim)?;
        let i = d.elements.iter().position(|e| canonical(e) == elem)?;
        Some(format!("{}", i + 1))
    };
    for e in vars
        .iter_mut()
        .flat_map(|v| v.equation.iter_mut().flat_map(Equation::exprs_mut))
    {
        e.text = rewrite_names(&e.text, &position);
    }
}

/// In the equation of an arrayed variable, one of its own dimension names used as a value
/// (`IF Location = 2 THEN ...`) is the position of the element being computed, as in Stella:
/// such an equation becomes one equation per element with the positions written in.
pub(super) fn dimension_positions(vars: &mut [Variable], dims: &[Dimension]) {
    let names: std::collections::HashSet<String> =
        vars.iter().map(|v| canonical(&v.name)).collect();
    for v in vars.iter_mut().filter(|v| !v.dims.is_empty()) {
        let own: Vec<Option<&Dimension>> = v
            .dims
            .iter()
            .map(|d| dims.iter().find(|x| canonical(&x.name) == canonical(d)))
            .collect();
        let Some(own) = own.into_iter().collect::<Option<Vec<&Dimension>>>() else {
            continue;
        };
        let axis_of = |name: &str| -> Option<usize> {
            let key = canonical(name);
            if names.contains(&key) {
                return None;
            }
            own.iter().position(|d| canonical(&d.name) == key)
        };
        let outside = |n: &str, place| matches!(place, Place::Outside) && axis_of(n).is_some();
        let Some(per) = expanded_where(v, &own, outside) else {
            continue;
        };
        let per = per
            .into_iter()
            .map(|(key, mut e)| {
                let at = |axis: usize| {
                    let elem = canonical(key.get(axis)?);
                    let i = own[axis]
                        .elements
                        .iter()
                        .position(|x| canonical(x) == elem)?;
                    Some(format!("{}", i + 1))
                };
                e.text = rewrite_names(&e.text, &|n| at(axis_of(n)?));
                (key, e)
            })
            .collect();
        v.equation = Some(Equation::PerElement(per));
    }
}

/// Every element key of `dims`, in row-major order.
/// `v`'s equations, one per element tuple of its dimensions `own`, if any of its equation
/// texts names, at some place, something `wanted` picks out; `None` when none does (nothing
/// to rewrite).
pub(super) fn expanded_where(
    v: &Variable,
    own: &[&Dimension],
    wanted: impl Fn(&str, Place) -> bool,
) -> Option<Vec<(Vec<String>, crate::model::Expr)>> {
    let mentions = |text: &str| {
        let found = std::cell::Cell::new(false);
        rewrite_names_at(text, &|n, place| {
            if wanted(n, place) {
                found.set(true);
            }
            None
        });
        found.get()
    };
    match &v.equation {
        Some(Equation::All(e)) if mentions(&e.text) => Some(
            tuples(own)
                .into_iter()
                .map(|key| (key, e.clone()))
                .collect(),
        ),
        Some(Equation::PerElement(list)) if list.iter().any(|(_, e)| mentions(&e.text)) => {
            Some(list.clone())
        }
        _ => None,
    }
}

pub(super) fn tuples(dims: &[&Dimension]) -> Vec<Vec<String>> {
    let mut keys: Vec<Vec<String>> = vec![Vec::new()];
    for d in dims {
        keys = keys
            .into_iter()
            .flat_map(|k| {
                d.elements.iter().map(move |e| {
                    let mut k = k.clone();
                    k.push(e.clone());
                    k
                })
            })
            .collect();
    }
    keys
}

/// `x[*:Sub]` (every element of the sub-range `Sub`) where `x` is itself arrayed over `Sub`
/// at that position is all of `x` on that axis: written `x[*]`. Over a larger dimension the
/// text is kept and the equation parser reports it.
pub(super) fn subrange_wildcards(vars: &mut [Variable]) {
    let dims_of: std::collections::HashMap<String, Vec<String>> = vars
        .iter()
        .map(|v| {
            (
                canonical(&v.name),
                v.dims.iter().map(|d| canonical(d)).collect(),
            )
        })
        .collect();
    let fix = |text: &str| -> String {
        if !text.contains(':') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find(']').map(|c| open + c) else {
                break;
            };
            let head = &rest[..open];
            let name_start = head
                .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '$' | '"')))
                .map(|i| i + 1)
                .unwrap_or(0);
            let own = dims_of.get(&canonical(&head[name_start..]));
            let subs: Vec<String> = rest[open + 1..close]
                .split(',')
                .enumerate()
                .map(|(axis, sub)| {
                    let whole = sub
                        .split_once(':')
                        .filter(|(star, _)| star.trim() == "*")
                        .and_then(|(_, range)| own?.get(axis).filter(|d| **d == canonical(range)));
                    match whole {
                        Some(_) => "*".to_string(),
                        None => sub.to_string(),
                    }
                })
                .collect();
            out.push_str(&rest[..=open]);
            out.push_str(&subs.join(","));
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    };
    for e in vars
        .iter_mut()
        .flat_map(|v| v.equation.iter_mut().flat_map(Equation::exprs_mut))
    {
        e.text = fix(&e.text);
    }
}
