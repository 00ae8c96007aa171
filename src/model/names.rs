//! Name matching: case-insensitive, with space and underscore the same character (XMILE 1.0).

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

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn spaces_underscores_and_case_match() {
        assert_eq!(canonical("Market Size"), canonical("market_size"));
        assert_eq!(canonical("\"Market  Size\""), "market_size");
        assert_eq!(canonical("粉丝"), "粉丝");
        assert_ne!(canonical("fans"), canonical("fanz"));
    }
}
