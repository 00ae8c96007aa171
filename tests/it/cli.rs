//! The command line on the shipped models: every command succeeds and writes its files, help
//! shows examples, and Monte Carlo output does not depend on the thread count or the run.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::bin;

/// A temporary directory holding copies of the shipped models.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for name in ["bass.toml", "word_of_mouth.toml"] {
        fs::copy(models.join(name), dir.path().join(name)).expect("copy model");
    }
    dir
}

fn sandtable(dir: &Path, args: &[&str]) -> Output {
    let out = crate::util::run_in(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "sandtable {args:?} failed with {:?}:\n{stderr}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// PNG signature at the start and an IEND chunk at the end.
fn assert_complete_png(path: &Path) {
    let bytes = fs::read(path).expect("read png");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{}",
        path.display()
    );
    assert!(
        bytes.len() > 20 && &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND",
        "{} has no IEND chunk",
        path.display()
    );
}

const WOM_MC: [&str; 4] = [
    "--vary",
    "contact=triangular(0.01, 0.02, 0.03)",
    "--target",
    "reach: total_followers at 365 >= 1e6",
];

#[test]
fn run_writes_csv_and_charts_for_both_models() {
    let dir = workdir();
    for model in ["bass.toml", "word_of_mouth.toml"] {
        let out = dir.path().join(format!("out_{model}"));
        let o = sandtable(dir.path(), &["run", model, "--out", out.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("wrote"), "{stdout}");
        let files = files_in(&out);
        assert!(files.contains(&"run.csv".to_string()), "{files:?}");
        let pngs: Vec<_> = files.iter().filter(|f| f.ends_with(".png")).collect();
        assert!(!pngs.is_empty(), "{files:?}");
        for p in pngs {
            assert_complete_png(&out.join(p));
        }
        let csv = fs::read_to_string(out.join("run.csv")).expect("run.csv");
        assert!(csv.starts_with("time,"), "{}", &csv[..40.min(csv.len())]);
        // Header plus one row per saved time: bass saves every 0.5 from 0 to 24.
        if model == "bass.toml" {
            assert_eq!(csv.lines().count(), 1 + 49);
        }
    }
}

#[test]
fn check_summarises_both_models() {
    let dir = workdir();
    let o = sandtable(dir.path(), &["check", "bass.toml"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("bass.toml: OK"), "{stdout}");
    assert!(stdout.contains("potential"), "{stdout}");
    let o = sandtable(dir.path(), &["check", "word_of_mouth.toml"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("word_of_mouth.toml: OK"), "{stdout}");
    assert!(stdout.contains("feedback loops"), "{stdout}");
    assert_eq!(files_in(dir.path()), ["bass.toml", "word_of_mouth.toml"]);
}

#[test]
fn mc_writes_a_study_for_both_models() {
    let dir = workdir();
    let out = dir.path().join("bass_mc");
    sandtable(
        dir.path(),
        &[
            "mc",
            "bass.toml",
            "--runs",
            "200",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let files = files_in(&out);
    for f in ["summary.json", "report.md", "percentiles.csv", "runs.csv"] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["runs"], 200);
    assert_eq!(summary["failed_runs"]["count"], 0);

    let out = dir.path().join("wom_mc");
    let mut args = vec!["mc", "word_of_mouth.toml", "--runs", "50", "-q", "--out"];
    args.push(out.to_str().unwrap());
    args.extend(WOM_MC);
    sandtable(dir.path(), &args);
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["targets"].as_array().map(Vec::len), Some(1));
}

#[test]
fn compare_writes_each_scenario_and_the_comparison() {
    let dir = workdir();
    fs::write(
        dir.path().join("study.toml"),
        "model = \"word_of_mouth.toml\"\n\n[uncertain]\ncontact = \"uniform(0.01, 0.03)\"\n\n\
         [targets]\nreach = \"total_followers at 365 >= 1e6\"\n\n\
         [scenarios.viral]\nset = { spill = 0.5 }\n",
    )
    .unwrap();
    let out = dir.path().join("cmp");
    sandtable(
        dir.path(),
        &[
            "compare",
            "study.toml",
            "--runs",
            "50",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let files = files_in(&out);
    assert!(files.contains(&"comparison.md".to_string()), "{files:?}");
    for sub in ["baseline", "viral"] {
        assert!(out.join(sub).join("summary.json").is_file(), "{files:?}");
    }
}

#[test]
fn convert_round_trips_through_xmile() {
    let dir = workdir();
    for model in ["bass", "word_of_mouth"] {
        let xmile = format!("{model}_out.xmile");
        let toml = format!("{model}_back.toml");
        sandtable(
            dir.path(),
            &[
                "convert",
                &format!("{model}.toml"),
                "--to",
                "xmile",
                "-o",
                &xmile,
            ],
        );
        sandtable(
            dir.path(),
            &["convert", &xmile, "--to", "toml", "-o", &toml],
        );
        let o = sandtable(dir.path(), &["check", &toml]);
        assert!(String::from_utf8_lossy(&o.stdout).contains(": OK"));
    }
}

#[test]
fn help_of_every_command_shows_examples() {
    let dir = workdir();
    for cmd in [
        None,
        Some("run"),
        Some("check"),
        Some("mc"),
        Some("compare"),
        Some("convert"),
    ] {
        let mut args: Vec<&str> = cmd.into_iter().collect();
        args.push("--help");
        let o = sandtable(dir.path(), &args);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("Example"), "{args:?}:\n{stdout}");
        assert!(stdout.contains("sandtable "), "{args:?}:\n{stdout}");
    }
}

/// summary.json of `mc bass.toml` with the given seed and extra arguments.
fn bass_summary(dir: &Path, out: &str, seed: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "mc",
        "bass.toml",
        "--runs",
        "300",
        "--seed",
        seed,
        "-q",
        "--out",
        out,
    ];
    args.extend(extra);
    sandtable(dir, &args);
    fs::read(dir.join(out).join("summary.json")).expect("summary.json")
}

#[test]
fn mc_is_bit_identical_across_thread_counts_and_repeats() {
    let dir = workdir();
    let one = bass_summary(dir.path(), "t1", "11", &["--threads", "1"]);
    let two = bass_summary(dir.path(), "t2", "11", &["--threads", "2"]);
    let again = bass_summary(dir.path(), "t2b", "11", &["--threads", "2"]);
    assert!(one == two, "summary.json differs between 1 and 2 threads");
    assert!(two == again, "summary.json differs between two runs");
    let lhs1 = bass_summary(
        dir.path(),
        "l1",
        "11",
        &["--threads", "1", "--sampler", "lhs"],
    );
    let lhs2 = bass_summary(
        dir.path(),
        "l2",
        "11",
        &["--threads", "2", "--sampler", "lhs"],
    );
    assert!(
        lhs1 == lhs2,
        "LHS summary.json differs between 1 and 2 threads"
    );
    // A different seed must change the numbers, or the comparison above proves nothing.
    let other = bass_summary(dir.path(), "s2", "12", &["--threads", "2"]);
    assert!(other != two);
}

fn first_row_value(csv: &str, column: &str) -> f64 {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == column).unwrap();
    lines
        .next()
        .unwrap()
        .split(',')
        .nth(i)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn one_set_grammar_for_run_and_mc_with_percentages_and_stock_initial_values() {
    let dir = workdir();
    // A stock's initial value and a percentage, through `run`...
    let o = sandtable(
        dir.path(),
        &[
            "run",
            "bass.toml",
            "--set",
            "followers=5000",
            "--set",
            "q=40%",
            "--out",
            "r",
            "-q",
        ],
    );
    assert!(o.stdout.is_empty());
    let csv = fs::read_to_string(dir.path().join("r/run.csv")).unwrap();
    assert_eq!(first_row_value(&csv, "followers"), 5000.0);
    // ...and the same flags through `mc`, recorded in summary.json's provenance.
    sandtable(
        dir.path(),
        &[
            "mc",
            "bass.toml",
            "--runs",
            "20",
            "--set",
            "followers=5000",
            "--set",
            "q=40%",
            "--out",
            "m",
            "-q",
        ],
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("m/summary.json")).unwrap())
            .unwrap();
    let p = &summary["provenance"];
    assert_eq!(
        p["overrides"],
        serde_json::json!(["followers=5000", "q=40%"])
    );
    assert_eq!(p["scenario"], "baseline");
    assert_eq!(p["seed"], 1);
    assert_eq!(p["model"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(p["sandtable_version"], env!("CARGO_PKG_VERSION"));
    // `q` was fixed, so it is no longer an uncertain input.
    let inputs: Vec<&str> = summary["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["p"]);
}

#[test]
fn run_takes_a_scenario_and_writes_under_outputs_model_run() {
    let dir = workdir();
    let text = fs::read_to_string(dir.path().join("bass.toml")).unwrap()
        + "\n[scenarios.big_market]\ndoc = \"twice the market\"\nset = { market_size = 2e6 }\n";
    fs::write(dir.path().join("bass.toml"), text).unwrap();
    sandtable(
        dir.path(),
        &["run", "bass.toml", "--scenario", "big_market", "-q"],
    );
    let csv = fs::read_to_string(dir.path().join("outputs/bass/run/run.csv")).unwrap();
    assert_eq!(first_row_value(&csv, "potential"), 2e6);
    // `check` compiles every scenario and names how many it checked.
    let o = sandtable(dir.path(), &["check", "bass.toml"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("2 scenarios (each compiled and checked)"),
        "{stdout}"
    );
}

#[test]
fn scenario_is_one_flag_that_compare_alone_takes_several_of() {
    let dir = workdir();
    let text = fs::read_to_string(dir.path().join("bass.toml")).unwrap()
        + "\n[scenarios.big]\nset = { market_size = 2e6 }\n\
           [scenarios.small]\nset = { market_size = 5e5 }\n";
    fs::write(dir.path().join("bass.toml"), text).unwrap();
    let runs = ["--runs", "20", "-q"];
    for flag in ["--scenario", "--scenarios"] {
        let out = dir.path().join(format!("cmp{flag}"));
        let args = ["compare", "bass.toml", flag, "big,small", "--out"];
        let mut args: Vec<&str> = args.to_vec();
        args.push(out.to_str().unwrap());
        args.extend(runs);
        sandtable(dir.path(), &args);
        assert!(out.join("big/summary.json").is_file() && out.join("small/summary.json").is_file());
        assert!(
            !out.join("baseline").exists(),
            "only the named scenarios are compared"
        );
    }
    // A command of one scenario refuses a second, and calibration refuses any: exit 2.
    let refused: [&[&str]; 3] = [
        &["run", "bass.toml", "--scenario", "big,small"],
        &[
            "mc",
            "bass.toml",
            "--scenario",
            "big",
            "--scenario",
            "small",
            "--runs",
            "5",
        ],
        &[
            "calibrate",
            "bass.toml",
            "--scenario",
            "big",
            "--data",
            "none.csv",
        ],
    ];
    for args in refused {
        let o = crate::util::run_in(dir.path(), args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("scenario") && stderr.contains("hint"),
            "{stderr}"
        );
    }
    assert!(!dir.path().join("outputs").exists(), "nothing written");
}

#[test]
fn too_many_failed_runs_write_the_outputs_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    // LN of a negative input is a numeric fault: about half the runs fail.
    let model = r#"
[sim]
start = 0
stop = 2
dt = 1
[stocks]
x = { initial = 1, inflows = ["growth"] }
[flows]
growth = "LN(a)"
[constants]
a = { value = 1, dist = "uniform(-1, 1)" }
[targets]
up = "x at 2 >= 0"
"#;
    fs::write(dir.path().join("m.toml"), model).unwrap();
    let out = Command::new(bin())
        .args(["mc", "m.toml", "--runs", "100", "--out", "s", "-q"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("--max-failed"),
        "{stderr}"
    );
    assert!(dir.path().join("s/summary.json").is_file());
    // Allowing every run to fail makes the same study exit 0.
    sandtable(
        dir.path(),
        &[
            "mc",
            "m.toml",
            "--runs",
            "100",
            "--out",
            "s",
            "-q",
            "--max-failed",
            "100%",
        ],
    );
}

/// `--set x[e]=v` fixes one element in `run` and in `mc` alike: the element takes the value,
/// the other elements keep theirs (and, in `mc`, stay uncertain).
#[test]
fn set_fixes_one_element_of_an_arrayed_constant_in_run_and_mc() {
    let dir = workdir();
    let model = r#"
[sim]
start = 0
stop = 4
dt = 1
[dimensions]
channel = ["ads", "posts"]
[stocks]
fans = { initial = 0, inflows = ["joining"], dims = ["channel"] }
[flows]
joining = { equation = "reach", dims = ["channel"] }
[constants]
reach = { value = { ads = 10, posts = 20 }, dims = ["channel"], dist = "uniform(5, 30)" }
[targets]
posts_total = "fans[posts] at 4 >= 100"
"#;
    fs::write(dir.path().join("arrayed.toml"), model).unwrap();
    sandtable(
        dir.path(),
        &[
            "run",
            "arrayed.toml",
            "--set",
            "reach[posts]=50",
            "--out",
            "r",
            "-q",
        ],
    );
    let csv = fs::read_to_string(dir.path().join("r/run.csv")).unwrap();
    assert_eq!(first_row_value(&csv, "reach[posts]"), 50.0);
    assert_eq!(first_row_value(&csv, "reach[ads]"), 10.0);
    let last: Vec<&str> = csv.lines().last().unwrap().split(',').collect();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(last[col("fans[posts]")].parse::<f64>().unwrap(), 200.0);
    sandtable(
        dir.path(),
        &[
            "mc",
            "arrayed.toml",
            "--runs",
            "30",
            "--set",
            "reach[posts]=50",
            "--out",
            "m",
            "-q",
        ],
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("m/summary.json")).unwrap())
            .unwrap();
    let inputs: Vec<&str> = summary["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["reach[ads]"]);
    // 50 a month for 4 months: every run meets 100.
    assert_eq!(summary["targets"][0]["probability"], 1.0);
    assert_eq!(
        summary["provenance"]["overrides"],
        serde_json::json!(["reach[posts]=50"])
    );
}

#[test]
fn verdict_thresholds_take_percentages_like_every_other_share() {
    let dir = workdir();
    let pct = bass_summary(
        dir.path(),
        "p",
        "5",
        &["--likely", "90%", "--unlikely", "10%"],
    );
    let plain = bass_summary(
        dir.path(),
        "n",
        "5",
        &["--likely", "0.9", "--unlikely", "0.1"],
    );
    let summary: serde_json::Value = serde_json::from_slice(&pct).unwrap();
    assert_eq!(summary["thresholds"]["likely"], 0.9);
    assert_eq!(summary["thresholds"]["unlikely"], 0.1);
    assert!(pct == plain, "90% and 0.9 give different studies");
    let out = crate::util::run_in(dir.path(), &["mc", "bass.toml", "--likely", "120%"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("verdict thresholds likely = 1.2"),
        "{stderr}"
    );
}
