//! The one font every chart uses: WenQuanYi Micro Hei, embedded so charts look the same everywhere.
//!
//! The font covers Latin and CJK, so Chinese model and target names render without relying on
//! whatever fonts the machine has. It is registered with plotters once per process under
//! [`FAMILY`]; chart code asks for that family name only.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle, IntoFont, TextStyle};

/// The family name the embedded font is registered under.
pub const FAMILY: &str = "sandtable-sans";

/// WenQuanYi Micro Hei (Apache-2.0), a TrueType collection; its first face is the one read.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// The embedded font could not be parsed (only possible if the asset was replaced by a bad file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the embedded chart font could not be loaded")]
pub struct FontError;

/// Registers the embedded font for every style the charts use; later calls are free.
///
/// The font has a single weight, so bold and italic requests map to the same face rather than
/// silently falling back to a font without CJK glyphs.
pub fn ensure_registered() -> Result<(), FontError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold, FontStyle::Italic]
            .into_iter()
            .all(|style| register_font(FAMILY, style, FONT_BYTES).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(FontError)
    }
}

/// A text style in the embedded font at `size` pixels, black.
pub fn text(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// Counts pixels noticeably darker than white in an RGB buffer.
    fn ink(buf: &[u8]) -> usize {
        buf.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count()
    }

    fn render_text(s: &str) -> usize {
        ensure_registered().unwrap();
        let (w, h) = (300u32, 60u32);
        let mut buf = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            root.draw_text(s, &text(32.0), (5, 10)).unwrap();
            root.present().unwrap();
        }
        ink(&buf)
    }

    #[test]
    fn registration_is_idempotent() {
        assert!(ensure_registered().is_ok());
        assert!(ensure_registered().is_ok());
    }

    #[test]
    fn chinese_and_latin_produce_ink() {
        let blank = render_text("");
        assert_eq!(blank, 0);
        let zh = render_text("粉丝 互动");
        let latin = render_text("Followers");
        // Each glyph covers dozens of pixels at 32 px; a missing glyph would render nothing or a
        // thin box, far below this.
        assert!(zh > 200, "Chinese text drew only {zh} dark pixels");
        assert!(latin > 200, "Latin text drew only {latin} dark pixels");
    }

    #[test]
    fn chinese_glyphs_are_real_not_notdef_boxes() {
        // Two different ideographs must rasterise differently; the notdef box would be identical.
        let mut a = vec![0u8; 60 * 60 * 3];
        let mut b = vec![0u8; 60 * 60 * 3];
        for (buf, s) in [(&mut a, "粉"), (&mut b, "互")] {
            ensure_registered().unwrap();
            let root = BitMapBackend::with_buffer(buf, (60, 60)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            root.draw_text(s, &text(40.0), (5, 5)).unwrap();
            root.present().unwrap();
        }
        assert_ne!(a, b);
    }
}
