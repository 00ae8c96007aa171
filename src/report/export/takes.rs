//! "What it would take" in words: the lever value a target needs (from `mc --what-it-takes`,
//! one `solve` per target on the study's runs), as the report's summary table shows it.

use crate::montecarlo::summary::{Requirement, Summary, TargetSummary};
use crate::report::format;

/// A lever value rounded to three significant figures, which is as fine as the solve's
/// bisection (half a percent of the range) and its Monte Carlo interval allow.
pub(crate) fn amount(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format::number(v);
    }
    let scale = 10f64.powi(v.abs().log10().floor() as i32 - 2);
    format::number((v / scale).round() * scale)
}

/// The cell of the summary table: `budget ≥ 43,500 [34,300 – 53,200]`, `budget ≤ 8,000 […]`
/// for a lever that hurts, or why no value in the range will do.
pub(crate) fn cell(r: &Requirement) -> String {
    let lever = &r.lever;
    let side = if r.direction == "hurts" { "≤" } else { "≥" };
    match r.value {
        Some(v) => {
            let interval = match r.ci95 {
                [Some(lo), Some(hi)] => format!(" [{} – {}]", amount(lo), amount(hi)),
                [Some(lo), None] => format!(" [{} – beyond {}]", amount(lo), amount(r.range[1])),
                [None, Some(hi)] => format!(" [below {} – {}]", amount(r.range[0]), amount(hi)),
                [None, None] => String::new(),
            };
            // The range's favourable end already does it: the answer may lie beyond it.
            let end = if r.direction == "hurts" {
                r.range[1]
            } else {
                r.range[0]
            };
            if v == end {
                format!(
                    "met across the range: {} even at {lever} = {}",
                    format::percent(r.probability.probability),
                    amount(v)
                )
            } else {
                format!("{lever} {side} {}{interval}", amount(v))
            }
        }
        None => {
            let lowers = if r.direction == "hurts" {
                format!("; more {lever} lowers it")
            } else {
                String::new()
            };
            format!(
                "not reachable by {lever} alone: at most {} (at {}){lowers}",
                format::percent(r.probability.probability),
                amount(r.best_value)
            )
        }
    }
}

/// The sentence under the summary table saying how the column was found, or `None` when the
/// study was not run with `--what-it-takes`.
pub(crate) fn note(s: &Summary) -> Option<String> {
    let r = s.targets.iter().find_map(|t| t.what_it_takes.as_ref())?;
    Some(format!(
        "*What it would take*: the smallest `{lever}` from {lo} to {hi} that makes each target at \
         least {goal} likely (the largest, for a target that more `{lever}` hurts), solved on the \
         same {runs} runs at every value (common random numbers), with its 95 % Monte Carlo \
         interval; composite targets are not solved. `sandtable solve` gives the curve behind \
         any one of them.",
        lever = r.lever,
        lo = format::number(r.range[0]),
        hi = format::number(r.range[1]),
        goal = format::percent(r.goal),
        runs = format::number(s.runs as f64),
    ))
}

/// The column's header, e.g. `What it would take (P ≥ 80 %)`.
pub(crate) fn header(s: &Summary) -> Option<String> {
    let r = s.targets.iter().find_map(|t| t.what_it_takes.as_ref())?;
    Some(format!(
        "What it would take (P ≥ {})",
        format::percent(r.goal)
    ))
}

/// The column's cell for target `t`: empty for a target that was not solved.
pub(crate) fn column(t: &TargetSummary) -> String {
    t.what_it_takes.as_ref().map(cell).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::summary::Probability;

    fn requirement(value: Option<f64>, direction: &str) -> Requirement {
        Requirement {
            lever: "budget".into(),
            range: [1000.0, 100_000.0],
            goal: 0.8,
            reachable: value.is_some(),
            value,
            ci95: [Some(34_312.5), Some(53_187.4)],
            direction: direction.into(),
            probability: Probability {
                probability: if value.is_some() { 0.803 } else { 0.22 },
                ci95: [0.7, 0.9],
                successes: 241,
                runs: 300,
            },
            best_value: value.unwrap_or(100_000.0),
        }
    }

    #[test]
    fn amounts_have_three_significant_figures() {
        assert_eq!(amount(43_512.7), "43,500");
        assert_eq!(amount(1_000.0), "1,000");
        assert_eq!(amount(0.123_456), "0.123");
        assert_eq!(amount(987_654.0), "988,000");
    }

    #[test]
    fn cells_say_the_value_its_interval_or_why_not() {
        assert_eq!(
            cell(&requirement(Some(43_512.7), "helps")),
            "budget ≥ 43,500 [34,300 – 53,200]"
        );
        assert_eq!(
            cell(&requirement(Some(8_000.0), "hurts")),
            "budget ≤ 8,000 [34,300 – 53,200]"
        );
        assert_eq!(
            cell(&requirement(None, "helps")),
            "not reachable by budget alone: at most 22.0 % (at 100,000)"
        );
        assert!(cell(&requirement(None, "hurts")).ends_with("; more budget lowers it"));
        assert_eq!(
            cell(&requirement(Some(1000.0), "helps")),
            "met across the range: 80.3 % even at budget = 1,000"
        );
    }
}
