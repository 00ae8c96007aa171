//! Loop-invariant code motion: the parts of per-step equations that read only constants are
//! taken out and computed once per run.
//!
//! `budget / cost * rate * share` recomputes `budget / cost * rate` at every stage of every
//! step although it changes only between runs; after hoisting the step code reads it from a
//! slot of its own. The hoisted expression is evaluated exactly as written, so results are
//! bit-identical.

use super::ir::{Id, Ir, Ref, SpecialIr};
use super::program::Func2;
use super::strength;

/// Invariant expressions taken out of step equations, each standing for a new node id.
pub struct Invariants<'a> {
    /// Whether each node changes during a run.
    dynamic: &'a [bool],
    /// Id of the first hoisted expression; the `k`-th has id `first_id + k`.
    first_id: Id,
    /// The hoisted expressions.
    pub exprs: Vec<Ir>,
}

impl<'a> Invariants<'a> {
    /// Hoisting over nodes `0..dynamic.len()`; hoisted expressions get the ids that follow.
    pub fn new(dynamic: &'a [bool]) -> Invariants<'a> {
        Invariants {
            dynamic,
            first_id: dynamic.len() as Id,
            exprs: Vec::new(),
        }
    }

    /// `ir` with every maximal invariant subexpression (other than a lone number or name)
    /// replaced by a reference to its hoisted copy.
    pub fn hoist(&mut self, ir: &Ir) -> Ir {
        match ir {
            Ir::Const(_) | Ir::Ref(_) => ir.clone(),
            _ if self.is_invariant(ir) => {
                let k = match self.exprs.iter().position(|e| e == ir) {
                    Some(k) => k,
                    None => {
                        self.exprs.push(ir.clone());
                        self.exprs.len() - 1
                    }
                };
                Ir::Ref(self.first_id + k as Id)
            }
            // A power whose base is fixed for the run but whose exponent changes (the whole
            // power would have been hoisted above): computed through the hoisted logarithm.
            Ir::F2(Func2::Pow, a, e) if self.is_invariant(a) => {
                match strength::pow_by_exp(a, e, |x| self.is_invariant(x)) {
                    Ir::If(c, fast, slow) => Ir::If(
                        Box::new(self.hoist(&c)),
                        Box::new(self.hoist(&fast)),
                        Box::new(self.hoist_children(&slow)),
                    ),
                    pow @ Ir::F2(Func2::Pow, ..) => self.hoist_children(&pow),
                    fast => self.hoist(&fast),
                }
            }
            Ir::F1(f, a) => Ir::F1(*f, Box::new(self.hoist(a))),
            Ir::F2(f, a, b) => Ir::F2(*f, Box::new(self.hoist(a)), Box::new(self.hoist(b))),
            Ir::If(c, a, b) => Ir::If(
                Box::new(self.hoist(c)),
                Box::new(self.hoist(a)),
                Box::new(self.hoist(b)),
            ),
            Ir::Lookup(t, a) => Ir::Lookup(*t, Box::new(self.hoist(a))),
            Ir::Special(s) => Ir::Special(self.hoist_special(s)),
        }
    }

    /// A power `a ^ e` with `a` and `e` hoisted but the power itself kept.
    fn hoist_children(&mut self, pow: &Ir) -> Ir {
        match pow {
            Ir::F2(f, a, e) => Ir::F2(*f, Box::new(self.hoist(a)), Box::new(self.hoist(e))),
            other => self.hoist(other),
        }
    }

    fn hoist_special(&mut self, s: &SpecialIr) -> SpecialIr {
        let mut h = |a: &Ir| Box::new(self.hoist(a));
        match s {
            SpecialIr::Step(a, b) => SpecialIr::Step(h(a), h(b)),
            SpecialIr::Pulse(a, b, c) => SpecialIr::Pulse(h(a), h(b), h(c)),
            SpecialIr::Ramp(a, b, c) => SpecialIr::Ramp(h(a), h(b), h(c)),
            SpecialIr::Delay(n) => SpecialIr::Delay(*n),
            SpecialIr::Uniform(a, b, k) => SpecialIr::Uniform(h(a), h(b), *k),
            SpecialIr::Normal(a, b, k) => SpecialIr::Normal(h(a), h(b), *k),
            SpecialIr::History(a, b, k) => SpecialIr::History(h(a), h(b), *k),
            SpecialIr::Irr(a, b, k) => SpecialIr::Irr(h(a), h(b), *k),
            SpecialIr::Pink(a, b, c, k) => SpecialIr::Pink(h(a), h(b), h(c), *k),
            SpecialIr::Vector(f, n, args) => {
                SpecialIr::Vector(*f, *n, args.iter().map(|a| *h(a)).collect())
            }
            SpecialIr::Queue {
                queue,
                room,
                inflows,
                how,
                overflow_part,
            } => SpecialIr::Queue {
                queue: h(queue),
                room: h(room),
                inflows: inflows.iter().map(|a| *h(a)).collect(),
                how: *how,
                overflow_part: *overflow_part,
            },
            SpecialIr::Element { index, sizes, of } => SpecialIr::Element {
                index: index.iter().map(|a| *h(a)).collect(),
                sizes: sizes.clone(),
                of: of.iter().map(|a| *h(a)).collect(),
            },
        }
    }

    /// Whether `ir` reads nothing that changes during a run (no time, stock, builtin state or
    /// time-dependent node).
    fn is_invariant(&self, ir: &Ir) -> bool {
        let mut invariant = true;
        ir.visit_refs(&mut |r| {
            invariant &= match r {
                Ref::Node(id) => !self.dynamic.get(id as usize).copied().unwrap_or(true),
                Ref::TimeDependent | Ref::Delay(_) => false,
            }
        });
        invariant
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::program::{Func1, Func2};

    fn r(id: Id) -> Box<Ir> {
        Box::new(Ir::Ref(id))
    }

    #[test]
    fn hoists_maximal_constant_parts_once() {
        // Nodes 0 and 1 are constants, node 2 changes.
        let dynamic = [false, false, true];
        let mut inv = Invariants::new(&dynamic);
        let k = Ir::F2(Func2::Div, r(0), r(1));
        let eq = Ir::F2(
            Func2::Mul,
            Box::new(Ir::F2(
                Func2::Mul,
                Box::new(k.clone()),
                Box::new(Ir::Const(2.0)),
            )),
            r(2),
        );
        let hoisted = inv.hoist(&eq);
        let whole = Ir::F2(Func2::Mul, Box::new(k.clone()), Box::new(Ir::Const(2.0)));
        assert_eq!(inv.exprs, vec![whole.clone()]);
        assert_eq!(hoisted, Ir::F2(Func2::Mul, r(3), r(2)));
        // The same expression elsewhere reuses the slot; a bare name or number stays put.
        assert_eq!(inv.hoist(&whole), Ir::Ref(3));
        assert_eq!(inv.hoist(&Ir::Ref(0)), Ir::Ref(0));
        assert_eq!(inv.exprs.len(), 1);
    }

    #[test]
    fn leaves_time_dependent_parts() {
        let dynamic = [false, true];
        let mut inv = Invariants::new(&dynamic);
        let noisy = Ir::Special(SpecialIr::Normal(r(0), r(0), 0));
        assert_eq!(inv.hoist(&noisy), noisy);
        let changing = Ir::F1(Func1::Exp, r(1));
        assert_eq!(inv.hoist(&changing), changing);
        assert!(inv.exprs.is_empty());
    }
}
