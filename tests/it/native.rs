//! The native engine against the evaluator: every model of the SDXorg suite and of `models/`,
//! with every integration method, gives bit-identical saved values (or the same fault) on
//! both; a Monte Carlo study writes the same files on both.

use sandtable::compile::{compile, Program};
use sandtable::model::Method;
use sandtable::simulate::{Engine, Simulation};
use std::path::{Path, PathBuf};

pub(crate) fn suite_root() -> PathBuf {
    match std::env::var_os("SANDTABLE_TEST_MODELS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/test-models"),
    }
}

/// Every model file under `dir`, sorted.
pub(crate) fn model_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for p in entries.flatten().map(|e| e.path()) {
            if p.is_dir() {
                stack.push(p);
            } else if sandtable::loader::check_extension(&p).is_ok() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every saved value of a run as bits, with the times, or the fault's message.
fn run_bits(prog: &Program, engine: Engine, method: Method) -> Result<Vec<u64>, String> {
    let mut sim = Simulation::new(prog);
    sim.set_engine(engine);
    assert_eq!(
        sim.engine(),
        engine,
        "{}: the engine asked for runs",
        prog.name
    );
    sim.set_method(method);
    sim.set_seed(12345);
    let mut bits = Vec::new();
    sim.run_with(|t, slots| {
        bits.push(t.to_bits());
        bits.extend(slots.iter().map(|x| x.to_bits()));
    })
    .map(|()| bits)
    .map_err(|fault| fault.to_diagnostic(prog).message)
}

/// The programs of the model files among `files` that load and compile, with their paths.
pub(crate) fn programs(files: &[PathBuf]) -> impl Iterator<Item = (&PathBuf, Program)> {
    files.iter().filter_map(|path| {
        let model = sandtable::loader::load_model(path).ok()?;
        Some((path, compile(&model).ok()?))
    })
}

/// Compares both engines on every model under `dirs`; returns how many programs were run.
fn compare_all(files: &[PathBuf]) -> usize {
    let mut compared = 0;
    let mut differ = Vec::new();
    for (path, prog) in programs(files) {
        for method in [Method::Euler, Method::Rk2, Method::Rk4] {
            let reference = run_bits(&prog, Engine::Interpreter, method);
            let native = run_bits(&prog, Engine::Native, method);
            if reference != native {
                differ.push(format!("{} ({method:?})", path.display()));
            }
        }
        compared += 1;
    }
    assert!(
        differ.is_empty(),
        "engines differ on:\n{}",
        differ.join("\n")
    );
    compared
}

#[test]
fn every_suite_model_runs_bit_identically_on_both_engines() {
    let root = suite_root();
    if !root.is_dir() {
        eprintln!("no test-models suite at {}", root.display());
        return;
    }
    let compared = compare_all(&model_files(&root));
    // The suite holds a few hundred models that compile; a walk that found almost none would
    // prove nothing.
    assert!(compared >= 100, "only {compared} suite models compiled");
}

#[test]
fn every_bundled_model_runs_bit_identically_on_both_engines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let files = model_files(&dir);
    assert_eq!(
        compare_all(&files),
        files.len(),
        "every bundled model compiles"
    );
}

#[test]
fn a_numeric_fault_is_found_alike_on_both_engines() {
    // `ratio` divides by a stock that reaches zero: a NaN the run must report, at the same
    // variable and time on both engines; `pick` meets a NaN condition later.
    let prog = crate::util::program(
        "[sim]\nstart = 0\nstop = 10\ndt = 1\n\
         [stocks]\nx = { initial = 3, outflows = [\"out\"] }\n\
         [flows]\nout = \"1\"\n\
         [aux]\nratio = \"(x - x) / x\"\npick = \"IF ratio THEN 1 ELSE 2\"\n",
    );
    let reference = run_bits(&prog, Engine::Interpreter, Method::Euler);
    let native = run_bits(&prog, Engine::Native, Method::Euler);
    let message = reference.clone().expect_err("the run faults");
    assert!(message.contains("ratio"), "{message}");
    assert_eq!(reference, native);
}

#[test]
fn a_monte_carlo_study_writes_the_same_files_on_both_engines() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/enterprise_growth.toml");
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for engine in ["interpreter", "native"] {
        let out = dir.path().join(engine);
        let status = std::process::Command::new(crate::util::bin())
            .env("SANDTABLE_ENGINE", engine)
            .args(["mc", model.to_str().unwrap(), "--runs", "64", "--quiet"])
            .args(["--threads", "2", "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        outputs.push(out);
    }
    let files = model_files_any(&outputs[0]);
    assert!(!files.is_empty());
    for f in files {
        let rel = f.strip_prefix(&outputs[0]).unwrap();
        let a = std::fs::read(&f).unwrap();
        let b = std::fs::read(outputs[1].join(rel)).unwrap();
        assert!(a == b, "{} differs between the engines", rel.display());
    }
}

/// Every file under `dir`, sorted.
fn model_files_any(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for p in std::fs::read_dir(&d).unwrap().flatten().map(|e| e.path()) {
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
