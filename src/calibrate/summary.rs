//! A whole calibration: mode, Laplace-shaped starting population, sampling, diagnostics,
//! and the summaries and simulated bands every output is made from.

use super::data::Quantity;
use super::fit::{optimise, Optimum};
use super::likelihood::Likelihood;
use super::mcmc::{sample, Chains, Schedule};
use super::problem::Problem;
use super::target::Target;
use super::{MAX_RHAT, MIN_ESS};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::montecarlo::streams::{uniform_open01, Purpose, Streams};
use crate::stats::{effective_sample_size, quantiles, split_rhat};
use nalgebra::{DMatrix, DVector};

/// Stream purpose of the starting population.
const START_STREAM: u32 = 0xCA12;

/// Quantiles drawn as bands on the fit charts.
pub const BAND_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// How to calibrate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The error model.
    pub likelihood: Likelihood,
    /// Chains (`None`: max(8, 2d + 2), rounded up to even).
    pub chains: Option<usize>,
    /// Generations of the sampler, burn-in included.
    pub generations: usize,
    /// Generations discarded (`None`: half).
    pub burn_in: Option<usize>,
    /// Most posterior rows kept (the draws are thinned evenly to this).
    pub draws: usize,
    /// Posterior rows simulated for the fit charts' bands.
    pub band_runs: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            likelihood: Likelihood::LogNormal,
            chains: None,
            generations: 4000,
            burn_in: None,
            draws: 4000,
            band_runs: 200,
            seed: 1,
        }
    }
}

/// The posterior of one fitted input.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Input name.
    pub name: String,
    /// The prior, as text.
    pub prior: String,
    /// Value at the posterior mode.
    pub mode: f64,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Central 95 % interval.
    pub ci95: [f64; 2],
    /// The prior's central 95 % interval.
    pub prior_ci95: [f64; 2],
    /// Split R-hat.
    pub rhat: f64,
    /// Effective sample size.
    pub ess: f64,
}

/// How one data column is fitted at the mode.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFit {
    /// The column header.
    pub header: String,
    /// Values observed.
    pub observations: usize,
    /// Profile log-likelihood of the column at the mode.
    pub log_likelihood: f64,
    /// Its estimated error scale (σ̂ on the ln(1 + x) scale, or the dispersion r̂).
    pub scale: f64,
}

/// Simulated percentile bands of one data column under the posterior, with its data.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesBands {
    /// The column header.
    pub header: String,
    /// Whether the column holds interval totals.
    pub quantity: Quantity,
    /// Times of the bands (save times for levels, data times for totals).
    pub times: Vec<f64>,
    /// One series per [`BAND_QUANTILES`] entry.
    pub bands: Vec<Vec<f64>>,
    /// `(time, observed)`.
    pub observed: Vec<(f64, f64)>,
}

/// The outcome of a calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The fitted inputs.
    pub parameters: Vec<Parameter>,
    /// Uncertain inputs held at their prior median: `(name, value)`.
    pub held: Vec<(String, f64)>,
    /// The error model.
    pub likelihood: Likelihood,
    /// The last data time.
    pub data_until: f64,
    /// Values observed.
    pub observations: usize,
    /// Log-likelihood at the mode (error scales at their estimates).
    pub log_likelihood: f64,
    /// Log posterior at the mode (up to a constant).
    pub log_posterior: f64,
    /// Per column fit.
    pub series: Vec<SeriesFit>,
    /// Chains.
    pub chains: usize,
    /// Generations, burn-in included.
    pub generations: usize,
    /// Generations discarded.
    pub burn_in: usize,
    /// Share of proposals accepted after burn-in.
    pub acceptance: f64,
    /// Model runs spent (fit and sampling).
    pub evaluations: u64,
    /// Posterior rows: one per kept draw, one value per fitted input.
    pub draws: Vec<Vec<f64>>,
    /// Convergence warnings, one sentence each.
    pub warnings: Vec<String>,
    /// Bands for the fit charts.
    pub bands: Vec<SeriesBands>,
    /// The seed.
    pub seed: u64,
}

/// Calibrates `problem`: mode, then sampling; `progress(generation, generations)` after each
/// generation of the sampler.
pub fn calibrate(
    problem: &Problem,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Calibration, Diagnostics> {
    options.likelihood.check(&problem.data)?;
    let target = Target::new(problem, options.likelihood);
    let d = problem.fitted.len();
    let q = |p: f64| -> Vec<f64> {
        let x: Vec<f64> = problem.fitted.iter().map(|f| f.prior.quantile(p)).collect();
        target.to_z(&x)
    };
    let (lo, mid, hi) = (q(0.25), q(0.5), q(0.75));
    let step: Vec<f64> = (0..d).map(|j| (hi[j] - lo[j]).abs().max(1e-3)).collect();
    let optimum = optimise(&target, &[mid, lo, hi], &step)?;
    let chains = options
        .chains
        .unwrap_or((2 * d + 2).max(8))
        .max(4)
        .div_ceil(2)
        * 2;
    let generations = options.generations.max(20);
    let burn_in = options
        .burn_in
        .unwrap_or(generations / 2)
        .min(generations - 10);
    let (start, sd) = starting_population(&target, &optimum, &step, chains, options.seed);
    let jitter: Vec<f64> = sd.iter().map(|s| 1e-3 * s).collect();
    let schedule = Schedule {
        chains,
        generations,
        burn_in,
        seed: options.seed,
    };
    let sampled = sample(&target, start, &jitter, &schedule, &|g| {
        progress(g, generations)
    });
    let parameters = summarise(problem, &optimum, &sampled);
    let draws = thin(&sampled, options.draws);
    let mut ws = target.workspace();
    let at_mode = target
        .simulated(&mut ws, &optimum.x)
        .ok_or_else(|| Diagnostic::plain("the model fails at the posterior mode"))?;
    let stats = options.likelihood.fit_statistics(&problem.data, &at_mode);
    let series: Vec<SeriesFit> = problem
        .data
        .series
        .iter()
        .zip(&stats)
        .map(|(s, (ll, scale))| SeriesFit {
            header: s.header.clone(),
            observations: s.values.iter().flatten().count(),
            log_likelihood: *ll,
            scale: *scale,
        })
        .collect();
    let bands = bands(&target, &draws, options.band_runs);
    Ok(Calibration {
        warnings: warnings(&parameters),
        parameters,
        held: problem
            .held
            .iter()
            .map(|(n, _, v)| (n.clone(), *v))
            .collect(),
        likelihood: options.likelihood,
        data_until: problem.data.until(),
        observations: problem.data.observations(),
        log_likelihood: series.iter().map(|s| s.log_likelihood).sum(),
        log_posterior: optimum.log_posterior,
        series,
        chains,
        generations,
        burn_in,
        acceptance: sampled.acceptance,
        evaluations: optimum.evaluations + sampled.evaluations,
        draws,
        bands,
        seed: options.seed,
    })
}

/// Chains started around the mode, spread twice as wide as the Laplace approximation of the
/// posterior in the unbounded space (over-dispersed, so that R-hat can see chains that have
/// not mixed). Also returns that approximation's standard deviations.
fn starting_population(
    target: &Target,
    optimum: &Optimum,
    step: &[f64],
    chains: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let d = step.len();
    let chol = laplace(target, &optimum.z, step);
    let sd: Vec<f64> = match &chol {
        Some(l) => (0..d)
            .map(|i| (0..=i).map(|j| l[(i, j)].powi(2)).sum::<f64>().sqrt())
            .collect(),
        None => step.iter().map(|s| 0.1 * s).collect(),
    };
    let streams = Streams::new(seed);
    let mut ws = target.workspace();
    let start = (0..chains)
        .map(|c| {
            let mut rng = streams.rng(c as u64, Purpose::Other(START_STREAM));
            let mut spread = 2.0;
            for _ in 0..30 {
                let n: Vec<f64> = (0..d)
                    .map(|_| {
                        let (u, v) = (uniform_open01(&mut rng), uniform_open01(&mut rng));
                        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
                    })
                    .collect();
                let z: Vec<f64> = (0..d)
                    .map(|i| {
                        let dz = match &chol {
                            Some(l) => (0..=i).map(|j| l[(i, j)] * n[j]).sum::<f64>(),
                            None => sd[i] * n[i],
                        };
                        optimum.z[i] + spread * dz
                    })
                    .collect();
                if target.log_posterior(&mut ws, &z, true).is_finite() {
                    return z;
                }
                spread *= 0.5;
            }
            optimum.z.clone()
        })
        .collect();
    (start, sd)
}

/// The Cholesky factor of the covariance of the Laplace approximation at `z` (the inverse of
/// the negative Hessian of the log posterior in the unbounded space), by central differences
/// with steps sized so the posterior drops by about 0.1 along each axis.
fn laplace(target: &Target, z: &[f64], step: &[f64]) -> Option<DMatrix<f64>> {
    let d = z.len();
    let mut ws = target.workspace();
    let mut f = |p: &[f64]| target.log_posterior(&mut ws, p, true);
    let f0 = f(z);
    let at = |i: usize, hi: f64, j: usize, hj: f64| {
        let mut p = z.to_vec();
        p[i] += hi;
        p[j] += hj;
        p
    };
    let mut h: Vec<f64> = step.iter().map(|s| 1e-2 * s).collect();
    let mut diag = vec![0.0; d];
    for _ in 0..3 {
        for i in 0..d {
            let second =
                (f(&at(i, h[i], i, 0.0)) - 2.0 * f0 + f(&at(i, -h[i], i, 0.0))) / (h[i] * h[i]);
            diag[i] = second;
            if second.is_finite() && second < 0.0 {
                h[i] = (0.2 / -second).sqrt().min(step[i]);
            }
        }
    }
    let mut m = DMatrix::zeros(d, d);
    for i in 0..d {
        m[(i, i)] = -diag[i];
        for j in 0..i {
            let v =
                (f(&at(i, h[i], j, h[j])) - f(&at(i, h[i], j, -h[j])) - f(&at(i, -h[i], j, h[j]))
                    + f(&at(i, -h[i], j, -h[j])))
                    / (4.0 * h[i] * h[j]);
            m[(i, j)] = -v;
            m[(j, i)] = -v;
        }
    }
    if !m.iter().all(|v| v.is_finite()) {
        return None;
    }
    let inverse = m.cholesky()?.inverse();
    let l = inverse.cholesky()?.l();
    // A check that the factor reproduces a finite covariance.
    let probe = &l * DVector::from_element(d, 1.0);
    probe.iter().all(|v| v.is_finite()).then_some(l)
}

/// Posterior summaries of each input.
fn summarise(problem: &Problem, optimum: &Optimum, sampled: &Chains) -> Vec<Parameter> {
    problem
        .fitted
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let chains = sampled.parameter(j);
            let all: Vec<f64> = chains.iter().flatten().copied().collect();
            let n = all.len() as f64;
            let mean = all.iter().sum::<f64>() / n;
            let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let ci = quantiles(&all, &[0.025, 0.975]);
            Parameter {
                name: f.name.clone(),
                prior: f.prior.to_string(),
                mode: optimum.x[j],
                mean,
                sd,
                ci95: [ci[0], ci[1]],
                prior_ci95: [f.prior.quantile(0.025), f.prior.quantile(0.975)],
                rhat: split_rhat(&chains),
                ess: effective_sample_size(&chains),
            }
        })
        .collect()
}

/// One sentence per parameter whose chains have not converged or are too short.
fn warnings(parameters: &[Parameter]) -> Vec<String> {
    let mut out = Vec::new();
    for p in parameters {
        if p.rhat.is_nan() || p.rhat > MAX_RHAT {
            out.push(format!(
                "`{}`: R-hat {:.3} is above {MAX_RHAT}: the chains disagree; sample longer (--generations)",
                p.name, p.rhat
            ));
        }
        if p.ess.is_nan() || p.ess < MIN_ESS {
            out.push(format!(
                "`{}`: effective sample size {:.0} is below {MIN_ESS:.0}: intervals are noisy; sample longer (--generations)",
                p.name, p.ess
            ));
        }
    }
    out
}

/// The kept draws, generation by generation (every chain in turn), thinned evenly to at most
/// `max` rows.
fn thin(sampled: &Chains, max: usize) -> Vec<Vec<f64>> {
    let gens = sampled.draws.first().map_or(0, Vec::len);
    let all: Vec<&Vec<f64>> = (0..gens)
        .flat_map(|g| sampled.draws.iter().map(move |c| &c[g]))
        .collect();
    let keep = all.len().min(max.max(1));
    (0..keep)
        .map(|i| all[i * all.len() / keep].clone())
        .collect()
}

/// Simulated percentile bands of each data column over `runs` posterior rows.
fn bands(target: &Target, draws: &[Vec<f64>], runs: usize) -> Vec<SeriesBands> {
    let problem = target.problem;
    let data = &problem.data;
    let rows = data.times.len();
    let n = runs.min(draws.len()).max(1);
    let picked: Vec<&Vec<f64>> = (0..n).map(|i| &draws[i * draws.len() / n]).collect();
    let mut ws = target.workspace();
    let mut sim = problem.full_simulation();
    let mut traces: Vec<(Vec<f64>, Vec<Vec<f64>>)> = Vec::new();
    let mut cells: Vec<Vec<f64>> = Vec::new();
    for x in picked {
        if let (Ok(tr), Some(out)) = (problem.trace(&mut sim, x), target.simulated(&mut ws, x)) {
            traces.push(tr);
            cells.push(out);
        }
    }
    data.series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let observed: Vec<(f64, f64)> = data
                .times
                .iter()
                .zip(&s.values)
                .filter_map(|(t, v)| v.map(|v| (*t, v)))
                .collect();
            let (times, per_time): (Vec<f64>, Vec<Vec<f64>>) = match s.quantity {
                Quantity::Level => {
                    let times = traces.first().map(|t| t.0.clone()).unwrap_or_default();
                    let per = (0..times.len())
                        .map(|i| traces.iter().map(|t| t.1[k][i]).collect())
                        .collect();
                    (times, per)
                }
                Quantity::Sum => {
                    let per = (0..rows)
                        .map(|r| cells.iter().map(|c| c[k * rows + r]).collect())
                        .collect();
                    (data.times.clone(), per)
                }
            };
            let qs: Vec<Vec<f64>> = per_time
                .iter()
                .map(|v: &Vec<f64>| quantiles(v, &BAND_QUANTILES))
                .collect();
            let bands = (0..BAND_QUANTILES.len())
                .map(|b| qs.iter().map(|q| q[b]).collect())
                .collect();
            SeriesBands {
                header: s.header.clone(),
                quantity: s.quantity,
                times,
                bands,
                observed,
            }
        })
        .collect()
}
