//! Resource limits: the one table of budgets every reader and the compiler check before they
//! allocate, so a small hostile file cannot exhaust memory, the stack or time.
//!
//! Each [`Limit`] has a default, an environment variable that raises it where raising is safe
//! (`SANDTABLE_MAX_…`), and a refusal message that names the amount, the limit and how to
//! raise it. Limits that protect the stack (nesting depths) cannot be raised: deeper input is
//! refused with a hint to split it. [`ALL`] lists them for documentation and tests;
//! `docs/reliability.md` shows the same table.

use crate::diagnostic::Diagnostic;
use std::sync::OnceLock;

/// One budget: a named maximum with its default and how to raise it.
#[derive(Debug)]
pub struct Limit {
    /// What is counted, e.g. "model file size".
    pub name: &'static str,
    /// The unit of the count, e.g. "bytes".
    pub unit: &'static str,
    /// The built-in maximum.
    pub default: u64,
    /// The environment variable that raises it, if raising is safe.
    pub env: Option<&'static str>,
    /// What the limit protects against, for the documentation table.
    pub guards: &'static str,
    /// The effective value, read once.
    cell: OnceLock<u64>,
}

impl Limit {
    const fn new(
        name: &'static str,
        unit: &'static str,
        default: u64,
        env: Option<&'static str>,
        guards: &'static str,
    ) -> Limit {
        Limit {
            name,
            unit,
            default,
            env,
            guards,
            cell: OnceLock::new(),
        }
    }

    /// The effective maximum: the environment variable's value if it is set to a positive whole
    /// number, else the default.
    pub fn value(&self) -> u64 {
        *self.cell.get_or_init(|| {
            self.env
                .and_then(|var| std::env::var(var).ok())
                .and_then(|v| v.trim().replace('_', "").parse::<u64>().ok())
                .filter(|&v| v > 0)
                .unwrap_or(self.default)
        })
    }

    /// The effective maximum as a `usize` (saturating on 32-bit targets).
    pub fn value_usize(&self) -> usize {
        usize::try_from(self.value()).unwrap_or(usize::MAX)
    }

    /// `Ok` if `amount` is within the limit, else the refusal for `what` (e.g. "`model.toml`").
    pub fn check(&self, amount: u64, what: &str) -> Result<(), Diagnostic> {
        if amount <= self.value() {
            Ok(())
        } else {
            Err(self.refusal(amount, what))
        }
    }

    /// The refusal message for `amount` over the limit; the caller adds the location.
    pub fn refusal(&self, amount: u64, what: &str) -> Diagnostic {
        Diagnostic::plain(format!(
            "{what}: {} is {amount} {}, over the limit of {} {}",
            self.name,
            self.unit,
            self.value(),
            self.unit
        ))
        .with_hint(self.hint())
    }

    /// How to stay within the limit or raise it.
    pub fn hint(&self) -> String {
        match self.env {
            Some(var) => format!(
                "make the input smaller, or raise the limit with the environment variable {var}=<{}>",
                self.unit
            ),
            None => "split it into smaller parts (for equations: intermediate variables)".into(),
        }
    }
}

/// Largest model or study file read.
pub static FILE_BYTES: Limit = Limit::new(
    "file size",
    "bytes",
    64 << 20,
    Some("SANDTABLE_MAX_FILE_BYTES"),
    "reading a huge file (or a device such as /dev/zero) into memory",
);

/// Most tokens in one equation; bounds the syntax tree's size and so the recursion depth of
/// every later pass over it (a flat sum of n terms is a tree n levels deep). 4,000 tokens
/// (a sum of 2,000 terms) fit the 2 MiB stack of a spawned thread.
pub static EXPR_TOKENS: Limit = Limit::new(
    "equation size",
    "tokens",
    4_000,
    None,
    "stack overflow in passes over a long flat expression",
);

/// Nesting levels of one equation the parser accepts (its recursion depth).
pub const EXPR_DEPTH_LEVELS: u64 = 200;

/// Deepest nesting of parentheses, unary operators, powers and IFs in one equation.
pub static EXPR_DEPTH: Limit = Limit::new(
    "equation nesting",
    "levels",
    EXPR_DEPTH_LEVELS,
    None,
    "stack overflow while parsing nested expressions",
);

/// Deepest nesting of XMILE modules; deeper is taken for models that contain each other.
pub static MODULE_DEPTH: Limit = Limit::new(
    "module nesting",
    "levels",
    16,
    None,
    "models that contain themselves",
);

/// Most variables after expanding XMILE modules (wide and deep fan-out).
pub static EXPANDED_VARIABLES: Limit = Limit::new(
    "variables after module expansion",
    "variables",
    250_000,
    Some("SANDTABLE_MAX_VARIABLES"),
    "modules instantiated many times at every level",
);

/// Longest equation text after expanding XMILE macros.
pub static MACRO_EXPANSION_BYTES: Limit = Limit::new(
    "equation length after macro expansion",
    "bytes",
    1 << 20,
    Some("SANDTABLE_MAX_MACRO_BYTES"),
    "macros that call each other several times per level (exponential growth)",
);

/// Most values of a model: every element of every variable.
pub static VALUES: Limit = Limit::new(
    "values (array elements of all variables)",
    "values",
    10_000_000,
    Some("SANDTABLE_MAX_VALUES"),
    "huge dimensions, or several large dimensions multiplied",
);

/// Most integration steps of one run.
pub static STEPS: Limit = Limit::new(
    "integration steps",
    "steps",
    100_000_000,
    Some("SANDTABLE_MAX_STEPS"),
    "runs that take hours",
);

/// Most saved numbers of one run: saved times × saved columns.
pub static SAVED_VALUES: Limit = Limit::new(
    "saved values (saved times × variables)",
    "values",
    50_000_000,
    Some("SANDTABLE_MAX_SAVED_VALUES"),
    "trajectories that do not fit in memory",
);

/// Most numbers one Monte Carlo study keeps in memory: per-run inputs and target outcomes,
/// and the saved series of the runs kept for charts.
pub static STUDY_VALUES: Limit = Limit::new(
    "values kept by one study",
    "values",
    200_000_000,
    Some("SANDTABLE_MAX_STUDY_VALUES"),
    "many runs × many inputs and targets, or many saved points kept per run",
);

/// Every limit, in the order of the documentation table.
pub static ALL: [&Limit; 10] = [
    &FILE_BYTES,
    &EXPR_TOKENS,
    &EXPR_DEPTH,
    &MODULE_DEPTH,
    &EXPANDED_VARIABLES,
    &MACRO_EXPANSION_BYTES,
    &VALUES,
    &STEPS,
    &SAVED_VALUES,
    &STUDY_VALUES,
];

/// Checks a study's size against [`STUDY_VALUES`] before its tables are allocated: each run
/// keeps its inputs and, per target, a metric, a hit and a time; `kept_series` counts the
/// saved values of the runs kept whole (for fan charts).
pub fn check_study(
    runs: u64,
    inputs: usize,
    targets: usize,
    kept_series: u64,
) -> Result<(), Diagnostic> {
    let per_run = (inputs as u64).saturating_add((targets as u64).saturating_mul(3));
    let values = runs.saturating_mul(per_run).saturating_add(kept_series);
    STUDY_VALUES.check(values, "the study")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_names_amount_limit_and_how_to_raise() {
        let d = FILE_BYTES.refusal(1 << 30, "`x.toml`");
        assert!(d.message.contains("1073741824 bytes"), "{}", d.message);
        assert!(d.message.contains(&FILE_BYTES.value().to_string()));
        assert!(d.hint.unwrap().contains("SANDTABLE_MAX_FILE_BYTES"));
        assert!(EXPR_DEPTH.hint().contains("intermediate variables"));
    }

    #[test]
    fn check_accepts_the_limit_itself_and_refuses_one_more() {
        let v = STEPS.value();
        assert!(STEPS.check(v, "m").is_ok());
        assert!(STEPS.check(v + 1, "m").is_err());
    }

    #[test]
    fn a_study_counts_inputs_and_three_numbers_per_target_for_every_run() {
        let cap = STUDY_VALUES.value();
        // 1 input + 2 targets = 7 values a run.
        assert!(check_study(cap / 7, 1, 2, 0).is_ok());
        assert!(check_study(cap / 7 + 1, 1, 2, 0).is_err());
        assert!(check_study(1, 0, 0, cap + 1).is_err());
        assert!(check_study(u64::MAX, usize::MAX, usize::MAX, u64::MAX).is_err());
    }

    #[test]
    fn documentation_lists_every_limit() {
        let doc = include_str!("../docs/reliability.md");
        for limit in ALL {
            assert!(doc.contains(limit.name), "docs miss `{}`", limit.name);
            if let Some(var) = limit.env {
                assert!(doc.contains(var), "docs miss `{var}`");
            }
        }
    }
}
