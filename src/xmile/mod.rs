//! XMILE 1.0 (`.xmile`, `.stmx`): reading files into a [`crate::model::Model`] and writing one back.
//!
//! The equation language of a model is the XMILE expression syntax, so equations pass through
//! as text; the reader's work is the XML around them (sim specs, stocks and flows, graphical
//! functions, arrays, modules) and the writer produces a file the reader reads back unchanged.

mod arrays;
mod belt;
mod builtin_names;
mod connect;
mod conveyor;
mod eqn_text;
mod gf;
mod initial;
mod lenient;
mod mapping;
mod modules;
mod queue;
pub mod reader;
mod study;
pub mod writer;

pub use reader::{load, parse};
pub use study::{embedded_study, STUDY_NS};
pub use writer::{to_xmile, to_xmile_with_study};

/// The XMILE 1.0 namespace.
pub const XMILE_NS: &str = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0";

/// Namespace of the extras sandtable keeps in its own files (constants, labels, chart groups);
/// other tools ignore it as a vendor namespace.
pub const SANDTABLE_NS: &str = "urn:sandtable:xmile:1";

#[cfg(test)]
mod tests;
