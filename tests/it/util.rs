//! Shared helpers for the integration tests: build a model from TOML text and run it.
#![allow(dead_code)]

use sandtable::compile::{compile, Program};
use sandtable::diagnostic::SourceFile;
use sandtable::model::{toml_file, Method, Model};
use sandtable::simulate::{Simulation, Trajectory};
use std::sync::Arc;

/// Parses TOML model text.
pub fn model(text: &str) -> Model {
    let file = Arc::new(SourceFile {
        path: "test.toml".into(),
        text: text.into(),
    });
    toml_file::parse(&file, "test").unwrap_or_else(|e| panic!("{e}"))
}

/// Parses and compiles TOML model text.
pub fn program(text: &str) -> Program {
    compile(&model(text)).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs TOML model text with the given method.
pub fn run(text: &str, method: Method) -> Trajectory {
    let prog = program(text);
    let mut sim = Simulation::new(&prog);
    sim.set_method(method);
    sim.run().unwrap_or_else(|e| panic!("{e}"))
}

/// The series of column `name`.
pub fn series(traj: &Trajectory, name: &str) -> Vec<f64> {
    let col = traj
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    traj.series(col).collect()
}

/// Relative difference.
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Writes model text to `model.toml` in a fresh temporary directory (kept alive by the
/// returned guard) and returns its path.
pub fn model_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Resolves a study of the model (or study file) at `path` through the library's study API,
/// with `settings` as the command line's layer.
pub fn resolve(
    path: &std::path::Path,
    settings: sandtable::study::Settings,
) -> sandtable::study::Study {
    let request = sandtable::study::StudyRequest {
        settings,
        ..sandtable::study::StudyRequest::new(path)
    };
    sandtable::study::Study::resolve(&request).unwrap_or_else(|e| panic!("{e}"))
}

/// Compiles scenario `name` of `study` and runs its Monte Carlo study.
pub fn run_scenario(
    study: &sandtable::study::Study,
    name: &str,
) -> sandtable::montecarlo::result::StudyResult {
    let scenario = study
        .compile(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    sandtable::montecarlo::runner::Plan::new(&scenario)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .execute(&|_| {})
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The `sandtable` binary built for these tests.
pub fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_sandtable"))
}

/// Runs the binary with `args` in `dir`; no run may panic, whatever its exit code.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("start sandtable");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}
