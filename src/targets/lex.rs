//! Tokens of the target language, each with the byte span it came from for error positions.

use super::syntax::Cmp;

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

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `text` into tokens, ending with [`Tok::End`] at `text.len()`.
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let next_char = text[start + c.len_utf8()..].chars().next();
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '-' | '−' => Some(Tok::Minus),
            '*' | '×' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '≥' => Some(Tok::Cmp(Cmp::Ge)),
            '≤' => Some(Tok::Cmp(Cmp::Le)),
            _ => None,
        };
        if let Some(tok) = single {
            chars.next();
            tokens.push(Token {
                tok,
                start,
                end: start + c.len_utf8(),
            });
            continue;
        }
        match c {
            '>' | '<' => {
                chars.next();
                let (tok, end) = if next_char == Some('=') {
                    chars.next();
                    let cmp = if c == '>' { Cmp::Ge } else { Cmp::Le };
                    (Tok::Cmp(cmp), start + 2)
                } else if c == '<' && next_char == Some('>') {
                    return Err(SyntaxError::new("`<>` is not a comparison", start)
                        .hint("targets compare with >=, >, <= or <"));
                } else {
                    let cmp = if c == '>' { Cmp::Gt } else { Cmp::Lt };
                    (Tok::Cmp(cmp), start + 1)
                };
                tokens.push(Token { tok, start, end });
            }
            '=' | '!' => {
                let hint = match (c, next_char) {
                    ('=', Some('>')) => "did you mean `>=`?",
                    ('=', Some('<')) => "did you mean `<=`?",
                    _ => "targets compare with >=, >, <= or <; equality is never exact for simulated values",
                };
                return Err(
                    SyntaxError::new(format!("`{c}` is not a comparison"), start).hint(hint),
                );
            }
            '"' => {
                chars.next();
                let body_start = start + 1;
                match text[body_start..].find('"') {
                    Some(len) => {
                        let name = text[body_start..body_start + len].trim();
                        if name.is_empty() {
                            return Err(SyntaxError::new("empty quoted name", start));
                        }
                        let end = body_start + len + 1;
                        tokens.push(Token {
                            tok: Tok::Quoted(name.to_string()),
                            start,
                            end,
                        });
                        while chars.peek().is_some_and(|&(i, _)| i < end) {
                            chars.next();
                        }
                    }
                    None => {
                        return Err(SyntaxError::new("unterminated quoted name", start)
                            .hint("close the name with `\"`"))
                    }
                }
            }
            c if c.is_ascii_digit()
                || (c == '.' && next_char.is_some_and(|n| n.is_ascii_digit())) =>
            {
                let end = number_end(text, start);
                let raw = &text[start..end];
                let cleaned: String = raw.chars().filter(|&c| c != '_').collect();
                let mut value: f64 = cleaned.parse().map_err(|_| {
                    SyntaxError::new(format!("malformed number `{raw}`"), start)
                        .hint("write numbers like 1200000, 1.2e6 or 1_200_000")
                })?;
                let mut stop = end;
                let percent = text[end..].starts_with('%');
                if percent {
                    value /= 100.0;
                    stop += 1;
                }
                if !value.is_finite() {
                    return Err(SyntaxError::new(
                        format!("number `{raw}` is too large"),
                        start,
                    ));
                }
                if let Some(after) = text[stop..].chars().next() {
                    if is_name_char(after) || after == '.' {
                        return Err(SyntaxError::new(
                            format!("unexpected `{after}` after the number `{raw}`"),
                            stop,
                        )
                        .hint("times are plain numbers in the model's time unit, e.g. `365`"));
                    }
                }
                while chars.peek().is_some_and(|&(i, _)| i < stop) {
                    chars.next();
                }
                tokens.push(Token {
                    tok: Tok::Num { value, percent },
                    start,
                    end: stop,
                });
            }
            c if is_name_start(c) => {
                let mut end = start;
                while let Some(&(i, ch)) = chars.peek() {
                    if !is_name_char(ch) {
                        break;
                    }
                    end = i + ch.len_utf8();
                    chars.next();
                }
                tokens.push(Token {
                    tok: Tok::Ident(text[start..end].to_string()),
                    start,
                    end,
                });
            }
            other => {
                let hint = match other {
                    '%' => Some("a percentage follows its number directly, e.g. `20%`"),
                    '^' => Some("powers are not supported; write the product or use growth/ratio"),
                    '&' | '|' => Some("combine targets by name with all(target_a, target_b)"),
                    _ => None,
                };
                let err = SyntaxError::new(format!("unexpected character `{other}`"), start);
                return Err(match hint {
                    Some(h) => err.hint(h),
                    None => err,
                });
            }
        }
    }
    tokens.push(Token {
        tok: Tok::End,
        start: text.len(),
        end: text.len(),
    });
    Ok(tokens)
}

/// The end of the number starting at `start`: digits and `_`, an optional fraction and an
/// optional exponent (taken only when digits follow the `e`).
fn number_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let digits = |mut i: usize| {
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    if i < bytes.len() && bytes[i] == b'.' {
        i = digits(i + 1);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = digits(j);
        }
    }
    i
}
