//! Reading an XMILE 1.0 document into a [`Model`].
//!
//! Only the standard elements matter; vendor extras (`isee:*`, views, styles) are skipped.
//! Prefixes that files use without declaring them (`isee:` in many exported models) are
//! declared before parsing, as every XMILE tool accepts such files.

use super::eqn_text::{blank_comments, inline_macros, number_list, Macro};
use super::{arrays, conveyor, lenient, mapping, modules, SANDTABLE_NS};
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::{
    ChartGroup, Dimension, Equation, Expr, Method, Model, SimSpecs, VarKind, Variable,
};
use roxmltree::{Document, Node};
use std::path::Path;
use std::sync::Arc;

/// Reads and parses the XMILE file at `path`.
pub fn load(path: &Path) -> Result<Model, Diagnostic> {
    let file = crate::model::toml_file::read_source(path)?;
    parse(&file.text, &file.path)
}

/// Parses XMILE text; `path_for_messages` names the file in diagnostics and gives the model
/// its name when the header has none.
pub fn parse(text: &str, path_for_messages: &str) -> Result<Model, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = Arc::new(SourceFile {
        path: path_for_messages.to_string(),
        text: text.to_string(),
    });
    refuse_entity_declarations(&file)?;
    let text = lenient::comment_dashes(text);
    let (patched, shift) = declare_missing_prefixes(&text, &file)?;
    let doc =
        Document::parse_with_options(&patched, options()).map_err(|e| xml_error(&e, &file))?;
    let cx = Cx {
        file: &file,
        shift,
        std_ns: doc.root_element().tag_name().namespace(),
    };
    let root = doc.root_element();
    if root.tag_name().name() != "xmile" {
        return Err(Diagnostic::new(
            format!(
                "not an XMILE file: the root element is <{}>, not <xmile>",
                root.tag_name().name()
            ),
            cx.at(root),
        )
        .with_hint("export the model as XMILE (.xmile or .stmx) from its modelling tool"));
    }
    lenient::check_version(root, cx.at(root))?;
    let macros = cx.macros(root)?;
    let name = cx
        .child(root, "header")
        .and_then(|h| cx.child(h, "name"))
        .map(|n| text_of(n).trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            Path::new(path_for_messages)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".to_string())
        });
    let sim = cx.sim_specs(root)?;
    let (dimensions, mappings) = match cx.child(root, "dimensions") {
        Some(d) => cx.dimensions(d)?,
        None => (Vec::new(), Vec::new()),
    };
    let file_behavior = Behavior::default().read(&cx, root);
    let models: Vec<Node> = cx.children(root, "model").collect();
    let main = models
        .iter()
        .find(|m| m.attribute("name").is_none())
        .or_else(|| models.first())
        .copied()
        .ok_or_else(|| Diagnostic::new("the file has no <model> element", cx.at(root)))?;
    let reader = VarReader {
        cx: &cx,
        dimensions: &dimensions,
        behavior: file_behavior,
    };
    let (mut variables, roles) = modules::flatten(&reader, main, &models)?;
    let array_passes = |vars: &mut [Variable]| {
        arrays::element_positions(vars, &dimensions);
        arrays::dimension_positions(vars, &dimensions);
        mapping::mapped_dimensions(vars, &dimensions, &mappings);
        arrays::subrange_wildcards(vars);
    };
    array_passes(&mut variables);
    super::initial::on_initials(&mut variables, array_passes);
    lenient::check_not_empty(variables.len(), main, cx.at(main))?;
    conveyor::apply(&mut variables, &roles, &sim)?;
    check_complete(&variables)?;
    resolve_flow_names(&mut variables);
    if !macros.is_empty() {
        expand_macros(&mut variables, &macros)?;
        let mut expanded = Ok(());
        super::initial::on_initials(&mut variables, |vars| {
            expanded = expand_macros(vars, &macros);
        });
        expanded?;
    }
    let charts = cx.charts(root);
    Ok(Model {
        name,
        sim,
        dimensions,
        variables,
        charts,
        loops: Vec::new(),
    })
}

/// Refuses a document type declaration that declares entities: XMILE never needs them, and
/// one entity used many times expands a small file into gigabytes before any element is read.
fn refuse_entity_declarations(file: &Arc<SourceFile>) -> Result<(), Diagnostic> {
    match file.text.find("<!ENTITY") {
        None => Ok(()),
        Some(offset) => Err(Diagnostic::new(
            "the file declares XML entities (<!ENTITY ...>), which XMILE files do not use",
            SourceRef::at_offset(file, offset),
        )
        .with_hint(
            "remove the <!DOCTYPE ...> block; the predefined entities such as &amp; still work",
        )),
    }
}

fn options<'i>() -> roxmltree::ParsingOptions<'i> {
    roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    }
}

fn xml_error(e: &roxmltree::Error, file: &Arc<SourceFile>) -> Diagnostic {
    let pos = e.pos();
    let hint = if file.text.trim().is_empty() {
        "the file is empty; export the model again from its modelling tool"
    } else {
        "every <tag> needs its </tag>; check for a truncated or hand-edited file"
    };
    Diagnostic::new(
        format!("malformed XML: {e}"),
        SourceRef {
            file: Some(file.clone()),
            line: pos.row as usize,
            col: pos.col as usize,
        },
    )
    .with_hint(hint)
}

/// Declares, on the root element, namespace prefixes used but never declared. Returns the
/// patched text and where (byte offset, length) the declarations were inserted.
fn declare_missing_prefixes(
    text: &str,
    file: &Arc<SourceFile>,
) -> Result<(String, (usize, usize)), Diagnostic> {
    let mut patched = text.to_string();
    let mut inserted = 0usize;
    let insert_at = root_tag_name_end(text);
    for _ in 0..16 {
        match Document::parse_with_options(&patched, options()) {
            Ok(_) => return Ok((patched, (insert_at.unwrap_or(0), inserted))),
            Err(roxmltree::Error::UnknownNamespace(prefix, pos)) => {
                let Some(at) = insert_at else {
                    return Err(xml_error(
                        &roxmltree::Error::UnknownNamespace(prefix, pos),
                        file,
                    ));
                };
                let uri = if prefix == "isee" {
                    "http://iseesystems.com/XMILE".to_string()
                } else {
                    format!("urn:undeclared:{prefix}")
                };
                let decl = format!(" xmlns:{prefix}=\"{uri}\"");
                patched.insert_str(at, &decl);
                inserted += decl.len();
            }
            Err(e) => return Err(xml_error(&e, file)),
        }
    }
    Err(Diagnostic::new(
        "too many undeclared namespace prefixes",
        SourceRef::file(file),
    ))
}

/// Byte offset just after the root element's tag name.
fn root_tag_name_end(text: &str) -> Option<usize> {
    let mut rest = 0;
    loop {
        let lt = rest + text[rest..].find('<')?;
        let next = text[lt + 1..].chars().next()?;
        if next == '?' || next == '!' {
            rest = lt + 1;
            continue;
        }
        let name_len = text[lt + 1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(text.len() - lt - 1);
        return Some(lt + 1 + name_len);
    }
}

/// The concatenated text inside an element.
pub(super) fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// A name as written in a `name` attribute or inflow list: `\n` escapes and surrounding quotes
/// removed.
pub(super) fn xmile_name(raw: &str) -> String {
    let unescaped = raw.replace("\\n", " ").replace(['\n', '\r'], " ");
    let trimmed = unescaped.trim();
    let unquoted = trimmed
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(trimmed);
    let words: Vec<&str> = unquoted.split(' ').filter(|w| !w.is_empty()).collect();
    words.join(" ")
}

/// Document-wide reading context: the file for positions and the standard namespace.
pub(super) struct Cx<'a> {
    pub file: &'a Arc<SourceFile>,
    /// Declarations inserted into the parsed text: (offset, length).
    pub shift: (usize, usize),
    pub std_ns: Option<&'a str>,
}

impl<'a> Cx<'a> {
    /// Where `node` starts in the original file.
    pub fn at(&self, node: Node) -> SourceRef {
        self.at_offset(node.range().start)
    }

    fn at_offset(&self, offset: usize) -> SourceRef {
        let (at, len) = self.shift;
        let original = if offset > at {
            offset.saturating_sub(len).max(at)
        } else {
            offset
        };
        SourceRef::at_offset(self.file, original)
    }

    /// Whether `node` is an element of the XMILE vocabulary (not a vendor extension).
    pub fn is_std(&self, node: Node) -> bool {
        node.is_element()
            && (node.tag_name().namespace() == self.std_ns || node.tag_name().namespace().is_none())
    }

    /// Standard child elements named `name`.
    pub fn children<'n, 'i>(
        &'n self,
        node: Node<'n, 'i>,
        name: &'n str,
    ) -> impl Iterator<Item = Node<'n, 'i>> + 'n {
        node.children()
            .filter(move |c| self.is_std(*c) && c.tag_name().name() == name)
    }

    /// The first standard child element named `name`.
    pub fn child<'n, 'i>(&self, node: Node<'n, 'i>, name: &str) -> Option<Node<'n, 'i>> {
        node.children()
            .find(|c| self.is_std(*c) && c.tag_name().name() == name)
    }

    /// The equation in the `<eqn>` child of `node`, comments removed; `None` when absent or
    /// only a comment (a module input waiting for its connection).
    pub fn eqn(&self, node: Node) -> Option<Expr> {
        self.eqn_text(self.child(node, "eqn")?)
    }

    /// The equation held by the `<eqn>` element `eqn`, as for [`Cx::eqn`].
    pub fn eqn_text(&self, eqn: Node) -> Option<Expr> {
        let raw = text_of(eqn);
        let cleaned = super::builtin_names::join_spaced_builtins(&blank_comments(&raw));
        let lead = cleaned.len() - cleaned.trim_start().len();
        let text = cleaned.trim();
        if text.is_empty() {
            return None;
        }
        let start = eqn
            .first_child()
            .filter(|c| c.is_text())
            .map(|c| c.range().start)
            .unwrap_or_else(|| eqn.range().start);
        Some(Expr {
            text: text.to_string(),
            at: self.at_offset(start + lead),
        })
    }

    fn number(&self, node: Node, what: &str) -> Result<f64, Diagnostic> {
        let text = text_of(node);
        text.trim().parse::<f64>().map_err(|_| {
            Diagnostic::new(
                format!("{what} must be a number, found `{}`", text.trim()),
                self.at(node),
            )
            .with_hint("write a plain number such as 10 or 0.25")
        })
    }

    fn sim_specs(&self, root: Node) -> Result<SimSpecs, Diagnostic> {
        let specs = self.child(root, "sim_specs").ok_or_else(|| {
            Diagnostic::new(
                "the file has no <sim_specs> (start, stop, dt)",
                self.at(root),
            )
            .with_hint("add <sim_specs><start>0</start><stop>100</stop><dt>1</dt></sim_specs>")
        })?;
        let need = |name: &str| {
            self.child(specs, name).ok_or_else(|| {
                Diagnostic::new(format!("<sim_specs> has no <{name}>"), self.at(specs))
            })
        };
        let start = self.number(need("start")?, "<start>")?;
        let stop = self.number(need("stop")?, "<stop>")?;
        let dt = match self.child(specs, "dt") {
            Some(node) => {
                let value = self.number(node, "<dt>")?;
                if is_true(node.attribute("reciprocal")) {
                    1.0 / value
                } else {
                    value
                }
            }
            None => 1.0,
        };
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Diagnostic::new(
                format!("dt must be a positive number, found {dt}"),
                self.at(specs),
            )
            .with_hint("dt is the integration step, e.g. <dt>0.25</dt>"));
        }
        let save_attr = specs
            .attributes()
            .find(|a| matches!(a.name(), "save_interval" | "savestep" | "save_step"))
            .map(|a| a.value().to_string());
        let save_step = match (self.child(specs, "save_step"), save_attr) {
            (Some(node), _) => self.number(node, "<save_step>")?,
            (None, Some(v)) => v.trim().parse::<f64>().map_err(|_| {
                Diagnostic::new(
                    format!("save interval must be a number, found `{v}`"),
                    self.at(specs),
                )
            })?,
            (None, None) => dt,
        };
        let method = match specs.attribute("method") {
            None => Method::Euler,
            Some(m) => parse_method(m).ok_or_else(|| {
                Diagnostic::new(format!("unknown integration method `{m}`"), self.at(specs))
                    .with_hint("use Euler, RK2 or RK4")
            })?,
        };
        Ok(SimSpecs {
            start,
            stop,
            dt,
            save_step,
            time_unit: specs
                .attribute("time_units")
                .unwrap_or("")
                .trim()
                .to_string(),
            method,
            stop_when: None,
        })
    }

    /// Expression macros (`<macro>` with parameters and one equation). Macros with variables
    /// of their own (stocks inside a macro) are refused with a clear message.
    fn macros(&self, root: Node) -> Result<Vec<Macro>, Diagnostic> {
        let mut out = Vec::new();
        for mac in self.children(root, "macro") {
            let name = mac
                .attribute("name")
                .map(xmile_name)
                .ok_or_else(|| Diagnostic::new("a <macro> has no name", self.at(mac)))?;
            if self.child(mac, "variables").is_some() {
                return Err(Diagnostic::new(
                    format!("macro `{name}` has variables of its own; only expression macros are supported"),
                    self.at(mac),
                )
                .with_hint("rewrite the macro's stocks as ordinary model variables"));
            }
            let body = self.eqn(mac).ok_or_else(|| {
                Diagnostic::new(format!("macro `{name}` has no <eqn>"), self.at(mac))
            })?;
            out.push(Macro {
                key: crate::model::names::canonical(&name),
                params: self
                    .children(mac, "parm")
                    .map(|p| xmile_name(&text_of(p)))
                    .collect(),
                body: body.text,
            });
        }
        Ok(out)
    }

    fn charts(&self, root: Node) -> Vec<ChartGroup> {
        root.children()
            .filter(|c| {
                c.tag_name().namespace() == Some(SANDTABLE_NS) && c.tag_name().name() == "charts"
            })
            .flat_map(|c| c.children().filter(|n| n.tag_name().name() == "chart"))
            .map(|chart| ChartGroup {
                title: chart.attribute("title").unwrap_or("").to_string(),
                variables: chart
                    .children()
                    .filter(|n| n.tag_name().name() == "var")
                    .map(|n| text_of(n).trim().to_string())
                    .collect(),
            })
            .collect()
    }
}

pub(super) fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// Integration methods under the names Stella and other tools write.
fn parse_method(name: &str) -> Option<Method> {
    match name.trim().to_ascii_lowercase().as_str() {
        "euler" => Some(Method::Euler),
        "rk2" | "rk2-auto" | "heun" => Some(Method::Rk2),
        "rk4" | "rk4-auto" | "rk45" | "runge-kutta" => Some(Method::Rk4),
        other => Method::parse(other),
    }
}

/// Defaults for `non_negative` from a `<behavior>` element.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Behavior {
    pub stock: bool,
    pub flow: bool,
}

impl Behavior {
    /// These defaults overridden by a `<behavior>` child of `node`, if any.
    pub fn read(mut self, cx: &Cx, node: Node) -> Behavior {
        if let Some(b) = cx.child(node, "behavior") {
            if let Some(nn) = cx.child(b, "non_negative") {
                let on = non_negative_value(nn);
                self.stock = on;
                self.flow = on;
            }
            for (kind, slot) in [("stock", &mut self.stock), ("flow", &mut self.flow)] {
                if let Some(nn) = cx.child(b, kind).and_then(|k| cx.child(k, "non_negative")) {
                    *slot = non_negative_value(nn);
                }
            }
        }
        self
    }
}

/// `<non_negative/>` means yes; `<non_negative>false</non_negative>` means no.
fn non_negative_value(node: Node) -> bool {
    let text = text_of(node).trim().to_ascii_lowercase();
    !(text == "false" || text == "0" || text == "no")
}

/// Reads the variables of one `<model>` element.
pub(super) struct VarReader<'a> {
    pub cx: &'a Cx<'a>,
    pub dimensions: &'a [Dimension],
    pub behavior: Behavior,
}

impl VarReader<'_> {
    /// The variable defined by a `<stock>`, `<flow>`, `<aux>` or `<gf>` element, or `None`
    /// for anything else (groups, vendor elements, modules).
    pub fn variable(&self, node: Node, behavior: Behavior) -> Result<Option<Variable>, Diagnostic> {
        let cx = self.cx;
        let tag = node.tag_name().name();
        if !cx.is_std(node) || !matches!(tag, "stock" | "flow" | "aux" | "gf") {
            return Ok(None);
        }
        let at = cx.at(node);
        let name = node
            .attribute("name")
            .map(xmile_name)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Diagnostic::new(format!("a <{tag}> has no name"), at.clone()))?;
        crate::model::names::check_printable(&name).map_err(|m| {
            Diagnostic::new(m, at.clone()).with_hint(crate::model::names::PRINTABLE_HINT)
        })?;
        let dims: Vec<String> = cx
            .child(node, "dimensions")
            .map(|d| {
                cx.children(d, "dim")
                    .filter_map(|x| x.attribute("name").map(xmile_name))
                    .collect()
            })
            .unwrap_or_default();
        let non_negative = |default: bool| match cx.child(node, "non_negative") {
            Some(nn) => non_negative_value(nn),
            None => default,
        };
        let kind = match tag {
            "stock" => VarKind::Stock {
                inflows: cx
                    .children(node, "inflow")
                    .map(|n| xmile_name(&text_of(n)))
                    .collect(),
                outflows: cx
                    .children(node, "outflow")
                    .map(|n| xmile_name(&text_of(n)))
                    .collect(),
                non_negative: non_negative(behavior.stock),
            },
            "flow" => VarKind::Flow {
                non_negative: non_negative(behavior.flow),
            },
            _ if node
                .attribute((SANDTABLE_NS, "kind"))
                .is_some_and(|k| k == "constant") =>
            {
                VarKind::Constant
            }
            _ => VarKind::Aux,
        };
        let gf = if tag == "gf" {
            Some(self.gf(node, &name)?)
        } else {
            match cx.child(node, "gf") {
                Some(g) => Some(self.gf(g, &name)?),
                None => None,
            }
        };
        let equation = self.equation(node, &name, &dims, "eqn")?;
        let initial = self.initial(node, &name, &dims, &kind)?;
        let unit = cx
            .child(node, "units")
            .map(|u| text_of(u).trim().to_string())
            .filter(|u| !u.is_empty());
        let doc = cx
            .child(node, "doc")
            .map(|u| text_of(u).trim().to_string())
            .filter(|u| !u.is_empty());
        let label = node
            .children()
            .find(|c| {
                c.tag_name().namespace() == Some(SANDTABLE_NS) && c.tag_name().name() == "label"
            })
            .map(|l| text_of(l).trim().to_string());
        Ok(Some(Variable {
            name,
            kind,
            dims,
            equation,
            initial,
            gf,
            unit,
            doc,
            label,
            at,
        }))
    }

    /// The equation in the `tag` children (`eqn`, or `init_eqn` for a separate initial
    /// equation) of `node` or of its `<element>`s. For `init_eqn`, an element without one
    /// starts from its `<eqn>`.
    pub(super) fn equation(
        &self,
        node: Node,
        name: &str,
        dims: &[String],
        tag: &str,
    ) -> Result<Option<Equation>, Diagnostic> {
        let cx = self.cx;
        let elements: Vec<Node> = cx.children(node, "element").collect();
        let eqns: Vec<Node> = cx.children(node, tag).collect();
        if elements.is_empty() && eqns.len() > 1 && !dims.is_empty() {
            let exprs = eqns
                .iter()
                .map(|e| {
                    let expr = cx.eqn_text(*e).ok_or_else(|| {
                        Diagnostic::new(format!("an <{tag}> of `{name}` is empty"), cx.at(*e))
                    })?;
                    check_defined(&expr, name)?;
                    Ok(expr)
                })
                .collect::<Result<Vec<_>, Diagnostic>>()?;
            return self.by_position(name, dims, exprs).map(Some);
        }
        if elements.is_empty() {
            let Some(expr) = cx.child(node, tag).and_then(|e| cx.eqn_text(e)) else {
                return Ok(None);
            };
            check_defined(&expr, name)?;
            if !dims.is_empty() {
                if let Some(numbers) = number_list(&expr.text) {
                    let exprs = numbers
                        .into_iter()
                        .map(|text| Expr {
                            text,
                            at: expr.at.clone(),
                        })
                        .collect();
                    return self.by_position(name, dims, exprs).map(Some);
                }
            }
            return Ok(Some(Equation::All(expr)));
        }
        let mut per = Vec::with_capacity(elements.len());
        for el in elements {
            let subscript = el.attribute("subscript").ok_or_else(|| {
                Diagnostic::new(
                    format!("an <element> of `{name}` has no subscript"),
                    cx.at(el),
                )
            })?;
            let key = super::arrays::element_key(subscript);
            // An element without its own initial equation starts from the variable's, or
            // else from its own equation.
            let own = match tag {
                "eqn" => cx.child(el, tag),
                _ => cx
                    .child(el, tag)
                    .or_else(|| cx.child(node, tag))
                    .or_else(|| cx.child(el, "eqn")),
            };
            let expr = own.and_then(|e| cx.eqn_text(e)).ok_or_else(|| {
                Diagnostic::new(
                    format!("element [{subscript}] of `{name}` has no equation"),
                    cx.at(el),
                )
            })?;
            check_defined(&expr, name)?;
            // An element with its own graphical function reads its input through the hidden
            // lookup `element_tables` makes for it.
            let expr = if cx.child(el, "gf").is_some() {
                let table = super::arrays::element_table_name(name, &key);
                Expr {
                    text: format!("{}({})", super::eqn_text::quoted(&table), expr.text),
                    at: expr.at,
                }
            } else {
                expr
            };
            per.push((key, expr));
        }
        Ok(Some(Equation::PerElement(per)))
    }

    /// A Vensim-style list `1, 2, 3` for an arrayed variable: one number per element, in
    /// row-major order of its dimensions.
    /// One equation per element, in row-major order of the variable's dimensions: a
    /// Vensim-style list `1, 2, 3`, or a run of `<eqn>` elements without subscripts.
    fn by_position(
        &self,
        name: &str,
        dims: &[String],
        exprs: Vec<Expr>,
    ) -> Result<Equation, Diagnostic> {
        let at = exprs.first().map(|e| e.at.clone()).unwrap_or_default();
        let mut keys: Vec<Vec<String>> = vec![Vec::new()];
        for d in dims {
            let key = crate::model::names::canonical(d);
            let dim = self
                .dimensions
                .iter()
                .find(|x| crate::model::names::canonical(&x.name) == key)
                .ok_or_else(|| {
                    Diagnostic::new(format!("`{name}` uses unknown dimension `{d}`"), at.clone())
                })?;
            keys = keys
                .into_iter()
                .flat_map(|k| {
                    dim.elements.iter().map(move |e| {
                        let mut k = k.clone();
                        k.push(e.clone());
                        k
                    })
                })
                .collect();
        }
        if keys.len() != exprs.len() {
            return Err(Diagnostic::new(
                format!(
                    "`{name}` gives {} values but has {} elements",
                    exprs.len(),
                    keys.len()
                ),
                at,
            ));
        }
        Ok(Equation::PerElement(keys.into_iter().zip(exprs).collect()))
    }
}

/// Vensim's marker for an equation it could not convert.
fn check_defined(expr: &Expr, name: &str) -> Result<(), Diagnostic> {
    if expr.text.contains("???") {
        return Err(Diagnostic::new(
            format!("the equation of `{name}` is `???`: the file leaves it undefined"),
            expr.at.clone(),
        )
        .with_hint("the converter that wrote this file lost the equation; define it by hand"));
    }
    Ok(())
}

/// Every variable must end up with something to compute.
fn check_complete(variables: &[Variable]) -> Result<(), Diagnostic> {
    for v in variables {
        let missing = match v.kind {
            VarKind::Stock { .. } => v.equation.is_none(),
            _ => v.equation.is_none() && v.gf.is_none(),
        };
        if missing {
            return Err(
                Diagnostic::new(format!("`{}` has no equation", v.name), v.at.clone())
                    .with_hint("give it an <eqn>, or connect it when it is a module input"),
            );
        }
    }
    Ok(())
}

/// Inflow and outflow lists are written in reference form (`Flow_A`); name the flows as their
/// own definitions do (`Flow A`) so later stages and written files agree.
fn resolve_flow_names(variables: &mut [Variable]) {
    let display: std::collections::HashMap<String, String> = variables
        .iter()
        .map(|v| (crate::model::names::canonical(&v.name), v.name.clone()))
        .collect();
    for v in variables.iter_mut() {
        if let VarKind::Stock {
            inflows, outflows, ..
        } = &mut v.kind
        {
            for f in inflows.iter_mut().chain(outflows.iter_mut()) {
                if let Some(name) = display.get(&crate::model::names::canonical(f)) {
                    f.clone_from(name);
                }
            }
        }
    }
}

fn expand_macros(variables: &mut [Variable], macros: &[Macro]) -> Result<(), Diagnostic> {
    let expand = |e: &mut Expr| -> Result<(), Diagnostic> {
        e.text = inline_macros(&e.text, macros, 0).map_err(|m| {
            let hint = if m.contains("over the limit") {
                crate::limits::MACRO_EXPANSION_BYTES.hint()
            } else {
                "check the macro's definition and the arguments of the call".to_string()
            };
            Diagnostic::new(m, e.at.clone()).with_hint(hint)
        })?;
        Ok(())
    };
    for v in variables.iter_mut() {
        for e in v.equation.iter_mut().flat_map(Equation::exprs_mut) {
            expand(e)?;
        }
    }
    Ok(())
}
