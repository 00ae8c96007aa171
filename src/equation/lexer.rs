//! The one scanner of sandtable's small languages. Model equations, targets and distributions
//! share numbers, names, quoted names and operators; a [`Dialect`] states where they differ, so
//! `1.2e6`, `"a name"` or `>=` read the same everywhere and each parser sees one token type.

use std::ops::Range;

/// A token and its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token.
    pub kind: Tok,
    /// Byte range in the text.
    pub span: Range<usize>,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A number literal; with a `%` suffix (in dialects that allow it) already divided by 100.
    Number(f64),
    /// A bare identifier (keywords are recognised by the parser).
    Ident(String),
    /// A `"quoted name"`.
    Quoted(String),
    /// An operator or punctuation, in its canonical spelling (`≥` is `>=`).
    Sym(&'static str),
    /// End of input.
    End,
}

/// A lexing error: message, byte offset and, where one helps, a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub offset: usize,
    /// How to fix it.
    pub hint: Option<String>,
}

impl LexError {
    fn new(message: impl Into<String>, offset: usize) -> LexError {
        LexError {
            message: message.into(),
            offset,
            hint: None,
        }
    }
}

/// Where the languages differ.
#[derive(Debug)]
pub struct Dialect {
    /// `{...}` is a comment (XMILE and Stella equations).
    pub brace_comments: bool,
    /// Characters besides letters, digits and `_` that continue a name (Stella names use `$`,
    /// `.` and `'`); those of them in `name_starts` may also start one.
    pub name_chars: &'static str,
    /// Characters besides letters and `_` that may start a name.
    pub name_starts: &'static str,
    /// Numbers as analysts write them in study files: `_` between digits (`1_200_000`), a `%`
    /// suffix (`20%` is 0.2), and nothing name-like straight after (`365days` is an error, not
    /// `365` then `days`).
    pub written_numbers: bool,
    /// With `written_numbers`, the hint for a malformed number.
    pub number_hint: &'static str,
    /// Operators, each with its canonical spelling; longer spellings first.
    pub symbols: &'static [(&'static str, &'static str)],
}

const fn same(s: &'static str) -> (&'static str, &'static str) {
    (s, s)
}

/// Model equations (TOML and XMILE): Stella's names and operators, `{comments}`.
pub const EQUATION: Dialect = Dialect {
    brace_comments: true,
    name_chars: "$.'",
    name_starts: "$",
    written_numbers: false,
    number_hint: "",
    symbols: &[
        same("//"),
        same("<="),
        same(">="),
        same("<>"),
        same("=="),
        same("!="),
        same("&&"),
        same("||"),
        same("+"),
        same("-"),
        same("*"),
        same("/"),
        same("^"),
        same("("),
        same(")"),
        same("["),
        same("]"),
        same(","),
        same("<"),
        same(">"),
        same("="),
        same("!"),
        same(":"),
    ],
};

/// Targets: written numbers, typographic comparisons (`≥`, `≤`, `−`, `×`). Operators targets
/// do not accept (`=`, `<>`, `^`, `&&`) are still scanned so that the parser can say why.
pub const TARGET: Dialect = Dialect {
    brace_comments: false,
    name_chars: "",
    name_starts: "",
    written_numbers: true,
    number_hint: "times are plain numbers in the model's time unit, e.g. `365`",
    symbols: &[
        same("<="),
        same(">="),
        same("<>"),
        same("=="),
        same("!="),
        same("&&"),
        same("||"),
        ("≥", ">="),
        ("≤", "<="),
        ("−", "-"),
        ("×", "*"),
        same("+"),
        same("-"),
        same("*"),
        same("/"),
        same("^"),
        same("("),
        same(")"),
        same("["),
        same("]"),
        same(","),
        same("<"),
        same(">"),
        same("="),
        same("!"),
    ],
};

/// Distributions: `name(number, ...)`, `discrete(value: weight, ...)`, `truncated [lo, hi]`.
pub const DISTRIBUTION: Dialect = Dialect {
    brace_comments: false,
    name_chars: "",
    name_starts: "",
    written_numbers: true,
    number_hint: "write the parameters as numbers separated by commas, e.g. uniform(0.1, 0.3)",
    symbols: &[
        ("−", "-"),
        same("+"),
        same("-"),
        same("("),
        same(")"),
        same("["),
        same("]"),
        same(","),
        same(":"),
    ],
};

/// Tokenises an equation. The last token is always [`Tok::End`].
pub fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    scan(text, &EQUATION)
}

/// Tokenises `text` in `dialect`. The last token is always [`Tok::End`].
pub fn scan(text: &str, dialect: &Dialect) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if c.is_whitespace() || c == '\u{feff}' {
            i += c.len_utf8();
            continue;
        }
        if c == '{' && dialect.brace_comments {
            let end = text[i..]
                .find('}')
                .ok_or_else(|| LexError::new("comment `{` is never closed", i))?;
            i += end + 1;
            continue;
        }
        let (kind, end) = if starts_number(text, i) {
            number(text, i, dialect)?
        } else if c.is_alphabetic() || c == '_' || dialect.name_starts.contains(c) {
            name(text, i, dialect)
        } else if c == '"' {
            quoted(text, i)?
        } else if let Some((written, canonical)) = dialect
            .symbols
            .iter()
            .find(|(written, _)| text[i..].starts_with(*written))
        {
            (Tok::Sym(canonical), i + written.len())
        } else {
            return Err(LexError::new(format!("unexpected character `{c}`"), i));
        };
        tokens.push(Token { kind, span: i..end });
        i = end;
    }
    tokens.push(Token {
        kind: Tok::End,
        span: text.len()..text.len(),
    });
    Ok(tokens)
}

fn starts_number(text: &str, i: usize) -> bool {
    let bytes = text.as_bytes();
    bytes[i].is_ascii_digit()
        || (bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
}

/// A number at `start`: digits and dots (and `_` in written numbers), then an exponent when
/// digits follow the `e`, then in written numbers an optional `%`.
fn number(text: &str, start: usize, dialect: &Dialect) -> Result<(Tok, usize), LexError> {
    let bytes = text.as_bytes();
    let body = |b: u8| b.is_ascii_digit() || b == b'.' || (b == b'_' && dialect.written_numbers);
    let mut j = start;
    while j < bytes.len() && body(bytes[j]) {
        j += 1;
    }
    if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
        let mut k = j + 1;
        if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
            k += 1;
        }
        if k < bytes.len() && bytes[k].is_ascii_digit() {
            while k < bytes.len()
                && (bytes[k].is_ascii_digit() || (bytes[k] == b'_' && dialect.written_numbers))
            {
                k += 1;
            }
            j = k;
        }
    }
    let raw = &text[start..j];
    let cleaned = raw.replace('_', "");
    let mut value: f64 = cleaned.parse().map_err(|_| {
        let mut e = LexError::new(format!("`{raw}` is not a number"), start);
        if dialect.written_numbers {
            e.hint = Some("write numbers like 1200000, 1.2e6, 1_200_000 or 20%".into());
        }
        e
    })?;
    if !dialect.written_numbers {
        return Ok((Tok::Number(value), j));
    }
    if text[j..].starts_with('%') {
        value /= 100.0;
        j += 1;
    }
    if !value.is_finite() {
        return Err(LexError::new(format!("number `{raw}` is too large"), start));
    }
    if let Some(after) = text[j..].chars().next() {
        if after.is_alphanumeric() || after == '_' || after == '.' {
            let mut e = LexError::new(format!("unexpected `{after}` after the number `{raw}`"), j);
            e.hint = Some(dialect.number_hint.into());
            return Err(e);
        }
    }
    Ok((Tok::Number(value), j))
}

/// A name at `start`; a trailing `.` (end of a sentence, not of a Stella module path) is left.
fn name(text: &str, start: usize, dialect: &Dialect) -> (Tok, usize) {
    let continues = |c: char| c.is_alphanumeric() || c == '_' || dialect.name_chars.contains(c);
    let len = text[start..]
        .find(|c: char| !continues(c))
        .unwrap_or(text.len() - start);
    let word = text[start..start + len].trim_end_matches('.');
    (Tok::Ident(word.to_string()), start + word.len())
}

/// A `"quoted name"` at `start`.
fn quoted(text: &str, start: usize) -> Result<(Tok, usize), LexError> {
    let end = closing_quote(&text[start + 1..]).ok_or_else(|| LexError {
        message: "unterminated quoted name".into(),
        offset: start,
        hint: Some("close the name with `\"`".into()),
    })?;
    let name = unescape(&text[start + 1..start + 1 + end]);
    Ok((Tok::Quoted(name), start + end + 2))
}

/// The offset of the `"` closing a quoted name (`\"` and `\\` inside are escapes).
fn closing_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if matches!(bytes.get(i + 1), Some(b'"') | Some(b'\\')) => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A quoted name's text with `\"` read as `"` and `\\` as `\` (other backslashes stay).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('"') | Some('\\')) {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn numbers_names_and_symbols() {
        assert_eq!(
            kinds("1e6 + 粉丝*.5 {note} <= \"a b\""),
            vec![
                Tok::Number(1e6),
                Tok::Sym("+"),
                Tok::Ident("粉丝".into()),
                Tok::Sym("*"),
                Tok::Number(0.5),
                Tok::Sym("<="),
                Tok::Quoted("a b".into()),
                Tok::End
            ]
        );
    }

    #[test]
    fn quoted_names_hold_escaped_quotes_and_backslashes() {
        assert_eq!(
            kinds(r#""say \"hi\" \\ \ x" + 1"#),
            vec![
                Tok::Quoted(r#"say "hi" \ \ x"#.into()),
                Tok::Sym("+"),
                Tok::Number(1.0),
                Tok::End
            ]
        );
    }

    #[test]
    fn reports_bad_characters_with_offset() {
        let err = tokenize("a + #").unwrap_err();
        assert_eq!(err.offset, 4);
    }

    fn first_number(text: &str, dialect: &Dialect) -> f64 {
        match scan(text, dialect).unwrap()[0].kind {
            Tok::Number(v) => v,
            ref other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn numbers_names_and_quotes_read_the_same_in_every_language() {
        for text in ["0", "12", "3.25", ".5", "1e6", "1.5E-3", "2e+2", "7."] {
            let want: f64 = text.parse().unwrap();
            for dialect in [&EQUATION, &TARGET, &DISTRIBUTION] {
                assert_eq!(first_number(text, dialect), want, "{text}");
            }
        }
        for dialect in [&EQUATION, &TARGET, &DISTRIBUTION] {
            let kinds: Vec<Tok> = scan("粉丝 \"a b\" (", dialect)
                .unwrap()
                .into_iter()
                .map(|t| t.kind)
                .collect();
            assert_eq!(
                kinds,
                vec![
                    Tok::Ident("粉丝".into()),
                    Tok::Quoted("a b".into()),
                    Tok::Sym("("),
                    Tok::End
                ]
            );
        }
    }

    #[test]
    fn written_numbers_take_separators_and_percentages_and_nothing_glued_on() {
        for dialect in [&TARGET, &DISTRIBUTION] {
            assert_eq!(first_number("1_200_000", dialect), 1_200_000.0);
            assert_eq!(first_number("20%", dialect), 0.2);
            assert_eq!(first_number("1.5e1%", dialect), 0.15);
            let glued = scan("365days", dialect).unwrap_err();
            assert_eq!(glued.offset, 3);
            assert!(
                glued.message.contains("after the number `365`"),
                "{glued:?}"
            );
            assert!(glued.hint.is_some());
            assert!(scan("1e999", dialect)
                .unwrap_err()
                .message
                .contains("too large"));
        }
        // Equations keep Stella's reading: `_` starts a name and `%` is no operator.
        assert_eq!(
            kinds("1_000")[..2],
            [Tok::Number(1.0), Tok::Ident("_000".into())]
        );
        assert!(tokenize("20%").is_err());
    }

    #[test]
    fn typographic_operators_are_their_ascii_spelling_in_targets() {
        let spans: Vec<(Tok, Range<usize>)> = scan("a ≥ 1 − b × 2", &TARGET)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.span))
            .collect();
        assert_eq!(spans[1], (Tok::Sym(">="), 2..5));
        assert_eq!(spans[3].0, Tok::Sym("-"));
        assert_eq!(spans[5].0, Tok::Sym("*"));
        assert!(tokenize("a ≥ 1").is_err(), "equations keep ASCII operators");
    }

    #[test]
    fn equation_names_keep_stella_characters() {
        assert_eq!(
            kinds("m.x' $y"),
            vec![Tok::Ident("m.x'".into()), Tok::Ident("$y".into()), Tok::End]
        );
        assert_eq!(
            scan("m.x", &TARGET).unwrap_err().message,
            "unexpected character `.`"
        );
    }
}
