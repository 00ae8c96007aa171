//! `sandtable calibrate` and the re-forecast `mc --posterior` from the command line: the
//! files, the recovered inputs, and bad input (located messages, exit 2, nothing written).

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calibration")
}

/// A temporary directory with the logistic model and its history.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["logistic.toml", "logistic_history.csv"] {
        fs::copy(fixtures().join(name), dir.path().join(name)).expect("copy fixture");
    }
    dir
}

use crate::util::run_in as sandtable;

/// Runs a command that must fail with exit 2, write nothing into `out`, and say `wants`.
fn refused(dir: &Path, args: &[&str], wants: &[&str]) {
    let out = sandtable(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for w in wants {
        assert!(stderr.contains(w), "{args:?}: wanted {w:?} in\n{stderr}");
    }
    assert!(!dir.join("out").exists(), "{args:?} wrote outputs");
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).expect("read json")).expect("parse json")
}

#[test]
fn calibrates_and_reforecasts_from_the_posterior() {
    let dir = workdir();
    let d = dir.path();
    let out = sandtable(
        d,
        &[
            "calibrate",
            "logistic.toml",
            "--data",
            "logistic_history.csv",
            "--out",
            "cal",
            "--seed",
            "4",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("23 observations up to time 12"), "{stdout}");
    let mut files: Vec<String> = fs::read_dir(d.join("cal"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "calibration.json",
            "fit_sum_signups.png",
            "fit_users.png",
            "posterior.csv",
            "prior_posterior.png",
            "report.html",
            "report.md"
        ]
    );
    let cal = json(&d.join("cal/calibration.json"));
    assert_eq!(cal["data_until"], 12.0);
    assert_eq!(cal["fit"]["observations"], 23);
    // The fixture was generated with rate 0.45 and capacity 60,000.
    for (p, truth) in cal["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .zip([0.45, 60_000.0])
    {
        let ci = p["ci95"].as_array().unwrap();
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(lo <= truth && truth <= hi, "{p}");
        assert!(
            p["rhat"].as_f64().unwrap() < 1.02 && p["ess"].as_f64().unwrap() > 400.0,
            "{p}"
        );
    }
    let posterior = fs::read_to_string(d.join("cal/posterior.csv")).unwrap();
    assert_eq!(posterior.lines().next(), Some("rate,capacity"));
    assert_eq!(posterior.lines().count(), 4001);
    let report = fs::read_to_string(d.join("cal/report.md")).unwrap();
    assert!(report.contains("up to time 12") && report.contains("![Fit: users](fit_users.png)"));

    let out = sandtable(
        d,
        &[
            "mc",
            "logistic.toml",
            "--posterior",
            "cal/posterior.csv",
            "--runs",
            "500",
            "--target",
            "late: users at 24 >= 55000",
            "--out",
            "mc",
            "-q",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json(&d.join("mc/summary.json"));
    assert_eq!(
        summary["provenance"]["posterior"]["path"],
        "cal/posterior.csv"
    );
    assert_eq!(summary["provenance"]["data_until"], 12.0);
    let report = fs::read_to_string(d.join("mc/report.md")).unwrap();
    assert!(
        report.contains("Conditioned on data up to time 12"),
        "{report}"
    );
    // Capacity's posterior lies above 55,000, so the late target is nearly certain; under
    // the prior (median capacity e^11 ≈ 59,900) it is a coin flip.
    assert!(
        summary["targets"][0]["probability"].as_f64().unwrap() > 0.9,
        "{summary}"
    );
}

#[test]
fn bad_data_files_are_located_and_refused() {
    let dir = workdir();
    let d = dir.path();
    let cases: [(&str, &[&str]); 5] = [
        (
            "time,usres\n1,2\n2,3\n3,4\n",
            &["bad.csv:1:6", "did you mean `users`?"],
        ),
        (
            "time,users\n1,2\n2,x\n3,4\n",
            &["bad.csv:3:3", "`x` in column `users` is not a number"],
        ),
        (
            "time,users\n1,2\n3,3\n2,4\n",
            &["bad.csv:4:1", "does not come after"],
        ),
        (
            "time,users\n1,2\n2,3\n30,4\n",
            &["bad.csv:4:1", "outside the model's run from 0 to 24"],
        ),
        ("time,users\n1,2\n2,3\n", &["has 2 value(s)", "at least 3"]),
    ];
    for (csv, wants) in cases {
        fs::write(d.join("bad.csv"), csv).unwrap();
        refused(
            d,
            &[
                "calibrate",
                "logistic.toml",
                "--data",
                "bad.csv",
                "--out",
                "out",
                "--generations",
                "50",
            ],
            wants,
        );
    }
    refused(
        d,
        &[
            "calibrate",
            "logistic.toml",
            "--data",
            "missing.csv",
            "--out",
            "out",
        ],
        &["cannot read missing.csv"],
    );
    refused(
        d,
        &[
            "calibrate",
            "logistic.toml",
            "--data",
            "logistic_history.csv",
            "--fit",
            "capacty",
            "--out",
            "out",
        ],
        &["--fit names `capacty`", "did you mean `capacity`?"],
    );
    fs::write(d.join("post.csv"), "rate,capasity\n0.4,50000\n").unwrap();
    refused(
        d,
        &[
            "mc",
            "logistic.toml",
            "--posterior",
            "post.csv",
            "--out",
            "out",
            "--runs",
            "10",
        ],
        &[
            "post.csv:1:6",
            "posterior column `capasity`",
            "did you mean `capacity`?",
        ],
    );
    fs::write(d.join("post.csv"), "rate,capacity\n0.4,lots\n").unwrap();
    refused(
        d,
        &[
            "mc",
            "logistic.toml",
            "--posterior",
            "post.csv",
            "--out",
            "out",
            "--runs",
            "10",
        ],
        &["post.csv:2:5", "`lots` is not a number"],
    );
}

#[test]
fn help_shows_examples() {
    let out = sandtable(Path::new("."), &["calibrate", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Examples:") && text.contains("--posterior"),
        "{text}"
    );
}
