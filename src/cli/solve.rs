//! `sandtable solve`: the smallest lever value (or cheapest combination of levers) that makes a
//! target at least as likely as asked, with common random numbers → solve.json, solve.png.

use super::args::{RunsArgs, StudyArgs};
use super::decide::{number, parse_levers, parse_probability, progress_bar};
use anyhow::Context;
use sandtable::decision::{solve, Evaluator, Goal};
use sandtable::diagnostic::{Diagnostic, Diagnostics};
use sandtable::model::names::canonical;
use sandtable::report::export::{output_dir, write_solve};
use sandtable::study::Study;

/// Arguments of `sandtable solve` (the target is the one `--target`).
#[derive(clap::Args)]
pub struct SolveArgs {
    #[command(flatten)]
    study: StudyArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// The probability the target must reach: 0.8 or 80%.
    #[arg(long, value_parser = parse_probability)]
    probability: f64,
    /// A lever and its range, NAME=LO..HI (repeatable: several find the cheapest combination).
    #[arg(long, value_name = "NAME=LO..HI", required = true)]
    lever: Vec<String>,
    /// Cost of one unit of a lever, NAME=WEIGHT (several levers; default 1 each).
    #[arg(long, value_name = "NAME=WEIGHT")]
    cost: Vec<String>,
    /// Values on each lever's coarse grid before bisection.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..=101))]
    grid: u64,
    /// Bisection stops when the bracket is narrower than this share of the range.
    #[arg(long, default_value = "0.005", value_parser = parse_tolerance)]
    tolerance: f64,
    /// Scenario to solve in (default: baseline, the model as written).
    #[arg(long)]
    scenario: Option<String>,
}

fn parse_tolerance(text: &str) -> Result<f64, String> {
    sandtable::study::overrides::parse_value(text)
        .filter(|t| *t > 0.0 && *t < 0.5)
        .ok_or_else(|| {
            format!("`{text}` is not a share of the range between 0 and 0.5; e.g. 0.005")
        })
}

/// Whether `--target` names a declared target rather than giving a target's text.
fn is_bare_name(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The name the study gives the one `--target` (as `mc` names it), or the declared one.
fn target_name(text: &str) -> String {
    if is_bare_name(text) {
        return text.trim().to_string();
    }
    match text.split_once(':') {
        Some((name, _)) if !name.contains(['(', '<', '>', '=']) && !name.trim().is_empty() => {
            name.trim().to_string()
        }
        _ => "target_1".to_string(),
    }
}

fn parse_costs(texts: &[String], names: &[String]) -> Result<Vec<f64>, Diagnostics> {
    let mut weights = vec![1.0; names.len()];
    let mut errors = Vec::new();
    for t in texts {
        let hint = "write --cost NAME=WEIGHT with a positive weight, e.g. --cost budget=1";
        let Some((name, w)) = t.split_once('=') else {
            errors.push(
                Diagnostic::plain(format!("--cost `{t}` is not NAME=WEIGHT")).with_hint(hint),
            );
            continue;
        };
        let Some(i) = names
            .iter()
            .position(|n| canonical(n) == canonical(name.trim()))
        else {
            errors.push(
                Diagnostic::plain(format!("--cost `{t}`: `{}` is not a --lever", name.trim()))
                    .with_hint(format!("levers: {}", names.join(", "))),
            );
            continue;
        };
        match sandtable::study::overrides::parse_value(w).filter(|w| *w > 0.0) {
            Some(w) => weights[i] = w,
            None => errors.push(
                Diagnostic::plain(format!(
                    "--cost `{t}`: `{}` is not a positive number",
                    w.trim()
                ))
                .with_hint(hint),
            ),
        }
    }
    if errors.is_empty() {
        Ok(weights)
    } else {
        Err(Diagnostics(errors))
    }
}

/// Runs the command.
pub fn run(args: SolveArgs) -> anyhow::Result<()> {
    if args.study.target.len() != 1 {
        anyhow::bail!(
            "error: solve needs exactly one --target (got {})\n  hint: --target follower_growth (a target of the model) or --target \"big: followers at 365 >= 1e6\"",
            args.study.target.len()
        );
    }
    let text = args.study.target[0].clone();
    let mut request = args
        .study
        .request(args.scenario.as_deref(), Some(&args.runs));
    if is_bare_name(&text) {
        request.targets.clear();
    }
    let levers = parse_levers(&args.lever)?;
    let names: Vec<String> = levers.iter().map(|l| l.name.clone()).collect();
    let weights = parse_costs(&args.cost, &names)?;
    let study = Study::resolve(&request)?;
    let bar = progress_bar(study.settings.runs(), args.runs.quiet);
    let progress = |k: usize, done: u64| {
        bar.set_prefix(format!("value {}", k + 1));
        bar.set_position(done);
    };
    let threads = args.runs.threads.map(|n| n as usize);
    let mut ev = Evaluator::new(&study, &study.scenario, levers, threads, &progress)?;
    let goal = Goal {
        target: ev.target_index(&target_name(&text))?,
        probability: args.probability,
        grid: args.grid as usize,
        tolerance: args.tolerance,
        weights,
    };
    let solution = solve(&mut ev, &goal).with_context(|| args.study.model.display().to_string())?;
    bar.finish_and_clear();
    let dir = output_dir(args.runs.out.as_deref(), &study.model.name, "solve");
    let written = write_solve(&solution, &dir).map_err(Diagnostic::from)?;
    if !args.runs.quiet {
        outln!("{}", solution.message);
        if let (Some(values), Some(p)) = (&solution.values, solution.probability_at_value) {
            let last = &solution.levers[solution.levers.len() - 1].name;
            let end = |v: Option<f64>, side: &str| {
                v.map_or(format!("beyond the {side} of the range"), number)
            };
            outln!(
                "  {last}: {} (95 % interval {} to {}); P = {:.1} % [{:.1}, {:.1}]",
                number(values[values.len() - 1]),
                end(solution.ci95[0], "low end"),
                end(solution.ci95[1], "high end"),
                100.0 * p.probability,
                100.0 * p.ci95[0],
                100.0 * p.ci95[1]
            );
        }
        outln!(
            "  {} lever values evaluated × {} runs (seed {}, common random numbers); raising {} {} the target",
            solution.curve.len(),
            solution.runs,
            solution.seed,
            solution.levers[solution.levers.len() - 1].name,
            solution.direction.word()
        );
        outln!(
            "\nwrote {} files to {}/ (solve.json, solve.png)",
            written.len(),
            dir.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_select_declared_targets() {
        assert!(is_bare_name("follower_growth"));
        assert!(is_bare_name("粉丝增长"));
        assert!(!is_bare_name("x at 10 >= 5"));
        assert_eq!(target_name("big: x at 10 >= 5"), "big");
        assert_eq!(target_name("x at 10 >= 5"), "target_1");
        assert_eq!(target_name("growth(x, 0, 10) >= 20%"), "target_1");
    }
}
