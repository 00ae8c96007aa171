//! Unit tests of the whole-directory study writer.

use super::*;
use std::collections::BTreeSet;

fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn study(target: &Path, files: &[(&str, &str)]) -> Result<PathBuf, StudyDirError> {
    let out = StudyDir::begin(target)?;
    for (name, text) in files {
        out.write(name, text.as_bytes())?;
    }
    out.commit()
}

#[test]
fn a_new_study_holds_its_files_and_the_marker_and_nothing_is_left_beside_it() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    let done = study(&target, &[("a.csv", "1\n"), ("charts/b.png", "png")]).unwrap();
    assert_eq!(done, fs::canonicalize(&target).unwrap());
    assert_eq!(names(&target), set(&[MARKER, "a.csv", "charts"]));
    assert_eq!(
        fs::read_to_string(target.join("charts/b.png")).unwrap(),
        "png"
    );
    assert_eq!(names(root.path()), set(&[".out.lock", "out"]));
}

#[test]
fn a_second_study_replaces_the_first_as_a_whole() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    study(&target, &[("old_chart.png", "x"), ("summary.json", "old")]).unwrap();
    study(&target, &[("summary.json", "new")]).unwrap();
    assert_eq!(names(&target), set(&[MARKER, "summary.json"]));
    assert_eq!(
        fs::read_to_string(target.join("summary.json")).unwrap(),
        "new"
    );
    assert_eq!(names(root.path()), set(&[".out.lock", "out"]));
}

#[test]
fn a_directory_of_the_users_own_files_is_refused_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("thesis.tex"), "mine").unwrap();
    let err = study(root.path(), &[("a.csv", "1\n")]).unwrap_err();
    assert!(matches!(err, StudyDirError::NotOurs { .. }), "{err}");
    assert_eq!(names(root.path()), set(&["thesis.tex"]));
    let d = Diagnostic::from(err);
    assert!(d.hint.unwrap().contains("--out"));
}

#[test]
fn an_empty_directory_is_taken_over() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("empty");
    fs::create_dir(&target).unwrap();
    study(&target, &[("a.csv", "1\n")]).unwrap();
    assert_eq!(names(&target), set(&[MARKER, "a.csv"]));
}

#[test]
fn a_file_in_the_way_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    fs::write(&target, "file").unwrap();
    let err = study(&target, &[]).unwrap_err();
    assert!(matches!(err, StudyDirError::NotADirectory { .. }), "{err}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "file");
}

#[test]
fn an_abandoned_study_leaves_the_old_one_and_no_temporary() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    study(&target, &[("summary.json", "old")]).unwrap();
    {
        let out = StudyDir::begin(&target).unwrap();
        out.write("summary.json", b"half").unwrap();
        assert!(out.path().exists());
    }
    assert_eq!(
        fs::read_to_string(target.join("summary.json")).unwrap(),
        "old"
    );
    assert_eq!(names(root.path()), set(&[".out.lock", "out"]));
}

#[test]
fn stale_temporaries_of_dead_writers_are_removed_on_start() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    study(&target, &[("summary.json", "old")]).unwrap();
    for stale in [".out.new-4242", ".out.old-4243"] {
        fs::create_dir(root.path().join(stale)).unwrap();
        fs::write(root.path().join(stale).join("x"), "x").unwrap();
    }
    let out = StudyDir::begin(&target).unwrap();
    let mut expected = set(&[".out.lock", "out"]);
    expected.insert(
        out.path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    );
    assert_eq!(names(root.path()), expected);
}

#[test]
fn an_old_study_left_beside_a_missing_directory_is_put_back() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    study(&target, &[("summary.json", "old")]).unwrap();
    // As if a writer without an atomic exchange died between its two renames.
    fs::rename(&target, root.path().join(".out.old-4242")).unwrap();
    let out = StudyDir::begin(&target).unwrap();
    assert_eq!(
        fs::read_to_string(target.join("summary.json")).unwrap(),
        "old"
    );
    drop(out);
    assert_eq!(names(root.path()), set(&[".out.lock", "out"]));
}

#[test]
fn file_names_cannot_escape_the_study() {
    let root = tempfile::tempdir().unwrap();
    let out = StudyDir::begin(&root.path().join("out")).unwrap();
    assert!(out.write("../escape.txt", b"x").is_err());
    assert!(out.write("/tmp/escape.txt", b"x").is_err());
    assert!(!root.path().join("escape.txt").exists());
}

#[test]
fn swap_moves_a_new_directory_in_and_hands_back_the_old_one() {
    let root = tempfile::tempdir().unwrap();
    let (new, target, old) = (
        root.path().join("new"),
        root.path().join("target"),
        root.path().join("old"),
    );
    fs::create_dir(&new).unwrap();
    fs::write(new.join("f"), "first").unwrap();
    assert!(swap(&new, &target, &old).unwrap().is_none());
    assert_eq!(fs::read_to_string(target.join("f")).unwrap(), "first");
    fs::create_dir(&new).unwrap();
    fs::write(new.join("f"), "second").unwrap();
    let previous = swap(&new, &target, &old).unwrap().unwrap();
    assert_eq!(fs::read_to_string(target.join("f")).unwrap(), "second");
    assert_eq!(fs::read_to_string(previous.join("f")).unwrap(), "first");
}
