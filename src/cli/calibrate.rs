//! `sandtable calibrate`: the uncertain inputs fitted to observed history → posterior
//! summaries, posterior.csv, fit charts and a report.

use super::args::{OutputArgs, StudyArgs};
use super::output::{finish, Bar};
use sandtable::calibrate::{Likelihood, Options};
use sandtable::diagnostic::Diagnostic;
use sandtable::job::calibrate::{calibrate, CalibrateRequest};
use sandtable::report::export::calibration_text;
use std::path::PathBuf;

/// Arguments of `sandtable calibrate`.
#[derive(clap::Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// The history: a CSV with `time`, then model variables (`x`, `x[e]`) or `sum(RATE)`
    /// totals since the previous row; empty cells are gaps.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// The uncertain inputs to fit, comma-separated (default: every continuous one); the
    /// others are held at their prior median.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    fit: Vec<String>,
    /// Error model: lognormal (normal errors on ln(1 + x), the default) or negbin (counts).
    #[arg(long)]
    likelihood: Option<Likelihood>,
    /// Master seed: the same seed gives the same posterior (default: the study's).
    #[arg(long)]
    seed: Option<u64>,
    /// Sampler generations, burn-in (the first half) included.
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(20..=1_000_000))]
    generations: u64,
    /// Number of chains (default: max(8, 2 × inputs + 2)).
    #[arg(long, value_parser = clap::value_parser!(u64).range(4..=1000))]
    chains: Option<u64>,
    /// Most rows kept in posterior.csv.
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    draws: u64,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..1025))]
    threads: Option<u64>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs the command.
pub fn run(args: CalibrateArgs) -> anyhow::Result<()> {
    if let Some(name) = args.study.scenario.first() {
        let why = "calibration fits the model as written: the posterior describes the world, and a scenario is then a policy";
        let hint = format!("drop --scenario, then: sandtable mc MODEL --scenario {name} --posterior …/posterior.csv");
        return Err(Diagnostic::plain(why).with_hint(hint).into());
    }
    let mut study = args.study.request(None)?;
    study.settings.seed = args.seed;
    let request = CalibrateRequest {
        study,
        data: args.data,
        fit: args.fit,
        options: Options {
            likelihood: args.likelihood.unwrap_or_default(),
            chains: args.chains.map(|c| c as usize),
            generations: args.generations as usize,
            draws: args.draws as usize,
            ..Options::default()
        },
        threads: args.threads.map(|n| n as usize),
        out: args.output.out,
    };
    let started = std::time::Instant::now();
    let outcome = calibrate(&request, &Bar::new(args.output.quiet))?;
    let c = &outcome.calibration;
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    let seconds = started.elapsed().as_secs_f64();
    let text = || calibration_text(&outcome.model, c, seconds);
    let done = finish(
        args.output.quiet,
        text,
        &outcome.written,
        "open report.md",
        None,
    );
    if !args.output.quiet {
        outln!("re-forecast with\n  {}", outcome.reforecast);
    }
    done
}
