//! `sandtable check`: validate a model and summarise its structure.

use super::run::load_and_compile;
use super::ModelArg;
use sandtable::analysis::{feedback_loops, LoopReport, Polarity};
use sandtable::model::VarKind;

/// Arguments of `sandtable check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Treat unit problems as errors (exit 2) instead of warnings.
    #[arg(long)]
    strict_units: bool,
}

/// Most feedback loops listed; the shortest come first.
const LOOP_LIMIT: usize = 200;

/// Runs the command.
pub fn run(args: CheckArgs) -> Result<(), String> {
    let (model, prog) = load_and_compile(&args.model.model)?;
    let unit_check = sandtable::units::check_file(&args.model.model, &model);
    let unit_problems = unit_check
        .map_err(|e| e.to_string())?
        .gate(args.strict_units)?;
    for p in &unit_problems {
        eprintln!("{}", sandtable::units::render_warning(p));
    }
    let s = &model.sim;
    outln!("{}: OK", args.model.model.display());
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
    print_loops(&feedback_loops(&model, LOOP_LIMIT));
    let constants: Vec<&str> = prog.params.iter().map(|p| p.name.as_str()).collect();
    if !constants.is_empty() {
        outln!(
            "\nconstants (settable with --set, variable with --vary): {}",
            constants.join(", ")
        );
    }
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
            outln!("  {tag:<3} {}", l.path());
        }
    }
    if report.truncated {
        outln!("  … and more");
    }
}
