//! Pure statistics for reporting Monte Carlo results.
//!
//! Missing values: every function here excludes `NaN` values (a run whose output is
//! undefined) rather than letting them poison a summary; pairwise functions drop a pair
//! if either side is `NaN`. Functions report "no data" as `None` or `NaN`, never panic.

pub mod bands;
pub mod bins;
pub mod convergence;
pub mod error;
pub mod moments;
pub mod prcc;
pub mod prcc_stream;
pub mod proportion;
pub mod quantile;
pub mod rank;
pub mod sobol;

pub use bands::PercentileBands;
pub use bins::{hit_rate_by_bins, hit_rate_by_bins_ranked, BinRate};
pub use convergence::{effective_sample_size, split_rhat};
pub use error::StatsError;
pub use moments::{mean, std_dev, Welford};
pub use prcc::prcc;
pub use proportion::{wilson, wilson95, Interval};
pub use quantile::{quantile_sorted, quantiles};
pub use rank::{ranks, spearman, spearman_ranked};
pub use sobol::{sobol_indices, SaltelliOutputs, SobolEstimate, SobolGap, SobolIndex};
