//! Single-model commands: `run` (one deterministic run), `check` (validate everything a
//! command would use) and `convert` (between TOML and XMILE).

use super::Written;
use crate::analysis::{named_loops, LoopReport};
use crate::diagnostic::Diagnostic;
use crate::montecarlo::runner::validate;
use crate::report::atomic::{hold_interrupts, write_atomic};
use crate::report::export::{output_dir, write_run, RunOutput};
use crate::simulate::Trajectory;
use crate::study::{toml_write, CompiledScenario, Study, StudyRequest};
use std::path::{Path, PathBuf};

/// What `run` produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The scenario that ran.
    pub scenario: Box<CompiledScenario>,
    /// Its saved values.
    pub trajectory: Trajectory,
    /// What was written.
    pub written: Written,
}

/// Runs the requested scenario once and writes run.csv and its line charts to `out`
/// (default: outputs/<model>/run).
pub fn run(req: &StudyRequest, out: Option<&Path>) -> anyhow::Result<RunOutcome> {
    let study = Study::resolve(req)?;
    let scenario = study.compile_requested()?;
    let trajectory = scenario.simulate()?;
    let dir = output_dir(out, &scenario.model.name, "run");
    let output = RunOutput {
        scenario: &scenario,
        trajectory: &trajectory,
    };
    let files = write_run(&output, &dir).map_err(Diagnostic::from)?;
    Ok(RunOutcome {
        scenario: Box::new(scenario),
        trajectory,
        written: Written { dir, files },
    })
}

/// Most feedback loops `check` lists; the shortest come first.
pub const LOOP_LIMIT: usize = 200;

/// What `check` found valid, for its summary.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The resolved study.
    pub study: Box<Study>,
    /// The last scenario compiled (the requested one, or the last of all).
    pub scenario: Box<CompiledScenario>,
    /// The scenarios compiled and checked.
    pub scenarios: Vec<String>,
    /// The model's feedback loops.
    pub loops: LoopReport,
}

/// Validates the study: the model, study files, inputs, correlations, targets, levers and
/// every scenario (or only `req`'s scenario when `only_requested`).
pub fn check(req: &StudyRequest, only_requested: bool) -> anyhow::Result<CheckOutcome> {
    let study = Study::resolve(req)?;
    let scenarios = match only_requested {
        true => vec![study.scenario.clone()],
        false => study.scenario_names(),
    };
    let scenario = validate(&study, &scenarios)?;
    crate::decision::swing::check_declared(&study, &scenario)?;
    let loops = named_loops(&scenario.model, LOOP_LIMIT)?;
    Ok(CheckOutcome {
        study: Box::new(study),
        scenario: Box::new(scenario),
        scenarios,
        loops,
    })
}

/// What `loops` produced.
#[derive(Debug)]
pub struct LoopsOutcome {
    /// The scenario that ran.
    pub scenario: Box<CompiledScenario>,
    /// Its loop scores.
    pub scores: crate::explain::LoopScores,
    /// What was written.
    pub written: Written,
}

/// Runs the requested scenario once, scoring its loops (Loops That Matter), and writes
/// loops.csv, loops.md and the dominance chart to `out` (default: outputs/<model>/loops).
pub fn loops(req: &StudyRequest, out: Option<&Path>) -> anyhow::Result<LoopsOutcome> {
    let study = Study::resolve(req)?;
    let scenario = study.compile_requested()?;
    let report = named_loops(&scenario.model, LOOP_LIMIT)?;
    let names: Vec<String> = scenario
        .model
        .variables
        .iter()
        .map(|v| v.name.clone())
        .collect();
    let scorer = crate::explain::LoopScorer::new(&scenario.program, &names, &report);
    let mut sim = crate::simulate::Simulation::new(&scenario.program);
    if let Some(m) = scenario.settings.method {
        sim.set_method(m);
    }
    let scores = scorer.score(&mut sim)?;
    let dir = output_dir(out, &scenario.model.name, "loops");
    let output = crate::report::export::LoopsOutput {
        scenario: &scenario,
        scores: &scores,
    };
    let files = crate::report::export::write_loops(&output, &dir).map_err(Diagnostic::from)?;
    Ok(LoopsOutcome {
        scenario: Box::new(scenario),
        scores,
        written: Written { dir, files },
    })
}

/// A format `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The native TOML model file.
    Toml,
    /// XMILE 1.0.
    Xmile,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "toml" => Ok(Format::Toml),
            "xmile" => Ok(Format::Xmile),
            _ => Err(format!(
                "unknown format `{text}`; the formats are toml, xmile"
            )),
        }
    }
}

/// What `convert` wrote.
#[derive(Debug)]
pub struct ConvertOutcome {
    /// The converted text.
    pub text: String,
    /// The file written (`None`: the text goes to standard output).
    pub path: Option<PathBuf>,
    /// Uncertain inputs, targets and scenarios kept in an XMILE `<study>` element.
    pub kept_study: Option<(usize, usize, usize)>,
}

/// Converts `model` to `to`, written to `output` (default: beside the model with the new
/// extension; `-`: not written, the caller prints the text). A model that does not compile is
/// refused, so the converted file runs.
pub fn convert(model: &Path, to: Format, output: Option<&Path>) -> anyhow::Result<ConvertOutcome> {
    let study = Study::resolve(&StudyRequest::new(model))?;
    crate::compile::compile(&study.model)?;
    if let (Format::Xmile, Some(name)) = (to, &study.model.sim.stop_when) {
        // XMILE's stop time is a number: writing the file would silently run to the longest time.
        return Err(Diagnostic::plain(format!(
            "the run stops when `Time` reaches `{name}`, a time XMILE can only write as a number"
        ))
        .with_hint("convert to TOML instead (`--to toml`), which keeps `stop_when`")
        .into());
    }
    let sections = toml_write::to_toml(&study.declarations);
    let (text, ext) = match to {
        Format::Toml if sections.is_empty() => {
            (crate::model::toml_writer::to_toml(&study.model), "toml")
        }
        Format::Toml => (
            format!(
                "{}\n{sections}",
                crate::model::toml_writer::to_toml(&study.model)
            ),
            "toml",
        ),
        Format::Xmile => (
            crate::xmile::to_xmile_with_study(&study.model, &sections),
            "xmile",
        ),
    };
    let d = &study.declarations;
    let kept_study = (!sections.is_empty() && to == Format::Xmile).then_some((
        d.uncertain.len(),
        d.targets.len(),
        d.scenarios.len(),
    ));
    let out = output.map_or_else(|| model.with_extension(ext), Path::to_path_buf);
    if out.as_os_str() == "-" {
        return Ok(ConvertOutcome {
            text,
            path: None,
            kept_study: None,
        });
    }
    if out == model {
        return Err(Diagnostic::plain(format!(
            "`{}` would overwrite the model itself",
            out.display()
        ))
        .with_hint("choose another name with -o")
        .into());
    }
    if let Err(e) = hold_interrupts(|| write_atomic(&out, text.as_bytes())) {
        return Err(
            Diagnostic::plain(format!("cannot write `{}`: {e}", out.display()))
                .with_hint("choose a writable place with -o")
                .into(),
        );
    }
    Ok(ConvertOutcome {
        text,
        path: Some(out),
        kept_study,
    })
}
