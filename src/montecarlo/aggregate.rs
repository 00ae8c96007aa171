//! Folding runs into statistics, in run order: percentile bands, target outcomes, inputs;
//! then the summary (probabilities with Wilson intervals, quantiles, time to target,
//! input influence).

use super::per_run::{column_ranges, PerRun, Stored, TargetColumns};
use super::ranked::StreamedPrcc;
use super::result::{StudyResult, TrackedBands};
use super::runner::{Plan, RunView};
use super::summary::*;
use crate::diagnostic::Diagnostic;
use crate::simulate::NumericFault;
use crate::stats::prcc_stream::CHUNK_ROWS;
use crate::stats::{self, PercentileBands};
use crate::targets::{Cmp, Outcome, Target};

/// Failed runs listed by message in the summary.
const FAILED_EXAMPLES: usize = 10;

/// Accumulates per-run results.
pub(super) struct Aggregator {
    rows: usize,
    bands: PercentileBands,
    samples: Vec<Vec<f64>>,
    /// Each counted run's inputs and outcomes, in memory or on disk.
    per_run: PerRun,
    period_hits: Vec<Vec<u64>>,
    joint: u64,
    counted: u64,
    failed_count: u64,
    /// The first failed runs, with their faults.
    faults: Vec<(u64, NumericFault)>,
    samples_wanted: usize,
    comparisons: Vec<Option<(Cmp, f64)>>,
}

impl Aggregator {
    pub(super) fn new(plan: &Plan) -> Result<Aggregator, Diagnostic> {
        let rows = plan.prog.saved_rows();
        let probs: Vec<f64> = plan
            .settings
            .percentiles()
            .iter()
            .map(|p| p / 100.0)
            .collect();
        let n = plan.targets.len();
        let mut bands = PercentileBands::new(plan.tracked * rows, &probs)?;
        bands.reserve_runs(plan.settings.runs());
        Ok(Aggregator {
            rows,
            bands,
            samples: Vec::new(),
            per_run: PerRun::new(plan.params.len(), n, plan.records.clone()),
            period_hits: vec![Vec::new(); n],
            joint: 0,
            counted: 0,
            failed_count: 0,
            faults: Vec::new(),
            samples_wanted: plan.settings.samples(),
            comparisons: plan
                .targets
                .targets()
                .iter()
                .map(|t| t.comparison())
                .collect(),
        })
    }

    pub(super) fn push(
        &mut self,
        run: u64,
        inputs: &[f64],
        result: RunView,
    ) -> Result<(), Diagnostic> {
        let (outcomes, tracked) = match result {
            RunView::Failed(fault) => {
                self.failed_count += 1;
                if self.faults.len() < FAILED_EXAMPLES {
                    self.faults.push((run, fault.clone()));
                }
                return Ok(());
            }
            RunView::Done(o, t) => (o, t),
        };
        self.counted += 1;
        self.bands.push(tracked)?;
        if self.samples.len() < self.sample_limit() {
            self.samples.push(tracked.to_vec());
        }
        let mut all = true;
        for (t, o) in outcomes.iter().enumerate() {
            self.count_periods(t, o);
            all &= o.success;
        }
        if all {
            self.joint += 1;
        }
        self.per_run.push(run, inputs, outcomes)
    }

    fn sample_limit(&self) -> usize {
        self.samples_wanted
    }

    fn count_periods(&mut self, t: usize, o: &Outcome) {
        let counts = &mut self.period_hits[t];
        if counts.len() < o.periods.len() {
            counts.resize(o.periods.len(), 0);
        }
        if let Some((cmp, threshold)) = self.comparisons[t] {
            for (k, v) in o.periods.iter().enumerate() {
                if cmp.holds(*v, threshold) {
                    counts[k] += 1;
                }
            }
        }
    }
}

impl Aggregator {
    pub(super) fn finish(mut self, plan: &Plan) -> Result<StudyResult, Diagnostic> {
        let prog = plan.prog;
        if self.counted == 0 {
            // The first run's fault, located at the equation that produced it.
            return Err(match self.faults.first() {
                Some((run, fault)) => {
                    let mut d = fault.to_diagnostic(prog);
                    d.message = format!("every run failed; run {run}: {}", d.message);
                    d
                }
                None => Diagnostic::plain("every run failed").with_hint(
                    "run `sandtable run MODEL` with the inputs' typical values to find the fault",
                ),
            });
        }
        let failed_runs = FailedRuns {
            count: self.failed_count,
            examples: self
                .faults
                .iter()
                .map(|(run, f)| FailedRun::new(*run, f, &f.to_diagnostic(prog)))
                .collect(),
        };
        let opts = &plan.settings;
        let thresholds = Thresholds {
            likely: opts.likely(),
            unlikely: opts.unlikely(),
        };
        // A failed run is a miss of every target: leaving it out would make a target look
        // likelier the more often the model breaks down.
        let n = self.counted + self.failed_count;
        let failed = self.failed_count;
        let times: Vec<f64> = (0..self.rows)
            .map(|r| prog.specs.start + (r * prog.steps_per_save()) as f64 * prog.specs.dt)
            .collect();
        let cells = self.bands.bands();
        let bands = (0..plan.tracked)
            .map(|v| {
                let col = &prog.columns[plan.saved[v]];
                let values = (0..opts.percentiles().len())
                    .map(|q| {
                        (0..self.rows)
                            .map(|r| cells[v * self.rows + r][q])
                            .collect()
                    })
                    .collect();
                let samples = self
                    .samples
                    .iter()
                    .map(|s| s[v * self.rows..(v + 1) * self.rows].to_vec())
                    .collect();
                TrackedBands {
                    name: col.name.clone(),
                    label: col.label.clone(),
                    unit: col.unit.clone(),
                    values,
                    samples,
                }
            })
            .collect();
        let stored = self.per_run.finish()?;
        let cols = stored.view();
        let k = plan.params.len();
        let per_pass = cols.per_pass();
        let mut input_stats = Vec::with_capacity(k);
        for js in column_ranges(k, per_pass) {
            for values in cols.inputs(js)? {
                let q = stats::quantiles(&values, &[0.05, 0.5, 0.95]);
                input_stats.push((stats::mean(&values).unwrap_or(f64::NAN), q));
            }
        }
        let inputs: Vec<InputSummary> = plan
            .input_names
            .iter()
            .zip(plan.design.distributions())
            .zip(input_stats)
            .zip(&plan.params)
            .map(|(((name, dist), (mean, q)), &param)| {
                let param_name = &prog.params[param].name;
                InputSummary {
                    name: name.clone(),
                    label: prog
                        .columns
                        .iter()
                        .find(|c| c.name == *param_name)
                        .and_then(|c| c.label.clone()),
                    distribution: dist.to_string(),
                    mean,
                    p5: q[0],
                    p50: q[1],
                    p95: q[2],
                }
            })
            .collect();
        let mut targets = Vec::with_capacity(plan.targets.len());
        // Records on disk: the partial rank correlations rank the inputs into a file too.
        let mut streamed = match &stored {
            Stored::File(f) if k > 0 => Some(StreamedPrcc::new(f, &plan.records.dir, CHUNK_ROWS)?),
            _ => None,
        };
        let all = plan.targets.targets();
        for ts in column_ranges(all.len(), cols.targets_per_pass()) {
            let columns = cols.targets(ts.clone())?;
            let mut influence = vec![vec![None; k]; columns.len()];
            // Each column is ranked once, not once per pair: a million runs of 44 inputs and
            // 17 targets were 2,244 sorts of a million values, now 61.
            let metric_ranks: Vec<Vec<f64>> =
                columns.iter().map(|c| stats::ranks(&c.metric)).collect();
            for js in column_ranges(k, per_pass) {
                let values = cols.inputs(js.clone())?;
                for (j, x) in js.clone().zip(&values) {
                    let rx = stats::ranks(x);
                    for ((c, ry), infl) in columns.iter().zip(&metric_ranks).zip(&mut influence) {
                        infl[j] = Some((
                            stats::spearman_ranked(x, &rx, &c.metric, ry).filter(|r| r.is_finite()),
                            stats::hit_rate_by_bins_ranked(x, &rx, &c.hits, 5)
                                .iter()
                                .map(|b| b.rate)
                                .collect::<Vec<f64>>(),
                        ));
                    }
                }
            }
            let prcc_inputs = if k == 0 || streamed.is_some() {
                None
            } else {
                Some(cols.all_inputs()?)
            };
            for ((t, c), infl) in ts.zip(&columns).zip(influence) {
                let prcc = match (&mut streamed, &prcc_inputs) {
                    (Some(s), _) => s.prcc(&c.metric)?,
                    (None, None) => Vec::new(),
                    (None, Some(x)) => stats::prcc(x, &c.metric).unwrap_or_else(|_| vec![None; k]),
                };
                let influence = infl
                    .into_iter()
                    .zip(&plan.input_names)
                    .enumerate()
                    .map(|(j, (pair, name))| {
                        let (spearman, rates) = pair.unwrap_or_default();
                        Influence {
                            input: name.clone(),
                            spearman,
                            prcc: prcc.get(j).copied().flatten().filter(|r| r.is_finite()),
                            hit_rate_by_quintile: rates,
                        }
                    })
                    .collect();
                let counts = Counts {
                    runs: n,
                    failed,
                    periods: &self.period_hits[t],
                };
                targets.push(target_summary(&all[t], c, influence, counts, &thresholds));
            }
        }
        let summary = Summary {
            model: prog.name.clone(),
            scenario: plan.scenario.0.clone(),
            scenario_doc: plan.scenario.1.clone(),
            runs: opts.runs(),
            first_run: opts.first_run(),
            seed: opts.seed(),
            sampler: opts.sampler().name().to_string(),
            method: opts.method.unwrap_or(prog.specs.method).name().to_string(),
            time_unit: prog.specs.time_unit.clone(),
            thresholds,
            failed_runs,
            inputs,
            targets,
            joint_probability: probability(self.joint, n),
            tracked: (0..plan.tracked)
                .map(|v| prog.columns[plan.saved[v]].name.clone())
                .collect(),
            percentiles: opts.percentiles(),
            provenance: plan.provenance.clone(),
            sobol: None,
        };
        let (metrics, hits, input_values, records) = match stored {
            Stored::Memory(c) => (c.metrics, c.hits, c.inputs, None),
            Stored::File(f) => (Vec::new(), Vec::new(), Vec::new(), Some(f)),
        };
        Ok(StudyResult {
            summary,
            targets: plan.targets.targets().to_vec(),
            times,
            bands,
            metrics,
            hits,
            input_values,
            records,
            loops: None,
        })
    }
}

/// What a target's summary counts besides its columns: runs attempted, failed runs, and hits
/// per period of a series.
struct Counts<'a> {
    runs: u64,
    failed: u64,
    periods: &'a [u64],
}

/// One target's summary from its columns and its inputs' influence (in input order).
fn target_summary(
    target: &Target,
    c: &TargetColumns,
    mut influence: Vec<Influence>,
    counts: Counts,
    thresholds: &Thresholds,
) -> TargetSummary {
    let n = counts.runs;
    let successes = c.hits.iter().filter(|h| **h).count() as u64;
    let p = probability(successes, n);
    let reached: Vec<f64> = c.times.iter().filter_map(|x| *x).collect();
    let never_reached = c.times.iter().filter(|x| x.is_none()).count() as u64;
    let never = (never_reached + counts.failed) as f64 / n as f64;
    influence.sort_by(|a, b| {
        let key = |i: &Influence| i.spearman.map(f64::abs).unwrap_or(-1.0);
        key(b).total_cmp(&key(a))
    });
    let comparison = target.comparison();
    TargetSummary {
        name: target.name.clone(),
        label: target.label.clone(),
        text: target.text.trim().to_string(),
        probability: p.probability,
        ci95: p.ci95,
        successes,
        runs: n,
        verdict: thresholds.verdict(p.probability),
        threshold: comparison.map(|c| c.1),
        comparison: comparison.map(|c| c.0.symbol().to_string()),
        metric: quantiles_of(&c.metric),
        time_to_target: TimeToTarget {
            quantiles: if reached.is_empty() {
                None
            } else {
                Some(quantiles_of(&reached))
            },
            never_share: never,
        },
        period_probabilities: counts
            .periods
            .iter()
            .map(|&h| h as f64 / n as f64)
            .collect(),
        influence,
        levers: Vec::new(),
        sobol: Vec::new(),
        sobol_basis: None,
        what_it_takes: None,
    }
}

fn probability(successes: u64, runs: u64) -> Probability {
    let ci = stats::wilson95(successes, runs);
    Probability {
        probability: if runs == 0 {
            f64::NAN
        } else {
            successes as f64 / runs as f64
        },
        ci95: [ci.lo, ci.hi],
        successes,
        runs,
    }
}

fn quantiles_of(values: &[f64]) -> Quantiles {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let q = stats::quantiles(values, &[0.05, 0.25, 0.5, 0.75, 0.95]);
    Quantiles {
        mean: stats::mean(&finite).unwrap_or(f64::NAN),
        p5: q[0],
        p25: q[1],
        p50: q[2],
        p75: q[3],
        p95: q[4],
    }
}
