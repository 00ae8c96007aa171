//! Decision support on top of Monte Carlo studies: levers (the constants a decision maker
//! controls), "what would it take" for one target ([`solve`]) and for every target of a study
//! ([`requirement`]), sweeps over lever values ([`sweep`]), and the swing of the model's
//! declared levers in `mc` ([`swing`]). Every evaluation uses common random numbers, so lever
//! values are compared on the same runs.
pub mod evaluate;
pub mod lever;
pub mod requirement;
pub mod solve;
pub mod sweep;
pub mod swing;

pub use evaluate::{Evaluator, Point};
pub use lever::Lever;
pub use solve::{solve, Direction, Goal, Solution};
pub use sweep::{sweep, Sweep};

/// Every combination of one value from each grid, the last grid varying fastest.
pub(crate) fn combinations(grids: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new()];
    for g in grids {
        out = out
            .into_iter()
            .flat_map(|c| {
                g.iter().map(move |&v| {
                    let mut c = c.clone();
                    c.push(v);
                    c
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn combinations_cover_the_product() {
        let c = super::combinations(&[vec![1.0, 2.0], vec![3.0, 4.0, 5.0]]);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], vec![1.0, 3.0]);
        assert_eq!(c[1], vec![1.0, 4.0]);
        assert_eq!(c[5], vec![2.0, 5.0]);
        assert_eq!(super::combinations(&[]), vec![Vec::<f64>::new()]);
    }
}
