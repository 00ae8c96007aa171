//! Structural check of a [`Program`]: every slot, table, builtin and block it names exists.
//!
//! The evaluator reads and writes slots without bounds checks once a program has passed this
//! check (see `simulate::vm::Checked`); compiled programs always pass it.

use super::program::{Op, Program, Slot, Special, RESERVED};

impl Program {
    /// Checks that every index the program holds is in range, describing the first that is not.
    pub fn validate(&self) -> Result<(), String> {
        let slots = self.slot_count();
        let slot_ok = |s: Slot, what: &str| -> Result<(), String> {
            if (s as usize) < slots {
                Ok(())
            } else {
                Err(format!("{what} names slot {s}, beyond the {slots} slots"))
            }
        };
        if RESERVED + self.stocks.len() > slots {
            return Err(format!(
                "{} stocks do not fit in {slots} slots",
                self.stocks.len()
            ));
        }
        for (name, code) in [
            ("init code", &self.init_code),
            ("step code", &self.step_code),
            ("report code", &self.report_code),
            ("invariant code", &self.invariant_code),
        ] {
            for (pc, op) in code.iter().enumerate() {
                slot_ok(highest_slot(|f| op.clone().for_each_slot(f)), name)
                    .map_err(|e| format!("{e} at instruction {pc}"))?;
                match *op {
                    Op::Lookup(_, t, _) if t as usize >= self.tables.len() => {
                        return Err(format!("{name} uses missing table {t}"))
                    }
                    Op::Special(_, k) if k as usize >= self.specials.len() => {
                        return Err(format!("{name} uses missing builtin {k}"))
                    }
                    _ => {}
                }
            }
        }
        for sp in &self.specials {
            slot_ok(highest_slot(|f| sp.clone().for_each_slot(f)), "a builtin")?;
            if let Special::Element { index, sizes, of } = sp {
                let cells = sizes
                    .iter()
                    .try_fold(1usize, |n, &k| n.checked_mul(k as usize));
                if index.len() != sizes.len() || cells != Some(of.len()) {
                    return Err("a computed subscript's candidates do not fill its axes".into());
                }
            }
        }
        for (name, blocks, code) in [
            ("init", &self.init_blocks, &self.init_code),
            ("invariant", &self.invariant_blocks, &self.invariant_code),
            ("step", &self.step_blocks, &self.step_code),
            ("report", &self.report_blocks, &self.report_code),
        ] {
            for block in blocks {
                slot_ok(block.slot, "a code block")?;
                if block.start > block.end || block.end as usize > code.len() {
                    return Err(format!(
                        "{name} block {}..{} is outside the {} instructions",
                        block.start,
                        block.end,
                        code.len()
                    ));
                }
            }
        }
        if self.sources.len() > slots {
            return Err("the source map has more entries than slots".into());
        }
        if self.rate_ends.len() != self.stocks.len() {
            return Err("stock rate table does not match the stocks".into());
        }
        let mut start = 0;
        for &(mid, end) in &self.rate_ends {
            if !(start <= mid && mid <= end && end as usize <= self.rate_slots.len()) {
                return Err("stock rate table is out of order".into());
            }
            start = end;
        }
        let flows = self
            .stocks
            .iter()
            .flat_map(|s| s.inflows.iter().chain(&s.outflows));
        for &s in self.rate_slots.iter().chain(flows) {
            slot_ok(s, "a stock's flow")?;
        }
        for line in &self.delays {
            for s in [line.input, line.delay, line.initial] {
                slot_ok(s, "a delay line")?;
            }
        }
        for c in &self.columns {
            slot_ok(c.slot, "a column")?;
        }
        if let Some(s) = self.stop_slot {
            slot_ok(s, "the stop time")?;
        }
        for p in &self.params {
            slot_ok(p.slot, "a parameter")?;
            if p.block as usize >= self.init_blocks.len() {
                return Err(format!("parameter `{}` has no init block", p.name));
            }
        }
        Ok(())
    }
}

/// The highest slot visited by `each` (0 when none).
fn highest_slot(each: impl FnOnce(&mut dyn FnMut(&mut Slot))) -> Slot {
    let mut highest = 0;
    each(&mut |s: &mut Slot| highest = highest.max(*s));
    highest
}

#[cfg(test)]
mod tests {
    use crate::compile::program::Op;

    fn program() -> crate::compile::Program {
        let file = std::sync::Arc::new(crate::diagnostic::SourceFile {
            path: "t.toml".into(),
            text: "[sim]\nstart = 0\nstop = 4\ndt = 1\n[stocks]\nx = { initial = 1, inflows = [\"f\"] }\n[flows]\nf = \"x * k\"\n[constants]\nk = 0.5\n".into(),
        });
        let model = crate::model::toml_file::parse(&file, "t").expect("parses");
        crate::compile::compile(&model).expect("compiles")
    }

    #[test]
    fn compiled_programs_pass_and_stray_indices_fail() {
        let prog = program();
        assert_eq!(prog.validate(), Ok(()));
        let beyond = prog.slot_count() as u32;

        let mut bad = prog.clone();
        bad.step_code.push(Op::Copy(beyond, 0));
        assert!(bad.validate().unwrap_err().contains("step code"));

        let mut bad = prog.clone();
        bad.rate_slots[0] = beyond;
        assert!(bad.validate().is_err());

        let mut bad = prog.clone();
        bad.init_blocks[0].end = bad.init_code.len() as u32 + 1;
        assert!(bad.validate().is_err());

        let mut bad = prog.clone();
        bad.step_blocks[0].end = bad.step_code.len() as u32 + 1;
        assert!(bad.validate().unwrap_err().contains("step block"));

        let mut bad = prog;
        bad.rate_ends.pop();
        assert!(bad.validate().is_err());
    }
}
