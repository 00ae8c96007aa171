//! Arguments shared by the study commands, mapped onto a typed [`StudyRequest`].

use sandtable::diagnostic::Diagnostic;
use sandtable::model::Method;
use sandtable::study::overrides::parse_share;
use sandtable::study::{Sampler, Settings, StudyRequest};
use std::path::PathBuf;

/// Study options common to `run`, `check`, `mc` and `compare`.
#[derive(clap::Args, Clone)]
pub struct StudyArgs {
    /// Model file (.toml, .xmile, .stmx, .mdl) or a study file naming its model.
    pub model: PathBuf,
    /// A study file adding inputs, targets and scenarios (repeatable).
    #[arg(long)]
    pub study: Vec<PathBuf>,
    /// Scenario (default: baseline, the model as written; `check`: every scenario).
    /// `compare` takes several, comma-separated (default: every scenario).
    #[arg(long, alias = "scenarios", value_delimiter = ',', value_name = "NAME")]
    pub scenario: Vec<String>,
    /// Set a constant, an element or a stock's initial value: q=0.4, "share[video]=30%"
    /// (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Make a constant uncertain, e.g. --vary "q=triangular(0.2, 0.38, 0.6)" (repeatable).
    #[arg(long, value_name = "NAME=DIST")]
    pub vary: Vec<String>,
    /// Add a target, e.g. --target "big: followers at 365 >= 1.2e6" (repeatable).
    #[arg(long, value_name = "[NAME:] TARGET")]
    pub target: Vec<String>,
    /// Integration method: euler, rk2 or rk4 (default: the model's).
    #[arg(long)]
    pub method: Option<Method>,
    /// Refuse a model with unit problems (exit 2); `check` lists them.
    #[arg(long)]
    pub strict_units: bool,
}

/// Monte Carlo options of `mc` and `compare`.
#[derive(clap::Args, Clone)]
pub struct RunsArgs {
    /// Number of runs (default: the study's, else 10,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: Option<u64>,
    /// Master seed: the same seed gives the same numbers.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Index of the first run, to split one study across machines.
    #[arg(long)]
    pub first_run: Option<u64>,
    /// Sampling design: random or lhs (Latin hypercube).
    #[arg(long)]
    pub sampler: Option<Sampler>,
    /// Variables whose percentile bands are charted (default: the stocks).
    #[arg(long, value_delimiter = ',')]
    pub track: Vec<String>,
    /// Probability at or above which a target is "likely": 0.8 (the default) or 80%.
    #[arg(long, value_parser = parse_number)]
    pub likely: Option<f64>,
    /// Probability below which a target is "unlikely": 0.2 (the default) or 20%.
    #[arg(long, value_parser = parse_number)]
    pub unlikely: Option<f64>,
    /// Share of failed runs above which the verdicts are unreliable and the exit code is 3
    /// (default 1%).
    #[arg(long, value_parser = parse_share)]
    pub max_failed: Option<f64>,
    /// Also estimate Sobol indices of every target's metric: a Saltelli design of N·(k + 2)
    /// runs for k uncertain inputs, N being --runs; every probability still comes from the
    /// N base runs alone.
    #[arg(long)]
    pub sobol: bool,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..1025))]
    pub threads: Option<u64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where a command writes and how much it prints.
#[derive(clap::Args, Clone)]
pub struct OutputArgs {
    /// Output directory (default: under outputs/<model name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

impl RunsArgs {
    /// Worker threads asked for, if any.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|n| n as usize)
    }
}

impl StudyArgs {
    /// The request for the one scenario named (if any), with `runs`' settings if given.
    pub fn request(&self, runs: Option<&RunsArgs>) -> anyhow::Result<StudyRequest> {
        if let [_, second, ..] = &self.scenario[..] {
            let message = format!("--scenario names one scenario here, and `{second}` is a second");
            let hint = "sandtable compare MODEL --scenario a,b compares several";
            return Err(Diagnostic::plain(message).with_hint(hint).into());
        }
        Ok(self.request_all(runs))
    }

    /// The request these arguments make, every scenario named left to the command.
    pub fn request_all(&self, runs: Option<&RunsArgs>) -> StudyRequest {
        let mut settings = Settings {
            method: self.method,
            ..Settings::default()
        };
        if let Some(r) = runs {
            settings.runs = r.runs;
            settings.seed = r.seed;
            settings.first_run = r.first_run;
            settings.sampler = r.sampler;
            settings.track = (!r.track.is_empty()).then(|| r.track.clone());
            settings.likely = r.likely;
            settings.unlikely = r.unlikely;
            settings.max_failed = r.max_failed;
            settings.sobol = r.sobol.then_some(true);
        }
        StudyRequest {
            model: self.model.clone(),
            study_files: self.study.clone(),
            scenario: self.scenario.first().cloned(),
            overrides: self.set.clone(),
            inputs: self.vary.clone(),
            targets: self.target.clone(),
            settings,
            strict_units: self.strict_units,
        }
    }
}

/// Parses a number as written on a command line (`0.8`, `80%`); its range is checked with the
/// study's settings, which say which setting is out of range.
fn parse_number(text: &str) -> Result<f64, String> {
    sandtable::study::overrides::parse_value(text)
        .ok_or_else(|| format!("`{text}` is not a number; e.g. 0.8 or 80%"))
}
