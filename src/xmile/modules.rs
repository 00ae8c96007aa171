//! Flattening XMILE modules into one variable list with `module.variable` names.
//!
//! A module instance `hares` of model `hares` contributes its variables as `hares.births`
//! and so on; references inside the module are rewritten to those quoted names, and each
//! `<connect to="area" from=".area"/>` turns the module's input `area` into an auxiliary that
//! reads the connected variable of the enclosing model.

use super::eqn_text::{quoted, rewrite_names};
use super::reader::{xmile_name, VarReader};
use crate::diagnostic::Diagnostic;
use crate::model::names::canonical;
use crate::model::{Equation, Expr, VarKind, Variable};
use roxmltree::Node;
use std::collections::HashSet;

/// All variables of `main`, with module instances expanded.
pub(super) fn flatten(
    reader: &VarReader,
    main: Node,
    models: &[Node],
) -> Result<Vec<Variable>, Diagnostic> {
    let mut out = Vec::new();
    read_model(reader, main, models, "", 0, &mut out)?;
    Ok(out)
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
    let mut instances = Vec::new();
    if let Some(list) = cx.child(model, "variables") {
        for node in list.children().filter(|n| cx.is_std(*n)) {
            if node.tag_name().name() == "module" {
                let name = node
                    .attribute("name")
                    .map(xmile_name)
                    .ok_or_else(|| Diagnostic::new("a <module> has no name", cx.at(node)))?;
                instances.push(Instance { name, node });
            } else if let Some(v) = reader.variable(node, behavior)? {
                vars.push(v);
            }
        }
    }
    if prefix.is_empty() && instances.is_empty() {
        out.extend(vars);
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
    for mut v in vars {
        v.name = format!("{prefix}{}", v.name);
        rewrite_equation(&mut v.equation, &rename);
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
    for inst in instances {
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
        let first = out.len();
        read_model(reader, *sub, models, &inner_prefix, depth + 1, out)?;
        check_count(out.len(), cx.at(inst.node))?;
        for conn in cx.children(inst.node, "connect") {
            let (Some(to), Some(from)) = (conn.attribute("to"), conn.attribute("from")) else {
                return Err(Diagnostic::new(
                    "a <connect> needs `to` and `from`",
                    cx.at(conn),
                ));
            };
            // Newer files write `to="hares.area"`, older ones `to="area"`.
            let to_key = canonical(to);
            let inst_key = format!("{}.", canonical(&inst.name));
            let local = to_key.strip_prefix(&inst_key).unwrap_or(&to_key);
            let target = canonical(&format!("{inner_prefix}{local}"));
            let source = format!("{prefix}{}", xmile_name(from.trim_start_matches('.')));
            let var = out[first..]
                .iter_mut()
                .find(|v| canonical(&v.name) == target)
                .ok_or_else(|| {
                    Diagnostic::new(
                        format!("module `{}` has no variable `{to}` to connect", inst.name),
                        cx.at(conn),
                    )
                })?;
            var.kind = VarKind::Aux;
            var.equation = Some(Equation::All(Expr {
                text: quoted(&source),
                at: cx.at(conn),
            }));
        }
    }
    Ok(())
}

/// Refuses a model whose modules expand to more than [`crate::limits::EXPANDED_VARIABLES`]
/// variables (modules instantiated many times at every level multiply).
fn check_count(count: usize, at: crate::diagnostic::SourceRef) -> Result<(), Diagnostic> {
    crate::limits::EXPANDED_VARIABLES
        .check(count as u64, "the module expansion")
        .map_err(|d| Diagnostic { at, ..d })
}

fn rewrite_equation(eq: &mut Option<Equation>, rename: &dyn Fn(&str) -> Option<String>) {
    match eq {
        Some(Equation::All(e)) => e.text = rewrite_names(&e.text, rename),
        Some(Equation::PerElement(list)) => {
            for (_, e) in list {
                e.text = rewrite_names(&e.text, rename);
            }
        }
        None => {}
    }
}
