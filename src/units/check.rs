//! Checking a whole model: every variable's equation against its declared unit, and every
//! stock's flows against the stock's unit per time unit.

use super::infer::{Cx, Env, Ty};
use super::parse::{base_name, parse_raw, UnitDefinition, UnitTable};
use super::settings::UnitSettings;
use super::unit::Unit;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::{Equation, Model, VarKind, Variable};

const UNIT_HINT: &str =
    "write units such as `people/day`, `CNY/order`, `1/month` or `1`; see docs/model-format.md";

/// Every unit problem of `model`, in file order.
pub fn check_model(model: &Model, settings: &UnitSettings) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut defs: Vec<UnitDefinition> = settings
        .definitions
        .iter()
        .map(|(d, _)| d.clone())
        .collect();
    // `time` in a unit (`people/time`) means the model's time unit, as in XMILE samples.
    let time_text = model.sim.time_unit.trim();
    let time_is_defined = defs.iter().any(|d| base_name(&d.name) == "time");
    if base_name(time_text) != "time" && !time_is_defined && parse_raw(time_text).is_ok() {
        defs.push(UnitDefinition {
            name: "time".into(),
            text: time_text.into(),
        });
    }
    let (table, bad_defs) = UnitTable::new(&defs);
    for (i, message) in bad_defs {
        let at = settings.definitions.get(i).map(|(_, at)| at.clone());
        problems.push(Diagnostic::new(message, at.unwrap_or_default()).with_hint(UNIT_HINT));
    }
    let time = time_unit(model, &table, &mut problems);
    let declared = model
        .variables
        .iter()
        .map(|v| declared_unit(v, &table, &mut problems))
        .collect();
    let env = Env::new(model, table, time, declared);
    for (i, v) in model.variables.iter().enumerate() {
        check_equations(&env, i, v, &mut problems);
        if let VarKind::Stock {
            inflows, outflows, ..
        } = &v.kind
        {
            check_flows(&env, i, v, inflows.iter().chain(outflows), &mut problems);
        }
    }
    problems
}

fn time_unit(model: &Model, table: &UnitTable, problems: &mut Vec<Diagnostic>) -> Unit {
    let text = model.sim.time_unit.trim();
    if text.is_empty() {
        return Unit::base("time");
    }
    match table.parse(text) {
        Ok(u) => u,
        Err(e) => {
            let at = model
                .variables
                .iter()
                .find_map(|v| v.at.file.as_ref())
                .map_or_else(SourceRef::none, SourceRef::file);
            problems.push(
                Diagnostic::new(
                    format!("cannot read the time unit `{text}`: {}", e.message),
                    at,
                )
                .with_hint("set [sim] time_unit to one name, e.g. time_unit = \"day\""),
            );
            Unit::base("time")
        }
    }
}

fn declared_unit(v: &Variable, table: &UnitTable, problems: &mut Vec<Diagnostic>) -> Option<Unit> {
    let text = v.unit.as_deref()?.trim();
    if text.is_empty() {
        return None;
    }
    match table.parse(text) {
        Ok(u) => Some(u),
        Err(e) => {
            problems.push(
                Diagnostic::new(
                    format!(
                        "cannot read the unit `{text}` of `{}`: {}",
                        v.name, e.message
                    ),
                    v.at.clone(),
                )
                .with_hint(UNIT_HINT),
            );
            None
        }
    }
}

fn equations(v: &Variable) -> Vec<&crate::model::Expr> {
    match &v.equation {
        Some(Equation::All(e)) => vec![e],
        Some(Equation::PerElement(list)) => list.iter().map(|(_, e)| e).collect(),
        None => Vec::new(),
    }
}

/// Infers each equation of `v`, reporting problems inside it and a clash with the declared unit.
fn check_equations(env: &Env, i: usize, v: &Variable, problems: &mut Vec<Diagnostic>) {
    for expr in equations(v) {
        let Ok(node) = crate::equation::parse(&expr.text) else {
            continue; // the compiler reports syntax errors
        };
        let mut cx = Cx {
            text: &expr.text,
            at: &expr.at,
            owner: &v.name,
            problems: Some(Vec::new()),
        };
        let ty = env.infer(&node, &mut cx);
        problems.extend(cx.problems.unwrap_or_default());
        // With a graphical function the equation is the table's input, not the variable.
        let (Some(declared), Ty::Known(found), None) = (&env.declared[i], &ty, &v.gf) else {
            continue;
        };
        if declared != found {
            let what = if matches!(v.kind, VarKind::Stock { .. }) {
                "the initial value"
            } else {
                "the equation"
            };
            let written = v.unit.as_deref().unwrap_or_default();
            let factor = declared
                .div(found)
                .map(|q| q.to_string())
                .unwrap_or_default();
            problems.push(
                Diagnostic::new(
                    format!(
                        "`{}`: {what} is in `{found}` but the declared unit is `{written}` (`{declared}`)",
                        v.name
                    ),
                    expr.at.clone(),
                )
                .with_hint(format!(
                    "if `{}` is in `{found}`, declare that unit; otherwise the equation lacks a \
                     factor in `{factor}`: declare the units of its constants so they supply it",
                    v.name
                )),
            );
        }
    }
}

/// Requires every flow of stock `v` to be in the stock's unit per time unit.
fn check_flows<'a>(
    env: &Env,
    i: usize,
    v: &Variable,
    flows: impl Iterator<Item = &'a String>,
    problems: &mut Vec<Diagnostic>,
) {
    let Ty::Known(stock) = env.unit_of(i) else {
        return;
    };
    let Some(expected) = stock.div(&env.time) else {
        return;
    };
    for name in flows {
        let Some((j, flow)) = env.lookup(name) else {
            continue;
        };
        let Ty::Known(found) = env.unit_of(j) else {
            continue;
        };
        if found == expected {
            continue;
        }
        let at = equations(flow)
            .first()
            .map_or_else(|| flow.at.clone(), |e| e.at.clone());
        problems.push(
            Diagnostic::new(
                format!(
                    "`{}`: flow of stock `{}` is in `{found}`, but a flow of `{}` must be in \
                     `{expected}` (the stock's `{stock}` per time unit `{}`)",
                    flow.name, v.name, v.name, env.time
                ),
                at,
            )
            .with_hint(format!(
                "declare `{}` in `{expected}`, or check the units of the stock and of the flow's equation",
                flow.name
            )),
        );
    }
}
