//! How each causal link of the model runs through the compiled program's slots.
//!
//! A link `x → z` of the causal graph is a model-level statement; in the program, `z`'s value
//! may be computed straight from `x`'s slots, or through hidden parts of a builtin in `z`'s
//! equation (a smooth's input, flow and stage). A [`Route`] lists the steps from `x`'s slots to
//! `z`'s as sets of slots, each step scored by one of the two rules of the Loops That Matter
//! method ([`Step`]).

use crate::compile::program::{Block, Op, Program, Slot, SlotPart, Special, RESERVED};

/// How one step of a route is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The target slots are computed by blocks of the step code: re-evaluate them with the
    /// source slots at their new values and every other slot at its old one.
    Equation,
    /// As [`Rule::Equation`], but the target reads its source through a fixed delay line, so
    /// the delay lines are taken at their new outputs.
    Delay,
    /// The target slots are stocks and the sources some of their flows: the flows' share of
    /// the change in the stocks' net flow.
    Stock,
}

/// One step of a route: from a set of slots to a set of slots.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Slots whose change is attributed.
    pub from: Vec<Slot>,
    /// Slots receiving it.
    pub to: Vec<Slot>,
    /// Scoring rule.
    pub rule: Rule,
}

/// The path of one model link through the program: the link score is the product of its
/// steps' scores, summed over its routes (a direct reference and a path through a builtin).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    /// Alternative paths; an empty list means the program has no path for the link (its
    /// score is 0).
    pub paths: Vec<Vec<Step>>,
}

/// The slot-level dependency graph of the step code.
pub struct SlotGraph<'p> {
    prog: &'p Program,
    /// Step block computing each slot, if any.
    pub block_of: Vec<Option<usize>>,
    /// For each slot, the slots it is computed from (a stock: its flows).
    preds: Vec<Vec<Slot>>,
    /// Slots whose predecessor edge from a delay line's input is read through the delay.
    delayed: Vec<Vec<Slot>>,
    /// Slots each step block writes or reads (restored after a re-evaluation).
    pub touched: Vec<Vec<Slot>>,
}

impl<'p> SlotGraph<'p> {
    /// Reads the step code of `prog`.
    pub fn new(prog: &'p Program) -> SlotGraph<'p> {
        let n = prog.slot_count();
        let named = prog.sources.len();
        let mut block_of = vec![None; n];
        let mut preds = vec![Vec::new(); n];
        let mut delayed = vec![Vec::new(); n];
        let mut touched = Vec::with_capacity(prog.step_blocks.len());
        for (b, block) in prog.step_blocks.iter().enumerate() {
            block_of[block.slot as usize] = Some(b);
            let (reads, delays) = block_reads(prog, block);
            let mut all = reads.clone();
            all.push(block.slot);
            all.sort_unstable();
            all.dedup();
            touched.push(all);
            let into = &mut preds[block.slot as usize];
            into.extend(
                reads
                    .iter()
                    .filter(|&&s| (s as usize) < named && s != block.slot),
            );
            for k in delays {
                let input = prog.delays[k as usize].input;
                into.push(input);
                delayed[block.slot as usize].push(input);
            }
            into.sort_unstable();
            into.dedup();
        }
        for (k, stock) in prog.stocks.iter().enumerate() {
            let into = &mut preds[RESERVED + k];
            into.extend(stock.inflows.iter().chain(&stock.outflows));
            into.sort_unstable();
            into.dedup();
        }
        SlotGraph {
            prog,
            block_of,
            preds,
            delayed,
            touched,
        }
    }

    fn is_stock(&self, s: Slot) -> bool {
        (RESERVED..RESERVED + self.prog.stocks.len()).contains(&(s as usize))
    }

    /// The value slots of model variable `var` (every element of an arrayed one).
    pub fn value_slots(&self, var: usize) -> Vec<Slot> {
        self.slots_where(|src| src.var == Some(var) && src.part == SlotPart::Value)
    }

    fn slots_where(&self, keep: impl Fn(&crate::compile::SlotSource) -> bool) -> Vec<Slot> {
        (0..self.prog.sources.len())
            .filter(|&s| keep(&self.prog.sources[s]))
            .filter(|&s| self.is_stock(s as Slot) || self.block_of[s].is_some())
            .map(|s| s as Slot)
            .collect()
    }

    /// The route of the model link from variable `x` to variable `z`.
    pub fn route(&self, x: usize, z: usize) -> Route {
        let from = self.value_slots(x);
        let to = self.value_slots(z);
        let hidden = self.slots_where(|src| src.var == Some(z) && src.part == SlotPart::Builtin);
        let mut paths = Vec::new();
        if let Some(step) = self.step(&from, &to) {
            paths.push(vec![step]);
        }
        if let Some(path) = self.hidden_path(&from, &to, &hidden) {
            paths.push(path);
        }
        Route { paths }
    }

    /// The step from `from` into those slots of `to` that read one of them, if any.
    fn step(&self, from: &[Slot], to: &[Slot]) -> Option<Step> {
        let reads = |t: &Slot| self.preds[*t as usize].iter().any(|p| from.contains(p));
        let targets: Vec<Slot> = to.iter().copied().filter(reads).collect();
        let first = *targets.first()?;
        let rule = if self.is_stock(first) {
            Rule::Stock
        } else if targets
            .iter()
            .any(|t| self.delayed[*t as usize].iter().any(|p| from.contains(p)))
        {
            Rule::Delay
        } else {
            Rule::Equation
        };
        Some(Step {
            from: from.to_vec(),
            to: targets,
            rule,
        })
    }

    /// The path from `from` to `to` through the hidden slots of `to`'s equation, layer by
    /// layer (breadth first), keeping only hidden slots that lead on to `to`.
    fn hidden_path(&self, from: &[Slot], to: &[Slot], hidden: &[Slot]) -> Option<Vec<Step>> {
        if hidden.is_empty() {
            return None;
        }
        let useful = self.leading_to(to, hidden);
        let mut seen: Vec<Slot> = Vec::new();
        let mut layers: Vec<Vec<Slot>> = Vec::new();
        let mut frontier: Vec<Slot> = from.to_vec();
        loop {
            let next: Vec<Slot> = useful
                .iter()
                .copied()
                .filter(|h| !seen.contains(h))
                .filter(|h| self.preds[*h as usize].iter().any(|p| frontier.contains(p)))
                .collect();
            if next.is_empty() {
                break;
            }
            seen.extend(&next);
            layers.push(next.clone());
            frontier = next;
        }
        if layers.is_empty() {
            return None;
        }
        let mut steps = Vec::new();
        let mut source = from.to_vec();
        for layer in layers {
            steps.push(self.step(&source, &layer)?);
            source = layer;
        }
        // Into `to` from every hidden slot reached that feeds it.
        let feeding: Vec<Slot> = seen
            .iter()
            .copied()
            .filter(|h| to.iter().any(|t| self.preds[*t as usize].contains(h)))
            .collect();
        steps.push(self.step(&feeding, to)?);
        Some(steps)
    }

    /// The slots of `hidden` from which a path within `hidden` reaches `to`.
    fn leading_to(&self, to: &[Slot], hidden: &[Slot]) -> Vec<Slot> {
        let mut keep: Vec<Slot> = Vec::new();
        let mut frontier: Vec<Slot> = to.to_vec();
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for t in frontier {
                for &p in &self.preds[t as usize] {
                    if hidden.contains(&p) && !keep.contains(&p) {
                        keep.push(p);
                        next.push(p);
                    }
                }
            }
            frontier = next;
        }
        keep.sort_unstable();
        keep
    }
}

/// The slots a block reads (besides temporaries it writes first) and the delay lines it
/// reads through [`Special::Delay`].
fn block_reads(prog: &Program, block: &Block) -> (Vec<Slot>, Vec<u32>) {
    let mut reads = Vec::new();
    let mut delays = Vec::new();
    for op in &prog.step_code[block.start as usize..block.end as usize] {
        let mut op = *op;
        op.for_each_slot(|s| reads.push(*s));
        if let Op::Special(_, k) = op {
            let mut special = prog.specials[k as usize].clone();
            special.for_each_slot(|s| reads.push(*s));
            if let Special::Delay(line) = special {
                delays.push(line);
            }
        }
    }
    reads.sort_unstable();
    reads.dedup();
    (reads, delays)
}
