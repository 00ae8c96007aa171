//! Tests of the study and comparison exporters on the hand-built sample study.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::charts::markers;
use super::sample::{sample_result, sample_result_for, times, RUNS};
use super::*;
use crate::report::format;

fn names_in(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect()
}

/// Width, height and RGB pixels of a PNG file.
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = ::png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Targets of `report.md`'s links and images.
fn links(md: &str) -> Vec<String> {
    md.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(l, _)| l.to_string()))
        .collect()
}

#[test]
fn writes_every_file_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("study");
    let result = sample_result();
    let written = write_study(&result, &out).unwrap();
    let expected: BTreeSet<String> = [
        "summary.json",
        "percentiles.csv",
        "runs.csv",
        "scorecard.png",
        "fan_followers.png",
        "fan_粉丝数.png",
        "hist_reach_1m.png",
        "hist_快速增长.png",
        "hist_quarterly.png",
        "hist_both.png",
        "tornado_reach_1m.png",
        "tornado_快速增长.png",
        "tornado_quarterly.png",
        "tornado_both.png",
        "report.md",
        "report.html",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    // "never" is never reached, so its metric is +∞ in every run: no histogram, and no
    // correlation, so no tornado either.
    assert_eq!(names_in(&out), expected);
    let returned: BTreeSet<String> = written
        .iter()
        .map(|p| {
            assert_eq!(p.parent(), Some(out.as_path()));
            p.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(returned, expected);
    for p in written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
    {
        let (w, h, pixels) = decode(p);
        assert!(w >= 1200 && h >= 700, "{}: {w}×{h}", p.display());
        let ink = pixels
            .chunks(3)
            .filter(|c| c.iter().any(|&v| v < 200))
            .count();
        assert!(
            ink > 5_000,
            "{} is nearly blank ({ink} dark pixels)",
            p.display()
        );
    }
}

#[test]
fn summary_json_has_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let result = sample_result();
    write_study(&result, dir.path()).unwrap();
    let text = fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["runs"], RUNS as u64 + 3);
    assert_eq!(v["seed"], 20_240_601);
    assert_eq!(v["sampler"], "lhs");
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), result.summary.targets.len());
    for (t, s) in targets.iter().zip(&result.summary.targets) {
        assert_eq!(t["name"], s.name.as_str());
        assert_eq!(t["probability"].as_f64().unwrap(), s.probability);
        let ci = t["ci95"].as_array().unwrap();
        assert_eq!(ci.len(), 2);
        assert!(ci[0].as_f64().unwrap() <= s.probability);
        assert!(ci[1].as_f64().unwrap() >= s.probability);
        assert_eq!(t["verdict"], s.verdict.label());
    }
    assert_eq!(targets[1]["name"], "快速增长");
    let joint = &v["joint_probability"];
    assert_eq!(joint["runs"], RUNS as u64);
    assert!(joint["probability"].is_number());
}

#[test]
fn non_finite_numbers_keep_summary_json_valid() {
    let mut result = sample_result();
    let t = &mut result.summary.targets[0];
    t.metric.mean = f64::NAN;
    t.metric.p95 = f64::INFINITY;
    t.threshold = Some(f64::NEG_INFINITY);
    let bytes = json::SummaryJson.render(&result).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let t = &v["targets"][0];
    assert!(t["metric"]["mean"].is_null());
    assert!(t["metric"]["p95"].is_null());
    assert!(t["threshold"].is_null());
    assert_eq!(
        t["metric"]["p50"].as_f64().unwrap(),
        result.summary.targets[0].metric.p50
    );
}

#[test]
fn percentiles_csv_is_long_form_in_full_precision() {
    let result = sample_result();
    let bytes = csv::PercentilesCsv.render(&result).unwrap();
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["variable", "time", "p5", "p25", "p50", "p75", "p95"]
    );
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2 * times().len());
    // Row k of the second variable is its time k; every value reads back exactly.
    let row = &rows[times().len() + 7];
    assert_eq!(&row[0], "粉丝数");
    assert_eq!(row[1].parse::<f64>().unwrap(), result.times[7]);
    for (c, series) in result.bands[1].values.iter().enumerate() {
        assert_eq!(row[2 + c].parse::<f64>().unwrap(), series[7]);
    }
}

#[test]
fn runs_csv_has_one_row_per_counted_run() {
    let result = sample_result();
    let bytes = csv::RunsCsv.render(&result).unwrap();
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..4],
        ["ceiling", "speed", "reach_1m.metric", "reach_1m.hit"]
    );
    assert_eq!(header.len(), 2 + 2 * result.summary.targets.len());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), RUNS);
    for (r, row) in rows.iter().enumerate() {
        assert_eq!(row[0].parse::<f64>().unwrap(), result.input_values[0][r]);
        assert_eq!(row[2].parse::<f64>().unwrap(), result.metrics[0][r]);
        assert_eq!(&row[3], if result.hits[0][r] { "1" } else { "0" });
        // "never" (4th target) is +∞ in every run.
        assert_eq!(&row[2 + 2 * 3], "inf");
    }
}

#[test]
fn report_links_only_to_files_that_exist_and_embeds_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    let result = sample_result();
    let written = write_study(&result, dir.path()).unwrap();
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    let linked = links(&md);
    for l in &linked {
        assert!(
            dir.path().join(l).is_file(),
            "report.md links to missing {l}"
        );
    }
    for p in &written {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name != "report.md" {
            assert!(linked.contains(&name), "report.md does not link {name}");
        }
    }
    // The settings and tables a reader needs.
    for needle in [
        "lhs",
        "rk4",
        "20240601",
        "粉丝五十万",
        "1.2M followers",
        "Spearman",
        "PRCC",
        "Failed runs",
        "division by zero",
        "How to read this report",
        "All targets met in the same run",
    ] {
        assert!(md.contains(needle), "report.md lacks {needle:?}");
    }
    let t = &result.summary.targets[0];
    assert!(md.contains(&format::percent(t.probability)));
}

#[test]
fn rendering_error_leaves_the_directory_untouched() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("summary.json"), "old").unwrap();
    let mut result = sample_result();
    // Time points that are not numbers: every fan chart fails after the tables rendered.
    result.times.iter_mut().for_each(|t| *t = f64::NAN);
    let err = write_study(&result, dir.path()).unwrap_err();
    assert!(matches!(err, ReportError::Chart(_)), "{err}");
    assert_eq!(
        names_in(dir.path()),
        BTreeSet::from(["summary.json".to_string()])
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("summary.json")).unwrap(),
        "old"
    );

    let mut result = sample_result();
    result.metrics[2].pop();
    let err = write_study(&result, dir.path()).unwrap_err();
    assert!(matches!(err, ReportError::Inconsistent(_)), "{err}");
    assert_eq!(names_in(dir.path()).len(), 1);
}

#[test]
fn unwritable_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    fs::write(&file, "x").unwrap();
    let err = write_study(&sample_result(), &file.join("sub")).unwrap_err();
    assert!(matches!(err, ReportError::Dir { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot create output directory"),
        "{err}"
    );
}

#[test]
fn fan_markers_come_from_the_targets_on_each_variable() {
    let result = sample_result();
    let (levels, dates) = markers(&result, "followers");
    assert_eq!(
        levels,
        vec![
            ("1.2M followers".to_string(), 1.2e6),
            ("never".to_string(), 1e9)
        ]
    );
    // A level a thousand times above every run would flatten the fan: the chart leaves it out.
    let chart = super::charts::fan_chart(&result, &result.bands[0]);
    assert_eq!(
        chart.thresholds,
        vec![("1.2M followers".to_string(), 1.2e6)]
    );
    assert_eq!(chart.bands.len(), 2);
    assert_eq!(
        (chart.bands[0].lower_q, chart.bands[0].upper_q),
        (0.05, 0.95)
    );
    assert_eq!(chart.median, result.bands[0].values[2]);
    let at: Vec<f64> = dates.iter().map(|d| d.1).collect();
    // The deadline of reach_1m shares day 365 with the last quarter checkpoint (one line);
    // "never" has its deadline there too.
    assert_eq!(at, vec![0.0, 91.0, 182.0, 273.0, 365.0]);
    assert_eq!(dates[1].0, "quarterly");
    assert_eq!(dates[4].0, "1.2M followers, quarterly, never");

    let (levels, dates) = markers(&result, "粉丝数");
    assert_eq!(levels, vec![("粉丝五十万".to_string(), 5e5)]);
    assert_eq!(dates, vec![("粉丝五十万".to_string(), 200.0)]);
}

#[test]
fn charts_are_left_out_when_they_have_nothing_to_show() {
    let mut result = sample_result();
    result.summary.inputs.clear();
    result.input_values.clear();
    result.bands[1]
        .values
        .iter_mut()
        .flatten()
        .for_each(|v| *v = f64::NAN);
    result.bands[1]
        .samples
        .iter_mut()
        .flatten()
        .for_each(|v| *v = f64::NAN);
    let dir = tempfile::tempdir().unwrap();
    write_study(&result, dir.path()).unwrap();
    let names = names_in(dir.path());
    assert!(
        !names.iter().any(|n| n.starts_with("tornado_")),
        "{names:?}"
    );
    assert!(!names.contains("fan_粉丝数.png"));
    assert!(names.contains("fan_followers.png"));
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("粉丝数 has no finite values to chart"));
    assert!(md.contains("no uncertain inputs"));
}

#[test]
fn terminal_verdict_table() {
    let result = sample_result();
    let rows = verdict_table(&result.summary);
    assert_eq!(rows.len(), 1 + result.summary.targets.len());
    assert!(rows.iter().all(|r| r.len() == 6));
    assert_eq!(rows[0][0], "target");
    let t = &result.summary.targets[1];
    assert_eq!(rows[2][0], "粉丝五十万");
    assert_eq!(rows[2][1], format::percent(t.probability));
    assert_eq!(rows[2][3], t.verdict.label());
    let reach = &t.time_to_target;
    assert_eq!(
        rows[2][5],
        format!(
            "{} days (never: {})",
            format::number(reach.quantiles.as_ref().unwrap().p50),
            format::percent(reach.never_share)
        )
    );
    assert_eq!(rows[3][5], "—", "a series has no time to target");
    assert_eq!(rows[4][5], "never");
}

#[test]
fn comparison_files_and_tables() {
    let results = vec![
        sample_result_for("baseline", 1.0),
        sample_result_for("增长计划", 1.3),
    ];
    assert_eq!(scenario_dirs(&results), ["baseline", "增长计划"]);
    let dir = tempfile::tempdir().unwrap();
    let written = write_comparison(&results, dir.path()).unwrap();
    let expected: BTreeSet<String> = [
        "comparison.png",
        "compare_followers.png",
        "compare_粉丝数.png",
        "comparison.md",
        "comparison.json",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(names_in(dir.path()), expected);
    assert_eq!(written.len(), expected.len());

    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("comparison.json")).unwrap())
            .unwrap();
    assert_eq!(v["scenarios"][1]["scenario"], "增长计划");
    assert_eq!(v["scenarios"][1]["report"], "增长计划/report.md");
    let reach = &v["targets"][0];
    assert_eq!(reach["name"], "reach_1m");
    let p0 = reach["results"][0]["probability"].as_f64().unwrap();
    let p1 = reach["results"][1]["probability"].as_f64().unwrap();
    assert!(
        p1 > p0,
        "a higher ceiling reaches 1.2M more often: {p0} vs {p1}"
    );

    let md = fs::read_to_string(dir.path().join("comparison.md")).unwrap();
    for l in links(&md) {
        let scenario_report = l.ends_with("/report.md");
        assert!(
            scenario_report || dir.path().join(&l).is_file(),
            "missing {l}"
        );
    }
    assert!(md.contains("](baseline/report.md)"));
    assert!(md.contains("](compare_粉丝数.png)"));

    let table = comparison_table(results.iter().map(|r| &r.summary));
    assert_eq!(table[0], ["target", "baseline", "增长计划"]);
    assert_eq!(table.len(), 1 + results[0].summary.targets.len());
    assert!(table[1][2].starts_with(&format::percent(p1)));

    // A target only one scenario has reads "—" in the other.
    let mut partial = results.clone();
    partial[1].summary.targets.remove(0);
    let table = comparison_table(partial.iter().map(|r| &r.summary));
    assert_eq!(table[1][2], "—");
    assert!(write_comparison(&[], dir.path()).is_err());
}

/// Writes the sample report to `SANDTABLE_REPORT_PREVIEW` for a person to look at.
#[test]
fn preview() {
    let Some(dir) = std::env::var_os("SANDTABLE_REPORT_PREVIEW") else {
        return;
    };
    let dir = Path::new(&dir);
    let results = vec![
        sample_result_for("baseline", 1.0),
        sample_result_for("增长计划", 1.3),
    ];
    for (r, sub) in results.iter().zip(scenario_dirs(&results)) {
        write_study(r, &dir.join(sub)).unwrap();
    }
    write_comparison(&results, dir).unwrap();
}

#[test]
fn a_study_without_targets_inputs_or_tracked_variables_still_reports() {
    let mut result = sample_result();
    result.summary.targets.clear();
    result.summary.inputs.clear();
    result.summary.tracked.clear();
    result.targets.clear();
    result.metrics.clear();
    result.hits.clear();
    result.input_values.clear();
    result.bands.clear();
    let dir = tempfile::tempdir().unwrap();
    write_study(&result, dir.path()).unwrap();
    assert_eq!(
        names_in(dir.path()),
        [
            "percentiles.csv",
            "report.html",
            "report.md",
            "runs.csv",
            "summary.json"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("The model declares no targets."));
    assert_eq!(verdict_table(&result.summary).len(), 1);
    let csv = fs::read_to_string(dir.path().join("percentiles.csv")).unwrap();
    assert_eq!(csv, "variable,time,p5,p25,p50,p75,p95\n");
}

#[test]
fn report_opens_with_a_summary_of_verdicts_inputs_and_failures() {
    let result = sample_result();
    let dir = tempfile::tempdir().unwrap();
    write_study(&result, dir.path()).unwrap();
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    let summary = md.find("## Summary").expect("a summary section");
    let settings = md.find("## Settings").unwrap();
    assert!(summary < settings, "the summary comes before the settings");
    let top = &md[summary..settings];
    // Every target has a row in the verdict table, composites after single targets.
    for t in &result.summary.targets {
        assert!(top.contains(super::describe::target_name(t)), "{}", t.name);
    }
    assert!(top.find("| Reach and growth").unwrap() > top.find("| never").unwrap());
    assert!(top.contains("Most decisive inputs"));
    // 3 of 203 runs failed: 1.5 %, above the 1 % allowed by default.
    assert!(top.contains("3 of 203 runs (1.5 %)"), "{top}");
    assert!(top.contains("unreliable"));
    // Allowing 2 % makes the same study reliable.
    let options = ReportOptions { max_failed: 0.02 };
    write_study_with(&result, dir.path(), &options).unwrap();
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(!md.contains("unreliable") && md.contains("3 of 203 runs (1.5 %) failed"));
}

#[test]
fn report_html_is_self_contained_and_embeds_every_chart() {
    let result = sample_result();
    let dir = tempfile::tempdir().unwrap();
    write_study(&result, dir.path()).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let pngs: Vec<String> = names_in(dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert_eq!(
        html.matches("src=\"data:image/png;base64,").count(),
        pngs.len()
    );
    // The scorecard's bytes are embedded exactly.
    let bytes = fs::read(dir.path().join("scorecard.png")).unwrap();
    assert!(html.contains(&super::html::base64(&bytes)));
    assert!(!html.contains("src=\"http") && !html.contains("<script"));
    assert!(html.contains("<h2>Summary</h2>"));
}

#[test]
fn comparison_gives_paired_deltas_against_the_baseline() {
    let mut results = vec![
        sample_result_for("baseline", 1.0),
        sample_result_for("增长计划", 1.3),
    ];
    // Same runs from the same seed and none lost: the runs pair up.
    for r in &mut results {
        r.summary.failed_runs.count = 0;
    }
    let dir = tempfile::tempdir().unwrap();
    write_comparison(&results, dir.path()).unwrap();
    let md = fs::read_to_string(dir.path().join("comparison.md")).unwrap();
    assert!(md.contains("## Against baseline"), "{md}");
    let d = super::paired::paired_difference(&results[0].hits[0], &results[1].hits[0]).unwrap();
    let expected = format!("+{} [", format::fixed(d.delta * 100.0, 1));
    let row = md
        .lines()
        .find(|l| l.starts_with("| 1.2M followers"))
        .expect("a delta row for reach_1m");
    assert!(row.contains(&expected), "{row} lacks {expected}");
    assert!(md.contains("same runs with the same random numbers"));

    // With a lost run the pairing is off and the text says so.
    results[1].summary.failed_runs.count = 1;
    write_comparison(&results, dir.path()).unwrap();
    let md = fs::read_to_string(dir.path().join("comparison.md")).unwrap();
    assert!(md.contains("could not be paired"));
}

#[test]
fn growth_targets_give_the_path_they_require() {
    // "quarterly" is every(growth(followers), [0, 91, 182, 273, 365]) >= 20 %: from the
    // median at day 0, ×1.2 per checkpoint.
    let result = sample_result();
    let chart = super::charts::fan_chart(&result, &result.bands[0]);
    let path = chart
        .paths
        .iter()
        .find(|p| p.label == "quarterly")
        .expect("a required path for the quarterly target");
    let start = result.bands[0].values[2][0];
    let expected: Vec<(f64, f64)> = [0.0, 91.0, 182.0, 273.0, 365.0]
        .iter()
        .enumerate()
        .map(|(k, &t)| (t, start * 1.2f64.powi(k as i32)))
        .collect();
    assert_eq!(path.points.len(), expected.len());
    for (got, want) in path.points.iter().zip(&expected) {
        assert_eq!(got.0, want.0);
        assert!(
            (got.1 - want.1).abs() <= 1e-9 * want.1,
            "{got:?} vs {want:?}"
        );
    }
    // Its checkpoints are its markers now: no vertical line carries its name.
    assert!(chart.checkpoints.iter().all(|c| !c.0.contains("quarterly")));
}
