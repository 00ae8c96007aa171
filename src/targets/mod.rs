//! Business targets such as "fans grow 20 % every quarter": parsing, checking against a
//! model, and scoring on simulated runs (the language is described in `docs/targets.md`).
//!
//! A [`Target`] is parsed from one line of text; [`Target::validate`] checks it against the
//! model's variables and time axis; [`TargetSet`] holds a study's targets with `all(...)`
//! groups ordered after their members; binding to a run's column names gives a
//! [`BoundSet`]/[`BoundTarget`] that scores each run into an [`Outcome`].

mod check;
pub mod evaluate;
mod lex;
mod parse;
pub mod syntax;

#[cfg(test)]
mod tests_eval;
#[cfg(test)]
mod tests_syntax;

pub use evaluate::{BoundSet, BoundTarget, Outcome};
pub use syntax::{Cmp, Expr, Func, NameRef, Spec, TimeLit, VarRef, Window};

use crate::diagnostic::{Diagnostic, Diagnostics, SourceRef};
use crate::model::names::canonical;
use crate::model::names::closest;
use crate::simulate::Trajectory;
use lex::SyntaxError;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// A named business target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Name, used by `all(...)` groups and in reports.
    pub name: String,
    /// The target as written.
    pub text: String,
    /// Display label for reports (e.g. `季度粉丝增长`).
    pub label: Option<String>,
    /// Free-text explanation.
    pub doc: Option<String>,
    /// Where the text starts, for error messages.
    pub at: SourceRef,
    spec: Spec,
}

impl Target {
    /// Parses `text` as the target `name`; `at` is where `text` starts in its file.
    pub fn parse(name: &str, text: &str, at: SourceRef) -> Result<Target, Diagnostic> {
        if name.trim().is_empty() {
            return Err(Diagnostic::new("a target needs a name", at));
        }
        if name.contains('"') {
            return Err(Diagnostic::new(
                format!("target name `{name}` contains `\"`"),
                at,
            ));
        }
        let spec = parse::parse(text).map_err(|e| located(name, text, &at, e))?;
        Ok(Target {
            name: name.trim().to_string(),
            text: text.to_string(),
            label: None,
            doc: None,
            at,
            spec,
        })
    }

    /// Sets the display label.
    pub fn with_label(mut self, label: impl Into<String>) -> Target {
        self.label = Some(label.into());
        self
    }

    /// Sets the explanation.
    pub fn with_doc(mut self, doc: impl Into<String>) -> Target {
        self.doc = Some(doc.into());
        self
    }

    /// The label if set, else the name.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// The parsed target.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The target in canonical form (numbers plain, `x at t` as `value(x, t)`).
    pub fn canonical_text(&self) -> String {
        self.spec.to_string()
    }

    /// The final comparison and threshold; `None` for `all(...)`.
    pub fn comparison(&self) -> Option<(Cmp, f64)> {
        match &self.spec {
            Spec::Compare { cmp, threshold, .. }
            | Spec::Every { cmp, threshold, .. }
            | Spec::First { cmp, threshold, .. } => Some((*cmp, *threshold)),
            Spec::All { .. } => None,
        }
    }

    /// Member names of an `all(...)` group; empty for other targets.
    pub fn members(&self) -> &[NameRef] {
        match &self.spec {
            Spec::All { members } => members,
            _ => &[],
        }
    }

    /// The variables a run must save to evaluate this target, in order of first mention
    /// (an `all(...)` group needs none of its own).
    pub fn variables(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        self.visit(&mut |item| {
            if let Item::Var(v) = item {
                let key = canonical(&v.name);
                if !seen.contains(&key) {
                    seen.push(key);
                    out.push(v.name.clone());
                }
            }
        });
        out
    }

    /// Checks the target against the model: every variable exists in `known_variables`
    /// (arrayed ones as `name[element]` or by their base name) and every time lies in
    /// `[start, stop]`. `all(...)` members are checked by [`TargetSet::new`].
    pub fn validate(
        &self,
        known_variables: &[String],
        start: f64,
        stop: f64,
    ) -> Result<(), Diagnostic> {
        let known: Vec<String> = known_variables.iter().map(|k| canonical(k)).collect();
        let mut first_error: Option<SyntaxError> = None;
        let slack = 1e-9 * start.abs().max(stop.abs()).max(1.0);
        self.visit(&mut |item| {
            if first_error.is_some() {
                return;
            }
            match item {
                Item::Var(v) => {
                    let key = canonical(&v.name);
                    let base = key.split('[').next().unwrap_or(&key);
                    if !known.iter().any(|k| *k == key || k == base) {
                        let candidates = known_variables.iter().map(String::as_str);
                        let err = SyntaxError::new(format!("unknown variable `{}`", v.name), v.pos);
                        first_error = Some(match closest(&v.name, candidates) {
                            Some(c) => err.hint(format!("did you mean `{c}`?")),
                            None => err,
                        });
                    }
                }
                Item::Time(t) => {
                    let range = format!("the model runs from {start} to {stop}");
                    if t.value < start - slack {
                        first_error = Some(
                            SyntaxError::new(
                                format!("time {} is before the start of the run", t.value),
                                t.pos,
                            )
                            .hint(range),
                        );
                    } else if t.value > stop + slack {
                        first_error = Some(
                            SyntaxError::new(
                                format!("time {} is after the end of the run", t.value),
                                t.pos,
                            )
                            .hint(range),
                        );
                    }
                }
            }
        });
        match first_error {
            Some(e) => Err(located(&self.name, &self.text, &self.at, e)),
            None => Ok(()),
        }
    }

    /// Resolves the target against a run's column names, once per study.
    /// `all(...)` groups are bound through [`TargetSet::bind`].
    pub fn bind(&self, names: &[String]) -> Result<BoundTarget, Diagnostic> {
        evaluate::bind(&self.spec, names).map_err(|e| located(&self.name, &self.text, &self.at, e))
    }

    /// Binds and evaluates in one go, for a single run (use [`Target::bind`] for many).
    pub fn evaluate(&self, run: &Trajectory) -> Result<Outcome, Diagnostic> {
        Ok(self.bind(&run.names)?.evaluate(run))
    }

    /// The variables whose integral the target reads (`sum` and `mean` calls), in order of
    /// first mention: a run records their running integrals (see
    /// [`crate::compile::compile_with`]).
    pub fn integrated_variables(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.visit_calls(&mut |c| {
            if matches!(c.func, Func::Sum | Func::Mean)
                && !out.iter().any(|o| canonical(o) == canonical(&c.var.name))
            {
                out.push(c.var.name.clone());
            }
        });
        out
    }

    /// Every time the target names (window ends, `at` times, checkpoints).
    pub fn times(&self) -> Vec<f64> {
        let mut out = Vec::new();
        self.visit(&mut |item| {
            if let Item::Time(t) = item {
                out.push(t.value);
            }
        });
        out
    }

    fn visit_calls(&self, f: &mut dyn FnMut(&syntax::Call)) {
        fn walk(e: &Expr, f: &mut dyn FnMut(&syntax::Call)) {
            match e {
                Expr::Call(c) => f(c),
                Expr::Neg(inner) => walk(inner, f),
                Expr::Binary(_, a, b) => {
                    walk(a, f);
                    walk(b, f);
                }
                Expr::Number(_) | Expr::Var(_) => {}
            }
        }
        match &self.spec {
            Spec::Compare { metric, .. } => walk(metric, f),
            Spec::Every { template, .. } => walk(template, f),
            Spec::First { lhs, rhs, .. } => {
                walk(lhs, f);
                walk(rhs, f);
            }
            Spec::All { .. } => {}
        }
    }

    fn visit(&self, f: &mut dyn FnMut(Item)) {
        match &self.spec {
            Spec::Compare { metric, .. } => visit_expr(metric, f),
            Spec::Every {
                template,
                checkpoints,
                ..
            } => {
                visit_expr(template, f);
                for t in &checkpoints.times {
                    f(Item::Time(t));
                }
            }
            Spec::First { lhs, rhs, .. } => {
                visit_expr(lhs, f);
                visit_expr(rhs, f);
            }
            Spec::All { .. } => {}
        }
    }
}

/// Something in a target that the model must provide.
enum Item<'a> {
    Var(&'a VarRef),
    Time(&'a TimeLit),
}

fn visit_expr(e: &Expr, f: &mut dyn FnMut(Item)) {
    match e {
        Expr::Number(_) => {}
        Expr::Var(v) => f(Item::Var(v)),
        Expr::Call(c) => {
            f(Item::Var(&c.var));
            match &c.window {
                Some(Window::At(t)) => f(Item::Time(t)),
                Some(Window::Span(a, b)) => {
                    f(Item::Time(a));
                    f(Item::Time(b));
                }
                None => {}
            }
        }
        Expr::Neg(inner) => visit_expr(inner, f),
        Expr::Binary(_, a, b) => {
            visit_expr(a, f);
            visit_expr(b, f);
        }
    }
}

fn located(name: &str, text: &str, at: &SourceRef, e: SyntaxError) -> Diagnostic {
    let d = Diagnostic::new(
        format!("target `{name}`: {}", e.message),
        at.advance_in(text, e.pos),
    );
    match e.hint {
        Some(h) => d.with_hint(h),
        None => d.with_hint(
            "a target reads like `followers at 365 >= 1.2e6` or `all(a, b)`; see docs/targets.md",
        ),
    }
}

/// A study's targets, with `all(...)` groups resolved and ordered after their members.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSet {
    targets: Vec<Target>,
    members: Vec<Vec<usize>>,
    order: Vec<usize>,
}

impl TargetSet {
    /// Resolves group members; fails on duplicate names, unknown members and cycles.
    pub fn new(targets: Vec<Target>) -> Result<TargetSet, Diagnostic> {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, t) in targets.iter().enumerate() {
            if let Some(&j) = index.get(&canonical(&t.name)) {
                return Err(Diagnostic::new(
                    format!("two targets are named `{}`", t.name),
                    t.at.clone(),
                )
                .with_hint(format!("the other is `{}`; rename one", targets[j].name)));
            }
            index.insert(canonical(&t.name), i);
        }
        let mut members = Vec::with_capacity(targets.len());
        for t in &targets {
            let mut ids = Vec::new();
            for m in t.members() {
                match index.get(&canonical(&m.name)) {
                    Some(&j) => ids.push(j),
                    None => {
                        let err = SyntaxError::new(format!("unknown target `{}`", m.name), m.pos);
                        let names = targets.iter().map(|t| t.name.as_str());
                        let err = match closest(&m.name, names) {
                            Some(c) => err.hint(format!("did you mean `{c}`?")),
                            None => err,
                        };
                        return Err(located(&t.name, &t.text, &t.at, err));
                    }
                }
            }
            members.push(ids);
        }
        let order = topological(&targets, &members)?;
        Ok(TargetSet {
            targets,
            members,
            order,
        })
    }

    /// The targets, in the order given.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Number of targets.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there is no target.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The target with this name (XMILE matching rules).
    pub fn get(&self, name: &str) -> Option<&Target> {
        let key = canonical(name);
        self.targets.iter().find(|t| canonical(&t.name) == key)
    }

    /// Indices of the members of target `i` (empty unless it is an `all(...)` group).
    pub fn members(&self, i: usize) -> &[usize] {
        self.members.get(i).map_or(&[], Vec::as_slice)
    }

    /// Target indices with every group after its members, otherwise in the order given.
    pub fn evaluation_order(&self) -> &[usize] {
        &self.order
    }

    /// The variables the runs must save for all targets, in order of first mention.
    pub fn variables(&self) -> Vec<String> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for v in self.targets.iter().flat_map(Target::variables) {
            let key = canonical(&v);
            if !seen.contains(&key) {
                seen.push(key);
                out.push(v);
            }
        }
        out
    }

    /// The variables whose running integrals the runs must record, in order of first mention.
    pub fn integrated_variables(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.targets.iter().flat_map(Target::integrated_variables) {
            if !out.iter().any(|o| canonical(o) == canonical(&v)) {
                out.push(v);
            }
        }
        out
    }

    /// Every time any target names, sorted, without repeats: the runs record these times
    /// besides the save times, so targets read them exactly.
    pub fn times(&self) -> Vec<f64> {
        let mut out: Vec<f64> = self.targets.iter().flat_map(Target::times).collect();
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }

    /// Validates every target (see [`Target::validate`]), reporting all problems.
    pub fn validate(
        &self,
        known_variables: &[String],
        start: f64,
        stop: f64,
    ) -> Result<(), Diagnostics> {
        let errors: Vec<Diagnostic> = self
            .targets
            .iter()
            .filter_map(|t| t.validate(known_variables, start, stop).err())
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// Resolves every target against a run's column names.
    pub fn bind(&self, names: &[String]) -> Result<BoundSet, Diagnostic> {
        let mut items = Vec::with_capacity(self.targets.len());
        for (t, members) in self.targets.iter().zip(&self.members) {
            let bound = match t.spec {
                Spec::All { .. } => None,
                _ => Some(t.bind(names)?),
            };
            items.push((bound, members.clone()));
        }
        Ok(BoundSet::new(items, self.order.clone()))
    }
}

/// Orders targets so that groups come after their members (Kahn's algorithm, smallest index
/// first so the given order is kept where possible); reports a cycle as a path.
fn topological(targets: &[Target], members: &[Vec<usize>]) -> Result<Vec<usize>, Diagnostic> {
    let n = targets.len();
    let mut waiting: Vec<usize> = members.iter().map(Vec::len).collect();
    let mut groups_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (g, ms) in members.iter().enumerate() {
        for &m in ms {
            groups_of[m].push(g);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &g in &groups_of[i] {
            waiting[g] -= 1;
            if waiting[g] == 0 {
                ready.push(Reverse(g));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every unplaced target waits on an unplaced member, so walking those members must
    // come back to a target already on the path.
    let Some(start) = (0..n).find(|&i| waiting[i] > 0) else {
        return Ok(order);
    };
    let mut path = vec![start];
    let mut cur = start;
    while let Some(next_k) = members[cur].iter().position(|&m| waiting[m] > 0) {
        let next = members[cur][next_k];
        if let Some(p) = path.iter().position(|&x| x == next) {
            let cycle: Vec<&str> = path[p..]
                .iter()
                .chain(std::iter::once(&next))
                .map(|&i| targets[i].name.as_str())
                .collect();
            let t = &targets[cur];
            let pos = t.members().get(next_k).map_or(0, |m| m.pos);
            let err = SyntaxError::new(
                format!(
                    "targets refer to each other in a cycle: {}",
                    cycle.join(" → ")
                ),
                pos,
            )
            .hint("a group cannot contain itself, directly or through other groups");
            return Err(located(&t.name, &t.text, &t.at, err));
        }
        path.push(next);
        cur = next;
    }
    Err(Diagnostic::new(
        "targets refer to each other in a cycle",
        targets[start].at.clone(),
    ))
}
