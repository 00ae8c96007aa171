//! Conveyors (`<stock><conveyor>`) written as equations over a fixed delay line, queues
//! wired to the conveyors they feed, and the refusal of stock options that are not simulated
//! (ovens, conveyor sampling and arrest).
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
//! Leak zones, whole-unit leaks and discrete belts are in [`super::belt`]. A capacity or
//! inflow limit cuts the inflows back (see [`limit_inflows`]).

use super::belt::{self, Belt, LeakSpec};
use super::eqn_text::quoted;
use super::queue;
use super::reader::{is_true, text_of, Cx};
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::names::canonical;
use crate::model::{Equation, Method, SimSpecs, VarKind, Variable};
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
        /// `discrete="true"`: the initial contents leave in one package per time unit.
        discrete: bool,
        /// How it takes batches from a queue feeding it: only the front batch each step
        /// (`one_at_a_time`, by default), and never splitting one (`batch_integrity`).
        single: bool,
        /// See `single`.
        whole: bool,
    },
    /// A leakage outflow of a conveyor; `fraction` is the `<leak>` value when written there
    /// rather than in the flow's `<eqn>`.
    Leak {
        /// Leak fraction written in `<leak>…</leak>`.
        fraction: Option<String>,
        /// `leak_start`, `leak_end`: the part of the belt it leaks from (fractions from
        /// the entry).
        zone: (f64, f64),
        /// `<leak_integers/>`: whole units only.
        integers: bool,
    },
    /// A queue stock (`<queue/>`).
    Queue,
    /// A queue's overflow outflow (`<overflow/>`).
    Overflow,
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
/// stock): ovens, conveyor sampling and arrest.
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
            if let Some(o) = node.children().find(|c| c.tag_name().name() == "oven") {
                return refuse("an oven", o);
            }
            let conveyor = cx.child(node, "conveyor");
            if let Some(q) = cx.child(node, "queue") {
                if conveyor.is_some() {
                    return refuse("both a queue and a conveyor", q);
                }
                return Ok(Some(Role::Queue));
            }
            let Some(conv) = conveyor else {
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
                discrete: is_true(conv.attribute("discrete")),
                single: conv
                    .attribute("one_at_a_time")
                    .is_none_or(|v| is_true(Some(v))),
                whole: is_true(conv.attribute("batch_integrity")),
            }))
        }
        "flow" => {
            let Some(leak) = cx.child(node, "leak") else {
                if cx.child(node, "overflow").is_some() {
                    return Ok(Some(Role::Overflow));
                }
                return Ok(None);
            };
            let mut zone = (0.0, 1.0);
            for (attr, bound) in [("leak_start", &mut zone.0), ("leak_end", &mut zone.1)] {
                if let Some(v) = node.attribute(attr) {
                    match v.trim().parse::<f64>() {
                        Ok(x) if (0.0..=1.0).contains(&x) => *bound = x,
                        _ => return Err(Diagnostic::new(
                            format!(
                                "leak zone of `{name}`: {attr}=\"{v}\" is not a number from 0 to 1"
                            ),
                            cx.at(node),
                        )
                        .with_hint(
                            "leak_start and leak_end are fractions of the belt from its entry",
                        )),
                    }
                }
            }
            if zone.0 > zone.1 {
                return Err(Diagnostic::new(
                    format!(
                        "leak zone of `{name}` starts at {} after it ends at {}",
                        zone.0, zone.1
                    ),
                    cx.at(node),
                )
                .with_hint("leak_start must not exceed leak_end"));
            }
            let fraction = Some(text_of(leak).trim().to_string()).filter(|t| !t.is_empty());
            Ok(Some(Role::Leak {
                fraction,
                zone,
                integers: cx.child(node, "leak_integers").is_some(),
            }))
        }
        _ => Ok(None),
    }
}

/// Rewrites the outflows of every conveyor into their belt equations (see the module docs),
/// and the outflows of every queue (see [`super::queue`]). `roles` pairs variable indices
/// with what [`inspect`] found, equation texts already in flattened names.
pub(super) fn apply(
    variables: &mut [Variable],
    roles: &[(usize, Role)],
    sim: &SimSpecs,
) -> Result<(), Diagnostic> {
    let queues = queue::queues(variables, roles)?;
    let mut fed = vec![false; queues.len()];
    for (i, role) in roles {
        let Role::Conveyor {
            len,
            exponential,
            limits,
            discrete,
            single,
            whole,
        } = role
        else {
            if matches!(role, Role::Queue) && sim.method != Method::Euler {
                return Err(euler_only("queue", &variables[*i], sim.method));
            }
            continue;
        };
        let conveyor = &variables[*i];
        let at = conveyor.at.clone();
        if sim.method != Method::Euler {
            return Err(euler_only("conveyor", conveyor, sim.method));
        }
        let VarKind::Stock {
            inflows, outflows, ..
        } = &conveyor.kind
        else {
            continue;
        };
        let (main, leaks) = split_outflows(variables, roles, outflows, &conveyor.name, &at)?;
        let (name, inflow_names) = (conveyor.name.clone(), inflows.clone());
        let from_queue = inflows
            .iter()
            .any(|f| queue::fed_by(&queues, variables, f).is_some());
        // isee: a conveyor fed by a queue is always discrete.
        let discrete = *discrete || from_queue;
        let mut specs = Vec::new();
        for &(k, ref fraction, zone, integers) in &leaks {
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
            specs.push(LeakSpec {
                k,
                f: format!("({text})"),
                zone,
                integers,
            });
        }
        let belt = Belt::new(&name, &inflow_names, len);
        let refuse = |what: &str| {
            Err(Diagnostic::new(
                format!("conveyor `{name}` {what}, which sandtable does not simulate"),
                at.clone(),
            )
            .with_hint("see docs/conformance.md, conveyors"))
        };
        let (main_eqn, leak_eqns) = if discrete {
            if !specs.is_empty() {
                return refuse("is discrete and leaks");
            }
            if limits.in_limit.is_some() && sim.dt != 1.0 {
                return refuse(
                    "is discrete with an inflow limit and DT ≠ 1 (the limit then applies per \
                     time unit, not per DT)",
                );
            }
            (belt::discrete(&belt), Vec::new())
        } else {
            if *exponential && specs.iter().any(|l| l.zone != specs[0].zone) {
                return refuse("has exponential leaks over different zones");
            }
            belt::continuous(&belt, &specs, *exponential)
        };
        if let Some(m) = main {
            queue::set(&mut variables[m], main_eqn, &at);
        }
        let leaving: Vec<String> = main
            .iter()
            .chain(leaks.iter().map(|(k, ..)| k))
            .map(|&k| quoted(&variables[k].name))
            .collect();
        for (k, eq) in leak_eqns {
            queue::set(&mut variables[k], eq, &at);
        }
        let how = (*single, *whole);
        for (q, flag) in queues.iter().zip(fed.iter_mut()) {
            *flag |= q.primary.is_some_and(|p| {
                inflow_names
                    .iter()
                    .any(|f| canonical(f) == canonical(&variables[p].name))
            });
        }
        let room = Room {
            conveyor: &name,
            leaving: &leaving,
            limits,
        };
        limit_inflows(variables, &queues, &inflow_names, &room, how, &at)?;
    }
    for (q, fed) in queues.iter().zip(fed) {
        if !fed {
            queue::drain(variables, q);
        }
    }
    Ok(())
}

fn euler_only(what: &str, v: &Variable, method: Method) -> Diagnostic {
    Diagnostic::new(
        format!(
            "{what} `{}` needs Euler integration; the file asks for {}",
            v.name,
            method.name().to_uppercase()
        ),
        v.at.clone(),
    )
    .with_hint(format!(
        "a {what} moves one step per DT; set method=\"Euler\" in <sim_specs>"
    ))
}

/// What bounds a conveyor's inflows: its capacity less what it holds, plus what leaves it.
struct Room<'a> {
    conveyor: &'a str,
    leaving: &'a [String],
    limits: &'a Limits,
}

impl Room<'_> {
    /// The most that may enter per time unit, or `None` when unlimited.
    fn text(&self) -> Option<String> {
        let c = quoted(self.conveyor);
        let out = if self.leaving.is_empty() {
            "0".to_string()
        } else {
            self.leaving.join(" + ")
        };
        let mut room = self
            .limits
            .capacity
            .as_ref()
            .map(|cap| format!("MAX(0, (({cap}) - {c}) / DT + {out})"));
        if let Some(limit) = &self.limits.in_limit {
            room = Some(match room {
                Some(r) => format!("MIN({r}, MAX(0, {limit}))"),
                None => format!("MAX(0, {limit})"),
            });
        }
        room
    }
}

/// Cuts back the inflows of a conveyor so that the belt never holds more than its capacity
/// after a step and no more than its inflow limit enters per time unit: the room this step
/// is `(capacity − belt)/DT` plus what leaves (exit and leaks), and the inflows take it in
/// the order the stock lists them, each at most its own equation's value. An inflow that is
/// a queue's outflow takes batches from the queue within that room (`how`: one at a time,
/// whole batches).
fn limit_inflows(
    variables: &mut [Variable],
    queues: &[queue::Queue],
    inflows: &[String],
    room: &Room,
    (single, whole): (bool, bool),
    at: &SourceRef,
) -> Result<(), Diagnostic> {
    let name = room.conveyor;
    let total = room.text();
    let mut before: Vec<String> = Vec::new();
    for flow in inflows {
        let k = flow_index(variables, flow, "inflow", name, at)?;
        let left = match &total {
            None => "INF".to_string(),
            Some(r) if before.is_empty() => r.clone(),
            Some(r) => format!("MAX(0, {r} - ({}))", before.join(" + ")),
        };
        before.push(quoted(&variables[k].name));
        if let Some(q) = queue::fed_by(queues, variables, flow) {
            let own = queue::take(variables, q, &left, single, whole, 0);
            if let Some(o) = q.overflow {
                let spill = queue::take(variables, q, &left, single, whole, 1);
                queue::set(&mut variables[o], spill, at);
            }
            queue::set(&mut variables[k], own, at);
            continue;
        }
        if total.is_none() {
            continue;
        }
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
        queue::set(&mut variables[k], format!("MIN(({own}), {left})"), at);
    }
    Ok(())
}

type Leaks = Vec<(usize, Option<String>, (f64, f64), bool)>;

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
            Some((fraction, zone, integers)) => leaks.push((k, fraction, zone, integers)),
            // Without <leak/> markers, XMILE takes every outflow after the first as a leak.
            None if !any_marked && pos > 0 => leaks.push((k, None, (0.0, 1.0), false)),
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

fn leak_of(
    variables: &[Variable],
    roles: &[(usize, Role)],
    flow: &str,
) -> Option<(Option<String>, (f64, f64), bool)> {
    let key = canonical(flow);
    roles.iter().find_map(|(i, r)| match r {
        Role::Leak {
            fraction,
            zone,
            integers,
        } if canonical(&variables[*i].name) == key => Some((fraction.clone(), *zone, *integers)),
        _ => None,
    })
}

fn equation_text(v: &Variable) -> Option<String> {
    match &v.equation {
        Some(Equation::All(e)) => Some(e.text.clone()),
        _ => None,
    }
}
