//! Vensim's `DELAY N(input, delay time, initial, order)`: a chain of `order` stocks like the
//! engine's `DELAYN`, except that each stage keeps the delay time the material had when it
//! entered the chain. Vensim shifts a per-stage delay time down the chain once a time step, so
//! stage `i` (from 0) runs with the delay time of `i` steps ago (the initial delay time
//! before the run started); with a constant delay time this is the engine's `DELAYN`.

use super::build::{expr_at, variable};
use super::emit::{num, quoted, Emitter};
use crate::diagnostic::SourceRef;
use crate::model::{Equation, VarKind};

/// Engine text for `DELAY N` with a fixed `order`, the arguments already written as engine
/// text (`init_delay` is the delay time as computed during initialisation).
pub fn delay_n(
    em: &mut Emitter,
    input: &str,
    delay: &str,
    initial: &str,
    order: usize,
    at: usize,
) -> String {
    let base = em.fresh_name("delay n");
    let src = SourceRef::at_offset(em.file, at);
    let n = num(order as f64);
    // The delay time each stage runs with.
    let stage_time = |i: usize| match i {
        0 => delay.to_string(),
        _ => format!("DELAY({delay}, {i} * DT, INIT({delay}))"),
    };
    let stocks: Vec<String> = (0..order)
        .map(|i| em.fresh_name(&format!("{base} stage {}", i + 1)))
        .collect();
    let outflows: Vec<String> = (0..order)
        .map(|i| em.fresh_name(&format!("{base} outflow {}", i + 1)))
        .collect();
    let inflow = em.fresh_name(&format!("{base} inflow"));
    em.extra.push(variable(
        inflow.clone(),
        VarKind::Flow {
            non_negative: false,
        },
        Vec::new(),
        Some(Equation::All(expr_at(input.to_string(), em.file, at))),
        None,
        src.clone(),
    ));
    for i in 0..order {
        let stock = &stocks[i];
        let into = if i == 0 {
            inflow.clone()
        } else {
            outflows[i - 1].clone()
        };
        em.extra.push(variable(
            stock.clone(),
            VarKind::Stock {
                inflows: vec![into],
                outflows: vec![outflows[i].clone()],
                non_negative: false,
            },
            Vec::new(),
            Some(Equation::All(expr_at(
                format!("{initial} * {delay} / {n}"),
                em.file,
                at,
            ))),
            None,
            src.clone(),
        ));
        em.extra.push(variable(
            outflows[i].clone(),
            VarKind::Flow {
                non_negative: false,
            },
            Vec::new(),
            Some(Equation::All(expr_at(
                format!("{} * {n} / {}", quoted(stock), stage_time(i)),
                em.file,
                at,
            ))),
            None,
            src.clone(),
        ));
    }
    quoted(&outflows[order - 1])
}
