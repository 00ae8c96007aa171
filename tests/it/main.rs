//! The integration tests, gathered in one test binary: one module per area, shared helpers
//! in `util`. Run one area with `cargo test --release --test it AREA::`.

mod util;

mod bad_inputs;
mod builtins;
mod calibrate;
mod charts;
mod cli;
mod codegen;
mod conformance;
mod convert;
mod decision;
mod deploy;
mod enterprise_extremes;
mod enterprise_growth;
mod fuzz_regressions;
mod growth40;
mod integrators;
#[cfg(unix)]
mod interrupt;
mod layering;
mod limits;
mod loops;
mod montecarlo;
mod native;
mod numeric_faults;
mod numeric_faults_cli;
mod properties;
mod report;
mod shards;
mod sobol;
mod stella;
mod stella_builtins;
mod study_records;
mod target_semantics;
mod units;
mod whole_run;
