//! Code generation: [`Ir`] trees become register instructions over slots, with a literal pool.

use super::ir::{Ir, SpecialIr};
use super::program::{Func2, Op, Slot, Special};
use super::strength;
use std::collections::HashMap;

/// Literal slots are numbered from this mark until relocation puts them after the temporaries.
const LITERAL_MARK: Slot = 1 << 31;

/// Emits instructions for one code stream.
pub struct Emitter<'a> {
    /// Node id → slot.
    pub slot_of: &'a [Slot],
    /// Delay lines referenced by `SpecialIr::Delay`, used as-is.
    pub specials: &'a mut Vec<Special>,
    /// Literal values by bit pattern → literal number.
    pub literals: &'a mut HashMap<u64, Slot>,
    /// Literal values in order.
    pub literal_values: &'a mut Vec<f64>,
    /// First temporary slot.
    pub temp_base: Slot,
    /// Next free temporary.
    pub temp_next: Slot,
    /// Highest temporary count used.
    pub temp_max: Slot,
    /// The code.
    pub code: Vec<Op>,
}

impl<'a> Emitter<'a> {
    /// An emitter with no code yet, taking temporaries from `temp_base` up.
    pub fn new(
        slot_of: &'a [Slot],
        specials: &'a mut Vec<Special>,
        literals: &'a mut HashMap<u64, Slot>,
        literal_values: &'a mut Vec<f64>,
        temp_base: Slot,
    ) -> Emitter<'a> {
        Emitter {
            slot_of,
            specials,
            literals,
            literal_values,
            temp_base,
            temp_next: temp_base,
            temp_max: 0,
            code: Vec::new(),
        }
    }

    /// Emits code computing a node's value into `dest`, clipped at zero for non-negative flows.
    pub fn emit_node(&mut self, ir: &Ir, dest: Slot, non_negative: bool) {
        self.emit_into(ir, dest);
        if non_negative {
            self.code.push(Op::ClampNonNegative(dest));
        }
    }

    /// The code emitted so far, leaving the emitter ready for the next code stream (literals
    /// and the temporary count carry over).
    pub fn take_code(&mut self) -> Vec<Op> {
        self.temp_next = self.temp_base;
        std::mem::take(&mut self.code)
    }

    fn temp(&mut self) -> Slot {
        let t = self.temp_next;
        self.temp_next += 1;
        self.temp_max = self.temp_max.max(self.temp_next - self.temp_base);
        t
    }

    fn literal(&mut self, v: f64) -> Slot {
        let n = self.literal_values.len() as Slot;
        *self.literals.entry(v.to_bits()).or_insert_with(|| {
            self.literal_values.push(v);
            LITERAL_MARK + n
        })
    }

    /// A slot holding the value of `ir`, computing it into a temporary when needed.
    fn operand(&mut self, ir: &Ir) -> Slot {
        match ir {
            Ir::Const(v) => self.literal(*v),
            Ir::Ref(id) => self.slot_of[*id as usize],
            _ => {
                let t = self.temp();
                self.emit_into(ir, t);
                t
            }
        }
    }

    /// Emits `a f b` as one fused instruction when one side is `x g y` and the pair (g, f)
    /// has one; returns whether it did. `x` and `y` may be expressions themselves (computed
    /// into temporaries first), so a chain `a·b·c·d·e` takes two fused instructions and one
    /// product instead of four products.
    fn try_fused(&mut self, f: Func2, a: &Ir, b: &Ir, dest: Slot) -> bool {
        // Operands are emitted in source order, so stateful builtins draw in the same order.
        if let Some((make, x, y)) = fusable(a, f) {
            let (x, y) = (self.operand(x), self.operand(y));
            let c = self.operand(b);
            self.code.push(make(dest, x, y, c));
            return true;
        }
        // `c + x·y` is `x·y + c` exactly: IEEE addition and multiplication commute.
        if matches!(f, Func2::Add | Func2::Mul) {
            if let Some((make, x, y)) = fusable(b, f) {
                let c = self.operand(a);
                let (x, y) = (self.operand(x), self.operand(y));
                self.code.push(make(dest, x, y, c));
                return true;
            }
        }
        false
    }

    /// Emits code computing `ir` into slot `dest`.
    pub fn emit_into(&mut self, ir: &Ir, dest: Slot) {
        let mark = self.temp_next;
        match ir {
            Ir::Const(_) | Ir::Ref(_) => {
                let a = self.operand(ir);
                self.code.push(Op::Copy(dest, a));
            }
            Ir::F1(f, a) => {
                let a = self.operand(a);
                self.code.push(Op::F1(*f, dest, a));
            }
            Ir::F2(Func2::Pow, a, k) if strength::integer_power(k).is_some() => {
                // Exactly rounded equivalents of `pow` (see `strength`).
                match strength::integer_power(k) {
                    Some(1) => self.emit_into(a, dest),
                    Some(2) => {
                        let a = self.operand(a);
                        self.code.push(Op::Mul(dest, a, a));
                    }
                    _ => {
                        let a = self.operand(a);
                        let one = self.literal(1.0);
                        self.code.push(Op::Div(dest, one, a));
                    }
                }
            }
            Ir::F2(f, a, b) if self.try_fused(*f, a, b, dest) => {}
            Ir::F2(f, a, b) => {
                let a = self.operand(a);
                let b = self.operand(b);
                self.code.push(match f {
                    Func2::Add => Op::Add(dest, a, b),
                    Func2::Sub => Op::Sub(dest, a, b),
                    Func2::Mul => Op::Mul(dest, a, b),
                    Func2::Div => Op::Div(dest, a, b),
                    Func2::Min => Op::Min(dest, a, b),
                    Func2::Max => Op::Max(dest, a, b),
                    f => Op::F2(*f, dest, a, b),
                });
            }
            Ir::If(c, a, b) if guarded_division(c, a, b).is_some() => {
                if let Some((x, y, fallback)) = guarded_division(c, a, b) {
                    let x = self.operand(x);
                    let y = self.operand(y);
                    let fallback = self.operand(fallback);
                    self.code.push(Op::DivOr(dest, x, y, fallback));
                }
            }
            Ir::If(c, a, b) => {
                let c = self.operand(c);
                let jump_else = self.code.len();
                self.code.push(Op::JumpIfZero(c, 0));
                self.emit_into(a, dest);
                let jump_end = self.code.len();
                self.code.push(Op::Jump(0));
                let else_at = self.code.len() as u32;
                self.emit_into(b, dest);
                let end_at = self.code.len() as u32;
                self.code[jump_else] = Op::JumpIfZero(c, else_at);
                self.code[jump_end] = Op::Jump(end_at);
            }
            Ir::Lookup(t, a) => {
                let a = self.operand(a);
                self.code.push(Op::Lookup(dest, *t, a));
            }
            Ir::Special(s) => {
                let special = match s {
                    SpecialIr::Step(h, t) => Special::Step {
                        height: self.operand(h),
                        start: self.operand(t),
                    },
                    SpecialIr::Pulse(m, f, i) => Special::Pulse {
                        magnitude: self.operand(m),
                        first: self.operand(f),
                        interval: self.operand(i),
                    },
                    SpecialIr::Ramp(s, a, b) => Special::Ramp {
                        slope: self.operand(s),
                        start: self.operand(a),
                        end: self.operand(b),
                    },
                    SpecialIr::Delay(n) => Special::Delay(*n),
                    SpecialIr::Uniform(a, b, state) => Special::Uniform {
                        min: self.operand(a),
                        max: self.operand(b),
                        state: *state,
                    },
                    SpecialIr::Normal(a, b, state) => Special::Normal {
                        mean: self.operand(a),
                        sd: self.operand(b),
                        state: *state,
                    },
                    SpecialIr::Pink(m, s, t, state) => Special::Pink {
                        mean: self.operand(m),
                        sd: self.operand(s),
                        tau: self.operand(t),
                        state: *state,
                    },
                    SpecialIr::History(x, t, buffer) => Special::History {
                        input: self.operand(x),
                        time: self.operand(t),
                        buffer: *buffer,
                    },
                    SpecialIr::Irr(x, init, buffer) => Special::Irr {
                        stream: self.operand(x),
                        initial: self.operand(init),
                        buffer: *buffer,
                    },
                    SpecialIr::Vector(f, n, args) => Special::Vector {
                        f: *f,
                        n: *n,
                        args: args.iter().map(|a| self.operand(a)).collect(),
                    },
                    SpecialIr::Queue {
                        queue,
                        room,
                        inflows,
                        how,
                        overflow_part,
                    } => Special::Queue {
                        queue: self.operand(queue),
                        room: self.operand(room),
                        inflows: inflows.iter().map(|a| self.operand(a)).collect(),
                        how: *how,
                        overflow_part: *overflow_part,
                        // Each call keeps its own batches (an overflow's copy evolves exactly
                        // as its outflow's, from the same inputs).
                        state: self
                            .specials
                            .iter()
                            .filter(|s| s.queue_state().is_some())
                            .count() as u32,
                    },
                    SpecialIr::Element { index, sizes, of } => Special::Element {
                        index: index.iter().map(|a| self.operand(a)).collect(),
                        sizes: sizes.clone().into_boxed_slice(),
                        of: of.iter().map(|a| self.operand(a)).collect(),
                    },
                };
                self.specials.push(special);
                let index = (self.specials.len() - 1) as u32;
                self.code.push(Op::Special(dest, index));
            }
        }
        self.temp_next = mark;
    }
}

/// When `IF c THEN then ELSE otherwise` is `IF y = 0 THEN f ELSE x / y` (how SAFEDIV, XIDZ
/// and ZIDZ are lowered) with `x`, `y` and `f` free of branches and of builtins with state:
/// `x`, `y` and `f`. [`Op::DivOr`] then computes it in one instruction. Such expressions are
/// pure, so computing `y` once instead of twice gives the same value, and computing the
/// operand that is not used changes nothing: it has no condition to flag and draws no noise.
fn guarded_division<'i>(
    c: &'i Ir,
    then: &'i Ir,
    otherwise: &'i Ir,
) -> Option<(&'i Ir, &'i Ir, &'i Ir)> {
    match (c, otherwise) {
        (Ir::F2(Func2::Eq, y, zero), Ir::F2(Func2::Div, x, y2))
            if matches!(**zero, Ir::Const(z) if z == 0.0)
                && y == y2
                && straight(y)
                && straight(x)
                && straight(then) =>
        {
            Some((x, y, then))
        }
        _ => None,
    }
}

/// Whether `ir` has no branch and no builtin with state.
fn straight(ir: &Ir) -> bool {
    match ir {
        Ir::Const(_) | Ir::Ref(_) => true,
        Ir::F1(_, a) | Ir::Lookup(_, a) => straight(a),
        Ir::F2(_, a, b) => straight(a) && straight(b),
        Ir::If(..) | Ir::Special(_) => false,
    }
}

/// Constructor of a four-slot instruction.
type MakeOp4 = fn(Slot, Slot, Slot, Slot) -> Op;

/// The fused instruction for `(x g y) outer c`, with `x` and `y`.
type Fusable<'i> = (MakeOp4, &'i Ir, &'i Ir);

/// When `ir` is `x g y` and the pair (g, outer) has a fused instruction: that instruction,
/// `x` and `y`.
fn fusable(ir: &Ir, outer: Func2) -> Option<Fusable<'_>> {
    match ir {
        Ir::F2(g, x, y) => fused(*g, outer).map(|make| (make, &**x, &**y)),
        _ => None,
    }
}

/// The instruction computing `(x inner y) outer c`, if there is one.
fn fused(inner: Func2, outer: Func2) -> Option<MakeOp4> {
    use Func2::{Add, Div, Mul, Sub};
    Some(match (inner, outer) {
        (Add, Add) => Op::AddAdd,
        (Add, Mul) => Op::AddMul,
        (Sub, Mul) => Op::SubMul,
        (Sub, Div) => Op::SubDiv,
        (Mul, Add) => Op::MulAdd,
        (Mul, Sub) => Op::MulSub,
        (Mul, Mul) => Op::MulMul,
        (Mul, Div) => Op::MulDiv,
        (Div, Mul) => Op::DivMul,
        _ => return None,
    })
}

/// Moves literal slots from their marks to `base + n`.
pub fn relocate(code: &mut [Op], specials: &mut [Special], base: Slot) {
    let fix = |s: &mut Slot| {
        if *s >= LITERAL_MARK {
            *s = base + (*s - LITERAL_MARK);
        }
    };
    for op in code.iter_mut() {
        op.for_each_slot(fix);
    }
    for s in specials.iter_mut() {
        s.for_each_slot(fix);
    }
}
