//! Resolved expressions: every name replaced by a node id, constants folded as they are built.

use super::program::{Func1, Func2};

/// Node id (a variable element, a hidden builtin variable or a reserved quantity).
pub type Id = u32;

/// A resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ir {
    /// A number.
    Const(f64),
    /// The value of a node.
    Ref(Id),
    /// A function of one argument.
    F1(Func1, Box<Ir>),
    /// A function of two arguments.
    F2(Func2, Box<Ir>, Box<Ir>),
    /// `if c then a else b`, evaluating only the branch taken.
    If(Box<Ir>, Box<Ir>, Box<Ir>),
    /// A graphical function applied to an argument.
    Lookup(u32, Box<Ir>),
    /// A time-dependent or stateful builtin.
    Special(SpecialIr),
}

/// Builtins evaluated by the simulator with their arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecialIr {
    /// STEP(height, start)
    Step(Box<Ir>, Box<Ir>),
    /// PULSE(magnitude, first, interval)
    Pulse(Box<Ir>, Box<Ir>, Box<Ir>),
    /// RAMP(slope, start, end)
    Ramp(Box<Ir>, Box<Ir>, Box<Ir>),
    /// Output of fixed delay line `n`.
    Delay(u32),
    /// Uniform noise (min, max, state).
    Uniform(Box<Ir>, Box<Ir>, u32),
    /// Normal noise (mean, sd, state).
    Normal(Box<Ir>, Box<Ir>, u32),
    /// Pink noise (mean, sd, correlation time, state).
    Pink(Box<Ir>, Box<Ir>, Box<Ir>, u32),
    /// A vector builtin over `n`-element vectors, its arguments flattened in the order
    /// [`super::vectors::VectorFn`] lists them.
    Vector(super::vectors::VectorFn, u32, Vec<Ir>),
    /// `HISTORY(input, time)`: the input's value at an earlier step, read from history
    /// buffer `n` (input, time, buffer).
    History(Box<Ir>, Box<Ir>, u32),
    /// `IRR(stream, initial)`: the internal rate of return of the stream's past values in
    /// history buffer `n` (stream, initial payment, buffer).
    Irr(Box<Ir>, Box<Ir>, u32),
    /// What a queue's outflow takes from the front of its batches (see
    /// [`super::belts`]): the taken volume per DT, or with `overflow_part` what it wanted
    /// and could not take.
    Queue {
        /// The queue's value.
        queue: Box<Ir>,
        /// The most the outflow may take per time unit.
        room: Box<Ir>,
        /// The queue's inflows, each bringing one batch per step.
        inflows: Vec<Ir>,
        /// How batches are taken.
        how: super::belts::Take,
        /// Whether this is the overflow's part.
        overflow_part: bool,
    },
    /// A computed subscript: the element of `of` at the run-time positions `index` (1-based,
    /// whole parts taken) along axes of `sizes` elements, `of` listing the candidates row by
    /// row; NaN when a position is outside its axis.
    Element {
        /// One position per computed axis.
        index: Vec<Ir>,
        /// The number of elements of each computed axis.
        sizes: Vec<u32>,
        /// The candidate elements, the last axis varying fastest.
        of: Vec<Ir>,
    },
}

/// Builds `f(a)`, folding constants.
pub fn f1(f: Func1, a: Ir) -> Ir {
    match a {
        Ir::Const(x) => Ir::Const(f.apply(x)),
        a => Ir::F1(f, Box::new(a)),
    }
}

/// Builds `f(a, b)`, folding constants.
pub fn f2(f: Func2, a: Ir, b: Ir) -> Ir {
    match (&a, &b) {
        (Ir::Const(x), Ir::Const(y)) => Ir::Const(f.apply(*x, *y)),
        _ => Ir::F2(f, Box::new(a), Box::new(b)),
    }
}

/// Builds a conditional, folding a constant condition.
pub fn cond(c: Ir, a: Ir, b: Ir) -> Ir {
    match c {
        // A NaN condition stays for the run to report.
        Ir::Const(x) if x.is_nan() => Ir::If(Box::new(c), Box::new(a), Box::new(b)),
        Ir::Const(x) if x != 0.0 => a,
        Ir::Const(_) => b,
        c => Ir::If(Box::new(c), Box::new(a), Box::new(b)),
    }
}

impl Ir {
    /// Calls `visit` on every node id referenced, and on every delay line used.
    pub fn visit_refs(&self, visit: &mut impl FnMut(Ref)) {
        match self {
            Ir::Const(_) => {}
            Ir::Ref(id) => visit(Ref::Node(*id)),
            Ir::F1(_, a) | Ir::Lookup(_, a) => a.visit_refs(visit),
            Ir::F2(_, a, b) => {
                a.visit_refs(visit);
                b.visit_refs(visit);
            }
            Ir::If(c, a, b) => {
                c.visit_refs(visit);
                a.visit_refs(visit);
                b.visit_refs(visit);
            }
            // A computed subscript reads its candidates and positions, and nothing else: it
            // has no state and does not depend on time by itself.
            Ir::Special(SpecialIr::Element { index, of, .. }) => {
                index.iter().for_each(|a| a.visit_refs(visit));
                of.iter().for_each(|a| a.visit_refs(visit));
            }
            Ir::Special(s) => {
                visit(Ref::TimeDependent);
                match s {
                    SpecialIr::Step(a, b)
                    | SpecialIr::Uniform(a, b, _)
                    | SpecialIr::Normal(a, b, _)
                    | SpecialIr::History(a, b, _)
                    | SpecialIr::Irr(a, b, _) => {
                        a.visit_refs(visit);
                        b.visit_refs(visit);
                    }
                    SpecialIr::Pulse(a, b, c)
                    | SpecialIr::Ramp(a, b, c)
                    | SpecialIr::Pink(a, b, c, _) => {
                        a.visit_refs(visit);
                        b.visit_refs(visit);
                        c.visit_refs(visit);
                    }
                    SpecialIr::Queue {
                        queue,
                        room,
                        inflows,
                        ..
                    } => {
                        queue.visit_refs(visit);
                        room.visit_refs(visit);
                        inflows.iter().for_each(|a| a.visit_refs(visit));
                    }
                    SpecialIr::Delay(n) => visit(Ref::Delay(*n)),
                    SpecialIr::Vector(_, _, args) => args.iter().for_each(|a| a.visit_refs(visit)),
                    SpecialIr::Element { .. } => {}
                }
            }
        }
    }
}

/// What an expression depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    /// A node's current value.
    Node(Id),
    /// Time itself (through a time-dependent builtin).
    TimeDependent,
    /// A delay line's output.
    Delay(u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(
            f2(Func2::Mul, Ir::Const(2.0), Ir::Const(3.0)),
            Ir::Const(6.0)
        );
        assert_eq!(cond(Ir::Const(0.0), Ir::Ref(1), Ir::Ref(2)), Ir::Ref(2));
        assert!(matches!(f1(Func1::Exp, Ir::Ref(4)), Ir::F1(..)));
    }
}
