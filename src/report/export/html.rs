//! `report.html`: the same document as `report.md`, as one self-contained page for e-mail and
//! browsers, with every chart embedded as a base64 `data:` URI (no network, no side files).
//!
//! The page is made from the Markdown the report exporter wrote, so both say the same thing;
//! only the subset of Markdown that exporter writes is understood: headings, paragraphs, lists,
//! pipe tables, images, links, bold, italics and inline code.

use std::fmt::Write;

/// The page's file name.
pub(crate) const FILE: &str = "report.html";

/// Page style: readable widths, tables that scroll sideways instead of overflowing.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC',\
'Microsoft YaHei',sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#282828;\
line-height:1.45}table{border-collapse:collapse;margin:1em 0;display:block;overflow-x:auto}\
th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f2f2f2}td.r,th.r{text-align:right}\
img{max-width:100%;height:auto;display:block;margin:1em 0}code{background:#f4f4f4;\
padding:0 .2em}";

/// The HTML page for Markdown `md`; `image(file)` returns a chart's PNG bytes, and images it
/// does not know stay links to the file.
pub(crate) fn page(md: &str, image: &dyn Fn(&str) -> Option<Vec<u8>>) -> String {
    let title = md
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("report");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
        } else if let Some((level, text)) = heading(line) {
            let _ = writeln!(out, "<h{level}>{}</h{level}>", inline(text));
            i += 1;
        } else if line.starts_with('|') {
            let end = block_end(&lines, i, |l| l.starts_with('|'));
            table(&mut out, &lines[i..end]);
            i = end;
        } else if line.starts_with("- ") {
            let end = block_end(&lines, i, |l| l.starts_with("- "));
            out.push_str("<ul>\n");
            for item in &lines[i..end] {
                let _ = writeln!(out, "<li>{}</li>", inline(&item[2..]));
            }
            out.push_str("</ul>\n");
            i = end;
        } else if let Some((alt, file)) = image_line(line) {
            match image(file) {
                Some(bytes) => {
                    let _ = writeln!(
                        out,
                        "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"></figure>",
                        escape(alt),
                        base64(&bytes)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "<p><a href=\"{}\">{}</a></p>",
                        escape(file),
                        escape(alt)
                    );
                }
            }
            i += 1;
        } else {
            let end = block_end(&lines, i, |l| {
                !l.trim().is_empty()
                    && heading(l).is_none()
                    && !l.starts_with('|')
                    && !l.starts_with("- ")
                    && image_line(l).is_none()
            });
            let text: Vec<&str> = lines[i..end].iter().map(|l| l.trim()).collect();
            let _ = writeln!(out, "<p>{}</p>", inline(&text.join(" ")));
            i = end;
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The first index from `start` whose line does not satisfy `keep` (at least `start + 1`).
fn block_end(lines: &[&str], start: usize, keep: impl Fn(&str) -> bool) -> usize {
    let mut end = start + 1;
    while end < lines.len() && keep(lines[end]) {
        end += 1;
    }
    end
}

/// `(level, text)` of an ATX heading.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    ((1..=6).contains(&level))
        .then(|| line[level..].strip_prefix(' '))
        .flatten()
        .map(|t| (level, t.trim()))
}

/// `(alt, file)` of a line that is exactly `![alt](file)`.
fn image_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim().strip_prefix("![")?;
    let (alt, rest) = rest.split_once("](")?;
    let file = rest.strip_suffix(')')?;
    (!file.contains(' ')).then_some((alt, file))
}

/// Cells of a pipe-table row, with `\|` kept as a literal bar.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// A pipe table: header row, alignment row, body rows.
fn table(out: &mut String, rows: &[&str]) {
    let right: Vec<bool> = rows
        .get(1)
        .map(|r| cells(r).iter().map(|c| c.ends_with(':')).collect())
        .unwrap_or_default();
    let class = |k: usize| {
        if right.get(k).copied().unwrap_or(false) {
            " class=\"r\""
        } else {
            ""
        }
    };
    out.push_str("<table>\n");
    for (n, row) in rows.iter().enumerate() {
        if n == 1 {
            continue;
        }
        let tag = if n == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for (k, c) in cells(row).iter().enumerate() {
            let _ = write!(out, "<{tag}{}>{}</{tag}>", class(k), inline(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// Inline Markdown: code spans, bold, italics and links, with everything else escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('`') {
            if let Some(end) = r.find('`') {
                let _ = write!(out, "<code>{}</code>", escape(&r[..end]));
                rest = &r[end + 1..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix("**") {
            if let Some(end) = r.find("**") {
                let _ = write!(out, "<strong>{}</strong>", inline(&r[..end]));
                rest = &r[end + 2..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix('*') {
            if let Some(end) = r.find('*').filter(|&e| e > 0) {
                let _ = write!(out, "<em>{}</em>", inline(&r[..end]));
                rest = &r[end + 1..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix('[') {
            if let Some((label, after)) = r.split_once("](") {
                if let Some(end) = after.find(')') {
                    let _ = write!(
                        out,
                        "<a href=\"{}\">{}</a>",
                        escape(&after[..end]),
                        inline(label)
                    );
                    rest = &after[end + 1..];
                    continue;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push_str(&escape(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Text safe inside HTML elements and double-quoted attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Standard base64 with padding (RFC 4648).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        // RFC 4648 §10.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }

    #[test]
    fn markdown_subset_becomes_html() {
        let md = "# Model — base\n\n## Summary\n\n200 runs of *base*. **Warning: x < y.**\n\n\
                  | Target | P |\n| --- | --: |\n| `a\\|b` | 5 % |\n\n- one [j](summary.json)\n\
                  - two\n\n![Chart & co](c.png)\n\n![Missing](m.png)\n";
        let html = page(md, &|f| (f == "c.png").then(|| b"PNG".to_vec()));
        assert!(html.contains("<title>Model — base</title>"));
        assert!(html.contains("<h2>Summary</h2>"));
        assert!(
            html.contains("<p>200 runs of <em>base</em>. <strong>Warning: x &lt; y.</strong></p>")
        );
        assert!(html.contains("<tr><th>Target</th><th class=\"r\">P</th></tr>"));
        assert!(html.contains("<tr><td><code>a|b</code></td><td class=\"r\">5 %</td></tr>"));
        assert!(html.contains("<li>one <a href=\"summary.json\">j</a></li>\n<li>two</li>"));
        assert!(html.contains("alt=\"Chart &amp; co\" src=\"data:image/png;base64,UE5H\""));
        assert!(html.contains("<a href=\"m.png\">Missing</a>"));
        // Self-contained: nothing fetched from elsewhere.
        assert!(!html.contains("http"));
    }
}
