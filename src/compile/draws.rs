//! Random draws by inverting a distribution at one uniform draw: Stella's `POISSON` and
//! `NEGBINOMIAL`, and Vensim's five-argument `RANDOM NORMAL` (a normal truncated to
//! [min, max]). Each draw comes from the call's own keyed stream, once per step, like `NORMAL`.

use super::ir::{cond, f1, f2, Ir, SpecialIr};
use super::lower::{Ctx, Lowerer, NodeRole};
use super::program::{Func1, Func2};
use super::vectors::VectorFn;
use crate::diagnostic::Diagnostic;
use crate::equation::Node;
use std::ops::Range;

/// A uniform draw on [0, 1) from the call's stream, through a hidden node so that every use
/// reads the same draw.
fn uniform(lw: &mut Lowerer, key: &str, span: &Range<usize>, ctx: &Ctx) -> Ir {
    let state = lw.noise_state();
    let draw = Ir::Special(SpecialIr::Uniform(
        Box::new(Ir::Const(0.0)),
        Box::new(Ir::Const(1.0)),
        state,
    ));
    let at = ctx.at(span);
    let n = lw.out.nodes.len();
    Ir::Ref(lw.hidden(format!("{key}{n}_draw"), NodeRole::Aux, draw, at))
}

/// Lowers `POISSON(mean[, seed])` or `NEGBINOMIAL(successes, p[, seed])` (the seed is
/// accepted and ignored: streams are keyed by the variable).
pub(super) fn call(
    lw: &mut Lowerer,
    key: &str,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let (f, params) = if key == "poisson" {
        (VectorFn::Poisson, 1)
    } else {
        (VectorFn::NegBinomial, 2)
    };
    let mut flat = Vec::with_capacity(params + 1);
    for a in &args[..params] {
        flat.push(lw.lower(a, ctx)?);
    }
    let u = uniform(lw, key, span, ctx);
    flat.insert(0, u);
    Ok(Ir::Special(SpecialIr::Vector(f, 0, flat)))
}

/// `RANDOM NORMAL(min, max, mean, sd, seed)`: `mean + sd·Φ⁻¹(a + u·(b − a))` with
/// `a = Φ((min − mean)/sd)`, `b = Φ((max − mean)/sd)` and `u` uniform, which is the normal
/// truncated to [min, max]; `mean` clamped to the bounds when `sd` is 0.
pub(super) fn truncated_normal(
    lw: &mut Lowerer,
    args: &[Node],
    span: &Range<usize>,
    ctx: &mut Ctx,
) -> Result<Ir, Diagnostic> {
    let lo = lw.lower(&args[0], ctx)?;
    let hi = lw.lower(&args[1], ctx)?;
    let mean = lw.lower(&args[2], ctx)?;
    let sd = lw.lower(&args[3], ctx)?;
    if let (Ir::Const(a), Ir::Const(b)) = (&lo, &hi) {
        if a > b {
            return Err(ctx
                .error(
                    &args[0].span,
                    format!("the minimum of RANDOM NORMAL ({a}) is above its maximum ({b})"),
                )
                .with_hint("the five-argument form is `RANDOM NORMAL(min, max, mean, sd, seed)`"));
        }
    }
    if let Ir::Const(s) = sd {
        if s < 0.0 {
            return Err(ctx
                .error(
                    &args[3].span,
                    format!("the standard deviation of RANDOM NORMAL is negative ({s})"),
                )
                .with_hint("a standard deviation is zero or more"));
        }
    }
    let u = uniform(lw, "random_normal", span, ctx);
    let z = |bound: &Ir| {
        f1(
            Func1::NormalCdf,
            f2(
                Func2::Div,
                f2(Func2::Sub, bound.clone(), mean.clone()),
                sd.clone(),
            ),
        )
    };
    let (a, b) = (z(&lo), z(&hi));
    let p = f2(
        Func2::Add,
        a.clone(),
        f2(Func2::Mul, u, f2(Func2::Sub, b, a)),
    );
    let x = f2(
        Func2::Add,
        mean.clone(),
        f2(Func2::Mul, sd.clone(), f1(Func1::NormalQuantile, p)),
    );
    let clamp = |v: Ir| f2(Func2::Min, f2(Func2::Max, v, lo.clone()), hi.clone());
    // Rounding far in a tail can step just outside the bounds; a zero sd has no tail at all.
    let value = cond(f2(Func2::Gt, sd, Ir::Const(0.0)), clamp(x), clamp(mean));
    let nan = Ir::Const(f64::NAN);
    Ok(cond(f2(Func2::Gt, lo.clone(), hi.clone()), nan, value))
}
