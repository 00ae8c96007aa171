//! One simulation run: initial values, then Euler, RK2 (Heun) or RK4 steps, saving rows.
//!
//! A [`Simulation`] owns every buffer a run needs, so repeated runs (Monte Carlo) allocate
//! nothing after the first; parameters can be overridden between runs without recompiling.
//!
//! Numeric faults are detected cheaply at save times (a NaN column, a non-finite stock, an IF
//! whose condition was NaN); a run that faults is then replayed, deterministically, checking
//! every computed slot after its own block of code, so the fault names the variable whose own
//! equation first produced the value.

use super::fault::{FaultKind, NumericFault};
use super::native::{checked_slots, plain, Engine, NativeCode, RowPlan, RunBuffers, Stage};
use super::queues::QueueState;
use super::trajectory::Trajectory;
use super::vm::{euler_stage, exec, exec_from, update_stocks, Checked, Code, DelayState, Machine};
use crate::compile::program::{Block, Program, Role, Slot, RESERVED, TIME};
use crate::diagnostic::Diagnostic;
use crate::model::Method;
use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;
use std::sync::Arc;

/// Reusable state for running one program many times.
pub struct Simulation<'p> {
    prog: &'p Program,
    checked: Checked<'p>,
    slots: Vec<f64>,
    overrides: Vec<Option<f64>>,
    skip_block: Vec<bool>,
    /// Stocks at the start of the step.
    x0: Vec<f64>,
    /// Weighted sum of the stage slopes (RK4), or the first slope (RK2).
    acc: Vec<f64>,
    /// Slots of every column.
    column_slots: Vec<usize>,
    /// The slots checked at the first save, as ranges of consecutive slots: every column and
    /// every stock.
    first_ranges: Vec<(usize, usize)>,
    /// The slots checked at the later saves, as ranges: the columns whose value can change
    /// during a run (not constants) and every stock. Constants are fixed once initialised,
    /// so the first save covers them.
    varying_ranges: Vec<(usize, usize)>,
    /// Indices of the non-negative stocks.
    non_negative: Vec<usize>,
    machine: Machine,
    seed: u64,
    method: Method,
    /// By slot: whether the slot is an outflow of more than one stock.
    shared_outflow: Vec<bool>,
    /// Last step computed, when runs stop before the model's stop time.
    last_step: Option<usize>,
    /// Steps recorded besides the save steps, ascending (see [`Simulation::record_times`]).
    extra_steps: Vec<usize>,
    /// The program's native code, when the native engine runs it; always code that fits
    /// `checked` and `slots` (see [`native_for`]), which lets the run loop call it without
    /// checking again at every step.
    native: Option<Arc<NativeCode>>,
    /// The steps that give a row: every save step and every extra step.
    row_plan: RowPlan,
}

impl<'p> Simulation<'p> {
    /// Prepares buffers for `prog`.
    ///
    /// # Panics
    ///
    /// When `prog` fails [`Program::validate`], which a compiled program never does.
    pub fn new(prog: &'p Program) -> Simulation<'p> {
        let n = prog.stocks.len();
        let checked = Checked::new(prog).unwrap_or_else(|e| panic!("malformed program: {e}"));
        let mut drains = vec![0u32; prog.template.len()];
        for f in prog.stocks.iter().flat_map(|st| &st.outflows) {
            drains[*f as usize] += 1;
        }
        let mut sim = Simulation {
            prog,
            checked,
            slots: prog.template.clone(),
            overrides: vec![None; prog.params.len()],
            skip_block: vec![false; prog.init_blocks.len()],
            x0: vec![0.0; n],
            acc: vec![0.0; n],
            column_slots: prog.columns.iter().map(|c| c.slot as usize).collect(),
            first_ranges: check_ranges(prog, |_| true),
            varying_ranges: check_ranges(prog, |c| c.role != Role::Constant),
            non_negative: (prog.stocks.iter().enumerate())
                .filter_map(|(k, st)| st.non_negative.then_some(k))
                .collect(),
            machine: Machine {
                step_time: prog.specs.start,
                fresh: true,
                initializing: true,
                noise: vec![0.0; prog.noise_keys.len()],
                delays: prog
                    .delays
                    .iter()
                    .map(|line| DelayState {
                        initial_slot: line.initial as usize,
                        ..DelayState::default()
                    })
                    .collect(),
                delay_out: vec![0.0; prog.delays.len()],
                rngs: prog
                    .noise_keys
                    .iter()
                    .map(|_| Xoshiro256PlusPlus::seed_from_u64(0))
                    .collect(),
                nan_condition: false,
                histories: vec![Vec::new(); prog.history_buffers()],
                queues: vec![
                    QueueState::default();
                    prog.specials
                        .iter()
                        .filter(|s| s.queue_state().is_some())
                        .count()
                ],
            },
            seed: 0,
            method: prog.specs.method,
            shared_outflow: drains.iter().map(|&d| d > 1).collect(),
            last_step: None,
            extra_steps: Vec::new(),
            native: native_for(prog, checked, Engine::from_env()),
            row_plan: RowPlan::default(),
        };
        sim.plan_rows();
        sim
    }

    /// Lists the steps that give a row, for both run loops.
    fn plan_rows(&mut self) {
        let per_save = self.prog.steps_per_save();
        let saves = (0..=self.prog.steps()).step_by(per_save);
        let steps = saves.chain(self.extra_steps.iter().copied());
        self.row_plan = RowPlan::new(steps.map(|s| s as u64).collect());
    }

    /// Runs the following runs on `engine` (by default the one [`Engine::from_env`] names).
    /// The native engine falls back to the evaluator for a program it cannot translate.
    pub fn set_engine(&mut self, engine: Engine) {
        self.native = native_for(self.prog, self.checked, engine);
    }

    /// The engine the runs use.
    pub fn engine(&self) -> Engine {
        match self.native {
            Some(_) => Engine::Native,
            None => Engine::Interpreter,
        }
    }

    /// Runs a whole code stream, on the native code when there is one.
    #[inline(always)]
    fn exec(&mut self, code: Code) {
        match &self.native {
            // SAFETY: `native` fits `checked` (see `native_for`), `slots`, made from the
            // program's template, keeps its length, and the machine's buffers were checked
            // to fit when the run started (`run_loop`) and keep their lengths through it.
            Some(native) => unsafe {
                native.exec_fitted(self.checked, code, &mut self.slots, &mut self.machine)
            },
            None => exec(self.checked, code, &mut self.slots, &mut self.machine),
        }
    }

    /// Makes [`Simulation::run_with`] also report the integration steps at `times` (a time
    /// between two steps: both of them), so values read there are exact or interpolated
    /// between adjacent steps, never between save points. Times outside the run are ignored.
    pub fn record_times(&mut self, times: &[f64]) {
        let prog = self.prog;
        let (start, dt, steps) = (prog.specs.start, prog.specs.dt, prog.steps());
        let per_save = prog.steps_per_save();
        let mut extra = Vec::new();
        for &t in times {
            let k = (t - start) / dt;
            if !(k.is_finite() && k > -1e-9 && k < steps as f64 + 1e-9) {
                continue;
            }
            let near = k.round();
            let around = if (k - near).abs() <= 1e-9 * near.abs().max(1.0) {
                [near, near]
            } else {
                [k.floor(), k.ceil()]
            };
            extra.extend(around.iter().map(|&s| (s as usize).min(steps)));
        }
        extra.retain(|s| s % per_save != 0);
        extra.sort_unstable();
        extra.dedup();
        self.extra_steps = extra;
        self.plan_rows();
    }

    /// For each row [`Simulation::run_with`] reports, in order: whether it is a save time
    /// (the others are the times asked for by [`Simulation::record_times`]).
    pub fn recorded_rows(&self) -> Vec<bool> {
        // Extra steps are never save steps (see `record_times`).
        let per_save = self.prog.steps_per_save() as u64;
        self.row_plan.steps().map(|s| s % per_save == 0).collect()
    }

    /// The program being run.
    pub fn program(&self) -> &'p Program {
        self.prog
    }

    /// Overrides parameter `index` (see [`Program::params`]) for the following runs.
    pub fn set_param(&mut self, index: usize, value: f64) {
        self.overrides[index] = Some(value);
        self.skip_block[self.prog.params[index].block as usize] = true;
    }

    /// Returns every parameter to its model value.
    pub fn clear_params(&mut self) {
        self.overrides.iter_mut().for_each(|o| *o = None);
        self.skip_block.iter_mut().for_each(|b| *b = false);
    }

    /// Seeds the random streams of noise functions in equations (one per call, keyed).
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// Ends the following runs after integration step `step` (`None`: at the stop time), for
    /// callers that need only the start of the horizon. Equations still see the model's stop
    /// time, so the steps computed are identical to those of a full run.
    pub fn stop_after(&mut self, step: Option<usize>) {
        self.last_step = step;
    }

    /// Integrates with `method` instead of the model's.
    pub fn set_method(&mut self, method: Method) {
        self.method = method;
    }

    fn initialize<const CAREFUL: bool>(&mut self) -> Result<(), NumericFault> {
        let prog = self.prog;
        self.slots.copy_from_slice(&prog.template);
        for (p, o) in prog.params.iter().zip(&self.overrides) {
            if let Some(v) = o {
                self.slots[p.slot as usize] = *v;
            }
        }
        let m = &mut self.machine;
        for (rng, key) in m.rngs.iter_mut().zip(&prog.noise_keys) {
            *rng = Xoshiro256PlusPlus::seed_from_u64(self.seed ^ key);
        }
        m.step_time = prog.specs.start;
        m.fresh = true;
        m.initializing = true;
        m.nan_condition = false;
        // Sized once: later runs of the same program reuse the buffers' capacity.
        let recorded = prog.steps() + 1;
        for h in m.histories.iter_mut() {
            h.clear();
            h.resize(recorded, f64::NAN);
        }
        // A queue holds at most its initial batch and one batch per inflow per step.
        for (state, inflows) in prog.specials.iter().filter_map(|s| s.queue_state()) {
            let batches = (recorded + 1) * inflows.max(1) + 1;
            m.queues[state as usize].reset(batches, inflows);
        }
        // During the initial pass a delay's output is its initial value, computed (in
        // dependency order) before any use.
        for (b, block) in prog.init_blocks.iter().enumerate() {
            if self.skip_block[b] {
                continue;
            }
            exec_from(
                self.checked,
                Code::Init,
                block.start as usize,
                block.end as usize,
                &mut self.slots,
                m,
            );
            if CAREFUL {
                check_block(prog, block, &self.slots, m, prog.specs.start)?;
            }
        }
        if CAREFUL {
            self.exec_blocks(Code::Invariant, &prog.invariant_blocks, prog.specs.start)?;
        } else {
            exec(
                self.checked,
                Code::Invariant,
                &mut self.slots,
                &mut self.machine,
            );
        }
        let m = &mut self.machine;
        let dt = prog.specs.dt;
        for (line, state) in prog.delays.iter().zip(m.delays.iter_mut()) {
            let d = self.slots[line.delay as usize];
            let steps = if d.is_finite() {
                (d / dt).round().max(1.0) as usize
            } else {
                1
            };
            // A delay longer than the run never yields a recorded value, so its ring needs no
            // more entries than the run has steps; this keeps a huge delay time from
            // allocating without bound.
            state.steps = steps.min(prog.steps() + 1);
            state.recorded = 0;
            state.ring.clear();
            state.ring.resize(state.steps, 0.0);
            state.initial = self.slots[line.initial as usize];
        }
        m.reset_delay_outputs();
        m.initializing = false;
        Ok(())
    }

    /// Runs `blocks` of a code stream one by one, checking each computed slot.
    fn exec_blocks(&mut self, code: Code, blocks: &[Block], t: f64) -> Result<(), NumericFault> {
        for block in blocks {
            exec_from(
                self.checked,
                code,
                block.start as usize,
                block.end as usize,
                &mut self.slots,
                &mut self.machine,
            );
            check_block(self.prog, block, &self.slots, &self.machine, t)?;
        }
        Ok(())
    }

    /// Evaluates every time-dependent value (flows included) at `t` with the current stocks;
    /// when `CAREFUL`, checks the stocks and then each computed slot.
    #[inline(always)]
    fn evaluate<const CAREFUL: bool>(
        &mut self,
        t: f64,
        fresh: bool,
        report: bool,
    ) -> Result<(), NumericFault> {
        let prog = self.prog;
        self.slots[TIME as usize] = t;
        self.machine.fresh = fresh;
        if CAREFUL {
            self.check_stocks(t)?;
            self.exec_blocks(Code::Step, &prog.step_blocks, t)?;
            if report {
                self.exec_blocks(Code::Report, &prog.report_blocks, t)?;
            }
        } else {
            self.exec(Code::Step);
            // Most small models compute everything they report in the step code.
            if report && !prog.report_code.is_empty() {
                self.exec(Code::Report);
            }
        }
        if prog.limits_stocks {
            limit_outflows(prog, &mut self.slots, &self.shared_outflow);
        }
        Ok(())
    }

    /// Whether the run ends at `t`, the step just evaluated: the program's stop variable
    /// (if any) is within half a step of `t` or before it, as the stop time rounds to a
    /// whole number of steps.
    fn stops_early(&self, t: f64, dt: f64) -> bool {
        self.prog
            .stop_slot
            .is_some_and(|s| t + 0.5 * dt > self.slots[s as usize])
    }

    /// Computes the reported values at `t`, the flows being evaluated already.
    fn report<const CAREFUL: bool>(&mut self, t: f64) -> Result<(), NumericFault> {
        if CAREFUL {
            let prog = self.prog;
            self.exec_blocks(Code::Report, &prog.report_blocks, t)
        } else {
            self.exec(Code::Report);
            Ok(())
        }
    }

    /// A stock that is not finite at `t` (its flows were, or they would have faulted first).
    fn check_stocks(&self, t: f64) -> Result<(), NumericFault> {
        let stocks = &self.slots[RESERVED..RESERVED + self.prog.stocks.len()];
        match stocks.iter().position(|x| !x.is_finite()) {
            None => Ok(()),
            Some(k) => Err(NumericFault::new(
                self.prog,
                FaultKind::InfiniteStock,
                (RESERVED + k) as Slot,
                t,
                stocks[k],
            )),
        }
    }

    /// Moves every stock as Runge–Kutta stage `stage` with step `h` says, the slope being the
    /// stock's derivative from the flows just evaluated: in the native code when there is
    /// one, else on the evaluator.
    #[inline(always)]
    fn stage(&mut self, stage: Stage, h: f64) {
        if let Some(native) = &self.native {
            // SAFETY: as in `Simulation::exec`; `x0` and `acc` are sized to the stocks once.
            if unsafe {
                native.stage_fitted(stage, &mut self.slots, &mut self.x0, &mut self.acc, h)
            } {
                return;
            }
        }
        update_stocks(
            self.checked,
            &mut self.slots,
            &mut self.x0,
            &mut self.acc,
            |d, x, x0, acc| stage.update(h, d, x, x0, acc),
        );
    }

    /// Runs from start to stop, calling `on_save(time, slots)` at every save time and every
    /// step asked for by [`Simulation::record_times`].
    ///
    /// On a numeric fault the run stops (`on_save` has seen the rows before it) and the run is
    /// replayed to find the variable whose own equation produced the value.
    pub fn run_with(&mut self, mut on_save: impl FnMut(f64, &[f64])) -> Result<(), NumericFault> {
        self.run_observed(|t, slots, _| on_save(t, slots))
    }

    /// [`Simulation::run_with`] keeping the slots `columns` of every row: each row's time in
    /// `times` and its values, row after row, in `data` (both resized to the rows given);
    /// the number of rows.
    ///
    /// A plain run (no delay lines, no stop variable, no limited or clamped stocks) on the
    /// native engine runs on the compiled whole-run loop; anything else, and a run that
    /// loop gives up on (a fault, a NaN condition or an infinite value at a row), runs on
    /// the general loop, with the same results.
    pub fn run_rows(
        &mut self,
        columns: &[usize],
        times: &mut Vec<f64>,
        data: &mut Vec<f64>,
    ) -> Result<usize, NumericFault> {
        let width = columns.len();
        let rows = self.row_plan.rows();
        // Sized once: later runs keep the length, and a short run's truncation is undone.
        times.resize(rows, 0.0);
        data.resize(rows * width, 0.0);
        if let Some(n) = self.run_whole(columns, times, data) {
            times.truncate(n);
            data.truncate(n * width);
            return Ok(n);
        }
        let mut row = 0;
        let result = self.run_with(|t, slots| {
            if row < times.len() {
                times[row] = t;
                let cells = &mut data[row * width..(row + 1) * width];
                for (cell, &c) in cells.iter_mut().zip(columns) {
                    *cell = slots[c];
                }
            } else {
                times.push(t);
                data.extend(columns.iter().map(|&c| slots[c]));
            }
            row += 1;
        });
        times.truncate(row);
        data.truncate(row * width);
        result.map(|()| row)
    }

    /// Whether [`Simulation::run_rows`] runs on the compiled whole-run loop: a plain run
    /// (no delay lines, no stop variable, no limited or clamped stocks) on the native
    /// engine, with a loop compiled for the method. A run the loop gives up on still runs on
    /// the general loop.
    pub fn runs_whole(&self) -> bool {
        plain(self.prog)
            && self.last_step.is_none()
            && (self.native.as_ref()).is_some_and(|n| n.has_whole_run(self.method))
    }

    /// A plain run on the compiled whole-run loop: the number of rows, or `None` when the
    /// run is not plain, has no compiled loop, or the loop gave up.
    fn run_whole(
        &mut self,
        columns: &[usize],
        times: &mut [f64],
        data: &mut [f64],
    ) -> Option<usize> {
        let prog = self.prog;
        if !self.runs_whole() {
            return None;
        }
        // A fault in the initial pass is found by the general loop.
        self.initialize::<false>().ok()?;
        let native = self.native.as_ref()?;
        let (start, dt) = (prog.specs.start, prog.specs.dt);
        native.run_whole(
            self.method,
            self.checked,
            &mut self.slots,
            &mut self.machine,
            (start, dt, prog.steps()),
            &self.row_plan,
            RunBuffers {
                x0: &mut self.x0,
                acc: &mut self.acc,
                columns,
                times,
                data,
            },
        )
    }

    /// [`Simulation::run_with`], also showing the evaluator's state besides the slots (held
    /// noise, delay lines, the step's time) at each reported row, for passes that re-evaluate
    /// equations as the run saw them (loop scores).
    pub fn run_observed(
        &mut self,
        on_save: impl FnMut(f64, &[f64], &Machine),
    ) -> Result<(), NumericFault> {
        match self.run_loop::<false>(on_save) {
            Ok(()) => Ok(()),
            Err(seen) => Err(self.run_loop::<true>(|_, _, _| {}).err().unwrap_or(seen)),
        }
    }

    fn run_loop<const CAREFUL: bool>(
        &mut self,
        mut on_save: impl FnMut(f64, &[f64], &Machine),
    ) -> Result<(), NumericFault> {
        let prog = self.prog;
        self.initialize::<CAREFUL>()?;
        // Once a run, not at every call: nothing in the loop resizes the machine's buffers.
        if let Some(native) = &self.native {
            assert!(
                native.fits_machine(&self.machine),
                "a machine without the program's delay outputs or noise states"
            );
        }
        let steps = prog.steps().min(self.last_step.unwrap_or(usize::MAX));
        let per_save = prog.steps_per_save();
        let (start, dt) = (prog.specs.start, prog.specs.dt);
        // The next save step and the next extra recorded step, counted rather than found
        // by division and lookup at every step.
        let mut next_save = 0;
        let mut next_extra = 0;
        let mut extra_at = self.extra_steps.first().copied().unwrap_or(usize::MAX);
        let delays = !prog.delays.is_empty();
        for step in 0..steps + 1 {
            let t = start + step as f64 * dt;
            self.machine.step_time = t;
            let on_grid = step == next_save;
            if on_grid {
                next_save += per_save;
            }
            let extra = step == extra_at;
            if extra {
                next_extra += 1;
                extra_at = self
                    .extra_steps
                    .get(next_extra)
                    .copied()
                    .unwrap_or(usize::MAX);
            }
            let save = extra || on_grid;
            // The start time's noise was drawn by the initial pass: drawing again would make
            // `x` at the start differ from `INIT(x)` and from the stocks' initial values.
            self.evaluate::<CAREFUL>(t, step > 0, save)?;
            // A run ended early by its stop variable keeps its last step as a row.
            let early = self.stops_early(t, dt);
            if early && !save {
                self.report::<CAREFUL>(t)?;
            }
            if save || early {
                self.check_finite(t, step == 0)?;
                on_save(t, &self.slots, &self.machine);
            }
            if step == steps || early {
                break;
            }
            if delays {
                for (line, state) in prog.delays.iter().zip(self.machine.delays.iter_mut()) {
                    state.pending = self.slots[line.input as usize];
                }
            }
            self.advance::<CAREFUL>(t, dt)?;
            self.clamp_non_negative_stocks();
            if delays {
                self.machine.advance_delays();
            }
        }
        Ok(())
    }

    /// One step from `t`, with the flows already evaluated at `t`.
    #[inline(always)]
    fn advance<const CAREFUL: bool>(&mut self, t: f64, dt: f64) -> Result<(), NumericFault> {
        match self.method {
            Method::Euler => match &self.native {
                // SAFETY: as in `Simulation::exec`.
                Some(native) => unsafe { native.euler_fitted(&mut self.slots, dt) },
                None => euler_stage(self.checked, &mut self.slots, dt),
            },
            // `0.5 * dt * (k1 + d)` is `(0.5 * dt) * (k1 + d)`: the same as `h = 0.5 * dt`.
            Method::Rk2 => {
                self.stage(Stage::First, dt);
                self.evaluate::<CAREFUL>(t + dt, false, false)?;
                self.stage(Stage::Rk2Last, 0.5 * dt);
            }
            Method::Rk4 => {
                let (half, sixth) = (0.5 * dt, dt / 6.0);
                self.stage(Stage::First, half);
                self.evaluate::<CAREFUL>(t + half, false, false)?;
                self.stage(Stage::Rk4Mid, half);
                self.evaluate::<CAREFUL>(t + half, false, false)?;
                self.stage(Stage::Rk4Mid, dt);
                self.evaluate::<CAREFUL>(t + dt, false, false)?;
                self.stage(Stage::Rk4Last, sixth);
            }
        }
        Ok(())
    }

    /// Keeps non-negative stocks at or above zero where cutting outflows could not: negative
    /// inflows, and flows drained from several stocks at once (each stock is limited on its
    /// own and the flow keeps its value).
    #[inline(always)]
    fn clamp_non_negative_stocks(&mut self) {
        for &k in &self.non_negative {
            let x = &mut self.slots[RESERVED + k];
            *x = x.max(0.0);
        }
    }

    /// The cheap check at save times: no column NaN, no stock infinite, no NaN condition
    /// met since the start. What it finds is where the fault showed, not necessarily where
    /// it arose; [`Simulation::run_with`] then replays the run to find that.
    ///
    /// One pass over ranges of consecutive slots finds whether any checked value is not
    /// finite; only then are NaN columns and infinite stocks told apart (an infinite
    /// auxiliary is no fault).
    #[inline(always)]
    fn check_finite(&self, t: f64, first: bool) -> Result<(), NumericFault> {
        let s = &self.slots;
        let ranges = if first {
            &self.first_ranges
        } else {
            &self.varying_ranges
        };
        let odd = ranges.iter().fold(false, |bad, &(a, b)| {
            s[a..b].iter().fold(bad, |bad, x| bad | !x.is_finite())
        });
        if !(odd | self.machine.nan_condition) {
            return Ok(());
        }
        self.slow_check(t)
    }

    /// [`Simulation::check_finite`] once some value is not finite or a NaN condition was met.
    #[cold]
    #[inline(never)]
    fn slow_check(&self, t: f64) -> Result<(), NumericFault> {
        let s = &self.slots;
        let nan = self.column_slots.iter().any(|&c| s[c].is_nan());
        let stocks = &s[RESERVED..RESERVED + self.prog.stocks.len()];
        let inf = stocks.iter().any(|x| !x.is_finite());
        if !(nan | inf | self.machine.nan_condition) {
            return Ok(());
        }
        self.check_stocks(t)?;
        let prog = self.prog;
        let (kind, slot) = match prog.columns.iter().find(|c| s[c.slot as usize].is_nan()) {
            Some(c) => (FaultKind::NotANumber, c.slot),
            None => (FaultKind::NanCondition, TIME),
        };
        Err(NumericFault::new(prog, kind, slot, t, s[slot as usize]))
    }

    /// Runs and returns every model variable's column (not the running integrals kept for
    /// targets) at every save time; a numeric fault comes back as a diagnostic located at the
    /// faulty variable's equation ([`NumericFault::to_diagnostic`]).
    pub fn run(&mut self) -> Result<Trajectory, Diagnostic> {
        let prog = self.prog;
        let kept: Vec<usize> = (0..prog.columns.len())
            .filter(|&c| prog.columns[c].role != Role::Integral)
            .collect();
        let names = kept.iter().map(|&c| prog.columns[c].name.clone()).collect();
        let mut traj = Trajectory::with_columns(names, prog.saved_rows());
        let columns: Vec<usize> = kept.iter().map(|&c| self.column_slots[c]).collect();
        self.run_rows(&columns, &mut traj.times, &mut traj.data)
            .map_err(|fault| fault.to_diagnostic(prog))?;
        Ok(traj)
    }
}

/// `prog`'s native code when `engine` is native and the code fits the program and its slot
/// array (it always does when taken from [`NativeCode::of`]), else `None`: the evaluator.
fn native_for(prog: &Program, checked: Checked, engine: Engine) -> Option<Arc<NativeCode>> {
    match engine {
        Engine::Native => {
            NativeCode::of(prog).filter(|native| native.fits_checked(checked, &prog.template))
        }
        Engine::Interpreter => None,
    }
}

/// The slots of the columns `keep` selects and of every stock, as sorted ranges
/// `start..end` of consecutive slots, so the check at save times reads contiguous memory.
fn check_ranges(
    prog: &Program,
    keep: impl Fn(&crate::compile::program::Column) -> bool,
) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for s in checked_slots(prog, keep) {
        match ranges.last_mut() {
            Some((_, end)) if *end == s => *end += 1,
            _ => ranges.push((s, s + 1)),
        }
    }
    ranges
}

/// The fault of a block just run, if its slot is NaN or an IF in it met a NaN condition.
fn check_block(
    prog: &Program,
    block: &Block,
    slots: &[f64],
    m: &Machine,
    t: f64,
) -> Result<(), NumericFault> {
    let v = slots[block.slot as usize];
    let kind = if m.nan_condition {
        FaultKind::NanCondition
    } else if v.is_nan() {
        FaultKind::NotANumber
    } else {
        return Ok(());
    };
    Err(NumericFault::new(prog, kind, block.slot, t, v))
}

/// Cuts back outflows of non-negative stocks, in the order they are listed, so that no stock
/// falls below zero within one step: what an outflow may take is the stock per unit time
/// plus this step's inflows. A flow drained from several stocks is not cut (each of them is
/// clamped after the step instead), as the SDXorg `non_negative_*` reference runs show.
fn limit_outflows(prog: &Program, s: &mut [f64], shared: &[bool]) {
    let dt = prog.specs.dt;
    for (k, stock) in prog.stocks.iter().enumerate() {
        if !stock.non_negative || stock.outflows.is_empty() {
            continue;
        }
        let mut available = s[RESERVED + k].max(0.0) / dt;
        for &f in &stock.inflows {
            available += s[f as usize];
        }
        for &f in &stock.outflows {
            let want = s[f as usize];
            if want <= 0.0 || shared[f as usize] {
                available -= want;
                continue;
            }
            let take = want.min(available.max(0.0));
            s[f as usize] = take;
            available -= take;
        }
    }
}

/// Compiles nothing: runs `prog` once with its own parameters and returns every column.
pub fn run(prog: &Program) -> Result<Trajectory, Diagnostic> {
    Simulation::new(prog).run()
}
