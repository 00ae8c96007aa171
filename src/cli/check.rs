//! `sandtable check`: validate a model and summarise its structure.

use super::run::load_and_compile;
use super::ModelArg;
use sandtable::analysis::{feedback_loops, LoopReport, Polarity};
use sandtable::compile::Role;

/// Arguments of `sandtable check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    model: ModelArg,
}

/// Most feedback loops listed; the shortest come first.
const LOOP_LIMIT: usize = 200;

/// Runs the command.
pub fn run(args: CheckArgs) -> Result<(), String> {
    let (model, prog) = load_and_compile(&args.model.model)?;
    let count = |role: Role| prog.columns.iter().filter(|c| c.role == role).count();
    let s = &model.sim;
    println!("{}: OK", args.model.model.display());
    println!(
        "  time {} to {} {} in steps of {} ({}), saving every {}",
        s.start,
        s.stop,
        s.time_unit,
        s.dt,
        s.method.name(),
        s.save_step
    );
    println!(
        "  {} variables: {} stocks, {} flows, {} auxiliaries, {} constants ({} values after expanding arrays)",
        model.variables.len(),
        count(Role::Stock),
        count(Role::Flow),
        count(Role::Aux),
        count(Role::Constant),
        prog.columns.len()
    );
    println!("\nstocks:");
    for stock in prog.stocks.iter().filter(|s| s.column.is_some()) {
        let name = |slot: &u32| {
            prog.columns
                .iter()
                .find(|c| c.slot == *slot)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "(builtin)".into())
        };
        let ins: Vec<String> = stock.inflows.iter().map(name).collect();
        let outs: Vec<String> = stock.outflows.iter().map(name).collect();
        println!(
            "  {}{}  in: {}  out: {}",
            stock.name,
            if stock.non_negative {
                " (non-negative)"
            } else {
                ""
            },
            if ins.is_empty() {
                "-".into()
            } else {
                ins.join(", ")
            },
            if outs.is_empty() {
                "-".into()
            } else {
                outs.join(", ")
            },
        );
    }
    print_loops(&feedback_loops(&model, LOOP_LIMIT));
    let constants: Vec<&str> = prog.params.iter().map(|p| p.name.as_str()).collect();
    if !constants.is_empty() {
        println!(
            "\nconstants (settable with --set, variable with --vary): {}",
            constants.join(", ")
        );
    }
    Ok(())
}

/// Lists the loops grouped as reinforcing, balancing and undetermined, numbered per group.
fn print_loops(report: &LoopReport) {
    if report.loops.is_empty() {
        println!("\nfeedback loops: none");
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
    println!("\nfeedback loops: {shown} ({})", counts.join(", "));
    for (polarity, _) in groups {
        let group = report.loops.iter().filter(|l| l.polarity == polarity);
        for (i, l) in group.enumerate() {
            let tag = format!("{}{}", polarity.loop_label(), i + 1);
            println!("  {tag:<3} {}", l.path());
        }
    }
    if report.truncated {
        println!("  … and more");
    }
}
