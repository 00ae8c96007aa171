//! The unit rule of each builtin function, as the builtin table (`equation::builtins`) states it.
//!
//! Delays, smooths, `INIT`, `PREVIOUS`, `ABS`, `INT`, `SUM`, `MEAN` keep their input's unit;
//! `MIN`, `MAX`, `MOD` and the noise functions need their value arguments to agree;
//! `EXP`, `LN`, `LOG10` and the trigonometric functions need dimensionless arguments;
//! averaging times, delay times and step times are in the model's time unit; `TREND` is per
//! time unit, `RAMP` is its slope times time. Stella's `CGROWTH` is per time unit, `NPV` is
//! its stream times time (the discount rate dimensionless), `IRR` a dimensionless rate.
//! Unknown functions are not checked.

use super::infer::{Cx, Env, Ty};
use super::unit::{Ratio, Unit};
use crate::equation::builtins::{Builtin, UnitRule};
use crate::equation::Node;

/// The unit of a name that is not a variable: `TIME`, `DT`, `PI`, … (`Any` if unknown).
pub fn constant(env: &Env, key: &str) -> Ty {
    match key {
        "time" | "dt" | "starttime" | "stoptime" | "initial_time" | "final_time" | "time_step" => {
            Ty::Known(env.time.clone())
        }
        "pi" | "e" => Ty::Known(Unit::one()),
        _ => Ty::Any,
    }
}

/// The unit of a call to builtin `key` (canonical name), reporting misused arguments.
pub fn call(env: &Env, key: &str, args: &[Node], cx: &mut Cx) -> Ty {
    let tys: Vec<Ty> = args.iter().map(|a| env.infer(a, cx)).collect();
    let item = |i: usize| (tys[i].clone(), args[i].span.clone());
    let upper = key.to_uppercase();
    let need_time = |cx: &mut Cx, i: usize, what: &str| {
        if i < args.len() {
            cx.need_time(
                &format!("{upper}'s {what}"),
                &tys[i],
                &args[i].span,
                &env.time,
            );
        }
    };
    if args.is_empty() {
        return constant(env, key);
    }
    let Some(builtin) = Builtin::from_name(key) else {
        return Ty::Any;
    };
    match builtin.spec().units {
        UnitRule::Count => Ty::Known(Unit::one()),
        UnitRule::Dimensionless => {
            for i in 0..args.len() {
                cx.need_one(&format!("the argument of {upper}"), &tys[i], &args[i].span);
            }
            Ty::Known(Unit::one())
        }
        UnitRule::KeepFirst if builtin == Builtin::Previous && args.len() > 1 => {
            cx.agree("PREVIOUS's value and initial value", &[item(0), item(1)])
        }
        UnitRule::KeepFirst => tys[0].clone(),
        UnitRule::Sqrt => match &tys[0] {
            Ty::Known(u) => Ty::from_option(Ratio::new(1, 2).and_then(|r| u.pow(r))),
            Ty::Any => Ty::Any,
        },
        UnitRule::Agree(from) => {
            let items: Vec<_> = (from..args.len()).map(item).collect();
            cx.agree(&format!("the arguments of {upper}"), &items)
        }
        UnitRule::Quotient => {
            let ratio = match (&tys[0], tys.get(1)) {
                (Ty::Known(a), Some(Ty::Known(b))) => Ty::from_option(a.div(b)),
                _ => Ty::Any,
            };
            match args.get(2) {
                Some(f) => cx.agree(
                    &format!("{upper}'s quotient and fallback"),
                    &[
                        (ratio, args[0].span.start..args[1].span.end),
                        (tys[2].clone(), f.span.clone()),
                    ],
                ),
                None => ratio,
            }
        }
        UnitRule::Smooth { initial: at, order } => {
            need_time(cx, 1, "time");
            if let Some(k) = order {
                cx.need_one(
                    &format!("{upper}'s order"),
                    &tys[k.min(tys.len() - 1)],
                    &args[k.min(args.len() - 1)].span,
                );
            }
            initial(cx, &upper, &tys, args, at)
        }
        UnitRule::Trend => {
            need_time(cx, 1, "averaging time");
            let per_time = Ty::Known(env.time.inverse());
            match args.get(2) {
                Some(a) => cx.agree(
                    "TREND's result and initial trend",
                    &[(per_time, a.span.clone()), (tys[2].clone(), a.span.clone())],
                ),
                None => per_time,
            }
        }
        UnitRule::Step => {
            need_time(cx, 1, "step time");
            tys[0].clone()
        }
        UnitRule::Pulse => {
            need_time(cx, 1, "first time");
            need_time(cx, 2, "interval");
            // A pulse of magnitude m delivers m over one step: m per time unit while it lasts.
            match &tys[0] {
                Ty::Known(u) => Ty::from_option(u.div(&env.time)),
                Ty::Any => Ty::Any,
            }
        }
        UnitRule::Ramp => {
            need_time(cx, 1, "start time");
            need_time(cx, 2, "end time");
            match &tys[0] {
                Ty::Known(u) => Ty::from_option(u.mul(&env.time)),
                Ty::Any => Ty::Any,
            }
        }
        UnitRule::Lookup => match &args[0].kind {
            crate::equation::NodeKind::Var { name, .. } => match env.lookup(name) {
                Some((i, _)) => env.unit_of(i),
                None => Ty::Any,
            },
            _ => Ty::Any,
        },
        UnitRule::Noise => cx.agree(
            &format!("the arguments of {upper}"),
            &[item(0), item(1.min(args.len() - 1))],
        ),
        UnitRule::PinkNoise => {
            need_time(cx, 2, "correlation time");
            cx.agree(
                "PINK_NOISE's mean and standard deviation",
                &[item(0), item(1.min(args.len() - 1))],
            )
        }
        UnitRule::GrowthRate => {
            cx.need_one("CGROWTH's percentage", &tys[0], &args[0].span);
            Ty::Known(env.time.inverse())
        }
        UnitRule::PresentValue => {
            cx.need_one("NPV's discount rate", &tys[1], &args[1].span);
            let sum = times_time(env, &tys[0]);
            match args.get(2) {
                Some(a) => cx.agree(
                    "NPV's stream times time and initial value",
                    &[
                        (sum, args[0].span.clone()),
                        (tys[2].clone(), a.span.clone()),
                    ],
                ),
                None => sum,
            }
        }
        UnitRule::ReturnRate => {
            if let Some(a) = args.get(1) {
                cx.agree(
                    "IRR's stream times time and initial payment",
                    &[
                        (times_time(env, &tys[0]), args[0].span.clone()),
                        (tys[1].clone(), a.span.clone()),
                    ],
                );
            }
            Ty::Known(Unit::one())
        }
        UnitRule::Clock | UnitRule::Number | UnitRule::Unchecked => Ty::Any,
    }
}

/// A stream summed over time: its unit times the time unit.
fn times_time(env: &Env, ty: &Ty) -> Ty {
    match ty {
        Ty::Known(u) => Ty::from_option(u.mul(&env.time)),
        Ty::Any => Ty::Any,
    }
}

/// The result of a delay or smooth: its input's unit, which an initial value must share.
fn initial(cx: &mut Cx, upper: &str, tys: &[Ty], args: &[Node], at: usize) -> Ty {
    match args.get(at) {
        Some(a) => cx.agree(
            &format!("{upper}'s input and initial value"),
            &[
                (tys[0].clone(), args[0].span.clone()),
                (tys[at].clone(), a.span.clone()),
            ],
        ),
        None => tys[0].clone(),
    }
}
