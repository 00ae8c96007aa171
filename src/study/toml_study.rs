//! Reading a study from TOML: the study sections of a model file, or a separate study file
//! that names its model.

use super::Sampler;
use super::{Correlations, Declarations, LeverDecl, Scenario, Settings, Uncertain, MAX_RUNS};
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::toml_file::{parse_table, read_source, Reader};
use crate::study::distribution::Distribution;
use crate::targets::Target;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

type Item<'a> = Spanned<DeValue<'a>>;

/// Reads the study sections of a TOML model file (and `dist` on its constants).
pub fn from_model_file(file: &Arc<SourceFile>) -> Result<Declarations, Diagnostic> {
    let root = parse_table(file)?;
    let r = Reader { file };
    let mut study = Declarations::default();
    if let Some(item) = root.get_ref().get("constants") {
        for (key, value) in r.table(item, "[constants]")?.iter() {
            if let DeValue::Table(t) = value.get_ref() {
                if let Some(d) = t.get("dist") {
                    study.add_uncertain(uncertain(&r, key.get_ref(), d)?);
                }
                if let Some(l) = t.get("lever") {
                    if t.get("dist").is_some() {
                        return Err(r
                            .error(
                                l,
                                format!("`{}` has both a `dist` and a `lever`", key.get_ref()),
                            )
                            .with_hint(
                                "a lever is a decision, not an uncertainty: keep one of the two",
                            ));
                    }
                    study.levers.push(lever(&r, key.get_ref(), l)?);
                }
            }
        }
    }
    sections(&r, root.get_ref(), &mut study)?;
    Ok(study)
}

/// Reads a study file already in memory: `model = "path"` (relative to the study file at
/// `path`) and study sections. Returns the model's path and the declarations.
pub fn from_study_file(
    file: &Arc<SourceFile>,
    path: &Path,
) -> Result<(PathBuf, Declarations), Diagnostic> {
    let root = parse_table(file)?;
    let r = Reader { file };
    let table = root.get_ref();
    r.check_keys(
        table,
        &[
            "model",
            "uncertain",
            "targets",
            "scenarios",
            "correlations",
            "study",
            "levers",
        ],
        "the study file",
    )?;
    let Some(model_item) = table.get("model") else {
        return Err(Diagnostic::new(
            "the study file does not name its model",
            SourceRef::file(file),
        )
        .with_hint("add model = \"path/to/model.stmx\" at the top"));
    };
    let model_rel = r.string(model_item, "model")?;
    let model_path = path.parent().unwrap_or(Path::new(".")).join(&model_rel);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(&model_path, path) {
        return Err(r
            .error(model_item, "the study file names itself as its model")
            .with_hint("`model` names the model file (.toml, .xmile or .stmx) the study runs"));
    }
    if !model_path.is_file() {
        return Err(r
            .error(
                model_item,
                format!(
                    "the model `{}` is not a readable file",
                    model_path.display()
                ),
            )
            .with_hint("the model path is relative to the study file"));
    }
    let mut study = Declarations::default();
    sections(&r, table, &mut study)?;
    Ok((model_path, study))
}

/// Reads a study file from disk; see [`from_study_file`].
pub fn load_study_file(path: &Path) -> Result<(PathBuf, Declarations), Diagnostic> {
    from_study_file(&read_source(path)?, path)
}

/// Whether TOML text is a study file (it has a top-level `model = "..."` string).
pub fn is_study_text(file: &Arc<SourceFile>) -> bool {
    let Ok(root) = parse_table(file) else {
        return false;
    };
    matches!(
        root.get_ref().get("model").map(|i| i.get_ref()),
        Some(DeValue::String(_))
    )
}

fn sections(r: &Reader, root: &DeTable, study: &mut Declarations) -> Result<(), Diagnostic> {
    if let Some(item) = root.get("uncertain") {
        for (key, value) in r.table(item, "[uncertain]")?.iter() {
            study.add_uncertain(uncertain(r, key.get_ref(), value)?);
        }
    }
    if let Some(item) = root.get("correlations") {
        study.correlations = Some(correlations(r, item)?);
    }
    if let Some(item) = root.get("targets") {
        for (key, value) in r.table(item, "[targets]")?.iter() {
            study.targets.push(target(r, key.get_ref(), value)?);
        }
    }
    if let Some(item) = root.get("scenarios") {
        for (key, value) in r.table(item, "[scenarios]")?.iter() {
            study.scenarios.push(scenario(r, key, value)?);
        }
    }
    if let Some(item) = root.get("study") {
        study.settings = settings(r, item)?;
    }
    if let Some(item) = root.get("levers") {
        for (key, value) in r.table(item, "[levers]")?.iter() {
            let l = lever(r, key.get_ref(), value)?;
            let k = crate::model::names::canonical(&l.name);
            study
                .levers
                .retain(|x| crate::model::names::canonical(&x.name) != k);
            study.levers.push(l);
        }
    }
    Ok(())
}

/// Reads `lever = { min = …, max = … }` of constant `name`.
fn lever(r: &Reader, name: &str, item: &Item) -> Result<LeverDecl, Diagnostic> {
    let what = format!("the lever of `{name}`");
    let table = r.table(item, &what)?;
    r.check_keys(table, &["min", "max"], &what)?;
    let end = |key: &str| match table.get(key) {
        Some(i) => r.number(i, &format!("{what}: {key}")),
        None => Err(r
            .error(item, format!("{what} has no `{key}`"))
            .with_hint("lever = { min = 1000, max = 100000 }")),
    };
    let (min, max) = (end("min")?, end("max")?);
    if !(min.is_finite() && max.is_finite() && min < max) {
        return Err(r
            .error(item, format!("{what}: min {min} is not below max {max}"))
            .with_hint("lever = { min = 1000, max = 100000 }"));
    }
    Ok(LeverDecl {
        name: name.to_string(),
        min,
        max,
        at: r.at(item),
    })
}

/// Parses distribution text at `item`, pointing errors into the string.
fn uncertain(r: &Reader, name: &str, item: &Item) -> Result<Uncertain, Diagnostic> {
    let expr = r.expr(item, &format!("the distribution of `{name}`"))?;
    let dist =
        Distribution::parse(&expr.text).map_err(|e| e.to_diagnostic(&expr.at, &expr.text))?;
    Ok(Uncertain {
        name: name.to_string(),
        dist,
        at: expr.at,
    })
}

fn target(r: &Reader, name: &str, item: &Item) -> Result<Target, Diagnostic> {
    match item.get_ref() {
        DeValue::Table(t) => {
            r.check_keys(t, &["target", "label", "doc"], &format!("target `{name}`"))?;
            let Some(text) = t.get("target") else {
                return Err(r
                    .error(item, format!("target `{name}` needs `target`"))
                    .with_hint("e.g. target = \"followers at 365 >= 1.2e6\""));
            };
            let expr = r.expr(text, "a target")?;
            let mut target = Target::parse(name, &expr.text, expr.at)?;
            if let Some(l) = t.get("label") {
                target = target.with_label(r.string(l, "label")?);
            }
            if let Some(d) = t.get("doc") {
                target = target.with_doc(r.string(d, "doc")?);
            }
            Ok(target)
        }
        _ => {
            let expr = r.expr(item, "a target")?;
            Target::parse(name, &expr.text, expr.at)
        }
    }
}

fn correlations(r: &Reader, item: &Item) -> Result<Correlations, Diagnostic> {
    let t = r.table(item, "[correlations]")?;
    r.check_keys(t, &["inputs", "matrix"], "[correlations]")?;
    let inputs = match t.get("inputs") {
        Some(i) => r.strings(i, "inputs")?,
        None => return Err(r.error(item, "[correlations] needs `inputs` and `matrix`")),
    };
    let Some(m) = t.get("matrix") else {
        return Err(r.error(item, "[correlations] needs `matrix`"));
    };
    let DeValue::Array(rows) = m.get_ref() else {
        return Err(r.error(m, "matrix must be a list of rows"));
    };
    let matrix: Vec<Vec<f64>> = rows
        .iter()
        .map(|row| r.numbers(row, "a matrix row"))
        .collect::<Result<_, _>>()?;
    if matrix.len() != inputs.len() || matrix.iter().any(|row| row.len() != inputs.len()) {
        return Err(r
            .error(
                m,
                format!(
                    "the matrix must be {0}×{0}, one row and column per input",
                    inputs.len()
                ),
            )
            .with_hint("list the rows in the order of `inputs`, e.g. [[1, 0.5], [0.5, 1]]"));
    }
    Ok(Correlations {
        inputs,
        matrix,
        at: r.at(item),
    })
}

fn scenario(
    r: &Reader,
    key: &Spanned<toml::de::DeString>,
    item: &Item,
) -> Result<Scenario, Diagnostic> {
    let name = key.get_ref().to_string();
    let t = r.table(item, &format!("scenario `{name}`"))?;
    r.check_keys(
        t,
        &["doc", "set", "vary", "equations"],
        &format!("scenario `{name}`"),
    )?;
    let mut s = Scenario {
        name: name.clone(),
        at: r.at(key),
        ..Scenario::default()
    };
    if let Some(d) = t.get("doc") {
        s.doc = Some(r.string(d, "doc")?);
    }
    if let Some(set) = t.get("set") {
        for (k, v) in r.table(set, "set")?.iter() {
            s.set
                .push((k.get_ref().to_string(), r.number(v, "a value")?, r.at(v)));
        }
    }
    if let Some(vary) = t.get("vary") {
        for (k, v) in r.table(vary, "vary")?.iter() {
            s.vary.push(uncertain(r, k.get_ref(), v)?);
        }
    }
    if let Some(eqs) = t.get("equations") {
        for (k, v) in r.table(eqs, "equations")?.iter() {
            s.equations
                .push((k.get_ref().to_string(), r.expr(v, "an equation")?));
        }
    }
    Ok(s)
}

fn settings(r: &Reader, item: &Item) -> Result<Settings, Diagnostic> {
    let t = r.table(item, "[study]")?;
    r.check_keys(
        t,
        &[
            "runs",
            "seed",
            "sampler",
            "track",
            "percentiles",
            "likely",
            "unlikely",
            "samples",
            "max_failed",
            "sobol",
        ],
        "[study]",
    )?;
    let mut s = Settings::default();
    let whole = |i: &Item, what: &str| -> Result<u64, Diagnostic> {
        let v = r.number(i, what)?;
        if v < 0.0 || v.fract() != 0.0 || v > 1e15 {
            return Err(r.error(i, format!("{what} must be a whole number ≥ 0")));
        }
        Ok(v as u64)
    };
    if let Some(i) = t.get("runs") {
        let runs = whole(i, "runs")?;
        s.runs = Some(runs);
        if runs == 0 {
            return Err(r
                .error(i, "runs must be at least 1")
                .with_hint("e.g. runs = 10000"));
        }
        let max = MAX_RUNS;
        if runs > max {
            return Err(r
                .error(i, format!("runs must be at most {max} in one study"))
                .with_hint("split a larger study across invocations with --first-run"));
        }
    }
    if let Some(i) = t.get("seed") {
        s.seed = Some(whole(i, "seed")?);
    }
    if let Some(i) = t.get("sobol") {
        s.sobol = Some(r.boolean(i, "sobol")?);
    }
    if let Some(i) = t.get("samples") {
        s.samples = Some(whole(i, "samples")?.min(50) as usize);
    }
    if let Some(i) = t.get("sampler") {
        let text = r.string(i, "sampler")?;
        s.sampler = Some(Sampler::parse(&text).ok_or_else(|| {
            r.error(i, format!("unknown sampler `{text}`"))
                .with_hint("use random or lhs")
        })?);
    }
    if let Some(i) = t.get("track") {
        s.track = Some(r.strings(i, "track")?);
    }
    if let Some(i) = t.get("percentiles") {
        let percentiles = r.numbers(i, "percentiles")?;
        if percentiles.is_empty() || percentiles.iter().any(|p| !(0.0..=100.0).contains(p)) {
            return Err(r.error(i, "percentiles must be numbers from 0 to 100"));
        }
        s.percentiles = Some(percentiles);
    }
    for (key, slot) in [
        ("likely", &mut s.likely),
        ("unlikely", &mut s.unlikely),
        ("max_failed", &mut s.max_failed),
    ] {
        if let Some(i) = t.get(key) {
            let v = r.number(i, key)?;
            if !(0.0..=1.0).contains(&v) {
                return Err(r
                    .error(i, format!("{key} is a probability from 0 to 1"))
                    .with_hint(format!("e.g. {key} = 0.2")));
            }
            *slot = Some(v);
        }
    }
    if s.unlikely() > s.likely() {
        return Err(r.error(item, "unlikely must not be above likely"));
    }
    Ok(s)
}
