//! `sandtable loops` and `[loops]` sections: files written for a good model; a bad model or a
//! named loop whose path is not a loop → exit 2, a located message, nothing written.

use super::util::bin;
use std::fs;
use std::process::Command;

const LOGISTIC: &str = r#"[sim]
start = 0
stop = 30
dt = 0.25
save_step = 0.5
time_unit = "day"

[stocks]
x = { initial = 1, inflows = ["births"], outflows = ["deaths"] }

[flows]
births = { equation = "r * x" }
deaths = { equation = "r * x * x / k" }

[constants]
r = { value = 0.5 }
k = { value = 100 }

[loops]
growth = { label = "births", path = ["x", "births"] }
crowding = { path = ["x", "deaths", "x"] }
"#;

fn loops(dir: &std::path::Path, model: &str) -> std::process::Output {
    fs::write(dir.join("m.toml"), model).unwrap();
    Command::new(bin())
        .args(["loops", "m.toml", "--out", "out"])
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn loops_writes_scores_paths_and_chart_with_the_model_s_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = loops(dir.path(), LOGISTIC);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("R1 growth (births): x → births → x"),
        "{stdout}"
    );
    assert!(stdout.contains("B1 crowding: x → deaths → x"), "{stdout}");
    let mut files: Vec<String> = fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    files.sort();
    assert_eq!(files, ["chart_loop_dominance.png", "loops.csv", "loops.md"]);
    let csv = fs::read_to_string(dir.path().join("out/loops.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time,R1,B1"));
    assert_eq!(csv.lines().count(), 62);
    // Every row's relative scores are in [−1, 1], signed by polarity, summing to 1 in size.
    for line in lines.skip(1) {
        let v: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
        assert!(
            v[1] > 0.0 && v[1] <= 1.0 && v[2] < 0.0 && v[2] >= -1.0,
            "{line}"
        );
        assert!((v[1].abs() + v[2].abs() - 1.0).abs() < 1e-9, "{line}");
    }
    let md = fs::read_to_string(dir.path().join("out/loops.md")).unwrap();
    assert!(md.contains("R1 growth dominates") && md.contains("B1 crowding dominates"));
}

#[test]
fn a_bad_model_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = loops(
        dir.path(),
        &LOGISTIC.replace("r * x * x / k", "r * x * x / kk"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("out").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kk"), "{stderr}");
}

#[test]
fn a_named_loop_that_is_not_a_loop_is_located_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let bad = LOGISTIC.replace(r#"["x", "deaths", "x"]"#, r#"["x", "births", "deaths"]"#);
    let out = loops(dir.path(), &bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("out").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("loop `crowding`: `births` does not affect `deaths`"),
        "{stderr}"
    );
    assert!(stderr.contains("m.toml:21:"), "{stderr}");
    assert!(stderr.contains("`deaths` is affected by `x`"), "{stderr}");
    // The same check guards `check` and `mc --loops`.
    let check = Command::new(bin())
        .args(["check", "m.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let unknown = LOGISTIC.replace(r#"["x", "births"]"#, r#"["x", "birth"]"#);
    let out = loops(dir.path(), &unknown);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("unknown variable `birth`") && stderr.contains("did you mean `births`?"),
        "{stderr}"
    );
}

#[test]
fn mc_loops_reports_dominance_in_runs_that_hit_and_miss() {
    let dir = tempfile::tempdir().unwrap();
    let model = format!(
        "{LOGISTIC}\n[uncertain]\nr = \"uniform(0.3, 0.7)\"\n\n[targets]\nbig = {{ target = \"x at 15 >= 50\" }}\n"
    );
    fs::write(dir.path().join("m.toml"), model).unwrap();
    let out = Command::new(bin())
        .args([
            "mc", "m.toml", "--runs", "200", "--loops", "100", "--out", "out", "-q",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("out/loops_big.png").exists());
    let md = fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    let section = &md[md.find("## Loop dominance").expect("section")..];
    // Runs that reach x = 50 by day 15 grow faster, so crowding takes over earlier.
    assert!(
        section.contains("runs that reach it: R1 growth from day 0.5, then B1 crowding from day"),
        "{section}"
    );
    assert!(
        section.contains("runs that miss it: R1 growth from day 0.5"),
        "{section}"
    );
}
