//! Cutting a Vensim `.mdl` file into its equation entries (`lhs = rhs ~ units ~ doc |`).
//!
//! Positions are byte offsets into the file text, so every later error can name a line and
//! column. The sketch after `\\\---///` and group headers (`****`) are skipped; `:MACRO:`
//! blocks are kept apart.

use crate::diagnostic::{Diagnostic, SourceFile, SourceRef};
use std::sync::Arc;

/// One `|`-terminated entry of the equations section.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The equation part (before the first `~`), blanked of `{...}` comments.
    pub eqn: String,
    /// Byte offset of `eqn` in the file.
    pub at: usize,
    /// Units text (between the first and second `~`), trimmed.
    pub units: String,
    /// Documentation text (after the second `~`), trimmed.
    pub doc: String,
    /// Index of the macro this entry belongs to, if any.
    pub macro_index: Option<usize>,
}

/// A `:MACRO: name(inputs : outputs)` header.
#[derive(Debug, Clone)]
pub struct MacroHeader {
    /// Macro name as written.
    pub name: String,
    /// Input parameter names.
    pub params: Vec<String>,
    /// Extra output names (after `:`).
    pub outputs: Vec<String>,
    /// Byte offset of the header.
    pub at: usize,
}

/// The entries of a file and its macro headers.
pub struct Split {
    /// Every entry in file order.
    pub entries: Vec<Entry>,
    /// Macro headers; `Entry::macro_index` points here.
    pub macros: Vec<MacroHeader>,
    /// The settings lines after the sketch (`///---\\\`), e.g. `15:0,0,0,0,0,0`.
    pub settings: Vec<String>,
}

/// Splits the text of a `.mdl` file into entries.
pub fn split(file: &Arc<SourceFile>) -> Result<Split, Diagnostic> {
    let text = file.text.as_str();
    // The sketch marker is `\\\---///`; some writers use two backslashes.
    let (body, settings) = match text.find("\\\\---///") {
        Some(i) => {
            let rest = &text[i..];
            let settings = match rest.find("///---\\\\\\") {
                Some(k) => rest[k..].lines().skip(1).map(str::to_string).collect(),
                None => Vec::new(),
            };
            (text[..i].trim_end_matches('\\'), settings)
        }
        None => (text, Vec::new()),
    };
    let mut start = 0;
    if let Some(rest) = body.strip_prefix('\u{feff}') {
        start = body.len() - rest.len();
    }
    let head = body[start..].trim_start();
    if head.starts_with("{UTF-8}") {
        start = body.len() - head.len() + "{UTF-8}".len();
    }
    let mut entries = Vec::new();
    let mut macros: Vec<MacroHeader> = Vec::new();
    let mut current_macro = None;
    for (lo, hi) in chunks(body, start) {
        let mut lo = lo;
        let mut chunk = &body[lo..hi];
        loop {
            let trimmed = chunk.trim_start();
            let skip = chunk.len() - trimmed.len();
            if let Some(rest) = strip_keyword(trimmed, ":END OF MACRO:") {
                if current_macro.is_none() {
                    return Err(located(
                        file,
                        lo + skip,
                        "`:END OF MACRO:` without `:MACRO:`",
                    ));
                }
                current_macro = None;
                lo += chunk.len() - rest.len();
                chunk = rest;
                continue;
            }
            if let Some(rest) = strip_keyword(trimmed, ":MACRO:") {
                let header_at = lo + skip;
                let open = rest.find('(').ok_or_else(|| {
                    located(file, header_at, "a `:MACRO:` header needs `name(inputs)`")
                })?;
                let close = rest[open..].find(')').map(|k| k + open).ok_or_else(|| {
                    located(file, header_at, "the `:MACRO:` header's `(` is not closed")
                })?;
                let inner = &rest[open + 1..close];
                let (ins, outs) = inner.split_once(':').unwrap_or((inner, ""));
                let list = |s: &str| -> Vec<String> {
                    s.split(',')
                        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|p| !p.is_empty())
                        .collect()
                };
                macros.push(MacroHeader {
                    name: rest[..open]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    params: list(ins),
                    outputs: list(outs),
                    at: header_at,
                });
                current_macro = Some(macros.len() - 1);
                let after = &rest[close + 1..];
                lo += chunk.len() - after.len();
                chunk = after;
                continue;
            }
            break;
        }
        if chunk.trim().is_empty() {
            continue;
        }
        let blanked = blank_comments(chunk);
        let mut parts = split_tildes(&blanked);
        let eqn = parts.remove(0);
        if eqn.trim_start().starts_with('*') || eqn.trim().is_empty() && parts.is_empty() {
            continue;
        }
        let units = parts.first().map(|s| joined(s)).unwrap_or_default();
        let doc = parts.get(1).map(|s| joined(s)).unwrap_or_default();
        entries.push(Entry {
            eqn: eqn.to_string(),
            at: lo,
            units,
            doc,
            macro_index: current_macro,
        });
    }
    if let Some(m) = current_macro {
        return Err(located(
            file,
            macros[m].at,
            format!("the macro `{}` has no `:END OF MACRO:`", macros[m].name),
        ));
    }
    Ok(Split {
        entries,
        macros,
        settings,
    })
}

/// Free text with its `\` line continuations joined and surrounding space trimmed.
fn joined(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.trim().split('\n').peekable();
    while let Some(line) = lines.next() {
        match line.trim_end().strip_suffix('\\') {
            Some(head) if lines.peek().is_some() => {
                out.push_str(head.trim_end());
                out.push(' ');
                if let Some(next) = lines.peek_mut() {
                    *next = next.trim_start();
                }
            }
            _ => {
                out.push_str(line.trim_end());
                if lines.peek().is_some() {
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword)
        .then(|| &text[keyword.len()..])
}

/// A diagnostic at a byte offset of the file.
pub fn located(file: &Arc<SourceFile>, offset: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(message, SourceRef::at_offset(file, offset))
}

/// Byte ranges of the `|`-terminated chunks, ignoring `|` inside quotes and comments.
fn chunks(body: &str, start: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut lo = start;
    let mut in_quote = false;
    let mut comment = 0usize;
    // Quotes matter only in the equation; units and comments may hold odd ones.
    let mut in_text = false;
    let mut escaped = false;
    for (i, ch) in body[start..].char_indices() {
        let i = i + start;
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' if in_quote => escaped = true,
            '~' if !in_quote && comment == 0 => in_text = true,
            '"' if comment == 0 && !in_text => in_quote = !in_quote,
            '{' if !in_quote => comment += 1,
            '}' if !in_quote => comment = comment.saturating_sub(1),
            '|' if !in_quote && comment == 0 => {
                out.push((lo, i));
                lo = i + 1;
                in_text = false;
            }
            _ => {}
        }
    }
    if !body[lo..].trim().is_empty() {
        out.push((lo, body.len()));
    }
    out
}

/// The chunk cut at its first two `~` outside quotes: equation, units, documentation.
fn split_tildes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut last = 0;
    let mut in_quote = false;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' if in_quote => escaped = true,
            '"' if parts.is_empty() => in_quote = !in_quote,
            '~' if !in_quote && parts.len() < 2 => {
                parts.push(&text[last..i]);
                last = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[last..]);
    parts
}

/// The text with `{...}` comments outside quotes replaced by spaces (byte lengths kept).
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    let mut depth = 0usize;
    for ch in text.chars() {
        if depth > 0 {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if ch == '\n' {
                out.push('\n');
            } else {
                out.extend(std::iter::repeat_n(' ', ch.len_utf8()));
            }
            continue;
        }
        match ch {
            '"' => in_quote = !in_quote,
            '{' if !in_quote => {
                depth = 1;
                out.push(' ');
                continue;
            }
            _ => {}
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: "m.mdl".into(),
            text: text.into(),
        })
    }

    #[test]
    fn entries_units_docs_macros_and_sketch() {
        let f = file(
            "{UTF-8}\na = 1 {note}\n\t~ kg\n\t~ doc | b=2~~|\n****\n.Control\n****~ x |\n\
             :MACRO: M(x, y : z)\nM = x*y ~~|\n:END OF MACRO:\nc=3 ~ ~ |\n\
             \\\\\\---/// Sketch\nV300\n///---\\\\\\\n15:0,0,0,1,0,0\n",
        );
        let s = split(&f).unwrap();
        let eqns: Vec<&str> = s.entries.iter().map(|e| e.eqn.trim()).collect();
        assert_eq!(eqns, ["a = 1", "b=2", "M = x*y", "c=3"]);
        assert_eq!(s.entries[0].units, "kg");
        assert_eq!(s.entries[0].doc, "doc");
        assert_eq!(joined("  one \\\n\t\ttwo\n three "), "one two\n three");
        assert_eq!(s.entries[2].macro_index, Some(0));
        assert_eq!(s.entries[3].macro_index, None);
        assert_eq!(s.macros[0].params, ["x", "y"]);
        assert_eq!(s.macros[0].outputs, ["z"]);
        assert_eq!(s.settings, ["15:0,0,0,1,0,0"]);
        assert_eq!(&f.text[s.entries[1].at..s.entries[1].at + 4], " b=2");
    }

    #[test]
    fn unterminated_macro_is_an_error() {
        let e = split(&file(":MACRO: M(x)\nM = x ~~|\n")).err().unwrap();
        assert!(e.message.contains("END OF MACRO"), "{}", e.message);
        assert_eq!(e.at.line, 1);
    }
}
