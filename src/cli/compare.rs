//! `sandtable compare`: several scenarios with common random numbers, side by side.

use super::mc::run_scenario;
use super::output::{ensure_dir, out_dir, print_table};
use super::study_args::{self, StudyArgs};
use sandtable::report::export::{comparison_table, scenario_dirs, write_comparison, write_study};

/// Arguments of `sandtable compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// Scenarios to compare, comma-separated (`baseline` is the model as written;
    /// default: baseline and every scenario of the model).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<String>,
}

/// Runs the command.
pub fn run(args: CompareArgs) -> Result<(), String> {
    let loaded = study_args::load(&args.study)?;
    let names: Vec<String> = if args.scenarios.is_empty() {
        std::iter::once("baseline".to_string())
            .chain(loaded.study.scenarios.iter().map(|s| s.name.clone()))
            .collect()
    } else {
        args.scenarios
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if names.len() < 2 {
        return Err("error: compare needs at least two scenarios\n  hint: --scenarios baseline,other (see [scenarios] in the model)".into());
    }
    // Check every scenario before running any, so a typo fails fast and writes nothing.
    for name in &names {
        study_args::scenario(&loaded, name, &args.study.set)?;
    }
    let mut results = Vec::new();
    for name in &names {
        results.push(run_scenario(&args.study, &loaded, name)?);
    }
    let dir = out_dir(
        args.study.out.as_deref(),
        &loaded.model.name,
        Some("compare"),
    );
    let count = super::interrupt::deferred(|| -> Result<usize, String> {
        ensure_dir(&dir)?;
        let mut count = 0;
        for (r, name) in results.iter().zip(scenario_dirs(&results)) {
            let sub = dir.join(name);
            ensure_dir(&sub)?;
            count += write_study(r, &sub)
                .map_err(|e| format!("error: {e}"))?
                .len();
        }
        count += write_comparison(&results, &dir)
            .map_err(|e| format!("error: {e}"))?
            .len();
        Ok(count)
    })?;
    if !args.study.quiet {
        let table = comparison_table(results.iter().map(|r| &r.summary));
        outln!(
            "{}: {} scenarios × {} runs, seed {} (common random numbers)\n",
            loaded.model.name,
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
    Ok(())
}
