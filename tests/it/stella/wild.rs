//! Public Stella and XMILE models in tests/models_wild (sources and licences in its README), each
//! run against rows of the output its source ships (`.tab`, Stella's tab-separated export, or
//! `.csv`), or listed as an expected failure with the reason, so that a model that newly passes
//! or newly fails is noticed.

use sandtable::simulate::Simulation;
use std::path::{Path, PathBuf};

/// What a corpus model is expected to do.
enum Expect {
    /// Loads, runs and matches every shipped row.
    Match,
    /// Fails; the error or mismatch message contains this text.
    Fails(&'static str),
}
use Expect::*;

/// Significant digits of Stella's and Simlin's exports.
const FULL: u32 = 12;
/// Significant digits of Vensim's `.dat` output (`%g`, from single-precision arithmetic).
const VENSIM: u32 = 6;

/// Every model in tests/models_wild, by file stem: its expected outcome and the significant
/// digits its shipped output was written with.
const CORPUS: &[(&str, Expect, u32)] = &[
    ("alias1", Match, FULL),
    ("array_broadcast", Match, FULL),
    ("array_multi_source", Match, FULL),
    ("array_sum_expr", Match, FULL),
    ("array_sum_simple", Match, FULL),
    ("arrays1", Match, FULL),
    ("builtin_init", Match, FULL),
    ("circular_dep_1", Match, FULL),
    ("delays", Match, FULL),
    ("lookup_arrayed", Match, FULL),
    ("modules2", Match, FULL),
    ("modules_hares_and_foxes", Match, FULL),
    ("modules_with_complex_idents", Match, FULL),
    ("previous", Match, FULL),
    // `<init_eqn>`: the stock starts from the initial equation of the auxiliary it reads.
    ("sdeverywhere_active_initial", Match, VENSIM),
    ("sdeverywhere_initial", Match, VENSIM),
    ("sdeverywhere_sir", Match, VENSIM),
    // `s[DimA] = DimB` and `a[DimA] = b[DimB]`: Vensim's mapping of DimA to DimB, which the
    // conversion to XMILE dropped.
    (
        "sdeverywhere_subscript",
        Fails("unknown variable `DimB`"),
        VENSIM,
    ),
    ("sdeverywhere_sum", Match, VENSIM),
    ("sdeverywhere_trend", Match, VENSIM),
    ("step_into_smth1", Match, FULL),
    ("subscript_index_name_values", Match, FULL),
    // `VECTOR SORT ORDER`, `RANK` and `VECTOR ELM MAP` written with spaces, Vensim's way.
    ("vector_computed_operand", Match, FULL),
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models_wild")
}

/// The one file of `stem` with one of `exts`.
fn file(stem: &str, exts: &[&str]) -> PathBuf {
    let found: Vec<PathBuf> = exts
        .iter()
        .map(|e| dir().join(format!("{stem}.{e}")))
        .filter(|p| p.exists())
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{stem}: want one of {exts:?}, found {found:?}"
    );
    found.into_iter().next().unwrap()
}

fn header_name(raw: &str) -> String {
    let unquoted = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .map(|s| s.replace("\"\"", "\""))
        .unwrap_or_else(|| raw.to_string());
    unquoted.replace('"', "")
}

/// The allowed difference from a shipped value written with `digits` significant digits:
/// 1e-6 relative (absolute below 1), or one unit of the last digit written when coarser
/// (a unit, not half: the writer's own rounding of an exact half may go either way).
fn tolerance(want: f64, digits: u32) -> f64 {
    let printed = if want == 0.0 {
        0.0
    } else {
        10f64.powi(want.abs().log10().floor() as i32 - digits as i32 + 1)
    };
    (1e-6 * want.abs().max(1.0)).max(printed)
}

/// Loads, runs and compares `stem` with its shipped rows (written with `digits` significant
/// digits); the number of rows compared, or the first failure.
fn compare(stem: &str, digits: u32) -> Result<usize, String> {
    let model =
        sandtable::xmile::load(&file(stem, &["stmx", "xmile"])).map_err(|e| e.to_string())?;
    let prog = sandtable::compile::compile(&model).map_err(|e| e.to_string())?;
    let traj = Simulation::new(&prog).run().map_err(|e| e.to_string())?;
    let out = file(stem, &["tab", "csv"]);
    let sep = if out.extension().is_some_and(|e| e == "csv") {
        ','
    } else {
        '\t'
    };
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(sep).map(header_name).collect();
    let mut rows = 0;
    for line in lines {
        let cells: Vec<f64> = line.split(sep).map(|c| c.parse().unwrap()).collect();
        let row = traj
            .times
            .iter()
            .position(|t| (t - cells[0]).abs() < 1e-6)
            .ok_or_else(|| format!("no row at {}", cells[0]))?;
        for (name, want) in header.iter().zip(&cells).skip(1) {
            let col = traj
                .column(name)
                .ok_or_else(|| format!("no column {name}"))?;
            let got = traj.row(row)[col];
            if (got - want).abs() > tolerance(*want, digits) {
                return Err(format!("mismatch: {name} at {}: {got} vs {want}", cells[0]));
            }
        }
        rows += 1;
    }
    if rows < 2 {
        return Err(format!("only {rows} row compared"));
    }
    Ok(rows)
}

fn check(stem: &str) {
    if let Err(e) = compare(stem, FULL) {
        panic!("{stem}: {e}");
    }
}

#[test]
fn module_outputs_wired_through_quoted_paths() {
    check("modules_with_complex_idents");
}

#[test]
fn previous_of_self_holds_its_value() {
    check("previous");
}

#[test]
fn smooth_of_a_step() {
    check("step_into_smth1");
}

/// Every collected model does what its `CORPUS` entry says: a model that newly fails, or an
/// expected failure that now passes or fails for another reason, fails this test.
#[test]
fn corpus_outcomes_are_as_listed() {
    let mut wrong = Vec::new();
    for (stem, expect, digits) in CORPUS {
        match (expect, compare(stem, *digits)) {
            (Match, Ok(_)) => {}
            (Match, Err(e)) => wrong.push(format!("{stem}: expected a match, got: {e}")),
            (Fails(why), Ok(n)) => {
                wrong.push(format!("{stem}: expected `{why}`, matched {n} rows"))
            }
            (Fails(why), Err(e)) if e.contains(why) => {}
            (Fails(why), Err(e)) => wrong.push(format!("{stem}: expected `{why}`, got: {e}")),
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// Every model file in tests/models_wild is listed in `CORPUS` and has a shipped output.
#[test]
fn corpus_lists_every_model() {
    let mut stems: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let ext = p.extension()?.to_str()?.to_string();
            (ext == "stmx" || ext == "xmile").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    stems.sort();
    let listed: Vec<String> = CORPUS.iter().map(|(s, ..)| s.to_string()).collect();
    assert_eq!(stems, listed);
    for s in &stems {
        file(s, &["tab", "csv"]);
    }
}
