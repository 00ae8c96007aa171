//! Every malformed input in `tests/bad_inputs/cases.toml` is refused with exit code 2, a located
//! message with a hint, no panic, and no file written.

use serde::Deserialize;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    files: Vec<String>,
    args: Vec<String>,
    expect: Vec<String>,
    generate: Option<String>,
    mkdir: Option<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

/// Every path under `dir`, relative to it.
fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read temp dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.insert(path.strip_prefix(dir).expect("under dir").to_path_buf());
        }
    }
    out
}

/// The base model with the `births` equation replaced by `equation`.
fn model_with_equation(equation: &str) -> String {
    let base = fs::read_to_string(corpus_dir().join("good.toml")).expect("good.toml");
    base.replace("\"pop * birth_rate\"", &format!("\"{equation}\""))
}

/// Makes the inputs too large to commit; returns the text that replaces `DEEP` in the
/// arguments, if any.
fn generate(kind: &str, dir: &Path) -> Option<String> {
    const DEEP: usize = 100_000;
    let nest = |open: &str, inner: &str, close: &str| {
        format!("{}{inner}{}", open.repeat(DEEP), close.repeat(DEEP))
    };
    match kind {
        "ten_megabytes" => {
            // 150,000 comment lines (10.5 MB), then a model whose dt is wrong on line 150,004.
            let mut text = String::with_capacity(11 << 20);
            for i in 0..150_000 {
                text.push_str(&format!("# padding line {i:>8} {}\n", "x".repeat(45)));
            }
            text.push_str("[sim]\nstart = 0\nstop = 10\ndt = 0\n");
            assert!(text.len() > 10_000_000);
            fs::write(dir.join("big.toml"), text).expect("write big.toml");
            None
        }
        "nested_equation" => {
            let text = model_with_equation(&nest("(", "pop", ")"));
            fs::write(dir.join("deep.toml"), text).expect("write deep.toml");
            None
        }
        "nested_equation_1000" => {
            let text = model_with_equation(&format!("{}pop{}", "(".repeat(1000), ")".repeat(1000)));
            fs::write(dir.join("deep.toml"), text).expect("write deep.toml");
            None
        }
        "nested_xml" => {
            let text = format!(
                "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\">{}</xmile>\n",
                nest("<a>", "", "</a>")
            );
            fs::write(dir.join("deep.xmile"), text).expect("write deep.xmile");
            None
        }
        "nested_target" => {
            let text = format!(
                "{}\n[targets]\ndeep = \"{} >= 1\"\n",
                model_with_equation("pop * birth_rate"),
                nest("(", "pop at 5", ")")
            );
            fs::write(dir.join("deep.toml"), text).expect("write deep.toml");
            None
        }
        "nested_distribution" => {
            let text = model_with_equation("pop * birth_rate").replace(
                "\"uniform(0.04, 0.06)\"",
                &format!("\"{}\"", nest("(", "uniform(0.04, 0.06)", ")")),
            );
            fs::write(dir.join("deep.toml"), text).expect("write deep.toml");
            None
        }
        // One command-line argument is limited to 128 KiB, so this one nests 30,000 deep.
        "nested_target_cli" => Some(format!(
            "deep: {}{}{} >= 1",
            "(".repeat(30_000),
            "pop at 5",
            ")".repeat(30_000)
        )),
        "flat_sum" => {
            let sum = vec!["pop"; 30_000].join(" + ");
            fs::write(dir.join("flat.toml"), model_with_equation(&sum)).expect("write flat.toml");
            None
        }
        "three_dims" => {
            let elements = |p: &str| {
                (0..1000)
                    .map(|i| format!("\"{p}{i}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let text = format!(
                "[model]\nname = \"cube\"\n[sim]\nstart = 0\nstop = 1\ndt = 1\n\
                 [dimensions]\na = [{}]\nb = [{}]\nc = [{}]\n\
                 [constants]\nx = {{ value = 1, dims = [\"a\", \"b\", \"c\"] }}\n",
                elements("a"),
                elements("b"),
                elements("c")
            );
            fs::write(dir.join("cube.toml"), text).expect("write cube.toml");
            None
        }
        #[cfg(unix)]
        "fifo" => {
            let path = std::ffi::CString::new(dir.join("pipe.toml").to_str().expect("utf-8"))
                .expect("no NUL");
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
            None
        }
        #[cfg(unix)]
        "dev_zero_link" => {
            std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).expect("symlink");
            None
        }
        other => panic!("unknown generator `{other}`"),
    }
}

fn run_case(case: &Case, bin: &Path) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = temp.path();
    for f in &case.files {
        fs::copy(corpus_dir().join(f), dir.join(f)).map_err(|e| format!("copy {f}: {e}"))?;
    }
    if let Some(d) = &case.mkdir {
        fs::create_dir(dir.join(d)).map_err(|e| e.to_string())?;
    }
    let deep = case.generate.as_deref().and_then(|g| generate(g, dir));
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| match (&deep, a.as_str()) {
            (Some(text), "DEEP") => text.clone(),
            _ => a.clone(),
        })
        .collect();
    let before = listing(dir);
    let out = Command::new(bin)
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot start sandtable: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown = || format!("stderr:\n{stderr}");
    if stderr.contains("panicked") {
        return Err(format!("panicked\n{}", shown()));
    }
    if out.status.code() != Some(2) {
        return Err(format!(
            "exit code {:?}, expected 2\n{}",
            out.status.code(),
            shown()
        ));
    }
    if !stderr.contains("error") {
        return Err(format!("no `error` in the message\n{}", shown()));
    }
    if !(stderr.contains("hint:") || stderr.contains("tip:") || stderr.contains("--help")) {
        return Err(format!("no hint\n{}", shown()));
    }
    for piece in &case.expect {
        if !stderr.contains(piece.as_str()) {
            return Err(format!("missing `{piece}`\n{}", shown()));
        }
    }
    let after = listing(dir);
    let written: Vec<_> = after.difference(&before).collect();
    if !written.is_empty() {
        return Err(format!("wrote {written:?}"));
    }
    Ok(())
}

#[test]
fn every_bad_input_is_refused_clearly() {
    let text = fs::read_to_string(corpus_dir().join("cases.toml")).expect("cases.toml");
    let manifest: Manifest = toml::from_str(&text).expect("cases.toml parses");
    assert!(manifest.case.len() >= 60, "{} cases", manifest.case.len());
    let bin = crate::util::bin();
    let failures: Vec<String> = manifest
        .case
        .iter()
        .filter_map(|case| {
            run_case(case, &bin)
                .err()
                .map(|e| format!("case `{}` ({:?}): {e}", case.name, case.args))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        manifest.case.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_corpus_file_is_used() {
    let text = fs::read_to_string(corpus_dir().join("cases.toml")).expect("cases.toml");
    let manifest: Manifest = toml::from_str(&text).expect("cases.toml parses");
    let used: BTreeSet<&str> = manifest
        .case
        .iter()
        .flat_map(|c| c.files.iter().map(String::as_str))
        .collect();
    for entry in fs::read_dir(corpus_dir()).expect("corpus dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name != "cases.toml" {
            assert!(used.contains(name.as_str()), "{name} is in no case");
        }
    }
}

#[test]
fn an_error_in_an_arrayed_equation_is_reported_once_not_once_per_element() {
    let dir = tempfile::tempdir().unwrap();
    let model = r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>Test</vendor><product>Test</product></header>
  <sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
  <dimensions><dim name="Region"><elem name="North"/><elem name="South"/><elem name="West"/></dim></dimensions>
  <model><variables>
    <aux name="base"><eqn>10</eqn><dimensions><dim name="Region"/></dimensions></aux>
    <aux name="order"><eqn>VECTOR_SORT_ORDER(base[*], 1)</eqn><dimensions><dim name="Region"/></dimensions></aux>
  </variables></model>
</xmile>"#;
    fs::write(dir.path().join("m.xmile"), model).unwrap();
    let out = crate::util::run_in(dir.path(), &["run", "m.xmile", "--out", "o"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(stderr.contains("with two arguments"), "{stderr}");
    assert!(!dir.path().join("o").exists(), "nothing written");
}
