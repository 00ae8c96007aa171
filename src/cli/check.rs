//! `sandtable check`: validate everything a command would use — the model, study files,
//! uncertain inputs, correlations, targets and every scenario compiled — and summarise the
//! model's structure.

use super::args::StudyArgs;
use sandtable::analysis::{named_loops, LoopReport, Polarity};
use sandtable::model::VarKind;
use sandtable::montecarlo::runner::validate;
use sandtable::study::Study;

/// Arguments of `sandtable check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    study: StudyArgs,
    /// Check only this scenario (default: baseline and every scenario).
    #[arg(long)]
    scenario: Option<String>,
}

/// Most feedback loops listed; the shortest come first.
const LOOP_LIMIT: usize = 200;

/// Runs the command.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let study = Study::resolve(&args.study.request(args.scenario.as_deref(), None))?;
    let names = match &args.scenario {
        Some(_) => vec![study.scenario.clone()],
        None => study.scenario_names(),
    };
    let scenario = validate(&study, &names)?;
    sandtable::decision::swing::check_declared(&study, &scenario)?;
    let (model, prog) = (&scenario.model, &scenario.program);
    let unit_problems = &study.unit_problems;
    for p in unit_problems {
        eprintln!("{}", sandtable::units::render_warning(p));
    }
    let s = &model.sim;
    outln!("{}: OK", args.study.model.display());
    match unit_problems.len() {
        0 => outln!("  units: consistent"),
        n => outln!("  units: {n} problem(s), listed above as warnings"),
    }
    outln!(
        "  time {} to {} {} in steps of {} ({}), saving every {}",
        s.start,
        s.stop,
        s.time_unit,
        s.dt,
        s.method.name(),
        s.save_step
    );
    let count = |f: fn(&VarKind) -> bool| model.variables.iter().filter(|v| f(&v.kind)).count();
    outln!(
        "  {} variables: {} stocks, {} flows, {} auxiliaries, {} constants; {} values with array elements",
        model.variables.len(),
        count(|k| matches!(k, VarKind::Stock { .. })),
        count(|k| matches!(k, VarKind::Flow { .. })),
        count(|k| matches!(k, VarKind::Aux)),
        count(|k| matches!(k, VarKind::Constant)),
        prog.columns.len()
    );
    outln!("\nstocks:");
    let list = |names: &[String]| {
        if names.is_empty() {
            "-".to_string()
        } else {
            names.join(", ")
        }
    };
    for v in &model.variables {
        if let VarKind::Stock {
            inflows,
            outflows,
            non_negative,
        } = &v.kind
        {
            let dims = if v.dims.is_empty() {
                String::new()
            } else {
                format!("[{}]", v.dims.join(", "))
            };
            outln!(
                "  {}{dims}{}  in: {}  out: {}",
                v.name,
                if *non_negative { " (non-negative)" } else { "" },
                list(inflows),
                list(outflows)
            );
        }
    }
    print_loops(&named_loops(model, LOOP_LIMIT)?);
    let constants: Vec<&str> = prog.params.iter().map(|p| p.name.as_str()).collect();
    if !constants.is_empty() {
        outln!(
            "\nconstants (settable with --set, variable with --vary): {}",
            constants.join(", ")
        );
    }
    let d = &study.declarations;
    outln!(
        "\nstudy: {} uncertain inputs, {} targets, {} scenarios (each compiled and checked)",
        d.uncertain.len(),
        d.targets.len(),
        names.len()
    );
    Ok(())
}

/// Lists the loops grouped as reinforcing, balancing and undetermined, numbered per group.
fn print_loops(report: &LoopReport) {
    if report.loops.is_empty() {
        outln!("\nfeedback loops: none");
        return;
    }
    let groups = [
        (Polarity::Positive, "reinforcing"),
        (Polarity::Negative, "balancing"),
        (Polarity::Unknown, "undetermined"),
    ];
    let counts: Vec<String> = groups
        .iter()
        .map(|&(p, word)| (report.count(p), word))
        .filter(|&(n, _)| n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
    let shown = if report.truncated {
        format!("the {} shortest", report.loops.len())
    } else {
        report.loops.len().to_string()
    };
    outln!("\nfeedback loops: {shown} ({})", counts.join(", "));
    for (polarity, _) in groups {
        let group = report.loops.iter().filter(|l| l.polarity == polarity);
        for (i, l) in group.enumerate() {
            let tag = format!("{}{}", polarity.loop_label(), i + 1);
            let name = match (&l.name, &l.label) {
                (Some(n), Some(label)) => format!(" {n} ({label}):"),
                (Some(n), None) => format!(" {n}:"),
                _ => String::new(),
            };
            outln!("  {tag:<3}{name} {}", l.path());
        }
    }
    if report.truncated {
        outln!("  … and more");
    }
}
