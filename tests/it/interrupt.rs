//! A study directory is replaced as a whole, by real `sandtable mc` processes: SIGINT, SIGTERM
//! and SIGHUP while the study is being written leave the previous study untouched (or, if
//! the swap had begun, the new one complete) and no temporary directory; `kill -9` leaves one
//! whole study and the next run cleans up; two processes writing the same directory leave
//! exactly one of their studies. No test depends on timing: signals are sent once the
//! process is seen writing (its temporary directory exists).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

type Study = BTreeMap<String, Vec<u8>>;

use crate::util::bin;

fn mc(dir: &Path, seed: &str, out: &str) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args([
        "mc",
        "bass.toml",
        "--runs",
        "4000",
        "--seed",
        seed,
        "--threads",
        "1",
        "-q",
        "--out",
        out,
    ])
    .current_dir(dir)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

fn setup() -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/bass.toml");
    fs::copy(model, temp.path().join("bass.toml")).expect("copy model");
    temp
}

/// Every file of a study directory, by relative name.
fn snapshot(dir: &Path) -> Study {
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

/// Runs one study to completion and returns its files.
fn complete_study(dir: &Path, seed: &str, out: &str) -> Study {
    let done = mc(dir, seed, out).output().expect("run mc");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let study = snapshot(&dir.join(out));
    assert!(study.contains_key("summary.json") && study.contains_key(".sandtable-study"));
    study
}

/// Names in `dir` other than the study `out`, its lock and the model: temporaries.
fn leftovers(dir: &Path, out: &str) -> Vec<String> {
    let lock = format!(".{out}.lock");
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != out && *n != lock && n != "bass.toml")
        .collect()
}

/// Starts a study and returns it once it is writing its files (its temporary directory
/// exists), or `None` if it finished before that was seen.
fn start_writing(dir: &Path, seed: &str, out: &str) -> Option<Child> {
    let mut child = mc(dir, seed, out).spawn().expect("start mc");
    let temp = dir.join(format!(".{out}.new-{}", child.id()));
    loop {
        if temp.exists() {
            return Some(child);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "mc failed: {status:?}");
            return None;
        }
        std::thread::yield_now();
    }
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{name} failed");
}

fn wait(mut child: Child) -> ExitStatus {
    child.wait().expect("wait for mc")
}

#[test]
fn signals_while_writing_leave_the_old_study_or_the_whole_new_one() {
    let temp = setup();
    let dir = temp.path();
    let old = complete_study(dir, "1", "out");
    let new_dir = setup();
    for (k, (name, code)) in [("INT", 130), ("TERM", 143), ("HUP", 129)]
        .into_iter()
        .enumerate()
    {
        let mut interrupted = 0;
        for attempt in 0..10 {
            let seed = (100 + 10 * k + attempt).to_string();
            let Some(child) = start_writing(dir, &seed, "out") else {
                // Finished too fast to catch; the study it wrote is the new "old" one.
                continue;
            };
            signal(&child, name);
            let status = wait(child);
            let now = snapshot(&dir.join("out"));
            let before = if now == old {
                true
            } else {
                let expected = complete_study(new_dir.path(), &seed, &format!("s{seed}"));
                assert_eq!(now, expected, "SIG{name}: the directory mixes two studies");
                false
            };
            assert!(
                leftovers(dir, "out").is_empty(),
                "SIG{name}: left {:?}",
                leftovers(dir, "out")
            );
            // The signal ends the process with 128 + its number; only a process that had
            // already exited before the signal arrived may report success.
            assert!(
                status.code() == Some(code) || (status.success() && !before),
                "SIG{name}: exit status {status:?}"
            );
            if status.code() == Some(code) {
                interrupted += 1;
            }
            if !before {
                // Restore the reference study for the next attempt.
                complete_study(dir, "1", "out");
            }
            if interrupted >= 1 {
                break;
            }
        }
        assert!(interrupted >= 1, "SIG{name} never arrived while writing");
    }
}

#[test]
fn kill_9_while_writing_leaves_one_whole_study_and_the_next_run_cleans_up() {
    let temp = setup();
    let dir = temp.path();
    let old = complete_study(dir, "1", "out");
    let reference = setup();
    let mut killed = 0;
    for attempt in 0..10 {
        let seed = (200 + attempt).to_string();
        let Some(child) = start_writing(dir, &seed, "out") else {
            continue;
        };
        signal(&child, "KILL");
        let status = wait(child);
        let now = snapshot(&dir.join("out"));
        if now != old {
            assert!(status.success(), "killed mid-swap yet the study changed");
            let expected = complete_study(reference.path(), &seed, &format!("s{seed}"));
            assert_eq!(now, expected, "the directory mixes two studies");
            complete_study(dir, "1", "out");
            continue;
        }
        killed += 1;
        // The killed writer's temporary directory may remain; the next writer removes it.
        let next = complete_study(dir, "7", "out");
        assert_eq!(
            next,
            complete_study(reference.path(), "7", "seven"),
            "the study after a kill is not the whole new study"
        );
        assert!(
            leftovers(dir, "out").is_empty(),
            "stale temporaries survived: {:?}",
            leftovers(dir, "out")
        );
        break;
    }
    assert!(killed >= 1, "kill -9 never arrived while writing");
}

#[test]
fn two_writers_of_one_directory_leave_exactly_one_of_their_studies() {
    let temp = setup();
    let dir = temp.path();
    let a = complete_study(dir, "11", "a");
    let b = complete_study(dir, "12", "b");
    for round in 0..3 {
        let first = mc(dir, "11", "out").spawn().expect("start mc");
        let second = mc(dir, "12", "out").spawn().expect("start mc");
        assert!(wait(first).success() && wait(second).success());
        let now = snapshot(&dir.join("out"));
        assert!(
            now == a || now == b,
            "round {round}: the directory mixes the two studies"
        );
        assert!(leftovers(dir, "out")
            .iter()
            .all(|n| n == "a" || n == "b" || n == ".a.lock" || n == ".b.lock"));
    }
}
