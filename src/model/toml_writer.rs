//! Writing a [`Model`] as a native TOML model file (the inverse of [`super::toml_file`]).
//!
//! Used by `sandtable convert --to toml`: a Stella or Vensim model becomes an editable file.

use super::{Equation, GfKind, GraphicalFunction, Model, VarKind, Variable};
use crate::model::toml_file::format_number;
use std::fmt::Write;

/// The model as TOML text that [`super::toml_file::parse`] reads back to the same model.
pub fn to_toml(model: &Model) -> String {
    let mut out = String::new();
    let s = &model.sim;
    let _ = writeln!(out, "[model]\nname = {}\n", quote(&model.name));
    let _ = writeln!(
        out,
        "[sim]\nstart = {}\nstop = {}\ndt = {}\nsave_step = {}\ntime_unit = {}\nmethod = {}\n",
        format_number(s.start),
        format_number(s.stop),
        format_number(s.dt),
        format_number(s.save_step),
        quote(&s.time_unit),
        quote(s.method.name())
    );
    if let Some(name) = &s.stop_when {
        // Before the blank line that ends the section.
        out.pop();
        let _ = writeln!(out, "stop_when = {}\n", quote(name));
    }
    if !model.dimensions.is_empty() {
        out.push_str("[dimensions]\n");
        for d in &model.dimensions {
            let _ = writeln!(out, "{} = {}", key(&d.name), list(&d.elements));
        }
        out.push('\n');
    }
    type Belongs = fn(&Variable) -> bool;
    let sections: [(&str, Belongs); 5] = [
        ("stocks", |v| matches!(v.kind, VarKind::Stock { .. })),
        ("flows", |v| matches!(v.kind, VarKind::Flow { .. })),
        ("aux", |v| {
            matches!(v.kind, VarKind::Aux) && v.equation.is_some()
        }),
        ("constants", |v| matches!(v.kind, VarKind::Constant)),
        ("lookups", |v| {
            matches!(v.kind, VarKind::Aux) && v.equation.is_none()
        }),
    ];
    for (name, belongs) in sections {
        let vars: Vec<&Variable> = model.variables.iter().filter(|v| belongs(v)).collect();
        if vars.is_empty() {
            continue;
        }
        let _ = writeln!(out, "[{name}]");
        for v in vars {
            let _ = writeln!(out, "{} = {{ {} }}", key(&v.name), fields(v).join(", "));
        }
        out.push('\n');
    }
    if !model.charts.is_empty() {
        out.push_str("[charts]\n");
        for c in &model.charts {
            let _ = writeln!(out, "{} = {}", quote(&c.title), list(&c.variables));
        }
    }
    out
}

fn fields(v: &Variable) -> Vec<String> {
    let mut f = Vec::new();
    if !v.dims.is_empty() {
        f.push(format!("dims = {}", list(&v.dims)));
    }
    let eq_key = match v.kind {
        VarKind::Stock { .. } => "initial",
        VarKind::Constant => "value",
        _ => "equation",
    };
    for (k, eq) in [(eq_key, &v.equation), ("initial", &v.initial)] {
        match eq {
            Some(Equation::All(e)) => f.push(format!("{k} = {}", equation_value(&e.text))),
            Some(Equation::PerElement(list)) => {
                let items: Vec<String> = list
                    .iter()
                    .map(|(elems, e)| {
                        format!("{} = {}", key(&elems.join(",")), equation_value(&e.text))
                    })
                    .collect();
                f.push(format!("{k} = {{ {} }}", items.join(", ")));
            }
            None => {}
        }
    }
    match &v.kind {
        VarKind::Stock {
            inflows,
            outflows,
            non_negative,
        } => {
            if !inflows.is_empty() {
                f.push(format!("inflows = {}", list(inflows)));
            }
            if !outflows.is_empty() {
                f.push(format!("outflows = {}", list(outflows)));
            }
            if *non_negative {
                f.push("non_negative = true".into());
            }
        }
        VarKind::Flow { non_negative: true } => f.push("non_negative = true".into()),
        _ => {}
    }
    if let Some(gf) = &v.gf {
        if v.equation.is_some() {
            f.push(format!("gf = {{ {} }}", table(gf)));
        } else {
            f.push(table(gf));
        }
    }
    for (k, val) in [("unit", &v.unit), ("doc", &v.doc), ("label", &v.label)] {
        if let Some(text) = val {
            f.push(format!("{k} = {}", quote(text)));
        }
    }
    f
}

fn table(gf: &GraphicalFunction) -> String {
    let nums = |xs: &[f64]| {
        format!(
            "[{}]",
            xs.iter()
                .map(|x| format_number(*x))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let kind = match gf.kind {
        GfKind::Continuous => "continuous",
        GfKind::Discrete => "discrete",
        GfKind::Extrapolate => "extrapolate",
    };
    format!(
        "x = {}, y = {}, kind = \"{kind}\"",
        nums(&gf.xs),
        nums(&gf.ys)
    )
}

/// A plain number stays a number; anything else is an equation string.
fn equation_value(text: &str) -> String {
    if is_toml_number(text.trim()) {
        text.trim().to_string()
    } else {
        quote(text)
    }
}

/// Whether `t` is a decimal number that TOML reads as written: `-12`, `0.5`, `1e6`, `2.5E-3`.
fn is_toml_number(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok
        && exponent_ok
        && !(mantissa.len() > 1 && mantissa.starts_with('0') && !mantissa.starts_with("0."))
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        return name.to_string();
    }
    // A basic string always: keys cannot be the multi-line literal strings that the `toml`
    // crate picks for text holding both `'` and `\`.
    let mut out = String::from("\"");
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
