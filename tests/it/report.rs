//! Study reports end to end: a model file through the Monte Carlo runner to the report files.

use crate::util::*;
use sandtable::report::export::{verdict_table, write_comparison_study, write_study};
use sandtable::study::{Sampler, Settings};

const GROWTH: &str = r#"
[sim]
start = 0
stop = 10
dt = 0.125
method = "rk4"
time_unit = "week"
[stocks]
x = { initial = 100, inflows = ["growth"], unit = "people", label = "粉丝" }
[flows]
growth = "r * x"
[constants]
r = { value = 0.1, dist = "normal(0.1, 0.03)" }
[targets]
big = { target = "x at 10 >= 300", label = "三百粉丝" }
early = "first(x >= 200) <= 8"
never = "first(x >= 1e9) <= 10"
"#;

fn study(scenario: &str, runs: u64) -> sandtable::montecarlo::result::StudyResult {
    let text = GROWTH.replace(
        "[targets]",
        &format!("[scenarios.{scenario}]\ndoc = \"same model\"\n[targets]"),
    );
    let (_dir, path) = model_file(if scenario == "baseline" {
        GROWTH
    } else {
        &text
    });
    let settings = Settings {
        runs: Some(runs),
        seed: Some(7),
        sampler: Some(Sampler::LatinHypercube),
        samples: Some(3),
        ..Settings::default()
    };
    run_scenario(&resolve(&path, settings), scenario)
}

#[test]
fn a_simulated_study_writes_a_consistent_report() {
    let result = study("baseline", 2_000);
    let dir = tempfile::tempdir().unwrap();
    let written = write_study(&result, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "summary.json",
        "percentiles.csv",
        "runs.csv",
        "scorecard.png",
        "fan_x.png",
        "hist_big.png",
        "hist_early.png",
        "tornado_big.png",
        "report.md",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    // x never reaches a billion: its first-passage metric is +∞ in every run, so no histogram.
    assert!(!names.iter().any(|n| n == "hist_never.png"), "{names:?}");

    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    for link in md.split("](").skip(1).filter_map(|r| r.split_once(')')) {
        assert!(
            dir.path().join(link.0).is_file(),
            "dangling link {}",
            link.0
        );
    }
    assert!(md.contains("三百粉丝"));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let big = &json["targets"][0];
    assert_eq!(
        big["probability"].as_f64().unwrap(),
        result.summary.targets[0].probability
    );

    let runs = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    let mut lines = runs.lines();
    let header = lines.next().unwrap();
    assert_eq!(
        header,
        "r,big.metric,big.hit,early.metric,early.hit,never.metric,never.hit"
    );
    // One row per counted run, and the hits in it add up to the summary's successes.
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len() as u64, result.summary.targets[0].runs);
    let hits = rows.iter().filter(|r| r[2] == "1").count() as u64;
    assert_eq!(hits, result.summary.targets[0].successes);

    // For a person to look at: SANDTABLE_REPORT_PREVIEW=dir cargo test --test report
    if let Some(preview) = std::env::var_os("SANDTABLE_REPORT_PREVIEW") {
        write_study(&result, &std::path::Path::new(&preview).join("simulated")).unwrap();
    }

    let table = verdict_table(&result.summary);
    assert_eq!(table.len(), 4);
    assert_eq!(table[1][0], "三百粉丝");
}

#[test]
fn scenarios_compare_side_by_side() {
    let results = vec![study("low", 300), study("high", 300)];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("compare");
    let dir = dir.as_path();
    write_comparison_study(&results, dir, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(dir.join("low/summary.json").is_file() && dir.join("high/report.md").is_file());
    let md = std::fs::read_to_string(dir.join("comparison.md")).unwrap();
    for link in md.split("](").skip(1).filter_map(|r| r.split_once(')')) {
        assert!(dir.join(link.0).is_file(), "dangling link {}", link.0);
    }
    assert!(dir.join("compare_x.png").is_file());
}

/// Compares `actual` with the golden file `name` (rewritten when UPDATE_GOLDEN is set).
fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if want != actual {
        let line = want
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden file at line {}:\n  golden: {:?}\n  now:    {:?}\n(run with UPDATE_GOLDEN=1 to accept the new output)",
            path.display(),
            line + 1,
            want.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn summary_json_and_report_md_match_their_golden_files() {
    // A relative path keeps the provenance the same on every machine (tests run in the
    // package root).
    let study = resolve(
        std::path::Path::new("tests/golden/growth.toml"),
        Settings::default(),
    );
    let result = run_scenario(&study, "baseline");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("study");
    write_study(&result, &out).unwrap_or_else(|e| panic!("{e}"));
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    golden("growth.summary.json", &read("summary.json"));
    golden("growth.report.md", &read("report.md"));
}
