//! Builtin names written with spaces (`VECTOR SORT ORDER(…)`, Vensim's spelling, which
//! converted and hand-written XMILE files keep) joined with `_`, so the parser reads them as
//! the one name the builtin table knows.

use crate::equation::builtins::names;
use crate::model::names::canonical;

/// The text with every run of two or more words separated only by blanks and followed by `(`
/// whose joined name is a builtin's (in [`crate::equation::builtins::TABLE`]) written with
/// `_` between the words. Quoted names are left alone; every blank becomes one `_`, so
/// positions in messages still match the file.
pub(super) fn join_spaced_builtins(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = text.as_bytes().to_vec();
    // Start offsets of the words of the current run (words separated by blanks only).
    let mut run: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            let close = text[i + 1..]
                .find('"')
                .map_or(bytes.len(), |k| i + 1 + k + 1);
            run.clear();
            i = close;
            continue;
        }
        if is_word_start(c) {
            let start = i;
            while i < bytes.len() && is_word(bytes[i]) {
                i += 1;
            }
            run.push((start, i));
            let mut j = i;
            while j < bytes.len() && is_blank(bytes[j]) {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'(' {
                join_builtin_suffix(text, &run, &mut out);
                run.clear();
            } else if j == i || j >= bytes.len() || !is_word_start(bytes[j]) {
                run.clear();
            }
            i = j;
            continue;
        }
        run.clear();
        i += 1;
    }
    // Only ASCII blanks were replaced by `_`, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Joins the longest suffix (of two words or more) of `run` that names a builtin.
fn join_builtin_suffix(text: &str, run: &[(usize, usize)], out: &mut [u8]) {
    let last = run.len();
    for first in 0..last.saturating_sub(1) {
        let (from, to) = (run[first].0, run[last - 1].1);
        let key = canonical(&text[from..to]);
        if names().any(|n| n == key) {
            for b in &mut out[from..to] {
                if is_blank(*b) {
                    *b = b'_';
                }
            }
            return;
        }
    }
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

#[cfg(test)]
mod tests {
    use super::join_spaced_builtins as join;

    #[test]
    fn spaced_builtin_names_are_joined_and_others_kept() {
        assert_eq!(
            join("VECTOR SORT ORDER(a[D], 1)"),
            "VECTOR_SORT_ORDER(a[D], 1)"
        );
        assert_eq!(
            join("x + vector  elm map (a, b)"),
            "x + vector__elm_map (a, b)"
        );
        assert_eq!(
            join("IF c THEN RANDOM NORMAL(0, 1) ELSE 0"),
            "IF c THEN RANDOM_NORMAL(0, 1) ELSE 0"
        );
        // Not builtins, quoted, or no call: unchanged.
        for same in [
            "IF a THEN b ELSE (c)",
            "\"VECTOR SORT ORDER\"(x)",
            "my var (2)",
            "VECTOR SORT ORDER",
            "a * SUM(x[*])",
        ] {
            assert_eq!(join(same), same);
        }
    }
}
