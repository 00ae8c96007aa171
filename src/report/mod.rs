//! Output writing: charts as PNG files, number formatting, atomic file replacement, and the
//! exporters that turn a finished study into its report files.
//!
//! The chart and formatting modules work on plain data structs and know nothing about the
//! simulation engine; [`export`] is the one place that reads a study result and decides which
//! files, charts and tables it gets (see `docs/reports.md`).

pub mod atomic;
pub mod charts;
pub mod export;
pub mod font;
pub mod format;
