//! Output writing: charts as PNG files, number formatting, and atomic file replacement.
//!
//! Everything here works on plain data structs and knows nothing about the simulation engine,
//! so the layers above decide what to plot and this layer decides only how it looks.

pub mod atomic;
pub mod charts;
pub mod export;
pub mod font;
pub mod format;
