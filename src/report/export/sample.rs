//! A small study built by hand for the exporter tests: logistic follower growth whose ceiling
//! and speed are the two uncertain inputs, with statistics computed from the runs themselves.

use crate::diagnostic::SourceRef;
use crate::montecarlo::result::{StudyResult, TrackedBands};
use crate::montecarlo::summary::{
    FailedRun, FailedRuns, Influence, InputSummary, Probability, Quantiles, Summary, TargetSummary,
    Thresholds, TimeToTarget,
};
use crate::stats::bins::hit_rate_by_bins;
use crate::stats::prcc::prcc;
use crate::stats::proportion::wilson95;
use crate::stats::quantile::quantiles;
use crate::stats::rank::spearman;
use crate::targets::Target;

/// Runs in the sample study.
pub const RUNS: usize = 200;
/// Saved times: every 5 days from 0 to 365.
pub fn times() -> Vec<f64> {
    (0..=73).map(|k| k as f64 * 5.0).collect()
}

const PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

/// Followers at `t` for ceiling `k` and speed `r`.
fn followers(k: f64, r: f64, t: f64) -> f64 {
    k / (1.0 + (-r * (t - 180.0)).exp())
}

/// First saved time at which `series` reaches `level`, or +∞.
fn first_at(times: &[f64], series: &[f64], level: f64) -> f64 {
    times
        .iter()
        .zip(series)
        .find(|(_, v)| **v >= level)
        .map_or(f64::INFINITY, |(t, _)| *t)
}

fn quantiles_of(values: &[f64]) -> Quantiles {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let q = quantiles(&finite, &[0.05, 0.25, 0.5, 0.75, 0.95]);
    Quantiles {
        mean: finite.iter().sum::<f64>() / finite.len() as f64,
        p5: q[0],
        p25: q[1],
        p50: q[2],
        p75: q[3],
        p95: q[4],
    }
}

/// The sample study of `scenario`; `boost` scales the follower ceiling.
pub fn sample_result_for(scenario: &str, boost: f64) -> StudyResult {
    let times = times();
    // Low-discrepancy inputs: deterministic, yet spread like uniform draws.
    let ceiling: Vec<f64> = (0..RUNS)
        .map(|i| boost * (0.8e6 + 1.0e6 * ((i as f64 * 0.618_034) % 1.0)))
        .collect();
    let speed: Vec<f64> = (0..RUNS)
        .map(|i| 0.01 + 0.04 * ((i as f64 * 0.754_878 + 0.3) % 1.0))
        .collect();
    let paths: Vec<Vec<f64>> = (0..RUNS)
        .map(|i| {
            times
                .iter()
                .map(|&t| followers(ceiling[i], speed[i], t))
                .collect()
        })
        .collect();
    let fans: Vec<Vec<f64>> = paths
        .iter()
        .map(|p| p.iter().map(|v| v * 0.5).collect())
        .collect();

    let specs = [
        (
            "reach_1m",
            "followers at 365 >= 1.2e6",
            Some("1.2M followers"),
        ),
        (
            "快速增长",
            "first(粉丝数 >= 5e5) <= 200",
            Some("粉丝五十万"),
        ),
        (
            "quarterly",
            "every(growth(followers), [0, 91, 182, 273, 365]) >= 20%",
            None,
        ),
        ("never", "first(followers >= 1e9) <= 365", None),
        ("both", "all(reach_1m, quarterly)", Some("Reach and growth")),
    ];
    let targets: Vec<Target> = specs
        .iter()
        .map(|(name, text, label)| {
            let t = Target::parse(name, text, SourceRef::none()).expect("sample target parses");
            match label {
                Some(l) => t.with_label(*l),
                None => t,
            }
        })
        .collect();

    let at = |p: &[f64], t: f64| {
        let k = times
            .iter()
            .position(|&x| x >= t)
            .unwrap_or(times.len() - 1);
        // Linear interpolation between saved points, as the targets do.
        if k == 0 || times[k] == t {
            p[k]
        } else {
            let (t0, t1) = (times[k - 1], times[k]);
            p[k - 1] + (p[k] - p[k - 1]) * (t - t0) / (t1 - t0)
        }
    };
    let reach: Vec<f64> = paths.iter().map(|p| at(p, 365.0)).collect();
    let fast: Vec<f64> = fans.iter().map(|p| first_at(&times, p, 5e5)).collect();
    let quarterly: Vec<f64> = paths
        .iter()
        .map(|p| {
            let cps = [0.0, 91.0, 182.0, 273.0, 365.0];
            cps.windows(2)
                .map(|w| at(p, w[1]) / at(p, w[0]) - 1.0)
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let never: Vec<f64> = paths.iter().map(|p| first_at(&times, p, 1e9)).collect();
    let hits_reach: Vec<bool> = reach.iter().map(|&v| v >= 1.2e6).collect();
    let hits_fast: Vec<bool> = fast.iter().map(|&v| v <= 200.0).collect();
    let hits_q: Vec<bool> = quarterly.iter().map(|&v| v >= 0.2).collect();
    let hits_never: Vec<bool> = never.iter().map(|&v| v <= 365.0).collect();
    let both: Vec<f64> = (0..RUNS)
        .map(|i| hits_reach[i] as u8 as f64 + hits_q[i] as u8 as f64)
        .collect();
    let hits_both: Vec<bool> = both.iter().map(|&v| v == 2.0).collect();
    let metrics = vec![reach.clone(), fast, quarterly, never, both];
    let hits = vec![hits_reach.clone(), hits_fast, hits_q, hits_never, hits_both];
    let input_values = vec![ceiling, speed];
    let reach_time: Vec<f64> = paths.iter().map(|p| first_at(&times, p, 1.2e6)).collect();

    let thresholds = Thresholds::default();
    let input_names = ["ceiling", "speed"];
    let target_summaries: Vec<TargetSummary> = targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let successes = hits[k].iter().filter(|&&h| h).count() as u64;
            let p = successes as f64 / RUNS as f64;
            let ci = wilson95(successes, RUNS as u64);
            let prccs = prcc(&input_values, &metrics[k]).unwrap_or_default();
            let ttt = match k {
                0 => Some(&reach_time),
                1 | 3 => Some(&metrics[k]),
                _ => None,
            };
            TargetSummary {
                name: t.name.clone(),
                label: t.label.clone(),
                text: t.text.clone(),
                probability: p,
                ci95: [ci.lo, ci.hi],
                successes,
                runs: RUNS as u64,
                verdict: thresholds.verdict(p),
                threshold: t.comparison().map(|c| c.1),
                comparison: t.comparison().map(|c| c.0.symbol().to_string()),
                metric: quantiles_of(&metrics[k]),
                time_to_target: TimeToTarget {
                    quantiles: ttt
                        .filter(|v| v.iter().any(|x| x.is_finite()))
                        .map(|v| quantiles_of(v)),
                    never_share: ttt.map_or(0.0, |v| {
                        v.iter().filter(|x| !x.is_finite()).count() as f64 / RUNS as f64
                    }),
                },
                period_probabilities: if k == 2 {
                    vec![0.99, 0.9, 0.4, 0.1]
                } else {
                    vec![]
                },
                influence: input_names
                    .iter()
                    .enumerate()
                    .map(|(j, name)| Influence {
                        input: name.to_string(),
                        spearman: spearman(&input_values[j], &metrics[k]),
                        prcc: prccs.get(j).copied().flatten(),
                        hit_rate_by_quintile: hit_rate_by_bins(&input_values[j], &hits[k], 5)
                            .iter()
                            .map(|b| b.rate)
                            .collect(),
                    })
                    .collect(),
                levers: Vec::new(),
                sobol: Vec::new(),
                sobol_basis: None,
                what_it_takes: None,
            }
        })
        .collect();
    let joint = (0..RUNS)
        .filter(|&i| hits[..4].iter().all(|h| h[i]))
        .count() as u64;
    let jci = wilson95(joint, RUNS as u64);

    let band = |name: &str, label: Option<&str>, unit: &str, runs: &[Vec<f64>]| {
        let values: Vec<Vec<f64>> = PERCENTILES
            .iter()
            .map(|p| {
                (0..times.len())
                    .map(|k| {
                        let column: Vec<f64> = runs.iter().map(|r| r[k]).collect();
                        quantiles(&column, &[p / 100.0])[0]
                    })
                    .collect()
            })
            .collect();
        TrackedBands {
            name: name.to_string(),
            label: label.map(str::to_string),
            unit: Some(unit.to_string()),
            values,
            samples: runs[..3].to_vec(),
        }
    };
    let bands = vec![
        band("followers", Some("Followers"), "people", &paths),
        band("粉丝数", None, "人", &fans),
    ];

    let summary = Summary {
        provenance: Default::default(),
        model: "Word of mouth".into(),
        scenario: scenario.into(),
        scenario_doc: Some(format!("Follower ceiling scaled by {boost}.")),
        runs: RUNS as u64 + 3,
        first_run: 0,
        seed: 20_240_601,
        sampler: "lhs".into(),
        method: "rk4".into(),
        time_unit: "days".into(),
        thresholds,
        failed_runs: FailedRuns {
            count: 3,
            examples: vec![FailedRun {
                run: 17,
                message: "`adoption` became NaN at time 3".into(),
                variable: "adoption".into(),
                time: 3.0,
                value: f64::NAN,
                at: Some("growth.toml:12:1".into()),
                hint: Some("its equation is `a / b`; look for a division by zero".into()),
            }],
        },
        inputs: input_names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let q = quantiles_of(&input_values[j]);
                InputSummary {
                    name: name.to_string(),
                    label: None,
                    distribution: if j == 0 {
                        format!("uniform({}, {})", 0.8e6 * boost, 1.8e6 * boost)
                    } else {
                        "uniform(0.01, 0.05)".into()
                    },
                    mean: q.mean,
                    p5: q.p5,
                    p50: q.p50,
                    p95: q.p95,
                }
            })
            .collect(),
        targets: target_summaries,
        joint_probability: Probability {
            probability: joint as f64 / RUNS as f64,
            ci95: [jci.lo, jci.hi],
            successes: joint,
            runs: RUNS as u64,
        },
        tracked: bands.iter().map(|b| b.name.clone()).collect(),
        percentiles: PERCENTILES.to_vec(),
        sobol: None,
    };
    StudyResult {
        summary,
        targets,
        times,
        bands,
        metrics,
        hits,
        input_values,
        records: None,
        loops: None,
    }
}

/// The baseline sample study.
pub fn sample_result() -> StudyResult {
    sample_result_for("baseline", 1.0)
}

/// The sample study's summary with `failed` of `runs` runs failed.
pub fn summary_with_failures(runs: u64, failed: u64) -> Summary {
    let mut s = sample_result().summary;
    s.runs = runs;
    s.failed_runs.count = failed;
    s
}
