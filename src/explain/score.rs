//! Loop scores of one run by the Loops That Matter method (Schoenberg, Davidsen & Eberlein
//! 2020; the flow-to-stock rule as corrected by Schoenberg, Hayward & Eberlein 2023).
//!
//! The run is integrated as usual; at every integration step the scorer compares the values
//! with those of the step before. For a link `x → z` computed by an equation, the partial
//! change `Δz_x` re-evaluates `z`'s compiled block with `x` at its new value and every other
//! slot at its old one; the link score is `|Δz_x / Δz| · sign(Δz_x / Δx)`. For a flow into a
//! stock it is the flow's share of the change in the stock's net flow, `|Δf / Δnet|`, signed
//! `+` for an inflow and `−` for an outflow. A loop's score is the product of its link scores;
//! its relative score divides by the sum of the absolute scores of all loops scored.

use super::routes::{Route, Rule, SlotGraph, Step};
use crate::analysis::{Loop, LoopReport, Polarity};
use crate::compile::program::{Program, Slot, RESERVED};
use crate::diagnostic::Diagnostic;
use crate::simulate::vm::{exec_from, Checked, Code, Machine};
use crate::simulate::Simulation;

/// One loop as scored: its id, name and path.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredLoop {
    /// Polarity letter and number within its polarity, as `check` numbers loops: `R1`, `B2`.
    pub id: String,
    /// The name the model gives the loop in its `[loops]` section.
    pub name: Option<String>,
    /// The display label the model gives it.
    pub label: Option<String>,
    /// Structural polarity.
    pub polarity: Polarity,
    /// Variables in causal order (the last one affects the first).
    pub variables: Vec<String>,
}

impl ScoredLoop {
    /// `R1 word_of_mouth` for a named loop, `R1` otherwise.
    pub fn title(&self) -> String {
        match &self.name {
            Some(n) => format!("{} {n}", self.id),
            None => self.id.clone(),
        }
    }

    /// The loop as text, back to its start: `followers → adoption → followers`.
    pub fn path(&self) -> String {
        let mut parts: Vec<&str> = self.variables.iter().map(String::as_str).collect();
        parts.extend(self.variables.first().map(String::as_str));
        parts.join(" → ")
    }
}

/// The loops of a report with their ids, in the order `check` prints them (reinforcing,
/// balancing, undetermined; shortest first within each).
pub fn identify(report: &LoopReport) -> Vec<(ScoredLoop, &Loop)> {
    let mut out = Vec::new();
    for polarity in [Polarity::Positive, Polarity::Negative, Polarity::Unknown] {
        let group = report.loops.iter().filter(|l| l.polarity == polarity);
        for (i, l) in group.enumerate() {
            let scored = ScoredLoop {
                id: format!("{}{}", polarity.loop_label(), i + 1),
                name: l.name.clone(),
                label: l.label.clone(),
                polarity,
                variables: l.variables.clone(),
            };
            out.push((scored, l));
        }
    }
    out
}

/// Relative loop scores over one run.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopScores {
    /// The loops, in column order.
    pub loops: Vec<ScoredLoop>,
    /// Whether the model has more loops than were scored.
    pub truncated: bool,
    /// Save times.
    pub times: Vec<f64>,
    /// Relative scores in [−1, 1], row by row (one row per save time, one column per loop);
    /// a save time's scores compare it with the integration step before it. The start time's
    /// row is all zeros: nothing has changed yet.
    pub relative: Vec<f64>,
}

impl LoopScores {
    /// Row `row` of relative scores.
    pub fn row(&self, row: usize) -> &[f64] {
        let n = self.loops.len();
        &self.relative[row * n..(row + 1) * n]
    }

    /// The loop with the largest absolute relative score at row `row`, if any is active.
    pub fn dominant(&self, row: usize) -> Option<usize> {
        dominant(self.row(row))
    }
}

/// Index of the largest absolute score, if any is non-zero.
pub fn dominant(scores: &[f64]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &s) in scores.iter().enumerate() {
        if s != 0.0 && best.is_none_or(|(_, b)| s.abs() > b) {
            best = Some((i, s.abs()));
        }
    }
    best.map(|(i, _)| i)
}

/// Scores the loops of one program; shared by every run of a study.
pub struct LoopScorer<'p> {
    prog: &'p Program,
    checked: Checked<'p>,
    graph: SlotGraph<'p>,
    /// Routes of the distinct links on the loops.
    links: Vec<Route>,
    /// For each loop, its links (indices into `links`).
    loop_links: Vec<Vec<usize>>,
    loops: Vec<ScoredLoop>,
    truncated: bool,
}

impl<'p> LoopScorer<'p> {
    /// Prepares the routes of every link on the loops of `report`, whose variable names are
    /// those of the model `prog` was compiled from (node `i` of `names` is variable `i`).
    pub fn new(prog: &'p Program, names: &[String], report: &LoopReport) -> LoopScorer<'p> {
        let checked = Checked::new(prog).unwrap_or_else(|e| panic!("malformed program: {e}"));
        let graph = SlotGraph::new(prog);
        let index = |name: &str| names.iter().position(|n| n == name);
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut loop_links = Vec::new();
        let mut loops = Vec::new();
        for (scored, l) in identify(report) {
            let vars: Vec<Option<usize>> = l.variables.iter().map(|v| index(v)).collect();
            let mut ids = Vec::new();
            for i in 0..vars.len() {
                let pair = match (vars[i], vars[(i + 1) % vars.len()]) {
                    (Some(a), Some(b)) => (a, b),
                    _ => (usize::MAX, usize::MAX),
                };
                let k = pairs.iter().position(|p| *p == pair).unwrap_or_else(|| {
                    pairs.push(pair);
                    pairs.len() - 1
                });
                ids.push(k);
            }
            loop_links.push(ids);
            loops.push(scored);
        }
        let links = pairs
            .iter()
            .map(|&(a, b)| {
                if a == usize::MAX {
                    Route::default()
                } else {
                    graph.route(a, b)
                }
            })
            .collect();
        LoopScorer {
            prog,
            checked,
            graph,
            links,
            loop_links,
            loops,
            truncated: report.truncated,
        }
    }

    /// The loops scored, in column order.
    pub fn loops(&self) -> &[ScoredLoop] {
        &self.loops
    }

    /// Runs `sim` (a simulation of this scorer's program, with its parameters set) and
    /// scores every loop at every save time.
    pub fn score(&self, sim: &mut Simulation) -> Result<LoopScores, Diagnostic> {
        let prog = self.prog;
        let (start, dt) = (prog.specs.start, prog.specs.dt);
        let every: Vec<f64> = (0..=prog.steps()).map(|k| start + k as f64 * dt).collect();
        sim.record_times(&every);
        let saves = sim.recorded_rows();
        let mut pass = Pass::new(self);
        let mut row = 0;
        let result = sim.run_observed(|t, slots, machine| {
            let save = saves.get(row).copied().unwrap_or(true);
            row += 1;
            pass.step(t, slots, machine, save);
        });
        sim.record_times(&[]);
        result.map_err(|fault| fault.to_diagnostic(prog))?;
        Ok(LoopScores {
            loops: self.loops.clone(),
            truncated: self.truncated,
            times: pass.times,
            relative: pass.relative,
        })
    }
}

/// The state of one scoring pass: the previous step's values and the rows kept.
struct Pass<'s, 'p> {
    scorer: &'s LoopScorer<'p>,
    prev: Vec<f64>,
    /// Equal to `prev` between evaluations.
    scratch: Vec<f64>,
    prev_machine: Option<Machine>,
    cur_machine: Option<Machine>,
    link_scores: Vec<f64>,
    loop_scores: Vec<f64>,
    times: Vec<f64>,
    relative: Vec<f64>,
}

impl<'s, 'p> Pass<'s, 'p> {
    fn new(scorer: &'s LoopScorer<'p>) -> Pass<'s, 'p> {
        Pass {
            scorer,
            prev: Vec::new(),
            scratch: Vec::new(),
            prev_machine: None,
            cur_machine: None,
            link_scores: vec![0.0; scorer.links.len()],
            loop_scores: vec![0.0; scorer.loops.len()],
            times: Vec::new(),
            relative: Vec::new(),
        }
    }

    /// Takes the values at one integration step: scores the loops against the step before,
    /// keeps the row at save times, and remembers the values for the next step.
    fn step(&mut self, t: f64, cur: &[f64], machine: &Machine, save: bool) {
        let mut now = self.cur_machine.take().unwrap_or_else(|| machine.clone());
        copy_machine(&mut now, machine);
        match self.prev_machine.take() {
            Some(mut before) => {
                for k in 0..self.scorer.links.len() {
                    let route = &self.scorer.links[k];
                    self.link_scores[k] = self.route_score(route, cur, &mut before, &mut now);
                }
                self.cur_machine = Some(before);
                for (l, links) in self.scorer.loop_links.iter().enumerate() {
                    let score: f64 = links.iter().map(|&k| self.link_scores[k]).product();
                    self.loop_scores[l] = score;
                }
            }
            None => self.loop_scores.fill(0.0),
        }
        self.prev_machine = Some(now);
        if save {
            self.times.push(t);
            let start = self.relative.len();
            self.relative.extend_from_slice(&self.loop_scores);
            normalise(&mut self.relative[start..]);
        }
        self.prev.clear();
        self.prev.extend_from_slice(cur);
        self.scratch.clear();
        self.scratch.extend_from_slice(cur);
    }

    /// The score of one link: over its paths, the sum of the products of the steps' scores.
    fn route_score(
        &mut self,
        route: &Route,
        cur: &[f64],
        before: &mut Machine,
        now: &mut Machine,
    ) -> f64 {
        let mut total = 0.0;
        for path in &route.paths {
            let mut product = 1.0;
            for step in path {
                product *= match step.rule {
                    Rule::Stock => self.stock_score(step, cur),
                    Rule::Equation => self.equation_score(step, cur, before),
                    Rule::Delay => self.equation_score(step, cur, now),
                };
                if product == 0.0 {
                    break;
                }
            }
            total += product;
        }
        if total.is_finite() {
            total
        } else {
            0.0
        }
    }

    /// `|Δz_x / Δz| · sign(Δz_x / Δx)`, summed over the elements of `z` and of `x`; 0 when
    /// `z` or `x` did not change.
    fn equation_score(&mut self, step: &Step, cur: &[f64], machine: &mut Machine) -> f64 {
        let graph = &self.scorer.graph;
        let prog = self.scorer.prog;
        let delta = |slots: &[Slot]| -> f64 {
            slots
                .iter()
                .map(|&s| cur[s as usize] - self.prev[s as usize])
                .sum()
        };
        let (dx, dz) = (delta(&step.from), delta(&step.to));
        if dx == 0.0 || dz == 0.0 || !dx.is_finite() || !dz.is_finite() {
            return 0.0;
        }
        for &s in &step.from {
            self.scratch[s as usize] = cur[s as usize];
        }
        let mut partial = 0.0;
        for &z in &step.to {
            let Some(b) = graph.block_of[z as usize] else {
                continue;
            };
            let block = &prog.step_blocks[b];
            exec_from(
                self.scorer.checked,
                Code::Step,
                block.start as usize,
                block.end as usize,
                &mut self.scratch,
                machine,
            );
            partial += self.scratch[z as usize] - self.prev[z as usize];
            for &s in &graph.touched[b] {
                self.scratch[s as usize] = self.prev[s as usize];
            }
        }
        for &s in &step.from {
            self.scratch[s as usize] = self.prev[s as usize];
        }
        (partial / dz).abs() * (partial / dx).signum() * f64::from(partial != 0.0)
    }

    /// A flow's share of the change in its stock's net flow, `+` for an inflow and `−` for
    /// an outflow; summed over the stocks and flows of the step.
    fn stock_score(&self, step: &Step, cur: &[f64]) -> f64 {
        let prog = self.scorer.prog;
        let change = |f: &Slot| cur[*f as usize] - self.prev[*f as usize];
        let (mut part, mut net) = (0.0, 0.0);
        let (mut inflow, mut outflow) = (false, false);
        for &s in &step.to {
            let stock = &prog.stocks[s as usize - RESERVED];
            for f in &stock.inflows {
                net += change(f);
                if step.from.contains(f) {
                    part += change(f);
                    inflow = true;
                }
            }
            for f in &stock.outflows {
                net -= change(f);
                if step.from.contains(f) {
                    part -= change(f);
                    outflow = true;
                }
            }
        }
        if net == 0.0 || part == 0.0 || !net.is_finite() {
            return 0.0;
        }
        let sign = match (inflow, outflow) {
            (true, false) => 1.0,
            (false, true) => -1.0,
            _ => (part / net).signum(),
        };
        (part / net).abs() * sign
    }
}

/// Divides scores by the sum of their absolute values (all zeros stay zeros). Infinite
/// scores, at an inflection where a stock's net flow stops changing, share the whole weight.
fn normalise(scores: &mut [f64]) {
    if scores.iter().any(|s| s.is_infinite()) {
        for s in scores.iter_mut() {
            *s = if s.is_infinite() { s.signum() } else { 0.0 };
        }
    }
    let total: f64 = scores.iter().map(|s| s.abs()).sum();
    if total > 0.0 && total.is_finite() {
        scores.iter_mut().for_each(|s| *s /= total);
    } else {
        scores.fill(0.0);
    }
}

/// Copies the evaluator's state at a step, as a probe that draws no noise: re-evaluations
/// see the step's held noise, delay outputs and time.
fn copy_machine(dst: &mut Machine, src: &Machine) {
    dst.step_time = src.step_time;
    dst.fresh = false;
    dst.initializing = false;
    dst.nan_condition = false;
    dst.noise.clone_from(&src.noise);
    dst.delays.clone_from(&src.delays);
    dst.delay_out.clone_from(&src.delay_out);
    dst.rngs.clone_from(&src.rngs);
}
