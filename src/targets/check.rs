//! Checks of a parsed target that need no model: where bare variables and per-period calls may
//! appear, window order, checkpoint order and the number of calls.

use super::lex::SyntaxError;
use super::syntax::{Expr, Spec, Window, MAX_CALLS};

/// Where an expression sits, which decides what it may contain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The metric of a comparison: every call needs its times.
    Metric,
    /// The template of `every(...)`: calls may leave their times to the period.
    Template,
    /// The condition of `first(...)`: bare variables are read at each saved time.
    Condition,
}

#[derive(Default)]
struct Counts {
    calls: usize,
    per_period: usize,
    vars: usize,
}

/// Checks `spec` for mistakes that do not depend on the model.
pub(crate) fn check(spec: &Spec) -> Result<(), SyntaxError> {
    let mut counts = Counts::default();
    match spec {
        Spec::Compare { metric, .. } => {
            walk(metric, Ctx::Metric, &mut counts)?;
            if counts.calls == 0 {
                return Err(SyntaxError::new("the target does not read any variable", 0)
                    .hint("compare an aggregate such as `fans at 365` or `mean(fans, 0, 91)`"));
            }
        }
        Spec::Every {
            template,
            checkpoints,
            ..
        } => {
            walk(template, Ctx::Template, &mut counts)?;
            if counts.per_period == 0 {
                return Err(SyntaxError::new(
                    "every(...) needs a call without times, which each period fills in",
                    0,
                )
                .hint("e.g. `every(growth(fans), [0, 91, 182, 273, 365]) >= 20%`"));
            }
            let times = &checkpoints.times;
            if times.len() < 2 {
                let pos = times.first().map_or(0, |t| t.pos);
                return Err(
                    SyntaxError::new("every(...) needs at least two checkpoints", pos)
                        .hint("the periods run between consecutive checkpoints"),
                );
            }
            for pair in times.windows(2) {
                if pair[1].value <= pair[0].value {
                    return Err(SyntaxError::new(
                        format!(
                            "checkpoints must increase: {} does not come after {}",
                            pair[1].value, pair[0].value
                        ),
                        pair[1].pos,
                    ));
                }
            }
        }
        Spec::First { lhs, rhs, .. } => {
            walk(lhs, Ctx::Condition, &mut counts)?;
            walk(rhs, Ctx::Condition, &mut counts)?;
            if counts.vars == 0 {
                return Err(SyntaxError::new(
                    "the condition of first(...) must read a variable over time",
                    0,
                )
                .hint("e.g. `first(fans >= 1e6) <= 90`"));
            }
        }
        Spec::All { .. } => {}
    }
    Ok(())
}

fn walk(e: &Expr, ctx: Ctx, counts: &mut Counts) -> Result<(), SyntaxError> {
    match e {
        Expr::Number(_) => Ok(()),
        Expr::Var(v) => {
            counts.vars += 1;
            match ctx {
                Ctx::Condition => Ok(()),
                Ctx::Metric => Err(SyntaxError::new(
                    format!("`{}` needs a time here", v.name),
                    v.pos,
                )
                .hint(format!(
                    "write `{0} at 365` or an aggregate such as `mean({0}, 0, 365)`",
                    v.name
                ))),
                Ctx::Template => Err(SyntaxError::new(
                    format!("`{}` needs an aggregate inside every(...)", v.name),
                    v.pos,
                )
                .hint(format!(
                    "e.g. `growth({0})` or `value({0})` (its value at each period's end)",
                    v.name
                ))),
            }
        }
        Expr::Call(call) => {
            counts.calls += 1;
            if counts.calls > MAX_CALLS {
                return Err(SyntaxError::new(
                    format!("a target may use at most {MAX_CALLS} aggregates"),
                    call.var.pos,
                ));
            }
            match call.window {
                None if ctx == Ctx::Template => {
                    counts.per_period += 1;
                    Ok(())
                }
                None => Err(SyntaxError::new(
                    format!("`{}({})` needs times here", call.func.name(), call.var.name),
                    call.var.pos,
                )
                .hint(match call.func.name() {
                    "value" => format!("write `value({0}, 365)` or `{0} at 365`", call.var.name),
                    f => format!(
                        "write `{f}({0}, 0, 91)`, or use it inside every(...)",
                        call.var.name
                    ),
                })),
                Some(Window::Span(a, b)) if b.value < a.value => Err(SyntaxError::new(
                    format!(
                        "the window ends at {} before it starts at {}",
                        b.value, a.value
                    ),
                    b.pos,
                )
                .hint("write the earlier time first")),
                Some(_) => Ok(()),
            }
        }
        Expr::Neg(inner) => walk(inner, ctx, counts),
        Expr::Binary(_, a, b) => {
            walk(a, ctx, counts)?;
            walk(b, ctx, counts)
        }
    }
}
