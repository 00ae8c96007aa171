//! Calibration: the uncertain inputs narrowed by observed history.
//!
//! [`Problem`] ties a compiled scenario to the data ([`data`]); [`likelihood`] says how likely
//! the data are given a run; [`fit`] finds the posterior mode with Nelder–Mead and [`mcmc`]
//! samples the posterior by differential-evolution MCMC started around it; [`calibrate`]
//! runs the whole and summarises it into a [`Calibration`] (intervals, convergence, fit
//! statistics and the simulated bands behind the fit charts).

pub mod data;
pub mod fit;
pub mod likelihood;
pub mod mcmc;
pub mod problem;
mod summary;
pub mod target;

#[cfg(test)]
pub(crate) mod tests;

pub use likelihood::Likelihood;
pub use problem::Problem;
pub use summary::{
    calibrate, Calibration, Options, Parameter, SeriesBands, SeriesFit, BAND_QUANTILES,
};

/// R-hat above which a parameter is reported as not converged.
pub const MAX_RHAT: f64 = 1.01;
/// Effective sample size below which a parameter is reported as too noisy.
pub const MIN_ESS: f64 = 400.0;
