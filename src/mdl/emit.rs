//! Writing Vensim expressions as engine equations, one element at a time: subscripts are
//! resolved to elements (through sub-ranges and mappings), sums over ranges are spelled out,
//! and lookups and macros become variables of their own.

use super::build::{def_tuples, expr_at, table_gf, variable, Gathered};
use super::defs::{DataMode, Def, Rhs};
use super::expr::{Ex, Sub};
use super::split::{located, MacroHeader};
use super::subs::Dims;
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::names::canonical;
use crate::model::names::closest;
use crate::model::{Equation, Expr, GfKind, VarKind, Variable};
use std::collections::HashMap;
use std::sync::Arc;

/// Bindings of ranges to elements: (range, element index), later entries first.
pub type Env = Vec<(usize, usize)>;

/// What the emitter knows of a variable.
#[derive(Debug, Clone)]
pub struct VarInfo {
    /// Name as written.
    pub name: String,
    /// The range of each position.
    pub dims: Vec<usize>,
    /// Whether it is a lookup table only.
    pub is_table: bool,
    /// Whether it is a stock.
    pub is_stock: bool,
}

/// The emitter's state: known variables and the extra variables it has to add.
pub struct Emitter<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) dims: &'a Dims,
    pub(super) infos: HashMap<String, VarInfo>,
    pub(super) macros: &'a [MacroHeader],
    pub(super) macro_vars: Vec<Vec<Gathered>>,
    pub(super) extra: Vec<Variable>,
    pub(super) tables: Vec<Variable>,
    /// Variables whose value during initialisation differs (`ACTIVE INITIAL`, directly or
    /// through what they use).
    pub(super) active: std::collections::HashSet<String>,
    /// Emitting for the initial pass: `ACTIVE INITIAL` gives its initial argument and
    /// variables in `active` are read through their initial copies.
    pub(super) init_mode: bool,
    init_copies: HashMap<String, String>,
    /// The file's variables by canonical name, for making initial copies.
    pub(super) gathered: HashMap<String, Gathered>,
    /// The initial time.
    pub(super) start: f64,
    /// The time step.
    pub(super) dt: f64,
    pending_init: Vec<Gathered>,
    pub(super) pending: Vec<Gathered>,
    pub(super) counter: usize,
}

/// A number as engine text.
pub fn num(v: f64) -> String {
    let s = format!("{v:?}");
    if v < 0.0 {
        format!("({s})")
    } else {
        s
    }
}

/// A name as an engine quoted name (`\` and `"` escaped).
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A variable's name in the model: as written in the file.
pub fn clean_name(name: &str) -> String {
    name.to_string()
}

/// The hidden scalar lookup holding one element of an arrayed lookup.
pub fn element_table_name(name: &str, elems: &[String]) -> String {
    format!("{name} ⟨{}⟩", elems.join(","))
}

impl<'a> Emitter<'a> {
    /// An emitter over the model's ranges and variables.
    pub fn new(
        file: &'a Arc<SourceFile>,
        dims: &'a Dims,
        infos: HashMap<String, VarInfo>,
        macros: &'a [MacroHeader],
        macro_vars: Vec<Vec<Gathered>>,
    ) -> Emitter<'a> {
        Emitter {
            file,
            dims,
            infos,
            macros,
            macro_vars,
            extra: Vec::new(),
            tables: Vec::new(),
            active: Default::default(),
            init_mode: false,
            init_copies: HashMap::new(),
            gathered: HashMap::new(),
            start: 0.0,
            dt: 1.0,
            pending_init: Vec::new(),
            pending: Vec::new(),
            counter: 0,
        }
    }

    /// An error at a file offset.
    pub fn err(&self, at: usize, message: impl Into<String>) -> Diagnostic {
        located(self.file, at, message)
    }

    /// The variables of one gathered definition set (more than one for stocks and arrayed
    /// lookups).
    pub fn variable(&mut self, g: &Gathered) -> Result<Vec<Variable>, Diagnostic> {
        let info = self.infos[&canonical(&g.name)].clone();
        let at = g.defs[0].at;
        let src = SourceRef::at_offset(self.file, at);
        let dim_names: Vec<String> = info
            .dims
            .iter()
            .map(|&d| self.dims.list[d].name.clone())
            .collect();
        let mut out = Vec::new();
        if info.is_table {
            for def in &g.defs {
                if let Rhs::Tables(list) = &def.rhs {
                    let tuples = self.tuples(def)?;
                    for (k, t) in list.iter().enumerate() {
                        let gf = table_gf(t, GfKind::Continuous, self.file, def.at)?;
                        let name = match tuples.get(k) {
                            Some((elems, _)) if !info.dims.is_empty() => {
                                element_table_name(&g.name, elems)
                            }
                            _ => g.name.clone(),
                        };
                        out.push(variable(
                            name,
                            VarKind::Aux,
                            Vec::new(),
                            None,
                            Some(gf),
                            src.clone(),
                        ));
                    }
                    continue;
                }
                let Rhs::Table(t) = &def.rhs else { continue };
                let gf = table_gf(t, GfKind::Continuous, self.file, def.at)?;
                if info.dims.is_empty() {
                    out.push(variable(
                        g.name.clone(),
                        VarKind::Aux,
                        Vec::new(),
                        None,
                        Some(gf),
                        src.clone(),
                    ));
                    continue;
                }
                for (elems, _) in self.tuples(def)? {
                    out.push(variable(
                        element_table_name(&g.name, &elems),
                        VarKind::Aux,
                        Vec::new(),
                        None,
                        Some(gf.clone()),
                        src.clone(),
                    ));
                }
            }
            self.tables.extend(out.iter().cloned());
            return Ok(out);
        }
        let stocks = g
            .defs
            .iter()
            .filter(|d| matches!(d.rhs, Rhs::Stock(..)))
            .count();
        if stocks > 0 && stocks < g.defs.len() {
            return Err(self.err(
                at,
                format!("`{}` is a stock for some elements only", g.name),
            ));
        }
        let mut eqs: Vec<(Vec<String>, Expr)> = Vec::new();
        let mut rates: Vec<(Vec<String>, Expr)> = Vec::new();
        let mut constant = true;
        for def in &g.defs {
            let tuples = self.tuples(def)?;
            if let Rhs::Numbers(list) = &def.rhs {
                if list.len() != tuples.len() {
                    return Err(self.err(
                        def.at,
                        format!(
                            "{} numbers for {} elements of `{}`",
                            list.len(),
                            tuples.len(),
                            g.name
                        ),
                    ));
                }
            }
            for (k, (elems, env)) in tuples.into_iter().enumerate() {
                if eqs.iter().any(|(e, _)| same(e, &elems)) {
                    continue;
                }
                let (text, rate) = match &def.rhs {
                    Rhs::Numbers(list) => (num(list[k]), None),
                    Rhs::Expr(Ex::Num(v)) => (num(*v), None),
                    Rhs::Expr(e) => {
                        constant = false;
                        (self.emit_top(e, &env, def.at)?, None)
                    }
                    Rhs::Stock(rate, init) => {
                        let outer = std::mem::replace(&mut self.init_mode, true);
                        let first = self.emit(init, &env);
                        self.init_mode = outer;
                        (first?, Some(self.emit(rate, &env)?))
                    }
                    Rhs::Data(list, mode) => {
                        constant = false;
                        (
                            self.data_series(&g.name, &elems, &list[k], *mode, def.at)?,
                            None,
                        )
                    }
                    Rhs::External(..) | Rhs::RunData(_) => {
                        return Err(self.err(def.at, "a GET call or data file was not read"));
                    }
                    Rhs::Table(_) | Rhs::Tables(_) => {
                        return Err(self.err(
                            def.at,
                            format!("`{}` mixes lookup and equation definitions", g.name),
                        ))
                    }
                };
                let key = self.element_key(&info, &elems);
                if let Some(r) = rate {
                    rates.push((key.clone(), expr_at(r, self.file, def.at)));
                }
                eqs.push((key, expr_at(text, self.file, def.at)));
            }
        }
        let wrap = |mut list: Vec<(Vec<String>, Expr)>| {
            if info.dims.is_empty() {
                Equation::All(list.remove(0).1)
            } else {
                Equation::PerElement(list)
            }
        };
        let mut var = variable(
            clean_name(&g.name),
            VarKind::Aux,
            dim_names.clone(),
            Some(wrap(eqs)),
            None,
            src.clone(),
        );
        var.unit = super::build_units(&g.units);
        var.doc = (!g.doc.is_empty()).then(|| g.doc.clone());
        if stocks > 0 {
            let flow = self.fresh_name(&format!("{} net flow", g.name));
            var.kind = VarKind::Stock {
                inflows: vec![flow.clone()],
                outflows: Vec::new(),
                non_negative: false,
            };
            out.push(variable(
                flow,
                VarKind::Flow {
                    non_negative: false,
                },
                dim_names,
                Some(wrap(rates)),
                None,
                src,
            ));
        } else if constant {
            var.kind = VarKind::Constant;
        }
        out.insert(0, var);
        Ok(out)
    }

    /// A data series as a hidden table read at `Time`: straight lines between points, a
    /// step that holds each point (`HOLD BACKWARD`), or one that looks ahead to the next
    /// point (`LOOK FORWARD`: the same step over the points mirrored in time).
    fn data_series(
        &mut self,
        name: &str,
        elems: &[String],
        t: &super::expr::Table,
        mode: DataMode,
        at: usize,
    ) -> Result<String, Diagnostic> {
        let base = if elems.is_empty() {
            format!("{name} data")
        } else {
            format!("{} data", element_table_name(name, elems))
        };
        let (kind, sign) = match mode {
            DataMode::Interpolate => (GfKind::Continuous, 1.0),
            DataMode::HoldBackward | DataMode::Raw => (GfKind::Discrete, 1.0),
            DataMode::LookForward => (GfKind::Discrete, -1.0),
        };
        let mirrored = super::expr::Table {
            xs: t.xs.iter().map(|x| sign * x).collect(),
            ys: t.ys.clone(),
        };
        let gf = table_gf(&mirrored, kind, self.file, at)?;
        let table = self.fresh_name(&base);
        if let Some(info) = self.infos.get_mut(&canonical(&table)) {
            info.is_table = true;
        }
        self.extra.push(variable(
            table.clone(),
            VarKind::Aux,
            Vec::new(),
            None,
            Some(gf),
            SourceRef::at_offset(self.file, at),
        ));
        let time = if sign < 0.0 { "(-Time)" } else { "Time" };
        let value = format!("{}({time})", quoted(&table));
        if mode != DataMode::Raw {
            return Ok(value);
        }
        // The time of the last point: the value stands only when that is now.
        let times = super::expr::Table {
            xs: t.xs.clone(),
            ys: t.xs.clone(),
        };
        let gf = table_gf(&times, GfKind::Discrete, self.file, at)?;
        let when = self.fresh_name(&format!("{base} times"));
        if let Some(info) = self.infos.get_mut(&canonical(&when)) {
            info.is_table = true;
        }
        self.extra.push(variable(
            when.clone(),
            VarKind::Aux,
            Vec::new(),
            None,
            Some(gf),
            SourceRef::at_offset(self.file, at),
        ));
        Ok(format!(
            "(IF ABS({}(Time) - Time) <= DT / 1000000 THEN {value} ELSE -1e38)",
            quoted(&when)
        ))
    }

    fn tuples(&self, def: &Def) -> Result<Vec<(Vec<String>, Env)>, Diagnostic> {
        def_tuples(self.dims, def).map_err(|m| self.err(def.at, m))
    }

    /// The element names of `elems` as spelled in the variable's own ranges.
    fn element_key(&self, info: &VarInfo, elems: &[String]) -> Vec<String> {
        elems
            .iter()
            .zip(&info.dims)
            .map(|(e, &d)| {
                let k = canonical(e);
                let dim = &self.dims.list[d];
                dim.keys
                    .iter()
                    .position(|x| *x == k)
                    .map(|i| dim.elements[i].clone())
                    .unwrap_or_else(|| e.clone())
            })
            .collect()
    }

    /// A variable name not yet used.
    pub fn fresh_name(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        while self.infos.contains_key(&canonical(&name)) {
            self.counter += 1;
            name = format!("{base} {}", self.counter);
        }
        self.infos.insert(
            canonical(&name),
            VarInfo {
                name: name.clone(),
                dims: Vec::new(),
                is_table: false,
                is_stock: false,
            },
        );
        name
    }

    /// The extra variables (inline lookups, macro instances) made while emitting.
    pub fn take_extra(&mut self) -> Result<Vec<Variable>, Diagnostic> {
        loop {
            if let Some(g) = self.pending.pop() {
                let vars = self.variable(&g)?;
                self.extra.extend(vars);
            } else if let Some(g) = self.pending_init.pop() {
                let outer = std::mem::replace(&mut self.init_mode, true);
                let vars = self.variable(&g);
                self.init_mode = outer;
                self.extra.extend(vars?);
            } else {
                break;
            }
        }
        Ok(std::mem::take(&mut self.extra))
    }

    /// Emits a whole right-hand side; `WITH LOOKUP` at the top is kept as a call of a hidden
    /// table like anywhere else.
    fn emit_top(&mut self, e: &Ex, env: &Env, _at: usize) -> Result<String, Diagnostic> {
        self.emit(e, env)
    }

    /// Engine text for `e` under the bindings `env`.
    pub fn emit(&mut self, e: &Ex, env: &Env) -> Result<String, Diagnostic> {
        Ok(match e {
            Ex::Num(v) => num(*v),
            Ex::Raw(s) => s.clone(),
            Ex::Un("-", a) => format!("(-{})", self.emit(a, env)?),
            Ex::Un("not", a) => format!("(not {})", self.emit(a, env)?),
            Ex::Un(_, a) => self.emit(a, env)?,
            Ex::Bin(op, a, b) => {
                let (x, y) = (self.emit(a, env)?, self.emit(b, env)?);
                format!("({x} {op} {y})")
            }
            Ex::Ref { name, subs, at } => self.reference(name, subs, *at, env)?,
            Ex::Call {
                name,
                subs,
                args,
                at,
            } => super::funcs::call(self, name, subs, args, *at, env)?,
            Ex::Table(_) => {
                return Err(self.err(0, "a lookup table cannot be used as a value here"))
            }
        })
    }

    fn reference(
        &mut self,
        name: &str,
        subs: &[Sub],
        at: usize,
        env: &Env,
    ) -> Result<String, Diagnostic> {
        let key = canonical(name);
        let Some(info) = self.infos.get(&key).cloned() else {
            if let Some(d) = self.dims.get(name) {
                // A range used as a value is the (1-based) position of its current element.
                let e = self.bound(d, env).ok_or_else(|| {
                    self.err(at, format!("range `{name}` has no current element here"))
                })?;
                let k = self.element_position(&canonical(&e)).unwrap_or(0);
                return Ok(num(k as f64));
            }
            if let Some(pos) = self.element_position(&key) {
                // An element used as a value is its (1-based) position in its range.
                return Ok(num(pos as f64));
            }
            if matches!(key.as_str(), "time" | "pi" | "true" | "false") {
                return Ok(quoted(name));
            }
            let mut err = self.err(at, format!("unknown variable `{name}`"));
            if let Some(c) = closest(name, self.infos.values().map(|i| i.name.as_str())) {
                err = err.with_hint(format!("did you mean `{c}`?"));
            }
            return Err(err);
        };
        let info = if self.init_mode && !info.is_stock && self.active.contains(&key) {
            self.init_copy(&key, &info)
        } else {
            info
        };
        if info.is_table {
            return Err(self
                .err(at, format!("`{name}` is a lookup"))
                .with_hint(format!("call it with an input: `{name}(x)`")));
        }
        let elems = self.elements(&info, subs, at, env)?;
        Ok(if elems.is_empty() {
            quoted(&info.name)
        } else {
            let parts: Vec<String> = elems.iter().map(|e| quoted(e)).collect();
            format!("{}[{}]", quoted(&info.name), parts.join(","))
        })
    }

    /// The element of each position of `info` that `subs` designate under `env`.
    pub fn elements(
        &self,
        info: &VarInfo,
        subs: &[Sub],
        at: usize,
        env: &Env,
    ) -> Result<Vec<String>, Diagnostic> {
        if subs.len() != info.dims.len() && !subs.is_empty() {
            return Err(self.err(
                at,
                format!(
                    "`{}` has {} subscript(s), {} given",
                    info.name,
                    info.dims.len(),
                    subs.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(info.dims.len());
        for (p, &d) in info.dims.iter().enumerate() {
            let dim = &self.dims.list[d];
            let elem = match subs.get(p) {
                None => self.bound(d, env),
                Some(s) => match self.dims.get(&s.name) {
                    Some(sd) => self.bound(sd, env),
                    None => Some(s.name.clone()),
                },
            };
            let elem = elem.ok_or_else(|| {
                let s = subs.get(p).map(|s| s.name.as_str()).unwrap_or(&dim.name);
                self.err(at, format!("range `{s}` has no current element here"))
                    .with_hint("write the equation over that range, or sum with `SUM(x[range!])`")
            })?;
            let k = canonical(&elem);
            match dim.keys.iter().position(|x| *x == k) {
                Some(i) => out.push(dim.elements[i].clone()),
                None => {
                    return Err(self.err(
                        at,
                        format!(
                            "`{elem}` is not an element of `{}` (of `{}`)",
                            dim.name, info.name
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// The 1-based position of element `key` in the largest range holding it (a sub-range's
    /// elements count in their parent range, as in Vensim).
    fn element_position(&self, key: &str) -> Option<usize> {
        self.dims
            .list
            .iter()
            .filter_map(|d| {
                d.keys
                    .iter()
                    .position(|k| k == key)
                    .map(|p| (d.keys.len(), p))
            })
            .max_by_key(|&(len, _)| len)
            .map(|(_, p)| p + 1)
    }

    /// The copy of variable `key` computed as during initialisation, made on first use.
    fn init_copy(&mut self, key: &str, info: &VarInfo) -> VarInfo {
        if let Some(name) = self.init_copies.get(key) {
            return self.infos[&canonical(name)].clone();
        }
        let name = self.fresh_name(&format!("{} initial", info.name));
        let copy = VarInfo {
            name: name.clone(),
            ..info.clone()
        };
        self.infos.insert(canonical(&name), copy.clone());
        self.init_copies.insert(key.to_string(), name.clone());
        if let Some(g) = self.gathered.get(key) {
            let mut g = g.clone();
            g.name = name;
            self.pending_init.push(g);
        }
        copy
    }

    /// The current element of range `d`: bound directly, through a mapping, or as the bound
    /// element of another range that `d` also holds (sub-ranges).
    pub fn bound(&self, d: usize, env: &Env) -> Option<String> {
        let dims = self.dims;
        if let Some(&(_, e)) = env.iter().rev().find(|(b, _)| *b == d) {
            return Some(dims.list[d].elements[e].clone());
        }
        for &(b, e) in env.iter().rev() {
            if let Some(m) = dims.mapped(b, e, d) {
                return Some(m);
            }
        }
        for &(b, e) in env.iter().rev() {
            let k = &dims.list[b].keys[e];
            if dims.list[d].keys.contains(k) {
                return Some(dims.list[b].elements[e].clone());
            }
        }
        None
    }

    /// Ranges left free in `e` under `env` (marked `!`, or named with no current element).
    pub fn free_dims(&self, e: &Ex, env: &Env, out: &mut Vec<usize>) {
        let mut subs_of = |subs: &[Sub]| {
            for s in subs {
                if let Some(d) = self.dims.get(&s.name) {
                    if (s.bang || self.bound(d, env).is_none()) && !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
        };
        match e {
            Ex::Ref { subs, .. } => subs_of(subs),
            Ex::Call { subs, args, .. } => {
                subs_of(subs);
                for a in args {
                    self.free_dims(a, env, out);
                }
            }
            Ex::Un(_, a) => self.free_dims(a, env, out),
            Ex::Bin(_, a, b) => {
                self.free_dims(a, env, out);
                self.free_dims(b, env, out);
            }
            Ex::Num(_) | Ex::Raw(_) | Ex::Table(_) => {}
        }
    }

    /// `e` emitted once per combination of its free ranges' elements.
    pub fn expand(&mut self, e: &Ex, env: &Env) -> Result<Vec<String>, Diagnostic> {
        let mut free = Vec::new();
        self.free_dims(e, env, &mut free);
        let mut combos: Vec<Env> = vec![env.clone()];
        for &d in &free {
            let n = self.dims.list[d].elements.len();
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    (0..n).map(move |k| {
                        let mut c = c.clone();
                        c.push((d, k));
                        c
                    })
                })
                .collect();
        }
        combos.iter().map(|c| self.emit(e, c)).collect()
    }
}

fn same(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| canonical(x) == canonical(y))
}
