//! Output locations and terminal tables shared by the commands.

use std::path::{Path, PathBuf};

/// `DIR` if given, else `outputs/<model name>[/<sub>]`.
pub fn out_dir(given: Option<&Path>, model_name: &str, sub: Option<&str>) -> PathBuf {
    match given {
        Some(dir) => dir.to_path_buf(),
        None => {
            let mut dir = PathBuf::from("outputs").join(slug(model_name));
            if let Some(s) = sub {
                dir.push(slug(s));
            }
            dir
        }
    }
}

/// Creates `dir` (and parents), with a clear message on failure.
pub fn ensure_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "error: cannot create output directory `{}`: {e}\n  hint: choose another place with --out",
            dir.display()
        )
    })?;
    let probe = dir.join(".sandtable-write-check");
    std::fs::write(&probe, b"").map_err(|e| {
        format!(
            "error: cannot write into `{}`: {e}\n  hint: choose another place with --out",
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// A file-name-safe form of a title: letters (any script) and digits kept, others `_`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() || c == '-' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        "chart".into()
    } else {
        trimmed.to_string()
    }
}

/// Prints a table with aligned columns (first column left-aligned, the rest right-aligned).
pub fn print_table(header: &[String], rows: &[Vec<String>]) {
    let width = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate().take(cols) {
            let pad = " ".repeat(widths[i] - width(cell));
            if i == 0 {
                s.push_str(cell);
                s.push_str(&pad);
            } else {
                s.push_str("  ");
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.trim_end().to_string()
    };
    outln!("{}", line(header));
    outln!(
        "{}",
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for row in rows {
        outln!("{}", line(row));
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(slug("Audience: 粉丝 & reach"), "audience_粉丝_reach");
        assert_eq!(slug("***"), "chart");
    }
}
