//! The one font every chart uses: WenQuanYi Micro Hei, embedded so charts look the same everywhere.
//!
//! The font covers Latin and CJK, so Chinese model and target names render without relying on
//! whatever fonts the machine has. It is registered with plotters once per process under
//! [`FAMILY`]; chart code asks for that family name only.
//!
//! Text in this family is laid out here rather than by plotters: plotters' `ab_glyph` text
//! drawing places every glyph's ink at the pen position, dropping the glyph's left side
//! bearing, so narrow glyphs ("i", "t", "r", "目") are pulled left and leave gaps after them
//! ("un cer tain", "全部沙盘目 标"). [`GlyphBackend`] wraps any backend and draws each glyph at
//! pen + bearing, with sub-pixel pen positions and kerning, keeping plotters' text box so that
//! anchoring and measuring are unchanged.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::style::{register_font, FontStyle, IntoFont, TextStyle};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

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

/// The embedded font's first face, parsed once.
fn face() -> Option<&'static FontRef<'static>> {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| FontRef::try_from_slice_and_index(FONT_BYTES, 0).ok())
        .as_ref()
}

/// Width of `text` at `size` pixels: the sum of advances and kerning, as plotters measures it,
/// so that text boxes used for layout agree with what is drawn.
pub fn advance_width(size: f64, text: &str) -> Option<f64> {
    let font = face()?.as_scaled(PxScale::from(size as f32));
    let mut x = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            x += font.kern(p, id);
        }
        x += font.h_advance(id);
        prev = Some(id);
    }
    Some(f64::from(x))
}

/// Rasterises `text` at `size` pixels with the top of its line box at y = 0 and the pen
/// starting at x = 0, calling `plot(x, y, coverage)` for every covered pixel.
///
/// The baseline sits at the font's ascent, so the line box (plotters' height of
/// `size / 1.24`, which is this font's ascent) holds the capitals and descenders hang below.
fn rasterise(size: f64, text: &str, mut plot: impl FnMut(i32, i32, f32)) -> Option<()> {
    let font = face()?;
    let scale = PxScale::from(size as f32);
    let scaled = font.as_scaled(scale);
    let baseline = scaled.ascent();
    let mut pen = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(scale, point(pen, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            // The outline's pixel box already includes the side bearing; plotters drops it.
            let b = outline.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            outline.draw(|x, y, a| plot(x0 + x as i32, y0 + y as i32, a));
        }
        pen += scaled.h_advance(id);
        prev = Some(id);
    }
    Some(())
}

/// A drawing backend that draws text in [`FAMILY`] with correct glyph spacing and passes
/// everything else (and text in other families) to the backend it wraps.
pub struct GlyphBackend<B: DrawingBackend>(pub B);

impl<B: DrawingBackend> DrawingBackend for GlyphBackend<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        if style.family().as_str() != FAMILY || face().is_none() {
            return self.0.draw_text(text, style, pos);
        }
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let size = style.size();
        let width = advance_width(size, text).unwrap_or(0.0) as i32;
        let height = (size / 1.24) as i32;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.0.get_size();
        let mut result = Ok(());
        rasterise(size, text, |x, y, a| {
            if result.is_err() || a <= 0.0 {
                return;
            }
            let (x, y) = trans.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let c = BackendColor {
                    alpha: colour.alpha * f64::from(a.min(1.0)),
                    rgb: colour.rgb,
                };
                result = self.0.draw_pixel((x, y), c);
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// Counts pixels noticeably darker than white in an RGB buffer.
    fn ink(buf: &[u8]) -> usize {
        buf.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count()
    }

    const W: u32 = 900;
    const H: u32 = 80;

    /// Renders `s` at `size` px with its pen at (20, 10), through [`GlyphBackend`] or, with
    /// `plain`, through plotters' own text drawing.
    fn render(s: &str, size: f64, plain: bool) -> Vec<u8> {
        ensure_registered().unwrap();
        let mut buf = vec![0u8; (W * H * 3) as usize];
        {
            let bitmap = BitMapBackend::with_buffer(&mut buf, (W, H));
            if plain {
                let root = bitmap.into_drawing_area();
                root.fill(&WHITE).unwrap();
                root.draw_text(s, &text(size), (20, 10)).unwrap();
                root.present().unwrap();
            } else {
                let root = GlyphBackend(bitmap).into_drawing_area();
                root.fill(&WHITE).unwrap();
                root.draw_text(s, &text(size), (20, 10)).unwrap();
                root.present().unwrap();
            }
        }
        buf
    }

    fn render_text(s: &str) -> usize {
        ink(&render(s, 32.0, false))
    }

    /// First and last pixel column holding ink (a pixel at least a quarter covered).
    fn ink_columns(buf: &[u8]) -> (i32, i32) {
        let dark = |x: u32| (0..H).any(|y| buf[((y * W + x) * 3) as usize] < 192);
        let cols: Vec<i32> = (0..W).filter(|&x| dark(x)).map(|x| x as i32).collect();
        (*cols.first().unwrap(), *cols.last().unwrap())
    }

    /// Left and right side bearings of `c` at `size` px, from the font's metrics tables.
    fn bearings(c: char, size: f64) -> (f64, f64) {
        let font = face().unwrap().as_scaled(PxScale::from(size as f32));
        let id = font.glyph_id(c);
        // Right edge of the outline in font units, scaled like the advance.
        let right = face().unwrap().outline(id).unwrap().bounds.max.x * font.h_scale_factor();
        let lsb = f64::from(font.h_side_bearing(id));
        let rsb = f64::from(font.h_advance(id)) - f64::from(right);
        (lsb, rsb)
    }

    /// Expected ink extent of `s` drawn with its pen at x = 20: from the first glyph's left
    /// bearing to the advance width less the last glyph's right bearing.
    fn expected_ink(s: &str, size: f64) -> (f64, f64) {
        let first = s.chars().next().unwrap();
        let last = s.chars().last().unwrap();
        let width = advance_width(size, s).unwrap();
        (
            20.0 + bearings(first, size).0,
            20.0 + width - bearings(last, size).1,
        )
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
        assert_ne!(render("粉", 40.0, false), render("互", 40.0, false));
    }

    #[test]
    fn a_glyph_starts_at_the_pen_plus_its_left_bearing() {
        // "目" is narrow for an ideograph: its ink starts well inside its square.
        for (c, size) in [('目', 40.0), ('i', 40.0), ('t', 40.0), ('u', 40.0)] {
            let (lsb, _) = bearings(c, size);
            let (left, _) = ink_columns(&render(&c.to_string(), size, false));
            assert!(
                (f64::from(left) - (20.0 + lsb)).abs() <= 1.0,
                "{c}: ink starts at {left}, expected {} (bearing {lsb:.1})",
                20.0 + lsb
            );
        }
    }

    #[test]
    fn text_width_matches_the_advance_widths() {
        for s in ["uncertain", "全部沙盘目标", "Followers (people)"] {
            let size = 32.0;
            let (left, right) = ink_columns(&render(s, size, false));
            let (l, r) = expected_ink(s, size);
            assert!(
                (f64::from(left) - l).abs() <= 1.5 && (f64::from(right) + 1.0 - r).abs() <= 1.5,
                "{s}: ink from {left} to {right}, expected {l:.1} to {r:.1}"
            );
        }
    }

    #[test]
    fn plotters_own_drawing_drops_the_bearing() {
        // Why the wrapper exists: plotters draws "目" with its ink at the pen, several pixels
        // left of where the font puts it. If this starts failing, plotters has been fixed and
        // the wrapper may be dropped.
        let (lsb, _) = bearings('目', 40.0);
        assert!(lsb >= 3.0, "bearing {lsb}");
        let (left, _) = ink_columns(&render("目", 40.0, true));
        assert!(f64::from(left) < 20.0 + lsb - 2.0, "plotters ink at {left}");
    }

    #[test]
    fn measured_and_drawn_widths_agree_with_plotters_measure() {
        // Layout code measures through plotters; the drawing here must use the same width.
        ensure_registered().unwrap();
        let mut buf = vec![0u8; (W * H * 3) as usize];
        let root = GlyphBackend(BitMapBackend::with_buffer(&mut buf, (W, H))).into_drawing_area();
        for s in ["uncertain", "全部沙盘目标"] {
            let (w, _) = root.estimate_text_size(s, &text(32.0)).unwrap();
            assert_eq!(w as i32, advance_width(32.0, s).unwrap() as i32);
        }
    }
}
