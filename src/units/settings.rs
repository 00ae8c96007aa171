//! Where a model file keeps its unit settings: `[units]` definitions and `[sim] strict_units`
//! in TOML, `<model_units>` in XMILE. Read beside the model, like the study sections.

use super::parse::UnitDefinition;
use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use crate::model::toml_file::{parse_table, read_source, Reader};
use std::path::Path;
use std::sync::Arc;
use toml::de::DeValue;

/// The unit settings of one model file.
#[derive(Debug, Clone, Default)]
pub struct UnitSettings {
    /// Unit definitions and aliases, each with the place it was written.
    pub definitions: Vec<(UnitDefinition, SourceRef)>,
    /// Whether unit problems are errors (`[sim] strict_units = true`).
    pub strict: bool,
}

/// Reads the unit settings of the model file at `path` (TOML or XMILE, by extension).
pub fn read(path: &Path) -> Result<UnitSettings, Diagnostic> {
    from_source(path, &read_source(path)?)
}

/// The unit settings of a model file already read into `file`; `path` gives its format.
pub fn from_source(path: &Path, file: &Arc<SourceFile>) -> Result<UnitSettings, Diagnostic> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "toml" {
        from_toml(file)
    } else {
        Ok(from_xmile(file))
    }
}

/// Reads `[units]` (`name = "definition"`) and `[sim] strict_units` from TOML model text.
pub fn from_toml(file: &Arc<SourceFile>) -> Result<UnitSettings, Diagnostic> {
    let root = parse_table(file)?;
    let reader = Reader { file };
    let mut settings = UnitSettings::default();
    if let Some(sim) = root
        .get_ref()
        .get("sim")
        .and_then(|s| s.get_ref().as_table())
    {
        if let Some(item) = sim.get("strict_units") {
            settings.strict = reader.boolean(item, "strict_units")?;
        }
    }
    let Some(units) = root.get_ref().get("units") else {
        return Ok(settings);
    };
    for (key, value) in reader.table(units, "[units]")?.iter() {
        let name = key.get_ref().to_string();
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(_) | DeValue::Float(_) => reader.expr(value, "a unit")?.text,
            other => {
                return Err(reader
                    .error(
                        value,
                        format!(
                            "unit `{name}` must be defined by a unit expression (a string), found {}",
                            other.type_str()
                        ),
                    )
                    .with_hint(format!(
                        "e.g. {name} = \"person\" (an alias) or {name} = \"1000 impressions\""
                    )));
            }
        };
        settings
            .definitions
            .push((UnitDefinition { name, text }, reader.at(key)));
    }
    Ok(settings)
}

/// Reads `<model_units>` from XMILE text: each `<unit name>` with an `<eqn>` is defined by it,
/// and each of its `<alias>` names means it. A file without the element has no definitions.
pub fn from_xmile(file: &Arc<SourceFile>) -> UnitSettings {
    let mut settings = UnitSettings::default();
    let text = &file.text;
    // Only this element is parsed, so undeclared vendor prefixes elsewhere do not matter.
    let Some(start) = text.find("<model_units") else {
        return settings;
    };
    let Some(len) = text[start..].find("</model_units>") else {
        return settings;
    };
    let snippet = &text[start..start + len + "</model_units>".len()];
    let Ok(doc) = roxmltree::Document::parse(snippet) else {
        return settings;
    };
    for unit in doc
        .root_element()
        .children()
        .filter(|n| n.tag_name().name() == "unit")
    {
        let Some(name) = unit
            .attribute("name")
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        let at = SourceRef::at_offset(file, start + unit.range().start);
        let child_text = |tag: &'static str| -> Vec<String> {
            unit.children()
                .filter(|n| n.tag_name().name() == tag)
                .filter_map(|n| n.text().map(|t| t.trim().to_string()))
                .filter(|t| !t.is_empty())
                .collect()
        };
        for eqn in child_text("eqn") {
            settings.definitions.push((
                UnitDefinition {
                    name: name.to_string(),
                    text: eqn,
                },
                at.clone(),
            ));
        }
        for alias in child_text("alias") {
            settings.definitions.push((
                UnitDefinition {
                    name: alias,
                    text: name.to_string(),
                },
                at.clone(),
            ));
        }
    }
    settings
}
