//! `sandtable calibrate`: the uncertain inputs fitted to observed history → posterior
//! summaries, posterior.csv, fit charts and a report.

use super::args::StudyArgs;
use super::output::print_table;
use anyhow::Context;
use sandtable::calibrate::{calibrate, Likelihood, Options, Problem};
use sandtable::diagnostic::Diagnostic;
use sandtable::report::export::{output_dir, write_calibration, CalibrationOutput};
use sandtable::report::format;
use sandtable::study::provenance::FileStamp;
use sandtable::study::{Settings, Study};
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
    #[arg(long, value_parser = parse_likelihood)]
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
    /// Output directory (default: outputs/<model>/calibrate).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    quiet: bool,
}

fn parse_likelihood(text: &str) -> Result<Likelihood, String> {
    Likelihood::parse(text)
        .ok_or_else(|| format!("unknown likelihood `{text}`; use lognormal or negbin"))
}

/// Runs the command.
pub fn run(args: CalibrateArgs) -> anyhow::Result<()> {
    let mut request = args.study.request(None, None);
    request.settings = Settings {
        seed: args.seed,
        ..request.settings
    };
    let study = Study::resolve(&request)?;
    let scenario = study.compile("baseline")?;
    let bytes = std::fs::read(&args.data).map_err(|e| {
        Diagnostic::plain(format!("cannot read {}: {e}", args.data.display()))
            .with_hint("--data names a CSV: time, then one column per observed variable")
    })?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| {
        Diagnostic::plain(format!("{} is not UTF-8 text", args.data.display()))
            .with_hint("save the data as a UTF-8 CSV")
    })?;
    let fit = (!args.fit.is_empty()).then_some(args.fit.as_slice());
    let problem = Problem::new(&scenario, &args.data.display().to_string(), &text, fit)?;
    let options = Options {
        likelihood: args.likelihood.unwrap_or_default(),
        chains: args.chains.map(|c| c as usize),
        generations: args.generations as usize,
        draws: args.draws as usize,
        seed: study.settings.seed(),
        ..Options::default()
    };
    let bar = super::mc::progress_bar(options.generations as u64, args.quiet, "calibrate");
    bar.set_message("generations");
    let started = std::time::Instant::now();
    let progress = |done: usize, _: usize| bar.set_position(done as u64);
    let result = match args.threads {
        None => calibrate(&problem, &options, &progress),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .map_err(|e| Diagnostic::plain(format!("cannot start {n} threads: {e}")))?
            .install(|| calibrate(&problem, &options, &progress)),
    };
    bar.finish_and_clear();
    let calibration = result.with_context(|| args.study.model.display().to_string())?;
    let dir = output_dir(args.out.as_deref(), &scenario.model.name, "calibrate");
    let output = CalibrationOutput {
        calibration: &calibration,
        model: &scenario.model.name,
        time_unit: &scenario.model.sim.time_unit,
        model_file: scenario.provenance.model.clone(),
        data_file: FileStamp::of(&args.data, text.as_bytes()),
        reforecast: format!(
            "sandtable mc {} --posterior {}",
            args.study.model.display(),
            dir.join("posterior.csv").display()
        ),
    };
    let written = write_calibration(&output, &dir).map_err(Diagnostic::from)?;
    for w in &calibration.warnings {
        eprintln!("warning: {w}");
    }
    if !args.quiet {
        let c = &calibration;
        outln!(
            "{}: {} observations up to time {}, {} inputs fitted ({}), {} chains × {} generations, acceptance {}, {:.1} s",
            scenario.model.name,
            c.observations,
            format::number(c.data_until),
            c.parameters.len(),
            c.likelihood.name(),
            c.chains,
            c.generations,
            format::percent(c.acceptance),
            started.elapsed().as_secs_f64()
        );
        outln!();
        let header: Vec<String> = ["input", "prior", "mean", "95 % interval", "R-hat", "ESS"]
            .map(String::from)
            .to_vec();
        let rows: Vec<Vec<String>> = c
            .parameters
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.prior.clone(),
                    format::number(p.mean),
                    format!(
                        "[{}, {}]",
                        format::number(p.ci95[0]),
                        format::number(p.ci95[1])
                    ),
                    format!("{:.3}", p.rhat),
                    format!("{:.0}", p.ess),
                ]
            })
            .collect();
        print_table(&header, &rows);
        outln!(
            "\nwrote {} files to {}/ (open report.md); re-forecast with\n  {}",
            written.len(),
            dir.display(),
            output.reforecast
        );
    }
    Ok(())
}
