//! Charts drawn in memory and encoded as PNG bytes, so a study renders every picture before
//! writing any file.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::charts::{Bitmap, ChartError};
use crate::report::font::{self, GlyphBackend};

/// Draws with `draw` onto a `size` bitmap in memory and returns it encoded as PNG.
pub(crate) fn png_bytes<F>(size: (u32, u32), draw: F) -> Result<Vec<u8>, ChartError>
where
    F: FnOnce(&DrawingArea<Bitmap<'_>, Shift>) -> Result<(), ChartError>,
{
    font::ensure_registered()?;
    let (w, h) = size;
    let len = (w as usize)
        .checked_mul(h as usize)
        .and_then(|n| n.checked_mul(3))
        .ok_or_else(|| ChartError::Drawing(format!("picture of {w}×{h} pixels is too large")))?;
    let mut pixels = vec![0u8; len];
    {
        let root = GlyphBackend(BitMapBackend::with_buffer(&mut pixels, size)).into_drawing_area();
        draw(&root)?;
        root.present()
            .map_err(|e| ChartError::Drawing(e.to_string()))?;
    }
    encode_rgb(&pixels, size)
}

/// Encodes 8-bit RGB pixels as PNG.
fn encode_rgb(pixels: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let fail = |e: png::EncodingError| ChartError::Drawing(format!("PNG encoding failed: {e}"));
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(pixels).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_decodable_picture_of_the_right_size() {
        let bytes = png_bytes((40, 30), |area| {
            area.fill(&WHITE)
                .map_err(|e| ChartError::Drawing(e.to_string()))?;
            area.draw_pixel((3, 4), &RED)
                .map_err(|e| ChartError::Drawing(e.to_string()))
        })
        .unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (40, 30));
        let at = |x: usize, y: usize| &buf[(y * 40 + x) * 3..(y * 40 + x) * 3 + 3];
        assert_eq!(at(3, 4), &[255, 0, 0]);
        assert_eq!(at(0, 0), &[255, 255, 255]);
    }

    #[test]
    fn drawing_errors_pass_through() {
        let r = png_bytes((10, 10), |_| Err(ChartError::Drawing("boom".into())));
        assert!(matches!(r, Err(ChartError::Drawing(m)) if m == "boom"));
    }
}
