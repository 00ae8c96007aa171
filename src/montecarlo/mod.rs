//! Monte Carlo studies: input distributions, random streams, sampling designs, correlated
//! inputs, the parallel runner and its aggregates.
//!
//! [`runner::Plan`] draws the input matrix with [`sampling::Design`], hands each run its row
//! and its noise stream from [`streams::Streams`], and folds the runs into a
//! [`result::StudyResult`] with [`crate::stats`]. [`shard`] splits one study across processes
//! and merges their exact per-run [`records`].

mod aggregate;
pub mod correlation;
pub mod loops;
pub mod per_run;
pub mod posterior;
mod ranked;
pub mod records;
pub mod result;
pub mod runner;
pub mod sampling;
pub mod shard;
pub mod shard_read;
pub mod sobol;
pub mod spill;
pub mod streams;
pub mod summary;

pub use sampling::{Design, InputMatrix};
pub use streams::{Purpose, Streams};

impl From<crate::stats::StatsError> for crate::diagnostic::Diagnostic {
    fn from(e: crate::stats::StatsError) -> Self {
        let d = crate::diagnostic::Diagnostic::plain(e.message);
        match e.hint {
            Some(h) => d.with_hint(h),
            None => d,
        }
    }
}
