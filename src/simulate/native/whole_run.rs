//! A whole run's step loop compiled with the program's code: the time of each step, the
//! step code, the finite check and the copy of the saved columns at each recorded step, and
//! the Euler or Runge–Kutta update, without returning to Rust between steps.
//!
//! It covers the plain run only (no delay lines, no stop variable, no limited or clamped
//! stocks: `Simulation` checks). Where the general loop checks the values at each row, it
//! sums `x − x` over the same slots (NaN once any of them was NaN or infinite) and gives up
//! at the end of the run if that sum is NaN or a NaN condition was met: the caller then runs
//! the same run again on the general loop, which tells a fault from an infinite auxiliary
//! and names the faulty equation. A run it finishes is the general loop's run, bit for bit:
//! the same operations of the same compiled code, on the same values, in the same order
//! (values the general loop reads back from the slot array are passed in registers).

use super::*;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{ExtFuncData, ExternalName, FuncRef, UserExternalName};
use cranelift_module::FuncId;

/// What the compiled loop reads and writes besides the slots; every pointer is valid for the
/// whole call and every length holds (see [`NativeCode::run_whole`]).
#[repr(C)]
pub(super) struct RunArgs<'a> {
    /// The contexts of the step and the report code.
    step_ctx: *mut Ctx<'a>,
    report_ctx: *mut Ctx<'a>,
    /// [`Machine::step_time`], [`Machine::fresh`] and [`Machine::nan_condition`], which the
    /// evaluator's code reads for the instructions called out.
    step_time: *mut f64,
    fresh: *mut bool,
    nan_condition: *mut bool,
    /// The Runge–Kutta buffers, one entry per stock.
    x0: *mut f64,
    acc: *mut f64,
    start: f64,
    dt: f64,
    /// The last step.
    steps: u64,
    /// The steps that give a row, ascending, ending with `u64::MAX`.
    recorded: *const u64,
    /// The slots copied into each row, `width` of them.
    columns: *const usize,
    width: u64,
    /// Where rows go: one time and `width` values per recorded step.
    times: *mut f64,
    data: *mut f64,
}

/// The compiled loop: `f(s, args)` returns the number of rows written, or −1 when it gave
/// up.
pub(super) type RunFn = unsafe extern "C" fn(*mut f64, *mut RunArgs) -> i64;

/// Step code longer than this is called from the loop rather than copied into it (RK4
/// copies it four times).
const INLINE_OPS: usize = 2_000;

/// The functions a compiled loop calls, or copies into itself when the step code is short.
pub(super) struct Callees<'a> {
    pub prog: &'a Program,
    pub step: FuncId,
    pub report: Option<FuncId>,
    pub euler: FuncId,
    /// By [`Stage::ALL`]; needed for RK2 and RK4.
    pub stages: Option<[FuncId; 4]>,
    /// The slots checked at the first row and at the later ones ([`checked_slots`]).
    pub first_checks: Vec<usize>,
    pub later_checks: Vec<usize>,
}

/// Whether runs of `prog` can take the compiled loop: no delay line, no stop variable, no
/// limited or clamped stock (the general loop handles those between steps).
pub(in crate::simulate) fn plain(prog: &Program) -> bool {
    prog.delays.is_empty()
        && prog.stop_slot.is_none()
        && !prog.limits_stocks
        && !prog.stocks.iter().any(|s| s.non_negative)
}

/// The slots whose values are checked at each row: the columns `keep` selects and every
/// stock, ascending.
pub(in crate::simulate) fn checked_slots(
    prog: &Program,
    keep: impl Fn(&crate::compile::program::Column) -> bool,
) -> Vec<usize> {
    let mut slots: Vec<usize> = (prog.columns.iter())
        .filter(|c| keep(c))
        .map(|c| c.slot as usize)
        .chain(RESERVED..RESERVED + prog.stocks.len())
        .collect();
    slots.sort_unstable();
    slots.dedup();
    slots
}

/// A direct call target in the function being built.
fn import(module: &JITModule, b: &mut FunctionBuilder, id: FuncId) -> FuncRef {
    let decl = &module.declarations().get_function_decl(id);
    let signature = b.func.import_signature(decl.signature.clone());
    let name = b.func.declare_imported_user_function(UserExternalName {
        namespace: 0,
        index: id.as_u32(),
    });
    b.func.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated: true,
        patchable: false,
    })
}

macro_rules! field {
    ($t:ty, $f:ident) => {
        std::mem::offset_of!($t, $f) as i32
    };
}

/// Values of slots known to equal what the slot array holds.
type Known = HashMap<Slot, Value>;

/// The values the loop body keeps, loaded once from [`RunArgs`].
struct Loop<'a> {
    /// The program, when its step code and stages are copied into the loop.
    inline: Option<&'a Program>,
    /// Each stock's present value, when the code is copied into the loop.
    stock_vars: Vec<Variable>,
    /// Each stock's value at the step's start and slope accumulator, for the Runge–Kutta
    /// stages copied into the loop.
    kept_vars: Vec<(Variable, Variable)>,
    helpers: Helpers,
    delay_out: Value,
    noise: Value,
    s: Value,
    step_ctx: Value,
    report_ctx: Value,
    step_time: Value,
    fresh: Value,
    x0: Value,
    acc: Value,
    dt: Value,
    step: FuncRef,
    report: Option<FuncRef>,
    euler: FuncRef,
    stages: Option<[FuncRef; 4]>,
    nan: Variable,
}

impl Loop<'_> {
    /// What the loop knows the slot array holds at any point of a step: each stock's
    /// present value (kept in a variable beside its slot) and the evaluation's time `t`.
    fn seeds(&self, b: &mut FunctionBuilder, t: Value) -> Known {
        let mut known: Known = (self.stock_vars.iter().enumerate())
            .map(|(k, &var)| ((RESERVED + k) as Slot, b.use_var(var)))
            .collect();
        known.insert(crate::compile::program::TIME, t);
        known
    }

    /// The step code, evaluated at time `t` (already in the slots) for the step starting at
    /// `t_step`, drawing noise when `fresh`, and its NaN condition added to the run's; what
    /// is known of the slots after it (nothing when it was called).
    fn step_code(
        &self,
        b: &mut FunctionBuilder,
        (t, t_step): (Value, Value),
        fresh: Value,
    ) -> Option<Known> {
        let Some(prog) = self.inline else {
            self.call(b, self.step, self.step_ctx);
            return Some(Known::new());
        };
        let seeds = self.seeds(b, t);
        self.emit(b, (&prog.step_code, self.step_ctx), (t_step, fresh), seeds)
    }

    /// The report code at a recorded step starting at `t_step`, `known` holding what the
    /// step code left known of the slots: copied into the loop when the step code is and it
    /// has at most [`INLINE_OPS`] instructions, else called.
    fn report_code(
        &self,
        b: &mut FunctionBuilder,
        report: FuncRef,
        (t_step, fresh): (Value, Value),
        known: &Known,
    ) -> Option<()> {
        match self.inline {
            Some(prog) if prog.report_code.len() <= INLINE_OPS => {
                let code = (&prog.report_code[..], self.report_ctx);
                self.emit(b, code, (t_step, fresh), known.clone())?;
            }
            _ => self.call(b, report, self.report_ctx),
        }
        Some(())
    }

    /// Code stream `ops` (run with context `ctx`) copied into the loop for the step starting
    /// at `t_step`, `seeds` known of the slots before it, its NaN condition added to the
    /// run's; what is known of the slots after it.
    fn emit(
        &self,
        b: &mut FunctionBuilder,
        (ops, ctx): (&[Op], Value),
        (t_step, fresh): (Value, Value),
        seeds: Known,
    ) -> Option<Known> {
        let prog = self.inline?;
        let frame = Frame {
            s: self.s,
            ctx,
            step_time: t_step,
            delay_out: self.delay_out,
            noise: self.noise,
            fresh,
        };
        let mut e = Emit::new(b, frame, &prog.specials, self.helpers);
        e.known = seeds.clone();
        e.stream(ops)?;
        let (nan, mut known) = (e.nan, std::mem::take(&mut e.known));
        // Values from before the stream hold at its end whichever way it got there.
        known.extend(seeds);
        let flag = b.use_var(nan);
        let old = b.use_var(self.nan);
        let new = b.ins().bor(old, flag);
        b.def_var(self.nan, new);
        Some(known)
    }

    /// Moves the stocks as `kind` says, `args` after the slot array being `dt` (Euler) or
    /// `x0`, `acc` and `h` (a stage), reading the slots `known` holds from it.
    fn stocks(
        &self,
        b: &mut FunctionBuilder,
        (kind, called): (StocksFn, FuncRef),
        args: &[Value],
        known: &Known,
    ) -> Option<()> {
        let mut all = vec![self.s];
        all.extend_from_slice(args);
        let Some(prog) = self.inline else {
            b.ins().call(called, &all);
            return Some(());
        };
        let moved = emit_stocks(b, prog, (kind, &all, Some(&self.kept_vars)), known)?;
        for (&var, x) in self.stock_vars.iter().zip(moved) {
            b.def_var(var, x);
        }
        Some(())
    }

    /// Sets the evaluation's time in the slots and whether it draws noise, in the machine
    /// and both contexts.
    fn set_fresh(&self, b: &mut FunctionBuilder, fresh: Value) {
        let f = MemFlagsData::trusted();
        b.ins().store(f, fresh, self.fresh, 0);
        b.ins().store(f, fresh, self.step_ctx, field!(Ctx, fresh));
        b.ins().store(f, fresh, self.report_ctx, field!(Ctx, fresh));
    }

    /// Calls compiled code `code` with context `ctx` and adds its NaN condition to the run's.
    fn call(&self, b: &mut FunctionBuilder, code: FuncRef, ctx: Value) {
        b.ins().call(code, &[self.s, ctx]);
        let flag = b
            .ins()
            .load(types::I8, MemFlagsData::trusted(), ctx, field!(Ctx, nan));
        let old = b.use_var(self.nan);
        let new = b.ins().bor(old, flag);
        b.def_var(self.nan, new);
    }

    /// An evaluation of the step code at time `t` after the first of the step starting at
    /// `t_step`; what is known of the slots after it.
    fn evaluate_again(&self, b: &mut FunctionBuilder, t: Value, t_step: Value) -> Option<Known> {
        let f = MemFlagsData::trusted();
        b.ins().store(
            f,
            t,
            self.s,
            super::emit::off(crate::compile::program::TIME),
        );
        let no = b.ins().iconst(types::I8, 0);
        self.set_fresh(b, no);
        self.step_code(b, (t, t_step), no)
    }
}

impl Jit {
    /// Compiles the whole-run loop for `method`; `None` when the program's runs are not
    /// [`plain`] or a Runge–Kutta method has no compiled stages.
    pub(super) fn whole_run(&mut self, method: Method, callees: &Callees) -> Option<FuncId> {
        if !plain(callees.prog) || (method != Method::Euler && callees.stages.is_none()) {
            return None;
        }
        let sig = self.signature(&[PTR, PTR], Some(types::I64));
        self.define(sig, |b, params, jit| {
            let f = MemFlagsData::trusted();
            let (s, args) = (params[0], params[1]);
            let lp = Loop::enter(b, (s, args), callees, jit);
            let rows = Rows::enter(b, args);
            let start = b.ins().load(types::F64, f, args, field!(RunArgs, start));
            let steps = b.ins().load(types::I64, f, args, field!(RunArgs, steps));
            let step = b.declare_var(types::I64);
            let zero = b.ins().iconst(types::I64, 0);
            b.def_var(step, zero);
            let (head, save, after, advance, done) = (
                b.create_block(),
                b.create_block(),
                b.create_block(),
                b.create_block(),
                b.create_block(),
            );
            b.ins().jump(head, &[]);

            // The step's first evaluation, at `t = start + step·dt`.
            b.switch_to_block(head);
            let k = b.use_var(step);
            let kf = b.ins().fcvt_from_uint(types::F64, k);
            let at = b.ins().fmul(kf, lp.dt);
            let t = b.ins().fadd(start, at);
            b.ins()
                .store(f, t, s, super::emit::off(crate::compile::program::TIME));
            b.ins().store(f, t, lp.step_time, 0);
            b.ins().store(f, t, lp.step_ctx, field!(Ctx, step_time));
            b.ins().store(f, t, lp.report_ctx, field!(Ctx, step_time));
            let fresh = b.ins().icmp_imm_s(IntCC::NotEqual, k, 0);
            lp.set_fresh(b, fresh);
            // Still what the slots hold when the stocks move: the row's copy and checks only
            // read them, and the report code writes no flow and no stock.
            let known = lp.step_code(b, (t, t), fresh)?;
            let is_row = rows.is_recorded(b, k);
            b.ins().brif(is_row, save, &[], after, &[]);

            b.switch_to_block(save);
            rows.save(b, &lp, callees, (k, t, fresh), &known)?;
            b.ins().jump(after, &[]);

            b.switch_to_block(after);
            let last = b.ins().icmp(IntCC::Equal, k, steps);
            b.ins().brif(last, done, &[], advance, &[]);

            b.switch_to_block(advance);
            lp.advance(b, method, t, &known)?;
            let k1 = b.ins().iadd_imm_s(k, 1);
            b.def_var(step, k1);
            b.ins().jump(head, &[]);

            b.switch_to_block(done);
            rows.finish(b, &lp, args);
            Some(())
        })
    }
}

impl<'a> Loop<'a> {
    /// Loads what the loop keeps from the arguments, in the entry block.
    fn enter(
        b: &mut FunctionBuilder,
        (s, args): (Value, Value),
        callees: &Callees<'a>,
        jit: &Jit,
    ) -> Loop<'a> {
        let f = MemFlagsData::trusted();
        let arg = |b: &mut FunctionBuilder, ty, at: i32| b.ins().load(ty, f, args, at);
        let step_ctx = arg(b, PTR, field!(RunArgs, step_ctx));
        let inline = (callees.prog.step_code.len() <= INLINE_OPS).then_some(callees.prog);
        // The stocks as the run starts (set before the call), then kept in variables.
        let (mut stock_vars, mut kept_vars) = (Vec::new(), Vec::new());
        let zero = b.ins().f64const(0.0);
        for k in 0..inline.map_or(0, |p| p.stocks.len()) {
            let var = b.declare_var(types::F64);
            let x = b.ins().load(types::F64, f, s, ((RESERVED + k) * 8) as i32);
            b.def_var(var, x);
            stock_vars.push(var);
            // Set by every step's first stage before any read; defined here for the builder.
            let (x0, acc) = (b.declare_var(types::F64), b.declare_var(types::F64));
            b.def_var(x0, zero);
            b.def_var(acc, zero);
            kept_vars.push((x0, acc));
        }
        let nan = b.declare_var(types::I8);
        let no = b.ins().iconst(types::I8, 0);
        b.def_var(nan, no);
        Loop {
            inline,
            stock_vars,
            kept_vars,
            helpers: jit.helpers(b),
            delay_out: b.ins().load(PTR, f, step_ctx, field!(Ctx, delay_out)),
            noise: b.ins().load(PTR, f, step_ctx, field!(Ctx, noise)),
            s,
            step_ctx,
            report_ctx: arg(b, PTR, field!(RunArgs, report_ctx)),
            step_time: arg(b, PTR, field!(RunArgs, step_time)),
            fresh: arg(b, PTR, field!(RunArgs, fresh)),
            x0: arg(b, PTR, field!(RunArgs, x0)),
            acc: arg(b, PTR, field!(RunArgs, acc)),
            dt: arg(b, types::F64, field!(RunArgs, dt)),
            step: import(&jit.module, b, callees.step),
            report: callees.report.map(|id| import(&jit.module, b, id)),
            euler: import(&jit.module, b, callees.euler),
            stages: (callees.stages).map(|ids| ids.map(|id| import(&jit.module, b, id))),
            nan,
        }
    }

    /// The update of the stocks from `t`, as `Simulation::advance`, `known` holding what is
    /// known of the slots after the step's first evaluation.
    fn advance(
        &self,
        b: &mut FunctionBuilder,
        method: Method,
        t: Value,
        known: &Known,
    ) -> Option<()> {
        // Each stage reads the flows of the evaluation just before it.
        let stage = |b: &mut FunctionBuilder, i: usize, h: Value, known: &Known| {
            let st = self.stages?;
            let kind = StocksFn::Stage(Stage::ALL[i]);
            self.stocks(b, (kind, st[i]), &[self.x0, self.acc, h], known)
        };
        let dt = self.dt;
        match method {
            Method::Euler => self.stocks(b, (StocksFn::Euler, self.euler), &[dt], known)?,
            Method::Rk2 => {
                stage(b, 0, dt, known)?;
                let t1 = b.ins().fadd(t, dt);
                let known = self.evaluate_again(b, t1, t)?;
                let half = b.ins().f64const(0.5);
                let half = b.ins().fmul(half, dt);
                stage(b, 1, half, &known)?;
            }
            Method::Rk4 => {
                let half = b.ins().f64const(0.5);
                let half = b.ins().fmul(half, dt);
                let six = b.ins().f64const(6.0);
                let sixth = b.ins().fdiv(dt, six);
                stage(b, 0, half, known)?;
                let mid = b.ins().fadd(t, half);
                let known = self.evaluate_again(b, mid, t)?;
                stage(b, 2, half, &known)?;
                let known = self.evaluate_again(b, mid, t)?;
                stage(b, 2, dt, &known)?;
                let end = b.ins().fadd(t, dt);
                let known = self.evaluate_again(b, end, t)?;
                stage(b, 3, sixth, &known)?;
            }
        }
        Some(())
    }
}

/// The rows being written and the checks of their values.
struct Rows {
    recorded: Value,
    columns: Value,
    width: Value,
    times: Value,
    data: Value,
    /// The next entry of `recorded` and the next row.
    next: Variable,
    row: Variable,
    /// The sum of `x − x` over the values checked so far.
    odd: Variable,
}

impl Rows {
    /// Loads the row buffers from the arguments, in the entry block.
    fn enter(b: &mut FunctionBuilder, args: Value) -> Rows {
        let f = MemFlagsData::trusted();
        let mut arg = |ty, at: i32| b.ins().load(ty, f, args, at);
        let rows = Rows {
            recorded: arg(PTR, field!(RunArgs, recorded)),
            columns: arg(PTR, field!(RunArgs, columns)),
            width: arg(types::I64, field!(RunArgs, width)),
            times: arg(PTR, field!(RunArgs, times)),
            data: arg(PTR, field!(RunArgs, data)),
            next: b.declare_var(types::I64),
            row: b.declare_var(types::I64),
            odd: b.declare_var(types::F64),
        };
        let zero = b.ins().iconst(types::I64, 0);
        b.def_var(rows.next, zero);
        b.def_var(rows.row, zero);
        let none = b.ins().f64const(0.0);
        b.def_var(rows.odd, none);
        rows
    }

    /// Whether step `k` gives a row.
    fn is_recorded(&self, b: &mut FunctionBuilder, k: Value) -> Value {
        let n = b.use_var(self.next);
        let n8 = b.ins().ishl_imm_u(n, 3);
        let at = b.ins().iadd(self.recorded, n8);
        let wanted = b.ins().load(types::I64, MemFlagsData::trusted(), at, 0);
        b.ins().icmp(IntCC::Equal, wanted, k)
    }

    /// A recorded step `k` at time `t` (drawing noise when `fresh`), `known` holding what
    /// the step code left known of the slots: the report code, the check, then the row.
    fn save(
        &self,
        b: &mut FunctionBuilder,
        lp: &Loop,
        callees: &Callees,
        (k, t, fresh): (Value, Value, Value),
        known: &Known,
    ) -> Option<()> {
        let f = MemFlagsData::trusted();
        if let Some(report) = lp.report {
            lp.report_code(b, report, (t, fresh), known)?;
        }
        let first = b.ins().icmp_imm_s(IntCC::Equal, k, 0);
        let (check_first, check_later, write) =
            (b.create_block(), b.create_block(), b.create_block());
        b.ins().brif(first, check_first, &[], check_later, &[]);
        for (block, slots) in [
            (check_first, &callees.first_checks),
            (check_later, &callees.later_checks),
        ] {
            b.switch_to_block(block);
            let mut terms: Vec<Value> = slots
                .iter()
                .map(|&slot| {
                    let x = b.ins().load(types::F64, f, lp.s, (slot * 8) as i32);
                    b.ins().fsub(x, x)
                })
                .collect();
            // Summed pairwise, not in a chain: a chain would hold each row for one
            // addition's latency per checked slot.
            while terms.len() > 1 {
                terms = (terms.chunks(2))
                    .filter_map(|p| p.iter().copied().reduce(|x, y| b.ins().fadd(x, y)))
                    .collect();
            }
            let mut sum = b.use_var(self.odd);
            if let Some(&row) = terms.first() {
                sum = b.ins().fadd(sum, row);
            }
            b.def_var(self.odd, sum);
            b.ins().jump(write, &[]);
        }
        b.switch_to_block(write);
        let r = b.use_var(self.row);
        let r8 = b.ins().ishl_imm_u(r, 3);
        let at = b.ins().iadd(self.times, r8);
        b.ins().store(f, t, at, 0);
        let first_cell = b.ins().imul(r, self.width);
        copy_row(b, lp.s, self.columns, self.width, self.data, first_cell);
        let r1 = b.ins().iadd_imm_s(r, 1);
        b.def_var(self.row, r1);
        let n = b.use_var(self.next);
        let n1 = b.ins().iadd_imm_s(n, 1);
        b.def_var(self.next, n1);
        Some(())
    }

    /// The end of the run: the rows written, or −1 (given up) if a row's check or a NaN
    /// condition would have stopped the general loop (or a NaN condition after the last row,
    /// which it would not have).
    fn finish(&self, b: &mut FunctionBuilder, lp: &Loop, args: Value) {
        let f = MemFlagsData::trusted();
        let nan_condition = b.ins().load(PTR, f, args, field!(RunArgs, nan_condition));
        let met = b.ins().load(types::I8, f, nan_condition, 0);
        let flag = b.use_var(lp.nan);
        let any = b.ins().bor(met, flag);
        let met = b.ins().icmp_imm_s(IntCC::NotEqual, any, 0);
        let sum = b.use_var(self.odd);
        let odd = b.ins().fcmp(FloatCC::Unordered, sum, sum);
        let bad = b.ins().bor(met, odd);
        let (bail, finish) = (b.create_block(), b.create_block());
        b.ins().brif(bad, bail, &[], finish, &[]);
        b.switch_to_block(finish);
        let rows = b.use_var(self.row);
        b.ins().return_(&[rows]);
        b.switch_to_block(bail);
        let gave_up = b.ins().iconst(types::I64, -1);
        b.ins().return_(&[gave_up]);
    }
}

/// Copies slots `columns[0..width]` to `data[first..first + width]`.
fn copy_row(
    b: &mut FunctionBuilder,
    s: Value,
    columns: Value,
    width: Value,
    data: Value,
    first: Value,
) {
    let f = MemFlagsData::trusted();
    let head = b.create_block();
    let body = b.create_block();
    let out = b.create_block();
    b.append_block_param(head, types::I64);
    let zero = b.ins().iconst(types::I64, 0);
    b.ins().jump(head, &[zero.into()]);
    b.switch_to_block(head);
    let i = b.block_params(head)[0];
    let end = b.ins().icmp(IntCC::Equal, i, width);
    b.ins().brif(end, out, &[], body, &[]);
    b.switch_to_block(body);
    let i8 = b.ins().ishl_imm_u(i, 3);
    let at = b.ins().iadd(columns, i8);
    let slot = b.ins().load(types::I64, f, at, 0);
    let byte = b.ins().ishl_imm_u(slot, 3);
    let from = b.ins().iadd(s, byte);
    let x = b.ins().load(types::F64, f, from, 0);
    let cell = b.ins().iadd(first, i);
    let cell = b.ins().ishl_imm_u(cell, 3);
    let to = b.ins().iadd(data, cell);
    b.ins().store(f, x, to, 0);
    let i1 = b.ins().iadd_imm_s(i, 1);
    b.ins().jump(head, &[i1.into()]);
    b.switch_to_block(out);
}

/// Which steps of a whole run on the compiled loop give rows, fixed for the runs of one
/// simulation.
#[derive(Debug, Clone)]
pub(in crate::simulate) struct RowPlan {
    /// The steps that give a row, strictly ascending, then `u64::MAX`.
    recorded: Vec<u64>,
}

impl Default for RowPlan {
    /// No rows.
    fn default() -> RowPlan {
        RowPlan::new(Vec::new())
    }
}

impl RowPlan {
    /// The steps that give a row, ascending.
    pub fn steps(&self) -> impl Iterator<Item = u64> + '_ {
        self.recorded[..self.rows()].iter().copied()
    }

    /// The plan of rows at `steps` (in any order, repeats counted once).
    pub fn new(mut steps: Vec<u64>) -> RowPlan {
        steps.retain(|&s| s != u64::MAX);
        steps.sort_unstable();
        steps.dedup();
        steps.push(u64::MAX);
        RowPlan { recorded: steps }
    }

    /// How many rows a whole run gives.
    pub fn rows(&self) -> usize {
        self.recorded.len().saturating_sub(1)
    }
}

/// The buffers of one whole run besides the slots.
pub(in crate::simulate) struct RunBuffers<'r> {
    /// The Runge–Kutta buffers, one entry per stock.
    pub x0: &'r mut [f64],
    pub acc: &'r mut [f64],
    /// The slots copied into each row.
    pub columns: &'r [usize],
    /// A time per row, and `columns.len()` values per row.
    pub times: &'r mut [f64],
    pub data: &'r mut [f64],
}

impl NativeCode {
    /// Whether there is a compiled whole-run loop for `method`.
    pub(in crate::simulate) fn has_whole_run(&self, method: Method) -> bool {
        self.whole[method as usize].is_some()
    }

    /// Runs the whole run of `method` from the present state (initialised, the step at
    /// `start`) to step `steps` on the compiled loop, writing each recorded row's time and
    /// columns; the number of rows, or `None` when there is no compiled loop for `method`
    /// or it gave up (the run must then be run again on the general loop).
    ///
    /// # Panics
    ///
    /// When a buffer is shorter than `plan` needs, a column is not a slot, or (as [`NativeCode::exec`]) the code, slots and machine do not
    /// fit.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::simulate) fn run_whole(
        &self,
        method: Method,
        checked: Checked,
        s: &mut [f64],
        m: &mut Machine,
        (start, dt, steps): (f64, f64, usize),
        plan: &RowPlan,
        buf: RunBuffers,
    ) -> Option<usize> {
        let f = self.whole[method as usize]?;
        let width = buf.columns.len();
        let rows = plan.rows();
        assert!(self.fits_checked(checked, s) && self.fits_machine(m));
        assert!(self.fits_stage_buffers(s, buf.x0, buf.acc));
        assert!(buf.times.len() >= rows && buf.data.len() >= rows * width);
        assert!(buf.columns.iter().all(|&c| c < s.len()));
        let m: *mut Machine = m;
        // SAFETY: `m` is a live exclusive reference, used only through these pointers
        // until the call returns.
        let ctx = |code| unsafe {
            Ctx {
                nan: 0,
                step_time: start,
                delay_out: (*m).delay_out.as_ptr(),
                noise: (*m).noise.as_ptr(),
                fresh: 0,
                checked,
                code,
                len: s.len(),
                machine: m,
            }
        };
        let (mut step_ctx, mut report_ctx) = (ctx(Code::Step), ctx(Code::Report));
        // SAFETY: as above.
        let mut args = unsafe {
            RunArgs {
                step_ctx: &mut step_ctx,
                report_ctx: &mut report_ctx,
                step_time: &raw mut (*m).step_time,
                fresh: &raw mut (*m).fresh,
                nan_condition: &raw mut (*m).nan_condition,
                x0: buf.x0.as_mut_ptr(),
                acc: buf.acc.as_mut_ptr(),
                start,
                dt,
                steps: steps as u64,
                recorded: plan.recorded.as_ptr(),
                columns: buf.columns.as_ptr(),
                width: width as u64,
                times: buf.times.as_mut_ptr(),
                data: buf.data.as_mut_ptr(),
            }
        };
        // SAFETY: just checked: the code fits the program, slots and machine; the loop writes
        // at most `rows` rows (one per recorded step, the list ascending and ended), each
        // within `times` and `data`; it reads the columns, all below `s.len()`, the
        // program's own slots (validated when compiled), and the stage buffers of one entry per stock; nothing resizes the machine's buffers
        // during the call.
        let written = unsafe { f(s.as_mut_ptr(), &mut args) };
        usize::try_from(written).ok()
    }
}
