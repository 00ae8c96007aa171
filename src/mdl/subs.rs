//! Vensim subscript ranges: declarations, numbered ranges `(a1-a9)`, sub-ranges, mappings
//! (`-> Other`) and equivalences (`<->`), resolved to flat element lists.

use super::expr::{Parser, SyntaxError};
use crate::model::names::canonical;
use std::collections::HashMap;

/// One subscript range after resolution.
#[derive(Debug, Clone)]
pub struct Dim {
    /// Name as written.
    pub name: String,
    /// Elements in order.
    pub elements: Vec<String>,
    /// Canonical element keys, parallel to `elements`.
    pub keys: Vec<String>,
    /// Ranges this one maps onto: (target range key, explicit target elements or empty for
    /// positional).
    pub maps: Vec<(String, Vec<String>)>,
}

/// A declaration as read, before nested ranges are expanded.
#[derive(Debug, Clone)]
pub struct RawDim {
    name: String,
    items: Vec<String>,
    alias_of: Option<String>,
    maps: Vec<(String, Vec<String>)>,
    at: usize,
}

/// Reads the part after `Name:` of a range declaration (the parser stands after the `:`).
pub fn read_decl(name: &str, at: usize, p: &mut Parser) -> Result<RawDim, SyntaxError> {
    let mut items = Vec::new();
    loop {
        if p.eat("(") {
            let from = item(p)?;
            p.expect("-")?;
            let to = item(p)?;
            p.expect(")")?;
            items.extend(numbered_range(&from, &to).ok_or_else(|| SyntaxError {
                message: format!("`({from}-{to})` is not a numbered range"),
                at,
            })?);
        } else {
            items.push(item(p)?);
        }
        if !p.eat(",") {
            break;
        }
    }
    let mut maps = Vec::new();
    if p.eat("->") {
        loop {
            if p.eat("(") {
                let target = p.name().ok_or_else(|| p.unexpected("a range name"))?.0;
                p.expect(":")?;
                let mut list = vec![item(p)?];
                while p.eat(",") {
                    list.push(item(p)?);
                }
                p.expect(")")?;
                maps.push((canonical(&target), list));
            } else {
                let target = p.name().ok_or_else(|| p.unexpected("a range name"))?.0;
                maps.push((canonical(&target), Vec::new()));
            }
            if !p.eat(",") {
                break;
            }
        }
    }
    if !p.at_end() {
        return Err(p.unexpected("`,` or the end of the range"));
    }
    Ok(RawDim {
        name: name.to_string(),
        items,
        alias_of: None,
        maps,
        at,
    })
}

/// A range declared with its elements listed (read from a spreadsheet).
pub fn listed(name: &str, items: Vec<String>, at: usize) -> RawDim {
    RawDim {
        name: name.to_string(),
        items,
        alias_of: None,
        maps: Vec::new(),
        at,
    }
}

/// A `Name <-> Other` equivalence.
pub fn alias(name: &str, other: &str, at: usize) -> RawDim {
    RawDim {
        name: name.to_string(),
        items: Vec::new(),
        alias_of: Some(other.to_string()),
        maps: Vec::new(),
        at,
    }
}

fn item(p: &mut Parser) -> Result<String, SyntaxError> {
    if let Some((n, _)) = p.name() {
        return Ok(n);
    }
    let neg = p.eat("-");
    match p.expr()? {
        super::expr::Ex::Num(n) => Ok(format!("{}{n}", if neg { "-" } else { "" })),
        _ => Err(p.unexpected("an element name")),
    }
}

/// `a1`..`a9` from `a1` and `a9`: a shared prefix and two whole numbers.
fn numbered_range(from: &str, to: &str) -> Option<Vec<String>> {
    let split = |s: &str| {
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (p, n) = s.split_at(s.len() - digits);
        Some((p.to_string(), n.parse::<u64>().ok()?))
    };
    let (p1, a) = split(from)?;
    let (p2, b) = split(to)?;
    (p1 == p2 && a <= b && b - a < 100_000).then(|| (a..=b).map(|k| format!("{p1}{k}")).collect())
}

/// Every range of a model, resolved.
#[derive(Debug, Default)]
pub struct Dims {
    /// Ranges in declaration order.
    pub list: Vec<Dim>,
    by_key: HashMap<String, usize>,
}

impl Dims {
    /// Resolves nested ranges and equivalences; an error names the range and its offset.
    pub fn resolve(raw: Vec<RawDim>) -> Result<Dims, (String, usize)> {
        let keys: HashMap<String, usize> = raw
            .iter()
            .enumerate()
            .map(|(i, d)| (canonical(&d.name), i))
            .collect();
        let mut done: Vec<Option<Vec<String>>> = vec![None; raw.len()];
        for i in 0..raw.len() {
            expand(i, &raw, &keys, &mut done, 0)?;
        }
        let mut dims = Dims::default();
        for (d, elements) in raw.into_iter().zip(done) {
            let elements = elements.unwrap_or_default();
            dims.by_key.insert(canonical(&d.name), dims.list.len());
            dims.list.push(Dim {
                name: d.name,
                keys: elements.iter().map(|e| canonical(e)).collect(),
                elements,
                maps: d.maps,
            });
        }
        Ok(dims)
    }

    /// Adds a range of the given elements (no mappings) and returns its index.
    pub fn add(&mut self, name: String, elements: Vec<String>) -> usize {
        self.by_key.insert(canonical(&name), self.list.len());
        self.list.push(Dim {
            name,
            keys: elements.iter().map(|e| canonical(e)).collect(),
            elements,
            maps: Vec::new(),
        });
        self.list.len() - 1
    }

    /// The range called `name`.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.by_key.get(&canonical(name)).copied()
    }

    /// Whether `key` (canonical) is an element of any range.
    pub fn is_element(&self, key: &str) -> bool {
        self.list.iter().any(|d| d.keys.iter().any(|k| k == key))
    }

    /// The element of range `to` that element `elem` of range `from` maps to, by a declared
    /// mapping in either direction.
    pub fn mapped(&self, from: usize, elem: usize, to: usize) -> Option<String> {
        let (f, t) = (&self.list[from], &self.list[to]);
        let tkey = canonical(&t.name);
        if let Some((_, list)) = f.maps.iter().find(|(k, _)| *k == tkey) {
            return if list.is_empty() {
                t.elements.get(elem).cloned()
            } else {
                list.get(elem).cloned()
            };
        }
        let fkey = canonical(&f.name);
        if let Some((_, list)) = t.maps.iter().find(|(k, _)| *k == fkey) {
            let pos = if list.is_empty() {
                Some(elem)
            } else {
                let key = &f.keys[elem];
                list.iter().position(|e| canonical(e) == *key)
            };
            return pos.and_then(|p| t.elements.get(p).cloned());
        }
        None
    }
}

fn expand(
    i: usize,
    raw: &[RawDim],
    keys: &HashMap<String, usize>,
    done: &mut Vec<Option<Vec<String>>>,
    depth: usize,
) -> Result<Vec<String>, (String, usize)> {
    if let Some(e) = &done[i] {
        return Ok(e.clone());
    }
    if depth > 50 {
        return Err((
            format!("the range `{}` is defined in terms of itself", raw[i].name),
            raw[i].at,
        ));
    }
    let d = &raw[i];
    let mut out = Vec::new();
    if let Some(other) = &d.alias_of {
        let j = *keys.get(&canonical(other)).ok_or_else(|| {
            (
                format!(
                    "`{}` is declared equivalent to the unknown range `{other}`",
                    d.name
                ),
                d.at,
            )
        })?;
        out = expand(j, raw, keys, done, depth + 1)?;
    }
    for item in &d.items {
        match keys.get(&canonical(item)) {
            Some(&j) if j != i => out.extend(expand(j, raw, keys, done, depth + 1)?),
            _ => out.push(item.clone()),
        }
    }
    done[i] = Some(out.clone());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(name: &str, text: &str) -> RawDim {
        let mut p = Parser::new(text, 0).unwrap();
        read_decl(name, 0, &mut p).unwrap()
    }

    #[test]
    fn ranges_nesting_mappings_and_aliases() {
        let dims = Dims::resolve(vec![
            decl("Big", "Sub1, c, (x2-x4)"),
            decl("Sub1", "a, b -> Other"),
            decl("Other", "o1, o2"),
            alias("Same", "Other", 0),
            decl("Rev", "r1, r2 -> (Other: o2, o1)"),
        ])
        .unwrap();
        let big = dims.get("big").unwrap();
        assert_eq!(dims.list[big].elements, ["a", "b", "c", "x2", "x3", "x4"]);
        let (sub, other) = (dims.get("Sub1").unwrap(), dims.get("Other").unwrap());
        assert_eq!(dims.mapped(sub, 1, other).as_deref(), Some("o2"));
        assert_eq!(dims.mapped(other, 0, sub).as_deref(), Some("a"));
        let rev = dims.get("Rev").unwrap();
        assert_eq!(dims.mapped(rev, 0, other).as_deref(), Some("o2"));
        assert_eq!(dims.mapped(other, 0, rev).as_deref(), Some("r2"));
        assert_eq!(dims.list[dims.get("same").unwrap()].elements, ["o1", "o2"]);
        assert!(dims.is_element("x3"));
    }
}
