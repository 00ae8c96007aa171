//! Vensim functions written as engine equations. Each either maps onto an engine builtin with
//! the same semantics (`SMOOTH` → `SMTH1`, `DELAY FIXED` → `DELAY`, ...) or is spelled out in
//! engine terms (`PULSE`, `PULSE TRAIN`, `FORECAST`, `QUANTUM`); lookups and macros become
//! variables of their own.

use super::build::{expr_at, table_gf, variable, Gathered};
use super::defs::{Def, Rhs};
use super::emit::{element_table_name, quoted, Emitter, Env};
use super::expr::{Ex, Sub};
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::names::canonical;
use crate::model::{Equation, GfKind, VarKind};

/// Engine text for the call `name[subs](args)` under `env`.
pub fn call(
    em: &mut Emitter,
    name: &str,
    subs: &[Sub],
    args: &[Ex],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let key = canonical(name);
    let found = em
        .infos
        .get(&key)
        .filter(|i| i.is_table || !is_function(&key));
    if let Some(info) = found.cloned() {
        if !info.is_table {
            return Err(em
                .err(at, format!("`{name}` is a variable, not a lookup"))
                .with_hint("remove the parentheses, or define it as a lookup table"));
        }
        let [x] = args else {
            return Err(em.err(at, format!("the lookup `{name}` takes one input")));
        };
        let elems = em.elements(&info, subs, at, env)?;
        let target = if elems.is_empty() {
            info.name.clone()
        } else {
            element_table_name(&info.name, &elems)
        };
        return Ok(format!("{}({})", quoted(&target), em.emit(x, env)?));
    }
    if let Some(m) = em.macros.iter().position(|h| canonical(&h.name) == key) {
        return macro_call(em, m, args, at, env);
    }
    let direct: Option<(&str, usize, usize)> = match key.as_str() {
        "abs" | "exp" | "ln" | "sqrt" | "sin" | "cos" | "tan" | "arcsin" | "arccos" | "arctan"
        | "sinh" | "cosh" | "tanh" => Some((key.as_str(), 1, 1)),
        "integer" => Some(("INT", 1, 1)),
        "modulo" => Some(("MODULO", 2, 2)),
        "min" | "max" => Some((key.as_str(), 2, 2)),
        "xidz" => Some(("XIDZ", 3, 3)),
        "zidz" => Some(("ZIDZ", 2, 2)),
        "step" => Some(("STEP", 2, 2)),
        "ramp" => Some(("RAMP", 3, 3)),
        "smooth" => Some(("SMTH1", 2, 2)),
        "smoothi" => Some(("SMTH1", 3, 3)),
        "smooth3" => Some(("SMTH3", 2, 2)),
        "smooth3i" => Some(("SMTH3", 3, 3)),
        "delay1" => Some(("DELAY1", 2, 2)),
        "delay1i" => Some(("DELAY1", 3, 3)),
        "delay3" => Some(("DELAY3", 2, 2)),
        "delay3i" => Some(("DELAY3", 3, 3)),
        "delay_fixed" => Some(("DELAY", 3, 3)),
        "trend" => Some(("TREND", 3, 3)),
        _ => None,
    };
    if let Some((f, lo, hi)) = direct {
        check_arity(em, name, args.len(), at, lo, hi)?;
        let mut parts = args
            .iter()
            .map(|a| em.emit(a, env))
            .collect::<Result<Vec<_>, _>>()?;
        if matches!(key.as_str(), "smooth" | "smooth3" | "delay1" | "delay3") {
            // The implicit initial value is the input as computed during initialisation,
            // which differs from the running input under `ACTIVE INITIAL`.
            let outer = std::mem::replace(&mut em.init_mode, true);
            let init = em.emit(&args[0], env);
            em.init_mode = outer;
            let init = init?;
            if init != parts[0] {
                parts.push(init);
            }
        }
        return Ok(format!("{}({})", f.to_uppercase(), parts.join(", ")));
    }
    spelled_out(em, &key, name, args, at, env)
}

/// Vensim functions written out as engine expressions.
fn spelled_out(
    em: &mut Emitter,
    key: &str,
    name: &str,
    args: &[Ex],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let a = |em: &mut Emitter, i: usize| em.emit(&args[i], env);
    Ok(match key {
        "if_then_else" => {
            check_arity(em, name, args.len(), at, 3, 3)?;
            format!("(IF {} THEN {} ELSE {})", a(em, 0)?, a(em, 1)?, a(em, 2)?)
        }
        "get_time_value" => {
            // Only the simulation clock (relative to 0, measured in the model's time unit)
            // is defined without a calendar.
            check_arity(em, name, args.len(), at, 3, 3)?;
            match (&args[0], &args[2]) {
                (Ex::Num(r), Ex::Num(m)) if *r == 0.0 && *m == 0.0 => {
                    format!("(Time + {})", a(em, 1)?)
                }
                _ => {
                    return Err(em
                        .err(
                            at,
                            "GET TIME VALUE is read only as GET TIME VALUE(0, offset, 0)",
                        )
                        .with_hint("calendar and wall-clock times are not supported"))
                }
            }
        }
        "active_initial" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            let which = usize::from(em.init_mode);
            a(em, which)?
        }
        "initial" => {
            check_arity(em, name, args.len(), at, 1, 1)?;
            let outer = std::mem::replace(&mut em.init_mode, true);
            let x = a(em, 0);
            em.init_mode = outer;
            format!("INIT({})", x?)
        }
        "game" => {
            check_arity(em, name, args.len(), at, 1, 1)?;
            a(em, 0)?
        }
        "power" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            format!("({} ^ {})", a(em, 0)?, a(em, 1)?)
        }
        "log" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            format!("(LN({}) / LN({}))", a(em, 0)?, a(em, 1)?)
        }
        "quantum" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            let (x, q) = (a(em, 0)?, a(em, 1)?);
            format!("(IF {q} <= 0 THEN {x} ELSE {q} * INT({x} / {q}))")
        }
        "smooth_n" | "delay_n" => {
            // Vensim writes (input, time, initial, order); the engine (input, time, order, initial).
            check_arity(em, name, args.len(), at, 4, 4)?;
            let f = if key == "smooth_n" { "SMTHN" } else { "DELAYN" };
            // The engine fixes the order when compiling: a constant's value stands in for it.
            let mut order = initial_value(em, &args[3], 0);
            if key == "delay_n" {
                // Vensim lowers the order of DELAY N until each stage lasts at least one
                // time step (a delay of 2.5 steps runs with order 2).
                let stages = initial_value(em, &args[1], 0).map(|d| (d / em.dt + 1e-9).floor());
                if let (Some(n), Some(s)) = (order, stages) {
                    order = Some(n.min(s).max(1.0));
                }
            }
            if let (Some(o), "delay_n") = (order, key) {
                let (x, d, i) = (a(em, 0)?, a(em, 1)?, a(em, 2)?);
                return Ok(super::delayn::delay_n(em, &x, &d, &i, o as usize, at));
            }
            let order = order.map(super::emit::num);
            let order = match order {
                Some(o) => o,
                None => a(em, 3)?,
            };
            format!("{f}({}, {}, {order}, {})", a(em, 0)?, a(em, 1)?, a(em, 2)?)
        }
        "pulse" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            let (start, width) = (a(em, 0)?, a(em, 1)?);
            format!(
                "(IF (Time >= {start} - DT / 1000000) and (Time < {start} + MAX(DT, {width}) - DT / 1000000) THEN 1 ELSE 0)"
            )
        }
        "pulse_train" => {
            check_arity(em, name, args.len(), at, 4, 4)?;
            let (start, width, every, end) = (a(em, 0)?, a(em, 1)?, a(em, 2)?, a(em, 3)?);
            format!(
                "(IF (Time >= {start} - DT / 1000000) and (Time <= {end} + DT / 1000000) THEN (IF MODULO(Time - {start} + DT / 1000000, {every}) < MAX(DT, {width}) THEN 1 ELSE 0) ELSE 0)"
            )
        }
        "forecast" => {
            check_arity(em, name, args.len(), at, 3, 3)?;
            let (x, t, h) = (a(em, 0)?, a(em, 1)?, a(em, 2)?);
            format!("({x} * (1 + ZIDZ({x} - SMTH1({x}, {t}), {t} * ABS(SMTH1({x}, {t}))) * {h}))")
        }
        _ => return ranges_and_tables(em, key, name, args, at, env),
    })
}

/// Sums over ranges, lookups called with another rule, `SAMPLE IF TRUE`, and the errors for
/// what has no translation.
fn ranges_and_tables(
    em: &mut Emitter,
    key: &str,
    name: &str,
    args: &[Ex],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let a = |em: &mut Emitter, i: usize| em.emit(&args[i], env);
    Ok(match key {
        "sum" | "prod" | "vmin" | "vmax" => {
            check_arity(em, name, args.len(), at, 1, 1)?;
            let terms = em.expand(&args[0], env)?;
            match key {
                "sum" => format!("({})", terms.join(" + ")),
                "prod" => format!("({})", terms.join(" * ")),
                "vmin" => fold("MIN", &terms),
                _ => fold("MAX", &terms),
            }
        }
        "elmcount" => {
            check_arity(em, name, args.len(), at, 1, 1)?;
            match &args[0] {
                Ex::Ref { name, .. } if em.dims.get(name).is_some() => {
                    let d = em.dims.get(name).unwrap_or(0);
                    super::emit::num(em.dims.list[d].elements.len() as f64)
                }
                _ => return Err(em.err(at, "ELMCOUNT takes the name of a subscript range")),
            }
        }
        "with_lookup" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            let Ex::Table(t) = &args[1] else {
                return Err(em.err(at, "WITH LOOKUP needs a table as its second argument"));
            };
            let gf = table_gf(t, GfKind::Continuous, em.file, at)?;
            let table = hidden_table(em, name, gf, at);
            format!("{}({})", quoted(&table), a(em, 0)?)
        }
        "lookup_extrapolate" | "lookup_forward" | "lookup_backward" => {
            check_arity(em, name, args.len(), at, 2, 2)?;
            let kind = match key {
                "lookup_extrapolate" => GfKind::Extrapolate,
                "lookup_backward" => GfKind::Discrete,
                _ => return Err(em.err(at, "LOOKUP FORWARD is not supported")),
            };
            let Ex::Ref {
                name: t,
                subs,
                at: tat,
            } = &args[0]
            else {
                return Err(em.err(at, format!("{name} takes a lookup's name first")));
            };
            let source = lookup_source(em, t, subs, *tat, env)?;
            let mut gf = em
                .extra
                .iter()
                .chain(em.tables.iter())
                .find(|v| canonical(&v.name) == canonical(&source))
                .and_then(|v| v.gf.clone())
                .ok_or_else(|| em.err(*tat, format!("`{t}` is not a lookup")))?;
            gf.kind = kind;
            let table = hidden_table(em, &format!("{t} {key}"), gf, at);
            format!("{}({})", quoted(&table), a(em, 1)?)
        }
        "sample_if_true" => {
            check_arity(em, name, args.len(), at, 3, 3)?;
            let (c, x, i) = (a(em, 0)?, a(em, 1)?, a(em, 2)?);
            sampled(em, &c, &x, &i, at)
        }
        "integ" => {
            return Err(em
                .err(
                    at,
                    "INTEG must be the whole right-hand side of a stock's equation",
                )
                .with_hint("move the INTEG into a variable of its own"))
        }
        "a_function_of" => {
            return Err(em
                .err(
                    at,
                    "`A FUNCTION OF` is a placeholder for an equation not yet written",
                )
                .with_hint("write the equation in Vensim first"))
        }
        _ => {
            if let Some(text) = super::vecfuncs::call(em, key, name, args, at, env) {
                return text;
            }
            return Err(em
                .err(at, format!("the Vensim function `{name}` is not supported"))
                .with_hint("see docs/conformance.md for the Vensim functions sandtable reads"));
        }
    })
}

/// Fails unless `count` arguments lie in `lo..=hi`.
fn check_arity(
    em: &Emitter,
    name: &str,
    count: usize,
    at: usize,
    lo: usize,
    hi: usize,
) -> Result<(), Diagnostic> {
    if count < lo || count > hi {
        let want = if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo} to {hi}")
        };
        return Err(em.err(
            at,
            format!("{name} takes {want} argument(s), {count} given"),
        ));
    }
    Ok(())
}

/// The value of a scalar expression at the initial time when it can be known before the run
/// (numbers, scalar variables, `Time`, `STEP`, `IF THEN ELSE`): orders of `SMOOTH N` and
/// `DELAY N`, which Vensim fixes when the run starts.
fn initial_value(em: &Emitter, e: &Ex, depth: usize) -> Option<f64> {
    if depth > 50 {
        return None;
    }
    let go = |x: &Ex| initial_value(em, x, depth + 1);
    Some(match e {
        Ex::Num(v) => *v,
        Ex::Ref { name, subs, .. } if subs.is_empty() => {
            let key = canonical(name);
            if key == "time" || key == "initial_time" {
                return Some(em.start);
            }
            match em.gathered.get(&key)?.defs.as_slice() {
                [Def {
                    subs,
                    rhs: Rhs::Expr(x),
                    ..
                }] if subs.is_empty() => go(x)?,
                _ => return None,
            }
        }
        Ex::Un("-", a) => -go(a)?,
        Ex::Un("+", a) => go(a)?,
        Ex::Bin(op, a, b) => {
            let (x, y) = (go(a)?, go(b)?);
            match *op {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" => x / y,
                "^" => x.powf(y),
                "<" => f64::from(x < y),
                ">" => f64::from(x > y),
                "<=" => f64::from(x <= y),
                ">=" => f64::from(x >= y),
                "=" => f64::from(x == y),
                "<>" => f64::from(x != y),
                _ => return None,
            }
        }
        Ex::Call { name, args, .. } => match (canonical(name).as_str(), args.as_slice()) {
            ("step", [h, t]) => {
                if em.start >= go(t)? {
                    go(h)?
                } else {
                    0.0
                }
            }
            ("if_then_else", [c, a, b]) => {
                if go(c)? != 0.0 {
                    go(a)?
                } else {
                    go(b)?
                }
            }
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether `key` (canonical) names a Vensim function this reader translates.
fn is_function(key: &str) -> bool {
    matches!(
        key,
        "sample_if_true"
            | "smooth"
            | "smoothi"
            | "smooth3"
            | "smooth3i"
            | "delay1"
            | "delay1i"
            | "delay3"
            | "delay3i"
            | "delay_fixed"
            | "delay_n"
            | "smooth_n"
            | "trend"
            | "forecast"
            | "initial"
            | "if_then_else"
            | "pulse"
            | "pulse_train"
            | "step"
            | "ramp"
            | "with_lookup"
            | "game"
            | "sum"
            | "prod"
            | "vmin"
            | "vmax"
            | "active_initial"
            | "get_time_value"
            | "allocate_by_priority"
            | "allocate_available"
            | "vector_select"
            | "invert_matrix"
            | "vector_sort_order"
            | "vector_rank"
            | "vector_reorder"
            | "vector_elm_map"
    )
}

fn fold(f: &str, terms: &[String]) -> String {
    if terms.len() == 1 {
        return terms[0].clone();
    }
    format!("{f}({})", terms.join(", "))
}

/// The name of the scalar table a reference to lookup `t` designates under `env`.
fn lookup_source(
    em: &Emitter,
    t: &str,
    subs: &[Sub],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let info = em
        .infos
        .get(&canonical(t))
        .filter(|i| i.is_table)
        .cloned()
        .ok_or_else(|| em.err(at, format!("`{t}` is not a lookup")))?;
    let elems = em.elements(&info, subs, at, env)?;
    Ok(if elems.is_empty() {
        info.name
    } else {
        element_table_name(&info.name, &elems)
    })
}

fn hidden_table(
    em: &mut Emitter,
    base: &str,
    gf: crate::model::GraphicalFunction,
    at: usize,
) -> String {
    let name = em.fresh_name(&format!("{base} table"));
    if let Some(info) = em.infos.get_mut(&canonical(&name)) {
        info.is_table = true;
    }
    let at = SourceRef::at_offset(em.file, at);
    em.extra.push(variable(
        name.clone(),
        VarKind::Aux,
        Vec::new(),
        None,
        Some(gf),
        at,
    ));
    name
}

/// `SAMPLE IF TRUE`: a hidden stock holds the last sample; the value is the input while the
/// condition holds and the stock otherwise.
fn sampled(em: &mut Emitter, c: &str, x: &str, init: &str, at: usize) -> String {
    let stock = em.fresh_name("sample if true");
    let flow = em.fresh_name(&format!("{stock} update"));
    let src = SourceRef::at_offset(em.file, at);
    let s = quoted(&stock);
    em.extra.push(variable(
        stock.clone(),
        VarKind::Stock {
            inflows: vec![flow.clone()],
            outflows: Vec::new(),
            non_negative: false,
        },
        Vec::new(),
        Some(Equation::All(expr_at(
            format!("(IF {c} THEN {x} ELSE {init})"),
            em.file,
            at,
        ))),
        None,
        src.clone(),
    ));
    em.extra.push(variable(
        flow,
        VarKind::Flow {
            non_negative: false,
        },
        Vec::new(),
        Some(Equation::All(expr_at(
            format!("(IF {c} THEN ({x} - {s}) / DT ELSE 0)"),
            em.file,
            at,
        ))),
        None,
        src,
    ));
    format!("(IF {c} THEN {x} ELSE {s})")
}

/// One instance of a macro: its variables copied under fresh names, its inputs replaced by
/// the call's arguments.
fn macro_call(
    em: &mut Emitter,
    m: usize,
    args: &[Ex],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let header = em.macros[m].clone();
    if args.len() != header.params.len() {
        return Err(em.err(
            at,
            format!(
                "the macro `{}` takes {} argument(s), {} given",
                header.name,
                header.params.len(),
                args.len()
            ),
        ));
    }
    if !header.outputs.is_empty() {
        return Err(em.err(
            at,
            format!(
                "macros with extra outputs (`{}`) are not supported",
                header.name
            ),
        ));
    }
    let texts = args
        .iter()
        .map(|a| em.emit(a, env).map(|t| format!("({t})")))
        .collect::<Result<Vec<_>, _>>()?;
    em.counter += 1;
    let prefix = format!("{} ⟨{}⟩", header.name, em.counter);
    let body = em.macro_vars[m].clone();
    let locals: Vec<String> = body.iter().map(|g| canonical(&g.name)).collect();
    let params: Vec<String> = header.params.iter().map(|p| canonical(p)).collect();
    let rename = |n: &str| format!("{prefix} {n}");
    let mut result = None;
    for g in body {
        if g.defs.iter().any(|d| !d.subs.is_empty()) {
            return Err(em.err(
                g.defs[0].at,
                "subscripted variables inside macros are not supported",
            ));
        }
        let new_name = rename(&g.name);
        if canonical(&g.name) == canonical(&header.name) {
            result = Some(new_name.clone());
        }
        let defs = g
            .defs
            .iter()
            .map(|d| Def {
                rhs: match &d.rhs {
                    Rhs::Expr(e) => Rhs::Expr(substitute(e, &params, &texts, &locals, &rename)),
                    Rhs::Stock(r, i) => Rhs::Stock(
                        substitute(r, &params, &texts, &locals, &rename),
                        substitute(i, &params, &texts, &locals, &rename),
                    ),
                    other => other.clone(),
                },
                ..d.clone()
            })
            .collect();
        let is_table = g.defs.iter().all(|d| d.rhs.is_table());
        em.infos.insert(
            canonical(&new_name),
            super::emit::VarInfo {
                name: new_name.clone(),
                dims: Vec::new(),
                is_table,
                is_stock: g.defs.iter().all(|d| matches!(d.rhs, Rhs::Stock(..))),
            },
        );
        em.pending.push(Gathered {
            name: new_name,
            defs,
            units: g.units.clone(),
            doc: g.doc.clone(),
        });
    }
    let result = result.ok_or_else(|| {
        em.err(
            header.at,
            format!(
                "the macro `{}` defines no variable of its own name",
                header.name
            ),
        )
    })?;
    Ok(quoted(&result))
}

fn substitute(
    e: &Ex,
    params: &[String],
    texts: &[String],
    locals: &[String],
    rename: &dyn Fn(&str) -> String,
) -> Ex {
    let go = |x: &Ex| substitute(x, params, texts, locals, rename);
    match e {
        Ex::Ref { name, subs, at } => {
            let key = canonical(name);
            if let Some(i) = params.iter().position(|p| *p == key) {
                Ex::Raw(texts[i].clone())
            } else if locals.contains(&key) {
                Ex::Ref {
                    name: rename(name),
                    subs: subs.clone(),
                    at: *at,
                }
            } else {
                e.clone()
            }
        }
        Ex::Call {
            name,
            subs,
            args,
            at,
        } => {
            let key = canonical(name);
            Ex::Call {
                name: if locals.contains(&key) {
                    rename(name)
                } else {
                    name.clone()
                },
                subs: subs.clone(),
                args: args.iter().map(go).collect(),
                at: *at,
            }
        }
        Ex::Un(op, a) => Ex::Un(op, Box::new(go(a))),
        Ex::Bin(op, a, b) => Ex::Bin(op, Box::new(go(a)), Box::new(go(b))),
        _ => e.clone(),
    }
}
