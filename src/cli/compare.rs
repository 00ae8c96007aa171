//! `sandtable compare`: several scenarios with common random numbers, side by side.

use super::args::{RunsArgs, StudyArgs};
use super::mc::{check_reliable, execute_with, read_posterior};
use super::output::print_table;
use anyhow::Context;
use sandtable::diagnostic::Diagnostic;
use sandtable::report::export::{
    comparison_table, output_dir, write_comparison_study, ReportOptions,
};
use sandtable::study::Study;

/// Arguments of `sandtable compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// Scenarios to compare, comma-separated (`baseline` is the model as written;
    /// default: baseline and every scenario of the model).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<String>,
    /// Draw the calibrated inputs jointly from this posterior.csv in every scenario.
    #[arg(long, value_name = "FILE")]
    posterior: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    if args.runs.sobol {
        anyhow::bail!("error: --sobol goes with `sandtable mc`, one scenario at a time\n  hint: sandtable mc MODEL --scenario NAME --sobol");
    }
    let study = Study::resolve(&args.study.request(None, Some(&args.runs)))?;
    let names: Vec<String> = if args.scenarios.is_empty() {
        study.scenario_names()
    } else {
        args.scenarios
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if names.len() < 2 {
        anyhow::bail!("error: compare needs at least two scenarios\n  hint: --scenarios baseline,other (see [scenarios] in the model)");
    }
    // Compile every scenario before running any, so a typo fails fast and writes nothing.
    let compiled = names
        .iter()
        .map(|n| study.compile(n))
        .collect::<Result<Vec<_>, _>>()?;
    let posterior = read_posterior(args.posterior.as_deref())?;
    let mut results = Vec::new();
    for scenario in &compiled {
        results.push(
            execute_with(scenario, &args.runs, posterior.as_ref())
                .with_context(|| args.study.model.display().to_string())?,
        );
    }
    let dir = output_dir(args.runs.out.as_deref(), &study.model.name, "compare");
    let options = ReportOptions {
        max_failed: study.settings.max_failed(),
    };
    let count = write_comparison_study(&results, &dir, &options)
        .map_err(Diagnostic::from)?
        .len();
    if !args.runs.quiet {
        let table = comparison_table(results.iter().map(|r| &r.summary));
        outln!(
            "{}: {} scenarios × {} runs, seed {} (common random numbers)\n",
            study.model.name,
            results.len(),
            results[0].summary.runs,
            results[0].summary.seed
        );
        print_table(&table[0], &table[1..]);
        outln!(
            "\nwrote {count} files to {}/ (open comparison.md)",
            dir.display()
        );
    }
    check_reliable(&results.iter().collect::<Vec<_>>(), options.max_failed)
}
