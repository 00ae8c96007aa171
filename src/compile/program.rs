//! The compiled program: a flat slot array layout and straight-line register code.
//!
//! Every quantity (time, stocks, auxiliaries, temporaries, literals) lives in one `f64` slot;
//! instructions name slots by index, so evaluation does no name lookup and no allocation.

use crate::diagnostic::SourceRef;
use crate::model::{GfKind, SimSpecs};
use std::any::Any;
use std::sync::{Arc, Mutex, MutexGuard};

/// Slot index.
pub type Slot = u32;

/// Slot holding the current time.
pub const TIME: Slot = 0;
/// Slot holding the integration step.
pub const DT: Slot = 1;
/// Slot holding the start time.
pub const START: Slot = 2;
/// Slot holding the stop time.
pub const STOP: Slot = 3;
/// Number of reserved slots before the stocks.
pub const RESERVED: usize = 4;

/// Functions of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func1 {
    /// |x|
    Abs,
    /// e^x
    Exp,
    /// natural log
    Ln,
    /// log base 10
    Log10,
    /// square root
    Sqrt,
    /// sine
    Sin,
    /// cosine
    Cos,
    /// tangent
    Tan,
    /// arcsine
    Asin,
    /// arccosine
    Acos,
    /// arctangent
    Atan,
    /// hyperbolic sine
    Sinh,
    /// hyperbolic cosine
    Cosh,
    /// hyperbolic tangent
    Tanh,
    /// integer part, truncating toward zero (as the canonical outputs of the XMILE test suite)
    Int,
    /// round half away from zero
    Round,
    /// logical not
    Not,
    /// negation
    Neg,
    /// standard normal cumulative distribution Φ(x)
    NormalCdf,
    /// standard normal quantile Φ⁻¹(p) (NaN outside [0, 1])
    NormalQuantile,
    /// 1 when the argument is finite and positive, else 0 (NaN included): the guard of a
    /// power computed through its logarithm (`compile::strength`); no builtin name maps to it.
    PositiveFinite,
}

impl Func1 {
    /// Applies the function.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Func1::Abs => x.abs(),
            Func1::Exp => x.exp(),
            Func1::Ln => x.ln(),
            Func1::Log10 => x.log10(),
            Func1::Sqrt => x.sqrt(),
            Func1::Sin => x.sin(),
            Func1::Cos => x.cos(),
            Func1::Tan => x.tan(),
            Func1::Asin => x.asin(),
            Func1::Acos => x.acos(),
            Func1::Atan => x.atan(),
            Func1::Sinh => x.sinh(),
            Func1::Cosh => x.cosh(),
            Func1::Tanh => x.tanh(),
            Func1::Int => x.trunc(),
            Func1::Round => x.round(),
            Func1::NormalCdf => normal_cdf(x),
            Func1::NormalQuantile => normal_quantile(x),
            Func1::Not => nan_or(x, 0.0, x == 0.0),
            Func1::Neg => -x,
            Func1::PositiveFinite => f64::from(x > 0.0 && x.is_finite()),
        }
    }
}

/// Functions of two arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func2 {
    /// a + b
    Add,
    /// a − b
    Sub,
    /// a × b
    Mul,
    /// a ÷ b
    Div,
    /// a ^ b
    Pow,
    /// remainder of a ÷ b with the sign of a (`-10 mod 3 = -1`, as the canonical outputs)
    Mod,
    /// a < b
    Lt,
    /// a ≤ b
    Le,
    /// a > b
    Gt,
    /// a ≥ b
    Ge,
    /// a = b
    Eq,
    /// a ≠ b
    Ne,
    /// a and b
    And,
    /// a or b
    Or,
    /// smaller of the two
    Min,
    /// larger of the two
    Max,
    /// a ÷ b, or 0 when b is 0
    SafeDiv,
    /// a!/(a − b)!, Stella's `PERMUTATIONS`
    Permutations,
}

impl Func2 {
    /// Applies the function.
    #[inline]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Func2::Add => a + b,
            Func2::Sub => a - b,
            Func2::Mul => a * b,
            Func2::Div => a / b,
            Func2::Pow => a.powf(b),
            Func2::Mod => a % b,
            // Comparisons, logic and MIN/MAX of NaN are NaN (IEEE would give false, or drop
            // the NaN), so that a NaN reaching a condition or a clamp is a numeric fault
            // rather than a silently chosen branch or value.
            Func2::Lt => nan_or(a, b, a < b),
            Func2::Le => nan_or(a, b, a <= b),
            Func2::Gt => nan_or(a, b, a > b),
            Func2::Ge => nan_or(a, b, a >= b),
            Func2::Eq => nan_or(a, b, a == b),
            Func2::Ne => nan_or(a, b, a != b),
            Func2::And => nan_or(a, b, a != 0.0 && b != 0.0),
            Func2::Or => nan_or(a, b, a != 0.0 || b != 0.0),
            Func2::Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            Func2::Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
            Func2::SafeDiv => {
                if b == 0.0 {
                    0.0
                } else {
                    a / b
                }
            }
            Func2::Permutations => super::discrete::permutations(a, b),
        }
    }
}

/// `truth` as 1 or 0, or NaN when `a` or `b` is NaN.
#[inline]
fn nan_or(a: f64, b: f64, truth: bool) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        f64::from(truth)
    }
}

/// One register instruction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// `d = a`
    Copy(Slot, Slot),
    /// `d = f(a)`
    F1(Func1, Slot, Slot),
    /// `d = a + b` (the commonest operations get their own variants)
    Add(Slot, Slot, Slot),
    /// `d = a - b`
    Sub(Slot, Slot, Slot),
    /// `d = a * b`
    Mul(Slot, Slot, Slot),
    /// `d = a / b`
    Div(Slot, Slot, Slot),
    /// `d = min(a, b)`, as [`Func2::Min`] (frequent enough in models to skip the second
    /// dispatch of [`Op::F2`]).
    Min(Slot, Slot, Slot),
    /// `d = max(a, b)`, as [`Func2::Max`].
    Max(Slot, Slot, Slot),
    /// `d = f(a, b)`
    F2(Func2, Slot, Slot, Slot),
    /// `d = (a + b) + c`: pairs of arithmetic operations fused into one instruction save a
    /// dispatch and a temporary; they round exactly as the two operations would.
    AddAdd(Slot, Slot, Slot, Slot),
    /// `d = (a + b) × c`
    AddMul(Slot, Slot, Slot, Slot),
    /// `d = (a − b) × c`
    SubMul(Slot, Slot, Slot, Slot),
    /// `d = (a − b) ÷ c`
    SubDiv(Slot, Slot, Slot, Slot),
    /// `d = (a × b) + c`
    MulAdd(Slot, Slot, Slot, Slot),
    /// `d = (a × b) − c`
    MulSub(Slot, Slot, Slot, Slot),
    /// `d = (a × b) × c`
    MulMul(Slot, Slot, Slot, Slot),
    /// `d = (a × b) ÷ c`
    MulDiv(Slot, Slot, Slot, Slot),
    /// `d = (a ÷ b) × c`
    DivMul(Slot, Slot, Slot, Slot),
    /// `d = f` when `b` is 0, else `a ÷ b`: the `IF b = 0 THEN f ELSE a / b` of SAFEDIV,
    /// XIDZ and ZIDZ in one instruction. A NaN `b` flags a NaN condition, as the IF would.
    DivOr(Slot, Slot, Slot, Slot),
    /// Continue at instruction `target` when slot `c` is zero.
    JumpIfZero(Slot, u32),
    /// Continue at instruction `target`.
    Jump(u32),
    /// `d = table(a)`
    Lookup(Slot, u32, Slot),
    /// `d = max(d, 0)`, for non-negative flows.
    ClampNonNegative(Slot),
    /// A time-dependent or stateful builtin, described in [`Program::specials`].
    Special(Slot, u32),
}

impl Op {
    /// Calls `f` on every slot the instruction reads or writes.
    pub fn for_each_slot(&mut self, mut f: impl FnMut(&mut Slot)) {
        match self {
            Op::Copy(d, a) | Op::F1(_, d, a) | Op::Lookup(d, _, a) => {
                f(d);
                f(a);
            }
            Op::Add(d, a, b)
            | Op::Sub(d, a, b)
            | Op::Mul(d, a, b)
            | Op::Div(d, a, b)
            | Op::Min(d, a, b)
            | Op::Max(d, a, b)
            | Op::F2(_, d, a, b) => {
                f(d);
                f(a);
                f(b);
            }
            Op::AddAdd(d, a, b, c)
            | Op::AddMul(d, a, b, c)
            | Op::SubMul(d, a, b, c)
            | Op::SubDiv(d, a, b, c)
            | Op::MulAdd(d, a, b, c)
            | Op::MulSub(d, a, b, c)
            | Op::MulMul(d, a, b, c)
            | Op::MulDiv(d, a, b, c)
            | Op::DivMul(d, a, b, c)
            | Op::DivOr(d, a, b, c) => {
                f(d);
                f(a);
                f(b);
                f(c);
            }
            Op::JumpIfZero(c, _) => f(c),
            Op::ClampNonNegative(d) | Op::Special(d, _) => f(d),
            Op::Jump(_) => {}
        }
    }
}

/// Builtins with state or several arguments, kept out of the hot [`Op`] enum.
#[derive(Debug, Clone, PartialEq)]
pub enum Special {
    /// `height` once `TIME >= start`.
    Step {
        /// height
        height: Slot,
        /// start time
        start: Slot,
    },
    /// `magnitude / DT` for one DT at `first`, repeating every `interval` when positive.
    Pulse {
        /// magnitude
        magnitude: Slot,
        /// first time
        first: Slot,
        /// repeat interval (0: once)
        interval: Slot,
    },
    /// `slope·(TIME − start)` between `start` and `end`.
    Ramp {
        /// slope
        slope: Slot,
        /// start time
        start: Slot,
        /// end time (infinite when absent)
        end: Slot,
    },
    /// Output of a fixed delay pipeline (index into [`Program::delays`]).
    Delay(u32),
    /// Per-step uniform noise on [min, max), held through the stages of a step.
    Uniform {
        /// lower bound
        min: Slot,
        /// upper bound
        max: Slot,
        /// noise state index
        state: u32,
    },
    /// Per-step normal noise, held through the stages of a step.
    Normal {
        /// mean
        mean: Slot,
        /// standard deviation
        sd: Slot,
        /// noise state index
        state: u32,
    },
    /// Smoothed (first-order autoregressive) noise with the given correlation time.
    Pink {
        /// mean
        mean: Slot,
        /// standard deviation of the stationary process
        sd: Slot,
        /// correlation time
        tau: Slot,
        /// noise state index
        state: u32,
    },
    /// A vector builtin (see [`super::vectors`]).
    Vector {
        /// which builtin
        f: super::vectors::VectorFn,
        /// vector length
        n: u32,
        /// argument slots, flattened
        args: Box<[Slot]>,
    },
    /// `HISTORY`: the input's value at the step at or before `time`, from a history buffer
    /// recorded once per step (see [`Program::history_buffers`]).
    History {
        /// the recorded input
        input: Slot,
        /// the time asked for
        time: Slot,
        /// history buffer index
        buffer: u32,
    },
    /// A computed subscript `a[i + 1]`: the element of `of` at the positions read from
    /// `index` (see [`Special::element`]).
    Element {
        /// One slot per computed axis, holding a 1-based position.
        index: Box<[Slot]>,
        /// The number of elements of each computed axis.
        sizes: Box<[u32]>,
        /// The candidate elements, row by row (the last axis varying fastest).
        of: Box<[Slot]>,
    },
    /// What a queue's outflow takes from the front of its batches (see
    /// [`super::belts`] and `simulate::queues`).
    Queue {
        /// the queue's value (its initial batch when the run starts)
        queue: Slot,
        /// the most the outflow may take per time unit
        room: Slot,
        /// the inflows, each bringing one batch per step
        inflows: Box<[Slot]>,
        /// how batches are taken
        how: super::belts::Take,
        /// whether the result is what the outflow wanted and could not take
        overflow_part: bool,
        /// index of the batches among the run's queue states
        state: u32,
    },
    /// `IRR`: the internal rate of return of the stream recorded in a history buffer.
    Irr {
        /// the recorded payment stream
        stream: Slot,
        /// the payment made at the start
        initial: Slot,
        /// history buffer index
        buffer: u32,
    },
}

impl Special {
    /// Calls `f` on every slot the builtin reads.
    pub fn for_each_slot(&mut self, mut f: impl FnMut(&mut Slot)) {
        match self {
            Special::Step { height, start } => {
                f(height);
                f(start);
            }
            Special::Pulse {
                magnitude,
                first,
                interval,
            } => {
                f(magnitude);
                f(first);
                f(interval);
            }
            Special::Ramp { slope, start, end } => {
                f(slope);
                f(start);
                f(end);
            }
            Special::Delay(_) => {}
            Special::Uniform { min, max, .. } => {
                f(min);
                f(max);
            }
            Special::Normal { mean, sd, .. } => {
                f(mean);
                f(sd);
            }
            Special::Pink { mean, sd, tau, .. } => {
                f(mean);
                f(sd);
                f(tau);
            }
            Special::Vector { args, .. } => args.iter_mut().for_each(f),
            Special::Element { index, of, .. } => {
                index.iter_mut().for_each(&mut f);
                of.iter_mut().for_each(f);
            }
            Special::History { input, time, .. } => {
                f(input);
                f(time);
            }
            Special::Irr {
                stream, initial, ..
            } => {
                f(stream);
                f(initial);
            }
            Special::Queue {
                queue,
                room,
                inflows,
                ..
            } => {
                f(queue);
                f(room);
                inflows.iter_mut().for_each(f);
            }
        }
    }

    /// The value of a computed subscript whose positions `index` are read by `pos` (one per
    /// axis of `sizes` elements) and whose candidates by `elem`: each position's whole part
    /// (floor) picks an element, 1 for the first; a position below 1, past the axis or NaN
    /// gives NaN, as simlin does, so that the run stops with a numeric fault naming the
    /// variable rather than reading a neighbour.
    #[inline]
    pub fn element(sizes: &[u32], pos: impl Fn(usize) -> f64, elem: impl Fn(usize) -> f64) -> f64 {
        let mut flat = 0usize;
        for (axis, &n) in sizes.iter().enumerate() {
            let p = pos(axis).floor();
            if !(p >= 1.0 && p <= f64::from(n)) {
                return f64::NAN;
            }
            flat = flat * n as usize + (p as usize - 1);
        }
        elem(flat)
    }

    /// The queue state this builtin keeps (its index and the number of inflows), if any.
    pub fn queue_state(&self) -> Option<(u32, usize)> {
        match self {
            Special::Queue { state, inflows, .. } => Some((*state, inflows.len())),
            _ => None,
        }
    }

    /// The history buffer this builtin records into, if any.
    pub fn history_buffer(&self) -> Option<u32> {
        match self {
            Special::History { buffer, .. } | Special::Irr { buffer, .. } => Some(*buffer),
            _ => None,
        }
    }
}

/// A fixed delay: the input is recorded once per step; the output is the input `k` steps ago.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DelayLine {
    /// Slot holding the current input.
    pub input: Slot,
    /// Slot holding the delay time (read once, at the start of a run).
    pub delay: Slot,
    /// Slot holding the output before the pipeline fills.
    pub initial: Slot,
}

/// A graphical function table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// x points, increasing.
    pub xs: Vec<f64>,
    /// y points.
    pub ys: Vec<f64>,
    /// Interpolation rule.
    pub kind: GfKind,
}

impl Table {
    /// Evaluates the table at `x`.
    pub fn eval(&self, x: f64) -> f64 {
        let (xs, ys) = (&self.xs, &self.ys);
        let n = xs.len();
        if n == 0 {
            return f64::NAN;
        }
        if x.is_nan() {
            return f64::NAN;
        }
        if n == 1 {
            return ys[0];
        }
        if x <= xs[0] {
            return match self.kind {
                GfKind::Extrapolate => ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0]),
                _ => ys[0],
            };
        }
        if x >= xs[n - 1] {
            return match self.kind {
                GfKind::Extrapolate => {
                    ys[n - 1] + (x - xs[n - 1]) * (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2])
                }
                _ => ys[n - 1],
            };
        }
        // First index with xs[i] > x; x lies in [xs[i-1], xs[i]).
        let i = xs.partition_point(|&p| p <= x);
        match self.kind {
            GfKind::Discrete => ys[i - 1],
            _ => {
                let (x0, x1, y0, y1) = (xs[i - 1], xs[i], ys[i - 1], ys[i]);
                y0 + (x - x0) * (y1 - y0) / (x1 - x0)
            }
        }
    }
}

/// A saved output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Name as written, `name[element]` for array elements.
    pub name: String,
    /// Slot.
    pub slot: Slot,
    /// Role of the variable.
    pub role: Role,
    /// Unit, if given.
    pub unit: Option<String>,
    /// Display label, if given.
    pub label: Option<String>,
    /// The equation text, for messages about numeric faults.
    pub equation: String,
}

/// What a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A stock.
    Stock,
    /// A flow.
    Flow,
    /// An auxiliary.
    Aux,
    /// A constant (varies only between runs).
    Constant,
    /// The running integral of another column since the start (read by `sum`/`mean`
    /// targets; not a model variable).
    Integral,
}

/// A constant a run may override (Monte Carlo inputs, `--set`).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name as written, `name[element]` for array elements.
    pub name: String,
    /// Slot.
    pub slot: Slot,
    /// Value from the model.
    pub default: f64,
    /// Index of the init block computing it, skipped when overridden.
    pub block: u32,
}

/// One stock (user-written or hidden in a builtin).
#[derive(Debug, Clone, PartialEq)]
pub struct StockSpec {
    /// Name for messages.
    pub name: String,
    /// Inflow slots.
    pub inflows: Vec<Slot>,
    /// Outflow slots.
    pub outflows: Vec<Slot>,
    /// Whether outflows are cut back so the stock stays at or above zero.
    pub non_negative: bool,
    /// Index of the column showing this stock, if it is a model variable.
    pub column: Option<u32>,
}

/// A block of a code stream that computes one slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Slot written by the block.
    pub slot: Slot,
    /// Instructions `start..end` of its code stream.
    pub start: u32,
    /// End of the instruction range.
    pub end: u32,
}

/// A block of [`Program::init_code`] (the name it had when only that stream had blocks).
pub type InitBlock = Block;

/// What a slot with a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlotPart {
    /// Time, DT, the start or the stop time.
    #[default]
    Reserved,
    /// The value of a variable element (for a stock: its level).
    Value,
    /// A hidden part of a builtin called in the variable's equation (a smooth's stage, a
    /// delay's input).
    Builtin,
    /// A constant part of the variable's equation, computed once per run.
    Hoisted,
}

/// Where a slot's value comes from in the model: the source map entry of one slot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlotSource {
    /// The variable element whose own equation computes the slot (`name` or `name[element]`).
    pub variable: String,
    /// Index of that variable in the model's variables (none for the reserved slots).
    pub var: Option<usize>,
    /// Where: the start of the element's equation (for a stock, its initial value), or for a
    /// builtin's hidden part, the call.
    pub at: SourceRef,
    /// The element's equation as written; it spans `equation.len()` bytes from where it
    /// starts in its file.
    pub equation: String,
    /// What the slot holds.
    pub part: SlotPart,
}

/// The result of compilation, ready to run any number of times.
#[derive(Debug, Clone)]
pub struct Program {
    /// Model name.
    pub name: String,
    /// Time axis and method.
    pub specs: SimSpecs,
    /// Initial contents of the slot array (literals, reserved slots).
    pub template: Vec<f64>,
    /// Code computing every value at the start time, in dependency order.
    pub init_code: Vec<Op>,
    /// Blocks of `init_code`, one per computed slot, so overridden constants can be skipped.
    pub init_blocks: Vec<Block>,
    /// Code computing the constant parts of per-step equations, run once after `init_code`.
    pub invariant_code: Vec<Op>,
    /// Blocks of `invariant_code`, one per hoisted slot.
    pub invariant_blocks: Vec<Block>,
    /// Code computing time-dependent values from the stocks, run at every stage.
    pub step_code: Vec<Op>,
    /// Blocks of `step_code`, one per computed slot, in evaluation order.
    pub step_blocks: Vec<Block>,
    /// Code computing time-dependent values that no stock depends on (reported values),
    /// run after `step_code` at save times only.
    pub report_code: Vec<Op>,
    /// Blocks of `report_code`, one per computed slot, in evaluation order.
    pub report_blocks: Vec<Block>,
    /// The source map: by slot, below the temporaries and literals, where its value comes
    /// from (see [`Program::source_of`]).
    pub sources: Vec<SlotSource>,
    /// Stocks occupy slots `RESERVED..RESERVED + stocks.len()`, in this order.
    pub stocks: Vec<StockSpec>,
    /// Flow slots of the stock derivatives, stock after stock: its inflows, then its outflows.
    pub rate_slots: Vec<Slot>,
    /// For each stock, where its inflows and where its outflows end in
    /// [`Program::rate_slots`]; its inflows begin where the previous stock's outflows end.
    pub rate_ends: Vec<(u32, u32)>,
    /// Stateful builtin descriptions referenced by [`Op::Special`].
    pub specials: Vec<Special>,
    /// Fixed delay lines.
    pub delays: Vec<DelayLine>,
    /// The random-stream key of each per-step noise state: a hash of the name of the
    /// element whose equation draws and of the call's position in it.
    pub noise_keys: Vec<u64>,
    /// Graphical-function tables.
    pub tables: Vec<Table>,
    /// Every model variable's column.
    pub columns: Vec<Column>,
    /// Overridable constants.
    pub params: Vec<Param>,
    /// Whether any non-negative stock needs outflow limiting.
    pub limits_stocks: bool,
    /// The slot, computed at every step, whose value ends the run early (see
    /// [`SimSpecs::stop_when`]).
    pub stop_slot: Option<Slot>,
    /// What later layers derive from the program once and share between runs and threads.
    pub attached: Attached,
}

/// An artefact derived from a [`Program`] by a later layer (the simulate layer's native code),
/// built on first use and shared by every run and thread. A clone of the program starts
/// without it, and its user checks that it still fits the program, whose fields are public.
#[derive(Default)]
pub struct Attached(Mutex<Option<Arc<dyn Any + Send + Sync>>>);

impl Attached {
    /// The artefact, locked while the guard lives (so that one thread builds it and the
    /// others wait for it).
    pub fn lock(&self) -> MutexGuard<'_, Option<Arc<dyn Any + Send + Sync>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clone for Attached {
    fn clone(&self) -> Attached {
        Attached::default()
    }
}

impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Attached")
    }
}

impl Program {
    /// Index of the parameter called `name` (XMILE name matching).
    pub fn param(&self, name: &str) -> Option<usize> {
        let key = crate::model::names::canonical(name);
        self.params
            .iter()
            .position(|p| crate::model::names::canonical(&p.name) == key)
    }

    /// Index of the column called `name` (XMILE name matching).
    pub fn column(&self, name: &str) -> Option<usize> {
        let key = crate::model::names::canonical(name);
        self.columns
            .iter()
            .position(|c| crate::model::names::canonical(&c.name) == key)
    }

    /// Columns of `name`: the variable itself, or every element of an arrayed one.
    pub fn columns_of(&self, name: &str) -> Vec<usize> {
        if let Some(c) = self.column(name) {
            return vec![c];
        }
        let key = crate::model::names::canonical(name);
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.name
                    .split_once('[')
                    .is_some_and(|(base, _)| crate::model::names::canonical(base) == key)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Where slot `slot` gets its value: the variable element whose own equation computes it,
    /// with its location. `None` for temporaries and literals.
    pub fn source_of(&self, slot: Slot) -> Option<&SlotSource> {
        self.sources.get(slot as usize)
    }

    /// Number of history buffers the run keeps (`HISTORY`, `IRR`): each records one value
    /// per integration step, so a run needs `steps() + 1` entries in each.
    pub fn history_buffers(&self) -> usize {
        self.specials
            .iter()
            .filter_map(Special::history_buffer)
            .map(|b| b as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.template.len()
    }

    /// Number of integration steps from start to stop.
    pub fn steps(&self) -> usize {
        ((self.specs.stop - self.specs.start) / self.specs.dt)
            .round()
            .max(0.0) as usize
    }

    /// Steps between saved rows.
    pub fn steps_per_save(&self) -> usize {
        ((self.specs.save_step / self.specs.dt).round() as usize).max(1)
    }

    /// Number of saved rows.
    pub fn saved_rows(&self) -> usize {
        self.steps() / self.steps_per_save() + 1
    }
}

/// Φ(x), the standard normal distribution function.
fn normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p): −∞ at 0, +∞ at 1, NaN outside [0, 1].
fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_interpolate_clamp_step_and_extrapolate() {
        let mut t = Table {
            xs: vec![0.0, 1.0, 2.0],
            ys: vec![0.0, 10.0, 30.0],
            kind: GfKind::Continuous,
        };
        assert_eq!(t.eval(0.5), 5.0);
        assert_eq!(t.eval(1.5), 20.0);
        assert_eq!(t.eval(-1.0), 0.0);
        assert_eq!(t.eval(5.0), 30.0);
        t.kind = GfKind::Discrete;
        assert_eq!(t.eval(1.5), 10.0);
        assert_eq!(t.eval(2.0), 30.0);
        t.kind = GfKind::Extrapolate;
        assert_eq!(t.eval(3.0), 50.0);
        assert_eq!(t.eval(-1.0), -10.0);
    }

    #[test]
    fn computed_subscripts_take_the_whole_part_and_refuse_outside_positions() {
        // A 2 × 3 array read row by row: element (r, c) is 10·r + c.
        let cells: Vec<f64> = (1..=2)
            .flat_map(|r| (1..=3).map(move |c| f64::from(10 * r + c)))
            .collect();
        let at = |r: f64, c: f64| {
            let pos = [r, c];
            Special::element(&[2, 3], |a| pos[a], |k| cells[k])
        };
        assert_eq!(at(1.0, 1.0), 11.0);
        assert_eq!(at(2.0, 3.0), 23.0);
        assert_eq!(at(2.999, 1.5), 21.0);
        for (r, c) in [
            (0.0, 1.0),
            (3.0, 1.0),
            (1.0, 4.0),
            (0.5, 1.0),
            (f64::NAN, 1.0),
        ] {
            assert!(at(r, c).is_nan(), "({r}, {c})");
        }
    }

    #[test]
    fn modulo_and_int_truncate_toward_zero() {
        assert_eq!(Func2::Mod.apply(7.0, 3.0), 1.0);
        assert_eq!(Func2::Mod.apply(-10.0, 3.0), -1.0);
        assert_eq!(Func1::Int.apply(-9.9), -9.0);
        assert_eq!(Func2::SafeDiv.apply(1.0, 0.0), 0.0);
    }

    #[test]
    fn hyperbolic_functions_satisfy_their_identities() {
        for x in [-2.0, -0.3, 0.0, 0.7, 3.0] {
            let (s, c, t) = (
                Func1::Sinh.apply(x),
                Func1::Cosh.apply(x),
                Func1::Tanh.apply(x),
            );
            assert!((c * c - s * s - 1.0).abs() < 1e-9, "{x}");
            assert!((t - s / c).abs() < 1e-12, "{x}");
            assert!(
                (s - (f64::exp(x) - f64::exp(-x)) / 2.0).abs() < 1e-12,
                "{x}"
            );
        }
    }
}
