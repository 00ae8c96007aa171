//! Separate initial equations (`<init_eqn>`): reading them, and running the reader's
//! equation rewrites over them as over the equations.

use super::reader::VarReader;
use crate::diagnostic::Diagnostic;
use crate::model::{Equation, VarKind, Variable};
use roxmltree::Node;

impl VarReader<'_> {
    /// The separate initial equation (`<init_eqn>`) of an auxiliary or flow, if it has one
    /// (on the variable or any of its elements). A stock's `<eqn>` is already its initial
    /// value, so `<init_eqn>` there is an error rather than a second, ignored initial value.
    pub(super) fn initial(
        &self,
        node: Node,
        name: &str,
        dims: &[String],
        kind: &VarKind,
    ) -> Result<Option<Equation>, Diagnostic> {
        let cx = self.cx;
        let written = cx.child(node, "init_eqn").or_else(|| {
            cx.children(node, "element")
                .find_map(|el| cx.child(el, "init_eqn"))
        });
        let Some(at) = written else {
            return Ok(None);
        };
        if matches!(kind, VarKind::Stock { .. }) {
            return Err(Diagnostic::new(
                format!("stock `{name}` has an <init_eqn>; a stock's <eqn> is its initial value"),
                cx.at(at),
            )
            .with_hint("move the initial value into the stock's <eqn> and delete <init_eqn>"));
        }
        match self.equation(node, name, dims, "init_eqn")? {
            Some(eq) => Ok(Some(eq)),
            None => Err(
                Diagnostic::new(format!("the <init_eqn> of `{name}` is empty"), cx.at(at))
                    .with_hint("write the initial value, or delete <init_eqn>"),
            ),
        }
    }
}

/// Runs `pass`, a rewrite of equations, over the separate initial equations: on a copy of
/// the variables in which each equation is the variable's initial one (none for a variable
/// without), so the pass still sees every variable's name, kind and dimensions.
pub(super) fn on_initials(variables: &mut [Variable], pass: impl FnOnce(&mut [Variable])) {
    if variables.iter().all(|v| v.initial.is_none()) {
        return;
    }
    let mut shadow: Vec<Variable> = variables
        .iter()
        .map(|v| Variable {
            equation: v.initial.clone(),
            initial: None,
            ..v.clone()
        })
        .collect();
    pass(&mut shadow);
    for (v, s) in variables.iter_mut().zip(shadow) {
        if v.initial.is_some() {
            v.initial = s.equation;
        }
    }
}
