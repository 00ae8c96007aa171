//! Splits equation text into tokens; skips `{...}` comments and whitespace.

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
    /// A number literal.
    Number(f64),
    /// A bare identifier (keywords are recognised by the parser).
    Ident(String),
    /// A `"quoted name"`.
    Quoted(String),
    /// An operator or punctuation.
    Sym(&'static str),
    /// End of input.
    End,
}

/// A lexing error: message and byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub offset: usize,
}

const SYMBOLS: [&str; 22] = [
    "<=", ">=", "<>", "==", "!=", "&&", "||", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",",
    "<", ">", "=", "!", ":",
];

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '\''
}

/// Tokenises `text`. The last token is always [`Tok::End`].
pub fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() || c == '\u{feff}' {
            i += c.len_utf8();
            continue;
        }
        if c == '{' {
            match text[i..].find('}') {
                Some(end) => {
                    i += end + 1;
                    continue;
                }
                None => {
                    return Err(LexError {
                        message: "comment `{` is never closed".into(),
                        offset: i,
                    })
                }
            }
        }
        let start = i;
        if c.is_ascii_digit() || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
                let mut k = j + 1;
                if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
                    k += 1;
                }
                if k < bytes.len() && bytes[k].is_ascii_digit() {
                    while k < bytes.len() && bytes[k].is_ascii_digit() {
                        k += 1;
                    }
                    j = k;
                }
            }
            let literal = &text[i..j];
            let value: f64 = literal.parse().map_err(|_| LexError {
                message: format!("`{literal}` is not a number"),
                offset: i,
            })?;
            tokens.push(Token {
                kind: Tok::Number(value),
                span: start..j,
            });
            i = j;
            continue;
        }
        if is_ident_start(c) {
            let mut j = i;
            for ch in text[i..].chars() {
                if is_ident_continue(ch) {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            let word = text[i..j].trim_end_matches('.');
            let j = i + word.len();
            tokens.push(Token {
                kind: Tok::Ident(word.to_string()),
                span: start..j,
            });
            i = j;
            continue;
        }
        if c == '"' {
            match closing_quote(&text[i + 1..]) {
                Some(end) => {
                    let name = unescape(&text[i + 1..i + 1 + end]);
                    tokens.push(Token {
                        kind: Tok::Quoted(name),
                        span: start..i + end + 2,
                    });
                    i += end + 2;
                    continue;
                }
                None => {
                    return Err(LexError {
                        message: "quoted name is never closed".into(),
                        offset: i,
                    })
                }
            }
        }
        if let Some(sym) = SYMBOLS.iter().find(|s| text[i..].starts_with(**s)) {
            tokens.push(Token {
                kind: Tok::Sym(sym),
                span: start..i + sym.len(),
            });
            i += sym.len();
            continue;
        }
        return Err(LexError {
            message: format!("unexpected character `{c}`"),
            offset: i,
        });
    }
    tokens.push(Token {
        kind: Tok::End,
        span: text.len()..text.len(),
    });
    Ok(tokens)
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
}
