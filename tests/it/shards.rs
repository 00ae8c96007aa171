//! One study split into shards run as separate processes, then merged: every output file of
//! the merged study equals the single-process study's, for random and Latin hypercube
//! designs; `--shard auto` reads Kubernetes and Slurm; bad merges exit 2 and write nothing;
//! a run range across an input block draws what the whole study draws.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::bin;

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for name in ["bass.toml", "enterprise_growth.toml"] {
        fs::copy(models.join(name), dir.path().join(name)).expect("copy model");
    }
    dir
}

fn sandtable(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(dir);
    for k in [
        "JOB_COMPLETION_INDEX",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("start sandtable");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = sandtable(dir, args, &[]);
    assert!(
        out.status.success(),
        "sandtable {args:?}: {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every file of `dir`, name and bytes, sorted by name.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs the study once, then as 4 shards (separate processes) merged in shuffled order, and
/// compares every file.
fn merged_equals_single(study: &[&str]) {
    let dir = workdir();
    let d = dir.path();
    let mut single: Vec<&str> = study.to_vec();
    single.extend(["--quiet", "--out", "single"]);
    ok(d, &single);
    for i in 0..4 {
        let shard = format!("{i}/4");
        let out = format!("shard{i}");
        let mut args: Vec<&str> = study.to_vec();
        args.extend(["--quiet", "--shard", &shard, "--out", &out]);
        ok(d, &args);
        let names: Vec<String> = contents(&d.join(&out)).into_iter().map(|f| f.0).collect();
        assert_eq!(
            names,
            [".sandtable-study", "records.bin", "runs.csv", "shard.json"]
        );
    }
    ok(
        d,
        &[
            "merge", "shard2", "shard0", "shard3", "shard1", "--quiet", "--out", "merged",
        ],
    );
    let a = contents(&d.join("single"));
    let b = contents(&d.join("merged"));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert!(a.iter().any(|f| f.0 == "summary.json"));
    for (x, y) in a.iter().zip(&b) {
        assert!(
            x.1 == y.1,
            "{} differs between the single and merged study",
            x.0
        );
    }
    // Each shard's runs.csv holds its own block of runs (⌊I·R/N⌋ ..), in order.
    let runs: u64 = study
        .windows(2)
        .find(|w| w[0] == "--runs")
        .map(|w| w[1].parse().unwrap())
        .unwrap();
    let mut next = 0;
    for i in 0..4u64 {
        let csv = fs::read_to_string(d.join(format!("shard{i}/runs.csv"))).unwrap();
        let ids: Vec<u64> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(ids.first().copied(), Some(i * runs / 4));
        assert_eq!(ids.first().copied(), Some(next));
        next = (i + 1) * runs / 4;
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.last().copied() < Some(next));
    }
}

#[test]
fn four_merged_shards_equal_the_single_study_latin_hypercube() {
    // 403 runs: blocks of 100, 101, 101, 101; the hypercube's strata span all 403 runs.
    merged_equals_single(&[
        "mc",
        "bass.toml",
        "--runs",
        "403",
        "--seed",
        "11",
        "--sampler",
        "lhs",
        "--track",
        "followers,adoption",
    ]);
}

#[test]
fn four_merged_shards_equal_the_single_study_random() {
    // In-equation noise, arrayed inputs, checkpoint targets and their period probabilities.
    merged_equals_single(&[
        "mc",
        "enterprise_growth.toml",
        "--runs",
        "90",
        "--seed",
        "5",
        "--sampler",
        "random",
    ]);
}

#[test]
fn shard_auto_reads_kubernetes_and_slurm_indices() {
    let dir = workdir();
    let d = dir.path();
    let study = [
        "mc",
        "bass.toml",
        "--runs",
        "40",
        "--sampler",
        "lhs",
        "--quiet",
    ];
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = study.to_vec();
        args.extend(extra);
        let out = sandtable(d, &args, env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["--shard", "2/4", "--out", "plain"], &[]);
    run(
        &["--shard", "auto", "--shards", "4", "--out", "k8s"],
        &[("JOB_COMPLETION_INDEX", "2")],
    );
    run(
        &["--shard", "auto", "--out", "slurm"],
        &[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ],
    );
    let plain = contents(&d.join("plain"));
    assert_eq!(plain, contents(&d.join("k8s")));
    assert_eq!(plain, contents(&d.join("slurm")));
    let info = fs::read_to_string(d.join("plain/shard.json")).unwrap();
    assert!(
        info.contains("\"index\": 2") && info.contains("\"first_run\": 20"),
        "{info}"
    );
    // Without an index to read, or without the Job's shard count: exit 2, nothing written.
    let mut args = study.to_vec();
    args.extend(["--shard", "auto", "--shards", "4", "--out", "none"]);
    let out = sandtable(d, &args, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JOB_COMPLETION_INDEX"));
    let mut args = study.to_vec();
    args.extend(["--shard", "auto", "--out", "none"]);
    let out = sandtable(d, &args, &[("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shards"));
    assert!(!d.join("none").exists());
}

/// `merge` with `dirs` fails with exit 2, says `expect`, and writes nothing.
fn refused(d: &Path, dirs: &[&str], expect: &str) {
    let mut args = vec!["merge"];
    args.extend(dirs);
    args.extend(["--out", "merged"]);
    let out = sandtable(d, &args, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{dirs:?}: {stderr}");
    assert!(
        stderr.contains(expect),
        "{dirs:?}: expected `{expect}` in:\n{stderr}"
    );
    assert!(!d.join("merged").exists(), "{dirs:?} wrote output");
}

#[test]
fn missing_duplicate_and_mismatched_shards_exit_2_and_write_nothing() {
    let dir = workdir();
    let d = dir.path();
    let shard = |n: &str, out: &str, seed: &str| {
        ok(
            d,
            &[
                "mc",
                "bass.toml",
                "--runs",
                "30",
                "--seed",
                seed,
                "--quiet",
                "--shard",
                n,
                "--out",
                out,
            ],
        );
    };
    shard("0/3", "a0", "1");
    shard("1/3", "a1", "1");
    shard("2/3", "a2", "1");
    shard("2/3", "b2", "2");
    refused(d, &["a0", "a2"], "1 of 3 shards missing: 1");
    refused(d, &["a0", "a1", "a2", "a1"], "given twice");
    refused(d, &["a0", "a1", "b2"], "seed differs");
    refused(d, &["a0", "a1", "nowhere"], "not a shard directory");
    // A damaged records file.
    let copy = d.join("c2");
    fs::create_dir(&copy).unwrap();
    for f in ["shard.json", "runs.csv", "records.bin"] {
        fs::copy(d.join("a2").join(f), copy.join(f)).unwrap();
    }
    let mut bytes = fs::read(copy.join("records.bin")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(copy.join("records.bin"), bytes).unwrap();
    refused(d, &["a0", "a1", "c2"], "does not match its shard.json");
    // A model edited after the shards ran.
    let model = fs::read_to_string(d.join("bass.toml")).unwrap();
    fs::write(d.join("bass.toml"), format!("{model}\n# edited\n")).unwrap();
    refused(d, &["a0", "a1", "a2"], "changed since the shards ran");
    fs::write(d.join("bass.toml"), model).unwrap();
    ok(
        d,
        &["merge", "a0", "a1", "a2", "--quiet", "--out", "merged"],
    );
    // A shard cannot also start at a first run.
    let out = sandtable(
        d,
        &[
            "mc",
            "bass.toml",
            "--runs",
            "30",
            "--first-run",
            "5",
            "--shard",
            "0/2",
            "--out",
            "x",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("x").exists());
}

/// Random inputs are drawn a block of 32,768 runs at a time. A range that starts inside the
/// first block and ends inside the second draws, run for run, what the whole study draws and
/// gets the same outcomes.
#[test]
fn a_range_across_an_input_block_boundary_equals_the_whole_study() {
    let dir = workdir();
    let d = dir.path();
    let (first, count) = (32_760usize, 16usize);
    let total = (first + count).to_string();
    ok(
        d,
        &[
            "mc",
            "bass.toml",
            "--runs",
            &total,
            "--quiet",
            "--out",
            "whole",
        ],
    );
    let (first_s, count_s) = (first.to_string(), count.to_string());
    ok(
        d,
        &[
            "mc",
            "bass.toml",
            "--first-run",
            &first_s,
            "--runs",
            &count_s,
            "--quiet",
            "--out",
            "range",
        ],
    );
    let whole = fs::read_to_string(d.join("whole/runs.csv")).unwrap();
    let range = fs::read_to_string(d.join("range/runs.csv")).unwrap();
    let whole: Vec<&str> = whole.lines().collect();
    let range: Vec<&str> = range.lines().collect();
    assert_eq!(whole.len(), first + count + 1, "every run counted");
    assert_eq!(range.len(), count + 1);
    assert_eq!(range[0], whole[0], "same columns");
    assert_eq!(range[1..], whole[first + 1..], "runs {first}.. drawn alike");
}
