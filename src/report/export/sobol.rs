//! The Sobol parts of report.md: the design's size under the summary, and a table of
//! first-order and total indices per target.

use std::fmt::Write;

use super::describe;
use super::table::{markdown, Align};
use crate::montecarlo::summary::{Summary, TargetSummary};
use crate::report::format;

/// One sentence on the Saltelli design, for the report's summary; nothing without `--sobol`.
pub(super) fn design_sentence(md: &mut String, s: &Summary) -> std::fmt::Result {
    let Some(d) = &s.sobol else {
        return Ok(());
    };
    writeln!(
        md,
        "Sobol indices (`--sobol`) come from a Saltelli design of {} base runs × ({} inputs + 2) \
         = {} runs in all (matrices A, B and one A_B^(i) per input); every probability and other \
         figure of this report comes from the {} base runs (A) alone.\n",
        format::number(d.base_runs as f64),
        d.inputs,
        format::number(d.total_runs as f64),
        format::number(d.base_runs as f64),
    )
}

/// A target's Sobol table, largest total effect first; nothing without `--sobol`.
pub(super) fn target_table(md: &mut String, s: &Summary, t: &TargetSummary) -> std::fmt::Result {
    let Some(basis) = &t.sobol_basis else {
        return Ok(());
    };
    if let Some(note) = &basis.note {
        return writeln!(md, "Sobol indices: none ({note}).\n");
    }
    let mut ranked: Vec<_> = t.sobol.iter().collect();
    ranked.sort_by(|a, b| {
        let key = |v: f64| if v.is_finite() { v } else { f64::NEG_INFINITY };
        key(b.total).total_cmp(&key(a.total))
    });
    let fig = |v: f64| {
        if v.is_finite() {
            format!("{v:.3}")
        } else {
            "—".into()
        }
    };
    let ci = |c: [f64; 2]| format!("[{}, {}]", fig(c[0]), fig(c[1]));
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|x| {
            vec![
                describe::input_display(s, &x.input),
                fig(x.first),
                ci(x.first_ci95),
                fig(x.total),
                ci(x.total_ci95),
            ]
        })
        .collect();
    let scale = if basis.on_ranks {
        "of the metric's ranks (some runs never reach it: an infinite metric, ranked as the \
         largest)"
    } else {
        "of the metric"
    };
    writeln!(
        md,
        "Sobol indices {scale}, over {} base rows: the share of its variance each input explains \
         alone (first order) and with its interactions (total); 95 % bootstrap intervals.\n",
        format::number(basis.rows as f64)
    )?;
    use Align::{Left, Right};
    writeln!(
        md,
        "{}",
        markdown(
            &["Input", "First order", "95 % CI", "Total", "95 % CI"],
            &[Left, Right, Right, Right, Right],
            &rows
        )
    )
}
