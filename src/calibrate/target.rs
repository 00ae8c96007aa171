//! The log posterior of the fitted inputs, in an unbounded space that respects each prior's
//! support: what the optimiser and the sampler both work on.
//!
//! Each input maps from `z` in (−∞, ∞) onto its support: unchanged when unbounded, through
//! `lo + e^z` or `hi − e^z` when bounded on one side, and through `lo + (hi − lo)·σ(z)` (the
//! logistic function) on an interval. The sampler's density in `z` carries the Jacobian
//! `|dx/dz|`; the point estimate maximises the posterior density of the inputs themselves.

use super::likelihood::Likelihood;
use super::problem::Problem;
use crate::simulate::Simulation;

/// The map of one input from the unbounded space onto its support.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Map {
    /// `x = z`.
    Identity,
    /// `x = lo + e^z`.
    Lower(f64),
    /// `x = hi − e^z`.
    Upper(f64),
    /// `x = lo + (hi − lo) σ(z)`.
    Interval(f64, f64),
}

impl Map {
    /// The map onto `[lo, hi]` (ends may be infinite).
    pub fn onto(lo: f64, hi: f64) -> Map {
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) => Map::Interval(lo, hi),
            (true, false) => Map::Lower(lo),
            (false, true) => Map::Upper(hi),
            (false, false) => Map::Identity,
        }
    }

    /// `x(z)`.
    pub fn to_x(self, z: f64) -> f64 {
        match self {
            Map::Identity => z,
            Map::Lower(lo) => lo + z.exp(),
            Map::Upper(hi) => hi - z.exp(),
            Map::Interval(lo, hi) => lo + (hi - lo) / (1.0 + (-z).exp()),
        }
    }

    /// `z(x)`, for `x` inside the support.
    pub fn to_z(self, x: f64) -> f64 {
        match self {
            Map::Identity => x,
            Map::Lower(lo) => (x - lo).ln(),
            Map::Upper(hi) => (hi - x).ln(),
            Map::Interval(lo, hi) => {
                let p = (x - lo) / (hi - lo);
                (p / (1.0 - p)).ln()
            }
        }
    }

    /// `ln |dx/dz|` at `z`.
    pub fn ln_jacobian(self, z: f64) -> f64 {
        match self {
            Map::Identity => 0.0,
            Map::Lower(_) | Map::Upper(_) => z,
            Map::Interval(lo, hi) => (hi - lo).ln() - softplus(-z) - softplus(z),
        }
    }
}

/// `ln(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// The log posterior of one calibration problem.
pub struct Target<'p> {
    /// The problem.
    pub problem: &'p Problem,
    /// The error model.
    pub likelihood: Likelihood,
    /// One map per fitted input.
    pub maps: Vec<Map>,
}

/// Buffers for evaluating a [`Target`] many times without allocating.
pub struct Workspace<'p> {
    sim: Simulation<'p>,
    x: Vec<f64>,
    out: Vec<f64>,
}

impl<'p> Target<'p> {
    /// The target for `problem`, each input mapped onto its prior's support.
    pub fn new(problem: &'p Problem, likelihood: Likelihood) -> Target<'p> {
        let maps = problem
            .fitted
            .iter()
            .map(|f| {
                let (lo, hi) = f.prior.support();
                Map::onto(lo, hi)
            })
            .collect();
        Target {
            problem,
            likelihood,
            maps,
        }
    }

    /// Fresh buffers.
    pub fn workspace(&self) -> Workspace<'p> {
        Workspace {
            sim: self.problem.simulation(),
            x: vec![0.0; self.maps.len()],
            out: vec![0.0; self.problem.output_len()],
        }
    }

    /// The inputs at `z`.
    pub fn to_x(&self, z: &[f64]) -> Vec<f64> {
        self.maps.iter().zip(z).map(|(m, z)| m.to_x(*z)).collect()
    }

    /// The unbounded coordinates of `x`.
    pub fn to_z(&self, x: &[f64]) -> Vec<f64> {
        self.maps.iter().zip(x).map(|(m, x)| m.to_z(*x)).collect()
    }

    /// The log prior of inputs `x`.
    pub fn log_prior(&self, x: &[f64]) -> f64 {
        self.problem
            .fitted
            .iter()
            .zip(x)
            .map(|(f, x)| f.prior.ln_pdf(*x))
            .sum()
    }

    /// The log posterior (up to a constant) at `z`: of the inputs themselves, or with
    /// `jacobian` of `z` (what a sampler in `z` needs). `-inf` outside the support or when
    /// the run hits a numeric fault.
    pub fn log_posterior(&self, ws: &mut Workspace, z: &[f64], jacobian: bool) -> f64 {
        let mut lp = 0.0;
        for (k, (m, zk)) in self.maps.iter().zip(z).enumerate() {
            ws.x[k] = m.to_x(*zk);
            if jacobian {
                lp += m.ln_jacobian(*zk);
            }
        }
        lp += self.log_prior(&ws.x);
        if !lp.is_finite() {
            return f64::NEG_INFINITY;
        }
        if self
            .problem
            .simulate(&mut ws.sim, &ws.x, &mut ws.out)
            .is_err()
        {
            return f64::NEG_INFINITY;
        }
        let ll = self.likelihood.log_likelihood(&self.problem.data, &ws.out);
        if ll.is_nan() {
            f64::NEG_INFINITY
        } else {
            lp + ll
        }
    }

    /// The simulated data cells at inputs `x` (see [`Problem::simulate`]), `None` on a fault.
    pub fn simulated(&self, ws: &mut Workspace, x: &[f64]) -> Option<Vec<f64>> {
        self.problem.simulate(&mut ws.sim, x, &mut ws.out).ok()?;
        Some(ws.out.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_invert_and_their_jacobians_are_derivatives() {
        for m in [
            Map::Identity,
            Map::Lower(2.0),
            Map::Upper(-1.0),
            Map::Interval(0.1, 0.7),
        ] {
            for z in [-3.0, -0.2, 0.0, 1.5] {
                let x = m.to_x(z);
                assert!((m.to_z(x) - z).abs() < 1e-9, "{m:?} {z}");
                let h = 1e-6;
                let slope = (m.to_x(z + h) - m.to_x(z - h)) / (2.0 * h);
                assert!(
                    (m.ln_jacobian(z) - slope.abs().ln()).abs() < 1e-6,
                    "{m:?} {z}"
                );
            }
        }
        assert_eq!(Map::onto(0.0, f64::INFINITY), Map::Lower(0.0));
    }
}
