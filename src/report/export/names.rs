//! File names from model names: safe on every file system, readable in any script.

use std::collections::HashSet;

/// Longest slug in characters; CJK takes three bytes a character and names stay well under the
/// usual 255-byte limit with a prefix and extension.
const MAX_CHARS: usize = 60;

/// A file-name-safe form of `name`: letters and digits of any script are kept (lower-cased),
/// every run of other characters becomes one `_`. `"Market Size"` → `market_size`,
/// `"reach[wechat]"` → `reach_wechat`, `"粉丝数"` → `粉丝数`. An empty result becomes `_`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.extend(ch.to_lowercase());
        } else {
            gap = true;
        }
        if out.chars().count() >= MAX_CHARS {
            break;
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Slugs of `names`, made distinct by numbering later duplicates (`a`, `a_2`, ...), so two
/// names that differ only in punctuation or case never write to the same file.
pub(crate) fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used = HashSet::new();
    let mut out = Vec::new();
    for name in names {
        let base = slug(name);
        let mut candidate = base.clone();
        let mut k = 2;
        while !used.insert(candidate.clone()) {
            candidate = format!("{base}_{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_letters_of_any_script_and_joins_the_rest() {
        assert_eq!(slug("Market Size"), "market_size");
        assert_eq!(slug("reach[wechat]"), "reach_wechat");
        assert_eq!(slug("  粉丝 数 "), "粉丝_数");
        assert_eq!(slug("Größe/Ümsatz"), "größe_ümsatz");
        assert_eq!(slug("../etc/passwd"), "etc_passwd");
        assert_eq!(slug("%%"), "_");
        assert_eq!(slug(""), "_");
    }

    #[test]
    fn long_names_are_cut() {
        let long = "字".repeat(500);
        let s = slug(&long);
        assert_eq!(s.chars().count(), MAX_CHARS);
        assert!(s.len() < 200);
    }

    #[test]
    fn duplicates_get_numbers() {
        assert_eq!(
            unique_slugs(["a b", "A_B", "a-b", "c"]),
            vec!["a_b", "a_b_2", "a_b_3", "c"]
        );
    }
}
