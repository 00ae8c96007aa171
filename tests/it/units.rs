//! Units checking end to end: `check` warns with file:line:col, `--strict-units` and
//! `[sim] strict_units` make problems errors, the shipped models are consistent, XMILE units
//! are read the same way, and no suite model makes the checker panic.

use sandtable::loader::load_model;
use sandtable::units::check_file;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PEOPLE_PLUS_RATE: &str = r#"[sim]
start = 0
stop = 12
dt = 1
time_unit = "month"

[stocks]
population = { initial = 100, inflows = ["births"], unit = "people" }

[flows]
births = { equation = "population + population / lifetime", unit = "people/month" }

[constants]
lifetime = { value = 60, unit = "month" }
"#;

fn sandtable(args: &[&str]) -> Output {
    Command::new(crate::util::bin())
        .args(args)
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_warns_about_people_plus_people_per_month_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "pop.toml", PEOPLE_PLUS_RATE);
    let out = sandtable(&["check", path.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Line 11, column 37 is the start of `population / lifetime`.
    let expected = format!(
        "{}:11:37: warning: `births`: `+`: `population` is in `person` but \
         `population / lifetime` is in `person/month`",
        path.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    // The flow is then in people, not people per month.
    assert!(!stderr.contains("flow of stock"), "{stderr}");
    assert!(stdout.contains("units: 1 problem(s)"), "{stdout}");
}

#[test]
fn strict_units_flag_makes_problems_errors_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "pop.toml", PEOPLE_PLUS_RATE);
    let p = path.to_str().unwrap();
    for args in [
        vec!["check", p, "--strict-units"],
        vec![
            "run",
            p,
            "--strict-units",
            "--out",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let out = sandtable(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(":11:37: error: `births`: `+`"), "{stderr}");
        assert!(stderr.contains("1 unit problem(s)"), "{stderr}");
        assert!(!dir.path().join("run.csv").exists());
    }
}

#[test]
fn strict_units_setting_in_sim_makes_every_command_refuse_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let strict = PEOPLE_PLUS_RATE.replace("dt = 1\n", "dt = 1\nstrict_units = true\n");
    let path = write(dir.path(), "pop.toml", &strict);
    let out_dir = dir.path().join("out");
    let p = path.to_str().unwrap();
    let o = out_dir.to_str().unwrap();
    for args in [
        vec!["check", p],
        vec!["run", p, "--out", o],
        vec!["mc", p, "--runs", "2", "--out", o, "--quiet"],
    ] {
        let out = sandtable(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("error: `births`"), "{args:?}");
    }
    assert!(!out_dir.exists(), "nothing is written");
    // Without the problem the strict model runs.
    let fixed = strict.replace(
        "population + population / lifetime",
        "population / lifetime",
    );
    let path = write(dir.path(), "ok.toml", &fixed);
    let out = sandtable(&["run", path.to_str().unwrap(), "--out", o, "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn every_shipped_model_is_consistent() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let model = load_model(&path).unwrap_or_else(|e| panic!("{e}"));
        let report = check_file(&path, &model).unwrap_or_else(|e| panic!("{e}"));
        let shown: Vec<String> = report.problems.iter().map(|d| d.to_string()).collect();
        assert!(
            shown.is_empty(),
            "{}:\n{}",
            path.display(),
            shown.join("\n")
        );
        let out = sandtable(&["check", path.to_str().unwrap()]);
        assert!(text(&out.stdout).contains("units: consistent"));
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} models found");
}

#[test]
fn a_broken_unit_in_the_reference_model_is_found() {
    // Metamorphic: undoing one fix of the reference model brings its problem back.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/enterprise_growth.toml");
    let original = std::fs::read_to_string(root).unwrap();
    let broken = original.replace(
        "view_to_aware = { value = 0.01, unit = \"people/view\"",
        "view_to_aware = { value = 0.01, unit = \"1\"",
    );
    assert_ne!(broken, original);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "eg.toml", &broken);
    let model = load_model(&path).unwrap();
    let problems = check_file(&path, &model).unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].message.starts_with(
        "`view_to_aware_used`: the equation is in `1` but the declared unit is `people/view`"
    ));
}

const XMILE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><name>fans</name></header>
  <sim_specs time_units="Months"><start>0</start><stop>10</stop><dt>1</dt></sim_specs>
  <model_units>
    <unit name="Person"><alias>Fans</alias></unit>
  </model_units>
  <model>
    <variables>
      <stock name="audience"><eqn>10</eqn><inflow>joining</inflow><units>People</units></stock>
      <flow name="joining"><eqn>audience * rate</eqn><units>fans/month</units></flow>
      <aux name="rate"><eqn>0.1</eqn><units>1/month</units></aux>
      <aux name="bad"><eqn>audience + rate</eqn><units>fans</units></aux>
    </variables>
  </model>
</xmile>
"#;

#[test]
fn xmile_units_and_model_units_are_checked_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "fans.xmile", XMILE);
    let model = load_model(&path).unwrap_or_else(|e| panic!("{e}"));
    let problems = check_file(&path, &model).unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0]
            .message
            .starts_with("`bad`: `+`: `audience` is in `person` but `rate` is in `1/month`"),
        "{}",
        problems[0].message
    );
    assert_eq!(problems[0].at.line, 13);
}

fn suite_root() -> PathBuf {
    match std::env::var_os("SANDTABLE_TEST_MODELS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/test-models"),
    }
}

#[test]
fn checking_every_suite_model_never_panics() {
    let mut stack = vec![suite_root()];
    let (mut loaded, mut problems) = (0, 0);
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
            if !matches!(ext.as_deref(), Some("xmile" | "stmx")) {
                continue;
            }
            let Ok(model) = load_model(&path) else {
                continue;
            };
            let report = check_file(&path, &model).unwrap_or_else(|e| panic!("{e}"));
            for d in &report.problems {
                // Every problem points into the file it came from.
                assert!(d.at.file.is_some(), "{}: {d}", path.display());
            }
            problems += report.problems.len();
            loaded += 1;
        }
    }
    assert!(
        loaded >= 50,
        "only {loaded} suite models loaded from {}",
        suite_root().display()
    );
    eprintln!("{loaded} suite models checked, {problems} unit problems");
}
