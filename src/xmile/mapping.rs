//! Dimensions as a file declares them, and dimension mappings: `<isee:maps_to>DimB</isee:maps_to>`
//! in `<dim name="DimA">` pairs the elements of DimA and DimB by position, so an equation
//! over one of them may read a variable by the other.
//!
//! The mapping is written as xmutil and simlin write a Vensim mapping `DimA: A1, A2, A3 ->
//! DimB` (simlin's `datamodel::Dimension::maps_to`: "elements correspond positionally").
//! A mapped dimension named in an equation becomes the element paired with the one being
//! computed, so the equation is written out one per element and the compiler sees only
//! element names: `a[DimA] = b[DimB]` is `a[A1] = b[B1]`, `a[A2] = b[B2]`, …

use super::eqn_text::{quoted, rewrite_names_at, Place};
use super::reader::{text_of, xmile_name, Cx};
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::names::canonical;
use crate::model::{Dimension, Equation, Variable};
use roxmltree::Node;
use std::collections::HashSet;

/// The namespace of isee's extensions, where `maps_to` lives.
const ISEE_NS: &str = "http://iseesystems.com/XMILE";

/// A declared mapping: the i-th element of `from` pairs with the i-th element of `to`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Mapping {
    /// The dimension whose `<dim>` declares the mapping.
    pub from: String,
    /// The dimension it maps to.
    pub to: String,
}

impl Cx<'_> {
    /// The `<dim>` children of `<dimensions>` and the mappings they declare. A mapping to an
    /// unknown dimension or to one of another size is an error at its `<isee:maps_to>`.
    pub(super) fn dimensions(
        &self,
        node: Node,
    ) -> Result<(Vec<Dimension>, Vec<Mapping>), Diagnostic> {
        let mut dims = Vec::new();
        let mut declared: Vec<(Mapping, SourceRef)> = Vec::new();
        for dim in self.children(node, "dim") {
            let d = self.dimension(dim)?;
            for m in dim.children().filter(|c| {
                c.is_element()
                    && c.tag_name().name() == "maps_to"
                    && c.tag_name().namespace() == Some(ISEE_NS)
            }) {
                let to = xmile_name(&text_of(m));
                if to.is_empty() {
                    return Err(Diagnostic::new(
                        format!("the mapping of dimension `{}` names no dimension", d.name),
                        self.at(m),
                    )
                    .with_hint(
                        "write the dimension it maps to: <isee:maps_to>Name</isee:maps_to>",
                    ));
                }
                let mapping = Mapping {
                    from: d.name.clone(),
                    to,
                };
                declared.push((mapping, self.at(m)));
            }
            dims.push(d);
        }
        for (m, at) in &declared {
            check_mapping(m, at, &dims)?;
        }
        Ok((dims, declared.into_iter().map(|(m, _)| m).collect()))
    }

    /// One `<dim>`: its elements, or `1..=size` for a dimension given by its size.
    fn dimension(&self, dim: Node) -> Result<Dimension, Diagnostic> {
        let name = dim
            .attribute("name")
            .map(xmile_name)
            .ok_or_else(|| Diagnostic::new("a <dim> has no name", self.at(dim)))?;
        let mut elements: Vec<String> = self
            .children(dim, "elem")
            .filter_map(|e| e.attribute("name").map(xmile_name))
            .collect();
        for n in std::iter::once(&name).chain(&elements) {
            crate::model::names::check_printable(n).map_err(|m| {
                Diagnostic::new(m, self.at(dim)).with_hint(crate::model::names::PRINTABLE_HINT)
            })?;
        }
        if elements.is_empty() {
            let size = dim.attribute("size").ok_or_else(|| {
                Diagnostic::new(
                    format!("dimension `{name}` has neither <elem> elements nor a size"),
                    self.at(dim),
                )
            })?;
            let n: usize = size.trim().parse().map_err(|_| {
                Diagnostic::new(
                    format!("dimension `{name}` has size `{size}`, not a whole number"),
                    self.at(dim),
                )
            })?;
            let limit = &crate::limits::VALUES;
            limit
                .check(n as u64, &format!("dimension `{name}`"))
                .map_err(|d| Diagnostic {
                    at: self.at(dim),
                    ..d
                })?;
            elements = (1..=n).map(|i| i.to_string()).collect();
        }
        Ok(Dimension { name, elements })
    }
}

/// A mapping pairs elements by position, so both dimensions must exist and be of one size.
fn check_mapping(m: &Mapping, at: &SourceRef, dims: &[Dimension]) -> Result<(), Diagnostic> {
    let find = |n: &str| dims.iter().find(|d| canonical(&d.name) == canonical(n));
    let from = find(&m.from).expect("the mapping's own dimension was read");
    let Some(to) = find(&m.to) else {
        let known: Vec<&str> = dims.iter().map(|d| d.name.as_str()).collect();
        return Err(Diagnostic::new(
            format!(
                "dimension `{}` maps to unknown dimension `{}`",
                m.from, m.to
            ),
            at.clone(),
        )
        .with_hint(format!("the dimensions are: {}", known.join(", "))));
    };
    if from.elements.len() != to.elements.len() {
        return Err(Diagnostic::new(
            format!(
                "dimension `{}` has {} elements but maps to `{}`, which has {}",
                from.name,
                from.elements.len(),
                to.name,
                to.elements.len()
            ),
            at.clone(),
        )
        .with_hint(
            "a mapping pairs elements by position (the first with the first, and so on), \
             so both dimensions need as many elements",
        ));
    }
    Ok(())
}

/// Whether a mapping pairs dimensions `a` and `b`, declared in either direction.
fn paired(maps: &[Mapping], a: &str, b: &str) -> bool {
    let (a, b) = (canonical(a), canonical(b));
    maps.iter().any(|m| {
        let (f, t) = (canonical(&m.from), canonical(&m.to));
        (f == a && t == b) || (f == b && t == a)
    })
}

/// In the equation of a variable arrayed over `DimA`, a dimension `DimB` mapped to `DimA`
/// stands for the element of `DimB` paired with the element being computed: a whole
/// subscript (`b[DimB]`) becomes that element's name, anywhere else (`DimB` as a value,
/// `b[DimB + 1]`) its position. Such an equation becomes one equation per element.
pub(super) fn mapped_dimensions(vars: &mut [Variable], dims: &[Dimension], maps: &[Mapping]) {
    if maps.is_empty() {
        return;
    }
    let names: HashSet<String> = vars.iter().map(|v| canonical(&v.name)).collect();
    let dim_named = |n: &str| dims.iter().find(|d| canonical(&d.name) == canonical(n));
    for v in vars.iter_mut().filter(|v| !v.dims.is_empty()) {
        let Some(own) = v
            .dims
            .iter()
            .map(|d| dim_named(d))
            .collect::<Option<Vec<&Dimension>>>()
        else {
            continue;
        };
        // The axis of `v` that dimension `name` is mapped to, and that dimension.
        let partner = |name: &str| -> Option<(usize, &Dimension)> {
            let key = canonical(name);
            if names.contains(&key) || own.iter().any(|d| canonical(&d.name) == key) {
                return None;
            }
            let m = dim_named(name)?;
            let axis = own.iter().position(|d| paired(maps, &d.name, &m.name))?;
            Some((axis, m))
        };
        let Some(per) = super::arrays::expanded_where(v, &own, |n, _| partner(n).is_some()) else {
            continue;
        };
        let per = per
            .into_iter()
            .map(|(key, mut e)| {
                let at = |name: &str, place: Place| -> Option<String> {
                    let (axis, m) = partner(name)?;
                    let elem = canonical(key.get(axis)?);
                    let i = own[axis]
                        .elements
                        .iter()
                        .position(|x| canonical(x) == elem)?;
                    Some(match place {
                        Place::Subscript => element_text(&m.elements[i]),
                        Place::Outside | Place::InSubscript => format!("{}", i + 1),
                    })
                };
                e.text = rewrite_names_at(&e.text, &at);
                (key, e)
            })
            .collect();
        v.equation = Some(Equation::PerElement(per));
    }
}

/// An element name as a subscript: bare when it is a plain name, else quoted.
fn element_text(elem: &str) -> String {
    let plain = elem
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && elem.chars().all(|c| c.is_alphanumeric() || c == '_');
    let number = !elem.is_empty() && elem.chars().all(|c| c.is_ascii_digit());
    if plain || number {
        elem.to_string()
    } else {
        quoted(elem)
    }
}
