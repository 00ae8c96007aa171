//! Turning the definitions of a `.mdl` file into a [`Model`]: shapes of arrayed variables,
//! one equation per element, stocks with their net flow, lookups and the control section.

use super::defs::{self, Def, Item, Rhs};
use super::emit::{Emitter, Env, VarInfo};
use super::expr::{Ex, Sub};
use super::ext::{self, Kind};
use super::rundata::RunData;
use super::sheet::Books;
use super::split::{located, Split};
use super::subs::Dims;
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::names::canonical;
use crate::model::{
    Dimension, Equation, Expr, GfKind, GraphicalFunction, Method, Model, SimSpecs, VarKind,
    Variable,
};
use std::collections::HashMap;
use std::sync::Arc;

/// A variable's definitions gathered from the file.
#[derive(Clone)]
pub struct Gathered {
    /// Name as first written.
    pub name: String,
    /// Every definition.
    pub defs: Vec<Def>,
    /// Units of the first definition.
    pub units: String,
    /// Documentation of the first definition.
    pub doc: String,
}

/// The hint of errors reading `GET XLS` / `GET DIRECT` files.
const SHEET_HINT: &str =
    "files named in GET XLS / GET DIRECT are read from the model's directory; see docs/conformance.md";

/// Reads the `GET …` calls of every definition into numbers, lookups and data series, now that
/// the ranges (and so the number of elements each definition covers) are known.
fn read_externals(
    file: &Arc<SourceFile>,
    dims: &Dims,
    vars: &mut [Gathered],
    books: &mut Books,
    run_data: &RunData,
) -> Result<(), Diagnostic> {
    for g in vars.iter_mut() {
        for def in &mut g.defs {
            if let Rhs::RunData(mode) = def.rhs {
                def.rhs = Rhs::Data(run_series(file, dims, &g.name, def, run_data)?, mode);
                continue;
            }
            let Rhs::External(call, mode) = &def.rhs else {
                continue;
            };
            let sizes = def
                .subs
                .iter()
                .map(|s| match dims.get(&s.name) {
                    Some(d) => dims.list[d].elements.len(),
                    None => 1,
                })
                .collect::<Vec<_>>();
            let count = sizes.iter().product();
            let fail = |m: String| located(file, call.at, m).with_hint(SHEET_HINT);
            def.rhs = match call.kind {
                Kind::Constants => Rhs::Numbers(ext::constants(books, call, &sizes).map_err(fail)?),
                Kind::Lookups => Rhs::Tables(ext::series(books, call, count).map_err(fail)?),
                Kind::Data => Rhs::Data(ext::series(books, call, count).map_err(fail)?, *mode),
                Kind::Subscript => unreachable!("read as a range declaration"),
            };
            if !def.except.is_empty() {
                return Err(located(
                    file,
                    def.at,
                    "GET XLS / GET DIRECT with :EXCEPT: is not supported",
                )
                .with_hint("define the elements with sub-ranges instead"));
            }
        }
    }
    Ok(())
}

/// The series of each element of a data variable with no equation, from the run outputs
/// given when the model is loaded (Vensim reads them from a `.vdf` file).
fn run_series(
    file: &Arc<SourceFile>,
    dims: &Dims,
    name: &str,
    def: &Def,
    run_data: &RunData,
) -> Result<Vec<super::expr::Table>, Diagnostic> {
    let tuples = def_tuples(dims, def).map_err(|m| located(file, def.at, m))?;
    tuples
        .iter()
        .map(|(elems, _)| {
            let column = if elems.is_empty() {
                name.to_string()
            } else {
                format!("{name}[{}]", elems.join(","))
            };
            run_data.get(&column).cloned().ok_or_else(|| {
                located(
                    file,
                    def.at,
                    format!(
                        "`{name}` is data kept outside the model (a .vdf file), and no data \
                         file given has the column `{column}`"
                    ),
                )
                .with_hint(
                    "give it an equation or a GET DATA call, or load the model with the run's \
                     output exported as a .tab or .csv file (sandtable::mdl::load_with_data)",
                )
            })
        })
        .collect()
}

/// What [`gather`] reads: range declarations, variables, and each macro's variables.
pub type Gathering = (Vec<super::subs::RawDim>, Vec<Gathered>, Vec<Vec<Gathered>>);

/// Reads every entry; macro bodies are returned apart, per macro.
pub fn gather(
    file: &Arc<SourceFile>,
    split: &Split,
    books: &mut Books,
) -> Result<Gathering, Diagnostic> {
    let mut raw_dims = Vec::new();
    let mut vars: Vec<Gathered> = Vec::new();
    let mut macro_vars: Vec<Vec<Gathered>> = vec![Vec::new(); split.macros.len()];
    for entry in &split.entries {
        let item = defs::read(entry).map_err(|e| {
            located(file, e.at, e.message)
                .with_hint("see docs/conformance.md for the Vensim syntax sandtable reads")
        })?;
        match item {
            Item::Dim(d) => raw_dims.push(d),
            Item::SheetDim(name, call) => {
                let items = super::ext::subscript(books, &call)
                    .map_err(|m| located(file, call.at, m).with_hint(SHEET_HINT))?;
                raw_dims.push(super::subs::listed(&name, items, call.at));
            }
            Item::Skip => {}
            Item::Var(name, def) => {
                let list = match entry.macro_index {
                    Some(m) => &mut macro_vars[m],
                    None => &mut vars,
                };
                let key = canonical(&name);
                match list.iter_mut().find(|g| canonical(&g.name) == key) {
                    Some(g) => g.defs.push(def),
                    None => list.push(Gathered {
                        name,
                        defs: vec![def],
                        units: entry.units.clone(),
                        doc: entry.doc.clone(),
                    }),
                }
            }
        }
    }
    Ok((raw_dims, vars, macro_vars))
}

/// The element tuples one definition covers, each with its bindings of named ranges.
pub fn def_tuples(dims: &Dims, def: &Def) -> Result<Vec<(Vec<String>, Env)>, String> {
    let mut combos: Vec<(Vec<String>, Env)> = vec![(Vec::new(), Vec::new())];
    for sub in &def.subs {
        let options: Vec<(String, Option<(usize, usize)>)> = match dims.get(&sub.name) {
            Some(d) => dims.list[d]
                .elements
                .iter()
                .enumerate()
                .map(|(k, e)| (e.clone(), Some((d, k))))
                .collect(),
            None if dims.is_element(&canonical(&sub.name)) => vec![(sub.name.clone(), None)],
            None => return Err(format!("`{}` is neither a range nor an element", sub.name)),
        };
        combos = combos
            .into_iter()
            .flat_map(|(elems, env)| {
                options.iter().map(move |(e, b)| {
                    let mut elems = elems.clone();
                    elems.push(e.clone());
                    let mut env = env.clone();
                    env.extend(b.iter().copied());
                    (elems, env)
                })
            })
            .collect();
    }
    let excluded = |elems: &[String]| {
        def.except.iter().any(|ex| {
            ex.len() == elems.len() && ex.iter().zip(elems).all(|(s, e)| covers(dims, s, e))
        })
    };
    Ok(combos.into_iter().filter(|(e, _)| !excluded(e)).collect())
}

fn covers(dims: &Dims, sub: &Sub, elem: &str) -> bool {
    let ek = canonical(elem);
    match dims.get(&sub.name) {
        Some(d) => dims.list[d].keys.contains(&ek),
        None => canonical(&sub.name) == ek,
    }
}

/// The range each position of a variable ranges over: one that holds every element its
/// definitions cover, preferring a range named on the left-hand side.
pub fn shape(dims: &mut Dims, g: &Gathered) -> Result<Vec<usize>, String> {
    let n = g.defs[0].subs.len();
    if g.defs.iter().any(|d| d.subs.len() != n) {
        return Err(format!(
            "`{}` is defined with different numbers of subscripts",
            g.name
        ));
    }
    let mut out = Vec::with_capacity(n);
    for p in 0..n {
        let mut union: Vec<String> = Vec::new();
        let mut named = Vec::new();
        for def in &g.defs {
            let s = &def.subs[p];
            match dims.get(&s.name) {
                Some(d) => {
                    named.push(d);
                    for k in &dims.list[d].keys {
                        if !union.contains(k) {
                            union.push(k.clone());
                        }
                    }
                }
                None => {
                    let k = canonical(&s.name);
                    if !union.contains(&k) {
                        union.push(k);
                    }
                }
            }
        }
        let holds = |d: usize| union.iter().all(|k| dims.list[d].keys.contains(k));
        let exact = |d: usize| holds(d) && dims.list[d].keys.len() == union.len();
        let pick = named
            .iter()
            .copied()
            .find(|&d| exact(d))
            .or_else(|| (0..dims.list.len()).find(|&d| exact(d)));
        // Defined on part of a range only: a range of just those elements, so that no
        // element is left without an equation.
        let outer = named.iter().copied().find(|&d| holds(d)).or_else(|| {
            (0..dims.list.len())
                .filter(|&d| holds(d))
                .min_by_key(|&d| dims.list[d].keys.len())
        });
        let pick = match (pick, outer) {
            (Some(d), _) => Some(d),
            (None, Some(outer)) => {
                let elements: Vec<String> = dims.list[outer]
                    .elements
                    .iter()
                    .filter(|e| union.contains(&canonical(e)))
                    .cloned()
                    .collect();
                let name = format!("{} of {}", dims.list[outer].name, g.name);
                Some(dims.add(name, elements))
            }
            (None, None) => None,
        };
        match pick {
            Some(d) => out.push(d),
            None => {
                return Err(format!(
                    "no subscript range holds every element `{}` is defined for",
                    g.name
                ))
            }
        }
    }
    Ok(out)
}

/// The time settings of the control section.
struct Control {
    /// Initial time, final time, time step, save period.
    values: [f64; 4],
    /// The `FINAL TIME` variable when its equation changes during the run (it reads `Time`
    /// or model variables); `values[1]` is then its value at the initial time.
    stop_when: Option<String>,
}

/// Control-section values: initial time, final time, time step, save period. They must be
/// constants, except `FINAL TIME`, which may be an equation known at the initial time: Vensim
/// evaluates it during the run and stops when `Time` reaches it.
fn control(vars: &[Gathered], file: &Arc<SourceFile>) -> Result<Control, Diagnostic> {
    const NAMES: [&str; 4] = ["initial_time", "final_time", "time_step", "saveper"];
    let find = |key: &str| vars.iter().find(|g| canonical(&g.name) == key);
    let mut values = [f64::NAN; 4];
    let mut stop_when = None;
    for (i, key) in NAMES.iter().enumerate() {
        let Some(g) = find(key) else {
            if *key == "saveper" {
                values[3] = values[2];
                continue;
            }
            return Err(Diagnostic::new(
                format!(
                    "the model has no `{}`",
                    key.replace('_', " ").to_uppercase()
                ),
                SourceRef::file(file),
            )
            .with_hint("Vensim models define INITIAL TIME, FINAL TIME and TIME STEP"));
        };
        let def = &g.defs[0];
        let known = |k: &str| {
            NAMES
                .iter()
                .position(|n| *n == k)
                .filter(|&j| j < i || values[j].is_finite())
                .map(|j| values[j])
        };
        let value = match &def.rhs {
            Rhs::Expr(e) if i == 1 => constant(e, &known).or_else(|| {
                // A final time that reads `Time` or model variables changes during the run.
                stop_when = Some(g.name.clone());
                let at_start = |k: &str| match k {
                    "time" => Some(values[0]),
                    _ => known(k),
                };
                constant(e, &|k| initial_value(vars, k, &at_start, 0))
            }),
            Rhs::Expr(e) => constant(e, &|k| match k {
                "time" => Some(0.0),
                _ => known(k),
            }),
            _ => None,
        };
        values[i] = value.ok_or_else(|| {
            located(
                file,
                def.at,
                format!("`{}` must be a constant number", g.name),
            )
            .with_hint(if i == 1 {
                "sandtable needs the final time's value at the initial time (numbers, `Time` \
                 and variables known before the run)"
            } else {
                "sandtable needs the time axis before the run starts"
            })
        })?;
    }
    Ok(Control { values, stop_when })
}

/// The value of scalar variable `key` (canonical) at the initial time, when its equation (for
/// a stock, its initial value) is made of numbers, `Time`, control values and other such
/// variables (`known` answers for `Time` and the control values).
fn initial_value(
    vars: &[Gathered],
    key: &str,
    known: &dyn Fn(&str) -> Option<f64>,
    depth: usize,
) -> Option<f64> {
    if let Some(v) = known(key) {
        return Some(v);
    }
    if depth > 50 {
        return None;
    }
    let g = vars.iter().find(|g| canonical(&g.name) == key)?;
    match g.defs.as_slice() {
        [Def {
            subs,
            rhs: Rhs::Expr(e) | Rhs::Stock(_, e),
            ..
        }] if subs.is_empty() => constant(e, &|k| initial_value(vars, k, known, depth + 1)),
        _ => None,
    }
}

/// Variables whose value during initialisation differs from the running value: those calling
/// `ACTIVE INITIAL`, and those (stocks excepted) that use one of them.
fn active_set(vars: &[Gathered]) -> std::collections::HashSet<String> {
    fn names(e: &Ex, out: &mut Vec<String>) {
        match e {
            Ex::Ref { name, .. } => out.push(canonical(name)),
            Ex::Call { name, args, .. } => {
                out.push(canonical(name));
                args.iter().for_each(|a| names(a, out));
            }
            Ex::Un(_, a) => names(a, out),
            Ex::Bin(_, a, b) => {
                names(a, out);
                names(b, out);
            }
            _ => {}
        }
    }
    let uses: Vec<(String, Vec<String>)> = vars
        .iter()
        .filter(|g| !g.defs.iter().any(|d| matches!(d.rhs, Rhs::Stock(..))))
        .map(|g| {
            let mut out = Vec::new();
            for d in &g.defs {
                if let Rhs::Expr(e) = &d.rhs {
                    names(e, &mut out);
                }
            }
            (canonical(&g.name), out)
        })
        .collect();
    let mut set: std::collections::HashSet<String> = uses
        .iter()
        .filter(|(_, u)| u.iter().any(|n| n == "active_initial"))
        .map(|(k, _)| k.clone())
        .collect();
    loop {
        let before = set.len();
        for (k, u) in &uses {
            if !set.contains(k) && u.iter().any(|n| set.contains(n)) {
                set.insert(k.clone());
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

/// Evaluates a constant expression of numbers and the values `lookup` knows (by canonical
/// name, `time` included).
fn constant(e: &Ex, lookup: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
    match e {
        Ex::Num(v) => Some(*v),
        Ex::Ref { name, subs, .. } if subs.is_empty() => lookup(&canonical(name)),
        Ex::Call { name, args, .. } if canonical(name) == "if_then_else" && args.len() == 3 => {
            if constant(&args[0], lookup)? != 0.0 {
                constant(&args[1], lookup)
            } else {
                constant(&args[2], lookup)
            }
        }
        Ex::Un("-", a) => Some(-constant(a, lookup)?),
        Ex::Un("+", a) => constant(a, lookup),
        Ex::Bin(op, a, b) => {
            let (x, y) = (constant(a, lookup)?, constant(b, lookup)?);
            Some(match *op {
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
            })
        }
        _ => None,
    }
}

/// Vensim's integration method from the settings after the sketch (`15:` line, 4th field:
/// 0 Euler, 1 and 5 RK4 fixed/auto, 3 RK2 variants).
fn method(split: &Split) -> Method {
    for line in &split.settings {
        if let Some(rest) = line.strip_prefix("15:") {
            return match rest.split(',').nth(3).map(str::trim) {
                Some("1") | Some("5") => Method::Rk4,
                Some("3") | Some("4") => Method::Rk2,
                _ => Method::Euler,
            };
        }
    }
    Method::Euler
}

/// Builds the model from the split file.
pub fn build(
    file: &Arc<SourceFile>,
    split: &Split,
    name: String,
    dir: &std::path::Path,
    run_data: &RunData,
) -> Result<Model, Diagnostic> {
    let mut books = Books::new(dir);
    let (raw_dims, mut vars, macro_vars) = gather(file, split, &mut books)?;
    let mut dims = Dims::resolve(raw_dims).map_err(|(m, at)| located(file, at, m))?;
    read_externals(file, &dims, &mut vars, &mut books, run_data)?;
    let Control {
        values: [start, stop, dt, save],
        stop_when,
    } = control(&vars, file)?;
    let time_unit = vars
        .iter()
        .find(|g| canonical(&g.name) == "time_step")
        .and_then(|g| super::build_units(&g.units))
        .unwrap_or_else(|| "time".into());
    let mut infos = HashMap::new();
    for g in &vars {
        let shape = shape(&mut dims, g).map_err(|m| located(file, g.defs[0].at, m))?;
        let is_table = g.defs.iter().all(|d| d.rhs.is_table());
        infos.insert(
            canonical(&g.name),
            VarInfo {
                name: g.name.clone(),
                dims: shape,
                is_table,
                is_stock: g.defs.iter().all(|d| matches!(d.rhs, Rhs::Stock(..))),
            },
        );
    }
    let mut em = Emitter::new(file, &dims, infos, &split.macros, macro_vars);
    em.active = active_set(&vars);
    em.start = start;
    em.dt = dt;
    em.gathered = vars
        .iter()
        .map(|g| (canonical(&g.name), g.clone()))
        .collect();
    let mut variables = Vec::new();
    // Lookups first, so that calls naming them can copy their tables.
    let (tables, others): (Vec<&Gathered>, Vec<&Gathered>) = vars
        .iter()
        .partition(|g| g.defs.iter().all(|d| d.rhs.is_table()));
    for g in tables.into_iter().chain(others) {
        variables.extend(em.variable(g)?);
    }
    variables.extend(em.take_extra()?);
    let dimensions = dims
        .list
        .iter()
        .map(|d| Dimension {
            name: d.name.clone(),
            elements: d.elements.clone(),
        })
        .collect();
    Ok(Model {
        name,
        sim: SimSpecs {
            start,
            stop,
            dt,
            save_step: save,
            time_unit,
            method: method(split),
            stop_when,
        },
        dimensions,
        variables,
        charts: Vec::new(),
        loops: Vec::new(),
    })
}

/// A variable of the model from its parts.
pub fn variable(
    name: String,
    kind: VarKind,
    dims: Vec<String>,
    equation: Option<Equation>,
    gf: Option<GraphicalFunction>,
    at: SourceRef,
) -> Variable {
    Variable {
        name,
        kind,
        dims,
        equation,
        initial: None,
        gf,
        unit: None,
        doc: None,
        label: None,
        at,
    }
}

/// A lookup table as a graphical function, checked for increasing x.
pub fn table_gf(
    t: &super::expr::Table,
    kind: GfKind,
    file: &Arc<SourceFile>,
    at: usize,
) -> Result<GraphicalFunction, Diagnostic> {
    if t.xs.is_empty() {
        return Err(located(file, at, "the lookup has no points"));
    }
    // Vensim sorts the points of a lookup by x; so does the reader.
    let mut points: Vec<(f64, f64)> = t.xs.iter().copied().zip(t.ys.iter().copied()).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
        return Err(located(
            file,
            at,
            "the lookup has a point that is not a finite number",
        ));
    }
    Ok(GraphicalFunction {
        xs: points.iter().map(|p| p.0).collect(),
        ys: points.iter().map(|p| p.1).collect(),
        kind,
    })
}

/// Equation text with the definition's position.
pub fn expr_at(text: String, file: &Arc<SourceFile>, at: usize) -> Expr {
    Expr {
        text,
        at: SourceRef::at_offset(file, at),
    }
}
