//! The source follows the data flow: no non-test code refers to a module of a higher layer.
//! The order is the one the README's Layout section states.

use std::path::Path;

/// Layers from the bottom; modules on one line share a layer.
const LAYERS: &[&[&str]] = &[
    &["diagnostic", "limits"],
    &["equation"],
    &["model", "xmile", "mdl", "loader"],
    &["analysis", "units"],
    &["compile"],
    &["simulate"],
    &["stats"],
    &["targets"],
    &["explain"],
    &["study"],
    &["montecarlo"],
    &["decision", "calibrate"],
    &["report"],
    &["job"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The text of a file without its `#[cfg(test)]` modules (everything from the first one on,
/// as the code keeps test modules at the end of a file).
fn non_test(text: &str) -> &str {
    match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Files that are whole test modules: declared as `#[cfg(test)] mod name;` by their parent.
fn test_only(files: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        let dir = match f.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs") | Some("lib.rs") => f.parent().unwrap().to_path_buf(),
            _ => f.with_extension(""),
        };
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if line == "#[cfg(test)]" {
                if let Some(decl) = lines.next() {
                    if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';'))
                    {
                        out.push(dir.join(format!("{name}.rs")));
                        out.push(dir.join(name).join("mod.rs"));
                    }
                }
            }
        }
    }
    out
}

fn visit(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_refers_only_to_its_own_or_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let tests = test_only(&files);
    let mut violations = Vec::new();
    for file in files.into_iter().filter(|f| !tests.contains(f)) {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        let Some(own) = layer(&module) else {
            assert!(
                ["lib", "main"].contains(&module.as_str()),
                "{} is in no layer: add its module to LAYERS and the README",
                rel.display()
            );
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let code = non_test(&text);
        // `crate::x` inside the library, `sandtable::x` from the binary's cli.
        for prefix in ["crate::", "sandtable::"] {
            for (i, _) in code.match_indices(prefix) {
                let rest = &code[i + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(target) = layer(&name) {
                    if target > own {
                        let line = code[..i].lines().count();
                        violations.push(format!("{}:{line}: {module} → {name}", rel.display()));
                    }
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "references to higher layers:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_readme_states_the_same_layer_order() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut last = 0;
    for l in LAYERS {
        let needle = format!("`{}", l[0]);
        let at = readme
            .find(&needle)
            .unwrap_or_else(|| panic!("README's Layout does not name {needle}"));
        assert!(at >= last, "README names {needle} out of layer order");
        last = at;
    }
}
