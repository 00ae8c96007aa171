//! Chart kinds, one module each, all drawn the same way from plain data structs.
//!
//! Every chart module offers `draw(chart, area)` onto any plotters drawing area (used by tests
//! with an in-memory bitmap) and `render(chart, path)`, which writes a PNG atomically. Bad
//! input (no data, mismatched lengths, probabilities outside 0..1) is reported as a
//! [`ChartError`]; non-finite values in series are left out as gaps.

pub mod comparison;
pub mod curve;
pub mod dominance;
pub mod fan;
pub mod heatmap;
pub mod histogram;
pub mod lever_tornado;
pub mod line;
pub mod posterior;
pub mod scorecard;
pub mod sobol;
pub mod style;
pub mod tornado;

pub use crate::montecarlo::summary::Verdict;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::report::atomic::write_atomic_with;
use crate::report::font::{self, FontError, GlyphBackend};

pub use style::SIZE;

/// The in-memory bitmap every chart is drawn on, with the embedded font's text placed by
/// [`GlyphBackend`].
pub type Bitmap<'a> = GlyphBackend<BitMapBackend<'a>>;

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The chart has nothing finite to show.
    #[error("{chart} chart \"{title}\": nothing to plot ({reason})")]
    NoData {
        /// Chart kind, e.g. "line".
        chart: &'static str,
        /// The chart's title, to tell which of many charts failed.
        title: String,
        /// What was missing.
        reason: String,
    },
    /// The data is inconsistent (mismatched lengths, probability outside 0..1, ...).
    #[error("{chart} chart \"{title}\": {reason}")]
    InvalidData {
        /// Chart kind.
        chart: &'static str,
        /// The chart's title.
        title: String,
        /// What is wrong.
        reason: String,
    },
    /// The embedded font could not be loaded.
    #[error(transparent)]
    Font(#[from] FontError),
    /// The drawing library reported an error.
    #[error("drawing failed: {0}")]
    Drawing(String),
    /// The PNG file could not be written.
    #[error("cannot write chart {}: {source}", path.display())]
    Io {
        /// The file that was to be written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl From<ChartError> for Diagnostic {
    fn from(e: ChartError) -> Diagnostic {
        let hint = match &e {
            ChartError::Io { .. } => Some("check that the output directory exists and is writable"),
            ChartError::NoData { .. } => {
                Some("the runs produced no finite values for this chart; check the model output")
            }
            _ => None,
        };
        let d = Diagnostic::plain(e.to_string());
        match hint {
            Some(h) => d.with_hint(h),
            None => d,
        }
    }
}

/// Wraps any plotters error as [`ChartError::Drawing`].
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Drawing(e.to_string())
}

/// The colour of a verdict in every chart: green, amber, red.
pub(crate) trait VerdictColour {
    /// The verdict's colour.
    fn colour(self) -> RGBColor;
}

impl VerdictColour for Verdict {
    fn colour(self) -> RGBColor {
        match self {
            Verdict::Likely => style::GREEN,
            Verdict::Uncertain => style::AMBER,
            Verdict::Unlikely => style::RED,
        }
    }
}

/// Draws with `draw` onto a `size` bitmap and writes it to `path` as PNG, atomically.
pub(crate) fn render_png<F>(path: &Path, size: (u32, u32), draw: F) -> Result<(), ChartError>
where
    F: FnOnce(&DrawingArea<Bitmap<'_>, Shift>) -> Result<(), ChartError>,
{
    /// Separates file errors (which get the path attached) from drawing errors.
    enum Failure {
        Chart(ChartError),
        Io(std::io::Error),
    }
    impl From<std::io::Error> for Failure {
        fn from(e: std::io::Error) -> Failure {
            Failure::Io(e)
        }
    }

    font::ensure_registered()?;
    let result = write_atomic_with(path, ".png", |temp| {
        let root = GlyphBackend(BitMapBackend::new(temp, size)).into_drawing_area();
        draw(&root).map_err(Failure::Chart)?;
        // The PNG encoder reports through the drawing error type; it is a file problem.
        root.present()
            .map_err(|e| Failure::Io(std::io::Error::other(e.to_string())))
    });
    result.map_err(|f| match f {
        Failure::Chart(e) => e,
        Failure::Io(source) => ChartError::Io {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Checks that a probability (or CI bound) lies in `[0, 1]`.
pub(crate) fn check_probability(
    chart: &'static str,
    title: &str,
    what: &str,
    p: f64,
) -> Result<(), ChartError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(ChartError::InvalidData {
            chart,
            title: title.to_string(),
            reason: format!("{what} is {p}, expected a probability between 0 and 1"),
        })
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Rendering helpers shared by the chart tests.

    use super::*;

    /// Draws onto an in-memory RGB buffer of `size` and returns the pixels.
    pub fn draw_to_buffer<F>(size: (u32, u32), draw: F) -> Result<Vec<u8>, ChartError>
    where
        F: FnOnce(&DrawingArea<Bitmap<'_>, Shift>) -> Result<(), ChartError>,
    {
        let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
        {
            let root = GlyphBackend(BitMapBackend::with_buffer(&mut buf, size)).into_drawing_area();
            draw(&root)?;
            root.present().map_err(draw_err)?;
        }
        Ok(buf)
    }

    /// Number of pixels that are not (near) white.
    pub fn ink(buf: &[u8]) -> usize {
        buf.chunks(3).filter(|p| p.iter().any(|&c| c < 235)).count()
    }

    /// `colour` drawn at `opacity` over white.
    pub fn mix_white(colour: RGBColor, opacity: f64) -> RGBColor {
        let c = |v: u8| (255.0 - (255.0 - f64::from(v)) * opacity).round() as u8;
        RGBColor(c(colour.0), c(colour.1), c(colour.2))
    }

    /// Number of pixels within `tol` of `colour` in every channel.
    pub fn count_colour(buf: &[u8], colour: RGBColor, tol: u8) -> usize {
        let RGBColor(r, g, b) = colour;
        buf.chunks(3)
            .filter(|p| {
                p[0].abs_diff(r) <= tol && p[1].abs_diff(g) <= tol && p[2].abs_diff(b) <= tol
            })
            .count()
    }

    /// Number of pixels of a bar filled with `colour` (bars are drawn at 85 % opacity on white).
    pub fn bar_pixels(buf: &[u8], colour: RGBColor) -> usize {
        let mix = |x: u8| (255.0 - (255.0 - f64::from(x)) * 0.85).round() as u8;
        count_colour(
            buf,
            RGBColor(mix(colour.0), mix(colour.1), mix(colour.2)),
            3,
        )
    }

    /// Width and height from a PNG file's signature and IHDR chunk.
    pub fn png_size(path: &Path) -> (u32, u32) {
        let bytes = std::fs::read(path).expect("chart file exists");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
        assert_eq!(&bytes[12..16], b"IHDR");
        let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        (w, h)
    }

    /// Files in `dir`, for checking that no temporary file was left behind.
    pub fn files_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Where tests write pictures for a person to look at, when asked to via
    /// `SANDTABLE_CHART_PREVIEW=dir`.
    pub fn preview_path(name: &str) -> Option<PathBuf> {
        std::env::var_os("SANDTABLE_CHART_PREVIEW").map(|d| PathBuf::from(d).join(name))
    }
}
