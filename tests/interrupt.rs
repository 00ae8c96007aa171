//! Interrupting `mc` (SIGINT) while it overwrites an output directory leaves every file either
//! the old complete one or a new complete one, and no temporary file.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sandtable"))
}

fn mc(dir: &Path, seed: &str, runs: &str) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args([
        "mc",
        "bass.toml",
        "--runs",
        runs,
        "--seed",
        seed,
        "--threads",
        "1",
        "-q",
        "--out",
        "out",
    ])
    .current_dir(dir)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("read output dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("read output"),
            )
        })
        .collect()
}

/// Whether `bytes` is a whole file of the kind its name says.
fn complete(name: &str, bytes: &[u8]) -> bool {
    if name.ends_with(".png") {
        bytes.starts_with(b"\x89PNG\r\n\x1a\n")
            && bytes.len() > 20
            && &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND"
    } else if name.ends_with(".json") {
        serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
    } else {
        // CSV and Markdown end with a newline when complete.
        bytes.ends_with(b"\n")
    }
}

/// Checks the directory after an interrupt against the outputs of the previous run.
fn check(dir: &Path, old: &BTreeMap<String, Vec<u8>>, when: &str) {
    let now = snapshot(dir);
    for (name, bytes) in &now {
        assert!(
            !name.starts_with('.'),
            "{when}: temporary file `{name}` left behind"
        );
        assert!(old.contains_key(name), "{when}: unexpected file `{name}`");
        assert!(complete(name, bytes), "{when}: `{name}` is incomplete");
    }
    assert_eq!(now.len(), old.len(), "{when}: files went missing");
}

#[test]
fn sigint_never_leaves_partial_outputs() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/bass.toml");
    fs::copy(model, dir.join("bass.toml")).expect("copy model");
    let runs = "2000";

    // Outputs of a previous run, and how long a whole run takes on this machine.
    let started = Instant::now();
    let first = mc(dir, "1", runs).output().expect("run mc");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let full = started.elapsed();
    let old = snapshot(&dir.join("out"));
    assert!(
        old.contains_key("summary.json") && old.len() > 5,
        "{:?}",
        old.keys()
    );
    for (name, bytes) in &old {
        assert!(complete(name, bytes), "first run: `{name}` is incomplete");
    }

    // Interrupt early (while simulating) and late (around the writing of the outputs).
    let mut outcomes = Vec::new();
    for (i, fraction) in [0.3, 0.85, 0.95, 0.99].into_iter().enumerate() {
        let seed = (10 + i).to_string();
        let mut child = mc(dir, &seed, runs).spawn().expect("start mc");
        std::thread::sleep(full.mul_f64(fraction));
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(kill.success() || child.try_wait().ok().flatten().is_some());
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            assert!(Instant::now() < deadline, "mc did not stop after SIGINT");
            std::thread::sleep(Duration::from_millis(10));
        };
        // 130 when interrupted, 0 when it had already finished.
        assert!(
            matches!(status.code(), Some(0) | Some(130)),
            "exit status {status:?}"
        );
        outcomes.push(status.code());
        check(
            &dir.join("out"),
            &old,
            &format!("interrupt at {fraction} of a run"),
        );
    }
    assert!(
        outcomes.contains(&Some(130)),
        "no run was interrupted: {outcomes:?}"
    );
}
