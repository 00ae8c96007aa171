//! The native engine: a program's step and report code and its stocks' derivatives compiled
//! once to machine code with Cranelift, bit-identical to the evaluator ([`super::vm`]).
//!
//! Arithmetic becomes f64 instructions (IEEE addition, subtraction, multiplication, division
//! and square root round exactly as the evaluator's), jumps become branches, `STEP` and a
//! delay line's output are computed inline from the step's time and the machine's delay
//! outputs; every other instruction calls a small `extern "C"` function that runs the
//! evaluator's own code for that one instruction, so each kind of instruction is covered and
//! any new stateful builtin works unchanged. A program that cannot be translated runs on the
//! evaluator.

use super::vm::{exec, exec_from, Checked, Code, Machine};
use crate::compile::program::{Func1, Func2, Op, Program, Role, Slot, Special, DT, RESERVED};
use crate::model::Method;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, InstBuilder, MemFlagsData, SigRef, Signature, Value,
};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

mod emit;
mod whole_run;
use emit::{Emit, Frame, Helpers};
pub(super) use whole_run::{checked_slots, plain, RowPlan, RunBuffers};
use whole_run::{Callees, RunFn};

/// Which engine evaluates a program's per-step code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The evaluator over register code ([`super::vm`]): the reference.
    Interpreter,
    /// Machine code compiled from the same register code (this module); falls back to the
    /// evaluator for a program it cannot translate.
    Native,
}

impl Engine {
    /// The engine named by the environment variable `SANDTABLE_ENGINE` (`interpreter` or
    /// `native`), read once per process; native when it is unset, with a warning on standard
    /// error when it names neither (a misspelt name must not pass for a comparison).
    pub fn from_env() -> Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        *ENGINE.get_or_init(|| match std::env::var("SANDTABLE_ENGINE").as_deref() {
            Ok("interpreter") => Engine::Interpreter,
            Ok("native") | Err(_) => Engine::Native,
            Ok(other) => {
                eprintln!(
                    "warning: SANDTABLE_ENGINE={other} names no engine (interpreter or native); \
                     using native"
                );
                Engine::Native
            }
        })
    }
}

/// Programs longer than this stay on the evaluator: compiling them would cost more than the
/// runs of a study gain.
const MAX_OPS: usize = 200_000;

/// A compiled code stream: `f(s, ctx)` evaluates the stream over the slot array `s`.
type CodeFn = unsafe extern "C" fn(*mut f64, *mut Ctx) -> ();
/// A Runge–Kutta stage: `f(s, x0, acc, h)` moves every stock as its [`Stage`] says.
type StageFn = unsafe extern "C" fn(*mut f64, *mut f64, *mut f64, f64) -> ();

/// What one stage of a Runge–Kutta step does with each stock `x`, its slope `d` (its inflows
/// less its outflows, from the flows just evaluated), its value at the start of the step
/// `x0` and its accumulator `acc`, for a step `h`; the operations of
/// `Simulation::advance` in the same order, so the same bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `x0 = x; acc = d; x = x0 + h·d`: the first stage of RK2 (`h = dt`) and RK4
    /// (`h = dt/2`).
    First,
    /// `x = x0 + h·(acc + d)`: RK2's second stage (`h = dt/2`, `acc` the first slope).
    Rk2Last,
    /// `acc = acc + 2·d; x = x0 + h·d`: RK4's second (`h = dt/2`) and third (`h = dt`).
    Rk4Mid,
    /// `acc = acc + d; x = x0 + h·acc`: RK4's last stage (`h = dt/6`).
    Rk4Last,
}

impl Stage {
    const ALL: [Stage; 4] = [Stage::First, Stage::Rk2Last, Stage::Rk4Mid, Stage::Rk4Last];

    /// The stage's update of one stock, as the evaluator's engine runs it.
    #[inline(always)]
    pub fn update(self, h: f64, d: f64, x: &mut f64, x0: &mut f64, acc: &mut f64) {
        match self {
            Stage::First => {
                (*x0, *acc) = (*x, d);
                *x = *x0 + h * d;
            }
            Stage::Rk2Last => *x = *x0 + h * (*acc + d),
            Stage::Rk4Mid => {
                *acc += 2.0 * d;
                *x = *x0 + h * d;
            }
            Stage::Rk4Last => {
                *acc += d;
                *x = *x0 + h * *acc;
            }
        }
    }
}

/// Which function over the stocks [`Jit::stocks`] builds.
#[derive(Clone, Copy)]
enum StocksFn {
    Euler,
    Stage(Stage),
}
/// The Euler stage: `f(s, dt)` moves every stock by `dt` times its derivative.
type EulerFn = unsafe extern "C" fn(*mut f64, f64) -> ();

/// What the compiled code of one evaluation sees besides the slots: the evaluator's state
/// for the instructions it calls out to, and the NaN-condition flag it sets itself.
#[repr(C)]
struct Ctx<'a> {
    /// Set to 1 when a jump or a safe division met a NaN condition.
    nan: u8,
    /// [`Machine::step_time`], read by `STEP`.
    step_time: f64,
    /// [`Machine::delay_out`], at least [`NativeCode::delay_lines`] entries.
    delay_out: *const f64,
    /// [`Machine::noise`], at least [`NativeCode::noise_states`] entries.
    noise: *const f64,
    /// 1 when [`Machine::fresh`]: noise is drawn (by the evaluator), else read as held.
    fresh: u8,
    /// The program (validated), for the evaluator's code of a called-out instruction.
    checked: Checked<'a>,
    /// Which stream is running.
    code: Code,
    /// Length of the slot array.
    len: usize,
    /// The run's state.
    machine: *mut Machine,
}

/// The native code of one program, shared read-only by every run and thread.
pub struct NativeCode {
    /// The copies of the code it was compiled from, to check it still fits the program.
    step_code: Vec<Op>,
    report_code: Vec<Op>,
    rate_slots: Vec<Slot>,
    rate_ends: Vec<(u32, u32)>,
    slot_count: usize,
    /// How many delay outputs the code reads (one more than the highest line it names).
    delay_lines: usize,
    /// How many held noise values the code reads (one more than the highest state it names).
    noise_states: usize,
    step: CodeFn,
    report: CodeFn,
    /// The Runge–Kutta stages in the order of [`Stage::ALL`]; None when a flow slot is a
    /// stock's: the evaluator's stage then sees the stocks moved before it, which the
    /// compiled stages (reading each flow once) might not.
    stages: Option<[StageFn; 4]>,
    euler: EulerFn,
    /// The compiled whole-run loops by [`crate::model::Method`] (see [`whole_run`]).
    whole: [Option<RunFn>; 3],
    /// Owns the executable memory the functions live in; freed on drop.
    module: Option<JITModule>,
}

// SAFETY: after `finalize_definitions` the module's code and data are never written again;
// `NativeCode` offers only calls of the finished functions (which keep no state of their own)
// through `&self`, and frees the module only in `drop`, when no other reference exists.
unsafe impl Send for NativeCode {}
// SAFETY: as for `Send`: shared use is calling immutable machine code.
unsafe impl Sync for NativeCode {}

impl Drop for NativeCode {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: the function pointers into this memory are fields of `self`, which is
            // being dropped; no copy of them escapes `NativeCode`'s methods.
            unsafe { module.free_memory() };
        }
    }
}

impl std::fmt::Debug for NativeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeCode")
            .field("step_ops", &self.step_code.len())
            .field("report_ops", &self.report_code.len())
            .finish()
    }
}

impl NativeCode {
    /// The native code of `prog`, compiled on first use and kept with the program (see
    /// [`Program::attached`]) for every later run and thread; `None` when the program cannot
    /// be translated.
    pub fn of(prog: &Program) -> Option<Arc<NativeCode>> {
        let mut cache = prog.attached.lock();
        if let Some(native) = cache
            .as_ref()
            .and_then(|a| a.clone().downcast::<NativeCode>().ok())
        {
            if native.fits(prog) {
                return Some(native);
            }
        }
        let native = Arc::new(NativeCode::compile(prog)?);
        *cache = Some(native.clone());
        Some(native)
    }

    /// Whether this code was compiled from `prog`'s present code (a program's public fields
    /// may have been changed since).
    fn fits(&self, prog: &Program) -> bool {
        self.slot_count == prog.slot_count()
            && self.step_code == prog.step_code
            && self.report_code == prog.report_code
            && self.rate_slots == prog.rate_slots
            && self.rate_ends == prog.rate_ends
    }

    /// Compiles `prog`, or `None` when it cannot be translated.
    pub fn compile(prog: &Program) -> Option<NativeCode> {
        Checked::new(prog).ok()?;
        let n = prog.slot_count();
        if n.checked_mul(8).is_none_or(|b| b > i32::MAX as usize)
            || prog.step_code.len() + prog.report_code.len() > MAX_OPS
        {
            return None;
        }
        let (delay_lines, noise_states) = state_counts(prog)?;
        let mut jit = Jit::new()?;
        let step = jit.code(&prog.step_code, &prog.specials)?;
        let report = jit.code(&prog.report_code, &prog.specials)?;
        let stocks = RESERVED as Slot..(RESERVED + prog.stocks.len()) as Slot;
        let stages = match prog.rate_slots.iter().any(|f| stocks.contains(f)) {
            true => None,
            false => {
                let mut ids = Vec::with_capacity(4);
                for stage in Stage::ALL {
                    ids.push(jit.stocks(prog, StocksFn::Stage(stage))?);
                }
                Some(ids)
            }
        };
        let euler = jit.stocks(prog, StocksFn::Euler)?;
        let callees = Callees {
            prog,
            step,
            report: (!prog.report_code.is_empty()).then_some(report),
            euler,
            stages: stages.as_ref().map(|ids| [ids[0], ids[1], ids[2], ids[3]]),
            first_checks: whole_run::checked_slots(prog, |_| true),
            later_checks: whole_run::checked_slots(prog, |c| c.role != Role::Constant),
        };
        let methods = [Method::Euler, Method::Rk2, Method::Rk4];
        let whole = methods.map(|method| jit.whole_run(method, &callees));
        jit.module.finalize_definitions().ok()?;
        let module = jit.module;
        let addr = |id| module.get_finalized_function(id);
        // SAFETY: each function was built with exactly the signature of the type it is cast to
        // (`Jit::code` and `Jit::stocks`), in the host's default calling convention.
        // SAFETY: each stage was built with the signature of `StageFn` (`Jit::stocks`).
        let stage = |id| unsafe { std::mem::transmute::<*const u8, StageFn>(addr(id)) };
        let stages = stages.map(|ids| [stage(ids[0]), stage(ids[1]), stage(ids[2]), stage(ids[3])]);
        // SAFETY: as above.
        let (step, report, euler) = unsafe {
            (
                std::mem::transmute::<*const u8, CodeFn>(addr(step)),
                std::mem::transmute::<*const u8, CodeFn>(addr(report)),
                std::mem::transmute::<*const u8, EulerFn>(addr(euler)),
            )
        };
        // SAFETY: each loop was built with the signature of `RunFn` (`Jit::whole_run`).
        let whole = whole
            .map(|id| id.map(|id| unsafe { std::mem::transmute::<*const u8, RunFn>(addr(id)) }));
        Some(NativeCode {
            step_code: prog.step_code.clone(),
            report_code: prog.report_code.clone(),
            rate_slots: prog.rate_slots.clone(),
            rate_ends: prog.rate_ends.clone(),
            slot_count: n,
            delay_lines,
            noise_states,
            step,
            report,
            stages,
            euler,
            whole,
            module: Some(module),
        })
    }

    /// Runs code stream `code` (the step or report code; the others on the evaluator) over
    /// `s`, with the same effects as [`exec`].
    ///
    /// # Panics
    ///
    /// When `checked` is not the program this code was compiled from, `s` is not exactly
    /// its slot array size, or `m` has fewer delay outputs or noise states than the code
    /// reads.
    #[inline(always)]
    pub fn exec(&self, checked: Checked, code: Code, s: &mut [f64], m: &mut Machine) {
        assert!(
            self.fits_checked(checked, s),
            "native code of another program"
        );
        assert!(
            self.fits_machine(m),
            "a machine without the program's delay outputs or noise states"
        );
        // SAFETY: just checked.
        unsafe { self.exec_fitted(checked, code, s, m) }
    }

    /// Whether `m` has the delay outputs and noise states this code reads. A run's loop
    /// checks it once: the buffers are sized when a run starts and keep their lengths
    /// through it.
    #[inline]
    pub(super) fn fits_machine(&self, m: &Machine) -> bool {
        m.delay_out.len() >= self.delay_lines && m.noise.len() >= self.noise_states
    }

    /// [`NativeCode::exec`] without its check, for a caller that made it once for a whole
    /// run: a run's loop calls the step code hundreds of times with the same program and slot
    /// array.
    ///
    /// # Safety
    ///
    /// `checked` is the program this code was compiled from, and `s` has exactly its slot
    /// count: [`NativeCode::fits_checked`] holds; so does [`NativeCode::fits_machine`].
    // Always inlined: the evaluator's streams are out of line, so this is a few loads, a
    // check and the call.
    #[inline(always)]
    pub(super) unsafe fn exec_fitted(
        &self,
        checked: Checked,
        code: Code,
        s: &mut [f64],
        m: &mut Machine,
    ) {
        debug_assert!(self.fits_checked(checked, s));
        let f = match code {
            // The initial pass reads delays' initial values, not their outputs.
            _ if m.initializing => return on_evaluator(checked, code, s, m),
            Code::Step => self.step,
            Code::Report => self.report,
            Code::Init | Code::Invariant => return on_evaluator(checked, code, s, m),
        };
        debug_assert!(self.fits_machine(m));
        let mut ctx = Ctx {
            nan: 0,
            step_time: m.step_time,
            delay_out: m.delay_out.as_ptr(),
            noise: m.noise.as_ptr(),
            fresh: m.fresh.into(),
            checked,
            code,
            len: s.len(),
            machine: m,
        };
        // SAFETY: `s` has the slot count the code was compiled for, and every slot the code
        // names passed validation against that count; the code reads `delay_out` below
        // `delay_lines` and `noise` below `noise_states`, which the caller guarantees, and
        // reads `noise` only when the evaluator writes none (not fresh); nothing resizes
        // either during the call; `ctx` lives through the call and its pointers are to `s`'s
        // owner's state, unused by the caller meanwhile.
        unsafe { f(s.as_mut_ptr(), &mut ctx) };
        m.nan_condition |= ctx.nan != 0;
    }

    /// Runs Runge–Kutta stage `stage` with step `h` over the stocks of `s` and the per-stock
    /// buffers `x0` and `acc`, each stock's slope being its inflows' sum less its outflows,
    /// summed in order (as [`super::vm::update_stocks`] with
    /// [`Stage::update`]); false (and nothing written) when the stage must run on the
    /// evaluator because a flow slot is a stock's.
    ///
    /// # Panics
    ///
    /// When `s` is not of the program's size or a buffer has not one entry per stock.
    #[inline]
    pub fn stage(
        &self,
        stage: Stage,
        s: &mut [f64],
        x0: &mut [f64],
        acc: &mut [f64],
        h: f64,
    ) -> bool {
        assert!(self.fits_stage_buffers(s, x0, acc));
        // SAFETY: just checked.
        unsafe { self.stage_fitted(stage, s, x0, acc, h) }
    }

    /// Whether `s` is the program's slot array and `x0` and `acc` have one entry per stock.
    #[inline]
    fn fits_stage_buffers(&self, s: &[f64], x0: &[f64], acc: &[f64]) -> bool {
        let n = self.rate_ends.len();
        s.len() == self.slot_count && x0.len() == n && acc.len() == n
    }

    /// [`NativeCode::stage`] without its check of the buffers' lengths.
    ///
    /// # Safety
    ///
    /// `s` has exactly the slot count of the program this code was compiled from, and `x0`
    /// and `acc` one entry per stock.
    #[inline]
    pub(super) unsafe fn stage_fitted(
        &self,
        stage: Stage,
        s: &mut [f64],
        x0: &mut [f64],
        acc: &mut [f64],
        h: f64,
    ) -> bool {
        debug_assert!(self.fits_stage_buffers(s, x0, acc));
        let Some(stages) = &self.stages else {
            return false;
        };
        let f = stages[stage as usize];
        // SAFETY: the code reads flow slots and writes stock slots below `slot_count`, and
        // reads and writes `x0[..n]` and `acc[..n]`, n the stock count; the caller
        // guarantees the lengths.
        unsafe { f(s.as_mut_ptr(), x0.as_mut_ptr(), acc.as_mut_ptr(), h) };
        true
    }

    /// One Euler stage, as [`super::vm::euler_stage`].
    ///
    /// # Panics
    ///
    /// When `s` is not of the program's size.
    #[inline]
    pub fn euler(&self, s: &mut [f64], dt: f64) {
        assert_eq!(s.len(), self.slot_count);
        // SAFETY: just checked.
        unsafe { self.euler_fitted(s, dt) }
    }

    /// [`NativeCode::euler`] without its check of `s`'s length.
    ///
    /// # Safety
    ///
    /// `s` has exactly the slot count of the program this code was compiled from.
    #[inline]
    pub(super) unsafe fn euler_fitted(&self, s: &mut [f64], dt: f64) {
        debug_assert_eq!(s.len(), self.slot_count);
        // SAFETY: the code reads flow slots and writes stock slots, all below `slot_count`,
        // which the caller guarantees `s` has.
        unsafe { (self.euler)(s.as_mut_ptr(), dt) }
    }

    /// A cheap check that `checked` is the program of this code: same slot array and code
    /// lengths (the full check is made when the code is taken from the program's cache).
    #[inline]
    pub(super) fn fits_checked(&self, checked: Checked, s: &[f64]) -> bool {
        let prog = checked.program();
        s.len() == self.slot_count
            && prog.slot_count() == self.slot_count
            && prog.step_code.len() == self.step_code.len()
            && prog.report_code.len() == self.report_code.len()
    }
}

/// `d = f(x)` for the unary instruction at `pc` (a function, a table lookup).
///
/// # Safety
///
/// `ctx` is the live context of the running code, and instruction `pc` of its stream exists.
unsafe extern "C" fn call_unary(ctx: *const Ctx, pc: u32, x: f64) -> f64 {
    // SAFETY: guaranteed by the caller.
    let ctx = unsafe { &*ctx };
    let prog = ctx.checked.program();
    match stream(prog, ctx.code)[pc as usize] {
        Op::F1(f, ..) => f.apply(x),
        Op::Lookup(_, t, _) => prog.tables[t as usize].eval(x),
        _ => unreachable!("not a unary instruction"),
    }
}

/// `d = f(a, b)` for the binary instruction at `pc`.
///
/// # Safety
///
/// As [`call_unary`].
unsafe extern "C" fn call_binary(ctx: *const Ctx, pc: u32, a: f64, b: f64) -> f64 {
    // SAFETY: guaranteed by the caller.
    let ctx = unsafe { &*ctx };
    match stream(ctx.checked.program(), ctx.code)[pc as usize] {
        Op::F2(f, ..) => f.apply(a, b),
        _ => unreachable!("not a binary instruction"),
    }
}

/// Runs the instruction at `pc` on the evaluator (stateful builtins and the rest).
///
/// # Safety
///
/// As [`call_unary`], and `s` points to the slot array of `ctx.len` values.
unsafe extern "C" fn call_exec(ctx: *mut Ctx, s: *mut f64, pc: u32) {
    // SAFETY: guaranteed by the caller; the compiled code holds no reference into `s` or the
    // machine across the call (its values are in registers, written through to `s`).
    let (ctx, s) = unsafe { (&mut *ctx, std::slice::from_raw_parts_mut(s, (*ctx).len)) };
    // SAFETY: `machine` is the caller's `&mut Machine`, unused while the code runs.
    let m = unsafe { &mut *ctx.machine };
    let pc = pc as usize;
    exec_from(ctx.checked, ctx.code, pc, pc + 1, s, m);
}

/// `x ^ y` as the evaluator's [`Func2::Pow`] (the C library's `pow`), without the dispatch.
extern "C" fn pow_f64(x: f64, y: f64) -> f64 {
    Func2::Pow.apply(x, y)
}

/// `EXP` as [`Func1::Exp`].
extern "C" fn exp_f64(x: f64) -> f64 {
    Func1::Exp.apply(x)
}

/// `LN` as [`Func1::Ln`].
extern "C" fn ln_f64(x: f64) -> f64 {
    Func1::Ln.apply(x)
}

/// The function called straight for the one-argument function of discriminant `f`.
fn direct1(f: u8) -> Option<extern "C" fn(f64) -> f64> {
    match f {
        _ if f == Func1::Exp as u8 => Some(exp_f64),
        _ if f == Func1::Ln as u8 => Some(ln_f64),
        _ => None,
    }
}

/// A whole stream on the evaluator: the initial pass and the streams not compiled, kept
/// out of line so that [`NativeCode::exec`] stays small enough to inline.
#[cold]
#[inline(never)]
fn on_evaluator(checked: Checked, code: Code, s: &mut [f64], m: &mut Machine) {
    exec(checked, code, s, m)
}

/// One more than the highest delay line and than the highest noise state the step or report
/// code reads (0 for none); `None` when a line is missing from the program (the evaluator
/// would fail there) or an offset would not fit an instruction.
fn state_counts(prog: &Program) -> Option<(usize, usize)> {
    let (mut lines, mut states) = (0, 0);
    for op in prog.step_code.iter().chain(&prog.report_code) {
        let Op::Special(_, k) = *op else { continue };
        match prog.specials.get(k as usize) {
            Some(Special::Delay(line)) => lines = lines.max(*line as usize + 1),
            Some(
                Special::Uniform { state, .. }
                | Special::Normal { state, .. }
                | Special::Pink { state, .. },
            ) => states = states.max(*state as usize + 1),
            _ => {}
        }
    }
    let fits = |n: usize| n * 8 <= i32::MAX as usize;
    (lines <= prog.delays.len() && fits(lines) && fits(states)).then_some((lines, states))
}

fn stream(prog: &Program, code: Code) -> &[Op] {
    match code {
        Code::Init => &prog.init_code,
        Code::Invariant => &prog.invariant_code,
        Code::Step => &prog.step_code,
        Code::Report => &prog.report_code,
    }
}

/// The module being filled and what building a function needs.
struct Jit {
    module: JITModule,
    fctx: FunctionBuilderContext,
    count: usize,
}

const PTR: types::Type = types::I64;

impl Jit {
    fn new() -> Option<Jit> {
        if usize::BITS != 64 {
            return None;
        }
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").ok()?;
        let isa = cranelift_native::builder()
            .ok()?
            .finish(settings::Flags::new(flags))
            .ok()?;
        let builder = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
        Some(Jit {
            module: JITModule::new(builder),
            fctx: FunctionBuilderContext::new(),
            count: 0,
        })
    }

    fn signature(&self, params: &[types::Type], ret: Option<types::Type>) -> Signature {
        let mut sig = self.module.make_signature();
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.extend(ret.map(AbiParam::new));
        sig
    }

    /// Declares and defines a function of signature `sig` whose body `body` builds.
    fn define(
        &mut self,
        sig: Signature,
        body: impl FnOnce(&mut FunctionBuilder, &[Value], &Jit) -> Option<()>,
    ) -> Option<cranelift_module::FuncId> {
        self.count += 1;
        let name = format!("f{}", self.count);
        let id = (self.module)
            .declare_function(&name, Linkage::Local, &sig)
            .ok()?;
        let mut ctx = self.module.make_context();
        ctx.func.signature = sig;
        let mut fctx = std::mem::take(&mut self.fctx);
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let params = b.block_params(entry).to_vec();
            body(&mut b, &params, self)?;
            b.seal_all_blocks();
            b.finalize(self.module.target_config());
        }
        self.fctx = fctx;
        self.module.define_function(id, &mut ctx).ok()?;
        self.module.clear_context(&mut ctx);
        Some(id)
    }

    /// Compiles one code stream, whose builtins are `specials`, into a [`CodeFn`].
    fn code(&mut self, ops: &[Op], specials: &[Special]) -> Option<cranelift_module::FuncId> {
        let sig = self.signature(&[PTR, PTR], None);
        self.define(sig, |b, params, jit| {
            let helpers = jit.helpers(b);
            let frame = Frame::of_ctx(b, params[0], params[1]);
            let mut e = Emit::new(b, frame, specials, helpers);
            e.stream(ops)?;
            e.finish();
            Some(())
        })
    }

    /// Imports the helpers' signatures into the function `b` builds.
    fn helpers(&self, b: &mut FunctionBuilder) -> Helpers {
        let mut import =
            |params: &[types::Type], ret| b.import_signature(self.signature(params, ret));
        Helpers {
            unary: import(&[PTR, types::I32, types::F64], Some(types::F64)),
            binary: import(&[PTR, types::I32, types::F64, types::F64], Some(types::F64)),
            exec: import(&[PTR, PTR, types::I32], None),
            pure1: import(&[types::F64], Some(types::F64)),
            pure2: import(&[types::F64, types::F64], Some(types::F64)),
        }
    }

    /// Compiles the Euler stage (a [`EulerFn`]) or a Runge–Kutta stage (a [`StageFn`]).
    fn stocks(&mut self, prog: &Program, kind: StocksFn) -> Option<cranelift_module::FuncId> {
        let sig = match kind {
            StocksFn::Euler => self.signature(&[PTR, types::F64], None),
            StocksFn::Stage(_) => self.signature(&[PTR, PTR, PTR, types::F64], None),
        };
        self.define(sig, |b, params, _| {
            emit_stocks(b, prog, (kind, params, None), &HashMap::new())?;
            b.ins().return_(&[]);
            Some(())
        })
    }
}

impl Frame {
    /// The frame of slot array `s` and context `ctx`, its fields loaded here (in the entry
    /// block, which every block of the function follows).
    fn of_ctx(b: &mut FunctionBuilder, s: Value, ctx: Value) -> Frame {
        let flags = MemFlagsData::trusted();
        let mut load = |ty, at: usize| b.ins().load(ty, flags, ctx, at as i32);
        Frame {
            s,
            ctx,
            step_time: load(types::F64, std::mem::offset_of!(Ctx, step_time)),
            delay_out: load(PTR, std::mem::offset_of!(Ctx, delay_out)),
            noise: load(PTR, std::mem::offset_of!(Ctx, noise)),
            fresh: load(types::I8, std::mem::offset_of!(Ctx, fresh)),
        }
    }
}

/// Emits the Euler stage or a Runge–Kutta stage over the stocks, `params` being the
/// function's: `s` and `dt` ([`EulerFn`]) or `s`, `x0`, `acc` and `h` ([`StageFn`]); the
/// stocks' new values, also stored. With `vars`, a stage keeps each stock's `x0` and `acc`
/// in those variables (one pair per stock) rather than in the buffers, which it then
/// ignores.
///
/// `known` holds values of slots equal to what the slot array holds now, read instead of
/// it. Flows are taken from it only when no flow is a stock (else a flow read after an
/// earlier stock moved must see the move, as on the evaluator).
fn emit_stocks(
    b: &mut FunctionBuilder,
    prog: &Program,
    (kind, params, vars): (StocksFn, &[Value], Option<&KeptVars>),
    known: &HashMap<Slot, Value>,
) -> Option<Vec<Value>> {
    let s = params[0];
    let flags = MemFlagsData::trusted();
    let stocks = RESERVED as Slot..(RESERVED + prog.stocks.len()) as Slot;
    let flows_known = !prog.rate_slots.iter().any(|f| stocks.contains(f));
    let load = |b: &mut FunctionBuilder, slot: usize| {
        let kept = known.get(&(slot as Slot)).filter(|_| flows_known);
        kept.copied()
            .unwrap_or_else(|| b.ins().load(types::F64, flags, s, (slot * 8) as i32))
    };
    let mut moved = Vec::with_capacity(prog.stocks.len());
    let mut start = 0usize;
    // Stock after stock, reading every flow from memory, as the evaluator does.
    for (k, &(mid, end)) in prog.rate_ends.iter().enumerate() {
        let (mid, end) = (mid as usize, end as usize);
        if start > mid || mid > end || end > prog.rate_slots.len() {
            return None;
        }
        // From the first term, as `vm::derivative`: `in1 + … − out1 − …`, `−out1 − …`, or 0.
        let mut d = None;
        for (i, &f) in prog.rate_slots[start..end].iter().enumerate() {
            let v = load(b, f as usize);
            let inflow = start + i < mid;
            d = Some(match (d, inflow) {
                (None, true) => v,
                (None, false) => b.ins().fneg(v),
                (Some(d), true) => b.ins().fadd(d, v),
                (Some(d), false) => b.ins().fsub(d, v),
            });
        }
        let d = d.unwrap_or_else(|| b.ins().f64const(0.0));
        let off = ((RESERVED + k) * 8) as i32;
        // Only stock `k`'s own store below writes its slot: a known value is still current.
        let x = match known.get(&((RESERVED + k) as Slot)) {
            Some(&x) => x,
            None => b.ins().load(types::F64, flags, s, off),
        };
        let x = match kind {
            StocksFn::Euler => {
                let step = b.ins().fmul(params[1], d);
                b.ins().fadd(x, step)
            }
            StocksFn::Stage(stage) => {
                let kept = match vars {
                    Some(vars) => Kept::Vars(*vars.get(k)?),
                    None => Kept::Memory(params[1], params[2], (k * 8) as i32),
                };
                stage_update(b, stage, (kept, params[3]), d, x)
            }
        };
        b.ins().store(flags, x, s, off);
        moved.push(x);
        start = end;
    }
    Some(moved)
}

/// Each stock's `x0` and `acc` variables, in stock order (see [`Kept::Vars`]).
type KeptVars = [(Variable, Variable)];

/// Where a Runge–Kutta step keeps a stock's value at the step's start (`x0`) and its
/// slope accumulator (`acc`).
#[derive(Clone, Copy)]
enum Kept {
    /// In the buffers `x0` and `acc`, at a byte offset (the stage functions).
    Memory(Value, Value, i32),
    /// In two variables (the compiled whole-run loop).
    Vars((Variable, Variable)),
}

impl Kept {
    fn x0(self, b: &mut FunctionBuilder) -> Value {
        match self {
            Kept::Memory(x0p, _, at) => b.ins().load(types::F64, MemFlagsData::trusted(), x0p, at),
            Kept::Vars((x0, _)) => b.use_var(x0),
        }
    }

    fn acc(self, b: &mut FunctionBuilder) -> Value {
        match self {
            Kept::Memory(_, accp, at) => {
                b.ins().load(types::F64, MemFlagsData::trusted(), accp, at)
            }
            Kept::Vars((_, acc)) => b.use_var(acc),
        }
    }

    fn set_x0(self, b: &mut FunctionBuilder, v: Value) {
        match self {
            Kept::Memory(x0p, _, at) => {
                b.ins().store(MemFlagsData::trusted(), v, x0p, at);
            }
            Kept::Vars((x0, _)) => b.def_var(x0, v),
        }
    }

    fn set_acc(self, b: &mut FunctionBuilder, v: Value) {
        match self {
            Kept::Memory(_, accp, at) => {
                b.ins().store(MemFlagsData::trusted(), v, accp, at);
            }
            Kept::Vars((_, acc)) => b.def_var(acc, v),
        }
    }
}

/// Emits [`Stage::update`] of stock `x` (its new value returned) with slope `d` and step `h`,
/// its `x0` and `acc` kept as `kept` says.
fn stage_update(
    b: &mut FunctionBuilder,
    stage: Stage,
    (kept, h): (Kept, Value),
    d: Value,
    x: Value,
) -> Value {
    match stage {
        Stage::First => {
            kept.set_x0(b, x);
            kept.set_acc(b, d);
            let step = b.ins().fmul(h, d);
            b.ins().fadd(x, step)
        }
        Stage::Rk2Last => {
            let x0 = kept.x0(b);
            let acc = kept.acc(b);
            let sum = b.ins().fadd(acc, d);
            let step = b.ins().fmul(h, sum);
            b.ins().fadd(x0, step)
        }
        Stage::Rk4Mid => {
            let acc = kept.acc(b);
            let two = b.ins().f64const(2.0);
            let twice = b.ins().fmul(two, d);
            let acc = b.ins().fadd(acc, twice);
            kept.set_acc(b, acc);
            let x0 = kept.x0(b);
            let step = b.ins().fmul(h, d);
            b.ins().fadd(x0, step)
        }
        Stage::Rk4Last => {
            let acc = kept.acc(b);
            let acc = b.ins().fadd(acc, d);
            kept.set_acc(b, acc);
            let x0 = kept.x0(b);
            let step = b.ins().fmul(h, acc);
            b.ins().fadd(x0, step)
        }
    }
}

#[cfg(test)]
mod tests;
