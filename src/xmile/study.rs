//! The study kept in an XMILE file: TOML study sections in a `<study>` element of the
//! namespace [`STUDY_NS`], a vendor extension that other XMILE tools skip.

use crate::diagnostic::SourceFile;
use std::sync::Arc;

/// Namespace of the study extension element.
pub const STUDY_NS: &str = "urn:sandtable:study:1";

/// The TOML text of the study embedded in XMILE `text`, as a source file named after
/// `path` (its lines count from the element's first line), or `None` when there is none.
pub fn embedded_study(text: &str, path: &str) -> Option<Arc<SourceFile>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Ok(doc) = roxmltree::Document::parse(text) else {
        // The model reader reports malformed XML with its location.
        return None;
    };
    let found = doc
        .root_element()
        .children()
        .find(|n| n.tag_name().namespace() == Some(STUDY_NS) && n.tag_name().name() == "study");
    let node = found?;
    let body: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    Some(Arc::new(SourceFile {
        path: format!("{path} (study element)"),
        text: body,
    }))
}
