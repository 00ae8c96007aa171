//! Probabilities of every target at given lever values, with common random numbers: each
//! evaluation compiles the study with the levers fixed and runs the same seed, so run `i`
//! draws the same inputs and noise at every lever value and differences between values are
//! not sampling noise.

use super::lever::Lever;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::montecarlo::result::StudyResult;
use crate::montecarlo::runner::Plan;
use crate::montecarlo::summary::{Probability, Thresholds};
use crate::study::Study;

/// Probabilities of every target at one combination of lever values.
#[derive(Debug, Clone)]
pub struct Point {
    /// One value per lever, in lever order.
    pub values: Vec<f64>,
    /// One probability per target, in target order.
    pub probabilities: Vec<Probability>,
}

/// Called after each batch of runs with (evaluations finished so far, runs done in the
/// current one).
pub type Progress<'a> = &'a (dyn Fn(usize, u64) + Sync);

/// Evaluates a study's targets at lever values, remembering every point evaluated.
pub struct Evaluator<'s> {
    study: &'s Study,
    scenario: String,
    levers: Vec<Lever>,
    threads: Option<usize>,
    progress: Progress<'s>,
    targets: Vec<String>,
    points: Vec<Point>,
}

impl<'s> Evaluator<'s> {
    /// An evaluator of `scenario` of `study` over `levers`, which are checked here (every
    /// problem reported together); `threads` as for [`Plan::execute_on`].
    pub fn new(
        study: &'s Study,
        scenario: &str,
        levers: Vec<Lever>,
        threads: Option<usize>,
        progress: Progress<'s>,
    ) -> Result<Evaluator<'s>, Diagnostics> {
        let compiled = study.compile(scenario)?;
        super::lever::check(study, &compiled, &levers)?;
        // A plan now, so that a study `mc` would reject fails before any lever value runs.
        Plan::new(&compiled)?;
        Ok(Evaluator {
            study,
            scenario: scenario.to_string(),
            levers,
            threads,
            progress,
            targets: compiled.targets.iter().map(|t| t.name.clone()).collect(),
            points: Vec::new(),
        })
    }

    /// The levers, in order.
    pub fn levers(&self) -> &[Lever] {
        &self.levers
    }

    /// Target names, in the order of every point's probabilities.
    pub fn targets(&self) -> &[String] {
        &self.targets
    }

    /// Verdict thresholds of the study.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            likely: self.study.settings.likely(),
            unlikely: self.study.settings.unlikely(),
        }
    }

    /// Runs per evaluation.
    pub fn runs(&self) -> u64 {
        self.study.settings.runs()
    }

    /// The study's seed (the same for every evaluation).
    pub fn seed(&self) -> u64 {
        self.study.settings.seed()
    }

    /// Every point evaluated so far, in the order evaluated.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The whole Monte Carlo result with the levers at `values` (one per lever).
    pub fn run(&self, values: &[f64]) -> Result<StudyResult, Diagnostics> {
        let mut study = self.study.clone();
        for (lever, &v) in self.levers.iter().zip(values) {
            let o = lever.override_at(v);
            study.provenance.overrides.push(o.text.clone());
            study.overrides.push(o);
        }
        let compiled = study.compile(&self.scenario)?;
        let plan = Plan::new(&compiled)?;
        let done = self.points.len();
        let progress = |runs: u64| (self.progress)(done, runs);
        Ok(plan.execute_on(self.threads, &progress)?)
    }

    /// The probability of every target with the levers at `values`, evaluated once and
    /// remembered.
    pub fn evaluate(&mut self, values: &[f64]) -> Result<Point, Diagnostics> {
        if let Some(p) = self.points.iter().find(|p| p.values == values) {
            return Ok(p.clone());
        }
        let result = self.run(values)?;
        let probabilities = result
            .summary
            .targets
            .iter()
            .map(|t| Probability {
                probability: t.probability,
                ci95: t.ci95,
                successes: t.successes,
                runs: t.runs,
            })
            .collect();
        let point = Point {
            values: values.to_vec(),
            probabilities,
        };
        self.points.push(point.clone());
        Ok(point)
    }

    /// Index of the target called `name` (names match as in the model: case, spaces and
    /// underscores aside), with a did-you-mean hint when there is none.
    pub fn target_index(&self, name: &str) -> Result<usize, Diagnostic> {
        let key = crate::model::names::canonical(name);
        self.targets
            .iter()
            .position(|t| crate::model::names::canonical(t) == key)
            .ok_or_else(|| {
                let e = Diagnostic::plain(format!("the study has no target `{name}`"));
                match crate::model::names::closest(name, self.targets.iter().map(String::as_str)) {
                    Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                    None if self.targets.is_empty() => e.with_hint(
                        "the model declares no [targets]; give one, e.g. --target \"followers at 365 >= 1e6\"",
                    ),
                    None => e.with_hint(format!("targets: {}", self.targets.join(", "))),
                }
            })
    }
}
