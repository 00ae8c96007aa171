//! Errors that point at the input: file, line, column, the offending text with a caret, a hint.
//!
//! Every stage that reads user text reports through [`Diagnostic`]; the command line prints it
//! and exits with code 2.

use std::fmt;
use std::sync::Arc;

/// A source file kept for error messages.
#[derive(Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Path as given by the user.
    pub path: String,
    /// Full text.
    pub text: String,
}

/// A position in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceRef {
    /// The file, if the text came from one.
    pub file: Option<Arc<SourceFile>>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
}

impl SourceRef {
    /// A reference to nothing (synthetic text).
    pub fn none() -> SourceRef {
        SourceRef::default()
    }

    /// A reference to the whole file, with no line.
    pub fn file(file: &Arc<SourceFile>) -> SourceRef {
        SourceRef {
            file: Some(file.clone()),
            line: 0,
            col: 0,
        }
    }

    /// A reference to a byte offset in `file`.
    pub fn at_offset(file: &Arc<SourceFile>, offset: usize) -> SourceRef {
        let offset = offset.min(file.text.len());
        let before = &file.text[..floor_char_boundary(&file.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before[line_start..].chars().count() + 1;
        SourceRef {
            file: Some(file.clone()),
            line,
            col,
        }
    }

    /// The reference moved `chars` characters to the right on the same line (for a position
    /// inside an equation whose start this is). Equations spanning lines are handled by
    /// [`SourceRef::advance_in`].
    pub fn advance_in(&self, text: &str, byte_offset: usize) -> SourceRef {
        if self.line == 0 {
            return self.clone();
        }
        let before = &text[..floor_char_boundary(text, byte_offset)];
        let newlines = before.matches('\n').count();
        if newlines == 0 {
            SourceRef {
                file: self.file.clone(),
                line: self.line,
                col: self.col + before.chars().count(),
            }
        } else {
            let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
            SourceRef {
                file: self.file.clone(),
                line: self.line + newlines,
                col: before[line_start..].chars().count() + 1,
            }
        }
    }

    /// The path of the file, if any.
    pub fn path(&self) -> Option<&str> {
        self.file.as_ref().map(|f| f.path.as_str())
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A user-facing error with its location and an optional hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What is wrong, one sentence.
    pub message: String,
    /// Where.
    pub at: SourceRef,
    /// How to fix it, if we can tell.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `at`.
    pub fn new(message: impl Into<String>, at: SourceRef) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            at,
            hint: None,
        }
    }

    /// A diagnostic with no location.
    pub fn plain(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message, SourceRef::none())
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the location if none is known yet.
    pub fn or_at(mut self, at: &SourceRef) -> Diagnostic {
        if self.at.file.is_none() && self.at.line == 0 {
            self.at = at.clone();
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.at.file, self.at.line) {
            (Some(file), 0) => write!(f, "{}: ", file.path)?,
            (Some(file), line) => write!(f, "{}:{}:{}: ", file.path, line, self.at.col)?,
            (None, _) => {}
        }
        write!(f, "error: {}", self.message)?;
        if let (Some(file), line) = (&self.at.file, self.at.line) {
            if line > 0 {
                if let Some(text) = file.text.lines().nth(line - 1) {
                    let shown: String = text.chars().take(160).collect();
                    let pad = self.at.col.saturating_sub(1).min(shown.chars().count());
                    let indent: String = shown
                        .chars()
                        .take(pad)
                        .map(|c| {
                            if c == '\t' {
                                '\t'
                            } else if c.is_ascii() {
                                ' '
                            } else {
                                '　'
                            }
                        })
                        .collect();
                    write!(f, "\n {line:>4} | {shown}\n      | {indent}^")?;
                }
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Several diagnostics collected from one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    /// Each distinct diagnostic once: an arrayed variable's equation is checked once per
    /// element, and the same error at the same place says nothing more the second time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if self.0[..i].contains(d) {
                continue;
            }
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column_with_caret() {
        let file = Arc::new(SourceFile {
            path: "m.toml".into(),
            text: "a = 1\nb = \"fanz + 1\"\n".into(),
        });
        let at = SourceRef::at_offset(&file, 11);
        let d = Diagnostic::new("unknown variable `fanz`", at).with_hint("did you mean `fans`?");
        let shown = d.to_string();
        assert!(
            shown.starts_with("m.toml:2:6: error: unknown variable `fanz`"),
            "{shown}"
        );
        assert!(
            shown.contains("   2 | b = \"fanz + 1\"\n      |      ^"),
            "{shown}"
        );
        assert!(shown.ends_with("hint: did you mean `fans`?"));
    }
}
