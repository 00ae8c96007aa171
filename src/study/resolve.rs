//! Resolving a [`StudyRequest`] into a validated [`Study`]: every file read once, declarations
//! merged (model file < study files < command line), overrides parsed, scenario names checked.

use super::provenance::FileStamp;
use super::toml_study;
use super::{
    CompiledScenario, Declarations, Override, Provenance, Scenario, Settings, StudyRequest,
    Uncertain, BASELINE, RESERVED_SCENARIOS,
};
use crate::compile::compile_with;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, SourceRef};
use crate::loader;
use crate::model::names::canonical;
use crate::model::toml_file::read_source;
use crate::model::Model;
use crate::study::distribution::Distribution;
use crate::targets::Target;
use crate::units::UnitCheck;
use std::path::Path;
use std::sync::Arc;

/// A study resolved from its request: the model, every declaration and the merged settings.
#[derive(Debug, Clone)]
pub struct Study {
    /// The model as written.
    pub model: Model,
    /// Inputs, correlations, targets and scenarios from every source.
    pub declarations: Declarations,
    /// Settings of every layer, merged.
    pub settings: Settings,
    /// `--set` overrides, applied on top of whichever scenario is compiled.
    pub overrides: Vec<Override>,
    /// The scenario the request named (`baseline` if none).
    pub scenario: String,
    /// Files read and their hashes; the scenario and random design are filled in per scenario.
    pub provenance: Provenance,
    /// Unit problems of the model, as warnings (with strict units they are errors instead).
    pub unit_problems: Vec<Diagnostic>,
}

impl Study {
    /// Reads every file of `request` once and merges its declarations, reporting every
    /// problem found in the command-line declarations together.
    pub fn resolve(request: &StudyRequest) -> Result<Study, Diagnostics> {
        let Sources {
            model,
            mut declarations,
            mut provenance,
            units,
        } = read_sources(&request.model)?;
        if (request.strict_units || units.strict) && !units.problems.is_empty() {
            let n = units.problems.len();
            let mut errors = units.problems;
            errors.push(
                Diagnostic::plain(format!(
                    "{n} unit problem(s), and units are checked strictly"
                ))
                .with_hint("fix the units above, or drop --strict-units / [sim] strict_units"),
            );
            return Err(Diagnostics(errors));
        }
        for path in &request.study_files {
            let file = read_source(path)?;
            let (_, more) = toml_study::from_study_file(&file, path)?;
            provenance
                .study_files
                .push(FileStamp::of(path, file.text.as_bytes()));
            declarations.merge(more);
        }
        let mut errors = Vec::new();
        for text in &request.inputs {
            match parse_vary(text) {
                Ok(u) => declarations.add_uncertain(u),
                Err(e) => errors.push(e),
            }
        }
        for (i, text) in request.targets.iter().enumerate() {
            match parse_target(text, i) {
                Ok(t) => {
                    let key = canonical(&t.name);
                    declarations.targets.retain(|x| canonical(&x.name) != key);
                    declarations.targets.push(t);
                }
                Err(e) => errors.push(e),
            }
        }
        let mut overrides = Vec::new();
        for text in &request.overrides {
            match Override::parse(text) {
                Ok(o) => overrides.push(o),
                Err(e) => errors.push(e),
            }
        }
        let mut settings = declarations.settings.clone();
        settings.merge(&request.settings);
        if let Err(e) = settings.validate() {
            errors.push(e);
        }
        errors.extend(check_scenario_names(&declarations.scenarios));
        let scenario = request.scenario_name().to_string();
        if !is_baseline(&scenario) {
            if let Err(e) = declarations.scenario(&scenario) {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        provenance.overrides = overrides.iter().map(|o| o.text.clone()).collect();
        provenance.seed = settings.seed();
        provenance.sampler = settings.sampler().name().to_string();
        Ok(Study {
            model,
            declarations,
            settings,
            overrides,
            scenario,
            provenance,
            unit_problems: units.problems,
        })
    }

    /// `baseline` followed by every declared scenario.
    pub fn scenario_names(&self) -> Vec<String> {
        std::iter::once(BASELINE.to_string())
            .chain(self.declarations.scenarios.iter().map(|s| s.name.clone()))
            .collect()
    }

    /// Compiles the scenario the request named.
    pub fn compile_requested(&self) -> Result<CompiledScenario, Diagnostics> {
        self.compile(&self.scenario)
    }

    /// Applies scenario `name` (`baseline`: none) and then the overrides to the model, and
    /// compiles it.
    pub fn compile(&self, name: &str) -> Result<CompiledScenario, Diagnostics> {
        let (mut model, mut decl, display, doc) = if is_baseline(name) {
            (
                self.model.clone(),
                self.declarations.clone(),
                BASELINE.to_string(),
                None,
            )
        } else {
            let s = self.declarations.scenario(name)?;
            let (m, d) = self.declarations.apply(&self.model, s)?;
            (m, d, s.name.clone(), s.doc.clone())
        };
        let mut fixed = Vec::new();
        let mut levers = decl.levers.clone();
        let mut errors = Vec::new();
        for o in &self.overrides {
            match o.apply(&mut model) {
                Ok(()) if o.elements.is_empty() => {
                    let key = canonical(&o.name);
                    decl.uncertain.retain(|u| canonical(&u.name) != key);
                    levers.retain(|l| canonical(&l.name) != key);
                }
                Ok(()) => fixed.push(o.key()),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        let mut integrals: Vec<String> = Vec::new();
        for v in decl.targets.iter().flat_map(Target::integrated_variables) {
            if !integrals.iter().any(|i| canonical(i) == canonical(&v)) {
                integrals.push(v);
            }
        }
        let program = compile_with(&model, &integrals)?;
        let mut provenance = self.provenance.clone();
        provenance.scenario = display.clone();
        Ok(CompiledScenario {
            name: display,
            doc,
            model,
            program,
            uncertain: decl.uncertain,
            correlations: decl.correlations,
            targets: decl.targets,
            levers,
            fixed,
            settings: self.settings.clone(),
            provenance,
        })
    }
}

/// Whether `name` means the model as written.
pub fn is_baseline(name: &str) -> bool {
    canonical(name) == BASELINE
}

/// What reading the model (or the study file naming it) gives.
struct Sources {
    model: Model,
    declarations: Declarations,
    provenance: Provenance,
    /// Unit problems of the model, found in the text already read.
    units: UnitCheck,
}

fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// Reads the model (or the study file naming it) once: the model, its own declarations, its
/// unit check and the provenance of what was read.
fn read_sources(path: &Path) -> Result<Sources, Diagnostics> {
    if !is_toml(path) {
        return read_model(path);
    }
    let file = read_source(path)?;
    if !toml_study::is_study_text(&file) {
        return model_sources(path, &file);
    }
    let (model_path, study) = toml_study::from_study_file(&file, path)?;
    let mut sources = read_model(&model_path)?;
    sources.declarations.merge(study);
    sources
        .provenance
        .study_files
        .push(FileStamp::of(path, file.text.as_bytes()));
    Ok(sources)
}

fn read_model(path: &Path) -> Result<Sources, Diagnostics> {
    loader::check_extension(path)?;
    model_sources(path, &read_source(path)?)
}

fn model_sources(path: &Path, file: &Arc<SourceFile>) -> Result<Sources, Diagnostics> {
    let model = loader::parse_model(path, file)?;
    let declarations = if is_toml(path) {
        toml_study::from_model_file(file)?
    } else {
        match crate::xmile::embedded_study(&file.text, &file.path) {
            Some(study) => toml_study::from_model_file(&study)?,
            None => Declarations::default(),
        }
    };
    let units = crate::units::check_source(path, file, &model)?;
    Ok(Sources {
        provenance: Provenance::new(FileStamp::of(path, file.text.as_bytes())),
        model,
        declarations,
        units,
    })
}

/// Scenario names that would shadow the model as written or another command's outputs.
fn check_scenario_names(scenarios: &[Scenario]) -> Vec<Diagnostic> {
    scenarios
        .iter()
        .filter(|s| RESERVED_SCENARIOS.contains(&canonical(&s.name).as_str()))
        .map(|s| {
            Diagnostic::new(
                format!("`{}` cannot name a scenario", s.name),
                s.at.clone(),
            )
            .with_hint(format!(
                "{} are reserved (baseline is the model as written; the others are output folders); rename the scenario",
                RESERVED_SCENARIOS.join(", ")
            ))
        })
        .collect()
}

fn cli_ref(arg: &str) -> SourceRef {
    let file = Arc::new(SourceFile {
        path: "command line".into(),
        text: arg.to_string(),
    });
    SourceRef::at_offset(&file, 0)
}

/// Parses `--vary NAME=DIST`.
fn parse_vary(text: &str) -> Result<Uncertain, Diagnostic> {
    let at = cli_ref(text);
    let hint = "e.g. --vary \"q=triangular(0.2, 0.38, 0.6)\"";
    let Some((name, dist)) = text.split_once('=') else {
        return Err(
            Diagnostic::new(format!("--vary `{text}` is not NAME=DIST"), at).with_hint(hint),
        );
    };
    if name.trim().is_empty() {
        return Err(
            Diagnostic::new(format!("--vary `{text}` has no name before `=`"), at).with_hint(hint),
        );
    }
    let dist_at = at.advance_in(text, name.len() + 1);
    let dist = Distribution::parse(dist).map_err(|e| e.to_diagnostic(&dist_at, dist))?;
    Ok(Uncertain {
        name: name.trim().to_string(),
        dist,
        at,
    })
}

/// Parses `--target [NAME:] TARGET`; unnamed targets are numbered.
fn parse_target(text: &str, index: usize) -> Result<Target, Diagnostic> {
    let at = cli_ref(text);
    // `name: target` — a colon before any comparison or call names the target.
    match text.split_once(':') {
        Some((name, rest)) if !name.contains(['(', '<', '>', '=']) && !name.trim().is_empty() => {
            Target::parse(name.trim(), rest, at.advance_in(text, name.len() + 1))
        }
        _ => Target::parse(&format!("target_{}", index + 1), text, at),
    }
}
