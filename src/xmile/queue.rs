//! Queues (`<stock><queue/>`): a first-in, first-out line of batches, one per non-zero
//! inflow per DT (isee's "Queue Computation"). The queue's value is the total of its batches.
//! Its first outflow empties it each step unless it feeds a conveyor, which then takes batches
//! from the front within its room (`QUEUE_OUTFLOW`); an `<overflow/>` outflow drains what the
//! first outflow wanted and could not take.

use super::conveyor::Role;
use super::eqn_text::quoted;
use crate::diagnostic::Diagnostic;
use crate::model::names::canonical;
use crate::model::{Equation, Expr, VarKind, Variable};

/// A queue with its first outflow and its overflow, by variable index.
#[derive(Debug, Clone)]
pub(super) struct Queue {
    /// The queue stock.
    pub stock: usize,
    /// Its first (non-overflow) outflow.
    pub primary: Option<usize>,
    /// Its overflow outflow.
    pub overflow: Option<usize>,
}

/// Every queue of the model, with its outflows checked: one ordinary outflow (listed first)
/// and at most one overflow.
pub(super) fn queues(
    variables: &[Variable],
    roles: &[(usize, Role)],
) -> Result<Vec<Queue>, Diagnostic> {
    let mut out = Vec::new();
    for (i, role) in roles {
        if !matches!(role, Role::Queue) {
            continue;
        }
        let stock = &variables[*i];
        let VarKind::Stock { outflows, .. } = &stock.kind else {
            continue;
        };
        let mut q = Queue {
            stock: *i,
            primary: None,
            overflow: None,
        };
        for flow in outflows {
            let key = canonical(flow);
            let Some(k) = variables.iter().position(|v| canonical(&v.name) == key) else {
                return Err(Diagnostic::new(
                    format!("queue `{}` lists unknown outflow `{flow}`", stock.name),
                    stock.at.clone(),
                ));
            };
            let is_overflow = roles
                .iter()
                .any(|(j, r)| *j == k && matches!(r, Role::Overflow));
            let no_primary = q.primary.is_none();
            let slot = if is_overflow {
                &mut q.overflow
            } else {
                &mut q.primary
            };
            if slot.is_some() || (is_overflow && no_primary) {
                return Err(Diagnostic::new(
                    format!(
                        "queue `{}`: outflow `{flow}` is not supported; a queue has one outflow \
                         listed first and at most one overflow after it",
                        stock.name
                    ),
                    stock.at.clone(),
                )
                .with_hint("mark a second outflow <overflow/>, or route it through a stock"));
            }
            *slot = Some(k);
        }
        out.push(q);
    }
    Ok(out)
}

/// The queue whose first outflow is `flow`, if any.
pub(super) fn fed_by<'a>(
    queues: &'a [Queue],
    variables: &[Variable],
    flow: &str,
) -> Option<&'a Queue> {
    let key = canonical(flow);
    queues.iter().find(|q| {
        q.primary
            .is_some_and(|p| canonical(&variables[p].name) == key)
    })
}

/// `QUEUE_OUTFLOW(…)` for queue `q` taking at most `room` per time unit; `part` 1 for the
/// overflow's part.
pub(super) fn take(
    variables: &[Variable],
    q: &Queue,
    room: &str,
    single: bool,
    whole: bool,
    part: u8,
) -> String {
    let stock = &variables[q.stock];
    let mut args = vec![
        quoted(&stock.name),
        room.to_string(),
        u8::from(single).to_string(),
        u8::from(whole).to_string(),
        u8::from(q.overflow.is_some()).to_string(),
        part.to_string(),
    ];
    if let VarKind::Stock { inflows, .. } = &stock.kind {
        args.extend(inflows.iter().map(|f| quoted(f)));
    }
    format!("QUEUE_OUTFLOW({})", args.join(", "))
}

/// Writes the outflows of a queue feeding no conveyor: the first empties the queue each step
/// (what it held and what arrives), the overflow takes nothing.
pub(super) fn drain(variables: &mut [Variable], q: &Queue) {
    let stock = &variables[q.stock];
    let mut eq = format!("{} / DT", quoted(&stock.name));
    if let VarKind::Stock { inflows, .. } = &stock.kind {
        for f in inflows {
            eq.push_str(&format!(" + MAX(0, {})", quoted(f)));
        }
    }
    let at = stock.at.clone();
    if let Some(p) = q.primary {
        set(&mut variables[p], eq, &at);
    }
    if let Some(o) = q.overflow {
        set(&mut variables[o], "0".to_string(), &at);
    }
}

/// Gives `v` the equation `text`, located where its own equation was.
pub(super) fn set(v: &mut Variable, text: String, at: &crate::diagnostic::SourceRef) {
    let at = match &v.equation {
        Some(Equation::All(e)) => e.at.clone(),
        _ => at.clone(),
    };
    v.equation = Some(Equation::All(Expr { text, at }));
}
