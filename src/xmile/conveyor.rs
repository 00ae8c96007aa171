//! Conveyors (`<stock><conveyor>`) written as equations over a fixed delay line, and the
//! refusal of stock options that are not simulated (queues, conveyor sampling and the like).
//!
//! A conveyor is a belt of `N = ROUND(transit time / DT)` slats; what enters during a step
//! leaves `N` steps later, less what leaked on the way (Stella's traditional conveyor, the
//! semantics of XMILE 1.0 §3.7.2). With the sum of the inflows `in`, the equilibrium inflow
//! `r0` that the initial contents stand for, and the total leak fraction `F`:
//! - linear leakage (the default): a batch `B` loses `f·B/N` per step for `N` steps and
//!   leaves with `(1 − F)·B`. The main outflow is `(1 − F)·DELAY(in, T, r0)` and leak `i` is
//!   `fᵢ` times the mean inflow over the last `N` steps;
//! - exponential leakage: every step a fraction `fᵢ·DT` of the contents leaks, so leak `i` is
//!   `fᵢ·conveyor` and the outflow is `(1 − F·DT)^N·DELAY(in, T, r0)`.
//!
//! The initial contents are spread so the belt is in equilibrium with a steady inflow `r0`
//! (isee's steady-state rule): contents = `r0·(N·DT − F·DT·(N − 1)/2)` for linear leakage
//! and `r0·(1 − (1 − F·DT)^N)/F` for exponential leakage.
//!
//! A capacity or inflow limit cuts the inflows back (see [`limit_inflows`]).

use super::eqn_text::quoted;
use super::reader::{is_true, text_of, Cx};
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::names::canonical;
use crate::model::{Equation, Expr, Method, VarKind, Variable};
use roxmltree::Node;

/// What a stock or flow element says beyond an ordinary stock or flow.
#[derive(Debug, Clone)]
pub(super) enum Role {
    /// A conveyor stock.
    Conveyor {
        /// Transit time (`<len>`) equation text.
        len: String,
        /// Whether leakage is exponential.
        exponential: bool,
        /// Most the belt may hold (`<capacity>`) and most that may enter per time unit
        /// (`<in_limit>`), equation texts; the inflows are cut back to respect them.
        limits: Limits,
    },
    /// A leakage outflow of a conveyor; `fraction` is the `<leak>` value when written there
    /// rather than in the flow's `<eqn>`.
    Leak {
        /// Leak fraction written in `<leak>…</leak>`.
        fraction: Option<String>,
    },
}

/// A conveyor's capacity and inflow limit, equation texts (`None`: unlimited).
#[derive(Debug, Clone, Default)]
pub(super) struct Limits {
    /// `<capacity>`.
    pub capacity: Option<String>,
    /// `<in_limit>`.
    pub in_limit: Option<String>,
}

impl Limits {
    /// Both texts, for rewriting the names in them.
    pub(super) fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        self.capacity.iter_mut().chain(self.in_limit.iter_mut())
    }
}

/// The role of `node`, refusing options sandtable does not simulate (never a silent plain
/// stock): queues, ovens, and conveyor sampling, arrest, discrete belts, leak zones and
/// whole-unit leaks.
pub(super) fn inspect(cx: &Cx, node: Node) -> Result<Option<Role>, Diagnostic> {
    let name = node.attribute("name").unwrap_or("?");
    let refuse = |what: &str, at: Node| {
        Err(Diagnostic::new(
            format!("`{name}` uses {what}, which sandtable does not simulate"),
            cx.at(at),
        )
        .with_hint(
            "replace it with ordinary stocks and flows (see docs/conformance.md, conveyors)",
        ))
    };
    match node.tag_name().name() {
        "stock" => {
            if let Some(q) = cx.child(node, "queue") {
                return refuse("a queue (<queue/>)", q);
            }
            if let Some(o) = node.children().find(|c| c.tag_name().name() == "oven") {
                return refuse("an oven", o);
            }
            let Some(conv) = cx.child(node, "conveyor") else {
                return Ok(None);
            };
            let mut limits = Limits::default();
            for opt in ["capacity", "in_limit", "sample", "arrest"] {
                if let Some(o) = cx.child(conv, opt) {
                    let text = text_of(o).trim().to_string();
                    let v = text.to_ascii_lowercase();
                    if v.is_empty() || v == "inf" || (opt == "arrest" && v == "0") {
                        continue;
                    }
                    match opt {
                        "capacity" => limits.capacity = Some(text),
                        "in_limit" => limits.in_limit = Some(text),
                        _ => return refuse(&format!("a conveyor <{opt}>"), o),
                    }
                }
            }
            if is_true(conv.attribute("discrete")) {
                return refuse("a discrete conveyor (discrete=\"true\")", conv);
            }
            let len = cx
                .child(conv, "len")
                .map(|l| text_of(l).trim().to_string())
                .filter(|l| !l.is_empty())
                .ok_or_else(|| {
                    Diagnostic::new(
                        format!("conveyor `{name}` has no transit time (<len>)"),
                        cx.at(conv),
                    )
                    .with_hint("write the transit time: <conveyor><len>4</len></conveyor>")
                })?;
            Ok(Some(Role::Conveyor {
                len,
                exponential: is_true(conv.attribute("exponential_leak")),
                limits,
            }))
        }
        "flow" => {
            let Some(leak) = cx.child(node, "leak") else {
                return Ok(None);
            };
            if let Some(li) = cx.child(node, "leak_integers") {
                return refuse("whole-unit leakage (<leak_integers/>)", li);
            }
            for (attr, default) in [("leak_start", 0.0), ("leak_end", 1.0)] {
                if let Some(v) = node.attribute(attr) {
                    if v.trim().parse::<f64>().ok() != Some(default) {
                        return refuse(&format!("a leak zone ({attr}=\"{v}\")"), node);
                    }
                }
            }
            let fraction = Some(text_of(leak).trim().to_string()).filter(|t| !t.is_empty());
            Ok(Some(Role::Leak { fraction }))
        }
        _ => Ok(None),
    }
}

/// Rewrites the outflows of every conveyor into their belt equations (see the module docs).
/// `roles` pairs variable indices with what [`inspect`] found, equation texts already in
/// flattened names.
pub(super) fn apply(
    variables: &mut [Variable],
    roles: &[(usize, Role)],
    method: Method,
) -> Result<(), Diagnostic> {
    for (i, role) in roles {
        let Role::Conveyor {
            len,
            exponential,
            limits,
        } = role
        else {
            continue;
        };
        let conveyor = &variables[*i];
        let at = conveyor.at.clone();
        if method != Method::Euler {
            return Err(Diagnostic::new(
                format!(
                    "conveyor `{}` needs Euler integration; the file asks for {}",
                    conveyor.name,
                    method.name().to_uppercase()
                ),
                at,
            )
            .with_hint("a conveyor moves one slat per DT; set method=\"Euler\" in <sim_specs>"));
        }
        let VarKind::Stock {
            inflows, outflows, ..
        } = &conveyor.kind
        else {
            continue;
        };
        let (main, leaks) = split_outflows(variables, roles, outflows, &conveyor.name, &at)?;
        let (name, inflow_names) = (conveyor.name.clone(), inflows.clone());
        let incoming = if inflows.is_empty() {
            "0".to_string()
        } else {
            inflows
                .iter()
                .map(|f| quoted(f))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let mut fractions = Vec::new();
        for &(k, ref fraction) in &leaks {
            let text = match fraction {
                Some(t) => t.clone(),
                None => equation_text(&variables[k]).ok_or_else(|| {
                    Diagnostic::new(
                        format!("leakage `{}` has no leak fraction", variables[k].name),
                        variables[k].at.clone(),
                    )
                    .with_hint("give the leak fraction as the flow's equation, e.g. 0.1")
                })?,
            };
            fractions.push(format!("({text})"));
        }
        let c = quoted(&conveyor.name);
        let total = if fractions.is_empty() {
            "0".to_string()
        } else {
            fractions.join(" + ")
        };
        let t = format!("({len})");
        let n = format!("MAX(1, ROUND({t} / DT))");
        let r0 = if *exponential {
            format!(
                "SAFEDIV(INIT({c}) * ({total}), 1 - (1 - ({total}) * DT) ^ {n}, INIT({c}) / ({n} * DT))"
            )
        } else {
            format!("INIT({c}) / ({n} * DT - ({total}) * DT * ({n} - 1) / 2)")
        };
        let delayed = format!("DELAY({incoming}, {t}, {r0})");
        let main_eqn = if *exponential {
            format!("(1 - ({total}) * DT) ^ {n} * {delayed}")
        } else {
            format!("(1 - ({total})) * {delayed}")
        };
        let leak_eqns: Vec<(usize, String)> = leaks
            .iter()
            .zip(&fractions)
            .map(|(&(k, _), f)| {
                let eq = if *exponential {
                    format!("{f} * {c}")
                } else {
                    format!("{f} * CONVEYOR_MEAN_INFLOW({incoming}, {t}, {r0})")
                };
                (k, eq)
            })
            .collect();
        if let Some(m) = main {
            set_equation(&mut variables[m], main_eqn, &at);
        }
        let leaving: Vec<String> = main
            .iter()
            .chain(leaks.iter().map(|(k, _)| k))
            .map(|&k| quoted(&variables[k].name))
            .collect();
        for (k, eq) in leak_eqns {
            set_equation(&mut variables[k], eq, &at);
        }
        if limits.capacity.is_some() || limits.in_limit.is_some() {
            limit_inflows(variables, &name, &inflow_names, &leaving, limits, &at)?;
        }
    }
    Ok(())
}

/// Cuts back the inflows of conveyor `name` so that the belt never holds more than its
/// capacity after a step and no more than its inflow limit enters per time unit: the room
/// this step is `(capacity − belt)/DT` plus what leaves (exit and leaks), and the inflows
/// take it in the order the stock lists them, each at most its own equation's value.
fn limit_inflows(
    variables: &mut [Variable],
    name: &str,
    inflows: &[String],
    leaving: &[String],
    limits: &Limits,
    at: &SourceRef,
) -> Result<(), Diagnostic> {
    let c = quoted(name);
    let out = if leaving.is_empty() {
        "0".to_string()
    } else {
        leaving.join(" + ")
    };
    let mut room = match &limits.capacity {
        Some(cap) => format!("MAX(0, (({cap}) - {c}) / DT + {out})"),
        None => "INF".to_string(),
    };
    if let Some(limit) = &limits.in_limit {
        room = if limits.capacity.is_some() {
            format!("MIN({room}, MAX(0, {limit}))")
        } else {
            format!("MAX(0, {limit})")
        };
    }
    let mut before: Vec<String> = Vec::new();
    for flow in inflows {
        let k = flow_index(variables, flow, "inflow", name, at)?;
        let own = equation_text(&variables[k]).ok_or_else(|| {
            Diagnostic::new(
                format!(
                    "inflow `{}` of conveyor `{name}` (which has a capacity or an inflow limit) \
                     has no single equation",
                    variables[k].name
                ),
                variables[k].at.clone(),
            )
            .with_hint("give the inflow one equation; it is cut back to what the belt takes")
        })?;
        let left = if before.is_empty() {
            room.clone()
        } else {
            format!("MAX(0, {room} - ({}))", before.join(" + "))
        };
        let limited = format!("MIN(({own}), {left})");
        set_equation(&mut variables[k], limited, at);
        before.push(quoted(&variables[k].name));
    }
    Ok(())
}

type Leaks = Vec<(usize, Option<String>)>;

/// The conveyor's main outflow (the first outflow not marked as a leak) and its leakage
/// outflows, by variable index.
fn split_outflows(
    variables: &[Variable],
    roles: &[(usize, Role)],
    outflows: &[String],
    name: &str,
    at: &SourceRef,
) -> Result<(Option<usize>, Leaks), Diagnostic> {
    let mut main = None;
    let mut leaks = Vec::new();
    let any_marked = outflows
        .iter()
        .any(|f| leak_of(variables, roles, f).is_some());
    for (pos, flow) in outflows.iter().enumerate() {
        let k = flow_index(variables, flow, "outflow", name, at)?;
        match leak_of(variables, roles, flow) {
            Some(fraction) => leaks.push((k, fraction)),
            // Without <leak/> markers, XMILE takes every outflow after the first as a leak.
            None if !any_marked && pos > 0 => leaks.push((k, None)),
            None if main.is_none() => main = Some(k),
            None => {
                return Err(Diagnostic::new(
                    format!(
                    "conveyor `{name}` has two outflows that are not leakages: `{}` and `{flow}`",
                    variables[main.unwrap_or(k)].name
                ),
                    at.clone(),
                )
                .with_hint("mark leakage flows with <leak/>; a conveyor has one exit"))
            }
        }
    }
    Ok((main, leaks))
}

/// The index of the conveyor's `kind` (inflow, outflow) `flow` among the variables.
fn flow_index(
    variables: &[Variable],
    flow: &str,
    kind: &str,
    name: &str,
    at: &SourceRef,
) -> Result<usize, Diagnostic> {
    let key = canonical(flow);
    variables
        .iter()
        .position(|v| canonical(&v.name) == key)
        .ok_or_else(|| {
            let message = format!("conveyor `{name}` lists unknown {kind} `{flow}`");
            Diagnostic::new(message, at.clone())
        })
}

fn leak_of(variables: &[Variable], roles: &[(usize, Role)], flow: &str) -> Option<Option<String>> {
    let key = canonical(flow);
    roles.iter().find_map(|(i, r)| match r {
        Role::Leak { fraction } if canonical(&variables[*i].name) == key => Some(fraction.clone()),
        _ => None,
    })
}

fn equation_text(v: &Variable) -> Option<String> {
    match &v.equation {
        Some(Equation::All(e)) => Some(e.text.clone()),
        _ => None,
    }
}

fn set_equation(v: &mut Variable, text: String, at: &SourceRef) {
    let at = match &v.equation {
        Some(Equation::All(e)) => e.at.clone(),
        _ => at.clone(),
    };
    v.equation = Some(Equation::All(Expr { text, at }));
}
