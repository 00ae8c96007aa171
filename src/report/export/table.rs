//! Markdown tables that also read well as plain text: cells padded to their column's display
//! width (Chinese characters count double), numeric columns right-aligned.

use unicode_width::UnicodeWidthStr;

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Makes `text` safe inside a table cell: pipes escaped, line breaks as spaces.
pub(crate) fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// `text` as an inline code span, for target texts and names whose `*` or `_` must not turn
/// into emphasis.
pub(crate) fn code(text: &str) -> String {
    // A code span cannot hold its own delimiter; a stray backtick in a name becomes a quote.
    format!("`{}`", text.replace('`', "'"))
}

/// Renders a table; `header` and every row have one cell per entry of `align`.
pub(crate) fn markdown(header: &[&str], align: &[Align], rows: &[Vec<String>]) -> String {
    let cells: Vec<Vec<String>> = std::iter::once(header.iter().map(|h| escape_cell(h)).collect())
        .chain(
            rows.iter()
                .map(|r| r.iter().map(|c| escape_cell(c)).collect()),
        )
        .collect();
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            cells
                .iter()
                .map(|r| r.get(c).map_or(0, |s| s.width()))
                .max()
                .unwrap_or(0)
                .max(3)
        })
        .collect();
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        out.push('|');
        for (c, &w) in widths.iter().enumerate() {
            let text = row.get(c).map_or("", String::as_str);
            let pad = " ".repeat(w.saturating_sub(text.width()));
            match align.get(c).copied().unwrap_or(Align::Left) {
                Align::Left => out.push_str(&format!(" {text}{pad} |")),
                Align::Right => out.push_str(&format!(" {pad}{text} |")),
            }
        }
        out.push('\n');
    };
    line(&mut out, &cells[0]);
    out.push('|');
    for (c, &w) in widths.iter().enumerate() {
        match align.get(c).copied().unwrap_or(Align::Left) {
            Align::Left => out.push_str(&format!(" {} |", "-".repeat(w))),
            Align::Right => out.push_str(&format!(" {}: |", "-".repeat(w - 1))),
        }
    }
    out.push('\n');
    for row in &cells[1..] {
        line(&mut out, row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width() {
        let t = markdown(
            &["name", "P"],
            &[Align::Left, Align::Right],
            &[
                vec!["粉丝".into(), "83.4 %".into()],
                vec!["a|b".into(), "5 %".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1], "| ---- | -----: |");
        assert_eq!(lines[2], "| 粉丝 | 83.4 % |");
        assert_eq!(lines[3], "| a\\|b |    5 % |");
        let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{t}");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a_b * c"), "`a_b * c`");
        assert_eq!(code("x`y"), "`x'y`");
    }
}
