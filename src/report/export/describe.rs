//! Words for reports: display names, axis titles and the metric part of a target, shared by
//! charts, Markdown and terminal tables so they all say the same thing.

use crate::model::names::canonical;
use crate::montecarlo::result::{StudyResult, TrackedBands};
use crate::montecarlo::summary::{Summary, TargetSummary, TimeToTarget};
use crate::report::format;
use crate::targets::{Expr, Func, Spec, Target};

/// The target's label if it has one, else its name.
pub(crate) fn target_name(t: &TargetSummary) -> &str {
    t.label.as_deref().unwrap_or(&t.name)
}

/// The variable's label if it has one, else its name.
pub(crate) fn variable_name(b: &TrackedBands) -> &str {
    b.label.as_deref().unwrap_or(&b.name)
}

/// A variable as chart titles name it: its label with the element it is about, e.g.
/// `"粉丝 [short_video]"` for `followers[short_video]` labelled 粉丝, so that per-element
/// charts can be told apart; the bare name when there is no label.
pub(crate) fn variable_title(b: &TrackedBands) -> String {
    match (&b.label, b.name.find('[')) {
        (Some(label), Some(i)) if !label.contains('[') => format!("{label} {}", &b.name[i..]),
        (Some(label), _) => label.clone(),
        (None, _) => b.name.clone(),
    }
}

/// `"Followers (people)"`, or just the name without a unit.
pub(crate) fn variable_axis(b: &TrackedBands) -> String {
    with_unit(variable_name(b), b.unit.as_deref())
}

/// `"text (unit)"`, or `text` when the unit is missing or blank.
pub(crate) fn with_unit(text: &str, unit: Option<&str>) -> String {
    match unit.map(str::trim) {
        Some(u) if !u.is_empty() => format!("{text} ({u})"),
        _ => text.to_string(),
    }
}

/// The horizontal axis of charts over time: `"Time (days)"`.
pub(crate) fn time_axis(summary: &Summary) -> String {
    with_unit("Time", Some(&summary.time_unit))
}

/// How an input is shown on charts: its model label (with the element of an arrayed
/// constant, `触达率[ads]`), else its name.
pub(crate) fn input_display(summary: &Summary, name: &str) -> String {
    let label = summary
        .inputs
        .iter()
        .find(|i| i.name == name)
        .and_then(|i| i.label.as_deref())
        .filter(|l| !l.trim().is_empty());
    match (label, name.find('[')) {
        (Some(l), Some(k)) => format!("{l}{}", &name[k..]),
        (Some(l), None) => l.to_string(),
        (None, _) => name.to_string(),
    }
}

/// How an input is named in Markdown: `label (`name`)` when it has a label, else `` `name` ``.
pub(crate) fn input_markdown(summary: &Summary, name: &str) -> String {
    let shown = input_display(summary, name);
    if shown == name {
        super::table::code(name)
    } else {
        format!("{shown} ({})", super::table::code(name))
    }
}

/// Runs that entered the statistics: attempted minus failed.
pub(crate) fn counted_runs(summary: &Summary) -> u64 {
    summary.runs.saturating_sub(summary.failed_runs.count)
}

/// The parsed target behind a summary entry, matched by name.
pub(crate) fn parsed<'a>(result: &'a StudyResult, t: &TargetSummary) -> Option<&'a Target> {
    let key = canonical(&t.name);
    result.targets.iter().find(|p| canonical(&p.name) == key)
}

/// The part of a target's text before its final comparison: `"followers at 365"` for
/// `followers at 365 >= 1.2e6`. Comparisons inside parentheses or quotes (as in
/// `first(x >= 5) <= 90`) are skipped; text without a final comparison is returned whole.
pub(crate) fn metric_text(text: &str) -> &str {
    let mut depth = 0i32;
    let mut quoted = false;
    let mut last = None;
    for (i, ch) in text.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            '>' | '<' | '≥' | '≤' if !quoted && depth == 0 => last = Some(i),
            _ => {}
        }
    }
    match last {
        Some(i) if !text[..i].trim().is_empty() => text[..i].trim(),
        _ => text.trim(),
    }
}

/// Whether the target writes its threshold as a percentage (`... >= 20%`), so its metric is
/// best shown in percent too.
pub(crate) fn written_as_percent(text: &str) -> bool {
    metric_text(text) != text.trim() && text.trim_end().ends_with('%')
}

/// What a target's metric measures, for axis titles: the metric text with the variable's unit
/// when the metric is a level of one variable, the time unit for a first passage.
pub(crate) fn metric_axis(result: &StudyResult, t: &TargetSummary) -> String {
    let (words, unit) = metric_words(result, t);
    with_unit(&words, unit.as_deref())
}

/// What a target's metric measures and its unit, apart: `metric_axis` joins them; a chart in
/// percent puts "%" in place of the unit.
pub(crate) fn metric_words(result: &StudyResult, t: &TargetSummary) -> (String, Option<String>) {
    let metric = metric_text(&t.text);
    let Some(target) = parsed(result, t) else {
        return (metric.to_string(), None);
    };
    let unit = |e: &Expr| level_unit(result, e).map(str::to_string);
    match target.spec() {
        Spec::Compare { metric: m, .. } => (metric.to_string(), unit(m)),
        Spec::Every { template, .. } => (format!("worst period of {metric}"), unit(template)),
        Spec::First { .. } => {
            let condition = strip_call(metric, "first").unwrap_or(metric);
            (
                format!("first time {condition}"),
                Some(result.summary.time_unit.clone()),
            )
        }
        Spec::All { .. } => (format!("members met of {metric}"), None),
    }
}

/// The argument text of `name(...)` when `text` is exactly one such call (name in any case).
fn strip_call<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let open = text.find('(')?;
    let inner = text[open + 1..].strip_suffix(')')?;
    text[..open]
        .trim()
        .eq_ignore_ascii_case(name)
        .then(|| inner.trim())
}

/// The unit of the variable when `e` is a level of it (value, mean, min or max of one variable).
fn level_unit<'a>(result: &'a StudyResult, e: &Expr) -> Option<&'a str> {
    let var = level_variable(e)?;
    let key = canonical(var);
    result
        .bands
        .iter()
        .find(|b| canonical(&b.name) == key)
        .and_then(|b| b.unit.as_deref())
}

/// The variable whose level `e` is, if it is one: `x at t`, `mean(x, a, b)`, `min`, `max`, or a
/// bare variable inside `first(...)`.
pub(crate) fn level_variable(e: &Expr) -> Option<&str> {
    match e {
        Expr::Var(v) => Some(&v.name),
        Expr::Call(c) if matches!(c.func, Func::Value | Func::Mean | Func::Min | Func::Max) => {
            Some(&c.var.name)
        }
        _ => None,
    }
}

/// A number for tables; NaN (no run had a value) reads `—`.
pub(crate) fn num(v: f64) -> String {
    if v.is_nan() {
        "—".to_string()
    } else {
        format::number(v)
    }
}

/// `"day 212 (never: 12.0 %)"`, `"never"`, or `"—"` when the target has no time to target.
pub(crate) fn time_to_target(t: &TimeToTarget, time_unit: &str) -> String {
    match &t.quantiles {
        Some(q) => {
            let median = with_unit_suffix(q.p50, time_unit);
            if t.never_share > 0.0 {
                format!("{median} (never: {})", format::percent(t.never_share))
            } else {
                median
            }
        }
        None if t.never_share >= 1.0 => "never".to_string(),
        None => "—".to_string(),
    }
}

/// A time with the model's time unit: `"day 212"` for a singular unit as models usually name
/// it (a correct plural cannot be guessed for every unit), `"212 days"` for a plural one, and
/// the bare number without a unit.
pub(crate) fn with_unit_suffix(v: f64, unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        format::number(v)
    } else if unit.ends_with('s') {
        format!("{} {unit}", format::number(v))
    } else {
        format!("{unit} {}", format::number(v))
    }
}

/// `"1,276,648 [830,731 – 1,713,749]"`: median with the 5–95 % range; `—` when no run had a
/// value.
pub(crate) fn median_range(q: &crate::montecarlo::summary::Quantiles) -> String {
    if [q.p5, q.p50, q.p95].iter().all(|v| v.is_nan()) {
        return "—".to_string();
    }
    format!("{} [{} – {}]", num(q.p50), num(q.p5), num(q.p95))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::export::sample::sample_result;

    #[test]
    fn metric_text_stops_at_the_final_comparison() {
        assert_eq!(metric_text("followers at 365 >= 1.2e6"), "followers at 365");
        assert_eq!(
            metric_text("first(followers >= 1e6) <= 90"),
            "first(followers >= 1e6)"
        );
        assert_eq!(metric_text("mean(x, 1, 2) > 5"), "mean(x, 1, 2)");
        assert_eq!(metric_text("\"a>b\" at 3 ≥ 2"), "\"a>b\" at 3");
        assert_eq!(metric_text("all(a, b)"), "all(a, b)");
        assert_eq!(metric_text(">= 3"), ">= 3");
    }

    #[test]
    fn first_passage_condition_is_unwrapped() {
        assert_eq!(strip_call("first(x >= 5)", "first"), Some("x >= 5"));
        assert_eq!(strip_call("FIRST( x >= 5 )", "first"), Some("x >= 5"));
        assert_eq!(strip_call("mean(x, 1, 2)", "first"), None);
        assert_eq!(num(f64::NAN), "—");
        assert_eq!(num(f64::INFINITY), "inf");
    }

    #[test]
    fn units_are_optional() {
        assert_eq!(with_unit("Followers", Some("people")), "Followers (people)");
        assert_eq!(with_unit("Followers", Some(" ")), "Followers");
        assert_eq!(with_unit("Followers", None), "Followers");
        assert_eq!(with_unit_suffix(212.0, "days"), "212 days");
        assert_eq!(with_unit_suffix(8.75, "week"), "week 8.75");
        assert_eq!(with_unit_suffix(212.0, ""), "212");
    }

    #[test]
    fn inputs_are_shown_by_their_model_label_with_the_element() {
        let mut s = sample_result().summary;
        let name = s.inputs[0].name.clone();
        assert_eq!(input_display(&s, &name), name);
        assert_eq!(input_markdown(&s, &name), format!("`{name}`"));
        s.inputs[0].label = Some("市场规模".into());
        assert_eq!(input_display(&s, &name), "市场规模");
        assert_eq!(input_markdown(&s, &name), format!("市场规模 (`{name}`)"));
        s.inputs[0].name = "reach[ads]".into();
        assert_eq!(input_display(&s, "reach[ads]"), "市场规模[ads]");
        assert_eq!(input_display(&s, "unknown"), "unknown");
    }
}
