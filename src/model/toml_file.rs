//! Reading a TOML model file into a [`Model`], with every error pointing at its line.
//!
//! The format is documented in `docs/model-format.md`. Unknown keys are errors. Sections that
//! belong to a study (`uncertain`, `targets`, `scenarios`, `correlations`, `study`) are left for
//! the study loader, which reads the same file.

use super::{
    ChartGroup, Dimension, Equation, Expr, GfKind, GraphicalFunction, Method, Model, SimSpecs,
    VarKind, Variable,
};
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::names::closest;
use std::path::Path;
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Sections a study reads from a model file; the model loader skips them.
pub const STUDY_SECTIONS: [&str; 6] = [
    "uncertain",
    "targets",
    "scenarios",
    "correlations",
    "study",
    "levers",
];

const MODEL_SECTIONS: [&str; 12] = [
    "model",
    "sim",
    "dimensions",
    "stocks",
    "flows",
    "aux",
    "auxiliaries",
    "constants",
    "lookups",
    "charts",
    "units",
    "loops",
];

/// Reads a file as UTF-8 text, with a clear message when it cannot be read.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
    let shown = path.display().to_string();
    let bytes = crate::loader::read_file(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        // Point at the bad byte: the text before it is valid, the rest is shown lossily.
        let file = Arc::new(SourceFile {
            path: shown.clone(),
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
        });
        let at = SourceRef::at_offset(&file, offset);
        let hint = if e.as_bytes().contains(&0) {
            "this looks like a binary file, not a model; check the file name"
        } else {
            "save the file as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")"
        };
        Diagnostic::new(
            format!("`{shown}` is not UTF-8 text (invalid byte at offset {offset})"),
            at,
        )
        .with_hint(hint)
    })?;
    Ok(Arc::new(SourceFile { path: shown, text }))
}

/// Refuses a name with control or text-direction characters (see
/// [`crate::model::names::check_printable`]).
fn check_name(name: &str, at: &SourceRef) -> Result<(), Diagnostic> {
    crate::model::names::check_printable(name)
        .map_err(|m| Diagnostic::new(m, at.clone()).with_hint(crate::model::names::PRINTABLE_HINT))
}

/// Loads a TOML model file.
pub fn load(path: &Path) -> Result<Model, Diagnostic> {
    let file = read_source(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    parse(&file, &stem)
}

/// Parses TOML model text; `default_name` is used when the file does not name the model.
pub fn parse(file: &Arc<SourceFile>, default_name: &str) -> Result<Model, Diagnostic> {
    let root = parse_table(file)?;
    Reader { file }.model(root.get_ref(), default_name)
}

/// Parses the file's TOML syntax, turning syntax errors into located diagnostics.
pub fn parse_table(file: &Arc<SourceFile>) -> Result<Spanned<DeTable<'_>>, Diagnostic> {
    if file.text.trim().is_empty() {
        return Err(
            Diagnostic::new("the model file is empty", SourceRef::file(file))
                .with_hint("a model needs at least [sim] and one stock; see docs/model-format.md"),
        );
    }
    DeTable::parse(&file.text).map_err(|e| {
        let at = match e.span() {
            Some(span) => SourceRef::at_offset(file, span.start),
            None => SourceRef::file(file),
        };
        let message = e.message().trim().to_string();
        Diagnostic::new(format!("TOML syntax error: {message}"), at).with_hint(
            "check the quotes, commas and brackets here and on the line before; \
             see docs/model-format.md",
        )
    })
}

/// Helpers for walking a spanned TOML document.
pub struct Reader<'f> {
    /// The file, for locations.
    pub file: &'f Arc<SourceFile>,
}

type Item<'a> = Spanned<DeValue<'a>>;

impl Reader<'_> {
    /// Location of a spanned item's start.
    pub fn at<T>(&self, item: &Spanned<T>) -> SourceRef {
        SourceRef::at_offset(self.file, item.span().start)
    }

    /// An error at a spanned item.
    pub fn error<T>(&self, item: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message, self.at(item))
    }

    /// Rejects keys of `table` not in `allowed`.
    pub fn check_keys(
        &self,
        table: &DeTable,
        allowed: &[&str],
        context: &str,
    ) -> Result<(), Diagnostic> {
        for (key, _) in table.iter() {
            let k = key.get_ref().as_ref();
            if !allowed.contains(&k) {
                let mut e = self.error(key, format!("unknown key `{k}` in {context}"));
                if let Some(c) = closest(k, allowed.iter().copied()) {
                    e = e.with_hint(format!("did you mean `{c}`?"));
                } else {
                    e = e.with_hint(format!("allowed here: {}", allowed.join(", ")));
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// A number (integer or float).
    pub fn number(&self, item: &Item, what: &str) -> Result<f64, Diagnostic> {
        number_of(item.get_ref()).ok_or_else(|| {
            self.error(
                item,
                format!(
                    "{what} must be a number, found {}",
                    item.get_ref().type_str()
                ),
            )
            .with_hint("write the number without quotes, e.g. 0.25 or 1e6")
        })
    }

    /// A string.
    pub fn string(&self, item: &Item, what: &str) -> Result<String, Diagnostic> {
        match item.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(self.error(
                item,
                format!("{what} must be a string, found {}", other.type_str()),
            )),
        }
    }

    /// A list of strings (a single string is accepted as a list of one).
    pub fn strings(&self, item: &Item, what: &str) -> Result<Vec<String>, Diagnostic> {
        match item.get_ref() {
            DeValue::String(s) => Ok(vec![s.to_string()]),
            DeValue::Array(items) => items.iter().map(|i| self.string(i, what)).collect(),
            other => Err(self.error(
                item,
                format!("{what} must be a list of names, found {}", other.type_str()),
            )),
        }
    }

    /// A list of numbers.
    pub fn numbers(&self, item: &Item, what: &str) -> Result<Vec<f64>, Diagnostic> {
        match item.get_ref() {
            DeValue::Array(items) => items.iter().map(|i| self.number(i, what)).collect(),
            other => Err(self.error(
                item,
                format!(
                    "{what} must be a list of numbers, found {}",
                    other.type_str()
                ),
            )),
        }
    }

    /// A boolean.
    pub fn boolean(&self, item: &Item, what: &str) -> Result<bool, Diagnostic> {
        item.get_ref()
            .as_bool()
            .ok_or_else(|| self.error(item, format!("{what} must be true or false")))
    }

    /// An equation: a string (its location is the first character inside the quotes) or a
    /// number.
    pub fn expr(&self, item: &Item, what: &str) -> Result<Expr, Diagnostic> {
        match item.get_ref() {
            DeValue::String(s) => {
                let start = item.span().start;
                let rest = &self.file.text[start.min(self.file.text.len())..];
                let skip = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
                    3 + usize::from(rest[3..].starts_with('\n'))
                        + usize::from(rest[3..].starts_with("\r\n")) * 2
                } else if rest.starts_with('"') || rest.starts_with('\'') {
                    1
                } else {
                    0
                };
                if s.trim().is_empty() {
                    return Err(self
                        .error(item, format!("{what} is empty"))
                        .with_hint("write a number or an expression"));
                }
                Ok(Expr {
                    text: s.to_string(),
                    at: SourceRef::at_offset(self.file, start + skip),
                })
            }
            v => match number_of(v) {
                Some(n) => Ok(Expr {
                    text: format_number(n),
                    at: self.at(item),
                }),
                None => Err(self.error(
                    item,
                    format!(
                        "{what} must be an equation (a string) or a number, found {}",
                        v.type_str()
                    ),
                )),
            },
        }
    }

    fn model(&self, root: &DeTable, default_name: &str) -> Result<Model, Diagnostic> {
        let mut allowed: Vec<&str> = MODEL_SECTIONS.to_vec();
        allowed.extend(STUDY_SECTIONS);
        self.check_keys(root, &allowed, "the model file")?;
        let mut model = Model {
            name: default_name.to_string(),
            sim: SimSpecs {
                start: 0.0,
                stop: 0.0,
                dt: 1.0,
                save_step: 1.0,
                time_unit: "time".into(),
                method: Method::Euler,
                stop_when: None,
            },
            dimensions: Vec::new(),
            variables: Vec::new(),
            charts: Vec::new(),
            loops: Vec::new(),
        };
        if let Some(item) = root.get("model") {
            let t = self.table(item, "[model]")?;
            self.check_keys(
                t,
                &["name", "doc", "title", "author", "source", "version"],
                "[model]",
            )?;
            if let Some(n) = t.get("name") {
                model.name = self.string(n, "model name")?;
            }
        }
        let Some(sim) = root.get("sim") else {
            return Err(Diagnostic::new(
                "the model has no [sim] section",
                SourceRef::at_offset(self.file, 0),
            )
            .with_hint("add [sim] with start, stop and dt"));
        };
        model.sim = self.sim(sim)?;
        if let Some(item) = root.get("dimensions") {
            for (key, value) in self.table(item, "[dimensions]")?.iter() {
                let elements = self.strings(value, "dimension elements")?;
                if elements.is_empty() {
                    return Err(self.error(
                        value,
                        format!("dimension `{}` has no elements", key.get_ref()),
                    ));
                }
                let at = self.at(key);
                check_name(key.get_ref(), &at)?;
                for e in &elements {
                    check_name(e, &self.at(value))?;
                }
                model.dimensions.push(Dimension {
                    name: key.get_ref().to_string(),
                    elements,
                });
            }
        }
        for (section, kind) in [
            ("stocks", Kind::Stock),
            ("flows", Kind::Flow),
            ("aux", Kind::Aux),
            ("auxiliaries", Kind::Aux),
            ("constants", Kind::Constant),
            ("lookups", Kind::Lookup),
        ] {
            let Some(item) = root.get(section) else {
                continue;
            };
            for (key, value) in self.table(item, &format!("[{section}]"))?.iter() {
                model
                    .variables
                    .push(self.variable(key, value, kind, &model.dimensions)?);
            }
        }
        if model.variables.is_empty() {
            return Err(Diagnostic::new(
                "the model defines no variables",
                SourceRef::file(self.file),
            )
            .with_hint("add a [stocks] section"));
        }
        if let Some(item) = root.get("loops") {
            model.loops = super::toml_loops::read(self, item)?;
        }
        if let Some(item) = root.get("charts") {
            for (key, value) in self.table(item, "[charts]")?.iter() {
                let variables = self.strings(value, "chart variables")?;
                self.check_chart(&model, key.get_ref(), value, &variables)?;
                model.charts.push(ChartGroup {
                    title: key.get_ref().to_string(),
                    variables,
                });
            }
        }
        Ok(model)
    }

    /// Fails on a chart naming a variable the model does not define (an arrayed variable may
    /// be named whole or with a subscript).
    fn check_chart(
        &self,
        model: &Model,
        title: &str,
        item: &Item,
        names: &[String],
    ) -> Result<(), Diagnostic> {
        let known = |name: &str| {
            let base = name.split_once('[').map_or(name, |(b, _)| b);
            let key = super::names::canonical(base);
            model
                .variables
                .iter()
                .any(|v| super::names::canonical(&v.name) == key)
        };
        if let Some(name) = names.iter().find(|n| !known(n)) {
            let hint = match closest(name, model.variables.iter().map(|v| v.name.as_str())) {
                Some(c) => format!("did you mean `{c}`?"),
                None => "a chart lists variables defined in this file".to_string(),
            };
            return Err(self
                .error(
                    item,
                    format!("chart `{title}` names unknown variable `{name}`"),
                )
                .with_hint(hint));
        }
        Ok(())
    }

    /// A table, or an error naming what was expected.
    pub fn table<'a, 'b>(
        &self,
        item: &'b Item<'a>,
        what: &str,
    ) -> Result<&'b DeTable<'a>, Diagnostic> {
        item.get_ref().as_table().ok_or_else(|| {
            self.error(item, format!("{what} must be a table"))
                .with_hint("write a [section] header with its keys on the lines below it")
        })
    }

    fn sim(&self, item: &Item) -> Result<SimSpecs, Diagnostic> {
        let t = self.table(item, "[sim]")?;
        self.check_keys(
            t,
            &[
                "start",
                "stop",
                "dt",
                "save_step",
                "save_interval",
                "time_unit",
                "method",
                "strict_units",
                "stop_when",
            ],
            "[sim]",
        )?;
        let need = |k: &str| {
            t.get(k).ok_or_else(|| {
                self.error(item, format!("[sim] needs `{k}`"))
                    .with_hint("e.g. start = 0, stop = 365, dt = 0.25")
            })
        };
        let start = self.number(need("start")?, "start")?;
        let stop = self.number(need("stop")?, "stop")?;
        let dt_item = need("dt")?;
        let dt = self.number(dt_item, "dt")?;
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(self
                .error(dt_item, format!("dt must be positive, got {dt}"))
                .with_hint("dt is the integration step, e.g. dt = 0.25"));
        }
        for (key, value) in [("start", start), ("stop", stop)] {
            if !value.is_finite() {
                return Err(self
                    .error(
                        need(key)?,
                        format!("{key} must be a finite number, got {value}"),
                    )
                    .with_hint("e.g. start = 0, stop = 365"));
            }
        }
        if stop < start {
            return Err(self
                .error(
                    need("stop")?,
                    format!("stop ({stop}) is before start ({start})"),
                )
                .with_hint("stop is the last time of the run and must not be below start"));
        }
        let save_item = t.get("save_step").or_else(|| t.get("save_interval"));
        let save_step = match save_item {
            Some(i) => {
                let s = self.number(i, "save_step")?;
                let ratio = s / dt;
                if !(ratio >= 1.0 - 1e-9 && (ratio - ratio.round()).abs() < 1e-6) {
                    return Err(self
                        .error(
                            i,
                            format!("save_step {s} is not a whole multiple of dt {dt}"),
                        )
                        .with_hint(format!(
                            "use {} or another multiple of dt",
                            dt * ratio.round().max(1.0)
                        )));
                }
                s
            }
            None => dt,
        };
        let steps = (stop - start) / dt;
        if (steps - steps.round()).abs() > 1e-6 * steps.max(1.0) {
            return Err(self.error(
                dt_item,
                format!("the run from {start} to {stop} is not a whole number of steps of {dt}"),
            ));
        }
        let time_unit = match t.get("time_unit") {
            Some(i) => self.string(i, "time_unit")?,
            None => "time".into(),
        };
        let method = match t.get("method") {
            Some(i) => {
                let s = self.string(i, "method")?;
                Method::parse(&s).ok_or_else(|| {
                    self.error(i, format!("unknown method `{s}`"))
                        .with_hint("use euler, rk2 or rk4")
                })?
            }
            None => Method::Euler,
        };
        let stop_when = match t.get("stop_when") {
            Some(i) => Some(self.string(i, "stop_when")?),
            None => None,
        };
        Ok(SimSpecs {
            start,
            stop,
            dt,
            save_step,
            time_unit,
            method,
            stop_when,
        })
    }

    fn variable(
        &self,
        key: &Spanned<toml::de::DeString>,
        value: &Item,
        kind: Kind,
        dims: &[Dimension],
    ) -> Result<Variable, Diagnostic> {
        let name = key.get_ref().to_string();
        let at = self.at(key);
        check_name(&name, &at)?;
        let mut var = Variable {
            name: name.clone(),
            kind: VarKind::Aux,
            dims: Vec::new(),
            equation: None,
            initial: None,
            gf: None,
            unit: None,
            doc: None,
            label: None,
            at,
        };
        let table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
        let Some(t) = table else {
            // Short form: the value is the equation (or a constant's number).
            var.kind = match kind {
                Kind::Stock => {
                    return Err(self
                        .error(value, format!("stock `{name}` needs a table"))
                        .with_hint(format!("{name} = {{ initial = 0, inflows = [\"...\"] }}")))
                }
                Kind::Lookup => {
                    return Err(self
                        .error(value, format!("lookup `{name}` needs a table"))
                        .with_hint(format!("{name} = {{ x = [0, 1], y = [0, 1] }}")))
                }
                Kind::Flow => VarKind::Flow {
                    non_negative: false,
                },
                Kind::Aux => VarKind::Aux,
                Kind::Constant => VarKind::Constant,
            };
            var.equation = Some(Equation::All(
                self.expr(value, &format!("the equation of `{name}`"))?,
            ));
            return Ok(var);
        };
        let common = ["unit", "doc", "label", "dims"];
        let specific: &[&str] = match kind {
            Kind::Stock => &["initial", "inflows", "outflows", "non_negative"],
            Kind::Flow => &["equation", "initial", "non_negative", "gf"],
            Kind::Aux => &["equation", "initial", "gf"],
            Kind::Constant => &["value", "dist", "lever"],
            Kind::Lookup => &["x", "y", "points", "kind"],
        };
        let allowed: Vec<&str> = common.iter().chain(specific).copied().collect();
        self.check_keys(t, &allowed, &format!("`{name}`"))?;
        if let Some(i) = t.get("unit") {
            var.unit = Some(self.string(i, "unit")?);
        }
        if let Some(i) = t.get("doc") {
            var.doc = Some(self.string(i, "doc")?);
        }
        if let Some(i) = t.get("label") {
            var.label = Some(self.string(i, "label")?);
        }
        if let Some(i) = t.get("dims") {
            var.dims = self.strings(i, "dims")?;
            for d in &var.dims {
                if !dims
                    .iter()
                    .any(|x| super::names::canonical(&x.name) == super::names::canonical(d))
                {
                    let mut e = self.error(i, format!("unknown dimension `{d}`"));
                    if let Some(c) = closest(d, dims.iter().map(|x| x.name.as_str())) {
                        e = e.with_hint(format!("did you mean `{c}`?"));
                    } else {
                        e = e.with_hint("declare it in [dimensions]");
                    }
                    return Err(e);
                }
            }
        }
        let non_negative = match t.get("non_negative") {
            Some(i) => self.boolean(i, "non_negative")?,
            None => false,
        };
        let key_for_eq = match kind {
            Kind::Stock => "initial",
            Kind::Constant => "value",
            _ => "equation",
        };
        var.kind = match kind {
            Kind::Stock => VarKind::Stock {
                inflows: match t.get("inflows") {
                    Some(i) => self.strings(i, "inflows")?,
                    None => Vec::new(),
                },
                outflows: match t.get("outflows") {
                    Some(i) => self.strings(i, "outflows")?,
                    None => Vec::new(),
                },
                non_negative,
            },
            Kind::Flow => VarKind::Flow { non_negative },
            Kind::Aux | Kind::Lookup => VarKind::Aux,
            Kind::Constant => VarKind::Constant,
        };
        if kind == Kind::Lookup {
            var.gf = Some(self.gf(value, t, &name)?);
            return Ok(var);
        }
        if let Some(i) = t.get("gf") {
            let gt = self.table(i, "gf")?;
            self.check_keys(
                gt,
                &["x", "y", "points", "kind"],
                &format!("the gf of `{name}`"),
            )?;
            var.gf = Some(self.gf(i, gt, &name)?);
        }
        let Some(eq) = t.get(key_for_eq) else {
            return Err(self.error(value, format!("`{name}` needs `{key_for_eq}`")));
        };
        var.equation = Some(self.equation(eq, &var, dims)?);
        if matches!(kind, Kind::Flow | Kind::Aux) {
            if let Some(i) = t.get("initial") {
                var.initial = Some(self.equation(i, &var, dims)?);
            }
        }
        Ok(var)
    }

    fn equation(
        &self,
        item: &Item,
        var: &Variable,
        dims: &[Dimension],
    ) -> Result<Equation, Diagnostic> {
        let what = format!("the equation of `{}`", var.name);
        match item.get_ref() {
            DeValue::Table(t) => {
                let mut list = Vec::new();
                for (k, v) in t.iter() {
                    let elems: Vec<String> = k
                        .get_ref()
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .collect();
                    if elems.len() != var.dims.len() {
                        return Err(self.error(
                            k,
                            format!(
                                "`{}` needs {} element name(s) per key, separated by commas",
                                var.name,
                                var.dims.len()
                            ),
                        ));
                    }
                    list.push((elems, self.expr(v, &what)?));
                }
                Ok(Equation::PerElement(list))
            }
            DeValue::Array(items) => {
                if var.dims.len() != 1 {
                    return Err(self
                        .error(
                            item,
                            format!(
                                "a list of values needs `{}` to have exactly one dimension",
                                var.name
                            ),
                        )
                        .with_hint("use a table keyed by \"a,b\" element names"));
                }
                let dim = dims.iter().find(|d| {
                    super::names::canonical(&d.name) == super::names::canonical(&var.dims[0])
                });
                let Some(dim) = dim else {
                    return Err(self.error(item, "unknown dimension"));
                };
                if items.len() != dim.elements.len() {
                    return Err(self.error(
                        item,
                        format!(
                            "`{}` lists {} values but `{}` has {} elements",
                            var.name,
                            items.len(),
                            dim.name,
                            dim.elements.len()
                        ),
                    ));
                }
                let list = dim
                    .elements
                    .iter()
                    .zip(items.iter())
                    .map(|(e, v)| Ok((vec![e.clone()], self.expr(v, &what)?)))
                    .collect::<Result<_, Diagnostic>>()?;
                Ok(Equation::PerElement(list))
            }
            _ => Ok(Equation::All(self.expr(item, &what)?)),
        }
    }

    fn gf(&self, item: &Item, t: &DeTable, name: &str) -> Result<GraphicalFunction, Diagnostic> {
        let (xs, ys) = match (t.get("x"), t.get("y"), t.get("points")) {
            (Some(x), Some(y), None) => (self.numbers(x, "x")?, self.numbers(y, "y")?),
            (None, None, Some(p)) => {
                let DeValue::Array(pairs) = p.get_ref() else {
                    return Err(self.error(p, "points must be a list of [x, y] pairs"));
                };
                let mut xs = Vec::new();
                let mut ys = Vec::new();
                for pair in pairs {
                    let v = self.numbers(pair, "a point")?;
                    if v.len() != 2 {
                        return Err(self.error(pair, "each point is [x, y]"));
                    }
                    xs.push(v[0]);
                    ys.push(v[1]);
                }
                (xs, ys)
            }
            _ => {
                return Err(self
                    .error(
                        item,
                        format!("lookup `{name}` needs `x` and `y` lists, or `points`"),
                    )
                    .with_hint("x = [0, 1, 2], y = [0, 0.5, 1]"))
            }
        };
        if xs.len() != ys.len() || xs.is_empty() {
            return Err(self.error(
                item,
                format!(
                    "lookup `{name}` has {} x values and {} y values",
                    xs.len(),
                    ys.len()
                ),
            ));
        }
        if xs.windows(2).any(|w| w[1] <= w[0]) || xs.iter().chain(&ys).any(|v| !v.is_finite()) {
            return Err(self.error(
                item,
                format!("the x values of `{name}` must be finite and strictly increasing"),
            ));
        }
        let kind = match t.get("kind") {
            None => GfKind::Continuous,
            Some(k) => match self.string(k, "kind")?.to_ascii_lowercase().as_str() {
                "continuous" => GfKind::Continuous,
                "discrete" => GfKind::Discrete,
                "extrapolate" => GfKind::Extrapolate,
                other => {
                    return Err(self
                        .error(k, format!("unknown lookup kind `{other}`"))
                        .with_hint("use continuous, discrete or extrapolate"))
                }
            },
        };
        Ok(GraphicalFunction { xs, ys, kind })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stock,
    Flow,
    Aux,
    Constant,
    Lookup,
}

/// The number in a TOML integer or float value.
pub fn number_of(v: &DeValue) -> Option<f64> {
    match v {
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            // The text may or may not keep its `0x`/`0o`/`0b` prefix, and may be empty (`0x`).
            let body = ["0x", "0o", "0b"]
                .iter()
                .find_map(|p| digits.strip_prefix(p))
                .unwrap_or(&digits);
            i64::from_str_radix(body, i.radix()).ok().map(|n| n as f64)
        }
        DeValue::Float(f) => {
            let s = f.as_str().replace('_', "");
            match s.as_str() {
                "inf" | "+inf" => Some(f64::INFINITY),
                "-inf" => Some(f64::NEG_INFINITY),
                "nan" | "+nan" | "-nan" => Some(f64::NAN),
                _ => s.parse().ok(),
            }
        }
        _ => None,
    }
}

/// Formats a number so that it parses back to the same value.
pub fn format_number(n: f64) -> String {
    if n.is_infinite() {
        return if n > 0.0 { "INF".into() } else { "-INF".into() };
    }
    format!("{n:?}")
}
