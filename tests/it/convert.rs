//! Converting between TOML and XMILE gives the same model and the same numbers.

use sandtable::compile::compile;
use sandtable::diagnostic::SourceFile;
use sandtable::model::{toml_file, toml_writer::to_toml, Equation, Model};
use sandtable::simulate::run;
use sandtable::xmile;
use std::path::Path;
use std::sync::Arc;

/// The model with every source position cleared, for comparing content.
fn without_positions(mut m: Model) -> Model {
    for v in &mut m.variables {
        v.at = Default::default();
        match &mut v.equation {
            Some(Equation::All(e)) => e.at = Default::default(),
            Some(Equation::PerElement(list)) => {
                list.iter_mut().for_each(|(_, e)| e.at = Default::default())
            }
            None => {}
        }
    }
    m
}

fn reparse(text: &str) -> Model {
    let file = Arc::new(SourceFile {
        path: "converted.toml".into(),
        text: text.into(),
    });
    toml_file::parse(&file, "converted").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn native_models_round_trip_through_toml_and_xmile() {
    for path in ["models/bass.toml", "models/word_of_mouth.toml"] {
        let model = toml_file::load(Path::new(path)).unwrap();
        let again = reparse(&to_toml(&model));
        assert_eq!(
            without_positions(model.clone()),
            without_positions(again),
            "{path} via TOML"
        );
        let via_xmile = xmile::parse(&xmile::to_xmile(&model), "converted.xmile").unwrap();
        let want = run(&compile(&model).unwrap()).unwrap();
        let got = run(&compile(&via_xmile).unwrap()).unwrap();
        assert_eq!(want, got, "{path} via XMILE");
    }
}

#[test]
fn suite_models_give_identical_results_after_conversion_to_toml() {
    let (suite, checked) = convert_suite_models("xmile", |p| xmile::load(p).ok());
    if checked == 0 {
        assert!(
            std::env::var("CI").is_err(),
            "the test-models suite was not found at {suite}"
        );
        eprintln!("skipped: no test-models suite at {suite}");
    } else {
        assert!(checked >= 40, "only {checked} suite models converted");
    }
}

#[test]
fn mdl_converts_to_toml_that_runs_identically() {
    let (suite, checked) = convert_suite_models("mdl", |p| sandtable::mdl::load(p).ok());
    if checked == 0 {
        assert!(
            std::env::var("CI").is_err(),
            "the test-models suite was not found at {suite}"
        );
        eprintln!("skipped: no test-models suite at {suite}");
    } else {
        assert!(checked >= 135, "only {checked} suite .mdl models converted");
    }
}

/// Converts every suite model with extension `ext` that loads and runs to TOML, and checks
/// that the TOML model gives the same columns and the same numbers. Returns the suite path and
/// the number of models checked.
fn convert_suite_models(ext: &str, load: fn(&Path) -> Option<Model>) -> (String, usize) {
    let suite = std::env::var("SANDTABLE_TEST_MODELS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/test-models").to_string()
    });
    let mut checked = 0;
    let mut stack = vec![std::path::PathBuf::from(&suite)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) {
                let Some(model) = load(&p) else { continue };
                let Ok(prog) = compile(&model) else { continue };
                let Ok(want) = run(&prog) else { continue };
                let converted = reparse(&to_toml(&model));
                let got =
                    run(&compile(&converted).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
                        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                let mut want_names = want.names.clone();
                let mut got_names = got.names.clone();
                want_names.sort();
                got_names.sort();
                assert_eq!(want_names, got_names, "{}", p.display());
                for (c, name) in want.names.iter().enumerate() {
                    let g = got.column(name).unwrap();
                    let same = want
                        .series(c)
                        .zip(got.series(g))
                        .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
                    assert!(same, "{}: `{name}` changes after conversion", p.display());
                }
                checked += 1;
            }
        }
    }
    (suite, checked)
}

/// Every declaration of a study as comparable text.
fn study_text(s: &sandtable::study::Study) -> Vec<String> {
    let d = &s.declarations;
    let mut out: Vec<String> = d
        .uncertain
        .iter()
        .map(|u| format!("input {} = {}", u.name, u.dist))
        .collect();
    out.extend(d.targets.iter().map(|t| {
        format!(
            "target {} = {} {:?} {:?}",
            t.name,
            t.text.trim(),
            t.label,
            t.doc
        )
    }));
    out.extend(d.scenarios.iter().map(|sc| {
        let set: Vec<String> = sc.set.iter().map(|(n, v, _)| format!("{n}={v}")).collect();
        let vary: Vec<String> = sc
            .vary
            .iter()
            .map(|u| format!("{}={}", u.name, u.dist))
            .collect();
        let eqs: Vec<String> = sc
            .equations
            .iter()
            .map(|(n, e)| format!("{n}={}", e.text))
            .collect();
        format!("scenario {} {:?} {set:?} {vary:?} {eqs:?}", sc.name, sc.doc)
    }));
    out.push(format!("{:?}", d.settings));
    out.push(format!(
        "{:?}",
        d.correlations.as_ref().map(|c| (&c.inputs, &c.matrix))
    ));
    out
}

#[test]
fn a_study_survives_conversion_to_xmile_and_back() {
    use sandtable::study::{toml_write, Study, StudyRequest};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/enterprise_growth.toml");
    let original = Study::resolve(&StudyRequest::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert!(original.declarations.uncertain.len() >= 40);
    let sections = toml_write::to_toml(&original.declarations);
    let dir = tempfile::tempdir().unwrap();
    let xmile_path = dir.path().join("eg.xmile");
    std::fs::write(
        &xmile_path,
        xmile::to_xmile_with_study(&original.model, &sections),
    )
    .unwrap();
    let back = Study::resolve(&StudyRequest::new(&xmile_path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(study_text(&original), study_text(&back));
    // And on to TOML: the study sections come along.
    let toml_path = dir.path().join("eg.toml");
    std::fs::write(
        &toml_path,
        format!(
            "{}\n{}",
            to_toml(&back.model),
            toml_write::to_toml(&back.declarations)
        ),
    )
    .unwrap();
    let again = Study::resolve(&StudyRequest::new(&toml_path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(study_text(&original), study_text(&again));
}

#[test]
fn a_stop_time_given_by_a_variable_is_not_written_to_xmile_as_a_number() {
    let (dir, path) = crate::util::model_file(
        "[sim]\nstart = 0\nstop = 10\ndt = 1\nstop_when = \"finish\"\n\n[stocks]\ns = { initial = 0, inflows = [\"f\"] }\n\n[flows]\nf = { equation = \"1\" }\n\n[constants]\nfinish = { value = 4 }\n",
    );
    let out = dir.path().join("m.xmile");
    let run = std::process::Command::new(crate::util::bin())
        .args(["convert", path.to_str().unwrap(), "--to", "xmile", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`finish`") && stderr.contains("--to toml"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
    let toml = std::process::Command::new(crate::util::bin())
        .args(["convert", path.to_str().unwrap(), "--to", "toml", "-o", "-"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&toml.stdout).contains("stop_when = \"finish\""));
}
