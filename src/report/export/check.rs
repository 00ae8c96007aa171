//! What `check` prints: the model's time settings, its variables and stocks, its feedback
//! loops, the settable constants and the size of its study.

use crate::analysis::{LoopReport, Polarity};
use crate::model::VarKind;
use crate::study::{CompiledScenario, Study};

/// The summary of a checked study. `path` is the model file as given, `scenarios` how many
/// scenarios were compiled, `loops` the model's feedback loops.
pub fn check_text(
    path: &str,
    study: &Study,
    scenario: &CompiledScenario,
    scenarios: usize,
    loops: &LoopReport,
) -> String {
    let (model, prog) = (&scenario.model, &scenario.program);
    let s = &model.sim;
    let mut out = vec![format!("{path}: OK")];
    out.push(match study.unit_problems.len() {
        0 => "  units: consistent".to_string(),
        n => format!("  units: {n} problem(s), listed above as warnings"),
    });
    out.push(format!(
        "  time {} to {} {} in steps of {} ({}), saving every {}",
        s.start,
        s.stop,
        s.time_unit,
        s.dt,
        s.method.name(),
        s.save_step
    ));
    let count = |f: fn(&VarKind) -> bool| model.variables.iter().filter(|v| f(&v.kind)).count();
    out.push(format!(
        "  {} variables: {} stocks, {} flows, {} auxiliaries, {} constants; {} values with array elements",
        model.variables.len(),
        count(|k| matches!(k, VarKind::Stock { .. })),
        count(|k| matches!(k, VarKind::Flow { .. })),
        count(|k| matches!(k, VarKind::Aux)),
        count(|k| matches!(k, VarKind::Constant)),
        prog.columns.len()
    ));
    out.push("\nstocks:".to_string());
    let list = |names: &[String]| match names.is_empty() {
        true => "-".to_string(),
        false => names.join(", "),
    };
    for v in &model.variables {
        if let VarKind::Stock {
            inflows,
            outflows,
            non_negative,
        } = &v.kind
        {
            let dims = match v.dims.is_empty() {
                true => String::new(),
                false => format!("[{}]", v.dims.join(", ")),
            };
            out.push(format!(
                "  {}{dims}{}  in: {}  out: {}",
                v.name,
                if *non_negative { " (non-negative)" } else { "" },
                list(inflows),
                list(outflows)
            ));
        }
    }
    loops_text(loops, &mut out);
    let constants: Vec<&str> = prog.params.iter().map(|p| p.name.as_str()).collect();
    if !constants.is_empty() {
        out.push(format!(
            "\nconstants (settable with --set, variable with --vary): {}",
            constants.join(", ")
        ));
    }
    let d = &study.declarations;
    out.push(format!(
        "\nstudy: {} uncertain inputs, {} targets, {scenarios} scenarios (each compiled and checked)",
        d.uncertain.len(),
        d.targets.len(),
    ));
    out.join("\n")
}

/// The loops grouped as reinforcing, balancing and undetermined, numbered per group.
fn loops_text(report: &LoopReport, out: &mut Vec<String>) {
    if report.loops.is_empty() {
        out.push("\nfeedback loops: none".to_string());
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
    let shown = match report.truncated {
        true => format!("the {} shortest", report.loops.len()),
        false => report.loops.len().to_string(),
    };
    out.push(format!("\nfeedback loops: {shown} ({})", counts.join(", ")));
    for (polarity, _) in groups {
        let group = report.loops.iter().filter(|l| l.polarity == polarity);
        for (i, l) in group.enumerate() {
            let tag = format!("{}{}", polarity.loop_label(), i + 1);
            let name = match (&l.name, &l.label) {
                (Some(n), Some(label)) => format!(" {n} ({label}):"),
                (Some(n), None) => format!(" {n}:"),
                _ => String::new(),
            };
            out.push(format!("  {tag:<3}{name} {}", l.path()));
        }
    }
    if report.truncated {
        out.push("  … and more".to_string());
    }
}
