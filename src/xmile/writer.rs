//! Writing a [`Model`] as an XMILE 1.0 document that Stella and this crate's reader open.
//!
//! What XMILE has no element for (constants as a role, display labels, chart groups) goes into
//! the sandtable namespace, which other tools skip as a vendor extension.

use super::{SANDTABLE_NS, XMILE_NS};
use crate::model::{Equation, GfKind, GraphicalFunction, Method, Model, VarKind, Variable};
use std::fmt::Write;

/// The model as an XMILE 1.0 document.
pub fn to_xmile(model: &Model) -> String {
    to_xmile_with_study(model, "")
}

/// As [`to_xmile`], with a study's TOML sections kept in a `sandtable:study` extension element
/// (namespace [`super::STUDY_NS`]) that sandtable reads back and other tools ignore.
pub fn to_xmile_with_study(model: &Model, study_toml: &str) -> String {
    let mut w = Xml::default();
    w.line("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    w.open(&format!(
        "xmile version=\"1.0\" xmlns=\"{XMILE_NS}\" xmlns:isee=\"http://iseesystems.com/XMILE\" xmlns:sandtable=\"{SANDTABLE_NS}\""
    ));
    header(&mut w, model);
    sim_specs(&mut w, model);
    if !model.dimensions.is_empty() {
        w.open("dimensions");
        for d in &model.dimensions {
            w.open(&format!("dim name=\"{}\"", attr(&d.name)));
            for e in &d.elements {
                w.line(&format!("<elem name=\"{}\"/>", attr(e)));
            }
            w.close("dim");
        }
        w.close("dimensions");
    }
    w.open("model");
    w.open("variables");
    for v in &model.variables {
        variable(&mut w, v);
    }
    w.close("variables");
    w.close("model");
    if !model.charts.is_empty() {
        w.open("sandtable:charts");
        for c in &model.charts {
            w.open(&format!("sandtable:chart title=\"{}\"", attr(&c.title)));
            for v in &c.variables {
                w.line(&format!("<sandtable:var>{}</sandtable:var>", text(v)));
            }
            w.close("sandtable:chart");
        }
        w.close("sandtable:charts");
    }
    if !study_toml.trim().is_empty() {
        // CDATA cannot hold `]]>`: split it across two sections.
        let body = study_toml.replace("]]>", "]]]]><![CDATA[>");
        w.line(&format!(
            "<study xmlns=\"{}\"><![CDATA[\n{body}]]></study>",
            super::STUDY_NS
        ));
    }
    w.close("xmile");
    w.out
}

fn header(w: &mut Xml, model: &Model) {
    w.open("header");
    let uses_arrays = if model.dimensions.is_empty() {
        String::new()
    } else {
        let max = model
            .variables
            .iter()
            .map(|v| v.dims.len())
            .max()
            .unwrap_or(1)
            .max(1);
        format!(" uses_arrays=\"{max}\"")
    };
    w.line(&format!(
        "<smile version=\"1.0\" namespace=\"std\"{uses_arrays}/>"
    ));
    w.line(&format!("<name>{}</name>", text(&model.name)));
    w.line("<vendor>sandtable</vendor>");
    w.line(&format!(
        "<product version=\"{}\" lang=\"en\">sandtable</product>",
        env!("CARGO_PKG_VERSION")
    ));
    w.close("header");
}

fn sim_specs(w: &mut Xml, model: &Model) {
    let s = &model.sim;
    let method = match s.method {
        Method::Euler => "Euler",
        Method::Rk2 => "RK2",
        Method::Rk4 => "RK4",
    };
    let units = if s.time_unit.is_empty() {
        String::new()
    } else {
        format!(" time_units=\"{}\"", attr(&s.time_unit))
    };
    let save = if s.save_step == s.dt {
        String::new()
    } else {
        format!(" isee:save_interval=\"{}\"", s.save_step)
    };
    w.open(&format!("sim_specs method=\"{method}\"{units}{save}"));
    w.line(&format!("<start>{}</start>", s.start));
    w.line(&format!("<stop>{}</stop>", s.stop));
    // Steps such as 1/3 are exact only as a reciprocal.
    let per_unit = (1.0 / s.dt).round();
    if s.dt < 1.0 && per_unit > 1.0 && 1.0 / per_unit == s.dt {
        w.line(&format!("<dt reciprocal=\"true\">{per_unit}</dt>"));
    } else {
        w.line(&format!("<dt>{}</dt>", s.dt));
    }
    w.close("sim_specs");
}

/// The `<eqn>` (and `<init_eqn>`, for a separate initial equation) of a variable, as
/// `<element>`s when either is written per element.
fn equations(w: &mut Xml, equation: &Option<Equation>, initial: &Option<Equation>) {
    let line = |w: &mut Xml, tag: &str, e: &crate::model::Expr| {
        w.line(&format!("<{tag}>{}</{tag}>", text(e.text.trim())));
    };
    let keys: Vec<&Vec<String>> = match (equation, initial) {
        (Some(Equation::PerElement(list)), _) | (_, Some(Equation::PerElement(list))) => {
            list.iter().map(|(k, _)| k).collect()
        }
        _ => {
            for (tag, eq) in [("eqn", equation), ("init_eqn", initial)] {
                if let Some(Equation::All(e)) = eq {
                    line(w, tag, e);
                }
            }
            return;
        }
    };
    let of = |eq: &Option<Equation>, key: &Vec<String>| match eq {
        Some(Equation::All(e)) => Some(e.clone()),
        Some(Equation::PerElement(list)) => {
            list.iter().find(|(k, _)| k == key).map(|(_, e)| e.clone())
        }
        None => None,
    };
    for key in keys {
        let sub: Vec<String> = key.iter().map(|k| attr(k)).collect();
        w.open(&format!("element subscript=\"{}\"", sub.join(", ")));
        for (tag, eq) in [("eqn", equation), ("init_eqn", initial)] {
            if let Some(e) = of(eq, key) {
                line(w, tag, &e);
            }
        }
        w.close("element");
    }
}

fn variable(w: &mut Xml, v: &Variable) {
    let name = attr(&v.name);
    let (tag, extra) = match &v.kind {
        VarKind::Stock { .. } => ("stock", String::new()),
        VarKind::Flow { .. } => ("flow", String::new()),
        VarKind::Aux if v.equation.is_none() && v.gf.is_some() => (
            "gf",
            format!(
                " type=\"{}\"",
                v.gf.as_ref().map_or("continuous", |g| gf_type(g.kind))
            ),
        ),
        VarKind::Aux => ("aux", String::new()),
        VarKind::Constant => ("aux", " sandtable:kind=\"constant\"".to_string()),
    };
    w.open(&format!("{tag} name=\"{name}\"{extra}"));
    if !v.dims.is_empty() {
        w.open("dimensions");
        for d in &v.dims {
            w.line(&format!("<dim name=\"{}\"/>", attr(d)));
        }
        w.close("dimensions");
    }
    equations(w, &v.equation, &v.initial);
    if let Some(gf) = &v.gf {
        if tag == "gf" {
            gf_points(w, gf);
        } else {
            w.open(&format!("gf type=\"{}\"", gf_type(gf.kind)));
            gf_points(w, gf);
            w.close("gf");
        }
    }
    match &v.kind {
        VarKind::Stock {
            inflows,
            outflows,
            non_negative,
        } => {
            for f in inflows {
                w.line(&format!("<inflow>{}</inflow>", text(&ref_name(f))));
            }
            for f in outflows {
                w.line(&format!("<outflow>{}</outflow>", text(&ref_name(f))));
            }
            if *non_negative {
                w.line("<non_negative/>");
            }
        }
        VarKind::Flow { non_negative: true } => w.line("<non_negative/>"),
        _ => {}
    }
    if let Some(u) = &v.unit {
        w.line(&format!("<units>{}</units>", text(u)));
    }
    if let Some(d) = &v.doc {
        w.line(&format!("<doc>{}</doc>", text(d)));
    }
    if let Some(l) = &v.label {
        w.line(&format!("<sandtable:label>{}</sandtable:label>", text(l)));
    }
    w.close(tag);
}

fn gf_points(w: &mut Xml, gf: &GraphicalFunction) {
    let join = |xs: &[f64]| {
        xs.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let (lo, hi) = bounds(&gf.xs);
    let (ylo, yhi) = bounds(&gf.ys);
    w.line(&format!("<xscale min=\"{lo}\" max=\"{hi}\"/>"));
    w.line(&format!("<yscale min=\"{ylo}\" max=\"{yhi}\"/>"));
    w.line(&format!("<xpts>{}</xpts>", join(&gf.xs)));
    w.line(&format!("<ypts>{}</ypts>", join(&gf.ys)));
}

fn bounds(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

fn gf_type(kind: GfKind) -> &'static str {
    match kind {
        GfKind::Continuous => "continuous",
        GfKind::Discrete => "discrete",
        GfKind::Extrapolate => "extrapolate",
    }
}

/// Inflow and outflow lists hold names as referenced in equations: spaces become underscores
/// and names with other punctuation are quoted.
fn ref_name(name: &str) -> String {
    let plain = name.replace(' ', "_");
    if plain.chars().all(|c| c.is_alphanumeric() || c == '_') {
        plain
    } else {
        format!("\"{}\"", name.replace('"', ""))
    }
}

fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attr(s: &str) -> String {
    text(s)
        .replace('"', "&quot;")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// An indented XML writer.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn line(&mut self, s: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "{s}");
    }

    fn open(&mut self, tag: &str) {
        self.line(&format!("<{tag}>"));
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(&format!("</{tag}>"));
    }
}
