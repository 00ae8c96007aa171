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
