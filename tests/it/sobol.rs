//! `mc --sobol`: Sobol indices of the Ishigami function against their exact values, the same
//! numbers on any thread count, the base study untouched by the extra runs, and the designs
//! it refuses.

use crate::util::run_in;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn sandtable(args: &[&str]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs `mc` with `args` into a fresh directory and returns the directory and summary.json.
fn mc(model: &Path, args: &[&str]) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = vec!["mc", model.to_str().unwrap(), "-q", "--out"];
    all.push(out.to_str().unwrap());
    all.extend_from_slice(args);
    let o = sandtable(&all);
    assert!(
        o.status.success(),
        "mc {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = fs::read_to_string(out.join("summary.json")).unwrap();
    (dir, serde_json::from_str(&text).unwrap())
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn ishigami_indices_match_the_exact_values() {
    let (_dir, s) = mc(
        &data("tests/sobol/ishigami.toml"),
        &["--runs", "20000", "--sobol"],
    );
    assert_eq!(s["sobol"]["base_runs"], 20000);
    assert_eq!(s["sobol"]["total_runs"], 100000);
    assert_eq!(s["runs"], 20000);
    let t = &s["targets"][0];
    assert_eq!(t["sobol_basis"]["on_ranks"], false);
    // Exact values for a = 7, b = 0.1 (Sobol & Levitan 1999).
    let exact = [
        ("x1", 0.3139, 0.5576),
        ("x2", 0.4424, 0.4424),
        ("x3", 0.0, 0.2437),
    ];
    let list = t["sobol"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for (x, (name, first, total)) in list.iter().zip(exact) {
        assert_eq!(x["input"], name);
        for (key, want) in [("first", first), ("total", total)] {
            let got = num(&x[key]);
            let se = num(&x[format!("{key}_se").as_str()]);
            assert!(se > 0.0 && se < 0.02, "{name} {key}: se {se}");
            assert!(
                (got - want).abs() <= (3.0 * se).max(0.03),
                "{name} {key}: {got} (se {se}) vs exact {want}"
            );
            let ci = &x[format!("{key}_ci95").as_str()];
            assert!(
                num(&ci[0]) <= got && got <= num(&ci[1]),
                "{name} {key}: {ci}"
            );
        }
    }
}

/// The parts of a summary that come from the base runs: everything but the Sobol fields.
fn without_sobol(mut s: Value) -> Value {
    let o = s.as_object_mut().unwrap();
    o.remove("sobol");
    for t in o["targets"].as_array_mut().unwrap() {
        let t = t.as_object_mut().unwrap();
        t.remove("sobol");
        t.remove("sobol_basis");
    }
    s
}

#[test]
fn the_base_study_is_the_same_with_and_without_sobol() {
    for sampler in ["random", "lhs"] {
        let args = ["--runs", "600", "--seed", "5", "--sampler", sampler];
        let model = data("models/bass.toml");
        let (plain_dir, plain) = mc(&model, &args);
        let mut with = args.to_vec();
        with.push("--sobol");
        let (sobol_dir, sobol) = mc(&model, &with);
        assert!(plain.get("sobol").is_none());
        assert!(sobol["targets"][0]["sobol"]
            .as_array()
            .is_some_and(|l| l.len() == 2));
        assert_eq!(without_sobol(plain), without_sobol(sobol), "{sampler}");
        for file in ["runs.csv", "percentiles.csv"] {
            let read = |d: &tempfile::TempDir| fs::read(d.path().join("out").join(file)).unwrap();
            assert!(
                read(&plain_dir) == read(&sobol_dir),
                "{sampler}: {file} differs"
            );
        }
    }
}

#[test]
fn same_seed_same_indices_on_any_thread_count() {
    let model = data("models/bass.toml");
    let run = |threads: &str| {
        mc(&model, &["--runs", "400", "--sobol", "--threads", threads]).1["targets"].clone()
    };
    let one = run("1");
    assert_eq!(one, run("3"));
    let ishigami = data("tests/sobol/ishigami.toml");
    let other_seed = mc(&ishigami, &["--runs", "400", "--sobol", "--seed", "2"]).1;
    let same = mc(
        &ishigami,
        &["--runs", "400", "--sobol", "--seed", "2", "--threads", "1"],
    )
    .1;
    assert_eq!(other_seed["targets"], same["targets"]);
    let third = mc(&ishigami, &["--runs", "400", "--sobol", "--seed", "3"]).1;
    assert_ne!(
        other_seed["targets"][0]["sobol"],
        third["targets"][0]["sobol"]
    );
}

#[test]
fn the_study_key_turns_it_on() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(data("tests/sobol/ishigami.toml")).unwrap();
    let path = dir.path().join("ishigami.toml");
    fs::write(&path, text.replace("seed = 11", "seed = 11\nsobol = true")).unwrap();
    let (_out, s) = mc(&path, &["--runs", "300"]);
    assert_eq!(s["sobol"]["total_runs"], 1500);
    assert_eq!(s["targets"][0]["sobol"].as_array().unwrap().len(), 3);
}

/// Runs `args` expecting exit code 2, a message containing `needle`, a hint, and no files.
fn refused(args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = args.to_vec();
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = sandtable(&all);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(err.contains("hint:"), "{args:?}: {err}");
    assert!(!out.exists(), "{args:?} wrote files");
}

#[test]
fn correlated_inputs_posteriors_shards_and_compare_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(data("models/bass.toml")).unwrap();
    let path = dir.path().join("corr.toml");
    fs::write(
        &path,
        format!("{text}\n[correlations]\ninputs = [\"p\", \"q\"]\nmatrix = [[1, 0.5], [0.5, 1]]\n"),
    )
    .unwrap();
    let model = path.to_str().unwrap();
    refused(
        &["mc", model, "--runs", "100", "--sobol"],
        "independent inputs",
    );
    let bass = data("models/bass.toml");
    let bass = bass.to_str().unwrap();
    refused(
        &["mc", bass, "--runs", "100", "--sobol", "--shard", "0/2"],
        "--shard cannot split a study with --sobol",
    );
    refused(
        &["compare", bass, "--runs", "100", "--sobol"],
        "--sobol goes with",
    );
    let posterior = dir.path().join("posterior.csv");
    fs::write(&posterior, "p,q\n0.03,0.4\n0.02,0.3\n").unwrap();
    let posterior = posterior.to_str().unwrap();
    refused(
        &[
            "mc",
            bass,
            "--runs",
            "100",
            "--sobol",
            "--posterior",
            posterior,
        ],
        "jointly from a posterior",
    );
    let ishigami = data("tests/sobol/ishigami.toml");
    refused(
        &[
            "mc",
            ishigami.to_str().unwrap(),
            "--runs",
            "5000000",
            "--sobol",
        ],
        "needs 25000000 runs",
    );
    refused(
        &[
            "mc", bass, "--runs", "100", "--sobol", "--set", "p=0.03", "--set", "q=0.4",
        ],
        "at least one uncertain input",
    );
}
