//! sandtable: system-dynamics simulation with Monte Carlo target analysis.
//!
//! The data flow, one module per step: a model file ([`model`], [`xmile`], [`mdl`]) becomes a
//! [`model::Model`]; [`compile`] turns it into a program; [`simulate`] runs it into a
//! [`simulate::Trajectory`]; [`study`] resolves inputs, targets and scenarios; [`montecarlo`]
//! runs and aggregates many runs; [`targets`] are scored; [`decision`] and [`calibrate`] answer
//! "what would it take" and "given our history"; [`report`] writes charts and tables; [`job`]
//! runs each command's whole pipeline from a typed request. [`analysis`] finds feedback loops
//! and [`units`] checks dimensional consistency. The binary is a thin command line on top.
#![deny(missing_docs)]

pub mod analysis;
pub mod calibrate;
pub mod compile;
pub mod decision;
pub mod diagnostic;
pub mod equation;
pub mod explain;
pub mod job;
pub mod limits;
pub mod loader;
pub mod mdl;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod simulate;
pub mod stats;
pub mod study;
pub mod targets;
pub mod units;
pub mod xmile;
