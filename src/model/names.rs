//! Name matching: case-insensitive, with space and underscore the same character (XMILE 1.0).

/// The stream key of a named consumer of random numbers (an uncertain input, a noise call):
/// the 64-bit FNV-1a hash of its canonical name, stable across platforms and releases.
pub fn stable_key(name: &str) -> u64 {
    canonical(name).bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The canonical form of a name: lower case, runs of spaces/underscores as one `_`,
/// surrounding quotes and whitespace removed. Unicode letters are kept as they are.
pub fn canonical(name: &str) -> String {
    let trimmed = name.trim();
    let unquoted = trimmed
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(trimmed);
    let mut out = String::with_capacity(unquoted.len());
    let mut pending_sep = false;
    for ch in unquoted.trim().chars() {
        if ch == ' ' || ch == '_' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\u{a0}' {
            pending_sep = true;
            continue;
        }
        if pending_sep && !out.is_empty() {
            out.push('_');
        }
        pending_sep = false;
        out.extend(ch.to_lowercase());
    }
    out
}

/// The closest candidate to `name` by edit distance, for "did you mean" hints.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let target = canonical(name);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let d = edit_distance(&target, &canonical(cand));
        let limit = (target.chars().count() / 3).max(1) + 1;
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether `c` reorders or hides text when printed: the Unicode bidirectional embeddings,
/// overrides and isolates, and the directional marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks that a name is printable: no control characters (NUL, escape, line breaks, tabs)
/// and no bidirectional-formatting characters, which would print as something other than the
/// name or disguise it (`admin\u{202E}txt.exe`). The error names the character and where.
pub fn check_printable(name: &str) -> Result<(), String> {
    match name
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() || is_bidi_control(*c))
    {
        None => Ok(()),
        Some((i, c)) => Err(format!(
            "the name `{}` contains the unprintable character U+{:04X} at character {}",
            name.escape_default(),
            c as u32,
            i + 1
        )),
    }
}

/// The hint for a name refused by [`check_printable`].
pub const PRINTABLE_HINT: &str =
    "names may hold letters of any script, digits, spaces and punctuation, but no control or text-direction characters";

#[cfg(test)]
mod tests {
    use super::{canonical, check_printable, closest};

    #[test]
    fn spaces_underscores_and_case_match() {
        assert_eq!(canonical("Market Size"), canonical("market_size"));
        assert_eq!(canonical("\"Market  Size\""), "market_size");
        assert_eq!(canonical("粉丝"), "粉丝");
        assert_ne!(canonical("fans"), canonical("fanz"));
    }

    #[test]
    fn suggests_the_nearest_name() {
        assert_eq!(closest("fanz", ["fans", "market_size"]), Some("fans"));
        assert_eq!(closest("zzzzzz", ["fans"]), None);
    }

    #[test]
    fn controls_and_direction_overrides_are_refused_letters_of_any_script_are_not() {
        for ok in ["birth rate", "粉丝 followers", "تعداد", "x_1 (per month)"] {
            assert!(check_printable(ok).is_ok(), "{ok}");
        }
        for (bad, code) in [
            ("a\0b", "U+0000"),
            ("evil\u{202E}txt", "U+202E"),
            ("x\u{2066}y", "U+2066"),
            ("esc\u{1b}[31m", "U+001B"),
            ("tab\there", "U+0009"),
        ] {
            let e = check_printable(bad).unwrap_err();
            assert!(e.contains(code), "{e}");
            assert!(
                !e.contains('\u{202E}') && !e.contains('\0'),
                "printed raw: {e}"
            );
        }
    }
}
