//! Monte Carlo studies: probability estimates against closed forms, reproducibility across
//! thread counts and repeated runs.

use crate::util::*;
use sandtable::montecarlo::result::StudyResult;
use sandtable::montecarlo::runner::Plan;
use sandtable::study::{Sampler, Settings, Study};

const GROWTH: &str = r#"
[sim]
start = 0
stop = 10
dt = 0.125
method = "rk4"
[stocks]
x = { initial = 100, inflows = ["growth"] }
[flows]
growth = "r * x"
[constants]
r = { value = 0.1, dist = "normal(0.1, 0.03)" }
[targets]
big = "x at 10 >= 300"
early = "first(x >= 200) <= 8"
"#;

fn settings(runs: u64, sampler: Sampler) -> Settings {
    Settings {
        runs: Some(runs),
        seed: Some(42),
        sampler: Some(sampler),
        samples: Some(3),
        ..Settings::default()
    }
}

fn resolved(text: &str, settings: Settings) -> (tempfile::TempDir, Study) {
    let (dir, path) = model_file(text);
    (dir, resolve(&path, settings))
}

fn study(text: &str, runs: u64, sampler: Sampler) -> StudyResult {
    let (_dir, s) = resolved(text, settings(runs, sampler));
    run_scenario(&s, "baseline")
}

fn normal_cdf(z: f64) -> f64 {
    sandtable::study::distribution::quantile::std_normal_cdf(z)
}

#[test]
fn probability_of_a_final_value_matches_the_closed_form() {
    let n = 20_000;
    for sampler in [Sampler::Random, Sampler::LatinHypercube] {
        let result = study(GROWTH, n, sampler);
        let big = &result.summary.targets[0];
        // x(10) = 100 e^{10 r} >= 300  ⇔  r >= ln(3)/10.
        let want = 1.0 - normal_cdf((3f64.ln() / 10.0 - 0.1) / 0.03);
        let se = (want * (1.0 - want) / n as f64).sqrt();
        assert!(
            (big.probability - want).abs() < 3.0 * se,
            "{sampler:?}: {} vs {want} (se {se})",
            big.probability
        );
        assert!(big.ci95[0] < want && want < big.ci95[1]);
        // First passage of 200 by day 8 ⇔ r >= ln(2)/8 (up to the saved-time grid of 0.125).
        let early = &result.summary.targets[1];
        let want = 1.0 - normal_cdf((2f64.ln() / 8.0 - 0.1) / 0.03);
        assert!(
            (early.probability - want).abs() < 3.0 * se + 0.01,
            "{} vs {want}",
            early.probability
        );
        let influence = &big.influence[0];
        assert_eq!(influence.input, "r");
        assert!(influence.spearman.unwrap() > 0.99);
        let q = &influence.hit_rate_by_quintile;
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
    }
}

#[test]
fn results_do_not_depend_on_thread_count_or_repetition() {
    let (_dir, s) = resolved(GROWTH, settings(3_000, Sampler::Random));
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let result = pool.install(|| run_scenario(&s, "baseline"));
        serde_json::to_string(&result.summary).unwrap()
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(2));
    assert_eq!(one, json(3));
}

#[test]
fn percentile_bands_bracket_the_median_run() {
    let result = study(GROWTH, 2_000, Sampler::LatinHypercube);
    let x = &result.bands[0];
    assert_eq!(x.name, "x");
    let last = result.times.len() - 1;
    // The median of x(10) is 100 e^{10·0.1}: the median of a monotone function of r.
    let median = x.values[2][last];
    assert!(rel(median, 100.0 * 1f64.exp()) < 0.01, "{median}");
    for q in 1..5 {
        assert!(x.values[q][last] >= x.values[q - 1][last]);
    }
    assert_eq!(x.samples.len(), 3);
}

#[test]
fn bad_study_inputs_are_reported_together() {
    let text = GROWTH.replace("[targets]", "[uncertain]\nrr = \"uniform(0, 1)\"\n[targets]\nmissing = \"y at 5 >= 1\"\nlate = \"x at 50 >= 1\"");
    let (_dir, s) = resolved(&text, settings(10, Sampler::Random));
    let scenario = s.compile("baseline").unwrap_or_else(|e| panic!("{e}"));
    let err = match Plan::new(&scenario) {
        Ok(_) => panic!("accepted a bad study"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("`rr` is not a constant"), "{err}");
    assert!(err.contains("did you mean `r`?"), "{err}");
    assert!(err.contains("`y`"), "{err}");
    assert!(err.contains("50"), "{err}");
}

#[test]
fn a_study_split_across_machines_gives_the_same_runs() {
    let whole = study(GROWTH, 1_000, Sampler::Random);
    let mut second = settings(400, Sampler::Random);
    second.first_run = Some(600);
    let (_dir, s) = resolved(GROWTH, second);
    let part = run_scenario(&s, "baseline");
    assert_eq!(part.input_values[0], whole.input_values[0][600..].to_vec());
    assert_eq!(part.metrics[0], whole.metrics[0][600..].to_vec());
}

const THREE_INPUTS: &str = r#"
[sim]
start = 0
stop = 1
dt = 0.5
[stocks]
x = { initial = 1, inflows = ["growth"] }
[flows]
growth = "a + b + c"
[constants]
a = { value = 1, dist = "uniform(0, 1)" }
b = { value = 1, dist = "normal(5, 1)" }
c = { value = 1, dist = "triangular(0, 1, 4)" }
[scenarios.fix_a]
set = { a = 0.5 }
[targets]
big = "x at 1 >= 3"
"#;

/// Each input's per-run draws, by name.
fn draws(result: &StudyResult) -> Vec<(String, Vec<f64>)> {
    result
        .summary
        .inputs
        .iter()
        .map(|i| i.name.clone())
        .zip(result.input_values.iter().cloned())
        .collect()
}

fn draws_of<'a>(all: &'a [(String, Vec<f64>)], name: &str) -> &'a [f64] {
    &all.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn fixing_or_reordering_other_inputs_keeps_each_inputs_draws() {
    for sampler in [Sampler::Random, Sampler::LatinHypercube] {
        let (_d, s) = resolved(THREE_INPUTS, settings(200, sampler));
        let base = draws(&run_scenario(&s, "baseline"));
        let fixed = draws(&run_scenario(&s, "fix_a"));
        assert_eq!(fixed.len(), 2, "{sampler:?}");
        for name in ["b", "c"] {
            assert_eq!(
                draws_of(&base, name),
                draws_of(&fixed, name),
                "{sampler:?} {name}"
            );
        }
        // The same inputs declared in another order draw the same numbers.
        let reordered = THREE_INPUTS.replace(
            "a = { value = 1, dist = \"uniform(0, 1)\" }\nb = { value = 1, dist = \"normal(5, 1)\" }",
            "b = { value = 1, dist = \"normal(5, 1)\" }\na = { value = 1, dist = \"uniform(0, 1)\" }",
        );
        assert_ne!(reordered, THREE_INPUTS);
        let (_d2, s2) = resolved(&reordered, settings(200, sampler));
        let other = draws(&run_scenario(&s2, "baseline"));
        assert_eq!(other[0].0, "b");
        for name in ["a", "b", "c"] {
            assert_eq!(
                draws_of(&base, name),
                draws_of(&other, name),
                "{sampler:?} {name}"
            );
        }
    }
}

#[test]
fn correlated_inputs_keep_their_draws_when_an_uncorrelated_input_is_fixed() {
    let text = THREE_INPUTS.replace(
        "[targets]",
        "[correlations]\ninputs = [\"b\", \"c\"]\nmatrix = [[1, 0.6], [0.6, 1]]\n[targets]",
    );
    let (_d, s) = resolved(&text, settings(300, Sampler::Random));
    let base = draws(&run_scenario(&s, "baseline"));
    let fixed = draws(&run_scenario(&s, "fix_a"));
    for name in ["b", "c"] {
        assert_eq!(draws_of(&base, name), draws_of(&fixed, name), "{name}");
    }
    let r = sandtable::stats::spearman(draws_of(&base, "b"), draws_of(&base, "c")).unwrap();
    assert!((r - 0.6).abs() < 0.12, "{r}");
}
