//! What Stella writes that strict XML or XMILE 1.0 would refuse, accepted; and drafts older
//! than XMILE 1.0, refused by name rather than read as an empty model.

use crate::diagnostic::{Diagnostic, SourceRef};
use roxmltree::Node;
use std::borrow::Cow;

/// The text with every `-` inside an XML comment turned into a space: Stella writes `--`
/// inside comments (and `--->` to close them), which XML forbids. Lengths and line breaks are
/// kept, so positions in messages still match the file.
pub(super) fn comment_dashes(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut from = 0;
    while let Some(open) = text[from..].find("<!--").map(|k| from + k + 4) {
        let Some(close) = text[open..].find("-->").map(|k| open + k) else {
            break;
        };
        if text[open..close].contains('-') {
            let buf = out.get_or_insert_with(|| text.to_string());
            // '-' and ' ' are one byte each: the replacement keeps every offset.
            buf.replace_range(open..close, &text[open..close].replace('-', " "));
        }
        from = close + 3;
    }
    match out {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(text),
    }
}

/// Refuses a document that declares an XMILE version before 1.0 (the drafts name their
/// elements differently, and reading one as 1.0 finds no variables).
pub(super) fn check_version(root: Node, at: SourceRef) -> Result<(), Diagnostic> {
    let Some(version) = root.attribute("version") else {
        return Ok(());
    };
    match version.trim().parse::<f64>() {
        Ok(v) if v < 1.0 => Err(Diagnostic::new(
            format!("this is a draft of XMILE (version {version}), before the 1.0 standard"),
            at,
        )
        .with_hint("open the model in its modelling tool and save or export it as XMILE 1.0")),
        _ => Ok(()),
    }
}

/// Refuses a model in which nothing was read as a variable: a silent empty run is never
/// what a file with a model in it meant.
pub(super) fn check_not_empty(count: usize, main: Node, at: SourceRef) -> Result<(), Diagnostic> {
    if count > 0 {
        return Ok(());
    }
    let stray: Vec<String> = main
        .descendants()
        .filter(|n| n.is_element() && matches!(n.tag_name().name(), "stock" | "flow" | "aux"))
        .take(1)
        .map(|n| n.tag_name().name().to_string())
        .collect();
    let hint = if stray.is_empty() {
        "add stocks, flows or auxiliaries inside <model><variables>".to_string()
    } else {
        format!(
            "the file has a <{}> outside <model><variables> (an XMILE draft?); export it as XMILE 1.0",
            stray[0]
        )
    };
    Err(Diagnostic::new("the model has no variables", at).with_hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_inside_comments_become_spaces_and_nothing_else_moves() {
        let text = "<a><!-- x -- y ---><b>-1</b><!--ok--></a>";
        let out = comment_dashes(text);
        assert_eq!(out, "<a><!-- x    y  --><b>-1</b><!--ok--></a>");
        assert_eq!(out.len(), text.len());
        assert!(matches!(comment_dashes("<a>-</a>"), Cow::Borrowed(_)));
    }
}
