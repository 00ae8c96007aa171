//! What `solve` and `sweep` share: lever arguments parsed with every problem reported at
//! once, the progress bar over evaluations, and the table of probabilities.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sandtable::decision::Lever;
use sandtable::diagnostic::Diagnostics;
use std::io::IsTerminal;

/// Parses every `--lever`, collecting all problems.
pub fn parse_levers(texts: &[String]) -> Result<Vec<Lever>, Diagnostics> {
    let mut levers = Vec::new();
    let mut errors = Vec::new();
    for t in texts {
        match Lever::parse(t) {
            Ok(l) => levers.push(l),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(levers)
    } else {
        Err(Diagnostics(errors))
    }
}

/// A progress bar over the runs of the current evaluation, labelled with its number.
pub fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix} {bar:40} {pos}/{len} runs  {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Parses a probability goal: `0.8` or `80%`, strictly between 0 and 1.
pub fn parse_probability(text: &str) -> Result<f64, String> {
    sandtable::study::overrides::parse_value(text)
        .filter(|p| *p > 0.0 && *p < 1.0)
        .ok_or_else(|| {
            format!("`{text}` is not a probability strictly between 0 and 1; e.g. 0.8 or 80%")
        })
}

/// `1,234` style numbers, as the library's sentences write them.
pub fn number(v: f64) -> String {
    sandtable::decision::solve::number(v)
}
