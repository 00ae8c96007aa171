//! Writing a study's declarations back as TOML study sections (`[uncertain]`,
//! `[correlations]`, `[targets]`, `[scenarios]`, `[study]`), so a converted model keeps its
//! study: appended to a TOML model, or embedded in an XMILE file's extension element.

use super::{Declarations, Settings};
use toml::{Table, Value};

/// The study sections of `decl` as TOML text; empty when it declares nothing.
pub fn to_toml(decl: &Declarations) -> String {
    let mut root = Table::new();
    if !decl.uncertain.is_empty() {
        let mut t = Table::new();
        for u in &decl.uncertain {
            t.insert(u.name.clone(), Value::String(u.dist.to_string()));
        }
        root.insert("uncertain".into(), Value::Table(t));
    }
    if !decl.levers.is_empty() {
        let mut t = Table::new();
        for l in &decl.levers {
            let mut entry = Table::new();
            entry.insert("min".into(), Value::Float(l.min));
            entry.insert("max".into(), Value::Float(l.max));
            t.insert(l.name.clone(), Value::Table(entry));
        }
        root.insert("levers".into(), Value::Table(t));
    }
    if let Some(c) = &decl.correlations {
        let mut t = Table::new();
        t.insert("inputs".into(), strings(&c.inputs));
        let rows = c.matrix.iter().map(|r| numbers(r)).collect();
        t.insert("matrix".into(), Value::Array(rows));
        root.insert("correlations".into(), Value::Table(t));
    }
    if !decl.targets.is_empty() {
        let mut t = Table::new();
        for target in &decl.targets {
            let mut entry = Table::new();
            entry.insert(
                "target".into(),
                Value::String(target.text.trim().to_string()),
            );
            if let Some(l) = &target.label {
                entry.insert("label".into(), Value::String(l.clone()));
            }
            if let Some(d) = &target.doc {
                entry.insert("doc".into(), Value::String(d.clone()));
            }
            t.insert(target.name.clone(), Value::Table(entry));
        }
        root.insert("targets".into(), Value::Table(t));
    }
    if !decl.scenarios.is_empty() {
        let mut t = Table::new();
        for s in &decl.scenarios {
            let mut entry = Table::new();
            if let Some(d) = &s.doc {
                entry.insert("doc".into(), Value::String(d.clone()));
            }
            if !s.set.is_empty() {
                let set = s.set.iter().map(|(n, v, _)| (n.clone(), Value::Float(*v)));
                entry.insert("set".into(), Value::Table(set.collect()));
            }
            if !s.vary.is_empty() {
                let vary = s
                    .vary
                    .iter()
                    .map(|u| (u.name.clone(), Value::String(u.dist.to_string())));
                entry.insert("vary".into(), Value::Table(vary.collect()));
            }
            if !s.equations.is_empty() {
                let eqs = s
                    .equations
                    .iter()
                    .map(|(n, e)| (n.clone(), Value::String(e.text.clone())));
                entry.insert("equations".into(), Value::Table(eqs.collect()));
            }
            t.insert(s.name.clone(), Value::Table(entry));
        }
        root.insert("scenarios".into(), Value::Table(t));
    }
    let settings = settings_table(&decl.settings);
    if !settings.is_empty() {
        root.insert("study".into(), Value::Table(settings));
    }
    if root.is_empty() {
        return String::new();
    }
    // A table of strings, numbers and tables always serialises.
    toml::to_string(&root).unwrap_or_default()
}

fn settings_table(s: &Settings) -> Table {
    let mut t = Table::new();
    let int = |v: u64| Value::Integer(i64::try_from(v).unwrap_or(i64::MAX));
    if let Some(v) = s.runs {
        t.insert("runs".into(), int(v));
    }
    if let Some(v) = s.seed {
        t.insert("seed".into(), int(v));
    }
    if let Some(v) = s.sampler {
        t.insert("sampler".into(), Value::String(v.name().into()));
    }
    if let Some(v) = &s.track {
        t.insert("track".into(), strings(v));
    }
    if let Some(v) = &s.percentiles {
        t.insert("percentiles".into(), numbers(v));
    }
    if let Some(v) = s.likely {
        t.insert("likely".into(), Value::Float(v));
    }
    if let Some(v) = s.unlikely {
        t.insert("unlikely".into(), Value::Float(v));
    }
    if let Some(v) = s.max_failed {
        t.insert("max_failed".into(), Value::Float(v));
    }
    if let Some(v) = s.samples {
        t.insert("samples".into(), int(v as u64));
    }
    if let Some(v) = s.sobol {
        t.insert("sobol".into(), Value::Boolean(v));
    }
    t
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

fn numbers(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| Value::Float(*x)).collect())
}
