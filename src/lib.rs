//! sandtable: system-dynamics simulation with Monte Carlo target analysis.
//!
//! The data flow, one module per step: a model file ([`model`], `xmile`) becomes a
//! [`model::Model`]; [`compile`] turns it into a program; [`simulate`] runs it into a
//! [`simulate::Trajectory`]; Monte Carlo aggregates many runs; targets are scored; `report`
//! writes charts and tables; [`analysis`] finds feedback loops and [`units`] checks
//! dimensional consistency for `check`. The binary is a
//! thin command line on top.
#![deny(missing_docs)]

pub mod analysis;
pub mod calibrate;
pub mod compile;
pub mod decision;
pub mod diagnostic;
pub mod equation;
pub mod explain;
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
