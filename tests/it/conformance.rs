//! Conformance against the SDXorg test-models suite: every directory with an XMILE model and a
//! canonical output is loaded, compiled, run and compared column by column; likewise, apart,
//! every directory with a Vensim `.mdl` model (expected failures in
//! `tests/conformance/mdl_expected_failures.txt`).
//!
//! The suite is found through `SANDTABLE_TEST_MODELS` (default `../shared/test-models` next to
//! the crate). Directories listed in `tests/conformance_expected_failures.txt` are expected to
//! fail; a model that newly fails, or newly passes, fails this test so the list stays true.
//! With `SANDTABLE_CONFORMANCE_TABLE=path` the result table is written there as Markdown.

#[path = "../conformance/canonical.rs"]
mod canonical;

use canonical::{column_key, Canonical};
use sandtable::model::names::canonical as name_key;
use sandtable::model::Model;
use sandtable::simulate::Trajectory;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Absolute tolerance floor and relative tolerance of the comparison.
const ABS_TOL: f64 = 1e-5;
const REL_TOL: f64 = 1e-4;
/// Vensim's `:NA:` (written as a blank cell in its outputs).
const VENSIM_NA: f64 = -1e38;
/// Canonical times are printed with about six significant digits (`10.0312` for 10.03125).
const TIME_TOL: f64 = 1e-5;

fn suite_root() -> PathBuf {
    match std::env::var_os("SANDTABLE_TEST_MODELS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/test-models"),
    }
}

/// A suite directory with at least one XMILE model and a canonical output.
struct Case {
    /// Path relative to the suite root, with `/` separators (e.g. `tests/abs`).
    name: String,
    models: Vec<PathBuf>,
    output: PathBuf,
}

fn find_cases(root: &Path) -> Vec<Case> {
    find_cases_of(root, is_xmile)
}

fn find_cases_of(root: &Path, is_model: fn(&Path) -> bool) -> Vec<Case> {
    let mut dirs = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files = Vec::new();
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
        files.sort();
        let models: Vec<PathBuf> = files.iter().filter(|p| is_model(p)).cloned().collect();
        let output = ["output.csv", "output.tab"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        if let (false, Some(output)) = (models.is_empty(), output) {
            let name = dir
                .strip_prefix(root)
                .unwrap_or(&dir)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            dirs.push(Case {
                name,
                models: order_models(models),
                output,
            });
        }
    }
    dirs.sort_by(|a, b| a.name.cmp(&b.name));
    dirs
}

fn is_xmile(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("xmile") | Some("stmx") => true,
        Some("xml") => std::fs::read_to_string(path).is_ok_and(|t| t.contains("<xmile")),
        _ => false,
    }
}

fn is_mdl(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("mdl"))
}

/// `.xmile` files first: when every file fails, the reason shown is the standard file's.
fn order_models(mut models: Vec<PathBuf>) -> Vec<PathBuf> {
    models.sort_by_key(|p| (p.extension().is_none_or(|e| e != "xmile"), p.clone()));
    models
}

/// Loads, compiles, runs and compares one model file.
fn check_model(path: &Path, expected: &Canonical) -> Result<(), String> {
    let model = if is_mdl(path) {
        // A run output given beside the model (`data.tab`) holds the data variables Vensim
        // read from that run's `.vdf` file.
        let data = path.with_file_name("data.tab");
        let files: &[&Path] = if data.is_file() { &[&data] } else { &[] };
        sandtable::mdl::load_with_data(path, files).map_err(|d| one_line(&d.message))?
    } else {
        sandtable::xmile::load(path).map_err(|d| one_line(&d.message))?
    };
    let run = simulate(&model)?;
    compare(&model, &run, expected)
}

fn simulate(model: &Model) -> Result<Trajectory, String> {
    let program = sandtable::compile::compile(model)
        .map_err(|ds| one_line(&ds.0.first().map(|d| d.message.clone()).unwrap_or_default()))?;
    sandtable::simulate::run(&program).map_err(|d| one_line(&d.message))
}

fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.chars().count() > 150 {
        format!("{}…", line.chars().take(150).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Vensim writes its control variables as output columns; models converted by other tools
/// keep them only as sim specs.
fn control_value(model: &Model, column: &str) -> Option<f64> {
    match name_key(column).as_str() {
        "initial_time" => Some(model.sim.start),
        "final_time" => Some(model.sim.stop),
        "time_step" => Some(model.sim.dt),
        "saveper" => Some(model.sim.save_step),
        _ => None,
    }
}

fn compare(model: &Model, run: &Trajectory, expected: &Canonical) -> Result<(), String> {
    let ours: HashMap<String, usize> = run
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (column_key(n), i))
        .collect();
    let mut sources = Vec::with_capacity(expected.columns.len());
    for col in &expected.columns {
        match (ours.get(&column_key(col)), control_value(model, col)) {
            (Some(&i), _) => sources.push(Err(i)),
            (None, Some(v)) => sources.push(Ok(v)),
            (None, None) => return Err(format!("no output column `{col}`")),
        }
    }
    for (row, &t) in expected.times.iter().enumerate() {
        let ours_row = run
            .times
            .iter()
            .position(|&u| (u - t).abs() <= TIME_TOL * t.abs().max(1.0))
            .ok_or_else(|| format!("no output row at time {t}"))?;
        let values = run.row(ours_row);
        for (c, source) in sources.iter().enumerate() {
            let got = match source {
                Err(i) => values[*i],
                Ok(v) => *v,
            };
            let want = expected.values[row][c];
            let tol = ABS_TOL.max(REL_TOL * got.abs().max(want.abs()));
            let na = got == VENSIM_NA && expected.blank[row][c];
            let close = (got - want).abs() <= tol || na;
            if !close {
                return Err(format!(
                    "`{}` at time {t}: got {got}, want {want}",
                    expected.columns[c]
                ));
            }
        }
    }
    Ok(())
}

/// The outcome for one directory: `Ok(file that passed)` or the first file's failure.
fn check_case(case: &Case) -> Result<String, String> {
    let text = std::fs::read(&case.output).map_err(|e| format!("cannot read output: {e}"))?;
    // Some Vensim outputs are Latin-1 (accented names); every byte is then its own character.
    let text = String::from_utf8(text)
        .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect());
    let expected = canonical::parse(&text).map_err(|e| format!("canonical output: {e}"))?;
    let mut first_error = None;
    for path in &case.models {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        match check_model(path, &expected) {
            Ok(()) => return Ok(file),
            Err(e) => {
                first_error.get_or_insert(format!("{file}: {e}"));
            }
        }
    }
    Err(first_error.unwrap_or_else(|| "no model file".into()))
}

fn read_expected_failures(list: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(list);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((dir, reason)) => (dir.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn markdown_table(
    results: &[(String, Result<String, String>)],
    expected: &BTreeMap<String, String>,
) -> String {
    let passed = results.iter().filter(|(_, r)| r.is_ok()).count();
    let mut out = format!(
        "{passed} of {} directories pass.\n\n| directory | result | reason |\n|---|---|---|\n",
        results.len()
    );
    for (name, result) in results {
        let (status, reason) = match result {
            Ok(file) => ("pass", format!("`{file}`")),
            Err(e) => {
                let known = expected.get(name).cloned().unwrap_or_default();
                let reason = if known.is_empty() {
                    e.clone()
                } else {
                    format!("{known} ({e})")
                };
                ("fail", reason)
            }
        };
        out.push_str(&format!(
            "| {name} | {status} | {} |\n",
            reason.replace('|', "\\|")
        ));
    }
    out
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::fs::write(tmp.path(), text)?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

#[test]
fn sdxorg_test_models() {
    run_suite(
        find_cases,
        "tests/conformance_expected_failures.txt",
        "SANDTABLE_CONFORMANCE_TABLE",
    );
}

#[test]
fn sdxorg_mdl_models() {
    run_suite(
        |root| find_cases_of(root, is_mdl),
        "tests/conformance/mdl_expected_failures.txt",
        "SANDTABLE_MDL_CONFORMANCE_TABLE",
    );
}

fn run_suite(find: fn(&Path) -> Vec<Case>, list: &str, table_var: &str) {
    let root = suite_root();
    if !root.is_dir() {
        let msg = format!("conformance suite not found at {}", root.display());
        if std::env::var_os("CI").is_some() {
            panic!("{msg} (set SANDTABLE_TEST_MODELS)");
        }
        println!("skipped: {msg}");
        return;
    }
    let cases = find(&root);
    assert!(
        !cases.is_empty(),
        "no model with a canonical output under {}",
        root.display()
    );
    let results: Vec<(String, Result<String, String>)> = cases
        .iter()
        .map(|c| (c.name.clone(), check_case(c)))
        .collect();
    let expected = read_expected_failures(list);
    let table = markdown_table(&results, &expected);
    println!("{table}");
    if let Some(path) = std::env::var_os(table_var) {
        write_atomically(Path::new(&path), &table).expect("write the conformance table");
    }
    let mut problems = Vec::new();
    for (name, result) in &results {
        match (result, expected.contains_key(name)) {
            (Err(e), false) => problems.push(format!("newly failing: {name}: {e}")),
            (Ok(file), true) => problems.push(format!(
                "newly passing: {name} ({file}); remove it from {list}"
            )),
            _ => {}
        }
    }
    for name in expected.keys() {
        if !results.iter().any(|(n, _)| n == name) {
            problems.push(format!(
                "listed as expected failure but not in the suite: {name}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The model with every source position cleared, for comparing models read from two files.
fn without_positions(mut m: Model) -> Model {
    use sandtable::diagnostic::SourceRef;
    use sandtable::model::Equation;
    for v in &mut m.variables {
        v.at = SourceRef::none();
        match &mut v.equation {
            Some(Equation::All(e)) => e.at = SourceRef::none(),
            Some(Equation::PerElement(list)) => {
                list.iter_mut().for_each(|(_, e)| e.at = SourceRef::none())
            }
            None => {}
        }
    }
    m
}

#[test]
fn every_suite_model_round_trips_through_the_writer() {
    let root = suite_root();
    if !root.is_dir() {
        println!("skipped: conformance suite not found at {}", root.display());
        return;
    }
    let mut checked = 0;
    for case in find_cases(&root) {
        for path in &case.models {
            let Ok(model) = sandtable::xmile::load(path) else {
                continue;
            };
            let text = sandtable::xmile::to_xmile(&model);
            let back = sandtable::xmile::parse(&text, "written.xmile").unwrap_or_else(|e| {
                panic!("{}: written file does not read back: {e}", path.display())
            });
            assert_eq!(
                without_positions(back),
                without_positions(model),
                "{} changed in a round trip",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} suite models loaded");
}
