//! Numeric faults through the command line: a deterministic run that produces NaN stops with
//! exit code 2, naming the variable, the time and the equation, and writes nothing; in Monte
//! Carlo the failing runs are counted and the others still give results.

use std::fs;

use crate::util::run_in as sandtable;

/// A one-stock model whose flow is `equation`; `threshold` is uncertain on [0, 20].
fn model(equation: &str) -> String {
    format!(
        "[model]\nname = \"fault\"\n\n[sim]\nstart = 0\nstop = 10\ndt = 1\n\n\
         [stocks]\nlevel = {{ initial = 10, inflows = [\"change\"] }}\n\n\
         [flows]\nchange = {{ equation = \"{equation}\" }}\n\n\
         [constants]\nthreshold = {{ value = 12, dist = \"uniform(0, 20)\" }}\n"
    )
}

fn assert_run_fails(equation: &str, time: &str) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("fault.toml"), model(equation)).unwrap();
    let out = sandtable(dir.path(), &["run", "fault.toml", "--out", "out"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Line 13 column 24: the start of the flow's equation.
    assert!(stderr.contains("fault.toml:13:24:"), "{stderr}");
    assert!(stderr.contains("`change` became NaN"), "{stderr}");
    assert!(stderr.contains(&format!("at time {time}")), "{stderr}");
    assert!(stderr.contains(equation), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(
        !dir.path().join("out").exists(),
        "output written after a fault"
    );
}

#[test]
fn log_of_a_negative_stops_the_run() {
    // level 10 − threshold 12 < 0 from the start.
    assert_run_fails("LN(level - threshold)", "0");
}

#[test]
fn zero_over_zero_stops_the_run_when_it_happens() {
    // level grows by 1 a step until time 3, when level − 13 = 0 gives 0/0.
    assert_run_fails(
        "IF_THEN_ELSE(TIME < 3, 1, (level - 13) / (level - 13))",
        "3",
    );
}

#[test]
fn monte_carlo_counts_failed_runs_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("fault.toml"),
        model("LN(threshold - level + 1)"),
    )
    .unwrap();
    // The log's argument starts at threshold − 9: runs with threshold < 9 fail at time 0
    // (45 % of them); the others converge to level = threshold, so LN stays finite.
    let runs = 400;
    let out = sandtable(
        dir.path(),
        &[
            "mc",
            "fault.toml",
            "--runs",
            &runs.to_string(),
            "-q",
            "--out",
            "out",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Far more than the default 1 % failed: outputs written, verdicts unreliable, exit 3.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("out/summary.json")).unwrap()).unwrap();
    let failed = summary["failed_runs"]["count"]
        .as_u64()
        .expect("failed_runs.count");
    // Binomial(400, 0.45): mean 180, sd ≈ 10; ±5 sd.
    assert!((130..=230).contains(&failed), "{failed} failed runs");
    let example = summary["failed_runs"]["examples"][0]["message"]
        .as_str()
        .expect("an example message");
    assert!(
        example.contains("`change`") && example.contains("time 0"),
        "{example}"
    );
    // The example is the structured fault: the variable whose own equation produced the NaN,
    // located at that equation in the model file.
    let first = &summary["failed_runs"]["examples"][0];
    assert_eq!(first["variable"], "change", "{first}");
    assert_eq!(first["time"], 0.0, "{first}");
    let at = first["at"].as_str().expect("a location");
    let text = fs::read_to_string(dir.path().join("fault.toml")).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.contains("LN(threshold"))
        .expect("the equation's line");
    assert!(at.starts_with(&format!("fault.toml:{line}:")), "{at}");
    assert!(
        first["hint"].as_str().is_some_and(|h| h.contains("LN(")),
        "{first}"
    );
    // The successful runs still give percentile bands with finite values.
    let csv = fs::read_to_string(dir.path().join("out/percentiles.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert!(!rows.is_empty());
    for row in rows {
        for cell in row.split(',').skip(2) {
            let v: f64 = cell.parse().unwrap_or(f64::NAN);
            assert!(v.is_finite(), "row `{row}`");
        }
    }
    let report = fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(
        report.contains("fail"),
        "report.md does not mention the failed runs"
    );
    assert!(
        report.contains(&format!("`{at}`")),
        "report.md does not locate the failed runs' equation"
    );
}

#[test]
fn a_study_whose_every_run_fails_is_located_at_the_faulty_equation() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("fault.toml"),
        model("LN(threshold - level - 100)"),
    )
    .unwrap();
    let out = sandtable(
        dir.path(),
        &["mc", "fault.toml", "--runs", "50", "-q", "--out", "out"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("every run failed"), "{stderr}");
    assert!(stderr.contains("fault.toml:13:24:"), "{stderr}");
    assert!(stderr.contains("`change` became NaN"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "output written");
}
