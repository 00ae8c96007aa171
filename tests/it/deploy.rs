//! The deployment files in deploy/: the Kubernetes manifests parse as the Jobs they claim
//! to be, with matching shard counts, volumes and paths; and the commands they hold (and the
//! Slurm scripts') run: every shard, then the merge, with sandtable itself.

use serde_norway::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(name: &str) -> Value {
    let path = root().join("deploy/kubernetes").join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn get<'v>(v: &'v Value, path: &str) -> &'v Value {
    path.split('.')
        .fold(v, |v, key| match key.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[key],
        })
}

fn text<'v>(v: &'v Value, path: &str) -> &'v str {
    get(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path} is not text: {:?}", get(v, path)))
}

fn int(v: &Value, path: &str) -> u64 {
    get(v, path)
        .as_u64()
        .unwrap_or_else(|| panic!("{path} is not a whole number"))
}

/// The shell command a Job's single container runs (`/bin/sh -c ARGS`).
fn shell_command(job: &Value) -> String {
    let c = get(job, "spec.template.spec.containers.0");
    assert_eq!(text(c, "command.0"), "/bin/sh");
    assert_eq!(text(c, "command.1"), "-c");
    text(c, "args.0").to_string()
}

/// Runs `script` with sh in `dir`, `sandtable` meaning the binary under test.
fn sh(dir: &Path, script: &str, env: &[(&str, String)]) {
    shell("/bin/sh", dir, script, env)
}

/// Runs `script` with `shell` in `dir`, `sandtable` meaning the binary under test and
/// `srun` left out.
fn shell(shell: &str, dir: &Path, script: &str, env: &[(&str, String)]) {
    let bin = crate::util::bin();
    let script = script.replace("srun ", "");
    let out = Command::new(shell)
        .arg("-c")
        .arg(
            format!("sandtable() {{ '{}' \"$@\"; }}\n{script}", bin.display())
                .replace("exec sandtable", "sandtable"),
        )
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("start sh");
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("models")).unwrap();
    fs::copy(
        root().join("models/enterprise_growth.toml"),
        dir.path().join("models/enterprise_growth.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn kubernetes_jobs_are_indexed_and_consistent_and_their_commands_merge() {
    let shards = yaml("study-shards.yaml");
    let merge = yaml("merge-job.yaml");
    for job in [&shards, &merge] {
        assert_eq!(text(job, "apiVersion"), "batch/v1");
        assert_eq!(text(job, "kind"), "Job");
        assert_eq!(text(job, "spec.template.spec.restartPolicy"), "Never");
        assert_eq!(
            text(
                job,
                "spec.template.spec.volumes.0.persistentVolumeClaim.claimName"
            ),
            "sandtable-data"
        );
        let c = get(job, "spec.template.spec.containers.0");
        assert_eq!(
            text(c, "volumeMounts.0.name"),
            text(job, "spec.template.spec.volumes.0.name")
        );
        assert_eq!(text(c, "volumeMounts.0.mountPath"), text(c, "workingDir"));
    }
    assert_eq!(text(&shards, "spec.completionMode"), "Indexed");
    let n = int(&shards, "spec.completions");
    assert_eq!(int(&shards, "spec.parallelism"), n);
    let cmd = shell_command(&shards);
    assert!(cmd.contains("--shard auto"), "{cmd}");
    assert!(
        cmd.contains(&format!("--shards {n}")),
        "{cmd}: --shards must equal completions"
    );
    assert!(cmd.contains("$JOB_COMPLETION_INDEX"), "{cmd}");
    let env = get(&shards, "spec.template.spec.containers.0.env");
    let var = |name: &str| {
        env.as_sequence()
            .unwrap()
            .iter()
            .find(|e| text(e, "name") == name)
            .map(|e| text(e, "value").to_string())
            .unwrap_or_else(|| panic!("no env {name}"))
    };
    assert!(var("RUNS").parse::<u64>().unwrap() >= n);
    let merge_cmd = shell_command(&merge);
    assert!(
        merge_cmd.contains("sandtable merge shards/*"),
        "{merge_cmd}"
    );

    // Run what the pods run: every index, then the merge, on a small study.
    let dir = workdir();
    for i in 0..n {
        sh(
            dir.path(),
            &cmd,
            &[
                ("RUNS", "24".to_string()),
                ("SEED", var("SEED")),
                ("JOB_COMPLETION_INDEX", i.to_string()),
            ],
        );
    }
    sh(dir.path(), &merge_cmd, &[]);
    let summary = fs::read_to_string(dir.path().join("study/summary.json")).unwrap();
    assert!(summary.contains("\"runs\": 24"), "{summary}");
}

#[test]
fn slurm_scripts_run_a_contiguous_array_then_merge() {
    let dir_scripts = root().join("deploy/slurm");
    let study = fs::read_to_string(dir_scripts.join("study.sbatch")).unwrap();
    let merge = fs::read_to_string(dir_scripts.join("merge.sbatch")).unwrap();
    let submit = fs::read_to_string(dir_scripts.join("submit.sh")).unwrap();
    let array = study
        .lines()
        .find_map(|l| l.strip_prefix("#SBATCH --array="))
        .expect("an --array line");
    let (lo, hi) = array.split_once('-').expect("a range like 0-7");
    let (lo, hi): (u64, u64) = (lo.parse().unwrap(), hi.parse().unwrap());
    assert!(hi >= lo);
    assert!(study.contains("--shard auto"));
    assert!(submit.contains("--dependency=afterok:"));
    assert!(submit.contains("study.sbatch") && submit.contains("merge.sbatch"));
    // The scripts' bodies, as Slurm would run them for each task, then the merge.
    let dir = workdir();
    for id in lo..=hi {
        shell(
            "bash",
            dir.path(),
            &study,
            &[
                ("RUNS", "20".to_string()),
                ("SLURM_ARRAY_TASK_ID", id.to_string()),
                ("SLURM_ARRAY_TASK_MIN", lo.to_string()),
                ("SLURM_ARRAY_TASK_COUNT", (hi - lo + 1).to_string()),
                ("SLURM_CPUS_PER_TASK", "1".to_string()),
            ],
        );
    }
    shell("bash", dir.path(), &merge, &[]);
    let summary = fs::read_to_string(dir.path().join("study/summary.json")).unwrap();
    assert!(summary.contains("\"runs\": 20"), "{summary}");
}
