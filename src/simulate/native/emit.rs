//! Translation of one code stream into Cranelift instructions: slot loads kept per block,
//! arithmetic, comparisons, `STEP` and delay outputs inline, every other instruction a call
//! out to the evaluator.

use super::*;

/// How the code of one stream reaches its slots and the helpers.
pub(super) struct Emit<'f, 'b> {
    pub(super) b: &'f mut FunctionBuilder<'b>,
    pub(super) s: Value,
    pub(super) ctx: Value,
    /// The program's builtins, which [`Op::Special`] names.
    pub(super) specials: &'f [Special],
    /// [`Ctx::step_time`].
    pub(super) step_time: Value,
    /// [`Ctx::delay_out`].
    pub(super) delay_out: Value,
    /// [`Ctx::noise`].
    pub(super) noise: Value,
    /// [`Ctx::fresh`].
    pub(super) fresh: Value,
    /// The NaN-condition flag, kept in a register and stored at the end.
    pub(super) nan: Variable,
    /// Values of slots known in the current block (every write also goes to memory, so the
    /// array is up to date whenever a helper reads it).
    pub(super) known: HashMap<Slot, Value>,
    /// Results of pure functions called out in the current block, by function and
    /// operands: the same power of the same values (as `cpm`'s for each platform) is
    /// computed once. Exact, the functions being pure.
    pub(super) memo: HashMap<(Pure, Value, Value), Value>,
    pub(super) unary: SigRef,
    pub(super) binary: SigRef,
    pub(super) pure1: SigRef,
    pub(super) pure2: SigRef,
    pub(super) exec: SigRef,
}

/// The signatures of the helpers compiled code calls, imported into one function.
#[derive(Clone, Copy)]
pub(super) struct Helpers {
    pub unary: SigRef,
    pub binary: SigRef,
    pub pure1: SigRef,
    pub pure2: SigRef,
    pub exec: SigRef,
}

/// What a stream's code reads besides its instructions: the slot array, the context, and
/// the context's fields it uses.
#[derive(Clone, Copy)]
pub(super) struct Frame {
    pub s: Value,
    pub ctx: Value,
    pub step_time: Value,
    pub delay_out: Value,
    pub noise: Value,
    pub fresh: Value,
}

/// A pure function called out of the native code, as a key of [`Emit::memo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Pure {
    /// A one-argument function, by its [`Func1`] discriminant.
    F1(u8),
    /// A two-argument function, by its [`Func2`] discriminant.
    F2(u8),
    /// A table lookup, by table index.
    Lookup(u32),
}
impl<'f, 'b> Emit<'f, 'b> {
    /// Starts emitting a stream into `b` at its present block, no NaN condition met yet.
    pub(super) fn new(
        b: &'f mut FunctionBuilder<'b>,
        frame: Frame,
        specials: &'f [Special],
        helpers: Helpers,
    ) -> Emit<'f, 'b> {
        let nan = b.declare_var(types::I8);
        let zero = b.ins().iconst(types::I8, 0);
        b.def_var(nan, zero);
        Emit {
            s: frame.s,
            ctx: frame.ctx,
            specials,
            step_time: frame.step_time,
            delay_out: frame.delay_out,
            noise: frame.noise,
            fresh: frame.fresh,
            nan,
            known: HashMap::new(),
            memo: HashMap::new(),
            unary: helpers.unary,
            binary: helpers.binary,
            pure1: helpers.pure1,
            pure2: helpers.pure2,
            exec: helpers.exec,
            b,
        }
    }

    fn get(&mut self, slot: Slot) -> Value {
        if let Some(&v) = self.known.get(&slot) {
            return v;
        }
        let v = (self.b.ins()).load(types::F64, MemFlagsData::trusted(), self.s, off(slot));
        self.known.insert(slot, v);
        v
    }

    fn set(&mut self, slot: Slot, v: Value) {
        (self.b.ins()).store(MemFlagsData::trusted(), v, self.s, off(slot));
        self.known.insert(slot, v);
    }

    /// Starts `block`, forgetting what was known of the slots.
    fn enter(&mut self, block: Block) {
        self.b.switch_to_block(block);
        self.known.clear();
        self.memo.clear();
    }

    fn flag_nan(&mut self, x: Value) {
        let is_nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        let old = self.b.use_var(self.nan);
        let new = self.b.ins().bor(old, is_nan);
        self.b.def_var(self.nan, new);
    }

    /// Calls the function at address `f`; its result, if it has one.
    fn helper(&mut self, sig: SigRef, f: usize, args: &[Value]) -> Option<Value> {
        let callee = self.b.ins().iconst(PTR, f as i64);
        let call = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(call).first().copied()
    }

    /// `d = f(a)` for a function or lookup `key` called out: straight to the function for
    /// `EXP` and `LN`, through [`call_unary`] for the rest; the result of an earlier call of
    /// the same function on the same value in this block is reused.
    fn unary(&mut self, pc: usize, key: Pure, d: Slot, a: Slot) {
        let x = self.get(a);
        let v = match self.memo.get(&(key, x, x)) {
            Some(&v) => v,
            None => {
                let direct = match key {
                    Pure::F1(f) => direct1(f),
                    _ => None,
                };
                let v = match direct {
                    Some(f) => self.helper(self.pure1, f as usize, &[x]),
                    None => {
                        let pc = self.b.ins().iconst(types::I32, pc as i64);
                        let f = call_unary as unsafe extern "C" fn(*const Ctx, u32, f64) -> f64;
                        self.helper(self.unary, f as usize, &[self.ctx, pc, x])
                    }
                };
                let Some(v) = v else { return };
                self.memo.insert((key, x, x), v);
                v
            }
        };
        self.set(d, v);
    }

    /// `d = f(a, b)` for a two-argument function called out: `POW` straight to the
    /// function, the rest through [`call_binary`]; reused within a block as [`Emit::unary`].
    fn binary(&mut self, pc: usize, f: Func2, d: Slot, a: Slot, b: Slot) {
        let (x, y) = (self.get(a), self.get(b));
        let key = Pure::F2(f as u8);
        let v = match self.memo.get(&(key, x, y)) {
            Some(&v) => v,
            None => {
                let v = if f == Func2::Pow {
                    let f = pow_f64 as extern "C" fn(f64, f64) -> f64;
                    self.helper(self.pure2, f as usize, &[x, y])
                } else {
                    let pc = self.b.ins().iconst(types::I32, pc as i64);
                    let f = call_binary as unsafe extern "C" fn(*const Ctx, u32, f64, f64) -> f64;
                    self.helper(self.binary, f as usize, &[self.ctx, pc, x, y])
                };
                let Some(v) = v else { return };
                self.memo.insert((key, x, y), v);
                v
            }
        };
        self.set(d, v);
    }

    /// `d = STEP(height, start)` as the evaluator's: `height` once the step's time (held
    /// through the stages) plus a millionth of `DT` reaches `start`, else 0; the same
    /// operations in the same order.
    fn step(&mut self, d: Slot, height: Slot, start: Slot) {
        let dt = self.get(DT);
        let tiny = self.b.ins().f64const(1e-6);
        let eps = self.b.ins().fmul(dt, tiny);
        let t = self.b.ins().fadd(self.step_time, eps);
        let at = self.get(start);
        let on = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, t, at);
        let h = self.get(height);
        let zero = self.b.ins().f64const(0.0);
        let v = self.b.ins().select(on, h, zero);
        self.set(d, v);
    }

    /// `d` = the output of delay line `line`, outside the initial pass (which
    /// [`NativeCode::exec`] leaves to the evaluator).
    fn delay(&mut self, d: Slot, line: u32) {
        let at = (line as usize * 8) as i32;
        let flags = MemFlagsData::trusted();
        let v = self.b.ins().load(types::F64, flags, self.delay_out, at);
        self.set(d, v);
    }

    /// `d` = held noise `state` (plus slot `mean` for pink noise), as the evaluator gives it
    /// between draws; on a step's first evaluation, when it draws, the evaluator runs it.
    fn noise(&mut self, pc: usize, d: Slot, state: u32, mean: Option<Slot>) {
        // Read before the branch, so that what is known stays valid after the join.
        let mean = mean.map(|m| self.get(m));
        let (draw, held, join) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().brif(self.fresh, draw, &[], held, &[]);
        self.b.switch_to_block(draw);
        self.call_exec(pc, d);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(held);
        let flags = MemFlagsData::trusted();
        let at = (state as usize * 8) as i32;
        let x = self.b.ins().load(types::F64, flags, self.noise, at);
        let v = match mean {
            Some(mean) => self.b.ins().fadd(mean, x),
            None => x,
        };
        self.b.ins().store(flags, v, self.s, off(d));
        self.b.ins().jump(join, &[]);
        // Both ways `d` is in memory and nothing else changed.
        self.b.switch_to_block(join);
        self.known.remove(&d);
    }

    fn call_exec(&mut self, pc: usize, d: Slot) {
        let pcv = self.b.ins().iconst(types::I32, pc as i64);
        let f = call_exec as unsafe extern "C" fn(*mut Ctx, *mut f64, u32);
        self.helper(self.exec, f as usize, &[self.ctx, self.s, pcv]);
        // The evaluator wrote `d` (and only `d`) in memory.
        self.known.remove(&d);
    }

    /// `d = (a op1 b) op2 c`, or `d = a op1 b` without `op2`.
    fn arith(&mut self, d: Slot, a: Slot, b: Slot, op1: Func2, rest: Option<(Func2, Slot)>) {
        let (x, y) = (self.get(a), self.get(b));
        let mut v = self.apply(op1, x, y);
        if let Some((op2, c)) = rest {
            let z = self.get(c);
            v = self.apply(op2, v, z);
        }
        self.set(d, v);
    }

    fn apply(&mut self, op: Func2, x: Value, y: Value) -> Value {
        match op {
            Func2::Add => self.b.ins().fadd(x, y),
            Func2::Sub => self.b.ins().fsub(x, y),
            Func2::Mul => self.b.ins().fmul(x, y),
            _ => self.b.ins().fdiv(x, y),
        }
    }

    /// `vm::min` (`cc` less-than) or `vm::max` (greater-than): NaN when either operand is,
    /// else `y` when `y cc x` holds, else `x` (the first operand on a tie of ±0).
    fn min_max(&mut self, cc: FloatCC, x: Value, y: Value) -> Value {
        let ins = self.b.ins();
        let pick_y = ins.fcmp(cc, y, x);
        let v = self.b.ins().select(pick_y, y, x);
        self.nan_if_unordered(x, y, v)
    }

    /// `v`, or `f64::NAN` (the evaluator's NaN, bit for bit) when `x` or `y` is NaN.
    fn nan_if_unordered(&mut self, x: Value, y: Value, v: Value) -> Value {
        let unordered = self.b.ins().fcmp(FloatCC::Unordered, x, y);
        let nan = self.b.ins().f64const(f64::NAN);
        self.b.ins().select(unordered, nan, v)
    }

    /// 1 when `truth` is set, else 0.
    fn one_or_zero(&mut self, truth: Value) -> Value {
        let one = self.b.ins().f64const(1.0);
        let zero = self.b.ins().f64const(0.0);
        self.b.ins().select(truth, one, zero)
    }

    /// The comparisons and logic of [`Func2::apply`]: 1 or 0, NaN when an operand is NaN.
    fn logic2(&mut self, f: Func2, cc: FloatCC, x: Value, y: Value) -> Value {
        let truth = match f {
            Func2::And | Func2::Or => {
                let zero = self.b.ins().f64const(0.0);
                let p = self.b.ins().fcmp(FloatCC::NotEqual, x, zero);
                let q = self.b.ins().fcmp(FloatCC::NotEqual, y, zero);
                match f {
                    Func2::And => self.b.ins().band(p, q),
                    _ => self.b.ins().bor(p, q),
                }
            }
            _ => self.b.ins().fcmp(cc, x, y),
        };
        let v = self.one_or_zero(truth);
        self.nan_if_unordered(x, y, v)
    }

    /// `INT` (truncation, exact), `NOT` and the positive-and-finite guard, as
    /// [`Func1::apply`].
    fn inline_unary(&mut self, f: Func1, x: Value) -> Value {
        match f {
            Func1::Int => {
                // A NaN keeps its bits, as the C library's `trunc` leaves them (a signalling
                // NaN too, which the processor's rounding would quieten).
                let v = self.b.ins().trunc(x);
                let is_nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
                self.b.ins().select(is_nan, x, v)
            }
            Func1::Not => {
                let zero = self.b.ins().f64const(0.0);
                let is_zero = self.b.ins().fcmp(FloatCC::Equal, x, zero);
                let v = self.one_or_zero(is_zero);
                self.nan_if_unordered(x, x, v)
            }
            _ => {
                // x > 0 and x < ∞: false for NaN, zeros, negatives and +∞.
                let zero = self.b.ins().f64const(0.0);
                let inf = self.b.ins().f64const(f64::INFINITY);
                let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
                let finite = self.b.ins().fcmp(FloatCC::LessThan, x, inf);
                let truth = self.b.ins().band(above, finite);
                self.one_or_zero(truth)
            }
        }
    }

    /// Translates a whole stream, then stores the NaN flag and returns.
    /// Emits `ops` and ends in the block after them, with [`Emit::nan`] holding whether a
    /// NaN condition was met; the caller ends the function or goes on.
    pub(super) fn stream(&mut self, ops: &[Op]) -> Option<()> {
        use Func2::{Add, Div, Mul, Sub};
        let exit = self.b.create_block();
        let mut targets: HashMap<usize, Block> = HashMap::new();
        for op in ops {
            if let Op::Jump(t) | Op::JumpIfZero(_, t) = *op {
                let t = (t as usize).min(ops.len());
                if t < ops.len() {
                    targets.entry(t).or_insert_with(|| self.b.create_block());
                } else {
                    targets.insert(t, exit);
                }
            }
        }
        let mut open = true;
        for (pc, &op) in ops.iter().enumerate() {
            if let Some(&block) = targets.get(&pc) {
                if open {
                    self.b.ins().jump(block, &[]);
                }
                self.enter(block);
                open = true;
            } else if !open {
                // Unreachable code after a jump: give it a block of its own.
                let block = self.b.create_block();
                self.enter(block);
                open = true;
            }
            match op {
                Op::Copy(d, a) => {
                    let v = self.get(a);
                    self.set(d, v);
                }
                Op::Add(d, a, b) => self.arith(d, a, b, Add, None),
                Op::Sub(d, a, b) => self.arith(d, a, b, Sub, None),
                Op::Mul(d, a, b) => self.arith(d, a, b, Mul, None),
                Op::Div(d, a, b) => self.arith(d, a, b, Div, None),
                Op::AddAdd(d, a, b, c) => self.arith(d, a, b, Add, Some((Add, c))),
                Op::AddMul(d, a, b, c) => self.arith(d, a, b, Add, Some((Mul, c))),
                Op::SubMul(d, a, b, c) => self.arith(d, a, b, Sub, Some((Mul, c))),
                Op::SubDiv(d, a, b, c) => self.arith(d, a, b, Sub, Some((Div, c))),
                Op::MulAdd(d, a, b, c) => self.arith(d, a, b, Mul, Some((Add, c))),
                Op::MulSub(d, a, b, c) => self.arith(d, a, b, Mul, Some((Sub, c))),
                Op::MulMul(d, a, b, c) => self.arith(d, a, b, Mul, Some((Mul, c))),
                Op::MulDiv(d, a, b, c) => self.arith(d, a, b, Mul, Some((Div, c))),
                Op::DivMul(d, a, b, c) => self.arith(d, a, b, Div, Some((Mul, c))),
                Op::F2(f @ (Add | Sub | Mul | Div), d, a, b) => self.arith(d, a, b, f, None),
                Op::F1(Func1::Neg, d, a) => {
                    let x = self.get(a);
                    let v = self.b.ins().fneg(x);
                    self.set(d, v);
                }
                Op::F1(Func1::Abs, d, a) => {
                    let x = self.get(a);
                    let v = self.b.ins().fabs(x);
                    self.set(d, v);
                }
                Op::F1(Func1::Sqrt, d, a) => {
                    let x = self.get(a);
                    let v = self.b.ins().sqrt(x);
                    self.set(d, v);
                }
                Op::F1(f @ (Func1::Int | Func1::Not | Func1::PositiveFinite), d, a) => {
                    let x = self.get(a);
                    let v = self.inline_unary(f, x);
                    self.set(d, v);
                }
                Op::F1(f, d, a) => self.unary(pc, Pure::F1(f as u8), d, a),
                Op::Lookup(d, t, a) => self.unary(pc, Pure::Lookup(t), d, a),
                Op::Min(d, a, b) => {
                    let (x, y) = (self.get(a), self.get(b));
                    let v = self.min_max(FloatCC::LessThan, x, y);
                    self.set(d, v);
                }
                Op::Max(d, a, b) => {
                    let (x, y) = (self.get(a), self.get(b));
                    let v = self.min_max(FloatCC::GreaterThan, x, y);
                    self.set(d, v);
                }
                Op::F2(f, d, a, b) => match logic(f) {
                    Some(cc) => {
                        let (x, y) = (self.get(a), self.get(b));
                        let v = self.logic2(f, cc, x, y);
                        self.set(d, v);
                    }
                    None => self.binary(pc, f, d, a, b),
                },
                Op::DivOr(d, a, b, f) => {
                    // Both arms computed, one selected: neither can trap.
                    let (x, y, z) = (self.get(a), self.get(b), self.get(f));
                    self.flag_nan(y);
                    let q = self.b.ins().fdiv(x, y);
                    let zero = self.b.ins().f64const(0.0);
                    let is_zero = self.b.ins().fcmp(FloatCC::Equal, y, zero);
                    let v = self.b.ins().select(is_zero, z, q);
                    self.set(d, v);
                }
                Op::JumpIfZero(c, t) => {
                    let target = targets[&(t as usize).min(ops.len())];
                    let x = self.get(c);
                    self.flag_nan(x);
                    let zero = self.b.ins().f64const(0.0);
                    let take = self.b.ins().fcmp(FloatCC::UnorderedOrEqual, x, zero);
                    let next = self.b.create_block();
                    self.b.ins().brif(take, target, &[], next, &[]);
                    // The fall-through block has one predecessor: what is known stays so.
                    self.b.switch_to_block(next);
                }
                Op::Jump(t) => {
                    let target = targets[&(t as usize).min(ops.len())];
                    self.b.ins().jump(target, &[]);
                    open = false;
                }
                Op::ClampNonNegative(d) => {
                    // `x > 0 ? x : 0`, as `vm::clamp_non_negative` (NaN and −0 give 0).
                    let x = self.get(d);
                    let zero = self.b.ins().f64const(0.0);
                    let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
                    let v = self.b.ins().select(above, x, zero);
                    self.set(d, v);
                }
                Op::Special(d, k) => match self.specials.get(k as usize) {
                    Some(&Special::Step { height, start }) => self.step(d, height, start),
                    Some(&Special::Delay(line)) => self.delay(d, line),
                    Some(&(Special::Uniform { state, .. } | Special::Normal { state, .. })) => {
                        self.noise(pc, d, state, None)
                    }
                    Some(&Special::Pink { mean, state, .. }) => {
                        self.noise(pc, d, state, Some(mean))
                    }
                    _ => self.call_exec(pc, d),
                },
            }
        }
        if open {
            self.b.ins().jump(exit, &[]);
        }
        self.b.switch_to_block(exit);
        // Reached by jumps as well as by falling through, the end knows only what was known
        // before the stream (values defined ahead of it, which every path passed); the caller
        // seeds those again.
        if targets.contains_key(&ops.len()) {
            self.known.clear();
            self.memo.clear();
        }
        Some(())
    }

    /// Ends a [`CodeFn`]: stores the NaN-condition flag in the context and returns.
    pub(super) fn finish(&mut self) {
        let nan = self.b.use_var(self.nan);
        let at = std::mem::offset_of!(Ctx, nan) as i32;
        self.b
            .ins()
            .store(MemFlagsData::trusted(), nan, self.ctx, at);
        self.b.ins().return_(&[]);
    }
}

/// The comparison of a comparison or logic function computed inline (`And` and `Or` compare
/// each operand with zero themselves), or `None` for a function called out.
pub(super) fn logic(f: Func2) -> Option<FloatCC> {
    Some(match f {
        Func2::Lt => FloatCC::LessThan,
        Func2::Le => FloatCC::LessThanOrEqual,
        Func2::Gt => FloatCC::GreaterThan,
        Func2::Ge => FloatCC::GreaterThanOrEqual,
        Func2::Eq => FloatCC::Equal,
        Func2::Ne => FloatCC::NotEqual,
        Func2::And | Func2::Or => FloatCC::NotEqual,
        _ => return None,
    })
}

/// Byte offset of slot `slot` (slot counts are checked to fit in `i32` bytes).
pub(super) fn off(slot: Slot) -> i32 {
    (slot as usize * 8) as i32
}
