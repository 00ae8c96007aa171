//! The symbol table: variables and dimensions by canonical name, array elements by position.

use crate::diagnostic::Diagnostic;
use crate::model::names::closest;
use crate::model::{names::canonical, Model};
use std::collections::HashMap;

use super::ir::Id;

/// A dimension with canonical names for matching.
#[derive(Debug, Clone)]
pub struct DimInfo {
    /// Name as written.
    pub name: String,
    /// Canonical name.
    pub key: String,
    /// Element names as written.
    pub elements: Vec<String>,
    /// Canonical element names.
    pub element_keys: Vec<String>,
}

/// Where a variable's elements live in the node id space.
#[derive(Debug, Clone)]
pub struct VarInfo {
    /// Index in `Model::variables`.
    pub index: usize,
    /// Dimension indices.
    pub dims: Vec<usize>,
    /// Id of the first element; elements are numbered row-major.
    pub base: Id,
    /// Number of elements (1 for a scalar).
    pub len: usize,
}

/// Variables and dimensions by canonical name.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    /// Dimensions.
    pub dims: Vec<DimInfo>,
    /// Dimension index by canonical name.
    pub dim_by_key: HashMap<String, usize>,
    /// Variables, in model order.
    pub vars: Vec<VarInfo>,
    /// Variable index by canonical name.
    pub var_by_key: HashMap<String, usize>,
}

impl Symbols {
    /// Builds the table, numbering elements from `first_id`. Rejects duplicate names.
    pub fn build(model: &Model, first_id: Id) -> Result<(Symbols, Id), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut sym = Symbols::default();
        for dim in &model.dimensions {
            let key = canonical(&dim.name);
            if sym.dim_by_key.contains_key(&key) {
                errors.push(Diagnostic::plain(format!(
                    "dimension `{}` is defined twice",
                    dim.name
                )));
                continue;
            }
            if dim.elements.is_empty() {
                errors.push(Diagnostic::plain(format!(
                    "dimension `{}` has no elements",
                    dim.name
                )));
            }
            let element_keys: Vec<String> = dim.elements.iter().map(|e| canonical(e)).collect();
            let mut seen = std::collections::HashSet::with_capacity(element_keys.len());
            for (i, k) in element_keys.iter().enumerate() {
                if !seen.insert(k) {
                    errors.push(Diagnostic::plain(format!(
                        "dimension `{}` lists element `{}` twice",
                        dim.name, dim.elements[i]
                    )));
                }
            }
            sym.dim_by_key.insert(key.clone(), sym.dims.len());
            sym.dims.push(DimInfo {
                name: dim.name.clone(),
                key,
                elements: dim.elements.clone(),
                element_keys,
            });
        }
        let mut next = first_id;
        for (index, var) in model.variables.iter().enumerate() {
            let key = canonical(&var.name);
            if key.is_empty() {
                errors.push(Diagnostic::new(
                    "a variable has an empty name",
                    var.at.clone(),
                ));
                continue;
            }
            if sym.var_by_key.contains_key(&key) {
                errors.push(
                    Diagnostic::new(format!("`{}` is defined twice", var.name), var.at.clone())
                        .with_hint("names are case-insensitive and `_` matches a space"),
                );
                continue;
            }
            let mut dims = Vec::new();
            for d in &var.dims {
                match sym.dim_by_key.get(&canonical(d)) {
                    Some(&i) => dims.push(i),
                    None => {
                        let mut e = Diagnostic::new(
                            format!("`{}` uses unknown dimension `{d}`", var.name),
                            var.at.clone(),
                        );
                        if let Some(c) = closest(d, sym.dims.iter().map(|x| x.name.as_str())) {
                            e = e.with_hint(format!("did you mean `{c}`?"));
                        }
                        errors.push(e);
                    }
                }
            }
            let len = dims
                .iter()
                .map(|&d| sym.dims[d].elements.len())
                .product::<usize>();
            sym.var_by_key.insert(key, sym.vars.len());
            sym.vars.push(VarInfo {
                index,
                dims,
                base: next,
                len,
            });
            next += len as Id;
        }
        if errors.is_empty() {
            Ok((sym, next))
        } else {
            Err(errors)
        }
    }

    /// The variable called `name`, if any.
    pub fn var(&self, name: &str) -> Option<usize> {
        self.var_by_key.get(&canonical(name)).copied()
    }

    /// Element tuples of a variable, row-major, as (dimension, element index) pairs.
    pub fn element_tuples(&self, var: usize) -> Vec<Vec<(usize, usize)>> {
        let dims = &self.vars[var].dims;
        let mut out = vec![Vec::new()];
        for &d in dims {
            let n = self.dims[d].elements.len();
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    (0..n).map(move |e| {
                        let mut t = prefix.clone();
                        t.push((d, e));
                        t
                    })
                })
                .collect();
        }
        out
    }

    /// Id of the element of `var` at the given element indices (one per dimension).
    pub fn element_id(&self, var: usize, elements: &[usize]) -> Id {
        let info = &self.vars[var];
        let mut flat = 0usize;
        for (&d, &e) in info.dims.iter().zip(elements) {
            flat = flat * self.dims[d].elements.len() + e;
        }
        info.base + flat as Id
    }

    /// Display name of an element: `name` or `name[a,b]`.
    pub fn element_name(&self, model: &Model, var: usize, tuple: &[(usize, usize)]) -> String {
        let name = &model.variables[self.vars[var].index].name;
        if tuple.is_empty() {
            name.clone()
        } else {
            let parts: Vec<&str> = tuple
                .iter()
                .map(|&(d, e)| self.dims[d].elements[e].as_str())
                .collect();
            format!("{name}[{}]", parts.join(","))
        }
    }
}
