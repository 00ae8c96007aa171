//! Options shared by `mc` and `compare`, and turning them plus files into a study to run.

use super::run::{parse_assignment, parse_method};
use sandtable::compile::{compile, Program};
use sandtable::diagnostic::{Diagnostic, SourceRef};
use sandtable::loader::load_model;
use sandtable::model::{Method, Model};
use sandtable::montecarlo::distribution::Distribution;
use sandtable::montecarlo::runner::RunOptions;
use sandtable::montecarlo::sampling::Sampler;
use sandtable::montecarlo::summary::Thresholds;
use sandtable::study::{toml_study, Scenario, Study, Uncertain};
use sandtable::targets::Target;
use std::path::PathBuf;

/// Study options common to `mc` and `compare`.
#[derive(clap::Args, Clone)]
pub struct StudyArgs {
    /// Model file (.toml, .xmile, .stmx, .mdl) or a study file naming its model.
    pub model: PathBuf,
    /// A study file adding inputs, targets and scenarios (e.g. for an XMILE model).
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// Number of runs (default: the study's, else 10,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: Option<u64>,
    /// Master seed: the same seed gives the same numbers.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Index of the first run, to split one study across machines.
    #[arg(long, default_value_t = 0)]
    pub first_run: u64,
    /// Sampling design: random or lhs (Latin hypercube).
    #[arg(long, value_parser = parse_sampler)]
    pub sampler: Option<Sampler>,
    /// Make a constant uncertain, e.g. --vary "q=triangular(0.2, 0.38, 0.6)" (repeatable).
    #[arg(long, value_name = "NAME=DIST")]
    pub vary: Vec<String>,
    /// Add a target, e.g. --target "big: followers at 365 >= 1.2e6" (repeatable).
    #[arg(long, value_name = "[NAME:] TARGET")]
    pub target: Vec<String>,
    /// Fix a constant, e.g. --set q=0.4 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, f64)>,
    /// Integration method: euler, rk2 or rk4 (default: the model's).
    #[arg(long, value_parser = parse_method)]
    pub method: Option<Method>,
    /// Variables whose percentile bands are charted (default: the stocks).
    #[arg(long, value_delimiter = ',')]
    pub track: Vec<String>,
    /// Probability at or above which a target is "likely" (default 0.8).
    #[arg(long)]
    pub likely: Option<f64>,
    /// Probability below which a target is "unlikely" (default 0.2).
    #[arg(long)]
    pub unlikely: Option<f64>,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..1025))]
    pub threads: Option<u64>,
    /// Output directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Parses `random` or `lhs`.
pub fn parse_sampler(text: &str) -> Result<Sampler, String> {
    Sampler::parse(text).ok_or_else(|| format!("unknown sampler `{text}`; use random or lhs"))
}

/// A model with its study, before any scenario is applied.
pub struct Loaded {
    /// The model.
    pub model: Model,
    /// Everything declared in files and on the command line.
    pub study: Study,
}

/// Reads the model and every study source; command-line declarations come last.
pub fn load(args: &StudyArgs) -> Result<Loaded, String> {
    let (model_path, mut study) = if args.model.extension().is_some_and(|e| e == "toml")
        && toml_study::is_study_file(&args.model)
    {
        let (path, loaded) = toml_study::load_study_file(&args.model).map_err(|e| e.to_string())?;
        (path, loaded.study)
    } else {
        (args.model.clone(), Study::default())
    };
    let model = load_model(&model_path).map_err(|e| e.to_string())?;
    if model_path.extension().is_some_and(|e| e == "toml") {
        let file =
            sandtable::model::toml_file::read_source(&model_path).map_err(|e| e.to_string())?;
        let own = toml_study::from_model_file(&file).map_err(|e| e.to_string())?;
        let mut merged = own.study;
        merged.merge(study, false);
        study = merged;
    }
    if let Some(path) = &args.study {
        let (_, loaded) = toml_study::load_study_file(path).map_err(|e| e.to_string())?;
        study.merge(loaded.study, loaded.has_settings);
    }
    for v in &args.vary {
        study.add_uncertain(parse_vary(v).map_err(|e| e.to_string())?);
    }
    for (i, t) in args.target.iter().enumerate() {
        let target = parse_target(t, i).map_err(|e| e.to_string())?;
        let key = sandtable::model::names::canonical(&target.name);
        study
            .targets
            .retain(|x| sandtable::model::names::canonical(&x.name) != key);
        study.targets.push(target);
    }
    Ok(Loaded { model, study })
}

fn cli_ref(arg: &str) -> SourceRef {
    let file = std::sync::Arc::new(sandtable::diagnostic::SourceFile {
        path: "command line".into(),
        text: arg.to_string(),
    });
    SourceRef::at_offset(&file, 0)
}

fn parse_vary(text: &str) -> Result<Uncertain, Diagnostic> {
    let at = cli_ref(text);
    let Some((name, dist)) = text.split_once('=') else {
        return Err(
            Diagnostic::new(format!("--vary `{text}` is not NAME=DIST"), at)
                .with_hint("e.g. --vary \"q=triangular(0.2, 0.38, 0.6)\""),
        );
    };
    if name.trim().is_empty() {
        return Err(
            Diagnostic::new(format!("--vary `{text}` has no name before `=`"), at)
                .with_hint("e.g. --vary \"q=triangular(0.2, 0.38, 0.6)\""),
        );
    }
    let offset = name.len() + 1;
    let dist_at = at.advance_in(text, offset);
    let dist = Distribution::parse(dist).map_err(|e| e.to_diagnostic(&dist_at, dist))?;
    Ok(Uncertain {
        name: name.trim().to_string(),
        dist,
        at,
    })
}

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

/// The model and study of one scenario (`baseline` is the model as written), with `--set`
/// applied on top, compiled.
pub fn scenario(
    loaded: &Loaded,
    name: &str,
    set: &[(String, f64)],
) -> Result<(Model, Study, Program, Option<String>), String> {
    let (mut model, mut study, doc) = if name.eq_ignore_ascii_case("baseline") {
        (loaded.model.clone(), loaded.study.clone(), None)
    } else {
        let s = loaded.study.scenario(name).map_err(|e| e.to_string())?;
        let (m, st) = loaded
            .study
            .apply(&loaded.model, s)
            .map_err(|e| e.to_string())?;
        (m, st, s.doc.clone())
    };
    if !set.is_empty() {
        let fixed = Scenario {
            name: "--set".into(),
            set: set
                .iter()
                .map(|(n, v)| (n.clone(), *v, cli_ref(&format!("{n}={v}"))))
                .collect(),
            ..Scenario::default()
        };
        let (m, st) = study.apply(&model, &fixed).map_err(|e| e.to_string())?;
        model = m;
        study = st;
    }
    let prog = compile(&model).map_err(|e| e.to_string())?;
    Ok((model, study, prog, doc))
}

/// Run options from settings in files, overridden by the command line.
pub fn options(
    args: &StudyArgs,
    study: &Study,
    scenario: &str,
    doc: Option<String>,
) -> Result<RunOptions, String> {
    let s = &study.settings;
    let thresholds = Thresholds {
        likely: args.likely.unwrap_or(s.likely),
        unlikely: args.unlikely.unwrap_or(s.unlikely),
    };
    if !(0.0..=1.0).contains(&thresholds.likely)
        || !(0.0..=1.0).contains(&thresholds.unlikely)
        || thresholds.unlikely > thresholds.likely
    {
        return Err(
            "error: --likely and --unlikely are probabilities from 0 to 1, with unlikely ≤ likely\n  hint: e.g. --likely 0.8 --unlikely 0.2"
                .into(),
        );
    }
    Ok(RunOptions {
        runs: args.runs.unwrap_or(s.runs),
        first_run: args.first_run,
        seed: args.seed.unwrap_or(s.seed),
        sampler: args.sampler.unwrap_or(s.sampler),
        track: if args.track.is_empty() {
            s.track.clone()
        } else {
            args.track.clone()
        },
        percentiles: s.percentiles.clone(),
        thresholds,
        samples: s.samples,
        method: args.method,
        scenario: (scenario.to_string(), doc),
    })
}

/// Runs `work` on a pool of `threads` threads (or the default pool).
pub fn with_threads<T: Send>(
    threads: Option<u64>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, String> {
    match threads {
        None => Ok(work()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n as usize)
                .build()
                .map_err(|e| format!("error: cannot start {n} threads: {e}"))?;
            Ok(pool.install(work))
        }
    }
}

/// `outputs/<model>/<scenario>` unless `--out` is given.
pub fn study_dir(args: &StudyArgs, model: &Model, scenario: &str) -> PathBuf {
    super::output::out_dir(args.out.as_deref(), &model.name, Some(scenario))
}
