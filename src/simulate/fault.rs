//! Numeric faults: a value that became NaN, a stock that became infinite, or an IF whose
//! condition is NaN, attributed to the slot whose own equation produced it.
//!
//! The fault is structured (slot, variable, time, value); its [`Diagnostic`] is built from the
//! program's source map, so callers never need to read the message to locate it.

use crate::compile::program::{Program, Slot, SlotPart};
use crate::diagnostic::Diagnostic;
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The slot's equation produced NaN from values that were not NaN.
    NotANumber,
    /// A stock became infinite (or NaN) by integration.
    InfiniteStock,
    /// An IF in the slot's equation had a NaN condition, so neither branch applies.
    NanCondition,
}

/// A numeric fault of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericFault {
    /// What went wrong.
    pub kind: FaultKind,
    /// The slot whose own equation (or, for a stock, integration) produced the value.
    pub slot: Slot,
    /// The variable element that slot belongs to (`name` or `name[element]`).
    pub variable: String,
    /// The time of the evaluation (for a stage of a Runge–Kutta step, the stage's time).
    pub time: f64,
    /// The value the slot took.
    pub value: f64,
}

impl NumericFault {
    /// A fault of `kind` at `slot`, named from the program's source map.
    pub fn new(prog: &Program, kind: FaultKind, slot: Slot, time: f64, value: f64) -> NumericFault {
        let variable = match prog.source_of(slot) {
            Some(src) if !src.variable.is_empty() => src.variable.clone(),
            _ => format!("slot {slot}"),
        };
        NumericFault {
            kind,
            slot,
            variable,
            time,
            value,
        }
    }

    /// The message: which variable, what it became and when.
    pub fn message(&self) -> String {
        let (var, t) = (&self.variable, self.time);
        match self.kind {
            FaultKind::NotANumber | FaultKind::InfiniteStock => {
                format!("`{var}` became {} at time {t}", self.value)
            }
            FaultKind::NanCondition => {
                format!("`{var}` became NaN at time {t}: the condition of an IF is NaN")
            }
        }
    }

    /// The fault as a diagnostic located at the equation of its slot (or, for a hidden part
    /// of a builtin, at the call), with a hint quoting the equation.
    pub fn to_diagnostic(&self, prog: &Program) -> Diagnostic {
        let mut d = Diagnostic::plain(self.message());
        let Some(src) = prog.source_of(self.slot) else {
            return d;
        };
        d.at = src.at.clone();
        let equation = &src.equation;
        let hint = match (self.kind, src.part) {
            (FaultKind::InfiniteStock, _) => format!(
                "the stock grows without bound; look for runaway growth in its flows \
                 (its initial value is `{equation}`)"
            ),
            (FaultKind::NanCondition, _) => format!(
                "its equation is `{equation}`; a condition computed from NaN (a comparison \
                 with NaN, say) has no branch to take"
            ),
            (_, SlotPart::Builtin) => format!(
                "a builtin called in its equation `{equation}` produced it; look for a \
                 division by zero, a log of a non-positive number or an invalid argument"
            ),
            _ => format!(
                "its equation is `{equation}`; look for a division by zero, a log of a \
                 non-positive number or runaway growth"
            ),
        };
        d.with_hint(hint)
    }
}

impl fmt::Display for NumericFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for NumericFault {}
