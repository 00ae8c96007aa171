//! Inputs kept from fuzzing (`fuzz/`), and edge cases in the same spirit, run through the same
//! functions as the fuzz targets: each must give a result or an error, never a panic.
//!
//! `tests/fuzz_regressions/<target>/` holds the files; the name of the directory picks the
//! function, as in `fuzz/fuzz_targets/<target>.rs`.

use sandtable::diagnostic::{SourceFile, SourceRef};
use sandtable::targets::Target;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

fn equation(text: &str) {
    let _ = sandtable::equation::parse(text);
}

fn toml_model(text: &str) {
    let file = Arc::new(SourceFile {
        path: "fuzz.toml".into(),
        text: text.to_string(),
    });
    if let Ok(model) = sandtable::model::toml_file::parse(&file, "fuzz") {
        let _ = sandtable::compile::compile(&model);
    }
    let _ = sandtable::study::toml_study::from_model_file(&file);
}

fn xmile(text: &str) {
    if let Ok(model) = sandtable::xmile::parse(text, "fuzz.xmile") {
        let _ = sandtable::compile::compile(&model);
    }
}

fn target(text: &str) {
    if let Ok(t) = Target::parse("t", text, SourceRef::none()) {
        let _ = t.canonical_text();
        let _ = t.variables();
    }
}

/// As `fuzz/fuzz_targets/simulate.rs`: models that compile are run under a step budget.
fn simulate(text: &str) {
    let model = if text.trim_start().starts_with('<') {
        sandtable::xmile::parse(text, "fuzz.xmile")
    } else {
        let file = Arc::new(SourceFile {
            path: "fuzz.toml".into(),
            text: text.to_string(),
        });
        sandtable::model::toml_file::parse(&file, "fuzz")
    };
    let Ok(model) = model else { return };
    let Ok(prog) = sandtable::compile::compile(&model) else {
        return;
    };
    if prog.steps() > 2_000 || prog.saved_rows() * prog.columns.len().max(1) > 20_000 {
        return;
    }
    if let Ok(traj) = sandtable::simulate::run(&prog) {
        assert_eq!(traj.len(), prog.saved_rows());
    }
}

/// Runs every file of `tests/fuzz_regressions/<name>` through `f`; returns how many ran.
fn replay(name: &str, f: fn(&str)) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(name);
    let mut count = 0;
    let mut panicked = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        let bytes = fs::read(&path).expect("read input");
        // The fuzz targets skip non-UTF-8 input the same way.
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        count += 1;
        if catch_unwind(AssertUnwindSafe(|| f(text))).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "panicked on {panicked:?}");
    count
}

#[test]
fn equation_inputs_do_not_panic() {
    assert!(replay("equation", equation) > 0);
}

#[test]
fn toml_model_inputs_do_not_panic() {
    assert!(replay("toml_model", toml_model) > 0);
}

#[test]
fn xmile_inputs_do_not_panic() {
    assert!(replay("xmile", xmile) > 0);
}

#[test]
fn target_inputs_do_not_panic() {
    assert!(replay("target", target) > 0);
}

#[test]
fn simulate_inputs_do_not_panic() {
    assert!(replay("simulate", simulate) > 0);
}
