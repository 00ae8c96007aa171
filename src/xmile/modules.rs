//! Flattening XMILE modules into one variable list with `module.variable` names.
//!
//! A module instance `hares` of model `hares` contributes its variables as `hares.births`
//! and so on; references inside the module are rewritten to those quoted names, and each
//! `<connect to="area" from=".area"/>` turns the module's input `area` into an auxiliary that
//! reads the connected variable of the enclosing model.

use super::arrays;
use super::connect;
use super::conveyor::{self, Role};
use super::eqn_text::{quoted, rewrite_names};
use super::reader::{xmile_name, VarReader};
use crate::diagnostic::Diagnostic;
use crate::model::names::canonical;
use crate::model::{Equation, VarKind, Variable};
use roxmltree::Node;
use std::collections::HashSet;

/// The flattened variables and the conveyor roles of those that have one (by index, equation
/// texts in flattened names).
pub(super) type Flat = (Vec<Variable>, Vec<(usize, Role)>);

/// All variables of `main`, with module instances expanded, and their conveyor roles.
pub(super) fn flatten(reader: &VarReader, main: Node, models: &[Node]) -> Result<Flat, Diagnostic> {
    let mut out = Vec::new();
    let mut roles = Vec::new();
    read_model(reader, main, models, "", 0, &mut out, &mut roles)?;
    Ok((out, roles))
}

struct Instance<'a, 'i> {
    name: String,
    node: Node<'a, 'i>,
}

fn read_model(
    reader: &VarReader,
    model: Node,
    models: &[Node],
    prefix: &str,
    depth: usize,
    out: &mut Vec<Variable>,
    roles: &mut Vec<(usize, Role)>,
) -> Result<(), Diagnostic> {
    let cx = reader.cx;
    if depth > crate::limits::MODULE_DEPTH.value_usize() {
        return Err(Diagnostic::new(
            "modules are nested too deeply (does a model contain itself?)",
            cx.at(model),
        ));
    }
    check_count(out.len(), cx.at(model))?;
    let behavior = reader.behavior.read(cx, model);
    let mut vars = Vec::new();
    let mut local_roles = Vec::new();
    let mut instances = Vec::new();
    let mut tabled = Vec::new();
    if let Some(list) = cx.child(model, "variables") {
        for node in list.children().filter(|n| cx.is_std(*n)) {
            if node.tag_name().name() == "module" {
                let name = node
                    .attribute("name")
                    .map(xmile_name)
                    .ok_or_else(|| Diagnostic::new("a <module> has no name", cx.at(node)))?;
                instances.push(Instance { name, node });
            } else if let Some(v) = reader.variable(node, behavior)? {
                if let Some(role) = conveyor::inspect(cx, node)? {
                    local_roles.push((out.len() + vars.len(), role));
                }
                let tables = reader.element_tables(node, &v.name)?;
                if !tables.is_empty() {
                    tabled.push((v.name.clone(), element_keys(reader, node)));
                }
                vars.push(v);
                vars.extend(tables);
            }
        }
    }
    arrays::lookup_element_tables(&mut vars, &tabled);
    if prefix.is_empty() && instances.is_empty() {
        out.extend(vars);
        roles.extend(local_roles);
        return Ok(());
    }
    let locals: HashSet<String> = vars.iter().map(|v| canonical(&v.name)).collect();
    let modules: HashSet<String> = instances.iter().map(|i| canonical(&i.name)).collect();
    let rename = |name: &str| -> Option<String> {
        let key = canonical(name);
        // At the top level plain names already resolve; only module paths need quoting.
        if !prefix.is_empty() && locals.contains(&key) {
            return Some(quoted(&format!("{prefix}{}", xmile_name(name))));
        }
        let (head, _) = key.split_once('.')?;
        modules
            .contains(head)
            .then(|| quoted(&format!("{prefix}{}", xmile_name(name))))
    };
    let vars_len = vars.len();
    for mut v in vars {
        v.name = format!("{prefix}{}", v.name);
        rewrite_equation(&mut v.equation, &rename);
        rewrite_equation(&mut v.initial, &rename);
        if let VarKind::Stock {
            inflows, outflows, ..
        } = &mut v.kind
        {
            for flow in inflows.iter_mut().chain(outflows.iter_mut()) {
                *flow = format!("{prefix}{flow}");
            }
        }
        out.push(v);
    }
    for (i, mut role) in local_roles {
        match &mut role {
            Role::Conveyor { len, limits, .. } => {
                *len = rewrite_names(len, &rename);
                for text in limits.texts_mut() {
                    *text = rewrite_names(text, &rename);
                }
            }
            Role::Leak { fraction, .. } => {
                if let Some(f) = fraction {
                    *f = rewrite_names(f, &rename);
                }
            }
            Role::Queue | Role::Overflow => {}
        }
        roles.push((i, role));
    }
    let first_of_level = out.len() - vars_len;
    for inst in &instances {
        let model_name = inst
            .node
            .attributes()
            .find(|a| a.name() == "model_name")
            .map(|a| a.value().to_string())
            .unwrap_or_else(|| inst.name.clone());
        let sub = models
            .iter()
            .find(|m| m.attribute("name").is_some_and(|n| canonical(n) == canonical(&model_name)))
            .ok_or_else(|| {
                Diagnostic::new(
                    format!("module `{}` refers to model `{model_name}`, which the file does not define", inst.name),
                    cx.at(inst.node),
                )
            })?;
        let inner_prefix = format!("{prefix}{}.", inst.name);
        read_model(reader, *sub, models, &inner_prefix, depth + 1, out, roles)?;
        check_count(out.len(), cx.at(inst.node))?;
    }
    let names: Vec<String> = instances.iter().map(|i| i.name.clone()).collect();
    for inst in &instances {
        for conn in cx.children(inst.node, "connect") {
            let (Some(to), Some(from)) = (conn.attribute("to"), conn.attribute("from")) else {
                return Err(Diagnostic::new(
                    "a <connect> needs `to` and `from`",
                    cx.at(conn),
                ));
            };
            let wire = connect::resolve(prefix, &inst.name, &names, to, from);
            connect::apply(out, first_of_level, &wire, to, cx.at(conn))?;
        }
    }
    Ok(())
}

/// The keys of the `<element>`s of `node` that carry their own graphical function.
fn element_keys(reader: &VarReader, node: Node) -> Vec<Vec<String>> {
    reader
        .cx
        .children(node, "element")
        .filter(|el| reader.cx.child(*el, "gf").is_some())
        .filter_map(|el| el.attribute("subscript").map(arrays::element_key))
        .collect()
}

/// Refuses a model whose modules expand to more than [`crate::limits::EXPANDED_VARIABLES`]
/// variables (modules instantiated many times at every level multiply).
fn check_count(count: usize, at: crate::diagnostic::SourceRef) -> Result<(), Diagnostic> {
    crate::limits::EXPANDED_VARIABLES
        .check(count as u64, "the module expansion")
        .map_err(|d| Diagnostic { at, ..d })
}

fn rewrite_equation(eq: &mut Option<Equation>, rename: &dyn Fn(&str) -> Option<String>) {
    for e in eq.iter_mut().flat_map(Equation::exprs_mut) {
        e.text = rewrite_names(&e.text, rename);
    }
}
