//! Vensim's vector functions (`ALLOCATE BY PRIORITY`, `ALLOCATE AVAILABLE`, `VECTOR SELECT`,
//! `INVERT MATRIX`, `VECTOR SORT ORDER`, `VECTOR RANK`, `VECTOR REORDER`, `VECTOR ELM MAP`)
//! written as calls of the engine's vector builtins (`compile::vectors`). Each vector argument
//! becomes a hidden arrayed variable over the ranges the function runs along, holding the
//! argument's value for the element being written; the engine call reads it whole (`[*]`) and
//! is given the position of the element wanted.

use super::build::{expr_at, variable};
use super::emit::{quoted, Emitter, Env};
use super::expr::{Ex, Sub};
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::names::canonical;
use crate::model::{Equation, VarKind};

/// Engine text for a vector function, or `None` when `key` names none.
pub fn call(
    em: &mut Emitter,
    key: &str,
    name: &str,
    args: &[Ex],
    at: usize,
    env: &Env,
) -> Option<Result<String, Diagnostic>> {
    let arity = match key {
        "allocate_by_priority" | "vector_select" => 5,
        "allocate_available" => 3,
        "invert_matrix" | "vector_sort_order" | "vector_rank" | "vector_reorder"
        | "vector_elm_map" => 2,
        _ => return None,
    };
    if args.len() != arity {
        return Some(Err(em.err(
            at,
            format!("{name} takes {arity} arguments, {} given", args.len()),
        )));
    }
    Some(write(em, key, name, args, at, env))
}

fn write(
    em: &mut Emitter,
    key: &str,
    name: &str,
    args: &[Ex],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let scalar = |em: &mut Emitter, i: usize| em.emit(&args[i], env);
    Ok(match key {
        "vector_select" => {
            let mut along = bang_dims(em, &args[0]);
            for d in bang_dims(em, &args[1]) {
                if !along.contains(&d) {
                    along.push(d);
                }
            }
            if along.is_empty() {
                return Err(em
                    .err(
                        at,
                        "VECTOR SELECT needs the ranges it runs along marked with `!`",
                    )
                    .with_hint("write e.g. `VECTOR SELECT(sel[dim!], x[dim!], -1, 0, 0)`"));
            }
            // A range marked `!` in one argument only runs along that argument: in the other
            // it keeps the element being written (Vensim pairs every selected element with
            // every value then).
            let sel = pin(em, &args[0], &along, env);
            let vals = pin(em, &args[1], &along, env);
            let sel = hidden(em, name, &sel, &along, at, env)?;
            let vals = hidden(em, name, &vals, &along, at, env)?;
            format!(
                "VECTOR_SELECT({sel}, {vals}, {}, {}, {})",
                scalar(em, 2)?,
                scalar(em, 3)?,
                scalar(em, 4)?
            )
        }
        "allocate_by_priority" => {
            let d = last_range(em, &args[0], name, at)?;
            let k = position(em, d, env, name, at)?;
            let req = hidden(em, name, &args[0], &[d], at, env)?;
            let pri = hidden(em, name, &args[1], &[d], at, env)?;
            format!(
                "ALLOCATE_BY_PRIORITY({req}, {pri}, {}, {}, {k})",
                scalar(em, 3)?,
                scalar(em, 4)?
            )
        }
        "allocate_available" => {
            let d = last_range(em, &args[0], name, at)?;
            let k = position(em, d, env, name, at)?;
            let req = hidden(em, name, &args[0], &[d], at, env)?;
            // The profile's last subscript names its first field (`ptype`): the profile runs
            // along that field's range.
            let Ex::Ref {
                name: pn,
                subs,
                at: pat,
            } = &args[1]
            else {
                return Err(em.err(at, "ALLOCATE AVAILABLE takes a priority profile variable"));
            };
            let info = em
                .infos
                .get(&canonical(pn))
                .cloned()
                .ok_or_else(|| em.err(*pat, format!("unknown variable `{pn}`")))?;
            let Some(&p) = info.dims.last() else {
                return Err(em.err(*pat, format!("`{pn}` is not arrayed")));
            };
            let mut whole = subs.clone();
            if let Some(last) = whole.last_mut() {
                *last = Sub {
                    name: em.dims.list[p].name.clone(),
                    bang: false,
                };
            }
            let profile = Ex::Ref {
                name: pn.clone(),
                subs: whole,
                at: *pat,
            };
            let pp = hidden(em, name, &profile, &[d, p], at, env)?;
            format!("ALLOCATE_AVAILABLE({req}, {pp}, {}, {k})", scalar(em, 2)?)
        }
        "invert_matrix" => {
            let Ex::Ref { subs, .. } = &args[0] else {
                return Err(em.err(at, "INVERT MATRIX takes a matrix variable"));
            };
            // The matrix is the last two ranges; the ones before are bound by the element.
            let ranges: Vec<usize> = subs.iter().filter_map(|s| em.dims.get(&s.name)).collect();
            let [.., r, c] = ranges[..] else {
                return Err(em.err(at, "INVERT MATRIX takes a matrix over two ranges"));
            };
            let (i, j) = (
                position(em, r, env, name, at)?,
                position(em, c, env, name, at)?,
            );
            let m = hidden(em, name, &args[0], &[r, c], at, env)?;
            format!("INVERT_MATRIX({m}, {i}, {j})")
        }
        _ => {
            let d = last_range(em, &args[0], name, at)?;
            let v = hidden(em, name, &args[0], &[d], at, env)?;
            let f = key.to_uppercase();
            if key == "vector_elm_map" {
                // VECTOR ELM MAP(x[start], offset): the element `offset` places after the
                // one the first argument names, along its last range.
                let k = position(em, d, env, name, at)?;
                return Ok(format!("VECTOR_ELM_MAP({v}, {k} - 1 + {})", scalar(em, 1)?));
            }
            let k = position(em, d, env, name, at)?;
            let second = if key == "vector_reorder" {
                hidden(em, name, &args[1], &[d], at, env)?
            } else {
                scalar(em, 1)?
            };
            format!("{f}({v}, {second}, {k})")
        }
    })
}

/// The ranges of `e`'s subscripts marked with `!`.
fn bang_dims(em: &Emitter, e: &Ex) -> Vec<usize> {
    match e {
        Ex::Ref { subs, .. } => subs
            .iter()
            .filter(|s| s.bang)
            .filter_map(|s| em.dims.get(&s.name))
            .collect(),
        _ => Vec::new(),
    }
}

/// `e` with each subscript that names one of the ranges `along` without `!` replaced by the
/// element `env` binds it to.
fn pin(em: &Emitter, e: &Ex, along: &[usize], env: &Env) -> Ex {
    let Ex::Ref { name, subs, at } = e else {
        return e.clone();
    };
    let subs = subs
        .iter()
        .map(|s| {
            let bound = em
                .dims
                .get(&s.name)
                .filter(|d| !s.bang && along.contains(d))
                .and_then(|d| {
                    env.iter()
                        .rev()
                        .find(|(r, _)| *r == d)
                        .map(|&(_, k)| (d, k))
                });
            match bound {
                Some((d, k)) => Sub {
                    name: em.dims.list[d].elements[k].clone(),
                    bang: false,
                },
                None => s.clone(),
            }
        })
        .collect();
    Ex::Ref {
        name: name.clone(),
        subs,
        at: *at,
    }
}

/// The range of the last subscript of a variable reference.
fn last_range(em: &Emitter, e: &Ex, name: &str, at: usize) -> Result<usize, Diagnostic> {
    match e {
        Ex::Ref { subs, .. } => subs
            .last()
            .and_then(|s| em.dims.get(&s.name))
            .ok_or_else(|| {
                em.err(
                    at,
                    format!("the first argument of {name} must be subscripted by a range"),
                )
                .with_hint("the function runs along the last subscript's range")
            }),
        _ => Err(em.err(
            at,
            format!("the first argument of {name} must be a variable"),
        )),
    }
}

/// The 1-based position of range `d`'s current element; when `d` has none, that of the
/// innermost bound range of as many elements (a result written over another range than its
/// argument's, as `order[scompany] = VECTOR SORT ORDER(x[company], 1)`).
fn position(em: &Emitter, d: usize, env: &Env, name: &str, at: usize) -> Result<usize, Diagnostic> {
    let size = |r: usize| em.dims.list[r].elements.len();
    env.iter()
        .rev()
        .find(|(r, _)| *r == d)
        .or_else(|| env.iter().rev().find(|(r, _)| size(*r) == size(d)))
        .map(|&(_, k)| k + 1)
        .ok_or_else(|| {
            em.err(
                at,
                format!(
                    "{name} is written for one element of `{}` at a time",
                    em.dims.list[d].name
                ),
            )
            .with_hint("give the variable that range as a subscript")
        })
}

/// A hidden variable over the ranges `along` holding `e` for each of their elements (the
/// other ranges as bound by `env`); its engine text reads it whole.
fn hidden(
    em: &mut Emitter,
    base: &str,
    e: &Ex,
    along: &[usize],
    at: usize,
    env: &Env,
) -> Result<String, Diagnostic> {
    let mut combos: Vec<(Vec<String>, Env)> = vec![(Vec::new(), env.clone())];
    for &d in along {
        let elements = em.dims.list[d].elements.clone();
        combos = combos
            .into_iter()
            .flat_map(|(names, env)| {
                elements.iter().enumerate().map(move |(k, el)| {
                    let mut names = names.clone();
                    names.push(el.clone());
                    let mut env = env.clone();
                    env.push((d, k));
                    (names, env)
                })
            })
            .collect();
    }
    let mut eqs = Vec::with_capacity(combos.len());
    for (names, env) in combos {
        let text = em.emit(e, &env)?;
        eqs.push((names, expr_at(text, em.file, at)));
    }
    let hidden = em.fresh_name(&format!("{base} argument"));
    let dims = along
        .iter()
        .map(|&d| em.dims.list[d].name.clone())
        .collect::<Vec<_>>();
    let stars = vec!["*"; along.len()].join(", ");
    em.extra.push(variable(
        hidden.clone(),
        VarKind::Aux,
        dims,
        Some(Equation::PerElement(eqs)),
        None,
        SourceRef::at_offset(em.file, at),
    ));
    Ok(format!("{}[{stars}]", quoted(&hidden)))
}
