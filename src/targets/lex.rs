//! Tokens of the target language, each with the byte span it came from for error positions.

use super::syntax::Cmp;
use crate::equation::lexer::{scan, Tok as Kind, TARGET};

/// One token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A number; `percent` when written with a `%` suffix (the value is already divided by 100).
    Num {
        value: f64,
        percent: bool,
    },
    /// A bare name or keyword.
    Ident(String),
    /// A name in double quotes (for names with spaces or symbols).
    Quoted(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Cmp(Cmp),
    End,
}

/// A token with its byte span in the target text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// A lexing or parsing error before it is placed in a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub pos: usize,
    pub hint: Option<String>,
}

impl SyntaxError {
    pub fn new(message: impl Into<String>, pos: usize) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            pos,
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> SyntaxError {
        self.hint = Some(hint.into());
        self
    }
}

/// Splits `text` into tokens with the shared scanner's target dialect, ending with
/// [`Tok::End`] at `text.len()`; operators that targets do not accept are refused here with
/// the reason.
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let scanned = scan(text, &TARGET).map_err(|e| {
        let hint = e
            .hint
            .or_else(|| unexpected_hint(text, e.offset).map(String::from));
        SyntaxError {
            message: e.message,
            pos: e.offset,
            hint,
        }
    })?;
    scanned
        .into_iter()
        .map(|t| {
            let (start, end) = (t.span.start, t.span.end);
            let tok = match t.kind {
                Kind::Number(value) => Tok::Num {
                    value,
                    percent: text[start..end].ends_with('%'),
                },
                Kind::Ident(name) => Tok::Ident(name),
                Kind::Quoted(name) => {
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(SyntaxError::new("empty quoted name", start));
                    }
                    Tok::Quoted(name.to_string())
                }
                Kind::Sym(sym) => symbol(sym, text, start)?,
                Kind::End => Tok::End,
            };
            Ok(Token { tok, start, end })
        })
        .collect()
}

/// The token of a scanned operator, or why targets do not accept it.
fn symbol(sym: &str, text: &str, start: usize) -> Result<Tok, SyntaxError> {
    Ok(match sym {
        "(" => Tok::LParen,
        ")" => Tok::RParen,
        "[" => Tok::LBracket,
        "]" => Tok::RBracket,
        "," => Tok::Comma,
        "+" => Tok::Plus,
        "-" => Tok::Minus,
        "*" => Tok::Star,
        "/" => Tok::Slash,
        ">=" => Tok::Cmp(Cmp::Ge),
        "<=" => Tok::Cmp(Cmp::Le),
        ">" => Tok::Cmp(Cmp::Gt),
        "<" => Tok::Cmp(Cmp::Lt),
        "<>" => {
            return Err(SyntaxError::new("`<>` is not a comparison", start)
                .hint("targets compare with >=, >, <= or <"))
        }
        "=" | "==" | "!" | "!=" => {
            let c = &sym[..1];
            let hint = match (c, text[start + 1..].chars().next()) {
                ("=", Some('>')) => "did you mean `>=`?",
                ("=", Some('<')) => "did you mean `<=`?",
                _ => "targets compare with >=, >, <= or <; equality is never exact for simulated values",
            };
            return Err(SyntaxError::new(format!("`{c}` is not a comparison"), start).hint(hint));
        }
        other => {
            let c = &other[..1];
            let err = SyntaxError::new(format!("unexpected character `{c}`"), start);
            return Err(match unexpected_hint(text, start) {
                Some(h) => err.hint(h),
                None => err,
            });
        }
    })
}

/// A hint for a character targets do not use.
fn unexpected_hint(text: &str, offset: usize) -> Option<&'static str> {
    match text[offset..].chars().next()? {
        '%' => Some("a percentage follows its number directly, e.g. `20%`"),
        '^' => Some("powers are not supported; write the product or use growth/ratio"),
        '&' | '|' => Some("combine targets by name with all(target_a, target_b)"),
        _ => None,
    }
}
