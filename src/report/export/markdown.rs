//! `report.md`: the study as a document for people, embedding every chart and table; its tables
//! are padded so the file reads as plain text too. It opens with a one-screen summary (verdicts,
//! what it would take, the most decisive inputs and levers, failed runs) and gives the details
//! after.

use std::fmt::Write;

use super::charts::{higher_helps, is_composite};
use super::charts::{ChartEntry, ChartKind};
use super::describe::{
    self, counted_runs, median_range, num, target_name, time_to_target, with_unit_suffix,
};
use super::reliability::FailedRunCheck;
use super::table::{code, markdown, Align};
use super::{csv, json, Exporter, ReportError};
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::summary::{Influence, Summary, TargetSummary};
use crate::report::charts::scorecard::borderline;
use crate::report::charts::tornado::two_figures;
use crate::report::format;

/// The report's file name.
pub(crate) const FILE: &str = "report.md";

/// Most inputs listed in each influence table; the tornado chart shows them all.
const TOP_INPUTS: usize = 10;

/// Writes `report.md`, linking the charts planned for the study.
pub(crate) struct ReportMd {
    pub charts: Vec<ChartEntry>,
    /// Share of failed runs above which the verdicts are called unreliable.
    pub max_failed: f64,
}

impl Exporter for ReportMd {
    fn file_name(&self) -> String {
        FILE.to_string()
    }

    fn render(&self, result: &StudyResult) -> Result<Vec<u8>, ReportError> {
        // Writing into a String cannot fail.
        let mut md = String::new();
        self.write(&mut md, result)
            .map_err(|_| ReportError::Inconsistent("formatting the report failed".into()))?;
        Ok(md.into_bytes())
    }
}

/// `![caption](file)` with a blank line after.
fn image(md: &mut String, c: &ChartEntry) -> std::fmt::Result {
    writeln!(md, "![{}]({})\n", escape_alt(&c.caption), c.file)
}

/// Alt text cannot hold unbalanced brackets.
fn escape_alt(text: &str) -> String {
    text.replace('[', "(").replace(']', ")")
}

impl ReportMd {
    fn chart(&self, kind: ChartKind) -> Option<&ChartEntry> {
        self.charts.iter().find(|c| c.kind == kind)
    }

    fn write(&self, md: &mut String, result: &StudyResult) -> std::fmt::Result {
        let s = &result.summary;
        writeln!(md, "# {} — {}\n", s.model, s.scenario)?;
        if let Some(doc) = s.scenario_doc.as_deref().filter(|d| !d.trim().is_empty()) {
            writeln!(md, "{}\n", doc.trim())?;
        }
        conditioned(md, s)?;
        self.executive(md, result)?;
        settings(md, s)?;
        self.overview(md, s)?;
        for (i, t) in s.targets.iter().enumerate() {
            self.target_details(md, result, i, t)?;
        }
        super::loop_dominance::section(md, result)?;
        self.variables(md, result)?;
        inputs(md, s)?;
        failures(md, s)?;
        reading(md, s)?;
        files(md)
    }

    /// The one-screen summary: failed runs, verdicts, most decisive inputs.
    fn executive(&self, md: &mut String, result: &StudyResult) -> std::fmt::Result {
        let s = &result.summary;
        writeln!(md, "## Summary\n")?;
        let check = FailedRunCheck::new(s, self.max_failed);
        writeln!(
            md,
            "{} runs of scenario *{}*.{}\n",
            format::number(s.runs as f64),
            s.scenario,
            check
                .sentence()
                .map(|w| format!(" {w}"))
                .unwrap_or_default()
        )?;
        super::sobol::design_sentence(md, s)?;
        if s.targets.is_empty() {
            return writeln!(md, "The model declares no targets.\n");
        }
        let ordered = s
            .targets
            .iter()
            .filter(|t| !is_composite(result, t))
            .chain(s.targets.iter().filter(|t| is_composite(result, t)));
        let takes = super::takes::header(s);
        let rows: Vec<Vec<String>> = ordered
            .map(|t| {
                let mut verdict = t.verdict.label().to_string();
                if borderline(
                    t.ci95[0],
                    t.ci95[1],
                    s.thresholds.likely,
                    s.thresholds.unlikely,
                ) {
                    verdict.push_str(" (borderline)");
                }
                if check.unreliable() {
                    verdict.push_str(" (unreliable)");
                } else if s.failed_runs.count > 0 {
                    verdict.push_str(&format!(
                        " ({} failed runs counted as misses)",
                        format::number(s.failed_runs.count as f64)
                    ));
                }
                let mut row = vec![
                    target_name(t).to_string(),
                    if is_composite(result, t) {
                        "composite".into()
                    } else {
                        "target".into()
                    },
                    format!("{} [{}]", format::percent(t.probability), ci(t.ci95)),
                    verdict,
                ];
                if takes.is_some() {
                    row.push(super::takes::column(t));
                }
                row
            })
            .collect();
        use Align::{Left, Right};
        let mut header = vec!["Target", "Kind", "P [95 % CI]", "Verdict"];
        let mut align = vec![Left, Left, Right, Left];
        if let Some(h) = &takes {
            header.push(h);
            align.push(Left);
        }
        writeln!(md, "{}", markdown(&header, &align, &rows))?;
        if let Some(note) = super::takes::note(s) {
            writeln!(md, "{note}\n")?;
        }
        let decisive = decisive_inputs(result, 3);
        if !decisive.is_empty() {
            writeln!(md, "Most decisive inputs:\n")?;
            for d in decisive {
                writeln!(md, "- {d}")?;
            }
            writeln!(md)?;
        }
        let levers = decisive_levers(result, 3);
        if !levers.is_empty() {
            writeln!(md, "Most decisive levers:\n")?;
            for l in levers {
                writeln!(md, "- {l}")?;
            }
            writeln!(md)?;
        }
        writeln!(
            md,
            "A target is likely at P ≥ {}, unlikely below {}; *borderline* means the 95 % \
             interval straddles one of these, so more runs could change the verdict. Details \
             follow.\n",
            format::percent(s.thresholds.likely),
            format::percent(s.thresholds.unlikely)
        )
    }

    fn overview(&self, md: &mut String, s: &Summary) -> std::fmt::Result {
        writeln!(md, "## Targets\n")?;
        if s.targets.is_empty() {
            return writeln!(md, "The model declares no targets.\n");
        }
        if let Some(c) = self.chart(ChartKind::Scorecard) {
            image(md, c)?;
        }
        let rows: Vec<Vec<String>> = s
            .targets
            .iter()
            .map(|t| {
                vec![
                    code(&t.name),
                    t.label.clone().unwrap_or_default(),
                    format::percent(t.probability),
                    ci(t.ci95),
                    t.verdict.label().to_string(),
                    median_range(&t.metric),
                    time_to_target(&t.time_to_target, &s.time_unit),
                ]
            })
            .collect();
        let header = [
            "Target",
            "Label",
            "P",
            "95 % CI",
            "Verdict",
            "Metric: median [5 % – 95 %]",
            "Time to target: median",
        ];
        use Align::{Left, Right};
        let align = [Left, Left, Right, Right, Left, Right, Right];
        writeln!(md, "{}", markdown(&header, &align, &rows))?;
        let j = &s.joint_probability;
        if j.runs > 0 && s.targets.len() > 1 {
            writeln!(
                md,
                "**All targets met in the same run:** {} (95 % CI {}; {} of {} runs).\n",
                format::percent(j.probability),
                ci(j.ci95),
                format::number(j.successes as f64),
                format::number(j.runs as f64)
            )?;
        }
        Ok(())
    }

    fn target_details(
        &self,
        md: &mut String,
        result: &StudyResult,
        i: usize,
        t: &TargetSummary,
    ) -> std::fmt::Result {
        let s = &result.summary;
        writeln!(md, "### {}\n", target_name(t))?;
        writeln!(md, "{}\n", code(&t.text))?;
        if let Some(doc) = describe::parsed(result, t).and_then(|p| p.doc.as_deref()) {
            writeln!(md, "{}\n", doc.trim())?;
        }
        writeln!(
            md,
            "- Probability: **{}** — {} ({} of {} runs)",
            format::percent_with_ci(t.probability, t.ci95[0], t.ci95[1]),
            t.verdict.label(),
            format::number(t.successes as f64),
            format::number(t.runs as f64)
        )?;
        let q = &t.metric;
        let metric = format!("Metric, {}", describe::metric_axis(result, t));
        if q.p50.is_nan() {
            writeln!(md, "- {metric}: no run has a value")?;
        } else {
            writeln!(
                md,
                "- {metric}: median {}, middle half {} – {}, 90 % of runs {} – {}",
                num(q.p50),
                num(q.p25),
                num(q.p75),
                num(q.p5),
                num(q.p95)
            )?;
        }
        if let Some(q) = &t.time_to_target.quantiles {
            writeln!(
                md,
                "- Time to target: median {}; 90 % of the runs that get there do so between {} and {}",
                with_unit_suffix(q.p50, &s.time_unit),
                with_unit_suffix(q.p5, &s.time_unit),
                with_unit_suffix(q.p95, &s.time_unit)
            )?;
        }
        if t.time_to_target.quantiles.is_some() || t.time_to_target.never_share > 0.0 {
            writeln!(
                md,
                "- Never reached during the run: {}",
                format::percent(t.time_to_target.never_share)
            )?;
        }
        if !t.period_probabilities.is_empty() {
            let periods: Vec<String> = t
                .period_probabilities
                .iter()
                .map(|&p| format::percent(p))
                .collect();
            writeln!(
                md,
                "- Probability per period, in order: {}",
                periods.join(", ")
            )?;
        }
        writeln!(md)?;
        if let Some(c) = self.chart(ChartKind::Histogram(i)) {
            image(md, c)?;
        }
        if let Some(c) = self.chart(ChartKind::Tornado(i)) {
            image(md, c)?;
        }
        influence(md, &result.summary, &t.influence)?;
        levers(md, t)?;
        if let Some(c) = self.chart(ChartKind::Levers(i)) {
            image(md, c)?;
        }
        if let Some(c) = self.chart(ChartKind::Sobol(i)) {
            image(md, c)?;
        }
        super::sobol::target_table(md, s, t)?;
        Ok(())
    }

    fn variables(&self, md: &mut String, result: &StudyResult) -> std::fmt::Result {
        if result.bands.is_empty() {
            return Ok(());
        }
        writeln!(md, "## Tracked variables\n")?;
        let columns: Vec<String> = result
            .summary
            .percentiles
            .iter()
            .map(|&p| csv::percentile_column(p))
            .collect();
        writeln!(
            md,
            "Percentiles ({}) of every tracked variable at every saved time are in [{p}]({p}).\n",
            columns.join(", "),
            p = csv::PERCENTILES
        )?;
        for (i, b) in result.bands.iter().enumerate() {
            match self.chart(ChartKind::Fan(i)) {
                Some(c) => image(md, c)?,
                None => writeln!(
                    md,
                    "{} has no finite values to chart.\n",
                    describe::variable_name(b)
                )?,
            }
        }
        Ok(())
    }
}

/// The `n` inputs that matter across the most targets: ranked by the sum over single targets
/// of the absolute rank correlation (an input that decides one target alone, such as an input
/// a target merely restates, ranks below one that moves many), each as a sentence naming the
/// target it drives most, by how much, and whether it helps or hurts.
fn decisive_inputs(result: &StudyResult, n: usize) -> Vec<String> {
    let s = &result.summary;
    // (input, Σ|ρ|, strongest ρ, its target).
    let mut best: Vec<(&str, f64, f64, &TargetSummary)> = Vec::new();
    for t in s.targets.iter().filter(|t| !is_composite(result, t)) {
        for f in &t.influence {
            let Some(rho) = f.spearman.filter(|v| v.is_finite()) else {
                continue;
            };
            match best.iter_mut().find(|b| b.0 == f.input) {
                Some(b) => {
                    b.1 += rho.abs();
                    if rho.abs() > b.2.abs() {
                        (b.2, b.3) = (rho, t);
                    }
                }
                None => best.push((&f.input, rho.abs(), rho, t)),
            }
        }
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1));
    best.into_iter()
        .take(n)
        .map(|(input, _, rho, t)| {
            let effect = match higher_helps(t) {
                Some(up) if (rho >= 0.0) == up => "a higher value helps",
                Some(_) => "a higher value hurts",
                None if rho >= 0.0 => "a higher value raises",
                None => "a higher value lowers",
            };
            format!(
                "{} — {effect} {} most (rank correlation {})",
                describe::input_markdown(s, input),
                target_name(t),
                two_figures(rho)
            )
        })
        .collect()
}

/// The `n` declared levers with the widest swing of any single target's probability, widest
/// first, each with that target and its probability at the lever's two ends.
fn decisive_levers(result: &StudyResult, n: usize) -> Vec<String> {
    let s = &result.summary;
    // (lever, widest swing, its target, its swing).
    let mut best: Vec<(
        &str,
        f64,
        &TargetSummary,
        &crate::montecarlo::summary::LeverSwing,
    )> = Vec::new();
    for t in s.targets.iter().filter(|t| !is_composite(result, t)) {
        for l in &t.levers {
            let swing = (l.at_max.probability - l.at_min.probability).abs();
            match best.iter_mut().find(|b| b.0 == l.lever) {
                Some(b) if swing > b.1 => *b = (&l.lever, swing, t, l),
                Some(_) => {}
                None => best.push((&l.lever, swing, t, l)),
            }
        }
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1));
    best.into_iter()
        .take(n)
        .map(|(name, _, t, l)| {
            format!(
                "{} — from {} to {} moves {} from {} to {}",
                code(name),
                format::number(l.min),
                format::number(l.max),
                target_name(t),
                format::percent(l.at_min.probability),
                format::percent(l.at_max.probability)
            )
        })
        .collect()
}

/// `82.7 – 84.1 %`: an interval in percent with one decimal.
fn ci(ci95: [f64; 2]) -> String {
    format!(
        "{} – {} %",
        format::fixed(ci95[0] * 100.0, 1),
        format::fixed(ci95[1] * 100.0, 1)
    )
}

/// The sentence that says a study re-forecasts from a posterior, and from which data.
fn conditioned(md: &mut String, s: &Summary) -> std::fmt::Result {
    let p = &s.provenance;
    let Some(post) = &p.posterior else {
        return Ok(());
    };
    match p.data_until {
        Some(t) => writeln!(
            md,
            "**Conditioned on data up to time {} ({})**: the calibrated inputs are drawn jointly from the posterior sample `{}`, the others from their priors.\n",
            format::number(t),
            s.time_unit,
            post.path
        ),
        None => writeln!(
            md,
            "**Conditioned on data** (horizon unknown: no calibration.json beside it): the calibrated inputs are drawn jointly from the posterior sample `{}`, the others from their priors.\n",
            post.path
        ),
    }
}

fn settings(md: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(md, "## Settings\n")?;
    let n = |v: u64| format::number(v as f64);
    let mut rows = vec![
        vec!["Model".into(), s.model.clone()],
        vec!["Scenario".into(), s.scenario.clone()],
        vec![
            "Runs".into(),
            if s.failed_runs.count == 0 {
                format!("{} (none failed)", n(s.runs))
            } else {
                format!(
                    "{} ({} completed, {} failed and counted as misses)",
                    n(s.runs),
                    n(counted_runs(s)),
                    n(s.failed_runs.count)
                )
            },
        ],
    ];
    if s.first_run > 0 {
        rows.push(vec!["First run".into(), n(s.first_run)]);
    }
    rows.extend([
        // The seed is an identifier to copy, not a quantity: no separators.
        vec!["Seed".into(), s.seed.to_string()],
        vec!["Sampler".into(), s.sampler.clone()],
        vec!["Integration method".into(), s.method.clone()],
        vec!["Time unit".into(), s.time_unit.clone()],
        vec![
            "Verdicts".into(),
            format!(
                "likely at P ≥ {}, unlikely below {}",
                format::percent(s.thresholds.likely),
                format::percent(s.thresholds.unlikely)
            ),
        ],
    ]);
    let p = &s.provenance;
    if !p.model.path.is_empty() {
        let short = |sha: &str| sha.chars().take(12).collect::<String>();
        rows.push(vec![
            "Model file".into(),
            format!("`{}` (SHA-256 {}…)", p.model.path, short(&p.model.sha256)),
        ]);
        for f in &p.study_files {
            rows.push(vec![
                "Study file".into(),
                format!("`{}` (SHA-256 {}…)", f.path, short(&f.sha256)),
            ]);
        }
        let overrides = if p.overrides.is_empty() {
            "none".to_string()
        } else {
            p.overrides
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        rows.push(vec!["Overrides (--set)".into(), overrides]);
        if let Some(post) = &p.posterior {
            rows.push(vec![
                "Posterior (--posterior)".into(),
                format!("`{}` (SHA-256 {}…)", post.path, short(&post.sha256)),
            ]);
        }
        rows.push(vec!["sandtable".into(), p.sandtable_version.clone()]);
    }
    writeln!(
        md,
        "{}",
        markdown(&["Setting", "Value"], &[Align::Left, Align::Left], &rows)
    )
}

/// The table of the declared levers' swings (nothing for a model without levers).
fn levers(md: &mut String, t: &TargetSummary) -> std::fmt::Result {
    if t.levers.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<String>> = t
        .levers
        .iter()
        .map(|l| {
            vec![
                l.lever.clone(),
                format!("{} … {}", format::number(l.min), format::number(l.max)),
                format!(
                    "{} [{}]",
                    format::percent(l.at_min.probability),
                    ci(l.at_min.ci95)
                ),
                format!(
                    "{} [{}]",
                    format::percent(l.at_max.probability),
                    ci(l.at_max.ci95)
                ),
                format!(
                    "{:+.1} points",
                    100.0 * (l.at_max.probability - l.at_min.probability)
                ),
            ]
        })
        .collect();
    use Align::{Left, Right};
    writeln!(
        md,
        "Levers (same runs, one lever at a time at the ends of its range):\n\n{}",
        markdown(
            &[
                "Lever",
                "Range",
                "P at min [95 % CI]",
                "P at max [95 % CI]",
                "Swing"
            ],
            &[Left, Left, Right, Right, Right],
            &rows
        )
    )
}

fn influence(md: &mut String, s: &Summary, list: &[Influence]) -> std::fmt::Result {
    let mut ranked: Vec<&Influence> = list.iter().collect();
    // Strongest first; inputs without a correlation (never varied) go last.
    ranked.sort_by(|a, b| {
        let key = |f: &Influence| f.spearman.filter(|v| v.is_finite()).map(f64::abs);
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if ranked.is_empty() {
        return Ok(());
    }
    let corr = |v: Option<f64>| match v {
        Some(x) if x.is_finite() => format!("{x:+.2}"),
        _ => "—".into(),
    };
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .take(TOP_INPUTS)
        .map(|f| {
            let quintiles: Vec<String> = f
                .hit_rate_by_quintile
                .iter()
                .map(|&p| format::fixed(p * 100.0, 0))
                .collect();
            vec![
                describe::input_markdown(s, &f.input),
                corr(f.spearman),
                corr(f.prcc),
                if quintiles.is_empty() {
                    "—".into()
                } else {
                    format!("{} %", quintiles.join(" → "))
                },
            ]
        })
        .collect();
    let header = [
        "Input",
        "Spearman",
        "PRCC",
        "Hit rate by input quintile, lowest → highest",
    ];
    use Align::{Left, Right};
    writeln!(
        md,
        "{}",
        markdown(&header, &[Left, Right, Right, Left], &rows)
    )?;
    if ranked.len() > TOP_INPUTS {
        writeln!(
            md,
            "{} more inputs with weaker influence are in {}.\n",
            ranked.len() - TOP_INPUTS,
            json::FILE
        )?;
    }
    Ok(())
}

fn inputs(md: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(md, "## Uncertain inputs\n")?;
    if s.inputs.is_empty() {
        return writeln!(
            md,
            "The study has no uncertain inputs: every run differs only by its random noise, if any.\n"
        );
    }
    let rows: Vec<Vec<String>> = s
        .inputs
        .iter()
        .map(|i| {
            vec![
                code(&i.name),
                code(&i.distribution),
                num(i.mean),
                num(i.p5),
                num(i.p50),
                num(i.p95),
            ]
        })
        .collect();
    use Align::{Left, Right};
    writeln!(
        md,
        "{}",
        markdown(
            &["Input", "Distribution", "Mean", "5 %", "Median", "95 %"],
            &[Left, Left, Right, Right, Right, Right],
            &rows
        )
    )
}

fn failures(md: &mut String, s: &Summary) -> std::fmt::Result {
    let f = &s.failed_runs;
    if f.count == 0 {
        return Ok(());
    }
    writeln!(md, "## Failed runs\n")?;
    writeln!(
        md,
        "{} of {} runs stopped on a numeric fault. They count as misses of every target (in \
         the probabilities, their intervals and the share never reaching a target) and are left \
         out of the metric quantiles, the bands and the input influence. \
         Many failures usually mean an input range lets the model reach values it cannot handle \
         (a division by zero, an overflowing growth).\n",
        format::number(f.count as f64),
        format::number(s.runs as f64)
    )?;
    let rows: Vec<Vec<String>> = f
        .examples
        .iter()
        .map(|e| {
            vec![
                e.run.to_string(),
                e.message.clone(),
                e.at.as_deref()
                    .map_or("—".to_string(), |at| format!("`{at}`")),
                e.hint.clone().unwrap_or_default(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        writeln!(
            md,
            "{}",
            markdown(
                &["Run", "What went wrong", "Equation", "Where to look"],
                &[Align::Right, Align::Left, Align::Left, Align::Left],
                &rows
            )
        )?;
    }
    Ok(())
}

fn reading(md: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(md, "## How to read this report\n")?;
    writeln!(
        md,
        "Each run draws every uncertain input from its distribution and simulates the model once. \
         **P** is the share of the {} runs that meet a target (a run that fails counts as a miss), and the 95 % confidence \
         interval (CI) says how precise that share is with this many runs; more runs narrow it. \
         A target is *likely* at P ≥ {}, *unlikely* below {} and *uncertain* in between; when \
         the interval straddles one of these thresholds, the verdict could change with more \
         runs. The metric columns show what the runs actually reached, so a near miss can be \
         told from a distant one. Influence tables rank the inputs by Spearman rank correlation \
         with the target's metric (−1 to +1; a positive sign means a higher input raises the \
         metric, which helps a target written with `>=` or `>` and hurts one written with `<=` \
         or `<`, such as a deadline); PRCC is the same after allowing for the other inputs, and the hit rate by \
         quintile shows how the chance of success changes from the lowest fifth of an input's \
         values to the highest. The probabilities are only as good as the model and the input \
         ranges behind them.\n",
        format::number(s.runs as f64),
        format::percent(s.thresholds.likely),
        format::percent(s.thresholds.unlikely)
    )
}

fn files(md: &mut String) -> std::fmt::Result {
    writeln!(md, "## Data files\n")?;
    writeln!(
        md,
        "- [{h}]({h}): this report as one web page with every chart inside, for e-mail and browsers",
        h = super::html::FILE
    )?;
    writeln!(
        md,
        "- [{j}]({j}): every number in this report, for programs",
        j = json::FILE
    )?;
    writeln!(
        md,
        "- [{p}]({p}): percentiles of the tracked variables over time",
        p = csv::PERCENTILES
    )?;
    writeln!(
        md,
        "- [{r}]({r}): one row per counted run: input values, each target's metric and whether \
         it was met (1) or not (0)",
        r = csv::RUNS
    )
}
