//! Posterior samples by differential-evolution Markov chain Monte Carlo (ter Braak 2006).
//!
//! A population of chains moves together: chain `i` proposes
//! `z* = z_i + γ (z_a − z_b) + e` from the difference of two other chains, `γ = 2.38/√(2d)`
//! (1 every tenth generation, to hop between modes), `e` a tiny normal jitter, and accepts it
//! with the Metropolis probability. The proposal adapts itself to the posterior's scale and
//! correlation without tuning. Chains are updated in two halves, each half drawing its
//! differences from the other (fixed) half, so a half's chains can run in parallel while the
//! chain stays a valid Metropolis step. Every chain and generation has its own random stream,
//! so the draws do not depend on the thread count.

use super::target::Target;
use crate::montecarlo::streams::{uniform_open01, Purpose, StreamRng, Streams};
use rayon::prelude::*;

/// Stream purpose of the sampler's random numbers.
const MCMC_STREAM: u32 = 0xCA11;

/// How long to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Number of chains (even, at least 4).
    pub chains: usize,
    /// Generations in total, burn-in included.
    pub generations: usize,
    /// Generations discarded at the start.
    pub burn_in: usize,
    /// Seed of the sampler's streams.
    pub seed: u64,
}

/// The chains after burn-in.
#[derive(Debug, Clone)]
pub struct Chains {
    /// `draws[chain][generation]`: the inputs (not the unbounded coordinates).
    pub draws: Vec<Vec<Vec<f64>>>,
    /// Share of accepted proposals after burn-in.
    pub acceptance: f64,
    /// Model runs spent.
    pub evaluations: u64,
}

impl Chains {
    /// Parameter `j` of every chain: `[chain][generation]`.
    pub fn parameter(&self, j: usize) -> Vec<Vec<f64>> {
        self.draws
            .iter()
            .map(|c| c.iter().map(|x| x[j]).collect())
            .collect()
    }
}

/// One standard normal (Box–Muller; the second value is dropped to keep streams simple).
fn normal(rng: &mut StreamRng) -> f64 {
    let (u, v) = (uniform_open01(rng), uniform_open01(rng));
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// Samples `target` from the starting states `start` (unbounded coordinates, one per chain),
/// calling `progress(generation)` after each generation. `jitter` is the per-coordinate
/// standard deviation of the proposal noise.
pub fn sample(
    target: &Target,
    start: Vec<Vec<f64>>,
    jitter: &[f64],
    schedule: &Schedule,
    progress: &(dyn Fn(usize) + Sync),
) -> Chains {
    let k = start.len();
    let d = jitter.len();
    let streams = Streams::new(schedule.seed);
    let mut states: Vec<(Vec<f64>, f64)> = start
        .into_par_iter()
        .map_init(
            || target.workspace(),
            |ws, z| {
                let lp = target.log_posterior(ws, &z, true);
                (z, lp)
            },
        )
        .collect();
    let mut evaluations = k as u64;
    let mut draws = vec![Vec::with_capacity(schedule.generations - schedule.burn_in); k];
    let (mut accepted, mut proposed) = (0u64, 0u64);
    let gamma = 2.38 / (2.0 * d as f64).sqrt();
    for g in 0..schedule.generations {
        let step = if g % 10 == 9 { 1.0 } else { gamma };
        for half in 0..2 {
            let pool: Vec<usize> = (0..k).filter(|i| i % 2 != half).collect();
            let moved: Vec<(usize, Vec<f64>, f64, bool)> = (0..k)
                .filter(|i| i % 2 == half)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map_init(
                    || target.workspace(),
                    |ws, i| {
                        let run = (g * k + i) as u64;
                        let mut rng = streams.rng(run, Purpose::Other(MCMC_STREAM));
                        let a = pool
                            [(uniform_open01(&mut rng) * pool.len() as f64) as usize % pool.len()];
                        let mut b = a;
                        while b == a {
                            b = pool[(uniform_open01(&mut rng) * pool.len() as f64) as usize
                                % pool.len()];
                        }
                        let (zi, lpi) = &states[i];
                        let prop: Vec<f64> = (0..d)
                            .map(|j| {
                                zi[j]
                                    + step * (states[a].0[j] - states[b].0[j])
                                    + jitter[j] * normal(&mut rng)
                            })
                            .collect();
                        let lp = target.log_posterior(ws, &prop, true);
                        let u = uniform_open01(&mut rng);
                        if lp.is_finite() && (lp - lpi >= 0.0 || u.ln() < lp - lpi) {
                            (i, prop, lp, true)
                        } else {
                            (i, zi.clone(), *lpi, false)
                        }
                    },
                )
                .collect();
            for (i, z, lp, ok) in moved {
                if g >= schedule.burn_in {
                    proposed += 1;
                    accepted += u64::from(ok);
                }
                states[i] = (z, lp);
                evaluations += 1;
            }
        }
        if g >= schedule.burn_in {
            for (i, (z, _)) in states.iter().enumerate() {
                draws[i].push(target.to_x(z));
            }
        }
        progress(g + 1);
    }
    Chains {
        draws,
        acceptance: accepted as f64 / proposed.max(1) as f64,
        evaluations,
    }
}
